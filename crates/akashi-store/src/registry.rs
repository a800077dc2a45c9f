//! Residents, their life events and their serial history.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{LifeEventRecord, ResidentRecord, ResidentStatus, StoreError, Txn};

const RESIDENT_COLUMNS: &str =
    "id, name, birth_date, sex, prefecture, municipality, address_rest, status, version, updated_at";

fn resident(row: &AnyRow) -> Result<ResidentRecord, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(ResidentRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        birth_date: row.try_get("birth_date")?,
        sex: row.try_get("sex")?,
        prefecture: row.try_get("prefecture")?,
        municipality: row.try_get("municipality")?,
        address_rest: row.try_get("address_rest")?,
        status: ResidentStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("resident status {status:?}")))?,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Txn {
    /// Adds a resident (version 1).
    pub async fn insert_resident(&mut self, r: &ResidentRecord) -> Result<(), StoreError> {
        let sql = format!("INSERT INTO residents ({RESIDENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)");
        let query = sqlx::query(&sql)
            .bind(&r.id)
            .bind(&r.name)
            .bind(&r.birth_date)
            .bind(&r.sex)
            .bind(&r.prefecture)
            .bind(&r.municipality)
            .bind(&r.address_rest)
            .bind(r.status.as_str())
            .bind(r.updated_at);
        self.execute_guarded(query)
            .await
            .map_err(StoreError::on_insert("resident", &r.id))?;
        Ok(())
    }

    pub async fn resident(&mut self, id: &str) -> Result<Option<ResidentRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {RESIDENT_COLUMNS} FROM residents WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .as_ref()
        .map(resident)
        .transpose()
    }

    /// Writes `r` if the stored version is still `r.version`; the stored version becomes
    /// `r.version + 1`. Otherwise `Conflict`: a concurrent event got there first.
    pub async fn update_resident(&mut self, r: &ResidentRecord) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE residents SET name = $1, birth_date = $2, sex = $3, prefecture = $4, municipality = $5,
             address_rest = $6, status = $7, updated_at = $8, version = version + 1
             WHERE id = $9 AND version = $10",
        )
        .bind(&r.name)
        .bind(&r.birth_date)
        .bind(&r.sex)
        .bind(&r.prefecture)
        .bind(&r.municipality)
        .bind(&r.address_rest)
        .bind(r.status.as_str())
        .bind(r.updated_at)
        .bind(&r.id)
        .bind(r.version)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "resident",
                key: r.id.clone(),
            });
        }
        Ok(())
    }

    pub async fn record_event(&mut self, e: &LifeEventRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO life_events (resident_id, kind, at, detail) VALUES ($1, $2, $3, $4)",
        )
        .bind(&e.resident_id)
        .bind(&e.kind)
        .bind(e.at)
        .bind(&e.detail)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// A resident's events, oldest first.
    pub async fn events(&mut self, resident_id: &str) -> Result<Vec<LifeEventRecord>, StoreError> {
        let rows = sqlx::query("SELECT resident_id, kind, at, detail FROM life_events WHERE resident_id = $1 ORDER BY id")
            .bind(resident_id)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(LifeEventRecord {
                    resident_id: row.try_get("resident_id")?,
                    kind: row.try_get("kind")?,
                    at: row.try_get("at")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }

    /// Records that certificate `old_serial` of `kind` was followed by `new_serial`.
    pub async fn link_serials(
        &mut self,
        kind: &str,
        old_serial: &str,
        new_serial: &str,
        resident_id: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        let query = sqlx::query(
            "INSERT INTO serial_history (kind, old_serial, new_serial, resident_id, at) VALUES ($1, $2, $3, $4, $5)",
        )
            .bind(kind)
            .bind(old_serial)
            .bind(new_serial)
            .bind(resident_id)
            .bind(at);
        self.execute_guarded(query)
            .await
            .map_err(StoreError::on_insert("serial link from", old_serial))?;
        Ok(())
    }

    /// The chain of serials that followed `serial` (excluding it), oldest first.
    pub async fn successors(
        &mut self,
        kind: &str,
        serial: &str,
    ) -> Result<Vec<String>, StoreError> {
        let mut chain = Vec::new();
        let mut current = serial.to_owned();
        // Bounded: a person has at most a few dozen certificates in a lifetime.
        for _ in 0..1000 {
            let next: Option<String> = sqlx::query(
                "SELECT new_serial FROM serial_history WHERE kind = $1 AND old_serial = $2",
            )
            .bind(kind)
            .bind(&current)
            .fetch_optional(&mut *self.tx)
            .await?
            .map(|row| row.try_get("new_serial"))
            .transpose()?;
            match next {
                Some(n) => {
                    chain.push(n.clone());
                    current = n;
                }
                None => return Ok(chain),
            }
        }
        Err(StoreError::Corrupt(format!(
            "serial history of {serial} does not end"
        )))
    }
}
