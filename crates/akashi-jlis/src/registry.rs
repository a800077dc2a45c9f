//! The resident registry (住民基本台帳) and life events, with JPKI's revocation rules:
//!
//! | event | signature certificate | authentication certificate | resident |
//! |---|---|---|---|
//! | move, rename | revoked, affiliationChanged | stays good | address / name updated |
//! | renew | revoked, superseded | revoked, superseded | — |
//! | lose (card suspended) | certificateHold | certificateHold | — |
//! | found | hold released (good) | hold released (good) | — |
//! | lose with key compromise | revoked, keyCompromise | revoked, keyCompromise | — |
//! | death, emigration | revoked, cessationOfOperation | revoked, cessationOfOperation | dead / emigrated |
//!
//! Every event is one transaction (resident update, certificate states, event record), and a
//! resident changed by a concurrent event makes the later one fail with a conflict.

use akashi_jpki::address::SplitAddress;
use akashi_jpki::attributes::parse_iso_date;
use akashi_jpki::{BasicFourAttributes, CertificateKind, Sex};
use akashi_store::{
    CertificateRecord, CertificateStatus, LifeEventRecord, ResidentRecord, ResidentStatus, Store,
    StoreError, Txn,
};
use time::OffsetDateTime;

use crate::{Issued, JlisError};

/// RFC 5280 CRLReason codes J-LIS uses.
pub mod reason {
    pub const KEY_COMPROMISE: i64 = 1;
    pub const AFFILIATION_CHANGED: i64 = 3;
    pub const SUPERSEDED: i64 = 4;
    pub const CESSATION_OF_OPERATION: i64 = 5;
    pub const CERTIFICATE_HOLD: i64 = 6;
}

/// Something that happens to a resident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifeEvent {
    /// A move within Japan (転居・転出入).
    Move {
        new_address: String,
    },
    /// A change of name.
    Rename {
        new_name: String,
    },
    /// Certificates renewed.
    Renew,
    /// The card is lost; `compromised` when the key must be considered compromised.
    Lose {
        compromised: bool,
    },
    /// A lost card is found again.
    Found,
    Death,
    Emigrate,
}

impl LifeEvent {
    pub fn name(&self) -> &'static str {
        match self {
            LifeEvent::Move { .. } => "move",
            LifeEvent::Rename { .. } => "rename",
            LifeEvent::Renew => "renew",
            LifeEvent::Lose { compromised: false } => "lose",
            LifeEvent::Lose { compromised: true } => "lose-compromised",
            LifeEvent::Found => "found",
            LifeEvent::Death => "death",
            LifeEvent::Emigrate => "emigrate",
        }
    }
}

/// What an event did to which certificate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertificateChange {
    pub kind: &'static str,
    pub serial: String,
    /// `revoked`, `held` or `released`.
    pub change: &'static str,
    pub reason: Option<i64>,
}

/// The registry over a store.
#[derive(Debug, Clone)]
pub struct Registry {
    store: Store,
}

impl Registry {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Registers a resident under `id`.
    pub async fn add_resident(
        &self,
        id: &str,
        person: &BasicFourAttributes,
        now: OffsetDateTime,
    ) -> Result<(), JlisError> {
        let record = to_record(id, person, 1, now)?;
        let mut tx = self.store.begin_write().await?;
        tx.insert_resident(&record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The resident's current basic four attributes.
    pub async fn resident(
        &self,
        id: &str,
    ) -> Result<(BasicFourAttributes, ResidentStatus), JlisError> {
        let mut tx = self.store.begin().await?;
        let r = tx
            .resident(id)
            .await?
            .ok_or_else(|| JlisError::UnknownResident(id.to_owned()))?;
        Ok((from_record(&r)?, r.status))
    }

    /// Records certificates issued to a resident (on card `card_id`), in one transaction;
    /// `replaces` links each to the serial it follows in the resident's history.
    pub async fn record_issued(
        &self,
        resident_id: &str,
        card_id: &str,
        issued: &[(&Issued, Option<&str>)],
        now: OffsetDateTime,
    ) -> Result<(), JlisError> {
        let mut tx = self.store.begin_write().await?;
        active(&mut tx, resident_id).await?;
        for (i, replaces) in issued {
            let kind = i
                .certificate
                .kind()?
                .ok_or(JlisError::CorruptState(
                    "issued a non-JPKI certificate".into(),
                ))?
                .as_str();
            let serial = i.certificate.serial_hex();
            tx.insert_certificate(&CertificateRecord {
                kind: kind.to_owned(),
                serial: serial.clone(),
                resident_id: resident_id.to_owned(),
                card_id: Some(card_id.to_owned()),
                generation: i64::from(i.generation),
                der: i.certificate.der().to_vec(),
                issued_at: now.unix_timestamp(),
                not_after: i.certificate.not_after().unix_timestamp(),
                status: CertificateStatus::Good,
                revoked_at: None,
                reason: None,
            })
            .await?;
            if let Some(old) = replaces {
                tx.link_serials(kind, old, &serial, resident_id, now.unix_timestamp())
                    .await?;
            }
        }
        tx.record_event(&LifeEventRecord {
            resident_id: resident_id.to_owned(),
            kind: "issue".into(),
            at: now.unix_timestamp(),
            detail: serde_json::json!({ "card": card_id, "serials": issued.iter().map(|(i, _)| i.certificate.serial_hex()).collect::<Vec<_>>() }).to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies `event` to resident `id` at `now` in one transaction. An event that loses a
    /// race with another on the same resident changes nothing and fails with
    /// [`JlisError::ConcurrentEvent`].
    pub async fn apply(
        &self,
        id: &str,
        event: &LifeEvent,
        now: OffsetDateTime,
    ) -> Result<Vec<CertificateChange>, JlisError> {
        self.apply_once(id, event, now).await.map_err(|e| match e {
            JlisError::Store(StoreError::Conflict { .. } | StoreError::Busy) => {
                JlisError::ConcurrentEvent(id.to_owned())
            }
            other => other,
        })
    }

    async fn apply_once(
        &self,
        id: &str,
        event: &LifeEvent,
        now: OffsetDateTime,
    ) -> Result<Vec<CertificateChange>, JlisError> {
        let at = now.unix_timestamp();
        let mut tx = self.store.begin_write().await?;
        let mut resident = active(&mut tx, id).await?;
        let certificates = tx.certificates_of(id).await?;
        let current = |kind: &'static str, status: CertificateStatus| {
            in_state(&certificates, kind, status, at)
        };
        let mut plan: Vec<(&CertificateRecord, CertificateStatus, Option<i64>)> = Vec::new();
        let mut revoke_good = |kinds: &[&'static str], status: CertificateStatus, reason: i64| {
            for kind in kinds {
                plan.extend(
                    current(kind, CertificateStatus::Good).map(|c| (c, status, Some(reason))),
                );
            }
        };
        let both = ["signature", "authentication"];
        match event {
            LifeEvent::Move { new_address } => {
                let split = SplitAddress::parse(new_address)
                    .ok_or_else(|| JlisError::UnsplittableAddress(new_address.clone()))?;
                resident.prefecture = split.prefecture;
                resident.municipality = split.municipality;
                resident.address_rest = split.rest;
                revoke_good(
                    &["signature"],
                    CertificateStatus::Revoked,
                    reason::AFFILIATION_CHANGED,
                );
            }
            LifeEvent::Rename { new_name } => {
                resident.name = new_name.clone();
                revoke_good(
                    &["signature"],
                    CertificateStatus::Revoked,
                    reason::AFFILIATION_CHANGED,
                );
            }
            LifeEvent::Renew => revoke_good(&both, CertificateStatus::Revoked, reason::SUPERSEDED),
            LifeEvent::Lose { compromised: false } => {
                revoke_good(&both, CertificateStatus::Held, reason::CERTIFICATE_HOLD)
            }
            LifeEvent::Lose { compromised: true } => {
                revoke_good(&both, CertificateStatus::Revoked, reason::KEY_COMPROMISE);
                for kind in both {
                    plan.extend(
                        current(kind, CertificateStatus::Held)
                            .map(|c| (c, CertificateStatus::Revoked, Some(reason::KEY_COMPROMISE))),
                    );
                }
            }
            LifeEvent::Found => {
                for kind in both {
                    plan.extend(
                        current(kind, CertificateStatus::Held)
                            .map(|c| (c, CertificateStatus::Good, None)),
                    );
                }
                if plan.is_empty() {
                    return Err(JlisError::EventNotApplicable(
                        "no certificate of this resident is on hold",
                    ));
                }
            }
            LifeEvent::Death => {
                resident.status = ResidentStatus::Dead;
                revoke_good(
                    &both,
                    CertificateStatus::Revoked,
                    reason::CESSATION_OF_OPERATION,
                );
            }
            LifeEvent::Emigrate => {
                resident.status = ResidentStatus::Emigrated;
                revoke_good(
                    &both,
                    CertificateStatus::Revoked,
                    reason::CESSATION_OF_OPERATION,
                );
            }
        }
        resident.updated_at = at;
        // The version check makes two events racing on one resident serialise: the loser
        // gets a conflict and changes nothing.
        tx.update_resident(&resident).await?;
        let mut changes = Vec::new();
        for (c, status, reason) in &plan {
            let revoked_at = (*status != CertificateStatus::Good).then_some(at);
            tx.set_certificate_status(&c.kind, &c.serial, c.status, *status, revoked_at, *reason)
                .await?;
            changes.push(CertificateChange {
                kind: if c.kind == "signature" {
                    "signature"
                } else {
                    "authentication"
                },
                serial: c.serial.clone(),
                change: match status {
                    CertificateStatus::Good => "released",
                    CertificateStatus::Held => "held",
                    CertificateStatus::Revoked => "revoked",
                },
                reason: *reason,
            });
        }
        // Fault injection for the crash test: die with the revocations written but not committed.
        crash_point("event-before-commit");
        tx.record_event(&LifeEventRecord {
            resident_id: id.to_owned(),
            kind: event.name().into(),
            at,
            // Which certificates changed; never the new address or name.
            detail: serde_json::to_string(&changes).expect("changes serialise"),
        })
        .await?;
        tx.commit().await?;
        Ok(changes)
    }

    /// The newest certificate of `kind` of a resident, whatever its state.
    pub async fn latest_certificate(
        &self,
        id: &str,
        kind: CertificateKind,
    ) -> Result<Option<CertificateRecord>, JlisError> {
        let mut tx = self.store.begin().await?;
        let all = tx.certificates_of(id).await?;
        Ok(all
            .into_iter()
            .filter(|c| c.kind == kind.as_str())
            .max_by_key(|c| c.issued_at))
    }
}

/// Aborts the process when `AKASHI_CRASH_POINT` names this point: a test's way to kill the
/// process at an exact step and check that the store holds the old or the new state.
fn crash_point(name: &str) {
    if std::env::var("AKASHI_CRASH_POINT").as_deref() == Ok(name) {
        std::process::abort();
    }
}

/// Unexpired certificates of `kind` in `status`.
fn in_state<'a>(
    certificates: &'a [CertificateRecord],
    kind: &'static str,
    status: CertificateStatus,
    at: i64,
) -> impl Iterator<Item = &'a CertificateRecord> + 'a {
    certificates
        .iter()
        .filter(move |c| c.kind == kind && c.status == status && c.not_after >= at)
}

/// The resident, if registered and alive in Japan.
async fn active(tx: &mut Txn, id: &str) -> Result<ResidentRecord, JlisError> {
    let r = tx
        .resident(id)
        .await?
        .ok_or_else(|| JlisError::UnknownResident(id.to_owned()))?;
    if r.status != ResidentStatus::Resident {
        return Err(JlisError::ResidentNotActive {
            id: id.to_owned(),
            status: r.status.as_str(),
        });
    }
    Ok(r)
}

fn to_record(
    id: &str,
    p: &BasicFourAttributes,
    version: i64,
    now: OffsetDateTime,
) -> Result<ResidentRecord, JlisError> {
    let split = SplitAddress::parse(&p.address)
        .ok_or_else(|| JlisError::UnsplittableAddress(p.address.clone()))?;
    Ok(ResidentRecord {
        id: id.to_owned(),
        name: p.name.clone(),
        birth_date: p.birth_date.to_string(),
        sex: p.sex.as_str().to_owned(),
        prefecture: split.prefecture,
        municipality: split.municipality,
        address_rest: split.rest,
        status: ResidentStatus::Resident,
        version,
        updated_at: now.unix_timestamp(),
    })
}

/// The basic four attributes of a stored resident.
pub fn from_record(r: &ResidentRecord) -> Result<BasicFourAttributes, JlisError> {
    Ok(BasicFourAttributes {
        name: r.name.clone(),
        address: format!("{}{}{}", r.prefecture, r.municipality, r.address_rest),
        birth_date: parse_iso_date(&r.birth_date)?,
        sex: r.sex.parse::<Sex>()?,
    })
}
