//! Identity across agencies: whether two records ([`PersonKeys`]) describe the same child.
//!
//! Deterministic rules come first ([`Rule`]): a shared UPN, NHS number, ULN or social care id (within
//! one LA) is a match, a conflicting strong identifier with none shared is a non-match, and a shared
//! identifier alongside a conflicting one goes to review. Everything else is scored: each field adds
//! or subtracts transparent points (log-odds in the style of Fellegi and Sunter, rounded), and the
//! total falls in one of three bands ([`Thresholds`]): [`Decision::Match`], [`Decision::Review`] or
//! [`Decision::NonMatch`]. Every decision carries its reasons, field by field, for the review queue.
//!
//! Only deterministic matches are safe to merge without a person looking ([`Comparison::auto_merge`]);
//! see docs/identity.md for the benchmark that sets the thresholds. Pure: no I/O, no logging.

pub mod normalise;

use crate::calendar::Date;
use crate::child::Child;
use crate::facts::identity::PersonKeys;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// A stored child's record as the matcher sees it: identifiers, names, date of birth, sex, postcode and
/// ethnicity, in the child's responsible LA. (A social care id is held beside the record, not in it:
/// the caller adds it.)
pub fn keys_of(child: &Child) -> PersonKeys {
    let mut k = PersonKeys::new(child.responsible_la);
    k.upn = child.upn.clone();
    k.uln = child.uln.clone();
    k.nhs_number = child.nhs_number.clone();
    k.name = Some(child.name.clone());
    k.date_of_birth = Some(child.date_of_birth);
    k.sex = Some(child.sex);
    k.postcode = child.postcode.clone();
    k.ethnicity = child.ethnicity;
    k
}

/// What the matcher concludes about a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The same child.
    Match,
    /// Perhaps the same child: a person decides.
    Review,
    /// Different children.
    NonMatch,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Match => "match",
            Self::Review => "review",
            Self::NonMatch => "non_match",
        }
    }
}

/// The deterministic rule that decided a pair, when one did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    SameUpn,
    SameNhsNumber,
    SameUln,
    /// The same social care id in the same LA (ids are unique only within an LA).
    SameSocialCareId,
    /// A strong identifier differs and none agrees.
    ConflictingIdentifier,
    /// One identifier agrees and another differs: a data error somewhere, so a person looks.
    SharedAndConflictingIdentifiers,
    /// An identifier agrees but names, date of birth and the rest score below zero: a person looks.
    SharedIdentifierButDemographicsDisagree,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SameUpn => "same_upn",
            Self::SameNhsNumber => "same_nhs_number",
            Self::SameUln => "same_uln",
            Self::SameSocialCareId => "same_social_care_id",
            Self::ConflictingIdentifier => "conflicting_identifier",
            Self::SharedAndConflictingIdentifiers => "shared_and_conflicting_identifiers",
            Self::SharedIdentifierButDemographicsDisagree => "shared_identifier_but_demographics_disagree",
        }
    }
}

/// One field's contribution to a decision. Says how the field compared, never its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The field: `upn`, `forename`, `surname`, `names`, `date_of_birth`, `postcode`, `sex`, ...
    pub field: String,
    /// How it compared: `agree`, `similar`, `nickname`, `swapped`, `transposed_day_month`, `disagree`, `missing`, ...
    pub outcome: String,
    /// Points added to the score (0 for deterministic reasons and missing fields).
    pub points: f64,
}

impl Reason {
    fn new(field: &str, outcome: &str, points: f64) -> Self {
        Self { field: field.to_owned(), outcome: outcome.to_owned(), points }
    }
}

/// The outcome of comparing two records, with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub decision: Decision,
    /// The scored total of the demographic fields (0 when conflicting identifiers decided).
    pub score: f64,
    /// The deterministic rule that decided, if any.
    pub rule: Option<Rule>,
    pub reasons: Vec<Reason>,
}

impl Comparison {
    /// Whether the pair may be merged without a person deciding: only a deterministic identifier
    /// match. Scored matches go to the review queue (docs/identity.md, "Never merge silently").
    pub fn auto_merge(&self) -> bool {
        self.decision == Decision::Match
            && matches!(self.rule, Some(Rule::SameUpn | Rule::SameNhsNumber | Rule::SameUln | Rule::SameSocialCareId))
    }

    /// The reasons as one line for a reviewer, e.g. `surname:agree(+5) date_of_birth:transposed_day_month(+3)`.
    pub fn explain(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(rule) = self.rule {
            parts.push(format!("rule:{}", rule.as_str()));
        }
        for r in &self.reasons {
            if r.points == 0.0 {
                parts.push(format!("{}:{}", r.field, r.outcome));
            } else {
                parts.push(format!("{}:{}({:+})", r.field, r.outcome, r.points));
            }
        }
        parts.join(" ")
    }
}

/// The score bands. A score at or above `upper` is a match, at or above `lower` goes to review.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub upper: f64,
    pub lower: f64,
}

impl Default for Thresholds {
    /// Set from the benchmark (docs/identity.md).
    fn default() -> Self {
        Self { upper: 13.0, lower: 9.0 }
    }
}

/// Points for each field outcome. Positive when agreement is much likelier for the same child than
/// for two different ones; negative for disagreement. Transparent, and tuned on the benchmark.
pub mod points {
    pub const SURNAME_AGREE: f64 = 5.0;
    pub const SURNAME_SIMILAR: f64 = 3.0;
    pub const SURNAME_PART: f64 = 3.0;
    pub const SURNAME_DISAGREE: f64 = -4.0;
    pub const FORENAME_AGREE: f64 = 4.0;
    pub const FORENAME_SIMILAR: f64 = 2.5;
    pub const FORENAME_NICKNAME: f64 = 3.0;
    pub const FORENAME_INITIAL: f64 = 0.5;
    pub const FORENAME_DISAGREE: f64 = -3.0;
    /// Forename and surname swapped between the records: both names agree, less a little.
    pub const NAMES_SWAPPED: f64 = 7.5;
    pub const DOB_AGREE: f64 = 6.0;
    pub const DOB_TRANSPOSED: f64 = 3.5;
    pub const DOB_ONE_DIGIT: f64 = 3.0;
    pub const DOB_SAME_YEAR: f64 = -2.0;
    pub const DOB_DISAGREE: f64 = -7.0;
    pub const POSTCODE_AGREE: f64 = 3.0;
    pub const POSTCODE_OUTWARD: f64 = 1.5;
    /// Families move, so a different postcode counts only a little against.
    pub const POSTCODE_DISAGREE: f64 = -0.5;
    pub const SEX_AGREE: f64 = 0.5;
    pub const SEX_DISAGREE: f64 = -3.0;
}

/// Jaro-Winkler similarity at or above which two folded names count as similar (a typo).
pub const SIMILAR_NAME: f64 = 0.90;

/// Compare two records with the default thresholds.
pub fn compare(a: &PersonKeys, b: &PersonKeys) -> Comparison {
    compare_with(a, b, Thresholds::default())
}

/// Compare two records: deterministic rules first, then the score.
pub fn compare_with(a: &PersonKeys, b: &PersonKeys, thresholds: Thresholds) -> Comparison {
    let mut shared = Vec::new();
    let mut conflicting = Vec::new();
    let mut reasons = Vec::new();
    let mut check = |field: &str, same: Option<bool>, rule: Rule| match same {
        Some(true) => {
            shared.push(rule);
            reasons.push(Reason::new(field, "agree", 0.0));
        }
        Some(false) => {
            conflicting.push(field.to_owned());
            reasons.push(Reason::new(field, "disagree", 0.0));
        }
        None => {}
    };
    check("upn", both(&a.upn, &b.upn).map(|(x, y)| x == y), Rule::SameUpn);
    check("nhs_number", both(&a.nhs_number, &b.nhs_number).map(|(x, y)| x == y), Rule::SameNhsNumber);
    check("uln", both(&a.uln, &b.uln).map(|(x, y)| x == y), Rule::SameUln);
    // A social care id means something only within its LA: ids from different LAs are not compared.
    let scid = if a.la == b.la { both(&a.social_care_id, &b.social_care_id).map(|(x, y)| x == y) } else { None };
    check("social_care_id", scid, Rule::SameSocialCareId);

    match (shared.first(), conflicting.is_empty()) {
        (Some(&rule), true) => {
            // A shared identifier decides, unless the demographics say clearly that these are two
            // different children (a mistyped identifier that happens to be valid): then a person looks.
            let mut c = score(a, b, thresholds, reasons);
            if c.score < 0.0 {
                c.rule = Some(Rule::SharedIdentifierButDemographicsDisagree);
                c.decision = Decision::Review;
            } else {
                c.rule = Some(rule);
                c.decision = Decision::Match;
            }
            return c;
        }
        (Some(_), false) => {
            let mut c = score(a, b, thresholds, reasons);
            c.rule = Some(Rule::SharedAndConflictingIdentifiers);
            c.decision = Decision::Review;
            return c;
        }
        (None, false) => {
            return Comparison { decision: Decision::NonMatch, score: 0.0, rule: Some(Rule::ConflictingIdentifier), reasons };
        }
        (None, true) => {}
    }
    score(a, b, thresholds, reasons)
}

fn both<'a, T>(a: &'a Option<T>, b: &'a Option<T>) -> Option<(&'a T, &'a T)> {
    Some((a.as_ref()?, b.as_ref()?))
}

fn score(a: &PersonKeys, b: &PersonKeys, thresholds: Thresholds, mut reasons: Vec<Reason>) -> Comparison {
    match both(&a.name, &b.name) {
        Some((x, y)) => reasons.extend(compare_names(x.forename(), x.surname(), y.forename(), y.surname())),
        None => reasons.push(Reason::new("names", "missing", 0.0)),
    }
    reasons.push(match both(&a.date_of_birth, &b.date_of_birth) {
        Some((x, y)) => compare_dob(*x, *y),
        None => Reason::new("date_of_birth", "missing", 0.0),
    });
    reasons.push(match both(&a.postcode, &b.postcode) {
        Some((x, y)) if x == y => Reason::new("postcode", "agree", points::POSTCODE_AGREE),
        Some((x, y)) if x.outward() == y.outward() => Reason::new("postcode", "same_outward", points::POSTCODE_OUTWARD),
        Some(_) => Reason::new("postcode", "disagree", points::POSTCODE_DISAGREE),
        None => Reason::new("postcode", "missing", 0.0),
    });
    reasons.push(match both(&a.sex, &b.sex) {
        Some((x, y)) if x == y => Reason::new("sex", "agree", points::SEX_AGREE),
        Some(_) => Reason::new("sex", "disagree", points::SEX_DISAGREE),
        None => Reason::new("sex", "missing", 0.0),
    });
    let total: f64 = reasons.iter().map(|r| r.points).sum();
    let decision = if total >= thresholds.upper {
        Decision::Match
    } else if total >= thresholds.lower {
        Decision::Review
    } else {
        Decision::NonMatch
    };
    Comparison { decision, score: total, rule: None, reasons }
}

/// How one pair of names compares: `(outcome, points)`.
fn name_outcome(a: &str, b: &str, surname: bool) -> (&'static str, f64) {
    use points::*;
    let (fa, fb) = (normalise::fold(a), normalise::fold(b));
    if fa.is_empty() || fb.is_empty() {
        return ("missing", 0.0);
    }
    if fa == fb {
        return ("agree", if surname { SURNAME_AGREE } else { FORENAME_AGREE });
    }
    if !surname && normalise::nickname_of(&fa, &fb) {
        return ("nickname", FORENAME_NICKNAME);
    }
    let (pa, pb) = (normalise::parts(a), normalise::parts(b));
    if surname && (pa.len() > 1 || pb.len() > 1) && pa.iter().any(|p| pb.contains(p)) {
        return ("shares_a_part", SURNAME_PART);
    }
    if strsim::jaro_winkler(&fa, &fb) >= SIMILAR_NAME || strsim::damerau_levenshtein(&fa, &fb) <= 1 {
        return ("similar", if surname { SURNAME_SIMILAR } else { FORENAME_SIMILAR });
    }
    if !surname && (fa.len() == 1 || fb.len() == 1) && fa.chars().next() == fb.chars().next() {
        return ("initial", FORENAME_INITIAL);
    }
    ("disagree", if surname { SURNAME_DISAGREE } else { FORENAME_DISAGREE })
}

fn compare_names(fa: &str, sa: &str, fb: &str, sb: &str) -> Vec<Reason> {
    let (fo, fp) = name_outcome(fa, fb, false);
    let (so, sp) = name_outcome(sa, sb, true);
    let straight = fp + sp;
    // Forename and surname swapped between the records (a common data-entry error).
    let (xo, xp) = (name_outcome(fa, sb, true), name_outcome(sa, fb, true));
    let swapped_agree = matches!(xo.0, "agree" | "similar") && matches!(xp.0, "agree" | "similar");
    if swapped_agree && points::NAMES_SWAPPED > straight {
        let pts = if xo.0 == "agree" && xp.0 == "agree" { points::NAMES_SWAPPED } else { points::NAMES_SWAPPED - 2.0 };
        return vec![Reason::new("names", "swapped", pts)];
    }
    vec![Reason::new("forename", fo, fp), Reason::new("surname", so, sp)]
}

fn compare_dob(a: Date, b: Date) -> Reason {
    use points::*;
    if a == b {
        return Reason::new("date_of_birth", "agree", DOB_AGREE);
    }
    if a.year() == b.year() && a.day() == b.month() && a.month() == b.day() {
        return Reason::new("date_of_birth", "transposed_day_month", DOB_TRANSPOSED);
    }
    let (x, y) = (a.format("%Y%m%d").to_string(), b.format("%Y%m%d").to_string());
    let differing = x.bytes().zip(y.bytes()).filter(|(p, q)| p != q).count();
    if differing == 1 {
        return Reason::new("date_of_birth", "one_digit_off", DOB_ONE_DIGIT);
    }
    if a.year() == b.year() {
        return Reason::new("date_of_birth", "same_year_only", DOB_SAME_YEAR);
    }
    Reason::new("date_of_birth", "disagree", DOB_DISAGREE)
}

/// The blocking keys of a record: two records are compared only when they share one. Identifiers
/// (so deterministic matches are always found), date of birth, surname sound + birth year, forename
/// sound + birth year (catches swapped names and surname typos that change the sound), and the full
/// postcode (catches date-of-birth errors). Values are personal data: never log them.
pub fn blocking_keys(r: &PersonKeys) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(v) = &r.upn {
        keys.push(format!("upn:{v}"));
    }
    if let Some(v) = &r.nhs_number {
        keys.push(format!("nhs:{v}"));
    }
    if let Some(v) = &r.uln {
        keys.push(format!("uln:{v}"));
    }
    if let Some(v) = &r.social_care_id {
        keys.push(format!("scid:{}:{v}", r.la));
    }
    if let Some(dob) = r.date_of_birth {
        keys.push(format!("dob:{dob}"));
        if let Some(name) = &r.name {
            for n in [name.surname(), name.forename()] {
                let code = normalise::soundex(n);
                if !code.is_empty() {
                    keys.push(format!("sx:{code}:{}", dob.year()));
                }
            }
        }
    }
    if let Some(pc) = &r.postcode {
        keys.push(format!("pc:{pc}"));
    }
    keys
}

/// The pairs `(i, j)` with `i < j` of records sharing a blocking key, each once, in order. Blocks
/// larger than `max_block` are skipped (a key shared by that many records does not discriminate).
pub fn candidate_pairs(records: &[PersonKeys], max_block: usize) -> Vec<(usize, usize)> {
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        for k in blocking_keys(r) {
            blocks.entry(k).or_default().push(i);
        }
    }
    let mut pairs = BTreeSet::new();
    for members in blocks.values() {
        if members.len() < 2 || members.len() > max_block {
            continue;
        }
        for (n, &i) in members.iter().enumerate() {
            for &j in &members[n + 1..] {
                if i != j {
                    pairs.insert((i.min(j), i.max(j)));
                }
            }
        }
    }
    pairs.into_iter().collect()
}

/// The largest block compared: a blocking key shared by more records than this does not discriminate
/// (a very common surname sound in one birth year), so its pairs are left to the other keys. The
/// benchmark and the store use the same value.
pub const MAX_BLOCK: usize = 500;

/// As [`candidate_pairs`], but only the pairs that involve at least one of the records from
/// `first_new` on: what to compare when new records join ones already compared among themselves
/// (an import's new children against the children already stored). Blocks are built over all the
/// records, so a block's size, and whether it is skipped, is the same as for [`candidate_pairs`].
pub fn candidate_pairs_touching(records: &[PersonKeys], first_new: usize, max_block: usize) -> Vec<(usize, usize)> {
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        for k in blocking_keys(r) {
            blocks.entry(k).or_default().push(i);
        }
    }
    let mut pairs = BTreeSet::new();
    for members in blocks.values() {
        if members.len() < 2 || members.len() > max_block || members[members.len() - 1] < first_new {
            continue;
        }
        // Members are in index order: pair each new member with every member before it.
        for (n, &j) in members.iter().enumerate().filter(|&(_, &j)| j >= first_new) {
            for &i in &members[..n] {
                if i != j {
                    pairs.insert((i.min(j), i.max(j)));
                }
            }
        }
    }
    pairs.into_iter().collect()
}

/// As [`scan`], but only pairs involving a record from `first_new` on ([`candidate_pairs_touching`]).
pub fn scan_touching(records: &[PersonKeys], first_new: usize, thresholds: Thresholds, max_block: usize) -> Vec<ScoredPair> {
    candidate_pairs_touching(records, first_new, max_block)
        .into_iter()
        .filter_map(|(a, b)| {
            let comparison = compare_with(&records[a], &records[b], thresholds);
            (comparison.decision != Decision::NonMatch).then_some(ScoredPair { a, b, comparison })
        })
        .collect()
}

/// One pair found by [`scan`]: indexes into the records and the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPair {
    pub a: usize,
    pub b: usize,
    pub comparison: Comparison,
}

/// Block, compare and keep every pair that is not a non-match: what fills a review queue (and, for
/// pairs whose [`Comparison::auto_merge`] is true, what may be merged without review).
pub fn scan(records: &[PersonKeys], thresholds: Thresholds, max_block: usize) -> Vec<ScoredPair> {
    candidate_pairs(records, max_block)
        .into_iter()
        .filter_map(|(a, b)| {
            let comparison = compare_with(&records[a], &records[b], thresholds);
            (comparison.decision != Decision::NonMatch).then_some(ScoredPair { a, b, comparison })
        })
        .collect()
}

#[cfg(test)]
mod tests;
