//! Backups that restore (issue 14 item 6): a backup restored into an empty store holds every table's
//! rows exactly, in the main and the read-audit database; a restore never silently replaces a store
//! that holds records, and refuses a file that is not a Waymark backup.

mod common;

use common::*;
use sqlx::{Connection, Row};
use std::collections::BTreeMap;
use std::path::Path;
use waymark_storage::{restore, PlacementStore, SqliteStore, Store, StoreError};

/// Every row of every table of one database file, each row as its columns quoted by SQLite, sorted (so
/// tables without a rowid, such as full-text indexes, compare too).
async fn contents(path: &Path) -> BTreeMap<String, Vec<String>> {
    let mut conn = raw_connection(path).await;
    let tables: Vec<String> =
        sqlx::query_scalar("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        let columns: Vec<String> =
            sqlx::query(&format!("pragma table_info(\"{t}\")")).fetch_all(&mut conn).await.unwrap().iter().map(|r| r.get("name")).collect();
        let row = columns.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || '|' || ");
        let rows: Vec<String> =
            sqlx::query_scalar(&format!("select {row} as r from \"{t}\" order by r")).fetch_all(&mut conn).await.unwrap();
        out.insert(t, rows);
    }
    conn.close().await.unwrap();
    out
}

/// A store with a child, a case with its full history, and reads of both (read audits).
async fn seeded(path: &Path) -> SqliteStore {
    let store = file_store(path, clock()).await;
    let child = store.create_child(&portsmouth(), new_child(), "referral").await.unwrap();
    let events = full_history();
    let case = store.open_case(&portsmouth(), child.value.id, events[0].clone(), "request").await.unwrap();
    store.record_case_events(&portsmouth(), case.value.id, 1, events[1..].to_vec(), "casework").await.unwrap();
    store.get_child(&portsmouth(), child.value.id).await.unwrap();
    store.get_case(&portsmouth(), case.value.id).await.unwrap();
    let _ = store.placements_for_child(&portsmouth(), child.value.id).await.unwrap();
    store
}

#[tokio::test]
async fn a_backup_restored_into_an_empty_store_holds_every_tables_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let store = seeded(&db).await;
    let backup = dir.path().join("backup.db");
    let report = store.backup_to(&backup).await.unwrap();
    assert!(report.tables["child"] == 1 && report.tables["case_event"] > 1, "{report:?}");
    assert!(report.tables["read_audit.audit_log"] >= 2, "the reads' audit entries are in the backup: {report:?}");
    // Changes after the backup are not in it.
    store.create_child(&portsmouth(), new_child(), "later referral").await.unwrap();
    store.checkpoint().await.unwrap();
    store.close().await;

    let restored = dir.path().join("restored").join("waymark.db");
    let done = restore(&backup, &restored, false, clock()).await.unwrap();
    assert_eq!(done.tables, report.tables);
    assert_eq!(contents(&restored).await, contents(&backup).await);
    let reads = |p: &Path| format!("{}-read-audit", p.display());
    assert_eq!(contents(Path::new(&reads(&restored))).await, contents(Path::new(&reads(&backup))).await);
    let live = contents(&db).await;
    assert_eq!(contents(&restored).await["child"].len() + 1, live["child"].len());

    // The restored store opens and serves the records it held.
    let store = SqliteStore::open(&restored, clock()).await.unwrap();
    assert_eq!(store.count_all_children().await.unwrap(), 1);
    store.close().await;
}

#[tokio::test]
async fn a_restore_refuses_to_replace_a_store_that_holds_records_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let store = seeded(&db).await;
    let backup = dir.path().join("backup.db");
    store.backup_to(&backup).await.unwrap();
    // A second backup to the same file is refused: a backup never overwrites.
    assert!(matches!(store.backup_to(&backup).await, Err(StoreError::Invalid(m)) if m.contains("already exists")));
    store.create_child(&portsmouth(), new_child(), "later referral").await.unwrap();
    store.close().await;

    let before = contents(&db).await;
    let err = restore(&backup, &db, false, clock()).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("--force")), "{err}");
    assert_eq!(contents(&db).await, before, "a refused restore changes nothing");

    restore(&backup, &db, true, clock()).await.unwrap();
    assert_eq!(contents(&db).await, contents(&backup).await);
}

#[tokio::test]
async fn a_restore_refuses_a_file_that_is_not_a_waymark_backup() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "not a database").unwrap();
    let target = dir.path().join("new.db");
    let err = restore(&text, &target, false, clock()).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(_)), "{err}");
    let missing = restore(&dir.path().join("missing.db"), &target, false, clock()).await.unwrap_err();
    assert!(matches!(&missing, StoreError::Invalid(m) if m.contains("does not exist")), "{missing}");
    assert!(!target.exists(), "nothing is created for a refused restore");
}
