//! `waymark generate`: a synthetic local area, the same for the same seed, written into the store (and,
//! with `--out`, as files). `--report` prints each calibrated figure against its target.
//!
//! Into the store, each LA's people, cases and placements are bulk loaded ([`BulkStore`]), then its
//! reference data and person-level facts are written through the import itself
//! ([`waymark_import::import_reader`]): the same CSV bytes `--out` writes, parsed and checked by the
//! same rules, in transactions of `--fact-batch` rows, so the store holds exactly what importing the
//! files would give.

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
    /// per dataset (`<dataset>.csv`, for every dataset of `waymark import --list`; import them in
    /// that order).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// People written per transaction.
    #[arg(long, default_value_t = 5000, hide = true)]
    batch: usize,
    /// Fact rows written per transaction.
    #[arg(long, default_value_t = 100_000, hide = true)]
    fact_batch: usize,
    #[command(flatten)]
    store: StoreArgs,
}

fn progress(total: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:>16} [{bar:40}] {pos}/{len} records ({per_sec}, {eta} left)")
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
        // All or nothing (issue 12): the area is built on a copy of the database beside it
        // (`<db>.generating`) and replaces the database, by one rename, only when complete. A crash
        // leaves the database as it was and a stale copy that the next run removes first.
        let target = args.store.db.path();
        let building = building_path(&target);
        remove_database_files(&building)?;
        {
            let store = open_store(&args.store).await?;
            let children = store.count_all_children().await.map_err(store_failure)?;
            if children > 0 {
                return Err(Failure::input(format!(
                    "{} already holds {children} children and young people: generate into a new database file (--db)",
                    target.display()
                )));
            }
            store.copy_into(&building).await.map_err(store_failure)?;
            store.close().await;
        }
        let store = waymark_storage::SqliteStore::open(&building, crate::commands::store::system_clock()).await.map_err(store_failure)?;
        let actor = args.store.actor();
        let quiet = !std::io::IsTerminal::is_terminal(&std::io::stderr());
        let mut generated: Vec<LaData> = Vec::with_capacity(profile.las.len());
        let mut facts_generated = Vec::new();
        let mut total = BulkCounts::default();
        let mut fact_rows = 0u64;
        let bar = progress(0, quiet);
        let sizes = Batches { people: args.batch.max(1), facts: args.fact_batch.max(1) };
        let fail_after = std::env::var("WAYMARK_TEST_GENERATE_FAIL_AFTER_LAS").ok().and_then(|v| v.parse::<usize>().ok());
        for (i, la) in profile.las.iter().enumerate() {
            let loaded = load_la(&store, &actor, profile.name, la, args.seed, sizes, &bar).await?;
            if fail_after == Some(i + 1) {
                // For the all-or-nothing test: a failure after part of the area is written.
                return Err(Failure::other("stopped by WAYMARK_TEST_GENERATE_FAIL_AFTER_LAS (a test of all-or-nothing)".to_owned()));
            }
            total += loaded.counts;
            fact_rows += loaded.fact_rows;
            if args.report {
                generated.push(loaded.data);
                facts_generated.push(loaded.facts);
            }
        }
        bar.finish_and_clear();
        store.checkpoint().await.map_err(store_failure)?;
        store.close().await;
        // The old database's journal files (none after a clean close); the rename replaces the file atomically.
        remove_journal_files(&target)?;
        std::fs::rename(&building, &target)
            .map_err(|e| Failure::other(format!("cannot move the generated area into {}: {e}", target.display())))?;
        remove_database_files(&building)?;
        eprintln!(
            "Generated profile {} (seed {}) into {}: {} children and young people, {} EHC cases with {} events, {} placements; \
             {} rows of reference data and person-level facts.",
            profile.name,
            args.seed,
            args.store.db.path().display(),
            total.children,
            total.cases,
            total.events,
            total.placements,
            fact_rows
        );
        if args.report {
            print!("{}", calibration::report_with_facts(&profile, &generated, &facts_generated));
        }
        Ok(())
    })
}

/// Where an area is built before it replaces the database.
fn building_path(target: &std::path::Path) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(".generating");
    PathBuf::from(name)
}

/// Remove a database file and its WAL and shared-memory files, where present.
fn remove_database_files(path: &std::path::Path) -> Result<(), Failure> {
    remove_files(path, &["", "-wal", "-shm", "-read-audit", "-read-audit-wal", "-read-audit-shm"])
}

fn remove_journal_files(path: &std::path::Path) -> Result<(), Failure> {
    remove_files(path, &["-wal", "-shm"])
}

fn remove_files(path: &std::path::Path, suffixes: &[&str]) -> Result<(), Failure> {
    for suffix in suffixes {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Failure::other(format!("cannot remove {}: {e}", PathBuf::from(name).display()))),
        }
    }
    Ok(())
}

/// Records written per transaction: people (with their cases and placements), and fact rows.
#[derive(Debug, Clone, Copy)]
pub struct Batches {
    pub people: usize,
    pub facts: usize,
}

/// One LA generated into the store.
pub struct LoadedLa {
    pub data: LaData,
    pub facts: waymark_synth::LaFacts,
    pub counts: BulkCounts,
    pub fact_rows: u64,
}

/// Generate one LA of a profile and write it into the store: its people, cases and placements in
/// bulk, then its reference data and person-level facts through the import. The same for the same
/// seed. (For any command that needs a generated area in the store.)
pub async fn load_la(
    store: &waymark_storage::SqliteStore,
    actor: &waymark_storage::Actor,
    profile: &str,
    la: &waymark_synth::LaProfile,
    seed: u64,
    sizes: Batches,
    bar: &ProgressBar,
) -> Result<LoadedLa, Failure> {
    bar.set_message(la.name.clone());
    let data = generate_la(la, seed);
    bar.inc_length(data.people.len() as u64);
    let mut counts = BulkCounts::default();
    let reason = format!("synthetic area: profile {profile} seed {seed}");
    for chunk in data.people.chunks(sizes.people.max(1)) {
        let batch: Vec<BulkPerson> =
            chunk.iter().map(|p| BulkPerson { child: p.child.clone(), cases: p.cases.clone(), placements: p.placements.clone() }).collect();
        counts += store.load_people(actor, &batch, &reason).await.map_err(store_failure)?;
        bar.inc(chunk.len() as u64);
    }
    if data.refused_cases > 0 {
        eprintln!("warning: {} generated case histories were refused by the lifecycle and left out", data.refused_cases);
    }
    let facts = waymark_synth::generate_facts(&data, seed);
    bar.set_message(format!("{} facts", la.name));
    let rows: usize = facts.row_counts().iter().map(|(_, n)| n).sum();
    bar.inc_length(rows as u64);
    let source = format!("synthetic-{profile}-{seed}");
    let fact_rows = load_facts(store, actor, &data, &facts, &la.localities, &source, sizes.facts.max(1), bar).await?;
    Ok(LoadedLa { data, facts, counts, fact_rows })
}

/// Write one LA's reference data and facts into the store through the import: each dataset's CSV
/// (as `--out` writes it) parsed and checked by the import's rules, `per_batch` rows a transaction.
/// A refusal is a generator fault and stops the command. Returns the rows written.
#[allow(clippy::too_many_arguments)]
async fn load_facts(
    store: &waymark_storage::SqliteStore,
    actor: &waymark_storage::Actor,
    data: &LaData,
    facts: &waymark_synth::LaFacts,
    localities: &[String],
    source: &str,
    per_batch: usize,
    bar: &ProgressBar,
) -> Result<u64, Failure> {
    use waymark_import::{import_reader, Dataset, ImportError, Options, Progress};
    let mut written = 0u64;
    for name in waymark_synth::facts::DATASETS {
        let dataset = name.parse::<Dataset>().map_err(|e| Failure::other(format!("generated an unknown dataset: {e}")))?;
        let mut csv = Vec::new();
        waymark_synth::facts::write_csv(name, &[(data, facts, localities)], true, &mut csv)
            .map_err(|e| Failure::other(format!("cannot write the {name} rows: {e}")))?;
        let Some(header_end) = csv.iter().position(|b| *b == b'\n') else { continue };
        let (header, body) = csv.split_at(header_end + 1);
        let mut lines = body.split_inclusive(|b| *b == b'\n').peekable();
        let mut part = 0;
        while lines.peek().is_some() {
            part += 1;
            let mut chunk = header.to_vec();
            let mut rows = 0u64;
            for line in lines.by_ref().take(per_batch) {
                chunk.extend_from_slice(line);
                rows += 1;
            }
            let file = format!("{source}-{}-{name}-{part}.csv", data.la);
            let options = Options { dry_run: false, progress: false };
            match import_reader(store, actor, dataset, &file, &file, chunk.as_slice(), options, &Progress::hidden()).await {
                Ok(_) => {}
                Err(ImportError::Rejected(rejection)) => {
                    return Err(Failure::other(format!(
                        "the generated {name} rows were refused (a generator fault): {}",
                        rejection.summary(5)
                    )))
                }
                Err(ImportError::Store(e)) => return Err(store_failure(e)),
                Err(e) => return Err(Failure::other(e.to_string())),
            }
            written += rows;
            if !matches!(name, "localities" | "settings" | "population") {
                bar.inc(rows);
            }
        }
    }
    Ok(written)
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
