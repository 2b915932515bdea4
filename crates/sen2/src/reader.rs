//! Reading a SEN2 file as a stream: quick-xml events checked against the schema (element names, order,
//! cardinality, code sets and formats) as they arrive, built into one [`Sen2Person`] at a time, each
//! handed to the caller and then dropped. Memory stays bounded by one person, whatever the file's size.
//! Line numbers come from counting newlines in the bytes the parser has consumed.

use crate::findings::{Finding, Severity};
use crate::model::*;
use crate::schema::{self, check_value, parse_xs_date, Content, Particle, Simple, Ty};
use quick_xml::events::Event;
use std::io::{self, BufRead, Read};

/// A file that is not well-formed XML (or cannot be read): validation stops here (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct XmlError {
    pub line: u64,
    pub message: String,
}

/// The most bytes the parser may consume for one event (a tag, a text node, a CDATA section): SEN2
/// values are codes, dates and names, so 1 MB is far beyond any real one. Past it the read stops, so
/// one huge text node cannot fill memory (issue 12: 200 MB once cost 1.85 GB).
pub const MAX_EVENT_BYTES: u64 = 1 << 20;

/// A buffered reader that counts the newlines in what the XML parser consumes, and the bytes consumed
/// since the last event.
struct LineCounter<R> {
    inner: io::BufReader<R>,
    newlines: u64,
    since_event: u64,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.since_event > MAX_EVENT_BYTES {
            return Err(too_big());
        }
        let n = self.inner.read(buf)?;
        self.newlines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        self.since_event += n as u64;
        Ok(n)
    }
}

impl<R: Read> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.since_event > MAX_EVENT_BYTES {
            return Err(too_big());
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let amt = amt.min(buf.len());
            self.newlines += buf[..amt].iter().filter(|&&b| b == b'\n').count() as u64;
            self.since_event += amt as u64;
        }
        self.inner.consume(amt);
    }
}

const TOO_BIG: &str = "a tag or value is longer than 1 MB, far longer than any SEN2 value: is this the right file?";

fn too_big() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, TOO_BIG)
}

/// What the reader hands over as it goes.
pub enum Item {
    /// The header, once read (before any person in a well-ordered file), with the collection year
    /// whose schema the rest of the file is checked against.
    Header(Header, i32),
    /// One person, with their position in the file (1 for the first).
    Person(Sen2Person, usize),
}

/// An element being read: where it is in its parent's sequence, and its path.
struct Frame {
    name: &'static str,
    /// Position among same-named siblings (from 1) where the element may repeat, else 0.
    index: usize,
    ty: Option<Ty>,
    simple: Option<Simple>,
    pos: usize,
    count: u32,
    particles: &'static [Particle],
    /// Children seen so far, by their particle's position, for `[n]` indices in paths.
    seen: [u32; 12],
    line: u64,
}

/// The XML path of the element on top of `stack`, e.g. `/Message/Persons/Person[3]/UPN`; built only
/// when a finding needs it.
fn path_of(stack: &[Frame]) -> String {
    let mut p = String::with_capacity(64);
    for f in stack {
        p.push('/');
        p.push_str(f.name);
        if f.index > 0 {
            p.push('[');
            p.push_str(&f.index.to_string());
            p.push(']');
        }
    }
    p
}

/// Reads a file, checking its structure; the caller's `on_item` receives the header and each person.
pub struct Sen2Reader {
    /// The collection year whose schema applies: from the header's `Year`, unless forced.
    pub year: i32,
    forced_year: bool,
    pub findings: Vec<Finding>,
    person: Option<Sen2Person>,
    header: Option<Header>,
    persons: usize,
    text: String,
}

const DEFAULT_YEAR: i32 = 2026;

impl Sen2Reader {
    /// `year`: check against this collection's schema whatever the header says.
    pub fn new(year: Option<i32>) -> Self {
        Self {
            year: year.unwrap_or(DEFAULT_YEAR),
            forced_year: year.is_some(),
            findings: Vec::new(),
            person: None,
            header: None,
            persons: 0,
            text: String::new(),
        }
    }

    fn finding(&mut self, rule: &'static str, line: u64, path: &str, message: String) {
        let person = self.person.as_ref().map(Sen2Person::label);
        self.findings.push(Finding {
            rule,
            severity: Severity::Error,
            line: Some(line),
            path: path.to_owned(),
            person,
            message,
            child_id: None,
            case_id: None,
        });
    }

    /// Read the whole input. Structural findings gather in `self.findings`; `on_item` sees each header
    /// and person as soon as it is complete.
    pub fn read(&mut self, input: impl Read, mut on_item: impl FnMut(Item, &mut Vec<Finding>)) -> Result<(), XmlError> {
        let counter = LineCounter { inner: io::BufReader::with_capacity(1 << 16, input), newlines: 0, since_event: 0 };
        let mut reader = quick_xml::Reader::from_reader(counter);
        reader.config_mut().expand_empty_elements = true;
        reader.config_mut().check_end_names = true;
        let mut buf = Vec::with_capacity(1024);
        let mut stack: Vec<Frame> = Vec::new();
        let mut skip_depth = 0usize;
        let mut root_seen = false;
        loop {
            let event = reader.read_event_into(&mut buf);
            let line = reader.get_ref().newlines + 1;
            let over = reader.get_ref().since_event > MAX_EVENT_BYTES;
            reader.get_mut().since_event = 0;
            let event = match event {
                Ok(e) => e,
                Err(_) if over => return Err(XmlError { line, message: TOO_BIG.into() }),
                Err(e) => return Err(XmlError { line, message: format!("the file is not well-formed XML: {e}") }),
            };
            if self.text.len() as u64 > MAX_EVENT_BYTES {
                return Err(XmlError { line, message: TOO_BIG.into() });
            }
            match event {
                Event::Start(start) => {
                    if skip_depth > 0 {
                        skip_depth += 1;
                        buf.clear();
                        continue;
                    }
                    let raw = start.name();
                    let raw = raw.as_ref();
                    let has_attr = start
                        .attributes()
                        .with_checks(false)
                        .filter_map(|a| a.ok())
                        .map(|a| String::from_utf8_lossy(a.key.as_ref()).into_owned())
                        .find(|k| !(k == "xmlns" || k.starts_with("xmlns:") || k.starts_with("xsi:")));
                    let Some(parent) = stack.last() else {
                        if root_seen {
                            return Err(XmlError { line, message: "the file is not well-formed XML: more than one root element".into() });
                        }
                        root_seen = true;
                        if raw != b"Message" {
                            let name = String::from_utf8_lossy(raw);
                            self.finding("SEN2-S02", line, &format!("/{name}"), format!("the root element must be Message, not {name}"));
                            skip_depth = 1;
                        } else {
                            stack.push(frame("Message", 0, Some(Ty::Message), None, self.year, line));
                        }
                        buf.clear();
                        continue;
                    };
                    if parent.ty.is_none() {
                        let name = String::from_utf8_lossy(raw).into_owned();
                        let msg = format!("{} holds a value only, not other elements such as {name}", parent.name);
                        self.finding("SEN2-S09", line, &format!("{}/{name}", path_of(&stack)), msg);
                        skip_depth = 1;
                        buf.clear();
                        continue;
                    }
                    let Some(idx) = parent.particles.iter().position(|p| p.name.as_bytes() == raw) else {
                        let name = String::from_utf8_lossy(raw).into_owned();
                        let allowed: Vec<&str> = parent.particles.iter().map(|p| p.name).collect();
                        let msg = format!("{name} is not allowed in {} (allowed: {})", parent.name, allowed.join(", "));
                        self.finding("SEN2-S03", line, &format!("{}/{name}", path_of(&stack)), msg);
                        skip_depth = 1;
                        buf.clear();
                        continue;
                    };
                    let parent = stack.last_mut().expect("checked above");
                    let particle = parent.particles[idx];
                    let name = particle.name;
                    parent.seen[idx] += 1;
                    let index = if particle.max > 1 { parent.seen[idx] as usize } else { 0 };
                    // Sequence order and cardinality.
                    let mut order_findings: Vec<(&'static str, String)> = Vec::new();
                    if idx < parent.pos {
                        let later = parent.particles[parent.pos].name;
                        order_findings.push(("SEN2-S04", format!("{name} is out of order: in {} it comes before {later}", parent.name)));
                    } else {
                        let seen_at_pos = parent.count;
                        for (i, p) in parent.particles.iter().enumerate().take(idx).skip(parent.pos) {
                            let have = if i == parent.pos { seen_at_pos } else { 0 };
                            if p.min > have {
                                order_findings.push((
                                    "SEN2-S05",
                                    format!("{} is missing from {}: it is required before {name}", p.name, parent.name),
                                ));
                            }
                        }
                        if idx == parent.pos {
                            parent.count += 1;
                        } else {
                            parent.pos = idx;
                            parent.count = 1;
                        }
                        if parent.count > particle.max {
                            order_findings.push((
                                "SEN2-S06",
                                format!("{} may hold at most {} {name}, and this is number {}", parent.name, particle.max, parent.count),
                            ));
                        }
                    }
                    let (cty, simple) = match particle.content {
                        Content::Complex(t) => (Some(t), None),
                        Content::Simple(s) => (None, Some(s)),
                    };
                    if let Some(t) = cty {
                        self.open_complex(t, line);
                    } else {
                        self.text.clear();
                    }
                    stack.push(frame(name, index, cty, simple, self.year, line));
                    if !order_findings.is_empty() || has_attr.is_some() {
                        let path = path_of(&stack);
                        for (rule, msg) in order_findings {
                            self.finding(rule, line, &path, msg);
                        }
                        if let Some(attr) = has_attr {
                            self.finding("SEN2-S09", line, &path, format!("{name} takes no attributes, but has {attr}"));
                        }
                    }
                }
                Event::End(_) => {
                    if skip_depth > 0 {
                        skip_depth -= 1;
                        buf.clear();
                        continue;
                    }
                    if stack.is_empty() {
                        buf.clear();
                        continue;
                    }
                    let path_if = |stack: &[Frame]| path_of(stack);
                    let done_path = |stack: &[Frame], done: &Frame| {
                        let mut p = path_if(stack);
                        p.push('/');
                        p.push_str(done.name);
                        if done.index > 0 {
                            p.push_str(&format!("[{}]", done.index));
                        }
                        p
                    };
                    let done = stack.pop().expect("checked above");
                    if let Some(simple) = done.simple {
                        match check_value(simple, &self.text) {
                            Ok(()) => self.assign(&stack, &done, simple),
                            Err(e) => {
                                let msg = format!("{}: {}", done.name, e.message);
                                let path = done_path(&stack, &done);
                                self.finding(e.rule, done.line, &path, msg);
                                // A date that is not a date is kept as absent-but-present; a code outside its set is
                                // kept as text, for the rules.
                                self.assign(&stack, &done, simple);
                            }
                        }
                    } else {
                        for (i, p) in done.particles.iter().enumerate().skip(done.pos) {
                            let have = if i == done.pos { done.count } else { 0 };
                            if p.min > have {
                                let msg = format!("{} is missing from {}", p.name, done.name);
                                let path = format!("{}/{}", done_path(&stack, &done), p.name);
                                self.finding("SEN2-S05", line, &path, msg);
                            }
                        }
                        match done.ty {
                            Some(Ty::Header) => {
                                if let Some(h) = self.header.take() {
                                    self.set_year_from(&h);
                                    on_item(Item::Header(h, self.year), &mut self.findings);
                                }
                            }
                            Some(Ty::Person) => {
                                if let Some(p) = self.person.take() {
                                    on_item(Item::Person(p, self.persons), &mut self.findings);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Event::Text(t) => {
                    if skip_depth == 0 {
                        if let Some(top) = stack.last_mut() {
                            let text =
                                t.unescape().map_err(|e| XmlError { line, message: format!("the file is not well-formed XML: {e}") })?;
                            if top.simple.is_some() {
                                self.text.push_str(&text);
                            } else if !text.trim().is_empty() {
                                let name = top.name;
                                let path = path_of(&stack);
                                self.finding("SEN2-S09", line, &path, format!("{name} holds only other elements, not text"));
                            }
                        }
                    }
                }
                Event::CData(c) => {
                    if skip_depth == 0 {
                        if let Some(top) = stack.last_mut() {
                            let text = String::from_utf8(c.into_inner().into_owned())
                                .map_err(|_| XmlError { line, message: "the file is not valid UTF-8".into() })?;
                            if top.simple.is_some() {
                                self.text.push_str(&text);
                            } else if !text.trim().is_empty() {
                                let name = top.name;
                                let path = path_of(&stack);
                                self.finding("SEN2-S09", line, &path, format!("{name} holds only other elements, not text"));
                            }
                        }
                    }
                }
                Event::Eof => {
                    if !stack.is_empty() {
                        return Err(XmlError { line, message: "the file is not well-formed XML: it ends before Message is closed".into() });
                    }
                    if !root_seen {
                        return Err(XmlError { line, message: "the file is not well-formed XML: it has no root element".into() });
                    }
                    return Ok(());
                }
                Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
            buf.clear();
        }
    }

    fn set_year_from(&mut self, header: &Header) {
        if self.forced_year {
            return;
        }
        if let Some(y) = header.year.as_deref().and_then(|y| y.trim().parse::<i32>().ok()) {
            if crate::Collection::SUPPORTED.contains(&y) {
                self.year = y;
            }
        }
    }

    /// A complex element opens: start its record.
    fn open_complex(&mut self, ty: Ty, line: u64) {
        match ty {
            Ty::Header => self.header = Some(Header { lines: Lines::at(line), ..Default::default() }),
            Ty::Person => {
                self.persons += 1;
                self.person = Some(Sen2Person { lines: Lines::at(line), ..Default::default() });
            }
            _ => {
                let Some(p) = self.person.as_mut() else { return };
                match ty {
                    Ty::Requests => p.requests.push(Request { lines: Lines::at(line), ..Default::default() }),
                    Ty::Assessment => {
                        if let Some(r) = p.requests.last_mut() {
                            r.assessment = Some(Assessment { lines: Lines::at(line), ..Default::default() });
                        }
                    }
                    Ty::NamedPlan => {
                        if let Some(a) = p.requests.last_mut().and_then(|r| r.assessment.as_mut()) {
                            a.named_plan = Some(NamedPlan { lines: Lines::at(line), ..Default::default() });
                        }
                    }
                    Ty::PlanDetail => {
                        if let Some(np) = p.requests.last_mut().and_then(|r| r.assessment.as_mut()).and_then(|a| a.named_plan.as_mut()) {
                            np.plan_details.push(SettingDetail { lines: Lines::at(line), ..Default::default() });
                        }
                    }
                    Ty::ActivePlans => {
                        if let Some(r) = p.requests.last_mut() {
                            r.active_plans = Some(ActivePlans { lines: Lines::at(line), ..Default::default() });
                        }
                    }
                    Ty::PlacementDetail => {
                        if let Some(ap) = p.requests.last_mut().and_then(|r| r.active_plans.as_mut()) {
                            ap.placements.push(SettingDetail { lines: Lines::at(line), ..Default::default() });
                        }
                    }
                    Ty::SenNeed => {
                        if let Some(ap) = p.requests.last_mut().and_then(|r| r.active_plans.as_mut()) {
                            ap.needs.push(SenNeed { lines: Lines::at(line), ..Default::default() });
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// A simple element closes: put its value in the record being built.
    fn assign(&mut self, stack: &[Frame], done: &Frame, simple: Simple) {
        let Some(parent) = stack.last().and_then(|f| f.ty) else { return };
        let line = done.line;
        let value = std::mem::take(&mut self.text);
        let text = || Some(value.clone());
        let date = || if matches!(simple, Simple::Date) { parse_xs_date(&value) } else { None };
        let name = done.name;
        macro_rules! put {
            ($lines:expr, $item:literal, $field:expr, $value:expr) => {{
                $field = $value;
                $lines.set($item, line);
            }};
        }
        match parent {
            Ty::CollectionDetails | Ty::Source => {
                let Some(h) = self.header.as_mut() else { return };
                match name {
                    "Collection" => put!(h.lines, "Collection", h.collection, text()),
                    "Year" => put!(h.lines, "Year", h.year, Some(value.trim().to_owned())),
                    "ReferenceDate" => put!(h.lines, "ReferenceDate", h.reference_date, date()),
                    "SourceLevel" => put!(h.lines, "SourceLevel", h.source_level, text()),
                    "LEA" => put!(h.lines, "LEA", h.lea, text()),
                    "SoftwareCode" => put!(h.lines, "SoftwareCode", h.software_code, text()),
                    "Release" => put!(h.lines, "Release", h.release, text()),
                    "SerialNo" => put!(h.lines, "SerialNo", h.serial_no, text()),
                    "DateTime" => put!(h.lines, "DateTime", h.date_time, Some(value.trim().to_owned())),
                    "DMO" => put!(h.lines, "DMO", h.dmo, text()),
                    "DCO" => put!(h.lines, "DCO", h.dco, text()),
                    "DSCO" => put!(h.lines, "DSCO", h.dsco, text()),
                    _ => {}
                }
            }
            _ => {
                let Some(p) = self.person.as_mut() else { return };
                match parent {
                    Ty::Person => match name {
                        "Surname" => put!(p.lines, "Surname", p.surname, text()),
                        "Forename" => put!(p.lines, "Forename", p.forename, text()),
                        "PersonBirthDate" => put!(p.lines, "PersonBirthDate", p.birth_date, date()),
                        "Sex" => put!(p.lines, "Sex", p.sex, text()),
                        "Ethnicity" => put!(p.lines, "Ethnicity", p.ethnicity, text()),
                        "PostCode" => put!(p.lines, "PostCode", p.postcode, text()),
                        "UPN" => put!(p.lines, "UPN", p.upn, text()),
                        "UniqueLearnerNumber" => put!(p.lines, "UniqueLearnerNumber", p.uln, text()),
                        "UPNunknown" => put!(p.lines, "UPNunknown", p.upn_unknown, text()),
                        _ => {}
                    },
                    Ty::Requests => {
                        let Some(r) = p.requests.last_mut() else { return };
                        match name {
                            "ReceivedDate" => put!(r.lines, "ReceivedDate", r.received_date, date()),
                            "RequestSource" => put!(r.lines, "RequestSource", r.request_source, text()),
                            "RYA" => put!(r.lines, "RYA", r.rya, text()),
                            "RequestOutcomeDate" => put!(r.lines, "RequestOutcomeDate", r.outcome_date, date()),
                            "RequestOutcome" => put!(r.lines, "RequestOutcome", r.outcome, text()),
                            "RequestMediation" => put!(r.lines, "RequestMediation", r.mediation, text()),
                            "RequestTribunal" => put!(r.lines, "RequestTribunal", r.tribunal, text()),
                            "Exported" => put!(r.lines, "Exported", r.exported, text()),
                            _ => {}
                        }
                    }
                    Ty::Assessment => {
                        let Some(a) = p.requests.last_mut().and_then(|r| r.assessment.as_mut()) else { return };
                        match name {
                            "AssessmentOutcome" => put!(a.lines, "AssessmentOutcome", a.outcome, text()),
                            "AssessmentOutcomeDate" => put!(a.lines, "AssessmentOutcomeDate", a.outcome_date, date()),
                            "AssessmentMediation" => put!(a.lines, "AssessmentMediation", a.mediation, text()),
                            "AssessmentTribunal" => put!(a.lines, "AssessmentTribunal", a.tribunal, text()),
                            "OtherMediation" => put!(a.lines, "OtherMediation", a.other_mediation, text()),
                            "OtherTribunal" => put!(a.lines, "OtherTribunal", a.other_tribunal, text()),
                            "Week20" => put!(a.lines, "Week20", a.week20, text()),
                            _ => {}
                        }
                    }
                    Ty::NamedPlan => {
                        let Some(np) = p.requests.last_mut().and_then(|r| r.assessment.as_mut()).and_then(|a| a.named_plan.as_mut()) else {
                            return;
                        };
                        match name {
                            "StartDate" => put!(np.lines, "StartDate", np.start_date, date()),
                            "PlanRes" => put!(np.lines, "PlanRes", np.plan_res, text()),
                            "PlanWBP" => put!(np.lines, "PlanWBP", np.plan_wbp, text()),
                            "PB" => put!(np.lines, "PB", np.pb, text()),
                            "OA" => put!(np.lines, "OA", np.oa, text()),
                            "DP" => put!(np.lines, "DP", np.dp, text()),
                            "CeaseDate" => put!(np.lines, "CeaseDate", np.cease_date, date()),
                            "CeaseReason" => put!(np.lines, "CeaseReason", np.cease_reason, text()),
                            _ => {}
                        }
                    }
                    Ty::PlanDetail | Ty::PlacementDetail => {
                        let r = p.requests.last_mut();
                        let d = if parent == Ty::PlanDetail {
                            r.and_then(|r| r.assessment.as_mut())
                                .and_then(|a| a.named_plan.as_mut())
                                .and_then(|np| np.plan_details.last_mut())
                        } else {
                            r.and_then(|r| r.active_plans.as_mut()).and_then(|ap| ap.placements.last_mut())
                        };
                        let Some(d) = d else { return };
                        match name {
                            "URN" => put!(d.lines, "URN", d.urn, text()),
                            "UKPRN" => put!(d.lines, "UKPRN", d.ukprn, text()),
                            "SENSetting" => put!(d.lines, "SENSetting", d.sen_setting, text()),
                            "SENSettingOther" => put!(d.lines, "SENSettingOther", d.sen_setting_other, text()),
                            "PlacementRank" => put!(d.lines, "PlacementRank", d.rank, text()),
                            "EntryDate" => put!(d.lines, "EntryDate", d.entry_date, date()),
                            "LeavingDate" => put!(d.lines, "LeavingDate", d.leaving_date, date()),
                            "SENunitIndicator" => put!(d.lines, "SENunitIndicator", d.sen_unit, text()),
                            "ResourcedProvisionIndicator" => put!(d.lines, "ResourcedProvisionIndicator", d.resourced_provision, text()),
                            "Res" => put!(d.lines, "Res", d.res, text()),
                            "WBP" => put!(d.lines, "WBP", d.wbp, text()),
                            _ => {}
                        }
                    }
                    Ty::ActivePlans => {
                        let Some(ap) = p.requests.last_mut().and_then(|r| r.active_plans.as_mut()) else { return };
                        match name {
                            "TransferLA" => put!(ap.lines, "TransferLA", ap.transfer_la, text()),
                            "ReviewMeeting" => put!(ap.lines, "ReviewMeeting", ap.review_meeting, date()),
                            "ReviewOutcome" => put!(ap.lines, "ReviewOutcome", ap.review_outcome, text()),
                            "ReviewDraft" => put!(ap.lines, "ReviewDraft", ap.review_draft, date()),
                            "PhaseTransferDueDate" => put!(ap.lines, "PhaseTransferDueDate", ap.phase_transfer_due, date()),
                            "PhaseTransferFinalDate" => put!(ap.lines, "PhaseTransferFinalDate", ap.phase_transfer_final, date()),
                            "LastReview" => put!(ap.lines, "LastReview", ap.last_review, date()),
                            _ => {}
                        }
                    }
                    Ty::SenNeed => {
                        let Some(n) = p.requests.last_mut().and_then(|r| r.active_plans.as_mut()).and_then(|ap| ap.needs.last_mut()) else {
                            return;
                        };
                        match name {
                            "SENtype" => put!(n.lines, "SENtype", n.sen_type, text()),
                            "SENtypeRank" => put!(n.lines, "SENtypeRank", n.rank, text()),
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

fn frame(name: &'static str, index: usize, ty: Option<Ty>, simple: Option<Simple>, year: i32, line: u64) -> Frame {
    Frame { name, index, ty, simple, pos: 0, count: 0, particles: ty.map_or(&[][..], |t| schema::sequence(t, year)), seen: [0; 12], line }
}
