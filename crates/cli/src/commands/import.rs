//! `waymark import DATASET FILE.csv`: import person-level facts or reference data from a CSV file in
//! the dataset's documented format (`docs/import-formats.md`). The whole file is checked first; a
//! file with any problem is refused whole (exit 2) with each problem's file, line, column, value and
//! rule, and `--report FILE.csv` writes them all beside their rows. Importing the same file again
//! changes nothing.

use crate::commands::store::{block_on, open_store, store_failure, StoreArgs};
use crate::Failure;
use std::path::PathBuf;
use waymark_import::{import_file, write_report, Dataset, ImportCounts, ImportError, Options};

/// How many problems are printed on standard error (the report holds them all).
const SHOWN_PROBLEMS: usize = 20;

#[derive(clap::Args)]
pub struct Args {
    /// The dataset the file holds (see --list).
    #[arg(value_name = "DATASET", required_unless_present = "list")]
    dataset: Option<String>,
    /// The CSV file.
    #[arg(value_name = "FILE.csv", required_unless_present = "list")]
    file: Option<PathBuf>,
    /// More files (`local-offer` only: every file of a feed is imported together).
    #[arg(value_name = "MORE", hide = true)]
    more: Vec<PathBuf>,
    /// List the datasets, in the order to import them, and stop.
    #[arg(long, conflicts_with_all = ["dataset", "file", "report", "dry_run"])]
    list: bool,
    /// If the file is refused, write every problem, beside its row, to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    report: Option<PathBuf>,
    /// Check the file against the database and count what would change, but write nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    store: StoreArgs,
}

fn list() {
    println!("{:<20} {:<36} description", "dataset", "links rows to a child by");
    for d in Dataset::ALL {
        let links: Vec<&str> = d.link_kinds().iter().map(|k| k.column()).collect();
        let links = if links.is_empty() { "(reference data)".to_owned() } else { links.join(", then ") };
        println!("{:<20} {:<36} {}", d.name(), links, d.label());
    }
    println!("{:<20} {:<36} schools and settings by URN from the GIAS extract (names)", "establishments", "(reference data)");
    println!("{:<20} {:<36} postcode coordinates from the ONS Postcode Directory (pcds, lat, long)", "postcodes", "(reference data)");
    println!("{:<20} {:<36} Local Offer services: ORUK 3.0 JSON feed files or the CSV template", "local-offer", "(directory)");
    println!("\nImport localities, settings and population first. Formats: docs/import-formats.md");
}

fn summary(dataset: Dataset, counts: &ImportCounts, dry_run: bool) -> String {
    let what = if dataset.link_kinds().is_empty() { "records" } else { "facts" };
    let mut out = format!(
        "{dataset}: {} row{}; {} {what} created, {} unchanged, {} updated",
        counts.rows,
        if counts.rows == 1 { "" } else { "s" },
        counts.created,
        counts.unchanged,
        counts.updated
    );
    if !dataset.link_kinds().is_empty() {
        out.push_str(&format!("; {} children created", counts.children_created));
        // Only when there is something to look at, so a summary with no uncertain matches reads as before.
        if counts.review_queued > 0 {
            let pairs = if counts.review_queued == 1 { "pair" } else { "pairs" };
            let verb = if dry_run { "would be queued" } else { "queued" };
            out.push_str(&format!("; {} {pairs} {verb} for identity review (waymark identity queue)", counts.review_queued));
        }
    }
    if dry_run {
        out.push_str(" (dry run: nothing was written)");
    }
    out
}

pub fn run(args: Args) -> Result<(), Failure> {
    if args.list {
        list();
        return Ok(());
    }
    let (Some(name), Some(file)) = (args.dataset.as_deref(), args.file.clone()) else {
        return Err(Failure::input("give a dataset and a CSV file (waymark import --list names the datasets)"));
    };
    if name == waymark_import::establishments::NAME {
        return establishments(args, file);
    }
    if name == "postcodes" {
        return crate::commands::local_offer::import_postcodes(file, args.dry_run, args.store);
    }
    if name == "local-offer" {
        let today = crate::commands::store::system_clock().today();
        let files = std::iter::once(file).chain(args.more).collect();
        return crate::commands::local_offer::import_directory(files, args.dry_run, today, args.store);
    }
    if !args.more.is_empty() {
        return Err(Failure::input(format!("{name} takes one file")));
    }
    let dataset = name.parse::<Dataset>().map_err(|e| Failure::input(format!("{e}; waymark import --list describes them")))?;
    let options = Options { dry_run: args.dry_run, progress: true };
    block_on(async move {
        let store = open_store(&args.store).await?;
        let actor = args.store.actor();
        match import_file(&store, &actor, dataset, &file, options).await {
            Ok(counts) => {
                println!("{}", summary(dataset, &counts, args.dry_run));
                Ok(())
            }
            Err(ImportError::Rejected(rejection)) => {
                let mut message = rejection.summary(SHOWN_PROBLEMS);
                if let Some(report) = &args.report {
                    write_report(report, &file, &rejection)
                        .map_err(|e| Failure::other(format!("{message}\ncould not write the report {}: {e}", report.display())))?;
                    message.push_str(&format!("\nevery problem is listed, beside its row, in {}", report.display()));
                }
                Err(Failure::input(message))
            }
            Err(e @ ImportError::Read { .. }) => Err(Failure::input(e.to_string())),
            Err(ImportError::Store(e)) => Err(store_failure(e)),
        }
    })
}

/// `waymark import establishments FILE.csv`: the GIAS extract, all or nothing.
fn establishments(args: Args, file: PathBuf) -> Result<(), Failure> {
    block_on(async move {
        let store = open_store(&args.store).await?;
        let actor = args.store.actor();
        match waymark_import::establishments::import_file(&store, &actor, &file, args.dry_run).await {
            Ok((rows, counts)) if args.dry_run => {
                println!("establishments: {rows} rows checked; nothing written (dry run)");
                let _ = counts;
                Ok(())
            }
            Ok((rows, counts)) => {
                println!(
                    "establishments: {rows} rows; {} created, {} unchanged, {} updated",
                    counts.created, counts.unchanged, counts.updated
                );
                Ok(())
            }
            Err(ImportError::Rejected(rejection)) => {
                let mut message = rejection.summary(SHOWN_PROBLEMS);
                if let Some(report) = &args.report {
                    write_report(report, &file, &rejection)
                        .map_err(|e| Failure::other(format!("{message}\ncould not write the report {}: {e}", report.display())))?;
                    message.push_str(&format!("\nevery problem is listed, beside its row, in {}", report.display()));
                }
                Err(Failure::input(message))
            }
            Err(e @ ImportError::Read { .. }) => Err(Failure::input(e.to_string())),
            Err(ImportError::Store(e)) => Err(store_failure(e)),
        }
    })
}
