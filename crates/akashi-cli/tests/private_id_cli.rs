//! The private ID through the `akashi` binary: `akashi serve` runs the issuer and the verifier,
//! `akashi wallet` proofs with the card and answers requests, `akashi verifier` registers a
//! relying party, asks and reads. The relying party learns only what the holder approved; a
//! refusal and an unanswerable or unreadable request disclose nothing; a move makes the wallet
//! say "renew your ID", and proofing again with consent brings the new address.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::*;
use serde_json::{json, Value};

const SECRETS: [&str; 5] = ["山田", "花子", "1990", "霞が関", "female"];

struct Bench {
    env: Env,
    wallet: String,
}

impl Bench {
    fn new() -> Self {
        let env = Env::new();
        env.issue();
        let wallet = env.p("hanako.wallet");
        Self { env, wallet }
    }

    /// `akashi wallet --wallet W ARGS`.
    fn wallet(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["wallet", "--wallet", &self.wallet];
        all.extend_from_slice(args);
        self.env.akashi(&all)
    }

    fn wallet_ok(&self, args: &[&str]) -> String {
        let out = self.wallet(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "wallet {args:?}: {}",
            text(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.env.ok(args)).unwrap()
    }

    fn register(&self, url: &str, name: &str) -> String {
        let issuer = format!("{url}/issuer");
        let v = self.json(&[
            "--json",
            "verifier",
            "register",
            name,
            "--data",
            &self.env.p("data"),
            "--trust-issuer",
            &issuer,
        ]);
        v["credential"].as_str().unwrap().to_owned()
    }

    /// `akashi verifier request …`: (transaction id, request URI).
    fn request(&self, url: &str, rp: &str, what: &[&str]) -> (String, String) {
        let mut args = vec![
            "--json",
            "verifier",
            "request",
            "--url",
            url,
            "--credential",
            rp,
        ];
        args.extend_from_slice(what);
        let v = self.json(&args);
        (
            v["transaction_id"].as_str().unwrap().to_owned(),
            v["request_uri"].as_str().unwrap().to_owned(),
        )
    }

    fn result(&self, url: &str, rp: &str, id: &str) -> Value {
        self.json(&[
            "--json",
            "verifier",
            "result",
            "--url",
            url,
            "--credential",
            rp,
            id,
        ])
    }

    fn proof(&self, url: &str, consent: bool) -> String {
        let issuer = format!("{url}/issuer");
        let card = self.env.p("hanako.card");
        let mut args = vec![
            "proof", "--issuer", &issuer, "--card", &card, "--pin", "ABC123",
        ];
        if consent {
            args.push("--consent");
        }
        self.wallet_ok(&args)
    }
}

#[test]
fn relying_parties_learn_only_what_the_holder_approved() {
    let b = Bench::new();
    let server = Server::start(&b.env, "");
    let url = format!("http://{}", server.addr);
    b.wallet_ok(&["create"]);
    let proofed = b.proof(&url, false);
    assert!(proofed.contains("anchor good"), "{proofed}");
    assert!(proofed.contains("stored sdjwt-"), "{proofed}");
    assert!(proofed.contains("stored bbs-"), "{proofed}");
    let list: Value = serde_json::from_str(&b.wallet_ok(&["--json", "list"])).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let sd = list.iter().find(|c| c["format"] == "dc+sd-jwt").unwrap();
    assert_eq!(sd["copies_left"], 5);
    assert_eq!(sd["anchor"], "good");
    assert_eq!(sd["claims"]["address.municipality"], "千代田区");
    let text_list = b.wallet_ok(&["list"]);
    assert!(text_list.contains("5 unused copies"), "{text_list}");

    let shop = b.register(&url, "Age shop");
    let city = b.register(&url, "City");

    // The shop: age ≥ 20 and still valid; the holder sees exactly that before it goes.
    let (id, uri) = b.request(&url, &shop, &["--age-over", "20"]);
    assert_eq!(b.result(&url, &shop, &id)["status"], "pending");
    let shown = b.wallet_ok(&["present", &uri, "--approve"]);
    assert!(shown.contains("prove birthdate <="), "{shown}");
    assert!(
        shown.contains("a pseudonym for this verifier only"),
        "{shown}"
    );
    assert!(!shown.contains("disclose"), "{shown}");
    let result = b.result(&url, &shop, &id);
    assert_eq!(result["status"], "verified", "{result}");
    let age = &result["result"]["credentials"]["age"];
    assert_eq!(age["claims"], json!({}));
    assert!(age["predicates"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["holds"] == true));
    assert!(age["pseudonym"].as_str().unwrap().len() > 40);
    for secret in SECRETS {
        assert!(!result.to_string().contains(secret), "{secret} in {result}");
    }
    // The readable form says the same.
    let shown = b.env.ok(&[
        "verifier",
        "result",
        "--url",
        &url,
        "--credential",
        &shop,
        &id,
    ]);
    assert!(shown.contains("status: verified"), "{shown}");
    assert!(shown.contains("claims: none"), "{shown}");
    assert!(shown.contains("predicate birthdate <= "), "{shown}");

    // The city: the municipality only; approved at the prompt.
    let (id, uri) = b.request(&url, &city, &["--municipality"]);
    let mut child = b
        .env
        .command(&["wallet", "--wallet", &b.wallet, "present", &uri])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"y\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Send this? [y/N]"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("disclose address.municipality"),
        "{}",
        text(&out)
    );
    let result = b.result(&url, &city, &id);
    assert_eq!(result["status"], "verified", "{result}");
    assert_eq!(
        result["result"]["credentials"]["residence"]["claims"],
        json!({ "address": { "municipality": "千代田区" } })
    );
    for secret in SECRETS {
        assert!(!result.to_string().contains(secret), "{secret} in {result}");
    }

    // --refuse: the verifier hears access_denied, nothing is disclosed.
    let (id, uri) = b.request(&url, &city, &["--municipality"]);
    let refused = b.wallet_ok(&["present", &uri, "--refuse"]);
    assert!(refused.contains("nothing was disclosed"), "{refused}");
    let result = b.result(&url, &city, &id);
    assert_eq!(result["status"], "refused", "{result}");
    assert!(result["result"].is_null());
    // No answer at the prompt is a refusal too.
    let (id, uri) = b.request(&url, &city, &["--municipality"]);
    let out = b
        .env
        .command(&["wallet", "--wallet", &b.wallet, "present", &uri])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(b.result(&url, &city, &id)["status"], "refused");

    // A query no credential answers: a clear message, exit 1, nothing sent.
    let dcql = b.env.path("other.json");
    std::fs::write(
        &dcql,
        json!({ "credentials": [{ "id": "x", "format": "dc+sd-jwt",
            "meta": { "vct_values": ["urn:other"] }, "claims": [{ "path": ["family_name"] }] }] })
        .to_string(),
    )
    .unwrap();
    let (id, uri) = b.request(&url, &city, &["--dcql", dcql.to_str().unwrap()]);
    let out = b.wallet(&["present", &uri, "--approve"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("cannot answer the request"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("nothing was sent"), "{}", text(&out));
    assert_eq!(b.result(&url, &city, &id)["status"], "pending");
    // An unreadable request URI: exit 2, named.
    for bad in [
        "https://shop.example/checkout",
        "openid4vp://?response_type=vp_token",
    ] {
        let out = b.wallet(&["present", bad, "--approve"]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out));
        assert!(
            text(&out).contains("not a presentation request this wallet accepts"),
            "{}",
            text(&out)
        );
    }
    // Relying-party mistakes are named.
    let out = b.env.akashi(&[
        "verifier",
        "request",
        "--url",
        &url,
        "--credential",
        "akvp1.forged",
        "--municipality",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("unauthorized"), "{}", text(&out));
    let out = b.env.akashi(&[
        "verifier",
        "register",
        "Nobody",
        "--data",
        &b.env.p("nowhere"),
        "--trust-issuer",
        &format!("{url}/issuer"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("holds no Akashi database"),
        "{}",
        text(&out)
    );

    // The history: two approved presentations, what and to whom.
    let history: Value = serde_json::from_str(&b.wallet_ok(&["--json", "history"])).unwrap();
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[1]["disclosed"], json!(["address.municipality"]));
    let status = b.wallet_ok(&["status"]);
    assert!(status.contains("all in order"), "{status}");
    let copies: Value = serde_json::from_str(&b.wallet_ok(&["--json", "list"])).unwrap();
    let sd = copies
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["format"] == "dc+sd-jwt")
        .unwrap()
        .clone();
    assert_eq!(sd["copies_left"], 4, "one copy went to the city");
    server.stop();
}

fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

#[test]
fn a_move_makes_the_wallet_say_renew_your_id() {
    let b = Bench::new();
    let listen = free_address();
    let server = Server::start_listening(&b.env, "data", &listen, "", &[]);
    let url = format!("http://{}", server.addr);
    b.wallet_ok(&["create"]);
    b.proof(&url, false);
    let list: Value = serde_json::from_str(&b.wallet_ok(&["--json", "list"])).unwrap();
    let bbs = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["format"] == "akashi-bbs-1")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = b.env.p("data");
    b.env.ok(&[
        "jlis",
        "event",
        "move",
        "--data",
        &data,
        "--resident",
        "R1",
        "--address",
        "大阪府大阪市北区中之島一丁目3番20号",
    ]);
    b.env.ok(&[
        "jlis",
        "reissue-signature",
        "--data",
        &data,
        "--resident",
        "R1",
        "--card",
        &b.env.p("hanako.card"),
    ]);
    // The issuer's anchor watch runs on the server's check timer, first when it starts.
    server.stop();
    let server = Server::start_listening(&b.env, "data", &listen, "", &[]);
    let mut status = String::new();
    for _ in 0..100 {
        status = b.wallet_ok(&["status"]);
        if status.contains("renew your ID") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        status.contains("your My Number Card certificate changed — renew your ID"),
        "{status}"
    );
    let list = b.wallet_ok(&["list"]);
    assert!(list.contains("REVOKED — renew your ID"), "{list}");
    // Renewal without consent is refused, with what to do instead.
    let out = b.wallet(&["renew", &bbs]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("prove again with the card"),
        "{}",
        text(&out)
    );
    // With consent at J-LIS and at the issuer, proofing again brings the new municipality.
    b.env.ok(&[
        "jlis",
        "consent",
        "grant",
        "--data",
        &data,
        "--resident",
        "R1",
        "--verifier",
        "Akashi private ID issuer",
    ]);
    b.proof(&url, true);
    let rp = b.register(&url, "City");
    let (id, uri) = b.request(&url, &rp, &["--municipality"]);
    b.wallet_ok(&["present", &uri, "--approve"]);
    let result = b.result(&url, &rp, &id);
    assert_eq!(
        result["result"]["credentials"]["residence"]["claims"]["address"]["municipality"],
        "大阪市北区",
        "{result}"
    );
    server.stop();
}
