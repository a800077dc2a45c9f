//! The private ID issuer's (民間ID事業者) tables: holders and their JPKI anchor, one-time grants
//! (pre-authorized and authorization codes, refresh tokens — stored as hashes), issued
//! credentials with their status-list index, and deferred issuance.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{StoreError, Txn};

/// A proofed person and the JPKI signature certificate the credentials follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerHolderRecord {
    pub id: String,
    pub anchor_kind: String,
    pub anchor_serial: String,
    /// `good`, `pending` (revocation not yet confirmed at J-LIS) or `revoked`.
    pub anchor_status: String,
    pub anchor_reason: Option<String>,
    /// The holder consented that J-LIS gives the issuer the latest four attributes when the
    /// anchor is revoked for a move or a name change.
    pub consent_updates: bool,
    /// The basic four attributes as JSON, sealed with the issuer's key.
    pub attributes: Vec<u8>,
    /// The holder's BBS pseudonym entropy, sealed.
    pub nym_entropy: Vec<u8>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A one-time code or a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerGrantRecord {
    /// Hex SHA-256 of the code; the code itself is never stored.
    pub code_hash: String,
    /// `pre-authorized`, `authorization-request`, `authorization-code`, `refresh`.
    pub kind: String,
    pub holder_id: Option<String>,
    /// JSON: what the grant is for (configuration ids, PKCE challenge, redirect URI, …).
    pub detail: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// One issued credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCredentialRecord {
    pub id: String,
    pub holder_id: String,
    pub format: String,
    /// The index in the status list (SD-JWT VC); `None` for BBS (short-lived instead).
    pub status_index: Option<i64>,
    /// 0 valid, 1 invalid (revoked).
    pub status: i64,
    pub issued_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeferredRecord {
    pub transaction_id: String,
    pub holder_id: String,
    /// The credential request, JSON, as received.
    pub request: String,
    pub created_at: i64,
    pub issued_at: Option<i64>,
}

const HOLDER_COLUMNS: &str = "id, anchor_kind, anchor_serial, anchor_status, anchor_reason, consent_updates, attributes, nym_entropy, created_at, updated_at";

fn holder(row: &AnyRow) -> Result<IssuerHolderRecord, StoreError> {
    Ok(IssuerHolderRecord {
        id: row.try_get("id")?,
        anchor_kind: row.try_get("anchor_kind")?,
        anchor_serial: row.try_get("anchor_serial")?,
        anchor_status: row.try_get("anchor_status")?,
        anchor_reason: row.try_get("anchor_reason")?,
        consent_updates: row.try_get::<i64, _>("consent_updates")? != 0,
        attributes: row.try_get("attributes")?,
        nym_entropy: row.try_get("nym_entropy")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Txn {
    pub async fn issuer_holder_insert(&mut self, r: &IssuerHolderRecord) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO issuer_holders ({HOLDER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(&r.id)
        .bind(&r.anchor_kind)
        .bind(&r.anchor_serial)
        .bind(&r.anchor_status)
        .bind(&r.anchor_reason)
        .bind(i64::from(r.consent_updates))
        .bind(&r.attributes)
        .bind(&r.nym_entropy)
        .bind(r.created_at)
        .bind(r.updated_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn issuer_holder(
        &mut self,
        id: &str,
    ) -> Result<Option<IssuerHolderRecord>, StoreError> {
        let sql = format!("SELECT {HOLDER_COLUMNS} FROM issuer_holders WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(holder).transpose()
    }

    /// The holder whose anchor is this certificate, if any.
    pub async fn issuer_holder_by_anchor(
        &mut self,
        kind: &str,
        serial: &str,
    ) -> Result<Option<IssuerHolderRecord>, StoreError> {
        let sql = format!("SELECT {HOLDER_COLUMNS} FROM issuer_holders WHERE anchor_kind = $1 AND anchor_serial = $2 ORDER BY created_at DESC LIMIT 1");
        let row = sqlx::query(&sql)
            .bind(kind)
            .bind(serial)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(holder).transpose()
    }

    /// Holders whose anchor is `good` or `pending` (the ones the issuer keeps watching).
    pub async fn issuer_holders_watched(&mut self) -> Result<Vec<IssuerHolderRecord>, StoreError> {
        let sql = format!("SELECT {HOLDER_COLUMNS} FROM issuer_holders WHERE anchor_status IN ('good', 'pending') ORDER BY id");
        let rows = sqlx::query(&sql).fetch_all(&mut *self.tx).await?;
        rows.iter().map(holder).collect()
    }

    /// A new anchor status (and, on renewal, serial and attributes).
    pub async fn issuer_holder_update(&mut self, r: &IssuerHolderRecord) -> Result<(), StoreError> {
        sqlx::query("UPDATE issuer_holders SET anchor_serial = $1, anchor_status = $2, anchor_reason = $3, attributes = $4, updated_at = $5 WHERE id = $6")
            .bind(&r.anchor_serial)
            .bind(&r.anchor_status)
            .bind(&r.anchor_reason)
            .bind(&r.attributes)
            .bind(r.updated_at)
            .bind(&r.id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn issuer_grant_insert(&mut self, r: &IssuerGrantRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO issuer_grants (code_hash, kind, holder_id, detail, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&r.code_hash)
            .bind(&r.kind)
            .bind(&r.holder_id)
            .bind(&r.detail)
            .bind(r.expires_at)
            .bind(r.used_at)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn issuer_grant(
        &mut self,
        code_hash: &str,
        kind: &str,
    ) -> Result<Option<IssuerGrantRecord>, StoreError> {
        let row = sqlx::query("SELECT code_hash, kind, holder_id, detail, expires_at, used_at FROM issuer_grants WHERE code_hash = $1 AND kind = $2")
            .bind(code_hash)
            .bind(kind)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|row| -> Result<_, StoreError> {
            Ok(IssuerGrantRecord {
                code_hash: row.try_get("code_hash")?,
                kind: row.try_get("kind")?,
                holder_id: row.try_get("holder_id")?,
                detail: row.try_get("detail")?,
                expires_at: row.try_get("expires_at")?,
                used_at: row.try_get("used_at")?,
            })
        })
        .transpose()
    }

    /// Uses a grant once: `true` if it was unused and unexpired at `now` and is now used.
    pub async fn issuer_grant_use(
        &mut self,
        code_hash: &str,
        kind: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE issuer_grants SET used_at = $1 WHERE code_hash = $2 AND kind = $3 AND used_at IS NULL AND expires_at >= $1")
            .bind(now)
            .bind(code_hash)
            .bind(kind)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Every unused refresh token of a holder is used up (the anchor was revoked, or the
    /// holder proofed again).
    pub async fn issuer_grants_end_for_holder(
        &mut self,
        holder_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE issuer_grants SET used_at = $1 WHERE holder_id = $2 AND used_at IS NULL",
        )
        .bind(now)
        .bind(holder_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Records an issued credential; `false` (nothing written) if its status index is taken.
    pub async fn issuer_credential_insert(
        &mut self,
        r: &IssuedCredentialRecord,
    ) -> Result<bool, StoreError> {
        let query = sqlx::query("INSERT INTO issuer_credentials (id, holder_id, format, status_index, status, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&r.id)
            .bind(&r.holder_id)
            .bind(&r.format)
            .bind(r.status_index)
            .bind(r.status)
            .bind(r.issued_at)
            .bind(r.expires_at);
        match self.execute_guarded(query).await {
            Ok(_) => Ok(true),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Sets every valid credential of a holder to `status`; returns how many changed.
    pub async fn issuer_credentials_set_status(
        &mut self,
        holder_id: &str,
        status: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE issuer_credentials SET status = $1 WHERE holder_id = $2 AND status = 0",
        )
        .bind(status)
        .bind(holder_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected())
    }

    /// `(index, status)` of every listed credential whose status is not 0 (valid).
    pub async fn issuer_status_entries(&mut self) -> Result<Vec<(i64, i64)>, StoreError> {
        let rows = sqlx::query("SELECT status_index, status FROM issuer_credentials WHERE status_index IS NOT NULL AND status <> 0")
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("status_index")?, r.try_get("status")?)))
            .collect()
    }

    pub async fn issuer_credentials_of_holder(
        &mut self,
        holder_id: &str,
    ) -> Result<Vec<IssuedCredentialRecord>, StoreError> {
        let rows = sqlx::query("SELECT id, holder_id, format, status_index, status, issued_at, expires_at FROM issuer_credentials WHERE holder_id = $1 ORDER BY issued_at, id")
            .bind(holder_id)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(IssuedCredentialRecord {
                    id: row.try_get("id")?,
                    holder_id: row.try_get("holder_id")?,
                    format: row.try_get("format")?,
                    status_index: row.try_get("status_index")?,
                    status: row.try_get("status")?,
                    issued_at: row.try_get("issued_at")?,
                    expires_at: row.try_get("expires_at")?,
                })
            })
            .collect()
    }

    pub async fn issuer_deferred_insert(&mut self, r: &DeferredRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO issuer_deferred (transaction_id, holder_id, request, created_at, issued_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&r.transaction_id)
            .bind(&r.holder_id)
            .bind(&r.request)
            .bind(r.created_at)
            .bind(r.issued_at)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn issuer_deferred(
        &mut self,
        transaction_id: &str,
    ) -> Result<Option<DeferredRecord>, StoreError> {
        let row = sqlx::query("SELECT transaction_id, holder_id, request, created_at, issued_at FROM issuer_deferred WHERE transaction_id = $1")
            .bind(transaction_id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|row| -> Result<_, StoreError> {
            Ok(DeferredRecord {
                transaction_id: row.try_get("transaction_id")?,
                holder_id: row.try_get("holder_id")?,
                request: row.try_get("request")?,
                created_at: row.try_get("created_at")?,
                issued_at: row.try_get("issued_at")?,
            })
        })
        .transpose()
    }

    /// Marks a deferred transaction issued: `true` if it was not already.
    pub async fn issuer_deferred_done(
        &mut self,
        transaction_id: &str,
        at: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE issuer_deferred SET issued_at = $1 WHERE transaction_id = $2 AND issued_at IS NULL")
            .bind(at)
            .bind(transaction_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
