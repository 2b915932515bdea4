//! `waymark generate`: a synthetic local area, the same for the same seed, written into the store (and,
//! with `--out`, as files). `--report` prints each calibrated figure against its target.

use crate::commands::store::{block_on, open_store, store_failure, StoreArgs};
use crate::Failure;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use waymark_storage::{BulkCounts, BulkPerson, BulkStore};
use waymark_synth::{calibration, generate_la, LaData, Profile};

#[derive(clap::Args)]
#[command(after_help = "Profiles: small (seconds, for tests), portsmouth (about 2,300 plans), kent (about 20,600 plans), \
england (153 LAs, about 640,000 plans and 9 million pupils).\nExample: waymark generate --profile portsmouth --seed 7 --report")]
pub struct Args {
    /// small, portsmouth, kent or england.
    #[arg(long, value_parser = Profile::NAMES)]
    profile: String,
    /// The same seed gives the same data.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Print the calibration report (each figure generated against its target) to standard output.
    #[arg(long)]
    report: bool,
    /// Write files to this folder instead of the store: one SEN2 return per collection year
    /// (`sen2_<year>.xml`; `sen2_<year>_<LA>.xml` for a profile of several LAs), and one import CSV
    /// per dataset (`<dataset>.csv`: localities, settings, population, census, attendance,
    /// exclusions, ks2, ks4, imported in that order).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// People written per transaction.
    #[arg(long, default_value_t = 5000, hide = true)]
    batch: usize,
    #[command(flatten)]
    store: StoreArgs,
}

fn progress(total: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:>16} [{bar:40}] {pos}/{len} people ({per_sec}, {eta} left)")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}

pub fn run(args: Args) -> Result<(), Failure> {
    let profile = Profile::by_name(&args.profile, args.seed).expect("clap checked the name");
    if let Some(dir) = &args.out {
        return write_files(&profile, args.seed, dir, args.report);
    }
    block_on(async move {
        let store = open_store(&args.store).await?;
        let actor = args.store.actor();
        let quiet = !std::io::IsTerminal::is_terminal(&std::io::stderr());
        let mut generated: Vec<LaData> = Vec::with_capacity(profile.las.len());
        let mut total = BulkCounts::default();
        let bar = progress(0, quiet);
        for la in &profile.las {
            bar.set_message(la.name.clone());
            let data = generate_la(la, args.seed);
            bar.inc_length(data.people.len() as u64);
            for chunk in data.people.chunks(args.batch.max(1)) {
                let batch: Vec<BulkPerson> = chunk
                    .iter()
                    .map(|p| BulkPerson { child: p.child.clone(), cases: p.cases.clone(), placements: p.placements.clone() })
                    .collect();
                let reason = format!("synthetic area: profile {} seed {}", profile.name, args.seed);
                total += store.load_people(&actor, &batch, &reason).await.map_err(store_failure)?;
                bar.inc(chunk.len() as u64);
            }
            if data.refused_cases > 0 {
                eprintln!("warning: {} generated case histories were refused by the lifecycle and left out", data.refused_cases);
            }
            if args.report {
                generated.push(data);
            }
        }
        bar.finish_and_clear();
        eprintln!(
            "Generated profile {} (seed {}) into {}: {} children and young people, {} EHC cases with {} events, {} placements.",
            profile.name,
            args.seed,
            args.store.db.path().display(),
            total.children,
            total.cases,
            total.events,
            total.placements
        );
        if args.report {
            print!("{}", calibration::report(&profile, &generated));
        }
        Ok(())
    })
}

/// The SEN2 collections generated data covers (the schemas in ../shared/reference/sen2/).
const SEN2_YEARS: [i32; 2] = [2025, 2026];

/// Write a profile's files into `dir`: one SEN2 return per collection year (per LA when there are
/// several). Files are the same for the same seed: the header's date and time is the census day.
fn write_files(profile: &Profile, seed: u64, dir: &std::path::Path, report: bool) -> Result<(), Failure> {
    use waymark_domain::calendar::age_on;
    use waymark_domain::case::Case;
    use waymark_sen2::{build_person, model::Header, Collection, PersonExtra, PlacementInfo, Sen2Writer};
    std::fs::create_dir_all(dir).map_err(|e| Failure::input(format!("cannot create {}: {e}", dir.display())))?;
    let several = profile.las.len() > 1;
    let mut generated = Vec::new();
    let bar = progress(0, !std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let mut written = Vec::new();
    // One CSV per dataset, every LA's rows in turn under one header.
    let mut csvs = Vec::new();
    for dataset in waymark_synth::facts::DATASETS {
        let path = dir.join(format!("{dataset}.csv"));
        let file = std::fs::File::create(&path).map_err(|e| Failure::other(format!("cannot write {}: {e}", path.display())))?;
        csvs.push((dataset, path, std::io::BufWriter::new(file)));
    }
    let mut facts_generated = Vec::new();
    for (la_index, la) in profile.las.iter().enumerate() {
        bar.set_message(la.name.clone());
        let data = generate_la(la, seed);
        let facts = waymark_synth::generate_facts(&data, seed);
        for (dataset, path, w) in &mut csvs {
            waymark_synth::facts::write_csv(dataset, &[(&data, &facts, &la.localities)], la_index == 0, w)
                .map_err(|e| Failure::other(format!("cannot write {}: {e}", path.display())))?;
        }
        bar.inc_length(data.people.len() as u64 * SEN2_YEARS.len() as u64);
        for year in SEN2_YEARS {
            let collection = Collection::for_year(year).expect("supported SEN2 year");
            let name = if several { format!("sen2_{year}_{}.xml", la.code) } else { format!("sen2_{year}.xml") };
            let path = dir.join(name);
            let file = std::fs::File::create(&path).map_err(|e| Failure::other(format!("cannot write {}: {e}", path.display())))?;
            let header = Header {
                collection: Some("SEN2".into()),
                year: Some(year.to_string()),
                reference_date: Some(collection.reference_date),
                source_level: Some("L".into()),
                lea: Some(la.code.to_string()),
                software_code: Some("WAYMARK-SYNTH".into()),
                release: Some(env!("CARGO_PKG_VERSION").into()),
                serial_no: Some("001".into()),
                date_time: Some(format!("{}T09:00:00", collection.reference_date)),
                dmo: Some("Y".into()),
                dco: Some("Y".into()),
                dsco: Some(if year >= 2026 { "Y" } else { "R" }.into()),
                lines: Default::default(),
            };
            let io = |e: std::io::Error| Failure::other(format!("cannot write {}: {e}", path.display()));
            let mut w = Sen2Writer::new(std::io::BufWriter::new(file), collection, &header).map_err(io)?;
            for p in &data.people {
                bar.inc(1);
                if p.cases.is_empty() {
                    continue;
                }
                let cases: Vec<Case> = p.cases.iter().filter_map(|(id, events)| Case::replay(*id, p.child.id, events).ok()).collect();
                let placements: Vec<PlacementInfo> =
                    p.placements.iter().map(|pl| PlacementInfo { placement: pl.clone(), setting_other: None }).collect();
                // UN1: under 6 and not yet given a UPN (SEN2 item 1.7c).
                let young = age_on(p.child.date_of_birth, collection.reference_date) < 6;
                let extra = PersonExtra { upn_unknown: (young && p.child.upn.is_none() && p.child.uln.is_none()).then(|| "UN1".into()) };
                if let Some(built) = build_person(&p.child, &cases, &placements, &extra, collection) {
                    w.write_person(&built.person).map_err(io)?;
                }
            }
            let persons = w.persons();
            w.finish().map_err(io)?;
            written.push(format!("{} ({persons} persons)", path.display()));
        }
        if report {
            generated.push(data);
            facts_generated.push(facts);
        }
    }
    for (_, path, mut w) in csvs {
        std::io::Write::flush(&mut w).map_err(|e| Failure::other(format!("cannot write {}: {e}", path.display())))?;
        written.push(path.display().to_string());
    }
    bar.finish_and_clear();
    eprintln!("Generated profile {} (seed {seed}) into {}:\n  {}", profile.name, dir.display(), written.join("\n  "));
    if report {
        print!("{}", calibration::report_with_facts(profile, &generated, &facts_generated));
    }
    Ok(())
}
