use super::*;
use crate::child::{PersonName, Sex};
use crate::identifiers::{LaCode, NhsNumber, Upn};

fn la() -> LaCode {
    "851".parse().unwrap()
}

fn person(forename: &str, surname: &str, dob: &str, sex: Sex, postcode: &str) -> PersonKeys {
    let mut k = PersonKeys::new(la());
    k.name = Some(PersonName::new(forename, surname).unwrap());
    k.date_of_birth = Some(dob.parse().unwrap());
    k.sex = Some(sex);
    k.postcode = Some(postcode.parse().unwrap());
    k
}

fn amy() -> PersonKeys {
    person("Amy", "Johnson", "2014-03-09", Sex::Female, "PO1 2AB")
}

fn upn(serial: u32) -> Upn {
    Upn::from_body(&format!("851200114{serial:03}")).unwrap()
}

#[test]
fn same_upn_is_a_deterministic_match_that_may_auto_merge() {
    let mut a = amy();
    let mut b = person("Amelia", "Jonson", "2014-09-03", Sex::Female, "SO1 1AA");
    a.upn = Some(upn(1));
    b.upn = Some(upn(1));
    let c = compare(&a, &b);
    assert_eq!((c.decision, c.rule), (Decision::Match, Some(Rule::SameUpn)));
    assert!(c.auto_merge());
}

#[test]
fn same_social_care_id_matches_only_within_one_la() {
    let mut a = amy();
    let mut b = amy();
    a.social_care_id = Some("SC123".parse().unwrap());
    b.social_care_id = Some("SC123".parse().unwrap());
    assert_eq!(compare(&a, &b).rule, Some(Rule::SameSocialCareId));
    b.la = "852".parse().unwrap();
    let c = compare(&a, &b);
    assert_eq!(c.rule, None, "ids from different LAs are not compared");
    assert!(!c.auto_merge());
}

#[test]
fn conflicting_nhs_numbers_with_nothing_shared_are_a_non_match_even_with_identical_demographics() {
    let mut a = amy();
    let mut b = amy();
    a.nhs_number = NhsNumber::from_stem("943476591");
    b.nhs_number = NhsNumber::from_stem("401023213");
    assert!(a.nhs_number.is_some() && b.nhs_number.is_some());
    let c = compare(&a, &b);
    assert_eq!((c.decision, c.rule), (Decision::NonMatch, Some(Rule::ConflictingIdentifier)));
}

#[test]
fn a_shared_identifier_with_a_conflicting_one_goes_to_review_never_merge() {
    let mut a = amy();
    let mut b = amy();
    a.upn = Some(upn(1));
    b.upn = Some(upn(1));
    a.nhs_number = NhsNumber::from_stem("943476591");
    b.nhs_number = NhsNumber::from_stem("401023213");
    let c = compare(&a, &b);
    assert_eq!((c.decision, c.rule), (Decision::Review, Some(Rule::SharedAndConflictingIdentifiers)));
    assert!(!c.auto_merge());
}

#[test]
fn identical_demographics_without_identifiers_score_a_match_but_are_not_auto_merged() {
    let c = compare(&amy(), &amy());
    assert_eq!(c.decision, Decision::Match);
    assert_eq!(c.score, 5.0 + 4.0 + 6.0 + 3.0 + 0.5);
    assert!(!c.auto_merge(), "scored matches go to review");
}

#[test]
fn a_surname_typo_still_scores_as_similar() {
    let b = person("Amy", "Jonhson", "2014-03-09", Sex::Female, "PO1 2AB");
    let c = compare(&amy(), &b);
    assert!(c.reasons.contains(&Reason::new("surname", "similar", points::SURNAME_SIMILAR)), "{}", c.explain());
    assert_eq!(c.decision, Decision::Match);
}

#[test]
fn swapped_forename_and_surname_are_recognised() {
    let b = person("Johnson", "Amy", "2014-03-09", Sex::Female, "PO1 2AB");
    let c = compare(&amy(), &b);
    assert!(c.reasons.contains(&Reason::new("names", "swapped", points::NAMES_SWAPPED)), "{}", c.explain());
    assert_ne!(c.decision, Decision::NonMatch);
}

#[test]
fn day_and_month_transposed_in_the_date_of_birth_score_partial_agreement() {
    let b = person("Amy", "Johnson", "2014-09-03", Sex::Female, "PO1 2AB");
    let c = compare(&amy(), &b);
    assert!(c.reasons.iter().any(|r| r.field == "date_of_birth" && r.outcome == "transposed_day_month"));
    assert_ne!(c.decision, Decision::NonMatch);
}

#[test]
fn a_date_of_birth_one_digit_off_scores_partial_agreement() {
    let b = person("Amy", "Johnson", "2014-03-08", Sex::Female, "PO1 2AB");
    let c = compare(&amy(), &b);
    assert!(c.reasons.iter().any(|r| r.field == "date_of_birth" && r.outcome == "one_digit_off"));
}

#[test]
fn accents_case_and_hyphens_do_not_count_as_differences() {
    let a = person("Zoë", "Smith-Jones", "2012-01-01", Sex::Female, "PO1 2AB");
    let b = person("ZOE", "SMITH JONES", "2012-01-01", Sex::Female, "PO1 2AB");
    let c = compare(&a, &b);
    assert!(c.reasons.contains(&Reason::new("forename", "agree", points::FORENAME_AGREE)), "{}", c.explain());
    assert!(c.reasons.contains(&Reason::new("surname", "agree", points::SURNAME_AGREE)), "{}", c.explain());
}

#[test]
fn a_nickname_counts_as_the_same_forename() {
    let a = person("William", "Ward", "2012-01-01", Sex::Male, "PO1 2AB");
    let b = person("Bill", "Ward", "2012-01-01", Sex::Male, "PO1 2AB");
    assert!(compare(&a, &b).reasons.contains(&Reason::new("forename", "nickname", points::FORENAME_NICKNAME)));
}

#[test]
fn twins_with_different_forenames_are_not_a_match() {
    let a = person("Oliver", "Patel", "2013-05-05", Sex::Male, "PO1 2AB");
    let b = person("Harry", "Patel", "2013-05-05", Sex::Male, "PO1 2AB");
    let c = compare(&a, &b);
    assert_ne!(c.decision, Decision::Match, "{}", c.explain());
}

#[test]
fn different_people_sharing_only_a_birth_year_are_a_non_match() {
    let a = amy();
    let b = person("Noah", "Williams", "2014-11-21", Sex::Male, "SO1 1AA");
    assert_eq!(compare(&a, &b).decision, Decision::NonMatch);
}

#[test]
fn the_explanation_names_fields_and_outcomes_but_no_personal_data() {
    let b = person("Amy", "Jonhson", "2014-09-03", Sex::Female, "PO1 3CD");
    let text = compare(&amy(), &b).explain();
    assert!(text.contains("surname:similar") && text.contains("date_of_birth:transposed_day_month"), "{text}");
    for secret in ["Amy", "Johnson", "Jonhson", "2014", "PO1"] {
        assert!(!text.contains(secret), "{text} leaks {secret}");
    }
}

#[test]
fn blocking_pairs_records_sharing_a_key_and_skips_unrelated_ones() {
    let records = vec![
        amy(),
        person("Amy", "Jonsen", "2014-09-03", Sex::Female, "PO1 2AB"),
        person("Noah", "Williams", "2010-11-21", Sex::Male, "SO1 1AA"),
        person("Johnson", "Amy", "2014-03-09", Sex::Female, "PO9 9ZZ"),
    ];
    let pairs = candidate_pairs(&records, 100);
    assert!(pairs.contains(&(0, 1)), "same postcode");
    assert!(pairs.contains(&(0, 3)), "date of birth");
    assert!(!pairs.iter().any(|&(i, j)| i == 2 || j == 2));
}

#[test]
fn oversized_blocks_are_skipped() {
    let records = vec![amy(), amy(), amy()];
    assert!(candidate_pairs(&records, 2).is_empty());
    assert_eq!(candidate_pairs(&records, 3).len(), 3);
}

#[test]
fn records_without_names_or_dates_compare_without_panicking() {
    let a = PersonKeys::new(la());
    let b = PersonKeys::new(la());
    let c = compare(&a, &b);
    assert_eq!(c.decision, Decision::NonMatch);
    assert!(blocking_keys(&a).is_empty());
}

#[test]
fn a_shared_identifier_on_clearly_different_children_goes_to_review_not_merge() {
    let mut a = amy();
    let mut b = person("Noah", "Williams", "2010-11-21", Sex::Male, "SO1 1AA");
    a.upn = Some(upn(7));
    b.upn = Some(upn(7));
    let c = compare(&a, &b);
    assert_eq!((c.decision, c.rule), (Decision::Review, Some(Rule::SharedIdentifierButDemographicsDisagree)));
    assert!(!c.auto_merge());
}

#[test]
fn a_scan_keeps_matches_and_reviews_and_drops_non_matches() {
    let records = vec![
        amy(),
        person("Amy", "Jonhson", "2014-03-09", Sex::Female, "PO1 2AB"),
        person("Noah", "Williams", "2014-03-09", Sex::Male, "SO1 1AA"),
    ];
    let found = scan(&records, Thresholds::default(), 100);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].a, found[0].b, found[0].comparison.decision), (0, 1, Decision::Match));
}

#[test]
fn pairs_touching_new_records_are_exactly_the_blocked_pairs_that_involve_one() {
    let records = vec![
        amy(),
        person("Amy", "Jonsen", "2014-09-03", Sex::Female, "PO1 2AB"),
        person("Noah", "Williams", "2010-11-21", Sex::Male, "SO1 1AA"),
        person("Johnson", "Amy", "2014-03-09", Sex::Female, "PO9 9ZZ"),
        person("Noah", "Wiliams", "2010-11-21", Sex::Male, "SO1 1AA"),
        person("Amy", "Johnson", "2014-03-09", Sex::Female, "PO1 2AB"),
    ];
    for first_new in 0..=records.len() {
        let expected: Vec<(usize, usize)> = candidate_pairs(&records, 100).into_iter().filter(|&(_, j)| j >= first_new).collect();
        assert_eq!(candidate_pairs_touching(&records, first_new, 100), expected, "first_new {first_new}");
    }
    // Pairs among the old records alone are never compared again.
    assert!(!candidate_pairs_touching(&records, 4, 100).contains(&(0, 1)));
    assert!(candidate_pairs_touching(&records, 4, 100).contains(&(2, 4)));
}

#[test]
fn pairs_touching_new_records_skip_the_same_oversized_blocks() {
    let records = vec![amy(), amy(), amy()];
    assert!(candidate_pairs_touching(&records, 2, 2).is_empty());
    assert_eq!(candidate_pairs_touching(&records, 2, 3), [(0, 2), (1, 2)]);
    let found = scan_touching(&records, 2, Thresholds::default(), MAX_BLOCK);
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|p| p.comparison.decision == Decision::Match && !p.comparison.auto_merge()));
}
