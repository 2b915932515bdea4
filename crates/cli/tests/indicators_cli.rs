//! `waymark indicators` through the real binary.

use assert_cmd::Command;
use predicates::prelude::*;

fn waymark() -> Command {
    Command::cargo_bin("waymark").unwrap()
}

#[test]
fn list_names_every_built_in_framework_and_marks_manual_entry_indicators() {
    waymark()
        .args(["indicators", "--list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("dfe-ehcp"))
        .stdout(predicate::str::contains("portsmouth-2016"))
        .stdout(predicate::str::contains("hertfordshire-2015"))
        .stdout(predicate::str::contains("peterborough-2017"))
        .stdout(predicate::str::contains("ofsted-area-send"))
        .stdout(predicate::str::contains("[manual entry]"));
}

#[test]
fn csv_for_a_generated_area_has_the_exact_columns_and_dfe_values_for_the_la() {
    let out = waymark()
        .args(["indicators", "--framework", "dfe-ehcp", "--profile", "small", "--la", "851", "--period", "2024", "--format", "csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("framework,indicator,period,la,cohort,numerator,denominator,value,target,rag"));
    assert!(text.contains("dfe-ehcp,requests_received,2024,851,all,"), "{text}");
    assert!(text.contains("dfe-ehcp,caseload_at_census,2025-01-16,851,all,"), "{text}");
    assert!(text.contains(",851,locality=North,"), "localities: {text}");
}

#[test]
fn json_html_and_xlsx_are_written_and_xlsx_needs_an_output_file() {
    let dir = tempfile::tempdir().unwrap();
    waymark()
        .args(["indicators", "--framework", "hertfordshire-2015", "--profile", "small", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"rows\""));
    let html = dir.path().join("report.html");
    waymark()
        .args(["indicators", "--framework", "portsmouth-2016", "--profile", "small", "--format", "html", "--out"])
        .arg(&html)
        .assert()
        .success();
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("<svg") && text.contains("<table"));
    waymark()
        .args(["indicators", "--framework", "dfe-ehcp", "--profile", "small", "--format", "xlsx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--out"));
    let xlsx = dir.path().join("pack.xlsx");
    waymark()
        .args(["indicators", "--framework", "dfe-ehcp", "--profile", "small", "--format", "xlsx", "--out"])
        .arg(&xlsx)
        .assert()
        .success();
    assert!(std::fs::metadata(&xlsx).unwrap().len() > 1000);
}

#[test]
fn a_bad_definition_file_is_refused_naming_the_file_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("local.toml"),
        "[framework]\nid = \"local\"\ntitle = \"Local\"\ngroups = [{ id = \"g\", title = \"G\" }]\n\n[[indicator]]\nid = \"x\"\ntitle = \"X\"\ndefinition = \"X\"\ngroup = \"g\"\nunit = \"count\"\nperiod = \"calendar_year\"\npolarity = \"neutral\"\nsource = \"S\"\nnumerator = \"plans_issud\"\n",
    )
    .unwrap();
    waymark()
        .args(["indicators", "--list", "--definitions"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("local.toml:15"))
        .stderr(predicate::str::contains("unknown base set 'plans_issud'"));
}

#[test]
fn manual_values_are_entered_into_the_store_and_reported_with_a_bad_row_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let csv = dir.path().join("manual.csv");
    std::fs::write(
        &csv,
        "framework,indicator,period,la,cohort,value\nhertfordshire-2015,o_stakeholder_confidence_pct,2024/25,851,all,61.5\n",
    )
    .unwrap();
    waymark()
        .args(["indicators", "--manual"])
        .arg(&csv)
        .arg("--db")
        .arg(&db)
        .assert()
        .success()
        .stderr(predicate::str::contains("Saved 1"));
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "framework,indicator,period,la,cohort,value\nhertfordshire-2015,a_ehcp_population_pct,2024/25,851,all,3\n")
        .unwrap();
    waymark()
        .args(["indicators", "--manual"])
        .arg(&bad)
        .arg("--db")
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.csv:2: indicator: 'a_ehcp_population_pct' is computed from records"));
    waymark().args(["generate", "--profile", "small", "--db"]).arg(&db).assert().success();
    waymark()
        .args(["indicators", "--framework", "hertfordshire-2015", "--la", "851", "--period", "2024", "--today", "2026-01-15", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::contains("hertfordshire-2015,o_stakeholder_confidence_pct,2024/25,851,all,,,61.5"))
        .stdout(predicate::str::contains("hertfordshire-2015,a_ehcp_population_pct,2024/25,851,all,"));
}

#[test]
fn survey_sourced_indicators_are_computed_from_the_answers_in_the_store_as_on_the_web() {
    use waymark_storage::{Actor, FixedClock, Scope, SqliteStore, SurveyStore};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    waymark().args(["generate", "--profile", "small", "--db"]).arg(&db).assert().success();
    // Three answers in October 2024 to Hertfordshire's confidence question: two positive (4, 5), one not.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let day = chrono::NaiveDate::from_ymd_opt(2024, 10, 1).unwrap();
        let store = SqliteStore::open(&db, std::sync::Arc::new(FixedClock::at_noon(day))).await.unwrap();
        let actor = Actor::new("test", Scope::All);
        let survey = serde_json::from_value(serde_json::json!({"title": "Confidence", "questions": [
            {"id": "confidence", "kind": "scale", "text": "How confident are you in the SEND partnership?"}]}))
        .unwrap();
        let s = store.create_survey(&actor, "851".parse().unwrap(), &survey, None).await.unwrap();
        store.publish_survey(&actor, s.id, "tok").await.unwrap();
        for (i, point) in ["5", "4", "2"].into_iter().enumerate() {
            let mut raw = std::collections::BTreeMap::new();
            raw.insert("confidence".to_owned(), vec![point.to_owned()]);
            let response = s.survey.read_response(&raw, None).unwrap();
            store.start_visit(s.id, &format!("v{i}")).await.unwrap();
            store.submit_response("tok", &format!("v{i}"), &response, None, day).await.unwrap();
        }
    });
    let out = waymark()
        .args(["indicators", "--framework", "hertfordshire-2015", "--la", "851", "--period", "2024", "--today", "2026-01-15", "--db"])
        .arg(&db)
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let row = text.lines().find(|l| l.starts_with("hertfordshire-2015,o_stakeholder_confidence_pct,2024/25,851,all,")).expect(&text);
    assert!(row.contains("66.6") || row.contains("66.7"), "2 of 3 answers positive: {row}");
}
