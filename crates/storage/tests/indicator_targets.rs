//! Local targets set in the application: one current target per indicator, period and LA, every change
//! kept with who, when and why; scoped to the actor's LA; a change moves the data generation so cached
//! dashboards are computed again. And the LA's small-number threshold.

mod common;

use common::*;
use waymark_storage::{CaseloadStore, IndicatorStore, SqliteStore, StoreError, TargetRecord, DEFAULT_SUPPRESSION_THRESHOLD};

fn target(la: &str, period: &str, value: Option<f64>) -> TargetRecord {
    TargetRecord {
        framework: "dfe-ehcp".into(),
        indicator: "plans_within_20_weeks_excl_exceptions_pct".into(),
        period: period.into(),
        la: la.into(),
        value,
    }
}

#[tokio::test]
async fn a_target_is_set_changed_and_cleared_with_its_history_kept() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let g0 = store.data_generation().await.unwrap();
    assert!(store.save_target(&portsmouth(), &target("851", "2025", Some(60.0)), "board agreed 60% for 2025").await.unwrap());
    assert!(store.data_generation().await.unwrap() > g0, "a new target recomputes the dashboards");
    assert!(!store.save_target(&portsmouth(), &target("851", "2025", Some(60.0)), "same again").await.unwrap(), "no change");
    assert!(store.save_target(&portsmouth(), &target("851", "2025", Some(55.0)), "revised after Q2").await.unwrap());
    assert_eq!(store.targets(&portsmouth()).await.unwrap(), vec![target("851", "2025", Some(55.0))]);
    assert!(store.save_target(&portsmouth(), &target("851", "2025", None), "use England instead").await.unwrap());
    assert!(store.targets(&portsmouth()).await.unwrap().is_empty());
    let history = store.target_history(&portsmouth(), "dfe-ehcp", "plans_within_20_weeks_excl_exceptions_pct").await.unwrap();
    let seen: Vec<_> = history.iter().map(|h| (h.version, h.value, h.reason.as_str(), h.actor.as_str())).collect();
    assert_eq!(
        seen,
        vec![
            (3, None, "use England instead", "user-851"),
            (2, Some(55.0), "revised after Q2", "user-851"),
            (1, Some(60.0), "board agreed 60% for 2025", "user-851")
        ]
    );
}

#[tokio::test]
async fn targets_are_scoped_to_the_actors_la_and_need_a_reason() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    assert!(matches!(store.save_target(&portsmouth(), &target("886", "2025", Some(60.0)), "not mine").await, Err(StoreError::Invalid(_))));
    assert!(matches!(store.save_target(&portsmouth(), &target("851", "2025", Some(60.0)), "  ").await, Err(StoreError::Invalid(_))));
    assert!(matches!(store.save_target(&portsmouth(), &target("851", "2025", Some(f64::NAN)), "nan").await, Err(StoreError::Invalid(_))));
    store.save_target(&kent(), &target("886", "2025", Some(70.0)), "kent's").await.unwrap();
    assert!(store.targets(&portsmouth()).await.unwrap().is_empty(), "Kent's target is not Portsmouth's to see");
    assert_eq!(store.targets(&admin()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_small_number_threshold_defaults_to_five_and_the_la_can_change_it() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    assert_eq!(store.suppression_threshold(&portsmouth(), "851").await.unwrap(), DEFAULT_SUPPRESSION_THRESHOLD);
    store.set_suppression_threshold(&portsmouth(), "851", 9, "board papers are published").await.unwrap();
    assert_eq!(store.suppression_threshold(&portsmouth(), "851").await.unwrap(), 9);
    assert!(store.set_suppression_threshold(&portsmouth(), "886", 2, "not mine").await.is_err());
    assert!(store.set_suppression_threshold(&portsmouth(), "851", 101, "too many").await.is_err());
}
