//! `akashi contract create|invite|review|sign|status|list|export|cancel`: contracts of two or
//! more parties, each signing with their own card, over this installation's store, TSA and
//! J-LIS (`--data`).

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use time::{Duration, OffsetDateTime};

use akashi_card::{Card, CertificateSlot};
use akashi_contract::{ContractDraft, ContractView, Contracts, SigningOrder};
use akashi_crypto::OsRandom;
use akashi_store::Store;

use crate::cmd_jpki::rfc3339;
use crate::cmd_registry::block_on;
use crate::cmd_sign::{Services, PRIVACY_NOTE};
use crate::error::{create_dir, read, write, CliError};
use crate::sign_services::Tsas;
use crate::sign_validation::{add_anchors, ValidationSources};
use crate::{contract_report, Output};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Order {
    /// Signers sign in any order.
    Any,
    /// Signer 1 first, then 2, …
    Sequential,
}

#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Create a contract over a PDF (PAdES: one incremental update per signer) or any file
    /// (one detached CAdES signature per signer).
    Create {
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long)]
        title: String,
        /// One per signer, in position order (a role or a name; at least 2).
        #[arg(long = "signer", required = true)]
        signers: Vec<String>,
        #[arg(long, value_enum, default_value = "any")]
        order: Order,
        #[arg(long, default_value = "akashi-data")]
        data: PathBuf,
    },
    /// New invitation tokens (deliver each to its signer); earlier ones stop working.
    Invite {
        id: String,
        /// Signer positions to invite (default: everyone who has not signed).
        #[arg(long = "signer")]
        positions: Vec<usize>,
        #[arg(long, default_value_t = 14)]
        valid_days: i64,
        #[arg(long, default_value = "akashi-data")]
        data: PathBuf,
    },
    /// What an invitation asks you to sign; --out saves the document to read first.
    Review {
        #[arg(long, env = "AKASHI_INVITATION", allow_hyphen_values = true)]
        invitation: String,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value = "akashi-data")]
        data: PathBuf,
    },
    /// Sign with your card as the invited signer. The last signature makes the document
    /// long-term (PAdES-B-LTA, or CAdES-B-LTA per signer).
    Sign {
        card: String,
        #[arg(long)]
        pin: String,
        #[arg(long, env = "AKASHI_INVITATION", allow_hyphen_values = true)]
        invitation: String,
        /// Extra trusted roots (e.g. the root of an HTTP TSA given with --tsa).
        #[arg(long)]
        anchors: Option<PathBuf>,
        #[command(flatten)]
        services: Services,
    },
    /// Status per signer and the audit trail (its hash chain checked).
    Status {
        id: String,
        #[arg(long, default_value = "akashi-data")]
        data: PathBuf,
    },
    /// Every contract, newest first.
    List {
        #[arg(long, default_value = "akashi-data")]
        data: PathBuf,
    },
    /// Write the signed document (and, for a file, each signer's .p7s) into a directory.
    Export {
        id: String,
        #[arg(long)]
        out_dir: PathBuf,
        #[arg(long, default_value = "akashi-data")]
        data: PathBuf,
    },
    /// Cancel an open contract: nobody can sign it afterwards.
    Cancel {
        id: String,
        #[arg(long)]
        reason: String,
        #[arg(long, default_value = "akashi-data")]
        data: PathBuf,
    },
}

async fn contracts(data: &Path) -> Result<Contracts, CliError> {
    Ok(Contracts::new(Store::open_in_dir(data).await?))
}

pub fn run(
    command: ContractCommand,
    key_file: Option<&Path>,
    out: &Output,
) -> Result<(), CliError> {
    let now = OffsetDateTime::now_utc();
    match command {
        ContractCommand::Create {
            input,
            title,
            signers,
            order,
            data,
        } => {
            let draft = ContractDraft {
                title,
                file_name: file_name(&input),
                document: read(&input)?,
                signers,
                order: match order {
                    Order::Any => SigningOrder::Any,
                    Order::Sequential => SigningOrder::Sequential,
                },
            };
            let checked = draft.check()?;
            let view = block_on(async {
                contracts(&data)
                    .await?
                    .create(checked, now, &OsRandom)
                    .await
                    .map_err(CliError::from)
            })?;
            show(&view, out);
        }
        ContractCommand::Invite {
            id,
            positions,
            valid_days,
            data,
        } => {
            if !(1..=365).contains(&valid_days) {
                return Err(CliError::usage("--valid-days must be between 1 and 365"));
            }
            let invitations = block_on(async {
                let c = contracts(&data).await?;
                c.invite(&id, &positions, Duration::days(valid_days), now, &OsRandom)
                    .await
                    .map_err(CliError::from)
            })?;
            let json: Vec<_> = invitations
                .iter()
                .map(|i| {
                    serde_json::json!({ "position": i.position, "label": i.label,
                        "invitation": i.token, "expires_at": rfc3339(i.expires_at) })
                })
                .collect();
            out.result(&serde_json::json!(json), || {
                invitations
                    .iter()
                    .map(|i| {
                        format!(
                            "signer {} ({}): {}\n  valid until {}\n",
                            i.position,
                            i.label,
                            i.token,
                            rfc3339(i.expires_at)
                        )
                    })
                    .collect()
            });
        }
        ContractCommand::Review {
            invitation,
            out: target,
            data,
        } => {
            let (view, position, document) = block_on(async {
                contracts(&data)
                    .await?
                    .for_invitation(&invitation, now)
                    .await
                    .map_err(CliError::from)
            })?;
            if let Some(target) = &target {
                write(target, &document)?;
            }
            out.result(
                &serde_json::json!({ "contract": view, "your_position": position }),
                || contract_report::review(&view, position, target.as_deref()),
            );
        }
        ContractCommand::Sign {
            card,
            pin,
            invitation,
            anchors,
            services,
        } => {
            let view = block_on(sign(
                &card,
                &pin,
                &invitation,
                anchors.as_deref(),
                &services,
                key_file,
                now,
            ))?;
            show(&view, out);
        }
        ContractCommand::Status { id, data } => {
            let view = block_on(async {
                contracts(&data)
                    .await?
                    .view(&id)
                    .await
                    .map_err(CliError::from)
            })?;
            show(&view, out);
            if let akashi_contract::AuditCheck::Broken { at_seq } = view.audit {
                return Err(CliError::invalid(format!(
                    "the audit trail of {id} is broken at event {at_seq}"
                )));
            }
        }
        ContractCommand::List { data } => {
            let list =
                block_on(async { contracts(&data).await?.list().await.map_err(CliError::from) })?;
            let json: Vec<_> = list
                .iter()
                .map(|c| serde_json::json!({ "id": c.id, "title": c.title, "status": c.status }))
                .collect();
            out.result(&serde_json::json!(json), || {
                list.iter()
                    .map(|c| format!("{}  {:<9}  {}\n", c.id, c.status, c.title))
                    .collect()
            });
        }
        ContractCommand::Export { id, out_dir, data } => {
            let (view, document, signatures) = block_on(async {
                contracts(&data)
                    .await?
                    .signed_files(&id)
                    .await
                    .map_err(CliError::from)
            })?;
            create_dir(&out_dir)?;
            let mut files = vec![out_dir.join(&view.file_name)];
            write(&files[0], &document)?;
            for (position, cms) in signatures {
                let path = out_dir.join(format!("{}.signer{position}.p7s", view.file_name));
                write(&path, &cms)?;
                files.push(path);
            }
            out.result(&serde_json::json!({ "files": files }), || {
                files.iter().map(|f| format!("{}\n", f.display())).collect()
            });
        }
        ContractCommand::Cancel { id, reason, data } => {
            let view = block_on(async {
                contracts(&data)
                    .await?
                    .cancel(&id, &reason, now)
                    .await
                    .map_err(CliError::from)
            })?;
            show(&view, out);
        }
    }
    Ok(())
}

/// Both phases: the contract service prepares, the card signs, the service completes with
/// this installation's TSA and J-LIS.
async fn sign(
    card: &str,
    pin: &str,
    invitation: &str,
    extra_anchors: Option<&Path>,
    services: &Services,
    key_file: Option<&Path>,
    now: OffsetDateTime,
) -> Result<ContractView, CliError> {
    let contracts = contracts(&services.data).await?;
    let mut card = crate::cmd_card::open(card, key_file)?;
    let certificate = card.read_certificate(CertificateSlot::Signature, Some(pin))?;
    let session = contracts
        .begin_signing(invitation, &certificate, now)
        .await?;
    eprintln!("{PRIVACY_NOTE}");
    eprintln!(
        "Signing \"{}\" ({}, SHA-256 {}) as signer {}.",
        session.title(),
        session.file_name(),
        session.document_sha256(),
        session.position()
    );
    let signature = card.sign(session.to_be_signed(), pin)?;
    let sources = ValidationSources::open(services, key_file, now).await?;
    let mut anchors = sources.anchors()?;
    if let Some(dir) = extra_anchors {
        add_anchors(&mut anchors, dir)?;
    }
    let tsa = Tsas::open(services, key_file, now).await?;
    Ok(contracts
        .complete_signing(session, &signature, &tsa, &sources.source(), &anchors, now)
        .await?)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".into())
}

fn show(view: &ContractView, out: &Output) {
    out.result(&serde_json::to_value(view).expect("contract JSON"), || {
        contract_report::text(view)
    });
}
