//! The provider's refusals over HTTP, each with the error the specs define and no state
//! change: PKCE, codes (reuse revokes the first tokens), redirect URIs, PAR, clients, DPoP
//! (FAL3), encrypted ID tokens (FAL2), and PIN guessing until the device key locks.

mod support;

use std::time::Duration;

use serde_json::json;
use time::macros::date;
use time::OffsetDateTime;

use akashi_crypto::{OsRandom, P256PrivateKey};
use akashi_jose::dpop::{self, ProofClaims};
use akashi_jose::jwe::{decrypt_compact, RecipientKey};
use akashi_jose::jws::EcSigner;
use akashi_jpki::{BasicFourAttributes, Sex};
use akashi_oidc::ClientDraft;

use support::op::*;
use support::Bench;

fn taro() -> BasicFourAttributes {
    BasicFourAttributes {
        name: "佐藤\u{3000}太郎".into(),
        address: "大阪府大阪市北区中之島一丁目3番20号".into(),
        birth_date: date!(1985 - 12 - 24),
        sex: Sex::Male,
    }
}

/// A registered person with a session in `browser`; returns (code, verifier) for `rp`.
async fn login(
    bench: &Bench,
    browser: &mut Browser,
    rp: &Rp,
    card: &mut support::Card,
    seed: &str,
) -> (String, String) {
    let (verifier, challenge) = pkce(seed);
    let a = browser.authorize(rp, &[], &challenge).await;
    let issuer = format!("{}/oidc", bench.url);
    let location = a.location.clone().unwrap();
    if !location.contains("/oidc/interaction/") {
        let code = callback(&location, &issuer).0.unwrap();
        return (code, verifier);
    }
    let interaction = Browser::interaction_path(&a);
    if browser.cookie.is_none() {
        assert_eq!(browser.proof(&interaction, card).await.status, 200);
    }
    let done = browser.consent(&interaction).await;
    (code_from(&done, &issuer), verifier)
}

#[tokio::test]
async fn codes_pkce_redirects_par_and_clients_sqlite() {
    codes_pkce_redirects_par_and_clients(Bench::start(Duration::ZERO).await).await;
}

#[tokio::test]
async fn codes_pkce_redirects_par_and_clients_postgres() {
    let Some(bench) = Bench::start_postgres(Duration::ZERO).await else {
        eprintln!("PostgreSQL run left out: AKASHI_TEST_POSTGRES=skip");
        return;
    };
    codes_pkce_redirects_par_and_clients(bench).await;
}

async fn codes_pkce_redirects_par_and_clients(bench: Bench) {
    let shop = register(&bench, shop_draft("shop.example")).await;
    let other = register(&bench, shop_draft("other.example")).await;
    let mut card = bench.card_for("R-TARO", &taro()).await;
    let mut browser = Browser::new(&bench);

    // Wrong verifier, then the right one; a second use of the code revokes the first tokens.
    let (code, verifier) = login(&bench, &mut browser, &shop, &mut card, "a").await;
    let (status, body) = token(&bench, &shop, &code, &pkce("wrong").0, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, body) = token(&bench, &other, &code, &verifier, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "another RP's code"
    );
    let (status, tokens) = token(&bench, &shop, &code, &verifier, None).await;
    assert_eq!(status, 200, "{tokens}");
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    assert_eq!(userinfo(&bench, &bearer, None).await.0, 200);
    let (status, body) = token(&bench, &shop, &code, &verifier, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = userinfo(&bench, &bearer, None).await;
    assert_eq!(status, 401, "the reused code's tokens are revoked");

    // A redirect URI not registered exactly is never redirected to.
    let (_, challenge) = pkce("b");
    let evil = Rp {
        client_id: shop.client_id.clone(),
        secret: None,
        redirect_uri: "https://shop.example/callback/../evil".into(),
    };
    let a = browser.authorize(&evil, &[], &challenge).await;
    assert_eq!((a.status, a.location.is_none()), (400, true));
    assert_eq!(a.body["error"], "invalid_request");
    let unknown = Rp {
        client_id: "rp-nobody".into(),
        secret: None,
        redirect_uri: shop.redirect_uri.clone(),
    };
    assert_eq!(
        browser.authorize(&unknown, &[], &challenge).await.status,
        400
    );
    // Other request errors go back to the (verified) RP.
    let a = browser
        .authorize(&shop, &[("code_challenge_method", "plain")], &challenge)
        .await;
    assert_eq!(
        url_query(a.location.as_deref().unwrap())["error"],
        "invalid_request"
    );
    let a = browser
        .authorize(&shop, &[("scope", "name")], &challenge)
        .await;
    assert_eq!(
        url_query(a.location.as_deref().unwrap())["error"],
        "invalid_scope"
    );
    let a = browser
        .authorize(&shop, &[("response_type", "token")], &challenge)
        .await;
    assert_eq!(
        url_query(a.location.as_deref().unwrap())["error"],
        "unsupported_response_type"
    );
    let a = browser
        .authorize(&shop, &[("acr_values", "urn:other:gold")], &challenge)
        .await;
    assert_eq!(
        url_query(a.location.as_deref().unwrap())["error"],
        "unmet_authentication_requirements"
    );

    // The redirect URI at the token endpoint must be the request's.
    let (code, verifier) = login(&bench, &mut browser, &shop, &mut card, "c").await;
    let moved = Rp {
        redirect_uri: "https://shop.example/other".into(),
        client_id: shop.client_id.clone(),
        secret: shop.secret.clone(),
    };
    assert_eq!(
        token(&bench, &moved, &code, &verifier, None).await.1["error"],
        "invalid_grant"
    );
    // A wrong client secret.
    let forged = Rp {
        secret: Some("guess".into()),
        client_id: shop.client_id.clone(),
        redirect_uri: shop.redirect_uri.clone(),
    };
    let (status, body) = token(&bench, &forged, &code, &verifier, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    assert_eq!(
        token(&bench, &shop, &code, &verifier, None).await.0,
        200,
        "the refusals used nothing up"
    );

    // PAR: the pushed request works once, from the browser with only client_id and request_uri.
    let (verifier, challenge) = pkce("par");
    let form = [
        ("response_type", "code"),
        ("redirect_uri", shop.redirect_uri.as_str()),
        ("scope", "openid name"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("state", "pushed"),
    ];
    let r = bench
        .http
        .post(format!("{}/oidc/par", bench.url))
        .basic_auth(&shop.client_id, shop.secret.as_deref())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(form).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let pushed: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    let request_uri = pushed["request_uri"].as_str().unwrap();
    let query = serde_urlencoded::to_string([
        ("client_id", shop.client_id.as_str()),
        ("request_uri", request_uri),
    ])
    .unwrap();
    let a = browser.get(&format!("/oidc/authorize?{query}")).await;
    let location = a.location.unwrap();
    assert_eq!(url_query(&location)["state"], "pushed");
    let code = callback(&location, &format!("{}/oidc", bench.url))
        .0
        .unwrap();
    assert_eq!(token(&bench, &shop, &code, &verifier, None).await.0, 200);
    let again = browser.get(&format!("/oidc/authorize?{query}")).await;
    assert_eq!(
        (again.status, again.body["error"].as_str()),
        (400, Some("invalid_request_uri"))
    );
}

#[tokio::test]
async fn fal2_encrypted_and_fal3_dpop_bound_tokens_sqlite() {
    fal2_encrypted_and_fal3_dpop_bound_tokens(Bench::start(Duration::ZERO).await).await;
}

#[tokio::test]
async fn fal2_encrypted_and_fal3_dpop_bound_tokens_postgres() {
    let Some(bench) = Bench::start_postgres(Duration::ZERO).await else {
        eprintln!("PostgreSQL run left out: AKASHI_TEST_POSTGRES=skip");
        return;
    };
    fal2_encrypted_and_fal3_dpop_bound_tokens(bench).await;
}

async fn fal2_encrypted_and_fal3_dpop_bound_tokens(bench: Bench) {
    let rp_key = RecipientKey::generate_rsa(2048, None).unwrap();
    let encrypted = register(
        &bench,
        ClientDraft {
            id_token_encryption: Some(rp_key.public_jwk().unwrap().to_json()),
            ..shop_draft("fal2.example")
        },
    )
    .await;
    let bound = register(
        &bench,
        ClientDraft {
            require_dpop: true,
            ..shop_draft("fal3.example")
        },
    )
    .await;
    let mut card = bench.card_for("R-TARO", &taro()).await;
    let mut browser = Browser::new(&bench);

    // FAL2: the ID token is a JWE only the RP's key opens; inside, our signed ID token.
    let (code, verifier) = login(&bench, &mut browser, &encrypted, &mut card, "fal2").await;
    let (_, tokens) = token(&bench, &encrypted, &code, &verifier, None).await;
    let jwe = tokens["id_token"].as_str().unwrap();
    assert_eq!(jwe.split('.').count(), 5, "a compact JWE");
    let inner =
        String::from_utf8(decrypt_compact(jwe, &rp_key, &OsRandom).unwrap().plaintext).unwrap();
    let claims = id_token_claims(&bench, &inner).await;
    assert_eq!(claims["aud"], encrypted.client_id);
    assert!(
        decrypt_compact(
            jwe,
            &RecipientKey::generate_rsa(2048, None).unwrap(),
            &OsRandom
        )
        .is_err(),
        "another key cannot open it"
    );

    // FAL3: without a proof the token endpoint refuses; with one the token is bound.
    let (code, verifier) = login(&bench, &mut browser, &bound, &mut card, "fal3").await;
    let (status, body) = token(&bench, &bound, &code, &verifier, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_dpop_proof"))
    );
    let key = EcSigner::new(P256PrivateKey::generate(&OsRandom).unwrap(), None);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let token_url = format!("{}/oidc/token", bench.url);
    let proof = create_proof(&key, "POST", &token_url, now, "jti-1", None).unwrap();
    let (status, tokens) = token(&bench, &bound, &code, &verifier, Some(&proof)).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "DPoP");
    let access = tokens["access_token"].as_str().unwrap();
    let userinfo_url = format!("{}/oidc/userinfo", bench.url);
    // As a bearer token it is refused; with a proof of the same key it works, once per proof.
    assert_eq!(
        userinfo(&bench, &format!("Bearer {access}"), None).await.0,
        401
    );
    let proof = create_proof(&key, "GET", &userinfo_url, now, "jti-2", Some(access)).unwrap();
    let dpop = format!("DPoP {access}");
    let (status, info) = userinfo(&bench, &dpop, Some(&proof)).await;
    assert_eq!(status, 200, "{info}");
    let (status, body) = userinfo(&bench, &dpop, Some(&proof)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_dpop_proof")),
        "a replayed proof"
    );
    let thief = EcSigner::new(P256PrivateKey::generate(&OsRandom).unwrap(), None);
    let stolen = create_proof(&thief, "GET", &userinfo_url, now, "jti-3", Some(access)).unwrap();
    assert_eq!(
        userinfo(&bench, &dpop, Some(&stolen)).await.0,
        401,
        "another key"
    );
    let wrong_method =
        create_proof(&key, "POST", &userinfo_url, now, "jti-4", Some(access)).unwrap();
    assert_eq!(userinfo(&bench, &dpop, Some(&wrong_method)).await.0, 401);
}

#[tokio::test]
async fn guessed_pins_lock_the_device_key_and_recovery_needs_the_card_sqlite() {
    guessed_pins_lock_the_device_key_and_recovery_needs_the_card(
        Bench::start(Duration::ZERO).await,
    )
    .await;
}

#[tokio::test]
async fn guessed_pins_lock_the_device_key_and_recovery_needs_the_card_postgres() {
    let Some(bench) = Bench::start_postgres(Duration::ZERO).await else {
        eprintln!("PostgreSQL run left out: AKASHI_TEST_POSTGRES=skip");
        return;
    };
    guessed_pins_lock_the_device_key_and_recovery_needs_the_card(bench).await;
}

async fn guessed_pins_lock_the_device_key_and_recovery_needs_the_card(bench: Bench) {
    let shop = register(&bench, shop_draft("shop.example")).await;
    let mut card = bench.card_for("R-TARO", &taro()).await;
    let mut browser = Browser::new(&bench);
    login(&bench, &mut browser, &shop, &mut card, "setup").await;
    let device = P256PrivateKey::generate(&OsRandom).unwrap();
    assert_eq!(browser.bind_device(&device, "2468").await.status, 201);
    assert_eq!(
        browser.bind_device(&device, "2468").await.body["error_description"],
        "this authenticator is already bound to an account"
    );
    let short = P256PrivateKey::generate(&OsRandom).unwrap();
    assert_eq!(
        browser.bind_device(&short, "12").await.status,
        400,
        "a PIN is 4 to 16 digits"
    );

    let mut attacker = Browser::new(&bench);
    let (_, challenge) = pkce("guess");
    let a = attacker.authorize(&shop, &[], &challenge).await;
    let interaction = Browser::interaction_path(&a);
    for tries_left in (1..=4).rev() {
        let r = attacker.device_login(&interaction, &device, "0000").await;
        assert!(
            r.body["error_description"]
                .as_str()
                .unwrap()
                .contains(&format!("{tries_left} tries left")),
            "{}",
            r.body
        );
    }
    let r = attacker.device_login(&interaction, &device, "0000").await;
    assert!(
        r.body["error_description"]
            .as_str()
            .unwrap()
            .contains("locked"),
        "{}",
        r.body
    );
    let r = attacker.device_login(&interaction, &device, "2468").await;
    assert!(
        r.body["error_description"]
            .as_str()
            .unwrap()
            .contains("locked"),
        "the right PIN no longer helps: {}",
        r.body
    );
    assert!(attacker.cookie.is_none());

    // The locked key was the only authenticator: the account is in recovery, its sessions
    // ended; proofing with the card brings it back.
    assert_eq!(browser.get("/oidc/account").await.status, 401);
    let (_, challenge) = pkce("recover");
    let a = browser.authorize(&shop, &[], &challenge).await;
    let interaction = Browser::interaction_path(&a);
    let back = browser.proof(&interaction, &mut card).await;
    assert_eq!(back.status, 200, "{}", back.body);
    let account = browser.get("/oidc/account").await.body;
    assert_eq!(account["state"], "registered");
    assert_eq!(account["authenticators"][0]["status"], "locked");
    // Removing it needs no second factor beyond this AAL3 session.
    let id = account["authenticators"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let removed = browser
        .delete(&format!("/oidc/account/authenticators/{id}"))
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    let _ = json!(null);
}

/// A DPoP proof by `key` for `htm` at `htu`.
fn create_proof(
    key: &EcSigner,
    htm: &str,
    htu: &str,
    iat: i64,
    jti: &str,
    access_token: Option<&str>,
) -> Result<String, akashi_jose::JoseError> {
    let claims = ProofClaims {
        htm,
        htu,
        iat,
        jti,
        access_token,
        nonce: None,
    };
    dpop::create_proof(key, &claims)
}
