//! `waymark forecast` through the real binary: witan.send's demo inputs (beside the repository; the tests
//! that need them skip, saying so, when they are absent), bad inputs, and a forecast from a generated
//! area's store.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn waymark() -> Command {
    Command::cargo_bin("waymark").unwrap()
}

fn demo() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/forecast/witan-send-demo/inputs");
    if dir.join("transitions.csv").exists() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: witan.send demo inputs not found at {}", dir.display());
        None
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn first_line(p: &Path) -> String {
    read(p).lines().next().unwrap_or("").to_string()
}

#[test]
fn expected_projection_of_the_demo_writes_every_file_with_its_columns() {
    let Some(inputs) = demo() else { return };
    let out = tempfile::tempdir().unwrap();
    waymark()
        .args(["forecast", "--inputs"])
        .arg(&inputs)
        .args(["--expected", "--out"])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("2022: 2555.9 children"));
    let o = out.path();
    assert_eq!(first_line(&o.join("totals.csv")), "calendar-year,expected-count,expected-cost");
    assert_eq!(first_line(&o.join("by_ncy.csv")), "calendar-year,academic-year,expected-count,expected-cost");
    assert_eq!(first_line(&o.join("by_need.csv")), "calendar-year,need,expected-count,expected-cost");
    assert_eq!(first_line(&o.join("by_setting.csv")), "calendar-year,setting,expected-count,expected-cost");
    assert_eq!(first_line(&o.join("by_state.csv")), "calendar-year,academic-year,need,setting,expected-count,expected-cost");
    assert_eq!(first_line(&o.join("dropped.csv")), "calendar-year,academic-year,need,setting,reason,expected-count");
    // The same numbers as the independent NumPy expectation (crates/forecast/tests/golden).
    let golden = read(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../forecast/tests/golden/demo-expected-totals.csv"));
    for (mine, theirs) in read(&o.join("totals.csv")).lines().zip(golden.lines()).skip(1) {
        let a: Vec<f64> = mine.split(',').map(|x| x.parse().unwrap()).collect();
        let b: Vec<f64> = theirs.split(',').map(|x| x.parse().unwrap()).collect();
        assert!((a[1] - b[1]).abs() < 1e-5 && (a[2] - b[2]).abs() < 1e-2, "{mine} vs {theirs}");
    }
    assert_eq!(read(&o.join("totals.csv")).lines().count(), 7);
}

#[test]
fn simulations_give_quantiles_and_the_same_files_for_a_seed_on_any_number_of_threads() {
    let Some(inputs) = demo() else { return };
    let run = |threads: &str| {
        let out = tempfile::tempdir().unwrap();
        waymark()
            .args(["forecast", "--inputs"])
            .arg(&inputs)
            .args(["--years", "3", "--simulations", "200", "--seed", "11", "--threads", threads, "--out"])
            .arg(out.path())
            .assert()
            .success();
        (read(&out.path().join("totals.csv")), read(&out.path().join("by_state.csv")))
    };
    let (t1, s1) = run("1");
    let (t2, s2) = run("2");
    assert_eq!(t1, t2);
    assert_eq!(s1, s2);
    assert!(t1.starts_with("calendar-year,mean,sd,q05,q25,q50,q75,q95,cost-mean\n"));
    assert_eq!(t1.lines().count(), 5);
}

#[test]
fn scenario_backtest_and_capacity_are_written() {
    let Some(inputs) = demo() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("more.toml");
    std::fs::write(&sc, "name = \"More joiners\"\n[[change]]\nwhat = \"joiners\"\nfactor = 1.1\nfrom = 2020\n").unwrap();
    let cap = dir.path().join("capacity.csv");
    std::fs::write(&cap, "setting,calendar-year,places\nA,2017,150\n").unwrap();
    let out = dir.path().join("out");
    waymark()
        .args(["forecast", "--inputs"])
        .arg(&inputs)
        .arg("--scenario")
        .arg(&sc)
        .arg("--capacity")
        .arg(&cap)
        .args(["--backtest", "1", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("Scenario 'More joiners'"))
        .stdout(predicate::str::contains("Back-test holding out 1 year(s)"));
    assert_eq!(
        first_line(&out.join("comparison.csv")),
        "calendar-year,baseline,scenario,difference,baseline-cost,scenario-cost,cost-difference"
    );
    assert_eq!(first_line(&out.join("scenario/totals.csv")), "calendar-year,expected-count,expected-cost");
    assert!(read(&out.join("places.csv")).contains("\n2018,A,150,"));
    assert!(read(&out.join("backtest_mape.csv")).starts_with("scope,key,mape\ntotal,ALL,"));
}

fn bad_inputs(edit: impl Fn(&Path)) -> assert_cmd::assert::Assert {
    let inputs = demo().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for f in ["transitions.csv", "population.csv", "valid-states.csv", "costs.csv"] {
        std::fs::copy(inputs.join(f), dir.path().join(f)).unwrap();
    }
    edit(dir.path());
    let out = dir.path().join("out");
    let a = waymark().args(["forecast", "--inputs"]).arg(dir.path()).arg("--out").arg(&out).assert();
    assert!(!out.join("totals.csv").exists(), "nothing is written for bad input");
    a
}

#[test]
fn bad_inputs_exit_2_naming_file_line_and_field() {
    if demo().is_none() {
        return;
    }
    bad_inputs(|d| {
        let t = read(&d.join("transitions.csv")).replacen("need-2,", "", 1);
        std::fs::write(d.join("transitions.csv"), t).unwrap();
    })
    .code(2)
    .stderr(predicate::str::contains("transitions.csv line 1, field need-2: column 'need-2' is missing"));
    bad_inputs(|d| {
        let mut t = read(&d.join("transitions.csv"));
        t.push_str("2016,ZZ,T,3,A,T,4\n");
        std::fs::write(d.join("transitions.csv"), t).unwrap();
    })
    .code(2)
    .stderr(predicate::str::contains("transitions.csv line 8353, field setting-1: unknown setting 'ZZ'"));
    bad_inputs(|d| {
        let p = read(&d.join("population.csv")).replacen("2013,-5,9618", "2013,-5,-9618", 1);
        std::fs::write(d.join("population.csv"), p).unwrap();
    })
    .code(2)
    .stderr(predicate::str::contains("population.csv line 2, field population: -9618 is negative"));
}

#[test]
fn asking_for_more_years_than_the_population_covers_is_refused() {
    let Some(inputs) = demo() else { return };
    let out = tempfile::tempdir().unwrap();
    waymark()
        .args(["forecast", "--inputs"])
        .arg(&inputs)
        .args(["--years", "9", "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("population.csv has no general population for calendar year 2023"));
}

#[test]
fn a_forecast_from_a_generated_areas_store_runs_and_back_tests() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("area.db");
    waymark().env("WAYMARK_DB", &db).args(["generate", "--profile", "small", "--seed", "7"]).assert().success();
    let out = dir.path().join("out");
    let export = dir.path().join("inputs");
    waymark()
        .env("WAYMARK_DB", &db)
        .args(["forecast", "--from-store", "--la", "851", "--today", "2026-03-01", "--years", "3", "--backtest", "1"])
        .arg("--export-inputs")
        .arg(&export)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("Forecast from the store, LA 851"))
        .stdout(predicate::str::contains("illustrative defaults"));
    let totals = read(&out.join("totals.csv"));
    assert_eq!(totals.lines().count(), 5, "{totals}");
    assert!(read(&out.join("backtest.csv")).lines().count() > 2);
    // The exported inputs are witan.send's files and give the same forecast when read back.
    let again = dir.path().join("again");
    waymark().args(["forecast", "--inputs"]).arg(&export).args(["--years", "3", "--out"]).arg(&again).assert().success();
    assert_eq!(read(&again.join("totals.csv")), totals);
    // One LA only, and the read is audited.
    waymark()
        .env("WAYMARK_DB", &db)
        .args(["forecast", "--from-store", "--la", "999", "--out"])
        .arg(dir.path().join("none"))
        .assert()
        .code(2);
    waymark().env("WAYMARK_DB", &db).args(["audit"]).assert().success().stdout(predicate::str::contains("aggregate"));
}
