//! What a user's day needs beside the cases: when they last opened a page (so a page can say what
//! changed since), and their personal calendar feed token, stored only as its SHA-256 so a copy of the
//! database cannot be used to read anyone's deadlines.

use crate::sqlite::{check_request, db, parse_timestamp, write_audit, Audit};
use crate::users::{user_from_row, USER_COLUMNS};
use crate::{Actor, AuditAction, Result, SqliteStore, UserRecord};
use chrono::{DateTime, Utc};
use std::future::Future;
use waymark_domain::ids::UserId;

/// Last visits and calendar feed tokens.
pub trait WorklistStore: Send + Sync {
    /// Record that `user` opened `page` now, and return when they last did before (`None` the first time).
    fn swap_last_visit(&self, user: UserId, page: &str) -> impl Future<Output = Result<Option<DateTime<Utc>>>> + Send;

    /// Replace the user's calendar token with one whose SHA-256 is `token_hash` (the old one stops
    /// working). Audited as a change to the user's account.
    fn set_calendar_token(&self, actor: &Actor, user: UserId, token_hash: &str) -> impl Future<Output = Result<()>> + Send;

    /// Turn the user's calendar feed off. Audited.
    fn revoke_calendar_token(&self, actor: &Actor, user: UserId) -> impl Future<Output = Result<()>> + Send;

    /// When the user's current calendar token was made, if they have one.
    fn calendar_token_made(&self, user: UserId) -> impl Future<Output = Result<Option<DateTime<Utc>>>> + Send;

    /// The active account whose calendar token hashes to `token_hash`.
    fn user_for_calendar_token(&self, token_hash: &str) -> impl Future<Output = Result<Option<UserRecord>>> + Send;
}

impl WorklistStore for SqliteStore {
    async fn swap_last_visit(&self, user: UserId, page: &str) -> Result<Option<DateTime<Utc>>> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let before: Option<String> = sqlx::query_scalar("select at from user_last_visit where user_id = ? and page = ?")
            .bind(user.to_string())
            .bind(page)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query(
            "insert into user_last_visit (user_id, page, at) values (?1, ?2, ?3) on conflict (user_id, page) do update set at = ?3",
        )
        .bind(user.to_string())
        .bind(page)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        before.map(|t| parse_timestamp(&t)).transpose()
    }

    async fn set_calendar_token(&self, actor: &Actor, user: UserId, token_hash: &str) -> Result<()> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into calendar_token (user_id, token_hash, created_at) values (?1, ?2, ?3) \
             on conflict (user_id) do update set token_hash = ?2, created_at = ?3",
        )
        .bind(user.to_string())
        .bind(token_hash)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let audit = Audit { action: AuditAction::Update, subject: "calendar", la: actor.scope.la(), child: None, case: None, actor };
        write_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)
    }

    async fn revoke_calendar_token(&self, actor: &Actor, user: UserId) -> Result<()> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        sqlx::query("delete from calendar_token where user_id = ?").bind(user.to_string()).execute(&mut *tx).await.map_err(db)?;
        let audit = Audit { action: AuditAction::Update, subject: "calendar", la: actor.scope.la(), child: None, case: None, actor };
        write_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)
    }

    async fn calendar_token_made(&self, user: UserId) -> Result<Option<DateTime<Utc>>> {
        let at: Option<String> = sqlx::query_scalar("select created_at from calendar_token where user_id = ?")
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        at.map(|t| parse_timestamp(&t)).transpose()
    }

    async fn user_for_calendar_token(&self, token_hash: &str) -> Result<Option<UserRecord>> {
        let sql = format!(
            "select {USER_COLUMNS} from app_user where active = 1 and user_id = (select user_id from calendar_token where token_hash = ?)"
        );
        let row = sqlx::query(&sql).bind(token_hash).fetch_optional(&self.pool).await.map_err(db)?;
        row.as_ref().map(user_from_row).transpose()
    }
}
