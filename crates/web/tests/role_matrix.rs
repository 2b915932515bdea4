//! Every role against every route: no page, API response, export or error shows a child the role may
//! not see. Two LAs, three schools and four children; each role's allowed children are listed here by
//! hand, and every other child's name, UPN, child id and case id must be absent from every response.

mod common;

use axum::http::{Method, StatusCode};
use common::{Kid, TestApp};
use serde_json::json;

/// Which children each role may see (by the test area's keys), and whether child ids may appear on
/// the audit and SEN2 pages (LA staff and administrators see ids there; administrators never names).
fn allowed(role: &str) -> (&'static [&'static str], bool) {
    match role {
        "caseworker" | "manager" => (&["amber", "basil", "dara"], true),
        "admin" => (&[], true),
        "senco" => (&["amber", "dara"], false),
        "health" => (&["amber"], false),
        "socialcare" => (&["basil"], false),
        "ep" => (&[], false),
        "parent" => (&["amber"], false),
        "youngperson" => (&["basil"], false),
        "board" => (&[], false),
        "kentcaseworker" => (&["cora"], false),
        other => panic!("no rule for {other}"),
    }
}

fn routes(app: &TestApp) -> Vec<(Method, String)> {
    let mut r: Vec<(Method, String)> = [
        "/",
        "/caseload",
        "/caseload?stage=assessing&sort=name",
        "/pupils",
        "/advice",
        "/my-journey",
        "/dashboard",
        "/dashboard/print",
        "/dashboard.csv",
        "/dashboard.xlsx",
        "/dashboard/stage/assessing",
        "/dashboard/stage/nonsense",
        "/dashboard/frameworks/dfe-ehcp",
        "/dashboard/frameworks/portsmouth-2016?locality=X&need=ASD",
        "/dashboard/frameworks/hertfordshire-2015?phase=primary",
        "/dashboard/frameworks/ofsted-area-send",
        "/dashboard/frameworks/dfe-ehcp/data.csv",
        "/dashboard/frameworks/dfe-ehcp/data.xlsx",
        "/dashboard/frameworks/peterborough-2017/print",
        "/dashboard/frameworks/no-such-framework",
        "/sen2",
        "/sen2?year=2025",
        "/sen2/findings.csv",
        "/audit",
        "/admin/users",
        "/admin/users/new",
        "/admin/letters",
        "/admin/letters/final_plan",
        "/accessibility",
        "/no-such-page",
        "/cases/not-a-uuid",
        "/children/not-a-uuid",
        "/api/openapi.json",
        "/api/v1/me",
        "/api/v1/caseload",
        "/api/v1/pupils",
        "/api/v1/advice-requests",
        "/api/v1/my-cases",
        "/api/v1/dashboard",
        "/api/v1/audit",
        "/api/v1/users",
        "/api/v1/no-such-thing",
    ]
    .iter()
    .map(|p| (Method::GET, (*p).to_owned()))
    .collect();
    for k in &app.kids {
        for p in [
            format!("/cases/{}", k.case),
            format!("/cases/{}/actions/request-advice", k.case),
            format!("/cases/{}/actions/advice-received", k.case),
            format!("/children/{}", k.child),
            format!("/my-journey/{}", k.case),
            format!("/audit?case={}", k.case),
            format!("/audit?child={}", k.child),
            format!("/api/v1/cases/{}", k.case),
            format!("/api/v1/children/{}", k.child),
            format!("/api/v1/my-cases/{}", k.case),
            format!("/api/v1/audit?case={}", k.case),
            format!("/cases/{}/documents", k.case),
            format!("/cases/{}/plan.docx", k.case),
            format!("/cases/{}/letters", k.case),
            format!("/cases/{}/letters/decision_to_assess.pdf", k.case),
            format!("/api/v1/cases/{}/documents", k.case),
        ] {
            r.push((Method::GET, p));
        }
        r.push((Method::POST, format!("/cases/{}/actions/decision-to-assess", k.case)));
        r.push((Method::POST, format!("/cases/{}/actions/decision-to-assess/confirm", k.case)));
        r.push((Method::POST, format!("/cases/{}/assign", k.case)));
        r.push((Method::POST, format!("/api/v1/cases/{}/events", k.case)));
    }
    for id in app.users.values() {
        r.push((Method::GET, format!("/admin/users/{id}")));
    }
    r
}

fn leaks(body: &str, kid: &Kid, ids_ok: bool, path: &str) -> Vec<String> {
    let mut found = Vec::new();
    if body.contains(&kid.name) {
        found.push(format!("name of {}", kid.key));
    }
    if body.contains(&kid.upn) {
        found.push(format!("UPN of {}", kid.key));
    }
    let id_allowed = ids_ok && ["/audit", "/api/v1/audit", "/admin/users", "/sen2"].iter().any(|p| path.starts_with(p));
    // A path that names the id itself (a request for the record) may echo nothing but that id in links it built.
    let echoes_path = path.contains(&kid.case.to_string()) || path.contains(&kid.child.to_string());
    if !id_allowed && !echoes_path {
        if body.contains(&kid.child.to_string()) {
            found.push(format!("child id of {}", kid.key));
        }
        if body.contains(&kid.case.to_string()) {
            found.push(format!("case id of {}", kid.key));
        }
    }
    found
}

#[tokio::test]
async fn no_role_sees_another_childs_data_on_any_page_api_response_export_or_error() {
    let app = TestApp::new().await;
    let mut problems = Vec::new();
    let mut checked = 0;
    let roles =
        ["caseworker", "manager", "admin", "senco", "health", "socialcare", "ep", "parent", "youngperson", "board", "kentcaseworker"];
    for role in roles {
        let browser = app.sign_in(role).await;
        let (visible, ids_ok) = allowed(role);
        for (method, path) in routes(&app) {
            let reply = match method {
                Method::POST if path.starts_with("/api/") => {
                    app.post_json(
                        &path,
                        &browser,
                        &json!({"expected_version": 99, "events": [{"date": "2026-11-20", "type": "withdrawn"}]}),
                        true,
                    )
                    .await
                }
                Method::POST => {
                    app.post_form(
                        &path,
                        Some(&browser),
                        &[
                            ("csrf", &browser.csrf),
                            ("version", "1"),
                            ("decision", "yes"),
                            ("date-day", "20"),
                            ("date-month", "11"),
                            ("date-year", "2026"),
                        ],
                    )
                    .await
                }
                _ => app.get(&path, Some(&browser)).await,
            };
            checked += 1;
            if reply.status.is_server_error() {
                problems.push(format!("{role} {method} {path}: {}", reply.status));
            }
            for kid in app.kids.iter().filter(|k| !visible.contains(&k.key)) {
                for leak in leaks(&reply.body, kid, ids_ok && kid.key != "cora", &path) {
                    problems.push(format!("{role} {method} {path} ({}): {leak}", reply.status));
                }
            }
            // A record the role may not see is answered exactly like one that does not exist.
            let about_hidden = app
                .kids
                .iter()
                .any(|k| !visible.contains(&k.key) && (path.contains(&k.case.to_string()) || path.contains(&k.child.to_string())));
            let record_route = path.starts_with("/cases/")
                || path.starts_with("/children/")
                || path.starts_with("/my-journey/")
                || path.starts_with("/api/v1/cases/")
                || path.starts_with("/api/v1/children/")
                || path.starts_with("/api/v1/my-cases/");
            if about_hidden && record_route && !matches!(reply.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) {
                problems.push(format!("{role} {method} {path}: a hidden record answered {}", reply.status));
            }
        }
    }
    assert!(checked > 1000, "{checked} requests");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test]
async fn signed_out_visitors_see_no_child_anywhere_and_are_sent_to_sign_in() {
    let app = TestApp::new().await;
    for (method, path) in routes(&app) {
        let reply = match method {
            Method::POST => app.post_form(&path, None, &[("version", "1")]).await,
            _ => app.get(&path, None).await,
        };
        assert!(!reply.status.is_server_error(), "{path}");
        for kid in &app.kids {
            assert!(leaks(&reply.body, kid, false, &path).is_empty(), "{path}");
        }
        if path.starts_with("/api/v1/") && path != "/api/v1/no-such-thing" {
            assert!(
                matches!(reply.status, StatusCode::UNAUTHORIZED | StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                "{path}: {}",
                reply.status
            );
        } else if path.starts_with("/cases/") || path.starts_with("/caseload") || path.starts_with("/dashboard") {
            assert!(
                matches!(reply.status, StatusCode::SEE_OTHER | StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                "{path}: {}",
                reply.status
            );
        }
    }
}

/// The fact sections of the test area's children each role reads on a record it may see.
fn fact_sections_for(role: &str) -> &'static [&'static str] {
    match role {
        "caseworker" | "manager" | "parent" | "youngperson" | "kentcaseworker" => &["ehe", "health", "social-care"],
        "senco" | "ep" => &["ehe"],
        "health" => &["health"],
        "socialcare" => &["social-care"],
        "admin" | "board" => &[],
        other => panic!("no rule for {other}"),
    }
}

#[tokio::test]
async fn each_role_reads_only_its_own_sections_of_the_children_it_may_see() {
    let app = TestApp::new().await;
    let roles =
        ["caseworker", "manager", "admin", "senco", "health", "socialcare", "ep", "parent", "youngperson", "board", "kentcaseworker"];
    let mut problems = Vec::new();
    let mut seen = 0;
    for role in roles {
        let browser = app.sign_in(role).await;
        let (visible, _) = allowed(role);
        let sections = fact_sections_for(role);
        for k in &app.kids {
            for path in [format!("/children/{}", k.child), format!("/api/v1/children/{}", k.child)] {
                let reply = app.get(&path, Some(&browser)).await;
                for (section, _) in common::FACT_SECTIONS {
                    for other in &app.kids {
                        let marker = common::fact_marker(section, other.key);
                        let may = other.key == k.key && visible.contains(&k.key) && sections.contains(&section);
                        let shown = reply.body.contains(&marker);
                        if shown != may {
                            problems.push(format!("{role} {path}: {marker} shown={shown}, allowed={may}"));
                        }
                        seen += usize::from(shown);
                    }
                    // A section the role may not read is not even named on the page.
                    if path.starts_with("/children/") && visible.contains(&k.key) {
                        let named = reply.body.contains(&format!("id=\"facts-{section}\""));
                        if named != sections.contains(&section) {
                            problems.push(format!("{role} {path}: section {section} named={named}"));
                        }
                    }
                }
            }
        }
    }
    assert!(seen > 20, "the test must see facts where they are allowed ({seen})");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test]
async fn reading_a_childs_facts_is_audited_as_a_read_of_that_child() {
    use waymark_storage::{Actor, AuditAction, AuditFilter, Scope, Store};
    let app = TestApp::new().await;
    let amber = app.kid("amber").clone();
    let health = app.sign_in("health").await;
    assert_eq!(app.get(&format!("/children/{}", amber.child), Some(&health)).await.status, axum::http::StatusCode::OK);
    let admin = Actor::new("test", Scope::All);
    let log = app.store.audit_log(&admin, &AuditFilter { child: Some(amber.child), ..Default::default() }).await.unwrap();
    let reads: Vec<&str> = log.iter().filter(|e| e.action == AuditAction::Read).map(|e| e.subject.as_str()).collect();
    assert!(reads.contains(&"facts") && reads.contains(&"child_record"), "{reads:?}");
}
