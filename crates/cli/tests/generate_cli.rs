//! `waymark generate` as a user runs it: a calibrated synthetic area in the store, the same for the same seed.

use assert_cmd::Command;
use predicates::prelude::*;

fn waymark(db: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("waymark").unwrap();
    c.env("WAYMARK_DB", db);
    c
}

#[test]
fn the_small_profile_is_generated_into_the_store_with_its_calibration_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("area.db");
    let out = waymark(&db).args(["generate", "--profile", "small", "--seed", "7", "--report"]).assert().success().get_output().clone();
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(report.contains("within tolerance, 0 outside"), "{report}");
    assert!(String::from_utf8(out.stderr).unwrap().contains("children and young people"));
    // The caseload is there, with open work at every stage.
    waymark(&db)
        .args(["case", "list", "--today", "2026-01-15"])
        .assert()
        .success()
        .stdout(predicate::str::contains("plan_active").and(predicate::str::contains("assessing")));
}

#[test]
fn the_same_seed_gives_the_same_caseload_in_two_stores() {
    let dir = tempfile::tempdir().unwrap();
    let list = |name: &str| {
        let db = dir.path().join(name);
        waymark(&db).args(["generate", "--profile", "small", "--seed", "5"]).assert().success();
        let out =
            waymark(&db).args(["case", "list", "--today", "2026-01-15", "--format", "json"]).assert().success().get_output().stdout.clone();
        String::from_utf8(out).unwrap()
    };
    assert_eq!(list("a.db"), list("b.db"));
}

#[test]
fn an_unknown_profile_is_refused_with_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    waymark(&dir.path().join("x.db"))
        .args(["generate", "--profile", "wales"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("small").and(predicate::str::contains("england")));
}

#[test]
fn out_writes_the_same_sen2_returns_on_every_run_and_they_pass_validation() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        waymark(&dir.path().join("unused.db")).args(["generate", "--profile", "small", "--seed", "7", "--out"]).arg(out).assert().success();
    }
    for year in ["2025", "2026"] {
        let name = format!("sen2_{year}.xml");
        let (fa, fb) = (std::fs::read(a.join(&name)).unwrap(), std::fs::read(b.join(&name)).unwrap());
        assert_eq!(fa, fb, "{name} differs between runs");
        // Waymark's own validation: schema structure, code sets and business rules; queries allowed.
        waymark(&dir.path().join("unused.db")).args(["sen2", "validate"]).arg(a.join(&name)).assert().success();
        // And the published schema itself, where xmllint is installed (scripts/test installs it).
        if std::process::Command::new("xmllint").arg("--version").output().is_ok() {
            // CI runs a clone with shared/ beside it (../shared from the repository root).
            let schema = format!("{}/../../../shared/reference/sen2/sen2_schema_{year}.xsd", env!("CARGO_MANIFEST_DIR"));
            assert!(std::path::Path::new(&schema).exists(), "the SEN2 schema {schema} is missing: clone the repository beside shared/");
            let status = std::process::Command::new("xmllint").args(["--noout", "--schema", &schema]).arg(a.join(&name)).status().unwrap();
            assert!(status.success(), "{name} fails sen2_schema_{year}.xsd");
        }
    }
}

/// Every dataset `waymark import` accepts, in its order.
fn datasets() -> Vec<&'static str> {
    waymark_domain::facts::Dataset::ALL.iter().map(|d| d.name()).collect()
}

#[test]
fn out_writes_the_same_import_csvs_on_every_run_and_each_imports_into_an_empty_store_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        waymark(&dir.path().join("unused.db")).args(["generate", "--profile", "small", "--seed", "7", "--out"]).arg(out).assert().success();
    }
    let datasets = datasets();
    for dataset in &datasets {
        let name = format!("{dataset}.csv");
        let (fa, fb) = (std::fs::read(a.join(&name)).unwrap(), std::fs::read(b.join(&name)).unwrap());
        assert_eq!(fa, fb, "{name} differs between runs");
        assert!(fa.iter().filter(|c| **c == b'\n').count() > 1, "{name} has no rows");
    }
    let db = dir.path().join("imported.db");
    for dataset in datasets.iter().copied() {
        let out = waymark(&db)
            .env("WAYMARK_ACTOR", "tester")
            .args(["import", dataset])
            .arg(a.join(format!("{dataset}.csv")))
            .assert()
            .get_output()
            .clone();
        assert!(out.status.success(), "{dataset}.csv was refused:\n{}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn into_the_store_the_facts_are_exactly_what_importing_the_files_gives() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("area.db");
    let out = dir.path().join("files");
    waymark(&db).args(["generate", "--profile", "small", "--seed", "7"]).assert().success();
    waymark(&db).args(["generate", "--profile", "small", "--seed", "7", "--out"]).arg(&out).assert().success();
    // A dry run of each file against the generated store finds every row already there, unchanged.
    for dataset in datasets() {
        let result = waymark(&db)
            .env("WAYMARK_ACTOR", "tester")
            .args(["import", dataset, "--dry-run"])
            .arg(out.join(format!("{dataset}.csv")))
            .assert()
            .get_output()
            .clone();
        let said = String::from_utf8_lossy(&result.stdout).into_owned();
        assert!(result.status.success(), "{dataset}: {}", String::from_utf8_lossy(&result.stderr));
        assert!(said.contains(" 0 records created") || said.contains(" 0 facts created"), "{dataset} is not all in the store: {said}");
        assert!(said.contains(", 0 updated"), "{dataset} differs in the store: {said}");
        assert!(!said.contains(" 0 unchanged"), "{dataset}: {said}");
        if !["localities", "settings", "population"].contains(&dataset) {
            assert!(said.contains("0 children created"), "{dataset} names someone the store lacks: {said}");
        }
    }
}

#[test]
fn generate_is_all_or_nothing_a_failed_run_leaves_no_children_and_a_rerun_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("area.db");
    waymark(&db)
        .args(["generate", "--profile", "small", "--seed", "7"])
        .env("WAYMARK_TEST_GENERATE_FAIL_AFTER_LAS", "1")
        .assert()
        .failure()
        .stderr(predicate::str::contains("stopped by"));
    waymark(&db)
        .args(["case", "list", "--today", "2026-01-15", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("[]"));
    // The re-run (before: "UNIQUE constraint failed: child.child_id") builds the whole area.
    waymark(&db).args(["generate", "--profile", "small", "--seed", "7"]).assert().success();
    waymark(&db).args(["case", "list", "--today", "2026-01-15"]).assert().success().stdout(predicate::str::contains("plan_active"));
    assert!(!dir.path().join("area.db.generating").exists());
    // Into a database that already holds people: refused before anything is written.
    waymark(&db)
        .args(["generate", "--profile", "small", "--seed", "8"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("new database file"));
}
