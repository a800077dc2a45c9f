//! `akashi sign cades|pades|augment|verify`: long-term signatures with the card, and their
//! validation by anyone, offline, from the files and the trust anchors alone.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use time::OffsetDateTime;

use akashi_card::{Card, CertificateSlot};
use akashi_sign::{prepare_cades, prepare_pades, SignError};

use crate::cmd_registry::block_on;
use crate::error::{read, write, CliError};
use crate::sign_services::{raise, raise_pdf, Tsas};
use crate::Output;

/// Said before every signature: the certificate travels with it.
pub const PRIVACY_NOTE: &str = "Privacy: your signature certificate carries your name, date of \
birth, sex and address (the basic four attributes). Everyone who receives the signed document \
can read them.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum SignLevel {
    #[value(name = "B")]
    B,
    #[value(name = "T")]
    T,
    #[value(name = "LT")]
    Lt,
    #[value(name = "LTA")]
    Lta,
}

impl std::fmt::Display for SignLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignLevel::B => "B",
            SignLevel::T => "T",
            SignLevel::Lt => "LT",
            SignLevel::Lta => "LTA",
        })
    }
}

/// Where timestamps and J-LIS validation data come from.
#[derive(Debug, Args)]
pub struct Services {
    /// Data directory of this installation (all roles in one process): its TSA and J-LIS.
    #[arg(long, default_value = "akashi-data")]
    pub data: PathBuf,
    /// An RFC 3161 TSA over HTTP (e.g. http://host:8080/tsa) instead of the local one.
    #[arg(long)]
    pub tsa: Option<String>,
    /// J-LIS over HTTP (e.g. http://host:8080) for B-LT's CRLs instead of the local one.
    #[arg(long, requires_all = ["jlis_credential", "jlis_roots"])]
    pub jlis: Option<String>,
    /// A registered verifier's J-LIS credential (for --jlis).
    #[arg(long, env = "AKASHI_JLIS_CREDENTIAL", hide_env_values = true)]
    pub jlis_credential: Option<String>,
    /// Directory of the J-LIS roots you trust (for --jlis; a TSA root there is trusted too).
    #[arg(long)]
    pub jlis_roots: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SignCommand {
    /// A detached CAdES signature (ETSI EN 319 122-1) of any file, signed by the card.
    Cades {
        card: String,
        #[arg(long)]
        pin: String,
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = SignLevel::Lt)]
        level: SignLevel,
        #[command(flatten)]
        services: Services,
    },
    /// Sign a PDF (PAdES, ETSI EN 319 142-1) as an incremental update: earlier signatures
    /// stay valid, so each party of a contract signs in turn.
    Pades {
        card: String,
        #[arg(long)]
        pin: String,
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// The signature field's name (default: Signature<N>).
        #[arg(long)]
        field: Option<String>,
        #[arg(long, value_enum, default_value_t = SignLevel::Lt)]
        level: SignLevel,
        #[command(flatten)]
        services: Services,
    },
    /// Raise a signature to a higher level: a detached CAdES file (B → T → LT → LTA; LTA again renews the
    /// archive timestamp) or a signed
    /// PDF (→ LT: DSS; → LTA: document timestamp, or its renewal when there is one).
    Augment {
        /// The signature file (.p7s) or signed PDF; rewritten in place unless --out is given.
        #[arg(long)]
        sig: PathBuf,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, value_enum)]
        to: SignLevel,
        #[command(flatten)]
        services: Services,
    },
    /// Validate signatures: a PDF's (PAdES), or a detached CAdES signature with --sig, against
    /// --anchors DIR or a signed --trusted-list FILE (with --tl-operator CERT).
    Verify(crate::sign_verify::VerifyArgs),
}

pub fn run(command: SignCommand, key_file: Option<&Path>, out: &Output) -> Result<(), CliError> {
    let now = OffsetDateTime::now_utc();
    match command {
        SignCommand::Cades {
            card,
            pin,
            input,
            out: sig,
            level,
            services,
        } => {
            let content = read(&input)?;
            eprintln!("{PRIVACY_NOTE}");
            let mut card = crate::cmd_card::open(&card, key_file)?;
            let certificate = card.read_certificate(CertificateSlot::Signature, Some(&pin))?;
            let prepared = prepare_cades(&content, &certificate, now).map_err(sign_error)?;
            let signature = card.sign(prepared.to_be_signed(), &pin)?;
            let b_b = prepared
                .complete(&signature)
                .map_err(|e| sign_error(e.into()))?;
            let signed = block_on(raise(b_b, SignLevel::B, level, &services, key_file, now))?;
            write(&sig, &signed)?;
            out.result(
                &serde_json::json!({ "signature": sig, "level": level.to_string() }),
                || {
                    format!(
                        "signed {} → {} (CAdES-B-{level})\n",
                        input.display(),
                        sig.display()
                    )
                },
            );
            Ok(())
        }
        SignCommand::Pades {
            card,
            pin,
            input,
            out: target,
            field,
            level,
            services,
        } => {
            let pdf = read(&input)?;
            let field = match field {
                Some(f) => f,
                None => format!(
                    "Signature{}",
                    akashi_pdf::signatures(&pdf)
                        .map_err(|e| CliError::usage(format!("{}: {e}", input.display())))?
                        .len()
                        + 1
                ),
            };
            eprintln!("{PRIVACY_NOTE}");
            let mut card = crate::cmd_card::open(&card, key_file)?;
            let certificate = card.read_certificate(CertificateSlot::Signature, Some(&pin))?;
            let prepared = prepare_pades(&pdf, &field, &certificate, now).map_err(sign_error)?;
            let signature = card.sign(prepared.to_be_signed(), &pin)?;
            let signed = block_on(async {
                let pdf = if level >= SignLevel::T {
                    let tsas = Tsas::open(&services, key_file, now).await?;
                    prepared
                        .complete_with_timestamp(&signature, &tsas)
                        .await
                        .map_err(sign_error)?
                } else {
                    prepared.complete(&signature).map_err(sign_error)?
                };
                raise_pdf(pdf, level, &services, key_file, now).await
            })?;
            write(&target, &signed)?;
            out.result(
                &serde_json::json!({ "pdf": target, "field": field, "level": level.to_string() }),
                || {
                    format!(
                        "signed {} as {field} → {} (PAdES-B-{level})\n",
                        input.display(),
                        target.display()
                    )
                },
            );
            Ok(())
        }
        SignCommand::Augment {
            sig,
            out: target,
            to,
            services,
        } => {
            let cms = read(&sig)?;
            if cms.starts_with(b"%PDF") {
                let raised = block_on(raise_pdf(cms, to, &services, key_file, now))?;
                let target = target.unwrap_or(sig);
                write(&target, &raised)?;
                out.result(&serde_json::json!({ "pdf": target }), || {
                    format!("{} raised to PAdES-B-{to}\n", target.display())
                });
                return Ok(());
            }
            let from = if akashi_sign::signature_timestamp(&cms)
                .map_err(sign_error)?
                .is_some()
            {
                SignLevel::T
            } else {
                SignLevel::B
            };
            let raised = block_on(raise(cms, from, to, &services, key_file, now))?;
            let target = target.unwrap_or(sig);
            write(&target, &raised)?;
            out.result(&serde_json::json!({ "signature": target }), || {
                format!("{} raised to B-{to}\n", target.display())
            });
            Ok(())
        }
        SignCommand::Verify(args) => crate::sign_verify::run(args, now, out),
    }
}

pub fn sign_error(e: SignError) -> CliError {
    CliError::usage(e.to_string())
}
