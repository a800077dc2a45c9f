//! The independent check: jwcrypto (pinned by scripts/setup.sh) (a) decrypts our JWEs with the
//! private keys we export as JWKs, (b) verifies our RS256 and ES256 JWSs and refuses a tampered
//! one, (c) encrypts JWEs to our public keys that we decrypt, and (d) signs a JWS and a DPoP
//! proof that we verify.

mod support;

#[path = "support/python.rs"]
mod python;

use serde_json::{json, Value};

use akashi_crypto::OsRandom;
use akashi_jose::dpop::{verify_proof, ProofExpectations, DPOP_ALGORITHMS};
use akashi_jose::jwe::{
    decrypt_compact, encrypt_compact, ContentEncryption, JweAlgorithm, RecipientKey,
};
use akashi_jose::jwk::PublicJwk;
use akashi_jose::jws::{sign_compact, verify_compact, JwsAlgorithm, JwsSigner};

use python::python;
use support::{ec_signer, replace_in_part, rsa_signer};

const ID_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiLoirHlrZAifQ.c2ln";

fn recipients() -> [RecipientKey; 2] {
    [
        RecipientKey::generate_rsa(2048, Some("rp-rsa".into())).unwrap(),
        RecipientKey::generate_p256(&OsRandom, Some("rp-ec".into())).unwrap(),
    ]
}

#[test]
fn jwcrypto_decrypts_our_jwes() {
    let mut cases = Vec::new();
    for key in recipients() {
        let alg = match key.public_jwk().unwrap().to_json()["kty"].as_str() {
            Some("RSA") => JweAlgorithm::RsaOaep256,
            _ => JweAlgorithm::EcdhEs,
        };
        for enc in [ContentEncryption::A256Gcm, ContentEncryption::A128Gcm] {
            let public = key.public_jwk().unwrap();
            let jwe = encrypt_compact(
                ID_TOKEN.as_bytes(),
                &public,
                alg,
                enc,
                Some("JWT"),
                &OsRandom,
            )
            .unwrap();
            let private: Value = serde_json::from_str(&key.to_private_jwk().unwrap()).unwrap();
            cases.push(json!({"jwe": jwe, "key": private}));
        }
    }
    let script = r#"
import json, sys
from jwcrypto.jwk import JWK
from jwcrypto.jwe import JWE
out = []
for case in json.load(sys.stdin):
    jwe = JWE(algs=["RSA-OAEP-256", "ECDH-ES", "A256GCM", "A128GCM"])
    jwe.deserialize(case["jwe"], key=JWK(**case["key"]))
    out.append({"plaintext": jwe.payload.decode(), "header": json.loads(jwe.objects["protected"])})
print(json.dumps(out))
"#;
    let Some(out) = python(script, &Value::Array(cases)) else {
        return;
    };
    let results: Vec<Value> = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(results.len(), 4);
    let mut seen = Vec::new();
    for result in results {
        assert_eq!(result["plaintext"], ID_TOKEN);
        assert_eq!(result["header"]["cty"], "JWT");
        seen.push(format!(
            "{}+{}",
            result["header"]["alg"].as_str().unwrap(),
            result["header"]["enc"].as_str().unwrap()
        ));
    }
    assert_eq!(
        seen,
        [
            "RSA-OAEP-256+A256GCM",
            "RSA-OAEP-256+A128GCM",
            "ECDH-ES+A256GCM",
            "ECDH-ES+A128GCM"
        ]
    );
}

#[test]
fn jwcrypto_verifies_our_jws() {
    let payload = br#"{"iss":"https://op.akashi.example","sub":"pairwise-1","nonce":"n-0"}"#;
    let Value::Object(header) = json!({"typ": "JWT"}) else {
        unreachable!()
    };
    let rsa = rsa_signer(Some("op-rs"));
    let ec = ec_signer(Some("op-es"), 1);
    let mut cases = Vec::new();
    for signer in [&rsa as &dyn JwsSigner, &ec] {
        let jws = sign_compact(header.clone(), payload, signer).unwrap();
        let tampered = replace_in_part(&jws, 1, "pairwise-1", "pairwise-2");
        let key = signer.public_jwk().to_json();
        cases.push(json!({"jws": jws, "tampered": tampered, "key": key}));
    }
    let script = r#"
import json, sys
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS, InvalidJWSSignature
out = []
for case in json.load(sys.stdin):
    key = JWK(**case["key"])
    good = JWS()
    good.deserialize(case["jws"])
    good.verify(key)
    bad = JWS()
    bad.deserialize(case["tampered"])
    try:
        bad.verify(key)
        refused = False
    except InvalidJWSSignature:
        refused = True
    out.append({"payload": good.payload.decode(), "alg": good.jose_header["alg"], "tampered_refused": refused})
print(json.dumps(out))
"#;
    let Some(out) = python(script, &Value::Array(cases)) else {
        return;
    };
    let results: Vec<Value> = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(results.len(), 2);
    for (result, alg) in results.iter().zip(["RS256", "ES256"]) {
        assert_eq!(result["payload"], std::str::from_utf8(payload).unwrap());
        assert_eq!(result["alg"], alg);
        assert_eq!(result["tampered_refused"], true);
    }
}

#[test]
fn we_decrypt_what_jwcrypto_encrypted() {
    let keys = recipients();
    let public: Vec<Value> = keys
        .iter()
        .map(|k| k.public_jwk().unwrap().to_json())
        .collect();
    let script = r#"
import json, sys
from jwcrypto.jwk import JWK
from jwcrypto.jwe import JWE
out = []
for key in json.load(sys.stdin):
    alg = "RSA-OAEP-256" if key["kty"] == "RSA" else "ECDH-ES"
    for enc in ["A256GCM", "A128GCM"]:
        protected = {"alg": alg, "enc": enc, "cty": "JWT", "kid": key["kid"]}
        jwe = JWE("jwcrypto → akashi: 花子 " + alg + " " + enc, json.dumps(protected), algs=[alg, enc])
        jwe.add_recipient(JWK(**key))
        out.append(jwe.serialize(compact=True))
print(json.dumps(out))
"#;
    let Some(out) = python(script, &Value::Array(public)) else {
        return;
    };
    let tokens: Vec<String> = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(tokens.len(), 4);
    for (i, token) in tokens.iter().enumerate() {
        let key = &keys[i / 2];
        let decrypted = decrypt_compact(token, key, &OsRandom).unwrap();
        let alg = decrypted.algorithm.name();
        let enc = decrypted.encryption.name();
        assert_eq!(
            String::from_utf8(decrypted.plaintext).unwrap(),
            format!("jwcrypto → akashi: 花子 {alg} {enc}")
        );
        assert_eq!(decrypted.header["kid"], json!(key.kid()));
        // And the other key cannot.
        assert!(decrypt_compact(token, &keys[1 - i / 2], &OsRandom).is_err());
    }
}

#[test]
fn we_verify_jwcrypto_signatures_and_dpop_proofs() {
    let script = r#"
import json, sys
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS
d = json.load(sys.stdin)
out = {"jws": []}
for kty, alg in [("RSA", "RS256"), ("EC", "ES256")]:
    key = JWK.generate(kty=kty, size=2048) if kty == "RSA" else JWK.generate(kty="EC", crv="P-256")
    key["kid"] = "their-" + alg
    s = JWS(json.dumps({"sub": "from-jwcrypto"}).encode())
    s.add_signature(key, protected=json.dumps({"alg": alg, "kid": key["kid"]}))
    out["jws"].append({"token": s.serialize(compact=True), "key": key.export_public(as_dict=True)})
proof_key = JWK.generate(kty="EC", crv="P-256")
claims = {"jti": "jwcrypto-proof-1", "htm": "POST", "htu": d["htu"], "iat": d["iat"]}
p = JWS(json.dumps(claims).encode())
p.add_signature(proof_key, protected=json.dumps({"typ": "dpop+jwt", "alg": "ES256", "jwk": proof_key.export_public(as_dict=True)}))
out["dpop"] = {"proof": p.serialize(compact=True), "jkt": proof_key.thumbprint()}
print(json.dumps(out))
"#;
    let input = json!({"htu": "https://op.akashi.example/token", "iat": 1_800_000_000});
    let Some(out) = python(script, &input) else {
        return;
    };
    let theirs: Value = serde_json::from_str(out.trim()).unwrap();
    let both = [JwsAlgorithm::Rs256, JwsAlgorithm::Es256];
    for case in theirs["jws"].as_array().unwrap() {
        let key = PublicJwk::from_json(&case["key"]).unwrap();
        let verified = verify_compact(case["token"].as_str().unwrap(), &[key], &both).unwrap();
        assert_eq!(verified.payload, br#"{"sub": "from-jwcrypto"}"#);
    }
    let expect = ProofExpectations {
        htm: "POST",
        htu: "https://op.akashi.example/token?from=request",
        now: 1_800_000_010,
        max_age_seconds: 300,
        clock_skew_seconds: 5,
        access_token: None,
        nonce: None,
        algorithms: DPOP_ALGORITHMS,
    };
    let proof = verify_proof(theirs["dpop"]["proof"].as_str().unwrap(), &expect).unwrap();
    // Our RFC 7638 thumbprint agrees with jwcrypto's.
    assert_eq!(proof.jkt, theirs["dpop"]["jkt"].as_str().unwrap());
    assert_eq!(proof.jti, "jwcrypto-proof-1");
}
