//! Pre-produced OCSP answers: reused only while the status is unchanged; a revocation shows at
//! once; requests with a nonce are always signed afresh.

use akashi_card::MemoryStore;
use akashi_crypto::{OsRandom, SealingKey};
use akashi_jlis::{issue_card, Authority, CardIssueRequest, LifeEvent, OcspResponder, Registry};
use akashi_jpki::{BasicFourAttributes, CertificateKind, Sex};
use akashi_revocation::{parse_response, CertId, CertIdHash, CertStatus};
use akashi_store::Store;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-23 01:00 UTC);

fn status(der: &[u8]) -> CertStatus {
    let parsed = parse_response(der).unwrap();
    parsed.basic.unwrap().responses[0].status
}

fn request(ids: &[&CertId], nonce: Option<&[u8]>) -> Vec<u8> {
    akashi_revocation::build_request(ids, nonce).unwrap()
}

#[tokio::test]
async fn cached_answers_never_hide_a_revocation() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    let mut authority =
        Authority::init(dir.path(), SealingKey::from_bytes([5; 32]), NOW, &OsRandom).unwrap();
    let registry = Registry::new(store.clone());
    let person = BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: date!(1990 - 04 - 01),
        sex: Sex::Female,
    };
    registry.add_resident("R1", &person, NOW).await.unwrap();
    let card_request = CardIssueRequest {
        person: &person,
        auth_pin: "1234",
        sign_pin: "ABC123",
    };
    let issued = issue_card(
        &mut authority,
        &card_request,
        MemoryStore::default(),
        NOW,
        &OsRandom,
    )
    .unwrap();
    let c = &issued.certificates;
    registry
        .record_issued(
            "R1",
            "card",
            &[(&c.signature, None), (&c.authentication, None)],
            NOW,
        )
        .await
        .unwrap();
    let generation = authority
        .generations(CertificateKind::Signature)
        .unwrap()
        .remove(0);
    let responder = authority.responder(&generation, NOW, &OsRandom).unwrap();
    let ocsp = OcspResponder::new(vec![responder], store, Duration::minutes(5));
    let (verifier, _) = registry
        .register_verifier("Bank", NOW, &OsRandom)
        .await
        .unwrap();

    let id = CertId::new(
        CertIdHash::Sha1,
        &generation.certificate,
        c.signature
            .certificate
            .certificate()
            .tbs_certificate
            .serial_number
            .clone(),
    )
    .unwrap();
    let plain = request(&[&id], None);
    let first = ocsp.respond(&verifier, &plain, NOW).await;
    assert_eq!(status(&first), CertStatus::Good);
    let again = ocsp
        .respond(&verifier, &plain, NOW + Duration::seconds(10))
        .await;
    assert_eq!(
        again, first,
        "an unchanged status is answered from the cache"
    );
    let with_nonce = ocsp
        .respond(&verifier, &request(&[&id], Some(b"0123456789abcdef")), NOW)
        .await;
    assert_ne!(with_nonce, first, "a nonce is always signed afresh");

    registry
        .apply(
            "R1",
            &LifeEvent::Move {
                new_address: "東京都港区芝公園4-2-8".into(),
            },
            NOW,
        )
        .await
        .unwrap();
    let after = ocsp
        .respond(&verifier, &plain, NOW + Duration::seconds(20))
        .await;
    assert!(
        matches!(status(&after), CertStatus::Revoked { .. }),
        "the revocation shows at once"
    );
    let later = ocsp
        .respond(&verifier, &plain, NOW + Duration::minutes(6))
        .await;
    assert_ne!(later, after, "entries expire");
}
