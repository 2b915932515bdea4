//! The delivery plan's CSV format (`waymark strategy import FILE.csv`): the header is exactly
//! `strand,ref,deliverable,due,owner,status,monitored_by,indicators`, one row per deliverable, strands
//! in order of first appearance. `due` is a day (`2016-06-30`, `30/06/2016`) or a month as the seeds
//! write it (`Jun 16`); `status` a status's code or words (blank: not started); `indicators` is
//! `pack/indicator_id` separated by `;`. Every row is checked and every problem reported with its line
//! and column; one problem and nothing is imported.

use crate::due::Due;
use crate::plan::{IndicatorRef, ItemDef, StrandDef, MAX_FIELD};
use crate::status::Status;
use std::fmt;

/// The columns, exactly, in order.
pub const COLUMNS: [&str; 8] = ["strand", "ref", "deliverable", "due", "owner", "status", "monitored_by", "indicators"];

/// The most rows a plan may have.
pub const MAX_ROWS: usize = 2000;

/// One problem with the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line in the file (1 is the header).
    pub line: u64,
    pub column: Option<&'static str>,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "line {}, column {c}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportErrors {
    pub file: String,
    pub errors: Vec<LineError>,
}

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: nothing was imported; {} problem(s) to put right:", self.file, self.errors.len())?;
        for e in &self.errors {
            writeln!(f, "  {}: {e}", self.file)?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}

/// Read a plan. `known` says whether a linked indicator exists (the packs the installation has);
/// an unknown one is an error on its line.
pub fn parse(file: &str, text: &str, known: &dyn Fn(&IndicatorRef) -> bool) -> Result<Vec<StrandDef>, ImportErrors> {
    let fail = |errors: Vec<LineError>| ImportErrors { file: file.to_owned(), errors };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(fail(vec![LineError { line: 1, column: None, message: "the file is empty: it needs the header row".into() }])),
        Some(Err(e)) => return Err(fail(vec![LineError { line: 1, column: None, message: format!("not readable as CSV: {e}") }])),
        Some(Ok(h)) => h,
    };
    let got: Vec<String> = header.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    if got != COLUMNS {
        return Err(fail(vec![LineError {
            line: 1,
            column: None,
            message: format!("the header must be exactly {} (found {})", COLUMNS.join(","), got.join(",")),
        }]));
    }
    let mut errors = Vec::new();
    let mut strands: Vec<StrandDef> = Vec::new();
    let mut seen: Vec<(String, u64)> = Vec::new();
    let mut rows = 0usize;
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(LineError { line, column: None, message: format!("not readable as CSV: {e}") });
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows += 1;
        if rows > MAX_ROWS {
            errors.push(LineError { line, column: None, message: format!("a plan may have at most {MAX_ROWS} deliverables") });
            break;
        }
        if rec.len() != COLUMNS.len() {
            errors.push(LineError {
                line,
                column: None,
                message: format!("this row has {} columns; it needs {} ({})", rec.len(), COLUMNS.len(), COLUMNS.join(",")),
            });
            continue;
        }
        let cell = |i: usize| rec.get(i).unwrap_or("").trim();
        let mut err = |column: &'static str, message: String| errors.push(LineError { line, column: Some(column), message });
        let text = |i: usize, required: bool, err: &mut dyn FnMut(&'static str, String)| {
            let v = cell(i);
            if required && v.is_empty() {
                err(COLUMNS[i], "is empty: it is needed".into());
                None
            } else if v.chars().count() > MAX_FIELD {
                err(COLUMNS[i], format!("is longer than {MAX_FIELD} characters"));
                None
            } else if v.chars().any(char::is_control) {
                err(COLUMNS[i], "holds a control character".into());
                None
            } else {
                Some(v.to_owned())
            }
        };
        let strand = text(0, true, &mut err);
        let reference = text(1, true, &mut err);
        let title = text(2, true, &mut err);
        let owner = text(4, true, &mut err);
        let monitored_by = text(6, false, &mut err);
        let due = Due::parse(cell(3)).map_err(|m| err("due", m)).ok();
        let status = Status::parse(cell(5)).map_err(|m| err("status", m)).ok();
        let mut indicators = Vec::new();
        for part in cell(7).split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match part.parse::<IndicatorRef>() {
                Ok(r) if !known(&r) => {
                    err("indicators", format!("'{r}' is not an indicator of the frameworks (see waymark indicators --list)"))
                }
                Ok(r) if indicators.contains(&r) => err("indicators", format!("'{r}' is listed twice")),
                Ok(r) => indicators.push(r),
                Err(m) => err("indicators", m),
            }
        }
        if let Some(r) = &reference {
            if let Some((_, first)) = seen.iter().find(|(s, _)| s == r) {
                err("ref", format!("'{r}' is already the reference of line {first}: each deliverable needs its own"));
            } else {
                seen.push((r.clone(), line));
            }
        }
        if let (Some(strand), Some(reference), Some(title), Some(due), Some(owner), Some(status), Some(monitored_by)) =
            (strand, reference, title, due, owner, status, monitored_by)
        {
            let item = ItemDef { reference, title, due, owner, status, monitored_by, indicators };
            match strands.iter_mut().find(|s| s.name == strand) {
                Some(s) => s.items.push(item),
                None => strands.push(StrandDef { name: strand, items: vec![item] }),
            }
        }
    }
    if rows == 0 && errors.is_empty() {
        errors.push(LineError { line: 2, column: None, message: "there are no deliverables: the file has a header only".into() });
    }
    if errors.is_empty() {
        Ok(strands)
    } else {
        Err(fail(errors))
    }
}

/// Write a plan in the same format (read back by [`parse`]); cells that a spreadsheet would run as a
/// formula are neutralised.
pub fn write(strands: &[StrandDef]) -> String {
    let mut w = waymark_safe_output::CsvWriter::new(Vec::new());
    let mut write = || -> csv::Result<()> {
        w.write_record(COLUMNS)?;
        for s in strands {
            for i in &s.items {
                let indicators = i.indicators.iter().map(ToString::to_string).collect::<Vec<_>>().join(";");
                w.write_record([
                    s.name.as_str(),
                    &i.reference,
                    &i.title,
                    &i.due.code(),
                    &i.owner,
                    i.status.key(),
                    &i.monitored_by,
                    &indicators,
                ])?;
            }
        }
        Ok(())
    };
    // Writing to memory cannot fail.
    let _ = write();
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "strand,ref,deliverable,due,owner,status,monitored_by,indicators\n";

    fn any(_: &IndicatorRef) -> bool {
        true
    }

    #[test]
    fn a_plan_reads_by_strand_in_order_with_the_seeds_dates_and_blank_statuses() {
        let text = format!(
            "{HEADER}Strand A: Inclusion,A1,Establish Schools Inclusion Group,Jun 16,JK/NS,,Children's Trust Board,\n\
             Strand B: Reforms,B6,Improved percentage of EHCPs completed within statutory timescales,Sep 16,KS,on track,Children's Trust Board,dfe-ehcp/plans_within_20_weeks_excl_exceptions_pct; dfe-ehcp/plans_issued\n\
             Strand A: Inclusion,A2,Revise training offer to schools,2016-07-31,JK/NS,Complete,,\n"
        );
        let strands = parse("plan.csv", &text, &any).unwrap();
        assert_eq!(strands.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Strand A: Inclusion", "Strand B: Reforms"]);
        assert_eq!(strands[0].items.len(), 2);
        assert_eq!(strands[0].items[0].status, Status::NotStarted);
        assert_eq!(strands[0].items[0].due, Due::Month { year: 2016, month: 6 });
        assert_eq!(strands[1].items[0].indicators.len(), 2);
        assert_eq!(strands[0].items[1].status, Status::Complete);
        let again = parse("again.csv", &write(&strands), &any).unwrap();
        assert_eq!(again, strands, "what is written reads back the same");
    }

    #[test]
    fn every_problem_is_reported_with_its_line_and_column_and_nothing_is_read() {
        let known = |r: &IndicatorRef| r.pack == "dfe-ehcp";
        let text = format!(
            "{HEADER}A,A1,First,Jum 16,JK,,,\n\
             A,A1,Second,Jun 16,JK,amber,,\n\
             A,A3,,Jun 16,,,,hertfordshire-2015/x;nonsense\n\
             A,A4,Short row\n"
        );
        let err = parse("plan.csv", &text, &known).unwrap_err();
        let lines: Vec<String> = err.errors.iter().map(ToString::to_string).collect();
        assert!(lines[0].starts_with("line 2, column due: 'Jum 16' is not a date"), "{lines:?}");
        assert!(lines.iter().any(|l| l.starts_with("line 3, column status: 'amber' is not a status")), "{lines:?}");
        assert!(lines.iter().any(|l| l == "line 3, column ref: 'A1' is already the reference of line 2: each deliverable needs its own"));
        assert!(lines.iter().any(|l| l == "line 4, column deliverable: is empty: it is needed"));
        assert!(lines.iter().any(|l| l == "line 4, column owner: is empty: it is needed"));
        assert!(lines.iter().any(|l| l.starts_with("line 4, column indicators: 'hertfordshire-2015/x' is not an indicator")));
        assert!(lines.iter().any(|l| l.starts_with("line 4, column indicators: 'nonsense' is not an indicator")));
        assert!(lines.iter().any(|l| l.starts_with("line 5: this row has 3 columns")));
        assert!(err.to_string().starts_with("plan.csv: nothing was imported"));
    }

    #[test]
    fn the_header_must_be_exactly_the_formats() {
        let err = parse("p.csv", "strand,ref,title,due,owner,status,monitored_by,indicators\nA,1,x,Jun 16,JK,,,\n", &any).unwrap_err();
        assert!(err.errors[0].to_string().starts_with("line 1: the header must be exactly strand,ref,deliverable"));
        assert!(parse("p.csv", "", &any).unwrap_err().errors[0].message.contains("empty"));
        assert!(parse("p.csv", HEADER, &any).unwrap_err().errors[0].message.contains("no deliverables"));
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_neutralised_on_export() {
        let strands = parse("p.csv", &format!("{HEADER}A,A1,=HYPERLINK(\"x\"),Jun 16,JK,,,\n"), &any).unwrap();
        assert!(write(&strands).contains("'=HYPERLINK"));
    }
}
