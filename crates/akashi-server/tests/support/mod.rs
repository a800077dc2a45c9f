//! The private ID test bench: `akashi serve` with all roles on loopback, J-LIS with a resident
//! registry, virtual My Number Cards, wallets and relying parties at the verifier.

#![allow(dead_code)] // each test file uses a different part

pub mod op;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::response::IntoResponse;

use serde_json::{json, Value};
use time::OffsetDateTime;

use akashi_card::{JpkiCard, MemoryStore, VirtualTransport};
use akashi_credential::{born_on_or_before, BBS_PROFILE, VCT};
use akashi_crypto::{OsRandom, SealingKey};
use akashi_jlis::{issue_card, Authority, CardIssueRequest, Registry};
use akashi_jpki::{BasicFourAttributes, CertificateKind, Sex, TrustAnchors};
use akashi_oid4vc::vci::CredentialOffer;
use akashi_store::Store;
use akashi_verifier::{TrustedIssuer, VerifierService};
use akashi_wallet::issuance::{self, Received};
use akashi_wallet::Wallet;

pub const SIGN_PIN: &str = "ABC123";

pub type Card = JpkiCard<VirtualTransport<MemoryStore>>;

pub struct Bench {
    pub dir: tempfile::TempDir,
    pub now: OffsetDateTime,
    pub key: SealingKey,
    pub store: Store,
    pub registry: Registry,
    pub url: String,
    pub issuer_url: String,
    pub http: reqwest::Client,
    /// The OpenID provider the server runs (to register relying parties as its operator).
    pub oidc: Option<Arc<akashi_oidc::OidcProvider>>,
}

/// A relying party at the embedded verifier, known by its API credential.
pub struct Rp {
    pub credential: String,
}

impl Bench {
    /// Starts the server; the issuer's anchor watch runs every `check_interval`.
    pub async fn start(check_interval: Duration) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_dir(dir.path()).await.unwrap();
        Self::start_on(dir, store, check_interval).await
    }

    /// [`Bench::start`] on a fresh PostgreSQL database of the test cluster, or `None` when
    /// the run leaves PostgreSQL out (`AKASHI_TEST_POSTGRES=skip`).
    pub async fn start_postgres(check_interval: Duration) -> Option<Self> {
        let store = akashi_store::testing::fresh_postgres("akashi_private_id").await?;
        Some(Self::start_on(tempfile::tempdir().unwrap(), store, check_interval).await)
    }

    /// [`Bench::start`] reached as `http://localhost:PORT` (a domain name, as WebAuthn needs),
    /// after `prepare` has written into the data directory.
    pub async fn start_localhost(prepare: impl FnOnce(&std::path::Path)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        prepare(dir.path());
        let store = Store::open_in_dir(dir.path()).await.unwrap();
        Self::start_at(dir, store, Duration::ZERO, "localhost").await
    }

    /// [`Bench::start_localhost`] on a fresh PostgreSQL database, or `None` when the run
    /// leaves PostgreSQL out.
    pub async fn start_localhost_postgres(prepare: impl FnOnce(&std::path::Path)) -> Option<Self> {
        let store = akashi_store::testing::fresh_postgres("akashi_private_id").await?;
        let dir = tempfile::tempdir().unwrap();
        prepare(dir.path());
        Some(Self::start_at(dir, store, Duration::ZERO, "localhost").await)
    }

    async fn start_on(dir: tempfile::TempDir, store: Store, check_interval: Duration) -> Self {
        Self::start_at(dir, store, check_interval, "127.0.0.1").await
    }

    async fn start_at(
        dir: tempfile::TempDir,
        store: Store,
        check_interval: Duration,
        host: &str,
    ) -> Self {
        let (now, key) = Self::authority(&dir);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{host}:{}", listener.local_addr().unwrap().port());
        let config = Self::config(
            &dir,
            &store,
            &key,
            check_interval,
            akashi_server::Roles::All,
        );
        let (app, services) = akashi_server::router_with_services(akashi_server::ServerConfig {
            public_url: Some(url.clone()),
            ..config
        })
        .await
        .unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let mut bench = Self::assemble(dir, now, key, store, url);
        bench.oidc = services.oidc;
        bench
    }

    /// J-LIS and the private ID operator (PF, issuer, verifier) as two servers; the operator
    /// reaches J-LIS over HTTP as a registered verifier. While the returned switch is on,
    /// J-LIS answers every request with 503.
    pub async fn start_split(check_interval: Duration) -> (Self, Arc<AtomicBool>) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_dir(dir.path()).await.unwrap();
        let (now, key) = Self::authority(&dir);
        let registry = Registry::new(store.clone());
        let (_, credential) = registry
            .register_verifier("Private ID operator", now, &OsRandom)
            .await
            .unwrap();
        let authority = Authority::open(dir.path(), key.clone()).unwrap();
        let mut anchors = TrustAnchors::default();
        for kind in [CertificateKind::Signature, CertificateKind::Authentication] {
            for g in authority.generations(kind).unwrap() {
                anchors.push(g.certificate);
            }
        }
        drop(authority);
        let down = Arc::new(AtomicBool::new(false));
        let switch = down.clone();
        let jlis = akashi_server::router(Self::config(
            &dir,
            &store,
            &key,
            Duration::ZERO,
            akashi_server::Roles::Jlis,
        ))
        .await
        .unwrap()
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let down = switch.load(Ordering::SeqCst);
                async move {
                    if down {
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
                    }
                    next.run(request).await
                }
            },
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let jlis_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, jlis).await });

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let roles = akashi_server::Roles::Pf {
            jlis_url,
            credential,
            anchors,
        };
        let app = akashi_server::router(akashi_server::ServerConfig {
            public_url: Some(url.clone()),
            ..Self::config(&dir, &store, &key, check_interval, roles)
        })
        .await
        .unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (Self::assemble(dir, now, key, store, url), down)
    }

    /// J-LIS's certificate authorities in `dir`.
    fn authority(dir: &tempfile::TempDir) -> (OffsetDateTime, SealingKey) {
        let now = OffsetDateTime::now_utc();
        let key = SealingKey::from_bytes([7; 32]);
        drop(Authority::init(dir.path(), key.clone(), now, &OsRandom).unwrap());
        (now, key)
    }

    fn config(
        dir: &tempfile::TempDir,
        store: &Store,
        key: &SealingKey,
        check_interval: Duration,
        roles: akashi_server::Roles,
    ) -> akashi_server::ServerConfig {
        akashi_server::ServerConfig {
            data: dir.path().to_path_buf(),
            store: store.clone(),
            sealing_key: key.clone(),
            crl_max_age: Duration::ZERO,
            ocsp_cache: Duration::ZERO,
            pf_check_interval: check_interval,
            pf_deliver_interval: Duration::ZERO,
            roles,
            public_url: None,
        }
    }

    fn assemble(
        dir: tempfile::TempDir,
        now: OffsetDateTime,
        key: SealingKey,
        store: Store,
        url: String,
    ) -> Self {
        Bench {
            issuer_url: format!("{url}/issuer"),
            registry: Registry::new(store.clone()),
            dir,
            now,
            key,
            store,
            url,
            http: reqwest::Client::new(),
            oidc: None,
        }
    }

    pub fn t(&self) -> i64 {
        self.now.unix_timestamp()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Registers `person` as resident `resident` and issues them a card (PIN [`SIGN_PIN`]).
    pub async fn card_for(&self, resident: &str, person: &BasicFourAttributes) -> Card {
        self.registry
            .add_resident(resident, person, self.now)
            .await
            .unwrap();
        let mut authority = Authority::open(self.dir(), self.key.clone()).unwrap();
        let issued = issue_card(
            &mut authority,
            &CardIssueRequest {
                person,
                auth_pin: "1234",
                sign_pin: SIGN_PIN,
            },
            MemoryStore::default(),
            self.now,
            &OsRandom,
        )
        .unwrap();
        let c = &issued.certificates;
        self.registry
            .record_issued(
                resident,
                &format!("card-{resident}"),
                &[(&c.signature, None), (&c.authentication, None)],
                self.now,
            )
            .await
            .unwrap();
        JpkiCard::new(VirtualTransport(issued.card))
    }

    /// A new wallet in the test directory.
    pub fn wallet(&self, name: &str) -> Wallet {
        Wallet::create(
            &self.dir().join(format!("{name}.sealed")),
            SealingKey::from_bytes([9; 32]),
            &OsRandom,
        )
        .unwrap()
    }

    /// Proofs with `card` at the issuer and accepts the offer: (SD-JWT id, BBS id).
    pub async fn proof_and_receive(
        &self,
        wallet: &mut Wallet,
        card: &mut Card,
    ) -> (String, String) {
        let answer = issuance::proof_with_card(&self.http, &self.issuer_url, card, SIGN_PIN, false)
            .await
            .unwrap();
        assert_eq!(answer.anchor_status, "good");
        let offer = CredentialOffer::parse(&answer.credential_offer_uri).unwrap();
        let received = issuance::accept_offer(wallet, &self.http, &offer, self.t(), &OsRandom)
            .await
            .unwrap();
        let ids: Vec<String> = received
            .into_iter()
            .map(|r| match r {
                Received::Stored(id) => id,
                Received::Deferred(_) => panic!("not deferred"),
            })
            .collect();
        let pick = |prefix: &str| ids.iter().find(|i| i.starts_with(prefix)).unwrap().clone();
        (pick("sdjwt-"), pick("bbs-"))
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let text = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// The issuer as a relying party trusts it: from its published metadata.
    pub async fn trusted_issuer(&self) -> TrustedIssuer {
        let jwks = self.get_json("/.well-known/jwt-vc-issuer/issuer").await;
        let meta = self
            .get_json("/.well-known/openid-credential-issuer/issuer")
            .await;
        TrustedIssuer {
            issuer: self.issuer_url.clone(),
            sd_jwt_keys: jwks["jwks"]["keys"].as_array().unwrap().clone(),
            bbs_public_key: meta["credential_configurations_supported"]["jp-identity-bbs"]
                ["akashi_bbs_public_key"]
                .as_str()
                .map(str::to_owned),
        }
    }

    pub fn verifier(&self) -> VerifierService {
        akashi_server::open_verifier(&self.store, &self.url, 0).unwrap()
    }

    pub async fn rp(&self, name: &str, trusted: Vec<TrustedIssuer>) -> Rp {
        let (_, credential) = self
            .verifier()
            .register(name, trusted, self.now, &OsRandom)
            .await
            .unwrap();
        Rp { credential }
    }

    /// The relying party creates a presentation request: (HTTP status, body).
    pub async fn rp_request(&self, rp: &Rp, dcql: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/vp/v1/requests", self.url))
            .bearer_auth(&rp.credential)
            .header("content-type", "application/json")
            .body(json!({ "dcql_query": dcql }).to_string())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (
            status,
            serde_json::from_str(&r.text().await.unwrap()).unwrap(),
        )
    }

    pub async fn rp_result(&self, rp: &Rp, id: &str) -> Value {
        let r = self
            .http
            .get(format!("{}/vp/v1/requests/{id}", self.url))
            .bearer_auth(&rp.credential)
            .send()
            .await
            .unwrap();
        serde_json::from_str(&r.text().await.unwrap()).unwrap()
    }
}

pub fn hanako() -> BasicFourAttributes {
    BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: time::macros::date!(1990 - 04 - 01),
        sex: Sex::Female,
    }
}

/// Age ≥ 20 and still valid, nothing disclosed (BBS).
pub fn shop_query(today: time::Date) -> Value {
    json!({ "credentials": [{
        "id": "age", "format": "akashi-bbs-1",
        "meta": { "profile_values": [BBS_PROFILE], "predicates": [
            { "claim": "birthdate", "lte": born_on_or_before(today, 20).to_string() },
            { "claim": "valid_until", "gte": today.to_string() } ] }
    }]})
}

/// The municipality only (SD-JWT VC).
pub fn city_query() -> Value {
    json!({ "credentials": [{
        "id": "residence", "format": "dc+sd-jwt",
        "meta": { "vct_values": [VCT] },
        "claims": [ { "path": ["address", "municipality"] } ]
    }]})
}

/// Polls the wallet's status check until the server's anchor watch has revoked something
/// (the watch runs on the server's timer), for at most ten seconds.
pub async fn revoked_after_watch(
    wallet: &mut Wallet,
    http: &reqwest::Client,
    t: i64,
) -> Vec<String> {
    for _ in 0..100 {
        let marked = issuance::check_status(wallet, http, t).await.unwrap();
        if !marked.is_empty() {
            return marked;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Vec::new()
}
