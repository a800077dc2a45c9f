//! `akashi oidc client-add|clients|rotate-key` through the binary, against the data directory
//! a running `akashi serve` uses: a bad relying party is refused with the problem named and
//! nothing stored; a rotated key reaches the running server's JWKS without a restart, and the
//! previous key stays published.

mod common;

use std::time::{Duration, Instant};

use serde_json::Value;

use common::{text, Env, Server};

fn json(env: &Env, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&env.ok(&all)).unwrap()
}

fn kids(server: &Server) -> Vec<String> {
    let (status, body) = server.request("GET", "/oidc/jwks", "application/json", b"");
    assert!(status.contains("200"), "{status}");
    let jwks: Value = serde_json::from_slice(&body).unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn relying_parties_and_key_rotation() {
    let env = Env::new();
    env.issue();
    let data = env.p("data");
    let added = json(
        &env,
        &[
            "oidc",
            "client-add",
            "--data",
            &data,
            "--name",
            "Shop",
            "--redirect-uri",
            "https://shop.example/callback",
            "--post-logout-uri",
            "https://shop.example/bye",
        ],
    );
    let client_id = added["client_id"].as_str().unwrap();
    assert!(added["client_secret"].as_str().unwrap().len() >= 43);
    let public = json(
        &env,
        &[
            "oidc",
            "client-add",
            "--data",
            &data,
            "--name",
            "App",
            "--redirect-uri",
            "http://127.0.0.1:7000/cb",
            "--public",
            "--dpop",
        ],
    );
    assert!(public["client_secret"].is_null());

    // Refused before anything is stored: plain http off loopback, a fragment, no URI at all.
    for (uri, problem) in [
        ("http://shop.example/callback", "https"),
        ("https://shop.example/cb#frag", "fragment"),
    ] {
        let out = env.akashi(&[
            "oidc",
            "client-add",
            "--data",
            &data,
            "--name",
            "Bad",
            "--redirect-uri",
            uri,
        ]);
        assert!(!out.status.success(), "{uri} accepted");
        assert!(text(&out).contains(problem), "{uri}: {}", text(&out));
    }
    let clients = json(&env, &["oidc", "clients", "--data", &data]);
    let clients = clients.as_array().unwrap();
    assert_eq!(clients.len(), 2, "{clients:?}");
    let shop = clients
        .iter()
        .find(|c| c["client_id"] == client_id)
        .unwrap();
    assert_eq!(shop["fal"], 1);
    assert_eq!(shop["confidential"], true);
    let app = clients.iter().find(|c| c["name"] == "App").unwrap();
    assert_eq!(
        (app["fal"].as_i64(), app["confidential"].as_bool()),
        (Some(3), Some(false))
    );

    // The running server publishes the current key; a rotation reaches it without a restart.
    let server = Server::start(&env, "");
    let before = kids(&server);
    assert_eq!(before.len(), 1);
    let rotated = json(&env, &["oidc", "rotate-key", "--data", &data]);
    let new_kid = rotated["kid"].as_str().unwrap().to_owned();
    assert_ne!(new_kid, before[0]);
    assert_eq!(rotated["published"], 2);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut now_published = kids(&server);
    while !now_published.contains(&new_kid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        now_published = kids(&server);
    }
    assert!(now_published.contains(&new_kid), "{now_published:?}");
    assert!(
        now_published.contains(&before[0]),
        "the retired key stays published"
    );
    server.stop();
}
