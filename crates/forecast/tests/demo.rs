//! Golden tests on witan.send's demo inputs (`../shared/reference/forecast/witan-send-demo/inputs`
//! beside the repository). They skip, saying so, only when that folder is absent.

use std::path::PathBuf;
use waymark_forecast::report::Grouping;
use waymark_forecast::{project_expected, projection_years, simulate, InputTexts, Inputs, Model, Report};

fn demo_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/forecast/witan-send-demo/inputs");
    if dir.join("transitions.csv").exists() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: witan.send demo inputs not found at {} (the shared reference folder beside the repository)", dir.display());
        None
    }
}

fn demo() -> Option<(Inputs, Model)> {
    let dir = demo_dir()?;
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let (t, p, v, c) = (read("transitions.csv"), read("population.csv"), read("valid-states.csv"), read("costs.csv"));
    let inputs = Inputs::parse(&InputTexts { transitions: &t, population: &p, valid_states: &v, costs: &c }).expect("demo inputs read");
    let model = Model::estimate(&inputs).expect("demo model");
    Some((inputs, model))
}

/// The expectation computed by the independent NumPy implementation (crates/forecast/numpy/witan_send.py)
/// on the demo inputs: calendar-year, expected-count, expected-cost.
const NUMPY_EXPECTED_TOTALS: &str = include_str!("golden/demo-expected-totals.csv");

#[test]
fn demo_expected_projection_equals_the_independent_numpy_expectation() {
    let Some((_, model)) = demo() else { return };
    let years = projection_years(&model, None).unwrap();
    assert_eq!(model.seed_year, 2017);
    assert_eq!(years, vec![2017, 2018, 2019, 2020, 2021, 2022]);
    let report = Report::from_expected(&model, &project_expected(&model, &years, None));
    let mut golden = NUMPY_EXPECTED_TOTALS.lines();
    assert_eq!(golden.next(), Some("calendar-year,expected-count,expected-cost"));
    let rows = report.rows(Grouping::Total);
    let mut n = 0;
    for (line, row) in golden.zip(rows) {
        let f: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        assert_eq!(f[0] as i32, row.calendar_year);
        assert!((f[1] - row.figures.central()).abs() < 1e-6, "{line} vs {:?}", row.figures);
        assert!((f[2] - row.figures.cost()).abs() < 1e-3, "{line} vs {:?}", row.figures);
        n += 1;
    }
    assert_eq!(n, 6);
}

#[test]
fn demo_expected_breakdowns_add_up_to_the_totals() {
    let Some((_, model)) = demo() else { return };
    let years = projection_years(&model, None).unwrap();
    let report = Report::from_expected(&model, &project_expected(&model, &years, None));
    for g in [Grouping::Ncy, Grouping::Need, Grouping::Setting, Grouping::State] {
        for (y, total) in report.totals() {
            let sum: f64 = report.rows(g).iter().filter(|r| r.calendar_year == y).map(|r| r.figures.central()).sum();
            assert!((sum - total).abs() < 1e-6, "{g:?} {y}: {sum} vs {total}");
        }
    }
    // The seed year is the observed population: 2016's movements' destinations with a plan.
    assert_eq!(report.totals()[0].1, 2153.0);
}

#[test]
fn demo_thousand_simulations_agree_with_the_expectation_within_their_uncertainty() {
    let Some((_, model)) = demo() else { return };
    let years = projection_years(&model, Some(5)).unwrap();
    let expected = Report::from_expected(&model, &project_expected(&model, &years, None));
    let n = 1000;
    let sims = Report::from_simulations(&model, &simulate(&model, &years, n, 42, 2, None));
    for g in [Grouping::Total, Grouping::Setting] {
        for (e, s) in expected.rows(g).iter().zip(sims.rows(g)) {
            assert_eq!((e.calendar_year, &e.keys), (s.calendar_year, &s.keys));
            let waymark_forecast::Figures::Simulated { mean, sd, q, .. } = s.figures else { panic!() };
            let bound = 4.0 * sd / (n as f64).sqrt();
            assert!(
                (mean - e.figures.central()).abs() <= bound + 1e-9,
                "{g:?} {} {:?}: simulated mean {mean} (sd {sd}) vs expected {}",
                e.calendar_year,
                e.keys,
                e.figures.central()
            );
            assert!(q[0] <= q[2] && q[2] <= q[4]);
        }
    }
    // Dropped children: the simulations' mean agrees with the expectation too.
    let de: f64 = expected.dropped.iter().map(|d| d.count).sum();
    let ds: f64 = sims.dropped.iter().map(|d| d.count).sum();
    assert!(de > 0.0, "the demo inputs move some children into states valid-states.csv forbids");
    assert!((de - ds).abs() < 0.05 * de, "dropped: expected {de}, simulated mean {ds}");
}
