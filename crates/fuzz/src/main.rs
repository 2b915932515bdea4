//! Random-input drivers over every importer (issue 12 item 8), for `scripts/fuzz` (not in the test
//! command). cargo-fuzz needs a nightly toolchain, which CI does not have; this driver needs none: it
//! mutates a seed corpus (`fuzz/corpus/<target>/`) with a small deterministic PRNG and runs each input
//! through the reader under `catch_unwind`. A panic is a crash: the input is saved to `fuzz/crashes/`
//! and counted. Targets:
//! - every CSV dataset of the import (`csv-<dataset>`) and the GIAS establishments extract
//!   (`csv-establishments`);
//! - the SEN2 XML reader and validator (`sen2-xml`) and the statutory clock's JSON input (`clock-json`);
//! - the Local Offer's Open Referral UK feed (`oruk-json`) and CSV template (`local-offer-csv`);
//! - a strategy or action plan's CSV (`strategy-plan-csv`);
//! - the forecast's four input files, one mutated at a time with the other three from their seeds, each
//!   run on to the model's estimate and an expected projection (`forecast-<file>`), and its scenario
//!   TOML and capacity CSV against the seed model (`forecast-scenario`, `forecast-capacity`);
//! - a statutory letter's template as an administrator edits it (`letter-template`).
//!
//! Usage: `cargo run -p waymark-fuzz -- [--seconds-per-target N] [--seed S] [--write-seeds] [--only PREFIX]`

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

/// The forecast's four files, in `InputTexts` order, and their targets.
const FORECAST_FILES: [&str; 4] = ["transitions", "population", "valid-states", "costs"];

/// The seed text of a target's first corpus file (`seed.*`), for the targets that fix some inputs.
fn seed_text(root: &Path, target: &str) -> String {
    let dir = root.join("corpus").join(target);
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir).map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
    names.sort();
    names.iter().find(|p| p.file_stem().is_some_and(|s| s == "seed")).and_then(|p| std::fs::read_to_string(p).ok()).unwrap_or_default()
}

/// What the forecast targets hold fixed: the four seed files and the model they estimate.
struct ForecastBase {
    texts: [String; 4],
    model: Option<waymark_forecast::Model>,
}

impl ForecastBase {
    fn load(root: &Path) -> Self {
        let texts = FORECAST_FILES.map(|f| seed_text(root, &format!("forecast-{f}")));
        let model = forecast_model(&texts);
        if model.is_none() {
            eprintln!("the forecast's seed files do not make a model: its scenario and capacity targets check nothing");
        }
        Self { texts, model }
    }
}

fn forecast_model(texts: &[String; 4]) -> Option<waymark_forecast::Model> {
    let inputs = waymark_forecast::Inputs::parse(&waymark_forecast::InputTexts {
        transitions: &texts[0],
        population: &texts[1],
        valid_states: &texts[2],
        costs: &texts[3],
    })
    .ok()?;
    waymark_forecast::Model::estimate(&inputs).ok()
}

fn run_target(name: &str, input: &[u8], forecast: &ForecastBase) {
    let text = || String::from_utf8_lossy(input);
    if let Some(file) = name.strip_prefix("forecast-").filter(|f| FORECAST_FILES.contains(f)) {
        let mut texts = forecast.texts.clone();
        texts[FORECAST_FILES.iter().position(|f| *f == file).expect("a forecast file")] = text().into_owned();
        if let Some(model) = forecast_model(&texts) {
            if let Ok(years) = waymark_forecast::projection_years(&model, Some(2)) {
                let _ = waymark_forecast::project_expected(&model, &years, None);
            }
        }
    } else if name == "forecast-scenario" {
        if let Some(model) = &forecast.model {
            if let Ok(scenario) = waymark_forecast::Scenario::parse("fuzz.toml", &text(), model) {
                if let Ok(years) = waymark_forecast::projection_years(model, Some(2)) {
                    let _ = waymark_forecast::project_expected(model, &years, Some(&scenario));
                }
            }
        }
    } else if name == "forecast-capacity" {
        if let Some(model) = &forecast.model {
            let _ = waymark_forecast::capacity::Capacity::parse("fuzz.csv", &text(), model);
        }
    } else if name == "csv-establishments" {
        let _ = waymark_import::establishments::read("fuzz.csv", input);
    } else if let Some(dataset) = name.strip_prefix("csv-") {
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
    } else if name == "oruk-json" {
        let mut into = waymark_directory::import::Imported::default();
        let _ = waymark_directory::import::read_oruk("fuzz.json", &text(), &mut into);
    } else if name == "local-offer-csv" {
        let _ = waymark_directory::import::read_csv("fuzz.csv", input);
    } else if name == "strategy-plan-csv" {
        let _ = waymark_strategy::csv_format::parse("fuzz.csv", &text(), &|_| true);
    } else if name == "letter-template" {
        for kind in waymark_letters::LetterKind::ALL {
            let _ = waymark_letters::Template::parse(kind, &text());
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

const ESTABLISHMENTS_SEED: &str =
    "URN,EstablishmentName,LA (code),LA (name),TypeOfEstablishment (name),PhaseOfEducation (name),Postcode,EstablishmentStatus (name)\n\
116001,Example Primary School,851,Portsmouth,Community school,Primary,PO1 2AB,Open\n\
116002,Harbour Special School,851,Portsmouth,Community special school,Not applicable,,Open\n";

const STRATEGY_SEED: &str = "strand,ref,deliverable,due,owner,status,monitored_by,indicators\n\
Strand B: Successful implementation of the SEND Reforms,B6,Improved percentage of EHCPs completed within statutory timescales,Sep 26,KS,on track,SEND Board,dfe-ehcp/plans_within_20_weeks_excl_exceptions_pct\n\
Strand B: Successful implementation of the SEND Reforms,B7,Families report satisfaction with the EHCP process,Dec 26,BMc,,SEND Board,\n";

/// Seeds written by `--write-seeds` for the targets whose seed is built in; the Local Offer's and the
/// forecast's seeds are files in the corpus (from the ORUK specification's examples and witan.send's
/// demo inputs), kept in the repository.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    if target == "csv-establishments" {
        vec![("seed.csv".into(), ESTABLISHMENTS_SEED.as_bytes().to_vec())]
    } else if let Some(dataset) = target.strip_prefix("csv-") {
        let d: Dataset = dataset.parse().expect("a dataset");
        let f = format(d);
        let header = f.columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
        vec![("example.csv".into(), f.example.as_bytes().to_vec()), ("header-only.csv".into(), format!("{header}\n").into_bytes())]
    } else if target == "sen2-xml" {
        vec![("small.xml".into(), SEN2_SEED.as_bytes().to_vec())]
    } else if target == "clock-json" {
        vec![("small.json".into(), CLOCK_SEED.as_bytes().to_vec())]
    } else if target == "strategy-plan-csv" {
        vec![("seed.csv".into(), STRATEGY_SEED.as_bytes().to_vec())]
    } else if target == "letter-template" {
        waymark_letters::LetterKind::ALL.iter().map(|k| (format!("{}.txt", k.code()), k.default_template().as_bytes().to_vec())).collect()
    } else {
        Vec::new()
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
    for t in ["csv-establishments", "sen2-xml", "clock-json", "oruk-json", "local-offer-csv", "strategy-plan-csv"] {
        targets.push(t.into());
    }
    targets.extend(FORECAST_FILES.iter().map(|f| format!("forecast-{f}")));
    for t in ["forecast-scenario", "forecast-capacity", "letter-template"] {
        targets.push(t.into());
    }
    if let Some(only) = arg("--only") {
        targets.retain(|t| t.starts_with(&only));
    }
    let forecast = ForecastBase::load(&root);
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
        if corpus.is_empty() {
            eprintln!("{target}: no seed in {}: skipped", dir.display());
            continue;
        }
        let started = Instant::now();
        let (mut runs, mut crashes) = (0u64, 0u64);
        while started.elapsed() < per_target {
            let mut input = corpus[rng.below(corpus.len())].clone();
            mutate(&mut rng, &mut input, &corpus);
            let result = std::panic::catch_unwind(|| run_target(target, &input, &forecast));
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
