//! One error type for the provider; each variant knows its OAuth 2.0 / OpenID Connect error
//! code and its HTTP status. Whether it goes back to the client's redirect URI is decided
//! where the request is validated (never when the client or the redirect URI itself is in
//! doubt: RFC 6749 §4.1.2.1).

use akashi_auth::AuthError;
use akashi_store::StoreError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OidcError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("unknown client {0:?}")]
    UnknownClient(String),
    #[error("redirect_uri is not one registered for this client (exact match)")]
    InvalidRedirectUri,
    #[error("client authentication failed")]
    InvalidClient,
    #[error("{0}")]
    InvalidGrant(String),
    #[error("grant_type {0:?} is not supported (authorization_code only)")]
    UnsupportedGrantType(String),
    #[error("response_type {0:?} is not supported (code only)")]
    UnsupportedResponseType(String),
    #[error("{0}")]
    InvalidScope(String),
    #[error("request_uri is unknown, used or expired")]
    InvalidRequestUri,
    #[error("the person declined")]
    AccessDenied,
    #[error("the person must log in (prompt=none was asked)")]
    LoginRequired,
    #[error("the person must consent (prompt=none was asked)")]
    ConsentRequired,
    #[error("the authentication did not reach the requested level: {0}")]
    UnmetAuthenticationRequirements(String),
    #[error("{0}")]
    InvalidToken(String),
    #[error("DPoP proof: {0}")]
    InvalidDpopProof(String),
    #[error(
        "the login interaction is unknown, finished or expired; start again at the relying party"
    )]
    UnknownInteraction,
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl OidcError {
    /// The `error` value (RFC 6749 §4.1.2.1/§5.2, OIDC Core §3.1.2.6, RFC 6750 §3.1,
    /// RFC 9449 §7.1, OpenID Connect Unmet Authentication Requirements 1.0).
    pub fn code(&self) -> &'static str {
        match self {
            OidcError::InvalidRequest(_)
            | OidcError::InvalidRedirectUri
            | OidcError::UnknownClient(_) => "invalid_request",
            OidcError::InvalidClient => "invalid_client",
            OidcError::InvalidGrant(_) => "invalid_grant",
            OidcError::UnsupportedGrantType(_) => "unsupported_grant_type",
            OidcError::UnsupportedResponseType(_) => "unsupported_response_type",
            OidcError::InvalidScope(_) => "invalid_scope",
            OidcError::InvalidRequestUri => "invalid_request_uri",
            OidcError::AccessDenied => "access_denied",
            OidcError::LoginRequired => "login_required",
            OidcError::ConsentRequired => "consent_required",
            OidcError::UnmetAuthenticationRequirements(_) => "unmet_authentication_requirements",
            OidcError::InvalidToken(_) => "invalid_token",
            OidcError::InvalidDpopProof(_) => "invalid_dpop_proof",
            OidcError::UnknownInteraction => "invalid_request",
            OidcError::Auth(e) => auth_code(e),
            OidcError::Store(_) | OidcError::Internal(_) => "server_error",
        }
    }

    pub fn http_status(&self) -> u16 {
        match self {
            OidcError::InvalidClient
            | OidcError::InvalidToken(_)
            | OidcError::InvalidDpopProof(_) => 401,
            OidcError::Auth(AuthError::JlisUnavailable(_)) => 503,
            OidcError::Auth(AuthError::Store(_) | AuthError::Internal(_)) => 500,
            OidcError::Auth(AuthError::Concurrent) => 409,
            OidcError::Auth(AuthError::Malformed(_)) => 400,
            OidcError::AccessDenied | OidcError::Auth(_) => 403,
            OidcError::Store(_) | OidcError::Internal(_) => 500,
            _ => 400,
        }
    }
}

fn auth_code(e: &AuthError) -> &'static str {
    match e {
        AuthError::JlisUnavailable(_) => "temporarily_unavailable",
        AuthError::Store(_) | AuthError::Internal(_) => "server_error",
        AuthError::Malformed(_) => "invalid_request",
        _ => "access_denied",
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> OidcError {
    OidcError::Internal(e.to_string())
}
