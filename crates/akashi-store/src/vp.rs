//! The OpenID4VP verifier's tables: relying parties (each its own client id and trusted
//! issuers) and presentation transactions (nonce and state, answered once).

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{StoreError, Txn};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpClientRecord {
    pub id: String,
    pub name: String,
    /// SHA-256 of the relying party's API credential.
    pub credential_hash: Vec<u8>,
    /// JSON: the issuers this relying party trusts, with their keys.
    pub trusted_issuers: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpTransactionRecord {
    pub id: String,
    pub client: String,
    pub state: String,
    pub nonce: String,
    /// The DCQL query, JSON.
    pub dcql: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// `pending`, `verified`, `refused` (the wallet answered with an error).
    pub status: String,
    /// JSON: what the relying party gets (disclosed claims, predicate results, pseudonym).
    pub result: Option<String>,
    pub answered_at: Option<i64>,
}

const CLIENT_COLUMNS: &str = "id, name, credential_hash, trusted_issuers, created_at";
const TX_COLUMNS: &str =
    "id, client, state, nonce, dcql, created_at, expires_at, status, result, answered_at";

fn client(row: &AnyRow) -> Result<VpClientRecord, StoreError> {
    Ok(VpClientRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        credential_hash: row.try_get("credential_hash")?,
        trusted_issuers: row.try_get("trusted_issuers")?,
        created_at: row.try_get("created_at")?,
    })
}

fn transaction(row: &AnyRow) -> Result<VpTransactionRecord, StoreError> {
    Ok(VpTransactionRecord {
        id: row.try_get("id")?,
        client: row.try_get("client")?,
        state: row.try_get("state")?,
        nonce: row.try_get("nonce")?,
        dcql: row.try_get("dcql")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        status: row.try_get("status")?,
        result: row.try_get("result")?,
        answered_at: row.try_get("answered_at")?,
    })
}

impl Txn {
    /// Inserts a relying party; a name (or id) already taken is [`StoreError::Duplicate`].
    pub async fn vp_client_insert(&mut self, r: &VpClientRecord) -> Result<(), StoreError> {
        let sql = format!("INSERT INTO vp_clients ({CLIENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5)");
        let query = sqlx::query(&sql)
            .bind(&r.id)
            .bind(&r.name)
            .bind(&r.credential_hash)
            .bind(&r.trusted_issuers)
            .bind(r.created_at);
        self.execute_guarded(query)
            .await
            .map_err(StoreError::on_insert("relying party", &r.name))?;
        Ok(())
    }

    pub async fn vp_client(&mut self, id: &str) -> Result<Option<VpClientRecord>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM vp_clients WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(client).transpose()
    }

    pub async fn vp_client_by_credential(
        &mut self,
        hash: &[u8],
    ) -> Result<Option<VpClientRecord>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM vp_clients WHERE credential_hash = $1");
        let row = sqlx::query(&sql)
            .bind(hash)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(client).transpose()
    }

    pub async fn vp_client_set_trust(
        &mut self,
        id: &str,
        trusted_issuers: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE vp_clients SET trusted_issuers = $1 WHERE id = $2")
            .bind(trusted_issuers)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn vp_transaction_insert(
        &mut self,
        r: &VpTransactionRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO vp_transactions ({TX_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(&r.id)
        .bind(&r.client)
        .bind(&r.state)
        .bind(&r.nonce)
        .bind(&r.dcql)
        .bind(r.created_at)
        .bind(r.expires_at)
        .bind(&r.status)
        .bind(&r.result)
        .bind(r.answered_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn vp_transaction(
        &mut self,
        id: &str,
    ) -> Result<Option<VpTransactionRecord>, StoreError> {
        let sql = format!("SELECT {TX_COLUMNS} FROM vp_transactions WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(transaction).transpose()
    }

    pub async fn vp_transaction_by_state(
        &mut self,
        state: &str,
    ) -> Result<Option<VpTransactionRecord>, StoreError> {
        let sql = format!("SELECT {TX_COLUMNS} FROM vp_transactions WHERE state = $1");
        let row = sqlx::query(&sql)
            .bind(state)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(transaction).transpose()
    }

    /// Answers a pending transaction once: `false` if it was already answered.
    pub async fn vp_transaction_answer(
        &mut self,
        id: &str,
        status: &str,
        result: Option<&str>,
        at: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE vp_transactions SET status = $1, result = $2, answered_at = $3 WHERE id = $4 AND status = 'pending'")
            .bind(status)
            .bind(result)
            .bind(at)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Forgets transactions that expired before `before`.
    pub async fn vp_transactions_purge(&mut self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM vp_transactions WHERE expires_at < $1")
            .bind(before)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected())
    }
}
