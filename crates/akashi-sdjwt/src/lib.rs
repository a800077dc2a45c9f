//! Selective Disclosure for JWTs (draft-ietf-oauth-selective-disclosure-jwt) with Key Binding,
//! signed with ES256 (P-256 on Akashi's crypto provider: OpenSSL's constant-time P-256).
//!
//! - [`issue`]: claims → issuer-signed JWT with `_sd` digests (and decoys) + Disclosures.
//! - [`present`]: the holder keeps only the Disclosures it approves and appends a Key Binding
//!   JWT for one verifier (`aud`, `nonce`, `iat`, `sd_hash`).
//! - [`verify`]: the issuer signature over the exact received bytes, every Disclosure
//!   referenced exactly once, the Key Binding JWT; returns the disclosed claims only.
//! - [`verify_vc`]: SD-JWT VC on top (`typ`, `vct`, validity, claims that must stay in the
//!   clear) and the credential's [`StatusReference`] into a Token Status List
//!   ([`status_list`]).
//!
//! Randomness (salts, keys) is injected; nothing here reads a clock.
#![forbid(unsafe_code)]

mod disclosure;
mod holder;
mod issuer;
mod jws;
pub mod jwt;
mod keys;
pub mod status_list;
mod vc;
mod verifier;

pub use disclosure::Disclosure;
pub use holder::{present, KeyBinding};
pub use issuer::{issue, Issuance};
pub use jwt::{sign_jwt, verify_jwt, verify_self_signed, SelfSignedJwt};
pub use keys::{EcPrivateKey, EcPublicKey};
pub use vc::{verify_vc, CredentialStatus, StatusReference, VerifiedVc};
pub use verifier::{verify, Expectations, KeyBindingExpectation, Verified};

/// Why an SD-JWT was refused or could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SdJwtError {
    #[error("malformed SD-JWT: {0}")]
    Malformed(String),
    #[error("the issuer signature does not verify")]
    IssuerSignature,
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("disclosure {0} is not referenced by the issuer-signed JWT")]
    UnreferencedDisclosure(String),
    #[error("disclosure {0} is included more than once")]
    DuplicateDisclosure(String),
    #[error("digest {0} appears more than once in the issuer-signed JWT")]
    DuplicateDigest(String),
    #[error("claim {0:?} is disclosed but already present")]
    ClaimCollision(String),
    #[error("key binding: {0}")]
    KeyBinding(String),
    #[error("invalid key: {0}")]
    Key(String),
    #[error("randomness: {0}")]
    Randomness(String),
}

pub(crate) fn b64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

pub(crate) fn unb64(what: &str, text: &str) -> Result<Vec<u8>, SdJwtError> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| SdJwtError::Malformed(format!("{what} is not base64url")))
}

/// base64url(SHA-256(ascii)) — the digest of a Disclosure or of a presentation.
pub(crate) fn digest(ascii: &str) -> String {
    use sha2::Digest;
    b64(&sha2::Sha256::digest(ascii.as_bytes()))
}
