//! Backups that restore (issue 14 item 6, `docs/backup.md`).
//!
//! A backup is two SQLite files, named as a store's are: `FILE` (the main database) and
//! `FILE-read-audit` (the read-audit database, ADR 0014). Each is written by `VACUUM INTO`, SQLite's
//! online copy: a consistent snapshot of one committed state, taken while the service runs (writers
//! wait only for the copy's read), compacted, and without a write-ahead log beside it.
//!
//! A restore refuses a file that is not a Waymark database (integrity check, migration table) and a
//! target that already holds records unless forced; it writes the copies beside the target, checks
//! every table's row count against the backup, and only then renames them into place. The store is then
//! opened, so a backup from an older release is migrated forward.

use crate::sqlite::{db, read_audit_path};
use crate::{Clock, Result, SqliteStore, StoreError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a backup or restore wrote: each file and the rows of each of its tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub main: PathBuf,
    pub read_audit: PathBuf,
    /// Rows per table of the main database, then of the read-audit database (`read_audit.audit_log`).
    pub tables: BTreeMap<String, i64>,
}

impl BackupReport {
    /// Every row in both files.
    pub fn rows(&self) -> i64 {
        self.tables.values().sum()
    }
}

fn utf8(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| StoreError::Invalid(format!("the path {} is not UTF-8", path.display())))
}

fn refuse_existing(path: &Path) -> Result<()> {
    if path.exists() {
        return Err(StoreError::Invalid(format!(
            "{} already exists: give a new file name (a backup never overwrites a file)",
            path.display()
        )));
    }
    Ok(())
}

impl SqliteStore {
    /// Write a backup of the whole store to `out` and `out-read-audit`, neither of which may exist.
    pub async fn backup_to(&self, out: &Path) -> Result<BackupReport> {
        let reads = PathBuf::from(read_audit_path(out));
        refuse_existing(out)?;
        refuse_existing(&reads)?;
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(StoreError::Invalid(format!("the folder {} does not exist", parent.display())));
            }
        }
        sqlx::query("vacuum into ?").bind(utf8(out)?).execute(&self.pool).await.map_err(db)?;
        let copied = sqlx::query("vacuum into ?").bind(utf8(&reads)?).execute(&self.reads).await.map_err(db);
        if let Err(e) = copied {
            let _ = std::fs::remove_file(out);
            return Err(e);
        }
        let tables = verified_counts(out, &reads).await?;
        tracing::info!(rows = tables.values().sum::<i64>(), "backup written");
        Ok(BackupReport { main: out.to_owned(), read_audit: reads, tables })
    }
}

/// Open one SQLite file read-only, checking it is sound.
async fn open_read_only(path: &Path) -> Result<SqliteConnection> {
    if !path.is_file() {
        return Err(StoreError::Invalid(format!("{} does not exist or is not a file", path.display())));
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .map_err(|e| StoreError::Invalid(format!("{} cannot be opened as a database: {e}", path.display())))?;
    let findings: Vec<String> = sqlx::query_scalar("pragma integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|_| StoreError::Invalid(format!("{} is not a SQLite database", path.display())))?;
    if findings != ["ok"] {
        return Err(StoreError::Invalid(format!("{} is damaged: {}", path.display(), findings.join("; "))));
    }
    Ok(conn)
}

/// Rows per table of one database (tables of SQLite itself left out).
async fn counts(conn: &mut SqliteConnection) -> Result<BTreeMap<String, i64>> {
    let tables: Vec<String> =
        sqlx::query_scalar("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
    let mut out = BTreeMap::new();
    for t in tables {
        let n: i64 =
            sqlx::query_scalar(&format!("select count(*) from \"{}\"", t.replace('"', "\"\""))).fetch_one(&mut *conn).await.map_err(db)?;
        out.insert(t, n);
    }
    Ok(out)
}

/// Both files of a backup opened, checked and counted; the read-audit tables are prefixed `read_audit.`.
async fn verified_counts(main: &Path, reads: &Path) -> Result<BTreeMap<String, i64>> {
    let mut conn = open_read_only(main).await?;
    let is_waymark: Option<String> =
        sqlx::query_scalar("select name from sqlite_master where type = 'table' and name = '_sqlx_migrations'")
            .fetch_optional(&mut conn)
            .await
            .map_err(db)?;
    if is_waymark.is_none() {
        return Err(StoreError::Invalid(format!("{} is not a Waymark database (it has no migration history)", main.display())));
    }
    let mut tables = counts(&mut conn).await?;
    conn.close().await.map_err(db)?;
    let mut conn = open_read_only(reads).await.map_err(|e| match e {
        StoreError::Invalid(m) => StoreError::Invalid(format!("the backup's read-audit file: {m}")),
        e => e,
    })?;
    for (t, n) in counts(&mut conn).await? {
        tables.insert(format!("read_audit.{t}"), n);
    }
    conn.close().await.map_err(db)?;
    Ok(tables)
}

/// Rows held by the store at `path` (0 when there is no file).
async fn rows_held(path: &Path) -> Result<i64> {
    if !path.exists() {
        return Ok(0);
    }
    let mut conn = open_read_only(path).await?;
    let n = counts(&mut conn).await?.into_iter().filter(|(t, _)| t != "_sqlx_migrations").map(|(_, n)| n).sum();
    conn.close().await.map_err(db)?;
    Ok(n)
}

/// Restore the backup `backup` (with `backup-read-audit`) as the store at `target`. Refused if the
/// backup is not a sound Waymark backup, or if `target` already holds records and `force` is false.
/// The service must be stopped while a store is restored.
pub async fn restore(backup: &Path, target: &Path, force: bool, clock: Arc<dyn Clock>) -> Result<BackupReport> {
    let backup_reads = PathBuf::from(read_audit_path(backup));
    let expected = verified_counts(backup, &backup_reads).await?;
    if target.is_dir() {
        return Err(StoreError::Invalid(format!("{} is a directory; give the path of the database file", target.display())));
    }
    let held = rows_held(target).await?;
    if held > 0 && !force {
        return Err(StoreError::Invalid(format!(
            "{} already holds {held} records: restore into a new file, or add --force to replace them",
            target.display()
        )));
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| StoreError::Invalid(format!("cannot create the folder {}: {e}", parent.display())))?;
    }
    // Copies beside the target first; the target is replaced only once both are checked.
    let staged = PathBuf::from(format!("{}.restoring", target.display()));
    let staged_reads = PathBuf::from(read_audit_path(&staged));
    remove_database_files(&staged)?;
    remove_database_files(&staged_reads)?;
    for (from, to) in [(backup, &staged), (backup_reads.as_path(), &staged_reads)] {
        let mut conn = open_read_only(from).await?;
        sqlx::query("vacuum into ?").bind(utf8(to)?).execute(&mut conn).await.map_err(db)?;
        conn.close().await.map_err(db)?;
    }
    let copied = verified_counts(&staged, &staged_reads).await?;
    if copied != expected {
        remove_database_files(&staged)?;
        remove_database_files(&staged_reads)?;
        return Err(StoreError::Corrupt("the restored copy's row counts differ from the backup's: nothing was replaced".into()));
    }
    let target_reads = PathBuf::from(read_audit_path(target));
    remove_database_files(target)?;
    remove_database_files(&target_reads)?;
    std::fs::rename(&staged, target).map_err(|e| StoreError::Database(format!("cannot move the restored database into place: {e}")))?;
    std::fs::rename(&staged_reads, &target_reads)
        .map_err(|e| StoreError::Database(format!("cannot move the restored read-audit database into place: {e}")))?;
    // Opening applies any migration newer than the backup, then the whole store is checked.
    let store = SqliteStore::open(target, clock).await?;
    store.integrity_check().await?;
    store.close().await;
    tracing::info!(rows = expected.values().sum::<i64>(), "store restored");
    Ok(BackupReport { main: target.to_owned(), read_audit: target_reads, tables: expected })
}

/// A database file and its write-ahead log and shared memory, if present.
fn remove_database_files(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::Database(format!("cannot remove {}: {e}", p.display()))),
        }
    }
    Ok(())
}
