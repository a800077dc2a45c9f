//! RSA private keys that stay inside their owner.
//!
//! The only ways out of an [`RsaPrivateKey`] are a signature, the public key, and a sealed
//! (encrypted) copy for storage. OpenSSL performs every private-key operation with blinding.

use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::{Padding, Rsa};
use openssl::sign::Signer;
use zeroize::Zeroizing;

use crate::{CryptoError, SealingKey};

/// JPKI keys are RSA-2048 with e = 65537.
pub const RSA_MODULUS_BITS: u32 = 2048;

/// PKCS#1 v1.5 type-1 padding needs at least 11 bytes of overhead.
const PKCS1_OVERHEAD: usize = 11;

pub struct RsaPrivateKey {
    key: PKey<Private>,
}

impl std::fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaPrivateKey")
            .field("bits", &self.key.bits())
            .finish_non_exhaustive()
    }
}

impl RsaPrivateKey {
    /// Generates a fresh RSA-2048 key with public exponent 65537.
    pub fn generate() -> Result<Self, CryptoError> {
        let rsa = Rsa::generate(RSA_MODULUS_BITS)
            .map_err(|e| CryptoError::KeyGeneration(e.to_string()))?;
        let key = PKey::from_rsa(rsa).map_err(|e| CryptoError::KeyGeneration(e.to_string()))?;
        Ok(Self { key })
    }

    /// The DER SubjectPublicKeyInfo of this key.
    pub fn public_key_der(&self) -> Result<Vec<u8>, CryptoError> {
        self.key
            .public_key_to_der()
            .map_err(|e| CryptoError::InvalidPrivateKey(e.to_string()))
    }

    /// Size of the modulus in bytes (the length of every signature).
    pub fn modulus_len(&self) -> usize {
        self.key.size()
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn sign_pkcs1_sha256(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut signer = Signer::new(MessageDigest::sha256(), &self.key)
            .map_err(|e| CryptoError::Signing(e.to_string()))?;
        signer
            .sign_oneshot_to_vec(message)
            .map_err(|e| CryptoError::Signing(e.to_string()))
    }

    /// The private-key operation a JPKI card performs for COMPUTE DIGITAL SIGNATURE: pad
    /// `digest_info` (normally a DER DigestInfo) with PKCS#1 v1.5 type 1 and exponentiate.
    /// The input is not interpreted, exactly as on the card.
    pub fn sign_padded_pkcs1(&self, digest_info: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let modulus_bytes = self.modulus_len();
        if digest_info.len() + PKCS1_OVERHEAD > modulus_bytes {
            return Err(CryptoError::InputTooLong {
                len: digest_info.len(),
                modulus_bytes,
            });
        }
        let mut ctx = PkeyCtx::new(&self.key).map_err(|e| CryptoError::Signing(e.to_string()))?;
        ctx.sign_init()
            .and_then(|()| ctx.set_rsa_padding(Padding::PKCS1))
            .map_err(|e| CryptoError::Signing(e.to_string()))?;
        let mut out = Vec::with_capacity(modulus_bytes);
        ctx.sign_to_vec(digest_info, &mut out)
            .map_err(|e| CryptoError::Signing(e.to_string()))?;
        Ok(out)
    }

    /// Encrypts the key (PKCS#8) under `sealing_key`, bound to `label`, for storage at rest.
    pub fn seal(&self, sealing_key: &SealingKey, label: &str) -> Result<Vec<u8>, CryptoError> {
        let der = Zeroizing::new(
            self.key
                .private_key_to_pkcs8()
                .map_err(|e| CryptoError::InvalidPrivateKey(e.to_string()))?,
        );
        sealing_key.seal(label, &der)
    }

    /// Opens a key sealed by [`RsaPrivateKey::seal`] with the same key and label.
    pub fn unseal(
        sealing_key: &SealingKey,
        label: &str,
        sealed: &[u8],
    ) -> Result<Self, CryptoError> {
        let der = sealing_key.open(label, sealed)?;
        Self::from_pkcs8_der(&der)
    }

    fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError> {
        let key = PKey::private_key_from_pkcs8(der)
            .map_err(|e| CryptoError::InvalidPrivateKey(e.to_string()))?;
        if key.rsa().is_err() {
            return Err(CryptoError::InvalidPrivateKey("not an RSA key".into()));
        }
        Ok(Self { key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{verify_rsa_pkcs1, HashAlgorithm};

    const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];

    #[test]
    fn padded_signature_over_digest_info_equals_pkcs1_sha256_signature() {
        let key = RsaPrivateKey::generate().unwrap();
        let message = b"the card signs what the host hashed";
        let mut digest_info = SHA256_DIGEST_INFO_PREFIX.to_vec();
        digest_info.extend_from_slice(&crate::sha256(message));
        let raw = key.sign_padded_pkcs1(&digest_info).unwrap();
        // PKCS#1 v1.5 is deterministic: both paths must give the same bytes.
        assert_eq!(raw, key.sign_pkcs1_sha256(message).unwrap());
        let spki = key.public_key_der().unwrap();
        verify_rsa_pkcs1(&spki, HashAlgorithm::Sha256, message, &raw).unwrap();
        assert!(verify_rsa_pkcs1(&spki, HashAlgorithm::Sha256, b"other", &raw).is_err());
    }

    #[test]
    fn over_long_input_is_refused() {
        let key = RsaPrivateKey::generate().unwrap();
        let err = key.sign_padded_pkcs1(&[0u8; 246]).unwrap_err();
        assert!(matches!(
            err,
            CryptoError::InputTooLong {
                len: 246,
                modulus_bytes: 256
            }
        ));
    }

    #[test]
    fn sealed_key_round_trips_only_with_the_same_key_and_label() {
        let key = RsaPrivateKey::generate().unwrap();
        let sealing = SealingKey::from_bytes([7u8; 32]);
        let sealed = key.seal(&sealing, "test/key").unwrap();
        let back = RsaPrivateKey::unseal(&sealing, "test/key", &sealed).unwrap();
        assert_eq!(
            back.public_key_der().unwrap(),
            key.public_key_der().unwrap()
        );
        assert!(RsaPrivateKey::unseal(&sealing, "other/label", &sealed).is_err());
        assert!(
            RsaPrivateKey::unseal(&SealingKey::from_bytes([8u8; 32]), "test/key", &sealed).is_err()
        );
    }
}
