//! `waymark`: the command-line entry point. Parses arguments, sets up logging (no personal data is
//! ever logged), and hands each subcommand to its module under `commands/`.

mod commands;
mod paths;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Waymark: EHC needs assessment and plan casework on a statutory clock, for a local area's SEND
/// partnership.
#[derive(Parser)]
#[command(name = "waymark", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create (or upgrade) the database: one SQLite file in the data directory.
    Init(commands::init::Args),
    /// Apply the statutory clock to a case's dates (JSON from FILE, or - for standard input).
    Clock(commands::clock::Args),
    /// Record and look up children and young people.
    #[command(subcommand)]
    Child(commands::child::Command),
    /// Open EHC cases, record what happens, and see their history and statutory clock.
    #[command(subcommand)]
    Case(commands::case::Command),
    /// Who viewed or changed which child's record, and when (newest first).
    Audit(commands::audit::Args),
    /// Set up a small fictional local area in the database (if empty) and show its caseload.
    Demo(commands::demo::Args),
    /// Generate a synthetic local area (calibrated to national statistics; the same for the same seed).
    Generate(commands::generate::Args),
    /// Forecast children with EHC plans, their places and cost (witan.send's model): expected or simulated, scenarios, back-test.
    Forecast(commands::forecast::Args),
    /// One record per child across agencies: scan for duplicates, review and decide pairs, merge and unmerge.
    #[command(subcommand)]
    Identity(commands::identity::Command),
    /// Import person-level facts or reference data from a CSV file (--list names the datasets).
    Import(commands::import::Args),
    /// The performance framework: compute indicator packs as CSV, JSON, an XLSX board pack or HTML (--list shows them).
    Indicators(commands::indicators::Args),
    /// Serve the web application (pages and JSON API) on --addr.
    Serve(commands::serve::Args),
    /// The DfE SEN2 return: export, validate, check, import, and the LA's return settings.
    #[command(subcommand)]
    Sen2(commands::sen2::Command),
    /// Back up the whole store (and its read-audit database) while it runs: SQLite's online copy.
    Backup(commands::backup::BackupArgs),
    /// Restore a backup as the store at --db (refused if that store holds records, unless --force).
    Restore(commands::backup::RestoreArgs),
    /// The SEND strategy: import and show the delivery plan with live indicators, and the quarter's board report.
    #[command(subcommand)]
    Strategy(commands::strategy::Command),
    /// Copy a whole store from SQLite into an empty PostgreSQL database, all or nothing, then verify every table.
    Migrate(commands::migrate::Args),
}

/// How a command failed: the message for standard error and the exit code.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Bad input from the user (exit 2).
    pub fn input(message: impl Into<String>) -> Self {
        Self { code: 2, message: message.into() }
    }
    /// Something went wrong that is not the input's fault (exit 1).
    pub fn other(message: impl Into<String>) -> Self {
        Self { code: 1, message: message.into() }
    }
}

fn main() -> ExitCode {
    // Output piped into `head` or `less` ends quietly when the reader stops, as other Unix tools do,
    // instead of failing on a closed pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("WAYMARK_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init(args) => commands::init::run(args),
        Command::Clock(args) => commands::clock::run(args),
        Command::Child(cmd) => commands::child::run(cmd),
        Command::Case(cmd) => commands::case::run(cmd),
        Command::Audit(args) => commands::audit::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Generate(args) => commands::generate::run(args),
        Command::Forecast(args) => commands::forecast::run(args),
        Command::Identity(cmd) => commands::identity::run(cmd),
        Command::Import(args) => commands::import::run(args),
        Command::Indicators(args) => commands::indicators::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Sen2(cmd) => commands::sen2::run(cmd),
        Command::Backup(args) => commands::backup::backup(args),
        Command::Restore(args) => commands::backup::restore(args),
        Command::Strategy(cmd) => commands::strategy::run(cmd),
        Command::Migrate(args) => commands::migrate::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("waymark: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
