//! Person-level facts and reference data for one generated LA, in the CSV import formats
//! (docs/import-formats.md), one CSV per dataset of [`DATASETS`]:
//! - this module: localities, settings, population, the January school census, attendance,
//!   suspensions and permanent exclusions, and key stage 2 and 4 results;
//! - [`education`]: reduced timetables, elective home education, EYFSP, phonics, level 2/3 by 19;
//! - [`social_care`]: child in need episodes, child protection plans, looked-after episodes (with
//!   out-of-area placements and short-break agreements), disabled children's team, short breaks and
//!   direct payments;
//! - [`health`]: the 2-2.5 year review (ASQ-3), reception and year 6/7 checks, learning disability
//!   annual health checks, and referrals to therapies, autism assessment and CAMHS;
//! - [`post16`]: monthly post-16 activity (EET, NEET, not known) and youth justice involvement.
//!
//! Each part draws from its own random stream (purposes [`FACTS_PURPOSE`] and up), so the people, cases
//! and placements of [`crate::la`] are unchanged, and one part's draws never shift another's.
//!
//! Calibration (national-statistics.md): FSM §2e, social care overlap §2f, absence §2g, exclusions
//! §2h, attainment §2i, each by SEN status on the January census of the year. Figures are measured back
//! in [`crate::calibration`]. Rates the reference does not give are marked `[U] assumption`.

pub mod education;
pub mod health;
pub mod post16;
pub mod social_care;

use crate::la::{reception_year, LaData, SettingKind, SynthPerson};
use crate::rng::Draw;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use waymark_domain::calendar::{add_days, age_on, date_in_year, Date};
use waymark_domain::child::{SenStatus, Sex};
use waymark_domain::identifiers::SettingRef;

/// The random stream purpose for facts (la.rs uses 1).
pub const FACTS_PURPOSE: u64 = 2;
/// Academic years with a January census (the start year): 2023/24, 2024/25 and 2025/26.
pub const CENSUS_YEARS: [i32; 3] = [2023, 2024, 2025];
/// Completed academic years with attendance, exclusions and results.
pub const FULL_YEARS: [i32; 2] = [2023, 2024];

/// The datasets written, in the order they must be imported (the import's own order).
pub const DATASETS: [&str; 22] = [
    "localities",
    "settings",
    "population",
    "census",
    "attendance",
    "exclusions",
    "reduced-timetables",
    "ehe",
    "eyfsp",
    "phonics",
    "ks2",
    "ks4",
    "level-by-19",
    "cin",
    "child-protection",
    "looked-after",
    "care-services",
    "two-year-review",
    "health-checks",
    "health-referrals",
    "post16-activity",
    "youth-justice",
];

/// Facts are written only about people aged 24 or under on the census that closes the history, so
/// a file imported within a year of it never meets someone past 25 (CFA 2014 s46).
pub const MAX_FACT_AGE: i32 = 24;

/// One pupil on one January census.
#[derive(Debug, Clone, PartialEq)]
pub struct CensusRow {
    pub person: usize,
    pub year: i32,
    pub date: Date,
    pub urn: String,
    pub ncy: i32,
    pub status: SenStatus,
    pub primary_need: Option<String>,
    pub secondary_need: Option<String>,
    pub fsm: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttendanceRow {
    pub person: usize,
    pub year: i32,
    pub urn: String,
    pub possible: u32,
    pub authorised: u32,
    pub unauthorised: u32,
    pub status: SenStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExclusionRow {
    pub person: usize,
    pub year: i32,
    pub urn: String,
    pub permanent: bool,
    pub start: Date,
    pub sessions: Option<u32>,
    pub status: SenStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ks2Row {
    pub person: usize,
    pub year: i32,
    pub urn: String,
    pub reading: u32,
    pub writing: bool,
    pub maths: u32,
    pub status: SenStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ks4Row {
    pub person: usize,
    pub year: i32,
    pub urn: String,
    /// Attainment 8 in hundredths.
    pub attainment8: u32,
    pub english_maths_grade4: bool,
    pub status: SenStatus,
}

impl Ks2Row {
    /// Reading, writing and maths all at the expected standard.
    pub fn rwm_expected(&self) -> bool {
        self.reading >= 100 && self.writing && self.maths >= 100
    }
}

/// Everything generated for one LA.
#[derive(Debug, Clone, Default)]
pub struct LaFacts {
    pub census: Vec<CensusRow>,
    pub attendance: Vec<AttendanceRow>,
    pub exclusions: Vec<ExclusionRow>,
    pub ks2: Vec<Ks2Row>,
    pub ks4: Vec<Ks4Row>,
    pub education: education::EducationFacts,
    pub social_care: social_care::SocialCareFacts,
    pub health: health::HealthFacts,
    pub post16: post16::Post16Facts,
}

impl LaFacts {
    /// Each person's census rows (indices into [`LaFacts::census`]), in year order.
    pub fn census_by_person(&self, people: usize) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); people];
        for (i, r) in self.census.iter().enumerate() {
            if let Some(v) = out.get_mut(r.person) {
                v.push(i);
            }
        }
        out
    }

    /// Rows of every dataset, by dataset name.
    pub fn row_counts(&self) -> Vec<(&'static str, usize)> {
        let e = &self.education;
        let s = &self.social_care;
        let h = &self.health;
        let p = &self.post16;
        vec![
            ("census", self.census.len()),
            ("attendance", self.attendance.len()),
            ("exclusions", self.exclusions.len()),
            ("reduced-timetables", e.reduced_timetables.len()),
            ("ehe", e.ehe.len()),
            ("eyfsp", e.eyfsp.len()),
            ("phonics", e.phonics.len()),
            ("ks2", self.ks2.len()),
            ("ks4", self.ks4.len()),
            ("level-by-19", e.level_by_19.len()),
            ("cin", s.cin.len()),
            ("child-protection", s.child_protection.len()),
            ("looked-after", s.looked_after.len()),
            ("care-services", s.care_services.len()),
            ("two-year-review", h.two_year_reviews.len()),
            ("health-checks", h.checks.len()),
            ("health-referrals", h.referrals.len()),
            ("post16-activity", p.activity.len()),
            ("youth-justice", p.youth_justice.len()),
        ]
    }
}

/// Whether facts may be written about a person (see [`MAX_FACT_AGE`]).
pub(crate) fn in_scope(p: &SynthPerson) -> bool {
    age_on(p.child.date_of_birth, crate::la::as_of()) <= MAX_FACT_AGE
}

/// January census day of the academic year starting in `year` (third Thursday approximated as the 15th-18th [U]).
pub fn census_day(year: i32) -> Date {
    let day = match year + 1 {
        2025 => 16,
        2026 => 15,
        _ => 18,
    };
    date_in_year(year + 1, 1, day).expect("January date")
}

pub(crate) fn academic_year(year: i32) -> String {
    format!("{year}/{:02}", (year + 1) % 100)
}

/// The URN a setting is written under: its own, or for a college (known by UKPRN) one made from it.
pub fn urn_of(data: &LaData, index: usize) -> String {
    let s = &data.settings[index];
    match &s.setting {
        SettingRef::Urn(u) => u.to_string(),
        // 9 + LA + serial: no LA code starts 9 above 938, so these never meet a school's la*1000+n.
        _ => format!("9{:03}{:02}", data.la.number() % 1000, data.settings[..index].iter().filter(|t| t.kind == s.kind).count() % 100),
    }
}

/// Absence model by SEN status: (overall absence %, persistent share, severe share) (§2g, autumn
/// 2024/25 and full-year severe; severe for no SEN [U: about 1.5%]).
fn absence_target(status: SenStatus) -> (f64, f64, f64) {
    match status {
        SenStatus::EhcPlan => (13.1, 0.351, 0.068),
        SenStatus::SenSupport => (10.1, 0.290, 0.044),
        SenStatus::NoSen => (5.8, 0.170, 0.015),
    }
}

/// Mean absence of the persistent-but-not-severe band (10-50%, skewed low) and the severe band (50-80%).
const MID_MEAN: f64 = 10.0 + 40.0 / 3.0;
const SEVERE_MEAN: f64 = 65.0;

/// Suspensions per 100 pupils and permanent exclusions per 100 pupils (§2h, 2023/24 derived).
fn exclusion_target(status: SenStatus) -> (f64, f64) {
    match status {
        SenStatus::EhcPlan => (25.0, 0.26),
        SenStatus::SenSupport => (29.0, 0.41),
        SenStatus::NoSen => (7.5, 0.075),
    }
}
/// Suspensions per suspended pupil [U: about 2.5].
const SUSPENSIONS_PER_PUPIL: f64 = 2.5;

/// KS2 RWM expected % and Attainment 8 mean (§2i, 2025).
fn attainment_target(status: SenStatus) -> (f64, f64) {
    match status {
        SenStatus::EhcPlan => (9.0, 14.8),
        SenStatus::SenSupport => (29.0, 33.8),
        SenStatus::NoSen => (74.0, 50.2),
    }
}

/// Generate the facts of one LA. Deterministic for the seed.
pub fn generate_facts(data: &LaData, seed: u64) -> LaFacts {
    let mut draw = Draw::new(seed, data.la.number(), FACTS_PURPOSE);
    let mut out = LaFacts::default();
    let by_setting: HashMap<&SettingRef, usize> = data.settings.iter().enumerate().map(|(i, s)| (&s.setting, i)).collect();
    let schools = |kind: SettingKind, locality: usize| -> Vec<usize> {
        let all: Vec<usize> = data.settings.iter().enumerate().filter(|(_, s)| s.kind == kind).map(|(i, _)| i).collect();
        let local: Vec<usize> = all.iter().copied().filter(|&i| data.settings[i].locality == locality).collect();
        if local.is_empty() {
            all
        } else {
            local
        }
    };
    // Each young person's route at 16 where no placement says (school sixth form, college, work,
    // NEET...): only those staying at school are on the school census in years 12 and 13.
    let routes = post16::routes(data, seed);
    for (index, p) in data.people.iter().enumerate() {
        if p.child.upn.is_none() {
            continue;
        }
        // A mainstream school by phase, chosen once for the person and kept (primary then secondary).
        let primary = schools(SettingKind::Primary, p.locality);
        let secondary = schools(SettingKind::Secondary, p.locality);
        let home_primary = (!primary.is_empty()).then(|| *draw.pick(&primary));
        let home_secondary = (!secondary.is_empty()).then(|| *draw.pick(&secondary));
        for year in CENSUS_YEARS {
            let day = census_day(year);
            let ncy = year - reception_year(p.child.date_of_birth);
            let age = age_on(p.child.date_of_birth, day);
            if !(0..=13).contains(&ncy) || !(4..=18).contains(&age) {
                continue;
            }
            let placed = p.placements.iter().rev().find(|pl| pl.attending_on(day)).map(|pl| by_setting.get(&pl.setting).copied());
            let school = match placed {
                Some(Some(i)) if data.settings[i].kind != SettingKind::FurtherEducation => Some(i),
                // At college, or somewhere not a school (NEET, elective home education): not on a census.
                Some(_) => None,
                None if ncy >= 12 && p.placements.is_empty() && !routes[index].in_school() => None,
                None if p.placements.is_empty() || ncy <= 11 => {
                    if ncy <= 6 {
                        home_primary
                    } else {
                        home_secondary
                    }
                }
                None => None,
            };
            let Some(school) = school else { continue };
            let status = p.child.sen_status_on(day);
            let needs = p.child.needs_on(day);
            let (primary_need, secondary_need) = if status == SenStatus::NoSen {
                (None, None)
            } else {
                (needs.primary().map(|n| n.to_string()), needs.secondary().map(|n| n.to_string()))
            };
            if status != SenStatus::NoSen && primary_need.is_none() {
                continue;
            }
            let urn = urn_of(data, school);
            out.census.push(CensusRow {
                person: index,
                year,
                date: day,
                urn: urn.clone(),
                ncy,
                status,
                primary_need,
                secondary_need,
                fsm: p.free_school_meals,
            });
            if FULL_YEARS.contains(&year) {
                attendance_and_exclusions(&mut draw, &mut out, index, year, &urn, status);
                let (rwm, a8) = attainment_target(status);
                if ncy == 6 {
                    let all = draw.chance(rwm / 100.0);
                    let (mut r, mut w, mut m) =
                        if all { (true, true, true) } else { (draw.chance(0.5), draw.chance(0.5), draw.chance(0.5)) };
                    if !all && r && w && m {
                        w = false;
                    }
                    let score = |d: &mut Draw, yes: bool| if yes { d.int(100, 118) as u32 } else { d.int(82, 99) as u32 };
                    let (reading, maths) = (score(&mut draw, r), score(&mut draw, m));
                    r = reading >= 100;
                    m = maths >= 100;
                    debug_assert!(r || m || !all);
                    out.ks2.push(Ks2Row { person: index, year, urn: urn.clone(), reading, writing: w, maths, status });
                }
                if ncy == 11 {
                    let spread = a8.min(20.0);
                    let score = (a8 + spread * (draw.unit() * 2.0 - 1.0)).clamp(0.0, 90.0);
                    // Grade 4 in English and maths follows Attainment 8 [U: about 40 points].
                    let em4 = score >= 40.0 + 10.0 * (draw.unit() - 0.5);
                    out.ks4.push(Ks4Row {
                        person: index,
                        year,
                        urn,
                        attainment8: (score * 100.0).round() as u32,
                        english_maths_grade4: em4,
                        status,
                    });
                }
            }
        }
    }
    let census_of = out.census_by_person(data.people.len());
    out.education = education::generate(data, &out.census, &census_of, seed);
    out.social_care = social_care::generate(data, &out.census, seed);
    out.health = health::generate(data, &out.census, seed);
    out.post16 = post16::generate(data, &routes, &out.social_care, seed);
    out
}

fn attendance_and_exclusions(draw: &mut Draw, out: &mut LaFacts, person: usize, year: i32, urn: &str, status: SenStatus) {
    let (overall, persistent, severe) = absence_target(status);
    let low_mean = ((overall - severe * SEVERE_MEAN - (persistent - severe) * MID_MEAN) / (1.0 - persistent)).clamp(0.5, 4.9);
    let possible = draw.int(370, 390) as u32;
    let u = draw.unit();
    let rate = if u < severe {
        50.0 + 30.0 * draw.unit()
    } else if u < persistent {
        10.0 + 40.0 * draw.unit().powi(2)
    } else {
        2.0 * low_mean * draw.unit()
    };
    let absent = ((rate / 100.0 * f64::from(possible)).ceil() as u32).min(possible);
    let absent = if rate < 10.0 { absent.min(possible / 10 - 1) } else { absent.max(possible.div_ceil(10)) };
    // About a third of absence is unauthorised [U].
    let unauthorised = (f64::from(absent) * (0.2 + 0.25 * draw.unit())).round() as u32;
    out.attendance.push(AttendanceRow { person, year, urn: urn.into(), possible, authorised: absent - unauthorised, unauthorised, status });

    let (suspensions, permanent) = exclusion_target(status);
    let start = date_in_year(year, 9, 5).expect("September");
    if draw.chance(suspensions / 100.0 / SUSPENSIONS_PER_PUPIL) {
        let mut n = 1;
        while n < 10 && draw.chance(1.0 - 1.0 / SUSPENSIONS_PER_PUPIL) {
            n += 1;
        }
        for j in 0..n {
            let day = add_days(start, j * 28 + draw.int(0, 20) as u64);
            out.exclusions.push(ExclusionRow {
                person,
                year,
                urn: urn.into(),
                permanent: false,
                start: day,
                sessions: Some(draw.int(1, 6) as u32),
                status,
            });
        }
    }
    if draw.chance(permanent / 100.0) {
        let day = add_days(start, draw.int(30, 290) as u64);
        out.exclusions.push(ExclusionRow { person, year, urn: urn.into(), permanent: true, start: day, sessions: None, status });
    }
}

pub(crate) fn yn(b: bool) -> &'static str {
    if b {
        "Y"
    } else {
        "N"
    }
}

pub(crate) fn sex(s: Sex) -> &'static str {
    if s == Sex::Male {
        "M"
    } else {
        "F"
    }
}

pub(crate) fn locality_code(i: usize) -> String {
    format!("L{}", i + 1)
}

/// Quote a CSV value if it needs it.
pub(crate) fn q(v: &str) -> String {
    if v.contains([',', '"', '\n']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_owned()
    }
}

/// The identity columns of a school row: la, upn, forename, surname, date_of_birth, sex, postcode, ethnicity.
const IDENTITY: &str = "la,upn,forename,surname,date_of_birth,sex,postcode,ethnicity";

fn identity(data: &LaData, p: &SynthPerson) -> String {
    let c = &p.child;
    format!(
        "{},{},{},{},{},{},{},{}",
        data.la,
        c.upn.as_ref().map(|u| u.to_string()).unwrap_or_default(),
        q(c.name.forename()),
        q(c.name.surname()),
        c.date_of_birth,
        sex(c.sex),
        c.postcode.as_ref().map(|p| p.to_string()).unwrap_or_default(),
        c.ethnicity.as_ref().map(|e| e.to_string()).unwrap_or_default()
    )
}

/// Every identity column of the import formats, in order.
pub(crate) const FULL_IDENTITY: &str = "la,upn,uln,nhs_number,social_care_id,forename,surname,date_of_birth,sex,postcode,ethnicity";

/// A person's identity columns ([`FULL_IDENTITY`]) as an agency holding their identifiers would give
/// them: every identifier the person has (so imports link exactly), and the social care id where
/// `social_care_id` is given.
pub(crate) fn full_identity(data: &LaData, p: &SynthPerson, social_care_id: Option<&str>) -> String {
    let c = &p.child;
    format!(
        "{},{},{},{},{},{},{},{},{},{},{}",
        data.la,
        c.upn.as_ref().map(|u| u.to_string()).unwrap_or_default(),
        c.uln.as_ref().map(|u| u.to_string()).unwrap_or_default(),
        c.nhs_number.as_ref().map(|n| n.to_string()).unwrap_or_default(),
        social_care_id.unwrap_or(""),
        q(c.name.forename()),
        q(c.name.surname()),
        c.date_of_birth,
        sex(c.sex),
        c.postcode.as_ref().map(|p| p.to_string()).unwrap_or_default(),
        c.ethnicity.as_ref().map(|e| e.to_string()).unwrap_or_default()
    )
}

/// A date, or blank.
pub(crate) fn opt_date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Write one dataset's CSV for a set of LAs (with their localities' names from `locality_names`).
/// The header line is written only when `header` is true, so LAs can be written one after another.
pub fn write_csv<W: Write>(dataset: &str, las: &[(&LaData, &LaFacts, &[String])], header: bool, w: W) -> io::Result<()> {
    let mut w = HeaderGate { inner: w, skip_first_line: !header };
    match dataset {
        "localities" => {
            writeln!(w, "la,code,name")?;
            for (data, _, names) in las {
                for (i, name) in names.iter().enumerate() {
                    writeln!(w, "{},{},{}", data.la, locality_code(i), q(name))?;
                }
            }
        }
        "settings" => {
            writeln!(w, "urn,ukprn,name,la,setting_type,phase,locality,sen_unit,resourced_provision")?;
            for (data, _, names) in las {
                for (i, s) in data.settings.iter().enumerate() {
                    let (kind, phase) = match s.kind {
                        SettingKind::Primary => ("mainstream_la", "primary"),
                        SettingKind::Secondary => ("mainstream_academy", "secondary"),
                        SettingKind::Special => ("special_la", "all_through"),
                        SettingKind::IndependentSpecial => ("special_independent", "all_through"),
                        SettingKind::AlternativeProvision => ("alternative_provision", "not_applicable"),
                        SettingKind::FurtherEducation => ("fe_college", "post16"),
                    };
                    let ukprn = match &s.setting {
                        SettingRef::Ukprn(u) => u.to_string(),
                        _ => String::new(),
                    };
                    let locality = if names.is_empty() { String::new() } else { locality_code(s.locality % names.len()) };
                    // Unit and resourced provision places are not modelled, so both are written as N [U].
                    writeln!(w, "{},{ukprn},{},{},{kind},{phase},{locality},N,N", urn_of(data, i), q(&s.name), data.la)?;
                }
            }
        }
        "population" => {
            writeln!(w, "la,year,age,sex,count")?;
            // Mid-2025 counts of the generated people: the population the synthetic area holds.
            let mid = date_in_year(2025, 6, 30).expect("30 June");
            for (data, _, _) in las {
                let mut counts: BTreeMap<(i32, &str), u32> = BTreeMap::new();
                for p in &data.people {
                    if p.child.date_of_birth <= mid {
                        let age = age_on(p.child.date_of_birth, mid);
                        if (0..=25).contains(&age) {
                            *counts.entry((age, sex(p.child.sex))).or_default() += 1;
                        }
                    }
                }
                for ((age, s), n) in counts {
                    writeln!(w, "{},2025,{age},{s},{n}", data.la)?;
                }
            }
        }
        "census" => {
            writeln!(w, "{IDENTITY},census_date,urn,ncy,sen_provision,primary_need,secondary_need,fsm_eligible,locality")?;
            for (data, facts, names) in las {
                for r in &facts.census {
                    let p = &data.people[r.person];
                    let ncy = if r.ncy == 0 { "R".to_string() } else { r.ncy.to_string() };
                    let provision = match r.status {
                        SenStatus::NoSen => "N",
                        SenStatus::SenSupport => "K",
                        SenStatus::EhcPlan => "E",
                    };
                    let locality = if names.is_empty() { String::new() } else { locality_code(p.locality % names.len()) };
                    writeln!(
                        w,
                        "{},{},{},{ncy},{provision},{},{},{},{locality}",
                        identity(data, p),
                        r.date,
                        r.urn,
                        r.primary_need.as_deref().unwrap_or(""),
                        r.secondary_need.as_deref().unwrap_or(""),
                        yn(r.fsm)
                    )?;
                }
            }
        }
        "attendance" => {
            writeln!(w, "la,upn,academic_year,urn,possible_sessions,authorised_absence,unauthorised_absence")?;
            for (data, facts, _) in las {
                for r in &facts.attendance {
                    let upn = data.people[r.person].child.upn.as_ref().map(|u| u.to_string()).unwrap_or_default();
                    writeln!(
                        w,
                        "{},{upn},{},{},{},{},{}",
                        data.la,
                        academic_year(r.year),
                        r.urn,
                        r.possible,
                        r.authorised,
                        r.unauthorised
                    )?;
                }
            }
        }
        "exclusions" => {
            writeln!(w, "la,upn,urn,kind,start_date,sessions")?;
            for (data, facts, _) in las {
                for r in &facts.exclusions {
                    let upn = data.people[r.person].child.upn.as_ref().map(|u| u.to_string()).unwrap_or_default();
                    let kind = if r.permanent { "permanent" } else { "suspension" };
                    let sessions = r.sessions.map(|s| s.to_string()).unwrap_or_default();
                    writeln!(w, "{},{upn},{},{kind},{},{sessions}", data.la, r.urn, r.start)?;
                }
            }
        }
        "ks2" => {
            writeln!(w, "la,upn,academic_year,urn,reading_expected,writing_expected,maths_expected,reading_scaled,maths_scaled")?;
            for (data, facts, _) in las {
                for r in &facts.ks2 {
                    let upn = data.people[r.person].child.upn.as_ref().map(|u| u.to_string()).unwrap_or_default();
                    writeln!(
                        w,
                        "{},{upn},{},{},{},{},{},{},{}",
                        data.la,
                        academic_year(r.year),
                        r.urn,
                        yn(r.reading >= 100),
                        yn(r.writing),
                        yn(r.maths >= 100),
                        r.reading,
                        r.maths
                    )?;
                }
            }
        }
        "ks4" => {
            writeln!(w, "la,upn,academic_year,urn,attainment8,english_maths_grade4")?;
            for (data, facts, _) in las {
                for r in &facts.ks4 {
                    let upn = data.people[r.person].child.upn.as_ref().map(|u| u.to_string()).unwrap_or_default();
                    let a8 = format!("{}.{:02}", r.attainment8 / 100, r.attainment8 % 100);
                    writeln!(w, "{},{upn},{},{},{a8},{}", data.la, academic_year(r.year), r.urn, yn(r.english_maths_grade4))?;
                }
            }
        }
        "reduced-timetables" | "ehe" | "eyfsp" | "phonics" | "level-by-19" => {
            for (i, (data, facts, _)) in las.iter().enumerate() {
                education::write(dataset, data, facts, i == 0, &mut w)?;
            }
        }
        "cin" | "child-protection" | "looked-after" | "care-services" => {
            for (i, (data, facts, _)) in las.iter().enumerate() {
                social_care::write(dataset, data, facts, i == 0, &mut w)?;
            }
        }
        "two-year-review" | "health-checks" | "health-referrals" => {
            for (i, (data, facts, _)) in las.iter().enumerate() {
                health::write(dataset, data, facts, i == 0, &mut w)?;
            }
        }
        "post16-activity" | "youth-justice" => {
            for (i, (data, facts, _)) in las.iter().enumerate() {
                post16::write(dataset, data, facts, i == 0, &mut w)?;
            }
        }
        other => return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("no synthetic dataset {other}"))),
    }
    Ok(())
}

/// Drops the first line written when asked (the header, for every LA after the first).
struct HeaderGate<W> {
    inner: W,
    skip_first_line: bool,
}

impl<W: Write> Write for HeaderGate<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.skip_first_line {
            if let Some(i) = buf.iter().position(|b| *b == b'\n') {
                self.skip_first_line = false;
                self.inner.write_all(&buf[i + 1..])?;
            }
            return Ok(buf.len());
        }
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
