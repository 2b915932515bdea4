//! `waymark identity ...`: one record per child across agencies (docs/identity.md). `scan` runs the
//! matcher over the children in scope (a shared identifier merges; scored matches and the review band
//! go to the queue), `queue` lists the pairs waiting for a person, `show` puts a pair's two records
//! side by side, `decide` records "the same child" (a merge) or "different children", `merge` and
//! `unmerge` join and separate two records by hand, and `history` lists what was merged, undone and
//! decided. Every read and write is audited by the store; nothing personal is logged.

use crate::commands::store::{block_on, open_store, store_failure, StoreArgs, EXIT_CONFLICT};
use crate::Failure;
use serde_json::json;
use waymark_application::identity::{self, ScanOptions, ScanReport};
use waymark_domain::child::{Child, Sex};
use waymark_domain::identity::Reason;
use waymark_domain::ids::ChildId;
use waymark_storage::{
    FactStore, IdentityEvent, IdentityStore, MergeRecord, ReviewDecision, ReviewEntry, ReviewStatus, SqliteStore, Store,
};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Match the children in scope: merge pairs sharing an identifier, queue the rest that may be one child.
    Scan(ScanArgs),
    /// The pairs waiting for a person to decide, highest score first, with the matcher's reasons.
    Queue(ListArgs),
    /// One pair's two records side by side (both reads are audited), to decide it.
    Show(ShowArgs),
    /// Decide a queued pair: --same merges the two records, --different records that they are two children.
    Decide(DecideArgs),
    /// Merge ABSORB into KEEP: its cases, placements, facts, social care ids and user links move to KEEP.
    Merge(MergeArgs),
    /// Undo a merge exactly: every row it moved goes back, and the absorbed record is live again.
    Unmerge(UnmergeArgs),
    /// Merges, unmerges and pairs decided to be different children, oldest first.
    History(HistoryArgs),
}

/// How to print.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct ScanArgs {
    /// Count what a scan would merge and queue, but write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Queue pairs that share an identifier for a person too, instead of merging them.
    #[arg(long)]
    queue_identifier_matches: bool,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct ShowArgs {
    /// The pair's review number (from `waymark identity queue`).
    #[arg(value_name = "REVIEW_ID")]
    review: i64,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("decision").required(true).args(["same", "different"])))]
pub struct DecideArgs {
    /// The pair's review number (from `waymark identity queue`).
    #[arg(value_name = "REVIEW_ID")]
    review: i64,
    /// The two records are the same child: merge them (the record created first is kept unless --keep says otherwise).
    #[arg(long)]
    same: bool,
    /// The two records are different children: the pair is never queued again.
    #[arg(long, conflicts_with = "keep")]
    different: bool,
    /// With --same: the child id of the record to keep (one of the pair).
    #[arg(long, value_name = "CHILD_ID", requires = "same")]
    keep: Option<String>,
    /// Why, for the history (e.g. "confirmed with the school's SENCO"); no personal details.
    #[arg(long)]
    reason: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct MergeArgs {
    /// The child id of the record to keep.
    #[arg(value_name = "KEEP")]
    keep: String,
    /// The child id of the record merged into it.
    #[arg(value_name = "ABSORB")]
    absorb: String,
    /// Why, for the history; no personal details.
    #[arg(long)]
    reason: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct UnmergeArgs {
    /// The merge's number (printed by merge, decide and scan; listed by history).
    #[arg(value_name = "MERGE_ID")]
    merge: i64,
    /// Why, for the history; no personal details.
    #[arg(long)]
    reason: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct HistoryArgs {
    /// Only what concerns this child.
    #[arg(long, value_name = "CHILD_ID")]
    child: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    store: StoreArgs,
}

fn child_id(what: &str, text: &str) -> Result<ChildId, Failure> {
    text.trim().parse().map_err(|e| {
        Failure::input(format!(
            "{what}: '{text}' is not a child id ({e}); ids are printed by `waymark child find` and `waymark identity queue`"
        ))
    })
}

fn print_json(value: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(value).expect("serialisable"));
}

/// Reasons as one line, as `Comparison::explain` renders them: fields and outcomes, never values.
fn reasons_line(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|r| if r.points == 0.0 { format!("{}:{}", r.field, r.outcome) } else { format!("{}:{}({:+})", r.field, r.outcome, r.points) })
        .collect::<Vec<_>>()
        .join(" ")
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn scan_text(r: &ScanReport) -> String {
    let mut out = format!(
        "identity scan: {} compared in {} candidate {}; {} merged on a shared identifier; {} queued for review \
         ({} in the match band, {} in the review band); {} already queued or decided",
        plural(r.children, "child", "children"),
        r.compared,
        if r.compared == 1 { "pair" } else { "pairs" },
        plural(r.merged, "pair", "pairs"),
        plural(r.queued_match + r.queued_review, "pair", "pairs"),
        r.queued_match,
        r.queued_review,
        r.already_known
    );
    if !r.merges.is_empty() {
        let ids: Vec<String> = r.merges.iter().map(ToString::to_string).collect();
        out.push_str(&format!("\nmerges made (undo with `waymark identity unmerge MERGE_ID --reason ..`): {}", ids.join(", ")));
    }
    if r.dry_run {
        out.push_str("\n(dry run: nothing was written)");
    } else if r.queued_match + r.queued_review > 0 {
        out.push_str("\nnext: `waymark identity queue` lists the pairs to decide");
    }
    out
}

fn entry_text(e: &ReviewEntry) -> String {
    let source = match e.import_id {
        Some(id) => format!("import {id}"),
        None => "scan".to_owned(),
    };
    let mut out = format!(
        "review {}  LA {}  score {}  {} band  {}  queued {} by {}\n  child {}{}\n  child {}{}\n  reasons: {}",
        e.id,
        e.la,
        e.score,
        e.band,
        e.status.as_str(),
        e.created_at.format("%Y-%m-%d %H:%M"),
        source,
        e.child_a,
        now_lives(e.a_now),
        e.child_b,
        now_lives(e.b_now),
        reasons_line(&e.reasons)
    );
    if e.status != ReviewStatus::Open {
        out.push_str(&format!(
            "\n  decided by {} on {}{}",
            e.decided_by.as_deref().unwrap_or("?"),
            e.decided_at.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
            e.merge_id.map(|m| format!(" (merge {m})")).unwrap_or_default()
        ));
    }
    out
}

fn now_lives(survivor: Option<ChildId>) -> String {
    survivor.map(|s| format!(" (since merged into {s})")).unwrap_or_default()
}

fn merge_text(m: &MergeRecord) -> String {
    let rows = &m.moved;
    format!(
        "merge {}: child {} merged into child {}; moved {} case{}, {} placement{}, {} fact{}, {} social care id{}, {} user link{}",
        m.id,
        m.absorbed,
        m.kept,
        rows.cases.len(),
        if rows.cases.len() == 1 { "" } else { "s" },
        rows.placements.len(),
        if rows.placements.len() == 1 { "" } else { "s" },
        rows.facts.len(),
        if rows.facts.len() == 1 { "" } else { "s" },
        rows.identifiers.len(),
        if rows.identifiers.len() == 1 { "" } else { "s" },
        rows.user_links.len(),
        if rows.user_links.len() == 1 { "" } else { "s" },
    )
}

fn event_text(e: &IdentityEvent) -> String {
    let when = e.at.format("%Y-%m-%d %H:%M");
    let what = match e.kind {
        "merged" => format!(
            "merge {}: child {} merged into {} ({} rows moved)",
            e.merge_id.unwrap_or_default(),
            e.child_b,
            e.child_a,
            e.rows_moved.unwrap_or(0)
        ),
        "unmerged" => format!("merge {} undone: child {} separated again from {}", e.merge_id.unwrap_or_default(), e.child_b, e.child_a),
        _ => {
            format!("review {}: children {} and {} decided to be different children", e.review_id.unwrap_or_default(), e.child_a, e.child_b)
        }
    };
    format!("{when}  {what}; by {}: {}", e.actor, e.reason)
}

fn sex(s: Sex) -> &'static str {
    match s {
        Sex::Male => "M",
        Sex::Female => "F",
    }
}

/// A child's details for a reviewer comparing two records (personal data: printed for the person
/// deciding, whose reads are audited; never logged).
fn child_rows(c: &Child) -> Vec<(&'static str, String)> {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    vec![
        ("forename", c.name.forename().to_owned()),
        ("surname", c.name.surname().to_owned()),
        ("date of birth", c.date_of_birth.to_string()),
        ("sex", sex(c.sex).to_owned()),
        ("postcode", opt(c.postcode.as_ref().map(ToString::to_string))),
        ("UPN", opt(c.upn.as_ref().map(ToString::to_string))),
        ("ULN", opt(c.uln.as_ref().map(ToString::to_string))),
        ("NHS number", opt(c.nhs_number.as_ref().map(ToString::to_string))),
        ("LA", c.responsible_la.to_string()),
    ]
}

async fn show(store: &SqliteStore, args: &ShowArgs) -> Result<(), Failure> {
    let actor = args.store.actor();
    let entry = store.review(&actor, args.review).await.map_err(store_failure)?;
    let mut sides = Vec::new();
    for id in [entry.child_a, entry.child_b] {
        let child = store.get_child(&actor, id).await.map_err(store_failure)?;
        let cases = store.cases_for_child(&actor, id).await.map_err(store_failure)?.len();
        let facts = store.child_facts(&actor, id).await.map_err(store_failure)?.len();
        sides.push((child.value, cases, facts));
    }
    if args.format == Format::Json {
        let side = |(c, cases, facts): &(Child, usize, usize)| json!({"child": c, "cases": cases, "facts": facts});
        print_json(&json!({"review": entry, "child_a": side(&sides[0]), "child_b": side(&sides[1])}));
        return Ok(());
    }
    println!("{}\n", entry_text(&entry));
    let (a, b) = (child_rows(&sides[0].0), child_rows(&sides[1].0));
    let line = |label: &str, mark: &str, x: &str, y: &str| println!("{}", format!("{label:<14}{mark:<2}{x:<38} {y}").trim_end());
    line("", "", "child A", "child B");
    line("id", "", &entry.child_a.to_string(), &entry.child_b.to_string());
    for ((label, x), (_, y)) in a.iter().zip(&b) {
        // Marked only where both records hold a value and the values differ.
        let differs = x != y && x != "-" && y != "-";
        line(label, if differs { "*" } else { "" }, x, y);
    }
    line("cases", "", &sides[0].1.to_string(), &sides[1].1.to_string());
    line("facts", "", &sides[0].2.to_string(), &sides[1].2.to_string());
    println!("(* the two records hold different values)");
    if entry.status == ReviewStatus::Open {
        println!(
            "\ndecide: waymark identity decide {id} --same --reason \"..\"   or   waymark identity decide {id} --different --reason \"..\"",
            id = entry.id
        );
    }
    Ok(())
}

pub fn run(cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Scan(a) => block_on(async move {
            let store = open_store(&a.store).await?;
            let options = ScanOptions { dry_run: a.dry_run, merge_shared_identifiers: !a.queue_identifier_matches };
            let report = identity::scan(&store, &a.store.actor(), options).await.map_err(store_failure)?;
            match a.format {
                Format::Json => print_json(&report),
                Format::Text => println!("{}", scan_text(&report)),
            }
            Ok(())
        }),
        Command::Queue(a) => block_on(async move {
            let store = open_store(&a.store).await?;
            let queue = store.review_queue(&a.store.actor()).await.map_err(store_failure)?;
            match a.format {
                Format::Json => print_json(&queue),
                Format::Text if queue.is_empty() => println!("no pairs are waiting for review"),
                Format::Text => {
                    println!("{} waiting for review, highest score first:\n", plural(queue.len() as u64, "pair", "pairs"));
                    for e in &queue {
                        println!("{}\n", entry_text(e));
                    }
                    println!("`waymark identity show REVIEW_ID` compares a pair's records; `waymark identity decide` decides it");
                }
            }
            Ok(())
        }),
        Command::Show(a) => block_on(async move {
            let store = open_store(&a.store).await?;
            show(&store, &a).await
        }),
        Command::Decide(a) => {
            let keep = a.keep.as_deref().map(|k| child_id("--keep", k)).transpose()?;
            let decision = match (a.same, keep) {
                (true, Some(keep)) => ReviewDecision::MergeKeeping(keep),
                (true, None) => ReviewDecision::Merge,
                (false, _) => ReviewDecision::Reject,
            };
            block_on(async move {
                let store = open_store(&a.store).await?;
                let actor = a.store.actor();
                let entry = store.review(&actor, a.review).await.map_err(store_failure)?;
                if entry.status != ReviewStatus::Open {
                    // Someone decided it first: a conflicting edit, nothing changed.
                    return Err(Failure {
                        code: EXIT_CONFLICT,
                        message: format!(
                            "review {} was already decided ({}) by {}; nothing was changed{}",
                            entry.id,
                            entry.status.as_str(),
                            entry.decided_by.as_deref().unwrap_or("someone"),
                            entry.merge_id.map(|m| format!(" (undo its merge with `waymark identity unmerge {m}`)")).unwrap_or_default()
                        ),
                    });
                }
                let decided = identity::decide_review(&store, &actor, a.review, decision, &a.reason).await.map_err(store_failure)?;
                match decided.merge_id {
                    Some(m) => {
                        let merge = store.merge_record(&actor, m).await.map_err(store_failure)?;
                        println!("review {}: the same child\n{}", decided.id, merge_text(&merge));
                        println!("undo with: waymark identity unmerge {m} --reason \"..\"");
                    }
                    None => println!("review {}: recorded as different children; the pair will not be queued again", decided.id),
                }
                Ok(())
            })
        }
        Command::Merge(a) => {
            let keep = child_id("KEEP", &a.keep)?;
            let absorb = child_id("ABSORB", &a.absorb)?;
            block_on(async move {
                let store = open_store(&a.store).await?;
                let merge = store.merge_children(&a.store.actor(), keep, absorb, &a.reason).await.map_err(store_failure)?;
                println!("{}", merge_text(&merge));
                println!("undo with: waymark identity unmerge {} --reason \"..\"", merge.id);
                Ok(())
            })
        }
        Command::Unmerge(a) => block_on(async move {
            let store = open_store(&a.store).await?;
            let actor = a.store.actor();
            let record = store.merge_record(&actor, a.merge).await.map_err(store_failure)?;
            if record.undone {
                return Err(Failure {
                    code: EXIT_CONFLICT,
                    message: format!("merge {} has already been undone; nothing was changed", a.merge),
                });
            }
            let undone = store.unmerge(&actor, a.merge, &a.reason).await.map_err(store_failure)?;
            println!(
                "merge {} undone: child {} is a record of its own again; {} rows moved back to it",
                undone.id,
                undone.absorbed,
                undone.moved.total()
            );
            Ok(())
        }),
        Command::History(a) => {
            let child = a.child.as_deref().map(|c| child_id("--child", c)).transpose()?;
            block_on(async move {
                let store = open_store(&a.store).await?;
                let events = store.identity_history(&a.store.actor(), child).await.map_err(store_failure)?;
                match a.format {
                    Format::Json => print_json(&events),
                    Format::Text if events.is_empty() => println!("no merges or decisions yet"),
                    Format::Text => {
                        for e in &events {
                            println!("{}", event_text(e));
                        }
                    }
                }
                Ok(())
            })
        }
    }
}
