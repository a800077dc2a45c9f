//! The signed trusted list: the validator takes its anchors from a list signed by the scheme
//! operator it pins; a J-LIS root withdrawn after a signature still anchors it, one withdrawn
//! before does not; a changed list or another operator is refused.

mod support;

use base64::Engine;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::sign::Signer;
use openssl::x509::{X509Builder, X509NameBuilder};
use time::{Duration, OffsetDateTime};

use akashi_card::Card;
use akashi_crypto::OsRandom;
use akashi_crypto::RsaPrivateKey;
use akashi_jlis::Registry;
use akashi_sign::trusted_list::{
    operator_certificate, prepare_trusted_list, read_trusted_list, service_type_of,
    sign_trusted_list, ServiceStatus, ServiceType, StatusChange, TrustService, TrustedList,
};
use akashi_sign::validate::{verify_timestamp, Indication, Level, SubIndication};
use akashi_sign::{
    add_signature_timestamp, add_validation_data, prepare_cades, validate_cades, LocalJlis,
    LocalTsa,
};
use akashi_store::Store;
use akashi_tsa::{Tsa, TsaAuthority};

const DOC: &[u8] = b"contract";

/// A scheme operator: an RSA key and a self-signed certificate (DER).
fn operator(name: &str) -> (PKey<openssl::pkey::Private>, Vec<u8>) {
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut subject = X509NameBuilder::new().unwrap();
    subject.append_entry_by_text("CN", name).unwrap();
    let subject = subject.build();
    let mut b = X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(&subject).unwrap();
    b.set_issuer_name(&subject).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&openssl::asn1::Asn1Time::days_from_now(3650).unwrap())
        .unwrap();
    b.sign(&key, MessageDigest::sha256()).unwrap();
    let der = b.build().to_der().unwrap();
    (key, der)
}

fn sign_list(list: &TrustedList, key: &PKey<openssl::pkey::Private>, cert: &[u8]) -> Vec<u8> {
    let prepared = prepare_trusted_list(list, cert).unwrap();
    let mut signer = Signer::new(MessageDigest::sha256(), key).unwrap();
    signer.update(prepared.to_be_signed()).unwrap();
    let signature = signer.sign_to_vec().unwrap();
    prepared.complete(&signature).unwrap()
}

fn service(kind: ServiceType, name: &str, der: &[u8], history: Vec<StatusChange>) -> TrustService {
    TrustService {
        service_type: kind,
        name: name.into(),
        certificate: base64::engine::general_purpose::STANDARD.encode(der),
        history,
    }
}

/// A card-signed CAdES-B-LT of [`DOC`] made `now`, with the J-LIS signature root and the
/// TSA's root it needs.
struct Signed {
    _tmp: tempfile::TempDir,
    now: OffsetDateTime,
    b_lt: Vec<u8>,
    root: akashi_jpki::JpkiCertificate,
    tsa_root: Vec<u8>,
}

async fn signed_b_lt() -> Signed {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let now = OffsetDateTime::now_utc();
    let mut authority = support::jlis(dir, now);
    let store = Store::open_in_dir(dir).await.unwrap();
    let registry = Registry::new(store.clone());
    let tsa = Tsa::new(
        TsaAuthority::open_or_create(dir, &support::sealing_key(), now, &OsRandom).unwrap(),
    );
    let person = support::person("山田\u{3000}花子", time::macros::date!(1990 - 04 - 01));
    let mut card = support::registered_card(&mut authority, &registry, "r1", &person, now).await;
    let certificate = support::signature_certificate(&mut card);
    let prepared = prepare_cades(DOC, &certificate, now).unwrap();
    let signature = card.sign(prepared.to_be_signed(), support::PIN).unwrap();
    let local = LocalTsa {
        tsa: &tsa,
        store: &store,
        now,
    };
    let b_t = add_signature_timestamp(&prepared.complete(&signature).unwrap(), &local)
        .await
        .unwrap();
    let source = LocalJlis {
        authority: &authority,
        store: &store,
        now: now + Duration::minutes(1),
        tsa: Default::default(),
    };
    let b_lt = add_validation_data(&b_t, &source).await.unwrap();
    let root = std::fs::read_to_string(dir.join("sign-root.pem")).unwrap();
    Signed {
        now,
        b_lt,
        root: akashi_jpki::JpkiCertificate::from_pem(root.as_bytes()).unwrap(),
        tsa_root: tsa.authority().ca_certificate().to_vec(),
        _tmp: tmp,
    }
}

fn granted(from: OffsetDateTime) -> StatusChange {
    StatusChange {
        status: ServiceStatus::Granted,
        from,
    }
}

fn withdrawn(from: OffsetDateTime) -> StatusChange {
    StatusChange {
        status: ServiceStatus::Withdrawn,
        from,
    }
}

/// A list of the J-LIS signature root and the TSA root with these histories.
fn list_of(
    signed: &Signed,
    root_history: Vec<StatusChange>,
    tsa_history: Vec<StatusChange>,
    sequence_number: u64,
) -> TrustedList {
    TrustedList {
        scheme_operator: "Akashi trust services".into(),
        sequence_number,
        issued: signed.now,
        next_update: signed.now + Duration::days(180),
        services: vec![
            service(
                ServiceType::JlisSignatureCa,
                "J-LIS signature CA gen 1",
                signed.root.der(),
                root_history,
            ),
            service(
                ServiceType::TimeStamping,
                "Akashi TSA root",
                &signed.tsa_root,
                tsa_history,
            ),
        ],
    }
}

#[tokio::test]
async fn validation_takes_its_anchors_from_a_signed_trusted_list() {
    let fixture = signed_b_lt().await;
    let (now, b_lt) = (fixture.now, &fixture.b_lt);
    let tsa_granted = || vec![granted(now - Duration::days(1))];
    let list = |root_history, n| list_of(&fixture, root_history, tsa_granted(), n);
    let (key, operator_cert) = operator("Akashi trusted list operator");
    let at = now + Duration::days(2);

    let signed = sign_list(
        &list(vec![granted(now - Duration::days(1))], 1),
        &key,
        &operator_cert,
    );
    let (read, anchors, stale) = read_trusted_list(&signed, &operator_cert, at).unwrap();
    assert_eq!(read.sequence_number, 1);
    assert!(!stale);
    let s = &validate_cades(DOC, b_lt, &anchors, at).signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{s:#?}");

    // Withdrawn a day after the signature: it still validates, with a note.
    let history = vec![
        granted(now - Duration::days(1)),
        withdrawn(now + Duration::days(1)),
    ];
    let signed = sign_list(&list(history, 2), &key, &operator_cert);
    let (_, anchors, _) = read_trusted_list(&signed, &operator_cert, at).unwrap();
    let s = &validate_cades(DOC, b_lt, &anchors, at).signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{s:#?}");
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("withdrew the issuing J-LIS root")),
        "{s:#?}"
    );

    // Withdrawn before the signature existed: no anchor.
    let history = vec![
        granted(now - Duration::days(1)),
        withdrawn(now - Duration::hours(1)),
    ];
    let signed = sign_list(&list(history, 3), &key, &operator_cert);
    let (_, anchors, _) = read_trusted_list(&signed, &operator_cert, at).unwrap();
    let s = &validate_cades(DOC, b_lt, &anchors, at).signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (
            Indication::Indeterminate,
            Some(SubIndication::NoCertificateChainFound)
        ),
        "{s:#?}"
    );

    // A changed byte of the list, or another operator: refused.
    let mut changed = signed.clone();
    let pos = changed.windows(9).position(|w| w == b"J-LIS sig").unwrap();
    changed[pos] = b'X';
    let err = read_trusted_list(&changed, &operator_cert, at).unwrap_err();
    assert!(
        err.to_string().contains("does not match its signed digest"),
        "{err}"
    );
    let (_, other) = operator("someone else");
    let err = read_trusted_list(&signed, &other, at).unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");
    // Past its next update the list is still read, and said to be stale.
    let (_, _, stale) =
        read_trusted_list(&signed, &operator_cert, now + Duration::days(200)).unwrap();
    assert!(stale);
}

#[tokio::test]
async fn a_withdrawn_tsa_vouches_only_for_times_before_its_withdrawal() {
    let fixture = signed_b_lt().await;
    let (now, b_lt) = (fixture.now, &fixture.b_lt);
    let (key, operator_cert) = operator("Akashi trusted list operator");
    let at = now + Duration::days(2);
    let root_granted = vec![granted(now - Duration::days(1))];

    // Withdrawn a day after the timestamp's genTime: it still counts, with a note.
    let tsa_history = vec![
        granted(now - Duration::days(1)),
        withdrawn(now + Duration::days(1)),
    ];
    let list = list_of(&fixture, root_granted.clone(), tsa_history, 1);
    let signed = sign_list(&list, &key, &operator_cert);
    let (_, anchors, _) = read_trusted_list(&signed, &operator_cert, at).unwrap();
    let s = &validate_cades(DOC, b_lt, &anchors, at).signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{s:#?}");
    assert_eq!(s.level, Some(Level::BLt), "{s:#?}");
    assert!(s.signature_timestamp.is_some(), "{s:#?}");
    assert!(
        s.notes.iter().any(
            |n| n.contains("withdrew the TSA root") && n.contains("after the timestamp's time")
        ),
        "{s:#?}"
    );

    // Withdrawn an hour before genTime: the timestamp does not count (no B-T, so no proof
    // the signature existed before the embedded revocation data), with a finding that says
    // why.
    let tsa_history = vec![
        granted(now - Duration::days(1)),
        withdrawn(now - Duration::hours(1)),
    ];
    let list = list_of(&fixture, root_granted, tsa_history, 2);
    let signed = sign_list(&list, &key, &operator_cert);
    let (_, anchors, _) = read_trusted_list(&signed, &operator_cert, at).unwrap();
    let s = &validate_cades(DOC, b_lt, &anchors, at).signatures[0];
    assert_ne!(s.indication, Indication::TotalPassed, "{s:#?}");
    assert_eq!(s.signature_timestamp, None, "{s:#?}");
    assert_eq!(s.level, Some(Level::BB), "{s:#?}");
    assert!(
        s.notes
            .iter()
            .any(|n| n.starts_with("signature timestamp ignored")
                && n.contains("withdrew the TSA root")
                && n.contains("before the token's time")),
        "{s:#?}"
    );
    // The token itself, checked directly, is refused for the same reason.
    let token = akashi_sign::signature_timestamp(b_lt).unwrap().unwrap();
    let view = akashi_cms::parse_signed_data(b_lt).unwrap();
    let digest: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&view.signer.signature).into();
    let err = verify_timestamp(&token, &digest, &anchors, &[]).unwrap_err();
    assert!(err.contains("withdrew the TSA root"), "{err}");
}

#[test]
fn the_operator_signs_with_its_sealed_software_key_and_edits_the_list() {
    let now = OffsetDateTime::now_utc();
    let key = RsaPrivateKey::generate().unwrap();
    let cert = operator_certificate(
        &key,
        "CN=Akashi Trusted List Operator,O=Akashi,C=JP",
        now,
        Duration::days(3650),
        &OsRandom,
    )
    .unwrap();
    let operator_cert = akashi_jpki::JpkiCertificate::from_der(&cert).unwrap();
    assert_eq!(operator_cert.subject(), operator_cert.issuer());
    let (_, tsa_root) = operator("a TSA root");
    let tsa_root = akashi_jpki::JpkiCertificate::from_der(&tsa_root).unwrap();
    assert_eq!(service_type_of(&tsa_root), ServiceType::TimeStamping);
    let mut list = TrustedList {
        scheme_operator: operator_cert.subject().to_string(),
        sequence_number: 1,
        issued: now,
        next_update: now + Duration::days(180),
        services: vec![TrustService::granted(
            ServiceType::TimeStamping,
            "tsa-root",
            &tsa_root,
        )],
    };
    let signed = sign_trusted_list(&list, &key, &cert).unwrap();
    let (read, anchors, _) = read_trusted_list(&signed, &cert, now).unwrap();
    assert_eq!(read, list);
    assert_eq!(anchors.tsa.len(), 1);
    let t0 = tsa_root.not_before();
    let service = read.service("tsa-root").unwrap();
    assert_eq!(service.status_at(t0), Some(ServiceStatus::Granted));
    assert_eq!(service.status_at(t0 - Duration::seconds(1)), None);

    // Another key than the certificate's is refused before anything is signed.
    let other = RsaPrivateKey::generate().unwrap();
    let err = sign_trusted_list(&list, &other, &cert).unwrap_err();
    assert!(
        err.to_string().contains("not the key of the operator"),
        "{err}"
    );

    // Withdrawals: unknown names, a second withdrawal, a time before the grant are refused.
    let err = list.withdraw("nobody", now).unwrap_err();
    assert!(err.to_string().contains("no service named"), "{err}");
    let err = list
        .withdraw("tsa-root", tsa_root.not_before() - Duration::days(1))
        .unwrap_err();
    assert!(
        err.to_string().contains("precede the last status change"),
        "{err}"
    );
    list.withdraw("tsa-root", t0 + Duration::days(2)).unwrap();
    let err = list
        .withdraw("tsa-root", t0 + Duration::days(3))
        .unwrap_err();
    assert!(err.to_string().contains("already withdrawn"), "{err}");
    list.reissue(now, now + Duration::days(30));
    assert_eq!(list.sequence_number, 2);
    let signed = sign_trusted_list(&list, &key, &cert).unwrap();
    let (read, anchors, _) = read_trusted_list(&signed, &cert, now).unwrap();
    let service = read.service("tsa-root").unwrap();
    assert_eq!(
        service.status_at(t0 + Duration::days(3)),
        Some(ServiceStatus::Withdrawn)
    );
    assert_eq!(
        service.status_at(t0 + Duration::days(1)),
        Some(ServiceStatus::Granted)
    );
    assert_eq!(
        anchors.withdrawn_at(&tsa_root),
        Some(t0 + Duration::days(2))
    );

    // Two services of one name cannot be signed.
    list.services.push(list.services[0].clone());
    let err = sign_trusted_list(&list, &key, &cert).unwrap_err();
    assert!(err.to_string().contains("two services are named"), "{err}");
}
