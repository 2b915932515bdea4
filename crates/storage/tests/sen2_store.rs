//! Storage for the SEN2 return: LA return settings (versioned, scoped, checked) and the batched,
//! audited read of children with their cases and placements.

mod common;

use common::*;
use waymark_storage::{AuditFilter, InPost, LaSettings, LaSettingsStore, Sen2Reading, Sen2Store, Store, StoreError};

fn settings(la: &str) -> LaSettings {
    LaSettings {
        la: la.parse().unwrap(),
        dmo: InPost::Yes,
        dco: InPost::No,
        dsco: InPost::Recruiting,
        software_code: "WAYMARK".into(),
        serial_no: "001".into(),
    }
}

#[tokio::test]
async fn la_return_settings_are_versioned_and_a_stale_edit_is_a_conflict() {
    let store = waymark_storage::SqliteStore::open_in_memory(clock()).await.unwrap();
    assert!(store.la_settings(&admin(), "851".parse().unwrap()).await.unwrap().is_none());
    let v1 = store.set_la_settings(&admin(), &settings("851"), None, "set up").await.unwrap();
    assert_eq!(v1.version, 1);
    let mut changed = settings("851");
    changed.dsco = InPost::Yes;
    let v2 = store.set_la_settings(&admin(), &changed, Some(1), "DSCO appointed").await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(store.la_settings(&admin(), "851".parse().unwrap()).await.unwrap().unwrap().value.dsco, InPost::Yes);
    let stale = store.set_la_settings(&admin(), &settings("851"), Some(1), "stale").await.unwrap_err();
    assert!(stale.is_conflict(), "{stale}");
    let twice = store.set_la_settings(&admin(), &settings("851"), None, "again").await.unwrap_err();
    assert!(twice.is_conflict(), "{twice}");
}

#[tokio::test]
async fn la_return_settings_are_scoped_and_a_bad_serial_number_is_refused() {
    let store = waymark_storage::SqliteStore::open_in_memory(clock()).await.unwrap();
    let err = store.set_la_settings(&kent(), &settings("851"), None, "not mine").await.unwrap_err();
    assert!(matches!(err, StoreError::OutOfScope { .. }), "{err}");
    let mut bad = settings("851");
    bad.serial_no = "1".into();
    assert!(
        matches!(store.set_la_settings(&admin(), &bad, None, "x").await.unwrap_err(), StoreError::Invalid(m) if m.contains("3 digits"))
    );
    store.set_la_settings(&admin(), &settings("851"), None, "ok").await.unwrap();
    assert!(store.la_settings(&kent(), "851".parse().unwrap()).await.unwrap().is_none(), "out of scope behaves as missing");
}

#[tokio::test]
async fn sen2_sources_page_through_children_in_scope_and_audit_each_read() {
    let store = waymark_storage::SqliteStore::open_in_memory(clock()).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        let child = store.create_child(&admin(), new_child_in(if i == 4 { "886" } else { "851" }, false), "test").await.unwrap();
        ids.push(child.value.id);
    }
    store.open_case(&admin(), ids[0], request("2025-03-01"), "test").await.unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let batch = store.sen2_sources(&portsmouth(), None, after, 2, Sen2Reading::Export).await.unwrap();
        seen.extend(batch.sources.iter().map(|s| s.child.value.id));
        match batch.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, ids[..4].to_vec(), "Portsmouth's four children, in the order recorded; Kent's child is out of scope");
    let first = store.sen2_sources(&admin(), Some("851".parse().unwrap()), None, 10, Sen2Reading::Export).await.unwrap();
    assert_eq!(first.sources[0].cases.len(), 1);
    assert_eq!(store.sen2_las(&admin()).await.unwrap().len(), 2);
    let audit = store.audit_log(&admin(), &AuditFilter { child: Some(ids[0]), ..Default::default() }).await.unwrap();
    assert!(audit.iter().any(|a| a.subject == "sen2_return"), "{audit:?}");
}

#[tokio::test]
async fn a_check_of_the_sen2_return_is_one_aggregate_audit_entry_not_one_per_child() {
    let store = waymark_storage::SqliteStore::open_in_memory(clock()).await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(store.create_child(&admin(), new_child_in("851", false), "test").await.unwrap().value.id);
    }
    let all = AuditFilter::default();
    let before = store.audit_log(&admin(), &all).await.unwrap().len();
    let la: waymark_domain::identifiers::LaCode = "851".parse().unwrap();
    store.sen2_audit_check(&portsmouth(), la).await.unwrap();
    let batch = store.sen2_sources(&portsmouth(), Some(la), None, 10, Sen2Reading::Check).await.unwrap();
    // Children with no case are in no return: a check does not read them (an export reads every child).
    assert_eq!(batch.sources.len(), 0);
    let after = store.audit_log(&admin(), &all).await.unwrap();
    assert_eq!(after.len(), before + 1, "one entry for the check: {after:?}");
    assert!(after.iter().any(|a| a.subject == "sen2_check" && a.child_id.is_none()), "{after:?}");
}
