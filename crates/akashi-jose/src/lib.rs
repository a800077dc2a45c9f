//! The JOSE pieces an OpenID Connect provider needs, on Akashi's crypto provider.
//!
//! - [`jwk`]: public JWKs (RSA, EC P-256), strict parsing, RFC 7638 thumbprints, JWK Sets.
//! - [`jws`]: compact JWS with RS256 and ES256; signing keys stay inside `akashi-crypto`
//!   ([`akashi_crypto::RsaPrivateKey`], [`akashi_crypto::P256PrivateKey`]), verification is over
//!   the exact received bytes, `none` and unlisted algorithms are refused.
//! - [`jwe`]: compact JWE to a relying party's public key (RSA-OAEP-256 or ECDH-ES, with
//!   A128GCM or A256GCM), and decryption for the receiving side.
//! - [`dpop`]: DPoP proofs (RFC 9449): creating them and verifying everything but replay.
//!
//! Nothing here reads a clock or a global random generator: times are unix seconds passed in,
//! randomness is an injected [`akashi_crypto::SecureRandom`].
#![forbid(unsafe_code)]

pub mod dpop;
mod error;
pub mod jwe;
pub mod jwk;
pub mod jws;

pub use error::JoseError;

use serde_json::{Map, Value};

/// base64url without padding (RFC 7515 §2), the encoding of every JOSE part.
pub fn b64url_encode(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// Strict base64url decoding: no padding, no whitespace, no `+` or `/`, and no stray bits in
/// the last character — so each value has exactly one accepted text, and what was signed is
/// what was meant.
pub fn b64url_decode(text: &str) -> Result<Vec<u8>, JoseError> {
    b64url_decode_what("input", text)
}

pub(crate) fn b64url_decode_what(what: &'static str, text: &str) -> Result<Vec<u8>, JoseError> {
    use base64::Engine;
    // URL_SAFE_NO_PAD refuses padding and non-canonical trailing bits.
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| JoseError::Base64 { what })
}

/// The protected header of a compact JWS or JWE, decoded but NOT verified: for choosing the
/// key (`kid`) or telling a JWE from a JWS before the real check. Never trust what it says.
pub fn protected_header(compact: &str) -> Result<Map<String, Value>, JoseError> {
    let first = compact.split('.').next().unwrap_or_default();
    json_object(
        "protected header",
        &b64url_decode_what("protected header", first)?,
    )
}

/// A JSON object from `bytes`, or why not.
pub(crate) fn json_object(
    what: &'static str,
    bytes: &[u8],
) -> Result<Map<String, Value>, JoseError> {
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(JoseError::malformed(what, "not a JSON object")),
        Err(e) => Err(JoseError::malformed(what, format!("not JSON: {e}"))),
    }
}

/// Refuses a `crit` header: this crate implements no extension that could be critical, and
/// RFC 7515 §4.1.11 requires refusing what is marked critical and not understood.
pub(crate) fn refuse_crit(header: &Map<String, Value>) -> Result<(), JoseError> {
    match header.get("crit") {
        None => Ok(()),
        Some(Value::Array(names)) => Err(JoseError::CriticalHeader(
            names
                .iter()
                .map(|n| n.as_str().unwrap_or("(not a string)").to_owned())
                .collect(),
        )),
        Some(_) => Err(JoseError::malformed("header", "crit is not an array")),
    }
}

/// The string value of header member `name`, if present; a non-string is malformed.
pub(crate) fn header_str<'a>(
    header: &'a Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'a str>, JoseError> {
    match header.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(JoseError::malformed(
            "header",
            format!("{name:?} is not a string"),
        )),
    }
}
