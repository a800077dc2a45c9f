//! The storage suite, run against SQLite and against a real PostgreSQL server
//! (`AKASHI_TEST_POSTGRES_URL`, set by scripts/test.sh from a throwaway cluster).

use akashi_store::*;

fn resident(id: &str) -> ResidentRecord {
    ResidentRecord {
        id: id.into(),
        name: "山田\u{3000}花子".into(),
        birth_date: "1990-04-01".into(),
        sex: "female".into(),
        prefecture: "東京都".into(),
        municipality: "千代田区".into(),
        address_rest: "霞が関二丁目1番2号".into(),
        status: ResidentStatus::Resident,
        version: 1,
        updated_at: 100,
    }
}

fn cert(kind: &str, serial: &str, resident_id: &str) -> CertificateRecord {
    CertificateRecord {
        kind: kind.into(),
        serial: serial.into(),
        resident_id: resident_id.into(),
        card_id: Some("card-1".into()),
        generation: 1,
        der: vec![0x30, 0x03, 0x02, 0x01, 0x01],
        issued_at: 100,
        not_after: 10_000,
        status: CertificateStatus::Good,
        revoked_at: None,
        reason: None,
    }
}

async fn suite(store: Store) {
    // Residents: insert, read back, duplicate refused.
    let mut tx = store.begin().await.unwrap();
    tx.insert_resident(&resident("R1")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.resident("R1").await.unwrap().unwrap(), resident("R1"));
    assert!(tx.resident("nobody").await.unwrap().is_none());
    let err = tx.insert_resident(&resident("R1")).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Duplicate {
                what: "resident",
                ..
            }
        ),
        "{err}"
    );
    drop(tx); // rolled back

    // A transaction dropped without commit leaves nothing behind.
    let mut tx = store.begin().await.unwrap();
    tx.insert_resident(&resident("R2")).await.unwrap();
    tx.insert_certificate(&cert("signature", "0A", "R2"))
        .await
        .unwrap();
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.resident("R2").await.unwrap().is_none());
    assert!(tx.certificate("signature", "0A").await.unwrap().is_none());
    tx.rollback().await.unwrap();

    // Optimistic concurrency: the second writer of the same version gets Conflict.
    let mut a = store.begin().await.unwrap();
    let mut moved = a.resident("R1").await.unwrap().unwrap();
    moved.municipality = "港区".into();
    a.update_resident(&moved).await.unwrap();
    a.commit().await.unwrap();
    let mut b = store.begin().await.unwrap();
    let err = b.update_resident(&moved).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                what: "resident",
                ..
            }
        ),
        "{err}"
    );
    drop(b);
    let mut tx = store.begin().await.unwrap();
    let now = tx.resident("R1").await.unwrap().unwrap();
    assert_eq!((now.municipality.as_str(), now.version), ("港区", 2));

    // Certificates and revocation state.
    tx.insert_certificate(&cert("signature", "0100", "R1"))
        .await
        .unwrap();
    tx.insert_certificate(&cert("authentication", "0100", "R1"))
        .await
        .unwrap();
    tx.insert_certificate(&cert("signature", "0101", "R1"))
        .await
        .unwrap();
    let dup = tx
        .insert_certificate(&cert("signature", "0100", "R1"))
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Duplicate { .. }), "{dup}");
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.set_certificate_status(
        "signature",
        "0100",
        CertificateStatus::Good,
        CertificateStatus::Revoked,
        Some(200),
        Some(3),
    )
    .await
    .unwrap();
    let again = tx
        .set_certificate_status(
            "signature",
            "0100",
            CertificateStatus::Good,
            CertificateStatus::Revoked,
            Some(201),
            Some(3),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(again, StoreError::Conflict { .. }),
        "revoking twice is a conflict: {again}"
    );
    tx.set_certificate_status(
        "authentication",
        "0100",
        CertificateStatus::Good,
        CertificateStatus::Held,
        Some(300),
        Some(6),
    )
    .await
    .unwrap();
    let listed = tx.revoked("signature", 1, 150).await.unwrap();
    assert_eq!(
        listed,
        vec![RevokedRecord {
            serial: "0100".into(),
            revoked_at: 200,
            reason: Some(3)
        }]
    );
    assert_eq!(tx.revoked("authentication", 1, 150).await.unwrap().len(), 1);
    assert!(
        tx.revoked("signature", 1, 20_000).await.unwrap().is_empty(),
        "expired entries leave the CRL"
    );
    assert!(tx.revoked("signature", 2, 150).await.unwrap().is_empty());
    let c = tx.certificate("signature", "0100").await.unwrap().unwrap();
    assert_eq!(
        (c.status, c.revoked_at, c.reason, c.der.len()),
        (CertificateStatus::Revoked, Some(200), Some(3), 5)
    );
    assert_eq!(tx.certificates_of("R1").await.unwrap().len(), 3);

    // Serial history and life events.
    tx.link_serials("signature", "0100", "0101", "R1", 200)
        .await
        .unwrap();
    tx.insert_certificate(&cert("signature", "0102", "R1"))
        .await
        .unwrap();
    tx.link_serials("signature", "0101", "0102", "R1", 300)
        .await
        .unwrap();
    assert_eq!(
        tx.successors("signature", "0100").await.unwrap(),
        vec!["0101".to_owned(), "0102".to_owned()]
    );
    assert!(tx
        .successors("authentication", "0100")
        .await
        .unwrap()
        .is_empty());
    tx.record_event(&LifeEventRecord {
        resident_id: "R1".into(),
        kind: "move".into(),
        at: 200,
        detail: "{}".into(),
    })
    .await
    .unwrap();
    assert_eq!(tx.events("R1").await.unwrap()[0].kind, "move");

    // Verifiers, consent, audit.
    let verifier = VerifierRecord {
        id: "V1".into(),
        name: "Bank".into(),
        credential_hash: vec![7; 32],
        registered_at: 1,
    };
    tx.insert_verifier(&verifier).await.unwrap();
    assert!(matches!(
        tx.insert_verifier(&verifier).await.unwrap_err(),
        StoreError::Duplicate { .. }
    ));
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.verifier_by_credential(&[7; 32]).await.unwrap(),
        Some(verifier.clone())
    );
    assert!(tx.verifier_by_credential(&[8; 32]).await.unwrap().is_none());
    assert_eq!(
        tx.verifier_id_by_name("Bank").await.unwrap().as_deref(),
        Some("V1")
    );
    assert!(!tx.consent("R1", "V1").await.unwrap());
    tx.set_consent("R1", "V1", true, 10).await.unwrap();
    assert!(tx.consent("R1", "V1").await.unwrap());
    tx.set_consent("R1", "V1", false, 11).await.unwrap();
    assert!(!tx.consent("R1", "V1").await.unwrap());
    let entry = AuditRecord {
        verifier_id: "V1".into(),
        action: "status".into(),
        serial: "0100".into(),
        outcome: "revoked".into(),
        at: 12,
    };
    tx.audit(&entry).await.unwrap();
    assert_eq!(tx.audit_log("V1").await.unwrap(), vec![entry]);
    tx.commit().await.unwrap();
    store.close().await;
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    suite(store).await;
    // Reopening runs no migration twice and keeps the data.
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(tx.resident("R1").await.unwrap().is_some());
}

#[tokio::test]
async fn postgres() {
    let Some(store) = akashi_store::testing::fresh_postgres("akashi_suite").await else {
        eprintln!("PostgreSQL suite left out: AKASHI_TEST_POSTGRES=skip");
        return;
    };
    assert_eq!(store.backend(), Backend::Postgres);
    suite(store).await;
}

#[tokio::test]
async fn unsupported_urls_are_named() {
    let err = Store::open("mysql://x").await.unwrap_err();
    assert!(
        err.to_string().contains("unsupported database URL"),
        "{err}"
    );
}

/// Several processes starting at once on a fresh database all migrate it without error.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_first_opens_migrate_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("a.db").display());
    let opens: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn({
                let u = url.clone();
                async move { Store::open(&u).await.map(|_| ()) }
            })
        })
        .collect();
    for o in opens {
        o.await.unwrap().unwrap();
    }
    let Some(pg) = akashi_store::testing::fresh_postgres("akashi_probe").await else {
        return;
    };
    drop(pg);
    let base = std::env::var("AKASHI_TEST_POSTGRES_URL").unwrap();
    let admin = Store::open(&base).await.unwrap();
    let name = format!("akashi_race_{}", std::process::id());
    admin
        .raw_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = base.replacen("/postgres?", &format!("/{name}?"), 1);
    let opens: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn({
                let u = url.clone();
                async move { Store::open(&u).await.map(|_| ()) }
            })
        })
        .collect();
    for o in opens {
        o.await.unwrap().unwrap();
    }
}
