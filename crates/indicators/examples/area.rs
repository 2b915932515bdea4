//! One area's whole framework: generates a profile in memory (with its person-level facts), then
//! times each pack for one LA and its localities, every year, single-threaded, and prints milliseconds
//! per pack against the 50 ms target: the best wall-clock time of ten runs and the mean processor time
//! the process used per run (from /proc/self/stat, so a machine shared with other work still gives a
//! fair figure), with how many values each computed and how many of its facts measures were computed
//! rather than awaiting data; then the packs one by one summed, and all five together (`compute_all`,
//! which shares each LA's record lists, people's facts, bitsets and counts between the packs).
//!
//!     cargo run --release -p waymark-indicators --example area -- [PROFILE] [LA]

use std::time::Instant;
use waymark_indicators::definition::MeasureKind;
use waymark_indicators::{compute, load, table, Loaded, ManualValues, PeriodSel, Results, Scope, Status};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let profile = args.get(1).cloned().unwrap_or_else(|| "portsmouth".into());
    let p = waymark_synth::Profile::by_name(&profile, 7).expect("a profile name");
    let la_code = args.get(2).cloned().unwrap_or_else(|| p.las[0].code.to_string());
    let lp = p.las.iter().find(|l| l.code.to_string() == la_code).expect("an LA of the profile");
    let data = waymark_synth::generate_la(lp, 7);
    let facts = waymark_synth::generate_facts(&data, 7);
    let t = table::from_synth_with_facts(&[(lp, &data, &facts)]);
    let la = t.las[0];
    let frameworks = load(None).expect("built-in packs");
    let (m, l) = (ManualValues::default(), Loaded::default());
    let plain: Vec<Results> = frameworks
        .iter()
        .filter(|f| !f.indicators.iter().any(|i| i.measure == MeasureKind::Evidence))
        .map(|f| compute(f, &t, &Scope::La(la), &PeriodSel::AllYears, &m, &l, &[]))
        .collect();
    println!(
        "profile {profile}, LA {la}: {} people, {} cases, {} facts, {} localities, {} years",
        t.persons.len(),
        t.cases.len(),
        t.facts.len(),
        t.localities.len(),
        t.years().len()
    );
    let (mut total, mut total_cpu) = (0.0, 0.0);
    const RUNS: usize = 10;
    for f in &frameworks {
        let c0 = cpu_seconds();
        let secs = (0..RUNS)
            .map(|_| {
                let t0 = Instant::now();
                let _ = compute(f, &t, &Scope::La(la), &PeriodSel::AllYears, &m, &l, &plain);
                t0.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min);
        let cpu = (cpu_seconds() - c0) / RUNS as f64;
        total += secs;
        total_cpu += cpu;
        let r = compute(f, &t, &Scope::La(la), &PeriodSel::AllYears, &m, &l, &plain);
        let facts_ids: Vec<&str> = f.indicators.iter().filter(|i| i.measure == MeasureKind::Facts).map(|i| i.id.as_str()).collect();
        let computed = facts_ids
            .iter()
            .filter(|id| r.rows.iter().any(|row| row.indicator == **id && row.la == la.to_string() && row.status == Status::Computed))
            .count();
        println!(
            "  {:<20} wall {:>7.1} ms, processor {:>7.1} ms  ratio to 50 ms {:.2}  ({} values; facts measures computed {computed} of {})",
            f.id,
            secs * 1000.0,
            cpu * 1000.0,
            secs * 1000.0 / 50.0,
            r.rows.len(),
            facts_ids.len()
        );
    }
    println!("  {:<20} wall {:>7.1} ms, processor {:>7.1} ms  (the packs one by one, summed)", "sum", total * 1000.0, total_cpu * 1000.0);
    // All five together, as the web application and `--framework all` compute them: each LA's lists,
    // facts on each reference day, predicate bitsets and counts are shared between the packs.
    let refs: Vec<&waymark_indicators::Framework> = frameworks.iter().collect();
    let c0 = cpu_seconds();
    let secs = (0..RUNS)
        .map(|_| {
            let t0 = Instant::now();
            let _ = waymark_indicators::compute_all(&refs, &t, &Scope::La(la), &PeriodSel::AllYears, &m, &l);
            t0.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    let cpu = (cpu_seconds() - c0) / RUNS as f64;
    println!(
        "  {:<20} wall {:>7.1} ms, processor {:>7.1} ms  ratio to 50 ms {:.2}  (compute_all: every pack together)",
        "all together",
        secs * 1000.0,
        cpu * 1000.0,
        secs * 1000.0 / 50.0
    );
    // The same on every core: with one area, the threads share out its jobs by period.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("on {threads} threads (one area: the jobs shared out by period):");
    let best = |run: &dyn Fn()| {
        let c0 = cpu_seconds();
        let secs = (0..RUNS)
            .map(|_| {
                let t0 = Instant::now();
                run();
                t0.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min);
        (secs, (cpu_seconds() - c0) / RUNS as f64)
    };
    for f in &frameworks {
        let (secs, cpu) = best(&|| {
            let _ = waymark_indicators::compute_threads(f, &t, &Scope::La(la), &PeriodSel::AllYears, &m, &l, &plain, threads);
        });
        let same = waymark_indicators::compute_threads(f, &t, &Scope::La(la), &PeriodSel::AllYears, &m, &l, &plain, threads).rows
            == compute(f, &t, &Scope::La(la), &PeriodSel::AllYears, &m, &l, &plain).rows;
        println!(
            "  {:<20} wall {:>7.1} ms, processor {:>7.1} ms  ratio to 50 ms {:.2}  (same values as one thread: {same})",
            f.id,
            secs * 1000.0,
            cpu * 1000.0,
            secs * 1000.0 / 50.0
        );
    }
    let (secs, cpu) = best(&|| {
        let _ = waymark_indicators::compute_all_threads(&refs, &t, &Scope::La(la), &PeriodSel::AllYears, &m, &l, threads);
    });
    println!(
        "  {:<20} wall {:>7.1} ms, processor {:>7.1} ms  ratio to 50 ms {:.2}  (compute_all_threads: every pack together)",
        "all together",
        secs * 1000.0,
        cpu * 1000.0,
        secs * 1000.0 / 50.0
    );
}

/// Processor time (user and system) the process has used, in seconds; NaN where /proc is missing.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return f64::NAN };
    // Fields after the command name (which is in brackets and may hold spaces): utime is the 12th, stime the 13th.
    let rest = stat.rsplit_once(')').map_or("", |x| x.1);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
    // Clock ticks are 1/100 s on Linux (USER_HZ).
    (ticks(11) + ticks(12)) / 100.0
}
