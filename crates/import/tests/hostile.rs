//! Issue 12: hostile files. Formula cells in the rejection report, escape codes in messages, and the
//! limits on header width and field size.

use waymark_import::{write_report, Rejection, RowError};

fn row_error(file: &str, value: &str) -> RowError {
    RowError {
        file: file.into(),
        line: 2,
        column: "upn".into(),
        value: value.into(),
        rule: "upn_check_letter".into(),
        message: format!("'{value}' is not a UPN"),
    }
}

#[test]
fn owasp_csv_injection_the_report_neutralises_formulas_copied_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("census.csv");
    std::fs::write(&source, "la,upn,forename\n919,=1+1,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\n").unwrap();
    let file = source.display().to_string();
    let rejection = Rejection { file: file.clone(), rows: 1, errors: vec![row_error(&file, "=1+1")] };
    let report = dir.path().join("report.csv");
    write_report(&report, &source, &rejection).unwrap();
    let mut reader = csv::Reader::from_path(&report).unwrap();
    let row: Vec<String> = reader.records().next().unwrap().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(row[3], "'=1+1", "the value column");
    assert_eq!(row[7], "'=1+1", "the row's own upn");
    assert_eq!(row[8], "'=HYPERLINK(\"http://evil.example\",\"x\")", "the row's own forename");
    assert!(!row.iter().any(|c| c.starts_with('=')));
}

#[test]
fn terminal_escape_codes_in_a_file_are_made_visible_in_import_errors() {
    let e = row_error("census.csv", "\x1b]0;owned\x07\x1b[2J");
    let shown = e.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(shown.contains("?]0;owned??[2J"), "{shown:?}");
    let summary = Rejection { file: "census.csv".into(), rows: 1, errors: vec![e] }.summary(5);
    assert!(!summary.replace('\n', "").chars().any(char::is_control), "{summary:?}");
}
