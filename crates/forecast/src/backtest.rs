//! Back-testing: hold out the last observed year(s), estimate the model from the years before, project
//! the held-out years with the exact expectation, and compare with what was observed (absolute
//! percentage error, by year and by setting).

use crate::engine::{project_expected, projection_years};
use crate::inputs::{Inputs, Place};
use crate::model::Model;
use crate::report::num;
use std::collections::BTreeMap;

/// One compared figure: a year, a setting (`None` for all settings), observed and projected counts.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestRow {
    pub calendar_year: i32,
    pub setting: Option<String>,
    pub observed: f64,
    pub expected: f64,
}

impl BacktestRow {
    /// Absolute percentage error; `None` when nothing was observed.
    pub fn ape(&self) -> Option<f64> {
        (self.observed > 0.0).then(|| 100.0 * (self.expected - self.observed).abs() / self.observed)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    pub held_out: usize,
    pub rows: Vec<BacktestRow>,
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

impl Backtest {
    /// Hold out the last `years` years of movements.
    pub fn run(inputs: &Inputs, years: usize) -> Result<Self, String> {
        let cys: std::collections::BTreeSet<i32> = inputs.transitions.iter().map(|t| t.calendar_year).collect();
        if years == 0 || years >= cys.len() {
            return Err(format!(
                "--backtest {years}: transitions.csv has {} year(s) of movements; hold out at least 1 and leave at least 1 to estimate from",
                cys.len()
            ));
        }
        let last = *cys.iter().next_back().expect("non-empty");
        let cut = last - years as i32;
        let fit: Vec<_> = inputs.transitions.iter().copied().filter(|t| t.calendar_year <= cut).collect();
        let model = Model::estimate_from(inputs, &fit).map_err(|e| e.to_string())?;
        let ys = projection_years(&model, Some(years))?;
        let run = project_expected(&model, &ys, None);
        let mut rows = Vec::new();
        for (k, y) in ys.iter().enumerate().skip(1) {
            // Observed: where children with plans were at the end of the movements of year y - 1.
            let mut observed: BTreeMap<u16, f64> = BTreeMap::new();
            for t in inputs.transitions.iter().filter(|t| t.calendar_year == y - 1) {
                if let Place::Send { setting, .. } = t.to {
                    *observed.entry(setting).or_default() += 1.0;
                }
            }
            let mut expected: BTreeMap<u16, f64> = BTreeMap::new();
            let l = model.layout();
            for (idx, c) in run.states[k].iter().enumerate() {
                if *c != 0.0 {
                    *expected.entry(l.decode(idx).2).or_default() += c;
                }
            }
            rows.push(BacktestRow {
                calendar_year: *y,
                setting: None,
                observed: observed.values().sum(),
                expected: expected.values().sum(),
            });
            for s in 0..model.settings.len() as u16 {
                let (o, e) = (observed.get(&s).copied().unwrap_or(0.0), expected.get(&s).copied().unwrap_or(0.0));
                if o > 0.0 || e > 0.0 {
                    rows.push(BacktestRow {
                        calendar_year: *y,
                        setting: Some(model.settings[s as usize].clone()),
                        observed: o,
                        expected: e,
                    });
                }
            }
        }
        Ok(Backtest { held_out: years, rows })
    }

    /// MAPE of the totals over the held-out years.
    pub fn mape_total(&self) -> Option<f64> {
        mean(&self.rows.iter().filter(|r| r.setting.is_none()).filter_map(BacktestRow::ape).collect::<Vec<_>>())
    }

    /// MAPE across settings, by year.
    pub fn mape_by_year(&self) -> Vec<(i32, Option<f64>)> {
        let mut by: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
        for r in &self.rows {
            let e = by.entry(r.calendar_year).or_default();
            if r.setting.is_some() {
                if let Some(a) = r.ape() {
                    e.push(a);
                }
            }
        }
        by.into_iter().map(|(y, v)| (y, mean(&v))).collect()
    }

    /// MAPE across the held-out years, by setting.
    pub fn mape_by_setting(&self) -> Vec<(String, Option<f64>)> {
        let mut by: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for r in &self.rows {
            if let Some(s) = &r.setting {
                let e = by.entry(s.clone()).or_default();
                if let Some(a) = r.ape() {
                    e.push(a);
                }
            }
        }
        by.into_iter().map(|(s, v)| (s, mean(&v))).collect()
    }

    /// `backtest.csv`: every compared figure (setting `ALL` for the total).
    pub fn csv(&self) -> String {
        let mut out = String::from("calendar-year,setting,observed,expected,absolute-percentage-error\n");
        for r in &self.rows {
            out.push_str(&format!(
                "{},{},{},{},{}\n",
                r.calendar_year,
                r.setting.as_deref().unwrap_or("ALL"),
                num(r.observed),
                num(r.expected),
                r.ape().map(num).unwrap_or_default()
            ));
        }
        out
    }

    /// `backtest_mape.csv`: MAPE of the total, by year (across settings) and by setting (across years).
    pub fn mape_csv(&self) -> String {
        let mut out = String::from("scope,key,mape\n");
        let f = |x: Option<f64>| x.map(num).unwrap_or_default();
        out.push_str(&format!("total,ALL,{}\n", f(self.mape_total())));
        for (y, m) in self.mape_by_year() {
            out.push_str(&format!("year,{y},{}\n", f(m)));
        }
        for (s, m) in self.mape_by_setting() {
            out.push_str(&format!("setting,{s},{}\n", f(m)));
        }
        out
    }
}
