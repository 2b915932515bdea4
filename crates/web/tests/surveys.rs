//! Families' voice through the web application: a manager builds and publishes a survey, anonymous
//! responses arrive through the public link (one per visit, CSRF-protected, rate-limited), the results
//! show with small numbers suppressed, and the link can never read them.

mod common;

use axum::http::StatusCode;
use common::*;

fn definition() -> serde_json::Value {
    serde_json::json!({
        "title": "Your experience of the EHC process",
        "questions": [
            {"id": "satisfaction", "kind": "scale", "text": "How satisfied are you with the EHC process?", "options": ["Very dissatisfied", "Very satisfied"]},
            {"id": "heard", "kind": "single", "text": "Did you feel listened to?", "options": ["Yes", "No"]},
            {"id": "better", "kind": "text", "text": "What could we do better?"}
        ]
    })
}

async fn respond(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Reply {
    answer_survey(app, path, fields).await
}

async fn published(app: &TestApp, manager: &Browser) -> (String, String) {
    let created = app.post_json("/api/v1/surveys", manager, &definition(), true).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let published = app.post_json(&format!("/api/v1/surveys/{id}/publish"), manager, &serde_json::json!({}), true).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let url = published.json()["public_url"].as_str().unwrap().to_owned();
    let path = url[url.find("/s/").unwrap()..].to_owned();
    (id, path)
}

#[tokio::test]
async fn twenty_anonymous_responses_show_as_results_with_small_numbers_suppressed() {
    let app = TestApp::new().await;
    let manager = app.sign_in("manager").await;
    let (id, path) = published(&app, &manager).await;
    for i in 0..20 {
        let point = if i < 17 { "5" } else { "2" };
        let text = if i == 0 { "<script>alert(1)</script> answer the phone" } else { "" };
        let r = respond(&app, &path, &[("q-satisfaction", point), ("q-heard", "Yes"), ("q-better", text)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), format!("{path}/thanks"));
    }
    let results = app.get(&format!("/api/v1/surveys/{id}/results"), Some(&manager)).await.json();
    assert_eq!(results["responses"], 20);
    let sat = &results["questions"][0];
    assert_eq!((sat["id"].as_str(), sat["counts"]["5"].as_u64(), sat["counts"]["2"].as_u64()), (Some("satisfaction"), Some(17), Some(3)));
    assert_eq!(sat["mean"], 4.55);
    let page = app.get(&format!("/surveys/{id}/results"), Some(&manager)).await;
    assert_eq!(page.status, StatusCode::OK);
    // 3 chose 2, and 17 chose 5 (which with 20 answers would reveal the 3): both shown as "c"; 20 said Yes.
    assert!(page.body.contains("<td class=\"govuk-table__cell govuk-table__cell--numeric\">c</td>"), "{}", page.body);
    assert!(!page.body.contains("numeric\">17</td>") && !page.body.contains("numeric\">3</td>"), "{}", page.body);
    assert!(page.body.contains("<svg class=\"app-chart\""));
    // Free text is escaped.
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;") && page.body.contains("answer the phone"));
    assert!(!page.body.contains("<script>alert(1)"));
    let csv = app.get(&format!("/surveys/{id}/results.csv"), Some(&manager)).await;
    assert!(csv.body.contains("satisfaction,How satisfied are you with the EHC process?,5 (Very satisfied),c,c"), "{}", csv.body);
    let xlsx = app.get(&format!("/surveys/{id}/results.xlsx"), Some(&manager)).await;
    assert_eq!(&xlsx.bytes[..2], b"PK");
}

#[tokio::test]
async fn one_visit_sends_one_response_and_the_link_cannot_read_results() {
    let app = TestApp::new().await;
    let manager = app.sign_in("manager").await;
    let (id, path) = published(&app, &manager).await;
    // One visit: start, answer, check, send; sending twice saves one response.
    let start = app.get(&path, None).await;
    let csrf = input_value(&start.body, "csrf").unwrap();
    let form_cookie = start.headers.get(axum::http::header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    let begun = post_public(&app, &path, &form_cookie, &[("csrf", &csrf)]).await;
    assert_eq!(begun.location(), format!("{path}/question/1"));
    let set = begun.headers.get(axum::http::header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("Max-Age=14400"), "a short-lived cookie: {set}");
    let cookies = format!("{form_cookie}; {}", set.split(';').next().unwrap());
    let q2 = post_public(&app, &format!("{path}/question/2"), &cookies, &[("csrf", &csrf), ("q-heard", "No")]).await;
    assert_eq!(q2.location(), format!("{path}/question/3"));
    for _ in 0..2 {
        let r = post_public(&app, &format!("{path}/check"), &cookies, &[("csrf", &csrf)]).await;
        assert_eq!(r.location(), format!("{path}/thanks"));
    }
    assert_eq!(app.get(&format!("/api/v1/surveys/{id}/results"), Some(&manager)).await.json()["responses"], 1);
    // The visit is gone with its answers: its pages go back to the start page.
    assert_eq!(app.request(axum::http::Method::GET, &format!("{path}/check"), Some(&cookies), None, &[]).await.location(), path);
    // No CSRF cookie: refused.
    for page in ["", "/question/1", "/contact", "/check"] {
        let r = post_public(&app, &format!("{path}{page}"), "waymark_survey_visit=y", &[("csrf", "x"), ("q-heard", "No")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{page}");
    }
    // The link opens the questions only.
    assert_eq!(app.get(&format!("{path}/results"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/surveys/{id}/results"), None).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&format!("/api/v1/surveys/{id}/results"), None).await.status, StatusCode::UNAUTHORIZED);
    // Roles without surveys, and other LAs, cannot read them either.
    let board = app.sign_in("board").await;
    assert_eq!(app.get(&format!("/surveys/{id}/results"), Some(&board)).await.status, StatusCode::FORBIDDEN);
    let kent = app.sign_in("kentcaseworker").await;
    assert_eq!(app.get(&format!("/api/v1/surveys/{id}/results"), Some(&kent)).await.status, StatusCode::NOT_FOUND);
    // A bad answer is refused on its own page naming the question, nothing saved.
    let r = respond(&app, &path, &[("q-satisfaction", "9")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#q-satisfaction\">Select a number from 1 to 5"), "{}", r.body);
    assert!(r.body.contains("question 1 of 3"), "{}", r.body);
    // So is a name left without a way to reach them, on the contact page.
    let r = respond(&app, &path, &[("q-heard", "Yes"), ("contact-name", "Sam")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#contact-reach\">Enter an email address or phone number"), "{}", r.body);
    // Nothing answered: "Check your answers" says so.
    let r = respond(&app, &path, &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#answer-1\">Answer at least one question"), "{}", r.body);
    assert_eq!(app.get(&format!("/api/v1/surveys/{id}/results"), Some(&manager)).await.json()["responses"], 1);
    // Closed: the link says so and takes nothing.
    let close = app.post_form(&format!("/surveys/{id}/close"), Some(&manager), &[("csrf", &manager.csrf)]).await;
    assert_eq!(close.status, StatusCode::SEE_OTHER);
    assert!(app.get(&path, None).await.body.contains("This survey is closed"));
}

#[tokio::test]
async fn a_bad_survey_definition_names_the_field_and_public_posts_are_rate_limited_per_address() {
    let app = TestApp::with_config(waymark_web::Config { secure_cookies: true, max_public_posts: 2, ..Default::default() }).await;
    let manager = app.sign_in("manager").await;
    let bad = serde_json::json!({"title": "T", "questions": [{"id": "q1", "kind": "single", "text": "Q", "options": ["Only"]}]});
    let r = app.post_json("/api/v1/surveys", &manager, &bad, true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["field"], "questions[0].options");
    let (_, path) = published(&app, &manager).await;
    assert_eq!(respond(&app, &path, &[("q-heard", "Yes")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(respond(&app, &path, &[("q-heard", "Yes")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(respond(&app, &path, &[("q-heard", "Yes")]).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_frameworks_satisfaction_indicator_moves_with_the_responses() {
    let app = TestApp::new().await;
    let manager = app.sign_in("manager").await;
    let (_, path) = published(&app, &manager).await;
    let s1 = |csv: &str| {
        csv.lines()
            .filter(|l| l.contains("s1_user_feedback") && l.contains("2026-Q4") && l.contains(",851,"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let before = app.get("/dashboard/frameworks/portsmouth-2016/data.csv", Some(&manager)).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    // Nothing entered by hand and no survey yet: no figure.
    assert!(s1(&before.body).iter().all(|l| l.contains(",all,,,")), "{:?}", s1(&before.body));
    // 12 of 20 satisfied (4 or 5): 60%.
    for i in 0..20 {
        let point = if i < 12 { "4" } else { "2" };
        assert_eq!(respond(&app, &path, &[("q-satisfaction", point)]).await.status, StatusCode::SEE_OTHER);
    }
    let after = app.get("/dashboard/frameworks/portsmouth-2016/data.csv", Some(&manager)).await;
    let rows = s1(&after.body);
    assert!(rows.iter().any(|l| l.contains(",all,12,20,60,")), "{rows:?}");
    // One more satisfied response moves it: 13 of 21.
    assert_eq!(respond(&app, &path, &[("q-satisfaction", "5")]).await.status, StatusCode::SEE_OTHER);
    let moved = app.get("/dashboard/frameworks/portsmouth-2016/data.csv", Some(&manager)).await;
    assert!(s1(&moved.body).iter().any(|l| l.contains(",13,21,61.9")), "{:?}", s1(&moved.body));
    let page = app.get("/dashboard/frameworks/portsmouth-2016", Some(&manager)).await;
    assert!(page.body.contains("(21 responses)"), "the chart names the number of responses");
}

#[tokio::test]
async fn feedback_is_anonymous_and_you_said_we_did_entries_are_public() {
    let app = TestApp::new().await;
    // "Was this helpful?" on any page, without signing in.
    let form = app.get("/feedback?about=/local-offer/services/12", None).await;
    assert_eq!(form.status, StatusCode::OK);
    let set = form.headers.get(axum::http::header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    let cookie = set.split(';').next().unwrap().to_owned();
    let csrf = input_value(&form.body, "csrf").unwrap();
    assert_eq!(input_value(&form.body, "about").unwrap().replace("&#x2f;", "/"), "/local-offer/services/12");
    let send = |fields: Vec<(&'static str, String)>| {
        let body = serde_urlencoded::to_string(&fields).unwrap().into_bytes();
        app.request(axum::http::Method::POST, "/feedback", Some(&cookie), Some(("application/x-www-form-urlencoded", body)), &[])
    };
    let empty = send(vec![("csrf", csrf.clone()), ("about", "/local-offer/services/12".into())]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Select yes or no, or tell us more"));
    // A link elsewhere is never followed back.
    let ok = send(vec![
        ("csrf", csrf.clone()),
        ("about", "//evil.example".into()),
        ("helpful", "no".into()),
        ("comment", "The <b>phone</b> number is wrong".into()),
    ])
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(!ok.body.contains("evil.example"));
    let manager = app.sign_in("manager").await;
    let list = app.get("/surveys/feedback", Some(&manager)).await;
    assert!(list.body.contains("The &lt;b&gt;phone&lt;") && list.body.contains("said no"), "{}", list.body);
    assert_eq!(app.get("/surveys/feedback", Some(&app.sign_in("parent").await)).await.status, StatusCode::FORBIDDEN);
    // You said, we did.
    let missing = app
        .post_form("/surveys/you-said-we-did", Some(&manager), &[("csrf", &manager.csrf), ("you_said", "Nobody answers the phone")])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("href=\"#we_did\">Enter what we did"));
    let published = app
        .post_form(
            "/surveys/you-said-we-did",
            Some(&manager),
            &[
                ("csrf", &manager.csrf),
                ("you_said", "Nobody answers the phone"),
                ("we_did", "A duty officer now answers every weekday"),
                ("themes", "communication, Communication"),
            ],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    let public = app.get("/local-offer/you-said-we-did", None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("A duty officer now answers every weekday") && public.body.contains("Communication"));
}

#[tokio::test]
async fn a_drafts_questions_can_be_changed_or_removed_until_it_is_published() {
    let app = TestApp::new().await;
    let manager = app.sign_in("manager").await;
    let created = app.post_json("/api/v1/surveys", &manager, &definition(), true).await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let edit = app.get(&format!("/surveys/{id}/questions/2"), Some(&manager)).await;
    assert_eq!(edit.status, StatusCode::OK);
    let version = input_value(&edit.body, "version").unwrap();
    // A bad change names the field and changes nothing.
    let bad = app
        .post_form(
            &format!("/surveys/{id}/questions/2"),
            Some(&manager),
            &[
                ("csrf", &manager.csrf),
                ("version", &version),
                ("question-id", "heard"),
                ("kind", "single"),
                ("text", "Did we listen?"),
                ("options", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("href=\"#options\""), "{}", bad.body);
    let saved = app
        .post_form(
            &format!("/surveys/{id}/questions/2"),
            Some(&manager),
            &[
                ("csrf", &manager.csrf),
                ("version", &version),
                ("question-id", "heard"),
                ("kind", "single"),
                ("text", "Did we listen to you?"),
                ("options", "Yes\nNo\nNot sure"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // A stale form (the version it was based on has moved) is refused.
    let stale = app
        .post_form(&format!("/surveys/{id}/questions/3/remove"), Some(&manager), &[("csrf", &manager.csrf), ("version", &version)])
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fresh = input_value(&app.get(&format!("/surveys/{id}/questions/3"), Some(&manager)).await.body, "version").unwrap();
    let removed =
        app.post_form(&format!("/surveys/{id}/questions/3/remove"), Some(&manager), &[("csrf", &manager.csrf), ("version", &fresh)]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let page = app.get(&format!("/surveys/{id}"), Some(&manager)).await;
    assert!(
        page.body.contains("Did we listen to you?") && page.body.contains("Not sure") && !page.body.contains("What could we do better?")
    );
    // Once published, the questions are fixed.
    app.post_json(&format!("/api/v1/surveys/{id}/publish"), &manager, &serde_json::json!({}), true).await;
    assert_eq!(app.get(&format!("/surveys/{id}/questions/1"), Some(&manager)).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn check_your_answers_lists_each_answer_and_a_change_returns_to_it() {
    let app = TestApp::new().await;
    let manager = app.sign_in("manager").await;
    let (id, path) = published(&app, &manager).await;
    let start = app.get(&path, None).await;
    assert!(start.body.contains("There are 3 questions, one on each page"), "{}", start.body);
    let csrf = input_value(&start.body, "csrf").unwrap();
    let form_cookie = start.headers.get(axum::http::header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    let begun = post_public(&app, &path, &form_cookie, &[("csrf", &csrf)]).await;
    let cookies = format!(
        "{form_cookie}; {}",
        begun.headers.get(axum::http::header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap()
    );
    let get = |page: String| {
        let (app, cookies) = (&app, cookies.clone());
        async move { app.request(axum::http::Method::GET, &page, Some(&cookies), None, &[]).await }
    };
    // The first page asks the first question only, as the page's heading.
    let q1 = get(format!("{path}/question/1")).await;
    assert!(q1.body.contains("<h1 class=\"govuk-fieldset__heading\">How satisfied are you with the EHC process?</h1>"), "{}", q1.body);
    assert!(!q1.body.contains("Did you feel listened to?"));
    assert_eq!(get(format!("{path}/question/4")).await.status, StatusCode::NOT_FOUND);
    for (page, field, value) in
        [("question/1", "q-satisfaction", "5"), ("question/2", "q-heard", "Yes"), ("question/3", "q-better", "<b>Call back</b>")]
    {
        let r = post_public(&app, &format!("{path}/{page}"), &cookies, &[("csrf", &csrf), (field, value)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{page}: {}", r.body);
    }
    let contact = post_public(&app, &format!("{path}/contact"), &cookies, &[("csrf", &csrf)]).await;
    assert_eq!(contact.location(), format!("{path}/check"));
    let check = get(format!("{path}/check")).await;
    assert!(check.body.contains("5 (Very satisfied)") && check.body.contains("&lt;b&gt;Call back&lt;"), "{}", check.body);
    assert!(check.body.contains("None given: your answers are anonymous"));
    // A Change link opens the question with its answer chosen, and goes back to the check page.
    let change_href = format!("{path}/question/2?change=1");
    assert!(check.body.contains(&change_href.replace('/', "&#x2f;")), "{}", check.body);
    let q2 = get(change_href).await;
    assert!(q2.body.contains("value=\"Yes\" checked") && q2.body.contains("name=\"change\" value=\"1\""), "{}", q2.body);
    let changed = post_public(&app, &format!("{path}/question/2"), &cookies, &[("csrf", &csrf), ("q-heard", "No"), ("change", "1")]).await;
    assert_eq!(changed.location(), format!("{path}/check"));
    // Leaving a question out on change removes its answer.
    post_public(&app, &format!("{path}/question/1"), &cookies, &[("csrf", &csrf), ("change", "1")]).await;
    let check = get(format!("{path}/check")).await;
    assert!(check.body.contains("Not answered") && !check.body.contains("5 (Very satisfied)"), "{}", check.body);
    let sent = post_public(&app, &format!("{path}/check"), &cookies, &[("csrf", &csrf)]).await;
    assert_eq!(sent.location(), format!("{path}/thanks"));
    assert!(
        sent.headers.get(axum::http::header::SET_COOKIE).unwrap().to_str().unwrap().contains("Max-Age=0"),
        "the visit's cookie is deleted"
    );
    let results = app.get(&format!("/api/v1/surveys/{id}/results"), Some(&manager)).await.json();
    assert_eq!(results["responses"], 1);
    assert_eq!(results["questions"][1]["counts"]["No"], 1);
    assert_eq!(results["questions"][0]["answered"], 0);
}
