//! Accounts as councils run them (migration 0029): invitations by email, two-step verification (TOTP
//! secrets), when each account last signed in, and a person's own sessions.
//!
//! * **Invitations.** An administrator invites a person: the account (with no password), its email
//!   address, the invitation (its token stored as SHA-256, valid 7 days, used once) and the invitation
//!   email in the outbox are written in one transaction. The person sets their own password from the
//!   link; administrators never see or set one.
//! * **Two-step verification.** The secret is kept so the server can check codes (RFC 6238 needs it);
//!   it is required only once confirmed by a first code. An administrator's reset clears it.

use crate::notifications::{enqueue_invitation, parse_email};
use crate::sqlite::{check_request, col, db, parse_timestamp, scope_la, timestamp, write_audit, Audit};
use crate::users::{insert_user, load_user, user_from_row, USER_COLUMNS};
use crate::{Actor, AuditAction, NewUser, Result, SqliteStore, StoreError, UserRecord};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::future::Future;
use waymark_domain::ids::UserId;

/// How long an invitation's link works.
pub const INVITATION_DAYS: i64 = 7;

/// One of a person's own sessions, as their account page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The SHA-256 of the session's token (not usable as a cookie).
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// A person's two-step verification.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TwoStep {
    /// The base32 secret, once made (set-up started).
    pub secret: Option<String>,
    /// Set up and confirmed with a first code: required at every sign-in.
    pub confirmed: bool,
}

/// What an invitation link leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationState {
    /// Valid: the account it is for.
    Valid(UserRecord),
    /// Used already, expired, or never made (told apart only in logs).
    Unusable,
}

pub trait AccountStore: Send + Sync {
    /// Create an invited account (no password yet) with its email address, the invitation (by its
    /// token's SHA-256, valid [`INVITATION_DAYS`]) and the invitation email, all in one transaction.
    /// `link` is the full address the email carries.
    fn invite_user(
        &self,
        actor: &Actor,
        new: NewUser,
        email: &str,
        token_hash: &str,
        link: &str,
    ) -> impl Future<Output = Result<UserRecord>> + Send;

    /// Send a fresh invitation to an existing account (earlier links stop working).
    fn reinvite_user(&self, actor: &Actor, user: UserId, token_hash: &str, link: &str) -> impl Future<Output = Result<()>> + Send;

    /// The account an invitation token's hash leads to, if it is unused and unexpired.
    fn invitation(&self, token_hash: &str) -> impl Future<Output = Result<InvitationState>> + Send;

    /// Use an invitation: set the account's password hash and mark the invitation used, in one
    /// transaction; `false` if the invitation is no longer usable.
    fn accept_invitation(&self, token_hash: &str, password_hash: &str) -> impl Future<Output = Result<bool>> + Send;

    /// Record a sign-in (for "last signed in").
    fn record_sign_in(&self, user: UserId) -> impl Future<Output = Result<()>> + Send;

    /// When each account in the actor's scope last signed in.
    fn last_sign_ins(&self, actor: &Actor) -> impl Future<Output = Result<HashMap<UserId, DateTime<Utc>>>> + Send;

    /// A person's own sessions that have not expired, newest first.
    fn sessions_of(&self, user: UserId) -> impl Future<Output = Result<Vec<SessionInfo>>> + Send;

    /// End one of a person's own sessions; `false` if it was not theirs or has gone.
    fn end_own_session(&self, user: UserId, token_hash: &str) -> impl Future<Output = Result<bool>> + Send;

    /// A person's two-step verification.
    fn two_step(&self, user: UserId) -> impl Future<Output = Result<TwoStep>> + Send;

    /// Start set-up with a new secret (replacing one not yet confirmed); refused once confirmed.
    fn begin_two_step(&self, user: UserId, secret: &str) -> impl Future<Output = Result<()>> + Send;

    /// Mark the secret confirmed (the person entered a right code).
    fn confirm_two_step(&self, user: UserId) -> impl Future<Output = Result<()>> + Send;

    /// Use a right code's time step (Unix time / 30 s): true if it is later than the last step used
    /// for the account, which it then becomes; false for a code already used, or one older than it
    /// (RFC 6238 section 5.2: a code is accepted once). Atomic, so two sign-ins racing with one code
    /// cannot both pass.
    fn use_totp_step(&self, user: UserId, step: u64) -> impl Future<Output = Result<bool>> + Send;

    /// An administrator's reset: the secret is cleared and the account's sessions end. Audited.
    fn reset_two_step(&self, actor: &Actor, user: UserId) -> impl Future<Output = Result<()>> + Send;
}

impl AccountStore for SqliteStore {
    async fn invite_user(&self, actor: &Actor, new: NewUser, email: &str, token_hash: &str, link: &str) -> Result<UserRecord> {
        check_request(actor, None)?;
        let email = parse_email(email)?;
        let now_at = self.clock.now();
        let now = timestamp(now_at);
        let mut tx = self.begin_write().await?;
        let user = insert_user(&mut tx, actor, &NewUser { password_hash: String::new(), ..new }, &now).await?;
        sqlx::query("update app_user set email = ? where user_id = ?")
            .bind(&email)
            .bind(user.id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        insert_invitation(&mut tx, user.id, &email, token_hash, link, now_at).await?;
        tx.commit().await.map_err(db)?;
        Ok(user)
    }

    async fn reinvite_user(&self, actor: &Actor, user: UserId, token_hash: &str, link: &str) -> Result<()> {
        check_request(actor, None)?;
        let now_at = self.clock.now();
        let now = timestamp(now_at);
        let mut tx = self.begin_write().await?;
        let record = load_user(&mut tx, actor, user).await?;
        let email: Option<String> = sqlx::query_scalar("select email from app_user where user_id = ?")
            .bind(user.to_string())
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        let email = email.ok_or_else(|| StoreError::Invalid("the account has no email address to send an invitation to".into()))?;
        sqlx::query("update user_invitation set used_at = ? where user_id = ? and used_at is null")
            .bind(&now)
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        insert_invitation(&mut tx, user, &email, token_hash, link, now_at).await?;
        write_audit(&mut tx, &now, Audit { action: AuditAction::Update, subject: "user", la: record.la, child: None, case: None, actor })
            .await?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn invitation(&self, token_hash: &str) -> Result<InvitationState> {
        let sql = format!(
            "select {} from user_invitation i join app_user u on u.user_id = i.user_id \
             where i.token_hash = ? and i.used_at is null and i.expires_at > ? and u.active = 1",
            USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
        );
        let row = sqlx::query(&sql).bind(token_hash).bind(self.now()).fetch_optional(&self.pool).await.map_err(db)?;
        Ok(match row {
            Some(r) => InvitationState::Valid(user_from_row(&r)?),
            None => InvitationState::Unusable,
        })
    }

    async fn accept_invitation(&self, token_hash: &str, password_hash: &str) -> Result<bool> {
        if !password_hash.starts_with("$argon2") {
            return Err(StoreError::Invalid("the password must be stored as an argon2 hash".into()));
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let user: Option<String> = sqlx::query_scalar(
            "update user_invitation set used_at = ?1 where token_hash = ?2 and used_at is null and expires_at > ?1 returning user_id",
        )
        .bind(&now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some(user) = user else { return Ok(false) };
        sqlx::query("update app_user set password_hash = ?, version = version + 1, updated_at = ? where user_id = ? and active = 1")
            .bind(password_hash)
            .bind(&now)
            .bind(&user)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query("delete from web_session where user_id = ?").bind(&user).execute(&mut *tx).await.map_err(db)?;
        let actor = Actor::new(format!("user:{user}"), crate::Scope::All);
        write_audit(
            &mut tx,
            &now,
            Audit { action: AuditAction::Update, subject: "user", la: None, child: None, case: None, actor: &actor },
        )
        .await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(user_id = %user, "invitation accepted; password set");
        Ok(true)
    }

    async fn record_sign_in(&self, user: UserId) -> Result<()> {
        sqlx::query("update app_user set last_signed_in_at = ? where user_id = ?")
            .bind(self.now())
            .bind(user.to_string())
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn last_sign_ins(&self, actor: &Actor) -> Result<HashMap<UserId, DateTime<Utc>>> {
        let rows =
            sqlx::query("select user_id, last_signed_in_at from app_user where last_signed_in_at is not null and (?1 is null or la = ?1)")
                .bind(scope_la(actor))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        rows.iter()
            .map(|r| Ok((crate::sqlite::parse_col(r, "user_id", "user id")?, parse_timestamp(&col::<String>(r, "last_signed_in_at")?)?)))
            .collect()
    }

    async fn sessions_of(&self, user: UserId) -> Result<Vec<SessionInfo>> {
        let rows = sqlx::query(
            "select token_hash, created_at, last_seen_at from web_session where user_id = ? and expires_at > ? order by created_at desc",
        )
        .bind(user.to_string())
        .bind(self.now())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(SessionInfo {
                    token_hash: col(r, "token_hash")?,
                    created_at: parse_timestamp(&col::<String>(r, "created_at")?)?,
                    last_seen_at: parse_timestamp(&col::<String>(r, "last_seen_at")?)?,
                })
            })
            .collect()
    }

    async fn end_own_session(&self, user: UserId, token_hash: &str) -> Result<bool> {
        let done = sqlx::query("delete from web_session where user_id = ? and token_hash = ?")
            .bind(user.to_string())
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn two_step(&self, user: UserId) -> Result<TwoStep> {
        let row = sqlx::query("select totp_secret, totp_confirmed_at from app_user where user_id = ?")
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        Ok(match row {
            Some(r) => TwoStep { secret: col(&r, "totp_secret")?, confirmed: col::<Option<String>>(&r, "totp_confirmed_at")?.is_some() },
            None => TwoStep::default(),
        })
    }

    async fn begin_two_step(&self, user: UserId, secret: &str) -> Result<()> {
        let done = sqlx::query("update app_user set totp_secret = ? where user_id = ? and totp_confirmed_at is null")
            .bind(secret)
            .bind(user.to_string())
            .execute(&self.pool)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Invalid("two-step verification is already set up".into()));
        }
        Ok(())
    }

    async fn confirm_two_step(&self, user: UserId) -> Result<()> {
        sqlx::query("update app_user set totp_confirmed_at = ? where user_id = ? and totp_secret is not null")
            .bind(self.now())
            .bind(user.to_string())
            .execute(&self.pool)
            .await
            .map_err(db)?;
        tracing::info!(user_id = %user, "two-step verification set up");
        Ok(())
    }

    async fn use_totp_step(&self, user: UserId, step: u64) -> Result<bool> {
        let step = i64::try_from(step).map_err(|_| StoreError::Invalid("the code's time step is out of range".into()))?;
        let done =
            sqlx::query("update app_user set totp_last_step = ?1 where user_id = ?2 and (totp_last_step is null or totp_last_step < ?1)")
                .bind(step)
                .bind(user.to_string())
                .execute(&self.pool)
                .await
                .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn reset_two_step(&self, actor: &Actor, user: UserId) -> Result<()> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let record = load_user(&mut tx, actor, user).await?;
        sqlx::query(
            "update app_user set totp_secret = null, totp_confirmed_at = null, totp_last_step = null, version = version + 1, updated_at = ? \
             where user_id = ?",
        )
        .bind(&now)
        .bind(user.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query("delete from web_session where user_id = ?").bind(user.to_string()).execute(&mut *tx).await.map_err(db)?;
        write_audit(&mut tx, &now, Audit { action: AuditAction::Update, subject: "user", la: record.la, child: None, case: None, actor })
            .await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(user_id = %user, "two-step verification reset by an administrator");
        Ok(())
    }
}

async fn insert_invitation(
    tx: &mut sqlx::SqliteConnection,
    user: UserId,
    email: &str,
    token_hash: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let expires = now + chrono::TimeDelta::days(INVITATION_DAYS);
    let now_s = timestamp(now);
    sqlx::query("insert into user_invitation (token_hash, user_id, created_at, expires_at) values (?, ?, ?, ?)")
        .bind(token_hash)
        .bind(user.to_string())
        .bind(&now_s)
        .bind(timestamp(expires))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let occasion = format!("invitation:{}", &token_hash[..16.min(token_hash.len())]);
    enqueue_invitation(tx, user, &occasion, email, link, expires.date_naive(), &now_s).await
}
