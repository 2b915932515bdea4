//! The LA caseload, computed once per change of the data and of the day, and shared by the caseload
//! pages, the API and the dashboards. The store's data generation (raised by a trigger on every change to
//! a child, case, placement or assignment, from any process) says when it is stale. Every use is still
//! audited: a hit writes the same list-read audit entry that loading it would.

use crate::error::AppError;
use crate::views::{caseload_row, CaseloadRow};
use crate::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use waymark_domain::calendar::Date;
use waymark_storage::{Actor, CaseSnapshot, CaseloadStore, Selection};

/// Everything computed from one LA's cases on one day.
pub struct Computed {
    pub snapshots: Vec<CaseSnapshot>,
    /// Caseload rows in the default order: overdue first, then soonest due.
    pub rows: Vec<CaseloadRow>,
    /// The rows' positions in each other order the caseload offers.
    pub by_stage: Vec<usize>,
    pub by_name: Vec<usize>,
    pub by_received: Vec<usize>,
    /// The URNs of the settings the LA's children attend, for the filter.
    pub settings: Vec<String>,
    pub overdue: usize,
    pub today: Date,
}

impl Computed {
    fn new(snapshots: Vec<CaseSnapshot>, today: Date) -> Self {
        let mut rows: Vec<CaseloadRow> = snapshots.iter().map(|s| caseload_row(s, today)).collect();
        rows.sort_by_key(|r| (r.next_status != Some("overdue"), r.next_due.is_none(), r.next_due, r.case_id));
        let order = |key: &dyn Fn(&CaseloadRow, &CaseloadRow) -> std::cmp::Ordering| {
            let mut idx: Vec<usize> = (0..rows.len()).collect();
            idx.sort_by(|a, b| key(&rows[*a], &rows[*b]));
            idx
        };
        let stage_pos = |r: &CaseloadRow| crate::views::STAGES.iter().position(|s| *s == r.stage);
        let name = waymark_domain::search::name_order;
        let by_stage = order(&|a, b| stage_pos(a).cmp(&stage_pos(b)).then_with(|| name(&a.child, &b.child)));
        // Surname, then forename (accents and case ignored), then date of birth.
        let by_name = order(&|a, b| name(&a.child, &b.child).then(a.case_id.cmp(&b.case_id)));
        let by_received = order(&|a, b| b.received.cmp(&a.received));
        let settings: std::collections::BTreeSet<String> =
            rows.iter().flat_map(|r| r.settings.iter()).filter_map(|s| s.strip_prefix("urn:").map(str::to_owned)).collect();
        let overdue = rows.iter().filter(|r| r.next_status == Some("overdue")).count();
        Self { snapshots, rows, by_stage, by_name, by_received, settings: settings.into_iter().collect(), overdue, today }
    }
}

struct Entry {
    generation: i64,
    today: Date,
    computed: Arc<Computed>,
}

#[derive(Default)]
pub struct CaseloadCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl CaseloadCache {
    /// Every case in the actor's LA scope with its caseload row, audited as one read with `subject`.
    pub async fn get(&self, state: &AppState, actor: &Actor, subject: &'static str) -> Result<Arc<Computed>, AppError> {
        let key = format!("{:?}", actor.scope);
        let generation = state.store.data_generation().await?;
        let today = state.clock.today();
        let hit = {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            entries.get(&key).filter(|e| e.generation == generation && e.today == today).map(|e| e.computed.clone())
        };
        if let Some(computed) = hit {
            state.store.audit_list_read(actor, subject, &state.audit).await?;
            return Ok(computed);
        }
        let snapshots = state.store.case_snapshots(actor, &Selection::InScope, subject, &state.audit).await?;
        let computed = Arc::new(Computed::new(snapshots, today));
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(key, Entry { generation, today, computed: computed.clone() });
        Ok(computed)
    }
}
