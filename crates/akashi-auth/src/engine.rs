//! The engine: one object per provider holding the store, the secrets and the J-LIS link.
//! Every operation takes `now` and the randomness from its caller, checks the lifecycle
//! transition first, and writes in one transaction; a refused operation writes nothing
//! (except a wrong PIN's counter, which must survive the refusal).

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use time::{Duration, OffsetDateTime};

use akashi_crypto::{sha256, SecureRandom};
use akashi_jpki::TrustAnchors;
use akashi_pf::certs::CertificateCache;
use akashi_pf::{JlisLink, RevocationChecker};
use akashi_store::{OpAccountRecord, OpSessionRecord, Store, Txn};

use crate::account::{Account, AccountClaims, NewSession, Session};
use crate::assurance::{Aal, Ial};
use crate::error::internal;
use crate::keys::AuthKeys;
use crate::lifecycle::{Event, Lifecycle};
use crate::AuthError;

const CLAIMS_LABEL: &str = "akashi/auth/claims";

#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// How long a session lasts without logging in again.
    pub session_lifetime: Duration,
    /// Wrong PINs before a device key locks.
    pub pin_attempts: i64,
    /// Binding or removing an authenticator needs a login this recent.
    pub fresh_login: Duration,
    /// How long an OCSP answer is reused for card logins.
    pub ocsp_cache: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_lifetime: Duration::hours(8),
            pin_attempts: 5,
            fresh_login: Duration::minutes(15),
            ocsp_cache: Duration::seconds(60),
        }
    }
}

/// What a login or proofing challenge is for; part of the signed bytes so a signature made
/// for one purpose never counts for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Proofing,
    Login,
    Bind,
}

impl Purpose {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Purpose::Proofing => "identity proofing",
            Purpose::Login => "login",
            Purpose::Bind => "bind authenticator",
        }
    }
}

/// The bytes a card or device key signs: the provider, the purpose and the challenge.
pub fn to_be_signed(provider: &str, purpose: Purpose, challenge: &str) -> Vec<u8> {
    format!(
        "Akashi {}\nprovider: {provider}\nchallenge: {challenge}\n",
        purpose.as_str()
    )
    .into_bytes()
}

pub struct AuthEngine {
    pub(crate) store: Store,
    pub(crate) keys: AuthKeys,
    pub(crate) anchors: TrustAnchors,
    pub(crate) link: Arc<dyn JlisLink>,
    pub(crate) certificates: CertificateCache,
    pub(crate) revocation: RevocationChecker,
    pub(crate) config: AuthConfig,
    pub(crate) passkeys: Option<akashi_passkey::Passkeys>,
}

/// Hex SHA-256: how handles, codes and tokens are stored (never the secret itself).
pub fn hash_hex(data: &[u8]) -> String {
    hex::encode(sha256(data))
}

/// A fresh 256-bit secret, base64url: session handles, codes, tokens, challenges.
pub fn random_token(rng: &dyn SecureRandom) -> Result<String, AuthError> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    rng.fill(bytes.as_mut()).map_err(internal)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes.as_ref()))
}

impl AuthEngine {
    pub fn new(
        store: Store,
        keys: AuthKeys,
        anchors: TrustAnchors,
        link: Arc<dyn JlisLink>,
        config: AuthConfig,
    ) -> Self {
        Self {
            revocation: RevocationChecker::new(config.ocsp_cache),
            certificates: CertificateCache::default(),
            store,
            keys,
            anchors,
            link,
            config,
            passkeys: None,
        }
    }

    /// Enables passkeys for this provider's relying-party id and origin.
    pub fn with_passkeys(mut self, passkeys: akashi_passkey::Passkeys) -> Self {
        self.passkeys = Some(passkeys);
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn seal_claims(&self, claims: &AccountClaims) -> Result<Vec<u8>, AuthError> {
        let json = zeroize::Zeroizing::new(serde_json::to_vec(claims).map_err(internal)?);
        self.keys.seal.seal(CLAIMS_LABEL, &json).map_err(internal)
    }

    pub(crate) fn account_from(&self, record: OpAccountRecord) -> Result<Account, AuthError> {
        let json = self
            .keys
            .seal
            .open(CLAIMS_LABEL, &record.claims)
            .map_err(internal)?;
        let claims = serde_json::from_slice(&json).map_err(internal)?;
        Account::from_record(record, claims)
    }

    pub async fn account(&self, id: &str) -> Result<Account, AuthError> {
        let mut tx = self.store.begin().await?;
        let record = tx
            .op_account(id)
            .await?
            .ok_or_else(|| internal(format!("account {id} is gone")))?;
        tx.commit().await?;
        self.account_from(record)
    }

    /// The open session behind a browser's handle, if any.
    pub async fn session(
        &self,
        handle: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Session>, AuthError> {
        let mut tx = self.store.begin().await?;
        let record = tx.op_session(&hash_hex(handle.as_bytes())).await?;
        tx.commit().await?;
        match record {
            Some(r) if r.ended_at.is_none() && r.expires_at > now.unix_timestamp() => {
                Ok(Some(Session::from_record(&r)?))
            }
            _ => Ok(None),
        }
    }

    /// The account's lifecycle state now (with `session` as its current login, if any).
    pub(crate) async fn lifecycle(
        &self,
        tx: &mut Txn,
        account: &Account,
        session: Option<&Session>,
    ) -> Result<Lifecycle, AuthError> {
        let active = tx
            .op_authenticators(&account.id)
            .await?
            .iter()
            .filter(|a| a.status == "active")
            .count() as u32;
        Ok(account.lifecycle(active, session))
    }

    /// Starts a session (ending `replaces`, the browser's previous one: a new login gets a
    /// new handle, so a handle planted before login is worthless after it).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn start_session(
        &self,
        tx: &mut Txn,
        account_id: &str,
        (ial, aal): (Ial, Aal),
        amr: &[&str],
        replaces: Option<&Session>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<NewSession, AuthError> {
        if let Some(old) = replaces {
            tx.op_session_end(&old.id_hash, now.unix_timestamp())
                .await?;
        }
        let handle = random_token(rng)?;
        let record = OpSessionRecord {
            id_hash: hash_hex(handle.as_bytes()),
            account_id: account_id.to_owned(),
            ial: ial.number().into(),
            aal: aal.number().into(),
            amr: serde_json::to_string(amr).map_err(internal)?,
            auth_time: now.unix_timestamp(),
            expires_at: (now + self.config.session_lifetime).unix_timestamp(),
            ended_at: None,
        };
        tx.op_session_insert(&record).await?;
        Ok(NewSession {
            handle,
            session: Session::from_record(&record)?,
        })
    }

    /// Logs the session off (RP-initiated logout, or the person's own).
    pub async fn log_off(&self, session: &Session, now: OffsetDateTime) -> Result<(), AuthError> {
        let account = self.account(&session.account_id).await?;
        let mut tx = self.store.begin_write().await?;
        self.lifecycle(&mut tx, &account, Some(session))
            .await?
            .apply(Event::LoggedOff)?;
        tx.op_session_end(&session.id_hash, now.unix_timestamp())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session must be recent enough to change authenticators.
    pub(crate) fn require_fresh(
        &self,
        session: &Session,
        now: OffsetDateTime,
    ) -> Result<(), AuthError> {
        if now.unix_timestamp() - session.auth_time > self.config.fresh_login.whole_seconds() {
            return Err(AuthError::StaleSession {
                minutes: self.config.fresh_login.whole_minutes(),
            });
        }
        Ok(())
    }

    /// A session still open in the store (a logged-off one cannot change anything).
    pub(crate) async fn require_open(
        &self,
        tx: &mut Txn,
        session: &Session,
        now: OffsetDateTime,
    ) -> Result<(), AuthError> {
        match tx.op_session(&session.id_hash).await? {
            Some(r) if r.ended_at.is_none() && r.expires_at > now.unix_timestamp() => Ok(()),
            _ => Err(AuthError::SessionEnded),
        }
    }
}
