//! Issue → present → verify, what a verifier learns, and every refusal.

use serde_json::{json, Map, Value};

use akashi_crypto::OsRandom;
use akashi_sdjwt::{
    issue, present, verify, Disclosure, EcPrivateKey, Expectations, Issuance, KeyBinding,
    KeyBindingExpectation, SdJwtError,
};

const NOW: i64 = 1_795_400_000;

fn claims() -> Map<String, Value> {
    let Value::Object(map) = json!({
        "iss": "https://issuer.akashi.example",
        "iat": NOW,
        "vct": "urn:akashi:jp:identity:1",
        "family_name": "山田",
        "given_name": "花子",
        "birthdate": "1990-04-01",
        "address": {"prefecture": "東京都", "municipality": "千代田区", "rest": "霞が関二丁目1番2号"},
        "age_equal_or_over": {"18": true, "20": true, "65": false},
    }) else {
        unreachable!()
    };
    map
}

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

struct Fixture {
    issuer: EcPrivateKey,
    holder: EcPrivateKey,
    sd_jwt: String,
}

fn fixture() -> Fixture {
    let issuer = EcPrivateKey::generate(&OsRandom).unwrap();
    let holder = EcPrivateKey::generate(&OsRandom).unwrap();
    let holder_public = holder.public_key();
    let sd_jwt = issue(
        &Issuance {
            claims: claims(),
            disclosable: DISCLOSABLE,
            decoys: 2,
            typ: "dc+sd-jwt",
            holder: Some(&holder_public),
        },
        &issuer,
        &OsRandom,
    )
    .unwrap();
    Fixture {
        issuer,
        holder,
        sd_jwt,
    }
}

fn binding<'a>(holder: &'a EcPrivateKey, aud: &'a str, nonce: &'a str) -> KeyBinding<'a> {
    KeyBinding {
        key: holder,
        audience: aud,
        nonce,
        issued_at: NOW,
    }
}

fn expect<'a>(
    issuer: &'a akashi_sdjwt::EcPublicKey,
    aud: &'a str,
    nonce: &'a str,
) -> Expectations<'a> {
    Expectations {
        issuer_key: issuer,
        key_binding: Some(KeyBindingExpectation {
            audience: aud,
            nonce,
            now: NOW + 5,
            max_age: 300,
        }),
    }
}

#[test]
fn a_verifier_learns_exactly_what_was_disclosed() {
    let f = fixture();
    let presentation = present(
        &f.sd_jwt,
        &["age_equal_or_over.20", "address.municipality"],
        Some(&binding(&f.holder, "https://shop.example", "n-1")),
    )
    .unwrap();
    // The presentation carries exactly two Disclosures.
    let parts: Vec<&str> = presentation.split('~').collect();
    let disclosed: Vec<Disclosure> = parts[1..parts.len() - 1]
        .iter()
        .map(|d| Disclosure::parse(d).unwrap())
        .collect();
    let names: Vec<_> = disclosed.iter().map(|d| d.name.clone().unwrap()).collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"20".to_owned()) && names.contains(&"municipality".to_owned()));

    let issuer_public = f.issuer.public_key();
    let verified = verify(
        &presentation,
        &expect(&issuer_public, "https://shop.example", "n-1"),
    )
    .unwrap();
    let c = &verified.claims;
    assert_eq!(c["age_equal_or_over"], json!({"20": true}));
    assert_eq!(c["address"], json!({"municipality": "千代田区"}));
    for hidden in ["family_name", "given_name", "birthdate", "_sd", "_sd_alg"] {
        assert!(!c.contains_key(hidden), "{hidden} leaked");
    }
    let text = Value::Object(c.clone()).to_string();
    for hidden in [
        "花子",
        "山田",
        "1990",
        "霞が関",
        "東京都",
        "\"65\"",
        "\"18\"",
    ] {
        assert!(!text.contains(hidden), "{hidden} leaked into {text}");
    }
    assert_eq!(verified.header["typ"], "dc+sd-jwt");
    assert_eq!(verified.holder.unwrap(), f.holder.public_key());
}

#[test]
fn two_issuances_share_no_salt_digest_or_signature() {
    let a = fixture();
    let b = issue(
        &Issuance {
            claims: claims(),
            disclosable: DISCLOSABLE,
            decoys: 2,
            typ: "dc+sd-jwt",
            holder: Some(&a.holder.public_key()),
        },
        &a.issuer,
        &OsRandom,
    )
    .unwrap();
    let pieces = |s: &str| -> Vec<String> {
        s.split(['~', '.'])
            .filter(|p| p.len() >= 16)
            .map(str::to_owned)
            .collect()
    };
    let (pa, pb) = (pieces(&a.sd_jwt), pieces(&b));
    // The JWS header is common by design; nothing else may be.
    let header = a.sd_jwt.split('.').next().unwrap();
    for p in &pa {
        if p != header {
            assert!(!pb.contains(p), "shared {p}");
        }
    }
}

#[test]
fn refusals() {
    let f = fixture();
    let issuer_public = f.issuer.public_key();
    let kb = binding(&f.holder, "https://shop.example", "n-1");
    let good = present(&f.sd_jwt, &["birthdate"], Some(&kb)).unwrap();
    let ok = expect(&issuer_public, "https://shop.example", "n-1");
    verify(&good, &ok).unwrap();

    // Another audience, another nonce, a stale or future iat.
    let wrong_aud = expect(&issuer_public, "https://other.example", "n-1");
    assert!(matches!(
        verify(&good, &wrong_aud),
        Err(SdJwtError::KeyBinding(_))
    ));
    let wrong_nonce = expect(&issuer_public, "https://shop.example", "n-2");
    assert!(matches!(
        verify(&good, &wrong_nonce),
        Err(SdJwtError::KeyBinding(_))
    ));
    let mut late = ok.clone();
    late.key_binding.as_mut().unwrap().now = NOW + 3600;
    assert!(matches!(
        verify(&good, &late),
        Err(SdJwtError::KeyBinding(_))
    ));
    // No Key Binding JWT when one is required.
    let bare = present(&f.sd_jwt, &["birthdate"], None).unwrap();
    assert!(matches!(verify(&bare, &ok), Err(SdJwtError::KeyBinding(_))));
    // Key binding by another key.
    let thief = EcPrivateKey::generate(&OsRandom).unwrap();
    let stolen = present(
        &f.sd_jwt,
        &["birthdate"],
        Some(&binding(&thief, "https://shop.example", "n-1")),
    )
    .unwrap();
    assert!(matches!(
        verify(&stolen, &ok),
        Err(SdJwtError::KeyBinding(_))
    ));
    // A Disclosure added after the Key Binding JWT was made: sd_hash no longer matches.
    let (head, kb_jwt) = good.rsplit_once('~').unwrap();
    let extra = present(&f.sd_jwt, &["given_name"], None).unwrap();
    let given = extra.split('~').nth(1).unwrap();
    let widened = format!("{head}~{given}~{kb_jwt}");
    assert!(matches!(
        verify(&widened, &ok),
        Err(SdJwtError::KeyBinding(_))
    ));
    // A tampered Disclosure is referenced by nothing; a repeated one is refused.
    let parts: Vec<&str> = good.split('~').collect();
    let mut tampered = parts.clone();
    let changed = format!("{}A", &parts[1][..parts[1].len() - 1]);
    tampered[1] = &changed;
    let tampered = tampered.join("~");
    assert!(verify(&tampered, &ok).is_err());
    let doubled = format!("{}~{}~{}", parts[0], parts[1], &good[parts[0].len() + 1..]);
    assert!(matches!(
        verify(&doubled, &ok),
        Err(SdJwtError::DuplicateDisclosure(_))
    ));
    // Another issuer's key; a changed payload byte.
    let other = EcPrivateKey::generate(&OsRandom).unwrap().public_key();
    assert_eq!(
        verify(&good, &expect(&other, "https://shop.example", "n-1")).unwrap_err(),
        SdJwtError::IssuerSignature
    );
    let mut bytes = good.clone().into_bytes();
    bytes[parts[0].find('.').unwrap() + 5] ^= 1;
    let flipped = String::from_utf8(bytes).unwrap();
    assert!(verify(&flipped, &ok).is_err());
    // Not an SD-JWT at all.
    assert!(matches!(verify("abc", &ok), Err(SdJwtError::Malformed(_))));
    assert!(matches!(
        present(&f.sd_jwt, &["nationality"], None),
        Err(SdJwtError::Malformed(_))
    ));
}
