//! Building the person table from the store: two bulk reads, each audited once (`aggregate` for the
//! cases, `child_list` for the children), within the actor's scope, plus the public reference list of
//! settings (for each placement's kind and locality).
//!
//! Person-level facts come from the store's `FactStore::facts_for_aggregates`: every dataset in one read
//! (child and fact only, no agency identity), scoped to the actor and audited as one list read. A child's free school meals and locality come from
//! their latest school census that records them; without one, the locality is the one the census most
//! often gives pupils of their postcode district (else the district itself), and free school meals are
//! unknown. Locality codes (census
//! rows, settings) are shown by their names from the localities reference list.

use crate::table::{reference_lookup_named, PersonTable, TableBuilder};
use std::collections::HashMap;
use waymark_domain::calendar::Date;
use waymark_domain::case::CaseEvent;
use waymark_domain::facts::{DatasetKind, PersonFact};
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
    load(store, actor, as_of, audit, true).await
}

/// The same table without the person-level facts (no fact is read, so none is in the table; localities
/// come from postcode districts alone): the children, their SEN status, placements and cases, for
/// uses such as the forecast that need only those. The same two audited reads.
pub async fn load_casework_from_store<S: CaseloadStore + FactStore>(
    store: &S,
    actor: &Actor,
    as_of: Date,
    audit: &AuditSink,
) -> Result<PersonTable, StoreError> {
    load(store, actor, as_of, audit, false).await
}

async fn load<S: CaseloadStore + FactStore>(
    store: &S,
    actor: &Actor,
    as_of: Date,
    audit: &AuditSink,
    with_facts: bool,
) -> Result<PersonTable, StoreError> {
    let snapshots = store.case_snapshots(actor, &Selection::InScope, "aggregate", audit).await?;
    let mut children = store.children(actor, &Selection::InScope, audit).await?;
    let settings = store.settings(actor).await?;
    // Locality codes shown by name (settings and census rows name the code).
    let names: HashMap<(String, String), String> =
        store.localities(actor).await?.into_iter().map(|l| ((l.la.to_string(), l.code.as_str().to_owned()), l.name)).collect();
    let mut facts: HashMap<ChildId, Vec<PersonFact>> = HashMap::new();
    if with_facts {
        let datasets: Vec<_> = waymark_domain::facts::Dataset::ALL.iter().copied().filter(|d| d.kind() == DatasetKind::Person).collect();
        for (child, fact) in store.facts_for_aggregates(actor, &datasets).await? {
            facts.entry(child).or_default().push(fact);
        }
    }
    let lookup = reference_lookup_named(&settings, |s| {
        let code = s.locality.as_ref()?.as_str().to_owned();
        Some(names.get(&(s.la.to_string(), code.clone())).cloned().unwrap_or(code))
    });
    let mut cases: HashMap<ChildId, Vec<(CaseId, Vec<CaseEvent>)>> = HashMap::new();
    for s in snapshots {
        // Only what had happened by `as_of` counts.
        let events: Vec<CaseEvent> = s.case.history().iter().filter(|e| e.date <= as_of).cloned().collect();
        if !events.is_empty() {
            cases.entry(s.summary.child_id).or_default().push((s.summary.case_id, events));
        }
    }
    children.sort_by_key(|a| (a.0.responsible_la.number(), a.0.id.to_string()));
    let district_of = |child: &waymark_domain::child::Child| {
        child.postcode.as_ref().and_then(|p| p.to_string().split_whitespace().next().map(str::to_owned))
    };
    let people: Vec<(String, Option<String>, &[PersonFact])> = children
        .iter()
        .filter_map(|(c, _)| facts.get(&c.id).map(|f| (c.responsible_la.to_string(), district_of(c), f.as_slice())))
        .collect();
    let usual = usual_localities(&people, &names, as_of);
    let mut b = TableBuilder::new(as_of);
    for (child, placements) in &children {
        let own = cases.remove(&child.id).unwrap_or_default();
        let refs: Vec<(CaseId, &[CaseEvent])> = own.iter().map(|(id, ev)| (*id, ev.as_slice())).collect();
        let district = district_of(child);
        let locality = district.map(|d| usual.get(&(child.responsible_la.to_string(), d.clone())).cloned().unwrap_or(d));
        b.add_person(child, locality.as_deref(), None, &refs, placements, &lookup);
        if let Some(own) = facts.remove(&child.id) {
            let la = child.responsible_la.to_string();
            let rows: Vec<_> = own
                .iter()
                .filter(|f| f.period().start() <= as_of)
                .map(|f| {
                    crate::facts::row_of(f, &mut |code: &str| {
                        let name = names.get(&(la.clone(), code.to_owned())).map_or(code, String::as_str);
                        b.locality(Some(name))
                    })
                })
                .collect();
            b.add_facts(rows);
        }
    }
    Ok(b.finish())
}

/// The locality the school census most often gives pupils of each postcode district, per LA (by name
/// where the localities list names the code). Someone with no school census (under school age, at
/// college, out of education) is placed there, so localities never mix planning areas with bare
/// postcode districts. `people` are (LA, postcode district, facts); each pupil counts once, by their
/// latest census on or before `as_of` that records a locality. Ties go to the first name in order.
fn usual_localities(
    people: &[(String, Option<String>, &[PersonFact])],
    names: &HashMap<(String, String), String>,
    as_of: Date,
) -> HashMap<(String, String), String> {
    let mut tally: HashMap<(String, String), HashMap<String, usize>> = HashMap::new();
    for (la, district, own) in people {
        let Some(district) = district else { continue };
        let latest = own.iter().filter_map(|f| match f {
            PersonFact::Census(c) if c.census_date <= as_of => c.locality.as_ref().map(|l| (c.census_date, l.as_str().to_owned())),
            _ => None,
        });
        if let Some((_, code)) = latest.max() {
            let name = names.get(&(la.clone(), code.clone())).cloned().unwrap_or(code);
            *tally.entry((la.clone(), district.clone())).or_default().entry(name).or_default() += 1;
        }
    }
    tally
        .into_iter()
        .filter_map(|(key, counts)| counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(name, _)| (key, name)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_domain::calendar::parse_iso_date;

    fn census(date: &str, locality: &str) -> PersonFact {
        let json = format!(
            r#"{{"dataset":"census","fact":{{"census_date":"{date}","urn":"100001","ncy":"5","sen_provision":"N","primary_need":null,"fsm_eligible":false,"locality":"{locality}"}}}}"#
        );
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn someone_without_a_census_is_placed_in_the_locality_most_pupils_of_their_district_are_in() {
        let names: HashMap<(String, String), String> = [(("851".to_owned(), "N".to_owned()), "North".to_owned())].into();
        let (a, b, c, moved) = (
            [census("2025-01-16", "N")],
            [census("2025-01-16", "N")],
            [census("2025-01-16", "S")],
            [census("2024-01-18", "S"), census("2025-01-16", "N"), census("2027-01-14", "S")],
        );
        let people: Vec<(String, Option<String>, &[PersonFact])> = vec![
            ("851".into(), Some("PO1".into()), &a),
            ("851".into(), Some("PO1".into()), &b),
            ("851".into(), Some("PO1".into()), &c),
            // Counted by their latest census up to the day (not the later one), in another district.
            ("851".into(), Some("PO2".into()), &moved),
            ("852".into(), None, &c),
        ];
        let usual = usual_localities(&people, &names, parse_iso_date("2026-01-15").unwrap());
        assert_eq!(usual.get(&("851".to_owned(), "PO1".to_owned())).map(String::as_str), Some("North"), "two of three, by name");
        assert_eq!(usual.get(&("851".to_owned(), "PO2".to_owned())).map(String::as_str), Some("North"));
        assert_eq!(usual.len(), 2, "no district, no entry; another LA's pupils never place this LA's children");
    }
}
