//! SEN2 benchmark on an England-size return (about 640,000 persons; EES caseload January 2025:
//! 638,745 plans): write, validate, import and export, with `xmllint --noout --schema` on the same file
//! as the named alternative, printed side by side with the ratio.
//!
//! Run with `scripts/bench-sen2` (release build). Options: `--persons N` (default 640000),
//! `--import N` (persons to import and export through SQLite; default all), `--year 2026|2025`,
//! `--dir DIR` (where the files go; default a temporary directory). Not part of the tests.
//!
//! The synthetic persons come from a deterministic PRNG (xorshift64*, fixed seed), shaped like
//! England's return: about 85% existing plans (H), 9% new plans issued in the year, and refusals,
//! requests awaiting decision, assessments in progress and plans ceased in the year. They are invented.

use std::io::{BufWriter, Read};
use std::sync::Arc;
use std::time::{Duration, Instant};
use waymark_application::sen2 as sen2_store;
use waymark_domain::calendar::{add_days, Date};
use waymark_domain::identifiers::{LaCode, Upn};
use waymark_sen2::model::*;
use waymark_sen2::{Collection, Sen2Writer};
use waymark_storage::{Actor, FixedClock, InPost, LaSettings, LaSettingsStore, Scope, SqliteStore};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const NEEDS: &[&str] = &["ASD", "SEMH", "SLCN", "MLD", "SLD", "SPLD", "PMLD", "PD", "HI", "VI", "MSI", "DS", "OTH"];
const FORENAMES: &[&str] =
    &["Ada", "Ben", "Cara", "Dev", "Ella", "Finn", "Grace", "Harry", "Isla", "Jack", "Kara", "Leo", "Mia", "Noah", "Orla", "Priya"];
const SURNAMES: &[&str] = &["Example", "Sample", "Testwell", "Placeholder", "Fictional", "Madeup", "Invented", "Synthetic"];

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}
fn day(base: Date, r: &mut Rng, span: u64) -> Date {
    add_days(base, r.below(span))
}

fn synthetic_person(i: u64, r: &mut Rng, c: Collection, las: &[LaCode]) -> Sen2Person {
    let p0 = c.period_start();
    let dob = add_days(Date::from_ymd_opt(2001, 1, 1).unwrap(), r.below(365 * 22));
    let la = las[(i % las.len() as u64) as usize];
    let body = format!("{la}{:04}{:02}{:03}", (i / 1000) % 10000, 10 + (i / 10_000_000) % 90, i % 1000);
    let mut p = Sen2Person {
        surname: s(r.pick(SURNAMES)),
        forename: s(r.pick(FORENAMES)),
        birth_date: Some(dob),
        sex: s(if r.below(10) < 7 { "M" } else { "F" }),
        ethnicity: s(r.pick(&["WBRI", "WBRI", "WBRI", "WOTH", "MWBC", "AIND", "APKN", "BAFR", "CHNE", "NOBT"])),
        postcode: s("PO1 2AB"),
        upn: Some(Upn::from_body(&body).expect("valid body").to_string()),
        ..Default::default()
    };
    let urn = format!("{}", 100_000 + r.below(50_000));
    let needs = {
        let a = r.pick(NEEDS);
        let mut v = vec![SenNeed { sen_type: s(a), rank: s("1"), lines: Lines::default() }];
        if r.below(2) == 0 {
            let b = r.pick(NEEDS);
            if b != a {
                v.push(SenNeed { sen_type: s(b), rank: s("2"), lines: Lines::default() });
            }
        }
        v
    };
    let detail = |urn: &str| SettingDetail {
        urn: s(urn),
        rank: s("1"),
        sen_unit: s("0"),
        resourced_provision: s(if urn.ends_with('7') { "1" } else { "0" }),
        ..Default::default()
    };
    let kind = r.below(100);
    let flags = |a: &mut Assessment| {
        a.mediation = s("0");
        a.tribunal = s("0");
        a.other_mediation = s("0");
        a.other_tribunal = s("0");
    };
    let mut req = Request::default();
    if kind < 85 {
        // An existing plan (H), possibly reviewed in the year, a few ceased in the year.
        let start = day(Date::from_ymd_opt(2016, 1, 1).unwrap(), r, 365 * 8);
        let start = start.max(add_days(dob, 400));
        let ceased = kind >= 82;
        let mut a = Assessment { outcome: s("H"), ..Default::default() };
        flags(&mut a);
        let cease = if ceased { Some(day(p0, r, 300)) } else { None };
        a.named_plan = Some(NamedPlan {
            start_date: Some(start),
            plan_details: vec![detail(&urn)],
            pb: s(if r.below(10) == 0 { "1" } else { "0" }),
            oa: s("0"),
            cease_date: cease,
            cease_reason: cease.map(|_| r.pick(&["1", "2", "3", "4", "5", "6", "7"]).to_owned()),
            ..Default::default()
        });
        let mut ap = ActivePlans { needs, ..Default::default() };
        ap.placements.push(SettingDetail { entry_date: Some(start), leaving_date: cease, ..detail(&urn) });
        if !ceased && r.below(3) > 0 {
            let m = day(p0, r, 300);
            ap.review_meeting = Some(m);
            ap.review_outcome = s("M");
            ap.last_review = Some(add_days(m, 14));
        }
        req.outcome = s("H");
        req.assessment = Some(a);
        req.active_plans = Some(ap);
    } else if kind < 94 {
        // A new plan issued in the year.
        let received = day(p0, r, 150);
        let decided = add_days(received, 30 + r.below(12));
        let issued = add_days(received, 110 + r.below(120));
        req = Request {
            received_date: Some(received),
            request_source: s(r.pick(&["1", "2", "2", "3", "4"])),
            rya: s("0"),
            outcome_date: Some(decided),
            outcome: s("Y"),
            mediation: s("0"),
            tribunal: s("0"),
            ..Default::default()
        };
        let mut a = Assessment {
            outcome: s("Y"),
            outcome_date: Some(issued),
            week20: s(if r.below(10) == 0 { "1" } else { "0" }),
            ..Default::default()
        };
        flags(&mut a);
        a.named_plan =
            Some(NamedPlan { start_date: Some(issued), plan_details: vec![detail(&urn)], pb: s("0"), oa: s("0"), ..Default::default() });
        req.assessment = Some(a);
        let mut ap = ActivePlans { needs, ..Default::default() };
        ap.placements.push(SettingDetail { entry_date: Some(issued), ..detail(&urn) });
        req.active_plans = Some(ap);
    } else if kind < 97 {
        // Refused in the year.
        let received = day(p0, r, 300);
        req = Request {
            received_date: Some(received),
            request_source: s(r.pick(&["1", "2", "3"])),
            rya: s("0"),
            outcome_date: Some(add_days(received, 35)),
            outcome: s("N"),
            mediation: s(if r.below(8) == 0 { "1" } else { "0" }),
            tribunal: s("0"),
            ..Default::default()
        };
    } else {
        // Awaiting decision, or assessing, on census day.
        let received = day(Date::from_ymd_opt(c.year - 1, 10, 1).unwrap(), r, 100);
        req = Request { received_date: Some(received), request_source: s("1"), rya: s("0"), outcome: s("A"), ..Default::default() };
        if kind == 99 && add_days(received, 30) <= c.reference_date {
            req.outcome = s("Y");
            req.outcome_date = Some(add_days(received, 30));
            req.mediation = s("0");
            req.tribunal = s("0");
            req.assessment = Some(Assessment { outcome: s("A"), ..Default::default() });
        }
    }
    p.requests.push(req);
    p
}

fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn main() {
    let persons: u64 = arg("--persons", 640_000);
    let import_n: u64 = arg("--import", persons);
    let year: i32 = arg("--year", 2026);
    let c = Collection::for_year(year).expect("2025 or 2026");
    let tmp = tempfile::tempdir().expect("temporary directory");
    let dir: std::path::PathBuf = arg("--dir", tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).expect("create the directory");
    let file = dir.join(format!("sen2_england_{year}.xml"));
    let small = dir.join(format!("sen2_import_{year}.xml"));
    let las: Vec<LaCode> = LaCode::all_upn_valid().filter(|l| l.number() >= 800).collect();
    let header = Header {
        collection: s("SEN2"),
        year: Some(year.to_string()),
        reference_date: Some(c.reference_date),
        source_level: s("L"),
        lea: s("851"),
        software_code: s("WAYMARK"),
        release: s(env!("CARGO_PKG_VERSION")),
        serial_no: s("001"),
        date_time: s("2026-02-10T09:30:00"),
        dmo: s("Y"),
        dco: s("Y"),
        dsco: s("R"),
        lines: Lines::default(),
    };

    println!("SEN2 {year} benchmark: {persons} synthetic persons (England-size), file {}", file.display());
    // 1. Write the return (the XML half of an export), streaming.
    let t = Instant::now();
    let mut rng = Rng(0x5EED_2026_0000_0001);
    {
        let out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&file).expect("create file"));
        let mut w = Sen2Writer::new(out, c, &header).expect("write header");
        let out2 = BufWriter::new(std::fs::File::create(&small).expect("create file"));
        let mut w2 = Sen2Writer::new(out2, c, &header).expect("write header");
        for i in 0..persons {
            let p = synthetic_person(i, &mut rng, c, &las);
            w.write_person(&p).expect("write");
            if i < import_n {
                w2.write_person(&p).expect("write");
            }
        }
        w.finish().expect("finish").into_inner().expect("flush");
        w2.finish().expect("finish").into_inner().expect("flush");
    }
    let write_t = t.elapsed();
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!("  file size: {:.1} MB", size as f64 / 1e6);

    // 2. Waymark's full validation: schema, business rules and queries, streaming.
    let t = Instant::now();
    let v = waymark_sen2::validate(std::fs::File::open(&file).expect("open"), None);
    let validate_t = t.elapsed();
    println!("  waymark validate: {} persons, {} errors, {} queries", v.persons, v.errors(), v.queries());

    // 3. The named alternative: xmllint's schema check alone.
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../../shared/reference/sen2/sen2_schema_{year}.xsd"));
    let t = Instant::now();
    let xmllint = std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(&schema).arg(&file).output();
    let xmllint_t = t.elapsed();
    let xmllint_ok = match &xmllint {
        Ok(o) => {
            let tail = String::from_utf8_lossy(&o.stderr);
            println!("  xmllint: {}", tail.lines().last().unwrap_or("").trim());
            o.status.success()
        }
        Err(e) => {
            println!("  xmllint could not run ({e}): install libxml2-utils");
            false
        }
    };

    // 4. Import into a fresh SQLite file, then 5. export it back from the store.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let db = dir.join("bench.db");
    let _ = std::fs::remove_file(&db);
    let clock = Arc::new(FixedClock::new("2026-02-10T09:30:00Z".parse().unwrap()));
    let actor = Actor::new("bench", Scope::All);
    let (import_t, export_t, imported, exported) = rt.block_on(async {
        let store = SqliteStore::open(&db, clock).await.expect("open store");
        let settings = LaSettings {
            la: "851".parse().unwrap(),
            dmo: InPost::Yes,
            dco: InPost::Yes,
            dsco: InPost::Recruiting,
            software_code: "WAYMARK".into(),
            serial_no: "001".into(),
        };
        store.set_la_settings(&actor, &settings, None, "bench").await.expect("settings");
        let path = small.clone();
        let open = move || -> std::io::Result<Box<dyn Read + Send>> { Ok(Box::new(std::fs::File::open(&path)?)) };
        let t = Instant::now();
        let (report, _) = sen2_store::import(&store, &actor, &open, None, "benchmark").await.expect("import");
        let import_t = t.elapsed();
        let t = Instant::now();
        let out = BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join("export.xml")).expect("create"));
        let h = sen2_store::header(&store, &actor, "851".parse().unwrap(), c, "2026-02-10T09:30:00", "bench").await.expect("header");
        let (_, summary) = sen2_store::export(&store, &actor, "851".parse().unwrap(), c, &h, out).await.expect("export");
        (import_t, t.elapsed(), report.children_created, summary.persons)
    });

    let per = |d: Duration, n: u64| if n == 0 { 0.0 } else { d.as_secs_f64() * 1e6 / n as f64 };
    println!();
    println!("| step | persons | seconds | µs/person |");
    println!("|---|---:|---:|---:|");
    println!("| write XML (streaming) | {persons} | {:.2} | {:.1} |", secs(write_t), per(write_t, persons));
    println!(
        "| waymark validate (schema + rules + queries) | {} | {:.2} | {:.1} |",
        v.persons,
        secs(validate_t),
        per(validate_t, v.persons as u64)
    );
    println!("| xmllint --noout --schema (schema only) | {persons} | {:.2} | {:.1} |", secs(xmllint_t), per(xmllint_t, persons));
    println!("| import into SQLite (validate + one transaction) | {imported} | {:.2} | {:.1} |", secs(import_t), per(import_t, imported));
    println!("| export from SQLite (read + build + write) | {exported} | {:.2} | {:.1} |", secs(export_t), per(export_t, exported));
    println!();
    if xmllint_ok || xmllint.is_ok() {
        println!(
            "ratio: xmllint schema check / waymark full validation = {:.2} (waymark is {:.1}x {})",
            secs(xmllint_t) / secs(validate_t),
            if validate_t < xmllint_t { secs(xmllint_t) / secs(validate_t) } else { secs(validate_t) / secs(xmllint_t) },
            if validate_t < xmllint_t { "faster" } else { "slower" }
        );
    }
}
