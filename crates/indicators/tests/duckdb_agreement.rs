//! Waymark's engine and the independent DuckDB implementation (`duckdb/indicators.py`) agree on every
//! value they both compute, for every LA, locality and (with several LAs) England, in every year.
//!
//! Needs Python 3 with the `duckdb` package (`python3 -m pip install -r crates/indicators/duckdb/requirements.txt`),
//! so it is ignored by a plain `cargo test`; `scripts/test` installs the package and runs it with `--ignored`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use waymark_indicators::{compute_all, files, load, table, Loaded, ManualValues, PeriodSel, Scope};

type Key = (String, String, String, String);
type Counted = (Option<u64>, Option<u64>, Option<f64>);

fn waymark_values(dir: &Path) -> BTreeMap<Key, Counted> {
    let t = files::read(dir).expect("the exported files read back");
    let frameworks = load(None).unwrap();
    let all: Vec<_> = frameworks.iter().collect();
    let results = compute_all(&all, &t, &Scope::All, &PeriodSel::AllYears, &ManualValues::default(), &Loaded::default());
    let mut out = BTreeMap::new();
    // The `casework` pack counts the same measures by month with the same definitions; DuckDB checks
    // them through `dfe-ehcp`'s years (a test in definitions_and_measures adds the months up to the year).
    for r in results.iter().filter(|r| r.framework != "casework").flat_map(|r| &r.rows) {
        if r.cohort == "all" || (r.cohort.starts_with("locality=") && !r.cohort.contains(" & ")) {
            out.insert((r.indicator.clone(), r.period.clone(), r.la.clone(), r.cohort.clone()), (r.numerator, r.denominator, r.value));
        }
    }
    out
}

fn duckdb_values(dir: &Path) -> Vec<(Key, u64, Option<u64>, Option<f64>)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("duckdb/indicators.py");
    let out = Command::new("python3").arg(&script).arg(dir).output().expect("python3 runs");
    assert!(
        out.status.success(),
        "the DuckDB check failed (is duckdb installed? pip install -r crates/indicators/duckdb/requirements.txt):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rdr = csv::Reader::from_reader(out.stdout.as_slice());
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let key = (r[1].to_owned(), r[2].to_owned(), r[3].to_owned(), r[4].to_owned());
            (key, r[5].parse().unwrap(), r[6].parse().ok(), r[7].parse().ok())
        })
        .collect()
}

fn check_profile(name: &str) {
    let p = waymark_synth::Profile::by_name(name, 7).unwrap();
    let data: Vec<_> = p.las.iter().map(|l| waymark_synth::generate_la(l, 7)).collect();
    // Whatever person-level facts the generator produces go into the table with the casework.
    let facts: Vec<_> = data.iter().map(|d| waymark_synth::generate_facts(d, 7)).collect();
    let areas: Vec<_> = p.las.iter().zip(data.iter()).zip(facts.iter()).map(|((l, d), f)| (l, d, f)).collect();
    let t = table::from_synth_with_facts(&areas);
    assert!(!t.facts.is_empty(), "{name}: the generated area has person-level facts");
    let dir = tempfile::tempdir().unwrap();
    files::write(&t, dir.path()).unwrap();
    let ours = waymark_values(dir.path());
    let theirs = duckdb_values(dir.path());
    let indicators: std::collections::BTreeSet<&str> = theirs.iter().map(|(k, ..)| k.0.as_str()).collect();
    assert!(indicators.len() >= 19 + 10, "DuckDB covers dfe-ehcp and at least ten other indicators: {indicators:?}");
    let mut compared = 0;
    let mut theirs_keys = std::collections::BTreeSet::new();
    for (key, num, den, value) in &theirs {
        theirs_keys.insert(key.clone());
        let Some((n, d, v)) = ours.get(key) else { panic!("{name}: Waymark has no value for {key:?}, which DuckDB computed") };
        assert_eq!(n.unwrap_or(0), *num, "{name}: numerator of {key:?}");
        assert_eq!(*d, *den, "{name}: denominator of {key:?}");
        assert_eq!(*v, *value, "{name}: value of {key:?}");
        compared += 1;
    }
    // Every row of those indicators that Waymark computes with records DuckDB also found, or is empty.
    for (key, (n, d, _)) in &ours {
        if indicators.contains(key.0.as_str()) && !theirs_keys.contains(key) {
            assert!(n.unwrap_or(0) == 0 && d.unwrap_or(0) == 0, "{name}: DuckDB has no row for {key:?} but Waymark counted {n:?}/{d:?}");
        }
    }
    assert!(compared > 500, "{name}: only {compared} values compared");
    // At least ten indicators over person-level facts agree on values that count something.
    let frameworks = load(None).unwrap();
    let facts_ids: std::collections::BTreeSet<&str> = frameworks
        .iter()
        .flat_map(|f| &f.indicators)
        .filter(|i| i.measure == waymark_indicators::definition::MeasureKind::Facts)
        .map(|i| i.id.as_str())
        .collect();
    let facts_checked: std::collections::BTreeSet<&str> = theirs
        .iter()
        .filter(|(k, _, den, _)| facts_ids.contains(k.0.as_str()) && den.unwrap_or(0) > 0)
        .map(|(k, ..)| k.0.as_str())
        .collect();
    let facts_values = theirs.iter().filter(|(k, ..)| facts_ids.contains(k.0.as_str())).count();
    assert!(facts_checked.len() >= 10, "{name}: only {} facts indicators compared with data: {facts_checked:?}", facts_checked.len());
    eprintln!(
        "{name}: {compared} values agree across {} indicators, of which {facts_values} values of {} indicators over person-level facts",
        indicators.len(),
        facts_checked.len()
    );
}

#[test]
#[ignore = "needs python3 with duckdb; scripts/test runs it"]
fn waymark_and_duckdb_agree_on_every_value_for_the_small_profile() {
    check_profile("small");
}

#[test]
#[ignore = "needs python3 with duckdb; scripts/test runs it"]
fn waymark_and_duckdb_agree_on_every_value_for_the_portsmouth_profile() {
    check_profile("portsmouth");
}
