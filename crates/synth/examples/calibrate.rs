//! Print the calibration report of a profile, with the figures measured from its person-level facts:
//! `cargo run --release -p waymark-synth --example calibrate -- portsmouth 7` (`--no-facts` for the
//! casework figures alone). Exits with status 1 when a figure is outside its tolerance.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let with_facts = !args.iter().any(|a| a == "--no-facts");
    let mut plain = args.iter().filter(|a| !a.starts_with("--"));
    let name = plain.next().cloned().unwrap_or_else(|| "small".into());
    let seed: u64 = plain.next().and_then(|s| s.parse().ok()).unwrap_or(7);
    let Some(profile) = waymark_synth::Profile::by_name(&name, seed) else {
        eprintln!("unknown profile {name}: one of {}", waymark_synth::Profile::NAMES.join(", "));
        std::process::exit(2);
    };
    let started = std::time::Instant::now();
    let data: Vec<_> = profile.las.iter().map(|la| waymark_synth::generate_la(la, seed)).collect();
    let people: usize = data.iter().map(|d| d.people.len()).sum();
    let refused: usize = data.iter().map(|d| d.refused_cases).sum();
    eprintln!("generated {people} people in {:.2?}; {refused} case histories refused by the lifecycle", started.elapsed());
    let report = if with_facts {
        let started = std::time::Instant::now();
        let facts: Vec<_> = data.iter().map(|d| waymark_synth::generate_facts(d, seed)).collect();
        let mut rows: std::collections::BTreeMap<&str, usize> = Default::default();
        for f in &facts {
            for (dataset, n) in f.row_counts() {
                *rows.entry(dataset).or_default() += n;
            }
        }
        eprintln!("generated the facts in {:.2?}: {rows:?}", started.elapsed());
        waymark_synth::calibration::report_with_facts(&profile, &data, &facts)
    } else {
        waymark_synth::calibration::report(&profile, &data)
    };
    print!("{report}");
    if !report.all_within() {
        std::process::exit(1);
    }
}
