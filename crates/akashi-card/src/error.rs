use thiserror::Error;

use crate::StatusWord;

/// Errors on the card side: personalisation and the card's storage.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CardError {
    #[error("invalid PIN: {0}")]
    InvalidPin(&'static str),
    #[error("invalid card face: {0}")]
    InvalidFace(&'static str),
    #[error("certificate does not fit the card: {0}")]
    CertificateSize(&'static str),
    #[error("card file {path}: {reason}")]
    Storage { path: String, reason: String },
    #[error("card image is corrupt: {0}")]
    CorruptImage(String),
    #[error(transparent)]
    Crypto(#[from] akashi_crypto::CryptoError),
}

/// Errors on the host side, each naming the step and, where the card answered, its status word.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum HostError {
    #[error("wrong PIN: {tries_left} tries left before the PIN is blocked")]
    WrongPin { tries_left: u8 },
    #[error("the PIN is blocked (status 6984); the municipality must reset it")]
    PinBlocked,
    #[error("invalid PIN format: {0} (nothing was sent to the card)")]
    InvalidPinFormat(&'static str),
    #[error("{step}: security status not satisfied (6982): verify the PIN first")]
    SecurityStatusNotSatisfied { step: &'static str },
    #[error("{step}: file or application not found (6A82)")]
    FileNotFound { step: &'static str },
    #[error("{step}: the card answered {sw}")]
    UnexpectedStatus { step: &'static str, sw: StatusWord },
    #[error("{step}: malformed answer from the card: {reason}")]
    MalformedResponse { step: &'static str, reason: String },
    #[error("transport: {0}")]
    Transport(#[from] TransportError),
}

/// The link to the card failed (reader removed, card absent, PC/SC error).
#[derive(Debug, Error)]
#[error("{0}")]
pub struct TransportError(pub String);
