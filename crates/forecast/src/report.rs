//! Summaries of a projection by year, and by NCY, need, setting and state, with cost; and their CSV
//! files (`totals.csv`, `by_ncy.csv`, `by_need.csv`, `by_setting.csv`, `by_state.csv`, `dropped.csv`).

use crate::engine::{DropReason, ExpectedRun, Layout, SimulatedRun};
use crate::model::Model;
use std::collections::BTreeMap;

/// The quantiles reported for simulations.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figures {
    Expected { count: f64, cost: f64 },
    Simulated { mean: f64, sd: f64, q: [f64; 5], cost_mean: f64 },
}

impl Figures {
    /// The central figure: the expectation, or the simulations' mean.
    pub fn central(&self) -> f64 {
        match self {
            Figures::Expected { count, .. } => *count,
            Figures::Simulated { mean, .. } => *mean,
        }
    }
    pub fn cost(&self) -> f64 {
        match self {
            Figures::Expected { cost, .. } => *cost,
            Figures::Simulated { cost_mean, .. } => *cost_mean,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grouping {
    Total,
    Ncy,
    Need,
    Setting,
    State,
}

impl Grouping {
    pub const ALL: [Grouping; 5] = [Grouping::Total, Grouping::Ncy, Grouping::Need, Grouping::Setting, Grouping::State];

    pub fn file(&self) -> &'static str {
        match self {
            Grouping::Total => "totals.csv",
            Grouping::Ncy => "by_ncy.csv",
            Grouping::Need => "by_need.csv",
            Grouping::Setting => "by_setting.csv",
            Grouping::State => "by_state.csv",
        }
    }

    pub fn key_columns(&self) -> &'static [&'static str] {
        match self {
            Grouping::Total => &[],
            Grouping::Ncy => &["academic-year"],
            Grouping::Need => &["need"],
            Grouping::Setting => &["setting"],
            Grouping::State => &["academic-year", "need", "setting"],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub calendar_year: i32,
    pub keys: Vec<String>,
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DroppedRow {
    pub calendar_year: i32,
    pub academic_year: i32,
    pub need: String,
    pub setting: String,
    pub reason: DropReason,
    /// Expected count, or the simulations' mean.
    pub count: f64,
}

/// A projection's summaries.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub simulated: bool,
    pub simulations: usize,
    pub tables: BTreeMap<Grouping, Vec<Row>>,
    pub dropped: Vec<DroppedRow>,
}

struct Grouper<'a> {
    model: &'a Model,
    layout: Layout,
}

impl Grouper<'_> {
    fn group_index(&self, g: Grouping, idx: usize) -> usize {
        let (ay, need, setting) = self.layout.decode(idx);
        match g {
            Grouping::Total => 0,
            Grouping::Ncy => (ay - crate::model::NCY_LO) as usize,
            Grouping::Need => need as usize,
            Grouping::Setting => setting as usize,
            Grouping::State => idx,
        }
    }

    fn group(&self, g: Grouping, idx: usize) -> (usize, Vec<String>) {
        let (ay, need, setting) = self.layout.decode(idx);
        let m = self.model;
        match g {
            Grouping::Total => (0, vec![]),
            Grouping::Ncy => ((ay - crate::model::NCY_LO) as usize, vec![ay.to_string()]),
            Grouping::Need => (need as usize, vec![m.needs[need as usize].clone()]),
            Grouping::Setting => (setting as usize, vec![m.settings[setting as usize].clone()]),
            Grouping::State => (idx, vec![ay.to_string(), m.needs[need as usize].clone(), m.settings[setting as usize].clone()]),
        }
    }

    fn costs(&self) -> Vec<f64> {
        (0..self.layout.len())
            .map(|i| {
                let (_, n, s) = self.layout.decode(i);
                self.model.cost(n, s)
            })
            .collect()
    }
}

/// Quantile by linear interpolation between order statistics (R's type 7). `sorted` must be sorted.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Mean, sample standard deviation (n - 1) and the five quantiles of the values.
pub fn describe(values: &mut [f64]) -> (f64, f64, [f64; 5]) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n.max(1.0);
    let var = if values.len() > 1 { values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    values.sort_by(|a, b| a.total_cmp(b));
    let q = QUANTILES.map(|p| quantile(values, p));
    (mean, var.sqrt(), q)
}

impl Report {
    pub fn from_expected(model: &Model, run: &ExpectedRun) -> Self {
        let g = Grouper { model, layout: model.layout() };
        let costs = g.costs();
        let mut tables = BTreeMap::new();
        for grouping in Grouping::ALL {
            let mut rows = Vec::new();
            for (y, state) in run.years.iter().zip(&run.states) {
                let mut acc: BTreeMap<usize, (Vec<String>, f64, f64)> = BTreeMap::new();
                for (idx, &c) in state.iter().enumerate() {
                    if c == 0.0 {
                        continue;
                    }
                    let (k, keys) = g.group(grouping, idx);
                    let e = acc.entry(k).or_insert_with(|| (keys, 0.0, 0.0));
                    e.1 += c;
                    e.2 += c * costs[idx];
                }
                if grouping == Grouping::Total && acc.is_empty() {
                    acc.insert(0, (vec![], 0.0, 0.0));
                }
                for (_, (keys, count, cost)) in acc {
                    rows.push(Row { calendar_year: *y, keys, figures: Figures::Expected { count, cost } });
                }
            }
            tables.insert(grouping, rows);
        }
        let mut dropped = Vec::new();
        for (y, d) in run.years.iter().zip(&run.dropped) {
            let mut acc: BTreeMap<(usize, DropReason), f64> = BTreeMap::new();
            for (idx, r, c) in d {
                *acc.entry((*idx, *r)).or_default() += c;
            }
            for ((idx, reason), count) in acc {
                let (ay, n, s) = g.layout.decode(idx);
                dropped.push(DroppedRow {
                    calendar_year: *y,
                    academic_year: ay,
                    need: model.needs[n as usize].clone(),
                    setting: model.settings[s as usize].clone(),
                    reason,
                    count,
                });
            }
        }
        Report { simulated: false, simulations: 0, tables, dropped }
    }

    pub fn from_simulations(model: &Model, run: &SimulatedRun) -> Self {
        let g = Grouper { model, layout: model.layout() };
        let costs = g.costs();
        let nsims = run.states.len();
        let ncells = g.layout.len();
        let mut tables = BTreeMap::new();
        for grouping in Grouping::ALL {
            // Each cell's group, as a dense index; the keys are made once per group that has children.
            let group_of: Vec<usize> = (0..ncells).map(|idx| g.group_index(grouping, idx)).collect();
            let ngroups = group_of.iter().max().map_or(1, |m| m + 1);
            let mut rows = Vec::new();
            let mut counts = vec![0.0f64; ngroups * nsims];
            let mut cost = vec![0.0f64; ngroups * nsims];
            let mut any = vec![false; ngroups];
            let mut key_cell = vec![usize::MAX; ngroups];
            for (yi, y) in run.years.iter().enumerate() {
                counts.iter_mut().for_each(|x| *x = 0.0);
                cost.iter_mut().for_each(|x| *x = 0.0);
                any.iter_mut().for_each(|x| *x = false);
                for (si, sim) in run.states.iter().enumerate() {
                    for (idx, &c) in sim[yi].iter().enumerate() {
                        if c == 0 {
                            continue;
                        }
                        let k = group_of[idx];
                        counts[k * nsims + si] += c as f64;
                        cost[k * nsims + si] += c as f64 * costs[idx];
                        any[k] = true;
                        key_cell[k] = idx;
                    }
                }
                if grouping == Grouping::Total {
                    any[0] = true;
                    if key_cell[0] == usize::MAX {
                        key_cell[0] = 0;
                    }
                }
                for k in (0..ngroups).filter(|k| any[*k]) {
                    let values = &mut counts[k * nsims..(k + 1) * nsims];
                    let (mean, sd, q) = describe(values);
                    let cost_mean = cost[k * nsims..(k + 1) * nsims].iter().sum::<f64>() / (nsims.max(1) as f64);
                    rows.push(Row {
                        calendar_year: *y,
                        keys: g.group(grouping, key_cell[k]).1,
                        figures: Figures::Simulated { mean, sd, q, cost_mean },
                    });
                }
            }
            tables.insert(grouping, rows);
        }
        let mut dropped = Vec::new();
        for (yi, y) in run.years.iter().enumerate() {
            let mut acc: BTreeMap<(usize, DropReason), f64> = BTreeMap::new();
            for sim in &run.dropped {
                for (idx, r, c) in &sim[yi] {
                    *acc.entry((*idx, *r)).or_default() += *c as f64;
                }
            }
            for ((idx, reason), total) in acc {
                let (ay, n, s) = g.layout.decode(idx);
                dropped.push(DroppedRow {
                    calendar_year: *y,
                    academic_year: ay,
                    need: model.needs[n as usize].clone(),
                    setting: model.settings[s as usize].clone(),
                    reason,
                    count: total / nsims.max(1) as f64,
                });
            }
        }
        Report { simulated: true, simulations: nsims, tables, dropped }
    }

    pub fn rows(&self, g: Grouping) -> &[Row] {
        self.tables.get(&g).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Totals by calendar year (the central figure).
    pub fn totals(&self) -> Vec<(i32, f64)> {
        self.rows(Grouping::Total).iter().map(|r| (r.calendar_year, r.figures.central())).collect()
    }

    /// The value columns' header.
    pub fn value_columns(&self) -> &'static str {
        if self.simulated {
            "mean,sd,q05,q25,q50,q75,q95,cost-mean"
        } else {
            "expected-count,expected-cost"
        }
    }

    /// One grouping's CSV text.
    pub fn csv(&self, g: Grouping) -> String {
        let mut out = String::from("calendar-year,");
        for k in g.key_columns() {
            out.push_str(k);
            out.push(',');
        }
        out.push_str(self.value_columns());
        out.push('\n');
        for r in self.rows(g) {
            out.push_str(&r.calendar_year.to_string());
            for k in &r.keys {
                out.push(',');
                out.push_str(&csv_field(k));
            }
            match r.figures {
                Figures::Expected { count, cost } => out.push_str(&format!(",{},{}\n", num(count), num(cost))),
                Figures::Simulated { mean, sd, q, cost_mean } => out.push_str(&format!(
                    ",{},{},{},{},{},{},{},{}\n",
                    num(mean),
                    num(sd),
                    num(q[0]),
                    num(q[1]),
                    num(q[2]),
                    num(q[3]),
                    num(q[4]),
                    num(cost_mean)
                )),
            }
        }
        out
    }

    /// `dropped.csv`: cohorts the model stops following although they did not leave.
    pub fn dropped_csv(&self) -> String {
        let mut out =
            format!("calendar-year,academic-year,need,setting,reason,{}\n", if self.simulated { "mean" } else { "expected-count" });
        for d in &self.dropped {
            out.push_str(&format!(
                "{},{},{},{},{},{}\n",
                d.calendar_year,
                d.academic_year,
                csv_field(&d.need),
                csv_field(&d.setting),
                d.reason.code(),
                num(d.count)
            ));
        }
        out
    }

    /// Every output file: (file name, CSV text).
    pub fn files(&self) -> Vec<(&'static str, String)> {
        let mut v: Vec<(&'static str, String)> = Grouping::ALL.iter().map(|g| (g.file(), self.csv(*g))).collect();
        v.push(("dropped.csv", self.dropped_csv()));
        v
    }
}

/// A number as CSV text: up to 6 decimals, trailing zeros trimmed.
pub fn num(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
