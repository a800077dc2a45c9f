//! Load generator for the OpenID provider on loopback, with p50/p99 latency per endpoint:
//! - card logins (`POST /oidc/interaction/{h}/card`: the authentication certificate's chain
//!   and signature, the cached OCSP answer, the new session, the code), beside the RSA-2048
//!   verification floor of one core measured in the same run;
//! - the token endpoint (code + PKCE + client secret, RS256 ID token, access token stored);
//! - userinfo (bearer token lookup, sealed claims opened, pairwise `sub`).
//!
//! The server and the load generator share this machine's cores.
//!
//!   cargo run --release -p akashi-server --example oidc_load -- [LOGINS] [TOKENS] [CONNECTIONS]

use std::time::{Duration, Instant};

#[path = "common/cards.rs"]
mod cards;
#[path = "common/load.rs"]
mod load;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};
use time::OffsetDateTime;

use akashi_card::{Card as _, CertificateSlot};
use akashi_crypto::{sha256, HashAlgorithm, OsRandom, RsaPublicKey, SealingKey};
use akashi_jlis::{Authority, Registry};
use akashi_jpki::{BasicFourAttributes, Sex};
use akashi_oidc::ClientDraft;
use akashi_store::Store;

use cards::Card;

const PEOPLE: usize = 8;
const VERIFIER: &str = "load-verifier-0123456789abcdef0123456789abcdef";

fn person(i: usize) -> BasicFourAttributes {
    BasicFourAttributes {
        name: format!("試験\u{3000}花子{i}"),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: time::macros::date!(1985 - 05 - 05),
        sex: Sex::Female,
    }
}

/// One browser: the provider's session cookie, no redirects followed.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

impl Browser {
    async fn send(&mut self, rb: reqwest::RequestBuilder) -> (u16, Option<String>, Value) {
        let rb = match &self.cookie {
            Some(c) => rb.header("cookie", format!("akashi_op={c}")),
            None => rb,
        };
        let r = rb.send().await.unwrap();
        for c in r.headers().get_all("set-cookie") {
            if let Some(v) = c.to_str().unwrap().strip_prefix("akashi_op=") {
                self.cookie = v.split(';').next().map(str::to_owned);
            }
        }
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null);
        (status, location, body)
    }

    async fn authorize(&mut self, client_id: &str, prompt: &str) -> String {
        let challenge = URL_SAFE_NO_PAD.encode(sha256(VERIFIER.as_bytes()));
        let url = reqwest::Url::parse_with_params(
            &format!("{}/oidc/authorize", self.base),
            [
                ("client_id", client_id),
                ("response_type", "code"),
                ("redirect_uri", "https://shop.example/callback"),
                ("scope", "openid name"),
                ("state", "s"),
                ("prompt", prompt),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
            ],
        )
        .unwrap();
        let rb = self.http.get(url);
        let (status, location, body) = self.send(rb).await;
        assert_eq!(status, 303, "{body}");
        location.unwrap()
    }

    async fn post(&mut self, path: &str, body: Value) -> Value {
        let rb = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_string());
        let (status, _, body) = self.send(rb).await;
        assert!(status == 200 || status == 201, "{path}: {body}");
        body
    }
}

fn interaction(location: &str) -> String {
    format!(
        "/oidc/interaction/{}",
        location.split("/oidc/interaction/").nth(1).unwrap()
    )
}

fn code(location: &str) -> String {
    let url = reqwest::Url::parse(location).unwrap();
    let found = url.query_pairs().find(|(k, _)| k == "code");
    found.unwrap().1.into_owned()
}

fn card_answer(card: &mut Card, tbs_b64: &str) -> Value {
    let tbs = STANDARD.decode(tbs_b64).unwrap();
    let certificate = card
        .read_certificate(CertificateSlot::Authentication, None)
        .unwrap();
    let signature = card.authenticate(&tbs, "1234").unwrap();
    json!({ "certificate": STANDARD.encode(certificate), "signature": STANDARD.encode(signature) })
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let logins = args.first().copied().unwrap_or(1000);
    let tokens = args.get(1).copied().unwrap_or(4000);
    let connections = args.get(2).copied().unwrap_or(32);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(logins, tokens, connections));
}

fn report(what: &str, run: &load::LoadRun, connections: usize) {
    println!(
        "{what}: {} requests, {connections} connections, {} failed: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms",
        run.latencies.len(),
        run.failures,
        run.per_second(),
        run.percentile_ms(0.50),
        run.percentile_ms(0.99)
    );
}

async fn run(logins: usize, tokens: usize, connections: usize) {
    let dir = tempfile::tempdir().unwrap();
    let now = OffsetDateTime::now_utc();
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    let key = SealingKey::from_bytes([9; 32]);
    let mut authority = Authority::init(dir.path(), key.clone(), now, &OsRandom).unwrap();
    let registry = Registry::new(store.clone());
    let mut cards: Vec<Card> = Vec::new();
    for i in 0..PEOPLE {
        let id = format!("O{}-{i}", now.unix_timestamp());
        let p = person(i);
        cards.push(cards::resident_card(&mut authority, &registry, &id, &p, "ABC123", now).await);
    }
    drop(authority);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = akashi_server::ServerConfig {
        data: dir.path().to_path_buf(),
        store: store.clone(),
        sealing_key: key.clone(),
        crl_max_age: Duration::ZERO,
        ocsp_cache: Duration::from_secs(300),
        pf_check_interval: Duration::ZERO,
        pf_deliver_interval: Duration::ZERO,
        roles: akashi_server::Roles::All,
        public_url: Some(url.clone()),
    };
    let (app, services) = akashi_server::router_with_services(config).await.unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let op = services.oidc.expect("the provider runs with a public URL");
    let draft = ClientDraft {
        name: "Load shop".into(),
        redirect_uris: vec!["https://shop.example/callback".into()],
        confidential: true,
        ..ClientDraft::default()
    };
    let rp = op
        .register_client(draft.check().unwrap(), now, &OsRandom)
        .await
        .unwrap();
    let (client_id, secret) = (rp.client_id.clone(), rp.client_secret.clone().unwrap());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(connections)
        .build()
        .unwrap();

    // Each person registers by proofing, consents, and binds the card's authentication key.
    let mut browsers = Vec::new();
    for card in cards.iter_mut() {
        let mut b = Browser {
            http: http.clone(),
            base: url.clone(),
            cookie: None,
        };
        let at = interaction(&b.authorize(&client_id, "login").await);
        let (_, _, view) = {
            let rb = b.http.get(format!("{url}{at}"));
            b.send(rb).await
        };
        let tbs = STANDARD
            .decode(view["to_be_signed"]["proofing"].as_str().unwrap())
            .unwrap();
        let certificate = card
            .read_certificate(CertificateSlot::Signature, Some("ABC123"))
            .unwrap();
        let signature = card.sign(&tbs, "ABC123").unwrap();
        b.post(
            &format!("{at}/proofing"),
            json!({ "certificate": STANDARD.encode(certificate), "signature": STANDARD.encode(signature) }),
        )
        .await;
        b.post(&format!("{at}/consent"), json!({ "approve": true }))
            .await;
        let c = b.post("/oidc/account/challenge", json!({})).await;
        let mut body = card_answer(card, c["to_be_signed"].as_str().unwrap());
        body["challenge"] = c["challenge"].clone();
        body["label"] = json!("card");
        b.post("/oidc/account/authenticators/card", body).await;
        browsers.push(b);
    }

    // Card logins: one interaction per login (prompt=login), its challenge signed in advance.
    eprintln!("preparing {logins} card logins…");
    let mut prepared = Vec::new();
    for i in 0..logins + PEOPLE {
        let person = i % PEOPLE;
        let b = &mut browsers[person];
        let at = interaction(&b.authorize(&client_id, "login").await);
        let (_, _, view) = {
            let rb = b.http.get(format!("{url}{at}"));
            b.send(rb).await
        };
        let body = card_answer(
            &mut cards[person],
            view["to_be_signed"]["login"].as_str().unwrap(),
        );
        prepared.push((format!("{url}{at}/card"), body.to_string()));
    }
    // The first login of each person warms up (OCSP at J-LIS, caches).
    for (target, body) in prepared.drain(..PEOPLE) {
        let r = http
            .post(&target)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    eprintln!("load: card logins");
    let login_run = load::send_all(&http, prepared, connections, |client, (target, body)| {
        client
            .post(target)
            .header("content-type", "application/json")
            .body(body.clone())
    })
    .await;

    // Codes for the token endpoint: the sessions already satisfy the request (prompt=none).
    eprintln!("preparing {tokens} codes…");
    let mut codes = Vec::new();
    for i in 0..tokens {
        let b = &mut browsers[i % PEOPLE];
        codes.push(code(&b.authorize(&client_id, "none").await));
    }
    let token_url = format!("{url}/oidc/token");
    let token_run = {
        let (id, secret, token_url) = (client_id.clone(), secret.clone(), token_url.clone());
        load::send_all(&http, codes.clone(), connections, move |client, code| {
            client
                .post(&token_url)
                .basic_auth(&id, Some(&secret))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", "https://shop.example/callback"),
                    ("code_verifier", VERIFIER),
                ])
        })
        .await
    };

    // Access tokens for userinfo (fresh codes, redeemed outside the measurement).
    let mut access = Vec::new();
    for i in 0..tokens {
        let b = &mut browsers[i % PEOPLE];
        let code = code(&b.authorize(&client_id, "none").await);
        let r: Value = http
            .post(&token_url)
            .basic_auth(&client_id, Some(&secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", "https://shop.example/callback"),
                ("code_verifier", VERIFIER),
            ])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .map(|t| serde_json::from_str(&t).unwrap())
            .unwrap();
        access.push(r["access_token"].as_str().unwrap().to_owned());
    }
    let userinfo_url = format!("{url}/oidc/userinfo");
    let userinfo_run = load::send_all(&http, access, connections, move |client, token| {
        client.get(&userinfo_url).bearer_auth(token)
    })
    .await;

    // The floor: one RSA-2048 PKCS#1 v1.5 verification (key parsed once), one core, same run.
    let floor_key = akashi_crypto::RsaPrivateKey::generate().unwrap();
    let public = RsaPublicKey::from_spki_der(&floor_key.public_key_der().unwrap()).unwrap();
    let data = b"the floor";
    let signature = floor_key.sign_pkcs1_sha256(data).unwrap();
    let started = Instant::now();
    let n = 20_000;
    let mut ok = 0;
    for _ in 0..n {
        ok += usize::from(
            public
                .verify_pkcs1(HashAlgorithm::Sha256, data, &signature)
                .is_ok(),
        );
    }
    let floor = n as f64 / started.elapsed().as_secs_f64();

    report("card logins", &login_run, connections);
    println!(
        "  RSA-2048 verify floor {floor:.0}/s per core ({ok} of {n} verified); logins / one-core floor = {:.3}",
        login_run.per_second() / floor
    );
    report("token endpoint", &token_run, connections);
    report("userinfo", &userinfo_run, connections);
}
