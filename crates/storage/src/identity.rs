//! Identity across agencies: the review queue of pairs that may be one child, and merges of two child
//! records that are transactional, audited and undone exactly (docs/identity.md, ADR 0012).
//!
//! A merge moves the absorbed child's cases, placements, facts, social care ids and user links to the
//! kept child, in one transaction, and records the moved rows in the append-only `child_merge` table.
//! The absorbed child's row stays, marked `merged_into` the kept child ([`IdentityStore::merged_into`]).
//! A fact or link the kept child already has under the same key stays with the absorbed child (nothing
//! is overwritten). Logs and audit entries carry ids only.
//!
//! Every pair a person is asked about, or that a scan merged on a shared identifier, has one row in
//! `identity_review`, so a pair is never queued twice and a decision is never asked for again: a
//! rejected pair stays rejected, and a merge that was undone is not made again by a later scan.
//! The scan and a person's decision on a queue entry are the application layer's
//! (`waymark_application::identity`), over [`IdentityWrite`]: this module reads candidates and records
//! merges, queue entries and decisions, and decides nothing. An import runs the matcher over the
//! children it creates ([`queue_new_children`], called by the import's own
//! transaction). Lookups by identifier follow merges to the surviving child ([`resolve_merges`]).

use crate::sqlite::{check_request, col, db, load_child, not_found, parse_col, parse_timestamp, scope_la, to_json, write_audit, Audit};
use crate::{Actor, AuditAction, Result, SqliteStore, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, Transaction};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use waymark_domain::child::Child;
use waymark_domain::facts::PersonKeys;
use waymark_domain::identifiers::LaCode;
use waymark_domain::identity::{self, Comparison, Decision, Reason, Thresholds, MAX_BLOCK};
use waymark_domain::ids::ChildId;

/// The state of a review-queue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Open,
    Merged,
    Rejected,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Merged => "merged",
            Self::Rejected => "rejected",
        }
    }
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "open" => Self::Open,
            "merged" => Self::Merged,
            "rejected" => Self::Rejected,
            _ => return None,
        })
    }
}

/// What a reviewer decides about a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// The same child: merge the record created later into the one created first (the record that
    /// imports linked to first, and usually the one with the casework).
    Merge,
    /// The same child: keep this record (one of the pair) and merge the other into it.
    MergeKeeping(ChildId),
    /// Different children: recorded, and the pair is never queued again.
    Reject,
}

/// One pair in the review queue. Reasons name fields and outcomes only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewEntry {
    pub id: i64,
    pub la: LaCode,
    pub child_a: ChildId,
    pub child_b: ChildId,
    pub score: f64,
    /// `match` or `review`: the matcher's band.
    pub band: String,
    pub reasons: Vec<Reason>,
    pub status: ReviewStatus,
    pub created_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was decided, as the person deciding wrote it.
    pub decision_reason: Option<String>,
    pub merge_id: Option<i64>,
    /// The import whose new child put the pair on the queue (`None`: a scan did).
    pub import_id: Option<i64>,
    /// Where either child has since been merged into another record: the surviving record.
    pub a_now: Option<ChildId>,
    pub b_now: Option<ChildId>,
}

/// One thing that happened to identity: a merge, an unmerge, or a pair decided not the same child.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentityEvent {
    pub at: DateTime<Utc>,
    /// `merged`, `unmerged` or `not_the_same`.
    pub kind: &'static str,
    pub actor: String,
    pub reason: String,
    pub merge_id: Option<i64>,
    pub review_id: Option<i64>,
    /// The kept child of a merge, or the first child of a pair.
    pub child_a: ChildId,
    /// The absorbed child of a merge, or the second child of a pair.
    pub child_b: ChildId,
    /// Rows a merge moved (cases, placements, facts, identifiers, user links).
    pub rows_moved: Option<usize>,
}

/// The rows a merge moved, so an unmerge moves exactly these back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedRows {
    pub cases: Vec<String>,
    pub placements: Vec<String>,
    pub facts: Vec<i64>,
    /// `(kind, la, value)` of each identifier row.
    pub identifiers: Vec<(String, String, String)>,
    pub user_links: Vec<String>,
}

impl MovedRows {
    pub fn total(&self) -> usize {
        self.cases.len() + self.placements.len() + self.facts.len() + self.identifiers.len() + self.user_links.len()
    }
}

/// A recorded merge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeRecord {
    pub id: i64,
    pub la: LaCode,
    pub kept: ChildId,
    pub absorbed: ChildId,
    pub moved: MovedRows,
    pub at: DateTime<Utc>,
    /// Whether it has been undone.
    pub undone: bool,
}

/// The review queue and merges. Implementations: [`SqliteStore`].
pub trait IdentityStore: Send + Sync {
    /// Put a pair on the review queue (both children in the actor's scope and one LA). A pair already
    /// queued is left as it is: `Ok(None)`. Non-matches are refused.
    fn queue_review(
        &self,
        actor: &Actor,
        a: ChildId,
        b: ChildId,
        comparison: &Comparison,
    ) -> impl Future<Output = Result<Option<i64>>> + Send;

    /// The open entries in the actor's scope, highest score first.
    fn review_queue(&self, actor: &Actor) -> impl Future<Output = Result<Vec<ReviewEntry>>> + Send;

    /// Merge `absorb` into `keep` in one transaction; audited. Returns the merge.
    fn merge_children(
        &self,
        actor: &Actor,
        keep: ChildId,
        absorb: ChildId,
        reason: &str,
    ) -> impl Future<Output = Result<MergeRecord>> + Send;

    /// Undo a merge exactly: the moved rows go back and the absorbed child is live again.
    fn unmerge(&self, actor: &Actor, merge: i64, reason: &str) -> impl Future<Output = Result<MergeRecord>> + Send;

    /// The child a merged child was merged into, or `None` when it is not merged.
    fn merged_into(&self, actor: &Actor, child: ChildId) -> impl Future<Output = Result<Option<ChildId>>> + Send;

    /// The record a child now lives in: itself, or, following merges (one after another), the
    /// surviving child.
    fn surviving_child(&self, actor: &Actor, child: ChildId) -> impl Future<Output = Result<ChildId>> + Send;

    /// One queue entry, open or decided. Audited as a read.
    fn review(&self, actor: &Actor, review: i64) -> impl Future<Output = Result<ReviewEntry>> + Send;

    /// One merge, undone or not. Audited as a read.
    fn merge_record(&self, actor: &Actor, merge: i64) -> impl Future<Output = Result<MergeRecord>> + Send;

    /// Merges, unmerges and pairs decided not the same child, oldest first; only those about `child`
    /// when given. Audited as a read.
    fn identity_history(&self, actor: &Actor, child: Option<ChildId>) -> impl Future<Output = Result<Vec<IdentityEvent>>> + Send;

    /// Identity work in progress, in one transaction (see [`IdentityWrite`]).
    type Work: IdentityWrite;

    /// Begin identity work as `actor` (a scan, or a person's decision on a queue entry): one
    /// transaction holding the write lock. `reason`, when given, is checked as every change's reason
    /// is (not blank, not too long) before anything is read.
    fn begin_identity_work(&self, actor: &Actor, reason: Option<&str>) -> impl Future<Output = Result<Self::Work>> + Send;
}

/// A live child as the identity matcher sees it: its id and the keys it is compared on.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchCandidate {
    pub id: ChildId,
    pub keys: PersonKeys,
}

/// The reads and writes of identity work, in one transaction: the application layer
/// (`waymark_application::identity`) decides what to merge, queue or settle, and the store reads
/// candidates and records what was decided. Nothing here decides. Every call acts for the actor the
/// work began with and sees only its scope. Dropping the value without [`IdentityWrite::commit`]
/// writes nothing.
pub trait IdentityWrite: Send {
    /// The LAs the actor may scan: its own, or every LA with children.
    fn las_in_scope(&mut self) -> impl Future<Output = Result<Vec<LaCode>>> + Send;

    /// The live (not merged) children of `la`, oldest record first, as the matcher sees them. A
    /// social care id is added when the child holds exactly one in its own LA. Not audited here: the
    /// caller audits the scan as one read ([`IdentityWrite::audit`]).
    fn live_children(&mut self, la: LaCode) -> impl Future<Output = Result<Vec<MatchCandidate>>> + Send;

    /// Whether the pair has been dealt with before: it has a queue entry, or a merge of the two was
    /// undone.
    fn pair_known(&mut self, a: ChildId, b: ChildId) -> impl Future<Output = Result<bool>> + Send;

    /// Of two children, the record created first.
    fn created_first(&mut self, a: ChildId, b: ChildId) -> impl Future<Output = Result<ChildId>> + Send;

    /// One queue entry in the actor's scope, with where each child now lives. Not audited.
    fn review(&mut self, review: i64) -> impl Future<Output = Result<ReviewEntry>> + Send;

    /// Merge `absorb` into `keep` (as [`IdentityStore::merge_children`] does, in this transaction);
    /// audited. An open queue entry for the pair is settled as merged.
    fn merge(&mut self, keep: ChildId, absorb: ChildId, reason: &str) -> impl Future<Output = Result<MergeRecord>> + Send;

    /// Put a pair of `la` on the queue unless it is there already (`Ok(None)`); audited when queued.
    fn queue_pair(
        &mut self,
        la: LaCode,
        a: ChildId,
        b: ChildId,
        comparison: &Comparison,
    ) -> impl Future<Output = Result<Option<i64>>> + Send;

    /// Record the decision on a queue entry: its status, the merge that decided it, who (the actor),
    /// when and why. Not audited: the caller says what to audit.
    fn settle_review(
        &mut self,
        review: i64,
        status: ReviewStatus,
        merge: Option<i64>,
        reason: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// One audit entry, ids and words only.
    fn audit(
        &mut self,
        action: AuditAction,
        subject: &'static str,
        la: Option<LaCode>,
        child: Option<ChildId>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Commit everything written.
    fn commit(self) -> impl Future<Output = Result<()>> + Send;

    /// Write nothing (a dry run).
    fn rollback(self) -> impl Future<Output = Result<()>> + Send;
}

/// Where each of `ids` that has been merged now lives, following merges one after another to the
/// surviving child. Children not merged are not in the map.
pub(crate) async fn resolve_merges(
    conn: &mut SqliteConnection,
    ids: impl IntoIterator<Item = ChildId>,
) -> Result<HashMap<ChildId, ChildId>> {
    let mut into: HashMap<ChildId, ChildId> = HashMap::new();
    let mut ask: Vec<ChildId> = ids.into_iter().collect::<HashSet<_>>().into_iter().collect();
    // Each round follows one more merge; a chain longer than this is corrupt (merges cannot loop:
    // a merged child is never kept or merged again).
    for _ in 0..64 {
        if ask.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for chunk in ask.chunks(500) {
            let mut q =
                QueryBuilder::<Sqlite>::new("select child_id, merged_into from child where merged_into is not null and child_id in (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(id.to_string());
            }
            q.push(")");
            for row in q.build().fetch_all(&mut *conn).await.map_err(db)? {
                let from: ChildId = parse_col(&row, "child_id", "child id")?;
                let to: ChildId = parse_col(&row, "merged_into", "child id")?;
                if into.insert(from, to).is_none() {
                    next.push(to);
                }
            }
        }
        ask = next;
    }
    let mut resolved = HashMap::with_capacity(into.len());
    for &start in into.keys() {
        let mut at = start;
        let mut steps = 0;
        while let Some(&to) = into.get(&at) {
            at = to;
            steps += 1;
            if steps > 64 {
                return Err(StoreError::Corrupt(format!("child {start}: merges form a loop")));
            }
        }
        resolved.insert(start, at);
    }
    Ok(resolved)
}

/// The live (not merged) children of `la`, oldest record first, as the matcher sees them. A social
/// care id is added when the child holds exactly one in its own LA (with several, none is used to
/// decide). Personal data: never logged.
async fn live_children(conn: &mut SqliteConnection, la: LaCode) -> Result<Vec<MatchCandidate>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("select child_id, data from child where merged_into is null and la = ? order by created_at, rowid")
            .bind(la.to_string())
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
    let social: Vec<(String, String)> = sqlx::query_as(
        "select i.child_id, min(i.value) from child_identifier i join child c on c.child_id = i.child_id \
         where i.kind = 'social_care_id' and i.la = ?1 and c.la = ?1 and c.merged_into is null group by i.child_id having count(*) = 1",
    )
    .bind(la.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let social: HashMap<String, String> = social.into_iter().collect();
    let mut out = Vec::with_capacity(rows.len());
    for (id, data) in rows {
        let child: Child = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("child {id}: {e}")))?;
        let mut keys = identity::keys_of(&child);
        keys.social_care_id = social.get(&id).and_then(|v| v.parse().ok());
        out.push(MatchCandidate { id: child.id, keys });
    }
    Ok(out)
}

/// The LAs to scan: the actor's, or every LA with children.
async fn las_in_scope(conn: &mut SqliteConnection, actor: &Actor) -> Result<Vec<LaCode>> {
    if let Some(la) = actor.scope.la() {
        return Ok(vec![la]);
    }
    let las: Vec<String> = sqlx::query_scalar("select distinct la from child order by la").fetch_all(&mut *conn).await.map_err(db)?;
    las.iter().map(|la| la.parse().map_err(|_| StoreError::Corrupt(format!("'{la}' is not an LA code")))).collect()
}

/// Unordered pair in stored order (`child_a < child_b`).
fn ordered(a: ChildId, b: ChildId) -> (ChildId, ChildId) {
    if a.to_string() < b.to_string() {
        (a, b)
    } else {
        (b, a)
    }
}

/// Whether a person (or a scan) has already dealt with the pair: it has a queue entry, or a merge
/// of the two was undone.
async fn pair_known(conn: &mut SqliteConnection, a: ChildId, b: ChildId) -> Result<bool> {
    let (first, second) = ordered(a, b);
    let known: Option<i64> = sqlx::query_scalar(
        "select 1 from identity_review where child_a = ?1 and child_b = ?2 \
         union all select 1 from child_merge m join child_unmerge u on u.merge_id = m.merge_id \
         where (m.kept = ?1 and m.absorbed = ?2) or (m.kept = ?2 and m.absorbed = ?1) limit 1",
    )
    .bind(first.to_string())
    .bind(second.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    Ok(known.is_some())
}

/// Insert a pair into the queue unless it is there already; audited. The new entry's id.
#[allow(clippy::too_many_arguments)]
async fn insert_review(
    conn: &mut SqliteConnection,
    actor: &Actor,
    la: LaCode,
    a: ChildId,
    b: ChildId,
    comparison: &Comparison,
    import_id: Option<i64>,
    now: &str,
) -> Result<Option<i64>> {
    let band = match comparison.decision {
        Decision::Match => "match",
        Decision::Review => "review",
        Decision::NonMatch => return Err(StoreError::Invalid("a non-match is not queued for review".into())),
    };
    let (first, second) = ordered(a, b);
    let id: Option<i64> = sqlx::query_scalar(
        "insert into identity_review (la, child_a, child_b, score, band, reasons, created_at, import_id) values (?, ?, ?, ?, ?, ?, ?, ?) \
         on conflict (child_a, child_b) do nothing returning review_id",
    )
    .bind(la.to_string())
    .bind(first.to_string())
    .bind(second.to_string())
    .bind(comparison.score)
    .bind(band)
    .bind(to_json(&comparison.reasons, "review reasons")?)
    .bind(now)
    .bind(import_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    if id.is_some() {
        let audit = Audit { action: AuditAction::Create, subject: "identity_review", la: Some(la), child: Some(first), case: None, actor };
        write_audit(conn, now, audit).await?;
    }
    Ok(id)
}

/// A child the current import is creating, as the matcher sees it.
pub(crate) struct NewChildKeys {
    pub(crate) id: ChildId,
    pub(crate) keys: PersonKeys,
}

/// The pairs an import's new children make with the live children already stored in their LA, and
/// with each other, that are not non-matches: blocked, so only children sharing a blocking key are
/// compared. Nothing is written; the pairs are `(stored or new child, new child, comparison)`.
/// Every pair goes to the review queue ([`queue_new_children`]): an import never merges.
pub(crate) async fn match_new_children(conn: &mut SqliteConnection, new: &[NewChildKeys]) -> Result<Vec<(ChildId, ChildId, Comparison)>> {
    let mut by_la: BTreeMap<LaCode, Vec<&NewChildKeys>> = BTreeMap::new();
    for n in new {
        by_la.entry(n.keys.la).or_default().push(n);
    }
    let mut pairs = Vec::new();
    for (la, new) in by_la {
        let stored = live_children(conn, la).await?;
        let first_new = stored.len();
        let ids: Vec<ChildId> = stored.iter().map(|c| c.id).chain(new.iter().map(|n| n.id)).collect();
        let records: Vec<PersonKeys> = stored.into_iter().map(|c| c.keys).chain(new.iter().map(|n| n.keys.clone())).collect();
        for p in identity::scan_touching(&records, first_new, Thresholds::default(), MAX_BLOCK) {
            pairs.push((ids[p.a], ids[p.b], p.comparison));
        }
    }
    Ok(pairs)
}

/// Queue the pairs [`match_new_children`] found, in the import's transaction, each naming the import.
/// The number queued.
pub(crate) async fn queue_new_children(
    conn: &mut SqliteConnection,
    actor: &Actor,
    pairs: &[(ChildId, ChildId, Comparison)],
    la_of: &HashMap<ChildId, LaCode>,
    import_id: i64,
    now: &str,
) -> Result<u64> {
    let mut queued = 0;
    for (a, b, comparison) in pairs {
        let la = *la_of.get(b).ok_or_else(|| StoreError::Invalid(format!("child {b} is not one this import creates")))?;
        if insert_review(conn, actor, la, *a, *b, comparison, Some(import_id), now).await?.is_some() {
            queued += 1;
        }
    }
    Ok(queued)
}

async fn current_merge_target(conn: &mut SqliteConnection, child: ChildId) -> Result<Option<ChildId>> {
    let target: Option<Option<String>> = sqlx::query_scalar("select merged_into from child where child_id = ?")
        .bind(child.to_string())
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    match target.flatten() {
        Some(text) => Ok(Some(text.parse().map_err(|_| StoreError::Corrupt(format!("'{text}' is not a child id")))?)),
        None => Ok(None),
    }
}

fn audit<'a>(actor: &'a Actor, la: LaCode, child: ChildId, subject: &'static str) -> Audit<'a> {
    Audit { action: AuditAction::Update, subject, la: Some(la), child: Some(child), case: None, actor }
}

async fn do_merge(
    conn: &mut SqliteConnection,
    actor: &Actor,
    keep: ChildId,
    absorb: ChildId,
    reason: &str,
    now: &str,
) -> Result<MergeRecord> {
    if keep == absorb {
        return Err(StoreError::Invalid("a child cannot be merged into itself".into()));
    }
    let kept = load_child(conn, actor, keep).await?;
    let gone = load_child(conn, actor, absorb).await?;
    let la = kept.value.responsible_la;
    if gone.value.responsible_la != la {
        return Err(StoreError::Invalid("children of different local authorities cannot be merged".into()));
    }
    for id in [keep, absorb] {
        if let Some(into) = current_merge_target(conn, id).await? {
            return Err(StoreError::Invalid(format!("child {id} is already merged into {into}")));
        }
    }
    let (k, a) = (keep.to_string(), absorb.to_string());
    let mut moved = MovedRows {
        cases: sqlx::query_scalar("select case_id from ehc_case where child_id = ? order by case_id")
            .bind(&a)
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?,
        placements: sqlx::query_scalar("select placement_id from placement where child_id = ? order by placement_id")
            .bind(&a)
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?,
        facts: sqlx::query_scalar(
            "select fact_id from person_fact f where child_id = ?1 and not exists \
             (select 1 from person_fact k where k.child_id = ?2 and k.dataset = f.dataset and k.natural_key = f.natural_key) order by fact_id",
        )
        .bind(&a)
        .bind(&k)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?,
        ..MovedRows::default()
    };
    let ids = sqlx::query(
        "select kind, la, value from child_identifier i where child_id = ?1 and not exists \
         (select 1 from child_identifier k where k.child_id = ?2 and k.kind = i.kind and k.la = i.la and k.value = i.value) order by kind, la, value",
    )
    .bind(&a)
    .bind(&k)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    for row in &ids {
        moved.identifiers.push((col(row, "kind")?, col(row, "la")?, col(row, "value")?));
    }
    moved.user_links = sqlx::query_scalar(
        "select user_id from app_user_child u where child_id = ?1 and not exists \
         (select 1 from app_user_child k where k.child_id = ?2 and k.user_id = u.user_id) order by user_id",
    )
    .bind(&a)
    .bind(&k)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;

    move_rows(&mut *conn, &moved, &a, &k).await?;
    sqlx::query("update child set merged_into = ? where child_id = ?").bind(&k).bind(&a).execute(&mut *conn).await.map_err(db)?;
    let id: i64 = sqlx::query_scalar(
        "insert into child_merge (la, kept, absorbed, moved, actor, reason, at) values (?, ?, ?, ?, ?, ?, ?) returning merge_id",
    )
    .bind(la.to_string())
    .bind(&k)
    .bind(&a)
    .bind(to_json(&moved, "merge")?)
    .bind(actor.label.trim())
    .bind(reason)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    // An open queue entry for the same pair is decided by this merge.
    let (first, second) = ordered(keep, absorb);
    sqlx::query(
        "update identity_review set status = 'merged', decided_by = ?, decided_at = ?, decision_reason = ?, merge_id = ? \
         where child_a = ? and child_b = ? and status = 'open'",
    )
    .bind(actor.label.trim())
    .bind(now)
    .bind(reason)
    .bind(id)
    .bind(first.to_string())
    .bind(second.to_string())
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    write_audit(conn, now, audit(actor, la, keep, "child_merge")).await?;
    write_audit(conn, now, audit(actor, la, absorb, "child_merge")).await?;
    tracing::info!(merge = id, kept = %keep, absorbed = %absorb, rows = moved.total(), "children merged");
    Ok(MergeRecord { id, la, kept: keep, absorbed: absorb, moved, at: parse_timestamp(now)?, undone: false })
}

async fn load_merge(conn: &mut SqliteConnection, actor: &Actor, merge: i64) -> Result<MergeRecord> {
    let row = sqlx::query(
        "select m.merge_id, m.la, m.kept, m.absorbed, m.moved, m.at, u.merge_id as undone from child_merge m \
         left join child_unmerge u on u.merge_id = m.merge_id where m.merge_id = ?1 and (?2 is null or m.la = ?2)",
    )
    .bind(merge)
    .bind(scope_la(actor))
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?
    .ok_or_else(|| not_found("merge", merge))?;
    let moved: String = col(&row, "moved")?;
    let at: String = col(&row, "at")?;
    let undone: Option<i64> = col(&row, "undone")?;
    Ok(MergeRecord {
        id: col(&row, "merge_id")?,
        la: parse_col(&row, "la", "LA code")?,
        kept: parse_col(&row, "kept", "child id")?,
        absorbed: parse_col(&row, "absorbed", "child id")?,
        moved: serde_json::from_str(&moved).map_err(|e| StoreError::Corrupt(format!("merge {merge}: {e}")))?,
        at: parse_timestamp(&at)?,
        undone: undone.is_some(),
    })
}

fn review_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<ReviewEntry> {
    let reasons: String = col(row, "reasons")?;
    let status: String = col(row, "status")?;
    let created: String = col(row, "created_at")?;
    let decided: Option<String> = col(row, "decided_at")?;
    let child = |name: &str| -> Result<Option<ChildId>> {
        col::<Option<String>>(row, name)?
            .map(|text| text.parse().map_err(|_| StoreError::Corrupt(format!("'{text}' is not a child id"))))
            .transpose()
    };
    Ok(ReviewEntry {
        id: col(row, "review_id")?,
        la: parse_col(row, "la", "LA code")?,
        child_a: parse_col(row, "child_a", "child id")?,
        child_b: parse_col(row, "child_b", "child id")?,
        score: col(row, "score")?,
        band: col(row, "band")?,
        reasons: serde_json::from_str(&reasons).map_err(|e| StoreError::Corrupt(format!("review reasons: {e}")))?,
        status: ReviewStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("'{status}' is not a review status")))?,
        created_at: parse_timestamp(&created)?,
        decided_by: col(row, "decided_by")?,
        decided_at: decided.as_deref().map(parse_timestamp).transpose()?,
        decision_reason: col(row, "decision_reason")?,
        merge_id: col(row, "merge_id")?,
        import_id: col(row, "import_id")?,
        a_now: child("a_into")?,
        b_now: child("b_into")?,
    })
}

/// The queue's columns, with where each child now lives (`a_into`, `b_into`: one step; followed to
/// the survivor by [`with_survivors`]).
const REVIEW_SELECT: &str = "select r.review_id, r.la, r.child_a, r.child_b, r.score, r.band, r.reasons, r.status, r.created_at, \
     r.decided_by, r.decided_at, r.decision_reason, r.merge_id, r.import_id, ca.merged_into as a_into, cb.merged_into as b_into \
     from identity_review r join child ca on ca.child_id = r.child_a join child cb on cb.child_id = r.child_b";

/// Follow `a_now` and `b_now` to the surviving records.
async fn with_survivors(conn: &mut SqliteConnection, mut entries: Vec<ReviewEntry>) -> Result<Vec<ReviewEntry>> {
    let merged: Vec<ChildId> = entries.iter().flat_map(|e| [e.a_now, e.b_now]).flatten().collect();
    if merged.is_empty() {
        return Ok(entries);
    }
    let to = resolve_merges(conn, entries.iter().flat_map(|e| [e.child_a, e.child_b])).await?;
    for e in &mut entries {
        e.a_now = to.get(&e.child_a).copied();
        e.b_now = to.get(&e.child_b).copied();
    }
    Ok(entries)
}

async fn load_review(conn: &mut SqliteConnection, actor: &Actor, review: i64) -> Result<ReviewEntry> {
    let row = sqlx::query(&format!("{REVIEW_SELECT} where r.review_id = ?1 and (?2 is null or r.la = ?2)"))
        .bind(review)
        .bind(scope_la(actor))
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?
        .ok_or_else(|| not_found("review", review))?;
    let entry = review_from_row(&row)?;
    Ok(with_survivors(conn, vec![entry]).await?.remove(0))
}

/// The record created first of two children (the one imports link to first).
async fn created_first(conn: &mut SqliteConnection, a: ChildId, b: ChildId) -> Result<ChildId> {
    let first: String = sqlx::query_scalar("select child_id from child where child_id in (?, ?) order by created_at, rowid limit 1")
        .bind(a.to_string())
        .bind(b.to_string())
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    first.parse().map_err(|_| StoreError::Corrupt(format!("'{first}' is not a child id")))
}

impl IdentityStore for SqliteStore {
    async fn queue_review(&self, actor: &Actor, a: ChildId, b: ChildId, comparison: &Comparison) -> Result<Option<i64>> {
        check_request(actor, None)?;
        if comparison.decision == Decision::NonMatch {
            return Err(StoreError::Invalid("a non-match is not queued for review".into()));
        }
        if a == b {
            return Err(StoreError::Invalid("a child cannot be paired with itself".into()));
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let one = load_child(&mut tx, actor, a).await?;
        let two = load_child(&mut tx, actor, b).await?;
        let la = one.value.responsible_la;
        if two.value.responsible_la != la {
            return Err(StoreError::Invalid("children of different local authorities are not paired".into()));
        }
        let id = insert_review(&mut tx, actor, la, a, b, comparison, None, &now).await?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn review_queue(&self, actor: &Actor) -> Result<Vec<ReviewEntry>> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(&format!(
            "{REVIEW_SELECT} where r.status = 'open' and (?1 is null or r.la = ?1) order by r.score desc, r.review_id"
        ))
        .bind(scope_la(actor))
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let entries = rows.iter().map(review_from_row).collect::<Result<Vec<_>>>()?;
        let entries = with_survivors(&mut tx, entries).await?;
        let read =
            Audit { action: AuditAction::Read, subject: "identity_review_list", la: actor.scope.la(), child: None, case: None, actor };
        write_audit(&mut tx, &now, read).await?;
        tx.commit().await.map_err(db)?;
        tracing::debug!(open = entries.len(), "identity review queue read");
        Ok(entries)
    }

    async fn merge_children(&self, actor: &Actor, keep: ChildId, absorb: ChildId, reason: &str) -> Result<MergeRecord> {
        let reason = check_request(actor, Some(reason))?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let merge = do_merge(&mut tx, actor, keep, absorb, &reason, &now).await?;
        tx.commit().await.map_err(db)?;
        Ok(merge)
    }

    async fn unmerge(&self, actor: &Actor, merge: i64, reason: &str) -> Result<MergeRecord> {
        let reason = check_request(actor, Some(reason))?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let record = load_merge(&mut tx, actor, merge).await?;
        if record.undone {
            return Err(StoreError::Invalid(format!("merge {merge} has already been undone")));
        }
        if current_merge_target(&mut tx, record.kept).await?.is_some() {
            return Err(StoreError::Invalid(format!("child {} has since been merged again: undo that merge first", record.kept)));
        }
        let (k, a) = (record.kept.to_string(), record.absorbed.to_string());
        move_rows(&mut tx, &record.moved, &k, &a).await?;
        sqlx::query("update child set merged_into = null where child_id = ?").bind(&a).execute(&mut *tx).await.map_err(db)?;
        // The queue entry the merge decided is open again, as it was before: a person decides anew
        // (usually --different), and a scan never merges the pair again.
        sqlx::query(
            "update identity_review set status = 'open', decided_by = null, decided_at = null, decision_reason = null, merge_id = null \
             where merge_id = ?",
        )
        .bind(merge)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query("insert into child_unmerge (merge_id, actor, reason, at) values (?, ?, ?, ?)")
            .bind(merge)
            .bind(actor.label.trim())
            .bind(&reason)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        write_audit(&mut tx, &now, audit(actor, record.la, record.kept, "child_unmerge")).await?;
        write_audit(&mut tx, &now, audit(actor, record.la, record.absorbed, "child_unmerge")).await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(merge, "merge undone");
        Ok(MergeRecord { undone: true, ..record })
    }

    async fn merged_into(&self, actor: &Actor, child: ChildId) -> Result<Option<ChildId>> {
        check_request(actor, None)?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        load_child(&mut conn, actor, child).await?;
        current_merge_target(&mut conn, child).await
    }

    async fn surviving_child(&self, actor: &Actor, child: ChildId) -> Result<ChildId> {
        check_request(actor, None)?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        load_child(&mut conn, actor, child).await?;
        Ok(resolve_merges(&mut conn, [child]).await?.get(&child).copied().unwrap_or(child))
    }

    async fn review(&self, actor: &Actor, review: i64) -> Result<ReviewEntry> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let entry = load_review(&mut tx, actor, review).await?;
        let read = Audit {
            action: AuditAction::Read,
            subject: "identity_review",
            la: Some(entry.la),
            child: Some(entry.child_a),
            case: None,
            actor,
        };
        write_audit(&mut tx, &now, read).await?;
        tx.commit().await.map_err(db)?;
        Ok(entry)
    }

    async fn merge_record(&self, actor: &Actor, merge: i64) -> Result<MergeRecord> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let record = load_merge(&mut tx, actor, merge).await?;
        let read =
            Audit { action: AuditAction::Read, subject: "child_merge", la: Some(record.la), child: Some(record.kept), case: None, actor };
        write_audit(&mut tx, &now, read).await?;
        tx.commit().await.map_err(db)?;
        Ok(record)
    }

    type Work = IdentityWork;

    async fn begin_identity_work(&self, actor: &Actor, reason: Option<&str>) -> Result<IdentityWork> {
        check_request(actor, reason)?;
        let tx = self.begin_write().await?;
        Ok(IdentityWork { tx, actor: actor.clone(), now: self.now() })
    }

    async fn identity_history(&self, actor: &Actor, child: Option<ChildId>) -> Result<Vec<IdentityEvent>> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        if let Some(child) = child {
            load_child(&mut tx, actor, child).await?;
        }
        let child = child.map(|c| c.to_string());
        let rows = sqlx::query(
            "select 'merged' as kind, m.at, m.actor, m.reason, m.merge_id, null as review_id, m.kept as a, m.absorbed as b, m.moved \
               from child_merge m where (?1 is null or m.la = ?1) and (?2 is null or ?2 in (m.kept, m.absorbed)) \
             union all \
             select 'unmerged', u.at, u.actor, u.reason, m.merge_id, null, m.kept, m.absorbed, null \
               from child_unmerge u join child_merge m on m.merge_id = u.merge_id \
               where (?1 is null or m.la = ?1) and (?2 is null or ?2 in (m.kept, m.absorbed)) \
             union all \
             select 'not_the_same', r.decided_at, r.decided_by, r.decision_reason, null, r.review_id, r.child_a, r.child_b, null \
               from identity_review r where r.status = 'rejected' and (?1 is null or r.la = ?1) and (?2 is null or ?2 in (r.child_a, r.child_b)) \
             order by 2, 1",
        )
        .bind(scope_la(actor))
        .bind(&child)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let mut events = Vec::with_capacity(rows.len());
        for row in &rows {
            let kind: String = col(row, "kind")?;
            let moved: Option<String> = col(row, "moved")?;
            let rows_moved = moved
                .map(|m| serde_json::from_str::<MovedRows>(&m).map(|m| m.total()))
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("merge record: {e}")))?;
            events.push(IdentityEvent {
                at: parse_timestamp(&col::<String>(row, "at")?)?,
                kind: match kind.as_str() {
                    "merged" => "merged",
                    "unmerged" => "unmerged",
                    _ => "not_the_same",
                },
                actor: col(row, "actor")?,
                reason: col(row, "reason")?,
                merge_id: col(row, "merge_id")?,
                review_id: col(row, "review_id")?,
                child_a: parse_col(row, "a", "child id")?,
                child_b: parse_col(row, "b", "child id")?,
                rows_moved,
            });
        }
        let read = Audit { action: AuditAction::Read, subject: "identity_history", la: actor.scope.la(), child: None, case: None, actor };
        write_audit(&mut tx, &now, read).await?;
        tx.commit().await.map_err(db)?;
        Ok(events)
    }
}

/// Identity work on SQLite: one `BEGIN IMMEDIATE` transaction ([`IdentityStore::begin_identity_work`]).
pub struct IdentityWork {
    tx: Transaction<'static, Sqlite>,
    actor: Actor,
    now: String,
}

impl IdentityWork {
    /// Both children exist in the actor's scope (a child outside it is `NotFound`, as everywhere).
    async fn in_scope(&mut self, a: ChildId, b: ChildId) -> Result<()> {
        load_child(&mut self.tx, &self.actor, a).await?;
        load_child(&mut self.tx, &self.actor, b).await?;
        Ok(())
    }
}

impl IdentityWrite for IdentityWork {
    async fn las_in_scope(&mut self) -> Result<Vec<LaCode>> {
        las_in_scope(&mut self.tx, &self.actor).await
    }

    async fn live_children(&mut self, la: LaCode) -> Result<Vec<MatchCandidate>> {
        if !self.actor.scope.permits(la) {
            return Err(StoreError::OutOfScope { la });
        }
        live_children(&mut self.tx, la).await
    }

    async fn pair_known(&mut self, a: ChildId, b: ChildId) -> Result<bool> {
        self.in_scope(a, b).await?;
        pair_known(&mut self.tx, a, b).await
    }

    async fn created_first(&mut self, a: ChildId, b: ChildId) -> Result<ChildId> {
        self.in_scope(a, b).await?;
        created_first(&mut self.tx, a, b).await
    }

    async fn review(&mut self, review: i64) -> Result<ReviewEntry> {
        load_review(&mut self.tx, &self.actor, review).await
    }

    async fn merge(&mut self, keep: ChildId, absorb: ChildId, reason: &str) -> Result<MergeRecord> {
        let reason = check_request(&self.actor, Some(reason))?;
        do_merge(&mut self.tx, &self.actor, keep, absorb, &reason, &self.now).await
    }

    async fn queue_pair(&mut self, la: LaCode, a: ChildId, b: ChildId, comparison: &Comparison) -> Result<Option<i64>> {
        if !self.actor.scope.permits(la) {
            return Err(StoreError::OutOfScope { la });
        }
        insert_review(&mut self.tx, &self.actor, la, a, b, comparison, None, &self.now).await
    }

    async fn settle_review(&mut self, review: i64, status: ReviewStatus, merge: Option<i64>, reason: &str) -> Result<()> {
        let reason = check_request(&self.actor, Some(reason))?;
        let settled = sqlx::query(
            "update identity_review set status = ?, decided_by = ?, decided_at = ?, decision_reason = ?, merge_id = ? \
             where review_id = ? and (? is null or la = ?)",
        )
        .bind(status.as_str())
        .bind(self.actor.label.trim())
        .bind(&self.now)
        .bind(&reason)
        .bind(merge)
        .bind(review)
        .bind(scope_la(&self.actor))
        .bind(scope_la(&self.actor))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?
        .rows_affected();
        if settled == 0 {
            return Err(not_found("review", review));
        }
        Ok(())
    }

    async fn audit(&mut self, action: AuditAction, subject: &'static str, la: Option<LaCode>, child: Option<ChildId>) -> Result<()> {
        let entry = Audit { action, subject, la, child, case: None, actor: &self.actor };
        write_audit(&mut self.tx, &self.now, entry).await
    }

    async fn commit(self) -> Result<()> {
        self.tx.commit().await.map_err(db)
    }

    async fn rollback(self) -> Result<()> {
        self.tx.rollback().await.map_err(db)
    }
}

/// Move the rows a merge recorded from child `from` to child `to`: a merge moves them to the kept
/// child, an unmerge moves exactly the same rows back. Each row moves only if it is still `from`'s.
async fn move_rows(conn: &mut SqliteConnection, moved: &MovedRows, from: &str, to: &str) -> Result<()> {
    for id in &moved.cases {
        sqlx::query("update ehc_case set child_id = ?1 where case_id = ?2 and child_id = ?3")
            .bind(to)
            .bind(id)
            .bind(from)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    for id in &moved.placements {
        sqlx::query("update placement set child_id = ?1 where placement_id = ?2 and child_id = ?3")
            .bind(to)
            .bind(id)
            .bind(from)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    for id in &moved.facts {
        sqlx::query("update person_fact set child_id = ?1 where fact_id = ?2 and child_id = ?3")
            .bind(to)
            .bind(id)
            .bind(from)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    for (kind, la, value) in &moved.identifiers {
        sqlx::query("update child_identifier set child_id = ?1 where child_id = ?2 and kind = ?3 and la = ?4 and value = ?5")
            .bind(to)
            .bind(from)
            .bind(kind)
            .bind(la)
            .bind(value)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    for user in &moved.user_links {
        sqlx::query("update app_user_child set child_id = ?1 where child_id = ?2 and user_id = ?3")
            .bind(to)
            .bind(from)
            .bind(user)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    Ok(())
}
