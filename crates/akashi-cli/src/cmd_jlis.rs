//! `akashi jlis …`: run the J-LIS certificate authority over a data directory.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::json;
use time::OffsetDateTime;

use akashi_card::SealedFileStore;
use akashi_crypto::OsRandom;
use akashi_jlis::{issue_card, Authority, CardIssueRequest};
use akashi_jpki::attributes::parse_iso_date;
use akashi_jpki::{BasicFourAttributes, CertificateKind, Sex};

use crate::cmd_jpki::rfc3339;
use crate::error::{create_dir, write, CliError};
use crate::{keyring, Output};

#[derive(Debug, Subcommand)]
pub enum JlisCommand {
    /// Create the signature CA and the user-authentication CA (generation 1).
    Init {
        #[arg(long)]
        data: PathBuf,
    },
    /// Start a new generation of one CA (new key, same name, overlapping validity).
    NewGeneration {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, value_parser = parse_kind)]
        ca: CertificateKind,
    },
    /// Issue a virtual My Number Card with both certificates.
    IssueCard {
        #[arg(long)]
        data: PathBuf,
        /// Family and given name; a space between them becomes the ideographic space.
        #[arg(long)]
        name: String,
        /// Date of birth, YYYY-MM-DD.
        #[arg(long)]
        birth: String,
        #[arg(long, value_parser = ["male", "female", "unknown"])]
        sex: String,
        /// Address from the prefecture on (e.g. 東京都千代田区霞が関二丁目1番2号).
        #[arg(long)]
        address: String,
        /// User-authentication PIN: 4 digits (also the text application's PIN).
        #[arg(long)]
        auth_pin: String,
        /// Signature PIN: 6–16 characters A–Z and 0–9.
        #[arg(long)]
        sign_pin: String,
        /// The card file to write.
        #[arg(long)]
        out: PathBuf,
        /// Resident-registry id to register the person under (default: a new random id).
        #[arg(long)]
        resident: Option<String>,
        /// Storage URL (default: sqlite in DIR/akashi.db).
        #[arg(long)]
        database: Option<String>,
    },
    /// The resident registry (住民基本台帳).
    #[command(subcommand)]
    Resident(crate::cmd_registry::ResidentCommand),
    /// Record a life event; JPKI's revocation rules apply.
    Event {
        #[arg(value_enum)]
        kind: crate::cmd_registry::EventKind,
        #[command(flatten)]
        db: crate::cmd_registry::Db,
        #[arg(long)]
        resident: String,
        /// New address (move).
        #[arg(long)]
        address: Option<String>,
        /// New name (rename).
        #[arg(long)]
        name: Option<String>,
        /// Lose: the key must be considered compromised (revoke, not hold).
        #[arg(long)]
        compromised: bool,
    },
    /// Issue a new signature certificate onto the same card after a move or a name change.
    ReissueSignature {
        #[command(flatten)]
        db: crate::cmd_registry::Db,
        #[arg(long)]
        resident: String,
        #[arg(long)]
        card: PathBuf,
    },
    /// Registered verifiers (署名検証者).
    #[command(subcommand)]
    Verifier(crate::cmd_registry::VerifierCommand),
    /// A resident grants or withdraws consent to basic-four provision to one verifier.
    Consent {
        #[arg(value_enum)]
        action: crate::cmd_registry::ConsentAction,
        #[command(flatten)]
        db: crate::cmd_registry::Db,
        #[arg(long)]
        resident: String,
        /// The verifier's registered name.
        #[arg(long)]
        verifier: String,
    },
    /// Write the DER CRL of one CA generation (default: the newest).
    Crl {
        #[command(flatten)]
        db: crate::cmd_registry::Db,
        #[arg(long, value_parser = parse_kind)]
        ca: CertificateKind,
        #[arg(long)]
        generation: Option<u32>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write every CA generation's root certificate as PEM.
    ExportRoots {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
}

fn parse_kind(s: &str) -> Result<CertificateKind, String> {
    match s {
        "signature" | "sign" => Ok(CertificateKind::Signature),
        "authentication" | "auth" => Ok(CertificateKind::Authentication),
        _ => Err(format!("{s:?} is not signature or authentication")),
    }
}

/// Turns `山田 花子` into `山田　花子` (U+3000), as the card and certificate hold names.
pub fn card_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join("\u{3000}")
}

pub fn person(
    name: &str,
    birth: &str,
    sex: &str,
    address: &str,
) -> Result<BasicFourAttributes, CliError> {
    if name.trim().is_empty() || address.trim().is_empty() {
        return Err(CliError::usage("--name and --address must not be empty"));
    }
    Ok(BasicFourAttributes {
        name: card_name(name),
        address: address.trim().to_owned(),
        birth_date: parse_iso_date(birth).map_err(|e| CliError::usage(format!("--birth: {e}")))?,
        sex: sex.parse::<Sex>()?,
    })
}

pub fn run(command: JlisCommand, key_file: Option<&Path>, out: &Output) -> Result<(), CliError> {
    let now = OffsetDateTime::now_utc();
    match command {
        JlisCommand::Init { data } => {
            create_dir(&data)?;
            let authority =
                Authority::init(&data, keyring::sealing_key(key_file)?, now, &OsRandom)?;
            let roots = roots_json(&authority)?;
            out.result(&json!({ "initialised": data, "roots": roots }), || {
                format!("J-LIS initialised in {}: signature CA and user-authentication CA, generation 1\n", data.display())
            });
        }
        JlisCommand::NewGeneration { data, ca } => {
            let mut authority = Authority::open(&data, keyring::sealing_key(key_file)?)?;
            let generation = authority.add_generation(ca, now)?;
            let serial = generation.certificate.serial_hex();
            out.result(
                &json!({ "ca": ca, "generation": generation.number, "serial": serial }),
                || {
                    format!(
                        "{ca} CA: generation {} created (root serial {serial})\n",
                        generation.number
                    )
                },
            );
        }
        JlisCommand::IssueCard {
            data,
            name,
            birth,
            sex,
            address,
            auth_pin,
            sign_pin,
            out: card,
            resident,
            database,
        } => {
            let person = person(&name, &birth, &sex, &address)?;
            let registry = crate::cmd_registry::open_registry(&data, database.as_deref())?;
            let resident = match resident {
                Some(id) => id,
                None => crate::cmd_registry::new_resident_id()?,
            };
            let sealing = keyring::sealing_key(key_file)?;
            let mut authority = Authority::open(&data, keyring::sealing_key(key_file)?)?;
            if card.exists() {
                return Err(CliError::usage(format!(
                    "{} already exists; choose another --out",
                    card.display()
                )));
            }
            let store = SealedFileStore::open(card.clone(), sealing)?;
            let request = CardIssueRequest {
                person: &person,
                auth_pin: &auth_pin,
                sign_pin: &sign_pin,
            };
            // Register the resident, issue the card, record its certificates; if recording
            // fails the card file is removed, so no card exists that the registry lacks.
            crate::cmd_registry::block_on(registry.add_resident(&resident, &person, now))?;
            let issued = issue_card(&mut authority, &request, &store, now, &OsRandom)?;
            let c = &issued.certificates;
            let card_id = crate::cmd_registry::card_id(&c.authentication.certificate);
            let recorded = crate::cmd_registry::block_on(registry.record_issued(
                &resident,
                &card_id,
                &[(&c.signature, None), (&c.authentication, None)],
                now,
            ));
            if let Err(e) = recorded {
                let _ = std::fs::remove_file(&card);
                return Err(e.into());
            }
            out.result(
                &json!({
                    "card": card,
                    "resident": resident,
                    "signature_certificate": { "serial": c.signature.certificate.serial_hex(), "not_after": rfc3339(c.signature.certificate.not_after()) },
                    "authentication_certificate": { "serial": c.authentication.certificate.serial_hex(), "not_after": rfc3339(c.authentication.certificate.not_after()) },
                }),
                || {
                    format!(
                        "card issued to resident {resident}: {}\n  signature certificate serial {} (valid until {})\n  user-authentication certificate serial {}\n",
                        card.display(),
                        c.signature.certificate.serial_hex(),
                        rfc3339(c.signature.certificate.not_after()),
                        c.authentication.certificate.serial_hex()
                    )
                },
            );
        }
        JlisCommand::Resident(c) => crate::cmd_registry::resident(c, out)?,
        JlisCommand::Verifier(c) => crate::cmd_registry::verifier(c, out)?,
        JlisCommand::Consent {
            action,
            db,
            resident,
            verifier,
        } => crate::cmd_registry::consent(action, &db, &resident, &verifier, out)?,
        JlisCommand::Event {
            kind,
            db,
            resident,
            address,
            name,
            compromised,
        } => crate::cmd_registry::event(kind, &db, &resident, address, name, compromised, out)?,
        JlisCommand::ReissueSignature { db, resident, card } => {
            crate::cmd_registry::reissue_signature(&db, &resident, &card, key_file, out)?
        }
        JlisCommand::Crl {
            db,
            ca,
            generation,
            out: file,
        } => crate::cmd_registry::crl(&db, ca, generation, &file, key_file, out)?,
        JlisCommand::ExportRoots { data, out: dir } => {
            let authority = Authority::open(&data, keyring::sealing_key(key_file)?)?;
            let written = export_roots(&authority, &dir)?;
            out.result(&json!({ "written": written }), || {
                written
                    .iter()
                    .map(|p| format!("wrote {}\n", p.display()))
                    .collect()
            });
        }
    }
    Ok(())
}

/// Writes `<kind>-gen<N>.pem` for every generation of both CAs into `dir`.
pub fn export_roots(authority: &Authority, dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    create_dir(dir)?;
    let mut written = Vec::new();
    for kind in [CertificateKind::Signature, CertificateKind::Authentication] {
        for g in authority.generations(kind)? {
            let path = dir.join(format!("{}-gen{}.pem", short(kind), g.number));
            write(&path, g.certificate.to_pem().as_bytes())?;
            written.push(path);
        }
    }
    Ok(written)
}

fn short(kind: CertificateKind) -> &'static str {
    match kind {
        CertificateKind::Signature => "sign-ca",
        CertificateKind::Authentication => "auth-ca",
    }
}

fn roots_json(authority: &Authority) -> Result<serde_json::Value, CliError> {
    let mut roots = Vec::new();
    for kind in [CertificateKind::Signature, CertificateKind::Authentication] {
        for g in authority.generations(kind)? {
            roots.push(
                json!({ "ca": kind, "generation": g.number, "serial": g.certificate.serial_hex() }),
            );
        }
    }
    Ok(serde_json::Value::Array(roots))
}
