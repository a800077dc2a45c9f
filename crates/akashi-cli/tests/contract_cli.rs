//! `akashi contract …` through the binary: three residents with their own cards sign one PDF
//! contract in turn; status per signer; the exported contract verifies offline.

mod common;

use common::{text, Env};

const PIN: &str = "ABC123";

fn issue(env: &Env, resident: &str, name: &str, card: &str) {
    env.ok(&[
        "jlis",
        "issue-card",
        "--data",
        &env.p("data"),
        "--resident",
        resident,
        "--name",
        name,
        "--birth",
        "1975-12-24",
        "--sex",
        "male",
        "--address",
        "大阪府大阪市北区中之島一丁目3番20号",
        "--auth-pin",
        "1234",
        "--sign-pin",
        PIN,
        "--out",
        &env.p(card),
    ]);
}

#[test]
fn three_residents_sign_a_contract_and_anyone_verifies_it() {
    let env = Env::new();
    env.issue(); // 山田 花子, hanako.card
    issue(&env, "R2", "佐藤 一郎", "ichiro.card");
    issue(&env, "R3", "鈴木 三郎", "saburo.card");
    let data = env.p("data");
    std::fs::write(
        env.path("lease.pdf"),
        akashi_pdf::text_pdf(
            "Lease",
            &["Article 1. The lessor lets the flat to the tenant."],
        ),
    )
    .unwrap();

    let created: serde_json::Value = serde_json::from_str(&env.ok(&[
        "--json",
        "contract",
        "create",
        "--in",
        &env.p("lease.pdf"),
        "--title",
        "Lease of flat 301",
        "--signer",
        "Lessor",
        "--signer",
        "Tenant",
        "--signer",
        "Guarantor",
        "--order",
        "sequential",
        "--data",
        &data,
    ]))
    .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["kind"], "pdf");

    let invitations: serde_json::Value =
        serde_json::from_str(&env.ok(&["--json", "contract", "invite", &id, "--data", &data]))
            .unwrap();
    let token = |i: usize| invitations[i]["invitation"].as_str().unwrap().to_owned();

    // The tenant reads the document first; signing out of turn is refused (exit 2).
    let review = env.ok(&[
        "contract",
        "review",
        "--invitation",
        &token(1),
        "--out",
        &env.p("to-read.pdf"),
        "--data",
        &data,
    ]);
    assert!(review.contains("as signer 2 (Tenant)"), "{review}");
    assert_eq!(
        std::fs::read(env.path("to-read.pdf")).unwrap(),
        std::fs::read(env.path("lease.pdf")).unwrap()
    );
    let sign = |card: &str, token: &str| {
        env.akashi(&[
            "contract",
            "sign",
            &env.p(card),
            "--pin",
            PIN,
            "--invitation",
            token,
            "--data",
            &data,
        ])
    };
    let out = sign("ichiro.card", &token(1));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("signer 1 signs first"),
        "{}",
        text(&out)
    );
    // Tokens are base64url: one may start with '-' and must still be read as the value.
    for forged in ["forged-token", "-Iforged"] {
        let out = sign("hanako.card", forged);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(
            text(&out).contains("invitation is not valid"),
            "{}",
            text(&out)
        );
    }

    for (card, i) in [("hanako.card", 0), ("ichiro.card", 1), ("saburo.card", 2)] {
        let out = sign(card, &token(i));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("name, date of birth, sex and address"),
            "{stderr}"
        );
        assert!(stderr.contains("Signing \"Lease of flat 301\""), "{stderr}");
    }

    let status = env.ok(&["contract", "status", &id, "--data", &data]);
    assert!(
        status.contains("completed; 3 of 3 signed, level B-LTA"),
        "{status}"
    );
    assert!(status.contains("by 鈴木\u{3000}三郎"), "{status}");
    assert!(status.contains("audit trail: 6 events, intact"), "{status}");
    let list = env.ok(&["contract", "list", "--data", &data]);
    assert!(list.contains(&id) && list.contains("completed"), "{list}");

    env.ok(&[
        "contract",
        "export",
        &id,
        "--out-dir",
        &env.p("out"),
        "--data",
        &data,
    ]);
    let anchors = env.anchors();
    let report = env.ok(&[
        "sign",
        "verify",
        &env.p("out/lease.pdf"),
        "--anchors",
        &anchors,
    ]);
    assert_eq!(report.matches("): TOTAL-PASSED").count(), 3, "{report}");
    assert!(report.contains("level: B-LTA"), "{report}");
}
