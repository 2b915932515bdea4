//! Feedback on pages ("was this helpful?") and "you said, we did" (issue 16). Feedback is anonymous
//! and added from public pages without an actor; staff read it within their scope. "You said, we did"
//! entries are written by staff of one LA and read by anyone (they are published).

use crate::sqlite::{check_request, col, db, parse_col, scope_la, to_json};
use crate::{Actor, Result, SqliteStore, StoreError};
use chrono::NaiveDate;
use std::future::Future;
use uuid::Uuid;
use waymark_domain::identifiers::LaCode;
use waymark_surveys::themes::Theme;

/// The longest text kept in a feedback comment or an entry.
pub const MAX_VOICE_TEXT: usize = 2000;

/// One piece of feedback on a page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Feedback {
    pub about: String,
    pub helpful: Option<bool>,
    pub comment: String,
    pub received_on: NaiveDate,
}

/// A "you said, we did" entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct YouSaidWeDid {
    pub id: Uuid,
    pub la: LaCode,
    pub you_said: String,
    pub we_did: String,
    pub themes: Vec<Theme>,
    pub survey: Option<Uuid>,
    pub published_on: NaiveDate,
}

/// Feedback and "you said, we did" storage, beside [`crate::Store`].
pub trait VoiceStore: Send + Sync {
    /// Add anonymous feedback (from a public page: no actor).
    fn add_feedback(&self, feedback: &Feedback) -> impl Future<Output = Result<()>> + Send;
    /// The latest feedback, newest first, at most `limit`. Feedback carries no LA, so every LA's
    /// staff read it (a deployment serves one local area).
    fn feedback(&self, actor: &Actor, limit: u32) -> impl Future<Output = Result<Vec<Feedback>>> + Send;
    /// The feedback on pages whose path starts with `prefix`, received on or after `since`, newest
    /// first (the Local Offer's annual report reads its service pages' feedback this way).
    fn feedback_on(&self, actor: &Actor, prefix: &str, since: NaiveDate) -> impl Future<Output = Result<Vec<Feedback>>> + Send;
    fn publish_you_said_we_did(&self, actor: &Actor, entry: &YouSaidWeDid) -> impl Future<Output = Result<()>> + Send;
    /// Every entry, newest first, for the public page (no actor: they are published).
    fn you_said_we_did(&self) -> impl Future<Output = Result<Vec<YouSaidWeDid>>> + Send;
}

fn check_text(what: &str, text: &str, required: bool) -> Result<()> {
    if required && text.trim().is_empty() {
        return Err(StoreError::Invalid(format!("{what} must not be blank")));
    }
    if text.chars().count() > MAX_VOICE_TEXT {
        return Err(StoreError::Invalid(format!("{what} must be at most {MAX_VOICE_TEXT} characters")));
    }
    Ok(())
}

fn feedback_rows(rows: &[sqlx::sqlite::SqliteRow]) -> Result<Vec<Feedback>> {
    rows.iter()
        .map(|r| {
            let on: String = col(r, "received_on")?;
            Ok(Feedback {
                about: col(r, "about")?,
                helpful: col::<Option<i64>>(r, "helpful")?.map(|h| h == 1),
                comment: col(r, "comment")?,
                received_on: on.parse().map_err(|_| StoreError::Corrupt(format!("'{on}' is not a date")))?,
            })
        })
        .collect()
}

impl VoiceStore for SqliteStore {
    async fn add_feedback(&self, f: &Feedback) -> Result<()> {
        check_text("the comment", &f.comment, false)?;
        if !f.about.starts_with('/') || f.about.starts_with("//") || f.about.len() > 200 {
            return Err(StoreError::Invalid("the page feedback is about must be a path on this service".into()));
        }
        sqlx::query("insert into feedback (feedback_id, about, helpful, comment, received_on) values (?, ?, ?, ?, ?)")
            .bind(Uuid::new_v4().to_string())
            .bind(&f.about)
            .bind(f.helpful.map(i64::from))
            .bind(f.comment.trim())
            .bind(f.received_on.to_string())
            .execute(&self.pool)
            .await
            .map_err(db)?;
        tracing::info!("page feedback received");
        Ok(())
    }

    async fn feedback(&self, actor: &Actor, limit: u32) -> Result<Vec<Feedback>> {
        check_request(actor, None)?;
        let rows = sqlx::query("select about, helpful, comment, received_on from feedback order by received_on desc, rowid desc limit ?")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        feedback_rows(&rows)
    }

    async fn feedback_on(&self, actor: &Actor, prefix: &str, since: NaiveDate) -> Result<Vec<Feedback>> {
        check_request(actor, None)?;
        // substr, not like: a prefix's `_` or `%` would be wildcards.
        let rows = sqlx::query(
            "select about, helpful, comment, received_on from feedback where substr(about, 1, length(?1)) = ?1 and received_on >= ?2 \
             order by received_on desc, rowid desc",
        )
        .bind(prefix)
        .bind(since.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        feedback_rows(&rows)
    }

    async fn publish_you_said_we_did(&self, actor: &Actor, e: &YouSaidWeDid) -> Result<()> {
        check_request(actor, None)?;
        if !actor.scope.permits(e.la) {
            return Err(StoreError::OutOfScope { la: e.la });
        }
        check_text("what families said", &e.you_said, true)?;
        check_text("what was done", &e.we_did, true)?;
        if let Some(s) = e.survey {
            let ok: Option<String> = sqlx::query_scalar("select survey_id from survey where survey_id = ?1 and (?2 is null or la = ?2)")
                .bind(s.to_string())
                .bind(scope_la(actor))
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
            if ok.is_none() {
                return Err(crate::sqlite::not_found("survey", s));
            }
        }
        let themes: Vec<&str> = e.themes.iter().map(Theme::as_str).collect();
        sqlx::query(
            "insert into you_said_we_did (entry_id, la, you_said, we_did, themes, survey_id, published_on, actor) values (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.id.to_string())
        .bind(e.la.to_string())
        .bind(e.you_said.trim())
        .bind(e.we_did.trim())
        .bind(to_json(&themes, "themes")?)
        .bind(e.survey.map(|s| s.to_string()))
        .bind(e.published_on.to_string())
        .bind(actor.label.trim())
        .execute(&self.pool)
        .await
        .map_err(db)?;
        tracing::info!(la = %e.la, "you said, we did: entry published");
        Ok(())
    }

    async fn you_said_we_did(&self) -> Result<Vec<YouSaidWeDid>> {
        let rows =
            sqlx::query("select * from you_said_we_did order by published_on desc, rowid desc").fetch_all(&self.pool).await.map_err(db)?;
        rows.iter()
            .map(|r| {
                let themes: String = col(r, "themes")?;
                let themes: Vec<String> = serde_json::from_str(&themes).map_err(|e| StoreError::Corrupt(format!("themes: {e}")))?;
                let on: String = col(r, "published_on")?;
                let survey: Option<String> = col(r, "survey_id")?;
                Ok(YouSaidWeDid {
                    id: parse_col(r, "entry_id", "entry id")?,
                    la: parse_col(r, "la", "LA code")?,
                    you_said: col(r, "you_said")?,
                    we_did: col(r, "we_did")?,
                    themes: themes.iter().filter_map(|t| Theme::parse(t).ok()).collect(),
                    survey: survey.and_then(|s| s.parse().ok()),
                    published_on: on.parse().map_err(|_| StoreError::Corrupt(format!("'{on}' is not a date")))?,
                })
            })
            .collect()
    }
}
