//! Passkeys at the provider: logging in with one within an interaction, and binding one on
//! the account page. A ceremony's pending state (its challenge) is a grant row of its own —
//! server-side, bound to the interaction or account that started it, taken out of the store
//! (used) before the browser's answer is checked, and expired after five minutes — so an
//! answer can never be checked twice against the same challenge.
//!
//! Which account a passkey login is for: the browser session's (a step-up), or else the
//! account this browser last logged in to (the provider's own "known browser" cookie). The
//! passkeys offered are only those that reach the level the relying party asked for.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use akashi_auth::{hash_hex, random_token, Aal, PasskeyBinding};
use akashi_crypto::SecureRandom;
use akashi_store::OpGrantRecord;

use crate::error::internal;
use crate::interaction::InteractionState;
use crate::{OidcError, OidcProvider};

const CEREMONY_TTL: Duration = Duration::minutes(5);
const LOGIN_KIND: &str = "passkey_login";
const BIND_KIND: &str = "passkey_bind";

impl OidcProvider {
    /// Stores a ceremony's pending state; returns its handle.
    async fn put_ceremony(
        &self,
        kind: &str,
        account_id: &str,
        parent: Option<String>,
        pending: &impl Serialize,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<String, OidcError> {
        let handle = random_token(rng)?;
        let mut tx = self.store().begin_write().await?;
        tx.op_grant_insert(&OpGrantRecord {
            hash: hash_hex(handle.as_bytes()),
            kind: kind.into(),
            client_id: String::new(),
            account_id: Some(account_id.to_owned()),
            detail: serde_json::to_string(pending).map_err(internal)?,
            expires_at: (now + CEREMONY_TTL).unix_timestamp(),
            used_at: None,
            parent,
        })
        .await?;
        tx.commit().await?;
        Ok(handle)
    }

    /// Takes a ceremony out of the store (used, whatever the answer turns out to be): its
    /// account and pending state, if it is `kind`, unused, unexpired and `belongs`.
    async fn take_ceremony<T: DeserializeOwned>(
        &self,
        kind: &str,
        handle: &str,
        belongs: impl Fn(&OpGrantRecord) -> bool,
        now: OffsetDateTime,
    ) -> Result<(String, T), OidcError> {
        let gone = || {
            OidcError::InvalidRequest(
                "the passkey ceremony is unknown, used or expired; start it again".into(),
            )
        };
        let hash = hash_hex(handle.as_bytes());
        let mut tx = self.store().begin_write().await?;
        let grant = tx
            .op_grant(&hash, kind)
            .await?
            .filter(|g| g.used_at.is_none() && g.expires_at >= now.unix_timestamp())
            .filter(|g| belongs(g))
            .ok_or_else(gone)?;
        if !tx.op_grant_use(&hash, now.unix_timestamp()).await? {
            return Err(gone());
        }
        tx.commit().await?;
        let account = grant.account_id.clone().ok_or_else(gone)?;
        Ok((
            account,
            serde_json::from_str(&grant.detail).map_err(internal)?,
        ))
    }

    /// The browser's request options for a passkey login within interaction `handle`.
    pub async fn interaction_passkey_options(
        &self,
        handle: &str,
        session_handle: Option<&str>,
        known_browser: Option<&str>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Value, OidcError> {
        let (mut state, grant) = InteractionState::load(self, handle, now).await?;
        let session = self.browser_session(session_handle, now).await?;
        let account_id = match (session, known_browser.and_then(|t| self.known_account(t))) {
            (Some(s), _) => s.account_id,
            (None, Some(known)) => known,
            (None, None) => {
                return Err(OidcError::InvalidRequest(
                    "this browser has not logged in here before: log in once with the card, then passkeys work here"
                        .into(),
                ))
            }
        };
        let needs = state
            .request
            .required_level()
            .map(|l| l.needed_aal())
            .unwrap_or(Aal::Aal2);
        let (options, pending) = self
            .engine
            .start_passkey_login(&account_id, needs)
            .await
            .map_err(|e| match state.request.required_level() {
                Some(level) if matches!(e, akashi_auth::AuthError::Passkey(_)) => {
                    OidcError::UnmetAuthenticationRequirements(format!(
                        "no passkey of this account reaches {} ({e})",
                        level.acr()
                    ))
                }
                _ => e.into(),
            })?;
        let ceremony = self
            .put_ceremony(
                LOGIN_KIND,
                &account_id,
                Some(grant.hash.clone()),
                &pending,
                now,
                rng,
            )
            .await?;
        state.passkey_ceremony = Some(ceremony);
        state.save(self, grant).await?;
        Ok(options)
    }

    /// Takes the interaction's passkey ceremony: (account, pending state).
    pub(crate) async fn take_login_ceremony(
        &self,
        state: &InteractionState,
        interaction_hash: &str,
        now: OffsetDateTime,
    ) -> Result<(String, akashi_auth::PendingAuthentication), OidcError> {
        let handle = state
            .passkey_ceremony
            .as_deref()
            .ok_or_else(|| OidcError::InvalidRequest("ask for the passkey options first".into()))?;
        self.take_ceremony(
            LOGIN_KIND,
            handle,
            |g| g.parent.as_deref() == Some(interaction_hash),
            now,
        )
        .await
    }

    /// Starts binding a passkey to the logged-in account: `{ceremony, publicKey}`.
    pub async fn start_passkey_bind(
        &self,
        handle: Option<&str>,
        hardware_bound: bool,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Value, OidcError> {
        let session = self.logged_in(handle, now).await?;
        let binding = if hardware_bound {
            PasskeyBinding::HardwareBound
        } else {
            PasskeyBinding::Any
        };
        let (mut options, pending) = self
            .engine
            .start_passkey_binding(&session, binding, now)
            .await?;
        let ceremony = self
            .put_ceremony(BIND_KIND, &session.account_id, None, &pending, now, rng)
            .await?;
        options["ceremony"] = json!(ceremony);
        Ok(options)
    }

    /// Binds the passkey the browser created in `ceremony`.
    #[allow(clippy::too_many_arguments)]
    pub async fn finish_passkey_bind(
        &self,
        handle: Option<&str>,
        ceremony: &str,
        credential: &Value,
        label: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<String, OidcError> {
        let session = self.logged_in(handle, now).await?;
        let (_, pending) = self
            .take_ceremony(
                BIND_KIND,
                ceremony,
                |g| g.account_id.as_deref() == Some(session.account_id.as_str()),
                now,
            )
            .await?;
        Ok(self
            .engine
            .finish_passkey_binding(&session, credential, pending, label, now, rng)
            .await?)
    }
}
