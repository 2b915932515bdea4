//! Reads for the web application: many cases at once (a caseload, a SENCO's pupils, a professional's
//! advice requests, a family's own cases), each limited in the SQL itself to a [`Selection`] inside the
//! actor's LA scope, so a record the user may not see is never loaded. Each call reads in one
//! transaction (a consistent snapshot, without taking the write lock) and writes one audit entry: a list
//! read (`case_list`, `child_list`, `aggregate`) or a read of one record (`case_record`, `child_record`)
//! with its child and case ids.
//!
//! The audit entries of reads go through an [`AuditSink`]: a writer task that commits the entries of
//! concurrent reads together, one transaction (and one `fsync`) for many, so a busy service does not
//! queue every page view behind its own disk flush. A read returns its data only after its audit entry
//! is committed: nothing is shown that is not in the audit log.

use crate::sqlite::{col, db, parse_col, parse_timestamp, scope_la, Audit};
use crate::{Actor, AuditAction, CaseSummary, RecordedEvent, Result, SqliteStore, StoreError};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::SqliteConnection;
use std::collections::HashMap;
use std::future::Future;
use tokio::sync::{mpsc, oneshot};
use waymark_domain::calendar::Date;
use waymark_domain::case::{AdviceParty, Case, CaseEvent};
use waymark_domain::child::Child;
use waymark_domain::identifiers::LaCode;
use waymark_domain::ids::{CaseId, ChildId, UserId};
use waymark_domain::placement::Placement;

/// Which children and cases a read may return, on top of the actor's LA scope. Each is a condition in
/// the query, never a filter applied afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every child and case in the actor's scope (LA caseworkers and managers).
    InScope,
    /// The children linked to this account and their cases (a parent, carer or young person).
    LinkedTo(UserId),
    /// The children attending a setting on a date and their cases (a SENCO).
    AtSetting { setting_key: String, on: Date },
    /// The cases with advice asked of this party, and their children (a professional's service).
    AdviceRequestedOf(AdviceParty),
}

/// What changed in the store since a reader last looked ([`CaseloadStore::aggregate_changes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregateChanges {
    /// The data generation now.
    pub generation: i64,
    /// The last change's sequence number (pass it as `after` next time; `i64::MAX` reads none, only
    /// the generation and this number, before a reader loads everything).
    pub seq: i64,
    /// How many changes were written since `after`: each bumped the generation once.
    pub rows: i64,
    /// The cases updated since `after`, each once.
    pub cases: Vec<CaseId>,
}

impl AggregateChanges {
    /// Whether everything that moved the generation from `since` is one of these changes (a case update,
    /// or a change that leaves aggregates as they were), so a reader at `since` may patch just these
    /// cases. Anything else (a child, a placement, a new case, an import) moves the generation without
    /// a change row.
    pub fn only_cases_since(&self, since: i64) -> bool {
        self.generation - since == self.rows
    }
}

/// One case with its child, the child's placements and the caseworker holding it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSnapshot {
    pub summary: CaseSummary,
    pub case: Case,
    pub child: Child,
    pub child_version: i64,
    pub placements: Vec<Placement>,
    pub caseworker: Option<UserId>,
}

/// A child found by a search, with the selected cases' ids (oldest first).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundChild {
    pub child: Child,
    pub cases: Vec<CaseId>,
}

/// One case with its full history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRecord {
    pub snapshot: CaseSnapshot,
    pub events: Vec<RecordedEvent>,
}

/// One child with their placements and cases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChildRecord {
    pub child: Child,
    pub version: i64,
    pub placements: Vec<Placement>,
    pub cases: Vec<CaseSnapshot>,
}

/// An audit entry of a read, waiting to be committed.
struct Pending {
    at: String,
    actor: Actor,
    subject: &'static str,
    la: Option<LaCode>,
    child: Option<ChildId>,
    case: Option<CaseId>,
    done: oneshot::Sender<Result<()>>,
}

/// Commits the audit entries of reads in batches (group commit). Start one per store, inside the tokio
/// runtime; clones share the writer.
#[derive(Clone, Debug)]
pub struct AuditSink {
    queue: mpsc::Sender<Pending>,
}

/// The most entries committed in one transaction.
const MAX_AUDIT_BATCH: usize = 512;

impl AuditSink {
    /// Start the writer task on the current tokio runtime.
    pub fn start(store: &SqliteStore) -> Self {
        let (queue, mut pending) = mpsc::channel::<Pending>(4096);
        let store = store.clone();
        tokio::spawn(async move {
            while let Some(first) = pending.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_AUDIT_BATCH {
                    match pending.try_recv() {
                        Ok(p) => batch.push(p),
                        Err(_) => break,
                    }
                }
                let result = write_batch(&store, &batch).await;
                if let Err(e) = &result {
                    tracing::error!(error = %e, entries = batch.len(), "audit entries could not be written; the reads are refused");
                }
                for p in batch {
                    let _ = p.done.send(result.clone());
                }
            }
        });
        Self { queue }
    }

    /// Queue one read's audit entry and wait until it is committed.
    pub(crate) async fn record(
        &self,
        store: &SqliteStore,
        actor: &Actor,
        subject: &'static str,
        la: Option<LaCode>,
        child: Option<ChildId>,
        case: Option<CaseId>,
    ) -> Result<()> {
        let (done, committed) = oneshot::channel();
        let pending = Pending { at: store.now(), actor: actor.clone(), subject, la, child, case, done };
        self.queue.send(pending).await.map_err(|_| StoreError::Database("the audit writer has stopped".into()))?;
        committed.await.map_err(|_| StoreError::Database("the audit writer has stopped".into()))?
    }
}

async fn write_batch(store: &SqliteStore, batch: &[Pending]) -> Result<()> {
    let mut main = store.pool.acquire().await.map_err(db)?;
    let entries: Vec<(String, Audit<'_>)> = batch
        .iter()
        .map(|p| {
            (p.at.clone(), Audit { action: AuditAction::Read, subject: p.subject, la: p.la, child: p.child, case: p.case, actor: &p.actor })
        })
        .collect();
    store.write_read_audits(&mut main, &entries).await
}

/// Bulk, selection-limited reads, beside [`crate::Store`].
pub trait CaseloadStore: Send + Sync {
    /// A number that changes whenever a child, case, placement, assignment or account link changes (in
    /// any process): a cache of these reads is current while it stays the same.
    fn data_generation(&self) -> impl Future<Output = Result<i64>> + Send;

    /// The data generation with what changed since `after` (a sequence number from an earlier call):
    /// whether only cases changed, and which (see [`AggregateChanges`]). Read in one snapshot.
    fn aggregate_changes(&self, after: i64) -> impl Future<Output = Result<AggregateChanges>> + Send;

    /// The named cases in the actor's scope (those out of it are left out), for patching an aggregate
    /// already read: not audited here, since the aggregate's own view writes its one `aggregate` entry.
    fn case_snapshots_by_id(&self, actor: &Actor, cases: &[CaseId]) -> impl Future<Output = Result<Vec<CaseSnapshot>>> + Send;

    /// The selected cases in the actor's scope, oldest first. Audited as one read with `subject`
    /// (`case_list`, or `aggregate` when only counts leave the server).
    fn case_snapshots(
        &self,
        actor: &Actor,
        selection: &Selection,
        subject: &'static str,
        audit: &AuditSink,
    ) -> impl Future<Output = Result<Vec<CaseSnapshot>>> + Send;

    /// Record that a list was shown again from a cache (one audit entry, as [`Self::case_snapshots`]).
    fn audit_list_read(&self, actor: &Actor, subject: &'static str, audit: &AuditSink) -> impl Future<Output = Result<()>> + Send;

    /// One case if it is selected, with its history. Audited as a read of the case.
    fn case_record(
        &self,
        actor: &Actor,
        selection: &Selection,
        case: CaseId,
        audit: &AuditSink,
    ) -> impl Future<Output = Result<CaseRecord>> + Send;

    /// One child if selected, with placements and the selected cases. Audited as a read of the child.
    fn child_record(
        &self,
        actor: &Actor,
        selection: &Selection,
        child: ChildId,
        audit: &AuditSink,
    ) -> impl Future<Output = Result<ChildRecord>> + Send;

    /// The selected children that `keep` accepts (given each child and the ids of their selected cases),
    /// in name order (surname, forename, date of birth), at most `limit` of them, and how many matched
    /// in all. Audited as one `child_search` read. The selection is applied in the SQL; `keep` only
    /// narrows what the user may already see (a search typed by people, see
    /// `waymark_domain::search`).
    fn find_children<F>(
        &self,
        actor: &Actor,
        selection: &Selection,
        audit: &AuditSink,
        limit: usize,
        keep: F,
    ) -> impl Future<Output = Result<(Vec<FoundChild>, usize)>> + Send
    where
        F: Fn(&Child, &[CaseId]) -> bool + Send + Sync;

    /// The selected children with their placements (a SENCO's pupils), in name order. Audited as one
    /// `child_list` read.
    fn children(
        &self,
        actor: &Actor,
        selection: &Selection,
        audit: &AuditSink,
    ) -> impl Future<Output = Result<Vec<(Child, Vec<Placement>)>>> + Send;
}

/// The selection as a `selected_case` and a `selected_child` common table expression, with its binds.
fn selection_sql(actor: &Actor, selection: &Selection) -> (String, Vec<Option<String>>) {
    let la = scope_la(actor);
    match selection {
        Selection::InScope => (
            "with selected_case as (select case_id from ehc_case where (?1 is null or la = ?1)), \
             selected_child as (select child_id from child where (?1 is null or la = ?1))"
                .into(),
            vec![la],
        ),
        Selection::LinkedTo(user) => (
            "with selected_child as (select l.child_id from app_user_child l join child c using (child_id) \
               where l.user_id = ?2 and (?1 is null or c.la = ?1)), \
             selected_case as (select case_id from ehc_case where child_id in (select child_id from selected_child) \
               and (?1 is null or la = ?1))"
                .into(),
            vec![la, Some(user.to_string())],
        ),
        Selection::AtSetting { setting_key, on } => (
            "with selected_child as (select distinct p.child_id from placement p where p.setting_key = ?2 and p.entry_date <= ?3 \
               and (p.leaving_date is null or p.leaving_date >= ?3) and (?1 is null or p.la = ?1)), \
             selected_case as (select case_id from ehc_case where child_id in (select child_id from selected_child) \
               and (?1 is null or la = ?1))"
                .into(),
            vec![la, Some(setting_key.clone()), Some(on.to_string())],
        ),
        Selection::AdviceRequestedOf(party) => (
            "with selected_case as (select distinct e.case_id from case_event e join ehc_case c using (case_id) \
               where e.kind = 'advice_requested' and json_extract(e.event, '$.party') = ?2 and (?1 is null or c.la = ?1)), \
             selected_child as (select distinct child_id from ehc_case where case_id in (select case_id from selected_case))"
                .into(),
            vec![la, Some(party.key().to_owned())],
        ),
    }
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    binds: &'q [Option<String>],
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    for b in binds {
        query = query.bind(b.as_deref());
    }
    query
}

fn child_from(text: &str, id: ChildId) -> Result<Child> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("child {id}: {e}")))
}

fn summary_from(row: &SqliteRow) -> Result<CaseSummary> {
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

/// Load the selected cases (or one of them), with children, placements and events, in one connection.
async fn load_snapshots(
    conn: &mut SqliteConnection,
    actor: &Actor,
    selection: &Selection,
    only_case: Option<CaseId>,
    only_child: Option<ChildId>,
) -> Result<(Vec<CaseSnapshot>, HashMap<CaseId, Vec<RecordedEvent>>)> {
    let (cte, mut binds) = selection_sql(actor, selection);
    // `exists` rather than `in`, and the one case or child as a plain equality (added only when asked
    // for, never as `? is null or ...`): SQLite then looks the row up by key and checks the selection
    // for it alone, instead of scanning every case of the LA.
    let mut filter = "exists (select 1 from selected_case s where s.case_id = c.case_id)".to_owned();
    if let Some(case) = only_case {
        binds.push(Some(case.to_string()));
        filter.push_str(&format!(" and c.case_id = ?{}", binds.len()));
    }
    if let Some(child) = only_child {
        binds.push(Some(child.to_string()));
        filter.push_str(&format!(" and c.child_id = ?{}", binds.len()));
    }
    let cases_sql = format!(
        "{cte} select c.case_id, c.child_id, c.la, c.stage, c.version, c.created_at, c.updated_at, a.user_id as caseworker \
         from ehc_case c left join case_assignment a using (case_id) where {filter} order by c.created_at, c.rowid"
    );
    let rows = bind_all(sqlx::query(&cases_sql), &binds).fetch_all(&mut *conn).await.map_err(db)?;
    if rows.is_empty() {
        return Ok((Vec::new(), HashMap::new()));
    }
    let events_sql = format!(
        "{cte} select e.case_id, e.seq, e.event, e.recorded_at, e.actor, e.reason from case_event e join ehc_case c using (case_id) \
         where {filter} order by e.case_id, e.seq"
    );
    let event_rows = bind_all(sqlx::query(&events_sql), &binds).fetch_all(&mut *conn).await.map_err(db)?;
    let mut events: HashMap<CaseId, Vec<RecordedEvent>> = HashMap::new();
    for row in &event_rows {
        let case: CaseId = parse_col(row, "case_id", "case id")?;
        let seq: i64 = col(row, "seq")?;
        let text: String = col(row, "event")?;
        let event: CaseEvent = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("case {case} event {seq}: {e}")))?;
        events.entry(case).or_default().push(RecordedEvent {
            seq,
            event,
            recorded_at: parse_timestamp(&col::<String>(row, "recorded_at")?)?,
            actor_label: col(row, "actor")?,
            reason: col(row, "reason")?,
        });
    }
    let children_sql = format!(
        "{cte} select distinct ch.child_id, ch.version, ch.data from child ch join ehc_case c on c.child_id = ch.child_id where {filter}"
    );
    let child_rows = bind_all(sqlx::query(&children_sql), &binds).fetch_all(&mut *conn).await.map_err(db)?;
    let mut children: HashMap<ChildId, (Child, i64)> = HashMap::new();
    for row in &child_rows {
        let id: ChildId = parse_col(row, "child_id", "child id")?;
        children.insert(id, (child_from(&col::<String>(row, "data")?, id)?, col(row, "version")?));
    }
    let placements_sql = format!(
        "{cte} select p.child_id, p.data from placement p where p.child_id in \
         (select c.child_id from ehc_case c where {filter}) order by p.child_id, p.entry_date, p.created_at"
    );
    let placement_rows = bind_all(sqlx::query(&placements_sql), &binds).fetch_all(&mut *conn).await.map_err(db)?;
    let mut placements: HashMap<ChildId, Vec<Placement>> = HashMap::new();
    for row in &placement_rows {
        let id: ChildId = parse_col(row, "child_id", "child id")?;
        let p: Placement =
            serde_json::from_str(&col::<String>(row, "data")?).map_err(|e| StoreError::Corrupt(format!("placement of child {id}: {e}")))?;
        placements.entry(id).or_default().push(p);
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let summary = summary_from(row)?;
        let recorded = events.get(&summary.case_id).map(Vec::as_slice).unwrap_or_default();
        if i64::try_from(recorded.len()).ok() != Some(summary.version) {
            return Err(StoreError::Corrupt(format!(
                "case {} is at version {} but has {} events",
                summary.case_id,
                summary.version,
                recorded.len()
            )));
        }
        let list: Vec<CaseEvent> = recorded.iter().map(|r| r.event.clone()).collect();
        let case = Case::replay(summary.case_id, summary.child_id, &list)
            .map_err(|e| StoreError::Corrupt(format!("case {} no longer replays: {e}", summary.case_id)))?;
        let (child, child_version) = children
            .get(&summary.child_id)
            .cloned()
            .ok_or_else(|| StoreError::Corrupt(format!("case {} has no child", summary.case_id)))?;
        let caseworker: Option<String> = col(row, "caseworker")?;
        out.push(CaseSnapshot {
            placements: placements.get(&summary.child_id).cloned().unwrap_or_default(),
            caseworker: caseworker.map(|t| t.parse().map_err(|_| StoreError::Corrupt(format!("'{t}' is not a user id")))).transpose()?,
            summary,
            case,
            child,
            child_version,
        });
    }
    Ok((out, events))
}

impl CaseloadStore for SqliteStore {
    async fn data_generation(&self) -> Result<i64> {
        sqlx::query_scalar("select generation from data_generation where id = 1").fetch_one(&self.pool).await.map_err(db)
    }

    async fn aggregate_changes(&self, after: i64) -> Result<AggregateChanges> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let generation: i64 =
            sqlx::query_scalar("select generation from data_generation where id = 1").fetch_one(&mut *tx).await.map_err(db)?;
        let seq: i64 = sqlx::query_scalar("select coalesce(max(seq), 0) from aggregate_change").fetch_one(&mut *tx).await.map_err(db)?;
        let rows: Vec<(i64, Option<String>)> = sqlx::query_as("select seq, case_id from aggregate_change where seq > ? order by seq")
            .bind(after)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        let mut cases = Vec::new();
        for (_, case) in &rows {
            if let Some(text) = case {
                let id: CaseId = text.parse().map_err(|_| StoreError::Corrupt(format!("aggregate change names a bad case id {text:?}")))?;
                if !cases.contains(&id) {
                    cases.push(id);
                }
            }
        }
        Ok(AggregateChanges { generation, seq, rows: rows.len() as i64, cases })
    }

    async fn case_snapshots_by_id(&self, actor: &Actor, cases: &[CaseId]) -> Result<Vec<CaseSnapshot>> {
        crate::sqlite::check_request(actor, None)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let mut out = Vec::with_capacity(cases.len());
        for case in cases {
            let (snapshots, _) = load_snapshots(&mut tx, actor, &Selection::InScope, Some(*case), None).await?;
            out.extend(snapshots);
        }
        tx.commit().await.map_err(db)?;
        Ok(out)
    }

    async fn case_snapshots(
        &self,
        actor: &Actor,
        selection: &Selection,
        subject: &'static str,
        audit: &AuditSink,
    ) -> Result<Vec<CaseSnapshot>> {
        crate::sqlite::check_request(actor, None)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let (snapshots, _) = load_snapshots(&mut tx, actor, selection, None, None).await?;
        tx.commit().await.map_err(db)?;
        audit.record(self, actor, subject, actor.scope.la(), None, None).await?;
        tracing::debug!(cases = snapshots.len(), subject, "cases read in bulk");
        Ok(snapshots)
    }

    async fn audit_list_read(&self, actor: &Actor, subject: &'static str, audit: &AuditSink) -> Result<()> {
        crate::sqlite::check_request(actor, None)?;
        audit.record(self, actor, subject, actor.scope.la(), None, None).await
    }

    async fn case_record(&self, actor: &Actor, selection: &Selection, case: CaseId, audit: &AuditSink) -> Result<CaseRecord> {
        crate::sqlite::check_request(actor, None)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let (mut snapshots, mut events) = load_snapshots(&mut tx, actor, selection, Some(case), None).await?;
        tx.commit().await.map_err(db)?;
        let snapshot = snapshots.pop().ok_or_else(|| crate::sqlite::not_found("case", case))?;
        let la: LaCode = snapshot.summary.la;
        audit.record(self, actor, "case_record", Some(la), Some(snapshot.summary.child_id), Some(case)).await?;
        let events = events.remove(&case).unwrap_or_default();
        Ok(CaseRecord { snapshot, events })
    }

    async fn child_record(&self, actor: &Actor, selection: &Selection, child: ChildId, audit: &AuditSink) -> Result<ChildRecord> {
        crate::sqlite::check_request(actor, None)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let (cte, mut binds) = selection_sql(actor, selection);
        binds.push(Some(child.to_string()));
        let p = binds.len();
        let sql = format!(
            "{cte} select version, data, la from child where child_id = ?{p} and exists (select 1 from selected_child s where s.child_id = child.child_id)"
        );
        let row = bind_all(sqlx::query(&sql), &binds)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .ok_or_else(|| crate::sqlite::not_found("child", child))?;
        let version: i64 = col(&row, "version")?;
        let record = child_from(&col::<String>(&row, "data")?, child)?;
        let placement_rows = sqlx::query("select data from placement where child_id = ? order by entry_date, created_at")
            .bind(child.to_string())
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let placements = placement_rows
            .iter()
            .map(|r| serde_json::from_str(&col::<String>(r, "data")?).map_err(|e| StoreError::Corrupt(format!("placement: {e}"))))
            .collect::<Result<Vec<Placement>>>()?;
        let (cases, _) = load_snapshots(&mut tx, actor, selection, None, Some(child)).await?;
        tx.commit().await.map_err(db)?;
        audit.record(self, actor, "child_record", Some(record.responsible_la), Some(child), None).await?;
        Ok(ChildRecord { child: record, version, placements, cases })
    }

    async fn find_children<F>(
        &self,
        actor: &Actor,
        selection: &Selection,
        audit: &AuditSink,
        limit: usize,
        keep: F,
    ) -> Result<(Vec<FoundChild>, usize)>
    where
        F: Fn(&Child, &[CaseId]) -> bool + Send + Sync,
    {
        crate::sqlite::check_request(actor, None)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let (cte, binds) = selection_sql(actor, selection);
        let sql = format!(
            "{cte} select ch.child_id, ch.data, (select group_concat(e.case_id) from \
               (select case_id from ehc_case where child_id = ch.child_id order by created_at, rowid) e \
               where exists (select 1 from selected_case s where s.case_id = e.case_id)) as cases \
             from child ch where ch.child_id in (select child_id from selected_child)"
        );
        let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(&mut *tx).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        let mut found = Vec::new();
        for row in &rows {
            let id: ChildId = parse_col(row, "child_id", "child id")?;
            let child = child_from(&col::<String>(row, "data")?, id)?;
            let cases: Option<String> = col(row, "cases")?;
            let cases = cases
                .unwrap_or_default()
                .split(',')
                .filter(|t| !t.is_empty())
                .map(|t| t.parse().map_err(|_| StoreError::Corrupt(format!("'{t}' is not a case id"))))
                .collect::<Result<Vec<CaseId>>>()?;
            if keep(&child, &cases) {
                found.push(FoundChild { child, cases });
            }
        }
        let total = found.len();
        found.sort_by(|a, b| waymark_domain::search::name_order(&a.child, &b.child));
        found.truncate(limit);
        audit.record(self, actor, "child_search", actor.scope.la(), None, None).await?;
        tracing::debug!(matched = total, "children searched");
        Ok((found, total))
    }

    async fn children(&self, actor: &Actor, selection: &Selection, audit: &AuditSink) -> Result<Vec<(Child, Vec<Placement>)>> {
        crate::sqlite::check_request(actor, None)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let (cte, binds) = selection_sql(actor, selection);
        let sql = format!("{cte} select child_id, data from child where child_id in (select child_id from selected_child)");
        let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(&mut *tx).await.map_err(db)?;
        let placement_sql = format!(
            "{cte} select child_id, data from placement where child_id in (select child_id from selected_child) order by entry_date, created_at"
        );
        let placement_rows = bind_all(sqlx::query(&placement_sql), &binds).fetch_all(&mut *tx).await.map_err(db)?;
        let mut placements: HashMap<ChildId, Vec<Placement>> = HashMap::new();
        for row in &placement_rows {
            let id: ChildId = parse_col(row, "child_id", "child id")?;
            let p: Placement =
                serde_json::from_str(&col::<String>(row, "data")?).map_err(|e| StoreError::Corrupt(format!("placement: {e}")))?;
            placements.entry(id).or_default().push(p);
        }
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: ChildId = parse_col(row, "child_id", "child id")?;
            out.push((child_from(&col::<String>(row, "data")?, id)?, placements.remove(&id).unwrap_or_default()));
        }
        out.sort_by(|a, b| (a.0.name.surname(), a.0.name.forename()).cmp(&(b.0.name.surname(), b.0.name.forename())));
        tx.commit().await.map_err(db)?;
        audit.record(self, actor, "child_list", actor.scope.la(), None, None).await?;
        Ok(out)
    }
}
