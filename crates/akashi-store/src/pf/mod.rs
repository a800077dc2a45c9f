//! The PF operator's (PF事業者) tables: service providers, used transaction ids (each accepted
//! once), the serial → person map it keeps by following J-LIS's serial history, its SPs'
//! customers, the certificate vault with its access log, and the webhook outbox.

use sqlx::any::AnyRow;
use sqlx::Row;

mod customers;
mod outbox;
mod vault;

use crate::{StoreError, Txn};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceProviderRecord {
    pub id: String,
    pub name: String,
    /// SHA-256 of the SP's API credential; the credential itself is never stored.
    pub credential_hash: Vec<u8>,
    pub webhook_url: Option<String>,
    /// The webhook signing secret, sealed with the PF's key.
    pub webhook_secret_sealed: Vec<u8>,
    pub registered_at: i64,
}

/// A certificate serial the PF has seen or learnt from J-LIS, and whose person it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PfSerialRecord {
    pub kind: String,
    pub serial: String,
    /// The PF's own random id for the person (never leaves the PF).
    pub person_id: String,
    /// `good`, `revoked`, `held` as last checked.
    pub status: String,
    pub first_seen: i64,
}

/// A person as one SP's customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    pub sp_id: String,
    pub person_id: String,
    /// The per-SP identifier (独自識別子) the SP knows the person by.
    pub sp_user_id: String,
    /// The person consented (in the card-signed request) to attribute updates for this SP.
    pub subscribed: bool,
    /// `active`, `attributes-updated`, `revoked-ask-customer`, `deceased`.
    pub status: String,
    pub since: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultRecord {
    pub kind: String,
    pub serial: String,
    pub person_id: String,
    pub sealed_der: Vec<u8>,
    pub stored_at: i64,
    pub retain_until: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultAccessRecord {
    pub kind: String,
    pub serial: String,
    pub actor: String,
    pub purpose: String,
    pub at: i64,
}

/// One notification to one SP, kept until the SP acknowledges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRecord {
    pub id: String,
    pub sp_id: String,
    /// What the notification is about; unique per SP so one event is never queued twice.
    pub event_key: String,
    pub payload: String,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub attempts: i64,
    pub delivered_at: Option<i64>,
    pub last_error: Option<String>,
}

const SP_COLUMNS: &str =
    "id, name, credential_hash, webhook_url, webhook_secret_sealed, registered_at";
pub(crate) const CUSTOMER_COLUMNS: &str =
    "sp_id, person_id, sp_user_id, subscribed, status, since, updated_at";
pub(crate) const OUTBOX_COLUMNS: &str = "id, sp_id, event_key, payload, created_at, next_attempt_at, attempts, delivered_at, last_error";

fn sp(row: &AnyRow) -> Result<ServiceProviderRecord, StoreError> {
    Ok(ServiceProviderRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        credential_hash: row.try_get("credential_hash")?,
        webhook_url: row.try_get("webhook_url")?,
        webhook_secret_sealed: row.try_get("webhook_secret_sealed")?,
        registered_at: row.try_get("registered_at")?,
    })
}

pub(crate) fn customer(row: &AnyRow) -> Result<CustomerRecord, StoreError> {
    Ok(CustomerRecord {
        sp_id: row.try_get("sp_id")?,
        person_id: row.try_get("person_id")?,
        sp_user_id: row.try_get("sp_user_id")?,
        subscribed: row.try_get::<i64, _>("subscribed")? == 1,
        status: row.try_get("status")?,
        since: row.try_get("since")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(crate) fn outbox(row: &AnyRow) -> Result<OutboxRecord, StoreError> {
    Ok(OutboxRecord {
        id: row.try_get("id")?,
        sp_id: row.try_get("sp_id")?,
        event_key: row.try_get("event_key")?,
        payload: row.try_get("payload")?,
        created_at: row.try_get("created_at")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        attempts: row.try_get("attempts")?,
        delivered_at: row.try_get("delivered_at")?,
        last_error: row.try_get("last_error")?,
    })
}

impl Txn {
    pub async fn insert_service_provider(
        &mut self,
        r: &ServiceProviderRecord,
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO pf_service_providers (id, name, credential_hash, webhook_url, webhook_secret_sealed, registered_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&r.id)
        .bind(&r.name)
        .bind(&r.credential_hash)
        .bind(&r.webhook_url)
        .bind(&r.webhook_secret_sealed)
        .bind(r.registered_at);
        self.execute_guarded(query)
            .await
            .map_err(StoreError::on_insert("service provider", &r.name))?;
        Ok(())
    }

    pub async fn service_provider_by_credential(
        &mut self,
        credential_hash: &[u8],
    ) -> Result<Option<ServiceProviderRecord>, StoreError> {
        let sql =
            format!("SELECT {SP_COLUMNS} FROM pf_service_providers WHERE credential_hash = $1");
        let row = sqlx::query(&sql)
            .bind(credential_hash)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(sp).transpose()
    }

    pub async fn service_provider(
        &mut self,
        id: &str,
    ) -> Result<Option<ServiceProviderRecord>, StoreError> {
        let sql =
            format!("SELECT {SP_COLUMNS} FROM pf_service_providers WHERE id = $1 OR name = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(sp).transpose()
    }

    /// Marks many transaction ids used in one statement; returns the ids that were new (the
    /// others were used before). `used` holds (id, sp_id, used_at, expires_at) with distinct ids.
    pub async fn use_transactions(
        &mut self,
        used: &[(&str, &str, i64, i64)],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut inserted = std::collections::HashSet::new();
        // 4 parameters a row: well under SQLite's and PostgreSQL's limits per statement.
        for chunk in used.chunks(1000) {
            // Numbered placeholders written out: the Any driver's query builder emits `?`,
            // which PostgreSQL does not take.
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let n = 4 * i;
                    format!("(${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4)
                })
                .collect();
            let sql = format!(
                "INSERT INTO pf_used_transactions (id, sp_id, used_at, expires_at) VALUES {} ON CONFLICT (id) DO NOTHING RETURNING id",
                values.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for (id, sp_id, used_at, expires_at) in chunk {
                q = q.bind(*id).bind(*sp_id).bind(*used_at).bind(*expires_at);
            }
            for row in q.fetch_all(&mut *self.tx).await? {
                inserted.insert(row.try_get::<String, _>("id")?);
            }
        }
        Ok(inserted)
    }

    /// Forgets used transaction ids that expired before `before` (they are refused as expired).
    pub async fn prune_used_transactions(&mut self, before: i64) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("DELETE FROM pf_used_transactions WHERE expires_at < $1")
                .bind(before)
                .execute(&mut *self.tx)
                .await?
                .rows_affected(),
        )
    }

    pub async fn pf_serial(
        &mut self,
        kind: &str,
        serial: &str,
    ) -> Result<Option<PfSerialRecord>, StoreError> {
        let row = sqlx::query("SELECT kind, serial, person_id, status, first_seen FROM pf_serials WHERE kind = $1 AND serial = $2")
            .bind(kind)
            .bind(serial)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|row| pf_serial(&row)).transpose()
    }

    /// Records a serial of a person; a serial already known is left as it is.
    pub async fn insert_pf_serial(&mut self, r: &PfSerialRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO pf_serials (kind, serial, person_id, status, first_seen) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, serial) DO NOTHING")
            .bind(&r.kind)
            .bind(&r.serial)
            .bind(&r.person_id)
            .bind(&r.status)
            .bind(r.first_seen)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn set_pf_serial_status(
        &mut self,
        kind: &str,
        serial: &str,
        status: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE pf_serials SET status = $1 WHERE kind = $2 AND serial = $3")
            .bind(status)
            .bind(kind)
            .bind(serial)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Serials last seen good of persons who are some SP's customer: what the periodic check asks about.
    pub async fn pf_serials_to_check(&mut self) -> Result<Vec<PfSerialRecord>, StoreError> {
        let rows = sqlx::query("SELECT s.kind, s.serial, s.person_id, s.status, s.first_seen FROM pf_serials s WHERE s.status = 'good' AND EXISTS (SELECT 1 FROM pf_customers c WHERE c.person_id = s.person_id) ORDER BY s.person_id, s.kind, s.serial")
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(pf_serial).collect()
    }
}

fn pf_serial(row: &AnyRow) -> Result<PfSerialRecord, StoreError> {
    Ok(PfSerialRecord {
        kind: row.try_get("kind")?,
        serial: row.try_get("serial")?,
        person_id: row.try_get("person_id")?,
        status: row.try_get("status")?,
        first_seen: row.try_get("first_seen")?,
    })
}
