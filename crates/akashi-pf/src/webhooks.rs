//! Delivering the outbox: each notification is POSTed to its SP's webhook URL, signed after
//! Standard Webhooks, until the SP answers 2xx. A failure is recorded with the next attempt's
//! time (exponential backoff, 5 s doubling to at most an hour); the outbox lives in the store,
//! so nothing is lost across restarts. Delivery is at-least-once: a crash between the SP's
//! answer and the record resends the same `webhook-id`, which the SP drops as a repeat.

use time::OffsetDateTime;

use akashi_pf_protocol::{webhook, Notification};

use crate::link::BoxFuture;
use crate::service::{webhook_label, PfService, ServiceProvider};
use crate::PfError;

/// Sends one webhook; returns the HTTP status.
pub trait WebhookSender: Send + Sync {
    fn send<'a>(
        &'a self,
        url: &'a str,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> BoxFuture<'a, Result<u16, String>>;
}

/// Webhooks over HTTP(S).
pub struct HttpWebhookSender {
    client: reqwest::Client,
}

impl HttpWebhookSender {
    pub fn new() -> Result<Self, PfError> {
        Ok(Self {
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| PfError::Jlis(e.to_string()))?,
        })
    }
}

impl WebhookSender for HttpWebhookSender {
    fn send<'a>(
        &'a self,
        url: &'a str,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> BoxFuture<'a, Result<u16, String>> {
        Box::pin(async move {
            let mut request = self.client.post(url).body(body);
            for (name, value) in headers {
                request = request.header(name, value);
            }
            let response = request.send().await.map_err(|e| e.to_string())?;
            Ok(response.status().as_u16())
        })
    }
}

/// What one delivery run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryReport {
    pub delivered: usize,
    pub failed: usize,
}

/// Seconds to wait after `attempts` failures.
pub fn backoff(attempts: i64) -> i64 {
    (5i64 << attempts.clamp(0, 10)).min(3600)
}

impl PfService {
    /// The SP's unacknowledged notifications, oldest first, at most 100 (for SPs that poll
    /// instead of, or beside, receiving webhooks).
    pub async fn notifications(&self, sp: &ServiceProvider) -> Result<Vec<Notification>, PfError> {
        let mut tx = self.store.begin().await?;
        tx.outbox_pending_of_sp(&sp.id, 100)
            .await?
            .iter()
            .map(|n| {
                serde_json::from_str(&n.payload).map_err(|e| {
                    PfError::Store(akashi_store::StoreError::Corrupt(format!(
                        "stored notification {}: {e}",
                        n.id
                    )))
                })
            })
            .collect()
    }

    /// The SP acknowledges a notification; it is not delivered or listed again.
    pub async fn acknowledge(
        &self,
        sp: &ServiceProvider,
        id: &str,
        now: OffsetDateTime,
    ) -> Result<(), PfError> {
        let mut tx = self.store.begin().await?;
        if !tx.outbox_ack(&sp.id, id, now.unix_timestamp()).await? {
            return Err(PfError::UnknownNotification);
        }
        tx.commit().await?;
        tracing::info!(sp = %sp.id, webhook = %id, "notification acknowledged");
        Ok(())
    }

    /// Sends every notification due at `now` once.
    pub async fn deliver_due(
        &self,
        sender: &dyn WebhookSender,
        now: OffsetDateTime,
    ) -> Result<DeliveryReport, PfError> {
        let at = now.unix_timestamp();
        let due = {
            let mut tx = self.store.begin().await?;
            tx.outbox_due(at, 500).await?
        };
        let mut report = DeliveryReport::default();
        for n in due {
            let sp = {
                let mut tx = self.store.begin().await?;
                tx.service_provider(&n.sp_id)
                    .await?
                    .ok_or_else(|| PfError::UnknownServiceProvider(n.sp_id.clone()))?
            };
            let outcome = match &sp.webhook_url {
                None => Err("the SP has no webhook URL".to_owned()),
                Some(url) => {
                    let secret = self
                        .keys
                        .vault
                        .open(&webhook_label(&sp.id), &sp.webhook_secret_sealed)
                        .map_err(|e| PfError::Keys(e.to_string()))?;
                    let secret = String::from_utf8_lossy(&secret).into_owned();
                    let signature = webhook::sign(&secret, &n.id, at, n.payload.as_bytes())
                        .map_err(|e| PfError::Keys(e.to_string()))?;
                    let headers = vec![
                        ("content-type", "application/json".to_owned()),
                        ("webhook-id", n.id.clone()),
                        ("webhook-timestamp", at.to_string()),
                        ("webhook-signature", signature),
                    ];
                    match sender
                        .send(url, headers, n.payload.clone().into_bytes())
                        .await
                    {
                        Ok(code) if (200..300).contains(&code) => Ok(()),
                        Ok(code) => Err(format!("the SP answered HTTP {code}")),
                        Err(e) => Err(e),
                    }
                }
            };
            let mut tx = self.store.begin().await?;
            match outcome {
                Ok(()) => {
                    tx.outbox_attempted(&n.id, Some(at), at, None).await?;
                    report.delivered += 1;
                    tracing::info!(sp = %sp.id, webhook = %n.id, "webhook delivered");
                }
                Err(e) => {
                    let next = at + backoff(n.attempts);
                    tx.outbox_attempted(&n.id, None, next, Some(&e)).await?;
                    report.failed += 1;
                    tracing::warn!(sp = %sp.id, webhook = %n.id, error = %e, retry_at = next, "webhook failed");
                }
            }
            tx.commit().await?;
        }
        Ok(report)
    }
}
