//! Validation time of a three-signer PAdES-LTA contract (small, and with 10 MB of content),
//! and of a detached CAdES-B-LT over a 10 MB file, beside the floor of the same run: one
//! RSA-2048 signature verification and SHA-256 over 10 MB.
//!
//! `cargo bench -p akashi-sign --bench validate`

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use time::{Duration, OffsetDateTime};

use akashi_card::Card;
use akashi_crypto::OsRandom;
use akashi_jlis::Registry;
use akashi_jpki::JpkiCertificate;
use akashi_sign::{
    add_document_timestamp, add_pades_validation_data, add_signature_timestamp,
    add_validation_data, prepare_cades, prepare_pades, validate_cades, validate_pades, Anchors,
    Evidence, LocalJlis, LocalTsa,
};
use akashi_store::Store;
use akashi_tsa::{Tsa, TsaAuthority};

const TEN_MB: usize = 10 * 1024 * 1024;

struct Signed {
    anchors: Anchors,
    small: Vec<u8>,
    large: Vec<u8>,
    file: Vec<u8>,
    cades: Vec<u8>,
}

async fn setup() -> Signed {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let now = OffsetDateTime::now_utc();
    let mut authority = support::jlis(d, now);
    let store = Store::open_in_dir(d).await.unwrap();
    let registry = Registry::new(store.clone());
    let tsa =
        Tsa::new(TsaAuthority::open_or_create(d, &support::sealing_key(), now, &OsRandom).unwrap());
    let local = LocalTsa {
        tsa: &tsa,
        store: &store,
        now,
    };
    let mut cards = Vec::new();
    for id in ["a", "b", "c"] {
        let person = support::person("山田\u{3000}花子", time::macros::date!(1990 - 04 - 01));
        let mut card = support::registered_card(&mut authority, &registry, id, &person, now).await;
        let cert = support::signature_certificate(&mut card);
        cards.push((card, cert));
    }
    let source = LocalJlis {
        authority: &authority,
        store: &store,
        now,
        tsa: Evidence {
            certificates: vec![tsa.authority().ca_certificate().to_vec()],
            crls: vec![tsa
                .authority()
                .crl(d, &support::sealing_key(), now)
                .unwrap()],
            ocsp_responses: Vec::new(),
        },
    };
    let base = akashi_pdf::text_pdf("Contract", &["Article 1."]);
    let mut contracts = Vec::new();
    for mut pdf in [
        base.clone(),
        support::append_stream_object(&base, 99, &vec![b'x'; TEN_MB]),
    ] {
        for (i, (card, cert)) in cards.iter_mut().enumerate() {
            let p = prepare_pades(&pdf, &format!("Signer{}", i + 1), cert, now).unwrap();
            let sig = card.sign(p.to_be_signed(), support::PIN).unwrap();
            pdf = p.complete_with_timestamp(&sig, &local).await.unwrap();
        }
        pdf = add_pades_validation_data(&pdf, &source).await.unwrap();
        pdf = add_document_timestamp(&pdf, &local).await.unwrap();
        contracts.push(pdf);
    }
    let file = vec![7u8; TEN_MB];
    let (card, cert) = &mut cards[0];
    let p = prepare_cades(&file, cert, now).unwrap();
    let sig = card.sign(p.to_be_signed(), support::PIN).unwrap();
    let cades = add_signature_timestamp(&p.complete(&sig).unwrap(), &local)
        .await
        .unwrap();
    let cades = add_validation_data(&cades, &source).await.unwrap();
    let mut anchors = Anchors::default();
    anchors.add(
        JpkiCertificate::from_pem_or_der(&std::fs::read(d.join("sign-root.pem")).unwrap()).unwrap(),
    );
    anchors.add(JpkiCertificate::from_der(tsa.authority().ca_certificate()).unwrap());
    let large = contracts.pop().unwrap();
    let small = contracts.pop().unwrap();
    Signed {
        anchors,
        small,
        large,
        file,
        cades,
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s = rt.block_on(setup());
    let at = OffsetDateTime::now_utc() + Duration::days(6 * 366);
    assert!(validate_pades(&s.small, &s.anchors, at).all_passed());
    assert!(validate_pades(&s.large, &s.anchors, at).all_passed());
    assert!(validate_cades(&s.file, &s.cades, &s.anchors, at).all_passed());
    let mut g = c.benchmark_group("validate");
    g.sample_size(10);
    g.bench_function("pades_lta_3_signers", |b| {
        b.iter(|| validate_pades(&s.small, &s.anchors, at))
    });
    g.bench_function("pades_lta_3_signers_10mb", |b| {
        b.iter(|| validate_pades(&s.large, &s.anchors, at))
    });
    g.bench_function("cades_lt_10mb", |b| {
        b.iter(|| validate_cades(&s.file, &s.cades, &s.anchors, at))
    });
    // Floors of the same run.
    g.bench_function("floor_sha256_10mb", |b| {
        b.iter(|| akashi_crypto::sha256(&s.file))
    });
    let root = &s.anchors.jpki.roots()[0];
    let key = root.public_key_der().unwrap();
    g.bench_function("floor_rsa2048_verify", |b| {
        b.iter(|| {
            akashi_crypto::verify_rsa_pkcs1(
                &key,
                akashi_crypto::HashAlgorithm::Sha256,
                root.tbs_der(),
                root.certificate().signature.raw_bytes(),
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
