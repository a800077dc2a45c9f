//! Plain ES256 JWTs beside SD-JWT: key proofs of OpenID4VCI (`openid4vci-proof+jwt`, key in
//! the header's `jwk`) and other signed JSON an issuer or wallet exchanges.

use serde_json::{Map, Value};

use crate::keys::{EcPrivateKey, EcPublicKey};
use crate::{jws, SdJwtError};

/// Signs `payload` with `typ` (and any other `header` members), `alg` ES256.
pub fn sign_jwt(
    typ: &str,
    mut header: Map<String, Value>,
    payload: &Value,
    key: &EcPrivateKey,
) -> Result<String, SdJwtError> {
    header.insert("typ".into(), typ.into());
    jws::sign(header, payload, key)
}

/// A JWT verified with the public key in its own header (`jwk`), as key proofs are.
#[derive(Debug, Clone)]
pub struct SelfSignedJwt {
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
    pub key: EcPublicKey,
}

/// Decodes `compact`, requires `typ`, takes the key from the header's `jwk` (no private
/// members allowed) and verifies the signature with it.
pub fn verify_self_signed(compact: &str, typ: &str) -> Result<SelfSignedJwt, SdJwtError> {
    let decoded = jws::decode("JWT", compact)?;
    if decoded.header.get("typ").and_then(Value::as_str) != Some(typ) {
        return Err(SdJwtError::Malformed(format!("JWT: typ must be {typ}")));
    }
    let jwk = decoded
        .header
        .get("jwk")
        .ok_or_else(|| SdJwtError::Malformed("JWT: no jwk in the header".into()))?;
    if jwk.get("d").is_some() {
        return Err(SdJwtError::Key("the header jwk holds a private key".into()));
    }
    let key = EcPublicKey::from_jwk(jwk)?;
    if !decoded.verify(&key) {
        return Err(SdJwtError::Malformed(
            "JWT: the signature does not verify".into(),
        ));
    }
    Ok(SelfSignedJwt {
        header: decoded.header.clone(),
        payload: decoded.payload.clone(),
        key,
    })
}

/// Decodes `compact` with `typ` and verifies it with `key`: the payload.
pub fn verify_jwt(
    compact: &str,
    typ: &str,
    key: &EcPublicKey,
) -> Result<Map<String, Value>, SdJwtError> {
    let decoded = jws::decode("JWT", compact)?;
    if decoded.header.get("typ").and_then(Value::as_str) != Some(typ) {
        return Err(SdJwtError::Malformed(format!("JWT: typ must be {typ}")));
    }
    if !decoded.verify(key) {
        return Err(SdJwtError::Malformed(
            "JWT: the signature does not verify".into(),
        ));
    }
    Ok(decoded.payload)
}
