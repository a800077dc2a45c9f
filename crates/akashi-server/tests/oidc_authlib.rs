//! authlib, an OpenID Connect library written by others (Python, pinned in scripts/setup.sh),
//! as the relying party against Akashi's provider; this test plays Hanako's browser and card.
//! authlib reads discovery and the JWKS, builds the request with PKCE S256, checks `state`,
//! redeems the code with client_secret_basic, validates the ID token (signature, iss, aud,
//! exp, iat, nonce, at_hash, acr) and calls userinfo; its script (tests/rp/authlib_rp.py)
//! also compares RFC 9207's `iss` and reports what it made of a tampered ID token.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use akashi_crypto::{OsRandom, P256PrivateKey};

use support::op::*;
use support::{hanako, Bench};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rp/authlib_rp.py");

/// The authlib relying party, one Python process spoken to in JSON lines.
struct Authlib {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    issuer: String,
}

impl Authlib {
    /// `None` when the run leaves the Python tools out (`AKASHI_PY_TOOLS=skip`).
    fn spawn(issuer: &str) -> Option<Self> {
        let tools = match std::env::var("AKASHI_PY_TOOLS") {
            Ok(t) if t == "skip" => return None,
            Ok(t) => t,
            Err(_) => panic!(
                "AKASHI_PY_TOOLS is not set: run scripts/test.sh (scripts/setup.sh installs \
                 authlib), or set AKASHI_PY_TOOLS=skip to leave it out knowingly"
            ),
        };
        let mut child = Command::new("python3")
            .arg(SCRIPT)
            .env("PYTHONPATH", tools)
            .env("AUTHLIB_INSECURE_TRANSPORT", "1") // the provider is on http loopback
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3");
        Some(Self {
            stdin: child.stdin.take().unwrap(),
            stdout: BufReader::new(child.stdout.take().unwrap()),
            child,
            issuer: issuer.to_owned(),
        })
    }

    /// One request, one answer. Python calls the provider meanwhile, so this thread blocks
    /// while the runtime's other worker serves it.
    fn ask(&mut self, msg: Value) -> Value {
        tokio::task::block_in_place(|| {
            writeln!(self.stdin, "{msg}").unwrap();
            let mut line = String::new();
            self.stdout.read_line(&mut line).unwrap();
            assert!(
                !line.is_empty(),
                "the authlib RP ended (its stderr is above)"
            );
            serde_json::from_str(&line).unwrap()
        })
    }

    /// authlib's authorization URL for `rp`, asking `acr_values` if given.
    fn start(&mut self, rp: &Rp, acr_values: Option<&str>) -> String {
        let a = self.ask(json!({
            "cmd": "start", "issuer": self.issuer, "client_id": rp.client_id,
            "client_secret": rp.secret, "redirect_uri": rp.redirect_uri,
            "scope": "openid name", "acr_values": acr_values,
        }));
        a["url"]
            .as_str()
            .unwrap_or_else(|| panic!("{a}"))
            .to_owned()
    }

    /// authlib finishes the login at the callback: the ID token must carry one of `acr`.
    /// With `refuse`, it also validates the same token demanding one of those (reported).
    fn finish(&mut self, callback: &str, acr: &[&str], refuse: Option<&[&str]>) -> Value {
        let a = self.ask(json!({
            "cmd": "callback", "url": callback, "acr": acr, "refuse_acr": refuse,
        }));
        assert!(a["error"].is_null(), "authlib refused the login: {a}");
        let tampered = a["tampered"]
            .as_str()
            .expect("a tampered ID token is refused");
        assert!(tampered.contains("BadSignatureError"), "{tampered}");
        assert_eq!(
            a["userinfo"]["sub"], a["id_token"]["sub"],
            "userinfo is about the ID token's subject"
        );
        assert_eq!(a["token_type"], "Bearer");
        assert!(
            a["id_token"]["at_hash"].is_string(),
            "authlib checked at_hash: {a}"
        );
        a
    }
}

impl Drop for Authlib {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The browser follows authlib's URL to the provider; returns the interaction path and view.
async fn to_interaction(browser: &mut Browser, url: &str) -> (String, Value) {
    let a = browser.get(url).await;
    assert_eq!(a.status, 303, "{}", a.body);
    let interaction = Browser::interaction_path(&a);
    let view = browser.get(&interaction).await.body;
    (interaction, view)
}

/// Where a login's answer sends the browser: consent first if asked, then the callback.
async fn to_callback(browser: &mut Browser, interaction: &str, login: Answer) -> String {
    assert_eq!(login.status, 200, "{}", login.body);
    let done = match login.body["next"].as_str() {
        Some("consent") => browser.consent(interaction).await,
        _ => login,
    };
    let location = done.body["location"].as_str();
    let location = location.unwrap_or_else(|| panic!("no callback: {}", done.body));
    location.to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authlib_logs_in_steps_up_and_sees_pairwise_subjects() {
    let bench = Bench::start(Duration::ZERO).await;
    let issuer = format!("{}/oidc", bench.url);
    let Some(mut authlib) = Authlib::spawn(&issuer) else {
        eprintln!("AKASHI_PY_TOOLS=skip: the authlib relying party is left out");
        return;
    };
    let shop = register(&bench, shop_draft("shop.example")).await;
    let bank = register(&bench, shop_draft("bank.example")).await;
    let mut card = bench.card_for("R-HANAKO", &hanako()).await;
    let device = P256PrivateKey::generate(&OsRandom).unwrap();

    // 1. The shop asks level 2. No session, no account: she proofs with her card (which
    //    logs her in at level 3) and consents; authlib accepts level 2 or higher.
    let mut browser = Browser::new(&bench);
    let url = authlib.start(&shop, Some(LEVEL2));
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let (interaction, view) = to_interaction(&mut browser, &url).await;
    assert_eq!(view["reason"], "no_session");
    assert_eq!(view["required_acr"], LEVEL2);
    let proofed = browser.proof(&interaction, &mut card).await;
    let callback = to_callback(&mut browser, &interaction, proofed).await;
    let first = authlib.finish(&callback, &[LEVEL2, LEVEL3], None);
    assert_eq!(first["id_token"]["acr"], LEVEL3, "proofing is a card login");
    let shop_sub = first["id_token"]["sub"].as_str().unwrap().to_owned();
    assert_eq!(
        first["userinfo"],
        json!({ "sub": shop_sub, "name": "山田\u{3000}花子" }),
        "only the consented claim (scope openid name)"
    );

    // Within that session she binds a device key (AAL2) and her card (AAL3).
    assert_eq!(browser.bind_device(&device, "4321").await.status, 201);
    assert_eq!(browser.bind_card(&mut card).await.status, 201);

    // A new browser logs in at level 2 with the device key; consent was given before.
    // authlib accepts exactly level 2 and, asked to demand level 3, refuses the same token.
    let mut browser = Browser::new(&bench);
    let url = authlib.start(&shop, Some(LEVEL2));
    let (interaction, _) = to_interaction(&mut browser, &url).await;
    let login = browser.device_login(&interaction, &device, "4321").await;
    assert_eq!(login.body["next"], "redirect", "{}", login.body);
    let callback = to_callback(&mut browser, &interaction, login).await;
    let level2 = authlib.finish(&callback, &[LEVEL2], Some(&[LEVEL3]));
    assert_eq!(level2["id_token"]["acr"], LEVEL2);
    assert_eq!(level2["id_token"]["amr"], json!(["swk", "pin", "mfa"]));
    assert_eq!(level2["id_token"]["sub"], shop_sub);
    let refused = level2["refused_acr"]
        .as_str()
        .expect("level 2 is not level 3");
    assert!(refused.contains("acr"), "{refused}");

    // 2. Step-up: authlib asks level 3 with acr essential. The level-2 session does not
    //    satisfy it; she logs in with the card and authlib's acr check passes.
    let url = authlib.start(&shop, Some(LEVEL3));
    let (interaction, view) = to_interaction(&mut browser, &url).await;
    assert_eq!(view["reason"], "step_up");
    assert_eq!(view["session_acr"], LEVEL2);
    let up = browser.card_login(&interaction, &mut card).await;
    let callback = to_callback(&mut browser, &interaction, up).await;
    let level3 = authlib.finish(&callback, &[LEVEL3], None);
    assert_eq!(level3["id_token"]["acr"], LEVEL3);
    assert!(level3["id_token"]["amr"]
        .as_array()
        .unwrap()
        .contains(&json!("hwk")));
    assert_eq!(level3["id_token"]["sub"], shop_sub);

    // 3. The bank, another client, logs in the same person: she consents once, and authlib
    //    sees a different sub. The shop again (no level asked) gets the same sub as before,
    //    straight from the session.
    let url = authlib.start(&bank, None);
    let (interaction, view) = to_interaction(&mut browser, &url).await;
    assert_eq!(view["stage"], "consent");
    let done = browser.consent(&interaction).await;
    let callback = to_callback(&mut browser, &interaction, done).await;
    let at_bank = authlib.finish(&callback, &[LEVEL3], None);
    assert_ne!(at_bank["id_token"]["sub"], shop_sub, "two RPs, two subs");
    assert_eq!(at_bank["id_token"]["aud"], bank.client_id);

    let url = authlib.start(&shop, None);
    let back = browser.get(&url).await;
    assert_eq!(back.status, 303);
    let callback = back.location.unwrap();
    assert!(callback.starts_with(&shop.redirect_uri), "{callback}");
    let again = authlib.finish(&callback, &[LEVEL3], None);
    assert_eq!(again["id_token"]["sub"], shop_sub, "one RP, one sub");
}
