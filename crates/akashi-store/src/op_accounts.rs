//! The OpenID provider's people: accounts with the assurance they were proofed at, the
//! authenticators bound to them (with persisted failure counters), and login sessions.
//! Secrets (session cookies) are stored as hashes; attributes sealed by the caller.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{StoreError, Txn};

/// A person registered at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpAccountRecord {
    pub id: String,
    /// 1–3.
    pub ial: i64,
    /// `registered` or `recovery` (no authenticator left: proofing again is needed).
    pub state: String,
    /// `jpki` (proofed with the signature certificate) or `wallet` (a BBS pseudonym).
    pub anchor_kind: String,
    /// The signature certificate's serial, or the pseudonym at the provider.
    pub anchor_ref: String,
    /// The claims as JSON, sealed by the provider.
    pub claims: Vec<u8>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One authenticator bound to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpAuthenticatorRecord {
    pub id: String,
    pub account_id: String,
    /// `jpki_card`, `device_key`, `passkey`.
    pub kind: String,
    pub aal: i64,
    /// Unique per authenticator: the certificate serial, key thumbprint or credential id.
    pub lookup: String,
    pub label: String,
    /// The certificate, public key or stored passkey.
    pub public_data: Vec<u8>,
    /// A PIN verifier (device keys), never the PIN.
    pub secret: Option<Vec<u8>>,
    /// `active`, `locked` (too many failures) or `revoked`.
    pub status: String,
    pub failed_attempts: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A login session (the browser's cookie, hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpSessionRecord {
    pub id_hash: String,
    pub account_id: String,
    pub ial: i64,
    pub aal: i64,
    /// JSON array of RFC 8176 method references.
    pub amr: String,
    pub auth_time: i64,
    pub expires_at: i64,
    pub ended_at: Option<i64>,
}

const ACCOUNT: &str =
    "id, ial, state, anchor_kind, anchor_ref, claims, version, created_at, updated_at";
const AUTHENTICATOR: &str = "id, account_id, kind, aal, lookup, label, public_data, secret, \
status, failed_attempts, created_at, last_used_at";
const SESSION: &str = "id_hash, account_id, ial, aal, amr, auth_time, expires_at, ended_at";

fn account(row: &AnyRow) -> Result<OpAccountRecord, StoreError> {
    Ok(OpAccountRecord {
        id: row.try_get("id")?,
        ial: row.try_get("ial")?,
        state: row.try_get("state")?,
        anchor_kind: row.try_get("anchor_kind")?,
        anchor_ref: row.try_get("anchor_ref")?,
        claims: row.try_get("claims")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn authenticator(row: &AnyRow) -> Result<OpAuthenticatorRecord, StoreError> {
    Ok(OpAuthenticatorRecord {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        kind: row.try_get("kind")?,
        aal: row.try_get("aal")?,
        lookup: row.try_get("lookup")?,
        label: row.try_get("label")?,
        public_data: row.try_get("public_data")?,
        secret: row.try_get("secret")?,
        status: row.try_get("status")?,
        failed_attempts: row.try_get("failed_attempts")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

fn session(row: &AnyRow) -> Result<OpSessionRecord, StoreError> {
    Ok(OpSessionRecord {
        id_hash: row.try_get("id_hash")?,
        account_id: row.try_get("account_id")?,
        ial: row.try_get("ial")?,
        aal: row.try_get("aal")?,
        amr: row.try_get("amr")?,
        auth_time: row.try_get("auth_time")?,
        expires_at: row.try_get("expires_at")?,
        ended_at: row.try_get("ended_at")?,
    })
}

impl Txn {
    /// Inserts an account; an anchor already registered is [`StoreError::Duplicate`].
    pub async fn op_account_insert(&mut self, a: &OpAccountRecord) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO op_accounts ({ACCOUNT}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        );
        let query = sqlx::query(&sql)
            .bind(&a.id)
            .bind(a.ial)
            .bind(&a.state)
            .bind(&a.anchor_kind)
            .bind(&a.anchor_ref)
            .bind(&a.claims)
            .bind(a.version)
            .bind(a.created_at)
            .bind(a.updated_at);
        self.execute_guarded(query)
            .await
            .map_err(StoreError::on_insert("account", &a.anchor_ref))?;
        Ok(())
    }

    pub async fn op_account(&mut self, id: &str) -> Result<Option<OpAccountRecord>, StoreError> {
        let sql = format!("SELECT {ACCOUNT} FROM op_accounts WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(account).transpose()
    }

    pub async fn op_account_by_anchor(
        &mut self,
        kind: &str,
        anchor_ref: &str,
    ) -> Result<Option<OpAccountRecord>, StoreError> {
        let sql =
            format!("SELECT {ACCOUNT} FROM op_accounts WHERE anchor_kind = $1 AND anchor_ref = $2");
        let row = sqlx::query(&sql)
            .bind(kind)
            .bind(anchor_ref)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(account).transpose()
    }

    /// Writes state, IAL, anchor and claims if the account is still at `expected_version`.
    pub async fn op_account_update(
        &mut self,
        a: &OpAccountRecord,
        expected_version: i64,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE op_accounts SET ial = $1, state = $2, anchor_ref = $3, claims = $4, \
             version = $5, updated_at = $6 WHERE id = $7 AND version = $8",
        )
        .bind(a.ial)
        .bind(&a.state)
        .bind(&a.anchor_ref)
        .bind(&a.claims)
        .bind(a.version)
        .bind(a.updated_at)
        .bind(&a.id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "account",
                key: a.id.clone(),
            });
        }
        Ok(())
    }

    /// Binds an authenticator; one already bound (same lookup) is [`StoreError::Duplicate`].
    pub async fn op_authenticator_insert(
        &mut self,
        a: &OpAuthenticatorRecord,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO op_authenticators ({AUTHENTICATOR}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        );
        let query = sqlx::query(&sql)
            .bind(&a.id)
            .bind(&a.account_id)
            .bind(&a.kind)
            .bind(a.aal)
            .bind(&a.lookup)
            .bind(&a.label)
            .bind(&a.public_data)
            .bind(&a.secret)
            .bind(&a.status)
            .bind(a.failed_attempts)
            .bind(a.created_at)
            .bind(a.last_used_at);
        self.execute_guarded(query)
            .await
            .map_err(StoreError::on_insert("authenticator", &a.lookup))?;
        Ok(())
    }

    pub async fn op_authenticator_by_lookup(
        &mut self,
        lookup: &str,
    ) -> Result<Option<OpAuthenticatorRecord>, StoreError> {
        let sql = format!("SELECT {AUTHENTICATOR} FROM op_authenticators WHERE lookup = $1");
        let row = sqlx::query(&sql)
            .bind(lookup)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(authenticator).transpose()
    }

    /// The account's authenticators (revoked ones included), oldest first.
    pub async fn op_authenticators(
        &mut self,
        account_id: &str,
    ) -> Result<Vec<OpAuthenticatorRecord>, StoreError> {
        let sql = format!(
            "SELECT {AUTHENTICATOR} FROM op_authenticators WHERE account_id = $1 \
             ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(authenticator).collect()
    }

    /// Status, failure counter, public data (a passkey's counter) and last use.
    pub async fn op_authenticator_update(
        &mut self,
        a: &OpAuthenticatorRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE op_authenticators SET status = $1, failed_attempts = $2, public_data = $3, \
             last_used_at = $4 WHERE id = $5",
        )
        .bind(&a.status)
        .bind(a.failed_attempts)
        .bind(&a.public_data)
        .bind(a.last_used_at)
        .bind(&a.id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Counts one failed attempt in the database itself, so that concurrent failures are
    /// never lost (on PostgreSQL a read-modify-write would be), and locks the authenticator
    /// at `limit` failures, or at once with `lock_now`. Returns the authenticator after it,
    /// or `None` when it was not active any more.
    pub async fn op_authenticator_fail(
        &mut self,
        id: &str,
        limit: i64,
        lock_now: bool,
    ) -> Result<Option<OpAuthenticatorRecord>, StoreError> {
        let done = sqlx::query(
            "UPDATE op_authenticators SET failed_attempts = failed_attempts + 1, \
             status = CASE WHEN $1 OR failed_attempts + 1 >= $2 THEN 'locked' ELSE status END \
             WHERE id = $3 AND status = 'active'",
        )
        .bind(lock_now)
        .bind(limit)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        let sql = format!("SELECT {AUTHENTICATOR} FROM op_authenticators WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_one(&mut *self.tx).await?;
        authenticator(&row).map(Some)
    }

    /// A successful login with the authenticator: failures reset, the use time and key data
    /// (a passkey's new signature counter) saved — only while it is still active. `false`
    /// when a concurrent request locked or removed it first.
    pub async fn op_authenticator_used(
        &mut self,
        id: &str,
        public_data: &[u8],
        at: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE op_authenticators SET failed_attempts = 0, public_data = $1, \
             last_used_at = $2 WHERE id = $3 AND status = 'active'",
        )
        .bind(public_data)
        .bind(at)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn op_session_insert(&mut self, s: &OpSessionRecord) -> Result<(), StoreError> {
        let sql =
            format!("INSERT INTO op_sessions ({SESSION}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
        sqlx::query(&sql)
            .bind(&s.id_hash)
            .bind(&s.account_id)
            .bind(s.ial)
            .bind(s.aal)
            .bind(&s.amr)
            .bind(s.auth_time)
            .bind(s.expires_at)
            .bind(s.ended_at)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn op_session(
        &mut self,
        id_hash: &str,
    ) -> Result<Option<OpSessionRecord>, StoreError> {
        let sql = format!("SELECT {SESSION} FROM op_sessions WHERE id_hash = $1");
        let row = sqlx::query(&sql)
            .bind(id_hash)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(session).transpose()
    }

    /// Ends the session (logout); true if it was still open.
    pub async fn op_session_end(&mut self, id_hash: &str, at: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE op_sessions SET ended_at = $1 WHERE id_hash = $2 AND ended_at IS NULL",
        )
        .bind(at)
        .bind(id_hash)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends every open session of the account (its last authenticator went away).
    pub async fn op_sessions_end_for(
        &mut self,
        account_id: &str,
        at: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE op_sessions SET ended_at = $1 WHERE account_id = $2 AND ended_at IS NULL",
        )
        .bind(at)
        .bind(account_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected())
    }
}
