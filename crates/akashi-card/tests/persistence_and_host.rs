//! PIN state across restarts, the sealed card file, and the host client.

mod common;

use akashi_card::{
    Card, CardStore, CertificateSlot, HostError, JpkiCard, MemoryStore, PinKind, PinStatus,
    SealedFileStore, TriesLeft, VirtualCard, VirtualTransport,
};
use akashi_crypto::{verify_rsa_pkcs1, HashAlgorithm, SealingKey};
use common::*;

fn file_store(dir: &tempfile::TempDir) -> SealedFileStore {
    SealedFileStore::open(
        dir.path().join("hanako.card"),
        SealingKey::from_bytes([9; 32]),
    )
    .unwrap()
}

#[test]
fn a_blocked_pin_stays_blocked_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = personalise(file_store(&dir)).card;
    send(&mut c, SELECT_JPKI);
    send(&mut c, &select_ef("001B"));
    for expected in ["63C4", "63C3", "63C2", "63C1", "6984"] {
        assert_eq!(sw(&send(&mut c, &verify("WRONG1"))), expected);
    }
    drop(c);
    let mut c = VirtualCard::open(file_store(&dir)).unwrap();
    send(&mut c, SELECT_JPKI);
    send(&mut c, &select_ef("001B"));
    assert_eq!(sw(&send(&mut c, "00 20 00 80")), "6984");
    assert_eq!(sw(&send(&mut c, &verify(SIGN_PIN))), "6984");
    send(&mut c, &select_ef("0001"));
    assert_eq!(sw(&send(&mut c, "00 B0 00 00 04")), "6982");
}

#[test]
fn each_wrong_try_is_on_disk_before_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = personalise(file_store(&dir)).card;
    send(&mut c, SELECT_JPKI);
    send(&mut c, &select_ef("0018"));
    assert_eq!(sw(&send(&mut c, &verify("0000"))), "63C2");
    // While this session holds the card, no other process can open it.
    let err = SealedFileStore::open(
        dir.path().join("hanako.card"),
        SealingKey::from_bytes([9; 32]),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("in use by another process"),
        "{err}"
    );
    drop(c);
    // The next session (the "restart") sees the spent try.
    let mut again = JpkiCard::new(VirtualTransport(
        VirtualCard::open(file_store(&dir)).unwrap(),
    ));
    assert_eq!(
        again.pin_status().unwrap().authentication,
        TriesLeft::Remaining(2)
    );
}

#[test]
fn the_card_file_is_sealed() {
    let dir = tempfile::tempdir().unwrap();
    drop(personalise(file_store(&dir)));
    let bytes = std::fs::read(dir.path().join("hanako.card")).unwrap();
    assert!(bytes.starts_with(b"AKSEAL1"));
    let text = String::from_utf8_lossy(&bytes);
    for secret in [
        "山田",
        "霞が関",
        "19900401",
        AUTH_PIN,
        SIGN_PIN,
        "JPKIAPICC",
    ] {
        assert!(
            !text.contains(secret),
            "{secret} is readable in the card file"
        );
    }
    let wrong = SealedFileStore::open(
        dir.path().join("hanako.card"),
        SealingKey::from_bytes([8; 32]),
    )
    .unwrap();
    assert!(VirtualCard::open(wrong).is_err());
}

fn host() -> (JpkiCard<VirtualTransport<MemoryStore>>, Vec<u8>) {
    let p = personalise(MemoryStore::default());
    (JpkiCard::new(VirtualTransport(p.card)), p.signature_key)
}

#[test]
fn host_reads_exact_certificates_and_signs() {
    let (mut card, signature_key) = host();
    assert_eq!(
        card.read_certificate(CertificateSlot::Authentication, None)
            .unwrap(),
        fake_cert(1400, 0xA1)
    );
    assert_eq!(
        card.read_certificate(CertificateSlot::AuthenticationCa, None)
            .unwrap(),
        fake_cert(1000, 0xA2)
    );
    assert_eq!(
        card.read_certificate(CertificateSlot::SignatureCa, None)
            .unwrap(),
        fake_cert(1000, 0x52)
    );
    assert!(matches!(
        card.read_certificate(CertificateSlot::Signature, None),
        Err(HostError::SecurityStatusNotSatisfied { .. })
    ));
    assert_eq!(
        card.read_certificate(CertificateSlot::Signature, Some(SIGN_PIN))
            .unwrap(),
        fake_cert(1500, 0x51)
    );
    let signature = card.sign(b"hello", SIGN_PIN).unwrap();
    verify_rsa_pkcs1(&signature_key, HashAlgorithm::Sha256, b"hello", &signature).unwrap();
    assert_eq!(card.read_card_face(AUTH_PIN).unwrap(), face());
}

#[test]
fn host_reports_tries_and_blocking() {
    let (mut card, _) = host();
    let full = PinStatus {
        authentication: TriesLeft::Remaining(3),
        signature: TriesLeft::Remaining(5),
        text: TriesLeft::Remaining(3),
    };
    assert_eq!(card.pin_status().unwrap(), full);
    assert!(matches!(
        card.verify_pin(PinKind::Signature, "WRONG1"),
        Err(HostError::WrongPin { tries_left: 4 })
    ));
    for _ in 0..3 {
        let _ = card.verify_pin(PinKind::Signature, "WRONG1");
    }
    assert!(matches!(
        card.sign(b"x", "WRONG1"),
        Err(HostError::PinBlocked)
    ));
    assert!(matches!(
        card.sign(b"x", SIGN_PIN),
        Err(HostError::PinBlocked)
    ));
    assert_eq!(card.pin_status().unwrap().signature, TriesLeft::Blocked);
    assert_eq!(
        card.pin_status().unwrap().authentication,
        TriesLeft::Remaining(3)
    );
}

#[test]
fn host_refuses_malformed_pins_before_sending_anything() {
    let (mut card, _) = host();
    let sent = card.commands_sent();
    for (kind, pin) in [
        (PinKind::Authentication, "12345"),
        (PinKind::Signature, "abc123"),
        (PinKind::Text, "12a4"),
    ] {
        assert!(
            matches!(
                card.verify_pin(kind, pin),
                Err(HostError::InvalidPinFormat(_))
            ),
            "{pin}"
        );
    }
    assert_eq!(card.commands_sent(), sent);
    assert_eq!(
        card.pin_status().unwrap().signature,
        TriesLeft::Remaining(5)
    );
}

#[test]
fn a_store_without_an_image_cannot_be_opened() {
    let store = MemoryStore::default();
    assert!(store.read().is_err());
    assert!(VirtualCard::open(store).is_err());
}
