//! Measures over person-level facts on small hand-built areas with known answers: every kind of fact
//! the measure language reads (school census, attendance, exclusions, reduced timetables, attainment,
//! social care, health, post-16 activity, youth justice), built from the domain's own fact types as the
//! store holds them, with cohorts, gaps, free school meals and localities from the census, and
//! "awaiting data" only where the area has no such facts. The person table's files carry them too.

use waymark_domain::calendar::Date;
use waymark_domain::child::{Child, NewChild, PersonName, SenStatus, Sex};
use waymark_domain::facts::PersonFact;
use waymark_domain::ids::ChildId;
use waymark_domain::need::{NeedCode, RankedNeeds};
use waymark_indicators::definition::parse_framework;
use waymark_indicators::facts::row_of;
use waymark_indicators::table::{code_only_lookup, TableBuilder};
use waymark_indicators::{compute, files, find_framework, load, Loaded, ManualValues, PeriodSel, PersonTable, Results, Scope, Status};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn child(n: u128, dob: &str, sen: Option<(SenStatus, NeedCode)>) -> Child {
    let new = NewChild {
        name: PersonName::new("Sam", "Example").unwrap(),
        date_of_birth: d(dob),
        sex: Sex::Female,
        ethnicity: None,
        postcode: None,
        upn: None,
        uln: None,
        nhs_number: None,
        responsible_la: "851".parse().unwrap(),
    };
    let mut c = Child::new(ChildId::from_uuid(uuid::Uuid::from_u128(n)), new, d("2026-01-15")).unwrap();
    if let Some((status, need)) = sen {
        c.record_sen_status(d("2020-01-01"), status, RankedNeeds::new(Some(need), None).unwrap()).unwrap();
    }
    c
}

/// A fact as the store holds it (the same JSON), so it is checked by the domain's own rules.
fn fact(json: &str) -> PersonFact {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn census(date: &str, sen: &str, need: Option<&str>, fsm: bool, locality: Option<&str>) -> PersonFact {
    let need = need.map_or("null".to_owned(), |n| format!("\"{n}\""));
    let locality = locality.map_or("null".to_owned(), |l| format!("\"{l}\""));
    fact(&format!(
        r#"{{"dataset":"census","fact":{{"census_date":"{date}","urn":"100001","ncy":"5","sen_provision":"{sen}","primary_need":{need},"fsm_eligible":{fsm},"locality":{locality}}}}}"#
    ))
}

fn attendance(year: &str, possible: u32, authorised: u32, unauthorised: u32) -> PersonFact {
    fact(&format!(
        r#"{{"dataset":"attendance","fact":{{"academic_year":"{year}","urn":"100001","possible_sessions":{possible},"authorised_absence":{authorised},"unauthorised_absence":{unauthorised}}}}}"#
    ))
}

fn suspension(date: &str) -> PersonFact {
    fact(&format!(r#"{{"dataset":"exclusion","fact":{{"urn":"100001","kind":"suspension","start_date":"{date}","sessions":2}}}}"#))
}

/// Four children in LA 851, 2024/25 (census day 2025-01-16):
/// - A: EHC plan (ASD), census E with free school meals in locality NORTH; 12 of 100 sessions missed
///   (persistent); two suspensions; looked after (C2) from June 2024; an autism referral at 9; a
///   completed reception check does not apply (aged 9); KS2 not at the expected standard.
/// - B: no SEN, census N; 5 of 100 missed; KS2 reading, writing and maths at the expected standard.
/// - C: no SEN, census N; 10 of 100 missed (exactly 10%: persistent); reduced timetable of 50 days.
/// - D: no SEN and no census (not a pupil); short breaks (V3) only: respite, not looked after; in
///   post-16 activity as NEET in January 2025, aged 17; youth justice involvement.
fn area() -> PersonTable {
    let mut b = TableBuilder::new(d("2026-01-15"));
    let people: Vec<(Child, Vec<PersonFact>)> = vec![
        (
            child(1, "2015-03-10", Some((SenStatus::EhcPlan, NeedCode::Asd))),
            vec![
                census("2025-01-16", "E", Some("ASD"), true, Some("NORTH")),
                attendance("2024/25", 100, 8, 4),
                suspension("2024-10-01"),
                suspension("2025-02-03"),
                fact(
                    r#"{"dataset":"looked-after","fact":{"period":{"start":"2024-06-01","end":null},"legal_status":"C2","placement":"foster_la"}}"#,
                ),
                fact(
                    r#"{"dataset":"health-referral","fact":{"service":"autism_assessment","referral_date":"2024-11-01","first_appointment":"2025-01-10"}}"#,
                ),
                fact(
                    r#"{"dataset":"ks2","fact":{"academic_year":"2024/25","urn":"100001","reading_expected":true,"writing_expected":false,"maths_expected":true}}"#,
                ),
            ],
        ),
        (
            child(2, "2014-10-02", None),
            vec![
                census("2025-01-16", "N", None, false, Some("SOUTH")),
                attendance("2024/25", 100, 5, 0),
                fact(
                    r#"{"dataset":"ks2","fact":{"academic_year":"2024/25","urn":"100001","reading_expected":true,"writing_expected":true,"maths_expected":true}}"#,
                ),
            ],
        ),
        (
            child(3, "2014-11-20", None),
            vec![
                census("2025-01-16", "N", None, false, None),
                attendance("2024/25", 100, 6, 4),
                fact(r#"{"dataset":"reduced-timetable","fact":{"urn":"100001","period":{"start":"2024-11-01","end":"2024-12-20"}}}"#),
            ],
        ),
        (
            child(4, "2007-05-05", None),
            vec![
                fact(
                    r#"{"dataset":"looked-after","fact":{"period":{"start":"2024-09-01","end":null},"legal_status":"V3","placement":"other"}}"#,
                ),
                fact(r#"{"dataset":"post16-activity","fact":{"month":"2025-01","activity":"neet_available"}}"#),
                fact(r#"{"dataset":"youth-justice","fact":{"kind":"referral_order","period":{"start":"2024-12-01","end":null}}}"#),
            ],
        ),
    ];
    for (c, facts) in &people {
        b.add_person(c, None, None, &[], &[], &code_only_lookup);
        let rows: Vec<_> = facts
            .iter()
            .map(|f| {
                row_of(f, &mut |code: &str| {
                    let name = if code == "NORTH" { "North" } else { "South" };
                    b.locality(Some(name))
                })
            })
            .collect();
        b.add_facts(rows);
    }
    b.finish()
}

fn run(t: &PersonTable, framework: &str) -> Results {
    let fws = load(None).unwrap();
    let fw = find_framework(&fws, framework).unwrap();
    compute(fw, t, &Scope::All, &PeriodSel::Year(2024), &ManualValues::default(), &Loaded::default(), &[])
}

fn row<'a>(r: &'a Results, indicator: &str, cohort: &str) -> &'a waymark_indicators::ResultRow {
    r.rows
        .iter()
        .find(|x| x.indicator == indicator && x.cohort == cohort && x.la == "851")
        .unwrap_or_else(|| panic!("no row for {indicator} {cohort}"))
}

fn nd(r: &Results, indicator: &str, cohort: &str) -> (Option<u64>, Option<u64>, Option<f64>) {
    let x = row(r, indicator, cohort);
    (x.numerator, x.denominator, x.value)
}

#[test]
fn dfe_persistent_absence_is_10_percent_or_more_of_possible_sessions_by_sen_status() {
    let r = run(&area(), "hertfordshire-2015");
    assert_eq!(nd(&r, "j_persistent_absence_pct", "all"), (Some(2), Some(3), Some(66.7)));
    assert_eq!(nd(&r, "j_persistent_absence_pct", "ehc_plan"), (Some(1), Some(1), Some(100.0)));
    assert_eq!(nd(&r, "j_persistent_absence_pct", "no_sen"), (Some(1), Some(2), Some(50.0)));
    // Overall absence is sessions missed over sessions possible: 27 of 300.
    assert_eq!(nd(&r, "i_overall_absence_pct", "all"), (Some(27), Some(300), Some(9.0)));
    // Suspensions and permanent exclusions of pupils on the spring census.
    assert_eq!(nd(&r, "k_fixed_period_exclusions_pct", "all"), (Some(1), Some(3), Some(33.3)));
    assert_eq!(nd(&r, "l_permanent_exclusions_pct", "all"), (Some(0), Some(3), Some(0.0)));
    // KS2 gap: SEN 0% (A) less no SEN 100% (B).
    assert_eq!(row(&r, "g_ks2_rwm_gap", "gap_any_sen").value, Some(-100.0));
    // No EYFSP facts in the area: that indicator awaits data.
    assert_eq!(row(&r, "f_gld_gap", "gap_any_sen").status, Status::AwaitingData);
}

#[test]
fn portsmouth_measures_over_exclusions_social_care_health_and_youth_justice() {
    let r = run(&area(), "portsmouth-2016");
    assert_eq!(nd(&r, "p18b_repeat_fixed_period_exclusion_pct", "all"), (Some(1), Some(3), Some(33.3)));
    assert_eq!(nd(&r, "p24_ks2_rwm_pct", "all"), (Some(1), Some(2), Some(50.0)));
    // Looked after excluding respite: A (EHC plan) is; D's short breaks are not counted.
    assert_eq!(nd(&r, "p32_looked_after_pct", "ehc_plan"), (Some(1), Some(1), Some(100.0)));
    // Referrals to autism assessment of children 0-16 in the year.
    assert_eq!(nd(&r, "p16_1_referrals_asd", "all").0, Some(1));
    assert_eq!(nd(&r, "p16_2_referrals_speech_language", "all").0, Some(0));
    // Reduced timetables: C's of 50 days is 6 weeks or more.
    assert_eq!(nd(&r, "s7_2_reduced_timetable_6_weeks_or_more_pct", "ehc_plan"), (Some(0), Some(1), Some(0.0)));
    // Datasets the area has no rows of await data; manual measures stay manual.
    assert_eq!(row(&r, "p8_gld_pct", "all").status, Status::AwaitingData);
    assert_eq!(row(&r, "p20_ks1_reading_pct", "all").status, Status::ManualMissing);
}

#[test]
fn the_measure_language_reads_every_kind_of_fact_with_free_school_meals_and_locality_from_the_census() {
    let toml = r#"
[framework]
id = "t"
title = "t"
groups = [{ id = "g", title = "g" }]

[[indicator]]
id = "fsm"
title = "t"
definition = "t"
group = "g"
unit = "percent"
period = "academic_year"
polarity = "neutral"
measure = "facts"
numerator = "census_pupils & fsm"
denominator = "census_pupils"
breakdowns = ["locality", "fsm"]
source = "t"

[[indicator]]
id = "respite"
title = "t"
definition = "t"
group = "g"
unit = "count"
period = "academic_year"
polarity = "neutral"
measure = "facts"
numerator = "residents & respite + residents & youth_justice + post16_activity & neet & school_age_between(16:17)"
source = "t"

[[indicator]]
id = "long_rt"
title = "t"
definition = "t"
group = "g"
unit = "count"
period = "academic_year"
polarity = "neutral"
measure = "facts"
numerator = "census_pupils & reduced_timetable(6_weeks_or_more) + census_pupils & reduced_timetable(under_6_weeks)"
source = "t"

[[indicator]]
id = "seen"
title = "t"
definition = "t"
group = "g"
unit = "count"
period = "academic_year"
polarity = "neutral"
measure = "facts"
numerator = "health_referrals & seen_within_days(70) + health_referrals & seen_within_days(69)"
source = "t"
"#;
    let (fw, _) = parse_framework("t.toml", toml).unwrap();
    let t = area();
    let check = |t: &PersonTable| {
        let r = compute(&fw, t, &Scope::All, &PeriodSel::Year(2024), &ManualValues::default(), &Loaded::default(), &[]);
        // Free school meals from the census: A only.
        assert_eq!(nd(&r, "fsm", "all"), (Some(1), Some(3), Some(33.3)));
        assert_eq!(nd(&r, "fsm", "fsm=yes"), (Some(1), Some(1), Some(100.0)));
        // Locality from the census (by name): A in North, B in South; C has none.
        assert_eq!(nd(&r, "fsm", "locality=North"), (Some(1), Some(1), Some(100.0)));
        assert_eq!(nd(&r, "fsm", "locality=South"), (Some(0), Some(1), Some(0.0)));
        // D: short breaks (respite), youth justice, NEET at 17 in January.
        assert_eq!(nd(&r, "respite", "all").0, Some(3));
        // C's 50-day reduced timetable is long, not short.
        assert_eq!(nd(&r, "long_rt", "all").0, Some(1));
        // A was seen 70 days after referral.
        assert_eq!(nd(&r, "seen", "all").0, Some(1));
    };
    check(&t);
    // The person table's files carry the facts: the same answers read back.
    let dir = tempfile::tempdir().unwrap();
    files::write(&t, dir.path()).unwrap();
    let back = files::read(dir.path()).unwrap();
    assert_eq!(back.facts, t.facts);
    check(&back);
}

#[test]
fn a_facts_measure_is_refused_with_its_line_when_it_reads_no_facts_or_names_an_unknown_quantity() {
    let head = "[framework]\nid = \"t\"\ntitle = \"t\"\ngroups = [{ id = \"g\", title = \"g\" }]\n\n[[indicator]]\nid = \"x\"\ntitle = \"t\"\ndefinition = \"t\"\ngroup = \"g\"\nunit = \"percent\"\nperiod = \"academic_year\"\npolarity = \"neutral\"\nmeasure = \"facts\"\nsource = \"t\"\n";
    let e = parse_framework("t.toml", &format!("{head}numerator = \"pupils\"\ndenominator = \"pupils\"\n")).unwrap_err();
    assert!(e.to_string().starts_with("t.toml:") && e.line > 0 && e.message.contains("reads no person-level facts"), "{e}");
    let e = parse_framework("t.toml", &format!("{head}numerator = \"attendance.absent\"\ndenominator = \"attendance\"\n")).unwrap_err();
    assert!(e.to_string().starts_with("t.toml:16:") && e.message.contains("has no quantity 'absent'"), "{e}");
    let e = parse_framework("t.toml", &format!("{head}numerator = \"attendance & care_service(nap)\"\ndenominator = \"attendance\"\n"))
        .unwrap_err();
    assert!(e.message.contains("'nap' is not one of disabled_children_team, short_break, direct_payment"), "{e}");
}

/// Three pupils on the spring census of 2024/25 whose SEN status DfE would take from the census:
/// - E: no SEN status on the child record, census K (SEN support known only to the school census);
///   15 of 100 sessions missed (persistent); a suspension.
/// - F: no SEN status, census N; 2 of 100 missed.
/// - G: an EHC plan on the record, census K: the record's status stands.
fn census_only_area() -> PersonTable {
    let mut b = TableBuilder::new(d("2026-01-15"));
    let people: Vec<(Child, Vec<PersonFact>)> = vec![
        (
            child(11, "2014-03-10", None),
            vec![census("2025-01-16", "K", Some("SPLD"), false, None), attendance("2024/25", 100, 10, 5), suspension("2024-11-05")],
        ),
        (child(12, "2014-04-10", None), vec![census("2025-01-16", "N", None, false, None), attendance("2024/25", 100, 2, 0)]),
        (
            child(13, "2014-05-10", Some((SenStatus::EhcPlan, NeedCode::Asd))),
            vec![census("2025-01-16", "K", Some("ASD"), false, None), attendance("2024/25", 100, 0, 0)],
        ),
    ];
    for (c, facts) in &people {
        b.add_person(c, None, None, &[], &[], &code_only_lookup);
        let rows: Vec<_> = facts.iter().map(|f| row_of(f, &mut |_: &str| b.locality(None))).collect();
        b.add_facts(rows);
    }
    b.finish()
}

#[test]
fn a_pupil_on_sen_support_known_only_to_the_census_counts_by_the_census_sen_provision() {
    let toml = r#"
[framework]
id = "t"
title = "t"
groups = [{ id = "g", title = "g" }]

[[indicator]]
id = "pa"
title = "t"
definition = "t"
group = "g"
unit = "percent"
period = "academic_year"
polarity = "lower_is_better"
measure = "facts"
numerator = "attendance & persistent_absence"
denominator = "attendance"
cohorts = ["all", "ehc_plan", "sen_support", "no_sen", "gap_sen_support"]
source = "t"

[[indicator]]
id = "susp"
title = "t"
definition = "t"
group = "g"
unit = "percent"
period = "academic_year"
polarity = "lower_is_better"
measure = "facts"
numerator = "census_pupils & suspended"
denominator = "census_pupils"
cohorts = ["sen_support", "no_sen"]
source = "t"

[[indicator]]
id = "suspensions"
title = "t"
definition = "t"
group = "g"
unit = "count"
period = "academic_year"
polarity = "lower_is_better"
measure = "facts"
numerator = "suspensions"
cohorts = ["sen_support"]
source = "t"

[[indicator]]
id = "residents_sen_support"
title = "t"
definition = "t"
group = "g"
unit = "count"
period = "academic_year"
polarity = "neutral"
numerator = "residents & sen(sen_support)"
source = "t"
"#;
    let (fw, _) = parse_framework("t.toml", toml).unwrap();
    let t = census_only_area();
    let r = compute(&fw, &t, &Scope::All, &PeriodSel::Year(2024), &ManualValues::default(), &Loaded::default(), &[]);
    // E counts as SEN support (from the census), G as an EHC plan (the record), F as no SEN.
    assert_eq!(nd(&r, "pa", "all"), (Some(1), Some(3), Some(33.3)));
    assert_eq!(nd(&r, "pa", "sen_support"), (Some(1), Some(1), Some(100.0)));
    assert_eq!(nd(&r, "pa", "ehc_plan"), (Some(0), Some(1), Some(0.0)));
    assert_eq!(nd(&r, "pa", "no_sen"), (Some(0), Some(1), Some(0.0)));
    assert_eq!(row(&r, "pa", "gap_sen_support").value, Some(100.0));
    // Census pupils and suspensions (dated in the autumn: the spring census of their year) the same way.
    assert_eq!(nd(&r, "susp", "sen_support"), (Some(1), Some(1), Some(100.0)));
    assert_eq!(nd(&r, "susp", "no_sen"), (Some(0), Some(1), Some(0.0)));
    assert_eq!(nd(&r, "suspensions", "sen_support").0, Some(1));
    // Records-based base sets keep the child record's status: no resident is on SEN support.
    assert_eq!(nd(&r, "residents_sen_support", "all").0, Some(0));
    // Read back from the files, the same.
    let dir = tempfile::tempdir().unwrap();
    files::write(&t, dir.path()).unwrap();
    let back = files::read(dir.path()).unwrap();
    let r2 = compute(&fw, &back, &Scope::All, &PeriodSel::Year(2024), &ManualValues::default(), &Loaded::default(), &[]);
    assert_eq!(r2.rows, r.rows);
}
