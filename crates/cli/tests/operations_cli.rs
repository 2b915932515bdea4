//! Running Waymark at a council, through the real binary: `waymark backup` and `waymark restore` (a
//! backup restores into an empty store with the same records, a store holding records is replaced only
//! with --force, a missing backup is refused with exit code 2), and `waymark serve --config FILE`.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn waymark(db: &Path) -> Command {
    let mut c = Command::cargo_bin("waymark").unwrap();
    c.env("WAYMARK_DB", db).env("WAYMARK_ACTOR", "tester");
    c
}

fn add_child(db: &Path, surname: &str) -> String {
    let out = waymark(db)
        .args(["child", "add", "--forename", "Sam", "--surname", surname, "--dob", "2015-05-02", "--sex", "F", "--la", "851"])
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap().trim().to_owned()
}

#[test]
fn a_backup_restores_into_an_empty_store_and_a_full_store_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let id = add_child(&live, "Example");
    waymark(&live).args(["child", "show", &id]).assert().success();
    let backup = dir.path().join("backup.db");
    waymark(&live).args(["backup", "--out"]).arg(&backup).assert().success().stdout(predicate::str::contains("Backed up"));
    assert!(backup.exists() && dir.path().join("backup.db-read-audit").exists());
    // Never overwrites a file.
    waymark(&live).args(["backup", "--out"]).arg(&backup).assert().code(2).stderr(predicate::str::contains("already exists"));

    let empty = dir.path().join("restored.db");
    waymark(&empty).arg("restore").arg(&backup).assert().success().stdout(predicate::str::contains("Restored"));
    waymark(&empty).args(["child", "show", &id]).assert().success().stdout(predicate::str::contains("Example"));

    // A store holding records is not replaced unless asked.
    let other = add_child(&live, "Later");
    waymark(&live).arg("restore").arg(&backup).assert().code(2).stderr(predicate::str::contains("--force"));
    waymark(&live).args(["child", "show", &other]).assert().success();
    waymark(&live).arg("restore").arg(&backup).arg("--force").assert().success();
    waymark(&live).args(["child", "show", &other]).assert().code(2);
    waymark(&live).args(["child", "show", &id]).assert().success();
}

#[test]
fn a_missing_backup_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    waymark(&db).arg("restore").arg(dir.path().join("nope.db")).assert().code(2).stderr(predicate::str::contains("does not exist"));
    assert!(!db.exists());
}

#[test]
fn serve_reads_its_settings_file_and_names_the_line_of_a_mistake() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "addr = \"127.0.0.1:0\"\nsession_idle = 30\n").unwrap();
    waymark(&dir.path().join("unused.db"))
        .args(["serve", "--config"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml: line 2").and(predicate::str::contains("session_idle")));

    // The file's database and address are used when neither the command line nor the environment
    // gives them: the store is opened at the file's path, then the (unusable) address is refused.
    let db = dir.path().join("from-file.db");
    let good = dir.path().join("waymark.toml");
    std::fs::write(&good, format!("db = {:?}\naddr = \"256.0.0.1:8080\"\nhsts = true\n", db.display().to_string())).unwrap();
    let mut c = Command::cargo_bin("waymark").unwrap();
    c.env_remove("WAYMARK_DB").env_remove("WAYMARK_ADDR").env("WAYMARK_DATA_DIR", dir.path().join("data"));
    c.args(["serve", "--config"]).arg(&good).assert().code(1).stderr(predicate::str::contains("cannot listen on 256.0.0.1:8080"));
    assert!(db.exists(), "the store was opened where the file says");
}
