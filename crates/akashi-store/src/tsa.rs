//! The time-stamping authority's serial numbers: one counter per TSA, only ever increased.

use sqlx::Row;

use crate::{StoreError, Txn};

impl Txn {
    /// The next serial number of `tsa` (starting at 1). Take it in a write transaction
    /// (`Store::begin_write`) so two requests never read the same last value.
    pub async fn tsa_next_serial(&mut self, tsa: &str) -> Result<u64, StoreError> {
        let last: Option<i64> = sqlx::query("SELECT last FROM tsa_serials WHERE tsa = $1")
            .bind(tsa)
            .fetch_optional(&mut *self.tx)
            .await?
            .map(|row| row.try_get("last"))
            .transpose()?;
        let next = match last {
            None => {
                sqlx::query("INSERT INTO tsa_serials (tsa, last) VALUES ($1, 1)")
                    .bind(tsa)
                    .execute(&mut *self.tx)
                    .await?;
                1
            }
            Some(last) => {
                sqlx::query("UPDATE tsa_serials SET last = last + 1 WHERE tsa = $1")
                    .bind(tsa)
                    .execute(&mut *self.tx)
                    .await?;
                last + 1
            }
        };
        u64::try_from(next).map_err(|_| StoreError::Corrupt(format!("TSA {tsa} serial {next}")))
    }
}
