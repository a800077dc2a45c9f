//! Interoperability with the SD-JWT reference implementation (`sd-jwt` 0.10.4 from PyPI,
//! installed pinned by scripts/setup.sh): it verifies our presentations, and we verify what it
//! issued and presented.

#[path = "support/python.rs"]
mod python;

use serde_json::{json, Value};

use python::python;

use akashi_crypto::OsRandom;
use akashi_sdjwt::{
    issue, present, verify, EcPrivateKey, EcPublicKey, Expectations, Issuance, KeyBinding,
    KeyBindingExpectation,
};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn the_reference_verifier_accepts_our_presentation() {
    let issuer = EcPrivateKey::generate(&OsRandom).unwrap();
    let holder = EcPrivateKey::generate(&OsRandom).unwrap();
    let Value::Object(claims) = json!({
        "iss": "https://issuer.akashi.example",
        "iat": now(),
        "given_name": "花子",
        "birthdate": "1990-04-01",
        "address": {"prefecture": "東京都", "municipality": "千代田区"},
    }) else {
        unreachable!()
    };
    let holder_public = holder.public_key();
    let sd_jwt = issue(
        &Issuance {
            claims,
            disclosable: &[
                "given_name",
                "birthdate",
                "address.prefecture",
                "address.municipality",
            ],
            decoys: 3,
            typ: "dc+sd-jwt",
            holder: Some(&holder_public),
        },
        &issuer,
        &OsRandom,
    )
    .unwrap();
    let presentation = present(
        &sd_jwt,
        &["address.municipality"],
        Some(&KeyBinding {
            key: &holder,
            audience: "https://city.example",
            nonce: "nonce-42",
            issued_at: now(),
        }),
    )
    .unwrap();
    let script = r#"
import json, sys
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier
d = json.load(sys.stdin)
issuer = JWK(**d["issuer_jwk"])
v = SDJWTVerifier(d["presentation"], lambda iss, header: issuer, d["aud"], d["nonce"])
print(json.dumps(v.get_verified_payload(), ensure_ascii=False, sort_keys=True))
"#;
    let input = json!({
        "issuer_jwk": issuer.public_key().to_jwk(),
        "presentation": presentation,
        "aud": "https://city.example",
        "nonce": "nonce-42",
    });
    let Some(out) = python(script, &input) else {
        return;
    };
    let payload: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(payload["address"], json!({"municipality": "千代田区"}));
    assert!(payload.get("given_name").is_none() && payload.get("birthdate").is_none());
    assert_eq!(payload["iss"], "https://issuer.akashi.example");
}

#[test]
fn we_verify_what_the_reference_implementation_issued() {
    let script = r#"
import json, sys, time
from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.holder import SDJWTHolder
d = json.load(sys.stdin)
issuer = JWK.generate(kty="EC", crv="P-256")
holder = JWK.generate(kty="EC", crv="P-256")
claims = {
    "iss": "https://reference.example",
    "iat": int(time.time()),
    SDObj("given_name"): "花子",
    SDObj("birthdate"): "1990-04-01",
    "address": {SDObj("municipality"): "千代田区", SDObj("rest"): "霞が関二丁目1番2号"},
    "nationalities": [SDObj("JP"), "US"],
}
i = SDJWTIssuer(claims, issuer, holder, add_decoy_claims=True)
h = SDJWTHolder(i.sd_jwt_issuance)
h.create_presentation({"address": {"municipality": True}, "nationalities": [True, True]}, d["nonce"], d["aud"], holder)
print(json.dumps({"issuer_jwk": issuer.export_public(as_dict=True), "presentation": h.sd_jwt_presentation}))
"#;
    let Some(out) = python(
        script,
        &json!({"aud": "https://city.example", "nonce": "n-7"}),
    ) else {
        return;
    };
    let theirs: Value = serde_json::from_str(out.trim()).unwrap();
    let issuer = EcPublicKey::from_jwk(&theirs["issuer_jwk"]).unwrap();
    let presentation = theirs["presentation"].as_str().unwrap();
    let expect = Expectations {
        issuer_key: &issuer,
        key_binding: Some(KeyBindingExpectation {
            audience: "https://city.example",
            nonce: "n-7",
            now: now(),
            max_age: 300,
        }),
    };
    let verified = verify(presentation, &expect).unwrap();
    let c = &verified.claims;
    assert_eq!(c["address"], json!({"municipality": "千代田区"}));
    assert_eq!(c["nationalities"], json!(["JP", "US"]));
    assert!(c.get("given_name").is_none() && c.get("birthdate").is_none());
    // Their presentation for another verifier is refused here.
    let other = Expectations {
        key_binding: Some(KeyBindingExpectation {
            audience: "https://elsewhere.example",
            nonce: "n-7",
            now: now(),
            max_age: 300,
        }),
        ..expect
    };
    assert!(verify(presentation, &other).is_err());
}
