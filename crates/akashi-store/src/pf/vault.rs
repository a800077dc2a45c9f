//! The certificate vault (sealed DER, retention) and its access log.

use sqlx::Row;

use super::{VaultAccessRecord, VaultRecord};
use crate::{StoreError, Txn};

impl Txn {
    /// Puts a certificate in the vault unless it is there already; `true` if it was added.
    pub async fn vault_put(&mut self, r: &VaultRecord) -> Result<bool, StoreError> {
        let done = sqlx::query("INSERT INTO pf_vault (kind, serial, person_id, sealed_der, stored_at, retain_until) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, serial) DO NOTHING")
            .bind(&r.kind)
            .bind(&r.serial)
            .bind(&r.person_id)
            .bind(&r.sealed_der)
            .bind(r.stored_at)
            .bind(r.retain_until)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn vault_get(
        &mut self,
        kind: &str,
        serial: &str,
    ) -> Result<Option<VaultRecord>, StoreError> {
        let row = sqlx::query("SELECT kind, serial, person_id, sealed_der, stored_at, retain_until FROM pf_vault WHERE kind = $1 AND serial = $2")
            .bind(kind)
            .bind(serial)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|row| {
            Ok(VaultRecord {
                kind: row.try_get("kind")?,
                serial: row.try_get("serial")?,
                person_id: row.try_get("person_id")?,
                sealed_der: row.try_get("sealed_der")?,
                stored_at: row.try_get("stored_at")?,
                retain_until: row.try_get("retain_until")?,
            })
        })
        .transpose()
    }

    /// Deletes the certificates whose retention ended before `now`; returns their (kind, serial).
    pub async fn vault_purge(&mut self, now: i64) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT kind, serial FROM pf_vault WHERE retain_until < $1")
            .bind(now)
            .fetch_all(&mut *self.tx)
            .await?;
        let gone = rows
            .iter()
            .map(|r| Ok((r.try_get("kind")?, r.try_get("serial")?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        sqlx::query("DELETE FROM pf_vault WHERE retain_until < $1")
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(gone)
    }

    pub async fn record_vault_access(&mut self, a: &VaultAccessRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO pf_vault_access (kind, serial, actor, purpose, at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&a.kind)
            .bind(&a.serial)
            .bind(&a.actor)
            .bind(&a.purpose)
            .bind(a.at)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// The vault's access log, oldest first.
    pub async fn vault_access_log(&mut self) -> Result<Vec<VaultAccessRecord>, StoreError> {
        let rows =
            sqlx::query("SELECT kind, serial, actor, purpose, at FROM pf_vault_access ORDER BY id")
                .fetch_all(&mut *self.tx)
                .await?;
        rows.iter()
            .map(|row| {
                Ok(VaultAccessRecord {
                    kind: row.try_get("kind")?,
                    serial: row.try_get("serial")?,
                    actor: row.try_get("actor")?,
                    purpose: row.try_get("purpose")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }
}
