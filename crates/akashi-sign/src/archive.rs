//! B-LT → B-LTA (ETSI EN 319 122-1 V1.1.1 §5.5.2, §5.5.3): an archive-time-stamp-v3 unsigned
//! attribute over the signature, its signed fields and the validation data, and its renewal
//! before the last archive timestamp's TSA certificate expires.
//!
//! ```text
//! id-aa-ets-archiveTimestampV3 OBJECT IDENTIFIER ::= { itu-t(0) identified-organization(4)
//!     etsi(0) electronic-signature-standard(1733) attributes(2) 4 }
//! -- value: a TimeStampToken whose SignerInfo carries, unsigned, one ats-hash-index-v3
//! id-aa-ATSHashIndex-v3 OBJECT IDENTIFIER ::= { itu-t(0) identified-organization(4) etsi(0)
//!     electronic-signature-standard(19122) attributes(1) 5 }
//! ATSHashIndexV3 ::= SEQUENCE {
//!     hashIndAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
//!     certificatesHashIndex SEQUENCE OF OCTET STRING,       -- each CertificateChoices
//!     crlsHashIndex SEQUENCE OF OCTET STRING,               -- each RevocationInfoChoice
//!     unsignedAttrValuesHashIndex SEQUENCE OF OCTET STRING } -- attrType || one AttributeValue
//! ```
//!
//! The token's message imprint is the hash of, concatenated as encoded (tag, length, value):
//! the eContentType, the hash of the signed content, the SignerInfo's version, sid,
//! digestAlgorithm, signedAttrs, signatureAlgorithm and signature, and the ATSHashIndexV3.
//! Certificates, CRLs and unsigned attributes added later do not break it: the index names
//! each element it covers by hash.

use const_oid::ObjectIdentifier;
use der::asn1::SetOfVec;
use der::{Any, Decode, Encode};
use sha2::Digest;
use time::OffsetDateTime;
use x509_cert::attr::Attribute;
use x509_tsp::TstInfo;

use akashi_cms::{parse_signed_data, ID_SHA256};

use crate::ltv::{embed, ValidationSource};
use crate::raw_cms::RawSignedData;
use crate::validate::report::{Level, SubIndication};
use crate::validate::{Evidence, TimestampFailure};
use crate::{SignError, TimestampSource, ID_SIGNATURE_TIME_STAMP};

mod index;

pub(crate) use index::{value_hash, HashIndex};

/// id-aa-ets-archiveTimestampV3
pub const ID_ARCHIVE_TIME_STAMP_V3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.1733.2.4");
/// id-aa-ATSHashIndex-v3
pub const ID_ATS_HASH_INDEX_V3: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.19122.1.5");

/// An archive timestamp of a CAdES signature, and the imprint it must carry, recomputed from
/// the signature as it is now.
#[derive(Debug, Clone)]
pub struct ArchiveTimestamp {
    /// The TimeStampToken (DER `ContentInfo`), its ats-hash-index-v3 included.
    pub token: Vec<u8>,
    pub imprint: [u8; 32],
}

fn imprint(raw: &RawSignedData, content_sha256: &[u8; 32], index_der: &[u8]) -> [u8; 32] {
    let mut hash = sha2::Sha256::new()
        .chain_update(raw.econtent_type)
        .chain_update(content_sha256);
    for field in &raw.signer_fields {
        hash.update(field);
    }
    hash.chain_update(index_der).finalize().into()
}

/// The one ats-hash-index-v3 value an archive timestamp token carries, as encoded.
fn token_index(token: &[u8]) -> Result<Vec<u8>, String> {
    let raw = RawSignedData::parse(token).map_err(|e| format!("archive timestamp token: {e}"))?;
    match raw.unsigned_values(ID_ATS_HASH_INDEX_V3)[..] {
        [value]
            if raw
                .unsigned
                .iter()
                .filter(|a| a.oid == ID_ATS_HASH_INDEX_V3)
                .count()
                == 1 =>
        {
            Ok(value.to_vec())
        }
        _ => Err("archive timestamp token: not exactly one ats-hash-index-v3 value".into()),
    }
}

/// The imprint archive timestamp `token` must carry over `raw`, and its hash index: the index
/// checked against what `raw` holds, then the covered fields hashed as they are encoded.
pub(crate) fn expected_imprint(
    raw: &RawSignedData,
    token: &[u8],
    content_sha256: &[u8; 32],
) -> Result<([u8; 32], HashIndex), TimestampFailure> {
    let format = |reason| TimestampFailure {
        sub: SubIndication::FormatFailure,
        reason,
    };
    let index_der = token_index(token).map_err(format)?;
    let index = HashIndex::from_der(&index_der).map_err(format)?;
    if let Some(reason) = index.unmatched(raw) {
        return Err(TimestampFailure {
            sub: SubIndication::HashFailure,
            reason,
        });
    }
    Ok((imprint(raw, content_sha256, &index_der), index))
}

/// The archive timestamps of `cms_der` (in encoding order), each with the imprint recomputed
/// over the signature of content whose SHA-256 is `content_sha256`. Fails when one's hash
/// index names an element the signature no longer holds.
pub fn archive_timestamps(
    cms_der: &[u8],
    content_sha256: &[u8; 32],
) -> Result<Vec<ArchiveTimestamp>, SignError> {
    let raw = RawSignedData::parse(cms_der)?;
    raw.unsigned_values(ID_ARCHIVE_TIME_STAMP_V3)
        .into_iter()
        .map(|token| {
            let (imprint, _) = expected_imprint(&raw, token, content_sha256)
                .map_err(|_| SignError::Invalid("an archive timestamp no longer matches"))?;
            Ok(ArchiveTimestamp {
                token: token.to_vec(),
                imprint,
            })
        })
        .collect()
}

/// The level a CAdES signature's structure shows (not validated): B-LTA with an archive
/// timestamp, B-LT with a signature timestamp and embedded revocation data, B-T, B-B.
pub fn cades_level(cms_der: &[u8]) -> Result<Level, SignError> {
    let raw = RawSignedData::parse(cms_der)?;
    let timestamped = !raw.unsigned_values(ID_SIGNATURE_TIME_STAMP).is_empty();
    Ok(
        if !raw.unsigned_values(ID_ARCHIVE_TIME_STAMP_V3).is_empty() {
            Level::BLta
        } else if timestamped && !raw.crls.is_empty() {
            Level::BLt
        } else if timestamped {
            Level::BT
        } else {
            Level::BB
        },
    )
}

/// The SHA-256 of the signed content as the signature states it (its message-digest). An
/// archive timestamp hashes the content "as for the message-digest attribute" with its own
/// algorithm (§5.5.3); both are SHA-256 here, so this value is that hash and a relayer that
/// holds only the detached signature can still archive-timestamp it.
pub fn signed_content_digest(cms_der: &[u8]) -> Result<[u8; 32], SignError> {
    let view = parse_signed_data(cms_der)?;
    if view.signer.digest_algorithm != ID_SHA256 {
        return Err(SignError::Invalid("the signature's digest is not SHA-256"));
    }
    view.signer
        .message_digest
        .as_slice()
        .try_into()
        .map_err(|_| SignError::Invalid("the signature's message digest is not 32 bytes"))
}

/// The genTime of a timestamp token, unchecked (for ordering and reports).
pub(crate) fn token_time(token: &[u8]) -> Option<OffsetDateTime> {
    let tst = TstInfo::from_der(&parse_signed_data(token).ok()?.econtent?).ok()?;
    Some(OffsetDateTime::from(tst.gen_time.to_system_time()))
}

/// Where an archive timestamp token stands in time: its genTime, then how many unsigned
/// attribute values it covers (a later one covers the earlier ones too, which orders two
/// made within the same second).
pub(crate) fn token_order(token: &[u8]) -> (Option<OffsetDateTime>, usize) {
    let covered = token_index(token)
        .ok()
        .and_then(|index| HashIndex::from_der(&index).ok())
        .map_or(0, |index| index.unsigned_values.len());
    (token_time(token), covered)
}

fn token_imprint(token: &[u8]) -> Option<Vec<u8>> {
    let tst = TstInfo::from_der(&parse_signed_data(token).ok()?.econtent?).ok()?;
    Some(tst.message_imprint.hashed_message.as_bytes().to_vec())
}

/// One Attribute with the single value `value` (an encoded element, kept as it is).
fn attribute_der(oid: ObjectIdentifier, value: &[u8]) -> Result<Vec<u8>, SignError> {
    let mut values = SetOfVec::new();
    values.insert(Any::from_der(value)?)?;
    Ok(Attribute { oid, values }.to_der()?)
}

/// B-LT → B-LTA, or one more archive timestamp on a B-LTA: a timestamp from `tsa` over the
/// signature, its validation data and its unsigned attributes as they are now, added as an
/// archive-time-stamp-v3 attribute. `content_sha256` is the SHA-256 of the (detached) content;
/// it must be the signature's message digest. Every byte already there is kept.
pub async fn add_archive_timestamp(
    cms_der: &[u8],
    content_sha256: &[u8; 32],
    tsa: &impl TimestampSource,
) -> Result<Vec<u8>, SignError> {
    let raw = RawSignedData::parse(cms_der)?;
    let view = parse_signed_data(cms_der)?;
    if raw.unsigned_values(ID_SIGNATURE_TIME_STAMP).is_empty() {
        return Err(SignError::Invalid(
            "an archive timestamp (B-LTA) needs a B-LT signature; this one is B-B (no \
             signature timestamp)",
        ));
    }
    if raw.crls.is_empty() {
        return Err(SignError::Invalid(
            "an archive timestamp (B-LTA) needs a B-LT signature; this one is B-T (no embedded \
             revocation data)",
        ));
    }
    if view.signer.digest_algorithm != ID_SHA256 || view.signer.message_digest != content_sha256 {
        return Err(SignError::Invalid(
            "the content does not match the signature's message digest",
        ));
    }
    let index_der = HashIndex::of(&raw).to_der()?;
    let token = tsa
        .timestamp(imprint(&raw, content_sha256, &index_der))
        .await?;
    // The index goes into the token's own SignerInfo, unsigned: the TSA's signature stays.
    let token = RawSignedData::parse(&token)?.with(
        &[],
        &[],
        &[attribute_der(ID_ATS_HASH_INDEX_V3, &index_der)?],
    )?;
    let out = raw.with(
        &[],
        &[],
        &[attribute_der(ID_ARCHIVE_TIME_STAMP_V3, &token)?],
    )?;
    // Every archive timestamp, the new one and the earlier ones, must still match.
    for ts in archive_timestamps(&out, content_sha256)? {
        if token_imprint(&ts.token).as_deref() != Some(ts.imprint.as_slice()) {
            return Err(SignError::Invalid(
                "an archive timestamp does not match the signature it was added to",
            ));
        }
    }
    Ok(out)
}

/// Embeds the certificates the timestamp tokens carry (the TSAs') and the TSA validation data
/// from `source` (their CA and its CRL): what a validator needs to check the last archive
/// timestamp once its TSA certificate has expired. Earlier archive timestamps stay valid.
pub async fn add_timestamp_validation_data(
    cms_der: &[u8],
    source: &impl ValidationSource,
) -> Result<Vec<u8>, SignError> {
    let raw = RawSignedData::parse(cms_der)?;
    let mut evidence = Evidence::default();
    for token in raw
        .unsigned_values(ID_SIGNATURE_TIME_STAMP)
        .into_iter()
        .chain(raw.unsigned_values(ID_ARCHIVE_TIME_STAMP_V3))
    {
        evidence.extend(&Evidence {
            certificates: parse_signed_data(token)?.certificates,
            ..Evidence::default()
        });
    }
    evidence.extend(&source.tsa_validation_data().await?);
    embed(cms_der, &evidence)
}

/// Renews the archive timestamps of a B-LTA signature (or makes the first of a B-LT one):
/// the timestamps' validation data from `source`, then a new archive timestamp from `tsa`
/// covering it and every earlier archive timestamp. Run it while the last archive
/// timestamp's TSA certificate is still valid.
pub async fn renew_cades_archive_timestamp(
    cms_der: &[u8],
    content_sha256: &[u8; 32],
    source: &impl ValidationSource,
    tsa: &impl TimestampSource,
) -> Result<Vec<u8>, SignError> {
    let with_data = add_timestamp_validation_data(cms_der, source).await?;
    add_archive_timestamp(&with_data, content_sha256, tsa).await
}
