//! Finding a child as people type: by surname, forename, UPN, ULN, NHS number, date of birth (3/9/2015,
//! 03-09-2015, 2015-09-03, 3 September 2015) or case reference, tolerant of case and accents.
//!
//! [`SearchQuery::parse`] reads what was typed once, into terms; [`SearchQuery::matches`] checks a
//! child (and the references of their cases) against every term. Pure: the store and the web decide
//! which children the user may see; this only decides which of those match.

use crate::calendar::Date;
use crate::child::Child;
use crate::identifiers::{NhsNumber, Uln, Upn};
use crate::identity::normalise::fold;
use crate::ids::CaseId;
use chrono::NaiveDate;

/// The longest query read (characters); the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;

/// A case's short reference as people quote it: `EHC-` and the first 8 characters of its id in
/// capitals (`EHC-1A2B3C4D`). Unique in practice within an LA (32 bits of a random id); a search by
/// reference that met two cases would show both.
pub fn case_reference(id: CaseId) -> String {
    let text = id.to_string();
    format!("EHC-{}", text[..8].to_ascii_uppercase())
}

/// One thing typed, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Upn(Upn),
    /// Ten digits that pass the ULN check, the NHS number check or both: matched against either.
    TenDigits {
        uln: Option<Uln>,
        nhs: Option<NhsNumber>,
    },
    DateOfBirth(Date),
    /// The 8 characters after `EHC-`, lower case.
    CaseReference(String),
    /// A name or part of one, folded (lower case, accents removed): the start of a forename or surname
    /// part.
    Name(String),
}

/// What was typed, as terms that must all match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    pub terms: Vec<Term>,
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// A date as people type one: day first (3/9/2015, 03-09-2015, 3.9.2015, 3 September 2015, 3 Sept 2015)
/// or ISO (2015-09-03). Impossible dates (31/2/2015) are not dates.
pub fn parse_typed_date(text: &str) -> Option<Date> {
    let t = text.trim();
    let parts: Vec<&str> = t.split(['/', '-', '.', ' ']).filter(|p| !p.is_empty()).collect();
    if parts.len() != 3 {
        return None;
    }
    let num = |s: &str| -> Option<u32> { (s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten() };
    let month = |s: &str| -> Option<u32> {
        if let Some(m) = num(s) {
            return Some(m);
        }
        let f = fold(s);
        (f.len() >= 3).then(|| MONTHS.iter().position(|m| f.starts_with(m)).map(|i| i as u32 + 1)).flatten()
    };
    let (y, m, d) = if parts[0].len() == 4 {
        (num(parts[0])?, num(parts[1])?, num(parts[2])?)
    } else if parts[2].len() == 4 {
        (num(parts[2])?, month(parts[1])?, num(parts[0])?)
    } else {
        return None;
    };
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

fn parse_reference(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_lowercase();
    let rest = t.strip_prefix("ehc-").or_else(|| t.strip_prefix("ehc"))?;
    (rest.len() == 8 && rest.bytes().all(|b| b.is_ascii_hexdigit())).then(|| rest.to_owned())
}

fn parse_identifier(text: &str) -> Option<Term> {
    if let Some(r) = parse_reference(text) {
        return Some(Term::CaseReference(r));
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if compact.len() == 13 {
        if let Ok(upn) = compact.parse::<Upn>() {
            return Some(Term::Upn(upn));
        }
    }
    if compact.len() == 10 && compact.bytes().all(|b| b.is_ascii_digit()) {
        let uln = compact.parse::<Uln>().ok();
        let nhs = compact.parse::<NhsNumber>().ok();
        if uln.is_some() || nhs.is_some() {
            return Some(Term::TenDigits { uln, nhs });
        }
    }
    None
}

impl SearchQuery {
    /// Read what was typed. The whole text is tried first as one identifier or date ("943 476 5919",
    /// "3 September 2015"); otherwise each word is a term of its own ("adams 3/9/2015").
    pub fn parse(text: &str) -> Self {
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let text = text.trim();
        if text.is_empty() {
            return Self::default();
        }
        if let Some(term) = parse_identifier(text) {
            return Self { terms: vec![term] };
        }
        if let Some(date) = parse_typed_date(text) {
            return Self { terms: vec![Term::DateOfBirth(date)] };
        }
        let terms = text
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .filter_map(|w| {
                parse_identifier(w).or_else(|| parse_typed_date(w).map(Term::DateOfBirth)).or_else(|| {
                    let f = fold(w);
                    (!f.is_empty()).then_some(Term::Name(f))
                })
            })
            .collect();
        Self { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether the child (with the ids of their cases) matches every term.
    pub fn matches(&self, child: &Child, cases: &[CaseId]) -> bool {
        if self.terms.is_empty() {
            return true;
        }
        let mut names: Vec<String> = name_parts(child.name.forename()).chain(name_parts(child.name.surname())).collect();
        // Whole names with their spaces, hyphens and apostrophes dropped: "delacruz", "obriensmith".
        names.push(fold(child.name.surname()));
        names.push(format!("{}{}", fold(child.name.forename()), fold(child.name.surname())));
        self.terms.iter().all(|term| match term {
            Term::Upn(u) => child.upn.as_ref() == Some(u),
            Term::TenDigits { uln, nhs } => {
                (uln.is_some() && child.uln.as_ref() == uln.as_ref()) || (nhs.is_some() && child.nhs_number.as_ref() == nhs.as_ref())
            }
            Term::DateOfBirth(d) => child.date_of_birth == *d,
            Term::CaseReference(r) => cases.iter().any(|c| c.to_string().starts_with(r.as_str())),
            Term::Name(n) => names.iter().any(|p| p.starts_with(n.as_str())),
        })
    }
}

/// Each part of a name, folded ("Smith-Jones" gives "smith" and "jones"; "O'Neil" gives "oneil").
fn name_parts(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| c == '-' || c.is_whitespace()).map(fold).filter(|p| !p.is_empty())
}

/// The order children are listed in: surname, then forename, folded (accents and case ignored), then
/// date of birth.
pub fn name_order(a: &Child, b: &Child) -> std::cmp::Ordering {
    name_key(a).cmp(&name_key(b))
}

/// What [`name_order`] compares, computed once per child: for sorting a long list by its cached key.
pub fn name_key(child: &Child) -> (String, String, Date) {
    (fold(child.name.surname()), fold(child.name.forename()), child.date_of_birth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_iso_date;
    use crate::child::{NewChild, PersonName, Sex};
    use crate::ids::ChildId;

    fn d(t: &str) -> Date {
        parse_iso_date(t).unwrap()
    }

    fn child(forename: &str, surname: &str, dob: &str) -> Child {
        let id: ChildId = "0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f".parse().unwrap();
        let mut new = NewChild {
            name: PersonName::new(forename, surname).unwrap(),
            date_of_birth: d(dob),
            sex: Sex::Female,
            ethnicity: None,
            postcode: None,
            upn: None,
            uln: None,
            nhs_number: None,
            responsible_la: "851".parse().unwrap(),
        };
        new.upn = Some("X931200124123".parse().unwrap());
        new.nhs_number = Some("9434765919".parse().unwrap());
        Child::new(id, new, d("2026-01-01")).unwrap()
    }

    #[test]
    fn dates_are_read_as_people_type_them_day_first() {
        for typed in ["3/9/2015", "03-09-2015", "2015-09-03", "3.9.2015", "3 September 2015", "03 Sep 2015", "3 sept 2015"] {
            assert_eq!(parse_typed_date(typed), Some(d("2015-09-03")), "{typed}");
        }
        assert_eq!(parse_typed_date("31/2/2015"), None);
        assert_eq!(parse_typed_date("2015"), None);
        assert_eq!(parse_typed_date("3/9/15"), None);
    }

    #[test]
    fn an_identifier_is_recognised_whole_and_matched_exactly() {
        let c = child("Ada", "Adams", "2015-09-03");
        assert!(matches!(SearchQuery::parse("x931200124123").terms[..], [Term::Upn(_)]));
        assert!(SearchQuery::parse("x931200124123").matches(&c, &[]));
        assert!(SearchQuery::parse("943 476 5919").matches(&c, &[]));
        assert!(!SearchQuery::parse("9434765927").matches(&c, &[]));
        assert!(SearchQuery::parse("3/9/2015").matches(&c, &[]));
        assert!(!SearchQuery::parse("4/9/2015").matches(&c, &[]));
    }

    #[test]
    fn names_match_from_their_start_whatever_the_case_and_accents() {
        let c = child("Zoë", "O'Brien-Smith", "2015-09-03");
        for typed in ["zoe", "ZOË", "obrien", "smith", "Zo Smi", "o'brien", "zoe 03-09-2015"] {
            assert!(SearchQuery::parse(typed).matches(&c, &[]), "{typed}");
        }
        for typed in ["mith", "zoe jones", "zoe 4/9/2015"] {
            assert!(!SearchQuery::parse(typed).matches(&c, &[]), "{typed}");
        }
    }

    #[test]
    fn a_case_reference_finds_the_child_of_that_case() {
        let c = child("Ada", "Adams", "2015-09-03");
        let case: CaseId = "1a2b3c4d-0000-4000-8000-000000000000".parse().unwrap();
        assert_eq!(case_reference(case), "EHC-1A2B3C4D");
        assert!(SearchQuery::parse("ehc-1a2b3c4d").matches(&c, &[case]));
        assert!(SearchQuery::parse("EHC-1A2B3C4D").matches(&c, &[case]));
        assert!(!SearchQuery::parse("EHC-1A2B3C4E").matches(&c, &[case]));
    }

    #[test]
    fn children_are_ordered_by_surname_then_forename_ignoring_accents() {
        let mut list = [child("Ben", "Élan", "2015-01-01"), child("Ada", "Elan", "2014-01-01"), child("Cy", "Adams", "2013-01-01")];
        list.sort_by(name_order);
        let names: Vec<&str> = list.iter().map(|c| c.name.forename()).collect();
        assert_eq!(names, ["Cy", "Ada", "Ben"]);
    }

    #[test]
    fn an_empty_query_matches_everyone_and_nothing_panics_on_odd_input() {
        let c = child("Ada", "Adams", "2015-09-03");
        assert!(SearchQuery::parse("  ").matches(&c, &[]));
        for odd in ["%%%", "\u{0}", "ß", "-", "////", &"a".repeat(10_000)] {
            let _ = SearchQuery::parse(odd).matches(&c, &[]);
        }
    }
}
