//! Statutory letters' templates (issue 13): each LA keeps its own, every saved version kept with who
//! saved it and when (append-only; the newest is in use). The text is checked by `waymark-letters`
//! before it reaches the store; the store keeps what it is given, refuses a save based on a version
//! that is no longer the newest (someone else saved first), and audits each save in its transaction.

use crate::sqlite::{check_request, col, db, parse_timestamp, scope_la, write_audit, Audit};
use crate::{Actor, AuditAction, Result, SqliteStore, StoreError};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use std::future::Future;
use waymark_domain::identifiers::LaCode;

/// One saved version of a letter's template.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LetterTemplateVersion {
    pub la: LaCode,
    /// The letter's code (`draft_plan_notice`, ...).
    pub kind: String,
    /// 1 for the first version saved; 0 never appears (it stands for the shipped template).
    pub version: i64,
    pub body: String,
    /// Who saved it: the actor's label (a user id, never a name).
    pub saved_by: String,
    pub saved_at: DateTime<Utc>,
}

/// Letter templates, beside [`crate::Store`].
pub trait LetterTemplateStore: Send + Sync {
    /// The newest saved version of each kind that has one, for the LA.
    fn letter_templates(&self, actor: &Actor, la: LaCode) -> impl Future<Output = Result<Vec<LetterTemplateVersion>>> + Send;

    /// Every saved version of one kind, newest first.
    fn letter_template_history(
        &self,
        actor: &Actor,
        la: LaCode,
        kind: &str,
    ) -> impl Future<Output = Result<Vec<LetterTemplateVersion>>> + Send;

    /// Save a new version. `based_on` is the version the editor started from (0 for the shipped
    /// template); if another has been saved since, nothing is written and the answer is a
    /// [`StoreError::Conflict`]. Audited.
    fn save_letter_template(
        &self,
        actor: &Actor,
        la: LaCode,
        kind: &str,
        body: &str,
        based_on: i64,
    ) -> impl Future<Output = Result<LetterTemplateVersion>> + Send;
}

fn check_scope(actor: &Actor, la: LaCode) -> Result<()> {
    match scope_la(actor) {
        Some(own) if own != la.to_string() => Err(StoreError::OutOfScope { la }),
        _ => Ok(()),
    }
}

fn from_row(row: &SqliteRow) -> Result<LetterTemplateVersion> {
    let la: String = col(row, "la")?;
    Ok(LetterTemplateVersion {
        la: la.parse().map_err(|_| StoreError::Corrupt(format!("'{la}' is not an LA code")))?,
        kind: col(row, "kind")?,
        version: col(row, "version")?,
        body: col(row, "body")?,
        saved_by: col(row, "saved_by_label")?,
        saved_at: parse_timestamp(&col::<String>(row, "saved_at")?)?,
    })
}

impl LetterTemplateStore for SqliteStore {
    async fn letter_templates(&self, actor: &Actor, la: LaCode) -> Result<Vec<LetterTemplateVersion>> {
        check_request(actor, None)?;
        check_scope(actor, la)?;
        let rows = sqlx::query(
            "select t.* from letter_template t where t.la = ?1 and t.version = \
             (select max(version) from letter_template n where n.la = t.la and n.kind = t.kind) order by t.kind",
        )
        .bind(la.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(from_row).collect()
    }

    async fn letter_template_history(&self, actor: &Actor, la: LaCode, kind: &str) -> Result<Vec<LetterTemplateVersion>> {
        check_request(actor, None)?;
        check_scope(actor, la)?;
        let rows = sqlx::query("select * from letter_template where la = ?1 and kind = ?2 order by version desc")
            .bind(la.to_string())
            .bind(kind)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(from_row).collect()
    }

    async fn save_letter_template(
        &self,
        actor: &Actor,
        la: LaCode,
        kind: &str,
        body: &str,
        based_on: i64,
    ) -> Result<LetterTemplateVersion> {
        check_request(actor, None)?;
        check_scope(actor, la)?;
        if body.trim().is_empty() || body.chars().count() > 20_000 {
            return Err(StoreError::Invalid("the letter must be 1 to 20000 characters".into()));
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let current: i64 = sqlx::query_scalar("select coalesce(max(version), 0) from letter_template where la = ?1 and kind = ?2")
            .bind(la.to_string())
            .bind(kind)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        if current != based_on {
            return Err(StoreError::Conflict { what: "letter template", id: kind.to_owned(), expected: based_on, current });
        }
        sqlx::query("insert into letter_template (la, kind, version, body, saved_by_label, saved_at) values (?, ?, ?, ?, ?, ?)")
            .bind(la.to_string())
            .bind(kind)
            .bind(current + 1)
            .bind(body)
            .bind(actor.label.trim())
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let audit = Audit { action: AuditAction::Update, subject: "letter_template", la: Some(la), child: None, case: None, actor };
        write_audit(&mut tx, &now, audit).await?;
        let row = sqlx::query("select * from letter_template where la = ?1 and kind = ?2 and version = ?3")
            .bind(la.to_string())
            .bind(kind)
            .bind(current + 1)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        let saved = from_row(&row)?;
        tx.commit().await.map_err(db)?;
        Ok(saved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FixedClock, Scope};
    use std::sync::Arc;

    #[tokio::test]
    async fn every_version_is_kept_newest_in_use_and_a_stale_save_writes_nothing() {
        let clock = Arc::new(FixedClock::at_noon("2026-11-22".parse().unwrap()));
        let store = SqliteStore::open_in_memory(clock).await.unwrap();
        let la: LaCode = "851".parse().unwrap();
        let admin = Actor::new("user:admin", Scope::LocalAuthority(la));
        store.save_letter_template(&admin, la, "final_plan", "first", 0).await.unwrap();
        let second = store.save_letter_template(&admin, la, "final_plan", "second", 1).await.unwrap();
        assert_eq!((second.version, second.saved_by.as_str()), (2, "user:admin"));
        // Someone who loaded version 1 saves after version 2: refused, nothing written.
        let stale = store.save_letter_template(&admin, la, "final_plan", "stale", 1).await.unwrap_err();
        assert!(matches!(stale, StoreError::Conflict { current: 2, .. }), "{stale:?}");
        let history = store.letter_template_history(&admin, la, "final_plan").await.unwrap();
        assert_eq!(history.iter().map(|v| v.body.as_str()).collect::<Vec<_>>(), ["second", "first"]);
        let current = store.letter_templates(&admin, la).await.unwrap();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0].body, "second");
        // Another LA's administrator neither reads nor writes them.
        let kent = Actor::new("user:kent", Scope::LocalAuthority("886".parse().unwrap()));
        assert!(matches!(store.letter_templates(&kent, la).await, Err(StoreError::OutOfScope { .. })));
        assert!(store.save_letter_template(&kent, la, "final_plan", "x", 2).await.is_err());
    }
}
