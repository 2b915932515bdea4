//! `waymark clock FILE`: the statutory clock as a tool. Reads a case's dates as JSON, prints every time
//! limit with its due date, done date and status. Malformed or contradictory input: a message on
//! standard error and exit code 2.

use crate::Failure;
use std::io::Read;
use std::path::PathBuf;
use waymark_domain::clock::{evaluate, ClockReport, RawClockInput, StepStatus};

#[derive(clap::Args)]
#[command(
    after_help = "Input: {\"received\": \"2026-01-05\", \"today\": \"2026-06-30\", \"events\": [{\"date\": \"2026-02-13\", \"type\": \"decided_to_assess\"}, ...]}\n\
Event types: decided_to_assess, decided_not_to_assess, advice_requested / advice_received (party), exception_started / exception_ended \
(reason, party), decided_not_to_issue, draft_issued, final_issued, withdrawn, plan_issued, review_meeting, review_decision (outcome), \
amendments_proposed, amended_final_issued, phase_transfer (kind: school or post16), ceased.\n\
Exit codes: 0 answered; 2 the input is malformed or contradictory."
)]
pub struct Args {
    /// The case as JSON; - reads standard input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// json (the contract other tools read) or text (a table for people).
    #[arg(long, default_value = "json", value_parser = ["json", "text"])]
    format: String,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let name = args.file.display().to_string();
    let text = if name == "-" {
        let mut buf = String::new();
        std::io::stdin().read_to_string(&mut buf).map_err(|e| Failure::input(format!("cannot read standard input: {e}")))?;
        buf
    } else {
        std::fs::read_to_string(&args.file).map_err(|e| Failure::input(format!("cannot read {name}: {e}")))?
    };
    let raw: RawClockInput = serde_json::from_str(&text).map_err(|e| Failure::input(format!("{name}: not valid clock input: {e}")))?;
    let (input, today) = raw.parse().map_err(|e| Failure::input(format!("{name}: {e}")))?;
    let report = evaluate(&input, today).map_err(|e| Failure::input(format!("{name}: {e}")))?;
    let out = match args.format.as_str() {
        "text" => render_text(&report),
        _ => serde_json::to_string_pretty(&report).expect("a report always serialises") + "\n",
    };
    print!("{out}");
    Ok(())
}

/// A plain table for people reading the clock in a terminal.
pub fn render_text(report: &ClockReport) -> String {
    let mut out = format!("{:<32} {:<10} {:<10} {:<15} {:>9}  {}\n", "step", "due", "done", "status", "days late", "law");
    for s in &report.steps {
        let status = match s.status {
            StepStatus::Met => "met",
            StepStatus::Missed => "missed",
            StepStatus::MissedExcused => "missed, excused",
            StepStatus::Due => "due",
            StepStatus::Overdue => "OVERDUE",
        };
        let done = s.done.map_or("-".to_string(), |d| d.to_string());
        out += &format!("{:<32} {:<10} {:<10} {:<15} {:>9}  {}\n", s.step, s.due, done, status, s.days_late, s.regulation);
    }
    if let Some(w) = report.weeks_to_final {
        out += &format!("\nWeeks from request to final plan: {w}");
        out += match report.within_20_weeks {
            Some(true) => " (within 20 weeks)\n",
            _ => " (not within 20 weeks)\n",
        };
    }
    if report.week20_exception == Some(true) {
        out += "A 20-week exception applies (SEN2 Week20 = 1).\n";
    }
    for d in &report.delays {
        out += &format!("Delay: {:?} at {:?}, {} days\n", d.party, d.stage, d.days);
    }
    out
}
