//! An OpenID Connect relying party and a browser against the provider under `/oidc`, driven
//! over HTTP: the browser keeps the provider's session cookie and follows no redirects, so
//! each step (interaction, login, consent, the RP's callback) is visible to the test.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use akashi_card::{Card as _, CertificateSlot};
use akashi_crypto::{OsRandom, P256PrivateKey};
use akashi_jose::jwk::{JwkSet, PublicJwk};
use akashi_jose::jws::{verify_compact, JwsAlgorithm};
use akashi_oidc::{ClientDraft, RegisteredClient};

use super::{Bench, Card, SIGN_PIN};

pub const AUTH_PIN: &str = "1234";
pub const LEVEL1: &str = "urn:akashi:acr:level1";
pub const LEVEL2: &str = "urn:akashi:acr:level2";
pub const LEVEL3: &str = "urn:akashi:acr:level3";

pub struct Rp {
    pub client_id: String,
    pub secret: Option<String>,
    pub redirect_uri: String,
}

pub async fn register(bench: &Bench, draft: ClientDraft) -> Rp {
    let redirect_uri = draft.redirect_uris[0].clone();
    let RegisteredClient {
        client_id,
        client_secret,
    } = bench
        .oidc
        .as_ref()
        .unwrap()
        .register_client(draft.check().unwrap(), OffsetDateTime::now_utc(), &OsRandom)
        .await
        .unwrap();
    Rp {
        client_id,
        secret: client_secret,
        redirect_uri,
    }
}

pub fn shop_draft(host: &str) -> ClientDraft {
    ClientDraft {
        name: format!("Shop at {host}"),
        redirect_uris: vec![format!("https://{host}/callback")],
        post_logout_redirect_uris: vec![format!("https://{host}/bye")],
        confidential: true,
        ..ClientDraft::default()
    }
}

/// A PKCE pair (verifier, S256 challenge).
pub fn pkce(seed: &str) -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(Sha256::digest(seed.as_bytes()));
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: Option<String>,
    /// The provider's "known browser" cookie (which account a passkey login is for).
    pub known: Option<String>,
}

/// What came back: status, Location header, JSON body (if any).
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub body: Value,
}

impl Browser {
    pub fn new(bench: &Bench) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: bench.url.clone(),
            cookie: None,
            known: None,
        }
    }

    async fn answer(&mut self, r: reqwest::Response) -> Answer {
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        for c in r.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap();
            if let Some(rest) = c.strip_prefix("akashi_op=") {
                let value = rest.split(';').next().unwrap();
                self.cookie = (!value.is_empty()).then(|| value.to_owned());
            }
            if let Some(rest) = c.strip_prefix("akashi_op_known=") {
                self.known = rest.split(';').next().map(str::to_owned);
            }
        }
        let text = r.text().await.unwrap();
        Answer {
            status,
            location,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    fn with_cookie(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let mut cookies = Vec::new();
        if let Some(c) = &self.cookie {
            cookies.push(format!("akashi_op={c}"));
        }
        if let Some(k) = &self.known {
            cookies.push(format!("akashi_op_known={k}"));
        }
        if cookies.is_empty() {
            rb
        } else {
            rb.header("cookie", cookies.join("; "))
        }
    }

    pub async fn get(&mut self, url: &str) -> Answer {
        let url = if url.starts_with("http") {
            url.to_owned()
        } else {
            format!("{}{url}", self.base)
        };
        let r = self.with_cookie(self.http.get(url)).send().await.unwrap();
        self.answer(r).await
    }

    pub async fn post(&mut self, path: &str, body: Value) -> Answer {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let r = self
            .with_cookie(self.http.post(url))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        self.answer(r).await
    }

    pub async fn delete(&mut self, path: &str) -> Answer {
        let r = self
            .with_cookie(self.http.delete(format!("{}{path}", self.base)))
            .send()
            .await
            .unwrap();
        self.answer(r).await
    }

    /// Starts an authorization request; returns the provider's answer (a 303).
    pub async fn authorize(&mut self, rp: &Rp, extra: &[(&str, &str)], challenge: &str) -> Answer {
        let mut query = vec![
            ("client_id", rp.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", rp.redirect_uri.as_str()),
            ("scope", "openid name"),
            ("state", "st-1"),
            ("nonce", "n-1"),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ];
        for (k, v) in extra {
            query.retain(|(q, _)| q != k);
            query.push((k, v));
        }
        let url = format!(
            "{}/oidc/authorize?{}",
            self.base,
            serde_urlencoded::to_string(&query).unwrap()
        );
        self.get(&url).await
    }

    /// The interaction path from a 303 to it.
    pub fn interaction_path(answer: &Answer) -> String {
        let location = answer.location.clone().expect("a redirect");
        let path = location
            .split("/oidc/interaction/")
            .nth(1)
            .expect("to the interaction");
        format!("/oidc/interaction/{path}")
    }

    pub async fn proof(&mut self, interaction: &str, card: &mut Card) -> Answer {
        let view = self.get(interaction).await.body;
        let tbs = STANDARD
            .decode(view["to_be_signed"]["proofing"].as_str().unwrap())
            .unwrap();
        let certificate = card
            .read_certificate(CertificateSlot::Signature, Some(SIGN_PIN))
            .unwrap();
        let signature = card.sign(&tbs, SIGN_PIN).unwrap();
        let body = json!({ "certificate": STANDARD.encode(certificate), "signature": STANDARD.encode(signature) });
        self.post(&format!("{interaction}/proofing"), body).await
    }

    pub async fn card_login(&mut self, interaction: &str, card: &mut Card) -> Answer {
        let view = self.get(interaction).await.body;
        let tbs = STANDARD
            .decode(view["to_be_signed"]["login"].as_str().unwrap())
            .unwrap();
        let body = card_response(card, &tbs);
        self.post(&format!("{interaction}/card"), body).await
    }

    pub async fn device_login(
        &mut self,
        interaction: &str,
        device: &P256PrivateKey,
        pin: &str,
    ) -> Answer {
        let view = self.get(interaction).await.body;
        let tbs = STANDARD
            .decode(view["to_be_signed"]["login"].as_str().unwrap())
            .unwrap();
        self.post(
            &format!("{interaction}/device"),
            device_response(device, &tbs, pin),
        )
        .await
    }

    pub async fn consent(&mut self, interaction: &str) -> Answer {
        self.post(
            &format!("{interaction}/consent"),
            json!({ "approve": true }),
        )
        .await
    }

    /// Binds a device key with `pin` to the logged-in account.
    pub async fn bind_device(&mut self, device: &P256PrivateKey, pin: &str) -> Answer {
        let c = self.post("/oidc/account/challenge", json!({})).await.body;
        let tbs = STANDARD
            .decode(c["to_be_signed"].as_str().unwrap())
            .unwrap();
        let mut body = device_response(device, &tbs, pin);
        body["challenge"] = c["challenge"].clone();
        body["label"] = json!("Hanako's phone");
        self.post("/oidc/account/authenticators/device", body).await
    }

    pub async fn bind_card(&mut self, card: &mut Card) -> Answer {
        let c = self.post("/oidc/account/challenge", json!({})).await.body;
        let tbs = STANDARD
            .decode(c["to_be_signed"].as_str().unwrap())
            .unwrap();
        let mut body = card_response(card, &tbs);
        body["challenge"] = c["challenge"].clone();
        body["label"] = json!("My Number Card");
        self.post("/oidc/account/authenticators/card", body).await
    }
}

pub fn card_response(card: &mut Card, tbs: &[u8]) -> Value {
    let certificate = card
        .read_certificate(CertificateSlot::Authentication, None)
        .unwrap();
    let signature = card.authenticate(tbs, AUTH_PIN).unwrap();
    json!({ "certificate": STANDARD.encode(certificate), "signature": STANDARD.encode(signature) })
}

pub fn device_response(device: &P256PrivateKey, tbs: &[u8], pin: &str) -> Value {
    let jwk = PublicJwk::from_p256(&device.public_key()).to_json();
    let signature = device.sign_es256(tbs).unwrap();
    json!({ "jwk": jwk, "signature": URL_SAFE_NO_PAD.encode(signature), "pin": pin })
}

/// The `code` and `state` of the RP's callback URL, after checking `iss`.
pub fn callback(location: &str, issuer: &str) -> (Option<String>, Value) {
    let url = url_query(location);
    assert_eq!(url["iss"], issuer, "RFC 9207 iss in {location}");
    (url["code"].as_str().map(str::to_owned), url)
}

pub fn url_query(location: &str) -> Value {
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
}

/// The token request with client_secret_basic; (status, body).
pub async fn token(
    bench: &Bench,
    rp: &Rp,
    code: &str,
    verifier: &str,
    dpop: Option<&str>,
) -> (u16, Value) {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", rp.redirect_uri.as_str()),
        ("code_verifier", verifier),
    ];
    let mut rb = bench
        .http
        .post(format!("{}/oidc/token", bench.url))
        .basic_auth(&rp.client_id, rp.secret.as_deref())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(form).unwrap());
    if let Some(p) = dpop {
        rb = rb.header("dpop", p);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    (
        status,
        serde_json::from_str(&r.text().await.unwrap()).unwrap(),
    )
}

/// Verifies an ID token with the provider's published JWKS; returns its claims.
pub async fn id_token_claims(bench: &Bench, id_token: &str) -> Value {
    let jwks = bench.get_json("/oidc/jwks").await;
    let keys = JwkSet::from_json(&jwks).unwrap();
    let verified = verify_compact(id_token, &keys.keys, &[JwsAlgorithm::Rs256]).unwrap();
    serde_json::from_slice(&verified.payload).unwrap()
}

pub async fn userinfo(bench: &Bench, authorization: &str, dpop: Option<&str>) -> (u16, Value) {
    let mut rb = bench
        .http
        .get(format!("{}/oidc/userinfo", bench.url))
        .header("authorization", authorization);
    if let Some(p) = dpop {
        rb = rb.header("dpop", p);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    (
        status,
        serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null),
    )
}

/// The code from an answer that redirects to the RP (a 303, or an interaction's `next`).
pub fn code_from(answer: &Answer, issuer: &str) -> String {
    let (code, q) = callback(
        answer
            .location
            .as_deref()
            .or(answer.body["location"].as_str())
            .unwrap(),
        issuer,
    );
    code.unwrap_or_else(|| panic!("no code: {q}"))
}
