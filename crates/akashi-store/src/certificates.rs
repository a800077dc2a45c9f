//! Certificates J-LIS issued, and their revocation state.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{CertificateRecord, CertificateStatus, RevokedRecord, StoreError, Txn};

const COLUMNS: &str =
    "kind, serial, resident_id, card_id, generation, der, issued_at, not_after, status, revoked_at, reason";

fn certificate(row: &AnyRow) -> Result<CertificateRecord, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(CertificateRecord {
        kind: row.try_get("kind")?,
        serial: row.try_get("serial")?,
        resident_id: row.try_get("resident_id")?,
        card_id: row.try_get("card_id")?,
        generation: row.try_get("generation")?,
        der: row.try_get("der")?,
        issued_at: row.try_get("issued_at")?,
        not_after: row.try_get("not_after")?,
        status: CertificateStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("certificate status {status:?}")))?,
        revoked_at: row.try_get("revoked_at")?,
        reason: row.try_get("reason")?,
    })
}

impl Txn {
    pub async fn insert_certificate(&mut self, c: &CertificateRecord) -> Result<(), StoreError> {
        let sql = format!("INSERT INTO certificates ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
        let query = sqlx::query(&sql)
            .bind(&c.kind)
            .bind(&c.serial)
            .bind(&c.resident_id)
            .bind(&c.card_id)
            .bind(c.generation)
            .bind(&c.der)
            .bind(c.issued_at)
            .bind(c.not_after)
            .bind(c.status.as_str())
            .bind(c.revoked_at)
            .bind(c.reason);
        self.execute_guarded(query)
            .await
            .map_err(StoreError::on_insert("certificate", &c.serial))?;
        Ok(())
    }

    pub async fn certificate(
        &mut self,
        kind: &str,
        serial: &str,
    ) -> Result<Option<CertificateRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM certificates WHERE kind = $1 AND serial = $2"
        ))
        .bind(kind)
        .bind(serial)
        .fetch_optional(&mut *self.tx)
        .await?
        .as_ref()
        .map(certificate)
        .transpose()
    }

    /// All certificates of a resident, oldest first.
    pub async fn certificates_of(
        &mut self,
        resident_id: &str,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM certificates WHERE resident_id = $1 ORDER BY issued_at, serial"
        ))
        .bind(resident_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(certificate).collect()
    }

    /// Sets a certificate's revocation state, if it is still in `expected`; `Conflict` if not.
    pub async fn set_certificate_status(
        &mut self,
        kind: &str,
        serial: &str,
        expected: CertificateStatus,
        status: CertificateStatus,
        revoked_at: Option<i64>,
        reason: Option<i64>,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE certificates SET status = $1, revoked_at = $2, reason = $3 WHERE kind = $4 AND serial = $5 AND status = $6",
        )
        .bind(status.as_str())
        .bind(revoked_at)
        .bind(reason)
        .bind(kind)
        .bind(serial)
        .bind(expected.as_str())
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "certificate",
                key: serial.to_owned(),
            });
        }
        Ok(())
    }

    /// What a CRL of one CA generation lists: revoked and held certificates not yet expired
    /// at `at`, ordered by serial.
    pub async fn revoked(
        &mut self,
        kind: &str,
        generation: i64,
        at: i64,
    ) -> Result<Vec<RevokedRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT serial, revoked_at, reason FROM certificates
             WHERE kind = $1 AND generation = $2 AND status <> 'good' AND not_after >= $3 ORDER BY serial",
        )
        .bind(kind)
        .bind(generation)
        .bind(at)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RevokedRecord {
                    serial: row.try_get("serial")?,
                    revoked_at: row
                        .try_get::<Option<i64>, _>("revoked_at")?
                        .ok_or_else(|| {
                            StoreError::Corrupt("revoked certificate without a time".into())
                        })?,
                    reason: row.try_get("reason")?,
                })
            })
            .collect()
    }
}
