use crate::CryptoError;

/// A source of cryptographically secure randomness. Domain logic receives one of these
/// instead of reading a global generator, so tests can make it deterministic.
pub trait SecureRandom: Send + Sync {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError>;
}

/// The operating system's generator, through OpenSSL's DRBG.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl SecureRandom for OsRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        openssl::rand::rand_bytes(dest).map_err(|e| CryptoError::Random(e.to_string()))
    }
}
