//! Print the calibration report of a profile: `cargo run --release -p waymark-synth --example calibrate -- portsmouth 7`.
fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "small".into());
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(7);
    let profile = waymark_synth::Profile::by_name(&name, seed).expect("known profile");
    let started = std::time::Instant::now();
    let data: Vec<_> = profile.las.iter().map(|la| waymark_synth::generate_la(la, seed)).collect();
    let people: usize = data.iter().map(|d| d.people.len()).sum();
    let refused: usize = data.iter().map(|d| d.refused_cases).sum();
    eprintln!("generated {people} people in {:.2?}; {refused} case histories refused by the lifecycle", started.elapsed());
    let report = waymark_synth::calibration::report(&profile, &data);
    print!("{report}");
}
