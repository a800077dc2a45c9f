//! Issuance through the authorization-code flow over HTTP (OpenID4VCI §5 with PKCE): the
//! wallet starts at the authorization endpoint, the card answers the issuer's challenge, the
//! code and the PKCE verifier buy the token; then by hand, the bad inputs: a missing or plain
//! PKCE challenge, a wrong verifier, another redirect URI or client, a reused code — each
//! refused with the OAuth error, and a refused exchange leaves the code usable once.

mod support;

use std::collections::BTreeMap;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::Value;

use akashi_card::{Card, CertificateSlot};
use akashi_crypto::{sha256, OsRandom};
use akashi_wallet::authorize::{authorize_with_card, CLIENT_ID, REDIRECT_URI};
use akashi_wallet::issuance::Received;

use support::{hanako, Bench, SIGN_PIN};

const VERIFIER: &str = "a-long-enough-pkce-verifier-0123456789-abcdefgh";

async fn form(bench: &Bench, url: &str, pairs: &[(&str, &str)]) -> (u16, Value) {
    let r = bench
        .http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(pairs).unwrap())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (
        status,
        serde_json::from_str(&r.text().await.unwrap()).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authorization_code_flow_issues_both_formats_and_refuses_bad_exchanges() {
    let bench = Bench::start(std::time::Duration::ZERO).await;
    let mut card = bench.card_for("R1", &hanako()).await;
    let mut wallet = bench.wallet("wallet");
    let received = authorize_with_card(
        &mut wallet,
        &bench.http,
        &bench.issuer_url,
        &["jp-identity-sd-jwt", "jp-identity-bbs"],
        &mut card,
        SIGN_PIN,
        bench.t(),
        &OsRandom,
    )
    .await
    .unwrap();
    assert_eq!(received.len(), 2);
    for r in received {
        let Received::Stored(id) = r else {
            panic!("not deferred")
        };
        let c = wallet.credential(&id).unwrap();
        let municipality = match c.format.as_str() {
            "dc+sd-jwt" => &c.claims["address"]["municipality"],
            _ => &c.claims["municipality"],
        };
        assert_eq!(municipality, "千代田区", "{id}");
    }

    // By hand: the authorization endpoint checks PKCE before asking for the card.
    let authorize = format!("{}/authorize", bench.issuer_url);
    let challenge = URL_SAFE_NO_PAD.encode(sha256(VERIFIER.as_bytes()));
    let mut params = BTreeMap::from([
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "jp_identity"),
        ("state", "s-1"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]);
    for (name, value) in [("code_challenge_method", "plain"), ("scope", "everything")] {
        let mut bad = params.clone();
        bad.insert(name, value);
        let r = bench
            .http
            .get(format!(
                "{authorize}?{}",
                serde_urlencoded::to_string(&bad).unwrap()
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "{name}={value}");
        let body: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert_eq!(body["error"], "invalid_request", "{body}");
    }
    params.remove("code_challenge");
    let r = bench
        .http
        .get(format!(
            "{authorize}?{}",
            serde_urlencoded::to_string(&params).unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400, "no code_challenge");
    params.insert("code_challenge", challenge.as_str());

    let card_challenge: Value = serde_json::from_str(
        &bench
            .http
            .get(format!(
                "{authorize}?{}",
                serde_urlencoded::to_string(&params).unwrap()
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let tbs = STANDARD
        .decode(card_challenge["to_be_signed"].as_str().unwrap())
        .unwrap();
    let certificate = card
        .read_certificate(CertificateSlot::Signature, Some(SIGN_PIN))
        .unwrap();
    let signature = card.sign(&tbs, SIGN_PIN).unwrap();
    let answer: Value = serde_json::from_str(
        &bench
            .http
            .post(&authorize)
            .header("content-type", "application/json")
            .body(
                serde_json::json!({
                    "challenge": card_challenge["challenge"],
                    "certificate": STANDARD.encode(certificate),
                    "signature": STANDARD.encode(signature),
                })
                .to_string(),
            )
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let redirect = answer["redirect_uri"].as_str().unwrap();
    let (base, query) = redirect.split_once('?').unwrap();
    assert_eq!(base, REDIRECT_URI);
    let query: BTreeMap<String, String> = serde_urlencoded::from_str(query).unwrap();
    assert_eq!(query["state"], "s-1");
    let code = query["code"].as_str();

    let token = format!("{}/token", bench.issuer_url);
    let exchange = |verifier: &'static str, redirect: &'static str, client: &'static str| {
        [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", redirect),
            ("client_id", client),
        ]
    };
    let wrong = "another-verifier-of-sufficient-length-0123456789";
    for (pairs, why) in [
        (
            exchange(wrong, REDIRECT_URI, CLIENT_ID),
            "wrong PKCE verifier",
        ),
        (
            exchange(VERIFIER, "https://evil.example/cb", CLIENT_ID),
            "another redirect URI",
        ),
        (
            exchange(VERIFIER, REDIRECT_URI, "other-client"),
            "another client",
        ),
    ] {
        let (status, body) = form(&bench, &token, &pairs).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{why}: {body}"
        );
    }
    let (status, body) = form(&bench, &token, &exchange(VERIFIER, REDIRECT_URI, CLIENT_ID)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["refresh_token"].is_string());
    let (status, body) = form(&bench, &token, &exchange(VERIFIER, REDIRECT_URI, CLIENT_ID)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "reused code"
    );
}
