//! Children: created, read and changed with a version each time, every version kept with who, when and
//! why, and no change ever silently overwriting another.

mod common;

use chrono::TimeDelta;
use common::*;
use std::sync::Arc;
use waymark_domain::child::ChildError;
use waymark_domain::ids::ChildId;
use waymark_storage::{ChildKey, SqliteStore, Store, StoreError};

#[tokio::test]
async fn a_child_is_created_read_and_updated_with_a_new_version_each_time() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let created = store.create_child(&admin(), new_child(), "referred by school").await.unwrap();
    assert_eq!(created.version, 1);

    let loaded = store.get_child(&admin(), created.value.id).await.unwrap();
    assert_eq!(loaded, created);

    let mut changed = loaded.value.clone();
    changed.postcode = Some("PO2 9XY".parse().unwrap());
    let updated = store.update_child(&admin(), &changed, loaded.version, "family moved").await.unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.value, changed);

    let reloaded = store.get_child(&admin(), changed.id).await.unwrap();
    assert_eq!(reloaded.version, 2);
    assert_eq!(reloaded.value.postcode.unwrap().to_string(), "PO2 9XY");
}

#[tokio::test]
async fn child_history_records_who_when_and_why_for_every_version() {
    let clock = clock();
    let store = SqliteStore::open_in_memory(clock.clone()).await.unwrap();
    let v1 = store.create_child(&admin(), new_child(), "referred by school").await.unwrap();

    clock.advance(TimeDelta::hours(3));
    let mut changed = v1.value.clone();
    changed.postcode = None;
    store.update_child(&portsmouth(), &changed, 1, "  postcode was wrong  ").await.unwrap();

    let history = store.child_history(&admin(), v1.value.id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].version, 1);
    assert_eq!(history[0].actor_label, "user-admin");
    assert_eq!(history[0].reason, "referred by school");
    assert_eq!(history[0].recorded_at, at("2026-01-05T09:00:00Z"));
    assert_eq!(history[0].snapshot, v1.value);
    assert_eq!(history[1].version, 2);
    assert_eq!(history[1].actor_label, "user-851");
    assert_eq!(history[1].reason, "postcode was wrong", "reasons are trimmed");
    assert_eq!(history[1].recorded_at, at("2026-01-05T12:00:00Z"));
    assert_eq!(history[1].snapshot, changed);
}

#[tokio::test]
async fn second_editor_of_a_child_gets_a_conflict_not_a_silent_overwrite() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let created = store.create_child(&admin(), new_child(), "referred").await.unwrap();

    // Two caseworkers load version 1.
    let mut first = store.get_child(&admin(), created.value.id).await.unwrap();
    let mut second = store.get_child(&portsmouth(), created.value.id).await.unwrap();

    first.value.postcode = Some("PO2 9XY".parse().unwrap());
    store.update_child(&admin(), &first.value, first.version, "moved").await.unwrap();

    second.value.nhs_number = None;
    let err = store.update_child(&portsmouth(), &second.value, second.version, "no NHS number").await.unwrap_err();
    assert_eq!(err, StoreError::Conflict { what: "child", id: created.value.id.to_string(), expected: 1, current: 2 });
    assert!(err.is_conflict());
    let message = err.to_string();
    assert!(message.contains("someone else changed") && message.contains("reload"), "{message}");

    // The first editor's change is intact, and the second wrote nothing.
    let now = store.get_child(&admin(), created.value.id).await.unwrap();
    assert_eq!(now.version, 2);
    assert_eq!(now.value, first.value);
    assert_eq!(store.child_history(&admin(), created.value.id).await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_editors_racing_on_one_child_from_two_connections_never_both_win() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("waymark.db");
    let clock = clock();
    let one = Arc::new(file_store(&path, clock.clone()).await);
    let two = Arc::new(file_store(&path, clock.clone()).await);
    let created = one.create_child(&admin(), new_child(), "referred").await.unwrap();
    let id = created.value.id;

    const ROUNDS: i64 = 10;
    for round in 0..ROUNDS {
        let base = one.get_child(&admin(), id).await.unwrap();
        assert_eq!(base.version, round + 1);
        let race = |store: Arc<SqliteStore>, postcode: &'static str| {
            let mut child = base.value.clone();
            child.postcode = Some(postcode.parse().unwrap());
            let version = base.version;
            tokio::spawn(async move { store.update_child(&admin(), &child, version, "race").await })
        };
        let (a, b) = (race(one.clone(), "PO1 1AA"), race(two.clone(), "PO2 2BB"));
        let results = [a.await.unwrap(), b.await.unwrap()];
        let wins = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "round {round}: exactly one editor wins: {results:?}");
        let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_eq!(*loser, StoreError::Conflict { what: "child", id: id.to_string(), expected: base.version, current: base.version + 1 });
        let winner = results.iter().find_map(|r| r.as_ref().ok()).unwrap();
        assert_eq!(two.get_child(&admin(), id).await.unwrap(), *winner);
    }
    assert_eq!(one.child_history(&admin(), id).await.unwrap().len() as i64, ROUNDS + 1);
    one.integrity_check().await.unwrap();
}

#[tokio::test]
async fn a_child_born_after_the_injected_today_is_refused_with_the_rule_and_nothing_is_written() {
    let clock = clock(); // 5 January 2026
    let store = SqliteStore::open_in_memory(clock.clone()).await.unwrap();
    let mut unborn = new_child();
    unborn.date_of_birth = d("2026-01-06");
    let err = store.create_child(&admin(), unborn, "referred").await.unwrap_err();
    assert!(matches!(err, StoreError::Child(ChildError::BornInFuture { .. })), "{err:?}");
    assert!(store.find_children(&admin(), &ChildKey::Upn("X931200124123".parse().unwrap())).await.unwrap().is_empty());

    // The same date is fine once the clock reaches it.
    clock.advance(TimeDelta::days(1));
    let mut born = new_child();
    born.date_of_birth = d("2026-01-06");
    let created = store.create_child(&admin(), born, "referred at birth").await.unwrap();

    // A changed date of birth meets the same rule; an unchanged one is not re-checked.
    let mut changed = created.value.clone();
    changed.date_of_birth = d("2027-01-01");
    let err = store.update_child(&admin(), &changed, 1, "typo").await.unwrap_err();
    assert!(matches!(err, StoreError::Child(ChildError::BornInFuture { .. })), "{err:?}");
    assert_eq!(store.get_child(&admin(), created.value.id).await.unwrap().version, 1);
}

#[tokio::test]
async fn a_change_without_a_reason_or_by_an_unlabelled_actor_is_refused_and_nothing_is_written() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let err = store.create_child(&admin(), new_child(), "   ").await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("reason")), "{err:?}");

    let created = store.create_child(&admin(), new_child(), "referred").await.unwrap();
    let err = store.update_child(&admin(), &created.value, 1, "").await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");

    let mut nobody = admin();
    nobody.label = " ".into();
    assert!(matches!(store.get_child(&nobody, created.value.id).await, Err(StoreError::Invalid(_))));
    nobody.label = "line\nbreak".into();
    assert!(matches!(store.get_child(&nobody, created.value.id).await, Err(StoreError::Invalid(_))));

    assert_eq!(store.child_history(&admin(), created.value.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_unknown_child_is_not_found_with_a_plain_message() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let id: ChildId = "0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f".parse().unwrap();
    let err = store.get_child(&admin(), id).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.to_string(), "there is no child with id 0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f among the records you can see");
}

#[tokio::test]
async fn children_are_found_by_upn_uln_or_nhs_number() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let known = store.create_child(&admin(), new_child(), "referred").await.unwrap();
    store.create_child(&admin(), new_child_in("851", false), "referred").await.unwrap();

    for key in [
        ChildKey::Upn("X931200124123".parse().unwrap()),
        ChildKey::Uln("9276308686".parse().unwrap()),
        ChildKey::NhsNumber("9434765919".parse().unwrap()),
    ] {
        let found = store.find_children(&admin(), &key).await.unwrap();
        assert_eq!(found, vec![known.clone()], "{key:?}");
    }
    let other_upn = ChildKey::Upn("B801200005001".parse().unwrap());
    assert!(store.find_children(&admin(), &other_upn).await.unwrap().is_empty());

    // A changed identifier is found by its new value only.
    let mut changed = known.value.clone();
    changed.upn = Some("B801200005001".parse().unwrap());
    store.update_child(&admin(), &changed, 1, "UPN corrected").await.unwrap();
    assert_eq!(store.find_children(&admin(), &other_upn).await.unwrap().len(), 1);
    assert!(store.find_children(&admin(), &ChildKey::Upn("X931200124123".parse().unwrap())).await.unwrap().is_empty());
}
