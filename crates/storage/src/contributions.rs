//! Contributions to a case from outside the council (migration 0053): a family's views, a school or
//! college they ask for, their comments on a draft, a professional's structured advice. Each is written
//! in one transaction with the case event it records (checked by the lifecycle first), the
//! notifications that event causes, its uploaded document if any, and the audit entries: all of it, or
//! none. The document's file is saved before the transaction (a file nobody points at is harmless; a
//! row naming a missing file is not). Reading a case's contributions is audited in the read-audit
//! database.

use crate::documents::{insert_document, load_document};
use crate::sqlite::{append_case_events, check_request, col, db, not_found, parse_col, parse_timestamp, scope_la, Audit};
use crate::{Actor, AuditAction, DocumentRecord, NewDocument, Result, SqliteStore, StoreError};
use chrono::{DateTime, Utc};
use std::future::Future;
use uuid::Uuid;
use waymark_domain::case::{CaseEvent, CaseEventKind};
use waymark_domain::identifiers::LaCode;
use waymark_domain::ids::{CaseId, ChildId, UserId};

/// A contribution to record. `kind` is its code (`family_views`, `setting_request`, `draft_comments`,
/// `advice`) and `content` its JSON, both from the contributions crate; `event` the case event it
/// records.
#[derive(Debug, Clone, PartialEq)]
pub struct NewContribution {
    pub case: CaseId,
    pub kind: &'static str,
    pub content: String,
    pub event: CaseEvent,
    pub submitted_by: Option<UserId>,
}

/// A stored contribution.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContributionRecord {
    pub contribution_id: Uuid,
    pub case_id: CaseId,
    pub kind: String,
    pub content: String,
    /// The case event it recorded (its sequence number in the case's history).
    pub event_seq: i64,
    pub document_id: Option<Uuid>,
    /// Comments on a draft sent after the 15 days (SEND Regs 2014 reg 13(1)).
    pub late: bool,
    pub submitted_by: Option<UserId>,
    /// The submitter's actor label (an id, never a name).
    pub submitted_by_label: String,
    pub submitted_at: DateTime<Utc>,
}

pub trait ContributionStore {
    /// Record a contribution with its event and, if given, its document (`(metadata, bytes)`), in one
    /// transaction. A refusal by the lifecycle (e.g. comments with no draft) is
    /// [`StoreError::Transition`] and nothing is written.
    fn record_contribution(
        &self,
        actor: &Actor,
        new: NewContribution,
        document: Option<(NewDocument, Vec<u8>)>,
    ) -> impl Future<Output = Result<(ContributionRecord, Option<DocumentRecord>)>> + Send;

    /// A case's contributions, oldest first. Audited as one read.
    fn case_contributions(&self, actor: &Actor, case: CaseId) -> impl Future<Output = Result<Vec<ContributionRecord>>> + Send;
}

const KINDS: [&str; 4] = ["family_views", "setting_request", "draft_comments", "advice"];

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<ContributionRecord> {
    let document: Option<String> = col(row, "document_id")?;
    let by: Option<String> = col(row, "submitted_by")?;
    Ok(ContributionRecord {
        contribution_id: parse_col(row, "contribution_id", "contribution id")?,
        case_id: parse_col(row, "case_id", "case id")?,
        kind: col(row, "kind")?,
        content: col(row, "content")?,
        event_seq: col(row, "event_seq")?,
        document_id: document.map(|d| d.parse().map_err(|_| StoreError::Corrupt(format!("document id {d}")))).transpose()?,
        late: col::<i64>(row, "late")? == 1,
        submitted_by: by.map(|u| u.parse().map_err(|_| StoreError::Corrupt(format!("user id {u}")))).transpose()?,
        submitted_by_label: col(row, "submitted_by_label")?,
        submitted_at: parse_timestamp(&col::<String>(row, "submitted_at")?)?,
    })
}

impl ContributionStore for SqliteStore {
    async fn record_contribution(
        &self,
        actor: &Actor,
        new: NewContribution,
        document: Option<(NewDocument, Vec<u8>)>,
    ) -> Result<(ContributionRecord, Option<DocumentRecord>)> {
        check_request(actor, None)?;
        if !KINDS.contains(&new.kind) {
            return Err(StoreError::Invalid(format!("'{}' is not a kind of contribution", new.kind)));
        }
        if serde_json::from_str::<serde_json::Value>(&new.content).is_err() {
            return Err(StoreError::Invalid("the contribution's content is not JSON".into()));
        }
        if let Some((doc, _)) = &document {
            if doc.case != new.case {
                return Err(StoreError::Invalid("the document belongs to another case".into()));
            }
        }
        let sha = match &document {
            Some((doc, bytes)) => Some(self.save_document_file(doc, bytes).await?),
            None => None,
        };
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let reason = format!("{} sent online", new.kind.replace('_', " "));
        let (case, version) =
            append_case_events(&mut tx, actor, new.case, None, std::slice::from_ref(&new.event), &reason, &now, self.clock.today()).await?;
        let late = matches!(new.event.kind, CaseEventKind::DraftCommented)
            && case.draft_comments().last().is_some_and(|c| c.date == new.event.date && c.late);
        let document_record = match (&document, &sha) {
            (Some((doc, bytes)), Some(sha)) => {
                let id = insert_document(&mut tx, actor, doc, bytes.len(), sha, &now).await?;
                Some(load_document(&mut tx, actor, id).await?)
            }
            _ => None,
        };
        let id = Uuid::new_v4();
        sqlx::query(
            "insert into case_contribution (contribution_id, case_id, kind, content, event_seq, document_id, late, submitted_by, \
             submitted_by_label, submitted_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(new.case.to_string())
        .bind(new.kind)
        .bind(&new.content)
        .bind(version)
        .bind(document_record.as_ref().map(|d| d.document_id.to_string()))
        .bind(i64::from(late))
        .bind(new.submitted_by.map(|u| u.to_string()))
        .bind(actor.label.trim())
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let row = sqlx::query("select * from case_contribution where contribution_id = ?")
            .bind(id.to_string())
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        let record = from_row(&row)?;
        tx.commit().await.map_err(db)?;
        tracing::info!(case_id = %new.case, kind = new.kind, version, "contribution recorded");
        Ok((record, document_record))
    }

    async fn case_contributions(&self, actor: &Actor, case: CaseId) -> Result<Vec<ContributionRecord>> {
        check_request(actor, None)?;
        let mut tx = self.begin_read().await?;
        let owner = sqlx::query("select child_id, la from ehc_case where case_id = ?1 and (?2 is null or la = ?2)")
            .bind(case.to_string())
            .bind(scope_la(actor))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .ok_or_else(|| not_found("case", case))?;
        let child: ChildId = parse_col(&owner, "child_id", "child id")?;
        let la: LaCode = parse_col(&owner, "la", "LA code")?;
        let rows = sqlx::query("select * from case_contribution where case_id = ? order by submitted_at, event_seq")
            .bind(case.to_string())
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let records = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        let audit =
            Audit { action: AuditAction::Read, subject: "case_contributions", la: Some(la), child: Some(child), case: Some(case), actor };
        let now = self.now();
        self.write_read_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(records)
    }
}
