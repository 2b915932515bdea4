//! The LA caseload, computed once per change of the data and of the day, and shared by the caseload
//! pages, the API and the dashboards. The store's data generation (raised by a trigger on every change to
//! a child, case, placement or assignment, from any process) says when it is stale. After a change the
//! store's change log ([`waymark_storage::CaseloadStore::aggregate_changes`], the one the dashboards'
//! [`crate::frameworks::FrameworkCache`] uses) says whether only cases changed and which: those are read
//! again and their rows recomputed and sorted in; anything else (a child, a placement, a new case, an
//! import, more than [`PATCH_LIMIT`] cases, a new day) reads every case again. Every use is still
//! audited as one list read: a hit or a patch writes the same list-read audit entry that loading it would.

use crate::error::AppError;
use crate::views::{caseload_row, CaseloadRow};
use crate::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use waymark_domain::calendar::Date;
use waymark_domain::ids::CaseId;
use waymark_storage::{Actor, CaseSnapshot, CaseloadStore, Selection};

/// At most this many changed cases are patched in; more (a bulk change) read every case again.
const PATCH_LIMIT: usize = 200;

/// Everything computed from one LA's cases on one day.
pub struct Computed {
    /// The cases as read (oldest first).
    pub snapshots: Vec<Arc<CaseSnapshot>>,
    /// Caseload rows in the default order: overdue first, then soonest due.
    pub rows: Vec<Arc<CaseloadRow>>,
    /// The rows' positions in each other order the caseload offers.
    pub by_stage: Vec<usize>,
    pub by_name: Vec<usize>,
    pub by_received: Vec<usize>,
    /// The URNs of the settings the LA's children attend, for the filter.
    pub settings: Vec<String>,
    pub overdue: usize,
    pub today: Date,
    /// Each snapshot's row, in `snapshots`' order (for patching).
    unsorted: Vec<Arc<CaseloadRow>>,
    /// Where each case is in `snapshots`.
    position: HashMap<CaseId, usize>,
}

impl Computed {
    /// Every case's row computed (its clock evaluated on `today`) and sorted.
    fn new(snapshots: Vec<CaseSnapshot>, today: Date) -> Self {
        let unsorted: Vec<Arc<CaseloadRow>> = snapshots.iter().map(|s| Arc::new(caseload_row(s, today))).collect();
        Self::sorted(snapshots.into_iter().map(Arc::new).collect(), unsorted, today)
    }

    /// The orders and counts of rows already computed.
    fn sorted(snapshots: Vec<Arc<CaseSnapshot>>, unsorted: Vec<Arc<CaseloadRow>>, today: Date) -> Self {
        let mut rows = unsorted.clone();
        rows.sort_by_key(|r| (r.next_status != Some("overdue"), r.next_due.is_none(), r.next_due, r.case_id));
        // Names folded once per row, not once per comparison: a sort of a large LA's cases compares
        // each row many times.
        let names: Vec<(String, String, Date)> = rows.iter().map(|r| waymark_domain::search::name_key(&r.child)).collect();
        let stage_pos = |r: &CaseloadRow| crate::views::STAGES.iter().position(|s| *s == r.stage);
        let all = || (0..rows.len()).collect::<Vec<usize>>();
        let mut by_stage = all();
        by_stage.sort_by(|a, b| stage_pos(&rows[*a]).cmp(&stage_pos(&rows[*b])).then_with(|| names[*a].cmp(&names[*b])));
        // Surname, then forename (accents and case ignored), then date of birth.
        let mut by_name = all();
        by_name.sort_by(|a, b| names[*a].cmp(&names[*b]).then(rows[*a].case_id.cmp(&rows[*b].case_id)));
        let mut by_received = all();
        by_received.sort_by(|a, b| rows[*b].received.cmp(&rows[*a].received));
        let settings: std::collections::BTreeSet<String> =
            rows.iter().flat_map(|r| r.settings.iter()).filter_map(|s| s.strip_prefix("urn:").map(str::to_owned)).collect();
        let overdue = rows.iter().filter(|r| r.next_status == Some("overdue")).count();
        let position = snapshots.iter().enumerate().map(|(i, s)| (s.summary.case_id, i)).collect();
        Self {
            snapshots,
            rows,
            by_stage,
            by_name,
            by_received,
            settings: settings.into_iter().collect(),
            overdue,
            today,
            unsorted,
            position,
        }
    }

    /// These rows with the named cases read again (`read`: those of them still in scope), or `None`
    /// when that cannot be done case by case: a case new to the scope, or one that left it.
    fn patched(&self, cases: &[CaseId], read: Vec<CaseSnapshot>) -> Option<Self> {
        let mut snapshots = self.snapshots.clone();
        let mut unsorted = self.unsorted.clone();
        let mut read: HashMap<CaseId, CaseSnapshot> = read.into_iter().map(|s| (s.summary.case_id, s)).collect();
        for case in cases {
            match (self.position.get(case), read.remove(case)) {
                (Some(&i), Some(s)) => {
                    unsorted[i] = Arc::new(caseload_row(&s, self.today));
                    snapshots[i] = Arc::new(s);
                }
                // Out of scope before and after: none of this LA's business.
                (None, None) => {}
                _ => return None,
            }
        }
        Some(Self::sorted(snapshots, unsorted, self.today))
    }
}

struct Entry {
    /// The data generation and change-log sequence the rows are current to.
    generation: i64,
    seq: i64,
    today: Date,
    computed: Arc<Computed>,
}

#[derive(Default)]
pub struct CaseloadCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// Held while the rows are brought up to date, so a burst of views after a change reads once.
    updating: tokio::sync::Mutex<()>,
    /// How many times every case was read (not patched).
    whole_reads: std::sync::atomic::AtomicU64,
}

impl CaseloadCache {
    /// Every case in the actor's LA scope with its caseload row, audited as one read with `subject`.
    pub async fn get(&self, state: &AppState, actor: &Actor, subject: &'static str) -> Result<Arc<Computed>, AppError> {
        let key = format!("{:?}", actor.scope);
        let today = state.clock.today();
        if let Some(computed) = self.current(state, &key, today).await? {
            state.store.audit_list_read(actor, subject, &state.audit).await?;
            return Ok(computed);
        }
        let _updating = self.updating.lock().await;
        // Another view may have brought the rows up to date while this one waited.
        if let Some(computed) = self.current(state, &key, today).await? {
            state.store.audit_list_read(actor, subject, &state.audit).await?;
            return Ok(computed);
        }
        let held = {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            entries.get(&key).filter(|e| e.today == today).map(|e| (e.generation, e.seq, e.computed.clone()))
        };
        if let Some((generation, seq, computed)) = held {
            let changes = state.store.aggregate_changes(seq).await?;
            if changes.only_cases_since(generation) && changes.cases.len() <= PATCH_LIMIT {
                let read = state.store.case_snapshots_by_id(actor, &changes.cases).await?;
                let cases = changes.cases.clone();
                let patched = tokio::task::spawn_blocking(move || computed.patched(&cases, read).map(Arc::new))
                    .await
                    .map_err(|e| AppError::Internal(format!("patching the caseload: {e}")))?;
                if let Some(patched) = patched {
                    self.store(key, Entry { generation: changes.generation, seq: changes.seq, today, computed: patched.clone() });
                    state.store.audit_list_read(actor, subject, &state.audit).await?;
                    return Ok(patched);
                }
            }
        }
        // Where the change log stands before the cases are read: a change made while they are read is
        // patched in again (harmlessly) next time.
        let mark = state.store.aggregate_changes(i64::MAX).await?;
        self.whole_reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let snapshots = state.store.case_snapshots(actor, &Selection::InScope, subject, &state.audit).await?;
        let computed = tokio::task::spawn_blocking(move || Arc::new(Computed::new(snapshots, today)))
            .await
            .map_err(|e| AppError::Internal(format!("computing the caseload: {e}")))?;
        self.store(key, Entry { generation: mark.generation, seq: mark.seq, today, computed: computed.clone() });
        Ok(computed)
    }

    /// The rows held for this scope if they are current to the store's data generation and today.
    async fn current(&self, state: &AppState, key: &str, today: Date) -> Result<Option<Arc<Computed>>, AppError> {
        let generation = state.store.data_generation().await?;
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        Ok(entries.get(key).filter(|e| e.generation == generation && e.today == today).map(|e| e.computed.clone()))
    }

    /// How many times every case was read since the server started: patches do not count.
    pub fn whole_reads(&self) -> u64 {
        self.whole_reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn store(&self, key: String, entry: Entry) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).insert(key, entry);
    }
}
