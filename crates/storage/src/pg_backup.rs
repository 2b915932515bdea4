//! Backups of a PostgreSQL store (issue 14 item 6, ADR 0037): `pg_dump` and `pg_restore`, PostgreSQL's
//! own tools, with a check that the restore holds what the backup held.
//!
//! A backup is two files: `FILE`, `pg_dump`'s custom-format archive of the whole database (the main tables
//! and the `read_audit` schema), and `FILE-checksums`, every table's row count and checksum. Both describe
//! the same committed state: the checksums are computed inside a repeatable-read transaction whose
//! snapshot `pg_dump` is given (`--snapshot`), so the service can keep running while it is taken.
//!
//! A restore refuses a target that holds records unless forced, restores in one transaction
//! (`--single-transaction --exit-on-error`: a failure leaves the target as it was), brings the schema up
//! to date (a backup from an older release), and compares every table with `FILE-checksums`.
//!
//! The database's password is never put on a command line (other users of the machine can read those):
//! it is handed to `pg_dump` and `pg_restore` in `PGPASSWORD`.

use crate::migrate::{postgres_checksums, postgres_tables_with_records, TableSum};
use crate::postgres::{connect, pg, redact, PostgresDatabase};
use crate::{Result, StoreError};
use sqlx::{Connection, Executor};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a PostgreSQL backup or restore wrote: the archive, its checksums file and every table's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgBackupReport {
    pub archive: PathBuf,
    pub checksums: PathBuf,
    pub tables: BTreeMap<String, TableSum>,
}

impl PgBackupReport {
    pub fn rows(&self) -> i64 {
        self.tables.values().map(|t| t.rows).sum()
    }
}

/// The checksums file beside a backup archive.
pub fn checksums_path(archive: &Path) -> PathBuf {
    PathBuf::from(format!("{}-checksums", archive.display()))
}

/// A PostgreSQL program (`pg_dump`, `pg_restore`): on the PATH, else in Debian's folders.
fn program(name: &str) -> Result<PathBuf> {
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path().join("bin").join(name)).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    versions.sort();
    versions.pop().ok_or_else(|| {
        StoreError::Invalid(format!(
            "{name} was not found: install PostgreSQL's client programs (Debian: apt-get install postgresql-client)"
        ))
    })
}

/// `url` without its password, and the password (percent-decoded) for `PGPASSWORD`.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else { return (url.to_owned(), None) };
    let Some((credentials, host)) = rest.rsplit_once('@') else { return (url.to_owned(), None) };
    match credentials.split_once(':') {
        Some((user, password)) => (format!("{scheme}://{user}@{host}"), Some(percent_decode(password))),
        None => (url.to_owned(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Run a PostgreSQL program against `url`; its standard error becomes the message of a failure.
fn run(name: &str, url: &str, args: &[&str]) -> Result<()> {
    let (address, password) = split_password(url);
    let mut command = Command::new(program(name)?);
    command.args(args).arg(format!("--dbname={address}"));
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command.output().map_err(|e| StoreError::Database(format!("{name} could not be started: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(StoreError::Database(format!("{name} failed: {}", stderr.trim().replace(url, &redact(url)))));
    }
    Ok(())
}

fn write_checksums(path: &Path, tables: &BTreeMap<String, TableSum>) -> Result<()> {
    let mut text = String::from("# Waymark backup checksums: table, rows, checksum (see waymark_storage::migrate)\n");
    for (table, sum) in tables {
        text.push_str(&format!("{table}\t{}\t{:032x}\n", sum.rows, sum.checksum));
    }
    std::fs::write(path, text).map_err(|e| StoreError::Database(format!("cannot write {}: {e}", path.display())))
}

fn read_checksums(path: &Path) -> Result<BTreeMap<String, TableSum>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| StoreError::Invalid(format!("cannot read {} (written beside every backup): {e}", path.display())))?;
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty()) {
        let bad = || StoreError::Invalid(format!("{} line {}: expected a table, its rows and its checksum", path.display(), n + 1));
        let mut parts = line.split('\t');
        let (Some(table), Some(rows), Some(checksum), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let rows = rows.parse().map_err(|_| bad())?;
        let checksum = u128::from_str_radix(checksum, 16).map_err(|_| bad())?;
        out.insert(table.to_owned(), TableSum { rows, checksum });
    }
    Ok(out)
}

impl PostgresDatabase {
    /// Write a backup of the whole database to `out` (and `out-checksums`), neither of which may exist.
    pub async fn backup_to(&self, out: &Path) -> Result<PgBackupReport> {
        let sums_path = checksums_path(out);
        for p in [out, sums_path.as_path()] {
            if p.exists() {
                return Err(StoreError::Invalid(format!(
                    "{} already exists: give a new file name (a backup never overwrites a file)",
                    p.display()
                )));
            }
        }
        let out_text = out.to_str().ok_or_else(|| StoreError::Invalid(format!("the path {} is not UTF-8", out.display())))?;
        let mut conn = connect(self.url()).await?;
        let mut tx = conn.begin().await.map_err(pg)?;
        tx.execute("set transaction isolation level repeatable read, read only").await.map_err(pg)?;
        let snapshot: String = sqlx::query_scalar("select pg_export_snapshot()").fetch_one(&mut *tx).await.map_err(pg)?;
        let dumped = run("pg_dump", self.url(), &["--format=custom", "--snapshot", &snapshot, "--file", out_text]);
        if let Err(e) = dumped {
            let _ = std::fs::remove_file(out);
            return Err(e);
        }
        let tables = crate::migrate::checksums_in(&mut tx).await;
        tx.rollback().await.map_err(pg)?;
        let tables = match tables {
            Ok(t) => t,
            Err(e) => {
                let _ = std::fs::remove_file(out);
                return Err(e);
            }
        };
        write_checksums(&sums_path, &tables)?;
        tracing::info!(rows = tables.values().map(|t| t.rows).sum::<i64>(), "backup written");
        Ok(PgBackupReport { archive: out.to_owned(), checksums: sums_path, tables })
    }
}

/// Restore the backup `archive` (with `archive-checksums`) into the PostgreSQL database at `url`, which
/// must hold no records unless `force`. The service must be stopped while a store is restored.
pub async fn restore_postgres(archive: &Path, url: &str, force: bool) -> Result<PgBackupReport> {
    if !archive.is_file() {
        return Err(StoreError::Invalid(format!("{} does not exist or is not a file", archive.display())));
    }
    let sums_path = checksums_path(archive);
    let expected = read_checksums(&sums_path)?;
    let archive_text = archive.to_str().ok_or_else(|| StoreError::Invalid(format!("the path {} is not UTF-8", archive.display())))?;
    run("pg_restore", url, &["--list", archive_text])
        .map_err(|_| StoreError::Invalid(format!("{} is not a PostgreSQL backup (pg_dump's custom format)", archive.display())))?;
    let mut conn = connect(url).await?;
    let held = postgres_tables_with_records(&mut conn).await.unwrap_or_default();
    if !held.is_empty() && !force {
        return Err(StoreError::Invalid(format!(
            "{} already holds records (in {}): restore into an empty database, or add --force to replace them",
            redact(url),
            held.join(", ")
        )));
    }
    // The application's role belongs to the cluster, not the database: a new cluster may not have it yet.
    conn.execute(
        "do $$ begin if not exists (select from pg_roles where rolname = 'waymark_app') then create role waymark_app nologin; end if; end $$",
    )
    .await
    .map_err(pg)?;
    let _ = conn.close().await;
    run("pg_restore", url, &["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", archive_text])?;
    // A backup from an older release is brought up to date; then every table is compared with the backup.
    let db = PostgresDatabase::open(url).await?;
    db.close().await;
    let restored = postgres_checksums(url).await?;
    let differing: Vec<String> = expected
        .iter()
        .filter(|(t, sum)| restored.get(*t) != Some(*sum))
        .map(|(t, sum)| format!("{t} (backup: {sum}; restored: {})", restored.get(t).copied().unwrap_or_default()))
        .collect();
    if !differing.is_empty() {
        return Err(StoreError::Corrupt(format!(
            "the restored database differs from the backup in {}: do not use it; restore again from a sound backup",
            differing.join(", ")
        )));
    }
    tracing::info!(rows = expected.values().map(|t| t.rows).sum::<i64>(), "store restored");
    Ok(PgBackupReport { archive: archive.to_owned(), checksums: sums_path, tables: expected })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_goes_to_the_environment_not_the_command_line() {
        assert_eq!(
            split_password("postgres://waymark:p%40ss@db:5432/waymark"),
            ("postgres://waymark@db:5432/waymark".to_owned(), Some("p@ss".to_owned()))
        );
        assert_eq!(split_password("postgres://waymark@db/waymark"), ("postgres://waymark@db/waymark".to_owned(), None));
    }

    #[test]
    fn checksums_read_back_as_written_and_a_damaged_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b-checksums");
        let tables = BTreeMap::from([("child".to_owned(), TableSum { rows: 3, checksum: 0xabc }), ("x".to_owned(), TableSum::default())]);
        write_checksums(&path, &tables).unwrap();
        assert_eq!(read_checksums(&path).unwrap(), tables);
        std::fs::write(&path, "child\t3\n").unwrap();
        assert!(read_checksums(&path).unwrap_err().to_string().contains("line 1"));
    }
}
