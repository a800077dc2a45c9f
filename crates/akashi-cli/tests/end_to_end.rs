//! The `akashi` command end to end, checked by openssl where openssl can check.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{openssl, text, Env};

#[test]
fn issue_read_sign_and_verify_with_akashi_and_openssl() {
    let env = Env::new();
    env.issue();
    env.ok(&[
        "card",
        "certs",
        &env.p("hanako.card"),
        "--out",
        &env.p("certs"),
        "--sign-pin",
        "ABC123",
    ]);
    for f in [
        "signature.pem",
        "signature-ca.pem",
        "authentication.pem",
        "authentication-ca.pem",
    ] {
        assert!(env.path("certs").join(f).exists(), "{f}");
    }

    // openssl verifies both certificates against the exported roots.
    let roots: Vec<PathBuf> = std::fs::read_dir(env.path("roots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(roots.len(), 2);
    let bundle = env.path("roots.pem");
    let pem: String = roots
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    std::fs::write(&bundle, pem).unwrap();
    for cert in ["signature.pem", "authentication.pem"] {
        let out = openssl(&[
            "verify",
            "-x509_strict",
            "-CAfile",
            bundle.to_str().unwrap(),
            &env.p(&format!("certs/{cert}")),
        ]);
        assert!(
            out.status.success(),
            "openssl verify {cert}: {}",
            text(&out)
        );
    }

    // The card signs; openssl checks the signature with the certificate's key.
    std::fs::write(env.path("contract.txt"), "契約書: 甲と乙は…").unwrap();
    env.ok(&[
        "card",
        "sign",
        &env.p("hanako.card"),
        "--pin",
        "ABC123",
        "--in",
        &env.p("contract.txt"),
        "--out",
        &env.p("contract.sig"),
    ]);
    let pubkey = openssl(&[
        "x509",
        "-in",
        &env.p("certs/signature.pem"),
        "-noout",
        "-pubkey",
    ]);
    std::fs::write(env.path("pub.pem"), &pubkey.stdout).unwrap();
    let out = openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        &env.p("pub.pem"),
        "-signature",
        &env.p("contract.sig"),
        &env.p("contract.txt"),
    ]);
    assert!(
        out.status.success() && text(&out).contains("Verified OK"),
        "{}",
        text(&out)
    );

    // akashi verifies the chain and prints the basic four attributes.
    let t = env.ok(&[
        "jpki",
        "verify",
        &env.p("certs/signature.pem"),
        "--anchors",
        &env.p("roots"),
    ]);
    for expected in [
        "VALID signature certificate",
        "山田\u{3000}花子",
        "東京都千代田区霞が関二丁目1番2号",
        "1990-04-01",
        "female",
    ] {
        assert!(t.contains(expected), "{expected} missing:\n{t}");
    }
    let (cert, contract, sig, roots) = (
        env.p("certs/signature.pem"),
        env.p("contract.txt"),
        env.p("contract.sig"),
        env.p("roots"),
    );
    let verify_signature = [
        "jpki",
        "verify-signature",
        "--cert",
        &cert,
        "--in",
        &contract,
        "--sig",
        &sig,
        "--anchors",
        &roots,
    ];
    let t = env.ok(&verify_signature);
    assert!(t.contains("VALID"), "{t}");
    std::fs::write(env.path("contract.txt"), "契約書: 甲と乙は…(改竄)").unwrap();
    let out = env.akashi(&verify_signature);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("INVALID: signature"), "{}", text(&out));

    // The authentication certificate carries no attributes; JSON output for scripts.
    let out = env.akashi(&[
        "jpki",
        "verify",
        &env.p("certs/authentication.pem"),
        "--anchors",
        &env.p("roots"),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["valid"].as_bool(), v["type"].as_str()),
        (Some(true), Some("authentication"))
    );
    assert!(v["attributes"].is_null());

    // A card issued by another J-LIS does not chain to these roots.
    let other = Env::new();
    other.issue();
    other.ok(&[
        "card",
        "certs",
        &other.p("hanako.card"),
        "--out",
        &other.p("certs"),
        "--sign-pin",
        "ABC123",
    ]);
    let out = env.akashi(&[
        "jpki",
        "verify",
        &other.p("certs/signature.pem"),
        "--anchors",
        &env.p("roots"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("signature: does not verify"),
        "{}",
        text(&out)
    );
}

#[test]
fn pin_status_counts_wrong_pins_across_invocations() {
    let env = Env::new();
    env.issue();
    let card = env.p("hanako.card");
    std::fs::write(env.path("m"), "x").unwrap();
    let out = env.akashi(&[
        "card",
        "sign",
        &card,
        "--pin",
        "WRONG9",
        "--in",
        &env.p("m"),
        "--out",
        &env.p("s"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("wrong PIN: 4 tries left"),
        "{}",
        text(&out)
    );
    assert!(!env.path("s").exists(), "no signature file on failure");
    let out = env.akashi(&["card", "pin-status", &card, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["signature"]["remaining"], 4);
    assert_eq!(v["authentication"]["remaining"], 3);
    let t = env.ok(&["card", "face", &card, "--pin", "1234"]);
    assert!(t.contains("19900401"), "{t}");
}

/// `akashi jlis issue-card` arguments for a valid request, with `overrides` replacing flags.
fn issue_args(data: &str, overrides: &[(&str, &str)]) -> Vec<String> {
    let mut flags = vec![
        ("--data", data),
        ("--name", "A B"),
        ("--birth", "1990-02-03"),
        ("--sex", "male"),
        ("--address", "東京都千代田区1"),
        ("--auth-pin", "1234"),
        ("--sign-pin", "ABC123"),
        ("--out", "/tmp/never.card"),
    ];
    for (flag, value) in overrides {
        flags
            .iter_mut()
            .filter(|(f, _)| f == flag)
            .for_each(|(_, v)| *v = value);
    }
    let mut args = vec!["jlis".to_owned(), "issue-card".to_owned()];
    args.extend(
        flags
            .into_iter()
            .flat_map(|(f, v)| [f.to_owned(), v.to_owned()]),
    );
    args
}

#[test]
fn bad_input_is_named_and_changes_nothing() {
    let env = Env::new();
    env.issue();
    let data = env.p("data");
    let (card, x, y) = (env.p("hanako.card"), env.p("x"), env.p("y"));
    let state_before = std::fs::read(env.path("data/jlis/state.json")).unwrap();
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            owned(&["jlis", "init", "--data", &data]),
            "already initialised",
        ),
        (issue_args(&data, &[("--birth", "1990-02-30")]), "--birth"),
        (
            issue_args(&data, &[("--auth-pin", "12345")]),
            "authentication PIN must be exactly 4 digits",
        ),
        (
            issue_args(&data, &[("--sign-pin", "abc")]),
            "signature PIN must be 6 to 16",
        ),
        (
            issue_args(&data, &[("--address", "Nowhere 1")]),
            "must start with a prefecture",
        ),
        (
            owned(&["card", "pin-status", "/nonexistent.card"]),
            "does not exist",
        ),
        (
            owned(&[
                "card", "sign", &card, "--pin", "abc", "--in", &x, "--out", &y,
            ]),
            "cannot read",
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = env.akashi(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(
            text(&out).contains(expected),
            "{args:?} should mention {expected:?}: {}",
            text(&out)
        );
    }
    assert!(!Path::new("/tmp/never.card").exists());
    assert_eq!(
        std::fs::read(env.path("data/jlis/state.json")).unwrap(),
        state_before,
        "no serial was spent"
    );
    std::fs::write(env.path("x"), "x").unwrap();
    let out = env.akashi(&[
        "card", "sign", &card, "--pin", "abc", "--in", &x, "--out", &y,
    ]);
    assert!(text(&out).contains("invalid PIN format"), "{}", text(&out));
    let v: serde_json::Value =
        serde_json::from_slice(&env.akashi(&["card", "pin-status", &card, "--json"]).stdout)
            .unwrap();
    assert_eq!(
        v["signature"]["remaining"], 5,
        "a malformed PIN costs no try"
    );
}

#[test]
fn a_card_file_with_another_key_cannot_be_used() {
    let env = Env::new();
    env.issue();
    let out = Command::new(env!("CARGO_BIN_EXE_akashi"))
        .args(["card", "pin-status", &env.p("hanako.card")])
        .env("AKASHI_PASSPHRASE", "not the key")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("could not be opened"), "{}", text(&out));
}

#[test]
fn the_demo_runs_end_to_end() {
    let env = Env::new();
    let t = env.ok(&["demo", "--data", &env.p("demo")]);
    for expected in [
        "[22/22]",
        // The OpenID Connect shop: level 2 with the device key, the step-up to 3 needs the card.
        "next day, browsing: the device key and PIN, acr \"urn:akashi:acr:level2\"",
        "her level-2 session is not enough (\"step_up\")",
        "the device key is refused (400 \"unmet_authentication_requirements\")",
        "with the card and its PIN: acr \"urn:akashi:acr:level3\"",
        // The lease: three cards, sequential, B-LTA, validated offline; a changed rent fails.
        "3. Guarantor signed with the card as 鈴木\u{3000}三郎",
        "the contract is completed at level B-LTA",
        "audit trail: 6 events, hash chain intact",
        "Signer3: TOTAL-PASSED (B-LTA)",
        "90,000 yen in the file: TOTAL-FAILED/HASH_FAILURE, TOTAL-FAILED/HASH_FAILURE, TOTAL-FAILED/HASH_FAILURE",
        "6982 (refused",
        "signature: VALID",
        "山田\u{3000}花子",
        "63C2",
        "revoked (CRL reason 3)",
        "stays good (listed in its CRL: false)",
        "its address: 神奈川県横浜市中区日本大通1",
        "without consent: revoked (attributes: false)",
        "revoked, affiliationChanged (signed response verified)",
        "good (signed response verified)",
        "and address 神奈川県横浜市中区日本大通1",
        "\"assurance\":\"IAL3\"",
        "\"assurance\":\"AAL3\"",
        "Demo Shop never subscribed",
        // The private ID: predicates and a stable pseudonym for the shop, the municipality
        // for the city, the move revokes, renewal with consent brings the new address.
        "prove birthdate <= ",
        "a second visit (a new unlinkable proof): same pseudonym: true",
        "{\"address\":{\"municipality\":\"大阪市北区\"}}",
        "1 revoked;",
        "Hanako's wallet checks the issuer's status list: 1 SD-JWT VC(s) revoked",
        "renew your ID",
        "renewal without the card: refused (invalid_grant)",
        "the new ones say 札幌市中央区",
        "the city asks again and receives: {\"address\":{\"municipality\":\"札幌市中央区\"}}",
    ] {
        assert!(t.contains(expected), "{expected} missing:\n{t}");
    }
    // The moving one-stop reached the five subscribed SPs once each, the shop was told to
    // ask, and the death notice reached the deceased's two SPs.
    assert_eq!(
        t.matches("attributes.updated, new address 大阪府").count(),
        5,
        "{t}"
    );
    assert_eq!(t.matches("webhook: customer").count(), 8, "{t}");
    assert_eq!(t.matches("\"certificate.revoked\"").count(), 1, "{t}");
    assert_eq!(t.matches("\"customer.deceased\"").count(), 2, "{t}");
    // What the bank received names no certificate serial.
    let received = t
        .lines()
        .skip_while(|l| !l.contains("Demo Bank received"))
        .nth(1)
        .unwrap();
    assert!(received.contains("sp_user_id"), "{received}");
    for serial in t.lines().filter_map(|l| l.split("serial ").nth(1)) {
        let serial = serial.split_whitespace().next().unwrap();
        assert!(!received.contains(serial), "{serial} in {received}");
    }
    // What the shop received: the predicates and a pseudonym, nothing of the person.
    let shop = t
        .lines()
        .skip_while(|l| !l.contains("the shop received"))
        .nth(1)
        .unwrap();
    assert!(shop.contains("\"holds\":true"), "{shop}");
    assert!(shop.contains("\"claims\":{}"), "{shop}");
    for secret in ["山田", "花子", "1990", "大阪", "中之島"] {
        assert!(!shop.contains(secret), "{secret} in {shop}");
    }
    let city = t
        .lines()
        .skip_while(|l| !l.contains("the city received"))
        .nth(1)
        .unwrap();
    for secret in ["山田", "花子", "1990", "大阪府", "中之島"] {
        assert!(!city.contains(secret), "{secret} in {city}");
    }
    // Two relying parties of the OpenID provider: two different subs.
    let subs = t
        .lines()
        .find(|l| l.contains("shop's sub:"))
        .unwrap()
        .split("sub: ")
        .skip(1)
        .map(|s| s.split('…').next().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(subs.len(), 2);
    assert_ne!(subs[0], subs[1], "pairwise subjects");
    // Running it again reuses the CAs.
    let t = env.ok(&["demo", "--data", &env.p("demo")]);
    assert!(t.contains("reusing the J-LIS CAs"), "{t}");
    assert!(t.contains("the new ones say 札幌市中央区"), "{t}");
}
