//! The performance frameworks' dashboards and the SEN2 return page, through the real router.

mod common;

use axum::http::{header, StatusCode};
use common::TestApp;
use waymark_indicators::definition::Unit;

#[tokio::test]
async fn managers_and_board_members_see_every_framework_and_no_one_else_does() {
    let app = TestApp::new().await;
    for role in ["manager", "board"] {
        let b = app.sign_in(role).await;
        let list = app.get("/dashboard", Some(&b)).await;
        assert_eq!(list.status, StatusCode::OK);
        for id in ["dfe-ehcp", "portsmouth-2016", "hertfordshire-2015", "peterborough-2017", "ofsted-area-send"] {
            assert!(list.body.contains(&format!("/dashboard/frameworks/{id}")), "{role}: {id} not offered");
            let page = app.get(&format!("/dashboard/frameworks/{id}"), Some(&b)).await;
            assert_eq!(page.status, StatusCode::OK, "{role} {id}");
            assert!(page.body.contains("At a glance"), "{role} {id}");
        }
    }
    for role in ["caseworker", "senco", "health", "parent", "admin"] {
        let b = app.sign_in(role).await;
        let page = app.get("/dashboard/frameworks/dfe-ehcp", Some(&b)).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{role}");
        let csv = app.get("/dashboard/frameworks/dfe-ehcp/data.csv", Some(&b)).await;
        assert_eq!(csv.status, StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn a_framework_page_shows_value_target_rag_in_words_and_each_chart_is_followed_by_its_table() {
    let app = TestApp::new().await;
    let b = app.sign_in("manager").await;
    let page = app.get("/dashboard/frameworks/dfe-ehcp", Some(&b)).await;
    let body = &page.body;
    // Requests received in 2026: the test area's four requests, counted.
    assert!(body.contains("Requests received") || body.contains("requests received"), "{body}");
    let charts = body.matches("<svg class=\"app-chart\"").count();
    assert!(charts > 0, "no chart");
    // Every chart is followed (before the next chart) by a table.
    for part in body.split("<svg class=\"app-chart\"").skip(1) {
        let next_chart = part.find("<svg").unwrap_or(part.len());
        assert!(part[..next_chart].contains("<table class=\"govuk-table\""), "a chart without its table");
    }
    // RAG is words as well as a colour; where there is no rating it says so.
    assert!(body.contains("Not rated") || body.contains("target met") || body.contains("short of target"));
    assert!(!body.contains("style="), "no inline style under the CSP");
    // A drill-down that is not offered is ignored, not an error; asking for need and phase together is.
    let both = app.get("/dashboard/frameworks/portsmouth-2016?need=ASD&phase=primary", Some(&b)).await;
    assert_eq!(both.status, StatusCode::OK);
}

#[tokio::test]
async fn manual_and_facts_indicators_say_plainly_that_they_have_no_value() {
    let app = TestApp::new().await;
    let b = app.sign_in("board").await;
    let page = app.get("/dashboard/frameworks/portsmouth-2016", Some(&b)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Awaiting data"), "facts indicators");
    assert!(page.body.contains("Entered by hand"), "manual indicators");
}

#[tokio::test]
async fn the_drill_down_by_need_shows_the_need_breakdown() {
    let app = TestApp::new().await;
    let b = app.sign_in("manager").await;
    let all = app.get("/dashboard/frameworks/dfe-ehcp", Some(&b)).await;
    // The need options come from the results: the test area's children all have ASD.
    if all.body.contains("value=\"ASD\"") {
        let asd = app.get("/dashboard/frameworks/dfe-ehcp?need=ASD", Some(&b)).await;
        // The code is shown by its name, never as the code.
        assert!(asd.body.contains("primary need Autistic spectrum disorder"), "{}", asd.body.len());
        assert!(asd.body.contains(">Autistic spectrum disorder</option>"), "the option reads as the need's name");
        assert!(asd.body.contains("selected"), "the choice stays selected");
    }
    let unknown = app.get("/dashboard/frameworks/dfe-ehcp?locality=Nowhere", Some(&b)).await;
    assert!(unknown.body.contains("everyone"), "an unknown locality is ignored");
}

#[tokio::test]
async fn exports_are_the_contract_csv_an_xlsx_workbook_and_a_print_page_allowed_only_its_own_style() {
    let app = TestApp::new().await;
    let b = app.sign_in("board").await;
    let csv = app.get("/dashboard/frameworks/dfe-ehcp/data.csv", Some(&b)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body.lines().next().unwrap(), "framework,indicator,period,la,cohort,numerator,denominator,value,target,rag");
    assert!(csv.body.lines().skip(1).all(|l| l.starts_with("dfe-ehcp,")), "one framework only");
    assert!(csv.body.contains(",851,"), "the LA's rows");
    let xlsx = app.get("/dashboard/frameworks/dfe-ehcp/data.xlsx", Some(&b)).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(&xlsx.bytes[..2], b"PK", "a zip container");
    let print = app.get("/dashboard/frameworks/dfe-ehcp/print", Some(&b)).await;
    assert_eq!(print.status, StatusCode::OK);
    let csp = print.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(csp.contains("style-src 'sha256-") && csp.contains("script-src 'none'") && !csp.contains("unsafe"), "{csp}");
    assert!(!print.body.contains("<script"));
    // Every other page keeps the strict policy.
    let page = app.get("/dashboard/frameworks/dfe-ehcp", Some(&b)).await;
    assert_eq!(page.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap(), waymark_web_csp());
}

fn waymark_web_csp() -> &'static str {
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
connect-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
}

#[tokio::test]
async fn a_framework_view_is_cached_until_the_data_changes_and_every_view_is_audited() {
    use waymark_storage::{Actor, AuditFilter, Scope, Store};
    let app = TestApp::new().await;
    let b = app.sign_in("board").await;
    let admin = Actor::new("test", Scope::All);
    let count = || async {
        let log = app.store.audit_log(&admin, &AuditFilter { limit: 1000, ..Default::default() }).await.unwrap();
        log.iter().filter(|e| e.subject == "aggregate").count()
    };
    let before = count().await;
    let first = app.get("/dashboard/frameworks/dfe-ehcp", Some(&b)).await.body;
    let second = app.get("/dashboard/frameworks/dfe-ehcp", Some(&b)).await.body;
    assert_eq!(first, second);
    assert!(count().await >= before + 2, "each view, cached or not, is audited");
}

/// After a case changes, the cached figures are patched with that case (not read again in whole), and
/// agree with what a server that just started computes from the store; likewise after a new child and
/// case, which read the table again.
#[tokio::test]
async fn after_a_case_change_the_figures_are_those_of_a_server_reading_the_store_afresh() {
    use waymark_domain::case::{CaseEvent, CaseEventKind};
    use waymark_storage::{Actor, AuditFilter, IndicatorStore, Scope, Store};
    let app = TestApp::new().await;
    let m = app.sign_in("manager").await;
    let admin = Actor::new("test", Scope::All);
    // Reading the table in whole reads the children as a list; patching a case does not.
    let whole_reads = || async {
        let log = app.store.audit_log(&admin, &AuditFilter { limit: 1000, ..Default::default() }).await.unwrap();
        log.iter().filter(|e| e.subject == "child_list").count()
    };
    // The test area's numbers are all small: shown, so that they can be compared.
    app.store.set_suppression_threshold(&admin, "851", 0, "test").await.unwrap();
    let path = "/dashboard/frameworks/dfe-ehcp/data.csv";
    let before = app.get(path, Some(&m)).await.body;
    // Dara's request is decided: the decisions measures move.
    let decided = CaseEvent::new(common::d("2026-09-10"), CaseEventKind::DecidedToAssess);
    app.store.record_case_events(&admin, app.kid("dara").case, 1, vec![decided], "test").await.unwrap();
    let reads = whole_reads().await;
    let patched = app.get(path, Some(&m)).await.body;
    assert_ne!(patched, before, "the decision shows");
    assert_eq!(whole_reads().await, reads, "the case was patched in, not the table read again");
    assert_eq!(patched, app.get_from_a_new_server(path, Some(&m)).await.body);
    new_child_with_request(&app, "2026-10-01").await;
    let reread = app.get(path, Some(&m)).await.body;
    assert_ne!(reread, patched, "the new request shows");
    assert_eq!(whole_reads().await, reads + 2, "a new child reads the table again");
    assert_eq!(reread, app.get_from_a_new_server(path, Some(&m)).await.body);
}

#[tokio::test]
async fn the_sen2_page_lists_findings_by_rule_each_linked_to_the_case_to_fix() {
    let app = TestApp::new().await;
    let b = app.sign_in("caseworker").await;
    let page = app.get("/sen2", Some(&b)).await;
    assert_eq!(page.status, StatusCode::OK);
    // The test area has no return settings: the header rule is an error, about the whole return.
    assert!(page.body.contains("SEN2-H04"), "{}", page.body);
    let amber = app.kid("amber");
    let links_to_records =
        page.body.contains(&format!("/cases/{}", amber.case)) || page.body.contains(&format!("/children/{}", amber.child));
    let has_person_findings = page.body.contains("Open the case") || page.body.contains("Open the record");
    assert!(links_to_records || !has_person_findings);
    // A child in the 2026 return's period with no UPN, ULN or reason: a finding about that person,
    // linked to their case.
    let (child, case) = child_without_upn(&app).await;
    let page = app.get("/sen2", Some(&b)).await;
    assert!(
        page.body.contains(&format!("cases&#x2f;{case}\"")) || page.body.contains(&format!("children&#x2f;{child}\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("SEN2-P03") && (page.body.contains("Open the case") || page.body.contains("Open the record")));
    let y2025 = app.get("/sen2?year=2025", Some(&b)).await;
    assert_eq!(y2025.status, StatusCode::OK);
    assert_eq!(app.get("/sen2?year=1999", Some(&b)).await.status, StatusCode::NOT_FOUND);
    let csv = app.get("/sen2/findings.csv", Some(&b)).await;
    assert!(csv.body.starts_with("rule,severity,line,path,person,message"), "{}", csv.body);
    for role in ["board", "senco", "health", "parent"] {
        let other = app.sign_in(role).await;
        assert_eq!(app.get("/sen2", Some(&other)).await.status, StatusCode::FORBIDDEN, "{role}");
    }
    // An administrator sees child ids only: no names, no links to records they cannot open.
    let admin = app.sign_in("admin").await;
    let page = app.get("/sen2", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Open the case") && !page.body.contains(&amber.name));
}

async fn child_without_upn(app: &TestApp) -> (waymark_domain::ids::ChildId, waymark_domain::ids::CaseId) {
    new_child_with_request(app, "2025-03-03").await
}

/// A new child in LA 851 with no UPN, and a request received on `received`.
async fn new_child_with_request(app: &TestApp, received: &str) -> (waymark_domain::ids::ChildId, waymark_domain::ids::CaseId) {
    use waymark_domain::case::{CaseEvent, CaseEventKind, Requester};
    use waymark_domain::child::{NewChild, PersonName, Sex};
    use waymark_storage::{Actor, Scope, Store};
    let admin = Actor::new("test-setup", Scope::All);
    let new = NewChild {
        name: PersonName::new("Noupn", "Example").unwrap(),
        date_of_birth: common::d("2015-05-05"),
        sex: Sex::Male,
        ethnicity: None,
        postcode: None,
        upn: None,
        uln: None,
        nhs_number: None,
        responsible_la: "851".parse().unwrap(),
    };
    let child = app.store.create_child(&admin, new, "test").await.unwrap();
    let request = CaseEvent::new(
        common::d(received),
        CaseEventKind::RequestReceived {
            requester: Requester::ParentOrYoungPerson,
            in_youth_accommodation: false,
            unknown_dates: Default::default(),
        },
    );
    let case = app.store.open_case(&admin, child.value.id, request, "test").await.unwrap();
    (child.value.id, case.value.id)
}

#[tokio::test]
async fn checking_the_return_is_one_aggregate_audit_entry_not_one_per_child() {
    use waymark_storage::{Actor, AuditFilter, Scope, Store};
    let app = TestApp::new().await;
    let admin = Actor::new("test", Scope::All);
    let all = AuditFilter::default();
    let before = app.store.audit_log(&admin, &all).await.unwrap();
    let b = app.sign_in("manager").await;
    app.get("/sen2", Some(&b)).await;
    let after = app.store.audit_log(&admin, &all).await.unwrap();
    let new: Vec<_> = after.iter().filter(|e| !before.contains(e)).collect();
    let checks: Vec<_> = new.iter().filter(|e| e.subject == "sen2_check").collect();
    assert_eq!(checks.len(), 1, "{new:?}");
    assert!(checks[0].child_id.is_none() && checks[0].la.is_some());
    assert!(!new.iter().any(|e| e.subject == "sen2_return"), "no per-child entries for a view: {new:?}");
}

/// The CSV row of one indicator for LA 851, everyone, in its latest period: period, la, cohort,
/// numerator, denominator, value, target, rag.
fn csv_row(csv: &str, indicator: &str) -> Vec<String> {
    csv.lines()
        .rfind(|l| l.starts_with(&format!("dfe-ehcp,{indicator},")) && l.contains(",851,all,"))
        .unwrap_or_else(|| panic!("{indicator} missing"))
        .split(',')
        .skip(2)
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_manager_sets_a_target_and_the_figure_is_rated_against_it_with_who_when_and_why_kept() {
    let app = TestApp::new().await;
    let board = app.sign_in("board").await;
    let path = "/dashboard/frameworks/dfe-ehcp/targets/request_decisions_within_6_weeks_pct";
    assert_eq!(app.get(path, Some(&board)).await.status, StatusCode::FORBIDDEN, "board members read, they do not set targets");
    let m = app.sign_in("manager").await;
    let form = app.get(path, Some(&m)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("No local target has been set"));
    // A reason is required, and the error names the field.
    let refused = app.post_form(path, Some(&m), &[("csrf", &m.csrf), ("period", "2026"), ("value", "50"), ("reason", "")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("href=\"#reason\""), "{}", refused.body);
    let saved = app
        .post_form(path, Some(&m), &[("csrf", &m.csrf), ("period", "2026"), ("value", "50%"), ("reason", "Agreed by the SEND board")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get("/dashboard/frameworks/dfe-ehcp", Some(&m)).await;
    assert!(page.body.contains("Rated against the local target for 2026 of 50%"), "the rule is stated beside the rating");
    let csv = app.get("/dashboard/frameworks/dfe-ehcp/data.csv", Some(&m)).await;
    assert_eq!(csv_row(&csv.body, "request_decisions_within_6_weeks_pct")[6], "50", "the export carries the target");
    let history = app.get(path, Some(&m)).await;
    assert!(history.body.contains("Agreed by the SEND board") && history.body.contains("(SEND manager)"), "who and why are kept");
}

#[tokio::test]
async fn small_numbers_show_as_c_on_board_pages_and_exports_until_the_la_changes_its_threshold() {
    let app = TestApp::new().await;
    let board = app.sign_in("board").await;
    // LA 851 has three requests this year: 1 to 5 is hidden by default.
    let csv = app.get("/dashboard/frameworks/dfe-ehcp/data.csv", Some(&board)).await.body;
    let row = csv_row(&csv, "requests_received");
    assert_eq!((row[3].as_str(), row[5].as_str()), ("c", "c"), "{row:?}");
    let page = app.get("/dashboard/frameworks/dfe-ehcp", Some(&board)).await.body;
    assert!(page.contains("counts from 1 to 5 are shown as c"));
    let print = app.get("/dashboard/frameworks/dfe-ehcp/print", Some(&board)).await.body;
    assert!(print.contains("<td>c</td>"), "the printable version hides them too");
    assert_eq!(app.get("/dashboard/small-numbers", Some(&board)).await.status, StatusCode::FORBIDDEN);
    let m = app.sign_in("manager").await;
    let r = app.post_form("/dashboard/small-numbers", Some(&m), &[("csrf", &m.csrf), ("threshold", "0"), ("reason", "Internal use")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let csv = app.get("/dashboard/frameworks/dfe-ehcp/data.csv", Some(&board)).await.body;
    assert_eq!(csv_row(&csv, "requests_received")[5], "3");
}

#[tokio::test]
async fn one_measure_shows_the_same_value_on_the_page_the_print_version_and_the_csv() {
    let app = TestApp::new().await;
    let m = app.sign_in("manager").await;
    app.post_form("/dashboard/small-numbers", Some(&m), &[("csrf", &m.csrf), ("threshold", "0"), ("reason", "Compare exports")]).await;
    let csv = app.get("/dashboard/frameworks/dfe-ehcp/data.csv", Some(&m)).await.body;
    let page = app.get("/dashboard/frameworks/dfe-ehcp", Some(&m)).await.body;
    let print = app.get("/dashboard/frameworks/dfe-ehcp/print?la=851", Some(&m)).await.body;
    let mut compared = 0;
    for indicator in ["requests_received", "request_decisions_within_6_weeks_pct", "plans_within_20_weeks_incl_exceptions_pct"] {
        let row = csv_row(&csv, indicator);
        let Ok(v) = row[5].parse::<f64>() else { continue };
        let shown = waymark_indicators::present::value(v, if indicator.ends_with("_pct") { Unit::Percent } else { Unit::Count });
        assert!(page.contains(&format!(">{shown}<")), "{indicator}: {shown} on the page");
        assert!(print.contains(&format!("<td>{shown}</td>")), "{indicator}: {shown} in the print version");
        compared += 1;
    }
    assert!(compared >= 2, "{compared} measures compared");
}

/// Issue 10 item 4: a count links to the cases behind it for those who may open cases, and each of
/// those is a case of the LA with a link to it; a board member sees neither the link nor the list.
#[tokio::test]
async fn a_count_links_to_the_cases_behind_it_for_caseworkers_only() {
    let app = TestApp::new().await;
    let m = app.sign_in("manager").await;
    let page = app.get("/dashboard/frameworks/dfe-ehcp", Some(&m)).await;
    // Each link as the browser follows it (the template escapes `/` and `&`).
    let body = page.body.replace("&#x2f;", "/").replace("&amp;", "&");
    let hrefs: Vec<String> = body
        .match_indices("href=\"/dashboard/frameworks/dfe-ehcp/cases/")
        .map(|(i, _)| {
            let rest = &body[i + 6..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect();
    assert!(!hrefs.is_empty(), "no count links to its cases");
    let mut listed = 0;
    for href in &hrefs {
        let cases = app.get(href, Some(&m)).await;
        assert_eq!(cases.status, StatusCode::OK, "{href}: {}", cases.body);
        assert!(cases.body.contains("The cases behind"), "{href}");
        for kid in &app.kids {
            if cases.body.contains(&format!("href=\"/cases/{}\"", kid.case)) {
                listed += 1;
            }
        }
        // Every case link on the page is one of the LA's cases.
        for (i, _) in cases.body.match_indices("href=\"/cases/") {
            let id = &cases.body[i + 13..i + 13 + 36];
            assert!(app.kids.iter().any(|k| k.case.to_string() == id), "{href} lists a case that is not the LA's: {id}");
        }
    }
    assert!(listed > 0, "no page listed a case");
    let bad = app.get(&format!("{}&page=abc", hrefs[0]), Some(&m)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("There is no page"), "{}", bad.body);

    let board = app.sign_in("board").await;
    let page = app.get("/dashboard/frameworks/dfe-ehcp", Some(&board)).await;
    assert!(!page.body.contains("See the cases behind"), "a board member is offered cases");
    assert_eq!(app.get(&hrefs[0], Some(&board)).await.status, StatusCode::FORBIDDEN);
}

/// Issue 10 (fast after every change): after one case changes, the caseload and the casework dashboard
/// show it at once, no row stale, with the case patched into the cached rows rather than every case read
/// again; a change written by another process (another connection pool on the same database file, as
/// `waymark` commands or a second server would) is seen the same way. The patched rows are those a
/// server that just started reads.
#[tokio::test]
async fn a_case_change_shows_at_once_on_the_caseload_and_dashboard_even_from_another_process() {
    use waymark_domain::case::{CaseEvent, CaseEventKind};
    use waymark_storage::{Actor, Scope, SqliteStore, Store, UserStore};
    let app = TestApp::new().await;
    let m = app.sign_in("manager").await;
    let dara = app.kid("dara").case.to_string();
    let api = "/api/v1/caseload?scope=all&sort=name";
    let dara_row =
        |body: serde_json::Value| body["items"].as_array().unwrap().iter().find(|i| i["case_id"] == dara.as_str()).cloned().unwrap();
    let assessing = |body: serde_json::Value| {
        let panel = body["panels"].as_array().unwrap().iter().find(|p| p["key"] == "stage").cloned().unwrap();
        panel["table"]["rows"].as_array().unwrap().iter().find(|r| r[0] == "Assessing").map(|r| r[1].clone()).unwrap()
    };
    assert_eq!(dara_row(app.get(api, Some(&m)).await.json())["stage"], "requested");
    let before = assessing(app.get("/api/v1/dashboard", Some(&m)).await.json());
    assert!(app.get("/caseload?scope=all", Some(&m)).await.body.contains("Daramola"));
    let reads = app.state.caseload_whole_reads();

    // Dara's request is decided: her row and the count of cases being assessed move at once.
    let admin = Actor::new("test", Scope::All);
    let decided = CaseEvent::new(common::d("2026-09-10"), CaseEventKind::DecidedToAssess);
    app.store.record_case_events(&admin, app.kid("dara").case, 1, vec![decided], "test").await.unwrap();
    let row = dara_row(app.get(api, Some(&m)).await.json());
    assert_eq!(row["stage"], "assessing", "{row}");
    assert_ne!(assessing(app.get("/api/v1/dashboard", Some(&m)).await.json()), before);
    assert_eq!(app.state.caseload_whole_reads(), reads, "the case was patched in, not every case read again");
    assert_eq!(app.get(api, Some(&m)).await.body, app.get_from_a_new_server(api, Some(&m)).await.body);

    // Another process assigns Dara's case to a caseworker: their own caseload (the default) lists it.
    let other = SqliteStore::open(app.store.path().unwrap(), app.clock.clone()).await.unwrap();
    let cw = app.sign_in("caseworker").await;
    assert!(!app.get("/caseload", Some(&cw)).await.body.contains("Daramola"));
    other.assign_case(&admin, app.kid("dara").case, app.users["caseworker"]).await.unwrap();
    assert!(app.get("/caseload", Some(&cw)).await.body.contains("Daramola"), "another process's change is seen");
    assert_eq!(dara_row(app.get(api, Some(&m)).await.json())["caseworker"], app.users["caseworker"].to_string());
    assert_eq!(app.state.caseload_whole_reads(), reads, "an assignment is patched in too");
    assert_eq!(app.get(api, Some(&m)).await.body, app.get_from_a_new_server(api, Some(&m)).await.body);

    // A new child is not a case change: every case is read again, and the new one is listed.
    new_child_with_request(&app, "2026-10-01").await;
    assert_eq!(app.get(api, Some(&m)).await.json()["total"], 4);
    assert_eq!(app.state.caseload_whole_reads(), reads + 1);
}

/// Issue 10 (`/sen2` fast): views with nothing changed reuse the return's check; a change to the data
/// (a new child in the return's period) or to the return's header settings (the designated officers,
/// SEN2 header items) is checked again and shows at once. Every view is one `sen2_check` audit entry.
#[tokio::test]
async fn the_sen2_check_is_reused_until_the_data_or_the_header_settings_change() {
    use waymark_storage::{Actor, AuditFilter, InPost, LaSettings, LaSettingsStore, Scope, Store};
    let app = TestApp::new().await;
    let b = app.sign_in("caseworker").await;
    let admin = Actor::new("test", Scope::All);
    let audited = || async {
        let log = app.store.audit_log(&admin, &AuditFilter { limit: 1000, ..Default::default() }).await.unwrap();
        log.iter().filter(|e| e.subject == "sen2_check").count()
    };
    let first = app.get("/sen2", Some(&b)).await.body;
    let (checks, views) = (app.state.sen2_checks(), audited().await);
    assert_eq!(app.get("/sen2", Some(&b)).await.body, first);
    assert_eq!(app.get("/sen2/findings.csv", Some(&b)).await.status, StatusCode::OK);
    assert_eq!(app.state.sen2_checks(), checks, "nothing changed: the check is reused");
    assert_eq!(audited().await, views + 2, "each view is audited");

    let (child, case) = child_without_upn(&app).await;
    let page = app.get("/sen2", Some(&b)).await.body;
    assert!(
        page.contains(&format!("cases&#x2f;{case}\"")) || page.contains(&format!("children&#x2f;{child}\"")),
        "the new child's finding shows at once"
    );
    assert_eq!(app.state.sen2_checks(), checks + 1);

    assert!(page.contains("SEN2-H04"), "no settings yet");
    let settings = LaSettings {
        la: "851".parse().unwrap(),
        dmo: InPost::Yes,
        dco: InPost::Yes,
        dsco: InPost::Recruiting,
        software_code: LaSettings::DEFAULT_SOFTWARE_CODE.into(),
        serial_no: "001".into(),
    };
    app.store.set_la_settings(&admin, &settings, None, "test").await.unwrap();
    let page = app.get("/sen2", Some(&b)).await.body;
    assert!(!page.contains("SEN2-H04"), "the settings are checked again");
    assert_eq!(app.state.sen2_checks(), checks + 2);
    assert_eq!(page, app.get_from_a_new_server("/sen2", Some(&b)).await.body);
}
