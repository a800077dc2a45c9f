//! Relying-party registration. A draft is checked into a [`CheckedClient`] before it can be
//! stored (redirect URIs absolute, https except loopback, no fragment; one sector for the
//! pairwise `sub`), and redirect URIs are later matched exactly, character for character.

use serde_json::Value;
use time::OffsetDateTime;

use akashi_crypto::{constant_time_eq, SecureRandom};
use akashi_jose::jwk::PublicJwk;
use akashi_store::OpClientRecord;

use crate::error::internal;
use crate::{OidcError, OidcProvider};
use akashi_auth::{hash_hex, random_token};

/// A relying party as the operator describes it.
#[derive(Debug, Clone, Default)]
pub struct ClientDraft {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// Groups several hosts into one sector (one `sub` for them); else the redirect host.
    pub sector_identifier: Option<String>,
    /// A confidential client gets a secret; a public one (an app) relies on PKCE alone.
    pub confidential: bool,
    /// The RP's public JWK: ID tokens are encrypted to it (FAL2).
    pub id_token_encryption: Option<Value>,
    /// Tokens only with a DPoP proof of the RP's key (FAL3).
    pub require_dpop: bool,
}

/// A draft that passed every check; only this can be stored.
#[derive(Debug, Clone)]
pub struct CheckedClient {
    draft: ClientDraft,
    sector: String,
}

/// Returned once at registration.
#[derive(Debug, Clone)]
pub struct RegisteredClient {
    pub client_id: String,
    pub client_secret: Option<String>,
}

/// A registered relying party.
#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub sector: String,
    pub encryption: Option<PublicJwk>,
    pub require_dpop: bool,
    pub(crate) secret_hash: Option<String>,
}

impl Client {
    /// Whether it authenticates with a secret (else: a public client, PKCE only).
    pub fn confidential(&self) -> bool {
        self.secret_hash.is_some()
    }

    /// The federation assurance level its tokens get: 3 DPoP-bound, 2 encrypted, 1 signed.
    pub fn fal(&self) -> u8 {
        if self.require_dpop {
            3
        } else if self.encryption.is_some() {
            2
        } else {
            1
        }
    }
}

fn bad(msg: String) -> OidcError {
    OidcError::InvalidRequest(msg)
}

fn check_uri(uri: &str, what: &str) -> Result<String, OidcError> {
    let parsed = url::Url::parse(uri).map_err(|e| bad(format!("{what} {uri:?}: {e}")))?;
    if parsed.fragment().is_some() {
        return Err(bad(format!("{what} {uri:?} must not have a fragment")));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| bad(format!("{what} {uri:?} has no host")))?
        .to_owned();
    let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]");
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        other => {
            return Err(bad(format!(
                "{what} {uri:?}: scheme {other} (https, or http on loopback only)"
            )))
        }
    }
    Ok(host)
}

impl ClientDraft {
    pub fn check(self) -> Result<CheckedClient, OidcError> {
        if self.name.trim().is_empty() || self.name.len() > 200 {
            return Err(bad("the client name must be 1–200 bytes".into()));
        }
        if self.redirect_uris.is_empty() {
            return Err(bad("at least one redirect URI is needed".into()));
        }
        let mut hosts = Vec::new();
        for uri in &self.redirect_uris {
            hosts.push(check_uri(uri, "redirect URI")?);
        }
        for uri in &self.post_logout_redirect_uris {
            check_uri(uri, "post-logout redirect URI")?;
        }
        let sector = match &self.sector_identifier {
            Some(s) => check_uri(s, "sector identifier")?,
            None => {
                hosts.dedup();
                if hosts.len() != 1 {
                    return Err(bad(
                        "redirect URIs on several hosts need a sector identifier".into(),
                    ));
                }
                hosts.remove(0)
            }
        };
        if let Some(jwk) = &self.id_token_encryption {
            PublicJwk::from_json(jwk).map_err(|e| bad(format!("ID token encryption key: {e}")))?;
        }
        Ok(CheckedClient {
            draft: self,
            sector,
        })
    }
}

impl Client {
    pub(crate) fn from_record(r: OpClientRecord) -> Result<Self, OidcError> {
        Ok(Self {
            redirect_uris: serde_json::from_str(&r.redirect_uris).map_err(internal)?,
            post_logout_redirect_uris: serde_json::from_str(&r.post_logout_redirect_uris)
                .map_err(internal)?,
            encryption: r
                .id_token_encryption
                .as_deref()
                .map(|j| {
                    let v: Value = serde_json::from_str(j).map_err(internal)?;
                    PublicJwk::from_json(&v).map_err(internal)
                })
                .transpose()?,
            client_id: r.client_id,
            name: r.name,
            sector: r.sector,
            require_dpop: r.require_dpop,
            secret_hash: r.secret_hash,
        })
    }

    /// Exact string comparison (OIDC Core §3.1.2.1; no normalisation, no prefixes).
    pub fn redirect_uri_registered(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }
}

impl OidcProvider {
    pub async fn register_client(
        &self,
        client: CheckedClient,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<RegisteredClient, OidcError> {
        let d = client.draft;
        let client_id = format!("rp-{}", &random_token(rng)?[..16]);
        let secret = if d.confidential {
            Some(random_token(rng)?)
        } else {
            None
        };
        let record = OpClientRecord {
            client_id: client_id.clone(),
            name: d.name,
            secret_hash: secret.as_deref().map(|s| hash_hex(s.as_bytes())),
            redirect_uris: serde_json::to_string(&d.redirect_uris).map_err(internal)?,
            post_logout_redirect_uris: serde_json::to_string(&d.post_logout_redirect_uris)
                .map_err(internal)?,
            sector: client.sector,
            id_token_encryption: d.id_token_encryption.map(|v| v.to_string()),
            require_dpop: d.require_dpop,
            created_at: now.unix_timestamp(),
        };
        let mut tx = self.store().begin_write().await?;
        tx.op_client_insert(&record).await?;
        tx.commit().await?;
        Ok(RegisteredClient {
            client_id,
            client_secret: secret,
        })
    }

    /// Every registered relying party (the operator's list).
    pub async fn clients(&self) -> Result<Vec<Client>, OidcError> {
        let mut tx = self.store().begin().await?;
        let records = tx.op_clients().await?;
        tx.commit().await?;
        records.into_iter().map(Client::from_record).collect()
    }

    pub async fn client(&self, client_id: &str) -> Result<Client, OidcError> {
        let mut tx = self.store().begin().await?;
        let record = tx.op_client(client_id).await?;
        tx.commit().await?;
        Client::from_record(record.ok_or_else(|| OidcError::UnknownClient(client_id.to_owned()))?)
    }

    /// Client authentication at the token and PAR endpoints: `client_secret_basic` or
    /// `client_secret_post` for confidential clients, the bare `client_id` for public ones.
    pub async fn authenticate_client(
        &self,
        client_id: Option<&str>,
        secret: Option<&str>,
    ) -> Result<Client, OidcError> {
        let client_id = client_id.ok_or(OidcError::InvalidClient)?;
        let client = self
            .client(client_id)
            .await
            .map_err(|_| OidcError::InvalidClient)?;
        match (&client.secret_hash, secret) {
            (Some(expected), Some(given))
                if constant_time_eq(expected.as_bytes(), hash_hex(given.as_bytes()).as_bytes()) =>
            {
                Ok(client)
            }
            (None, None) => Ok(client),
            _ => Err(OidcError::InvalidClient),
        }
    }
}
