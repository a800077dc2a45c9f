//! Life events with JPKI's revocation rules, on SQLite and on PostgreSQL.

use akashi_card::MemoryStore;
use akashi_crypto::{OsRandom, SealingKey};
use akashi_jlis::registry::reason;
use akashi_jlis::{issue_card, Authority, CardIssueRequest, JlisError, LifeEvent, Registry};
use akashi_jpki::{BasicFourAttributes, CertificateKind, Sex};
use akashi_store::{CertificateStatus, ResidentStatus, Store};
use time::macros::{date, datetime};
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-11-23 01:00 UTC);

fn hanako() -> BasicFourAttributes {
    BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: date!(1990 - 04 - 01),
        sex: Sex::Female,
    }
}

struct World {
    _dir: tempfile::TempDir,
    authority: Authority,
    registry: Registry,
}

async fn world(postgres: bool) -> Option<World> {
    let dir = tempfile::tempdir().unwrap();
    let store = if postgres {
        akashi_store::testing::fresh_postgres("akashi_registry").await?
    } else {
        Store::open_in_dir(dir.path()).await.unwrap()
    };
    let authority =
        Authority::init(dir.path(), SealingKey::from_bytes([3; 32]), NOW, &OsRandom).unwrap();
    Some(World {
        _dir: dir,
        authority,
        registry: Registry::new(store),
    })
}

/// Registers Hanako and issues her card; returns (signature serial, authentication serial).
async fn enrol(w: &mut World) -> (String, String) {
    w.registry.add_resident("R1", &hanako(), NOW).await.unwrap();
    let request = CardIssueRequest {
        person: &hanako(),
        auth_pin: "1234",
        sign_pin: "ABC123",
    };
    let issued = issue_card(
        &mut w.authority,
        &request,
        MemoryStore::default(),
        NOW,
        &OsRandom,
    )
    .unwrap();
    let c = &issued.certificates;
    w.registry
        .record_issued(
            "R1",
            "card-1",
            &[(&c.signature, None), (&c.authentication, None)],
            NOW,
        )
        .await
        .unwrap();
    (
        c.signature.certificate.serial_hex(),
        c.authentication.certificate.serial_hex(),
    )
}

async fn status(w: &World, kind: &str, serial: &str) -> (CertificateStatus, Option<i64>) {
    let mut tx = w.registry.store().begin().await.unwrap();
    let c = tx.certificate(kind, serial).await.unwrap().unwrap();
    (c.status, c.reason)
}

async fn move_then_reissue(postgres: bool) {
    let Some(mut w) = world(postgres).await else {
        return;
    };
    let (sign, auth) = enrol(&mut w).await;
    let later = NOW + time::Duration::days(30);
    let changes = w
        .registry
        .apply(
            "R1",
            &LifeEvent::Move {
                new_address: "神奈川県横浜市中区日本大通1".into(),
            },
            later,
        )
        .await
        .unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (changes[0].kind, changes[0].serial.as_str()),
        ("signature", sign.as_str())
    );
    assert_eq!(
        status(&w, "signature", &sign).await,
        (
            CertificateStatus::Revoked,
            Some(reason::AFFILIATION_CHANGED)
        )
    );
    assert_eq!(
        status(&w, "authentication", &auth).await,
        (CertificateStatus::Good, None),
        "a move keeps the auth cert"
    );
    let (person, st) = w.registry.resident("R1").await.unwrap();
    assert_eq!(
        (person.address.as_str(), st),
        ("神奈川県横浜市中区日本大通1", ResidentStatus::Resident)
    );

    // A new signature certificate with the new address, linked to the old serial.
    let key = akashi_crypto::RsaPrivateKey::generate()
        .unwrap()
        .public_key_der()
        .unwrap();
    let new = w
        .authority
        .issue(CertificateKind::Signature, &person, &key, later, &OsRandom)
        .unwrap();
    w.registry
        .record_issued("R1", "card-1", &[(&new, Some(&sign))], later)
        .await
        .unwrap();
    let mut tx = w.registry.store().begin().await.unwrap();
    assert_eq!(
        tx.successors("signature", &sign).await.unwrap(),
        vec![new.certificate.serial_hex()]
    );
    let kinds: Vec<String> = tx
        .events("R1")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["issue", "move", "issue"]);
    // The event log names certificates, never the new address.
    assert!(tx
        .events("R1")
        .await
        .unwrap()
        .iter()
        .all(|e| !e.detail.contains("横浜")));
    assert_eq!(
        new.certificate.basic_four().unwrap().unwrap().address,
        "神奈川県横浜市中区日本大通1"
    );
}

async fn loss_found_compromise_death(postgres: bool) {
    let Some(mut w) = world(postgres).await else {
        return;
    };
    let (sign, auth) = enrol(&mut w).await;
    w.registry
        .apply("R1", &LifeEvent::Lose { compromised: false }, NOW)
        .await
        .unwrap();
    for (kind, serial) in [("signature", &sign), ("authentication", &auth)] {
        assert_eq!(
            status(&w, kind, serial).await,
            (CertificateStatus::Held, Some(reason::CERTIFICATE_HOLD))
        );
    }
    w.registry
        .apply("R1", &LifeEvent::Found, NOW)
        .await
        .unwrap();
    assert_eq!(
        status(&w, "signature", &sign).await,
        (CertificateStatus::Good, None)
    );
    let err = w
        .registry
        .apply("R1", &LifeEvent::Found, NOW)
        .await
        .unwrap_err();
    assert!(matches!(err, JlisError::EventNotApplicable(_)), "{err}");
    w.registry
        .apply("R1", &LifeEvent::Lose { compromised: false }, NOW)
        .await
        .unwrap();
    w.registry
        .apply("R1", &LifeEvent::Lose { compromised: true }, NOW)
        .await
        .unwrap();
    assert_eq!(
        status(&w, "authentication", &auth).await,
        (CertificateStatus::Revoked, Some(reason::KEY_COMPROMISE))
    );
    w.registry
        .apply("R1", &LifeEvent::Death, NOW)
        .await
        .unwrap();
    assert_eq!(
        w.registry.resident("R1").await.unwrap().1,
        ResidentStatus::Dead
    );
    let err = w
        .registry
        .apply(
            "R1",
            &LifeEvent::Move {
                new_address: "東京都港区1".into(),
            },
            NOW,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, JlisError::ResidentNotActive { .. }), "{err}");
    let err = w
        .registry
        .apply("R9", &LifeEvent::Death, NOW)
        .await
        .unwrap_err();
    assert!(matches!(err, JlisError::UnknownResident(_)), "{err}");
}

async fn death_and_emigration_revoke_both(postgres: bool) {
    let Some(mut w) = world(postgres).await else {
        return;
    };
    let (sign, auth) = enrol(&mut w).await;
    let changes = w
        .registry
        .apply("R1", &LifeEvent::Emigrate, NOW)
        .await
        .unwrap();
    assert_eq!(changes.len(), 2);
    for (kind, serial) in [("signature", &sign), ("authentication", &auth)] {
        assert_eq!(
            status(&w, kind, serial).await,
            (
                CertificateStatus::Revoked,
                Some(reason::CESSATION_OF_OPERATION)
            )
        );
    }
    assert_eq!(
        w.registry.resident("R1").await.unwrap().1,
        ResidentStatus::Emigrated
    );
}

async fn racing_events_leave_a_consistent_registry(postgres: bool) {
    let Some(mut w) = world(postgres).await else {
        return;
    };
    enrol(&mut w).await;
    let r = w.registry.clone();
    let r2 = w.registry.clone();
    let a = tokio::spawn(async move {
        r.apply(
            "R1",
            &LifeEvent::Move {
                new_address: "東京都港区芝公園4-2-8".into(),
            },
            NOW,
        )
        .await
    });
    let b = tokio::spawn(async move {
        r2.apply(
            "R1",
            &LifeEvent::Rename {
                new_name: "佐藤\u{3000}花子".into(),
            },
            NOW,
        )
        .await
    });
    let outcomes = [a.await.unwrap(), b.await.unwrap()];
    for o in &outcomes {
        if let Err(e) = o {
            assert!(
                matches!(e, JlisError::ConcurrentEvent(_)),
                "a racing event fails only as a conflict: {e}"
            );
        }
    }
    let applied = outcomes.iter().filter(|o| o.is_ok()).count();
    assert!(applied >= 1);
    let mut tx = w.registry.store().begin().await.unwrap();
    let resident = tx.resident("R1").await.unwrap().unwrap();
    assert_eq!(
        resident.version,
        1 + applied as i64,
        "every applied event bumped the version once"
    );
    let events = tx.events("R1").await.unwrap();
    assert_eq!(
        events.len(),
        1 + applied,
        "one record per applied event, none for the refused one"
    );
}

macro_rules! on_both_backends {
    ($($name:ident),*) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread")] async fn $name() { super::$name(false).await } )* }
        mod postgres { $( #[tokio::test(flavor = "multi_thread")] async fn $name() { super::$name(true).await } )* }
    };
}

on_both_backends!(
    move_then_reissue,
    loss_found_compromise_death,
    death_and_emigration_revoke_both,
    racing_events_leave_a_consistent_registry
);
