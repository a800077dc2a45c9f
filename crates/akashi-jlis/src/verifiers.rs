//! Registered verifiers (署名検証者): only they may ask J-LIS about certificates. Each query is
//! audit-logged (who, which serial, when, what kind of answer) without the basic four
//! attributes. A resident's consent per verifier decides whether that verifier also learns the
//! current serial and the latest four attributes; without it the verifier learns only the
//! status of the serial it holds.

use serde::Serialize;
use time::OffsetDateTime;

use akashi_crypto::{constant_time_eq, sha256, SecureRandom};
use akashi_jpki::{BasicFourAttributes, CertificateKind};
use akashi_store::{AuditRecord, CertificateStatus, StoreError, VerifierRecord};

use crate::registry::from_record;
use crate::{JlisError, Registry};

/// A verifier as the service knows it after checking its credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    pub id: String,
    pub name: String,
}

/// What a verifier learns about a serial it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusAnswer {
    pub serial: String,
    /// `good`, `revoked`, `held` or `unknown`.
    pub status: &'static str,
    pub reason: Option<i64>,
    pub revoked_at: Option<i64>,
    /// Present only with the resident's consent to this verifier.
    pub current_serial: Option<String>,
    /// The latest basic four attributes; present only with consent.
    pub attributes: Option<BasicFourAttributes>,
    /// `resident`, `dead` or `emigrated` (住民基本台帳 status); present only with consent, so
    /// a consenting verifier can tell a death from an emigration.
    pub resident_status: Option<&'static str>,
}

/// One certificate of a person as J-LIS's serial history lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// `signature` or `authentication`.
    pub kind: &'static str,
    pub serial: String,
    pub issued_at: i64,
}

/// Attempts after the first for a read-then-audit transaction that lost SQLite's write lock
/// (a deferred transaction cannot wait for it once it has read: SQLITE_BUSY at once).
const RETRIES: u32 = 8;

fn is_busy(e: &JlisError) -> bool {
    matches!(e, JlisError::Store(StoreError::Busy))
}

/// Waits 1, 2, 4 … ms (capped at 64) and returns the next attempt number.
async fn backoff(attempt: u32) -> u32 {
    tokio::time::sleep(std::time::Duration::from_millis(1 << attempt.min(6))).await;
    attempt + 1
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Registry {
    /// Registers a verifier; returns it and its API credential, shown once (only a hash is kept).
    pub async fn register_verifier(
        &self,
        name: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<(Verifier, String), JlisError> {
        let mut secret = [0u8; 32];
        rng.fill(&mut secret)?;
        let credential = format!("akv1.{}", hex(&secret));
        let mut id = [0u8; 8];
        rng.fill(&mut id)?;
        let verifier = Verifier {
            id: format!("V{}", hex(&id)),
            name: name.to_owned(),
        };
        let mut tx = self.store().begin_write().await?;
        tx.insert_verifier(&VerifierRecord {
            id: verifier.id.clone(),
            name: name.to_owned(),
            credential_hash: sha256(credential.as_bytes()).to_vec(),
            registered_at: now.unix_timestamp(),
        })
        .await?;
        tx.commit().await?;
        Ok((verifier, credential))
    }

    /// The verifier holding `credential`, or `UnregisteredVerifier`.
    pub async fn authenticate_verifier(&self, credential: &str) -> Result<Verifier, JlisError> {
        let hash = sha256(credential.as_bytes());
        let mut tx = self.store().begin().await?;
        match tx.verifier_by_credential(&hash).await? {
            Some(v) if constant_time_eq(&v.credential_hash, &hash) => Ok(Verifier {
                id: v.id,
                name: v.name,
            }),
            _ => Err(JlisError::UnregisteredVerifier),
        }
    }

    /// The verifier registered under `name`, if any (for an operator's own in-process use).
    pub async fn verifier_named(&self, name: &str) -> Result<Option<Verifier>, JlisError> {
        let mut tx = self.store().begin().await?;
        Ok(tx.verifier_id_by_name(name).await?.map(|id| Verifier {
            id,
            name: name.to_owned(),
        }))
    }

    /// The resident grants (or withdraws) consent to basic-four provision to a verifier.
    pub async fn set_consent(
        &self,
        resident_id: &str,
        verifier_name: &str,
        granted: bool,
        now: OffsetDateTime,
    ) -> Result<(), JlisError> {
        let mut tx = self.store().begin_write().await?;
        tx.resident(resident_id)
            .await?
            .ok_or_else(|| JlisError::UnknownResident(resident_id.to_owned()))?;
        let verifier = tx
            .verifier_id_by_name(verifier_name)
            .await?
            .ok_or_else(|| JlisError::UnknownVerifier(verifier_name.to_owned()))?;
        tx.set_consent(resident_id, &verifier, granted, now.unix_timestamp())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records one query in the audit log.
    pub async fn audit(
        &self,
        verifier: &Verifier,
        action: &str,
        serial: &str,
        outcome: &str,
        now: OffsetDateTime,
    ) -> Result<(), JlisError> {
        let mut tx = self.store().begin_write().await?;
        tx.audit(&AuditRecord {
            verifier_id: verifier.id.clone(),
            action: action.to_owned(),
            serial: serial.to_owned(),
            outcome: outcome.to_owned(),
            at: now.unix_timestamp(),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A verifier asks about a serial it holds. Audit-logged in the same transaction; a
    /// transaction that loses a race for SQLite's write lock is retried.
    pub async fn query_status(
        &self,
        verifier: &Verifier,
        kind: CertificateKind,
        serial: &str,
        now: OffsetDateTime,
    ) -> Result<StatusAnswer, JlisError> {
        let mut attempt = 0;
        loop {
            match self.query_status_once(verifier, kind, serial, now).await {
                Err(e) if is_busy(&e) && attempt < RETRIES => attempt = backoff(attempt).await,
                other => return other,
            }
        }
    }

    async fn query_status_once(
        &self,
        verifier: &Verifier,
        kind: CertificateKind,
        serial: &str,
        now: OffsetDateTime,
    ) -> Result<StatusAnswer, JlisError> {
        let serial = serial.to_ascii_uppercase();
        let mut tx = self.store().begin_write().await?;
        let record = tx.certificate(kind.as_str(), &serial).await?;
        let mut answer = StatusAnswer {
            serial: serial.clone(),
            status: "unknown",
            reason: None,
            revoked_at: None,
            current_serial: None,
            attributes: None,
            resident_status: None,
        };
        if let Some(c) = &record {
            answer.status = c.status.as_str();
            answer.reason = c.reason;
            answer.revoked_at = c.revoked_at;
            if tx.consent(&c.resident_id, &verifier.id).await? {
                let successors = tx.successors(kind.as_str(), &serial).await?;
                answer.current_serial =
                    Some(successors.last().cloned().unwrap_or_else(|| serial.clone()));
                let resident = tx.resident(&c.resident_id).await?.ok_or_else(|| {
                    JlisError::CorruptState("certificate without resident".into())
                })?;
                answer.attributes = Some(from_record(&resident)?);
                answer.resident_status = Some(resident.status.as_str());
            }
        }
        let outcome = match (&answer.attributes, record.as_ref().map(|c| c.status)) {
            (Some(_), _) => format!("{} + attributes provided", answer.status),
            (None, Some(CertificateStatus::Good)) => "good".to_owned(),
            (None, _) => answer.status.to_owned(),
        };
        tx.audit(&AuditRecord {
            verifier_id: verifier.id.clone(),
            action: "status".into(),
            serial,
            outcome,
            at: now.unix_timestamp(),
        })
        .await?;
        tx.commit().await?;
        Ok(answer)
    }

    /// J-LIS's serial history for a platform operator: every certificate (both kinds, old and
    /// current) of the person `serial` belongs to, so the PF can follow a person across
    /// renewals and re-issues and link the two certificates of one card. Audit-logged; the
    /// answer carries serials only, never attributes. An unknown serial gives an empty list.
    pub async fn serial_history(
        &self,
        verifier: &Verifier,
        kind: CertificateKind,
        serial: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<HistoryEntry>, JlisError> {
        let mut attempt = 0;
        loop {
            match self.serial_history_once(verifier, kind, serial, now).await {
                Err(e) if is_busy(&e) && attempt < RETRIES => attempt = backoff(attempt).await,
                other => return other,
            }
        }
    }

    async fn serial_history_once(
        &self,
        verifier: &Verifier,
        kind: CertificateKind,
        serial: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<HistoryEntry>, JlisError> {
        let serial = serial.to_ascii_uppercase();
        let mut tx = self.store().begin_write().await?;
        let mut history = Vec::new();
        if let Some(c) = tx.certificate(kind.as_str(), &serial).await? {
            for other in tx.certificates_of(&c.resident_id).await? {
                history.push(HistoryEntry {
                    kind: if other.kind == "signature" {
                        "signature"
                    } else {
                        "authentication"
                    },
                    serial: other.serial,
                    issued_at: other.issued_at,
                });
            }
        }
        history.sort_by(|a, b| {
            (a.issued_at, a.kind, &a.serial).cmp(&(b.issued_at, b.kind, &b.serial))
        });
        tx.audit(&AuditRecord {
            verifier_id: verifier.id.clone(),
            action: "history".into(),
            serial,
            outcome: format!("{} serials", history.len()),
            at: now.unix_timestamp(),
        })
        .await?;
        tx.commit().await?;
        Ok(history)
    }
}
