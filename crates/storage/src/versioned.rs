//! The one versioned write: every record with a version and an append-only history is changed here,
//! in the caller's transaction, in the same four steps whatever the table:
//!
//! 1. read the current version (and whether the new values equal the stored ones);
//! 2. refuse a stale change ([`StoreError::Conflict`], nothing written) or skip an unchanged one;
//! 3. insert the record at version 1, or update it to the next version where it still has the version
//!    read (a second guard against a lost update);
//! 4. append the version to its history table with who, when and why, and write the audit entry.
//!
//! A second backend implements this function once, not once per module.

use crate::sqlite::{db, write_audit, Audit};
use crate::{Actor, Result, StoreError};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

/// A value to bind: the column types Waymark's versioned tables use.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Val<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    Real(Option<f64>),
}

fn bind<'a>(q: &mut QueryBuilder<'a, Sqlite>, v: Val<'a>) {
    match v {
        Val::Text(s) => q.push_bind(s),
        Val::OptText(s) => q.push_bind(s),
        Val::Real(x) => q.push_bind(x),
    };
}

/// Which version the change was based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    /// The version the writer read (`None`: the record must not exist yet); anything else is a conflict.
    Version(Option<i64>),
    /// Whatever is stored now (the caller holds the write lock and writes whole values, as the targets
    /// and manual values do).
    Latest,
}

/// One versioned change of one record.
pub(crate) struct VersionedWrite<'a> {
    /// The record's table and its append-only history table.
    pub table: &'static str,
    pub history: &'static str,
    /// What the record is called in a conflict, and its id there.
    pub what: &'static str,
    pub id: String,
    /// The key columns, in both tables.
    pub key: Vec<(&'static str, Val<'a>)>,
    /// The record's other columns.
    pub columns: Vec<(&'static str, Val<'a>)>,
    /// The history's columns besides the key, version, time, actor and reason.
    pub history_columns: Vec<(&'static str, Val<'a>)>,
    /// The record table's timestamp columns set on insert (`updated_at` is always set on update).
    pub created: &'static [&'static str],
    pub expect: Expect,
    /// Write nothing when the columns already hold these values; with `absent_is_unchanged`, also when
    /// there is no record (a value cleared that was never set).
    pub skip_unchanged: bool,
    pub absent_is_unchanged: bool,
    pub audit: Option<Audit<'a>>,
}

/// Write `w` in `conn` (a transaction holding the write lock). Returns the new version, or `None` when
/// nothing changed and nothing was written.
pub(crate) async fn write_versioned(
    conn: &mut SqliteConnection,
    w: VersionedWrite<'_>,
    now: &str,
    actor: &Actor,
    reason: &str,
) -> Result<Option<i64>> {
    // 1. The current version, and whether the stored columns equal the new ones (`is` matches nulls).
    let mut q = QueryBuilder::<Sqlite>::new("select version, ");
    if w.columns.is_empty() {
        q.push("0");
    } else {
        for (i, (name, v)) in w.columns.iter().enumerate() {
            q.push(if i == 0 { "(" } else { " and (" }).push(*name).push(" is ");
            bind(&mut q, *v);
            q.push(")");
        }
    }
    q.push(" from ").push(w.table).push(" where ");
    push_key(&mut q, &w.key);
    let current: Option<(i64, bool)> = q.build_query_as().fetch_optional(&mut *conn).await.map_err(db)?;

    // 2. Stale or unchanged.
    if let Expect::Version(expected) = w.expect {
        let found = current.map(|(v, _)| v);
        if found != expected {
            tracing::info!(
                record = w.what,
                expected = expected.unwrap_or(0),
                current = found.unwrap_or(0),
                "version conflict: nothing written"
            );
            return Err(StoreError::Conflict { what: w.what, id: w.id, expected: expected.unwrap_or(0), current: found.unwrap_or(0) });
        }
    }
    if w.skip_unchanged && current.map_or(w.absent_is_unchanged, |(_, same)| same) {
        return Ok(None);
    }

    // 3. Insert at version 1, or move on from the version read.
    let version = match current {
        None => {
            let mut q = QueryBuilder::<Sqlite>::new("insert into ");
            q.push(w.table).push(" (");
            let names: Vec<&str> =
                w.key.iter().chain(&w.columns).map(|(n, _)| *n).chain(["version", "updated_at"]).chain(w.created.iter().copied()).collect();
            q.push(names.join(", ")).push(") values (");
            let mut sep = q.separated(", ");
            for (_, v) in w.key.iter().chain(&w.columns) {
                bind_sep(&mut sep, *v);
            }
            sep.push_bind(1_i64);
            for _ in 0..=w.created.len() {
                sep.push_bind(now);
            }
            q.push(")");
            q.build().execute(&mut *conn).await.map_err(db)?;
            1
        }
        Some((read, _)) => {
            let mut q = QueryBuilder::<Sqlite>::new("update ");
            q.push(w.table).push(" set ");
            for (name, v) in &w.columns {
                q.push(*name).push(" = ");
                bind(&mut q, *v);
                q.push(", ");
            }
            q.push("version = ").push_bind(read + 1).push(", updated_at = ").push_bind(now).push(" where ");
            push_key(&mut q, &w.key);
            q.push(" and version = ").push_bind(read);
            if q.build().execute(&mut *conn).await.map_err(db)?.rows_affected() != 1 {
                // Unreachable while the write lock is held from the start; kept as a second guard.
                return Err(StoreError::Conflict { what: w.what, id: w.id, expected: read, current: read + 1 });
            }
            read + 1
        }
    };

    // 4. The history row, then the audit entry.
    let mut q = QueryBuilder::<Sqlite>::new("insert into ");
    q.push(w.history).push(" (");
    let names: Vec<&str> = w
        .key
        .iter()
        .map(|(n, _)| *n)
        .chain(["version"])
        .chain(w.history_columns.iter().map(|(n, _)| *n))
        .chain(["recorded_at", "actor", "reason"])
        .collect();
    q.push(names.join(", ")).push(") values (");
    let mut sep = q.separated(", ");
    for (_, v) in &w.key {
        bind_sep(&mut sep, *v);
    }
    sep.push_bind(version);
    for (_, v) in &w.history_columns {
        bind_sep(&mut sep, *v);
    }
    sep.push_bind(now).push_bind(actor.label.trim()).push_bind(reason);
    q.push(")");
    q.build().execute(&mut *conn).await.map_err(db)?;
    if let Some(audit) = w.audit {
        write_audit(conn, now, audit).await?;
    }
    Ok(Some(version))
}

fn bind_sep<'q, 'a>(sep: &mut sqlx::query_builder::Separated<'q, 'a, Sqlite, &'static str>, v: Val<'a>) {
    match v {
        Val::Text(s) => sep.push_bind(s),
        Val::OptText(s) => sep.push_bind(s),
        Val::Real(x) => sep.push_bind(x),
    };
}

fn push_key<'a>(q: &mut QueryBuilder<'a, Sqlite>, key: &[(&'static str, Val<'a>)]) {
    for (i, (name, v)) in key.iter().enumerate() {
        if i > 0 {
            q.push(" and ");
        }
        q.push(*name).push(" = ");
        bind(q, *v);
    }
}
