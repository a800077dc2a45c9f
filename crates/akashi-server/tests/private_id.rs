//! The private ID end to end over the real HTTP endpoints of `akashi serve` (all roles):
//! a wallet proofs with a virtual My Number Card at the issuer, receives SD-JWT VC copies and
//! a blind BBS credential over OpenID4VCI, answers an age-restricted shop (BBS: age ≥ 20 and
//! still valid, pseudonym only) and a city service (SD-JWT: municipality only) over
//! OpenID4VP; the move revokes the anchor, the issuer's watch revokes the SD-JWT VCs (status
//! list), renewal without consent is refused and marks "renew your ID", renewal with consent
//! takes the new address from J-LIS. Bad input on both sides changes nothing.

mod support;

use serde_json::{json, Value};

use akashi_crypto::OsRandom;
use akashi_jlis::{reissue_signature, Authority, LifeEvent};
use akashi_oid4vc::vci::CredentialOffer;
use akashi_wallet::issuance::{self, Received};
use akashi_wallet::presentation;
use akashi_wallet::WalletError;

use support::{city_query, hanako, revoked_after_watch, shop_query, Bench, SIGN_PIN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_id_over_http_sqlite() {
    private_id_over_http(Bench::start(std::time::Duration::from_millis(300)).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_id_over_http_postgres() {
    let Some(bench) = Bench::start_postgres(std::time::Duration::from_millis(300)).await else {
        eprintln!("PostgreSQL run left out: AKASHI_TEST_POSTGRES=skip");
        return;
    };
    private_id_over_http(bench).await;
}

async fn private_id_over_http(bench: Bench) {
    let (now, t, http) = (bench.now, bench.t(), &bench.http);
    let issuer_url = bench.issuer_url.clone();
    let registry = &bench.registry;
    let mut card = bench.card_for("R1", &hanako()).await;

    // The OpenAPI document lists the new routes (generated from the same table).
    let doc = bench.get_json("/openapi.json").await;
    for path in [
        "/issuer/credential",
        "/issuer/token",
        "/vp/v1/response/{rp}",
        "/.well-known/openid-credential-issuer/issuer",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }

    // Proofing: the card signs the issuer's challenge, the wallet receives both formats.
    let mut wallet = bench.wallet("wallet");
    let answer = issuance::proof_with_card(http, &issuer_url, &mut card, SIGN_PIN, false)
        .await
        .unwrap();
    assert_eq!(answer.anchor_status, "good");
    let offer = CredentialOffer::parse(&answer.credential_offer_uri).unwrap();
    let received = issuance::accept_offer(&mut wallet, http, &offer, t, &OsRandom)
        .await
        .unwrap();
    assert_eq!(received.len(), 2);
    let ids: Vec<String> = received
        .into_iter()
        .map(|r| match r {
            Received::Stored(id) => id,
            Received::Deferred(_) => panic!("not deferred"),
        })
        .collect();
    let sd_id = ids
        .iter()
        .find(|i| i.starts_with("sdjwt-"))
        .unwrap()
        .clone();
    let bbs_id = ids.iter().find(|i| i.starts_with("bbs-")).unwrap().clone();
    // The pre-authorized code is single use.
    let again = issuance::accept_offer(&mut wallet, http, &offer, t, &OsRandom).await;
    assert!(
        matches!(again, Err(WalletError::Refused(ref e)) if e.error == "invalid_grant"),
        "{again:?}"
    );
    // Batch copies share no key, signature or salt.
    let sd = wallet.credential(&sd_id).unwrap().clone();
    assert_eq!(sd.fresh_copies(), issuance::DEFAULT_COPIES);

    // Relying parties: a shop and a city service trusting the issuer.
    let trusted = vec![bench.trusted_issuer().await];
    let shop = bench.rp("Age shop", trusted.clone()).await;
    let city = bench.rp("City", trusted).await;

    // The shop learns only "20 or older, still valid" and its pseudonym.
    let today = now.date();
    let mut pseudonyms = Vec::new();
    for _ in 0..2 {
        let (status, created) = bench.rp_request(&shop, shop_query(today)).await;
        assert_eq!(status, 201, "{created}");
        let plan =
            presentation::plan(&wallet, created["request_uri"].as_str().unwrap(), t).unwrap();
        assert!(
            plan.describe().contains("prove birthdate <="),
            "{}",
            plan.describe()
        );
        assert!(plan.items[0].claims.is_empty());
        presentation::respond(&mut wallet, http, &plan, t, &OsRandom)
            .await
            .unwrap();
        let result = bench
            .rp_result(&shop, created["transaction_id"].as_str().unwrap())
            .await;
        assert_eq!(result["status"], "verified", "{result}");
        let r = &result["result"]["credentials"]["age"];
        assert_eq!(r["claims"], json!({}), "nothing disclosed: {r}");
        assert!(r["predicates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["holds"] == true));
        let text = result.to_string();
        for secret in ["山田", "花子", "1990", "千代田", "霞が関"] {
            assert!(!text.contains(secret), "the shop's result holds {secret}");
        }
        pseudonyms.push(r["pseudonym"].clone());
    }
    assert_eq!(pseudonyms[0], pseudonyms[1], "one pseudonym per verifier");
    assert!(pseudonyms[0].as_str().unwrap().len() > 40);

    // The city learns only the municipality (SD-JWT VC, its own copy).
    let (_, created) = bench.rp_request(&city, city_query()).await;
    let request_uri = created["request_uri"].as_str().unwrap().to_owned();
    let plan = presentation::plan(&wallet, &request_uri, t).unwrap();
    assert_eq!(
        plan.items[0].claims,
        vec!["address.municipality".to_string()]
    );
    presentation::respond(&mut wallet, http, &plan, t, &OsRandom)
        .await
        .unwrap();
    let result = bench
        .rp_result(&city, created["transaction_id"].as_str().unwrap())
        .await;
    assert_eq!(
        result["result"]["credentials"]["residence"]["claims"],
        json!({ "address": { "municipality": "千代田区" } }),
        "{result}"
    );
    assert_eq!(
        wallet.credential(&sd_id).unwrap().fresh_copies(),
        issuance::DEFAULT_COPIES - 1
    );
    // The same response again is a replay.
    let replay = presentation::respond(&mut wallet, http, &plan, t, &OsRandom).await;
    assert!(
        matches!(replay, Err(WalletError::Refused(ref e)) if e.error == "invalid_request"),
        "{replay:?}"
    );

    // A refusal reaches the verifier as access_denied and discloses nothing.
    let (_, created) = bench.rp_request(&city, city_query()).await;
    let plan = presentation::plan(&wallet, created["request_uri"].as_str().unwrap(), t).unwrap();
    presentation::refuse(http, &plan, "the holder declined")
        .await
        .unwrap();
    let result = bench
        .rp_result(&city, created["transaction_id"].as_str().unwrap())
        .await;
    assert_eq!(result["status"], "refused");
    assert!(result["result"].is_null());
    // A query the wallet cannot satisfy is refused by the wallet before anything is built.
    let (_, created) = bench.rp_request(&city, json!({ "credentials": [{ "id": "x", "format": "dc+sd-jwt", "meta": { "vct_values": ["urn:other"] }, "claims": [{ "path": ["family_name"] }] }] })).await;
    assert!(matches!(
        presentation::plan(&wallet, created["request_uri"].as_str().unwrap(), t),
        Err(WalletError::Unsatisfiable(_))
    ));

    // Bad input at the issuer: an unknown token, a proof without our nonce, unknown config.
    let bad = http
        .post(format!("{issuer_url}/credential"))
        .bearer_auth("akat1.forged.x")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 401);
    let bad: Value = serde_json::from_str(
        &http
            .post(format!("{issuer_url}/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=password")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(bad["error"], "unsupported_grant_type");

    // Background renewal: six days on, the BBS credential (7-day validity) is due and is
    // renewed with the refresh token, no card; the SD-JWT VC (a year) is not.
    let later = t + 6 * 24 * 3600;
    let report =
        akashi_wallet::renewal::renew_due(&mut wallet, http, later, 2 * 24 * 3600, &OsRandom)
            .await
            .unwrap();
    assert!(report.failed.is_empty(), "{report:?}");
    assert_eq!(report.renewed.len(), 1, "{report:?}");
    assert_eq!(report.renewed[0].0, bbs_id);
    let bbs_id = report.renewed[0].1.clone();
    assert!(wallet.credential(&bbs_id).unwrap().expires_at.unwrap() > later);
    assert!(
        wallet.credential(&sd_id).is_ok(),
        "the SD-JWT VC was not due"
    );

    // A plan made before the move, to show that the verifier refuses the revoked credential.
    let (_, created_before) = bench.rp_request(&city, city_query()).await;
    let city_plan =
        presentation::plan(&wallet, created_before["request_uri"].as_str().unwrap(), t).unwrap();

    // The person moves: J-LIS revokes the signature certificate and issues a new one.
    registry
        .apply(
            "R1",
            &LifeEvent::Move {
                new_address: "大阪府大阪市北区中之島一丁目3番20号".into(),
            },
            now,
        )
        .await
        .unwrap();
    let mut authority = Authority::open(bench.dir(), bench.key.clone()).unwrap();
    let virtual_card = card.into_transport().0;
    let (_card, _) =
        reissue_signature(&mut authority, registry, "R1", virtual_card, now, &OsRandom)
            .await
            .unwrap();
    drop(authority);
    // The issuer's watch on the server's check timer revokes the holder's credentials; the
    // wallet sees it in the status list.
    let marked = revoked_after_watch(&mut wallet, http, t).await;
    assert_eq!(marked, vec![sd_id.clone()]);
    assert!(wallet
        .notices(t)
        .iter()
        .any(|n| n.contains("renew your ID")));

    // The city verifier now refuses the SD-JWT VC (status list), and the wallet shows the notice.
    let (_, created) = bench.rp_request(&city, city_query()).await;
    assert!(
        matches!(
            presentation::plan(&wallet, created["request_uri"].as_str().unwrap(), t),
            Err(WalletError::Unsatisfiable(_))
        ),
        "the wallet no longer offers it"
    );
    let plan = city_plan.clone();
    let refused = presentation::respond(&mut wallet, http, &plan, t, &OsRandom).await;
    assert!(
        matches!(refused, Err(WalletError::Refused(ref e)) if e.error == "invalid_request"),
        "{refused:?}"
    );
    assert_eq!(
        bench
            .rp_result(&city, created_before["transaction_id"].as_str().unwrap())
            .await["status"],
        "pending"
    );

    // Renewal without consent is refused (BBS renewal stops) and changes nothing.
    let renewal = issuance::renew(&mut wallet, http, &bbs_id, t, &OsRandom).await;
    assert!(
        matches!(renewal, Err(WalletError::Refused(ref e)) if e.error == "invalid_grant"),
        "{renewal:?}"
    );
    assert!(wallet.credential(&bbs_id).unwrap().anchor_revoked);

    // With consent (at proofing and at J-LIS), renewal takes the latest four from J-LIS.
    registry
        .set_consent("R1", akashi_server::ISSUER_VERIFIER_NAME, true, now)
        .await
        .unwrap();
    let mut card2 = akashi_card::JpkiCard::new(akashi_card::VirtualTransport(_card));
    let answer = issuance::proof_with_card(http, &issuer_url, &mut card2, SIGN_PIN, true)
        .await
        .unwrap();
    // A new proofing with consent (the card's new certificate): its offer carries the new
    // municipality, and this holder record renews from J-LIS after the next move.
    let offer = CredentialOffer::parse(&answer.credential_offer_uri).unwrap();
    let fresh = issuance::accept_offer(&mut wallet, http, &offer, t, &OsRandom)
        .await
        .unwrap();
    let fresh_sd = fresh
        .iter()
        .find_map(|r| match r {
            Received::Stored(id) if id.starts_with("sdjwt-") => Some(id.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        wallet.credential(&fresh_sd).unwrap().claims["address"]["municipality"],
        "大阪市北区"
    );
    let fresh_bbs = fresh
        .iter()
        .find_map(|r| match r {
            Received::Stored(id) if id.starts_with("bbs-") => Some(id.clone()),
            _ => None,
        })
        .unwrap();

    // A second move: with consent, renewal needs no card — the issuer takes the latest four
    // and the new serial from J-LIS when the wallet renews with its refresh token.
    registry
        .apply(
            "R1",
            &LifeEvent::Move {
                new_address: "北海道札幌市中央区北1条西2丁目".into(),
            },
            now,
        )
        .await
        .unwrap();
    let mut authority = Authority::open(bench.dir(), bench.key.clone()).unwrap();
    reissue_signature(
        &mut authority,
        registry,
        "R1",
        card2.into_transport().0,
        now,
        &OsRandom,
    )
    .await
    .unwrap();
    drop(authority);
    let marked = revoked_after_watch(&mut wallet, http, t).await;
    assert_eq!(marked, vec![fresh_sd.clone()]);
    let renewed = issuance::renew(&mut wallet, http, &fresh_bbs, t, &OsRandom)
        .await
        .unwrap();
    let Received::Stored(renewed) = renewed else {
        panic!("not deferred")
    };
    assert_eq!(
        wallet.credential(&renewed).unwrap().claims["municipality"],
        "札幌市中央区"
    );
    assert!(
        wallet.credential(&fresh_bbs).is_err(),
        "the renewed credential replaced the old one"
    );
    let (_, created) = bench.rp_request(&shop, shop_query(today)).await;
    let plan = presentation::plan(&wallet, created["request_uri"].as_str().unwrap(), t).unwrap();
    assert_eq!(plan.items[0].credential_id, renewed);
    presentation::respond(&mut wallet, http, &plan, t, &OsRandom)
        .await
        .unwrap();
    let result = bench
        .rp_result(&shop, created["transaction_id"].as_str().unwrap())
        .await;
    assert_eq!(result["status"], "verified", "{result}");
}
