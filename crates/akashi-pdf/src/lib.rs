//! The PDF side of PAdES (ETSI EN 319 142-1): every signature, document timestamp and DSS is
//! an incremental update (ISO 32000-1 §7.5.6), so the bytes an earlier signature covers are
//! never touched.
//!
//! - [`prepare_signature`] appends an invisible signature field whose signature dictionary
//!   (ISO 32000-1 §12.8.1) has a zero-filled `/Contents` placeholder and an exact
//!   `/ByteRange`; [`PreparedSignature::sha256`] is what the CMS (built elsewhere) signs or a
//!   TSA stamps; [`PreparedSignature::complete`] splices the CMS DER in.
//! - [`add_dss`] / [`dss`]: the Document Security Store (ISO 32000-2 §12.8.4.3, ETSI EN
//!   319 142-1 §5.4.2) with certificates, OCSP responses and CRLs for long-term validation.
//! - [`signatures`], [`revisions`], [`covered_digest`] read signatures back;
//!   [`changes_after`] classifies what the revisions after a signature changed.
//! - [`text_pdf`]: a minimal one-page document.
//!
//! Reading handles classic xref tables, xref streams, hybrid files and object streams
//! (FlateDecode with PNG predictors); encrypted files are refused. An update's xref section
//! is a classic table after a table and an xref stream after a stream.
#![forbid(unsafe_code)]

mod diff;
mod dss;
mod filter;
mod inspect;
mod lexer;
mod object;
mod objstm;
mod sign;
mod text;
mod write;
mod xref;

pub use diff::{changes_after, AllowedChange, Change};
pub use dss::{add_dss, dss, ValidationData};
pub use inspect::{covered_digest, revisions, signatures, SignatureInfo};
pub use sign::{prepare_signature, PreparedSignature, SignatureSpec, SubFilter};
pub use text::text_pdf;

/// Why a PDF was refused or could not be updated. Syntax and xref errors carry the byte
/// offset where reading stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    #[error("PDF syntax at byte {offset}: {what}")]
    Syntax { offset: u64, what: &'static str },
    #[error("PDF cross-reference at byte {offset}: {what}")]
    Xref { offset: u64, what: &'static str },
    #[error("PDF structure: {0}")]
    Structure(String),
    #[error("PDF stream: {0}")]
    Filter(String),
    #[error("unsupported PDF: {0}")]
    Unsupported(&'static str),
    #[error("a field named {0:?} already exists")]
    FieldExists(String),
    #[error("/Contents capacity {0} is not between 1 and 16 MiB")]
    Capacity(usize),
    #[error("a CMS of {needed} bytes does not fit the {capacity}-byte /Contents placeholder")]
    ContentsTooLarge { needed: usize, capacity: usize },
    #[error("byte range {range:?} does not fit the {len}-byte file")]
    ByteRange { range: [u64; 4], len: u64 },
}
