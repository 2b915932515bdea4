//! `waymark case ...`: open an EHC case, record what happens to it, and see its history, its statutory
//! clock and the caseload. Each recorded event goes through the lifecycle's rules; a second editor
//! working from an old version gets a conflict (exit 3) and nothing is written.

use crate::commands::clock::render_text;
use crate::commands::store::{block_on, open_store, store_failure, system_clock, StoreArgs};
use crate::Failure;
use serde::Serialize;
use std::io::Read;
use std::path::PathBuf;
use waymark_domain::calendar::{parse_iso_date, Date};
use waymark_domain::case::{Case, CaseEvent, CaseEventKind, Requester};
use waymark_domain::clock::{evaluate, ClockReport, StepStatus};
use waymark_domain::ids::{CaseId, ChildId};
use waymark_domain::plan::PlanContents;
use waymark_storage::{AuditSink, CaseloadStore, Selection, SqliteStore, Store};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Open a case for a child: a request for assessment, or a plan that already exists.
    Open(OpenArgs),
    /// Record events on a case from JSON (one event or a list; FILE or - for standard input).
    Record(RecordArgs),
    /// A case: its stage, advice, plan and statutory clock.
    Show(CaseArgs),
    /// Every event of a case with who recorded it, when and why.
    History(CaseArgs),
    /// The statutory clock of a stored case.
    Clock(CaseArgs),
    /// The caseload: every case with its stage, next deadline and whom it waits on.
    List(ListArgs),
}

#[derive(clap::Args)]
pub struct OpenArgs {
    /// The child's Waymark id.
    #[arg(long)]
    child: String,
    /// The date the request was received (Day 1 of the 20-week clock).
    #[arg(long, value_name = "DATE", conflicts_with = "existing_plan", required_unless_present = "existing_plan")]
    received: Option<String>,
    /// Who asked: parent_or_young_person, school_or_setting, health, social_care, other.
    #[arg(long, default_value = "parent_or_young_person")]
    requester: String,
    /// The request was made while the young person was in relevant youth accommodation.
    #[arg(long)]
    youth_accommodation: bool,
    /// Open from a plan that already exists, made on DATE.
    #[arg(long, value_name = "DATE")]
    existing_plan: Option<String>,
    /// The LA the existing plan transferred from (reg 15).
    #[arg(long, value_name = "CODE", requires = "existing_plan")]
    transferred_from: Option<String>,
    #[arg(long, default_value = "opened from the command line")]
    reason: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
#[command(after_help = "Event JSON: {\"date\": \"2026-02-13\", \"type\": \"decided_to_assess\"} or a list of them. \
Types: decided_to_assess, decided_not_to_assess, advice_requested/advice_received (party), exception_started/exception_ended \
(reason, party), decided_to_issue, decided_not_to_issue, draft_issued/final_issued (plan), setting_requested/setting_consulted (setting), \
review_meeting, review_report_sent, review_decision (outcome), amendments_proposed/amended_final_issued (plan), phase_transfer_planned \
(transfer_date, kind), ceased (reason), withdrawn, transferred_out (to_la), mediation_held/appeal_lodged (decision), \
appeal_decided (decision, upheld). See docs/case-lifecycle.md.\nExit codes: 0 recorded; 2 refused (the message names the rule); \
3 conflict (the case changed since the version you gave).")]
pub struct RecordArgs {
    /// The case id.
    case: String,
    /// The case version your change is based on (from `waymark case show`).
    #[arg(long)]
    expected_version: i64,
    /// The events as JSON; - reads standard input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[arg(long, default_value = "recorded from the command line")]
    reason: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct CaseArgs {
    /// The case id.
    case: String,
    /// Count to this date instead of today.
    #[arg(long, value_name = "DATE")]
    today: Option<String>,
    /// json or text.
    #[arg(long, default_value = "json", value_parser = ["json", "text"])]
    format: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct ListArgs {
    /// Count to this date instead of today.
    #[arg(long, value_name = "DATE")]
    today: Option<String>,
    /// text (a table) or json.
    #[arg(long, default_value = "text", value_parser = ["json", "text"])]
    format: String,
    #[command(flatten)]
    store: StoreArgs,
}

fn today(arg: &Option<String>) -> Result<Date, Failure> {
    match arg {
        Some(t) => parse_iso_date(t).map_err(|e| Failure::input(format!("--today: {e}"))),
        None => Ok(system_clock().today()),
    }
}

fn case_id(text: &str) -> Result<CaseId, Failure> {
    text.parse().map_err(|e| Failure::input(format!("{e}")))
}

fn requester(text: &str) -> Result<Requester, Failure> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
        Failure::input(format!("--requester: '{text}' is not one of parent_or_young_person, school_or_setting, health, social_care, other"))
    })
}

/// Read one event or a list of events, naming the file and the problem when it is not valid.
fn read_events(file: &PathBuf) -> Result<Vec<CaseEvent>, Failure> {
    let name = file.display().to_string();
    let text = if name == "-" {
        let mut buf = String::new();
        std::io::stdin().read_to_string(&mut buf).map_err(|e| Failure::input(format!("cannot read standard input: {e}")))?;
        buf
    } else {
        std::fs::read_to_string(file).map_err(|e| Failure::input(format!("cannot read {name}: {e}")))?
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| Failure::input(format!("{name}: not valid JSON: {e}")))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| serde_json::from_value(v).map_err(|e| Failure::input(format!("{name}: event {}: {e}", i + 1))))
        .collect()
}

/// One row of the caseload.
#[derive(Serialize)]
struct CaseloadRow {
    case_id: CaseId,
    child_id: ChildId,
    child: String,
    la: String,
    stage: String,
    next_step: Option<String>,
    next_due: Option<Date>,
    next_status: Option<StepStatus>,
    waiting_on: Option<String>,
}

async fn caseload(store: &SqliteStore, args: &StoreArgs, today: Date) -> Result<Vec<CaseloadRow>, Failure> {
    // One transaction and one audited list read for the whole caseload.
    let audit = AuditSink::start(store);
    let snapshots = store.case_snapshots(&args.actor(), &Selection::InScope, "case_list", &audit).await.map_err(store_failure)?;
    let mut rows = Vec::with_capacity(snapshots.len());
    for snap in snapshots {
        let report = evaluate(&snap.case.clock_input(), today).ok();
        let next = report.as_ref().and_then(|r| r.next_deadline().cloned());
        rows.push(CaseloadRow {
            case_id: snap.summary.case_id,
            child_id: snap.summary.child_id,
            child: format!("{} {}", snap.child.name.forename(), snap.child.name.surname()),
            la: snap.summary.la.to_string(),
            stage: snap.summary.stage,
            next_step: next.as_ref().map(|s| s.step.clone()),
            next_due: next.as_ref().map(|s| s.due),
            next_status: next.as_ref().map(|s| s.status),
            waiting_on: next
                .and_then(|s| s.waiting_on)
                .map(|p| serde_json::to_value(p).expect("enum").as_str().unwrap_or_default().to_owned()),
        });
    }
    // Overdue first, then soonest due.
    rows.sort_by_key(|r| (r.next_status != Some(StepStatus::Overdue), r.next_due.is_none(), r.next_due));
    Ok(rows)
}

fn print_caseload(rows: &[CaseloadRow]) {
    println!("{:<36}  {:<24} {:<18} {:<29} {:<10} {:<8} waiting on", "case", "child", "stage", "next step", "due", "status");
    for r in rows {
        let status = match r.next_status {
            Some(StepStatus::Overdue) => "OVERDUE",
            Some(StepStatus::Due) => "due",
            _ => "-",
        };
        println!(
            "{:<36}  {:<24} {:<18} {:<29} {:<10} {:<8} {}",
            r.case_id,
            r.child,
            r.stage,
            r.next_step.as_deref().unwrap_or("-"),
            r.next_due.map_or("-".into(), |d| d.to_string()),
            status,
            r.waiting_on.as_deref().unwrap_or("-")
        );
    }
}

pub async fn list_and_print(store: &SqliteStore, args: &StoreArgs, today: Date, json: bool) -> Result<(), Failure> {
    let rows = caseload(store, args, today).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rows).expect("serialisable"));
    } else {
        print_caseload(&rows);
    }
    Ok(())
}

fn clock_of(case: &Case, today: Date) -> Result<ClockReport, Failure> {
    evaluate(&case.clock_input(), today).map_err(|e| Failure::other(format!("the case's history cannot be counted: {e}")))
}

pub fn run(cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Open(a) => {
            let child: ChildId = a.child.parse().map_err(|e| Failure::input(format!("--child: {e}")))?;
            let first = match (&a.received, &a.existing_plan) {
                (Some(r), _) => CaseEvent::new(
                    parse_iso_date(r).map_err(|e| Failure::input(format!("--received: {e}")))?,
                    CaseEventKind::RequestReceived {
                        requester: requester(&a.requester)?,
                        in_youth_accommodation: a.youth_accommodation,
                        unknown_dates: Default::default(),
                    },
                ),
                (None, Some(p)) => CaseEvent::new(
                    parse_iso_date(p).map_err(|e| Failure::input(format!("--existing-plan: {e}")))?,
                    CaseEventKind::ExistingPlan {
                        plan: PlanContents::default(),
                        transferred_from: a
                            .transferred_from
                            .as_deref()
                            .map(|t| t.parse().map_err(|e| Failure::input(format!("--transferred-from: {e}"))))
                            .transpose()?,
                    },
                ),
                (None, None) => return Err(Failure::input("give --received DATE or --existing-plan DATE")),
            };
            block_on(async move {
                let store = open_store(&a.store).await?;
                let case = store.open_case(&a.store.actor(), child, first, &a.reason).await.map_err(store_failure)?;
                println!("{}", case.value.id);
                Ok(())
            })
        }
        Command::Record(a) => {
            let id = case_id(&a.case)?;
            let events = read_events(&a.file)?;
            block_on(async move {
                let store = open_store(&a.store).await?;
                let case =
                    store.record_case_events(&a.store.actor(), id, a.expected_version, events, &a.reason).await.map_err(store_failure)?;
                println!(
                    "{{\"case\": \"{}\", \"version\": {}, \"stage\": \"{}\"}}",
                    case.value.id,
                    case.version,
                    case.value.stage().name()
                );
                Ok(())
            })
        }
        Command::Show(a) => {
            let id = case_id(&a.case)?;
            let today = today(&a.today)?;
            block_on(async move {
                let store = open_store(&a.store).await?;
                let case = store.get_case(&a.store.actor(), id).await.map_err(store_failure)?;
                let clock = clock_of(&case.value, today)?;
                if a.format == "text" {
                    println!("Case {} (version {}), stage {}", case.value.id, case.version, case.value.stage().name());
                    print!("{}", render_text(&clock));
                } else {
                    let out = serde_json::json!({"case": case.value, "version": case.version, "clock": clock});
                    println!("{}", serde_json::to_string_pretty(&out).expect("serialisable"));
                }
                Ok(())
            })
        }
        Command::History(a) => {
            let id = case_id(&a.case)?;
            block_on(async move {
                let store = open_store(&a.store).await?;
                let history = store.case_history(&a.store.actor(), id).await.map_err(store_failure)?;
                println!("{}", serde_json::to_string_pretty(&history).expect("serialisable"));
                Ok(())
            })
        }
        Command::Clock(a) => {
            let id = case_id(&a.case)?;
            let today = today(&a.today)?;
            block_on(async move {
                let store = open_store(&a.store).await?;
                let case = store.get_case(&a.store.actor(), id).await.map_err(store_failure)?;
                let clock = clock_of(&case.value, today)?;
                if a.format == "text" {
                    print!("{}", render_text(&clock));
                } else {
                    println!("{}", serde_json::to_string_pretty(&clock).expect("serialisable"));
                }
                Ok(())
            })
        }
        Command::List(a) => {
            let today = today(&a.today)?;
            block_on(async move {
                let store = open_store(&a.store).await?;
                list_and_print(&store, &a.store, today, a.format == "json").await
            })
        }
    }
}
