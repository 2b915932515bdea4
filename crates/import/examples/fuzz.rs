//! Random-input drivers over every importer (issue 12), for `scripts/fuzz` (not in the test command).
//! cargo-fuzz needs a nightly toolchain, which CI does not have; this driver needs none: it mutates a
//! seed corpus (`fuzz/corpus/<target>/`) with a small deterministic PRNG and runs each input through
//! the importer under `catch_unwind`. A panic is a crash: the input is saved to `fuzz/crashes/` and
//! counted. Targets: every CSV dataset of the import (`csv-<dataset>`), the SEN2 XML reader and
//! validator (`sen2-xml`) and the statutory clock's JSON input (`clock-json`).
//!
//! Usage: `cargo run -p waymark-import --example fuzz -- [--seconds-per-target N] [--seed S] [--write-seeds]`

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use waymark_import::{format, Dataset};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Bytes that matter to CSV, XML, JSON and the value parsers.
const INTERESTING: &[&[u8]] = &[
    b",",
    b"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"<![CDATA[",
    b"]]>",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"\xEF\xBB\xBF",
    b"\xFF",
    b"\x00",
    b"\x1b[2J",
    b"=",
    b"-",
    b"9999999999999999999999",
    b"-1",
    b"0",
    b"2024-02-30",
    b"2024-02-29",
    b"null",
    b"\xE2\x80\xAE",
    b"</Person>",
    b"<Person>",
    b"\"date\":",
    b"\"type\":",
];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    for _ in 0..=rng.below(4) {
        let len = input.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 => {
                let token = INTERESTING[rng.below(INTERESTING.len())];
                let at = rng.below(len + 1);
                input.splice(at..at, token.iter().copied());
            }
            2 if len > 0 => {
                let at = rng.below(len);
                let end = (at + 1 + rng.below(16)).min(len);
                input.drain(at..end);
            }
            3 if len > 0 => {
                let at = rng.below(len);
                let end = (at + 1 + rng.below(64)).min(len);
                let piece: Vec<u8> = input[at..end].to_vec();
                let to = rng.below(len + 1);
                input.splice(to..to, piece);
            }
            4 if !corpus.is_empty() => {
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let from = rng.below(other.len());
                    let at = rng.below(len + 1);
                    input.truncate(at);
                    input.extend_from_slice(&other[from..]);
                }
            }
            5 if len > 0 => {
                let i = rng.below(len);
                input[i] = b"0123456789aZ ,.-/"[rng.below(17)];
            }
            _ => {
                let at = rng.below(len + 1);
                input.insert(at, rng.next() as u8);
            }
        }
    }
    input.truncate(1 << 16);
}

fn run_target(name: &str, input: &[u8]) {
    if let Some(dataset) = name.strip_prefix("csv-") {
        let dataset: Dataset = dataset.parse().expect("a dataset");
        let _ = waymark_import::read(dataset, "fuzz.csv", "fuzz.csv", input);
    } else if name == "sen2-xml" {
        let _ = waymark_sen2::validate(input, None);
    } else if name == "clock-json" {
        if let Ok(raw) = serde_json::from_slice::<waymark_domain::clock::RawClockInput>(input) {
            if let Ok((input, today)) = raw.parse() {
                let _ = waymark_domain::clock::evaluate(&input, today);
            }
        }
    }
}

const SEN2_SEED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Message>\n<Header>\n<CollectionDetails>\n<Collection>SEN2</Collection>\n\
<Year>2025</Year>\n<ReferenceDate>2025-01-16</ReferenceDate>\n</CollectionDetails>\n<Source>\n<SourceLevel>L</SourceLevel>\n<LEA>851</LEA>\n\
<SoftwareCode>X</SoftwareCode>\n<Release>1</Release>\n<SerialNo>001</SerialNo>\n<DateTime>2025-01-16T09:00:00</DateTime>\n</Source>\n</Header>\n\
<Persons>\n<Person>\n<Surname>Example</Surname>\n<Forename>Sam</Forename>\n<PersonBirthDate>2015-03-01</PersonBirthDate>\n<Sex>F</Sex>\n\
<Ethnicity>WBRI</Ethnicity>\n<PostCode>PO1 2AB</PostCode>\n<UPN>X931200124123</UPN>\n<Requests>\n<ReceivedDate>2024-09-02</ReceivedDate>\n\
<RequestSource>01</RequestSource>\n<RYA>0</RYA>\n<RequestOutcome>A</RequestOutcome>\n</Requests>\n</Person>\n</Persons>\n</Message>\n";

const CLOCK_SEED: &str = r#"{"today": "2026-06-30", "events": [{"date": "2026-01-05", "type": "request_received"}, {"date": "2026-02-10", "type": "decided_to_assess"}, {"date": "2026-02-11", "type": "advice_requested", "party": "health"}]}"#;

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    if let Some(dataset) = target.strip_prefix("csv-") {
        let d: Dataset = dataset.parse().expect("a dataset");
        let f = format(d);
        let header = f.columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
        vec![("example.csv".into(), f.example.as_bytes().to_vec()), ("header-only.csv".into(), format!("{header}\n").into_bytes())]
    } else if target == "sen2-xml" {
        vec![("small.xml".into(), SEN2_SEED.as_bytes().to_vec())]
    } else {
        vec![("small.json".into(), CLOCK_SEED.as_bytes().to_vec())]
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let per_target = Duration::from_secs_f64(arg("--seconds-per-target").and_then(|s| s.parse().ok()).unwrap_or(5.0));
    let mut rng = Rng(arg("--seed").and_then(|s| s.parse().ok()).unwrap_or(0x5EED_1234_ABCD_0001) | 1);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let write_seeds = args.iter().any(|a| a == "--write-seeds");
    let mut targets: Vec<String> = Dataset::ALL.iter().map(|d| format!("csv-{}", d.name())).collect();
    targets.push("sen2-xml".into());
    targets.push("clock-json".into());
    std::panic::set_hook(Box::new(|_| {}));
    let (mut total_runs, mut total_crashes) = (0u64, 0u64);
    for target in &targets {
        let dir = root.join("corpus").join(target);
        if write_seeds {
            std::fs::create_dir_all(&dir).expect("corpus folder");
            for (name, bytes) in seeds(target) {
                std::fs::write(dir.join(name), bytes).expect("seed written");
            }
        }
        let mut corpus: Vec<Vec<u8>> = read_dir(&dir);
        if corpus.is_empty() {
            corpus = seeds(target).into_iter().map(|(_, b)| b).collect();
        }
        let started = Instant::now();
        let (mut runs, mut crashes) = (0u64, 0u64);
        while started.elapsed() < per_target {
            let mut input = corpus[rng.below(corpus.len())].clone();
            mutate(&mut rng, &mut input, &corpus);
            let result = std::panic::catch_unwind(|| run_target(target, &input));
            runs += 1;
            if result.is_err() {
                crashes += 1;
                let crash_dir = root.join("crashes");
                let _ = std::fs::create_dir_all(&crash_dir);
                let _ = std::fs::write(crash_dir.join(format!("{target}-{runs}")), &input);
            }
        }
        println!("{target:>28}: {runs:>8} executions, {crashes} crashes");
        total_runs += runs;
        total_crashes += crashes;
    }
    println!("{:>28}: {total_runs:>8} executions, {total_crashes} crashes", "total");
    if total_crashes > 0 {
        std::process::exit(1);
    }
}

fn read_dir(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.filter_map(|e| e.ok()).filter_map(|e| std::fs::read(e.path()).ok()).collect()
}
