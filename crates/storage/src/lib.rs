//! Waymark's durable store.
//!
//! * **Backend-neutral boundary.** Callers use the [`Store`] trait and the plain types here; no
//!   database library's types cross it, so a PostgreSQL backend can implement the same trait.
//!   [`SqliteStore`] is the default: one SQLite file in the data directory, its schema migrations
//!   embedded in the binary and applied on open.
//! * **Append-only history.** Every version of a child is kept with who wrote it, when and why
//!   ([`ChildChange`]); a case is stored only as its dated events ([`RecordedEvent`]) and every read
//!   replays them through the domain's lifecycle ([`Case::replay`]). History, events and the audit log
//!   refuse UPDATE and DELETE at the database level.
//! * **Optimistic concurrency.** Every record has a version. A change names the version it was based
//!   on, and if someone else has changed the record since, it is refused with
//!   [`StoreError::Conflict`]: two editors never silently overwrite each other.
//! * **Atomic writes.** Each change is one transaction that takes the write lock first; a crash leaves
//!   the last committed state intact (SQLite WAL with `synchronous=FULL`).
//! * **Scoped and audited.** Every call names an [`Actor`]; records outside the actor's [`Scope`]
//!   behave exactly like missing ones. Every read and write of a child's or case's record writes an
//!   [`AuditEntry`] holding only ids and action words. Logs (`tracing`) carry ids and counts only.
//! * **Injected time.** The store takes a [`Clock`] and never reads the wall clock itself.

mod accounts;
mod actor;
mod backup;
mod bulk;
mod caseload;
mod clock;
mod complaints;
mod contributions;
mod directory;
mod documents;
mod error;
mod establishments;
mod fact_views;
mod facts;
mod forecast;
mod identity;
mod indicators;
mod la_settings;
mod letters;
mod migrate;
mod notifications;
mod ops;
mod pg_backup;
mod placements;
pub mod postgres;
mod sen2;
mod sqlite;
mod sso;
mod strategy;
mod surveys;
mod users;
mod versioned;
mod voice;
mod worklist;

pub use accounts::{AccountStore, InvitationState, SessionInfo, TwoStep, INVITATION_DAYS};
pub use actor::{Actor, Scope, MAX_ACTOR_LABEL};
pub use backup::{restore, BackupReport};
pub use bulk::{BulkCounts, BulkPerson, BulkStore};
pub use caseload::{AggregateChanges, AuditSink, CaseRecord, CaseSnapshot, CaseloadStore, ChildRecord, FoundChild, Selection};
pub use clock::{Clock, FixedClock, SystemClock};
pub use complaints::{ComplaintRecord, ComplaintStore, CoproductionRecord, NewComplaint, MAX_SUMMARY};
pub use contributions::{ContributionRecord, ContributionStore, NewContribution};
pub use directory::{
    ChangeRecord, DirectoryEvent, DirectoryStore, ProviderListing, PublishBatch, PublishCounts, Published, SearchGap, ServiceVersion,
    UsageCounts,
};
pub use documents::{DocumentRecord, DocumentStore, NewDocument, Removal};
pub use error::{Result, StoreError};
pub use establishments::{Establishment, EstablishmentCounts, EstablishmentStore};
pub use fact_views::FactView;
pub use facts::{
    FactStore, ImportBatch, ImportCounts, ImportProgress, ImportResult, ImportRows, NoProgress, PersonRow, RowProblem, StoredFact,
};
pub use forecast::{ForecastChild, ForecastStore, PlanEvent};
pub use identity::{
    IdentityEvent, IdentityStore, IdentityWork, IdentityWrite, MatchCandidate, MergeRecord, MovedRows, ReviewDecision, ReviewEntry,
    ReviewStatus,
};
pub use indicators::{IndicatorStore, ManualValueRecord, TargetChange, TargetRecord, DEFAULT_SUPPRESSION_THRESHOLD};
pub use la_settings::{InPost, LaSettings, LaSettingsStore};
pub use letters::{LetterTemplateStore, LetterTemplateVersion};
pub use migrate::{migrate_sqlite_to_postgres, postgres_checksums, sqlite_checksums, MigrateReport, TableSum};
pub use notifications::{parse_email, NotificationRecord, NotificationStore, OutboxItem, OutboxOverview, OutboxRow};
pub use ops::OpsCounts;
pub use pg_backup::{checksums_path, restore_postgres, PgBackupReport};
pub use placements::{setting_key, PlacementRecord, PlacementStore};
pub use sen2::{
    Sen2Batch, Sen2Import, Sen2ImportPerson, Sen2ImportReport, Sen2ImportWrite, Sen2Needs, Sen2Placement, Sen2Reading, Sen2Source,
    Sen2Store, MAX_SEN2_BATCH,
};
pub use sqlite::SqliteStore;
pub use sso::{role_given_by_groups, GroupMappingRecord, ProviderPerson, SsoAccount, SsoStore};
pub use strategy::{Publication, StoredEntry, StrategyDocument, StrategyStore, PLANS};
pub use surveys::{SendWhen, StoredResponse, Submitted, SurveyRecord, SurveyStatus, SurveyStore};
pub use users::{NewUser, Role, SessionRecord, UserChange, UserRecord, UserStore, MAX_USERNAME};
pub use voice::{Feedback, VoiceStore, YouSaidWeDid, MAX_VOICE_TEXT};
pub use worklist::WorklistStore;

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::future::Future;
use std::path::{Path, PathBuf};
use waymark_domain::case::{Case, CaseEvent};
use waymark_domain::child::{Child, NewChild};
use waymark_domain::identifiers::{LaCode, NhsNumber, Uln, Upn};
use waymark_domain::ids::{CaseId, ChildId};

/// The database file's name inside the data directory.
pub const DEFAULT_DB_FILE: &str = "waymark.db";

/// Where the database lives in `data_dir` unless `--db PATH` says otherwise.
pub fn default_db_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DEFAULT_DB_FILE)
}

/// A value as stored, with the version a later change must name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Versioned<T> {
    pub value: T,
    /// 1 when created, one more with each change. For a case, the number of events.
    pub version: i64,
}

/// One version of a child's record in its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChildChange {
    pub version: i64,
    pub recorded_at: DateTime<Utc>,
    pub actor_label: String,
    pub reason: String,
    /// The whole record as it was saved at this version.
    pub snapshot: Child,
}

/// One event in a case's history, with who recorded it, when and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedEvent {
    /// The event's number in the case, from 1; the case's version once this event was recorded.
    pub seq: i64,
    pub event: CaseEvent,
    pub recorded_at: DateTime<Utc>,
    pub actor_label: String,
    pub reason: String,
}

/// A case in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseSummary {
    pub case_id: CaseId,
    pub child_id: ChildId,
    pub la: LaCode,
    /// The stage's name, as [`waymark_domain::case::Stage::name`] gives it.
    pub stage: String,
    pub version: i64,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An identifier another agency holds, to look a child up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildKey {
    Upn(Upn),
    Uln(Uln),
    NhsNumber(NhsNumber),
}

/// What an audit entry records happening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Read,
    Create,
    Update,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Update => "update",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "read" => Some(Self::Read),
            "create" => Some(Self::Create),
            "update" => Some(Self::Update),
            _ => None,
        }
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of the audit log: who did what to which record, and when. Ids and words only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor_label: String,
    pub action: AuditAction,
    /// What was touched: `child`, `child_history`, `child_search`, `case`, `case_history`,
    /// `cases_for_child` or `case_list`.
    pub subject: String,
    /// The local authority of the record (none for a list across every LA).
    pub la: Option<LaCode>,
    pub child_id: Option<ChildId>,
    pub case_id: Option<CaseId>,
}

/// Which audit entries to return, newest first. Only entries for records in the actor's scope are
/// ever returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFilter {
    pub child: Option<ChildId>,
    pub case: Option<CaseId>,
    /// At most this many entries (capped at [`AuditFilter::MAX_LIMIT`]).
    pub limit: u32,
}

impl AuditFilter {
    pub const DEFAULT_LIMIT: u32 = 100;
    pub const MAX_LIMIT: u32 = 10_000;
}

impl Default for AuditFilter {
    fn default() -> Self {
        Self { child: None, case: None, limit: Self::DEFAULT_LIMIT }
    }
}

/// The storage boundary: everything Waymark reads and writes about children and cases.
///
/// Every method takes the [`Actor`] it acts for. Records outside the actor's scope are reported as
/// [`StoreError::NotFound`], exactly like records that do not exist. Every change takes a `reason`
/// (why it was made), recorded in history with the actor's label and the clock's time. Every read and
/// write of a child's or case's record is audited.
///
/// Implementations: [`SqliteStore`]. A PostgreSQL backend implements the same trait.
pub trait Store: Send + Sync {
    /// Record a new child (version 1). Mints the child's id; checks the record with
    /// [`Child::new`] on the clock's today, and that its responsible LA is in the actor's scope.
    fn create_child(&self, actor: &Actor, new: NewChild, reason: &str) -> impl Future<Output = Result<Versioned<Child>>> + Send;

    /// The current version of a child's record. Audited as a read.
    fn get_child(&self, actor: &Actor, id: ChildId) -> impl Future<Output = Result<Versioned<Child>>> + Send;

    /// Save a changed child, based on `expected_version`. If the record has changed since, nothing is
    /// written and the result is [`StoreError::Conflict`].
    fn update_child(
        &self,
        actor: &Actor,
        child: &Child,
        expected_version: i64,
        reason: &str,
    ) -> impl Future<Output = Result<Versioned<Child>>> + Send;

    /// Every version of a child's record, oldest first. Audited as a read.
    fn child_history(&self, actor: &Actor, id: ChildId) -> impl Future<Output = Result<Vec<ChildChange>>> + Send;

    /// The children in scope holding an identifier (usually one; more means records to merge). Each
    /// child returned is audited as a read.
    fn find_children(&self, actor: &Actor, key: &ChildKey) -> impl Future<Output = Result<Vec<Versioned<Child>>>> + Send;

    /// Open a case for a child with its first event (a request, or an existing plan); version 1. The
    /// case belongs to the child's responsible LA.
    fn open_case(
        &self,
        actor: &Actor,
        child: ChildId,
        first: CaseEvent,
        reason: &str,
    ) -> impl Future<Output = Result<Versioned<Case>>> + Send;

    /// Record events on a case, based on `expected_version`. All are checked against the lifecycle
    /// first: if any is refused ([`StoreError::Transition`]) or the case has changed since
    /// ([`StoreError::Conflict`]), nothing is written.
    fn record_case_events(
        &self,
        actor: &Actor,
        case: CaseId,
        expected_version: i64,
        events: Vec<CaseEvent>,
        reason: &str,
    ) -> impl Future<Output = Result<Versioned<Case>>> + Send;

    /// A case, replayed from its events. Audited as a read.
    fn get_case(&self, actor: &Actor, id: CaseId) -> impl Future<Output = Result<Versioned<Case>>> + Send;

    /// A case's events with who recorded each, when and why, oldest first. Audited as a read.
    fn case_history(&self, actor: &Actor, id: CaseId) -> impl Future<Output = Result<Vec<RecordedEvent>>> + Send;

    /// The cases of one child, oldest first. Audited as a read of the child.
    fn cases_for_child(&self, actor: &Actor, child: ChildId) -> impl Future<Output = Result<Vec<CaseSummary>>> + Send;

    /// Every case in the actor's scope, oldest first. Audited as one list read.
    fn list_cases(&self, actor: &Actor) -> impl Future<Output = Result<Vec<CaseSummary>>> + Send;

    /// Audit entries for records in the actor's scope, newest first.
    fn audit_log(&self, actor: &Actor, filter: &AuditFilter) -> impl Future<Output = Result<Vec<AuditEntry>>> + Send;
}
