//! Person-level facts about a child or young person from each agency, and the reference data they
//! point at: the school census each term, attendance, suspensions and exclusions, reduced timetables,
//! elective home education, attainment, children's social care, health, post-16 activity and youth
//! justice; settings, localities and population.
//!
//! Every fact is dated (a [`Period`], a date or an academic year) and, once stored, carries its
//! [`Source`]: the dataset, and the file and line it was imported from. Each fact has a *natural key*
//! ([`PersonFact::natural_key`]), what makes it the same fact when a file is imported again (the
//! census date and school for a census record, the academic year and school for attendance...).
//!
//! Values are parsed once ("parse, don't validate"): codes are closed [code sets](codes), numbers are
//! range-checked newtypes, and a record whose fields contradict each other cannot be built; the
//! `Deserialize` impls go through the same constructors, so stored facts are re-checked on read.
//! The import formats that carry these facts are documented in `docs/import-formats.md`.

pub mod attainment;
pub(crate) mod codes;
pub mod health;
pub mod identity;
pub mod link;
pub mod post16;
pub mod reference;
pub mod school;
pub mod social_care;

use crate::calendar::Date;
use crate::identifiers::{LaCode, Urn};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use codes::CodeSet;
pub use identity::{LinkKey, LinkKind, PersonKeys, SocialCareId};
pub use reference::LocalityCode;

/// A value or record that breaks a rule. `field` is named as in the import formats; `rule` is short
/// and stable (for tests, reports and error codes); the message says in plain English what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} '{value}' is not valid: {message}")]
pub struct FactError {
    pub field: &'static str,
    pub value: String,
    pub rule: &'static str,
    pub message: String,
}

impl FactError {
    pub fn new(field: &'static str, value: &str, rule: &'static str, message: impl Into<String>) -> Self {
        Self { field, value: value.to_owned(), rule, message: message.into() }
    }
}

/// A span of days from `start` to `end` inclusive; `end` is `None` while it continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PeriodFields")]
pub struct Period {
    start: Date,
    end: Option<Date>,
}

#[derive(Deserialize)]
struct PeriodFields {
    start: Date,
    end: Option<Date>,
}

impl TryFrom<PeriodFields> for Period {
    type Error = FactError;
    fn try_from(f: PeriodFields) -> Result<Self, FactError> {
        Period::new(f.start, f.end)
    }
}

impl Period {
    /// A period; the end, when known, is on or after the start (field `end_date`).
    pub fn new(start: Date, end: Option<Date>) -> Result<Self, FactError> {
        Self::with_fields(start, end, "end_date")
    }

    /// As [`Period::new`], naming the end's field as the format does (e.g. `closed_date`).
    pub fn with_fields(start: Date, end: Option<Date>, end_field: &'static str) -> Result<Self, FactError> {
        match end {
            Some(e) if e < start => {
                Err(FactError::new(end_field, &e.to_string(), "end_before_start", format!("ends before it starts on {start}")))
            }
            _ => Ok(Self { start, end }),
        }
    }

    /// A single day.
    pub fn day(date: Date) -> Self {
        Self { start: date, end: Some(date) }
    }

    pub fn start(&self) -> Date {
        self.start
    }

    pub fn end(&self) -> Option<Date> {
        self.end
    }

    /// In force on `on`: started on or before it and not yet ended (the end day counts).
    pub fn is_open_on(&self, on: Date) -> bool {
        self.start <= on && self.end.is_none_or(|e| on <= e)
    }

    /// Whether any day from `from` to `to` (inclusive) falls in the period.
    pub fn overlaps(&self, from: Date, to: Date) -> bool {
        self.start <= to && self.end.is_none_or(|e| from <= e)
    }

    /// Days in the period up to `as_of`, counting both the first and the last day; an open period
    /// runs to `as_of`. 0 when it starts after `as_of`.
    pub fn days_to(&self, as_of: Date) -> i64 {
        let last = self.end.map_or(as_of, |e| e.min(as_of));
        ((last - self.start).num_days() + 1).max(0)
    }
}

/// An academic year, 1 September to 31 August, written `2024/25`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AcademicYear(i32);

impl AcademicYear {
    /// The academic year starting on 1 September of `year`.
    pub fn starting(year: i32) -> Self {
        Self(year)
    }

    /// The academic year containing `date`.
    pub fn containing(date: Date) -> Self {
        use chrono::Datelike;
        Self(if date.month() >= 9 { date.year() } else { date.year() - 1 })
    }

    /// The calendar year of its autumn term.
    pub fn start_year(self) -> i32 {
        self.0
    }

    pub fn first_day(self) -> Date {
        Date::from_ymd_opt(self.0, 9, 1).unwrap_or(Date::MIN)
    }

    pub fn last_day(self) -> Date {
        Date::from_ymd_opt(self.0 + 1, 8, 31).unwrap_or(Date::MAX)
    }

    pub fn period(self) -> Period {
        Period { start: self.first_day(), end: Some(self.last_day()) }
    }
}

impl FromStr for AcademicYear {
    type Err = FactError;
    fn from_str(text: &str) -> Result<Self, FactError> {
        let err = || FactError::new("academic_year", text, "academic_year_format", "an academic year is written like 2024/25");
        let t = text.trim();
        let (first, second) = t.split_once('/').ok_or_else(err)?;
        if first.len() != 4 || second.len() != 2 || !first.bytes().chain(second.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let start: i32 = first.parse().map_err(|_| err())?;
        let end: i32 = second.parse().map_err(|_| err())?;
        if (start + 1) % 100 != end {
            return Err(FactError::new(
                "academic_year",
                text,
                "academic_year_consecutive",
                format!("the second year must follow the first: {start}/{:02}", (start + 1) % 100),
            ));
        }
        if !(1990..=2100).contains(&start) {
            return Err(FactError::new("academic_year", text, "academic_year_range", "must be between 1990/91 and 2100/01"));
        }
        Ok(Self(start))
    }
}

impl fmt::Display for AcademicYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }
}
crate::identifiers::serde_via_str!(AcademicYear);

/// A calendar month, written `2025-03` (post-16 activity is tracked monthly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn first_day(self) -> Date {
        Date::from_ymd_opt(self.year, self.month, 1).unwrap_or(Date::MIN)
    }

    pub fn last_day(self) -> Date {
        let next = if self.month == 12 { (self.year + 1, 1) } else { (self.year, self.month + 1) };
        Date::from_ymd_opt(next.0, next.1, 1).and_then(|d| d.pred_opt()).unwrap_or(Date::MAX)
    }
}

impl FromStr for Month {
    type Err = FactError;
    fn from_str(text: &str) -> Result<Self, FactError> {
        let err = || FactError::new("month", text, "month_format", "a month is written like 2025-03");
        let t = text.trim();
        let (y, m) = t.split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let (year, month): (i32, u32) = (y.parse().map_err(|_| err())?, m.parse().map_err(|_| err())?);
        if !(1..=12).contains(&month) {
            return Err(err());
        }
        Ok(Self { year, month })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}
crate::identifiers::serde_via_str!(Month);

/// Whether a dataset holds reference data or facts about people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetKind {
    Reference,
    Person,
}

/// The agency whose system a dataset comes from; it decides which identifier links a row to a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Agency {
    /// Public reference data: GIAS, ONS, the LA's own planning areas.
    Reference,
    /// Schools and the LA's education services (school census, attendance, attainment, EHE).
    Education,
    /// Children's social care (the CIN census and SSDA903 sources).
    SocialCare,
    /// NHS providers: health visiting, school nursing, GPs, therapies, CAMHS.
    Health,
    /// Post-16 tracking (NCCIS) and DfE's matched post-16 attainment.
    Post16,
    /// The youth justice service.
    YouthJustice,
}

macro_rules! datasets {
    ($( $(#[$m:meta])* $variant:ident = $name:literal, $kind:ident, $agency:ident, [$($link:ident),*], $label:literal; )+) => {
        /// A dataset Waymark imports: one CSV format each (`docs/import-formats.md`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Dataset {
            $( $(#[$m])* $variant, )+
        }

        impl Dataset {
            /// Every dataset, reference data first, in the order they should be imported.
            pub const ALL: &'static [Dataset] = &[$( Dataset::$variant ),+];

            /// The name used on the command line, in stored facts and in the formats' documentation.
            pub fn name(self) -> &'static str {
                match self { $( Dataset::$variant => $name, )+ }
            }

            /// What the dataset holds, in a few words.
            pub fn label(self) -> &'static str {
                match self { $( Dataset::$variant => $label, )+ }
            }

            pub fn kind(self) -> DatasetKind {
                match self { $( Dataset::$variant => DatasetKind::$kind, )+ }
            }

            pub fn agency(self) -> Agency {
                match self { $( Dataset::$variant => Agency::$agency, )+ }
            }

            /// The identifiers that link a row to a child, in the order tried. A row must carry at
            /// least one of them. Empty for reference data.
            pub fn link_kinds(self) -> &'static [LinkKind] {
                match self { $( Dataset::$variant => &[$( LinkKind::$link ),*], )+ }
            }
        }
    };
}

datasets! {
    /// Areas an LA plans in (e.g. Hertfordshire's nine DSPL areas).
    Localities = "localities", Reference, Reference, [], "localities an LA plans in";
    /// Schools, colleges and other settings (GIAS), with SEN units and resourced provision.
    Settings = "settings", Reference, Reference, [], "schools, colleges and early years providers";
    /// Population by LA, single year of age and sex (ONS mid-year estimates).
    Population = "population", Reference, Reference, [], "population by LA, single year of age and sex";
    Census = "census", Person, Education, [Upn], "school census records, each term";
    Attendance = "attendance", Person, Education, [Upn], "attendance in an academic year at one school";
    Exclusions = "exclusions", Person, Education, [Upn], "suspensions and permanent exclusions";
    ReducedTimetables = "reduced-timetables", Person, Education, [Upn], "reduced (part-time) timetables";
    ElectiveHomeEducation = "ehe", Person, Education, [Upn, SocialCareId], "elective home education";
    Eyfsp = "eyfsp", Person, Education, [Upn], "early years foundation stage profile";
    Phonics = "phonics", Person, Education, [Upn], "phonics screening check";
    Ks2 = "ks2", Person, Education, [Upn], "key stage 2 results";
    Ks4 = "ks4", Person, Education, [Upn], "key stage 4 results";
    LevelBy19 = "level-by-19", Person, Post16, [Uln, Upn], "level 2 and level 3 by age 19";
    ChildInNeed = "cin", Person, SocialCare, [SocialCareId], "child in need episodes";
    ChildProtection = "child-protection", Person, SocialCare, [SocialCareId], "child protection plans";
    LookedAfter = "looked-after", Person, SocialCare, [SocialCareId], "looked-after episodes and placements";
    CareServices = "care-services", Person, SocialCare, [SocialCareId], "disabled children's team, short breaks, direct payments";
    TwoYearReview = "two-year-review", Person, Health, [NhsNumber], "health visitor review at 2 to 2.5 years (ASQ-3)";
    HealthChecks = "health-checks", Person, Health, [NhsNumber], "reception and year 6/7 checks, learning disability annual health checks";
    HealthReferrals = "health-referrals", Person, Health, [NhsNumber], "referrals to therapies, autism assessment and CAMHS";
    Post16Activity = "post16-activity", Person, Post16, [Uln, Upn], "monthly post-16 activity (EET, NEET, not known)";
    YouthJustice = "youth-justice", Person, YouthJustice, [SocialCareId, Upn, Uln], "youth justice involvement";
}

impl Dataset {
    /// Look a dataset up by its name (as on the command line).
    pub fn from_name(name: &str) -> Option<Self> {
        let n = name.trim();
        Self::ALL.iter().copied().find(|d| d.name().eq_ignore_ascii_case(n))
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dataset {
    type Err = FactError;
    fn from_str(text: &str) -> Result<Self, FactError> {
        Self::from_name(text).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|d| d.name()).collect();
            FactError::new("dataset", text, "dataset_unknown", format!("is not a dataset Waymark imports ({})", names.join(", ")))
        })
    }
}
crate::identifiers::serde_via_str!(Dataset);

/// Where a stored fact came from: the dataset, and the file and line (the header is line 1), or the
/// system that supplied it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub dataset: Dataset,
    /// The file's name (without its folder), or the supplying system's name.
    pub file: String,
    /// The line in the file where the row starts; 0 when the source is a system, not a file.
    pub line: u64,
}

/// A reference from a fact to reference data, which must exist before the fact is imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// A setting by URN; `field` names the column.
    Setting { field: &'static str, urn: Urn },
    /// A locality of an LA.
    Locality { field: &'static str, la: LaCode, code: LocalityCode },
}

/// One person-level fact, of any dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "dataset", content = "fact", rename_all = "kebab-case")]
pub enum PersonFact {
    Census(school::CensusRecord),
    Attendance(school::AttendanceYear),
    Exclusion(school::Exclusion),
    ReducedTimetable(school::ReducedTimetable),
    ElectiveHomeEducation(school::ElectiveHomeEducation),
    Eyfsp(attainment::EyfspResult),
    Phonics(attainment::PhonicsResult),
    Ks2(attainment::Ks2Result),
    Ks4(attainment::Ks4Result),
    LevelBy19(attainment::LevelBy19),
    ChildInNeed(social_care::ChildInNeedEpisode),
    ChildProtection(social_care::ChildProtectionPlan),
    LookedAfter(social_care::LookedAfterEpisode),
    CareService(social_care::CareService),
    TwoYearReview(health::TwoYearReview),
    HealthCheck(health::HealthCheck),
    HealthReferral(health::HealthReferral),
    Post16Activity(post16::MonthlyActivity),
    YouthJustice(post16::YouthJusticeInvolvement),
}

impl PersonFact {
    /// The dataset this kind of fact is imported from.
    pub fn dataset(&self) -> Dataset {
        match self {
            Self::Census(_) => Dataset::Census,
            Self::Attendance(_) => Dataset::Attendance,
            Self::Exclusion(_) => Dataset::Exclusions,
            Self::ReducedTimetable(_) => Dataset::ReducedTimetables,
            Self::ElectiveHomeEducation(_) => Dataset::ElectiveHomeEducation,
            Self::Eyfsp(_) => Dataset::Eyfsp,
            Self::Phonics(_) => Dataset::Phonics,
            Self::Ks2(_) => Dataset::Ks2,
            Self::Ks4(_) => Dataset::Ks4,
            Self::LevelBy19(_) => Dataset::LevelBy19,
            Self::ChildInNeed(_) => Dataset::ChildInNeed,
            Self::ChildProtection(_) => Dataset::ChildProtection,
            Self::LookedAfter(_) => Dataset::LookedAfter,
            Self::CareService(_) => Dataset::CareServices,
            Self::TwoYearReview(_) => Dataset::TwoYearReview,
            Self::HealthCheck(_) => Dataset::HealthChecks,
            Self::HealthReferral(_) => Dataset::HealthReferrals,
            Self::Post16Activity(_) => Dataset::Post16Activity,
            Self::YouthJustice(_) => Dataset::YouthJustice,
        }
    }

    /// What makes this the same fact when imported again, among one child's facts of its dataset:
    /// for example the census date and URN of a census record. Documented per dataset in
    /// `docs/import-formats.md` ("natural key").
    pub fn natural_key(&self) -> String {
        match self {
            Self::Census(r) => format!("{}|{}", r.census_date, r.urn),
            Self::Attendance(r) => format!("{}|{}", r.academic_year, r.urn),
            Self::Exclusion(r) => format!("{}|{}|{}", r.urn, r.start_date, r.kind),
            Self::ReducedTimetable(r) => format!("{}|{}", r.urn, r.period.start()),
            Self::ElectiveHomeEducation(r) => r.period.start().to_string(),
            Self::Eyfsp(r) => r.academic_year.to_string(),
            Self::Phonics(r) => format!("{}|{}", r.academic_year, r.year_group),
            Self::Ks2(r) => r.academic_year.to_string(),
            Self::Ks4(r) => r.academic_year.to_string(),
            Self::LevelBy19(r) => r.academic_year.to_string(),
            Self::ChildInNeed(r) => r.period.start().to_string(),
            Self::ChildProtection(r) => r.period.start().to_string(),
            Self::LookedAfter(r) => r.period.start().to_string(),
            Self::CareService(r) => format!("{}|{}", r.service, r.period.start()),
            Self::TwoYearReview(r) => r.review_date.to_string(),
            Self::HealthCheck(r) => format!("{}|{}", r.check, r.check_date),
            Self::HealthReferral(r) => format!("{}|{}", r.service, r.referral_date),
            Self::Post16Activity(r) => r.month.to_string(),
            Self::YouthJustice(r) => format!("{}|{}", r.kind, r.period.start()),
        }
    }

    /// When the fact applies: a day, a span, an academic year or a month.
    pub fn period(&self) -> Period {
        match self {
            Self::Census(r) => Period::day(r.census_date),
            Self::Attendance(r) => r.academic_year.period(),
            Self::Exclusion(r) => Period::day(r.start_date),
            Self::ReducedTimetable(r) => r.period,
            Self::ElectiveHomeEducation(r) => r.period,
            Self::Eyfsp(r) => r.academic_year.period(),
            Self::Phonics(r) => r.academic_year.period(),
            Self::Ks2(r) => r.academic_year.period(),
            Self::Ks4(r) => r.academic_year.period(),
            Self::LevelBy19(r) => r.academic_year.period(),
            Self::ChildInNeed(r) => r.period,
            Self::ChildProtection(r) => r.period,
            Self::LookedAfter(r) => r.period,
            Self::CareService(r) => r.period,
            Self::TwoYearReview(r) => Period::day(r.review_date),
            Self::HealthCheck(r) => Period::day(r.check_date),
            Self::HealthReferral(r) => r.period(),
            Self::Post16Activity(r) => Period { start: r.month.first_day(), end: Some(r.month.last_day()) },
            Self::YouthJustice(r) => r.period,
        }
    }

    /// The reference data the fact points at, which must already be imported.
    pub fn references(&self, la: LaCode) -> Vec<Reference> {
        let setting = |urn: Urn| Reference::Setting { field: "urn", urn };
        match self {
            Self::Census(r) => {
                let mut refs = vec![setting(r.urn)];
                if let Some(code) = &r.locality {
                    refs.push(Reference::Locality { field: "locality", la, code: code.clone() });
                }
                refs
            }
            Self::Attendance(r) => vec![setting(r.urn)],
            Self::Exclusion(r) => vec![setting(r.urn)],
            Self::ReducedTimetable(r) => vec![setting(r.urn)],
            Self::Eyfsp(r) => vec![setting(r.urn)],
            Self::Phonics(r) => vec![setting(r.urn)],
            Self::Ks2(r) => vec![setting(r.urn)],
            Self::Ks4(r) => vec![setting(r.urn)],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_iso_date as d;

    fn day(s: &str) -> Date {
        d(s).unwrap()
    }

    #[test]
    fn a_period_cannot_end_before_it_starts_and_counts_both_its_first_and_last_day() {
        assert_eq!(Period::new(day("2025-03-02"), Some(day("2025-03-01"))).unwrap_err().rule, "end_before_start");
        let p = Period::new(day("2025-03-01"), Some(day("2025-03-01"))).unwrap();
        assert_eq!(p.days_to(day("2025-12-31")), 1);
        let open = Period::new(day("2025-03-01"), None).unwrap();
        assert_eq!(open.days_to(day("2025-03-10")), 10);
        assert_eq!(open.days_to(day("2025-02-01")), 0);
        assert!(open.is_open_on(day("2030-01-01")));
        assert!(!p.is_open_on(day("2025-03-02")));
        assert!(p.overlaps(day("2025-02-01"), day("2025-03-01")));
        let json = r#"{"start":"2025-03-02","end":"2025-03-01"}"#;
        assert!(serde_json::from_str::<Period>(json).is_err(), "deserialising re-checks the period");
    }

    #[test]
    fn academic_years_are_written_2024_25_and_run_1_september_to_31_august() {
        let y: AcademicYear = "2024/25".parse().unwrap();
        assert_eq!(y.first_day(), day("2024-09-01"));
        assert_eq!(y.last_day(), day("2025-08-31"));
        assert_eq!(y.to_string(), "2024/25");
        assert_eq!("1999/00".parse::<AcademicYear>().unwrap().to_string(), "1999/00");
        assert_eq!(AcademicYear::containing(day("2025-08-31")), y);
        assert_eq!("2024/26".parse::<AcademicYear>().unwrap_err().rule, "academic_year_consecutive");
        assert_eq!("2024-25".parse::<AcademicYear>().unwrap_err().rule, "academic_year_format");
        assert_eq!("24/25".parse::<AcademicYear>().unwrap_err().rule, "academic_year_format");
    }

    #[test]
    fn months_are_written_yyyy_mm_and_know_their_last_day() {
        let m: Month = "2024-02".parse().unwrap();
        assert_eq!(m.last_day(), day("2024-02-29"));
        assert_eq!("2024-12".parse::<Month>().unwrap().last_day(), day("2024-12-31"));
        assert_eq!("2024-13".parse::<Month>().unwrap_err().rule, "month_format");
        assert_eq!("2024-1".parse::<Month>().unwrap_err().rule, "month_format");
    }

    #[test]
    fn every_dataset_has_a_unique_name_and_person_datasets_have_a_link_identifier() {
        let mut names: Vec<&str> = Dataset::ALL.iter().map(|d| d.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Dataset::ALL.len());
        for d in Dataset::ALL {
            assert_eq!(d.name().parse::<Dataset>().unwrap(), *d);
            assert_eq!(d.kind() == DatasetKind::Person, !d.link_kinds().is_empty(), "{d}");
        }
        assert_eq!("nonsense".parse::<Dataset>().unwrap_err().rule, "dataset_unknown");
    }
}
