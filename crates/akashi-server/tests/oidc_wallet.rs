//! Wallet login at the OpenID provider over HTTP: Hanako, holding the BBS identity credential
//! in her wallet, logs in to an OIDC-only relying party by presenting it over OpenID4VP. The
//! provider learns a pseudonym and the predicates; the relying party gets its pairwise `sub`,
//! `age_over_20` and `municipality` — no name, birth date, street or certificate — and a second
//! relying party gets another `sub`. A level the wallet cannot reach, an unanswered or declined
//! request and a replayed answer are refused.

mod support;

use serde_json::json;

use akashi_crypto::OsRandom;
use akashi_wallet::presentation;

use support::op::*;
use support::{hanako, Bench};

const SCOPE: &str = "openid age residence";

/// A wallet login at `rp` in a fresh browser; returns (ID token claims, userinfo).
async fn wallet_login(
    bench: &Bench,
    rp: &Rp,
    wallet: &mut akashi_wallet::Wallet,
    seed: &str,
) -> (serde_json::Value, serde_json::Value) {
    let issuer = format!("{}/oidc", bench.url);
    let mut browser = Browser::new(bench);
    let (verifier, challenge) = pkce(seed);
    let a = browser.authorize(rp, &[("scope", SCOPE)], &challenge).await;
    let interaction = Browser::interaction_path(&a);
    let view = browser.get(&interaction).await.body;
    assert!(view["methods"]
        .as_array()
        .unwrap()
        .contains(&json!("wallet")));
    let request = browser
        .post(&format!("{interaction}/wallet"), json!({}))
        .await;
    assert_eq!(request.status, 201, "{}", request.body);
    let early = browser
        .post(&format!("{interaction}/wallet/complete"), json!({}))
        .await;
    assert_eq!(early.status, 400, "not answered yet: {}", early.body);

    let t = bench.t();
    let plan = presentation::plan(wallet, request.body["request_uri"].as_str().unwrap(), t)
        .expect("the wallet can answer");
    let asked = plan.describe();
    assert!(asked.contains("prove birthdate <="), "{asked}");
    assert_eq!(plan.items[0].claims, vec!["prefecture", "municipality"]);
    presentation::respond(wallet, &bench.http, &plan, t, &OsRandom)
        .await
        .expect("the provider accepts the presentation");
    let replay = presentation::respond(wallet, &bench.http, &plan, t, &OsRandom).await;
    assert!(replay.is_err(), "one answer per request");

    let done = browser
        .post(&format!("{interaction}/wallet/complete"), json!({}))
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["acr"], LEVEL1);
    let done = if done.body["next"] == "consent" {
        browser.consent(&interaction).await
    } else {
        done
    };
    let account = browser.get("/oidc/account").await.body;
    assert_eq!(
        (account["ial"].clone(), account["aal"].clone()),
        (json!(3), json!(1))
    );
    let (status, tokens) = token(bench, rp, &code_from(&done, &issuer), &verifier, None).await;
    assert_eq!(status, 200, "{tokens}");
    let claims = id_token_claims(bench, tokens["id_token"].as_str().unwrap()).await;
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let (status, info) = userinfo(bench, &bearer, None).await;
    assert_eq!(status, 200, "{info}");
    (claims, info)
}

#[tokio::test]
async fn a_wallet_presentation_logs_in_with_a_pseudonym_and_predicates_only_sqlite() {
    a_wallet_presentation_logs_in_with_a_pseudonym_and_predicates_only(
        Bench::start(std::time::Duration::ZERO).await,
    )
    .await;
}

#[tokio::test]
async fn a_wallet_presentation_logs_in_with_a_pseudonym_and_predicates_only_postgres() {
    let Some(bench) = Bench::start_postgres(std::time::Duration::ZERO).await else {
        eprintln!("PostgreSQL run left out: AKASHI_TEST_POSTGRES=skip");
        return;
    };
    a_wallet_presentation_logs_in_with_a_pseudonym_and_predicates_only(bench).await;
}

async fn a_wallet_presentation_logs_in_with_a_pseudonym_and_predicates_only(bench: Bench) {
    let mut card = bench.card_for("R-HANAKO", &hanako()).await;
    let mut wallet = bench.wallet("hanako");
    bench.proof_and_receive(&mut wallet, &mut card).await;
    let kiosk = register(&bench, shop_draft("kiosk.example")).await;
    let bar = register(&bench, shop_draft("bar.example")).await;

    let (claims, info) = wallet_login(&bench, &kiosk, &mut wallet, "k1").await;
    assert_eq!(claims["acr"], LEVEL1);
    assert_eq!(claims["amr"], json!(["swk", "pop"]));
    assert_eq!(
        info,
        json!({ "sub": claims["sub"], "age_over_20": true, "municipality": "東京都千代田区" }),
        "only the predicates the scopes asked for"
    );
    let seen = format!("{claims}{info}");
    for secret in ["山田", "花子", "1990", "霞が関", "R-HANAKO"] {
        assert!(!seen.contains(secret), "the relying party learns {secret}");
    }

    // The same person again: the same account (the provider's pseudonym), so the same sub;
    // another relying party gets another one.
    let (again, _) = wallet_login(&bench, &kiosk, &mut wallet, "k2").await;
    assert_eq!(again["sub"], claims["sub"]);
    let (other, _) = wallet_login(&bench, &bar, &mut wallet, "b1").await;
    assert_ne!(other["sub"], claims["sub"]);
}

#[tokio::test]
async fn wallet_login_refusals() {
    let bench = Bench::start(std::time::Duration::ZERO).await;
    let mut card = bench.card_for("R-HANAKO", &hanako()).await;
    let mut wallet = bench.wallet("hanako");
    bench.proof_and_receive(&mut wallet, &mut card).await;
    let shop = register(&bench, shop_draft("shop.example")).await;
    let mut browser = Browser::new(&bench);

    // Level 2 is beyond a wallet presentation: refused before any request is made.
    let (_, challenge) = pkce("l2");
    let a = browser
        .authorize(
            &shop,
            &[("scope", SCOPE), ("acr_values", LEVEL2)],
            &challenge,
        )
        .await;
    let interaction = Browser::interaction_path(&a);
    let view = browser.get(&interaction).await.body;
    assert!(!view["methods"]
        .as_array()
        .unwrap()
        .contains(&json!("wallet")));
    let refused = browser
        .post(&format!("{interaction}/wallet"), json!({}))
        .await;
    assert_eq!(
        refused.body["error"], "unmet_authentication_requirements",
        "{}",
        refused.body
    );

    // Completing without a request, and a declined request.
    let (_, challenge) = pkce("declined");
    let a = browser
        .authorize(&shop, &[("scope", SCOPE)], &challenge)
        .await;
    let interaction = Browser::interaction_path(&a);
    let none = browser
        .post(&format!("{interaction}/wallet/complete"), json!({}))
        .await;
    assert_eq!(none.status, 400, "{}", none.body);
    let request = browser
        .post(&format!("{interaction}/wallet"), json!({}))
        .await;
    let plan = presentation::plan(
        &wallet,
        request.body["request_uri"].as_str().unwrap(),
        bench.t(),
    )
    .unwrap();
    presentation::refuse(&bench.http, &plan, "not today")
        .await
        .unwrap();
    let declined = browser
        .post(&format!("{interaction}/wallet/complete"), json!({}))
        .await;
    assert_eq!(
        (declined.status, declined.body["error"].as_str()),
        (403, Some("access_denied")),
        "{}",
        declined.body
    );
    assert!(browser.cookie.is_none(), "no session");

    // A presentation made for another request (its nonce and state) does not verify here.
    let request = browser
        .post(&format!("{interaction}/wallet"), json!({}))
        .await;
    let mut plan = presentation::plan(
        &wallet,
        request.body["request_uri"].as_str().unwrap(),
        bench.t(),
    )
    .unwrap();
    plan.request.nonce = "another-nonce".into();
    let forged = presentation::respond(&mut wallet, &bench.http, &plan, bench.t(), &OsRandom).await;
    assert!(forged.is_err(), "a proof for another nonce is refused");
    let waiting = browser
        .post(&format!("{interaction}/wallet/complete"), json!({}))
        .await;
    assert_eq!(waiting.status, 400, "still unanswered: {}", waiting.body);
}
