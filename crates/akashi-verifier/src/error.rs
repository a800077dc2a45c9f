use thiserror::Error;

use akashi_sdjwt::SdJwtError;

/// Everything the verifier can refuse or fail at. Each variant has a stable
/// [`VerifierError::code`], an OAuth error code for the protocol endpoints and an HTTP status.
/// No message carries a claim value, a presentation, a nonce or a key: they end up in logs
/// and in answers to whoever posted.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum VerifierError {
    /// A relying party's request (name, trust list, DCQL query) this verifier cannot honour.
    #[error("malformed request: {0}")]
    MalformedRequest(String),
    /// The wallet's form or VP Token could not be read.
    #[error("malformed response: {0}")]
    MalformedResponse(String),
    #[error("no pending presentation request has this state")]
    UnknownState,
    #[error("no such transaction for this relying party")]
    UnknownTransaction,
    #[error("the presentation request expired; start a new one")]
    Expired,
    #[error("the presentation request was already answered; each is answered once")]
    AlreadyAnswered,
    #[error("the response was posted to another relying party's response URI")]
    WrongRelyingParty,
    #[error("unsupported credential format {0:?}")]
    UnsupportedFormat(String),
    #[error("no presentation for credential query {query:?}")]
    MissingPresentation { query: String },
    #[error("the issuer {0:?} is not trusted by this relying party for this format")]
    UntrustedIssuer(String),
    #[error("invalid presentation: {0}")]
    InvalidPresentation(String),
    #[error("the credential type or profile is not one the query accepts")]
    CredentialTypeNotAccepted,
    #[error("the credential is revoked")]
    CredentialRevoked,
    #[error("the credential is suspended")]
    CredentialSuspended,
    #[error("the credential's status is unavailable: {0}")]
    StatusUnavailable(String),
    /// The presentation does not disclose or prove what the query asked for.
    #[error("the presentation does not answer the query: {0}")]
    DisclosureMismatch(String),
    #[error("not a registered relying party")]
    Unauthorized,
    #[error("a relying party named {0:?} is already registered")]
    DuplicateRelyingParty(String),
    #[error("randomness: {0}")]
    Randomness(String),
    #[error("storage: {0}")]
    Storage(#[from] akashi_store::StoreError),
}

impl VerifierError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedRequest(_) => "malformed_request",
            Self::MalformedResponse(_) => "malformed_response",
            Self::UnknownState => "unknown_state",
            Self::UnknownTransaction => "unknown_transaction",
            Self::Expired => "expired",
            Self::AlreadyAnswered => "already_answered",
            Self::WrongRelyingParty => "wrong_relying_party",
            Self::UnsupportedFormat(_) => "unsupported_format",
            Self::MissingPresentation { .. } => "missing_presentation",
            Self::UntrustedIssuer(_) => "untrusted_issuer",
            Self::InvalidPresentation(_) => "invalid_presentation",
            Self::CredentialTypeNotAccepted => "credential_type_not_accepted",
            Self::CredentialRevoked => "credential_revoked",
            Self::CredentialSuspended => "credential_suspended",
            Self::StatusUnavailable(_) => "status_unavailable",
            Self::DisclosureMismatch(_) => "disclosure_mismatch",
            Self::Unauthorized => "unauthorized",
            Self::DuplicateRelyingParty(_) => "duplicate_relying_party",
            Self::Randomness(_) => "randomness",
            Self::Storage(_) => "storage",
        }
    }

    /// The OAuth 2.0 error code (RFC 6749 §5.2, OpenID4VP §8.5) an endpoint answers with. A
    /// refusal by the wallet (`access_denied`) is not an error of the verifier's, so it never
    /// appears here.
    pub fn oauth_error(&self) -> &'static str {
        match self {
            Self::Unauthorized => "invalid_client",
            Self::StatusUnavailable(_) | Self::Storage(_) => "temporarily_unavailable",
            Self::Randomness(_) => "server_error",
            _ => "invalid_request",
        }
    }

    /// The HTTP status a handler answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::MalformedRequest(_)
            | Self::MalformedResponse(_)
            | Self::WrongRelyingParty
            | Self::UnsupportedFormat(_)
            | Self::MissingPresentation { .. } => 400,
            Self::Unauthorized => 401,
            Self::UnknownState | Self::UnknownTransaction => 404,
            Self::AlreadyAnswered | Self::DuplicateRelyingParty(_) => 409,
            Self::Expired => 410,
            Self::UntrustedIssuer(_)
            | Self::InvalidPresentation(_)
            | Self::CredentialTypeNotAccepted
            | Self::CredentialRevoked
            | Self::CredentialSuspended
            | Self::DisclosureMismatch(_) => 422,
            Self::Randomness(_) => 500,
            Self::StatusUnavailable(_) | Self::Storage(_) => 503,
        }
    }
}

/// [`VerifierError::UntrustedIssuer`] for an issuer named by the presentation (the wallet's
/// input): cut short so that a long name does not fill logs.
pub(crate) fn untrusted(iss: &str) -> VerifierError {
    VerifierError::UntrustedIssuer(iss.chars().take(100).collect())
}

/// Why an SD-JWT presentation was refused, without the parts of it that could carry claim
/// values (some of the library's messages quote a Disclosure as received).
pub(crate) fn sd_jwt_reason(e: &SdJwtError) -> String {
    match e {
        SdJwtError::IssuerSignature => "the issuer signature does not verify".into(),
        SdJwtError::KeyBinding(why) => format!("key binding: {why}"),
        SdJwtError::Malformed(why) if why.starts_with("SD-JWT VC:") => why.clone(),
        SdJwtError::Malformed(_) => "malformed SD-JWT".into(),
        SdJwtError::Unsupported(_) => "unsupported SD-JWT algorithm".into(),
        SdJwtError::UnreferencedDisclosure(_) => {
            "a disclosure is not referenced by the issuer-signed JWT".into()
        }
        SdJwtError::DuplicateDisclosure(_) => "a disclosure is included more than once".into(),
        SdJwtError::DuplicateDigest(_) => "a digest appears more than once".into(),
        SdJwtError::ClaimCollision(_) => "a disclosure collides with a claim".into(),
        SdJwtError::Key(_) => "the bound holder key is invalid".into(),
        _ => "the SD-JWT does not verify".into(),
    }
}
