//! Long-term electronic signatures with the My Number Card's signature certificate.
//!
//! CAdES baseline (ETSI EN 319 122-1) as detached CMS `SignedData`, one signature per signer:
//! - **B-B** ([`prepare_cades`] → the card signs [`akashi_cms::Prepared::to_be_signed`] →
//!   [`akashi_cms::Prepared::complete`]): content-type, message-digest, signing-time and
//!   signing-certificate-v2 signed; the private key never reaches this crate.
//! - **B-T** ([`add_signature_timestamp`]): an RFC 3161 token over the signature value as the
//!   unsigned signature-time-stamp attribute, from any [`TimestampSource`].
//! - **B-LT** ([`add_validation_data`]): the certificate path and J-LIS CRLs embedded.
//! - **B-LTA** ([`add_archive_timestamp`], renewed by [`renew_cades_archive_timestamp`]):
//!   archive-time-stamp-v3 attributes with their ats-hash-index-v3 (ETSI EN 319 122-1 §5.5).
//!
//! Privacy: the signature certificate carries the basic four attributes (name, birth date,
//! sex, address), so every counterparty who receives the signature sees them.
#![forbid(unsafe_code)]

mod archive;
mod cades;
mod http_jlis;
mod ltv;
pub mod pades;
mod raw_cms;
mod timestamp;
pub mod trusted_list;
pub mod validate;

pub use archive::{
    add_archive_timestamp, add_timestamp_validation_data, archive_timestamps, cades_level,
    renew_cades_archive_timestamp, signed_content_digest, ArchiveTimestamp,
    ID_ARCHIVE_TIME_STAMP_V3, ID_ATS_HASH_INDEX_V3,
};
pub use cades::{
    add_signature_timestamp, prepare_cades, signature_timestamp, ID_SIGNATURE_TIME_STAMP,
};
pub use http_jlis::HttpJlis;
pub use ltv::{add_validation_data, embed, LocalJlis, ValidationSource};
pub use pades::{
    add_document_timestamp, add_pades_validation_data, prepare_pades, renew_archive_timestamp,
    PreparedPades,
};
pub use timestamp::{HttpTsa, LocalTsa, TimestampSource};
pub use validate::{validate_cades, validate_pades, Anchors, Evidence, Report};

/// Why a signature could not be built or augmented.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    #[error("signature: CMS: {0}")]
    Cms(#[from] akashi_cms::CmsError),
    #[error("signature: DER: {0}")]
    Der(#[from] der::Error),
    #[error("signature: {0}")]
    Invalid(&'static str),
    #[error("signature: the TSA refused: {0}")]
    TsaRefused(String),
    #[error("signature: TSA: {0}")]
    Tsa(#[from] akashi_tsa::TsaError),
    #[error("signature: PDF: {0}")]
    Pdf(#[from] akashi_pdf::PdfError),
    #[error("trust anchors: {0}")]
    Anchors(String),
    #[error("trusted list: {0}")]
    TrustedList(String),
    #[error("validation data: {0}")]
    ValidationData(String),
    #[error("signature: HTTP: {0}")]
    Http(String),
}
