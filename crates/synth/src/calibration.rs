//! The calibration report: each figure the generator aims at, the value it generated, the tolerance, and
//! whether it is within. Figures are measured from the generated records with the product's own rules
//! (the statutory clock for timeliness), never taken from the generator's internals.

use crate::la::{Cohort, LaData, SettingKind};
use crate::profile::{LaProfile, Profile, FIRST_YEAR, LAST_YEAR};
use chrono::Datelike;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use waymark_domain::calendar::{age_on, date_in_year, days_between, Date};
use waymark_domain::case::CaseEventKind as E;
use waymark_domain::child::SenStatus;
use waymark_domain::clock::{evaluate, ClockEvent, ClockEventKind, ClockInput};
use waymark_domain::identifiers::SettingRef;
use waymark_domain::need::NeedCode;

/// One calibrated figure.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Figure {
    /// The LA's code, or "England" for the whole profile.
    pub scope: String,
    pub figure: String,
    pub target: f64,
    pub generated: f64,
    pub tolerance: f64,
    pub source: &'static str,
}

impl Figure {
    pub fn within(&self) -> bool {
        (self.generated - self.target).abs() <= self.tolerance
    }
}

/// Every figure for a generated profile.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    pub figures: Vec<Figure>,
}

impl Report {
    pub fn all_within(&self) -> bool {
        self.figures.iter().all(Figure::within)
    }
    pub fn outside(&self) -> Vec<&Figure> {
        self.figures.iter().filter(|f| !f.within()).collect()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<8} {:<44} {:>10} {:>10} {:>9}  {:<7} source", "scope", "figure", "target", "generated", "tolerance", "result")?;
        for r in &self.figures {
            writeln!(
                f,
                "{:<8} {:<44} {:>10.1} {:>10.1} {:>9.1}  {:<7} {}",
                r.scope,
                r.figure,
                r.target,
                r.generated,
                r.tolerance,
                if r.within() { "ok" } else { "OUTSIDE" },
                r.source
            )?;
        }
        let outside = self.outside().len();
        writeln!(f, "\n{} figures, {} within tolerance, {} outside.", self.figures.len(), self.figures.len() - outside, outside)
    }
}

/// Census days (SEN2 reference dates, sen2.md §1; 2019-2022 approximated as the third Thursday [U]).
fn census(year: i32) -> Date {
    let day = match year {
        2019 => 17,
        2025 => 16,
        2026 => 15,
        _ => 18,
    };
    date_in_year(year, 1, day).expect("January date")
}

/// Tolerance for a percentage from `n` cases: the allowed gap plus three standard errors.
fn pct_tolerance(gap: f64, p: f64, n: f64) -> f64 {
    let p = (p / 100.0).clamp(0.01, 0.99);
    gap + 300.0 * (p * (1.0 - p) / n.max(1.0)).sqrt()
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        100.0 * part / whole
    } else {
        0.0
    }
}

/// Measured facts of one LA's plans and requests.
#[derive(Default)]
struct Tally {
    caseload_2019: f64,
    caseload_2025: f64,
    new_plans: BTreeMap<i32, f64>,
    requests: BTreeMap<i32, f64>,
    refused: BTreeMap<i32, f64>,
    decided: BTreeMap<i32, (f64, f64)>,
    /// Plans issued in a year, excluding exception cases: (on time, all).
    timely: BTreeMap<i32, (f64, f64)>,
    mainstream: f64,
    special: f64,
    male: f64,
    needs: BTreeMap<NeedCode, f64>,
    ages: [f64; 5],
    fsm: BTreeMap<Cohort, (f64, f64)>,
    pupils: f64,
    pupils_support: f64,
}

fn clock_input_of(events: &[waymark_domain::case::CaseEvent]) -> Option<(Date, ClockInput)> {
    let received = events.iter().find_map(|e| matches!(e.kind, E::RequestReceived { .. }).then_some(e.date))?;
    let mut out = Vec::new();
    for e in events {
        let kind = match &e.kind {
            E::DecidedToAssess => ClockEventKind::DecidedToAssess,
            E::DecidedNotToAssess => ClockEventKind::DecidedNotToAssess,
            E::ExceptionStarted { reason, party } => ClockEventKind::ExceptionStarted { reason: *reason, party: *party },
            E::ExceptionEnded { reason, party } => ClockEventKind::ExceptionEnded { reason: *reason, party: *party },
            E::FinalIssued { .. } => ClockEventKind::FinalIssued,
            _ => continue,
        };
        out.push(ClockEvent { date: e.date, kind });
    }
    Some((received, ClockInput { received: Some(received), received_unknown: false, events: out }))
}

fn tally(data: &LaData) -> Tally {
    let mut t = Tally::default();
    let kinds: HashMap<&SettingRef, SettingKind> = data.settings.iter().map(|s| (&s.setting, s.kind)).collect();
    let (c2019, c2025) = (census(2019), census(2025));
    for p in &data.people {
        let fsm = t.fsm.entry(p.cohort).or_default();
        fsm.1 += 1.0;
        if p.free_school_meals {
            fsm.0 += 1.0;
        }
        for (_, events) in &p.cases {
            let start = events.iter().find_map(|e| matches!(e.kind, E::FinalIssued { .. } | E::ExistingPlan { .. }).then_some(e.date));
            let ended = events.iter().find_map(|e| matches!(e.kind, E::Ceased { .. } | E::TransferredOut { .. }).then_some(e.date));
            let in_force = |on: Date| start.is_some_and(|s| s <= on) && ended.is_none_or(|c| c > on);
            if in_force(c2019) {
                t.caseload_2019 += 1.0;
            }
            if in_force(c2025) {
                t.caseload_2025 += 1.0;
                if p.child.sex == waymark_domain::child::Sex::Male {
                    t.male += 1.0;
                }
                if let Some(n) = p.child.needs_on(c2025).primary() {
                    *t.needs.entry(n).or_default() += 1.0;
                }
                let age = age_on(p.child.date_of_birth, c2025);
                t.ages[match age {
                    ..=4 => 0,
                    5..=10 => 1,
                    11..=15 => 2,
                    16..=19 => 3,
                    _ => 4,
                }] += 1.0;
                match p.placements.iter().rev().find(|pl| pl.attending_on(c2025)).and_then(|pl| kinds.get(&pl.setting)) {
                    Some(SettingKind::Primary | SettingKind::Secondary) => t.mainstream += 1.0,
                    Some(SettingKind::Special | SettingKind::IndependentSpecial) => t.special += 1.0,
                    _ => {}
                }
            }
            if let Some(s) = events.iter().find_map(|e| matches!(e.kind, E::FinalIssued { .. }).then_some(e.date)) {
                *t.new_plans.entry(s.year()).or_default() += 1.0;
            }
            if let Some((received, input)) = clock_input_of(events) {
                let year = received.year();
                *t.requests.entry(year).or_default() += 1.0;
                if events.iter().any(|e| matches!(e.kind, E::DecidedNotToAssess)) {
                    *t.refused.entry(year).or_default() += 1.0;
                }
                if let Some(d) = events.iter().find(|e| matches!(e.kind, E::DecidedToAssess | E::DecidedNotToAssess)) {
                    let entry = t.decided.entry(year).or_default();
                    entry.1 += 1.0;
                    if days_between(received, d.date) <= 42 {
                        entry.0 += 1.0;
                    }
                }
                // 20-week timeliness as DfE counts it: plans issued in the year, exception cases left out.
                if let Ok(report) = evaluate(&input, crate::la::as_of()) {
                    if let (Some(step), Some(false)) = (report.steps.iter().find(|s| s.step == "final_plan"), report.week20_exception) {
                        if let Some(done) = step.done {
                            let entry = t.timely.entry(done.year()).or_default();
                            entry.1 += 1.0;
                            if report.within_20_weeks == Some(true) {
                                entry.0 += 1.0;
                            }
                        }
                    }
                }
            }
        }
        // The January 2026 school census population: pupils of school age in a school or on its roll.
        let age = age_on(p.child.date_of_birth, census(2026));
        if p.cohort != Cohort::PlanHolder && p.cohort != Cohort::Requested && (4..=18).contains(&age) {
            t.pupils += 1.0;
            if p.child.sen_status_on(census(2026)) == SenStatus::SenSupport {
                t.pupils_support += 1.0;
            }
        }
    }
    t
}

/// Measure every calibrated figure of a generated profile.
pub fn report(profile: &Profile, data: &[LaData]) -> Report {
    let mut out = Report::default();
    let mut national = Tally::default();
    for (la, d) in profile.las.iter().zip(data) {
        let t = tally(d);
        la_figures(la, &t, &mut out.figures);
        national.caseload_2025 += t.caseload_2025;
        for (y, (a, b)) in &t.decided {
            let e = national.decided.entry(*y).or_default();
            e.0 += a;
            e.1 += b;
        }
        national.male += t.male;
        for (n, c) in &t.needs {
            *national.needs.entry(*n).or_default() += c;
        }
        for i in 0..5 {
            national.ages[i] += t.ages[i];
        }
        for (c, (a, b)) in &t.fsm {
            let e = national.fsm.entry(*c).or_default();
            e.0 += a;
            e.1 += b;
        }
    }
    let n = national.caseload_2025;
    let scope = "England".to_string();
    let mut add = |figure: String, target: f64, generated: f64, tolerance: f64, source: &'static str| {
        out.figures.push(Figure { scope: scope.clone(), figure, target, generated, tolerance, source })
    };
    // A national figure: LAs that issue plans on time also decide quickly, so it is not an LA target.
    let (within6, decided) = national.decided.get(&2024).copied().unwrap_or_default();
    add("% of 2024 request decisions within 6 weeks".into(), 84.8, pct(within6, decided), pct_tolerance(2.0, 84.8, decided), "§1a");
    add("% of plans held by boys, Jan 2025".into(), 70.6, pct(national.male, n), pct_tolerance(3.0, 70.6, n), "§1b");
    for (need, target) in [(NeedCode::Asd, 31.5), (NeedCode::Slcn, 21.3), (NeedCode::Semh, 20.7), (NeedCode::Mld, 10.6)] {
        let got = pct(national.needs.get(&need).copied().unwrap_or(0.0), n);
        add(format!("% of plans with primary need {need}, Jan 2025"), target, got, pct_tolerance(4.0, target, n), "§1c");
    }
    for (i, (band, target)) in [("under 5", 4.3), ("5-10", 33.3), ("11-15", 36.5), ("16-19", 20.0), ("20-25", 5.8)].into_iter().enumerate()
    {
        add(format!("% of plans aged {band}, Jan 2025"), target, pct(national.ages[i], n), pct_tolerance(4.0, target, n), "§1b");
    }
    for (cohort, label, target) in
        [(Cohort::PlanHolder, "EHC plan", 43.8), (Cohort::SenSupport, "SEN support", 39.3), (Cohort::NoSen, "no SEN", 22.2)]
    {
        let (a, b) = national.fsm.get(&cohort).copied().unwrap_or_default();
        add(format!("% eligible for free school meals: {label}"), target, pct(a, b), pct_tolerance(2.0, target, b), "§2e");
    }
    out
}

fn la_figures(la: &LaProfile, t: &Tally, out: &mut Vec<Figure>) {
    let scope = la.code.to_string();
    let mut add = |figure: String, target: f64, generated: f64, tolerance: f64, source: &'static str| {
        out.push(Figure { scope: scope.clone(), figure, target, generated, tolerance, source })
    };
    let c25 = f64::from(la.plans_2025);
    // Ceasing is drawn at random each year to follow the path, so the count carries Poisson-like noise.
    add("EHC plans in force, census Jan 2025".into(), c25, t.caseload_2025, (c25 * 0.02).max(3.0 * (0.1 * c25).sqrt()), "§3d/§3c");
    let c19 = f64::from(la.plans_2019);
    add("EHC plans in force, census Jan 2019".into(), c19, t.caseload_2019, (c19 * 0.03).max(3.0 * (0.1 * c19).sqrt()), "§3d/§3c");
    let new_target = la.new_plans_2024.map_or(la.new_plans_target(2024), f64::from);
    let new_got = t.new_plans.get(&2024).copied().unwrap_or(0.0);
    // 10% for the model's lag between request and issue, plus three standard errors of a count.
    add(
        "new plans issued in 2024".into(),
        new_target,
        new_got,
        new_target * 0.10 + 3.0 * new_target.sqrt(),
        "§3d (model where unpublished)",
    );
    let req_got = t.requests.get(&2024).copied().unwrap_or(0.0);
    if let Some(r) = la.requests_2024 {
        add("requests received in 2024".into(), f64::from(r), req_got, f64::from(r) * 0.25 + 6.0, "§3d");
    }
    let refused = pct(t.refused.get(&2024).copied().unwrap_or(0.0), req_got);
    add("% of 2024 requests refused".into(), la.refusal_pct, refused, pct_tolerance(2.0, la.refusal_pct, req_got), "§3d/§3b");
    for year in FIRST_YEAR..=LAST_YEAR {
        let target = la.timeliness[(year - FIRST_YEAR) as usize];
        let (on_time, all) = t.timely.get(&year).copied().unwrap_or_default();
        if all > 0.0 {
            add(
                format!("% of {year} plans within 20 weeks, excl. exceptions"),
                target,
                pct(on_time, all),
                pct_tolerance(4.0, target, all),
                "§3a/§3d",
            );
        }
    }
    let placed = t.caseload_2025;
    add(
        "% of plans in mainstream, Jan 2025".into(),
        la.mainstream_pct,
        pct(t.mainstream, placed),
        pct_tolerance(7.0, la.mainstream_pct, placed),
        "§3d/§3b",
    );
    add(
        "% of plans in special schools, Jan 2025".into(),
        la.special_pct,
        pct(t.special, placed),
        pct_tolerance(7.0, la.special_pct, placed),
        "§3d/§3b",
    );
    let support_share = la.sen_support_pct / (100.0 - la.ehcp_pct) * 100.0;
    add(
        "% of pupils without a plan on SEN support".into(),
        support_share,
        pct(t.pupils_support, t.pupils),
        pct_tolerance(1.5, support_share, t.pupils),
        "§3d/§2a",
    );
}

/// Every calibrated figure, including those measured from the person-level facts.
pub fn report_with_facts(profile: &Profile, data: &[LaData], facts: &[crate::facts::LaFacts]) -> Report {
    let mut out = report(profile, data);
    out.figures.extend(facts_figures(facts));
    out
}

/// Figures measured from the facts by SEN status on the year's January census (England scope):
/// absence with the domain's own arithmetic ([`AbsenceTotals`]), exclusions, and results.
pub fn facts_figures(facts: &[crate::facts::LaFacts]) -> Vec<Figure> {
    use waymark_domain::facts::school::AbsenceTotals;
    let statuses = [(SenStatus::EhcPlan, "EHC plan"), (SenStatus::SenSupport, "SEN support"), (SenStatus::NoSen, "no SEN")];
    let mut out = Vec::new();
    let mut add = |figure: String, target: f64, generated: f64, tolerance: f64, source: &'static str| {
        out.push(Figure { scope: "England".into(), figure, target, generated, tolerance, source })
    };
    for (status, label) in statuses {
        // Absence, 2024/25 (§2g: overall and persistent from the autumn term, severe from the full year).
        let rows: Vec<AbsenceTotals> = facts
            .iter()
            .flat_map(|f| &f.attendance)
            .filter(|r| r.year == 2024 && r.status == status)
            .map(|r| AbsenceTotals { possible: r.possible, authorised: r.authorised, unauthorised: r.unauthorised })
            .collect();
        let n = rows.len() as f64;
        let (possible, absent) = rows.iter().fold((0.0, 0.0), |(p, a), t| (p + f64::from(t.possible), a + f64::from(t.absent())));
        let (overall, persistent, severe) = match status {
            SenStatus::EhcPlan => (13.1, 35.1, Some(6.8)),
            SenStatus::SenSupport => (10.1, 29.0, Some(4.4)),
            SenStatus::NoSen => (5.8, 17.0, None),
        };
        // A pupil's absence varies by about 12 points around the mean [U]: three standard errors plus 1 point.
        add(format!("overall absence % 2024/25: {label}"), overall, pct(absent, possible), 1.0 + 36.0 / n.max(1.0).sqrt(), "§2g");
        let pa = rows.iter().filter(|t| t.is_persistent()).count() as f64;
        add(format!("% persistently absent 2024/25: {label}"), persistent, pct(pa, n), pct_tolerance(2.0, persistent, n), "§2g");
        if let Some(target) = severe {
            let sa = rows.iter().filter(|t| t.is_severe()).count() as f64;
            add(format!("% severely absent 2024/25: {label}"), target, pct(sa, n), pct_tolerance(1.0, target, n), "§2g");
        }
        // Suspensions and permanent exclusions per 100 pupils, 2023/24 (§2h, derived rates).
        let pupils = facts.iter().flat_map(|f| &f.attendance).filter(|r| r.year == 2023 && r.status == status).count() as f64;
        let of = |permanent: bool| {
            facts.iter().flat_map(|f| &f.exclusions).filter(|r| r.year == 2023 && r.status == status && r.permanent == permanent).count()
                as f64
        };
        let (sus_target, pex_target) = match status {
            SenStatus::EhcPlan => (25.0, 0.26),
            SenStatus::SenSupport => (29.0, 0.41),
            SenStatus::NoSen => (7.5, 0.075),
        };
        let per100 = |count: f64| if pupils > 0.0 { 100.0 * count / pupils } else { 0.0 };
        // Suspensions cluster on few pupils (about 2.5 each [U]), so the count varies about 2.5 times a Poisson's.
        let sus_tol = 0.1 * sus_target + 300.0 * (2.5 * sus_target / 100.0 * pupils).sqrt() / pupils.max(1.0);
        add(format!("suspensions per 100 pupils 2023/24: {label}"), sus_target, per100(of(false)), sus_tol, "§2h");
        // Permanent exclusions are rare (a fraction of one a year among a small LA's plan holders): a
        // count is whole, so the tolerance allows one exclusion beyond three standard errors.
        let pex_tol = 0.1 * pex_target + (300.0 * (pex_target / 100.0 * pupils).sqrt() + 100.0) / pupils.max(1.0);
        add(format!("permanent exclusions per 100 pupils 2023/24: {label}"), pex_target, per100(of(true)), pex_tol, "§2h");
        // Results, both years together (§2i, 2025).
        let ks2: Vec<bool> = facts.iter().flat_map(|f| &f.ks2).filter(|r| r.status == status).map(|r| r.rwm_expected()).collect();
        let (ks2_target, a8_target) = match status {
            SenStatus::EhcPlan => (9.0, 14.8),
            SenStatus::SenSupport => (29.0, 33.8),
            SenStatus::NoSen => (74.0, 50.2),
        };
        let k = ks2.len() as f64;
        let met = ks2.iter().filter(|m| **m).count() as f64;
        add(
            format!("% KS2 reading, writing and maths expected: {label}"),
            ks2_target,
            pct(met, k),
            pct_tolerance(2.0, ks2_target, k),
            "§2i",
        );
        let a8: Vec<f64> =
            facts.iter().flat_map(|f| &f.ks4).filter(|r| r.status == status).map(|r| f64::from(r.attainment8) / 100.0).collect();
        let m = a8.len() as f64;
        let mean = if m > 0.0 { a8.iter().sum::<f64>() / m } else { 0.0 };
        // Scores spread evenly over the mean +/- 20 points: a standard deviation of about 11.5.
        add(format!("mean Attainment 8: {label}"), a8_target, mean, 1.5 + 3.0 * 11.6 / m.max(1.0).sqrt(), "§2i");
        // Free school meals on the January 2025 census (§2e), as the census rows record them.
        let (fsm, on_census) = facts
            .iter()
            .flat_map(|f| &f.census)
            .filter(|r| r.year == 2024 && r.status == status)
            .fold((0.0, 0.0), |(y, n), r| (y + f64::from(u8::from(r.fsm)), n + 1.0));
        let target = match status {
            SenStatus::EhcPlan => 43.8,
            SenStatus::SenSupport => 39.3,
            SenStatus::NoSen => 22.2,
        };
        add(
            format!("% FSM eligible on the Jan 2025 census: {label}"),
            target,
            pct(fsm, on_census),
            pct_tolerance(2.0, target, on_census),
            "§2e",
        );
        // Results whose targets the reference lacks: EYFSP and phonics ([U] assumed, facts/education.rs).
        let share = |rows: Vec<bool>| (rows.iter().filter(|b| **b).count() as f64, rows.len() as f64);
        let (gld, n) = share(facts.iter().flat_map(|f| &f.education.eyfsp).filter(|r| r.status == status).map(|r| r.good_level).collect());
        let target = crate::facts::education::gld_target(status);
        add(format!("% EYFSP good level of development: {label}"), target, pct(gld, n), pct_tolerance(2.0, target, n), "[U] assumed");
        let (met, n) = share(
            facts.iter().flat_map(|f| &f.education.phonics).filter(|r| r.status == status && r.year_group == 1).map(|r| r.met).collect(),
        );
        let target = crate::facts::education::phonics_target(status);
        add(
            format!("% meeting the phonics standard in year 1: {label}"),
            target,
            pct(met, n),
            pct_tolerance(2.0, target, n),
            "[U] assumed",
        );
        // Level 3 by 19 (§2i, 2024), by SEN status in year 11. Only plan holders and those who asked
        // for an assessment are generated past 18, so a status with few young people is left out.
        let (l3, n) = share(facts.iter().flat_map(|f| &f.education.level_by_19).filter(|r| r.status == status).map(|r| r.level3).collect());
        if n >= 30.0 {
            let target = crate::facts::education::level_targets(status).0;
            add(format!("% qualified to level 3 by 19: {label}"), target, pct(l3, n), pct_tolerance(2.0, target, n), "§2i");
        }
        // NEET at 16-17, December 2025 ([U] assumed, facts/post16.rs).
        let (neet, n) = share(
            facts
                .iter()
                .flat_map(|f| &f.post16.activity)
                .filter(|r| r.month == (2025, 12) && (16..=17).contains(&r.academic_age) && r.status == status)
                .map(|r| r.is_neet())
                .collect(),
        );
        let target = crate::facts::post16::neet_target(status);
        add(format!("% of 16-17 year olds NEET, Dec 2025: {label}"), target, pct(neet, n), pct_tolerance(1.5, target, n), "[U] assumed");
    }
    out.extend(social_care_figures(facts));
    out
}

/// The social care overlap (§2f): of the pupils on the January 2024 census who were in need, on a
/// child protection plan, or looked after (excluding short breaks) on 31 March 2024, the shares with
/// an EHC plan and on SEN support.
fn social_care_figures(facts: &[crate::facts::LaFacts]) -> Vec<Figure> {
    use crate::facts::social_care::{overlap_day, overlap_targets, OVERLAP_YEAR};
    use std::collections::HashSet;
    let day = overlap_day();
    let open = |start: Date, end: Option<Date>| start <= day && end.is_none_or(|e| e >= day);
    let mut counts = [[0.0f64; 3]; 3];
    for f in facts {
        let sc = &f.social_care;
        let states: [HashSet<usize>; 3] = [
            sc.cin.iter().filter(|r| open(r.start, r.end)).map(|r| r.person).collect(),
            sc.child_protection.iter().filter(|r| open(r.start, r.end)).map(|r| r.person).collect(),
            sc.looked_after.iter().filter(|r| r.counts_as_looked_after() && open(r.start, r.end)).map(|r| r.person).collect(),
        ];
        for r in f.census.iter().filter(|r| r.year == OVERLAP_YEAR) {
            let s = match r.status {
                SenStatus::EhcPlan => 0,
                SenStatus::SenSupport => 1,
                SenStatus::NoSen => 2,
            };
            for (i, set) in states.iter().enumerate() {
                if set.contains(&r.person) {
                    counts[i][s] += 1.0;
                }
            }
        }
    }
    let mut out = Vec::new();
    for (i, (what, ehcp, support)) in overlap_targets().into_iter().enumerate() {
        let n: f64 = counts[i].iter().sum();
        for (label, target, got) in [("EHC plan", ehcp, counts[i][0]), ("SEN support", support, counts[i][1])] {
            out.push(Figure {
                scope: "England".into(),
                figure: format!("% of pupils {what}, 31 Mar 2024, with {label}"),
                target,
                generated: pct(got, n),
                tolerance: pct_tolerance(2.0, target, n),
                source: "§2f",
            });
        }
    }
    out
}
