//! `akashi tsa csr|install|policy|show`: the time-stamping authority of a data directory with
//! its certificate from an external CA. The TSA's key never leaves it: the CA gets a PKCS#10
//! request and sends back a certificate, which is checked before the TSA uses it.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use time::OffsetDateTime;

use akashi_crypto::{write_atomic, OsRandom};
use akashi_jpki::JpkiCertificate;
use akashi_tsa::{certificates_from_pem, request_pem, TsaAuthority, TsaError};

use crate::cmd_jpki::rfc3339;
use crate::error::{read, CliError};
use crate::{keyring, Output};

const DEFAULT_SUBJECT: &str = "CN=Akashi Time-Stamping Authority 1,O=Akashi,C=JP";

#[derive(Debug, Subcommand)]
pub enum TsaCommand {
    /// A PKCS#10 certificate request (PEM) for the TSA's key, for an external CA.
    Csr {
        #[arg(long, default_value = "akashi-data")]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// The subject to ask for (RFC 4514).
        #[arg(long, default_value = DEFAULT_SUBJECT)]
        subject: String,
    },
    /// Install the certificate the external CA issued: it must be for the TSA's key, carry
    /// id-kp-timeStamping as its only (critical) extended key usage, be valid now and be
    /// issued by the CA in --chain. A refused certificate changes nothing (exit 1).
    Install {
        #[arg(long, default_value = "akashi-data")]
        data: PathBuf,
        /// The TSA certificate (PEM or DER).
        #[arg(long)]
        cert: PathBuf,
        /// The issuing CA's certificate, optionally followed by its issuers (PEM bundle).
        #[arg(long)]
        chain: PathBuf,
        /// Also set the TSA policy OID stated in every token.
        #[arg(long)]
        policy: Option<String>,
    },
    /// Set the TSA policy OID (TSAPolicyId) of every later token.
    Policy {
        #[arg(long, default_value = "akashi-data")]
        data: PathBuf,
        #[arg(long)]
        set: String,
    },
    /// The TSA's certificate, its CA and its policy.
    Show {
        #[arg(long, default_value = "akashi-data")]
        data: PathBuf,
    },
}

fn tsa_error(e: TsaError) -> CliError {
    match e {
        TsaError::Refused(_) => CliError::invalid(e.to_string()),
        _ => CliError::usage(e.to_string()),
    }
}

fn open(
    data: &Path,
    key_file: Option<&Path>,
    now: OffsetDateTime,
) -> Result<TsaAuthority, CliError> {
    let key = keyring::sealing_key(key_file)?;
    TsaAuthority::open_or_create(data, &key, now, &OsRandom).map_err(tsa_error)
}

pub fn run(command: TsaCommand, key_file: Option<&Path>, out: &Output) -> Result<(), CliError> {
    let now = OffsetDateTime::now_utc();
    match command {
        TsaCommand::Csr {
            data,
            out: target,
            subject,
        } => {
            let tsa = open(&data, key_file, now)?;
            let der = tsa.certification_request(&subject).map_err(tsa_error)?;
            let pem = request_pem(&der).map_err(tsa_error)?;
            write_atomic(&target, pem.as_bytes())?;
            out.result(
                &serde_json::json!({ "request": target, "subject": subject }),
                || format!("certificate request for {subject} → {}\n", target.display()),
            );
            Ok(())
        }
        TsaCommand::Install {
            data,
            cert,
            chain,
            policy,
        } => {
            let mut tsa = open(&data, key_file, now)?;
            let certificate = certificates_from_pem(&read(&cert)?)
                .map_err(|e| CliError::usage(format!("{}: {e}", cert.display())))?;
            let chain_certs = certificates_from_pem(&read(&chain)?)
                .map_err(|e| CliError::usage(format!("{}: {e}", chain.display())))?;
            if let Some(policy) = &policy {
                // Checked before anything is installed.
                TsaAuthority::parse_policy_text(policy).map_err(tsa_error)?;
            }
            tsa.install(&data, &certificate[0], &chain_certs, now)
                .map_err(tsa_error)?;
            if let Some(policy) = &policy {
                tsa.set_policy(&data, policy).map_err(tsa_error)?;
            }
            show(&tsa, &data, out)
        }
        TsaCommand::Policy { data, set } => {
            let mut tsa = open(&data, key_file, now)?;
            tsa.set_policy(&data, &set).map_err(tsa_error)?;
            show(&tsa, &data, out)
        }
        TsaCommand::Show { data } => show(&open(&data, key_file, now)?, &data, out),
    }
}

fn summary(der: &[u8]) -> serde_json::Value {
    match JpkiCertificate::from_der(der) {
        Ok(c) => serde_json::json!({
            "subject": c.subject().to_string(),
            "issuer": c.issuer().to_string(),
            "serial": c.serial_hex(),
            "not_before": rfc3339(c.not_before()),
            "not_after": rfc3339(c.not_after()),
        }),
        Err(e) => serde_json::json!({ "error": e.to_string() }),
    }
}

fn show(tsa: &TsaAuthority, data: &Path, out: &Output) -> Result<(), CliError> {
    let certificate = summary(tsa.certificate());
    let ca = summary(tsa.ca_certificate());
    let json = serde_json::json!({
        "certificate": certificate,
        "ca": ca,
        "chain": tsa.chain().iter().map(|c| summary(c)).collect::<Vec<_>>(),
        "ca_kind": if tsa.is_external() { "external" } else { "local" },
        "policy": tsa.policy().to_string(),
        "trust": data.join("tsa").join("ca.pem"),
    });
    out.result(&json, || {
        let field = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or("?").to_owned();
        format!(
            "TSA certificate: {} (serial {}, valid {} to {})\n  issued by: {}\n\
             CA ({}): {} (serial {}, valid until {})\n{}policy: {}\n\
             validators trust: {}\n",
            field(&certificate, "subject"),
            field(&certificate, "serial"),
            field(&certificate, "not_before"),
            field(&certificate, "not_after"),
            field(&certificate, "issuer"),
            if tsa.is_external() {
                "external"
            } else {
                "local"
            },
            field(&ca, "subject"),
            field(&ca, "serial"),
            field(&ca, "not_after"),
            tsa.chain()
                .iter()
                .map(|c| format!("  above it: {}\n", field(&summary(c), "subject")))
                .collect::<String>(),
            tsa.policy(),
            data.join("tsa").join("ca.pem").display(),
        )
    });
    Ok(())
}
