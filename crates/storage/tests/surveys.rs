//! Surveys in the store: scoped by LA, one response per visit, contact details kept apart and audited
//! when read, the public side unable to read anything back.

mod common;

use common::*;
use waymark_storage::{AuditFilter, Store, StoreError, Submitted, SurveyStatus, SurveyStore};
use waymark_surveys::{DraftSurvey, RawResponse, Survey};

fn survey() -> Survey {
    serde_json::from_value::<DraftSurvey>(serde_json::json!({
        "title": "Your EHC plan",
        "questions": [
            {"id": "satisfaction", "kind": "scale", "text": "How satisfied are you?"},
            {"id": "better", "kind": "text", "text": "What could we do better?"}
        ]
    }))
    .unwrap()
    .check()
    .unwrap()
}

fn answer(s: &Survey, point: &str, contact: Option<(&str, &str)>) -> waymark_surveys::Response {
    let mut raw = RawResponse::new();
    raw.insert("satisfaction".into(), vec![point.into()]);
    raw.insert("better".into(), vec!["Answer the phone".into()]);
    s.read_response(&raw, contact).unwrap()
}

#[tokio::test]
async fn a_published_survey_takes_one_response_per_visit_and_only_while_open() {
    let store = waymark_storage::SqliteStore::open_in_memory(clock()).await.unwrap();
    let la = "851".parse().unwrap();
    let s = store.create_survey(&portsmouth(), la, &survey(), None).await.unwrap();
    assert_eq!(s.status, SurveyStatus::Draft);
    let today = d("2026-11-20");
    // Not yet published: no public link at all.
    assert!(store.public_survey("tok").await.unwrap().is_none());
    let open = store.publish_survey(&portsmouth(), s.id, "tok").await.unwrap();
    assert_eq!(open.public_token.as_deref(), Some("tok"));
    store.start_visit(s.id, "visit-1").await.unwrap();
    let r = answer(&s.survey, "4", None);
    assert_eq!(store.submit_response("tok", "visit-1", &r, None, today).await.unwrap(), Submitted::Saved);
    assert_eq!(store.submit_response("tok", "visit-1", &r, None, today).await.unwrap(), Submitted::AlreadySent);
    assert_eq!(store.submit_response("tok", "never-started", &r, None, today).await.unwrap(), Submitted::AlreadySent);
    store.start_visit(s.id, "visit-2").await.unwrap();
    store.close_survey(&portsmouth(), s.id).await.unwrap();
    assert_eq!(store.submit_response("tok", "visit-2", &r, None, today).await.unwrap(), Submitted::NotOpen);
    // Publishing again keeps the first link.
    assert_eq!(store.publish_survey(&portsmouth(), s.id, "other").await.unwrap().public_token.as_deref(), Some("tok"));
    let responses = store.survey_responses(&portsmouth(), s.id).await.unwrap();
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].received_on, today);
}

#[tokio::test]
async fn surveys_are_scoped_by_la_and_contact_details_are_kept_apart_and_audited() {
    let store = waymark_storage::SqliteStore::open_in_memory(clock()).await.unwrap();
    let la = "851".parse().unwrap();
    let s = store.create_survey(&portsmouth(), la, &survey(), None).await.unwrap();
    assert!(matches!(store.survey(&kent(), s.id).await, Err(StoreError::NotFound { .. })));
    assert!(store.surveys(&kent()).await.unwrap().is_empty());
    assert!(matches!(store.create_survey(&kent(), la, &survey(), None).await, Err(StoreError::OutOfScope { .. })));
    store.publish_survey(&portsmouth(), s.id, "tok").await.unwrap();
    store.start_visit(s.id, "v").await.unwrap();
    let with_contact = answer(&s.survey, "5", Some(("Sam Parent", "sam@example.org")));
    store.submit_response("tok", "v", &with_contact, None, d("2026-11-20")).await.unwrap();
    let responses = store.survey_responses(&portsmouth(), s.id).await.unwrap();
    assert!(responses[0].has_contact);
    assert_eq!(responses[0].response.contact, None, "responses never carry contact details");
    let contacts = store.survey_contacts(&portsmouth(), s.id).await.unwrap();
    assert_eq!(contacts[0].1.reach, "sam@example.org");
    let audit = store.audit_log(&admin(), &AuditFilter { child: None, case: None, limit: 100 }).await.unwrap();
    assert!(audit.iter().any(|e| e.subject == "survey_contacts"), "{audit:?}");
    assert!(audit.iter().any(|e| e.subject == "survey_results"), "{audit:?}");
    // Tagging is scoped too.
    let theme = waymark_surveys::themes::Theme::parse("Communication").unwrap();
    assert!(store.tag_answer(&kent(), responses[0].id, "better", &theme, true).await.is_err());
    store.tag_answer(&portsmouth(), responses[0].id, "better", &theme, true).await.unwrap();
    assert_eq!(store.survey_tags(&portsmouth(), s.id).await.unwrap().len(), 1);
    assert!(store.survey_tags(&kent(), s.id).await.unwrap().is_empty());
}
