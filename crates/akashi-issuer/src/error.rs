//! One error type for the issuer; each variant maps to the OAuth / OpenID4VCI error code the
//! specifications define for it and an HTTP status.

use akashi_oid4vc::OAuthError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssuerError {
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("the proofing challenge is unknown, expired or already used")]
    BadChallenge,
    #[error("the anchor certificate was refused ({code}): {detail}")]
    Anchor { code: &'static str, detail: String },
    #[error("the card's signature does not verify with the certificate")]
    BadCardSignature,
    #[error("the grant is unknown, expired or already used")]
    InvalidGrant,
    #[error("the JPKI anchor was revoked ({0}); prove again with the card")]
    AnchorRevoked(String),
    #[error("PKCE verification failed")]
    Pkce,
    #[error("the redirect URI or client does not match the authorization request")]
    RedirectMismatch,
    #[error("unsupported grant type {0}")]
    UnsupportedGrant(String),
    #[error("the access token is missing, unknown or expired")]
    InvalidToken,
    #[error("unknown credential configuration {0}")]
    UnknownConfiguration(String),
    #[error("invalid key proof: {0}")]
    InvalidProof(String),
    #[error("the key proof's nonce is unknown or expired")]
    InvalidNonce,
    #[error("credential request denied: {0}")]
    Denied(String),
    #[error("unknown deferred transaction")]
    UnknownTransaction,
    #[error("J-LIS: {0}")]
    Jlis(String),
    #[error("issuer keys: {0}")]
    Keys(String),
    #[error("storage: {0}")]
    Store(#[from] akashi_store::StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl IssuerError {
    /// The `error` code of the OAuth error response.
    pub fn oauth_code(&self) -> &'static str {
        match self {
            IssuerError::Malformed(_) => "invalid_request",
            IssuerError::BadChallenge
            | IssuerError::Anchor { .. }
            | IssuerError::BadCardSignature => "access_denied",
            IssuerError::InvalidGrant | IssuerError::AnchorRevoked(_) | IssuerError::Pkce => {
                "invalid_grant"
            }
            IssuerError::RedirectMismatch => "invalid_grant",
            IssuerError::UnsupportedGrant(_) => "unsupported_grant_type",
            IssuerError::InvalidToken => "invalid_token",
            IssuerError::UnknownConfiguration(_) => "unknown_credential_configuration",
            IssuerError::InvalidProof(_) => "invalid_proof",
            IssuerError::InvalidNonce => "invalid_nonce",
            IssuerError::Denied(_) => "credential_request_denied",
            IssuerError::UnknownTransaction => "invalid_transaction_id",
            IssuerError::Jlis(_)
            | IssuerError::Keys(_)
            | IssuerError::Store(_)
            | IssuerError::Internal(_) => "server_error",
        }
    }

    pub fn http_status(&self) -> u16 {
        match self {
            IssuerError::InvalidToken => 401,
            IssuerError::BadChallenge
            | IssuerError::Anchor { .. }
            | IssuerError::BadCardSignature => 403,
            IssuerError::Jlis(_) => 503,
            IssuerError::Keys(_) | IssuerError::Store(_) | IssuerError::Internal(_) => 500,
            _ => 400,
        }
    }

    pub fn to_oauth(&self) -> OAuthError {
        OAuthError::new(self.oauth_code(), self.to_string())
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> IssuerError {
    IssuerError::Internal(e.to_string())
}
