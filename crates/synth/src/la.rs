//! One local authority's synthetic population: settings, children and young people 0-25, and the EHC
//! casework of seven years, simulated as flows calibrated to the LA's profile.
//!
//! The model, year by year from 2019 to 2025:
//! - a stock of plans in force on 1 January 2019, with their start dates and reviews;
//! - requests received each year, sized to give the year's new plans; each refused, withdrawn, assessed
//!   then not issued, or issued after a duration drawn from the LA's 20-week timeliness that year, with
//!   advice from each party (late advice-givers chosen by weight), exceptions, drafts and finals;
//! - plans ceased each year so the caseload follows the LA's path from January 2019 to January 2025;
//! - annual reviews, amendments, phase transfers, placements by phase, mediation and appeals;
//! - pupils on SEN support and with no SEN, for the school census population.
//!
//! Every case history is replayed through the domain lifecycle before it is emitted.

use crate::names::{BOYS, GIRLS, SURNAMES};
use crate::profile::{LaProfile, AS_OF, FIRST_YEAR, LAST_YEAR};
use crate::rng::Draw;
use chrono::Datelike;
use std::collections::BTreeMap;
use waymark_domain::calendar::{add_days, add_months, age_on, date_in_year, days_between, sub_days, Date};
use waymark_domain::case::{
    AdviceParty, AppealableDecision, Case, CaseEvent, CaseEventKind as E, CeaseReason, ExceptionReason, Requester, ReviewOutcome,
    TransferKind,
};
use waymark_domain::child::{Child, NewChild, PersonName, SenStatus, Sex};
use waymark_domain::identifiers::{Ethnicity, LaCode, NhsNumber, Postcode, SettingCode, SettingRef, Ukprn, Uln, Upn, Urn};
use waymark_domain::ids::{CaseId, ChildId};
use waymark_domain::need::{NeedCode, RankedNeeds};
use waymark_domain::placement::Placement;
use waymark_domain::plan::{DirectPayment, NamedSetting, PersonalBudget, PlanContents, Residential, WorkBased};

/// What kind of person a record is, for summaries and calibration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cohort {
    /// Holds or held an EHC plan.
    PlanHolder,
    /// Asked for an assessment but has no plan (refused, withdrawn, not issued, or still in progress).
    Requested,
    SenSupport,
    NoSen,
}

/// A setting in the LA's reference data.
#[derive(Debug, Clone)]
pub struct SynthSetting {
    pub setting: SettingRef,
    /// DfE establishment number (the 4 digits after the LA in a UPN); 0 for post-16 providers.
    pub estab: u16,
    pub name: String,
    pub kind: SettingKind,
    pub la: LaCode,
    pub locality: usize,
    pub sen_unit: bool,
    pub resourced_provision: bool,
    pub capacity: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SettingKind {
    Primary,
    Secondary,
    Special,
    IndependentSpecial,
    AlternativeProvision,
    FurtherEducation,
}

impl SettingKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Secondary => "secondary",
            Self::Special => "special",
            Self::IndependentSpecial => "independent special",
            Self::AlternativeProvision => "alternative provision",
            Self::FurtherEducation => "further education",
        }
    }
}

/// One generated person with everything the store and the returns need.
#[derive(Debug, Clone)]
pub struct SynthPerson {
    pub child: Child,
    pub cohort: Cohort,
    pub locality: usize,
    pub free_school_meals: bool,
    /// Each case as its id and dated events, in order, already checked by the lifecycle.
    pub cases: Vec<(CaseId, Vec<CaseEvent>)>,
    pub placements: Vec<Placement>,
}

/// An LA's generated data.
#[derive(Debug, Clone)]
pub struct LaData {
    pub la: LaCode,
    pub settings: Vec<SynthSetting>,
    pub people: Vec<SynthPerson>,
    /// Case histories the lifecycle refused (a generator fault; reported, never silently dropped).
    pub refused_cases: usize,
}

pub fn as_of() -> Date {
    date_in_year(AS_OF.0, AS_OF.1, AS_OF.2).expect("valid date")
}

fn jan1(year: i32) -> Date {
    date_in_year(year, 1, 1).expect("1 January")
}

fn sep(year: i32, day: u32) -> Date {
    date_in_year(year, 9, day).expect("September day")
}

fn jul(year: i32, day: u32) -> Date {
    date_in_year(year, 7, day).expect("July day")
}

/// The calendar year a child born on `dob` starts Reception (the September after their 4th birthday).
pub fn reception_year(dob: Date) -> i32 {
    dob.year() + if dob.month() >= 9 { 5 } else { 4 }
}

/// Share of requests refused, withdrawn, and (of those assessed) not issued: §1a.
const WITHDRAWN: f64 = 0.016;
const NOT_ISSUED: f64 = 0.06;
/// Share of plans with a reg 13(3) exception [U: DfE 2019 implies about 7%].
const EXCEPTION_SHARE: f64 = 0.07;

/// Primary needs of new plans, 2024 (§1c), and of all plans (for the 2019 stock).
const NEW_PLAN_NEEDS: &[(NeedCode, f64)] = &[
    (NeedCode::Asd, 27.5),
    (NeedCode::Slcn, 27.7),
    (NeedCode::Semh, 26.3),
    (NeedCode::Mld, 7.5),
    (NeedCode::Sld, 1.3),
    (NeedCode::Pd, 2.3),
    (NeedCode::Spld, 2.3),
    (NeedCode::Hi, 0.7),
    (NeedCode::Pmld, 0.6),
    (NeedCode::Oth, 1.2),
    (NeedCode::Vi, 0.5),
    (NeedCode::Msi, 0.2),
];
const ALL_PLAN_NEEDS: &[(NeedCode, f64)] = &[
    (NeedCode::Asd, 31.5),
    (NeedCode::Slcn, 21.3),
    (NeedCode::Semh, 20.7),
    (NeedCode::Mld, 10.6),
    (NeedCode::Sld, 4.0),
    (NeedCode::Pd, 3.9),
    (NeedCode::Spld, 2.3),
    (NeedCode::Hi, 1.4),
    (NeedCode::Pmld, 1.3),
    (NeedCode::Oth, 1.2),
    (NeedCode::Vi, 0.8),
    (NeedCode::Msi, 0.3),
];
/// SEN support primary needs, 2023/24 (§2c).
const SUPPORT_NEEDS: &[(NeedCode, f64)] = &[
    (NeedCode::Slcn, 25.6),
    (NeedCode::Semh, 22.3),
    (NeedCode::Mld, 15.8),
    (NeedCode::Spld, 13.9),
    (NeedCode::Asd, 9.2),
    (NeedCode::Nsa, 4.7),
    (NeedCode::Oth, 3.7),
    (NeedCode::Pd, 1.9),
    (NeedCode::Hi, 1.5),
    (NeedCode::Vi, 0.9),
    (NeedCode::Msi, 0.3),
    (NeedCode::Sld, 0.2),
    (NeedCode::Pmld, 0.1),
];
/// Ethnicity of plan holders, January 2025 (§1b; the smaller groups spread [U]).
const ETHNICITY: &[(&str, f64)] = &[
    ("WBRI", 64.9),
    ("NOBT", 4.0),
    ("REFU", 3.7),
    ("WOTH", 4.3),
    ("BAFR", 3.7),
    ("APKN", 3.4),
    ("MWBC", 2.0),
    ("AIND", 1.8),
    ("ABAN", 1.5),
    ("MOTH", 1.8),
    ("AOTH", 1.5),
    ("BCRB", 1.0),
    ("MWBA", 0.9),
    ("MWAS", 1.0),
    ("OOTH", 1.5),
    ("BOTH", 0.6),
    ("WROM", 0.5),
    ("CHNE", 0.4),
    ("WIRI", 0.3),
    ("WIRT", 0.1),
];

/// Age bands of the January 2019 caseload (§1b): (youngest, oldest, share).
const STOCK_AGES: &[((i64, i64), f64)] = &[((2, 4), 4.0), ((5, 10), 33.1), ((11, 15), 35.7), ((16, 19), 21.9), ((20, 24), 5.3)];
/// Age at the start of new plans by year (§1b: 2021, 2022, 2023, 2024; 2019-2020 as 2021, 2025 as 2024 [U]).
fn new_plan_ages(year: i32) -> [((i64, i64), f64); 5] {
    let shares = match year {
        ..=2021 => [23.2, 46.2, 25.5, 4.8, 0.3],
        2022 => [18.3, 48.6, 27.0, 5.9, 0.2],
        2023 => [18.4, 48.1, 27.4, 5.8, 0.3],
        _ => [15.9, 49.3, 28.2, 6.2, 0.3],
    };
    [((2, 4), shares[0]), ((5, 10), shares[1]), ((11, 15), shares[2]), ((16, 19), shares[3]), ((20, 24), shares[4])]
}

struct Gen<'a> {
    la: &'a LaProfile,
    draw: Draw,
    as_of: Date,
    settings: Vec<SynthSetting>,
    people: Vec<SynthPerson>,
    upn_serials: BTreeMap<(u16, i32), u16>,
    next_number: u64,
    refused_cases: usize,
}

/// A plan being simulated, before its reviews and placements are added.
struct PlanDraft {
    person: usize,
    case_id: CaseId,
    start: Date,
    /// Assessment events (or the existing-plan event), in order.
    events: Vec<CaseEvent>,
    ceased: Option<(Date, CeaseReason)>,
}

/// Generate one LA. Deterministic for a given seed.
pub fn generate_la(la: &LaProfile, seed: u64) -> LaData {
    let mut g = Gen {
        la,
        draw: Draw::new(seed, la.code.number(), 1),
        as_of: as_of(),
        settings: Vec::new(),
        people: Vec::new(),
        upn_serials: BTreeMap::new(),
        next_number: 0,
        refused_cases: 0,
    };
    g.make_settings();
    let mut plans = Vec::new();
    g.requests(&mut plans);
    let issued_by_census = plans.iter().filter(|p| p.start < jan1(FIRST_YEAR)).count() as u32;
    let mut stock = g.plan_stock(la.plans_2019.saturating_sub(issued_by_census));
    stock.append(&mut plans);
    let mut plans = stock;
    g.cease(&mut plans);
    g.finish_plans(plans);
    g.school_population();
    LaData { la: la.code, settings: g.settings, people: g.people, refused_cases: g.refused_cases }
}

impl Gen<'_> {
    fn caseload_target(&self, year: i32) -> f64 {
        self.la.caseload_target(year)
    }

    fn new_plans_target(&self, year: i32) -> f64 {
        self.la.new_plans_target(year)
    }

    fn year_index(year: i32) -> usize {
        (year.clamp(FIRST_YEAR, LAST_YEAR) - FIRST_YEAR) as usize
    }

    fn pupils(&self) -> f64 {
        // EHC plan holders in schools are about 75.6% of all plans (§2a 482,640 of §1a 638,745).
        f64::from(self.la.plans_2025) * 0.756 / (self.la.ehcp_pct / 100.0)
    }

    // ---- reference data -------------------------------------------------------------------------------

    fn make_settings(&mut self) {
        let pupils = self.pupils();
        let code = self.la.code;
        let n_localities = self.la.localities.len().max(1);
        let counts = [
            (SettingKind::Primary, (pupils * 0.55 / 300.0).ceil() as u32, 2000u16, 300u32),
            (SettingKind::Secondary, (pupils * 0.45 / 1000.0).ceil() as u32, 4000, 1000),
            (SettingKind::Special, (f64::from(self.la.plans_2025) * self.la.special_pct / 100.0 * 0.85 / 120.0).ceil() as u32, 7000, 120),
            (
                SettingKind::IndependentSpecial,
                (f64::from(self.la.plans_2025) * self.la.special_pct / 100.0 * 0.15 / 60.0).ceil() as u32,
                6000,
                60,
            ),
            (SettingKind::AlternativeProvision, 1 + (pupils / 60_000.0) as u32, 1100, 80),
            (SettingKind::FurtherEducation, 1 + (pupils / 50_000.0) as u32, 0, 2000),
        ];
        let mut n = 0u32;
        for (kind, count, estab_base, capacity) in counts {
            for i in 0..count.min(900) {
                n += 1;
                let urn_number = u32::from(code.number()) * 1000 + n;
                let setting = if kind == SettingKind::FurtherEducation {
                    SettingRef::Ukprn(format!("1{:03}{:04}", code.number(), i + 1).parse::<Ukprn>().expect("8 digits from 1"))
                } else {
                    SettingRef::Urn(urn_number.to_string().parse::<Urn>().expect("6 digits"))
                };
                let mainstream = matches!(kind, SettingKind::Primary | SettingKind::Secondary);
                // Invented names, one of a kind per LA (a place word, a second word past the first
                // round, a number past both): nothing here names a real school.
                let place = crate::names::setting_place(i as usize);
                let name = match kind {
                    SettingKind::Primary => format!("{place} Primary School"),
                    SettingKind::Secondary => format!("{place} Academy"),
                    SettingKind::Special => format!("{place} Special School"),
                    SettingKind::IndependentSpecial => format!("{place} Independent Specialist School"),
                    SettingKind::AlternativeProvision => format!("{place} Learning Centre"),
                    SettingKind::FurtherEducation => format!("{place} College, {}", self.la.name),
                };
                self.settings.push(SynthSetting {
                    setting,
                    estab: if estab_base == 0 { 0 } else { estab_base + i as u16 },
                    name,
                    kind,
                    la: code,
                    locality: i as usize % n_localities,
                    // 514 SEN units and 1,309 resourced provisions across about 20,000 schools (§2a): ~3% and ~7%.
                    sen_unit: mainstream && self.draw.chance(0.03),
                    resourced_provision: mainstream && self.draw.chance(0.07),
                    capacity,
                });
            }
        }
    }

    fn settings_of(&self, kind: SettingKind) -> Vec<usize> {
        self.settings.iter().enumerate().filter(|(_, s)| s.kind == kind).map(|(i, _)| i).collect()
    }

    /// A setting of a kind, preferring the child's locality.
    fn choose_setting(&mut self, kind: SettingKind, locality: usize) -> usize {
        let all = self.settings_of(kind);
        let local: Vec<usize> = all.iter().copied().filter(|&i| self.settings[i].locality == locality).collect();
        let pool = if !local.is_empty() && self.draw.chance(0.85) { local } else { all };
        *self.draw.pick(&pool)
    }

    // ---- people ---------------------------------------------------------------------------------------

    fn number(&mut self) -> u64 {
        self.next_number += 1;
        self.next_number
    }

    fn nhs_number(&mut self) -> Option<NhsNumber> {
        loop {
            let stem = format!("{:09}", u64::from(self.la.code.number()) * 1_000_000 + self.number() % 1_000_000);
            if let Some(n) = NhsNumber::from_stem(&stem) {
                return Some(n);
            }
        }
    }

    fn uln(&mut self) -> Option<Uln> {
        let base = u64::from(self.la.code.number()) * 1_000_000 + if self.la.code.number() < 100 { 500_000_000 } else { 0 };
        loop {
            let stem = format!("{:09}", base + self.number() % 1_000_000);
            if let Some(u) = Uln::from_stem(&stem) {
                return Some(u);
            }
        }
    }

    /// A UPN allocated by a school in the year the child started there.
    fn upn(&mut self, estab: u16, year: i32) -> Option<Upn> {
        for attempt in 0..20u16 {
            let key = (estab + attempt, year);
            let serial = self.upn_serials.entry(key).or_insert(0);
            if *serial < 999 {
                *serial += 1;
                let body = format!("{:03}{:04}{:02}{:03}", self.la.code.number(), key.0 % 10_000, year.rem_euclid(100), *serial);
                return Upn::from_body(&body).ok();
            }
        }
        None
    }

    fn postcode(&mut self, locality: usize) -> Option<Postcode> {
        const L: &[u8] = crate::geo::UNIT_LETTERS;
        let inward =
            format!("{}{}{}", self.draw.int(1, 9), L[self.draw.int(0, 19) as usize] as char, L[self.draw.int(0, 19) as usize] as char);
        format!("{}{} {}", self.la.postcode_area, locality % 9 + 1, inward).parse().ok()
    }

    fn needs(&mut self, table: &[(NeedCode, f64)]) -> RankedNeeds {
        let primary = self.draw.weighted(table);
        let secondary = if primary != NeedCode::Nsa && self.draw.chance(0.45) {
            let others: Vec<(NeedCode, f64)> = table.iter().copied().filter(|(n, _)| *n != primary && *n != NeedCode::Nsa).collect();
            Some(self.draw.weighted(&others))
        } else {
            None
        };
        RankedNeeds::new(Some(primary), secondary).expect("distinct needs without NSA pairs")
    }

    /// A new person born `dob`, recorded on `made` (on which they must be 0-25).
    fn person(&mut self, dob: Date, made: Date, male_share: f64, cohort: Cohort, fsm: f64) -> usize {
        let sex = if self.draw.chance(male_share) { Sex::Male } else { Sex::Female };
        let forename = *self.draw.pick(if sex == Sex::Male { BOYS } else { GIRLS });
        let surname = *self.draw.pick(SURNAMES);
        let locality = self.draw.int(0, self.la.localities.len().max(1) as i64 - 1) as usize;
        let ethnicity: Ethnicity = self.draw.weighted(ETHNICITY).parse().expect("listed CBDS codes");
        let postcode = self.postcode(locality);
        let id = ChildId::from_uuid(self.draw.uuid());
        let nhs_number = self.nhs_number();
        let uln = if age_on(dob, self.as_of) >= 14 { self.uln() } else { None };
        let new = NewChild {
            name: PersonName::new(forename, surname).expect("names are not blank"),
            date_of_birth: dob,
            sex,
            ethnicity: Some(ethnicity),
            postcode,
            upn: None,
            uln,
            nhs_number,
            responsible_la: self.la.code,
        };
        let child = Child::new(id, new, made.max(dob)).expect("generated ages are 0-25 when recorded");
        let free_school_meals = self.draw.chance(fsm);
        self.people.push(SynthPerson { child, cohort, locality, free_school_meals, cases: Vec::new(), placements: Vec::new() });
        self.people.len() - 1
    }

    fn dob_for_age(&mut self, on: Date, (lo, hi): (i64, i64)) -> Date {
        let age = self.draw.int(lo, hi);
        sub_days(on, (age * 365 + self.draw.int(0, 364)) as u64)
    }

    // ---- the 2019 stock --------------------------------------------------------------------------------

    fn plan_stock(&mut self, count: u32) -> Vec<PlanDraft> {
        let start_of_model = jan1(FIRST_YEAR);
        let mut plans = Vec::new();
        for _ in 0..count {
            let band = self.draw.weighted(STOCK_AGES);
            let dob = self.dob_for_age(start_of_model, band);
            let age = age_on(dob, start_of_model) as i64;
            // Years held: up to 10, never before age 2.
            let max_days = ((age - 2).clamp(0, 10) * 365).max(60);
            let start = sub_days(start_of_model, self.draw.int(30, max_days) as u64);
            let person = self.person(dob, start, 0.718, Cohort::PlanHolder, 0.42);
            let needs = self.needs(ALL_PLAN_NEEDS);
            self.people[person].child.record_sen_status(start, SenStatus::EhcPlan, needs).expect("status after birth");
            let transferred_from = if self.draw.chance(0.03) { LaCode::all_upn_valid().nth(self.draw.int(0, 100) as usize) } else { None };
            let case_id = CaseId::from_uuid(self.draw.uuid());
            let events = vec![CaseEvent::new(start, E::ExistingPlan { plan: PlanContents::default(), transferred_from })];
            plans.push(PlanDraft { person, case_id, start, events, ceased: None });
        }
        plans
    }

    // ---- requests and assessments ----------------------------------------------------------------------

    /// The share of requests refused in `year`: the LA's published (2024) rate from 2024, and nearer
    /// England's 23% before it [U: earlier LA rates were not retrieved].
    fn refusal(&self, year: i32) -> f64 {
        let published = self.la.refusal_pct / 100.0;
        if year >= 2024 {
            published
        } else {
            (published + 0.23) / 2.0
        }
    }

    /// Of a year's requests that become plans, the share issued in the same calendar year: fewer when the
    /// LA is slow [U: a simple lag model].
    fn same_year_share(&self, year: i32) -> f64 {
        0.35 + 0.3 * self.la.timeliness[Self::year_index(year)] / 100.0
    }

    fn conversion(&self, year: i32) -> f64 {
        ((1.0 - self.refusal(year) - WITHDRAWN) * (1.0 - NOT_ISSUED)).max(0.05)
    }

    /// Requests received each year: enough for the plans issued that year and, for a slow LA, the next
    /// (a steady-state estimate that cannot oscillate); a published 2024 figure is used as it stands, with
    /// 2023 carrying what 2024's new plans need.
    fn request_counts(&self) -> BTreeMap<i32, f64> {
        let steady = |year: i32| {
            let s = self.same_year_share(year);
            (s * self.new_plans_target(year) + (1.0 - s) * self.new_plans_target(year + 1)) / self.conversion(year)
        };
        let mut counts = BTreeMap::new();
        // Late-2018 requests, which finish in 2019 or later.
        counts.insert(FIRST_YEAR - 1, 0.55 * self.new_plans_target(FIRST_YEAR) / self.conversion(FIRST_YEAR - 1));
        for year in FIRST_YEAR..=LAST_YEAR {
            counts.insert(year, steady(year));
        }
        if let Some(r24) = self.la.requests_2024.map(f64::from) {
            let from_2024 = self.same_year_share(2024) * self.conversion(2024) * r24;
            let needed = (self.new_plans_target(2024) - from_2024) / ((1.0 - self.same_year_share(2023)) * self.conversion(2023));
            counts.insert(2023, needed.clamp(0.7 * steady(2023), 1.6 * steady(2023)));
            counts.insert(2024, r24);
            counts.insert(2025, steady(2025).min(1.3 * r24));
        }
        counts
    }

    /// The chance that a plan due in `year` is issued on time, such that the share on time among plans
    /// *issued* in `year` (as DfE counts) meets the LA's target, given that late plans due the year before
    /// are issued this year too. With f the share of late plans issued in their due year:
    /// p = T (f + (1 - p') (1 - f)) / (1 - T (1 - f)).
    fn on_time_chance(&self, year: i32) -> f64 {
        const F: f64 = 0.6;
        let mut p_prev = self.la.timeliness[0] / 100.0;
        let mut p = p_prev;
        for y in FIRST_YEAR..=year.clamp(FIRST_YEAR, LAST_YEAR) {
            let t = self.la.timeliness[Self::year_index(y)] / 100.0;
            // 2018 brings only its second half's late plans (c = 0.55 of a year's carry).
            let c = if y == FIRST_YEAR { 0.55 } else { 1.0 };
            let carry = c * (1.0 - p_prev) * (1.0 - F);
            p = (t * (F + carry) / (1.0 - t * (1.0 - F))).clamp(0.0, 1.0);
            p_prev = p;
        }
        p
    }

    fn requests(&mut self, plans: &mut Vec<PlanDraft>) {
        for (year, count) in self.request_counts() {
            let (from, to) = if year == FIRST_YEAR - 1 {
                (date_in_year(year, 7, 1).expect("date"), date_in_year(year, 12, 31).expect("date"))
            } else {
                (jan1(year), date_in_year(year, 12, 31).expect("date"))
            };
            let refusal = self.refusal(year);
            for _ in 0..count.round() as u64 {
                let received = self.draw.between(from, to);
                self.one_request(received, refusal, plans);
            }
        }
    }

    fn one_request(&mut self, received: Date, refusal: f64, plans: &mut Vec<PlanDraft>) {
        let band = self.draw.weighted(&new_plan_ages(received.year()));
        let dob = self.dob_for_age(received, band);
        let person = self.person(dob, received, 0.667, Cohort::Requested, 0.43);
        // Most children asked about are already on SEN support (§2c needs).
        let support_from = sub_days(received, self.draw.int(90, 3 * 365) as u64).max(add_days(dob, 2 * 365));
        let support_needs = self.needs(SUPPORT_NEEDS);
        if support_from < received {
            self.people[person].child.record_sen_status(support_from, SenStatus::SenSupport, support_needs).expect("status in order");
        }
        let requester = self.draw.weighted(&[
            (Requester::ParentOrYoungPerson, 50.0),
            (Requester::SchoolOrSetting, 38.0),
            (Requester::Health, 7.0),
            (Requester::SocialCare, 3.0),
            (Requester::Other, 2.0),
        ]);
        let mut ev = vec![CaseEvent::new(
            received,
            E::RequestReceived { requester, in_youth_accommodation: self.draw.chance(0.002), unknown_dates: Default::default() },
        )];
        let case_id = CaseId::from_uuid(self.draw.uuid());
        let u = self.draw.unit();
        // Reg 13(2): whether the plan, if one follows, is on time, by the LA's rate in the year it is due.
        let due_year = add_days(received, 140).year();
        let exception = self.draw.chance(EXCEPTION_SHARE);
        let on_time = if exception { self.draw.chance(0.3) } else { self.draw.chance(self.on_time_chance(due_year)) };
        // SEND Regs 2014 reg 5(1): decided within 6 weeks for 84.8% of requests (§1a, 2024); a plan that
        // will be on time had its decision on time too.
        let p_on = self.on_time_chance(due_year) * (1.0 - EXCEPTION_SHARE) + 0.3 * EXCEPTION_SHARE;
        let rest_in_time = ((0.848 - p_on) / (1.0 - p_on).max(0.01)).clamp(0.5, 1.0);
        let decided =
            if on_time || self.draw.chance(rest_in_time) { self.draw.after(received, 14, 42) } else { self.draw.after(received, 43, 90) };
        if u < refusal {
            ev.push(CaseEvent::new(decided, E::DecidedNotToAssess));
            self.disputes(&mut ev, decided, AppealableDecision::RefusalToAssess, 0.10, 0.05);
            self.emit_case(person, case_id, ev);
            return;
        }
        if u < refusal + WITHDRAWN {
            if self.draw.chance(0.5) {
                ev.push(CaseEvent::new(self.draw.after(received, 3, days_between(received, decided) - 1), E::Withdrawn));
            } else {
                ev.push(CaseEvent::new(decided, E::DecidedToAssess));
                ev.push(CaseEvent::new(self.draw.after(decided, 5, 60), E::Withdrawn));
            }
            self.emit_case(person, case_id, ev);
            return;
        }
        ev.push(CaseEvent::new(decided, E::DecidedToAssess));
        let asked = self.draw.after(decided, 0, 5);
        let mut parties = vec![AdviceParty::Parent, AdviceParty::Health, AdviceParty::EducationalPsychology];
        if age_on(dob, received) >= 2 && self.draw.chance(0.95) {
            parties.push(AdviceParty::Education);
        }
        if self.draw.chance(0.45) {
            parties.push(AdviceParty::SocialCare);
        }
        if self.draw.chance(NOT_ISSUED) {
            // Reg 10(1): not-issue decisions within 16 weeks for about a third (§1a: 34.1%).
            let decided_not = if self.draw.chance(0.34) { self.draw.after(received, 84, 112) } else { self.draw.after(received, 113, 200) };
            for &p in &parties {
                ev.push(CaseEvent::new(asked, E::AdviceRequested { party: p }));
                ev.push(CaseEvent::new(
                    self.draw.between(add_days(asked, 7), decided_not.max(add_days(asked, 7))),
                    E::AdviceReceived { party: p },
                ));
            }
            ev.push(CaseEvent::new(decided_not.max(add_days(asked, 8)), E::DecidedNotToIssue));
            self.disputes(&mut ev, decided_not, AppealableDecision::RefusalToIssue, 0.12, 0.08);
            self.emit_case(person, case_id, ev);
            return;
        }
        // Reg 13(2): the final plan, on time or late as drawn above.
        let min_duration = days_between(received, asked) + 60;
        let duration = if on_time {
            self.draw.int(min_duration.clamp(90, 140), 140)
        } else if self.draw.chance(0.136) {
            self.draw.int(366, 540)
        } else {
            141 + (224.0 * self.draw.unit().powf(1.7)) as i64
        };
        let final_date = add_days(received, duration.max(min_duration) as u64);
        let draft = sub_days(final_date, self.draw.int(16, 30) as u64);
        // Whose advice was late, for a late plan (weights [U]; EP and health are the usual delays).
        let culprit = if on_time {
            None
        } else {
            self.draw.weighted(&[
                (Some(AdviceParty::EducationalPsychology), 35.0),
                (Some(AdviceParty::Health), 25.0),
                (Some(AdviceParty::SocialCare), 10.0),
                (Some(AdviceParty::Education), 5.0),
                (None, 25.0),
            ])
        };
        let culprit = culprit.filter(|p| parties.contains(p) && days_between(asked, draft) > 50);
        let evidence_by = sub_days(draft, self.draw.int(3, 21) as u64).max(add_days(asked, 10));
        for &p in &parties {
            ev.push(CaseEvent::new(asked, E::AdviceRequested { party: p }));
            let received_on = if Some(p) == culprit {
                evidence_by.max(add_days(asked, 43))
            } else if on_time || culprit.is_some() {
                self.draw.between(add_days(asked, 7), add_days(asked, 42).min(evidence_by))
            } else {
                // The LA's own delay: advice in on time, drafting slow.
                self.draw.between(add_days(asked, 14), add_days(asked, 42))
            };
            ev.push(CaseEvent::new(received_on.min(sub_days(draft, 1)), E::AdviceReceived { party: p }));
        }
        if exception {
            let (reason, len) = if self.draw.chance(0.6) {
                (ExceptionReason::AbsentFromArea, self.draw.int(28, 70))
            } else {
                (ExceptionReason::PersonalCircumstances, self.draw.int(7, 90))
            };
            let latest_start = (days_between(received, final_date.min(add_days(received, 140))) - 5).max(15);
            let start = self.draw.after(received, 14, latest_start);
            ev.push(CaseEvent::new(start, E::ExceptionStarted { reason, party: None }));
            ev.push(CaseEvent::new(add_days(start, len as u64), E::ExceptionEnded { reason, party: None }));
        }
        ev.push(CaseEvent::new(sub_days(draft, self.draw.int(0, 7) as u64).max(add_days(asked, 1)), E::DecidedToIssue));
        ev.push(CaseEvent::new(draft, E::DraftIssued { plan: PlanContents::default() }));
        ev.push(CaseEvent::new(final_date, E::FinalIssued { plan: PlanContents::default() }));
        // New plans' needs move from the 2019 caseload's mix towards 2024's new plans (more SEMH and
        // SLCN) [U: per-year new-plan needs were not published before 2024].
        let needs = if self.draw.chance(((received.year() - FIRST_YEAR) as f64 / 5.0).clamp(0.0, 1.0)) {
            self.needs(NEW_PLAN_NEEDS)
        } else {
            self.needs(ALL_PLAN_NEEDS)
        };
        self.people[person].cohort = Cohort::PlanHolder;
        if final_date > self.as_of {
            // Still being assessed at the census: the events after it are cut when the case is emitted.
            self.people[person].cohort = Cohort::Requested;
            self.emit_case(person, case_id, ev);
            return;
        }
        let status_from = if final_date > support_from { final_date } else { add_days(support_from, 1) };
        self.people[person].child.record_sen_status(status_from, SenStatus::EhcPlan, needs).expect("plan after support");
        plans.push(PlanDraft { person, case_id, start: final_date, events: ev, ceased: None });
    }

    /// Mediation and appeals on a decision (rates [U]; §5 tribunal figures are national totals).
    fn disputes(&mut self, ev: &mut Vec<CaseEvent>, decided: Date, decision: AppealableDecision, mediation: f64, appeal: f64) {
        if self.draw.chance(mediation) {
            ev.push(CaseEvent::new(self.draw.after(decided, 20, 60), E::MediationHeld { decision }));
        }
        if self.draw.chance(appeal) {
            let lodged = self.draw.after(decided, 30, 75);
            ev.push(CaseEvent::new(lodged, E::AppealLodged { decision }));
            ev.push(CaseEvent::new(self.draw.after(lodged, 120, 260), E::AppealDecided { decision, upheld: self.draw.chance(0.6) }));
        }
    }

    // ---- ceasing ---------------------------------------------------------------------------------------

    /// Cease plans each year so the caseload on 1 January follows the LA's path.
    fn cease(&mut self, plans: &mut [PlanDraft]) {
        for year in FIRST_YEAR..=LAST_YEAR {
            let (start, end) = (jan1(year), date_in_year(year, 12, 31).expect("date"));
            // C5: a plan ends by the end of the academic year in which the young person turns 25.
            for p in plans.iter_mut() {
                let dob = self.people[p.person].child.date_of_birth;
                let last_day = jul(reception_year(dob) + 21, 31);
                if p.ceased.is_none() && p.start <= end && (start..=end).contains(&last_day) {
                    p.ceased = Some((last_day.max(add_days(p.start, 1)), CeaseReason::MaximumAge));
                }
            }
            let active_next = plans.iter().filter(|p| p.start <= end && p.ceased.is_none_or(|(c, _)| c > end)).count() as f64;
            let surplus = (active_next - self.caseload_target(year + 1)).round().max(0.0);
            // Yearly chance of a plan ceasing by age, from how the January 2025 single-year counts fall
            // with age net of cohort growth (§1b) [U: fitted]; scaled by one factor (found by bisection)
            // so the expected number ceased is the surplus over the caseload path.
            let hazard = |age: i32| match age {
                ..=15 => 0.015,
                16 => 0.04,
                17 => 0.12,
                18 => 0.17,
                19 => 0.28,
                _ => 0.36,
            };
            let eligible: Vec<(usize, f64)> = plans
                .iter()
                .enumerate()
                .filter(|(_, p)| p.ceased.is_none() && p.start < sub_days(end, 60))
                .map(|(i, p)| (i, hazard(age_on(self.people[p.person].child.date_of_birth, end))))
                .collect();
            // Up to the age-driven total, hazards scale down; beyond it, the extra ceasing (moves, needs
            // met) falls evenly on every age.
            let base: f64 = eligible.iter().map(|(_, h)| h).sum();
            let chance: Box<dyn Fn(f64) -> f64> = if surplus <= base {
                let k = if base > 0.0 { surplus / base } else { 0.0 };
                Box::new(move |h| k * h)
            } else {
                let expected = |x: f64| eligible.iter().map(|(_, h)| (h + x).min(1.0)).sum::<f64>();
                let (mut lo, mut hi) = (0.0, 1.0);
                for _ in 0..50 {
                    let mid = (lo + hi) / 2.0;
                    if expected(mid) < surplus {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                Box::new(move |h| (h + hi).min(1.0))
            };
            let candidates: Vec<usize> = eligible.iter().filter(|(_, h)| self.draw.chance(chance(*h))).map(|(i, _)| *i).collect();
            for &i in &candidates {
                let p = &plans[i];
                let age = age_on(self.people[p.person].child.date_of_birth, end);
                let from = p.start.max(start);
                let on = self.draw.between(add_days(from, 30).min(end), end);
                let reason = if age >= 17 {
                    self.draw.weighted(&[
                        (CeaseReason::NoLongerEngaging, 40.0),
                        (CeaseReason::PaidEmployment, 10.0),
                        (CeaseReason::HigherEducation, 7.0),
                        (CeaseReason::TransferredToAnotherLa, 25.0),
                        (CeaseReason::NeedsMetWithoutPlan, 8.0),
                        (CeaseReason::Other, 4.0),
                        (CeaseReason::MovedOutsideEngland, 1.0),
                    ])
                } else {
                    self.draw.weighted(&[
                        (CeaseReason::TransferredToAnotherLa, 60.0),
                        (CeaseReason::NeedsMetWithoutPlan, 20.0),
                        (CeaseReason::Other, 5.0),
                        (CeaseReason::MovedOutsideEngland, 6.0),
                        (CeaseReason::Deceased, 2.0),
                    ])
                };
                plans[i].ceased = Some((on, reason));
            }
        }
    }

    // ---- reviews, placements, phase transfers ----------------------------------------------------------

    fn finish_plans(&mut self, plans: Vec<PlanDraft>) {
        for plan in plans {
            let dob = self.people[plan.person].child.date_of_birth;
            let locality = self.people[plan.person].locality;
            let end = plan.ceased.map_or(self.as_of, |(c, _)| c.min(self.as_of));
            let placements = self.placements_for(dob, locality, sub_days(plan.start, 365), end, true);
            let named =
                |on: Date| placements.iter().rev().find(|p| p.entry <= on).or(placements.first()).map(|p| named_setting(&p.setting));
            let plan_at = |on: Date, draw: &mut Draw, age: i32| {
                let mut contents = PlanContents { named_settings: named(on).into_iter().collect(), ..Default::default() };
                // Personal budgets about 3% of plans; residential 0.35% (§1a Jan 2025).
                if draw.chance(0.03) {
                    contents.personal_budget = PersonalBudget {
                        personal_budget: true,
                        organised_arrangements: draw.chance(0.5),
                        direct_payments: draw.chance(0.4).then(|| {
                            *draw.pick(&[
                                DirectPayment::Education,
                                DirectPayment::Health,
                                DirectPayment::SocialCare,
                                DirectPayment::Integrated,
                            ])
                        }),
                    };
                }
                if draw.chance(0.0035) {
                    contents.residential = Some(if draw.chance(0.5) { Residential::Weeks38To51 } else { Residential::Weeks52 });
                }
                if age >= 16 && draw.chance(0.04) {
                    contents.work_based =
                        Some(*draw.pick(&[WorkBased::Apprenticeship, WorkBased::SupportedInternship, WorkBased::Traineeship]));
                }
                contents
            };
            let mut events: Vec<CaseEvent> = Vec::new();
            for e in plan.events {
                let kind = match e.kind {
                    E::FinalIssued { .. } => E::FinalIssued { plan: plan_at(e.date, &mut self.draw, age_on(dob, e.date)) },
                    E::ExistingPlan { transferred_from, .. } => {
                        E::ExistingPlan { plan: plan_at(e.date, &mut self.draw, age_on(dob, e.date)), transferred_from }
                    }
                    k => k,
                };
                events.push(CaseEvent::new(e.date, kind));
            }
            if !events.iter().any(|e| matches!(e.kind, E::ExistingPlan { .. })) {
                let decided = events.iter().find(|e| matches!(e.kind, E::FinalIssued { .. })).map_or(plan.start, |e| e.date);
                if self.draw.chance(0.05) {
                    self.disputes(&mut events, decided, AppealableDecision::PlanContents, 0.5, 0.5);
                }
            }
            self.reviews(plan.person, &mut events, dob, plan.start, end, &plan_at);
            if let Some((on, reason)) = plan.ceased {
                if on <= self.as_of {
                    events.push(CaseEvent::new(on, E::Ceased { reason }));
                    if reason == CeaseReason::NeedsMetWithoutPlan {
                        let needs = self.people[plan.person].child.needs_on(on);
                        let _ = self.people[plan.person].child.record_sen_status(add_days(on, 1), SenStatus::SenSupport, needs);
                    }
                }
            }
            self.people[plan.person].placements = placements;
            self.people[plan.person].cohort = Cohort::PlanHolder;
            self.emit_case(plan.person, plan.case_id, events);
        }
    }

    /// Annual reviews (s44), decisions (reg 20(10)), amendments (reg 22) and phase transfers (reg 18).
    fn reviews(
        &mut self,
        person: usize,
        events: &mut Vec<CaseEvent>,
        dob: Date,
        start: Date,
        end: Date,
        plan_at: &dyn Fn(Date, &mut Draw, i32) -> PlanContents,
    ) {
        let reception = reception_year(dob);
        let transfers = [(reception, TransferKind::School), (reception + 7, TransferKind::School), (reception + 12, TransferKind::Post16)];
        let mut anchor = start;
        let mut free_from = start; // the review cycle is idle from this date
        loop {
            let transfer = transfers.iter().copied().find(|(y, _)| {
                let autumn = date_in_year(y - 1, 10, 1).expect("date");
                autumn > anchor && autumn <= add_days(anchor, 400) && sep(*y, 1) > start
            });
            let meeting = match transfer {
                Some((y, _)) => self.draw.between(date_in_year(y - 1, 9, 20).expect("date"), date_in_year(y - 1, 12, 10).expect("date")),
                None if self.draw.chance(0.8) => self.draw.after(anchor, 300, 364),
                None if self.draw.chance(0.75) => self.draw.after(anchor, 365, 430),
                None => self.draw.after(anchor, 431, 700),
            };
            let meeting = meeting.max(add_days(free_from, 1));
            if meeting > end {
                break;
            }
            events.push(CaseEvent::new(meeting, E::ReviewMeeting));
            if self.draw.chance(0.8) {
                events.push(CaseEvent::new(self.draw.after(meeting, 3, 14), E::ReviewReportSent));
            }
            // Reg 20(10): decision within 4 weeks for 44.4% (§1a, 2024 annual reviews).
            let decided = if self.draw.chance(0.444) { self.draw.after(meeting, 15, 28) } else { self.draw.after(meeting, 29, 70) };
            let outcome = if transfer.is_some() {
                ReviewOutcome::Amend
            } else {
                self.draw.weighted(&[(ReviewOutcome::Amend, 61.0), (ReviewOutcome::Maintain, 38.0), (ReviewOutcome::Cease, 1.0)])
            };
            events.push(CaseEvent::new(decided, E::ReviewDecision { outcome }));
            // Needs are recoded as children grow: early speech and language needs are often later
            // identified as autism, SEMH or learning difficulty, which is why all plans hold less SLCN
            // than new ones (§1c) [U: the rate is fitted, not published].
            let current = self.people[person].child.needs_on(decided);
            if current.primary() == Some(NeedCode::Slcn) && age_on(dob, decided) >= 7 && self.draw.chance(0.06) {
                let to = self.draw.weighted(&[(NeedCode::Asd, 45.0), (NeedCode::Semh, 30.0), (NeedCode::Mld, 25.0)]);
                let recoded = RankedNeeds::new(Some(to), Some(NeedCode::Slcn)).expect("distinct");
                let _ = self.people[person].child.record_sen_status(decided, SenStatus::EhcPlan, recoded);
            }
            free_from = decided;
            if outcome == ReviewOutcome::Amend {
                let age = age_on(dob, decided);
                events.push(CaseEvent::new(decided, E::AmendmentsProposed { plan: plan_at(decided, &mut self.draw, age) }));
                let amended = match transfer {
                    Some((y, kind)) => {
                        events.push(CaseEvent::new(decided, E::PhaseTransferPlanned { transfer_date: sep(y, 1), kind }));
                        let due = match kind {
                            TransferKind::School => date_in_year(y, 2, 14),
                            TransferKind::Post16 => date_in_year(y, 3, 30),
                        }
                        .expect("date");
                        // Reg 18(1): by 15 February / 31 March; on time for about 70% [U].
                        if self.draw.chance(0.7) && add_days(decided, 15) <= due {
                            self.draw.between(add_days(decided, 15), due)
                        } else {
                            self.draw.after(due.max(add_days(decided, 15)), 1, 75)
                        }
                    }
                    // Reg 22(3): within 8 weeks of the proposals for about 60% [U].
                    None if self.draw.chance(0.6) => self.draw.after(decided, 15, 56),
                    None => self.draw.after(decided, 57, 120),
                };
                let age = age_on(dob, amended);
                events.push(CaseEvent::new(amended, E::AmendedFinalIssued { plan: plan_at(amended, &mut self.draw, age) }));
                free_from = amended;
            }
            anchor = meeting;
        }
    }

    /// Placements by phase between `from` and `to`, as an LA with this mix would make them.
    fn placements_for(&mut self, dob: Date, locality: usize, from: Date, to: Date, has_plan: bool) -> Vec<Placement> {
        let reception = reception_year(dob);
        let special_share = if has_plan { (self.la.special_pct / 100.0 / 0.80).min(0.9) } else { 0.01 };
        let mut out = Vec::new();
        let phases = [
            (reception - 1, reception, 0u8),     // early years
            (reception, reception + 7, 1),       // primary
            (reception + 7, reception + 12, 2),  // secondary
            (reception + 12, reception + 15, 3), // 16-18
            (reception + 15, reception + 21, 4), // 19-25
        ];
        let mut special_pupil = self.draw.chance(special_share);
        for (begin, finish, phase) in phases {
            let entry = sep(begin, self.draw.int(2, 6) as u32);
            let leaving = jul(finish, self.draw.int(18, 23) as u32);
            if leaving < from || entry > to || (phase == 0 && !(has_plan && self.draw.chance(0.4))) {
                continue;
            }
            let (setting, sen_unit, rp, setting_la, work_based): (SettingRef, bool, bool, Option<LaCode>, Option<WorkBased>) = match phase {
                0 => (SettingRef::Code(SettingCode::Eyp), false, false, None, None),
                1 | 2 => {
                    let u = self.draw.unit();
                    if special_pupil {
                        if self.draw.chance(0.15) {
                            let i = self.choose_setting(SettingKind::IndependentSpecial, locality);
                            (self.settings[i].setting.clone(), false, false, Some(self.other_la()), None)
                        } else {
                            let i = self.choose_setting(SettingKind::Special, locality);
                            (self.settings[i].setting.clone(), false, false, Some(self.la.code), None)
                        }
                    } else if has_plan && phase == 2 && u < 0.015 {
                        let i = self.choose_setting(SettingKind::AlternativeProvision, locality);
                        (self.settings[i].setting.clone(), false, false, Some(self.la.code), None)
                    } else if has_plan && u < 0.03 {
                        (
                            SettingRef::Code(if self.draw.chance(0.5) { SettingCode::Ehe } else { SettingCode::Ola }),
                            false,
                            false,
                            None,
                            None,
                        )
                    } else {
                        let kind = if phase == 1 { SettingKind::Primary } else { SettingKind::Secondary };
                        let i = self.choose_setting(kind, locality);
                        let s = &self.settings[i];
                        (s.setting.clone(), has_plan && s.sen_unit, has_plan && s.resourced_provision, Some(self.la.code), None)
                    }
                }
                3 => {
                    let choice = self.draw.weighted(&[(0u8, 50.0), (1, 25.0), (2, 12.0), (3, 6.0), (4, 5.0), (5, 2.0)]);
                    match choice {
                        1 if special_pupil => {
                            let i = self.choose_setting(SettingKind::Special, locality);
                            (self.settings[i].setting.clone(), false, false, Some(self.la.code), None)
                        }
                        2 => {
                            let i = self.choose_setting(SettingKind::Secondary, locality);
                            (self.settings[i].setting.clone(), false, false, Some(self.la.code), None)
                        }
                        3 => (SettingRef::Code(SettingCode::Neet), false, false, None, None),
                        4 => {
                            let i = self.choose_setting(SettingKind::FurtherEducation, locality);
                            (self.settings[i].setting.clone(), false, false, Some(self.la.code), Some(WorkBased::SupportedInternship))
                        }
                        5 => (SettingRef::Code(SettingCode::Ola), false, false, None, None),
                        _ => {
                            let i = self.choose_setting(SettingKind::FurtherEducation, locality);
                            (self.settings[i].setting.clone(), false, false, Some(self.la.code), None)
                        }
                    }
                }
                _ => match self.draw.weighted(&[(0u8, 55.0), (1, 30.0), (2, 8.0), (3, 7.0)]) {
                    1 => (SettingRef::Code(SettingCode::Neet), false, false, None, None),
                    2 => {
                        let i = self.choose_setting(SettingKind::FurtherEducation, locality);
                        (self.settings[i].setting.clone(), false, false, Some(self.la.code), Some(WorkBased::SupportedInternship))
                    }
                    3 => (SettingRef::Code(SettingCode::Ola), false, false, None, None),
                    _ => {
                        let i = self.choose_setting(SettingKind::FurtherEducation, locality);
                        (self.settings[i].setting.clone(), false, false, Some(self.la.code), None)
                    }
                },
            };
            if phase == 2 && special_pupil && self.draw.chance(0.1) {
                special_pupil = false;
            } else if phase == 1 && !special_pupil && self.draw.chance(0.12 * special_share) {
                special_pupil = true; // a move from mainstream to special at secondary transfer
            }
            let leaving = (leaving <= self.as_of).then_some(leaving);
            out.push(Placement {
                setting,
                rank: 1,
                entry,
                leaving,
                sen_unit,
                resourced_provision: rp,
                residential: None,
                work_based,
                setting_la,
            });
        }
        out.retain(|p| p.entry <= self.as_of);
        out
    }

    fn other_la(&mut self) -> LaCode {
        loop {
            let code = LaCode::all_upn_valid().nth(self.draw.int(20, 180) as usize).expect("enough LA codes");
            if code != self.la.code {
                return code;
            }
        }
    }

    // ---- pupils without plans --------------------------------------------------------------------------

    /// Pupils on SEN support and with no SEN, so the school census adds up (§2a, §2d).
    fn school_population(&mut self) {
        let pupils = self.pupils();
        let others = (pupils * (1.0 - self.la.ehcp_pct / 100.0)).round() as u64;
        let support_rate = self.la.sen_support_pct / (100.0 - self.la.ehcp_pct);
        let as_of = self.as_of;
        for _ in 0..others {
            // School ages 4-18, fewer in the sixth form.
            let age = self.draw.weighted(&[
                (4i64, 0.9),
                (5, 1.0),
                (6, 1.0),
                (7, 1.0),
                (8, 1.0),
                (9, 1.0),
                (10, 1.0),
                (11, 1.0),
                (12, 1.0),
                (13, 1.0),
                (14, 1.0),
                (15, 1.0),
                (16, 0.5),
                (17, 0.45),
                (18, 0.05),
            ]);
            let dob = self.dob_for_age(as_of, (age, age));
            // SEN support peaks around 9-10 and is lower in the early years (§2d) [U shape].
            let shape = match age {
                4 => 0.45,
                5 => 0.7,
                6..=8 => 1.0,
                9..=10 => 1.15,
                11..=13 => 1.05,
                14..=15 => 0.95,
                _ => 0.8,
            };
            let support = self.draw.chance(support_rate * shape);
            let (cohort, fsm) = if support { (Cohort::SenSupport, 0.393) } else { (Cohort::NoSen, 0.222) };
            let person = self.person(dob, as_of, if support { 0.61 } else { 0.48 }, cohort, fsm);
            let locality = self.people[person].locality;
            let phase_start = self.school_entry(dob);
            let placements = self.placements_for(dob, locality, phase_start, as_of, false);
            if let Some(first) = placements.iter().find(|p| matches!(p.setting, SettingRef::Urn(_))) {
                let estab = self.settings.iter().find(|s| s.setting == first.setting).map_or(2000, |s| s.estab);
                self.people[person].child.upn = self.upn(estab, reception_year(dob));
            }
            if support {
                let from = self.draw.between(add_months(phase_start, 2), as_of);
                let needs = self.needs(SUPPORT_NEEDS);
                self.people[person].child.record_sen_status(from, SenStatus::SenSupport, needs).expect("status after birth");
                self.people[person].placements = placements;
            }
        }
    }

    fn school_entry(&self, dob: Date) -> Date {
        sep(reception_year(dob), 4)
    }

    // ---- output ----------------------------------------------------------------------------------------

    /// Cut a case at the census, check it against the lifecycle, and attach it to its person with a UPN.
    fn emit_case(&mut self, person: usize, case_id: CaseId, mut events: Vec<CaseEvent>) {
        events.sort_by_key(|e| e.date);
        let cut = self.as_of;
        events.retain(|e| e.date <= cut);
        if let Some(i) = events.iter().position(|e| matches!(e.kind, E::Ceased { .. } | E::Withdrawn)) {
            events.truncate(i + 1);
        }
        let child_id = self.people[person].child.id;
        match Case::replay(case_id, child_id, &events) {
            Ok(_) => {
                if self.people[person].child.upn.is_none() && age_on(self.people[person].child.date_of_birth, cut) >= 5 {
                    let estab = self.settings.iter().find(|s| s.kind == SettingKind::Primary).map_or(2000, |s| s.estab);
                    let year = reception_year(self.people[person].child.date_of_birth);
                    self.people[person].child.upn = self.upn(estab, year);
                }
                self.people[person].cases.push((case_id, events));
            }
            Err(_) => self.refused_cases += 1,
        }
    }
}

fn named_setting(setting: &SettingRef) -> NamedSetting {
    let setting = match setting {
        // Where someone is not in education, the plan names the type of setting only (OTH).
        SettingRef::Code(SettingCode::Neet | SettingCode::Niec | SettingCode::Nieo) => SettingRef::Code(SettingCode::Oth),
        other => other.clone(),
    };
    let other_description = matches!(setting, SettingRef::Code(SettingCode::Oth)).then(|| "Post-16 provision to be agreed".to_owned());
    NamedSetting { setting, rank: 1, sen_unit: false, resourced_provision: false, other_description }
}
