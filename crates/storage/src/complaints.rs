//! The log of compliments and complaints (issue 16), and the co-production log. Both are kept per LA
//! and reached only within the actor's scope. A complaint may name the case it is about: recording it
//! is audited as a write against that case (and child), and reading the log is one audit entry for the
//! whole list (an aggregate view), with the cases it names. The time limits are the pure core's
//! (`waymark_surveys::complaints`), worked out when read, never stored.

use crate::sqlite::{check_request, col, conflict, db, not_found, parse_col, scope_la, to_json, write_audit, Audit};
use crate::{Actor, AuditAction, Result, SqliteStore, StoreError};
use chrono::NaiveDate;
use std::future::Future;
use uuid::Uuid;
use waymark_domain::identifiers::LaCode;
use waymark_domain::ids::{CaseId, ChildId};
use waymark_surveys::complaints::{Outcome, Stage};
use waymark_surveys::coproduction::{Coproduction, Group, Kind};

/// The longest summary kept.
pub const MAX_SUMMARY: usize = 2000;

/// A compliment or one stage of a complaint, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplaint {
    pub la: LaCode,
    pub stage: Stage,
    pub received_on: NaiveDate,
    pub summary: String,
    /// The case it is about, if any.
    pub case: Option<CaseId>,
    /// The entry this stage follows (a stage 2 complaint follows its stage 1).
    pub follows: Option<Uuid>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintRecord {
    pub id: Uuid,
    pub la: LaCode,
    pub stage: Stage,
    pub received_on: NaiveDate,
    pub summary: String,
    pub case: Option<CaseId>,
    pub child: Option<ChildId>,
    pub follows: Option<Uuid>,
    pub responded_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub version: i64,
}

/// A stored co-production entry.
#[derive(Debug, Clone, PartialEq)]
pub struct CoproductionRecord {
    pub id: Uuid,
    pub la: LaCode,
    pub entry: Coproduction,
}

/// The complaints and co-production logs, beside [`crate::Store`].
pub trait ComplaintStore: Send + Sync {
    /// Record a compliment or a complaint's stage. A named case must be in the actor's scope and the
    /// entry's LA; the write is audited against it.
    fn record_complaint(&self, actor: &Actor, entry: &NewComplaint) -> impl Future<Output = Result<ComplaintRecord>> + Send;
    /// Record the response to an entry: the day it was answered and how it ended.
    fn respond_to_complaint(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: i64,
        responded_on: NaiveDate,
        outcome: Outcome,
    ) -> impl Future<Output = Result<ComplaintRecord>> + Send;
    /// Every entry in the actor's scope, newest received first. One audit entry for the read.
    fn complaints(&self, actor: &Actor) -> impl Future<Output = Result<Vec<ComplaintRecord>>> + Send;
    /// One entry; audited against its case if it names one.
    fn complaint(&self, actor: &Actor, id: Uuid) -> impl Future<Output = Result<ComplaintRecord>> + Send;
    /// The cases in the actor's scope a reference names: `EHC-` and the first 8 characters of the
    /// case's id as people quote it, or the whole id. Usually one; none if it names none in scope.
    fn cases_by_reference(&self, actor: &Actor, reference: &str) -> impl Future<Output = Result<Vec<CaseId>>> + Send;
    fn record_coproduction(
        &self,
        actor: &Actor,
        la: LaCode,
        entry: &Coproduction,
    ) -> impl Future<Output = Result<CoproductionRecord>> + Send;
    /// Every co-production entry in the actor's scope, most recently held first.
    fn coproduction(&self, actor: &Actor) -> impl Future<Output = Result<Vec<CoproductionRecord>>> + Send;
}

fn date(row: &sqlx::sqlite::SqliteRow, name: &str) -> Result<NaiveDate> {
    let text: String = col(row, name)?;
    text.parse().map_err(|_| StoreError::Corrupt(format!("'{text}' is not a date ({name})")))
}

fn complaint_row(row: &sqlx::sqlite::SqliteRow) -> Result<ComplaintRecord> {
    let stage: String = col(row, "stage")?;
    let outcome: Option<String> = col(row, "outcome")?;
    let responded: Option<String> = col(row, "responded_on")?;
    let opt_id = |name: &str| -> Result<Option<String>> { col(row, name) };
    Ok(ComplaintRecord {
        id: parse_col(row, "complaint_id", "complaint id")?,
        la: parse_col(row, "la", "LA code")?,
        stage: Stage::parse(&stage).ok_or_else(|| StoreError::Corrupt(format!("'{stage}' is not a complaint stage")))?,
        received_on: date(row, "received_on")?,
        summary: col(row, "summary")?,
        case: opt_id("case_id")?.map(|c| c.parse()).transpose().map_err(|_| StoreError::Corrupt("case id".into()))?,
        child: opt_id("child_id")?.map(|c| c.parse()).transpose().map_err(|_| StoreError::Corrupt("child id".into()))?,
        follows: opt_id("follows")?.map(|c| c.parse()).transpose().map_err(|_| StoreError::Corrupt("complaint id".into()))?,
        responded_on: responded
            .map(|t| t.parse().map_err(|_| StoreError::Corrupt(format!("'{t}' is not a date (responded_on)"))))
            .transpose()?,
        outcome: match outcome {
            Some(o) => Some(Outcome::parse(&o).ok_or_else(|| StoreError::Corrupt(format!("'{o}' is not an outcome")))?),
            None => None,
        },
        version: col(row, "version")?,
    })
}

fn coproduction_row(row: &sqlx::sqlite::SqliteRow) -> Result<CoproductionRecord> {
    let kind: String = col(row, "kind")?;
    let took: String = col(row, "took_part")?;
    let took: Vec<(String, u32)> = serde_json::from_str(&took).map_err(|e| StoreError::Corrupt(format!("took part: {e}")))?;
    let deliverables: String = col(row, "deliverables")?;
    Ok(CoproductionRecord {
        id: parse_col(row, "coproduction_id", "entry id")?,
        la: parse_col(row, "la", "LA code")?,
        entry: Coproduction {
            held_on: date(row, "held_on")?,
            kind: Kind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("'{kind}' is not a kind of meeting")))?,
            title: col(row, "title")?,
            took_part: took
                .into_iter()
                .map(|(g, n)| Group::parse(&g).map(|g| (g, n)).ok_or_else(|| StoreError::Corrupt(format!("'{g}' is not a group"))))
                .collect::<Result<_>>()?,
            decided: col(row, "decided")?,
            deliverables: serde_json::from_str(&deliverables).map_err(|e| StoreError::Corrupt(format!("deliverables: {e}")))?,
        },
    })
}

impl SqliteStore {
    async fn load_complaint(&self, conn: &mut sqlx::SqliteConnection, actor: &Actor, id: Uuid) -> Result<ComplaintRecord> {
        let row = sqlx::query("select * from complaint where complaint_id = ?1 and (?2 is null or la = ?2)")
            .bind(id.to_string())
            .bind(scope_la(actor))
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?
            .ok_or_else(|| not_found("complaint", id))?;
        complaint_row(&row)
    }
}

impl ComplaintStore for SqliteStore {
    async fn record_complaint(&self, actor: &Actor, e: &NewComplaint) -> Result<ComplaintRecord> {
        check_request(actor, None)?;
        if !actor.scope.permits(e.la) {
            return Err(StoreError::OutOfScope { la: e.la });
        }
        let summary = e.summary.trim().to_owned();
        if summary.is_empty() {
            return Err(StoreError::Invalid("the summary must not be blank".into()));
        }
        if summary.chars().count() > MAX_SUMMARY {
            return Err(StoreError::Invalid(format!("the summary must be at most {MAX_SUMMARY} characters")));
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let child = match e.case {
            Some(case) => {
                let row = sqlx::query("select child_id, la from ehc_case where case_id = ?1 and (?2 is null or la = ?2)")
                    .bind(case.to_string())
                    .bind(scope_la(actor))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db)?
                    .ok_or_else(|| not_found("case", case))?;
                let la: LaCode = parse_col(&row, "la", "LA code")?;
                if la != e.la {
                    return Err(StoreError::Invalid("the case belongs to another local authority".into()));
                }
                Some(parse_col::<ChildId>(&row, "child_id", "child id")?)
            }
            None => None,
        };
        if let Some(f) = e.follows {
            let before = self.load_complaint(&mut tx, actor, f).await?;
            if before.stage.next() != Some(e.stage) {
                return Err(StoreError::Invalid(format!("a {} cannot follow a {}", e.stage.words(), before.stage.words())));
            }
        }
        let id = Uuid::new_v4();
        sqlx::query(
            "insert into complaint (complaint_id, la, stage, received_on, summary, case_id, child_id, follows, version, recorded_at, actor) \
             values (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
        )
        .bind(id.to_string())
        .bind(e.la.to_string())
        .bind(e.stage.code())
        .bind(e.received_on.to_string())
        .bind(&summary)
        .bind(e.case.map(|c| c.to_string()))
        .bind(child.map(|c| c.to_string()))
        .bind(e.follows.map(|f| f.to_string()))
        .bind(&now)
        .bind(actor.label.trim())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let audit = Audit { action: AuditAction::Create, subject: "complaint", la: Some(e.la), child, case: e.case, actor };
        write_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(complaint = %id, stage = e.stage.code(), "complaints log: entry recorded");
        Ok(ComplaintRecord {
            id,
            la: e.la,
            stage: e.stage,
            received_on: e.received_on,
            summary,
            case: e.case,
            child,
            follows: e.follows,
            responded_on: None,
            outcome: None,
            version: 1,
        })
    }

    async fn respond_to_complaint(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: i64,
        responded_on: NaiveDate,
        outcome: Outcome,
    ) -> Result<ComplaintRecord> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let current = self.load_complaint(&mut tx, actor, id).await?;
        if current.version != expected_version {
            return Err(conflict("complaint", id, expected_version, current.version));
        }
        if current.stage == Stage::Compliment {
            return Err(StoreError::Invalid("a compliment has no response or outcome to record".into()));
        }
        if responded_on < current.received_on {
            return Err(StoreError::Invalid("the response cannot be dated before the complaint was received".into()));
        }
        sqlx::query("update complaint set responded_on = ?, outcome = ?, version = version + 1 where complaint_id = ?")
            .bind(responded_on.to_string())
            .bind(outcome.code())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let audit = Audit {
            action: AuditAction::Update,
            subject: "complaint",
            la: Some(current.la),
            child: current.child,
            case: current.case,
            actor,
        };
        write_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(complaint = %id, outcome = outcome.code(), "complaints log: response recorded");
        Ok(ComplaintRecord { responded_on: Some(responded_on), outcome: Some(outcome), version: current.version + 1, ..current })
    }

    async fn complaints(&self, actor: &Actor) -> Result<Vec<ComplaintRecord>> {
        check_request(actor, None)?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let rows = sqlx::query("select * from complaint where (?1 is null or la = ?1) order by received_on desc, rowid desc")
            .bind(scope_la(actor))
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
        let list = rows.iter().map(complaint_row).collect::<Result<Vec<_>>>()?;
        // One entry for the list (an aggregate view), whatever the cases it names.
        let audit = Audit { action: AuditAction::Read, subject: "complaints_log", la: actor.scope.la(), child: None, case: None, actor };
        self.write_read_audit(&mut conn, &self.now(), audit).await?;
        Ok(list)
    }

    async fn complaint(&self, actor: &Actor, id: Uuid) -> Result<ComplaintRecord> {
        check_request(actor, None)?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let c = self.load_complaint(&mut conn, actor, id).await?;
        if c.case.is_some() {
            let audit = Audit { action: AuditAction::Read, subject: "complaint", la: Some(c.la), child: c.child, case: c.case, actor };
            self.write_read_audit(&mut conn, &self.now(), audit).await?;
        }
        Ok(c)
    }

    async fn cases_by_reference(&self, actor: &Actor, reference: &str) -> Result<Vec<CaseId>> {
        check_request(actor, None)?;
        let t = reference.trim();
        let t = t.strip_prefix("EHC-").or_else(|| t.strip_prefix("ehc-")).unwrap_or(t).to_ascii_lowercase();
        if t.len() < 8 || t.len() > 36 || !t.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Ok(Vec::new());
        }
        let rows: Vec<String> =
            sqlx::query_scalar("select case_id from ehc_case where substr(case_id, 1, ?1) = ?2 and (?3 is null or la = ?3) limit 5")
                .bind(i64::try_from(t.len()).unwrap_or(36))
                .bind(&t)
                .bind(scope_la(actor))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        rows.iter().map(|r| r.parse().map_err(|_| StoreError::Corrupt(format!("'{r}' is not a case id")))).collect()
    }

    async fn record_coproduction(&self, actor: &Actor, la: LaCode, entry: &Coproduction) -> Result<CoproductionRecord> {
        check_request(actor, None)?;
        if !actor.scope.permits(la) {
            return Err(StoreError::OutOfScope { la });
        }
        let id = Uuid::new_v4();
        let took: Vec<(&str, u32)> = entry.took_part.iter().map(|(g, n)| (g.code(), *n)).collect();
        sqlx::query(
            "insert into coproduction (coproduction_id, la, held_on, kind, title, took_part, decided, deliverables, recorded_at, actor) \
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(la.to_string())
        .bind(entry.held_on.to_string())
        .bind(entry.kind.code())
        .bind(&entry.title)
        .bind(to_json(&took, "took part")?)
        .bind(&entry.decided)
        .bind(to_json(&entry.deliverables, "deliverables")?)
        .bind(self.now())
        .bind(actor.label.trim())
        .execute(&self.pool)
        .await
        .map_err(db)?;
        tracing::info!(%la, "co-production log: entry recorded");
        Ok(CoproductionRecord { id, la, entry: entry.clone() })
    }

    async fn coproduction(&self, actor: &Actor) -> Result<Vec<CoproductionRecord>> {
        check_request(actor, None)?;
        let rows = sqlx::query("select * from coproduction where (?1 is null or la = ?1) order by held_on desc, rowid desc")
            .bind(scope_la(actor))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(coproduction_row).collect()
    }
}
