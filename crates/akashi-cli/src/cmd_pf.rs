//! `akashi pf …`: the PF operator (register an SP, run the certificate check and deliver
//! webhooks, in-process on the data directory) and the SP's side (a proofing or login with a
//! card against a running `akashi serve`, the customer list).

use std::path::Path;

use clap::Subcommand;
use serde_json::json;
use time::OffsetDateTime;

use akashi_crypto::OsRandom;
use akashi_pf::{HttpWebhookSender, PfService};
use akashi_sp::{card_signs, card_signs_cms, Pin, Purpose, SpClient, StartRequest};

use crate::cmd_registry::{block_on, open_store, Db};
use crate::{keyring, CliError, Output};

/// Which roles `akashi serve` plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    All,
    Jlis,
    Pf,
}

/// Where a PF finds J-LIS when it is another organisation's server.
#[derive(Debug, Clone, clap::Args)]
pub struct JlisLinkArgs {
    /// J-LIS's URL (`akashi serve --role jlis`); without it the PF uses the J-LIS in DIR.
    #[arg(long)]
    pub jlis_url: Option<String>,
    /// The PF's verifier credential at J-LIS (`akashi jlis verifier register`).
    #[arg(long, env = "AKASHI_JLIS_CREDENTIAL", hide_env_values = true)]
    pub jlis_credential: Option<String>,
    /// Directory of J-LIS root certificates (PEM) the PF trusts.
    #[arg(long)]
    pub anchors: Option<std::path::PathBuf>,
}

impl JlisLinkArgs {
    /// The remote J-LIS, if one is named: (URL, credential, anchors).
    fn remote(&self) -> Result<Option<(String, String, akashi_jpki::TrustAnchors)>, CliError> {
        let Some(url) = &self.jlis_url else {
            return Ok(None);
        };
        let credential = self.jlis_credential.clone().ok_or_else(|| {
            CliError::usage("--jlis-url needs --jlis-credential (or AKASHI_JLIS_CREDENTIAL)")
        })?;
        let dir = self
            .anchors
            .as_ref()
            .ok_or_else(|| CliError::usage("--jlis-url needs --anchors DIR (the J-LIS roots)"))?;
        Ok(Some((
            url.clone(),
            credential,
            crate::cmd_jpki::load_anchors(dir)?,
        )))
    }

    /// The roles of `akashi serve --role ROLE`.
    pub fn roles(&self, role: Role) -> Result<akashi_server::Roles, CliError> {
        match (role, self.remote()?) {
            (Role::All, None) => Ok(akashi_server::Roles::All),
            (Role::Jlis, None) => Ok(akashi_server::Roles::Jlis),
            (Role::Pf, Some((jlis_url, credential, anchors))) => Ok(akashi_server::Roles::Pf {
                jlis_url,
                credential,
                anchors,
            }),
            (Role::Pf, None) => Err(CliError::usage(
                "--role pf needs --jlis-url, --jlis-credential and --anchors",
            )),
            (_, Some(_)) => Err(CliError::usage("--jlis-url is for --role pf")),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum PfCommand {
    /// Register a service provider; prints its API credential and webhook secret once.
    RegisterSp {
        name: String,
        /// Where the PF POSTs notifications (Standard Webhooks signatures).
        #[arg(long)]
        webhook: Option<String>,
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        jlis: JlisLinkArgs,
    },
    /// Check every customer's certificates at J-LIS once, send the webhooks due, and delete
    /// certificates whose retention ended from the vault.
    Check {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        jlis: JlisLinkArgs,
    },
    /// Read a certificate from the PF's vault (an inspection, a court order): written to the
    /// vault's access log with who and why.
    VaultRead {
        /// `signature` or `authentication`.
        #[arg(long, value_parser = ["signature", "authentication"])]
        kind: String,
        /// The serial number in hex.
        #[arg(long)]
        serial: String,
        /// Who reads (logged).
        #[arg(long)]
        actor: String,
        /// Why (logged).
        #[arg(long)]
        purpose: String,
        /// Where to write the PEM.
        #[arg(long)]
        out: std::path::PathBuf,
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        jlis: JlisLinkArgs,
    },
    /// As an SP: identity proofing (signature certificate) or --login (authentication
    /// certificate) with CARD against the PF at --url.
    Proof {
        /// A virtual card file, or `pcsc[:READER]`.
        card: String,
        /// The PF's base URL (`akashi serve`).
        #[arg(long)]
        url: String,
        /// The SP's credential (`akashi pf register-sp`).
        #[arg(long, env = "AKASHI_SP_CREDENTIAL")]
        credential: String,
        /// The signature PIN (proofing) or the authentication PIN (--login).
        #[arg(long)]
        pin: String,
        /// Log in with the authentication certificate instead of proofing.
        #[arg(long)]
        login: bool,
        /// What the person agrees to (proofing only).
        #[arg(long)]
        transaction_data: Option<String>,
        /// The person consents to attribute updates for this SP.
        #[arg(long)]
        subscribe: bool,
        /// Send the signature as CMS SignedData (`jpki-cms-v1`) instead of the simple format.
        #[arg(long)]
        cms: bool,
    },
    /// As an SP: its customers' identifiers and status.
    Customers {
        #[arg(long)]
        url: String,
        #[arg(long, env = "AKASHI_SP_CREDENTIAL")]
        credential: String,
    },
}

/// The PF of the data directory: with the J-LIS in the same directory, or a remote one.
async fn open_pf(
    db: &Db,
    jlis: &JlisLinkArgs,
    key_file: Option<&Path>,
) -> Result<PfService, CliError> {
    let now = OffsetDateTime::now_utc();
    let sealing_key = keyring::sealing_key(key_file)?;
    let remote = jlis.remote()?;
    if remote.is_some() {
        // A PF of its own: its data directory is created on first use.
        crate::error::create_dir(&db.data)?;
    }
    let store = open_store(&db.data, db.database.as_deref()).await?;
    if let Some((url, credential, anchors)) = remote {
        return Ok(akashi_server::open_remote_pf(
            &db.data,
            &store,
            &sealing_key,
            &url,
            &credential,
            anchors,
        )?);
    }
    Ok(akashi_server::open_embedded_pf(&db.data, &store, &sealing_key, now).await?)
}

pub fn run(command: PfCommand, key_file: Option<&Path>, out: &Output) -> Result<(), CliError> {
    block_on(async {
        match command {
            PfCommand::RegisterSp {
                name,
                webhook,
                db,
                jlis,
            } => {
                let pf = open_pf(&db, &jlis, key_file).await?;
                let reg = pf
                    .register_service_provider(
                        &name,
                        webhook.as_deref(),
                        OffsetDateTime::now_utc(),
                        &OsRandom,
                    )
                    .await?;
                let sp = &reg.service_provider;
                out.result(
                    &json!({ "id": sp.id, "name": sp.name, "credential": reg.credential, "webhook_secret": reg.webhook_secret }),
                    || format!("service provider {} ({})\ncredential (shown once): {}\nwebhook secret (shown once): {}\n", sp.name, sp.id, reg.credential, reg.webhook_secret),
                );
                Ok(())
            }
            PfCommand::Check { db, jlis } => {
                let pf = open_pf(&db, &jlis, key_file).await?;
                let now = OffsetDateTime::now_utc();
                let check = pf.check_certificates(now, &OsRandom).await?;
                let delivery = pf.deliver_due(&HttpWebhookSender::new()?, now).await?;
                let (purged, _) = pf.housekeeping(now).await?;
                out.result(&json!({ "check": check, "delivery": delivery, "vault_deleted": purged }), || {
                    format!(
                        "checked {} certificate(s): {} changed, {} notification(s) queued\nwebhooks: {} delivered, {} failed (retried later)\nvault: {purged} certificate(s) past retention deleted\n",
                        check.checked, check.changed, check.notifications, delivery.delivered, delivery.failed
                    )
                });
                Ok(())
            }
            PfCommand::VaultRead {
                kind,
                serial,
                actor,
                purpose,
                out: path,
                db,
                jlis,
            } => {
                let pf = open_pf(&db, &jlis, key_file).await?;
                let kind = if kind == "signature" {
                    akashi_jpki::CertificateKind::Signature
                } else {
                    akashi_jpki::CertificateKind::Authentication
                };
                let serial = serial.to_ascii_uppercase();
                let der = pf
                    .vault_read(kind, &serial, &actor, &purpose, OffsetDateTime::now_utc())
                    .await?
                    .ok_or_else(|| {
                        CliError::usage(format!(
                            "the vault holds no {} certificate {serial}",
                            kind.as_str()
                        ))
                    })?;
                let cert = akashi_jpki::JpkiCertificate::from_der(&der)?;
                crate::error::write(&path, cert.to_pem().as_bytes())?;
                out.result(&json!({ "written": path.display().to_string() }), || {
                    format!("written to {} (access logged)\n", path.display())
                });
                Ok(())
            }
            PfCommand::Proof {
                card,
                url,
                credential,
                pin,
                login,
                transaction_data,
                subscribe,
                cms,
            } => {
                let purpose = if login {
                    Purpose::Login
                } else {
                    Purpose::IdentityProofing
                };
                let client = SpClient::new(&url, &credential)?;
                let start = client
                    .start(&StartRequest {
                        purpose,
                        transaction_data,
                        subscribe_updates: subscribe,
                    })
                    .await?;
                let mut card = crate::cmd_card::open(&card, key_file)?;
                let request = if cms {
                    card_signs_cms(
                        &mut card,
                        purpose,
                        &start,
                        Pin(&pin),
                        OffsetDateTime::now_utc(),
                    )?
                } else {
                    card_signs(&mut card, purpose, &start, Pin(&pin))?
                };
                let outcome = client.complete(&request).await?;
                out.result(&serde_json::to_value(&outcome)?, || {
                    let mut text = format!(
                        "{} ({} certificate, {})\nidentifier at this SP: {}\n",
                        outcome.result,
                        match outcome.certificate_type {
                            akashi_sp::CertificateType::Signature => "signature",
                            akashi_sp::CertificateType::Authentication => "authentication",
                        },
                        outcome.assurance,
                        outcome.sp_user_id
                    );
                    if let Some(a) = &outcome.attributes {
                        text.push_str(&format!(
                            "name {}, born {}, sex {}, address {}\n",
                            a.name, a.birth_date, a.sex, a.address
                        ));
                    }
                    text
                });
                Ok(())
            }
            PfCommand::Customers { url, credential } => {
                let customers = SpClient::new(&url, &credential)?.customers().await?;
                out.result(&serde_json::to_value(&customers)?, || {
                    customers
                        .iter()
                        .map(|c| {
                            format!(
                                "{}  {}{}\n",
                                c.sp_user_id,
                                c.status,
                                if c.subscribed {
                                    "  (subscribed to updates)"
                                } else {
                                    ""
                                }
                            )
                        })
                        .collect()
                });
                Ok(())
            }
        }
    })
}
