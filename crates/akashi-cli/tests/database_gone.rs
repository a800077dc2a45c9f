//! The PostgreSQL database goes away under a running server: OCSP answers tryLater, the
//! verifier API a 503 problem document, and the server stays up.

mod common;

use common::{text, Env, Server};

#[test]
fn a_vanished_database_gets_try_later_not_a_crash() {
    let base = match std::env::var("AKASHI_TEST_POSTGRES_URL") {
        Ok(url) => url,
        Err(_) if std::env::var("AKASHI_TEST_POSTGRES").as_deref() == Ok("skip") => return,
        Err(_) => panic!("AKASHI_TEST_POSTGRES_URL is not set: run scripts/test.sh, or set AKASHI_TEST_POSTGRES=skip"),
    };
    let name = format!("akashi_gone_{}", std::process::id());
    let admin = |sql: &str| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = akashi_store::Store::open(&base).await.unwrap();
            store.raw_execute(sql).await.unwrap();
            store.close().await;
        })
    };
    admin(&format!("CREATE DATABASE {name}"));
    let url = base.replacen("/postgres?", &format!("/{name}?"), 1);

    let env = Env::new();
    let data = env.p("data");
    env.issue_with(&["--database", &url]);
    env.ok(&[
        "card",
        "certs",
        &env.p("hanako.card"),
        "--out",
        &env.p("certs"),
    ]);
    let registered = env.ok(&[
        "--json",
        "jlis",
        "verifier",
        "register",
        "Bank",
        "--data",
        &data,
        "--database",
        &url,
    ]);
    let credential = serde_json::from_str::<serde_json::Value>(&registered).unwrap()["credential"]
        .as_str()
        .unwrap()
        .to_owned();
    let server = Server::start_with(&env, &credential, &["--database", &url]);

    let ca = env.p("roots/auth-ca-gen1.pem");
    let cert = env.p("certs/authentication.pem");
    let ocsp = || {
        let auth = format!("Authorization=Bearer {credential}");
        let url = format!("http://{}/ocsp", server.addr);
        text(&common::openssl(&[
            "ocsp", "-issuer", &ca, "-cert", &cert, "-url", &url, "-CAfile", &ca, "-header", &auth,
        ]))
    };
    assert!(ocsp().contains(": good"), "before");

    admin(&format!("DROP DATABASE {name} WITH (FORCE)"));
    let t = ocsp();
    assert!(
        t.to_lowercase().contains("trylater"),
        "OCSP without its database: {t}"
    );
    let (status, body) = server.request(
        "POST",
        "/verifier/status",
        "application/json",
        br#"{"kind":"authentication","serial":"01"}"#,
    );
    assert!(status.contains("503"), "{status}");
    assert!(String::from_utf8_lossy(&body).contains("retry"));
    let (status, _) = server.request("GET", "/healthz", "text/plain", b"");
    assert!(status.contains("200"), "the server is still up: {status}");
    assert!(server.stop().success());
}
