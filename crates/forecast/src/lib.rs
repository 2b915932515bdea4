//! Waymark's forecast of children and young people with EHC plans, their places and their cost.
//!
//! The model is witan.send's (Mastodon C), re-implemented from its published source: a Markov model over
//! states (national curriculum year x need x setting), with leavers, movers and joiners whose rates are
//! estimated from observed year-on-year movements with Beta priors (leaving, moving) and Dirichlet priors
//! (where movers and joiners go). See `docs/forecasting.md`.
//!
//! - [`inputs`]: witan.send's four input files, read and checked (errors name file, line and field);
//! - [`model`]: the parameters estimated from the inputs;
//! - [`engine`]: the exact expected-value projection and seeded, parallel, thread-count-independent
//!   simulations;
//! - [`report`]: summaries by year, NCY, need, setting and state with cost, as CSV;
//! - [`scenario`], [`backtest`], [`capacity`]: what-ifs, hold-out error, places against capacity.
//!
//! The crate is pure: it reads and writes text, never files, and takes no clock.

pub mod backtest;
pub mod capacity;
pub mod derive;
pub mod engine;
pub mod inputs;
pub mod model;
pub mod report;
pub mod scenario;
#[cfg(feature = "store")]
pub mod source;

pub use engine::{project_expected, projection_years, simulate, DropReason, ExpectedRun, SimulatedRun};
pub use inputs::{InputError, InputTexts, Inputs, Place, Transition};
pub use model::{Model, ModelError};
pub use report::{Figures, Grouping, Report, Row};
pub use scenario::Scenario;

/// Compare a scenario with the baseline year by year: (calendar year, baseline, scenario, difference),
/// using the central figure of the totals.
pub fn compare(baseline: &Report, scenario: &Report) -> Vec<(i32, f64, f64, f64)> {
    let s: std::collections::BTreeMap<i32, f64> = scenario.totals().into_iter().collect();
    baseline
        .totals()
        .into_iter()
        .map(|(y, b)| {
            let v = s.get(&y).copied().unwrap_or(0.0);
            (y, b, v, v - b)
        })
        .collect()
}

/// `comparison.csv` text for [`compare`], with cost.
pub fn comparison_csv(baseline: &Report, scenario: &Report) -> String {
    let costs = |r: &Report| -> std::collections::BTreeMap<i32, f64> {
        r.rows(Grouping::Total).iter().map(|x| (x.calendar_year, x.figures.cost())).collect()
    };
    let (bc, sc) = (costs(baseline), costs(scenario));
    let mut out = String::from("calendar-year,baseline,scenario,difference,baseline-cost,scenario-cost,cost-difference\n");
    for (y, b, s, d) in compare(baseline, scenario) {
        let (x, z) = (bc.get(&y).copied().unwrap_or(0.0), sc.get(&y).copied().unwrap_or(0.0));
        out.push_str(&format!(
            "{y},{},{},{},{},{},{}\n",
            report::num(b),
            report::num(s),
            report::num(d),
            report::num(x),
            report::num(z),
            report::num(z - x)
        ));
    }
    out
}
