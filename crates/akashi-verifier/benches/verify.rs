//! Presentations verified per second by the OpenID4VP verifier, on one core.
//!
//! `check/*` times [`VerifierService::verify_presentations`]: the verifier's own check of a VP
//! Token against the transaction's DCQL query (what `receive` does between reading and
//! writing the transaction), with the relying party's trust list, client id and nonce:
//!
//! - `sd_jwt_kb`: an identity SD-JWT VC (9 disclosable claims, 2 decoys per object, as the
//!   issuer makes them) presented with 2 Disclosures (`address.municipality`,
//!   `age_equal_or_over.20`) and a KB-JWT: issuer key chosen from the trust list (JWK parsed
//!   per presentation), issuer signature, digests, KB-JWT signature / audience / nonce /
//!   `sd_hash` / age, `vct`, the Token Status List (an in-memory [`StatusFetcher`]; after the
//!   first fetch the token comes from the verifier's status cache, but its ES256 signature is
//!   still verified for every presentation), claims extracted. Three P-256 verifications.
//! - `bbs_disclose3`: a blind-issued BBS credential of the 9-message identity profile with 3
//!   claims disclosed (`family_name`, `given_name`, `municipality`) and the per-verifier
//!   pseudonym (every BBS presentation carries one): the presentation request rebuilt from
//!   the query, proof decoded with subgroup checks, proof and pseudonym verified.
//! - `bbs_age20_valid`: the age shop's query: nothing disclosed, pseudonym, `birthdate ≤
//!   today − 20 years` and `valid_until ≥ today` (two 16-bit range proofs).
//!
//! `receive/*` times [`VerifierService::receive`] on the same presentations: the form decoded,
//! the transaction read from SQLite (in a tempdir), the same check, the answer written and
//! committed. Each iteration answers a fresh transaction made (untimed) by `create_request`.
//!
//! `floor/*`, measured in the same run: one P-256 ECDSA verification (akashi-crypto) and the
//! 2-term pairing product that ends every BBS proof verification (`e(Abar, W)·e(Bbar, −BP2)
//! == 1`, Akashi's `curve::pairing_product_is_one`), to read the checks as multiples of their
//! cryptographic floor. `sd_jwt/verify_vc` is the SD-JWT library alone (no trust list, type,
//! status or claims), as in `cargo bench -p akashi-sdjwt`, and `sd_jwt/status_list_token_verify`
//! the status part of the check (signature of the cached token, list inflated).
//!
//! Run: `cargo bench -p akashi-verifier --bench verify` (sample size 20, 3 s measurement per
//! function, about 50 s once built); `-- --quick` for a rough pass.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand_core::OsRng;
use serde_json::{json, Value};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

use akashi_bbs::{issue as bbs_issue, request_issuance, Credential, HolderSecret, NymEntropy};
use akashi_bbs::{SecretKey, Suite};
use akashi_credential::{
    bbs_request, born_on_or_before, IdentityClaims, BBS_PROFILE, DISCLOSABLE, VCT,
};
use akashi_crypto::OsRandom;
use akashi_jpki::{BasicFourAttributes, Sex};
use akashi_oid4vc::bbs::BbsPresentation;
use akashi_oid4vc::dcql::DcqlQuery;
use akashi_oid4vc::vp::{AuthorizationResponse, VpToken};
use akashi_sdjwt::status_list::{status_list_token, verify_status_list_token, StatusList};
use akashi_sdjwt::{
    issue, present, verify_vc, EcPrivateKey, Expectations, Issuance, KeyBinding,
    KeyBindingExpectation,
};
use akashi_store::Store;
use akashi_verifier::{
    BoxFuture, RelyingParty, StatusFetcher, TrustedIssuer, VerifierConfig, VerifierError,
    VerifierService,
};

const NOW: OffsetDateTime = datetime!(2026-11-23 01:00 UTC);
const TODAY: Date = date!(2026 - 11 - 23);
const ISSUER: &str = "https://issuer.akashi.example/issuer";
const STATUS_URI: &str = "https://issuer.akashi.example/issuer/status/1";
/// The issuer's default list: 2^17 one-bit entries.
const STATUS_ENTRIES: usize = 1 << 17;

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Status list tokens from memory.
struct MemoryFetcher(HashMap<String, String>);

impl StatusFetcher for MemoryFetcher {
    fn fetch<'a>(&'a self, uri: &'a str) -> BoxFuture<'a, Result<String, VerifierError>> {
        Box::pin(async move {
            self.0
                .get(uri)
                .cloned()
                .ok_or_else(|| VerifierError::StatusUnavailable("not found".into()))
        })
    }
}

fn hanako() -> IdentityClaims {
    IdentityClaims::from_attributes(&BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: date!(1990 - 04 - 01),
        sex: Sex::Female,
    })
    .unwrap()
}

fn query(value: Value) -> DcqlQuery {
    serde_json::from_value(json!({ "credentials": [value] })).unwrap()
}

/// The three queries, with the id of their single credential query.
fn queries() -> [(&'static str, DcqlQuery); 3] {
    [
        (
            "sd_jwt_kb",
            query(json!({
                "id": "pid", "format": "dc+sd-jwt", "meta": { "vct_values": [VCT] },
                "claims": [ { "path": ["address", "municipality"] },
                            { "path": ["age_equal_or_over", "20"] } ],
            })),
        ),
        (
            "bbs_disclose3",
            query(json!({
                "id": "pid", "format": "akashi-bbs-1",
                "meta": { "profile_values": [BBS_PROFILE] },
                "claims": [ { "path": ["family_name"] }, { "path": ["given_name"] },
                            { "path": ["municipality"] } ],
            })),
        ),
        (
            "bbs_age20_valid",
            query(json!({
                "id": "pid", "format": "akashi-bbs-1",
                "meta": { "profile_values": [BBS_PROFILE], "predicates": [
                    { "claim": "birthdate", "lte": born_on_or_before(TODAY, 20).to_string() },
                    { "claim": "valid_until", "gte": TODAY.to_string() } ] },
            })),
        ),
    ]
}

struct World {
    _dir: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
    service: VerifierService,
    rp: RelyingParty,
    bbs_pk: akashi_bbs::PublicKey,
    holder: EcPrivateKey,
    sd_jwt: String,
    bbs: Credential,
    status_token: String,
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let sd_key = EcPrivateKey::generate(&OsRandom).unwrap();
        let bbs_key = SecretKey::generate(Suite::Sha256, &mut OsRng);
        let holder = EcPrivateKey::generate(&OsRandom).unwrap();
        let person = hanako();

        // The SD-JWT VC as the issuer makes it, at a valid index of its status list.
        let iat = NOW.unix_timestamp() - 3600;
        let mut claims = person.sd_jwt_vc_claims(ISSUER, iat, iat + 365 * 86400, TODAY);
        claims.insert(
            "status".into(),
            json!({ "status_list": { "idx": 4242, "uri": STATUS_URI } }),
        );
        let sd_jwt = issue(
            &Issuance {
                claims,
                disclosable: DISCLOSABLE,
                decoys: 2,
                typ: "dc+sd-jwt",
                holder: Some(&holder.public_key()),
            },
            &sd_key,
            &OsRandom,
        )
        .unwrap();
        let mut list = StatusList::new(1, STATUS_ENTRIES).unwrap();
        list.set(7, 1).unwrap();
        let token = status_list_token(&list, STATUS_URI, iat, iat + 86400, 60, &sd_key).unwrap();

        // The BBS credential, issued blindly over the holder's secret.
        let messages = person.bbs_messages(date!(2026 - 11 - 30));
        let secret = HolderSecret::generate(&mut OsRng);
        let (request, pending) = request_issuance(Suite::Sha256, &secret, &mut OsRng);
        let signed = bbs_issue(
            &bbs_key,
            &request,
            &NymEntropy::random(&mut OsRng),
            BBS_PROFILE.as_bytes(),
            &messages,
        )
        .unwrap();
        let bbs_pk = bbs_key.public_key();
        let bbs = pending
            .finish(&bbs_pk, &signed, BBS_PROFILE.as_bytes(), messages)
            .unwrap();

        let fetcher = MemoryFetcher(
            [(STATUS_URI.to_owned(), token.clone())]
                .into_iter()
                .collect(),
        );
        let (service, rp) = rt.block_on(async {
            let store = Store::open_in_dir(dir.path()).await.unwrap();
            let service = VerifierService::new(
                store,
                VerifierConfig {
                    base_url: "https://verifier.akashi.example".into(),
                    ..VerifierConfig::default()
                },
                Arc::new(fetcher),
            );
            let trusted = TrustedIssuer {
                issuer: ISSUER.into(),
                sd_jwt_keys: vec![sd_key.public_key().to_jwk()],
                bbs_public_key: Some(b64(&bbs_pk.to_bytes())),
            };
            let (rp, _) = service
                .register("Bench shop", vec![trusted], NOW, &OsRandom)
                .await
                .unwrap();
            (service, rp)
        });
        Self {
            _dir: dir,
            rt,
            service,
            rp,
            bbs_pk,
            holder,
            sd_jwt,
            bbs,
            status_token: token,
        }
    }

    /// The VP Token answering `query` (one credential query) under `nonce`.
    fn token(&self, query: &DcqlQuery, nonce: &str) -> VpToken {
        let q = &query.credentials[0];
        let entry = if q.format == "dc+sd-jwt" {
            let presentation = present(
                &self.sd_jwt,
                &["address.municipality", "age_equal_or_over.20"],
                Some(&KeyBinding {
                    key: &self.holder,
                    audience: &self.rp.client_id,
                    nonce,
                    issued_at: NOW.unix_timestamp(),
                }),
            )
            .unwrap();
            Value::String(presentation)
        } else {
            let request = bbs_request(q, &self.rp.client_id, nonce).unwrap();
            let proof = self
                .bbs
                .present(&self.bbs_pk, &request, &mut OsRng)
                .unwrap();
            serde_json::to_value(BbsPresentation {
                iss: ISSUER.into(),
                profile: BBS_PROFILE.into(),
                proof: b64(&proof.to_bytes()),
            })
            .unwrap()
        };
        [(q.id.clone(), vec![entry])].into_iter().collect()
    }
}

fn check(c: &mut Criterion) {
    let w = World::new();
    let nonce = "bench-nonce-0123456789";
    let mut g = c.benchmark_group("check");
    g.throughput(Throughput::Elements(1));
    for (name, query) in queries() {
        let token = w.token(&query, nonce);
        // The presentation verifies, and says what the relying party asked for.
        let result =
            w.rt.block_on(
                w.service
                    .verify_presentations(&w.rp, nonce, &query, &token, NOW),
            )
            .unwrap();
        assert!(result["credentials"]["pid"].is_object(), "{result}");
        g.bench_function(name, |b| {
            b.iter(|| {
                w.rt.block_on(w.service.verify_presentations(
                    &w.rp,
                    nonce,
                    &query,
                    black_box(&token),
                    NOW,
                ))
                .unwrap()
            })
        });
    }
    g.finish();
}

fn receive(c: &mut Criterion) {
    let w = World::new();
    let mut g = c.benchmark_group("receive");
    g.throughput(Throughput::Elements(1));
    for (name, query) in queries() {
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let created = w
                        .rt
                        .block_on(
                            w.service
                                .create_request(&w.rp, query.clone(), NOW, &OsRandom),
                        )
                        .unwrap();
                    let token = w.token(&query, &created.request.nonce);
                    AuthorizationResponse {
                        vp_token: Some(serde_json::to_string(&token).unwrap()),
                        state: Some(created.request.state.clone()),
                        ..Default::default()
                    }
                    .to_form()
                    .into_bytes()
                },
                |form| {
                    w.rt.block_on(w.service.receive(&w.rp.id, &form, NOW))
                        .unwrap()
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

fn floor(c: &mut Criterion) {
    let mut g = c.benchmark_group("floor");
    g.throughput(Throughput::Elements(1));
    let key = akashi_crypto::P256PrivateKey::generate(&OsRandom).unwrap();
    let signature = key.sign_es256(b"floor").unwrap();
    let verifying = key.public_key();
    g.bench_function("p256_ecdsa_verify", |b| {
        b.iter(|| {
            verifying
                .verify_es256(black_box(b"floor"), &signature)
                .unwrap()
        })
    });
    use akashi_bbs::curve::{pairing_product_is_one, Scalar, G1, G2};
    let r = |x: u8| Scalar::from_be_bytes_reduced(&[x; 48]);
    let terms = [
        (G1::generator().mul(&r(1)), G2::generator().mul(&r(2))),
        (G1::generator().mul(&r(3)), G2::generator()),
    ];
    g.bench_function("bls12_381_pairing_2term", |b| {
        b.iter(|| pairing_product_is_one(black_box(&terms)))
    });
    g.finish();

    // The SD-JWT library alone, on the identity credential and the same disclosures.
    let w = World::new();
    let nonce = "bench-nonce-0123456789";
    let [(_, sd_query), _, _] = queries();
    let token = w.token(&sd_query, nonce);
    let presentation = token["pid"][0].as_str().unwrap().to_owned();
    let issuer_key = akashi_sdjwt::EcPublicKey::from_jwk(&w.rp.trusted[0].sd_jwt_keys[0]).unwrap();
    let expect = Expectations {
        issuer_key: &issuer_key,
        key_binding: Some(KeyBindingExpectation {
            audience: &w.rp.client_id,
            nonce,
            now: NOW.unix_timestamp(),
            max_age: 300,
        }),
    };
    let mut g = c.benchmark_group("sd_jwt");
    g.throughput(Throughput::Elements(1));
    g.bench_function("verify_vc", |b| {
        b.iter(|| verify_vc(black_box(&presentation), &expect, NOW.unix_timestamp()).unwrap())
    });
    // The status part of the check: the cached token's signature verified and its 2^17-entry
    // list inflated again for every presentation.
    g.bench_function("status_list_token_verify", |b| {
        b.iter(|| {
            verify_status_list_token(
                black_box(&w.status_token),
                &issuer_key,
                STATUS_URI,
                NOW.unix_timestamp(),
            )
            .unwrap()
        })
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = floor, check, receive
}
criterion_main!(benches);
