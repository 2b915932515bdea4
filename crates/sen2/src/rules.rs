//! The business rules of the SEN2 return (`../shared/reference/sen2.md` §7): completion rules from the
//! DfE guide (§7a), date logic implied by the item definitions (§7b), identifier rules numbered as in
//! the CIN and school census family (§7c), and DfE's COLLECT queries on high volumes of "other" codes.
//!
//! DfE's own numbered SEN2 validation workbook could not be obtained (sen2.md §7, §10), so apart from
//! the CIN numbers 1510-1575 the rule ids are Waymark's own and stable: `SEN2-S..` structure (the
//! schema), `SEN2-H..` header, `SEN2-P..` person, `SEN2-R..` requests, `SEN2-A..` assessments,
//! `SEN2-N..` named plans, `SEN2-L..` active plans and placements, `SEN2-D..` dates, `SEN2-Q..` whole-
//! return queries. Every rule is listed in [`RULES`] with its severity and source, and in docs/sen2.md.
//! Severities marked [U] are Waymark's reading of the guide, not DfE's published flag.

use crate::collection::Collection;
use crate::findings::{Finding, Severity};
use crate::model::*;
use std::collections::HashSet;
use waymark_domain::calendar::{age_on, Date};
use waymark_domain::identifiers::{LaCode, Postcode, Uln, Upn};

/// A rule: id, severity, where it comes from, and what it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub source: &'static str,
    pub summary: &'static str,
}

const fn rule(id: &'static str, severity: Severity, source: &'static str, summary: &'static str) -> Rule {
    Rule { id, severity, source, summary }
}
use Severity::{Error as E, Query as Q};

/// Every rule Waymark checks, in the order docs/sen2.md lists them.
pub const RULES: &[Rule] = &[
    rule("SEN2-S01", E, "XML 1.0", "the file is not well-formed XML (validation stops; exit code 2)"),
    rule("SEN2-S02", E, "XSD", "the root element is not Message"),
    rule("SEN2-S03", E, "XSD", "an element is not allowed where it appears"),
    rule("SEN2-S04", E, "XSD", "an element is out of the schema's order"),
    rule("SEN2-S05", E, "XSD", "a required element is missing"),
    rule("SEN2-S06", E, "XSD", "an element appears more times than allowed"),
    rule("SEN2-S07", E, "XSD", "a value is not in the item's code set"),
    rule("SEN2-S08", E, "XSD", "a value is not in the item's format (date, date-time, year, LA number, URN, UKPRN, serial number)"),
    rule("SEN2-S09", E, "XSD", "text, an attribute or a child element where the schema allows none"),
    rule("SEN2-H01", E, "sen2.md §4", "the return has no header"),
    rule("SEN2-H02", E, "sen2.md §4", "CollectionDetails lacks Collection, Year or ReferenceDate"),
    rule("SEN2-H03", E, "sen2.md §1, §4", "Year is not a supported collection, or ReferenceDate is not its census day"),
    rule("SEN2-H04", E, "sen2.md §4", "Source lacks SourceLevel, LEA, SoftwareCode, Release, SerialNo or DateTime"),
    rule("SEN2-H05", E, "sen2.md §4", "DSCO is missing (compulsory from 2026)"),
    rule("SEN2-H06", E, "sen2.md §6 LA codes", "LEA is not a DfE LA number"),
    rule("SEN2-P01", E, "sen2.md §7a", "Surname is blank"),
    rule("SEN2-P02", E, "sen2.md §7a", "Forename is blank"),
    rule("SEN2-P03", E, "sen2.md §7a", "no UPN, ULN or UPNunknown reason"),
    rule("SEN2-P04", Q, "sen2.md §5 item 1.7c [U]", "UPNunknown given although a UPN or ULN is present"),
    rule("SEN2-P05", Q, "sen2.md §7b", "age outside 0-25 on the date the return counts the person for"),
    rule("SEN2-P06", Q, "sen2.md §5 item 1.6 [U]", "PostCode is not a UK postcode"),
    rule("SEN2-P07", E, "sen2.md §2 [U]", "a person with no Requests"),
    rule("SEN2-1510", E, "CIN rule 1510; sen2.md §9", "the UPN check letter is wrong"),
    rule("SEN2-1520", E, "CIN rule 1520", "the same UPN is given for two persons"),
    rule("SEN2-1530", E, "CIN rule 1530", "UPN characters 2-4 are not a valid LA number"),
    rule("SEN2-1540", E, "CIN rule 1540", "UPN characters 5-12 are not all digits"),
    rule("SEN2-1550", E, "CIN rule 1550", "UPN character 13 is not a digit or a capital letter other than I, O, S"),
    rule("SEN2-1575", E, "school census rule 1575; sen2.md §9", "the ULN's check digit is wrong"),
    rule("SEN2-R01", E, "sen2.md §5 item 2.5", "RequestOutcome is missing"),
    rule("SEN2-R02", E, "sen2.md §7a", "ReceivedDate is missing (required unless RequestOutcome is H)"),
    rule("SEN2-R03", E, "sen2.md §7a", "RYA is missing (required unless RequestOutcome is H)"),
    rule("SEN2-R04", E, "sen2.md §5 item 2.2", "RequestSource is missing (compulsory from 2026, unless H)"),
    rule("SEN2-R05", E, "sen2.md §7a", "RequestOutcomeDate is missing for outcome Y or N"),
    rule("SEN2-R06", E, "sen2.md §7a", "RequestOutcomeDate is given for outcome A, W or H"),
    rule("SEN2-R07", E, "sen2.md §7b", "RequestOutcomeDate is before ReceivedDate"),
    rule("SEN2-R08", Q, "sen2.md §5 item 2.5 [U]", "an Assessment is given although RequestOutcome is N, A or W"),
    rule("SEN2-R09", E, "sen2.md §7a", "no Assessment for RequestOutcome Y or H"),
    rule("SEN2-R10", Q, "sen2.md §7a [U]", "Exported is given, yet the request carries an Assessment or ActivePlans"),
    rule("SEN2-R11", E, "sen2.md §5 item 2.5", "RequestOutcome Y was decided before the collection period (use H)"),
    rule("SEN2-R12", E, "sen2.md §5 item 2.8", "Exported names the LA making the return"),
    rule("SEN2-A01", E, "sen2.md §5 item 3.1", "AssessmentOutcome is missing"),
    rule("SEN2-A02", E, "sen2.md §7a", "AssessmentOutcomeDate is missing for outcome N"),
    rule("SEN2-A03", E, "sen2.md §7a", "AssessmentOutcomeDate is given for outcome A or W"),
    rule("SEN2-A04", E, "sen2.md §7b", "AssessmentOutcomeDate is before RequestOutcomeDate or ReceivedDate"),
    rule("SEN2-A05", E, "sen2.md §7a", "no NamedPlan for an issued plan (Y with a date) or H"),
    rule("SEN2-A06", E, "sen2.md §7a", "a NamedPlan for outcome N, A or W, or for Y with no plan issued yet"),
    rule("SEN2-A07", E, "sen2.md §5 item 3.7", "Week20 is missing for a plan issued in the year"),
    rule("SEN2-A08", E, "sen2.md §5 items 2.5, 3.1", "AssessmentOutcome H although the decision to assess (Y) was in the year"),
    rule("SEN2-A09", E, "sen2.md §5 item 3.1", "a plan issued before the collection period is coded Y (use H)"),
    rule("SEN2-N01", E, "sen2.md §5 item 4.1", "StartDate is missing"),
    rule("SEN2-N02", E, "sen2.md §7a", "CeaseDate and CeaseReason must be given together"),
    rule("SEN2-N03", E, "sen2.md §7b", "CeaseDate is before StartDate"),
    rule("SEN2-N04", E, "sen2.md §2", "the plan ceased before the collection period"),
    rule("SEN2-N05", E, "sen2.md §5 item 4.7", "a PlanDetail gives not exactly one of URN, UKPRN or SENSetting"),
    rule("SEN2-N06", E, "sen2.md §5 item 4.7d", "a PlanDetail has no PlacementRank"),
    rule("SEN2-N07", E, "sen2.md §7a", "PlanDetail ranks repeat, or rank 2 is given without rank 1"),
    rule("SEN2-N08", E, "sen2.md §6 SENsetting", "a plan names NEET, NIEC or NIEO, which describe placements only"),
    rule("SEN2-N09", E, "sen2.md §7a; plan.rs", "SENSettingOther is missing where the plan names OTH"),
    rule("SEN2-N10", Q, "sen2.md §5 item 4.4 [U]", "OA or DP given although PB is not 1"),
    rule("SEN2-L01", E, "sen2.md §3 [U]", "ActivePlans on a request with no NamedPlan"),
    rule("SEN2-L02", E, "sen2.md §5 item 5.8", "a plan active on census day has no primary need (SENtypeRank 1)"),
    rule("SEN2-L03", E, "sen2.md §5 item 5.8", "an SENneed lacks SENtype or SENtypeRank"),
    rule("SEN2-L04", E, "sen2.md §7a", "SENneed ranks repeat, or rank 2 is given without rank 1"),
    rule("SEN2-L05", E, "sen2.md §5 item 5.8; need.rs", "the same need is given twice"),
    rule("SEN2-L06", E, "sen2.md §5 item 5.7", "a PlacementDetail gives not exactly one of URN, UKPRN or SENSetting"),
    rule("SEN2-L07", E, "sen2.md §5 item 5.7d", "a PlacementDetail has no PlacementRank"),
    rule("SEN2-L08", E, "sen2.md §5 item 5.7e", "a PlacementDetail has no EntryDate"),
    rule("SEN2-L09", E, "sen2.md §7b", "LeavingDate is before EntryDate"),
    rule("SEN2-L10", E, "sen2.md §2", "a placement ended before the collection period"),
    rule("SEN2-L11", Q, "sen2.md §7a", "SENSettingOther is missing where a placement is NIEO or OTH"),
    rule("SEN2-L12", Q, "sen2.md §2 [U]", "a plan active on census day has no placement on census day"),
    rule("SEN2-L13", E, "sen2.md §7b", "ReviewMeeting is after LastReview"),
    rule("SEN2-L14", Q, "sen2.md §5 item 5.4 [U]", "ReviewOutcome is given without LastReview (the decision's date)"),
    rule("SEN2-L15", Q, "sen2.md §5 item 5.4d [U]", "ReviewDraft is given although ReviewOutcome is not A (amend)"),
    rule("SEN2-L16", Q, "sen2.md §5 item 5.6 [U]", "PhaseTransferFinalDate is given without PhaseTransferDueDate"),
    rule("SEN2-L17", E, "sen2.md §5 item 5.1", "TransferLA names the LA making the return"),
    rule("SEN2-L18", Q, "sen2.md §6 SENsetting", "NEET for someone under 16 on entry"),
    rule("SEN2-D01", E, "sen2.md §7b", "a date is after the reference date"),
    rule("SEN2-D02", E, "sen2.md §7b [U]", "a date is before the person's date of birth"),
    rule("SEN2-Q01", Q, "sen2.md §5 item 2.2; threshold [U]", "more than 10% of requests have RequestSource 5 (other)"),
    rule("SEN2-Q02", Q, "sen2.md §6 CeaseReason; threshold [U]", "more than 10% of ceased plans have CeaseReason 9 (other)"),
    rule("SEN2-Q03", Q, "sen2.md §6 SENsetting; threshold [U]", "more than 5% of named settings and placements are OTH"),
    rule("SEN2-Q04", Q, "sen2.md §6 SENsetting; threshold [U]", "more than 5% of placements are NIEO"),
];

/// Query thresholds. [U] DfE says only that "high volumes" prompt a COLLECT query; these shares are
/// Waymark's, chosen to flag a pattern rather than the odd case.
pub const OTHER_SOURCE_SHARE: f64 = 0.10;
pub const OTHER_CEASE_SHARE: f64 = 0.10;
pub const OTH_SETTING_SHARE: f64 = 0.05;
pub const NIEO_SHARE: f64 = 0.05;

/// The rule with this id.
pub fn rule_info(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// What the rules need across a whole return: the collection, the LA making it, UPNs seen (rule 1520)
/// and the counts behind the queries.
pub struct RuleContext {
    pub collection: Collection,
    pub lea: Option<String>,
    upns: HashSet<String>,
    requests: u64,
    source_other: u64,
    ceased: u64,
    cease_other: u64,
    settings: u64,
    settings_oth: u64,
    placements: u64,
    placements_nieo: u64,
}

impl RuleContext {
    pub fn new(collection: Collection, lea: Option<String>) -> Self {
        Self {
            collection,
            lea,
            upns: HashSet::new(),
            requests: 0,
            source_other: 0,
            ceased: 0,
            cease_other: 0,
            settings: 0,
            settings_oth: 0,
            placements: 0,
            placements_nieo: 0,
        }
    }
}

/// Collects findings about one person.
pub struct Out<'a> {
    pub findings: &'a mut Vec<Finding>,
    person: Option<String>,
}

impl Out<'_> {
    fn push(&mut self, id: &'static str, line: u64, path: String, message: String) {
        let info = rule_info(id).expect("every emitted rule is listed in RULES");
        self.findings.push(Finding {
            rule: id,
            severity: info.severity,
            line: (line > 0).then_some(line),
            path,
            person: self.person.clone(),
            message,
            child_id: None,
            case_id: None,
        });
    }
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn is(v: &Option<String>, code: &str) -> bool {
    v.as_deref() == Some(code)
}

/// Check the header; returns the LA code it names.
pub fn check_header(h: &Header, collection: Collection, findings: &mut Vec<Finding>) {
    let mut out = Out { findings, person: None };
    let p = |item: &str| {
        let parent = if ["Collection", "Year", "ReferenceDate"].contains(&item) { "CollectionDetails" } else { "Source" };
        format!("/Message/Header/{parent}/{item}")
    };
    for (item, v) in [("Collection", &h.collection), ("Year", &h.year)] {
        if blank(v) {
            out.push("SEN2-H02", h.lines.line, p(item), format!("give {item} in CollectionDetails"));
        }
    }
    match h.reference_date {
        None => out.push("SEN2-H02", h.lines.line, p("ReferenceDate"), "give ReferenceDate, the census day, in CollectionDetails".into()),
        Some(d) if d != collection.reference_date => out.push(
            "SEN2-H03",
            h.lines.of("ReferenceDate"),
            p("ReferenceDate"),
            format!("the census day of the {} collection is {}, not {d}", collection.year, collection.reference_date),
        ),
        Some(_) => {}
    }
    if let Some(y) = h.year.as_deref().filter(|y| !y.trim().is_empty()) {
        if y.trim().parse::<i32>().ok() != Some(collection.year) {
            let msg = if y.trim().parse::<i32>().is_ok_and(|y| Collection::SUPPORTED.contains(&y)) {
                format!("the file says {y} but is being checked as the {} collection", collection.year)
            } else {
                format!("Year {y} is not a collection Waymark checks (2025 or 2026); checked against the {} schema", collection.year)
            };
            out.push("SEN2-H03", h.lines.of("Year"), p("Year"), msg);
        }
    }
    for (item, v) in [
        ("SourceLevel", &h.source_level),
        ("LEA", &h.lea),
        ("SoftwareCode", &h.software_code),
        ("Release", &h.release),
        ("SerialNo", &h.serial_no),
        ("DateTime", &h.date_time),
    ] {
        if blank(v) {
            out.push("SEN2-H04", h.lines.line, p(item), format!("give {item} in the header's Source"));
        }
    }
    if collection.compulsory_2026_items() && blank(&h.dsco) {
        out.push("SEN2-H05", h.lines.line, p("DSCO"), "say whether a Designated Social Care Officer is in post: DSCO Y, N or R".into());
    }
    if let Some(lea) = h.lea.as_deref().filter(|l| l.len() == 3 && l.bytes().all(|b| b.is_ascii_digit())) {
        if lea.parse::<LaCode>().is_err() {
            out.push("SEN2-H06", h.lines.of("LEA"), p("LEA"), format!("{lea} is not a DfE local authority number"));
        }
    }
}

/// Check one person's record. `index` is the person's position in the return (from 1).
pub fn check_person(person: &Sen2Person, index: usize, ctx: &mut RuleContext, findings: &mut Vec<Finding>) {
    let mut out = Out { findings, person: Some(person.label()) };
    let pp = format!("/Message/Persons/Person[{index}]");
    let c = ctx.collection;
    let l = &person.lines;
    if person.surname.as_deref().is_some_and(|s| s.trim().is_empty()) {
        out.push("SEN2-P01", l.of("Surname"), format!("{pp}/Surname"), "Surname is blank: give the person's surname".into());
    }
    if person.forename.as_deref().is_some_and(|s| s.trim().is_empty()) {
        out.push("SEN2-P02", l.of("Forename"), format!("{pp}/Forename"), "Forename is blank: give the person's forename".into());
    }
    let has_upn = !blank(&person.upn);
    let has_uln = !blank(&person.uln);
    if !has_upn && !has_uln && blank(&person.upn_unknown) {
        out.push(
            "SEN2-P03",
            l.line,
            format!("{pp}/UPN"),
            "give the person's UPN or ULN, or a UPNunknown reason (UN1-UN10) saying why neither is known".into(),
        );
    }
    if (has_upn || has_uln) && !blank(&person.upn_unknown) {
        out.push(
            "SEN2-P04",
            l.of("UPNunknown"),
            format!("{pp}/UPNunknown"),
            "UPNunknown is for a person with neither a UPN nor a ULN: remove it, or remove the identifier if it is wrong".into(),
        );
    }
    if let Some(upn) = person.upn.as_deref() {
        check_upn(upn, l.of("UPN"), &format!("{pp}/UPN"), &mut out);
        if upn.len() == 13 && !ctx.upns.insert(upn.to_ascii_uppercase()) {
            out.push(
                "SEN2-1520",
                l.of("UPN"),
                format!("{pp}/UPN"),
                format!("UPN {upn} is already given for an earlier person in this return: each person appears once, with their own UPN"),
            );
        }
    }
    if let Some(uln) = person.uln.as_deref() {
        if uln.len() == 10 && uln.bytes().all(|b| b.is_ascii_digit()) && !uln.starts_with('0') && uln.parse::<Uln>().is_err() {
            out.push(
                "SEN2-1575",
                l.of("UniqueLearnerNumber"),
                format!("{pp}/UniqueLearnerNumber"),
                format!("ULN {uln} fails its check digit (rule 1575): check it against the learner's record"),
            );
        }
    }
    if let Some(pc) = person.postcode.as_deref().filter(|p| !p.trim().is_empty()) {
        if pc.parse::<Postcode>().is_err() {
            out.push("SEN2-P06", l.of("PostCode"), format!("{pp}/PostCode"), format!("'{pc}' is not a UK postcode (like PO1 2AB)"));
        }
    }
    if person.requests.is_empty() {
        out.push(
            "SEN2-P07",
            l.line,
            format!("{pp}/Requests"),
            "the person has no Requests: every person in SEN2 has at least one request or plan; remove the person or add it".into(),
        );
    }
    if let Some(dob) = person.birth_date {
        let on = counted_on(person, c);
        let age = age_on(dob, on);
        if !(0..=25).contains(&age) {
            out.push(
                "SEN2-P05",
                l.of("PersonBirthDate"),
                format!("{pp}/PersonBirthDate"),
                format!("the person is {age} on {on}: SEN2 covers ages 0 to 25; check the date of birth"),
            );
        }
    }
    for (ri, r) in person.requests.iter().enumerate() {
        check_request(person, r, &format!("{pp}/Requests[{}]", ri + 1), ctx, &mut out);
    }
    check_dates(person, &pp, c, &mut out);
}

/// The date the return counts the person for: census day if anything is open on it, else the last
/// date in their record.
pub(crate) fn counted_on(person: &Sen2Person, c: Collection) -> Date {
    let open = person.requests.iter().any(|r| {
        is(&r.outcome, "A")
            || r.assessment.as_ref().is_some_and(|a| {
                is(&a.outcome, "A")
                    || (is(&a.outcome, "Y") && a.outcome_date.is_none())
                    || a.named_plan.as_ref().is_some_and(|p| p.cease_date.is_none())
            })
    });
    if open {
        return c.reference_date;
    }
    let mut last = None;
    for_dates(person, &mut |_, d| {
        if d <= c.reference_date {
            last = last.max(Some(d));
        }
    });
    last.unwrap_or(c.reference_date)
}

/// Every date in a person's requests, without building paths (the fast pass).
fn for_dates(person: &Sen2Person, f: &mut dyn FnMut(&'static str, Date)) {
    let mut emit = |item: &'static str, d: Option<Date>| {
        if let Some(d) = d {
            f(item, d);
        }
    };
    for r in &person.requests {
        emit("ReceivedDate", r.received_date);
        emit("RequestOutcomeDate", r.outcome_date);
        if let Some(a) = &r.assessment {
            emit("AssessmentOutcomeDate", a.outcome_date);
            if let Some(np) = &a.named_plan {
                emit("StartDate", np.start_date);
                emit("CeaseDate", np.cease_date);
            }
        }
        if let Some(act) = &r.active_plans {
            for d in &act.placements {
                emit("EntryDate", d.entry_date);
                emit("LeavingDate", d.leaving_date);
            }
            emit("ReviewMeeting", act.review_meeting);
            emit("ReviewDraft", act.review_draft);
            emit("PhaseTransferDueDate", act.phase_transfer_due);
            emit("PhaseTransferFinalDate", act.phase_transfer_final);
            emit("LastReview", act.last_review);
        }
    }
}

fn check_upn(upn: &str, line: u64, path: &str, out: &mut Out) {
    let b = upn.as_bytes();
    let pattern_ok = b.len() == 13
        && b[0].is_ascii_alphabetic()
        && b[1..12].iter().all(u8::is_ascii_digit)
        && (b[12].is_ascii_digit() || b[12].is_ascii_alphabetic());
    if !pattern_ok {
        return; // the schema check has reported it (rules 1540/1550 or the format)
    }
    if b[0].is_ascii_lowercase() {
        out.push("SEN2-1510", line, path.into(), format!("UPN {upn}: the check letter must be a capital letter (rule 1510)"));
        return;
    }
    if b[12].is_ascii_lowercase() {
        out.push("SEN2-1550", line, path.into(), format!("UPN {upn}: character 13 must be a digit or a capital letter (rule 1550)"));
        return;
    }
    if let Err(e) = upn.parse::<Upn>() {
        let id = match e.rule {
            "upn_la" => "SEN2-1530",
            "upn_digits" => "SEN2-1540",
            "upn_last_character" => "SEN2-1550",
            _ => "SEN2-1510",
        };
        out.push(id, line, path.into(), format!("UPN {upn}: {}; check it against the school's record", e.message));
    }
}

fn check_request(person: &Sen2Person, r: &Request, rp: &str, ctx: &mut RuleContext, out: &mut Out) {
    let c = ctx.collection;
    let l = &r.lines;
    let outcome = r.outcome.as_deref();
    let h = outcome == Some("H");
    ctx.requests += 1;
    if is(&r.request_source, "5") {
        ctx.source_other += 1;
    }
    match outcome {
        None => out.push("SEN2-R01", l.line, format!("{rp}/RequestOutcome"), "give RequestOutcome: Y, N, A, W or H".into()),
        Some(_) if !h => {
            if r.received_date.is_none() && !l_has(l, "ReceivedDate") {
                out.push("SEN2-R02", l.line, format!("{rp}/ReceivedDate"), "give ReceivedDate, the day the request was received".into());
            }
            if r.rya.is_none() {
                out.push(
                    "SEN2-R03",
                    l.line,
                    format!("{rp}/RYA"),
                    "give RYA: 1 if the request was made while in relevant youth accommodation, else 0".into(),
                );
            }
            if c.compulsory_2026_items() && r.request_source.is_none() {
                out.push(
                    "SEN2-R04",
                    l.line,
                    format!("{rp}/RequestSource"),
                    "give RequestSource (1 parent or young person, 2 school, 3 health, 4 social care, 5 other): compulsory from 2026"
                        .into(),
                );
            }
        }
        Some(_) => {}
    }
    match outcome {
        Some("Y" | "N") if r.outcome_date.is_none() && !l_has(l, "RequestOutcomeDate") => out.push(
            "SEN2-R05",
            l.line,
            format!("{rp}/RequestOutcomeDate"),
            format!("give RequestOutcomeDate, the day the family was told the decision (outcome {})", outcome.unwrap_or("")),
        ),
        Some(o @ ("A" | "W" | "H")) if r.outcome_date.is_some() => out.push(
            "SEN2-R06",
            l.of("RequestOutcomeDate"),
            format!("{rp}/RequestOutcomeDate"),
            format!("RequestOutcomeDate must be blank when RequestOutcome is {o}: remove it, or correct the outcome"),
        ),
        _ => {}
    }
    if let (Some(rec), Some(dec)) = (r.received_date, r.outcome_date) {
        if dec < rec {
            out.push(
                "SEN2-R07",
                l.of("RequestOutcomeDate"),
                format!("{rp}/RequestOutcomeDate"),
                format!("the decision ({dec}) is dated before the request was received ({rec})"),
            );
        }
    }
    if let Some(o @ ("N" | "A" | "W")) = outcome {
        if let Some(a) = &r.assessment {
            out.push(
                "SEN2-R08",
                a.lines.line,
                format!("{rp}/Assessment"),
                format!("RequestOutcome is {o}, so no assessment is expected: check the outcome or remove the Assessment"),
            );
        }
    }
    if matches!(outcome, Some("Y" | "H")) && r.assessment.is_none() && r.exported.is_none() {
        out.push(
            "SEN2-R09",
            l.line,
            format!("{rp}/Assessment"),
            format!("RequestOutcome is {}, so give the Assessment module", outcome.unwrap_or("")),
        );
    }
    if r.exported.is_some() && (r.assessment.is_some() || r.active_plans.is_some()) {
        out.push(
            "SEN2-R10",
            l.of("Exported"),
            format!("{rp}/Exported"),
            "the person moved to another LA (Exported), so nothing further is expected from this LA: check the Assessment and ActivePlans"
                .into(),
        );
    }
    if outcome == Some("Y") {
        if let Some(dec) = r.outcome_date.filter(|d| *d < c.period_start()) {
            out.push(
                "SEN2-R11",
                l.of("RequestOutcome"),
                format!("{rp}/RequestOutcome"),
                format!("the decision to assess ({dec}) was before the collection period ({}): code it H", c.period_start()),
            );
        }
    }
    if let (Some(e), Some(lea)) = (r.exported.as_deref(), ctx.lea.as_deref()) {
        if e == lea {
            out.push(
                "SEN2-R12",
                l.of("Exported"),
                format!("{rp}/Exported"),
                format!("Exported must be the new LA's number, not this LA's ({lea})"),
            );
        }
    }
    if let Some(a) = &r.assessment {
        check_assessment(person, r, a, &format!("{rp}/Assessment"), ctx, out);
    }
    if let Some(ap) = &r.active_plans {
        check_active(person, r, ap, &format!("{rp}/ActivePlans"), ctx, out);
    }
}

fn l_has(l: &Lines, item: &str) -> bool {
    l.has(item)
}

fn check_assessment(_person: &Sen2Person, r: &Request, a: &Assessment, ap: &str, ctx: &mut RuleContext, out: &mut Out) {
    let c = ctx.collection;
    let l = &a.lines;
    let outcome = a.outcome.as_deref();
    match outcome {
        None => out.push("SEN2-A01", l.line, format!("{ap}/AssessmentOutcome"), "give AssessmentOutcome: Y, N, A, W or H".into()),
        Some("N") if a.outcome_date.is_none() && !l_has(l, "AssessmentOutcomeDate") => out.push(
            "SEN2-A02",
            l.line,
            format!("{ap}/AssessmentOutcomeDate"),
            "give AssessmentOutcomeDate, the day the family was told the LA would not issue a plan".into(),
        ),
        Some(o @ ("A" | "W")) if a.outcome_date.is_some() => out.push(
            "SEN2-A03",
            l.of("AssessmentOutcomeDate"),
            format!("{ap}/AssessmentOutcomeDate"),
            format!("AssessmentOutcomeDate must be blank when AssessmentOutcome is {o}"),
        ),
        _ => {}
    }
    if let Some(done) = a.outcome_date {
        let earlier = [("RequestOutcomeDate", r.outcome_date), ("ReceivedDate", r.received_date)];
        if let Some((item, d)) = earlier.iter().find_map(|(i, d)| d.filter(|d| done < *d).map(|d| (*i, d))) {
            out.push(
                "SEN2-A04",
                l.of("AssessmentOutcomeDate"),
                format!("{ap}/AssessmentOutcomeDate"),
                format!("the assessment outcome ({done}) is dated before the request's {item} ({d})"),
            );
        }
    }
    let issued = outcome == Some("Y") && a.outcome_date.is_some();
    let plan_expected = issued || outcome == Some("H");
    if plan_expected && a.named_plan.is_none() {
        out.push(
            "SEN2-A05",
            l.line,
            format!("{ap}/NamedPlan"),
            "a plan was issued (or is held from before), so give the NamedPlan module with its StartDate and settings".into(),
        );
    }
    if !plan_expected && outcome.is_some() {
        if let Some(np) = &a.named_plan {
            let why = if outcome == Some("Y") {
                "no plan is issued yet (AssessmentOutcomeDate is blank)".to_owned()
            } else {
                format!("AssessmentOutcome is {}", outcome.unwrap_or(""))
            };
            out.push("SEN2-A06", np.lines.line, format!("{ap}/NamedPlan"), format!("{why}, so there should be no NamedPlan"));
        }
    }
    if issued && a.week20.is_none() {
        out.push(
            "SEN2-A07",
            l.line,
            format!("{ap}/Week20"),
            "give Week20: 1 if a 20-week exception applied (SEND Regs 2014 reg 13(3)), else 0".into(),
        );
    }
    if outcome == Some("H") && is(&r.outcome, "Y") {
        out.push(
            "SEN2-A08",
            l.of("AssessmentOutcome"),
            format!("{ap}/AssessmentOutcome"),
            "the decision to assess was made in the year (RequestOutcome Y), so the decision to issue cannot be historical (H)".into(),
        );
    }
    if issued {
        if let Some(d) = a.outcome_date.filter(|d| *d < c.period_start()) {
            out.push(
                "SEN2-A09",
                l.of("AssessmentOutcome"),
                format!("{ap}/AssessmentOutcome"),
                format!("the plan was issued on {d}, before the collection period: code the assessment H"),
            );
        }
    }
    if let Some(np) = &a.named_plan {
        check_plan(np, &format!("{ap}/NamedPlan"), ctx, out);
    }
}

fn one_setting(d: &SettingDetail) -> bool {
    [&d.urn, &d.ukprn, &d.sen_setting].iter().filter(|v| v.is_some()).count() == 1
}

fn check_ranks(ranks: &[(Option<&str>, String, u64)], rule: &'static str, what: &str, out: &mut Out) {
    let mut seen: Vec<&str> = Vec::new();
    for (rank, path, line) in ranks {
        let Some(rank) = rank else { continue };
        if seen.contains(rank) {
            out.push(
                rule,
                *line,
                path.clone(),
                format!("two {what}s have rank {rank}: rank one 1 (primary) and at most one 2 (secondary)"),
            );
        }
        seen.push(rank);
    }
    if seen.contains(&"2") && !seen.contains(&"1") {
        if let Some((_, path, line)) = ranks.iter().find(|(r, _, _)| *r == Some("2")) {
            out.push(rule, *line, path.clone(), format!("a secondary {what} (rank 2) is given without a primary one (rank 1)"));
        }
    }
}

fn check_plan(np: &NamedPlan, pp: &str, ctx: &mut RuleContext, out: &mut Out) {
    let c = ctx.collection;
    let l = &np.lines;
    if np.start_date.is_none() && !l_has(l, "StartDate") {
        out.push("SEN2-N01", l.line, format!("{pp}/StartDate"), "give StartDate, the date of the current EHC plan".into());
    }
    match (np.cease_date, &np.cease_reason) {
        (Some(_), None) => {
            out.push("SEN2-N02", l.of("CeaseDate"), format!("{pp}/CeaseReason"), "a CeaseDate needs its CeaseReason (1-9)".into())
        }
        (None, Some(_)) if !l_has(l, "CeaseDate") => {
            out.push("SEN2-N02", l.of("CeaseReason"), format!("{pp}/CeaseDate"), "a CeaseReason needs the CeaseDate the plan ended".into())
        }
        _ => {}
    }
    if np.cease_date.is_some() || np.cease_reason.is_some() {
        ctx.ceased += 1;
        if is(&np.cease_reason, "9") {
            ctx.cease_other += 1;
        }
    }
    if let (Some(s), Some(e)) = (np.start_date, np.cease_date) {
        if e < s {
            out.push("SEN2-N03", l.of("CeaseDate"), format!("{pp}/CeaseDate"), format!("the plan ceased ({e}) before it started ({s})"));
        }
    }
    if let Some(e) = np.cease_date.filter(|e| *e < c.period_start()) {
        out.push(
            "SEN2-N04",
            l.of("CeaseDate"),
            format!("{pp}/CeaseDate"),
            format!(
                "the plan ceased on {e}, before the collection period ({}): it belongs in an earlier return; remove it",
                c.period_start()
            ),
        );
    }
    let mut ranks = Vec::new();
    for (i, d) in np.plan_details.iter().enumerate() {
        let dp = format!("{pp}/PlanDetail[{}]", i + 1);
        ctx.settings += 1;
        if is(&d.sen_setting, "OTH") {
            ctx.settings_oth += 1;
        }
        if !one_setting(d) {
            out.push("SEN2-N05", d.lines.line, dp.clone(), "give exactly one of URN, UKPRN or SENSetting for each named setting".into());
        }
        if d.rank.is_none() {
            out.push("SEN2-N06", d.lines.line, format!("{dp}/PlacementRank"), "give PlacementRank: 1 primary, 2 secondary".into());
        }
        ranks.push((d.rank.as_deref(), format!("{dp}/PlacementRank"), d.lines.of("PlacementRank")));
        if let Some(code @ ("NEET" | "NIEC" | "NIEO")) = d.sen_setting.as_deref() {
            out.push(
                "SEN2-N08",
                d.lines.of("SENSetting"),
                format!("{dp}/SENSetting"),
                format!("{code} describes where someone is, not a setting a plan names: use the setting named in section I, or OTH with a description"),
            );
        }
        if is(&d.sen_setting, "OTH") && blank(&d.sen_setting_other) {
            out.push(
                "SEN2-N09",
                d.lines.of("SENSetting"),
                format!("{dp}/SENSettingOther"),
                "the plan names a type of setting (OTH): describe it in SENSettingOther".into(),
            );
        }
    }
    check_ranks(&ranks, "SEN2-N07", "named setting", out);
    if !is(&np.pb, "1") && (is(&np.oa, "1") || np.dp.is_some()) {
        out.push(
            "SEN2-N10",
            l.of("PB"),
            format!("{pp}/PB"),
            "organised arrangements or direct payments are recorded but PB is not 1: a personal budget appears to be taken up".into(),
        );
    }
}

fn check_active(person: &Sen2Person, r: &Request, ap: &ActivePlans, app: &str, ctx: &mut RuleContext, out: &mut Out) {
    let c = ctx.collection;
    let l = &ap.lines;
    let plan = r.assessment.as_ref().and_then(|a| a.named_plan.as_ref());
    if plan.is_none() {
        out.push(
            "SEN2-L01",
            l.line,
            app.to_owned(),
            "ActivePlans describes a plan, but this request has no NamedPlan: add the plan or move the placements to the request that has it".into(),
        );
    }
    let active_on_census = plan.is_some_and(|p| p.cease_date.is_none_or(|e| e > c.reference_date));
    let mut ranks = Vec::new();
    let mut types: Vec<&str> = Vec::new();
    for (i, n) in ap.needs.iter().enumerate() {
        let np = format!("{app}/SENneed[{}]", i + 1);
        if n.sen_type.is_none() || n.rank.is_none() {
            out.push("SEN2-L03", n.lines.line, np.clone(), "each SENneed needs both SENtype and SENtypeRank".into());
        }
        ranks.push((n.rank.as_deref(), format!("{np}/SENtypeRank"), n.lines.of("SENtypeRank")));
        if let Some(t) = n.sen_type.as_deref() {
            if types.contains(&t) {
                out.push(
                    "SEN2-L05",
                    n.lines.of("SENtype"),
                    format!("{np}/SENtype"),
                    format!("{t} is given twice: the two needs must differ"),
                );
            }
            types.push(t);
        }
    }
    check_ranks(&ranks, "SEN2-L04", "need", out);
    if active_on_census && plan.is_some() && !ap.needs.iter().any(|n| is(&n.rank, "1") && n.sen_type.is_some()) {
        out.push(
            "SEN2-L02",
            l.line,
            format!("{app}/SENneed"),
            "the plan is active on census day, so give its primary need (SENneed with SENtypeRank 1)".into(),
        );
    }
    let mut current = false;
    for (i, d) in ap.placements.iter().enumerate() {
        let dp = format!("{app}/PlacementDetail[{}]", i + 1);
        ctx.placements += 1;
        ctx.settings += 1;
        if is(&d.sen_setting, "OTH") {
            ctx.settings_oth += 1;
        }
        if is(&d.sen_setting, "NIEO") {
            ctx.placements_nieo += 1;
        }
        if !one_setting(d) {
            out.push("SEN2-L06", d.lines.line, dp.clone(), "give exactly one of URN, UKPRN or SENSetting for each placement".into());
        }
        if d.rank.is_none() {
            out.push("SEN2-L07", d.lines.line, format!("{dp}/PlacementRank"), "give PlacementRank: 1 primary, 2 secondary".into());
        }
        if d.entry_date.is_none() && !l_has(&d.lines, "EntryDate") {
            out.push("SEN2-L08", d.lines.line, format!("{dp}/EntryDate"), "give EntryDate, the day the placement started".into());
        }
        if let (Some(e), Some(lv)) = (d.entry_date, d.leaving_date) {
            if lv < e {
                out.push(
                    "SEN2-L09",
                    d.lines.of("LeavingDate"),
                    format!("{dp}/LeavingDate"),
                    format!("the placement ends ({lv}) before it starts ({e})"),
                );
            }
        }
        if let Some(lv) = d.leaving_date.filter(|lv| *lv < c.period_start()) {
            out.push(
                "SEN2-L10",
                d.lines.of("LeavingDate"),
                format!("{dp}/LeavingDate"),
                format!("the placement ended on {lv}, before the collection period: only placements of the year are returned; remove it"),
            );
        }
        if matches!(d.sen_setting.as_deref(), Some("NIEO" | "OTH")) && blank(&d.sen_setting_other) {
            out.push(
                "SEN2-L11",
                d.lines.of("SENSetting"),
                format!("{dp}/SENSettingOther"),
                format!(
                    "describe the {} placement in SENSettingOther (for example 'permanently excluded')",
                    d.sen_setting.as_deref().unwrap_or("")
                ),
            );
        }
        if let (Some("NEET"), Some(e), Some(dob)) = (d.sen_setting.as_deref(), d.entry_date, person.birth_date) {
            if age_on(dob, e) < 16 {
                out.push(
                    "SEN2-L18",
                    d.lines.of("SENSetting"),
                    format!("{dp}/SENSetting"),
                    format!("NEET is for ages 16-25, but the person was {} on entry: check the code (NIEO?)", age_on(dob, e)),
                );
            }
        }
        if d.entry_date.is_some_and(|e| e <= c.reference_date) && d.leaving_date.is_none_or(|lv| lv >= c.reference_date) {
            current = true;
        }
    }
    if active_on_census && plan.is_some() && !current {
        out.push(
            "SEN2-L12",
            l.line,
            format!("{app}/PlacementDetail"),
            "the plan is active on census day but no placement covers census day: add where the person is (or NIEO while awaiting one)"
                .into(),
        );
    }
    if let (Some(m), Some(lr)) = (ap.review_meeting, ap.last_review) {
        if m > lr {
            out.push(
                "SEN2-L13",
                l.of("LastReview"),
                format!("{app}/LastReview"),
                format!("the review decision (LastReview {lr}) is dated before the review meeting ({m}): LastReview is when the LA wrote with its decision"),
            );
        }
    }
    if ap.review_outcome.is_some() && ap.last_review.is_none() && !l_has(l, "LastReview") {
        out.push(
            "SEN2-L14",
            l.of("ReviewOutcome"),
            format!("{app}/LastReview"),
            "a review decision is recorded (ReviewOutcome) without the date the LA notified it (LastReview)".into(),
        );
    }
    if ap.review_draft.is_some() && !is(&ap.review_outcome, "A") {
        out.push(
            "SEN2-L15",
            l.of("ReviewDraft"),
            format!("{app}/ReviewDraft"),
            "a draft amended plan (ReviewDraft) follows a decision to amend: ReviewOutcome should be A".into(),
        );
    }
    if ap.phase_transfer_final.is_some() && ap.phase_transfer_due.is_none() && !l_has(l, "PhaseTransferDueDate") {
        out.push(
            "SEN2-L16",
            l.of("PhaseTransferFinalDate"),
            format!("{app}/PhaseTransferDueDate"),
            "a phase-transfer final plan date is given without the date it was due (PhaseTransferDueDate)".into(),
        );
    }
    if let (Some(t), Some(lea)) = (ap.transfer_la.as_deref(), ctx.lea.as_deref()) {
        if t == lea {
            out.push(
                "SEN2-L17",
                l.of("TransferLA"),
                format!("{app}/TransferLA"),
                format!("TransferLA is the LA the plan came from, not this LA ({lea})"),
            );
        }
    }
}

/// Every date in a person's record with its path and line: (path, line, item, date).
fn each_date(person: &Sen2Person, pp: &str, f: &mut dyn FnMut(String, u64, &'static str, Date)) {
    let mut emit = |path: &str, lines: &Lines, item: &'static str, d: Option<Date>| {
        if let Some(d) = d {
            f(format!("{path}/{item}"), lines.of(item), item, d);
        }
    };
    for (ri, r) in person.requests.iter().enumerate() {
        let rp = format!("{pp}/Requests[{}]", ri + 1);
        emit(&rp, &r.lines, "ReceivedDate", r.received_date);
        emit(&rp, &r.lines, "RequestOutcomeDate", r.outcome_date);
        if let Some(a) = &r.assessment {
            let ap = format!("{rp}/Assessment");
            emit(&ap, &a.lines, "AssessmentOutcomeDate", a.outcome_date);
            if let Some(np) = &a.named_plan {
                let npp = format!("{ap}/NamedPlan");
                emit(&npp, &np.lines, "StartDate", np.start_date);
                emit(&npp, &np.lines, "CeaseDate", np.cease_date);
            }
        }
        if let Some(act) = &r.active_plans {
            let acp = format!("{rp}/ActivePlans");
            for (i, d) in act.placements.iter().enumerate() {
                let dp = format!("{acp}/PlacementDetail[{}]", i + 1);
                emit(&dp, &d.lines, "EntryDate", d.entry_date);
                emit(&dp, &d.lines, "LeavingDate", d.leaving_date);
            }
            emit(&acp, &act.lines, "ReviewMeeting", act.review_meeting);
            emit(&acp, &act.lines, "ReviewDraft", act.review_draft);
            emit(&acp, &act.lines, "PhaseTransferDueDate", act.phase_transfer_due);
            emit(&acp, &act.lines, "PhaseTransferFinalDate", act.phase_transfer_final);
            emit(&acp, &act.lines, "LastReview", act.last_review);
        }
    }
}

fn check_dates(person: &Sen2Person, pp: &str, c: Collection, out: &mut Out) {
    if let Some(dob) = person.birth_date.filter(|d| *d > c.reference_date) {
        out.push(
            "SEN2-D01",
            person.lines.of("PersonBirthDate"),
            format!("{pp}/PersonBirthDate"),
            format!("the date of birth {dob} is after the reference date {}", c.reference_date),
        );
    }
    let dob = person.birth_date;
    let mut any = false;
    for_dates(person, &mut |item, d| {
        any |= (d > c.reference_date && item != "PhaseTransferDueDate") || dob.is_some_and(|b| d < b);
    });
    if !any {
        return;
    }
    let mut found = Vec::new();
    each_date(person, pp, &mut |path, line, item, d| {
        // A phase-transfer plan may be due after census day (reg 18: by 15 February or 31 March).
        if d > c.reference_date && item != "PhaseTransferDueDate" {
            found.push((
                "SEN2-D01",
                line,
                path.clone(),
                format!("{item} {d} is after the reference date {}: nothing in the return may be later than census day", c.reference_date),
            ));
        }
        if let Some(dob) = person.birth_date.filter(|dob| d < *dob) {
            found.push(("SEN2-D02", line, path, format!("{item} {d} is before the person's date of birth {dob}")));
        }
    });
    for (id, line, path, msg) in found {
        out.push(id, line, path, msg);
    }
}

/// The whole-return queries, once every person has been read.
pub fn finish(ctx: &RuleContext, findings: &mut Vec<Finding>) {
    let mut out = Out { findings, person: None };
    let share = |n: u64, d: u64| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let s = share(ctx.source_other, ctx.requests);
    if s > OTHER_SOURCE_SHARE {
        out.push(
            "SEN2-Q01",
            0,
            "/Message/Persons/Person/Requests/RequestSource".into(),
            format!(
                "{} of {} requests ({}) have RequestSource 5 (other): DfE will ask why; record who asked where it is known",
                ctx.source_other,
                ctx.requests,
                pct(s)
            ),
        );
    }
    let s = share(ctx.cease_other, ctx.ceased);
    if s > OTHER_CEASE_SHARE {
        out.push(
            "SEN2-Q02",
            0,
            "/Message/Persons/Person/Requests/Assessment/NamedPlan/CeaseReason".into(),
            format!(
                "{} of {} ceased plans ({}) have CeaseReason 9 (other): DfE will ask why; use reasons 1-8 where one fits",
                ctx.cease_other,
                ctx.ceased,
                pct(s)
            ),
        );
    }
    let s = share(ctx.settings_oth, ctx.settings);
    if s > OTH_SETTING_SHARE {
        out.push(
            "SEN2-Q03",
            0,
            "/Message/Persons/Person/Requests//SENSetting".into(),
            format!(
                "{} of {} named settings and placements ({}) are OTH: DfE will ask for details; name the setting where one is known",
                ctx.settings_oth,
                ctx.settings,
                pct(s)
            ),
        );
    }
    let s = share(ctx.placements_nieo, ctx.placements);
    if s > NIEO_SHARE {
        out.push(
            "SEN2-Q04",
            0,
            "/Message/Persons/Person/Requests/ActivePlans/PlacementDetail/SENSetting".into(),
            format!(
                "{} of {} placements ({}) are NIEO (not in education, other): DfE will ask for details",
                ctx.placements_nieo,
                ctx.placements,
                pct(s)
            ),
        );
    }
}
