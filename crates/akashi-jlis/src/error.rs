use thiserror::Error;

use akashi_jpki::CertificateKind;

/// Errors of the J-LIS authority.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum JlisError {
    #[error("J-LIS data directory {0} is already initialised")]
    AlreadyInitialised(String),
    #[error("J-LIS data directory {0} is not initialised (run `akashi jlis init`)")]
    NotInitialised(String),
    #[error("J-LIS data directory {0} is in use by another process (waited 30 s)")]
    Busy(String),
    #[error("J-LIS state file is corrupt: {0}")]
    CorruptState(String),
    #[error("the {0} CA has no generation valid at the requested time")]
    NoValidGeneration(CertificateKind),
    #[error("no resident {0}")]
    UnknownResident(String),
    #[error("resident {id} is {status}: no further events")]
    ResidentNotActive { id: String, status: &'static str },
    #[error("resident {0} was changed by a concurrent event; nothing was applied, retry")]
    ConcurrentEvent(String),
    #[error("the audit log is unavailable: {0}")]
    AuditUnavailable(String),
    #[error("the caller is not a registered verifier")]
    UnregisteredVerifier,
    #[error("no registered verifier named {0:?}")]
    UnknownVerifier(String),
    #[error("event does not apply: {0}")]
    EventNotApplicable(&'static str),
    #[error("address {0:?} must start with a prefecture and name a municipality")]
    UnsplittableAddress(String),
    #[error("I/O on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Crypto(#[from] akashi_crypto::CryptoError),
    #[error(transparent)]
    Jpki(#[from] akashi_jpki::JpkiError),
    #[error(transparent)]
    Card(#[from] akashi_card::CardError),
    #[error(transparent)]
    Store(#[from] akashi_store::StoreError),
    #[error("revocation data: {0}")]
    Revocation(String),
}

impl JlisError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        JlisError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
