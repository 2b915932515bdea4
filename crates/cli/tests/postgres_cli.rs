//! PostgreSQL through the real binary (issue 14 items 2 and 6, ADR 0037), against the server
//! `scripts/test` starts (`$WAYMARK_TEST_POSTGRES`; without it these tests say they were skipped):
//! `waymark migrate` moves a generated area into PostgreSQL with every table the same, and refuses a
//! target that holds records; `waymark backup` and `waymark restore` with `--db postgres://...` restore
//! into an empty database with every table the same.

use assert_cmd::Command;
use predicates::prelude::*;
use waymark_storage::postgres::test_database;
use waymark_storage::{postgres_checksums, sqlite_checksums};

fn waymark() -> Command {
    let mut c = Command::cargo_bin("waymark").unwrap();
    c.env_remove("WAYMARK_DB").env("WAYMARK_ACTOR", "tester");
    c
}

#[tokio::test]
async fn a_generated_area_migrates_into_postgresql_and_its_backup_restores_table_for_table() {
    let Some(url) = test_database("cli_migrate").await else { return };
    let Some(restored) = test_database("cli_restore").await else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("area.db");
    waymark().args(["generate", "--profile", "small", "--db"]).arg(&db).assert().success();

    waymark()
        .args(["migrate", "--from"])
        .arg(&db)
        .args(["--to", &url])
        .assert()
        .success()
        .stdout(predicate::str::contains("every table's row count and checksum match"));
    let source = sqlite_checksums(&db).await.unwrap();
    let target = postgres_checksums(&url).await.unwrap();
    assert_eq!(target, source, "every table, row for row");
    assert!(source["child"].rows > 100 && source["case_event"].rows > source["ehc_case"].rows, "a whole area: {source:?}");

    // A second migration would mix two stores: refused, with the reason.
    waymark()
        .args(["migrate", "--from"])
        .arg(&db)
        .args(["--to", &url])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already holds records"));
    assert_eq!(postgres_checksums(&url).await.unwrap(), source);

    // Backup by pg_dump, restored by pg_restore into an empty database: every table the same.
    let backup = dir.path().join("waymark.pgdump");
    waymark().args(["backup", "--db", &url, "--out"]).arg(&backup).assert().success().stdout(predicate::str::contains("Backed up"));
    assert!(backup.is_file() && dir.path().join("waymark.pgdump-checksums").is_file());
    waymark().args(["backup", "--db", &url, "--out"]).arg(&backup).assert().code(2).stderr(predicate::str::contains("already exists"));
    waymark()
        .arg("restore")
        .arg(&backup)
        .args(["--db", &restored])
        .assert()
        .success()
        .stdout(predicate::str::contains("match the backup's"));
    assert_eq!(postgres_checksums(&restored).await.unwrap(), source);

    // A database holding records is replaced only when asked.
    waymark().arg("restore").arg(&backup).args(["--db", &url]).assert().code(2).stderr(predicate::str::contains("--force"));
    waymark().arg("restore").arg(&backup).args(["--db", &url, "--force"]).assert().success();
    assert_eq!(postgres_checksums(&url).await.unwrap(), source);
}

#[test]
fn migrate_names_what_it_cannot_do_yet() {
    waymark()
        .args(["migrate", "--from", "postgres://waymark@127.0.0.1:1/a", "--to", "postgres://waymark@127.0.0.1:1/b"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("copying from PostgreSQL is not yet possible"));
    waymark()
        .args(["migrate", "--from", "a.db", "--to", "b.db"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give a PostgreSQL address"));
}
