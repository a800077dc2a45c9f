//! ID-token signing keys: RSA-2048 (RS256, which every OpenID Connect RP accepts), sealed in
//! the store, signing through OpenSSL. Rotation makes a new current key and keeps the retired
//! ones in the JWKS for [`OidcConfig::key_retention`](crate::OidcConfig) so tokens they
//! signed still verify. A rotation by another process (`akashi oidc rotate-key`) is picked
//! up within [`RELOAD_AFTER`] seconds: the keys are re-read when older than that.

use std::sync::{Arc, RwLock};

use serde_json::{json, Value};
use time::OffsetDateTime;

use akashi_crypto::RsaPrivateKey;
use akashi_jose::jwk::{JwkSet, PublicJwk};
use akashi_jose::jws::{verify_compact, JwsAlgorithm, RsaSigner};
use akashi_store::OpKeyRecord;

use crate::error::internal;
use crate::{OidcError, OidcProvider};

const KEY_LABEL: &str = "akashi/oidc/signing-key";
/// Seconds the loaded keys are trusted before the store is read again.
pub const RELOAD_AFTER: i64 = 10;

#[derive(Default)]
pub(crate) struct SigningKeys {
    inner: RwLock<Loaded>,
}

#[derive(Default)]
struct Loaded {
    current: Option<Arc<RsaSigner>>,
    /// The kid of `current`, to skip unsealing when nothing changed.
    current_kid: Option<String>,
    published: Vec<Value>,
    loaded_at: i64,
}

impl SigningKeys {
    pub(crate) fn current(&self) -> Result<Arc<RsaSigner>, OidcError> {
        self.inner
            .read()
            .map_err(internal)?
            .current
            .clone()
            .ok_or_else(|| internal("no signing key"))
    }
}

impl OidcProvider {
    /// Reads the keys from the store, making the first one if there is none.
    pub(crate) async fn load_signing_keys(&self, now: OffsetDateTime) -> Result<(), OidcError> {
        let mut tx = self.store().begin().await?;
        let records = tx.op_keys().await?;
        tx.commit().await?;
        if !records.iter().any(|k| k.state == "current") {
            return self.rotate_signing_key(now).await.map(|_| ());
        }
        self.install(&records, now)
    }

    /// Re-reads the keys when the loaded ones are older than [`RELOAD_AFTER`] seconds (another
    /// process may have rotated them).
    pub async fn refresh_signing_keys(&self, now: OffsetDateTime) -> Result<(), OidcError> {
        let stale = {
            let loaded = self.signing.inner.read().map_err(internal)?;
            now.unix_timestamp() - loaded.loaded_at > RELOAD_AFTER
        };
        if stale {
            let mut tx = self.store().begin().await?;
            let records = tx.op_keys().await?;
            tx.commit().await?;
            self.install(&records, now)?;
        }
        Ok(())
    }

    fn install(&self, records: &[OpKeyRecord], now: OffsetDateTime) -> Result<(), OidcError> {
        let previous = self.signing.inner.read().map_err(internal)?;
        let mut loaded = Loaded {
            loaded_at: now.unix_timestamp(),
            ..Loaded::default()
        };
        for r in records {
            let jwk: Value = serde_json::from_str(&r.public_jwk).map_err(internal)?;
            if r.state == "current" && loaded.current.is_none() {
                loaded.current = match (&previous.current, &previous.current_kid) {
                    (Some(signer), Some(kid)) if *kid == r.kid => Some(signer.clone()),
                    _ => {
                        let key = RsaPrivateKey::unseal(&self.seal, KEY_LABEL, &r.sealed)
                            .map_err(internal)?;
                        Some(Arc::new(
                            RsaSigner::new(key, Some(r.kid.clone())).map_err(internal)?,
                        ))
                    }
                };
                loaded.current_kid = Some(r.kid.clone());
            }
            loaded.published.push(jwk);
        }
        drop(previous);
        *self.signing.inner.write().map_err(internal)? = loaded;
        Ok(())
    }

    /// Makes a new signing key current; the previous one is retired (still published), and
    /// keys retired longer than the retention are dropped. Returns the new `kid`.
    pub async fn rotate_signing_key(&self, now: OffsetDateTime) -> Result<String, OidcError> {
        let key = RsaPrivateKey::generate().map_err(internal)?;
        let public = PublicJwk::from_rsa_spki_der(&key.public_key_der().map_err(internal)?)
            .map_err(internal)?;
        let kid = public.thumbprint();
        let mut jwk = public.to_json();
        jwk["kid"] = json!(kid);
        jwk["use"] = json!("sig");
        jwk["alg"] = json!("RS256");
        let record = OpKeyRecord {
            kid: kid.clone(),
            state: "current".into(),
            sealed: key.seal(&self.seal, KEY_LABEL).map_err(internal)?,
            public_jwk: jwk.to_string(),
            created_at: now.unix_timestamp(),
            retired_at: None,
        };
        let t = now.unix_timestamp();
        let mut tx = self.store().begin_write().await?;
        tx.op_keys_retire(t, t - self.config.key_retention.whole_seconds())
            .await?;
        tx.op_key_insert(&record).await?;
        let records = tx.op_keys().await?;
        tx.commit().await?;
        self.install(&records, now)?;
        tracing::info!(%kid, "ID token signing key rotated");
        Ok(kid)
    }

    /// The claims of an ID token this provider signed with one of its published keys (the
    /// signature only: expiry and audience are the caller's to judge).
    pub fn verify_id_token(&self, id_token: &str) -> Result<Value, OidcError> {
        let keys = JwkSet::from_json(&self.jwks()?).map_err(internal)?;
        let verified =
            verify_compact(id_token, &keys.keys, &[JwsAlgorithm::Rs256]).map_err(|_| {
                OidcError::InvalidRequest("not an ID token this provider signed".into())
            })?;
        serde_json::from_slice(&verified.payload)
            .map_err(|_| OidcError::InvalidRequest("the ID token's payload is not JSON".into()))
    }

    /// The JWKS document: the current key and the retired ones still in retention.
    pub fn jwks(&self) -> Result<Value, OidcError> {
        let loaded = self.signing.inner.read().map_err(internal)?;
        Ok(json!({ "keys": loaded.published }))
    }
}
