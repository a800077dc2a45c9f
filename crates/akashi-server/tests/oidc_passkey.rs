//! Passkeys at the OpenID provider over HTTP, with webauthn-authenticator-rs's soft
//! authenticators as the person's devices: bound on the account page within a card session
//! (a synced-style passkey at AAL2, a security key whose attestation chains to a configured
//! root at AAL3), then used to log in to a shop at level 2 and to step up to level 3. A
//! replayed answer, a cloned key (its counter does not advance), a removed passkey and a
//! browser that never logged in are refused with the failures counted and nothing else changed.

mod support;

#[path = "support/passkey.rs"]
mod webauthn;

use serde_json::{json, Value};

use support::op::*;
use support::{hanako, Bench};
use webauthn::{clone_token, create, get, soft_passkey, soft_token};

/// An interaction for `shop` at `acr` with the browser as it is (`prompt=login` after the
/// seeds that start with "re-", so a sufficient session still has to log in again);
/// (interaction, PKCE verifier).
async fn start(browser: &mut Browser, shop: &Rp, acr: &str, seed: &str) -> (String, String) {
    let (verifier, challenge) = pkce(seed);
    let mut extra = vec![("acr_values", acr)];
    if seed.starts_with("re-") {
        extra.push(("prompt", "login"));
    }
    let a = browser.authorize(shop, &extra, &challenge).await;
    assert_eq!(a.status, 303);
    (Browser::interaction_path(&a), verifier)
}

/// Passkey login within `interaction`: options, the device signs, the answer; (options, answer).
async fn passkey_login(
    browser: &mut Browser,
    interaction: &str,
    device: &mut impl webauthn_authenticator_rs::AuthenticatorBackend,
    origin: &str,
) -> (Value, Answer) {
    let options = browser
        .post(&format!("{interaction}/passkey/options"), json!({}))
        .await;
    assert_eq!(options.status, 200, "{}", options.body);
    let credential = get(device, origin, options.body.clone()).expect("the device signs");
    let answer = browser
        .post(&format!("{interaction}/passkey"), credential)
        .await;
    (options.body, answer)
}

fn passkeys_of(account: &Value) -> Vec<Value> {
    account["authenticators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "passkey")
        .cloned()
        .collect()
}

#[tokio::test]
async fn passkeys_bound_after_proofing_log_in_and_step_up_sqlite() {
    passkeys_bound_after_proofing_log_in_and_step_up(false).await;
}

#[tokio::test]
async fn passkeys_bound_after_proofing_log_in_and_step_up_postgres() {
    passkeys_bound_after_proofing_log_in_and_step_up(true).await;
}

async fn passkeys_bound_after_proofing_log_in_and_step_up(postgres: bool) {
    let (mut key, token_ca) = soft_token();
    let roots = |dir: &std::path::Path| {
        std::fs::create_dir_all(dir.join("oidc/passkey-roots")).unwrap();
        std::fs::write(dir.join("oidc/passkey-roots/soft-token.der"), &token_ca).unwrap();
    };
    let bench = if postgres {
        match Bench::start_localhost_postgres(roots).await {
            Some(bench) => bench,
            None => {
                eprintln!("PostgreSQL run left out: AKASHI_TEST_POSTGRES=skip");
                return;
            }
        }
    } else {
        Bench::start_localhost(roots).await
    };
    let origin = bench.url.clone();
    let issuer = format!("{origin}/oidc");
    let shop = register(&bench, shop_draft("shop.example")).await;
    let mut card = bench.card_for("R-HANAKO", &hanako()).await;
    let mut browser = Browser::new(&bench);
    let mut phone = soft_passkey();

    // A browser that never logged in here cannot ask for a passkey login.
    let (interaction, _) = start(&mut browser, &shop, LEVEL2, "anon").await;
    let view = browser.get(&interaction).await.body;
    assert!(view["methods"]
        .as_array()
        .unwrap()
        .contains(&json!("passkey")));
    let refused = browser
        .post(&format!("{interaction}/passkey/options"), json!({}))
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body["error_description"]
        .as_str()
        .unwrap()
        .contains("log in once with the card"));

    // Proofing with the card (AAL3), then both passkeys are bound on the account page.
    let proofed = browser.proof(&interaction, &mut card).await;
    assert_eq!(proofed.status, 200, "{}", proofed.body);
    assert!(
        browser.known.is_some(),
        "the provider remembers this browser"
    );
    browser.consent(&interaction).await;
    let start_bind = browser
        .post("/oidc/account/authenticators/passkey/options", json!({}))
        .await;
    assert_eq!(start_bind.status, 201, "{}", start_bind.body);
    let ceremony = start_bind.body["ceremony"].as_str().unwrap().to_owned();
    let credential = create(&mut phone, &origin, start_bind.body).unwrap();
    let bind_body = json!({ "ceremony": ceremony, "label": "phone", "credential": credential });
    let bound = browser
        .post("/oidc/account/authenticators/passkey", bind_body.clone())
        .await;
    assert_eq!(bound.status, 201, "{}", bound.body);
    let again = browser
        .post("/oidc/account/authenticators/passkey", bind_body)
        .await;
    assert_eq!(again.status, 400, "a ceremony is used once: {}", again.body);
    let start_bind = browser
        .post(
            "/oidc/account/authenticators/passkey/options",
            json!({ "hardware_bound": true }),
        )
        .await;
    assert_eq!(start_bind.status, 201, "{}", start_bind.body);
    let ceremony = start_bind.body["ceremony"].as_str().unwrap().to_owned();
    let credential = create(&mut key, &origin, start_bind.body).unwrap();
    let bound = browser
        .post(
            "/oidc/account/authenticators/passkey",
            json!({ "ceremony": ceremony, "label": "security key", "credential": credential }),
        )
        .await;
    assert_eq!(bound.status, 201, "{}", bound.body);
    let key_id = bound.body["id"].as_str().unwrap().to_owned();
    let account = browser.get("/oidc/account").await.body;
    let levels: Vec<i64> = passkeys_of(&account)
        .iter()
        .map(|p| p["aal"].as_i64().unwrap())
        .collect();
    assert_eq!(levels.len(), 2);
    assert!(levels.contains(&2) && levels.contains(&3), "{levels:?}");

    // Logged off: browsing at level 2 with the phone's passkey.
    browser.cookie = None;
    let (interaction, verifier) = start(&mut browser, &shop, LEVEL2, "browse").await;
    let (_, ok) = passkey_login(&mut browser, &interaction, &mut phone, &origin).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["acr"], LEVEL2);
    let (_, tokens) = token(&bench, &shop, &code_from(&ok, &issuer), &verifier, None).await;
    let claims = id_token_claims(&bench, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["acr"], LEVEL2);
    assert!(claims["amr"].as_array().unwrap().contains(&json!("user")));
    let level2_session = browser.cookie.clone();

    // The purchase at level 3: the level-2 session is not enough; only the security key is
    // offered, and it steps up.
    let (interaction, verifier) = start(&mut browser, &shop, LEVEL3, "buy").await;
    assert_eq!(browser.get(&interaction).await.body["reason"], "step_up");
    let (options, ok) = passkey_login(&mut browser, &interaction, &mut key, &origin).await;
    assert_eq!(
        options["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "only the hardware-bound passkey reaches level 3"
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["acr"], LEVEL3);
    assert_ne!(browser.cookie, level2_session, "a new session handle");
    let (_, tokens) = token(&bench, &shop, &code_from(&ok, &issuer), &verifier, None).await;
    let claims = id_token_claims(&bench, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["acr"], LEVEL3);
    assert!(claims["amr"].as_array().unwrap().contains(&json!("hwk")));

    // A replayed answer (another interaction's challenge) is refused and counted.
    let (interaction, _) = start(&mut browser, &shop, LEVEL3, "re-replay").await;
    let session_before = browser.cookie.clone();
    let options = browser
        .post(&format!("{interaction}/passkey/options"), json!({}))
        .await;
    let fresh = get(&mut key, &origin, options.body).unwrap();
    let (interaction2, _) = start(&mut browser, &shop, LEVEL3, "re-replay2").await;
    browser
        .post(&format!("{interaction2}/passkey/options"), json!({}))
        .await;
    let replayed = browser
        .post(&format!("{interaction2}/passkey"), fresh.clone())
        .await;
    assert_eq!(replayed.status, 403, "{}", replayed.body);
    assert_eq!(browser.cookie, session_before, "no session change");
    let account = browser.get("/oidc/account").await.body;
    let entry = passkeys_of(&account)
        .into_iter()
        .find(|p| p["id"] == key_id)
        .unwrap();
    assert_eq!(entry["failed_attempts"], 1);
    assert_eq!(entry["status"], "active");
    // The genuine answer still works in its own interaction.
    let ok = browser
        .post(&format!("{interaction}/passkey"), fresh.clone())
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let twice = browser.post(&format!("{interaction}/passkey"), fresh).await;
    assert_eq!(
        twice.status, 400,
        "the interaction is finished: {}",
        twice.body
    );

    // A clone of the security key, behind the original's counter: locked at once.
    let mut clone = clone_token(&key);
    let (interaction, _) = start(&mut browser, &shop, LEVEL3, "re-warm").await;
    let (_, ok) = passkey_login(&mut browser, &interaction, &mut key, &origin).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let (interaction, _) = start(&mut browser, &shop, LEVEL3, "re-clone").await;
    let session_before = browser.cookie.clone();
    let (_, cloned) = passkey_login(&mut browser, &interaction, &mut clone, &origin).await;
    assert_eq!(cloned.status, 403, "{}", cloned.body);
    assert!(
        cloned.body["error_description"]
            .as_str()
            .unwrap()
            .contains("locked"),
        "{}",
        cloned.body
    );
    assert_eq!(browser.cookie, session_before);
    let account = browser.get("/oidc/account").await.body;
    let entry = passkeys_of(&account)
        .into_iter()
        .find(|p| p["id"] == key_id)
        .unwrap();
    assert_eq!(entry["status"], "locked");
    // With the only level-3 passkey locked, a level-3 passkey login is not possible.
    let (interaction, _) = start(&mut browser, &shop, LEVEL3, "re-after").await;
    let none = browser
        .post(&format!("{interaction}/passkey/options"), json!({}))
        .await;
    assert_eq!(
        none.body["error"], "unmet_authentication_requirements",
        "{}",
        none.body
    );

    // Removing the phone's passkey (the card session is fresh enough): it no longer logs in.
    let fresh_login = start(&mut browser, &shop, LEVEL3, "re-card").await.0;
    assert_eq!(
        browser.card_login(&fresh_login, &mut card).await.status,
        403,
        "the card's authentication certificate is not bound yet"
    );
    let proofed = browser.proof(&fresh_login, &mut card).await;
    assert_eq!(proofed.status, 200, "{}", proofed.body);
    let phone_id = passkeys_of(&browser.get("/oidc/account").await.body)
        .into_iter()
        .find(|p| p["aal"] == 2)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let removed = browser
        .delete(&format!("/oidc/account/authenticators/{phone_id}"))
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    browser.cookie = None;
    let (interaction, _) = start(&mut browser, &shop, LEVEL2, "removed").await;
    let gone = browser
        .post(&format!("{interaction}/passkey/options"), json!({}))
        .await;
    assert_eq!(
        gone.body["error"], "unmet_authentication_requirements",
        "no usable passkey left: {}",
        gone.body
    );
}
