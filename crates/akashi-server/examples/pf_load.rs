//! Load generator for the PF: verifications per second through `POST
//! /pf/v1/transactions/complete` (signature + chain + cached OCSP + identifier + storage), on
//! loopback, with p50/p99 latency, beside the RSA-2048 verification floor measured in the same
//! run. The server and the load share this machine's cores.
//!
//!   cargo run --release -p akashi-server --example pf_load -- [login|proofing] [REQUESTS] [CONNECTIONS] [postgres]
//!
//! With `PF_LOAD_DUMP=FILE` it writes the signed bodies to FILE, prints `READY URL CREDENTIAL`
//! and serves until killed, for `scripts/bench-pf.sh` (wrk as the load generator).
//!
//! `postgres` runs on a fresh database of the server named by `AKASHI_TEST_POSTGRES_URL`
//! (`eval "$(scripts/pg-cluster.sh start)"` starts a throwaway one, fsync off).

use std::time::{Duration, Instant};

#[path = "common/cards.rs"]
mod cards;
#[path = "common/load.rs"]
mod load;

use time::OffsetDateTime;

use akashi_crypto::{HashAlgorithm, OsRandom, RsaPublicKey, SealingKey};
use akashi_jlis::{Authority, Registry};
use akashi_jpki::{BasicFourAttributes, Sex};
use akashi_sp::{card_signs, CompleteRequest, Pin, Purpose, StartRequest};
use akashi_store::Store;

const PEOPLE: usize = 16;

fn person(i: usize) -> BasicFourAttributes {
    BasicFourAttributes {
        name: format!("試験\u{3000}太郎{i}"),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: time::macros::date!(1980 - 01 - 01),
        sex: Sex::Male,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let purpose = match args.first().map(String::as_str) {
        Some("proofing") => Purpose::IdentityProofing,
        _ => Purpose::Login,
    };
    let requests: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(4000);
    let connections: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(32);
    let database = args.get(3).filter(|a| a.as_str() == "postgres").cloned();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(purpose, requests, connections, database));
}

async fn run(purpose: Purpose, requests: usize, connections: usize, database: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let now = OffsetDateTime::now_utc();
    let store = match &database {
        Some(_) => akashi_store::testing::fresh_postgres("akashi_pf_load")
            .await
            .expect("AKASHI_TEST_POSTGRES_URL"),
        None => Store::open_in_dir(dir.path()).await.unwrap(),
    };
    let key = SealingKey::from_bytes([9; 32]);
    let mut authority = Authority::init(dir.path(), key.clone(), now, &OsRandom).unwrap();
    let registry = Registry::new(store.clone());
    let mut cards = Vec::new();
    let suffix = now.unix_timestamp_nanos() % 1_000_000_000;
    for i in 0..PEOPLE {
        let id = format!("L{suffix}-{i}");
        let p = person(i);
        cards.push(cards::resident_card(&mut authority, &registry, &id, &p, "ABC123", now).await);
    }
    drop(authority);
    let config = akashi_server::ServerConfig {
        data: dir.path().to_path_buf(),
        store: store.clone(),
        sealing_key: key.clone(),
        crl_max_age: Duration::ZERO,
        ocsp_cache: Duration::from_secs(300),
        pf_check_interval: Duration::ZERO,
        pf_deliver_interval: Duration::ZERO,
        roles: akashi_server::Roles::All,
        public_url: None,
    };
    let app = akashi_server::router(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let pf = akashi_server::open_embedded_pf(dir.path(), &store, &key, now)
        .await
        .unwrap();
    let sp = pf
        .register_service_provider(&format!("Load {suffix}"), None, now, &OsRandom)
        .await
        .unwrap();

    // The card-signed requests, made in advance (through each card's APDU interface).
    eprintln!(
        "signing {requests} {} requests with {PEOPLE} virtual cards…",
        purpose.as_str()
    );
    let started = Instant::now();
    let per_card = requests.div_ceil(PEOPLE) + 1;
    let pin = match purpose {
        Purpose::IdentityProofing => "ABC123",
        Purpose::Login => "1234",
    };
    let pf_ref = &pf;
    let sp_ref = &sp.service_provider;
    let signed: Vec<Vec<CompleteRequest>> = std::thread::scope(|scope| {
        let handles: Vec<_> = cards
            .chunks_mut(PEOPLE / 2)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter_mut()
                        .map(|card| {
                            (0..per_card)
                                .map(|_| {
                                    let start = pf_ref
                                        .start(
                                            sp_ref,
                                            &StartRequest {
                                                purpose,
                                                transaction_data: (purpose
                                                    == Purpose::IdentityProofing)
                                                    .then(|| "申込書".to_owned()),
                                                subscribe_updates: false,
                                            },
                                            OffsetDateTime::now_utc(),
                                            &OsRandom,
                                        )
                                        .unwrap();
                                    card_signs(card, purpose, &start, Pin(pin)).unwrap()
                                })
                                .collect::<Vec<_>>()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    eprintln!("signed in {:.1} s", started.elapsed().as_secs_f64());
    let bodies: Vec<Vec<u8>> = {
        // Interleave people; the first request of each person warms up (J-LIS history, OCSP).
        let mut out = Vec::new();
        for round in 0..per_card {
            for person in &signed {
                out.push(serde_json::to_vec(&person[round]).unwrap());
            }
        }
        out
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .unwrap();
    let complete_url = format!("{url}/pf/v1/transactions/complete");
    for body in &bodies[..PEOPLE] {
        let r = client
            .post(&complete_url)
            .bearer_auth(&sp.credential)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    let bodies = bodies[PEOPLE..PEOPLE + requests.min(bodies.len() - PEOPLE)].to_vec();
    // For an external load generator (scripts/bench-pf.sh runs wrk): the signed bodies, one
    // per line, then serve until killed.
    if let Ok(dump) = std::env::var("PF_LOAD_DUMP") {
        let mut lines = Vec::new();
        for body in bodies.iter() {
            lines.extend_from_slice(body);
            lines.push(b'\n');
        }
        std::fs::write(&dump, lines).unwrap();
        println!("READY {url} {}", sp.credential);
        use std::io::Write;
        std::io::stdout().flush().unwrap();
        std::future::pending::<()>().await;
    }
    let run = load::post_all(
        &client,
        &complete_url,
        "application/json",
        Some(&sp.credential),
        bodies,
        connections,
    )
    .await;

    // The floor: one RSA-2048 PKCS#1 v1.5 verification (key parsed once), one core, same run.
    let sample = &signed[0][0];
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).unwrap();
    let cert = akashi_jpki::JpkiCertificate::from_der(&b64(&sample.certificate)).unwrap();
    let key = RsaPublicKey::from_spki_der(&cert.public_key_der().unwrap()).unwrap();
    let (data, sig) = (b64(&sample.signed_data), b64(&sample.signature));
    let floor_start = Instant::now();
    let n = 20_000;
    for _ in 0..n {
        key.verify_pkcs1(HashAlgorithm::Sha256, &data, &sig)
            .unwrap();
    }
    let floor = n as f64 / floor_start.elapsed().as_secs_f64();

    let rate = run.per_second();
    println!(
        "{} on {}: {} requests, {connections} connections, {} failed: {:.0} verifications/s, p50 {:.2} ms, p99 {:.2} ms; RSA-2048 verify floor {:.0}/s per core ({:.0}/s on 2 cores); PF / one-core floor = {:.3}",
        purpose.as_str(),
        if database.is_some() { "PostgreSQL" } else { "SQLite" },
        run.latencies.len(),
        run.failures,
        rate,
        run.percentile_ms(0.50),
        run.percentile_ms(0.99),
        floor,
        2.0 * floor,
        rate / floor
    );
}
