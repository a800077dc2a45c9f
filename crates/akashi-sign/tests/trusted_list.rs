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
use akashi_jlis::Registry;
use akashi_sign::trusted_list::{
    prepare_trusted_list, read_trusted_list, ServiceStatus, ServiceType, StatusChange,
    TrustService, TrustedList,
};
use akashi_sign::validate::{Indication, SubIndication};
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

#[tokio::test]
async fn validation_takes_its_anchors_from_a_signed_trusted_list() {
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
    let root = akashi_jpki::JpkiCertificate::from_pem(root.as_bytes()).unwrap();
    let granted = |from| StatusChange {
        status: ServiceStatus::Granted,
        from,
    };
    let list = |root_history: Vec<StatusChange>, sequence_number| TrustedList {
        scheme_operator: "Akashi trust services".into(),
        sequence_number,
        issued: now,
        next_update: now + Duration::days(180),
        services: vec![
            service(
                ServiceType::JlisSignatureCa,
                "J-LIS signature CA gen 1",
                root.der(),
                root_history,
            ),
            service(
                ServiceType::TimeStamping,
                "Akashi TSA root",
                tsa.authority().ca_certificate(),
                vec![granted(now - Duration::days(1))],
            ),
        ],
    };
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
    let s = &validate_cades(DOC, &b_lt, &anchors, at).signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{s:#?}");

    // Withdrawn a day after the signature: it still validates, with a note.
    let withdrawn = |at| StatusChange {
        status: ServiceStatus::Withdrawn,
        from: at,
    };
    let history = vec![
        granted(now - Duration::days(1)),
        withdrawn(now + Duration::days(1)),
    ];
    let signed = sign_list(&list(history, 2), &key, &operator_cert);
    let (_, anchors, _) = read_trusted_list(&signed, &operator_cert, at).unwrap();
    let s = &validate_cades(DOC, &b_lt, &anchors, at).signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{s:#?}");
    assert!(s.notes.iter().any(|n| n.contains("withdrew")), "{s:#?}");

    // Withdrawn before the signature existed: no anchor.
    let history = vec![
        granted(now - Duration::days(1)),
        withdrawn(now - Duration::hours(1)),
    ];
    let signed = sign_list(&list(history, 3), &key, &operator_cert);
    let (_, anchors, _) = read_trusted_list(&signed, &operator_cert, at).unwrap();
    let s = &validate_cades(DOC, &b_lt, &anchors, at).signatures[0];
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
