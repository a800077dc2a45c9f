//! Persons and per-SP identifiers (独自識別子). The PF knows a person by its own random id,
//! reached from any of the person's serials: a serial it has not seen is looked up in J-LIS's
//! serial history (both certificate types, all renewals and re-issues), so a new card, a
//! re-issued signature certificate and the authentication certificate all lead to the same
//! person. The identifier an SP receives is HMAC(identifier key, SP id ‖ person id): stable
//! per SP, different across SPs, and not joinable without the PF's key.

use time::OffsetDateTime;

use akashi_crypto::{hmac_sha256, SecureRandom};
use akashi_jpki::CertificateKind;
use akashi_store::PfSerialRecord;

use crate::service::{hex, random_hex, PfService};
use crate::PfError;

/// The status a serial learnt from history gets: recorded for linking, not checked.
pub(crate) const HISTORY: &str = "history";

fn serial_record(kind: &str, serial: &str, person: &str, now: OffsetDateTime) -> PfSerialRecord {
    PfSerialRecord {
        kind: kind.to_owned(),
        serial: serial.to_owned(),
        person_id: person.to_owned(),
        status: "good".into(),
        first_seen: now.unix_timestamp(),
    }
}

impl PfService {
    /// The per-SP identifier of `person_id` at `sp_id`.
    pub(crate) fn sp_user_id(&self, sp_id: &str, person_id: &str) -> String {
        let mut input = b"akashi-pf/sp-user-id/v1\0".to_vec();
        input.extend_from_slice(sp_id.as_bytes());
        input.push(0);
        input.extend_from_slice(person_id.as_bytes());
        hex(&hmac_sha256(self.keys.identifier.as_ref(), &input)[..16])
    }

    /// Remembers that `serial` is `person`'s (the mapping never changes once recorded).
    pub(crate) fn remember(&self, kind: CertificateKind, serial: &str, person: &str) {
        let mut people = self.people.lock().expect("people");
        if people.len() >= 200_000 {
            people.clear();
        }
        people.insert(
            (kind.as_str().to_owned(), serial.to_owned()),
            person.to_owned(),
        );
    }

    /// The person `serial` belongs to, and the serials to record for them (empty if known).
    pub(crate) async fn resolve_person(
        &self,
        kind: CertificateKind,
        serial: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<(String, Vec<PfSerialRecord>), PfError> {
        let key = (kind.as_str().to_owned(), serial.to_owned());
        if let Some(person) = self.people.lock().expect("people").get(&key) {
            return Ok((person.clone(), Vec::new()));
        }
        {
            let mut tx = self.store.begin().await?;
            if let Some(known) = tx.pf_serial(kind.as_str(), serial).await? {
                return Ok((known.person_id, Vec::new()));
            }
        }
        // First sight of this serial: one resolution at a time, so two concurrent first
        // requests of one person cannot make two persons.
        let mut creating = self.creating.lock().await;
        if let Some(person) = creating.get(&key) {
            return Ok((
                person.clone(),
                vec![serial_record(kind.as_str(), serial, person, now)],
            ));
        }
        let history = self.link.history(kind, serial, now).await?;
        let mut person = None;
        {
            let mut tx = self.store.begin().await?;
            for h in &history {
                if let Some(known) = tx.pf_serial(&h.kind, &h.serial).await? {
                    person = Some(known.person_id);
                    break;
                }
            }
        }
        let person = match person {
            Some(p) => p,
            None => format!("P{}", random_hex(rng, 16)?),
        };
        if creating.len() >= 100_000 {
            creating.clear();
        }
        let mut records: Vec<PfSerialRecord> = Vec::new();
        for h in history {
            creating.insert((h.kind.clone(), h.serial.clone()), person.clone());
            if !(h.kind == kind.as_str() && h.serial == serial) {
                records.push(PfSerialRecord {
                    kind: h.kind,
                    serial: h.serial,
                    person_id: person.clone(),
                    status: HISTORY.into(),
                    first_seen: now.unix_timestamp(),
                });
            }
        }
        creating.insert(key, person.clone());
        // The verified serial itself, always with its recording: whichever concurrent request
        // is recorded first links it to the person.
        records.push(serial_record(kind.as_str(), serial, &person, now));
        Ok((person, records))
    }
}
