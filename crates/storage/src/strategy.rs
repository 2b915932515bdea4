//! The SEND strategy's persistence (issue 17): each plan (`strategy` or `action_plan`) of an LA as an
//! append-only log of changes, and the self-evaluation as append-only dated versions. The store holds
//! the changes as JSON and knows nothing of their meaning: the `waymark-strategy` crate decodes,
//! checks and replays them. Each append names the version it was based on and is refused with
//! [`StoreError::Conflict`] if another change came first. An actor scoped to one LA reaches that LA's
//! plans only. No child's data is held here.

use crate::sqlite::{check_request, col, conflict, db, parse_timestamp};
use crate::{Actor, Result, SqliteStore, StoreError};
use chrono::{DateTime, Utc};
use std::future::Future;

/// The plans there are.
pub const PLANS: [&str; 2] = ["strategy", "action_plan"];

/// One stored change or version.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEntry {
    /// The change's place in its plan (1, 2, ...), or the self-evaluation's version.
    pub seq: u64,
    pub recorded_at: DateTime<Utc>,
    pub actor: String,
    /// The self-evaluation's date (the day its view is as of); none for a plan's change.
    pub dated: Option<String>,
    pub json: String,
}

/// A document attached to a deliverable as evidence (its bytes in a file named by SHA-256, ADR 0020).
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyDocument {
    pub id: uuid::Uuid,
    pub la: String,
    pub plan: String,
    pub reference: String,
    pub filename: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
    pub actor: String,
}

/// The LA's latest decision on publishing its strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    pub published: bool,
    pub recorded_at: DateTime<Utc>,
    pub actor: String,
}

pub trait StrategyStore: Send + Sync {
    /// Every change of one plan of an LA, in order.
    fn plan_changes(&self, actor: &Actor, la: &str, plan: &str) -> impl Future<Output = Result<Vec<StoredEntry>>> + Send;

    /// Append a change (JSON) made on a plan whose latest change is `based_on` (0 for none); returns
    /// the change's number. Refused as a conflict if the plan has moved on.
    fn append_plan_change(
        &self,
        actor: &Actor,
        la: &str,
        plan: &str,
        based_on: u64,
        json: &str,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Every version of an LA's self-evaluation, oldest first.
    fn self_evaluations(&self, actor: &Actor, la: &str) -> impl Future<Output = Result<Vec<StoredEntry>>> + Send;

    /// Save a new version of the self-evaluation, made from version `based_on` (0 for none); returns
    /// its number.
    fn append_self_evaluation(
        &self,
        actor: &Actor,
        la: &str,
        based_on: u64,
        dated: &str,
        json: &str,
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Whether the LA publishes its strategy for families and the public (issue 17, item 7): the latest
    /// decision, when and by whom; none if it never has.
    fn publication(&self, actor: &Actor, la: &str) -> impl Future<Output = Result<Option<Publication>>> + Send;

    /// Publish (or stop publishing) the LA's strategy. Kept with the earlier decisions.
    fn set_publication(&self, actor: &Actor, la: &str, published: bool) -> impl Future<Output = Result<()>> + Send;

    /// Store a document's bytes (a file named by their SHA-256, written before the row is committed) and
    /// its row for a deliverable. The caller has checked the bytes (`waymark_documents::files::check_upload`)
    /// and records the attachment in the plan's log.
    #[allow(clippy::too_many_arguments)]
    fn add_strategy_document(
        &self,
        actor: &Actor,
        la: &str,
        plan: &str,
        reference: &str,
        filename: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> impl Future<Output = Result<StrategyDocument>> + Send;

    /// A document's row and bytes, checked against its SHA-256 (a file altered on disk is refused).
    fn read_strategy_document(
        &self,
        actor: &Actor,
        la: &str,
        id: uuid::Uuid,
    ) -> impl Future<Output = Result<(StrategyDocument, Vec<u8>)>> + Send;

    /// The LAs that hold children in the store, in the actor's scope (to choose an area when none is named).
    fn strategy_areas(&self, actor: &Actor) -> impl Future<Output = Result<Vec<String>>> + Send;
}

fn check(actor: &Actor, la: &str, plan: Option<&str>) -> Result<()> {
    check_request(actor, None)?;
    let code: waymark_domain::identifiers::LaCode =
        la.parse().map_err(|_| StoreError::Invalid(format!("'{la}' is not an LA code (three digits)")))?;
    if !actor.scope.permits(code) {
        return Err(StoreError::OutOfScope { la: code });
    }
    if let Some(p) = plan {
        if !PLANS.contains(&p) {
            return Err(StoreError::Invalid(format!("'{p}' is not a plan ({})", PLANS.join(", "))));
        }
    }
    Ok(())
}

fn json_ok(json: &str) -> Result<()> {
    serde_json::from_str::<serde_json::Value>(json).map(|_| ()).map_err(|e| StoreError::Invalid(format!("the change is not JSON: {e}")))
}

fn entry(row: &sqlx::sqlite::SqliteRow, with_date: bool) -> Result<StoredEntry> {
    let seq: i64 = col(row, "seq")?;
    Ok(StoredEntry {
        seq: seq as u64,
        recorded_at: parse_timestamp(&col::<String>(row, "recorded_at")?)?,
        actor: col(row, "actor")?,
        dated: if with_date { Some(col(row, "dated")?) } else { None },
        json: col(row, "body")?,
    })
}

impl StrategyStore for SqliteStore {
    async fn plan_changes(&self, actor: &Actor, la: &str, plan: &str) -> Result<Vec<StoredEntry>> {
        check(actor, la, Some(plan))?;
        let rows =
            sqlx::query("select seq, recorded_at, actor, change as body from strategy_change where la = ? and plan = ? order by seq")
                .bind(la)
                .bind(plan)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        rows.iter().map(|r| entry(r, false)).collect()
    }

    async fn append_plan_change(&self, actor: &Actor, la: &str, plan: &str, based_on: u64, json: &str) -> Result<u64> {
        check(actor, la, Some(plan))?;
        json_ok(json)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let current: i64 = sqlx::query_scalar("select coalesce(max(seq), 0) from strategy_change where la = ? and plan = ?")
            .bind(la)
            .bind(plan)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        if current as u64 != based_on {
            return Err(conflict("plan", format!("{la}/{plan}"), based_on as i64, current));
        }
        let seq = current + 1;
        sqlx::query("insert into strategy_change (la, plan, seq, recorded_at, actor, change) values (?, ?, ?, ?, ?, ?)")
            .bind(la)
            .bind(plan)
            .bind(seq)
            .bind(&now)
            .bind(actor.label.trim())
            .bind(json)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        tracing::info!(la, plan, seq, "strategy change recorded");
        Ok(seq as u64)
    }

    async fn self_evaluations(&self, actor: &Actor, la: &str) -> Result<Vec<StoredEntry>> {
        check(actor, la, None)?;
        let rows = sqlx::query(
            "select version as seq, recorded_at, actor, dated, body from self_evaluation_version where la = ? order by version",
        )
        .bind(la)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(|r| entry(r, true)).collect()
    }

    async fn append_self_evaluation(&self, actor: &Actor, la: &str, based_on: u64, dated: &str, json: &str) -> Result<u64> {
        check(actor, la, None)?;
        json_ok(json)?;
        if chrono::NaiveDate::parse_from_str(dated, "%Y-%m-%d").is_err() {
            return Err(StoreError::Invalid(format!("'{dated}' is not a date (YYYY-MM-DD)")));
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let current: i64 = sqlx::query_scalar("select coalesce(max(version), 0) from self_evaluation_version where la = ?")
            .bind(la)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        if current as u64 != based_on {
            return Err(conflict("self-evaluation", la, based_on as i64, current));
        }
        sqlx::query("insert into self_evaluation_version (la, version, dated, recorded_at, actor, body) values (?, ?, ?, ?, ?, ?)")
            .bind(la)
            .bind(current + 1)
            .bind(dated)
            .bind(&now)
            .bind(actor.label.trim())
            .bind(json)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        tracing::info!(la, version = current + 1, "self-evaluation version saved");
        Ok(current as u64 + 1)
    }

    async fn publication(&self, actor: &Actor, la: &str) -> Result<Option<Publication>> {
        check(actor, la, None)?;
        let row = sqlx::query("select published, recorded_at, actor from strategy_publication where la = ? order by seq desc limit 1")
            .bind(la)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|r| {
            Ok(Publication {
                published: col::<i64>(&r, "published")? == 1,
                recorded_at: parse_timestamp(&col::<String>(&r, "recorded_at")?)?,
                actor: col(&r, "actor")?,
            })
        })
        .transpose()
    }

    async fn set_publication(&self, actor: &Actor, la: &str, published: bool) -> Result<()> {
        check(actor, la, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into strategy_publication (la, seq, published, recorded_at, actor) \
             values (?1, (select coalesce(max(seq), 0) + 1 from strategy_publication where la = ?1), ?2, ?3, ?4)",
        )
        .bind(la)
        .bind(published as i64)
        .bind(&now)
        .bind(actor.label.trim())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        tracing::info!(la, published, "strategy publication decided");
        Ok(())
    }

    async fn add_strategy_document(
        &self,
        actor: &Actor,
        la: &str,
        plan: &str,
        reference: &str,
        filename: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<StrategyDocument> {
        check(actor, la, Some(plan))?;
        let sha256 = crate::documents::sha256_hex(bytes);
        self.write_file(&sha256, bytes)?;
        let doc = StrategyDocument {
            id: uuid::Uuid::new_v4(),
            la: la.to_owned(),
            plan: plan.to_owned(),
            reference: reference.to_owned(),
            filename: filename.to_owned(),
            media_type: media_type.to_owned(),
            size: bytes.len() as i64,
            sha256,
            uploaded_at: parse_timestamp(&self.now())?,
            actor: actor.label.trim().to_owned(),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into strategy_document (document_id, la, plan, reference, filename, media_type, size, sha256, uploaded_at, actor) \
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(doc.id.to_string())
        .bind(la)
        .bind(plan)
        .bind(reference)
        .bind(filename)
        .bind(media_type)
        .bind(doc.size)
        .bind(&doc.sha256)
        .bind(self.now())
        .bind(&doc.actor)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        tracing::info!(la, plan, size = doc.size, "strategy document stored");
        Ok(doc)
    }

    async fn read_strategy_document(&self, actor: &Actor, la: &str, id: uuid::Uuid) -> Result<(StrategyDocument, Vec<u8>)> {
        check(actor, la, None)?;
        let row = sqlx::query(
            "select document_id, la, plan, reference, filename, media_type, size, sha256, uploaded_at, actor \
             from strategy_document where document_id = ? and la = ?",
        )
        .bind(id.to_string())
        .bind(la)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        .ok_or_else(|| crate::sqlite::not_found("document", id))?;
        let doc = StrategyDocument {
            id,
            la: col(&row, "la")?,
            plan: col(&row, "plan")?,
            reference: col(&row, "reference")?,
            filename: col(&row, "filename")?,
            media_type: col(&row, "media_type")?,
            size: col(&row, "size")?,
            sha256: col(&row, "sha256")?,
            uploaded_at: parse_timestamp(&col::<String>(&row, "uploaded_at")?)?,
            actor: col(&row, "actor")?,
        };
        let path = self.document_path(&doc.sha256)?;
        let bytes =
            tokio::fs::read(&path).await.map_err(|e| StoreError::Corrupt(format!("the file of document {id} cannot be read: {e}")))?;
        if crate::documents::sha256_hex(&bytes) != doc.sha256 {
            return Err(StoreError::Corrupt(format!("the file of document {id} has changed on disk")));
        }
        Ok((doc, bytes))
    }

    async fn strategy_areas(&self, actor: &Actor) -> Result<Vec<String>> {
        check_request(actor, None)?;
        let la = actor.scope.la().map(|l| l.to_string());
        sqlx::query_scalar(
            "select la from (select distinct la from child union select distinct la from strategy_change) where (?1 is null or la = ?1) order by la",
        )
        .bind(la)
        .fetch_all(&self.pool)
        .await
        .map_err(db)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FixedClock, Scope};
    use std::sync::Arc;

    async fn store() -> SqliteStore {
        let at = chrono::DateTime::parse_from_rfc3339("2026-01-15T10:00:00Z").unwrap().with_timezone(&Utc);
        SqliteStore::open_in_memory(Arc::new(FixedClock::new(at))).await.unwrap()
    }

    #[tokio::test]
    async fn a_plans_changes_are_kept_in_order_and_a_stale_change_is_a_conflict() {
        let s = store().await;
        let cli = Actor::new("cli", Scope::All);
        assert_eq!(s.append_plan_change(&cli, "851", "strategy", 0, r#"{"change":"a"}"#).await.unwrap(), 1);
        assert_eq!(s.append_plan_change(&cli, "851", "strategy", 1, r#"{"change":"b"}"#).await.unwrap(), 2);
        let e = s.append_plan_change(&cli, "851", "strategy", 1, r#"{"change":"c"}"#).await.unwrap_err();
        assert!(e.is_conflict(), "{e}");
        let all = s.plan_changes(&cli, "851", "strategy").await.unwrap();
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(all[1].json, r#"{"change":"b"}"#);
        assert!(s.plan_changes(&cli, "851", "action_plan").await.unwrap().is_empty(), "each plan has its own log");
        let deleted = sqlx::query("delete from strategy_change").execute(&s.pool).await;
        assert!(deleted.is_err(), "the log is append-only");
    }

    #[tokio::test]
    async fn another_las_strategy_is_out_of_scope() {
        let s = store().await;
        let kent = Actor::new("user:1", Scope::LocalAuthority("886".parse().unwrap()));
        let e = s.append_plan_change(&kent, "851", "strategy", 0, "{}").await.unwrap_err();
        assert!(matches!(e, StoreError::OutOfScope { .. }), "{e}");
        assert!(matches!(s.self_evaluations(&kent, "851").await.unwrap_err(), StoreError::OutOfScope { .. }));
        assert!(matches!(s.plan_changes(&kent, "886", "nonsense").await.unwrap_err(), StoreError::Invalid(_)));
    }

    #[tokio::test]
    async fn publishing_is_kept_as_a_log_whose_latest_decision_is_in_force() {
        let s = store().await;
        let manager = Actor::new("user:3", Scope::LocalAuthority("851".parse().unwrap()));
        assert_eq!(s.publication(&manager, "851").await.unwrap(), None, "never published");
        s.set_publication(&manager, "851", true).await.unwrap();
        assert!(s.publication(&manager, "851").await.unwrap().unwrap().published);
        s.set_publication(&manager, "851", false).await.unwrap();
        let p = s.publication(&manager, "851").await.unwrap().unwrap();
        assert_eq!((p.published, p.actor.as_str()), (false, "user:3"));
        assert!(matches!(s.set_publication(&manager, "886", true).await.unwrap_err(), StoreError::OutOfScope { .. }));
        assert!(sqlx::query("delete from strategy_publication").execute(&s.pool).await.is_err(), "append-only");
    }

    #[tokio::test]
    async fn self_evaluation_versions_are_dated_and_kept() {
        let s = store().await;
        let cli = Actor::new("cli", Scope::All);
        s.append_self_evaluation(&cli, "851", 0, "2025-09-01", "{}").await.unwrap();
        s.append_self_evaluation(&cli, "851", 1, "2026-01-15", r#"{"v":2}"#).await.unwrap();
        assert!(s.append_self_evaluation(&cli, "851", 1, "2026-01-15", "{}").await.unwrap_err().is_conflict());
        assert!(matches!(s.append_self_evaluation(&cli, "851", 2, "15/01/2026", "{}").await.unwrap_err(), StoreError::Invalid(_)));
        let v = s.self_evaluations(&cli, "851").await.unwrap();
        assert_eq!(v.iter().map(|e| e.dated.clone().unwrap()).collect::<Vec<_>>(), ["2025-09-01", "2026-01-15"]);
        assert_eq!(s.strategy_areas(&cli).await.unwrap(), Vec::<String>::new(), "no children and no plan yet");
    }
}
