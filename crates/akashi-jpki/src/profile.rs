//! Building JPKI certificates: the CA roots and both end-entity types, extension by extension
//! in the order and criticality of real J-LIS certificates.
//!
//! Signing is two-phase: [`UnsignedCertificate::to_be_signed`] gives the DER TBSCertificate,
//! whoever holds the CA key signs it (sha256WithRSAEncryption), and
//! [`UnsignedCertificate::complete`] assembles the certificate.

use const_oid::AssociatedOid;
use der::asn1::{Any, BitString, Ia5String, OctetString, Utf8StringRef};
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use time::OffsetDateTime;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName, OtherName};
use x509_cert::ext::pkix::{
    certpolicy::{PolicyInformation, PolicyQualifierInfo},
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CertificatePolicies, CrlDistributionPoints, ExtendedKeyUsage, IssuerAltName, KeyUsage,
    KeyUsages, SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

use crate::attributes::{encode_birth_date, BasicFourAttributes};
use crate::{names, oid, CertificateKind, JpkiError};

/// What identifies the issuing CA generation inside an end-entity certificate (AKI).
#[derive(Debug, Clone)]
pub struct IssuerRef {
    pub name: Name,
    pub key_id: Vec<u8>,
    pub serial: SerialNumber,
}

/// The person-specific part of an end-entity certificate.
#[derive(Debug, Clone)]
pub enum Holder<'a> {
    /// The user-authentication certificate carries no attributes.
    Authentication,
    /// The signature certificate carries the basic four attributes and their substitute positions.
    Signature {
        attributes: &'a BasicFourAttributes,
        name_substitutes: String,
        address_substitutes: String,
        /// Romanised prefecture and municipality for the subject's two `L=` attributes.
        locality: (&'a str, &'a str),
    },
}

impl Holder<'_> {
    pub fn kind(&self) -> CertificateKind {
        match self {
            Holder::Authentication => CertificateKind::Authentication,
            Holder::Signature { .. } => CertificateKind::Signature,
        }
    }
}

/// Parameters of an end-entity certificate.
#[derive(Debug, Clone)]
pub struct EndEntityParams<'a> {
    pub holder: Holder<'a>,
    /// The 23-character identifier J-LIS puts in the subject CN.
    pub identifier: &'a str,
    pub serial: SerialNumber,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub subject_public_key_der: &'a [u8],
    /// Romanised prefecture and municipality of the CRL distribution point.
    pub crl_location: (&'a str, &'a str),
    pub issuer: &'a IssuerRef,
}

/// Parameters of a self-signed CA certificate (one generation of a J-LIS CA).
#[derive(Debug, Clone)]
pub struct CaParams<'a> {
    pub kind: CertificateKind,
    pub serial: SerialNumber,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub public_key_der: &'a [u8],
}

/// A certificate awaiting its issuer's signature.
#[derive(Debug, Clone)]
pub struct UnsignedCertificate {
    tbs: TbsCertificate,
    tbs_der: Vec<u8>,
}

impl UnsignedCertificate {
    fn new(tbs: TbsCertificate) -> Result<Self, JpkiError> {
        let tbs_der = tbs.to_der()?;
        Ok(Self { tbs, tbs_der })
    }

    /// The exact DER bytes the issuer signs with sha256WithRSAEncryption.
    pub fn to_be_signed(&self) -> &[u8] {
        &self.tbs_der
    }

    /// Assembles the certificate DER from the issuer's signature over [`Self::to_be_signed`].
    pub fn complete(self, signature: &[u8]) -> Result<Vec<u8>, JpkiError> {
        let cert = Certificate {
            signature_algorithm: self.tbs.signature.clone(),
            tbs_certificate: self.tbs,
            signature: BitString::from_bytes(signature)?,
        };
        Ok(cert.to_der()?)
    }
}

/// SHA-1 over the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1), as J-LIS computes SKI.
pub fn key_identifier(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    use sha1::Digest;
    sha1::Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec()
}

pub fn sha256_with_rsa() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: oid::SHA_256_WITH_RSA_ENCRYPTION,
        parameters: Some(Any::null()),
    }
}

/// UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
pub fn time(t: OffsetDateTime) -> Result<Time, JpkiError> {
    let unix = u64::try_from(t.unix_timestamp())
        .map_err(|_| JpkiError::Profile(format!("time {t} is before 1970")))?;
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(unix))?;
    Ok(if dt.year() <= 2049 {
        Time::UtcTime(der::asn1::UtcTime::from_date_time(dt)?)
    } else {
        Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(dt))
    })
}

/// An extension with the criticality J-LIS gives it (not the library's default).
pub fn ext<E: AssociatedOid + Encode>(value: &E, critical: bool) -> Result<Extension, JpkiError> {
    Ok(Extension {
        extn_id: E::OID,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

/// Assembles a v3 sha256WithRSAEncryption TBSCertificate; the subject key identifier, last
/// in every J-LIS certificate, is appended to `extensions` here. Public for the other
/// certificates a J-LIS CA generation issues (e.g. its delegated OCSP responder).
pub fn tbs(
    serial: &SerialNumber,
    issuer: Name,
    subject: Name,
    (not_before, not_after): (OffsetDateTime, OffsetDateTime),
    spki: SubjectPublicKeyInfoOwned,
    mut extensions: Vec<Extension>,
) -> Result<UnsignedCertificate, JpkiError> {
    extensions.push(ext(
        &SubjectKeyIdentifier(OctetString::new(key_identifier(&spki))?),
        false,
    )?);
    UnsignedCertificate::new(TbsCertificate {
        version: Version::V3,
        serial_number: serial.clone(),
        signature: sha256_with_rsa(),
        issuer,
        validity: Validity {
            not_before: time(not_before)?,
            not_after: time(not_after)?,
        },
        subject,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    })
}

fn rsa_spki(der: &[u8]) -> Result<SubjectPublicKeyInfoOwned, JpkiError> {
    let spki = SubjectPublicKeyInfoOwned::from_der(der)?;
    if spki.algorithm.oid != oid::RSA_ENCRYPTION {
        return Err(JpkiError::Profile("JPKI keys are RSA".into()));
    }
    Ok(spki)
}

fn crl_dp(name: Name) -> CrlDistributionPoints {
    CrlDistributionPoints(vec![DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![
            GeneralName::DirectoryName(name),
        ])),
        reasons: None,
        crl_issuer: None,
    }])
}

/// Builds the TBSCertificate of a J-LIS CA root.
pub fn build_ca(params: &CaParams<'_>) -> Result<UnsignedCertificate, JpkiError> {
    let spki = rsa_spki(params.public_key_der)?;
    let name = names::ca_name(params.kind);
    let extensions = vec![
        ext(&KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign), true)?,
        ext(
            &SubjectAltName(vec![GeneralName::DirectoryName(
                names::issuer_alt_dir_name(params.kind),
            )]),
            false,
        )?,
        ext(
            &BasicConstraints {
                ca: true,
                path_len_constraint: None,
            },
            true,
        )?,
        ext(&crl_dp(name.clone()), false)?,
    ];
    tbs(
        &params.serial,
        name.clone(),
        name,
        (params.not_before, params.not_after),
        spki,
        extensions,
    )
}

/// Builds the TBSCertificate of a signature or user-authentication certificate.
pub fn build_end_entity(params: &EndEntityParams<'_>) -> Result<UnsignedCertificate, JpkiError> {
    let kind = params.holder.kind();
    let spki = rsa_spki(params.subject_public_key_der)?;
    let subject = match &params.holder {
        Holder::Authentication => names::authentication_subject(params.identifier),
        Holder::Signature {
            locality: (pref, city),
            ..
        } => names::signature_subject(pref, city, params.identifier),
    };
    let (policy, ocsp, key_usage) = match kind {
        CertificateKind::Authentication => (
            oid::POLICY_AUTHENTICATION,
            oid::OCSP_URI_AUTHENTICATION,
            KeyUsages::DigitalSignature.into(),
        ),
        CertificateKind::Signature => (
            oid::POLICY_SIGNATURE,
            oid::OCSP_URI_SIGNATURE,
            KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
        ),
    };
    let policies = CertificatePolicies(vec![PolicyInformation {
        policy_identifier: policy,
        policy_qualifiers: Some(vec![PolicyQualifierInfo {
            policy_qualifier_id: oid::ID_QT_CPS,
            qualifier: Some(Any::encode_from(&Ia5String::new(oid::CPS_URI)?)?),
        }]),
    }]);
    let mut extensions = vec![ext(&KeyUsage(key_usage), true)?];
    if kind == CertificateKind::Authentication {
        extensions.push(ext(&ExtendedKeyUsage(vec![oid::ID_KP_CLIENT_AUTH]), false)?);
    }
    extensions.push(ext(&policies, true)?);
    if let Holder::Signature {
        attributes,
        name_substitutes,
        address_substitutes,
        ..
    } = &params.holder
    {
        extensions.push(ext(
            &SubjectAltName(basic_four_names(
                attributes,
                name_substitutes,
                address_substitutes,
            )?),
            false,
        )?);
    }
    let (pref, city) = params.crl_location;
    extensions.extend([
        ext(
            &IssuerAltName(vec![GeneralName::DirectoryName(
                names::issuer_alt_dir_name(kind),
            )]),
            false,
        )?,
        ext(
            &crl_dp(names::crl_distribution_point(kind, pref, city)),
            false,
        )?,
        ext(
            &AuthorityInfoAccessSyntax(vec![AccessDescription {
                access_method: oid::ID_AD_OCSP,
                access_location: GeneralName::UniformResourceIdentifier(Ia5String::new(ocsp)?),
            }]),
            false,
        )?,
        ext(
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(params.issuer.key_id.clone())?),
                authority_cert_issuer: Some(vec![GeneralName::DirectoryName(
                    params.issuer.name.clone(),
                )]),
                authority_cert_serial_number: Some(params.issuer.serial.clone()),
            },
            false,
        )?,
    ]);
    tbs(
        &params.serial,
        params.issuer.name.clone(),
        subject,
        (params.not_before, params.not_after),
        spki,
        extensions,
    )
}

/// The six otherName entries of the signature certificate, in the real order.
fn basic_four_names(
    attributes: &BasicFourAttributes,
    name_substitutes: &str,
    address_substitutes: &str,
) -> Result<Vec<GeneralName>, JpkiError> {
    let dob = encode_birth_date(attributes.birth_date);
    let sex = attributes.sex.code().to_string();
    [
        (oid::PD_NAME, attributes.name.as_str()),
        (oid::PD_DATE_OF_BIRTH, dob.as_str()),
        (oid::PD_SEX, sex.as_str()),
        (oid::PD_ADDRESS, attributes.address.as_str()),
        (oid::PD_NAME_SUBSTITUTE, name_substitutes),
        (oid::PD_ADDRESS_SUBSTITUTE, address_substitutes),
    ]
    .into_iter()
    .map(|(type_id, value)| {
        Ok(GeneralName::OtherName(OtherName {
            type_id,
            value: Any::encode_from(&Utf8StringRef::new(value)?)?,
        }))
    })
    .collect()
}
