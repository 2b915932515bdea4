//! Requests coded H (SEN2 guide item 2.5: the decision to assess was made before the collection period)
//! keep the dates the return gives, and a plan whose request date is not known is never counted as
//! issued within 20 weeks (guide items 2.1 and 2.5; SEND Regs 2014 reg 13(2)).
//!
//! The area: plans issued in 2025, some after requests received in 2025 (coded Y) and some after
//! requests received and decided in 2024 (coded H in the 2026 return). Exported, the H requests carry
//! their ReceivedDate; imported into an empty store, `dfe-ehcp` gives the timeliness those dates give.

mod common;

use common::*;
use waymark_application::sen2 as sen2_store;
use waymark_domain::case::{CaseEventKind as E, Requester};
use waymark_domain::child::{NewChild, PersonName, SenStatus, Sex};
use waymark_domain::identifiers::SettingRef;
use waymark_domain::need::{NeedCode, RankedNeeds};
use waymark_domain::placement::Placement;
use waymark_domain::plan::PlanContents;
use waymark_indicators::{compute, Loaded, ManualValues, PeriodSel, Scope};
use waymark_sen2::Collection;
use waymark_storage::{AuditSink, PlacementStore, SqliteStore, Store};

/// (received, decided to assess, final plan): six issued within 20 weeks of a 2025 request, two late
/// after a 2025 request, and five after a 2024 request (H), one of them within 20 weeks.
const PLANS: [(&str, &str, &str); 13] = [
    ("2025-01-06", "2025-02-10", "2025-05-12"),
    ("2025-02-03", "2025-03-10", "2025-06-09"),
    ("2025-03-03", "2025-04-07", "2025-07-07"),
    ("2025-04-01", "2025-05-06", "2025-08-04"),
    ("2025-05-01", "2025-06-05", "2025-09-01"),
    ("2025-06-02", "2025-07-07", "2025-10-06"),
    ("2025-02-03", "2025-03-10", "2025-09-15"),
    ("2025-03-03", "2025-04-07", "2025-10-20"),
    ("2024-08-01", "2024-09-10", "2025-01-27"), // 25.6 weeks: H, and late
    ("2024-07-01", "2024-08-12", "2025-02-03"), // 31 weeks
    ("2024-06-03", "2024-07-15", "2025-03-03"), // 39 weeks
    ("2024-09-02", "2024-10-14", "2025-03-31"), // 30 weeks
    ("2024-11-04", "2024-12-09", "2025-03-17"), // 19 weeks: H, and in time
];

async fn area() -> SqliteStore {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    settings(&store).await;
    for (i, (received, decided, final_day)) in PLANS.iter().enumerate() {
        let new = NewChild {
            name: PersonName::new(&format!("Child{}", (b'A' + i as u8) as char), "Example").unwrap(),
            date_of_birth: d("2015-03-01"),
            sex: Sex::Female,
            ethnicity: Some("WBRI".parse().unwrap()),
            postcode: Some("PO1 2AB".parse().unwrap()),
            upn: Some(waymark_domain::identifiers::Upn::from_body(&format!("8512001260{i:02}")).unwrap()),
            uln: None,
            nhs_number: None,
            responsible_la: "851".parse().unwrap(),
        };
        let child = store.create_child(&actor(), new, "test").await.unwrap();
        let mut with_need = child.value.clone();
        with_need.record_sen_status(d(final_day), SenStatus::EhcPlan, RankedNeeds::new(Some(NeedCode::Asd), None).unwrap()).unwrap();
        store.update_child(&actor(), &with_need, child.version, "needs").await.unwrap();
        let school = Placement {
            setting: SettingRef::Urn("851001".parse().unwrap()),
            rank: 1,
            entry: d("2024-09-02"),
            leaving: None,
            sen_unit: false,
            resourced_provision: false,
            residential: None,
            work_based: None,
            setting_la: None,
        };
        store.record_placement(&actor(), child.value.id, school, "test").await.unwrap();
        let draft = waymark_domain::calendar::sub_days(d(final_day), 20);
        let case = store.open_case(&actor(), child.value.id, req(received, Requester::SchoolOrSetting), "test").await.unwrap();
        store
            .record_case_events(
                &actor(),
                case.value.id,
                1,
                vec![
                    ev(decided, E::DecidedToAssess),
                    waymark_domain::case::CaseEvent::new(draft, E::DraftIssued { plan: PlanContents::default() }),
                    ev(final_day, E::FinalIssued { plan: plan("851001") }),
                ],
                "test",
            )
            .await
            .unwrap();
    }
    store
}

async fn export(store: &SqliteStore) -> String {
    let c = Collection::for_year(2026).unwrap();
    let la = "851".parse().unwrap();
    let header = sen2_store::header(store, &actor(), la, c, "2026-02-01T09:00:00", "0.1.0").await.unwrap();
    let (out, _) = sen2_store::export(store, &actor(), la, c, &header, Vec::new()).await.unwrap();
    String::from_utf8(out).unwrap()
}

async fn import(xml: &str) -> SqliteStore {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    settings(&store).await;
    let bytes = xml.as_bytes().to_vec();
    let open = move || -> std::io::Result<Box<dyn std::io::Read + Send>> { Ok(Box::new(std::io::Cursor::new(bytes.clone()))) };
    sen2_store::import(&store, &actor(), &open, None, "test import").await.unwrap();
    store
}

/// One of `dfe-ehcp`'s 2025 values for LA 851: (indicator, numerator, denominator, value).
type Figure = (String, Option<u64>, Option<u64>, Option<f64>);

/// `dfe-ehcp`'s 2025 values for LA 851.
async fn timeliness(store: &SqliteStore) -> Vec<Figure> {
    let audit = AuditSink::start(store);
    let table = waymark_indicators::source::load_from_store(store, &actor(), d("2026-01-31"), &audit).await.unwrap();
    let packs = waymark_indicators::load(None).unwrap();
    let fw = waymark_indicators::find_framework(&packs, "dfe-ehcp").unwrap();
    let results =
        compute(fw, &table, &Scope::La("851".parse().unwrap()), &PeriodSel::Year(2025), &ManualValues::default(), &Loaded::default(), &[]);
    results
        .rows
        .iter()
        .filter(|r| r.la == "851" && r.cohort == "all" && r.period == "2025")
        .filter(|r| r.indicator.starts_with("plans_within_20_weeks") || r.indicator == "plans_issued_request_date_unknown")
        .map(|r| (r.indicator.clone(), r.numerator, r.denominator, r.value))
        .collect()
}

fn find<'a>(rows: &'a [Figure], id: &str) -> &'a Figure {
    rows.iter().find(|r| r.0 == id).unwrap_or_else(|| panic!("{id} missing from {rows:?}"))
}

#[tokio::test]
async fn sen2_guide_item_2_5_h_requests_keep_their_received_date_through_export_and_import() {
    let store = area().await;
    let xml = export(&store).await;
    // Five requests were decided before the period (H); each is written with its ReceivedDate.
    assert_eq!(xml.matches("<RequestOutcome>H</RequestOutcome>").count(), 5, "{xml}");
    for (received, decided, _) in PLANS.iter().filter(|p| p.1 < "2025-01-01") {
        assert!(xml.contains(&format!("<ReceivedDate>{received}</ReceivedDate>")), "{received} (decided {decided}) missing:\n{xml}");
    }
    let v = waymark_sen2::validate(xml.as_bytes(), None);
    assert!(v.findings.iter().all(|f| f.severity != waymark_sen2::Severity::Error), "{:#?}", v.findings);

    // The original store and the imported one give the same figures: the dates the return gives.
    let expected = timeliness(&store).await;
    let imported = timeliness(&import(&xml).await).await;
    assert_eq!(expected, imported);
    // 13 plans, 7 issued within 20 weeks (140 days) of their request.
    assert_eq!(find(&imported, "plans_within_20_weeks_incl_exceptions_pct").1, Some(7));
    assert_eq!(find(&imported, "plans_within_20_weeks_incl_exceptions_pct").2, Some(13));
    assert_eq!(find(&imported, "plans_within_20_weeks_incl_exceptions_pct").3, Some(53.8));
    assert_eq!(find(&imported, "plans_issued_request_date_unknown").1, Some(0));
}

#[tokio::test]
async fn sen2_guide_items_2_1_and_2_5_a_plan_without_a_request_date_is_never_within_20_weeks() {
    let store = area().await;
    let xml = export(&store).await;
    // A return from another system that leaves ReceivedDate out for H requests (item 2.1 allows it).
    let mut stripped = xml.clone();
    for (received, decided, _) in PLANS.iter().filter(|p| p.1 < "2025-01-01") {
        let _ = decided;
        stripped = stripped.replace(&format!("<ReceivedDate>{received}</ReceivedDate>"), "");
    }
    let imported = import(&stripped).await;
    let rows = timeliness(&imported).await;
    // The five plans stay in the denominator but none counts as in time, even the one that was.
    assert_eq!(find(&rows, "plans_within_20_weeks_incl_exceptions_pct").1, Some(6));
    assert_eq!(find(&rows, "plans_within_20_weeks_incl_exceptions_pct").2, Some(13));
    assert_eq!(find(&rows, "plans_issued_request_date_unknown").1, Some(5));
    // The case page's clock does not claim the plan was in time, and the export does not invent a date.
    let again = export(&imported).await;
    assert_eq!(again.matches("<ReceivedDate>").count(), 8, "only the known dates are written:\n{again}");
}

#[tokio::test]
async fn sen2_guide_item_2_5_an_h_request_received_inside_the_period_is_refused_naming_the_field() {
    let store = area().await;
    let xml = export(&store).await;
    let bad = xml.replacen("<ReceivedDate>2024-08-01</ReceivedDate>", "<ReceivedDate>2025-01-02</ReceivedDate>", 1);
    assert_ne!(bad, xml);
    let empty = SqliteStore::open_in_memory(clock()).await.unwrap();
    settings(&empty).await;
    let bytes = bad.into_bytes();
    let open = move || -> std::io::Result<Box<dyn std::io::Read + Send>> { Ok(Box::new(std::io::Cursor::new(bytes.clone()))) };
    let err = sen2_store::import(&empty, &actor(), &open, None, "test import").await.unwrap_err();
    let text = format!("{err:?}");
    assert!(text.contains("ReceivedDate") && text.contains("RequestOutcome H"), "{text}");
}
