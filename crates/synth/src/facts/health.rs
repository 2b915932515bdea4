//! Health: the health visitor's review at 2 to 2.5 years (ASQ-3), the reception and year 6/7 checks,
//! GP annual health checks for people with a learning disability from 14, and referrals to
//! therapies, community paediatrics, audiology, autism assessment and CAMHS.
//!
//! Referrals follow the child's needs: each need first recorded on the SEN register was, for most
//! children, preceded by a referral to the matching service (an autism diagnosis before ASD is
//! recorded); other referrals (CAMHS, autism assessments that find no autism, early speech and
//! language) come at background rates by SEN status. The reference gives none of these rates: every
//! one is a `[U] assumption`.

use super::{full_identity, in_scope, opt_date, CensusRow, LaFacts, FULL_IDENTITY};
use crate::la::{as_of, LaData, SynthPerson};
use crate::rng::Draw;
use std::collections::BTreeSet;
use std::io::{self, Write};
use waymark_domain::calendar::{add_days, add_months, age_on, date_in_year, sub_days, Date};
use waymark_domain::child::SenStatus;
use waymark_domain::need::NeedCode;

/// The random stream purpose for these facts.
pub const PURPOSE: u64 = 6;

/// ASQ-3 areas, in the format's column order.
pub const ASQ_AREAS: [&str; 5] = ["communication", "gross_motor", "fine_motor", "problem_solving", "personal_social"];

#[derive(Debug, Clone, PartialEq)]
pub struct TwoYearReviewRow {
    pub person: usize,
    pub date: Date,
    /// Each area: "above", "monitor" or "below".
    pub asq: [&'static str; 5],
    /// The child's SEN status at the end of the history (what the review foreshadows).
    pub status: SenStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HealthCheckRow {
    pub person: usize,
    pub check: &'static str,
    pub date: Date,
    pub outcome: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReferralRow {
    pub person: usize,
    pub service: &'static str,
    pub referral: Date,
    pub first_appointment: Option<Date>,
    pub closed: Option<Date>,
    pub outcome: Option<&'static str>,
}

#[derive(Debug, Clone, Default)]
pub struct HealthFacts {
    pub two_year_reviews: Vec<TwoYearReviewRow>,
    pub checks: Vec<HealthCheckRow>,
    pub referrals: Vec<ReferralRow>,
}

fn history_from() -> Date {
    date_in_year(2019, 1, 1).expect("1 January")
}

/// [U] assumption: about 78% of children have the 2-2.5 year review (OHID: 74-80%).
const REVIEW_COVERAGE: f64 = 0.78;

/// Chance of each ASQ-3 area below the cut-off, by the SEN status the child later has.
/// [U] assumption; the monitoring zone about as often again.
fn asq_below(status: SenStatus) -> [f64; 5] {
    match status {
        SenStatus::EhcPlan => [0.45, 0.22, 0.30, 0.35, 0.35],
        SenStatus::SenSupport => [0.14, 0.05, 0.07, 0.08, 0.08],
        SenStatus::NoSen => [0.03, 0.015, 0.02, 0.02, 0.02],
    }
}

/// The service a need is referred to, if any.
fn service_for(draw: &mut Draw, need: NeedCode) -> Option<&'static str> {
    Some(match need {
        NeedCode::Slcn => "speech_language",
        NeedCode::Asd => "autism_assessment",
        NeedCode::Semh => "camhs",
        NeedCode::Pd => {
            if draw.chance(0.5) {
                "physiotherapy"
            } else {
                "occupational_therapy"
            }
        }
        NeedCode::Hi => "audiology",
        NeedCode::Mld | NeedCode::Sld | NeedCode::Pmld | NeedCode::Oth => "paediatrics",
        NeedCode::Spld if draw.chance(0.3) => "occupational_therapy",
        NeedCode::Vi | NeedCode::Msi => "other",
        _ => return None,
    })
}

/// Days from referral to first appointment: (shortest, longest), skewed to the short end.
/// [U] assumption: autism assessments mostly wait beyond 13 weeks; community services about 4 in 10
/// beyond 18 weeks.
fn wait_days(service: &str) -> (i64, i64) {
    match service {
        "autism_assessment" => (91, 900),
        "camhs" => (7, 300),
        "speech_language" => (21, 360),
        "occupational_therapy" => (21, 400),
        "physiotherapy" => (7, 180),
        "paediatrics" => (28, 420),
        "audiology" => (7, 120),
        _ => (14, 200),
    }
}

fn wait(draw: &mut Draw, service: &str) -> u64 {
    let (lo, hi) = wait_days(service);
    let u = draw.unit();
    (lo as f64 + (hi - lo) as f64 * u * u).round() as u64
}

pub(crate) fn generate(data: &LaData, census: &[CensusRow], seed: u64) -> HealthFacts {
    let mut draw = Draw::new(seed, data.la.number(), PURPOSE);
    let mut out = HealthFacts::default();
    let cut = as_of();
    for (index, p) in data.people.iter().enumerate() {
        if !in_scope(p) {
            continue;
        }
        let dob = p.child.date_of_birth;
        let eventual = p.child.sen_status_on(cut);
        // The 2-2.5 year review.
        let review = add_days(add_months(dob, 24), draw.int(0, 180) as u64);
        if review >= history_from() && review <= cut && draw.chance(REVIEW_COVERAGE) {
            let below = asq_below(eventual);
            let asq = below.map(|b| {
                let u = draw.unit();
                if u < b {
                    "below"
                } else if u < (2.0 * b).min(0.9) {
                    "monitor"
                } else {
                    "above"
                }
            });
            out.two_year_reviews.push(TwoYearReviewRow { person: index, date: review, asq, status: eventual });
        }
        ld_annual_checks(&mut draw, &mut out, index, p);
        referrals(&mut draw, &mut out, index, p);
    }
    // School nursing: the reception check for every reception pupil, and the year 6/7 review.
    for r in census {
        if !in_scope(&data.people[r.person]) {
            continue;
        }
        let (check, from, to, outcome) = match r.ncy {
            0 => (
                "reception",
                date_in_year(r.year, 10, 1),
                date_in_year(r.year + 1, 3, 31),
                draw.weighted(&[("completed", 94.0), ("declined", 4.0), ("did_not_attend", 2.0)]),
            ),
            6 => (
                "year6_7",
                date_in_year(r.year + 1, 6, 1),
                date_in_year(r.year + 1, 7, 18),
                draw.weighted(&[("completed", 85.0), ("declined", 5.0), ("did_not_attend", 10.0)]),
            ),
            _ => continue,
        };
        let (Some(from), Some(to)) = (from, to) else { continue };
        let date = draw.between(from, to);
        if date <= cut {
            out.checks.push(HealthCheckRow { person: r.person, check, date, outcome });
        }
    }
    out
}

/// Annual health checks for people on a GP learning disability register, from 14, each financial
/// year. [U] assumption: on the register 90% of those with SLD or PMLD and 35% with MLD; offered
/// each year to 95%; 72% completed, 8% declined, 20% did not attend.
fn ld_annual_checks(draw: &mut Draw, out: &mut HealthFacts, index: usize, p: &SynthPerson) {
    let mut severe = false;
    let mut moderate = false;
    for h in p.child.sen_history() {
        for n in h.needs.primary().into_iter().chain(h.needs.secondary()) {
            severe |= matches!(n, NeedCode::Sld | NeedCode::Pmld);
            moderate |= n == NeedCode::Mld;
        }
    }
    if !(severe || moderate) || !draw.chance(if severe { 0.9 } else { 0.35 }) {
        return;
    }
    let cut = as_of();
    for year in 2019..=2025 {
        let (Some(from), Some(to)) = (date_in_year(year, 4, 1), date_in_year(year + 1, 3, 31)) else { continue };
        let date = draw.between(from, to);
        let age = age_on(p.child.date_of_birth, date);
        if date > cut || !(14..=25).contains(&age) || !draw.chance(0.95) {
            continue;
        }
        let outcome = draw.weighted(&[("completed", 72.0), ("declined", 8.0), ("did_not_attend", 20.0)]);
        out.checks.push(HealthCheckRow { person: index, check: "ld_annual", date, outcome });
    }
}

fn referrals(draw: &mut Draw, out: &mut HealthFacts, index: usize, p: &SynthPerson) {
    let cut = as_of();
    let dob = p.child.date_of_birth;
    let mut taken: BTreeSet<(&'static str, Date)> = BTreeSet::new();
    let mut push = |out: &mut HealthFacts, row: ReferralRow| {
        if row.referral >= history_from().max(dob) && row.referral <= cut && taken.insert((row.service, row.referral)) {
            out.referrals.push(row);
        }
    };
    // A referral before each need first recorded, for 70% of them [U].
    let mut seen: Vec<NeedCode> = Vec::new();
    let mut autism = false;
    for h in p.child.sen_history() {
        if h.status == SenStatus::NoSen {
            continue;
        }
        for need in h.needs.primary().into_iter().chain(h.needs.secondary()) {
            if seen.contains(&need) {
                continue;
            }
            seen.push(need);
            autism |= need == NeedCode::Asd;
            let Some(service) = service_for(draw, need) else { continue };
            if !draw.chance(0.7) {
                continue;
            }
            let row = if service == "autism_assessment" {
                // Diagnosed shortly before the need is recorded; referred a wait before that.
                let diagnosed = sub_days(h.from, draw.int(0, 60) as u64);
                let first = sub_days(diagnosed, draw.int(20, 120) as u64);
                let referral = sub_days(first, wait(draw, service));
                closed_referral(index, service, referral, first, diagnosed, "diagnosed")
            } else {
                let referral = sub_days(h.from, draw.int(0, 150) as u64);
                let first = add_days(referral, wait(draw, service));
                let closed = add_days(first, draw.int(60, 400) as u64);
                let outcome = draw.weighted(&[("treated", 75.0), ("discharged", 15.0), ("declined", 10.0)]);
                closed_referral(index, service, referral, first, closed, outcome)
            };
            push(out, row);
        }
    }
    // Background referrals by SEN status each year [U]: CAMHS at 5-17, autism assessments at 3-15
    // (mostly finding no autism), speech and language at 2-4.
    let status_now = p.child.sen_status_on(cut);
    let (camhs, assessment, speech) = match status_now {
        SenStatus::EhcPlan => (0.04, 0.015, 0.03),
        SenStatus::SenSupport => (0.035, 0.012, 0.03),
        SenStatus::NoSen => (0.012, 0.003, 0.01),
    };
    for year in 2019..=2025 {
        let (Some(from), Some(to)) = (date_in_year(year, 1, 1), date_in_year(year, 12, 31)) else { continue };
        let age = age_on(dob, date_in_year(year, 7, 1).unwrap_or(from));
        for (service, chance, ages) in
            [("camhs", camhs, 5..=17), ("autism_assessment", assessment, 3..=15), ("speech_language", speech, 2..=4)]
        {
            if !ages.contains(&age) || (service == "autism_assessment" && autism) || !draw.chance(chance) {
                continue;
            }
            let referral = draw.between(from, to);
            let first = add_days(referral, wait(draw, service));
            let closed = add_days(first, draw.int(30, 365) as u64);
            let outcome = match service {
                "autism_assessment" => draw.weighted(&[("not_diagnosed", 75.0), ("diagnosed", 15.0), ("declined", 10.0)]),
                "camhs" => draw.weighted(&[("treated", 50.0), ("discharged", 30.0), ("declined", 20.0)]),
                _ => draw.weighted(&[("treated", 70.0), ("discharged", 25.0), ("declined", 5.0)]),
            };
            push(out, closed_referral(index, service, referral, first, closed, outcome));
        }
    }
}

/// A referral as known at the end of the history: not yet seen, seen and open, or closed.
fn closed_referral(person: usize, service: &'static str, referral: Date, first: Date, closed: Date, outcome: &'static str) -> ReferralRow {
    let cut = as_of();
    let first = first.max(referral);
    let closed = closed.max(first);
    ReferralRow {
        person,
        service,
        referral,
        first_appointment: (first <= cut).then_some(first),
        closed: (closed <= cut).then_some(closed),
        outcome: (closed <= cut).then_some(outcome),
    }
}

pub(crate) fn write(dataset: &str, data: &LaData, facts: &LaFacts, header: bool, w: &mut dyn Write) -> io::Result<()> {
    let h = &facts.health;
    let who = |person: usize| full_identity(data, &data.people[person], None);
    match dataset {
        "two-year-review" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},review_date,{}", ASQ_AREAS.join(","))?;
            }
            for r in &h.two_year_reviews {
                writeln!(w, "{},{},{}", who(r.person), r.date, r.asq.join(","))?;
            }
        }
        "health-checks" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},check,check_date,outcome")?;
            }
            for r in &h.checks {
                writeln!(w, "{},{},{},{}", who(r.person), r.check, r.date, r.outcome)?;
            }
        }
        "health-referrals" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},service,referral_date,first_appointment,closed_date,outcome")?;
            }
            for r in &h.referrals {
                writeln!(
                    w,
                    "{},{},{},{},{},{}",
                    who(r.person),
                    r.service,
                    r.referral,
                    opt_date(r.first_appointment),
                    opt_date(r.closed),
                    r.outcome.unwrap_or("")
                )?;
            }
        }
        other => return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("no health dataset {other}"))),
    }
    Ok(())
}
