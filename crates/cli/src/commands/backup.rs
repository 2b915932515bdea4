//! `waymark backup --out FILE` and `waymark restore FILE --db PATH [--force]` (issue 14 item 6,
//! `docs/backup.md`). A backup is `FILE` and `FILE-read-audit`, SQLite's online copy of the store and
//! of its read-audit database; a restore checks the backup, refuses to replace a store that holds records
//! unless `--force`, and verifies every table's row count before moving the copy into place.
//!
//! With `--db postgres://...` (ADR 0037), a backup is `FILE`, `pg_dump`'s archive, and `FILE-checksums`,
//! every table's rows and checksum in the same snapshot; a restore runs `pg_restore` in one transaction
//! and compares every table with `FILE-checksums`.

use crate::commands::store::{block_on, open_store, store_failure, system_clock, StoreArgs};
use crate::paths::DbArg;
use crate::Failure;
use std::path::PathBuf;
use waymark_storage::postgres::{is_postgres_url, PostgresDatabase};
use waymark_storage::{BackupReport, PgBackupReport};

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The backup file to write (it must not exist); the read-audit database goes to FILE-read-audit.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file (as `waymark backup --out` wrote it, with FILE-read-audit beside it).
    #[arg(value_name = "FILE")]
    backup: PathBuf,
    #[command(flatten)]
    db: DbArg,
    /// Replace a store that already holds records.
    #[arg(long)]
    force: bool,
}

fn summary(report: &BackupReport) -> String {
    let tables = report.tables.values().filter(|n| **n > 0).count();
    format!("{} rows in {tables} tables ({} and {})", report.rows(), report.main.display(), report.read_audit.display())
}

fn pg_summary(report: &PgBackupReport) -> String {
    let tables = report.tables.values().filter(|t| t.rows > 0).count();
    format!("{} rows in {tables} tables ({} and {})", report.rows(), report.archive.display(), report.checksums.display())
}

/// The `--db` value when it names a PostgreSQL database.
fn postgres_url(db: &DbArg) -> Option<String> {
    db.db.as_ref().and_then(|p| p.to_str()).filter(|s| is_postgres_url(s)).map(str::to_owned)
}

pub fn backup(args: BackupArgs) -> Result<(), Failure> {
    if let Some(url) = postgres_url(&args.store.db) {
        return block_on(async move {
            let db = PostgresDatabase::open(&url).await.map_err(store_failure)?;
            let report = db.backup_to(&args.out).await.map_err(store_failure)?;
            db.close().await;
            println!("Backed up {}", pg_summary(&report));
            Ok(())
        });
    }
    block_on(async move {
        if !args.store.db.path().exists() {
            return Err(Failure::input(format!("there is no database at {}", args.store.db.path().display())));
        }
        let store = open_store(&args.store).await?;
        let report = store.backup_to(&args.out).await.map_err(store_failure)?;
        store.close().await;
        println!("Backed up {}", summary(&report));
        Ok(())
    })
}

pub fn restore(args: RestoreArgs) -> Result<(), Failure> {
    if let Some(url) = postgres_url(&args.db) {
        return block_on(async move {
            let report = waymark_storage::restore_postgres(&args.backup, &url, args.force).await.map_err(store_failure)?;
            println!("Restored {}; every table's row count and checksum match the backup's", pg_summary(&report));
            Ok(())
        });
    }
    block_on(async move {
        let target = args.db.path();
        let report = waymark_storage::restore(&args.backup, &target, args.force, system_clock()).await.map_err(store_failure)?;
        println!("Restored {}", summary(&report));
        Ok(())
    })
}
