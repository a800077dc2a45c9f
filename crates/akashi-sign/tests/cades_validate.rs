//! Our validator on card-signed CAdES at each level, at times before and after the signer's
//! certificate expired, and on the bad inputs a relying party meets: a changed document or
//! signature, truncation, a certificate revoked before or after signing, an expired TSA
//! certificate without an archive timestamp. Every finding is a report, never a panic.

mod support;

use time::{Duration, OffsetDateTime};

use akashi_card::Card;
use akashi_crypto::OsRandom;
use akashi_jlis::{LifeEvent, Registry};
use akashi_jpki::JpkiCertificate;
use akashi_sign::validate::{Indication, Level, SubIndication};
use akashi_sign::{
    add_signature_timestamp, add_validation_data, prepare_cades, validate_cades, Anchors,
    LocalJlis, LocalTsa,
};
use akashi_store::Store;
use akashi_tsa::{Tsa, TsaAuthority};

const CONTRACT: &[u8] = "業務委託契約書\n第1条 委託業務の内容\n".as_bytes();

struct World {
    _dir: tempfile::TempDir,
    authority: akashi_jlis::Authority,
    registry: Registry,
    tsa: Tsa,
    store: Store,
    anchors: Anchors,
}

async fn world(now: OffsetDateTime) -> World {
    let dir = tempfile::tempdir().unwrap();
    let authority = support::jlis(dir.path(), now);
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    let registry = Registry::new(store.clone());
    let tsa = Tsa::new(
        TsaAuthority::open_or_create(dir.path(), &support::sealing_key(), now, &OsRandom).unwrap(),
    );
    let mut anchors = Anchors::default();
    anchors.add(
        JpkiCertificate::from_pem_or_der(&std::fs::read(dir.path().join("sign-root.pem")).unwrap())
            .unwrap(),
    );
    anchors.add(JpkiCertificate::from_der(tsa.authority().ca_certificate()).unwrap());
    World {
        _dir: dir,
        authority,
        registry,
        tsa,
        store,
        anchors,
    }
}

/// B-B, B-T and B-LT of one signature by resident `id`, made at `now`.
async fn sign(w: &mut World, id: &str, now: OffsetDateTime) -> [Vec<u8>; 3] {
    let person = support::person("佐藤\u{3000}一郎", time::macros::date!(1985 - 07 - 15));
    let mut card = support::registered_card(&mut w.authority, &w.registry, id, &person, now).await;
    let certificate = support::signature_certificate(&mut card);
    let prepared = prepare_cades(CONTRACT, &certificate, now).unwrap();
    let signature = card.sign(prepared.to_be_signed(), support::PIN).unwrap();
    let b_b = prepared.complete(&signature).unwrap();
    let b_t = add_signature_timestamp(
        &b_b,
        &LocalTsa {
            tsa: &w.tsa,
            store: &w.store,
            now,
        },
    )
    .await
    .unwrap();
    let b_lt = add_validation_data(
        &b_t,
        &LocalJlis {
            authority: &w.authority,
            store: &w.store,
            now: now + Duration::minutes(5),
            tsa: Default::default(),
        },
    )
    .await
    .unwrap();
    [b_b, b_t, b_lt]
}

#[tokio::test]
async fn levels_and_times_of_a_card_signature() {
    let now = OffsetDateTime::now_utc();
    let mut w = world(now).await;
    let [b_b, b_t, b_lt] = sign(&mut w, "r1", now).await;
    let at = now + Duration::hours(1);

    let report = validate_cades(CONTRACT, &b_lt, &w.anchors, at);
    let s = &report.signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{s:?}");
    assert_eq!(s.level, Some(Level::BLt));
    let attrs = s.signer.as_ref().unwrap().attributes.as_ref().unwrap();
    assert_eq!(attrs.name, "佐藤\u{3000}一郎");
    assert!(s.signature_timestamp.is_some() && s.claimed_signing_time.is_some());

    // B-T without embedded revocation data cannot be decided offline.
    let s = &validate_cades(CONTRACT, &b_t, &w.anchors, at).signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (Indication::Indeterminate, Some(SubIndication::TryLater)),
        "{s:?}"
    );
    assert_eq!(s.level, Some(Level::BT));

    // Six years on the signer's certificate has expired (JPKI: the fifth birthday after
    // issuance): B-LT still validates on the timestamp's proof; B-B cannot.
    let later = now + Duration::days(6 * 366);
    let s = &validate_cades(CONTRACT, &b_lt, &w.anchors, later).signatures[0];
    assert!(
        JpkiCertificate::from_der(&support_cert(&b_lt))
            .unwrap()
            .not_after()
            < later
    );
    assert_eq!(s.indication, Indication::TotalPassed, "{s:?}");
    let s = &validate_cades(CONTRACT, &b_b, &w.anchors, later).signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (
            Indication::Indeterminate,
            Some(SubIndication::OutOfBoundsNoPoe)
        ),
        "{s:?}"
    );

    // Eleven years on the TSA certificate (10 years) has expired too, and no archive
    // timestamp proves the signature existed before.
    let s =
        &validate_cades(CONTRACT, &b_lt, &w.anchors, now + Duration::days(11 * 366)).signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (
            Indication::Indeterminate,
            Some(SubIndication::OutOfBoundsNoPoe)
        ),
        "{s:?}"
    );
    assert!(s
        .reason
        .as_ref()
        .unwrap()
        .contains("TSA certificate expired"));
}

fn support_cert(cms: &[u8]) -> Vec<u8> {
    let view = akashi_cms::parse_signed_data(cms).unwrap();
    view.certificates
        .into_iter()
        .find(|c| {
            JpkiCertificate::from_der(c)
                .unwrap()
                .kind()
                .unwrap()
                .is_some()
        })
        .unwrap()
}

#[tokio::test]
async fn changed_truncated_and_foreign_inputs_fail_with_a_named_reason() {
    let now = OffsetDateTime::now_utc();
    let mut w = world(now).await;
    let [_, _, b_lt] = sign(&mut w, "r1", now).await;
    let at = now + Duration::hours(1);

    let mut changed = CONTRACT.to_vec();
    changed[4] ^= 1;
    let s = &validate_cades(&changed, &b_lt, &w.anchors, at).signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::HashFailure))
    );

    // A byte of the signature value (found by its position in the DER).
    let view = akashi_cms::parse_signed_data(&b_lt).unwrap();
    let pos = b_lt
        .windows(view.signer.signature.len())
        .position(|w| w == view.signer.signature.as_slice())
        .unwrap();
    let mut bad = b_lt.clone();
    bad[pos + 10] ^= 1;
    let s = &validate_cades(CONTRACT, &bad, &w.anchors, at).signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (
            Indication::TotalFailed,
            Some(SubIndication::SigCryptoFailure)
        ),
        "{s:?}"
    );

    for cut in [0, 1, 100, b_lt.len() / 2, b_lt.len() - 1] {
        let s = &validate_cades(CONTRACT, &b_lt[..cut], &w.anchors, at).signatures[0];
        assert_eq!(
            (s.indication, s.sub_indication),
            (Indication::TotalFailed, Some(SubIndication::FormatFailure)),
            "cut at {cut}"
        );
    }
    // Every single-byte flip gives a report (never a panic), and never TOTAL-PASSED unless
    // the byte is outside what the checks cover.
    for i in (0..b_lt.len()).step_by(97) {
        let mut flipped = b_lt.clone();
        flipped[i] ^= 0x20;
        let _ = validate_cades(CONTRACT, &flipped, &w.anchors, at);
    }

    // Another J-LIS: no chain.
    let other = world(now).await;
    let s = &validate_cades(CONTRACT, &b_lt, &other.anchors, at).signatures[0];
    assert_eq!(s.indication, Indication::Indeterminate);
    assert!(
        matches!(
            s.sub_indication,
            Some(SubIndication::NoCertificateChainFound)
        ),
        "{s:?}"
    );
}

#[tokio::test]
async fn revoked_before_signing_fails_revoked_after_still_validates() {
    let now = OffsetDateTime::now_utc();
    let mut w = world(now).await;
    let at = now + Duration::days(2);

    // Revoked after the signature: the move a day later revokes the signature certificate;
    // the CRL embedded afterwards lists it, dated after the timestamp.
    let [_, b_t, _] = sign(&mut w, "after", now).await;
    w.registry
        .apply(
            "after",
            &LifeEvent::Move {
                new_address: "大阪府大阪市北区中之島一丁目3番20号".into(),
            },
            now + Duration::days(1),
        )
        .await
        .unwrap();
    let b_lt = add_validation_data(
        &b_t,
        &LocalJlis {
            authority: &w.authority,
            store: &w.store,
            now: now + Duration::days(1) + Duration::hours(1),
            tsa: Default::default(),
        },
    )
    .await
    .unwrap();
    let s = &validate_cades(CONTRACT, &b_lt, &w.anchors, at).signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{s:?}");
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("revoked") && n.contains("after the signature existed")),
        "{s:?}"
    );

    // Revoked before the signature: the certificate is revoked, then the card still signs.
    let person = support::person("鈴木\u{3000}次郎", time::macros::date!(1970 - 01 - 02));
    let mut card =
        support::registered_card(&mut w.authority, &w.registry, "before", &person, now).await;
    w.registry
        .apply(
            "before",
            &LifeEvent::Lose { compromised: true },
            now + Duration::minutes(1),
        )
        .await
        .unwrap();
    let late = now + Duration::minutes(10);
    let certificate = support::signature_certificate(&mut card);
    let prepared = prepare_cades(CONTRACT, &certificate, late).unwrap();
    let signature = card.sign(prepared.to_be_signed(), support::PIN).unwrap();
    let b_t = add_signature_timestamp(
        &prepared.complete(&signature).unwrap(),
        &LocalTsa {
            tsa: &w.tsa,
            store: &w.store,
            now: late,
        },
    )
    .await
    .unwrap();
    let b_lt = add_validation_data(
        &b_t,
        &LocalJlis {
            authority: &w.authority,
            store: &w.store,
            now: late + Duration::minutes(5),
            tsa: Default::default(),
        },
    )
    .await
    .unwrap();
    let s = &validate_cades(CONTRACT, &b_lt, &w.anchors, at).signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::Revoked)),
        "{s:?}"
    );
}
