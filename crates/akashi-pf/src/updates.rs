//! The periodic check (seed 003): the PF asks J-LIS about every certificate of its SPs'
//! customers it last saw good. When a signature certificate is revoked because the person
//! moved or changed name — or either certificate because the person died — each SP the person
//! is a customer of gets one notification, queued in the outbox in the same transaction that
//! records the new status:
//!
//! | J-LIS consent to the PF | person subscribed at the SP | the SP receives |
//! |---|---|---|
//! | yes | yes | `attributes.updated` with the latest four, or `customer.deceased` |
//! | otherwise | | `certificate.revoked`: revoked, ask the customer |
//!
//! Renewals, lost cards and key compromise change the PF's records but tell SPs nothing: the
//! person's identifier at each SP is unchanged and their next signature shows the new state.

use time::OffsetDateTime;

use akashi_crypto::SecureRandom;
use akashi_jlis::registry::reason;
use akashi_jpki::CertificateKind;
use akashi_pf_protocol::{Notification, NotificationType};
use akashi_store::{OutboxRecord, PfSerialRecord};

use crate::link::JlisStatus;
use crate::service::{random_hex, to_protocol, PfService};
use crate::PfError;

/// What one run of the check did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CheckReport {
    pub checked: usize,
    pub changed: usize,
    pub notifications: usize,
}

fn kind(s: &str) -> CertificateKind {
    if s == "signature" {
        CertificateKind::Signature
    } else {
        CertificateKind::Authentication
    }
}

impl PfService {
    /// Checks every certificate of every customer once.
    pub async fn check_certificates(
        &self,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<CheckReport, PfError> {
        let serials = {
            let mut tx = self.store.begin().await?;
            tx.pf_serials_to_check().await?
        };
        let mut report = CheckReport::default();
        for s in serials {
            report.checked += 1;
            let answer = self.link.status(kind(&s.kind), &s.serial, now).await?;
            if answer.status == "good" {
                continue;
            }
            report.changed += 1;
            report.notifications += self.record_change(&s, &answer, now, rng).await?;
        }
        tracing::info!(
            checked = report.checked,
            changed = report.changed,
            notifications = report.notifications,
            "certificate check"
        );
        Ok(report)
    }

    async fn record_change(
        &self,
        s: &PfSerialRecord,
        answer: &JlisStatus,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<usize, PfError> {
        let at = now.unix_timestamp();
        let mut tx = self.store.begin().await?;
        tx.set_pf_serial_status(&s.kind, &s.serial, &answer.status)
            .await?;
        // A later verification of this serial must write its status again.
        self.recorder
            .known
            .lock()
            .expect("known")
            .good
            .remove(&(s.kind.clone(), s.serial.clone()));
        if let Some(current) = answer.current_serial.as_deref().filter(|c| *c != s.serial) {
            tx.insert_pf_serial(&PfSerialRecord {
                kind: s.kind.clone(),
                serial: current.to_owned(),
                person_id: s.person_id.clone(),
                status: "good".into(),
                first_seen: at,
            })
            .await?;
        }
        let moved = s.kind == "signature" && answer.reason == Some(reason::AFFILIATION_CHANGED);
        let gone = answer.reason == Some(reason::CESSATION_OF_OPERATION);
        let mut queued = 0;
        if moved || gone {
            // One event per person and revocation time: a death revokes both certificates
            // at once and must reach each SP once.
            let when = answer.revoked_at.unwrap_or(at);
            for customer in tx.customers_of_person(&s.person_id).await? {
                let consented = customer.subscribed && answer.attributes.is_some();
                let dead = answer.resident_status.as_deref() == Some("dead");
                let (kind, status, attributes) = match (consented, gone, dead) {
                    (true, false, _) => (
                        NotificationType::AttributesUpdated,
                        "attributes-updated",
                        answer.attributes.as_ref().map(to_protocol),
                    ),
                    (true, true, true) => (NotificationType::CustomerDeceased, "deceased", None),
                    _ => (
                        NotificationType::CertificateRevoked,
                        "revoked-ask-customer",
                        None,
                    ),
                };
                let id = format!("msg_{}", random_hex(rng, 16)?);
                let notification = Notification {
                    id: id.clone(),
                    kind,
                    sp_user_id: customer.sp_user_id.clone(),
                    attributes,
                    occurred_at: when,
                };
                let fresh = tx
                    .outbox_insert(&OutboxRecord {
                        id,
                        sp_id: customer.sp_id.clone(),
                        event_key: format!("{}:{when}", s.person_id),
                        payload: serde_json::to_string(&notification)
                            .expect("notifications serialise"),
                        created_at: at,
                        next_attempt_at: at,
                        attempts: 0,
                        delivered_at: None,
                        last_error: None,
                    })
                    .await?;
                if fresh {
                    tx.set_customer_status(&customer.sp_id, &customer.person_id, status, at)
                        .await?;
                    queued += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(queued)
    }
}
