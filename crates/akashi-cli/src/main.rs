//! `akashi`: the command-line front of Akashi.
#![forbid(unsafe_code)]

mod cmd_card;
mod cmd_contract;
mod cmd_jlis;
mod cmd_jpki;
mod cmd_oidc;
mod cmd_pf;
mod cmd_registry;
mod cmd_sign;
mod cmd_trust;
mod cmd_tsa;
mod cmd_verifier;
mod cmd_wallet;
mod contract_report;
mod demo;
mod demo_contract;
mod demo_move;
mod demo_oidc;
mod demo_pf;
mod demo_private_id;
mod error;
mod keyring;
mod sign_report;
mod sign_services;
mod sign_validation;
mod sign_verify;
mod trust_show;
mod wallet_present;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use error::CliError;

#[derive(Debug, Parser)]
#[command(
    name = "akashi",
    version,
    about = "Privacy-preserving digital identity on the My Number Card (JPKI)"
)]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// File holding the 32-byte key that seals CA keys and cards at rest
    /// (default: $AKASHI_KEY_FILE, else ~/.akashi/master.key; AKASHI_PASSPHRASE overrides both).
    #[arg(long, global = true)]
    key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// A narrated end-to-end run: J-LIS, a card, a signature, its verification.
    Demo {
        /// Data directory (created if missing).
        #[arg(long, default_value = "akashi-data")]
        data: PathBuf,
    },
    /// The J-LIS certificate authority.
    #[command(subcommand)]
    Jlis(cmd_jlis::JlisCommand),
    /// A My Number Card: virtual (a card file) or, with the pcsc feature, in a reader.
    #[command(subcommand)]
    Card(cmd_card::CardCommand),
    /// The PF operator (register SPs, check certificates, send webhooks) and an SP's side
    /// (proofing or login with a card, the customer list).
    #[command(subcommand)]
    Pf(cmd_pf::PfCommand),
    /// Validate JPKI certificates and signatures.
    #[command(subcommand)]
    Jpki(cmd_jpki::JpkiCommand),
    /// The holder's wallet: proofing with the card at a private ID issuer, credentials,
    /// presentations approved one by one, renewal, history.
    Wallet(cmd_wallet::WalletArgs),
    /// A relying party of the OpenID4VP verifier: register, ask for a presentation, read
    /// what was disclosed.
    #[command(subcommand)]
    Verifier(cmd_verifier::VerifierCommand),
    /// Long-term signatures with the card (CAdES, PAdES) and their offline validation.
    #[command(subcommand)]
    Sign(cmd_sign::SignCommand),
    /// Contracts of two or more parties, each signing with their own card: create, invite,
    /// review, sign, status (per signer, with the audit trail), export, cancel.
    #[command(subcommand)]
    Contract(cmd_contract::ContractCommand),
    /// The signed trusted list (scheme operator): create, withdraw a service, show.
    #[command(subcommand)]
    TrustList(cmd_trust::TrustCommand),
    /// The time-stamping authority of a data directory: its certificate from an external CA
    /// (csr, install), its policy, show.
    #[command(subcommand)]
    Tsa(cmd_tsa::TsaCommand),
    /// The OpenID Connect provider's relying parties and signing keys (`akashi serve` runs
    /// the provider under /oidc).
    #[command(subcommand)]
    Oidc(cmd_oidc::OidcCommand),
    /// Run the HTTP services: J-LIS (OCSP, CRL, verifier API), the PF operator API, and (with
    /// every role) the private ID issuer and the OpenID4VP verifier.
    Serve {
        #[command(flatten)]
        db: cmd_registry::Db,
        /// Address to listen on (port 0 picks a free port; the address is printed).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Regenerate a requested CRL when the cached one is older than this many seconds.
        #[arg(long, default_value_t = 300)]
        crl_max_age: u64,
        /// How often (seconds) the PF checks its customers' certificates at J-LIS and queues
        /// attribute updates and death notices (0: never).
        #[arg(long, default_value_t = 60)]
        pf_check_interval: u64,
        /// Which roles to serve: J-LIS and the PF in one process, J-LIS only, or the PF only
        /// (a verifier of the J-LIS at --jlis-url).
        #[arg(long, value_enum, default_value_t = cmd_pf::Role::All)]
        role: cmd_pf::Role,
        /// Where clients reach this server (http://host:port): the private ID issuer
        /// ({URL}/issuer) and the verifier name their endpoints under it (default: the
        /// listening address).
        #[arg(long)]
        public_url: Option<String>,
        #[command(flatten)]
        jlis: cmd_pf::JlisLinkArgs,
    },
}

/// How results are printed.
pub struct Output {
    pub json: bool,
}

impl Output {
    /// Prints `value` as JSON, or the text `text()` gives.
    pub fn result(&self, value: &serde_json::Value, text: impl FnOnce() -> String) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(value).expect("JSON value")
            );
        } else {
            print!("{}", text());
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Output { json: cli.json };
    let key_file = cli.key_file.as_deref();
    let result = match cli.command {
        Command::Demo { data } => demo::run(&data, key_file),
        Command::Jlis(c) => cmd_jlis::run(c, key_file, &out),
        Command::Card(c) => cmd_card::run(c, key_file, &out),
        Command::Jpki(c) => cmd_jpki::run(c, &out),
        Command::Wallet(c) => cmd_wallet::run(c, key_file, &out),
        Command::Verifier(c) => cmd_verifier::run(c, &out),
        Command::Pf(c) => cmd_pf::run(c, key_file, &out),
        Command::Sign(c) => cmd_sign::run(c, key_file, &out),
        Command::Contract(c) => cmd_contract::run(c, key_file, &out),
        Command::TrustList(c) => cmd_trust::run(c, key_file, &out),
        Command::Tsa(c) => cmd_tsa::run(c, key_file, &out),
        Command::Oidc(c) => cmd_oidc::run(c, key_file, &out),
        Command::Serve {
            db,
            listen,
            crl_max_age,
            pf_check_interval,
            role,
            public_url,
            jlis,
        } => jlis.roles(role).and_then(|roles| {
            let options = cmd_registry::ServeOptions {
                listen,
                crl_max_age,
                pf_check_interval,
                public_url,
            };
            cmd_registry::serve(&db, options, roles, key_file)
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if out.json {
                println!(
                    "{}",
                    serde_json::json!({ "error": e.message, "exit_code": e.exit_code })
                );
            }
            eprintln!("akashi: {}", e.message);
            ExitCode::from(e.exit_code)
        }
    }
}
