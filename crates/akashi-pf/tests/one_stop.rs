//! Consent-based attribute updates and the moving / death one-stop: one event at the
//! municipality reaches every subscribed SP once, as a signed webhook retried until
//! acknowledged, surviving a PF restart.

mod common;

use time::Duration;

use akashi_crypto::OsRandom;
use akashi_jlis::LifeEvent;
use akashi_pf::PfConfig;
use akashi_pf_protocol::{webhook, Notification, NotificationType, Purpose};
use common::*;

const SPS: [&str; 5] = [
    "Tokyo Power",
    "City Gas",
    "Waterworks",
    "Demo Bank",
    "Life Insurer",
];

#[tokio::test]
async fn moving_one_stop_reaches_every_subscribed_sp_once() {
    let mut w = world(false, "").await.unwrap();
    let mut card = w.enrol("R1", &hanako()).await;
    let pf = w.pf(PfConfig::default());
    let mut sps = Vec::new();
    for name in SPS {
        let url = format!("http://sp.test/{}", name.replace(' ', "-"));
        let reg = pf
            .register_service_provider(name, Some(&url), NOW, &OsRandom)
            .await
            .unwrap();
        let r = signed_request(
            &pf,
            &reg.service_provider,
            &mut card,
            Purpose::IdentityProofing,
            true,
            NOW,
        );
        let outcome = pf
            .complete(&reg.service_provider, &r, NOW, &OsRandom)
            .await
            .unwrap();
        sps.push((url, reg, outcome.sp_user_id));
    }
    // A shop the person did not subscribe at.
    let shop = pf
        .register_service_provider("Shop", Some("http://sp.test/shop"), NOW, &OsRandom)
        .await
        .unwrap();
    let r = signed_request(
        &pf,
        &shop.service_provider,
        &mut card,
        Purpose::IdentityProofing,
        false,
        NOW,
    );
    pf.complete(&shop.service_provider, &r, NOW, &OsRandom)
        .await
        .unwrap();

    // Nothing has happened: the check finds nothing.
    let report = pf.check_certificates(NOW, &OsRandom).await.unwrap();
    assert_eq!((report.changed, report.notifications), (0, 0));

    // Hanako consents at J-LIS to the PF receiving her latest four, then moves.
    w.registry
        .set_consent("R1", "Akashi PF", true, NOW)
        .await
        .unwrap();
    let moved = NOW + Duration::days(10);
    w.event(
        "R1",
        LifeEvent::Move {
            new_address: NEW_ADDRESS.into(),
        },
        moved,
    )
    .await;
    let report = pf.check_certificates(moved, &OsRandom).await.unwrap();
    assert_eq!(
        report.notifications, 6,
        "five updates and one 'ask the customer'"
    );
    // Checking again queues nothing more: one event, one notification per SP.
    let again = pf
        .check_certificates(moved + Duration::hours(1), &OsRandom)
        .await
        .unwrap();
    assert_eq!(again.notifications, 0);

    // The water utility is down for the first delivery.
    let sender = RecordingSender::default();
    sender.failing.lock().unwrap().push(sps[2].0.clone());
    let first = pf.deliver_due(&sender, moved).await.unwrap();
    assert_eq!((first.delivered, first.failed), (5, 1));
    // Not due yet: nothing is sent again.
    let early = pf
        .deliver_due(&sender, moved + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!((early.delivered, early.failed), (0, 0));
    // The PF restarts; the water utility is back; the retry after the backoff delivers.
    drop(pf);
    let pf = w.pf(PfConfig::default());
    sender.failing.lock().unwrap().clear();
    let retry = pf
        .deliver_due(&sender, moved + Duration::seconds(akashi_pf::backoff(0)))
        .await
        .unwrap();
    assert_eq!((retry.delivered, retry.failed), (1, 0));
    let none_left = pf
        .deliver_due(&sender, moved + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(none_left.delivered + none_left.failed, 0);

    let received = sender.received.lock().unwrap().clone();
    assert_eq!(received.len(), 6, "each SP exactly once");
    for (url, reg, sp_user_id) in &sps {
        let (_, headers, body) = received.iter().find(|(u, _, _)| u == url).unwrap();
        let header = |name: &str| headers.iter().find(|(n, _)| *n == name).unwrap().1.clone();
        // The SP checks the signature with its own secret (Standard Webhooks).
        let ts: i64 = header("webhook-timestamp").parse().unwrap();
        webhook::verify(
            &reg.webhook_secret,
            &header("webhook-id"),
            &header("webhook-timestamp"),
            &header("webhook-signature"),
            body,
            ts,
        )
        .unwrap();
        // Another SP's secret does not verify it.
        assert!(webhook::verify(
            &shop.webhook_secret,
            &header("webhook-id"),
            &header("webhook-timestamp"),
            &header("webhook-signature"),
            body,
            ts
        )
        .is_err());
        let n: Notification = serde_json::from_slice(body).unwrap();
        assert_eq!(n.kind, NotificationType::AttributesUpdated);
        assert_eq!(&n.sp_user_id, sp_user_id);
        assert_eq!(n.id, header("webhook-id"));
        assert_eq!(n.attributes.unwrap().address, NEW_ADDRESS);
    }
    let (_, _, body) = received
        .iter()
        .find(|(u, _, _)| u == "http://sp.test/shop")
        .unwrap();
    let n: Notification = serde_json::from_slice(body).unwrap();
    assert_eq!(n.kind, NotificationType::CertificateRevoked);
    assert!(
        n.attributes.is_none(),
        "no consent at this SP: no attributes"
    );

    // Customer lists show the new state.
    let bank = &sps[3].1.service_provider;
    assert_eq!(
        pf.customers(bank).await.unwrap()[0].status,
        "attributes-updated"
    );
    assert_eq!(
        pf.customers(&shop.service_provider).await.unwrap()[0].status,
        "revoked-ask-customer"
    );
}

#[tokio::test]
async fn without_consent_sps_only_learn_to_ask_and_death_reaches_subscribers() {
    let mut w = world(false, "").await.unwrap();
    let mut card = w.enrol("R1", &hanako()).await;
    let pf = w.pf(PfConfig::default());
    let bank = pf
        .register_service_provider("Demo Bank", Some("http://sp.test/bank"), NOW, &OsRandom)
        .await
        .unwrap();
    let r = signed_request(
        &pf,
        &bank.service_provider,
        &mut card,
        Purpose::IdentityProofing,
        true,
        NOW,
    );
    pf.complete(&bank.service_provider, &r, NOW, &OsRandom)
        .await
        .unwrap();
    // The login-only shop.
    let shop = pf
        .register_service_provider("Shop", Some("http://sp.test/shop"), NOW, &OsRandom)
        .await
        .unwrap();
    let r = signed_request(
        &pf,
        &shop.service_provider,
        &mut card,
        Purpose::Login,
        false,
        NOW,
    );
    pf.complete(&shop.service_provider, &r, NOW, &OsRandom)
        .await
        .unwrap();

    // No J-LIS consent: a move tells the bank only to ask.
    let moved = NOW + Duration::days(10);
    w.event(
        "R1",
        LifeEvent::Move {
            new_address: NEW_ADDRESS.into(),
        },
        moved,
    )
    .await;
    assert_eq!(
        pf.check_certificates(moved, &OsRandom)
            .await
            .unwrap()
            .notifications,
        2
    );
    let sender = RecordingSender::default();
    pf.deliver_due(&sender, moved).await.unwrap();
    for (_, _, body) in sender.received.lock().unwrap().iter() {
        let n: Notification = serde_json::from_slice(body).unwrap();
        assert_eq!(n.kind, NotificationType::CertificateRevoked);
        assert!(n.attributes.is_none());
        assert!(!String::from_utf8_lossy(body).contains("横浜"));
    }

    // Re-issue, consent, then death: both certificates revoked at once, one notice per SP.
    let mut card = w.reissue("R1", card, moved).await;
    let r = signed_request(
        &pf,
        &bank.service_provider,
        &mut card,
        Purpose::IdentityProofing,
        true,
        moved,
    );
    pf.complete(&bank.service_provider, &r, moved, &OsRandom)
        .await
        .unwrap();
    w.registry
        .set_consent("R1", "Akashi PF", true, moved)
        .await
        .unwrap();
    let died = moved + Duration::days(100);
    w.event("R1", LifeEvent::Death, died).await;
    let report = pf.check_certificates(died, &OsRandom).await.unwrap();
    assert_eq!(report.notifications, 2, "{report:?}");
    let sender = RecordingSender::default();
    pf.deliver_due(&sender, died).await.unwrap();
    let received = sender.received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    for (url, _, body) in received.iter() {
        let n: Notification = serde_json::from_slice(body).unwrap();
        let expected = if url.ends_with("bank") {
            NotificationType::CustomerDeceased
        } else {
            // The shop never subscribed: it only learns to ask.
            NotificationType::CertificateRevoked
        };
        assert_eq!(n.kind, expected, "{url}");
    }
}

/// The Standard Webhooks reference library (Python, installed by scripts/setup.sh) accepts the
/// PF's webhooks as delivered and refuses a changed body.
#[tokio::test]
async fn the_reference_library_verifies_our_webhooks() {
    let tools = match std::env::var("AKASHI_PY_TOOLS") {
        Ok(t) if t == "skip" => return,
        Ok(t) => t,
        Err(_) => panic!(
            "AKASHI_PY_TOOLS is not set: run scripts/test.sh (scripts/setup.sh installs the \
             Standard Webhooks library), or set AKASHI_PY_TOOLS=skip to leave it out knowingly"
        ),
    };
    let mut w = world(false, "").await.unwrap();
    let mut card = w.enrol("R1", &hanako()).await;
    let pf = w.pf(PfConfig::default());
    let bank = pf
        .register_service_provider("Demo Bank", Some("http://sp.test/bank"), NOW, &OsRandom)
        .await
        .unwrap();
    let r = signed_request(
        &pf,
        &bank.service_provider,
        &mut card,
        Purpose::IdentityProofing,
        true,
        NOW,
    );
    pf.complete(&bank.service_provider, &r, NOW, &OsRandom)
        .await
        .unwrap();
    w.registry
        .set_consent("R1", "Akashi PF", true, NOW)
        .await
        .unwrap();
    let moved = NOW + Duration::days(1);
    w.event(
        "R1",
        LifeEvent::Move {
            new_address: NEW_ADDRESS.into(),
        },
        moved,
    )
    .await;
    pf.check_certificates(moved, &OsRandom).await.unwrap();
    let sender = RecordingSender::default();
    pf.deliver_due(&sender, moved).await.unwrap();
    let (_, headers, body) = sender.received.lock().unwrap()[0].clone();
    let headers: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(v.clone())))
        .collect();
    // The library checks the timestamp against its clock: give it the delivery's time.
    let script = r#"
import json, sys
from datetime import datetime, timezone
import standardwebhooks.webhooks as sw
d = json.load(sys.stdin)
class Clock(datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.fromtimestamp(d["now"], tz=timezone.utc)
sw.datetime = Clock
for body in (d["body"], d["body"].replace("日本大通", "日本大道")):
    try:
        payload = sw.Webhook(d["secret"]).verify(body, d["headers"])
        print("accepted", payload["type"], payload["attributes"]["address"])
    except sw.WebhookVerificationError as e:
        print("refused", e)
"#;
    let input = serde_json::json!({
        "secret": bank.webhook_secret,
        "headers": headers,
        "body": String::from_utf8(body).unwrap(),
        "now": moved.unix_timestamp(),
    });
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .env("PYTHONPATH", &tools)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!("accepted attributes.updated {NEW_ADDRESS}").as_str(),
            "refused No matching signature found"
        ]
    );
}

/// An SP without a webhook URL polls: its notifications are never pushed, stay until it
/// acknowledges them, and no other SP can acknowledge them.
#[tokio::test]
async fn an_sp_without_webhooks_polls_and_acknowledges() {
    let mut w = world(false, "").await.unwrap();
    let mut card = w.enrol("R1", &hanako()).await;
    let pf = w.pf(PfConfig::default());
    let bank = register_sp(&pf, "Polling Bank").await;
    let other = register_sp(&pf, "Other").await;
    let r = signed_request(&pf, &bank, &mut card, Purpose::IdentityProofing, true, NOW);
    let outcome = pf.complete(&bank, &r, NOW, &OsRandom).await.unwrap();
    w.registry
        .set_consent("R1", "Akashi PF", true, NOW)
        .await
        .unwrap();
    let moved = NOW + Duration::days(1);
    w.event(
        "R1",
        LifeEvent::Move {
            new_address: NEW_ADDRESS.into(),
        },
        moved,
    )
    .await;
    pf.check_certificates(moved, &OsRandom).await.unwrap();
    let sender = RecordingSender::default();
    let report = pf
        .deliver_due(&sender, moved + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(
        (report.delivered, report.failed),
        (0, 0),
        "nothing is pushed without a URL"
    );

    let pending = pf.notifications(&bank).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].kind, NotificationType::AttributesUpdated);
    assert_eq!(pending[0].sp_user_id, outcome.sp_user_id);
    assert!(pf.notifications(&other).await.unwrap().is_empty());
    assert_eq!(
        pf.acknowledge(&other, &pending[0].id, moved)
            .await
            .unwrap_err()
            .code(),
        "unknown-notification"
    );
    pf.acknowledge(&bank, &pending[0].id, moved).await.unwrap();
    pf.acknowledge(&bank, &pending[0].id, moved).await.unwrap();
    assert!(pf.notifications(&bank).await.unwrap().is_empty());
}
