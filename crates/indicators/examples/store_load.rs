//! Where a framework page's first load goes: reading the person table from a store (each bulk read
//! timed), then computing every framework on it, best of `RUNS`.
//!
//!     cargo run --release -p waymark-indicators --example store_load -- DB [TODAY]

use std::sync::Arc;
use std::time::Instant;
use waymark_storage::{Actor, AuditSink, CaseloadStore, FactStore, Scope, Selection, SqliteStore, SystemClock};

const RUNS: usize = 3;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let db = args.get(1).expect("a database path");
    let today = args.get(2).map_or_else(|| chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(), |d| d.parse().expect("a date"));
    let store = SqliteStore::open(std::path::Path::new(db), Arc::new(SystemClock)).await.expect("the store");
    let actor = Actor::new("bench", Scope::All);
    let audit = AuditSink::start(&store);
    let mut best = [f64::MAX; 5];
    for _ in 0..RUNS {
        let t0 = Instant::now();
        let snaps = store.case_snapshots(&actor, &Selection::InScope, "aggregate", &audit).await.unwrap();
        let t1 = Instant::now();
        let children = store.children(&actor, &Selection::InScope, &audit).await.unwrap();
        let t2 = Instant::now();
        let datasets: Vec<_> = waymark_domain::facts::Dataset::ALL
            .iter()
            .copied()
            .filter(|d| d.kind() == waymark_domain::facts::DatasetKind::Person)
            .collect();
        let facts = store.facts_for_aggregates(&actor, &datasets).await.unwrap().len();
        let t3 = Instant::now();
        let table = waymark_indicators::source::load_from_store(&store, &actor, today, &audit).await.unwrap();
        let t4 = Instant::now();
        let fws = waymark_indicators::load(None).unwrap();
        let all: Vec<_> = fws.iter().collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let periods = if table.years().is_empty() {
            waymark_indicators::PeriodSel::Year(chrono::Datelike::year(&today))
        } else {
            waymark_indicators::PeriodSel::AllYears
        };
        let r = waymark_indicators::compute_all_threads(
            &all,
            &table,
            &waymark_indicators::Scope::All,
            &periods,
            &Default::default(),
            &Default::default(),
            threads,
        );
        let t5 = Instant::now();
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
        let times = [ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t3, t4), ms(t4, t5)];
        for (b, t) in best.iter_mut().zip(times) {
            *b = b.min(t);
        }
        eprintln!(
            "{} cases, {} children, {} facts, {} rows",
            snaps.len(),
            children.len(),
            facts,
            r.iter().map(|x| x.rows.len()).sum::<usize>()
        );
    }
    println!("best of {RUNS} (ms): case snapshots {:.0}; children {:.0}; person facts {:.0}; load_from_store (all three and the table) {:.0}; compute every framework {:.0}", best[0], best[1], best[2], best[3], best[4]);
}
