//! The SEN2 XML schema, hand-encoded from `../shared/reference/sen2/sen2_schema_{2025,2026}.xsd` (the
//! conformance target): for each complex type, its children in sequence order with their cardinality,
//! and for each simple type, its code set or lexical pattern. The two years differ only in where
//! `LastReview` sits in `ActivePlans` (after `ReviewMeeting` in 2025, last in 2026).
//!
//! xmllint applies the same XSD; Waymark encodes it so that one streaming pass checks structure, code
//! sets and the business rules together.

use waymark_domain::identifiers::Ethnicity;

/// A complex type of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Message,
    Header,
    CollectionDetails,
    Source,
    Persons,
    Person,
    Requests,
    Assessment,
    NamedPlan,
    PlanDetail,
    ActivePlans,
    PlacementDetail,
    SenNeed,
}

/// Lexical patterns of the schema's restricted strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// `\d{3}`
    SerialNo,
    /// `\d{3}|XXX` (exportedandleatype: LEA, Exported, TransferLA)
    LaCode,
    /// `[A-Za-z]\d{12}|[A-Za-z]\d{11}[A-Za-z]`
    Upn,
    /// `[1-9][0-9]{9}`
    Uln,
    /// `\d{1,6}`
    Urn,
    /// `\d{8}`
    Ukprn,
}

/// A simple type: what text an element may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simple {
    /// xs:string: anything, even empty.
    Text,
    /// An enumeration (the schema's `nonEmptyString` restrictions and `upnunknowntype`).
    Codes(&'static [&'static str]),
    /// The CBDS ethnicity codes (ethnicitytype).
    Ethnicity,
    Pattern(Pattern),
    Date,
    DateTime,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    Complex(Ty),
    Simple(Simple),
}

/// One element in a sequence, with its cardinality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Particle {
    pub name: &'static str,
    pub min: u32,
    /// `u32::MAX` for unbounded.
    pub max: u32,
    pub content: Content,
}

const UNBOUNDED: u32 = u32::MAX;

const fn el(name: &'static str, min: u32, max: u32, content: Content) -> Particle {
    Particle { name, min, max, content }
}
const fn opt(name: &'static str, s: Simple) -> Particle {
    el(name, 0, 1, Content::Simple(s))
}
const fn req(name: &'static str, s: Simple) -> Particle {
    el(name, 1, 1, Content::Simple(s))
}

pub const YES_NO: &[&str] = &["1", "0"];
pub const YES_NO_RECRUIT: &[&str] = &["Y", "N", "R"];
pub const SEX: &[&str] = &["M", "F"];
pub const UPN_UNKNOWN: &[&str] = &["UN1", "UN2", "UN3", "UN5", "UN8", "UN9", "UN10"];
pub const REQUEST_SOURCE: &[&str] = &["1", "2", "3", "4", "5"];
pub const OUTCOME: &[&str] = &["Y", "N", "A", "W", "H"];
pub const RESIDENTIAL: &[&str] = &["A", "B"];
pub const WORK_BASED: &[&str] = &["A", "T", "S"];
pub const DIRECT_PAYMENT: &[&str] = &["E", "S", "H", "I"];
pub const CEASE_REASON: &[&str] = &["1", "2", "3", "4", "5", "6", "7", "8", "9"];
pub const SEN_SETTING: &[&str] = &["OLA", "OPA", "EHE", "EYP", "OTH", "NEET", "NIEC", "NIEO"];
pub const RANK: &[&str] = &["1", "2"];
pub const REVIEW_OUTCOME: &[&str] = &["M", "C", "A"];
pub const SEN_TYPE: &[&str] = &["SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "DS", "OTH"];

use Content::Complex;
use Simple::*;

const MESSAGE: &[Particle] = &[el("Header", 0, 1, Complex(Ty::Header)), el("Persons", 0, 1, Complex(Ty::Persons))];
const HEADER: &[Particle] =
    &[el("CollectionDetails", 0, 1, Complex(Ty::CollectionDetails)), el("Source", 0, UNBOUNDED, Complex(Ty::Source))];
const COLLECTION_DETAILS: &[Particle] = &[opt("Collection", Codes(&["SEN2"])), opt("Year", Year), opt("ReferenceDate", Date)];
const SOURCE: &[Particle] = &[
    opt("SourceLevel", Codes(&["L"])),
    opt("LEA", Pattern(Pattern::LaCode)),
    opt("SoftwareCode", Text),
    opt("Release", Text),
    opt("SerialNo", Pattern(Pattern::SerialNo)),
    opt("DateTime", DateTime),
    req("DMO", Codes(YES_NO_RECRUIT)),
    req("DCO", Codes(YES_NO_RECRUIT)),
    opt("DSCO", Codes(YES_NO_RECRUIT)),
];
const PERSONS: &[Particle] = &[el("Person", 1, UNBOUNDED, Complex(Ty::Person))];
const PERSON: &[Particle] = &[
    req("Surname", Text),
    req("Forename", Text),
    req("PersonBirthDate", Date),
    req("Sex", Codes(SEX)),
    req("Ethnicity", Ethnicity),
    opt("PostCode", Text),
    opt("UPN", Pattern(Pattern::Upn)),
    opt("UniqueLearnerNumber", Pattern(Pattern::Uln)),
    opt("UPNunknown", Codes(UPN_UNKNOWN)),
    el("Requests", 0, UNBOUNDED, Complex(Ty::Requests)),
];
const REQUESTS: &[Particle] = &[
    opt("ReceivedDate", Date),
    opt("RequestSource", Codes(REQUEST_SOURCE)),
    opt("RYA", Codes(YES_NO)),
    opt("RequestOutcomeDate", Date),
    opt("RequestOutcome", Codes(OUTCOME)),
    opt("RequestMediation", Codes(YES_NO)),
    opt("RequestTribunal", Codes(YES_NO)),
    opt("Exported", Pattern(Pattern::LaCode)),
    el("Assessment", 0, 1, Complex(Ty::Assessment)),
    el("ActivePlans", 0, 1, Complex(Ty::ActivePlans)),
];
const ASSESSMENT: &[Particle] = &[
    opt("AssessmentOutcome", Codes(OUTCOME)),
    opt("AssessmentOutcomeDate", Date),
    opt("AssessmentMediation", Codes(YES_NO)),
    opt("AssessmentTribunal", Codes(YES_NO)),
    opt("OtherMediation", Codes(YES_NO)),
    opt("OtherTribunal", Codes(YES_NO)),
    opt("Week20", Codes(YES_NO)),
    el("NamedPlan", 0, 1, Complex(Ty::NamedPlan)),
];
const NAMED_PLAN: &[Particle] = &[
    opt("StartDate", Date),
    el("PlanDetail", 0, 2, Complex(Ty::PlanDetail)),
    opt("PlanRes", Codes(RESIDENTIAL)),
    opt("PlanWBP", Codes(WORK_BASED)),
    opt("PB", Codes(YES_NO)),
    opt("OA", Codes(YES_NO)),
    opt("DP", Codes(DIRECT_PAYMENT)),
    opt("CeaseDate", Date),
    opt("CeaseReason", Codes(CEASE_REASON)),
];
const PLAN_DETAIL: &[Particle] = &[
    opt("URN", Pattern(Pattern::Urn)),
    opt("UKPRN", Pattern(Pattern::Ukprn)),
    opt("SENSetting", Codes(SEN_SETTING)),
    opt("SENSettingOther", Text),
    opt("PlacementRank", Codes(RANK)),
    opt("SENunitIndicator", Codes(YES_NO)),
    opt("ResourcedProvisionIndicator", Codes(YES_NO)),
];
const ACTIVE_PLANS_2025: &[Particle] = &[
    opt("TransferLA", Pattern(Pattern::LaCode)),
    el("PlacementDetail", 0, UNBOUNDED, Complex(Ty::PlacementDetail)),
    el("SENneed", 0, 2, Complex(Ty::SenNeed)),
    opt("ReviewMeeting", Date),
    opt("LastReview", Date),
    opt("ReviewOutcome", Codes(REVIEW_OUTCOME)),
    opt("ReviewDraft", Date),
    opt("PhaseTransferDueDate", Date),
    opt("PhaseTransferFinalDate", Date),
];
const ACTIVE_PLANS_2026: &[Particle] = &[
    opt("TransferLA", Pattern(Pattern::LaCode)),
    el("PlacementDetail", 0, UNBOUNDED, Complex(Ty::PlacementDetail)),
    el("SENneed", 0, 2, Complex(Ty::SenNeed)),
    opt("ReviewMeeting", Date),
    opt("ReviewOutcome", Codes(REVIEW_OUTCOME)),
    opt("ReviewDraft", Date),
    opt("PhaseTransferDueDate", Date),
    opt("PhaseTransferFinalDate", Date),
    opt("LastReview", Date),
];
const PLACEMENT_DETAIL: &[Particle] = &[
    opt("URN", Pattern(Pattern::Urn)),
    opt("UKPRN", Pattern(Pattern::Ukprn)),
    opt("SENSetting", Codes(SEN_SETTING)),
    opt("SENSettingOther", Text),
    opt("PlacementRank", Codes(RANK)),
    opt("EntryDate", Date),
    opt("LeavingDate", Date),
    opt("SENunitIndicator", Codes(YES_NO)),
    opt("ResourcedProvisionIndicator", Codes(YES_NO)),
    opt("Res", Codes(RESIDENTIAL)),
    opt("WBP", Codes(WORK_BASED)),
];
const SEN_NEED: &[Particle] = &[opt("SENtype", Codes(SEN_TYPE)), opt("SENtypeRank", Codes(RANK))];

/// The children of a complex type, in order, for a collection year (2025 or later layouts).
pub fn sequence(ty: Ty, year: i32) -> &'static [Particle] {
    match ty {
        Ty::Message => MESSAGE,
        Ty::Header => HEADER,
        Ty::CollectionDetails => COLLECTION_DETAILS,
        Ty::Source => SOURCE,
        Ty::Persons => PERSONS,
        Ty::Person => PERSON,
        Ty::Requests => REQUESTS,
        Ty::Assessment => ASSESSMENT,
        Ty::NamedPlan => NAMED_PLAN,
        Ty::PlanDetail => PLAN_DETAIL,
        Ty::ActivePlans if year >= 2026 => ACTIVE_PLANS_2026,
        Ty::ActivePlans => ACTIVE_PLANS_2025,
        Ty::PlacementDetail => PLACEMENT_DETAIL,
        Ty::SenNeed => SEN_NEED,
    }
}

/// Why a simple value fails its type: rule id and a message saying what is expected.
pub struct ValueError {
    pub rule: &'static str,
    pub message: String,
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// xs:date's lexical form (YYYY-MM-DD, optionally with a time zone), returning the calendar date.
pub fn parse_xs_date(text: &str) -> Option<waymark_domain::calendar::Date> {
    let t = text.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\n' || c == '\r');
    // Non-ASCII (a byte order mark inside a date, found by fuzzing) is never a date, and splitting
    // inside a character would panic.
    if t.len() < 10 || !t.is_char_boundary(10) || !t[..10].is_ascii() {
        return None;
    }
    let (date, zone) = t.split_at(10);
    if !(zone.is_empty() || zone == "Z" || valid_zone(zone)) {
        return None;
    }
    let b = date.as_bytes();
    if !(all_digits(&date[0..4]) && b[4] == b'-' && all_digits(&date[5..7]) && b[7] == b'-' && all_digits(&date[8..10])) {
        return None;
    }
    waymark_domain::calendar::Date::parse_from_str(date, "%Y-%m-%d").ok()
}

fn valid_zone(z: &str) -> bool {
    let b = z.as_bytes();
    b.len() == 6
        && z.is_ascii()
        && (b[0] == b'+' || b[0] == b'-')
        && all_digits(&z[1..3])
        && b[3] == b':'
        && all_digits(&z[4..6])
        && z[1..3].parse::<u32>().is_ok_and(|h| h <= 14)
        && z[4..6].parse::<u32>().is_ok_and(|m| m <= 59)
}

fn valid_date_time(text: &str) -> bool {
    let t = text.trim();
    let Some((date, time)) = t.split_once('T') else { return false };
    if parse_xs_date(date).is_none() || date.len() != 10 {
        return false;
    }
    // hh:mm:ss(.s+)?(zone)?
    if time.len() < 8 || !time.is_char_boundary(8) || !time[..8].is_ascii() {
        return false;
    }
    let (hms, rest) = time.split_at(8);
    let b = hms.as_bytes();
    let ok = all_digits(&hms[0..2])
        && b[2] == b':'
        && all_digits(&hms[3..5])
        && b[5] == b':'
        && all_digits(&hms[6..8])
        && hms[0..2].parse::<u32>().is_ok_and(|h| h <= 23)
        && hms[3..5].parse::<u32>().is_ok_and(|m| m <= 59)
        && hms[6..8].parse::<u32>().is_ok_and(|s| s <= 59);
    if !ok {
        return false;
    }
    let rest = match rest.strip_prefix('.') {
        Some(r) => {
            let digits = r.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return false;
            }
            &r[digits..]
        }
        None => rest,
    };
    rest.is_empty() || rest == "Z" || valid_zone(rest)
}

/// Check a value against its simple type, exactly as the XSD does (xs:string values are not trimmed;
/// dates, date-times and years are whitespace-collapsed first).
pub fn check_value(simple: Simple, value: &str) -> Result<(), ValueError> {
    let fail = |rule, message: String| Err(ValueError { rule, message });
    match simple {
        Text => Ok(()),
        Codes(codes) => {
            if codes.contains(&value) {
                Ok(())
            } else if value.is_empty() {
                fail("SEN2-S07", format!("is empty; give one of {}", codes.join(", ")))
            } else {
                fail("SEN2-S07", format!("'{value}' is not one of the codes allowed here: {}", codes.join(", ")))
            }
        }
        Ethnicity => {
            let exact = value.trim() == value && value.to_ascii_uppercase() == value;
            if exact && value.parse::<Ethnicity>().is_ok() {
                Ok(())
            } else {
                fail("SEN2-S07", format!("'{value}' is not a CBDS ethnicity code (for example WBRI, MWBC, ABAN, REFU or NOBT)"))
            }
        }
        Date => match parse_xs_date(value) {
            Some(_) => Ok(()),
            None => fail("SEN2-S08", format!("'{value}' is not a date in the form YYYY-MM-DD")),
        },
        DateTime => {
            if valid_date_time(value) {
                Ok(())
            } else {
                fail("SEN2-S08", format!("'{value}' is not a date and time in the form YYYY-MM-DDThh:mm:ss"))
            }
        }
        Year => {
            let t = value.trim();
            if t.len() == 4 && all_digits(t) {
                Ok(())
            } else {
                fail("SEN2-S08", format!("'{value}' is not a year in the form YYYY"))
            }
        }
        Pattern(p) => {
            let ok = match p {
                Pattern::SerialNo => value.len() == 3 && all_digits(value),
                Pattern::LaCode => value == "XXX" || (value.len() == 3 && all_digits(value)),
                Pattern::Upn => {
                    let b = value.as_bytes();
                    b.len() == 13
                        && b[0].is_ascii_alphabetic()
                        && b[1..12].iter().all(u8::is_ascii_digit)
                        && (b[12].is_ascii_digit() || b[12].is_ascii_alphabetic())
                }
                Pattern::Uln => value.len() == 10 && all_digits(value) && !value.starts_with('0'),
                Pattern::Urn => (1..=6).contains(&value.len()) && all_digits(value),
                Pattern::Ukprn => value.len() == 8 && all_digits(value),
            };
            if ok {
                return Ok(());
            }
            let (rule, expected) = match p {
                Pattern::SerialNo => ("SEN2-S08", "a serial number of exactly 3 digits, e.g. 001"),
                Pattern::LaCode => ("SEN2-S08", "a 3-digit DfE LA number, or XXX where unknown"),
                Pattern::Upn => (upn_pattern_rule(value), "13 characters: a letter, 11 digits, then a digit or (temporary UPN) a letter"),
                Pattern::Uln => ("SEN2-1575", "10 digits, the first not 0"),
                Pattern::Urn => ("SEN2-S08", "a URN of up to 6 digits"),
                Pattern::Ukprn => ("SEN2-S08", "a UKPRN of exactly 8 digits"),
            };
            fail(rule, format!("'{value}' is not valid: expected {expected}"))
        }
    }
}

/// Which UPN rule a value that fails the schema's pattern breaks (CIN rules 1540/1550), else the
/// generic format rule.
fn upn_pattern_rule(value: &str) -> &'static str {
    let b = value.as_bytes();
    if b.len() == 13 && b[0].is_ascii_alphabetic() {
        if !b[4..12].iter().all(u8::is_ascii_digit) {
            return "SEN2-1540";
        }
        if !(b[12].is_ascii_digit() || b[12].is_ascii_alphabetic()) {
            return "SEN2-1550";
        }
    }
    "SEN2-S08"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xsd_dates_allow_a_time_zone_but_not_impossible_days() {
        assert!(parse_xs_date("2025-02-28").is_some());
        assert!(parse_xs_date(" 2025-02-28 ").is_some());
        assert!(parse_xs_date("2025-02-28Z").is_some());
        assert!(parse_xs_date("2025-02-28+01:00").is_some());
        assert!(parse_xs_date("2025-02-29").is_none());
        assert!(parse_xs_date("28/02/2025").is_none());
        assert!(valid_date_time("2026-02-10T09:30:00"));
        assert!(valid_date_time("2026-02-10T09:30:00.123Z"));
        assert!(!valid_date_time("2026-02-10 09:30:00"));
    }

    #[test]
    fn the_2026_schema_puts_last_review_at_the_end_of_active_plans() {
        assert_eq!(sequence(Ty::ActivePlans, 2026).last().unwrap().name, "LastReview");
        assert_eq!(sequence(Ty::ActivePlans, 2025)[4].name, "LastReview");
    }
}
