//! The SEN2 return against the store: export (streamed in batches of children), check (the same rules
//! on records built from casework, each finding linked to its child and case, for the caseworker or
//! the web application to fix at source), and import (validated first, then one transaction).
//!
//! Written against the store traits only ([`Sen2Store`], [`LaSettingsStore`], [`Sen2ImportWrite`]):
//! the rules and the file formats are `waymark-sen2`'s, the persistence the store's.

use std::io::{Read, Write};
use waymark_domain::identifiers::LaCode;
use waymark_domain::ids::ChildId;
use waymark_sen2::build::{build_person, PersonExtra, PlacementInfo};
use waymark_sen2::collection::Collection;
use waymark_sen2::findings::Finding;
use waymark_sen2::import::{to_import, ImportError};
use waymark_sen2::model::Header;
use waymark_sen2::reader::{Item, Sen2Reader, XmlError};
use waymark_sen2::rules::{self, RuleContext};
use waymark_sen2::writer::Sen2Writer;
use waymark_storage::{Actor, LaSettingsStore, Sen2ImportReport, Sen2ImportWrite, Sen2Reading, Sen2Source, Sen2Store, StoreError};

/// What the SEN2 use-cases need of a store.
pub trait Sen2Backend: Sen2Store + LaSettingsStore {}
impl<S: Sen2Store + LaSettingsStore> Sen2Backend for S {}

/// Children read from the store per batch: memory stays bounded by one batch whatever the LA's size.
pub const BATCH: u32 = 1000;

/// Why an export, check or import could not be done.
#[derive(Debug, thiserror::Error)]
pub enum Sen2StoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not write the return: {0}")]
    Io(#[from] std::io::Error),
    /// The LA has no return settings (the header's DMO, DCO and DSCO).
    #[error(
        "LA {0} has no SEN2 settings: say which designated officers are in post on census day with \
         `waymark sen2 settings --la {0} --dmo Y|N|R --dco Y|N|R --dsco Y|N|R`"
    )]
    NoSettings(LaCode),
    #[error("{0}")]
    Invalid(String),
    /// The file is not well-formed XML.
    #[error("{0}")]
    Xml(XmlError),
    /// The file breaks rules with severity error: nothing was imported.
    #[error("the return has {} errors: nothing was imported; fix them (see `waymark sen2 validate`) and import again", .0.iter().filter(|f| f.severity == waymark_sen2::Severity::Error).count())]
    Refused(Vec<Finding>),
    /// A person could not be mapped to Waymark's records: nothing was imported.
    #[error("nothing was imported: {0}")]
    Import(ImportError),
}

/// The header for `la`'s return in `collection`, from the LA's settings. `date_time` is when the file
/// is made (`ccyy-mm-ddThh:mm:ss`); `release` the software's release.
pub async fn header(
    store: &impl Sen2Backend,
    actor: &Actor,
    la: LaCode,
    c: Collection,
    date_time: &str,
    release: &str,
) -> Result<Header, Sen2StoreError> {
    let settings = store.la_settings(actor, la).await?.ok_or(Sen2StoreError::NoSettings(la))?.value;
    Ok(Header {
        collection: Some("SEN2".into()),
        year: Some(c.year.to_string()),
        reference_date: Some(c.reference_date),
        source_level: Some("L".into()),
        lea: Some(la.to_string()),
        software_code: Some(settings.software_code),
        release: Some(release.into()),
        serial_no: Some(settings.serial_no),
        date_time: Some(date_time.into()),
        dmo: Some(settings.dmo.code().into()),
        dco: Some(settings.dco.code().into()),
        dsco: Some(settings.dsco.code().into()),
        lines: Default::default(),
    })
}

fn built(source: &Sen2Source, c: Collection) -> Option<waymark_sen2::BuiltPerson> {
    let placements: Vec<PlacementInfo> = source
        .placements
        .iter()
        .map(|p| PlacementInfo { placement: p.placement.clone(), setting_other: p.setting_other.clone() })
        .collect();
    let extra = PersonExtra { upn_unknown: source.upn_unknown.clone() };
    build_person(&source.child.value, &source.cases, &placements, &extra, c)
}

/// Visit every person of `la`'s return, in batches.
async fn each_person(
    store: &impl Sen2Backend,
    actor: &Actor,
    la: LaCode,
    c: Collection,
    reading: Sen2Reading,
    mut f: impl FnMut(waymark_sen2::BuiltPerson, ChildId) -> Result<(), Sen2StoreError>,
) -> Result<u64, Sen2StoreError> {
    let mut after: Option<i64> = None;
    let mut read = 0u64;
    loop {
        let batch = store.sen2_sources(actor, Some(la), after, BATCH, reading).await?;
        read += batch.sources.len() as u64;
        for source in &batch.sources {
            if let Some(b) = built(source, c) {
                f(b, source.child.value.id)?;
            }
        }
        match batch.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    Ok(read)
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportSummary {
    pub children_read: u64,
    pub persons: u64,
}

/// Write `la`'s return for collection `c` to `out`, streaming.
pub async fn export<W: Write>(
    store: &impl Sen2Backend,
    actor: &Actor,
    la: LaCode,
    c: Collection,
    header: &Header,
    out: W,
) -> Result<(W, ExportSummary), Sen2StoreError> {
    let mut writer = Sen2Writer::new(out, c, header)?;
    let read =
        each_person(store, actor, la, c, Sen2Reading::Export, |b, _| writer.write_person(&b.person).map_err(Sen2StoreError::from)).await?;
    let persons = writer.persons();
    let out = writer.finish()?;
    tracing::info!(children_read = read, persons, "SEN2 return exported");
    Ok((out, ExportSummary { children_read: read, persons }))
}

/// Every finding for `la`'s return in collection `c`, built from the store: the same rules as
/// `waymark sen2 validate`, with no line (the record is not a file yet), the XML path the item would
/// have, and the child and case to open to fix it. This is the function the web application's
/// "SEN2 errors and queries" page calls.
pub async fn check(store: &impl Sen2Backend, actor: &Actor, la: LaCode, c: Collection) -> Result<Vec<Finding>, Sen2StoreError> {
    let mut findings = Vec::new();
    match header(store, actor, la, c, "2000-01-01T00:00:00", env!("CARGO_PKG_VERSION")).await {
        Ok(h) => rules::check_header(&h, c, &mut findings),
        Err(Sen2StoreError::NoSettings(_)) => findings.push(Finding {
            rule: "SEN2-H04",
            severity: waymark_sen2::Severity::Error,
            line: None,
            path: "/Message/Header/Source".into(),
            person: None,
            message: format!("LA {la} has no SEN2 settings (DMO, DCO, DSCO): set them with `waymark sen2 settings --la {la}`"),
            child_id: None,
            case_id: None,
        }),
        Err(e) => return Err(e),
    }
    let mut ctx = RuleContext::new(c, Some(la.to_string()));
    let mut index = 0usize;
    // The findings are an aggregate view: one audit entry for the check, not one per child.
    store.sen2_audit_check(actor, la).await?;
    each_person(store, actor, la, c, Sen2Reading::Check, |b, child| {
        index += 1;
        let start = findings.len();
        rules::check_person(&b.person, index, &mut ctx, &mut findings);
        for f in &mut findings[start..] {
            f.child_id = Some(child);
            f.case_id = request_index(&f.path).and_then(|i| b.request_cases.get(i).copied());
        }
        Ok(())
    })
    .await?;
    rules::finish(&ctx, &mut findings);
    Ok(findings)
}

/// The request a path is in: `.../Requests[3]/...` gives 2 (zero-based).
fn request_index(path: &str) -> Option<usize> {
    let start = path.find("/Requests[")? + "/Requests[".len();
    let end = path[start..].find(']')? + start;
    path[start..end].parse::<usize>().ok()?.checked_sub(1)
}

/// A file to read, opened afresh for each pass.
pub type Opener = dyn Fn() -> std::io::Result<Box<dyn Read + Send>>;

enum Msg {
    Header(Option<(Collection, LaCode)>, Option<waymark_storage::LaSettings>),
    Person(Box<waymark_sen2::model::Sen2Person>, usize),
    Done(Result<(), XmlError>),
}

/// Import a return: validated in full first (any error refuses it), then every person created or
/// updated in one transaction. Importing the same return again changes nothing. The file is read on a
/// worker thread and handed over through a bounded channel, so memory stays bounded by a few hundred
/// persons whatever the file's size.
pub async fn import(
    store: &impl Sen2Backend,
    actor: &Actor,
    open: &Opener,
    year: Option<i32>,
    reason: &str,
) -> Result<(Sen2ImportReport, waymark_sen2::Validation), Sen2StoreError> {
    let validation = waymark_sen2::validate(open()?, year);
    if let Some(e) = validation.fatal.clone() {
        return Err(Sen2StoreError::Xml(e));
    }
    if validation.errors() > 0 {
        return Err(Sen2StoreError::Refused(validation.findings));
    }
    let input = open()?;
    let (send, recv) = std::sync::mpsc::sync_channel::<Msg>(256);
    let worker = std::thread::spawn(move || {
        let mut reader = Sen2Reader::new(year);
        let result = reader.read(input, |item, _| {
            let msg = match item {
                Item::Header(h, y) => {
                    let c = Collection::for_year(y).expect("the reader picks only supported years");
                    let la: Option<LaCode> = h.lea.as_deref().and_then(|l| l.parse().ok());
                    Msg::Header(la.map(|la| (c, la)), la.and_then(|la| header_settings(&h, la)))
                }
                Item::Person(p, i) => Msg::Person(Box::new(p), i),
            };
            let _ = send.send(msg);
        });
        let _ = send.send(Msg::Done(result));
    });
    let mut tx = store.begin_sen2_import(actor, reason).await?;
    let mut context: Option<(Collection, LaCode)> = None;
    let mut outcome: Result<(), Sen2StoreError> = Ok(());
    // Blocking receives on the import's own task: the worker thread fills the channel meanwhile.
    while let Ok(msg) = recv.recv() {
        match msg {
            Msg::Header(ctx, settings) => {
                context = ctx;
                if let Some(settings) = settings {
                    if let Err(e) = tx.settings_from_header(&settings).await {
                        outcome = Err(e.into());
                        break;
                    }
                }
            }
            Msg::Person(p, index) => {
                let Some((c, lea)) = context else {
                    outcome = Err(Sen2StoreError::Invalid("the return's header does not name a DfE LA number (LEA)".into()));
                    break;
                };
                match to_import(&p, index, c, lea) {
                    Ok(ip) => {
                        if let Err(e) = tx.person(ip).await {
                            outcome = Err(e.into());
                            break;
                        }
                    }
                    Err(e) => {
                        outcome = Err(Sen2StoreError::Import(e));
                        break;
                    }
                }
            }
            Msg::Done(Err(e)) => {
                outcome = Err(Sen2StoreError::Xml(e));
                break;
            }
            Msg::Done(Ok(())) => break,
        }
    }
    drop(recv); // a worker still sending stops at its next send
    let _ = worker.join();
    outcome?; // on any failure the transaction is dropped: nothing is written
    let report = tx.commit().await?;
    Ok((report, validation))
}

/// The LA's SEN2 settings as the return's header gives them: the designated officers in post on census
/// day (SEN2 header items DMO, DCO and DSCO). A missing or unreadable item leaves the settings unrecorded,
/// for the LA to set. The software code and serial number are Waymark's own: Waymark writes the next return.
fn header_settings(h: &waymark_sen2::model::Header, la: LaCode) -> Option<waymark_storage::LaSettings> {
    let officer = |v: &Option<String>| v.as_deref().and_then(|c| c.trim().parse::<waymark_storage::InPost>().ok());
    Some(waymark_storage::LaSettings {
        la,
        dmo: officer(&h.dmo)?,
        dco: officer(&h.dco)?,
        dsco: officer(&h.dsco)?,
        software_code: waymark_storage::LaSettings::DEFAULT_SOFTWARE_CODE.to_owned(),
        serial_no: "001".to_owned(),
    })
}
