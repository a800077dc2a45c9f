//! SD-JWT VC: issuance (9 disclosable claims, 2 decoys per object) and verification of a
//! presentation with 2 Disclosures and a Key Binding JWT, beside the P-256 ECDSA verify floor
//! (two verifications per presentation: issuer and holder).

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

use akashi_crypto::OsRandom;
use akashi_sdjwt::{
    issue, present, verify_vc, EcPrivateKey, Expectations, Issuance, KeyBinding,
    KeyBindingExpectation,
};

const NOW: i64 = 1_795_400_000;
const DISCLOSABLE: &[&str] = &[
    "family_name",
    "given_name",
    "birthdate",
    "address.prefecture",
    "address.municipality",
    "address.rest",
    "age_equal_or_over.18",
    "age_equal_or_over.20",
    "age_equal_or_over.65",
];

fn bench(c: &mut Criterion) {
    let issuer = EcPrivateKey::generate(&OsRandom).unwrap();
    let holder = EcPrivateKey::generate(&OsRandom).unwrap();
    let holder_public = holder.public_key();
    let Value::Object(claims) = json!({
        "iss": "https://issuer.akashi.example", "iat": NOW, "exp": NOW + 604800,
        "vct": "urn:akashi:jp:identity:1",
        "family_name": "山田", "given_name": "花子", "birthdate": "1990-04-01",
        "address": {"prefecture": "東京都", "municipality": "千代田区", "rest": "霞が関二丁目1番2号"},
        "age_equal_or_over": {"18": true, "20": true, "65": false},
    }) else {
        unreachable!()
    };
    let issuance = Issuance {
        claims,
        disclosable: DISCLOSABLE,
        decoys: 2,
        typ: "dc+sd-jwt",
        holder: Some(&holder_public),
    };
    c.bench_function("sd-jwt vc issue", |b| {
        b.iter(|| issue(&issuance, &issuer, &OsRandom).unwrap())
    });
    let sd_jwt = issue(&issuance, &issuer, &OsRandom).unwrap();
    let presentation = present(
        &sd_jwt,
        &["age_equal_or_over.20", "address.municipality"],
        Some(&KeyBinding {
            key: &holder,
            audience: "https://shop.example",
            nonce: "n",
            issued_at: NOW,
        }),
    )
    .unwrap();
    let issuer_public = issuer.public_key();
    let expect = Expectations {
        issuer_key: &issuer_public,
        key_binding: Some(KeyBindingExpectation {
            audience: "https://shop.example",
            nonce: "n",
            now: NOW,
            max_age: 300,
        }),
    };
    c.bench_function("sd-jwt vc verify presentation + kb-jwt", |b| {
        b.iter(|| verify_vc(&presentation, &expect, NOW).unwrap())
    });
    // The floor: one P-256 ECDSA verification on the same provider.
    let key = akashi_crypto::P256PrivateKey::generate(&OsRandom).unwrap();
    let signature = key.sign_es256(b"floor").unwrap();
    let verifying = key.public_key();
    c.bench_function("floor: one P-256 ecdsa verify", |b| {
        b.iter(|| verifying.verify_es256(b"floor", &signature).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
