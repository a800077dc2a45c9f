//! Decoding a `ContentInfo` holding `SignedData` with one signer.
//!
//! ```text
//! SignedData ::= SEQUENCE {
//!   version CMSVersion,
//!   digestAlgorithms DigestAlgorithmIdentifiers,
//!   encapContentInfo EncapsulatedContentInfo,
//!   certificates [0] IMPLICIT CertificateSet OPTIONAL,
//!   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
//!   signerInfos SignerInfos }
//! SignerInfo ::= SEQUENCE {
//!   version CMSVersion,
//!   sid SignerIdentifier,
//!   digestAlgorithm DigestAlgorithmIdentifier,
//!   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
//!   signatureAlgorithm SignatureAlgorithmIdentifier,
//!   signature SignatureValue,
//!   unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
//! ```

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Decode, Encode};

use crate::{CmsError, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNED_DATA};

/// The one signer of a `SignedData`.
#[derive(Debug, Clone)]
pub struct SignerView {
    /// DER of the issuer `Name` and the serial's content octets, when the signer is named by
    /// issuer and serial number.
    pub issuer_and_serial: Option<(Vec<u8>, Vec<u8>)>,
    /// The subjectKeyIdentifier, when the signer is named by it.
    pub subject_key_id: Option<Vec<u8>>,
    pub digest_algorithm: ObjectIdentifier,
    pub signature_algorithm: ObjectIdentifier,
    /// The signed attributes exactly as they appear in the input, tagged `SET OF` (0x31):
    /// the bytes the signature is over.
    pub signed_attrs: Vec<u8>,
    pub content_type: ObjectIdentifier,
    pub message_digest: Vec<u8>,
    pub signature: Vec<u8>,
}

/// What a relying party needs of a `SignedData`.
#[derive(Debug, Clone)]
pub struct SignedDataView {
    pub econtent_type: ObjectIdentifier,
    /// The encapsulated content, if the signature is not detached.
    pub econtent: Option<Vec<u8>>,
    /// DER of each certificate carried.
    pub certificates: Vec<Vec<u8>>,
    pub signer: SignerView,
}

/// The single value of the signed attribute `oid`.
fn single(
    attrs: &x509_cert::attr::Attributes,
    oid: ObjectIdentifier,
    name: &'static str,
) -> Result<der::Any, CmsError> {
    let mut found = attrs.iter().filter(|a| a.oid == oid);
    let attr = found.next().ok_or(CmsError::Invalid(name))?;
    if found.next().is_some() || attr.values.len() != 1 {
        return Err(CmsError::Invalid(name));
    }
    attr.values.get(0).cloned().ok_or(CmsError::Invalid(name))
}

/// Decodes `der` (a DER `ContentInfo`; trailing bytes are an error).
pub fn parse_signed_data(der: &[u8]) -> Result<SignedDataView, CmsError> {
    let info = ContentInfo::from_der(der)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(CmsError::Unsupported {
            what: "content type",
            oid: info.content_type,
        });
    }
    let signed: SignedData = info.content.decode_as()?;
    let mut signers = signed.signer_infos.0.iter();
    let signer = signers.next().ok_or(CmsError::Invalid("no signerInfo"))?;
    if signers.next().is_some() {
        return Err(CmsError::Invalid("more than one signerInfo"));
    }
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or(CmsError::Invalid("signedAttrs are required"))?;
    // The exact bytes: the canonical encoding must occur in the input as [0] IMPLICIT.
    let mut canonical = attrs.to_der()?;
    canonical[0] = 0xA0;
    if !der
        .windows(canonical.len())
        .any(|w| w == canonical.as_slice())
    {
        return Err(CmsError::Invalid("signedAttrs are not DER-encoded"));
    }
    canonical[0] = 0x31;
    let content_type = single(attrs, ID_CONTENT_TYPE, "signedAttrs need one content-type")?
        .decode_as::<ObjectIdentifier>()?;
    let message_digest = single(
        attrs,
        ID_MESSAGE_DIGEST,
        "signedAttrs need one message-digest",
    )?
    .decode_as::<OctetString>()?
    .as_bytes()
    .to_vec();
    let (issuer_and_serial, subject_key_id) = match &signer.sid {
        SignerIdentifier::IssuerAndSerialNumber(i) => (
            Some((i.issuer.to_der()?, i.serial_number.as_bytes().to_vec())),
            None,
        ),
        SignerIdentifier::SubjectKeyIdentifier(k) => (None, Some(k.0.as_bytes().to_vec())),
    };
    let certificates = match &signed.certificates {
        None => Vec::new(),
        Some(set) => set
            .0
            .iter()
            .filter_map(|c| match c {
                CertificateChoices::Certificate(c) => Some(c.to_der()),
                CertificateChoices::Other(_) => None,
            })
            .collect::<Result<_, _>>()?,
    };
    let econtent = signed
        .encap_content_info
        .econtent
        .as_ref()
        .map(|any| {
            any.decode_as::<OctetString>()
                .map(|o| o.as_bytes().to_vec())
        })
        .transpose()?;
    Ok(SignedDataView {
        econtent_type: signed.encap_content_info.econtent_type,
        econtent,
        certificates,
        signer: SignerView {
            issuer_and_serial,
            subject_key_id,
            digest_algorithm: signer.digest_alg.oid,
            signature_algorithm: signer.signature_algorithm.oid,
            signed_attrs: canonical,
            content_type,
            message_digest,
            signature: signer.signature.as_bytes().to_vec(),
        },
    })
}

impl SignedDataView {
    /// The signer's certificate (DER), named by issuer and serial number, among the
    /// certificates the SignedData carries and `extra` (validation data found elsewhere).
    pub fn signer_certificate<'a>(&'a self, extra: &'a [Vec<u8>]) -> Option<&'a [u8]> {
        let (issuer, serial) = self.signer.issuer_and_serial.as_ref()?;
        self.certificates
            .iter()
            .chain(extra)
            .find(|der| {
                x509_cert::Certificate::from_der(der).is_ok_and(|c| {
                    c.tbs_certificate
                        .issuer
                        .to_der()
                        .is_ok_and(|i| &i == issuer)
                        && c.tbs_certificate.serial_number.as_bytes() == serial.as_slice()
                })
            })
            .map(Vec::as_slice)
    }
}
