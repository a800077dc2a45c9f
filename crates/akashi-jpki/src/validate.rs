//! Validation of a JPKI end-entity certificate against J-LIS trust anchors at a given time.
//!
//! JPKI paths are one step long: a J-LIS root signs the end-entity certificate directly. All
//! generations of one CA share a DN, so issuer candidates are found by name and the one whose
//! key verifies the signature is the issuer. The time is a parameter: nothing here reads a clock.

use std::fmt;

use const_oid::ObjectIdentifier;
use thiserror::Error;
use time::OffsetDateTime;
use x509_cert::ext::pkix::KeyUsages;

use akashi_crypto::{verify_rsa_pkcs1, HashAlgorithm};

use crate::attributes::BasicFourAttributes;
use crate::{oid, CertificateKind, JpkiCertificate, JpkiError};

/// The checks of [`validate`], each named in its failure.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ValidationError {
    #[error("parse: {0}")]
    Malformed(#[from] JpkiError),
    #[error(
        "certificate type: carries neither the JPKI signature policy nor the authentication policy"
    )]
    NotJpki,
    #[error("certificate type: expected a {expected} certificate, found a {found} certificate")]
    WrongKind {
        expected: CertificateKind,
        found: CertificateKind,
    },
    #[error("validity: not valid before {not_before} (checked at {at})")]
    NotYetValid {
        not_before: OffsetDateTime,
        at: OffsetDateTime,
    },
    #[error("validity: expired at {not_after} (checked at {at})")]
    Expired {
        not_after: OffsetDateTime,
        at: OffsetDateTime,
    },
    #[error("certificate policies: the {kind} policy {policy} must be present and critical")]
    Policy {
        kind: CertificateKind,
        policy: ObjectIdentifier,
    },
    #[error("key usage: a {kind} certificate needs exactly {expected} (critical)")]
    KeyUsage {
        kind: CertificateKind,
        expected: &'static str,
    },
    #[error("basic constraints: an end-entity certificate must not be a CA")]
    EndEntityIsCa,
    #[error("critical extension {0} is not understood")]
    UnknownCriticalExtension(ObjectIdentifier),
    #[error("signature algorithm: {0}")]
    SignatureAlgorithm(String),
    #[error("issuer: no trust anchor is named {issuer}")]
    UnknownIssuer { issuer: String },
    #[error(
        "signature: does not verify with any of the {candidates} trust anchor(s) named {issuer}"
    )]
    BadSignature { issuer: String, candidates: usize },
    #[error("trust anchor: the issuing root (serial {serial}) is {problem} at {at}")]
    AnchorUnusable {
        serial: String,
        problem: &'static str,
        at: OffsetDateTime,
    },
}

/// A set of J-LIS roots (any generations, both CAs).
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    roots: Vec<JpkiCertificate>,
}

impl TrustAnchors {
    pub fn new(roots: Vec<JpkiCertificate>) -> Self {
        Self { roots }
    }

    pub fn push(&mut self, root: JpkiCertificate) {
        self.roots.push(root);
    }

    pub fn roots(&self) -> &[JpkiCertificate] {
        &self.roots
    }

    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }
}

/// A certificate that passed every check, with what a relying party needs from it.
#[derive(Debug, Clone)]
pub struct ValidatedCertificate {
    pub kind: CertificateKind,
    pub certificate: JpkiCertificate,
    /// The root generation that issued it.
    pub issuer: JpkiCertificate,
    /// The basic four attributes (signature certificates only).
    pub attributes: Option<BasicFourAttributes>,
}

impl fmt::Display for CertificateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CertificateKind::Signature => "signature",
            CertificateKind::Authentication => "user-authentication",
        })
    }
}

/// Extensions an end-entity certificate of the profile may mark critical.
const UNDERSTOOD_CRITICAL: [ObjectIdentifier; 3] = [
    oid::ID_CE_KEY_USAGE,
    oid::ID_CE_CERTIFICATE_POLICIES,
    oid::ID_CE_BASIC_CONSTRAINTS,
];

/// Validates `cert` at time `at` against `anchors`; `expected` optionally pins the type.
pub fn validate(
    cert: &JpkiCertificate,
    anchors: &TrustAnchors,
    at: OffsetDateTime,
    expected: Option<CertificateKind>,
) -> Result<ValidatedCertificate, ValidationError> {
    let kind = cert.kind()?.ok_or(ValidationError::NotJpki)?;
    if let Some(expected) = expected.filter(|e| *e != kind) {
        return Err(ValidationError::WrongKind {
            expected,
            found: kind,
        });
    }
    check_signature_algorithm(cert)?;
    check_time(cert, at)?;
    check_profile(cert, kind)?;
    let issuer = find_issuer(cert, anchors)?;
    check_anchor(issuer, at)?;
    let attributes = match kind {
        CertificateKind::Signature => Some(cert.basic_four()?.ok_or_else(|| {
            JpkiError::Profile("signature certificate without the basic four attributes".into())
        })?),
        CertificateKind::Authentication => None,
    };
    Ok(ValidatedCertificate {
        kind,
        certificate: cert.clone(),
        issuer: issuer.clone(),
        attributes,
    })
}

fn check_signature_algorithm(cert: &JpkiCertificate) -> Result<(), ValidationError> {
    let c = cert.certificate();
    if c.signature_algorithm != c.tbs_certificate.signature {
        return Err(ValidationError::SignatureAlgorithm(
            "outer signatureAlgorithm differs from the TBSCertificate's".into(),
        ));
    }
    if c.signature_algorithm.oid != oid::SHA_256_WITH_RSA_ENCRYPTION {
        return Err(ValidationError::SignatureAlgorithm(format!(
            "{} is not sha256WithRSAEncryption",
            c.signature_algorithm.oid
        )));
    }
    Ok(())
}

fn check_time(cert: &JpkiCertificate, at: OffsetDateTime) -> Result<(), ValidationError> {
    if at < cert.not_before() {
        return Err(ValidationError::NotYetValid {
            not_before: cert.not_before(),
            at,
        });
    }
    if at > cert.not_after() {
        return Err(ValidationError::Expired {
            not_after: cert.not_after(),
            at,
        });
    }
    Ok(())
}

fn check_profile(cert: &JpkiCertificate, kind: CertificateKind) -> Result<(), ValidationError> {
    let policy_ok = cert
        .extension::<x509_cert::ext::pkix::CertificatePolicies>()?
        .is_some_and(|(critical, p)| {
            critical && p.0.iter().any(|i| i.policy_identifier == kind.policy())
        });
    if !policy_ok {
        return Err(ValidationError::Policy {
            kind,
            policy: kind.policy(),
        });
    }
    let (wanted, expected) = match kind {
        CertificateKind::Signature => (
            KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
            "digitalSignature and nonRepudiation",
        ),
        CertificateKind::Authentication => (KeyUsages::DigitalSignature.into(), "digitalSignature"),
    };
    match cert.extension::<x509_cert::ext::pkix::KeyUsage>()? {
        Some((true, ku)) if ku.0 == wanted => {}
        _ => return Err(ValidationError::KeyUsage { kind, expected }),
    }
    if cert.is_ca()? {
        return Err(ValidationError::EndEntityIsCa);
    }
    if let Some(unknown) = cert
        .critical_extensions()
        .into_iter()
        .find(|o| !UNDERSTOOD_CRITICAL.contains(o))
    {
        return Err(ValidationError::UnknownCriticalExtension(unknown));
    }
    Ok(())
}

fn find_issuer<'a>(
    cert: &JpkiCertificate,
    anchors: &'a TrustAnchors,
) -> Result<&'a JpkiCertificate, ValidationError> {
    let issuer = cert.issuer().to_string();
    let candidates: Vec<&JpkiCertificate> = anchors
        .roots()
        .iter()
        .filter(|root| root.subject() == cert.issuer())
        .collect();
    if candidates.is_empty() {
        return Err(ValidationError::UnknownIssuer { issuer });
    }
    let signature = cert.certificate().signature.as_bytes().ok_or_else(|| {
        ValidationError::SignatureAlgorithm("signature BIT STRING has unused bits".into())
    })?;
    candidates
        .iter()
        .find(|root| {
            root.public_key_der().is_ok_and(|spki| {
                verify_rsa_pkcs1(&spki, HashAlgorithm::Sha256, cert.tbs_der(), signature).is_ok()
            })
        })
        .copied()
        .ok_or(ValidationError::BadSignature {
            issuer,
            candidates: candidates.len(),
        })
}

fn check_anchor(root: &JpkiCertificate, at: OffsetDateTime) -> Result<(), ValidationError> {
    let unusable = |problem| ValidationError::AnchorUnusable {
        serial: root.serial_hex(),
        problem,
        at,
    };
    if at < root.not_before() || at > root.not_after() {
        return Err(unusable("outside its validity period"));
    }
    if !root.is_ca()? {
        return Err(unusable("not a CA (basic constraints)"));
    }
    let can_sign = root
        .key_usage()?
        .is_some_and(|ku| ku.0.contains(KeyUsages::KeyCertSign));
    if !can_sign {
        return Err(unusable("not allowed to sign certificates (key usage)"));
    }
    Ok(())
}
