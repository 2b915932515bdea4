//! Set up `scripts/bench-local-offer`: a Local Offer of `--services` invented services (the demo
//! generator's, at the synthetic Portsmouth area's postcodes) published into `--db`, and a file of the
//! search addresses the load generator asks for (words, filters and distance from postcodes).
//!
//! Usage: bench_local_offer --db PATH --services 10000 --today 2026-11-22 --paths-file PATH

use std::io::Write;
use std::sync::Arc;
use waymark_directory::Coordinates;
use waymark_storage::{Actor, DirectoryStore, FixedClock, PublishBatch, Scope, SqliteStore};

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.to_owned())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let today: chrono::NaiveDate = arg("--today", "2026-11-22").parse()?;
    let count: usize = arg("--services", "10000").parse()?;
    let store = SqliteStore::open(std::path::Path::new(&arg("--db", "bench.db")), Arc::new(FixedClock::at_noon(today))).await?;
    let actor = Actor::new("bench", Scope::All);
    let la = waymark_synth::profile::portsmouth_la();
    let postcodes: Vec<_> = waymark_synth::geo::area_postcodes(&la)
        .into_iter()
        .filter_map(|(p, lat, lon)| Coordinates::new(lat, lon).map(|c| (p, c)))
        .collect();
    store.load_postcodes(&actor, &postcodes).await?;
    let venues: Vec<_> = postcodes.iter().step_by(7).cloned().collect();
    let demo = waymark_directory::demo::generate(1, today, &la.name, &venues, count);
    let batch = PublishBatch {
        organisations: demo.organisations,
        locations: demo.locations,
        services: demo.services.into_iter().map(|s| (s.service, s.last_checked)).collect(),
    };
    let counts = store.publish(&actor, &batch, "benchmark directory").await?;
    eprintln!("published {} services", counts.created + counts.updated + counts.unchanged);
    let mut out = std::fs::File::create(arg("--paths-file", "paths.txt"))?;
    let words = ["swimming", "speech", "short+breaks", "autism", "football", "therapy", "holiday", "nursery"];
    for (i, (postcode, _)) in postcodes.iter().step_by(811).enumerate() {
        let p = postcode.as_str().replace(' ', "+");
        let w = words[i % words.len()];
        writeln!(out, "/local-offer?q={w}&postcode={p}&miles=5")?;
        writeln!(out, "/local-offer?postcode={p}&miles=5&send=autism&category=sport")?;
        writeln!(out, "/local-offer?q={w}&age={}", 3 + i % 15)?;
    }
    Ok(())
}
