//! RSASSA-PKCS1-v1_5 verification against a DER SubjectPublicKeyInfo.

use openssl::hash::MessageDigest;
use openssl::pkey::{Id, PKey, Public};
use openssl::sign::Verifier;

use crate::CryptoError;

/// The digests a PKCS#1 v1.5 signature may be made over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HashAlgorithm {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    fn digest(self) -> MessageDigest {
        match self {
            HashAlgorithm::Sha1 => MessageDigest::sha1(),
            HashAlgorithm::Sha256 => MessageDigest::sha256(),
            HashAlgorithm::Sha384 => MessageDigest::sha384(),
            HashAlgorithm::Sha512 => MessageDigest::sha512(),
        }
    }
}

/// Verifies an RSASSA-PKCS1-v1_5 signature over `message` with the RSA key in `spki_der`.
pub fn verify_rsa_pkcs1(
    spki_der: &[u8],
    hash: HashAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    RsaPublicKey::from_spki_der(spki_der)?.verify_pkcs1(hash, message, signature)
}

/// An RSA public key parsed once, for verifying many signatures: OpenSSL 3's key decoding
/// costs several times one verification, so a verifier that sees a key again keeps this.
#[derive(Clone)]
pub struct RsaPublicKey {
    key: PKey<Public>,
}

impl std::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RsaPublicKey({} bits)", self.key.bits())
    }
}

impl RsaPublicKey {
    /// Parses a DER SubjectPublicKeyInfo holding an RSA key.
    pub fn from_spki_der(spki_der: &[u8]) -> Result<Self, CryptoError> {
        let key = PKey::public_key_from_der(spki_der)
            .map_err(|e| CryptoError::InvalidPublicKey(e.to_string()))?;
        if key.id() != Id::RSA {
            return Err(CryptoError::InvalidPublicKey("not an RSA key".into()));
        }
        Ok(Self { key })
    }

    /// Verifies an RSASSA-PKCS1-v1_5 signature over `message`.
    pub fn verify_pkcs1(
        &self,
        hash: HashAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        let mut verifier = Verifier::new(hash.digest(), &self.key)
            .map_err(|e| CryptoError::InvalidPublicKey(e.to_string()))?;
        match verifier.verify_oneshot(signature, message) {
            Ok(true) => Ok(()),
            // OpenSSL reports a malformed signature as an error; for the caller both mean "bad".
            Ok(false) | Err(_) => Err(CryptoError::BadSignature),
        }
    }
}
