//! The board's page after a case change (`scripts/bench-board`): against a running server, on loopback,
//! `--changes` times over, record a decision to assess on one more requested case of the LA, straight
//! into the store as another process would, then time one view of `--path` as the SEND manager. Then
//! `--views` views with nothing changed. Prints p50, p99 and max of each.
//!
//! Usage: board_after_change --addr 127.0.0.1:PORT --db PATH --la 851 --password-file PATH
//!        [--user bench.manager] [--path /dashboard/frameworks/dfe-ehcp] [--changes 30] [--views 30]
//!        [--today YYYY-MM-DD]

#[path = "support/http.rs"]
mod http;

use http::{arg, exchange, sign_in};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use waymark_domain::calendar::parse_iso_date;
use waymark_domain::case::{CaseEvent, CaseEventKind};
use waymark_storage::{Actor, AuditSink, CaseloadStore, FixedClock, Scope, Selection, SqliteStore, Store};

fn summary(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |p: f64| {
        times.get(((times.len() as f64 * p) as usize).min(times.len().saturating_sub(1))).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!("{label}: {} views, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms", times.len(), ms(0.5), ms(0.99), ms(1.0));
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = arg("--addr", "127.0.0.1:8080");
    anyhow::ensure!(addr.starts_with("127."), "loopback only");
    let la: waymark_domain::identifiers::LaCode = arg("--la", "851").parse().map_err(|e| anyhow::anyhow!("--la: {e}"))?;
    let today = parse_iso_date(&arg("--today", "2026-11-22")).map_err(|e| anyhow::anyhow!("{e}"))?;
    let path = arg("--path", "/dashboard/frameworks/dfe-ehcp");
    let changes: usize = arg("--changes", "30").parse()?;
    let views: usize = arg("--views", "30").parse()?;
    let password = std::fs::read_to_string(arg("--password-file", "password.txt"))?.trim().to_owned();
    let session = sign_in(&addr, &arg("--user", "bench.manager"), &password).await?;
    let store = SqliteStore::open(std::path::Path::new(&arg("--db", "area.db")), Arc::new(FixedClock::at_noon(today))).await?;
    let actor = Actor::new("bench-change", Scope::LocalAuthority(la));
    let audit = AuditSink::start(&store);
    let requested: Vec<_> = store
        .case_snapshots(&actor, &Selection::InScope, "case_list", &audit)
        .await?
        .into_iter()
        .filter(|s| s.summary.stage == "requested" && s.case.history().last().is_some_and(|e| e.date <= today))
        .collect();
    anyhow::ensure!(requested.len() >= changes, "only {} requested cases to decide", requested.len());
    let mut stream = TcpStream::connect(&addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {session}\r\n\r\n");
    let mut view = async || -> anyhow::Result<Duration> {
        let started = Instant::now();
        let reply = exchange(&mut stream, &request).await?;
        anyhow::ensure!(reply.status == 200, "{path} answered {}", reply.status);
        Ok(started.elapsed())
    };
    let first = view().await?;
    println!("first view: {:.1} ms", first.as_secs_f64() * 1000.0);
    let mut after = Vec::new();
    for s in requested.iter().take(changes) {
        let decided = CaseEvent::new(today, CaseEventKind::DecidedToAssess);
        store.record_case_events(&actor, s.summary.case_id, s.summary.version, vec![decided], "benchmark").await?;
        after.push(view().await?);
    }
    summary("after a case change", after);
    let mut same = Vec::new();
    for _ in 0..views {
        same.push(view().await?);
    }
    summary("nothing changed", same);
    Ok(())
}
