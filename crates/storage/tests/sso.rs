//! Single sign-on's rows (issue 14 item 5, ADR 0036): the administrator's group table, scoped and
//! audited, and the account of a person at the identity provider, keyed by issuer + `sub`.

mod common;

use common::clock;
use waymark_sso::{AccountNames, Mapping};
use waymark_storage::{
    Actor, AuditFilter, Clock, ProviderPerson, Role, Scope, SqliteStore, SsoAccount, SsoStore, Store, StoreError, UserChange, UserStore,
};

fn mapping(group: &str, role: Role, la: Option<&str>) -> Mapping<Role> {
    Mapping { group: group.parse().unwrap(), role, la: la.map(|l| l.parse().unwrap()) }
}

fn person(issuer: &str, subject: &str, username: &str) -> ProviderPerson {
    ProviderPerson {
        issuer: issuer.into(),
        subject: subject.into(),
        names: AccountNames { username: username.into(), display_name: "Sam Okafor".into() },
    }
}

#[tokio::test]
async fn an_la_administrator_maps_groups_in_their_own_la_to_staff_roles_only_and_each_change_is_audited() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let portsmouth = Actor::new("user:p-admin", Scope::LocalAuthority("851".parse().unwrap()));
    store.add_group_mapping(&portsmouth, &mapping("g1", Role::LaCaseworker, Some("851"))).await.unwrap();
    let other_la = store.add_group_mapping(&portsmouth, &mapping("g2", Role::LaCaseworker, Some("886"))).await;
    assert!(matches!(other_la, Err(StoreError::OutOfScope { .. })), "{other_la:?}");
    let every_la = store.add_group_mapping(&portsmouth, &mapping("g3", Role::LaAdmin, None)).await;
    assert!(matches!(every_la, Err(StoreError::OutOfScope { .. })), "{every_la:?}");
    for family in [Role::ParentCarer, Role::YoungPerson, Role::Senco, Role::ServiceProvider] {
        let refused = store.add_group_mapping(&portsmouth, &mapping("g4", family, Some("851"))).await;
        assert!(matches!(refused, Err(StoreError::Invalid(_))), "{family:?}: {refused:?}");
    }
    let again = store.add_group_mapping(&portsmouth, &mapping("g1", Role::SendManager, Some("851"))).await;
    assert!(matches!(again, Err(StoreError::Invalid(m)) if m.contains("already has a role")));

    // Kent's administrator neither sees nor removes Portsmouth's row.
    let kent = Actor::new("user:k-admin", Scope::LocalAuthority("886".parse().unwrap()));
    store.add_group_mapping(&kent, &mapping("k1", Role::BoardMember, Some("886"))).await.unwrap();
    let seen: Vec<String> = store.group_mappings(&kent).await.unwrap().iter().map(|r| r.mapping.group.to_string()).collect();
    assert_eq!(seen, ["k1"]);
    assert!(store.remove_group_mapping(&kent, &"g1".parse().unwrap()).await.unwrap_err().is_not_found());
    store.remove_group_mapping(&portsmouth, &"g1".parse().unwrap()).await.unwrap();
    assert_eq!(store.all_group_mappings().await.unwrap(), vec![mapping("k1", Role::BoardMember, Some("886"))]);

    let log = store.audit_log(&Actor::new("test", Scope::All), &AuditFilter { limit: 100, ..Default::default() }).await.unwrap();
    let audited: Vec<(&str, &str)> =
        log.iter().filter(|e| e.subject == "sso_group_mapping").map(|e| (e.actor_label.as_str(), e.action.as_str())).collect();
    assert_eq!(audited.len(), 3, "two additions and a removal: {audited:?}");
    assert!(audited.contains(&("user:p-admin", "update")));
}

#[tokio::test]
async fn a_person_is_one_account_per_issuer_and_subject_whose_role_follows_their_groups() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let la = Some("851".parse().unwrap());
    let sam = person("https://login.example/tenant/v2.0", "sub-1", "sam@council.example");
    let SsoAccount::Ready { user, created: true } = store.sign_in_with_provider(&sam, Role::LaCaseworker, la).await.unwrap() else {
        panic!("the first sign-in makes the account")
    };
    // No password: the account cannot be signed in to with one.
    let (_, hash) = store.user_for_sign_in("sam@council.example").await.unwrap().unwrap();
    assert_eq!(hash, "");
    store.create_session(user.id, "token-hash", "csrf", clock().now() + chrono::TimeDelta::hours(1)).await.unwrap();

    // The same person later, now a manager: the same account, its sessions under the old role ended.
    let SsoAccount::Ready { user: later, created: false } = store.sign_in_with_provider(&sam, Role::SendManager, la).await.unwrap() else {
        panic!("the same account")
    };
    assert_eq!((later.id, later.role, later.version), (user.id, Role::SendManager, user.version + 1));
    assert!(store.touch_session("token-hash", chrono::TimeDelta::hours(1), chrono::TimeDelta::hours(12)).await.unwrap().is_none());

    // The same `sub` from another issuer, or another `sub` with the same username, is someone else.
    let elsewhere = person("https://other.example", "sub-1", "sam@council.example");
    let SsoAccount::Ready { user: other, created: true } = store.sign_in_with_provider(&elsewhere, Role::LaCaseworker, la).await.unwrap()
    else {
        panic!("another person")
    };
    assert_ne!(other.id, user.id);
    assert_eq!(other.username, "sam@council.example~2");

    // Deactivated by an administrator: it stays so.
    let admin = Actor::new("test", Scope::All);
    let change = UserChange { display_name: later.display_name.clone(), role: later.role, la: later.la, setting_key: None, active: false };
    store.update_user(&admin, later.id, later.version, change).await.unwrap();
    assert_eq!(store.sign_in_with_provider(&sam, Role::SendManager, la).await.unwrap(), SsoAccount::Deactivated);
    assert!(store.signs_in_with_provider(user.id).await.unwrap());
    // A family's role is never given this way.
    assert!(store.sign_in_with_provider(&person("i", "s", "u"), Role::ParentCarer, la).await.is_err());
}
