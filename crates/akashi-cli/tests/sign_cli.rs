//! `akashi sign cades|pades|augment|verify` through the binary: the privacy note before
//! signing, the levels, the per-signer report and the exit codes a script relies on.

mod common;

use common::{text, Env};

#[test]
fn cades_lt_signed_with_the_card_and_verified_offline() {
    let env = Env::new();
    env.issue();
    std::fs::write(env.path("contract.txt"), "金銭消費貸借契約書\n").unwrap();
    let out = env.akashi(&[
        "sign",
        "cades",
        &env.p("hanako.card"),
        "--pin",
        "ABC123",
        "--in",
        &env.p("contract.txt"),
        "--out",
        &env.p("contract.p7s"),
        "--level",
        "LT",
        "--data",
        &env.p("data"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("name, date of birth, sex and address"),
        "{stderr}"
    );
    let anchors = env.anchors();

    let report = env.ok(&[
        "sign",
        "verify",
        &env.p("contract.txt"),
        "--sig",
        &env.p("contract.p7s"),
        "--anchors",
        &anchors,
    ]);
    assert!(report.contains("signature 1: TOTAL-PASSED"), "{report}");
    assert!(
        report.contains("signer: 山田\u{3000}花子 (born 1990-04-01, female)"),
        "{report}"
    );
    assert!(report.contains("level: B-LT"), "{report}");

    std::fs::write(env.path("contract.txt"), "金銭消費貸借契約書!\n").unwrap();
    let out = env.akashi(&[
        "sign",
        "verify",
        &env.p("contract.txt"),
        "--sig",
        &env.p("contract.p7s"),
        "--anchors",
        &anchors,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("TOTAL-FAILED") && text(&out).contains("HASH_FAILURE"));

    let out = env.akashi(&[
        "sign",
        "verify",
        &env.p("contract.txt"),
        "--anchors",
        &anchors,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("not a PDF"), "{}", text(&out));
    let out = env.akashi(&[
        "sign",
        "verify",
        &env.p("contract.txt"),
        "--sig",
        &env.p("contract.p7s"),
        "--anchors",
        &anchors,
        "--at",
        "yesterday",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--at yesterday: not an RFC 3339 time"));
}

#[test]
fn pades_lta_signed_renewed_and_verified_as_json() {
    let env = Env::new();
    env.issue();
    std::fs::write(
        env.path("contract.pdf"),
        akashi_pdf::text_pdf("Lease", &["Article 1. The lessor lets the flat."]),
    )
    .unwrap();
    env.ok(&[
        "sign",
        "pades",
        &env.p("hanako.card"),
        "--pin",
        "ABC123",
        "--in",
        &env.p("contract.pdf"),
        "--out",
        &env.p("signed.pdf"),
        "--level",
        "LTA",
        "--data",
        &env.p("data"),
    ]);
    env.ok(&[
        "sign",
        "augment",
        "--sig",
        &env.p("signed.pdf"),
        "--to",
        "LTA",
        "--out",
        &env.p("renewed.pdf"),
        "--data",
        &env.p("data"),
    ]);
    let anchors = env.anchors();
    let json = env.ok(&[
        "--json",
        "sign",
        "verify",
        &env.p("renewed.pdf"),
        "--anchors",
        &anchors,
    ]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        report["signatures"][0]["indication"], "TOTAL-PASSED",
        "{report:#}"
    );
    assert_eq!(report["signatures"][0]["level"], "B-LTA", "{report:#}");
    assert_eq!(report["signatures"][0]["field"], "Signature1", "{report:#}");
    assert_eq!(
        report["archive_timestamps"].as_array().unwrap().len(),
        2,
        "{report:#}"
    );

    let mut pdf = std::fs::read(env.path("renewed.pdf")).unwrap();
    let at = pdf.windows(6).position(|w| w == b"lessor").unwrap();
    pdf[at] = b'L';
    std::fs::write(env.path("changed.pdf"), pdf).unwrap();
    let out = env.akashi(&[
        "sign",
        "verify",
        &env.p("changed.pdf"),
        "--anchors",
        &anchors,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("HASH_FAILURE"), "{}", text(&out));
}

#[test]
fn cades_lta_signed_renewed_without_the_content_and_verified() {
    let env = Env::new();
    env.issue();
    std::fs::write(env.path("deed.txt"), "不動産売買契約書\n").unwrap();
    env.ok(&[
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
        "LTA",
        "--data",
        &env.p("data"),
    ]);
    let anchors = env.anchors();
    let verify = |sig: &str| {
        env.akashi(&[
            "--json",
            "sign",
            "verify",
            &env.p("deed.txt"),
            "--sig",
            &env.p(sig),
            "--anchors",
            &anchors,
        ])
    };
    let out = verify("deed.p7s");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["signatures"][0]["level"], "B-LTA", "{report:#}");
    assert_eq!(report["archive_timestamps"].as_array().unwrap().len(), 1);

    // Renewal: the detached signature alone (its message digest is the content's hash).
    env.ok(&[
        "sign",
        "augment",
        "--sig",
        &env.p("deed.p7s"),
        "--to",
        "LTA",
        "--out",
        &env.p("renewed.p7s"),
        "--data",
        &env.p("data"),
    ]);
    let out = verify("renewed.p7s");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["signatures"][0]["level"], "B-LTA", "{report:#}");
    let stamps = report["archive_timestamps"].as_array().unwrap();
    assert_eq!(stamps.len(), 2, "{report:#}");
    assert!(stamps.iter().all(|t| t["valid"] == true), "{report:#}");

    let text_report = env.ok(&[
        "sign",
        "verify",
        &env.p("deed.txt"),
        "--sig",
        &env.p("renewed.p7s"),
        "--anchors",
        &anchors,
    ]);
    assert!(text_report.contains("level: B-LTA"), "{text_report}");

    std::fs::write(env.path("deed.txt"), "不動産売買契約書!\n").unwrap();
    let out = verify("renewed.p7s");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("HASH_FAILURE"), "{}", text(&out));
}
