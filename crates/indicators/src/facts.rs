//! Person-level facts in the person table: each agency's records (school census, attendance,
//! exclusions, reduced timetables, elective home education, attainment, children's social care,
//! health, post-16 activity, youth justice) reduced to one flat row each, held beside the person
//! they are about. The measure language reads them (`expr.rs`); `files.rs` writes them as
//! `facts.csv` for the independent DuckDB check.
//!
//! One [`FactRow`] per fact: its kind, its dates, a code (the fact's code in its code set, e.g. the
//! service or activity), flags and two numbers, with a per-kind meaning documented on [`FactKind`].

use waymark_domain::calendar::Date;
use waymark_domain::child::SenStatus;
use waymark_domain::facts::health::{HealthCheckKind, HealthService};
use waymark_domain::facts::post16::{Activity, YouthJusticeKind};
use waymark_domain::facts::school::ExclusionKind;
use waymark_domain::facts::social_care::{CareServiceKind, CinNeed, CpCategory, PlacementKind};
use waymark_domain::facts::{Dataset, PersonFact};
use waymark_domain::need::NeedCode;

/// What a fact row is. Per kind, `start`/`end`, `code`, `flags` and `n1`/`n2` mean:
/// - `Census`: census day; code the SEN provision (`N`, `K`, `E`); flag 1 free school meals; n1 the
///   primary need's position in [`NeedCode::ALL`] (-1 none); n2 the locality id (-1 none).
/// - `Attendance`: the academic year; n1 possible sessions, n2 sessions missed (authorised and
///   unauthorised), for one enrolment.
/// - `Suspension`: its first day; n1 its length in sessions. `PermanentExclusion`: its day.
/// - `ReducedTimetable`, `ElectiveHomeEducation`, `ChildInNeed` (code the CIN primary need),
///   `ChildProtection` (code the category), `LookedAfter` (code the placement; flag 1 short breaks,
///   i.e. legal status V3/V4; flag 2 an IFA or residential placement), `CareService` (code the service),
///   `YouthJustice` (code the kind): first and last day (no end while it continues).
/// - `Eyfsp` (flag 1 a good level of development), `Phonics` (code the year group `1` or `2`; flag 1
///   met the standard), `Ks2` (flags 1 reading, 2 writing, 4 maths at the expected standard), `Ks4`
///   (flag 1 grade 4+ in English and maths; n1 Attainment 8 in hundredths; n2 Progress 8 in hundredths,
///   [`NO_NUMBER`] when none), `LevelBy19` (flags 1 level 2, 2 level 2 with English and maths known,
///   4 level 2 with English and maths, 8 level 3): the academic year.
/// - `TwoYearReview`: the review day; flag 1 at or above the expected level in all five areas.
/// - `HealthCheck`: the day; code the check (`reception`, `year6_7`, `ld_annual`); flag 1 completed.
/// - `HealthReferral`: referral day to closure; code the service; n1 days to the first appointment
///   ([`NO_NUMBER`] when none yet).
/// - `Post16Activity`: the month; code the activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FactKind {
    Census,
    Attendance,
    Suspension,
    PermanentExclusion,
    ReducedTimetable,
    ElectiveHomeEducation,
    Eyfsp,
    Phonics,
    Ks2,
    Ks4,
    LevelBy19,
    ChildInNeed,
    ChildProtection,
    LookedAfter,
    CareService,
    TwoYearReview,
    HealthCheck,
    HealthReferral,
    Post16Activity,
    YouthJustice,
}

/// A number that is not there (`n1`/`n2`).
pub const NO_NUMBER: i32 = i32::MIN;

impl FactKind {
    pub const ALL: [FactKind; 20] = [
        Self::Census,
        Self::Attendance,
        Self::Suspension,
        Self::PermanentExclusion,
        Self::ReducedTimetable,
        Self::ElectiveHomeEducation,
        Self::Eyfsp,
        Self::Phonics,
        Self::Ks2,
        Self::Ks4,
        Self::LevelBy19,
        Self::ChildInNeed,
        Self::ChildProtection,
        Self::LookedAfter,
        Self::CareService,
        Self::TwoYearReview,
        Self::HealthCheck,
        Self::HealthReferral,
        Self::Post16Activity,
        Self::YouthJustice,
    ];

    /// The name written in `facts.csv`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Census => "census",
            Self::Attendance => "attendance",
            Self::Suspension => "suspension",
            Self::PermanentExclusion => "permanent_exclusion",
            Self::ReducedTimetable => "reduced_timetable",
            Self::ElectiveHomeEducation => "ehe",
            Self::Eyfsp => "eyfsp",
            Self::Phonics => "phonics",
            Self::Ks2 => "ks2",
            Self::Ks4 => "ks4",
            Self::LevelBy19 => "level_by_19",
            Self::ChildInNeed => "cin",
            Self::ChildProtection => "child_protection",
            Self::LookedAfter => "looked_after",
            Self::CareService => "care_service",
            Self::TwoYearReview => "two_year_review",
            Self::HealthCheck => "health_check",
            Self::HealthReferral => "health_referral",
            Self::Post16Activity => "post16_activity",
            Self::YouthJustice => "youth_justice",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == text)
    }

    /// The import dataset the kind comes from.
    pub fn dataset(self) -> Dataset {
        match self {
            Self::Census => Dataset::Census,
            Self::Attendance => Dataset::Attendance,
            Self::Suspension | Self::PermanentExclusion => Dataset::Exclusions,
            Self::ReducedTimetable => Dataset::ReducedTimetables,
            Self::ElectiveHomeEducation => Dataset::ElectiveHomeEducation,
            Self::Eyfsp => Dataset::Eyfsp,
            Self::Phonics => Dataset::Phonics,
            Self::Ks2 => Dataset::Ks2,
            Self::Ks4 => Dataset::Ks4,
            Self::LevelBy19 => Dataset::LevelBy19,
            Self::ChildInNeed => Dataset::ChildInNeed,
            Self::ChildProtection => Dataset::ChildProtection,
            Self::LookedAfter => Dataset::LookedAfter,
            Self::CareService => Dataset::CareServices,
            Self::TwoYearReview => Dataset::TwoYearReview,
            Self::HealthCheck => Dataset::HealthChecks,
            Self::HealthReferral => Dataset::HealthReferrals,
            Self::Post16Activity => Dataset::Post16Activity,
            Self::YouthJustice => Dataset::YouthJustice,
        }
    }

    /// The codes of the kind's `code` column, in order (empty when it has none).
    pub fn codes(self) -> Vec<&'static str> {
        match self {
            Self::Census => vec!["N", "K", "E"],
            Self::Phonics => vec!["1", "2"],
            Self::ChildInNeed => CinNeed::ALL.iter().map(|c| c.code()).collect(),
            Self::ChildProtection => CpCategory::ALL.iter().map(|c| c.code()).collect(),
            Self::LookedAfter => PlacementKind::ALL.iter().map(|c| c.code()).collect(),
            Self::CareService => CareServiceKind::ALL.iter().map(|c| c.code()).collect(),
            Self::HealthCheck => HealthCheckKind::ALL.iter().map(|c| c.code()).collect(),
            Self::HealthReferral => HealthService::ALL.iter().map(|c| c.code()).collect(),
            Self::Post16Activity => Activity::ALL.iter().map(|c| c.code()).collect(),
            Self::YouthJustice => YouthJusticeKind::ALL.iter().map(|c| c.code()).collect(),
            _ => Vec::new(),
        }
    }

    /// The position of a code of this kind.
    pub fn code_of(self, text: &str) -> Option<u8> {
        self.codes().iter().position(|c| *c == text).map(|i| i as u8)
    }
}

/// One fact about one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactRow {
    pub kind: FactKind,
    pub start: Date,
    pub end: Option<Date>,
    pub code: u8,
    pub flags: u8,
    pub n1: i32,
    pub n2: i32,
}

impl FactRow {
    pub fn new(kind: FactKind, start: Date, end: Option<Date>) -> Self {
        FactRow { kind, start, end, code: 0, flags: 0, n1: NO_NUMBER, n2: NO_NUMBER }
    }

    /// Open on `d` (started, and not ended before it).
    pub fn open_on(&self, d: Date) -> bool {
        self.start <= d && self.end.is_none_or(|e| d <= e)
    }

    /// Overlaps the days `from` to `to`.
    pub fn overlaps(&self, from: Date, to: Date) -> bool {
        self.start <= to && self.end.is_none_or(|e| from <= e)
    }

    pub fn flag(&self, bit: u8) -> bool {
        self.flags & bit != 0
    }

    /// A census row's SEN status.
    pub fn census_sen(&self) -> SenStatus {
        match self.code {
            2 => SenStatus::EhcPlan,
            1 => SenStatus::SenSupport,
            _ => SenStatus::NoSen,
        }
    }
}

fn pos<T: PartialEq>(all: &[T], v: &T) -> u8 {
    all.iter().position(|x| x == v).unwrap_or(0) as u8
}

fn hundredths(v: f64) -> i32 {
    (v * 100.0).round() as i32
}

/// One stored fact as a row. `locality` gives a census locality's id in the table (from its code).
pub fn row_of(fact: &PersonFact, locality: &mut dyn FnMut(&str) -> u16) -> FactRow {
    let p = fact.period();
    let mut r = FactRow::new(FactKind::Census, p.start(), p.end());
    match fact {
        PersonFact::Census(c) => {
            r.code = match c.sen_provision {
                SenStatus::NoSen => 0,
                SenStatus::SenSupport => 1,
                SenStatus::EhcPlan => 2,
            };
            r.flags = u8::from(c.fsm_eligible);
            r.n1 = c.primary_need.map_or(-1, |n| i32::from(pos(&NeedCode::ALL, &n)));
            r.n2 = c.locality.as_ref().map_or(-1, |l| match locality(l.as_str()) {
                crate::table::NONE => -1,
                i => i32::from(i),
            });
        }
        PersonFact::Attendance(a) => {
            let t = a.totals();
            r.kind = FactKind::Attendance;
            r.n1 = t.possible as i32;
            r.n2 = t.absent() as i32;
        }
        PersonFact::Exclusion(e) => {
            if e.kind == ExclusionKind::Permanent {
                r.kind = FactKind::PermanentExclusion;
            } else {
                r.kind = FactKind::Suspension;
                r.n1 = e.sessions.map_or(NO_NUMBER, i32::from);
            }
        }
        PersonFact::ReducedTimetable(_) => r.kind = FactKind::ReducedTimetable,
        PersonFact::ElectiveHomeEducation(_) => r.kind = FactKind::ElectiveHomeEducation,
        PersonFact::Eyfsp(e) => {
            r.kind = FactKind::Eyfsp;
            r.flags = u8::from(e.good_level_of_development);
        }
        PersonFact::Phonics(ph) => {
            r.kind = FactKind::Phonics;
            r.code = FactKind::Phonics.code_of(&ph.year_group.to_string()).unwrap_or(0);
            r.flags = u8::from(ph.met_standard);
        }
        PersonFact::Ks2(k) => {
            r.kind = FactKind::Ks2;
            r.flags = u8::from(k.reading_expected) | u8::from(k.writing_expected) << 1 | u8::from(k.maths_expected) << 2;
        }
        PersonFact::Ks4(k) => {
            r.kind = FactKind::Ks4;
            r.flags = u8::from(k.english_maths_grade4);
            r.n1 = hundredths(k.attainment8.value());
            r.n2 = k.progress8.map_or(NO_NUMBER, |p| hundredths(p.value()));
        }
        PersonFact::LevelBy19(l) => {
            r.kind = FactKind::LevelBy19;
            r.flags = u8::from(l.level2)
                | u8::from(l.level2_english_maths.is_some()) << 1
                | u8::from(l.level2_english_maths == Some(true)) << 2
                | u8::from(l.level3) << 3;
        }
        PersonFact::ChildInNeed(c) => {
            r.kind = FactKind::ChildInNeed;
            r.code = pos(CinNeed::ALL, &c.primary_need);
        }
        PersonFact::ChildProtection(c) => {
            r.kind = FactKind::ChildProtection;
            r.code = pos(CpCategory::ALL, &c.category);
        }
        PersonFact::LookedAfter(l) => {
            r.kind = FactKind::LookedAfter;
            r.code = pos(PlacementKind::ALL, &l.placement);
            r.flags = u8::from(l.legal_status.is_short_breaks()) | u8::from(l.placement.is_ifa_or_residential()) << 1;
        }
        PersonFact::CareService(c) => {
            r.kind = FactKind::CareService;
            r.code = pos(CareServiceKind::ALL, &c.service);
        }
        PersonFact::TwoYearReview(t) => {
            r.kind = FactKind::TwoYearReview;
            r.flags = u8::from(t.at_or_above_expected_in_all_areas());
        }
        PersonFact::HealthCheck(h) => {
            r.kind = FactKind::HealthCheck;
            r.code = pos(HealthCheckKind::ALL, &h.check);
            r.flags = u8::from(h.outcome == waymark_domain::facts::health::CheckOutcome::Completed);
        }
        PersonFact::HealthReferral(h) => {
            r.kind = FactKind::HealthReferral;
            r.code = pos(HealthService::ALL, &h.service);
            r.n1 = h.first_appointment.map_or(NO_NUMBER, |a| crate::table::days(h.referral_date, a) as i32);
        }
        PersonFact::Post16Activity(a) => {
            r.kind = FactKind::Post16Activity;
            r.code = pos(Activity::ALL, &a.activity);
        }
        PersonFact::YouthJustice(y) => {
            r.kind = FactKind::YouthJustice;
            r.code = pos(YouthJusticeKind::ALL, &y.kind);
        }
    }
    r
}

/// The activity of a post-16 row.
pub fn activity(r: &FactRow) -> Option<Activity> {
    Activity::ALL.get(r.code as usize).copied()
}
