//! The demo's third part: the PF operator as service providers use it today. A bank opens an
//! account at IAL3, a shop logs Hanako in, utilities and an insurer sign her up, and one move
//! at the municipality reaches all of them (引越しワンストップ); a death notice reaches the SPs
//! a second customer subscribed at. Everything goes over HTTP on loopback: the PF API of
//! `akashi serve`, and each SP's own webhook endpoint.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use time::OffsetDateTime;

use akashi_card::{Card, JpkiCard, MemoryStore, SealedFileStore, VirtualCard, VirtualTransport};
use akashi_crypto::OsRandom;
use akashi_jlis::{issue_card, Authority, CardIssueRequest, LifeEvent, Registry};
use akashi_jpki::BasicFourAttributes;
use akashi_pf::{HttpWebhookSender, PfService};
use akashi_sp::{card_signs, Pin, Purpose, SpClient, StartRequest, WebhookInbox};

use crate::cmd_jlis::person;
use crate::demo::{step, AUTH_PIN, SIGN_PIN};
use crate::error::CliError;
use crate::keyring;

const OSAKA: &str = "大阪府大阪市北区中之島一丁目3番20号";

/// An example SP: its PF client and what its webhook endpoint accepted.
struct ExampleSp {
    name: String,
    client: SpClient,
    received: Arc<Mutex<Vec<String>>>,
}

type Inbox = Arc<Mutex<Option<WebhookInbox>>>;

/// An SP's webhook endpoint on loopback: checks the Standard Webhooks signature with the SP's
/// secret, drops repeats, keeps one line per accepted notification.
async fn webhook_endpoint(
    inbox: Inbox,
    received: Arc<Mutex<Vec<String>>>,
) -> Result<String, CliError> {
    let app = axum::Router::new().route(
        "/webhook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| async move {
            let h = |n: &str| {
                headers
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned()
            };
            let now = OffsetDateTime::now_utc().unix_timestamp();
            let mut inbox = inbox.lock().expect("inbox");
            let Some(inbox) = inbox.as_mut() else {
                return StatusCode::SERVICE_UNAVAILABLE;
            };
            match inbox.receive(
                &h("webhook-id"),
                &h("webhook-timestamp"),
                &h("webhook-signature"),
                &body,
                now,
            ) {
                Ok(Some(n)) => {
                    let what = match &n.attributes {
                        Some(a) => format!("attributes.updated, new address {}", a.address),
                        None => serde_json::to_string(&n.kind).unwrap_or_default(),
                    };
                    received
                        .lock()
                        .expect("received")
                        .push(format!("customer {}: {what}", n.sp_user_id));
                    StatusCode::NO_CONTENT
                }
                Ok(None) => StatusCode::NO_CONTENT,
                Err(_) => StatusCode::BAD_REQUEST,
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| CliError::usage(format!("webhook endpoint: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::usage(e.to_string()))?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}/webhook"))
}

/// Registers an example SP at the PF, with its webhook endpoint running.
async fn example_sp(
    pf: &PfService,
    pf_url: &str,
    name: &str,
    suffix: &str,
) -> Result<ExampleSp, CliError> {
    let inbox: Inbox = Arc::new(Mutex::new(None));
    let received = Arc::new(Mutex::new(Vec::new()));
    let url = webhook_endpoint(inbox.clone(), received.clone()).await?;
    let reg = pf
        // Unique per demo run, so the demo can run again on the same data directory.
        .register_service_provider(
            &format!("{name} {suffix}"),
            Some(&url),
            OffsetDateTime::now_utc(),
            &OsRandom,
        )
        .await?;
    *inbox.lock().expect("inbox") = Some(WebhookInbox::new(&reg.webhook_secret));
    Ok(ExampleSp {
        name: name.to_owned(),
        client: SpClient::new(pf_url, &reg.credential)?,
        received,
    })
}

/// The SP's app: start, the card signs through its APDU interface, the PF answers.
async fn sign_up(
    sp: &ExampleSp,
    card: &mut dyn Card,
    purpose: Purpose,
    data: Option<&str>,
    subscribe: bool,
) -> Result<akashi_sp::Outcome, CliError> {
    let start = sp
        .client
        .start(&StartRequest {
            purpose,
            transaction_data: data.map(str::to_owned),
            subscribe_updates: subscribe,
        })
        .await?;
    let pin = match purpose {
        Purpose::IdentityProofing => SIGN_PIN,
        Purpose::Login => AUTH_PIN,
    };
    let request = card_signs(card, purpose, &start, Pin(pin))?;
    Ok(sp.client.complete(&request).await?)
}

/// Runs the PF's check at J-LIS and delivers the webhooks, as `akashi serve` does on a timer.
async fn pf_round(pf: &PfService) -> Result<(), CliError> {
    let now = OffsetDateTime::now_utc();
    let check = pf.check_certificates(now, &OsRandom).await?;
    let sent = pf.deliver_due(&HttpWebhookSender::new()?, now).await?;
    println!(
        "  PF: checked {} certificate(s) at J-LIS, {} revoked, {} notification(s) queued, {} webhook(s) delivered",
        check.checked, check.changed, check.notifications, sent.delivered
    );
    Ok(())
}

fn print_received(sps: &[&ExampleSp]) {
    for sp in sps {
        for line in sp.received.lock().expect("received").drain(..) {
            println!("    {:<13} webhook: {line}", sp.name);
        }
    }
}

/// The demo's `akashi serve`, in process: its URL and the services the demo drives directly.
pub struct DemoServer {
    pub url: String,
    pub services: akashi_server::Services,
}

/// Steps 9–14; the server keeps running (in the caller's runtime) for the private ID part.
pub async fn run(
    data: &Path,
    key_file: Option<&Path>,
    authority: Authority,
    registry: &Registry,
    resident: &str,
    card_path: &Path,
) -> Result<DemoServer, CliError> {
    let suffix = &resident[1..];
    step(9, "The PF operator (PF事業者) opens for service providers");
    let sealing_key = keyring::sealing_key(key_file)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| CliError::usage(format!("listen: {e}")))?;
    let pf_url = format!(
        "http://{}",
        listener
            .local_addr()
            .map_err(|e| CliError::usage(e.to_string()))?
    );
    // Every role, under the bound URL: the private ID issuer and the verifier too. No timers:
    // the demo runs the PF's check and the issuer's anchor watch itself, when it narrates them.
    let config = akashi_server::ServerConfig {
        data: data.to_path_buf(),
        store: registry.store().clone(),
        sealing_key: sealing_key.clone(),
        crl_max_age: Duration::ZERO,
        ocsp_cache: Duration::ZERO,
        pf_check_interval: Duration::ZERO,
        pf_deliver_interval: Duration::ZERO,
        roles: akashi_server::Roles::All,
        public_url: Some(pf_url.clone()),
    };
    let now = OffsetDateTime::now_utc();
    // The server and the PF open the J-LIS directory themselves: release it meanwhile.
    drop(authority);
    let (app, services) = akashi_server::router_with_services(config).await?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    let pf = akashi_server::open_embedded_pf(data, registry.store(), &sealing_key, now).await?;
    println!(
        "  PF API at {pf_url}/pf/v1 (a registered verifier at J-LIS as \"{}\")",
        akashi_server::PF_VERIFIER_NAME
    );
    let mut sps = Vec::new();
    for name in [
        "Demo Bank",
        "Demo Shop",
        "Tokyo Power",
        "City Gas",
        "Waterworks",
        "Life Insurer",
    ] {
        sps.push(example_sp(&pf, &pf_url, name, suffix).await?);
    }
    println!("  six SPs registered, each with its own credential and webhook endpoint");
    let [bank, shop, power, gas, water, insurer] = &sps[..] else {
        unreachable!("six SPs")
    };
    let mut card = JpkiCard::new(VirtualTransport(VirtualCard::open(SealedFileStore::open(
        card_path.to_path_buf(),
        keyring::sealing_key(key_file)?,
    )?)?));

    step(
        10,
        "Demo Bank opens an account at IAL3 (犯収法 JPKI method, through the PF)",
    );
    let application = "普通預金口座開設申込書 / 申込人は本人確認のため署名用電子証明書で署名します";
    let opened = sign_up(
        bank,
        &mut card,
        Purpose::IdentityProofing,
        Some(application),
        true,
    )
    .await?;
    println!("  Hanako reads what she signs, enters her signature PIN; the card signs.");
    println!("  Demo Bank received (all of it):");
    println!("    {}", serde_json::to_string(&opened)?);
    println!("  no serial number, no certificate, no public key: the PF keeps those in its vault");

    step(
        11,
        "Demo Shop logs Hanako in with the authentication certificate (card + 4-digit PIN)",
    );
    let login = sign_up(shop, &mut card, Purpose::Login, None, false).await?;
    println!("  Demo Shop received: {}", serde_json::to_string(&login)?);
    println!(
        "  its identifier for Hanako ({}) is not the bank's ({}): the two cannot join their records",
        login.sp_user_id, opened.sp_user_id
    );

    step(
        12,
        "Hanako signs up with power, gas, water and insurance, consenting to address updates",
    );
    for sp in [power, gas, water, insurer] {
        let o = sign_up(
            sp,
            &mut card,
            Purpose::IdentityProofing,
            Some("供給契約申込書"),
            true,
        )
        .await?;
        println!("  {:<13} customer {}", sp.name, o.sp_user_id);
    }
    registry
        .set_consent(resident, akashi_server::PF_VERIFIER_NAME, true, now)
        .await?;
    println!("  at J-LIS, Hanako consents to the PF receiving her latest four attributes");
    pf_round(&pf).await?;

    step(
        13,
        "Moving one-stop (引越しワンストップ): one move at the municipality reaches every SP",
    );
    let moved = registry
        .apply(
            resident,
            &LifeEvent::Move {
                new_address: OSAKA.into(),
            },
            OffsetDateTime::now_utc(),
        )
        .await?;
    println!(
        "  Osaka city records the move; J-LIS revokes {} certificate(s) (affiliationChanged)",
        moved.len()
    );
    pf_round(&pf).await?;
    print_received(&[bank, shop, power, gas, water, insurer]);
    println!("  Demo Shop never subscribed: it learns only to ask the customer");

    step(
        14,
        "A death notice reaches the SPs the deceased had subscribed at",
    );
    let ichiro = person(
        "鈴木 一郎",
        "1940-02-11",
        "male",
        "東京都港区芝公園四丁目2番8号",
    )?;
    let ichiro_id = format!("R9{suffix}");
    let mut ichiro_card =
        registered_card(data, key_file, registry, &ichiro_id, &ichiro, now).await?;
    for sp in [bank, insurer] {
        sign_up(
            sp,
            &mut ichiro_card,
            Purpose::IdentityProofing,
            Some("口座・保険契約"),
            true,
        )
        .await?;
    }
    registry
        .set_consent(&ichiro_id, akashi_server::PF_VERIFIER_NAME, true, now)
        .await?;
    registry
        .apply(&ichiro_id, &LifeEvent::Death, OffsetDateTime::now_utc())
        .await?;
    println!("  Suzuki Ichiro, a customer of Demo Bank and Life Insurer, dies; the municipality records it");
    pf_round(&pf).await?;
    print_received(&[bank, insurer]);
    Ok(DemoServer {
        url: pf_url,
        services,
    })
}

/// A (virtual, in-memory) card issued at `now` to a new resident `id`, registered so J-LIS's
/// CRLs and life events cover its certificates.
pub(crate) async fn registered_card(
    data: &Path,
    key_file: Option<&Path>,
    registry: &Registry,
    id: &str,
    someone: &BasicFourAttributes,
    now: OffsetDateTime,
) -> Result<JpkiCard<VirtualTransport<MemoryStore>>, CliError> {
    registry.add_resident(id, someone, now).await?;
    let mut authority = Authority::open(data, keyring::sealing_key(key_file)?)?;
    let issued = issue_card(
        &mut authority,
        &CardIssueRequest {
            person: someone,
            auth_pin: AUTH_PIN,
            sign_pin: SIGN_PIN,
        },
        MemoryStore::default(),
        now,
        &OsRandom,
    )?;
    let c = &issued.certificates;
    registry
        .record_issued(
            id,
            &format!("card-{id}"),
            &[(&c.signature, None), (&c.authentication, None)],
            now,
        )
        .await?;
    Ok(JpkiCard::new(VirtualTransport(issued.card)))
}
