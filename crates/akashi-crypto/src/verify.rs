//! RSASSA-PKCS1-v1_5 verification against a DER SubjectPublicKeyInfo.

use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
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
    let key = PKey::public_key_from_der(spki_der)
        .map_err(|e| CryptoError::InvalidPublicKey(e.to_string()))?;
    if key.rsa().is_err() {
        return Err(CryptoError::InvalidPublicKey("not an RSA key".into()));
    }
    let mut verifier = Verifier::new(hash.digest(), &key)
        .map_err(|e| CryptoError::InvalidPublicKey(e.to_string()))?;
    match verifier.verify_oneshot(signature, message) {
        Ok(true) => Ok(()),
        // OpenSSL reports a malformed signature as an error; for the caller both mean "bad".
        Ok(false) | Err(_) => Err(CryptoError::BadSignature),
    }
}
