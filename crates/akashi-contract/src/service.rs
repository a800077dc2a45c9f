//! Creating, inviting, cancelling and reading contracts. Each change is one store transaction
//! that also appends its audit event, so the trail and the state never disagree.

use base64::Engine;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use akashi_crypto::SecureRandom;
use akashi_store::{
    ContractEventRecord, ContractRecord, ContractSignerRecord, ContractSummary, Store, Txn,
};

use crate::audit::next_event;
use crate::view::{view_of, ContractView};
use crate::{CheckedContract, ContractError, ContractStatus, DocumentKind, SignerStatus};

/// The contract service over a store.
#[derive(Debug, Clone)]
pub struct Contracts {
    pub(crate) store: Store,
}

/// A signer's invitation: the token goes to the signer out of band (mail, QR code…); the
/// store keeps only its SHA-256, and a new invitation replaces the old one.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub position: usize,
    pub label: String,
    pub token: String,
    pub expires_at: OffsetDateTime,
}

/// Everything of one contract, read in one transaction.
pub(crate) struct Loaded {
    pub contract: ContractRecord,
    pub signers: Vec<ContractSignerRecord>,
    pub events: Vec<ContractEventRecord>,
}

impl Loaded {
    pub(crate) fn status(&self) -> Result<ContractStatus, ContractError> {
        ContractStatus::parse(&self.contract.status).ok_or_else(|| corrupt("contract status"))
    }

    /// Refuses anything but an open contract ([`ContractError::NotOpen`]).
    pub(crate) fn require_open(&self) -> Result<(), ContractError> {
        match self.status()? {
            ContractStatus::Open => Ok(()),
            status => Err(ContractError::NotOpen {
                id: self.contract.id.clone(),
                status,
            }),
        }
    }

    pub(crate) fn kind(&self) -> Result<DocumentKind, ContractError> {
        DocumentKind::parse(&self.contract.kind).ok_or_else(|| corrupt("document kind"))
    }
}

pub(crate) fn corrupt(what: &str) -> ContractError {
    ContractError::Store(akashi_store::StoreError::Corrupt(format!(
        "contract: unknown {what}"
    )))
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn invitation_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub(crate) async fn load(txn: &mut Txn, id: &str) -> Result<Loaded, ContractError> {
    let contract = txn
        .contract(id)
        .await?
        .ok_or_else(|| ContractError::NotFound(id.to_owned()))?;
    Ok(Loaded {
        signers: txn.contract_signers(id).await?,
        events: txn.contract_events(id).await?,
        contract,
    })
}

/// Appends the event for `action` to the trail read in `loaded`.
pub(crate) async fn append_event(
    txn: &mut Txn,
    loaded: &mut Loaded,
    now: OffsetDateTime,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), ContractError> {
    let event = next_event(
        &loaded.events,
        &loaded.contract.id,
        now.unix_timestamp(),
        action,
        detail,
    );
    txn.contract_event_append(&event).await?;
    loaded.events.push(event);
    Ok(())
}

fn random_bytes(rng: &dyn SecureRandom, bytes: usize) -> Result<Vec<u8>, ContractError> {
    let mut buf = vec![0u8; bytes];
    rng.fill(&mut buf)?;
    Ok(buf)
}

impl Contracts {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Stores a checked contract with its signers (none invited yet).
    pub async fn create(
        &self,
        checked: CheckedContract,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<ContractView, ContractError> {
        let id = format!("ct-{}", hex::encode(random_bytes(rng, 12)?));
        let draft = checked.draft;
        let record = ContractRecord {
            id: id.clone(),
            title: draft.title,
            file_name: draft.file_name,
            kind: checked.kind.as_str().into(),
            signing_order: draft.order.as_str().into(),
            current: draft.document.clone(),
            original: draft.document,
            status: ContractStatus::Open.as_str().into(),
            version: 1,
            created_at: now.unix_timestamp(),
            completed_at: None,
        };
        let signers: Vec<ContractSignerRecord> = draft
            .signers
            .into_iter()
            .enumerate()
            .map(|(i, label)| ContractSignerRecord {
                contract_id: id.clone(),
                position: i as i64 + 1,
                label,
                status: SignerStatus::Pending.as_str().into(),
                invitation_hash: None,
                invitation_expires: None,
                signed_at: None,
                certificate_digest: None,
                signature: None,
            })
            .collect();
        let mut txn = self.store.begin_write().await?;
        txn.contract_insert(&record, &signers).await?;
        let mut loaded = Loaded {
            contract: record,
            signers,
            events: Vec::new(),
        };
        let detail = serde_json::json!({
            "kind": checked.kind,
            "document_sha256": hex::encode(checked.sha256),
            "signers": loaded.signers.len(),
            "order": draft.order,
        });
        append_event(&mut txn, &mut loaded, now, "created", detail).await?;
        txn.commit().await?;
        view_of(&loaded)
    }

    /// New invitations for `positions` (all signers who have not signed when empty), valid
    /// for `valid_for`. Earlier invitations of those signers stop working.
    pub async fn invite(
        &self,
        id: &str,
        positions: &[usize],
        valid_for: Duration,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Vec<Invitation>, ContractError> {
        let mut txn = self.store.begin_write().await?;
        let mut loaded = load(&mut txn, id).await?;
        loaded.require_open()?;
        for &p in positions {
            let signer = loaded
                .signers
                .get(p.wrapping_sub(1))
                .ok_or(ContractError::NoSuchSigner(p))?;
            if signer.status == SignerStatus::Signed.as_str() {
                return Err(ContractError::AlreadySigned(p));
            }
        }
        let expires_at = now + valid_for;
        let mut invitations = Vec::new();
        for signer in loaded.signers.iter_mut() {
            let position = signer.position as usize;
            let chosen = if positions.is_empty() {
                signer.status != SignerStatus::Signed.as_str()
            } else {
                positions.contains(&position)
            };
            if !chosen {
                continue;
            }
            let token =
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(rng, 32)?);
            signer.status = SignerStatus::Invited.as_str().into();
            signer.invitation_hash = Some(invitation_hash(&token));
            signer.invitation_expires = Some(expires_at.unix_timestamp());
            txn.contract_signer_update(signer).await?;
            invitations.push(Invitation {
                position,
                label: signer.label.clone(),
                token,
                expires_at,
            });
        }
        let detail = serde_json::json!({
            "positions": invitations.iter().map(|i| i.position).collect::<Vec<_>>(),
            "expires_at": expires_at.unix_timestamp(),
        });
        append_event(&mut txn, &mut loaded, now, "invited", detail).await?;
        txn.commit().await?;
        Ok(invitations)
    }

    /// Cancels an open contract; nobody can sign it afterwards.
    pub async fn cancel(
        &self,
        id: &str,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<ContractView, ContractError> {
        let mut txn = self.store.begin_write().await?;
        let mut loaded = load(&mut txn, id).await?;
        loaded.require_open()?;
        let expected = loaded.contract.version;
        loaded.contract.status = ContractStatus::Cancelled.as_str().into();
        loaded.contract.version += 1;
        txn.contract_update(&loaded.contract, expected).await?;
        for signer in loaded
            .signers
            .iter_mut()
            .filter(|s| s.invitation_hash.is_some())
        {
            signer.invitation_hash = None;
            txn.contract_signer_update(signer).await?;
        }
        append_event(
            &mut txn,
            &mut loaded,
            now,
            "cancelled",
            serde_json::json!({ "reason": reason }),
        )
        .await?;
        txn.commit().await?;
        view_of(&loaded)
    }

    /// The contract's state, with the audit trail checked.
    pub async fn view(&self, id: &str) -> Result<ContractView, ContractError> {
        let mut txn = self.store.begin().await?;
        let loaded = load(&mut txn, id).await?;
        txn.rollback().await?;
        view_of(&loaded)
    }

    /// The contract an invitation belongs to and the invited signer's position, so the signer
    /// can read the document before signing.
    pub async fn for_invitation(
        &self,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<(ContractView, usize, Vec<u8>), ContractError> {
        let mut txn = self.store.begin().await?;
        let signer = txn
            .contract_signer_by_invitation(&invitation_hash(token))
            .await?
            .ok_or(ContractError::UnknownInvitation)?;
        check_not_expired(&signer, now)?;
        let loaded = load(&mut txn, &signer.contract_id).await?;
        txn.rollback().await?;
        let document = loaded.contract.current.clone();
        Ok((view_of(&loaded)?, signer.position as usize, document))
    }

    /// The signed document and, for file contracts, each signer's detached signature.
    pub async fn signed_files(
        &self,
        id: &str,
    ) -> Result<(ContractView, Vec<u8>, Vec<(usize, Vec<u8>)>), ContractError> {
        let mut txn = self.store.begin().await?;
        let loaded = load(&mut txn, id).await?;
        txn.rollback().await?;
        let signatures = loaded
            .signers
            .iter()
            .filter_map(|s| Some((s.position as usize, s.signature.clone()?)))
            .collect();
        Ok((
            view_of(&loaded)?,
            loaded.contract.current.clone(),
            signatures,
        ))
    }

    pub async fn list(&self) -> Result<Vec<ContractSummary>, ContractError> {
        let mut txn = self.store.begin().await?;
        let list = txn.contracts().await?;
        txn.rollback().await?;
        Ok(list)
    }
}

pub(crate) fn check_not_expired(
    signer: &ContractSignerRecord,
    now: OffsetDateTime,
) -> Result<(), ContractError> {
    match signer.invitation_expires {
        Some(t) if now.unix_timestamp() > t => Err(ContractError::InvitationExpired(iso(t))),
        _ => Ok(()),
    }
}

pub(crate) fn iso(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

pub(crate) fn field_name(position: usize) -> String {
    format!("Signer{position}")
}
