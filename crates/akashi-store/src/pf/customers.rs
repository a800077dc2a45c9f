//! The PF's customers: one row per (SP, person) with the per-SP identifier and consent.

use super::{customer, CustomerRecord, CUSTOMER_COLUMNS};
use crate::{StoreError, Txn};

impl Txn {
    /// Adds a person as an SP's customer, or refreshes the consent flag of one already there.
    pub async fn upsert_customer(&mut self, r: &CustomerRecord) -> Result<(), StoreError> {
        let updated = sqlx::query("UPDATE pf_customers SET subscribed = $1, status = $2, updated_at = $3 WHERE sp_id = $4 AND person_id = $5")
            .bind(i64::from(r.subscribed))
            .bind(&r.status)
            .bind(r.updated_at)
            .bind(&r.sp_id)
            .bind(&r.person_id)
            .execute(&mut *self.tx)
            .await?;
        if updated.rows_affected() == 0 {
            sqlx::query("INSERT INTO pf_customers (sp_id, person_id, sp_user_id, subscribed, status, since, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(&r.sp_id)
                .bind(&r.person_id)
                .bind(&r.sp_user_id)
                .bind(i64::from(r.subscribed))
                .bind(&r.status)
                .bind(r.since)
                .bind(r.updated_at)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Adds a person as an SP's customer unless they are one already (a login).
    pub async fn insert_customer_if_absent(
        &mut self,
        r: &CustomerRecord,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO pf_customers (sp_id, person_id, sp_user_id, subscribed, status, since, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sp_id, person_id) DO NOTHING")
            .bind(&r.sp_id)
            .bind(&r.person_id)
            .bind(&r.sp_user_id)
            .bind(i64::from(r.subscribed))
            .bind(&r.status)
            .bind(r.since)
            .bind(r.updated_at)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn set_customer_status(
        &mut self,
        sp_id: &str,
        person_id: &str,
        status: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE pf_customers SET status = $1, updated_at = $2 WHERE sp_id = $3 AND person_id = $4")
            .bind(status)
            .bind(at)
            .bind(sp_id)
            .bind(person_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn customers_of_sp(
        &mut self,
        sp_id: &str,
    ) -> Result<Vec<CustomerRecord>, StoreError> {
        let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM pf_customers WHERE sp_id = $1 ORDER BY since, sp_user_id");
        let rows = sqlx::query(&sql)
            .bind(sp_id)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(customer).collect()
    }

    pub async fn customers_of_person(
        &mut self,
        person_id: &str,
    ) -> Result<Vec<CustomerRecord>, StoreError> {
        let sql = format!(
            "SELECT {CUSTOMER_COLUMNS} FROM pf_customers WHERE person_id = $1 ORDER BY sp_id"
        );
        let rows = sqlx::query(&sql)
            .bind(person_id)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(customer).collect()
    }
}
