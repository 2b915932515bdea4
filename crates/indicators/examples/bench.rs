//! The indicator benchmark: Waymark's engine against DuckDB on the same files, end to end and compute
//! alone. Run by `scripts/bench-indicators` (which says how); prints times and ratios.
//!
//!     cargo run --release -p waymark-indicators --example bench -- [PROFILE] [FACTS_DIR]

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;
use waymark_indicators::definition::MeasureKind;
use waymark_indicators::{
    compute, compute_all, compute_all_threads, files, load, table, Framework, Loaded, ManualValues, PeriodSel, Results, Scope,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let profile = args.get(1).cloned().unwrap_or_else(|| "england".into());
    let dir = PathBuf::from(args.get(2).cloned().unwrap_or_else(|| format!("target/bench-indicators/{profile}")));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if !dir.join("meta.csv").exists() {
        let t0 = Instant::now();
        let p = waymark_synth::Profile::by_name(&profile, 7).expect("a profile name");
        // Generate the LAs on every core (generation is not what is measured).
        let chunk = p.las.len().div_ceil(threads).max(1);
        let data: Vec<_> = std::thread::scope(|s| {
            let hs: Vec<_> = p
                .las
                .chunks(chunk)
                .map(|g| {
                    s.spawn(move || {
                        g.iter()
                            .map(|l| {
                                let d = waymark_synth::generate_la(l, 7);
                                let f = waymark_synth::generate_facts(&d, 7);
                                (d, f)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            hs.into_iter().flat_map(|h| h.join().expect("generation")).collect()
        });
        let areas: Vec<_> = p.las.iter().zip(data.iter()).map(|(l, (d, f))| (l, d, f)).collect();
        let t = table::from_synth_with_facts(&areas);
        files::write(&t, &dir).expect("write the facts files");
        println!(
            "generated profile {profile} ({} LAs, {} people, {} cases, {} facts) and wrote {} in {:.1} s",
            t.las.len(),
            t.persons.len(),
            t.cases.len(),
            t.facts.len(),
            dir.display(),
            t0.elapsed().as_secs_f64()
        );
    }
    let frameworks = load(None).expect("built-in packs");
    let all: Vec<&Framework> = frameworks.iter().collect();
    // The indicators the DuckDB implementation computes, as one framework each, for a like-for-like run.
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("duckdb/indicators.py");
    let source = std::fs::read_to_string(&script).expect("the DuckDB script");
    let same: Vec<Framework> = frameworks
        .iter()
        .map(|f| {
            let mut f = f.clone();
            let fid = f.id.clone();
            f.indicators.retain(|i| {
                source.contains(&format!("\"{}\": ind(\"{fid}\"", i.id))
                    || source.contains(&format!("\"{}\": ind(\n        \"{fid}\"", i.id))
            });
            for i in &mut f.indicators {
                i.breakdowns.clear();
                i.cohorts.retain(|c| c.label() == "all");
            }
            f
        })
        .filter(|f| !f.indicators.is_empty())
        .collect();
    let same_refs: Vec<&Framework> = same.iter().collect();
    let n_same: usize = same.iter().map(|f| f.indicators.len()).sum();
    let (m, l) = (ManualValues::default(), Loaded::default());

    let t0 = Instant::now();
    let t = files::read(&dir).expect("read the facts files");
    let read = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let same_rows: usize =
        compute_all_threads(&same_refs, &t, &Scope::All, &PeriodSel::AllYears, &m, &l, threads).iter().map(|r| r.rows.len()).sum();
    let w_same = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    let all_rows: usize =
        compute_all_threads(&all, &t, &Scope::All, &PeriodSel::AllYears, &m, &l, threads).iter().map(|r| r.rows.len()).sum();
    let w_all = t2.elapsed().as_secs_f64();
    // One area's whole framework (every pack, every year, the LA and its localities), single-threaded:
    // the best of five runs, each pack alone and all five together.
    let la = *t.las.iter().find(|l| l.to_string() == "851").unwrap_or(&t.las[0]);
    let best = |f: &dyn Fn()| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let one_area = best(&|| {
        let _ = compute_all(&all, &t, &Scope::La(la), &PeriodSel::AllYears, &m, &l);
    });
    let plain: Vec<Results> = all
        .iter()
        .filter(|f| !f.indicators.iter().any(|i| i.measure == MeasureKind::Evidence))
        .map(|f| compute(f, &t, &Scope::La(la), &PeriodSel::AllYears, &m, &l, &[]))
        .collect();
    let per_pack: Vec<(String, f64, usize)> = all
        .iter()
        .map(|f| {
            let rows = compute(f, &t, &Scope::La(la), &PeriodSel::AllYears, &m, &l, &plain).rows.len();
            let secs = best(&|| {
                let _ = compute(f, &t, &Scope::La(la), &PeriodSel::AllYears, &m, &l, &plain);
            });
            (f.id.clone(), secs, rows)
        })
        .collect();

    println!(
        "profile {profile}: {} LAs, {} people, {} cases, {} years; {threads} threads",
        t.las.len(),
        t.persons.len(),
        t.cases.len(),
        t.years().len()
    );
    println!("  Waymark like for like: read files {read:.2} s + compute {w_same:.2} s = {:.2} s ({same_rows} values)", read + w_same);
    println!("  Waymark all five packs: compute {w_all:.2} s ({all_rows} values); one area's whole framework {:.1} ms", one_area * 1000.0);
    drop(t);
    let d0 = Instant::now();
    let out = Command::new("python3")
        .arg(&script)
        .arg(&dir)
        .arg("--timings")
        .arg("--out")
        .arg(dir.join("duckdb-out.csv"))
        .output()
        .expect("python3 runs");
    let d_wall = d0.elapsed().as_secs_f64();
    let timings = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "the DuckDB script failed: {timings}");
    let field = |name: &str| {
        timings.split_whitespace().find_map(|w| w.strip_prefix(&format!("{name}="))).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN)
    };
    let (d_load, d_compute) = (field("load_seconds"), field("compute_seconds"));

    println!("like for like: {n_same} indicators (every one DuckDB computes), every LA, locality and England, every year");
    println!("  Waymark  end to end {:>8.2} s  (read files {read:.2} s + compute {w_same:.2} s; {same_rows} values)", read + w_same);
    println!(
        "  DuckDB   end to end {:>8.2} s  (load files {d_load:.2} s + compute {d_compute:.2} s; process {d_wall:.2} s)",
        d_load + d_compute
    );
    println!("  ratio Waymark/DuckDB: end to end {:.2}, compute alone {:.2}", (read + w_same) / (d_load + d_compute), w_same / d_compute);
    println!(
        "all five packs, every cohort and breakdown: Waymark compute {w_all:.2} s ({all_rows} values); end to end {:.2} s",
        read + w_all
    );
    println!("  ratio (all packs, Waymark) / (DuckDB subset): end to end {:.2}", (read + w_all) / (d_load + d_compute));
    let sum: f64 = per_pack.iter().map(|p| p.1).sum();
    println!(
        "one area's whole framework (LA {la}, every pack and year, single thread, best of 5): {:.1} ms all five together \
         (compute_all, sharing lists and counts between packs; target 50 ms, ratio {:.2}); the packs one by one sum to {:.1} ms:",
        one_area * 1000.0,
        one_area * 1000.0 / 50.0,
        sum * 1000.0
    );
    for (id, secs, rows) in &per_pack {
        println!("  {id:<20} {:>7.1} ms  ({rows} values; target 50 ms, ratio {:.2})", secs * 1000.0, secs * 1000.0 / 50.0);
    }
}
