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
    assert!(r.figures.iter().any(|f| f.figure.contains("persistently absent")), "{r}");
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
