//! Demo steps 21–22: an online shop that speaks only OpenID Connect. Hanako registers at the
//! provider by proofing once with her card, binds a device key and her card, browses at level
//! 2 with the device key and pays at level 3 — the step-up makes her use the card again — and
//! a bank receives a different `sub` for her. Everything goes over HTTP, as a browser would.

use std::path::Path;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};
use time::OffsetDateTime;

use akashi_card::{
    Card, CertificateSlot, JpkiCard, SealedFileStore, VirtualCard, VirtualTransport,
};
use akashi_crypto::{sha256, OsRandom, P256PrivateKey};
use akashi_oidc::{ClientDraft, OidcProvider};

use crate::demo::{step, AUTH_PIN, SIGN_PIN};
use crate::demo_pf::DemoServer;
use crate::error::CliError;
use crate::keyring;

const LEVEL2: &str = "urn:akashi:acr:level2";
const LEVEL3: &str = "urn:akashi:acr:level3";
const DEVICE_PIN: &str = "2468";

fn fail(what: &str, body: &Value) -> CliError {
    CliError::usage(format!("{what}: {body}"))
}

/// A browser that keeps the provider's cookie and follows no redirect.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

/// A relying party as the demo plays it.
struct Rp {
    client_id: String,
    secret: String,
    redirect_uri: String,
}

impl Browser {
    async fn call(&mut self, rb: reqwest::RequestBuilder) -> Result<(u16, Value), CliError> {
        let rb = match &self.cookie {
            Some(c) => rb.header("cookie", format!("akashi_op={c}")),
            None => rb,
        };
        let r = rb.send().await?;
        let status = r.status().as_u16();
        for c in r.headers().get_all("set-cookie") {
            if let Some(v) = c.to_str().ok().and_then(|c| c.strip_prefix("akashi_op=")) {
                self.cookie = v.split(';').next().map(str::to_owned);
            }
        }
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut body: Value = serde_json::from_str(&r.text().await?).unwrap_or(Value::Null);
        if let Some(l) = location {
            body = json!({ "location": l });
        }
        Ok((status, body))
    }

    async fn get(&mut self, path: &str) -> Result<(u16, Value), CliError> {
        let rb = self.http.get(format!("{}{path}", self.base));
        self.call(rb).await
    }

    async fn post(&mut self, path: &str, body: Value) -> Result<(u16, Value), CliError> {
        let rb = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_string());
        self.call(rb).await
    }

    /// After a login in interaction `at`: approves the consent screen when it comes next.
    async fn consent_if_asked(&mut self, at: &str, done: Value) -> Result<Value, CliError> {
        if done["next"] != "consent" {
            return Ok(done);
        }
        Ok(self
            .post(&format!("{at}/consent"), json!({ "approve": true }))
            .await?
            .1)
    }

    /// The authorization request; returns the interaction path, or `None` when the provider
    /// answered the RP directly (with the code in `location`).
    async fn authorize(&mut self, rp: &Rp, acr: &str, verifier: &str) -> Result<Value, CliError> {
        let challenge = URL_SAFE_NO_PAD.encode(sha256(verifier.as_bytes()));
        let url = reqwest::Url::parse_with_params(
            &format!("{}/oidc/authorize", self.base),
            [
                ("client_id", rp.client_id.as_str()),
                ("response_type", "code"),
                ("redirect_uri", rp.redirect_uri.as_str()),
                ("scope", "openid name"),
                ("state", "demo"),
                ("nonce", "demo"),
                ("acr_values", acr),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .map_err(|e| CliError::usage(e.to_string()))?;
        let rb = self.http.get(url);
        Ok(self.call(rb).await?.1)
    }
}

fn interaction_of(answer: &Value) -> Option<String> {
    let location = answer["location"].as_str()?;
    location
        .split_once("/oidc/interaction/")
        .map(|(_, h)| format!("/oidc/interaction/{h}"))
}

fn code_of(answer: &Value) -> Result<String, CliError> {
    let location = answer["location"]
        .as_str()
        .ok_or_else(|| fail("no redirect to the shop", answer))?;
    let url = reqwest::Url::parse(location).map_err(|e| CliError::usage(e.to_string()))?;
    url.query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| fail("the shop got no code", answer))
}

/// The card's answer with the authentication certificate (AAL3).
fn card_login(card: &mut dyn Card, tbs: &str) -> Result<Value, CliError> {
    let tbs = STANDARD
        .decode(tbs)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let certificate = card.read_certificate(CertificateSlot::Authentication, None)?;
    let signature = card.authenticate(&tbs, AUTH_PIN)?;
    Ok(
        json!({ "certificate": STANDARD.encode(certificate), "signature": STANDARD.encode(signature) }),
    )
}

fn device_login(device: &P256PrivateKey, tbs: &str) -> Result<Value, CliError> {
    let tbs = STANDARD
        .decode(tbs)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let (x, y) = device.public_key().affine();
    let jwk = json!({ "kty": "EC", "crv": "P-256", "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y) });
    let signature = device.sign_es256(&tbs)?;
    Ok(json!({ "jwk": jwk, "signature": URL_SAFE_NO_PAD.encode(signature), "pin": DEVICE_PIN }))
}

/// The RP's token request; returns the ID token's claims (read by the RP after checking the
/// signature with the provider's keys — here the provider itself checks).
async fn redeem(
    op: &OidcProvider,
    base: &str,
    rp: &Rp,
    code: &str,
    verifier: &str,
) -> Result<Value, CliError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", rp.redirect_uri.as_str()),
        ("code_verifier", verifier),
    ];
    let r = reqwest::Client::new()
        .post(format!("{base}/oidc/token"))
        .basic_auth(&rp.client_id, Some(&rp.secret))
        .form(&form)
        .send()
        .await?;
    let tokens: Value = serde_json::from_str(&r.text().await?)?;
    let id_token = tokens["id_token"]
        .as_str()
        .ok_or_else(|| fail("token endpoint", &tokens))?;
    op.verify_id_token(id_token)
        .map_err(|e| CliError::usage(format!("ID token: {e}")))
}

async fn register(op: &OidcProvider, name: &str, host: &str) -> Result<Rp, CliError> {
    let draft = ClientDraft {
        name: name.into(),
        redirect_uris: vec![format!("https://{host}/callback")],
        confidential: true,
        ..ClientDraft::default()
    };
    let checked = draft.check().map_err(|e| CliError::usage(e.to_string()))?;
    let r = op
        .register_client(checked, OffsetDateTime::now_utc(), &OsRandom)
        .await
        .map_err(|e| CliError::usage(e.to_string()))?;
    Ok(Rp {
        client_id: r.client_id,
        secret: r.client_secret.unwrap_or_default(),
        redirect_uri: format!("https://{host}/callback"),
    })
}

pub async fn run(
    key_file: Option<&Path>,
    card_path: &Path,
    server: &DemoServer,
) -> Result<(), CliError> {
    let Some(op) = server.services.oidc.clone() else {
        return Err(CliError::usage("the demo server runs no OpenID provider"));
    };
    step(
        21,
        "A shop that speaks only OpenID Connect: browsing at level 2, paying at level 3",
    );
    let mut card: Box<dyn Card> = Box::new(JpkiCard::new(VirtualTransport(VirtualCard::open(
        SealedFileStore::open(card_path.to_path_buf(), keyring::sealing_key(key_file)?)?,
    )?)));
    let shop = register(&op, "Sakura Shop", "shop.example").await?;
    let mut b = Browser {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?,
        base: server.url.clone(),
        cookie: None,
    };
    println!(
        "  the shop is a registered relying party ({}); the provider is {}/oidc",
        shop.client_id, server.url
    );
    let first = b
        .authorize(
            &shop,
            LEVEL2,
            "demo-verifier-first-0123456789abcdef0123456789",
        )
        .await?;
    let at = interaction_of(&first).ok_or_else(|| fail("no login screen", &first))?;
    let (_, view) = b.get(&at).await?;
    println!("  no account yet: she proofs once with her card's signature certificate (IAL3)");
    let tbs = STANDARD
        .decode(
            view["to_be_signed"]["proofing"]
                .as_str()
                .unwrap_or_default(),
        )
        .map_err(|e| CliError::usage(e.to_string()))?;
    let certificate = card.read_certificate(CertificateSlot::Signature, Some(SIGN_PIN))?;
    let signature = card.sign(&tbs, SIGN_PIN)?;
    let body = json!({ "certificate": STANDARD.encode(certificate), "signature": STANDARD.encode(signature) });
    let (status, proofed) = b.post(&format!("{at}/proofing"), body).await?;
    if status != 200 {
        return Err(fail("proofing", &proofed));
    }
    let (_, done) = b
        .post(&format!("{at}/consent"), json!({ "approve": true }))
        .await?;
    let claims = redeem(
        &op,
        &server.url,
        &shop,
        &code_of(&done)?,
        "demo-verifier-first-0123456789abcdef0123456789",
    )
    .await?;
    println!(
        "  the shop's ID token: acr {}, a pairwise sub, her name (the scope she consented to)",
        claims["acr"]
    );

    let device = P256PrivateKey::generate(&OsRandom)?;
    for (kind, label) in [("device", "Hanako's phone"), ("card", "My Number Card")] {
        let (_, c) = b.post("/oidc/account/challenge", json!({})).await?;
        let tbs = c["to_be_signed"].as_str().unwrap_or_default();
        let mut body = if kind == "device" {
            device_login(&device, tbs)?
        } else {
            card_login(card.as_mut(), tbs)?
        };
        body["challenge"] = c["challenge"].clone();
        body["label"] = json!(label);
        let (status, bound) = b
            .post(&format!("/oidc/account/authenticators/{kind}"), body)
            .await?;
        if status != 201 {
            return Err(fail("binding", &bound));
        }
    }
    println!("  within that session she binds a device key with a PIN (AAL2) and her card's authentication certificate (AAL3)");

    b.cookie = None;
    let verifier = "demo-verifier-browse-0123456789abcdef0123456789";
    let browse = b.authorize(&shop, LEVEL2, verifier).await?;
    let at = interaction_of(&browse).ok_or_else(|| fail("no login screen", &browse))?;
    let (_, view) = b.get(&at).await?;
    let (_, done) = b
        .post(
            &format!("{at}/device"),
            device_login(
                &device,
                view["to_be_signed"]["login"].as_str().unwrap_or_default(),
            )?,
        )
        .await?;
    let done = b.consent_if_asked(&at, done).await?;
    let claims = redeem(&op, &server.url, &shop, &code_of(&done)?, verifier).await?;
    println!(
        "  next day, browsing: the device key and PIN, acr {}",
        claims["acr"]
    );

    let verifier = "demo-verifier-pay-0123456789abcdef0123456789";
    let pay = b.authorize(&shop, LEVEL3, verifier).await?;
    let at = interaction_of(&pay)
        .ok_or_else(|| fail("the level-2 session was accepted for level 3", &pay))?;
    let (_, view) = b.get(&at).await?;
    println!(
        "  paying asks for {}: her level-2 session is not enough ({}), the login screen offers {}",
        LEVEL3, view["reason"], view["methods"]
    );
    let (status, refused) = b
        .post(
            &format!("{at}/device"),
            device_login(
                &device,
                view["to_be_signed"]["login"].as_str().unwrap_or_default(),
            )?,
        )
        .await?;
    println!(
        "  the device key is refused ({status} {}) and her session is unchanged",
        refused["error"]
    );
    let (_, done) = b
        .post(
            &format!("{at}/card"),
            card_login(
                card.as_mut(),
                view["to_be_signed"]["login"].as_str().unwrap_or_default(),
            )?,
        )
        .await?;
    let done = b.consent_if_asked(&at, done).await?;
    let paid = redeem(&op, &server.url, &shop, &code_of(&done)?, verifier).await?;
    println!(
        "  with the card and its PIN: acr {}, amr {}",
        paid["acr"], paid["amr"]
    );

    step(
        22,
        "A bank that uses the same provider receives a different sub for her",
    );
    let bank = register(&op, "Hoshi Bank", "bank.example").await?;
    let verifier = "demo-verifier-bank-0123456789abcdef0123456789";
    let visit = b.authorize(&bank, LEVEL3, verifier).await?;
    let done = match interaction_of(&visit) {
        Some(at) => {
            b.post(&format!("{at}/consent"), json!({ "approve": true }))
                .await?
                .1
        }
        None => visit,
    };
    let at_bank = redeem(&op, &server.url, &bank, &code_of(&done)?, verifier).await?;
    println!(
        "  shop's sub: {}…  bank's sub: {}…  (pairwise: they cannot join their records by it)",
        &paid["sub"].as_str().unwrap_or_default()[..12],
        &at_bank["sub"].as_str().unwrap_or_default()[..12]
    );
    Ok(())
}
