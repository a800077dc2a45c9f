//! Deferred issuance over HTTP with J-LIS and the private ID operator as two servers: while
//! J-LIS does not answer, card proofing records the holder as `pending` and both credentials
//! (SD-JWT VC copies and the blind BBS credential) are deferred (HTTP 202 with a transaction
//! id); polling keeps answering 202; once J-LIS answers again, the operator's anchor watch
//! marks the holder good and the deferred credentials arrive; the BBS one then satisfies a
//! shop.

mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use akashi_crypto::OsRandom;
use akashi_oid4vc::vci::CredentialOffer;
use akashi_wallet::issuance::{self, Received};
use akashi_wallet::presentation;

use support::{hanako, shop_query, Bench, SIGN_PIN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_wait_for_jlis_and_arrive_when_it_answers() {
    let (bench, jlis_down) = Bench::start_split(Duration::from_millis(200)).await;
    let t = bench.t();
    let mut card = bench.card_for("R1", &hanako()).await;
    let mut wallet = bench.wallet("wallet");

    jlis_down.store(true, Ordering::SeqCst);
    let doc = bench.get_json("/openapi.json").await;
    eprintln!(
        "DEBUG {:?}",
        doc["paths"].as_object().unwrap().keys().collect::<Vec<_>>()
    );
    let r = bench
        .http
        .post(format!("{}/proofing/challenge", bench.issuer_url))
        .body("{}")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    eprintln!("DEBUG {} {}", r.status(), r.text().await.unwrap());
    let answer =
        issuance::proof_with_card(&bench.http, &bench.issuer_url, &mut card, SIGN_PIN, false)
            .await
            .unwrap();
    assert_eq!(answer.anchor_status, "pending");
    let offer = CredentialOffer::parse(&answer.credential_offer_uri).unwrap();
    let received = issuance::accept_offer(&mut wallet, &bench.http, &offer, t, &OsRandom)
        .await
        .unwrap();
    let mut waiting: Vec<_> = received
        .into_iter()
        .map(|r| match r {
            Received::Deferred(d) => d,
            Received::Stored(id) => panic!("{id} issued while J-LIS is unreachable"),
        })
        .collect();
    assert_eq!(waiting.len(), 2);
    assert!(wallet.credentials().is_empty());
    // Still pending: the same transaction comes back.
    let first = waiting.remove(0);
    let id = first.transaction_id.clone();
    match issuance::poll_deferred(&mut wallet, &bench.http, &bench.issuer_url, *first, t)
        .await
        .unwrap()
    {
        Received::Deferred(d) => {
            assert_eq!(d.transaction_id, id);
            waiting.insert(0, d);
        }
        Received::Stored(id) => panic!("{id} issued while pending"),
    }

    jlis_down.store(false, Ordering::SeqCst);
    let mut stored = Vec::new();
    for _ in 0..100 {
        let mut still = Vec::new();
        for d in waiting {
            match issuance::poll_deferred(&mut wallet, &bench.http, &bench.issuer_url, *d, t)
                .await
                .unwrap()
            {
                Received::Stored(id) => stored.push(id),
                Received::Deferred(d) => still.push(d),
            }
        }
        waiting = still;
        if waiting.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        waiting.is_empty(),
        "the watch did not resolve the pending anchor"
    );
    stored.sort();
    assert!(
        stored[0].starts_with("bbs-") && stored[1].starts_with("sdjwt-"),
        "{stored:?}"
    );
    let sd = wallet.credential(&stored[1]).unwrap();
    assert_eq!(sd.fresh_copies(), issuance::DEFAULT_COPIES);
    assert_eq!(sd.claims["address"]["municipality"], "千代田区");

    // The deferred BBS credential proves age ≥ 20 at a shop of the operator's verifier.
    let shop = bench.rp("Shop", vec![bench.trusted_issuer().await]).await;
    let (_, created) = bench.rp_request(&shop, shop_query(bench.now.date())).await;
    let plan = presentation::plan(&wallet, created["request_uri"].as_str().unwrap(), t).unwrap();
    assert_eq!(plan.items[0].credential_id, stored[0]);
    presentation::respond(&mut wallet, &bench.http, &plan, t, &OsRandom)
        .await
        .unwrap();
    let result = bench
        .rp_result(&shop, created["transaction_id"].as_str().unwrap())
        .await;
    assert_eq!(result["status"], "verified", "{result}");
}
