//! Versioned schema migrations, one list for both backends. Each migration is written once
//! with `{BLOB}` / `{SERIAL}` placeholders for the two dialect differences and applied in its
//! own transaction, recorded in `schema_migrations`.

use sqlx::{AnyConnection, AnyPool, Row};

use crate::{Backend, StoreError};

/// (version, description, SQL statements separated by `;`)
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
    1,
    "resident registry, certificates, life events, serial history, verifiers, consent, audit",
    r#"
CREATE TABLE residents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL,
    prefecture TEXT NOT NULL,
    municipality TEXT NOT NULL,
    address_rest TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE certificates (
    kind TEXT NOT NULL,
    serial TEXT NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents(id),
    card_id TEXT,
    generation BIGINT NOT NULL,
    der {BLOB} NOT NULL,
    issued_at BIGINT NOT NULL,
    not_after BIGINT NOT NULL,
    status TEXT NOT NULL,
    revoked_at BIGINT,
    reason BIGINT,
    PRIMARY KEY (kind, serial)
);
CREATE INDEX certificates_by_resident ON certificates (resident_id);
CREATE INDEX certificates_revoked ON certificates (kind, generation, status);
CREATE TABLE life_events (
    id {SERIAL},
    resident_id TEXT NOT NULL REFERENCES residents(id),
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX life_events_by_resident ON life_events (resident_id);
CREATE TABLE serial_history (
    kind TEXT NOT NULL,
    old_serial TEXT NOT NULL,
    new_serial TEXT NOT NULL,
    resident_id TEXT NOT NULL REFERENCES residents(id),
    at BIGINT NOT NULL,
    PRIMARY KEY (kind, old_serial)
);
CREATE TABLE verifiers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    credential_hash {BLOB} NOT NULL UNIQUE,
    registered_at BIGINT NOT NULL
);
CREATE TABLE consents (
    resident_id TEXT NOT NULL REFERENCES residents(id),
    verifier_id TEXT NOT NULL REFERENCES verifiers(id),
    granted BIGINT NOT NULL,
    changed_at BIGINT NOT NULL,
    PRIMARY KEY (resident_id, verifier_id)
);
CREATE TABLE audit_log (
    id {SERIAL},
    verifier_id TEXT NOT NULL,
    action TEXT NOT NULL,
    serial TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX audit_by_verifier ON audit_log (verifier_id)
"#,
    ),
    (
        2,
        "PF operator: service providers, used transactions, serials, customers, vault, webhook outbox",
        r#"
CREATE TABLE pf_service_providers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    credential_hash {BLOB} NOT NULL UNIQUE,
    webhook_url TEXT,
    webhook_secret_sealed {BLOB} NOT NULL,
    registered_at BIGINT NOT NULL
);
CREATE TABLE pf_used_transactions (
    id TEXT PRIMARY KEY,
    sp_id TEXT NOT NULL REFERENCES pf_service_providers(id),
    used_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE pf_serials (
    kind TEXT NOT NULL,
    serial TEXT NOT NULL,
    person_id TEXT NOT NULL,
    status TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    PRIMARY KEY (kind, serial)
);
CREATE INDEX pf_serials_by_person ON pf_serials (person_id);
CREATE TABLE pf_customers (
    sp_id TEXT NOT NULL REFERENCES pf_service_providers(id),
    person_id TEXT NOT NULL,
    sp_user_id TEXT NOT NULL,
    subscribed BIGINT NOT NULL,
    status TEXT NOT NULL,
    since BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (sp_id, person_id)
);
CREATE INDEX pf_customers_by_person ON pf_customers (person_id);
CREATE TABLE pf_vault (
    kind TEXT NOT NULL,
    serial TEXT NOT NULL,
    person_id TEXT NOT NULL,
    sealed_der {BLOB} NOT NULL,
    stored_at BIGINT NOT NULL,
    retain_until BIGINT NOT NULL,
    PRIMARY KEY (kind, serial)
);
CREATE TABLE pf_vault_access (
    id {SERIAL},
    kind TEXT NOT NULL,
    serial TEXT NOT NULL,
    actor TEXT NOT NULL,
    purpose TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE TABLE pf_outbox (
    id TEXT PRIMARY KEY,
    sp_id TEXT NOT NULL REFERENCES pf_service_providers(id),
    event_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT,
    UNIQUE (sp_id, event_key)
);
CREATE INDEX pf_outbox_due ON pf_outbox (delivered_at, next_attempt_at)
"#,
    ),
    (
    3,
    "private ID issuer (holders, grants, issued credentials, deferred issuance) and OpenID4VP verifier (clients, transactions)",
    r#"
CREATE TABLE issuer_holders (
    id TEXT PRIMARY KEY,
    anchor_kind TEXT NOT NULL,
    anchor_serial TEXT NOT NULL,
    anchor_status TEXT NOT NULL,
    anchor_reason TEXT,
    consent_updates BIGINT NOT NULL,
    attributes {BLOB} NOT NULL,
    nym_entropy {BLOB} NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX issuer_holders_by_anchor ON issuer_holders (anchor_kind, anchor_serial);
CREATE INDEX issuer_holders_by_status ON issuer_holders (anchor_status);
CREATE TABLE issuer_grants (
    code_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    holder_id TEXT,
    detail TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE TABLE issuer_credentials (
    id TEXT PRIMARY KEY,
    holder_id TEXT NOT NULL REFERENCES issuer_holders(id),
    format TEXT NOT NULL,
    status_index BIGINT UNIQUE,
    status BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX issuer_credentials_by_holder ON issuer_credentials (holder_id);
CREATE TABLE issuer_deferred (
    transaction_id TEXT PRIMARY KEY,
    holder_id TEXT NOT NULL REFERENCES issuer_holders(id),
    request TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    issued_at BIGINT
);
CREATE TABLE vp_clients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    credential_hash {BLOB} NOT NULL UNIQUE,
    trusted_issuers TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE vp_transactions (
    id TEXT PRIMARY KEY,
    client TEXT NOT NULL REFERENCES vp_clients(id),
    state TEXT NOT NULL UNIQUE,
    nonce TEXT NOT NULL,
    dcql TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    result TEXT,
    answered_at BIGINT
)
"#,
    ),
    (
    4,
    "time-stamping authority serial numbers",
    r#"
CREATE TABLE tsa_serials (
    tsa TEXT PRIMARY KEY,
    last BIGINT NOT NULL
)
"#,
    ),
    (
    5,
    "multi-party contracts: documents, signers with invitations, hash-chained audit trail",
    r#"
CREATE TABLE contracts (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    signing_order TEXT NOT NULL,
    original {BLOB} NOT NULL,
    current {BLOB} NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE TABLE contract_signers (
    contract_id TEXT NOT NULL REFERENCES contracts(id),
    position BIGINT NOT NULL,
    label TEXT NOT NULL,
    status TEXT NOT NULL,
    invitation_hash {BLOB} UNIQUE,
    invitation_expires BIGINT,
    signed_at BIGINT,
    certificate_digest {BLOB},
    signature {BLOB},
    PRIMARY KEY (contract_id, position)
);
CREATE TABLE contract_events (
    contract_id TEXT NOT NULL REFERENCES contracts(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    hash {BLOB} NOT NULL,
    PRIMARY KEY (contract_id, seq)
)
"#,
    ),
    (
    6,
    "OpenID provider: accounts with assurance, authenticators, sessions, clients, grants, consents, signing keys, DPoP replay",
    r#"
CREATE TABLE op_accounts (
    id TEXT PRIMARY KEY,
    ial BIGINT NOT NULL,
    state TEXT NOT NULL,
    anchor_kind TEXT NOT NULL,
    anchor_ref TEXT NOT NULL,
    claims {BLOB} NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (anchor_kind, anchor_ref)
);
CREATE TABLE op_authenticators (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES op_accounts(id),
    kind TEXT NOT NULL,
    aal BIGINT NOT NULL,
    lookup TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    public_data {BLOB} NOT NULL,
    secret {BLOB},
    status TEXT NOT NULL,
    failed_attempts BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX op_authenticators_by_account ON op_authenticators (account_id);
CREATE TABLE op_sessions (
    id_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES op_accounts(id),
    ial BIGINT NOT NULL,
    aal BIGINT NOT NULL,
    amr TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX op_sessions_by_account ON op_sessions (account_id);
CREATE TABLE op_clients (
    client_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT,
    redirect_uris TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    sector TEXT NOT NULL,
    id_token_encryption TEXT,
    require_dpop BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE op_grants (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    client_id TEXT NOT NULL,
    account_id TEXT,
    detail TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    parent TEXT
);
CREATE INDEX op_grants_by_parent ON op_grants (parent);
CREATE TABLE op_consents (
    account_id TEXT NOT NULL REFERENCES op_accounts(id),
    client_id TEXT NOT NULL REFERENCES op_clients(client_id),
    scopes TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, client_id)
);
CREATE TABLE op_keys (
    kid TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    sealed {BLOB} NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);
CREATE TABLE op_dpop_jtis (
    hash TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
)
"#,
    ),
];

/// The newest schema version this build knows.
pub const LATEST: i64 = 6;

fn dialect(sql: &str, backend: Backend) -> String {
    let (blob, serial) = match backend {
        Backend::Sqlite => ("BLOB", "INTEGER PRIMARY KEY AUTOINCREMENT"),
        Backend::Postgres => ("BYTEA", "BIGSERIAL PRIMARY KEY"),
    };
    sql.replace("{BLOB}", blob).replace("{SERIAL}", serial)
}

/// Brings the schema to [`LATEST`]; refuses a database newer than this build.
pub async fn run(pool: &AnyPool, backend: Backend) -> Result<i64, StoreError> {
    let mut conn = pool.acquire().await?;
    // Two processes starting on a fresh PostgreSQL database would race on CREATE TABLE (even
    // IF NOT EXISTS): migrate under a session advisory lock. SQLite's file lock does the same.
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_lock(7252021)")
            .execute(&mut *conn)
            .await?;
    }
    let outcome = migrate(&mut conn, backend).await;
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock(7252021)")
            .execute(&mut *conn)
            .await?;
    }
    outcome
}

/// All pending migrations in one transaction. SQLite's `BEGIN IMMEDIATE` takes the write lock
/// before the version is read, so a second process waits and then finds nothing to do.
async fn migrate(conn: &mut AnyConnection, backend: Backend) -> Result<i64, StoreError> {
    let begin = match backend {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    };
    sqlx::query(begin).execute(&mut *conn).await?;
    match pending(conn, backend).await {
        Ok(version) => {
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            Ok(version)
        }
        Err(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
    }
}

async fn pending(conn: &mut AnyConnection, backend: Backend) -> Result<i64, StoreError> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    let current: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
        .fetch_one(&mut *conn)
        .await?
        .try_get("v")?;
    if current > LATEST {
        return Err(StoreError::SchemaTooNew {
            found: current,
            supported: LATEST,
        });
    }
    for (version, description, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > current) {
        for statement in dialect(sql, backend)
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            sqlx::query(statement).execute(&mut *conn).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, description) VALUES ($1, $2)")
            .bind(*version)
            .bind(*description)
            .execute(&mut *conn)
            .await?;
    }
    Ok(LATEST)
}
