//! The complaints and co-production logs in the store: scoped by LA, a complaint linked to a case
//! audited against it, stages escalating in order, and nothing written when a check fails.

mod common;

use common::*;
use waymark_storage::{AuditFilter, ComplaintStore, NewComplaint, SqliteStore, Store, StoreError};
use waymark_surveys::complaints::{Outcome, Stage};
use waymark_surveys::coproduction::{Coproduction, Group, Kind};

fn entry(stage: Stage, received: &str) -> NewComplaint {
    NewComplaint {
        la: "851".parse().unwrap(),
        stage,
        received_on: d(received),
        summary: "Plan not issued on time".into(),
        case: None,
        follows: None,
    }
}

#[tokio::test]
async fn a_complaint_about_a_case_is_audited_against_it_and_scoped_by_la() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let child = store.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let case = store.open_case(&admin(), child, request("2026-01-02"), "test").await.unwrap().value.id;
    let mut first = entry(Stage::Stage1, "2026-01-05");
    first.case = Some(case);
    let recorded = store.record_complaint(&portsmouth(), &first).await.unwrap();
    assert_eq!(recorded.child, Some(child));
    let audit = store.audit_log(&admin(), &AuditFilter { child: None, case: Some(case), limit: 50 }).await.unwrap();
    assert!(audit.iter().any(|e| e.subject == "complaint"), "{audit:?}");

    // Another LA sees none of it, cannot record in Portsmouth's log, nor name Portsmouth's case.
    assert!(store.complaints(&kent()).await.unwrap().is_empty());
    assert!(matches!(store.complaint(&kent(), recorded.id).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(store.record_complaint(&kent(), &first).await, Err(StoreError::OutOfScope { .. })));
    let mut theirs = entry(Stage::Stage1, "2026-01-05");
    theirs.la = "886".parse().unwrap();
    theirs.case = Some(case);
    assert!(matches!(store.record_complaint(&kent(), &theirs).await, Err(StoreError::NotFound { .. })));
    assert_eq!(store.complaints(&portsmouth()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_complaint_escalates_stage_by_stage_and_its_response_is_recorded_once_per_version() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let s1 = store.record_complaint(&portsmouth(), &entry(Stage::Stage1, "2026-01-05")).await.unwrap();
    let answered = store.respond_to_complaint(&portsmouth(), s1.id, 1, d("2026-01-12"), Outcome::NotUpheld).await.unwrap();
    assert_eq!((answered.outcome, answered.version), (Some(Outcome::NotUpheld), 2));
    // A stale form is refused; a response dated before receipt is refused.
    assert!(matches!(
        store.respond_to_complaint(&portsmouth(), s1.id, 1, d("2026-01-13"), Outcome::Upheld).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store.respond_to_complaint(&portsmouth(), s1.id, 2, d("2026-01-01"), Outcome::Upheld).await,
        Err(StoreError::Invalid(_))
    ));
    // Stage 2 follows stage 1; the Ombudsman cannot follow stage 1 directly.
    let mut ombudsman = entry(Stage::Ombudsman, "2026-01-20");
    ombudsman.follows = Some(s1.id);
    assert!(matches!(store.record_complaint(&portsmouth(), &ombudsman).await, Err(StoreError::Invalid(_))));
    let mut s2 = entry(Stage::Stage2, "2026-01-20");
    s2.follows = Some(s1.id);
    let s2 = store.record_complaint(&portsmouth(), &s2).await.unwrap();
    assert_eq!(s2.follows, Some(s1.id));
    // A compliment has no response to record.
    let thanks = store.record_complaint(&portsmouth(), &entry(Stage::Compliment, "2026-01-05")).await.unwrap();
    assert!(matches!(
        store.respond_to_complaint(&portsmouth(), thanks.id, 1, d("2026-01-06"), Outcome::Upheld).await,
        Err(StoreError::Invalid(_))
    ));
    let log = store.complaints(&portsmouth()).await.unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log.iter().find(|c| c.id == s1.id).unwrap().responded_on, Some(d("2026-01-12")));
}

#[tokio::test]
async fn co_production_entries_are_kept_per_la_with_groups_and_deliverables() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let meeting = Coproduction {
        held_on: d("2026-01-02"),
        kind: Kind::Meeting,
        title: "Parent carer forum steering group".into(),
        took_part: vec![(Group::ParentCarerForum, 6), (Group::YoungPeople, 3)],
        decided: "Co-design the annual review letter.".into(),
        deliverables: vec!["B7".into()],
    };
    store.record_coproduction(&portsmouth(), "851".parse().unwrap(), &meeting).await.unwrap();
    assert!(matches!(store.record_coproduction(&kent(), "851".parse().unwrap(), &meeting).await, Err(StoreError::OutOfScope { .. })));
    let list = store.coproduction(&portsmouth()).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].entry, meeting);
    assert!(store.coproduction(&kent()).await.unwrap().is_empty());
}
