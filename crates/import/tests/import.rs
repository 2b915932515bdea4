//! Importing files into a database: a file with any problem (in its rows, or against what the
//! database holds) is refused whole and writes nothing; the report lists every problem beside its
//! row; importing the same file again changes nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use waymark_import::{format, import_file, write_report, Dataset, ImportError, Options, REPORT_COLUMNS};
use waymark_storage::{Actor, FactStore, FixedClock, Scope, SqliteStore};

fn actor() -> Actor {
    Actor::new("importer", Scope::All)
}

async fn store() -> SqliteStore {
    let clock = Arc::new(FixedClock::at_noon(chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()));
    SqliteStore::open_in_memory(clock).await.unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A store holding the documented localities and settings.
async fn store_with_reference(dir: &Path) -> SqliteStore {
    let store = store().await;
    for d in [Dataset::Localities, Dataset::Settings] {
        let path = write(dir, &format!("{d}.csv"), format(d).example);
        import_file(&store, &actor(), d, &path, Options::default()).await.unwrap();
    }
    store
}

const CENSUS: &str = "la,upn,forename,surname,date_of_birth,sex,census_date,urn,ncy,sen_provision,primary_need,fsm_eligible\n\
                      919,C919200112001,Amira,Example,2016-03-14,F,2025-01-16,117001,4,E,ASD,Y\n\
                      919,A919200112002,Ben,Sample,2012-10-02,M,2025-01-16,117002,7,E,SLD,N\n\
                      919,F919200112003,Cara,Test,2013-01-20,F,2025-01-16,999999,7,K,SEMH,Y\n";

fn rejected(result: Result<waymark_import::ImportCounts, ImportError>) -> waymark_import::Rejection {
    match result {
        Err(ImportError::Rejected(r)) => r,
        other => panic!("should be refused: {other:?}"),
    }
}

#[tokio::test]
async fn a_file_with_any_problem_is_refused_whole_naming_every_problem_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_reference(dir.path()).await;
    let path = write(dir.path(), "census.csv", CENSUS);
    let r = rejected(import_file(&store, &actor(), Dataset::Census, &path, Options::default()).await);
    let found: Vec<(u64, &str, &str, &str)> =
        r.errors.iter().map(|e| (e.line, e.column.as_str(), e.value.as_str(), e.rule.as_str())).collect();
    // A row that breaks a rule of its own, and one that names a setting the database does not hold,
    // are reported together.
    assert_eq!(found, [(3, "upn", "A919200112002", "upn_check_letter"), (4, "urn", "999999", "setting_unknown")]);
    assert_eq!((r.rows, r.rejected_rows()), (3, 2));
    assert!(r.errors.iter().all(|e| e.file == path.display().to_string()));
    assert!(store.dataset_facts(&actor(), Dataset::Census).await.unwrap().is_empty(), "the good row was not written either");
    let summary = r.summary(20);
    assert!(summary.contains("was not imported: 2 problems in 2 of 3 rows; nothing was written"), "{summary}");
}

#[tokio::test]
async fn the_report_lists_every_problem_beside_the_row_it_is_in() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_reference(dir.path()).await;
    let path = write(dir.path(), "census.csv", CENSUS);
    let r = rejected(import_file(&store, &actor(), Dataset::Census, &path, Options::default()).await);
    let report = dir.path().join("report.csv");
    write_report(&report, &path, &r).unwrap();

    let mut reader = csv::Reader::from_path(&report).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header[..6], REPORT_COLUMNS);
    assert_eq!(header[6..9], ["la", "upn", "forename"], "then the file's own columns");
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0][..6],
        [path.display().to_string(), "3".into(), "upn".into(), "A919200112002".into(), "upn_check_letter".into(), rows[0][5].clone()]
    );
    assert!(rows[0][5].contains("check letter should be R"), "{}", rows[0][5]);
    assert_eq!(rows[0][6..9], ["919", "A919200112002", "Ben"], "the rejected row's own values");
    assert_eq!((rows[1][1].as_str(), rows[1][4].as_str(), rows[1][13].as_str()), ("4", "setting_unknown", "999999"));
}

#[tokio::test]
async fn a_header_problem_is_reported_on_line_1_and_the_report_still_writes() {
    let dir = tempfile::tempdir().unwrap();
    let store = store().await;
    let path = write(dir.path(), "pop.csv", "la,year,age,gender,count\n919,2024,1,F,10\n");
    let r = rejected(import_file(&store, &actor(), Dataset::Population, &path, Options::default()).await);
    let rules: Vec<(&str, &str)> = r.errors.iter().map(|e| (e.column.as_str(), e.rule.as_str())).collect();
    assert_eq!(rules, [("gender", "header_unknown_column"), ("sex", "header_missing_column")]);
    let report = dir.path().join("report.csv");
    write_report(&report, &path, &r).unwrap();
    assert_eq!(std::fs::read_to_string(&report).unwrap().lines().count(), 3);
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing_and_a_corrected_file_updates_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_reference(dir.path()).await;
    let good = CENSUS.replace("A919200112002", "R919200112002").replace("999999", "117003");
    let path = write(dir.path(), "census.csv", &good);
    let first = import_file(&store, &actor(), Dataset::Census, &path, Options::default()).await.unwrap();
    assert_eq!((first.rows, first.created, first.children_created), (3, 3, 3));
    let again = import_file(&store, &actor(), Dataset::Census, &path, Options::default()).await.unwrap();
    assert_eq!((again.created, again.unchanged, again.updated, again.children_created), (0, 3, 0, 0));

    let corrected = write(dir.path(), "census-corrected.csv", &good.replace("117003,7,K,SEMH,Y", "117003,7,K,SEMH,N"));
    let fixed = import_file(&store, &actor(), Dataset::Census, &corrected, Options::default()).await.unwrap();
    assert_eq!((fixed.created, fixed.unchanged, fixed.updated), (0, 2, 1));
    let facts = store.dataset_facts(&actor(), Dataset::Census).await.unwrap();
    let changed: Vec<_> = facts.iter().filter(|f| f.version == 2).collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(
        (changed[0].source.file.as_str(), changed[0].source.line),
        ("census-corrected.csv", 4),
        "the source is the file's name, not its path"
    );
}

#[tokio::test]
async fn a_dry_run_checks_against_the_database_and_counts_but_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_reference(dir.path()).await;
    let good = CENSUS.replace("A919200112002", "R919200112002").replace("999999", "117003");
    let path = write(dir.path(), "census.csv", &good);
    let counts = import_file(&store, &actor(), Dataset::Census, &path, Options { dry_run: true, progress: false }).await.unwrap();
    assert_eq!((counts.import_id, counts.created, counts.children_created), (0, 3, 3));
    assert!(store.dataset_facts(&actor(), Dataset::Census).await.unwrap().is_empty());
    let bad = write(dir.path(), "bad.csv", CENSUS);
    let r = rejected(import_file(&store, &actor(), Dataset::Census, &bad, Options { dry_run: true, progress: false }).await);
    assert_eq!(r.errors.len(), 2);
}

#[tokio::test]
async fn a_file_that_cannot_be_read_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = store().await;
    let missing = dir.path().join("nope.csv");
    let err = import_file(&store, &actor(), Dataset::Census, &missing, Options::default()).await.unwrap_err();
    assert!(matches!(&err, ImportError::Read { file, .. } if file.ends_with("nope.csv")), "{err}");
    let err = import_file(&store, &actor(), Dataset::Census, dir.path(), Options::default()).await.unwrap_err();
    assert!(err.to_string().contains("folder"), "{err}");
}

#[tokio::test]
async fn a_file_of_only_a_header_imports_nothing_and_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let store = store().await;
    let path = write(dir.path(), "census.csv", CENSUS.lines().next().unwrap());
    let counts = import_file(&store, &actor(), Dataset::Census, &path, Options::default()).await.unwrap();
    assert_eq!((counts.rows, counts.created), (0, 0));
}
