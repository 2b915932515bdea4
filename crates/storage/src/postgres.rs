//! PostgreSQL, first slice (issue 14 items 2 and 6, ADR 0037): the schema, applied by its own migrations
//! (`crates/storage/migrations-postgres/`), and the connection that owns it, used by `waymark migrate`
//! and by backups. The stores themselves are still SQLite only: `waymark serve` cannot yet run on
//! PostgreSQL.
//!
//! The schema mirrors SQLite's table for table and column for column (text, bigint, double precision),
//! with the append-only history and audit triggers and row-level security on children's records and
//! casework for the role `waymark_app` (see the migration's comments).

use crate::{Result, StoreError};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgConnection};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

/// The PostgreSQL schema's migrations, embedded in the binary.
pub static PG_MIGRATOR: Migrator = sqlx::migrate!("./migrations-postgres");

/// The environment variable naming the PostgreSQL server the tests use (set by `scripts/test`).
pub const TEST_SERVER_VAR: &str = "WAYMARK_TEST_POSTGRES";

/// Whether `s` names a PostgreSQL database (`postgres://` or `postgresql://`) rather than a SQLite file.
pub fn is_postgres_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((credentials, host)) = rest.rsplit_once('@') else { return url.to_owned() };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

fn open_error(url: &str, message: String) -> StoreError {
    StoreError::Open { path: PathBuf::from(redact(url)), message }
}

/// Why a connection failed, in words a council's IT team can act on.
fn describe(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => format!("the server cannot be reached ({io}); check the host, the port and that PostgreSQL is running"),
        sqlx::Error::Database(d) => d.message().to_owned(),
        sqlx::Error::Configuration(c) => format!("the address is not a PostgreSQL URL ({c})"),
        e => e.to_string(),
    }
}

pub(crate) fn pg(e: sqlx::Error) -> StoreError {
    StoreError::Database(match &e {
        sqlx::Error::Database(d) => match d.constraint() {
            Some(c) => format!("{} ({c})", d.message()),
            None => d.message().to_owned(),
        },
        e => e.to_string(),
    })
}

/// A PostgreSQL database holding Waymark's schema, opened as the role that owns it (the one that runs the
/// migrations): `waymark migrate` and backups use it. Row-level security does not bind this role.
#[derive(Clone, Debug)]
pub struct PostgresDatabase {
    pool: PgPool,
    url: String,
}

impl PostgresDatabase {
    /// Connect to the database at `url` and bring its schema up to date.
    pub async fn open(url: &str) -> Result<Self> {
        if !is_postgres_url(url) {
            return Err(open_error(url, "a PostgreSQL address starts with postgres:// or postgresql://".into()));
        }
        let options = PgConnectOptions::from_str(url).map_err(|e| open_error(url, describe(&e)))?;
        // One connection first, for the server's own reason if it cannot be reached (a pool only times out).
        let first = PgConnection::connect_with(&options).await.map_err(|e| open_error(url, describe(&e)))?;
        let _ = first.close().await;
        let pool = PgPoolOptions::new().max_connections(4).connect_with(options).await.map_err(|e| open_error(url, describe(&e)))?;
        PG_MIGRATOR.run(&pool).await.map_err(|e| open_error(url, format!("the schema could not be brought up to date: {e}")))?;
        Ok(Self { pool, url: url.to_owned() })
    }

    /// The connection pool (owner role).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The database's address, password hidden.
    pub fn display_url(&self) -> String {
        redact(&self.url)
    }

    /// The database's address as given (with any password): for `pg_dump` and `pg_restore`.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// Wait for work in progress to finish and close the connections.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// For tests: a new, empty database on the server named by `$WAYMARK_TEST_POSTGRES`, and its URL.
///
/// `None` when the variable is unset (a developer without PostgreSQL): the test says it was skipped and
/// passes. When the variable is set but the server cannot be reached, this panics: the test command
/// started a server, so the tests must not pass silently without it.
pub async fn test_database(label: &str) -> Option<String> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let Ok(server) = std::env::var(TEST_SERVER_VAR) else {
        eprintln!("skipped: {TEST_SERVER_VAR} is not set, so there is no PostgreSQL to test against (scripts/test starts one)");
        return None;
    };
    let mut conn = PgConnectOptions::from_str(&server)
        .unwrap_or_else(|e| panic!("{TEST_SERVER_VAR}={server} is not a PostgreSQL URL: {e}"))
        .log_statements(tracing::log::LevelFilter::Off)
        .connect()
        .await
        .unwrap_or_else(|e| panic!("{TEST_SERVER_VAR}={server} is set but that PostgreSQL cannot be reached: {e}"));
    let label: String = label.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).take(30).collect();
    let name = format!("waymark_{label}_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    conn.execute(format!("create database \"{name}\"").as_str())
        .await
        .unwrap_or_else(|e| panic!("could not create the test database {name} on {server}: {e}"));
    let _ = conn.close().await;
    let base = server.split('?').next().unwrap_or(&server);
    let base = base.rsplit_once('/').map(|(b, _)| b).filter(|b| !b.ends_with('/')).unwrap_or(base);
    Some(format!("{base}/{name}"))
}

/// For tests: a connection to `url` as the owner.
pub async fn connect(url: &str) -> Result<PgConnection> {
    PgConnection::connect(url).await.map_err(|e| open_error(url, describe(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_appears_in_a_displayed_address() {
        assert_eq!(redact("postgres://waymark:s3cret@db.example:5432/waymark"), "postgres://waymark:***@db.example:5432/waymark");
        assert_eq!(redact("postgres://waymark@127.0.0.1:5432/waymark"), "postgres://waymark@127.0.0.1:5432/waymark");
        assert!(is_postgres_url("postgresql://x/y"));
        assert!(!is_postgres_url("/var/lib/waymark/waymark.db"));
    }
}
