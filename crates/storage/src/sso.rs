//! Single sign-on for staff (issue 14 item 5): the administrator's table from the identity provider's
//! groups to a Waymark role and LA, and the link from a person at the provider (issuer + `sub`) to their
//! Waymark account. The rules (which group gives what) are `waymark_sso`'s; this module keeps the rows.
//!
//! Mapping changes are audited (subject `sso_group_mapping`); accounts made or changed by a sign-in are
//! audited like any account change (subject `user`), under the actor label `sso`. Neither names nor
//! usernames reach the logs.

use crate::sqlite::{check_request, col, db, parse_col, parse_timestamp, write_audit, Audit};
use crate::users::{insert_user, load_user, NewUser, Role, UserRecord};
use crate::{Actor, AuditAction, Result, Scope, SqliteStore, StoreError};
use chrono::{DateTime, Utc};
use std::future::Future;
use waymark_domain::case::AdviceParty;
use waymark_domain::identifiers::LaCode;
use waymark_domain::ids::UserId;
use waymark_sso::{AccountNames, GroupId, Mapping};

/// Whether people may be given `role` by a group: council and partner staff whose scope is an LA. Not
/// families (they use local accounts), nor SENCOs or service providers (their scope is a setting or an
/// organisation, which a group cannot say).
pub fn role_given_by_groups(role: Role) -> bool {
    !matches!(role, Role::ParentCarer | Role::YoungPerson | Role::Senco | Role::ServiceProvider)
}

/// One row of the administrator's table, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMappingRecord {
    pub mapping: Mapping<Role>,
    pub created_at: DateTime<Utc>,
}

/// A person as the identity provider vouched for them in a checked ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPerson {
    pub issuer: String,
    /// The `sub` claim.
    pub subject: String,
    pub names: AccountNames,
}

/// What signing in as a provider's person came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoAccount {
    /// The account, made now or brought up to date with the role and LA given.
    Ready { user: UserRecord, created: bool },
    /// The linked account has been deactivated by an administrator: it stays so.
    Deactivated,
}

/// Single sign-on's rows, beside [`crate::Store`].
pub trait SsoStore: Send + Sync {
    /// The mappings the actor administers (their LA's, or every one), by group.
    fn group_mappings(&self, actor: &Actor) -> impl Future<Output = Result<Vec<GroupMappingRecord>>> + Send;

    /// Every mapping, for deciding a sign-in (no child is involved; not audited).
    fn all_group_mappings(&self) -> impl Future<Output = Result<Vec<Mapping<Role>>>> + Send;

    /// Give a group a role in an LA. The role must be one groups may give ([`role_given_by_groups`]), with
    /// the LA the role needs, inside the actor's scope; a group has one mapping. Audited.
    fn add_group_mapping(&self, actor: &Actor, mapping: &Mapping<Role>) -> impl Future<Output = Result<()>> + Send;

    /// Take a group's mapping away (accounts keep their role until their next sign-in, when they are
    /// refused or given what their other groups give). Audited.
    fn remove_group_mapping(&self, actor: &Actor, group: &GroupId) -> impl Future<Output = Result<()>> + Send;

    /// Make or update the account of `person` with `role` and `la`, all in one transaction: the first
    /// sign-in makes an account (no password, a unique username from the claims) linked to the issuer
    /// and `sub`; a later one sets its role, LA and name from the current groups and claims (ending its
    /// other sessions when the role or LA changed). A deactivated account is left as it is.
    fn sign_in_with_provider(
        &self,
        person: &ProviderPerson,
        role: Role,
        la: Option<LaCode>,
    ) -> impl Future<Output = Result<SsoAccount>> + Send;

    /// Whether an account signs in through the identity provider (and so uses its two-step, not ours).
    fn signs_in_with_provider(&self, user: UserId) -> impl Future<Output = Result<bool>> + Send;
}

fn check_mapping(actor: &Actor, m: &Mapping<Role>) -> Result<()> {
    if !role_given_by_groups(m.role) {
        return Err(StoreError::Invalid(format!("a group cannot give the {} role: make those accounts one by one", m.role.label())));
    }
    if m.role.needs_la() && m.la.is_none() {
        return Err(StoreError::Invalid(format!("a {} needs a local authority", m.role.label())));
    }
    match (m.la, actor.scope.la()) {
        (Some(la), _) if !actor.scope.permits(la) => Err(StoreError::OutOfScope { la }),
        (None, Some(own)) => Err(StoreError::OutOfScope { la: own }),
        _ => Ok(()),
    }
}

fn mapping_audit(actor: &Actor, action: AuditAction, la: Option<LaCode>) -> Audit<'_> {
    Audit { action, subject: "sso_group_mapping", la, child: None, case: None, actor }
}

fn mapping_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Mapping<Role>> {
    let role: String = col(row, "role")?;
    let la: Option<String> = col(row, "la")?;
    Ok(Mapping {
        group: parse_col(row, "group_id", "group id")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("'{role}' is not a role")))?,
        la: la.map(|t| t.parse().map_err(|_| StoreError::Corrupt(format!("'{t}' is not an LA code")))).transpose()?,
    })
}

/// A username not yet taken: `wanted`, else `wanted~2`, `wanted~3`, ...
async fn free_username(tx: &mut sqlx::SqliteConnection, wanted: &str) -> Result<String> {
    for n in 1..=1000 {
        let candidate = if n == 1 { wanted.to_owned() } else { format!("{wanted}~{n}") };
        let taken: bool = sqlx::query_scalar("select exists (select 1 from app_user where username = ?)")
            .bind(&candidate)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        if !taken {
            return Ok(candidate);
        }
    }
    Err(StoreError::Invalid("no free username could be found for this account".into()))
}

impl SsoStore for SqliteStore {
    async fn group_mappings(&self, actor: &Actor) -> Result<Vec<GroupMappingRecord>> {
        check_request(actor, None)?;
        let rows = sqlx::query("select group_id, role, la, created_at from sso_group_role where (?1 is null or la = ?1) order by group_id")
            .bind(actor.scope.la().map(|l| l.to_string()))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(GroupMappingRecord { mapping: mapping_from_row(r)?, created_at: parse_timestamp(&col::<String>(r, "created_at")?)? })
            })
            .collect()
    }

    async fn all_group_mappings(&self) -> Result<Vec<Mapping<Role>>> {
        let rows =
            sqlx::query("select group_id, role, la from sso_group_role order by group_id").fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(mapping_from_row).collect()
    }

    async fn add_group_mapping(&self, actor: &Actor, mapping: &Mapping<Role>) -> Result<()> {
        check_request(actor, None)?;
        check_mapping(actor, mapping)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let inserted =
            sqlx::query("insert into sso_group_role (group_id, role, la, created_at) values (?, ?, ?, ?) on conflict do nothing")
                .bind(mapping.group.as_str())
                .bind(mapping.role.key())
                .bind(mapping.la.map(|l| l.to_string()))
                .bind(&now)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected();
        if inserted == 0 {
            return Err(StoreError::Invalid("that group already has a role: remove it first to give it another".into()));
        }
        write_audit(&mut tx, &now, mapping_audit(actor, AuditAction::Create, mapping.la)).await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(role = mapping.role.key(), "a group was given a role for single sign-on");
        Ok(())
    }

    async fn remove_group_mapping(&self, actor: &Actor, group: &GroupId) -> Result<()> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("select group_id, role, la from sso_group_role where group_id = ?1 and (?2 is null or la = ?2)")
            .bind(group.as_str())
            .bind(actor.scope.la().map(|l| l.to_string()))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .ok_or_else(|| StoreError::NotFound { what: "group mapping", id: group.to_string() })?;
        let mapping = mapping_from_row(&row)?;
        sqlx::query("delete from sso_group_role where group_id = ?").bind(group.as_str()).execute(&mut *tx).await.map_err(db)?;
        write_audit(&mut tx, &now, mapping_audit(actor, AuditAction::Update, mapping.la)).await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(role = mapping.role.key(), "a group's single sign-on role was removed");
        Ok(())
    }

    async fn sign_in_with_provider(&self, person: &ProviderPerson, role: Role, la: Option<LaCode>) -> Result<SsoAccount> {
        if !role_given_by_groups(role) || (role.needs_la() && la.is_none()) {
            return Err(StoreError::Invalid(format!("a group cannot give the {} role", role.label())));
        }
        let actor = Actor::new("sso", Scope::All);
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let linked: Option<String> = sqlx::query_scalar("select user_id from sso_identity where issuer = ? and subject = ?")
            .bind(&person.issuer)
            .bind(&person.subject)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let Some(linked) = linked else {
            let username = free_username(&mut tx, &person.names.username).await?;
            let new = NewUser {
                username,
                display_name: person.names.display_name.clone(),
                password_hash: String::new(),
                role,
                la,
                setting_key: None,
            };
            let user = insert_user(&mut tx, &actor, &new, &now).await?;
            sqlx::query("insert into sso_identity (issuer, subject, user_id, created_at, last_sign_in_at) values (?, ?, ?, ?, ?)")
                .bind(&person.issuer)
                .bind(&person.subject)
                .bind(user.id.to_string())
                .bind(&now)
                .bind(&now)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            return Ok(SsoAccount::Ready { user, created: true });
        };
        let id: UserId = linked.parse().map_err(|_| StoreError::Corrupt(format!("'{linked}' is not a user id")))?;
        let current = load_user(&mut tx, &actor, id).await?;
        if !current.active {
            tx.rollback().await.map_err(db)?;
            return Ok(SsoAccount::Deactivated);
        }
        sqlx::query("update sso_identity set last_sign_in_at = ? where issuer = ? and subject = ?")
            .bind(&now)
            .bind(&person.issuer)
            .bind(&person.subject)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let name = person.names.display_name.trim();
        if current.role == role && current.la == la && current.display_name == name && current.setting_key.is_none() {
            tx.commit().await.map_err(db)?;
            return Ok(SsoAccount::Ready { user: current, created: false });
        }
        sqlx::query(
            "update app_user set display_name = ?, role = ?, la = ?, setting_key = null, service = ?, version = version + 1, updated_at = ? \
             where user_id = ?",
        )
        .bind(name)
        .bind(role.key())
        .bind(la.map(|l| l.to_string()))
        .bind(role.service().map(AdviceParty::key))
        .bind(&now)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if current.role != role || current.la != la {
            // What the person may see has changed: sessions begun under the old role end.
            sqlx::query("delete from web_session where user_id = ?").bind(id.to_string()).execute(&mut *tx).await.map_err(db)?;
            tracing::info!(user_id = %id, role = role.key(), "an account's role was changed by its groups at sign-in");
        }
        write_audit(
            &mut tx,
            &now,
            Audit { action: AuditAction::Update, subject: "user", la: la.or(current.la), child: None, case: None, actor: &actor },
        )
        .await?;
        tx.commit().await.map_err(db)?;
        let user = UserRecord { display_name: name.to_owned(), role, la, setting_key: None, version: current.version + 1, ..current };
        Ok(SsoAccount::Ready { user, created: false })
    }

    async fn signs_in_with_provider(&self, user: UserId) -> Result<bool> {
        sqlx::query_scalar("select exists (select 1 from sso_identity where user_id = ?)")
            .bind(user.to_string())
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }
}
