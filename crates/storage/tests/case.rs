//! EHC cases: stored as their events, replayed on every read, refused when the lifecycle forbids an
//! event, and never silently overwritten.

mod common;

use chrono::TimeDelta;
use common::*;
use proptest::prelude::*;
use std::sync::Arc;
use waymark_domain::case::{Case, CaseEventKind as K, ReviewOutcome};
use waymark_domain::plan::PlanContents;
use waymark_storage::{SqliteStore, Store, StoreError};

#[tokio::test]
async fn a_full_case_history_replays_to_an_active_plan_after_reloading() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let child = store.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let history = full_history();
    let opened = store.open_case(&admin(), child, history[0].clone(), "request from parent").await.unwrap();
    assert_eq!(opened.version, 1);
    assert_eq!(opened.value.stage().name(), "requested");
    let id = opened.value.id;

    // In three batches, each based on the version the last one returned.
    let mut version = opened.version;
    for batch in [&history[1..4], &history[4..9], &history[9..]] {
        version = store.record_case_events(&admin(), id, version, batch.to_vec(), "casework").await.unwrap().version;
    }
    assert_eq!(version, history.len() as i64);

    let loaded = store.get_case(&admin(), id).await.unwrap();
    assert_eq!(loaded.version, history.len() as i64);
    assert_eq!(loaded.value, Case::replay(id, child, &history).unwrap());
    assert_eq!(loaded.value.stage().name(), "plan_active");
    assert_eq!(loaded.value.history(), history.as_slice());

    let summaries = store.cases_for_child(&admin(), child).await.unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!((summaries[0].case_id, summaries[0].stage.as_str(), summaries[0].version), (id, "plan_active", 11));
}

#[tokio::test]
async fn case_history_records_who_when_and_why_for_every_event() {
    let clock = clock();
    let store = SqliteStore::open_in_memory(clock.clone()).await.unwrap();
    let child = store.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let id = store.open_case(&admin(), child, request("2026-01-05"), "request from parent").await.unwrap().value.id;
    clock.advance(TimeDelta::days(30));
    let events = vec![event("2026-02-03", K::DecidedToAssess), event("2026-02-04", K::Withdrawn)];
    store.record_case_events(&portsmouth(), id, 1, events.clone(), "panel decision; family withdrew").await.unwrap();

    let recorded = store.case_history(&admin(), id).await.unwrap();
    assert_eq!(recorded.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(recorded[0].event, request("2026-01-05"));
    assert_eq!((recorded[0].actor_label.as_str(), recorded[0].reason.as_str()), ("user-admin", "request from parent"));
    assert_eq!(recorded[0].recorded_at, at("2026-01-05T09:00:00Z"));
    assert_eq!(recorded[1..].iter().map(|r| r.event.clone()).collect::<Vec<_>>(), events);
    for r in &recorded[1..] {
        assert_eq!((r.actor_label.as_str(), r.reason.as_str()), ("user-851", "panel decision; family withdrew"));
        assert_eq!(r.recorded_at, at("2026-02-04T09:00:00Z"));
    }
}

#[tokio::test]
async fn second_editor_of_a_case_gets_a_conflict_not_a_silent_overwrite() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let child = store.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let id = store.open_case(&admin(), child, request("2026-01-05"), "request").await.unwrap().value.id;

    // Both load version 1; the first records a decision to assess.
    let first = store.get_case(&admin(), id).await.unwrap();
    let second = store.get_case(&portsmouth(), id).await.unwrap();
    store.record_case_events(&admin(), id, first.version, vec![event("2026-02-10", K::DecidedToAssess)], "panel").await.unwrap();

    // The second, still on version 1, records a refusal: refused as a conflict, not applied.
    let err = store
        .record_case_events(&portsmouth(), id, second.version, vec![event("2026-02-11", K::DecidedNotToAssess)], "panel")
        .await
        .unwrap_err();
    assert_eq!(err, StoreError::Conflict { what: "case", id: id.to_string(), expected: 1, current: 2 });

    let now = store.get_case(&admin(), id).await.unwrap();
    assert_eq!(now.version, 2);
    assert_eq!(now.value.stage().name(), "assessing");
    assert_eq!(store.case_history(&admin(), id).await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_editors_racing_on_one_case_from_two_connections_never_both_win() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("waymark.db");
    let clock = clock();
    let one = Arc::new(file_store(&path, clock.clone()).await);
    let two = Arc::new(file_store(&path, clock.clone()).await);
    let child = one.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let id = one.open_case(&admin(), child, request("2026-01-05"), "request").await.unwrap().value.id;

    // Each round both editors record an exception starting, from the same version.
    let dates = ["2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09", "2026-01-10", "2026-01-11"];
    for (round, date) in dates.into_iter().enumerate() {
        let version = round as i64 + 1;
        let race = |store: Arc<SqliteStore>| {
            let events = vec![event(
                date,
                K::ExceptionStarted { reason: waymark_domain::case::ExceptionReason::PersonalCircumstances, party: None },
            )];
            tokio::spawn(async move { store.record_case_events(&admin(), id, version, events, "race").await })
        };
        let (a, b) = (race(one.clone()), race(two.clone()));
        let results = [a.await.unwrap(), b.await.unwrap()];
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "round {round}: {results:?}");
        let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_eq!(*loser, StoreError::Conflict { what: "case", id: id.to_string(), expected: version, current: version + 1 });
    }
    let case = two.get_case(&admin(), id).await.unwrap();
    assert_eq!(case.version, dates.len() as i64 + 1);
    assert_eq!(one.case_history(&admin(), id).await.unwrap().len(), dates.len() + 1);
}

#[tokio::test]
async fn an_illegal_transition_is_refused_with_its_rule_and_nothing_is_written() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let child = store.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let id = store.open_case(&admin(), child, request("2026-01-05"), "request").await.unwrap().value.id;
    let before = store.case_history(&admin(), id).await.unwrap();

    let final_plan = event("2026-01-20", K::FinalIssued { plan: PlanContents::default() });
    let err = store.record_case_events(&admin(), id, 1, vec![final_plan], "skip ahead").await.unwrap_err();
    let StoreError::Transition(refusal) = &err else { panic!("expected a transition error, got {err:?}") };
    assert_eq!(refusal.rule, "final_after_draft");
    assert!(err.to_string().contains("reg 13"), "{err}");

    // A batch whose first event is lawful and second is not is refused whole.
    let later_final = event("2026-02-20", K::FinalIssued { plan: PlanContents::default() });
    let batch = vec![event("2026-02-10", K::DecidedToAssess), later_final];
    let err = store.record_case_events(&admin(), id, 1, batch, "skip ahead").await.unwrap_err();
    assert!(matches!(err, StoreError::Transition(ref e) if e.rule == "final_after_draft"), "{err:?}");

    let after = store.get_case(&admin(), id).await.unwrap();
    assert_eq!(after.version, 1);
    assert_eq!(after.value.stage().name(), "requested");
    assert_eq!(store.case_history(&admin(), id).await.unwrap(), before);
    assert_eq!(store.list_cases(&admin()).await.unwrap()[0].version, 1);
}

#[tokio::test]
async fn a_final_plan_inside_the_15_day_comment_window_is_refused() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let child = store.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let history = full_history();
    let id = store.open_case(&admin(), child, history[0].clone(), "request").await.unwrap().value.id;
    store.record_case_events(&admin(), id, 1, history[1..8].to_vec(), "casework").await.unwrap();
    // The draft was issued on 10 April; 24 April is its 15th day.
    let early = event("2026-04-24", K::FinalIssued { plan: PlanContents::default() });
    let err = store.record_case_events(&admin(), id, 8, vec![early], "issue").await.unwrap_err();
    assert!(matches!(err, StoreError::Transition(ref e) if e.rule == "reg13_1_comment_window"), "{err:?}");
    assert_eq!(store.get_case(&admin(), id).await.unwrap().version, 8);
}

#[tokio::test]
async fn a_case_opens_only_with_a_request_or_an_existing_plan_and_only_for_a_known_child() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let child = store.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let err = store.open_case(&admin(), child, event("2026-01-05", K::DecidedToAssess), "open").await.unwrap_err();
    assert!(matches!(err, StoreError::Transition(ref e) if e.rule == "case_opens_with_request"), "{err:?}");

    let stranger = "0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f".parse().unwrap();
    let err = store.open_case(&admin(), stranger, request("2026-01-05"), "open").await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { what: "child", .. }), "{err:?}");

    assert!(store.list_cases(&admin()).await.unwrap().is_empty());
    assert!(matches!(
        store
            .record_case_events(&admin(), "0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f".parse().unwrap(), 1, vec![request("2026-01-05")], "x")
            .await,
        Err(StoreError::NotFound { what: "case", .. })
    ));
}

#[tokio::test]
async fn recording_no_events_is_refused_plainly() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let child = store.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let id = store.open_case(&admin(), child, request("2026-01-05"), "request").await.unwrap().value.id;
    let err = store.record_case_events(&admin(), id, 1, vec![], "nothing").await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert_eq!(store.get_case(&admin(), id).await.unwrap().version, 1);
}

#[tokio::test]
async fn cases_are_listed_per_child_and_overall_with_their_stage() {
    let clock = clock();
    let store = SqliteStore::open_in_memory(clock.clone()).await.unwrap();
    let sam = store.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let alex = store.create_child(&admin(), new_child_in("851", false), "referred").await.unwrap().value.id;
    let first = store.open_case(&admin(), sam, request("2026-01-05"), "request").await.unwrap().value.id;
    store.record_case_events(&admin(), first, 1, vec![event("2026-02-01", K::DecidedNotToAssess)], "panel").await.unwrap();
    clock.advance(TimeDelta::days(40));
    let second = store.open_case(&admin(), sam, request("2026-02-14"), "new request").await.unwrap().value.id;
    clock.advance(TimeDelta::minutes(1));
    let third = store.open_case(&admin(), alex, request("2026-02-14"), "request").await.unwrap().value.id;

    let sams = store.cases_for_child(&admin(), sam).await.unwrap();
    assert_eq!(
        sams.iter().map(|c| (c.case_id, c.stage.as_str(), c.version)).collect::<Vec<_>>(),
        [(first, "assessment_refused", 2), (second, "requested", 1)]
    );
    assert_eq!(sams[1].opened_at, at("2026-02-14T09:00:00Z"));
    let all = store.list_cases(&admin()).await.unwrap();
    assert_eq!(all.iter().map(|c| c.case_id).collect::<Vec<_>>(), [first, second, third]);
    assert!(all.iter().all(|c| c.la.to_string() == "851"));
}

/// `history` cut to `len` events and recorded in batches of the given sizes (the rest in one batch).
async fn store_prefix(len: usize, batches: &[usize]) -> Result<(), TestCaseError> {
    let history = &full_history()[..len];
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let child = store.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let opened = store.open_case(&admin(), child, history[0].clone(), "request").await.unwrap();
    let id = opened.value.id;
    let mut version = opened.version;
    let mut rest = &history[1..];
    let mut sizes = batches.iter().copied();
    while !rest.is_empty() {
        let size = sizes.next().unwrap_or(rest.len()).min(rest.len());
        let (batch, tail) = rest.split_at(size);
        let recorded = store.record_case_events(&admin(), id, version, batch.to_vec(), "casework").await.unwrap();
        prop_assert_eq!(recorded.version, version + size as i64);
        version = recorded.version;
        rest = tail;
    }
    let loaded = store.get_case(&admin(), id).await.unwrap();
    let expected = Case::replay(id, child, history).unwrap();
    prop_assert_eq!(loaded.version, len as i64);
    prop_assert_eq!(&loaded.value, &expected);
    let recorded: Vec<_> = store.case_history(&admin(), id).await.unwrap().into_iter().map(|r| r.event).collect();
    prop_assert_eq!(recorded.as_slice(), history);
    let listed = store.list_cases(&admin()).await.unwrap();
    prop_assert_eq!(listed[0].stage.as_str(), expected.stage().name());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn any_valid_prefix_of_a_case_history_round_trips_through_the_store_identically(
        len in 1..=full_history().len(),
        batches in proptest::collection::vec(1usize..5, 0..10),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(store_prefix(len, &batches))?;
    }
}

#[tokio::test]
async fn a_review_that_decides_to_amend_is_stored_and_replayed() {
    // A second path through the review cycle, to show stored events of other kinds round-trip.
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let child = store.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let mut history = full_history();
    history.pop();
    history.push(event("2027-05-01", K::ReviewDecision { outcome: ReviewOutcome::Amend }));
    history.push(event("2027-05-02", K::AmendmentsProposed { plan: PlanContents::default() }));
    history.push(event("2027-05-20", K::AmendedFinalIssued { plan: PlanContents::default() }));
    let id = store.open_case(&admin(), child, history[0].clone(), "request").await.unwrap().value.id;
    store.record_case_events(&admin(), id, 1, history[1..].to_vec(), "casework").await.unwrap();
    let loaded = store.get_case(&admin(), id).await.unwrap();
    assert_eq!(loaded.value, Case::replay(id, child, &history).unwrap());
}
