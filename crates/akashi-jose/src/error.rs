#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JoseError {
    #[error("malformed: {0}")]
    Malformed(String),
    #[error("key: {0}")]
    Key(String),
    #[error("algorithm {0:?} is not accepted here")]
    Algorithm(String),
    #[error("no key with kid {0:?}")]
    UnknownKey(String),
    #[error("the signature does not verify")]
    BadSignature,
    #[error("decryption failed (wrong key, or the JWE was changed)")]
    Decrypt,
    #[error("DPoP proof: {0}")]
    Dpop(String),
    #[error("crypto: {0}")]
    Crypto(String),
}

pub(crate) fn crypto(e: impl std::fmt::Display) -> JoseError {
    JoseError::Crypto(e.to_string())
}
