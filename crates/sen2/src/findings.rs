//! What validation reports: a [`Finding`] per broken rule, and how a list of them is printed as text,
//! JSON or CSV.

use serde::Serialize;
use std::io::{self, Write};
use waymark_domain::ids::{CaseId, ChildId};
use waymark_safe_output::printable;

/// `error`: DfE's COLLECT would refuse the return until it is fixed. `query`: DfE asks the LA to
/// explain or confirm it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Query,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Query => "query",
        }
    }
}

/// One broken rule, located in the file (or, from `waymark sen2 check`, in the casework).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule id, e.g. `SEN2-1510` (see docs/sen2.md).
    pub rule: &'static str,
    pub severity: Severity,
    /// The line in the file; `None` for a finding from the store or about the whole return.
    pub line: Option<u64>,
    /// The XML path of the element, e.g. `/Message/Persons/Person[3]/Requests[1]/RequestOutcome`.
    pub path: String,
    /// The person: UPN, else ULN, else name and date of birth. `None` for the header or the whole return.
    pub person: Option<String>,
    /// What is wrong and what to fix, in plain English.
    pub message: String,
    /// From the store: the child whose record to fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_id: Option<ChildId>,
    /// From the store: the case whose record to fix, where the finding is about one case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<CaseId>,
}

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Csv,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            "csv" => Ok(Self::Csv),
            other => Err(format!("'{other}' is not a format: use text, json or csv")),
        }
    }
}

/// Print findings in `format`. Text ends with a summary line of errors and queries.
pub fn write_findings(out: &mut impl Write, findings: &[Finding], format: Format, source: &str) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, findings).map_err(io::Error::other)?;
            writeln!(out)
        }
        Format::Csv => {
            // Waymark's one CSV writer: a name like `=HYPERLINK(...)` from the file cannot run as a formula.
            let with_ids = findings.iter().any(|f| f.child_id.is_some());
            let mut w = waymark_safe_output::CsvWriter::new(&mut *out);
            let mut head = vec!["rule", "severity", "line", "path", "person", "message"];
            if with_ids {
                head.extend(["child_id", "case_id"]);
            }
            w.write_record(&head)?;
            for f in findings {
                let mut record = vec![
                    f.rule.to_string(),
                    f.severity.as_str().to_owned(),
                    f.line.map(|l| l.to_string()).unwrap_or_default(),
                    f.path.clone(),
                    f.person.clone().unwrap_or_default(),
                    f.message.clone(),
                ];
                if with_ids {
                    record.push(f.child_id.map(|c| c.to_string()).unwrap_or_default());
                    record.push(f.case_id.map(|c| c.to_string()).unwrap_or_default());
                }
                w.write_record(&record)?;
            }
            w.flush()
        }
        Format::Text => {
            for f in findings {
                let at = match f.line {
                    Some(l) => format!("{source}:{l}"),
                    None => source.to_owned(),
                };
                // The file's own text (the person, the path, a message quoting a value) is printed with its
                // control characters made visible: escape codes in a return cannot act on the terminal.
                let who = f.person.as_deref().map(|p| format!(" [{}]", printable(p))).unwrap_or_default();
                let ids = match (f.child_id, f.case_id) {
                    (Some(ch), Some(ca)) => format!(" (child {ch}, case {ca})"),
                    (Some(ch), None) => format!(" (child {ch})"),
                    _ => String::new(),
                };
                writeln!(
                    out,
                    "{}: {} {}{who} {}: {}{ids}",
                    printable(&at),
                    f.severity.as_str(),
                    f.rule,
                    printable(&f.path),
                    printable(&f.message)
                )?;
            }
            let (errors, queries) = count(findings);
            writeln!(out, "{errors} errors, {queries} queries")
        }
    }
}

/// (errors, queries)
pub fn count(findings: &[Finding]) -> (usize, usize) {
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    (errors, findings.len() - errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hostile() -> Finding {
        Finding {
            rule: "SEN2-1510",
            severity: Severity::Error,
            line: Some(12),
            path: "/Message/Persons/Person[1]/Forename".into(),
            person: Some("=HYPERLINK(\"http://evil.example\",\"x\")\x1b[2J".into()),
            message: "@SUM(1+1) is not allowed".into(),
            child_id: None,
            case_id: None,
        }
    }

    #[test]
    fn owasp_csv_injection_findings_csv_neutralises_a_name_copied_from_the_return() {
        let mut out = Vec::new();
        write_findings(&mut out, &[hostile()], Format::Csv, "f.xml").unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("rule,severity,line,path,person,message"), "the columns are unchanged");
        let row = lines.next().unwrap();
        assert!(row.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")"), "{row}");
        assert!(row.ends_with(",'@SUM(1+1) is not allowed"), "{row}");
    }

    #[test]
    fn terminal_escape_codes_from_the_return_are_made_visible_in_text_findings() {
        let mut out = Vec::new();
        write_findings(&mut out, &[hostile()], Format::Text, "f.xml").unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.replace('\n', "").chars().any(char::is_control), "{text:?}");
        assert!(text.contains("?[2J"), "{text}");
    }
}
