//! Placements: recorded, ended with a new version, read per child (audited), found per setting for a
//! SENCO's list, scoped by LA, and checked by the domain's rules.

mod common;

use common::*;
use waymark_domain::identifiers::SettingRef;
use waymark_domain::placement::Placement;
use waymark_storage::{AuditFilter, PlacementStore, SqliteStore, Store, StoreError};

fn at_school(urn: &str, entry: &str) -> Placement {
    Placement {
        setting: SettingRef::Urn(urn.parse().unwrap()),
        rank: 1,
        entry: d(entry),
        leaving: None,
        sen_unit: false,
        resourced_provision: true,
        residential: None,
        work_based: None,
        setting_la: Some("851".parse().unwrap()),
    }
}

async fn store() -> SqliteStore {
    SqliteStore::open_in_memory(clock()).await.unwrap()
}

#[tokio::test]
async fn a_placement_is_recorded_ended_and_read_back_in_entry_order() {
    let store = store().await;
    let child = store.create_child(&admin(), new_child(), "referral").await.unwrap().value.id;
    let later = store.record_placement(&admin(), child, at_school("100002", "2024-09-04"), "moved school").await.unwrap();
    let first = store.record_placement(&admin(), child, at_school("100001", "2019-09-04"), "started school").await.unwrap();
    let ended = store.end_placement(&admin(), first.value.placement_id, 1, d("2024-07-19"), "left for secondary").await.unwrap();
    assert_eq!(ended.version, 2);
    let all = store.placements_for_child(&admin(), child).await.unwrap();
    assert_eq!(all.iter().map(|p| p.value.placement_id).collect::<Vec<_>>(), vec![first.value.placement_id, later.value.placement_id]);
    assert_eq!(all[0].value.placement.leaving, Some(d("2024-07-19")));
}

#[tokio::test]
async fn sen2_a_leaving_date_before_entry_is_refused_and_nothing_changes() {
    let store = store().await;
    let child = store.create_child(&admin(), new_child(), "referral").await.unwrap().value.id;
    let p = store.record_placement(&admin(), child, at_school("100001", "2019-09-04"), "started").await.unwrap();
    let err = store.end_placement(&admin(), p.value.placement_id, 1, d("2019-09-01"), "typo").await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref m) if m.contains("before the entry date")), "{err}");
    assert_eq!(store.placements_for_child(&admin(), child).await.unwrap()[0].version, 1);
}

#[tokio::test]
async fn ending_a_placement_from_an_old_version_is_a_conflict() {
    let store = store().await;
    let child = store.create_child(&admin(), new_child(), "referral").await.unwrap().value.id;
    let p = store.record_placement(&admin(), child, at_school("100001", "2019-09-04"), "started").await.unwrap();
    store.end_placement(&admin(), p.value.placement_id, 1, d("2024-07-19"), "left").await.unwrap();
    let err = store.end_placement(&admin(), p.value.placement_id, 1, d("2024-07-20"), "left").await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
}

#[tokio::test]
async fn a_senco_list_is_the_children_attending_their_setting_on_the_day() {
    let store = store().await;
    let a = store.create_child(&admin(), new_child(), "referral").await.unwrap().value.id;
    let b = store.create_child(&admin(), new_child_in("851", false), "referral").await.unwrap().value.id;
    store.record_placement(&admin(), a, at_school("100001", "2019-09-04"), "started").await.unwrap();
    let left = store.record_placement(&admin(), b, at_school("100001", "2018-09-04"), "started").await.unwrap();
    store.end_placement(&admin(), left.value.placement_id, 1, d("2025-07-18"), "left").await.unwrap();
    let school = SettingRef::Urn("100001".parse().unwrap());
    assert_eq!(store.children_at_setting(&admin(), &school, d("2026-01-05")).await.unwrap(), vec![a]);
    let mut both = store.children_at_setting(&admin(), &school, d("2025-07-18")).await.unwrap();
    both.sort();
    let mut want = vec![a, b];
    want.sort();
    assert_eq!(both, want);
}

#[tokio::test]
async fn placements_are_scoped_to_the_childs_la_and_reading_them_is_audited() {
    let store = store().await;
    let child = store.create_child(&admin(), new_child(), "referral").await.unwrap().value.id;
    store.record_placement(&admin(), child, at_school("100001", "2019-09-04"), "started").await.unwrap();
    assert!(store.placements_for_child(&kent(), child).await.unwrap_err().is_not_found());
    assert!(store.record_placement(&kent(), child, at_school("100001", "2020-09-04"), "x").await.unwrap_err().is_not_found());
    let school = SettingRef::Urn("100001".parse().unwrap());
    assert!(store.children_at_setting(&kent(), &school, d("2026-01-05")).await.unwrap().is_empty());
    store.placements_for_child(&portsmouth(), child).await.unwrap();
    let audit = store.audit_log(&admin(), &AuditFilter { child: Some(child), ..Default::default() }).await.unwrap();
    assert!(audit.iter().any(|e| e.subject == "placements" && e.actor_label == "user-851"), "{audit:?}");
    assert!(audit.iter().any(|e| e.subject == "placement" && e.action.as_str() == "create"));
}
