//! The definition format, DfE's EHC plan measures on hand-built cases with known answers, RAG by
//! polarity, every pack on generated areas, and the outputs.

use std::io::Read;
use waymark_domain::calendar::Date;
use waymark_domain::case::{AdviceParty, CaseEvent, CaseEventKind as E, CeaseReason, ExceptionReason, Requester};
use waymark_domain::child::{Child, NewChild, PersonName, Sex};
use waymark_domain::ids::{CaseId, ChildId};
use waymark_domain::plan::PlanContents;
use waymark_indicators::definition::{parse_framework, MeasureKind};
use waymark_indicators::engine::{rag, value_of};
use waymark_indicators::table::{code_only_lookup, TableBuilder};
use waymark_indicators::{
    compute, compute_all, find_framework, load, render, Loaded, ManualValues, PeriodSel, PersonTable, Rag, Results, Scope, Status,
};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn child(n: u128) -> Child {
    let new = NewChild {
        name: PersonName::new("Sam", "Example").unwrap(),
        date_of_birth: d("2015-03-10"),
        sex: Sex::Female,
        ethnicity: None,
        postcode: None,
        upn: None,
        uln: None,
        nhs_number: None,
        responsible_la: "851".parse().unwrap(),
    };
    Child::new(ChildId::from_uuid(uuid::Uuid::from_u128(n)), new, d("2026-01-15")).unwrap()
}

fn ev(date: &str, kind: E) -> CaseEvent {
    CaseEvent::new(d(date), kind)
}

fn request(date: &str) -> CaseEvent {
    ev(
        date,
        E::RequestReceived { requester: Requester::ParentOrYoungPerson, in_youth_accommodation: false, unknown_dates: Default::default() },
    )
}

/// A plan issued `days` after a request on `received`, with advice on time.
fn plan_case(received: &str, days: u64, exception: bool) -> Vec<CaseEvent> {
    let r = d(received);
    let at = |n: u64| r + chrono::Duration::days(n as i64);
    let mut v = vec![
        request(received),
        CaseEvent::new(at(30), E::DecidedToAssess),
        CaseEvent::new(at(31), E::AdviceRequested { party: AdviceParty::Parent }),
    ];
    if exception {
        v.push(CaseEvent::new(at(40), E::ExceptionStarted { reason: ExceptionReason::PersonalCircumstances, party: None }));
        v.push(CaseEvent::new(at(60), E::ExceptionEnded { reason: ExceptionReason::PersonalCircumstances, party: None }));
    }
    v.push(CaseEvent::new(at(70), E::AdviceReceived { party: AdviceParty::Parent }));
    v.push(CaseEvent::new(at(days - 20), E::DecidedToIssue));
    v.push(CaseEvent::new(at(days - 20), E::DraftIssued { plan: PlanContents::default() }));
    v.push(CaseEvent::new(at(days), E::FinalIssued { plan: PlanContents::default() }));
    v
}

fn table(cases: Vec<Vec<CaseEvent>>) -> PersonTable {
    let mut b = TableBuilder::new(d("2026-01-15"));
    for (i, events) in cases.into_iter().enumerate() {
        let c = child(i as u128 + 1);
        let id = CaseId::from_uuid(uuid::Uuid::from_u128(1000 + i as u128));
        b.add_person(&c, Some("North"), Some(false), &[(id, events.as_slice())], &[], &code_only_lookup);
    }
    b.finish()
}

fn dfe(t: &PersonTable, year: i32) -> Results {
    let fws = load(None).unwrap();
    let fw = find_framework(&fws, "dfe-ehcp").unwrap();
    compute(fw, t, &Scope::All, &PeriodSel::Year(year), &ManualValues::default(), &Loaded::default(), &[])
}

fn value(r: &Results, indicator: &str) -> (Option<u64>, Option<u64>, Option<f64>) {
    let row = r
        .rows
        .iter()
        .find(|x| x.indicator == indicator && x.la == "851" && x.cohort == "all")
        .unwrap_or_else(|| panic!("no row for {indicator}"));
    (row.numerator, row.denominator, row.value)
}

#[test]
fn every_built_in_pack_parses_and_portsmouth_has_every_main_and_secondary_indicator() {
    let fws = load(None).unwrap();
    let ids: Vec<&str> = fws.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["dfe-ehcp", "portsmouth-2016", "hertfordshire-2015", "peterborough-2017", "ofsted-area-send", "casework"]);
    let pm = find_framework(&fws, "portsmouth-2016").unwrap();
    for n in 1..=41 {
        let n = n.to_string();
        // 19 is 18b's number in the source's second list; every main indicator number appears.
        assert!(
            pm.indicators.iter().any(|i| i.number == n
                || i.number.starts_with(&format!("{n}."))
                || i.number.starts_with(&n) && i.number[n.len()..].starts_with(|c: char| c.is_ascii_lowercase())),
            "main indicator {n}"
        );
    }
    for n in 1..=10 {
        assert!(
            pm.indicators
                .iter()
                .any(|i| i.number.starts_with(&format!("S{n}"))
                    && !i.number[format!("S{n}").len()..].starts_with(|c: char| c.is_ascii_digit())),
            "secondary indicator {n}"
        );
    }
    assert!(pm.indicators.iter().any(|i| i.measure == MeasureKind::Manual), "manual-entry indicators are marked");
    let herts = find_framework(&fws, "hertfordshire-2015").unwrap();
    for letter in 'a'..='o' {
        assert!(herts.indicators.iter().any(|i| i.number == letter.to_string()), "proxy indicator {letter}");
    }
    assert_eq!(herts.groups.len(), 5, "the five outcomes");
    let ofsted = find_framework(&fws, "ofsted-area-send").unwrap();
    assert_eq!(ofsted.indicators.len(), 11, "five part-1 and six part-2 evaluation statements");
    for s in &ofsted.indicators {
        for e in &s.evidence {
            let (f, i) = e.split_once('/').unwrap();
            assert!(find_framework(&fws, f).is_some_and(|f| f.indicators.iter().any(|x| x.id == i)), "{} cites {e}, which exists", s.id);
        }
    }
}

#[test]
fn a_bad_definition_file_is_refused_with_its_line_and_reason() {
    let good_head = "[framework]\nid = \"x\"\ntitle = \"X\"\ngroups = [{ id = \"g\", title = \"G\" }]\n\n";
    let ind = |body: &str| {
        format!("{good_head}[[indicator]]\nid = \"a\"\ntitle = \"A\"\ndefinition = \"A\"\ngroup = \"g\"\nunit = \"percent\"\nperiod = \"calendar_year\"\npolarity = \"neutral\"\nsource = \"S\"\n{body}")
    };
    let e =
        parse_framework("bad.toml", &ind("numerator = \"plans_issued & within_20_weeks\"\ndenominator = \"plans_issued\"\n")).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("bad.toml", 15), "{e}");
    assert!(e.message.contains("unknown predicate 'within_20_weeks'"), "{e}");
    let e = parse_framework("bad.toml", &ind("numerator = \"plans_issued\"\n")).unwrap_err();
    assert!(e.message.contains("needs a 'denominator'"), "{e}");
    assert_eq!(e.line, 6);
    let e =
        parse_framework("bad.toml", &ind("numerator = \"plans_issued\"\ndenominator = \"plans_issued\"\ncolour = \"red\"\n")).unwrap_err();
    assert!(e.message.contains("unknown field `colour`"), "{e}");
    assert_eq!(e.line, 17);
    let e = parse_framework(
        "bad.toml",
        &ind("numerator = \"plans_issued\"\ndenominator = \"plans_issued\"\n").replace("group = \"g\"", "group = \"h\""),
    )
    .unwrap_err();
    assert!(e.message.contains("group 'h' is not one of the framework's groups"), "{e}");
    assert_eq!(e.line, 10);
    let e = parse_framework(
        "bad.toml",
        &ind("numerator = \"plans_issued\"\ndenominator = \"plans_issued\"\n").replace("unit = \"percent\"", "unit = \"percentage\""),
    )
    .unwrap_err();
    assert!(e.message.contains("unknown variant `percentage`"), "{e}");
    assert_eq!(e.line, 11);
    let e = parse_framework("bad.toml", "[framework\nid = 1").unwrap_err();
    assert_eq!(e.line, 1, "{e}");
}

#[test]
fn dfe_requests_received_counts_requests_with_a_received_date_in_the_year() {
    let t = table(vec![vec![request("2024-01-01")], vec![request("2024-12-31")], vec![request("2023-12-31")], vec![request("2025-01-01")]]);
    assert_eq!(value(&dfe(&t, 2024), "requests_received"), (Some(2), None, Some(2.0)));
}

#[test]
fn dfe_requests_refused_pct_is_decided_not_to_assess_over_requests_received_to_one_decimal_place() {
    let refused = |r: &str, on: &str| vec![request(r), ev(on, E::DecidedNotToAssess)];
    // Three requests in 2024, one refused (in 2025: the request's year counts); one 2023 request refused in 2024.
    let t = table(vec![
        refused("2024-12-01", "2025-01-10"),
        vec![request("2024-03-01")],
        vec![request("2024-04-01")],
        refused("2023-11-01", "2024-01-05"),
    ]);
    assert_eq!(value(&dfe(&t, 2024), "requests_refused_pct"), (Some(1), Some(3), Some(33.3)));
}

#[test]
fn dfe_request_decisions_within_6_weeks_counts_decisions_within_42_days_of_those_decided() {
    let t = table(vec![
        vec![request("2024-03-01"), ev("2024-04-12", E::DecidedToAssess)], // day 42: in time
        vec![request("2024-03-01"), ev("2024-04-13", E::DecidedNotToAssess)], // day 43: late
        vec![request("2024-03-01")],                                       // undecided: left out
    ]);
    assert_eq!(value(&dfe(&t, 2024), "request_decisions_within_6_weeks_pct"), (Some(1), Some(2), Some(50.0)));
}

#[test]
fn dfe_plans_within_20_weeks_counts_140_days_and_excluding_exceptions_leaves_them_out_of_both_parts() {
    let t = table(vec![
        plan_case("2024-01-10", 140, false),
        plan_case("2024-01-10", 141, false),
        plan_case("2024-01-10", 200, true),
        plan_case("2023-12-01", 100, false),
    ]);
    let r = dfe(&t, 2024);
    assert_eq!(value(&r, "plans_issued"), (Some(4), None, Some(4.0)));
    assert_eq!(value(&r, "plans_within_20_weeks_incl_exceptions_pct"), (Some(2), Some(4), Some(50.0)));
    assert_eq!(value(&r, "plans_within_20_weeks_excl_exceptions_pct"), (Some(2), Some(3), Some(66.7)));
}

#[test]
fn dfe_not_issue_decisions_within_16_weeks_counts_decisions_made_in_the_year_within_112_days() {
    let not_issue = |received: &str, on: &str| vec![request(received), ev("2024-02-01", E::DecidedToAssess), ev(on, E::DecidedNotToIssue)];
    let t =
        table(vec![not_issue("2024-01-10", "2024-05-01"), not_issue("2024-01-10", "2024-05-02"), not_issue("2024-01-01", "2024-04-22")]);
    // 2024-01-10 + 112 days = 2024-05-01; 2024-01-01 + 112 = 2024-04-22.
    assert_eq!(value(&dfe(&t, 2024), "not_issue_decisions_within_16_weeks_pct"), (Some(2), Some(3), Some(66.7)));
}

#[test]
fn dfe_caseload_at_census_counts_plans_in_force_on_census_day_and_plans_ceased_counts_the_year() {
    let existing = |from: &str| vec![ev(from, E::ExistingPlan { plan: PlanContents::default(), transferred_from: None })];
    let mut ceased = existing("2020-01-01");
    ceased.push(ev("2025-01-16", E::Ceased { reason: CeaseReason::NeedsMetWithoutPlan }));
    let mut ceased_2024 = existing("2020-01-01");
    ceased_2024.push(ev("2024-06-01", E::Ceased { reason: CeaseReason::Other }));
    let t = table(vec![existing("2025-01-16"), existing("2025-01-17"), ceased, ceased_2024]);
    let r = dfe(&t, 2024);
    // Census 16 January 2025: the plan starting that day counts; the one ceasing that day does not.
    let row = r.rows.iter().find(|x| x.indicator == "caseload_at_census" && x.la == "851" && x.cohort == "all").unwrap();
    assert_eq!((row.period.as_str(), row.numerator), ("2025-01-16", Some(1)));
    assert_eq!(value(&r, "plans_ceased"), (Some(1), None, Some(1.0)));
}

#[test]
fn rag_is_green_on_target_amber_within_the_margin_and_red_beyond_by_polarity() {
    let fws = load(None).unwrap();
    let pb = find_framework(&fws, "peterborough-2017").unwrap();
    let higher = pb.indicators.iter().find(|i| i.id == "plans_within_20_weeks_pct").unwrap();
    assert_eq!(rag(higher, Some(90.0), Some(90.0), "2025"), Some(Rag::Green));
    assert_eq!(rag(higher, Some(86.0), Some(90.0), "2025"), Some(Rag::Amber)); // within 5% of 90 = 4.5
    assert_eq!(rag(higher, Some(85.0), Some(90.0), "2025"), Some(Rag::Red));
    assert_eq!(rag(higher, None, Some(90.0), "2025"), None);
    let mut lower = higher.clone();
    lower.polarity = waymark_indicators::definition::Polarity::LowerIsBetter;
    assert_eq!(rag(&lower, Some(80.0), Some(90.0), "2025"), Some(Rag::Green));
    assert_eq!(rag(&lower, Some(94.0), Some(90.0), "2025"), Some(Rag::Amber));
    assert_eq!(rag(&lower, Some(95.0), Some(90.0), "2025"), Some(Rag::Red));
    assert_eq!(value_of(waymark_indicators::definition::Unit::Percent, 1, Some(0)), None);
}

#[test]
fn every_measure_is_rated_by_one_rule_local_target_first_then_englands_latest_figure() {
    use waymark_indicators::engine::{rate, Against, NotRated};
    let fws = load(None).unwrap();
    let dfe = find_framework(&fws, "dfe-ehcp").unwrap();
    let timely = dfe.indicators.iter().find(|i| i.id == "plans_within_20_weeks_excl_exceptions_pct").unwrap();
    // England 2024 is 46.4 (no 2025 figure yet): 2025 is rated against it, saying which year.
    let (r, c) = rate(timely, Some(40.0), None, "2025").unwrap();
    assert_eq!((r, c.against, c.period.as_str(), c.value), (Rag::Red, Against::England, "2024", 46.4));
    let (r, c) = rate(timely, Some(44.0), None, "2024").unwrap();
    assert_eq!((r, c.period.as_str()), (Rag::Amber, "2024"), "within the pack's band of 5 points");
    // A local target for the period wins over England.
    let (r, c) = rate(timely, Some(40.0), Some(35.0), "2025").unwrap();
    assert_eq!((r, c.against, c.value), (Rag::Green, Against::Target, 35.0));
    // Counts are rated only against a local target; neutral measures never; no value, no rating.
    let count = dfe.indicators.iter().find(|i| i.id == "plans_issued_request_date_unknown").unwrap();
    assert_eq!(rate(count, Some(3.0), None, "2025").unwrap_err(), NotRated::CountWithoutTarget);
    assert_eq!(rate(count, Some(3.0), Some(0.0), "2025").unwrap().0, Rag::Red);
    let neutral = dfe.indicators.iter().find(|i| i.id == "requests_received").unwrap();
    assert_eq!(rate(neutral, Some(300.0), Some(100.0), "2025").unwrap_err(), NotRated::Neutral);
    assert_eq!(rate(timely, None, Some(50.0), "2025").unwrap_err(), NotRated::NoValue);
    let mut no_england = timely.clone();
    no_england.england.clear();
    assert_eq!(rate(&no_england, Some(50.0), None, "2025").unwrap_err(), NotRated::NoComparator);
    // Before England's first published year there is nothing to compare with.
    assert_eq!(rate(timely, Some(50.0), None, "2015").unwrap_err(), NotRated::NoComparator);
}

#[test]
fn a_target_set_in_the_application_rates_the_las_rows_for_that_period() {
    let fws = load(None).unwrap();
    let dfe = find_framework(&fws, "dfe-ehcp").unwrap();
    let t = synth("small");
    let mut manual = ManualValues::default();
    let la = t.las[0].to_string();
    manual.targets.insert(("dfe-ehcp".into(), "plans_issued".into(), "2024".into(), la.clone()), 1.0e9);
    let r = waymark_indicators::compute(dfe, &t, &Scope::All, &PeriodSel::Year(2024), &manual, &Loaded::default(), &[]);
    let row = r.rows.iter().find(|x| x.indicator == "plans_issued" && x.la == la && x.cohort == "all").unwrap();
    assert_eq!(row.target, Some(1.0e9));
    assert_eq!(row.rag, None, "plans issued is neutral: a target is shown but not rated");
    let row = r.rows.iter().find(|x| x.indicator == "plans_issued_request_date_unknown" && x.la == la && x.cohort == "all").unwrap();
    assert_eq!(row.not_rated, Some(waymark_indicators::engine::NotRated::CountWithoutTarget));
}

fn synth(name: &str) -> PersonTable {
    let p = waymark_synth::Profile::by_name(name, 7).unwrap();
    let data: Vec<_> = p.las.iter().map(|l| waymark_synth::generate_la(l, 7)).collect();
    let facts: Vec<_> = data.iter().map(|d| waymark_synth::generate_facts(d, 7)).collect();
    let areas: Vec<_> = p.las.iter().zip(data.iter()).zip(facts.iter()).map(|((l, d), f)| (l, d, f)).collect();
    waymark_indicators::table::from_synth_with_facts(&areas)
}

fn all_packs(t: &PersonTable) -> Vec<Results> {
    let fws = load(None).unwrap();
    let all: Vec<_> = fws.iter().collect();
    compute_all(&all, t, &Scope::All, &PeriodSel::AllYears, &ManualValues::default(), &Loaded::default())
}

fn every_pack_runs(name: &str) {
    let t = synth(name);
    let fws = load(None).unwrap();
    let results = all_packs(&t);
    assert_eq!(results.len(), 6);
    let ofsted = results.iter().find(|r| r.framework == "ofsted-area-send").unwrap();
    assert!(
        ofsted.rows.iter().any(|r| r.indicator == "needs_identified_and_assessed" && r.value.is_some()),
        "statements roll up rated evidence"
    );
    for fw in &fws {
        let r = results.iter().find(|r| r.framework == fw.id).unwrap();
        for ind in &fw.indicators {
            let rows: Vec<_> = r
                .rows
                .iter()
                .filter(|x| x.indicator == ind.id && (x.cohort == "all" || ind.cohorts.iter().all(|c| c.label() != "all")))
                .collect();
            assert!(!rows.is_empty(), "{name}: {}/{} has rows", fw.id, ind.id);
            match ind.measure {
                MeasureKind::Manual => assert!(rows.iter().all(|x| x.status == Status::ManualMissing), "{}: marked manual", ind.id),
                // Computed wherever the generated area has the datasets it reads; awaiting data otherwise.
                MeasureKind::Facts => {
                    let present = t.facts.iter().fold(0u32, |m, r| m | 1 << r.kind as u32);
                    let needs: Vec<u32> = ind.numerator.iter().chain(ind.denominator.iter()).flat_map(|e| e.fact_needs()).collect();
                    if needs.iter().all(|m| m & present != 0) {
                        assert!(rows.iter().any(|x| x.value.is_some()), "{name}: {}/{} computes from facts", fw.id, ind.id);
                    } else {
                        assert!(rows.iter().all(|x| x.status == Status::AwaitingData), "{name}: {} awaits its facts", ind.id);
                    }
                }
                // An evaluation statement is rated only where its evidence has targets or England values.
                MeasureKind::Evidence => assert!(rows.iter().all(|x| x.value.is_some() || x.status == Status::NoDenominator)),
                MeasureKind::Records => assert!(rows.iter().any(|x| x.value.is_some()), "{name}: {}/{} produces values", fw.id, ind.id),
            }
        }
    }
}

#[test]
fn every_pack_runs_on_the_small_profile_and_produces_values_or_marks_manual_entry() {
    every_pack_runs("small");
}

#[test]
fn every_pack_runs_on_the_portsmouth_profile_and_produces_values_or_marks_manual_entry() {
    every_pack_runs("portsmouth");
}

#[test]
fn the_person_table_survives_a_round_trip_through_its_files() {
    let t = synth("small");
    let dir = tempfile::tempdir().unwrap();
    waymark_indicators::files::write(&t, dir.path()).unwrap();
    let back = waymark_indicators::files::read(dir.path()).unwrap();
    let a = render::csv(&all_packs(&t)).unwrap();
    let b = render::csv(&all_packs(&back)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn outputs_csv_has_the_exact_columns_html_puts_a_table_after_every_chart_and_xlsx_has_charts() {
    let t = synth("small");
    let results = all_packs(&t);
    let csv = render::csv(&results).unwrap();
    assert_eq!(csv.lines().next().unwrap(), "framework,indicator,period,la,cohort,numerator,denominator,value,target,rag");
    assert!(csv.contains("dfe-ehcp,plans_within_20_weeks_excl_exceptions_pct,2024,851,all,"));
    let fws = load(None).unwrap();
    let fw = find_framework(&fws, "dfe-ehcp").unwrap();
    let r = results.iter().find(|r| r.framework == "dfe-ehcp").unwrap();
    let html = render::html(fw, r, Some("851"), waymark_indicators::present::Suppression::NONE);
    let svgs = html.matches("<svg").count();
    assert!(svgs >= 10, "{svgs} charts");
    for (i, part) in html.split("<svg").enumerate().skip(1) {
        let after_svg = part.split_once("</svg>").unwrap().1;
        let next_table = after_svg.find("<table").expect("a table after the chart");
        assert!(after_svg.find("<svg").is_none_or(|s| next_table < s), "chart {i} is followed by its table before the next chart");
    }
    assert!(
        !html.contains("<script") && !html.contains("http://") || html.matches("http://").count() == svgs,
        "no scripts or external resources"
    );
    assert!(html.contains("@media print") && html.contains("<caption>") && html.contains("scope=\"col\""));
    let xlsx = render::xlsx(fw, r, Some("851"), waymark_indicators::present::Suppression::NONE).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    assert!(names.iter().any(|n| n == "xl/charts/chart1.xml"), "{names:?}");
    assert!(names.iter().filter(|n| n.starts_with("xl/worksheets/sheet")).count() >= 7, "summary, a sheet per group, all values");
    let mut sheet = String::new();
    zip.by_name("xl/workbook.xml").unwrap().read_to_string(&mut sheet).unwrap();
    assert!(sheet.contains("Timeliness"), "a sheet per group");
}

#[test]
fn a_local_file_can_extend_a_built_in_pack_with_a_target_and_a_new_indicator() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ours.toml"),
        "[framework]\nid = \"dfe-ehcp\"\ntitle = \"DfE plus ours\"\nextends = true\n\n[[indicator]]\nid = \"mediations_held\"\ntitle = \"Mediations\"\n\
definition = \"Mediations held in the year.\"\ngroup = \"disputes\"\nunit = \"count\"\nperiod = \"calendar_year\"\npolarity = \"neutral\"\n\
source = \"EHC casework\"\nnumerator = \"mediations\"\n",
    )
    .unwrap();
    let fws = load(Some(dir.path())).unwrap();
    let fw = find_framework(&fws, "dfe-ehcp").unwrap();
    assert!(fw.indicators.iter().any(|i| i.id == "mediations_held"));
    assert!(fw.indicators.iter().any(|i| i.id == "plans_issued"), "the built-in indicators stay");
    std::fs::write(
        dir.path().join("ours.toml"),
        std::fs::read_to_string(dir.path().join("ours.toml")).unwrap().replace("\"disputes\"", "\"nowhere\""),
    )
    .unwrap();
    let e = load(Some(dir.path())).unwrap_err();
    assert!(e.message.contains("group 'nowhere'") && e.file.ends_with("ours.toml") && e.line == 6, "{e}");
}

/// One area on several threads: the threads share out its jobs by period, and every value, row and
/// order is the same as on one thread (the web application computes this way on every core).
#[test]
fn one_area_on_several_threads_gives_exactly_the_single_threaded_results() {
    let t = synth("small");
    let fws = load(None).unwrap();
    let all: Vec<_> = fws.iter().collect();
    let la = Scope::La(t.las[0]);
    let one = compute_all(&all, &t, &la, &PeriodSel::AllYears, &ManualValues::default(), &Loaded::default());
    for threads in [2, 3, 8] {
        let many = waymark_indicators::compute_all_threads(
            &all,
            &t,
            &la,
            &PeriodSel::AllYears,
            &ManualValues::default(),
            &Loaded::default(),
            threads,
        );
        assert_eq!(many.len(), one.len());
        for (a, b) in one.iter().zip(&many) {
            assert!(!a.rows.is_empty());
            assert_eq!(a.rows, b.rows, "{} on {threads} threads", a.framework);
        }
    }
}

#[test]
fn the_casework_pack_counts_twelve_months_to_the_datas_day_with_the_same_definitions_as_dfe() {
    let t = synth("small");
    let fws = load(None).unwrap();
    let case = find_framework(&fws, "casework").unwrap();
    let dfe = find_framework(&fws, "dfe-ehcp").unwrap();
    let la = t.las[0].to_string();
    let months =
        waymark_indicators::compute(case, &t, &Scope::All, &PeriodSel::AllYears, &ManualValues::default(), &Loaded::default(), &[]);
    let as_of = t.as_of.unwrap();
    let labels: Vec<&str> = months
        .rows
        .iter()
        .filter(|r| r.indicator == "plans_issued" && r.la == la && r.cohort == "all")
        .map(|r| r.period.as_str())
        .collect();
    assert_eq!(labels.len(), 12, "{labels:?}");
    assert_eq!(*labels.last().unwrap(), as_of.format("%Y-%m").to_string(), "up to the data's month");
    // The months of a whole calendar year add up to the DfE measure's year: one engine, one number.
    let year = chrono::Datelike::year(&as_of) - 1;
    let year_rows =
        waymark_indicators::compute(dfe, &t, &Scope::All, &PeriodSel::Year(year), &ManualValues::default(), &Loaded::default(), &[]);
    let dfe_plans = year_rows.rows.iter().find(|r| r.indicator == "plans_issued" && r.la == la && r.cohort == "all").unwrap().numerator;
    let mut tm = t.clone();
    tm.as_of = chrono::NaiveDate::from_ymd_opt(year, 12, 31);
    let dec = waymark_indicators::compute(case, &tm, &Scope::All, &PeriodSel::AllYears, &ManualValues::default(), &Loaded::default(), &[]);
    let sum: u64 =
        dec.rows.iter().filter(|r| r.indicator == "plans_issued" && r.la == la && r.cohort == "all").filter_map(|r| r.numerator).sum();
    assert_eq!(Some(sum), dfe_plans, "January to December of {year} add up to DfE's {year}");
}

/// A cached table follows a case change by patching that case's rows: the patched table is the table
/// built afresh from the new histories, row for row, when the case gains disputes and reviews (its
/// child arrays grow and every later case's ranges move) and when it loses them again.
#[test]
fn a_case_patched_in_place_gives_the_table_built_afresh() {
    let ids: Vec<CaseId> = (0..3).map(|i| CaseId::from_uuid(uuid::Uuid::from_u128(1000 + i))).collect();
    let plain = vec![plan_case("2024-01-10", 130, false), plan_case("2024-03-01", 150, false), plan_case("2024-06-01", 100, true)];
    let mut disputed = plain.clone();
    disputed[1].push(ev("2024-09-02", E::MediationHeld { decision: waymark_domain::case::AppealableDecision::PlanContents }));
    disputed[1].push(ev("2024-10-01", E::AppealLodged { decision: waymark_domain::case::AppealableDecision::PlanContents }));
    disputed[1].push(ev("2025-07-01", E::ReviewMeeting));
    let mut patched = table(plain.clone());
    assert!(patched.replace_case(ids[1], &child(2), &disputed[1]));
    let fresh = table(disputed.clone());
    assert_eq!(format!("{patched:?}"), format!("{fresh:?}"));
    assert_eq!(patched.disputes.len(), 2);
    assert_eq!(dfe(&patched, 2024).rows.len(), dfe(&fresh, 2024).rows.len());
    // And back: the rows go and the later case's ranges move down again.
    assert!(patched.replace_case(ids[1], &child(2), &plain[1]));
    assert_eq!(format!("{patched:?}"), format!("{:?}", table(plain.clone())));
    // A case the table does not hold, or a history that no longer replays, is left to a rebuild.
    let unknown = CaseId::from_uuid(uuid::Uuid::from_u128(99));
    assert!(!patched.replace_case(unknown, &child(2), &plain[1]));
    assert!(!patched.replace_case(ids[1], &child(2), &[ev("2024-03-01", E::DecidedToAssess)]));
    assert_eq!(format!("{patched:?}"), format!("{:?}", table(plain)));
}

#[test]
fn a_manual_percentage_may_come_from_a_survey_question_and_nothing_else_may() {
    let head = "[framework]\nid = \"x\"\ntitle = \"X\"\ngroups = [{ id = \"g\", title = \"G\" }]\n\n[[indicator]]\nid = \"a\"\ntitle = \"A\"\ndefinition = \"A\"\ngroup = \"g\"\nperiod = \"quarter\"\npolarity = \"higher_is_better\"\nsource = \"S\"\n";
    let (fw, _) = parse_framework(
        "ok.toml",
        &format!("{head}unit = \"percent\"\nmeasure = \"manual\"\nsurvey = {{ question = \"satisfaction\", positive = [\"4\", \"5\"] }}\n"),
    )
    .unwrap();
    assert_eq!(fw.indicators[0].survey.as_ref().unwrap().question, "satisfaction");
    let e = parse_framework(
        "bad.toml",
        &format!("{head}unit = \"count\"\nmeasure = \"manual\"\nsurvey = {{ question = \"s\", positive = [\"5\"] }}\n"),
    )
    .unwrap_err();
    assert!(e.message.contains("only a manual percentage"), "{e}");
    let e = parse_framework(
        "bad.toml",
        &format!("{head}unit = \"percent\"\nmeasure = \"manual\"\nsurvey = {{ question = \"Bad Id\", positive = [] }}\n"),
    )
    .unwrap_err();
    assert!(e.message.contains("short name"), "{e}");
    // The built-in packs' survey sources.
    let fws = waymark_indicators::definition::load(None).unwrap();
    let s1 = find_framework(&fws, "portsmouth-2016").unwrap().indicators.iter().find(|i| i.id == "s1_user_feedback").unwrap();
    assert_eq!(s1.survey.as_ref().unwrap().positive, ["4", "5"]);
}

/// Issue 10 item 4: a drill-down's count links to the cases behind it. The members of a row are
/// counted as the row was: as many records as its numerator, in every pack, for the LA, a locality and
/// a breakdown, and each record of a case-based measure names its case.
#[test]
fn the_members_behind_a_count_are_as_many_as_its_numerator() {
    let t = synth("small");
    let fws = load(None).unwrap();
    let results = all_packs(&t);
    let mut checked = std::collections::BTreeSet::new();
    let mut with_cases = 0;
    for r in &results {
        let fw = fws.iter().find(|f| f.id == r.framework).unwrap();
        // Each indicator's latest period with a count, for the LA, one locality and one breakdown.
        let mut seen = std::collections::HashSet::new();
        for row in r.rows.iter().rev() {
            let Some(n) = row.numerator else { continue };
            let kind = if row.cohort.starts_with("locality=") {
                "locality"
            } else if row.cohort.contains('=') {
                "breakdown"
            } else {
                "cohort"
            };
            if row.la == "england" || !seen.insert((row.indicator.clone(), kind)) {
                continue;
            }
            let Some(m) = waymark_indicators::members(fw, &row.indicator, &t, &row.la, &row.period, &row.cohort) else { continue };
            assert_eq!(m.records, n, "{} {} {} {}", r.framework, row.indicator, row.period, row.cohort);
            assert!(m.cases.len() as u64 + m.without_case <= m.records);
            if m.without_case == 0 && n > 0 {
                assert!(!m.cases.is_empty());
                with_cases += 1;
            }
            checked.insert((r.framework.clone(), row.indicator.clone()));
        }
    }
    assert!(checked.len() > 40, "only {} indicators had members to check", checked.len());
    assert!(with_cases > 20, "only {with_cases} rows named their cases");
    // Not a plain count: a manual measure has no members.
    let dfe = fws.iter().find(|f| f.id == "dfe-ehcp").unwrap();
    assert!(waymark_indicators::members(dfe, "no-such-indicator", &t, "851", "2024", "all").is_none());
}
