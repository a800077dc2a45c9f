//! Disclosures: base64url of the JSON array `[salt, name, value]` (object property) or
//! `[salt, value]` (array element); the digest is base64url(SHA-256(the base64url text)).

use serde_json::Value;

use crate::{digest, unb64, SdJwtError};

/// One Disclosure as received or made, with its exact encoded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    pub encoded: String,
    pub salt: String,
    /// `None` for an array element.
    pub name: Option<String>,
    pub value: Value,
}

impl Disclosure {
    pub(crate) fn new(salt: String, name: Option<&str>, value: Value) -> Self {
        let array = match name {
            Some(n) => Value::Array(vec![salt.clone().into(), n.into(), value.clone()]),
            None => Value::Array(vec![salt.clone().into(), value.clone()]),
        };
        Self {
            encoded: crate::b64(array.to_string().as_bytes()),
            salt,
            name: name.map(str::to_owned),
            value,
        }
    }

    /// Decodes a Disclosure exactly as received.
    pub fn parse(encoded: &str) -> Result<Self, SdJwtError> {
        let bad = || {
            SdJwtError::Malformed(format!(
                "disclosure {encoded} is not a [salt, (name,) value] array"
            ))
        };
        let json: Value =
            serde_json::from_slice(&unb64("disclosure", encoded)?).map_err(|_| bad())?;
        let Value::Array(items) = json else {
            return Err(bad());
        };
        let salt = items
            .first()
            .and_then(Value::as_str)
            .ok_or_else(bad)?
            .to_owned();
        let (name, value) = match items.len() {
            2 => (None, items[1].clone()),
            3 => (
                Some(items[1].as_str().ok_or_else(bad)?.to_owned()),
                items[2].clone(),
            ),
            _ => return Err(bad()),
        };
        if let Some(n) = &name {
            if n == "_sd" || n == "..." || n == "_sd_alg" {
                return Err(SdJwtError::Malformed(format!(
                    "disclosure claim name {n:?} is reserved"
                )));
            }
        }
        Ok(Self {
            encoded: encoded.to_owned(),
            salt,
            name,
            value,
        })
    }

    /// base64url(SHA-256(encoded)).
    pub fn digest(&self) -> String {
        digest(&self.encoded)
    }
}
