//! The web application as people use it, through its real router: signing in and out, throttling,
//! CSRF, security headers, the caseworker's journeys with check-your-answers and conflicts, each
//! role's pages, the API and its OpenAPI document, and the audit log.

mod common;

use axum::http::{header, Method, StatusCode};
use common::{input_value, TestApp, PASSWORD};
use serde_json::json;
use waymark_storage::{AuditFilter, Store};

#[tokio::test]
async fn signing_in_with_a_wrong_password_is_refused_with_an_error_summary_and_no_session() {
    let app = TestApp::new().await;
    let reply = app.try_sign_in("caseworker", "not the password").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("govuk-error-summary") && reply.body.contains("Enter a correct username and password"));
    assert!(reply.body.contains("href=\"#username\""), "the summary links to the field");
    assert!(!reply.headers.get_all(header::SET_COOKIE).iter().any(|c| c.to_str().unwrap().contains("waymark_session=")));
    let blank = app.try_sign_in("", "").await;
    assert!(blank.body.contains("Enter your username") && blank.body.contains("Enter your password"));
}

#[tokio::test]
async fn signing_in_sets_a_secure_http_only_same_site_cookie_and_goes_to_the_roles_start_page() {
    let app = TestApp::new().await;
    let reply = app.try_sign_in("senco", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/pupils");
    let cookie = reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.starts_with("__Host-waymark_session="), "the __Host- prefix when secure: {cookie}");
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
}

#[tokio::test]
async fn cookies_can_be_made_for_plain_http_only_when_configured() {
    let app = TestApp::with_config(waymark_web::Config { secure_cookies: false, ..Default::default() }).await;
    let reply = app.try_sign_in("senco", PASSWORD).await;
    assert!(!reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().contains("Secure"));
    assert!(reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().starts_with("waymark_session="), "no prefix over plain HTTP");
}

#[tokio::test]
async fn five_failed_sign_ins_lock_the_account_for_fifteen_minutes_even_with_the_right_password() {
    let app = TestApp::new().await;
    for _ in 0..5 {
        assert_eq!(app.try_sign_in("caseworker", "wrong password!").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let locked = app.try_sign_in("caseworker", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("You have tried to sign in too many times"));
    // Other accounts are not locked by one account's failures.
    assert_eq!(app.try_sign_in("manager", PASSWORD).await.status, StatusCode::SEE_OTHER);
    app.advance(16);
    assert_eq!(app.try_sign_in("caseworker", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn many_failures_from_one_address_are_refused_across_accounts() {
    let config = waymark_web::Config { max_address_failures: 3, ..Default::default() };
    let app = TestApp::with_config(config).await;
    for name in ["nobody1", "nobody2", "nobody3"] {
        app.try_sign_in(name, "x").await;
    }
    assert_eq!(app.try_sign_in("manager", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_sign_in_form_is_refused_without_its_csrf_token() {
    let app = TestApp::new().await;
    let reply = app.post_form("/sign-in", None, &[("username", "caseworker"), ("password", PASSWORD)]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("Your form could not be sent"));
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_is_refused_and_nothing_is_saved() {
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    let dara = app.kid("dara").clone();
    let fields = [("version", "1"), ("decision", "yes"), ("date-day", "20"), ("date-month", "11"), ("date-year", "2026")];
    let reply = app.post_form(&format!("/cases/{}/actions/decision-to-assess/confirm", dara.case), Some(&cw), &fields).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let mut with_wrong = fields.to_vec();
    with_wrong.push(("csrf", "forged"));
    let reply = app.post_form(&format!("/cases/{}/actions/decision-to-assess/confirm", dara.case), Some(&cw), &with_wrong).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let case = app.store.get_case(&waymark_storage::Actor::new("t", waymark_storage::Scope::All), dara.case).await.unwrap();
    assert_eq!(case.version, 1, "nothing was recorded");
}

#[tokio::test]
async fn an_api_change_without_the_csrf_header_is_refused() {
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    let dara = app.kid("dara").clone();
    let body = json!({"expected_version": 1, "events": [{"date": "2026-11-20", "type": "decided_to_assess"}]});
    let reply = app.post_json(&format!("/api/v1/cases/{}/events", dara.case), &cw, &body, false).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.json()["error"]["code"], "csrf");
    let ok = app.post_json(&format!("/api/v1/cases/{}/events", dara.case), &cw, &body, true).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["stage"], "assessing");
}

#[tokio::test]
async fn the_api_names_the_field_or_event_that_is_wrong_and_reports_conflicts_as_409() {
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    let path = format!("/api/v1/cases/{}/events", app.kid("dara").case);
    let bad_json = app
        .request(Method::POST, &path, Some(&cw.cookie), Some(("application/json", b"{not json".to_vec())), &[("x-csrf-token", &cw.csrf)])
        .await;
    assert_eq!(bad_json.status, StatusCode::BAD_REQUEST);
    let no_version = app.post_json(&path, &cw, &json!({"events": []}), true).await;
    assert_eq!(no_version.json()["error"]["field"], "expected_version");
    let bad_event = app
        .post_json(&path, &cw, &json!({"expected_version": 1, "events": [{"date": "2026-02-30", "type": "decided_to_assess"}]}), true)
        .await;
    assert_eq!(bad_event.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_event.json()["error"]["field"], "events[0]");
    let illegal = app
        .post_json(
            &path,
            &cw,
            &json!({"expected_version": 1, "events": [{"date": "2026-11-20", "type": "final_issued", "plan": {}}]}),
            true,
        )
        .await;
    assert_eq!(illegal.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(illegal.json()["error"]["code"], "final_after_draft");
    // ASVS 13.1.5 / issue 12 item 7: a field the event does not have is refused by name, not dropped.
    let typo = app
        .post_json(
            &path,
            &cw,
            &json!({"expected_version": 1, "events": [{"date": "2026-11-20", "type": "decided_to_assess", "notes": "x"}]}),
            true,
        )
        .await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(typo.json()["error"]["code"], "unknown_field");
    assert_eq!(typo.json()["error"]["field"], "events[0].notes");
    let stray = app.post_json(&path, &cw, &json!({"expected_version": 1, "events": [], "version": 2}), true).await;
    assert_eq!(stray.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stray.json()["error"]["field"], "version");
    let stale = app
        .post_json(&path, &cw, &json!({"expected_version": 7, "events": [{"date": "2026-11-20", "type": "decided_to_assess"}]}), true)
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes_and_on_signing_out() {
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    assert_eq!(app.get("/caseload", Some(&cw)).await.status, StatusCode::OK);
    app.advance(31);
    let expired = app.get("/caseload", Some(&cw)).await;
    assert_eq!(expired.status, StatusCode::SEE_OTHER);
    assert_eq!(expired.location(), "/sign-in");
    assert_eq!(app.get("/api/v1/me", Some(&cw)).await.status, StatusCode::UNAUTHORIZED);

    let again = app.sign_in("caseworker").await;
    let out = app.post_form("/sign-out", Some(&again), &[("csrf", &again.csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(app.get("/caseload", Some(&again)).await.location(), "/sign-in");
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_are_never_cached() {
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    for (path, who) in [
        ("/sign-in", None),
        ("/caseload", Some(&cw)),
        ("/api/v1/me", Some(&cw)),
        ("/no-such-page", Some(&cw)),
        ("/assets/waymark.css", None),
    ] {
        let reply = app.get(path, who).await;
        let h = |name: &str| reply.headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let csp = h("content-security-policy");
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
        assert!(h("strict-transport-security").is_empty(), "no HSTS over plain HTTP");
        if !path.starts_with("/assets/") {
            assert_eq!(h("cache-control"), "no-store", "{path}");
        }
    }
    let tls = TestApp::with_config(waymark_web::Config { hsts: true, ..Default::default() }).await;
    assert!(tls.get("/sign-in", None).await.headers.contains_key("strict-transport-security"));
}

#[tokio::test]
async fn pages_have_no_inline_script_or_style_so_the_policy_needs_no_exception() {
    let app = TestApp::new().await;
    let mgr = app.sign_in("manager").await;
    for path in ["/caseload", "/dashboard", &format!("/cases/{}", app.kid("amber").case)] {
        let body = app.get(path, Some(&mgr)).await.body;
        assert!(!body.contains(" style=\""), "{path} has an inline style");
        assert!(!body.contains("<script>") && !body.contains("<script type=\"text/javascript\">"), "{path} has an inline script");
        assert!(body.contains("<script type=\"module\" src=\"/assets/app.js\"></script>"));
    }
}

#[tokio::test]
async fn the_caseload_shows_each_cases_next_deadline_and_whom_it_waits_on_and_filters_by_stage() {
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    let page = app.get("/caseload?scope=all", Some(&cw)).await;
    assert_eq!(page.status, StatusCode::OK);
    for kid in ["amber", "basil", "dara"] {
        let (forename, surname) = app.kid(kid).name.split_once(' ').unwrap();
        assert!(page.body.contains(&format!("{surname}, {forename}")));
    }
    assert!(!page.body.contains("Vantongeren"), "another LA's child");
    // The next step in the domain's words (`case::next_step`), capitalised as a table cell.
    assert!(page.body.contains("Advice from the school or setting") || page.body.contains("Advice from health"), "{}", page.body);
    assert!(page.body.contains("Overdue") && page.body.contains("Waiting on"));
    let requested = app.get("/caseload?stage=requested&scope=all", Some(&cw)).await.body;
    assert!(requested.contains("Wetherspoon") && !requested.contains("Quayle"));
    let api = app.get("/api/v1/caseload?status=overdue&scope=all", Some(&cw)).await.json();
    assert!(api["items"].as_array().unwrap().iter().all(|i| i["next_status"] == "overdue"));
    let junk = app.get("/caseload?page=-3&sort=%00&stage=%3Cscript%3E", Some(&cw)).await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST, "an unreadable query is refused, not a panic");
}

#[tokio::test]
async fn a_decision_goes_through_check_your_answers_and_the_clock_updates_on_save() {
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    let dara = app.kid("dara").clone();
    let form = app.get(&format!("/cases/{}/actions/decision-to-assess", dara.case), Some(&cw)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(input_value(&form.body, "version").as_deref(), Some("1"));
    let fields = [
        ("csrf", cw.csrf.as_str()),
        ("version", "1"),
        ("decision", "yes"),
        ("date-day", "20"),
        ("date-month", "11"),
        ("date-year", "2026"),
    ];
    let check = app.post_form(&format!("/cases/{}/actions/decision-to-assess", dara.case), Some(&cw), &fields).await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(
        check.body.contains("Check your answers") && check.body.contains("Decided to assess") && check.body.contains("20 November 2026")
    );
    let saved = app.post_form(&format!("/cases/{}/actions/decision-to-assess/confirm", dara.case), Some(&cw), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = app.get(&saved.location(), Some(&cw)).await.body;
    assert!(page.contains("Saved: Record the decision whether to assess"));
    // Decided 20 November on a request of 3 August: past the 6 weeks of reg 5(1), so the clock says missed.
    assert!(page.contains("Assessing") && page.contains("Decision whether to assess") && page.contains("Missed"), "{page}");
}

#[tokio::test]
async fn wrong_answers_are_shown_with_an_error_summary_linking_to_each_field() {
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    let dara = app.kid("dara").clone();
    let fields = [("csrf", cw.csrf.as_str()), ("version", "1"), ("date-day", "31"), ("date-month", "2"), ("date-year", "2026")];
    let reply = app.post_form(&format!("/cases/{}/actions/decision-to-assess", dara.case), Some(&cw), &fields).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("There is a problem"));
    assert!(reply.body.contains("href=\"#decision\"") && reply.body.contains("Select whether the council decided to assess"));
    assert!(reply.body.contains("href=\"#date-day\"") && reply.body.contains("The date must be a real date"));
    assert!(reply.body.contains("value=\"31\""), "the answer typed is kept");
    let future =
        [("csrf", cw.csrf.as_str()), ("version", "1"), ("decision", "no"), ("date-day", "1"), ("date-month", "1"), ("date-year", "2027")];
    let reply = app.post_form(&format!("/cases/{}/actions/decision-to-assess", dara.case), Some(&cw), &future).await;
    assert!(reply.body.contains("The date must be today or in the past"));
}

#[tokio::test]
async fn a_step_the_law_does_not_allow_is_refused_naming_the_rule() {
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    let amber = app.kid("amber").clone();
    // The request arrived on 3 August; a draft dated before it cannot be recorded.
    let fields = [("csrf", cw.csrf.as_str()), ("version", "4"), ("date-day", "1"), ("date-month", "8"), ("date-year", "2026")];
    let reply = app.post_form(&format!("/cases/{}/actions/issue-draft/confirm", amber.case), Some(&cw), &fields).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("before the case began"), "{}", reply.body);
}

#[tokio::test]
async fn a_conflicting_edit_is_shown_to_the_second_editor_with_their_answers_kept_and_can_then_be_saved() {
    let app = TestApp::new().await;
    let first = app.sign_in("caseworker").await;
    let second = app.sign_in("caseworker2").await;
    let amber = app.kid("amber").clone();
    // Both open the case at version 4. The first records the health advice.
    let a = [
        ("csrf", first.csrf.as_str()),
        ("version", "4"),
        ("party", "health"),
        ("date-day", "10"),
        ("date-month", "11"),
        ("date-year", "2026"),
    ];
    let saved = app.post_form(&format!("/cases/{}/actions/advice-received/confirm", amber.case), Some(&first), &a).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // The second, still on version 4, records the education advice.
    let b = [
        ("csrf", second.csrf.as_str()),
        ("version", "4"),
        ("party", "education"),
        ("date-day", "12"),
        ("date-month", "11"),
        ("date-year", "2026"),
        ("summary", "Needs a quiet space"),
    ];
    let conflict = app.post_form(&format!("/cases/{}/actions/advice-received/confirm", amber.case), Some(&second), &b).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(conflict.body.contains("Someone else changed this case while you were working on it"));
    assert!(conflict.body.contains("Health advice received"), "what changed is shown");
    assert!(conflict.body.contains("Needs a quiet space"), "the second editor's answers are kept");
    assert_eq!(input_value(&conflict.body, "version").as_deref(), Some("5"));
    // Saving again on the current version records it.
    let again = [
        ("csrf", second.csrf.as_str()),
        ("version", "5"),
        ("party", "education"),
        ("date-day", "12"),
        ("date-month", "11"),
        ("date-year", "2026"),
        ("summary", "Needs a quiet space"),
    ];
    let ok = app.post_form(&format!("/cases/{}/actions/advice-received/confirm", amber.case), Some(&second), &again).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
}

#[tokio::test]
async fn a_professional_submits_only_their_own_services_advice() {
    let app = TestApp::new().await;
    let health = app.sign_in("health").await;
    let amber = app.kid("amber").clone();
    let list = app.get("/advice", Some(&health)).await.body;
    assert!(list.contains(&amber.name) && list.contains("Submit advice"));
    let other = [
        ("csrf", health.csrf.as_str()),
        ("version", "4"),
        ("party", "education"),
        ("date-day", "10"),
        ("date-month", "11"),
        ("date-year", "2026"),
    ];
    let refused = app.post_form(&format!("/cases/{}/actions/advice-received/confirm", amber.case), Some(&health), &other).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let own = [
        ("csrf", health.csrf.as_str()),
        ("version", "4"),
        ("party", "health"),
        ("date-day", "10"),
        ("date-month", "11"),
        ("date-year", "2026"),
        ("summary", "Sensory profile done"),
    ];
    let saved = app.post_form(&format!("/cases/{}/actions/advice-received/confirm", amber.case), Some(&health), &own).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let decide = [
        ("csrf", health.csrf.as_str()),
        ("version", "5"),
        ("decision", "yes"),
        ("date-day", "10"),
        ("date-month", "11"),
        ("date-year", "2026"),
    ];
    let no = app.post_form(&format!("/cases/{}/actions/decision-to-issue/confirm", amber.case), Some(&health), &decide).await;
    assert_eq!(no.status, StatusCode::FORBIDDEN, "a professional makes no LA decision");
}

#[tokio::test]
async fn a_senco_sees_their_settings_pupils_and_what_to_send() {
    let app = TestApp::new().await;
    let senco = app.sign_in("senco").await;
    let page = app.get("/pupils", Some(&senco)).await.body;
    assert!(page.contains(&app.kid("amber").name) && page.contains(&app.kid("dara").name));
    assert!(!page.contains(&app.kid("basil").name), "a pupil of another school");
    assert!(page.contains("Send the school&#x27;s advice") || page.contains("Send the school's advice"), "{page}");
}

#[tokio::test]
async fn a_family_sees_their_own_journey_in_plain_english_and_nobody_elses() {
    let app = TestApp::new().await;
    let parent = app.sign_in("parent").await;
    let list = app.get("/my-journey", Some(&parent)).await.body;
    assert!(list.contains(&app.kid("amber").name) && !list.contains(&app.kid("basil").name));
    let journey = app.get(&format!("/my-journey/{}", app.kid("amber").case), Some(&parent)).await.body;
    assert!(journey.contains("Where it is now") && journey.contains("What happens next") && journey.contains("We are waiting for"));
    assert!(journey.contains("Who to contact"));
    assert_eq!(app.get(&format!("/my-journey/{}", app.kid("basil").case), Some(&parent)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_dashboard_has_each_chart_followed_by_its_table_and_exports_without_names() {
    let app = TestApp::new().await;
    let board = app.sign_in("board").await;
    let page = app.get("/dashboard", Some(&board)).await;
    assert_eq!(page.status, StatusCode::OK);
    // Cases by stage, then the casework pack: each chart followed by its table.
    assert!(page.body.contains("Cases by stage on"));
    let svgs = page.body.matches("<svg").count();
    assert!(svgs >= 3, "{svgs}");
    for part in page.body.split("<svg").skip(1) {
        let after = part.split_once("</svg>").unwrap().1;
        let table = after.find("<table").expect("a table after each chart");
        assert!(after.find("<svg").is_none_or(|s| table < s), "each chart is followed by its own table");
    }
    let csv = app.get("/dashboard.csv", Some(&board)).await;
    assert!(csv.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    assert_eq!(csv.body.lines().next().unwrap(), "framework,indicator,period,la,cohort,numerator,denominator,value,target,rag");
    assert!(csv.body.lines().skip(1).all(|l| l.starts_with("casework,")), "{}", csv.body);
    let api = app.get("/api/v1/dashboard", Some(&board)).await.json();
    let keys: Vec<&str> = api["panels"].as_array().unwrap().iter().map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["stage", "flow", "timeliness"], "the API keeps its panels");
    assert_eq!(api["panels"][0]["table"]["rows"][2], serde_json::json!(["Assessing", "2"]), "{api}");
    let xlsx = app.get("/dashboard.xlsx", Some(&board)).await;
    assert_eq!(&xlsx.bytes[..2], b"PK", "an XLSX is a zip");
    assert_eq!(app.get("/caseload", Some(&board)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn viewing_a_case_page_is_written_to_the_audit_log_under_the_users_id_and_shown_on_the_audit_page() {
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    let amber = app.kid("amber").clone();
    app.get(&format!("/cases/{}", amber.case), Some(&cw)).await;
    let actor = waymark_storage::Actor::new("t", waymark_storage::Scope::All);
    let log = app.store.audit_log(&actor, &AuditFilter { child: None, case: Some(amber.case), limit: 10 }).await.unwrap();
    let label = format!("user:{}", app.users["caseworker"]);
    assert!(log.iter().any(|e| e.actor_label == label && e.subject == "case_record" && e.action.as_str() == "read"), "{log:?}");
    let mgr = app.sign_in("manager").await;
    let page = app.get(&format!("/audit?case={}", amber.case), Some(&mgr)).await.body;
    assert!(page.contains("Test caseworker") && page.contains("A case&#x27;s page"), "{page}");
    let bad = app.get("/audit?case=nonsense", Some(&mgr)).await.body;
    assert!(bad.contains("Enter a case id in the correct format"));
}

#[tokio::test]
async fn an_administrator_invites_an_account_with_a_role_and_errors_name_the_field() {
    let app = TestApp::new().await;
    let admin = app.sign_in("admin").await;
    let form = app.get("/admin/users/new", Some(&admin)).await.body;
    assert!(!form.contains("type=\"password\""), "administrators never set passwords: {form}");
    let missing =
        app.post_form("/admin/users/new", Some(&admin), &[("csrf", &admin.csrf), ("role", "senco"), ("email", "not-an-address")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    for text in
        ["Enter a username", "Enter the person&#x27;s name", "Enter the school&#x27;s URN", "Enter an email address in the correct format"]
    {
        assert!(missing.body.contains(text), "{text}: {}", missing.body);
    }
    let invite = |username: &'static str, role: &'static str| {
        [
            ("csrf", admin.csrf.as_str()),
            ("username", username),
            ("name", "New Senco"),
            ("role", role),
            ("urn", if role == "senco" { "851002" } else { "" }),
            ("email", "new.senco@school.test"),
        ]
    };
    let made = app.post_form("/admin/users/new", Some(&admin), &invite("new.senco", "senco")).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    // No password yet: nothing signs in until the person sets one from the invitation.
    assert_eq!(app.try_sign_in("new.senco", "").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let taken = app.post_form("/admin/users/new", Some(&admin), &invite("NEW.SENCO", "board_member")).await;
    assert!(taken.body.contains("That username is already taken"), "{}", taken.body);
}

#[tokio::test]
async fn the_openapi_document_is_valid_json_and_lists_every_api_route() {
    let app = TestApp::new().await;
    let spec = app.get("/api/openapi.json", None).await.json();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().unwrap();
    let cw = app.sign_in("caseworker").await;
    let amber = app.kid("amber").clone();
    // A document on Amber's case, for the download route.
    let setup = waymark_storage::Actor::new("test-setup", waymark_storage::Scope::All);
    let new = waymark_storage::NewDocument {
        case: amber.case,
        kind: "other".into(),
        filename: "note.rtf".into(),
        media_type: "application/rtf".into(),
        uploaded_by: None,
    };
    let document = waymark_storage::DocumentStore::add_document(&app.store, &setup, new, b"{\\rtf1 note}").await.unwrap();
    let mut listed = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            listed += 1;
            let id = if path.contains("/children/") {
                amber.child.to_string()
            } else if path.contains("/documents/") {
                document.document_id.to_string()
            } else {
                amber.case.to_string()
            };
            let concrete = path.replace("{id}", &id);
            let reply =
                if method == "post" { app.post_json(&concrete, &cw, &json!({}), true).await } else { app.get(&concrete, Some(&cw)).await };
            // The route exists: a caseworker gets an answer, a refusal or a validation error, never a 404.
            assert_ne!(reply.status, StatusCode::NOT_FOUND, "{method} {path}");
            assert_ne!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        }
    }
    assert_eq!(listed, 15);
    assert_eq!(app.get("/api/v1/nope", Some(&cw)).await.json()["error"]["code"], "not_found");
}

#[tokio::test]
async fn the_built_in_assets_are_served_with_their_types() {
    let app = TestApp::new().await;
    let css = app.get("/assets/waymark.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    assert_eq!(app.get("/assets/app.js", None).await.headers[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
    assert_eq!(app.get("/assets/../Cargo.toml", None).await.status, StatusCode::NOT_FOUND);
}
