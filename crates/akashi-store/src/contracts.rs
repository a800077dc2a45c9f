//! Multi-party contracts: the document (as created and as signed so far), one row per signer
//! with the hash of their invitation, and an append-only, hash-chained audit trail.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{StoreError, Txn};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractRecord {
    pub id: String,
    pub title: String,
    pub file_name: String,
    /// `pdf` (PAdES, one incremental update per signer) or `file` (detached CAdES per signer).
    pub kind: String,
    /// `any` or `sequential`.
    pub signing_order: String,
    pub original: Vec<u8>,
    /// The PDF with every signature so far (for `file`, the original).
    pub current: Vec<u8>,
    /// `open`, `completed`, `cancelled`.
    pub status: String,
    /// Optimistic concurrency: each change names the version it read.
    pub version: i64,
    pub created_at: i64,
    pub completed_at: Option<i64>,
}

/// A contract without its document bytes, for listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractSummary {
    pub id: String,
    pub title: String,
    pub status: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractSignerRecord {
    pub contract_id: String,
    /// 1-based.
    pub position: i64,
    /// Who the creator expects (a role or a name); never taken from the certificate.
    pub label: String,
    /// `pending` (not invited yet), `invited`, `signed`.
    pub status: String,
    /// SHA-256 of the invitation token; the token itself is never stored.
    pub invitation_hash: Option<Vec<u8>>,
    pub invitation_expires: Option<i64>,
    pub signed_at: Option<i64>,
    /// SHA-256 of the signer's certificate: one certificate signs a contract once.
    pub certificate_digest: Option<Vec<u8>>,
    /// The signer's detached CAdES signature (`file` contracts).
    pub signature: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractEventRecord {
    pub contract_id: String,
    /// 1, 2, … within the contract.
    pub seq: i64,
    pub at: i64,
    pub action: String,
    /// JSON; never the basic four attributes.
    pub detail: String,
    /// SHA-256 over the previous event's hash and this event's fields.
    pub hash: Vec<u8>,
}

const CONTRACT_COLUMNS: &str = "id, title, file_name, kind, signing_order, original, current, \
status, version, created_at, completed_at";
const SIGNER_COLUMNS: &str = "contract_id, position, label, status, invitation_hash, \
invitation_expires, signed_at, certificate_digest, signature";

fn contract(row: &AnyRow) -> Result<ContractRecord, StoreError> {
    Ok(ContractRecord {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        file_name: row.try_get("file_name")?,
        kind: row.try_get("kind")?,
        signing_order: row.try_get("signing_order")?,
        original: row.try_get("original")?,
        current: row.try_get("current")?,
        status: row.try_get("status")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        completed_at: row.try_get("completed_at")?,
    })
}

fn signer(row: &AnyRow) -> Result<ContractSignerRecord, StoreError> {
    Ok(ContractSignerRecord {
        contract_id: row.try_get("contract_id")?,
        position: row.try_get("position")?,
        label: row.try_get("label")?,
        status: row.try_get("status")?,
        invitation_hash: row.try_get("invitation_hash")?,
        invitation_expires: row.try_get("invitation_expires")?,
        signed_at: row.try_get("signed_at")?,
        certificate_digest: row.try_get("certificate_digest")?,
        signature: row.try_get("signature")?,
    })
}

impl Txn {
    /// Inserts a contract with its signers; an id already taken is [`StoreError::Duplicate`].
    pub async fn contract_insert(
        &mut self,
        c: &ContractRecord,
        signers: &[ContractSignerRecord],
    ) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO contracts ({CONTRACT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        );
        let query = sqlx::query(&sql)
            .bind(&c.id)
            .bind(&c.title)
            .bind(&c.file_name)
            .bind(&c.kind)
            .bind(&c.signing_order)
            .bind(&c.original)
            .bind(&c.current)
            .bind(&c.status)
            .bind(c.version)
            .bind(c.created_at)
            .bind(c.completed_at);
        self.execute_guarded(query)
            .await
            .map_err(StoreError::on_insert("contract", &c.id))?;
        for s in signers {
            let sql = format!(
                "INSERT INTO contract_signers ({SIGNER_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            );
            sqlx::query(&sql)
                .bind(&s.contract_id)
                .bind(s.position)
                .bind(&s.label)
                .bind(&s.status)
                .bind(&s.invitation_hash)
                .bind(s.invitation_expires)
                .bind(s.signed_at)
                .bind(&s.certificate_digest)
                .bind(&s.signature)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    pub async fn contract(&mut self, id: &str) -> Result<Option<ContractRecord>, StoreError> {
        let sql = format!("SELECT {CONTRACT_COLUMNS} FROM contracts WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(contract).transpose()
    }

    /// Every contract, newest first.
    pub async fn contracts(&mut self) -> Result<Vec<ContractSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, title, status, created_at FROM contracts ORDER BY created_at DESC, id",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ContractSummary {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    status: row.try_get("status")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Replaces the document and status if the contract is still at `expected_version`;
    /// otherwise [`StoreError::Conflict`] (another party changed it first).
    pub async fn contract_update(
        &mut self,
        c: &ContractRecord,
        expected_version: i64,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE contracts SET current = $1, status = $2, version = $3, completed_at = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(&c.current)
        .bind(&c.status)
        .bind(c.version)
        .bind(c.completed_at)
        .bind(&c.id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "contract",
                key: c.id.clone(),
            });
        }
        Ok(())
    }

    pub async fn contract_signers(
        &mut self,
        contract_id: &str,
    ) -> Result<Vec<ContractSignerRecord>, StoreError> {
        let sql = format!(
            "SELECT {SIGNER_COLUMNS} FROM contract_signers WHERE contract_id = $1 ORDER BY position"
        );
        let rows = sqlx::query(&sql)
            .bind(contract_id)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(signer).collect()
    }

    /// The signer whose current invitation hashes to `hash`.
    pub async fn contract_signer_by_invitation(
        &mut self,
        hash: &[u8],
    ) -> Result<Option<ContractSignerRecord>, StoreError> {
        let sql =
            format!("SELECT {SIGNER_COLUMNS} FROM contract_signers WHERE invitation_hash = $1");
        let row = sqlx::query(&sql)
            .bind(hash)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(signer).transpose()
    }

    /// Updates one signer's row (status, invitation, signature).
    pub async fn contract_signer_update(
        &mut self,
        s: &ContractSignerRecord,
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "UPDATE contract_signers SET status = $1, invitation_hash = $2, \
             invitation_expires = $3, signed_at = $4, certificate_digest = $5, signature = $6 \
             WHERE contract_id = $7 AND position = $8",
        )
        .bind(&s.status)
        .bind(&s.invitation_hash)
        .bind(s.invitation_expires)
        .bind(s.signed_at)
        .bind(&s.certificate_digest)
        .bind(&s.signature)
        .bind(&s.contract_id)
        .bind(s.position);
        let done = self
            .execute_guarded(query)
            .await
            .map_err(StoreError::on_insert("invitation", &s.contract_id))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Corrupt(format!(
                "no signer {} in contract {}",
                s.position, s.contract_id
            )));
        }
        Ok(())
    }

    /// Appends an audit event; a sequence number already taken (a concurrent append) is
    /// [`StoreError::Conflict`].
    pub async fn contract_event_append(
        &mut self,
        e: &ContractEventRecord,
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO contract_events (contract_id, seq, at, action, detail, hash) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&e.contract_id)
        .bind(e.seq)
        .bind(e.at)
        .bind(&e.action)
        .bind(&e.detail)
        .bind(&e.hash);
        self.execute_guarded(query)
            .await
            .map_err(|err| match &err {
                sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                    what: "contract audit trail",
                    key: e.contract_id.clone(),
                },
                _ => StoreError::from(err),
            })?;
        Ok(())
    }

    /// The audit trail of a contract, oldest first.
    pub async fn contract_events(
        &mut self,
        contract_id: &str,
    ) -> Result<Vec<ContractEventRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT contract_id, seq, at, action, detail, hash FROM contract_events \
             WHERE contract_id = $1 ORDER BY seq",
        )
        .bind(contract_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ContractEventRecord {
                    contract_id: row.try_get("contract_id")?,
                    seq: row.try_get("seq")?,
                    at: row.try_get("at")?,
                    action: row.try_get("action")?,
                    detail: row.try_get("detail")?,
                    hash: row.try_get("hash")?,
                })
            })
            .collect()
    }
}
