//! Stateless MAC'd tokens: proofing challenges, access tokens and `c_nonce`s. Each is
//! `prefix || base64url(JSON) || "." || base64url(HMAC-SHA-256(key, prefix || base64url(JSON)))`;
//! the prefix names the kind, so one kind can never be accepted as another.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;

use akashi_crypto::hmac_sha256;

pub(crate) const CHALLENGE: &str = "akic1.";
pub(crate) const ACCESS: &str = "akat1.";
pub(crate) const NONCE: &str = "akcn1.";

pub(crate) fn seal<T: Serialize>(prefix: &str, body: &T, key: &[u8; 32]) -> String {
    let json = serde_json::to_vec(body).expect("token body serialises");
    let signed = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(json));
    let mac = hmac_sha256(key, signed.as_bytes());
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(mac))
}

/// The body of a token of kind `prefix`, if the MAC holds.
pub(crate) fn open<T: DeserializeOwned>(prefix: &str, token: &str, key: &[u8; 32]) -> Option<T> {
    let (signed, mac) = token.rsplit_once('.')?;
    let body = signed.strip_prefix(prefix)?;
    let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
    let expected = hmac_sha256(key, signed.as_bytes());
    if mac.len() != 32 || !akashi_crypto::constant_time_eq(&mac, &expected) {
        return None;
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()
}

pub(crate) fn random_b64(
    rng: &dyn akashi_crypto::SecureRandom,
) -> Result<String, crate::IssuerError> {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes).map_err(crate::error::internal)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

pub(crate) fn hash(code: &str) -> String {
    hex::encode(akashi_crypto::sha256(code.as_bytes()))
}
