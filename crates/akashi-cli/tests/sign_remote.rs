//! A signer whose machine runs neither J-LIS nor a TSA: `akashi sign … --tsa URL --jlis URL`
//! takes the timestamp from `akashi serve`'s `/tsa` and the CRL from its `/crl/…` as a
//! registered verifier, and the B-LT signature validates offline.

mod common;

use common::{text, Env, Server};

#[test]
fn cades_b_lt_with_the_tsa_and_j_lis_over_http() {
    let env = Env::new();
    env.issue();
    let data = env.p("data");
    let registered = env.ok(&[
        "jlis", "verifier", "register", "Notary", "--data", &data, "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&registered).unwrap();
    let credential = v["credential"].as_str().unwrap().to_owned();
    let server = Server::start(&env, &credential);
    let base = format!("http://{}", server.addr);
    std::fs::write(env.path("deed.txt"), "売買契約書\n").unwrap();

    let sign = |credential: &str| {
        env.akashi(&[
            "sign",
            "cades",
            &env.p("hanako.card"),
            "--pin",
            "ABC123",
            "--in",
            &env.p("deed.txt"),
            "--out",
            &env.p("deed.p7s"),
            "--level",
            "LT",
            "--data",
            &env.p("nothing-here"),
            "--tsa",
            &format!("{base}/tsa"),
            "--jlis",
            &base,
            "--jlis-credential",
            credential,
            "--jlis-roots",
            &env.p("roots"),
        ])
    };
    let out = sign("akv1.not-registered");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("refused the credential"),
        "{}",
        text(&out)
    );
    assert!(!env.path("deed.p7s").exists());

    let out = sign(&credential);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        !env.path("nothing-here").exists(),
        "no local installation was needed"
    );

    let anchors = env.anchors();
    let report = env.ok(&[
        "sign",
        "verify",
        &env.p("deed.txt"),
        "--sig",
        &env.p("deed.p7s"),
        "--anchors",
        &anchors,
    ]);
    assert!(report.contains("signature 1: TOTAL-PASSED"), "{report}");
    assert!(report.contains("level: B-LT"), "{report}");
    drop(server);
}
