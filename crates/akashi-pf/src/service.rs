//! The PF service: service providers, transactions, and what each SP may see.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime};

use akashi_crypto::{constant_time_eq, sha256, SecureRandom};
use akashi_jpki::{BasicFourAttributes, TrustAnchors};
use akashi_pf_protocol::{webhook, Attributes, Customer, Purpose, StartRequest, StartResponse};
use akashi_store::{ServiceProviderRecord, Store, StoreError};

use crate::certs::CertificateCache;
use crate::keys::PfKeys;
use crate::link::JlisLink;
use crate::recorder::Recorder;
use crate::revocation::RevocationChecker;
use crate::token::{to_be_signed, TransactionToken};
use crate::PfError;

/// Operating parameters.
#[derive(Debug, Clone)]
pub struct PfConfig {
    /// How long a started transaction may be completed.
    pub transaction_lifetime: Duration,
    /// How long an OCSP answer is reused for proofing and login.
    pub ocsp_cache: Duration,
    /// How long a verified certificate stays in the vault (犯収法: seven years after the
    /// business relationship ends; counted here from the last verification).
    pub retention: Duration,
}

impl Default for PfConfig {
    fn default() -> Self {
        Self {
            transaction_lifetime: Duration::minutes(5),
            ocsp_cache: Duration::seconds(60),
            retention: Duration::days(7 * 365 + 2),
        }
    }
}

/// A registered service provider, as the PF knows it after checking its credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceProvider {
    pub id: String,
    pub name: String,
}

/// What registering an SP hands out once: its API credential and its webhook secret.
#[derive(Debug)]
pub struct Registration {
    pub service_provider: ServiceProvider,
    pub credential: String,
    pub webhook_secret: String,
}

/// The PF operator.
pub struct PfService {
    pub(crate) store: Store,
    pub(crate) keys: PfKeys,
    pub(crate) anchors: TrustAnchors,
    pub(crate) link: Arc<dyn JlisLink>,
    pub(crate) revocation: RevocationChecker,
    pub(crate) certificates: CertificateCache,
    pub(crate) recorder: Recorder,
    /// (kind, serial) → person, for serials already recorded.
    pub(crate) people: Mutex<HashMap<(String, String), String>>,
    /// (kind, serial) → person being created (first sight, not yet recorded).
    pub(crate) creating: tokio::sync::Mutex<HashMap<(String, String), String>>,
    pub(crate) config: PfConfig,
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn random_hex(rng: &dyn SecureRandom, n: usize) -> Result<String, PfError> {
    let mut bytes = vec![0u8; n];
    rng.fill(&mut bytes)
        .map_err(|e| PfError::Keys(format!("randomness: {e}")))?;
    Ok(hex(&bytes))
}

pub(crate) fn webhook_label(sp_id: &str) -> String {
    format!("akashi/pf/webhook-secret/{sp_id}")
}

/// The basic four as an SP receives them.
pub fn to_protocol(a: &BasicFourAttributes) -> Attributes {
    Attributes {
        name: a.name.clone(),
        birth_date: a.birth_date.to_string(),
        sex: a.sex.as_str().to_owned(),
        address: a.address.clone(),
    }
}

impl PfService {
    pub fn new(
        store: Store,
        keys: PfKeys,
        anchors: TrustAnchors,
        link: Arc<dyn JlisLink>,
        config: PfConfig,
    ) -> Self {
        Self {
            revocation: RevocationChecker::new(config.ocsp_cache),
            certificates: CertificateCache::default(),
            recorder: Recorder::new(store.clone()),
            people: Mutex::new(HashMap::new()),
            creating: tokio::sync::Mutex::new(HashMap::new()),
            store,
            keys,
            anchors,
            link,
            config,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Registers an SP; the credential and webhook secret are returned once (the PF keeps a
    /// hash of the credential and the secret sealed under its vault key).
    pub async fn register_service_provider(
        &self,
        name: &str,
        webhook_url: Option<&str>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Registration, PfError> {
        if name.trim().is_empty() || name.len() > 200 {
            return Err(PfError::Malformed("the SP name must be 1–200 bytes".into()));
        }
        if let Some(url) = webhook_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(PfError::Malformed(format!(
                    "webhook URL {url:?} must be http(s)"
                )));
            }
        }
        let id = format!("SP{}", random_hex(rng, 8)?);
        let credential = format!("aksp1.{}", random_hex(rng, 32)?);
        let mut secret = [0u8; 32];
        rng.fill(&mut secret)
            .map_err(|e| PfError::Keys(e.to_string()))?;
        let webhook_secret = webhook::format_secret(&secret);
        let sealed = self
            .keys
            .vault
            .seal(&webhook_label(&id), webhook_secret.as_bytes())
            .map_err(|e| PfError::Keys(e.to_string()))?;
        let mut tx = self.store.begin().await?;
        tx.insert_service_provider(&ServiceProviderRecord {
            id: id.clone(),
            name: name.to_owned(),
            credential_hash: sha256(credential.as_bytes()).to_vec(),
            webhook_url: webhook_url.map(str::to_owned),
            webhook_secret_sealed: sealed,
            registered_at: now.unix_timestamp(),
        })
        .await
        .map_err(|e| match e {
            StoreError::Duplicate { .. } => PfError::DuplicateServiceProvider(name.to_owned()),
            other => other.into(),
        })?;
        tx.commit().await?;
        tracing::info!(sp = %id, "service provider registered");
        Ok(Registration {
            service_provider: ServiceProvider {
                id,
                name: name.to_owned(),
            },
            credential,
            webhook_secret,
        })
    }

    /// The SP holding `credential`.
    pub async fn authenticate(&self, credential: &str) -> Result<ServiceProvider, PfError> {
        let hash = sha256(credential.as_bytes());
        let mut tx = self.store.begin().await?;
        match tx.service_provider_by_credential(&hash).await? {
            Some(r) if constant_time_eq(&r.credential_hash, &hash) => Ok(ServiceProvider {
                id: r.id,
                name: r.name,
            }),
            _ => Err(PfError::UnregisteredServiceProvider),
        }
    }

    /// Starts a proofing or a login: returns the bytes the card must sign. Writes nothing.
    pub fn start(
        &self,
        sp: &ServiceProvider,
        request: &StartRequest,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<StartResponse, PfError> {
        let data = request.transaction_data.as_deref();
        match (request.purpose, data) {
            (Purpose::Login, Some(_)) => {
                return Err(PfError::Malformed(
                    "a login signs a challenge only: no transaction_data".into(),
                ))
            }
            (Purpose::IdentityProofing, Some(d)) if d.len() > 4096 => {
                return Err(PfError::Malformed(
                    "transaction_data is longer than 4096 bytes".into(),
                ))
            }
            _ => {}
        }
        let expires = now + self.config.transaction_lifetime;
        let mut token = TransactionToken {
            id: format!("T{}", random_hex(rng, 16)?),
            sp: sp.id.clone(),
            purpose: request.purpose,
            exp: expires.unix_timestamp(),
            tbs: String::new(),
            subscribe: request.subscribe_updates,
        };
        let expires_text = expires
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| PfError::Malformed(e.to_string()))?;
        let tbs = to_be_signed(&sp.name, &token, &expires_text, data);
        token.tbs = hex(&sha256(&tbs));
        use base64::Engine;
        Ok(StartResponse {
            transaction: token.seal(&self.keys.token),
            to_be_signed: base64::engine::general_purpose::STANDARD.encode(tbs),
            expires_at: token.exp,
        })
    }

    /// An SP's customers: identifiers and status only.
    pub async fn customers(&self, sp: &ServiceProvider) -> Result<Vec<Customer>, PfError> {
        let mut tx = self.store.begin().await?;
        Ok(tx
            .customers_of_sp(&sp.id)
            .await?
            .into_iter()
            .map(|c| Customer {
                sp_user_id: c.sp_user_id,
                status: c.status,
                subscribed: c.subscribed,
                since: c.since,
                updated_at: c.updated_at,
            })
            .collect())
    }
}
