//! `waymark clock` as other tools use it: the JSON contract, standard input, and exit code 2 with a
//! message on standard error for bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn waymark() -> Command {
    Command::cargo_bin("waymark").unwrap()
}

const EXAMPLE: &str = r#"{"received": "2026-01-05", "today": "2026-06-30", "events": [
    {"date": "2026-02-13", "type": "decided_to_assess"},
    {"date": "2026-02-16", "type": "advice_requested", "party": "health"},
    {"date": "2026-04-10", "type": "advice_received", "party": "health"},
    {"date": "2026-03-01", "type": "exception_started", "reason": "personal_circumstances"},
    {"date": "2026-03-20", "type": "exception_ended", "reason": "personal_circumstances"},
    {"date": "2026-05-01", "type": "draft_issued"},
    {"date": "2026-05-29", "type": "final_issued"}]}"#;

#[test]
fn clock_reads_a_file_and_answers_the_json_contract() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    let out = waymark().arg("clock").arg(&file).assert().success().get_output().stdout.clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let final_plan = v["steps"].as_array().unwrap().iter().find(|s| s["step"] == "final_plan").unwrap();
    assert_eq!(final_plan["due"], "2026-05-25");
    assert_eq!(final_plan["done"], "2026-05-29");
    assert_eq!(final_plan["status"], "missed_excused");
    assert_eq!(final_plan["days_late"], 4);
    assert_eq!(v["weeks_to_final"], 20.6);
    assert_eq!(v["within_20_weeks"], false);
    assert_eq!(v["week20_exception"], true);
    assert_eq!(v["delays"], serde_json::json!([{"party": "health", "stage": "evidence_gathering", "days": 11}]));
    let decision = v["steps"].as_array().unwrap().iter().find(|s| s["step"] == "decision_to_assess").unwrap();
    assert_eq!(decision["status"], "met");
    let health = v["steps"].as_array().unwrap().iter().find(|s| s["step"] == "advice:health").unwrap();
    assert_eq!(health["due"], "2026-03-30");
}

#[test]
fn clock_reads_standard_input_and_shows_not_done_as_null() {
    let input = r#"{"received": "2026-01-05", "today": "2026-01-20", "events": []}"#;
    let out = waymark().args(["clock", "-"]).write_stdin(input).assert().success().get_output().stdout.clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["steps"][0]["step"], "decision_to_assess");
    assert_eq!(v["steps"][0]["done"], Value::Null);
    assert_eq!(v["steps"][0]["status"], "due");
    assert_eq!(v["weeks_to_final"], Value::Null);
}

#[test]
fn clock_text_format_is_a_table_for_people() {
    waymark()
        .args(["clock", "-", "--format", "text"])
        .write_stdin(EXAMPLE)
        .assert()
        .success()
        .stdout(predicate::str::contains("final_plan").and(predicate::str::contains("missed, excused")));
}

#[test]
fn clock_rejects_bad_input_with_exit_code_2_and_a_message() {
    let cases = [
        (r#"{"received": "2026-02-30", "today": "2026-06-30", "events": []}"#, "not a real calendar date"),
        (
            r#"{"received": "2026-01-05", "today": "2026-06-30", "events": [{"date": "2026-02-13", "type": "assessed"}]}"#,
            "unknown type 'assessed'",
        ),
        (
            r#"{"received": "2026-03-05", "today": "2026-06-30", "events": [{"date": "2026-02-13", "type": "decided_to_assess"}, {"date": "2026-02-20", "type": "final_issued"}]}"#,
            "before the request",
        ),
        (r#"not json"#, "not valid clock input"),
        (r#"{"received": "2026-01-05", "today": "2026-06-30", "events": [], "extra": 1}"#, "unknown field"),
    ];
    for (input, message) in cases {
        waymark().args(["clock", "-"]).write_stdin(input).assert().code(2).stdout("").stderr(predicate::str::contains(message));
    }
}

#[test]
fn clock_names_a_missing_file() {
    waymark().args(["clock", "/no/such/case.json"]).assert().code(2).stderr(predicate::str::contains("/no/such/case.json"));
}

#[test]
fn every_subcommand_has_help() {
    for sub in [&["init"][..], &["clock"], &["child", "add"], &["case", "record"], &["case", "list"], &["audit"], &["demo"]] {
        waymark().args(sub).arg("--help").assert().success().stdout(predicate::str::contains("Usage"));
    }
}
