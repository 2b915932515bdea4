//! Education facts beyond the census: reduced timetables, elective home education, the early years
//! foundation stage profile, the phonics screening check, and level 2 and 3 by age 19.
//!
//! Rates by SEN status. The reference gives level 3 by 19 (§2i); the others are marked `[U]
//! assumption` (DfE's EYFSP, phonics and participation releases, from memory, not in the reference).

use super::{academic_year, census_day, full_identity, in_scope, opt_date, yn, CensusRow, LaFacts, FULL_IDENTITY};
use crate::la::{as_of, reception_year, LaData, SynthPerson};
use crate::rng::Draw;
use std::io::{self, Write};
use waymark_domain::calendar::{add_days, age_on, date_in_year, Date};
use waymark_domain::child::SenStatus;
use waymark_domain::identifiers::{SettingCode, SettingRef};

/// The random stream purpose for these facts.
pub const PURPOSE: u64 = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct ReducedTimetableRow {
    pub person: usize,
    pub urn: String,
    pub start: Date,
    pub end: Option<Date>,
    pub status: SenStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EheRow {
    pub person: usize,
    pub start: Date,
    pub end: Option<Date>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EyfspRow {
    pub person: usize,
    pub year: i32,
    pub urn: String,
    pub good_level: bool,
    /// SEN status on the January census of the year.
    pub status: SenStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PhonicsRow {
    pub person: usize,
    pub year: i32,
    pub urn: String,
    /// 1 for the year 1 check, 2 for the retake.
    pub year_group: u8,
    pub met: bool,
    pub status: SenStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LevelBy19Row {
    pub person: usize,
    /// The academic year at whose end the young person was 19.
    pub year: i32,
    pub level2: bool,
    pub level2_english_maths: bool,
    pub level3: bool,
    /// SEN status in year 11 (as DfE splits the measure).
    pub status: SenStatus,
}

#[derive(Debug, Clone, Default)]
pub struct EducationFacts {
    pub reduced_timetables: Vec<ReducedTimetableRow>,
    pub ehe: Vec<EheRow>,
    pub eyfsp: Vec<EyfspRow>,
    pub phonics: Vec<PhonicsRow>,
    pub level_by_19: Vec<LevelBy19Row>,
}

/// Share of pupils with a reduced timetable starting in a school year.
/// [U] assumption: EHC plan 5%, SEN support 2.5%, no SEN 0.6% (no national collection).
fn reduced_timetable_rate(status: SenStatus) -> f64 {
    match status {
        SenStatus::EhcPlan => 0.05,
        SenStatus::SenSupport => 0.025,
        SenStatus::NoSen => 0.006,
    }
}

/// Yearly chance of a spell of elective home education before returning to school.
/// [U] assumption: about 1% of pupils are home educated at a time, SEN support most often.
fn ehe_rate(status: SenStatus) -> f64 {
    match status {
        SenStatus::EhcPlan => 0.006,
        SenStatus::SenSupport => 0.008,
        SenStatus::NoSen => 0.004,
    }
}

/// % reaching a good level of development at the end of reception.
/// [U] assumption: DfE EYFSP 2023/24, EHC plan 4%, SEN support 24%, no SEN 74% (not in the reference).
pub fn gld_target(status: SenStatus) -> f64 {
    match status {
        SenStatus::EhcPlan => 4.0,
        SenStatus::SenSupport => 24.0,
        SenStatus::NoSen => 74.0,
    }
}

/// % meeting the phonics standard in year 1.
/// [U] assumption: DfE phonics 2023/24, EHC plan 19%, SEN support 46%, no SEN 86% (not in the reference).
pub fn phonics_target(status: SenStatus) -> f64 {
    match status {
        SenStatus::EhcPlan => 19.0,
        SenStatus::SenSupport => 46.0,
        SenStatus::NoSen => 86.0,
    }
}

/// Share of year 1 non-passers who meet the standard at the year 2 retake. [U] assumption.
fn retake_rate(status: SenStatus) -> f64 {
    match status {
        SenStatus::EhcPlan => 0.15,
        SenStatus::SenSupport => 0.45,
        SenStatus::NoSen => 0.6,
    }
}

/// % qualified to level 3 by 19 (§2i, 2024), and to level 2 and level 2 with English and maths
/// ([U] assumption: DfE's level 2/3 by 19 release, about 87/60/27 and 75/38/13).
pub fn level_targets(status: SenStatus) -> (f64, f64, f64) {
    match status {
        SenStatus::EhcPlan => (14.2, 27.0, 13.0),
        SenStatus::SenSupport => (35.1, 60.0, 38.0),
        SenStatus::NoSen => (62.6, 87.0, 75.0),
    }
}

/// Academic years (start year) with EYFSP, phonics and level-by-19 results.
pub const RESULT_YEARS: std::ops::RangeInclusive<i32> = 2021..=2024;

pub(crate) fn generate(data: &LaData, census: &[CensusRow], census_of: &[Vec<usize>], seed: u64) -> EducationFacts {
    let mut draw = Draw::new(seed, data.la.number(), PURPOSE);
    let mut out = EducationFacts::default();
    let cut = as_of();
    for (index, p) in data.people.iter().enumerate() {
        if !in_scope(p) {
            continue;
        }
        let rows: Vec<&CensusRow> = census_of[index].iter().map(|&i| &census[i]).collect();
        // Reduced timetables: at the school of the year's census, starting in that school year.
        for r in &rows {
            if draw.chance(reduced_timetable_rate(r.status)) {
                let first = date_in_year(r.year, 9, 8).expect("September");
                let last = date_in_year(r.year + 1, 6, 30).expect("June").min(cut);
                if last <= first {
                    continue;
                }
                let start = draw.between(first, last);
                // Two to twenty weeks; Portsmouth counts six weeks or more [U: about half].
                let end = add_days(start, draw.int(13, 139) as u64);
                let end = if end > cut || draw.chance(0.05) { None } else { Some(end) };
                out.reduced_timetables.push(ReducedTimetableRow { person: index, urn: r.urn.clone(), start, end, status: r.status });
            }
        }
        ehe(&mut draw, &mut out, index, p, &rows);
        results(&mut draw, &mut out, index, p, &rows);
    }
    out
}

/// Elective home education: every EHE placement, and spells before the first census a pupil is on.
fn ehe(draw: &mut Draw, out: &mut EducationFacts, index: usize, p: &SynthPerson, rows: &[&CensusRow]) {
    let cut = as_of();
    for pl in &p.placements {
        if pl.setting == SettingRef::Code(SettingCode::Ehe) && pl.entry <= cut {
            out.ehe.push(EheRow { person: index, start: pl.entry, end: pl.leaving.filter(|&l| l <= cut) });
        }
    }
    let Some(first) = rows.first() else { return };
    // Spells in 2019/20 to 2022/23, back at school by the first census row's September.
    let back = date_in_year(first.year, 9, 1).expect("September");
    for year in 2019..first.year {
        let ncy = year - reception_year(p.child.date_of_birth);
        if !(1..=10).contains(&ncy) {
            continue;
        }
        let status = p.child.sen_status_on(census_day(year));
        if draw.chance(ehe_rate(status)) {
            let start = draw.between(date_in_year(year, 9, 10).expect("September"), date_in_year(year + 1, 5, 31).expect("May"));
            let end = add_days(start, draw.int(60, 540) as u64).min(date_in_year(first.year, 7, 20).expect("July"));
            if start < end && end < back {
                out.ehe.push(EheRow { person: index, start, end: Some(end) });
                break;
            }
        }
    }
}

/// EYFSP at the end of reception, the phonics check in year 1 (and the retake in year 2), and level
/// 2 and 3 by 19.
fn results(draw: &mut Draw, out: &mut EducationFacts, index: usize, p: &SynthPerson, rows: &[&CensusRow]) {
    let reception = reception_year(p.child.date_of_birth);
    // The school of a year: that year's census row, else the earliest row (the school they were at).
    let school = |year: i32| rows.iter().find(|r| r.year == year).or(rows.first()).map(|r| r.urn.clone());
    let status_in = |year: i32| rows.iter().find(|r| r.year == year).map_or_else(|| p.child.sen_status_on(census_day(year)), |r| r.status);
    if RESULT_YEARS.contains(&reception) {
        if let Some(urn) = school(reception) {
            let status = status_in(reception);
            let good_level = draw.chance(gld_target(status) / 100.0);
            out.eyfsp.push(EyfspRow { person: index, year: reception, urn, good_level, status });
        }
    }
    let y1 = reception + 1;
    if RESULT_YEARS.contains(&y1) {
        if let Some(urn) = school(y1) {
            let status = status_in(y1);
            let met = draw.chance(phonics_target(status) / 100.0);
            out.phonics.push(PhonicsRow { person: index, year: y1, urn, year_group: 1, met, status });
            let y2 = y1 + 1;
            if !met && RESULT_YEARS.contains(&y2) {
                if let Some(urn) = school(y2) {
                    let status2 = status_in(y2);
                    let met = draw.chance(retake_rate(status2));
                    out.phonics.push(PhonicsRow { person: index, year: y2, urn, year_group: 2, met, status: status2 });
                }
            }
        }
    }
    // Level 2 and 3 by 19: the academic year at whose end (31 August) the young person was 19.
    if p.child.uln.is_some() || p.child.upn.is_some() {
        for year in RESULT_YEARS {
            let end = date_in_year(year + 1, 8, 31).expect("31 August");
            if age_on(p.child.date_of_birth, end) == 19 {
                let status = p.child.sen_status_on(census_day(reception + 11));
                let (l3, l2, em) = level_targets(status);
                // One draw decides both levels, so level 3 implies level 2.
                let u = draw.unit() * 100.0;
                let level2 = u < l2;
                out.level_by_19.push(LevelBy19Row {
                    person: index,
                    year,
                    level2,
                    level2_english_maths: level2 && draw.chance(em / l2),
                    level3: u < l3,
                    status,
                });
            }
        }
    }
}

pub(crate) fn write(dataset: &str, data: &LaData, facts: &LaFacts, header: bool, w: &mut dyn Write) -> io::Result<()> {
    let e = &facts.education;
    let who = |person: usize| full_identity(data, &data.people[person], None);
    match dataset {
        "reduced-timetables" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},urn,start_date,end_date")?;
            }
            for r in &e.reduced_timetables {
                writeln!(w, "{},{},{},{}", who(r.person), r.urn, r.start, opt_date(r.end))?;
            }
        }
        "ehe" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},start_date,end_date")?;
            }
            for r in &e.ehe {
                let p = &data.people[r.person];
                // The register knows a child who never attended school by their social care id.
                let id = facts.social_care.id_of(r.person);
                if p.child.upn.is_none() && id.is_none() {
                    continue;
                }
                writeln!(w, "{},{},{}", full_identity(data, p, id.as_deref()), r.start, opt_date(r.end))?;
            }
        }
        "eyfsp" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},academic_year,urn,good_level_of_development")?;
            }
            for r in &e.eyfsp {
                writeln!(w, "{},{},{},{}", who(r.person), academic_year(r.year), r.urn, yn(r.good_level))?;
            }
        }
        "phonics" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},academic_year,urn,year_group,met_standard")?;
            }
            for r in &e.phonics {
                writeln!(w, "{},{},{},{},{}", who(r.person), academic_year(r.year), r.urn, r.year_group, yn(r.met))?;
            }
        }
        "level-by-19" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},academic_year,level2,level2_english_maths,level3")?;
            }
            for r in &e.level_by_19 {
                writeln!(
                    w,
                    "{},{},{},{},{}",
                    who(r.person),
                    academic_year(r.year),
                    yn(r.level2),
                    yn(r.level2_english_maths),
                    yn(r.level3)
                )?;
            }
        }
        other => return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("no education dataset {other}"))),
    }
    Ok(())
}
