//! CAdES-B-LTA (ETSI EN 319 122-1 §5.5.3): a card signature made six years ago, raised to
//! B-LT and archive-timestamped, validated eleven years after signing, when the TSA
//! certificate of its signature timestamp and first archive timestamp has expired. A renewal
//! by a second TSA, made while the first TSA certificate was valid, keeps it TOTAL-PASSED;
//! without it the proof of existence is gone. Changed content, archive token, signature
//! timestamp or embedded CRL each fail with their sub-indication; cut or flipped bytes give a
//! report, never a panic.

mod support;

use time::{Duration, OffsetDateTime};

use akashi_jpki::JpkiCertificate;
use akashi_sign::validate::{Indication, Level, SubIndication};
use akashi_sign::{
    add_archive_timestamp, archive_timestamps, renew_cades_archive_timestamp, validate_cades,
    SignError,
};

use support::lta::{crls, digest, World, CONTRACT, YEAR};

fn flip_in(cms: &[u8], part: &[u8], offset_from_end: usize) -> Vec<u8> {
    let at = cms
        .windows(part.len())
        .position(|w| w == part)
        .expect("the part is in the signature");
    let mut bad = cms.to_vec();
    bad[at + part.len() - 1 - offset_from_end] ^= 0x01;
    bad
}

fn outcome(
    content: &[u8],
    cms: &[u8],
    w: &World,
    at: OffsetDateTime,
) -> (Indication, Option<SubIndication>) {
    let s = &validate_cades(content, cms, &w.anchors, at).signatures[0];
    (s.indication, s.sub_indication)
}

#[tokio::test]
async fn a_renewed_b_lta_outlives_the_tsa_certificate_and_tampering_is_named() {
    let t0 = OffsetDateTime::now_utc() - 6 * YEAR;
    let mut w = World::new(t0).await;
    let tsa1 = w.tsa("tsa1", t0);
    let [b_b, b_t, b_lt] = w.sign(&tsa1, t0).await;
    let sha = digest(CONTRACT);

    // Only a B-LT signature over this content gets an archive timestamp.
    let stamp = w.stamp(&tsa1, t0 + Duration::minutes(10));
    for (cms, level) in [(&b_b, "B-B"), (&b_t, "B-T")] {
        match add_archive_timestamp(cms, &sha, &stamp).await {
            Err(SignError::Invalid(why)) => assert!(why.contains(level), "{why}"),
            other => panic!("{level} got an archive timestamp: {other:?}"),
        }
    }
    let wrong = add_archive_timestamp(&b_lt, &digest(b"another contract"), &stamp).await;
    assert!(
        matches!(wrong, Err(SignError::Invalid(why)) if why.contains("message digest")),
        "{wrong:?}"
    );
    let lta1 = add_archive_timestamp(&b_lt, &sha, &stamp).await.unwrap();

    // Now (six years on) the first TSA certificate (ten years) still holds.
    let now = t0 + 6 * YEAR;
    let report = validate_cades(CONTRACT, &lta1, &w.anchors, now);
    let s = &report.signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(s.level, Some(Level::BLta), "{report:#?}");
    assert_eq!(report.archive_timestamps.len(), 1);
    assert!(report.archive_timestamps[0].valid, "{report:#?}");

    // Nine years on a second TSA renews it, while the first TSA certificate is valid.
    let t9 = t0 + 9 * YEAR;
    let tsa2 = w.tsa("tsa2", t9);
    let lta2 = renew_cades_archive_timestamp(
        &lta1,
        &sha,
        &w.services(&tsa1, "tsa1", t9),
        &w.stamp(&tsa2, t9),
    )
    .await
    .unwrap();
    assert_eq!(archive_timestamps(&lta2, &sha).unwrap().len(), 2);

    // Eleven years on: the first TSA certificate has expired.
    let t11 = t0 + 11 * YEAR;
    assert!(
        JpkiCertificate::from_der(tsa1.authority().certificate())
            .unwrap()
            .not_after()
            < t11
    );
    let report = validate_cades(CONTRACT, &lta2, &w.anchors, t11);
    let s = &report.signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(s.level, Some(Level::BLta), "{report:#?}");
    assert_eq!(report.archive_timestamps.len(), 2, "{report:#?}");
    assert!(
        report.archive_timestamps.iter().all(|t| t.valid),
        "{report:#?}"
    );
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("2 of 2 archive timestamps hold")),
        "{s:#?}"
    );

    // Without the renewal the proof of existence ends with the first TSA certificate.
    let report = validate_cades(CONTRACT, &lta1, &w.anchors, t11);
    let s = &report.signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (
            Indication::Indeterminate,
            Some(SubIndication::OutOfBoundsNoPoe)
        ),
        "{report:#?}"
    );
    assert!(!report.archive_timestamps[0].valid);
    let reason = report.archive_timestamps[0].reason.as_deref().unwrap();
    assert!(reason.contains("no renewal in time"), "{reason}");

    // A byte of the content.
    let mut changed = CONTRACT.to_vec();
    changed[3] ^= 1;
    assert_eq!(
        outcome(&changed, &lta2, &w, t11),
        (Indication::TotalFailed, Some(SubIndication::HashFailure))
    );

    // A byte of the newest archive token's signature value.
    let tokens = archive_timestamps(&lta2, &sha).unwrap();
    let newest = tokens
        .iter()
        .find(|t| !lta1.windows(t.token.len()).any(|w| w == t.token.as_slice()))
        .unwrap();
    let tsa_signature = akashi_cms::parse_signed_data(&newest.token)
        .unwrap()
        .signer
        .signature;
    let bad = flip_in(&lta2, &tsa_signature, 3);
    assert_eq!(
        outcome(CONTRACT, &bad, &w, t11),
        (
            Indication::TotalFailed,
            Some(SubIndication::SigCryptoFailure)
        )
    );
    let report = validate_cades(CONTRACT, &bad, &w.anchors, t11);
    assert!(
        report.archive_timestamps.iter().any(|t| t
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("TSA signature does not verify"))),
        "{report:#?}"
    );

    // A byte of the J-LIS CRL embedded for B-LT (covered by both archive timestamps).
    let jlis_crl = crls(&b_lt).remove(0);
    let bad = flip_in(&lta2, &jlis_crl, 0);
    let report = validate_cades(CONTRACT, &bad, &w.anchors, t11);
    let s = &report.signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::HashFailure)),
        "{report:#?}"
    );
    assert!(s.reason.as_deref().unwrap().contains("a CRL"), "{s:#?}");

    // A byte of the signature timestamp (an unsigned attribute the archive covers).
    let signature_token = akashi_sign::signature_timestamp(&lta2).unwrap().unwrap();
    let tst_signature = akashi_cms::parse_signed_data(&signature_token)
        .unwrap()
        .signer
        .signature;
    let bad = flip_in(&lta2, &tst_signature, 5);
    let report = validate_cades(CONTRACT, &bad, &w.anchors, t11);
    let s = &report.signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::HashFailure)),
        "{report:#?}"
    );
    assert!(
        s.reason.as_deref().unwrap().contains("unsigned attribute"),
        "{s:#?}"
    );

    // Truncations and flipped bytes: a report, never a panic, never a pass when cut.
    for cut in [0, 1, 64, lta2.len() / 3, lta2.len() / 2, lta2.len() - 1] {
        let report = validate_cades(CONTRACT, &lta2[..cut], &w.anchors, t11);
        assert!(!report.all_passed(), "cut at {cut}");
    }
    for i in (0..lta2.len()).step_by(53) {
        let mut flipped = lta2.clone();
        flipped[i] ^= 0x80;
        let _ = validate_cades(CONTRACT, &flipped, &w.anchors, t11);
        let _ = archive_timestamps(&flipped, &sha);
    }
}
