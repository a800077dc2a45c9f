//! CRLs checked by the real openssl CLI, and round-tripped through the parser.

mod common;

use std::time::Instant;

use akashi_jpki::SerialNumber;
use akashi_revocation::{
    build_crl, parse_crl, verify_crl, CrlParams, RevocationError, RevocationReason, RevokedEntry,
};
use common::{now, Pki};
use time::Duration;

fn entries(now: time::OffsetDateTime) -> Vec<RevokedEntry> {
    [
        (0x1001u32, RevocationReason::AffiliationChanged),
        (0x1002, RevocationReason::CertificateHold),
        (0x1003, RevocationReason::KeyCompromise),
        (0x1004, RevocationReason::Unspecified),
        (0x1005, RevocationReason::Superseded),
        (0x1006, RevocationReason::CessationOfOperation),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (serial, reason))| RevokedEntry {
        serial: SerialNumber::from(serial),
        revoked_at: now - Duration::hours(i as i64 + 1),
        reason,
    })
    .collect()
}

fn signed_crl(pki: &Pki, number: u64, entries: &[RevokedEntry]) -> Vec<u8> {
    let now = now();
    let unsigned = build_crl(&CrlParams {
        issuer: &pki.ca,
        this_update: now,
        next_update: now + Duration::hours(24),
        crl_number: number,
        entries,
    })
    .unwrap();
    let sig = pki
        .ca_key
        .sign_pkcs1_sha256(unsigned.to_be_signed())
        .unwrap();
    unsigned.complete(&sig).unwrap()
}

#[test]
fn openssl_verifies_and_prints_the_crl() {
    let pki = Pki::new();
    let now = now();
    let entries = entries(now);
    let der = signed_crl(&pki, 42, &entries);
    pki.write("crl.der", &der);

    let (ok, out) = pki.openssl(&[
        "crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "ca.pem", "-noout",
    ]);
    assert!(ok && out.contains("verify OK"), "{out}");

    let (ok, text) = pki.openssl(&["crl", "-inform", "DER", "-in", "crl.der", "-noout", "-text"]);
    assert!(ok, "{text}");
    for expected in [
        "Version 2",
        "sha256WithRSAEncryption",
        "X509v3 CRL Number",
        "42",
        "X509v3 Authority Key Identifier",
        "Next Update",
        "Affiliation Changed",
        "Certificate Hold",
        "Key Compromise",
        "Superseded",
        "Cessation Of Operation",
        "Serial Number: 1001",
        "Serial Number: 1004",
        "O = JPKI",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // unspecified carries no reasonCode: six entries, five reason extensions.
    assert_eq!(text.matches("X509v3 CRL Reason Code").count(), 5, "{text}");

    let parsed = verify_crl(&der, &pki.ca).unwrap();
    assert_eq!(parsed.crl_number, Some(42));
    assert_eq!(parsed.this_update, now_floor(&parsed));
    assert!(parsed.is_current_at(parsed.this_update));
    assert_eq!(parsed.entries.len(), entries.len());
    for (got, want) in parsed.entries.iter().zip(&entries) {
        assert_eq!(got.serial, want.serial);
        assert_eq!(got.revoked_at, want.revoked_at);
        let want_reason = (want.reason != RevocationReason::Unspecified).then_some(want.reason);
        assert_eq!(got.reason, want_reason);
    }
    assert_eq!(parsed.authority_key_id, pki.ca.subject_key_id().unwrap());
    assert_eq!(parsed.der(), &der[..]);
    assert!(parsed.find(&SerialNumber::from(0x1003u32)).is_some());
    assert!(parsed.find(&SerialNumber::from(0x9999u32)).is_none());
}

fn now_floor(parsed: &akashi_revocation::ParsedCrl) -> time::OffsetDateTime {
    // thisUpdate round-trips whole seconds exactly.
    parsed.this_update.replace_nanosecond(0).unwrap()
}

#[test]
fn one_changed_tbs_byte_fails_openssl_and_verify_crl() {
    let pki = Pki::new();
    let der = signed_crl(&pki, 7, &entries(now()));
    let parsed = parse_crl(&der).unwrap();
    // Flip a byte of the last revocation date's digits (inside the TBS, still valid DER).
    let tbs_start = der
        .windows(parsed.tbs_der().len())
        .position(|w| w == parsed.tbs_der())
        .unwrap();
    let mut tampered = der.clone();
    let serial_pos = tbs_start
        + parsed
            .tbs_der()
            .windows(4)
            .position(|w| w == [0x02, 0x02, 0x10, 0x01])
            .unwrap();
    tampered[serial_pos + 3] ^= 0x01; // 0x1001 → 0x1000
    pki.write("tampered.der", &tampered);
    let (ok, out) = pki.openssl(&[
        "crl",
        "-inform",
        "DER",
        "-in",
        "tampered.der",
        "-CAfile",
        "ca.pem",
        "-noout",
    ]);
    assert!(!ok || !out.contains("verify OK"), "{out}");
    assert!(
        out.contains("verify failure") || out.contains("bad signature"),
        "{out}"
    );
    assert!(matches!(
        verify_crl(&tampered, &pki.ca),
        Err(RevocationError::Verification(_))
    ));
    assert_eq!(
        parse_crl(&tampered).unwrap().entries[0].serial,
        SerialNumber::from(0x1000u32)
    );
}

#[test]
fn another_ca_generation_does_not_verify() {
    let pki = Pki::new();
    let other = Pki::new();
    let der = signed_crl(&pki, 1, &entries(now()));
    assert!(matches!(
        verify_crl(&der, &other.ca),
        Err(RevocationError::Verification(_))
    ));
    let mut trailing = der.clone();
    trailing.push(0);
    assert!(parse_crl(&trailing).is_err());
}

#[test]
fn an_empty_crl_is_valid() {
    let pki = Pki::new();
    let der = signed_crl(&pki, 1, &[]);
    pki.write("empty.der", &der);
    let (ok, out) = pki.openssl(&[
        "crl",
        "-inform",
        "DER",
        "-in",
        "empty.der",
        "-CAfile",
        "ca.pem",
        "-noout",
        "-text",
    ]);
    assert!(
        ok && out.contains("verify OK") && out.contains("No Revoked Certificates"),
        "{out}"
    );
    let parsed = verify_crl(&der, &pki.ca).unwrap();
    assert!(parsed.entries.is_empty());
    assert_eq!(parsed.crl_number, Some(1));
}

#[test]
fn a_crl_of_100000_entries_builds_and_parses() {
    let pki = Pki::new();
    let now = now();
    let reasons = [
        RevocationReason::AffiliationChanged,
        RevocationReason::Superseded,
        RevocationReason::KeyCompromise,
        RevocationReason::Unspecified,
    ];
    let entries: Vec<RevokedEntry> = (0..100_000u32)
        .map(|i| RevokedEntry {
            serial: SerialNumber::from(0x0100_0000 + i),
            revoked_at: now - Duration::seconds(i64::from(i)),
            reason: reasons[i as usize % reasons.len()],
        })
        .collect();
    let start = Instant::now();
    let der = signed_crl(&pki, u64::MAX, &entries);
    let built = start.elapsed();
    let start = Instant::now();
    let parsed = verify_crl(&der, &pki.ca).unwrap();
    let verified = start.elapsed();
    println!(
        "100000-entry CRL: {} bytes, built+signed in {built:?}, parsed+verified in {verified:?}",
        der.len()
    );
    assert_eq!(parsed.entries.len(), 100_000);
    assert_eq!(parsed.crl_number, Some(u64::MAX));
    assert_eq!(parsed.entries[99_999].serial, entries[99_999].serial);
    assert_eq!(parsed.entries[3].reason, None);
    pki.write("big.der", &der);
    let (ok, out) = pki.openssl(&[
        "crl", "-inform", "DER", "-in", "big.der", "-CAfile", "ca.pem", "-noout",
    ]);
    assert!(ok && out.contains("verify OK"), "{out}");
}
