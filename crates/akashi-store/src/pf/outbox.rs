//! The webhook outbox: one row per notification and SP, kept until acknowledged.

use super::{outbox, OutboxRecord, OUTBOX_COLUMNS};
use crate::{StoreError, Txn};

impl Txn {
    /// Queues a notification; `false` (and nothing written) if this SP already has one for
    /// the same event.
    pub async fn outbox_insert(&mut self, r: &OutboxRecord) -> Result<bool, StoreError> {
        let query = sqlx::query("INSERT INTO pf_outbox (id, sp_id, event_key, payload, created_at, next_attempt_at, attempts, delivered_at, last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)")
            .bind(&r.id)
            .bind(&r.sp_id)
            .bind(&r.event_key)
            .bind(&r.payload)
            .bind(r.created_at)
            .bind(r.next_attempt_at)
            .bind(r.attempts);
        match self.execute_guarded(query).await {
            Ok(_) => Ok(true),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Undelivered notifications due at `now` for SPs with a webhook URL, oldest first (SPs
    /// without one poll for theirs).
    pub async fn outbox_due(
        &mut self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let sql = format!("SELECT {OUTBOX_COLUMNS} FROM pf_outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1 AND sp_id IN (SELECT id FROM pf_service_providers WHERE webhook_url IS NOT NULL) ORDER BY created_at, id LIMIT $2");
        let rows = sqlx::query(&sql)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(outbox).collect()
    }

    /// An SP's unacknowledged notifications, oldest first (polling).
    pub async fn outbox_pending_of_sp(
        &mut self,
        sp_id: &str,
        limit: i64,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let sql = format!("SELECT {OUTBOX_COLUMNS} FROM pf_outbox WHERE sp_id = $1 AND delivered_at IS NULL ORDER BY created_at, id LIMIT $2");
        let rows = sqlx::query(&sql)
            .bind(sp_id)
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(outbox).collect()
    }

    /// The SP acknowledges notification `id`: `false` if it has no such notification.
    /// Acknowledging twice is not an error.
    pub async fn outbox_ack(&mut self, sp_id: &str, id: &str, at: i64) -> Result<bool, StoreError> {
        sqlx::query("UPDATE pf_outbox SET delivered_at = $1 WHERE sp_id = $2 AND id = $3 AND delivered_at IS NULL")
            .bind(at)
            .bind(sp_id)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(
            sqlx::query("SELECT id FROM pf_outbox WHERE sp_id = $1 AND id = $2")
                .bind(sp_id)
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?
                .is_some(),
        )
    }

    /// Records one delivery attempt: delivered, or failed with the next attempt's time.
    pub async fn outbox_attempted(
        &mut self,
        id: &str,
        delivered_at: Option<i64>,
        next_attempt_at: i64,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE pf_outbox SET attempts = attempts + 1, delivered_at = $1, next_attempt_at = $2, last_error = $3 WHERE id = $4 AND delivered_at IS NULL")
            .bind(delivered_at)
            .bind(next_attempt_at)
            .bind(error)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
