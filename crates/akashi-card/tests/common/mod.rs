//! Shared fixtures: a personalised card with recognisable stand-in certificates.

#![allow(dead_code)]

use akashi_card::{CardCertificates, CardFace, CardPersonalization, CardStore, VirtualCard};

pub const AUTH_PIN: &str = "1234";
pub const SIGN_PIN: &str = "ABC123";

/// A DER-shaped stand-in certificate (SEQUENCE of `len` content bytes) filled with `fill`.
pub fn fake_cert(len: usize, fill: u8) -> Vec<u8> {
    let mut der = vec![0x30, 0x82, (len >> 8) as u8, len as u8];
    der.extend(std::iter::repeat_n(fill, len));
    der
}

pub fn certificates() -> CardCertificates {
    CardCertificates {
        signature: fake_cert(1500, 0x51),
        signature_ca: fake_cert(1000, 0x52),
        authentication: fake_cert(1400, 0xA1),
        authentication_ca: fake_cert(1000, 0xA2),
    }
}

pub fn face() -> CardFace {
    CardFace {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: "19900401".into(),
        sex: "2".into(),
    }
}

pub struct Personalised<S: CardStore> {
    pub card: VirtualCard<S>,
    pub signature_key: Vec<u8>,
    pub authentication_key: Vec<u8>,
}

pub fn personalise<S: CardStore>(store: S) -> Personalised<S> {
    let p = CardPersonalization::new(face(), AUTH_PIN, SIGN_PIN).unwrap();
    let signature_key = p.signature_public_key().unwrap();
    let authentication_key = p.authentication_public_key().unwrap();
    let card = p.finish(certificates(), store).unwrap();
    Personalised {
        card,
        signature_key,
        authentication_key,
    }
}

pub fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Sends `apdu` (hex) and returns the response.
pub fn send<S: CardStore>(card: &mut VirtualCard<S>, apdu: &str) -> Vec<u8> {
    card.transmit(&hex(apdu))
}

/// The status word of a response as 4 hex digits.
pub fn sw(response: &[u8]) -> String {
    format!(
        "{:02X}{:02X}",
        response[response.len() - 2],
        response[response.len() - 1]
    )
}

pub const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
pub const SELECT_TEXT: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";

pub fn select_ef(fid: &str) -> String {
    format!("00 A4 02 0C 02 {fid}")
}

/// `00 20 00 80 Lc PIN`.
pub fn verify(pin: &str) -> String {
    let bytes: String = pin.bytes().map(|b| format!("{b:02X}")).collect();
    format!("00 20 00 80 {:02X} {bytes}", pin.len())
}
