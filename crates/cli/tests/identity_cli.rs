//! `waymark identity` against a real database file: scan → queue → show → decide → unmerge → history,
//! the import hook (an uncertain match is queued, never merged, and importing again queues nothing),
//! and the exit codes (2 for bad input, 3 for a pair or merge someone already decided or undid).

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn waymark(db: &Path) -> Command {
    let mut c = Command::cargo_bin("waymark").unwrap();
    c.env("WAYMARK_DB", db).env("WAYMARK_ACTOR", "officer-1").env_remove("WAYMARK_LOG");
    c
}

fn stdout(c: &mut Command) -> String {
    String::from_utf8(c.assert().success().get_output().stdout.clone()).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn add_child(db: &Path, forename: &str, dob: &str, upn: Option<&str>) -> String {
    let mut c = waymark(db);
    c.args(["child", "add", "--forename", forename, "--surname", "Johnson", "--dob", dob, "--sex", "F", "--la", "851"]);
    c.args(["--postcode", "PO1 2AB"]);
    if let Some(upn) = upn {
        c.args(["--upn", upn]);
    }
    stdout(&mut c).trim().to_owned()
}

fn queue_json(db: &Path) -> Vec<serde_json::Value> {
    let out = stdout(waymark(db).args(["identity", "queue", "--format", "json"]));
    serde_json::from_str::<serde_json::Value>(&out).unwrap().as_array().unwrap().clone()
}

#[test]
fn scan_queue_decide_and_unmerge_one_pair_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    stdout(waymark(&db).arg("init"));
    // Entered twice with the same UPN: merged by the deterministic rule.
    let first = add_child(&db, "Amy", "2014-03-09", Some("X931200124123"));
    let dup = add_child(&db, "Amy", "2014-03-09", Some("X931200124123"));
    // No identifiers; the day and month of birth transposed: a scored pair for a person.
    let noah = add_child(&db, "Noah", "2013-04-07", None);
    let noah2 = add_child(&db, "Noah", "2013-07-04", None);

    let dry = stdout(waymark(&db).args(["identity", "scan", "--dry-run"]));
    assert!(dry.contains("1 pair merged") && dry.contains("dry run"), "{dry}");
    assert!(queue_json(&db).is_empty(), "a dry run queues nothing");

    let scan = stdout(waymark(&db).args(["identity", "scan"]));
    assert!(scan.contains("4 children compared"), "{scan}");
    assert!(scan.contains("1 pair merged on a shared identifier"), "{scan}");
    assert!(scan.contains("1 pair queued for review"), "{scan}");
    let history = stdout(waymark(&db).args(["identity", "history", "--child", &dup]));
    assert!(history.contains(&format!("child {dup} merged into {first}")), "{history}");
    assert!(history.contains("same_upn"), "the reason names the rule: {history}");

    let queue = queue_json(&db);
    assert_eq!(queue.len(), 1);
    let entry = &queue[0];
    let pair = [entry["child_a"].as_str().unwrap(), entry["child_b"].as_str().unwrap()];
    assert!(pair.contains(&noah.as_str()) && pair.contains(&noah2.as_str()), "{entry}");
    let reasons = entry["reasons"].to_string();
    assert!(reasons.contains("transposed_day_month"), "{reasons}");
    assert!(!reasons.contains("Noah") && !reasons.contains("2013"), "reasons carry no personal data: {reasons}");
    let id = entry["id"].as_i64().unwrap().to_string();

    let text = stdout(waymark(&db).args(["identity", "queue"]));
    assert!(text.contains(&format!("review {id}")) && text.contains("date_of_birth:transposed_day_month"), "{text}");
    let shown = stdout(waymark(&db).args(["identity", "show", &id]));
    assert!(shown.contains("Noah") && shown.contains("2013-07-04"), "show puts the two records side by side: {shown}");

    let decided = stdout(waymark(&db).args(["identity", "decide", &id, "--same", "--keep", &noah2, "--reason", "confirmed with school"]));
    assert!(decided.contains(&format!("child {noah} merged into child {noah2}")), "{decided}");
    let merge_id = decided.split("merge ").nth(1).unwrap().split(':').next().unwrap().to_owned();
    assert!(queue_json(&db).is_empty());

    // Deciding it again, or undoing twice, is a conflict with what was already done: exit 3.
    waymark(&db)
        .args(["identity", "decide", &id, "--different", "--reason", "again"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!("review {id} was already decided (merged)")));

    let undone = stdout(waymark(&db).args(["identity", "unmerge", &merge_id, "--reason", "twins after all"]));
    assert!(undone.contains(&format!("child {noah} is a record of its own again")), "{undone}");
    waymark(&db).args(["identity", "unmerge", &merge_id, "--reason", "again"]).assert().code(3);
    assert_eq!(queue_json(&db).len(), 1, "the undone pair is back on the queue");

    let different = stdout(waymark(&db).args(["identity", "decide", &id, "--different", "--reason", "twins"]));
    assert!(different.contains("different children"), "{different}");
    let rescan = stdout(waymark(&db).args(["identity", "scan"]));
    assert!(rescan.contains("0 pairs queued") && rescan.contains("0 pairs merged"), "a decided pair is never asked again: {rescan}");

    let history: serde_json::Value = serde_json::from_str(&stdout(waymark(&db).args(["identity", "history", "--format", "json"]))).unwrap();
    let kinds: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["merged", "merged", "unmerged", "not_the_same"]);
    let audit = stdout(waymark(&db).args(["audit", "--child", &noah]));
    assert!(audit.contains("child_merge") && audit.contains("child_unmerge"), "{audit}");
}

#[test]
fn bad_identity_input_exits_2_naming_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    stdout(waymark(&db).arg("init"));
    let amy = add_child(&db, "Amy", "2014-03-09", None);
    waymark(&db)
        .args(["identity", "merge", "not-an-id", &amy, "--reason", "r"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("KEEP: 'not-an-id' is not a child id"));
    waymark(&db)
        .args(["identity", "merge", &amy, &amy, "--reason", "r"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be merged into itself"));
    waymark(&db)
        .args(["identity", "decide", "999", "--same", "--reason", "r"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("there is no review with id 999"));
    waymark(&db).args(["identity", "decide", "abc", "--same", "--reason", "r"]).assert().code(2);
    waymark(&db).args(["identity", "decide", "1", "--reason", "r"]).assert().code(2).stderr(predicate::str::contains("--same"));
    waymark(&db)
        .args(["identity", "unmerge", "5", "--reason", "r"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no merge with id 5"));
}

const LOCALITIES: &str = "la,code,name\n919,DSPL1,DSPL area 1\n";
const SETTINGS: &str = "urn,name,la,setting_type,phase,locality,sen_unit,resourced_provision\n\
                        117001,Meadow Primary School,919,mainstream_la,primary,DSPL1,N,N\n";
const CENSUS: &str = "la,upn,forename,surname,date_of_birth,sex,postcode,census_date,urn,ncy,sen_provision,primary_need,fsm_eligible\n\
                      919,C919200112001,Amira,Example,2016-03-14,F,AL1 3AA,2025-01-16,117001,4,E,ASD,Y\n";
/// Health knows the same girl by NHS number only, and her forename is spelt differently.
const HEALTH: &str = "la,nhs_number,forename,surname,date_of_birth,sex,postcode,check,check_date,outcome\n\
                      919,9434765919,Amirah,Example,2016-03-14,F,AL1 3AA,reception,2020-11-12,completed\n";

#[test]
fn an_import_queues_an_uncertain_match_never_merges_it_and_importing_again_queues_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    for (dataset, text) in [("localities", LOCALITIES), ("settings", SETTINGS), ("census", CENSUS)] {
        let file = write(dir.path(), &format!("{dataset}.csv"), text);
        waymark(&db).args(["import", dataset]).arg(&file).assert().success();
    }
    let health = write(dir.path(), "health.csv", HEALTH);
    let dry = stdout(waymark(&db).args(["import", "health-checks", "--dry-run"]).arg(&health));
    assert!(dry.contains("1 pair would be queued for identity review"), "{dry}");
    let first = stdout(waymark(&db).args(["import", "health-checks"]).arg(&health));
    assert!(first.contains("1 children created; 1 pair queued for identity review"), "{first}");
    let queue = queue_json(&db);
    assert_eq!(queue.len(), 1);
    assert!(queue[0]["import_id"].is_i64(), "the entry names the import: {}", queue[0]);
    for side in ["child_a", "child_b"] {
        let child = queue[0][side].as_str().unwrap();
        let shown = stdout(waymark(&db).args(["child", "show", child]));
        assert!(shown.contains("\"cases\""), "both records still exist on their own: {shown}");
    }
    let history = stdout(waymark(&db).args(["identity", "history"]));
    assert!(history.contains("no merges"), "nothing was merged: {history}");

    let again = stdout(waymark(&db).args(["import", "health-checks"]).arg(&health));
    assert_eq!(again.trim(), "health-checks: 1 row; 0 facts created, 1 unchanged, 0 updated; 0 children created");
    assert_eq!(queue_json(&db).len(), 1, "importing again queues nothing more");
}
