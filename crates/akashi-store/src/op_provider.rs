//! The OpenID provider's relying parties, one-time grants (pushed requests, interactions,
//! codes, access tokens — stored as hashes), consents, signing keys and seen DPoP proofs.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{StoreError, Txn};

/// A registered relying party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpClientRecord {
    pub client_id: String,
    pub name: String,
    /// Hex SHA-256 of the client secret; `None` for a public client (PKCE only).
    pub secret_hash: Option<String>,
    /// JSON array, matched exactly.
    pub redirect_uris: String,
    /// JSON array, matched exactly.
    pub post_logout_redirect_uris: String,
    /// The sector identifier the pairwise `sub` is computed for.
    pub sector: String,
    /// The RP's public JWK (JSON) ID tokens are encrypted to (FAL2).
    pub id_token_encryption: Option<String>,
    /// Tokens only with a DPoP proof (FAL3).
    pub require_dpop: bool,
    pub created_at: i64,
}

/// A one-time or short-lived grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpGrantRecord {
    /// Hex SHA-256 of the handle; the handle itself is never stored.
    pub hash: String,
    /// `par`, `interaction`, `code`, `access`.
    pub kind: String,
    pub client_id: String,
    pub account_id: Option<String>,
    /// JSON: what the grant carries.
    pub detail: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    /// The grant this one came from (an access token's code), for revocation on code reuse.
    pub parent: Option<String>,
}

const CLIENT: &str = "client_id, name, secret_hash, redirect_uris, post_logout_redirect_uris, \
sector, id_token_encryption, require_dpop, created_at";
const GRANT: &str = "hash, kind, client_id, account_id, detail, expires_at, used_at, parent";

fn client(row: &AnyRow) -> Result<OpClientRecord, StoreError> {
    Ok(OpClientRecord {
        client_id: row.try_get("client_id")?,
        name: row.try_get("name")?,
        secret_hash: row.try_get("secret_hash")?,
        redirect_uris: row.try_get("redirect_uris")?,
        post_logout_redirect_uris: row.try_get("post_logout_redirect_uris")?,
        sector: row.try_get("sector")?,
        id_token_encryption: row.try_get("id_token_encryption")?,
        require_dpop: row.try_get::<i64, _>("require_dpop")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

fn grant(row: &AnyRow) -> Result<OpGrantRecord, StoreError> {
    Ok(OpGrantRecord {
        hash: row.try_get("hash")?,
        kind: row.try_get("kind")?,
        client_id: row.try_get("client_id")?,
        account_id: row.try_get("account_id")?,
        detail: row.try_get("detail")?,
        expires_at: row.try_get("expires_at")?,
        used_at: row.try_get("used_at")?,
        parent: row.try_get("parent")?,
    })
}

impl Txn {
    pub async fn op_client_insert(&mut self, c: &OpClientRecord) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO op_clients ({CLIENT}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        );
        let query = sqlx::query(&sql)
            .bind(&c.client_id)
            .bind(&c.name)
            .bind(&c.secret_hash)
            .bind(&c.redirect_uris)
            .bind(&c.post_logout_redirect_uris)
            .bind(&c.sector)
            .bind(&c.id_token_encryption)
            .bind(i64::from(c.require_dpop))
            .bind(c.created_at);
        self.execute_guarded(query)
            .await
            .map_err(StoreError::on_insert("client", &c.client_id))?;
        Ok(())
    }

    pub async fn op_client(&mut self, id: &str) -> Result<Option<OpClientRecord>, StoreError> {
        let sql = format!("SELECT {CLIENT} FROM op_clients WHERE client_id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(client).transpose()
    }

    pub async fn op_clients(&mut self) -> Result<Vec<OpClientRecord>, StoreError> {
        let sql = format!("SELECT {CLIENT} FROM op_clients ORDER BY created_at, client_id");
        let rows = sqlx::query(&sql).fetch_all(&mut *self.tx).await?;
        rows.iter().map(client).collect()
    }

    pub async fn op_grant_insert(&mut self, g: &OpGrantRecord) -> Result<(), StoreError> {
        let sql =
            format!("INSERT INTO op_grants ({GRANT}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
        let query = sqlx::query(&sql)
            .bind(&g.hash)
            .bind(&g.kind)
            .bind(&g.client_id)
            .bind(&g.account_id)
            .bind(&g.detail)
            .bind(g.expires_at)
            .bind(g.used_at)
            .bind(&g.parent);
        self.execute_guarded(query)
            .await
            .map_err(StoreError::on_insert("grant", &g.kind))?;
        Ok(())
    }

    pub async fn op_grant(
        &mut self,
        hash: &str,
        kind: &str,
    ) -> Result<Option<OpGrantRecord>, StoreError> {
        let sql = format!("SELECT {GRANT} FROM op_grants WHERE hash = $1 AND kind = $2");
        let row = sqlx::query(&sql)
            .bind(hash)
            .bind(kind)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(grant).transpose()
    }

    /// Marks the grant used; false if it was already used (a replay).
    pub async fn op_grant_use(&mut self, hash: &str, at: i64) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE op_grants SET used_at = $1 WHERE hash = $2 AND used_at IS NULL")
                .bind(at)
                .bind(hash)
                .execute(&mut *self.tx)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces a grant's detail and account (an interaction moving on).
    pub async fn op_grant_update(&mut self, g: &OpGrantRecord) -> Result<(), StoreError> {
        sqlx::query("UPDATE op_grants SET detail = $1, account_id = $2 WHERE hash = $3")
            .bind(&g.detail)
            .bind(&g.account_id)
            .bind(&g.hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Expires every grant that came from `parent` (tokens of a code presented twice).
    pub async fn op_grants_revoke_children(
        &mut self,
        parent: &str,
        at: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query("UPDATE op_grants SET expires_at = $1 WHERE parent = $2")
            .bind(at)
            .bind(parent)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected())
    }

    /// The scopes the account consented to give the client (JSON array), if any.
    pub async fn op_consent(
        &mut self,
        account_id: &str,
        client_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query("SELECT scopes FROM op_consents WHERE account_id = $1 AND client_id = $2")
                .bind(account_id)
                .bind(client_id)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(row.map(|r| r.try_get("scopes")).transpose()?)
    }

    pub async fn op_consent_put(
        &mut self,
        account_id: &str,
        client_id: &str,
        scopes: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM op_consents WHERE account_id = $1 AND client_id = $2")
            .bind(account_id)
            .bind(client_id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT INTO op_consents (account_id, client_id, scopes, granted_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(account_id)
        .bind(client_id)
        .bind(scopes)
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Records a DPoP proof's hash; a proof seen before is [`StoreError::Duplicate`].
    pub async fn op_dpop_seen(&mut self, hash: &str, expires_at: i64) -> Result<(), StoreError> {
        let query = sqlx::query("INSERT INTO op_dpop_jtis (hash, expires_at) VALUES ($1, $2)")
            .bind(hash)
            .bind(expires_at);
        self.execute_guarded(query)
            .await
            .map_err(StoreError::on_insert("DPoP proof", hash))?;
        Ok(())
    }

    /// Forgets expired grants and DPoP proofs.
    pub async fn op_purge(&mut self, now: i64) -> Result<u64, StoreError> {
        let a = sqlx::query("DELETE FROM op_grants WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        let b = sqlx::query("DELETE FROM op_dpop_jtis WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(a.rows_affected() + b.rows_affected())
    }
}

/// A provider signing key, sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpKeyRecord {
    pub kid: String,
    /// `current` (signs), `retired` (still published so tokens it signed verify).
    pub state: String,
    pub sealed: Vec<u8>,
    pub public_jwk: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

impl Txn {
    pub async fn op_key_insert(&mut self, k: &OpKeyRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO op_keys (kid, state, sealed, public_jwk, created_at, retired_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&k.kid)
        .bind(&k.state)
        .bind(&k.sealed)
        .bind(&k.public_jwk)
        .bind(k.created_at)
        .bind(k.retired_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Every key not yet deleted, newest first.
    pub async fn op_keys(&mut self) -> Result<Vec<OpKeyRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT kid, state, sealed, public_jwk, created_at, retired_at FROM op_keys \
             ORDER BY created_at DESC, kid",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(OpKeyRecord {
                    kid: row.try_get("kid")?,
                    state: row.try_get("state")?,
                    sealed: row.try_get("sealed")?,
                    public_jwk: row.try_get("public_jwk")?,
                    created_at: row.try_get("created_at")?,
                    retired_at: row.try_get("retired_at")?,
                })
            })
            .collect()
    }

    /// Retires every current key at `at`; deletes keys retired before `forget_before`.
    pub async fn op_keys_retire(&mut self, at: i64, forget_before: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE op_keys SET state = 'retired', retired_at = $1 WHERE state = 'current'",
        )
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM op_keys WHERE state = 'retired' AND retired_at < $1")
            .bind(forget_before)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
