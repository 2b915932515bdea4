//! A case small enough to work out by hand (the arithmetic is in the comments), checking every part of
//! the model: leaving and moving priors, where movers and joiners go, joining rates averaged over
//! calendar years, `can-move?`, and cohorts that reach a state valid-states.csv forbids.

use waymark_forecast::report::Grouping;
use waymark_forecast::{project_expected, projection_years, simulate, InputTexts, Inputs, Model, Report};

const VALID: &str = "setting,setting-group,min-academic-year,max-academic-year,needs,setting->setting
A,g,0,3,T,\"A,B\"
B,g,0,3,T,\"A,B\"
";
const TRANSITIONS: &str = "calendar-year,setting-1,need-1,academic-year-1,setting-2,need-2,academic-year-2
2019,A,T,1,A,T,2
2019,A,T,1,B,T,2
2019,A,T,1,NONSEND,NONSEND,2
2019,NONSEND,NONSEND,0,A,T,1
2020,NONSEND,NONSEND,0,A,T,1
2020,NONSEND,NONSEND,0,A,T,1
2020,NONSEND,NONSEND,0,B,T,1
";
const POPULATION: &str = "calendar-year,academic-year,population
2019,1,100
2020,1,100
2021,1,100
2022,1,200
2023,1,100
2024,1,0
2025,1,0
";
const COSTS: &str = "need,setting,cost
T,A,10
T,B,100
";

fn model() -> Model {
    let inputs =
        Inputs::parse(&InputTexts { transitions: TRANSITIONS, population: POPULATION, valid_states: VALID, costs: COSTS }).expect("inputs");
    Model::estimate(&inputs).expect("model")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn parameters_are_witan_sends_priors_plus_observations() {
    let m = model();
    // Leaving at NCY 1: prior (1 + 0.5, 2 + 0.5) / 4 = (0.375, 0.625); A adds its 1 leaver and 2 stayers.
    let a = &m.states[&(1, 0, 0)];
    assert!(close(a.leave.unwrap().alpha, 1.375) && close(a.leave.unwrap().beta, 2.625));
    let b = &m.states[&(1, 0, 1)];
    assert!(close(b.leave.unwrap().mean(), 0.375));
    // Moving at NCY 1: prior (1.5, 1.5) / 3; A adds 1 move and 1 stay.
    assert!(close(a.moving.unwrap().alpha, 1.5) && close(a.moving.unwrap().beta, 1.5));
    // Where A's movers go: prior {A: 1/2, B: 1/2 + 1 move into B}, A removed, normalised: {B: 1}; plus the
    // observed move to B: 2.
    assert_eq!(a.destinations, vec![((0, 1), 2.0)]);
    assert_eq!(b.destinations, vec![((0, 0), 1.0)]);
    // No observations at NCY 2: no leaving or moving parameters there.
    assert!(m.states[&(2, 0, 0)].leave.is_none());
    // Joining at NCY 1: 2019 (1 of 100) and 2020 (3 of 100) averaged: alpha 2, beta 98.
    let j = &m.joiners[&1];
    assert!(close(j.joining.alpha, 2.0) && close(j.joining.beta, 98.0));
    assert_eq!(j.destinations, vec![((0, 0), 3.5), ((0, 1), 1.5)]);
    assert_eq!(m.seed_year, 2021);
}

#[test]
fn expected_projection_matches_the_hand_calculation() {
    let m = model();
    let years = projection_years(&m, None).unwrap();
    assert_eq!(years, vec![2021, 2022, 2023, 2024, 2025]);
    let run = project_expected(&m, &years, None);
    let l = m.layout();
    let s = &run.states[1];
    // 2022: A@1 (2 children): 0.6875 leave, 0.65625 move to B, 0.65625 stay; B@1 (1): 0.375 leave,
    // 0.3125 move to A, 0.3125 stay; 200 x 0.02 = 4 joiners, 70% to A, 30% to B.
    assert!(close(s[l.index(2, 0, 0)], 0.96875));
    assert!(close(s[l.index(2, 0, 1)], 0.96875));
    assert!(close(s[l.index(1, 0, 0)], 2.8));
    assert!(close(s[l.index(1, 0, 1)], 1.2));
    let report = Report::from_expected(&m, &run);
    let totals = report.totals();
    assert!(close(totals[0].1, 3.0));
    assert!(close(totals[1].1, 5.9375));
    assert!(close(totals[2].1, 6.525));
    // Cost 2022: (0.96875 + 2.8) x 10 + (0.96875 + 1.2) x 100.
    assert!(close(report.rows(Grouping::Total)[1].figures.cost(), 254.5625));
    // NCY 3 is A's and B's last: in 2024 those children are at NCY 4, which valid-states forbids; in 2025
    // they are dropped, and reported.
    let dropped: Vec<_> = report.dropped.iter().filter(|d| d.calendar_year == 2025).collect();
    assert_eq!(dropped.len(), 2);
    assert!(dropped.iter().all(|d| d.academic_year == 4 && close(d.count, 0.96875) && d.reason.code() == "invalid-state"));
    let csv = report.dropped_csv();
    assert!(csv.starts_with("calendar-year,academic-year,need,setting,reason,expected-count\n"));
    assert!(csv.contains("2025,4,T,A,invalid-state,0.96875\n"));
}

#[test]
fn simulations_are_whole_children_and_the_same_for_a_seed_whatever_the_threads() {
    let m = model();
    let years = projection_years(&m, Some(3)).unwrap();
    let one = simulate(&m, &years, 50, 7, 1, None);
    let two = simulate(&m, &years, 50, 7, 2, None);
    assert_eq!(one.states, two.states);
    let other = simulate(&m, &years, 50, 8, 2, None);
    assert_ne!(one.states, other.states);
}
