//! Looking a child up by an identifier follows identity merges: an absorbed record's UPN, ULN or NHS
//! number finds the record that absorbed it, and finds the absorbed record again once the merge is undone.

mod common;

use common::*;
use waymark_storage::{ChildKey, IdentityStore, SqliteStore, Store};

#[tokio::test]
async fn a_child_found_by_an_absorbed_records_identifier_is_the_surviving_record_until_unmerged() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let keep = store.create_child(&portsmouth(), new_child_in("851", false), "test").await.unwrap().value.id;
    let absorb = store.create_child(&portsmouth(), new_child_in("851", true), "test").await.unwrap().value.id;
    let upn = ChildKey::Upn("X931200124123".parse().unwrap());
    let ids =
        |found: Vec<waymark_storage::Versioned<waymark_domain::child::Child>>| found.into_iter().map(|v| v.value.id).collect::<Vec<_>>();
    assert_eq!(ids(store.find_children(&portsmouth(), &upn).await.unwrap()), vec![absorb]);

    let merge = store.merge_children(&portsmouth(), keep, absorb, "same child, confirmed with school").await.unwrap();
    assert_eq!(ids(store.find_children(&portsmouth(), &upn).await.unwrap()), vec![keep], "the absorbed record is never returned");
    let nhs = ChildKey::NhsNumber("9434765919".parse().unwrap());
    assert_eq!(ids(store.find_children(&portsmouth(), &nhs).await.unwrap()), vec![keep]);
    assert!(store.find_children(&kent(), &upn).await.unwrap().is_empty(), "another LA finds nothing");

    store.unmerge(&portsmouth(), merge.id, "not the same child after all").await.unwrap();
    assert_eq!(ids(store.find_children(&portsmouth(), &upn).await.unwrap()), vec![absorb]);
}
