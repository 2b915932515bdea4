//! Notifications and the outbox (migration 0028; `crates/notifications` decides what they say).
//!
//! * **Written with their cause.** [`enqueue_for_events`] runs inside the transaction that records a
//!   case's events (`Store::open_case`, `Store::record_case_events`): the notices and the events commit
//!   together or not at all.
//! * **Each person once per occasion.** A notice becomes one row per recipient, unique on
//!   `(user_id, occasion)`; inserting it again does nothing, so a reminder worked out twice is sent once.
//! * **Delivered from the outbox.** A worker claims due rows ([`NotificationStore::claim_outbox`]: status
//!   `sending` with a lease), sends them, and marks each sent or schedules a retry. A worker that stops
//!   mid-send leaves its rows to be claimed again when the lease ends.

use crate::sqlite::{col, db, parse_timestamp, scope_la, timestamp};
use crate::{Actor, Result, Role, SqliteStore, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::SqliteConnection;
use std::future::Future;
use waymark_domain::calendar::Date;
use waymark_domain::case::{AdviceParty, CaseEvent};
use waymark_domain::child::Child;
use waymark_domain::ids::{CaseId, ChildId, UserId};
use waymark_notifications::{Audience, CaseLabel, Notice, Topic};

/// A notification as its recipient sees it in the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationRecord {
    pub id: i64,
    pub case: Option<CaseId>,
    pub topic: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    /// `pending`, `sending`, `sent`, `failed` or `not_emailed`.
    pub status: String,
}

/// A row claimed for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub email_to: String,
    pub topic: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    /// Attempts including this one.
    pub attempts: i64,
}

/// One outbox row as an administrator sees it: no message text, only what and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub topic: String,
    pub user: UserId,
    pub case: Option<CaseId>,
    pub status: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// The outbox in the administrator's scope: counts by status and the rows needing attention first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutboxOverview {
    pub pending: i64,
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
    pub not_emailed: i64,
    /// Pending rows that have failed at least once (being retried).
    pub retrying: i64,
    pub rows: Vec<OutboxRow>,
}

/// The notification store, beside [`crate::Store`].
pub trait NotificationStore: Send + Sync {
    /// The topics a user has turned off for email (every topic is on until turned off).
    fn email_topics_off(&self, user: UserId) -> impl Future<Output = Result<Vec<Topic>>> + Send;

    /// Which topics a user gets by email: `on` are on, every other choosable topic off.
    fn set_email_topics(&self, user: UserId, on: &[Topic]) -> impl Future<Output = Result<()>> + Send;

    /// A user's own notifications, newest first (invitations excluded).
    fn notifications_for(&self, user: UserId, limit: i64) -> impl Future<Output = Result<Vec<NotificationRecord>>> + Send;

    /// Claim up to `limit` rows due for delivery at `now` (pending and due, or claimed by a worker whose
    /// lease ran out), for `lease`; each claim counts as an attempt.
    fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: i64,
        lease: chrono::TimeDelta,
    ) -> impl Future<Output = Result<Vec<OutboxItem>>> + Send;

    /// A claimed row delivered. An invitation's body (its one-time link) is then removed.
    fn mark_sent(&self, id: i64, now: DateTime<Utc>) -> impl Future<Output = Result<()>> + Send;

    /// A claimed row not delivered: retried at `retry_at`, or given up (`failed`) when `None`.
    fn mark_not_sent(&self, id: i64, error: &str, retry_at: Option<DateTime<Utc>>) -> impl Future<Output = Result<()>> + Send;

    /// Work out the reminders due on `today` for every open case and add those not yet made. Returns how
    /// many notifications were added.
    fn enqueue_reminders(&self, today: Date) -> impl Future<Output = Result<usize>> + Send;

    /// The outbox for the accounts in the actor's scope.
    fn outbox_overview(&self, actor: &Actor, limit: i64) -> impl Future<Output = Result<OutboxOverview>> + Send;

    /// Set or clear an account's email address (checked: one `@`, no spaces, at most 254 characters).
    fn set_user_email(&self, actor: &Actor, user: UserId, email: Option<&str>) -> impl Future<Output = Result<()>> + Send;

    /// An account's email address.
    fn user_email(&self, user: UserId) -> impl Future<Output = Result<Option<String>>> + Send;
}

/// An email address as accepted for an account: trimmed, one `@` with text either side, a dot in the
/// domain, no spaces or control characters, at most 254 characters (RFC 5321's path limit).
pub fn parse_email(text: &str) -> Result<String> {
    let t = text.trim();
    let bad = || StoreError::Invalid("enter an email address in the correct format, like name@example.org".into());
    if t.is_empty() || t.len() > 254 || t.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';')) {
        return Err(bad());
    }
    let (local, domain) = t.split_once('@').ok_or_else(bad)?;
    if local.is_empty() || domain.contains('@') || !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return Err(bad());
    }
    Ok(t.to_owned())
}

/// The accounts an audience reaches for a case: `(user, email, role)`.
async fn recipients(
    conn: &mut SqliteConnection,
    audience: Audience,
    case: CaseId,
    child: ChildId,
    la: &str,
) -> Result<Vec<(String, Option<String>)>> {
    let rows = match audience {
        Audience::Family => sqlx::query(
            "select u.user_id, u.email from app_user_child c join app_user u on u.user_id = c.user_id \
             where c.child_id = ? and u.active = 1 and u.role in ('parent_carer', 'young_person')",
        )
        .bind(child.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?,
        Audience::Caseworker => sqlx::query(
            "select u.user_id, u.email from case_assignment a join app_user u on u.user_id = a.user_id where a.case_id = ? and u.active = 1",
        )
        .bind(case.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?,
        // The school or setting: the SENCOs of the child's current settings.
        Audience::Service(AdviceParty::Education) => sqlx::query(
            "select u.user_id, u.email from app_user u where u.role = 'senco' and u.active = 1 and u.setting_key in \
             (select setting_key from placement where child_id = ? and leaving_date is null)",
        )
        .bind(child.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?,
        Audience::Service(party) => {
            let Some(role) = Role::ALL.into_iter().find(|r| r.service() == Some(party)) else { return Ok(Vec::new()) };
            sqlx::query("select user_id, email from app_user where role = ? and la = ? and active = 1")
                .bind(role.key())
                .bind(la)
                .fetch_all(&mut *conn)
                .await
                .map_err(db)?
        }
    };
    rows.iter().map(|r| Ok((col(r, "user_id")?, col(r, "email")?))).collect()
}

/// One notification for one account, unless it already has this occasion; its email is skipped when
/// the person has none or turned the topic off. Returns how many rows were added (0 or 1).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_for_user(
    conn: &mut SqliteConnection,
    user: &str,
    email: Option<String>,
    topic: Topic,
    case: Option<CaseId>,
    occasion: &str,
    (subject, body, link): (&str, &str, &str),
    now: &str,
) -> Result<usize> {
    let off: Option<i64> = sqlx::query_scalar("select 1 from notification_preference where user_id = ? and topic = ? and email = 0")
        .bind(user)
        .bind(topic.key())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let email_to = if off.is_some() { None } else { email };
    let status = if email_to.is_some() { "pending" } else { "not_emailed" };
    let done = sqlx::query(
        "insert into notification (user_id, case_id, topic, occasion, subject, body, link, created_at, email_to, status, next_attempt_at) \
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?8) on conflict (user_id, occasion) do nothing",
    )
    .bind(user)
    .bind(case.map(|c| c.to_string()))
    .bind(topic.key())
    .bind(occasion)
    .bind(subject)
    .bind(body)
    .bind(link)
    .bind(now)
    .bind(email_to)
    .bind(status)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(usize::try_from(done.rows_affected()).unwrap_or(0))
}

/// Insert one notice for each account its audience reaches; a recipient who already has this occasion
/// is skipped. Returns how many rows were added.
pub(crate) async fn insert_notice(conn: &mut SqliteConnection, notice: &Notice, child: ChildId, la: &str, now: &str) -> Result<usize> {
    let mut added = 0;
    for (user, email) in recipients(conn, notice.audience, notice.case, child, la).await? {
        let text = (notice.subject.as_str(), notice.body.as_str(), notice.link.as_str());
        added += insert_for_user(conn, &user, email, notice.topic, Some(notice.case), &notice.key, text, now).await?;
    }
    Ok(added)
}

/// The notices of events just recorded on a case, written in the caller's transaction.
pub(crate) async fn enqueue_for_events(
    conn: &mut SqliteConnection,
    case: CaseId,
    child: &Child,
    la: &str,
    events: &[CaseEvent],
    now: &str,
) -> Result<usize> {
    let label = CaseLabel::new(case, child.name.forename(), child.name.surname());
    let mut added = 0;
    for event in events {
        for notice in waymark_notifications::on_event(&label, event) {
            added += insert_notice(conn, &notice, child.id, la, now).await?;
        }
    }
    Ok(added)
}

/// An invitation email for a new account, in the caller's transaction.
pub(crate) async fn enqueue_invitation(
    conn: &mut SqliteConnection,
    user: UserId,
    occasion: &str,
    email: &str,
    link: &str,
    expires: Date,
    now: &str,
) -> Result<()> {
    let (subject, body) = waymark_notifications::invitation(link, expires);
    sqlx::query(
        "insert into notification (user_id, case_id, topic, occasion, subject, body, link, created_at, email_to, status, next_attempt_at) \
         values (?1, null, 'invitation', ?2, ?3, ?4, '/', ?5, ?6, 'pending', ?5)",
    )
    .bind(user.to_string())
    .bind(occasion)
    .bind(subject)
    .bind(body)
    .bind(now)
    .bind(email)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

fn opt_time(row: &sqlx::sqlite::SqliteRow, name: &str) -> Result<Option<DateTime<Utc>>> {
    col::<Option<String>>(row, name)?.map(|t| parse_timestamp(&t)).transpose()
}

impl NotificationStore for SqliteStore {
    async fn email_topics_off(&self, user: UserId) -> Result<Vec<Topic>> {
        let rows: Vec<String> = sqlx::query_scalar("select topic from notification_preference where user_id = ? and email = 0")
            .bind(user.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(rows.iter().filter_map(|t| Topic::parse(t)).collect())
    }

    async fn set_email_topics(&self, user: UserId, on: &[Topic]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for topic in Topic::CHOOSABLE {
            sqlx::query(
                "insert into notification_preference (user_id, topic, email) values (?, ?, ?) \
                 on conflict (user_id, topic) do update set email = excluded.email",
            )
            .bind(user.to_string())
            .bind(topic.key())
            .bind(i64::from(on.contains(&topic)))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        tracing::info!(user_id = %user, on = on.len(), "email choices saved");
        Ok(())
    }

    async fn notifications_for(&self, user: UserId, limit: i64) -> Result<Vec<NotificationRecord>> {
        let rows = sqlx::query(
            "select notification_id, case_id, topic, subject, body, link, created_at, status from notification \
             where user_id = ? and topic <> 'invitation' order by notification_id desc limit ?",
        )
        .bind(user.to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(NotificationRecord {
                    id: col(r, "notification_id")?,
                    case: col::<Option<String>>(r, "case_id")?.and_then(|t| t.parse().ok()),
                    topic: col(r, "topic")?,
                    subject: col(r, "subject")?,
                    body: col(r, "body")?,
                    link: col(r, "link")?,
                    created_at: parse_timestamp(&col::<String>(r, "created_at")?)?,
                    status: col(r, "status")?,
                })
            })
            .collect()
    }

    async fn claim_outbox(&self, now: DateTime<Utc>, limit: i64, lease: chrono::TimeDelta) -> Result<Vec<OutboxItem>> {
        let (now_s, until) = (timestamp(now), timestamp(now + lease));
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(
            "update notification set status = 'sending', claimed_until = ?2, attempts = attempts + 1 \
             where notification_id in (select notification_id from notification \
                 where (status = 'pending' and next_attempt_at <= ?1) or (status = 'sending' and claimed_until <= ?1) \
                 order by notification_id limit ?3) \
             returning notification_id, email_to, topic, subject, body, link, attempts",
        )
        .bind(&now_s)
        .bind(&until)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        let mut items: Vec<OutboxItem> = rows
            .iter()
            .map(|r| {
                Ok(OutboxItem {
                    id: col(r, "notification_id")?,
                    email_to: col::<Option<String>>(r, "email_to")?.unwrap_or_default(),
                    topic: col(r, "topic")?,
                    subject: col(r, "subject")?,
                    body: col(r, "body")?,
                    link: col(r, "link")?,
                    attempts: col(r, "attempts")?,
                })
            })
            .collect::<Result<_>>()?;
        items.sort_by_key(|i| i.id);
        Ok(items)
    }

    async fn mark_sent(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "update notification set status = 'sent', sent_at = ?, claimed_until = null, last_error = null, \
             body = case when topic = 'invitation' then 'The invitation was sent; its link is not kept.' else body end \
             where notification_id = ? and status = 'sending'",
        )
        .bind(timestamp(now))
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn mark_not_sent(&self, id: i64, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<()> {
        let error: String = error.chars().filter(|c| !c.is_control()).take(500).collect();
        let status = if retry_at.is_some() { "pending" } else { "failed" };
        sqlx::query(
            "update notification set status = ?, next_attempt_at = coalesce(?, next_attempt_at), claimed_until = null, last_error = ? \
             where notification_id = ? and status = 'sending'",
        )
        .bind(status)
        .bind(retry_at.map(timestamp))
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn enqueue_reminders(&self, today: Date) -> Result<usize> {
        // Open cases with advice asked or a plan: the only ones a reminder can be about.
        let cases = sqlx::query(
            "select c.case_id, c.child_id, c.la, ch.data from ehc_case c join child ch on ch.child_id = c.child_id \
             where c.stage in ('assessing', 'drafting', 'draft_issued', 'plan_active')",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let now = self.now();
        let mut added = 0;
        for row in &cases {
            let case: CaseId = crate::sqlite::parse_col(row, "case_id", "case id")?;
            let child_id: ChildId = crate::sqlite::parse_col(row, "child_id", "child id")?;
            let la: String = col(row, "la")?;
            let events: Vec<String> = sqlx::query_scalar("select event from case_event where case_id = ? order by seq")
                .bind(case.to_string())
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
            let events: Vec<CaseEvent> =
                events.iter().enumerate().map(|(i, e)| crate::sqlite::event_from_json(e, case, i as i64 + 1)).collect::<Result<_>>()?;
            let child = crate::sqlite::child_from_json(&col::<String>(row, "data")?, child_id, 1)?;
            let label = CaseLabel::new(case, child.name.forename(), child.name.surname());
            let notices = waymark_notifications::reminders(&label, &events, today);
            if notices.is_empty() {
                continue;
            }
            let mut tx = self.begin_write().await?;
            for notice in &notices {
                added += insert_notice(&mut tx, notice, child_id, &la, &now).await?;
            }
            tx.commit().await.map_err(db)?;
        }
        if added > 0 {
            tracing::info!(added, "reminders added to the outbox");
        }
        Ok(added)
    }

    async fn outbox_overview(&self, actor: &Actor, limit: i64) -> Result<OutboxOverview> {
        crate::sqlite::check_request(actor, None)?;
        let la = scope_la(actor);
        let counts = sqlx::query(
            "select n.status, count(*) as n, sum(n.status = 'pending' and n.attempts > 0) as retrying from notification n \
             join app_user u on u.user_id = n.user_id where (?1 is null or u.la = ?1) group by n.status",
        )
        .bind(&la)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut out = OutboxOverview::default();
        for r in &counts {
            let n: i64 = col(r, "n")?;
            match col::<String>(r, "status")?.as_str() {
                "pending" => {
                    out.pending = n;
                    out.retrying = col::<Option<i64>>(r, "retrying")?.unwrap_or(0);
                }
                "sending" => out.sending = n,
                "sent" => out.sent = n,
                "failed" => out.failed = n,
                _ => out.not_emailed = n,
            }
        }
        let rows = sqlx::query(
            "select n.notification_id, n.topic, n.user_id, n.case_id, n.status, n.attempts, n.created_at, n.next_attempt_at, n.sent_at, n.last_error \
             from notification n join app_user u on u.user_id = n.user_id \
             where (?1 is null or u.la = ?1) and n.status <> 'not_emailed' \
             order by case n.status when 'failed' then 0 when 'pending' then 1 when 'sending' then 2 else 3 end, n.notification_id desc limit ?2",
        )
        .bind(&la)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        out.rows = rows
            .iter()
            .map(|r| {
                Ok(OutboxRow {
                    id: col(r, "notification_id")?,
                    topic: col(r, "topic")?,
                    user: crate::sqlite::parse_col(r, "user_id", "user id")?,
                    case: col::<Option<String>>(r, "case_id")?.and_then(|t| t.parse().ok()),
                    status: col(r, "status")?,
                    attempts: col(r, "attempts")?,
                    created_at: parse_timestamp(&col::<String>(r, "created_at")?)?,
                    next_attempt_at: opt_time(r, "next_attempt_at")?,
                    sent_at: opt_time(r, "sent_at")?,
                    last_error: col(r, "last_error")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(out)
    }

    async fn set_user_email(&self, actor: &Actor, user: UserId, email: Option<&str>) -> Result<()> {
        crate::sqlite::check_request(actor, None)?;
        let email = email.map(parse_email).transpose()?;
        let done = sqlx::query("update app_user set email = ?1 where user_id = ?2 and (?3 is null or la = ?3)")
            .bind(email)
            .bind(user.to_string())
            .bind(scope_la(actor))
            .execute(&self.pool)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(crate::sqlite::not_found("user", user));
        }
        Ok(())
    }

    async fn user_email(&self, user: UserId) -> Result<Option<String>> {
        let email: Option<Option<String>> = sqlx::query_scalar("select email from app_user where user_id = ?")
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        Ok(email.flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_email;

    #[test]
    fn email_addresses_are_checked_for_their_shape() {
        assert_eq!(parse_email(" sam@example.org ").unwrap(), "sam@example.org");
        for bad in ["", "sam", "sam@", "@example.org", "sam@example", "sam@@example.org", "sam smith@example.org", "a<b>@example.org"] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }
}
