//! Post-16: each young person's monthly activity as the LA tracks it for NCCIS (education,
//! apprenticeships, traineeships, supported internships, employment, NEET, not known), and youth
//! justice involvement.
//!
//! Activity comes from the young person's placement where they have one (a plan holder's or SEN
//! support pupil's post-16 setting, supported internship or NEET), else from their route at 16
//! ([`routes`], drawn before the census so that only those staying at school are on it in years 12
//! and 13), with short NEET spells. Tracked: academic ages 16 and 17, and EHC plan holders to 24.
//!
//! Neither NEET by SEN status nor youth justice rates are in the reference: `[U] assumption` each.

use super::social_care::SocialCareFacts;
use super::{census_day, full_identity, in_scope, LaFacts, FULL_IDENTITY};
use crate::la::{as_of, reception_year, LaData, SettingKind, SynthPerson};
use crate::rng::Draw;
use std::io::{self, Write};
use waymark_domain::calendar::{add_days, age_on, date_in_year, sub_days, Date};
use waymark_domain::child::SenStatus;
use waymark_domain::identifiers::{SettingCode, SettingRef};
use waymark_domain::plan::WorkBased;

/// The random stream purposes: routes at 16 (needed by the census), and these facts.
pub const ROUTE_PURPOSE: u64 = 3;
pub const PURPOSE: u64 = 7;

/// The first month tracked (September 2023) and the last (December 2025, before the census closing
/// the history).
pub const FIRST_MONTH: (i32, u32) = (2023, 9);
pub const LAST_MONTH: (i32, u32) = (2025, 12);

/// What a young person does at 16 and 17 where no placement says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    SchoolSixthForm,
    College,
    Apprenticeship,
    Traineeship,
    EmploymentWithTraining,
    Employment,
    OtherTraining,
    NeetAvailable,
    NeetNotAvailable,
    NotKnown,
}

impl Route {
    /// On a school's roll (and so on the school census) in years 12 and 13.
    pub fn in_school(self) -> bool {
        self == Route::SchoolSixthForm
    }

    fn activity(self) -> &'static str {
        match self {
            Route::SchoolSixthForm | Route::College => "education",
            Route::Apprenticeship => "apprenticeship",
            Route::Traineeship => "traineeship",
            Route::EmploymentWithTraining => "employment_with_training",
            Route::Employment => "employment",
            Route::OtherTraining => "other_training",
            Route::NeetAvailable => "neet_available",
            Route::NeetNotAvailable => "neet_not_available",
            Route::NotKnown => "not_known",
        }
    }
}

/// % of 16-17 year olds NEET, and not known, by SEN status.
/// [U] assumption: DfE participation, end 2024: NEET about 6% with a plan, 4.5% on SEN support and
/// 2.3% with no SEN; not known about 2% (not in the reference).
pub fn neet_target(status: SenStatus) -> f64 {
    match status {
        SenStatus::EhcPlan => 6.0,
        SenStatus::SenSupport => 4.5,
        SenStatus::NoSen => 2.3,
    }
}
const NOT_KNOWN: f64 = 2.0;

/// Each person's route at 16, by SEN status at the start of year 12. Deterministic for the seed.
pub fn routes(data: &LaData, seed: u64) -> Vec<Route> {
    let mut draw = Draw::new(seed, data.la.number(), ROUTE_PURPOSE);
    data.people
        .iter()
        .map(|p| {
            let status = p.child.sen_status_on(census_day(reception_year(p.child.date_of_birth) + 12));
            let neet = neet_target(status);
            let eet = 100.0 - neet - NOT_KNOWN;
            // Among those in education, employment or training [U]: sixth form, college, work.
            let mix: [(Route, f64); 7] = match status {
                SenStatus::NoSen => [
                    (Route::SchoolSixthForm, 40.0),
                    (Route::College, 47.0),
                    (Route::Apprenticeship, 5.0),
                    (Route::Traineeship, 0.5),
                    (Route::EmploymentWithTraining, 2.0),
                    (Route::Employment, 2.5),
                    (Route::OtherTraining, 3.0),
                ],
                _ => [
                    (Route::SchoolSixthForm, 27.0),
                    (Route::College, 60.0),
                    (Route::Apprenticeship, 4.0),
                    (Route::Traineeship, 1.5),
                    (Route::EmploymentWithTraining, 1.5),
                    (Route::Employment, 2.5),
                    (Route::OtherTraining, 3.5),
                ],
            };
            let total: f64 = mix.iter().map(|m| m.1).sum();
            let mut weights: Vec<(Route, f64)> = mix.iter().map(|&(r, w)| (r, w / total * eet)).collect();
            weights.extend([(Route::NeetAvailable, neet * 0.65), (Route::NeetNotAvailable, neet * 0.35), (Route::NotKnown, NOT_KNOWN)]);
            draw.weighted(&weights)
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRow {
    pub person: usize,
    pub month: (i32, u32),
    pub activity: &'static str,
    pub ukprn: Option<String>,
    /// SEN status in the month.
    pub status: SenStatus,
    /// Age on 31 August before the academic year (16 and 17 are years 12 and 13).
    pub academic_age: i32,
}

impl ActivityRow {
    pub fn is_neet(&self) -> bool {
        self.activity.starts_with("neet")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct YouthJusticeRow {
    pub person: usize,
    pub kind: &'static str,
    pub start: Date,
    pub end: Option<Date>,
}

#[derive(Debug, Clone, Default)]
pub struct Post16Facts {
    pub activity: Vec<ActivityRow>,
    pub youth_justice: Vec<YouthJusticeRow>,
}

fn months() -> impl Iterator<Item = (i32, u32)> {
    let (mut y, mut m) = FIRST_MONTH;
    std::iter::from_fn(move || {
        if (y, m) > LAST_MONTH {
            return None;
        }
        let here = (y, m);
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        Some(here)
    })
}

pub(crate) fn generate(data: &LaData, routes: &[Route], social_care: &SocialCareFacts, seed: u64) -> Post16Facts {
    let mut draw = Draw::new(seed, data.la.number(), PURPOSE);
    let mut out = Post16Facts::default();
    let colleges: Vec<String> = data
        .settings
        .iter()
        .filter(|s| s.kind == SettingKind::FurtherEducation)
        .filter_map(|s| match &s.setting {
            SettingRef::Ukprn(u) => Some(u.to_string()),
            _ => None,
        })
        .collect();
    let looked_after: std::collections::BTreeSet<usize> =
        social_care.looked_after.iter().filter(|r| r.counts_as_looked_after()).map(|r| r.person).collect();
    for (index, p) in data.people.iter().enumerate() {
        if !in_scope(p) {
            continue;
        }
        activity(&mut draw, &mut out, index, p, routes[index], &colleges);
        youth_justice(&mut draw, &mut out, index, p, looked_after.contains(&index));
    }
    out
}

fn activity(draw: &mut Draw, out: &mut Post16Facts, index: usize, p: &SynthPerson, route: Route, colleges: &[String]) {
    if p.child.uln.is_none() && p.child.upn.is_none() {
        return;
    }
    let dob = p.child.date_of_birth;
    let college = (!colleges.is_empty()).then(|| draw.pick(colleges).clone());
    let available = draw.chance(0.65);
    // A short NEET spell in a year in education, employment or training [U: 5% a year, 1-4 months].
    let mut spells: Vec<(i32, u32, u32)> = Vec::new();
    for year in FIRST_MONTH.0..=LAST_MONTH.0 {
        if draw.chance(0.05) {
            spells.push((year, draw.int(0, 11) as u32, draw.int(1, 4) as u32));
        }
    }
    for (y, m) in months() {
        let Some(mid) = date_in_year(y, m, 15) else { continue };
        let year = if m >= 9 { y } else { y - 1 };
        let academic_age = date_in_year(year, 8, 31).map_or(0, |d| age_on(dob, d));
        let status = p.child.sen_status_on(mid);
        if !((16..=17).contains(&academic_age) || ((18..=24).contains(&academic_age) && status == SenStatus::EhcPlan)) {
            continue;
        }
        let placed = p.placements.iter().rev().find(|pl| pl.attending_on(mid));
        let (activity, ukprn): (&'static str, Option<String>) = match placed {
            Some(pl) => match &pl.setting {
                SettingRef::Code(SettingCode::Neet | SettingCode::Niec | SettingCode::Nieo) => {
                    (if available { "neet_available" } else { "neet_not_available" }, None)
                }
                SettingRef::Code(SettingCode::Ola | SettingCode::Opa) => ("other_training", None),
                SettingRef::Code(SettingCode::Ehe) => ("education", None),
                SettingRef::Code(_) => ("not_known", None),
                setting => {
                    let ukprn = match setting {
                        SettingRef::Ukprn(u) => Some(u.to_string()),
                        _ => None,
                    };
                    let activity = match pl.work_based {
                        Some(WorkBased::SupportedInternship) => "supported_internship",
                        Some(WorkBased::Apprenticeship) => "apprenticeship",
                        Some(WorkBased::Traineeship) => "traineeship",
                        None => "education",
                    };
                    (activity, ukprn)
                }
            },
            None if (16..=17).contains(&academic_age) => {
                // Month of the academic year, September = 0.
                let offset = (m + 3) % 12;
                let in_spell = spells.iter().any(|&(sy, from, len)| sy == year && (from..from + len).contains(&offset));
                let eet = !matches!(route, Route::NeetAvailable | Route::NeetNotAvailable | Route::NotKnown);
                if eet && in_spell && !route.in_school() {
                    (if available { "neet_available" } else { "neet_not_available" }, None)
                } else {
                    (route.activity(), if route == Route::College { college.clone() } else { None })
                }
            }
            None => ("not_known", None),
        };
        out.activity.push(ActivityRow { person: index, month: (y, m), activity, ukprn, status, academic_age });
    }
}

/// Youth justice involvement at 10-17, a chance each year by SEN status, three times as likely for
/// a child who has been looked after. [U] assumption: 0.2% a year with no SEN, 0.8% on SEN support,
/// 0.9% with a plan (the youth justice caseload is about 0.25% of 10-17s; most have SEN).
fn youth_justice(draw: &mut Draw, out: &mut Post16Facts, index: usize, p: &SynthPerson, looked_after: bool) {
    let dob = p.child.date_of_birth;
    let cut = as_of();
    let (tenth, eighteenth) = (add_years(dob, 10), add_years(dob, 18));
    for year in 2019..=2025 {
        let (Some(from), Some(to)) = (date_in_year(year, 1, 1), date_in_year(year, 12, 31)) else { continue };
        let (from, to) = (from.max(tenth), to.min(sub_days(eighteenth, 1)).min(cut));
        if from >= to {
            continue;
        }
        let base = match p.child.sen_status_on(from) {
            SenStatus::EhcPlan => 0.009,
            SenStatus::SenSupport => 0.008,
            SenStatus::NoSen => 0.002,
        };
        if !draw.chance(base * if looked_after { 3.0 } else { 1.0 }) {
            continue;
        }
        let start = draw.between(from, to);
        let (kind, lo, hi) = draw.weighted(&[
            (("out_of_court", 1, 90), 55.0),
            (("referral_order", 90, 365), 22.0),
            (("youth_rehabilitation_order", 180, 1095), 12.0),
            (("custody", 60, 720), 3.0),
            (("other", 30, 365), 8.0),
        ]);
        let end = add_days(start, draw.int(lo, hi) as u64);
        out.youth_justice.push(YouthJusticeRow { person: index, kind, start, end: (end <= cut).then_some(end) });
    }
}

fn add_years(date: Date, years: u32) -> Date {
    waymark_domain::calendar::add_months(date, 12 * years)
}

pub(crate) fn write(dataset: &str, data: &LaData, facts: &LaFacts, header: bool, w: &mut dyn Write) -> io::Result<()> {
    let p16 = &facts.post16;
    match dataset {
        "post16-activity" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},month,activity,ukprn")?;
            }
            for r in &p16.activity {
                let who = full_identity(data, &data.people[r.person], None);
                writeln!(w, "{who},{:04}-{:02},{},{}", r.month.0, r.month.1, r.activity, r.ukprn.as_deref().unwrap_or(""))?;
            }
        }
        "youth-justice" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},kind,start_date,end_date")?;
            }
            for r in &p16.youth_justice {
                let p = &data.people[r.person];
                let id = facts.social_care.id_of(r.person);
                if id.is_none() && p.child.upn.is_none() && p.child.uln.is_none() {
                    continue;
                }
                let end = r.end.map(|d| d.to_string()).unwrap_or_default();
                writeln!(w, "{},{},{},{end}", full_identity(data, p, id.as_deref()), r.kind, r.start)?;
            }
        }
        other => return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("no post-16 dataset {other}"))),
    }
    Ok(())
}
