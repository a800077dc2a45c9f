//! Load generator for the OpenID4VP verifier: presentations verified per second through the
//! Response URI (`POST /vp/v1/response/{rp}`, `direct_post`), on loopback, with p50/p99
//! latency, beside the one-core cost of the verifier's own check and the cryptographic floor
//! measured in the same run. The server (`Roles::All`, SQLite) and the load share this
//! machine's cores.
//!
//!   cargo run --release -p akashi-server --example vp_load -- [sd-jwt|bbs|bbs3] [PRESENTATIONS] [CONNECTIONS]
//!
//! - `sd-jwt`: an identity SD-JWT VC with 2 Disclosures (`address.municipality`,
//!   `age_equal_or_over.20`) and a KB-JWT; the status list is fetched once from the issuer on
//!   the same server and reused (status TTL = `ocsp_cache`, 300 s here), its signature checked
//!   per presentation.
//! - `bbs`: the age shop: BBS with the per-verifier pseudonym, `birthdate ≤ today − 20 years`
//!   and `valid_until ≥ today`, nothing disclosed.
//! - `bbs3`: BBS with the pseudonym and 3 disclosed claims (family name, given name,
//!   municipality).
//!
//! Before timing: a virtual My Number Card proofs two wallets at the issuer over HTTP, each
//! receives its credentials over OpenID4VCI; the relying party makes one presentation
//! request per presentation through its API (`POST /vp/v1/requests`); the wallets plan each
//! request and build the form body with `presentation::answer` (the presentation
//! proper: SD-JWT + KB-JWT, or the BBS proof), on both cores. Timed: only the POST of each
//! pre-built form to the Response URI and the 200 answer (verification, transaction read
//! and answered in SQLite). Every timed response must verify (afterwards the relying party's
//! results are read back and counted).

use std::time::{Duration, Instant};

#[path = "common/cards.rs"]
mod cards;
#[path = "common/load.rs"]
mod load;

use serde_json::{json, Value};
use time::OffsetDateTime;

use akashi_credential::{born_on_or_before, BBS_PROFILE, VCT};
use akashi_crypto::{OsRandom, SealingKey};
use akashi_jlis::{Authority, Registry};
use akashi_jpki::{BasicFourAttributes, Sex};
use akashi_oid4vc::dcql::DcqlQuery;
use akashi_oid4vc::vci::CredentialOffer;
use akashi_oid4vc::vp::VpToken;
use akashi_store::Store;
use akashi_verifier::TrustedIssuer;
use akashi_wallet::issuance::{self, Received};
use akashi_wallet::presentation;
use akashi_wallet::Wallet;

const SIGN_PIN: &str = "ABC123";
/// Wallets building presentations in parallel before timing (one per core).
const WALLETS: usize = 2;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    SdJwt,
    BbsAge,
    Bbs3,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::SdJwt => "sd-jwt (2 disclosures + KB-JWT, status list)",
            Mode::BbsAge => "bbs (pseudonym, age >= 20, still valid)",
            Mode::Bbs3 => "bbs3 (pseudonym, 3 disclosed claims)",
        }
    }

    fn query(self, today: time::Date) -> Value {
        match self {
            Mode::SdJwt => json!({ "credentials": [{
                "id": "pid", "format": "dc+sd-jwt", "meta": { "vct_values": [VCT] },
                "claims": [ { "path": ["address", "municipality"] },
                            { "path": ["age_equal_or_over", "20"] } ]
            }]}),
            Mode::BbsAge => json!({ "credentials": [{
                "id": "pid", "format": "akashi-bbs-1",
                "meta": { "profile_values": [BBS_PROFILE], "predicates": [
                    { "claim": "birthdate", "lte": born_on_or_before(today, 20).to_string() },
                    { "claim": "valid_until", "gte": today.to_string() } ] }
            }]}),
            Mode::Bbs3 => json!({ "credentials": [{
                "id": "pid", "format": "akashi-bbs-1",
                "meta": { "profile_values": [BBS_PROFILE] },
                "claims": [ { "path": ["family_name"] }, { "path": ["given_name"] },
                            { "path": ["municipality"] } ]
            }]}),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args.first().map(String::as_str) {
        Some("bbs") => Mode::BbsAge,
        Some("bbs3") => Mode::Bbs3,
        Some("sd-jwt") | None => Mode::SdJwt,
        Some(other) => panic!("unknown mode {other}: sd-jwt, bbs or bbs3"),
    };
    let default = if mode == Mode::SdJwt { 4000 } else { 400 };
    let presentations: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(default);
    let connections: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(32);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(mode, presentations, connections));
}

async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    let r = http.get(url).send().await.unwrap();
    serde_json::from_str(&r.text().await.unwrap()).unwrap()
}

async fn run(mode: Mode, presentations: usize, connections: usize) {
    let dir = tempfile::tempdir().unwrap();
    let now = OffsetDateTime::now_utc();
    let t = now.unix_timestamp();
    let key = SealingKey::from_bytes([9; 32]);
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    let mut authority = Authority::init(dir.path(), key.clone(), now, &OsRandom).unwrap();
    let registry = Registry::new(store.clone());
    let person = BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: time::macros::date!(1990 - 04 - 01),
        sex: Sex::Female,
    };
    let mut card =
        cards::resident_card(&mut authority, &registry, "R1", &person, SIGN_PIN, now).await;
    drop(authority);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = akashi_server::router(akashi_server::ServerConfig {
        data: dir.path().to_path_buf(),
        store: store.clone(),
        sealing_key: key.clone(),
        crl_max_age: Duration::ZERO,
        ocsp_cache: Duration::from_secs(300),
        pf_check_interval: Duration::ZERO,
        pf_deliver_interval: Duration::ZERO,
        roles: akashi_server::Roles::All,
        public_url: Some(url.clone()),
    })
    .await
    .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::new();
    let issuer_url = format!("{url}/issuer");

    // The wallets: proofed with the card, credentials over OpenID4VCI.
    eprintln!("proofing {WALLETS} wallets and issuing their credentials…");
    let mut wallets = Vec::new();
    for i in 0..WALLETS {
        let mut wallet = Wallet::create(
            &dir.path().join(format!("wallet-{i}.sealed")),
            SealingKey::from_bytes([10 + i as u8; 32]),
            &OsRandom,
        )
        .unwrap();
        let answer = issuance::proof_with_card(&http, &issuer_url, &mut card, SIGN_PIN, false)
            .await
            .unwrap();
        let offer = CredentialOffer::parse(&answer.credential_offer_uri).unwrap();
        let received = issuance::accept_offer(&mut wallet, &http, &offer, t, &OsRandom)
            .await
            .unwrap();
        assert!(received.iter().all(|r| matches!(r, Received::Stored(_))));
        wallets.push(wallet);
    }

    // The relying party, trusting the issuer's published keys.
    let jwks = get_json(&http, &format!("{url}/.well-known/jwt-vc-issuer/issuer")).await;
    let meta = get_json(
        &http,
        &format!("{url}/.well-known/openid-credential-issuer/issuer"),
    )
    .await;
    let trusted = vec![TrustedIssuer {
        issuer: issuer_url.clone(),
        sd_jwt_keys: jwks["jwks"]["keys"].as_array().unwrap().clone(),
        bbs_public_key: meta["credential_configurations_supported"]["jp-identity-bbs"]
            ["akashi_bbs_public_key"]
            .as_str()
            .map(str::to_owned),
    }];
    let verifier = akashi_server::open_verifier(&store, &url, 300).unwrap();
    let (rp, rp_credential) = verifier
        .register("Load shop", trusted, now, &OsRandom)
        .await
        .unwrap();

    // One presentation request per presentation (plus warm-up), through the RP API.
    let warm_up = connections.clamp(4, 16);
    let total = presentations + warm_up;
    eprintln!(
        "{total} presentation requests and responses ({})…",
        mode.name()
    );
    let started = Instant::now();
    let query = mode.query(now.date());
    let mut requests = Vec::with_capacity(total);
    for _ in 0..total {
        let r = http
            .post(format!("{url}/vp/v1/requests"))
            .bearer_auth(&rp_credential)
            .header("content-type", "application/json")
            .body(json!({ "dcql_query": query }).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let created: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        requests.push((
            created["request_uri"].as_str().unwrap().to_owned(),
            created["transaction_id"].as_str().unwrap().to_owned(),
        ));
    }
    // Each wallet builds its share of the responses on its own thread.
    let uris: Vec<String> = requests.iter().map(|(u, _)| u.clone()).collect();
    let mut builders = Vec::new();
    for (i, mut wallet) in wallets.into_iter().enumerate() {
        let mine: Vec<(usize, String)> = uris
            .iter()
            .cloned()
            .enumerate()
            .filter(|(j, _)| j % WALLETS == i)
            .collect();
        builders.push(tokio::task::spawn_blocking(move || {
            mine.into_iter()
                .map(|(j, uri)| {
                    // Key-binding JWTs are dated when built: the verifier accepts them for
                    // 300 s, as long as it accepts answers to a request.
                    let at = OffsetDateTime::now_utc().unix_timestamp();
                    let plan = presentation::plan(&wallet, &uri, at).unwrap();
                    let response = presentation::answer(&mut wallet, &plan, at, &OsRandom).unwrap();
                    (j, plan.request, response)
                })
                .collect::<Vec<_>>()
        }));
    }
    let mut built = Vec::with_capacity(total);
    for b in builders {
        built.extend(b.await.unwrap());
    }
    built.sort_by_key(|(j, _, _)| *j);
    eprintln!("prepared in {:.1} s", started.elapsed().as_secs_f64());
    let response_uri = built[0].1.response_uri.clone();
    assert_eq!(response_uri, rp.response_uri);
    // A sample for the one-core check below: its request and VP Token.
    let sample_request = built[0].1.clone();
    let sample_token: VpToken =
        serde_json::from_str(built[0].2.vp_token.as_deref().unwrap()).unwrap();
    let bodies: Vec<String> = built.iter().map(|(_, _, r)| r.to_form()).collect();

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .unwrap();
    // Warm-up (status list fetched, connections opened), untimed.
    for body in &bodies[..warm_up] {
        let r = client
            .post(&response_uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    let run = load::post_all(
        &client,
        &response_uri,
        "application/x-www-form-urlencoded",
        None,
        bodies[warm_up..]
            .iter()
            .map(|b| b.clone().into_bytes())
            .collect(),
        connections,
    )
    .await;

    // Every transaction answered and verified, as its relying party reads it.
    let mut verified = 0;
    for (_, transaction) in &requests[warm_up..] {
        let result = verifier.result(&rp, transaction).await.unwrap();
        if result.status == "verified" {
            verified += 1;
        }
    }

    // One core, same run: the verifier's own check of one presentation (no HTTP, no store)…
    let query: DcqlQuery = sample_request.dcql_query.clone();
    let check = || {
        verifier.verify_presentations(
            &rp,
            &sample_request.nonce,
            &query,
            &sample_token,
            OffsetDateTime::now_utc(),
        )
    };
    check().await.unwrap(); // the status list, fetched once
    let n = if mode == Mode::SdJwt { 4000 } else { 100 };
    let check_start = Instant::now();
    for _ in 0..n {
        check().await.unwrap();
    }
    let check_rate = n as f64 / check_start.elapsed().as_secs_f64();
    // …and its floor: P-256 ECDSA verifications (3 per SD-JWT presentation: issuer, KB-JWT,
    // status list) or the 2-term pairing product ending every BBS proof check.
    let (floor_name, floor_rate) = if mode == Mode::SdJwt {
        let key = akashi_crypto::P256PrivateKey::generate(&OsRandom).unwrap();
        let signature = key.sign_es256(b"floor").unwrap();
        let public = key.public_key();
        let n = 20_000;
        let s = Instant::now();
        for _ in 0..n {
            public.verify_es256(b"floor", &signature).unwrap();
        }
        ("P-256 verify", n as f64 / s.elapsed().as_secs_f64())
    } else {
        use akashi_bbs::curve::{pairing_product_is_one, Scalar, G1, G2};
        let r = |x: u8| Scalar::from_be_bytes_reduced(&[x; 48]);
        let terms = [
            (G1::generator().mul(&r(1)), G2::generator().mul(&r(2))),
            (G1::generator().mul(&r(3)), G2::generator()),
        ];
        let n = 1000;
        let s = Instant::now();
        for _ in 0..n {
            std::hint::black_box(pairing_product_is_one(std::hint::black_box(&terms)));
        }
        ("2-term pairing", n as f64 / s.elapsed().as_secs_f64())
    };

    let rate = run.per_second();
    println!(
        "{} on SQLite: {} responses, {connections} connections, {} failed, {verified} verified: {:.0} verifications/s, p50 {:.2} ms, p99 {:.2} ms \
         [timed: POST /vp/v1/response/{{rp}} with pre-built form bodies]; verifier check {:.0}/s per core (verify_presentations, same run); \
         HTTP / 2-core check = {:.3}; {floor_name} floor {:.0}/s per core",
        mode.name(),
        run.latencies.len(),
        run.failures,
        rate,
        run.percentile_ms(0.50),
        run.percentile_ms(0.99),
        check_rate,
        rate / (2.0 * check_rate),
        floor_rate,
    );
    assert_eq!(run.failures, 0, "every response must verify");
    assert_eq!(verified, run.latencies.len());
}
