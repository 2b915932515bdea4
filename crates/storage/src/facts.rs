//! Person-level facts and reference data: importing a whole file's rows in one transaction (all or
//! nothing), linking each row to a child, and reading a child's facts back.
//!
//! * **All or nothing.** [`FactStore::import`] checks every row first (scope, references, linking, and
//!   the new children it would create) inside one `BEGIN IMMEDIATE` transaction; if any row fails,
//!   the whole batch is refused with every problem found, and nothing is written.
//! * **Idempotent.** Each fact has a natural key within its child and dataset
//!   ([`PersonFact::natural_key`]). Importing a row whose fact is already stored unchanged writes
//!   nothing; a changed one writes a new version, and every version is kept in an append-only
//!   history. Reference data is keyed the same way (locality by LA and code, setting by URN,
//!   population by LA, year, age and sex).
//! * **Linking.** The domain's `facts::link::link_person` is the one place a row is matched to a
//!   child: by exact identifier only, the dataset's own identifier first
//!   ([`PersonKeys::link_keys`]), following merges to the surviving child (the `ChildIndex` this
//!   module loads). A row that matches no child creates one if it has names, date of birth and sex;
//!   each child so created is then compared by the identity matcher with the live children of its LA,
//!   and every pair that may be one child is queued for review in the same transaction, never merged
//!   (`crate::identity`, docs/identity.md).
//! * **Audited and scoped.** Every row's LA must be in the actor's scope. Every child whose facts are
//!   written gets an audit entry (`facts`, create or update); each child created gets its own, as
//!   [`crate::Store::create_child`] writes. Reads of a child's facts are audited like reads of the
//!   child. Reference data is public and not audited; each import is logged in `import_run`.

use crate::identity::{match_new_children, queue_new_children, NewChildKeys};
use crate::sqlite::{check_request, col, db, load_child, parse_col, parse_timestamp, scope_la, to_json, Audit};
use crate::{Actor, AuditAction, Result, SqliteStore, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{QueryBuilder, Sqlite};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use uuid::Uuid;
use waymark_domain::child::Child;
use waymark_domain::facts::link::{link_person, ChildIndex, Link};
use waymark_domain::facts::reference::{Locality, PopulationCell, Setting};
use waymark_domain::facts::{Dataset, DatasetKind, LinkKey, PersonFact, PersonKeys, Reference, Source};
use waymark_domain::identifiers::LaCode;
use waymark_domain::ids::ChildId;

/// One row of a person-level dataset, as the import read it.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    /// The line the row starts on in its file (the header is line 1).
    pub line: u64,
    /// Who the row is about, as the supplying agency knows them.
    pub keys: PersonKeys,
    pub fact: PersonFact,
}

/// The rows of one file, typed by dataset; each with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportRows {
    Localities(Vec<(u64, Locality)>),
    Settings(Vec<(u64, Setting)>),
    Population(Vec<(u64, PopulationCell)>),
    Person(Vec<PersonRow>),
}

impl ImportRows {
    pub fn len(&self) -> usize {
        match self {
            Self::Localities(r) => r.len(),
            Self::Settings(r) => r.len(),
            Self::Population(r) => r.len(),
            Self::Person(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// No rows, of the kind `dataset` holds.
    pub fn empty(dataset: Dataset) -> Self {
        match dataset {
            Dataset::Localities => Self::Localities(Vec::new()),
            Dataset::Settings => Self::Settings(Vec::new()),
            Dataset::Population => Self::Population(Vec::new()),
            _ => Self::Person(Vec::new()),
        }
    }
}

/// A file's rows to import.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportBatch {
    pub dataset: Dataset,
    /// The file's name without its folder, recorded as each fact's source.
    pub file_name: String,
    pub rows: ImportRows,
    /// Check every row and count what would change, but write nothing (a dry run).
    pub check_only: bool,
}

impl ImportBatch {
    pub fn new(dataset: Dataset, file_name: impl Into<String>, rows: ImportRows) -> Self {
        Self { dataset, file_name: file_name.into(), rows, check_only: false }
    }
}

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    /// The import's number in the import log (0 for a dry run, which logs nothing).
    pub import_id: i64,
    pub rows: u64,
    /// Facts (or reference records) new to the store.
    pub created: u64,
    /// Rows whose fact was already stored exactly so.
    pub unchanged: u64,
    /// Rows that changed a stored fact (a new version).
    pub updated: u64,
    /// Children created because no child matched a row's identifiers.
    pub children_created: u64,
    /// Pairs of a new child and another child (stored, or new in the same file) that the identity
    /// matcher put on the review queue: perhaps the same person, for a person to decide. Never merged
    /// by an import (docs/identity.md). In a dry run, the pairs that would be queued.
    pub review_queued: u64,
}

/// Why one row cannot be imported. `value` may be personal data (an identifier): it is for the
/// person importing, never for logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: u64,
    pub column: &'static str,
    pub value: String,
    pub rule: &'static str,
    pub message: String,
}

/// The outcome of an import: written, or refused with every problem found (and nothing written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportResult {
    Imported(ImportCounts),
    Rejected(Vec<RowProblem>),
}

/// Told how far an import has got, for a progress bar. Both stages count rows.
pub trait ImportProgress: Send + Sync {
    /// `done` rows of the batch have been checked.
    fn checked(&self, _done: u64) {}
    /// `done` rows of the batch have been written.
    fn written(&self, _done: u64) {}
}

/// No progress reporting.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;
impl ImportProgress for NoProgress {}

/// A stored fact with its child, source and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFact {
    pub fact_id: i64,
    pub child_id: ChildId,
    /// The LA that supplied the row.
    pub la: LaCode,
    pub fact: PersonFact,
    /// Who the supplying agency said the row was about.
    pub identity: PersonKeys,
    pub source: Source,
    /// 1 when first imported, one more with each change.
    pub version: i64,
    pub recorded_at: DateTime<Utc>,
}

/// Identifiers sent to SQLite in one `in (...)` list.
const CHUNK: usize = 500;

/// Find the stored children holding any identifier of `rows`, in the actor's scope, earliest created
/// first (the index keeps the first holder of each). A child merged into another resolves to the
/// surviving child (`child.merged_into`, followed to the end). Loaded once per import, in chunks of
/// identifiers, so linking costs a few queries per thousand rows rather than one per row.
async fn load_child_index(conn: &mut SqliteConnection, actor: &Actor, rows: &[PersonRow]) -> Result<ChildIndex> {
    let mut index = ChildIndex::default();
    let mut wanted: [Vec<String>; 3] = Default::default();
    let mut social: Vec<(String, String)> = Vec::new();
    for row in rows {
        let k = &row.keys;
        wanted[0].extend(k.upn.as_ref().map(ToString::to_string));
        wanted[1].extend(k.uln.as_ref().map(ToString::to_string));
        wanted[2].extend(k.nhs_number.as_ref().map(ToString::to_string));
        social.extend(k.social_care_id.as_ref().map(|id| (k.la.to_string(), id.to_string())));
    }
    for (column, values) in ["upn", "uln", "nhs_number"].into_iter().zip(wanted.iter_mut()) {
        values.sort_unstable();
        values.dedup();
        for chunk in values.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(format!("select child_id, la, {column} as value from child where {column} in ("));
            let mut list = q.separated(", ");
            for v in chunk {
                list.push_bind(v.as_str());
            }
            q.push(") and (")
                .push_bind(scope_la(actor))
                .push(" is null or la = ")
                .push_bind(scope_la(actor))
                .push(") order by created_at, rowid");
            for row in q.build().fetch_all(&mut *conn).await.map_err(db)? {
                let value: String = col(&row, "value")?;
                let key = match column {
                    "upn" => LinkKey::Upn(parse_value(&value, "UPN")?),
                    "uln" => LinkKey::Uln(parse_value(&value, "ULN")?),
                    _ => LinkKey::NhsNumber(parse_value(&value, "NHS number")?),
                };
                index.add_stored(key, parse_col(&row, "child_id", "child id")?, parse_col(&row, "la", "LA code")?);
            }
        }
    }
    social.sort_unstable();
    social.dedup();
    for chunk in social.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "select i.la as id_la, i.value, i.child_id, c.la from child_identifier i join child c on c.child_id = i.child_id \
                 where i.kind = 'social_care_id' and (i.la, i.value) in (values ",
        );
        let mut list = q.separated(", ");
        for (la, value) in chunk {
            list.push("(")
                .push_bind_unseparated(la.as_str())
                .push_unseparated(", ")
                .push_bind_unseparated(value.as_str())
                .push_unseparated(")");
        }
        q.push(") and (")
            .push_bind(scope_la(actor))
            .push(" is null or c.la = ")
            .push_bind(scope_la(actor))
            .push(") order by c.created_at, c.rowid");
        for row in q.build().fetch_all(&mut *conn).await.map_err(db)? {
            let key =
                LinkKey::SocialCareId(parse_col(&row, "id_la", "LA code")?, parse_value(&col::<String>(&row, "value")?, "social care id")?);
            index.add_stored(key, parse_col(&row, "child_id", "child id")?, parse_col(&row, "la", "LA code")?);
        }
    }
    // An identifier of a child merged into another leads to the surviving child, so a later
    // import of a fact about the absorbed child lands on the record it now lives in.
    let merged = crate::identity::resolve_merges(conn, index.stored_children().collect::<Vec<_>>()).await?;
    index.follow_merges(&merged);
    Ok(index)
}

fn parse_value<T: std::str::FromStr>(text: &str, what: &str) -> Result<T> {
    text.parse().map_err(|_| StoreError::Corrupt(format!("'{text}' is not a valid {what}")))
}

/// Facts and reference data, beside [`crate::Store`]; a PostgreSQL backend implements it too.
pub trait FactStore: Send + Sync {
    /// Import one file's rows: every row checked, then all written in one transaction, or none.
    /// Rows whose LA is outside the actor's scope are refused.
    fn import(&self, actor: &Actor, batch: ImportBatch, progress: &dyn ImportProgress)
        -> impl Future<Output = Result<ImportResult>> + Send;

    /// A child's facts, by dataset then date. Audited as a read of the child's facts.
    fn child_facts(&self, actor: &Actor, child: ChildId) -> impl Future<Output = Result<Vec<StoredFact>>> + Send;

    /// Every fact of a dataset about children in the actor's scope, by date. Audited as one list read.
    fn dataset_facts(&self, actor: &Actor, dataset: Dataset) -> impl Future<Output = Result<Vec<StoredFact>>> + Send;

    /// Every person-level fact of the given datasets about children in the actor's scope, as (child,
    /// fact) only, for aggregates (the indicators' person table): no agency identity or provenance is
    /// read, no write lock is taken, and the whole read is one audit entry (`fact_list`).
    fn facts_for_aggregates(&self, actor: &Actor, datasets: &[Dataset]) -> impl Future<Output = Result<Vec<(ChildId, PersonFact)>>> + Send;

    /// Every setting, by URN (public reference data: not limited by scope).
    fn settings(&self, actor: &Actor) -> impl Future<Output = Result<Vec<Setting>>> + Send;

    /// The localities of the LAs in the actor's scope.
    fn localities(&self, actor: &Actor) -> impl Future<Output = Result<Vec<Locality>>> + Send;

    /// Population cells of the LAs in the actor's scope.
    fn population(&self, actor: &Actor) -> impl Future<Output = Result<Vec<PopulationCell>>> + Send;
}

/// What a checked row will do.
enum Plan {
    Create { child: ChildId, la: LaCode },
    Update { fact_id: i64, version: i64, child: ChildId, la: LaCode },
    Unchanged,
}

/// A child the batch will create, with the row that describes it.
struct NewChildPlan {
    child: Child,
    line: u64,
    social_care_id: Option<(LaCode, String)>,
}

fn problem(line: u64, column: &'static str, value: impl Into<String>, rule: &'static str, message: impl Into<String>) -> RowProblem {
    RowProblem { line, column, value: value.into(), rule, message: message.into() }
}

fn out_of_scope(line: u64, la: LaCode) -> RowProblem {
    problem(line, "la", la.to_string(), "la_out_of_scope", format!("local authority {la} is outside the records you have access to"))
}

/// The reference data a batch's rows may point at, loaded once per import.
struct KnownReferences {
    settings: HashSet<u32>,
    localities: HashSet<(String, String)>,
}

impl KnownReferences {
    async fn load(conn: &mut SqliteConnection) -> Result<Self> {
        let settings: Vec<i64> = sqlx::query_scalar("select urn from setting").fetch_all(&mut *conn).await.map_err(db)?;
        let localities: Vec<(String, String)> = sqlx::query_as("select la, code from locality").fetch_all(&mut *conn).await.map_err(db)?;
        Ok(Self {
            settings: settings.into_iter().filter_map(|u| u32::try_from(u).ok()).collect(),
            localities: localities.into_iter().collect(),
        })
    }

    fn check(&self, line: u64, reference: &Reference) -> Option<RowProblem> {
        match reference {
            Reference::Setting { field, urn } if !self.settings.contains(&urn.number()) => {
                Some(problem(line, field, urn.to_string(), "setting_unknown", "no setting has this URN: import the settings file first"))
            }
            Reference::Locality { field, la, code } if !self.localities.contains(&(la.to_string(), code.to_string())) => Some(problem(
                line,
                field,
                code.to_string(),
                "locality_unknown",
                format!("local authority {la} has no locality with this code: import the localities file first"),
            )),
            _ => None,
        }
    }
}

fn reason_for(batch: &ImportBatch, line: u64) -> String {
    format!("imported from {} file {}, line {line}", batch.dataset, batch.file_name)
}

impl SqliteStore {
    async fn import_person(
        &self,
        actor: &Actor,
        batch: &ImportBatch,
        rows: &[PersonRow],
        progress: &dyn ImportProgress,
    ) -> Result<ImportResult> {
        let dataset = batch.dataset;
        let now = self.now();
        let today = self.clock.today();
        let mut tx = self.begin_write().await?;
        // A large file touches many index pages; a 64 MB page cache (a limit, used only as needed, on
        // this connection) keeps them from spilling to the WAL mid-transaction (about twice as fast).
        sqlx::query("pragma cache_size = -65536").execute(&mut *tx).await.map_err(db)?;
        let known = KnownReferences::load(&mut tx).await?;
        let mut index = load_child_index(&mut tx, actor, rows).await?;

        // Check every row and link it to a child; write nothing yet.
        let mut problems = Vec::new();
        let mut new_children: Vec<NewChildPlan> = Vec::new();
        let mut linked: Vec<Option<(ChildId, LaCode, bool)>> = Vec::with_capacity(rows.len());
        let mut seen: HashMap<(ChildId, String), u64> = HashMap::new();
        let mut identifiers: Vec<(ChildId, LaCode, String)> = Vec::new();
        for (done, row) in rows.iter().enumerate() {
            if done.is_multiple_of(1000) {
                progress.checked(done as u64 / 2);
            }
            linked.push(None);
            let before = problems.len();
            if row.fact.dataset() != dataset {
                return Err(StoreError::Invalid(format!("line {}: a {} fact in a {dataset} import", row.line, row.fact.dataset())));
            }
            if !actor.scope.permits(row.keys.la) {
                problems.push(out_of_scope(row.line, row.keys.la));
            }
            problems.extend(row.fact.references(row.keys.la).iter().filter_map(|r| known.check(row.line, r)));
            let Some(dataset_key) = row.keys.dataset_key(dataset) else {
                let columns: Vec<&str> = dataset.link_kinds().iter().map(|k| k.column()).collect();
                problems.push(problem(
                    row.line,
                    dataset.link_kinds().first().map_or("la", |k| k.column()),
                    "",
                    "identifier_missing",
                    format!("a {dataset} row needs one of: {}", columns.join(", ")),
                ));
                continue;
            };
            if problems.len() > before {
                continue;
            }
            let (child, la, existing) = match link_person(&index, &row.keys, dataset) {
                Link::Existing(child, la) => (child, la, true),
                Link::InBatch(child, la) => (child, la, false),
                Link::Unknown => {
                    let new = match row.keys.new_child() {
                        Ok(new) => new,
                        Err(missing) => {
                            problems.push(problem(
                                row.line,
                                dataset_key.kind().column(),
                                dataset_key.value(),
                                "person_unknown",
                                format!(
                                    "no child known to Waymark has this {}, and the row lacks {} to record a new one",
                                    dataset_key.kind().column(),
                                    missing.join(", ")
                                ),
                            ));
                            continue;
                        }
                    };
                    let id = ChildId::from_uuid(Uuid::new_v4());
                    match Child::new(id, new, today) {
                        Ok(child) => {
                            let social_care_id = row.keys.social_care_id.as_ref().map(|s| (row.keys.la, s.to_string()));
                            new_children.push(NewChildPlan { child, line: row.line, social_care_id });
                            (id, row.keys.la, false)
                        }
                        Err(e) => {
                            let dob = row.keys.date_of_birth.map(|d| d.to_string()).unwrap_or_default();
                            problems.push(problem(row.line, "date_of_birth", dob, "child_invalid", e.to_string()));
                            continue;
                        }
                    }
                }
            };
            if existing {
                // A social care id no child holds yet is remembered for the child the row linked to
                // (by another identifier), so the next social care row finds it by its own id.
                if let Some(sc) = &row.keys.social_care_id {
                    if index.holder(&LinkKey::SocialCareId(row.keys.la, sc.clone())).is_none() {
                        identifiers.push((child, row.keys.la, sc.to_string()));
                    }
                }
            } else {
                // Later rows with any of this row's identifiers are the same new child.
                index.add_new(&row.keys, dataset, child, la);
            }
            if let Some(first) = seen.insert((child, row.fact.natural_key()), row.line) {
                problems.push(problem(
                    row.line,
                    dataset_key.kind().column(),
                    dataset_key.value(),
                    "duplicate_fact",
                    format!("repeats the {dataset} fact of line {first} for the same child"),
                ));
                continue;
            }
            if let Some(slot) = linked.last_mut() {
                *slot = Some((child, la, existing));
            }
        }
        if !problems.is_empty() {
            tracing::info!(dataset = dataset.name(), rows = rows.len(), problems = problems.len(), "import refused: nothing written");
            return Ok(ImportResult::Rejected(problems));
        }

        // Compare with the facts already stored for the children found.
        let found: Vec<ChildId> = linked.iter().flatten().filter(|(_, _, existing)| *existing).map(|(child, _, _)| *child).collect();
        let stored = stored_facts_of(&mut tx, dataset, found).await?;
        let mut plans: Vec<Plan> = Vec::with_capacity(rows.len());
        for (done, (row, link)) in rows.iter().zip(&linked).enumerate() {
            if done.is_multiple_of(1000) {
                progress.checked((rows.len() + done) as u64 / 2);
            }
            let Some((child, la, _)) = *link else { return Err(StoreError::Invalid("a row was not linked".into())) };
            plans.push(match stored.get(&(child, row.fact.natural_key())) {
                None => Plan::Create { child, la },
                Some(s) if s.fact == row.fact && s.identity == row.keys => Plan::Unchanged,
                Some(s) => Plan::Update { fact_id: s.fact_id, version: s.version, child, la },
            });
        }
        progress.checked(rows.len() as u64);

        // Identity matching: each new child against the live children of its LA (and the other new
        // ones), blocked. Every pair found goes to the review queue in this transaction; none merges.
        let new_keys: Vec<NewChildKeys> = new_children
            .iter()
            .map(|n| {
                let mut keys = waymark_domain::identity::keys_of(&n.child);
                keys.social_care_id = n.social_care_id.as_ref().and_then(|(_, id)| id.parse().ok());
                NewChildKeys { id: n.child.id, keys }
            })
            .collect();
        let review_pairs = if new_keys.is_empty() { Vec::new() } else { match_new_children(&mut tx, &new_keys).await? };

        let mut counts = ImportCounts {
            rows: rows.len() as u64,
            children_created: new_children.len() as u64,
            review_queued: review_pairs.len() as u64,
            ..ImportCounts::default()
        };
        for plan in &plans {
            match plan {
                Plan::Create { .. } => counts.created += 1,
                Plan::Update { .. } => counts.updated += 1,
                Plan::Unchanged => counts.unchanged += 1,
            }
        }
        if batch.check_only {
            tracing::info!(dataset = dataset.name(), rows = rows.len(), "import checked: nothing written (dry run)");
            return Ok(ImportResult::Imported(counts));
        }

        // Write: the import's log entry, new children, identifiers, facts, their history, the audit.
        counts.import_id = insert_import_run(&mut tx, actor, batch, &counts, &now).await?;
        let w = Writer { batch, import_id: counts.import_id, now: &now, actor };
        w.insert_children(&mut tx, &new_children).await?;
        let la_of: HashMap<ChildId, LaCode> = new_children.iter().map(|n| (n.child.id, n.child.responsible_la)).collect();
        counts.review_queued = queue_new_children(&mut tx, actor, &review_pairs, &la_of, counts.import_id, &now).await?;
        identifiers.extend(new_children.iter().filter_map(|n| n.social_care_id.clone().map(|(la, id)| (n.child.id, la, id))));
        w.insert_identifiers(&mut tx, &identifiers).await?;
        // Per child: its LA, and whether facts were created and updated (one audit entry each).
        let mut touched: BTreeMap<ChildId, (LaCode, bool, bool)> = BTreeMap::new();
        let mut creates: Vec<(&PersonRow, ChildId)> = Vec::new();
        for (done, (row, plan)) in rows.iter().zip(&plans).enumerate() {
            if done.is_multiple_of(1000) {
                progress.written(done as u64);
            }
            match plan {
                Plan::Create { child, la } => {
                    creates.push((row, *child));
                    touched.entry(*child).or_insert((*la, false, false)).1 = true;
                }
                Plan::Update { fact_id, version, child, la } => {
                    w.update_fact(&mut tx, row, *fact_id, *version).await?;
                    touched.entry(*child).or_insert((*la, false, false)).2 = true;
                }
                Plan::Unchanged => {}
            }
        }
        w.insert_facts(&mut tx, &creates).await?;
        w.record_history(&mut tx).await?;
        let audits: Vec<(AuditAction, &'static str, LaCode, ChildId)> = touched
            .iter()
            .flat_map(|(child, (la, created, updated))| {
                let created = created.then_some((AuditAction::Create, "facts", *la, *child));
                let updated = updated.then_some((AuditAction::Update, "facts", *la, *child));
                created.into_iter().chain(updated)
            })
            .collect();
        w.audit(&mut tx, &audits).await?;
        // Facts feed the dashboards: the cached figures are computed again (once per import, not per row).
        if !audits.is_empty() {
            sqlx::query("update data_generation set generation = generation + 1 where id = 1").execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        progress.written(rows.len() as u64);
        tracing::info!(
            dataset = dataset.name(),
            import_id = counts.import_id,
            rows = counts.rows,
            created = counts.created,
            unchanged = counts.unchanged,
            updated = counts.updated,
            children_created = counts.children_created,
            review_queued = counts.review_queued,
            "import written"
        );
        Ok(ImportResult::Imported(counts))
    }
}

/// A fact as stored, to compare a row with.
struct StoredValue {
    fact_id: i64,
    version: i64,
    fact: PersonFact,
    identity: PersonKeys,
}

/// The stored facts of `dataset` about `children`, by child and natural key.
async fn stored_facts_of(
    conn: &mut SqliteConnection,
    dataset: Dataset,
    mut children: Vec<ChildId>,
) -> Result<HashMap<(ChildId, String), StoredValue>> {
    children.sort_unstable();
    children.dedup();
    let mut stored = HashMap::new();
    for chunk in children.chunks(CHUNK) {
        let mut q =
            QueryBuilder::<Sqlite>::new("select child_id, natural_key, fact_id, version, data, identity from person_fact where dataset = ");
        q.push_bind(dataset.name()).push(" and child_id in (");
        let mut list = q.separated(", ");
        for child in chunk {
            list.push_bind(child.to_string());
        }
        q.push(")");
        for row in q.build().fetch_all(&mut *conn).await.map_err(db)? {
            let fact_id: i64 = col(&row, "fact_id")?;
            let value = StoredValue {
                fact_id,
                version: col(&row, "version")?,
                fact: fact_from_json(&col::<String>(&row, "data")?, fact_id)?,
                identity: identity_from_json(&col::<String>(&row, "identity")?, fact_id)?,
            };
            stored.insert((parse_col(&row, "child_id", "child id")?, col(&row, "natural_key")?), value);
        }
    }
    Ok(stored)
}

fn fact_from_json(text: &str, fact_id: i64) -> Result<PersonFact> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("fact {fact_id}: {e}")))
}

fn identity_from_json(text: &str, fact_id: i64) -> Result<PersonKeys> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("fact {fact_id} identity: {e}")))
}

async fn insert_import_run(
    conn: &mut SqliteConnection,
    actor: &Actor,
    batch: &ImportBatch,
    counts: &ImportCounts,
    now: &str,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "insert into import_run (dataset, file_name, rows, created, unchanged, updated, children_created, actor, at) \
         values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning import_id",
    )
    .bind(batch.dataset.name())
    .bind(&batch.file_name)
    .bind(counts.rows as i64)
    .bind(counts.created as i64)
    .bind(counts.unchanged as i64)
    .bind(counts.updated as i64)
    .bind(counts.children_created as i64)
    .bind(actor.label.trim())
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    Ok(id)
}

/// Rows per multi-row insert (each binds at most 14 values: well under SQLite's limit).
const ROWS_PER_INSERT: usize = 200;

/// What every write of one import shares. Writes are multi-row inserts, so a large file costs a few
/// statements per hundred rows.
struct Writer<'a> {
    batch: &'a ImportBatch,
    import_id: i64,
    now: &'a str,
    actor: &'a Actor,
}

impl Writer<'_> {
    /// New children, as [`crate::Store::create_child`] records them: the current row, version 1 of
    /// the history (its reason naming the file and line), and an audit entry.
    async fn insert_children(&self, conn: &mut SqliteConnection, children: &[NewChildPlan]) -> Result<()> {
        for chunk in children.chunks(ROWS_PER_INSERT) {
            let data = chunk.iter().map(|n| to_json(&n.child, "child")).collect::<Result<Vec<_>>>()?;
            let mut q = QueryBuilder::<Sqlite>::new(
                "insert into child (child_id, la, version, data, upn, uln, nhs_number, created_at, updated_at) ",
            );
            q.push_values(chunk.iter().zip(&data), |mut b, (n, data)| {
                let c = &n.child;
                b.push_bind(c.id.to_string())
                    .push_bind(c.responsible_la.to_string())
                    .push_bind(1_i64)
                    .push_bind(data.clone())
                    .push_bind(c.upn.as_ref().map(ToString::to_string))
                    .push_bind(c.uln.as_ref().map(ToString::to_string))
                    .push_bind(c.nhs_number.as_ref().map(ToString::to_string))
                    .push_bind(self.now.to_owned())
                    .push_bind(self.now.to_owned());
            });
            q.build().execute(&mut *conn).await.map_err(db)?;
            let mut q = QueryBuilder::<Sqlite>::new("insert into child_history (child_id, version, data, recorded_at, actor, reason) ");
            q.push_values(chunk.iter().zip(&data), |mut b, (n, data)| {
                b.push_bind(n.child.id.to_string())
                    .push_bind(1_i64)
                    .push_bind(data.clone())
                    .push_bind(self.now.to_owned())
                    .push_bind(self.actor.label.trim().to_owned())
                    .push_bind(reason_for(self.batch, n.line));
            });
            q.build().execute(&mut *conn).await.map_err(db)?;
        }
        let audits: Vec<_> = children.iter().map(|n| (AuditAction::Create, "child", n.child.responsible_la, n.child.id)).collect();
        self.audit(conn, &audits).await
    }

    /// Social care ids, each linked to its child once.
    async fn insert_identifiers(&self, conn: &mut SqliteConnection, identifiers: &[(ChildId, LaCode, String)]) -> Result<()> {
        for chunk in identifiers.chunks(ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new("insert into child_identifier (kind, la, value, child_id, created_at) ");
            q.push_values(chunk, |mut b, (child, la, value)| {
                b.push_bind("social_care_id")
                    .push_bind(la.to_string())
                    .push_bind(value.clone())
                    .push_bind(child.to_string())
                    .push_bind(self.now.to_owned());
            });
            q.push(" on conflict do nothing");
            q.build().execute(&mut *conn).await.map_err(db)?;
        }
        Ok(())
    }

    async fn insert_facts(&self, conn: &mut SqliteConnection, creates: &[(&PersonRow, ChildId)]) -> Result<()> {
        for chunk in creates.chunks(ROWS_PER_INSERT) {
            let encoded = chunk
                .iter()
                .map(|(row, _)| Ok((to_json(&row.fact, "fact")?, to_json(&row.keys, "identity")?)))
                .collect::<Result<Vec<_>>>()?;
            let mut q = QueryBuilder::<Sqlite>::new(
                "insert into person_fact (child_id, la, dataset, natural_key, period_start, period_end, version, data, identity, \
                 source_file, source_line, import_id, created_at, updated_at) ",
            );
            q.push_values(chunk.iter().zip(encoded), |mut b, ((row, child), (data, identity))| {
                let period = row.fact.period();
                b.push_bind(child.to_string())
                    .push_bind(row.keys.la.to_string())
                    .push_bind(self.batch.dataset.name())
                    .push_bind(row.fact.natural_key())
                    .push_bind(period.start().to_string())
                    .push_bind(period.end().map(|d| d.to_string()))
                    .push_bind(1_i64)
                    .push_bind(data)
                    .push_bind(identity)
                    .push_bind(self.batch.file_name.clone())
                    .push_bind(row.line as i64)
                    .push_bind(self.import_id)
                    .push_bind(self.now.to_owned())
                    .push_bind(self.now.to_owned());
            });
            q.build().execute(&mut *conn).await.map_err(db)?;
        }
        Ok(())
    }

    async fn update_fact(&self, conn: &mut SqliteConnection, row: &PersonRow, fact_id: i64, version: i64) -> Result<()> {
        let period = row.fact.period();
        let updated = sqlx::query(
            "update person_fact set version = version + 1, la = ?, period_start = ?, period_end = ?, data = ?, identity = ?, \
             source_file = ?, source_line = ?, import_id = ?, updated_at = ? where fact_id = ? and version = ?",
        )
        .bind(row.keys.la.to_string())
        .bind(period.start().to_string())
        .bind(period.end().map(|d| d.to_string()))
        .bind(to_json(&row.fact, "fact")?)
        .bind(to_json(&row.keys, "identity")?)
        .bind(&self.batch.file_name)
        .bind(row.line as i64)
        .bind(self.import_id)
        .bind(self.now)
        .bind(fact_id)
        .bind(version)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        if updated.rows_affected() != 1 {
            // Unreachable while the write lock is held from the start; kept as a second guard.
            return Err(StoreError::Conflict { what: "fact", id: fact_id.to_string(), expected: version, current: version + 1 });
        }
        Ok(())
    }

    /// Every fact this import wrote (created or changed) enters the append-only history.
    async fn record_history(&self, conn: &mut SqliteConnection) -> Result<()> {
        sqlx::query(
            "insert into person_fact_history (fact_id, version, data, identity, source_file, source_line, import_id, recorded_at, actor) \
             select fact_id, version, data, identity, source_file, source_line, import_id, ?, ? from person_fact where import_id = ?",
        )
        .bind(self.now)
        .bind(self.actor.label.trim())
        .bind(self.import_id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Audit entries (ids and words only), as [`crate::sqlite`]'s `write_audit` writes them.
    async fn audit(&self, conn: &mut SqliteConnection, entries: &[(AuditAction, &'static str, LaCode, ChildId)]) -> Result<()> {
        for chunk in entries.chunks(ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new("insert into audit_log (at, actor, action, subject, la, child_id, case_id) ");
            q.push_values(chunk, |mut b, (action, subject, la, child)| {
                b.push_bind(self.now.to_owned())
                    .push_bind(self.actor.label.trim().to_owned())
                    .push_bind(action.as_str())
                    .push_bind(*subject)
                    .push_bind(la.to_string())
                    .push_bind(child.to_string())
                    .push_bind(None::<String>);
            });
            q.build().execute(&mut *conn).await.map_err(db)?;
        }
        Ok(())
    }
}

/// Counts for reference rows: created, unchanged or updated by comparing with the stored value.
#[derive(Default)]
struct Tally {
    created: u64,
    unchanged: u64,
    updated: u64,
}

impl Tally {
    fn add(&mut self, stored: Option<bool>) {
        match stored {
            None => self.created += 1,
            Some(true) => self.unchanged += 1,
            Some(false) => self.updated += 1,
        }
    }
}

impl SqliteStore {
    async fn import_reference(&self, actor: &Actor, batch: &ImportBatch, progress: &dyn ImportProgress) -> Result<ImportResult> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let mut problems = Vec::new();
        let mut tally = Tally::default();
        // Check every row and compare it with what is stored.
        match &batch.rows {
            ImportRows::Localities(rows) => {
                for (line, l) in rows {
                    if !actor.scope.permits(l.la) {
                        problems.push(out_of_scope(*line, l.la));
                        continue;
                    }
                    let stored: Option<String> = sqlx::query_scalar("select name from locality where la = ? and code = ?")
                        .bind(l.la.to_string())
                        .bind(l.code.as_str())
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?;
                    tally.add(stored.map(|name| name == l.name));
                }
            }
            ImportRows::Settings(rows) => {
                let known = KnownReferences::load(&mut tx).await?;
                for (line, s) in rows {
                    if !actor.scope.permits(s.la) {
                        problems.push(out_of_scope(*line, s.la));
                        continue;
                    }
                    if let Some(code) = &s.locality {
                        let reference = Reference::Locality { field: "locality", la: s.la, code: code.clone() };
                        if let Some(p) = known.check(*line, &reference) {
                            problems.push(p);
                            continue;
                        }
                    }
                    let stored: Option<String> = sqlx::query_scalar("select data from setting where urn = ?")
                        .bind(i64::from(s.urn.number()))
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?;
                    let same = stored
                        .map(|data| serde_json::from_str::<Setting>(&data).map(|stored| stored == *s))
                        .transpose()
                        .map_err(|e| StoreError::Corrupt(format!("setting {}: {e}", s.urn)))?;
                    tally.add(same);
                }
            }
            ImportRows::Population(rows) => {
                for (line, p) in rows {
                    if !actor.scope.permits(p.la()) {
                        problems.push(out_of_scope(*line, p.la()));
                        continue;
                    }
                    let stored: Option<i64> =
                        sqlx::query_scalar("select count from population where la = ? and year = ? and age = ? and sex = ?")
                            .bind(p.la().to_string())
                            .bind(p.year())
                            .bind(i64::from(p.age()))
                            .bind(sex_code(p.sex()))
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(db)?;
                    tally.add(stored.map(|count| count == i64::from(p.count())));
                }
            }
            ImportRows::Person(_) => return Err(StoreError::Invalid("person rows are not reference data".into())),
        }
        progress.checked(batch.rows.len() as u64);
        if !problems.is_empty() {
            tracing::info!(dataset = batch.dataset.name(), problems = problems.len(), "import refused: nothing written");
            return Ok(ImportResult::Rejected(problems));
        }
        let mut counts = ImportCounts {
            rows: batch.rows.len() as u64,
            created: tally.created,
            unchanged: tally.unchanged,
            updated: tally.updated,
            ..ImportCounts::default()
        };
        if batch.check_only {
            return Ok(ImportResult::Imported(counts));
        }
        counts.import_id = insert_import_run(&mut tx, actor, batch, &counts, &now).await?;
        let import_id = counts.import_id;
        match &batch.rows {
            ImportRows::Localities(rows) => {
                for (_, l) in rows {
                    sqlx::query(
                        "insert into locality (la, code, name, import_id, updated_at) values (?1, ?2, ?3, ?4, ?5) \
                         on conflict (la, code) do update set name = ?3, import_id = ?4, updated_at = ?5 where name <> ?3",
                    )
                    .bind(l.la.to_string())
                    .bind(l.code.as_str())
                    .bind(&l.name)
                    .bind(import_id)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                }
            }
            ImportRows::Settings(rows) => {
                for (_, s) in rows {
                    sqlx::query(
                        "insert into setting (urn, la, locality, data, import_id, updated_at) values (?1, ?2, ?3, ?4, ?5, ?6) \
                         on conflict (urn) do update set la = ?2, locality = ?3, data = ?4, import_id = ?5, updated_at = ?6 \
                         where data <> ?4",
                    )
                    .bind(i64::from(s.urn.number()))
                    .bind(s.la.to_string())
                    .bind(s.locality.as_ref().map(|c| c.to_string()))
                    .bind(to_json(s, "setting")?)
                    .bind(import_id)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                }
            }
            ImportRows::Population(rows) => {
                for (_, p) in rows {
                    sqlx::query(
                        "insert into population (la, year, age, sex, count, import_id, updated_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                         on conflict (la, year, age, sex) do update set count = ?5, import_id = ?6, updated_at = ?7 where count <> ?5",
                    )
                    .bind(p.la().to_string())
                    .bind(p.year())
                    .bind(i64::from(p.age()))
                    .bind(sex_code(p.sex()))
                    .bind(i64::from(p.count()))
                    .bind(import_id)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                }
            }
            ImportRows::Person(_) => {}
        }
        // Reference data (settings, localities, population) changes what the dashboards show.
        sqlx::query("update data_generation set generation = generation + 1 where id = 1").execute(&mut *tx).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        progress.written(batch.rows.len() as u64);
        tracing::info!(
            dataset = batch.dataset.name(),
            import_id,
            rows = counts.rows,
            created = counts.created,
            unchanged = counts.unchanged,
            updated = counts.updated,
            "reference import written"
        );
        Ok(ImportResult::Imported(counts))
    }
}

fn sex_code(sex: waymark_domain::child::Sex) -> &'static str {
    match sex {
        waymark_domain::child::Sex::Male => "M",
        waymark_domain::child::Sex::Female => "F",
    }
}

fn stored_fact(row: &SqliteRow) -> Result<StoredFact> {
    let fact_id: i64 = col(row, "fact_id")?;
    let dataset: String = col(row, "dataset")?;
    let dataset =
        Dataset::from_name(&dataset).ok_or_else(|| StoreError::Corrupt(format!("fact {fact_id}: unknown dataset '{dataset}'")))?;
    let line: i64 = col(row, "source_line")?;
    Ok(StoredFact {
        fact_id,
        child_id: parse_col(row, "child_id", "child id")?,
        la: parse_col(row, "la", "LA code")?,
        fact: fact_from_json(&col::<String>(row, "data")?, fact_id)?,
        identity: identity_from_json(&col::<String>(row, "identity")?, fact_id)?,
        source: Source { dataset, file: col(row, "source_file")?, line: u64::try_from(line).unwrap_or(0) },
        version: col(row, "version")?,
        recorded_at: parse_timestamp(&col::<String>(row, "updated_at")?)?,
    })
}

const FACT_COLUMNS: &str =
    "f.fact_id, f.child_id, f.la, f.dataset, f.data, f.identity, f.source_file, f.source_line, f.version, f.updated_at";

impl FactStore for SqliteStore {
    async fn import(&self, actor: &Actor, batch: ImportBatch, progress: &dyn ImportProgress) -> Result<ImportResult> {
        check_request(actor, None)?;
        match (&batch.rows, batch.dataset.kind()) {
            (ImportRows::Person(rows), DatasetKind::Person) => self.import_person(actor, &batch, rows, progress).await,
            (ImportRows::Localities(_), _) if batch.dataset == Dataset::Localities => self.import_reference(actor, &batch, progress).await,
            (ImportRows::Settings(_), _) if batch.dataset == Dataset::Settings => self.import_reference(actor, &batch, progress).await,
            (ImportRows::Population(_), _) if batch.dataset == Dataset::Population => self.import_reference(actor, &batch, progress).await,
            _ => Err(StoreError::Invalid(format!("the rows given are not {} rows", batch.dataset))),
        }
    }

    async fn child_facts(&self, actor: &Actor, child: ChildId) -> Result<Vec<StoredFact>> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_read().await?;
        let owner = load_child(&mut tx, actor, child).await?;
        let sql = format!("select {FACT_COLUMNS} from person_fact f where f.child_id = ? order by f.dataset, f.period_start, f.fact_id");
        let rows = sqlx::query(&sql).bind(child.to_string()).fetch_all(&mut *tx).await.map_err(db)?;
        let facts = rows.iter().map(stored_fact).collect::<Result<Vec<_>>>()?;
        let audit = Audit {
            action: AuditAction::Read,
            subject: "facts",
            la: Some(owner.value.responsible_la),
            child: Some(child),
            case: None,
            actor,
        };
        self.write_read_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::debug!(child_id = %child, facts = facts.len(), "facts of a child read");
        Ok(facts)
    }

    async fn facts_for_aggregates(&self, actor: &Actor, datasets: &[Dataset]) -> Result<Vec<(ChildId, PersonFact)>> {
        check_request(actor, None)?;
        let mut out = Vec::new();
        let mut tx = self.begin_read().await?;
        for dataset in datasets {
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
                "select f.fact_id, f.child_id, f.data from person_fact f join child c on c.child_id = f.child_id \
                 where f.dataset = ?1 and (?2 is null or c.la = ?2) order by f.period_start, f.fact_id",
            )
            .bind(dataset.name())
            .bind(scope_la(actor))
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
            out.reserve(rows.len());
            for (fact_id, child, data) in rows {
                let child: ChildId = child.parse().map_err(|_| StoreError::Corrupt(format!("fact {fact_id}: bad child id")))?;
                out.push((child, fact_from_json(&data, fact_id)?));
            }
        }
        let now = self.now();
        let audit = Audit { action: AuditAction::Read, subject: "fact_list", la: actor.scope.la(), child: None, case: None, actor };
        self.write_read_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::debug!(facts = out.len(), "person facts read for aggregates");
        Ok(out)
    }

    async fn dataset_facts(&self, actor: &Actor, dataset: Dataset) -> Result<Vec<StoredFact>> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_read().await?;
        let sql = format!(
            "select {FACT_COLUMNS} from person_fact f join child c on c.child_id = f.child_id \
             where f.dataset = ?1 and (?2 is null or c.la = ?2) order by f.period_start, f.fact_id"
        );
        let rows = sqlx::query(&sql).bind(dataset.name()).bind(scope_la(actor)).fetch_all(&mut *tx).await.map_err(db)?;
        let facts = rows.iter().map(stored_fact).collect::<Result<Vec<_>>>()?;
        let audit = Audit { action: AuditAction::Read, subject: "fact_list", la: actor.scope.la(), child: None, case: None, actor };
        self.write_read_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::debug!(dataset = dataset.name(), facts = facts.len(), "facts of a dataset listed");
        Ok(facts)
    }

    async fn settings(&self, actor: &Actor) -> Result<Vec<Setting>> {
        check_request(actor, None)?;
        let rows: Vec<(i64, String)> =
            sqlx::query_as("select urn, data from setting order by urn").fetch_all(&self.pool).await.map_err(db)?;
        rows.into_iter()
            .map(|(urn, data)| serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("setting {urn}: {e}"))))
            .collect()
    }

    async fn localities(&self, actor: &Actor) -> Result<Vec<Locality>> {
        check_request(actor, None)?;
        let rows = sqlx::query("select la, code, name from locality where (?1 is null or la = ?1) order by la, code")
            .bind(scope_la(actor))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|row| {
                Ok(Locality {
                    la: parse_col(row, "la", "LA code")?,
                    code: parse_col(row, "code", "locality code")?,
                    name: col(row, "name")?,
                })
            })
            .collect()
    }

    async fn population(&self, actor: &Actor) -> Result<Vec<PopulationCell>> {
        check_request(actor, None)?;
        let rows =
            sqlx::query("select la, year, age, sex, count from population where (?1 is null or la = ?1) order by la, year, age, sex")
                .bind(scope_la(actor))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        rows.iter()
            .map(|row| {
                let sex = match col::<String>(row, "sex")?.as_str() {
                    "M" => waymark_domain::child::Sex::Male,
                    "F" => waymark_domain::child::Sex::Female,
                    other => return Err(StoreError::Corrupt(format!("'{other}' is not a sex code"))),
                };
                let age: i64 = col(row, "age")?;
                let count: i64 = col(row, "count")?;
                let bad = |what: &str| StoreError::Corrupt(format!("population {what} out of range"));
                PopulationCell::new(
                    parse_col(row, "la", "LA code")?,
                    col(row, "year")?,
                    u8::try_from(age).map_err(|_| bad("age"))?,
                    sex,
                    u32::try_from(count).map_err(|_| bad("count"))?,
                )
                .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }
}
