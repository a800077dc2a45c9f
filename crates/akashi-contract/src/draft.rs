//! A contract as its creator describes it, and the checked form the store accepts: an
//! unchecked draft cannot be stored (typestate).

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::ContractError;

/// Fewer than two parties is a plain signature (`akashi sign`), not a contract.
pub const MIN_SIGNERS: usize = 2;
/// An upper bound that keeps a PDF's incremental updates and the status page readable.
pub const MAX_SIGNERS: usize = 64;

/// What is signed: a PDF gets PAdES (each signature an incremental update of the same file);
/// any other file gets one detached CAdES signature per signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    Pdf,
    File,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "pdf",
            DocumentKind::File => "file",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pdf" => DocumentKind::Pdf,
            "file" => DocumentKind::File,
            _ => return None,
        })
    }
}

/// Whether signers may sign in any order or must follow their positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SigningOrder {
    #[default]
    Any,
    Sequential,
}

impl SigningOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            SigningOrder::Any => "any",
            SigningOrder::Sequential => "sequential",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "any" => SigningOrder::Any,
            "sequential" => SigningOrder::Sequential,
            _ => return None,
        })
    }
}

/// A contract as the creator describes it; [`ContractDraft::check`] before it can be stored.
#[derive(Debug, Clone)]
pub struct ContractDraft {
    pub title: String,
    /// The document's file name, as the signers will see it.
    pub file_name: String,
    pub document: Vec<u8>,
    /// One label per signer, in signing position order (a role or a name the creator chooses;
    /// who actually signed comes from their certificate).
    pub signers: Vec<String>,
    pub order: SigningOrder,
}

/// A draft that passed [`ContractDraft::check`].
#[derive(Debug, Clone)]
pub struct CheckedContract {
    pub(crate) draft: ContractDraft,
    pub(crate) kind: DocumentKind,
    pub(crate) sha256: [u8; 32],
}

impl CheckedContract {
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }
}

impl ContractDraft {
    /// Checks the title, the signers and the document (a file starting `%PDF` must be a
    /// readable, unencrypted PDF).
    pub fn check(mut self) -> Result<CheckedContract, ContractError> {
        self.title = self.title.trim().to_owned();
        if self.title.is_empty() {
            return Err(ContractError::EmptyTitle);
        }
        if self.document.is_empty() {
            return Err(ContractError::EmptyDocument);
        }
        let got = self.signers.len();
        if got < MIN_SIGNERS {
            return Err(ContractError::TooFewSigners {
                min: MIN_SIGNERS,
                got,
            });
        }
        if got > MAX_SIGNERS {
            return Err(ContractError::TooManySigners {
                max: MAX_SIGNERS,
                got,
            });
        }
        for (i, label) in self.signers.iter_mut().enumerate() {
            *label = label.trim().to_owned();
            if label.is_empty() {
                return Err(ContractError::EmptyLabel { position: i + 1 });
            }
        }
        for (i, label) in self.signers.iter().enumerate() {
            if self.signers[..i].contains(label) {
                return Err(ContractError::DuplicateLabel(label.clone()));
            }
        }
        let kind = if self.document.starts_with(b"%PDF") {
            akashi_pdf::signatures(&self.document).map_err(ContractError::UnreadablePdf)?;
            DocumentKind::Pdf
        } else {
            DocumentKind::File
        };
        let sha256 = Sha256::digest(&self.document).into();
        Ok(CheckedContract {
            draft: self,
            kind,
            sha256,
        })
    }
}
