//! An OpenID4VP 1.0 verifier that hosts several relying parties (an age-restricted shop, a
//! city service …), each with its own client id and the issuers it trusts. This is the domain
//! layer; the HTTP endpoints call [`VerifierService`].
//!
//! - A relying party is registered once and gets an API credential (the verifier keeps only
//!   its SHA-256). Its client id is `redirect_uri:{base_url}/vp/v1/response/{id}` (the
//!   `redirect_uri` Client Identifier Prefix: unsigned requests passed by value).
//! - [`VerifierService::create_request`] checks a DCQL query, draws a nonce and a state and
//!   stores a pending transaction.
//! - [`VerifierService::receive`] is the `direct_post` Response URI: it verifies every
//!   presentation (SD-JWT VC with key binding and status list, or Akashi BBS with predicates
//!   and a per-relying-party pseudonym) and answers the transaction exactly once. A response
//!   that fails verification changes nothing, so the wallet may still answer correctly.
//! - [`VerifierService::result`] gives the relying party only what it asked for.
//!
//! Time and randomness are injected; logs carry ids and outcome codes, never claims.
#![forbid(unsafe_code)]

mod bbs;
mod error;
mod query;
mod sd_jwt;
mod service;
mod status;
mod verify;

use serde::{Deserialize, Serialize};

pub use error::VerifierError;
pub use service::VerifierService;
pub use status::{BoxFuture, HttpStatusFetcher, StatusFetcher};

/// An issuer a relying party trusts, with its keys.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TrustedIssuer {
    /// The `iss` of its SD-JWT VCs and of BBS presentations.
    pub issuer: String,
    /// Public JWKs (EC P-256) that sign its SD-JWT VCs and status lists.
    #[serde(default)]
    pub sd_jwt_keys: Vec<serde_json::Value>,
    /// base64url of its 96-byte BBS public key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbs_public_key: Option<String>,
}

/// Operating parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierConfig {
    /// Where the verifier is reached (`http://127.0.0.1:8080`): response URIs and client ids
    /// are built from it.
    pub base_url: String,
    /// Seconds a presentation request may be answered.
    pub request_ttl: i64,
    /// Seconds a key-binding JWT may be old.
    pub kb_max_age: i64,
    /// Seconds a fetched status list is reused.
    pub status_ttl: i64,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        Self {
            base_url: "http://127.0.0.1:8080".into(),
            request_ttl: 300,
            kb_max_age: 300,
            status_ttl: 60,
        }
    }
}

/// A registered relying party, as the verifier knows it after checking its credential.
#[derive(Debug, Clone, PartialEq)]
pub struct RelyingParty {
    pub id: String,
    pub name: String,
    /// `redirect_uri:` + [`RelyingParty::response_uri`].
    pub client_id: String,
    pub response_uri: String,
    pub trusted: Vec<TrustedIssuer>,
}

/// A stored presentation request, ready to show the wallet.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedRequest {
    pub transaction_id: String,
    pub request: akashi_oid4vc::vp::AuthorizationRequest,
    /// `openid4vp://?…` (the request by value).
    pub uri: String,
    pub expires_at: i64,
}

/// What a relying party learns about one of its transactions.
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionResult {
    /// `pending` (also once expired: the expiry is in the transaction), `verified` or
    /// `refused` (the wallet declined).
    pub status: String,
    /// For `verified`: `{"credentials": {query id: {format, issuer, claims, predicates?,
    /// pseudonym?}}}`.
    pub result: Option<serde_json::Value>,
}
