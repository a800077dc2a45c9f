//! The protocol around the presentations: relying parties and their credentials, DCQL
//! checks, the direct_post form, states, expiry, replay and refusals.

mod common;

use serde_json::{json, Value};

use akashi_crypto::OsRandom;
use akashi_oid4vc::dcql::DcqlQuery;
use akashi_oid4vc::vp::AuthorizationResponse;
use akashi_verifier::{CreatedRequest, TrustedIssuer, VerifierError};

use common::*;

async fn request(w: &World) -> CreatedRequest {
    w.service
        .create_request(&w.shop, sd_jwt_query(), NOW, &OsRandom)
        .await
        .unwrap()
}

fn answer(w: &World, created: &CreatedRequest) -> Vec<u8> {
    let vc = w.issuer.sd_jwt_vc(&hanako(), &w.holder, VALID_IDX);
    let p = sd_jwt_presentation(
        &vc,
        &w.holder,
        &["address.municipality", "age_equal_or_over.20"],
        &created.request.client_id,
        &created.request.nonce,
    );
    form(created, "pid", Value::String(p))
}

fn with_state(created: &CreatedRequest, vp_token: Option<&str>) -> Vec<u8> {
    AuthorizationResponse {
        vp_token: vp_token.map(str::to_owned),
        state: Some(created.request.state.clone()),
        ..Default::default()
    }
    .to_form()
    .into_bytes()
}

async fn refused(w: &World, rp_id: &str, created: &CreatedRequest, body: &[u8], code: &str) {
    let e = w.service.receive(rp_id, body, NOW).await.expect_err(code);
    assert_eq!(e.code(), code, "{e}");
    assert_eq!(status_of(w, &w.shop, created).await, "pending");
}

#[tokio::test]
async fn relying_parties_and_their_credentials() {
    let w = world().await;
    let (rp, credential) = w
        .service
        .register("Library", vec![w.issuer.trusted()], NOW, &OsRandom)
        .await
        .unwrap();
    assert_eq!(w.service.authenticate(&credential).await.unwrap(), rp);
    let e = w.service.authenticate("akvp1.00").await.unwrap_err();
    assert_eq!(
        (e.code(), e.http_status(), e.oauth_error()),
        ("unauthorized", 401, "invalid_client")
    );
    let e = w
        .service
        .register("Library", vec![], NOW, &OsRandom)
        .await
        .unwrap_err();
    assert_eq!(
        (e.code(), e.http_status()),
        ("duplicate_relying_party", 409)
    );
    // Trust lists are checked when configured.
    let bad = |t: TrustedIssuer| async {
        w.service
            .register("Museum", vec![t], NOW, &OsRandom)
            .await
            .unwrap_err()
            .code()
    };
    let mut t = w.issuer.trusted();
    t.sd_jwt_keys = vec![json!({"kty": "RSA"})];
    assert_eq!(bad(t).await, "malformed_request");
    let mut t = w.issuer.trusted();
    t.bbs_public_key = Some("AAAA".into());
    assert_eq!(bad(t).await, "malformed_request");
    let t = TrustedIssuer {
        issuer: ISSUER.into(),
        sd_jwt_keys: vec![],
        bbs_public_key: None,
    };
    assert_eq!(bad(t).await, "malformed_request");
    assert_eq!(
        w.service
            .set_trust(&rp, vec![w.issuer.trusted(), w.issuer.trusted()])
            .await
            .unwrap_err()
            .code(),
        "malformed_request"
    );
    w.service.set_trust(&rp, vec![]).await.unwrap();
    assert!(w
        .service
        .authenticate(&credential)
        .await
        .unwrap()
        .trusted
        .is_empty());
    // Another relying party cannot read the shop's transactions.
    let created = request(&w).await;
    let e = w
        .service
        .result(&w.city, &created.transaction_id)
        .await
        .unwrap_err();
    assert_eq!((e.code(), e.http_status()), ("unknown_transaction", 404));
}

#[tokio::test]
async fn dcql_queries_this_verifier_cannot_answer() {
    let w = world().await;
    let refuse = |query: Value| async {
        let query: DcqlQuery = serde_json::from_value(query).unwrap();
        w.service
            .create_request(&w.shop, query, NOW, &OsRandom)
            .await
            .unwrap_err()
            .code()
    };
    let bbs = |meta: Value, claims: Value| json!({"credentials": [{"id": "a", "format": "akashi-bbs-1", "meta": meta, "claims": claims}]});
    let profile = akashi_credential::BBS_PROFILE;
    assert_eq!(
        refuse(json!({"credentials": [{"id": "a", "format": "mso_mdoc"}]})).await,
        "unsupported_format"
    );
    assert_eq!(
        refuse(json!({"credentials": []})).await,
        "malformed_request"
    );
    for (meta, claims) in [
        (json!({"profile_values": ["urn:other"]}), json!([])),
        (json!({"profile": "x"}), json!([])),
        (
            json!({"profile_values": [profile]}),
            json!([{"path": ["nickname"]}]),
        ),
        (
            json!({"profile_values": [profile]}),
            json!([{"path": ["address", "municipality"]}]),
        ),
        (
            json!({"profile_values": [profile], "predicates": [{"claim": "municipality", "lte": "2000-01-01"}]}),
            json!([]),
        ),
        (
            json!({"profile_values": [profile], "predicates": [{"claim": "birthdate", "lte": "2000-01-01", "gte": "1900-01-01"}]}),
            json!([]),
        ),
        (
            json!({"profile_values": [profile], "predicates": [{"claim": "birthdate", "lte": "yesterday"}]}),
            json!([]),
        ),
        (
            json!({"profile_values": [profile], "predicates": [{"claim": "birthdate", "lte": "2000-01-01"}]}),
            json!([{"path": ["birthdate"]}]),
        ),
    ] {
        assert_eq!(
            refuse(bbs(meta.clone(), claims)).await,
            "malformed_request",
            "{meta}"
        );
    }
    let sd = |meta: Value, claims: Value| json!({"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": meta, "claims": claims}]});
    let vct = json!({"vct_values": [akashi_credential::VCT]});
    for (meta, claims) in [
        (json!({}), json!([{"path": ["family_name"]}])),
        (vct.clone(), json!([{"path": ["cnf"]}])),
        (vct.clone(), json!([{"path": ["iss"]}])),
        (vct.clone(), json!([{"path": ["nationalities", 0]}])),
        (vct.clone(), json!([{"path": ["a"]}, {"path": ["a"]}])),
    ] {
        assert_eq!(
            refuse(sd(meta, claims.clone())).await,
            "malformed_request",
            "{claims}"
        );
    }
    // Nothing was stored for the refused queries.
    assert_eq!(
        w.service
            .store()
            .count_rows("vp_transactions")
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn malformed_responses_states_expiry_and_replay() {
    let w = world().await;
    let created = request(&w).await;
    let shop = w.shop.id.clone();

    refused(
        &w,
        &shop,
        &created,
        b"vp_token=%7B%7D",
        "malformed_response",
    )
    .await;
    refused(
        &w,
        &shop,
        &created,
        &with_state(&created, None),
        "malformed_response",
    )
    .await;
    refused(
        &w,
        &shop,
        &created,
        &with_state(&created, Some("not json")),
        "malformed_response",
    )
    .await;
    refused(
        &w,
        &shop,
        &created,
        &with_state(&created, Some("{\"pid\": \"not an array\"}")),
        "malformed_response",
    )
    .await;
    refused(
        &w,
        &shop,
        &created,
        &with_state(&created, Some("{}")),
        "missing_presentation",
    )
    .await;
    refused(
        &w,
        &shop,
        &created,
        &with_state(&created, Some("{\"pid\": []}")),
        "missing_presentation",
    )
    .await;
    refused(
        &w,
        &shop,
        &created,
        &with_state(&created, Some("{\"other\": [\"x\"]}")),
        "malformed_response",
    )
    .await;
    refused(
        &w,
        &shop,
        &created,
        &with_state(&created, Some("{\"pid\": [\"a~\", \"b~\"]}")),
        "malformed_response",
    )
    .await;
    let unknown = b"state=nobody-knows-this&vp_token=%7B%7D";
    refused(&w, &shop, &created, unknown, "unknown_state").await;
    refused(
        &w,
        &w.city.id,
        &created,
        &answer(&w, &created),
        "wrong_relying_party",
    )
    .await;

    // Expired: refused with 410 and still not answered.
    let late = NOW + time::Duration::seconds(301);
    let e = w
        .service
        .receive(&shop, &answer(&w, &created), late)
        .await
        .unwrap_err();
    assert_eq!((e.code(), e.http_status()), ("expired", 410));
    assert_eq!(status_of(&w, &w.shop, &created).await, "pending");

    // Accepted once; the same response again is a replay.
    let body = answer(&w, &created);
    w.service.receive(&shop, &body, NOW).await.unwrap();
    let e: VerifierError = w.service.receive(&shop, &body, NOW).await.unwrap_err();
    assert_eq!((e.code(), e.http_status()), ("already_answered", 409));
    assert_eq!(status_of(&w, &w.shop, &created).await, "verified");
}

#[tokio::test]
async fn a_wallet_refusal_is_recorded_without_a_result() {
    let w = world().await;
    let created = request(&w).await;
    let body = AuthorizationResponse {
        state: Some(created.request.state.clone()),
        error: Some("access_denied".into()),
        error_description: Some("the user declined".into()),
        ..Default::default()
    }
    .to_form();
    w.service
        .receive(&w.shop.id, body.as_bytes(), NOW)
        .await
        .unwrap();
    let result = w
        .service
        .result(&w.shop, &created.transaction_id)
        .await
        .unwrap();
    assert_eq!((result.status.as_str(), result.result), ("refused", None));
    // Refused is final: a presentation afterwards is a replay.
    let e = w
        .service
        .receive(&w.shop.id, &answer(&w, &created), NOW)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "already_answered");
}
