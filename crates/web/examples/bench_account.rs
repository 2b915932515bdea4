//! The load benchmark's account (`scripts/bench-web`): in a database `waymark generate` wrote, one LA
//! caseworker with a throwaway password, and the ids of the LA's cases to request.
//!
//! With `--role manager` the account is a SEND manager (`bench.manager`), for the board's pages; with
//! `--role health` a health professional (`bench.health`), for the advice list. `--assign N` gives the
//! account the LA's first N open cases (a caseworker's own caseload, for `/my-work`).
//!
//! Usage: bench_account --db PATH --la 886 --password-file PATH --case-ids PATH [--today YYYY-MM-DD]
//!        [--role caseworker|manager|health] [--assign N]

use std::io::Write;
use std::sync::Arc;
use waymark_domain::calendar::parse_iso_date;
use waymark_storage::{Actor, AuditSink, CaseloadStore, FixedClock, NewUser, Role, Scope, Selection, SqliteStore, UserStore};

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.to_owned())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let db = arg("--db", "kent.db");
    let la: waymark_domain::identifiers::LaCode = arg("--la", "886").parse().map_err(|e| anyhow::anyhow!("--la: {e}"))?;
    let today = parse_iso_date(&arg("--today", "2026-11-22")).map_err(|e| anyhow::anyhow!("{e}"))?;
    let store = SqliteStore::open(std::path::Path::new(&db), Arc::new(FixedClock::at_noon(today))).await?;
    let actor = Actor::new("bench-setup", Scope::LocalAuthority(la));
    // A throwaway password for this benchmark database only, new each time.
    let password = waymark_web::session::random_token();
    let hash = waymark_web::hash_password(&password).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let (username, role) = match arg("--role", "caseworker").as_str() {
        "manager" => ("bench.manager", Role::SendManager),
        "health" => ("bench.health", Role::HealthProfessional),
        _ => ("bench.caseworker", Role::LaCaseworker),
    };
    let new = NewUser {
        username: username.into(),
        display_name: "Bench account".into(),
        password_hash: hash,
        role,
        la: Some(la),
        setting_key: None,
    };
    let user = store.create_user(&Actor::new("bench-setup", Scope::All), new).await?;
    let audit = AuditSink::start(&store);
    let snapshots = store.case_snapshots(&actor, &Selection::InScope, "case_list", &audit).await?;
    let assign: usize = arg("--assign", "0").parse()?;
    for s in snapshots.iter().filter(|s| !s.case.stage().is_closed()).take(assign) {
        store.assign_case(&actor, s.summary.case_id, user.id).await?;
    }
    let mut out = std::fs::File::create(arg("--case-ids", "case-ids.txt"))?;
    for s in &snapshots {
        writeln!(out, "{}", s.summary.case_id)?;
    }
    std::fs::write(arg("--password-file", "password.txt"), &password)?;
    eprintln!("{username} for LA {la}; {} case ids written", snapshots.len());
    Ok(())
}
