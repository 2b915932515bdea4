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
async fn a_visits_answers_are_held_between_pages_and_deleted_with_the_visit_when_sent() {
    let store = waymark_storage::SqliteStore::open_in_memory(clock()).await.unwrap();
    let la = "851".parse().unwrap();
    let s = store.create_survey(&portsmouth(), la, &survey(), None).await.unwrap();
    let other = store.create_survey(&portsmouth(), la, &survey(), None).await.unwrap();
    store.publish_survey(&portsmouth(), s.id, "tok").await.unwrap();
    // An unknown visit has no draft and cannot save one.
    assert_eq!(store.visit_draft(s.id, "v").await.unwrap(), None);
    assert!(!store.save_visit_draft(s.id, "v", &waymark_surveys::Draft::default()).await.unwrap());
    store.start_visit(s.id, "v").await.unwrap();
    assert_eq!(store.visit_draft(s.id, "v").await.unwrap(), Some(waymark_surveys::Draft::default()));
    let mut draft = waymark_surveys::Draft::default();
    draft.answer(&s.survey, 0, &["4".to_owned()]).unwrap();
    assert!(store.save_visit_draft(s.id, "v", &draft).await.unwrap());
    assert_eq!(store.visit_draft(s.id, "v").await.unwrap(), Some(draft.clone()));
    // A visit opens only its own survey's draft.
    assert_eq!(store.visit_draft(other.id, "v").await.unwrap(), None);
    let r = draft.response(&s.survey).unwrap();
    assert_eq!(store.submit_response("tok", "v", &r, None, d("2026-11-20")).await.unwrap(), Submitted::Saved);
    assert_eq!(store.visit_draft(s.id, "v").await.unwrap(), None, "sent: the draft went with the visit");
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

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0oG3a4cJ1M9IbW5zDq7j6ZcRZpJ3x5cF3y2w0lq8bqk";

/// A child with a case as far as its draft plan, and (if `family`) a parent account with an email.
async fn case_with_family(
    store: &waymark_storage::SqliteStore,
    family: bool,
) -> (waymark_domain::ids::CaseId, Option<waymark_domain::ids::UserId>) {
    use waymark_storage::{NewUser, NotificationStore, Role, UserStore};
    let child = store.create_child(&admin(), new_child(), "referred").await.unwrap().value.id;
    let history = full_history();
    let case = store.open_case(&admin(), child, history[0].clone(), "test").await.unwrap();
    store.record_case_events(&admin(), case.value.id, 1, history[1..8].to_vec(), "test").await.unwrap();
    let parent = if family {
        let new = NewUser {
            username: format!("parent-{}", case.value.id),
            display_name: "A parent".into(),
            password_hash: HASH.into(),
            role: Role::ParentCarer,
            la: Some("851".parse().unwrap()),
            setting_key: None,
        };
        let parent = store.create_user(&admin(), new).await.unwrap();
        store.link_child(&admin(), parent.id, child).await.unwrap();
        store.set_user_email(&admin(), parent.id, Some("parent@example.org")).await.unwrap();
        Some(parent.id)
    } else {
        None
    };
    (case.value.id, parent)
}

#[tokio::test]
async fn a_survey_set_for_the_final_plan_goes_to_the_family_when_the_final_plan_is_recorded() {
    use waymark_storage::NotificationStore;
    let clock = clock();
    clock.set(at("2026-05-04T09:00:00Z"));
    let store = waymark_storage::SqliteStore::open_in_memory(clock.clone()).await.unwrap();
    let s = store
        .create_survey(&portsmouth(), "851".parse().unwrap(), &survey(), Some(waymark_storage::SendWhen::FinalPlanIssued))
        .await
        .unwrap();
    store.publish_survey(&portsmouth(), s.id, "tok").await.unwrap();
    let (case, parent) = case_with_family(&store, true).await;
    let (no_family_case, _) = case_with_family(&store, false).await;
    let final_plan = full_history()[8].clone();
    store.record_case_events(&admin(), case, 8, vec![final_plan.clone()], "final plan issued").await.unwrap();
    store.record_case_events(&admin(), no_family_case, 8, vec![final_plan], "final plan issued").await.unwrap();

    // One send, to the family with an account: an email in the outbox that names neither the child
    // nor the case, linking to the survey with the send's token.
    assert_eq!(store.survey_sends(&portsmouth(), s.id).await.unwrap(), (1, 0));
    let notes = store.notifications_for(parent.unwrap(), 10).await.unwrap();
    let note = notes.iter().find(|n| n.topic == "survey").expect("a survey notification");
    assert_eq!(note.status, "pending", "the parent has an email address: it goes by email");
    assert!(note.link.starts_with("/s/tok?send="), "{}", note.link);
    assert!(!note.body.contains("Sam") && !note.body.contains("Example") && !note.subject.contains("Sam"), "{}", note.body);

    // The family answers through that link: the response counts towards the response rate.
    let token = note.link.split("send=").nth(1).unwrap();
    store.start_visit(s.id, "v1").await.unwrap();
    store.submit_response("tok", "v1", &answer(&s.survey, "4", None), Some(token), d("2026-05-05")).await.unwrap();
    assert_eq!(store.survey_sends(&portsmouth(), s.id).await.unwrap(), (1, 1));
}

#[tokio::test]
async fn a_final_plan_recorded_long_after_its_date_sends_no_survey() {
    let clock = clock();
    clock.set(at("2026-09-01T09:00:00Z"));
    let store = waymark_storage::SqliteStore::open_in_memory(clock.clone()).await.unwrap();
    let s = store
        .create_survey(&portsmouth(), "851".parse().unwrap(), &survey(), Some(waymark_storage::SendWhen::FinalPlanIssued))
        .await
        .unwrap();
    store.publish_survey(&portsmouth(), s.id, "tok").await.unwrap();
    let (case, _) = case_with_family(&store, true).await;
    // Dated 1 May, recorded on 1 September: more than 28 days late.
    store.record_case_events(&admin(), case, 8, vec![full_history()[8].clone()], "back-dated").await.unwrap();
    assert_eq!(store.survey_sends(&portsmouth(), s.id).await.unwrap(), (0, 0));
}
