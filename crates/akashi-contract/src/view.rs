//! What `status` shows: the contract, each signer's state, and the audit trail.

use serde::Serialize;

use crate::{AuditCheck, DocumentKind, SigningOrder};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContractStatus {
    /// Waiting for signatures.
    Open,
    /// Every signer signed and the document was made long-term.
    Completed,
    Cancelled,
}

impl ContractStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ContractStatus::Open => "open",
            ContractStatus::Completed => "completed",
            ContractStatus::Cancelled => "cancelled",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => ContractStatus::Open,
            "completed" => ContractStatus::Completed,
            "cancelled" => ContractStatus::Cancelled,
            _ => return None,
        })
    }
}

impl std::fmt::Display for ContractStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignerStatus {
    /// Not invited yet.
    Pending,
    Invited,
    Signed,
}

impl SignerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignerStatus::Pending => "pending",
            SignerStatus::Invited => "invited",
            SignerStatus::Signed => "signed",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => SignerStatus::Pending,
            "invited" => SignerStatus::Invited,
            "signed" => SignerStatus::Signed,
            _ => return None,
        })
    }
}

/// One signer as the contract's parties see them.
#[derive(Debug, Clone, Serialize)]
pub struct SignerView {
    pub position: usize,
    pub label: String,
    pub status: SignerStatus,
    /// When the current invitation stops working (RFC 3339).
    pub invitation_expires: Option<String>,
    pub signed_at: Option<String>,
    /// The name in the signature certificate (every counterparty sees it in the signature).
    pub signed_by: Option<String>,
    /// The PDF signature field (PAdES contracts).
    pub field: Option<String>,
}

/// One audit event (no personal attributes are ever recorded in the detail).
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub seq: i64,
    pub at: String,
    pub action: String,
    pub detail: serde_json::Value,
}

/// A contract's state.
#[derive(Debug, Clone, Serialize)]
pub struct ContractView {
    pub id: String,
    pub title: String,
    pub file_name: String,
    pub kind: DocumentKind,
    pub order: SigningOrder,
    pub status: ContractStatus,
    pub created_at: String,
    pub completed_at: Option<String>,
    /// SHA-256 (hex) of the document as created.
    pub document_sha256: String,
    /// SHA-256 (hex) of the document with every signature so far.
    pub current_sha256: String,
    /// The baseline level the document has reached (`B-T` while open, `B-LTA` / `B-LT` once
    /// completed).
    pub level: Option<String>,
    pub signers: Vec<SignerView>,
    pub audit: AuditCheck,
    pub events: Vec<EventView>,
}

impl ContractView {
    pub fn signed_count(&self) -> usize {
        self.signers
            .iter()
            .filter(|s| s.status == SignerStatus::Signed)
            .count()
    }
}
