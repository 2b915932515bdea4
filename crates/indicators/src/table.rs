//! The person table: everything the indicators count, built once per scope and held in flat arrays.
//!
//! Each person is reduced to what indicators need (LA, locality, sex, month of birth, free school meals,
//! SEN status and primary need over time, placements with the kind of setting), and each EHC case to its
//! dates and outcomes: the request, the decision whether to assess, the decision not to issue, the final
//! plan with the 20-week exception as the domain's statutory clock sees it (SEN2 `Week20`), the plan's
//! end and why, annual reviews due, held and decided, mediation and appeals, and whose step made a late
//! plan late. No names or identifiers are held: people are numbered, and dates of birth are kept to the
//! month (enough to place a child in a school year).

pub use crate::facts::{FactKind, FactRow};
use chrono::Datelike;
use std::collections::HashMap;
use waymark_domain::calendar::{date_in_year, days_between, Date};
use waymark_domain::case::{AppealableDecision, Case, CaseEvent, CaseEventKind as E, CeaseReason, DelayParty, ReviewOutcome};
use waymark_domain::child::{Child, SenStatus, Sex};
use waymark_domain::clock::{evaluate, DelayStage};
use waymark_domain::identifiers::{LaCode, SettingCode, SettingRef};
use waymark_domain::ids::CaseId;
use waymark_domain::need::NeedCode;
use waymark_domain::placement::Placement;

/// No value in a dictionary-coded column.
pub const NONE: u16 = u16::MAX;

/// What kind of setting a placement is, grouped as DfE's SEN2 caseload tables group settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SettingKind {
    Unknown,
    Mainstream,
    IndependentMainstream,
    Special,
    IndependentSpecial,
    NonMaintainedSpecial,
    AlternativeProvision,
    FurtherEducation,
    EarlyYears,
    ElectiveHomeEducation,
    Neet,
    OtherArrangements,
    Other,
}

impl SettingKind {
    pub const ALL: [SettingKind; 13] = [
        Self::Unknown,
        Self::Mainstream,
        Self::IndependentMainstream,
        Self::Special,
        Self::IndependentSpecial,
        Self::NonMaintainedSpecial,
        Self::AlternativeProvision,
        Self::FurtherEducation,
        Self::EarlyYears,
        Self::ElectiveHomeEducation,
        Self::Neet,
        Self::OtherArrangements,
        Self::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Mainstream => "mainstream",
            Self::IndependentMainstream => "independent_mainstream",
            Self::Special => "special",
            Self::IndependentSpecial => "independent_special",
            Self::NonMaintainedSpecial => "non_maintained_special",
            Self::AlternativeProvision => "alternative_provision",
            Self::FurtherEducation => "further_education",
            Self::EarlyYears => "early_years",
            Self::ElectiveHomeEducation => "elective_home_education",
            Self::Neet => "neet",
            Self::OtherArrangements => "other_arrangements",
            Self::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == text)
    }

    /// A school (of any kind), for the school population.
    pub fn is_school(self) -> bool {
        matches!(
            self,
            Self::Mainstream
                | Self::IndependentMainstream
                | Self::Special
                | Self::IndependentSpecial
                | Self::NonMaintainedSpecial
                | Self::AlternativeProvision
        )
    }

    fn from_code(code: SettingCode) -> Self {
        match code {
            SettingCode::Ehe => Self::ElectiveHomeEducation,
            SettingCode::Eyp => Self::EarlyYears,
            SettingCode::Ola | SettingCode::Opa => Self::OtherArrangements,
            SettingCode::Neet | SettingCode::Niec | SettingCode::Nieo => Self::Neet,
            SettingCode::Oth => Self::Other,
        }
    }

    fn from_synth(kind: waymark_synth::SettingKind) -> Self {
        use waymark_synth::SettingKind as K;
        match kind {
            K::Primary | K::Secondary => Self::Mainstream,
            K::Special => Self::Special,
            K::IndependentSpecial => Self::IndependentSpecial,
            K::AlternativeProvision => Self::AlternativeProvision,
            K::FurtherEducation => Self::FurtherEducation,
        }
    }

    /// From the reference data's GIAS-grouped setting type.
    pub fn from_reference(t: waymark_domain::facts::reference::SettingType) -> Self {
        use waymark_domain::facts::reference::SettingType as T;
        match t {
            T::MainstreamLa | T::MainstreamAcademy => Self::Mainstream,
            T::IndependentMainstream => Self::IndependentMainstream,
            T::SpecialLa | T::SpecialAcademy => Self::Special,
            T::SpecialNonMaintained => Self::NonMaintainedSpecial,
            T::SpecialIndependent => Self::IndependentSpecial,
            T::AlternativeProvision => Self::AlternativeProvision,
            T::FeCollege | T::SixthFormCollege | T::SpecialistPost16 => Self::FurtherEducation,
            T::EarlyYears => Self::EarlyYears,
            T::Other => Self::Other,
        }
    }
}

/// One person.
#[derive(Debug, Clone, Copy)]
pub struct PersonRow {
    pub la: u16,
    pub locality: u16,
    /// 1 male, 2 female.
    pub sex: u8,
    /// The first day of the month of birth.
    pub birth_month: Date,
    /// -1 unknown, 0 no, 1 eligible for free school meals.
    pub fsm: i8,
    pub sen: (u32, u32),
    pub placements: (u32, u32),
    /// The person's facts in [`PersonTable::facts`], by kind then date.
    pub facts: (u32, u32),
}

/// A change of SEN status, from a date.
#[derive(Debug, Clone, Copy)]
pub struct SenRow {
    pub from: Date,
    pub status: SenStatus,
    pub need: Option<NeedCode>,
}

#[derive(Debug, Clone, Copy)]
pub struct PlacementRow {
    pub entry: Date,
    pub leaving: Option<Date>,
    pub kind: SettingKind,
    /// In an SEN unit or resourced provision.
    pub unit_or_rp: bool,
    /// The locality of the setting, where known.
    pub locality: u16,
}

/// The bits of [`CaseRow::delays`]: stage (evidence gathering 0, between evidence and final plan 1)
/// times five parties.
pub fn delay_bit(stage: DelayStage, party: DelayParty) -> u16 {
    let s = match stage {
        DelayStage::EvidenceGathering => 0,
        DelayStage::BetweenEvidenceAndFinalPlan => 5,
    };
    let p = match party {
        DelayParty::Parent => 0,
        DelayParty::Education => 1,
        DelayParty::SocialCare => 2,
        DelayParty::Health => 3,
        DelayParty::La => 4,
    };
    1 << (s + p)
}

/// One EHC case, reduced to its dates and outcomes.
#[derive(Debug, Clone, Copy)]
pub struct CaseRow {
    pub person: u32,
    pub received: Option<Date>,
    /// The request's day is not known (SEN2 guide items 2.1, 2.5): `received` is only the latest it could
    /// have been, so no time limit is measured from it and it is never a request of a period.
    pub received_unknown: bool,
    /// The day of the decision to assess is not known (RequestOutcome H): `assess_decision` is a bound.
    pub decision_unknown: bool,
    /// The LA's first decision whether to assess, and whether it was to refuse.
    pub assess_decision: Option<Date>,
    pub assess_refused: bool,
    pub not_issue: Option<Date>,
    pub final_issued: Option<Date>,
    /// A plan that Waymark holds from before (or transferred in): its start.
    pub existing: Option<Date>,
    pub transferred_in: bool,
    /// SEN2 `Week20`: a reg 13(3) exception applied to the 20-week limit, by the domain clock.
    pub week20_exception: bool,
    pub ceased: Option<Date>,
    pub cease_reason: Option<CeaseReason>,
    pub withdrawn: Option<Date>,
    pub transferred_out: Option<Date>,
    pub delays: u16,
    pub reviews: (u32, u32),
    pub disputes: (u32, u32),
    pub plan_versions: (u32, u32),
}

impl CaseRow {
    /// The day the plan started (final plan or existing plan), if there is one.
    pub fn plan_start(&self) -> Option<Date> {
        self.final_issued.or(self.existing)
    }

    /// The day the plan stopped being maintained (ceased or transferred out).
    pub fn plan_end(&self) -> Option<Date> {
        self.ceased.or(self.transferred_out)
    }

    /// A plan is in force on `d` from its start, and until the day it ends (a plan ceased on census day
    /// is no longer maintained on it). [U] DfE does not say how a plan ceasing on census day counts.
    pub fn plan_in_force(&self, d: Date) -> bool {
        self.plan_start().is_some_and(|s| s <= d) && self.plan_end().is_none_or(|e| e > d)
    }
}

/// An annual review due (s44), with its meeting and decision.
#[derive(Debug, Clone, Copy)]
pub struct ReviewRow {
    pub case: u32,
    pub due: Date,
    pub meeting: Option<Date>,
    pub decision: Option<Date>,
    pub outcome: Option<ReviewOutcome>,
}

/// A mediation held or an appeal lodged.
#[derive(Debug, Clone, Copy)]
pub struct DisputeRow {
    pub case: u32,
    pub date: Date,
    pub appeal: bool,
    pub decision: AppealableDecision,
}

/// A version of the plan from a date: bit 0 personal budget, bit 1 residential, bit 2 work-based.
#[derive(Debug, Clone, Copy)]
pub struct PlanVersionRow {
    pub from: Date,
    pub flags: u8,
}

/// The whole table for a scope. Persons are grouped by LA (see [`PersonTable::la_ranges`]), cases follow
/// their person's order, and reviews, disputes and plan versions their case's.
#[derive(Debug, Clone, Default)]
pub struct PersonTable {
    pub las: Vec<LaCode>,
    /// Locality names, shared by every LA (`la_localities` says which belong to which).
    pub localities: Vec<String>,
    pub persons: Vec<PersonRow>,
    pub sen: Vec<SenRow>,
    pub placements: Vec<PlacementRow>,
    pub cases: Vec<CaseRow>,
    pub reviews: Vec<ReviewRow>,
    pub disputes: Vec<DisputeRow>,
    pub plan_versions: Vec<PlanVersionRow>,
    /// Each case row's case, in the same order as `cases` (to patch a case, and to link a count to the
    /// cases behind it).
    pub case_ids: Vec<CaseId>,
    /// Person-level facts from each agency (`crate::facts`), each person's together.
    pub facts: Vec<FactRow>,
    /// The day the data runs to.
    pub as_of: Option<Date>,
    /// Cases the statutory clock could not evaluate (their 20-week exception is taken as absent).
    pub clock_errors: usize,
}

/// Ranges of the arrays that belong to one LA.
#[derive(Debug, Clone, Copy, Default)]
pub struct LaRange {
    pub persons: (u32, u32),
    pub cases: (u32, u32),
    pub reviews: (u32, u32),
    pub disputes: (u32, u32),
}

/// How to describe a setting a placement names: its kind and its locality.
pub type SettingLookup<'a> = dyn Fn(&SettingRef) -> (SettingKind, Option<String>) + 'a;

/// Builds a [`PersonTable`] person by person.
pub struct TableBuilder {
    table: PersonTable,
    la_index: HashMap<LaCode, u16>,
    locality_index: HashMap<String, u16>,
    as_of: Date,
}

impl TableBuilder {
    /// A builder for data that runs to `as_of` (the statutory clock is evaluated on that day).
    pub fn new(as_of: Date) -> Self {
        Self {
            table: PersonTable { as_of: Some(as_of), ..Default::default() },
            la_index: HashMap::new(),
            locality_index: HashMap::new(),
            as_of,
        }
    }

    fn la(&mut self, la: LaCode) -> u16 {
        let next = self.table.las.len() as u16;
        *self.la_index.entry(la).or_insert_with(|| {
            self.table.las.push(la);
            next
        })
    }

    /// The id of a locality by name ([`NONE`] for none).
    pub fn locality(&mut self, name: Option<&str>) -> u16 {
        let Some(name) = name.filter(|n| !n.is_empty()) else { return NONE };
        if let Some(i) = self.locality_index.get(name) {
            return *i;
        }
        let i = self.table.localities.len() as u16;
        self.table.localities.push(name.to_owned());
        self.locality_index.insert(name.to_owned(), i);
        i
    }

    /// Add one person with their cases and placements.
    pub fn add_person(
        &mut self,
        child: &Child,
        locality: Option<&str>,
        fsm: Option<bool>,
        cases: &[(CaseId, &[CaseEvent])],
        placements: &[Placement],
        settings: &SettingLookup<'_>,
    ) {
        let person = self.table.persons.len() as u32;
        let la = self.la(child.responsible_la);
        let locality = self.locality(locality);
        let sen_start = self.table.sen.len() as u32;
        for p in child.sen_history() {
            self.table.sen.push(SenRow { from: p.from, status: p.status, need: p.needs.primary() });
        }
        let pl_start = self.table.placements.len() as u32;
        let mut pls: Vec<&Placement> = placements.iter().filter(|p| p.rank == 1).collect();
        pls.sort_by_key(|p| p.entry);
        for p in pls {
            let (kind, setting_locality) = settings(&p.setting);
            let loc = self.locality(setting_locality.as_deref());
            self.table.placements.push(PlacementRow {
                entry: p.entry,
                leaving: p.leaving,
                kind,
                unit_or_rp: p.sen_unit || p.resourced_provision,
                locality: loc,
            });
        }
        let birth_month = date_in_year(child.date_of_birth.year(), child.date_of_birth.month(), 1).unwrap_or(child.date_of_birth);
        self.table.persons.push(PersonRow {
            la,
            locality,
            sex: match child.sex {
                Sex::Male => 1,
                Sex::Female => 2,
            },
            birth_month,
            fsm: fsm.map_or(-1, i8::from),
            sen: (sen_start, self.table.sen.len() as u32),
            placements: (pl_start, self.table.placements.len() as u32),
            facts: (self.table.facts.len() as u32, self.table.facts.len() as u32),
        });
        for (case_id, events) in cases {
            self.add_case(person, *case_id, child, events);
        }
    }

    fn add_case(&mut self, person: u32, case_id: CaseId, child: &Child, events: &[CaseEvent]) {
        let Ok(case) = Case::replay(case_id, child.id, events) else {
            self.table.clock_errors += 1;
            return;
        };
        let case_index = self.table.cases.len() as u32;
        let mut row = CaseRow {
            person,
            received: case.received(),
            received_unknown: case.unknown_dates().received,
            decision_unknown: case.unknown_dates().decided_to_assess,
            assess_decision: None,
            assess_refused: false,
            not_issue: None,
            final_issued: None,
            existing: None,
            transferred_in: false,
            week20_exception: false,
            ceased: None,
            cease_reason: None,
            withdrawn: None,
            transferred_out: None,
            delays: 0,
            reviews: (0, 0),
            disputes: (0, 0),
            plan_versions: (0, 0),
        };
        let d_start = self.table.disputes.len() as u32;
        let v_start = self.table.plan_versions.len() as u32;
        let flags = |plan: &waymark_domain::plan::PlanContents| {
            u8::from(plan.personal_budget.personal_budget)
                | u8::from(plan.residential.is_some()) << 1
                | u8::from(plan.work_based.is_some()) << 2
        };
        let mut decisions: Vec<(Date, ReviewOutcome)> = Vec::new();
        for e in events {
            match &e.kind {
                E::DecidedToAssess | E::DecidedNotToAssess if row.assess_decision.is_none() => {
                    row.assess_decision = Some(e.date);
                    row.assess_refused = matches!(e.kind, E::DecidedNotToAssess);
                }
                E::DecidedNotToIssue if row.not_issue.is_none() => row.not_issue = Some(e.date),
                E::FinalIssued { plan } if row.final_issued.is_none() => {
                    row.final_issued = Some(e.date);
                    self.table.plan_versions.push(PlanVersionRow { from: e.date, flags: flags(plan) });
                }
                E::ExistingPlan { plan, transferred_from } => {
                    row.existing = Some(e.date);
                    row.transferred_in = transferred_from.is_some();
                    self.table.plan_versions.push(PlanVersionRow { from: e.date, flags: flags(plan) });
                }
                E::AmendedFinalIssued { plan } => self.table.plan_versions.push(PlanVersionRow { from: e.date, flags: flags(plan) }),
                E::Ceased { reason } => {
                    row.ceased = Some(e.date);
                    row.cease_reason = Some(*reason);
                }
                E::Withdrawn => row.withdrawn = Some(e.date),
                E::TransferredOut { .. } => row.transferred_out = Some(e.date),
                E::ReviewDecision { outcome } => decisions.push((e.date, *outcome)),
                E::MediationHeld { decision } => {
                    self.table.disputes.push(DisputeRow { case: case_index, date: e.date, appeal: false, decision: *decision })
                }
                E::AppealLodged { decision } => {
                    self.table.disputes.push(DisputeRow { case: case_index, date: e.date, appeal: true, decision: *decision })
                }
                _ => {}
            }
        }
        row.disputes = (d_start, self.table.disputes.len() as u32);
        row.plan_versions = (v_start, self.table.plan_versions.len() as u32);
        let r_start = self.table.reviews.len() as u32;
        match evaluate(&case.clock_input(), self.as_of) {
            Ok(report) => {
                row.week20_exception = report.week20_exception.unwrap_or(false);
                for d in &report.delays {
                    row.delays |= delay_bit(d.stage, d.party);
                }
                for step in report.steps.iter().filter(|s| s.step == "annual_review") {
                    // The decision after the meeting (reg 20(10)): the first one on or after it.
                    let decided = step.done.and_then(|m| decisions.iter().find(|(d, _)| *d >= m).copied());
                    self.table.reviews.push(ReviewRow {
                        case: case_index,
                        due: step.due,
                        meeting: step.done,
                        decision: decided.map(|d| d.0),
                        outcome: decided.map(|d| d.1),
                    });
                }
            }
            Err(_) => self.table.clock_errors += 1,
        }
        row.reviews = (r_start, self.table.reviews.len() as u32);
        self.table.cases.push(row);
        self.table.case_ids.push(case_id);
    }

    /// Add facts about the person added last. Free school meals and the locality come from the
    /// latest school census that records them, when there is one.
    pub fn add_facts(&mut self, rows: impl IntoIterator<Item = FactRow>) {
        let Some(person) = self.table.persons.last_mut() else { return };
        let start = person.facts.0 as usize;
        self.table.facts.extend(rows);
        let mine = &mut self.table.facts[start..];
        mine.sort_by_key(|r| (r.kind, r.start));
        person.facts.1 = self.table.facts.len() as u32;
        let census = self.table.facts[start..].iter().filter(|r| r.kind == FactKind::Census);
        if let Some(last) = census.clone().next_back() {
            person.fsm = i8::from(last.flag(1));
        }
        if let Some(l) = census.rev().find(|r| r.n2 >= 0) {
            person.locality = l.n2 as u16;
        }
    }

    /// The finished table. Persons must have been added LA by LA (each LA's people together), as the
    /// synthetic generator and the store's reads give them; [`PersonTable::la_ranges`] relies on it.
    pub fn finish(self) -> PersonTable {
        self.table
    }
}

impl PersonTable {
    /// Replace one case's rows with those of its history now (`events`, those up to the table's day),
    /// leaving every other row as it was: how a cached table follows a case change without being read
    /// again. The case keeps its place and its person. `false` (and the table unchanged) when the case is
    /// not in the table, belongs to another child, or its history no longer replays (the caller then
    /// builds the table again, which counts such cases in `clock_errors`).
    pub fn replace_case(&mut self, case_id: CaseId, child: &Child, events: &[CaseEvent]) -> bool {
        let Some(as_of) = self.as_of else { return false };
        // A case the clock could not evaluate is counted, not marked: with any, only a rebuild knows
        // whether this case was one.
        if self.clock_errors > 0 {
            return false;
        }
        let Some(index) = self.case_ids.iter().position(|c| *c == case_id) else { return false };
        let old = self.cases[index];
        let events: Vec<CaseEvent> = events.iter().filter(|e| e.date <= as_of).cloned().collect();
        let mut one = TableBuilder::new(as_of);
        one.add_case(old.person, case_id, child, &events);
        let mut new = one.finish();
        if new.clock_errors > 0 || new.cases.len() != 1 {
            return false;
        }
        let mut row = new.cases[0];
        for r in &mut new.reviews {
            r.case = index as u32;
        }
        for d in &mut new.disputes {
            d.case = index as u32;
        }
        // Each child array is spliced where the old rows were; every later case's range moves by the
        // difference in length.
        fn splice<T>(rows: &mut Vec<T>, old: (u32, u32), new: Vec<T>) -> ((u32, u32), i64) {
            let len = new.len() as u32;
            rows.splice(old.0 as usize..old.1 as usize, new);
            ((old.0, old.0 + len), i64::from(len) - i64::from(old.1 - old.0))
        }
        let (reviews, dr) = splice(&mut self.reviews, old.reviews, new.reviews);
        let (disputes, dd) = splice(&mut self.disputes, old.disputes, new.disputes);
        let (plan_versions, dv) = splice(&mut self.plan_versions, old.plan_versions, new.plan_versions);
        row.reviews = reviews;
        row.disputes = disputes;
        row.plan_versions = plan_versions;
        self.cases[index] = row;
        let shift = |r: &mut (u32, u32), by: i64| {
            r.0 = (i64::from(r.0) + by) as u32;
            r.1 = (i64::from(r.1) + by) as u32;
        };
        for c in &mut self.cases[index + 1..] {
            shift(&mut c.reviews, dr);
            shift(&mut c.disputes, dd);
            shift(&mut c.plan_versions, dv);
        }
        true
    }

    /// An LA's share of each array. Persons of one LA are contiguous (the builders add them so).
    pub fn la_ranges(&self) -> Vec<LaRange> {
        let mut out =
            vec![LaRange { persons: (u32::MAX, 0), cases: (u32::MAX, 0), reviews: (u32::MAX, 0), disputes: (u32::MAX, 0) }; self.las.len()];
        let widen = |r: &mut (u32, u32), a: u32, b: u32| {
            if a < b {
                r.0 = r.0.min(a);
                r.1 = r.1.max(b);
            }
        };
        let mut case_i = 0usize;
        for (i, p) in self.persons.iter().enumerate() {
            let r = &mut out[p.la as usize];
            widen(&mut r.persons, i as u32, i as u32 + 1);
            while case_i < self.cases.len() && self.cases[case_i].person as usize == i {
                let c = &self.cases[case_i];
                widen(&mut r.cases, case_i as u32, case_i as u32 + 1);
                widen(&mut r.reviews, c.reviews.0, c.reviews.1);
                widen(&mut r.disputes, c.disputes.0, c.disputes.1);
                case_i += 1;
            }
        }
        for r in &mut out {
            for range in [&mut r.persons, &mut r.cases, &mut r.reviews, &mut r.disputes] {
                if range.0 == u32::MAX {
                    *range = (0, 0);
                }
            }
        }
        out
    }

    /// A person's facts of one kind, by date.
    #[inline]
    pub fn facts_of(&self, person: &PersonRow, kind: FactKind) -> &[FactRow] {
        let rows = &self.facts[person.facts.0 as usize..person.facts.1 as usize];
        // Rows are in kind order; a person with years of census and attendance rows has dozens, so
        // a binary search for the kind's first and last row beats a scan (most time went on scans
        // past them to reach the later kinds: care services, health checks).
        let a = rows.partition_point(|r| r.kind < kind);
        let b = a + rows[a..].partition_point(|r| r.kind == kind);
        &rows[a..b]
    }

    /// Free school meals on a day: from the latest census on or before it, else the person's own
    /// (latest census, or as recorded).
    pub fn fsm_on(&self, person: &PersonRow, d: Date) -> bool {
        match self.facts_of(person, FactKind::Census).iter().rev().find(|r| r.start <= d) {
            Some(r) => r.flag(1),
            None => person.fsm == 1,
        }
    }

    /// SEN status and primary need of a person on a day.
    pub fn sen_on(&self, person: &PersonRow, d: Date) -> (SenStatus, Option<NeedCode>) {
        let rows = &self.sen[person.sen.0 as usize..person.sen.1 as usize];
        match rows.iter().rev().find(|r| r.from <= d) {
            Some(r) => (r.status, r.need),
            None => (SenStatus::NoSen, None),
        }
    }

    /// The placement attended on a day (the latest entered, where two overlap).
    pub fn placement_on(&self, person: &PersonRow, d: Date) -> Option<&PlacementRow> {
        let rows = &self.placements[person.placements.0 as usize..person.placements.1 as usize];
        rows.iter().rev().find(|p| p.entry <= d && p.leaving.is_none_or(|l| d <= l))
    }

    /// Flags of the plan version in force on a day.
    pub fn plan_flags_on(&self, case: &CaseRow, d: Date) -> u8 {
        let rows = &self.plan_versions[case.plan_versions.0 as usize..case.plan_versions.1 as usize];
        rows.iter().rev().find(|v| v.from <= d).map_or(0, |v| v.flags)
    }

    /// Years with activity: from the first request or plan to the year before `as_of`.
    pub fn years(&self) -> Vec<i32> {
        let Some(as_of) = self.as_of else { return Vec::new() };
        let first = self
            .cases
            .iter()
            .filter_map(|c| c.final_issued.or(c.received))
            .min()
            .map_or(as_of.year() - 1, |d| d.year().max(as_of.year() - 10));
        // The first year is complete only if requests were recorded from its start.
        let first = if self.cases.iter().filter_map(|c| c.received).min().is_some_and(|d| d.month() > 1 || d.day() > 7) {
            first + 1
        } else {
            first
        };
        (first..as_of.year()).collect()
    }
}

/// Age in completed years on 31 August before `d` (the basis of school year groups).
pub fn age_at_start_of_academic_year(birth_month: Date, d: Date) -> i32 {
    let aug31_year = if d.month() >= 9 { d.year() } else { d.year() - 1 };
    // Born in September or later of year y: turns a year older after 31 August.
    aug31_year - birth_month.year() - i32::from(birth_month.month() > 8)
}

/// Age in completed years on `d`, from the month of birth (the birthday taken as the 1st).
pub fn age_on(birth_month: Date, d: Date) -> i32 {
    let mut age = d.year() - birth_month.year();
    if d.month() < birth_month.month() {
        age -= 1;
    }
    age
}

/// Days from `a` to `b`.
pub fn days(a: Date, b: Date) -> i64 {
    days_between(a, b)
}

/// Build the table for synthetic areas, with their settings' kinds and localities (casework and
/// placements only; [`from_synth_with_facts`] adds the generated person-level facts).
pub fn from_synth(areas: &[(&waymark_synth::LaProfile, &waymark_synth::LaData)]) -> PersonTable {
    let with: Vec<_> = areas.iter().map(|(p, d)| (*p, *d, None)).collect();
    build_synth(&with)
}

/// Build the table for synthetic areas with the facts generated for them
/// (`waymark_synth::generate_facts`): whatever datasets the generator produces.
pub fn from_synth_with_facts(areas: &[(&waymark_synth::LaProfile, &waymark_synth::LaData, &waymark_synth::LaFacts)]) -> PersonTable {
    let with: Vec<_> = areas.iter().map(|(p, d, f)| (*p, *d, Some(*f))).collect();
    build_synth(&with)
}

/// The generated facts of one LA as rows, per person.
fn synth_fact_rows(people: usize, f: &waymark_synth::LaFacts) -> Vec<Vec<FactRow>> {
    use crate::facts::NO_NUMBER;
    let mut out: Vec<Vec<FactRow>> = vec![Vec::new(); people];
    let ay = |y: i32| (date_in_year(y, 9, 1).unwrap_or(Date::MIN), date_in_year(y + 1, 8, 31).unwrap_or(Date::MAX));
    for r in &f.census {
        let mut row = FactRow::new(FactKind::Census, r.date, Some(r.date));
        row.code = match r.status {
            SenStatus::NoSen => 0,
            SenStatus::SenSupport => 1,
            SenStatus::EhcPlan => 2,
        };
        row.flags = u8::from(r.fsm);
        row.n1 = r.primary_need.as_deref().and_then(|c| NeedCode::ALL.iter().position(|n| n.code() == c)).map_or(-1, |i| i as i32);
        row.n2 = -1;
        out[r.person].push(row);
    }
    for r in &f.attendance {
        let (a, b) = ay(r.year);
        let mut row = FactRow::new(FactKind::Attendance, a, Some(b));
        row.n1 = r.possible as i32;
        row.n2 = (r.authorised + r.unauthorised) as i32;
        out[r.person].push(row);
    }
    for r in &f.exclusions {
        let kind = if r.permanent { FactKind::PermanentExclusion } else { FactKind::Suspension };
        let mut row = FactRow::new(kind, r.start, Some(r.start));
        row.n1 = r.sessions.map_or(NO_NUMBER, |s| s as i32);
        out[r.person].push(row);
    }
    for r in &f.ks2 {
        let (a, b) = ay(r.year);
        let mut row = FactRow::new(FactKind::Ks2, a, Some(b));
        row.flags = u8::from(r.reading >= 100) | u8::from(r.writing) << 1 | u8::from(r.maths >= 100) << 2;
        out[r.person].push(row);
    }
    for r in &f.ks4 {
        let (a, b) = ay(r.year);
        let mut row = FactRow::new(FactKind::Ks4, a, Some(b));
        row.flags = u8::from(r.english_maths_grade4);
        row.n1 = r.attainment8 as i32;
        out[r.person].push(row);
    }
    let mut push = |person: usize, kind: FactKind, start: Date, end: Option<Date>, code: &str, flags: u8, n1: i32| {
        if let Some(v) = out.get_mut(person) {
            let mut row = FactRow::new(kind, start, end);
            row.code = kind.code_of(code).unwrap_or(0);
            row.flags = flags;
            row.n1 = n1;
            v.push(row);
        }
    };
    let e = &f.education;
    for r in &e.reduced_timetables {
        push(r.person, FactKind::ReducedTimetable, r.start, r.end, "", 0, NO_NUMBER);
    }
    for r in &e.ehe {
        push(r.person, FactKind::ElectiveHomeEducation, r.start, r.end, "", 0, NO_NUMBER);
    }
    for r in &e.eyfsp {
        let (a, b) = ay(r.year);
        push(r.person, FactKind::Eyfsp, a, Some(b), "", u8::from(r.good_level), NO_NUMBER);
    }
    for r in &e.phonics {
        let (a, b) = ay(r.year);
        push(r.person, FactKind::Phonics, a, Some(b), &r.year_group.to_string(), u8::from(r.met), NO_NUMBER);
    }
    for r in &e.level_by_19 {
        let (a, b) = ay(r.year);
        let flags = u8::from(r.level2) | 2 | u8::from(r.level2_english_maths) << 2 | u8::from(r.level3) << 3;
        push(r.person, FactKind::LevelBy19, a, Some(b), "", flags, NO_NUMBER);
    }
    let sc = &f.social_care;
    for r in &sc.cin {
        push(r.person, FactKind::ChildInNeed, r.start, r.end, r.need, 0, NO_NUMBER);
    }
    for r in &sc.child_protection {
        push(r.person, FactKind::ChildProtection, r.start, r.end, r.category, 0, NO_NUMBER);
    }
    for r in &sc.looked_after {
        use waymark_domain::facts::social_care::{LegalStatus, PlacementKind};
        let short = LegalStatus::ALL.iter().find(|l| l.code() == r.legal_status).is_some_and(|l| l.is_short_breaks());
        let ifa = PlacementKind::ALL.iter().find(|p| p.code() == r.placement).is_some_and(|p| p.is_ifa_or_residential());
        push(r.person, FactKind::LookedAfter, r.start, r.end, r.placement, u8::from(short) | u8::from(ifa) << 1, NO_NUMBER);
    }
    for r in &sc.care_services {
        push(r.person, FactKind::CareService, r.start, r.end, r.service, 0, NO_NUMBER);
    }
    let h = &f.health;
    for r in &h.two_year_reviews {
        push(r.person, FactKind::TwoYearReview, r.date, Some(r.date), "", u8::from(r.asq.iter().all(|a| *a != "below")), NO_NUMBER);
    }
    for r in &h.checks {
        push(r.person, FactKind::HealthCheck, r.date, Some(r.date), r.check, u8::from(r.outcome == "completed"), NO_NUMBER);
    }
    for r in &h.referrals {
        let seen = r.first_appointment.map_or(NO_NUMBER, |a| days(r.referral, a) as i32);
        push(r.person, FactKind::HealthReferral, r.referral, r.closed, r.service, 0, seen);
    }
    for r in &f.post16.activity {
        let first = date_in_year(r.month.0, r.month.1, 1).unwrap_or(Date::MIN);
        let last = date_in_year(r.month.0 + i32::from(r.month.1 == 12), r.month.1 % 12 + 1, 1).and_then(|d| d.pred_opt()).unwrap_or(first);
        push(r.person, FactKind::Post16Activity, first, Some(last), r.activity, 0, NO_NUMBER);
    }
    for r in &f.post16.youth_justice {
        push(r.person, FactKind::YouthJustice, r.start, r.end, r.kind, 0, NO_NUMBER);
    }
    out
}

fn build_synth(areas: &[(&waymark_synth::LaProfile, &waymark_synth::LaData, Option<&waymark_synth::LaFacts>)]) -> PersonTable {
    let mut b = TableBuilder::new(waymark_synth::la::as_of());
    for (profile, data, facts) in areas {
        let mut fact_rows = facts.map(|f| synth_fact_rows(data.people.len(), f));
        let settings: HashMap<&SettingRef, (SettingKind, usize)> =
            data.settings.iter().map(|s| (&s.setting, (SettingKind::from_synth(s.kind), s.locality))).collect();
        let lookup = |r: &SettingRef| match r {
            SettingRef::Code(c) => (SettingKind::from_code(*c), None),
            other => match settings.get(other) {
                Some((k, loc)) => (*k, profile.localities.get(*loc).cloned()),
                None => (SettingKind::Unknown, None),
            },
        };
        for (i, p) in data.people.iter().enumerate() {
            let cases: Vec<(CaseId, &[CaseEvent])> = p.cases.iter().map(|(id, ev)| (*id, ev.as_slice())).collect();
            let locality = profile.localities.get(p.locality).map(String::as_str);
            b.add_person(&p.child, locality, Some(p.free_school_meals), &cases, &p.placements, &lookup);
            if let Some(rows) = fact_rows.as_mut() {
                b.add_facts(std::mem::take(&mut rows[i]));
            }
        }
    }
    b.finish()
}

/// Describe a setting by its code alone (for data with no reference list of settings).
pub fn code_only_lookup(r: &SettingRef) -> (SettingKind, Option<String>) {
    match r {
        SettingRef::Code(c) => (SettingKind::from_code(*c), None),
        _ => (SettingKind::Unknown, None),
    }
}

/// A setting lookup from the reference data's settings (GIAS-grouped type and locality).
pub fn reference_lookup(
    settings: &[waymark_domain::facts::reference::Setting],
) -> impl Fn(&SettingRef) -> (SettingKind, Option<String>) + '_ {
    reference_lookup_named(settings, |s| s.locality.as_ref().map(|l| l.as_str().to_owned()))
}

/// As [`reference_lookup`], naming each setting's locality with `locality` (e.g. its name for its code).
pub fn reference_lookup_named<'a>(
    settings: &'a [waymark_domain::facts::reference::Setting],
    locality: impl Fn(&waymark_domain::facts::reference::Setting) -> Option<String> + 'a,
) -> impl Fn(&SettingRef) -> (SettingKind, Option<String>) + 'a {
    let by_urn: HashMap<String, &waymark_domain::facts::reference::Setting> = settings.iter().map(|s| (s.urn.to_string(), s)).collect();
    let by_ukprn: HashMap<String, &waymark_domain::facts::reference::Setting> =
        settings.iter().filter_map(|s| s.ukprn.as_ref().map(|u| (u.to_string(), s))).collect();
    move |r: &SettingRef| {
        let found = match r {
            SettingRef::Code(c) => return (SettingKind::from_code(*c), None),
            SettingRef::Urn(u) => by_urn.get(&u.to_string()),
            SettingRef::Ukprn(u) => by_ukprn.get(&u.to_string()),
        };
        match found {
            Some(s) => (SettingKind::from_reference(s.setting_type), locality(s)),
            None => (SettingKind::Unknown, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn school_year_age_is_taken_on_31_august() {
        // Born March 2015: 9 on 31 August 2024, so in Year 5 in 2024/25.
        assert_eq!(age_at_start_of_academic_year(d("2015-03-01"), d("2025-01-16")), 9);
        // Born October 2014: still 9 on 31 August 2024.
        assert_eq!(age_at_start_of_academic_year(d("2014-10-01"), d("2025-01-16")), 9);
        assert_eq!(age_at_start_of_academic_year(d("2014-08-01"), d("2025-01-16")), 10);
        assert_eq!(age_on(d("2015-03-01"), d("2025-02-28")), 9);
        assert_eq!(age_on(d("2015-03-01"), d("2025-03-01")), 10);
    }
}
