//! An RFC 3161 time-stamping authority.
//!
//! - [`TsaAuthority`]: the TSA's keys and certificates in a data directory (sealed keys): a
//!   trust-services root CA and the TSA certificate it issues (id-kp-timeStamping as the only,
//!   critical, extended key usage; RFC 3161 §2.3).
//! - [`Tsa::respond`]: a DER `TimeStampReq` in, a DER `TimeStampResp` out — granted with a
//!   token (TSTInfo in CMS SignedData, ESSCertIDv2 per RFC 5816) or rejected with the PKI
//!   failure bit that names the problem. Time and serial number are inputs.
//! - [`next_serial`]: serial numbers that only grow, persisted in the store.
//! - [`TsaAuthority::certification_request`] and [`TsaAuthority::install`]: the TSA
//!   certificate from an external CA (PKCS#10 out, the certificate checked and installed
//!   atomically), and a configurable policy OID ([`TsaAuthority::set_policy`]).
//!
//! The TSA signs with RSA-2048 PKCS#1 v1.5 / SHA-256 through OpenSSL: the algorithm every
//! long-term-signature validator (JIS X 5092 / ETSI EN 319 122 profiles, openssl ts, pyHanko)
//! accepts, at the cost of ~1 ms per token.
#![forbid(unsafe_code)]

mod authority;
mod install;
mod respond;

pub use authority::{TsaAuthority, TSA_POLICY};
pub use install::{certificates_from_pem, request_pem, CertificateRefusal};
pub use respond::{decode_response, next_serial, Tsa, TsaRejection, ID_CT_TST_INFO};

/// Why the TSA could not be set up or answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TsaError {
    #[error("TSA: {0}")]
    Crypto(#[from] akashi_crypto::CryptoError),
    #[error("TSA certificate: {0}")]
    Certificate(#[from] akashi_jpki::JpkiError),
    #[error("TSA: DER: {0}")]
    Der(#[from] der::Error),
    #[error("TSA: CMS: {0}")]
    Cms(#[from] akashi_cms::CmsError),
    #[error("TSA: storage: {0}")]
    Store(#[from] akashi_store::StoreError),
    #[error("TSA: CRL: {0}")]
    Revocation(String),
    #[error("TSA: {path}: {why}")]
    Io { path: String, why: String },
    #[error("TSA certificate refused: {0}")]
    Refused(#[from] CertificateRefusal),
    #[error("TSA: the TSA is certified by an external CA, which issues the CRLs for it")]
    ExternalCa,
    #[error("TSA: {0}")]
    Invalid(String),
}
