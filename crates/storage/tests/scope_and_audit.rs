//! Every query is scoped by the actor's rights, every read and write of a child's or case's record is
//! audited, and the audit log and histories cannot be changed.

mod common;

use common::*;
use sqlx::Row;
use waymark_domain::ids::{CaseId, ChildId};
use waymark_storage::{AuditAction, AuditFilter, ChildKey, SqliteStore, Store, StoreError};

#[tokio::test]
async fn an_actor_scoped_to_one_la_cannot_read_change_or_list_another_las_child_or_case() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let kent_child = store.create_child(&admin(), new_child_in("886", true), "referred").await.unwrap();
    let kent_case = store.open_case(&admin(), kent_child.value.id, request("2026-01-05"), "request").await.unwrap();
    let (child, case) = (kent_child.value.id, kent_case.value.id);
    let me = portsmouth();

    // Out of scope looks exactly like missing: same variant, same message shape.
    let missing_child: ChildId = "0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f".parse().unwrap();
    let missing_case: CaseId = "0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f".parse().unwrap();
    let hidden = store.get_child(&me, child).await.unwrap_err();
    let absent = store.get_child(&me, missing_child).await.unwrap_err();
    assert_eq!(hidden.to_string().replace(&child.to_string(), "ID"), absent.to_string().replace(&missing_child.to_string(), "ID"));
    assert_eq!(hidden, StoreError::NotFound { what: "child", id: child.to_string() });

    assert!(store.update_child(&me, &kent_child.value, 1, "edit").await.unwrap_err().is_not_found());
    assert!(store.child_history(&me, child).await.unwrap_err().is_not_found());
    assert!(store.cases_for_child(&me, child).await.unwrap_err().is_not_found());
    assert!(store.open_case(&me, child, request("2026-01-05"), "request").await.unwrap_err().is_not_found());
    assert!(store.find_children(&me, &ChildKey::Upn("X931200124123".parse().unwrap())).await.unwrap().is_empty());
    let hidden = store.get_case(&me, case).await.unwrap_err();
    let absent = store.get_case(&me, missing_case).await.unwrap_err();
    assert_eq!(hidden.to_string().replace(&case.to_string(), "ID"), absent.to_string().replace(&missing_case.to_string(), "ID"));
    assert!(store.case_history(&me, case).await.unwrap_err().is_not_found());
    let events = vec![event("2026-02-01", waymark_domain::case::CaseEventKind::DecidedToAssess)];
    // Not found even with a stale version: a conflict would reveal the case exists.
    assert!(store.record_case_events(&me, case, 99, events.clone(), "decide").await.unwrap_err().is_not_found());
    assert!(store.list_cases(&me).await.unwrap().is_empty());

    // Kent's own actor, and an actor with every LA, see and change it.
    assert_eq!(store.get_child(&kent(), child).await.unwrap(), kent_child);
    store.record_case_events(&kent(), case, 1, events, "decide").await.unwrap();
    assert_eq!(store.list_cases(&kent()).await.unwrap().len(), 1);
    assert_eq!(store.get_case(&admin(), case).await.unwrap().version, 2);
    assert_eq!(store.child_history(&admin(), child).await.unwrap().len(), 1, "nothing was written by 851");
}

#[tokio::test]
async fn an_actor_cannot_create_a_child_in_another_la_or_move_one_there() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let err = store.create_child(&portsmouth(), new_child_in("886", true), "referred").await.unwrap_err();
    assert_eq!(err, StoreError::OutOfScope { la: "886".parse().unwrap() });
    assert!(store.find_children(&admin(), &ChildKey::Upn("X931200124123".parse().unwrap())).await.unwrap().is_empty());

    let ours = store.create_child(&portsmouth(), new_child_in("851", true), "referred").await.unwrap();
    let mut moved = ours.value.clone();
    moved.responsible_la = "886".parse().unwrap();
    let err = store.update_child(&portsmouth(), &moved, 1, "moved to Kent").await.unwrap_err();
    assert!(matches!(err, StoreError::OutOfScope { .. }), "{err:?}");
    assert_eq!(store.get_child(&portsmouth(), ours.value.id).await.unwrap(), ours);
}

#[tokio::test]
async fn each_la_lists_only_its_own_cases_and_an_unscoped_actor_lists_all() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let a = store.create_child(&admin(), new_child_in("851", false), "referred").await.unwrap().value.id;
    let b = store.create_child(&admin(), new_child_in("886", false), "referred").await.unwrap().value.id;
    let case_a = store.open_case(&admin(), a, request("2026-01-05"), "request").await.unwrap().value.id;
    let case_b = store.open_case(&admin(), b, request("2026-01-05"), "request").await.unwrap().value.id;
    let ids = |list: Vec<waymark_storage::CaseSummary>| list.into_iter().map(|c| c.case_id).collect::<Vec<_>>();
    assert_eq!(ids(store.list_cases(&portsmouth()).await.unwrap()), [case_a]);
    assert_eq!(ids(store.list_cases(&kent()).await.unwrap()), [case_b]);
    assert_eq!(ids(store.list_cases(&admin()).await.unwrap()), [case_a, case_b]);
}

#[tokio::test]
async fn reads_and_writes_of_a_child_and_a_case_are_audited_with_actor_and_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("waymark.db");
    let store = file_store(&path, clock()).await;
    let created = store.create_child(&admin(), new_child(), "referred by school").await.unwrap();
    let child = created.value.id;
    store.get_child(&portsmouth(), child).await.unwrap();
    let mut changed = created.value.clone();
    changed.postcode = None;
    store.update_child(&portsmouth(), &changed, 1, "postcode removed").await.unwrap();
    let case = store.open_case(&admin(), child, request("2026-01-05"), "request").await.unwrap().value.id;
    store.get_case(&portsmouth(), case).await.unwrap();
    // A failed lookup reveals nothing and reads nothing, so it is not an audited read of a record.
    store.get_child(&kent(), child).await.unwrap_err();

    let entries = store.audit_log(&admin(), &AuditFilter { child: Some(child), ..AuditFilter::default() }).await.unwrap();
    let summary: Vec<_> = entries.iter().map(|e| (e.actor_label.as_str(), e.action, e.subject.as_str(), e.child_id, e.case_id)).collect();
    assert_eq!(
        summary,
        [
            ("user-851", AuditAction::Read, "case", Some(child), Some(case)),
            ("user-admin", AuditAction::Create, "case", Some(child), Some(case)),
            ("user-851", AuditAction::Update, "child", Some(child), None),
            ("user-851", AuditAction::Read, "child", Some(child), None),
            ("user-admin", AuditAction::Create, "child", Some(child), None),
        ],
        "newest first"
    );
    assert!(entries.iter().all(|e| e.at == at("2026-01-05T09:00:00Z") && e.la == Some("851".parse().unwrap())));

    let for_case = store.audit_log(&admin(), &AuditFilter { case: Some(case), ..AuditFilter::default() }).await.unwrap();
    assert_eq!(for_case.len(), 2);
    let limited = store.audit_log(&admin(), &AuditFilter { limit: 1, ..AuditFilter::default() }).await.unwrap();
    assert_eq!(limited.len(), 1);

    // No personal data anywhere in the audit table: only ids, labels, words and times.
    let mut raw = raw_connection(&path).await;
    let rows = sqlx::query("select at, actor, action, subject, la, child_id, case_id from audit_log").fetch_all(&mut raw).await.unwrap();
    let text: String = rows
        .iter()
        .map(|r| (0..7).map(|i| r.get::<Option<String>, _>(i).unwrap_or_default()).collect::<Vec<_>>().join("|"))
        .collect::<Vec<_>>()
        .join("\n");
    for personal in ["Sam", "Example", "2015-03-01", "PO1", "X931200124123", "9434765919", "9276308686", "referred"] {
        assert!(!text.contains(personal), "audit log holds {personal:?}:\n{text}");
    }
}

#[tokio::test]
async fn each_la_sees_only_audit_entries_for_its_own_records() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let a = store.create_child(&admin(), new_child_in("851", false), "referred").await.unwrap().value.id;
    let b = store.create_child(&admin(), new_child_in("886", false), "referred").await.unwrap().value.id;
    store.get_child(&kent(), b).await.unwrap();

    let ours = store.audit_log(&portsmouth(), &AuditFilter::default()).await.unwrap();
    assert_eq!(ours.iter().map(|e| e.child_id).collect::<Vec<_>>(), [Some(a)]);
    assert!(store.audit_log(&portsmouth(), &AuditFilter { child: Some(b), ..AuditFilter::default() }).await.unwrap().is_empty());
    assert_eq!(store.audit_log(&kent(), &AuditFilter::default()).await.unwrap().len(), 2);
    assert_eq!(store.audit_log(&admin(), &AuditFilter::default()).await.unwrap().len(), 3);
}

#[tokio::test]
async fn the_audit_log_child_history_and_case_events_refuse_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("waymark.db");
    let store = file_store(&path, clock()).await;
    let child = store.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let case = store.open_case(&admin(), child, request("2026-01-05"), "request").await.unwrap().value.id;
    store.get_case(&admin(), case).await.unwrap();

    let mut raw = raw_connection(&path).await;
    for statement in [
        "update audit_log set actor = 'someone else'",
        "delete from audit_log",
        "update child_history set reason = 'rewritten'",
        "delete from child_history",
        "update case_event set reason = 'rewritten'",
        "delete from case_event",
    ] {
        let err = sqlx::query(statement).execute(&mut raw).await.expect_err(statement);
        assert!(err.to_string().contains("append-only"), "{statement}: {err}");
    }
    assert_eq!(store.child_history(&admin(), child).await.unwrap()[0].reason, "referred");
    assert_eq!(store.case_history(&admin(), case).await.unwrap()[0].reason, "request");
    assert_eq!(store.audit_log(&admin(), &AuditFilter::default()).await.unwrap().len(), 5);
}
