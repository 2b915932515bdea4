//! Families' voice, the logs: compliments and complaints with their time limits in working days,
//! overdue ones flagged and reported (page and CSV); the co-production log linked to strategy
//! deliverables; and a survey sent to the family when a final plan is issued, counted in the results'
//! response rate.

mod common;

use axum::http::StatusCode;
use common::*;
use waymark_domain::case::{AdviceParty, CaseEvent, CaseEventKind};
use waymark_domain::plan::PlanContents;
use waymark_storage::{Actor, Scope, Store};

/// Record an entry received on `day` November 2026.
async fn record(app: &TestApp, manager: &Browser, stage: &str, day: &str, summary: &str, case: &str) -> Reply {
    let fields = [
        ("csrf", manager.csrf.as_str()),
        ("stage", stage),
        ("received-day", day),
        ("received-month", "11"),
        ("received-year", "2026"),
        ("summary", summary),
        ("case", case),
    ];
    app.post_form("/surveys/complaints/new", Some(manager), &fields).await
}

#[tokio::test]
async fn a_stage_1_complaint_past_its_10_working_days_is_flagged_overdue_and_reported() {
    let app = TestApp::new().await;
    let manager = app.sign_in("manager").await;
    let reference = waymark_domain::search::case_reference(app.kid("amber").case);
    // Bad input names each field.
    let bad = app
        .post_form(
            "/surveys/complaints/new",
            Some(&manager),
            &[
                ("csrf", &manager.csrf),
                ("received-day", "31"),
                ("received-month", "2"),
                ("received-year", "2026"),
                ("case", "EHC-FFFFFFFF"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Select whether it is a compliment",
        "The date it was received must be a real date",
        "Enter what it is about",
        "Enter the reference of a case you can see",
    ] {
        assert!(bad.body.contains(message), "{message}: {}", bad.body);
    }
    // Received Monday 2 November 2026: due 16 November; on 22 November it is 4 working days overdue.
    let saved = record(&app, &manager, "stage_1", "2", "Draft plan <b>late</b>", &reference).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let entry = saved.location();
    record(&app, &manager, "stage_1", "20", "No reply to emails", "").await;
    record(&app, &manager, "compliment", "10", "Thanks to the SEND team", "").await;

    let list = app.get("/surveys/complaints", Some(&manager)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Overdue by 4 working days"), "{}", list.body);
    assert!(list.body.contains("1 complaint is overdue"));
    assert!(list.body.contains("Response due in 10 working days"), "received Friday 20 November: due Friday 4 December");
    assert!(list.body.contains("Draft plan &lt;b&gt;late&lt;&#x2f;b&gt;") && list.body.contains(&reference), "{}", list.body);
    // The write was audited against the case.
    let audit = app
        .store
        .audit_log(
            &Actor::new("t", Scope::All),
            &waymark_storage::AuditFilter { child: None, case: Some(app.kid("amber").case), limit: 50 },
        )
        .await
        .unwrap();
    assert!(audit.iter().any(|e| e.subject == "complaint"));

    // The response, answered late, upheld.
    let page = app.get(&entry, Some(&manager)).await;
    let version = input_value(&page.body, "version").unwrap();
    let answered = app
        .post_form(
            &format!("{entry}/response"),
            Some(&manager),
            &[
                ("csrf", &manager.csrf),
                ("version", &version),
                ("responded-day", "18"),
                ("responded-month", "11"),
                ("responded-year", "2026"),
                ("outcome", "upheld"),
            ],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    let page = app.get(&entry, Some(&manager)).await;
    assert!(page.body.contains("Answered 2 working days late") && page.body.contains("Upheld"), "{}", page.body);

    // The report: stage 1 received 2, answered late 1, open 1, upheld 1, 0% on time; as CSV too.
    let csv = app.get("/surveys/complaints/report.csv", Some(&manager)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("Complaint: stage 1,2,0,1,1,0,0.0,1,0,0,0,0"), "{}", csv.body);
    assert!(csv.body.contains("Compliment,1,0,0,0,0,,0,0,0,0,0"), "{}", csv.body);

    // Other areas and other roles see nothing of it.
    let kent = app.sign_in("kentcaseworker").await;
    assert!(!app.get("/surveys/complaints", Some(&kent)).await.body.contains("Draft plan"));
    assert_eq!(app.get(&entry, Some(&kent)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/surveys/complaints", Some(&app.sign_in("parent").await)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_co_production_log_records_groups_by_number_and_checks_deliverable_references() {
    let app = TestApp::new().await;
    let manager = app.sign_in("manager").await;
    let mut fields = vec![
        ("csrf", manager.csrf.as_str()),
        ("held_on-day", "12"),
        ("held_on-month", "11"),
        ("held_on-year", "2026"),
        ("kind", "workshop"),
        ("title", "Annual review letters"),
        ("parent_carer_forum", "5"),
        ("young_people", "three"),
        ("decided", "Letters will name who to contact."),
        ("deliverables", "B7"),
    ];
    let bad = app.post_form("/surveys/co-production/new", Some(&manager), &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Young people (16 to 25) must be a whole number"), "{}", bad.body);
    fields[7] = ("young_people", "3");
    // No strategy delivery plan in this area yet: a reference cannot be linked.
    let no_plan = app.post_form("/surveys/co-production/new", Some(&manager), &fields).await;
    assert!(no_plan.body.contains("There is no strategy delivery plan yet"), "{}", no_plan.body);
    fields[9] = ("deliverables", "");
    let saved = app.post_form("/surveys/co-production/new", Some(&manager), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let list = app.get("/surveys/co-production", Some(&manager)).await;
    assert!(list.body.contains("Parent carer forum representatives: 5") && list.body.contains("8 in all"), "{}", list.body);
    let kent = app.sign_in("kentcaseworker").await;
    assert!(!app.get("/surveys/co-production", Some(&kent)).await.body.contains("Annual review letters"));
}

#[tokio::test]
async fn a_survey_set_for_final_plans_reaches_the_family_when_the_plan_is_issued_and_counts_in_the_response_rate() {
    let app = TestApp::new().await;
    let manager = app.sign_in("manager").await;
    let created = app
        .post_form(
            "/surveys/new",
            Some(&manager),
            &[
                ("csrf", &manager.csrf),
                ("title", "Your new EHC plan"),
                ("question-id", "satisfaction"),
                ("kind", "scale"),
                ("text", "How satisfied are you with the EHC process?"),
                ("send-when", "final_plan_issued"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let survey = created.location();
    app.post_form(&format!("{survey}/publish"), Some(&manager), &[("csrf", &manager.csrf)]).await;
    // Amber's plan is finalised (the parent's account is linked to Amber).
    let admin = Actor::new("test", Scope::All);
    let case = app.kid("amber").case;
    let ev = |date: &str, kind| CaseEvent::new(d(date), kind);
    let events = vec![
        ev("2026-09-20", CaseEventKind::AdviceReceived { party: AdviceParty::Health }),
        ev("2026-09-20", CaseEventKind::AdviceReceived { party: AdviceParty::Education }),
        ev("2026-10-01", CaseEventKind::DecidedToIssue),
        ev("2026-10-20", CaseEventKind::DraftIssued { plan: PlanContents::default() }),
        ev("2026-11-20", CaseEventKind::FinalIssued { plan: PlanContents::default() }),
    ];
    app.store.record_case_events(&admin, case, 4, events, "final plan issued").await.unwrap();
    let parent = app.sign_in("parent").await;
    let notes = app.get("/notifications", Some(&parent)).await;
    assert!(notes.body.contains("Tell us about your experience"), "{}", notes.body);
    assert!(!notes.body.contains("Amberly"), "the survey's message never names the child");
    let card = &notes.body[notes.body.find("Tell us about your experience").unwrap()..];
    let start = card.find("href=\"").expect("a link to the survey") + 6;
    let link: String = card[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect::<String>()
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
        .replace("&#x3d;", "=");
    assert!(link.starts_with("/s/") && link.contains("?send="), "{link}");
    let sent = answer_survey(&app, &link, &[("q-satisfaction", "4")]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let results = app.get(&format!("{survey}/results"), Some(&manager)).await;
    assert!(results.body.contains("Sent to 1 family at a point of their EHC process; 1 replied"), "{}", results.body);
}
