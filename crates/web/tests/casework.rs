//! Daily casework (issue 11): finding anyone, the caseworker's own caseload, late paperwork, plain
//! English, the day's work and its calendar, names for settings and LAs, placements in the web, and the
//! professionals' lists.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use waymark_storage::{Actor, Scope, UserStore};

async fn assign(app: &TestApp, kid: &str, user: &str) {
    let admin = Actor::new("test-setup", Scope::All);
    app.store.assign_case(&admin, app.kid(kid).case, app.users[user]).await.unwrap();
}

#[tokio::test]
async fn a_caseworker_opens_on_their_own_cases_and_can_see_the_teams() {
    let app = TestApp::new().await;
    assign(&app, "amber", "caseworker").await;
    assign(&app, "basil", "caseworker2").await;
    let cw = app.sign_in("caseworker").await;
    let mine = app.get("/caseload", Some(&cw)).await.body;
    assert!(mine.contains("Quayle, Amberly") && !mine.contains("Underhay") && !mine.contains("Wetherspoon"));
    let all = app.get("/caseload?scope=all", Some(&cw)).await.body;
    assert!(all.contains("Quayle") && all.contains("Underhay") && all.contains("Wetherspoon") && !all.contains("Vantongeren"));
    // A manager sees the team's by default.
    let manager = app.sign_in("manager").await;
    assert!(app.get("/caseload", Some(&manager)).await.body.contains("Underhay"));
    // The API: the same default, `scope` said, `date_of_birth` added, existing keys kept.
    let api = app.get("/api/v1/caseload", Some(&cw)).await.json();
    assert_eq!(api["scope"], "mine");
    let items = api["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["date_of_birth"], "2012-04-01");
    for key in ["case_id", "child_id", "child_name", "upn", "stage", "next_step", "next_due", "caseworker", "caseworker_name"] {
        assert!(items[0].get(key).is_some(), "{key} kept");
    }
}

#[tokio::test]
async fn the_caseload_finds_a_child_by_name_identifier_date_of_birth_or_case_reference() {
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    let amber = app.kid("amber").clone();
    let reference = waymark_domain::search::case_reference(amber.case);
    for q in ["quayle", "QUAYLE amb", "Quäyle", amber.upn.as_str(), amber.upn.to_lowercase().as_str(), reference.as_str()] {
        let path = format!("/api/v1/caseload?scope=all&q={}", urlencode(q));
        let items = app.get(&path, Some(&cw)).await.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1, "{q}");
        assert_eq!(items[0]["case_id"], amber.case.to_string(), "{q}");
    }
    // Everyone in the test area was born on 1 April 2012: the three in this LA, by surname.
    for q in ["1/4/2012", "01-04-2012", "2012-04-01"] {
        let body = app.get(&format!("/caseload?scope=all&q={}", urlencode(q)), Some(&cw)).await.body;
        let (a, b, d) = (body.find("Quayle,").unwrap(), body.find("Underhay,").unwrap(), body.find("Wetherspoon,").unwrap());
        assert!(a < b && b < d, "{q}: sorted by surname");
        assert!(body.contains("1 April 2012"), "with the date of birth");
        assert!(!body.contains("Vantongeren"));
    }
    let none = app.get("/caseload?scope=all&q=nobody", Some(&cw)).await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(none.body.contains("No cases match"));
}

#[tokio::test]
async fn the_child_search_finds_only_the_children_the_role_may_see() {
    let app = TestApp::new().await;
    // The SENCO at 851001 sees Amberly and Daramola, not Basilio (851002) nor Coralie (another LA).
    let senco = app.sign_in("senco").await;
    let found = app.get("/children?q=1%2F4%2F2012", Some(&senco)).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("Quayle, Amberly") && found.body.contains("Wetherspoon, Daramola"));
    assert!(!found.body.contains("Underhay") && !found.body.contains("Vantongeren"));
    assert!(app.get("/children?q=underhay", Some(&senco)).await.body.contains("No child you may see matches"));
    // Health sees the child whose health advice was asked in its LA.
    let health = app.get("/children?q=2012-04-01", Some(&app.sign_in("health").await)).await.body;
    assert!(health.contains("Quayle") && !health.contains("Underhay") && !health.contains("Vantongeren"));
    // A caseworker finds by UPN; a board member and a parent have no child search.
    let cw = app.sign_in("caseworker").await;
    assert!(app.get(&format!("/children?q={}", app.kid("basil").upn), Some(&cw)).await.body.contains("Underhay, Basilio"));
    assert_eq!(app.get("/children?q=quayle", Some(&app.sign_in("board").await)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/children?q=quayle", Some(&app.sign_in("parent").await)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_query_parameter_that_cannot_be_read_gets_a_govuk_error_page() {
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    let reply = app.get("/caseload?page=abc", Some(&cw)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(reply.body.contains("govuk-heading-l") && reply.body.contains("page number"), "{}", reply.body);
}

pub fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("v", text)]).unwrap().trim_start_matches("v=").to_owned()
}

#[tokio::test]
async fn late_paperwork_is_recorded_at_its_real_date_and_a_refusal_comes_before_check_your_answers() {
    use serde_json::json;
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    let amber = app.kid("amber").clone();
    // The education advice arrived on 20 October and is recorded first (version 5).
    let body = json!({"expected_version": 4, "events": [{"date": "2026-10-20", "type": "advice_received", "party": "education"}]});
    let ok = app.post_json(&format!("/api/v1/cases/{}/events", amber.case), &cw, &body, true).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    // The health advice, received on 1 October, is recorded afterwards with its real date.
    let form = [
        ("csrf", cw.csrf.as_str()),
        ("version", "5"),
        ("party", "health"),
        ("date-day", "1"),
        ("date-month", "10"),
        ("date-year", "2026"),
        ("note", "Posted to the wrong office"),
    ];
    let check = app.post_form(&format!("/cases/{}/actions/advice-received", amber.case), Some(&cw), &form).await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    assert!(check.body.contains("Check your answers"));
    let saved = app.post_form(&format!("/cases/{}/actions/advice-received/confirm", amber.case), Some(&cw), &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get(&format!("/cases/{}", amber.case), Some(&cw)).await.body;
    assert!(page.contains("1 October 2026"));
    // The timeline says who recorded each entry and keeps the note as written, without engine words.
    assert!(page.contains("Recorded by Test caseworker (LA caseworker)"), "{page}");
    assert!(page.contains("Posted to the wrong office") && !page.contains("(web)") && !page.contains("Note:"));
    // A decision to issue dated before the decision to assess (1 September) is refused on the question
    // page, in words, before check your answers.
    let early =
        [("csrf", cw.csrf.as_str()), ("version", "6"), ("decision", "yes"), ("date-day", "20"), ("date-month", "8"), ("date-year", "2026")];
    let refused = app.post_form(&format!("/cases/{}/actions/decision-to-issue", amber.case), Some(&cw), &early).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("no assessment was under way") && !refused.body.contains("Check your answers"), "{}", refused.body);
    // The API: late paperwork accepted, a late entry that breaks the history refused with the rule as code.
    let late = json!({"expected_version": 6, "events": [{"date": "2026-08-20", "type": "decided_not_to_assess"}]});
    let reply = app.post_json(&format!("/api/v1/cases/{}/events", amber.case), &cw, &late, true).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["error"]["code"], "late_event_breaks_history");
    assert!(!reply.json()["error"]["message"].as_str().unwrap().contains('_'));
}

/// The text a person reads on a page: tags, scripts, styles and attribute values removed.
fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        out.push(' ');
        let lower = rest[start..].to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            lower.find("</script>").map(|i| i + 9)
        } else if lower.starts_with("<style") {
            lower.find("</style>").map(|i| i + 8)
        } else {
            rest[start..].find('>').map(|i| i + 1)
        };
        match skip_to {
            Some(n) => rest = &rest[start + n..],
            None => return out,
        }
    }
    out.push_str(rest);
    out.replace("&#x27;", "'").replace("&quot;", "\"").replace("&amp;", "&")
}

/// Internal words: snake_case names (rule ids, event and stage names, enum values) and raw framework
/// errors.
fn internal_words(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| {
            let t = w.trim_matches('_');
            t.contains('_') && t.chars().any(|c| c.is_ascii_lowercase()) && !t.starts_with("facts_")
        })
        .map(str::to_owned)
        .collect();
    for raw in ["Failed to deserialize", "invalid digit", "TransitionError", "StoreError", "cannot record "] {
        if text.contains(raw) {
            found.push(raw.to_owned());
        }
    }
    found
}

#[tokio::test]
async fn no_page_any_role_meets_shows_an_internal_name() {
    let app = TestApp::new().await;
    assign(&app, "amber", "caseworker").await;
    let amber = app.kid("amber").clone();
    let mut pages: Vec<(&str, String)> = Vec::new();
    for role in ["caseworker", "manager", "senco", "health", "socialcare", "ep", "parent", "youngperson", "board", "admin"] {
        for path in [
            "/".to_owned(),
            "/caseload".into(),
            "/caseload?scope=all&q=quayle".into(),
            "/caseload?page=abc".into(),
            format!("/cases/{}", amber.case),
            format!("/children/{}", amber.child),
            "/children?q=2012-04-01".into(),
            "/pupils".into(),
            "/advice".into(),
            "/my-journey".into(),
            format!("/my-journey/{}", amber.case),
            "/my-work".into(),
            "/account".into(),
            "/dashboard".into(),
            "/sen2".into(),
            "/audit".into(),
            "/admin/users".into(),
            format!("/admin/users/{}", app.users["parent"]),
            "/accessibility".into(),
            "/admin/sen2-settings".into(),
            format!("/admin/users/{}?find=quayle", app.users["parent"]),
            format!("/cases/{}/placements/new?find=8", amber.case),
            "/no-such-page".into(),
        ] {
            pages.push((role, path));
        }
    }
    // Every action form a caseworker can open on the case.
    for action in [
        "request-advice",
        "advice-received",
        "decision-to-issue",
        "issue-draft",
        "exception-start",
        "exception-end",
        "withdraw",
        "transfer-out",
    ] {
        pages.push(("caseworker", format!("/cases/{}/actions/{action}", amber.case)));
    }
    let mut problems = Vec::new();
    let mut browsers = std::collections::HashMap::new();
    for (role, path) in &pages {
        if !browsers.contains_key(role) {
            browsers.insert(*role, app.sign_in(role).await);
        }
        let reply = app.get(path, Some(&browsers[role])).await;
        if reply.status.is_redirection() {
            continue;
        }
        let words = internal_words(&visible_text(&reply.body));
        if !words.is_empty() {
            problems.push(format!("{role} {path} ({}): {words:?}", reply.status));
        }
    }
    // A refusal and a form with errors, as the caseworker meets them.
    let cw = &browsers["caseworker"];
    let early =
        [("csrf", cw.csrf.as_str()), ("version", "4"), ("decision", "yes"), ("date-day", "20"), ("date-month", "8"), ("date-year", "2026")];
    for (path, form) in [
        (format!("/cases/{}/actions/decision-to-issue", amber.case), &early[..]),
        (format!("/cases/{}/actions/decision-to-issue/confirm", amber.case), &early[..]),
        (format!("/cases/{}/actions/advice-received", amber.case), &early[..2]),
    ] {
        let reply = app.post_form(&path, Some(cw), form).await;
        let words = internal_words(&visible_text(&reply.body));
        if !words.is_empty() {
            problems.push(format!("POST {path} ({}): {words:?}", reply.status));
        }
    }
    assert!(problems.is_empty(), "internal words on pages:\n{}", problems.join("\n"));
}

#[tokio::test]
async fn the_next_step_reads_as_an_open_decision_to_a_caseworker_and_a_parent_send_regs_2014_reg_10() {
    use waymark_domain::case::{AdviceParty, CaseEvent, CaseEventKind};
    use waymark_storage::Store;
    let app = TestApp::new().await;
    let amber = app.kid("amber").clone();
    // All the advice asked for is in: the next time limit is the 16 weeks to decide whether to issue a
    // plan (3 August + 16 weeks = 23 November 2026).
    let advice = [AdviceParty::Health, AdviceParty::Education]
        .map(|party| CaseEvent::new(common::d("2026-10-10"), CaseEventKind::AdviceReceived { party }));
    app.store.record_case_events(&Actor::new("test-setup", Scope::All), amber.case, 4, advice.to_vec(), "test").await.unwrap();

    let cw = app.sign_in("caseworker").await;
    let case = app.get(&format!("/cases/{}", amber.case), Some(&cw)).await.body;
    assert!(case.contains("Next: <strong>decide whether to issue a plan</strong>, due 23 November 2026"), "{case}");
    let api = app.get(&format!("/api/v1/cases/{}", amber.case), Some(&cw)).await.json();
    assert_eq!(api["next"]["label"], "decide whether to issue a plan", "{api}");
    // The API lists what the caseworker may record next, in the domain's order, by code.
    let keys: Vec<&str> = api["actions"].as_array().unwrap().iter().map(|a| a["key"].as_str().unwrap()).collect();
    assert_eq!(&keys[..3], ["request-advice", "advice-received", "decision-to-issue"], "{api}");
    let caseload = app.get("/caseload?scope=all", Some(&cw)).await.body;
    assert!(caseload.contains("Decide whether to issue a plan"), "{caseload}");

    let parent = app.sign_in("parent").await;
    let list = app.get("/my-journey", Some(&parent)).await.body;
    assert!(list.contains("Next: decide whether to issue a plan, by 23 November 2026"), "{list}");
    let journey = app.get(&format!("/my-journey/{}", amber.case), Some(&parent)).await.body;
    assert!(journey.contains("The council decides whether to issue an EHC plan"), "{journey}");
    for page in [&case, &list, &journey] {
        assert!(!page.contains("not to issue a plan"), "no refusal is presumed");
    }
}

#[tokio::test]
async fn the_error_summary_lists_problems_in_the_order_of_the_fields() {
    let app = TestApp::new().await;
    let cw = app.sign_in("caseworker").await;
    let dara = app.kid("dara").clone();
    // Nothing answered: the decision (first on the page) comes before the date.
    let reply = app
        .post_form(&format!("/cases/{}/actions/decision-to-assess", dara.case), Some(&cw), &[("csrf", cw.csrf.as_str()), ("version", "1")])
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = &reply.body[reply.body.find("govuk-error-summary").unwrap()..];
    let (decision, date) = (summary.find("href=\"#decision\"").unwrap(), summary.find("href=\"#date").unwrap());
    assert!(decision < date, "{summary}");
}

#[tokio::test]
async fn my_work_lists_overdue_due_soon_and_waiting_items_with_days_and_what_changed_since_the_last_visit() {
    let app = TestApp::new().await;
    assign(&app, "amber", "caseworker").await;
    assign(&app, "dara", "caseworker").await;
    let cw = app.sign_in("caseworker").await;
    // 22 November 2026. Daramola's request (3 August) waited for a decision due 14 September: overdue.
    // Amberly's health and education advice were asked on 2 September, due 14 October: waiting on them.
    let page = app.get("/my-work", Some(&cw)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = page.body;
    let overdue = &body[body.find("id=\"overdue\"").unwrap()..body.find("id=\"soon\"").unwrap()];
    assert!(
        overdue.contains("Wetherspoon") && overdue.contains("Decision whether to assess") && overdue.contains("69 days late"),
        "{overdue}"
    );
    let waiting = &body[body.find("id=\"waiting\"").unwrap()..body.find("id=\"changed\"").unwrap()];
    assert!(waiting.contains("Quayle") && waiting.contains("Health") && waiting.contains("days late"), "{waiting}");
    assert!(!body.contains("Underhay"), "another caseworker's case");
    assert!(body.contains("This is your first visit"));
    // Something changes; the next visit lists it.
    app.advance(10);
    let form = [
        ("csrf", cw.csrf.as_str()),
        ("version", "1"),
        ("decision", "yes"),
        ("date-day", "20"),
        ("date-month", "11"),
        ("date-year", "2026"),
    ];
    let saved = app.post_form(&format!("/cases/{}/actions/decision-to-assess/confirm", app.kid("dara").case), Some(&cw), &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let again = app.get("/my-work", Some(&cw)).await.body;
    let changed = &again[again.find("id=\"changed\"").unwrap()..];
    assert!(changed.contains("Wetherspoon") && changed.contains("Assessing"), "{changed}");
    // A health professional holds their service's advice only.
    let health = app.get("/my-work", Some(&app.sign_in("health").await)).await.body;
    assert!(health.contains("Quayle") && health.contains("Health advice") && !health.contains("Education (school or setting) advice"));
    assert_eq!(app.get("/my-work", Some(&app.sign_in("parent").await)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_calendar_feed_lists_each_deadline_held_by_initials_and_reference_and_the_link_can_be_turned_off() {
    let app = TestApp::new().await;
    assign(&app, "amber", "caseworker").await;
    let cw = app.sign_in("caseworker").await;
    let made = app.post_form("/account", Some(&cw), &[("csrf", cw.csrf.as_str()), ("calendar", "make")]).await;
    assert_eq!(made.status, StatusCode::OK);
    let shown = made.body.replace("&#x2f;", "/");
    let start = shown.find("/calendar/").unwrap();
    let end = start + shown[start..].find(".ics").unwrap() + 4;
    let path = shown[start..end].to_owned();
    let feed = app.get(&path, None).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.headers["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let text = feed.body.replace("\r\n ", "");
    let reference = waymark_domain::search::case_reference(app.kid("amber").case);
    // Amberly's open deadlines: health and education advice, the decision whether to issue, the final plan.
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 4, "{text}");
    assert!(text.contains(&format!("SUMMARY:Final plan (20 weeks): {reference} (A.Q.)")), "{text}");
    assert!(text.contains(&format!("SUMMARY:Health advice: {reference} (A.Q.)")), "{text}");
    assert!(!text.contains("Amberly") && !text.contains("Quayle"), "never the child's name");
    assert!(feed.body.split("\r\n").all(|l| l.len() <= 75));
    // The account page no longer shows the link; making a new one or turning it off ends the old one.
    let account = app.get("/account", Some(&cw)).await.body;
    assert!(!account.replace("&#x2f;", "/").contains(&path) && account.contains("You have a calendar link"));
    app.post_form("/account", Some(&cw), &[("csrf", cw.csrf.as_str()), ("calendar", "revoke")]).await;
    assert_eq!(app.get(&path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/calendar/guess.ics", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn settings_and_local_authorities_are_shown_by_name() {
    use waymark_storage::{Establishment, EstablishmentStore};
    let app = TestApp::new().await;
    let admin = Actor::new("test-setup", Scope::All);
    let meadow = Establishment {
        urn: "851001".parse().unwrap(),
        name: "Meadow Primary School".into(),
        la: "851".parse().unwrap(),
        la_name: "Portsmouth".into(),
        kind: "Community school".into(),
        phase: "Primary".into(),
        postcode: "PO1 1AA".into(),
        status: "Open".into(),
    };
    app.store.load_establishments(&admin, &[meadow]).await.unwrap();
    let cw = app.sign_in("caseworker").await;
    let page = app.get(&format!("/cases/{}", app.kid("amber").case), Some(&cw)).await.body;
    assert!(page.contains("Meadow Primary School (URN 851001)"), "{page}");
    assert!(page.contains("Portsmouth (851)"));
    let caseload = app.get("/caseload?scope=all", Some(&cw)).await.body;
    assert!(caseload.contains("Meadow Primary School (URN 851001)"));
}

#[tokio::test]
async fn a_caseworker_records_moves_and_ends_a_placement_in_the_web_and_the_api() {
    use serde_json::json;
    use waymark_storage::{Establishment, EstablishmentStore};
    let app = TestApp::new().await;
    let admin = Actor::new("test-setup", Scope::All);
    let oak = Establishment {
        urn: "851009".parse().unwrap(),
        name: "Oakfield Academy".into(),
        la: "851".parse().unwrap(),
        la_name: "Portsmouth".into(),
        kind: "Academy converter".into(),
        phase: "Secondary".into(),
        postcode: "PO2 2BB".into(),
        status: "Open".into(),
    };
    app.store.load_establishments(&admin, &[oak]).await.unwrap();
    let cw = app.sign_in("caseworker").await;
    let amber = app.kid("amber").clone();
    // Found by name: the only match is shown, not offered as a choice.
    let found = app.get(&format!("/cases/{}/placements/new?find=oakf", amber.case), Some(&cw)).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("Oakfield Academy (URN 851009)") && !found.body.contains("type=\"radio\" value=\"851009\""));
    let form = [
        ("csrf", cw.csrf.as_str()),
        ("urn", "851009"),
        ("rank", "1"),
        ("replace", "yes"),
        ("entry-day", "2"),
        ("entry-month", "11"),
        ("entry-year", "2026"),
    ];
    let saved = app.post_form(&format!("/cases/{}/placements/new", amber.case), Some(&cw), &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get(&format!("/cases/{}", amber.case), Some(&cw)).await.body;
    assert!(page.contains("Oakfield Academy (URN 851009)") && page.contains("1 November 2026"), "the old one ended the day before");
    // The API ends the new one.
    let list = {
        use waymark_storage::PlacementStore;
        app.store.placements_for_child(&admin, amber.child).await.unwrap()
    };
    let new = list.iter().find(|p| p.value.placement.leaving.is_none()).unwrap();
    let body = json!({"expected_version": new.version, "leaving": "2026-11-20"});
    let ended = app.post_json(&format!("/api/v1/cases/{}/placements/{}/end", amber.case, new.value.placement_id), &cw, &body, true).await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    let bad =
        app.post_json(&format!("/api/v1/cases/{}/placements", amber.case), &cw, &json!({"urn": "x", "entry": "2026-11-21"}), true).await;
    assert_eq!(bad.json()["error"]["field"], "urn");
    assert_eq!(
        app.get(&format!("/cases/{}/placements/new", amber.case), Some(&app.sign_in("senco").await)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_administrator_sets_the_sen2_header_items_opens_the_sen2_page_and_links_a_parent_by_searching() {
    let app = TestApp::new().await;
    let admin = app.sign_in("admin").await;
    let sen2 = app.get("/sen2", Some(&admin)).await;
    assert_eq!(sen2.status, StatusCode::OK, "{}", sen2.body);
    let form = app.get("/admin/sen2-settings", Some(&admin)).await;
    assert_eq!(form.status, StatusCode::OK);
    let fields = [
        ("csrf", admin.csrf.as_str()),
        ("la", "851"),
        ("dmo", "Y"),
        ("dco", "R"),
        ("dsco", "N"),
        ("software_code", "WAYMARK"),
        ("serial_no", "001"),
    ];
    let saved = app.post_form("/admin/sen2-settings", Some(&admin), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let again = app.get("/admin/sen2-settings?la=851", Some(&admin)).await.body;
    assert!(again.contains("value=\"R\" checked") || again.contains("value=\"R\"  checked"), "{again}");
    let missing = app.post_form("/admin/sen2-settings", Some(&admin), &[("csrf", admin.csrf.as_str()), ("la", "851")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("Select whether the DMO is in post"));
    // Link the parent account to Daramola by searching for her.
    let parent = app.users["parent"];
    let found = app.get(&format!("/admin/users/{parent}?find=wetherspoon"), Some(&admin)).await.body;
    assert!(found.contains("Wetherspoon, Daramola") && found.contains("born 1 April 2012"), "{found}");
    let dara = app.kid("dara").child.to_string();
    let linked = app
        .post_form(&format!("/admin/users/{parent}/children"), Some(&admin), &[("csrf", admin.csrf.as_str()), ("child", dara.as_str())])
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    let page = app.get(&format!("/admin/users/{parent}"), Some(&admin)).await.body;
    assert!(page.contains("Wetherspoon, Daramola, born") && page.contains("Quayle, Amberly, born"));
}

#[tokio::test]
async fn advice_lists_open_requests_by_default_filters_them_and_never_asks_to_choose_the_only_option() {
    let app = TestApp::new().await;
    let health = app.sign_in("health").await;
    let amber = app.kid("amber").clone();
    let list = app.get("/advice", Some(&health)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Amberly Quayle") && list.body.contains("1 request is waiting"), "{}", list.body);
    assert!(app.get("/advice?status=overdue", Some(&health)).await.body.contains("Amberly Quayle"));
    assert!(!app.get("/advice?status=due", Some(&health)).await.body.contains("Amberly Quayle"));
    assert!(!app.get("/advice?setting=851002", Some(&health)).await.body.contains("Amberly Quayle"));
    assert_eq!(app.get("/advice?page=x", Some(&health)).await.status, StatusCode::BAD_REQUEST);
    // Health's only possible party is health: stated, not asked.
    let form = app.get(&format!("/cases/{}/actions/advice-received", amber.case), Some(&health)).await.body;
    assert!(!form.contains("type=\"radio\" value=\"health\"") && form.contains("name=\"party\" value=\"health\""), "{form}");
    // Once sent, the request leaves the default list but stays under "all".
    let sent = [
        ("csrf", health.csrf.as_str()),
        ("version", "4"),
        ("party", "health"),
        ("date-day", "20"),
        ("date-month", "11"),
        ("date-year", "2026"),
    ];
    let saved = app.post_form(&format!("/cases/{}/actions/advice-received/confirm", amber.case), Some(&health), &sent).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(!app.get("/advice", Some(&health)).await.body.contains("Amberly Quayle"));
    assert!(app.get("/advice?show=all", Some(&health)).await.body.contains("Amberly Quayle"));
}

/// The advice list in the API is paged as `/advice` is (issue 11 item 7): open requests, 50 a page,
/// with `total`, `page` and `pages` beside the existing `items`; a bad page is the documented JSON error
/// naming the field.
#[tokio::test]
async fn the_api_advice_list_is_paged_50_at_a_time_and_a_bad_page_is_a_json_error_naming_it() {
    use waymark_domain::case::{AdviceParty, CaseEvent, CaseEventKind, Requester};
    use waymark_domain::child::{NewChild, PersonName, Sex};
    use waymark_storage::Store;
    let app = TestApp::new().await;
    let admin = Actor::new("test-setup", Scope::All);
    // 50 more open health requests beside Amber's: 51, two pages.
    for n in 0..50 {
        let new = NewChild {
            name: PersonName::new("Paged", &format!("Child{n:02}")).unwrap(),
            date_of_birth: common::d("2015-05-05"),
            sex: Sex::Female,
            ethnicity: None,
            postcode: None,
            upn: None,
            uln: None,
            nhs_number: None,
            responsible_la: "851".parse().unwrap(),
        };
        let child = app.store.create_child(&admin, new, "test").await.unwrap();
        let request = CaseEvent::new(
            common::d("2026-08-03"),
            CaseEventKind::RequestReceived {
                requester: Requester::ParentOrYoungPerson,
                in_youth_accommodation: false,
                unknown_dates: Default::default(),
            },
        );
        let case = app.store.open_case(&admin, child.value.id, request, "test").await.unwrap();
        let more = vec![
            CaseEvent::new(common::d("2026-09-01"), CaseEventKind::DecidedToAssess),
            CaseEvent::new(common::d("2026-11-20"), CaseEventKind::AdviceRequested { party: AdviceParty::Health }),
        ];
        app.store.record_case_events(&admin, case.value.id, 1, more, "test").await.unwrap();
    }
    let health = app.sign_in("health").await;
    // Every request by default, as before the API was paged; `show=open` narrows to the open ones.
    let all = app.get("/api/v1/advice-requests", Some(&health)).await.json();
    assert!(all["total"].as_u64() >= Some(51), "{}", all["total"]);
    let first = app.get("/api/v1/advice-requests?show=open", Some(&health)).await.json();
    assert_eq!((first["total"].as_u64(), first["page"].as_u64(), first["pages"].as_u64()), (Some(51), Some(1), Some(2)));
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    assert!(items[0]["case_id"].is_string() && items[0]["due"].is_string() && items[0]["open"] == true, "existing keys kept");
    // Amber's request, overdue, comes first (soonest due).
    assert_eq!(items[0]["case_id"], app.kid("amber").case.to_string());
    let second = app.get("/api/v1/advice-requests?show=open&page=2", Some(&health)).await.json();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.get("/api/v1/advice-requests?show=open&status=overdue", Some(&health)).await.json()["total"], 1);
    for bad in ["abc", "0", "3"] {
        let reply = app.get(&format!("/api/v1/advice-requests?page={bad}"), Some(&health)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        let error = &reply.json()["error"];
        assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some("bad_query"), Some("page")), "{bad}: {error}");
    }
}
