use akashi_pf::PfError;
use akashi_store::StoreError;

use crate::lifecycle::TransitionError;

/// Everything the assurance engine refuses, by cause.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("malformed: {0}")]
    Malformed(String),
    #[error("certificate: {0}")]
    Certificate(String),
    #[error("the certificate is revoked, suspended or unknown at J-LIS ({0})")]
    CertificateNotGood(&'static str),
    #[error("J-LIS cannot be reached to check the certificate; try again later ({0})")]
    JlisUnavailable(String),
    #[error("the signature does not verify with the presented key")]
    BadSignature,
    #[error("this authenticator is not bound to any account")]
    UnknownAuthenticator,
    #[error("this authenticator was removed from its account")]
    AuthenticatorRevoked,
    #[error("this authenticator is locked after too many wrong PINs; proof your identity with the card to bind a new one")]
    AuthenticatorLocked,
    #[error("wrong PIN; {tries_left} tries left before the authenticator locks")]
    WrongPin { tries_left: i64 },
    #[error("this authenticator is already bound to an account")]
    AlreadyBound,
    #[error("no such authenticator on this account")]
    NoSuchAuthenticator,
    #[error("this card belongs to someone else than the account's owner")]
    DifferentPerson,
    #[error("the session has ended or expired; log in again")]
    SessionEnded,
    #[error("binding or removing an authenticator needs a login in the last {minutes} minutes")]
    StaleSession { minutes: i64 },
    #[error("passkey: {0}")]
    Passkey(String),
    #[error("another change to this account came first; try again")]
    Concurrent,
    #[error("storage: {0}")]
    Store(StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for AuthError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } => AuthError::Concurrent,
            StoreError::Duplicate { .. } => AuthError::AlreadyBound,
            other => AuthError::Store(other),
        }
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> AuthError {
    AuthError::Internal(e.to_string())
}

/// A PF certificate check, as the engine reports it.
pub(crate) fn from_pf(e: PfError) -> AuthError {
    match e {
        PfError::RevocationUnavailable(d) | PfError::Jlis(d) => AuthError::JlisUnavailable(d),
        PfError::BadSignature => AuthError::BadSignature,
        PfError::CertificateRevoked { .. } => AuthError::CertificateNotGood("revoked"),
        PfError::CertificateSuspended => AuthError::CertificateNotGood("suspended"),
        PfError::CertificateUnknown => AuthError::CertificateNotGood("unknown"),
        other => AuthError::Certificate(other.to_string()),
    }
}
