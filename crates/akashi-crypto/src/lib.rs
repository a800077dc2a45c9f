//! Akashi's cryptographic provider.
//!
//! Everything that touches key material lives here, behind small types that never hand the
//! key out: [`RsaPrivateKey`] signs (on OpenSSL, whose RSA uses blinding and constant-time
//! arithmetic, so RUSTSEC-2023-0071 does not apply), [`verify_rsa_pkcs1`] checks signatures,
//! [`SealingKey`] encrypts state at rest, and [`SecureRandom`] is the randomness that domain
//! logic receives instead of reading it itself.
#![forbid(unsafe_code)]

mod ecdsa;
mod error;
mod fsio;
mod random;
mod rsa;
mod seal;
mod verify;

pub use ecdsa::{P256PrivateKey, P256PublicKey};
pub use error::CryptoError;
pub use fsio::{write_atomic, FileLock};
pub use random::{OsRandom, SecureRandom};
pub use rsa::{RsaPrivateKey, RSA_MODULUS_BITS};
pub use seal::SealingKey;
pub use verify::{verify_rsa_pkcs1, HashAlgorithm, RsaPublicKey};

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}

/// HMAC-SHA-256 (RFC 2104) of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    use hmac::Mac;
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Compares two byte strings in time independent of their contents.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && openssl::memcmp::eq(a, b)
}
