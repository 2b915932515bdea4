//! Issue 12: hostile files. Formula cells in the rejection report, escape codes in messages, and the
//! limits on header width and field size.

use std::io::Read;
use waymark_import::{format, write_report, Dataset, ImportError, Rejection, RowError, MAX_COLUMNS, MAX_FIELD_BYTES, MAX_RECORD_BYTES};

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

/// A header of `n` unknown columns and one row.
fn wide(n: usize) -> String {
    let header: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    let row: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    format!("{}\n{}\n", header.join(","), row.join(","))
}

fn refused(text: &[u8]) -> Rejection {
    match waymark_import::read(Dataset::Census, "wide.csv", "wide.csv", text) {
        Err(ImportError::Rejected(r)) => r,
        other => panic!("should be refused: {other:?}"),
    }
}

#[test]
fn a_header_of_10000_unknown_columns_is_refused_with_a_short_list_and_a_report_linear_in_its_width() {
    let dir = tempfile::tempdir().unwrap();
    let text = wide(10_000);
    let r = refused(text.as_bytes());
    assert!(r.errors.len() <= 51, "{} problems listed", r.errors.len());
    assert_eq!(r.errors[0].rule, "header_unknown_column");
    let last = r.errors.last().unwrap();
    assert_eq!((last.rule.as_str(), last.line), ("header_many_problems", 1));
    assert!(last.message.contains("and 9961 more problems"), "{}", last.message);
    // Before: one report line per unknown column, each as wide as the header (10,000 x 10,000 cells).
    let source = dir.path().join("wide.csv");
    std::fs::write(&source, &text).unwrap();
    let report = dir.path().join("report.csv");
    write_report(&report, &source, &r).unwrap();
    assert_eq!(std::fs::read_to_string(&report).unwrap().lines().count(), 1 + r.errors.len());
}

#[test]
fn headers_of_20000_and_100000_columns_are_refused_on_line_1_naming_the_limit() {
    for n in [20_000, 100_000] {
        let r = refused(wide(n).as_bytes());
        assert_eq!(r.errors.len(), 1);
        let e = &r.errors[0];
        assert_eq!((e.line, e.rule.as_str()), (1, "header_too_wide"));
        assert!(e.message.contains(&format!("names {n} columns, more than the {MAX_COLUMNS}")), "{}", e.message);
    }
}

/// `prefix`, then `fill` bytes of `a`, then `suffix`, made as it is read (never held whole); counts
/// the bytes handed over.
struct Streamed {
    parts: Vec<Vec<u8>>,
    fill: u64,
    at: usize,
    offset: usize,
    pub given: std::rc::Rc<std::cell::Cell<u64>>,
}

impl Streamed {
    fn new(prefix: &str, fill: u64, suffix: &str) -> Self {
        Self { parts: vec![prefix.as_bytes().to_vec(), suffix.as_bytes().to_vec()], fill, at: 0, offset: 0, given: Default::default() }
    }
}

impl Read for Streamed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = if self.at == 0 || self.at == 2 {
            let part = &self.parts[self.at / 2];
            let n = (part.len() - self.offset).min(buf.len());
            buf[..n].copy_from_slice(&part[self.offset..self.offset + n]);
            self.offset += n;
            if self.offset == part.len() && self.at == 0 {
                (self.at, self.offset) = (1, 0);
            }
            n
        } else {
            let n = (self.fill.min(buf.len() as u64)) as usize;
            buf[..n].fill(b'a');
            self.fill -= n as u64;
            if self.fill == 0 {
                self.at = 2;
            }
            n
        };
        self.given.set(self.given.get() + n as u64);
        Ok(n)
    }
}

#[test]
fn a_200_mb_cell_is_refused_naming_its_line_without_reading_it_all() {
    let header = format(Dataset::Census).columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
    let input = Streamed::new(&format!("{header}\n919,\""), 200 << 20, "\"\n");
    let given = input.given.clone();
    let err = waymark_import::read(Dataset::Census, "big.csv", "big.csv", input).unwrap_err();
    let ImportError::Read { file, message } = err else { panic!("should be a read error: {err:?}") };
    assert_eq!(file, "big.csv");
    assert!(message.starts_with("line 2: the record starting here is longer than 4 MB"), "{message}");
    assert!(given.get() < (MAX_RECORD_BYTES + (1 << 20)), "read {} bytes of 200 MB", given.get());
}

#[test]
fn a_cell_longer_than_the_limit_is_refused_naming_its_line_and_column() {
    let header = format(Dataset::Census).columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
    let n = format(Dataset::Census).columns.len();
    let mut cells = vec![String::new(); n];
    cells[2] = "x".repeat(MAX_FIELD_BYTES + 1);
    let r = refused(format!("{header}\n{}\n", cells.join(",")).as_bytes());
    let e = &r.errors[0];
    assert_eq!((e.line, e.rule.as_str(), e.column.as_str()), (2, "value_too_long", format(Dataset::Census).columns[2].name));
}
