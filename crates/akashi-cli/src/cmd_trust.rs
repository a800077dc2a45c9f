//! `akashi trust-list operator-init|create|withdraw|show`: the scheme operator's side of the
//! signed trusted list. The operator's RSA key is sealed at rest under the keyring key (like
//! CA keys) and signs through akashi-crypto; validators pin the operator's certificate.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use time::{Duration, OffsetDateTime};

use akashi_crypto::{write_atomic, OsRandom, RsaPrivateKey};
use akashi_jpki::JpkiCertificate;
use akashi_sign::trusted_list::{
    operator_certificate, read_trusted_list, service_type_of, sign_trusted_list, ServiceStatus,
    ServiceType, TrustService, TrustedList,
};

use crate::cmd_jpki::rfc3339;
use crate::cmd_sign::sign_error;
use crate::error::{create_dir, read, CliError};
use crate::{keyring, Output};

/// The label the operator key is sealed under.
const OPERATOR_KEY_LABEL: &str = "akashi-trust-list-operator-key";
const DEFAULT_SUBJECT: &str = "CN=Akashi Trusted List Operator,O=Akashi,C=JP";

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// A scheme operator: an RSA key sealed at rest (DIR/operator.key.sealed) and its
    /// self-signed certificate (DIR/operator.pem), the one validators pin.
    OperatorInit {
        #[arg(long)]
        out_dir: PathBuf,
        /// The operator's name (RFC 4514).
        #[arg(long, default_value = DEFAULT_SUBJECT)]
        subject: String,
        /// Validity of the operator certificate, in years.
        #[arg(long, default_value_t = 10)]
        years: u16,
    },
    /// Sign a new list (sequence 1): every root in --from-dir (J-LIS roots by their name, the
    /// rest as TSAs) and each --service TYPE=CERT, named by file stem, granted from the start
    /// of its certificate's validity.
    Create {
        #[command(flatten)]
        operator: OperatorArgs,
        #[arg(long)]
        out: PathBuf,
        /// A directory of root certificates (`akashi jlis export-roots`, DIR/tsa/ca.pem).
        #[arg(long)]
        from_dir: Option<PathBuf>,
        /// TYPE=CERT, TYPE one of jlis-signature-ca, jlis-authentication-ca, time-stamping,
        /// credential-issuer, pf-operator (repeatable).
        #[arg(long = "service")]
        services: Vec<String>,
        /// Days until the next update: validators call the list stale after it.
        #[arg(long, default_value_t = 180)]
        next_update: u32,
    },
    /// Withdraw a service from the list at a time (possibly past) and re-sign it as the next
    /// sequence number: it anchors only what is proven to exist before.
    Withdraw {
        #[command(flatten)]
        operator: OperatorArgs,
        #[arg(long = "in")]
        input: PathBuf,
        /// The service's name (see `akashi trust-list show`).
        #[arg(long)]
        service: String,
        /// When the service stopped being trusted (RFC 3339).
        #[arg(long)]
        at: String,
        /// Where to write the new list (default: replace --in).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value_t = 180)]
        next_update: u32,
    },
    /// Check a list against its operator's certificate and print its services and statuses.
    Show {
        file: PathBuf,
        /// The scheme operator's certificate (pinned).
        #[arg(long)]
        operator_cert: PathBuf,
        /// Statuses at this time (RFC 3339; default now).
        #[arg(long)]
        at: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct OperatorArgs {
    /// The operator's sealed key (operator.key.sealed from operator-init).
    #[arg(long)]
    operator_key: PathBuf,
    /// The operator's certificate (operator.pem).
    #[arg(long)]
    operator_cert: PathBuf,
}

impl OperatorArgs {
    fn open(&self, key_file: Option<&Path>) -> Result<(RsaPrivateKey, JpkiCertificate), CliError> {
        let sealing = keyring::sealing_key(key_file)?;
        let key = RsaPrivateKey::unseal(&sealing, OPERATOR_KEY_LABEL, &read(&self.operator_key)?)
            .map_err(|e| CliError::usage(format!("{}: {e}", self.operator_key.display())))?;
        Ok((key, read_certificate(&self.operator_cert)?))
    }
}

pub fn run(command: TrustCommand, key_file: Option<&Path>, out: &Output) -> Result<(), CliError> {
    let now = OffsetDateTime::now_utc();
    match command {
        TrustCommand::OperatorInit {
            out_dir,
            subject,
            years,
        } => {
            let key_path = out_dir.join("operator.key.sealed");
            if key_path.exists() {
                return Err(CliError::usage(format!(
                    "{} exists: an operator key is never overwritten",
                    key_path.display()
                )));
            }
            create_dir(&out_dir)?;
            let sealing = keyring::sealing_key(key_file)?;
            let key = RsaPrivateKey::generate()?;
            let validity = Duration::days(365 * i64::from(years));
            let cert = operator_certificate(&key, &subject, now, validity, &OsRandom)
                .map_err(sign_error)?;
            let cert = JpkiCertificate::from_der(&cert)?;
            let cert_path = out_dir.join("operator.pem");
            write_atomic(&cert_path, cert.to_pem().as_bytes())?;
            write_atomic(&key_path, &key.seal(&sealing, OPERATOR_KEY_LABEL)?)?;
            out.result(
                &serde_json::json!({ "key": key_path, "certificate": cert_path,
                    "subject": cert.subject().to_string(), "not_after": rfc3339(cert.not_after()) }),
                || {
                    format!(
                        "operator {}: key {} (sealed), certificate {} (give it to validators)\n",
                        cert.subject(),
                        key_path.display(),
                        cert_path.display()
                    )
                },
            );
            Ok(())
        }
        TrustCommand::Create {
            operator,
            out: target,
            from_dir,
            services,
            next_update,
        } => {
            let (key, operator_cert) = operator.open(key_file)?;
            let mut list = TrustedList {
                scheme_operator: operator_cert.subject().to_string(),
                sequence_number: 1,
                issued: now,
                next_update: now + Duration::days(next_update.into()),
                services: Vec::new(),
            };
            if let Some(dir) = &from_dir {
                for path in certificate_files(dir)? {
                    let cert = read_certificate(&path)?;
                    list.services.push(TrustService::granted(
                        service_type_of(&cert),
                        &stem(&path),
                        &cert,
                    ));
                }
            }
            for spec in &services {
                let (kind, path) = parse_service(spec)?;
                let cert = read_certificate(&path)?;
                list.services
                    .push(TrustService::granted(kind, &stem(&path), &cert));
            }
            if list.services.is_empty() {
                return Err(CliError::usage(
                    "no services: give --from-dir DIR or --service TYPE=CERT",
                ));
            }
            let signed = sign_trusted_list(&list, &key, operator_cert.der()).map_err(sign_error)?;
            write_atomic(&target, &signed)?;
            print_written(&list, &target, out)
        }
        TrustCommand::Withdraw {
            operator,
            input,
            service,
            at,
            out: target,
            next_update,
        } => {
            let at = parse_time("--at", &at)?;
            let (key, operator_cert) = operator.open(key_file)?;
            let (mut list, _, _) = read_trusted_list(&read(&input)?, operator_cert.der(), now)
                .map_err(|e| CliError::usage(format!("{}: {e}", input.display())))?;
            list.withdraw(&service, at).map_err(sign_error)?;
            list.reissue(now, now + Duration::days(next_update.into()));
            let signed = sign_trusted_list(&list, &key, operator_cert.der()).map_err(sign_error)?;
            let target = target.unwrap_or(input);
            write_atomic(&target, &signed)?;
            print_written(&list, &target, out)
        }
        TrustCommand::Show {
            file,
            operator_cert,
            at,
        } => {
            let at = match at {
                Some(t) => parse_time("--at", &t)?,
                None => now,
            };
            let operator = read_certificate(&operator_cert)?;
            let (list, _, stale) = read_trusted_list(&read(&file)?, operator.der(), at)
                .map_err(|e| CliError::usage(format!("{}: {e}", file.display())))?;
            if stale {
                eprintln!(
                    "warning: the list is past its next update ({}): ask the operator for a newer one",
                    rfc3339(list.next_update)
                );
            }
            crate::trust_show::print(&list, at, stale, out)
        }
    }
}

fn print_written(list: &TrustedList, target: &Path, out: &Output) -> Result<(), CliError> {
    let names: Vec<&str> = list.services.iter().map(|s| s.name.as_str()).collect();
    out.result(
        &serde_json::json!({ "list": target, "sequence_number": list.sequence_number,
            "next_update": rfc3339(list.next_update), "services": names }),
        || {
            format!(
                "signed trusted list {} (sequence {}, {} services: {}; next update {})\n",
                target.display(),
                list.sequence_number,
                names.len(),
                names.join(", "),
                rfc3339(list.next_update)
            )
        },
    );
    Ok(())
}

/// `TYPE=CERT` of `--service`.
fn parse_service(spec: &str) -> Result<(ServiceType, PathBuf), CliError> {
    let (kind, path) = spec
        .split_once('=')
        .ok_or_else(|| CliError::usage(format!("--service {spec}: expected TYPE=CERT")))?;
    let kind: ServiceType = serde_json::from_value(serde_json::Value::String(kind.into()))
        .map_err(|_| {
            CliError::usage(format!(
                "--service {spec}: {kind:?} is not jlis-signature-ca, jlis-authentication-ca, \
                 time-stamping, credential-issuer or pf-operator"
            ))
        })?;
    Ok((kind, PathBuf::from(path)))
}

fn certificate_files(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ["pem", "crt", "cer", "der"].contains(&e))
        })
        .collect();
    paths.sort();
    Ok(paths)
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A certificate file, PEM or DER.
pub fn read_certificate(path: &Path) -> Result<JpkiCertificate, CliError> {
    JpkiCertificate::from_pem_or_der(&read(path)?)
        .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))
}

/// An RFC 3339 time given to `flag`.
pub fn parse_time(flag: &str, text: &str) -> Result<OffsetDateTime, CliError> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| CliError::usage(format!("{flag} {text}: not an RFC 3339 time: {e}")))
}

/// The status word for text output.
pub fn status_word(status: Option<ServiceStatus>) -> &'static str {
    match status {
        Some(ServiceStatus::Granted) => "granted",
        Some(ServiceStatus::Withdrawn) => "WITHDRAWN",
        None => "not yet granted",
    }
}
