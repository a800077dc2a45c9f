//! The signing-certificate-v2 signed attribute (RFC 5035 §3, ESS): binds a signature to the
//! signer's certificate by its hash, so a certificate with the same key cannot be swapped in.
//! Required by CAdES baseline (ETSI EN 319 122-1 §5.2.2) and by RFC 5816 for timestamp tokens.
//!
//! ```text
//! SigningCertificateV2 ::= SEQUENCE {
//!     certs        SEQUENCE OF ESSCertIDv2,
//!     policies     SEQUENCE OF PolicyInformation OPTIONAL }
//!
//! ESSCertIDv2 ::= SEQUENCE {
//!     hashAlgorithm  AlgorithmIdentifier DEFAULT {algorithm id-sha256},
//!     certHash       Hash,
//!     issuerSerial   IssuerSerial OPTIONAL }
//!
//! IssuerSerial ::= SEQUENCE {
//!     issuer        GeneralNames,
//!     serialNumber  CertificateSerialNumber }
//! ```

use der::asn1::OctetString;
use der::Sequence;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;

use crate::{sha256, CmsError};

/// id-aa-signingCertificateV2
pub const ID_SIGNING_CERTIFICATE_V2: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    /// Absent means SHA-256 (the DEFAULT, which DER omits).
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
}

impl SigningCertificateV2 {
    /// The attribute value for `certificate` (SHA-256 of its DER, with issuer and serial).
    pub fn for_certificate(certificate: &Certificate) -> Result<Self, CmsError> {
        use der::Encode;
        let tbs = &certificate.tbs_certificate;
        Ok(Self {
            certs: vec![EssCertIdV2 {
                hash_algorithm: None,
                cert_hash: OctetString::new(sha256(&certificate.to_der()?).to_vec())?,
                issuer_serial: Some(IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(tbs.issuer.clone())],
                    serial_number: tbs.serial_number.clone(),
                }),
            }],
        })
    }
}
