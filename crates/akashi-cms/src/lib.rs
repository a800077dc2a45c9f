//! CMS `SignedData` (RFC 5652) with one RSA signer, as JPKI relying parties exchange it.
//!
//! - [`prepare_detached`] → [`Prepared::to_be_signed`] → the card (or an HSM) signs →
//!   [`Prepared::complete`]: the signer's private key never reaches this crate.
//! - [`parse_signed_data`] decodes a `ContentInfo` and returns the one signer's fields with the
//!   exact signed-attribute bytes from the input (re-tagged `SET OF` as RFC 5652 §5.4 says);
//!   a signature is verified over those bytes, never over a re-serialisation.
#![forbid(unsafe_code)]

mod build;
pub mod ess;
mod parse;

pub use build::{prepare, prepare_detached, prepare_digest, Prepared, SignedAttributes};
pub use parse::{parse_signed_data, SignedDataView, SignerView};

use const_oid::ObjectIdentifier;

/// id-data
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// id-signedData
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// id-contentType (signed attribute)
pub const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// id-messageDigest (signed attribute)
pub const ID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// id-signingTime (signed attribute)
pub const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
/// id-sha256
pub const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// rsaEncryption
pub const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// sha256WithRSAEncryption
pub const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// Why CMS input was refused, or could not be built. Decoding errors carry der's byte position.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    #[error("CMS DER: {0}")]
    Der(#[from] der::Error),
    #[error("CMS: {0}")]
    Invalid(&'static str),
    #[error("CMS: unsupported {what} {oid}")]
    Unsupported {
        what: &'static str,
        oid: ObjectIdentifier,
    },
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}
