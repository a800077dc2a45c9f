use thiserror::Error;

/// Errors of the crypto layer. Each says which operation failed; none carries key material.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CryptoError {
    #[error("RSA key generation failed: {0}")]
    KeyGeneration(String),
    #[error("not an RSA private key: {0}")]
    InvalidPrivateKey(String),
    #[error("not a usable RSA public key (SubjectPublicKeyInfo): {0}")]
    InvalidPublicKey(String),
    #[error("RSA signing failed: {0}")]
    Signing(String),
    #[error("input of {len} bytes is too long for a {modulus_bytes}-byte RSA modulus with PKCS#1 v1.5 padding")]
    InputTooLong { len: usize, modulus_bytes: usize },
    #[error("signature does not verify")]
    BadSignature,
    #[error("sealed data is not in Akashi's sealed format: {0}")]
    SealedFormat(&'static str),
    #[error("sealed data could not be opened: wrong key or passphrase, or the data was altered")]
    SealedOpen,
    #[error("key derivation failed: {0}")]
    KeyDerivation(String),
    #[error("random generator failed: {0}")]
    Random(String),
    #[error("I/O on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl CryptoError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        CryptoError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
