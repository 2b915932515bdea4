//! Contributions from outside the council (issue 13 items 5 and 6): a professional's structured advice
//! with a report, the family's views, their comments on the draft (late ones taken and marked), a
//! school or college they ask for; each a case event the clock reads, all or nothing, audited, and
//! only on a case that is theirs.

mod common;

use axum::http::{Method, StatusCode};
use common::{Browser, Reply, TestApp};
use waymark_documents::{Document, Paragraph};
use waymark_domain::case::{AdviceParty, CaseEvent, CaseEventKind};
use waymark_domain::clock::evaluate;
use waymark_domain::plan::PlanContents;
use waymark_storage::{Actor, AuditFilter, ContributionStore, DocumentStore, Establishment, EstablishmentStore, Scope, Store};

const BOUNDARY: &str = "waymark-contrib-boundary";

/// A multipart body of text fields and, if given, a file.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    if let Some((filename, bytes)) = file {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_multipart(app: &TestApp, path: &str, who: &Browser, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Reply {
    let mut all = vec![("csrf", who.csrf.as_str())];
    all.extend_from_slice(fields);
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    app.request(Method::POST, path, Some(&who.cookie), Some((&content_type, multipart(&all, file))), &[]).await
}

fn report() -> Vec<u8> {
    Document::new("Health advice").paragraph(Paragraph::plain("Speech and language assessment findings.")).to_pdf()
}

fn setup() -> Actor {
    Actor::new("test-setup", Scope::All)
}

#[tokio::test]
async fn send_regs_2014_reg_8_an_advisers_structured_advice_and_report_are_the_advice_received_on_the_clock() {
    let app = TestApp::new().await;
    let amber = app.kid("amber").clone();
    let health = app.sign_in("health").await;
    let path = format!("/advice/{}/give", amber.case);
    // Asked on 2 September: due 6 weeks later (reg 8(1)).
    let form = app.get(&path, Some(&health)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("14 October 2026") && form.body.contains("The provision required"), "{}", form.body);

    // Missing sections are named, and nothing is written.
    let bad = post_multipart(&app, &path, &health, &[("needs", "Eats safely only with support")], Some(("salt.pdf", &report()))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Enter the outcomes sought") && bad.body.contains("href=\"#provision\""), "{}", bad.body);
    assert!(bad.body.contains("Eats safely only with support"), "what was typed is kept");
    let actor = setup();
    assert_eq!(app.store.get_case(&actor, amber.case).await.unwrap().version, 4);
    assert!(app.store.case_documents(&actor, amber.case).await.unwrap().is_empty(), "no half-written upload");
    // A file that is not a document is refused by its content, naming the field.
    let fields = [("needs", "Dysphagia"), ("outcomes", "Eats lunch with friends"), ("provision", "SaLT, 30 minutes weekly, NHS")];
    let typo = post_multipart(&app, &path, &health, &fields, Some(("salt.pdf", b"MZ not a pdf"))).await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(typo.body.contains("href=\"#file\""), "{}", typo.body);

    let sent = post_multipart(&app, &path, &health, &fields, Some(("SALT report.pdf", &report()))).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let case = app.store.get_case(&actor, amber.case).await.unwrap();
    assert_eq!(case.version, 5, "one event: the advice received");
    assert_eq!(case.value.advice()[&AdviceParty::Health].received, Some(common::d("2026-11-22")));
    let report_step = evaluate(&case.value.clock_input(), common::d("2026-11-22")).unwrap();
    assert!(report_step.steps.iter().any(|s| s.step == "advice:health" && s.done == Some(common::d("2026-11-22"))));
    let docs = app.store.case_documents(&actor, amber.case).await.unwrap();
    assert_eq!(docs.iter().map(|d| d.kind.as_str()).collect::<Vec<_>>(), ["advice_health"]);
    // The caseworker and the parent read it section by section, with the report.
    for who in ["caseworker", "parent"] {
        let b = app.sign_in(who).await;
        let page = app.get(&format!("/cases/{}/contributions", amber.case), Some(&b)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Health advice") && page.body.contains("SaLT, 30 minutes weekly, NHS"), "{}", page.body);
        assert!(page.body.contains(&format!("/documents/{}", docs[0].document_id)));
    }
    // Sent once: a second try is refused as already received, and the form says so.
    let again = app.get(&path, Some(&health)).await;
    assert!(again.body.contains("was received on 22 November 2026"), "{}", again.body);
    let twice = post_multipart(&app, &path, &health, &fields, None).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.store.get_case(&actor, amber.case).await.unwrap().version, 5);
    // Audited: the event and the document, as the adviser.
    let log = app.store.audit_log(&actor, &AuditFilter { child: None, case: Some(amber.case), limit: 50 }).await.unwrap();
    let label = format!("user:{}", app.users["health"]);
    assert!(log.iter().any(|e| e.actor_label == label && e.subject == "case" && e.action.as_str() == "update"));
    assert!(log.iter().any(|e| e.actor_label == label && e.subject == "case_document" && e.action.as_str() == "create"));
}

#[tokio::test]
async fn a_professional_gives_advice_only_where_their_service_was_asked_and_the_case_is_theirs() {
    let app = TestApp::new().await;
    let sc = app.sign_in("socialcare").await;
    // Amber's case asked health and education, not social care.
    assert_eq!(app.get(&format!("/advice/{}/give", app.kid("amber").case), Some(&sc)).await.status, StatusCode::NOT_FOUND);
    // Cora's case is another LA's.
    let health = app.sign_in("health").await;
    assert_eq!(app.get(&format!("/advice/{}/give", app.kid("cora").case), Some(&health)).await.status, StatusCode::NOT_FOUND);
    // A parent cannot give professional advice.
    let parent = app.sign_in("parent").await;
    assert_eq!(app.get(&format!("/advice/{}/give", app.kid("amber").case), Some(&parent)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn code_of_practice_9_69_the_family_sends_their_views_for_their_own_child_only() {
    let app = TestApp::new().await;
    let amber = app.kid("amber").clone();
    let parent = app.sign_in("parent").await;
    let path = format!("/my-journey/{}/views", amber.case);
    let form = app.get(&path, Some(&parent)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("What do people like and admire about your child?"), "{}", form.body);
    let empty = post_multipart(&app, &path, &parent, &[], None).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Answer at least one question, or upload a document"), "{}", empty.body);
    // Without the form's token: refused.
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let forged =
        app.request(Method::POST, &path, Some(&parent.cookie), Some((&content_type, multipart(&[("q-about", "x")], None))), &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let sent =
        post_multipart(&app, &path, &parent, &[("q-about", "Kind, funny, loves horses"), ("q-future", "To ride at college")], None).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.location(), format!("/my-journey/{}?sent=views", amber.case));
    let journey = app.get(&sent.location(), Some(&parent)).await.body;
    assert!(journey.contains("Your views have been sent to the council."), "{journey}");
    let actor = setup();
    let case = app.store.get_case(&actor, amber.case).await.unwrap().value;
    assert_eq!(case.views_sent(), &[common::d("2026-11-22")]);
    let stored = app.store.case_contributions(&actor, amber.case).await.unwrap();
    assert_eq!((stored.len(), stored[0].kind.as_str()), (1, "family_views"));
    assert!(stored[0].content.contains("loves horses"));
    // The young person's account is linked to Basil, not Amber: Amber's case is not found for them.
    let yp = app.sign_in("youngperson").await;
    assert_eq!(app.get(&path, Some(&yp)).await.status, StatusCode::NOT_FOUND);
    let other = post_multipart(&app, &path, &yp, &[("q-about", "x")], None).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(app.store.case_contributions(&actor, amber.case).await.unwrap().len(), 1);
}

#[tokio::test]
async fn send_regs_2014_reg_13_1_the_family_comments_on_the_draft_and_a_late_comment_is_taken_and_marked_late() {
    let app = TestApp::new().await;
    let amber = app.kid("amber").clone();
    let parent = app.sign_in("parent").await;
    let path = format!("/my-journey/{}/comments", amber.case);
    // No draft yet: the page says so, and a comment is refused with the rule in plain English.
    assert!(app.get(&path, Some(&parent)).await.body.contains("There is no draft plan to comment on"));
    let early = app.post_form(&path, Some(&parent), &[("csrf", &parent.csrf), ("comments", "Too soon")]).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.body.contains("Comments are sent on a draft plan"), "{}", early.body);

    // The draft is issued on 20 November: the 15 days run to 4 December.
    let draft = CaseEvent::new(common::d("2026-11-20"), CaseEventKind::DraftIssued { plan: PlanContents::default() });
    app.store.record_case_events(&setup(), amber.case, 4, vec![draft], "test").await.unwrap();
    let journey = app.get(&format!("/my-journey/{}", amber.case), Some(&parent)).await.body;
    assert!(journey.contains("You have until <strong>4 December 2026</strong> to comment"), "{journey}");
    let form = app.get(&path, Some(&parent)).await.body;
    assert!(form.contains("by <strong>4 December 2026</strong>"), "{form}");
    let blank = app.post_form(&path, Some(&parent), &[("csrf", &parent.csrf), ("comments", "  ")]).await;
    assert!(blank.body.contains("Enter your comments on the draft plan"));
    let sent =
        app.post_form(&path, Some(&parent), &[("csrf", &parent.csrf), ("comments", "Section F: therapy weekly"), ("meeting", "yes")]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);

    // 16 days after the draft: still taken, marked late.
    app.advance(14 * 24 * 60);
    let parent = app.sign_in("parent").await;
    let late = app.post_form(&path, Some(&parent), &[("csrf", &parent.csrf), ("comments", "One more thing")]).await;
    assert_eq!(late.status, StatusCode::SEE_OTHER, "{}", late.body);
    let stored = app.store.case_contributions(&setup(), amber.case).await.unwrap();
    assert_eq!(stored.iter().map(|c| c.late).collect::<Vec<_>>(), [false, true]);
    let list = app.get(&format!("/cases/{}/contributions", amber.case), Some(&parent)).await.body;
    assert_eq!(list.matches("After the 15 days").count(), 1, "{list}");
    assert!(list.contains("Meeting asked for"));
    let case = app.store.get_case(&setup(), amber.case).await.unwrap().value;
    let report = evaluate(&case.clock_input(), common::d("2026-12-06")).unwrap();
    let step = report.steps.iter().find(|s| s.step == "draft_comments").unwrap();
    assert_eq!((step.due, step.done), (common::d("2026-12-04"), Some(common::d("2026-11-22"))));
}

#[tokio::test]
async fn cfa_2014_s38_2_b_the_family_asks_for_a_school_found_by_name() {
    let app = TestApp::new().await;
    let amber = app.kid("amber").clone();
    let hill = Establishment {
        urn: "851777".parse().unwrap(),
        name: "Hilltop Academy".into(),
        la: "851".parse().unwrap(),
        la_name: "Portsmouth".into(),
        kind: "Academy converter".into(),
        phase: "Secondary".into(),
        postcode: "PO1 1AA".into(),
        status: "Open".into(),
    };
    app.store.load_establishments(&setup(), &[hill]).await.unwrap();
    let draft = CaseEvent::new(common::d("2026-11-20"), CaseEventKind::DraftIssued { plan: PlanContents::default() });
    app.store.record_case_events(&setup(), amber.case, 4, vec![draft], "test").await.unwrap();
    let parent = app.sign_in("parent").await;
    let path = format!("/my-journey/{}/school", amber.case);
    let found = app.get(&format!("{path}?q=hilltop"), Some(&parent)).await.body;
    assert!(found.contains("Hilltop Academy") && found.contains("value=\"851777\""), "{found}");
    let none = app.post_form(&path, Some(&parent), &[("csrf", &parent.csrf), ("q", "hilltop")]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("Choose the school or college"), "{}", none.body);
    let sent = app
        .post_form(&path, Some(&parent), &[("csrf", &parent.csrf), ("setting", "851777"), ("reason", "Near home; his brother goes there")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let case = app.store.get_case(&setup(), amber.case).await.unwrap().value;
    assert_eq!(case.requested_settings().len(), 1);
    let cw = app.sign_in("caseworker").await;
    let list = app.get(&format!("/cases/{}/contributions", amber.case), Some(&cw)).await.body;
    assert!(list.contains("Hilltop Academy") && list.contains("his brother goes there"), "{list}");
}
