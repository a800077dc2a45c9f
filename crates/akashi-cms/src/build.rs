//! Two-phase building of a detached `SignedData`: the signed attributes first (what the card
//! signs), the `ContentInfo` after the signature comes back.

use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::ObjectIdentifier;
use der::asn1::{OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::attr::Attribute;
use x509_cert::Certificate;

use crate::ess::{SigningCertificateV2, ID_SIGNING_CERTIFICATE_V2};
use crate::{
    sha256, CmsError, ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SHA256, ID_SIGNED_DATA,
    ID_SIGNING_TIME, RSA_ENCRYPTION,
};

/// A signature in preparation: the signed attributes are fixed; the signature is missing.
#[derive(Debug, Clone)]
pub struct Prepared {
    certificate: Certificate,
    content_type: ObjectIdentifier,
    /// The encapsulated content, or `None` for a detached signature.
    econtent: Option<Vec<u8>>,
    signed_attrs: SetOfVec<Attribute>,
    to_be_signed: Vec<u8>,
}

/// Which signed attributes besides content-type and message-digest.
#[derive(Debug, Clone, Default)]
pub struct SignedAttributes {
    /// signing-time (RFC 5652 §11.3).
    pub signing_time: Option<OffsetDateTime>,
    /// signing-certificate-v2 (RFC 5035) naming the signer's certificate by hash.
    pub signing_certificate_v2: bool,
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, CmsError> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

/// Prepares a detached signature over `content` by the holder of `certificate_der`:
/// content-type id-data, message-digest SHA-256, signing-time `signing_time`.
pub fn prepare_detached(
    content: &[u8],
    certificate_der: &[u8],
    signing_time: OffsetDateTime,
) -> Result<Prepared, CmsError> {
    prepare(
        ID_DATA,
        content,
        false,
        certificate_der,
        &SignedAttributes {
            signing_time: Some(signing_time),
            signing_certificate_v2: false,
        },
    )
}

/// Prepares a signature over `content` of type `content_type`, encapsulated in the
/// `SignedData` (`encapsulate`) or detached, with the signed attributes `attributes` asks for.
pub fn prepare(
    content_type: ObjectIdentifier,
    content: &[u8],
    encapsulate: bool,
    certificate_der: &[u8],
    attributes: &SignedAttributes,
) -> Result<Prepared, CmsError> {
    let mut prepared = prepare_digest(content_type, sha256(content), certificate_der, attributes)?;
    prepared.econtent = encapsulate.then(|| content.to_vec());
    Ok(prepared)
}

/// Prepares a detached signature over content known only by its SHA-256 `digest` (a PDF's
/// byte ranges, a large file hashed as it streams).
pub fn prepare_digest(
    content_type: ObjectIdentifier,
    digest: [u8; 32],
    certificate_der: &[u8],
    attributes: &SignedAttributes,
) -> Result<Prepared, CmsError> {
    let certificate = Certificate::from_der(certificate_der)?;
    let mut signed_attrs = SetOfVec::new();
    signed_attrs.insert(attribute(
        ID_CONTENT_TYPE,
        Any::encode_from(&content_type)?,
    )?)?;
    signed_attrs.insert(attribute(
        ID_MESSAGE_DIGEST,
        Any::encode_from(&OctetString::new(digest.to_vec())?)?,
    )?)?;
    if let Some(at) = attributes.signing_time {
        let utc = UtcTime::from_unix_duration(std::time::Duration::from_secs(
            u64::try_from(at.unix_timestamp())
                .map_err(|_| CmsError::Invalid("signing time before 1970"))?,
        ))?;
        signed_attrs.insert(attribute(ID_SIGNING_TIME, Any::encode_from(&utc)?)?)?;
    }
    if attributes.signing_certificate_v2 {
        signed_attrs.insert(attribute(
            ID_SIGNING_CERTIFICATE_V2,
            Any::encode_from(&SigningCertificateV2::for_certificate(&certificate)?)?,
        )?)?;
    }
    let to_be_signed = signed_attrs.to_der()?;
    Ok(Prepared {
        certificate,
        content_type,
        econtent: None,
        signed_attrs,
        to_be_signed,
    })
}

impl Prepared {
    /// The DER `SET OF Attribute` the signer signs (RSASSA-PKCS1-v1_5 with SHA-256 over
    /// exactly these bytes).
    pub fn to_be_signed(&self) -> &[u8] {
        &self.to_be_signed
    }

    /// The DER `ContentInfo` with the signature, the signer's certificate and, unless
    /// detached, the content.
    pub fn complete(self, signature: &[u8]) -> Result<Vec<u8>, CmsError> {
        self.complete_with(signature, true)
    }

    /// [`Prepared::complete`], with or without the signer's certificate in `certificates`.
    pub fn complete_with(
        self,
        signature: &[u8],
        include_certificate: bool,
    ) -> Result<Vec<u8>, CmsError> {
        let sha256_alg = AlgorithmIdentifierOwned {
            oid: ID_SHA256,
            parameters: None,
        };
        let tbs = &self.certificate.tbs_certificate;
        let signer = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer.clone(),
                serial_number: tbs.serial_number.clone(),
            }),
            digest_alg: sha256_alg.clone(),
            signed_attrs: Some(self.signed_attrs),
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: RSA_ENCRYPTION,
                parameters: Some(Any::null()),
            },
            signature: OctetString::new(signature)?,
            unsigned_attrs: None,
        };
        let mut digest_algorithms = SetOfVec::new();
        digest_algorithms.insert(sha256_alg)?;
        let mut certificates = SetOfVec::new();
        certificates.insert(cms::cert::CertificateChoices::Certificate(self.certificate))?;
        let mut signer_infos = SetOfVec::new();
        signer_infos.insert(signer)?;
        // RFC 5652 §5.1: version 3 when the content is not id-data.
        let version = if self.content_type == ID_DATA {
            CmsVersion::V1
        } else {
            CmsVersion::V3
        };
        let signed_data = SignedData {
            version,
            digest_algorithms,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: self.content_type,
                econtent: self
                    .econtent
                    .map(|c| Any::encode_from(&OctetString::new(c)?))
                    .transpose()?,
            },
            certificates: include_certificate.then_some(CertificateSet(certificates)),
            crls: None,
            signer_infos: SignerInfos(signer_infos),
        };
        Ok(ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data)?,
        }
        .to_der()?)
    }
}
