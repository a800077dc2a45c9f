//! `akashi trust-list` and `akashi sign verify --trusted-list` through the binary: an operator
//! with a sealed key signs a list of the anchors, a counterparty validates against it, a
//! withdrawal before the signature removes the anchor, and a changed or foreign list stops
//! the validation (exit 2).

mod common;

use common::{text, Env};
use time::{Duration, OffsetDateTime};

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// Hanako's card signs contract.txt (CAdES-B-LT); `anchors/` holds the J-LIS roots and the
/// TSA root; `op/` is the scheme operator.
fn setup(env: &Env) {
    env.issue();
    std::fs::write(env.path("contract.txt"), "業務委託契約書\n").unwrap();
    env.ok(&[
        "sign",
        "cades",
        &env.p("hanako.card"),
        "--pin",
        "ABC123",
        "--in",
        &env.p("contract.txt"),
        "--out",
        &env.p("contract.p7s"),
        "--data",
        &env.p("data"),
    ]);
    env.anchors();
    env.ok(&["trust-list", "operator-init", "--out-dir", &env.p("op")]);
}

/// `--operator-key`/`--operator-cert` of the operator in `op/`, appended to `args`.
fn operator(env: &Env, args: &mut Vec<String>) {
    args.extend([
        "--operator-key".into(),
        env.p("op/operator.key.sealed"),
        "--operator-cert".into(),
        env.p("op/operator.pem"),
    ]);
}

fn run(env: &Env, args: &[String]) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.akashi(&args)
}

/// `akashi sign verify contract.txt --sig contract.p7s --trusted-list LIST --tl-operator
/// op/operator.pem EXTRA`.
fn verify_with(env: &Env, list: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "sign".to_string(),
        "verify".into(),
        env.p("contract.txt"),
        "--sig".into(),
        env.p("contract.p7s"),
        "--trusted-list".into(),
        env.p(list),
        "--tl-operator".into(),
        env.p("op/operator.pem"),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    run(env, &args)
}

#[test]
fn a_signed_trusted_list_replaces_the_anchors_directory() {
    let env = Env::new();
    setup(&env);
    // The operator key is sealed at rest, never plain PKCS#8.
    let sealed = std::fs::read(env.path("op/operator.key.sealed")).unwrap();
    assert!(sealed.starts_with(b"AKSEAL1"));
    let out = env.akashi(&["trust-list", "operator-init", "--out-dir", &env.p("op")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("never overwritten"), "{}", text(&out));

    let mut create = vec![
        "trust-list".to_string(),
        "create".into(),
        "--out".into(),
        env.p("list.p7s"),
        "--from-dir".into(),
        env.p("anchors"),
    ];
    operator(&env, &mut create);
    let out = run(&env, &create);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("sequence 1"), "{}", text(&out));

    let show = env.ok(&[
        "trust-list",
        "show",
        &env.p("list.p7s"),
        "--operator-cert",
        &env.p("op/operator.pem"),
    ]);
    assert!(
        show.contains("sign-ca-gen1 (jlis-signature-ca): granted"),
        "{show}"
    );
    assert!(
        show.contains("auth-ca-gen1 (jlis-authentication-ca): granted"),
        "{show}"
    );
    assert!(show.contains("tsa-root (time-stamping): granted"), "{show}");

    // Verified against the list: exit 0, the list named in the report.
    let out = verify_with(&env, "list.p7s", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = text(&out);
    assert!(report.contains("signature 1: TOTAL-PASSED"), "{report}");
    assert!(
        report.contains("trusted list: CN=Akashi Trusted List Operator"),
        "{report}"
    );
    assert!(!report.contains("STALE"), "{report}");

    // The J-LIS root withdrawn before the signature (from the start of its grant, the
    // earliest a withdrawal may be dated): no chain, exit 1.
    let json = env.ok(&[
        "--json",
        "trust-list",
        "show",
        &env.p("list.p7s"),
        "--operator-cert",
        &env.p("op/operator.pem"),
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let granted_from = json["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "sign-ca-gen1")
        .unwrap()["history"][0]["from"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = verify_with(&env, "list.p7s", &["--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stamped = report["signatures"][0]["signature_timestamp"]
        .as_str()
        .unwrap();
    let parse =
        |t: &str| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap();
    assert!(
        parse(&granted_from) <= parse(stamped),
        "{granted_from} {stamped}"
    );
    let mut withdraw = vec![
        "trust-list".to_string(),
        "withdraw".into(),
        "--in".into(),
        env.p("list.p7s"),
        "--out".into(),
        env.p("withdrawn.p7s"),
        "--service".into(),
        "sign-ca-gen1".into(),
        "--at".into(),
        granted_from,
    ];
    operator(&env, &mut withdraw);
    let out = run(&env, &withdraw);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = verify_with(&env, "withdrawn.p7s", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("NO_CERTIFICATE_CHAIN_FOUND"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("withdrew the issuing J-LIS root"),
        "{}",
        text(&out)
    );
    let json = env.ok(&[
        "--json",
        "trust-list",
        "show",
        &env.p("withdrawn.p7s"),
        "--operator-cert",
        &env.p("op/operator.pem"),
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["sequence_number"], 2, "{json:#}");
    let services = json["services"].as_array().unwrap();
    let gen1 = services
        .iter()
        .find(|s| s["name"] == "sign-ca-gen1")
        .unwrap();
    assert_eq!(gen1["status"], "withdrawn", "{json:#}");
    assert_eq!(gen1["history"].as_array().unwrap().len(), 2, "{json:#}");
    // A second withdrawal of the same service is refused.
    withdraw[3] = env.p("withdrawn.p7s");
    let out = run(&env, &withdraw);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("already withdrawn"), "{}", text(&out));

    // One byte of the list changed: exit 2, naming the problem.
    let mut list = std::fs::read(env.path("list.p7s")).unwrap();
    let at = list.windows(12).position(|w| w == b"sign-ca-gen1").unwrap();
    list[at] = b'S';
    std::fs::write(env.path("changed.p7s"), list).unwrap();
    let out = verify_with(&env, "changed.p7s", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("trusted list: the list does not match its signed digest"),
        "{}",
        text(&out)
    );
    // Another operator's certificate pinned: exit 2.
    env.ok(&["trust-list", "operator-init", "--out-dir", &env.p("other")]);
    let out = env.akashi(&[
        "sign",
        "verify",
        &env.p("contract.txt"),
        "--sig",
        &env.p("contract.p7s"),
        "--trusted-list",
        &env.p("list.p7s"),
        "--tl-operator",
        &env.p("other/operator.pem"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("does not verify"), "{}", text(&out));
}

#[test]
fn anchors_come_from_exactly_one_place_and_a_stale_list_is_said() {
    let env = Env::new();
    setup(&env);
    let mut create = vec![
        "trust-list".to_string(),
        "create".into(),
        "--out".into(),
        env.p("list.p7s"),
        "--service".into(),
        format!("jlis-signature-ca={}", env.p("anchors/sign-ca-gen1.pem")),
        "--service".into(),
        format!("time-stamping={}", env.p("anchors/tsa-root.pem")),
        "--next-update".into(),
        "1".into(),
    ];
    operator(&env, &mut create);
    let out = run(&env, &create);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // Both, neither, or a list without its operator: usage errors (exit 2).
    let (file, sig, list, anchors) = (
        env.p("contract.txt"),
        env.p("contract.p7s"),
        env.p("list.p7s"),
        env.p("anchors"),
    );
    let base = ["sign", "verify", file.as_str(), "--sig", sig.as_str()];
    let op = env.p("op/operator.pem");
    for (extra, expect) in [
        (
            vec![
                "--anchors",
                anchors.as_str(),
                "--trusted-list",
                list.as_str(),
                "--tl-operator",
                op.as_str(),
            ],
            "cannot be used with",
        ),
        (vec![], "required"),
        (vec!["--trusted-list", list.as_str()], "--tl-operator"),
    ] {
        let mut args = base.to_vec();
        args.extend(extra);
        let out = env.akashi(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(expect), "{args:?}: {}", text(&out));
    }

    // Three days on, the list (next update in a day) is stale: still used, but said so on
    // stderr and in the report.
    let later = rfc3339(OffsetDateTime::now_utc() + Duration::days(3));
    let out = verify_with(&env, "list.p7s", &["--at", &later]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: the trusted list (sequence 1) is past its next update"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("STALE"), "{stdout}");
    assert!(
        stdout.contains("note: the trusted list (sequence 1)"),
        "{stdout}"
    );
    let out = verify_with(&env, "list.p7s", &["--at", &later, "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["trusted_list"]["stale"], true, "{report:#}");
}
