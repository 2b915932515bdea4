//! What the operators' endpoints ask of the store (`/readyz`, `/metrics` in the web crate): whether it
//! can serve, and a few counters. Counts and ids only: never personal data.

use crate::sqlite::{db, MIGRATOR};
use crate::{Result, SqliteStore, StoreError};

/// Counters for monitoring, read when scraped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpsCounts {
    /// Fact and reference-data imports recorded (`import_run`).
    pub imports: i64,
    /// Rows those imports read (checked and written or found unchanged).
    pub import_rows: i64,
    /// The schema migrations applied.
    pub migrations: i64,
}

impl SqliteStore {
    /// Ready to serve: both databases answer, and every schema migration this release carries has been
    /// applied (none missing, none failed). The error says which check failed, in words.
    pub async fn readiness(&self) -> Result<()> {
        let applied: Vec<i64> = sqlx::query_scalar("select version from _sqlx_migrations where success = 1 order by version")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let known: Vec<i64> = MIGRATOR.iter().filter(|m| m.migration_type.is_up_migration()).map(|m| m.version).collect();
        if applied != known {
            return Err(StoreError::Database(format!(
                "the database schema is not current: {} of this release's {} migrations are applied",
                applied.iter().filter(|v| known.contains(v)).count(),
                known.len()
            )));
        }
        let _: i64 = sqlx::query_scalar("select 1").fetch_one(&self.reads).await.map_err(db)?;
        Ok(())
    }

    /// Counters for `/metrics`.
    pub async fn ops_counts(&self) -> Result<OpsCounts> {
        let (imports, import_rows, migrations): (i64, i64, i64) = sqlx::query_as(
            "select (select count(*) from import_run), \
             (select coalesce(sum(rows), 0) from import_run), \
             (select count(*) from _sqlx_migrations where success = 1)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(OpsCounts { imports, import_rows, migrations })
    }
}
