//! One storage API for Akashi's state, over SQLite (the embedded default: a file in the data
//! directory) or PostgreSQL (a connection URL), through sqlx's `Any` driver so both run the
//! same SQL. Writes that belong together go through one [`Txn`], committed explicitly;
//! dropping it rolls back.
#![forbid(unsafe_code)]

mod certificates;
mod contracts;
mod error;
mod issuer;
mod migrations;
mod op_accounts;
mod op_provider;
mod pf;
mod records;
mod registry;
pub mod testing;
mod tsa;
mod verifiers;
mod vp;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};

pub use contracts::{ContractEventRecord, ContractRecord, ContractSignerRecord, ContractSummary};
pub use error::StoreError;
pub use issuer::{DeferredRecord, IssuedCredentialRecord, IssuerGrantRecord, IssuerHolderRecord};
pub use migrations::LATEST as SCHEMA_VERSION;
pub use op_accounts::{OpAccountRecord, OpAuthenticatorRecord, OpSessionRecord};
pub use op_provider::{OpClientRecord, OpGrantRecord, OpKeyRecord};
pub use pf::{
    CustomerRecord, OutboxRecord, PfSerialRecord, ServiceProviderRecord, VaultAccessRecord,
    VaultRecord,
};
pub use records::*;
pub use vp::{VpClientRecord, VpTransactionRecord};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to the store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects to `url` (`sqlite://PATH` — created if missing — or `postgres://…`) and
    /// migrates the schema to the newest version.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the one writer; wait for the lock
                        // instead of failing; enforce the schema's foreign keys.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        migrations::run(&pool, backend).await?;
        Ok(Self { pool, backend })
    }

    /// The embedded default: `DIR/akashi.db`.
    pub async fn open_in_dir(dir: &std::path::Path) -> Result<Self, StoreError> {
        Self::open(&format!("sqlite://{}", dir.join("akashi.db").display())).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction. Nothing it writes is visible until [`Txn::commit`].
    pub async fn begin(&self) -> Result<Txn, StoreError> {
        Ok(Txn {
            tx: self.pool.begin().await?,
        })
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`, waiting up to the busy timeout): a transaction that read first and
    /// then tried to write while another writer committed would fail with "database is
    /// locked", which the busy timeout cannot cure. PostgreSQL needs nothing special.
    pub async fn begin_write(&self) -> Result<Txn, StoreError> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Txn { tx })
    }

    /// Runs one statement outside any transaction (administration: `CREATE DATABASE`).
    pub async fn raw_execute(&self, sql: &str) -> Result<(), StoreError> {
        sqlx::query(sql).execute(&self.pool).await?;
        Ok(())
    }

    /// Rows in `table` (tests and operators' checks; `table` must be a plain identifier).
    pub async fn count_rows(&self, table: &str) -> Result<i64, StoreError> {
        if !table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(StoreError::Corrupt(format!("not a table name: {table:?}")));
        }
        use sqlx::Row;
        Ok(sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// One transaction: every read and write of one operation. Dropped without `commit`, it
/// rolls back.
#[derive(Debug)]
pub struct Txn {
    tx: Transaction<'static, Any>,
}

impl Txn {
    /// Runs `query` inside a savepoint: if it fails (a duplicate key, say), only the savepoint
    /// is rolled back and the transaction stays usable on both backends (PostgreSQL would
    /// otherwise abort the whole transaction).
    pub(crate) async fn execute_guarded<'q>(
        &mut self,
        query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<sqlx::any::AnyQueryResult, sqlx::Error> {
        use sqlx::Acquire;
        let mut savepoint = (&mut self.tx).begin().await?;
        match query.execute(&mut *savepoint).await {
            Ok(done) => {
                savepoint.commit().await?;
                Ok(done)
            }
            Err(e) => {
                savepoint.rollback().await?;
                Err(e)
            }
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        Ok(self.tx.rollback().await?)
    }
}
