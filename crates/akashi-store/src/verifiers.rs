//! Registered verifiers (署名検証者), residents' consent per verifier, and the audit log.

use sqlx::Row;

use crate::{AuditRecord, StoreError, Txn, VerifierRecord};

impl Txn {
    pub async fn insert_verifier(&mut self, v: &VerifierRecord) -> Result<(), StoreError> {
        let query = sqlx::query("INSERT INTO verifiers (id, name, credential_hash, registered_at) VALUES ($1, $2, $3, $4)")
            .bind(&v.id)
            .bind(&v.name)
            .bind(&v.credential_hash)
            .bind(v.registered_at);
        self.execute_guarded(query)
            .await
            .map_err(StoreError::on_insert("verifier", &v.name))?;
        Ok(())
    }

    /// The verifier whose credential hashes to `credential_hash`.
    pub async fn verifier_by_credential(
        &mut self,
        credential_hash: &[u8],
    ) -> Result<Option<VerifierRecord>, StoreError> {
        let row = sqlx::query("SELECT id, name, credential_hash, registered_at FROM verifiers WHERE credential_hash = $1")
            .bind(credential_hash)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|row| {
            Ok(VerifierRecord {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                credential_hash: row.try_get("credential_hash")?,
                registered_at: row.try_get("registered_at")?,
            })
        })
        .transpose()
    }

    pub async fn verifier_id_by_name(&mut self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query("SELECT id FROM verifiers WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *self.tx)
            .await?
            .map(|row| row.try_get("id"))
            .transpose()?)
    }

    /// Grants or withdraws a resident's consent to basic-four provision to one verifier.
    pub async fn set_consent(
        &mut self,
        resident_id: &str,
        verifier_id: &str,
        granted: bool,
        at: i64,
    ) -> Result<(), StoreError> {
        let updated = sqlx::query("UPDATE consents SET granted = $1, changed_at = $2 WHERE resident_id = $3 AND verifier_id = $4")
            .bind(i64::from(granted))
            .bind(at)
            .bind(resident_id)
            .bind(verifier_id)
            .execute(&mut *self.tx)
            .await?;
        if updated.rows_affected() == 0 {
            sqlx::query("INSERT INTO consents (resident_id, verifier_id, granted, changed_at) VALUES ($1, $2, $3, $4)")
                .bind(resident_id)
                .bind(verifier_id)
                .bind(i64::from(granted))
                .bind(at)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    pub async fn consent(
        &mut self,
        resident_id: &str,
        verifier_id: &str,
    ) -> Result<bool, StoreError> {
        let granted: Option<i64> =
            sqlx::query("SELECT granted FROM consents WHERE resident_id = $1 AND verifier_id = $2")
                .bind(resident_id)
                .bind(verifier_id)
                .fetch_optional(&mut *self.tx)
                .await?
                .map(|row| row.try_get("granted"))
                .transpose()?;
        Ok(granted == Some(1))
    }

    /// Appends to the audit log: who asked what about which serial, and the outcome.
    pub async fn audit(&mut self, a: &AuditRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO audit_log (verifier_id, action, serial, outcome, at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&a.verifier_id)
            .bind(&a.action)
            .bind(&a.serial)
            .bind(&a.outcome)
            .bind(a.at)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// The audit log of one verifier, oldest first.
    pub async fn audit_log(&mut self, verifier_id: &str) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query("SELECT verifier_id, action, serial, outcome, at FROM audit_log WHERE verifier_id = $1 ORDER BY id")
            .bind(verifier_id)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditRecord {
                    verifier_id: row.try_get("verifier_id")?,
                    action: row.try_get("action")?,
                    serial: row.try_get("serial")?,
                    outcome: row.try_get("outcome")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }
}
