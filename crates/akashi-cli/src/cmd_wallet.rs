//! `akashi wallet …`: the holder's wallet (one sealed file, sealed with the keyring key).
//! Proofing with the card at a private ID issuer and OpenID4VCI offers, the credentials held,
//! presentations approved one by one (`wallet_present`), renewal, the status check that says
//! "renew your ID", and the history of what went to whom.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use akashi_crypto::OsRandom;
use akashi_oid4vc::vci::CredentialOffer;
use akashi_wallet::issuance::{self, Received};
use akashi_wallet::renewal;
use akashi_wallet::{StoredCredential, Wallet, WalletError, FORMAT_SD_JWT};

use crate::cmd_registry::block_on;
use crate::error::{create_dir, CliError};
use crate::{keyring, Output};

#[derive(Debug, Args)]
pub struct WalletArgs {
    /// The wallet file (sealed with the keyring key).
    #[arg(long, global = true, default_value = "akashi-data/wallet.sealed")]
    wallet: PathBuf,
    #[command(subcommand)]
    command: WalletCommand,
}

#[derive(Debug, Subcommand)]
enum WalletCommand {
    /// Create an empty wallet with fresh holder keys.
    Create,
    /// Prove who you are with the card at a private ID issuer (signature certificate and
    /// PIN), then receive the credentials it offers.
    Proof {
        /// The issuer (e.g. http://127.0.0.1:8080/issuer).
        #[arg(long)]
        issuer: String,
        /// A virtual card file, or `pcsc[:READER]`.
        #[arg(long)]
        card: String,
        /// The signature PIN.
        #[arg(long)]
        pin: String,
        /// Consent to the issuer fetching your latest four attributes from J-LIS (renewal
        /// after a move without the card).
        #[arg(long)]
        consent: bool,
        /// Seconds to wait for a credential the issuer defers (0: report and stop).
        #[arg(long, default_value_t = 0)]
        wait: u64,
    },
    /// Receive the credentials of an offer obtained elsewhere (openid-credential-offer://…).
    Receive {
        offer: String,
        /// Seconds to wait for a credential the issuer defers (0: report and stop).
        #[arg(long, default_value_t = 0)]
        wait: u64,
    },
    /// The credentials held.
    List,
    /// Answer a presentation request (openid4vp://…): shows exactly what would go to whom,
    /// then asks, unless --approve or --refuse.
    Present {
        request: String,
        /// Send without asking.
        #[arg(long, conflicts_with = "refuse")]
        approve: bool,
        /// Refuse without asking (the verifier is told access_denied).
        #[arg(long)]
        refuse: bool,
    },
    /// Renew a credential with the refresh token (no card).
    Renew { id: String },
    /// Ask the issuers whether the credentials still stand; shows what needs doing.
    Status,
    /// What was disclosed to whom, and when.
    History,
}

pub(crate) fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

pub(crate) fn when(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| t.to_string())
}

/// `(dotted path, value)` of every leaf under `value`.
pub fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, out);
            }
        }
        leaf => out.push((prefix.to_owned(), leaf.clone())),
    }
}

/// Claims of the credential's envelope, not of the person.
const ENVELOPE: &[&str] = &[
    "iss", "vct", "iat", "exp", "nbf", "status", "cnf", "_sd_alg",
];

/// The personal claims a credential can show: (dotted path, value).
pub fn claim_values(c: &StoredCredential) -> Vec<(String, Value)> {
    let mut leaves = Vec::new();
    if let Value::Object(map) = &c.claims {
        for (k, v) in map.iter().filter(|(k, _)| !ENVELOPE.contains(&k.as_str())) {
            flatten(k, v, &mut leaves);
        }
    }
    leaves
}

/// The personal claims a credential can show (dotted paths).
pub fn claim_paths(c: &StoredCredential) -> Vec<String> {
    claim_values(c).into_iter().map(|(p, _)| p).collect()
}

pub fn summary(c: &StoredCredential) -> Value {
    json!({
        "id": c.id,
        "format": c.format,
        "issuer": c.issuer,
        "type": c.kind,
        "claims": claim_values(c).into_iter().collect::<serde_json::Map<String, Value>>(),
        "copies_left": (c.format == FORMAT_SD_JWT).then(|| c.fresh_copies()),
        "expires_at": c.expires_at.map(when),
        "anchor": if c.anchor_revoked { "revoked" } else { "good" },
    })
}

pub fn describe(c: &StoredCredential) -> String {
    let copies = if c.format == FORMAT_SD_JWT {
        format!("{} unused copies", c.fresh_copies())
    } else {
        "one credential, a new proof each time".into()
    };
    format!(
        "{}  {}  from {}\n    claims: {}\n    {copies}; expires {}; anchor {}\n",
        c.id,
        c.format,
        c.issuer,
        claim_paths(c).join(", "),
        c.expires_at.map_or_else(|| "never".into(), when),
        if c.anchor_revoked {
            "REVOKED — renew your ID"
        } else {
            "good"
        }
    )
}

pub(crate) fn open(path: &Path, key_file: Option<&Path>) -> Result<Wallet, CliError> {
    Ok(Wallet::open(path, keyring::sealing_key(key_file)?)?)
}

/// Polls deferred credentials for up to `wait` seconds; returns (stored ids, still deferred).
pub(crate) async fn settle(
    wallet: &mut Wallet,
    http: &reqwest::Client,
    issuer: &str,
    received: Vec<Received>,
    wait: u64,
) -> Result<(Vec<String>, Vec<(String, i64)>), CliError> {
    let deadline = std::time::Instant::now() + Duration::from_secs(wait);
    let mut stored = Vec::new();
    let mut deferred = Vec::new();
    for r in received {
        let mut r = r;
        loop {
            match r {
                Received::Stored(id) => {
                    stored.push(id);
                    break;
                }
                Received::Deferred(d) => {
                    let pause = Duration::from_secs(d.interval.clamp(1, 60) as u64);
                    if std::time::Instant::now() + pause > deadline {
                        deferred.push((d.transaction_id.clone(), d.interval));
                        break;
                    }
                    tokio::time::sleep(pause).await;
                    r = issuance::poll_deferred(wallet, http, issuer, *d, now()).await?;
                }
            }
        }
    }
    Ok((stored, deferred))
}

fn print_received(
    out: &Output,
    wallet: &Wallet,
    stored: &[String],
    deferred: &[(String, i64)],
    extra: Value,
) -> Result<(), CliError> {
    let credentials = stored
        .iter()
        .map(|id| wallet.credential(id))
        .collect::<Result<Vec<_>, _>>()?;
    let mut value = json!({
        "stored": credentials.iter().map(|c| summary(c)).collect::<Vec<_>>(),
        "deferred": deferred.iter().map(|(t, i)| json!({ "transaction_id": t, "interval": i })).collect::<Vec<_>>(),
    });
    if let (Value::Object(v), Value::Object(e)) = (&mut value, extra) {
        v.extend(e);
    }
    out.result(&value, || {
        let mut s = String::new();
        for c in &credentials {
            s.push_str(&format!("stored {}", describe(c)));
        }
        for (t, _) in deferred {
            s.push_str(&format!(
                "deferred: the issuer will deliver a credential later (transaction {t}); \
                 this wallet cannot resume it in another run — prove again, or use --wait SECONDS\n"
            ));
        }
        s
    });
    Ok(())
}

pub fn run(args: WalletArgs, key_file: Option<&Path>, out: &Output) -> Result<(), CliError> {
    let path = args.wallet;
    let http = reqwest::Client::new();
    block_on(async {
        match args.command {
            WalletCommand::Create => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    create_dir(dir)?;
                }
                Wallet::create(&path, keyring::sealing_key(key_file)?, &OsRandom)?;
                out.result(&json!({ "wallet": path }), || {
                    format!("wallet created: {} (sealed)\n", path.display())
                });
            }
            WalletCommand::Proof {
                issuer,
                card,
                pin,
                consent,
                wait,
            } => {
                let mut wallet = open(&path, key_file)?;
                let mut card = crate::cmd_card::open(&card, key_file)?;
                let answer =
                    issuance::proof_with_card(&http, &issuer, &mut card, &pin, consent).await?;
                let offer = CredentialOffer::parse(&answer.credential_offer_uri)
                    .map_err(|e| CliError::usage(format!("the issuer's offer: {e}")))?;
                let received =
                    issuance::accept_offer(&mut wallet, &http, &offer, now(), &OsRandom).await?;
                let (stored, deferred) =
                    settle(&mut wallet, &http, &offer.credential_issuer, received, wait).await?;
                if !out.json {
                    println!(
                        "proofed at {} with the signature certificate (anchor {})",
                        offer.credential_issuer, answer.anchor_status
                    );
                }
                let extra =
                    json!({ "anchor_status": answer.anchor_status, "consent_updates": consent });
                print_received(out, &wallet, &stored, &deferred, extra)?;
            }
            WalletCommand::Receive { offer, wait } => {
                let offer = CredentialOffer::parse(&offer).map_err(|e| {
                    CliError::usage(format!(
                        "not a credential offer (openid-credential-offer://?credential_offer=…): {e}"
                    ))
                })?;
                let mut wallet = open(&path, key_file)?;
                let received =
                    issuance::accept_offer(&mut wallet, &http, &offer, now(), &OsRandom).await?;
                let (stored, deferred) =
                    settle(&mut wallet, &http, &offer.credential_issuer, received, wait).await?;
                print_received(out, &wallet, &stored, &deferred, json!({}))?;
            }
            WalletCommand::List => {
                let wallet = open(&path, key_file)?;
                let list: Vec<Value> = wallet.credentials().iter().map(summary).collect();
                out.result(&json!(list), || {
                    if wallet.credentials().is_empty() {
                        return "no credentials (akashi wallet proof --issuer URL --card FILE --pin PIN)\n".into();
                    }
                    wallet.credentials().iter().map(describe).collect()
                });
            }
            WalletCommand::Present {
                request,
                approve,
                refuse,
            } => {
                let mut wallet = open(&path, key_file)?;
                let decision = match (approve, refuse) {
                    (true, _) => Some(true),
                    (_, true) => Some(false),
                    _ => None,
                };
                crate::wallet_present::present(&mut wallet, &http, &request, decision, out).await?;
            }
            WalletCommand::Renew { id } => {
                let mut wallet = open(&path, key_file)?;
                let issuer = wallet.credential(&id)?.issuer.clone();
                match issuance::renew(&mut wallet, &http, &id, now(), &OsRandom).await {
                    Ok(received) => {
                        let (stored, deferred) =
                            settle(&mut wallet, &http, &issuer, vec![received], 0).await?;
                        print_received(out, &wallet, &stored, &deferred, json!({ "renewed": id }))?;
                    }
                    Err(WalletError::Refused(e)) if e.error == "invalid_grant" => {
                        return Err(CliError::invalid(format!(
                            "the issuer refused to renew {id} ({e}). Your My Number Card certificate changed and the issuer may not fetch your latest attributes: prove again with the card (akashi wallet proof --issuer URL --card FILE --pin PIN --consent)"
                        )));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            WalletCommand::Status => {
                let mut wallet = open(&path, key_file)?;
                let t = now();
                let marked = issuance::check_status(&mut wallet, &http, t).await?;
                // What expires within two days is renewed now, without the card.
                let renewal =
                    renewal::renew_due(&mut wallet, &http, t, 2 * 24 * 3600, &OsRandom).await?;
                let notices = wallet.notices(t + 24 * 3600);
                let renewed: Vec<String> = renewal
                    .renewed
                    .iter()
                    .map(|(old, new)| format!("{old} renewed as {new}"))
                    .chain(
                        renewal
                            .failed
                            .iter()
                            .map(|(id, why)| format!("{id} not renewed: {why}")),
                    )
                    .collect();
                out.result(
                    &json!({ "newly_revoked": marked, "renewed": renewal.renewed, "deferred": renewal.deferred, "not_renewed": renewal.failed, "notices": notices }),
                    || {
                        let mut text: String = renewed.iter().map(|n| format!("{n}\n")).collect();
                        if notices.is_empty() {
                            text.push_str(&format!(
                                "{} credential(s), all in order\n",
                                wallet.credentials().len()
                            ));
                        }
                        text.extend(notices.iter().map(|n| format!("{n}\n")));
                        text
                    },
                );
            }
            WalletCommand::History => {
                let wallet = open(&path, key_file)?;
                let history = wallet.history();
                out.result(&serde_json::to_value(history)?, || {
                    if history.is_empty() {
                        return "nothing disclosed yet\n".into();
                    }
                    history
                        .iter()
                        .map(|r| {
                            format!(
                                "{}  to {}\n    from {}: {}\n",
                                when(r.at),
                                r.verifier,
                                r.credential,
                                r.disclosed.join(", ")
                            )
                        })
                        .collect()
                });
            }
        }
        Ok(())
    })
}
