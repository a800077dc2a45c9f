//! The wire types of Akashi's credential protocols, plain serde and nothing else (issuer,
//! wallet and verifier crates build on them):
//!
//! - [`vci`]: OpenID for Verifiable Credential Issuance 1.0 — issuer and authorization-server
//!   metadata, credential offer, token, nonce, credential and deferred-credential messages.
//! - [`vp`]: OpenID for Verifiable Presentations 1.0 — the authorization request with a DCQL
//!   query, response mode `direct_post`, the VP token.
//! - [`dcql`]: the Digital Credentials Query Language and the claim selection of §6.
//! - [`bbs`]: the Akashi BBS credential format (`akashi-bbs-1`): how a DCQL credential query
//!   asks for predicates and a pseudonym, which OpenID4VP does not define for any format.
//! - [`proofing`]: the card-signed proofing step in front of issuance (Akashi's).
//! - [`OAuthError`]: the RFC 6749 error object every endpoint answers with.
#![forbid(unsafe_code)]

pub mod bbs;
pub mod dcql;
pub mod proofing;
pub mod vci;
pub mod vp;

use serde::{Deserialize, Serialize};

/// The SD-JWT VC format identifier (OpenID4VCI Appendix A.3, OpenID4VP Appendix B.3).
pub const FORMAT_SD_JWT_VC: &str = "dc+sd-jwt";
/// Akashi's BBS credential format (see [`bbs`]).
pub const FORMAT_AKASHI_BBS: &str = "akashi-bbs-1";

/// An OAuth 2.0 error response (RFC 6749 §5.2; OpenID4VCI §8.3.1.2; OpenID4VP §8.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{error}: {}", error_description.as_deref().unwrap_or(""))]
pub struct OAuthError {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl OAuthError {
    pub fn new(error: &str, description: impl Into<String>) -> Self {
        Self {
            error: error.to_owned(),
            error_description: Some(description.into()),
        }
    }
}

/// Errors decoding a protocol message.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    #[error("{what}: {why}")]
    Malformed { what: &'static str, why: String },
}

pub(crate) fn malformed(what: &'static str, why: impl std::fmt::Display) -> ProtocolError {
    ProtocolError::Malformed {
        what,
        why: why.to_string(),
    }
}
