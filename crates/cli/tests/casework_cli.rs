//! Casework from the command line against a real database file: recording children and cases, the
//! lifecycle refusing illegal steps, a second editor's conflict, history and audit.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

fn waymark(db: &Path) -> Command {
    let mut c = Command::cargo_bin("waymark").unwrap();
    c.env("WAYMARK_DB", db).env("WAYMARK_ACTOR", "tester");
    c
}

fn stdout(c: &mut Command) -> String {
    String::from_utf8(c.assert().success().get_output().stdout.clone()).unwrap()
}

fn add_child(db: &Path) -> String {
    stdout(waymark(db).args([
        "child",
        "add",
        "--forename",
        "Sam",
        "--surname",
        "Example",
        "--dob",
        "2015-05-02",
        "--sex",
        "F",
        "--la",
        "851",
        "--upn",
        "X931200124123",
        "--nhs-number",
        "943 476 5919",
    ]))
    .trim()
    .to_owned()
}

#[test]
fn init_creates_the_database_and_its_folder_and_can_run_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/data/waymark.db");
    waymark(&db).arg("init").assert().success().stdout(predicate::str::contains("ready"));
    assert!(db.exists());
    waymark(&db).arg("init").assert().success();
}

#[test]
fn db_flag_overrides_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("flag.db");
    waymark(&dir.path().join("env.db")).args(["init", "--db"]).arg(&flag).assert().success();
    assert!(flag.exists());
    assert!(!dir.path().join("env.db").exists());
}

#[test]
fn a_child_with_a_bad_upn_is_refused_naming_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    waymark(&db)
        .args([
            "child",
            "add",
            "--forename",
            "Sam",
            "--surname",
            "Example",
            "--dob",
            "2015-05-02",
            "--sex",
            "F",
            "--la",
            "851",
            "--upn",
            "A931200124123",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--upn").and(predicate::str::contains("check letter should be X")));
}

#[test]
fn a_case_is_recorded_step_by_step_and_its_clock_follows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let child = add_child(&db);
    let case =
        stdout(waymark(&db).args(["case", "open", "--child", &child, "--received", "2026-01-05", "--requester", "school_or_setting"]))
            .trim()
            .to_owned();
    let events = r#"[{"date": "2026-02-13", "type": "decided_to_assess"},
                     {"date": "2026-02-16", "type": "advice_requested", "party": "health"}]"#;
    let out = stdout(waymark(&db).args(["case", "record", &case, "--expected-version", "1", "-"]).write_stdin(events));
    assert!(out.contains("\"version\": 3") && out.contains("assessing"), "{out}");
    let clock: Value = serde_json::from_str(&stdout(waymark(&db).args(["case", "clock", &case, "--today", "2026-04-01"]))).unwrap();
    let health = clock["steps"].as_array().unwrap().iter().find(|s| s["step"] == "advice:health").unwrap().clone();
    assert_eq!((health["status"].as_str(), health["days_late"].as_i64()), (Some("overdue"), Some(2)));
    // The caseload shows the case's next deadline and whom it waits on.
    let list = stdout(waymark(&db).args(["case", "list", "--today", "2026-04-01"]));
    assert!(list.contains(&case) && list.contains("advice:health") && list.contains("OVERDUE") && list.contains("health"), "{list}");
}

#[test]
fn an_illegal_step_is_refused_with_its_rule_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let child = add_child(&db);
    let case = stdout(waymark(&db).args(["case", "open", "--child", &child, "--received", "2026-01-05"])).trim().to_owned();
    waymark(&db)
        .args(["case", "record", &case, "--expected-version", "1", "-"])
        .write_stdin(r#"{"date": "2026-02-01", "type": "final_issued", "plan": {}}"#)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("reg 13"));
    let history: Value = serde_json::from_str(&stdout(waymark(&db).args(["case", "history", &case]))).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 1);
}

#[test]
fn a_second_editor_working_from_an_old_version_gets_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let child = add_child(&db);
    let case = stdout(waymark(&db).args(["case", "open", "--child", &child, "--received", "2026-01-05"])).trim().to_owned();
    // Both editors loaded version 1; the first records the decision to assess.
    waymark(&db)
        .args(["case", "record", &case, "--expected-version", "1", "-"])
        .write_stdin(r#"{"date": "2026-02-13", "type": "decided_to_assess"}"#)
        .assert()
        .success();
    // The second, still at version 1, records a refusal: a conflict, not an overwrite.
    waymark(&db)
        .args(["case", "record", &case, "--expected-version", "1", "-"])
        .write_stdin(r#"{"date": "2026-02-14", "type": "decided_not_to_assess"}"#)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("changed"));
    let shown: Value = serde_json::from_str(&stdout(waymark(&db).args(["case", "show", &case, "--today", "2026-03-01"]))).unwrap();
    assert_eq!(shown["version"], 2);
    assert_eq!(shown["case"]["stage"]["stage"], "assessing");
}

#[test]
fn event_json_errors_name_the_event() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let child = add_child(&db);
    let case = stdout(waymark(&db).args(["case", "open", "--child", &child, "--received", "2026-01-05"])).trim().to_owned();
    waymark(&db)
        .args(["case", "record", &case, "--expected-version", "1", "-"])
        .write_stdin(r#"[{"date": "2026-02-13", "type": "decided_to_assess"}, {"date": "2026-02-31", "type": "withdrawn"}]"#)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("event 2"));
}

#[test]
fn reads_and_writes_of_a_childs_record_are_audited_without_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let child = add_child(&db);
    stdout(waymark(&db).args(["child", "show", &child]));
    let audit = stdout(waymark(&db).args(["audit", "--child", &child]));
    let entries: Value = serde_json::from_str(&audit).unwrap();
    let actions: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"create") && actions.contains(&"read"), "{audit}");
    assert!(entries.as_array().unwrap().iter().all(|e| e["actor_label"] == "tester"));
    for personal in ["Sam", "Example", "2015-05-02", "X931200124123", "9434765919"] {
        assert!(!audit.contains(personal), "audit log leaks {personal}: {audit}");
    }
}

#[test]
fn children_are_found_by_an_agencys_identifier() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let child = add_child(&db);
    let found = stdout(waymark(&db).args(["child", "find", "--nhs-number", "9434765919"]));
    assert_eq!(found.trim(), child);
    let none = stdout(waymark(&db).args(["child", "find", "--upn", "B801200005001"]));
    assert!(none.trim().is_empty());
}

#[test]
fn the_demo_area_is_created_once_and_shows_overdue_work_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let first = stdout(waymark(&db).args(["demo", "--area", "examples", "--today", "2026-11-22", "--no-serve"]));
    assert!(first.contains("Added 12 worked examples"), "{first}");
    // Rows start with a case id; the first is overdue, and no due row comes before an overdue one.
    let rows: Vec<&str> = first.lines().filter(|l| l.len() > 36 && l.as_bytes()[8] == b'-').collect();
    assert_eq!(rows.len(), 12, "{first}");
    assert!(rows[0].contains("OVERDUE"), "{first}");
    let first_due = rows.iter().position(|l| l.contains(" due ")).unwrap();
    assert!(rows[first_due..].iter().all(|l| !l.contains("OVERDUE")), "{first}");
    let second = stdout(waymark(&db).args(["demo", "--area", "examples", "--today", "2026-11-22", "--no-serve"]));
    assert!(second.contains("Using the 12 cases already"), "{second}");
}

/// Issue 3 point 5: `waymark demo` generates the `portsmouth` profile into the store when it is not
/// there, adds the worked examples, and stands on the generated area's census day; a second run uses
/// what is there.
#[test]
fn the_demo_generates_the_portsmouth_profile_once_with_the_worked_examples() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let first = stdout(waymark(&db).args(["demo", "--no-serve"]));
    assert!(first.contains("Generated the demo local area (LA 851, the portsmouth profile, seed 7"), "{first}");
    assert!(first.contains("Added 12 worked examples"), "{first}");
    assert!(first.contains("The demo area stands on 2026-01-15"), "{first}");
    let plans = stdout(waymark(&db).args(["case", "list", "--format", "json", "--today", "2026-01-15"]));
    let cases: Vec<serde_json::Value> = serde_json::from_str(&plans).unwrap();
    let active = cases.iter().filter(|c| c["stage"] == "plan_active").count();
    // The generated area's plans (thousands; the calibration report checks them against their
    // targets), not only the dozen worked examples.
    assert!(active > 2_000, "{active} plans in force");
    let second = stdout(waymark(&db).args(["demo", "--no-serve"]));
    assert!(second.contains(&format!("Using the {} cases already", cases.len())), "{second}");
}
