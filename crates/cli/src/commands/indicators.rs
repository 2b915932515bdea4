//! `waymark indicators`: the area's performance framework. Computes a framework (a built-in pack, or one
//! defined in `--definitions DIR`) per LA, locality and England, per period and cohort, and writes it as
//! CSV, JSON, an XLSX board pack or a printable HTML report. `--list` lists the frameworks and their
//! indicators; `--manual FILE.csv` enters manual values; `--export-facts DIR` writes the person table
//! that the independent DuckDB check reads.
//!
//! Data comes from the store (`--db`), from files written by `--export-facts` (`--facts DIR`), or from a
//! synthetic area generated in memory (`--profile NAME --seed N`).

use crate::commands::store::{block_on, open_store, store_failure, StoreArgs};
use crate::Failure;
use std::io::Write;
use std::path::PathBuf;
use waymark_domain::calendar::{parse_iso_date, Date};
use waymark_indicators::definition::MeasureKind;
use waymark_indicators::{compute_all_threads, find_framework, manual, render, Loaded, PeriodSel, PersonTable, Scope};
use waymark_storage::{AuditSink, IndicatorStore, ManualValueRecord};

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  waymark indicators --list\n  waymark indicators --framework dfe-ehcp --la 851 --period 2024 --format csv\n  \
waymark indicators --framework portsmouth-2016 --profile portsmouth --format html --out board.html\n  \
waymark indicators --framework all --profile small --format xlsx --out pack.xlsx\n  \
waymark indicators --manual values.csv   (columns framework,indicator,period,la,cohort,value)\n  \
waymark indicators --export-facts facts/ --profile small"
)]
pub struct Args {
    /// List the frameworks and their indicators.
    #[arg(long)]
    list: bool,
    /// The framework to compute (see --list), or `all`.
    #[arg(long)]
    framework: Option<String>,
    /// One LA (3-digit code) and its localities; without it, every LA and England.
    #[arg(long)]
    la: Option<String>,
    /// A year (`2024`, `2024/25`, `FY2024/25`, a census date) or `all` (every year with data).
    #[arg(long, default_value = "all")]
    period: String,
    /// csv, json, xlsx or html.
    #[arg(long, default_value = "csv", value_parser = ["csv", "json", "xlsx", "html"])]
    format: String,
    /// Write here instead of standard output (required for xlsx).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// A folder of framework definitions (*.toml) that add to or replace the built-in packs.
    #[arg(long, value_name = "DIR")]
    definitions: Option<PathBuf>,
    /// Enter manual values from a CSV file (framework,indicator,period,la,cohort,value) into the store.
    #[arg(long, value_name = "FILE")]
    manual: Option<PathBuf>,
    /// Compute from a synthetic area generated in memory instead of the store: small, portsmouth, kent, england.
    #[arg(long, value_parser = waymark_synth::Profile::NAMES)]
    profile: Option<String>,
    /// Seed for --profile.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Compute from files written by --export-facts.
    #[arg(long, value_name = "DIR")]
    facts: Option<PathBuf>,
    /// Write the person table (pseudonymised person-level records) to DIR for the DuckDB check, then stop.
    #[arg(long, value_name = "DIR")]
    export_facts: Option<PathBuf>,
    /// The day the data runs to (default: today); only what had happened by then counts.
    #[arg(long)]
    today: Option<String>,
    /// Show counts from 1 to N (and any percentage that would reveal them) as `c`, as on board pages
    /// (default 0: an analyst's full figures).
    #[arg(long, value_name = "N", default_value_t = 0)]
    suppress: u32,
    #[command(flatten)]
    store: StoreArgs,
}

fn today(args: &Args) -> Result<Date, Failure> {
    match &args.today {
        Some(t) => parse_iso_date(t).map_err(|e| Failure::input(format!("--today: {e}"))),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

fn list(frameworks: &[waymark_indicators::Framework]) -> String {
    let mut out = String::new();
    for fw in frameworks {
        out.push_str(&format!("{}  {} ({} indicators; {})\n", fw.id, fw.title, fw.indicators.len(), fw.file));
        for i in &fw.indicators {
            let kind = match i.measure {
                MeasureKind::Records => "",
                MeasureKind::Manual => " [manual entry]",
                MeasureKind::Facts => " [person-level facts]",
                MeasureKind::Evidence => " [evidence roll-up]",
            };
            out.push_str(&format!("  {:<44} {}{}\n", i.id, i.title, kind));
        }
    }
    out
}

/// A generated area with its person-level facts (whatever datasets the generator produces).
fn synth_table(profile: &str, seed: u64) -> PersonTable {
    let p = waymark_synth::Profile::by_name(profile, seed).expect("clap checked the profile");
    let data: Vec<_> = p.las.iter().map(|l| waymark_synth::generate_la(l, seed)).collect();
    let facts: Vec<_> = data.iter().map(|d| waymark_synth::generate_facts(d, seed)).collect();
    let areas: Vec<_> = p.las.iter().zip(data.iter()).zip(facts.iter()).map(|((l, d), f)| (l, d, f)).collect();
    waymark_indicators::table::from_synth_with_facts(&areas)
}

pub fn run(args: Args) -> Result<(), Failure> {
    let frameworks = waymark_indicators::load(args.definitions.as_deref()).map_err(|e| Failure::input(e.to_string()))?;
    if args.list {
        print!("{}", list(&frameworks));
        return Ok(());
    }
    let manual_rows = match &args.manual {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
            Some(manual::parse_csv(&path.display().to_string(), &text, &frameworks).map_err(Failure::input)?)
        }
        None => None,
    };
    if let Some(rows) = &manual_rows {
        if args.framework.is_none() && args.export_facts.is_none() {
            // Only entering values.
            let records: Vec<ManualValueRecord> = rows
                .iter()
                .map(|v| ManualValueRecord {
                    framework: v.framework.clone(),
                    indicator: v.indicator.clone(),
                    period: v.period.clone(),
                    la: v.la.clone(),
                    cohort: v.cohort.clone(),
                    value: v.value,
                })
                .collect();
            let n = block_on(async {
                let store = open_store(&args.store).await?;
                store.save_manual_values(&args.store.actor(), &records, "manual indicator values entered").await.map_err(store_failure)
            })?;
            eprintln!("Saved {n} manual values ({} read).", rows.len());
            return Ok(());
        }
    }
    let as_of = today(&args)?;
    // Survey-sourced indicators count the answers in the store, as the web's frameworks do (issue 16).
    let mut surveyed = std::collections::HashMap::new();
    let (table, mut stored_manual) = if let Some(dir) = &args.facts {
        (waymark_indicators::files::read(dir).map_err(|e| Failure::input(format!("{}: {e}", dir.display())))?, Vec::new())
    } else if let Some(p) = &args.profile {
        (synth_table(p, args.seed), Vec::new())
    } else {
        block_on(async {
            let store = open_store(&args.store).await?;
            let actor = args.store.actor();
            let audit = AuditSink::start(&store);
            let table = waymark_indicators::source::load_from_store(&store, &actor, as_of, &audit).await.map_err(store_failure)?;
            let manual = store.manual_values(&actor).await.map_err(store_failure)?;
            surveyed = waymark_web::survey_counts(&store, &actor, &frameworks).await.map_err(store_failure)?;
            Ok((table, manual))
        })?
    };
    if let Some(dir) = &args.export_facts {
        waymark_indicators::files::write(&table, dir).map_err(|e| Failure::other(e.to_string()))?;
        eprintln!(
            "Wrote the person table ({} people, {} cases, {} facts) to {}.",
            table.persons.len(),
            table.cases.len(),
            table.facts.len(),
            dir.display()
        );
        return Ok(());
    }
    let Some(fw_id) = &args.framework else {
        return Err(Failure::input("say which framework: --framework ID (or all); --list shows them"));
    };
    let chosen: Vec<&waymark_indicators::Framework> = if fw_id == "all" {
        frameworks.iter().collect()
    } else {
        vec![find_framework(&frameworks, fw_id).ok_or_else(|| {
            Failure::input(format!(
                "--framework: '{fw_id}' is not a framework ({}, or all)",
                frameworks.iter().map(|f| f.id.as_str()).collect::<Vec<_>>().join(", ")
            ))
        })?]
    };
    let scope = match &args.la {
        Some(code) => {
            let la = code.parse().map_err(|e| Failure::input(format!("--la: {e}")))?;
            if !table.las.contains(&la) {
                return Err(Failure::input(format!("--la: there is no data for LA {code}")));
            }
            Scope::La(la)
        }
        None => Scope::All,
    };
    let periods = PeriodSel::parse(&args.period)
        .ok_or_else(|| Failure::input(format!("--period: '{}' is not a year, period or 'all'", args.period)))?;
    if let Some(rows) = manual_rows {
        stored_manual.extend(rows.into_iter().map(|v| ManualValueRecord {
            framework: v.framework,
            indicator: v.indicator,
            period: v.period,
            la: v.la,
            cohort: v.cohort,
            value: v.value,
        }));
    }
    let mut manual_values = manual::index(
        &stored_manual
            .into_iter()
            .map(|r| manual::ManualValue {
                framework: r.framework,
                indicator: r.indicator,
                period: r.period,
                la: r.la,
                cohort: r.cohort,
                value: r.value,
            })
            .collect::<Vec<_>>(),
    );
    manual_values.surveyed = surveyed;
    // Evidence packs cite the others, so compute every framework they need.
    let needed: Vec<&waymark_indicators::Framework> =
        if chosen.iter().any(|f| f.indicators.iter().any(|i| i.measure == MeasureKind::Evidence)) {
            frameworks.iter().collect()
        } else {
            chosen.clone()
        };
    // On every core: LAs are spread between the threads, or with one LA its periods are.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut results = compute_all_threads(&needed, &table, &scope, &periods, &manual_values, &Loaded::default(), threads);
    results.retain(|r| chosen.iter().any(|f| f.id == r.framework));
    let la = args.la.as_deref();
    let suppression = waymark_indicators::present::Suppression { threshold: args.suppress };
    for r in results.iter_mut() {
        if let Some(fw) = chosen.iter().find(|f| f.id == r.framework) {
            waymark_indicators::present::protect_from_differencing(fw, r, suppression);
        }
    }
    let bytes: Vec<u8> = match args.format.as_str() {
        "csv" if args.suppress > 0 => {
            render::csv_suppressed(&results, &chosen, suppression).map_err(|e| Failure::other(e.to_string()))?.into_bytes()
        }
        "csv" => render::csv(&results).map_err(|e| Failure::other(e.to_string()))?.into_bytes(),
        "json" => serde_json::to_vec_pretty(&render::json(&chosen, &results)).map_err(|e| Failure::other(e.to_string()))?,
        "html" if chosen.len() != 1 => return Err(Failure::input("--format html is one framework's report: choose one --framework")),
        "html" => render::html(chosen[0], &results[0], la, suppression).into_bytes(),
        _ => {
            if args.out.is_none() {
                return Err(Failure::input("--format xlsx writes a file: give --out FILE.xlsx"));
            }
            if chosen.len() != 1 {
                return Err(Failure::input("--format xlsx is one framework's board pack: choose one --framework"));
            }
            render::xlsx(chosen[0], &results[0], la, suppression).map_err(|e| Failure::other(e.to_string()))?
        }
    };
    match &args.out {
        Some(path) => std::fs::write(path, &bytes).map_err(|e| Failure::other(format!("{}: {e}", path.display())))?,
        None => std::io::stdout().write_all(&bytes).map_err(|e| Failure::other(e.to_string()))?,
    }
    Ok(())
}
