//! `akashi jpki …`: validate certificates and signatures against J-LIS roots.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use akashi_crypto::{verify_rsa_pkcs1, HashAlgorithm};
use akashi_jpki::{validate, JpkiCertificate, TrustAnchors, ValidatedCertificate};

use crate::error::{read, CliError};
use crate::Output;

#[derive(Debug, Subcommand)]
pub enum JpkiCommand {
    /// Validate a JPKI certificate (PEM or DER) against the roots in a directory.
    Verify {
        cert: PathBuf,
        /// Directory of trust anchors (*.pem, *.crt, *.cer, *.der).
        #[arg(long)]
        anchors: PathBuf,
        /// Validation time (RFC 3339); defaults to now.
        #[arg(long)]
        at: Option<String>,
    },
    /// Verify a signature made with a signature certificate's key (RSA PKCS#1 v1.5, SHA-256)
    /// and validate that certificate.
    VerifySignature {
        /// The signer's certificate.
        #[arg(long)]
        cert: PathBuf,
        /// The signed file.
        #[arg(long = "in")]
        input: PathBuf,
        /// The raw signature.
        #[arg(long)]
        sig: PathBuf,
        #[arg(long)]
        anchors: PathBuf,
        #[arg(long)]
        at: Option<String>,
    },
}

pub fn run(command: JpkiCommand, out: &Output) -> Result<(), CliError> {
    match command {
        JpkiCommand::Verify { cert, anchors, at } => {
            let validated = check_certificate(&cert, &anchors, at.as_deref())?;
            out.result(&report(&validated.0, validated.1), || {
                describe(&validated.0, validated.1)
            });
            Ok(())
        }
        JpkiCommand::VerifySignature {
            cert,
            input,
            sig,
            anchors,
            at,
        } => {
            let (validated, at) = check_certificate(&cert, &anchors, at.as_deref())?;
            let message = read(&input)?;
            let signature = read(&sig)?;
            let spki = validated.certificate.public_key_der()?;
            verify_rsa_pkcs1(&spki, HashAlgorithm::Sha256, &message, &signature).map_err(|_| {
                CliError::invalid(format!(
                    "INVALID: signature: {} is not a signature over {} by this certificate's key",
                    sig.display(),
                    input.display()
                ))
            })?;
            let mut value = report(&validated, at);
            value["signature"] = json!("valid");
            out.result(&value, || {
                format!(
                    "signature over {}: VALID\n{}",
                    input.display(),
                    describe(&validated, at)
                )
            });
            Ok(())
        }
    }
}

/// Parses `--at`, or takes the current time (the only clock read, here at the edge).
pub fn parse_time(at: Option<&str>) -> Result<OffsetDateTime, CliError> {
    match at {
        None => Ok(OffsetDateTime::now_utc()),
        Some(s) => OffsetDateTime::parse(s, &Rfc3339)
            .map_err(|e| CliError::usage(format!("--at {s:?} is not an RFC 3339 time: {e}"))),
    }
}

/// Loads every certificate file in `dir` as a trust anchor.
pub fn load_anchors(dir: &Path) -> Result<TrustAnchors, CliError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        CliError::usage(format!(
            "cannot read anchors directory {}: {e}",
            dir.display()
        ))
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pem" | "crt" | "cer" | "der")
            )
        })
        .collect();
    paths.sort();
    let mut anchors = TrustAnchors::default();
    for path in paths {
        let cert = JpkiCertificate::from_pem_or_der(&read(&path)?)
            .map_err(|e| CliError::usage(format!("trust anchor {}: {e}", path.display())))?;
        anchors.push(cert);
    }
    if anchors.is_empty() {
        return Err(CliError::usage(format!(
            "no certificates (*.pem, *.crt, *.cer, *.der) in {}",
            dir.display()
        )));
    }
    Ok(anchors)
}

fn check_certificate(
    cert: &Path,
    anchors: &Path,
    at: Option<&str>,
) -> Result<(ValidatedCertificate, OffsetDateTime), CliError> {
    let at = parse_time(at)?;
    let anchors = load_anchors(anchors)?;
    let bytes = read(cert)?;
    let invalid =
        |e: &dyn std::fmt::Display| CliError::invalid(format!("INVALID: {}: {e}", cert.display()));
    let parsed = JpkiCertificate::from_pem_or_der(&bytes).map_err(|e| invalid(&e))?;
    let validated = validate(&parsed, &anchors, at, None).map_err(|e| invalid(&e))?;
    Ok((validated, at))
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).expect("RFC 3339 formatting")
}

fn report(v: &ValidatedCertificate, at: OffsetDateTime) -> serde_json::Value {
    let c = &v.certificate;
    json!({
        "valid": true,
        "type": v.kind,
        "subject": c.subject().to_string(),
        "serial": c.serial_hex(),
        "issuer": c.issuer().to_string(),
        "issuer_root_serial": v.issuer.serial_hex(),
        "not_before": rfc3339(c.not_before()),
        "not_after": rfc3339(c.not_after()),
        "checked_at": rfc3339(at),
        "attributes": v.attributes,
    })
}

fn describe(v: &ValidatedCertificate, at: OffsetDateTime) -> String {
    let c = &v.certificate;
    let mut s = format!(
        "VALID {} certificate\n  subject:    {}\n  serial:     {}\n  issuer:     {} (root serial {})\n  validity:   {} .. {}\n  checked at: {}\n",
        v.kind,
        c.subject(),
        c.serial_hex(),
        c.issuer(),
        v.issuer.serial_hex(),
        rfc3339(c.not_before()),
        rfc3339(c.not_after()),
        rfc3339(at),
    );
    if let Some(a) = &v.attributes {
        s.push_str(&format!(
            "  basic four attributes:\n    name:       {}\n    address:    {}\n    birth date: {}\n    sex:        {}\n",
            a.name,
            a.address,
            a.birth_date,
            a.sex.as_str()
        ));
    }
    s
}
