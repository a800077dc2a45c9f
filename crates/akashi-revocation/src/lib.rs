//! Revocation formats of a J-LIS CA generation: DER CRLs (RFC 5280 §5), OCSP requests and
//! responses (RFC 6960), and the delegated OCSP responder certificate.
//!
//! This is a formats layer: no I/O and no clock. Every time is a parameter, and every
//! signature is two-phase (the bytes to sign out, the signature in), so the CA key stays
//! wherever its owner keeps it.
//!
//! - [`crl`] builds, parses and verifies CRLs;
//! - [`cert_id`] computes and matches OCSP CertIDs (SHA-1 and SHA-256);
//! - [`ocsp_request`] parses OCSP requests (DER, and the GET form of RFC 6960 Appendix A);
//! - [`ocsp_response`] builds OCSP responses, [`ocsp_parse`] parses and verifies them;
//! - [`responder`] builds the delegated OCSP responder certificate;
//! - [`reason`] is the CRLReason code shared by CRLs and OCSP.
#![forbid(unsafe_code)]

mod asn1_time;
pub mod cert_id;
pub mod crl;
mod error;
pub mod ocsp_parse;
pub mod ocsp_request;
pub mod ocsp_response;
pub mod reason;
pub mod responder;
mod signed;

pub use cert_id::{matches_issuer, CertId, CertIdHash};
pub use crl::{
    build_crl, parse_crl, verify_crl, CrlEntry, CrlParams, ParsedCrl, RevokedEntry, UnsignedCrl,
};
pub use error::RevocationError;
pub use ocsp_request::{
    build_request, parse_request, request_from_get_path, ParsedRequest, RequestedCert,
};
pub use ocsp_response::{
    build_basic_response, error_response, parse_response, verify_basic_response,
    BasicResponseParams, CertStatus, OcspResponseStatus, ParsedBasicResponse, ParsedResponse,
    ParsedSingleResponse, ResponderIdentity, SingleResponseParams, UnsignedOcspResponse,
};
pub use reason::RevocationReason;
pub use responder::{build_responder, responder_subject, ResponderParams};

pub use akashi_jpki::SerialNumber;
