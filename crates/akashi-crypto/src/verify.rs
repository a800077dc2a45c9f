//! RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2): the RSA public operation recovers the
//! encoded message, which must equal EMSA-PKCS1-v1_5(message) byte for byte — the
//! "encode and compare" method the RFC recommends, so no DigestInfo is ever parsed.

use openssl::hash::{hash, MessageDigest};
use openssl::pkey::{Id, PKey, Public};
use openssl::rsa::{Padding, Rsa};

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

    /// The DER prefix of the DigestInfo (RFC 8017 §9.2, note 1).
    fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            HashAlgorithm::Sha1 => &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
                0x14,
            ],
            HashAlgorithm::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            HashAlgorithm::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            HashAlgorithm::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
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
    rsa: Rsa<Public>,
}

impl std::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RsaPublicKey({} bits)", self.rsa.size() * 8)
    }
}

impl RsaPublicKey {
    /// Parses a DER SubjectPublicKeyInfo holding an RSA key (rsaEncryption).
    pub fn from_spki_der(spki_der: &[u8]) -> Result<Self, CryptoError> {
        let key = PKey::public_key_from_der(spki_der)
            .map_err(|e| CryptoError::InvalidPublicKey(e.to_string()))?;
        if key.id() != Id::RSA {
            return Err(CryptoError::InvalidPublicKey("not an RSA key".into()));
        }
        let rsa = key
            .rsa()
            .map_err(|e| CryptoError::InvalidPublicKey(e.to_string()))?;
        Ok(Self { rsa })
    }

    /// Verifies an RSASSA-PKCS1-v1_5 signature over `message`.
    pub fn verify_pkcs1(
        &self,
        hash_algorithm: HashAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        let k = self.rsa.size() as usize;
        // RFC 8017 §8.2.2 step 1: the signature is exactly k octets.
        if signature.len() != k {
            return Err(CryptoError::BadSignature);
        }
        let mut recovered = vec![0u8; k];
        // RSAVP1 and the type-1 padding check (00 01 FF…FF 00); what remains is the T of
        // EMSA-PKCS1-v1_5, compared whole with the expected DigestInfo.
        let len = self
            .rsa
            .public_decrypt(signature, &mut recovered, Padding::PKCS1)
            .map_err(|_| CryptoError::BadSignature)?;
        let digest =
            hash(hash_algorithm.digest(), message).map_err(|_| CryptoError::BadSignature)?;
        let prefix = hash_algorithm.digest_info_prefix();
        let expected_len = prefix.len() + digest.len();
        if len == expected_len
            && &recovered[..prefix.len()] == prefix
            && recovered[prefix.len()..len] == digest[..]
        {
            Ok(())
        } else {
            Err(CryptoError::BadSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RsaPrivateKey;

    #[test]
    fn encode_and_compare() {
        let key = RsaPrivateKey::generate().unwrap();
        let spki = key.public_key_der().unwrap();
        let public = RsaPublicKey::from_spki_der(&spki).unwrap();
        let sig = key.sign_pkcs1_sha256(b"message").unwrap();
        public
            .verify_pkcs1(HashAlgorithm::Sha256, b"message", &sig)
            .unwrap();
        // Another message, another hash algorithm, a changed or shortened signature.
        assert!(public
            .verify_pkcs1(HashAlgorithm::Sha256, b"massage", &sig)
            .is_err());
        assert!(public
            .verify_pkcs1(HashAlgorithm::Sha384, b"message", &sig)
            .is_err());
        let mut bad = sig.clone();
        bad[100] ^= 1;
        assert!(public
            .verify_pkcs1(HashAlgorithm::Sha256, b"message", &bad)
            .is_err());
        assert!(public
            .verify_pkcs1(HashAlgorithm::Sha256, b"message", &sig[1..])
            .is_err());
        let mut padded = vec![0u8];
        padded.extend_from_slice(&sig);
        assert!(public
            .verify_pkcs1(HashAlgorithm::Sha256, b"message", &padded)
            .is_err());
        // OpenSSL's EVP verifier agrees on the good one.
        let pkey = PKey::public_key_from_der(&spki).unwrap();
        let mut v = openssl::sign::Verifier::new(MessageDigest::sha256(), &pkey).unwrap();
        assert!(v.verify_oneshot(&sig, b"message").unwrap());
    }
}
