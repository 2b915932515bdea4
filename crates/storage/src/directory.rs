//! The Local Offer's store (`waymark-directory`'s records): the postcode directory, organisations,
//! locations and services, every published version, the providers' proposed changes and the officer's
//! decisions, the full-text index (FTS5), and the counted searches and views.
//!
//! Public reference data, no child's data: reads are not audited; every write is, as one entry.
//! Publishing is all or nothing (one transaction), and each one bumps a generation number so the
//! web application reloads its copy of the directory only when it has changed.

use crate::sqlite::{check_request, db, parse_timestamp, to_json, write_audit, Audit};
use crate::{Actor, AuditAction, Result, SqliteStore, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{Row, SqliteConnection};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use uuid::Uuid;
use waymark_directory::search::FRESH_FOR_MONTHS;
use waymark_directory::workflow::{ChangeStatus, Decision};
use waymark_directory::{is_stale, Coordinates, Listing, Location, Organisation, OrganisationId, Service, ServiceId};
use waymark_domain::identifiers::Postcode;
use waymark_domain::ids::UserId;
use waymark_notifications::{listing_decision, listing_stale_unkept, ListingOutcome, ListingReminder, Topic};

/// What a publish or load changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PublishCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Records to publish together: organisations, locations (with their organisation) and services with
/// the date each was last confirmed.
#[derive(Debug, Clone, Default)]
pub struct PublishBatch {
    pub organisations: Vec<Organisation>,
    pub locations: Vec<(OrganisationId, Location)>,
    pub services: Vec<(Service, NaiveDate)>,
}

/// The directory as published, for searching in memory.
#[derive(Debug, Clone, Default)]
pub struct Published {
    pub generation: i64,
    pub listings: Vec<Listing>,
    pub organisations: HashMap<OrganisationId, Organisation>,
    /// Each listing's published version and when it was last changed.
    pub versions: Vec<(i64, DateTime<Utc>)>,
    /// Each listing's row in the full-text index, as [`DirectoryStore::search_rows`] answers.
    pub rowids: Vec<i64>,
}

/// A change a provider proposed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeRecord {
    pub change_id: Uuid,
    pub service_id: ServiceId,
    pub organisation: OrganisationId,
    /// The published version it was based on (`None` for a new service).
    pub base_version: Option<i64>,
    pub proposed: Service,
    pub status: ChangeStatus,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    /// New venues the change brings, published with it when it is approved.
    pub new_locations: Vec<Location>,
}

/// One of an organisation's services as its provider sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderListing {
    pub service: Service,
    pub version: i64,
    pub last_checked: NaiveDate,
    /// The latest proposal for it, if any.
    pub latest_change: Option<ChangeRecord>,
}

/// A version of a service as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceVersion {
    pub version: i64,
    pub recorded_at: DateTime<Utc>,
    pub actor_label: String,
    pub reason: String,
    pub service: Service,
}

/// A counted search or view: no personal data.
#[derive(Debug, Clone, PartialEq)]
pub enum DirectoryEvent {
    Search { filters: serde_json::Value, results: usize },
    View { service: ServiceId },
}

/// Searches that found nothing, grouped by what was asked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchGap {
    pub filters: serde_json::Value,
    pub count: i64,
}

/// The counts the annual report needs.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UsageCounts {
    pub searches: i64,
    pub searches_without_results: i64,
    pub views: i64,
}

pub trait DirectoryStore: Send + Sync {
    /// Load postcode coordinates (ONSPD), all or nothing; a postcode loaded again is updated.
    fn load_postcodes(&self, actor: &Actor, rows: &[(Postcode, Coordinates)]) -> impl Future<Output = Result<PublishCounts>> + Send;

    /// The coordinates of a postcode, if the directory knows it.
    fn postcode(&self, postcode: &Postcode) -> impl Future<Output = Result<Option<Coordinates>>> + Send;

    /// Publish records directly (an import or the demo), all or nothing. A service already published
    /// with the same content is left alone; a changed one gets a new version. Locations without
    /// coordinates take their postcode's.
    fn publish(&self, actor: &Actor, batch: &PublishBatch, reason: &str) -> impl Future<Output = Result<PublishCounts>> + Send;

    /// The current generation (changes with every publish or decision).
    fn directory_generation(&self) -> impl Future<Output = Result<i64>> + Send;

    /// Everything published (active or not), with organisations.
    fn published(&self) -> impl Future<Output = Result<Published>> + Send;

    /// The published services the full-text index matches for `words` (every word, stemmed, as a prefix).
    fn search_words(&self, words: &str) -> impl Future<Output = Result<HashSet<ServiceId>>> + Send;

    /// The full-text rows ([`Published::rowids`]) that `words` match, as [`search_words`] would: the
    /// index alone answers, in one row (SQLite's `group_concat`), so a word found in thousands of
    /// listings costs a millisecond rather than a read of each listing's row.
    ///
    /// [`search_words`]: DirectoryStore::search_words
    fn search_rows(&self, words: &str) -> impl Future<Output = Result<Vec<i64>>> + Send;

    /// Count searches and views (no personal data), in one transaction.
    fn record_events(&self, day: NaiveDate, events: &[DirectoryEvent]) -> impl Future<Output = Result<()>> + Send;

    /// Propose a change (or a new service) for an officer to approve. The organisation must be the
    /// service's. `base_version` is the published version it was based on. Returns the change's id.
    fn propose_change(&self, actor: &Actor, service: &Service, base_version: Option<i64>) -> impl Future<Output = Result<Uuid>> + Send {
        self.propose_with_venues(actor, service, base_version, &[])
    }

    /// Propose a change that also brings new venues (the organisation's): they are published with the
    /// service when an officer approves it, and not before. Each must be one of the service's locations.
    fn propose_with_venues(
        &self,
        actor: &Actor,
        service: &Service,
        base_version: Option<i64>,
        new_locations: &[Location],
    ) -> impl Future<Output = Result<Uuid>> + Send;

    /// Changes in a status, oldest first.
    fn changes(&self, status: ChangeStatus) -> impl Future<Output = Result<Vec<ChangeRecord>>> + Send;

    /// One change.
    fn change(&self, id: Uuid) -> impl Future<Output = Result<ChangeRecord>> + Send;

    /// Approve (publish as a new version, last checked `today`) or reject (with its reason) a pending
    /// change. A change whose service was published again since it was proposed is a conflict. The
    /// organisation's provider accounts are notified (emailed through the outbox) in the same
    /// transaction, with the reason on rejection.
    fn decide_change(
        &self,
        actor: &Actor,
        id: Uuid,
        decision: &Decision,
        today: NaiveDate,
    ) -> impl Future<Output = Result<ChangeRecord>> + Send;

    /// A service's published versions, oldest first.
    fn service_versions(&self, id: ServiceId) -> impl Future<Output = Result<Vec<ServiceVersion>>> + Send;

    /// Tie a service provider's account to its organisation.
    fn set_provider_organisation(
        &self,
        actor: &Actor,
        user: UserId,
        organisation: OrganisationId,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The organisation a provider's account keeps listings for.
    fn provider_organisation(&self, user: UserId) -> impl Future<Output = Result<Option<OrganisationId>>> + Send;

    /// An organisation's services with their latest proposals.
    fn organisation_listings(&self, organisation: OrganisationId) -> impl Future<Output = Result<Vec<ProviderListing>>> + Send;

    /// Confirm a published service is still right: last checked becomes `today`.
    fn confirm_service(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        service: ServiceId,
        today: NaiveDate,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Searches and views counted from `since` (a day) on.
    fn usage(&self, since: NaiveDate) -> impl Future<Output = Result<UsageCounts>> + Send;

    /// The searches with no result from `since` on, most frequent first.
    fn search_gaps(&self, since: NaiveDate, limit: usize) -> impl Future<Output = Result<Vec<SearchGap>>> + Send;

    /// Remind the provider accounts of every active listing not confirmed for 12 months on `today`
    /// (notifications, emailed through the outbox), all in one transaction. Each listing's reminder is
    /// made once per stale period: working it out again the next day adds nothing; a listing confirmed
    /// and stale again a year later is reminded again. A stale listing whose organisation has no active
    /// provider account reminds every active Local Offer officer instead, on the same terms. Returns how
    /// many notifications were added.
    fn enqueue_listing_reminders(&self, today: NaiveDate) -> impl Future<Output = Result<usize>> + Send;
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn date(text: &str) -> Result<NaiveDate> {
    text.parse().map_err(|e| corrupt("a Local Offer date", e))
}

async fn bump(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("update lo_generation set generation = generation + 1 where id = 1").execute(conn).await.map_err(db)?;
    Ok(())
}

async fn audit(conn: &mut SqliteConnection, now: &str, actor: &Actor, subject: &'static str) -> Result<()> {
    write_audit(conn, now, Audit { action: AuditAction::Update, subject, la: actor.scope.la(), child: None, case: None, actor }).await
}

/// Write a service's published row, its version and its full-text entry.
async fn write_service(
    conn: &mut SqliteConnection,
    service: &Service,
    last_checked: NaiveDate,
    now: &str,
    actor: &Actor,
    reason: &str,
) -> Result<(i64, bool)> {
    let data = to_json(service, "service")?;
    let existing = sqlx::query("select rowid, version, data from lo_service where service_id = ?")
        .bind(service.id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let (version, created) = match &existing {
        Some(row) => {
            let old: String = row.try_get("data").map_err(db)?;
            let version: i64 = row.try_get("version").map_err(db)?;
            if old == data {
                sqlx::query("update lo_service set last_checked = max(last_checked, ?2) where service_id = ?1")
                    .bind(service.id.to_string())
                    .bind(last_checked.to_string())
                    .execute(&mut *conn)
                    .await
                    .map_err(db)?;
                return Ok((version, false));
            }
            (version + 1, false)
        }
        None => (1, true),
    };
    sqlx::query(
        "insert into lo_service (service_id, organisation_id, version, data, active, last_checked, updated_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         on conflict (service_id) do update set organisation_id = ?2, version = ?3, data = ?4, active = ?5, last_checked = ?6, updated_at = ?7",
    )
    .bind(service.id.to_string())
    .bind(service.organisation.to_string())
    .bind(version)
    .bind(&data)
    .bind(i64::from(service.active))
    .bind(last_checked.to_string())
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    sqlx::query("insert into lo_service_version (service_id, version, data, recorded_at, actor_label, reason) values (?, ?, ?, ?, ?, ?)")
        .bind(service.id.to_string())
        .bind(version)
        .bind(&data)
        .bind(now)
        .bind(actor.label.trim())
        .bind(reason)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    let rowid: i64 = sqlx::query_scalar("select rowid from lo_service where service_id = ?")
        .bind(service.id.to_string())
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    sqlx::query("delete from lo_service_fts where rowid = ?").bind(rowid).execute(&mut *conn).await.map_err(db)?;
    sqlx::query("insert into lo_service_fts (rowid, name, body) values (?, ?, ?)")
        .bind(rowid)
        .bind(&service.name)
        .bind(service.search_text())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok((version, created))
}

/// Write a location (an import's, or a new venue on approval); without coordinates it takes its
/// postcode's from the postcode directory, if known there.
async fn write_location(conn: &mut SqliteConnection, org: OrganisationId, location: &Location, now: &str) -> Result<()> {
    let mut l = location.clone();
    if l.coordinates.is_none() {
        let row = sqlx::query("select latitude, longitude from postcode where postcode = ?")
            .bind(l.postcode.as_str())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
        l.coordinates = row.and_then(|r| Coordinates::new(r.get("latitude"), r.get("longitude")));
    }
    sqlx::query(
        "insert into lo_location (location_id, organisation_id, postcode, data, updated_at) values (?1, ?2, ?3, ?4, ?5) \
         on conflict (location_id) do update set organisation_id = ?2, postcode = ?3, data = ?4, updated_at = ?5",
    )
    .bind(l.id.to_string())
    .bind(org.to_string())
    .bind(l.postcode.as_str())
    .bind(to_json(&l, "location")?)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// Words as an FTS5 query: each word quoted (so no operator can be injected), as a prefix, all required.
pub fn fts_query(words: &str) -> Option<String> {
    let terms: Vec<String> = words
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

fn change_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<ChangeRecord> {
    let get = |c: &str| -> Result<String> { row.try_get::<String, _>(c).map_err(db) };
    let status = get("status")?;
    let decided_at: Option<String> = row.try_get("decided_at").map_err(db)?;
    Ok(ChangeRecord {
        change_id: get("change_id")?.parse().map_err(|e| corrupt("change id", e))?,
        service_id: get("service_id")?.parse().map_err(|e| corrupt("service id", e))?,
        organisation: get("organisation_id")?.parse().map_err(|e| corrupt("organisation id", e))?,
        base_version: row.try_get("base_version").map_err(db)?,
        proposed: serde_json::from_str(&get("proposed")?).map_err(|e| corrupt("proposed service", e))?,
        status: ChangeStatus::parse(&status).ok_or_else(|| corrupt("change status", &status))?,
        proposed_by: get("proposed_by")?,
        proposed_at: parse_timestamp(&get("proposed_at")?)?,
        decided_at: decided_at.as_deref().map(parse_timestamp).transpose()?,
        reason: row.try_get("reason").map_err(db)?,
        new_locations: match row.try_get::<Option<String>, _>("new_locations").map_err(db)? {
            Some(text) => serde_json::from_str(&text).map_err(|e| corrupt("new venues", e))?,
            None => Vec::new(),
        },
    })
}

/// Add `message` for every active provider account of `organisation`. Returns how many were added.
async fn notify_providers(
    conn: &mut SqliteConnection,
    organisation: OrganisationId,
    topic: Topic,
    message: &ListingReminder,
    now: &str,
) -> Result<usize> {
    let rows = sqlx::query(
        "select u.user_id, u.email from lo_provider p join app_user u on u.user_id = p.user_id \
         where p.organisation_id = ? and u.active = 1 order by u.user_id",
    )
    .bind(organisation.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let mut added = 0;
    for r in &rows {
        let text = (message.subject.as_str(), message.body.as_str(), message.link.as_str());
        added +=
            crate::notifications::insert_for_user(conn, r.get("user_id"), r.get("email"), topic, None, &message.key, text, now).await?;
    }
    Ok(added)
}

const CHANGE_COLUMNS: &str =
    "change_id, service_id, organisation_id, base_version, proposed, status, proposed_by, proposed_at, decided_at, reason, new_locations";

impl DirectoryStore for SqliteStore {
    async fn load_postcodes(&self, actor: &Actor, rows: &[(Postcode, Coordinates)]) -> Result<PublishCounts> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let before: i64 = sqlx::query_scalar("select count(*) from postcode").fetch_one(&mut *tx).await.map_err(db)?;
        for (p, c) in rows {
            sqlx::query(
                "insert into postcode (postcode, latitude, longitude) values (?1, ?2, ?3) \
                 on conflict (postcode) do update set latitude = ?2, longitude = ?3",
            )
            .bind(p.as_str())
            .bind(c.latitude)
            .bind(c.longitude)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        let after: i64 = sqlx::query_scalar("select count(*) from postcode").fetch_one(&mut *tx).await.map_err(db)?;
        audit(&mut tx, &now, actor, "postcodes").await?;
        tx.commit().await.map_err(db)?;
        let created = usize::try_from(after - before).unwrap_or(0);
        Ok(PublishCounts { created, updated: rows.len().saturating_sub(created), unchanged: 0 })
    }

    async fn postcode(&self, postcode: &Postcode) -> Result<Option<Coordinates>> {
        let row = sqlx::query("select latitude, longitude from postcode where postcode = ?")
            .bind(postcode.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        Ok(row.and_then(|r| Coordinates::new(r.get("latitude"), r.get("longitude"))))
    }

    async fn publish(&self, actor: &Actor, batch: &PublishBatch, reason: &str) -> Result<PublishCounts> {
        let reason = check_request(actor, Some(reason))?;
        for (s, _) in &batch.services {
            if let Some(e) = s.check().into_iter().next() {
                return Err(StoreError::Invalid(format!("service {}: {e}", s.id)));
            }
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        for o in &batch.organisations {
            sqlx::query(
                "insert into lo_organisation (organisation_id, name, data, updated_at) values (?1, ?2, ?3, ?4) \
                 on conflict (organisation_id) do update set name = ?2, data = ?3, updated_at = ?4",
            )
            .bind(o.id.to_string())
            .bind(&o.name)
            .bind(to_json(o, "organisation")?)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        for (org, l) in &batch.locations {
            write_location(&mut tx, *org, l, &now).await?;
        }
        let mut counts = PublishCounts::default();
        for (s, checked) in &batch.services {
            let before: Option<i64> = sqlx::query_scalar("select version from lo_service where service_id = ?")
                .bind(s.id.to_string())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
            let (version, created) = write_service(&mut tx, s, *checked, &now, actor, &reason).await?;
            match (created, before) {
                (true, _) => counts.created += 1,
                (false, Some(b)) if b == version => counts.unchanged += 1,
                _ => counts.updated += 1,
            }
        }
        bump(&mut tx).await?;
        audit(&mut tx, &now, actor, "local_offer").await?;
        tx.commit().await.map_err(|e| match e {
            sqlx::Error::Database(d) if d.message().contains("FOREIGN KEY") => {
                StoreError::Invalid("a service or location names an organisation that is not in the directory".into())
            }
            other => db(other),
        })?;
        Ok(counts)
    }

    async fn directory_generation(&self) -> Result<i64> {
        sqlx::query_scalar("select generation from lo_generation where id = 1").fetch_one(&self.pool).await.map_err(db)
    }

    async fn published(&self) -> Result<Published> {
        let mut tx = self.begin_read().await?;
        let generation: i64 =
            sqlx::query_scalar("select generation from lo_generation where id = 1").fetch_one(&mut *tx).await.map_err(db)?;
        let mut organisations = HashMap::new();
        for r in sqlx::query("select data from lo_organisation").fetch_all(&mut *tx).await.map_err(db)? {
            let o: Organisation = serde_json::from_str(r.get::<&str, _>("data")).map_err(|e| corrupt("organisation", e))?;
            organisations.insert(o.id, o);
        }
        let mut locations = HashMap::new();
        for r in sqlx::query("select data from lo_location").fetch_all(&mut *tx).await.map_err(db)? {
            let l: Location = serde_json::from_str(r.get::<&str, _>("data")).map_err(|e| corrupt("location", e))?;
            locations.insert(l.id, l);
        }
        let rows = sqlx::query("select rowid, data, version, last_checked, updated_at from lo_service order by service_id")
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let mut listings = Vec::with_capacity(rows.len());
        let mut versions = Vec::with_capacity(rows.len());
        let mut rowids = Vec::with_capacity(rows.len());
        for r in rows {
            rowids.push(r.get("rowid"));
            let service: Service = serde_json::from_str(r.get::<&str, _>("data")).map_err(|e| corrupt("service", e))?;
            let organisation_name = organisations.get(&service.organisation).map(|o| o.name.clone()).unwrap_or_default();
            let locs = service.locations.iter().filter_map(|id| locations.get(id).cloned()).collect();
            listings.push(Listing { last_checked: date(r.get("last_checked"))?, service, organisation_name, locations: locs });
            versions.push((r.get("version"), parse_timestamp(r.get("updated_at"))?));
        }
        Ok(Published { generation, listings, organisations, versions, rowids })
    }

    async fn search_words(&self, words: &str) -> Result<HashSet<ServiceId>> {
        let Some(query) = fts_query(words) else { return Ok(HashSet::new()) };
        let rows =
            sqlx::query("select s.service_id from lo_service_fts f join lo_service s on s.rowid = f.rowid where lo_service_fts match ?")
                .bind(query)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        rows.iter().map(|r| r.get::<&str, _>("service_id").parse().map_err(|e| corrupt("service id", e))).collect()
    }

    async fn search_rows(&self, words: &str) -> Result<Vec<i64>> {
        let Some(query) = fts_query(words) else { return Ok(Vec::new()) };
        let list: Option<String> = sqlx::query_scalar("select group_concat(rowid) from lo_service_fts where lo_service_fts match ?")
            .bind(query)
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        list.as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|r| !r.is_empty())
            .map(|r| r.parse().map_err(|e| corrupt("full-text row", e)))
            .collect()
    }

    async fn record_events(&self, day: NaiveDate, events: &[DirectoryEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for e in events {
            let (kind, service, filters, results) = match e {
                DirectoryEvent::Search { filters, results } => ("search", None, Some(filters.to_string()), Some(*results as i64)),
                DirectoryEvent::View { service } => ("view", Some(service.to_string()), None, None),
            };
            sqlx::query("insert into lo_event (day, kind, service_id, filters, results) values (?, ?, ?, ?, ?)")
                .bind(day.to_string())
                .bind(kind)
                .bind(service)
                .bind(filters)
                .bind(results)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn propose_with_venues(
        &self,
        actor: &Actor,
        service: &Service,
        base_version: Option<i64>,
        new_locations: &[Location],
    ) -> Result<Uuid> {
        check_request(actor, None)?;
        if let Some(e) = service.check().into_iter().next() {
            return Err(StoreError::Invalid(e.to_string()));
        }
        if new_locations.iter().any(|l| !service.locations.contains(&l.id)) {
            return Err(StoreError::Invalid("a new venue is not one of the service's venues".into()));
        }
        let now = self.now();
        let id = Uuid::new_v4();
        let mut tx = self.begin_write().await?;
        let current: Option<(String, i64)> = sqlx::query("select organisation_id, version from lo_service where service_id = ?")
            .bind(service.id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .map(|r| (r.get("organisation_id"), r.get("version")));
        if let Some((org, version)) = &current {
            if *org != service.organisation.to_string() {
                return Err(crate::sqlite::not_found("service", service.id));
            }
            if base_version != Some(*version) {
                return Err(StoreError::Conflict {
                    what: "service",
                    id: service.id.to_string(),
                    expected: base_version.unwrap_or(0),
                    current: *version,
                });
            }
        }
        // A provider's newer change replaces one still waiting: the officer decides the latest only.
        sqlx::query(
            "update lo_change set status = 'rejected', decided_by = ?, decided_at = ?, reason = 'Replaced by a later change from the provider' \
             where service_id = ? and status = 'pending'",
        )
        .bind(actor.label.trim())
        .bind(&now)
        .bind(service.id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query(
            "insert into lo_change (change_id, service_id, organisation_id, base_version, proposed, status, proposed_by, proposed_at, new_locations) \
             values (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(service.id.to_string())
        .bind(service.organisation.to_string())
        .bind(current.map(|(_, v)| v))
        .bind(to_json(service, "service")?)
        .bind(actor.label.trim())
        .bind(&now)
        .bind(if new_locations.is_empty() { None } else { Some(to_json(&new_locations, "new venues")?) })
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        audit(&mut tx, &now, actor, "local_offer_change").await?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn changes(&self, status: ChangeStatus) -> Result<Vec<ChangeRecord>> {
        let sql = format!("select {CHANGE_COLUMNS} from lo_change where status = ? order by proposed_at, change_id");
        let rows = sqlx::query(&sql).bind(status.key()).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(change_from_row).collect()
    }

    async fn change(&self, id: Uuid) -> Result<ChangeRecord> {
        let sql = format!("select {CHANGE_COLUMNS} from lo_change where change_id = ?");
        let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&self.pool).await.map_err(db)?;
        row.as_ref().map(change_from_row).transpose()?.ok_or_else(|| crate::sqlite::not_found("change", id))
    }

    async fn decide_change(&self, actor: &Actor, id: Uuid, decision: &Decision, today: NaiveDate) -> Result<ChangeRecord> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let sql = format!("select {CHANGE_COLUMNS} from lo_change where change_id = ?");
        let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&mut *tx).await.map_err(db)?;
        let change = row.as_ref().map(change_from_row).transpose()?.ok_or_else(|| crate::sqlite::not_found("change", id))?;
        let status = change.status.decide(decision).map_err(|e| StoreError::Invalid(e.to_string()))?;
        if status == ChangeStatus::Approved {
            let current: Option<i64> = sqlx::query_scalar("select version from lo_service where service_id = ?")
                .bind(change.service_id.to_string())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
            if current != change.base_version {
                return Err(StoreError::Conflict {
                    what: "service",
                    id: change.service_id.to_string(),
                    expected: change.base_version.unwrap_or(0),
                    current: current.unwrap_or(0),
                });
            }
            for l in &change.new_locations {
                write_location(&mut tx, change.organisation, l, &now).await?;
            }
            write_service(&mut tx, &change.proposed, today, &now, actor, "approved provider change").await?;
            bump(&mut tx).await?;
        }
        sqlx::query("update lo_change set status = ?, decided_by = ?, decided_at = ?, reason = ? where change_id = ?")
            .bind(status.key())
            .bind(actor.label.trim())
            .bind(&now)
            .bind(decision.reason())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        audit(&mut tx, &now, actor, "local_offer_change").await?;
        // The organisation's provider accounts are told, in the same transaction (through the outbox).
        let outcome = match decision {
            Decision::Approve => ListingOutcome::Approved,
            Decision::Reject { reason } => ListingOutcome::Rejected { reason },
        };
        let message = listing_decision(&id.to_string(), &change.proposed.name, change.base_version.is_none(), outcome);
        let told = notify_providers(&mut tx, change.organisation, Topic::ListingDecision, &message, &now).await?;
        tx.commit().await.map_err(db)?;
        if told > 0 {
            tracing::info!(told, "Local Offer decision added to the outbox");
        }
        Ok(ChangeRecord { status, decided_at: Some(parse_timestamp(&now)?), reason: decision.reason().map(str::to_owned), ..change })
    }

    async fn service_versions(&self, id: ServiceId) -> Result<Vec<ServiceVersion>> {
        let rows = sqlx::query(
            "select version, data, recorded_at, actor_label, reason from lo_service_version where service_id = ? order by version",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(ServiceVersion {
                    version: r.get("version"),
                    recorded_at: parse_timestamp(r.get("recorded_at"))?,
                    actor_label: r.get("actor_label"),
                    reason: r.get("reason"),
                    service: serde_json::from_str(r.get::<&str, _>("data")).map_err(|e| corrupt("service version", e))?,
                })
            })
            .collect()
    }

    async fn set_provider_organisation(&self, actor: &Actor, user: UserId, organisation: OrganisationId) -> Result<()> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into lo_provider (user_id, organisation_id, created_at) values (?1, ?2, ?3) \
             on conflict (user_id) do update set organisation_id = ?2",
        )
        .bind(user.to_string())
        .bind(organisation.to_string())
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        audit(&mut tx, &now, actor, "local_offer_provider").await?;
        tx.commit().await.map_err(db)
    }

    async fn provider_organisation(&self, user: UserId) -> Result<Option<OrganisationId>> {
        let org: Option<String> = sqlx::query_scalar("select organisation_id from lo_provider where user_id = ?")
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        org.map(|o| o.parse().map_err(|e| corrupt("organisation id", e))).transpose()
    }

    async fn organisation_listings(&self, organisation: OrganisationId) -> Result<Vec<ProviderListing>> {
        let rows = sqlx::query("select data, version, last_checked from lo_service where organisation_id = ?")
            .bind(organisation.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let sql = format!("select {CHANGE_COLUMNS} from lo_change where organisation_id = ? order by proposed_at");
        let changes: Vec<ChangeRecord> = sqlx::query(&sql)
            .bind(organisation.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(change_from_row)
            .collect::<Result<_>>()?;
        let mut out: Vec<ProviderListing> = rows
            .iter()
            .map(|r| {
                let service: Service = serde_json::from_str(r.get::<&str, _>("data")).map_err(|e| corrupt("service", e))?;
                let latest_change = changes.iter().rev().find(|c| c.service_id == service.id).cloned();
                Ok(ProviderListing { version: r.get("version"), last_checked: date(r.get("last_checked"))?, service, latest_change })
            })
            .collect::<Result<_>>()?;
        out.sort_by(|a, b| a.service.name.cmp(&b.service.name));
        Ok(out)
    }

    async fn confirm_service(&self, actor: &Actor, organisation: OrganisationId, service: ServiceId, today: NaiveDate) -> Result<()> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("update lo_service set last_checked = ? where service_id = ? and organisation_id = ?")
            .bind(today.to_string())
            .bind(service.to_string())
            .bind(organisation.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(crate::sqlite::not_found("service", service));
        }
        bump(&mut tx).await?;
        audit(&mut tx, &now, actor, "local_offer").await?;
        tx.commit().await.map_err(db)
    }

    async fn usage(&self, since: NaiveDate) -> Result<UsageCounts> {
        let row = sqlx::query(
            "select coalesce(sum(kind = 'search'), 0) as searches, coalesce(sum(kind = 'search' and results = 0), 0) as empty, \
             coalesce(sum(kind = 'view'), 0) as views from lo_event where day >= ?",
        )
        .bind(since.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(UsageCounts { searches: row.get("searches"), searches_without_results: row.get("empty"), views: row.get("views") })
    }

    async fn search_gaps(&self, since: NaiveDate, limit: usize) -> Result<Vec<SearchGap>> {
        let rows = sqlx::query(
            "select filters, count(*) as n from lo_event where kind = 'search' and results = 0 and day >= ? \
             group by filters order by n desc, filters limit ?",
        )
        .bind(since.to_string())
        .bind(i64::try_from(limit).unwrap_or(50))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                let text: Option<String> = r.get("filters");
                Ok(SearchGap {
                    filters: serde_json::from_str(text.as_deref().unwrap_or("{}")).map_err(|e| corrupt("search filters", e))?,
                    count: r.get("n"),
                })
            })
            .collect()
    }

    async fn enqueue_listing_reminders(&self, today: NaiveDate) -> Result<usize> {
        // A coarse cut in SQL (a few days' margin for month ends), the exact rule in the directory crate.
        let Some(cut) =
            today.checked_sub_months(chrono::Months::new(FRESH_FOR_MONTHS)).and_then(|d| d.checked_add_days(chrono::Days::new(3)))
        else {
            return Ok(0);
        };
        let rows = sqlx::query(
            "select s.service_id, json_extract(s.data, '$.name') as name, s.last_checked, u.user_id, u.email \
             from lo_service s join lo_provider p on p.organisation_id = s.organisation_id join app_user u on u.user_id = p.user_id \
             where s.active = 1 and u.active = 1 and s.last_checked <= ? order by s.service_id, u.user_id",
        )
        .bind(cut.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let mut added = 0;
        for r in &rows {
            let last_checked = date(r.get("last_checked"))?;
            if !is_stale(last_checked, today) {
                continue;
            }
            let service: String = r.get("service_id");
            let name: String = r.try_get::<Option<String>, _>("name").map_err(db)?.unwrap_or_default();
            let reminder = waymark_notifications::listing_stale(&service, &name, last_checked, FRESH_FOR_MONTHS);
            let text = (reminder.subject.as_str(), reminder.body.as_str(), reminder.link.as_str());
            added += crate::notifications::insert_for_user(
                &mut tx,
                r.get("user_id"),
                r.get("email"),
                Topic::ListingStale,
                None,
                &reminder.key,
                text,
                &now,
            )
            .await?;
        }
        // A stale listing no active provider account keeps reminds the Local Offer officers instead,
        // once per stale period each, like the provider's reminder.
        let unkept = sqlx::query(
            "select s.service_id, json_extract(s.data, '$.name') as name, o.name as organisation, s.last_checked \
             from lo_service s join lo_organisation o on o.organisation_id = s.organisation_id \
             where s.active = 1 and s.last_checked <= ? and not exists (select 1 from lo_provider p join app_user u on u.user_id = p.user_id \
             where p.organisation_id = s.organisation_id and u.active = 1) order by s.service_id",
        )
        .bind(cut.to_string())
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let officers = if unkept.is_empty() {
            Vec::new()
        } else {
            sqlx::query("select user_id, email from app_user where role = ? and active = 1 order by user_id")
                .bind(crate::Role::LocalOfferOfficer.key())
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?
        };
        for r in &unkept {
            let last_checked = date(r.get("last_checked"))?;
            if !is_stale(last_checked, today) {
                continue;
            }
            let name: String = r.try_get::<Option<String>, _>("name").map_err(db)?.unwrap_or_default();
            let reminder = listing_stale_unkept(r.get("service_id"), &name, r.get("organisation"), last_checked, FRESH_FOR_MONTHS);
            let text = (reminder.subject.as_str(), reminder.body.as_str(), reminder.link.as_str());
            for o in &officers {
                added += crate::notifications::insert_for_user(
                    &mut tx,
                    o.get("user_id"),
                    o.get("email"),
                    Topic::ListingStale,
                    None,
                    &reminder.key,
                    text,
                    &now,
                )
                .await?;
            }
        }
        tx.commit().await.map_err(db)?;
        if added > 0 {
            tracing::info!(added, "Local Offer listing reminders added to the outbox");
        }
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixedClock;
    use std::sync::Arc;
    use waymark_directory::demo::sample_service;

    async fn store() -> SqliteStore {
        let clock = Arc::new(FixedClock::new("2026-12-04T10:00:00Z".parse().unwrap()));
        SqliteStore::open_in_memory(clock).await.unwrap()
    }

    fn org() -> Organisation {
        Organisation {
            id: sample_service().organisation,
            name: "Harbour Trust".into(),
            description: "d".into(),
            email: None,
            website: None,
            phone: None,
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn a_providers_change_is_public_only_after_an_officer_approves_it_and_every_version_is_kept() {
        let s = store().await;
        let officer = Actor::new("officer", crate::Scope::All);
        let provider = Actor::new("provider", crate::Scope::All);
        let svc = sample_service();
        let batch = PublishBatch { organisations: vec![org()], locations: vec![], services: vec![(svc.clone(), day("2026-01-01"))] };
        assert_eq!(s.publish(&officer, &batch, "import").await.unwrap().created, 1);
        // Publishing the same again changes nothing.
        assert_eq!(s.publish(&officer, &batch, "import").await.unwrap().unchanged, 1);
        let mut edited = svc.clone();
        edited.name = "Quiet swim for autistic children".into();
        let id = s.propose_change(&provider, &edited, Some(1)).await.unwrap();
        let published = s.published().await.unwrap();
        assert_eq!(published.listings[0].service.name, svc.name, "a pending change is not public");
        assert!(s.search_words("children").await.unwrap().is_empty());
        let g = s.directory_generation().await.unwrap();
        let decided = s.decide_change(&officer, id, &Decision::Approve, day("2026-12-04")).await.unwrap();
        assert_eq!(decided.status, ChangeStatus::Approved);
        let published = s.published().await.unwrap();
        assert_eq!(published.listings[0].service.name, edited.name);
        assert_eq!(published.listings[0].last_checked, day("2026-12-04"));
        assert!(published.generation > g);
        assert_eq!(s.search_words("autistic children").await.unwrap(), [svc.id].into());
        assert_eq!(s.service_versions(svc.id).await.unwrap().len(), 2);
        // Deciding twice is refused; a change based on an old version is a conflict.
        assert!(s.decide_change(&officer, id, &Decision::Approve, day("2026-12-04")).await.is_err());
        assert!(matches!(s.propose_change(&provider, &edited, Some(1)).await, Err(StoreError::Conflict { .. })));
        let rejected = s.propose_change(&provider, &svc, Some(2)).await.unwrap();
        let r =
            s.decide_change(&officer, rejected, &Decision::Reject { reason: "Keep the new name".into() }, day("2026-12-04")).await.unwrap();
        assert_eq!(r.reason.as_deref(), Some("Keep the new name"));
        assert_eq!(s.published().await.unwrap().listings[0].service.name, edited.name);
    }

    #[tokio::test]
    async fn the_full_text_rows_name_the_same_services_as_the_word_search() {
        let s = store().await;
        let officer = Actor::new("officer", crate::Scope::All);
        let mut batch = PublishBatch { organisations: vec![org()], ..Default::default() };
        for (i, name) in ["Quiet swim", "Inclusive swimming lessons", "Sensory play", "Swimmers' club", "Drama group"].iter().enumerate() {
            let svc = Service { id: ServiceId(Uuid::from_u128(0x100 + i as u128)), name: (*name).into(), ..sample_service() };
            batch.services.push((svc, day("2026-06-01")));
        }
        s.publish(&officer, &batch, "import").await.unwrap();
        let published = s.published().await.unwrap();
        let by_row: HashMap<i64, ServiceId> = published.rowids.iter().zip(&published.listings).map(|(r, l)| (*r, l.service.id)).collect();
        for words in ["swim", "swimming lessons", "sensory play", "trampoline", "", "club"] {
            let rows = s.search_rows(words).await.unwrap();
            let ids: HashSet<ServiceId> = rows.iter().map(|r| by_row[r]).collect();
            assert_eq!(ids.len(), rows.len(), "{words}: each row once");
            assert_eq!(ids, s.search_words(words).await.unwrap(), "{words}");
        }
        assert_eq!(s.search_rows("drama").await.unwrap().len(), 1, "only the drama group");
        assert_eq!(s.search_rows("swimmer").await.unwrap().len(), 1, "stemmed: swimmers");
        assert!(s.search_rows("trampoline").await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn searches_with_no_result_are_counted_without_personal_data() {
        let s = store().await;
        let filters = serde_json::json!({"text": "trampoline", "area": "PO4"});
        let events = vec![
            DirectoryEvent::Search { filters: filters.clone(), results: 0 },
            DirectoryEvent::Search { filters: filters.clone(), results: 0 },
            DirectoryEvent::Search { filters: serde_json::json!({"text": "swim"}), results: 3 },
            DirectoryEvent::View { service: sample_service().id },
        ];
        s.record_events(day("2026-12-04"), &events).await.unwrap();
        let usage = s.usage(day("2026-01-01")).await.unwrap();
        assert_eq!((usage.searches, usage.searches_without_results, usage.views), (3, 2, 1));
        let gaps = s.search_gaps(day("2026-01-01"), 10).await.unwrap();
        assert_eq!(gaps, [SearchGap { filters, count: 2 }]);
    }

    /// A service-provider account with an email address, tied to `org`.
    async fn provider_account(s: &SqliteStore, org: OrganisationId) -> UserId {
        use crate::{NewUser, NotificationStore, Role, UserStore};
        let admin = Actor::new("admin", crate::Scope::All);
        let new = NewUser {
            username: "harbour.provider".into(),
            display_name: "Harbour provider".into(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA".into(),
            role: Role::ServiceProvider,
            la: Some("851".parse().unwrap()),
            setting_key: None,
        };
        let user = s.create_user(&admin, new).await.unwrap().id;
        s.set_user_email(&admin, user, Some("provider@example.org")).await.unwrap();
        s.set_provider_organisation(&admin, user, org).await.unwrap();
        user
    }

    #[tokio::test]
    async fn a_listing_not_confirmed_for_12_months_reminds_its_provider_once_per_stale_period() {
        use crate::NotificationStore;
        let s = store().await;
        let officer = Actor::new("officer", crate::Scope::All);
        let stale = sample_service();
        let fresh = Service { id: ServiceId(Uuid::from_u128(0x42)), name: "Sensory play".into(), ..sample_service() };
        let batch = PublishBatch {
            organisations: vec![org()],
            locations: vec![],
            services: vec![(stale.clone(), day("2025-12-01")), (fresh.clone(), day("2026-06-01"))],
        };
        s.publish(&officer, &batch, "import").await.unwrap();
        let user = provider_account(&s, org().id).await;
        // The day before the stale listing's 12 months are up: nothing.
        assert_eq!(s.enqueue_listing_reminders(day("2026-11-30")).await.unwrap(), 0);
        // Twelve months on: one reminder, for the stale listing only, waiting to be emailed.
        assert_eq!(s.enqueue_listing_reminders(day("2026-12-01")).await.unwrap(), 1);
        let list = s.notifications_for(user, 10).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!((list[0].topic.as_str(), list[0].status.as_str()), ("listing_stale", "pending"));
        assert!(list[0].subject.contains(&stale.name) && !list[0].subject.contains(&fresh.name));
        // Every later day of the same stale period: no second reminder.
        assert_eq!(s.enqueue_listing_reminders(day("2026-12-02")).await.unwrap(), 0);
        assert_eq!(s.enqueue_listing_reminders(day("2027-03-01")).await.unwrap(), 0);
        // Confirmed, then stale again a year later: a new reminder.
        s.confirm_service(&officer, org().id, stale.id, day("2027-03-01")).await.unwrap();
        assert_eq!(s.enqueue_listing_reminders(day("2027-06-01")).await.unwrap(), 1, "the fresh listing's year is up now");
        assert_eq!(s.enqueue_listing_reminders(day("2028-03-01")).await.unwrap(), 1);
        assert_eq!(s.notifications_for(user, 10).await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn the_provider_is_notified_when_an_officer_approves_or_rejects_its_change_with_the_reason() {
        use crate::NotificationStore;
        let s = store().await;
        let officer = Actor::new("officer", crate::Scope::All);
        let svc = sample_service();
        let batch = PublishBatch { organisations: vec![org()], locations: vec![], services: vec![(svc.clone(), day("2026-01-01"))] };
        s.publish(&officer, &batch, "import").await.unwrap();
        let user = provider_account(&s, org().id).await;
        let provider = Actor::new("provider", crate::Scope::All);
        // Proposing tells nobody; the officer's decision does.
        let edited = Service { name: "Quiet swim for autistic children".into(), ..svc.clone() };
        let first = s.propose_change(&provider, &edited, Some(1)).await.unwrap();
        assert!(s.notifications_for(user, 10).await.unwrap().is_empty());
        s.decide_change(&officer, first, &Decision::Reject { reason: "Say which pool".into() }, day("2026-12-04")).await.unwrap();
        let list = s.notifications_for(user, 10).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!((list[0].topic.as_str(), list[0].status.as_str()), ("listing_decision", "pending"), "waiting to be emailed");
        assert!(list[0].subject.starts_with("Not approved") && list[0].body.contains("Say which pool"));
        let second = s.propose_change(&provider, &edited, Some(1)).await.unwrap();
        s.decide_change(&officer, second, &Decision::Approve, day("2026-12-04")).await.unwrap();
        let list = s.notifications_for(user, 10).await.unwrap();
        assert_eq!(list.len(), 2);
        assert!(list.iter().any(|n| n.subject.starts_with("Approved") && n.subject.contains(&edited.name)));
        // A new service the officer approves tells the provider too.
        let new = Service { id: ServiceId(Uuid::from_u128(0x44)), name: "Sensory play".into(), ..sample_service() };
        let third = s.propose_change(&provider, &new, None).await.unwrap();
        s.decide_change(&officer, third, &Decision::Approve, day("2026-12-04")).await.unwrap();
        let list = s.notifications_for(user, 10).await.unwrap();
        assert!(list.iter().any(|n| n.subject.contains("new service") && n.subject.contains("Sensory play")));
    }

    #[tokio::test]
    async fn a_stale_listing_no_provider_keeps_reminds_the_local_offer_officers_once_per_stale_period() {
        use crate::{NewUser, NotificationStore, Role, UserStore};
        let s = store().await;
        let admin = Actor::new("admin", crate::Scope::All);
        s.publish(
            &admin,
            &PublishBatch { organisations: vec![org()], locations: vec![], services: vec![(sample_service(), day("2025-12-01"))] },
            "import",
        )
        .await
        .unwrap();
        let officer = s
            .create_user(
                &admin,
                NewUser {
                    username: "lo.officer".into(),
                    display_name: "Local Offer officer".into(),
                    password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA".into(),
                    role: Role::LocalOfferOfficer,
                    la: Some("851".parse().unwrap()),
                    setting_key: None,
                },
            )
            .await
            .unwrap()
            .id;
        s.set_user_email(&admin, officer, Some("officer@example.org")).await.unwrap();
        assert_eq!(s.enqueue_listing_reminders(day("2026-11-30")).await.unwrap(), 0, "not yet stale");
        assert_eq!(s.enqueue_listing_reminders(day("2026-12-01")).await.unwrap(), 1);
        let list = s.notifications_for(officer, 10).await.unwrap();
        assert_eq!((list[0].topic.as_str(), list[0].status.as_str()), ("listing_stale", "pending"));
        assert!(list[0].subject.contains(&sample_service().name) && list[0].body.contains("Harbour Trust"));
        assert_eq!(s.enqueue_listing_reminders(day("2026-12-02")).await.unwrap(), 0, "once per stale period");
        // Once a provider account keeps the organisation's listings, it is reminded, not the officers.
        let provider = provider_account(&s, org().id).await;
        assert_eq!(s.enqueue_listing_reminders(day("2026-12-03")).await.unwrap(), 1);
        assert_eq!(s.notifications_for(provider, 10).await.unwrap().len(), 1);
        assert_eq!(s.notifications_for(officer, 10).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_new_services_new_venue_is_published_with_it_on_approval_at_its_postcodes_coordinates() {
        let s = store().await;
        let officer = Actor::new("officer", crate::Scope::All);
        let provider = Actor::new("provider", crate::Scope::All);
        let pool_postcode: Postcode = "PO1 3AA".parse().unwrap();
        s.load_postcodes(&officer, &[(pool_postcode.clone(), Coordinates::new(50.829, -1.09).unwrap())]).await.unwrap();
        s.publish(&officer, &PublishBatch { organisations: vec![org()], ..Default::default() }, "import").await.unwrap();
        let venue = Location {
            id: waymark_directory::LocationId(Uuid::from_u128(0x77)),
            name: "Harbour Pool".into(),
            address: "1 Quay St".into(),
            town: "Portsmouth".into(),
            postcode: pool_postcode,
            coordinates: None,
        };
        let new = Service { id: ServiceId(Uuid::from_u128(0x45)), locations: vec![venue.id], ..sample_service() };
        // A new venue that is not one of the service's is refused.
        let stray = Location { id: waymark_directory::LocationId(Uuid::from_u128(0x78)), ..venue.clone() };
        assert!(matches!(s.propose_with_venues(&provider, &new, None, &[stray]).await, Err(StoreError::Invalid(_))));
        let id = s.propose_with_venues(&provider, &new, None, std::slice::from_ref(&venue)).await.unwrap();
        assert_eq!(s.change(id).await.unwrap().new_locations, std::slice::from_ref(&venue));
        assert!(s.published().await.unwrap().listings.is_empty(), "nothing is public before approval");
        s.decide_change(&officer, id, &Decision::Approve, day("2026-12-04")).await.unwrap();
        let published = s.published().await.unwrap();
        let locations = &published.listings[0].locations;
        assert_eq!(locations.len(), 1);
        assert_eq!(locations[0].name, "Harbour Pool");
        assert_eq!(locations[0].coordinates, Coordinates::new(50.829, -1.09), "the postcode directory's coordinates");
    }

    #[tokio::test]
    async fn a_confirmed_listing_or_a_stopped_one_reminds_nobody() {
        let s = store().await;
        let officer = Actor::new("officer", crate::Scope::All);
        let stopped = Service { id: ServiceId(Uuid::from_u128(0x43)), active: false, ..sample_service() };
        let batch = PublishBatch {
            organisations: vec![org()],
            locations: vec![],
            services: vec![(sample_service(), day("2025-01-01")), (stopped, day("2024-01-01"))],
        };
        s.publish(&officer, &batch, "import").await.unwrap();
        provider_account(&s, org().id).await;
        s.confirm_service(&officer, org().id, sample_service().id, day("2026-12-01")).await.unwrap();
        assert_eq!(s.enqueue_listing_reminders(day("2026-12-04")).await.unwrap(), 0);
    }

    #[test]
    fn search_words_cannot_inject_fts_operators() {
        assert_eq!(fts_query("swim NEAR(x) \"autism\" OR *").as_deref(), Some("\"swim\"* \"near\"* \"x\"* \"autism\"* \"or\"*"));
        assert_eq!(fts_query(" -- "), None);
    }
}
