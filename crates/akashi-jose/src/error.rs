//! Why a JOSE object was refused or could not be made. The variants are typed so that a caller
//! (an OpenID provider's token endpoint, say) can map them to protocol errors without parsing
//! messages; none carries key material or plaintext.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum JoseError {
    #[error("{what} is not unpadded base64url")]
    Base64 { what: &'static str },
    #[error("malformed {what}: {why}")]
    Malformed { what: &'static str, why: String },
    #[error("invalid JWK: {0}")]
    InvalidJwk(String),
    #[error("\"alg\":\"none\" (an unsecured JWS) is never accepted")]
    AlgNone,
    #[error("unsupported algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    #[error("algorithm {0} is not allowed here")]
    AlgorithmNotAllowed(String),
    #[error("algorithm {alg} cannot be used with this key ({why})")]
    KeyMismatch { alg: String, why: String },
    #[error("no key with kid {0:?}")]
    UnknownKeyId(String),
    #[error("no usable key: {0}")]
    NoUsableKey(String),
    #[error("critical header parameter(s) {0:?} not understood")]
    CriticalHeader(Vec<String>),
    #[error("unsupported header parameter {0:?}")]
    UnsupportedHeader(String),
    #[error("the JWS signature does not verify")]
    BadSignature,
    /// Deliberately one opaque error for every JWE decryption failure (wrong key, altered
    /// header, encrypted key, IV, ciphertext or tag): distinguishing them would hand an
    /// attacker a padding or key-agreement oracle (RFC 7516 §11.5).
    #[error("the JWE could not be decrypted")]
    Decryption,
    #[error("crypto provider: {0}")]
    Crypto(String),
    #[error("random generator: {0}")]
    Random(String),
    #[error("DPoP proof: typ must be \"dpop+jwt\", found {0:?}")]
    DpopType(Option<String>),
    #[error("DPoP proof: header parameter \"jwk\" is missing")]
    DpopMissingJwk,
    #[error("DPoP proof: claim {0:?} is missing or of the wrong type")]
    DpopMissingClaim(&'static str),
    #[error("DPoP proof: htm {found:?} is not the request method {expected:?}")]
    DpopMethodMismatch { expected: String, found: String },
    #[error("DPoP proof: htu {found:?} is not the request URI {expected:?}")]
    DpopUriMismatch { expected: String, found: String },
    #[error("DPoP proof: issued at {iat}, more than {max_age}s before now ({now})")]
    DpopTooOld { iat: i64, now: i64, max_age: i64 },
    #[error("DPoP proof: issued at {iat}, more than {skew}s after now ({now})")]
    DpopIssuedInFuture { iat: i64, now: i64, skew: i64 },
    #[error("DPoP proof: \"ath\" is required with an access token and is missing")]
    DpopAthMissing,
    #[error("DPoP proof: \"ath\" is not the hash of the presented access token")]
    DpopAthMismatch,
    #[error("DPoP proof: \"nonce\" is missing or not the one the server issued")]
    DpopNonce,
    #[error("DPoP proof: longer than {0} bytes")]
    DpopTooLong(usize),
}

impl JoseError {
    pub(crate) fn malformed(what: &'static str, why: impl Into<String>) -> Self {
        JoseError::Malformed {
            what,
            why: why.into(),
        }
    }

    pub(crate) fn crypto(e: impl std::fmt::Display) -> Self {
        JoseError::Crypto(e.to_string())
    }
}

impl From<akashi_crypto::CryptoError> for JoseError {
    fn from(e: akashi_crypto::CryptoError) -> Self {
        match e {
            akashi_crypto::CryptoError::Random(why) => JoseError::Random(why),
            akashi_crypto::CryptoError::BadSignature => JoseError::BadSignature,
            other => JoseError::Crypto(other.to_string()),
        }
    }
}
