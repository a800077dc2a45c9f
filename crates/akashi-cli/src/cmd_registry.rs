//! `akashi jlis resident|event|reissue-signature|crl` and `akashi serve`: the resident registry,
//! life events, CRLs and the HTTP service, over the store (SQLite in the data directory by
//! default, or `--database postgres://…`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::json;
use time::OffsetDateTime;

use akashi_card::{SealedFileStore, VirtualCard};
use akashi_crypto::{OsRandom, SecureRandom};
use akashi_jlis::{Authority, LifeEvent, Registry};
use akashi_jpki::{CertificateKind, JpkiCertificate};
use akashi_store::{CertificateStatus, Store};

use crate::cmd_jlis::{card_name, person};
use crate::error::{write, CliError};
use crate::{keyring, Output};

/// Where the registry lives.
#[derive(Debug, Args)]
pub struct Db {
    /// J-LIS data directory.
    #[arg(long)]
    pub data: PathBuf,
    /// Storage URL (default: sqlite in DIR/akashi.db; or postgres://…).
    #[arg(long)]
    pub database: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ResidentCommand {
    /// Register a resident in the resident registry.
    Add {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        birth: String,
        #[arg(long, value_parser = ["male", "female", "unknown"])]
        sex: String,
        #[arg(long)]
        address: String,
    },
    /// A resident's record, certificates and events.
    Show {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        id: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EventKind {
    Move,
    Rename,
    Renew,
    Lose,
    Found,
    Death,
    Emigrate,
}

/// Runs `future` on the process's one runtime. One runtime, not one per call: a PostgreSQL
/// connection opened on a runtime belongs to its reactor, and a pool opened in one call and
/// used in the next would otherwise find that runtime shut down.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio runtime")
        })
        .block_on(future)
}

pub fn open_registry(data: &Path, database: Option<&str>) -> Result<Registry, CliError> {
    let store = block_on(open_store(data, database))?;
    Ok(Registry::new(store))
}

pub async fn open_store(
    data: &Path,
    database: Option<&str>,
) -> Result<Store, akashi_store::StoreError> {
    match database {
        Some(url) => Store::open(url).await,
        None => Store::open_in_dir(data).await,
    }
}

/// A fresh resident-registry id: `R` and 11 digits.
pub fn new_resident_id() -> Result<String, CliError> {
    let mut bytes = [0u8; 8];
    OsRandom.fill(&mut bytes)?;
    Ok(format!(
        "R{:011}",
        u64::from_be_bytes(bytes) % 100_000_000_000
    ))
}

/// A card is named after its authentication certificate, which survives moves.
pub fn card_id(authentication: &JpkiCertificate) -> String {
    format!("card-{}", authentication.serial_hex())
}

pub fn resident(command: ResidentCommand, out: &Output) -> Result<(), CliError> {
    let now = OffsetDateTime::now_utc();
    match command {
        ResidentCommand::Add {
            db,
            id,
            name,
            birth,
            sex,
            address,
        } => {
            let registry = open_registry(&db.data, db.database.as_deref())?;
            block_on(registry.add_resident(&id, &person(&name, &birth, &sex, &address)?, now))?;
            out.result(&json!({ "resident": id }), || {
                format!("resident {id} registered\n")
            });
        }
        ResidentCommand::Show { db, id } => {
            let registry = open_registry(&db.data, db.database.as_deref())?;
            let (p, status) = block_on(registry.resident(&id))?;
            let (certs, events) = block_on(async {
                let mut tx = registry.store().begin().await?;
                Ok::<_, akashi_store::StoreError>((
                    tx.certificates_of(&id).await?,
                    tx.events(&id).await?,
                ))
            })?;
            let certs: Vec<_> = certs
                .iter()
                .map(|c| json!({ "kind": c.kind, "serial": c.serial, "status": c.status.as_str(), "reason": c.reason, "generation": c.generation }))
                .collect();
            let events: Vec<_> = events
                .iter()
                .map(|e| json!({ "kind": e.kind, "at": e.at }))
                .collect();
            let value = json!({ "resident": id, "status": status.as_str(), "attributes": p, "certificates": certs, "events": events });
            out.result(&value, || {
                serde_json::to_string_pretty(&value).expect("json") + "\n"
            });
        }
    }
    Ok(())
}

pub fn event(
    kind: EventKind,
    db: &Db,
    id: &str,
    address: Option<String>,
    name: Option<String>,
    compromised: bool,
    out: &Output,
) -> Result<(), CliError> {
    let need = |v: Option<String>, flag: &str| {
        v.ok_or_else(|| CliError::usage(format!("this event needs {flag}")))
    };
    let event = match kind {
        EventKind::Move => LifeEvent::Move {
            new_address: need(address, "--address")?,
        },
        EventKind::Rename => LifeEvent::Rename {
            new_name: card_name(&need(name, "--name")?),
        },
        EventKind::Renew => LifeEvent::Renew,
        EventKind::Lose => LifeEvent::Lose { compromised },
        EventKind::Found => LifeEvent::Found,
        EventKind::Death => LifeEvent::Death,
        EventKind::Emigrate => LifeEvent::Emigrate,
    };
    let registry = open_registry(&db.data, db.database.as_deref())?;
    let changes = block_on(registry.apply(id, &event, OffsetDateTime::now_utc()))?;
    out.result(
        &json!({ "resident": id, "event": event.name(), "changes": changes }),
        || {
            let mut s = format!("{} recorded for resident {id}\n", event.name());
            for c in &changes {
                s.push_str(&format!(
                    "  {} certificate {}: {}{}\n",
                    c.kind,
                    c.serial,
                    c.change,
                    c.reason
                        .map(|r| format!(" (reason {r})"))
                        .unwrap_or_default()
                ));
            }
            s
        },
    );
    Ok(())
}

/// After a move or a name change: a new signature key on the card, certified with the
/// registry's current attributes, linked to the revoked serial, the card face updated.
pub fn reissue_signature(
    db: &Db,
    id: &str,
    card: &Path,
    key_file: Option<&Path>,
    out: &Output,
) -> Result<(), CliError> {
    let now = OffsetDateTime::now_utc();
    let registry = open_registry(&db.data, db.database.as_deref())?;
    let latest = block_on(registry.latest_certificate(id, CertificateKind::Signature))?;
    if let Some(c) = latest
        .as_ref()
        .filter(|c| c.status == CertificateStatus::Good)
    {
        return Err(CliError::usage(format!(
            "the signature certificate {} is still valid: nothing to re-issue",
            c.serial
        )));
    }
    let mut authority = Authority::open(&db.data, keyring::sealing_key(key_file)?)?;
    let virtual_card = VirtualCard::open(SealedFileStore::open(
        card.to_path_buf(),
        keyring::sealing_key(key_file)?,
    )?)?;
    let (_, issued) = block_on(akashi_jlis::reissue_signature(
        &mut authority,
        &registry,
        id,
        virtual_card,
        now,
        &OsRandom,
    ))?;
    let serial = issued.certificate.serial_hex();
    out.result(&json!({ "resident": id, "signature_serial": serial, "replaces": latest.map(|c| c.serial) }), || {
        format!("new signature certificate {serial} written to {}\n", card.display())
    });
    Ok(())
}

pub fn crl(
    db: &Db,
    kind: CertificateKind,
    generation: Option<u32>,
    file: &Path,
    key_file: Option<&Path>,
    out: &Output,
) -> Result<(), CliError> {
    let authority = Authority::open(&db.data, keyring::sealing_key(key_file)?)?;
    let generations = authority.generations(kind)?;
    let generation = match generation {
        Some(n) => generations
            .into_iter()
            .find(|g| g.number == n)
            .ok_or_else(|| CliError::usage(format!("the {kind} CA has no generation {n}")))?,
        None => generations
            .into_iter()
            .last()
            .ok_or_else(|| CliError::usage("no CA generation"))?,
    };
    let store = block_on(open_store(&db.data, db.database.as_deref()))?;
    let der = block_on(authority.crl(&generation, &store, OffsetDateTime::now_utc()))?;
    write(file, &der)?;
    out.result(
        &json!({ "crl": file, "bytes": der.len(), "generation": generation.number }),
        || {
            format!(
                "CRL of the {kind} CA generation {} written to {} ({} bytes)\n",
                generation.number,
                file.display(),
                der.len()
            )
        },
    );
    Ok(())
}

/// How `akashi serve` listens and runs its timers.
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub crl_max_age: u64,
    pub pf_check_interval: u64,
    /// `None`: the bound address.
    pub public_url: Option<String>,
}

pub fn serve(
    db: &Db,
    options: ServeOptions,
    roles: akashi_server::Roles,
    key_file: Option<&Path>,
) -> Result<(), CliError> {
    let ServeOptions {
        listen,
        crl_max_age,
        pf_check_interval,
        public_url,
    } = options;
    if let Some(url) = &public_url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(CliError::usage(format!(
                "--public-url {url}: must start with http:// or https://"
            )));
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AKASHI_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    if matches!(roles, akashi_server::Roles::Pf { .. }) {
        crate::error::create_dir(&db.data)?;
    }
    block_on(async {
        let store = open_store(&db.data, db.database.as_deref()).await?;
        let config = akashi_server::ServerConfig {
            data: db.data.clone(),
            store,
            sealing_key: keyring::sealing_key(key_file)?,
            crl_max_age: Duration::from_secs(crl_max_age),
            ocsp_cache: Duration::from_secs(300),
            pf_check_interval: Duration::from_secs(pf_check_interval),
            pf_deliver_interval: Duration::from_secs(2),
            roles,
            public_url: public_url.map(|u| u.trim_end_matches('/').to_owned()),
        };
        akashi_server::serve(config, listen, |addr| {
            println!("listening on http://{addr}");
        })
        .await
        .map_err(|e| CliError::usage(format!("server: {e}")))
    })
}

#[derive(Debug, Subcommand)]
pub enum VerifierCommand {
    /// Register a verifier (署名検証者); prints its API credential once.
    Register {
        name: String,
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConsentAction {
    Grant,
    Withdraw,
}

pub fn verifier(command: VerifierCommand, out: &Output) -> Result<(), CliError> {
    match command {
        VerifierCommand::Register { name, db } => {
            let registry = open_registry(&db.data, db.database.as_deref())?;
            let (v, credential) =
                block_on(registry.register_verifier(&name, OffsetDateTime::now_utc(), &OsRandom))?;
            out.result(&json!({ "verifier": v.id, "name": v.name, "credential": credential }), || {
                format!(
                    "verifier {name} registered as {}\ncredential (shown once; send as `Authorization: Bearer …`):\n{credential}\n",
                    v.id
                )
            });
        }
    }
    Ok(())
}

pub fn consent(
    action: ConsentAction,
    db: &Db,
    resident: &str,
    verifier: &str,
    out: &Output,
) -> Result<(), CliError> {
    let registry = open_registry(&db.data, db.database.as_deref())?;
    let granted = action == ConsentAction::Grant;
    block_on(registry.set_consent(resident, verifier, granted, OffsetDateTime::now_utc()))?;
    out.result(
        &json!({ "resident": resident, "verifier": verifier, "granted": granted }),
        || {
            format!(
                "resident {resident} {} consent to basic-four provision to {verifier}\n",
                if granted { "granted" } else { "withdrew" }
            )
        },
    );
    Ok(())
}
