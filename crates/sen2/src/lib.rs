//! The DfE SEN2 person-level return (`../shared/reference/sen2.md`) as a by-product of casework.
//!
//! * [`build`]: a person's record from the domain's child, cases and placements, as on census day.
//! * [`writer`]: the return written as streaming XML, valid against the year's schema.
//! * [`reader`]: a file read as a stream, checked against the schema ([`schema`]) as it goes.
//! * [`rules`]: the business rules and DfE queries, each with a stable id ([`rules::RULES`]).
//! * [`import`]: a return mapped back to children, synthesized case histories and placements.
//!
//! Everything here is pure: no I/O beyond the reader and writer handed in. The return against the store
//! (export, check, import) is a use-case of the application layer: `waymark_application::sen2`.

pub mod build;
pub mod collection;
pub mod findings;
pub mod import;
pub mod model;
pub mod reader;
pub mod rules;
pub mod schema;
pub mod writer;

pub use build::{build_person, BuiltPerson, PersonExtra, PlacementInfo};
pub use collection::{Collection, UnsupportedYear};
pub use findings::{count, write_findings, Finding, Format, Severity};
pub use model::Sen2Person;
pub use reader::{Item, Sen2Reader, XmlError};
pub use writer::Sen2Writer;

use std::io::Read;

/// The result of validating a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    pub findings: Vec<Finding>,
    pub persons: usize,
    /// The collection year the file was checked as.
    pub year: i32,
    /// Set when the file is not well-formed XML: validation stopped there (exit code 2). The findings
    /// then end with a `SEN2-S01` finding for it.
    pub fatal: Option<XmlError>,
}

impl Validation {
    pub fn errors(&self) -> usize {
        count(&self.findings).0
    }
    pub fn queries(&self) -> usize {
        count(&self.findings).1
    }
}

/// Validate a SEN2 file: structure, order and code sets against the schema of its year (or of `year`
/// if given), then every business rule and query, streaming one person at a time.
pub fn validate(input: impl Read, year: Option<i32>) -> Validation {
    let mut reader = Sen2Reader::new(year);
    let fallback = Collection::for_year(reader.year).expect("the reader's default year is supported");
    let mut ctx = rules::RuleContext::new(fallback, None);
    let mut header_seen = false;
    let mut persons = 0;
    let result = reader.read(input, |item, findings| match item {
        Item::Header(h, y) => {
            header_seen = true;
            let collection = Collection::for_year(y).unwrap_or(fallback);
            rules::check_header(&h, collection, findings);
            ctx = rules::RuleContext::new(collection, h.lea.clone());
        }
        Item::Person(p, index) => {
            persons += 1;
            rules::check_person(&p, index, &mut ctx, findings);
        }
    });
    let mut findings = std::mem::take(&mut reader.findings);
    if !header_seen && result.is_ok() {
        findings.insert(
            0,
            Finding {
                rule: "SEN2-H01",
                severity: Severity::Error,
                line: None,
                path: "/Message/Header".into(),
                person: None,
                message:
                    "the return has no Header: give CollectionDetails (SEN2, year, census day) and Source (LA, software, DMO/DCO/DSCO)"
                        .into(),
                child_id: None,
                case_id: None,
            },
        );
    }
    let fatal = result.err();
    match &fatal {
        Some(e) => findings.push(Finding {
            rule: "SEN2-S01",
            severity: Severity::Error,
            line: Some(e.line),
            path: String::new(),
            person: None,
            message: format!("{}; fix the XML so it can be read", e.message),
            child_id: None,
            case_id: None,
        }),
        None => rules::finish(&ctx, &mut findings),
    }
    Validation { findings, persons, year: ctx.collection.year, fatal }
}
