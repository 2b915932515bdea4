//! Accounts, sessions, sign-in failures, family links, case assignment, and the selection-limited
//! reads the web application makes: each role's limit is a condition in the query.

mod common;

use chrono::TimeDelta;
use common::{clock, d, kent, new_child, new_child_in, portsmouth, request};
use waymark_domain::case::{AdviceParty, CaseEvent, CaseEventKind};
use waymark_domain::identifiers::SettingRef;
use waymark_domain::placement::Placement;
use waymark_storage::{
    Actor, AuditFilter, AuditSink, CaseloadStore, NewUser, PlacementStore, Role, Scope, Selection, SqliteStore, Store, StoreError,
    UserChange, UserStore,
};

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0oG3a4cJ1M9IbW5zDq7j6ZcRZpJ3x5cF3y2w0lq8bqk";

fn user(name: &str, role: Role, la: Option<&str>) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: format!("Person {name}"),
        password_hash: HASH.into(),
        role,
        la: la.map(|l| l.parse().unwrap()),
        setting_key: (role == Role::Senco).then(|| "urn:851001".into()),
    }
}

async fn store() -> SqliteStore {
    SqliteStore::open_in_memory(clock()).await.unwrap()
}

#[tokio::test]
async fn usernames_are_unique_whatever_their_case_and_passwords_must_be_hashed() {
    let s = store().await;
    s.create_user(&portsmouth(), user("Priya", Role::LaCaseworker, Some("851"))).await.unwrap();
    let again = s.create_user(&portsmouth(), user("priya", Role::SendManager, Some("851"))).await.unwrap_err();
    assert_eq!(again, StoreError::Invalid("that username is already taken".into()));
    let mut plain = user("tom", Role::LaCaseworker, Some("851"));
    plain.password_hash = "hunter2".into();
    assert!(matches!(s.create_user(&portsmouth(), plain).await, Err(StoreError::Invalid(_))));
    let (found, hash) = s.user_for_sign_in("PRIYA").await.unwrap().unwrap();
    assert_eq!((found.role, hash.as_str()), (Role::LaCaseworker, HASH));
}

#[tokio::test]
async fn an_la_administrator_manages_accounts_of_their_own_la_only() {
    let s = store().await;
    assert!(matches!(s.create_user(&portsmouth(), user("k", Role::LaCaseworker, Some("886"))).await, Err(StoreError::OutOfScope { .. })));
    assert!(matches!(s.create_user(&portsmouth(), user("s", Role::Senco, None)).await, Err(StoreError::Invalid(_))));
    let kent_user = s.create_user(&kent(), user("k", Role::LaCaseworker, Some("886"))).await.unwrap();
    assert!(s.get_user(&portsmouth(), kent_user.id).await.unwrap_err().is_not_found());
    assert!(s.list_users(&portsmouth()).await.unwrap().is_empty());
    let change =
        UserChange { display_name: "K".into(), role: Role::SendManager, la: Some("886".parse().unwrap()), setting_key: None, active: true };
    assert!(matches!(
        s.update_user(&portsmouth(), kent_user.id, 1, change.clone()).await,
        Err(StoreError::OutOfScope { .. } | StoreError::NotFound { .. })
    ));
    assert_eq!(s.update_user(&kent(), kent_user.id, 1, change.clone()).await.unwrap().version, 2);
    assert!(s.update_user(&kent(), kent_user.id, 1, change).await.unwrap_err().is_conflict());
}

#[tokio::test]
async fn a_session_slides_on_use_stops_at_its_absolute_limit_and_ends_when_the_account_is_deactivated() {
    let c = clock();
    let s = SqliteStore::open_in_memory(c.clone()).await.unwrap();
    let u = s.create_user(&portsmouth(), user("p", Role::LaCaseworker, Some("851"))).await.unwrap();
    let (idle, absolute) = (TimeDelta::minutes(30), TimeDelta::hours(2));
    s.create_session(u.id, "hash-1", "csrf-1", c.as_ref().now_plus(idle)).await.unwrap();
    for _ in 0..5 {
        c.advance(TimeDelta::minutes(20));
        assert!(s.touch_session("hash-1", idle, absolute).await.unwrap().is_some(), "used within 30 minutes");
    }
    c.advance(TimeDelta::minutes(20));
    assert!(s.touch_session("hash-1", idle, absolute).await.unwrap().is_none(), "past 2 hours since sign-in");
    s.create_session(u.id, "hash-2", "csrf-2", c.as_ref().now_plus(idle)).await.unwrap();
    let off = UserChange {
        display_name: "P".into(),
        role: Role::LaCaseworker,
        la: Some("851".parse().unwrap()),
        setting_key: None,
        active: false,
    };
    s.update_user(&portsmouth(), u.id, 1, off).await.unwrap();
    assert!(s.touch_session("hash-2", idle, absolute).await.unwrap().is_none());
    assert!(s.user_for_sign_in("p").await.unwrap().is_none(), "a deactivated account cannot sign in");
}

trait NowPlus {
    fn now_plus(&self, by: TimeDelta) -> chrono::DateTime<chrono::Utc>;
}
impl NowPlus for waymark_storage::FixedClock {
    fn now_plus(&self, by: TimeDelta) -> chrono::DateTime<chrono::Utc> {
        use waymark_storage::Clock;
        self.now() + by
    }
}

#[tokio::test]
async fn sign_in_failures_are_counted_per_key_within_the_window_and_cleared() {
    let c = clock();
    let s = SqliteStore::open_in_memory(c.clone()).await.unwrap();
    let keep = TimeDelta::minutes(15);
    for _ in 0..3 {
        s.record_login_failure(&["acct".into(), "addr".into()], keep).await.unwrap();
    }
    use waymark_storage::Clock;
    let since = c.now() - keep;
    assert_eq!(s.login_failures_since("acct", since).await.unwrap().0, 3);
    c.advance(TimeDelta::minutes(16));
    assert_eq!(s.login_failures_since("acct", c.now() - keep).await.unwrap().0, 0, "outside the window");
    s.record_login_failure(&["acct".into()], keep).await.unwrap();
    s.clear_login_failures("acct").await.unwrap();
    assert_eq!(s.login_failures_since("acct", c.now() - keep).await.unwrap().0, 0);
}

#[tokio::test]
async fn each_selection_limits_the_query_to_its_own_children_inside_the_la() {
    let s = store().await;
    let admin = Actor::new("setup", Scope::All);
    let a = s.create_child(&admin, new_child(), "t").await.unwrap().value.id;
    let b = s.create_child(&admin, new_child_in("851", false), "t").await.unwrap().value.id;
    let k = s.create_child(&admin, new_child_in("886", false), "t").await.unwrap().value.id;
    let mut cases = Vec::new();
    for child in [a, b, k] {
        cases.push(s.open_case(&admin, child, request("2025-10-01"), "t").await.unwrap().value.id);
    }
    let assess = |party| {
        vec![
            CaseEvent::new(d("2025-10-10"), CaseEventKind::DecidedToAssess),
            CaseEvent::new(d("2025-10-11"), CaseEventKind::AdviceRequested { party }),
        ]
    };
    s.record_case_events(&admin, cases[0], 1, assess(AdviceParty::Health), "t").await.unwrap();
    s.record_case_events(&admin, cases[2], 1, assess(AdviceParty::Health), "t").await.unwrap();
    let at_school = Placement {
        setting: SettingRef::Urn("851001".parse().unwrap()),
        rank: 1,
        entry: d("2025-09-01"),
        leaving: None,
        sen_unit: false,
        resourced_provision: false,
        residential: None,
        work_based: None,
        setting_la: None,
    };
    s.record_placement(&admin, b, at_school, "t").await.unwrap();
    let parent = s.create_user(&portsmouth(), user("parent", Role::ParentCarer, Some("851"))).await.unwrap();
    s.link_child(&portsmouth(), parent.id, a).await.unwrap();
    assert!(s.link_child(&portsmouth(), parent.id, k).await.unwrap_err().is_not_found(), "another LA's child");

    let ids = |list: Vec<waymark_storage::CaseSnapshot>| list.into_iter().map(|c| c.summary.case_id).collect::<Vec<_>>();
    let health = ids(s
        .case_snapshots(&portsmouth(), &Selection::AdviceRequestedOf(AdviceParty::Health), "case_list", &AuditSink::start(&s))
        .await
        .unwrap());
    assert_eq!(health, vec![cases[0]], "health advice asked, in this LA only");
    let school = Selection::AtSetting { setting_key: "urn:851001".into(), on: d("2026-01-05") };
    assert_eq!(ids(s.case_snapshots(&portsmouth(), &school, "case_list", &AuditSink::start(&s)).await.unwrap()), vec![cases[1]]);
    let family = Selection::LinkedTo(parent.id);
    let everywhere = Actor::new("family", Scope::All);
    assert_eq!(ids(s.case_snapshots(&everywhere, &family, "case_list", &AuditSink::start(&s)).await.unwrap()), vec![cases[0]]);
    assert!(s.case_record(&everywhere, &family, cases[1], &AuditSink::start(&s)).await.unwrap_err().is_not_found());
    assert!(s.child_record(&portsmouth(), &school, a, &AuditSink::start(&s)).await.unwrap_err().is_not_found());
    assert_eq!(s.child_record(&portsmouth(), &school, b, &AuditSink::start(&s)).await.unwrap().placements.len(), 1);
    assert_eq!(s.children(&portsmouth(), &school, &AuditSink::start(&s)).await.unwrap().len(), 1);
    assert_eq!(ids(s.case_snapshots(&portsmouth(), &Selection::InScope, "case_list", &AuditSink::start(&s)).await.unwrap()).len(), 2);
}

#[tokio::test]
async fn reads_through_a_selection_are_audited_with_the_users_label_and_ids_only() {
    let s = store().await;
    let admin = Actor::new("setup", Scope::All);
    let child = s.create_child(&admin, new_child(), "t").await.unwrap().value.id;
    let case = s.open_case(&admin, child, request("2025-10-01"), "t").await.unwrap().value.id;
    let reader = Actor::new("user:abc", Scope::LocalAuthority("851".parse().unwrap()));
    s.case_record(&reader, &Selection::InScope, case, &AuditSink::start(&s)).await.unwrap();
    s.case_snapshots(&reader, &Selection::InScope, "case_list", &AuditSink::start(&s)).await.unwrap();
    let log = s.audit_log(&admin, &AuditFilter::default()).await.unwrap();
    assert_eq!(log[0].subject, "case_list");
    assert_eq!((log[1].subject.as_str(), log[1].case_id, log[1].child_id), ("case_record", Some(case), Some(child)));
    assert!(log.iter().take(2).all(|e| e.actor_label == "user:abc"));
}

#[tokio::test]
async fn the_data_generation_moves_on_every_change_to_a_child_or_case() {
    let s = store().await;
    let admin = Actor::new("setup", Scope::All);
    let g0 = s.data_generation().await.unwrap();
    let child = s.create_child(&admin, new_child(), "t").await.unwrap();
    let g1 = s.data_generation().await.unwrap();
    s.open_case(&admin, child.value.id, request("2025-10-01"), "t").await.unwrap();
    let g2 = s.data_generation().await.unwrap();
    assert!(g0 < g1 && g1 < g2);
    s.case_snapshots(&admin, &Selection::InScope, "case_list", &AuditSink::start(&s)).await.unwrap();
    assert_eq!(s.data_generation().await.unwrap(), g2, "a read changes nothing");
}

#[tokio::test]
async fn a_case_is_assigned_only_to_an_active_caseworker_of_its_la() {
    let s = store().await;
    let admin = Actor::new("setup", Scope::All);
    let child = s.create_child(&admin, new_child(), "t").await.unwrap().value.id;
    let case = s.open_case(&admin, child, request("2025-10-01"), "t").await.unwrap().value.id;
    let cw = s.create_user(&portsmouth(), user("cw", Role::LaCaseworker, Some("851"))).await.unwrap();
    let board = s.create_user(&portsmouth(), user("b", Role::BoardMember, Some("851"))).await.unwrap();
    assert!(matches!(s.assign_case(&portsmouth(), case, board.id).await, Err(StoreError::Invalid(_))));
    s.assign_case(&portsmouth(), case, cw.id).await.unwrap();
    assert_eq!(s.case_assignments(&portsmouth()).await.unwrap(), vec![(case, cw.id)]);
    assert!(s.case_assignments(&kent()).await.unwrap().is_empty());
    assert!(s.assign_case(&kent(), case, cw.id).await.unwrap_err().is_not_found());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_sign_in_claims_pass_at_most_the_limit_per_key_and_a_release_gives_one_back() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let s = SqliteStore::open(&dir.path().join("w.db"), c.clone()).await.unwrap();
    let window = TimeDelta::minutes(15);
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move { s.claim_sign_in_attempt(&[("acct".into(), 5), ("addr".into(), 50)], window).await.unwrap() }));
    }
    let mut passed = Vec::new();
    for t in tasks {
        if let Some(ids) = t.await.unwrap() {
            passed.push(ids);
        }
    }
    assert_eq!(passed.len(), 5, "exactly the limit of parallel claims pass");
    assert!(s.claim_sign_in_attempt(&[("acct".into(), 5)], window).await.unwrap().is_none());
    s.release_sign_in_attempt(&passed[0]).await.unwrap();
    assert!(s.claim_sign_in_attempt(&[("acct".into(), 5)], window).await.unwrap().is_some());
    c.advance(TimeDelta::minutes(16));
    assert!(s.claim_sign_in_attempt(&[("acct".into(), 5)], window).await.unwrap().is_some(), "the window passes");
}
