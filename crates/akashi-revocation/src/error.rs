use thiserror::Error;

use crate::ocsp_response::OcspResponseStatus;

/// Errors of the revocation formats: decoding, encoding, content rules and verification.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RevocationError {
    /// Malformed DER outside an OCSP request (CRLs, responses, certificates).
    #[error("malformed DER{}: {kind}", position.map(|p| format!(" at byte {p}")).unwrap_or_default())]
    Der { position: Option<u32>, kind: String },
    /// An OCSP request that cannot be parsed: answer it with `malformedRequest`.
    #[error("malformed OCSP request: {0}")]
    MalformedRequest(String),
    /// Well-formed DER whose content breaks RFC 5280 / RFC 6960 or the JPKI profile.
    #[error("invalid {what}: {reason}")]
    Invalid { what: &'static str, reason: String },
    /// A CertID hash algorithm other than SHA-1 or SHA-256.
    #[error("unsupported CertID hash algorithm {0}")]
    UnsupportedHash(const_oid::ObjectIdentifier),
    /// The signature does not verify, or its signer is not the one trusted for it.
    #[error("verification failed: {0}")]
    Verification(String),
    #[error(transparent)]
    Jpki(#[from] akashi_jpki::JpkiError),
    #[error(transparent)]
    Crypto(#[from] akashi_crypto::CryptoError),
}

impl RevocationError {
    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        RevocationError::Invalid {
            what,
            reason: reason.into(),
        }
    }

    /// The OCSPResponseStatus an OCSP responder answers this error with: `malformedRequest`
    /// for a request it could not understand, `internalError` for everything else.
    pub fn ocsp_status(&self) -> OcspResponseStatus {
        match self {
            RevocationError::MalformedRequest(_) | RevocationError::UnsupportedHash(_) => {
                OcspResponseStatus::MalformedRequest
            }
            _ => OcspResponseStatus::InternalError,
        }
    }
}

impl From<der::Error> for RevocationError {
    fn from(e: der::Error) -> Self {
        RevocationError::Der {
            position: e.position().map(u32::from),
            kind: e.kind().to_string(),
        }
    }
}
