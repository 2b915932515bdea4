//! PostgreSQL (issue 14 item 2, ADR 0037), against the server `scripts/test` starts
//! (`$WAYMARK_TEST_POSTGRES`; without it these tests say they were skipped): a store moved from SQLite is
//! the same table for table; the history and audit tables refuse updates, deletes and truncation; a
//! connection working for one local authority can neither read nor write another's children and cases;
//! a migration is refused by a target holding records and leaves nothing behind when it fails half-way.

mod common;

use common::*;
use sqlx::{Connection, Executor, PgConnection};
use std::path::Path;
use waymark_storage::postgres::{connect, test_database, PostgresDatabase};
use waymark_storage::{migrate_sqlite_to_postgres, postgres_checksums, sqlite_checksums, Store, StoreError};

/// Every append-only table of the schema (SQLite's triggers, mirrored).
const APPEND_ONLY: [&str; 17] = [
    "child_history",
    "case_event",
    "audit_log",
    "placement_history",
    "import_run",
    "person_fact_history",
    "la_settings_history",
    "indicator_manual_value_history",
    "child_merge",
    "child_unmerge",
    "indicator_target_history",
    "lo_service_version",
    "strategy_change",
    "self_evaluation_version",
    "strategy_publication",
    "strategy_document",
    "read_audit.audit_log",
];

/// A SQLite store with a child and a case (with its history) in Portsmouth (851) and in Kent (886), and
/// reads of them (read audits).
async fn seeded(path: &Path) {
    let store = file_store(path, clock()).await;
    for (actor, la) in [(portsmouth(), "851"), (kent(), "886")] {
        let child = store.create_child(&actor, new_child_in(la, true), "referral").await.unwrap();
        let events = full_history();
        let case = store.open_case(&actor, child.value.id, events[0].clone(), "request").await.unwrap();
        store.record_case_events(&actor, case.value.id, 1, events[1..].to_vec(), "casework").await.unwrap();
        store.get_child(&actor, child.value.id).await.unwrap();
        store.get_case(&actor, case.value.id).await.unwrap();
    }
    store.checkpoint().await.unwrap();
    store.close().await;
}

/// A migrated store on a new database, or `None` when there is no PostgreSQL to test against.
async fn migrated(label: &str) -> Option<(tempfile::TempDir, String)> {
    let url = test_database(label).await?;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    seeded(&db).await;
    migrate_sqlite_to_postgres(&db, &url).await.unwrap();
    Some((dir, url))
}

/// A transaction as the application's role, working for `la` (or `None`: nothing set).
async fn as_app<'c>(conn: &'c mut PgConnection, la: Option<&str>) -> sqlx::Transaction<'c, sqlx::Postgres> {
    let mut tx = conn.begin().await.unwrap();
    tx.execute("set local role waymark_app").await.unwrap();
    if let Some(la) = la {
        sqlx::query("select set_config('waymark.la', $1, true)").bind(la).execute(&mut *tx).await.unwrap();
    }
    tx
}

#[tokio::test]
async fn a_migrated_store_holds_every_tables_rows_and_checksums_as_sqlite_does() {
    let Some(url) = test_database("migrate_round").await else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    seeded(&db).await;
    let report = migrate_sqlite_to_postgres(&db, &url).await.unwrap();
    let source = sqlite_checksums(&db).await.unwrap();
    assert_eq!(report.tables, source);
    assert_eq!(postgres_checksums(&url).await.unwrap(), source, "every table, counted and summed on PostgreSQL after the commit");
    assert_eq!(source["child"].rows, 2);
    assert!(source["case_event"].rows > 2 && source["read_audit.audit_log"].rows >= 4, "{source:?}");
    assert!(!source.contains_key("lo_service_fts"), "the full-text index is rebuilt, not copied");

    // Ids carry on after the largest copied, rather than colliding with it.
    let mut conn = connect(&url).await.unwrap();
    let largest: i64 = sqlx::query_scalar("select max(audit_id) from audit_log").fetch_one(&mut conn).await.unwrap();
    let next: i64 = sqlx::query_scalar(
        "insert into audit_log (at, actor, action, subject) values ('2026-01-05T10:00:00Z', 'test', 'read', 'x') returning audit_id",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(next, largest + 1);
}

#[tokio::test]
async fn a_migration_into_a_database_that_holds_records_is_refused_and_changes_nothing() {
    let Some((dir, url)) = migrated("migrate_twice").await else { return };
    let before = postgres_checksums(&url).await.unwrap();
    let err = migrate_sqlite_to_postgres(&dir.path().join("live.db"), &url).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("already holds records") && m.contains("child")), "{err}");
    assert_eq!(postgres_checksums(&url).await.unwrap(), before);
}

#[tokio::test]
async fn a_migration_that_fails_half_way_leaves_the_target_empty() {
    let Some(url) = test_database("migrate_fails").await else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    seeded(&db).await;
    // The read-audit log is copied last: make PostgreSQL refuse its rows, after every other table is written.
    let target = PostgresDatabase::open(&url).await.unwrap();
    target.pool().execute("alter table read_audit.audit_log add constraint refuse_all check (false) not valid").await.unwrap();
    target.close().await;
    let err = migrate_sqlite_to_postgres(&db, &url).await.unwrap_err();
    assert!(err.to_string().contains("read_audit.audit_log") && err.to_string().contains("nothing was copied"), "{err}");
    for (table, sum) in postgres_checksums(&url).await.unwrap() {
        let expected = if table == "data_generation" || table == "lo_generation" { 1 } else { 0 };
        assert_eq!(sum.rows, expected, "{table} after a failed migration");
    }
}

#[tokio::test]
async fn a_store_with_an_older_schema_is_not_migrated() {
    let Some(url) = test_database("migrate_old").await else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    seeded(&db).await;
    let mut conn = raw_connection(&db).await;
    conn.execute("delete from _sqlx_migrations where version = (select max(version) from _sqlx_migrations)").await.unwrap();
    conn.close().await.unwrap();
    let err = migrate_sqlite_to_postgres(&db, &url).await.unwrap_err();
    assert!(err.to_string().contains("waymark init"), "{err}");
}

#[tokio::test]
async fn history_and_audit_rows_cannot_be_updated_deleted_or_truncated_on_postgresql() {
    let Some((_dir, url)) = migrated("append_only").await else { return };
    let mut conn = connect(&url).await.unwrap();
    // By the owner (the triggers) and by the application's role (the triggers, and no privilege).
    for role in ["none", "waymark_app"] {
        for (table, column) in
            [("child_history", "reason"), ("case_event", "reason"), ("audit_log", "actor"), ("read_audit.audit_log", "actor")]
        {
            for statement in [format!("update {table} set {column} = 'rewritten'"), format!("delete from {table}")] {
                let mut tx = conn.begin().await.unwrap();
                tx.execute(format!("set local role {role}").as_str()).await.unwrap();
                tx.execute("select set_config('waymark.la', '*', true)").await.unwrap();
                let refused = tx.execute(statement.as_str()).await;
                assert!(refused.is_err(), "{statement} as {role} was allowed");
                let message = refused.unwrap_err().to_string();
                assert!(message.contains("append-only") || message.contains("permission denied"), "{statement} as {role}: {message}");
                tx.rollback().await.unwrap();
            }
        }
    }
    // Truncation skips row triggers on PostgreSQL: every append-only table refuses it as well.
    for table in APPEND_ONLY {
        let refused = conn.execute(format!("truncate {table} cascade").as_str()).await;
        assert!(refused.is_err_and(|e| e.to_string().contains("append-only")), "truncate {table}");
    }
    let rows: i64 = sqlx::query_scalar("select count(*) from child_history").fetch_one(&mut conn).await.unwrap();
    assert_eq!(rows, 2, "the history is intact");
}

#[tokio::test]
async fn a_connection_working_for_one_la_cannot_read_or_write_another_las_children_or_cases() {
    let Some((_dir, url)) = migrated("row_security").await else { return };
    let mut conn = connect(&url).await.unwrap();
    let mut tx = as_app(&mut conn, Some("851")).await;
    let children: Vec<String> = sqlx::query_scalar("select la from child").fetch_all(&mut *tx).await.unwrap();
    assert_eq!(children, ["851"]);
    let cases: Vec<String> = sqlx::query_scalar("select la from ehc_case").fetch_all(&mut *tx).await.unwrap();
    assert_eq!(cases, ["851"]);
    // Rows under a case or a child follow it: Kent's events and history are not visible either.
    let foreign_events: i64 = sqlx::query_scalar(
        "select count(*) from case_event e where not exists (select 1 from ehc_case c where c.case_id = e.case_id and c.la = '851')",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(foreign_events, 0);
    let history: i64 = sqlx::query_scalar("select count(*) from child_history").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(history, 1);
    // Kent's records cannot be changed or removed, nor new ones written for Kent.
    let updated = tx.execute("update child set version = version where la = '886'").await.unwrap();
    assert_eq!(updated.rows_affected(), 0);
    let updated = tx.execute("update ehc_case set stage = stage where la = '886'").await.unwrap();
    assert_eq!(updated.rows_affected(), 0);
    let refused = tx
        .execute(
            "insert into child (child_id, la, version, data, created_at, updated_at) \
             values ('00000000-0000-0000-0000-000000000001', '886', 1, '{}', 't', 't')",
        )
        .await;
    assert!(refused.is_err_and(|e| e.to_string().contains("row-level security")));
    tx.rollback().await.unwrap();

    // A case event cannot be added to another LA's case.
    let kent_case: String = sqlx::query_scalar("select case_id from ehc_case where la = '886'").fetch_one(&mut conn).await.unwrap();
    let mut tx = as_app(&mut conn, Some("851")).await;
    let refused = sqlx::query(
        "insert into case_event (case_id, seq, occurred_on, kind, event, recorded_at, actor, reason) \
         values ($1, 99, '2026-01-05', 'note', '{}', 't', 'a', 'r')",
    )
    .bind(&kent_case)
    .execute(&mut *tx)
    .await;
    assert!(refused.is_err_and(|e| e.to_string().contains("row-level security")));
    tx.rollback().await.unwrap();

    // Nothing set: nothing visible (fails closed). Every LA: both.
    let mut tx = as_app(&mut conn, None).await;
    let seen: i64 = sqlx::query_scalar("select count(*) from child").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(seen, 0);
    tx.rollback().await.unwrap();
    let mut tx = as_app(&mut conn, Some("*")).await;
    let seen: i64 = sqlx::query_scalar("select count(*) from child").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(seen, 2);
    tx.rollback().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_postgresql_is_a_clear_error() {
    // Port 1 on loopback: nothing listens there.
    let err = PostgresDatabase::open("postgres://waymark:secret@127.0.0.1:1/waymark").await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("cannot be reached") && !message.contains("secret"), "{message}");
}
