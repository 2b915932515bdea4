//! Building the person table from the store: two bulk reads, each audited once (`aggregate` for the
//! cases, `child_list` for the children), within the actor's scope, plus the public reference list of
//! settings (for each placement's kind and locality).
//!
//! Where no locality reference is held for people, a child's locality is the outward code of their
//! postcode (the postcode district); free school meals are unknown until census facts are loaded.

use crate::table::{reference_lookup, PersonTable, TableBuilder};
use std::collections::HashMap;
use waymark_domain::calendar::Date;
use waymark_domain::case::CaseEvent;
use waymark_domain::ids::{CaseId, ChildId};
use waymark_storage::{Actor, AuditSink, CaseloadStore, FactStore, Selection, StoreError};

/// Read everything the indicators need for the actor's scope, as it stood on `as_of`. `audit` is the
/// store's audit writer (`AuditSink::start`), which commits the two read entries.
pub async fn load_from_store<S: CaseloadStore + FactStore>(
    store: &S,
    actor: &Actor,
    as_of: Date,
    audit: &AuditSink,
) -> Result<PersonTable, StoreError> {
    let snapshots = store.case_snapshots(actor, &Selection::InScope, "aggregate", audit).await?;
    let mut children = store.children(actor, &Selection::InScope, audit).await?;
    let settings = store.settings(actor).await?;
    let lookup = reference_lookup(&settings);
    let mut cases: HashMap<ChildId, Vec<(CaseId, Vec<CaseEvent>)>> = HashMap::new();
    for s in snapshots {
        // Only what had happened by `as_of` counts.
        let events: Vec<CaseEvent> = s.case.history().iter().filter(|e| e.date <= as_of).cloned().collect();
        if !events.is_empty() {
            cases.entry(s.summary.child_id).or_default().push((s.summary.case_id, events));
        }
    }
    children.sort_by_key(|a| (a.0.responsible_la.number(), a.0.id.to_string()));
    let mut b = TableBuilder::new(as_of);
    for (child, placements) in &children {
        let own = cases.remove(&child.id).unwrap_or_default();
        let refs: Vec<(CaseId, &[CaseEvent])> = own.iter().map(|(id, ev)| (*id, ev.as_slice())).collect();
        let district = child.postcode.as_ref().map(|p| p.to_string()).and_then(|p| p.split_whitespace().next().map(str::to_owned));
        b.add_person(child, district.as_deref(), None, &refs, placements, &lookup);
    }
    Ok(b.finish())
}
