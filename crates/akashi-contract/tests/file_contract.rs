//! A contract over any file: each party's detached CAdES signature (B-T when made, B-LTA for
//! all once the last party signed), on SQLite and on PostgreSQL; `openssl cms -verify`
//! (independent) checks each signature against the file.

mod support;

use std::process::Command;

use time::{Duration, OffsetDateTime};

use akashi_contract::{ContractDraft, ContractStatus, DocumentKind, SigningOrder};
use akashi_crypto::OsRandom;
use akashi_sign::validate::{Indication, Level};
use akashi_sign::validate_cades;
use akashi_store::Store;

const TERMS: &[u8] = b"Memorandum of understanding between four municipalities.\n";

async fn file_contract_on(store: Option<Store>) {
    let now = OffsetDateTime::now_utc() - Duration::hours(1);
    let mut w = support::world(now - Duration::days(1), store).await;
    let names = [
        "東\u{3000}一",
        "西\u{3000}二",
        "南\u{3000}三",
        "北\u{3000}四",
    ];
    let mut cards = Vec::new();
    for (i, name) in names.iter().enumerate() {
        cards.push(
            w.card(&format!("m{i}"), name, now - Duration::days(1))
                .await,
        );
    }
    let draft = ContractDraft {
        title: "Memorandum".into(),
        file_name: "mou.txt".into(),
        document: TERMS.to_vec(),
        signers: ["East", "West", "South", "North"]
            .map(String::from)
            .to_vec(),
        order: SigningOrder::Any,
    };
    let created = w
        .contracts
        .create(draft.check().unwrap(), now, &OsRandom)
        .await
        .unwrap();
    assert_eq!(created.kind, DocumentKind::File);
    let invitations = w
        .contracts
        .invite(&created.id, &[], Duration::days(7), now, &OsRandom)
        .await
        .unwrap();
    let mut view = None;
    // Last position first: any order is allowed.
    for (step, (i, card)) in cards.iter_mut().enumerate().rev().enumerate() {
        let at = now + Duration::minutes(step as i64);
        view = Some(w.sign(card, &invitations[i].token, at).await.unwrap());
    }
    let done = view.unwrap();
    assert_eq!(done.status, ContractStatus::Completed);
    assert_eq!(done.level.as_deref(), Some("B-LTA"));

    let (_, document, signatures) = w.contracts.signed_files(&done.id).await.unwrap();
    assert_eq!(document, TERMS, "a file contract never changes the file");
    assert_eq!(signatures.len(), 4);
    std::fs::write(w.dir.path().join("mou.txt"), TERMS).unwrap();
    let mut changed = TERMS.to_vec();
    changed[0] ^= 0x20;
    std::fs::write(w.dir.path().join("changed.txt"), &changed).unwrap();
    let cms_verify = |sig: &std::path::Path, content: &str| {
        Command::new("openssl")
            .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
            .arg(sig)
            .arg("-content")
            .arg(w.dir.path().join(content))
            .args(["-purpose", "any", "-CAfile"])
            .arg(w.dir.path().join("sign-root.pem"))
            .args(["-out", "/dev/null"])
            .output()
            .unwrap()
    };
    for (position, cms) in &signatures {
        let report = validate_cades(TERMS, cms, &w.anchors, now + Duration::hours(1));
        let s = &report.signatures[0];
        assert_eq!(
            (s.indication, s.level),
            (Indication::TotalPassed, Some(Level::BLta)),
            "{s:#?}"
        );
        assert_eq!(
            s.signer.as_ref().unwrap().attributes.as_ref().unwrap().name,
            names[position - 1]
        );
        let sig = w.dir.path().join(format!("mou.{position}.p7s"));
        std::fs::write(&sig, cms).unwrap();
        let out = cms_verify(&sig, "mou.txt");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.contains("Verification successful"),
            "{stderr}"
        );
        assert!(
            !cms_verify(&sig, "changed.txt").status.success(),
            "a changed file verified"
        );
    }
}

#[tokio::test]
async fn a_file_contract_gets_one_cades_signature_per_party_on_sqlite() {
    file_contract_on(None).await;
}

#[tokio::test]
async fn a_file_contract_gets_one_cades_signature_per_party_on_postgres() {
    let Some(store) = akashi_store::testing::fresh_postgres("contract_file").await else {
        return;
    };
    file_contract_on(Some(store)).await;
}
