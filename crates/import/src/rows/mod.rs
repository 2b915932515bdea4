//! Reading one row of one dataset into domain values. Every column is parsed by the domain's own
//! rules; every problem in the row is recorded (not only the first), each naming its column, value
//! and rule.

mod attainment;
mod health;
mod post16;
mod reference;
mod school;
mod social_care;

use crate::error::RowError;
use crate::format::{Column, Format, Kind};
use csv::StringRecord;
use std::collections::HashMap;
use std::str::FromStr;
use waymark_domain::calendar::{parse_iso_date, Date, DateError};
use waymark_domain::child::{PersonName, Sex};
use waymark_domain::facts::reference::{check_name, Locality, PopulationCell, Setting};
use waymark_domain::facts::{Dataset, FactError, PersonFact, PersonKeys};
use waymark_domain::identifiers::{Ethnicity, IdentifierError, LaCode, NhsNumber, Postcode, Uln, Upn};
use waymark_domain::need::{NeedCode, NeedError};
use waymark_storage::PersonRow;

/// One row, parsed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Parsed {
    Locality(Locality),
    Setting(Setting),
    Population(PopulationCell),
    Person(PersonKeys, PersonFact),
}

impl Parsed {
    pub(crate) fn person(keys: PersonKeys, fact: PersonFact) -> Self {
        Self::Person(keys, fact)
    }

    /// Into the store's row type (person rows only).
    pub(crate) fn into_person_row(self, line: u64) -> Option<PersonRow> {
        match self {
            Self::Person(keys, fact) => Some(PersonRow { line, keys, fact }),
            _ => None,
        }
    }
}

/// Why a value is refused: a stable rule id and a plain-English message.
pub(crate) struct Problem {
    pub rule: String,
    pub message: String,
}

impl Problem {
    pub(crate) fn new(rule: &str, message: impl Into<String>) -> Self {
        Self { rule: rule.to_owned(), message: message.into() }
    }
}

impl From<IdentifierError> for Problem {
    fn from(e: IdentifierError) -> Self {
        Self::new(e.rule, e.message)
    }
}

impl From<FactError> for Problem {
    fn from(e: FactError) -> Self {
        Self::new(e.rule, e.message)
    }
}

impl From<DateError> for Problem {
    fn from(e: DateError) -> Self {
        match e {
            DateError::Format(_) => Self::new("date_format", "a date is written YYYY-MM-DD, e.g. 2025-01-16"),
            DateError::Impossible(_) => Self::new("date_impossible", "is not a real calendar date"),
        }
    }
}

impl From<NeedError> for Problem {
    fn from(e: NeedError) -> Self {
        Self::new("need_code", e.to_string())
    }
}

/// A row of a file, with its columns found by name, collecting the problems found in it.
pub(crate) struct Row<'a> {
    format: &'a Format,
    index: &'a HashMap<&'static str, usize>,
    record: &'a StringRecord,
    file: &'a str,
    pub line: u64,
    errors: Vec<RowError>,
}

impl<'a> Row<'a> {
    pub(crate) fn new(
        format: &'a Format,
        index: &'a HashMap<&'static str, usize>,
        record: &'a StringRecord,
        file: &'a str,
        line: u64,
    ) -> Self {
        Self { format, index, record, file, line, errors: Vec::new() }
    }

    pub(crate) fn dataset(&self) -> Dataset {
        self.format.dataset
    }

    /// The cell's text, trimmed; empty when blank or the column is not in the file.
    pub(crate) fn text(&self, column: &str) -> &'a str {
        self.index.get(column).and_then(|&i| self.record.get(i)).map_or("", str::trim)
    }

    /// Record a problem with a column of this row.
    pub(crate) fn fail(&mut self, column: &str, value: &str, rule: &str, message: impl Into<String>) {
        self.errors.push(RowError {
            file: self.file.to_owned(),
            line: self.line,
            column: column.to_owned(),
            value: value.to_owned(),
            rule: rule.to_owned(),
            message: message.into(),
        });
    }

    /// Record a rule broken between fields, at the field the domain names.
    pub(crate) fn fact_error(&mut self, e: FactError) {
        let value = if e.value.is_empty() { self.text(e.field).to_owned() } else { e.value.clone() };
        self.fail(e.field, &value, e.rule, e.message);
    }

    /// The column's value parsed, or `None` when it is blank (an error if the column is required)
    /// or breaks its rule (an error). A required column's value is `Some` unless an error was
    /// recorded.
    pub(crate) fn get<T>(&mut self, column: &'static str, parse: impl FnOnce(&str) -> Result<T, Problem>) -> Option<T> {
        let required = self.format.column(column).is_some_and(|c| c.required);
        debug_assert!(self.format.column(column).is_some(), "{column} is not a column of {}", self.format.dataset);
        let text = self.text(column);
        if text.is_empty() {
            if required {
                self.fail(column, "", "required", "must not be blank");
            }
            return None;
        }
        match parse(text) {
            Ok(v) => Some(v),
            Err(p) => {
                self.fail(column, text, &p.rule, p.message);
                None
            }
        }
    }

    /// Whether the format requires the column (a blank one is then already reported).
    pub(crate) fn is_required(&self, column: &str) -> bool {
        self.format.column(column).is_some_and(|c| c.required)
    }

    pub(crate) fn failed(&self) -> bool {
        !self.errors.is_empty()
    }

    pub(crate) fn into_errors(self) -> Vec<RowError> {
        self.errors
    }
}

/// Parse with the type's `FromStr`, whose error names the rule.
pub(crate) fn parse<T: FromStr>(text: &str) -> Result<T, Problem>
where
    T::Err: Into<Problem>,
{
    text.parse().map_err(Into::into)
}

/// Dates Waymark accepts: real calendar dates from 1990 to 2100.
pub(crate) fn date(text: &str) -> Result<Date, Problem> {
    let d = parse_iso_date(text)?;
    let (lo, hi) = (Date::from_ymd_opt(1990, 1, 1), Date::from_ymd_opt(2100, 12, 31));
    if lo.is_some_and(|lo| d < lo) || hi.is_some_and(|hi| d > hi) {
        return Err(Problem::new("date_range", "must be a date from 1990 to 2100"));
    }
    Ok(d)
}

pub(crate) fn yes_no(text: &str) -> Result<bool, Problem> {
    match text.to_ascii_uppercase().as_str() {
        "Y" => Ok(true),
        "N" => Ok(false),
        _ => Err(Problem::new("yes_no", "must be Y or N")),
    }
}

/// A whole number from `min` to `max`.
pub(crate) fn whole(min: u32, max: u32) -> impl Fn(&str) -> Result<u32, Problem> {
    move |text| {
        let n: u32 = text.parse().map_err(|_| Problem::new("number_format", "must be a whole number, e.g. 12"))?;
        if !(min..=max).contains(&n) {
            return Err(Problem::new("number_range", format!("must be from {min} to {max}")));
        }
        Ok(n)
    }
}

pub(crate) fn sex(text: &str) -> Result<Sex, Problem> {
    match text.to_ascii_uppercase().as_str() {
        "M" => Ok(Sex::Male),
        "F" => Ok(Sex::Female),
        _ => Err(Problem::new("sex_code", "must be M or F (as SEN2 item 1.4 records sex)")),
    }
}

pub(crate) fn need(text: &str) -> Result<NeedCode, Problem> {
    text.to_ascii_uppercase().parse::<NeedCode>().map_err(Problem::from)
}

pub(crate) fn sex_codes() -> Vec<(&'static str, &'static str)> {
    vec![("M", "Male"), ("F", "Female")]
}

pub(crate) fn need_codes() -> Vec<(&'static str, &'static str)> {
    NeedCode::ALL.iter().map(|n| (n.code(), n.label())).collect()
}

/// The identity columns every person-level dataset may carry; those named in `required` must be
/// filled in every row.
pub(crate) fn identity_columns(required: &[&str]) -> Vec<Column> {
    let col = |name: &'static str, kind: Kind, description: &'static str| Column {
        name,
        required: name == "la" || required.contains(&name),
        kind,
        description,
    };
    vec![
        col(
            "la",
            Kind::Checked("LA code: DfE's 3-digit number, e.g. 851"),
            "The local authority responsible for the child (normally where they live): a new child is recorded in it, and it must be within the importer's access.",
        ),
        col("upn", Kind::Checked("UPN: 13 characters, check letter first (CBDS N00001)"), "Unique Pupil Number."),
        col("uln", Kind::Checked("ULN: 10 digits with check digit"), "Unique Learner Number."),
        col("nhs_number", Kind::Checked("NHS number: 10 digits (spaces allowed), modulus 11"), "NHS number."),
        col(
            "social_care_id",
            Kind::Checked("text: 1 to 36 letters, digits, '-', '_' or '/'"),
            "The child's id in the LA's children's social care system (CIN census LAchildID); unique within the LA.",
        ),
        col("forename", Kind::Text(200), "Forename, as the family uses it."),
        col("surname", Kind::Text(200), "Surname."),
        col("date_of_birth", Kind::Date, "Date of birth."),
        col("sex", Kind::Code(sex_codes), "Sex, M or F."),
        col("postcode", Kind::Checked("UK postcode, e.g. PO1 2AB"), "Home postcode."),
        col("ethnicity", Kind::Checked("CBDS ethnicity code, e.g. WBRI"), "Ethnicity."),
    ]
}

/// The identity columns of a row; `None` if any is invalid (the errors are recorded).
pub(crate) fn identity(r: &mut Row<'_>) -> Option<PersonKeys> {
    let la = r.get("la", parse::<LaCode>);
    let upn = r.get("upn", parse::<Upn>);
    let uln = r.get("uln", parse::<Uln>);
    let nhs_number = r.get("nhs_number", parse::<NhsNumber>);
    let social_care_id = r.get("social_care_id", parse);
    let forename = r.get("forename", |t| check_name("forename", t).map_err(Problem::from));
    let surname = r.get("surname", |t| check_name("surname", t).map_err(Problem::from));
    let date_of_birth = r.get("date_of_birth", date);
    let sex = r.get("sex", sex);
    let postcode = r.get("postcode", parse::<Postcode>);
    let ethnicity = r.get("ethnicity", parse::<Ethnicity>);
    let name = match (forename, surname) {
        (None, None) => None,
        (Some(f), Some(s)) => match PersonName::new(&f, &s) {
            Ok(n) => Some(n),
            Err(e) => {
                r.fail("forename", &f, "name_required", e.to_string());
                None
            }
        },
        (Some(_), None) => {
            if r.text("surname").is_empty() && !r.is_required("surname") {
                r.fail("surname", "", "name_incomplete", "give both forename and surname, or neither");
            }
            None
        }
        (None, Some(_)) => {
            if r.text("forename").is_empty() && !r.is_required("forename") {
                r.fail("forename", "", "name_incomplete", "give both forename and surname, or neither");
            }
            None
        }
    };
    let keys = PersonKeys { la: la?, upn, uln, nhs_number, social_care_id, name, date_of_birth, sex, postcode, ethnicity };
    let dataset = r.dataset();
    if keys.dataset_key(dataset).is_none() && !r.failed() {
        let columns: Vec<&str> = dataset.link_kinds().iter().map(|k| k.column()).collect();
        let first = columns.first().copied().unwrap_or("la");
        r.fail(first, "", "identifier_missing", format!("a {dataset} row needs one of: {}", columns.join(", ")));
    }
    Some(keys)
}

/// The format of a dataset, with its parser.
pub(crate) fn format(dataset: Dataset) -> Format {
    match dataset {
        Dataset::Localities => reference::localities(),
        Dataset::Settings => reference::settings(),
        Dataset::Population => reference::population(),
        Dataset::Census => school::census(),
        Dataset::Attendance => school::attendance(),
        Dataset::Exclusions => school::exclusions(),
        Dataset::ReducedTimetables => school::reduced_timetables(),
        Dataset::ElectiveHomeEducation => school::ehe(),
        Dataset::Eyfsp => attainment::eyfsp(),
        Dataset::Phonics => attainment::phonics(),
        Dataset::Ks2 => attainment::ks2(),
        Dataset::Ks4 => attainment::ks4(),
        Dataset::LevelBy19 => attainment::level_by_19(),
        Dataset::ChildInNeed => social_care::cin(),
        Dataset::ChildProtection => social_care::child_protection(),
        Dataset::LookedAfter => social_care::looked_after(),
        Dataset::CareServices => social_care::care_services(),
        Dataset::TwoYearReview => health::two_year_review(),
        Dataset::HealthChecks => health::health_checks(),
        Dataset::HealthReferrals => health::health_referrals(),
        Dataset::Post16Activity => post16::activity(),
        Dataset::YouthJustice => post16::youth_justice(),
    }
}

/// Columns: the identity block, then the dataset's own.
pub(crate) fn with_identity(required: &[&str], own: Vec<Column>) -> Vec<Column> {
    let mut columns = identity_columns(required);
    columns.extend(own);
    columns
}

pub(crate) use crate::format::code_list as codes;
