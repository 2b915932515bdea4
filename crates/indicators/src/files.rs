//! The person table as CSV files: written once (`waymark indicators --export-facts DIR`) and read by
//! Waymark's engine and by the independent DuckDB implementation alike, so both count the same records.
//!
//! Files (one header line each; dates ISO; empty = none): `persons.csv`, `sen_status.csv`,
//! `placements.csv`, `cases.csv`, `reviews.csv`, `disputes.csv`, `plan_versions.csv`, `facts.csv`, `meta.csv`.
//!
//! `facts.csv` holds person-level facts, one row each: `person,kind,start_date,end_date,code,flags,n1,n2,locality`
//! with each kind's meaning as documented on `crate::facts::FactKind` (`code` written as the code's text,
//! `locality` a census row's locality name; blank numbers are none).
//! People are numbered (`person`), never named or identified; births are kept to the month.
//! These are still person-level records: keep them as securely as the database.

use crate::facts::{FactKind, FactRow, NO_NUMBER};
use crate::table::{CaseRow, DisputeRow, PersonRow, PersonTable, PlacementRow, PlanVersionRow, ReviewRow, SenRow, SettingKind, NONE};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use waymark_domain::calendar::Date;
use waymark_domain::case::{AppealableDecision, CeaseReason, ReviewOutcome};
use waymark_domain::child::SenStatus;
use waymark_domain::need::NeedCode;

/// A file that could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct FilesError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

fn opt_date(d: Option<Date>) -> String {
    d.map_or_else(String::new, |d| d.to_string())
}

fn cease_key(r: CeaseReason) -> &'static str {
    match r {
        CeaseReason::MaximumAge => "maximum_age",
        CeaseReason::NeedsMetWithoutPlan => "needs_met",
        CeaseReason::HigherEducation => "higher_education",
        CeaseReason::PaidEmployment => "employment",
        CeaseReason::TransferredToAnotherLa => "transferred",
        CeaseReason::NoLongerEngaging => "not_engaging",
        CeaseReason::MovedOutsideEngland => "moved_outside_england",
        CeaseReason::Deceased => "deceased",
        CeaseReason::Other => "other",
    }
}

fn decision_key(d: AppealableDecision) -> &'static str {
    match d {
        AppealableDecision::RefusalToAssess => "refusal_to_assess",
        AppealableDecision::RefusalToIssue => "refusal_to_issue",
        AppealableDecision::PlanContents => "plan_contents",
        AppealableDecision::RefusalToAmend => "refusal_to_amend",
        AppealableDecision::Cease => "cease",
    }
}

fn outcome_key(o: ReviewOutcome) -> &'static str {
    match o {
        ReviewOutcome::Amend => "amend",
        ReviewOutcome::Maintain => "maintain",
        ReviewOutcome::Cease => "cease",
    }
}

/// Write the table to `dir` (created if missing).
pub fn write(t: &PersonTable, dir: &Path) -> Result<(), FilesError> {
    fn err(file: &str) -> impl Fn(std::io::Error) -> FilesError + '_ {
        move |e: std::io::Error| FilesError { file: file.to_owned(), line: 0, message: e.to_string() }
    }
    std::fs::create_dir_all(dir).map_err(err(&dir.display().to_string()))?;
    let open = |name: &str| -> Result<BufWriter<File>, FilesError> {
        Ok(BufWriter::with_capacity(1 << 20, File::create(dir.join(name)).map_err(err(name))?))
    };
    let loc = |l: u16| if l == NONE { String::new() } else { t.localities[l as usize].clone() };
    let mut w = open("meta.csv")?;
    writeln!(w, "as_of,clock_errors").map_err(err("meta.csv"))?;
    writeln!(w, "{},{}", opt_date(t.as_of), t.clock_errors).map_err(err("meta.csv"))?;
    w.flush().map_err(err("meta.csv"))?;

    let mut w = open("persons.csv")?;
    let mut s = open("sen_status.csv")?;
    let mut p = open("placements.csv")?;
    writeln!(w, "person,la,locality,sex,birth_month,fsm").map_err(err("persons.csv"))?;
    writeln!(s, "person,from_date,status,need").map_err(err("sen_status.csv"))?;
    writeln!(p, "person,entry,leaving,kind,unit_or_rp,setting_locality").map_err(err("placements.csv"))?;
    for (i, row) in t.persons.iter().enumerate() {
        let fsm = match row.fsm {
            1 => "1",
            0 => "0",
            _ => "",
        };
        writeln!(
            w,
            "{i},{},{},{},{},{fsm}",
            t.las[row.la as usize],
            csv_text(&loc(row.locality)),
            if row.sex == 2 { "F" } else { "M" },
            row.birth_month
        )
        .map_err(err("persons.csv"))?;
        for r in &t.sen[row.sen.0 as usize..row.sen.1 as usize] {
            let status = match r.status {
                SenStatus::EhcPlan => "E",
                SenStatus::SenSupport => "K",
                SenStatus::NoSen => "N",
            };
            writeln!(s, "{i},{},{status},{}", r.from, r.need.map_or("", |n| n.code())).map_err(err("sen_status.csv"))?;
        }
        for r in &t.placements[row.placements.0 as usize..row.placements.1 as usize] {
            writeln!(
                p,
                "{i},{},{},{},{},{}",
                r.entry,
                opt_date(r.leaving),
                r.kind.key(),
                u8::from(r.unit_or_rp),
                csv_text(&loc(r.locality))
            )
            .map_err(err("placements.csv"))?;
        }
    }
    for f in [&mut w, &mut s, &mut p] {
        f.flush().map_err(err("persons.csv"))?;
    }

    let mut f = open("facts.csv")?;
    writeln!(f, "person,kind,start_date,end_date,code,flags,n1,n2,locality").map_err(err("facts.csv"))?;
    let num = |n: i32| if n == NO_NUMBER { String::new() } else { n.to_string() };
    for (i, row) in t.persons.iter().enumerate() {
        for r in &t.facts[row.facts.0 as usize..row.facts.1 as usize] {
            let codes = r.kind.codes();
            let code = codes.get(r.code as usize).copied().unwrap_or("");
            let (n2, locality) = if r.kind == FactKind::Census {
                (String::new(), if r.n2 >= 0 { csv_text(&loc(r.n2 as u16)) } else { String::new() })
            } else {
                (num(r.n2), String::new())
            };
            writeln!(f, "{i},{},{},{},{code},{},{},{n2},{locality}", r.kind.key(), r.start, opt_date(r.end), r.flags, num(r.n1))
                .map_err(err("facts.csv"))?;
        }
    }
    f.flush().map_err(err("facts.csv"))?;

    let mut c = open("cases.csv")?;
    writeln!(
        c,
        "case_id,person,received,assess_decision,assess_refused,not_issue,final_issued,existing,transferred_in,week20_exception,ceased,cease_reason,withdrawn,transferred_out,delays,received_unknown,decision_unknown"
    )
    .map_err(err("cases.csv"))?;
    for (i, r) in t.cases.iter().enumerate() {
        writeln!(
            c,
            "{i},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.person,
            opt_date(r.received),
            opt_date(r.assess_decision),
            u8::from(r.assess_refused),
            opt_date(r.not_issue),
            opt_date(r.final_issued),
            opt_date(r.existing),
            u8::from(r.transferred_in),
            u8::from(r.week20_exception),
            opt_date(r.ceased),
            r.cease_reason.map_or("", cease_key),
            opt_date(r.withdrawn),
            opt_date(r.transferred_out),
            r.delays,
            u8::from(r.received_unknown),
            u8::from(r.decision_unknown)
        )
        .map_err(err("cases.csv"))?;
    }
    c.flush().map_err(err("cases.csv"))?;
    let mut r = open("reviews.csv")?;
    writeln!(r, "case_id,due,meeting,decision,outcome").map_err(err("reviews.csv"))?;
    for x in &t.reviews {
        writeln!(r, "{},{},{},{},{}", x.case, x.due, opt_date(x.meeting), opt_date(x.decision), x.outcome.map_or("", outcome_key))
            .map_err(err("reviews.csv"))?;
    }
    r.flush().map_err(err("reviews.csv"))?;
    let mut d = open("disputes.csv")?;
    writeln!(d, "case_id,date,kind,decision").map_err(err("disputes.csv"))?;
    for x in &t.disputes {
        writeln!(d, "{},{},{},{}", x.case, x.date, if x.appeal { "appeal" } else { "mediation" }, decision_key(x.decision))
            .map_err(err("disputes.csv"))?;
    }
    d.flush().map_err(err("disputes.csv"))?;
    let mut v = open("plan_versions.csv")?;
    writeln!(v, "case_id,from_date,personal_budget,residential,work_based").map_err(err("plan_versions.csv"))?;
    for (ci, c) in t.cases.iter().enumerate() {
        for x in &t.plan_versions[c.plan_versions.0 as usize..c.plan_versions.1 as usize] {
            writeln!(v, "{ci},{},{},{},{}", x.from, x.flags & 1, (x.flags >> 1) & 1, (x.flags >> 2) & 1)
                .map_err(err("plan_versions.csv"))?;
        }
    }
    v.flush().map_err(err("plan_versions.csv"))?;
    Ok(())
}

fn csv_text(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Reads one CSV file's lines after its header, splitting fields (quoted fields allowed).
struct Reader {
    name: String,
    lines: std::io::Lines<BufReader<File>>,
    line: usize,
    fields: Vec<String>,
}

impl Reader {
    fn open(dir: &Path, name: &str, header: &str) -> Result<Self, FilesError> {
        let f = File::open(dir.join(name)).map_err(|e| FilesError { file: name.into(), line: 0, message: e.to_string() })?;
        let mut r = Reader { name: name.into(), lines: BufReader::with_capacity(1 << 20, f).lines(), line: 0, fields: Vec::new() };
        if !r.next()? || r.fields.join(",") != header {
            return Err(r.fail(format!("the header must be {header}")));
        }
        Ok(r)
    }

    fn fail(&self, message: String) -> FilesError {
        FilesError { file: self.name.clone(), line: self.line, message }
    }

    fn next(&mut self) -> Result<bool, FilesError> {
        let Some(line) = self.lines.next() else { return Ok(false) };
        self.line += 1;
        let line = line.map_err(|e| self.fail(e.to_string()))?;
        self.fields.clear();
        let mut cur = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(ch) = chars.next() {
            match ch {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                '"' => quoted = !quoted,
                ',' if !quoted => self.fields.push(std::mem::take(&mut cur)),
                _ => cur.push(ch),
            }
        }
        self.fields.push(cur);
        Ok(true)
    }

    fn text(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", String::as_str)
    }

    fn num<T: std::str::FromStr>(&self, i: usize, what: &str) -> Result<T, FilesError> {
        self.text(i).parse().map_err(|_| self.fail(format!("{what} '{}' is not a number", self.text(i))))
    }

    fn date(&self, i: usize, what: &str) -> Result<Option<Date>, FilesError> {
        let t = self.text(i);
        if t.is_empty() {
            return Ok(None);
        }
        t.parse().map(Some).map_err(|_| self.fail(format!("{what} '{t}' is not a date (YYYY-MM-DD)")))
    }

    fn req_date(&self, i: usize, what: &str) -> Result<Date, FilesError> {
        self.date(i, what)?.ok_or_else(|| self.fail(format!("{what} is missing")))
    }
}

/// Read a table written by [`write`].
pub fn read(dir: &Path) -> Result<PersonTable, FilesError> {
    let mut t = PersonTable::default();
    let mut r = Reader::open(dir, "meta.csv", "as_of,clock_errors")?;
    if r.next()? {
        t.as_of = r.date(0, "as_of")?;
        t.clock_errors = r.num(1, "clock_errors")?;
    }
    let mut las: std::collections::HashMap<String, u16> = std::collections::HashMap::new();
    let mut locs: std::collections::HashMap<String, u16> = std::collections::HashMap::new();
    let mut loc_id = |t: &mut PersonTable, name: &str| -> u16 {
        if name.is_empty() {
            return NONE;
        }
        *locs.entry(name.to_owned()).or_insert_with(|| {
            t.localities.push(name.to_owned());
            (t.localities.len() - 1) as u16
        })
    };
    let mut r = Reader::open(dir, "persons.csv", "person,la,locality,sex,birth_month,fsm")?;
    while r.next()? {
        let la_text = r.text(1).to_owned();
        let la = match las.get(&la_text) {
            Some(i) => *i,
            None => {
                let code = la_text.parse().map_err(|_| r.fail(format!("la '{la_text}' is not an LA code")))?;
                t.las.push(code);
                las.insert(la_text, (t.las.len() - 1) as u16);
                (t.las.len() - 1) as u16
            }
        };
        let locality = loc_id(&mut t, r.text(2));
        t.persons.push(PersonRow {
            la,
            locality,
            sex: if r.text(3) == "F" { 2 } else { 1 },
            birth_month: r.req_date(4, "birth_month")?,
            fsm: match r.text(5) {
                "1" => 1,
                "0" => 0,
                _ => -1,
            },
            sen: (0, 0),
            placements: (0, 0),
            facts: (0, 0),
        });
    }
    let n = t.persons.len();
    let mut r = Reader::open(dir, "sen_status.csv", "person,from_date,status,need")?;
    while r.next()? {
        let person: usize = r.num(0, "person")?;
        let status = match r.text(2) {
            "E" => SenStatus::EhcPlan,
            "K" => SenStatus::SenSupport,
            "N" => SenStatus::NoSen,
            o => return Err(r.fail(format!("status '{o}' is not E, K or N"))),
        };
        let need = match r.text(3) {
            "" => None,
            c => Some(NeedCode::ALL.into_iter().find(|x| x.code() == c).ok_or_else(|| r.fail(format!("need '{c}' is not a need code")))?),
        };
        let p = t.persons.get_mut(person).filter(|_| person < n).ok_or_else(|| r.fail(format!("person {person} is not in persons.csv")))?;
        let i = t.sen.len() as u32;
        if p.sen.1 == 0 {
            p.sen = (i, i);
        }
        p.sen.1 = i + 1;
        t.sen.push(SenRow { from: r.req_date(1, "from_date")?, status, need });
    }
    let mut r = Reader::open(dir, "placements.csv", "person,entry,leaving,kind,unit_or_rp,setting_locality")?;
    while r.next()? {
        let person: usize = r.num(0, "person")?;
        let kind = SettingKind::parse(r.text(3)).ok_or_else(|| r.fail(format!("kind '{}' is not a setting kind", r.text(3))))?;
        let locality = loc_id(&mut t, r.text(5));
        let row =
            PlacementRow { entry: r.req_date(1, "entry")?, leaving: r.date(2, "leaving")?, kind, unit_or_rp: r.text(4) == "1", locality };
        let i = t.placements.len() as u32;
        let p = t.persons.get_mut(person).ok_or_else(|| r.fail(format!("person {person} is not in persons.csv")))?;
        if p.placements.1 == 0 {
            p.placements = (i, i);
        }
        p.placements.1 = i + 1;
        t.placements.push(row);
    }
    // Older exports have no facts file: read them as having no facts.
    if dir.join("facts.csv").exists() {
        let mut r = Reader::open(dir, "facts.csv", "person,kind,start_date,end_date,code,flags,n1,n2,locality")?;
        let mut last = 0usize;
        while r.next()? {
            let person: usize = r.num(0, "person")?;
            if person >= n || person < last {
                return Err(r.fail(format!("person {person} is not in persons.csv, or the rows are not in person order")));
            }
            last = person;
            let kind = FactKind::parse(r.text(1)).ok_or_else(|| r.fail(format!("kind '{}' is not a kind of fact", r.text(1))))?;
            let code = match r.text(4) {
                "" => 0,
                c => kind.code_of(c).ok_or_else(|| r.fail(format!("code '{c}' is not a code of {}", kind.key())))?,
            };
            let opt_num = |i: usize, what: &str| -> Result<i32, FilesError> {
                if r.text(i).is_empty() {
                    Ok(NO_NUMBER)
                } else {
                    r.num(i, what)
                }
            };
            let mut row = FactRow::new(kind, r.req_date(2, "start_date")?, r.date(3, "end_date")?);
            row.code = code;
            row.flags = r.num(5, "flags")?;
            row.n1 = opt_num(6, "n1")?;
            row.n2 = if kind == FactKind::Census {
                match loc_id(&mut t, r.text(8)) {
                    NONE => -1,
                    l => i32::from(l),
                }
            } else {
                opt_num(7, "n2")?
            };
            let i = t.facts.len() as u32;
            let p = &mut t.persons[person];
            if p.facts.1 == 0 {
                p.facts = (i, i);
            }
            p.facts.1 = i + 1;
            t.facts.push(row);
        }
    }
    // A person without facts gets an empty range where theirs would be, so each LA's are contiguous.
    let mut next = 0u32;
    for p in &mut t.persons {
        if p.facts.1 == 0 {
            p.facts = (next, next);
        } else {
            next = p.facts.1;
        }
    }
    let mut r = Reader::open(
        dir,
        "cases.csv",
        "case_id,person,received,assess_decision,assess_refused,not_issue,final_issued,existing,transferred_in,week20_exception,ceased,cease_reason,withdrawn,transferred_out,delays,received_unknown,decision_unknown",
    )?;
    while r.next()? {
        let cease_reason = match r.text(11) {
            "" => None,
            k => Some(
                CeaseReason::ALL
                    .into_iter()
                    .find(|c| cease_key(*c) == k)
                    .ok_or_else(|| r.fail(format!("cease_reason '{k}' is not known")))?,
            ),
        };
        let person: u32 = r.num(1, "person")?;
        if person as usize >= n {
            return Err(r.fail(format!("person {person} is not in persons.csv")));
        }
        t.cases.push(CaseRow {
            person,
            received: r.date(2, "received")?,
            received_unknown: r.text(15) == "1",
            decision_unknown: r.text(16) == "1",
            assess_decision: r.date(3, "assess_decision")?,
            assess_refused: r.text(4) == "1",
            not_issue: r.date(5, "not_issue")?,
            final_issued: r.date(6, "final_issued")?,
            existing: r.date(7, "existing")?,
            transferred_in: r.text(8) == "1",
            week20_exception: r.text(9) == "1",
            ceased: r.date(10, "ceased")?,
            cease_reason,
            withdrawn: r.date(12, "withdrawn")?,
            transferred_out: r.date(13, "transferred_out")?,
            delays: r.num(14, "delays")?,
            reviews: (0, 0),
            disputes: (0, 0),
            plan_versions: (0, 0),
        });
    }
    let nc = t.cases.len();
    let case_of = |r: &Reader| -> Result<usize, FilesError> {
        let c: usize = r.num(0, "case_id")?;
        if c >= nc {
            return Err(r.fail(format!("case {c} is not in cases.csv")));
        }
        Ok(c)
    };
    let mut r = Reader::open(dir, "reviews.csv", "case_id,due,meeting,decision,outcome")?;
    while r.next()? {
        let c = case_of(&r)?;
        let outcome = match r.text(4) {
            "" => None,
            "amend" => Some(ReviewOutcome::Amend),
            "maintain" => Some(ReviewOutcome::Maintain),
            "cease" => Some(ReviewOutcome::Cease),
            o => return Err(r.fail(format!("outcome '{o}' is not amend, maintain or cease"))),
        };
        let i = t.reviews.len() as u32;
        let case = &mut t.cases[c];
        if case.reviews.1 == 0 {
            case.reviews = (i, i);
        }
        case.reviews.1 = i + 1;
        t.reviews.push(ReviewRow {
            case: c as u32,
            due: r.req_date(1, "due")?,
            meeting: r.date(2, "meeting")?,
            decision: r.date(3, "decision")?,
            outcome,
        });
    }
    let mut r = Reader::open(dir, "disputes.csv", "case_id,date,kind,decision")?;
    while r.next()? {
        let c = case_of(&r)?;
        let decision = [
            AppealableDecision::RefusalToAssess,
            AppealableDecision::RefusalToIssue,
            AppealableDecision::PlanContents,
            AppealableDecision::RefusalToAmend,
            AppealableDecision::Cease,
        ]
        .into_iter()
        .find(|d| decision_key(*d) == r.text(3))
        .ok_or_else(|| r.fail(format!("decision '{}' is not known", r.text(3))))?;
        let i = t.disputes.len() as u32;
        let case = &mut t.cases[c];
        if case.disputes.1 == 0 {
            case.disputes = (i, i);
        }
        case.disputes.1 = i + 1;
        t.disputes.push(DisputeRow { case: c as u32, date: r.req_date(1, "date")?, appeal: r.text(2) == "appeal", decision });
    }
    let mut r = Reader::open(dir, "plan_versions.csv", "case_id,from_date,personal_budget,residential,work_based")?;
    while r.next()? {
        let c = case_of(&r)?;
        let flags = u8::from(r.text(2) == "1") | u8::from(r.text(3) == "1") << 1 | u8::from(r.text(4) == "1") << 2;
        let i = t.plan_versions.len() as u32;
        let case = &mut t.cases[c];
        if case.plan_versions.1 == 0 {
            case.plan_versions = (i, i);
        }
        case.plan_versions.1 = i + 1;
        t.plan_versions.push(PlanVersionRow { from: r.req_date(1, "from_date")?, flags });
    }
    Ok(t)
}
