//! Import throughput. Generates a synthetic school census of N pupils (default 100,000) and an
//! attendance file for the same pupils, then times, on a fresh SQLite file with the store's own
//! settings (WAL, synchronous=FULL):
//!
//! * `waymark check`: reading and checking every row by the domain's rules (no database);
//! * `waymark import census`: the full import (every row checked, linked, a child created for each
//!   pupil, facts written, audited, in one transaction);
//! * `waymark re-import census`: the same file again (every row compared; nothing written);
//! * `waymark import attendance`: rows that link to existing children;
//!
//! against two named alternatives that do far less: the `csv` crate reading the same file with no
//! checks, and SQLite's own `.import` of it into an untyped table through the `sqlite3` program
//! (skipped if it is not installed). Prints rows per second and the ratios.
//!
//! Run: `cargo run --release -p waymark-import --example bench_import -- [ROWS]`

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;
use waymark_domain::identifiers::Upn;
use waymark_import::{import_file, read_file, Dataset, Options};
use waymark_storage::{Actor, FixedClock, Scope, SqliteStore};

const SETTINGS: &str = "urn,name,la,setting_type,phase,sen_unit,resourced_provision\n\
                        117001,Meadow Primary School,919,mainstream_la,primary,N,N\n\
                        117002,Oak Tree School,919,special_academy,all_through,N,N\n\
                        117003,Hillside Academy,919,mainstream_academy,secondary,N,N\n";

/// A small deterministic generator (no randomness crate: the numbers only need to vary).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn upn(i: usize) -> String {
    Upn::from_body(&format!("919{:04}25{:03}", i / 1000, i % 1000)).expect("a valid UPN body").to_string()
}

fn census(rows: usize) -> String {
    let mut rng = Lcg(7);
    let needs = ["ASD", "SLCN", "SEMH", "MLD", "SPLD"];
    let mut out =
        String::from("la,upn,forename,surname,date_of_birth,sex,postcode,census_date,urn,ncy,sen_provision,primary_need,fsm_eligible\n");
    for i in 0..rows {
        let year = 2010 + rng.next(9);
        let (provision, need) = match rng.next(10) {
            0 => ("E", needs[rng.next(5) as usize]),
            1 | 2 => ("K", needs[rng.next(5) as usize]),
            _ => ("N", ""),
        };
        let _ = writeln!(
            out,
            "919,{},Pupil{i},Example,{year}-{:02}-{:02},{},SG1 {}AB,2025-01-16,11700{},{},{provision},{need},{}",
            upn(i),
            1 + rng.next(12),
            1 + rng.next(28),
            if rng.next(2) == 0 { "F" } else { "M" },
            rng.next(10),
            1 + rng.next(3),
            (2025 - year - 5).clamp(1, 11),
            if rng.next(4) == 0 { "Y" } else { "N" },
        );
    }
    out
}

fn attendance(rows: usize) -> String {
    let mut rng = Lcg(11);
    let mut out = String::from("la,upn,academic_year,urn,possible_sessions,authorised_absence,unauthorised_absence\n");
    for i in 0..rows {
        let _ = writeln!(out, "919,{},2024/25,11700{},380,{},{}", upn(i), 1 + rng.next(3), rng.next(40), rng.next(20));
    }
    out
}

fn rate(rows: usize, seconds: f64) -> f64 {
    rows as f64 / seconds.max(1e-9)
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64())
}

async fn timed_import(store: &SqliteStore, dataset: Dataset, path: &Path) -> f64 {
    let actor = Actor::new("bench", Scope::All);
    let start = Instant::now();
    import_file(store, &actor, dataset, path, Options::default()).await.unwrap_or_else(|e| panic!("{dataset}: {e}"));
    start.elapsed().as_secs_f64()
}

fn plain_csv(path: &Path) -> usize {
    let mut reader = csv::Reader::from_path(path).expect("readable");
    let mut record = csv::StringRecord::new();
    let mut rows = 0;
    while reader.read_record(&mut record).expect("a record") {
        rows += 1;
    }
    rows
}

/// SQLite's `.import` of the file into a fresh table; `None` without the `sqlite3` program.
fn sqlite_import(dir: &Path, path: &Path) -> Option<f64> {
    let db = dir.join("sqlite3-import.db");
    let start = Instant::now();
    let out = Command::new("sqlite3").arg("-csv").arg(&db).arg(format!(".import {} census", path.display())).output().ok()?;
    let elapsed = start.elapsed().as_secs_f64();
    out.status.success().then_some(elapsed)
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000).clamp(1, 9_999_999);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let settings = dir.path().join("settings.csv");
    let census_path = dir.path().join("census.csv");
    let attendance_path = dir.path().join("attendance.csv");
    std::fs::write(&settings, SETTINGS).expect("written");
    std::fs::write(&census_path, census(rows)).expect("written");
    std::fs::write(&attendance_path, attendance(rows)).expect("written");
    let size = std::fs::metadata(&census_path).map(|m| m.len()).unwrap_or(0);
    println!("{rows} census rows ({:.1} MB); {rows} attendance rows\n", size as f64 / 1e6);

    let (count, csv_s) = time(|| plain_csv(&census_path));
    assert_eq!(count, rows);
    let (batch, check_s) = time(|| read_file(Dataset::Census, &census_path).expect("the generated file is valid"));
    assert_eq!(batch.rows.len(), rows);

    let clock = Arc::new(FixedClock::at_noon(chrono::NaiveDate::from_ymd_opt(2026, 1, 5).expect("a date")));
    let store = SqliteStore::open(&dir.path().join("waymark.db"), clock).await.expect("a database");
    timed_import(&store, Dataset::Settings, &settings).await;
    let import_s = timed_import(&store, Dataset::Census, &census_path).await;
    let again_s = timed_import(&store, Dataset::Census, &census_path).await;
    let attendance_s = timed_import(&store, Dataset::Attendance, &attendance_path).await;
    let sqlite_s = sqlite_import(dir.path(), &census_path);

    println!("{:<58} {:>10} {:>14}", "what", "seconds", "rows/second");
    let line = |what: &str, s: f64| println!("{what:<58} {s:>10.3} {:>14.0}", rate(rows, s));
    line("csv crate: read every record, no checks (alternative)", csv_s);
    if let Some(s) = sqlite_s {
        line("sqlite3 .import into an untyped table (alternative)", s);
    } else {
        println!("{:<58} {:>10}", "sqlite3 .import (alternative)", "not installed");
    }
    line("waymark: read and check every census row (no database)", check_s);
    line("waymark import census (new children, one transaction)", import_s);
    line("waymark import census again (nothing changes)", again_s);
    line("waymark import attendance (rows link to known children)", attendance_s);
    println!();
    println!("checking costs {:.1}x a plain csv read", check_s / csv_s.max(1e-9));
    if let Some(s) = sqlite_s {
        println!("a full census import costs {:.1}x sqlite3 .import of the same file", import_s / s.max(1e-9));
        println!("an attendance import costs {:.1}x sqlite3 .import of the census file", attendance_s / s.max(1e-9));
    }
}
