//! The Local Offer's commands: `waymark import postcodes FILE.csv` (the ONS Postcode Directory's
//! `pcds`, `lat` and `long` columns), `waymark import local-offer FILE...` (another directory's ORUK
//! 3.0 JSON feed files, or the CSV template), and the demo area's directory (`waymark demo`).
//! Every import is checked whole first and refused whole, with each problem's file, line, field and
//! reason; importing the same files again updates rather than duplicates.

use crate::commands::store::{block_on, open_store, store_failure, StoreArgs};
use crate::Failure;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use waymark_directory::import::{read_csv, read_oruk, Imported, Problem};
use waymark_directory::{Coordinates, OrganisationId};
use waymark_domain::identifiers::Postcode;
use waymark_storage::{Actor, DirectoryStore, PublishBatch, SqliteStore};

/// How many problems are printed.
const SHOWN_PROBLEMS: usize = 20;

fn refuse(problems: &[Problem]) -> Failure {
    let mut message = format!("nothing was imported: {} problem{} found", problems.len(), if problems.len() == 1 { "" } else { "s" });
    for p in problems.iter().take(SHOWN_PROBLEMS) {
        message.push_str(&format!("\n  {p}"));
    }
    if problems.len() > SHOWN_PROBLEMS {
        message.push_str(&format!("\n  ... and {} more", problems.len() - SHOWN_PROBLEMS));
    }
    Failure::input(message)
}

/// ONSPD marks a postcode with no grid reference with latitude 99.999999: such rows are skipped.
const ONSPD_NO_LOCATION: f64 = 99.0;

/// Read the postcode file: columns `pcds`, `lat`, `long` (others ignored).
pub fn read_postcodes(file: &Path) -> Result<(Vec<(Postcode, Coordinates)>, usize), Failure> {
    let name = file.display().to_string();
    let mut reader = csv::Reader::from_path(file).map_err(|e| Failure::input(format!("{name}: cannot read: {e}")))?;
    let headers = reader.headers().map_err(|e| Failure::input(format!("{name}, line 1: {e}")))?.clone();
    let col = |c: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(c));
    let (Some(pc), Some(lat), Some(long)) = (col("pcds"), col("lat"), col("long")) else {
        return Err(Failure::input(format!("{name}, line 1, header: the ONS Postcode Directory's columns pcds, lat and long are needed")));
    };
    let mut rows = Vec::new();
    let mut skipped = 0;
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let place = format!("line {}", i + 2);
        let bad = |field: &str, reason: String| Problem { file: name.clone(), place: place.clone(), field: field.into(), reason };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(bad("row", e.to_string()));
                continue;
            }
        };
        let text = record.get(pc).unwrap_or("");
        let postcode = match text.parse::<Postcode>() {
            Ok(p) => p,
            Err(_) => {
                problems.push(bad("pcds", format!("'{text}' is not a UK postcode")));
                continue;
            }
        };
        let number = |c: usize, field: &str, problems: &mut Vec<Problem>| match record.get(c).unwrap_or("").trim().parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                problems.push(bad(field, format!("'{}' is not a number", record.get(c).unwrap_or(""))));
                None
            }
        };
        let (Some(la), Some(lo)) = (number(lat, "lat", &mut problems), number(long, "long", &mut problems)) else { continue };
        if la > ONSPD_NO_LOCATION {
            skipped += 1;
            continue;
        }
        match Coordinates::new(la, lo) {
            Some(c) => rows.push((postcode, c)),
            None => problems.push(bad("lat", format!("{la}, {lo} is not a point on the earth"))),
        }
        if problems.len() > 1000 {
            break;
        }
    }
    if !problems.is_empty() {
        return Err(refuse(&problems));
    }
    Ok((rows, skipped))
}

pub fn import_postcodes(file: PathBuf, dry_run: bool, store: StoreArgs) -> Result<(), Failure> {
    let (rows, skipped) = read_postcodes(&file)?;
    if dry_run {
        println!("postcodes: {} rows checked ({skipped} without a location skipped); nothing written (dry run)", rows.len());
        return Ok(());
    }
    block_on(async move {
        let db = open_store(&store).await?;
        let counts = db.load_postcodes(&store.actor(), &rows).await.map_err(store_failure)?;
        println!(
            "postcodes: {} rows; {} added, {} updated; {skipped} without a location skipped",
            rows.len(),
            counts.created,
            counts.updated
        );
        Ok(())
    })
}

/// Read every file (JSON as an ORUK feed, CSV as the template) into one directory, or every problem.
pub fn read_directory(files: &[PathBuf]) -> Result<Imported, Failure> {
    let mut all = Imported::default();
    let mut problems = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let bytes = std::fs::read(file).map_err(|e| Failure::input(format!("{name}: cannot read: {e}")))?;
        let is_json = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if is_json {
            let text = String::from_utf8(bytes).map_err(|_| Failure::input(format!("{name}: is not UTF-8 text")))?;
            if let Err(p) = read_oruk(&name, &text, &mut all) {
                problems.extend(p);
            }
        } else {
            match read_csv(&name, &bytes) {
                Ok(more) => {
                    all.organisations.extend(more.organisations);
                    all.locations.extend(more.locations);
                    all.services.extend(more.services);
                }
                Err(p) => problems.extend(p),
            }
        }
    }
    if !problems.is_empty() {
        return Err(refuse(&problems));
    }
    all.organisations.sort_by_key(|o| o.id);
    all.organisations.dedup_by_key(|o| o.id);
    Ok(all)
}

pub fn import_directory(files: Vec<PathBuf>, dry_run: bool, today: NaiveDate, store: StoreArgs) -> Result<(), Failure> {
    let imported = read_directory(&files)?;
    if dry_run {
        println!("local-offer: {} services checked; nothing written (dry run)", imported.services.len());
        return Ok(());
    }
    block_on(async move {
        let db = open_store(&store).await?;
        let batch = PublishBatch {
            organisations: imported.organisations,
            locations: imported.locations,
            services: imported.services.into_iter().map(|s| (s, today)).collect(),
        };
        let counts = db.publish(&store.actor(), &batch, "imported from another directory").await.map_err(store_failure)?;
        println!(
            "local-offer: {} services; {} created, {} updated, {} unchanged{}",
            batch.services.len(),
            counts.created,
            counts.updated,
            counts.unchanged,
            if imported.uncategorised > 0 {
                format!("; {} had no Local Offer category and are listed under information, advice and support", imported.uncategorised)
            } else {
                String::new()
            }
        );
        Ok(())
    })
}

/// What the demo directory holds.
pub struct DemoLoaded {
    pub services: usize,
    pub pending: usize,
    /// The organisation the demo provider keeps listings for (it runs an autism-friendly swim).
    pub provider_organisation: Option<OrganisationId>,
}

/// Load the demo area's postcodes (with coordinates) and its invented directory.
pub async fn load_demo(store: &SqliteStore, actor: &Actor, today: NaiveDate, seed: u64) -> Result<DemoLoaded, Failure> {
    let la = waymark_synth::profile::portsmouth_la();
    let postcodes: Vec<(Postcode, Coordinates)> = waymark_synth::geo::area_postcodes(&la)
        .into_iter()
        .filter_map(|(p, lat, lon)| Coordinates::new(lat, lon).map(|c| (p, c)))
        .collect();
    store.load_postcodes(actor, &postcodes).await.map_err(store_failure)?;
    // Venues sit at a sample of the area's postcodes.
    let venues: Vec<(Postcode, Coordinates)> = postcodes.iter().step_by(97).cloned().collect();
    let demo = waymark_directory::demo::generate(seed, today, &la.name, &venues, 600);
    let batch = PublishBatch {
        organisations: demo.organisations.clone(),
        locations: demo.locations.clone(),
        services: demo.services.iter().map(|s| (s.service.clone(), s.last_checked)).collect(),
    };
    store.publish(actor, &batch, "demo Local Offer").await.map_err(store_failure)?;
    let mut pending = 0;
    for s in &demo.services {
        if let Some(p) = &s.pending {
            store.propose_change(actor, p, Some(1)).await.map_err(store_failure)?;
            pending += 1;
        }
    }
    let provider_organisation = demo
        .services
        .iter()
        .find(|s| s.service.name.starts_with("Autism-friendly swimming") && s.pending.is_none())
        .map(|s| s.service.organisation);
    Ok(DemoLoaded { services: demo.services.len(), pending, provider_organisation })
}
