//! `waymark strategy ...`: the SEND strategy's delivery plan (docs/strategy.md). `import FILE.csv` loads
//! a plan (all or nothing, every problem named by line and column), `show` prints it by strand with its
//! linked indicators' live figures (JSON or text), `export` writes it back as CSV, and `report` makes the
//! quarter's board report (DOCX, PDF, XLSX or HTML) on the figures of the day it is made.

use crate::commands::store::{block_on, open_store, store_failure, StoreArgs};
use crate::Failure;
use std::io::Write;
use std::path::PathBuf;
use waymark_domain::calendar::{parse_iso_date, Date};
use waymark_storage::{AuditSink, SqliteStore};
use waymark_strategy::store::{self as plans, RecordError};
use waymark_strategy::{csv_format, live, report, show, Change, PlanKind, Quarter};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Load a delivery plan from CSV (strand,ref,deliverable,due,owner,status,monitored_by,indicators); all or nothing.
    Import(ImportArgs),
    /// The plan by strand, each deliverable with its linked indicators' live values, targets and ratings.
    Show(ShowArgs),
    /// Write the plan as it stands in the import's CSV format.
    Export(ExportArgs),
    /// The quarter's board report (purpose, recommendations, information) as DOCX, PDF, XLSX or HTML.
    Report(ReportArgs),
    /// The inspection evidence pack: self-evaluation, plans with progress, the framework's indicators, and the lists of children with EHC plans and of requests in the period.
    Evidence(EvidenceArgs),
    /// The action plan after an inspection as a written statement of action or a priority action plan (DOCX, PDF, XLSX or HTML).
    ActionPlan(ActionPlanArgs),
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateArg {
    /// Written statement of action (the 2016-2022 framework).
    Wsoa,
    /// Priority action plan (the 2023 framework's third outcome).
    Priority,
}

#[derive(clap::Args)]
pub struct ActionPlanArgs {
    #[arg(long, value_enum)]
    template: TemplateArg,
    #[arg(long, value_enum, default_value = "docx")]
    format: ReportFormat,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The day it is made (default: today); the measures' figures are that day's.
    #[arg(long)]
    today: Option<String>,
    /// The LA (3-digit code); without it, the only LA in the store.
    #[arg(long)]
    la: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvidenceFormat {
    /// A workbook: each item on its own sheet, the lists ready to sort and filter.
    Xlsx,
    /// A Word document of the same.
    Docx,
}

#[derive(clap::Args)]
pub struct EvidenceArgs {
    /// The LA (3-digit code); without it, the only LA in the store.
    #[arg(long)]
    la: Option<String>,
    /// The first day of the period whose requests are listed (YYYY-MM-DD).
    #[arg(long)]
    from: String,
    /// The last day of the period (YYYY-MM-DD), at the latest today.
    #[arg(long)]
    to: String,
    #[arg(long, value_enum, default_value = "xlsx")]
    format: EvidenceFormat,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The day the pack is made (default: today); its figures and lists are that day's.
    #[arg(long)]
    today: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// Which plan.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhichPlan {
    /// The strategy's delivery plan.
    Strategy,
    /// The action plan (priority action plan or written statement of action) after an inspection.
    ActionPlan,
}

impl WhichPlan {
    fn kind(self) -> PlanKind {
        match self {
            Self::Strategy => PlanKind::Strategy,
            Self::ActionPlan => PlanKind::ActionPlan,
        }
    }
}

#[derive(clap::Args)]
pub struct Area {
    /// The LA (3-digit code) whose plan it is; without it, the only LA in the store.
    #[arg(long)]
    la: Option<String>,
    #[arg(long, value_enum, default_value = "strategy")]
    plan: WhichPlan,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The CSV file.
    file: PathBuf,
    #[command(flatten)]
    area: Area,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShowFormat {
    Json,
    Text,
}

#[derive(clap::Args)]
pub struct ShowArgs {
    #[arg(long, value_enum, default_value = "text")]
    format: ShowFormat,
    /// The day the figures run to (default: today).
    #[arg(long)]
    today: Option<String>,
    #[command(flatten)]
    area: Area,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    area: Area,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Docx,
    Pdf,
    Xlsx,
    Html,
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// The quarter reported on: 2026Q1 is January to March 2026.
    #[arg(long)]
    quarter: String,
    #[arg(long, value_enum, default_value = "html")]
    format: ReportFormat,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The day the report is made (default: today); its figures are that day's.
    #[arg(long)]
    today: Option<String>,
    /// The LA (3-digit code); without it, the only LA in the store.
    #[arg(long)]
    la: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

fn today(arg: &Option<String>) -> Result<Date, Failure> {
    match arg {
        Some(t) => parse_iso_date(t).map_err(|e| Failure::input(format!("--today: {e}"))),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

fn frameworks() -> Result<Vec<waymark_indicators::Framework>, Failure> {
    waymark_indicators::load(None).map_err(|e| Failure::other(e.to_string()))
}

fn record_failure(e: RecordError) -> Failure {
    match e {
        RecordError::Store(e) => store_failure(e),
        RecordError::Refused(e) => Failure::input(e.to_string()),
    }
}

async fn la(store: &SqliteStore, args: &StoreArgs, asked: Option<&str>) -> Result<String, Failure> {
    plans::area(store, &args.actor(), asked).await.map_err(store_failure)
}

pub fn run(cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Import(a) => import(a),
        Command::Show(a) => show_plan(a),
        Command::Export(a) => export(a),
        Command::Report(a) => board_report(a),
        Command::Evidence(a) => evidence(a),
        Command::ActionPlan(a) => action_plan_document(a),
    }
}

fn import(a: ImportArgs) -> Result<(), Failure> {
    let name = a.file.display().to_string();
    let text = std::fs::read_to_string(&a.file).map_err(|e| Failure::input(format!("{name}: {e}")))?;
    let fw = frameworks()?;
    let strands = csv_format::parse(&name, &text, &|r| live::known(&fw, r)).map_err(|e| Failure::input(e.to_string().trim_end()))?;
    let count: usize = strands.iter().map(|s| s.items.len()).sum();
    let n_strands = strands.len();
    let kind = a.area.plan.kind();
    block_on(async {
        let store = open_store(&a.area.store).await?;
        let la = la(&store, &a.area.store, a.area.la.as_deref()).await?;
        plans::record(&store, &a.area.store.actor(), &la, kind, None, &Change::Imported { strands }).await.map_err(record_failure)?;
        eprintln!(
            "Imported {count} {}s in {n_strands} {}s into LA {la}'s {}.",
            kind.item_word(),
            kind.group_word(),
            kind.key().replace('_', " ")
        );
        Ok(())
    })
}

fn show_plan(a: ShowArgs) -> Result<(), Failure> {
    let day = today(&a.today)?;
    let fw = frameworks()?;
    let kind = a.area.plan.kind();
    let out = block_on(async {
        let store = open_store(&a.area.store).await?;
        let actor = a.area.store.actor();
        let la = la(&store, &a.area.store, a.area.la.as_deref()).await?;
        let (plan, _) = plans::load(&store, &actor, &la, kind).await.map_err(store_failure)?;
        let refs = plan.indicators();
        let figures = if refs.is_empty() {
            Vec::new()
        } else {
            let audit = AuditSink::start(&store);
            let (results, suppression) = live::compute(&store, &audit, &actor, day, &la, &fw, &refs).await.map_err(store_failure)?;
            live::figures(&fw, &results, &la, suppression, day, &refs)
        };
        Ok(match a.format {
            ShowFormat::Json => {
                serde_json::to_string_pretty(&show::json(&plan, &figures)).map_err(|e| Failure::other(e.to_string()))? + "\n"
            }
            ShowFormat::Text => show::text(&plan, &figures),
        })
    })?;
    std::io::stdout().write_all(out.as_bytes()).map_err(|e| Failure::other(e.to_string()))
}

fn export(a: ExportArgs) -> Result<(), Failure> {
    let kind = a.area.plan.kind();
    let text = block_on(async {
        let store = open_store(&a.area.store).await?;
        let la = la(&store, &a.area.store, a.area.la.as_deref()).await?;
        let (plan, _) = plans::load(&store, &a.area.store.actor(), &la, kind).await.map_err(store_failure)?;
        Ok(csv_format::write(&plan.definitions()))
    })?;
    match &a.out {
        Some(p) => std::fs::write(p, text).map_err(|e| Failure::other(format!("{}: {e}", p.display()))),
        None => std::io::stdout().write_all(text.as_bytes()).map_err(|e| Failure::other(e.to_string())),
    }
}

fn board_report(a: ReportArgs) -> Result<(), Failure> {
    let quarter: Quarter = a.quarter.parse().map_err(|e: String| Failure::input(format!("--quarter: {e}")))?;
    let day = today(&a.today)?;
    let fw = frameworks()?;
    let doc = block_on(async {
        let store = open_store(&a.store).await?;
        let actor = a.store.actor();
        let la = la(&store, &a.store, a.la.as_deref()).await?;
        let (plan, _) = plans::load(&store, &actor, &la, PlanKind::Strategy).await.map_err(store_failure)?;
        if plan.is_empty() {
            return Err(Failure::input(format!("LA {la} has no delivery plan yet: import one with waymark strategy import FILE.csv")));
        }
        let (action, _) = plans::load(&store, &actor, &la, PlanKind::ActionPlan).await.map_err(store_failure)?;
        let mut refs = plan.indicators();
        refs.extend(action.indicators());
        let audit = AuditSink::start(&store);
        let (results, suppression) = live::compute(&store, &audit, &actor, day, &la, &fw, &refs).await.map_err(store_failure)?;
        let r = plans::board_report(&store, &actor, &la, quarter, day, &fw, &results, suppression).await.map_err(store_failure)?;
        Ok(r.document())
    })?;
    let bytes = match a.format {
        ReportFormat::Html => report::html(&doc).into_bytes(),
        ReportFormat::Xlsx => report::xlsx(&doc).map_err(|e| Failure::other(format!("writing the workbook: {e}")))?,
        ReportFormat::Docx => report::docx(&doc).map_err(|e| Failure::other(e.to_string()))?,
        ReportFormat::Pdf => report::pdf(&doc).map_err(|e| Failure::other(e.to_string()))?,
    };
    std::fs::write(&a.out, bytes).map_err(|e| Failure::other(format!("{}: {e}", a.out.display())))?;
    eprintln!("Wrote the board report for {} to {}.", quarter.words(), a.out.display());
    Ok(())
}

fn evidence(a: EvidenceArgs) -> Result<(), Failure> {
    let day = today(&a.today)?;
    let from = parse_iso_date(&a.from).map_err(|e| Failure::input(format!("--from: {e}")))?;
    let to = parse_iso_date(&a.to).map_err(|e| Failure::input(format!("--to: {e}")))?;
    let period = waymark_strategy::evidence::Period::new(from, to, day).map_err(|e| Failure::input(format!("--from/--to: {e}")))?;
    let fw = frameworks()?;
    let pack = block_on(async {
        let store = open_store(&a.store).await?;
        let actor = a.store.actor();
        let la = la(&store, &a.store, a.la.as_deref()).await?;
        let refs: Vec<_> = live::framework_refs(&fw).into_iter().map(|(_, r)| r).collect();
        let audit = AuditSink::start(&store);
        let (results, suppression) = live::compute(&store, &audit, &actor, day, &la, &fw, &refs).await.map_err(store_failure)?;
        let who = |label: &str| {
            if label.starts_with("user:") {
                format!("account {}", label.trim_start_matches("user:"))
            } else {
                "an administrator, using the command line".to_owned()
            }
        };
        plans::evidence_pack(&store, &audit, &actor, &la, period, day, &fw, &results, suppression, &who).await.map_err(store_failure)
    })?;
    let doc = pack.document();
    let bytes = match a.format {
        EvidenceFormat::Xlsx => {
            report::xlsx_named(&doc, "Evidence pack").map_err(|e| Failure::other(format!("writing the workbook: {e}")))?
        }
        EvidenceFormat::Docx => report::docx(&doc).map_err(|e| Failure::other(e.to_string()))?,
    };
    std::fs::write(&a.out, bytes).map_err(|e| Failure::other(format!("{}: {e}", a.out.display())))?;
    eprintln!(
        "Wrote the inspection evidence pack to {}: {} children and young people with an EHC plan, {} requests from {from} to {to}.",
        a.out.display(),
        pack.children.len(),
        pack.requests.len()
    );
    Ok(())
}

fn action_plan_document(a: ActionPlanArgs) -> Result<(), Failure> {
    use waymark_strategy::action_plan::{self, Template};
    let day = today(&a.today)?;
    let fw = frameworks()?;
    let template = match a.template {
        TemplateArg::Wsoa => Template::WrittenStatementOfAction,
        TemplateArg::Priority => Template::PriorityActionPlan,
    };
    let doc = block_on(async {
        let store = open_store(&a.store).await?;
        let actor = a.store.actor();
        let la = la(&store, &a.store, a.la.as_deref()).await?;
        let (plan, _) = plans::load(&store, &actor, &la, PlanKind::ActionPlan).await.map_err(store_failure)?;
        let refs = plan.indicators();
        let figures = if refs.is_empty() {
            Vec::new()
        } else {
            let audit = AuditSink::start(&store);
            let (results, suppression) = live::compute(&store, &audit, &actor, day, &la, &fw, &refs).await.map_err(store_failure)?;
            live::figures(&fw, &results, &la, suppression, day, &refs)
        };
        Ok(action_plan::document(template, &format!("Local authority {la}"), &plan, &figures, day))
    })?;
    let bytes = match a.format {
        ReportFormat::Html => report::html(&doc).into_bytes(),
        ReportFormat::Xlsx => {
            report::xlsx_named(&doc, template.title()).map_err(|e| Failure::other(format!("writing the workbook: {e}")))?
        }
        ReportFormat::Docx => report::docx(&doc).map_err(|e| Failure::other(e.to_string()))?,
        ReportFormat::Pdf => report::pdf(&doc).map_err(|e| Failure::other(e.to_string()))?,
    };
    std::fs::write(&a.out, bytes).map_err(|e| Failure::other(format!("{}: {e}", a.out.display())))?;
    eprintln!("Wrote the {} to {}.", template.title().to_lowercase(), a.out.display());
    Ok(())
}
