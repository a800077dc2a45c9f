//! `akashi oidc …`: the operator's side of the OpenID Connect provider that `akashi serve
//! --data DIR` runs under `/oidc` — register relying parties (redirect URIs matched exactly;
//! the secret is shown once), list them, and rotate the ID-token signing key (a running
//! server picks the new key up within 10 seconds; the old one stays in the JWKS for a day).

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;
use time::OffsetDateTime;

use akashi_crypto::OsRandom;
use akashi_oidc::{ClientDraft, OidcProvider};

use crate::cmd_registry::{block_on, open_store, Db};
use crate::error::{read, CliError};
use crate::{keyring, Output};

#[derive(Debug, Subcommand)]
pub enum OidcCommand {
    /// Register a relying party; prints its client id and (unless --public) its secret once.
    ClientAdd {
        #[command(flatten)]
        db: Db,
        /// The name people see on the consent screen.
        #[arg(long)]
        name: String,
        /// A redirect URI (https, or http on loopback), matched exactly. Repeatable.
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// Where RP-initiated logout may return to. Repeatable.
        #[arg(long = "post-logout-uri")]
        post_logout_uris: Vec<String>,
        /// An https URL grouping several hosts into one sector (one `sub` for them).
        #[arg(long)]
        sector_identifier: Option<String>,
        /// An app without a secret (PKCE only).
        #[arg(long)]
        public: bool,
        /// The RP's public JWK (JSON file): ID tokens are encrypted to it (FAL2).
        #[arg(long, value_name = "FILE")]
        encryption_jwk: Option<PathBuf>,
        /// Tokens only with a DPoP proof of the RP's key (FAL3).
        #[arg(long)]
        dpop: bool,
    },
    /// The registered relying parties.
    Clients {
        #[command(flatten)]
        db: Db,
    },
    /// Make a new ID-token signing key current (the previous one stays published).
    RotateKey {
        #[command(flatten)]
        db: Db,
    },
}

/// The provider of a data directory for administration (no J-LIS, no HTTP).
async fn provider(db: &Db, key_file: Option<&std::path::Path>) -> Result<OidcProvider, CliError> {
    if db.database.is_none() && !db.data.join("akashi.db").exists() {
        return Err(CliError::usage(format!(
            "{} holds no Akashi database: pass the --data directory of `akashi serve`",
            db.data.display()
        )));
    }
    let store = open_store(&db.data, db.database.as_deref()).await?;
    // The public URL names the issuer, which none of these commands uses.
    akashi_server::open_provider_admin(
        &db.data,
        &store,
        &keyring::sealing_key(key_file)?,
        "http://localhost",
        OffsetDateTime::now_utc(),
    )
    .await
    .map_err(|e| CliError::usage(format!("OpenID provider: {e}")))
}

pub fn run(
    command: OidcCommand,
    key_file: Option<&std::path::Path>,
    out: &Output,
) -> Result<(), CliError> {
    let oidc = |e: akashi_oidc::OidcError| CliError::usage(e.to_string());
    block_on(async {
        match command {
            OidcCommand::ClientAdd {
                db,
                name,
                redirect_uris,
                post_logout_uris,
                sector_identifier,
                public,
                encryption_jwk,
                dpop,
            } => {
                let encryption = match &encryption_jwk {
                    Some(path) => Some(serde_json::from_slice(&read(path)?).map_err(|e| {
                        CliError::usage(format!("{}: not a JWK: {e}", path.display()))
                    })?),
                    None => None,
                };
                let draft = ClientDraft {
                    name,
                    redirect_uris,
                    post_logout_redirect_uris: post_logout_uris,
                    sector_identifier,
                    confidential: !public,
                    id_token_encryption: encryption,
                    require_dpop: dpop,
                };
                // Checked before the provider is opened: a bad draft touches nothing.
                let checked = draft.check().map_err(oidc)?;
                let provider = provider(&db, key_file).await?;
                let registered = provider
                    .register_client(checked, OffsetDateTime::now_utc(), &OsRandom)
                    .await
                    .map_err(oidc)?;
                out.result(
                    &json!({ "client_id": registered.client_id, "client_secret": registered.client_secret }),
                    || match &registered.client_secret {
                        Some(secret) => format!(
                            "client_id: {}\nclient_secret (shown once): {secret}\n",
                            registered.client_id
                        ),
                        None => format!("client_id: {} (public: PKCE only)\n", registered.client_id),
                    },
                );
            }
            OidcCommand::Clients { db } => {
                let provider = provider(&db, key_file).await?;
                let clients = provider.clients().await.map_err(oidc)?;
                let list: Vec<_> = clients
                    .iter()
                    .map(|c| {
                        json!({
                            "client_id": c.client_id, "name": c.name, "redirect_uris": c.redirect_uris,
                            "sector": c.sector, "confidential": c.confidential(), "fal": c.fal(),
                        })
                    })
                    .collect();
                out.result(&json!(list), || {
                    list.iter()
                        .map(|c| {
                            format!(
                                "{}  {}  FAL{}  sector {}  {}\n",
                                c["client_id"].as_str().unwrap_or_default(),
                                c["name"].as_str().unwrap_or_default(),
                                c["fal"],
                                c["sector"].as_str().unwrap_or_default(),
                                c["redirect_uris"]
                            )
                        })
                        .collect()
                });
            }
            OidcCommand::RotateKey { db } => {
                let provider = provider(&db, key_file).await?;
                let kid = provider
                    .rotate_signing_key(OffsetDateTime::now_utc())
                    .await
                    .map_err(oidc)?;
                let published = provider.jwks().map_err(oidc)?["keys"]
                    .as_array()
                    .map(Vec::len)
                    .unwrap_or_default();
                out.result(&json!({ "kid": kid, "published": published }), || {
                    format!("new signing key {kid}; {published} key(s) in the JWKS (running servers switch within 10 s)\n")
                });
            }
        }
        Ok(())
    })
}
