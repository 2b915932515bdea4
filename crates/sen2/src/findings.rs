//! What validation reports: a [`Finding`] per broken rule, and how a list of them is printed as text,
//! JSON or CSV.

use serde::Serialize;
use std::io::{self, Write};
use waymark_domain::ids::{CaseId, ChildId};

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

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
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
            let with_ids = findings.iter().any(|f| f.child_id.is_some());
            if with_ids {
                writeln!(out, "rule,severity,line,path,person,message,child_id,case_id")?;
            } else {
                writeln!(out, "rule,severity,line,path,person,message")?;
            }
            for f in findings {
                write!(
                    out,
                    "{},{},{},{},{},{}",
                    f.rule,
                    f.severity.as_str(),
                    f.line.map(|l| l.to_string()).unwrap_or_default(),
                    csv_field(&f.path),
                    csv_field(f.person.as_deref().unwrap_or("")),
                    csv_field(&f.message)
                )?;
                if with_ids {
                    write!(
                        out,
                        ",{},{}",
                        f.child_id.map(|c| c.to_string()).unwrap_or_default(),
                        f.case_id.map(|c| c.to_string()).unwrap_or_default()
                    )?;
                }
                writeln!(out)?;
            }
            Ok(())
        }
        Format::Text => {
            for f in findings {
                let at = match f.line {
                    Some(l) => format!("{source}:{l}"),
                    None => source.to_owned(),
                };
                let who = f.person.as_deref().map(|p| format!(" [{p}]")).unwrap_or_default();
                let ids = match (f.child_id, f.case_id) {
                    (Some(ch), Some(ca)) => format!(" (child {ch}, case {ca})"),
                    (Some(ch), None) => format!(" (child {ch})"),
                    _ => String::new(),
                };
                writeln!(out, "{at}: {} {}{who} {}: {}{ids}", f.severity.as_str(), f.rule, f.path, f.message)?;
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
