//! Children's social care: child in need episodes, child protection plans, looked-after episodes
//! (placements in and out of area, short-break agreements), and the disabled children's team, short
//! breaks and direct payments.
//!
//! The model: for each child, three independent two-state (Markov) processes from birth to 18 (being
//! looked after, being on a child protection plan, and other need), each with exponential spells and
//! started in its stationary state, so the share of children in a state on any day is the process's
//! rate. A child protection plan or period of care sits inside a child in need episode (CIN census
//! counts both as children in need): episodes are the union of the other-need spells and the padded
//! plans and periods of care.
//!
//! Calibration (§2f): the share of children in need, on a child protection plan and looked after
//! with an EHC plan and on SEN support. The rate for each SEN status is set from the LA's own
//! January 2024 census, so that the shares meet §2f whatever the LA's mix:
//! `rate(status) = share(status) x overall rate / pupils' share(status)`.

use super::{census_day, full_identity, in_scope, opt_date, CensusRow, LaFacts, FULL_IDENTITY};
use crate::la::{as_of, LaData, SynthPerson};
use crate::rng::Draw;
use std::collections::BTreeSet;
use std::io::{self, Write};
use waymark_domain::calendar::{add_days, add_months, date_in_year, sub_days, Date};
use waymark_domain::child::SenStatus;
use waymark_domain::identifiers::LaCode;
use waymark_domain::need::NeedCode;

/// The random stream purpose for these facts.
pub const PURPOSE: u64 = 5;

/// The census year (start of the academic year) whose January census sets each child's propensity,
/// and whose 31 March the overlap is measured on.
pub const OVERLAP_YEAR: i32 = 2023;

/// 31 March at the end of the overlap year: the CIN census and SSDA903 reference date.
pub fn overlap_day() -> Date {
    date_in_year(OVERLAP_YEAR + 1, 3, 31).expect("31 March")
}

#[derive(Debug, Clone, PartialEq)]
pub struct CinRow {
    pub person: usize,
    pub start: Date,
    pub end: Option<Date>,
    pub need: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CpRow {
    pub person: usize,
    pub start: Date,
    pub end: Option<Date>,
    pub category: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LookedAfterRow {
    pub person: usize,
    pub start: Date,
    pub end: Option<Date>,
    pub legal_status: &'static str,
    pub placement: &'static str,
    pub placement_la: Option<LaCode>,
}

impl LookedAfterRow {
    /// Looked after, not a short-break agreement (V3/V4).
    pub fn counts_as_looked_after(&self) -> bool {
        !matches!(self.legal_status, "V3" | "V4")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CareServiceRow {
    pub person: usize,
    pub service: &'static str,
    pub start: Date,
    pub end: Option<Date>,
}

#[derive(Debug, Clone, Default)]
pub struct SocialCareFacts {
    pub cin: Vec<CinRow>,
    pub child_protection: Vec<CpRow>,
    pub looked_after: Vec<LookedAfterRow>,
    pub care_services: Vec<CareServiceRow>,
    /// People known to children's social care (who therefore have a social care id).
    pub known: BTreeSet<usize>,
}

impl SocialCareFacts {
    /// The LA's social care id (CIN census LAchildID) of a person known to social care.
    pub fn id_of(&self, person: usize) -> Option<String> {
        self.known.contains(&person).then(|| social_care_id(person))
    }
}

fn social_care_id(person: usize) -> String {
    format!("SC{:07}", person + 1)
}

/// Children in need, on a child protection plan and looked after, per child under 18.
/// [U] assumption: DfE, 31 March 2024: 332.9, 41.6 and 71 per 10,000 children (not in the reference).
const CIN_RATE: f64 = 0.0333;
const CP_RATE: f64 = 0.0042;
const LA_RATE: f64 = 0.0071;

/// Shares with an EHC plan and on SEN support (§2f): children in need at 31 March 2024; looked after
/// and on a child protection plan at 31 March 2022 (the latest in the reference; assumed unchanged [U]).
pub fn overlap_targets() -> [(&'static str, f64, f64); 3] {
    [("children in need", 27.1, 24.6), ("on a child protection plan", 10.1, 29.1), ("looked after", 27.3, 27.8)]
}

/// Mean spell lengths in days [U] assumption: other need 300, child protection plan 300, period of
/// care 900; and the child in need episode's padding around a plan (about 135 days) and a period of
/// care (about 45 days).
const CIN_DAYS: f64 = 300.0;
const CP_DAYS: f64 = 300.0;
const LA_DAYS: f64 = 900.0;
const CP_PAD: f64 = 135.0;
const LA_PAD: f64 = 45.0;

/// The rate of each process for each SEN status, from the LA's January census mix.
struct Rates {
    cin_other: [f64; 3],
    cp: [f64; 3],
    la: [f64; 3],
}

fn slot(status: SenStatus) -> usize {
    match status {
        SenStatus::EhcPlan => 0,
        SenStatus::SenSupport => 1,
        SenStatus::NoSen => 2,
    }
}

impl Rates {
    fn from_census(census: &[CensusRow]) -> Self {
        let mut counts = [0.0f64; 3];
        for r in census.iter().filter(|r| r.year == OVERLAP_YEAR) {
            counts[slot(r.status)] += 1.0;
        }
        let total: f64 = counts.iter().sum();
        // Without a census (no pupils), England's mix (§2a/§2f: 4.7% and 13.4%).
        let mix = if total > 0.0 { counts.map(|c| (c / total).max(0.001)) } else { [0.047, 0.134, 0.819] };
        let rate = |share_ehcp: f64, share_support: f64, overall: f64| {
            let shares = [share_ehcp / 100.0, share_support / 100.0, 1.0 - (share_ehcp + share_support) / 100.0];
            [0, 1, 2].map(|i| (shares[i] * overall / mix[i]).min(0.5))
        };
        let [cin, cp, la] = overlap_targets();
        let cin = rate(cin.1, cin.2, CIN_RATE);
        let cp = rate(cp.1, cp.2, CP_RATE);
        let la = rate(la.1, la.2, LA_RATE);
        let cin_other = [0, 1, 2].map(|i| (cin[i] - cp[i] * (1.0 + CP_PAD / CP_DAYS) - la[i] * (1.0 + LA_PAD / LA_DAYS)).max(cin[i] * 0.2));
        Rates { cin_other, cp, la }
    }
}

/// Spells of a two-state process from `from` to `to`, started in its stationary state: the share of
/// days in a spell is `rate`, spells last `mean_days` on average.
fn spells(draw: &mut Draw, from: Date, to: Date, rate: f64, mean_days: f64) -> Vec<(Date, Date)> {
    let mut out = Vec::new();
    if rate <= 0.0 || to <= from {
        return out;
    }
    let off_mean = mean_days * (1.0 - rate) / rate;
    let mut on = draw.chance(rate);
    let mut t = from;
    while t < to {
        let mean = if on { mean_days } else { off_mean };
        let days = (-mean * (1.0 - draw.unit()).ln()).round().max(7.0) as u64;
        let end = add_days(t, days);
        if on {
            out.push((t, end));
        }
        t = add_days(end, 1);
        on = !on;
    }
    out
}

const HISTORY_FROM: (i32, u32, u32) = (2019, 1, 1);

fn history_from() -> Date {
    date_in_year(HISTORY_FROM.0, HISTORY_FROM.1, HISTORY_FROM.2).expect("1 January")
}

/// A spell's end as recorded: open while it continues past the end of the history, else its last day
/// (at the latest the day before the 18th birthday, when children's services end).
fn recorded_end(end: Date, eighteenth: Date) -> Option<Date> {
    let last = end.min(sub_days(eighteenth, 1));
    (last <= as_of()).then_some(last)
}

pub(crate) fn generate(data: &LaData, census: &[CensusRow], seed: u64) -> SocialCareFacts {
    let mut draw = Draw::new(seed, data.la.number(), PURPOSE);
    let rates = Rates::from_census(census);
    let mut out = SocialCareFacts::default();
    let propensity_day = census_day(OVERLAP_YEAR);
    let cut = as_of();
    for (index, p) in data.people.iter().enumerate() {
        if !in_scope(p) {
            continue;
        }
        let dob = p.child.date_of_birth;
        let eighteenth = add_months(dob, 12 * 18);
        if eighteenth <= history_from() {
            continue;
        }
        let status = p.child.sen_status_on(propensity_day.max(dob));
        let s = slot(status);
        let to = eighteenth.min(cut);
        let care = spells(&mut draw, dob, to, rates.la[s], LA_DAYS);
        let plans = spells(&mut draw, dob, to, rates.cp[s], CP_DAYS);
        let other = spells(&mut draw, dob, to, rates.cin_other[s], CIN_DAYS);
        // Child in need episodes: each spell, padded around plans and periods of care, then merged.
        let mut episodes: Vec<(Date, Date, &'static str)> = Vec::new();
        for &(a, b) in &other {
            episodes.push((a, b, other_need(&mut draw, status)));
        }
        for &(a, b) in &plans {
            let start = sub_days(a, draw.int(15, 45) as u64).max(dob);
            episodes.push((start, add_days(b, draw.int(30, 240) as u64), "N1"));
        }
        for &(a, b) in &care {
            let start = sub_days(a, draw.int(0, 90) as u64).max(dob);
            let need = *draw.pick(&["N1", "N1", "N1", "N4", "N5", "N8", "N2"]);
            episodes.push((start, add_days(b, draw.int(0, 30) as u64), need));
        }
        episodes.sort_by_key(|e| e.0);
        let mut merged: Vec<(Date, Date, &'static str)> = Vec::new();
        for e in episodes {
            match merged.last_mut() {
                Some(last) if e.0 <= add_days(last.1, 1) => last.1 = last.1.max(e.1),
                _ => merged.push(e),
            }
        }
        let start_len = (out.cin.len(), out.child_protection.len(), out.looked_after.len());
        for (a, b, need) in merged {
            if b >= history_from() && a <= cut {
                out.cin.push(CinRow { person: index, start: a, end: recorded_end(b, eighteenth), need });
            }
        }
        for (a, b) in plans {
            if b >= history_from() && a <= cut {
                let category = draw.weighted(&[("NEG", 50.0), ("EMO", 36.0), ("MUL", 5.0), ("PHY", 6.0), ("SAB", 3.0)]);
                out.child_protection.push(CpRow { person: index, start: a, end: recorded_end(b, eighteenth), category });
            }
        }
        for (a, b) in care {
            if b >= history_from() && a <= cut {
                period_of_care(&mut draw, &mut out, data, index, p, status, (a, b), eighteenth);
            }
        }
        care_services(&mut draw, &mut out, data, index, p, status, eighteenth);
        if (out.cin.len(), out.child_protection.len(), out.looked_after.len()) != start_len
            || out.care_services.last().is_some_and(|c| c.person == index)
        {
            out.known.insert(index);
        }
    }
    out
}

/// The primary need of an episode that is neither a plan nor care (CIN census mix [U] assumption;
/// a child's own disability more often where they have an EHC plan).
fn other_need(draw: &mut Draw, status: SenStatus) -> &'static str {
    let disability = match status {
        SenStatus::EhcPlan => 45.0,
        SenStatus::SenSupport => 12.0,
        SenStatus::NoSen => 4.0,
    };
    draw.weighted(&[
        ("N1", 45.0),
        ("N2", disability),
        ("N3", 6.0),
        ("N4", 12.0),
        ("N5", 18.0),
        ("N6", 3.0),
        ("N7", 0.5),
        ("N8", 4.0),
        ("N0", 1.0),
    ])
}

/// A period of care as SSDA903 episodes: a new episode with each change of legal status or
/// placement. Placements out of the area for about 4 in 10 [U] assumption (DfE: 42% placed outside
/// the LA's boundary), residential schools more often for children with a plan.
#[allow(clippy::too_many_arguments)]
fn period_of_care(
    draw: &mut Draw,
    out: &mut SocialCareFacts,
    data: &LaData,
    index: usize,
    p: &SynthPerson,
    status: SenStatus,
    (start, end): (Date, Date),
    eighteenth: Date,
) {
    let pieces = 1 + (0..3).take_while(|_| draw.chance(0.35)).count();
    let days = (end - start).num_days().max(pieces as i64);
    let mut cuts: Vec<i64> = (1..pieces).map(|_| draw.int(1, days - 1)).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut bounds = vec![start];
    bounds.extend(cuts.iter().map(|&d| add_days(start, d as u64)));
    let residential = if status == SenStatus::EhcPlan { 12.0 } else { 1.0 };
    for (i, &from) in bounds.iter().enumerate() {
        let to = bounds.get(i + 1).map_or(end, |&next| sub_days(next, 1));
        if from > as_of() || from >= eighteenth {
            break;
        }
        let legal_status = if i == 0 {
            draw.weighted(&[("V2", 38.0), ("C1", 30.0), ("C2", 20.0), ("L2", 4.0), ("L1", 4.0), ("J1", 2.0), ("E1", 2.0)])
        } else {
            draw.weighted(&[("C2", 75.0), ("E1", 8.0), ("V2", 12.0), ("C1", 5.0)])
        };
        let age = waymark_domain::calendar::age_on(p.child.date_of_birth, from);
        let placement = draw.weighted(&[
            ("foster_la", 45.0),
            ("foster_agency", 25.0),
            ("childrens_home", if age >= 11 { 14.0 } else { 3.0 }),
            ("residential_school", residential),
            ("with_parents", 6.0),
            ("independent_living", if age >= 16 { 10.0 } else { 0.0 }),
            ("adoption", if age <= 5 && legal_status == "E1" { 30.0 } else { 0.0 }),
            ("secure", if age >= 12 { 0.6 } else { 0.0 }),
            ("other", 1.5),
        ]);
        let out_of_area =
            draw.chance(if matches!(placement, "foster_agency" | "childrens_home" | "residential_school" | "secure") { 0.6 } else { 0.3 });
        let placement_la = Some(if out_of_area { other_la(draw, data.la) } else { data.la });
        out.looked_after.push(LookedAfterRow {
            person: index,
            start: from,
            end: recorded_end(to, eighteenth),
            legal_status,
            placement,
            placement_la,
        });
    }
}

fn other_la(draw: &mut Draw, own: LaCode) -> LaCode {
    loop {
        if let Some(code) = LaCode::all_upn_valid().nth(draw.int(0, 140) as usize) {
            if code != own {
                return code;
            }
        }
    }
}

/// The disabled children's team, short breaks and direct payments, for children whose needs are
/// disabilities. [U] assumption: half of EHC plan holders with SLD, PMLD, MSI or PD, 15% with ASD,
/// 4% of other plan holders, 1% of SEN support; of those, 60% have short breaks (15% under a
/// looked-after short-break agreement, V4) and 25% a direct payment.
fn care_services(
    draw: &mut Draw,
    out: &mut SocialCareFacts,
    data: &LaData,
    index: usize,
    p: &SynthPerson,
    status: SenStatus,
    eighteenth: Date,
) {
    let Some(first) = p.child.sen_history().iter().find(|h| h.status != SenStatus::NoSen) else { return };
    let needs = p.child.needs_on(as_of().min(sub_days(eighteenth, 1)));
    let needs: Vec<NeedCode> = needs.primary().into_iter().chain(needs.secondary()).collect();
    let physical = needs.iter().any(|n| matches!(n, NeedCode::Sld | NeedCode::Pmld | NeedCode::Msi | NeedCode::Pd));
    let chance = match (status, physical, needs.contains(&NeedCode::Asd)) {
        (SenStatus::EhcPlan, true, _) => 0.5,
        (SenStatus::EhcPlan, false, true) => 0.15,
        (SenStatus::EhcPlan, false, false) => 0.04,
        (SenStatus::SenSupport, _, _) => 0.01,
        (SenStatus::NoSen, _, _) => 0.0,
    };
    if !draw.chance(chance) {
        return;
    }
    let cut = as_of();
    let start = draw.after(first.from.max(add_months(p.child.date_of_birth, 24)), 30, 400);
    if start > cut || start >= eighteenth {
        return;
    }
    // Services end at 18 at the latest (the day before the birthday).
    let end = if draw.chance(0.15) { draw.after(start, 180, 1500) } else { eighteenth }.min(sub_days(eighteenth, 1));
    if end < history_from() {
        return;
    }
    out.care_services.push(CareServiceRow { person: index, service: "disabled_children_team", start, end: recorded_end(end, eighteenth) });
    let last = end.min(cut);
    if draw.chance(0.6) {
        let from = draw.after(start, 30, 365);
        if from < last {
            let to = if draw.chance(0.3) { draw.between(from, last) } else { end };
            out.care_services.push(CareServiceRow {
                person: index,
                service: "short_break",
                start: from,
                end: recorded_end(to, eighteenth),
            });
            let taken = out.looked_after.iter().rev().take_while(|r| r.person == index).any(|r| r.start == from);
            if !taken && draw.chance(0.15) {
                // An agreed series of short breaks, recorded as one looked-after agreement (V4).
                let agreement_end = add_days(from, draw.int(180, 365) as u64).min(to);
                out.looked_after.push(LookedAfterRow {
                    person: index,
                    start: from,
                    end: recorded_end(agreement_end, eighteenth),
                    legal_status: "V4",
                    placement: "childrens_home",
                    placement_la: Some(data.la),
                });
            }
        }
    }
    if draw.chance(0.25) {
        let from = draw.after(start, 60, 540);
        if from < last {
            out.care_services.push(CareServiceRow {
                person: index,
                service: "direct_payment",
                start: from,
                end: recorded_end(end, eighteenth),
            });
        }
    }
}

pub(crate) fn write(dataset: &str, data: &LaData, facts: &LaFacts, header: bool, w: &mut dyn Write) -> io::Result<()> {
    let s = &facts.social_care;
    let who = |person: usize| full_identity(data, &data.people[person], Some(&social_care_id(person)));
    match dataset {
        "cin" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},start_date,end_date,primary_need")?;
            }
            for r in &s.cin {
                writeln!(w, "{},{},{},{}", who(r.person), r.start, opt_date(r.end), r.need)?;
            }
        }
        "child-protection" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},start_date,end_date,category")?;
            }
            for r in &s.child_protection {
                writeln!(w, "{},{},{},{}", who(r.person), r.start, opt_date(r.end), r.category)?;
            }
        }
        "looked-after" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},start_date,end_date,legal_status,placement,placement_la")?;
            }
            for r in &s.looked_after {
                let la = r.placement_la.map(|l| l.to_string()).unwrap_or_default();
                writeln!(w, "{},{},{},{},{},{la}", who(r.person), r.start, opt_date(r.end), r.legal_status, r.placement)?;
            }
        }
        "care-services" => {
            if header {
                writeln!(w, "{FULL_IDENTITY},service,start_date,end_date")?;
            }
            for r in &s.care_services {
                writeln!(w, "{},{},{},{}", who(r.person), r.service, r.start, opt_date(r.end))?;
            }
        }
        other => return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("no social care dataset {other}"))),
    }
    Ok(())
}
