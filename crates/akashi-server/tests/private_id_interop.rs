//! The private ID against an independent SD-JWT implementation (the reference implementation
//! `sd-jwt` from PyPI, pinned and installed by scripts/setup.sh), over the real endpoints:
//! it verifies the SD-JWT VC our issuer issued and the presentation our wallet made for a
//! relying party; our verifier accepts an SD-JWT VC that it issued with a key the relying
//! party trusts, and refuses the same from a key it does not trust.

mod support;

#[path = "../../akashi-sdjwt/tests/support/python.rs"]
mod python;

use serde_json::{json, Value};

use akashi_credential::VCT;
use akashi_crypto::OsRandom;
use akashi_oid4vc::vp::{AuthorizationRequest, AuthorizationResponse};
use akashi_verifier::TrustedIssuer;
use akashi_wallet::presentation;

use support::{city_query, hanako, Bench};

const VERIFY: &str = r#"
import json, sys
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier
d = json.load(sys.stdin)
issuer = JWK(**d["issuer_jwk"])
def key_for(iss, header):
    assert iss == d["iss"], iss
    assert header["typ"] == "dc+sd-jwt", header
    return issuer
v = SDJWTVerifier(d["sd_jwt"], key_for, d.get("aud"), d.get("nonce"))
print(json.dumps(v.get_verified_payload(), ensure_ascii=False))
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_implementation_verifies_what_our_issuer_and_wallet_produce() {
    let bench = Bench::start(std::time::Duration::ZERO).await;
    let t = bench.t();
    let mut card = bench.card_for("R1", &hanako()).await;
    let mut wallet = bench.wallet("wallet");
    let (sd_id, _) = bench.proof_and_receive(&mut wallet, &mut card).await;
    let jwks = bench.get_json("/.well-known/jwt-vc-issuer/issuer").await;
    let issuer_jwk = jwks["jwks"]["keys"][0].clone();

    // Every copy the issuer made verifies there, with all its claims.
    let stored = wallet.credential(&sd_id).unwrap().clone();
    for copy in stored.sd_jwt_copies() {
        let Some(out) = python::python(
            VERIFY,
            &json!({ "issuer_jwk": issuer_jwk, "iss": bench.issuer_url, "sd_jwt": copy }),
        ) else {
            return;
        };
        let payload: Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(payload["vct"], VCT);
        assert_eq!(payload["address"], stored.claims["address"], "{payload}");
        for claim in [
            "family_name",
            "given_name",
            "birthdate",
            "sex",
            "age_equal_or_over",
        ] {
            assert!(!stored.claims[claim].is_null(), "the wallet holds {claim}");
            assert_eq!(payload[claim], stored.claims[claim], "{claim}");
        }
        assert_eq!(payload["age_equal_or_over"]["20"], true);
    }

    // The presentation the city receives: key binding to the city's client id and nonce,
    // and nothing but the municipality.
    let trusted = vec![bench.trusted_issuer().await];
    let city = bench.rp("City", trusted).await;
    let (_, created) = bench.rp_request(&city, city_query()).await;
    let plan = presentation::plan(&wallet, created["request_uri"].as_str().unwrap(), t).unwrap();
    let answer = presentation::answer(&mut wallet, &plan, t, &OsRandom).unwrap();
    let token: Value = serde_json::from_str(answer.vp_token.as_deref().unwrap()).unwrap();
    let sd_jwt = token["residence"][0].as_str().unwrap();
    let input = json!({
        "issuer_jwk": issuer_jwk, "iss": bench.issuer_url, "sd_jwt": sd_jwt,
        "aud": plan.request.client_id, "nonce": plan.request.nonce,
    });
    let payload: Value =
        serde_json::from_str(python::python(VERIFY, &input).unwrap().trim()).unwrap();
    assert_eq!(payload["address"], json!({ "municipality": "千代田区" }));
    for claim in ["family_name", "given_name", "birthdate", "sex"] {
        assert!(payload.get(claim).is_none(), "{claim} disclosed: {payload}");
    }
    // The age claims' object is there, with none of its members disclosed.
    assert_eq!(payload["age_equal_or_over"], json!({}), "{payload}");
    // Bound to this verifier: another audience fails there too.
    let mut elsewhere = input.clone();
    elsewhere["aud"] = json!("https://elsewhere.example");
    let refused = std::panic::catch_unwind(|| python::python(VERIFY, &elsewhere));
    let why = refused.expect_err("the reference verifier accepted another audience");
    let why = why.downcast_ref::<String>().unwrap();
    assert!(why.contains("Invalid audience in KB-JWT"), "{why}");
}

const ISSUE_AND_PRESENT: &str = r#"
import json, sys, time
from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.holder import SDJWTHolder
d = json.load(sys.stdin)
if "issuer_jwk" not in d:
    print(json.dumps(JWK.generate(kty="EC", crv="P-256").export(as_dict=True, private_key=True)))
    sys.exit(0)
issuer = JWK(**d["issuer_jwk"])
holder = JWK.generate(kty="EC", crv="P-256")
claims = {
    "iss": d["iss"], "iat": int(time.time()), "vct": d["vct"],
    SDObj("family_name"): "山田", SDObj("given_name"): "花子", SDObj("birthdate"): "1990-04-01",
    "address": {SDObj("prefecture"): "東京都", SDObj("municipality"): "千代田区"},
}
i = SDJWTIssuer(claims, issuer, holder, add_decoy_claims=True,
                extra_header_parameters={"typ": "dc+sd-jwt"})
h = SDJWTHolder(i.sd_jwt_issuance)
h.create_presentation({"address": {"municipality": True}}, d["nonce"], d["aud"], holder)
print(h.sd_jwt_presentation)
"#;

const REFERENCE_ISSUER: &str = "https://reference-issuer.example";

/// A new issuer key pair from the reference implementation (private JWK).
fn reference_issuer_key() -> Option<Value> {
    let out = python::python(ISSUE_AND_PRESENT, &json!({}))?;
    Some(serde_json::from_str(out.trim()).unwrap())
}

fn public_jwk(private: &Value) -> Value {
    let mut public = private.clone();
    public.as_object_mut().unwrap().remove("d");
    public
}

/// Creates a city request, lets the reference implementation issue and present for it, posts
/// the answer to the Response URI: (HTTP status and body of the post, the relying party's
/// result).
async fn reference_presentation(
    bench: &Bench,
    rp: &support::Rp,
    key: &Value,
) -> (u16, String, Value) {
    let (_, created) = bench.rp_request(rp, city_query()).await;
    let request = AuthorizationRequest::parse(created["request_uri"].as_str().unwrap()).unwrap();
    let input = json!({
        "issuer_jwk": key, "iss": REFERENCE_ISSUER, "vct": VCT,
        "aud": request.client_id, "nonce": request.nonce,
    });
    let sd_jwt = python::python(ISSUE_AND_PRESENT, &input).unwrap();
    let response = AuthorizationResponse {
        vp_token: Some(json!({ "residence": [sd_jwt.trim()] }).to_string()),
        state: Some(request.state.clone()),
        error: None,
        error_description: None,
    };
    let posted = bench
        .http
        .post(&request.response_uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(response.to_form())
        .send()
        .await
        .unwrap();
    let status = posted.status().as_u16();
    let body = posted.text().await.unwrap();
    let result = bench
        .rp_result(rp, created["transaction_id"].as_str().unwrap())
        .await;
    (status, body, result)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_verifier_accepts_what_the_reference_implementation_issued() {
    let Some(key) = reference_issuer_key() else {
        return;
    };
    let bench = Bench::start(std::time::Duration::ZERO).await;
    let reference = TrustedIssuer {
        issuer: REFERENCE_ISSUER.into(),
        sd_jwt_keys: vec![public_jwk(&key)],
        bbs_public_key: None,
    };
    let city = bench.rp("City", vec![reference]).await;
    let (status, body, result) = reference_presentation(&bench, &city, &key).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(result["status"], "verified", "{result}");
    assert_eq!(
        result["result"]["credentials"]["residence"]["claims"],
        json!({ "address": { "municipality": "千代田区" } })
    );
    assert!(!result.to_string().contains("山田"));

    // The same issuer name with a key the relying party does not trust: refused, the
    // transaction stays open.
    let stranger = reference_issuer_key().unwrap();
    let (status, body, result) = reference_presentation(&bench, &city, &stranger).await;
    assert_eq!(status, 422, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(body["code"], "invalid_presentation", "{body}");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("issuer signature"));
    assert_eq!(result["status"], "pending", "{result}");
    assert!(result["result"].is_null());
}
