//! The OpenID provider end to end over HTTP: Hanako registers by proofing with her card
//! (IAL3), binds a device key and her card's authentication certificate, a shop logs her in at
//! level 2 with the device key and steps up to level 3 with the card for a purchase — the
//! existing session never satisfies the step-up — and a bank gets a different `sub`.

mod support;

use std::time::Duration;

use serde_json::json;
use time::macros::date;

use akashi_crypto::{OsRandom, P256PrivateKey};
use akashi_jpki::{BasicFourAttributes, Sex};

use support::op::*;
use support::Bench;

fn hanako() -> BasicFourAttributes {
    BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: date!(1990 - 04 - 01),
        sex: Sex::Female,
    }
}

#[tokio::test]
async fn register_bind_login_step_up_and_pairwise_subjects_sqlite() {
    register_bind_login_step_up_and_pairwise_subjects(Bench::start(Duration::ZERO).await).await;
}

#[tokio::test]
async fn register_bind_login_step_up_and_pairwise_subjects_postgres() {
    let Some(bench) = Bench::start_postgres(Duration::ZERO).await else {
        eprintln!("PostgreSQL run left out: AKASHI_TEST_POSTGRES=skip");
        return;
    };
    register_bind_login_step_up_and_pairwise_subjects(bench).await;
}

async fn register_bind_login_step_up_and_pairwise_subjects(bench: Bench) {
    let issuer = format!("{}/oidc", bench.url);
    let meta = bench
        .get_json("/oidc/.well-known/openid-configuration")
        .await;
    assert_eq!(meta["issuer"], issuer);
    assert_eq!(meta["subject_types_supported"], json!(["pairwise"]));
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        bench.get_json("/oidc/jwks").await["keys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let shop = register(&bench, shop_draft("shop.example")).await;
    let bank = register(&bench, shop_draft("bank.example")).await;
    let mut card = bench.card_for("R-HANAKO", &hanako()).await;
    let mut browser = Browser::new(&bench);
    let device = P256PrivateKey::generate(&OsRandom).unwrap();

    // 1. First visit: no session → the interaction; she has no account, so proofing.
    let (verifier, challenge) = pkce("first");
    let a = browser
        .authorize(&shop, &[("acr_values", LEVEL2)], &challenge)
        .await;
    assert_eq!(a.status, 303);
    let interaction = Browser::interaction_path(&a);
    let view = browser.get(&interaction).await.body;
    assert_eq!(view["stage"], "login");
    assert_eq!(view["reason"], "no_session");
    assert_eq!(view["required_acr"], LEVEL2);
    assert_eq!(view["scopes"][1]["claims"], json!(["name"]));
    let refused = browser.device_login(&interaction, &device, "4321").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body["error_description"]
        .as_str()
        .unwrap()
        .contains("not bound"));
    assert!(browser.cookie.is_none(), "a refused login sets no session");
    let proofed = browser.proof(&interaction, &mut card).await;
    assert_eq!(proofed.status, 200, "{}", proofed.body);
    assert_eq!(proofed.body["next"], "consent");
    assert_eq!(proofed.body["acr"], LEVEL3);
    let done = browser.consent(&interaction).await;
    let code = code_from(&done, &issuer);
    assert_eq!(
        url_query(done.body["location"].as_str().unwrap())["state"],
        "st-1"
    );
    let (status, tokens) = token(&bench, &shop, &code, &verifier, None).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    let claims = id_token_claims(&bench, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["iss"], issuer);
    assert_eq!(claims["aud"], shop.client_id);
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["acr"], LEVEL3);
    assert!(claims["amr"].as_array().unwrap().contains(&json!("sc")));
    let shop_sub = claims["sub"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let (status, info) = userinfo(&bench, &bearer, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        info,
        json!({ "sub": shop_sub, "name": "山田\u{3000}花子" }),
        "only the consented scope"
    );

    // 2. Within the session she binds a device key (AAL2) and her card (AAL3).
    let bound = browser.bind_device(&device, "4321").await;
    assert_eq!(bound.status, 201, "{}", bound.body);
    let bound = browser.bind_card(&mut card).await;
    assert_eq!(bound.status, 201, "{}", bound.body);
    let account = browser.get("/oidc/account").await.body;
    assert_eq!(account["ial"], 3);
    assert_eq!(account["authenticators"].as_array().unwrap().len(), 2);

    // 3. RP-initiated logout with the ID token as hint: the session ends.
    let logout = format!(
        "/oidc/logout?id_token_hint={}&post_logout_redirect_uri={}&state=bye",
        tokens["id_token"].as_str().unwrap(),
        "https%3A%2F%2Fshop.example%2Fbye"
    );
    let out = browser.get(&logout).await;
    assert_eq!(out.status, 303);
    assert_eq!(
        out.location.as_deref(),
        Some("https://shop.example/bye?state=bye")
    );
    assert_eq!(browser.get("/oidc/account").await.status, 401);

    // 4. Browsing at level 2: the device key; a wrong PIN is counted and changes nothing else.
    let (verifier, challenge) = pkce("browse");
    let a = browser
        .authorize(&shop, &[("acr_values", LEVEL2)], &challenge)
        .await;
    let interaction = Browser::interaction_path(&a);
    let wrong = browser.device_login(&interaction, &device, "0000").await;
    assert_eq!(wrong.status, 403);
    assert!(
        wrong.body["error_description"]
            .as_str()
            .unwrap()
            .contains("4 tries left"),
        "{}",
        wrong.body
    );
    assert!(browser.cookie.is_none());
    let ok = browser.device_login(&interaction, &device, "4321").await;
    assert_eq!(
        ok.body["next"], "redirect",
        "consent given before: {}",
        ok.body
    );
    let (_, tokens) = token(&bench, &shop, &code_from(&ok, &issuer), &verifier, None).await;
    let claims = id_token_claims(&bench, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["acr"], LEVEL2);
    assert_eq!(claims["amr"], json!(["swk", "pin", "mfa"]));
    assert_eq!(claims["sub"], shop_sub, "one RP always sees the same sub");
    let browsing_session = browser.cookie.clone();

    // 5. The purchase asks level 3: the level-2 session must not satisfy it.
    let (verifier, challenge) = pkce("buy");
    let a = browser
        .authorize(&shop, &[("acr_values", LEVEL3)], &challenge)
        .await;
    let interaction = Browser::interaction_path(&a);
    let view = browser.get(&interaction).await.body;
    assert_eq!(view["reason"], "step_up");
    assert_eq!(view["session_acr"], LEVEL2);
    assert!(!view["methods"]
        .as_array()
        .unwrap()
        .contains(&json!("device_key")));
    let low = browser.device_login(&interaction, &device, "4321").await;
    assert_eq!(
        low.body["error"], "unmet_authentication_requirements",
        "{}",
        low.body
    );
    assert_eq!(
        browser.cookie, browsing_session,
        "a failed step-up leaves the session as it was"
    );
    assert_eq!(browser.get("/oidc/account").await.body["aal"], 2);
    let up = browser.card_login(&interaction, &mut card).await;
    assert_eq!(up.status, 200, "{}", up.body);
    assert_ne!(
        browser.cookie, browsing_session,
        "a new login gets a new session handle"
    );
    let (_, tokens) = token(&bench, &shop, &code_from(&up, &issuer), &verifier, None).await;
    let claims = id_token_claims(&bench, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["acr"], LEVEL3);
    assert!(claims["amr"].as_array().unwrap().contains(&json!("hwk")));
    assert_eq!(claims["sub"], shop_sub);

    // 6. max_age=0 forces a login even right after one; prompt=none without a session fails.
    let (_, challenge) = pkce("again");
    let a = browser
        .authorize(&shop, &[("max_age", "0")], &challenge)
        .await;
    assert!(a.location.unwrap().contains("/oidc/interaction/"));
    let mut stranger = Browser::new(&bench);
    let a = stranger
        .authorize(&shop, &[("prompt", "none")], &challenge)
        .await;
    assert_eq!(
        url_query(a.location.as_deref().unwrap())["error"],
        "login_required"
    );

    // 7. The bank: the same person, a different sub.
    let (verifier, challenge) = pkce("bank");
    let a = browser.authorize(&bank, &[], &challenge).await;
    let interaction = Browser::interaction_path(&a);
    assert_eq!(browser.get(&interaction).await.body["stage"], "consent");
    let done = browser.consent(&interaction).await;
    let (_, tokens) = token(&bench, &bank, &code_from(&done, &issuer), &verifier, None).await;
    let claims = id_token_claims(&bench, tokens["id_token"].as_str().unwrap()).await;
    assert_ne!(claims["sub"], shop_sub, "two RPs never see the same sub");
    assert_eq!(
        claims["acr"], LEVEL3,
        "the bank did not ask a level; it sees the session's"
    );
}
