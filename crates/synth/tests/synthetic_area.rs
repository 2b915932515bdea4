//! The synthetic local areas every demo, test and benchmark runs on: calibrated, reproducible, and made
//! only of records the domain accepts.

use std::collections::{BTreeSet, HashSet};
use waymark_domain::case::{Case, CaseEventKind};
use waymark_domain::clock::evaluate;
use waymark_synth::calibration::report;
use waymark_synth::la::as_of;
use waymark_synth::{generate_la, Cohort, LaData, Profile};

fn generate(profile: &Profile, seed: u64) -> Vec<LaData> {
    profile.las.iter().map(|la| generate_la(la, seed)).collect()
}

/// A fingerprint of everything generated: children, cases and placements, in order.
fn fingerprint(data: &[LaData]) -> String {
    let mut out = String::new();
    for d in data {
        for p in &d.people {
            out += &format!("{:?}|{:?}|{:?}\n", p.child, p.cases, p.placements);
        }
    }
    out
}

#[test]
fn the_small_profile_is_within_tolerance_of_every_calibrated_figure() {
    let profile = Profile::small();
    let data = generate(&profile, 7);
    let r = report(&profile, &data);
    assert!(r.all_within(), "outside tolerance:\n{r}");
    assert!(r.figures.len() >= 25, "{r}");
}

#[test]
fn the_portsmouth_profile_is_within_tolerance_including_its_2023_collapse() {
    let profile = Profile::by_name("portsmouth", 7).unwrap();
    let data = generate(&profile, 7);
    let r = report(&profile, &data);
    assert!(r.all_within(), "outside tolerance:\n{r}");
    // About 2,300 plans at the January 2025 census (national-statistics.md §3d).
    let caseload = r.figures.iter().find(|f| f.figure.contains("in force, census Jan 2025")).unwrap();
    assert!((2_250.0..=2_370.0).contains(&caseload.generated), "{caseload:?}");
    let collapse = r.figures.iter().find(|f| f.figure.contains("2023 plans within 20 weeks")).unwrap();
    assert!(collapse.generated < 10.0, "Portsmouth's 2023 timeliness collapse should show: {collapse:?}");
}

#[test]
fn the_kent_profile_is_within_tolerance() {
    let profile = Profile::by_name("kent", 7).unwrap();
    let data = generate(&profile, 7);
    let r = report(&profile, &data);
    assert!(r.all_within(), "outside tolerance:\n{r}");
}

#[test]
fn the_same_seed_gives_the_same_data_and_another_seed_does_not() {
    let profile = Profile::small();
    let a = fingerprint(&generate(&profile, 7));
    let b = fingerprint(&generate(&profile, 7));
    assert_eq!(a, b);
    assert_ne!(a, fingerprint(&generate(&profile, 8)));
}

#[test]
fn every_generated_case_replays_through_the_lifecycle_and_the_clock() {
    let profile = Profile::small();
    let data = generate(&profile, 3);
    for d in &data {
        assert_eq!(d.refused_cases, 0);
        for p in &d.people {
            for (id, events) in &p.cases {
                let case = Case::replay(*id, p.child.id, events).expect("lifecycle accepts the case");
                evaluate(&case.clock_input(), as_of()).expect("the clock can count the case");
                assert!(events.iter().all(|e| e.date <= as_of()), "no event after the census");
            }
        }
    }
}

#[test]
fn identifiers_are_valid_and_unique_and_every_stage_of_casework_appears() {
    let profile = Profile::by_name("portsmouth", 11).unwrap();
    let data = generate(&profile, 11);
    let mut upns = HashSet::new();
    let mut nhs = HashSet::new();
    let mut ids = HashSet::new();
    let mut kinds = BTreeSet::new();
    let mut cohorts = BTreeSet::new();
    for p in &data[0].people {
        assert!(ids.insert(p.child.id));
        if let Some(u) = &p.child.upn {
            assert!(upns.insert(u.clone()), "duplicate UPN {u}");
        }
        if let Some(n) = &p.child.nhs_number {
            assert!(nhs.insert(n.clone()), "duplicate NHS number");
        }
        cohorts.insert(p.cohort);
        for (_, events) in &p.cases {
            for e in events {
                kinds.insert(e.type_name());
            }
        }
        for pl in &p.placements {
            pl.check().expect("placement rules hold");
        }
    }
    assert_eq!(cohorts.len(), 4, "plan holders, requests without plans, SEN support and no SEN: {cohorts:?}");
    for kind in [
        "request_received",
        "decided_to_assess",
        "decided_not_to_assess",
        "advice_requested",
        "advice_received",
        "exception_started",
        "exception_ended",
        "decided_to_issue",
        "decided_not_to_issue",
        "draft_issued",
        "final_issued",
        "existing_plan",
        "review_meeting",
        "review_report_sent",
        "review_decision",
        "amendments_proposed",
        "amended_final_issued",
        "phase_transfer_planned",
        "ceased",
        "withdrawn",
        "mediation_held",
        "appeal_lodged",
        "appeal_decided",
    ] {
        assert!(kinds.contains(kind), "no {kind} event generated");
    }
    let pupils = data[0].people.iter().filter(|p| matches!(p.cohort, Cohort::NoSen | Cohort::SenSupport)).count();
    assert!(pupils > 20_000, "a Portsmouth-sized school population: {pupils}");
    let _ = CaseEventKind::Withdrawn;
}

#[test]
fn england_has_153_las_and_the_national_caseload() {
    let p = Profile::england(7);
    assert_eq!(p.las.len(), 153);
    assert!((630_000..=645_000).contains(&p.plans_2025()));
}

fn facts_report(name: &str) -> waymark_synth::calibration::Report {
    let profile = Profile::by_name(name, 7).unwrap();
    let data = generate(&profile, 7);
    let facts: Vec<_> = data.iter().map(|d| waymark_synth::generate_facts(d, 7)).collect();
    waymark_synth::calibration::report_with_facts(&profile, &data, &facts)
}

#[test]
fn the_small_profile_facts_are_within_tolerance_of_absence_exclusion_and_attainment_figures() {
    let r = facts_report("small");
    assert!(r.all_within(), "outside tolerance:\n{r}");
    for figure in [
        "persistently absent",
        "children in need",
        "child protection plan",
        "looked after",
        "FSM eligible on the Jan 2025 census",
        "EYFSP",
        "phonics",
        "NEET",
    ] {
        assert!(r.figures.iter().any(|f| f.figure.contains(figure)), "no {figure} figure:\n{r}");
    }
}

#[test]
fn the_portsmouth_and_kent_profile_facts_are_within_tolerance() {
    for name in ["portsmouth", "kent"] {
        let r = facts_report(name);
        assert!(r.all_within(), "{name} outside tolerance:\n{r}");
    }
}

#[test]
fn the_same_seed_gives_the_same_facts_and_la_data_is_unchanged_by_them() {
    let profile = Profile::small();
    let data = generate(&profile, 7);
    let before = fingerprint(&data);
    let a: Vec<_> = data.iter().map(|d| format!("{:?}", waymark_synth::generate_facts(d, 7))).collect();
    let b: Vec<_> = data.iter().map(|d| format!("{:?}", waymark_synth::generate_facts(d, 7))).collect();
    assert_eq!(a, b);
    assert_eq!(before, fingerprint(&generate(&profile, 7)));
    let c: Vec<_> = data.iter().map(|d| format!("{:?}", waymark_synth::generate_facts(d, 8))).collect();
    assert_ne!(a, c);
}

fn small_facts(seed: u64) -> (Vec<LaData>, Vec<waymark_synth::LaFacts>) {
    let profile = Profile::small();
    let data = generate(&profile, seed);
    let facts = data.iter().map(|d| waymark_synth::generate_facts(d, seed)).collect();
    (data, facts)
}

#[test]
fn every_dataset_the_import_accepts_is_generated_with_rows() {
    let (data, facts) = small_facts(7);
    let names: Vec<&str> = waymark_domain::facts::Dataset::ALL.iter().map(|d| d.name()).collect();
    assert_eq!(waymark_synth::facts::DATASETS.to_vec(), names, "one CSV per dataset, in the import's order");
    let counts = facts[0].row_counts();
    for (dataset, n) in &counts {
        assert!(*n > 0, "no {dataset} rows: {counts:?}");
    }
    for dataset in waymark_synth::facts::DATASETS {
        let mut csv = Vec::new();
        waymark_synth::facts::write_csv(dataset, &[(&data[0], &facts[0], &Profile::small().las[0].localities)], true, &mut csv).unwrap();
        let text = String::from_utf8(csv).unwrap();
        assert!(text.lines().count() > 1, "{dataset}.csv has no rows");
    }
}

/// The rows of one generated CSV as maps of column to value.
fn csv_rows(data: &LaData, facts: &waymark_synth::LaFacts, dataset: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut csv = Vec::new();
    waymark_synth::facts::write_csv(dataset, &[(data, facts, &[])], true, &mut csv).unwrap();
    let text = String::from_utf8(csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(str::to_owned).collect();
    // Names never hold commas here (invented lists), so a plain split is exact.
    lines.map(|l| header.iter().cloned().zip(l.split(',').map(str::to_owned)).collect()).collect()
}

#[test]
fn each_agency_knows_the_child_by_its_own_identifier_and_every_other_it_holds() {
    let (data, facts) = small_facts(7);
    for (dataset, column) in [
        ("cin", "social_care_id"),
        ("child-protection", "social_care_id"),
        ("looked-after", "social_care_id"),
        ("care-services", "social_care_id"),
        ("two-year-review", "nhs_number"),
        ("health-checks", "nhs_number"),
        ("health-referrals", "nhs_number"),
        ("eyfsp", "upn"),
        ("phonics", "upn"),
        ("reduced-timetables", "upn"),
    ] {
        let rows = csv_rows(&data[0], &facts[0], dataset);
        assert!(!rows.is_empty(), "{dataset}");
        for row in &rows {
            assert!(!row[column].is_empty(), "{dataset} row without {column}: {row:?}");
            assert!(!row["date_of_birth"].is_empty() && !row["surname"].is_empty(), "{dataset}: {row:?}");
        }
    }
    for dataset in ["post16-activity", "level-by-19"] {
        for row in csv_rows(&data[0], &facts[0], dataset) {
            assert!(!row["uln"].is_empty() || !row["upn"].is_empty(), "{dataset} row without ULN or UPN: {row:?}");
        }
    }
    // One social care id per child, the same in every social care dataset.
    let mut ids: std::collections::HashMap<String, String> = Default::default();
    for dataset in ["cin", "child-protection", "looked-after", "care-services"] {
        for row in csv_rows(&data[0], &facts[0], dataset) {
            let nhs = ids.entry(row["social_care_id"].clone()).or_insert_with(|| row["nhs_number"].clone());
            assert_eq!(*nhs, row["nhs_number"], "{dataset}: a social care id names two children");
        }
    }
}

#[test]
fn child_protection_plans_and_periods_of_care_sit_inside_child_in_need_episodes() {
    let (_, facts) = small_facts(3);
    let sc = &facts[0].social_care;
    let far = waymark_domain::calendar::date_in_year(2100, 1, 1).unwrap();
    let inside = |person: usize, start, end: Option<_>| {
        sc.cin.iter().any(|c| c.person == person && c.start <= start && c.end.unwrap_or(far) >= end.unwrap_or(far))
    };
    assert!(!sc.child_protection.is_empty() && !sc.looked_after.is_empty());
    for cp in &sc.child_protection {
        assert!(inside(cp.person, cp.start, cp.end), "a plan outside any episode: {cp:?}");
    }
    for la in sc.looked_after.iter().filter(|l| l.counts_as_looked_after()) {
        assert!(inside(la.person, la.start, la.end), "care outside any episode: {la:?}");
        assert!(la.end.is_none_or(|e| e >= la.start));
    }
    assert!(sc.looked_after.iter().any(|l| l.placement_la != Some(facts_la())), "some placements are out of area");
    assert!(sc.looked_after.iter().any(|l| l.legal_status == "V4"), "short-break agreements appear");
}

fn facts_la() -> waymark_domain::identifiers::LaCode {
    Profile::small().las[0].code
}

#[test]
fn referrals_are_seen_after_they_are_made_and_have_an_outcome_only_once_closed() {
    let (_, facts) = small_facts(7);
    let h = &facts[0].health;
    let cut = as_of();
    assert!(h.referrals.iter().any(|r| r.service == "autism_assessment" && r.outcome == Some("diagnosed")));
    assert!(h.referrals.iter().any(|r| r.first_appointment.is_none()), "someone is still waiting");
    for r in &h.referrals {
        assert!(r.referral <= cut);
        assert!(r.first_appointment.is_none_or(|f| f >= r.referral && f <= cut), "{r:?}");
        assert!(r.closed.is_none_or(|c| Some(c) >= r.first_appointment && c <= cut), "{r:?}");
        assert_eq!(r.outcome.is_some(), r.closed.is_some(), "{r:?}");
    }
}

#[test]
fn only_young_people_who_stay_at_school_are_on_the_census_in_years_12_and_13() {
    let (data, facts) = small_facts(7);
    let routes = waymark_synth::facts::post16::routes(&data[0], 7);
    let sixth: Vec<_> = facts[0].census.iter().filter(|r| r.ncy >= 12 && data[0].people[r.person].placements.is_empty()).collect();
    assert!(!sixth.is_empty());
    assert!(sixth.iter().all(|r| routes[r.person].in_school()));
    // And the others are tracked month by month instead: some NEET, some not known.
    let activity = &facts[0].post16.activity;
    assert!(activity.iter().any(|r| r.is_neet()) && activity.iter().any(|r| r.activity == "not_known"));
    assert!(activity.iter().any(|r| r.activity == "supported_internship" || r.activity == "apprenticeship"));
}
