//! The PF operator over HTTP, as service providers meet it: raw HTTP bodies carry no serial,
//! certificate or key; two SPs get different identifiers; replays, unregistered SPs and bad
//! bodies get specific problem documents; the server's log never holds the four attributes.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::*;
use serde_json::Value;

const NAME_PARTS: [&str; 2] = ["山田", "花子"];
const ADDRESS: &str = "霞が関";

fn register_sp(env: &Env, name: &str) -> String {
    let out = env.ok(&[
        "--json",
        "pf",
        "register-sp",
        name,
        "--data",
        &env.p("data"),
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    v["credential"].as_str().unwrap().to_owned()
}

fn post(server: &Server, credential: &str, path: &str, body: &Value) -> (String, String) {
    let (status, body) = server.request_as(
        credential,
        "POST",
        path,
        "application/json",
        body.to_string().as_bytes(),
    );
    (status, String::from_utf8(body).unwrap())
}

/// Start, card signs (through the CLI's card commands), complete: returns the raw bodies.
fn run(env: &Env, server: &Server, credential: &str, login: bool) -> (Value, String, String) {
    let purpose = if login { "login" } else { "identity-proofing" };
    let mut start = serde_json::json!({ "purpose": purpose, "subscribe_updates": !login });
    if !login {
        start["transaction_data"] = "普通預金口座開設申込書".into();
    }
    let (status, started) = post(server, credential, "/pf/v1/transactions", &start);
    assert!(status.contains("201"), "{status} {started}");
    let started: Value = serde_json::from_str(&started).unwrap();
    let tbs = STANDARD
        .decode(started["to_be_signed"].as_str().unwrap())
        .unwrap();
    std::fs::write(env.path("tbs.txt"), &tbs).unwrap();
    let (cmd, pin, pem) = if login {
        ("authenticate", "1234", "authentication.pem")
    } else {
        ("sign", "ABC123", "signature.pem")
    };
    env.ok(&[
        "card",
        cmd,
        &env.p("hanako.card"),
        "--pin",
        pin,
        "--in",
        &env.p("tbs.txt"),
        "--out",
        &env.p("sig"),
    ]);
    env.ok(&[
        "card",
        "certs",
        &env.p("hanako.card"),
        "--out",
        &env.p("certs"),
        "--sign-pin",
        "ABC123",
    ]);
    let pem = std::fs::read_to_string(env.path("certs").join(pem)).unwrap();
    let der = pem_to_der(&pem);
    let complete = serde_json::json!({
        "transaction": started["transaction"],
        "format": "jpki-simple-v1",
        "signed_data": started["to_be_signed"],
        "certificate": STANDARD.encode(&der),
        "signature": STANDARD.encode(std::fs::read(env.path("sig")).unwrap()),
    });
    let (status, body) = post(
        server,
        credential,
        "/pf/v1/transactions/complete",
        &complete,
    );
    (complete, status, body)
}

fn pem_to_der(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64).unwrap()
}

/// Strings that identify the card's certificates: serials, DER and key fragments.
fn card_identifiers(env: &Env) -> Vec<String> {
    let mut out = Vec::new();
    for pem in ["signature.pem", "authentication.pem"] {
        let pem = std::fs::read_to_string(env.path("certs").join(pem)).unwrap();
        let der = pem_to_der(&pem);
        let cert = akashi_jpki::JpkiCertificate::from_der(&der).unwrap();
        out.push(cert.serial_hex());
        out.push(cert.serial_hex().to_ascii_lowercase());
        let b64 = STANDARD.encode(&der);
        for chunk in 0..(b64.len() / 32) {
            out.push(b64[chunk * 32..chunk * 32 + 32].to_owned());
        }
        let key = STANDARD.encode(cert.public_key_der().unwrap());
        out.push(key[30..70].to_owned());
    }
    out
}

#[test]
fn service_providers_learn_only_the_outcome() {
    let env = Env::new();
    env.issue();
    let bank = register_sp(&env, "Demo Bank");
    let shop = register_sp(&env, "Demo Shop");
    let server = Server::start(&env, &bank);

    let (proofing, status, bank_body) = run(&env, &server, &bank, false);
    assert!(status.contains("200"), "{status} {bank_body}");
    let bank_outcome: Value = serde_json::from_str(&bank_body).unwrap();
    assert_eq!(bank_outcome["certificate_type"], "signature");
    assert_eq!(bank_outcome["assurance"], "IAL3");
    assert_eq!(bank_outcome["attributes"]["birth_date"], "1990-04-01");

    let (_, status, shop_body) = run(&env, &server, &shop, true);
    assert!(status.contains("200"), "{status} {shop_body}");
    let shop_outcome: Value = serde_json::from_str(&shop_body).unwrap();
    assert_eq!(shop_outcome["certificate_type"], "authentication");
    assert!(
        shop_outcome.get("attributes").is_none(),
        "login gives no attributes"
    );
    assert_ne!(bank_outcome["sp_user_id"], shop_outcome["sp_user_id"]);

    // The raw bodies carry nothing that identifies the certificates.
    for needle in card_identifiers(&env) {
        for body in [&bank_body, &shop_body] {
            assert!(!body.contains(&needle), "a response body contains {needle}");
        }
    }
    // Only the documented fields.
    let keys: Vec<&String> = bank_outcome.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "assurance",
            "attributes",
            "certificate_type",
            "result",
            "sp_user_id",
            "verified_at"
        ]
    );

    // Replay: the same signed request again.
    let (status, body) = post(&server, &bank, "/pf/v1/transactions/complete", &proofing);
    assert!(status.contains("409"), "{status}");
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["code"], "transaction-replayed");
    // Another SP cannot complete the bank's transaction.
    let (status, body) = post(&server, &shop, "/pf/v1/transactions/complete", &proofing);
    assert!(status.contains("404"), "{status}");
    assert!(body.contains("unknown-transaction"));
    // An unregistered SP.
    let (status, body) = post(
        &server,
        "aksp1.00",
        "/pf/v1/transactions",
        &serde_json::json!({"purpose": "login"}),
    );
    assert!(status.contains("401"), "{status}");
    assert!(body.contains("unregistered-service-provider"));
    // A body that is not the API's.
    let (status, body) = post(
        &server,
        &bank,
        "/pf/v1/transactions",
        &serde_json::json!({"purpose": "steal"}),
    );
    assert!(status.contains("400"), "{status}");
    assert!(body.contains("malformed-request"));

    // The SP client library and CLI: a login at the bank gives the bank's identifier.
    let url = format!("http://{}", server.addr);
    let out = env.ok(&[
        "--json",
        "pf",
        "proof",
        &env.p("hanako.card"),
        "--url",
        &url,
        "--credential",
        &bank,
        "--pin",
        "1234",
        "--login",
    ]);
    let login: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(login["sp_user_id"], bank_outcome["sp_user_id"]);
    // The same in the CMS format.
    let out = env.ok(&[
        "--json",
        "pf",
        "proof",
        &env.p("hanako.card"),
        "--url",
        &url,
        "--credential",
        &bank,
        "--pin",
        "ABC123",
        "--cms",
        "--subscribe",
    ]);
    let cms: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(cms["sp_user_id"], bank_outcome["sp_user_id"]);
    assert_eq!(cms["assurance"], "IAL3");
    let out = env.ok(&[
        "--json",
        "pf",
        "customers",
        "--url",
        &url,
        "--credential",
        &bank,
    ]);
    let customers: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(customers.as_array().unwrap().len(), 1);
    assert_eq!(customers[0]["sp_user_id"], bank_outcome["sp_user_id"]);
    assert_eq!(customers[0]["subscribed"], true);
    // A wrong PIN through the CLI: a clear message, exit 2.
    let out = env.akashi(&[
        "pf",
        "proof",
        &env.p("hanako.card"),
        "--url",
        &url,
        "--credential",
        &bank,
        "--pin",
        "0000",
        "--login",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("PIN"), "{}", text(&out));

    // Polling: nothing pending yet; acknowledging an unknown notification is a 404.
    let (status, body) = server.request_as(&bank, "GET", "/pf/v1/notifications", "text/plain", b"");
    assert!(status.contains("200"), "{status}");
    assert_eq!(body, b"[]");
    let (status, body) = server.request_as(
        &bank,
        "POST",
        "/pf/v1/notifications/msg_x/ack",
        "text/plain",
        b"",
    );
    assert!(status.contains("404"), "{status}");
    assert!(String::from_utf8_lossy(&body).contains("unknown-notification"));

    // The OpenAPI document lists the PF routes.
    let (_, doc) = server.request("GET", "/openapi.json", "text/plain", b"");
    let doc: Value = serde_json::from_slice(&doc).unwrap();
    for path in [
        "/pf/v1/transactions",
        "/pf/v1/transactions/complete",
        "/pf/v1/customers",
        "/pf/v1/notifications",
        "/pf/v1/notifications/{id}/ack",
        "/verifier/history",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} undocumented");
    }

    // The vault: an auditor reads the signature certificate; the read is logged.
    let sign_pem = std::fs::read_to_string(env.path("certs").join("signature.pem")).unwrap();
    let serial = akashi_jpki::JpkiCertificate::from_der(&pem_to_der(&sign_pem))
        .unwrap()
        .serial_hex();
    let data = env.p("data");
    let vault_out = env.p("vault.pem");
    env.ok(&[
        "pf",
        "vault-read",
        "--kind",
        "signature",
        "--serial",
        &serial,
        "--actor",
        "auditor:FSA",
        "--purpose",
        "inspection",
        "--out",
        &vault_out,
        "--data",
        &data,
    ]);
    assert_eq!(
        std::fs::read_to_string(&vault_out).unwrap().trim(),
        sign_pem.trim()
    );
    let out = env.akashi(&[
        "pf",
        "vault-read",
        "--kind",
        "signature",
        "--serial",
        "00",
        "--actor",
        "a",
        "--purpose",
        "p",
        "--out",
        &vault_out,
        "--data",
        &data,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("the vault holds no signature certificate 00"),
        "{}",
        text(&out)
    );

    server.stop();
    let log = std::fs::read_to_string(env.path("server.log")).unwrap();
    assert!(log.contains("verified"), "the log records outcomes: {log}");
    for needle in NAME_PARTS
        .iter()
        .chain([&ADDRESS, &"1990-04-01", &"19900401"])
    {
        assert!(!log.contains(needle), "the server log contains {needle}");
    }
    for needle in card_identifiers(&env) {
        assert!(!log.contains(&needle), "the server log contains {needle}");
    }
}

/// J-LIS and the PF as two organisations: two `akashi serve` processes with their own data
/// directories. The PF reaches J-LIS only over HTTP as a registered verifier; J-LIS's log names
/// the PF's verifier and never an SP; the PF serves no J-LIS route.
#[test]
fn jlis_and_pf_as_separate_services() {
    let env = Env::new();
    env.issue();
    let out = env.ok(&[
        "--json",
        "jlis",
        "verifier",
        "register",
        "Remote PF",
        "--data",
        &env.p("data"),
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let pf_credential = v["credential"].as_str().unwrap().to_owned();
    let pf_verifier = v["verifier"].as_str().unwrap().to_owned();
    let jlis = Server::start_with(&env, &pf_credential, &["--role", "jlis"]);
    let jlis_url = format!("http://{}", jlis.addr);
    let (anchors, pf_data) = (env.p("roots"), env.p("pfdata"));
    let link = [
        "--jlis-url",
        jlis_url.as_str(),
        "--jlis-credential",
        pf_credential.as_str(),
        "--anchors",
        anchors.as_str(),
    ];
    let mut register = vec![
        "--json",
        "pf",
        "register-sp",
        "Remote Bank",
        "--data",
        pf_data.as_str(),
    ];
    register.extend(link);
    let out = env.ok(&register);
    let sp: Value = serde_json::from_str(&out).unwrap();
    let sp_credential = sp["credential"].as_str().unwrap().to_owned();
    let sp_id = sp["id"].as_str().unwrap().to_owned();
    let mut pf_args = vec!["--role", "pf"];
    pf_args.extend(link);
    let pf = Server::start_in(&env, "pfdata", &sp_credential, &pf_args);
    let pf_url = format!("http://{}", pf.addr);

    let out = env.ok(&[
        "--json",
        "pf",
        "proof",
        &env.p("hanako.card"),
        "--url",
        &pf_url,
        "--credential",
        &sp_credential,
        "--pin",
        "ABC123",
    ]);
    let proofed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(proofed["attributes"]["birth_date"], "1990-04-01");
    let out = env.ok(&[
        "--json",
        "pf",
        "proof",
        &env.p("hanako.card"),
        "--url",
        &pf_url,
        "--credential",
        &sp_credential,
        "--pin",
        "1234",
        "--login",
    ]);
    let login: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(login["sp_user_id"], proofed["sp_user_id"]);

    // Each serves its own routes only.
    let (status, _) = pf.request("POST", "/ocsp", "application/ocsp-request", b"");
    assert!(status.contains("404"), "the PF serves no OCSP: {status}");
    let (status, _) = jlis.request("GET", "/pf/v1/customers", "text/plain", b"");
    assert!(status.contains("404"), "J-LIS serves no PF API: {status}");

    jlis.stop();
    pf.stop();
    let jlis_log = std::fs::read_to_string(env.path("server.log")).unwrap();
    assert!(
        jlis_log.contains(&pf_verifier),
        "J-LIS logs the PF's queries: {jlis_log}"
    );
    for needle in [sp_id.as_str(), "Remote Bank", sp_credential.as_str()] {
        assert!(
            !jlis_log.contains(needle),
            "J-LIS's log names the SP ({needle})"
        );
    }
}
