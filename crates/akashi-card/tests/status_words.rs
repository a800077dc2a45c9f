//! Every status-word path of the virtual card, byte for byte.

mod common;

use akashi_card::{sha256_digest_info, MemoryStore, VirtualCard};
use akashi_crypto::{verify_rsa_pkcs1, HashAlgorithm};
use common::*;

fn card() -> Personalised<MemoryStore> {
    personalise(MemoryStore::default())
}

#[test]
fn select() {
    let mut c = card().card;
    assert_eq!(
        sw(&send(&mut c, &select_ef("000A"))),
        "6A82",
        "EF before any application"
    );
    assert_eq!(send(&mut c, SELECT_JPKI), vec![0x90, 0x00]);
    assert_eq!(
        sw(&send(
            &mut c,
            "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 02"
        )),
        "6A82"
    );
    assert_eq!(sw(&send(&mut c, SELECT_JPKI)), "9000");
    assert_eq!(sw(&send(&mut c, &select_ef("000A"))), "9000");
    assert_eq!(
        sw(&send(&mut c, &select_ef("0011"))),
        "6A82",
        "text-AP EF inside JPKI"
    );
    assert_eq!(sw(&send(&mut c, &select_ef("1234"))), "6A82");
    assert_eq!(sw(&send(&mut c, "00 A4 02 0C 03 00 0A 00")), "6700");
    assert_eq!(sw(&send(&mut c, "00 A4 08 0C 02 00 0A")), "6A86");
    assert_eq!(
        sw(&send(&mut c, "00 A4 02 0C 05 00 0A")),
        "6700",
        "Lc larger than the data"
    );
}

#[test]
fn class_and_instruction() {
    let mut c = card().card;
    assert_eq!(sw(&send(&mut c, "10 A4 04 0C 00")), "6E00");
    assert_eq!(
        sw(&send(&mut c, "80 B0 00 00 04")),
        "6E00",
        "READ BINARY is an ISO command"
    );
    assert_eq!(
        sw(&send(&mut c, "00 2A 00 80 01 00 00")),
        "6E00",
        "SIGN is proprietary (CLA 80)"
    );
    assert_eq!(sw(&send(&mut c, "00 CA 00 00 00")), "6D00");
    assert_eq!(sw(&send(&mut c, "00 A4")), "6700");
    assert_eq!(sw(&send(&mut c, "")), "6700");
}

#[test]
fn read_binary() {
    let mut c = card().card;
    send(&mut c, SELECT_JPKI);
    assert_eq!(sw(&send(&mut c, "00 B0 00 00 04")), "6986", "no current EF");
    send(&mut c, &select_ef("000A"));
    let head = send(&mut c, "00 B0 00 00 04");
    assert_eq!(head, hex("30 82 05 78 90 00"));
    let full = send(&mut c, "00 B0 00 00 00");
    assert_eq!(
        (full.len(), sw(&full)),
        (258, "9000".into()),
        "Le 00 = 256 bytes"
    );
    let filler = send(&mut c, "00 B0 05 7C 08");
    assert_eq!(
        filler,
        hex("FF FF FF FF FF FF FF FF 90 00"),
        "FF after the DER"
    );
    let tail = send(&mut c, "00 B0 0F FC 08");
    assert_eq!(
        tail,
        hex("FF FF FF FF 62 82"),
        "4 bytes left of a 4096-byte EF"
    );
    assert_eq!(
        sw(&send(&mut c, "00 B0 10 00 01")),
        "6B00",
        "offset at the end of the EF"
    );
    assert_eq!(sw(&send(&mut c, "00 B0 7F FF 01")), "6B00");
    assert_eq!(
        sw(&send(&mut c, "00 B0 80 00 01")),
        "6A86",
        "short EF addressing"
    );
    assert_eq!(sw(&send(&mut c, "00 B0 00 00")), "6700", "no Le");
    let extended = send(&mut c, "00 B0 00 00 00 05 7C");
    assert_eq!(
        (extended.len(), sw(&extended)),
        (0x57C + 2, "9000".into()),
        "extended Le"
    );
    send(&mut c, &select_ef("0001"));
    assert_eq!(
        sw(&send(&mut c, "00 B0 00 00 04")),
        "6982",
        "signature certificate needs the PIN"
    );
    for protected in ["0017", "0018", "001A", "001B"] {
        send(&mut c, &select_ef(protected));
        assert_eq!(
            sw(&send(&mut c, "00 B0 00 00 10")),
            "6986",
            "READ of {protected}"
        );
    }
    send(&mut c, &select_ef("0006"));
    assert_eq!(&send(&mut c, "00 B0 00 00 0F")[..15], b"JPKIAPICCTOKEN2");
}

#[test]
fn verify_counts_down_blocks_and_resets() {
    let mut c = card().card;
    send(&mut c, SELECT_JPKI);
    assert_eq!(
        sw(&send(&mut c, "00 20 00 80")),
        "6986",
        "no PIN EF selected"
    );
    send(&mut c, &select_ef("0018"));
    assert_eq!(send(&mut c, "00 20 00 80"), hex("63 C3"));
    assert_eq!(sw(&send(&mut c, &verify("0000"))), "63C2");
    assert_eq!(sw(&send(&mut c, &verify(AUTH_PIN))), "9000");
    assert_eq!(
        sw(&send(&mut c, "00 20 00 80")),
        "63C3",
        "reset by the right PIN"
    );
    assert_eq!(sw(&send(&mut c, "00 20 00 81 04 31 32 33 34")), "6A86");
    for expected in ["63C2", "63C1", "6984"] {
        assert_eq!(sw(&send(&mut c, &verify("9999"))), expected);
    }
    assert_eq!(sw(&send(&mut c, "00 20 00 80")), "6984");
    assert_eq!(
        sw(&send(&mut c, &verify(AUTH_PIN))),
        "6984",
        "the right PIN cannot unblock"
    );

    send(&mut c, &select_ef("001B"));
    assert_eq!(sw(&send(&mut c, "00 20 00 80")), "63C5");
}

#[test]
fn malformed_pins_are_refused_without_spending_a_try() {
    let mut c = card().card;
    send(&mut c, SELECT_JPKI);
    send(&mut c, &select_ef("0018"));
    assert_eq!(sw(&send(&mut c, &verify("123"))), "6700");
    assert_eq!(sw(&send(&mut c, &verify("12345"))), "6700");
    assert_eq!(sw(&send(&mut c, &verify("12A4"))), "6A80");
    assert_eq!(sw(&send(&mut c, "00 20 00 80")), "63C3");
    send(&mut c, &select_ef("001B"));
    assert_eq!(sw(&send(&mut c, &verify("ABC12"))), "6700");
    assert_eq!(sw(&send(&mut c, &verify("abc123"))), "6A80");
    assert_eq!(sw(&send(&mut c, &verify("ABCDEFGHIJKLMNOPQ"))), "6700");
    assert_eq!(sw(&send(&mut c, "00 20 00 80")), "63C5");
}

#[test]
fn compute_digital_signature() {
    let Personalised {
        card: mut c,
        signature_key,
        authentication_key,
    } = card();
    let message = b"contract";
    let di: String = sha256_digest_info(message)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let sign = format!("80 2A 00 80 33 {di} 00");
    send(&mut c, SELECT_JPKI);
    assert_eq!(sw(&send(&mut c, &sign)), "6986", "no key EF selected");
    send(&mut c, &select_ef("001A"));
    assert_eq!(
        sw(&send(&mut c, &sign)),
        "6982",
        "signature PIN not verified"
    );
    send(&mut c, &select_ef("001B"));
    assert_eq!(sw(&send(&mut c, &verify(SIGN_PIN))), "9000");
    send(&mut c, &select_ef("0017"));
    assert_eq!(
        sw(&send(&mut c, &sign)),
        "6982",
        "the signature PIN does not open the auth key"
    );
    send(&mut c, &select_ef("001A"));
    assert_eq!(
        sw(&send(&mut c, "80 2A 00 80 00 00 F6")),
        "6700",
        "too long"
    );
    let long: String = "00".repeat(246);
    assert_eq!(
        sw(&send(&mut c, &format!("80 2A 00 80 F6 {long} 00"))),
        "6700"
    );
    assert_eq!(sw(&send(&mut c, "80 2A 00 81 01 00 00")), "6A86");
    let r = send(&mut c, &sign);
    assert_eq!((r.len(), sw(&r)), (258, "9000".into()));
    verify_rsa_pkcs1(&signature_key, HashAlgorithm::Sha256, message, &r[..256]).unwrap();
    assert!(verify_rsa_pkcs1(
        &authentication_key,
        HashAlgorithm::Sha256,
        message,
        &r[..256]
    )
    .is_err());

    send(&mut c, SELECT_JPKI);
    send(&mut c, &select_ef("001A"));
    assert_eq!(
        sw(&send(&mut c, &sign)),
        "6982",
        "selecting the application clears verified PINs"
    );
    send(&mut c, &select_ef("0018"));
    send(&mut c, &verify(AUTH_PIN));
    send(&mut c, &select_ef("0017"));
    let r = send(&mut c, &sign);
    verify_rsa_pkcs1(
        &authentication_key,
        HashAlgorithm::Sha256,
        message,
        &r[..256],
    )
    .unwrap();
}

#[test]
fn text_application_face() {
    let mut c = card().card;
    send(&mut c, SELECT_TEXT);
    send(&mut c, &select_ef("0002"));
    assert_eq!(sw(&send(&mut c, "00 B0 00 00 10")), "6982");
    send(&mut c, &select_ef("0011"));
    assert_eq!(sw(&send(&mut c, "00 20 00 80")), "63C3");
    assert_eq!(sw(&send(&mut c, &verify(AUTH_PIN))), "9000");
    send(&mut c, &select_ef("0002"));
    let r = send(&mut c, "00 B0 00 00 00");
    assert_eq!(&r[..2], &[0xFF, 0x20]);
    let face = akashi_card::parse_face(&r[..r.len() - 2]).unwrap();
    assert_eq!(face, face_expected());
    // DF21 holds the offsets of DF22..DF25 within the FF20 value.
    let value = &r[3..];
    assert_eq!(&value[..3], &[0xDF, 0x21, 0x08]);
    for (i, tag) in [0x22u8, 0x23, 0x24, 0x25].iter().enumerate() {
        let off = usize::from(u16::from_be_bytes([value[3 + 2 * i], value[4 + 2 * i]]));
        assert_eq!(&value[off..off + 2], &[0xDF, *tag]);
    }
    assert_eq!(
        sw(&send(&mut c, &select_ef("000A"))),
        "6A82",
        "JPKI EF in the text application"
    );
}

fn face_expected() -> akashi_card::CardFace {
    face()
}

#[test]
fn a_failed_write_answers_6581_and_changes_nothing() {
    let Personalised { card, .. } = card();
    let store = card.store();
    let before = akashi_card::CardStore::read(store).unwrap().to_vec();
    store.fail_writes(true);
    let mut c: VirtualCard<_> = card;
    send(&mut c, SELECT_JPKI);
    send(&mut c, &select_ef("0018"));
    assert_eq!(sw(&send(&mut c, &verify("0000"))), "6581");
    assert_eq!(
        sw(&send(&mut c, &verify(AUTH_PIN))),
        "6581",
        "not even the right PIN is compared"
    );
    assert_eq!(
        akashi_card::CardStore::read(c.store()).unwrap().to_vec(),
        before
    );
    c.store().fail_writes(false);
    assert_eq!(sw(&send(&mut c, "00 20 00 80")), "63C3");
}
