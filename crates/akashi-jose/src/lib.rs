//! JOSE for Akashi's OpenID provider, over OpenSSL: public JWKs and thumbprints, compact JWS
//! (RS256, ES256) verified over the exact received bytes, compact JWE to a relying party's
//! key, and DPoP proofs. Private signing keys stay inside akashi-crypto's key objects.
#![forbid(unsafe_code)]

pub mod dpop;
mod error;
pub mod jwe;
mod jwk;
mod jws;

pub use error::JoseError;
pub use jwe::{JweAlgorithm, JweEncryption};
pub use jwk::{JwkSet, PublicJwk};
pub use jws::{
    sign_compact, verify_compact, EcSigner, JwsAlgorithm, JwsSigner, RsaSigner, Verified,
};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// base64url without padding, strictly (no `=`, no other alphabet).
pub fn unb64(text: &str, what: &'static str) -> Result<Vec<u8>, JoseError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| JoseError::Malformed(format!("{what} is not base64url")))
}
