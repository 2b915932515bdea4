//! Bad input is refused naming the file, the line and the field.

use waymark_forecast::{InputTexts, Inputs, Model};

const VALID: &str = "setting,setting-group,min-academic-year,max-academic-year,needs,setting->setting
A,g,0,3,T,\"A,B\"
B,g,0,3,T,\"A,B\"
";
const TRANSITIONS: &str = "calendar-year,setting-1,need-1,academic-year-1,setting-2,need-2,academic-year-2
2019,A,T,1,A,T,2
2019,NONSEND,NONSEND,0,A,T,1
";
const POPULATION: &str = "calendar-year,academic-year,population
2019,1,100
2020,1,100
";
const COSTS: &str = "need,setting,cost
T,A,10
";

fn parse(t: &str, p: &str, v: &str, c: &str) -> Result<Inputs, String> {
    Inputs::parse(&InputTexts { transitions: t, population: p, valid_states: v, costs: c }).map_err(|e| e.to_string())
}

#[test]
fn good_inputs_read() {
    let i = parse(TRANSITIONS, POPULATION, VALID, COSTS).unwrap();
    assert_eq!(i.settings, vec!["A", "B"]);
    assert_eq!(i.transitions.len(), 2);
    Model::estimate(&i).unwrap();
}

#[test]
fn a_missing_column_is_named() {
    let t = TRANSITIONS.replace("need-2,", "");
    let e = parse(&t, POPULATION, VALID, COSTS).unwrap_err();
    assert!(e.starts_with("transitions.csv line 1, field need-2: column 'need-2' is missing"), "{e}");
}

#[test]
fn an_unknown_setting_in_transitions_is_refused_with_its_line() {
    let t = format!("{TRANSITIONS}2019,Z,T,2,A,T,3\n");
    let e = parse(&t, POPULATION, VALID, COSTS).unwrap_err();
    assert_eq!(e, "transitions.csv line 4, field setting-1: unknown setting 'Z' (not a row of valid-states.csv, nor NONSEND)");
}

#[test]
fn an_unknown_need_is_refused() {
    let t = format!("{TRANSITIONS}2019,A,Q,2,A,T,3\n");
    let e = parse(&t, POPULATION, VALID, COSTS).unwrap_err();
    assert!(e.starts_with("transitions.csv line 4, field need-1: unknown need 'Q'"), "{e}");
}

#[test]
fn a_negative_population_is_refused() {
    let p = format!("{POPULATION}2021,1,-5\n");
    let e = parse(TRANSITIONS, &p, VALID, COSTS).unwrap_err();
    assert_eq!(e, "population.csv line 4, field population: -5 is negative");
}

#[test]
fn academic_years_must_follow_on() {
    let t = format!("{TRANSITIONS}2019,A,T,2,A,T,4\n");
    let e = parse(&t, POPULATION, VALID, COSTS).unwrap_err();
    assert!(e.starts_with("transitions.csv line 4, field academic-year-2: 4 is not one more"), "{e}");
}

#[test]
fn valid_states_and_costs_are_checked() {
    let v = VALID.replace("A,g,0,3", "A,g,4,3");
    let e = parse(TRANSITIONS, POPULATION, &v, COSTS).unwrap_err();
    assert!(e.starts_with("valid-states.csv line 2, field max-academic-year"), "{e}");
    let v = VALID.replace("\"A,B\"\nB", "\"A,X\"\nB");
    let e = parse(TRANSITIONS, POPULATION, &v, COSTS).unwrap_err();
    assert!(e.starts_with("valid-states.csv line 2, field setting->setting: unknown setting 'X'"), "{e}");
    let c = format!("{COSTS}T,B,-1\n");
    let e = parse(TRANSITIONS, POPULATION, VALID, &c).unwrap_err();
    assert!(e.starts_with("costs.csv line 3, field cost"), "{e}");
    let c = format!("{COSTS}T,A,5\n");
    let e = parse(TRANSITIONS, POPULATION, VALID, &c).unwrap_err();
    assert!(e.contains("appears twice"), "{e}");
    let e = parse(TRANSITIONS, POPULATION, VALID, "oops\n").unwrap_err();
    assert!(e.starts_with("costs.csv line 1, field need"), "{e}");
    let e = parse(TRANSITIONS, POPULATION, VALID, "").unwrap_err();
    assert!(e.starts_with("costs.csv"), "{e}");
}

#[test]
fn population_must_cover_years_with_joiners() {
    let p = "calendar-year,academic-year,population\n2020,1,100\n";
    let i = parse(TRANSITIONS, p, VALID, COSTS).unwrap();
    let e = Model::estimate(&i).unwrap_err().to_string();
    assert!(e.starts_with("population.csv: no population for calendar year 2019, academic year 1"), "{e}");
}

#[test]
fn nothing_panics_on_arbitrary_text() {
    for junk in ["", "\n\n", "a,b\n1", "\"unterminated", "calendar-year\n2019", "\u{feff}x,y\n1,2\n"] {
        let _ = parse(junk, junk, junk, junk);
        let _ = parse(TRANSITIONS, junk, VALID, COSTS);
        let _ = parse(junk, POPULATION, VALID, COSTS);
    }
}
