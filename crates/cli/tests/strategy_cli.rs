//! `waymark strategy` against a real database: the demo area's transcribed Portsmouth 2016 plan shown as
//! the contract's JSON with live indicators, a bad CSV refused whole with line errors (exit 2), and the
//! quarter's board report written as DOCX and PDF and read back with its figures.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

const TODAY: &str = "2026-11-22";

fn waymark(db: &Path) -> Command {
    let mut c = Command::cargo_bin("waymark").unwrap();
    c.env("WAYMARK_DB", db).env("WAYMARK_ACTOR", "officer-1").env_remove("WAYMARK_LOG");
    c
}

fn demo(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("demo.db");
    waymark(&db).args(["demo", "--area", "examples", "--no-serve", "--today", TODAY]).assert().success();
    db
}

fn show(db: &Path) -> serde_json::Value {
    let out = waymark(db).args(["strategy", "show", "--format", "json", "--today", TODAY]).assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn the_demo_areas_portsmouth_2016_plan_shows_by_strand_as_the_contracts_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let v = show(&db);
    let strands = v["strands"].as_array().unwrap();
    assert_eq!(strands.len(), 6);
    assert_eq!(strands.iter().map(|s| s["deliverables"].as_array().unwrap().len()).sum::<usize>(), 37);
    let b6 = strands[1]["deliverables"].as_array().unwrap().iter().find(|d| d["ref"] == "B6").unwrap();
    let keys: Vec<&str> = b6.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
    for k in ["ref", "title", "due", "owner", "status", "indicators"] {
        assert!(keys.contains(&k), "{k}");
    }
    assert_eq!((b6["due"].as_str(), b6["owner"].as_str(), b6["status"].as_str()), (Some("2016-09"), Some("KS"), Some("on_track")));
    let ind = &b6["indicators"][0];
    assert_eq!(ind["id"], "dfe-ehcp/plans_within_20_weeks_excl_exceptions_pct");
    assert_eq!(ind.as_object().unwrap().len(), 4, "id, value, target, rag");
    // Plans with a personal budget are counted at each January census. The demo's plans began after
    // January 2026's, and January 2027's has not come on 22 November 2026: no figure for a day still to
    // come (before, the census to come was shown as if it had been taken).
    let b3 = strands[1]["deliverables"].as_array().unwrap().iter().find(|d| d["ref"] == "B3").unwrap();
    assert!(b3["indicators"][0]["value"].is_null(), "{b3}");
    let text = waymark(&db).args(["strategy", "show", "--today", TODAY]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8(text)
        .unwrap()
        .contains("B6    Improved percentage of EHCPs completed within statutory timescales (by September 2016, KS): On track"));
}

#[test]
fn a_bad_plan_is_refused_whole_with_its_lines_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let before = show(&db);
    let bad = dir.path().join("plan.csv");
    std::fs::write(
        &bad,
        "strand,ref,deliverable,due,owner,status,monitored_by,indicators\nA,A1,Good row,Jun 26,JK,,,\nA,A2,Bad date,Jum 26,JK,,,\nA,A3,Bad link,Jun 26,JK,,,dfe-ehcp/nonsense\n",
    )
    .unwrap();
    waymark(&db)
        .args(["strategy", "import"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing was imported"))
        .stderr(predicate::str::contains("line 3, column due: 'Jum 26' is not a date"))
        .stderr(predicate::str::contains("line 4, column indicators: 'dfe-ehcp/nonsense' is not an indicator"));
    assert_eq!(show(&db), before);
    waymark(&db).args(["strategy", "report", "--quarter", "2026Q5", "--out"]).arg(dir.path().join("x")).assert().code(2);
}

#[test]
fn the_board_report_is_written_as_docx_and_pdf_and_reads_back_with_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let docx = dir.path().join("report.docx");
    let pdf = dir.path().join("report.pdf");
    for (format, out) in [("docx", &docx), ("pdf", &pdf)] {
        waymark(&db)
            .args(["strategy", "report", "--quarter", "2026Q4", "--format", format, "--today", TODAY, "--out"])
            .arg(out)
            .assert()
            .success();
    }
    let text = waymark_documents::readback::docx(&std::fs::read(&docx).unwrap()).unwrap().body_text();
    for needle in [
        "1. Purpose",
        "Made on 22 November 2026",
        "Improved percentage of EHCPs completed within statutory timescales",
        "Re-designation delayed",
    ] {
        assert!(text.contains(needle), "docx: {needle}");
    }
    let pdf = waymark_documents::readback::squash(&waymark_documents::readback::pdf_text(&std::fs::read(&pdf).unwrap()).unwrap());
    for needle in ["2. Recommendations", "Made on 22 November 2026", "Young Inspectors programme in place"] {
        assert!(pdf.contains(&waymark_documents::readback::squash(needle)), "pdf: {needle}");
    }
}
