//! Issuances per second at the private ID issuer's credential endpoint, on one core.
//!
//! `credential/*` times [`IssuerService::credential`], the domain call behind `POST
//! /issuer/credential`, for a holder proofed beforehand (untimed) with a virtual My Number
//! Card through the real path: J-LIS (authority, registry, OCSP responder) in process on an
//! SQLite store in a tempdir, the issuer registered there as a verifier, challenge signed by
//! the card, proofing, credential offer, pre-authorized code exchanged at the token endpoint.
//! Each call includes: the access token's MAC, every key proof (`openid4vci-proof+jwt`: ES256
//! signature by its header key, audience, `iat`, the issuer's MAC'd `c_nonce`) or the BBS
//! commitment decoded; the holder read from SQLite and its attributes unsealed (AES-256-GCM);
//! per SD-JWT copy a random status-list index recorded and the SD-JWT VC issued (9 disclosable
//! claims, 2 decoys per object, ES256); for BBS the pseudonym entropy unsealed, the
//! commitment's proof of knowledge verified and the 9-message credential signed blindly; one
//! SQLite commit. The same key proofs and commitment are sent on every iteration (the nonce
//! is stateless and stays live at the fixed time of the run), so their making is not timed.
//!
//! - `sd_jwt_x1`: one SD-JWT VC copy (one key proof).
//! - `sd_jwt_x5`: a batch of 5 copies (5 key proofs, 5 holder keys), the wallet's default.
//! - `bbs_blind`: one blind BBS credential.
//!
//! `library/*`, in the same run: the signing alone (no endpoint, store or proofs) —
//! `akashi_sdjwt::issue` of one identity SD-JWT VC and `akashi_bbs::issue` of one blind BBS
//! credential (commitment proof verified, signed) — and one ES256 signature as the floor.
//!
//! Run: `cargo bench -p akashi-issuer --bench issue` (sample size 20, 3 s measurement per
//! function, about 30 s once built); `-- --quick` for a rough pass.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rand_core::OsRng;
use serde_json::{json, Map};
use time::macros::{date, datetime};
use time::OffsetDateTime;

use akashi_bbs::{request_issuance, HolderSecret, IssuanceRequest};
use akashi_card::{Card, CertificateSlot, JpkiCard, MemoryStore, VirtualTransport};
use akashi_credential::{IdentityClaims, BBS_PROFILE, DISCLOSABLE};
use akashi_crypto::{OsRandom, SealingKey};
use akashi_issuer::CONFIG_SD_JWT;
use akashi_issuer::{IssuerConfig, IssuerKeys, IssuerService, BBS_SUITE, CONFIG_BBS};
use akashi_jlis::{issue_card, Authority, CardIssueRequest, OcspResponder, Registry};
use akashi_jpki::{BasicFourAttributes, CertificateKind, Sex, TrustAnchors};
use akashi_oid4vc::proofing::ProofingRequest;
use akashi_oid4vc::vci::{
    CredentialOffer, CredentialRequest, Proofs, TokenRequest, GRANT_PRE_AUTHORIZED, PROOF_TYP,
};
use akashi_pf::InProcessJlis;
use akashi_sdjwt::{sign_jwt, EcPrivateKey, Issuance};
use akashi_store::Store;

const NOW: OffsetDateTime = datetime!(2026-11-23 01:00 UTC);
const ISSUER_URL: &str = "https://id.akashi.example/issuer";
const SIGN_PIN: &str = "ABC123";

fn person() -> BasicFourAttributes {
    BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: date!(1990 - 04 - 01),
        sex: Sex::Female,
    }
}

struct World {
    _dir: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
    issuer: IssuerService,
    access_token: String,
    c_nonce: String,
}

/// J-LIS with one resident and her card, the issuer registered there, the holder proofed and
/// holding an access token.
fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (issuer, access_token) = rt.block_on(async {
        let store = Store::open_in_dir(dir.path()).await.unwrap();
        let key = SealingKey::from_bytes([7; 32]);
        let mut authority = Authority::init(dir.path(), key, NOW, &OsRandom).unwrap();
        let registry = Registry::new(store.clone());
        let p = person();
        registry.add_resident("R1", &p, NOW).await.unwrap();
        let issued = issue_card(
            &mut authority,
            &CardIssueRequest {
                person: &p,
                auth_pin: "1234",
                sign_pin: SIGN_PIN,
            },
            MemoryStore::default(),
            NOW,
            &OsRandom,
        )
        .unwrap();
        let c = &issued.certificates;
        registry
            .record_issued(
                "R1",
                "card-1",
                &[(&c.signature, None), (&c.authentication, None)],
                NOW,
            )
            .await
            .unwrap();
        let mut card = JpkiCard::new(VirtualTransport(issued.card));
        let ocsp = Arc::new(OcspResponder::new(
            authority.responders(NOW, &OsRandom).unwrap(),
            store.clone(),
            time::Duration::ZERO,
        ));
        let mut anchors = TrustAnchors::default();
        for kind in [CertificateKind::Signature, CertificateKind::Authentication] {
            for generation in authority.generations(kind).unwrap() {
                anchors.push(generation.certificate);
            }
        }
        let (verifier, _) = registry
            .register_verifier("Bench issuer", NOW, &OsRandom)
            .await
            .unwrap();
        let issuer = IssuerService::new(
            store,
            IssuerKeys::generate(&OsRandom).unwrap(),
            IssuerConfig::new(ISSUER_URL),
            anchors,
            Arc::new(InProcessJlis {
                registry,
                ocsp,
                verifier,
            }),
        );

        // Proofing with the card, the offer, the token.
        let challenge = issuer.challenge(None, NOW, &OsRandom).unwrap();
        let tbs = STANDARD.decode(&challenge.to_be_signed).unwrap();
        let certificate = card
            .read_certificate(CertificateSlot::Signature, Some(SIGN_PIN))
            .unwrap();
        let signature = card.sign(&tbs, SIGN_PIN).unwrap();
        let proofed = issuer
            .proof(
                &ProofingRequest {
                    challenge: challenge.challenge,
                    certificate: STANDARD.encode(certificate),
                    signature: STANDARD.encode(signature),
                    consent_updates: false,
                },
                NOW,
                &OsRandom,
            )
            .await
            .unwrap();
        assert_eq!(proofed.anchor_status, "good");
        let offer = issuer.offer(&proofed, NOW, &OsRandom).await.unwrap();
        let offer = CredentialOffer::parse(&offer.credential_offer_uri).unwrap();
        let code = offer
            .grants
            .unwrap()
            .pre_authorized_code
            .unwrap()
            .pre_authorized_code;
        let token = issuer
            .token(
                &TokenRequest {
                    grant_type: GRANT_PRE_AUTHORIZED.into(),
                    pre_authorized_code: Some(code),
                    ..Default::default()
                },
                NOW,
                &OsRandom,
            )
            .await
            .unwrap();
        (issuer, token.access_token)
    });
    let c_nonce = issuer.nonce(NOW, &OsRandom).unwrap().c_nonce;
    World {
        _dir: dir,
        rt,
        issuer,
        access_token,
        c_nonce,
    }
}

/// `n` key proofs for the SD-JWT configuration, each by its own holder key.
fn sd_jwt_request(nonce: &str, n: usize) -> CredentialRequest {
    let proofs = (0..n)
        .map(|_| {
            let key = EcPrivateKey::generate(&OsRandom).unwrap();
            let mut header = Map::new();
            header.insert("jwk".into(), key.public_key().to_jwk());
            let payload = json!({ "aud": ISSUER_URL, "iat": NOW.unix_timestamp(), "nonce": nonce });
            sign_jwt(PROOF_TYP, header, &payload, &key).unwrap()
        })
        .collect();
    CredentialRequest {
        credential_configuration_id: Some(CONFIG_SD_JWT.into()),
        credential_identifier: None,
        proofs: Some(Proofs {
            jwt: Some(proofs),
            akashi_bbs_commitment: None,
        }),
    }
}

/// The holder's blind commitment (with its proof of knowledge) for the BBS configuration.
fn bbs_commitment() -> IssuanceRequest {
    request_issuance(BBS_SUITE, &HolderSecret::generate(&mut OsRng), &mut OsRng).0
}

fn bbs_request(commitment: &IssuanceRequest) -> CredentialRequest {
    CredentialRequest {
        credential_configuration_id: Some(CONFIG_BBS.into()),
        credential_identifier: None,
        proofs: Some(Proofs {
            jwt: None,
            akashi_bbs_commitment: Some(vec![URL_SAFE_NO_PAD.encode(commitment.to_bytes())]),
        }),
    }
}

fn credential(c: &mut Criterion) {
    let w = world();
    let cases = [
        ("sd_jwt_x1", sd_jwt_request(&w.c_nonce, 1), 1),
        ("sd_jwt_x5", sd_jwt_request(&w.c_nonce, 5), 5),
        ("bbs_blind", bbs_request(&bbs_commitment()), 1),
    ];
    let mut g = c.benchmark_group("credential");
    for (name, request, copies) in &cases {
        let issue = || {
            w.rt.block_on(
                w.issuer
                    .credential(&w.access_token, black_box(request), NOW, &OsRandom),
            )
            .unwrap()
        };
        let answer = issue();
        assert!(!answer.deferred);
        assert_eq!(answer.response.credentials.unwrap().len(), *copies);
        // Elements: credential requests answered (a batch of 5 copies is one).
        g.throughput(Throughput::Elements(1));
        g.bench_function(*name, |b| b.iter(issue));
    }
    g.finish();
}

fn library(c: &mut Criterion) {
    let mut g = c.benchmark_group("library");
    g.throughput(Throughput::Elements(1));
    let sd_key = EcPrivateKey::generate(&OsRandom).unwrap();
    let holder = EcPrivateKey::generate(&OsRandom).unwrap().public_key();
    let claims = IdentityClaims::from_attributes(&person()).unwrap();
    let iat = NOW.unix_timestamp();
    let mut payload = claims.sd_jwt_vc_claims(ISSUER_URL, iat, iat + 365 * 86400, NOW.date());
    payload.insert(
        "status".into(),
        json!({ "status_list": { "idx": 4242, "uri": format!("{ISSUER_URL}/status/1") } }),
    );
    g.bench_function("sd_jwt_issue", |b| {
        b.iter(|| {
            akashi_sdjwt::issue(
                &Issuance {
                    claims: payload.clone(),
                    disclosable: DISCLOSABLE,
                    decoys: 2,
                    typ: "dc+sd-jwt",
                    holder: Some(&holder),
                },
                &sd_key,
                &OsRandom,
            )
            .unwrap()
        })
    });
    let bbs_key = akashi_bbs::SecretKey::generate(BBS_SUITE, &mut OsRng);
    let commitment = bbs_commitment();
    let entropy = akashi_bbs::NymEntropy::random(&mut OsRng);
    let messages = claims.bbs_messages(date!(2026 - 11 - 30));
    g.bench_function("bbs_blind_issue", |b| {
        b.iter(|| {
            akashi_bbs::issue(
                &bbs_key,
                black_box(&commitment),
                &entropy,
                BBS_PROFILE.as_bytes(),
                &messages,
            )
            .unwrap()
        })
    });
    let floor = akashi_crypto::P256PrivateKey::generate(&OsRandom).unwrap();
    g.bench_function("floor_p256_ecdsa_sign", |b| {
        b.iter(|| floor.sign_es256(black_box(b"floor")).unwrap())
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
    targets = credential, library
}
criterion_main!(benches);
