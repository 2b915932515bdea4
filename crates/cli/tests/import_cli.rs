//! `waymark import` against a real database file: reference data first, then person-level files; a
//! file with any problem is refused whole (exit 2) naming file, line, column, value and rule; the
//! report lists every problem; importing again changes nothing.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn waymark(db: &Path) -> Command {
    let mut c = Command::cargo_bin("waymark").unwrap();
    c.env("WAYMARK_DB", db).env("WAYMARK_ACTOR", "tester");
    c
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn stdout(c: &mut Command) -> String {
    String::from_utf8(c.assert().success().get_output().stdout.clone()).unwrap()
}

const LOCALITIES: &str = "la,code,name\n919,DSPL1,DSPL area 1\n919,DSPL2,DSPL area 2\n";
const SETTINGS: &str = "urn,name,la,setting_type,phase,locality,sen_unit,resourced_provision\n\
                        117001,Meadow Primary School,919,mainstream_la,primary,DSPL1,N,N\n\
                        117002,Oak Tree School,919,special_academy,all_through,DSPL2,N,N\n";
const CENSUS: &str = "la,upn,forename,surname,date_of_birth,sex,census_date,urn,ncy,sen_provision,primary_need,fsm_eligible,locality\n\
                      919,C919200112001,Amira,Example,2016-03-14,F,2025-01-16,117001,4,E,ASD,Y,DSPL1\n\
                      919,R919200112002,Ben,Sample,2012-10-02,M,2025-01-16,117002,7,E,SLD,N,DSPL2\n";

/// A database with the localities and settings above.
fn with_reference(dir: &Path) -> PathBuf {
    let db = dir.join("w.db");
    for (dataset, text) in [("localities", LOCALITIES), ("settings", SETTINGS)] {
        let file = write(dir, &format!("{dataset}.csv"), text);
        waymark(&db).args(["import", dataset]).arg(&file).assert().success();
    }
    db
}

#[test]
fn import_list_names_every_dataset_with_the_identifier_it_links_by() {
    let out = stdout(Command::cargo_bin("waymark").unwrap().args(["import", "--list"]));
    for name in
        ["localities", "settings", "population", "census", "attendance", "cin", "two-year-review", "post16-activity", "youth-justice"]
    {
        assert!(out.contains(name), "{name} listed");
    }
    assert!(out.find("localities").unwrap() < out.find("census").unwrap(), "reference data first");
    assert!(out.contains("nhs_number"));
}

#[test]
fn a_file_imports_once_and_importing_it_again_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_reference(dir.path());
    let census = write(dir.path(), "census.csv", CENSUS);
    let first = stdout(waymark(&db).args(["import", "census"]).arg(&census));
    assert_eq!(first.trim(), "census: 2 rows; 2 facts created, 0 unchanged, 0 updated; 2 children created");
    let again = stdout(waymark(&db).args(["import", "census"]).arg(&census));
    assert_eq!(again.trim(), "census: 2 rows; 0 facts created, 2 unchanged, 0 updated; 0 children created");

    // The children the census made are found by their UPN, and the import is in the audit log.
    let id = stdout(waymark(&db).args(["child", "find", "--upn", "C919200112001"]));
    let audit = stdout(waymark(&db).args(["audit", "--child", id.trim()]));
    assert!(audit.contains("facts"), "{audit}");
}

#[test]
fn a_refused_file_exits_2_naming_file_line_column_value_and_rule_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_reference(dir.path());
    let bad = CENSUS.replace("R919200112002", "A919200112002").replace("117001,4,E", "999999,4,E");
    let census = write(dir.path(), "census.csv", &bad);
    let report = dir.path().join("rejected.csv");
    waymark(&db)
        .args(["import", "census"])
        .arg(&census)
        .arg("--report")
        .arg(&report)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("census.csv was not imported: 2 problems in 2 of 2 rows; nothing was written"))
        .stderr(predicate::str::contains("census.csv line 2, column urn, value '999999': no setting has this URN"))
        .stderr(predicate::str::contains("[setting_unknown]"))
        .stderr(predicate::str::contains(
            "census.csv line 3, column upn, value 'A919200112002': the check letter should be R, not A (rule 1510) [upn_check_letter]",
        ))
        .stderr(predicate::str::contains("rejected.csv"));
    let text = std::fs::read_to_string(&report).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("file,line,column,value,rule,message,la,upn,"), "{}", lines[0]);
    assert_eq!(lines.len(), 3);
    assert!(lines[1].contains(",2,urn,999999,setting_unknown,"), "{}", lines[1]);
    assert!(lines[2].contains(",3,upn,A919200112002,upn_check_letter,"), "{}", lines[2]);

    // Nothing was written: the good row's child does not exist.
    assert_eq!(stdout(waymark(&db).args(["child", "find", "--upn", "C919200112001"])).trim(), "");
}

#[test]
fn a_dry_run_counts_what_would_change_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_reference(dir.path());
    let census = write(dir.path(), "census.csv", CENSUS);
    let out = stdout(waymark(&db).args(["import", "census", "--dry-run"]).arg(&census));
    assert!(out.contains("2 facts created") && out.contains("dry run: nothing was written"), "{out}");
    assert_eq!(stdout(waymark(&db).args(["child", "find", "--upn", "C919200112001"])).trim(), "");
}

#[test]
fn person_data_before_its_settings_is_refused_with_the_order_to_import_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let census = write(dir.path(), "census.csv", CENSUS);
    waymark(&db)
        .args(["import", "census"])
        .arg(&census)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("import the settings file first"))
        .stderr(predicate::str::contains("import the localities file first"));
}

#[test]
fn an_unknown_dataset_or_a_missing_file_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    waymark(&db)
        .args(["import", "schools", "x.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'schools'"))
        .stderr(predicate::str::contains("census, attendance"));
    waymark(&db)
        .args(["import", "census"])
        .arg(dir.path().join("missing.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read").and(predicate::str::contains("missing.csv")));
}
