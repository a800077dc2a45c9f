//! The delegated OCSP responder certificate a J-LIS CA generation issues (RFC 6960 §4.2.2.2).
//!
//! ```text
//! -- TBSCertificate as in RFC 5280, with these extensions, in this order:
//! KeyUsage          ::= BIT STRING { digitalSignature (0) }          -- critical
//! ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId       -- id-kp-OCSPSigning
//! OcspNoCheck       ::= NULL                 -- id-pkix-ocsp-nocheck 1.3.6.1.5.5.7.48.1.5
//! AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] KeyIdentifier }
//! SubjectKeyIdentifier   ::= KeyIdentifier  -- last, as in every J-LIS certificate
//! ```
//!
//! The subject is the CA's DN with a common name for the responder (our convention; J-LIS does
//! not publish its responder DNs):
//! `C=JP, O=JPKI, OU=JPKI for digital signature | JPKI for user authentication,
//! OU=Japan Agency for Local Authority Information Systems, CN=OCSP Responder <generation>`.
//! id-pkix-ocsp-nocheck tells relying parties not to check the responder's own revocation,
//! so its validity should be short.

use akashi_jpki::profile::{ext, tbs, UnsignedCertificate};
use akashi_jpki::{names, oid, CertificateKind, JpkiCertificate};
use const_oid::db::rfc5280::ID_KP_OCSP_SIGNING;
use const_oid::db::rfc6960::ID_PKIX_OCSP_NOCHECK;
use der::asn1::{Any, Null, OctetString, SetOfVec, Utf8StringRef};
use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoOwned;
use time::OffsetDateTime;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, ExtendedKeyUsage, KeyUsage, KeyUsages};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;

use crate::RevocationError;

/// Parameters of a delegated responder certificate.
#[derive(Debug, Clone)]
pub struct ResponderParams<'a> {
    /// The CA generation that issues (and whose certificates the responder answers for).
    pub issuer: &'a JpkiCertificate,
    pub kind: CertificateKind,
    /// Names the generation in the CN, e.g. `2019`.
    pub generation: &'a str,
    pub serial: SerialNumber,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// DER SubjectPublicKeyInfo of the responder's RSA key.
    pub public_key_der: &'a [u8],
}

/// The responder's subject: the CA DN plus `CN=OCSP Responder <generation>` (UTF8String).
pub fn responder_subject(kind: CertificateKind, generation: &str) -> Result<Name, RevocationError> {
    let mut name = names::ca_name(kind);
    let cn = format!("OCSP Responder {generation}");
    let atav = AttributeTypeAndValue {
        oid: oid::COMMON_NAME,
        value: Any::encode_from(&Utf8StringRef::new(&cn)?)?,
    };
    name.0
        .push(RelativeDistinguishedName(SetOfVec::try_from(vec![atav])?));
    Ok(name)
}

/// Builds the TBSCertificate of a delegated OCSP responder certificate, to be signed by the
/// CA generation's key.
pub fn build_responder(
    params: &ResponderParams<'_>,
) -> Result<UnsignedCertificate, RevocationError> {
    if params.not_after <= params.not_before {
        return Err(RevocationError::invalid(
            "responder certificate",
            "notAfter must be after notBefore",
        ));
    }
    let spki = SubjectPublicKeyInfoOwned::from_der(params.public_key_der)?;
    if spki.algorithm.oid != oid::RSA_ENCRYPTION {
        return Err(RevocationError::invalid(
            "responder certificate",
            "JPKI keys are RSA",
        ));
    }
    let issuer_key_id = match params.issuer.subject_key_id()? {
        Some(ski) => ski,
        None => akashi_jpki::profile::key_identifier(
            &params
                .issuer
                .certificate()
                .tbs_certificate
                .subject_public_key_info,
        ),
    };
    let extensions = vec![
        ext(&KeyUsage(KeyUsages::DigitalSignature.into()), true)?,
        ext(&ExtendedKeyUsage(vec![ID_KP_OCSP_SIGNING]), false)?,
        Extension {
            extn_id: ID_PKIX_OCSP_NOCHECK,
            critical: false,
            extn_value: OctetString::new(Null.to_der()?)?,
        },
        ext(
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(issuer_key_id)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
            false,
        )?,
    ];
    Ok(tbs(
        &params.serial,
        params.issuer.subject().clone(),
        responder_subject(params.kind, params.generation)?,
        (params.not_before, params.not_after),
        spki,
        extensions,
    )?)
}
