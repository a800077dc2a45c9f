//! Multi-party contracts signed with My Number Cards (seed 000: "contracts of three or more
//! parties", which JPKI alone cannot do).
//!
//! The lifecycle, each step one store transaction with an audit event:
//! 1. **create** a [`ContractDraft`] (a PDF, or any file) with N signers; [`ContractDraft::check`]
//!    turns it into a [`CheckedContract`], the only thing [`Contracts::create`] accepts;
//! 2. **invite**: each signer gets a one-time invitation token (only its hash is stored);
//! 3. **sign** in two phases so the card signs: [`Contracts::begin_signing`] checks the
//!    invitation and prepares the signature → the card signs [`SigningSession::to_be_signed`] →
//!    [`Contracts::complete_signing`] adds the signature timestamp, checks the new signature
//!    validates (certificate chain to J-LIS, not revoked) and stores it. A PDF gets one
//!    incremental update per signer (PAdES-B-T), a file one detached CAdES-B-T per signer;
//! 4. when the last signer has signed, the document is made long-term: PAdES-B-LTA (DSS with
//!    every signer's validation data, then a document timestamp) or CAdES-B-LTA per signer;
//! 5. **status** per signer, with the audit trail's hash chain checked.
//!
//! Time and randomness are arguments; nothing here reads a clock.
#![forbid(unsafe_code)]

mod audit;
mod draft;
mod service;
mod signing;
mod view;

pub use audit::AuditCheck;
pub use draft::{CheckedContract, ContractDraft, DocumentKind, SigningOrder};
pub use service::{Contracts, Invitation};
pub use signing::SigningSession;
pub use view::{ContractStatus, ContractView, EventView, SignerStatus, SignerView};

/// Why a contract operation was refused. None of them changes any state.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContractError {
    #[error("a contract needs at least {min} signers, got {got}")]
    TooFewSigners { min: usize, got: usize },
    #[error("a contract has at most {max} signers, got {got}")]
    TooManySigners { max: usize, got: usize },
    #[error("signer {position} has an empty label")]
    EmptyLabel { position: usize },
    #[error("two signers are both labelled {0:?}; labels tell signers apart")]
    DuplicateLabel(String),
    #[error("the contract title is empty")]
    EmptyTitle,
    #[error("the document is empty")]
    EmptyDocument,
    #[error("the document looks like a PDF but cannot be read: {0}")]
    UnreadablePdf(akashi_pdf::PdfError),
    #[error("no contract {0}")]
    NotFound(String),
    #[error("contract {id} is {status}, not open for signing")]
    NotOpen { id: String, status: ContractStatus },
    #[error("no contract has signer {0}")]
    NoSuchSigner(usize),
    #[error("this invitation is not valid (unknown, replaced by a newer one, or already used)")]
    UnknownInvitation,
    #[error("this invitation expired at {0}; ask for a new one")]
    InvitationExpired(String),
    #[error("signer {position} must wait: signer {waiting_for} signs first (sequential order)")]
    NotYourTurn { position: usize, waiting_for: usize },
    #[error("signer {0} has already signed")]
    AlreadySigned(usize),
    #[error("this certificate already signed the contract as signer {0}")]
    CertificateAlreadySigned(usize),
    #[error("not a JPKI signature certificate: {0}")]
    NotASignatureCertificate(String),
    #[error("the new signature does not validate ({indication}): {reason}")]
    SignatureRejected { indication: String, reason: String },
    #[error("another party changed the contract meanwhile; sign again")]
    Concurrent,
    #[error("the audit trail of contract {id} is broken at event {seq}")]
    AuditBroken { id: String, seq: i64 },
    #[error(transparent)]
    Sign(#[from] akashi_sign::SignError),
    #[error("randomness: {0}")]
    Random(#[from] akashi_crypto::CryptoError),
    #[error("store: {0}")]
    Store(akashi_store::StoreError),
}

impl From<akashi_store::StoreError> for ContractError {
    fn from(e: akashi_store::StoreError) -> Self {
        match e {
            akashi_store::StoreError::Conflict { .. } => ContractError::Concurrent,
            other => ContractError::Store(other),
        }
    }
}
