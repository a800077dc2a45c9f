//! The DER elements of a CMS `ContentInfo` holding a `SignedData` with one signer, exactly as
//! they appear in the input. Archive timestamps hash fields "in their binary encoded form
//! without any modification" (ETSI EN 319 122-1 §5.5.3), and adding an unsigned attribute or
//! validation data later must leave every covered byte as it was: so elements are sliced out
//! of the input and spliced back, never decoded and re-encoded.
//!
//! ```text
//! ContentInfo ::= SEQUENCE { contentType ContentType, content [0] EXPLICIT ANY }
//! SignedData ::= SEQUENCE {
//!   version CMSVersion,
//!   digestAlgorithms DigestAlgorithmIdentifiers,
//!   encapContentInfo EncapsulatedContentInfo,  -- SEQUENCE { eContentType, eContent [0] OPTIONAL }
//!   certificates [0] IMPLICIT CertificateSet OPTIONAL,
//!   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
//!   signerInfos SignerInfos }
//! SignerInfo ::= SEQUENCE {
//!   version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT OPTIONAL, signatureAlgorithm,
//!   signature, unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
//! Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
//! ```

use const_oid::ObjectIdentifier;
use der::asn1::AnyRef;
use der::{Decode, Encode, Reader, SliceReader, Tag, TagNumber, Tagged};

use akashi_cms::ID_SIGNED_DATA;

const CONTEXT_0: Tag = Tag::ContextSpecific {
    constructed: true,
    number: TagNumber::N0,
};
const CONTEXT_1: Tag = Tag::ContextSpecific {
    constructed: true,
    number: TagNumber::N1,
};

/// One unsigned attribute, as encoded.
pub(crate) struct RawAttribute<'a> {
    pub oid: ObjectIdentifier,
    /// The attrType's encoding (tag, length, value).
    pub oid_tlv: &'a [u8],
    /// Each AttributeValue's encoding.
    pub values: Vec<&'a [u8]>,
    /// The whole Attribute's encoding.
    pub tlv: &'a [u8],
}

/// A `SignedData` with one signer, as slices of the input.
pub(crate) struct RawSignedData<'a> {
    content_type: &'a [u8],
    /// version, digestAlgorithms, encapContentInfo.
    head: Vec<&'a [u8]>,
    pub econtent_type: &'a [u8],
    pub certificates: Vec<&'a [u8]>,
    pub crls: Vec<&'a [u8]>,
    /// The signer's version, sid, digestAlgorithm, signedAttrs, signatureAlgorithm and
    /// signature, in their order of appearance.
    pub signer_fields: Vec<&'a [u8]>,
    pub unsigned: Vec<RawAttribute<'a>>,
}

/// The TLVs inside `content`.
pub(crate) fn elements(content: &[u8]) -> der::Result<Vec<&[u8]>> {
    let mut reader = SliceReader::new(content)?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        out.push(reader.tlv_bytes()?);
    }
    Ok(out)
}

/// The contents of `tlv`, which must be one whole TLV tagged `tag`.
fn contents(tlv: &[u8], tag: Tag) -> der::Result<&[u8]> {
    let any = AnyRef::from_der(tlv)?;
    any.tag().assert_eq(tag)?;
    Ok(any.value())
}

fn tag_of(tlv: &[u8]) -> der::Result<Tag> {
    Tag::try_from(*tlv.first().ok_or(Tag::Sequence.value_error())?)
}

/// One TLV `tag` around `parts`, concatenated.
fn wrap(tag: Tag, parts: &[&[u8]]) -> der::Result<Vec<u8>> {
    AnyRef::new(tag, &parts.concat())?.to_der()
}

/// DER orders a SET OF by its elements' encodings (X.690 §11.6); encodings of whole TLVs are
/// never proper prefixes of one another, so plain byte order is that order.
fn der_set<'s>(items: impl IntoIterator<Item = &'s [u8]>) -> Vec<&'s [u8]> {
    let mut set: Vec<&[u8]> = items.into_iter().collect();
    set.sort_unstable();
    set.dedup();
    set
}

fn attribute(tlv: &[u8]) -> der::Result<RawAttribute<'_>> {
    let parts = elements(contents(tlv, Tag::Sequence)?)?;
    let [oid_tlv, values] = parts[..] else {
        return Err(Tag::Sequence.value_error());
    };
    Ok(RawAttribute {
        oid: ObjectIdentifier::from_der(oid_tlv)?,
        oid_tlv,
        values: elements(contents(values, Tag::Set)?)?,
        tlv,
    })
}

impl<'a> RawSignedData<'a> {
    /// Slices `der` (a whole DER `ContentInfo`, nothing after it).
    pub fn parse(der: &'a [u8]) -> der::Result<Self> {
        let outer = elements(contents(der, Tag::Sequence)?)?;
        let [content_type, explicit] = outer[..] else {
            return Err(Tag::Sequence.value_error());
        };
        if ObjectIdentifier::from_der(content_type)? != ID_SIGNED_DATA {
            return Err(Tag::ObjectIdentifier.value_error());
        }
        let fields = elements(contents(contents(explicit, CONTEXT_0)?, Tag::Sequence)?)?;
        if fields.len() < 4 {
            return Err(Tag::Sequence.value_error());
        }
        let (head, rest) = fields.split_at(3);
        let (signer_infos, optional) = rest.split_last().ok_or(Tag::Set.value_error())?;
        let econtent_type = *elements(contents(head[2], Tag::Sequence)?)?
            .first()
            .ok_or(Tag::Sequence.value_error())?;
        tag_of(econtent_type)?.assert_eq(Tag::ObjectIdentifier)?;
        let (mut certificates, mut crls) = (Vec::new(), Vec::new());
        for field in optional {
            match tag_of(field)? {
                CONTEXT_0 if certificates.is_empty() => {
                    certificates = elements(contents(field, CONTEXT_0)?)?;
                }
                CONTEXT_1 if crls.is_empty() => crls = elements(contents(field, CONTEXT_1)?)?,
                other => return Err(other.value_error()),
            }
        }
        let signers = elements(contents(signer_infos, Tag::Set)?)?;
        let [signer] = signers[..] else {
            return Err(Tag::Set.value_error());
        };
        let mut signer_fields = elements(contents(signer, Tag::Sequence)?)?;
        let mut unsigned = Vec::new();
        if let Some(last) = signer_fields.last().copied() {
            if tag_of(last)? == CONTEXT_1 {
                signer_fields.pop();
                for tlv in elements(contents(last, CONTEXT_1)?)? {
                    unsigned.push(attribute(tlv)?);
                }
            }
        }
        if signer_fields.len() < 5 {
            return Err(Tag::Sequence.value_error());
        }
        Ok(Self {
            content_type,
            head: head.to_vec(),
            econtent_type,
            certificates,
            crls,
            signer_fields,
            unsigned,
        })
    }

    /// The same `ContentInfo` with `certificates`, `crls` and unsigned attributes (each an
    /// encoded element) added; every byte already there is kept.
    pub fn with(
        &self,
        certificates: &[Vec<u8>],
        crls: &[Vec<u8>],
        unsigned: &[Vec<u8>],
    ) -> der::Result<Vec<u8>> {
        let certs = der_set(
            self.certificates
                .iter()
                .copied()
                .chain(certificates.iter().map(Vec::as_slice)),
        );
        let crls = der_set(
            self.crls
                .iter()
                .copied()
                .chain(crls.iter().map(Vec::as_slice)),
        );
        let attrs = der_set(
            self.unsigned
                .iter()
                .map(|a| a.tlv)
                .chain(unsigned.iter().map(Vec::as_slice)),
        );
        let mut signer: Vec<&[u8]> = self.signer_fields.clone();
        let unsigned_tlv = wrap(CONTEXT_1, &attrs)?;
        if !attrs.is_empty() {
            signer.push(&unsigned_tlv);
        }
        let signer = wrap(Tag::Sequence, &signer)?;
        let signer_infos = wrap(Tag::Set, &[&signer])?;
        let certs_tlv = wrap(CONTEXT_0, &certs)?;
        let crls_tlv = wrap(CONTEXT_1, &crls)?;
        let mut fields: Vec<&[u8]> = self.head.clone();
        if !certs.is_empty() {
            fields.push(&certs_tlv);
        }
        if !crls.is_empty() {
            fields.push(&crls_tlv);
        }
        fields.push(&signer_infos);
        let signed_data = wrap(Tag::Sequence, &fields)?;
        let explicit = wrap(CONTEXT_0, &[&signed_data])?;
        wrap(Tag::Sequence, &[self.content_type, &explicit])
    }

    /// The values of the unsigned attributes of type `oid`.
    pub fn unsigned_values(&self, oid: ObjectIdentifier) -> Vec<&'a [u8]> {
        self.unsigned
            .iter()
            .filter(|a| a.oid == oid)
            .flat_map(|a| a.values.iter().copied())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_sort_by_encoding_and_splicing_nothing_changes_nothing() {
        assert_eq!(
            der_set([&[0x30, 1, 5][..], &[0x30, 0][..], &[0x30, 0][..]]),
            [&[0x30, 0][..], &[0x30, 1, 5][..]]
        );
        assert!(RawSignedData::parse(&[0x30, 0]).is_err());
        assert!(RawSignedData::parse(&[]).is_err());
    }
}
