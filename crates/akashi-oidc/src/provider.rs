//! The provider object: configuration, the assurance engine, the pairwise-subject key and the
//! signing keys. Handlers in akashi-server call its methods with the time and randomness.

use std::path::Path;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use time::Duration;
use zeroize::Zeroizing;

use akashi_auth::AuthEngine;
use akashi_crypto::{hmac_sha256, SealingKey, SecureRandom};
use akashi_store::Store;

use crate::error::internal;
use crate::keys::SigningKeys;
use crate::OidcError;

#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// The issuer identifier, e.g. `https://id.example.jp/oidc`; endpoints live below it.
    pub issuer: String,
    pub par_ttl: Duration,
    pub interaction_ttl: Duration,
    pub code_ttl: Duration,
    pub access_token_ttl: Duration,
    pub id_token_ttl: Duration,
    /// How long a retired signing key stays in the JWKS (tokens it signed must verify).
    pub key_retention: Duration,
    /// How old a DPoP proof may be.
    pub dpop_max_age: Duration,
}

impl OidcConfig {
    pub fn new(issuer: &str) -> Self {
        Self {
            issuer: issuer.trim_end_matches('/').to_owned(),
            par_ttl: Duration::seconds(90),
            interaction_ttl: Duration::minutes(10),
            code_ttl: Duration::seconds(60),
            access_token_ttl: Duration::minutes(10),
            id_token_ttl: Duration::minutes(10),
            key_retention: Duration::days(1),
            dpop_max_age: Duration::seconds(300),
        }
    }

    pub fn endpoint(&self, name: &str) -> String {
        format!("{}/{name}", self.issuer)
    }
}

const LABEL: &str = "akashi/oidc/keys/v1";

pub struct OidcProvider {
    pub(crate) engine: Arc<AuthEngine>,
    pub(crate) config: OidcConfig,
    pairwise: Zeroizing<[u8; 32]>,
    pub(crate) seal: SealingKey,
    pub(crate) signing: SigningKeys,
    pub(crate) wallet: Option<crate::WalletLogin>,
}

impl OidcProvider {
    /// Opens the provider: its secrets come from `keys_path` (sealed under `master`, made on
    /// first use); a signing key is made if the store has none.
    pub async fn open(
        engine: Arc<AuthEngine>,
        config: OidcConfig,
        keys_path: &Path,
        master: &SealingKey,
        now: time::OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Self, OidcError> {
        let seed = master
            .load_or_create_seed::<64>(keys_path, LABEL, rng)
            .map_err(|e| internal(format!("{}: {e}", keys_path.display())))?;
        let mut pairwise = Zeroizing::new([0u8; 32]);
        pairwise.copy_from_slice(&seed[..32]);
        let mut seal = [0u8; 32];
        seal.copy_from_slice(&seed[32..]);
        let provider = Self {
            engine,
            config,
            pairwise,
            seal: SealingKey::from_bytes(seal),
            signing: SigningKeys::default(),
            wallet: None,
        };
        provider.load_signing_keys(now).await?;
        Ok(provider)
    }

    pub fn engine(&self) -> &AuthEngine {
        &self.engine
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    pub fn store(&self) -> &Store {
        self.engine.store()
    }

    /// The open session behind the browser's cookie, if it sent one.
    pub(crate) async fn browser_session(
        &self,
        handle: Option<&str>,
        now: time::OffsetDateTime,
    ) -> Result<Option<akashi_auth::Session>, OidcError> {
        match handle {
            Some(h) => Ok(self.engine.session(h, now).await?),
            None => Ok(None),
        }
    }

    /// The "known browser" token for `account_id`: which account a passkey login on this
    /// browser is for. It authenticates nothing (a passkey still has to answer); the MAC
    /// only keeps a browser from naming an account it never logged in to.
    pub fn known_browser(&self, account_id: &str) -> String {
        let mac = hmac_sha256(
            self.pairwise.as_ref(),
            format!("known browser\n{account_id}").as_bytes(),
        );
        format!("{account_id}.{}", URL_SAFE_NO_PAD.encode(&mac[..16]))
    }

    /// The account a [`OidcProvider::known_browser`] token names, if its MAC holds.
    pub fn known_account(&self, token: &str) -> Option<String> {
        let (account_id, _) = token.rsplit_once('.')?;
        akashi_crypto::constant_time_eq(self.known_browser(account_id).as_bytes(), token.as_bytes())
            .then(|| account_id.to_owned())
    }

    /// The pairwise subject (OIDC Core §8.1): one per sector and account, unlinkable across
    /// sectors without this provider's key.
    pub fn pairwise_sub(&self, sector: &str, account_id: &str) -> String {
        let input = format!("{sector}\n{account_id}");
        URL_SAFE_NO_PAD.encode(hmac_sha256(self.pairwise.as_ref(), input.as_bytes()))
    }
}
