//! Identity proofing and login through the PF, end to end with virtual cards over APDU, on
//! SQLite and PostgreSQL: what each SP learns, the per-SP identifier across SPs, cert types
//! and re-issues, and what J-LIS learns.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use time::Duration;

use akashi_crypto::OsRandom;
use akashi_jlis::LifeEvent;
use akashi_jpki::CertificateKind;
use akashi_pf::PfConfig;
use akashi_pf_protocol::{CertificateType, Purpose};
use common::*;

/// Every byte string an SP must never see, as the JSON of a response could carry it.
fn forbidden(card: &mut TestCard) -> Vec<String> {
    let mut out = Vec::new();
    for (slot, pin) in [
        (akashi_card::CertificateSlot::Signature, Some(SIGN_PIN)),
        (akashi_card::CertificateSlot::Authentication, None),
    ] {
        use akashi_card::Card;
        let der = card.read_certificate(slot, pin).unwrap();
        let cert = akashi_jpki::JpkiCertificate::from_der(&der).unwrap();
        let serial = cert.serial_hex();
        out.push(serial.clone());
        out.push(serial.to_ascii_lowercase());
        out.push(STANDARD.encode(&der)[..40].to_owned());
        out.push(STANDARD.encode(cert.public_key_der().unwrap())[40..80].to_owned());
        // The serial as a decimal number, as some APIs print it.
        let bytes = hex::decode(&serial).unwrap();
        if bytes.len() <= 16 {
            let mut n: u128 = 0;
            for b in bytes {
                n = (n << 8) | u128::from(b);
            }
            out.push(n.to_string());
        }
    }
    out
}

async fn proofing_and_login(postgres: bool) {
    let Some(mut w) = world(postgres, "akashi_pf_flows").await else {
        return;
    };
    let mut card = w.enrol("R1", &hanako()).await;
    let pf = w.pf(PfConfig::default());
    let bank = register_sp(&pf, "Demo Bank").await;
    let shop = register_sp(&pf, "Demo Shop").await;

    // Identity proofing at the bank with the signature certificate.
    let request = signed_request(&pf, &bank, &mut card, Purpose::IdentityProofing, true, NOW);
    let proofed = pf.complete(&bank, &request, NOW, &OsRandom).await.unwrap();
    assert_eq!(proofed.certificate_type, CertificateType::Signature);
    assert_eq!(proofed.assurance, "IAL3");
    let attributes = proofed.attributes.clone().expect("proofing gives the four");
    assert_eq!(attributes.name, hanako().name);
    assert_eq!(attributes.address, hanako().address);
    assert_eq!(attributes.birth_date, "1990-04-01");
    assert_eq!(attributes.sex, "female");

    // Login at the shop with the authentication certificate: an identifier, nothing else.
    let request = signed_request(&pf, &shop, &mut card, Purpose::Login, false, NOW);
    let login = pf.complete(&shop, &request, NOW, &OsRandom).await.unwrap();
    assert_eq!(login.certificate_type, CertificateType::Authentication);
    assert_eq!(login.assurance, "AAL3");
    assert!(login.attributes.is_none());
    assert_ne!(
        login.sp_user_id, proofed.sp_user_id,
        "two SPs, two identifiers"
    );

    // The shop proofs the same person: the signature certificate maps to the identifier the
    // authentication certificate got there.
    let request = signed_request(&pf, &shop, &mut card, Purpose::IdentityProofing, false, NOW);
    let shop_proofed = pf.complete(&shop, &request, NOW, &OsRandom).await.unwrap();
    assert_eq!(shop_proofed.sp_user_id, login.sp_user_id);
    // And a login at the bank gives the bank's identifier.
    let request = signed_request(&pf, &bank, &mut card, Purpose::Login, false, NOW);
    let bank_login = pf.complete(&bank, &request, NOW, &OsRandom).await.unwrap();
    assert_eq!(bank_login.sp_user_id, proofed.sp_user_id);

    // No serial, certificate or key in anything an SP received.
    let sent = serde_json::to_string(&[&proofed, &login, &shop_proofed, &bank_login]).unwrap();
    for needle in forbidden(&mut card) {
        assert!(!sent.contains(&needle), "an SP response contains {needle}");
    }

    // J-LIS saw only the PF: every audit entry is the PF's, none names an SP.
    let mut tx = w.store.begin().await.unwrap();
    let log = tx.audit_log(&w.pf_verifier.id).await.unwrap();
    assert!(!log.is_empty());
    let everything = format!("{log:?}");
    for sp in [&bank, &shop] {
        assert!(!everything.contains(&sp.id) && !everything.contains(&sp.name));
    }
    for sp in [&bank, &shop] {
        assert!(tx.audit_log(&sp.id).await.unwrap().is_empty());
    }
    drop(tx);

    // Each SP sees its own customers only, by its own identifier.
    let bank_customers = pf.customers(&bank).await.unwrap();
    assert_eq!(bank_customers.len(), 1);
    assert_eq!(bank_customers[0].sp_user_id, proofed.sp_user_id);
    assert!(bank_customers[0].subscribed);
    let shop_customers = pf.customers(&shop).await.unwrap();
    assert_eq!(shop_customers.len(), 1);
    assert_eq!(shop_customers[0].sp_user_id, login.sp_user_id);

    // The vault holds both certificates sealed; a read is logged.
    use akashi_card::Card;
    let sign_der = card
        .read_certificate(akashi_card::CertificateSlot::Signature, Some(SIGN_PIN))
        .unwrap();
    let serial = akashi_jpki::JpkiCertificate::from_der(&sign_der)
        .unwrap()
        .serial_hex();
    let mut tx = w.store.begin().await.unwrap();
    let sealed = tx.vault_get("signature", &serial).await.unwrap().unwrap();
    assert!(!sealed
        .sealed_der
        .windows(32)
        .any(|win| win == &sign_der[100..132]));
    drop(tx);
    let read = pf
        .vault_read(
            CertificateKind::Signature,
            &serial,
            "auditor:FSA",
            "inspection",
            NOW,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.as_slice(), sign_der.as_slice());
    let mut tx = w.store.begin().await.unwrap();
    let access = tx.vault_access_log().await.unwrap();
    assert!(access
        .iter()
        .any(|a| a.actor == "auditor:FSA" && a.purpose == "inspection" && a.serial == serial));
    drop(tx);
    // Retention ends: purged, and logged.
    let later = NOW + Duration::days(8 * 365);
    assert_eq!(pf.vault_purge(later).await.unwrap(), 2);
    assert!(pf
        .vault_read(CertificateKind::Signature, &serial, "x", "y", later)
        .await
        .unwrap()
        .is_none());
}

async fn same_identifier_after_move_and_reissue(postgres: bool) {
    let Some(mut w) = world(postgres, "akashi_pf_reissue").await else {
        return;
    };
    let mut card = w.enrol("R1", &hanako()).await;
    let pf = w.pf(PfConfig {
        ocsp_cache: Duration::ZERO,
        ..PfConfig::default()
    });
    let bank = register_sp(&pf, "Demo Bank").await;
    let request = signed_request(&pf, &bank, &mut card, Purpose::IdentityProofing, false, NOW);
    let before = pf.complete(&bank, &request, NOW, &OsRandom).await.unwrap();

    let moved = NOW + Duration::days(30);
    w.event(
        "R1",
        LifeEvent::Move {
            new_address: NEW_ADDRESS.into(),
        },
        moved,
    )
    .await;
    // The old signature certificate is refused now.
    let request = signed_request(
        &pf,
        &bank,
        &mut card,
        Purpose::IdentityProofing,
        false,
        moved,
    );
    let refused = pf
        .complete(&bank, &request, moved, &OsRandom)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "certificate-revoked", "{refused}");

    let mut card = w.reissue("R1", card, moved).await;
    let request = signed_request(
        &pf,
        &bank,
        &mut card,
        Purpose::IdentityProofing,
        false,
        moved,
    );
    let after = pf
        .complete(&bank, &request, moved, &OsRandom)
        .await
        .unwrap();
    assert_eq!(
        after.sp_user_id, before.sp_user_id,
        "same person, same SP, same identifier"
    );
    assert_eq!(after.attributes.unwrap().address, NEW_ADDRESS);

    // A new card entirely (renewal): still the same identifier.
    let renewed = moved + Duration::days(1);
    w.event("R1", LifeEvent::Renew, renewed).await;
    let issued = akashi_jlis::issue_card(
        &mut w.authority,
        &akashi_jlis::CardIssueRequest {
            person: &w.registry.resident("R1").await.unwrap().0,
            auth_pin: AUTH_PIN,
            sign_pin: SIGN_PIN,
        },
        akashi_card::MemoryStore::default(),
        renewed,
        &OsRandom,
    )
    .unwrap();
    let c = &issued.certificates;
    w.registry
        .record_issued(
            "R1",
            "card-2",
            &[(&c.signature, None), (&c.authentication, None)],
            renewed,
        )
        .await
        .unwrap();
    let mut new_card = akashi_card::JpkiCard::new(akashi_card::VirtualTransport(issued.card));
    let request = signed_request(&pf, &bank, &mut new_card, Purpose::Login, false, renewed);
    let login = pf
        .complete(&bank, &request, renewed, &OsRandom)
        .await
        .unwrap();
    assert_eq!(login.sp_user_id, before.sp_user_id);
}

#[tokio::test]
async fn proofing_and_login_sqlite() {
    proofing_and_login(false).await;
}

#[tokio::test]
async fn proofing_and_login_postgres() {
    proofing_and_login(true).await;
}

#[tokio::test]
async fn same_identifier_after_move_and_reissue_sqlite() {
    same_identifier_after_move_and_reissue(false).await;
}

#[tokio::test]
async fn same_identifier_after_move_and_reissue_postgres() {
    same_identifier_after_move_and_reissue(true).await;
}
