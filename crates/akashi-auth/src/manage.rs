//! Binding, listing and removing authenticators, and the login step every authenticator
//! shares once its own check has passed.

use serde::Serialize;
use time::OffsetDateTime;

use akashi_crypto::SecureRandom;
use akashi_store::{OpAuthenticatorRecord, Txn};

use crate::account::{Account, LoggedIn, Session};
use crate::assurance::Aal;
use crate::error::internal;
use crate::lifecycle::{Event, Lifecycle};
use crate::{AuthEngine, AuthError};

/// An authenticator as its owner sees it (no key material, no PIN verifier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthenticatorInfo {
    pub id: String,
    pub kind: String,
    pub aal: i64,
    pub label: String,
    pub status: String,
    pub failed_attempts: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl From<&OpAuthenticatorRecord> for AuthenticatorInfo {
    fn from(a: &OpAuthenticatorRecord) -> Self {
        Self {
            id: a.id.clone(),
            kind: a.kind.clone(),
            aal: a.aal,
            label: a.label.clone(),
            status: a.status.clone(),
            failed_attempts: a.failed_attempts,
            created_at: a.created_at,
            last_used_at: a.last_used_at,
        }
    }
}

/// Removing any authenticator needs a two-factor session: one lost authenticator can be
/// removed with another.
const REMOVAL_NEEDS: Aal = Aal::Aal2;

pub(crate) fn aal_of(record: &OpAuthenticatorRecord) -> Result<Aal, AuthError> {
    Aal::from_number(record.aal).ok_or_else(|| internal("stored AAL"))
}

/// An authenticator may log in only while active.
pub(crate) fn usable(record: &OpAuthenticatorRecord) -> Result<(), AuthError> {
    match record.status.as_str() {
        "active" => Ok(()),
        "locked" => Err(AuthError::AuthenticatorLocked),
        _ => Err(AuthError::AuthenticatorRevoked),
    }
}

impl AuthEngine {
    pub async fn authenticators(
        &self,
        account_id: &str,
    ) -> Result<Vec<AuthenticatorInfo>, AuthError> {
        let mut tx = self.store.begin().await?;
        let list = tx.op_authenticators(account_id).await?;
        tx.commit().await?;
        Ok(list.iter().map(AuthenticatorInfo::from).collect())
    }

    /// Stores `record` for the session's account: the session must be open, recent and at
    /// the new authenticator's AAL or above.
    pub(crate) async fn bind(
        &self,
        session: &Session,
        account: &Account,
        record: OpAuthenticatorRecord,
        now: OffsetDateTime,
    ) -> Result<String, AuthError> {
        let needs = aal_of(&record)?;
        let mut tx = self.store.begin_write().await?;
        self.require_open(&mut tx, session, now).await?;
        self.lifecycle(&mut tx, account, Some(session))
            .await?
            .apply(Event::AuthenticatorAdded { needs })?;
        if let Some(existing) = tx.op_authenticator_by_lookup(&record.lookup).await? {
            if existing.status != "revoked" {
                return Err(AuthError::AlreadyBound);
            }
            return Err(AuthError::AuthenticatorRevoked);
        }
        tx.op_authenticator_insert(&record).await?;
        tx.commit().await?;
        tracing::info!(account = %account.id, kind = %record.kind, "authenticator bound");
        Ok(record.id)
    }

    /// Revokes one of the session account's authenticators. Removing the last one puts the
    /// account into recovery and ends its sessions.
    pub async fn remove_authenticator(
        &self,
        session: &Session,
        authenticator_id: &str,
        now: OffsetDateTime,
    ) -> Result<Lifecycle, AuthError> {
        self.require_fresh(session, now)?;
        let account = self.account(&session.account_id).await?;
        let mut tx = self.store.begin_write().await?;
        self.require_open(&mut tx, session, now).await?;
        let mut target = tx
            .op_authenticators(&account.id)
            .await?
            .into_iter()
            .find(|a| a.id == authenticator_id && a.status != "revoked")
            .ok_or(AuthError::NoSuchAuthenticator)?;
        let before = self.lifecycle(&mut tx, &account, Some(session)).await?;
        let after = if target.status == "active" {
            before.apply(Event::AuthenticatorRemoved {
                needs: REMOVAL_NEEDS,
            })?
        } else {
            // A locked authenticator no longer counts; removing it changes no state.
            before.require(REMOVAL_NEEDS)?;
            before
        };
        target.status = "revoked".into();
        tx.op_authenticator_update(&target).await?;
        if let Lifecycle::Recovery { .. } = after {
            self.enter_recovery(&mut tx, &account, now).await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// No authenticator left: the account waits for proofing and its sessions end.
    pub(crate) async fn enter_recovery(
        &self,
        tx: &mut Txn,
        account: &Account,
        now: OffsetDateTime,
    ) -> Result<(), AuthError> {
        let mut record = account.record.clone();
        record.state = "recovery".into();
        record.version += 1;
        record.updated_at = now.unix_timestamp();
        tx.op_account_update(&record, account.record.version)
            .await?;
        tx.op_sessions_end_for(&account.id, now.unix_timestamp())
            .await?;
        tracing::info!(account = %account.id, "no authenticator left: recovery");
        Ok(())
    }

    /// Counts one failed attempt on `record` in `tx` (the caller commits, even though the
    /// login fails); at the limit, or at once with `lock_now`, the authenticator locks, and a
    /// locked last authenticator puts the account into recovery. The count is kept by the
    /// database (concurrent failures are never lost). Returns the tries left; a record that
    /// a concurrent request locked or removed first is [`AuthError::AuthenticatorLocked`].
    pub(crate) async fn record_failure(
        &self,
        tx: &mut Txn,
        record: &mut OpAuthenticatorRecord,
        lock_now: bool,
        now: OffsetDateTime,
    ) -> Result<i64, AuthError> {
        *record = tx
            .op_authenticator_fail(&record.id, self.config.pin_attempts, lock_now)
            .await?
            .ok_or(AuthError::AuthenticatorLocked)?;
        let tries_left = if record.status == "locked" {
            0
        } else {
            self.config.pin_attempts - record.failed_attempts
        };
        if tries_left <= 0 {
            let others = tx
                .op_authenticators(&record.account_id)
                .await?
                .iter()
                .filter(|a| a.status == "active")
                .count();
            if others == 0 {
                let account = tx
                    .op_account(&record.account_id)
                    .await?
                    .ok_or_else(|| internal("authenticator without account"))?;
                let account = self.account_from(account)?;
                self.enter_recovery(tx, &account, now).await?;
            }
        }
        Ok(tries_left)
    }

    /// The common end of a login: the authenticator `lookup` is bound and active, the
    /// account may log in, and a new session at `aal` replaces the browser's previous one.
    /// `public_data` replaces the stored key material (a passkey's new signature counter).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn complete_login(
        &self,
        lookup: &str,
        aal: Aal,
        amr: &[&str],
        public_data: Option<Vec<u8>>,
        current: Option<&Session>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<LoggedIn, AuthError> {
        let mut tx = self.store.begin_write().await?;
        let authenticator = tx
            .op_authenticator_by_lookup(lookup)
            .await?
            .ok_or(AuthError::UnknownAuthenticator)?;
        usable(&authenticator)?;
        let record = tx
            .op_account(&authenticator.account_id)
            .await?
            .ok_or_else(|| internal("authenticator without account"))?;
        let account = self.account_from(record)?;
        let same = current.filter(|s| s.account_id == account.id);
        self.lifecycle(&mut tx, &account, same)
            .await?
            .apply(Event::Authenticated { aal })?;
        let data = public_data.unwrap_or_else(|| authenticator.public_data.clone());
        if !tx
            .op_authenticator_used(&authenticator.id, &data, now.unix_timestamp())
            .await?
        {
            // Locked or removed by a concurrent request since it was read.
            return Err(AuthError::AuthenticatorLocked);
        }
        let session = self
            .start_session(
                &mut tx,
                &account.id,
                (account.ial, aal),
                amr,
                current,
                now,
                rng,
            )
            .await?;
        tx.commit().await?;
        Ok(LoggedIn {
            account,
            session,
            authenticator_id: Some(authenticator.id),
        })
    }
}
