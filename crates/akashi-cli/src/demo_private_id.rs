//! The demo's fourth part: the private ID (民間ID) bound to the card. Hanako's wallet proofs
//! once with her card at the issuer and receives SD-JWT VC copies and a blind BBS credential
//! (OpenID4VCI); an age-restricted shop learns only "20 or older, still valid" and a
//! pseudonym of its own; a city service learns only the municipality (OpenID4VP); a move
//! revokes the anchor, the issuer's watch revokes the credentials, the wallet says "renew
//! your ID", and renewal with consent takes the new address from J-LIS. All over HTTP on
//! loopback against the issuer and verifier of `akashi serve`.

use std::path::Path;

use serde_json::Value;
use time::OffsetDateTime;

use akashi_card::{JpkiCard, SealedFileStore, VirtualCard, VirtualTransport};
use akashi_crypto::OsRandom;
use akashi_jlis::{Authority, LifeEvent, Registry};
use akashi_oid4vc::vci::CredentialOffer;
use akashi_wallet::issuance;
use akashi_wallet::presentation;
use akashi_wallet::{Wallet, WalletError, FORMAT_BBS, FORMAT_SD_JWT};

use crate::cmd_verifier::{age_query, municipality_query, trusted_issuer, RpClient};
use crate::cmd_wallet::{describe, now, settle};
use crate::demo::{step, SIGN_PIN};
use crate::demo_pf::DemoServer;
use crate::error::CliError;
use crate::keyring;

const SAPPORO: &str = "北海道札幌市中央区北1条西2丁目";

type Card = JpkiCard<VirtualTransport<SealedFileStore>>;

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// J-LIS puts a new signature certificate (the registry's current address) on the card.
async fn reissue(
    data: &Path,
    key_file: Option<&Path>,
    registry: &Registry,
    resident: &str,
    card: VirtualCard<SealedFileStore>,
) -> Result<(Card, String), CliError> {
    let mut authority = Authority::open(data, keyring::sealing_key(key_file)?)?;
    let now = OffsetDateTime::now_utc();
    let (card, issued) =
        akashi_jlis::reissue_signature(&mut authority, registry, resident, card, now, &OsRandom)
            .await?;
    Ok((
        JpkiCard::new(VirtualTransport(card)),
        issued.certificate.serial_hex(),
    ))
}

/// Proofing with the card, then the offer's credentials: (SD-JWT id, BBS id).
async fn proof(
    wallet: &mut Wallet,
    http: &reqwest::Client,
    issuer_url: &str,
    card: &mut Card,
    consent: bool,
) -> Result<(String, String), CliError> {
    let answer = issuance::proof_with_card(http, issuer_url, card, SIGN_PIN, consent).await?;
    println!(
        "  the card signed the issuer's challenge (signature PIN); J-LIS says the certificate is {}",
        answer.anchor_status
    );
    let offer = CredentialOffer::parse(&answer.credential_offer_uri)
        .map_err(|e| CliError::usage(format!("the issuer's offer: {e}")))?;
    let received = issuance::accept_offer(wallet, http, &offer, now(), &OsRandom).await?;
    let (stored, deferred) = settle(wallet, http, issuer_url, received, 10).await?;
    if !deferred.is_empty() {
        return Err(CliError::usage("the issuer deferred the credentials"));
    }
    let find = |format: &str| {
        stored
            .iter()
            .find(|id| wallet.credential(id).is_ok_and(|c| c.format == format))
            .cloned()
            .ok_or_else(|| CliError::usage(format!("no {format} credential was issued")))
    };
    let ids = (find(FORMAT_SD_JWT)?, find(FORMAT_BBS)?);
    for id in [&ids.0, &ids.1] {
        print!("{}", indent(&describe(wallet.credential(id)?)));
    }
    Ok(ids)
}

/// The relying party asks, the wallet shows its plan and answers, the relying party reads.
async fn visit(
    wallet: &mut Wallet,
    http: &reqwest::Client,
    rp: &RpClient,
    query: &Value,
    show_plan: bool,
) -> Result<Value, CliError> {
    let created = rp.request(query).await?;
    let uri = created["request_uri"].as_str().unwrap_or_default();
    let plan = presentation::plan(wallet, uri, now())?;
    if show_plan {
        println!("  Hanako's wallet shows her exactly what would go to whom:");
        print!("{}", indent(&crate::wallet_present::describe(&plan)));
        println!("  she approves");
    }
    presentation::respond(wallet, http, &plan, now(), &OsRandom).await?;
    rp.result(created["transaction_id"].as_str().unwrap_or_default())
        .await
}

pub async fn run(
    data: &Path,
    key_file: Option<&Path>,
    registry: &Registry,
    resident: &str,
    card_path: &Path,
    server: &DemoServer,
) -> Result<(), CliError> {
    let suffix = &resident[1..];
    step(
        15,
        "A private ID (民間ID): Hanako's wallet proofs with her card and receives credentials",
    );
    let virtual_card = VirtualCard::open(SealedFileStore::open(
        card_path.to_path_buf(),
        keyring::sealing_key(key_file)?,
    )?)?;
    let (mut card, serial) = reissue(data, key_file, registry, resident, virtual_card).await?;
    println!("  the Osaka move (step 13) revoked her signature certificate: J-LIS puts a new one ({serial}) on the card");
    let url = &server.url;
    let (Some(issuer), Some(verifier)) = (&server.services.issuer, &server.services.verifier)
    else {
        return Err(CliError::usage("the demo server runs no private ID issuer"));
    };
    let issuer_url = format!("{url}/issuer");
    println!("  the issuer at {issuer_url} (OpenID4VCI), the verifier at {url}/vp/v1 (OpenID4VP)");
    let wallet_path = data.join("hanako-wallet.sealed");
    if wallet_path.exists() {
        std::fs::remove_file(&wallet_path)
            .map_err(|e| CliError::usage(format!("{}: {e}", wallet_path.display())))?;
    }
    let mut wallet = Wallet::create(&wallet_path, keyring::sealing_key(key_file)?, &OsRandom)?;
    let http = reqwest::Client::new();
    let (sd_id, bbs_id) = proof(&mut wallet, &http, &issuer_url, &mut card, false).await?;
    println!("  SD-JWT VC: one copy per verifier, each with its own key, so no two can join what they saw");
    println!(
        "  BBS: signed blind over a commitment to Hanako's holder secret, never seen by the issuer"
    );

    step(
        16,
        "An age-restricted shop asks: 20 or older, and an ID still valid today?",
    );
    let trusted = trusted_issuer(&http, &issuer_url).await?;
    let now_t = OffsetDateTime::now_utc();
    let (_, shop) = verifier
        .register(
            &format!("Age shop {suffix}"),
            vec![trusted.clone()],
            now_t,
            &OsRandom,
        )
        .await?;
    let (_, city) = verifier
        .register(
            &format!("City service {suffix}"),
            vec![trusted],
            now_t,
            &OsRandom,
        )
        .await?;
    let shop = RpClient::new(url, &shop);
    let city = RpClient::new(url, &city);
    let query = age_query(now_t.date(), 20);
    let first = visit(&mut wallet, &http, &shop, &query, true).await?;
    println!("  the shop received (all of it):");
    println!("    {}", serde_json::to_string(&first)?);
    println!(
        "  no name, no birth date, no address: the predicates hold, and a pseudonym for this shop"
    );
    let second = visit(&mut wallet, &http, &shop, &query, false).await?;
    let nym = |r: &Value| r["result"]["credentials"]["age"]["pseudonym"].clone();
    println!(
        "  a second visit (a new unlinkable proof): same pseudonym: {}",
        nym(&first) == nym(&second) && !nym(&first).is_null()
    );

    step(
        17,
        "A city service asks for the municipality only (SD-JWT VC)",
    );
    let result = visit(&mut wallet, &http, &city, &municipality_query(), true).await?;
    println!("  the city received (all of it):");
    println!("    {}", serde_json::to_string(&result)?);
    println!(
        "  its own copy went to the city: {} unused copies left",
        wallet.credential(&sd_id)?.fresh_copies()
    );

    step(
        18,
        "Hanako moves to Sapporo: the issuer revokes her credentials; she renews with consent",
    );
    registry
        .apply(
            resident,
            &LifeEvent::Move {
                new_address: SAPPORO.into(),
            },
            OffsetDateTime::now_utc(),
        )
        .await?;
    let (mut card, serial) =
        reissue(data, key_file, registry, resident, card.into_transport().0).await?;
    println!("  J-LIS revokes her signature certificate; the new one ({serial}) reads Sapporo");
    // `akashi serve` runs the watch on its check timer (--pf-check-interval); here one pass.
    let report = issuer
        .watch_anchors(OffsetDateTime::now_utc())
        .await
        .map_err(|e| CliError::usage(format!("the issuer's anchor watch: {e}")))?;
    println!(
        "  the issuer's anchor watch asks J-LIS about {} anchor(s): {} revoked; {} issued credential(s) (each SD-JWT copy, the BBS credential) revoked",
        report.checked, report.revoked, report.credentials_revoked
    );
    let marked = issuance::check_status(&mut wallet, &http, now()).await?;
    println!(
        "  Hanako's wallet checks the issuer's status list: {} SD-JWT VC(s) revoked",
        marked.len()
    );
    match issuance::renew(&mut wallet, &http, &bbs_id, now(), &OsRandom).await {
        Err(WalletError::Refused(e)) => println!(
            "  renewal without the card: refused ({}): no consent to fetch her new address",
            e.error
        ),
        Ok(_) => println!("  renewal without the card: accepted (unexpected without consent)"),
        Err(e) => return Err(e.into()),
    }
    for notice in wallet.notices(now()) {
        println!("  wallet: {notice}");
    }
    registry
        .set_consent(
            resident,
            akashi_server::ISSUER_VERIFIER_NAME,
            true,
            OffsetDateTime::now_utc(),
        )
        .await?;
    println!("  at J-LIS, Hanako consents to the issuer receiving her latest four attributes;");
    println!("  she proves again with her card (and consents at the issuer to future updates):");
    let (new_sd, _) = proof(&mut wallet, &http, &issuer_url, &mut card, true).await?;
    for old in [&sd_id, &bbs_id] {
        wallet.remove_credential(old)?;
    }
    println!(
        "  the revoked credentials are dropped; the new ones say {}",
        wallet.credential(&new_sd)?.claims["address"]["municipality"]
            .as_str()
            .unwrap_or("?")
    );
    let result = visit(&mut wallet, &http, &city, &municipality_query(), false).await?;
    println!(
        "  the city asks again and receives: {}",
        serde_json::to_string(&result["result"]["credentials"]["residence"]["claims"])?
    );
    println!(
        "  wallet file: {} (akashi wallet list|history --wallet …)",
        wallet_path.display()
    );
    Ok(())
}
