//! `docs/import-formats.md` is generated from the formats, and every example in it is a valid file
//! that imports, in the documented order, into an empty database.

use std::path::PathBuf;
use std::sync::Arc;
use waymark_import::{format, formats_markdown, import_reader, read, Dataset, Options, Progress};
use waymark_storage::{Actor, FactStore, FixedClock, Scope, SqliteStore};

fn docs_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/import-formats.md")
}

#[test]
fn docs_import_formats_md_is_the_generated_documentation_of_every_format() {
    let generated = formats_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(docs_path(), &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(docs_path()).unwrap_or_default();
    assert!(on_disk == generated, "docs/import-formats.md is out of date: run UPDATE_DOCS=1 cargo test -p waymark-import --test docs");
    for d in Dataset::ALL {
        assert!(generated.contains(&format!("## `{}`", d.name())), "{d} is documented");
        for c in format(*d).columns {
            assert!(generated.contains(&format!("| `{}` |", c.name)), "{d}.{} is documented", c.name);
        }
    }
}

#[test]
fn every_documented_example_is_a_valid_file_of_its_format() {
    for d in Dataset::ALL {
        let f = format(*d);
        let batch = read(*d, "example.csv", "example.csv", f.example.as_bytes()).unwrap_or_else(|e| panic!("{d}: {e}"));
        assert!(!batch.rows.is_empty(), "{d} has example rows");
    }
}

#[tokio::test]
async fn the_examples_import_in_the_documented_order_and_importing_them_again_changes_nothing() {
    let clock = Arc::new(FixedClock::at_noon(chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()));
    let store = SqliteStore::open_in_memory(clock).await.unwrap();
    let actor = Actor::new("importer", Scope::All);
    for round in 0..2 {
        for d in Dataset::ALL {
            let f = format(*d);
            let counts = import_reader(
                &store,
                &actor,
                *d,
                "example.csv",
                "example.csv",
                f.example.as_bytes(),
                Options::default(),
                &Progress::hidden(),
            )
            .await
            .unwrap_or_else(|e| panic!("{d} (round {round}): {e}"));
            if round == 0 {
                assert_eq!(counts.created, counts.rows, "{d}: every example row is new");
            } else {
                assert_eq!((counts.created, counts.updated, counts.children_created), (0, 0, 0), "{d}: nothing changes the second time");
            }
        }
    }
    // The census made three children; the others found them by UPN, social care id, NHS number or
    // ULN, or made the people who were new (Dev, Finn, Eve, Gus, Hana).
    let census = store.dataset_facts(&actor, Dataset::Census).await.unwrap();
    let amira = census.iter().find(|f| f.identity.upn.as_ref().map(|u| u.as_str()) == Some("C919200112001")).unwrap().child_id;
    let facts = store.child_facts(&actor, amira).await.unwrap();
    let datasets: Vec<&str> = facts.iter().map(|f| f.fact.dataset().name()).collect();
    assert!(datasets.contains(&"health-referrals") && datasets.contains(&"phonics") && datasets.contains(&"eyfsp"), "{datasets:?}");
}
