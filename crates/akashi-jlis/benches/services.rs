//! J-LIS service benchmarks: OCSP answers (signed afresh vs pre-produced), CRL generation for
//! large revocation lists, and life-event throughput on SQLite (and PostgreSQL when
//! `AKASHI_TEST_POSTGRES_URL` is set).
//!
//! `cargo bench -p akashi-jlis --bench services`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

use akashi_card::MemoryStore;
use akashi_crypto::{OsRandom, RsaPrivateKey, SealingKey};
use akashi_jlis::{
    issue_card, Authority, CardIssueRequest, LifeEvent, OcspResponder, Registry, Verifier,
};
use akashi_jpki::profile::{build_ca, CaParams};
use akashi_jpki::{BasicFourAttributes, CertificateKind, JpkiCertificate, SerialNumber, Sex};
use akashi_revocation::{build_crl, CertId, CertIdHash, CrlParams, RevocationReason, RevokedEntry};
use akashi_store::Store;

const NOW: OffsetDateTime = datetime!(2026-11-23 01:00 UTC);

fn person() -> BasicFourAttributes {
    BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: date!(1990 - 04 - 01),
        sex: Sex::Female,
    }
}

/// OCSPRequest for one CertID, with an optional nonce.
fn request(id: &CertId, nonce: bool) -> Vec<u8> {
    akashi_revocation::build_request(&[id], nonce.then_some(&b"0123456789abcdef"[..])).unwrap()
}

struct World {
    _dir: tempfile::TempDir,
    ocsp: OcspResponder,
    verifier: Verifier,
    cert_id: CertId,
    registry: Registry,
}

fn world(rt: &tokio::runtime::Runtime, store: Option<Store>) -> World {
    let dir = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let store = match store {
            Some(s) => s,
            None => Store::open_in_dir(dir.path()).await.unwrap(),
        };
        let mut authority =
            Authority::init(dir.path(), SealingKey::from_bytes([5; 32]), NOW, &OsRandom).unwrap();
        let registry = Registry::new(store.clone());
        registry.add_resident("R1", &person(), NOW).await.unwrap();
        let p = person();
        let card_request = CardIssueRequest {
            person: &p,
            auth_pin: "1234",
            sign_pin: "ABC123",
        };
        let issued = issue_card(
            &mut authority,
            &card_request,
            MemoryStore::default(),
            NOW,
            &OsRandom,
        )
        .unwrap();
        let c = &issued.certificates;
        registry
            .record_issued(
                "R1",
                "card",
                &[(&c.signature, None), (&c.authentication, None)],
                NOW,
            )
            .await
            .unwrap();
        let generation = authority
            .generations(CertificateKind::Signature)
            .unwrap()
            .remove(0);
        let responder = authority.responder(&generation, NOW, &OsRandom).unwrap();
        let serial = c
            .signature
            .certificate
            .certificate()
            .tbs_certificate
            .serial_number
            .clone();
        let cert_id = CertId::new(CertIdHash::Sha1, &generation.certificate, serial).unwrap();
        let (verifier, _) = registry
            .register_verifier("Bank", NOW, &OsRandom)
            .await
            .unwrap();
        World {
            _dir: dir,
            ocsp: OcspResponder::new(vec![responder], store, Duration::minutes(5)),
            verifier,
            cert_id,
            registry,
        }
    })
}

fn ocsp(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let w = world(&rt, None);
    let mut g = c.benchmark_group("ocsp_sqlite");
    g.throughput(Throughput::Elements(1));
    let fresh = request(&w.cert_id, true);
    g.bench_function("signed_afresh_with_nonce", |b| {
        b.iter(|| rt.block_on(w.ocsp.respond(&w.verifier, &fresh, NOW)))
    });
    let plain = request(&w.cert_id, false);
    g.bench_function("pre_produced_without_nonce", |b| {
        b.iter(|| rt.block_on(w.ocsp.respond(&w.verifier, &plain, NOW)))
    });
    g.finish();
}

fn crl(c: &mut Criterion) {
    let key = RsaPrivateKey::generate().unwrap();
    let unsigned = build_ca(&CaParams {
        kind: CertificateKind::Signature,
        serial: SerialNumber::from(1u32),
        not_before: NOW,
        not_after: NOW + Duration::days(3650),
        public_key_der: &key.public_key_der().unwrap(),
    })
    .unwrap();
    let sig = key.sign_pkcs1_sha256(unsigned.to_be_signed()).unwrap();
    let ca = JpkiCertificate::from_der(&unsigned.complete(&sig).unwrap()).unwrap();
    let mut g = c.benchmark_group("crl");
    g.sample_size(10);
    for n in [100_000u32, 1_000_000] {
        let entries: Vec<RevokedEntry> = (0..n)
            .map(|i| RevokedEntry {
                serial: SerialNumber::from(0x4000_0000u32 + i),
                revoked_at: NOW - Duration::seconds(i64::from(i)),
                reason: if i % 3 == 0 {
                    RevocationReason::AffiliationChanged
                } else {
                    RevocationReason::Superseded
                },
            })
            .collect();
        let size = {
            let u = build_crl(&CrlParams {
                issuer: &ca,
                this_update: NOW,
                next_update: NOW + Duration::days(1),
                crl_number: 1,
                entries: &entries,
            })
            .unwrap();
            let s = key.sign_pkcs1_sha256(u.to_be_signed()).unwrap();
            u.complete(&s).unwrap().len()
        };
        eprintln!("CRL with {n} entries: {size} bytes");
        g.throughput(Throughput::Elements(u64::from(n)));
        g.bench_function(format!("build_and_sign_{n}"), |b| {
            b.iter(|| {
                let u = build_crl(&CrlParams {
                    issuer: &ca,
                    this_update: NOW,
                    next_update: NOW + Duration::days(1),
                    crl_number: 1,
                    entries: &entries,
                })
                .unwrap();
                let s = key.sign_pkcs1_sha256(u.to_be_signed()).unwrap();
                u.complete(&s).unwrap()
            })
        });
    }
    g.finish();
}

fn events(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut backends = vec![("sqlite", world(&rt, None))];
    if let Ok(base) = std::env::var("AKASHI_TEST_POSTGRES_URL") {
        let store = rt.block_on(async {
            let admin = Store::open(&base).await.unwrap();
            let name = format!("akashi_bench_{}", std::process::id());
            admin
                .raw_execute(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            Store::open(&base.replacen("/postgres?", &format!("/{name}?"), 1))
                .await
                .unwrap()
        });
        backends.push(("postgres", world(&rt, Some(store))));
    }
    let mut g = c.benchmark_group("life_events");
    g.throughput(Throughput::Elements(2));
    for (name, w) in &backends {
        // One iteration = two events (card lost, card found), each its own transaction.
        g.bench_function(format!("{name}_lose_and_found"), |b| {
            b.iter_batched(
                || (),
                |()| {
                    rt.block_on(async {
                        w.registry
                            .apply("R1", &LifeEvent::Lose { compromised: false }, NOW)
                            .await
                            .unwrap();
                        w.registry
                            .apply("R1", &LifeEvent::Found, NOW)
                            .await
                            .unwrap();
                    })
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, ocsp, crl, events);
criterion_main!(benches);
