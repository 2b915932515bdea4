//! `waymark sen2`: the DfE SEN2 return. `export` writes it from casework, `validate` checks a file
//! (schema, business rules, DfE queries), `check` runs the same rules on the store so caseworkers fix
//! data at source, `import` takes an area's last return (all or nothing, idempotent), and `settings`
//! records the header's designated officers.
//!
//! Exit codes: `validate` and `check` exit 0 with no errors (queries allowed), 1 with errors, 2 when
//! the file cannot be read as XML. Other failures follow the CLI's codes (2 refused input, 1 other).

use crate::commands::store::{block_on, open_store, store_failure, system_clock, StoreArgs};
use crate::Failure;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;
use waymark_application::sen2::{self as sen2_store, Sen2StoreError};
use waymark_domain::identifiers::LaCode;
use waymark_sen2::{write_findings, Collection, Format};
use waymark_storage::{InPost, LaSettings, LaSettingsStore, Sen2Store, SqliteStore};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Write the return for a collection year from the casework in the database.
    Export(ExportArgs),
    /// Check a SEN2 file: schema, business rules and DfE queries. Exit 0 no errors, 1 errors, 2 not XML.
    Validate(ValidateArgs),
    /// Run the return's rules on the database before export, naming the child and case to fix.
    Check(CheckArgs),
    /// Import a SEN2 return (for example an area's last return from another system): all or nothing.
    Import(ImportArgs),
    /// Show or set an LA's return settings: designated officers in post (DMO, DCO, DSCO), software code, serial number.
    Settings(SettingsArgs),
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// Collection year: 2026 (census 15 January 2026, covering 2025) or 2025.
    #[arg(long)]
    year: i32,
    /// The LA whose return to write (3-digit DfE number); may be left out when the database holds one LA.
    #[arg(long)]
    la: Option<String>,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The header's DateTime (YYYY-MM-DDThh:mm:ss) instead of now.
    #[arg(long, value_name = "DATETIME")]
    now: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct ValidateArgs {
    /// The SEN2 XML file.
    file: PathBuf,
    /// How to print findings: text, json or csv.
    #[arg(long, default_value = "text")]
    format: Format,
    /// Check against this collection's schema and rules, whatever the header says.
    #[arg(long)]
    year: Option<i32>,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    #[arg(long)]
    year: i32,
    #[arg(long)]
    la: Option<String>,
    #[arg(long, default_value = "text")]
    format: Format,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The SEN2 XML file.
    file: PathBuf,
    /// Read it as this collection year, whatever the header says.
    #[arg(long)]
    year: Option<i32>,
    /// Why, for the history (default: "SEN2 return imported").
    #[arg(long, default_value = "SEN2 return imported")]
    reason: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct SettingsArgs {
    #[arg(long)]
    la: String,
    /// Designated Medical Officer in post on census day: Y, N or R (recruitment in progress).
    #[arg(long)]
    dmo: Option<InPost>,
    /// Designated Clinical Officer: Y, N or R.
    #[arg(long)]
    dco: Option<InPost>,
    /// Designated Social Care Officer: Y, N or R.
    #[arg(long)]
    dsco: Option<InPost>,
    /// The header's SoftwareCode [default: WAYMARK].
    #[arg(long)]
    software_code: Option<String>,
    /// The header's SerialNo, 3 digits [default: 001].
    #[arg(long)]
    serial_no: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run(cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Export(a) => export(a),
        Command::Validate(a) => validate(a),
        Command::Check(a) => check(a),
        Command::Import(a) => import(a),
        Command::Settings(a) => settings(a),
    }
}

fn collection(year: i32) -> Result<Collection, Failure> {
    Collection::for_year(year).map_err(|e| Failure::input(e.to_string()))
}

fn sen2_failure(e: Sen2StoreError) -> Failure {
    match e {
        Sen2StoreError::Store(s) => store_failure(s),
        Sen2StoreError::Io(e) => Failure::other(format!("could not write the return: {e}")),
        other => Failure::input(other.to_string()),
    }
}

async fn pick_la(store: &SqliteStore, args: &StoreArgs, la: Option<&str>) -> Result<LaCode, Failure> {
    if let Some(la) = la {
        return la.parse().map_err(|e| Failure::input(format!("--la: {e}")));
    }
    let las = store.sen2_las(&args.actor()).await.map_err(store_failure)?;
    match las.as_slice() {
        [one] => Ok(*one),
        [] => Err(Failure::input("the database holds no children: there is no return to make")),
        many => Err(Failure::input(format!(
            "the database holds {} LAs ({}): say which with --la",
            many.len(),
            many.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

fn export(args: ExportArgs) -> Result<(), Failure> {
    let c = collection(args.year)?;
    let now = match &args.now {
        Some(n) => {
            if !n.contains('T') || chrono::NaiveDateTime::parse_from_str(n, "%Y-%m-%dT%H:%M:%S").is_err() {
                return Err(Failure::input(format!("--now '{n}' is not a date and time like 2026-02-10T09:30:00")));
            }
            n.clone()
        }
        None => system_clock().now().format("%Y-%m-%dT%H:%M:%S").to_string(),
    };
    block_on(async move {
        let store = open_store(&args.store).await?;
        let actor = args.store.actor();
        let la = pick_la(&store, &args.store, args.la.as_deref()).await?;
        let header = sen2_store::header(&store, &actor, la, c, &now, env!("CARGO_PKG_VERSION")).await.map_err(sen2_failure)?;
        // Written to a temporary file beside the target, then renamed: a failed export leaves no half file.
        let tmp = args.out.with_extension("xml.part");
        let file = File::create(&tmp).map_err(|e| Failure::other(format!("cannot create {}: {e}", tmp.display())))?;
        let result = sen2_store::export(&store, &actor, la, c, &header, BufWriter::with_capacity(1 << 20, file)).await;
        let (out, summary) = match result {
            Ok(r) => r,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(sen2_failure(e));
            }
        };
        out.into_inner()
            .map_err(|e| Failure::other(format!("cannot write {}: {e}", tmp.display())))?
            .sync_all()
            .map_err(|e| Failure::other(format!("cannot write {}: {e}", tmp.display())))?;
        std::fs::rename(&tmp, &args.out).map_err(|e| Failure::other(format!("cannot write {}: {e}", args.out.display())))?;
        println!(
            "Wrote the SEN2 {} return for LA {la} to {}: {} persons (from {} children).",
            c.year,
            args.out.display(),
            summary.persons,
            summary.children_read
        );
        Ok(())
    })
}

fn print(findings: &[waymark_sen2::Finding], format: Format, source: &str) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    write_findings(&mut out, findings, format, source).and_then(|_| out.flush()).map_err(|e| Failure::other(format!("cannot print: {e}")))
}

fn validate(args: ValidateArgs) -> Result<(), Failure> {
    if let Some(y) = args.year {
        collection(y)?;
    }
    let file = File::open(&args.file).map_err(|e| Failure::input(format!("cannot read {}: {e}", args.file.display())))?;
    let v = waymark_sen2::validate(file, args.year);
    let source = args.file.display().to_string();
    print(&v.findings, args.format, &source)?;
    if v.fatal.is_some() {
        return Err(Failure { code: 2, message: format!("{source} cannot be read as XML") });
    }
    if v.errors() > 0 {
        return Err(Failure {
            code: 1,
            message: format!("{source}: {} errors and {} queries in {} persons", v.errors(), v.queries(), v.persons),
        });
    }
    eprintln!("{source}: no errors, {} queries, {} persons (SEN2 {})", v.queries(), v.persons, v.year);
    Ok(())
}

fn check(args: CheckArgs) -> Result<(), Failure> {
    let c = collection(args.year)?;
    block_on(async move {
        let store = open_store(&args.store).await?;
        let la = pick_la(&store, &args.store, args.la.as_deref()).await?;
        let findings = sen2_store::check(&store, &args.store.actor(), la, c).await.map_err(sen2_failure)?;
        print(&findings, args.format, &format!("LA {la} SEN2 {}", c.year))?;
        let (errors, queries) = waymark_sen2::count(&findings);
        if errors > 0 {
            return Err(Failure { code: 1, message: format!("{errors} errors and {queries} queries to fix before export") });
        }
        Ok(())
    })
}

fn import(args: ImportArgs) -> Result<(), Failure> {
    if let Some(y) = args.year {
        collection(y)?;
    }
    let path = args.file.clone();
    File::open(&path).map_err(|e| Failure::input(format!("cannot read {}: {e}", path.display())))?;
    let opener = move || -> std::io::Result<Box<dyn Read + Send>> { Ok(Box::new(File::open(&path)?)) };
    block_on(async move {
        let store = open_store(&args.store).await?;
        let source = args.file.display().to_string();
        match sen2_store::import(&store, &args.store.actor(), &opener, args.year, &args.reason).await {
            Ok((r, v)) => {
                println!("Imported {source} ({} persons, SEN2 {}):", v.persons, v.year);
                println!("  children: {} created, {} changed, {} unchanged", r.children_created, r.children_changed, r.children_unchanged);
                println!(
                    "  cases: {} created, {} extended, {} unchanged, {} differing (left as they are)",
                    r.cases_created, r.cases_extended, r.cases_unchanged, r.cases_differing
                );
                println!(
                    "  placements: {} created, {} changed, {} unchanged",
                    r.placements_created, r.placements_changed, r.placements_unchanged
                );
                if let Some(s) = &r.settings_recorded {
                    println!(
                        "  LA {} SEN2 settings taken from the return's header: DMO {}, DCO {}, DSCO {} (change them with `waymark sen2 settings`)",
                        s.la, s.dmo, s.dco, s.dsco
                    );
                }
                if r.is_no_change() {
                    println!("Nothing changed: the database already holds this return.");
                }
                Ok(())
            }
            Err(Sen2StoreError::Refused(findings)) => {
                let errors: Vec<_> = findings.into_iter().filter(|f| f.severity == waymark_sen2::Severity::Error).collect();
                let mut err = std::io::stderr();
                let _ = write_findings(&mut err, &errors, Format::Text, &source);
                Err(Failure::input(format!("{source} has {} errors: nothing was imported", errors.len())))
            }
            Err(Sen2StoreError::Xml(e)) => Err(Failure::input(format!("{source}: {e}: nothing was imported"))),
            Err(Sen2StoreError::Import(e)) => Err(Failure::input(format!("{source}: {e}: nothing was imported"))),
            Err(e) => Err(sen2_failure(e)),
        }
    })
}

fn settings(args: SettingsArgs) -> Result<(), Failure> {
    let la: LaCode = args.la.parse().map_err(|e| Failure::input(format!("--la: {e}")))?;
    block_on(async move {
        let store = open_store(&args.store).await?;
        let actor = args.store.actor();
        let current = store.la_settings(&actor, la).await.map_err(store_failure)?;
        let changing =
            args.dmo.is_some() || args.dco.is_some() || args.dsco.is_some() || args.software_code.is_some() || args.serial_no.is_some();
        let shown = if changing {
            let base = current.as_ref().map(|v| v.value.clone());
            let pick = |new: Option<InPost>, old: Option<InPost>, name: &str| {
                new.or(old).ok_or_else(|| {
                    Failure::input(format!(
                        "--{name} is required the first time: Y (in post), N (not in post) or R (recruitment in progress)"
                    ))
                })
            };
            let settings = LaSettings {
                la,
                dmo: pick(args.dmo, base.as_ref().map(|b| b.dmo), "dmo")?,
                dco: pick(args.dco, base.as_ref().map(|b| b.dco), "dco")?,
                dsco: pick(args.dsco, base.as_ref().map(|b| b.dsco), "dsco")?,
                software_code: args
                    .software_code
                    .or(base.as_ref().map(|b| b.software_code.clone()))
                    .unwrap_or_else(|| LaSettings::DEFAULT_SOFTWARE_CODE.into()),
                serial_no: args.serial_no.or(base.as_ref().map(|b| b.serial_no.clone())).unwrap_or_else(|| "001".into()),
            };
            store.set_la_settings(&actor, &settings, current.map(|c| c.version), "SEN2 settings").await.map_err(store_failure)?
        } else {
            current.ok_or_else(|| Failure::input(format!("LA {la} has no SEN2 settings yet: give --dmo, --dco and --dsco (Y, N or R)")))?
        };
        let s = &shown.value;
        println!(
            "LA {la} SEN2 settings (version {}): DMO {} DCO {} DSCO {}; software code {}; serial no {}",
            shown.version, s.dmo, s.dco, s.dsco, s.software_code, s.serial_no
        );
        Ok(())
    })
}
