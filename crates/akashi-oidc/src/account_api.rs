//! The person's own account page: bind a device key or the card's authentication certificate
//! within a logged-in session (at the level the authenticator needs), list and remove
//! authenticators. Each binding signs a one-time challenge bound to the session's account.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use akashi_auth::{to_be_signed, Purpose, Session};
use akashi_crypto::SecureRandom;
use akashi_store::OpGrantRecord;

use crate::interaction_state::{card_response, device_response};
use crate::protocol::{CardLogin, DeviceLogin};
use crate::{OidcError, OidcProvider};
use akashi_auth::{hash_hex, random_token};

const BIND_TTL: Duration = Duration::minutes(5);

impl OidcProvider {
    pub(crate) async fn logged_in(
        &self,
        handle: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Session, OidcError> {
        self.browser_session(handle, now)
            .await?
            .ok_or_else(|| OidcError::InvalidToken("log in first (no session)".into()))
    }

    /// The account, its session's level and its authenticators.
    pub async fn account_summary(
        &self,
        handle: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Value, OidcError> {
        let session = self.logged_in(handle, now).await?;
        let account = self.engine.account(&session.account_id).await?;
        let authenticators = self.engine.authenticators(&account.id).await?;
        Ok(json!({
            "state": account.state.as_str(),
            "ial": account.ial.number(),
            "aal": session.aal.number(),
            "acr": session.level().acr(),
            "amr": session.amr,
            "auth_time": session.auth_time,
            "authenticators": authenticators,
        }))
    }

    /// A one-time challenge for binding an authenticator to the session's account.
    pub async fn bind_challenge(
        &self,
        handle: Option<&str>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Value, OidcError> {
        let session = self.logged_in(handle, now).await?;
        let challenge = random_token(rng)?;
        let mut tx = self.store().begin_write().await?;
        tx.op_grant_insert(&OpGrantRecord {
            hash: hash_hex(challenge.as_bytes()),
            kind: "bind".into(),
            client_id: String::new(),
            account_id: Some(session.account_id.clone()),
            detail: "{}".into(),
            expires_at: (now + BIND_TTL).unix_timestamp(),
            used_at: None,
            parent: None,
        })
        .await?;
        tx.commit().await?;
        Ok(json!({
            "challenge": challenge,
            "to_be_signed": STANDARD.encode(to_be_signed(&self.config.issuer, Purpose::Bind, &challenge)),
        }))
    }

    async fn check_bind_challenge(
        &self,
        session: &Session,
        challenge: &str,
        now: OffsetDateTime,
    ) -> Result<String, OidcError> {
        let hash = hash_hex(challenge.as_bytes());
        let mut tx = self.store().begin().await?;
        let grant = tx.op_grant(&hash, "bind").await?;
        tx.commit().await?;
        match grant {
            Some(g)
                if g.used_at.is_none()
                    && g.expires_at >= now.unix_timestamp()
                    && g.account_id.as_deref() == Some(session.account_id.as_str()) =>
            {
                Ok(hash)
            }
            _ => Err(OidcError::InvalidRequest(
                "the binding challenge is unknown, used or expired".into(),
            )),
        }
    }

    async fn use_bind_challenge(&self, hash: &str, now: OffsetDateTime) -> Result<(), OidcError> {
        let mut tx = self.store().begin_write().await?;
        tx.op_grant_use(hash, now.unix_timestamp()).await?;
        tx.commit().await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn bind_device(
        &self,
        handle: Option<&str>,
        challenge: &str,
        device: &DeviceLogin,
        label: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<String, OidcError> {
        let session = self.logged_in(handle, now).await?;
        let hash = self.check_bind_challenge(&session, challenge, now).await?;
        let id = self
            .engine
            .bind_device(
                &session,
                &self.config.issuer,
                challenge,
                &device_response(device)?,
                label,
                now,
                rng,
            )
            .await?;
        self.use_bind_challenge(&hash, now).await?;
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn bind_card(
        &self,
        handle: Option<&str>,
        challenge: &str,
        card: &CardLogin,
        label: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<String, OidcError> {
        let session = self.logged_in(handle, now).await?;
        let hash = self.check_bind_challenge(&session, challenge, now).await?;
        let id = self
            .engine
            .bind_card(
                &session,
                &self.config.issuer,
                challenge,
                &card_response(card)?,
                label,
                now,
                rng,
            )
            .await?;
        self.use_bind_challenge(&hash, now).await?;
        Ok(id)
    }

    /// Removes an authenticator; the answer names the account's lifecycle state after it.
    pub async fn remove_authenticator(
        &self,
        handle: Option<&str>,
        id: &str,
        now: OffsetDateTime,
    ) -> Result<Value, OidcError> {
        let session = self.logged_in(handle, now).await?;
        let after = self.engine.remove_authenticator(&session, id, now).await?;
        Ok(json!({ "removed": id, "account": after.name() }))
    }
}
