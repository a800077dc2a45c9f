//! A PF that reaches J-LIS over HTTP (`HttpJlis`: /ocsp, /verifier/status, /verifier/history
//! of a running `akashi serve`) behaves as the in-process one: proofing, login, the same
//! identifier for both certificates, and J-LIS's audit log names only the PF's verifier.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use akashi_card::{JpkiCard, MemoryStore, VirtualTransport};
use akashi_crypto::{OsRandom, SealingKey};
use akashi_jlis::{issue_card, Authority, CardIssueRequest, LifeEvent, Registry};
use akashi_jpki::{BasicFourAttributes, CertificateKind, Sex, TrustAnchors};
use akashi_pf::{HttpJlis, PfConfig, PfKeys, PfService};
use akashi_sp::{card_signs, Pin, Purpose, StartRequest};
use akashi_store::Store;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pf_over_http_to_jlis() {
    let dir = tempfile::tempdir().unwrap();
    let now = OffsetDateTime::now_utc();
    let key = SealingKey::from_bytes([5; 32]);
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    let mut authority = Authority::init(dir.path(), key.clone(), now, &OsRandom).unwrap();
    let registry = Registry::new(store.clone());
    let person = BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: time::macros::date!(1990 - 04 - 01),
        sex: Sex::Female,
    };
    registry.add_resident("R1", &person, now).await.unwrap();
    let issued = issue_card(
        &mut authority,
        &CardIssueRequest {
            person: &person,
            auth_pin: "1234",
            sign_pin: "ABC123",
        },
        MemoryStore::default(),
        now,
        &OsRandom,
    )
    .unwrap();
    let c = &issued.certificates;
    registry
        .record_issued(
            "R1",
            "card-1",
            &[(&c.signature, None), (&c.authentication, None)],
            now,
        )
        .await
        .unwrap();
    let mut card = JpkiCard::new(VirtualTransport(issued.card));
    let mut anchors = TrustAnchors::default();
    for kind in [CertificateKind::Signature, CertificateKind::Authentication] {
        for g in authority.generations(kind).unwrap() {
            anchors.push(g.certificate);
        }
    }
    drop(authority);

    let app = akashi_server::router(akashi_server::ServerConfig {
        data: dir.path().to_path_buf(),
        store: store.clone(),
        sealing_key: key.clone(),
        crl_max_age: Duration::ZERO,
        ocsp_cache: Duration::ZERO,
        pf_check_interval: Duration::ZERO,
        pf_deliver_interval: Duration::ZERO,
        roles: akashi_server::Roles::All,
        public_url: None,
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    // A separate PF operator, registered at J-LIS, reaching it only over HTTP.
    let (verifier, credential) = registry
        .register_verifier("Remote PF", now, &OsRandom)
        .await
        .unwrap();
    let pf = PfService::new(
        store.clone(),
        PfKeys::generate(&OsRandom).unwrap(),
        anchors,
        Arc::new(HttpJlis::new(&url, &credential).unwrap()),
        PfConfig::default(),
    );
    let sp = pf
        .register_service_provider("Remote Bank", None, now, &OsRandom)
        .await
        .unwrap()
        .service_provider;
    let mut run = |purpose: Purpose, pin: &str| {
        let start = pf
            .start(
                &sp,
                &StartRequest {
                    purpose,
                    transaction_data: None,
                    subscribe_updates: true,
                },
                now,
                &OsRandom,
            )
            .unwrap();
        card_signs(&mut card, purpose, &start, Pin(pin)).unwrap()
    };
    let proofing = run(Purpose::IdentityProofing, "ABC123");
    let login = run(Purpose::Login, "1234");
    let proofed = pf.complete(&sp, &proofing, now, &OsRandom).await.unwrap();
    assert_eq!(proofed.attributes.unwrap().birth_date, "1990-04-01");
    let logged_in = pf.complete(&sp, &login, now, &OsRandom).await.unwrap();
    assert_eq!(
        logged_in.sp_user_id, proofed.sp_user_id,
        "history linked both certificates"
    );

    // The status query over HTTP: a move with consent reaches the SP as an update.
    registry
        .set_consent("R1", "Remote PF", true, now)
        .await
        .unwrap();
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
    let report = pf.check_certificates(now, &OsRandom).await.unwrap();
    assert_eq!(report.notifications, 1, "{report:?}");

    // J-LIS's audit log: the remote PF asked (OCSP, history, status); no SP is named.
    let mut tx = store.begin().await.unwrap();
    let log = tx.audit_log(&verifier.id).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
    for action in ["history", "status"] {
        assert!(actions.contains(&action), "{actions:?}");
    }
    assert!(!format!("{log:?}").contains("Remote Bank"));
}
