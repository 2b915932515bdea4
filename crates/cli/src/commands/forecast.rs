//! `waymark forecast`: project children and young people with EHC plans, their places and their cost,
//! with witan.send's model (crate `waymark-forecast`). Inputs are witan.send's four files (`--inputs
//! DIR`) or derived from the store for one LA (`--from-store --la CODE`): each child's place at each
//! January census, from the store's forecast read (only the plan events, SEN histories and placements
//! of the LA's children with cases: one scoped, audited read), the
//! LA's general population by age, and a cost table (`--costs FILE`, else an illustrative default).
//!
//! Writes `totals.csv`, `by_ncy.csv`, `by_need.csv`, `by_setting.csv`, `by_state.csv` and `dropped.csv`
//! to `--out DIR`; with `--scenario` the scenario's files in `DIR/scenario/` and `DIR/comparison.csv`;
//! with `--backtest` `DIR/backtest.csv` and `DIR/backtest_mape.csv`; with `--capacity` `DIR/places.csv`.

use crate::commands::store::{block_on, open_store, store_failure, StoreArgs};
use crate::Failure;
use std::path::{Path, PathBuf};
use std::time::Instant;
use waymark_domain::calendar::parse_iso_date;
use waymark_domain::identifiers::LaCode;
use waymark_forecast::backtest::Backtest;
use waymark_forecast::capacity::Capacity;
use waymark_forecast::derive::{self, setting_infos, PopulationRow, DEFAULT_COSTS};
use waymark_forecast::report::Report;
use waymark_forecast::source::census_states;
use waymark_forecast::{comparison_csv, project_expected, projection_years, simulate, InputTexts, Inputs, Model, Scenario};
use waymark_storage::{Actor, AuditSink, FactStore, ForecastStore, Scope};

#[derive(clap::Args)]
#[command(after_help = "Examples:\n  waymark forecast --inputs witan-send-demo/inputs --expected --out results\n  \
waymark forecast --inputs witan-send-demo/inputs --simulations 1000 --seed 7 --out results\n  \
waymark forecast --from-store --la 851 --years 5 --backtest 1 --out results\n  \
waymark forecast --inputs DIR --scenario more-joiners.toml --capacity places.csv --out results\n\n\
Outputs in --out: totals.csv, by_ncy.csv, by_need.csv, by_setting.csv, by_state.csv, dropped.csv;\n\
with --scenario: scenario/*.csv and comparison.csv; with --backtest: backtest.csv and backtest_mape.csv;\n\
with --capacity: places.csv. See docs/forecasting.md.")]
pub struct Args {
    /// A folder with witan.send's transitions.csv, population.csv, valid-states.csv and costs.csv.
    #[arg(long, value_name = "DIR", conflicts_with = "from_store", required_unless_present = "from_store")]
    inputs: Option<PathBuf>,
    /// Derive the inputs from the store (needs --la).
    #[arg(long, requires = "la")]
    from_store: bool,
    /// The LA (3-digit code) to forecast from the store.
    #[arg(long)]
    la: Option<String>,
    /// How many calendar years to project after the last observed year (default: as many as the
    /// population covers; 5 from the store).
    #[arg(long)]
    years: Option<usize>,
    /// The exact expected-value projection (the default without --simulations).
    #[arg(long, conflicts_with = "simulations")]
    expected: bool,
    /// Run N seeded simulations and report mean, sd and quantiles.
    #[arg(long, value_name = "N")]
    simulations: Option<usize>,
    /// The simulations' seed (the same seed gives the same results on any number of threads).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Threads for simulations (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// A scenario file (TOML, see docs/forecasting.md): also project it and compare with the baseline.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Hold out the last YEARS observed years, forecast them, and report the error.
    #[arg(long, value_name = "YEARS")]
    backtest: Option<usize>,
    /// Places per setting (CSV: setting,calendar-year,places): demand against capacity, shortfall by year.
    #[arg(long, value_name = "FILE")]
    capacity: Option<PathBuf>,
    /// With --from-store: the LA's cost table (CSV: need,setting,cost; need `*` for every need).
    #[arg(long, value_name = "FILE")]
    costs: Option<PathBuf>,
    /// With --from-store: also write the derived inputs in witan.send's format to DIR.
    #[arg(long, value_name = "DIR")]
    export_inputs: Option<PathBuf>,
    /// With --from-store: the day the data runs to (default: today).
    #[arg(long)]
    today: Option<String>,
    /// Where to write the results.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))
}

fn read_inputs(dir: &Path) -> Result<Inputs, Failure> {
    let t = read(&dir.join("transitions.csv"))?;
    let p = read(&dir.join("population.csv"))?;
    let v = read(&dir.join("valid-states.csv"))?;
    let c = read(&dir.join("costs.csv"))?;
    Inputs::parse(&InputTexts { transitions: &t, population: &p, valid_states: &v, costs: &c })
        .map_err(|e| Failure::input(format!("{}: {e}", dir.display())))
}

fn parse_costs(path: &Path) -> Result<Vec<(String, String, f64)>, Failure> {
    let text = read(path)?;
    let f = path.display().to_string();
    let mut r = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = r.headers().map_err(|e| Failure::input(format!("{f} line 1: {e}")))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Failure::input(format!("{f} line 1, field {name}: column '{name}' is missing (expected need,setting,cost)")))
    };
    let (n, s, c) = (col("need")?, col("setting")?, col("cost")?);
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| Failure::input(format!("{f}: {e}")))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let v = rec.get(c).unwrap_or("");
        let cost: f64 = v.parse().map_err(|_| Failure::input(format!("{f} line {line}, field cost: '{v}' is not a number")))?;
        if !cost.is_finite() || cost < 0.0 {
            return Err(Failure::input(format!("{f} line {line}, field cost: {v} is negative")));
        }
        out.push((rec.get(n).unwrap_or("").to_string(), rec.get(s).unwrap_or("").to_string(), cost));
    }
    Ok(out)
}

/// Derive the inputs for one LA from the store (one scoped, audited aggregate read).
/// Inputs derived from the store, notes on the assumptions made, and the four files' text.
type FromStore = (Inputs, Vec<String>, [(&'static str, String); 4]);

fn inputs_from_store(args: &Args, years_ahead: usize) -> Result<FromStore, Failure> {
    let code = args.la.as_deref().expect("clap requires --la");
    let la: LaCode = code.parse().map_err(|e| Failure::input(format!("--la: {e}")))?;
    let as_of = match &args.today {
        Some(t) => parse_iso_date(t).map_err(|e| Failure::input(format!("--today: {e}")))?,
        None => chrono::Local::now().date_naive(),
    };
    let costs = match &args.costs {
        Some(p) => parse_costs(p)?,
        None => DEFAULT_COSTS.iter().map(|(s, c)| ("*".to_string(), s.to_string(), *c)).collect(),
    };
    let (children, settings, population) = block_on(async {
        let store = open_store(&args.store).await?;
        // The forecast reads one LA: the actor is narrowed to it, so the store's scope check applies.
        let actor = Actor::new(args.store.actor.clone(), Scope::LocalAuthority(la));
        let audit = AuditSink::start(&store);
        let children = store.forecast_children(&actor, la, as_of, &audit).await.map_err(store_failure)?;
        let settings = store.settings(&actor).await.map_err(store_failure)?;
        let population = store.population(&actor).await.map_err(store_failure)?;
        Ok((children, settings, population))
    })?;
    let states = census_states(&children, &settings, as_of);
    let population: Vec<PopulationRow> = population
        .iter()
        .filter(|c| c.la() == la)
        .map(|c| PopulationRow { year: c.year(), age: i32::from(c.age()), count: u64::from(c.count()) })
        .collect();
    let mut notes = Vec::new();
    if args.costs.is_none() {
        notes.push("Costs are Waymark's illustrative defaults per setting: give the LA's own with --costs.".to_string());
    }
    let d = derive::derive(&states, &population, &setting_infos(), &costs, years_ahead)
        .map_err(|e| Failure::input(format!("LA {code}: {e}")))?;
    notes.extend(d.notes);
    Ok((d.inputs, notes, d.texts))
}

fn write_files(dir: &Path, files: &[(&str, String)]) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| Failure::other(format!("{}: {e}", dir.display())))?;
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| Failure::other(format!("{}: {e}", path.display())))?;
    }
    Ok(())
}

fn run_projection(model: &Model, years: &[i32], args: &Args, scenario: Option<&Scenario>) -> Report {
    match args.simulations {
        Some(n) => {
            let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
            Report::from_simulations(model, &simulate(model, years, n, args.seed, threads, scenario))
        }
        None => Report::from_expected(model, &project_expected(model, years, scenario)),
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let started = Instant::now();
    if args.simulations == Some(0) {
        return Err(Failure::input("--simulations: give at least 1"));
    }
    let (inputs, notes, derived_texts) = match &args.inputs {
        Some(dir) => (read_inputs(dir)?, Vec::new(), None),
        None => {
            let (i, n, t) = inputs_from_store(&args, args.years.unwrap_or(5))?;
            (i, n, Some(t))
        }
    };
    if let (Some(dir), Some(texts)) = (&args.export_inputs, &derived_texts) {
        write_files(dir, &texts.iter().map(|(n, t)| (*n, t.clone())).collect::<Vec<_>>())?;
    }
    let model = Model::estimate(&inputs).map_err(|e| Failure::input(e.to_string()))?;
    let years_wanted = args.years.or(if args.from_store { Some(5) } else { None });
    let years = projection_years(&model, years_wanted).map_err(Failure::input)?;
    let scenario = match &args.scenario {
        Some(p) => Some(Scenario::parse(&p.display().to_string(), &read(p)?, &model).map_err(Failure::input)?),
        None => None,
    };
    let capacity = match &args.capacity {
        Some(p) => Some(Capacity::parse(&p.display().to_string(), &read(p)?, &model).map_err(|e| Failure::input(e.to_string()))?),
        None => None,
    };
    let backtest = match args.backtest {
        Some(k) => Some(Backtest::run(&inputs, k).map_err(|e| Failure::input(format!("--backtest: {e}")))?),
        None => None,
    };

    let report = run_projection(&model, &years, &args, None);
    let mut files = report.files();
    if let Some(cap) = &capacity {
        files.push(("places.csv", cap.places_csv(&report)));
    }
    if let Some(bt) = &backtest {
        files.push(("backtest.csv", bt.csv()));
        files.push(("backtest_mape.csv", bt.mape_csv()));
    }
    let scenario_report = scenario.as_ref().map(|sc| run_projection(&model, &years, &args, Some(sc)));
    if let Some(sr) = &scenario_report {
        files.push(("comparison.csv", comparison_csv(&report, sr)));
    }
    write_files(&args.out, &files)?;
    if let Some(sr) = &scenario_report {
        let mut sfiles = sr.files();
        if let Some(cap) = &capacity {
            sfiles.push(("places.csv", cap.places_csv(sr)));
        }
        write_files(&args.out.join("scenario"), &sfiles)?;
    }

    // A short account on standard output.
    let what = match args.simulations {
        Some(n) => format!("{n} simulations (seed {})", args.seed),
        None => "the expected projection".to_string(),
    };
    println!(
        "Forecast from {} ({} movements observed, {} to {}), {what}, {} to {}:",
        if args.from_store { format!("the store, LA {}", args.la.as_deref().unwrap_or("")) } else { "the input files".into() },
        inputs.transitions.len(),
        inputs.transitions.iter().map(|t| t.calendar_year).min().unwrap_or(0),
        inputs.last_transition_year(),
        years[0],
        years[years.len() - 1]
    );
    for (y, v) in report.totals() {
        println!("  {y}: {:.1} children and young people with EHC plans", v);
    }
    let dropped: f64 = report.dropped.iter().map(|d| d.count).sum();
    if dropped > 0.0 {
        println!("  {dropped:.1} in states the valid-states table does not allow were no longer followed (dropped.csv).");
    }
    if let Some(bt) = &backtest {
        if let Some(m) = bt.mape_total() {
            println!("Back-test holding out {} year(s): mean absolute percentage error of the total {:.1}%.", bt.held_out, m);
        }
    }
    if let (Some(sc), Some(sr)) = (&scenario, &scenario_report) {
        println!("Scenario '{}': see comparison.csv.", sc.name);
        for (y, b, s, d) in waymark_forecast::compare(&report, sr) {
            println!("  {y}: {b:.1} -> {s:.1} ({d:+.1})");
        }
    }
    for n in &notes {
        println!("Note: {n}");
    }
    println!("Wrote {} in {:.2} s.", args.out.display(), started.elapsed().as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::collections::HashMap;
    use waymark_domain::calendar::Date;
    use waymark_forecast::derive::CensusState;
    use waymark_indicators::table::{age_at_start_of_academic_year, PersonTable, SettingKind};

    /// The reference: each child's place at each census from the indicators' whole person table, as
    /// the forecast read it before it had its own read (every case replayed, its clock evaluated).
    fn census_states_from_person_table(table: &PersonTable, la: LaCode, as_of: Date) -> Vec<CensusState> {
        use waymark_indicators::period::census_day;
        let Some(la_index) = table.las.iter().position(|l| *l == la) else { return Vec::new() };
        let mut cases: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, c) in table.cases.iter().enumerate() {
            cases.entry(c.person).or_default().push(i);
        }
        let first_plan = table.cases.iter().filter_map(|c| c.plan_start()).map(|d| chrono::Datelike::year(&d)).min();
        let Some(first_plan) = first_plan else { return Vec::new() };
        let last_year = chrono::Datelike::year(&as_of);
        let years: Vec<i32> = (first_plan.max(last_year - 15)..=last_year).filter(|y| census_day(*y) <= as_of).collect();
        let mut out = Vec::new();
        for (pi, p) in table.persons.iter().enumerate() {
            if p.la as usize != la_index {
                continue;
            }
            let Some(mine) = cases.get(&(pi as u32)) else { continue };
            for &y in &years {
                let d = census_day(y);
                let ncy = age_at_start_of_academic_year(p.birth_month, d) - 5;
                if !(-5..=25).contains(&ncy) {
                    continue;
                }
                let has_plan = mine.iter().any(|c| table.cases[*c].plan_in_force(d));
                let place = has_plan.then(|| {
                    let need = table.sen[p.sen.0 as usize..p.sen.1 as usize]
                        .iter()
                        .filter(|s| s.from <= d)
                        .filter_map(|s| s.need)
                        .next_back()
                        .map(|n| n.code().to_string())
                        .unwrap_or_else(|| "UNKNOWN".into());
                    let setting = table.placements[p.placements.0 as usize..p.placements.1 as usize]
                        .iter()
                        .filter(|pl| pl.entry <= d && pl.leaving.is_none_or(|l| l > d))
                        .max_by_key(|pl| pl.entry)
                        .map(|pl| {
                            if pl.unit_or_rp && pl.kind == SettingKind::Mainstream {
                                "mainstream_resourced".to_string()
                            } else {
                                pl.kind.key().to_string()
                            }
                        })
                        .unwrap_or_else(|| SettingKind::Unknown.key().to_string());
                    (need, setting)
                });
                out.push(CensusState { person: pi as u32, year: y, ncy, place });
            }
        }
        out
    }

    /// People numbered in order of first appearance, so two reads that number them differently compare.
    fn renumbered(states: Vec<CensusState>) -> Vec<CensusState> {
        let mut seen: HashMap<u32, u32> = HashMap::new();
        states
            .into_iter()
            .map(|mut s| {
                let next = seen.len() as u32;
                s.person = *seen.entry(s.person).or_insert(next);
                s
            })
            .collect()
    }

    #[test]
    fn the_forecast_read_of_the_store_gives_the_same_four_inputs_as_the_indicators_person_table() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("area.db");
        let db_arg = db.to_str().unwrap();
        let crate::Command::Generate(args) =
            crate::Cli::parse_from(["waymark", "generate", "--profile", "small", "--seed", "7", "--db", db_arg]).command
        else {
            unreachable!("a generate command")
        };
        crate::commands::generate::run(args).unwrap_or_else(|f| panic!("generate: {}", f.message));
        let la: LaCode = "851".parse().unwrap();
        let as_of = parse_iso_date("2026-03-01").unwrap();
        let store_args = StoreArgs { db: crate::paths::DbArg { db: Some(db.clone()) }, actor: "test".into() };
        let (table, children, settings, population) = block_on(async {
            let store = open_store(&store_args).await?;
            let actor = Actor::new("test", Scope::LocalAuthority(la));
            let audit = AuditSink::start(&store);
            let table = waymark_indicators::source::load_casework_from_store(&store, &actor, as_of, &audit).await.map_err(store_failure)?;
            let children = store.forecast_children(&actor, la, as_of, &audit).await.map_err(store_failure)?;
            let settings = store.settings(&actor).await.map_err(store_failure)?;
            let population = store.population(&actor).await.map_err(store_failure)?;
            Ok((table, children, settings, population))
        })
        .unwrap_or_else(|f| panic!("read: {}", f.message));
        let old = census_states_from_person_table(&table, la, as_of);
        let new = census_states(&children, &settings, as_of);
        assert!(old.iter().filter(|s| s.place.is_some()).count() > 500, "the small area has plans at several censuses");
        assert_eq!(renumbered(new.clone()), renumbered(old.clone()), "the same child, year, NCY, need and setting at every census");

        let population: Vec<PopulationRow> = population
            .iter()
            .filter(|c| c.la() == la)
            .map(|c| PopulationRow { year: c.year(), age: i32::from(c.age()), count: u64::from(c.count()) })
            .collect();
        let costs: Vec<_> = DEFAULT_COSTS.iter().map(|(s, c)| ("*".to_string(), s.to_string(), *c)).collect();
        let from_old = derive::derive(&old, &population, &setting_infos(), &costs, 5).unwrap();
        let from_new = derive::derive(&new, &population, &setting_infos(), &costs, 5).unwrap();
        for ((name, a), (_, b)) in from_new.texts.iter().zip(&from_old.texts) {
            assert_eq!(a, b, "{name} is the same from both reads");
        }
        assert!(from_new.texts[0].1.lines().count() > 1000, "transitions.csv has the area's movements");
    }
}
