//! Every refusal is specific and records nothing: forged and tampered signatures, the wrong
//! certificate type, revoked, suspended and expired certificates, replays, other SPs'
//! transactions, unregistered SPs.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use time::Duration;

use akashi_crypto::OsRandom;
use akashi_jlis::LifeEvent;
use akashi_pf::{PfConfig, PfService};
use akashi_pf_protocol::{CompleteRequest, Purpose, StartRequest};
use common::*;

/// Rows of every PF table a completed proofing writes.
async fn recorded(w: &World) -> usize {
    let mut total = 0;
    for table in [
        "pf_used_transactions",
        "pf_serials",
        "pf_customers",
        "pf_vault",
        "pf_vault_access",
        "pf_outbox",
    ] {
        total += w.store.count_rows(table).await.unwrap() as usize;
    }
    total
}

fn flip(b64: &str, at: usize) -> String {
    let mut bytes = STANDARD.decode(b64).unwrap();
    bytes[at] ^= 0x01;
    STANDARD.encode(bytes)
}

async fn refused(
    pf: &PfService,
    sp: &akashi_pf::ServiceProvider,
    r: &CompleteRequest,
    at: time::OffsetDateTime,
) -> String {
    pf.complete(sp, r, at, &OsRandom)
        .await
        .unwrap_err()
        .code()
        .to_owned()
}

#[tokio::test]
async fn refusals_are_specific_and_record_nothing() {
    let mut w = world(false, "").await.unwrap();
    let mut card = w.enrol("R1", &hanako()).await;
    let pf = w.pf(PfConfig {
        ocsp_cache: Duration::ZERO,
        ..PfConfig::default()
    });
    let bank = register_sp(&pf, "Demo Bank").await;
    let other = register_sp(&pf, "Other SP").await;
    let proofing = signed_request(&pf, &bank, &mut card, Purpose::IdentityProofing, false, NOW);

    // Tampered signature, tampered signed data, a forged reference, someone else's reference.
    let mut r = proofing.clone();
    r.signature = flip(&r.signature, 10);
    assert_eq!(refused(&pf, &bank, &r, NOW).await, "bad-signature");
    let mut r = proofing.clone();
    r.signed_data = flip(&r.signed_data, 3);
    assert_eq!(refused(&pf, &bank, &r, NOW).await, "signed-data-mismatch");
    let mut r = proofing.clone();
    r.transaction.insert(10, 'x');
    assert_eq!(refused(&pf, &bank, &r, NOW).await, "unknown-transaction");
    assert_eq!(
        refused(&pf, &other, &proofing, NOW).await,
        "unknown-transaction"
    );
    // A tampered certificate (one byte of the signed part) no longer chains.
    let mut r = proofing.clone();
    r.certificate = flip(&r.certificate, 200);
    let code = refused(&pf, &bank, &r, NOW).await;
    assert!(code == "invalid-certificate", "{code}");
    // A certificate that is not a certificate.
    let mut r = proofing.clone();
    r.certificate = STANDARD.encode(b"not DER");
    assert_eq!(refused(&pf, &bank, &r, NOW).await, "invalid-certificate");
    let mut r = proofing.clone();
    r.signature = "***".into();
    assert_eq!(refused(&pf, &bank, &r, NOW).await, "malformed-request");
    let mut r = proofing.clone();
    r.format = "cms".into();
    assert_eq!(refused(&pf, &bank, &r, NOW).await, "unsupported-format");

    // The wrong certificate for the purpose: the auth certificate signing a proofing.
    let start = pf
        .start(
            &bank,
            &StartRequest {
                purpose: Purpose::IdentityProofing,
                transaction_data: Some("申込書".into()),
                subscribe_updates: false,
            },
            NOW,
            &OsRandom,
        )
        .unwrap();
    let wrong = card_signs(
        &mut card,
        Purpose::Login,
        &start.transaction,
        &start.to_be_signed,
    );
    assert_eq!(
        refused(&pf, &bank, &wrong, NOW).await,
        "wrong-certificate-type"
    );
    // And a login with transaction data is malformed at the start.
    assert_eq!(
        pf.start(
            &bank,
            &StartRequest {
                purpose: Purpose::Login,
                transaction_data: Some("x".into()),
                subscribe_updates: false,
            },
            NOW,
            &OsRandom,
        )
        .unwrap_err()
        .code(),
        "malformed-request"
    );

    // Expired transaction.
    let late = NOW + Duration::minutes(6);
    assert_eq!(
        refused(&pf, &bank, &proofing, late).await,
        "transaction-expired"
    );

    assert_eq!(recorded(&w).await, 0, "nothing recorded for any refusal");

    // Once accepted, the same request is a replay.
    pf.complete(&bank, &proofing, NOW, &OsRandom).await.unwrap();
    let after_success = recorded(&w).await;
    assert_eq!(
        refused(&pf, &bank, &proofing, NOW).await,
        "transaction-replayed"
    );
    assert_eq!(recorded(&w).await, after_success);

    // An unregistered SP.
    assert_eq!(
        pf.authenticate("aksp1.0000").await.unwrap_err().code(),
        "unregistered-service-provider"
    );

    // Suspended (card lost), then revoked (key compromise).
    let lost = NOW + Duration::hours(1);
    w.event("R1", LifeEvent::Lose { compromised: false }, lost)
        .await;
    let r = signed_request(&pf, &bank, &mut card, Purpose::Login, false, lost);
    assert_eq!(refused(&pf, &bank, &r, lost).await, "certificate-suspended");
    w.event("R1", LifeEvent::Lose { compromised: true }, lost)
        .await;
    let r = signed_request(&pf, &bank, &mut card, Purpose::Login, false, lost);
    assert_eq!(refused(&pf, &bank, &r, lost).await, "certificate-revoked");
    assert_eq!(recorded(&w).await, after_success);
}

#[tokio::test]
async fn expired_certificate_is_refused() {
    let mut w = world(false, "").await.unwrap();
    let mut card = w.enrol("R1", &hanako()).await;
    let pf = w.pf(PfConfig::default());
    let bank = register_sp(&pf, "Demo Bank").await;
    // JPKI certificates live at most five years.
    let later = NOW + Duration::days(6 * 365);
    let r = signed_request(&pf, &bank, &mut card, Purpose::Login, false, later);
    assert_eq!(refused(&pf, &bank, &r, later).await, "certificate-expired");
    assert_eq!(recorded(&w).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replays_are_accepted_once_sqlite() {
    concurrent_replays_are_accepted_once(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replays_are_accepted_once_postgres() {
    concurrent_replays_are_accepted_once(true).await;
}

/// The same signed request sent eight times at once: accepted exactly once.
async fn concurrent_replays_are_accepted_once(postgres: bool) {
    let Some(mut w) = world(postgres, "akashi_pf_replays").await else {
        return;
    };
    let mut card = w.enrol("R1", &hanako()).await;
    let pf = std::sync::Arc::new(w.pf(PfConfig::default()));
    let bank = register_sp(&pf, "Demo Bank").await;
    let request = signed_request(&pf, &bank, &mut card, Purpose::Login, false, NOW);
    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let (pf, bank, request) = (pf.clone(), bank.clone(), request.clone());
            tokio::spawn(async move { pf.complete(&bank, &request, NOW, &OsRandom).await })
        })
        .collect();
    let mut accepted = 0;
    for a in attempts {
        match a.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(e) => assert_eq!(e.code(), "transaction-replayed", "{e}"),
        }
    }
    assert_eq!(accepted, 1);
    assert_eq!(w.store.count_rows("pf_used_transactions").await.unwrap(), 1);
}
