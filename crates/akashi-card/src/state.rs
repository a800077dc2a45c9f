//! What a card remembers between sessions: certificates, the card face, PIN reference data and
//! retry counters, and its private keys (sealed). Private to the crate; only the APDU interface
//! and personalisation touch it.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use akashi_crypto::{constant_time_eq, sha256, SecureRandom};

use crate::{CardError, StatusWord};

/// The four attributes as the text application (券面事項入力補助AP) holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardFace {
    /// Family and given name separated by U+3000.
    pub name: String,
    pub address: String,
    /// `YYYYMMDD`.
    pub birth_date: String,
    /// `1` male, `2` female, `3` unknown.
    pub sex: String,
}

impl CardFace {
    pub(crate) fn check(&self) -> Result<(), CardError> {
        if self.name.is_empty() || self.address.is_empty() {
            return Err(CardError::InvalidFace("name and address must not be empty"));
        }
        if self.birth_date.len() != 8 || !self.birth_date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CardError::InvalidFace("birth date must be YYYYMMDD"));
        }
        if !matches!(self.sex.as_str(), "1" | "2" | "3") {
            return Err(CardError::InvalidFace("sex must be 1, 2 or 3"));
        }
        if self.name.len() + self.address.len() > 900 {
            return Err(CardError::InvalidFace(
                "name and address do not fit the card",
            ));
        }
        Ok(())
    }
}

/// The format rule of each PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PinRule {
    /// 4 digits (authentication PIN and text-application PIN).
    FourDigits,
    /// 6–16 characters from A–Z and 0–9 (signature PIN).
    SignaturePassword,
}

impl PinRule {
    /// `Err(6700)` for a length outside the rule, `Err(6A80)` for characters outside it.
    pub fn check(self, pin: &[u8]) -> Result<(), StatusWord> {
        let (lengths, chars_ok) = match self {
            PinRule::FourDigits => (4..=4, pin.iter().all(u8::is_ascii_digit)),
            PinRule::SignaturePassword => (
                6..=16,
                pin.iter()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
            ),
        };
        if !lengths.contains(&pin.len()) {
            Err(StatusWord::WRONG_LENGTH)
        } else if !chars_ok {
            Err(StatusWord::INCORRECT_DATA)
        } else {
            Ok(())
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            PinRule::FourDigits => "must be exactly 4 digits",
            PinRule::SignaturePassword => "must be 6 to 16 characters of A-Z and 0-9",
        }
    }
}

/// One PIN: salted SHA-256 reference value and its retry counter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PinRecord {
    pub rule: PinRule,
    #[serde(with = "b64")]
    salt: Vec<u8>,
    #[serde(with = "b64")]
    reference: Vec<u8>,
    pub remaining: u8,
    pub max: u8,
}

impl PinRecord {
    pub fn new(
        rule: PinRule,
        pin: &str,
        max: u8,
        rng: &dyn SecureRandom,
    ) -> Result<Self, CardError> {
        rule.check(pin.as_bytes())
            .map_err(|_| CardError::InvalidPin(rule.description()))?;
        let mut salt = vec![0u8; 16];
        rng.fill(&mut salt)?;
        let reference = digest(&salt, pin.as_bytes()).to_vec();
        Ok(Self {
            rule,
            salt,
            reference,
            remaining: max,
            max,
        })
    }

    pub fn matches(&self, pin: &[u8]) -> bool {
        constant_time_eq(&digest(&self.salt, pin), &self.reference)
    }

    pub fn blocked(&self) -> bool {
        self.remaining == 0
    }
}

fn digest(salt: &[u8], pin: &[u8]) -> [u8; 32] {
    let mut input = Zeroizing::new(salt.to_vec());
    input.extend_from_slice(pin);
    sha256(&input)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Pins {
    pub authentication: PinRecord,
    pub signature: PinRecord,
    pub text: PinRecord,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Certificates {
    #[serde(with = "b64")]
    pub signature: Vec<u8>,
    #[serde(with = "b64")]
    pub signature_ca: Vec<u8>,
    #[serde(with = "b64")]
    pub authentication: Vec<u8>,
    #[serde(with = "b64")]
    pub authentication_ca: Vec<u8>,
}

/// The whole card image.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CardState {
    pub version: u32,
    pub certificates: Certificates,
    pub face: CardFace,
    pub pins: Pins,
    /// The two private keys, each sealed under the store's key with its own label.
    #[serde(with = "b64")]
    pub signature_key: Vec<u8>,
    #[serde(with = "b64")]
    pub authentication_key: Vec<u8>,
}

pub(crate) const STATE_VERSION: u32 = 1;
pub(crate) const SIGNATURE_KEY_LABEL: &str = "akashi/virtual-card/signature-key";
pub(crate) const AUTHENTICATION_KEY_LABEL: &str = "akashi/virtual-card/authentication-key";

impl CardState {
    pub fn to_image(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(serde_json::to_vec(self).expect("card state serialises"))
    }

    pub fn from_image(image: &[u8]) -> Result<Self, CardError> {
        let state: Self =
            serde_json::from_slice(image).map_err(|e| CardError::CorruptImage(e.to_string()))?;
        if state.version != STATE_VERSION {
            return Err(CardError::CorruptImage(format!(
                "unsupported version {}",
                state.version
            )));
        }
        Ok(state)
    }
}

mod b64 {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        STANDARD.decode(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_rules() {
        assert_eq!(PinRule::FourDigits.check(b"1234"), Ok(()));
        assert_eq!(
            PinRule::FourDigits.check(b"123"),
            Err(StatusWord::WRONG_LENGTH)
        );
        assert_eq!(
            PinRule::FourDigits.check(b"12a4"),
            Err(StatusWord::INCORRECT_DATA)
        );
        assert_eq!(PinRule::SignaturePassword.check(b"ABC123"), Ok(()));
        assert_eq!(
            PinRule::SignaturePassword.check(b"ABC12"),
            Err(StatusWord::WRONG_LENGTH)
        );
        assert_eq!(
            PinRule::SignaturePassword.check(&[b'A'; 17]),
            Err(StatusWord::WRONG_LENGTH)
        );
        assert_eq!(
            PinRule::SignaturePassword.check(b"abc123"),
            Err(StatusWord::INCORRECT_DATA)
        );
    }
}
