//! OCSP CertID (RFC 6960 §4.1.1): which certificate of which CA generation a request is about.
//!
//! ```text
//! CertID ::= SEQUENCE {
//!     hashAlgorithm       AlgorithmIdentifier,
//!     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
//!     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
//!     serialNumber        CertificateSerialNumber }
//! ```
//!
//! issuerNameHash is the hash of the DER issuer Name, taken byte for byte from the CA
//! certificate's subject; issuerKeyHash is the hash of the value of the CA's subjectPublicKey
//! BIT STRING (without tag, length and unused-bits octet). All J-LIS CA generations of one CA
//! share the DN, so only the key hash tells the generations apart.

use akashi_jpki::JpkiCertificate;
use const_oid::db::rfc5912::{ID_SHA_1, ID_SHA_256};
use const_oid::ObjectIdentifier;
use der::asn1::{Any, OctetString};
use der::{Decode, Encode, Reader, SliceReader, Tag, TagNumber};
use spki::AlgorithmIdentifierOwned;
use x509_cert::serial_number::SerialNumber;

use crate::RevocationError;

/// The hash algorithm of a CertID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertIdHash {
    Sha1,
    Sha256,
    /// Any other algorithm: parsed and echoed, but never matches an issuer.
    Other(ObjectIdentifier),
}

impl CertIdHash {
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            CertIdHash::Sha1 => ID_SHA_1,
            CertIdHash::Sha256 => ID_SHA_256,
            CertIdHash::Other(oid) => oid,
        }
    }

    pub fn from_oid(oid: ObjectIdentifier) -> Self {
        match oid {
            ID_SHA_1 => CertIdHash::Sha1,
            ID_SHA_256 => CertIdHash::Sha256,
            other => CertIdHash::Other(other),
        }
    }

    /// The digest of `data`; `None` for an algorithm this crate does not implement.
    pub fn digest(self, data: &[u8]) -> Option<Vec<u8>> {
        use sha2::Digest;
        match self {
            CertIdHash::Sha1 => Some(sha1::Sha1::digest(data).to_vec()),
            CertIdHash::Sha256 => Some(sha2::Sha256::digest(data).to_vec()),
            CertIdHash::Other(_) => None,
        }
    }
}

/// A decoded CertID that keeps its exact DER, to be echoed in the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertId {
    pub hash: CertIdHash,
    pub issuer_name_hash: Vec<u8>,
    pub issuer_key_hash: Vec<u8>,
    pub serial: SerialNumber,
    der: Vec<u8>,
}

impl CertId {
    /// The CertID of certificate `serial` issued by `issuer`, hashed with `hash`
    /// (hashAlgorithm parameters NULL, as OpenSSL and most clients send them).
    pub fn new(
        hash: CertIdHash,
        issuer: &JpkiCertificate,
        serial: SerialNumber,
    ) -> Result<Self, RevocationError> {
        let unsupported = || RevocationError::UnsupportedHash(hash.oid());
        let name_hash = hash
            .digest(&issuer_name_der(issuer)?)
            .ok_or_else(unsupported)?;
        let key_hash = hash
            .digest(issuer_key_bits(issuer))
            .ok_or_else(unsupported)?;
        let id = x509_ocsp::CertId {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: hash.oid(),
                parameters: Some(Any::null()),
            },
            issuer_name_hash: OctetString::new(name_hash)?,
            issuer_key_hash: OctetString::new(key_hash)?,
            serial_number: serial,
        };
        Self::from_x509(&id)
    }

    /// Decodes one DER CertID; trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Self, RevocationError> {
        Self::from_x509(&x509_ocsp::CertId::from_der(der)?)
    }

    pub(crate) fn from_x509(id: &x509_ocsp::CertId) -> Result<Self, RevocationError> {
        Ok(Self {
            hash: CertIdHash::from_oid(id.hash_algorithm.oid),
            issuer_name_hash: id.issuer_name_hash.as_bytes().to_vec(),
            issuer_key_hash: id.issuer_key_hash.as_bytes().to_vec(),
            serial: id.serial_number.clone(),
            // der decodes strict DER only, so this re-encoding is the received bytes.
            der: id.to_der()?,
        })
    }

    pub(crate) fn to_x509(&self) -> Result<x509_ocsp::CertId, RevocationError> {
        Ok(x509_ocsp::CertId::from_der(&self.der)?)
    }

    /// The exact DER of this CertID.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

/// Whether `id` names `issuer` (one CA generation): both hashes recomputed and compared.
/// Always false for a hash algorithm other than SHA-1 and SHA-256.
pub fn matches_issuer(id: &CertId, issuer: &JpkiCertificate) -> bool {
    let Ok(name) = issuer_name_der(issuer) else {
        return false;
    };
    id.hash.digest(&name).as_deref() == Some(&id.issuer_name_hash[..])
        && id.hash.digest(issuer_key_bits(issuer)).as_deref() == Some(&id.issuer_key_hash[..])
}

fn issuer_key_bits(issuer: &JpkiCertificate) -> &[u8] {
    issuer
        .certificate()
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes()
}

/// The exact DER of the subject Name inside the issuer's signed TBSCertificate:
/// `SEQUENCE { [0] version OPTIONAL, serial, signature, issuer, validity, subject, … }`.
fn issuer_name_der(issuer: &JpkiCertificate) -> Result<Vec<u8>, RevocationError> {
    let tbs = issuer.tbs_der();
    let mut reader = SliceReader::new(tbs)?;
    let header = der::Header::decode(&mut reader)?;
    header.tag.assert_eq(Tag::Sequence)?;
    if reader.peek_tag()?
        == (Tag::ContextSpecific {
            constructed: true,
            number: TagNumber::N0,
        })
    {
        reader.tlv_bytes()?;
    }
    for _ in 0..4 {
        reader.tlv_bytes()?; // serialNumber, signature, issuer, validity
    }
    Ok(reader.tlv_bytes()?.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_and_digest_lengths() {
        assert_eq!(CertIdHash::Sha1.oid().to_string(), "1.3.14.3.2.26");
        assert_eq!(
            CertIdHash::Sha256.oid().to_string(),
            "2.16.840.1.101.3.4.2.1"
        );
        assert_eq!(CertIdHash::from_oid(ID_SHA_256), CertIdHash::Sha256);
        assert_eq!(CertIdHash::Sha1.digest(b"").unwrap().len(), 20);
        assert_eq!(CertIdHash::Sha256.digest(b"").unwrap().len(), 32);
        let other = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
        assert_eq!(CertIdHash::from_oid(other).digest(b""), None);
    }
}
