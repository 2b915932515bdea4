//! Identity across agencies: the review queue of pairs that may be one child, and merges of two child
//! records that are transactional, audited and undone exactly (docs/identity.md, ADR 0012).
//!
//! A merge moves the absorbed child's cases, placements, facts, social care ids and user links to the
//! kept child, in one transaction, and records the moved rows in the append-only `child_merge` table.
//! The absorbed child's row stays, marked `merged_into` the kept child ([`IdentityStore::merged_into`]).
//! A fact or link the kept child already has under the same key stays with the absorbed child (nothing
//! is overwritten). Logs and audit entries carry ids only.

use crate::sqlite::{check_request, col, db, load_child, not_found, parse_col, parse_timestamp, scope_la, to_json, write_audit, Audit};
use crate::{Actor, AuditAction, Result, SqliteStore, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use std::future::Future;
use waymark_domain::identifiers::LaCode;
use waymark_domain::identity::{Comparison, Decision, Reason};
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
    /// The same child: merge the second into the first.
    Merge,
    /// Different children.
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
    pub merge_id: Option<i64>,
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

    /// Decide an open entry: merge (the second child into the first) or reject. Returns the entry.
    fn decide_review(
        &self,
        actor: &Actor,
        review: i64,
        decision: ReviewDecision,
        reason: &str,
    ) -> impl Future<Output = Result<ReviewEntry>> + Send;

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

    for id in &moved.cases {
        sqlx::query("update ehc_case set child_id = ? where case_id = ?").bind(&k).bind(id).execute(&mut *conn).await.map_err(db)?;
    }
    for id in &moved.placements {
        sqlx::query("update placement set child_id = ? where placement_id = ?").bind(&k).bind(id).execute(&mut *conn).await.map_err(db)?;
    }
    for id in &moved.facts {
        sqlx::query("update person_fact set child_id = ? where fact_id = ?").bind(&k).bind(id).execute(&mut *conn).await.map_err(db)?;
    }
    for (kind, id_la, value) in &moved.identifiers {
        sqlx::query("update child_identifier set child_id = ?1 where child_id = ?2 and kind = ?3 and la = ?4 and value = ?5")
            .bind(&k)
            .bind(&a)
            .bind(kind)
            .bind(id_la)
            .bind(value)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    for user in &moved.user_links {
        sqlx::query("update app_user_child set child_id = ?1 where child_id = ?2 and user_id = ?3")
            .bind(&k)
            .bind(&a)
            .bind(user)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
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
        merge_id: col(row, "merge_id")?,
    })
}

const REVIEW_COLUMNS: &str =
    "review_id, la, child_a, child_b, score, band, reasons, status, created_at, decided_by, merge_id from identity_review";

impl IdentityStore for SqliteStore {
    async fn queue_review(&self, actor: &Actor, a: ChildId, b: ChildId, comparison: &Comparison) -> Result<Option<i64>> {
        check_request(actor, None)?;
        let band = match comparison.decision {
            Decision::Match => "match",
            Decision::Review => "review",
            Decision::NonMatch => return Err(StoreError::Invalid("a non-match is not queued for review".into())),
        };
        if a == b {
            return Err(StoreError::Invalid("a child cannot be paired with itself".into()));
        }
        let (first, second) = if a.to_string() < b.to_string() { (a, b) } else { (b, a) };
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let one = load_child(&mut tx, actor, first).await?;
        let two = load_child(&mut tx, actor, second).await?;
        let la = one.value.responsible_la;
        if two.value.responsible_la != la {
            return Err(StoreError::Invalid("children of different local authorities are not paired".into()));
        }
        let id: Option<i64> = sqlx::query_scalar(
            "insert into identity_review (la, child_a, child_b, score, band, reasons, created_at) values (?, ?, ?, ?, ?, ?, ?) \
             on conflict (child_a, child_b) do nothing returning review_id",
        )
        .bind(la.to_string())
        .bind(first.to_string())
        .bind(second.to_string())
        .bind(comparison.score)
        .bind(band)
        .bind(to_json(&comparison.reasons, "review reasons")?)
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        if id.is_some() {
            write_audit(
                &mut tx,
                &now,
                Audit { action: AuditAction::Create, subject: "identity_review", la: Some(la), child: Some(first), case: None, actor },
            )
            .await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn review_queue(&self, actor: &Actor) -> Result<Vec<ReviewEntry>> {
        check_request(actor, None)?;
        let rows = sqlx::query(&format!(
            "select {REVIEW_COLUMNS} where status = 'open' and (?1 is null or la = ?1) order by score desc, review_id"
        ))
        .bind(scope_la(actor))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(review_from_row).collect()
    }

    async fn decide_review(&self, actor: &Actor, review: i64, decision: ReviewDecision, reason: &str) -> Result<ReviewEntry> {
        let reason = check_request(actor, Some(reason))?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!("select {REVIEW_COLUMNS} where review_id = ?1 and (?2 is null or la = ?2)"))
            .bind(review)
            .bind(scope_la(actor))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .ok_or_else(|| not_found("review", review))?;
        let entry = review_from_row(&row)?;
        if entry.status != ReviewStatus::Open {
            return Err(StoreError::Invalid(format!("review {review} is already {}", entry.status.as_str())));
        }
        let (status, merge_id) = match decision {
            ReviewDecision::Merge => {
                let merge = do_merge(&mut tx, actor, entry.child_a, entry.child_b, &reason, &now).await?;
                (ReviewStatus::Merged, Some(merge.id))
            }
            ReviewDecision::Reject => (ReviewStatus::Rejected, None),
        };
        sqlx::query(
            "update identity_review set status = ?, decided_by = ?, decided_at = ?, decision_reason = ?, merge_id = ? where review_id = ?",
        )
        .bind(status.as_str())
        .bind(actor.label.trim())
        .bind(&now)
        .bind(&reason)
        .bind(merge_id)
        .bind(review)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        write_audit(&mut tx, &now, audit(actor, entry.la, entry.child_a, "identity_review")).await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(review, decision = status.as_str(), "identity review decided");
        Ok(ReviewEntry { status, decided_by: Some(actor.label.trim().to_owned()), merge_id, ..entry })
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
        let m = &record.moved;
        for id in &m.cases {
            sqlx::query("update ehc_case set child_id = ? where case_id = ? and child_id = ?")
                .bind(&a)
                .bind(id)
                .bind(&k)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        for id in &m.placements {
            sqlx::query("update placement set child_id = ? where placement_id = ? and child_id = ?")
                .bind(&a)
                .bind(id)
                .bind(&k)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        for id in &m.facts {
            sqlx::query("update person_fact set child_id = ? where fact_id = ? and child_id = ?")
                .bind(&a)
                .bind(id)
                .bind(&k)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        for (kind, id_la, value) in &m.identifiers {
            sqlx::query("update child_identifier set child_id = ?1 where child_id = ?2 and kind = ?3 and la = ?4 and value = ?5")
                .bind(&a)
                .bind(&k)
                .bind(kind)
                .bind(id_la)
                .bind(value)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        for user in &m.user_links {
            sqlx::query("update app_user_child set child_id = ?1 where child_id = ?2 and user_id = ?3")
                .bind(&a)
                .bind(&k)
                .bind(user)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        sqlx::query("update child set merged_into = null where child_id = ?").bind(&a).execute(&mut *tx).await.map_err(db)?;
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
}
