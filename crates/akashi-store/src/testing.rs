//! Test support: a fresh PostgreSQL database on the test server of `scripts/test.sh`.

use crate::Store;

/// A new, empty database on the server named by `AKASHI_TEST_POSTGRES_URL` (a URL whose
/// database is `postgres`). `None` only when `AKASHI_TEST_POSTGRES=skip` says to leave
/// PostgreSQL out; a missing URL otherwise fails the test, so no suite is skipped silently.
pub async fn fresh_postgres(prefix: &str) -> Option<Store> {
    let base = match std::env::var("AKASHI_TEST_POSTGRES_URL") {
        Ok(url) => url,
        Err(_) if std::env::var("AKASHI_TEST_POSTGRES").as_deref() == Ok("skip") => return None,
        Err(_) => panic!(
            "AKASHI_TEST_POSTGRES_URL is not set: run scripts/test.sh (it starts a throwaway PostgreSQL), \
             or set AKASHI_TEST_POSTGRES=skip to leave PostgreSQL out knowingly"
        ),
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    let name = format!("{prefix}_{}_{nanos}", std::process::id());
    let admin = Store::open(&base).await.expect("test PostgreSQL server");
    admin
        .raw_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("CREATE DATABASE");
    admin.close().await;
    Some(
        Store::open(&base.replacen("/postgres?", &format!("/{name}?"), 1))
            .await
            .expect("fresh database"),
    )
}
