//! Places against capacity: an imported table of places per setting (a setting type, or a named special
//! school or resourced provision given its own setting code) from a calendar year, compared with the
//! projected demand, giving the shortfall by year and the cost.
//!
//! `capacity.csv` has the columns `setting,calendar-year,places`: a row gives the places from that
//! calendar year until the setting's next row.

use crate::inputs::InputError;
use crate::model::Model;
use crate::report::{num, Figures, Grouping, Report};
use std::collections::BTreeMap;

pub const CAPACITY_COLUMNS: [&str; 3] = ["setting", "calendar-year", "places"];

/// One setting's places against its demand in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceRow {
    pub calendar_year: i32,
    pub setting: String,
    pub places: f64,
    pub demand: f64,
    pub demand_q95: Option<f64>,
    pub shortfall: f64,
    pub shortfall_q95: Option<f64>,
    pub cost: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Capacity {
    /// setting code -> (from calendar year -> places)
    pub places: BTreeMap<String, BTreeMap<i32, f64>>,
}

fn err(file: &str, line: u64, field: &str, message: String) -> InputError {
    InputError { file: file.into(), line, field: Some(field.into()), message }
}

impl Capacity {
    pub fn parse(file: &str, text: &str, model: &Model) -> Result<Self, InputError> {
        let mut r = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
        let headers = r.headers().map_err(|e| err(file, 1, "header", e.to_string()))?.clone();
        let mut cols = [0usize; 3];
        for (i, name) in CAPACITY_COLUMNS.iter().enumerate() {
            cols[i] = headers.iter().position(|h| h == *name).ok_or_else(|| {
                err(file, 1, name, format!("column '{name}' is missing (expected the columns {})", CAPACITY_COLUMNS.join(",")))
            })?;
        }
        let mut out = Capacity::default();
        for rec in r.records() {
            let rec =
                rec.map_err(|e| err(file, e.position().map(|p| p.line()).unwrap_or(0), "row", format!("not a well-formed CSV row: {e}")))?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            let setting = rec.get(cols[0]).unwrap_or("");
            if !model.settings.iter().any(|s| s == setting) {
                return Err(err(file, line, "setting", format!("unknown setting '{setting}' (not a row of valid-states.csv)")));
            }
            let y = rec.get(cols[1]).unwrap_or("");
            let year: i32 = y.parse().map_err(|_| err(file, line, "calendar-year", format!("'{y}' is not a year")))?;
            let p = rec.get(cols[2]).unwrap_or("");
            let places: f64 = p.parse().map_err(|_| err(file, line, "places", format!("'{p}' is not a number")))?;
            if !places.is_finite() || places < 0.0 {
                return Err(err(file, line, "places", format!("{p} is negative")));
            }
            if out.places.entry(setting.to_string()).or_default().insert(year, places).is_some() {
                return Err(err(file, line, "calendar-year", format!("setting {setting} has two rows for {year}")));
            }
        }
        Ok(out)
    }

    /// Places in a setting in a calendar year, if known.
    pub fn places(&self, setting: &str, cy: i32) -> Option<f64> {
        self.places.get(setting)?.range(..=cy).next_back().map(|(_, p)| *p)
    }

    /// For each setting with a capacity, by year: places, demand (expected count or the simulations'
    /// mean), the 95th percentile of demand (simulations only), shortfall (demand above places, never
    /// negative; the 95th percentile's too) and the cost of the demand.
    pub fn rows(&self, report: &Report) -> Vec<PlaceRow> {
        let mut out = Vec::new();
        for r in report.rows(Grouping::Setting) {
            let setting = &r.keys[0];
            let Some(places) = self.places(setting, r.calendar_year) else { continue };
            let demand = r.figures.central();
            let q95 = match r.figures {
                Figures::Simulated { q, .. } => Some(q[4]),
                Figures::Expected { .. } => None,
            };
            out.push(PlaceRow {
                calendar_year: r.calendar_year,
                setting: setting.clone(),
                places,
                demand,
                demand_q95: q95,
                shortfall: (demand - places).max(0.0),
                shortfall_q95: q95.map(|q| (q - places).max(0.0)),
                cost: r.figures.cost(),
            });
        }
        out
    }

    /// `places.csv`: [`Capacity::rows`] as CSV.
    pub fn places_csv(&self, report: &Report) -> String {
        let mut out = String::from("calendar-year,setting,places,demand,demand-q95,shortfall,shortfall-q95,cost\n");
        for r in self.rows(report) {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                r.calendar_year,
                r.setting,
                num(r.places),
                num(r.demand),
                r.demand_q95.map(num).unwrap_or_default(),
                num(r.shortfall),
                r.shortfall_q95.map(num).unwrap_or_default(),
                num(r.cost)
            ));
        }
        out
    }
}
