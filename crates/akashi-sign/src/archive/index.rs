//! The ats-hash-index-v3 value (ETSI EN 319 122-1 V1.1.1 §5.5.2): which certificates, CRLs and
//! unsigned attribute values an archive timestamp covers, each named by its hash, so elements
//! added later do not break it.
//!
//! ```text
//! ATSHashIndexV3 ::= SEQUENCE {
//!     hashIndAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
//!     certificatesHashIndex SEQUENCE OF OCTET STRING,
//!     crlsHashIndex SEQUENCE OF OCTET STRING,
//!     unsignedAttrValuesHashIndex SEQUENCE OF OCTET STRING }
//! ```

use der::asn1::{AnyRef, OctetString};
use der::{Decode, Encode, Sequence, Tagged};
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;

use akashi_cms::ID_SHA256;

use crate::raw_cms::{elements, RawSignedData};
use crate::validate::sha256;

/// ATSHashIndexV3 with SHA-256 (the hashIndAlgorithm DEFAULT, so DER leaves it out).
#[derive(Sequence)]
struct IndexV3 {
    certificates: Vec<OctetString>,
    crls: Vec<OctetString>,
    unsigned: Vec<OctetString>,
}

/// The hashes an ats-hash-index-v3 holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct HashIndex {
    pub certificates: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    pub unsigned_values: Vec<Vec<u8>>,
}

/// The unsignedAttrValuesHashIndex entry of one value: attrType and value as encoded.
pub(crate) fn value_hash(oid_tlv: &[u8], value_tlv: &[u8]) -> Vec<u8> {
    sha2::Sha256::new()
        .chain_update(oid_tlv)
        .chain_update(value_tlv)
        .finalize()
        .to_vec()
}

impl HashIndex {
    /// Everything the signature holds now.
    pub(crate) fn of(raw: &RawSignedData) -> Self {
        Self {
            certificates: raw
                .certificates
                .iter()
                .map(|c| sha256(c).to_vec())
                .collect(),
            crls: raw.crls.iter().map(|c| sha256(c).to_vec()).collect(),
            unsigned_values: raw
                .unsigned
                .iter()
                .flat_map(|a| a.values.iter().map(|v| value_hash(a.oid_tlv, v)))
                .collect(),
        }
    }

    pub(crate) fn to_der(&self) -> der::Result<Vec<u8>> {
        let octets = |list: &[Vec<u8>]| -> der::Result<Vec<OctetString>> {
            list.iter()
                .map(|h| OctetString::new(h.as_slice()))
                .collect()
        };
        IndexV3 {
            certificates: octets(&self.certificates)?,
            crls: octets(&self.crls)?,
            unsigned: octets(&self.unsigned_values)?,
        }
        .to_der()
    }

    /// Decodes an ATSHashIndexV3 with or without an explicit SHA-256 hashIndAlgorithm (both
    /// lists are SEQUENCEs, so the optional field is told by the count).
    pub(crate) fn from_der(der: &[u8]) -> Result<Self, String> {
        let bad = |e: der::Error| format!("ats-hash-index-v3: {e}");
        let any = AnyRef::from_der(der).map_err(bad)?;
        any.tag().assert_eq(der::Tag::Sequence).map_err(bad)?;
        let parts = elements(any.value()).map_err(bad)?;
        let lists = match parts.len() {
            4 => {
                let algorithm = AlgorithmIdentifierOwned::from_der(parts[0]).map_err(bad)?;
                if algorithm.oid != ID_SHA256 {
                    return Err(format!(
                        "ats-hash-index-v3: hash algorithm {} is not SHA-256",
                        algorithm.oid
                    ));
                }
                &parts[1..]
            }
            3 => &parts[..],
            _ => return Err("ats-hash-index-v3: not an ATSHashIndexV3".into()),
        };
        let list = |der: &[u8]| -> Result<Vec<Vec<u8>>, String> {
            Ok(Vec::<OctetString>::from_der(der)
                .map_err(bad)?
                .into_iter()
                .map(|o| o.as_bytes().to_vec())
                .collect())
        };
        Ok(Self {
            certificates: list(lists[0])?,
            crls: list(lists[1])?,
            unsigned_values: list(lists[2])?,
        })
    }

    /// What in this index is no longer in `raw` (§5.5.2: such an index is invalid).
    pub(crate) fn unmatched(&self, raw: &RawSignedData) -> Option<String> {
        let now = Self::of(raw);
        let unmatched = [
            (&self.certificates, &now.certificates, "a certificate"),
            (&self.crls, &now.crls, "a CRL"),
            (
                &self.unsigned_values,
                &now.unsigned_values,
                "an unsigned attribute value",
            ),
        ]
        .into_iter()
        .find(|(named, have, _)| named.iter().any(|h| !have.contains(h)))
        .map(|(_, _, what)| {
            format!("its hash index covers {what} that is no longer in the signature as it was")
        });
        unmatched
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_index_round_trips_with_and_without_its_default_algorithm() {
        let index = HashIndex {
            certificates: vec![vec![1; 32], vec![2; 32]],
            crls: vec![vec![3; 32]],
            unsigned_values: Vec::new(),
        };
        let der = index.to_der().unwrap();
        // SEQUENCE { SEQUENCE OF …, SEQUENCE OF …, SEQUENCE {} }: no AlgorithmIdentifier.
        assert_eq!(der[2], 0x30);
        assert_eq!(&der[der.len() - 2..], [0x30, 0]);
        assert_eq!(HashIndex::from_der(&der).unwrap(), index);
        let sha256 = AlgorithmIdentifierOwned {
            oid: ID_SHA256,
            parameters: None,
        }
        .to_der()
        .unwrap();
        let inner = &der[2..];
        let explicit = AnyRef::new(der::Tag::Sequence, &[sha256.as_slice(), inner].concat())
            .unwrap()
            .to_der()
            .unwrap();
        assert_eq!(HashIndex::from_der(&explicit).unwrap(), index);
        assert!(HashIndex::from_der(&der[..der.len() - 1]).is_err());
        assert!(HashIndex::from_der(&[0x30, 0]).is_err());
    }
}
