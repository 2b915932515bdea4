//! Bulk loading (a synthetic area or a migration): all of a batch or none of it, ids kept, every child
//! audited, every case checked by the lifecycle first.

mod common;

use common::*;
use waymark_domain::case::{CaseEvent, CaseEventKind};
use waymark_domain::child::Child;
use waymark_domain::ids::{CaseId, ChildId};
use waymark_storage::{AuditFilter, BulkPerson, BulkStore, SqliteStore, Store, StoreError};

fn person(n: u128, la: &str) -> BulkPerson {
    let id = ChildId::from_uuid(uuid::Uuid::from_u128(0x1000 + n));
    let child = Child::new(id, new_child_in(la, false), d("2026-01-05")).unwrap();
    let case = CaseId::from_uuid(uuid::Uuid::from_u128(0x2000 + n));
    BulkPerson { child, cases: vec![(case, full_history())], placements: Vec::new() }
}

#[tokio::test]
async fn a_batch_is_written_whole_with_its_ids_and_each_child_is_audited() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let people = vec![person(1, "851"), person(2, "851")];
    let counts = store.load_people(&admin(), &people, "synthetic area").await.unwrap();
    assert_eq!((counts.children, counts.cases, counts.events), (2, 2, 2 * full_history().len() as u64));
    let case = store.get_case(&admin(), people[0].cases[0].0).await.unwrap();
    assert_eq!(case.value.stage().name(), "plan_active");
    assert_eq!(case.version, full_history().len() as i64);
    let child = store.get_child(&portsmouth(), people[1].child.id).await.unwrap();
    assert_eq!(child.value, people[1].child);
    let audit = store.audit_log(&admin(), &AuditFilter { child: Some(people[0].child.id), ..Default::default() }).await.unwrap();
    assert!(audit.iter().any(|e| e.subject == "bulk_load"), "{audit:?}");
}

#[tokio::test]
async fn a_batch_with_one_illegal_case_is_refused_and_nothing_is_written() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let mut bad = person(2, "851");
    bad.cases[0].1.push(CaseEvent::new(d("2026-01-01"), CaseEventKind::DecidedToAssess));
    let err = store.load_people(&admin(), &[person(1, "851"), bad], "synthetic area").await.unwrap_err();
    assert!(matches!(err, StoreError::Transition(_)), "{err}");
    assert!(store.list_cases(&admin()).await.unwrap().is_empty());
    assert!(store.get_child(&admin(), person(1, "851").child.id).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn a_batch_outside_the_actors_la_is_refused() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let err = store.load_people(&kent(), &[person(1, "851")], "synthetic area").await.unwrap_err();
    assert!(matches!(err, StoreError::OutOfScope { .. }), "{err}");
}

#[tokio::test]
async fn loading_the_same_ids_twice_is_refused_not_duplicated() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    store.load_people(&admin(), &[person(1, "851")], "first").await.unwrap();
    assert!(store.load_people(&admin(), &[person(1, "851")], "again").await.is_err());
    assert_eq!(store.list_cases(&admin()).await.unwrap().len(), 1);
}
