//! People who sign in to the web application: their accounts and roles, sessions, failed sign-ins (for
//! throttling), the children a parent or young person may see, and which caseworker holds a case.
//!
//! Passwords arrive here already hashed (argon2id, by the web layer) and session tokens as their
//! SHA-256: the store never holds a usable secret. Account changes are audited (subject `user`) with
//! ids only; names and usernames never reach the audit log or the logs.

use crate::sqlite::{check_request, col, db, load_child, not_found, parse_col, parse_timestamp, timestamp, write_audit, Audit};
use crate::{Actor, AuditAction, Result, SqliteStore, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use std::fmt;
use std::future::Future;
use std::str::FromStr;
use uuid::Uuid;
use waymark_domain::case::AdviceParty;
use waymark_domain::identifiers::LaCode;
use waymark_domain::ids::{CaseId, ChildId, UserId};

/// What a user does, which decides what they may see and change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs EHC cases for one LA: every child and case of the LA.
    LaCaseworker,
    /// Manages the LA's SEND service: the caseload, the dashboards and the audit log.
    SendManager,
    /// Manages accounts and roles for one LA (or every LA when it has none); no casework.
    LaAdmin,
    /// A school's SENCO: the pupils attending their setting.
    Senco,
    /// Health: cases with advice asked of health, and the health parts of the record.
    HealthProfessional,
    /// Social care: cases with advice asked of social care, and the social care parts.
    SocialCareProfessional,
    /// Educational psychology: cases with psychological advice asked, and the education parts.
    EducationalPsychologist,
    /// A parent or carer: their own children only.
    ParentCarer,
    /// A young person aged 16 or over: their own record only.
    YoungPerson,
    /// A partnership board member: aggregates only, never a child.
    BoardMember,
    /// A provider of services in the Local Offer: keeps its organisation's listings (tied to it in
    /// the Local Offer store); never a child.
    ServiceProvider,
    /// The LA's Local Offer officer: approves or rejects providers' changes; never a child.
    LocalOfferOfficer,
    /// Leads the partnership's SEND strategy: edits the delivery plan, the self-evaluation and the
    /// action plan; aggregates only, never a child.
    StrategyLead,
}

impl Role {
    pub const ALL: [Role; 13] = [
        Self::LaCaseworker,
        Self::SendManager,
        Self::LaAdmin,
        Self::Senco,
        Self::HealthProfessional,
        Self::SocialCareProfessional,
        Self::EducationalPsychologist,
        Self::ParentCarer,
        Self::YoungPerson,
        Self::BoardMember,
        Self::ServiceProvider,
        Self::LocalOfferOfficer,
        Self::StrategyLead,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::LaCaseworker => "la_caseworker",
            Self::SendManager => "send_manager",
            Self::LaAdmin => "la_admin",
            Self::Senco => "senco",
            Self::HealthProfessional => "health_professional",
            Self::SocialCareProfessional => "social_care_professional",
            Self::EducationalPsychologist => "educational_psychologist",
            Self::ParentCarer => "parent_carer",
            Self::YoungPerson => "young_person",
            Self::BoardMember => "board_member",
            Self::ServiceProvider => "service_provider",
            Self::LocalOfferOfficer => "local_offer_officer",
            Self::StrategyLead => "strategy_lead",
        }
    }

    /// The role's name as people say it.
    pub fn label(self) -> &'static str {
        match self {
            Self::LaCaseworker => "LA caseworker",
            Self::SendManager => "SEND manager",
            Self::LaAdmin => "LA administrator",
            Self::Senco => "School SENCO",
            Self::HealthProfessional => "Health professional",
            Self::SocialCareProfessional => "Social care professional",
            Self::EducationalPsychologist => "Educational psychologist",
            Self::ParentCarer => "Parent or carer",
            Self::YoungPerson => "Young person (16 or over)",
            Self::BoardMember => "Board member",
            Self::ServiceProvider => "Service provider",
            Self::LocalOfferOfficer => "Local Offer officer",
            Self::StrategyLead => "Strategy lead",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == text)
    }

    /// The advice party a professional's service answers for, if the role is a professional's.
    pub fn service(self) -> Option<AdviceParty> {
        match self {
            Self::HealthProfessional => Some(AdviceParty::Health),
            Self::SocialCareProfessional => Some(AdviceParty::SocialCare),
            Self::EducationalPsychologist => Some(AdviceParty::EducationalPsychology),
            _ => None,
        }
    }

    /// Whether the role needs an LA: every account belongs to one, except an administrator of every LA.
    pub fn needs_la(self) -> bool {
        self != Self::LaAdmin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// An account as stored, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub id: UserId,
    /// What the person signs in with. Personal data: shown to administrators only, never logged.
    pub username: String,
    /// How the service addresses them. Personal data: never logged.
    pub display_name: String,
    pub role: Role,
    pub la: Option<LaCode>,
    /// A SENCO's setting, as [`crate::setting_key`] writes it (`urn:123456`).
    pub setting_key: Option<String>,
    pub active: bool,
    pub version: i64,
}

impl UserRecord {
    /// The label this user acts under in history and the audit log: their id, never their name.
    pub fn actor_label(&self) -> String {
        format!("user:{}", self.id)
    }
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// An argon2id PHC string (`$argon2id$...`), hashed by the caller.
    pub password_hash: String,
    pub role: Role,
    pub la: Option<LaCode>,
    pub setting_key: Option<String>,
}

/// A change to an account's role, scope or status.
#[derive(Debug, Clone)]
pub struct UserChange {
    pub display_name: String,
    pub role: Role,
    pub la: Option<LaCode>,
    pub setting_key: Option<String>,
    pub active: bool,
}

/// A signed-in session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user: UserRecord,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// The longest username and display name accepted.
pub const MAX_USERNAME: usize = 100;

/// Accounts, sessions, throttling and access links, beside [`crate::Store`].
pub trait UserStore: Send + Sync {
    /// Create an account. Usernames are unique regardless of case. Audited (subject `user`).
    fn create_user(&self, actor: &Actor, new: NewUser) -> impl Future<Output = Result<UserRecord>> + Send;

    /// Change an account's name, role, scope or status, based on `expected_version`.
    fn update_user(
        &self,
        actor: &Actor,
        id: UserId,
        expected_version: i64,
        change: UserChange,
    ) -> impl Future<Output = Result<UserRecord>> + Send;

    /// Replace an account's password hash, and end its sessions.
    fn set_password_hash(&self, actor: &Actor, id: UserId, password_hash: &str) -> impl Future<Output = Result<()>> + Send;

    /// One account, if it is in the actor's scope.
    fn get_user(&self, actor: &Actor, id: UserId) -> impl Future<Output = Result<UserRecord>> + Send;

    /// The accounts in the actor's scope (an LA's, or every one), by role then username.
    fn list_users(&self, actor: &Actor) -> impl Future<Output = Result<Vec<UserRecord>>> + Send;

    /// How many accounts exist at all.
    fn count_users(&self) -> impl Future<Output = Result<i64>> + Send;

    /// An active account and its password hash by username, for signing in. Not audited (no child).
    fn user_for_sign_in(&self, username: &str) -> impl Future<Output = Result<Option<(UserRecord, String)>>> + Send;

    /// Let a parent or young person's account see a child. The child must be in the actor's scope.
    fn link_child(&self, actor: &Actor, user: UserId, child: ChildId) -> impl Future<Output = Result<()>> + Send;

    /// The children an account is linked to.
    fn linked_children(&self, user: UserId) -> impl Future<Output = Result<Vec<ChildId>>> + Send;

    /// Store a new session by its token's hash.
    fn create_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The session with this token hash, if it exists, has not expired and its account is active; its
    /// last-seen time is moved on and its expiry to `new_expiry` (sliding) but never past `absolute_limit`
    /// after it was created.
    fn touch_session(
        &self,
        token_hash: &str,
        idle: chrono::TimeDelta,
        absolute: chrono::TimeDelta,
    ) -> impl Future<Output = Result<Option<SessionRecord>>> + Send;

    /// End a session (signing out).
    fn delete_session(&self, token_hash: &str) -> impl Future<Output = Result<()>> + Send;

    /// Record a failed sign-in under each key (hashed by the caller), and prune entries older than `keep`.
    fn record_login_failure(&self, keys: &[String], keep: chrono::TimeDelta) -> impl Future<Output = Result<()>> + Send;

    /// Failed sign-ins under `key` since `since`, and the latest one's time.
    fn login_failures_since(&self, key: &str, since: DateTime<Utc>) -> impl Future<Output = Result<(i64, Option<DateTime<Utc>>)>> + Send;

    /// Forget the failures under `key` (after a successful sign-in).
    fn clear_login_failures(&self, key: &str) -> impl Future<Output = Result<()>> + Send;

    /// Count a sign-in attempt before its password is checked, atomically: under one write lock, if every
    /// `(key, limit)` has fewer than `limit` entries since `now - window`, an entry is added under each key
    /// and their ids returned; otherwise nothing is added and `None` returned (throttled). Entries older
    /// than `window` are pruned. Parallel attempts are therefore checked at most `limit` times per key.
    fn claim_sign_in_attempt(
        &self,
        keys: &[(String, i64)],
        window: chrono::TimeDelta,
    ) -> impl Future<Output = Result<Option<Vec<i64>>>> + Send;

    /// Withdraw the entries of an attempt that turned out to be right (they were counted before the check).
    fn release_sign_in_attempt(&self, ids: &[i64]) -> impl Future<Output = Result<()>> + Send;

    /// Make `user` (an LA caseworker or manager of the case's LA) the caseworker holding `case`. Audited
    /// as an update of the case.
    fn assign_case(&self, actor: &Actor, case: CaseId, user: UserId) -> impl Future<Output = Result<()>> + Send;

    /// The caseworker holding each case in the actor's scope.
    fn case_assignments(&self, actor: &Actor) -> impl Future<Output = Result<Vec<(CaseId, UserId)>>> + Send;
}

pub(crate) const USER_COLUMNS: &str = "user_id, username, display_name, role, la, setting_key, active, version";

pub(crate) fn user_from_row(row: &SqliteRow) -> Result<UserRecord> {
    let role: String = col(row, "role")?;
    let la: Option<String> = col(row, "la")?;
    Ok(UserRecord {
        id: parse_col(row, "user_id", "user id")?,
        username: col(row, "username")?,
        display_name: col(row, "display_name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("'{role}' is not a role")))?,
        la: la.map(|t| t.parse().map_err(|_| StoreError::Corrupt(format!("'{t}' is not an LA code")))).transpose()?,
        setting_key: col(row, "setting_key")?,
        active: col::<i64>(row, "active")? == 1,
        version: col(row, "version")?,
    })
}

fn check_names(username: &str, display_name: &str) -> Result<()> {
    let name = username.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("enter a username".into()));
    }
    if name.chars().count() > MAX_USERNAME || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(StoreError::Invalid(format!("a username is at most {MAX_USERNAME} characters with no spaces")));
    }
    let display = display_name.trim();
    if display.is_empty() {
        return Err(StoreError::Invalid("enter the person's name".into()));
    }
    if display.chars().count() > MAX_USERNAME || display.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!("a name is at most {MAX_USERNAME} characters on one line")));
    }
    Ok(())
}

/// The role's required scope: an LA for LA staff, professionals and board members; a setting for a SENCO.
fn check_scope(actor: &Actor, role: Role, la: Option<LaCode>, setting_key: Option<&str>) -> Result<()> {
    if role.needs_la() && la.is_none() {
        return Err(StoreError::Invalid(format!("a {} account needs a local authority", role.label())));
    }
    if role == Role::Senco && setting_key.is_none_or(|s| s.trim().is_empty()) {
        return Err(StoreError::Invalid("a SENCO account needs the setting's URN".into()));
    }
    if role != Role::Senco && setting_key.is_some() {
        return Err(StoreError::Invalid("only a SENCO account has a setting".into()));
    }
    match (la, actor.scope.la()) {
        (Some(la), _) if !actor.scope.permits(la) => Err(StoreError::OutOfScope { la }),
        (None, Some(own)) => Err(StoreError::OutOfScope { la: own }),
        _ => Ok(()),
    }
}

fn user_audit<'a>(actor: &'a Actor, action: AuditAction, la: Option<LaCode>) -> Audit<'a> {
    Audit { action, subject: "user", la, child: None, case: None, actor }
}

fn unique_violation(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.message().contains("UNIQUE") => StoreError::Invalid("that username is already taken".into()),
        _ => db(e),
    }
}

impl UserStore for SqliteStore {
    async fn create_user(&self, actor: &Actor, new: NewUser) -> Result<UserRecord> {
        check_request(actor, None)?;
        check_names(&new.username, &new.display_name)?;
        check_scope(actor, new.role, new.la, new.setting_key.as_deref())?;
        if !new.password_hash.starts_with("$argon2") {
            return Err(StoreError::Invalid("the password must be stored as an argon2 hash".into()));
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let record = insert_user(&mut tx, actor, &new, &now).await?;
        tx.commit().await.map_err(db)?;
        Ok(record)
    }

    async fn update_user(&self, actor: &Actor, id: UserId, expected_version: i64, change: UserChange) -> Result<UserRecord> {
        check_request(actor, None)?;
        check_names("x", &change.display_name)?;
        check_scope(actor, change.role, change.la, change.setting_key.as_deref())?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let current = load_user(&mut tx, actor, id).await?;
        if current.version != expected_version {
            return Err(StoreError::Conflict { what: "account", id: id.to_string(), expected: expected_version, current: current.version });
        }
        sqlx::query(
            "update app_user set display_name = ?, role = ?, la = ?, setting_key = ?, service = ?, active = ?, version = version + 1, \
             updated_at = ? where user_id = ? and version = ?",
        )
        .bind(change.display_name.trim())
        .bind(change.role.key())
        .bind(change.la.map(|l| l.to_string()))
        .bind(change.setting_key.as_deref().map(str::trim))
        .bind(change.role.service().map(AdviceParty::key))
        .bind(i64::from(change.active))
        .bind(&now)
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if !change.active || change.role != current.role {
            // A deactivated account, or one whose role changed, must sign in again.
            sqlx::query("delete from web_session where user_id = ?").bind(id.to_string()).execute(&mut *tx).await.map_err(db)?;
        }
        write_audit(&mut tx, &now, user_audit(actor, AuditAction::Update, change.la.or(current.la))).await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(user_id = %id, role = change.role.key(), active = change.active, "account changed");
        Ok(UserRecord {
            id,
            username: current.username,
            display_name: change.display_name.trim().to_owned(),
            role: change.role,
            la: change.la,
            setting_key: change.setting_key.map(|s| s.trim().to_owned()),
            active: change.active,
            version: expected_version + 1,
        })
    }

    async fn set_password_hash(&self, actor: &Actor, id: UserId, password_hash: &str) -> Result<()> {
        check_request(actor, None)?;
        if !password_hash.starts_with("$argon2") {
            return Err(StoreError::Invalid("the password must be stored as an argon2 hash".into()));
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let current = load_user(&mut tx, actor, id).await?;
        sqlx::query("update app_user set password_hash = ?, version = version + 1, updated_at = ? where user_id = ?")
            .bind(password_hash)
            .bind(&now)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query("delete from web_session where user_id = ?").bind(id.to_string()).execute(&mut *tx).await.map_err(db)?;
        write_audit(&mut tx, &now, user_audit(actor, AuditAction::Update, current.la)).await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(user_id = %id, "password changed");
        Ok(())
    }

    async fn get_user(&self, actor: &Actor, id: UserId) -> Result<UserRecord> {
        check_request(actor, None)?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        load_user(&mut conn, actor, id).await
    }

    async fn list_users(&self, actor: &Actor) -> Result<Vec<UserRecord>> {
        check_request(actor, None)?;
        let sql = format!("select {USER_COLUMNS} from app_user where (?1 is null or la = ?1) order by role, username");
        let rows = sqlx::query(&sql).bind(actor.scope.la().map(|l| l.to_string())).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(user_from_row).collect()
    }

    async fn count_users(&self) -> Result<i64> {
        sqlx::query_scalar("select count(*) from app_user").fetch_one(&self.pool).await.map_err(db)
    }

    async fn user_for_sign_in(&self, username: &str) -> Result<Option<(UserRecord, String)>> {
        let sql = format!("select {USER_COLUMNS}, password_hash from app_user where username = ? and active = 1");
        let row = sqlx::query(&sql).bind(username.trim()).fetch_optional(&self.pool).await.map_err(db)?;
        row.map(|r| Ok((user_from_row(&r)?, col(&r, "password_hash")?))).transpose()
    }

    async fn link_child(&self, actor: &Actor, user: UserId, child: ChildId) -> Result<()> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let owner = load_child(&mut tx, actor, child).await?;
        let account = load_user(&mut tx, &Actor::new(actor.label.clone(), crate::Scope::All), user).await?;
        if !matches!(account.role, Role::ParentCarer | Role::YoungPerson) {
            return Err(StoreError::Invalid("only a parent, carer or young person's account is linked to a child".into()));
        }
        sqlx::query("insert or ignore into app_user_child (user_id, child_id, created_at) values (?, ?, ?)")
            .bind(user.to_string())
            .bind(child.to_string())
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let audit = Audit {
            action: AuditAction::Update,
            subject: "user_child_link",
            la: Some(owner.value.responsible_la),
            child: Some(child),
            case: None,
            actor,
        };
        write_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn linked_children(&self, user: UserId) -> Result<Vec<ChildId>> {
        let rows = sqlx::query("select child_id from app_user_child where user_id = ? order by created_at, child_id")
            .bind(user.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(|r| parse_col(r, "child_id", "child id")).collect()
    }

    async fn create_session(&self, user: UserId, token_hash: &str, csrf_token: &str, expires_at: DateTime<Utc>) -> Result<()> {
        let now = self.now();
        sqlx::query(
            "insert into web_session (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) values (?, ?, ?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(user.to_string())
        .bind(csrf_token)
        .bind(&now)
        .bind(timestamp(expires_at))
        .bind(&now)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn touch_session(&self, token_hash: &str, idle: chrono::TimeDelta, absolute: chrono::TimeDelta) -> Result<Option<SessionRecord>> {
        let now_at = self.clock.now();
        let now = timestamp(now_at);
        let sql = format!(
            "select {}, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at from web_session s join app_user u using (user_id) \
             where s.token_hash = ? and s.expires_at > ? and u.active = 1",
            USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
        );
        let Some(row) = sqlx::query(&sql).bind(token_hash).bind(&now).fetch_optional(&self.pool).await.map_err(db)? else {
            return Ok(None);
        };
        let created_at = parse_timestamp(&col::<String>(&row, "created_at")?)?;
        let last_seen_at = parse_timestamp(&col::<String>(&row, "last_seen_at")?)?;
        let expires_at = (now_at + idle).min(created_at + absolute);
        if expires_at <= now_at {
            return Ok(None);
        }
        // Write the sliding expiry at most once a minute: a page view is then a read, not a write.
        // Issue 12: while an import holds the write lock, the page is served after at most half a
        // second and the expiry is written in the background when the lock is free.
        if now_at - last_seen_at > chrono::TimeDelta::minutes(1) {
            let (pool, token_hash, expires) = (self.pool.clone(), token_hash.to_owned(), timestamp(expires_at));
            let update = tokio::spawn(async move {
                let result = sqlx::query("update web_session set last_seen_at = ?, expires_at = ? where token_hash = ?")
                    .bind(&now)
                    .bind(expires)
                    .bind(token_hash)
                    .execute(&pool)
                    .await;
                if let Err(e) = result {
                    tracing::info!(error = %e, "a session's expiry could not be extended this time");
                }
            });
            // Wait a little (always enough without a long writer), never the busy timeout.
            let _ = tokio::time::timeout(std::time::Duration::from_millis(500), update).await;
        }
        Ok(Some(SessionRecord {
            user: user_from_row(&row)?,
            csrf_token: col(&row, "csrf_token")?,
            created_at,
            expires_at,
            last_seen_at: now_at,
        }))
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("delete from web_session where token_hash = ?").bind(token_hash).execute(&self.pool).await.map_err(db)?;
        Ok(())
    }

    async fn record_login_failure(&self, keys: &[String], keep: chrono::TimeDelta) -> Result<()> {
        let now_at = self.clock.now();
        let now = timestamp(now_at);
        let mut tx = self.begin_write().await?;
        sqlx::query("delete from login_failure where at < ?").bind(timestamp(now_at - keep)).execute(&mut *tx).await.map_err(db)?;
        sqlx::query("delete from web_session where expires_at < ?").bind(&now).execute(&mut *tx).await.map_err(db)?;
        for key in keys {
            sqlx::query("insert into login_failure (key, at) values (?, ?)").bind(key).bind(&now).execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn login_failures_since(&self, key: &str, since: DateTime<Utc>) -> Result<(i64, Option<DateTime<Utc>>)> {
        let row = sqlx::query("select count(*) as n, max(at) as latest from login_failure where key = ? and at >= ?")
            .bind(key)
            .bind(timestamp(since))
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        let latest: Option<String> = col(&row, "latest")?;
        Ok((col(&row, "n")?, latest.map(|t| parse_timestamp(&t)).transpose()?))
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("delete from login_failure where key = ?").bind(key).execute(&self.pool).await.map_err(db)?;
        Ok(())
    }

    async fn claim_sign_in_attempt(&self, keys: &[(String, i64)], window: chrono::TimeDelta) -> Result<Option<Vec<i64>>> {
        let now_at = self.clock.now();
        let now = timestamp(now_at);
        let since = timestamp(now_at - window);
        // BEGIN IMMEDIATE: the count and the insert happen under one write lock, so two parallel
        // attempts cannot both read a count below the limit.
        let mut tx = self.begin_write().await?;
        sqlx::query("delete from login_failure where at < ?").bind(&since).execute(&mut *tx).await.map_err(db)?;
        for (key, limit) in keys {
            let n: i64 = sqlx::query_scalar("select count(*) from login_failure where key = ? and at >= ?")
                .bind(key)
                .bind(&since)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
            if n >= *limit {
                tx.rollback().await.map_err(db)?;
                return Ok(None);
            }
        }
        let mut ids = Vec::with_capacity(keys.len());
        for (key, _) in keys {
            let id: i64 = sqlx::query_scalar("insert into login_failure (key, at) values (?, ?) returning failure_id")
                .bind(key)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
            ids.push(id);
        }
        sqlx::query("delete from web_session where expires_at < ?").bind(&now).execute(&mut *tx).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Some(ids))
    }

    async fn release_sign_in_attempt(&self, ids: &[i64]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for id in ids {
            sqlx::query("delete from login_failure where failure_id = ?").bind(id).execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn assign_case(&self, actor: &Actor, case: CaseId, user: UserId) -> Result<()> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("select child_id, la from ehc_case where case_id = ?1 and (?2 is null or la = ?2)")
            .bind(case.to_string())
            .bind(actor.scope.la().map(|l| l.to_string()))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .ok_or_else(|| not_found("case", case))?;
        let la: LaCode = parse_col(&row, "la", "LA code")?;
        let child: ChildId = parse_col(&row, "child_id", "child id")?;
        let account = load_user(&mut tx, actor, user).await?;
        if !matches!(account.role, Role::LaCaseworker | Role::SendManager) || account.la != Some(la) || !account.active {
            return Err(StoreError::Invalid("a case is held by an active caseworker or manager of the case's LA".into()));
        }
        sqlx::query(
            "insert into case_assignment (case_id, user_id, assigned_at) values (?, ?, ?) \
             on conflict (case_id) do update set user_id = excluded.user_id, assigned_at = excluded.assigned_at",
        )
        .bind(case.to_string())
        .bind(user.to_string())
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let audit =
            Audit { action: AuditAction::Update, subject: "case_assignment", la: Some(la), child: Some(child), case: Some(case), actor };
        write_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn case_assignments(&self, actor: &Actor) -> Result<Vec<(CaseId, UserId)>> {
        check_request(actor, None)?;
        let rows = sqlx::query(
            "select a.case_id, a.user_id from case_assignment a join ehc_case c using (case_id) where (?1 is null or c.la = ?1)",
        )
        .bind(actor.scope.la().map(|l| l.to_string()))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(|r| Ok((parse_col(r, "case_id", "case id")?, parse_col(r, "user_id", "user id")?))).collect()
    }
}

/// Insert an account (checked by the caller) in the caller's transaction, with its audit entry.
/// `new.password_hash` is an argon2 hash, or empty for an invited account that has not set one.
pub(crate) async fn insert_user(tx: &mut sqlx::SqliteConnection, actor: &Actor, new: &NewUser, now: &str) -> Result<UserRecord> {
    check_names(&new.username, &new.display_name)?;
    check_scope(actor, new.role, new.la, new.setting_key.as_deref())?;
    let id = UserId::from_uuid(Uuid::new_v4());
    sqlx::query(
        "insert into app_user (user_id, username, display_name, password_hash, role, la, setting_key, service, active, version, \
         created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?)",
    )
    .bind(id.to_string())
    .bind(new.username.trim())
    .bind(new.display_name.trim())
    .bind(&new.password_hash)
    .bind(new.role.key())
    .bind(new.la.map(|l| l.to_string()))
    .bind(new.setting_key.as_deref().map(str::trim))
    .bind(new.role.service().map(AdviceParty::key))
    .bind(now)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(unique_violation)?;
    write_audit(&mut *tx, now, user_audit(actor, AuditAction::Create, new.la)).await?;
    tracing::info!(user_id = %id, role = new.role.key(), "account created");
    Ok(UserRecord {
        id,
        username: new.username.trim().to_owned(),
        display_name: new.display_name.trim().to_owned(),
        role: new.role,
        la: new.la,
        setting_key: new.setting_key.as_ref().map(|s| s.trim().to_owned()),
        active: true,
        version: 1,
    })
}

pub(crate) async fn load_user(conn: &mut sqlx::SqliteConnection, actor: &Actor, id: UserId) -> Result<UserRecord> {
    let sql = format!("select {USER_COLUMNS} from app_user where user_id = ?1 and (?2 is null or la = ?2)");
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .bind(actor.scope.la().map(|l| l.to_string()))
        .fetch_optional(conn)
        .await
        .map_err(db)?
        .ok_or_else(|| not_found("account", id))?;
    user_from_row(&row)
}

impl FromStr for Role {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s).ok_or_else(|| StoreError::Invalid(format!("'{s}' is not a role")))
    }
}
