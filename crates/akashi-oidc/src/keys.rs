//! ID-token signing keys: RSA-2048 (RS256, which every OpenID Connect RP accepts), sealed in
//! the store, signing through OpenSSL. Rotation makes a new current key and keeps the retired
//! ones in the JWKS for [`OidcConfig::key_retention`](crate::OidcConfig) so tokens they
//! signed still verify.

use std::sync::{Arc, RwLock};

use serde_json::{json, Value};
use time::OffsetDateTime;

use akashi_crypto::RsaPrivateKey;
use akashi_jose::jwk::PublicJwk;
use akashi_jose::jws::RsaSigner;
use akashi_store::OpKeyRecord;

use crate::error::internal;
use crate::{OidcError, OidcProvider};

const KEY_LABEL: &str = "akashi/oidc/signing-key";

#[derive(Default)]
pub(crate) struct SigningKeys {
    inner: RwLock<Loaded>,
}

#[derive(Default)]
struct Loaded {
    current: Option<Arc<RsaSigner>>,
    published: Vec<Value>,
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
        self.install(&records)
    }

    fn install(&self, records: &[OpKeyRecord]) -> Result<(), OidcError> {
        let mut loaded = Loaded::default();
        for r in records {
            let jwk: Value = serde_json::from_str(&r.public_jwk).map_err(internal)?;
            if r.state == "current" && loaded.current.is_none() {
                let key =
                    RsaPrivateKey::unseal(&self.seal, KEY_LABEL, &r.sealed).map_err(internal)?;
                loaded.current = Some(Arc::new(
                    RsaSigner::new(key, Some(r.kid.clone())).map_err(internal)?,
                ));
            }
            loaded.published.push(jwk);
        }
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
        self.install(&records)?;
        tracing::info!(%kid, "ID token signing key rotated");
        Ok(kid)
    }

    /// The JWKS document: the current key and the retired ones still in retention.
    pub fn jwks(&self) -> Result<Value, OidcError> {
        let loaded = self.signing.inner.read().map_err(internal)?;
        Ok(json!({ "keys": loaded.published }))
    }
}
