use thiserror::Error;

/// Errors of the JPKI format layer: decoding, encoding and the profile's content rules.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum JpkiError {
    #[error("malformed DER{}: {kind}", position.map(|p| format!(" at byte {p}")).unwrap_or_default())]
    Der { position: Option<u32>, kind: String },
    #[error("invalid {field}: {reason}")]
    Attribute { field: &'static str, reason: String },
    #[error("not a JPKI certificate profile: {0}")]
    Profile(String),
    #[error(transparent)]
    Crypto(#[from] akashi_crypto::CryptoError),
}

impl JpkiError {
    pub(crate) fn attribute(field: &'static str, reason: String) -> Self {
        JpkiError::Attribute { field, reason }
    }
}

impl From<der::Error> for JpkiError {
    fn from(e: der::Error) -> Self {
        JpkiError::Der {
            position: e.position().map(u32::from),
            kind: e.kind().to_string(),
        }
    }
}

impl From<der::pem::Error> for JpkiError {
    fn from(e: der::pem::Error) -> Self {
        JpkiError::Der {
            position: None,
            kind: format!("PEM: {e}"),
        }
    }
}
