//! The host side: everything an application does with a My Number Card, as APDUs over a
//! [`Transport`], so the same code drives the virtual card and a real card in a reader.

mod transport;

#[cfg(feature = "pcsc")]
pub mod pcsc;

use zeroize::Zeroizing;

use crate::apdu::{split_response, CommandApdu};
use crate::files::{JPKI_AID, TEXT_AID};
use crate::state::PinRule;
use crate::{tlv, CardFace, HostError, StatusWord};

pub use transport::{Transport, VirtualTransport};

/// The certificates a card holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateSlot {
    Signature,
    SignatureCa,
    Authentication,
    AuthenticationCa,
}

impl CertificateSlot {
    fn fid(self) -> u16 {
        match self {
            CertificateSlot::Signature => 0x0001,
            CertificateSlot::SignatureCa => 0x0002,
            CertificateSlot::Authentication => 0x000A,
            CertificateSlot::AuthenticationCa => 0x000B,
        }
    }
}

/// The card's PINs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinKind {
    /// 利用者証明用暗証番号: 4 digits, 3 tries.
    Authentication,
    /// 署名用パスワード: 6–16 of A–Z 0–9, 5 tries.
    Signature,
    /// 券面事項入力補助用暗証番号: 4 digits, 3 tries.
    Text,
}

impl PinKind {
    fn location(self) -> ([u8; 10], u16) {
        match self {
            PinKind::Authentication => (JPKI_AID, 0x0018),
            PinKind::Signature => (JPKI_AID, 0x001B),
            PinKind::Text => (TEXT_AID, 0x0011),
        }
    }

    fn rule(self) -> PinRule {
        match self {
            PinKind::Signature => PinRule::SignaturePassword,
            _ => PinRule::FourDigits,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriesLeft {
    Remaining(u8),
    Blocked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PinStatus {
    pub authentication: TriesLeft,
    pub signature: TriesLeft,
    pub text: TriesLeft,
}

/// What an application can ask of a My Number Card.
pub trait Card {
    /// Reads a certificate's DER (without the EF's `FF` filler). The signature certificate
    /// needs the signature PIN.
    fn read_certificate(
        &mut self,
        slot: CertificateSlot,
        sign_pin: Option<&str>,
    ) -> Result<Vec<u8>, HostError>;
    /// Tries left for each PIN, without spending any.
    fn pin_status(&mut self) -> Result<PinStatus, HostError>;
    /// Verifies a PIN in its application (which stays selected).
    fn verify_pin(&mut self, kind: PinKind, pin: &str) -> Result<(), HostError>;
    /// Signs `message` with the signature key: SHA-256 DigestInfo, PKCS#1 v1.5 on the card.
    fn sign(&mut self, message: &[u8], sign_pin: &str) -> Result<Vec<u8>, HostError>;
    /// Signs `challenge` with the authentication key, the same way.
    fn authenticate(&mut self, challenge: &[u8], auth_pin: &str) -> Result<Vec<u8>, HostError>;
    /// The four attributes from the text application.
    fn read_card_face(&mut self, pin: &str) -> Result<CardFace, HostError>;
}

/// DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// The SHA-256 DigestInfo of `message`, as the card expects it for SIGN.
pub fn sha256_digest_info(message: &[u8]) -> Vec<u8> {
    let mut out = SHA256_DIGEST_INFO_PREFIX.to_vec();
    out.extend_from_slice(&akashi_crypto::sha256(message));
    out
}

/// The JPKI host client over any transport.
#[derive(Debug)]
pub struct JpkiCard<T: Transport> {
    transport: T,
    commands_sent: usize,
}

impl<T: Transport> JpkiCard<T> {
    pub fn new(transport: T) -> Self {
        Self {
            transport,
            commands_sent: 0,
        }
    }

    /// How many APDUs this client has sent.
    pub fn commands_sent(&self) -> usize {
        self.commands_sent
    }

    pub fn into_transport(self) -> T {
        self.transport
    }

    /// Sends `apdu`; follows the T=0 conventions a reader may surface: `61xx` (more data:
    /// GET RESPONSE for it) and `6Cxx` (wrong Le: resend with Le = xx).
    fn send(
        &mut self,
        step: &'static str,
        apdu: &CommandApdu,
    ) -> Result<(Vec<u8>, StatusWord), HostError> {
        let mut data = Vec::new();
        let mut command = apdu.to_bytes();
        // A card that keeps chaining forever is broken; 64 rounds is 16 KiB of answers.
        for _ in 0..64 {
            self.commands_sent += 1;
            let raw = self.transport.transmit(&command)?;
            let (chunk, sw) = split_response(&raw).ok_or_else(|| HostError::MalformedResponse {
                step,
                reason: "shorter than a status word".into(),
            })?;
            data.extend_from_slice(chunk);
            let [sw1, sw2] = sw.bytes();
            match sw1 {
                0x61 => {
                    command = CommandApdu::new(0x00, 0xC0, 0x00, 0x00)
                        .with_le(le_of(sw2))
                        .to_bytes()
                }
                0x6C => {
                    command = CommandApdu {
                        le: Some(le_of(sw2)),
                        ..apdu.clone()
                    }
                    .to_bytes()
                }
                _ => return Ok((data, sw)),
            }
        }
        Err(HostError::MalformedResponse {
            step,
            reason: "endless response chaining (61xx/6Cxx)".into(),
        })
    }

    /// Sends `apdu` and requires `9000`, mapping the common failures to named errors.
    fn expect_ok(&mut self, step: &'static str, apdu: &CommandApdu) -> Result<Vec<u8>, HostError> {
        let (data, sw) = self.send(step, apdu)?;
        match sw {
            StatusWord::OK => Ok(data),
            other => Err(status_error(step, other)),
        }
    }

    fn select_application(&mut self, aid: [u8; 10]) -> Result<(), HostError> {
        self.expect_ok(
            "SELECT application",
            &CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(&aid),
        )?;
        Ok(())
    }

    fn select_ef(&mut self, fid: u16) -> Result<(), HostError> {
        self.expect_ok(
            "SELECT EF",
            &CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(&fid.to_be_bytes()),
        )?;
        Ok(())
    }

    fn read(&mut self, offset: usize, len: usize) -> Result<Vec<u8>, HostError> {
        let [hi, lo] = u16::try_from(offset)
            .map_err(|_| HostError::MalformedResponse {
                step: "READ BINARY",
                reason: "object too large".into(),
            })?
            .to_be_bytes();
        let (data, sw) = self.send(
            "READ BINARY",
            &CommandApdu::new(0x00, 0xB0, hi, lo).with_le(len),
        )?;
        match sw {
            StatusWord::OK | StatusWord::END_OF_FILE => Ok(data),
            other => Err(status_error("READ BINARY", other)),
        }
    }

    /// Reads one BER-TLV object from the current EF: its header first, then the rest in
    /// chunks of at most 256 bytes, never the `FF` filler.
    fn read_object(&mut self) -> Result<Vec<u8>, HostError> {
        let head = self.read(0, 4)?;
        let total = object_length(&head).ok_or_else(|| HostError::MalformedResponse {
            step: "READ BINARY",
            reason: "the EF does not start with a DER/TLV object".into(),
        })?;
        let mut out = head;
        out.truncate(total);
        while out.len() < total {
            let chunk = self.read(out.len(), (total - out.len()).min(256))?;
            if chunk.is_empty() {
                return Err(HostError::MalformedResponse {
                    step: "READ BINARY",
                    reason: "object truncated".into(),
                });
            }
            out.extend_from_slice(&chunk);
        }
        out.truncate(total);
        Ok(out)
    }

    fn tries_left(&mut self, kind: PinKind) -> Result<TriesLeft, HostError> {
        let (aid, fid) = kind.location();
        self.select_application(aid)?;
        self.select_ef(fid)?;
        let (_, sw) = self.send("VERIFY (status)", &CommandApdu::new(0x00, 0x20, 0x00, 0x80))?;
        match (sw, sw.as_tries_left()) {
            (StatusWord::PIN_BLOCKED, _) => Ok(TriesLeft::Blocked),
            (_, Some(n)) => Ok(TriesLeft::Remaining(n)),
            (other, None) => Err(status_error("VERIFY (status)", other)),
        }
    }

    fn sign_with(
        &mut self,
        pin: PinKind,
        key_fid: u16,
        message: &[u8],
        pin_value: &str,
    ) -> Result<Vec<u8>, HostError> {
        self.verify_pin(pin, pin_value)?;
        self.select_ef(key_fid)?;
        let apdu = CommandApdu::new(0x80, 0x2A, 0x00, 0x80)
            .with_data(&sha256_digest_info(message))
            .with_le(256);
        self.expect_ok("COMPUTE DIGITAL SIGNATURE", &apdu)
    }
}

/// `xx` of `61xx`/`6Cxx` as a length: `00` means 256.
fn le_of(sw2: u8) -> usize {
    if sw2 == 0 {
        256
    } else {
        usize::from(sw2)
    }
}

/// Total length of the TLV object whose first bytes are `head`.
fn object_length(head: &[u8]) -> Option<usize> {
    // One- or two-byte tag (FF20 for the face, 30 for certificates).
    let tag_len = if head.first()? & 0x1F == 0x1F { 2 } else { 1 };
    let len0 = *head.get(tag_len)?;
    let (len, len_len) = match len0 {
        0..=0x7F => (usize::from(len0), 1),
        0x81 => (usize::from(*head.get(tag_len + 1)?), 2),
        0x82 => (
            usize::from(u16::from_be_bytes([
                *head.get(tag_len + 1)?,
                *head.get(tag_len + 2)?,
            ])),
            3,
        ),
        _ => return None,
    };
    Some(tag_len + len_len + len)
}

fn status_error(step: &'static str, sw: StatusWord) -> HostError {
    match sw {
        StatusWord::SECURITY_STATUS_NOT_SATISFIED => HostError::SecurityStatusNotSatisfied { step },
        StatusWord::FILE_NOT_FOUND => HostError::FileNotFound { step },
        StatusWord::PIN_BLOCKED => HostError::PinBlocked,
        other => match other.as_tries_left() {
            Some(tries_left) => HostError::WrongPin { tries_left },
            None => HostError::UnexpectedStatus { step, sw: other },
        },
    }
}

impl<T: Transport> Card for JpkiCard<T> {
    fn read_certificate(
        &mut self,
        slot: CertificateSlot,
        sign_pin: Option<&str>,
    ) -> Result<Vec<u8>, HostError> {
        match sign_pin {
            Some(pin) => self.verify_pin(PinKind::Signature, pin)?,
            None => self.select_application(JPKI_AID)?,
        }
        self.select_ef(slot.fid())?;
        self.read_object()
    }

    fn pin_status(&mut self) -> Result<PinStatus, HostError> {
        Ok(PinStatus {
            authentication: self.tries_left(PinKind::Authentication)?,
            signature: self.tries_left(PinKind::Signature)?,
            text: self.tries_left(PinKind::Text)?,
        })
    }

    fn verify_pin(&mut self, kind: PinKind, pin: &str) -> Result<(), HostError> {
        let rule = kind.rule();
        rule.check(pin.as_bytes())
            .map_err(|_| HostError::InvalidPinFormat(rule.description()))?;
        let (aid, fid) = kind.location();
        self.select_application(aid)?;
        self.select_ef(fid)?;
        let pin = Zeroizing::new(pin.as_bytes().to_vec());
        self.expect_ok(
            "VERIFY",
            &CommandApdu::new(0x00, 0x20, 0x00, 0x80).with_data(&pin),
        )?;
        Ok(())
    }

    fn sign(&mut self, message: &[u8], sign_pin: &str) -> Result<Vec<u8>, HostError> {
        self.sign_with(PinKind::Signature, 0x001A, message, sign_pin)
    }

    fn authenticate(&mut self, challenge: &[u8], auth_pin: &str) -> Result<Vec<u8>, HostError> {
        self.sign_with(PinKind::Authentication, 0x0017, challenge, auth_pin)
    }

    fn read_card_face(&mut self, pin: &str) -> Result<CardFace, HostError> {
        self.verify_pin(PinKind::Text, pin)?;
        self.select_ef(0x0002)?;
        let object = self.read_object()?;
        parse_face(&object)
    }
}

/// Parses `FF20 { DF21 …, DF22 name, DF23 address, DF24 birth date, DF25 sex }`.
pub fn parse_face(object: &[u8]) -> Result<CardFace, HostError> {
    let bad = |reason: &str| HostError::MalformedResponse {
        step: "card face",
        reason: reason.into(),
    };
    let (tag, mut value, _) = tlv::read(object).ok_or_else(|| bad("not a TLV object"))?;
    if tag != [0xFF, 0x20] {
        return Err(bad("the face object is not tagged FF20"));
    }
    let mut face = CardFace {
        name: String::new(),
        address: String::new(),
        birth_date: String::new(),
        sex: String::new(),
    };
    while !value.is_empty() {
        let (tag, item, rest) = tlv::read(value).ok_or_else(|| bad("truncated item"))?;
        let text = || String::from_utf8(item.to_vec()).map_err(|_| bad("an item is not UTF-8"));
        match tag.as_slice() {
            [0xDF, 0x22] => face.name = text()?,
            [0xDF, 0x23] => face.address = text()?,
            [0xDF, 0x24] => face.birth_date = text()?,
            [0xDF, 0x25] => face.sex = text()?,
            _ => {}
        }
        value = rest;
    }
    if face.name.is_empty() || face.birth_date.is_empty() || face.sex.is_empty() {
        return Err(bad("name, birth date or sex missing"));
    }
    Ok(face)
}
