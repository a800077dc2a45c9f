//! The JPKI certificate profile of J-LIS (公的個人認証サービス), in both directions, and chain
//! validation against J-LIS roots at a given time.
//!
//! - [`profile`] builds CA roots and the two end-entity certificates exactly as J-LIS does.
//! - [`JpkiCertificate`] parses them (keeping the signed bytes) and returns the basic four
//!   attributes, typed.
//! - [`validate`] checks an end-entity certificate against [`TrustAnchors`].
#![forbid(unsafe_code)]

pub mod address;
pub mod attributes;
mod certificate;
mod error;
pub mod lifetime;
pub mod names;
pub mod oid;
pub mod profile;
mod validate;

pub use attributes::{BasicFourAttributes, Sex};
pub use certificate::JpkiCertificate;
pub use error::JpkiError;
pub use validate::{validate, TrustAnchors, ValidatedCertificate, ValidationError};

pub use x509_cert::serial_number::SerialNumber;

/// The two certificate types on a My Number Card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CertificateKind {
    /// 署名用電子証明書: carries the basic four attributes; for e-signatures.
    Signature,
    /// 利用者証明用電子証明書: carries no attributes; for login.
    Authentication,
}

impl CertificateKind {
    /// The short name used in storage, file names and APIs: `signature` | `authentication`.
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateKind::Signature => "signature",
            CertificateKind::Authentication => "authentication",
        }
    }

    /// The certificate policy that identifies this type.
    pub fn policy(self) -> const_oid::ObjectIdentifier {
        match self {
            CertificateKind::Signature => oid::POLICY_SIGNATURE,
            CertificateKind::Authentication => oid::POLICY_AUTHENTICATION,
        }
    }
}

/// A serial number as uppercase hex, as J-LIS prints it (`06BFC341`).
pub fn serial_hex(serial: &SerialNumber) -> String {
    serial
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}
