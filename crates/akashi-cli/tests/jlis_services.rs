//! J-LIS as a verifier meets it: `akashi serve` answering openssl's OCSP client and serving CRLs
//! that openssl verifies, across a move and the re-issue of the signature certificate.

use std::path::{Path, PathBuf};

mod common;

use common::{Env, Server};

fn openssl(args: &[&str]) -> String {
    common::text(&common::openssl(args))
}

fn ocsp(server: &Server, issuer: &str, cert: &str) -> String {
    ocsp_as(server, &server.credential, issuer, cert)
}

fn ocsp_as(server: &Server, credential: &str, issuer: &str, cert: &str) -> String {
    let url = format!("http://{}/ocsp", server.addr);
    let auth = format!("Authorization=Bearer {credential}");
    openssl(&[
        "ocsp",
        "-issuer",
        issuer,
        "-cert",
        cert,
        "-url",
        &url,
        "-CAfile",
        issuer,
        "-resp_text",
        "-header",
        &auth,
    ])
}

fn status_query(server: &Server, credential: &str, serial: &str) -> (String, serde_json::Value) {
    let body = format!("{{\"kind\":\"signature\",\"serial\":\"{serial}\"}}");
    let (status, body) = server.request_as(
        credential,
        "POST",
        "/verifier/status",
        "application/json",
        body.as_bytes(),
    );
    (status, serde_json::from_slice(&body).unwrap())
}

fn crl(server: &Server, env: &Env, name: &str) -> PathBuf {
    let (status, der) = server.request("GET", &format!("/crl/{name}"), "text/plain", b"");
    assert!(status.contains("200"), "{status}");
    let path = PathBuf::from(env.p(name));
    std::fs::write(&path, der).unwrap();
    path
}

#[test]
fn ocsp_and_crl_follow_a_move_and_the_reissue() {
    let env = Env::new();
    env.issue();
    let data = env.p("data");
    env.ok(&[
        "card",
        "certs",
        &env.p("hanako.card"),
        "--out",
        &env.p("before"),
        "--sign-pin",
        "ABC123",
    ]);
    let (sign_ca, auth_ca) = (
        env.p("roots/sign-ca-gen1.pem"),
        env.p("roots/auth-ca-gen1.pem"),
    );
    let (sign, auth) = (
        env.p("before/signature.pem"),
        env.p("before/authentication.pem"),
    );

    let registered = env.ok(&[
        "jlis", "verifier", "register", "Bank", "--data", &data, "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&registered).unwrap();
    let credential = v["credential"].as_str().unwrap().to_owned();
    let registered = env.ok(&[
        "jlis", "verifier", "register", "Telco", "--data", &data, "--json",
    ]);
    let telco: serde_json::Value = serde_json::from_str(&registered).unwrap();
    let telco = telco["credential"].as_str().unwrap().to_owned();
    let server = Server::start(&env, &credential);

    // Unregistered callers learn nothing.
    let t = ocsp_as(&server, "akv1.00", &sign_ca, &sign);
    assert!(t.contains("unauthorized") && !t.contains(": good"), "{t}");
    let (status, _) =
        server.request_as("nope", "GET", "/crl/signature-gen1.crl", "text/plain", b"");
    assert!(status.contains("401"), "{status}");
    let (status, body) = status_query(&server, "nope", "01");
    assert!(status.contains("401") && body["status"] == 401, "{status}");
    let t = ocsp(&server, &sign_ca, &sign);
    assert!(
        t.contains("Response verify OK") && t.contains(&format!("{sign}: good")),
        "{t}"
    );
    let t = ocsp(&server, &auth_ca, &auth);
    assert!(
        t.contains("Response verify OK") && t.contains(&format!("{auth}: good")),
        "{t}"
    );
    assert!(
        t.contains("OCSP Signing") || t.contains("Responder Id"),
        "{t}"
    );

    // The move revokes the signature certificate only.
    env.ok(&[
        "jlis",
        "event",
        "move",
        "--data",
        &data,
        "--resident",
        "R1",
        "--address",
        "神奈川県横浜市中区日本大通1",
    ]);
    let t = ocsp(&server, &sign_ca, &sign);
    assert!(
        t.contains("Response verify OK") && t.contains(&format!("{sign}: revoked")),
        "{t}"
    );
    assert!(t.contains("Reason: affiliationChanged"), "{t}");
    let t = ocsp(&server, &auth_ca, &auth);
    assert!(
        t.contains(&format!("{auth}: good")),
        "the authentication certificate survives a move: {t}"
    );

    // The CRL lists the revoked serial with its reason, and openssl verifies it.
    let crl_path = crl(&server, &env, "signature-gen1.crl");
    let p = crl_path.to_str().unwrap();
    let t = openssl(&[
        "crl", "-inform", "DER", "-in", p, "-CAfile", &sign_ca, "-noout",
    ]);
    assert!(t.contains("verify OK"), "{t}");
    let t = openssl(&["crl", "-inform", "DER", "-in", p, "-noout", "-text"]);
    assert!(t.contains("Affiliation Changed"), "{t}");
    let auth_crl = crl(&server, &env, "authentication-gen1.crl");
    let t = openssl(&[
        "crl",
        "-inform",
        "DER",
        "-in",
        auth_crl.to_str().unwrap(),
        "-CAfile",
        &auth_ca,
        "-noout",
        "-text",
    ]);
    assert!(
        t.contains("verify OK") && t.contains("No Revoked Certificates"),
        "{t}"
    );

    // A new signature certificate on the same card is good; the old one stays revoked.
    env.ok(&[
        "jlis",
        "reissue-signature",
        "--data",
        &data,
        "--resident",
        "R1",
        "--card",
        &env.p("hanako.card"),
    ]);
    env.ok(&[
        "card",
        "certs",
        &env.p("hanako.card"),
        "--out",
        &env.p("after"),
        "--sign-pin",
        "ABC123",
    ]);
    let new_sign = env.p("after/signature.pem");
    let t = ocsp(&server, &sign_ca, &new_sign);
    assert!(
        t.contains("Response verify OK") && t.contains(&format!("{new_sign}: good")),
        "{t}"
    );
    assert!(ocsp(&server, &sign_ca, &sign).contains(": revoked"));
    let t = env.ok(&["jpki", "verify", &new_sign, "--anchors", &env.p("roots")]);
    assert!(
        t.contains("神奈川県横浜市中区日本大通1"),
        "the new certificate carries the new address: {t}"
    );
    let t = env.ok(&["card", "face", &env.p("hanako.card"), "--pin", "1234"]);
    assert!(
        t.contains("神奈川県横浜市中区日本大通1"),
        "the card face was updated: {t}"
    );
    assert!(ocsp(&server, &auth_ca, &auth).contains(": good"));

    // Bad requests get OCSP error statuses and problem documents, not crashes.
    let (status, body) = server.request("POST", "/ocsp", "application/ocsp-request", b"not DER");
    assert!(status.contains("200"), "{status}");
    assert_eq!(body, [0x30, 0x03, 0x0A, 0x01, 0x01], "malformedRequest");
    let (status, body) = server.request("GET", "/crl/nothing.crl", "text/plain", b"");
    assert!(
        status.contains("404") && String::from_utf8_lossy(&body).contains("\"status\":404"),
        "{status}"
    );
    // A certificate from another J-LIS: unauthorized.
    let other = Env::new();
    other.ok(&["jlis", "init", "--data", &other.p("data")]);
    other.ok(&[
        "jlis",
        "export-roots",
        "--data",
        &other.p("data"),
        "--out",
        &other.p("roots"),
    ]);
    let t = ocsp(&server, &other.p("roots/auth-ca-gen1.pem"), &auth);
    assert!(t.contains("unauthorized"), "{t}");

    // Basic-four provision: without consent only the status; with consent the current serial
    // and the latest four attributes, for the consented verifier only.
    let old = akashi_jpki::JpkiCertificate::from_pem(&std::fs::read(&sign).unwrap())
        .unwrap()
        .serial_hex();
    let new = akashi_jpki::JpkiCertificate::from_pem(&std::fs::read(&new_sign).unwrap())
        .unwrap()
        .serial_hex();
    let (status, answer) = status_query(&server, &credential, &old);
    assert!(status.contains("200"), "{status}");
    assert_eq!(answer["status"], "revoked");
    assert_eq!(answer["reason"], 3);
    assert!(
        answer["attributes"].is_null() && answer["current_serial"].is_null(),
        "{answer}"
    );
    env.ok(&[
        "jlis",
        "consent",
        "grant",
        "--data",
        &data,
        "--resident",
        "R1",
        "--verifier",
        "Bank",
    ]);
    let (_, answer) = status_query(&server, &credential, &old);
    assert_eq!(answer["current_serial"], new.as_str());
    assert_eq!(
        answer["attributes"]["address"],
        "神奈川県横浜市中区日本大通1"
    );
    let (_, other) = status_query(&server, &telco, &old);
    assert!(
        other["attributes"].is_null(),
        "consent is per verifier: {other}"
    );
    env.ok(&[
        "jlis",
        "consent",
        "withdraw",
        "--data",
        &data,
        "--resident",
        "R1",
        "--verifier",
        "Bank",
    ]);
    let (_, answer) = status_query(&server, &credential, &old);
    assert!(answer["attributes"].is_null(), "{answer}");
    let (status, _) = server.request(
        "POST",
        "/verifier/status",
        "application/json",
        b"{\"kind\":\"x\"}",
    );
    assert!(status.contains("400"), "{status}");

    // The audit log names who asked about which serial, and never the attributes.
    let audit = audit_log(&data, &v["verifier"]);
    assert!(
        audit
            .iter()
            .any(|a| a.action == "ocsp" && a.serial == old && a.outcome == "revoked"),
        "{audit:?}"
    );
    assert!(
        audit
            .iter()
            .any(|a| a.action == "status" && a.outcome.contains("attributes provided")),
        "{audit:?}"
    );
    assert!(audit.iter().any(|a| a.action == "crl"), "{audit:?}");
    let all = format!("{audit:?}");
    assert!(
        !all.contains("横浜") && !all.contains("花子") && !all.contains("1990"),
        "{all}"
    );

    // The OpenAPI document lists every route, and every documented route answers.
    let (status, doc) = server.request("GET", "/openapi.json", "text/plain", b"");
    assert!(status.contains("200"), "{status}");
    let doc: serde_json::Value = serde_json::from_slice(&doc).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for expected in [
        "/ocsp",
        "/ocsp/{request}",
        "/crl/{file}",
        "/verifier/status",
        "/healthz",
    ] {
        assert!(
            paths.contains_key(expected),
            "{expected} undocumented: {doc}"
        );
    }
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path
                .replace("{request}", "MA%3D%3D")
                .replace("{file}", "signature-gen1.crl");
            let (status, _) =
                server.request(&method.to_uppercase(), &concrete, "application/json", b"{}");
            assert!(
                !status.contains("404") && !status.contains("405"),
                "{method} {path}: {status}"
            );
        }
    }

    let status = server.stop();
    assert!(status.success(), "graceful shutdown on SIGTERM: {status:?}");
    assert!(Path::new(&crl_path).exists());
}

fn audit_log(data: &str, verifier: &serde_json::Value) -> Vec<akashi_store::AuditRecord> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = akashi_store::Store::open_in_dir(Path::new(data))
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.audit_log(verifier.as_str().unwrap()).await.unwrap()
    })
}
