//! Computing a framework: for each indicator, scope (England, each LA, each locality), period and
//! cohort, the numerator, denominator and value, with its target, RAG rating and comparators.

use crate::definition::{Cohort, Dimension, Framework, Indicator, MeasureKind, Polarity, Unit};
use crate::expr::{attendance_totals, facts, for_each_record, person_in_base_term, test, Base, Expr, Facts, Field, Phase, Rec};
use crate::facts::FactKind;
use crate::period::{year_of_label, Period};
use crate::table::{LaRange, PersonTable, SettingKind, NONE};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use waymark_domain::child::SenStatus;
use waymark_domain::identifiers::LaCode;
use waymark_domain::need::NeedCode;

/// Which areas to compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// England (every LA in the table together), each LA, and each LA's localities.
    All,
    /// England only.
    England,
    /// One LA and its localities.
    La(LaCode),
}

/// Which periods: every year with data, or one year (`2024`, `2024/25`...: see [`crate::period`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodSel {
    AllYears,
    Year(i32),
}

impl PeriodSel {
    pub fn parse(text: &str) -> Option<Self> {
        if text == "all" {
            return Some(Self::AllYears);
        }
        year_of_label(text).map(Self::Year)
    }
}

/// Red, amber or green.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    Red,
    Amber,
    Green,
}

impl Rag {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Amber => "amber",
            Self::Green => "green",
        }
    }
}

/// Where a result stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Counted from records.
    Computed,
    /// Entered by hand.
    Manual,
    /// A manual indicator with no value entered for this period and area.
    ManualMissing,
    /// Needs person-level facts that are not loaded.
    AwaitingData,
    /// A manual indicator computed from survey answers (issue 16): the denominator is the number of
    /// answers, the numerator the positive ones.
    Surveyed,
    /// The denominator is zero.
    NoDenominator,
}

/// One value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    pub framework: String,
    pub indicator: String,
    pub period: String,
    /// `england`, or the LA's code.
    pub la: String,
    /// `all`, `ehc_plan`, `gap_ehc_plan`, a predicate conjunction, or `DIMENSION=VALUE` for a breakdown
    /// (`locality=North`, `need=ASD`).
    pub cohort: String,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub value: Option<f64>,
    pub target: Option<f64>,
    pub rag: Option<Rag>,
    pub status: Status,
    pub england: Option<f64>,
    pub neighbours: Option<f64>,
    /// What the rating compared the value with (the local target, or England's latest figure).
    pub comparator: Option<Comparator>,
    /// Why there is no rating, where there is none.
    pub not_rated: Option<NotRated>,
    /// Hidden on suppressed pages although not small itself, because a small figure beside it could
    /// otherwise be worked out from the total (secondary suppression: [`crate::present::protect_from_differencing`]).
    #[serde(skip)]
    pub protected: bool,
}

/// What a value was rated against: the one rule of [`rate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparator {
    pub against: Against,
    /// The period of the figure compared with (England's latest may be an earlier year).
    pub period: String,
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Against {
    /// The local target for the period (set in the application, else the pack's).
    Target,
    /// England's figure for the period, else its latest published before it.
    England,
}

/// Why a value has no rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotRated {
    /// No value to rate (awaiting data, not entered, nothing to count).
    NoValue,
    /// Higher or lower is neither better nor worse.
    Neutral,
    /// A count with no local target: a count cannot be compared with England's.
    CountWithoutTarget,
    /// No local target and no England figure.
    NoComparator,
}

impl NotRated {
    /// The reason in a few words, for a table cell.
    pub fn short(self) -> &'static str {
        match self {
            Self::NoValue => "No value",
            Self::Neutral => "Not rated: neither higher nor lower is better",
            Self::CountWithoutTarget => "No local target (a count)",
            Self::NoComparator => "No target or England figure",
        }
    }

    /// The reason in a sentence, for pages and exports.
    pub fn sentence(self) -> &'static str {
        match self {
            Self::NoValue => "There is no value to rate.",
            Self::Neutral => "A higher or lower figure is neither better nor worse, so it is not rated.",
            Self::CountWithoutTarget => "A count is rated only against a local target, and none is set for this period.",
            Self::NoComparator => "No local target is set and England has no published figure to compare with.",
        }
    }
}

/// Every value computed for a framework.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub framework: String,
    pub title: String,
    pub rows: Vec<ResultRow>,
    pub periods: Vec<String>,
}

impl Results {
    /// The rows of one indicator, scope and cohort in period order (a trend).
    pub fn trend<'a>(&'a self, indicator: &'a str, la: &'a str, cohort: &'a str) -> impl Iterator<Item = &'a ResultRow> + 'a {
        self.rows.iter().filter(move |r| r.indicator == indicator && r.la == la && r.cohort == cohort)
    }
}

/// Values and targets entered by hand: values by (framework, indicator, period, la, cohort); local
/// targets by (framework, indicator, period, la), which take the place of the pack's for that LA.
#[derive(Debug, Clone, Default)]
pub struct ManualValues {
    pub values: HashMap<(String, String, String, String, String), f64>,
    pub targets: HashMap<(String, String, String, String), f64>,
    /// Survey answers for manual indicators with a survey source, by (framework, indicator, period,
    /// la): (positive answers, answers). Where present they take the place of a value entered by hand.
    pub surveyed: HashMap<(String, String, String, String), (u64, u64)>,
}

impl ManualValues {
    pub fn get(&self, fw: &str, ind: &str, period: &str, la: &str, cohort: &str) -> Option<f64> {
        self.values.get(&(fw.to_owned(), ind.to_owned(), period.to_owned(), la.to_owned(), cohort.to_owned())).copied()
    }
    pub fn target(&self, fw: &str, ind: &str, period: &str, la: &str) -> Option<f64> {
        if self.targets.is_empty() {
            return None;
        }
        self.targets.get(&(fw.to_owned(), ind.to_owned(), period.to_owned(), la.to_owned())).copied()
    }
}

/// What person-level fact datasets are loaded (a facts measure is computed only when its dataset is).
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub fact_datasets: Vec<String>,
}

/// Round half away from zero to tenths, in integers: `num / den * scale`.
fn ratio_1dp(num: u64, den: u64, scale: u64) -> f64 {
    let n = u128::from(num) * u128::from(scale) * 20 + u128::from(den);
    let tenths = n / (2 * u128::from(den));
    tenths as f64 / 10.0
}

/// The value of a count pair in a unit.
pub fn value_of(unit: Unit, num: u64, den: Option<u64>) -> Option<f64> {
    match unit {
        Unit::Count => Some(num as f64),
        Unit::Percent => den.filter(|d| *d > 0).map(|d| ratio_1dp(num, d, 100)),
        Unit::RatePer1000 => den.filter(|d| *d > 0).map(|d| ratio_1dp(num, d, 1000)),
        Unit::Average => den.filter(|d| *d > 0).map(|d| ratio_1dp(num, d, 1)),
    }
}

/// England's figure to rate a period against: the same period's, else the latest published before it.
pub fn england_for<'a>(ind: &'a Indicator, period: &str) -> Option<(&'a str, f64)> {
    if let Some((p, v)) = ind.england.get_key_value(period) {
        return Some((p.as_str(), *v));
    }
    ind.england.iter().rfind(|(p, _)| p.as_str() < period).map(|(p, v)| (p.as_str(), *v))
}

/// The rating rule, one for every measure: against the local target for the period where one is set,
/// else against England's figure for the period (or its latest before it); green when the value meets it
/// (by polarity), amber within the band the pack declares (`amber_within`, in percent of the comparator
/// or in points), red otherwise. A count is rated only against a local target, never against England's
/// count. Returns the rating and what it compared with, or why there is none.
pub fn rate(ind: &Indicator, value: Option<f64>, target: Option<f64>, period: &str) -> Result<(Rag, Comparator), NotRated> {
    let v = value.ok_or(NotRated::NoValue)?;
    if ind.polarity == Polarity::Neutral {
        return Err(NotRated::Neutral);
    }
    let comparator = match target {
        Some(t) => Comparator { against: Against::Target, period: period.to_owned(), value: t },
        None if ind.unit == Unit::Count => return Err(NotRated::CountWithoutTarget),
        None => match england_for(ind, period) {
            Some((p, e)) => Comparator { against: Against::England, period: p.to_owned(), value: e },
            None => return Err(NotRated::NoComparator),
        },
    };
    let goal = comparator.value;
    let better = if ind.polarity == Polarity::HigherIsBetter { v - goal } else { goal - v };
    if better >= -1e-9 {
        return Ok((Rag::Green, comparator));
    }
    let margin = if ind.rag.points { ind.rag.amber_within } else { goal.abs() * ind.rag.amber_within / 100.0 };
    Ok((if -better <= margin + 1e-9 { Rag::Amber } else { Rag::Red }, comparator))
}

/// The rating alone (see [`rate`]).
pub fn rag(ind: &Indicator, value: Option<f64>, target: Option<f64>, period: &str) -> Option<Rag> {
    rate(ind, value, target, period).ok().map(|(r, _)| r)
}

/// Counts for one expression in one area and period: per cohort, per SEN status (for gaps) and per
/// breakdown value.
#[derive(Debug, Clone)]
struct Counts {
    cohorts: Vec<u64>,
    sen: [u64; 3],
    dims: Vec<Vec<u64>>,
}

impl Counts {
    fn new(t: &PersonTable, ind: &Indicator) -> Self {
        Counts { cohorts: vec![0; ind.cohorts.len()], sen: [0; 3], dims: ind.breakdowns.iter().map(|d| vec![0; dim_size(t, *d)]).collect() }
    }

    fn add(&mut self, o: &Counts) {
        for (a, b) in self.cohorts.iter_mut().zip(&o.cohorts) {
            *a += b;
        }
        for (a, b) in self.sen.iter_mut().zip(&o.sen) {
            *a += b;
        }
        for (da, db) in self.dims.iter_mut().zip(&o.dims) {
            for (a, b) in da.iter_mut().zip(db) {
                *a += b;
            }
        }
    }

    /// Count one record of weight `w`: `in_cohort[i]` says whether it is in cohort `i`, `codes` its value
    /// in each breakdown.
    fn tally(&mut self, in_cohort: &[bool], sen: SenStatus, codes: &[usize], w: u64) {
        for (i, yes) in in_cohort.iter().enumerate() {
            if *yes {
                self.cohorts[i] += w;
            }
        }
        match sen {
            SenStatus::EhcPlan => self.sen[0] += w,
            SenStatus::SenSupport => self.sen[1] += w,
            SenStatus::NoSen => self.sen[2] += w,
        }
        for (di, c) in codes.iter().enumerate() {
            self.dims[di][*c] += w;
        }
    }
}

fn dim_size(t: &PersonTable, d: Dimension) -> usize {
    match d {
        Dimension::Need => NeedCode::ALL.len() + 1,
        Dimension::BroadNeed => 6,
        Dimension::Phase => Phase::ALL.len(),
        Dimension::Setting => SettingKind::ALL.len(),
        Dimension::Locality => t.localities.len() + 1,
        Dimension::Sex => 2,
        Dimension::Fsm => 3,
    }
}

fn dim_code(t: &PersonTable, d: Dimension, rec: &Rec, f: &Facts) -> usize {
    let p = &t.persons[rec.person as usize];
    match d {
        Dimension::Need => f.need.map_or(NeedCode::ALL.len(), |n| NeedCode::ALL.iter().position(|x| *x == n).unwrap_or(0)),
        Dimension::BroadNeed => f.need.map_or(5, |n| n.broad_area() as usize),
        Dimension::Phase => Phase::ALL.iter().position(|(_, x)| *x == f.phase).unwrap_or(0),
        Dimension::Setting => SettingKind::ALL.iter().position(|x| *x == f.setting).unwrap_or(0),
        Dimension::Locality => {
            if p.locality == NONE {
                t.localities.len()
            } else {
                p.locality as usize
            }
        }
        Dimension::Sex => usize::from(p.sex == 2),
        Dimension::Fsm => {
            if t.facts_of(p, FactKind::Census).is_empty() {
                (p.fsm + 1) as usize
            } else {
                1 + usize::from(t.fsm_on(p, rec.anchor))
            }
        }
    }
}

fn dim_label(t: &PersonTable, d: Dimension, code: usize) -> String {
    let v = match d {
        Dimension::Need => NeedCode::ALL.get(code).map_or("unknown", |n| n.code()).to_owned(),
        Dimension::BroadNeed => {
            ["communication_and_interaction", "cognition_and_learning", "semh", "sensory_and_physical", "none", "unknown"]
                .get(code)
                .copied()
                .unwrap_or("unknown")
                .to_owned()
        }
        Dimension::Phase => Phase::ALL.get(code).map_or("unknown", |p| p.0).to_owned(),
        Dimension::Setting => SettingKind::ALL.get(code).map_or("unknown", |k| k.key()).to_owned(),
        Dimension::Locality => t.localities.get(code).cloned().unwrap_or_else(|| "unknown".into()),
        Dimension::Sex => if code == 1 { "F" } else { "M" }.to_owned(),
        Dimension::Fsm => ["unknown", "no", "yes"].get(code).copied().unwrap_or("unknown").to_owned(),
    };
    format!("{}={v}", d.key())
}

/// One LA's share of the table while it is being counted: its ranges, its localities, and the person
/// facts on each reference day, worked out once and shared by every indicator.
struct LaScope {
    range: LaRange,
    /// The localities its people live in, in id order.
    localities: Vec<u16>,
    /// Locality id → position in `localities` (u32::MAX when not one of them).
    slot: Vec<u32>,
    /// The records of each base set in each period, with their person's facts on the record's date.
    record_lists: HashMap<(Base, Period), Vec<(Rec, Facts)>>,
    /// People's facts on each reference day (persons in the LA's order).
    snapshots: HashMap<waymark_domain::calendar::Date, Vec<Facts>>,
    /// The kinds of fact each person has (a bit per `FactKind`), persons in the LA's order.
    kinds_of: Vec<u32>,
    /// The first and last day facts of each kind start or end on in the LA.
    kind_span: Vec<(waymark_domain::calendar::Date, waymark_domain::calendar::Date)>,
    /// Each record list's SEN statuses (0 EHC plan, 1 SEN support, 2 none) and localities (3 + slot) as bitsets.
    group_bits: HashMap<(Base, Period), Vec<Vec<u64>>>,
    /// Each predicate's result over a record list, one bit per record, by (base, period, predicate).
    bitsets: HashMap<String, Vec<u64>>,
    /// Counts already made, by expression, period, cohorts and breakdowns.
    memo: HashMap<MemoKey, AreaCounts>,
    /// Which kinds of fact the LA's people have (bit per `FactKind`).
    present: u32,
}

type MemoKey = (String, Period, String, Vec<Dimension>);

impl LaScope {
    fn new(t: &PersonTable, range: LaRange) -> Self {
        let mut localities: Vec<u16> =
            t.persons[range.persons.0 as usize..range.persons.1 as usize].iter().map(|p| p.locality).filter(|l| *l != NONE).collect();
        localities.sort_unstable();
        localities.dedup();
        let mut slot = vec![u32::MAX; t.localities.len() + 1];
        for (i, l) in localities.iter().enumerate() {
            slot[*l as usize] = i as u32;
        }
        let (a, b) = range.persons;
        let kinds_of: Vec<u32> = (a..b)
            .map(|i| {
                let p = &t.persons[i as usize];
                t.facts[p.facts.0 as usize..p.facts.1 as usize].iter().fold(0u32, |m, r| m | 1 << r.kind as u32)
            })
            .collect();
        let present = kinds_of.iter().fold(0u32, |m, k| m | k);
        let mut kind_span = vec![(waymark_domain::calendar::Date::MAX, waymark_domain::calendar::Date::MIN); FactKind::ALL.len()];
        if a < b {
            let (fa, fb) = (t.persons[a as usize].facts.0, t.persons[b as usize - 1].facts.1);
            for r in &t.facts[fa as usize..fb as usize] {
                let span = &mut kind_span[r.kind as usize];
                span.0 = span.0.min(r.start);
                span.1 = span.1.max(r.end.unwrap_or(waymark_domain::calendar::Date::MAX).max(r.start));
            }
        }
        LaScope {
            range,
            localities,
            slot,
            record_lists: HashMap::new(),
            snapshots: HashMap::new(),
            kinds_of,
            kind_span,
            group_bits: HashMap::new(),
            bitsets: HashMap::new(),
            memo: HashMap::new(),
            present,
        }
    }

    fn records(&mut self, t: &PersonTable, base: Base, period: &Period) {
        if self.record_lists.contains_key(&(base, *period)) {
            return;
        }
        let r = self.range;
        let mut out = Vec::new();
        if base.kind() == crate::expr::RecordKind::Person {
            // People's facts on the reference day are worked out once per day, for every base set.
            let on = period.reference;
            let (a, b) = r.persons;
            let snap = self.snapshots.entry(on).or_insert_with(|| (a..b).map(|i| facts(t, &t.persons[i as usize], on)).collect());
            let bit = base.fact_kind().map_or(0, |k| 1u32 << k as u32);
            // A fact base in a period none of the LA's facts of its kind reach is empty.
            if let Some(kind) = base.fact_kind() {
                let (lo, hi) = self.kind_span[kind as usize];
                let (from, to) = if base == Base::CensusPupils { crate::expr::spring_term(on) } else { (period.start, period.end) };
                let reach = if base == Base::Post16Activity { lo <= on && on <= hi } else { lo <= to && from <= hi };
                if !reach {
                    self.group_bits.insert((base, *period), vec![Vec::new(); 3 + self.localities.len()]);
                    self.record_lists.insert((base, *period), out);
                    return;
                }
            }
            out.reserve(snap.len());
            let spring = crate::expr::spring_term(on);
            for (k, f) in snap.iter().enumerate() {
                let i = a + k as u32;
                let p = &t.persons[i as usize];
                let keep = match base {
                    Base::Pupils => f.setting.is_school(),
                    Base::Residents => p.birth_month <= on && f.age <= 25,
                    _ => self.kinds_of[k] & bit != 0 && person_in_base_term(t, p, base, period, spring),
                };
                if keep {
                    let mut f = *f;
                    crate::expr::sen_for_base(t, p, base, &mut f, spring);
                    let rec = Rec {
                        person: i,
                        case: u32::MAX,
                        review: u32::MAX,
                        dispute: u32::MAX,
                        anchor: on,
                        fact: u32::MAX,
                        from: period.start,
                        to: period.end,
                    };
                    out.push((rec, f));
                }
            }
        } else {
            let census_based = crate::expr::census_sen_base(base);
            for_each_record(t, base, period, r.persons, r.cases, r.reviews, r.disputes, |rec| {
                let p = &t.persons[rec.person as usize];
                let mut f = facts(t, p, rec.anchor);
                if census_based {
                    crate::expr::sen_for_base(t, p, base, &mut f, crate::expr::spring_term(rec.anchor));
                }
                out.push((rec, f));
            });
        }
        // Each record's SEN status and locality as bitsets over the list (for counting by bits).
        let words = out.len().div_ceil(64);
        let mut groups = vec![vec![0u64; words]; 3 + self.localities.len()];
        for (i, (rec, f)) in out.iter().enumerate() {
            let j = match f.sen {
                waymark_domain::child::SenStatus::EhcPlan => 0,
                waymark_domain::child::SenStatus::SenSupport => 1,
                waymark_domain::child::SenStatus::NoSen => 2,
            };
            groups[j][i / 64] |= 1 << (i % 64);
            let l = t.persons[rec.person as usize].locality;
            if l != NONE {
                if let Some(slot) = self.slot.get(l as usize).filter(|s| (**s as usize) < self.localities.len()) {
                    groups[3 + *slot as usize][i / 64] |= 1 << (i % 64);
                }
            }
        }
        self.group_bits.insert((base, *period), groups);
        self.record_lists.insert((base, *period), out);
    }

    /// Test a predicate over a record list once; returns the bitset's key.
    fn pred_bits(&mut self, t: &PersonTable, base: Base, period: &Period, pred: &crate::expr::Pred) -> String {
        let key = format!("{base:?}|{}|{}|{pred:?}", period.start, period.end);
        if self.bitsets.contains_key(&key) {
            return key;
        }
        let n = self.record_lists[&(base, *period)].len();
        let bits = if let crate::expr::Pred::Not(inner) = pred {
            // A negation is the complement of its predicate's bitset.
            let k = self.pred_bits(t, base, period, inner);
            let mut bits: Vec<u64> = self.bitsets[&k].iter().map(|w| !w).collect();
            if !n.is_multiple_of(64) {
                if let Some(last) = bits.last_mut() {
                    *last &= (1u64 << (n % 64)) - 1;
                }
            }
            bits
        } else {
            let list = &self.record_lists[&(base, *period)];
            let mut bits = vec![0u64; n.div_ceil(64)];
            // Predicates read from the person's facts on the record's date alone are tested in a loop
            // of their own (most predicates over the people lists are these; the same answers as `test`).
            if let Some(()) = crate::expr::test_on_facts(pred, list.iter().map(|(_, f)| f), &mut bits) {
                self.bitsets.insert(key.clone(), bits);
                return key;
            }
            // A person with none of the kinds of fact a predicate needs cannot pass it.
            let need = pred.needs_kinds();
            let first = self.range.persons.0;
            for (i, (rec, f)) in list.iter().enumerate() {
                if need != 0 && self.kinds_of[(rec.person - first) as usize] & need == 0 {
                    continue;
                }
                if test(t, pred, rec, f) {
                    bits[i / 64] |= 1 << (i % 64);
                }
            }
            bits
        };
        self.bitsets.insert(key.clone(), bits);
        key
    }

    /// Whether the LA's people have every kind of fact an expression reads, in or around the period
    /// (its days and its reference day): before an agency's data starts, a measure awaits data.
    fn has_facts_in(&self, needs: &[u32], period: &Period) -> bool {
        let (from, to) = (period.start.min(period.reference), period.end.max(period.reference));
        needs.iter().all(|mask| {
            FactKind::ALL.iter().any(|k| {
                let bit = 1u32 << *k as u32;
                let (lo, hi) = self.kind_span[*k as usize];
                mask & bit != 0 && self.present & bit != 0 && lo <= to && from <= hi
            })
        })
    }
}

/// An LA's counts and its localities'.
#[derive(Clone)]
struct AreaCounts {
    la: Counts,
    localities: Vec<Counts>,
}

fn count(t: &PersonTable, ind: &Indicator, expr: &Expr, period: &Period, scope: &mut LaScope) -> AreaCounts {
    // Indicators sharing an expression, cohorts and breakdowns (a common denominator) count it once.
    let key = (expr.text.clone(), *period, ind.cohorts.iter().map(|c| c.label()).collect::<Vec<_>>().join("|"), ind.breakdowns.clone());
    if let Some(done) = scope.memo.get(&key) {
        return done.clone();
    }
    let mut out = AreaCounts { la: Counts::new(t, ind), localities: vec![Counts::new(t, ind); scope.localities.len()] };
    let slot = scope.slot.clone();
    let mut in_cohort = vec![false; ind.cohorts.len()];
    let mut codes = vec![0usize; ind.breakdowns.len()];
    let mut add = |out: &mut AreaCounts, i: usize, cohort_bits: &[Option<Vec<u64>>], rec: &Rec, f: &Facts, w: u64| {
        for (c, bits) in in_cohort.iter_mut().zip(cohort_bits) {
            *c = bits.as_ref().is_some_and(|b| b[i / 64] & (1 << (i % 64)) != 0);
        }
        for (c, d) in codes.iter_mut().zip(&ind.breakdowns) {
            *c = dim_code(t, *d, rec, f);
        }
        out.la.tally(&in_cohort, f.sen, &codes, w);
        let l = t.persons[rec.person as usize].locality;
        if l != NONE {
            if let Some(c) = out.localities.get_mut(slot[l as usize] as usize) {
                c.tally(&in_cohort, f.sen, &codes, w);
            }
        }
    };
    for term in &expr.terms {
        // Every indicator reading this base set in this period shares one pass over it: its records,
        // each with its person's facts on the record's date, are listed once, and each predicate is
        // tested once over the list (a bitset); a term is the AND of its predicates' bitsets.
        scope.records(t, term.base, period);
        let keys: Vec<String> = term.preds.iter().map(|p| scope.pred_bits(t, term.base, period, p)).collect();
        // Each cohort's members, the same way (gaps are counted from the SEN status instead).
        let cohort_keys: Vec<Option<Vec<String>>> = ind
            .cohorts
            .iter()
            .map(|c| match c {
                Cohort::Group { preds, .. } => Some(preds.iter().map(|p| scope.pred_bits(t, term.base, period, p)).collect()),
                _ => None,
            })
            .collect();
        let list = &scope.record_lists[&(term.base, *period)];
        let words = list.len().div_ceil(64);
        let n = list.len();
        let and_of = |keys: &[String]| {
            // Every record of the list, then each predicate's.
            let mut bits: Vec<u64> = vec![u64::MAX; words];
            if !n.is_multiple_of(64) {
                if let Some(last) = bits.last_mut() {
                    *last = (1u64 << (n % 64)) - 1;
                }
            }
            for k in keys {
                for (a, b) in bits.iter_mut().zip(&scope.bitsets[k]) {
                    *a &= b;
                }
            }
            bits
        };
        let bits = and_of(&keys);
        let cohort_bits: Vec<Option<Vec<u64>>> = cohort_keys.iter().map(|k| k.as_ref().map(|k| and_of(k))).collect();
        if term.field.is_none() && ind.breakdowns.is_empty() {
            // Counting without breakdowns is counting bits: each cohort, SEN status and locality is a
            // bitset over the list, so a count is the population of their intersection.
            let groups = &scope.group_bits[&(term.base, *period)];
            let pop = |a: &[u64], b: &[u64], c: &[u64]| -> u64 {
                a.iter().zip(b).zip(c).map(|((x, y), z)| u64::from((x & y & z).count_ones())).sum()
            };
            let all = vec![u64::MAX; words];
            let area = |counts: &mut Counts, mask: &[u64]| {
                for (i, cb) in cohort_bits.iter().enumerate() {
                    if let Some(cb) = cb {
                        counts.cohorts[i] += pop(&bits, cb, mask);
                    }
                }
                for (sen, group) in counts.sen.iter_mut().zip(groups.iter()) {
                    *sen += pop(&bits, group, mask);
                }
            };
            area(&mut out.la, &all);
            for (slot_i, c) in out.localities.iter_mut().enumerate() {
                area(c, &groups[3 + slot_i]);
            }
            continue;
        }
        for (wi, word) in bits.iter().enumerate() {
            let mut w = *word;
            while w != 0 {
                let i = wi * 64 + w.trailing_zeros() as usize;
                w &= w - 1;
                let Some((rec, f)) = list.get(i) else { break };
                let weight = match term.field {
                    None => 1,
                    Some(Field::Sessions) => t.facts.get(rec.fact as usize).map_or(0, |x| x.n1.max(0) as u64),
                    Some(field) => person_field(t, &t.persons[rec.person as usize], field, rec),
                };
                add(&mut out, i, &cohort_bits, rec, f, weight);
            }
        }
    }
    scope.memo.insert(key, out.clone());
    out
}

/// A person's quantity in a period (summed over their records of it).
fn person_field(t: &PersonTable, p: &crate::table::PersonRow, field: Field, rec: &Rec) -> u64 {
    match field {
        Field::PossibleSessions => attendance_totals(t, p, rec).0.max(0) as u64,
        Field::AbsentSessions => attendance_totals(t, p, rec).1.max(0) as u64,
        Field::Attainment8 => {
            t.facts_of(p, FactKind::Ks4).iter().filter(|r| rec.from <= r.start && r.start <= rec.to).map(|r| r.n1.max(0) as u64).sum()
        }
        Field::Sessions => 0,
    }
}

/// One (indicator, period) to compute.
struct Job {
    ind: usize,
    label: String,
    period: Period,
}

fn jobs(fw: &Framework, years: &[i32], as_of: Option<waymark_domain::calendar::Date>) -> Vec<Job> {
    let mut out = Vec::new();
    for (i, ind) in fw.indicators.iter().enumerate() {
        if ind.period == crate::period::PeriodKind::Month {
            // Months run up to the data's day, whichever years are chosen for the rest.
            for (label, period) in as_of.map(Period::last_twelve_months).unwrap_or_default() {
                out.push(Job { ind: i, label, period });
            }
            continue;
        }
        // A survey-sourced value is known as answers arrive: its periods run up to the data's day
        // (the year so far included), like months, whichever complete years are chosen (issue 16).
        let mut ys = years.to_vec();
        if let (Some(_), Some(day)) = (&ind.survey, as_of) {
            let y = chrono::Datelike::year(&day);
            for y in [y - 1, y] {
                if !ys.contains(&y) && years.first().is_none_or(|f| y >= *f) {
                    ys.push(y);
                }
            }
            ys.sort_unstable();
        }
        for &y in &ys {
            for (label, period) in Period::for_year(ind.period, y) {
                if ind.survey.is_some() && as_of.is_some_and(|d| period.start > d) {
                    continue;
                }
                out.push(Job { ind: i, label, period });
            }
        }
    }
    out
}

/// A row with its place in the output: (job, area order).
type Keyed = (usize, u64, ResultRow);

const ENGLAND_KEY: u64 = 0;

fn area_key(la_pos: usize, locality_slot: Option<usize>) -> u64 {
    1 + la_pos as u64 * 100_000 + locality_slot.map_or(0, |s| s as u64 + 1)
}

fn sen_index(s: crate::expr::SenSel) -> &'static [usize] {
    match s {
        crate::expr::SenSel::EhcPlan => &[0],
        crate::expr::SenSel::SenSupport => &[1],
        crate::expr::SenSel::AnySen => &[0, 1],
        crate::expr::SenSel::NoSen => &[2],
    }
}

struct RowCtx<'a> {
    fw: &'a Framework,
    ind: &'a Indicator,
    manual: &'a ManualValues,
    label: &'a str,
    period: &'a Period,
    la: String,
    locality: Option<String>,
}

impl RowCtx<'_> {
    fn cohort(&self, label: &str) -> String {
        match &self.locality {
            Some(name) if label == "all" => format!("locality={name}"),
            Some(name) => format!("locality={name} & {label}"),
            None => label.to_owned(),
        }
    }

    fn row(&self, cohort: String, numerator: Option<u64>, denominator: Option<u64>, value: Option<f64>, status: Status) -> ResultRow {
        let _ = self.period;
        // A local target set for the LA applies to its localities and breakdowns too, like the pack's.
        let target =
            self.manual.target(&self.fw.id, &self.ind.id, self.label, &self.la).or_else(|| self.ind.targets.get(self.label).copied());
        let england = self.ind.england.get(self.label).copied();
        let rating = rate(self.ind, value, target, self.label);
        ResultRow {
            framework: self.fw.id.clone(),
            indicator: self.ind.id.clone(),
            period: self.label.to_owned(),
            la: self.la.clone(),
            cohort,
            numerator,
            denominator,
            value,
            target,
            rag: rating.as_ref().ok().map(|(r, _)| *r),
            status,
            england,
            neighbours: self.ind.neighbours.get(self.label).copied(),
            comparator: rating.as_ref().ok().map(|(_, c)| c.clone()),
            not_rated: rating.err(),
            protected: false,
        }
    }

    /// Rows for a records measure from its counts.
    fn records(&self, t: &PersonTable, num: &Counts, den: Option<&Counts>, out: &mut Vec<ResultRow>) {
        let ind = self.ind;
        // Quantities held in hundredths (Attainment 8) average to points.
        let scale =
            if ind.numerator.as_ref().is_some_and(|e| e.terms.iter().any(|t| t.field == Some(Field::Attainment8))) { 100 } else { 1 };
        let pair = |n: u64, d: Option<u64>| {
            let v = if ind.unit == Unit::Average { value_of(ind.unit, n, d.map(|d| d * scale)) } else { value_of(ind.unit, n, d) };
            (v, if v.is_none() { Status::NoDenominator } else { Status::Computed })
        };
        for (i, c) in ind.cohorts.iter().enumerate() {
            match c {
                Cohort::Group { label, .. } => {
                    let (n, d) = (num.cohorts[i], den.map(|d| d.cohorts[i]));
                    let (v, s) = pair(n, d);
                    out.push(self.row(self.cohort(label), Some(n), d, v, s));
                }
                Cohort::Gap { label, group } => {
                    let idx = sen_index(*group);
                    let gn: u64 = idx.iter().map(|i| num.sen[*i]).sum();
                    let gd = den.map(|d| idx.iter().map(|i| d.sen[*i]).sum::<u64>());
                    let (gv, _) = pair(gn, gd);
                    let (nv, _) = pair(num.sen[2], den.map(|d| d.sen[2]));
                    // The gap in percentage points: the group's value less the no-SEN value.
                    let v = match (gv, nv) {
                        (Some(a), Some(b)) => Some(((a - b) * 10.0).round() / 10.0),
                        _ => None,
                    };
                    out.push(self.row(
                        self.cohort(label),
                        None,
                        None,
                        v,
                        if v.is_some() { Status::Computed } else { Status::NoDenominator },
                    ));
                }
                Cohort::GapToAll { label, group } => {
                    let idx = sen_index(*group);
                    let gn: u64 = idx.iter().map(|i| num.sen[*i]).sum();
                    let gd = den.map(|d| idx.iter().map(|i| d.sen[*i]).sum::<u64>());
                    let (gv, _) = pair(gn, gd);
                    let (av, _) = pair(num.sen.iter().sum(), den.map(|d| d.sen.iter().sum()));
                    // The gap in percentage points: the group's value less the whole cohort's.
                    let v = match (gv, av) {
                        (Some(a), Some(b)) => Some(((a - b) * 10.0).round() / 10.0),
                        _ => None,
                    };
                    out.push(self.row(
                        self.cohort(label),
                        None,
                        None,
                        v,
                        if v.is_some() { Status::Computed } else { Status::NoDenominator },
                    ));
                }
            }
        }
        for (di, d) in ind.breakdowns.iter().enumerate() {
            if *d == Dimension::Locality && self.locality.is_some() {
                continue;
            }
            for code in 0..num.dims[di].len() {
                let n = num.dims[di][code];
                let dd = den.map(|x| x.dims[di][code]);
                if n == 0 && dd.unwrap_or(0) == 0 {
                    continue;
                }
                let (v, s) = pair(n, dd);
                out.push(self.row(self.cohort(&dim_label(t, *d, code)), Some(n), dd, v, s));
            }
        }
    }

    /// Rows for a manual or facts measure.
    fn not_counted(&self, manual: &ManualValues, loaded: &Loaded, out: &mut Vec<ResultRow>) {
        for c in &self.ind.cohorts {
            let cohort = self.cohort(c.label());
            match self.ind.measure {
                MeasureKind::Manual
                    if cohort == "all"
                        && self.locality.is_none()
                        && manual.surveyed.contains_key(&(
                            self.fw.id.clone(),
                            self.ind.id.clone(),
                            self.label.to_owned(),
                            self.la.clone(),
                        )) =>
                {
                    let (n, d) = manual.surveyed[&(self.fw.id.clone(), self.ind.id.clone(), self.label.to_owned(), self.la.clone())];
                    let v = value_of(self.ind.unit, n, Some(d));
                    out.push(self.row(cohort, Some(n), Some(d), v, if v.is_some() { Status::Surveyed } else { Status::NoDenominator }));
                }
                MeasureKind::Manual => {
                    let v = manual.get(&self.fw.id, &self.ind.id, self.label, &self.la, &cohort);
                    out.push(self.row(cohort, None, None, v, if v.is_some() { Status::Manual } else { Status::ManualMissing }));
                }
                _ => {
                    let status = if loaded.fact_datasets.contains(&self.ind.facts) { Status::NoDenominator } else { Status::AwaitingData };
                    out.push(self.row(cohort, None, None, None, status));
                }
            }
        }
    }
}

/// England's partial counts per job, summed over LAs.
type Partials = Vec<Option<(Counts, Option<Counts>)>>;

/// Count every records job for some LAs (positions in `t.las`), one LA at a time so each LA's person
/// facts are worked out once. Returns the LAs' rows and, when asked, England's partial sums.
/// Several frameworks are counted LA by LA with one scope each LA, so their record lists, people's facts
/// on each reference day, predicate bitsets and counts are shared between them (`compute_all`).
#[allow(clippy::too_many_arguments)]
fn compute_las(
    packs: &[(&Framework, &[Job])],
    t: &PersonTable,
    ranges: &[LaRange],
    las: &[usize],
    manual: &ManualValues,
    loaded: &Loaded,
    england: bool,
    share: Option<&[Vec<bool>]>,
) -> Vec<(Vec<Keyed>, Partials)> {
    let mut out: Vec<(Vec<Keyed>, Partials)> =
        packs.iter().map(|(_, jobs)| (Vec::new(), (0..jobs.len()).map(|_| None).collect())).collect();
    for &la_pos in las {
        let mut scope = LaScope::new(t, ranges[la_pos]);
        let la = t.las[la_pos].to_string();
        for (pi, ((fw, jobs), (rows, partials))) in packs.iter().zip(out.iter_mut()).enumerate() {
            let fw: &Framework = fw;
            let take = share.map(|s| s[pi].as_slice());
            compute_la(fw, t, la_pos, &la, jobs, take, manual, loaded, england, &mut scope, rows, partials);
        }
    }
    out
}

/// Which jobs each of `threads` threads counts when there are fewer LAs than threads (one area):
/// [thread][framework][job]. Jobs are shared out by period, so each thread lists the people of its
/// own periods only and no list is built twice.
fn share_by_period(all_jobs: &[Vec<Job>], threads: usize) -> Vec<Vec<Vec<bool>>> {
    let mut labels: Vec<&str> = Vec::new();
    for j in all_jobs.iter().flatten() {
        if !labels.contains(&j.label.as_str()) {
            labels.push(&j.label);
        }
    }
    let slot = |j: &Job| labels.iter().position(|l| *l == j.label).unwrap_or(0) % threads;
    (0..threads).map(|k| all_jobs.iter().map(|jobs| jobs.iter().map(|j| slot(j) == k).collect()).collect()).collect()
}

/// Count one framework's jobs for one LA and its localities.
#[allow(clippy::too_many_arguments)]
fn compute_la(
    fw: &Framework,
    t: &PersonTable,
    la_pos: usize,
    la: &str,
    jobs: &[Job],
    take: Option<&[bool]>,
    manual: &ManualValues,
    loaded: &Loaded,
    england: bool,
    scope: &mut LaScope,
    rows: &mut Vec<Keyed>,
    partials: &mut Partials,
) {
    {
        let la = la.to_owned();
        for (ji, job) in jobs.iter().enumerate() {
            if take.is_some_and(|t| !t[ji]) {
                continue; // another thread counts this job
            }
            let ind = &fw.indicators[job.ind];
            let mk =
                |locality: Option<String>| RowCtx { fw, ind, manual, label: &job.label, period: &job.period, la: la.clone(), locality };
            let mut buf = Vec::new();
            // A facts measure is counted where the LA holds every kind of fact it reads.
            let counted = match ind.measure {
                MeasureKind::Records => true,
                MeasureKind::Facts => {
                    let needs: Vec<u32> = ind.numerator.iter().chain(ind.denominator.iter()).flat_map(|e| e.fact_needs()).collect();
                    ind.numerator.is_some() && scope.has_facts_in(&needs, &job.period)
                }
                _ => false,
            };
            match ind.measure {
                MeasureKind::Records | MeasureKind::Facts if counted => {
                    let Some(num_expr) = &ind.numerator else { continue };
                    let num = count(t, ind, num_expr, &job.period, scope);
                    let den = ind.denominator.as_ref().map(|d| count(t, ind, d, &job.period, scope));
                    mk(None).records(t, &num.la, den.as_ref().map(|d| &d.la), &mut buf);
                    rows.extend(buf.drain(..).map(|r| (ji, area_key(la_pos, None), r)));
                    for (s, l) in scope.localities.iter().enumerate() {
                        mk(Some(t.localities[*l as usize].clone())).records(
                            t,
                            &num.localities[s],
                            den.as_ref().map(|d| &d.localities[s]),
                            &mut buf,
                        );
                        rows.extend(buf.drain(..).map(|r| (ji, area_key(la_pos, Some(s)), r)));
                    }
                    if england {
                        match &mut partials[ji] {
                            Some((n, d)) => {
                                n.add(&num.la);
                                if let (Some(d), Some(x)) = (d.as_mut(), den.as_ref()) {
                                    d.add(&x.la);
                                }
                            }
                            slot => *slot = Some((num.la, den.map(|d| d.la))),
                        }
                    }
                }
                MeasureKind::Records => {}
                MeasureKind::Manual | MeasureKind::Facts => {
                    mk(None).not_counted(manual, loaded, &mut buf);
                    rows.extend(buf.drain(..).map(|r| (ji, area_key(la_pos, None), r)));
                    for (s, l) in scope.localities.iter().enumerate() {
                        mk(Some(t.localities[*l as usize].clone())).not_counted(manual, loaded, &mut buf);
                        rows.extend(buf.drain(..).map(|r| (ji, area_key(la_pos, Some(s)), r)));
                    }
                }
                MeasureKind::Evidence => {}
            }
        }
    }
}

fn merge(into: &mut Partials, from: Partials) {
    for (a, b) in into.iter_mut().zip(from) {
        match (a.as_mut(), b) {
            (_, None) => {}
            (None, b) => *a = b,
            (Some((n, d)), Some((bn, bd))) => {
                n.add(&bn);
                if let (Some(d), Some(bd)) = (d.as_mut(), bd.as_ref()) {
                    d.add(bd);
                }
            }
        }
    }
}

fn years_of(t: &PersonTable, periods: &PeriodSel) -> Vec<i32> {
    match periods {
        PeriodSel::AllYears => t.years(),
        PeriodSel::Year(y) => vec![*y],
    }
}

/// Compute a framework over a table, on `threads` threads (LAs spread between them). `evidence` holds
/// the results an evidence measure may cite (`framework/indicator`), computed first.
#[allow(clippy::too_many_arguments)]
pub fn compute_threads(
    fw: &Framework,
    t: &PersonTable,
    scope: &Scope,
    periods: &PeriodSel,
    manual: &ManualValues,
    loaded: &Loaded,
    evidence: &[Results],
    threads: usize,
) -> Results {
    compute_many(&[fw], t, scope, periods, manual, loaded, evidence, threads).remove(0)
}

/// Compute several frameworks together: each LA's record lists, people's facts on each reference day,
/// predicate bitsets and counts are worked out once and shared by every framework (and the table's
/// years and LA ranges are found once, not once per framework).
#[allow(clippy::too_many_arguments)]
fn compute_many(
    fws: &[&Framework],
    t: &PersonTable,
    scope: &Scope,
    periods: &PeriodSel,
    manual: &ManualValues,
    loaded: &Loaded,
    evidence: &[Results],
    threads: usize,
) -> Vec<Results> {
    let years = years_of(t, periods);
    let all_jobs: Vec<Vec<Job>> = fws.iter().map(|fw| jobs(fw, &years, t.as_of)).collect();
    let packs: Vec<(&Framework, &[Job])> = fws.iter().zip(&all_jobs).map(|(fw, j)| (*fw, j.as_slice())).collect();
    let las: Vec<usize> = match scope {
        Scope::All | Scope::England => (0..t.las.len()).collect(),
        Scope::La(code) => t.las.iter().position(|l| l == code).into_iter().collect(),
    };
    // The England row sums every LA in the data; with one LA it would only repeat the LA's own row.
    let want_england = matches!(scope, Scope::England) || (matches!(scope, Scope::All) && t.las.len() > 1);
    let show_las = !matches!(scope, Scope::England);
    let requested_threads = threads.max(1);
    let threads = requested_threads.min(las.len().max(1));
    let chunk = las.len().div_ceil(threads).max(1);
    let ranges = if las.is_empty() { Vec::new() } else { t.la_ranges() };
    // Per thread, per framework: (rows, England's partial counts).
    // With fewer LAs than threads (one area), the threads share out the area's jobs by period instead.
    let by_period = requested_threads > 1 && las.len() < requested_threads && !las.is_empty();
    let parts: Vec<Vec<(Vec<Keyed>, Partials)>> = if by_period {
        let shares = share_by_period(&all_jobs, requested_threads);
        std::thread::scope(|s| {
            let hs: Vec<_> = shares
                .iter()
                .map(|share| {
                    let (packs, ranges, las) = (&packs, &ranges, &las);
                    s.spawn(move || compute_las(packs, t, ranges, las, manual, loaded, want_england, Some(share)))
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap_or_else(|_| Vec::new())).collect()
        })
    } else if threads == 1 {
        vec![compute_las(&packs, t, &ranges, &las, manual, loaded, want_england, None)]
    } else {
        std::thread::scope(|s| {
            let hs: Vec<_> = las
                .chunks(chunk)
                .map(|g| {
                    let (packs, ranges) = (&packs, &ranges);
                    s.spawn(move || compute_las(packs, t, ranges, g, manual, loaded, want_england, None))
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap_or_else(|_| Vec::new())).collect()
        })
    };
    let mut per_fw: Vec<(Vec<Keyed>, Partials)> =
        all_jobs.iter().map(|jobs| (Vec::new(), (0..jobs.len()).map(|_| None).collect())).collect();
    for part in parts {
        for ((rows, england), (r, p)) in per_fw.iter_mut().zip(part) {
            if show_las {
                rows.extend(r);
            }
            merge(england, p);
        }
    }
    let mut out = Vec::new();
    for ((fw, jobs), (rows, england)) in fws.iter().zip(&all_jobs).zip(per_fw) {
        out.push(assemble(fw, t, &las, jobs, rows, england, want_england, show_las, manual, loaded, evidence));
    }
    out
}

/// A framework's rows in order, with England's (from the LAs' partial counts) and evidence measures'.
#[allow(clippy::too_many_arguments)]
fn assemble(
    fw: &Framework,
    t: &PersonTable,
    las: &[usize],
    jobs: &[Job],
    mut rows: Vec<Keyed>,
    england: Partials,
    want_england: bool,
    show_las: bool,
    manual: &ManualValues,
    loaded: &Loaded,
    evidence: &[Results],
) -> Results {
    let mut area_labels: Vec<(u64, String)> = Vec::new();
    if want_england {
        area_labels.push((ENGLAND_KEY, "england".into()));
    }
    if show_las {
        area_labels.extend(las.iter().map(|p| (area_key(*p, None), t.las[*p].to_string())));
    }
    for (ji, job) in jobs.iter().enumerate() {
        let ind = &fw.indicators[job.ind];
        let ctx = |la: String| RowCtx { fw, ind, manual, label: &job.label, period: &job.period, la, locality: None };
        let mut buf = Vec::new();
        if want_england {
            match ind.measure {
                MeasureKind::Records => {
                    if let Some((n, d)) = &england[ji] {
                        ctx("england".into()).records(t, n, d.as_ref(), &mut buf);
                    }
                }
                MeasureKind::Facts => match &england[ji] {
                    Some((n, d)) => ctx("england".into()).records(t, n, d.as_ref(), &mut buf),
                    None => ctx("england".into()).not_counted(manual, loaded, &mut buf),
                },
                MeasureKind::Manual => ctx("england".into()).not_counted(manual, loaded, &mut buf),
                MeasureKind::Evidence => {}
            }
            rows.extend(buf.drain(..).map(|r| (ji, ENGLAND_KEY, r)));
        }
        if ind.measure == MeasureKind::Evidence {
            let year = year_of_label(&job.label);
            for (key, la) in &area_labels {
                let (mut green, mut rated) = (0u64, 0u64);
                for e in &ind.evidence {
                    let (f, i) = e.split_once('/').unwrap_or(("", e));
                    for res in evidence.iter().filter(|r| r.framework == f) {
                        for row in res
                            .rows
                            .iter()
                            .filter(|r| r.indicator == i && &r.la == la && r.cohort == "all" && year_of_label(&r.period) == year)
                        {
                            if let Some(rg) = row.rag {
                                rated += 1;
                                green += u64::from(rg == Rag::Green);
                            }
                        }
                    }
                }
                let v = value_of(Unit::Percent, green, Some(rated));
                let row = ctx(la.clone()).row(
                    "all".into(),
                    Some(green),
                    Some(rated),
                    v,
                    if rated == 0 { Status::NoDenominator } else { Status::Computed },
                );
                rows.push((ji, *key, row));
            }
        }
    }
    rows.sort_by_key(|(ji, key, _)| (*ji, *key));
    let mut period_labels: Vec<String> = Vec::new();
    for j in jobs {
        if !period_labels.contains(&j.label) {
            period_labels.push(j.label.clone());
        }
    }
    Results {
        framework: fw.id.clone(),
        title: fw.title.clone(),
        rows: rows.into_iter().map(|(_, _, r)| r).collect(),
        periods: period_labels,
    }
}

/// Compute a framework over a table (single-threaded). `evidence` holds the results an evidence
/// measure may cite (`framework/indicator`), computed first.
pub fn compute(
    fw: &Framework,
    t: &PersonTable,
    scope: &Scope,
    periods: &PeriodSel,
    manual: &ManualValues,
    loaded: &Loaded,
    evidence: &[Results],
) -> Results {
    compute_threads(fw, t, scope, periods, manual, loaded, evidence, 1)
}

/// Compute several frameworks, evidence packs last so they can cite the others.
pub fn compute_all(
    frameworks: &[&Framework],
    t: &PersonTable,
    scope: &Scope,
    periods: &PeriodSel,
    manual: &ManualValues,
    loaded: &Loaded,
) -> Vec<Results> {
    compute_all_threads(frameworks, t, scope, periods, manual, loaded, 1)
}

/// [`compute_all`] on `threads` threads.
pub fn compute_all_threads(
    frameworks: &[&Framework],
    t: &PersonTable,
    scope: &Scope,
    periods: &PeriodSel,
    manual: &ManualValues,
    loaded: &Loaded,
    threads: usize,
) -> Vec<Results> {
    let (evidence, plain): (Vec<&Framework>, Vec<&Framework>) =
        frameworks.iter().partition(|f| f.indicators.iter().any(|i| i.measure == MeasureKind::Evidence));
    // The plain frameworks together (sharing each LA's lists and counts), then the evidence ones.
    let mut done = compute_many(&plain, t, scope, periods, manual, loaded, &[], threads);
    for fw in evidence {
        let r = compute_threads(fw, t, scope, periods, manual, loaded, &done, threads);
        done.push(r);
    }
    done
}

/// The records one count was made of (a drill-down's link to the cases behind a figure).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Members {
    /// The cases the counted records belong to, each once, in the table's order.
    pub cases: Vec<waymark_domain::ids::CaseId>,
    /// How many records were counted (a case with two reviews in the period counts twice).
    pub records: u64,
    /// Records that belong to no case (a census pupil, a resident), so have no case to open.
    pub without_case: u64,
}

/// The members of one row of [`compute`]'s results: the records `indicator`'s numerator counted for `la`
/// in `period` (its label, as in [`ResultRow::period`]) and `cohort` (as in [`ResultRow::cohort`]:
/// `all`, one of the indicator's cohorts, a breakdown such as `need=ASD`, each optionally after
/// `locality=X & `). `None` where the row is not a plain count of records: a weighted count (sessions,
/// scores), a gap between cohorts, a manual or evidence measure, or a period or cohort the indicator does
/// not have. Counted exactly as [`compute`] counts, so the members are as many as the numerator says.
pub fn members(fw: &Framework, indicator: &str, t: &PersonTable, la: &str, period: &str, cohort: &str) -> Option<Members> {
    let ind = fw.indicators.iter().find(|i| i.id == indicator)?;
    if !matches!(ind.measure, MeasureKind::Records | MeasureKind::Facts) {
        return None;
    }
    let expr = ind.numerator.as_ref()?;
    if expr.terms.iter().any(|term| term.field.is_some()) {
        return None;
    }
    let mut years: Vec<i32> = t.years();
    if let Some(y) = year_of_label(period) {
        years.push(y);
    }
    years.sort_unstable();
    years.dedup();
    let job = jobs(fw, &years, t.as_of).into_iter().find(|j| fw.indicators[j.ind].id == ind.id && j.label == period)?;
    let la_pos = t.las.iter().position(|l| l.to_string() == la)?;
    let range = *t.la_ranges().get(la_pos)?;
    // `locality=X & rest`: the locality, then the cohort or breakdown within it.
    let (locality, rest) = match cohort.strip_prefix("locality=") {
        Some(after) => match after.split_once(" & ") {
            Some((l, rest)) => (Some(l), rest),
            None => (Some(after), "all"),
        },
        None => (None, cohort),
    };
    let locality_id = match locality {
        Some(name) => Some(t.localities.iter().position(|l| l == name)? as u16),
        None => None,
    };
    enum Within<'a> {
        Cohort(&'a Cohort),
        Breakdown(Dimension),
    }
    let within = match ind.cohorts.iter().position(|c| c.label() == rest) {
        Some(i) => Within::Cohort(&ind.cohorts[i]),
        None => {
            let d = *ind.breakdowns.iter().find(|d| rest.starts_with(&format!("{}=", d.key())))?;
            Within::Breakdown(d)
        }
    };
    if let Within::Cohort(Cohort::Gap { .. } | Cohort::GapToAll { .. }) = within {
        return None;
    }
    let mut scope = LaScope::new(t, range);
    let mut out = Members::default();
    let mut seen = std::collections::HashSet::new();
    for term in &expr.terms {
        scope.records(t, term.base, &job.period);
        let keys: Vec<String> = term.preds.iter().map(|p| scope.pred_bits(t, term.base, &job.period, p)).collect();
        let cohort_keys: Vec<String> = match within {
            Within::Cohort(Cohort::Group { preds, .. }) => preds.iter().map(|p| scope.pred_bits(t, term.base, &job.period, p)).collect(),
            _ => Vec::new(),
        };
        let list = &scope.record_lists[&(term.base, job.period)];
        let set = |keys: &[String], i: usize| keys.iter().all(|k| scope.bitsets[k][i / 64] & (1 << (i % 64)) != 0);
        for (i, (rec, f)) in list.iter().enumerate() {
            if !set(&keys, i) || !set(&cohort_keys, i) {
                continue;
            }
            if locality_id.is_some_and(|l| t.persons[rec.person as usize].locality != l) {
                continue;
            }
            if let Within::Breakdown(d) = within {
                if dim_label(t, d, dim_code(t, d, rec, f)) != rest {
                    continue;
                }
            }
            out.records += 1;
            match t.case_ids.get(rec.case as usize) {
                Some(case) => {
                    if seen.insert(*case) {
                        out.cases.push(*case);
                    }
                }
                None => out.without_case += 1,
            }
        }
    }
    Some(out)
}

/// The values of one indicator by area and period, for charts: area → [(period, value)].
pub fn series(results: &Results, indicator: &str, cohort: &str) -> BTreeMap<String, Vec<(String, Option<f64>)>> {
    let mut out: BTreeMap<String, Vec<(String, Option<f64>)>> = BTreeMap::new();
    for r in results.rows.iter().filter(|r| r.indicator == indicator && r.cohort == cohort) {
        out.entry(r.la.clone()).or_default().push((r.period.clone(), r.value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_rounded_half_away_from_zero_to_one_decimal_place() {
        assert_eq!(value_of(Unit::Percent, 1, Some(8)), Some(12.5));
        assert_eq!(value_of(Unit::Percent, 1, Some(3)), Some(33.3));
        assert_eq!(value_of(Unit::Percent, 2, Some(3)), Some(66.7));
        // 1/16 = 6.25%: half rounds up.
        assert_eq!(value_of(Unit::Percent, 1, Some(16)), Some(6.3));
        assert_eq!(value_of(Unit::Percent, 0, Some(0)), None);
        assert_eq!(value_of(Unit::Count, 7, None), Some(7.0));
    }
}
