//! SD-JWT VC presentations end to end: the relying party receives exactly what it asked for,
//! and every bad presentation is refused with a specific error and leaves the transaction
//! pending.

mod common;

use base64::Engine;
use serde_json::{json, Value};

use akashi_crypto::OsRandom;
use akashi_oid4vc::dcql::DcqlQuery;
use akashi_verifier::{CreatedRequest, RelyingParty, VerifierError};

use common::*;

const ASKED: [&str; 2] = ["address.municipality", "age_equal_or_over.20"];

async fn request(w: &World, rp: &RelyingParty) -> CreatedRequest {
    w.service
        .create_request(rp, sd_jwt_query(), NOW, &OsRandom)
        .await
        .unwrap()
}

/// The presentation the wallet makes for `created` (the shop's).
fn answer(w: &World, sd_jwt: &str, created: &CreatedRequest) -> Vec<u8> {
    let p = sd_jwt_presentation(
        sd_jwt,
        &w.holder,
        &ASKED,
        &created.request.client_id,
        &created.request.nonce,
    );
    form(created, "pid", Value::String(p))
}

/// Keys of `value`, recursively, as dotted paths.
fn names(value: &Value, prefix: &str, out: &mut Vec<String>) {
    if let Value::Object(map) = value {
        for (k, v) in map {
            let path = format!("{prefix}{k}");
            out.push(path.clone());
            names(v, &format!("{path}."), out);
        }
    }
}

#[tokio::test]
async fn only_the_requested_claims_reach_the_relying_party() {
    let w = world().await;
    let vc = w.issuer.sd_jwt_vc(&hanako(), &w.holder, VALID_IDX);
    let created = request(&w, &w.shop).await;
    assert_eq!(
        akashi_oid4vc::vp::AuthorizationRequest::parse(&created.uri).unwrap(),
        created.request
    );
    assert_eq!(
        created.request.client_id,
        format!("redirect_uri:{}", created.request.response_uri)
    );
    assert!(created
        .request
        .response_uri
        .ends_with(&format!("/vp/v1/response/{}", w.shop.id)));
    // The wallet discloses more than asked: the relying party still gets only what it asked.
    let p = sd_jwt_presentation(
        &vc,
        &w.holder,
        &[
            "address.municipality",
            "age_equal_or_over.20",
            "family_name",
            "birthdate",
        ],
        &created.request.client_id,
        &created.request.nonce,
    );
    let answer = w
        .service
        .receive(&w.shop.id, &form(&created, "pid", Value::String(p)), NOW)
        .await
        .unwrap();
    assert_eq!(answer.redirect_uri, None);

    let result = w
        .service
        .result(&w.shop, &created.transaction_id)
        .await
        .unwrap();
    assert_eq!(result.status, "verified");
    let result = result.result.unwrap();
    let pid = &result["credentials"]["pid"];
    assert_eq!(pid["format"], "dc+sd-jwt");
    assert_eq!(pid["issuer"], ISSUER);
    assert_eq!(
        pid["claims"],
        json!({"address": {"municipality": "千代田区"}, "age_equal_or_over": {"20": true}})
    );

    // The stored result, decoded: no other claim name anywhere.
    let mut tx = w.service.store().begin().await.unwrap();
    let stored = tx
        .vp_transaction(&created.transaction_id)
        .await
        .unwrap()
        .unwrap();
    let stored: Value = serde_json::from_str(&stored.result.unwrap()).unwrap();
    let mut all = Vec::new();
    names(&stored["credentials"]["pid"]["claims"], "", &mut all);
    all.sort();
    assert_eq!(
        all,
        [
            "address",
            "address.municipality",
            "age_equal_or_over",
            "age_equal_or_over.20"
        ]
    );
    let text = stored.to_string();
    for leaked in [
        "family_name",
        "山田",
        "birthdate",
        "1990",
        "cnf",
        "\"iss\"",
        "status_list",
        "_sd",
        "霞が関",
    ] {
        assert!(!text.contains(leaked), "{leaked} leaked into {text}");
    }
}

/// Posts `body` for `created`, expects `code`, and checks the transaction is still pending.
async fn refused(w: &World, created: &CreatedRequest, body: &[u8], code: &str) -> VerifierError {
    let e = w
        .service
        .receive(&w.shop.id, body, NOW)
        .await
        .expect_err(code);
    assert_eq!(e.code(), code, "{e}");
    assert_eq!(status_of(w, &w.shop, created).await, "pending");
    e
}

#[tokio::test]
async fn bad_presentations_are_refused_and_change_nothing() {
    let w = world().await;
    let vc = w.issuer.sd_jwt_vc(&hanako(), &w.holder, VALID_IDX);
    let created = request(&w, &w.shop).await;

    // Made for another transaction of the same relying party: its nonce.
    let other = request(&w, &w.shop).await;
    let p = sd_jwt_presentation(
        &vc,
        &w.holder,
        &ASKED,
        &created.request.client_id,
        &other.request.nonce,
    );
    let e = refused(
        &w,
        &created,
        &form(&created, "pid", Value::String(p)),
        "invalid_presentation",
    )
    .await;
    assert!(e.to_string().contains("nonce"), "{e}");
    assert!(!e.to_string().contains(&other.request.nonce));

    // Key binding for another client id.
    let p = sd_jwt_presentation(
        &vc,
        &w.holder,
        &ASKED,
        &w.city.client_id,
        &created.request.nonce,
    );
    let e = refused(
        &w,
        &created,
        &form(&created, "pid", Value::String(p)),
        "invalid_presentation",
    )
    .await;
    assert!(e.to_string().contains("aud"), "{e}");

    // Stale key binding (older than kb_max_age).
    let p = akashi_sdjwt::present(
        &vc,
        &ASKED,
        Some(&akashi_sdjwt::KeyBinding {
            key: &w.holder,
            audience: &created.request.client_id,
            nonce: &created.request.nonce,
            issued_at: NOW.unix_timestamp() - 3600,
        }),
    )
    .unwrap();
    refused(
        &w,
        &created,
        &form(&created, "pid", Value::String(p)),
        "invalid_presentation",
    )
    .await;

    // A disclosure whose value was changed.
    let p = sd_jwt_presentation(
        &vc,
        &w.holder,
        &ASKED,
        &created.request.client_id,
        &created.request.nonce,
    );
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let tampered: Vec<String> = p
        .split('~')
        .map(|part| {
            let decoded = b64
                .decode(part)
                .ok()
                .and_then(|b| String::from_utf8(b).ok());
            match decoded {
                Some(d) if d.contains("千代田区") => {
                    b64.encode(d.replace("千代田区", "港区").as_bytes())
                }
                _ => part.to_owned(),
            }
        })
        .collect();
    assert_ne!(tampered.join("~"), p);
    let e = refused(
        &w,
        &created,
        &form(&created, "pid", Value::String(tampered.join("~"))),
        "invalid_presentation",
    )
    .await;
    assert!(!e.to_string().contains("港区"), "{e}");

    // An issuer the shop does not trust; the trusted issuer's name with another key.
    let rogue = Issuer::new("https://rogue.example");
    let p = sd_jwt_presentation(
        &rogue.sd_jwt_vc(&hanako(), &w.holder, VALID_IDX),
        &w.holder,
        &ASKED,
        &created.request.client_id,
        &created.request.nonce,
    );
    refused(
        &w,
        &created,
        &form(&created, "pid", Value::String(p)),
        "untrusted_issuer",
    )
    .await;
    let impostor = Issuer::new(ISSUER);
    let p = sd_jwt_presentation(
        &impostor.sd_jwt_vc(&hanako(), &w.holder, VALID_IDX),
        &w.holder,
        &ASKED,
        &created.request.client_id,
        &created.request.nonce,
    );
    let e = refused(
        &w,
        &created,
        &form(&created, "pid", Value::String(p)),
        "invalid_presentation",
    )
    .await;
    assert!(e.to_string().contains("issuer signature"), "{e}");

    // Revoked and suspended credentials.
    let revoked = w.issuer.sd_jwt_vc(&hanako(), &w.holder, REVOKED_IDX);
    refused(
        &w,
        &created,
        &answer(&w, &revoked, &created),
        "credential_revoked",
    )
    .await;
    let suspended = w.issuer.sd_jwt_vc(&hanako(), &w.holder, SUSPENDED_IDX);
    refused(
        &w,
        &created,
        &answer(&w, &suspended, &created),
        "credential_suspended",
    )
    .await;

    // A requested claim not disclosed.
    let p = sd_jwt_presentation(
        &vc,
        &w.holder,
        &["address.municipality"],
        &created.request.client_id,
        &created.request.nonce,
    );
    refused(
        &w,
        &created,
        &form(&created, "pid", Value::String(p)),
        "disclosure_mismatch",
    )
    .await;

    // Finally the right answer is accepted; the status list was fetched once (cached).
    w.service
        .receive(&w.shop.id, &answer(&w, &vc, &created), NOW)
        .await
        .unwrap();
    assert_eq!(status_of(&w, &w.shop, &created).await, "verified");
    assert_eq!(*w.fetcher.fetches.lock().unwrap(), 1);
}

#[tokio::test]
async fn credential_type_and_status_availability() {
    let w = world().await;
    let vc = w.issuer.sd_jwt_vc(&hanako(), &w.holder, VALID_IDX);
    let mut query: DcqlQuery = sd_jwt_query();
    query.credentials[0].meta = Some(json!({"vct_values": ["urn:example:other"]}));
    let created = w
        .service
        .create_request(&w.shop, query, NOW, &OsRandom)
        .await
        .unwrap();
    refused(
        &w,
        &created,
        &answer(&w, &vc, &created),
        "credential_type_not_accepted",
    )
    .await;

    // The status list cannot be fetched: unavailable (503), nothing recorded.
    w.fetcher.tokens.lock().unwrap().clear();
    let created = request(&w, &w.shop).await;
    let e = refused(
        &w,
        &created,
        &answer(&w, &vc, &created),
        "status_unavailable",
    )
    .await;
    assert_eq!(e.http_status(), 503);
    // A status list signed by someone else is not believed.
    w.fetcher
        .tokens
        .lock()
        .unwrap()
        .insert(STATUS_URI.into(), Issuer::new(ISSUER).status_token());
    refused(
        &w,
        &created,
        &answer(&w, &vc, &created),
        "status_unavailable",
    )
    .await;
    w.fetcher
        .tokens
        .lock()
        .unwrap()
        .insert(STATUS_URI.into(), w.issuer.status_token());
    w.service
        .receive(&w.shop.id, &answer(&w, &vc, &created), NOW)
        .await
        .unwrap();
}
