use thiserror::Error;

/// Storage errors. A `Conflict` means another transaction changed the row first: retry.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error(
        "the database schema is version {found}, newer than this build supports ({supported})"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("{what} {key} already exists")]
    Duplicate { what: &'static str, key: String },
    #[error("{what} {key} was changed by a concurrent transaction; retry")]
    Conflict { what: &'static str, key: String },
    #[error("the database is busy with a concurrent transaction; retry")]
    Busy,
    #[error("stored value is invalid: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    /// SQLite's SQLITE_BUSY (5, 517: a write lock the transaction cannot get) and PostgreSQL's
    /// serialization failure / deadlock (40001, 40P01) mean "lost a race": `Busy`, retryable.
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if matches!(db.code().as_deref(), Some("5" | "517" | "40001" | "40P01")) {
                return StoreError::Busy;
            }
        }
        StoreError::Database(e)
    }
}

impl StoreError {
    /// Maps a unique-constraint violation to `Duplicate`, anything else to `Database`.
    pub(crate) fn on_insert<'k>(
        what: &'static str,
        key: &'k str,
    ) -> impl FnOnce(sqlx::Error) -> StoreError + 'k {
        move |e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate {
                what,
                key: key.to_owned(),
            },
            _ => StoreError::from(e),
        }
    }
}
