//! What `status` shows: the contract, each signer's state, and the audit trail.

use serde::Serialize;

use crate::audit;
use crate::service::{corrupt, field_name, iso, sha256_hex, Loaded};
use crate::{AuditCheck, ContractError, DocumentKind, SigningOrder};

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
    /// The baseline level the document has reached (`B-T` while open, `B-LTA` once
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

/// The name in the certificate that made a CMS signature.
fn signer_name(cms: &[u8]) -> Option<String> {
    let view = akashi_cms::parse_signed_data(cms).ok()?;
    let cert = akashi_jpki::JpkiCertificate::from_der(view.signer_certificate(&[])?).ok()?;
    Some(cert.basic_four().ok()??.name)
}

pub(crate) fn view_of(loaded: &Loaded) -> Result<ContractView, ContractError> {
    let c = &loaded.contract;
    let kind = loaded.kind()?;
    let status = loaded.status()?;
    let pdf_signatures = match kind {
        DocumentKind::Pdf => akashi_pdf::signatures(&c.current).unwrap_or_default(),
        DocumentKind::File => Vec::new(),
    };
    let mut signers = Vec::new();
    for s in &loaded.signers {
        let position = s.position as usize;
        let status = SignerStatus::parse(&s.status).ok_or_else(|| corrupt("signer status"))?;
        let field = (kind == DocumentKind::Pdf).then(|| field_name(position));
        let cms = match kind {
            DocumentKind::Pdf => pdf_signatures
                .iter()
                .find(|sig| Some(&sig.field_name) == field.as_ref())
                .map(|sig| sig.cms.clone()),
            DocumentKind::File => s.signature.clone(),
        };
        signers.push(SignerView {
            position,
            label: s.label.clone(),
            status,
            invitation_expires: s
                .invitation_hash
                .as_ref()
                .and(s.invitation_expires)
                .map(iso),
            signed_at: s.signed_at.map(iso),
            signed_by: cms.as_deref().and_then(signer_name),
            field: field.filter(|_| status == SignerStatus::Signed),
        });
    }
    let any_signed = signers.iter().any(|s| s.status == SignerStatus::Signed);
    let level = match (status, kind) {
        (ContractStatus::Completed, DocumentKind::Pdf) => Some("B-LTA"),
        (ContractStatus::Completed, DocumentKind::File) => Some("B-LTA"),
        _ if any_signed => Some("B-T"),
        _ => None,
    };
    Ok(ContractView {
        id: c.id.clone(),
        title: c.title.clone(),
        file_name: c.file_name.clone(),
        kind,
        order: SigningOrder::parse(&c.signing_order).ok_or_else(|| corrupt("signing order"))?,
        status,
        created_at: iso(c.created_at),
        completed_at: c.completed_at.map(iso),
        document_sha256: sha256_hex(&c.original),
        current_sha256: sha256_hex(&c.current),
        level: level.map(str::to_owned),
        signers,
        audit: audit::check(&loaded.events),
        events: loaded
            .events
            .iter()
            .map(|e| EventView {
                seq: e.seq,
                at: iso(e.at),
                action: e.action.clone(),
                detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    })
}
