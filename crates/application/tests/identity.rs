//! The identity scan and a person's decisions on the review queue, against a store: a shared
//! identifier merges, a scored pair is queued and never merged, a decision is recorded once, and a
//! merge a person undid is never made again (docs/identity.md).

use std::sync::Arc;
use waymark_application::identity::{decide_review, scan, ScanOptions};
use waymark_domain::calendar::{parse_iso_date, Date};
use waymark_domain::child::{NewChild, PersonName, Sex};
use waymark_domain::facts::identity::PersonKeys;
use waymark_domain::identity::{compare, Decision};
use waymark_storage::{Actor, FixedClock, IdentityStore, ReviewDecision, ReviewStatus, Scope, SqliteStore, Store, StoreError};

fn d(text: &str) -> Date {
    parse_iso_date(text).unwrap()
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new("2026-01-05T09:00:00Z".parse().unwrap()))
}

fn portsmouth() -> Actor {
    Actor::new("user-851", Scope::LocalAuthority("851".parse().unwrap()))
}

/// A child of Portsmouth born on 1 March 2015, with a UPN, ULN and NHS number when `identified`.
fn new_child_in(identified: bool) -> NewChild {
    NewChild {
        name: PersonName::new("Sam", "Example").unwrap(),
        date_of_birth: d("2015-03-01"),
        sex: Sex::Female,
        ethnicity: Some("WBRI".parse().unwrap()),
        postcode: Some("PO1 2AB".parse().unwrap()),
        upn: identified.then(|| "X931200124123".parse().unwrap()),
        uln: identified.then(|| "9276308686".parse().unwrap()),
        nhs_number: identified.then(|| "9434765919".parse().unwrap()),
        responsible_la: "851".parse().unwrap(),
    }
}

fn new_child() -> NewChild {
    new_child_in(true)
}

fn unidentified(forename: &str) -> NewChild {
    let mut c = new_child_in(false);
    c.name = PersonName::new(forename, "Example").unwrap();
    c
}

fn keys(c: &NewChild) -> PersonKeys {
    let mut k = PersonKeys::new(c.responsible_la);
    k.name = Some(c.name.clone());
    k.date_of_birth = Some(c.date_of_birth);
    k.sex = Some(c.sex);
    k.postcode = c.postcode.clone();
    k
}

async fn two_children(store: &SqliteStore) -> (waymark_domain::ids::ChildId, waymark_domain::ids::ChildId) {
    let a = store.create_child(&portsmouth(), unidentified("Sam"), "test").await.unwrap();
    let b = store.create_child(&portsmouth(), unidentified("Sam"), "test").await.unwrap();
    (a.value.id, b.value.id)
}

#[tokio::test]
async fn a_queued_pair_is_merged_only_when_a_person_decides_and_the_decision_is_recorded() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let (a, b) = two_children(&store).await;
    let c = compare(&keys(&unidentified("Sam")), &keys(&unidentified("Sam")));
    assert_ne!(c.decision, Decision::NonMatch);
    let id = store.queue_review(&portsmouth(), a, b, &c).await.unwrap().expect("queued");
    assert_eq!(store.queue_review(&portsmouth(), b, a, &c).await.unwrap(), None, "a pair is queued once");
    assert_eq!(store.merged_into(&portsmouth(), b).await.unwrap(), None, "queueing never merges");
    let queue = store.review_queue(&portsmouth()).await.unwrap();
    assert_eq!(queue[0].reasons, c.reasons);

    let decided = decide_review(&store, &portsmouth(), id, ReviewDecision::Merge, "confirmed by SENCO").await.unwrap();
    assert_eq!(decided.status, ReviewStatus::Merged);
    assert!(decided.merge_id.is_some());
    assert!(store.review_queue(&portsmouth()).await.unwrap().is_empty());
    assert!(decide_review(&store, &portsmouth(), id, ReviewDecision::Reject, "again").await.is_err());
}

#[tokio::test]
async fn a_rejected_pair_leaves_both_children_unmerged() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let (a, b) = two_children(&store).await;
    let c = compare(&keys(&unidentified("Sam")), &keys(&unidentified("Sam")));
    let id = store.queue_review(&portsmouth(), a, b, &c).await.unwrap().unwrap();
    let decided = decide_review(&store, &portsmouth(), id, ReviewDecision::Reject, "twins").await.unwrap();
    assert_eq!(decided.status, ReviewStatus::Rejected);
    assert_eq!(store.merged_into(&portsmouth(), a).await.unwrap(), None);
    assert_eq!(store.merged_into(&portsmouth(), b).await.unwrap(), None);
}

#[tokio::test]
async fn a_scan_merges_shared_identifiers_queues_scored_pairs_and_after_an_unmerge_never_merges_the_pair_again() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    // Two records with one UPN (entered twice), and two without identifiers that look alike.
    let first = store.create_child(&portsmouth(), new_child(), "test").await.unwrap().value.id;
    let dup = store.create_child(&portsmouth(), new_child(), "test").await.unwrap().value.id;
    let mut sam = new_child_in(false);
    sam.name = PersonName::new("Sam", "Sample").unwrap();
    sam.date_of_birth = d("2012-06-01");
    let x = store.create_child(&portsmouth(), sam.clone(), "test").await.unwrap().value.id;
    sam.name = PersonName::new("Samuel", "Sample").unwrap();
    let y = store.create_child(&portsmouth(), sam, "test").await.unwrap().value.id;

    let dry = scan(&store, &portsmouth(), ScanOptions { dry_run: true, ..ScanOptions::default() }).await.unwrap();
    assert_eq!((dry.merged, dry.queued_match + dry.queued_review), (1, 1));
    assert_eq!(store.merged_into(&portsmouth(), dup).await.unwrap(), None, "a dry run writes nothing");

    let report = scan(&store, &portsmouth(), ScanOptions::default()).await.unwrap();
    assert_eq!((report.children, report.merged, report.queued_match + report.queued_review), (4, 1, 1), "{report:?}");
    assert_eq!(store.merged_into(&portsmouth(), dup).await.unwrap(), Some(first), "the record created first is kept");
    let queue = store.review_queue(&portsmouth()).await.unwrap();
    assert_eq!(queue.len(), 1);
    let mut pair = [queue[0].child_a, queue[0].child_b];
    pair.sort();
    let mut expected = [x, y];
    expected.sort();
    assert_eq!(pair, expected);
    assert_eq!(store.merged_into(&portsmouth(), y).await.unwrap(), None, "a scored pair is queued, never merged");

    let again = scan(&store, &portsmouth(), ScanOptions::default()).await.unwrap();
    assert_eq!((again.merged, again.queued_match + again.queued_review, again.already_known), (0, 0, 1));

    // A person undoes the scan's merge: the pair is back on the queue, and no scan merges it again.
    store.unmerge(&portsmouth(), report.merges[0], "two children sharing a mistyped UPN").await.unwrap();
    assert_eq!(store.review_queue(&portsmouth()).await.unwrap().len(), 2);
    let after = scan(&store, &portsmouth(), ScanOptions::default()).await.unwrap();
    assert_eq!(after.merged, 0, "{after:?}");
    assert_eq!(store.merged_into(&portsmouth(), dup).await.unwrap(), None);
    let history = store.identity_history(&portsmouth(), Some(dup)).await.unwrap();
    let kinds: Vec<&str> = history.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["merged", "unmerged"]);
}

#[tokio::test]
async fn a_decision_on_a_pair_whose_child_was_since_merged_applies_to_the_surviving_record() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let mut sam = new_child_in(false);
    sam.name = PersonName::new("Sam", "Sample").unwrap();
    let a = store.create_child(&portsmouth(), sam.clone(), "test").await.unwrap().value.id;
    let b = store.create_child(&portsmouth(), sam.clone(), "test").await.unwrap().value.id;
    let c = store.create_child(&portsmouth(), sam, "test").await.unwrap().value.id;
    scan(&store, &portsmouth(), ScanOptions::default()).await.unwrap();
    let queue = store.review_queue(&portsmouth()).await.unwrap();
    assert_eq!(queue.len(), 3, "three look-alike records make three pairs");
    let ab = queue.iter().find(|e| [e.child_a, e.child_b].contains(&a) && [e.child_a, e.child_b].contains(&b)).unwrap().id;
    let bc = queue.iter().find(|e| [e.child_a, e.child_b].contains(&b) && [e.child_a, e.child_b].contains(&c)).unwrap().id;
    let decided = decide_review(&store, &portsmouth(), ab, ReviewDecision::MergeKeeping(b), "confirmed").await.unwrap();
    assert_eq!(decided.status, ReviewStatus::Merged);
    assert_eq!(store.merged_into(&portsmouth(), a).await.unwrap(), Some(b));
    // (a, c) is now about b and c, which (b, c) also asks: deciding (b, c) merges c into b.
    decide_review(&store, &portsmouth(), bc, ReviewDecision::Merge, "confirmed").await.unwrap();
    assert_eq!(store.surviving_child(&portsmouth(), c).await.unwrap(), b);
    let left = store.review_queue(&portsmouth()).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!((left[0].a_now.unwrap_or(left[0].child_a), left[0].b_now.unwrap_or(left[0].child_b)), (b, b));
    let err = decide_review(&store, &portsmouth(), left[0].id, ReviewDecision::Merge, "again").await.unwrap_err();
    assert!(err.to_string().contains("already one record"), "{err}");
    decide_review(&store, &portsmouth(), left[0].id, ReviewDecision::Reject, "settled by the merges").await.unwrap();
    assert!(store.review_queue(&portsmouth()).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_decision_without_a_reason_is_refused_before_anything_is_read() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let err = decide_review(&store, &portsmouth(), 999, ReviewDecision::Reject, "  ").await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    let err = decide_review(&store, &portsmouth(), 999, ReviewDecision::Reject, "twins").await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
}

#[tokio::test]
async fn a_scan_for_one_la_leaves_another_las_children_alone() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let kent = Actor::new("user-886", Scope::LocalAuthority("886".parse().unwrap()));
    store.create_child(&portsmouth(), new_child(), "test").await.unwrap();
    store.create_child(&portsmouth(), new_child(), "test").await.unwrap();
    let report = scan(&store, &kent, ScanOptions::default()).await.unwrap();
    assert_eq!((report.children, report.merged), (0, 0));
    let report = scan(&store, &portsmouth(), ScanOptions { merge_shared_identifiers: false, ..ScanOptions::default() }).await.unwrap();
    assert_eq!((report.merged, report.queued_match), (0, 1), "{report:?}");
}

#[tokio::test]
async fn identity_work_refuses_children_outside_the_actors_scope() {
    use waymark_storage::IdentityWrite;
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let (a, b) = two_children(&store).await;
    let kent = Actor::new("user-886", Scope::LocalAuthority("886".parse().unwrap()));
    let mut work = store.begin_identity_work(&kent, None).await.unwrap();
    assert!(matches!(work.created_first(a, b).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(work.pair_known(a, b).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(work.live_children("851".parse().unwrap()).await, Err(StoreError::OutOfScope { .. })));
}
