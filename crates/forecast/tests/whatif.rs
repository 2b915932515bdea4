//! Scenarios, back-testing and places against capacity, on the demo inputs.

use std::path::PathBuf;
use waymark_forecast::backtest::Backtest;
use waymark_forecast::capacity::Capacity;
use waymark_forecast::report::Grouping;
use waymark_forecast::{compare, project_expected, projection_years, InputTexts, Inputs, Model, Report, Scenario};

fn demo() -> Option<(Inputs, Model)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/forecast/witan-send-demo/inputs");
    if !dir.join("transitions.csv").exists() {
        eprintln!("SKIPPED: witan.send demo inputs not found at {}", dir.display());
        return None;
    }
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let (t, p, v, c) = (read("transitions.csv"), read("population.csv"), read("valid-states.csv"), read("costs.csv"));
    let inputs = Inputs::parse(&InputTexts { transitions: &t, population: &p, valid_states: &v, costs: &c }).unwrap();
    let model = Model::estimate(&inputs).unwrap();
    Some((inputs, model))
}

fn expected(model: &Model, sc: Option<&Scenario>) -> Report {
    let years = projection_years(model, None).unwrap();
    Report::from_expected(model, &project_expected(model, &years, sc))
}

fn setting_count(r: &Report, year: i32, setting: &str) -> f64 {
    r.rows(Grouping::Setting).iter().find(|x| x.calendar_year == year && x.keys[0] == setting).map(|x| x.figures.central()).unwrap_or(0.0)
}

#[test]
fn more_joiners_from_a_year_changes_nothing_before_it_and_adds_after() {
    let Some((_, model)) = demo() else { return };
    let base = expected(&model, None);
    let sc =
        Scenario::parse("s.toml", "name = \"More joiners\"\n[[change]]\nwhat = \"joiners\"\nfactor = 1.1\nfrom = 2020\n", &model).unwrap();
    let alt = expected(&model, Some(&sc));
    let cmp = compare(&base, &alt);
    for (y, b, s, d) in cmp {
        if y < 2020 {
            assert_eq!(b, s, "{y}");
        } else {
            assert!(d > 0.0, "{y}: {b} -> {s}");
        }
    }
}

#[test]
fn closing_a_setting_empties_it_and_keeps_its_children_elsewhere() {
    let Some((_, model)) = demo() else { return };
    let base = expected(&model, None);
    let sc = Scenario::parse("s.toml", "[[close]]\nsetting = \"B\"\nfrom = 2019\n", &model).unwrap();
    let alt = expected(&model, Some(&sc));
    assert!(setting_count(&base, 2019, "B") > 10.0);
    assert_eq!(setting_count(&alt, 2018, "B"), setting_count(&base, 2018, "B"));
    assert_eq!(setting_count(&alt, 2019, "B"), 0.0);
    // Children leave at the same rates; those in B went elsewhere, so the total barely moves.
    let (b, a) = (base.totals()[2].1, alt.totals()[2].1);
    assert!((a - b).abs() / b < 0.02, "{b} vs {a}");
}

#[test]
fn fewer_moves_between_two_settings_lowers_the_destination() {
    let Some((_, model)) = demo() else { return };
    let base = expected(&model, None);
    let sc = Scenario::parse("s.toml", "[[change]]\nwhat = \"moves\"\nfactor = 0\nto-setting = \"S\"\n", &model).unwrap();
    let alt = expected(&model, Some(&sc));
    assert!(setting_count(&alt, 2022, "S") < setting_count(&base, 2022, "S"));
}

#[test]
fn bad_scenarios_are_refused_naming_the_field() {
    let Some((_, model)) = demo() else { return };
    let e = Scenario::parse("s.toml", "[[change]]\nwhat = \"births\"\nfactor = 1\n", &model).unwrap_err();
    assert!(e.contains("field what: 'births'"), "{e}");
    let e = Scenario::parse("s.toml", "[[close]]\nsetting = \"ZZ\"\nfrom = 2020\n", &model).unwrap_err();
    assert!(e.contains("unknown setting 'ZZ'"), "{e}");
    let e = Scenario::parse("s.toml", "[[change]]\nwhat = \"joiners\"\nfactor = -1\n", &model).unwrap_err();
    assert!(e.contains("field factor"), "{e}");
    assert!(Scenario::parse("s.toml", "colour = 1", &model).is_err());
}

#[test]
fn backtest_holds_out_the_last_years_and_reports_errors() {
    let Some((inputs, _)) = demo() else { return };
    let bt = Backtest::run(&inputs, 2).unwrap();
    let years: Vec<i32> = bt.rows.iter().filter(|r| r.setting.is_none()).map(|r| r.calendar_year).collect();
    assert_eq!(years, vec![2016, 2017]);
    // Observed 2017 is the seed year's population of the full model.
    assert_eq!(bt.rows.iter().find(|r| r.setting.is_none() && r.calendar_year == 2017).unwrap().observed, 2153.0);
    let m = bt.mape_total().unwrap();
    assert!(m > 0.0 && m < 20.0, "MAPE {m}");
    assert!(bt.mape_csv().starts_with("scope,key,mape\ntotal,ALL,"));
    assert!(bt.csv().starts_with("calendar-year,setting,observed,expected,absolute-percentage-error\n"));
    assert!(Backtest::run(&inputs, 4).is_err());
    assert!(Backtest::run(&inputs, 0).is_err());
}

#[test]
fn places_against_capacity_give_the_shortfall() {
    let Some((_, model)) = demo() else { return };
    let report = expected(&model, None);
    let cap = Capacity::parse("capacity.csv", "setting,calendar-year,places\nA,2017,100\nA,2020,1000\n", &model).unwrap();
    let csv = cap.places_csv(&report);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "calendar-year,setting,places,demand,demand-q95,shortfall,shortfall-q95,cost");
    let a2018 = setting_count(&report, 2018, "A");
    assert!(a2018 > 100.0);
    let row = lines.iter().find(|l| l.starts_with("2018,A,")).unwrap();
    let f: Vec<&str> = row.split(',').collect();
    assert!((f[5].parse::<f64>().unwrap() - (a2018 - 100.0)).abs() < 1e-5);
    let row = lines.iter().find(|l| l.starts_with("2021,A,")).unwrap();
    assert_eq!(row.split(',').nth(5), Some("0"));
    let e = Capacity::parse("capacity.csv", "setting,calendar-year,places\nA,2017,-1\n", &model).unwrap_err();
    assert_eq!(e.to_string(), "capacity.csv line 2, field places: -1 is negative");
}
