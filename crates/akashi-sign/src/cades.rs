//! CAdES baseline signatures (ETSI EN 319 122-1 §5): B-B built in two phases for the card, and
//! the B-T augmentation with a signature timestamp.
//!
//! ```text
//! SignatureTimeStampToken ::= TimeStampToken   -- id-aa-signatureTimeStampToken, unsigned,
//!                                              -- over the SignerInfo's signature value
//! ```

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerInfos};
use const_oid::ObjectIdentifier;
use der::asn1::SetOfVec;
use der::{Any, Decode, Encode};
use sha2::Digest;
use time::OffsetDateTime;
use x509_cert::attr::Attribute;

use akashi_cms::{prepare, Prepared, SignedAttributes, ID_DATA, ID_SIGNED_DATA};

use crate::{SignError, TimestampSource};

/// id-aa-signatureTimeStampToken (RFC 3161 Appendix A)
pub const ID_SIGNATURE_TIME_STAMP: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// Phase one of a CAdES-B-B detached signature over `content` by the holder of
/// `certificate_der`: the signed attributes the card will sign (content-type id-data,
/// message-digest SHA-256, signing-time, signing-certificate-v2).
pub fn prepare_cades(
    content: &[u8],
    certificate_der: &[u8],
    signing_time: OffsetDateTime,
) -> Result<Prepared, SignError> {
    Ok(prepare(
        ID_DATA,
        content,
        false,
        certificate_der,
        &SignedAttributes {
            signing_time: Some(signing_time),
            signing_certificate_v2: true,
        },
    )?)
}

fn signed_data(cms_der: &[u8]) -> Result<SignedData, SignError> {
    let info = ContentInfo::from_der(cms_der)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(SignError::Invalid("not a CMS SignedData"));
    }
    Ok(info.content.decode_as()?)
}

/// The signature timestamp token of the (only) signer, if the signature has reached B-T.
pub fn signature_timestamp(cms_der: &[u8]) -> Result<Option<Vec<u8>>, SignError> {
    let signed = signed_data(cms_der)?;
    let signer = signed
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or(SignError::Invalid("no signer"))?;
    let Some(attrs) = &signer.unsigned_attrs else {
        return Ok(None);
    };
    attrs
        .iter()
        .find(|a| a.oid == ID_SIGNATURE_TIME_STAMP)
        .and_then(|a| a.values.iter().next())
        .map(|v| v.to_der())
        .transpose()
        .map_err(SignError::from)
}

/// B-B → B-T: a timestamp from `source` over the signer's signature value, added as the
/// signature-time-stamp unsigned attribute. The signed attributes and the signature are kept
/// as they are; a signature that already has a timestamp is refused.
pub async fn add_signature_timestamp(
    cms_der: &[u8],
    source: &impl TimestampSource,
) -> Result<Vec<u8>, SignError> {
    let mut signed = signed_data(cms_der)?;
    let mut signers = signed.signer_infos.0.into_vec();
    let [signer] = signers.as_mut_slice() else {
        return Err(SignError::Invalid("a CAdES file holds exactly one signer"));
    };
    if signature_has_timestamp(signer) {
        return Err(SignError::Invalid(
            "the signature already has a timestamp (B-T)",
        ));
    }
    let digest: [u8; 32] = sha2::Sha256::digest(signer.signature.as_bytes()).into();
    let token = source.timestamp(digest).await?;
    let mut values = SetOfVec::new();
    values.insert(Any::from_der(&token)?)?;
    let attribute = Attribute {
        oid: ID_SIGNATURE_TIME_STAMP,
        values,
    };
    let mut unsigned = signer.unsigned_attrs.take().unwrap_or_default();
    unsigned.insert(attribute)?;
    signer.unsigned_attrs = Some(unsigned);
    signed.signer_infos = SignerInfos(SetOfVec::try_from(signers)?);
    Ok(ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed)?,
    }
    .to_der()?)
}

fn signature_has_timestamp(signer: &cms::signed_data::SignerInfo) -> bool {
    signer
        .unsigned_attrs
        .as_ref()
        .is_some_and(|a| a.iter().any(|a| a.oid == ID_SIGNATURE_TIME_STAMP))
}
