//! Passkeys (WebAuthn, on akashi-passkey) as authenticators: AAL2 for a user-verifying
//! passkey, AAL3 when its attestation chains to a configured hardware root. Bound within a
//! fresh session at that level; logged in with for a known account (the provider says which:
//! the session's, or the one this browser logged in to before).
//!
//! The ceremony states are the caller's to keep server-side and use once (see akashi-passkey):
//! every `finish_*` here takes its pending state by value.
//!
//! Failures are counted like wrong PINs (persisted; at the limit the passkey locks). A
//! signature counter that did not advance locks the passkey at once: it may have been cloned.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use time::OffsetDateTime;

use akashi_crypto::{hmac_sha256, SecureRandom};
use akashi_passkey::{
    Binding, PasskeyError, Passkeys, PendingAuthentication, PendingRegistration, StoredPasskey,
};
use akashi_store::OpAuthenticatorRecord;

use crate::account::{LoggedIn, Session};
use crate::assurance::Aal;
use crate::engine::{hash_hex, random_token};
use crate::error::internal;
use crate::lifecycle::Event;
use crate::{AuthEngine, AuthError};

pub(crate) const PASSKEY_KIND: &str = "passkey";
/// RFC 8176: a hardware key (AAL3) or a software-or-hardware key (AAL2) with user verification.
const PASSKEY_AMR_HARDWARE: [&str; 4] = ["hwk", "user", "mfa", "pop"];
const PASSKEY_AMR: [&str; 3] = ["user", "mfa", "pop"];

/// The authenticator's lookup key: the hashed credential id.
fn passkey_lookup(credential_id: &[u8]) -> String {
    format!("{PASSKEY_KIND}:{}", hash_hex(credential_id))
}

fn refused(e: PasskeyError) -> AuthError {
    AuthError::Passkey(e.to_string())
}

fn stored(record: &OpAuthenticatorRecord) -> Result<StoredPasskey, AuthError> {
    serde_json::from_slice(&record.public_data).map_err(internal)
}

/// The credential id a browser response names (`rawId`), if it names one.
fn presented_id(response: &Value) -> Option<Vec<u8>> {
    let id = response.get("rawId").or_else(|| response.get("id"))?;
    URL_SAFE_NO_PAD.decode(id.as_str()?).ok()
}

impl AuthEngine {
    fn passkeys(&self) -> Result<&Passkeys, AuthError> {
        self.passkeys.as_ref().ok_or_else(|| {
            AuthError::Passkey(
                "passkeys are not enabled at this provider (it needs a domain name)".into(),
            )
        })
    }

    /// Whether passkeys can be used here.
    pub fn passkeys_enabled(&self) -> bool {
        self.passkeys.is_some()
    }

    /// The account's WebAuthn user handle: 16 bytes no one else can link to the account.
    fn user_handle(&self, account_id: &str) -> [u8; 16] {
        let mac = hmac_sha256(
            self.keys.pepper.as_ref(),
            format!("passkey user handle\n{account_id}").as_bytes(),
        );
        let mut handle = [0u8; 16];
        handle.copy_from_slice(&mac[..16]);
        handle
    }

    async fn passkey_records(
        &self,
        account_id: &str,
    ) -> Result<Vec<OpAuthenticatorRecord>, AuthError> {
        let mut tx = self.store.begin().await?;
        let list = tx.op_authenticators(account_id).await?;
        tx.commit().await?;
        Ok(list
            .into_iter()
            .filter(|a| a.kind == PASSKEY_KIND && a.status != "revoked")
            .collect())
    }

    /// Starts binding a passkey to the session's account: `HardwareBound` needs an AAL3
    /// session, `Any` an AAL2 one, both a recent login. Returns the browser's creation options.
    pub async fn start_passkey_binding(
        &self,
        session: &Session,
        binding: Binding,
        now: OffsetDateTime,
    ) -> Result<(Value, PendingRegistration), AuthError> {
        let passkeys = self.passkeys()?;
        self.require_fresh(session, now)?;
        let needs = match binding {
            Binding::HardwareBound => Aal::Aal3,
            _ => Aal::Aal2,
        };
        let account = self.account(&session.account_id).await?;
        let mut tx = self.store.begin().await?;
        self.require_open(&mut tx, session, now).await?;
        self.lifecycle(&mut tx, &account, Some(session))
            .await?
            .apply(Event::AuthenticatorAdded { needs })?;
        tx.commit().await?;
        let exclude = self
            .passkey_records(&account.id)
            .await?
            .iter()
            .map(|r| stored(r).map(|p| p.credential_id().to_vec()))
            .collect::<Result<Vec<_>, _>>()?;
        passkeys
            .start_registration(
                self.user_handle(&account.id),
                "Akashi account",
                "Akashi account",
                &exclude,
                binding,
            )
            .map_err(refused)
    }

    /// Checks the browser's answer and binds the passkey at the level it proved.
    #[allow(clippy::too_many_arguments)]
    pub async fn finish_passkey_binding(
        &self,
        session: &Session,
        response: &Value,
        pending: PendingRegistration,
        label: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<String, AuthError> {
        let registered = self
            .passkeys()?
            .finish_registration(response, pending)
            .map_err(refused)?;
        let account = self.account(&session.account_id).await?;
        let aal = if registered.hardware_bound {
            Aal::Aal3
        } else {
            Aal::Aal2
        };
        let record = OpAuthenticatorRecord {
            id: format!("authn-{}", &random_token(rng)?[..16]),
            account_id: account.id.clone(),
            kind: PASSKEY_KIND.into(),
            aal: aal.number().into(),
            lookup: passkey_lookup(&registered.credential_id),
            label: label.to_owned(),
            public_data: serde_json::to_vec(&registered.stored).map_err(internal)?,
            secret: None,
            status: "active".into(),
            failed_attempts: 0,
            created_at: now.unix_timestamp(),
            last_used_at: None,
        };
        self.bind(session, &account, record, now).await
    }

    /// Starts a passkey login to `account_id` with the passkeys that reach `at_least`.
    /// Returns the browser's request options.
    pub async fn start_passkey_login(
        &self,
        account_id: &str,
        at_least: Aal,
    ) -> Result<(Value, PendingAuthentication), AuthError> {
        let passkeys = self.passkeys()?;
        let usable: Vec<StoredPasskey> = self
            .passkey_records(account_id)
            .await?
            .iter()
            .filter(|r| r.status == "active" && r.aal >= i64::from(at_least.number()))
            .map(stored)
            .collect::<Result<_, _>>()?;
        passkeys.start_authentication(&usable).map_err(refused)
    }

    /// Finishes a passkey login to `account_id`. A verification failure is counted on the
    /// passkey the response names (committed although the login fails); a counter that did
    /// not advance locks it.
    pub async fn finish_passkey_login(
        &self,
        account_id: &str,
        response: &Value,
        pending: PendingAuthentication,
        current: Option<&Session>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<LoggedIn, AuthError> {
        let passkeys = self.passkeys()?;
        let records: Vec<OpAuthenticatorRecord> = self
            .passkey_records(account_id)
            .await?
            .into_iter()
            .filter(|r| r.status == "active")
            .collect();
        let credentials: Vec<StoredPasskey> =
            records.iter().map(stored).collect::<Result<_, _>>()?;
        match passkeys.finish_authentication(response, pending, &credentials) {
            Ok(done) => {
                let lookup = passkey_lookup(&done.credential_id);
                let (aal, amr): (Aal, &[&str]) = if done.assurance >= akashi_passkey::AAL3 {
                    (Aal::Aal3, &PASSKEY_AMR_HARDWARE)
                } else {
                    (Aal::Aal2, &PASSKEY_AMR)
                };
                let update = done
                    .updated
                    .map(|p| serde_json::to_vec(&p).map_err(internal))
                    .transpose()?;
                self.complete_login(&lookup, aal, amr, update, current, now, rng)
                    .await
            }
            Err(e) => {
                let lock_now = matches!(e, PasskeyError::CounterRegressed { .. });
                let counts = lock_now
                    || matches!(
                        e,
                        PasskeyError::BadSignature(_)
                            | PasskeyError::ChallengeMismatch(_)
                            | PasskeyError::UserNotVerified(_)
                            | PasskeyError::BackupEligibilityChanged { .. }
                    );
                let named = presented_id(response).map(|id| passkey_lookup(&id));
                if let (true, Some(lookup)) = (counts, named) {
                    let mut tx = self.store.begin_write().await?;
                    if let Some(mut record) = tx
                        .op_authenticator_by_lookup(&lookup)
                        .await?
                        .filter(|r| r.account_id == account_id && r.status == "active")
                    {
                        let tries_left = self
                            .record_failure(&mut tx, &mut record, lock_now, now)
                            .await?;
                        tx.commit().await?;
                        tracing::warn!(authenticator = %record.id, failures = record.failed_attempts, "passkey refused");
                        if tries_left <= 0 {
                            return Err(AuthError::Passkey(format!(
                                "{e}; the passkey is now locked"
                            )));
                        }
                    }
                }
                Err(refused(e))
            }
        }
    }
}
