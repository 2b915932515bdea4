//! Loading many records at once: a synthetic area, or a migration. Each batch is one transaction: all of
//! it is written or none, in large prepared multi-row INSERTs (ADR 0018). Records keep the ids they arrive with, so the same generated area gives the same
//! ids in every store. Every child written is audited (one `create` row each, subject `bulk_load`), and
//! every case is checked by the domain lifecycle before anything is written.

use crate::placements::setting_key;
use crate::sqlite::{check_request, db, identifier_columns, to_json};
use crate::{Actor, AuditAction, Result, SqliteStore, StoreError};
use sqlx::{QueryBuilder, Sqlite};
use std::future::Future;
use uuid::Uuid;
use waymark_domain::case::{Case, CaseEvent};
use waymark_domain::child::Child;
use waymark_domain::ids::CaseId;
use waymark_domain::placement::Placement;

/// Rows per INSERT statement: at most 10 columns each, so a statement binds at most 5,000 values, far
/// under SQLite's limit of 32,766 bound parameters (`SQLITE_MAX_VARIABLE_NUMBER`). Full statements of the
/// same size are prepared once and reused from the connection's statement cache.
const ROWS: usize = 500;

struct ChildRow {
    id: String,
    la: String,
    data: String,
    upn: Option<String>,
    uln: Option<String>,
    nhs: Option<String>,
}

struct CaseRow {
    id: String,
    child: String,
    la: String,
    version: i64,
    stage: &'static str,
}

struct EventRow {
    case: String,
    seq: i64,
    on: String,
    kind: &'static str,
    data: String,
}

struct PlacementRow {
    id: String,
    child: String,
    la: String,
    setting: String,
    entry: String,
    leaving: Option<String>,
    data: String,
}

/// One person to load: the child's record, their cases as event histories, and their placements.
#[derive(Debug, Clone)]
pub struct BulkPerson {
    pub child: Child,
    pub cases: Vec<(CaseId, Vec<CaseEvent>)>,
    pub placements: Vec<Placement>,
}

/// What a bulk load wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkCounts {
    pub children: u64,
    pub cases: u64,
    pub events: u64,
    pub placements: u64,
}

impl std::ops::AddAssign for BulkCounts {
    fn add_assign(&mut self, o: Self) {
        self.children += o.children;
        self.cases += o.cases;
        self.events += o.events;
        self.placements += o.placements;
    }
}

pub trait BulkStore: Send + Sync {
    /// Write a batch of people in one transaction. Refused whole if any child is outside the actor's
    /// scope, any case breaks the lifecycle, or any id already exists.
    fn load_people(&self, actor: &Actor, people: &[BulkPerson], reason: &str) -> impl Future<Output = Result<BulkCounts>> + Send;
}

impl BulkStore for SqliteStore {
    async fn load_people(&self, actor: &Actor, people: &[BulkPerson], reason: &str) -> Result<BulkCounts> {
        let reason = check_request(actor, Some(reason))?;
        // Check everything before writing anything.
        let mut stages = Vec::with_capacity(people.len());
        for p in people {
            if !actor.scope.permits(p.child.responsible_la) {
                return Err(StoreError::OutOfScope { la: p.child.responsible_la });
            }
            let mut case_stages = Vec::with_capacity(p.cases.len());
            for (id, events) in &p.cases {
                let case = Case::replay(*id, p.child.id, events)?;
                case_stages.push(case.stage().name());
            }
            for pl in &p.placements {
                pl.check().map_err(|e| StoreError::Invalid(format!("child {}: {e}", p.child.id)))?;
            }
            stages.push(case_stages);
        }
        // Everything encoded before the transaction starts, so the write lock is held only for the
        // inserts: large prepared multi-row statements (ROWS rows each), not one statement per row.
        let now = self.now();
        let actor_label = actor.label.trim();
        let mut counts = BulkCounts::default();
        let mut children = Vec::with_capacity(people.len());
        let mut cases = Vec::new();
        let mut events = Vec::new();
        let mut placements = Vec::new();
        for (p, case_stages) in people.iter().zip(stages) {
            let la = p.child.responsible_la.to_string();
            let id = p.child.id.to_string();
            let [upn, uln, nhs] = identifier_columns(&p.child);
            children.push(ChildRow { id: id.clone(), la: la.clone(), data: to_json(&p.child, "child")?, upn, uln, nhs });
            counts.children += 1;
            for ((case_id, case_events), stage) in p.cases.iter().zip(case_stages) {
                let case = case_id.to_string();
                for (i, event) in case_events.iter().enumerate() {
                    events.push(EventRow {
                        case: case.clone(),
                        seq: i as i64 + 1,
                        on: event.date.to_string(),
                        kind: event.type_name(),
                        data: to_json(event, "case event")?,
                    });
                }
                cases.push(CaseRow { id: case, child: id.clone(), la: la.clone(), version: case_events.len() as i64, stage });
                counts.cases += 1;
                counts.events += case_events.len() as u64;
            }
            for pl in &p.placements {
                let pid =
                    Uuid::from_u128(p.child.id.as_uuid().as_u128() ^ ((u128::from(counts.placements) << 64) | 0x5055_4c41)).to_string();
                placements.push(PlacementRow {
                    id: pid,
                    child: id.clone(),
                    la: la.clone(),
                    setting: setting_key(&pl.setting),
                    entry: pl.entry.to_string(),
                    leaving: pl.leaving.map(|d| d.to_string()),
                    data: to_json(pl, "placement")?,
                });
                counts.placements += 1;
            }
        }
        let mut tx = self.begin_write().await?;
        for chunk in children.chunks(ROWS) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "insert into child (child_id, la, version, data, upn, uln, nhs_number, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, c| {
                b.push_bind(&c.id)
                    .push_bind(&c.la)
                    .push_bind(1_i64)
                    .push_bind(&c.data)
                    .push_bind(&c.upn)
                    .push_bind(&c.uln)
                    .push_bind(&c.nhs);
                b.push_bind(&now).push_bind(&now);
            });
            q.build().persistent(true).execute(&mut *tx).await.map_err(db)?;
            let mut q = QueryBuilder::<Sqlite>::new("insert into child_history (child_id, version, data, recorded_at, actor, reason) ");
            q.push_values(chunk, |mut b, c| {
                b.push_bind(&c.id).push_bind(1_i64).push_bind(&c.data).push_bind(&now).push_bind(actor_label).push_bind(&reason);
            });
            q.build().persistent(true).execute(&mut *tx).await.map_err(db)?;
            // Every child written is audited: one `create` entry each, subject `bulk_load`.
            let mut q = QueryBuilder::<Sqlite>::new("insert into audit_log (at, actor, action, subject, la, child_id, case_id) ");
            q.push_values(chunk, |mut b, c| {
                b.push_bind(&now).push_bind(actor_label).push_bind(AuditAction::Create.as_str()).push_bind("bulk_load");
                b.push_bind(&c.la).push_bind(&c.id).push_bind(None::<String>);
            });
            q.build().persistent(true).execute(&mut *tx).await.map_err(db)?;
        }
        for chunk in cases.chunks(ROWS) {
            let mut q =
                QueryBuilder::<Sqlite>::new("insert into ehc_case (case_id, child_id, la, version, stage, created_at, updated_at) ");
            q.push_values(chunk, |mut b, c| {
                b.push_bind(&c.id)
                    .push_bind(&c.child)
                    .push_bind(&c.la)
                    .push_bind(c.version)
                    .push_bind(c.stage)
                    .push_bind(&now)
                    .push_bind(&now);
            });
            q.build().persistent(true).execute(&mut *tx).await.map_err(db)?;
        }
        for chunk in events.chunks(ROWS) {
            let mut q =
                QueryBuilder::<Sqlite>::new("insert into case_event (case_id, seq, occurred_on, kind, event, recorded_at, actor, reason) ");
            q.push_values(chunk, |mut b, e| {
                b.push_bind(&e.case).push_bind(e.seq).push_bind(&e.on).push_bind(e.kind).push_bind(&e.data);
                b.push_bind(&now).push_bind(actor_label).push_bind(&reason);
            });
            q.build().persistent(true).execute(&mut *tx).await.map_err(db)?;
        }
        for chunk in placements.chunks(ROWS) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "insert into placement (placement_id, child_id, la, version, setting_key, entry_date, leaving_date, data, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, p| {
                b.push_bind(&p.id).push_bind(&p.child).push_bind(&p.la).push_bind(1_i64).push_bind(&p.setting).push_bind(&p.entry);
                b.push_bind(&p.leaving).push_bind(&p.data).push_bind(&now).push_bind(&now);
            });
            q.build().persistent(true).execute(&mut *tx).await.map_err(db)?;
            let mut q =
                QueryBuilder::<Sqlite>::new("insert into placement_history (placement_id, version, data, recorded_at, actor, reason) ");
            q.push_values(chunk, |mut b, p| {
                b.push_bind(&p.id).push_bind(1_i64).push_bind(&p.data).push_bind(&now).push_bind(actor_label).push_bind(&reason);
            });
            q.build().persistent(true).execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        tracing::info!(children = counts.children, cases = counts.cases, "bulk load committed");
        Ok(counts)
    }
}
