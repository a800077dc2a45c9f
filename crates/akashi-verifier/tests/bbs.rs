//! Akashi BBS presentations end to end: disclosed municipality, two predicates, a pseudonym
//! stable per relying party and different across relying parties; proofs made for another
//! request are refused and change nothing.

mod common;

use serde_json::{json, Value};

use akashi_credential::born_on_or_before;
use akashi_crypto::OsRandom;
use akashi_verifier::{CreatedRequest, RelyingParty, TrustedIssuer};

use common::*;

async fn request(w: &World, rp: &RelyingParty) -> CreatedRequest {
    w.service
        .create_request(rp, bbs_query(), NOW, &OsRandom)
        .await
        .unwrap()
}

async fn verified(w: &World, rp: &RelyingParty, created: &CreatedRequest, entry: Value) -> Value {
    w.service
        .receive(&rp.id, &form(created, "anon", entry), NOW)
        .await
        .unwrap();
    let result = w.service.result(rp, &created.transaction_id).await.unwrap();
    assert_eq!(result.status, "verified");
    result.result.unwrap()["credentials"]["anon"].clone()
}

#[tokio::test]
async fn predicates_disclosure_and_per_relying_party_pseudonyms() {
    let w = world().await;
    let credential = w.issuer.bbs_credential(&hanako());
    let cutoff = born_on_or_before(TODAY, 20);

    let first = request(&w, &w.shop).await;
    let p = bbs_presentation(
        &w,
        &credential,
        &first.request.client_id,
        &first.request.nonce,
        cutoff,
    );
    let got = verified(&w, &w.shop, &first, p).await;
    assert_eq!(got["format"], "akashi-bbs-1");
    assert_eq!(got["issuer"], ISSUER);
    assert_eq!(got["claims"], json!({"municipality": "千代田区"}));
    assert_eq!(
        got["predicates"],
        json!([
            {"claim": "birthdate", "lte": "2006-11-23", "holds": true},
            {"claim": "valid_until", "gte": "2026-11-23", "holds": true},
        ])
    );
    let pseudonym = got["pseudonym"].as_str().unwrap().to_owned();
    assert_eq!(pseudonym.len(), 64, "48 bytes, base64url");
    for leaked in ["birthdate\":\"1990", "山田", "花子", "valid_until\":"] {
        assert!(!got.to_string().contains(leaked), "{leaked}");
    }

    // Another transaction of the same relying party: the same pseudonym.
    let second = request(&w, &w.shop).await;
    let p = bbs_presentation(
        &w,
        &credential,
        &second.request.client_id,
        &second.request.nonce,
        cutoff,
    );
    assert_eq!(
        verified(&w, &w.shop, &second, p).await["pseudonym"],
        pseudonym.as_str()
    );

    // Another relying party: another pseudonym.
    let city = request(&w, &w.city).await;
    let p = bbs_presentation(
        &w,
        &credential,
        &city.request.client_id,
        &city.request.nonce,
        cutoff,
    );
    let theirs = verified(&w, &w.city, &city, p).await;
    assert_ne!(theirs["pseudonym"], pseudonym.as_str());
}

async fn refused(w: &World, created: &CreatedRequest, entry: Value, code: &str) {
    let e = w
        .service
        .receive(&w.shop.id, &form(created, "anon", entry), NOW)
        .await
        .expect_err(code);
    assert_eq!(e.code(), code, "{e}");
    assert_eq!(status_of(w, &w.shop, created).await, "pending");
}

#[tokio::test]
async fn proofs_for_another_request_are_refused() {
    let w = world().await;
    let credential = w.issuer.bbs_credential(&hanako());
    let cutoff = born_on_or_before(TODAY, 20);
    let created = request(&w, &w.shop).await;
    let (client_id, nonce) = (&created.request.client_id, &created.request.nonce);

    // Only 18 or older proven (a weaker bound than asked).
    let weaker = bbs_presentation(
        &w,
        &credential,
        client_id,
        nonce,
        born_on_or_before(TODAY, 18),
    );
    refused(&w, &created, weaker, "invalid_presentation").await;
    // Someone 19 years old cannot even build the proof the shop asks for.
    let young = w
        .issuer
        .bbs_credential(&person(time::macros::date!(2007 - 01 - 10)));
    let asked = akashi_bbs::PresentationRequest {
        verifier_id: client_id.as_bytes().to_vec(),
        presentation_header: akashi_oid4vc::bbs::presentation_header(client_id, nonce),
        disclose: vec![5],
        predicates: vec![(
            2,
            akashi_bbs::RangePredicate::at_most(akashi_credential::epoch_days(cutoff), 16).unwrap(),
        )],
    };
    assert!(young
        .present(&w.issuer.bbs.public_key(), &asked, &mut rand_core::OsRng)
        .is_err());

    // Another nonce; another relying party's client id (pseudonym context and header).
    let other = bbs_presentation(&w, &credential, client_id, "another-nonce-0123456", cutoff);
    refused(&w, &created, other, "invalid_presentation").await;
    let city = bbs_presentation(&w, &credential, &w.city.client_id, nonce, cutoff);
    refused(&w, &created, city, "invalid_presentation").await;

    // An issuer without a trusted BBS key; a forged issuer name.
    let rogue = Issuer::new("https://rogue.example");
    let mut forged = bbs_presentation(&w, &credential, client_id, nonce, cutoff);
    forged["iss"] = json!(rogue.name);
    refused(&w, &created, forged, "untrusted_issuer").await;
    // The proof is not base64url / not a presentation; a profile the query does not accept.
    let mut garbage = bbs_presentation(&w, &credential, client_id, nonce, cutoff);
    garbage["proof"] = json!("QUJD");
    refused(&w, &created, garbage, "invalid_presentation").await;
    let mut profile = bbs_presentation(&w, &credential, client_id, nonce, cutoff);
    profile["profile"] = json!("urn:example:other");
    refused(&w, &created, profile, "credential_type_not_accepted").await;
    refused(&w, &created, json!("a string"), "malformed_response").await;

    // A credential signed by another key under the trusted name.
    let impostor = Issuer::new(ISSUER);
    let forged = impostor.bbs_credential(&hanako());
    let p = bbs_presentation(&w, &forged, client_id, nonce, cutoff);
    refused(&w, &created, p, "invalid_presentation").await;

    // The right proof is still accepted.
    let p = bbs_presentation(&w, &credential, client_id, nonce, cutoff);
    verified(&w, &w.shop, &created, p).await;

    // A relying party that trusts the issuer for SD-JWT only gets untrusted_issuer.
    let TrustedIssuer {
        issuer,
        sd_jwt_keys,
        ..
    } = w.issuer.trusted();
    w.service
        .set_trust(
            &w.shop,
            vec![TrustedIssuer {
                issuer,
                sd_jwt_keys,
                bbs_public_key: None,
            }],
        )
        .await
        .unwrap();
    let created = request(&w, &w.shop).await;
    let p = bbs_presentation(
        &w,
        &credential,
        &created.request.client_id,
        &created.request.nonce,
        cutoff,
    );
    refused(&w, &created, p, "untrusted_issuer").await;
}
