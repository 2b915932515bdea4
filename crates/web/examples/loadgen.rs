//! A fixed-rate HTTP/1.1 load generator for `scripts/bench-web`, on loopback only. It signs in as the
//! benchmark caseworker, then sends requests at `--rate` per second for `--seconds`, spread over
//! `--connections` keep-alive connections, cycling through the paths given. Latency is measured from
//! when each request was due to be sent (not when a busy connection got round to it), so queueing shows
//! up in the percentiles. Prints p50, p90, p99, max, the throughput achieved and any non-200 answers.
//!
//! Usage: loadgen --addr 127.0.0.1:PORT --user NAME --password-file PATH --rate 500 --seconds 20
//!        --connections 32 (--path /caseload | --paths-file PATH --prefix /cases/)

#[path = "support/http.rs"]
mod http;

use http::{arg, exchange, sign_in};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = arg("--addr", "127.0.0.1:8080");
    assert!(addr.starts_with("127.") || addr.starts_with("localhost") || addr.starts_with("[::1]"), "loopback only");
    // `--anonymous`: public pages (the Local Offer, the ORUK API) are asked for without signing in.
    let session = if std::env::args().any(|a| a == "--anonymous") {
        "waymark_anonymous=1".to_owned()
    } else {
        let password = std::fs::read_to_string(arg("--password-file", "password.txt"))?.trim().to_owned();
        sign_in(&addr, &arg("--user", "bench.caseworker"), &password).await?
    };
    let rate: f64 = arg("--rate", "500").parse()?;
    let seconds: f64 = arg("--seconds", "20").parse()?;
    let connections: usize = arg("--connections", "32").parse()?;
    let paths: Vec<String> = match std::env::args().any(|a| a == "--paths-file") {
        true => {
            let prefix = arg("--prefix", "/cases/");
            std::fs::read_to_string(arg("--paths-file", "case-ids.txt"))?
                .lines()
                .filter(|l| !l.is_empty())
                .map(|l| format!("{prefix}{l}"))
                .collect()
        }
        false => vec![arg("--path", "/caseload")],
    };
    let total = (rate * seconds) as usize;
    let start = Instant::now() + Duration::from_millis(200);
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (addr, session, paths) = (addr.clone(), session.clone(), paths.clone());
        tasks.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(&addr).await?;
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            for k in (c..total).step_by(connections) {
                let due = start + Duration::from_secs_f64(k as f64 / rate);
                tokio::time::sleep_until(due.into()).await;
                let path = &paths[(k * 7919) % paths.len()];
                let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {session}\r\n\r\n");
                match exchange(&mut stream, &req).await {
                    Ok(r) if r.status == 200 => {}
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        stream = TcpStream::connect(&addr).await?;
                    }
                }
                latencies.push(due.elapsed());
            }
            anyhow::Ok((latencies, errors))
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await??;
        all.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let pct =
        |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!(
        "requests {} in {:.1} s: throughput {:.0}/s (target {rate}/s); latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; non-200 {errors}",
        all.len(),
        elapsed,
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        all.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    );
    Ok(())
}
