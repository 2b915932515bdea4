//! The identity review queue and merges: transactional, audited, scoped and undone exactly.

mod common;

use common::*;
use waymark_domain::child::{NewChild, PersonName};
use waymark_domain::facts::identity::PersonKeys;
use waymark_domain::identity::{compare, Decision};
use waymark_storage::{IdentityStore, ReviewDecision, ReviewStatus, SqliteStore, Store, StoreError};

fn unidentified(forename: &str) -> NewChild {
    let mut c = new_child_in("851", false);
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
async fn a_merge_moves_cases_to_the_kept_child_and_an_unmerge_moves_them_back_exactly() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let (keep, absorb) = two_children(&store).await;
    let case = store.open_case(&portsmouth(), absorb, request("2025-12-01"), "test").await.unwrap();
    let merge = store.merge_children(&portsmouth(), keep, absorb, "same child, confirmed with school").await.unwrap();
    assert_eq!(merge.moved.cases.len(), 1);
    assert_eq!(store.cases_for_child(&portsmouth(), keep).await.unwrap().len(), 1);
    assert!(store.cases_for_child(&portsmouth(), absorb).await.unwrap().is_empty());
    assert_eq!(store.merged_into(&portsmouth(), absorb).await.unwrap(), Some(keep));

    let undone = store.unmerge(&portsmouth(), merge.id, "not the same child after all").await.unwrap();
    assert!(undone.undone);
    let back = store.cases_for_child(&portsmouth(), absorb).await.unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].case_id, case.value.id);
    assert!(store.cases_for_child(&portsmouth(), keep).await.unwrap().is_empty());
    assert_eq!(store.merged_into(&portsmouth(), absorb).await.unwrap(), None);
    assert!(store.unmerge(&portsmouth(), merge.id, "again").await.is_err(), "a merge is undone once");
    store.integrity_check().await.unwrap();
}

#[tokio::test]
async fn a_merged_child_cannot_be_merged_again_or_into_itself() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let (keep, absorb) = two_children(&store).await;
    assert!(matches!(store.merge_children(&portsmouth(), keep, keep, "r").await, Err(StoreError::Invalid(_))));
    store.merge_children(&portsmouth(), keep, absorb, "r").await.unwrap();
    assert!(matches!(store.merge_children(&portsmouth(), keep, absorb, "r").await, Err(StoreError::Invalid(_))));
}

#[tokio::test]
async fn another_las_user_cannot_merge_or_see_the_queue() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let (keep, absorb) = two_children(&store).await;
    let c = compare(&keys(&unidentified("Sam")), &keys(&unidentified("Sam")));
    store.queue_review(&portsmouth(), keep, absorb, &c).await.unwrap();
    assert!(matches!(store.merge_children(&kent(), keep, absorb, "r").await, Err(StoreError::NotFound { .. })));
    assert!(store.review_queue(&kent()).await.unwrap().is_empty());
    assert_eq!(store.review_queue(&portsmouth()).await.unwrap().len(), 1);
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

    let decided = store.decide_review(&portsmouth(), id, ReviewDecision::Merge, "confirmed by SENCO").await.unwrap();
    assert_eq!(decided.status, ReviewStatus::Merged);
    assert!(decided.merge_id.is_some());
    assert!(store.review_queue(&portsmouth()).await.unwrap().is_empty());
    assert!(store.decide_review(&portsmouth(), id, ReviewDecision::Reject, "again").await.is_err());
}

#[tokio::test]
async fn a_rejected_pair_leaves_both_children_unmerged() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let (a, b) = two_children(&store).await;
    let c = compare(&keys(&unidentified("Sam")), &keys(&unidentified("Sam")));
    let id = store.queue_review(&portsmouth(), a, b, &c).await.unwrap().unwrap();
    let decided = store.decide_review(&portsmouth(), id, ReviewDecision::Reject, "twins").await.unwrap();
    assert_eq!(decided.status, ReviewStatus::Rejected);
    assert_eq!(store.merged_into(&portsmouth(), a).await.unwrap(), None);
    assert_eq!(store.merged_into(&portsmouth(), b).await.unwrap(), None);
}

#[tokio::test]
async fn a_merge_without_a_reason_is_refused() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let (keep, absorb) = two_children(&store).await;
    assert!(matches!(store.merge_children(&portsmouth(), keep, absorb, "  ").await, Err(StoreError::Invalid(_))));
}
