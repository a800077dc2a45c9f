//! The multi-party contract workflow end to end: three parties invited, each signs with their
//! own (virtual) My Number Card, the status follows each signer, the last signature makes the
//! PDF PAdES-B-LTA, and pyHanko (PyPI, independent) validates the result. Every refusal leaves
//! the contract and its audit trail as they were.

mod support;

use time::{Duration, OffsetDateTime};

use akashi_contract::{
    AuditCheck, ContractDraft, ContractError, ContractStatus, ContractView, SignerStatus,
    SigningOrder,
};
use akashi_crypto::OsRandom;
use akashi_sign::validate::{Indication, Level};
use akashi_sign::validate_pades;

use support::cards::pyhanko::pyhanko;
use support::World;

const PARTIES: [(&str, &str, &str); 3] = [
    ("seller", "Seller", "山田\u{3000}花子"),
    ("buyer", "Buyer", "佐藤\u{3000}一郎"),
    ("guarantor", "Guarantor", "鈴木\u{3000}三郎"),
];

fn pdf_draft(order: SigningOrder) -> ContractDraft {
    ContractDraft {
        title: "Sale of a used car".into(),
        file_name: "sale.pdf".into(),
        document: akashi_pdf::text_pdf(
            "Sale of a used car",
            &[
                "Article 1. The seller sells the car to the buyer for 800,000 yen.",
                "Article 2. The guarantor guarantees the buyer's payment.",
            ],
        ),
        signers: PARTIES
            .iter()
            .map(|(_, label, _)| label.to_string())
            .collect(),
        order,
    }
}

/// What must not change when an operation is refused.
fn fingerprint(v: &ContractView) -> (String, usize, usize, Vec<SignerStatus>) {
    (
        v.current_sha256.clone(),
        v.events.len(),
        v.signed_count(),
        v.signers.iter().map(|s| s.status).collect(),
    )
}

#[tokio::test]
async fn three_parties_sign_a_pdf_contract_that_becomes_pades_lta_and_pyhanko_accepts() {
    let now = OffsetDateTime::now_utc() - Duration::hours(1);
    let mut w = support::world(now - Duration::days(1), None).await;
    let mut cards = Vec::new();
    for (id, _, name) in PARTIES {
        cards.push(w.card(id, name, now - Duration::days(1)).await);
    }

    let checked = pdf_draft(SigningOrder::Any).check().unwrap();
    let created = w.contracts.create(checked, now, &OsRandom).await.unwrap();
    assert_eq!(created.status, ContractStatus::Open);
    assert!(created
        .signers
        .iter()
        .all(|s| s.status == SignerStatus::Pending));
    assert_eq!(created.audit, AuditCheck::Intact { events: 1 });

    let invitations = w
        .contracts
        .invite(&created.id, &[], Duration::days(14), now, &OsRandom)
        .await
        .unwrap();
    assert_eq!(invitations.len(), 3);
    let token = |p: usize| invitations[p - 1].token.clone();
    let before = w.contracts.view(&created.id).await.unwrap();
    assert!(before
        .signers
        .iter()
        .all(|s| s.status == SignerStatus::Invited));

    // Refusals, none of which changes anything.
    let t = now + Duration::minutes(1);
    let refused = w.sign(&mut cards[0], "not-a-token", t).await.unwrap_err();
    assert!(
        matches!(refused, ContractError::UnknownInvitation),
        "{refused}"
    );
    let auth = World::authentication_certificate(&mut cards[0]);
    let refused = w
        .contracts
        .begin_signing(&token(1), &auth, t)
        .await
        .err()
        .unwrap();
    assert!(
        matches!(refused, ContractError::NotASignatureCertificate(_)),
        "{refused}"
    );
    assert_eq!(
        fingerprint(&w.contracts.view(&created.id).await.unwrap()),
        fingerprint(&before)
    );

    // The buyer signs first (any order), then may not sign again as the guarantor.
    let after_buyer = w.sign(&mut cards[1], &token(2), t).await.unwrap();
    assert_eq!(after_buyer.signers[1].status, SignerStatus::Signed);
    assert_eq!(
        after_buyer.signers[1].signed_by.as_deref(),
        Some(PARTIES[1].2)
    );
    assert_eq!(after_buyer.level.as_deref(), Some("B-T"));
    let refused = w.sign(&mut cards[1], &token(3), t).await.unwrap_err();
    assert!(
        matches!(refused, ContractError::CertificateAlreadySigned(2)),
        "{refused}"
    );
    let refused = w.sign(&mut cards[1], &token(2), t).await.unwrap_err();
    assert!(
        matches!(refused, ContractError::UnknownInvitation),
        "used twice: {refused}"
    );

    let t = now + Duration::minutes(2);
    w.sign(&mut cards[0], &token(1), t).await.unwrap();
    let done = w
        .sign(&mut cards[2], &token(3), t + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(done.status, ContractStatus::Completed);
    assert_eq!(done.level.as_deref(), Some("B-LTA"));
    assert_eq!(done.signed_count(), 3);
    let names: Vec<_> = done
        .signers
        .iter()
        .map(|s| s.signed_by.clone().unwrap())
        .collect();
    assert_eq!(names, PARTIES.map(|p| p.2.to_string()));
    let actions: Vec<_> = done.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "created",
            "invited",
            "signed",
            "signed",
            "signed",
            "completed"
        ]
    );
    assert_eq!(done.audit, AuditCheck::Intact { events: 6 });
    // The trail never holds the signers' attributes.
    for e in &done.events {
        let detail = e.detail.to_string();
        for (_, _, name) in PARTIES {
            assert!(!detail.contains(name), "{detail}");
        }
        assert!(!detail.contains("東京都"), "{detail}");
    }
    let refused = w.sign(&mut cards[0], &token(1), t).await.unwrap_err();
    assert!(
        matches!(refused, ContractError::UnknownInvitation),
        "{refused}"
    );

    // Our validator: three signatures, each B-LTA under one document timestamp.
    let (_, pdf, _) = w.contracts.signed_files(&done.id).await.unwrap();
    let report = validate_pades(&pdf, &w.anchors, now + Duration::hours(1));
    assert_eq!(report.signatures.len(), 3, "{report:#?}");
    for s in &report.signatures {
        assert_eq!(
            (s.indication, s.level),
            (Indication::TotalPassed, Some(Level::BLta)),
            "{s:#?}"
        );
    }
    assert_eq!(report.archive_timestamps.len(), 1, "{report:#?}");

    // pyHanko, AdES-style, offline, with the J-LIS root and the TSA root as trust anchors.
    std::fs::write(w.dir.path().join("sale.pdf"), &pdf).unwrap();
    if let Some((ok, out)) = pyhanko(
        w.dir.path(),
        &[
            "sign",
            "adesverify",
            "--pretty-print",
            "--trust",
            "sign-root.pem",
            "--trust",
            "tsa/ca.pem",
            "--trust-replace",
            "sale.pdf",
        ],
    ) {
        assert!(ok, "pyHanko refused the contract: {out}");
        assert_eq!(
            out.matches("The signature is judged VALID").count(),
            3,
            "{out}"
        );
    }

    // An edited audit event is detected.
    w.store
        .raw_execute(&format!(
            "UPDATE contract_events SET detail = '{{}}' WHERE contract_id = '{}' AND seq = 3",
            done.id
        ))
        .await
        .unwrap();
    let tampered = w.contracts.view(&done.id).await.unwrap();
    assert_eq!(tampered.audit, AuditCheck::Broken { at_seq: 3 });
}

#[tokio::test]
async fn a_revoked_certificate_cannot_sign_and_changes_nothing() {
    let now = OffsetDateTime::now_utc() - Duration::hours(1);
    let mut w = support::world(now - Duration::days(1), None).await;
    let mut card = w
        .card("lost", "田中\u{3000}一", now - Duration::days(1))
        .await;
    w.registry
        .apply(
            "lost",
            &akashi_jlis::LifeEvent::Lose { compromised: true },
            now - Duration::minutes(30),
        )
        .await
        .unwrap();
    let created = w
        .contracts
        .create(
            pdf_draft(SigningOrder::Any).check().unwrap(),
            now,
            &OsRandom,
        )
        .await
        .unwrap();
    let invitations = w
        .contracts
        .invite(&created.id, &[1], Duration::days(1), now, &OsRandom)
        .await
        .unwrap();
    let before = w.contracts.view(&created.id).await.unwrap();
    let refused = w
        .sign(&mut card, &invitations[0].token, now)
        .await
        .unwrap_err();
    match refused {
        ContractError::SignatureRejected { indication, reason } => {
            assert!(indication.contains("REVOKED"), "{indication}: {reason}");
        }
        other => panic!("{other}"),
    }
    let after = w.contracts.view(&created.id).await.unwrap();
    assert_eq!(fingerprint(&after), fingerprint(&before));
    assert_eq!(after.signers[0].status, SignerStatus::Invited);
}

#[tokio::test]
async fn sequential_order_expiry_reinvitation_cancellation_and_races() {
    let now = OffsetDateTime::now_utc() - Duration::hours(1);
    let mut w = support::world(now - Duration::days(1), None).await;
    let mut cards = Vec::new();
    for (id, _, name) in PARTIES {
        cards.push(w.card(id, name, now - Duration::days(1)).await);
    }
    let created = w
        .contracts
        .create(
            pdf_draft(SigningOrder::Sequential).check().unwrap(),
            now,
            &OsRandom,
        )
        .await
        .unwrap();
    let first = w
        .contracts
        .invite(&created.id, &[], Duration::hours(1), now, &OsRandom)
        .await
        .unwrap();

    // Sequential: the buyer waits for the seller.
    let refused = w
        .sign(&mut cards[1], &first[1].token, now)
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            ContractError::NotYourTurn {
                position: 2,
                waiting_for: 1
            }
        ),
        "{refused}"
    );
    // Expired, then replaced: the old token stops working, the new one works.
    let late = now + Duration::hours(2);
    let refused = w
        .sign(&mut cards[0], &first[0].token, late)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ContractError::InvitationExpired(_)),
        "{refused}"
    );
    let second = w
        .contracts
        .invite(&created.id, &[1], Duration::days(1), late, &OsRandom)
        .await
        .unwrap();
    let refused = w
        .sign(&mut cards[0], &first[0].token, late)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ContractError::UnknownInvitation),
        "{refused}"
    );
    w.sign(&mut cards[0], &second[0].token, late).await.unwrap();

    // Two sessions prepared on the same version: the first to complete wins, the other is
    // told to sign again, and nothing of it is stored.
    let third = w
        .contracts
        .invite(&created.id, &[2], Duration::days(1), late, &OsRandom)
        .await
        .unwrap();
    let cert = support::cards::signature_certificate(&mut cards[1]);
    let a = w
        .contracts
        .begin_signing(&third[0].token, &cert, late)
        .await
        .unwrap();
    let b = w
        .contracts
        .begin_signing(&third[0].token, &cert, late)
        .await
        .unwrap();
    w.finish(&mut cards[1], a, late).await.unwrap();
    let before = w.contracts.view(&created.id).await.unwrap();
    let refused = w.finish(&mut cards[1], b, late).await.unwrap_err();
    assert!(matches!(refused, ContractError::Concurrent), "{refused}");
    assert_eq!(
        fingerprint(&w.contracts.view(&created.id).await.unwrap()),
        fingerprint(&before)
    );

    // Cancelled: nobody signs any more, and a second cancel is refused.
    let cancelled = w
        .contracts
        .cancel(&created.id, "price changed", late)
        .await
        .unwrap();
    assert_eq!(cancelled.status, ContractStatus::Cancelled);
    let refused = w
        .sign(&mut cards[2], &first[2].token, late)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ContractError::UnknownInvitation),
        "{refused}"
    );
    let refused = w
        .contracts
        .cancel(&created.id, "again", late)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ContractError::NotOpen { .. }),
        "{refused}"
    );
    assert_eq!(cancelled.audit, AuditCheck::Intact { events: 7 });
}

#[test]
fn drafts_are_checked_before_they_can_be_stored() {
    let base = pdf_draft(SigningOrder::Any);
    let refuse = |draft: ContractDraft| draft.check().unwrap_err().to_string();
    assert!(refuse(ContractDraft {
        signers: vec!["A".into()],
        ..base.clone()
    })
    .contains("at least 2"));
    assert!(refuse(ContractDraft {
        signers: vec!["A".into(), "B".into(), "A".into()],
        ..base.clone()
    })
    .contains("both labelled"));
    assert!(refuse(ContractDraft {
        signers: vec!["A".into(), " ".into()],
        ..base.clone()
    })
    .contains("signer 2 has an empty label"));
    assert!(refuse(ContractDraft {
        title: "  ".into(),
        ..base.clone()
    })
    .contains("title"));
    assert!(refuse(ContractDraft {
        document: Vec::new(),
        ..base.clone()
    })
    .contains("empty"));
    let mut broken = base.document.clone();
    broken.truncate(40);
    assert!(refuse(ContractDraft {
        document: broken,
        ..base.clone()
    })
    .contains("PDF"));
    let file = ContractDraft {
        document: b"Terms: ...".to_vec(),
        ..base
    }
    .check()
    .unwrap();
    assert_eq!(file.kind(), akashi_contract::DocumentKind::File);
}
