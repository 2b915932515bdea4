//! The SQLite backend: the only module that knows SQL.
//!
//! One database file, opened in WAL mode with `synchronous=FULL` (a committed change survives a crash
//! or power cut), `foreign_keys=ON` and a 5-second busy timeout. The schema's migrations
//! (`crates/storage/migrations/`) are embedded in the binary and applied on open.
//!
//! Every operation that writes (and every audited read, since it writes an audit row) runs in one
//! transaction begun with `BEGIN IMMEDIATE`, which takes SQLite's write lock before reading anything.
//! The version check and the change therefore happen under one lock: two writers cannot both pass the
//! check, and the later one gets [`StoreError::Conflict`]. A process that dies before `COMMIT` leaves
//! nothing behind.

use crate::versioned::{write_versioned, Expect, Val, VersionedWrite};
use crate::{
    Actor, AuditAction, AuditEntry, AuditFilter, CaseSummary, ChildChange, ChildKey, Clock, RecordedEvent, Result, Store, StoreError,
    Versioned, MAX_ACTOR_LABEL,
};
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;
use waymark_domain::case::{Case, CaseEvent};
use waymark_domain::child::{Child, NewChild};
use waymark_domain::identifiers::LaCode;
use waymark_domain::ids::{CaseId, ChildId};

pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How long a writer waits for another's transaction to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections in a file database's pool (WAL lets readers run beside the one writer).
const POOL_SIZE: u32 = 4;
/// The longest reason the store accepts.
const MAX_REASON: usize = 4000;
/// The most events one call may record.
const MAX_EVENTS_PER_CALL: usize = 1000;

/// A [`Store`] in one SQLite database file.
#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    /// The read-audit database (ADR 0014): its own file, so a read's audit entry never waits for the
    /// main database's write lock.
    pub(crate) reads: SqlitePool,
    pub(crate) clock: Arc<dyn Clock>,
    path: Option<PathBuf>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Open the database at `path`, creating it (and its parent directories) if missing, and bring its
    /// schema up to date. Opening an up-to-date database again changes nothing.
    pub async fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        let open_err = |message: String| StoreError::Open { path: path.to_owned(), message };
        if path.as_os_str().is_empty() {
            return Err(open_err("no file name was given".into()));
        }
        if path.is_dir() {
            return Err(open_err("this is a directory; give the path of a database file inside it".into()));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| open_err(format!("could not create the directory {}: {e}", parent.display())))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let reads = read_audit_path(path);
        let pool = SqlitePoolOptions::new()
            .max_connections(POOL_SIZE)
            .connect_with(options)
            .await
            .map_err(|e| open_err(describe_open_error(&e)))?;
        migrate(&pool).await.map_err(open_err)?;
        let reads_options = SqliteConnectOptions::new()
            .filename(&reads)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT);
        let reads =
            SqlitePoolOptions::new().max_connections(2).connect_with(reads_options).await.map_err(|e| open_err(describe_open_error(&e)))?;
        sqlx::raw_sql(READ_AUDIT_SCHEMA).execute(&reads).await.map_err(|e| open_err(describe_open_error(&e)))?;
        tracing::debug!("database opened and schema up to date");
        Ok(Self { pool, reads, clock, path: Some(path.to_owned()) })
    }

    /// A private database in memory, gone when the store is dropped: for tests and demonstrations.
    pub async fn open_in_memory(clock: Arc<dyn Clock>) -> Result<Self> {
        let open_err = |message: String| StoreError::Open { path: PathBuf::from(":memory:"), message };
        let options = SqliteConnectOptions::new().in_memory(true).foreign_keys(true);
        // One connection that is never closed: each in-memory connection is a separate database.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(|e| open_err(describe_open_error(&e)))?;
        migrate(&pool).await.map_err(open_err)?;
        let reads = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(SqliteConnectOptions::new().in_memory(true))
            .await
            .map_err(|e| open_err(describe_open_error(&e)))?;
        sqlx::raw_sql(READ_AUDIT_SCHEMA).execute(&reads).await.map_err(|e| open_err(describe_open_error(&e)))?;
        Ok(Self { pool, reads, clock, path: None })
    }

    /// The database file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Check the database file's structure (`PRAGMA integrity_check`) and that every reference between
    /// records resolves (`PRAGMA foreign_key_check`). `Ok(())` means both passed.
    pub async fn integrity_check(&self) -> Result<()> {
        let findings: Vec<String> = sqlx::query_scalar("pragma integrity_check").fetch_all(&self.pool).await.map_err(db)?;
        if findings != ["ok"] {
            return Err(StoreError::Corrupt(format!("the integrity check found: {}", findings.join("; "))));
        }
        let dangling = sqlx::query("pragma foreign_key_check").fetch_all(&self.pool).await.map_err(db)?;
        if !dangling.is_empty() {
            return Err(StoreError::Corrupt(format!("{} rows refer to records that do not exist", dangling.len())));
        }
        Ok(())
    }

    /// How many children the database holds (any scope): a bulk load checks it is loading into a
    /// database without people.
    pub async fn count_all_children(&self) -> Result<i64> {
        sqlx::query_scalar("select count(*) from child").fetch_one(&self.pool).await.map_err(db)
    }

    /// Write a consistent copy of the whole database to `path` (`VACUUM INTO`), which must not exist:
    /// a bulk load builds on the copy and replaces the database with it only when complete.
    pub async fn copy_into(&self, path: &Path) -> Result<()> {
        let text = path.to_str().ok_or_else(|| StoreError::Invalid("the copy's path is not UTF-8".into()))?;
        sqlx::query("vacuum into ?").bind(text).execute(&self.pool).await.map_err(db)?;
        Ok(())
    }

    /// Copy every committed change from the write-ahead log into the database file and empty the log,
    /// so the file alone holds the whole database (before it is moved).
    pub async fn checkpoint(&self) -> Result<()> {
        let row = sqlx::query("pragma wal_checkpoint(TRUNCATE)").fetch_one(&self.pool).await.map_err(db)?;
        let busy: i64 = row.try_get(0).map_err(db)?;
        if busy != 0 {
            return Err(StoreError::Database("the write-ahead log could not be checkpointed: the database is in use".into()));
        }
        Ok(())
    }

    /// Wait for work in progress to finish and close the database.
    pub async fn close(self) {
        self.pool.close().await;
        self.reads.close().await;
    }

    /// Begin a transaction for a read: it takes no lock on the main database (WAL readers never wait
    /// for a writer); its audit entry goes to the read-audit database ([`Self::write_read_audits`]).
    pub(crate) async fn begin_read(&self) -> Result<Transaction<'static, Sqlite>> {
        self.pool.begin().await.map_err(db)
    }

    /// Commit the audit entries of reads to the read-audit database, in one transaction (group
    /// commit). `main` is the read's own connection, for where the main log stands. An error means
    /// the reads must be refused: no read goes unaudited.
    pub(crate) async fn write_read_audits(&self, main: &mut SqliteConnection, entries: &[(String, Audit<'_>)]) -> Result<()> {
        let after: i64 = sqlx::query_scalar("select coalesce(max(audit_id), 0) from audit_log").fetch_one(&mut *main).await.map_err(db)?;
        let mut tx = self.reads.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        for (at, audit) in entries {
            sqlx::query(
                "insert into audit_log (at, actor, action, subject, la, child_id, case_id, after_audit_id) values (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(at)
            .bind(audit.actor.label.trim())
            .bind(audit.action.as_str())
            .bind(audit.subject)
            .bind(audit.la.map(|la| la.to_string()))
            .bind(audit.child.map(|id| id.to_string()))
            .bind(audit.case.map(|id| id.to_string()))
            .bind(after)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    /// Record a refused read of a child's record (issue 12: probing leaves a trace): who tried which
    /// child or case, under the subject `refused_<what>`, in the read-audit database. No LA is
    /// recorded (the record may not exist or be outside the actor's scope), so only administrators of
    /// every LA see these entries.
    pub async fn audit_refused_read(&self, actor: &Actor, what: &'static str, child: Option<ChildId>, case: Option<CaseId>) -> Result<()> {
        let subject = match what {
            "case" => "refused_case",
            "child" => "refused_child",
            _ => "refused_record",
        };
        let mut main = self.pool.acquire().await.map_err(db)?;
        let audit = Audit { action: AuditAction::Read, subject, la: None, child, case, actor };
        self.write_read_audits(&mut main, &[(self.now(), audit)]).await
    }

    /// One read's audit entry (see [`Self::write_read_audits`]).
    pub(crate) async fn write_read_audit(&self, main: &mut SqliteConnection, at: &str, audit: Audit<'_>) -> Result<()> {
        self.write_read_audits(main, &[(at.to_owned(), audit)]).await
    }

    /// Begin a transaction that holds the write lock from its first statement.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }

    pub(crate) fn now(&self) -> String {
        timestamp(self.clock.now())
    }
}

/// The read-audit database beside a database file: `<file>-read-audit`.
pub fn read_audit_path(path: &Path) -> String {
    format!("{}-read-audit", path.display())
}

/// The schema of the read-audit database (ADR 0014), a second SQLite file beside the main one. The
/// audit entries of reads live in their own file, so a read's entry never waits for the main
/// database's write lock, which an import may hold for minutes; entries of changes stay in the
/// main database, in the change's own transaction. Append-only, as `audit_log` is.
pub const READ_AUDIT_SCHEMA: &str = "\
create table if not exists audit_log (
    audit_id    integer primary key autoincrement,
    at          text not null,
    actor       text not null,
    action      text not null check (action = 'read'),
    subject     text not null,
    la          text,
    child_id    text,
    case_id     text,
    -- The newest entry of the main audit log when this read happened: the two logs interleave in order.
    after_audit_id integer not null
) strict;
create index if not exists read_audit_child on audit_log (child_id) where child_id is not null;
create index if not exists read_audit_case on audit_log (case_id) where case_id is not null;
create trigger if not exists read_audit_no_update before update on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
create trigger if not exists read_audit_no_delete before delete on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
";

async fn migrate(pool: &SqlitePool) -> std::result::Result<(), String> {
    MIGRATOR.run(pool).await.map_err(|e| match e {
        MigrateError::VersionMissing(v) => format!(
            "the database has schema migration {v}, which this version of Waymark does not know: \
             it was written by a newer version, so use that"
        ),
        MigrateError::VersionMismatch(v) => {
            format!("schema migration {v} in the database differs from the one built into this version of Waymark")
        }
        MigrateError::Execute(e) => format!("could not bring the schema up to date: {}", describe_open_error(&e)),
        other => format!("could not bring the schema up to date: {other}"),
    })
}

fn describe_open_error(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(d) if d.message().contains("not a database") => {
            "the file exists but is not a Waymark (SQLite) database".into()
        }
        sqlx::Error::Database(d) => d.message().to_owned(),
        other => other.to_string(),
    }
}

/// A database error as text, so that no sqlx type crosses the crate's boundary.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    StoreError::Database(match &e {
        sqlx::Error::Database(d) if d.message().contains("locked") || d.message().contains("busy") => {
            format!(
                "{} (the database was busy with other changes for more than {} seconds; try again)",
                d.message(),
                BUSY_TIMEOUT.as_secs()
            )
        }
        sqlx::Error::Database(d) => d.message().to_owned(),
        sqlx::Error::PoolTimedOut => "timed out waiting for a database connection".to_owned(),
        other => other.to_string(),
    })
}

/// RFC 3339 in UTC with microseconds: fixed width, so text order is time order.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_timestamp(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("'{text}' is not a timestamp")))
}

pub(crate) fn col<'r, T>(row: &'r SqliteRow, name: &str) -> Result<T>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(name).map_err(db)
}

pub(crate) fn parse_col<T: std::str::FromStr>(row: &SqliteRow, name: &str, what: &str) -> Result<T> {
    let text: String = col(row, name)?;
    text.parse().map_err(|_| StoreError::Corrupt(format!("'{text}' is not a valid {what}")))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T, what: &str) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("could not encode the {what}: {e}")))
}

pub(crate) fn child_from_json(text: &str, id: ChildId, version: i64) -> Result<Child> {
    let child: Child = serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("child {id} version {version}: {e}")))?;
    if child.id != id {
        return Err(StoreError::Corrupt(format!("child {id} version {version} holds the record of child {}", child.id)));
    }
    Ok(child)
}

pub(crate) fn event_from_json(text: &str, case: CaseId, seq: i64) -> Result<CaseEvent> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("case {case} event {seq}: {e}")))
}

/// Check the actor's label and the reason given for a change; the trimmed reason.
pub(crate) fn check_request(actor: &Actor, reason: Option<&str>) -> Result<String> {
    let label = actor.label.trim();
    if label.is_empty() {
        return Err(StoreError::Invalid("the actor's label must not be blank".into()));
    }
    if label.chars().count() > MAX_ACTOR_LABEL || label.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!("the actor's label must be at most {MAX_ACTOR_LABEL} characters on one line")));
    }
    let Some(reason) = reason else { return Ok(String::new()) };
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid("say why the change is made: the reason must not be blank".into()));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(StoreError::Invalid(format!("the reason must be at most {MAX_REASON} characters")));
    }
    Ok(reason.to_owned())
}

pub(crate) fn not_found(what: &'static str, id: impl fmt::Display) -> StoreError {
    StoreError::NotFound { what, id: id.to_string() }
}

pub(crate) fn conflict(what: &'static str, id: impl fmt::Display, expected: i64, current: i64) -> StoreError {
    tracing::info!(record = what, id = %id, expected, current, "version conflict: nothing written");
    StoreError::Conflict { what, id: id.to_string(), expected, current }
}

/// The LA to filter by: `None` for an actor who may see every LA.
pub(crate) fn scope_la(actor: &Actor) -> Option<String> {
    actor.scope.la().map(|la| la.to_string())
}

/// One audit row. Only ids and words: never personal data.
pub(crate) struct Audit<'a> {
    pub(crate) action: AuditAction,
    pub(crate) subject: &'static str,
    pub(crate) la: Option<LaCode>,
    pub(crate) child: Option<ChildId>,
    pub(crate) case: Option<CaseId>,
    pub(crate) actor: &'a Actor,
}

/// Write one audit row in the main database, in the change's own transaction. (Reads that are not
/// part of a change use [`SqliteStore::write_read_audit`].)
pub(crate) async fn write_audit(conn: &mut SqliteConnection, at: &str, audit: Audit<'_>) -> Result<()> {
    sqlx::query("insert into audit_log (at, actor, action, subject, la, child_id, case_id) values (?, ?, ?, ?, ?, ?, ?)")
        .bind(at)
        .bind(audit.actor.label.trim())
        .bind(audit.action.as_str())
        .bind(audit.subject)
        .bind(audit.la.map(|la| la.to_string()))
        .bind(audit.child.map(|id| id.to_string()))
        .bind(audit.case.map(|id| id.to_string()))
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// A child's current row, if it exists and is in the actor's scope.
pub(crate) async fn load_child(conn: &mut SqliteConnection, actor: &Actor, id: ChildId) -> Result<Versioned<Child>> {
    let row = sqlx::query("select version, data from child where child_id = ?1 and (?2 is null or la = ?2)")
        .bind(id.to_string())
        .bind(scope_la(actor))
        .fetch_optional(conn)
        .await
        .map_err(db)?
        .ok_or_else(|| not_found("child", id))?;
    let version: i64 = col(&row, "version")?;
    let data: String = col(&row, "data")?;
    Ok(Versioned { value: child_from_json(&data, id, version)?, version })
}

/// Append events to a case inside the caller's transaction: the version checked (when `expected` is
/// given), every event applied by the lifecycle first, then the events, the notifications they cause and
/// the audit entry written. Returns the case and its new version. Nothing is committed here.
#[allow(clippy::too_many_arguments)] // the write's context: who, which case, what, why, when
pub(crate) async fn append_case_events(
    tx: &mut SqliteConnection,
    actor: &Actor,
    case: CaseId,
    expected: Option<i64>,
    events: &[CaseEvent],
    reason: &str,
    now: &str,
    today: waymark_domain::calendar::Date,
) -> Result<(Case, i64)> {
    let row = load_case_row(&mut *tx, actor, case).await?;
    let expected_version = expected.unwrap_or(row.version);
    if row.version != expected_version {
        return Err(conflict("case", case, expected_version, row.version));
    }
    let stored = load_events(&mut *tx, case).await?;
    let mut current = replay(case, &row, &stored)?;
    for event in events {
        // The first refusal ends the call; the transaction is dropped, so nothing is written.
        current.apply(event.clone())?;
    }
    let added = i64::try_from(events.len()).unwrap_or(i64::MAX);
    let version = expected_version + added;
    let updated = sqlx::query("update ehc_case set version = ?, stage = ?, updated_at = ? where case_id = ? and version = ?")
        .bind(version)
        .bind(current.stage().name())
        .bind(now)
        .bind(case.to_string())
        .bind(expected_version)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if updated.rows_affected() != 1 {
        // Unreachable while the write lock is held from the start; kept as a second guard.
        return Err(conflict("case", case, expected_version, row.version));
    }
    for (seq, event) in (expected_version + 1..).zip(events) {
        insert_event(&mut *tx, case, seq, event, now, actor, reason).await?;
    }
    // The notifications these events cause commit with them, or not at all.
    let child = load_child(&mut *tx, actor, row.child).await?.value;
    crate::notifications::enqueue_for_events(&mut *tx, case, &child, &row.la.to_string(), events, now).await?;
    // Surveys set to go out at these points of the process go with them (issue 16).
    crate::surveys::send_for_events(&mut *tx, row.la, case, row.child, events, today, now).await?;
    let audit = Audit { action: AuditAction::Update, subject: "case", la: Some(row.la), child: Some(row.child), case: Some(case), actor };
    write_audit(&mut *tx, now, audit).await?;
    Ok((current, version))
}

/// A case's row (child, LA, version), if it exists and is in the actor's scope.
struct CaseRow {
    child: ChildId,
    la: LaCode,
    version: i64,
}

async fn load_case_row(conn: &mut SqliteConnection, actor: &Actor, id: CaseId) -> Result<CaseRow> {
    let row = sqlx::query("select child_id, la, version from ehc_case where case_id = ?1 and (?2 is null or la = ?2)")
        .bind(id.to_string())
        .bind(scope_la(actor))
        .fetch_optional(conn)
        .await
        .map_err(db)?
        .ok_or_else(|| not_found("case", id))?;
    Ok(CaseRow { child: parse_col(&row, "child_id", "child id")?, la: parse_col(&row, "la", "LA code")?, version: col(&row, "version")? })
}

/// A case's events with who recorded them, in order; checks they are numbered 1, 2, 3...
async fn load_events(conn: &mut SqliteConnection, id: CaseId) -> Result<Vec<RecordedEvent>> {
    let rows = sqlx::query("select seq, event, recorded_at, actor, reason from case_event where case_id = ? order by seq")
        .bind(id.to_string())
        .fetch_all(conn)
        .await
        .map_err(db)?;
    let mut events = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let seq: i64 = col(row, "seq")?;
        if usize::try_from(seq).ok() != Some(i + 1) {
            return Err(StoreError::Corrupt(format!("case {id} is missing event {}", i + 1)));
        }
        let event: String = col(row, "event")?;
        events.push(RecordedEvent {
            seq,
            event: event_from_json(&event, id, seq)?,
            recorded_at: parse_timestamp(&col::<String>(row, "recorded_at")?)?,
            actor_label: col(row, "actor")?,
            reason: col(row, "reason")?,
        });
    }
    Ok(events)
}

/// Rebuild a case from its stored events, checking there are as many as its version says.
fn replay(id: CaseId, row: &CaseRow, recorded: &[RecordedEvent]) -> Result<Case> {
    if i64::try_from(recorded.len()).ok() != Some(row.version) {
        return Err(StoreError::Corrupt(format!("case {id} is at version {} but has {} events", row.version, recorded.len())));
    }
    let events: Vec<CaseEvent> = recorded.iter().map(|r| r.event.clone()).collect();
    Case::replay(id, row.child, &events).map_err(|e| StoreError::Corrupt(format!("case {id} no longer replays: {e}")))
}

fn summary(row: &SqliteRow) -> Result<CaseSummary> {
    Ok(CaseSummary {
        case_id: parse_col(row, "case_id", "case id")?,
        child_id: parse_col(row, "child_id", "child id")?,
        la: parse_col(row, "la", "LA code")?,
        stage: col(row, "stage")?,
        version: col(row, "version")?,
        opened_at: parse_timestamp(&col::<String>(row, "created_at")?)?,
        updated_at: parse_timestamp(&col::<String>(row, "updated_at")?)?,
    })
}

/// The identifier columns, as the child's identifiers print.
pub(crate) fn identifier_columns(child: &Child) -> [Option<String>; 3] {
    [
        child.upn.as_ref().map(ToString::to_string),
        child.uln.as_ref().map(ToString::to_string),
        child.nhs_number.as_ref().map(ToString::to_string),
    ]
}

pub(crate) async fn insert_event(
    conn: &mut SqliteConnection,
    case: CaseId,
    seq: i64,
    event: &CaseEvent,
    at: &str,
    actor: &Actor,
    reason: &str,
) -> Result<()> {
    sqlx::query(
        "insert into case_event (case_id, seq, occurred_on, kind, event, recorded_at, actor, reason) \
         values (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(case.to_string())
    .bind(seq)
    .bind(event.date.to_string())
    .bind(event.type_name())
    .bind(to_json(event, "case event")?)
    .bind(at)
    .bind(actor.label.trim())
    .bind(reason)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

const SUMMARY_COLUMNS: &str = "case_id, child_id, la, stage, version, created_at, updated_at";

impl Store for SqliteStore {
    async fn create_child(&self, actor: &Actor, new: NewChild, reason: &str) -> Result<Versioned<Child>> {
        let reason = check_request(actor, Some(reason))?;
        if !actor.scope.permits(new.responsible_la) {
            return Err(StoreError::OutOfScope { la: new.responsible_la });
        }
        let id = ChildId::from_uuid(Uuid::new_v4());
        let child = Child::new(id, new, self.clock.today())?;
        let data = to_json(&child, "child")?;
        let [upn, uln, nhs_number] = identifier_columns(&child);
        let now = self.now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into child (child_id, la, version, data, upn, uln, nhs_number, created_at, updated_at) \
             values (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?7)",
        )
        .bind(id.to_string())
        .bind(child.responsible_la.to_string())
        .bind(&data)
        .bind(upn)
        .bind(uln)
        .bind(nhs_number)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query("insert into child_history (child_id, version, data, recorded_at, actor, reason) values (?, 1, ?, ?, ?, ?)")
            .bind(id.to_string())
            .bind(&data)
            .bind(&now)
            .bind(actor.label.trim())
            .bind(&reason)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let audit =
            Audit { action: AuditAction::Create, subject: "child", la: Some(child.responsible_la), child: Some(id), case: None, actor };
        write_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(child_id = %id, "child created");
        Ok(Versioned { value: child, version: 1 })
    }

    async fn get_child(&self, actor: &Actor, id: ChildId) -> Result<Versioned<Child>> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_read().await?;
        let child = load_child(&mut tx, actor, id).await?;
        let audit =
            Audit { action: AuditAction::Read, subject: "child", la: Some(child.value.responsible_la), child: Some(id), case: None, actor };
        self.write_read_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::debug!(child_id = %id, version = child.version, "child read");
        Ok(child)
    }

    async fn update_child(&self, actor: &Actor, child: &Child, expected_version: i64, reason: &str) -> Result<Versioned<Child>> {
        let reason = check_request(actor, Some(reason))?;
        let id = child.id;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let stored = load_child(&mut tx, actor, id).await?;
        if stored.version != expected_version {
            return Err(conflict("child", id, expected_version, stored.version));
        }
        if !actor.scope.permits(child.responsible_la) {
            return Err(StoreError::OutOfScope { la: child.responsible_la });
        }
        if child.date_of_birth != stored.value.date_of_birth {
            // A changed date of birth meets the same rules as a new record's.
            child.check_age(self.clock.today())?;
        }
        let data = to_json(child, "child")?;
        let [upn, uln, nhs_number] = identifier_columns(child);
        let (child_id, la) = (id.to_string(), child.responsible_la.to_string());
        let write = VersionedWrite {
            table: "child",
            history: "child_history",
            what: "child",
            id: child_id.clone(),
            key: vec![("child_id", Val::Text(&child_id))],
            columns: vec![
                ("la", Val::Text(&la)),
                ("data", Val::Text(&data)),
                ("upn", Val::OptText(upn.as_deref())),
                ("uln", Val::OptText(uln.as_deref())),
                ("nhs_number", Val::OptText(nhs_number.as_deref())),
            ],
            history_columns: vec![("data", Val::Text(&data))],
            created: &["created_at"],
            expect: Expect::Version(Some(expected_version)),
            skip_unchanged: false,
            absent_is_unchanged: false,
            audit: Some(Audit {
                action: AuditAction::Update,
                subject: "child",
                la: Some(child.responsible_la),
                child: Some(id),
                case: None,
                actor,
            }),
        };
        let version = write_versioned(&mut tx, write, &now, actor, &reason).await?.unwrap_or(expected_version + 1);
        tx.commit().await.map_err(db)?;
        tracing::info!(child_id = %id, version, "child updated");
        Ok(Versioned { value: child.clone(), version })
    }

    async fn child_history(&self, actor: &Actor, id: ChildId) -> Result<Vec<ChildChange>> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let current = load_child(&mut tx, actor, id).await?;
        let rows = sqlx::query("select version, data, recorded_at, actor, reason from child_history where child_id = ? order by version")
            .bind(id.to_string())
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let mut changes = Vec::with_capacity(rows.len());
        for row in &rows {
            let version: i64 = col(row, "version")?;
            changes.push(ChildChange {
                version,
                recorded_at: parse_timestamp(&col::<String>(row, "recorded_at")?)?,
                actor_label: col(row, "actor")?,
                reason: col(row, "reason")?,
                snapshot: child_from_json(&col::<String>(row, "data")?, id, version)?,
            });
        }
        let audit = Audit {
            action: AuditAction::Read,
            subject: "child_history",
            la: Some(current.value.responsible_la),
            child: Some(id),
            case: None,
            actor,
        };
        write_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::debug!(child_id = %id, versions = changes.len(), "child history read");
        Ok(changes)
    }

    async fn find_children(&self, actor: &Actor, key: &ChildKey) -> Result<Vec<Versioned<Child>>> {
        check_request(actor, None)?;
        let (column, value) = match key {
            ChildKey::Upn(upn) => ("upn", upn.to_string()),
            ChildKey::Uln(uln) => ("uln", uln.to_string()),
            ChildKey::NhsNumber(nhs) => ("nhs_number", nhs.to_string()),
        };
        // A child absorbed by an identity merge is found as the record that absorbed it (merged_into,
        // followed to the end of the chain), once, within the actor's LA.
        let sql = format!(
            "with recursive found(child_id, depth) as ( \
               select child_id, 0 from child where {column} = ?1 and (?2 is null or la = ?2) \
               union select c.merged_into, f.depth + 1 from found f join child c on c.child_id = f.child_id \
               where c.merged_into is not null and f.depth < 64) \
             select c.child_id, c.version, c.data from child c \
             where c.merged_into is null and (?2 is null or c.la = ?2) and c.child_id in (select child_id from found) \
             order by c.created_at, c.rowid"
        );
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(&sql).bind(value).bind(scope_la(actor)).fetch_all(&mut *tx).await.map_err(db)?;
        let mut found = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: ChildId = parse_col(row, "child_id", "child id")?;
            let version: i64 = col(row, "version")?;
            let child = child_from_json(&col::<String>(row, "data")?, id, version)?;
            let audit = Audit {
                action: AuditAction::Read,
                subject: "child_search",
                la: Some(child.responsible_la),
                child: Some(id),
                case: None,
                actor,
            };
            write_audit(&mut tx, &now, audit).await?;
            found.push(Versioned { value: child, version });
        }
        tx.commit().await.map_err(db)?;
        tracing::debug!(found = found.len(), "children looked up by identifier");
        Ok(found)
    }

    async fn open_case(&self, actor: &Actor, child: ChildId, first: CaseEvent, reason: &str) -> Result<Versioned<Case>> {
        let reason = check_request(actor, Some(reason))?;
        let id = CaseId::from_uuid(Uuid::new_v4());
        let case = Case::open(id, child, first.clone())?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let child_record = load_child(&mut tx, actor, child).await?.value;
        let la = child_record.responsible_la;
        sqlx::query(
            "insert into ehc_case (case_id, child_id, la, version, stage, created_at, updated_at) \
             values (?1, ?2, ?3, 1, ?4, ?5, ?5)",
        )
        .bind(id.to_string())
        .bind(child.to_string())
        .bind(la.to_string())
        .bind(case.stage().name())
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        insert_event(&mut tx, id, 1, &first, &now, actor, &reason).await?;
        // The notifications the request causes commit with it (crates/notifications, migration 0028).
        crate::notifications::enqueue_for_events(&mut tx, id, &child_record, &la.to_string(), std::slice::from_ref(&first), &now).await?;
        let audit = Audit { action: AuditAction::Create, subject: "case", la: Some(la), child: Some(child), case: Some(id), actor };
        write_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(case_id = %id, child_id = %child, stage = case.stage().name(), "case opened");
        Ok(Versioned { value: case, version: 1 })
    }

    async fn record_case_events(
        &self,
        actor: &Actor,
        case: CaseId,
        expected_version: i64,
        events: Vec<CaseEvent>,
        reason: &str,
    ) -> Result<Versioned<Case>> {
        let reason = check_request(actor, Some(reason))?;
        if events.is_empty() {
            return Err(StoreError::Invalid("there are no events to record".into()));
        }
        if events.len() > MAX_EVENTS_PER_CALL {
            return Err(StoreError::Invalid(format!("record at most {MAX_EVENTS_PER_CALL} events at a time")));
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let (current, version) =
            append_case_events(&mut tx, actor, case, Some(expected_version), &events, &reason, &now, self.clock.today()).await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(case_id = %case, events = events.len(), version, stage = current.stage().name(), "case events recorded");
        Ok(Versioned { value: current, version })
    }

    async fn get_case(&self, actor: &Actor, id: CaseId) -> Result<Versioned<Case>> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_read().await?;
        let row = load_case_row(&mut tx, actor, id).await?;
        let events = load_events(&mut tx, id).await?;
        let case = replay(id, &row, &events)?;
        let audit = Audit { action: AuditAction::Read, subject: "case", la: Some(row.la), child: Some(row.child), case: Some(id), actor };
        self.write_read_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::debug!(case_id = %id, version = row.version, "case read");
        Ok(Versioned { value: case, version: row.version })
    }

    async fn case_history(&self, actor: &Actor, id: CaseId) -> Result<Vec<RecordedEvent>> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_read().await?;
        let row = load_case_row(&mut tx, actor, id).await?;
        let events = load_events(&mut tx, id).await?;
        let audit =
            Audit { action: AuditAction::Read, subject: "case_history", la: Some(row.la), child: Some(row.child), case: Some(id), actor };
        self.write_read_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::debug!(case_id = %id, events = events.len(), "case history read");
        Ok(events)
    }

    async fn cases_for_child(&self, actor: &Actor, child: ChildId) -> Result<Vec<CaseSummary>> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_read().await?;
        let la = load_child(&mut tx, actor, child).await?.value.responsible_la;
        let sql =
            format!("select {SUMMARY_COLUMNS} from ehc_case where child_id = ?1 and (?2 is null or la = ?2) order by created_at, rowid");
        let rows = sqlx::query(&sql).bind(child.to_string()).bind(scope_la(actor)).fetch_all(&mut *tx).await.map_err(db)?;
        let cases = rows.iter().map(summary).collect::<Result<Vec<_>>>()?;
        let audit = Audit { action: AuditAction::Read, subject: "cases_for_child", la: Some(la), child: Some(child), case: None, actor };
        self.write_read_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::debug!(child_id = %child, cases = cases.len(), "cases of a child listed");
        Ok(cases)
    }

    async fn list_cases(&self, actor: &Actor) -> Result<Vec<CaseSummary>> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_read().await?;
        let sql = format!("select {SUMMARY_COLUMNS} from ehc_case where (?1 is null or la = ?1) order by created_at, rowid");
        let rows = sqlx::query(&sql).bind(scope_la(actor)).fetch_all(&mut *tx).await.map_err(db)?;
        let cases = rows.iter().map(summary).collect::<Result<Vec<_>>>()?;
        let audit = Audit { action: AuditAction::Read, subject: "case_list", la: actor.scope.la(), child: None, case: None, actor };
        self.write_read_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::debug!(cases = cases.len(), "cases listed");
        Ok(cases)
    }

    async fn audit_log(&self, actor: &Actor, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        check_request(actor, None)?;
        let limit = filter.limit.min(AuditFilter::MAX_LIMIT);
        // Both logs, each filtered and limited, merged newest first: by time, then by where the read
        // stood in the main log (a read sorts after the change it followed).
        let query = |sql: &'static str| {
            sqlx::query(sql)
                .bind(scope_la(actor))
                .bind(filter.child.map(|id| id.to_string()))
                .bind(filter.case.map(|id| id.to_string()))
                .bind(i64::from(limit))
        };
        let main = query(
            "select at, actor, action, subject, la, child_id, case_id, audit_id as seq, 0 as src, audit_id from audit_log \
             where (?1 is null or la = ?1) and (?2 is null or child_id = ?2) and (?3 is null or case_id = ?3) \
             order by audit_id desc limit ?4",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let reads = query(
            "select at, actor, action, subject, la, child_id, case_id, after_audit_id as seq, 1 as src, audit_id from audit_log \
             where (?1 is null or la = ?1) and (?2 is null or child_id = ?2) and (?3 is null or case_id = ?3) \
             order by audit_id desc limit ?4",
        )
        .fetch_all(&self.reads)
        .await
        .map_err(db)?;
        let mut rows: Vec<SqliteRow> = main.into_iter().chain(reads).collect();
        let key = |r: &SqliteRow| -> (String, i64, i64, i64) {
            (
                r.try_get("at").unwrap_or_default(),
                r.try_get("seq").unwrap_or(0),
                r.try_get("src").unwrap_or(0),
                r.try_get("audit_id").unwrap_or(0),
            )
        };
        rows.sort_by_key(|r| std::cmp::Reverse(key(r)));
        rows.truncate(limit as usize);
        rows.iter()
            .map(|row| {
                let action: String = col(row, "action")?;
                Ok(AuditEntry {
                    at: parse_timestamp(&col::<String>(row, "at")?)?,
                    actor_label: col(row, "actor")?,
                    action: AuditAction::parse(&action).ok_or_else(|| StoreError::Corrupt(format!("'{action}' is not an audit action")))?,
                    subject: col(row, "subject")?,
                    la: parse_optional(col(row, "la")?, "LA code")?,
                    child_id: parse_optional(col(row, "child_id")?, "child id")?,
                    case_id: parse_optional(col(row, "case_id")?, "case id")?,
                })
            })
            .collect()
    }
}

fn parse_optional<T: std::str::FromStr>(text: Option<String>, what: &str) -> Result<Option<T>> {
    text.map(|t| t.parse().map_err(|_| StoreError::Corrupt(format!("'{t}' is not a valid {what}")))).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_fixed_width_utc_so_text_order_is_time_order() {
        let early = DateTime::parse_from_rfc3339("2026-01-05T09:00:00+01:00").unwrap().with_timezone(&Utc);
        let late = early + chrono::TimeDelta::microseconds(1);
        assert_eq!(timestamp(early), "2026-01-05T08:00:00.000000Z");
        assert_eq!(timestamp(late), "2026-01-05T08:00:00.000001Z");
        assert!(timestamp(early) < timestamp(late));
        assert_eq!(parse_timestamp(&timestamp(late)).unwrap(), late);
        assert!(matches!(parse_timestamp("yesterday"), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn a_reason_is_required_and_trimmed_and_an_actor_label_is_one_short_line() {
        let actor = Actor::new("cli", crate::Scope::All);
        assert_eq!(check_request(&actor, Some("  moved house ")).unwrap(), "moved house");
        assert!(check_request(&actor, Some(" \t ")).is_err());
        assert!(check_request(&actor, Some(&"x".repeat(MAX_REASON + 1))).is_err());
        assert!(check_request(&Actor::new("a\tb", crate::Scope::All), None).is_err());
        assert!(check_request(&Actor::new("x".repeat(MAX_ACTOR_LABEL + 1), crate::Scope::All), None).is_err());
    }
}
