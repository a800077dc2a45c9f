//! More refusals, each with no state change: an expired code (checked at the provider with a
//! clock a minute ahead; the code still works at the right time), a step-up the person gives
//! up on (the RP gets `unmet_authentication_requirements`, the session keeps its level), an
//! ID token of one RP used as another RP's logout hint, and a session's access token that only
//! ever shows the RP it was issued to its own `sub`.

mod support;

use std::time::Duration;

use serde_json::json;
use time::OffsetDateTime;

use akashi_crypto::{OsRandom, P256PrivateKey};
use akashi_oidc::protocol::TokenParams;
use akashi_oidc::OidcError;

use support::op::*;
use support::{hanako, Bench};

#[tokio::test]
async fn expired_codes_abandoned_step_ups_and_tokens_of_another_rp_sqlite() {
    expired_codes_abandoned_step_ups_and_tokens_of_another_rp(Bench::start(Duration::ZERO).await)
        .await;
}

#[tokio::test]
async fn expired_codes_abandoned_step_ups_and_tokens_of_another_rp_postgres() {
    let Some(bench) = Bench::start_postgres(Duration::ZERO).await else {
        eprintln!("PostgreSQL run left out: AKASHI_TEST_POSTGRES=skip");
        return;
    };
    expired_codes_abandoned_step_ups_and_tokens_of_another_rp(bench).await;
}

async fn expired_codes_abandoned_step_ups_and_tokens_of_another_rp(bench: Bench) {
    let issuer = format!("{}/oidc", bench.url);
    let op = bench.oidc.clone().unwrap();
    let shop = register(&bench, shop_draft("shop.example")).await;
    let bank = register(&bench, shop_draft("bank.example")).await;
    let mut card = bench.card_for("R-HANAKO", &hanako()).await;
    let mut browser = Browser::new(&bench);
    let device = P256PrivateKey::generate(&OsRandom).unwrap();

    // Registration (proofing), consent, and a device key for level 2.
    let (verifier, challenge) = pkce("first");
    let a = browser.authorize(&shop, &[], &challenge).await;
    let interaction = Browser::interaction_path(&a);
    assert_eq!(browser.proof(&interaction, &mut card).await.status, 200);
    let code = code_from(&browser.consent(&interaction).await, &issuer);
    assert_eq!(browser.bind_device(&device, "4321").await.status, 201);

    // An expired code: refused as invalid_grant, and not used up by the refusal.
    let client = op.client(&shop.client_id).await.unwrap();
    let params = || TokenParams {
        grant_type: "authorization_code".into(),
        code: Some(code.clone()),
        redirect_uri: Some(shop.redirect_uri.clone()),
        code_verifier: Some(verifier.clone()),
        client_id: None,
        client_secret: None,
    };
    let later = OffsetDateTime::now_utc() + time::Duration::seconds(61);
    let expired = op.token(&client, params(), None, later, &OsRandom).await;
    assert!(
        matches!(expired, Err(OidcError::InvalidGrant(ref m)) if m.contains("expired")),
        "{expired:?}"
    );
    let (status, tokens) = token(&bench, &shop, &code, &verifier, None).await;
    assert_eq!(status, 200, "{tokens}");
    let shop_id_token = tokens["id_token"].as_str().unwrap().to_owned();

    // Level 2 with the device key, then a level-3 step-up she abandons.
    browser.cookie = None;
    let (_, challenge) = pkce("browse");
    let a = browser
        .authorize(&shop, &[("acr_values", LEVEL2)], &challenge)
        .await;
    let interaction = Browser::interaction_path(&a);
    let ok = browser.device_login(&interaction, &device, "4321").await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let before = browser.get("/oidc/account").await.body;
    assert_eq!(before["acr"], LEVEL2);
    let (_, challenge) = pkce("pay");
    let a = browser
        .authorize(
            &shop,
            &[("acr_values", LEVEL3), ("state", "pay-1")],
            &challenge,
        )
        .await;
    let interaction = Browser::interaction_path(&a);
    let gave_up = browser
        .post(&format!("{interaction}/abort"), json!({}))
        .await;
    let back = url_query(gave_up.body["location"].as_str().unwrap());
    assert_eq!(back["error"], "unmet_authentication_requirements");
    assert_eq!(back["state"], "pay-1");
    assert_eq!(back["iss"], issuer);
    assert!(back.get("code").is_none());
    let after = browser.get("/oidc/account").await.body;
    assert_eq!(after, before, "the session is as it was");
    let again = browser.get(&interaction).await;
    assert_eq!(again.status, 400, "the abandoned interaction is over");

    // The shop's ID token as the bank's logout hint: refused, the session stays.
    let logout = format!(
        "/oidc/logout?id_token_hint={shop_id_token}&client_id={}",
        bank.client_id
    );
    let refused = browser.get(&logout).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body["error_description"]
        .as_str()
        .unwrap()
        .contains("another client"));
    assert_eq!(browser.get("/oidc/account").await.status, 200);

    // The bank's access token shows the bank's sub, never the shop's.
    let (verifier, challenge) = pkce("bank");
    let a = browser.authorize(&bank, &[], &challenge).await;
    let interaction = Browser::interaction_path(&a);
    let code = code_from(&browser.consent(&interaction).await, &issuer);
    let (_, bank_tokens) = token(&bench, &bank, &code, &verifier, None).await;
    let bearer = format!("Bearer {}", bank_tokens["access_token"].as_str().unwrap());
    let (_, info) = userinfo(&bench, &bearer, None).await;
    let shop_sub = id_token_claims(&bench, &shop_id_token).await["sub"].clone();
    assert_ne!(info["sub"], shop_sub);
    assert_eq!(
        info["sub"],
        id_token_claims(&bench, bank_tokens["id_token"].as_str().unwrap()).await["sub"]
    );
}
