//! Compact JWS with ES256 (RFC 7515, RFC 7518 §3.4). Verification is over the exact
//! `header.payload` text received.

use serde_json::{Map, Value};

use crate::keys::{EcPrivateKey, EcPublicKey};
use crate::{b64, unb64, SdJwtError};

/// `header.payload.signature`, signed by `key`; `header` gets `"alg":"ES256"`.
pub(crate) fn sign(
    mut header: Map<String, Value>,
    payload: &Value,
    key: &EcPrivateKey,
) -> Result<String, SdJwtError> {
    header.insert("alg".into(), "ES256".into());
    let input = format!(
        "{}.{}",
        b64(Value::Object(header).to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let signature = key.sign(input.as_bytes())?;
    Ok(format!("{input}.{}", b64(&signature)))
}

/// A decoded compact JWS whose signature is not yet checked.
pub(crate) struct Unverified<'a> {
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
    signing_input: &'a str,
    signature: Vec<u8>,
}

pub(crate) fn decode<'a>(what: &str, compact: &'a str) -> Result<Unverified<'a>, SdJwtError> {
    let malformed = |why: &str| SdJwtError::Malformed(format!("{what}: {why}"));
    let (signing_input, signature) = compact
        .rsplit_once('.')
        .ok_or_else(|| malformed("not a compact JWS"))?;
    let (header, payload) = signing_input
        .split_once('.')
        .ok_or_else(|| malformed("not a compact JWS"))?;
    let object = |part: &str, name: &str| -> Result<Map<String, Value>, SdJwtError> {
        match serde_json::from_slice(&unb64(name, part)?) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(malformed(&format!("the {name} is not a JSON object"))),
        }
    };
    let header = object(header, "header")?;
    if header.get("alg").and_then(Value::as_str) != Some("ES256") {
        return Err(SdJwtError::Unsupported(format!(
            "{what}: alg must be ES256"
        )));
    }
    Ok(Unverified {
        header,
        payload: object(payload, "payload")?,
        signing_input,
        signature: unb64("signature", signature)?,
    })
}

impl Unverified<'_> {
    pub fn verify(&self, key: &EcPublicKey) -> bool {
        key.verify(self.signing_input.as_bytes(), &self.signature)
    }
}
