//! Computing a framework: for each indicator, scope (England, each LA, each locality), period and
//! cohort, the numerator, denominator and value, with its target, RAG rating and comparators.

use crate::definition::{Cohort, Dimension, Framework, Indicator, MeasureKind, Polarity, RagAgainst, Unit};
use crate::expr::{facts, for_each_record, test, Expr, Facts, Phase, Rec};
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

/// Values entered by hand: (framework, indicator, period, la, cohort) → value.
#[derive(Debug, Clone, Default)]
pub struct ManualValues {
    pub values: HashMap<(String, String, String, String, String), f64>,
}

impl ManualValues {
    pub fn get(&self, fw: &str, ind: &str, period: &str, la: &str, cohort: &str) -> Option<f64> {
        self.values.get(&(fw.to_owned(), ind.to_owned(), period.to_owned(), la.to_owned(), cohort.to_owned())).copied()
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
    }
}

/// RAG against a target (or the England value), by polarity.
pub fn rag(ind: &Indicator, value: Option<f64>, target: Option<f64>, england: Option<f64>) -> Option<Rag> {
    let v = value?;
    let goal = match ind.rag.against {
        RagAgainst::Target => target?,
        RagAgainst::England => england?,
    };
    let better = match ind.polarity {
        Polarity::HigherIsBetter => v - goal,
        Polarity::LowerIsBetter => goal - v,
        Polarity::Neutral => return None,
    };
    if better >= 0.0 {
        return Some(Rag::Green);
    }
    let margin = if ind.rag.points { ind.rag.amber_within } else { goal.abs() * ind.rag.amber_within / 100.0 };
    Some(if -better <= margin + 1e-9 { Rag::Amber } else { Rag::Red })
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

    fn tally(&mut self, t: &PersonTable, ind: &Indicator, rec: &Rec, f: &Facts) {
        for (i, cohort) in ind.cohorts.iter().enumerate() {
            if let Cohort::Group { preds, .. } = cohort {
                if preds.iter().all(|p| test(t, p, rec, f)) {
                    self.cohorts[i] += 1;
                }
            }
        }
        match f.sen {
            SenStatus::EhcPlan => self.sen[0] += 1,
            SenStatus::SenSupport => self.sen[1] += 1,
            SenStatus::NoSen => self.sen[2] += 1,
        }
        for (di, d) in ind.breakdowns.iter().enumerate() {
            self.dims[di][dim_code(t, *d, rec, f)] += 1;
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
        Dimension::Fsm => (p.fsm + 1) as usize,
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
    snapshots: HashMap<waymark_domain::calendar::Date, Vec<Facts>>,
}

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
        LaScope { range, localities, slot, snapshots: HashMap::new() }
    }

    fn snapshot(&mut self, t: &PersonTable, on: waymark_domain::calendar::Date) -> &[Facts] {
        let (a, b) = self.range.persons;
        self.snapshots.entry(on).or_insert_with(|| (a..b).map(|i| facts(t, &t.persons[i as usize], on)).collect())
    }
}

/// An LA's counts and its localities'.
struct AreaCounts {
    la: Counts,
    localities: Vec<Counts>,
}

fn count(t: &PersonTable, ind: &Indicator, expr: &Expr, period: &Period, scope: &mut LaScope) -> AreaCounts {
    let mut out = AreaCounts { la: Counts::new(t, ind), localities: vec![Counts::new(t, ind); scope.localities.len()] };
    let slot = scope.slot.clone();
    let add = |out: &mut AreaCounts, rec: &Rec, f: &Facts| {
        out.la.tally(t, ind, rec, f);
        let l = t.persons[rec.person as usize].locality;
        if l != NONE {
            if let Some(c) = out.localities.get_mut(slot[l as usize] as usize) {
                c.tally(t, ind, rec, f);
            }
        }
    };
    for term in &expr.terms {
        if term.base.kind() == crate::expr::RecordKind::Person {
            let on = period.reference;
            let first = scope.range.persons.0;
            let snap = scope.snapshot(t, on);
            for (k, f) in snap.iter().enumerate() {
                let i = first + k as u32;
                let p = &t.persons[i as usize];
                let keep = match term.base {
                    crate::expr::Base::Pupils => f.setting.is_school(),
                    _ => p.birth_month <= on && f.age <= 25,
                };
                if !keep {
                    continue;
                }
                let rec = Rec { person: i, case: u32::MAX, review: u32::MAX, dispute: u32::MAX, anchor: on };
                if term.preds.iter().all(|pr| test(t, pr, &rec, f)) {
                    add(&mut out, &rec, f);
                }
            }
        } else {
            let r = scope.range;
            for_each_record(t, term.base, period, r.persons, r.cases, r.reviews, r.disputes, |rec| {
                let f = facts(t, &t.persons[rec.person as usize], rec.anchor);
                if term.preds.iter().all(|p| test(t, p, &rec, &f)) {
                    add(&mut out, &rec, &f);
                }
            });
        }
    }
    out
}

/// One (indicator, period) to compute.
struct Job {
    ind: usize,
    label: String,
    period: Period,
}

fn jobs(fw: &Framework, years: &[i32]) -> Vec<Job> {
    let mut out = Vec::new();
    for (i, ind) in fw.indicators.iter().enumerate() {
        for &y in years {
            for (label, period) in Period::for_year(ind.period, y) {
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
        let target = self.ind.targets.get(self.label).copied();
        let england = self.ind.england.get(self.label).copied();
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
            rag: rag(self.ind, value, target, england),
            status,
            england,
            neighbours: self.ind.neighbours.get(self.label).copied(),
        }
    }

    /// Rows for a records measure from its counts.
    fn records(&self, t: &PersonTable, num: &Counts, den: Option<&Counts>, out: &mut Vec<ResultRow>) {
        let ind = self.ind;
        let pair = |n: u64, d: Option<u64>| {
            let v = value_of(ind.unit, n, d);
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
fn compute_las(
    fw: &Framework,
    t: &PersonTable,
    las: &[usize],
    jobs: &[Job],
    manual: &ManualValues,
    loaded: &Loaded,
    england: bool,
) -> (Vec<Keyed>, Partials) {
    let ranges = t.la_ranges();
    let mut rows: Vec<Keyed> = Vec::new();
    let mut partials: Partials = (0..jobs.len()).map(|_| None).collect();
    for &la_pos in las {
        let mut scope = LaScope::new(t, ranges[la_pos]);
        let la = t.las[la_pos].to_string();
        for (ji, job) in jobs.iter().enumerate() {
            let ind = &fw.indicators[job.ind];
            let mk = |locality: Option<String>| RowCtx { fw, ind, label: &job.label, period: &job.period, la: la.clone(), locality };
            let mut buf = Vec::new();
            match ind.measure {
                MeasureKind::Records => {
                    let Some(num_expr) = &ind.numerator else { continue };
                    let num = count(t, ind, num_expr, &job.period, &mut scope);
                    let den = ind.denominator.as_ref().map(|d| count(t, ind, d, &job.period, &mut scope));
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
    (rows, partials)
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
    let years = years_of(t, periods);
    let jobs = jobs(fw, &years);
    let las: Vec<usize> = match scope {
        Scope::All | Scope::England => (0..t.las.len()).collect(),
        Scope::La(code) => t.las.iter().position(|l| l == code).into_iter().collect(),
    };
    // The England row sums every LA in the data; with one LA it would only repeat the LA's own row.
    let want_england = matches!(scope, Scope::England) || (matches!(scope, Scope::All) && t.las.len() > 1);
    let show_las = !matches!(scope, Scope::England);
    let threads = threads.max(1).min(las.len().max(1));
    let chunk = las.len().div_ceil(threads).max(1);
    let parts: Vec<(Vec<Keyed>, Partials)> = if threads == 1 {
        vec![compute_las(fw, t, &las, &jobs, manual, loaded, want_england)]
    } else {
        std::thread::scope(|s| {
            let hs: Vec<_> = las
                .chunks(chunk)
                .map(|g| {
                    let jobs = &jobs;
                    s.spawn(move || compute_las(fw, t, g, jobs, manual, loaded, want_england))
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap_or_else(|_| (Vec::new(), Vec::new()))).collect()
        })
    };
    let mut rows: Vec<Keyed> = Vec::new();
    let mut england: Partials = (0..jobs.len()).map(|_| None).collect();
    for (r, p) in parts {
        if show_las {
            rows.extend(r);
        }
        merge(&mut england, p);
    }
    let mut area_labels: Vec<(u64, String)> = Vec::new();
    if want_england {
        area_labels.push((ENGLAND_KEY, "england".into()));
    }
    if show_las {
        area_labels.extend(las.iter().map(|p| (area_key(*p, None), t.las[*p].to_string())));
    }
    for (ji, job) in jobs.iter().enumerate() {
        let ind = &fw.indicators[job.ind];
        let ctx = |la: String| RowCtx { fw, ind, label: &job.label, period: &job.period, la, locality: None };
        let mut buf = Vec::new();
        if want_england {
            match ind.measure {
                MeasureKind::Records => {
                    if let Some((n, d)) = &england[ji] {
                        ctx("england".into()).records(t, n, d.as_ref(), &mut buf);
                    }
                }
                MeasureKind::Manual | MeasureKind::Facts => ctx("england".into()).not_counted(manual, loaded, &mut buf),
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
    for j in &jobs {
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
    let mut done: Vec<Results> = Vec::new();
    let (evidence, plain): (Vec<&&Framework>, Vec<&&Framework>) =
        frameworks.iter().partition(|f| f.indicators.iter().any(|i| i.measure == MeasureKind::Evidence));
    for fw in plain {
        done.push(compute_threads(fw, t, scope, periods, manual, loaded, &[], threads));
    }
    for fw in evidence {
        let r = compute_threads(fw, t, scope, periods, manual, loaded, &done, threads);
        done.push(r);
    }
    done
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
