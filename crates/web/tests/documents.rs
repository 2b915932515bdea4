//! Documents on a case (issue 13): uploads checked by content, who sees which kind, audited
//! downloads, removal with a reason, and the plan as DOCX and PDF read back.

mod common;

use axum::http::{Method, StatusCode};
use common::{Browser, Reply, TestApp};
use waymark_documents::readback;
use waymark_documents::{Document, Paragraph};
use waymark_domain::case::{CaseEvent, CaseEventKind};
use waymark_domain::plan::{Agency, Outcome, PfaArea, PlanContents, Provision, Section};
use waymark_storage::{Actor, AuditFilter, Scope, Store};

const BOUNDARY: &str = "waymark-test-boundary";

/// A multipart body with the fields `kind` (and `csrf` when given) and a file.
fn multipart(kind: &str, csrf: Option<&str>, filename: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut field = |name: &str, value: &str| {
        body.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    };
    field("kind", kind);
    if let Some(token) = csrf {
        field("csrf", token);
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn api_upload(app: &TestApp, who: &Browser, case: &str, kind: &str, filename: &str, bytes: &[u8]) -> Reply {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    app.request(
        Method::POST,
        &format!("/api/v1/cases/{case}/documents"),
        Some(&who.cookie),
        Some((&content_type, multipart(kind, None, filename, bytes))),
        &[("x-csrf-token", who.csrf.as_str())],
    )
    .await
}

fn report() -> Vec<u8> {
    Document::new("Health advice").paragraph(Paragraph::plain("Speech and language assessment findings.")).to_pdf()
}

#[tokio::test]
async fn an_advisers_report_is_stored_by_sha256_listed_for_the_parent_and_every_download_is_audited() {
    let app = TestApp::new().await;
    let amber = app.kid("amber").clone();
    let health = app.sign_in("health").await;
    let bytes = report();
    let reply = api_upload(&app, &health, &amber.case.to_string(), "advice_health", "SALT report.pdf", &bytes).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let made = reply.json();
    let keys: Vec<&str> = made.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["document_id", "filename", "kind", "sha256", "size"]);
    assert_eq!(made["kind"], "advice_health");
    assert_eq!(made["filename"], "SALT report.pdf");
    assert_eq!(made["size"], bytes.len());
    let sha = made["sha256"].as_str().unwrap().to_owned();
    // The file lives under the data directory, named by its SHA-256.
    let stored = app.store.documents_dir().unwrap().join(&sha[..2]).join(&sha);
    assert_eq!(std::fs::read(&stored).unwrap(), bytes);

    // The parent of the child sees it listed and downloads the same bytes.
    let parent = app.sign_in("parent").await;
    let list = app.get(&format!("/api/v1/cases/{}/documents", amber.case), Some(&parent)).await.json();
    assert_eq!(list["documents"][0]["document_id"], made["document_id"]);
    let page = app.get(&format!("/cases/{}/documents", amber.case), Some(&parent)).await;
    assert!(page.body.contains("SALT report.pdf") && page.body.contains("Health advice"), "{}", page.body);
    assert!(!page.body.contains("advice_health"), "no internal codes on pages");
    let id = made["document_id"].as_str().unwrap();
    let download = app.get(&format!("/api/v1/documents/{id}"), Some(&parent)).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.bytes, bytes);
    assert_eq!(download.headers["content-type"], "application/pdf");
    assert!(download.headers["content-disposition"].to_str().unwrap().contains("attachment"));

    let actor = Actor::new("t", Scope::All);
    let log = app.store.audit_log(&actor, &AuditFilter { child: None, case: Some(amber.case), limit: 50 }).await.unwrap();
    let parent_label = format!("user:{}", app.users["parent"]);
    let health_label = format!("user:{}", app.users["health"]);
    assert!(log.iter().any(|e| e.actor_label == health_label && e.subject == "case_document" && e.action.as_str() == "create"));
    assert!(log.iter().any(|e| e.actor_label == parent_label && e.subject == "case_document" && e.action.as_str() == "read"));
}

#[tokio::test]
async fn a_file_whose_content_is_not_an_accepted_type_is_refused_naming_the_field_whatever_its_name() {
    let app = TestApp::new().await;
    let amber = app.kid("amber").case.to_string();
    let health = app.sign_in("health").await;
    let fake = api_upload(&app, &health, &amber, "advice_health", "report.pdf", b"MZ\x90\x00 not a PDF at all").await;
    assert_eq!(fake.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", fake.body);
    assert_eq!(fake.json()["error"]["field"], "file");
    assert!(fake.body.contains("must be a PDF, Word document"), "{}", fake.body);

    let truncated = report();
    let damaged = api_upload(&app, &health, &amber, "advice_health", "report.pdf", &truncated[..truncated.len() / 2]).await;
    assert_eq!(damaged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(damaged.body.contains("damaged or incomplete"), "{}", damaged.body);

    // A health professional adds health advice, not social care advice.
    let wrong_kind = api_upload(&app, &health, &amber, "advice_social_care", "report.pdf", &report()).await;
    assert_eq!(wrong_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong_kind.json()["error"]["field"], "kind");

    let mut huge = report();
    huge.resize(20 * 1024 * 1024 + 1, b' ');
    let too_big = api_upload(&app, &health, &amber, "advice_health", "scan.pdf", &huge).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", too_big.body);
    assert!(too_big.body.contains("smaller than 20 MB"));

    // Nothing was stored by any refused upload.
    let cw = app.sign_in("caseworker").await;
    let list = app.get(&format!("/api/v1/cases/{amber}/documents"), Some(&cw)).await.json();
    assert_eq!(list["documents"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn each_role_sees_only_the_kinds_its_role_may_and_others_cases_stay_missing() {
    let app = TestApp::new().await;
    let amber = app.kid("amber").clone();
    let health = app.sign_in("health").await;
    let made = api_upload(&app, &health, &amber.case.to_string(), "advice_health", "report.pdf", &report()).await.json();
    let id = made["document_id"].as_str().unwrap().to_owned();
    // Amber's SENCO reads the school's advice, not the health advice.
    let senco = app.sign_in("senco").await;
    let list = app.get(&format!("/api/v1/cases/{}/documents", amber.case), Some(&senco)).await.json();
    assert_eq!(list["documents"].as_array().unwrap().len(), 0);
    assert_eq!(app.get(&format!("/api/v1/documents/{id}"), Some(&senco)).await.status, StatusCode::NOT_FOUND);
    // Social care was not asked for advice on Amber's case: the case and its documents are missing.
    let social = app.sign_in("socialcare").await;
    assert_eq!(app.get(&format!("/api/v1/documents/{id}"), Some(&social)).await.status, StatusCode::NOT_FOUND);
    // Another LA's caseworker cannot reach it either.
    let kent = app.sign_in("kentcaseworker").await;
    assert_eq!(app.get(&format!("/documents/{id}"), Some(&kent)).await.status, StatusCode::NOT_FOUND);
    // The young person is linked to Basil, not Amber.
    let yp = app.sign_in("youngperson").await;
    assert_eq!(app.get(&format!("/api/v1/documents/{id}"), Some(&yp)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_parent_sends_their_views_through_the_form_and_a_caseworker_removes_a_document_keeping_it_with_the_reason() {
    let app = TestApp::new().await;
    let amber = app.kid("amber").clone();
    let parent = app.sign_in("parent").await;
    let views = Document::new("All about me").paragraph("I like horses.").to_docx().unwrap();
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let path = format!("/cases/{}/documents", amber.case);
    // Without the form's token nothing is stored.
    let forged = app
        .request(
            Method::POST,
            &path,
            Some(&parent.cookie),
            Some((&content_type, multipart("family_views", None, "views.docx", &views))),
            &[],
        )
        .await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER);
    let sent = app
        .request(
            Method::POST,
            &path,
            Some(&parent.cookie),
            Some((&content_type, multipart("family_views", Some(&parent.csrf), "views.docx", &views))),
            &[],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = app.get(&sent.location(), Some(&parent)).await.body;
    assert!(
        page.contains("The document has been added") && page.contains("views.docx") && page.contains("The family&#x27;s views"),
        "{page}"
    );
    // A form error names the field, in the page's error summary.
    let empty = app
        .request(
            Method::POST,
            &path,
            Some(&parent.cookie),
            Some((&content_type, multipart("", Some(&parent.csrf), "x.pdf", &report()))),
            &[],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("Select what kind of document this is") && empty.body.contains("href=\"#kind\""), "{}", empty.body);

    let cw = app.sign_in("caseworker").await;
    let list = app.get(&format!("/api/v1/cases/{}/documents", amber.case), Some(&cw)).await.json();
    let id = list["documents"][0]["document_id"].as_str().unwrap().to_owned();
    let blank = app.post_form(&format!("/documents/{id}/remove"), Some(&cw), &[("csrf", &cw.csrf), ("reason", " ")]).await;
    assert_eq!(blank.status, StatusCode::BAD_REQUEST);
    assert!(blank.body.contains("Enter why the document is being removed"));
    let removed =
        app.post_form(&format!("/documents/{id}/remove"), Some(&cw), &[("csrf", &cw.csrf), ("reason", "Uploaded to the wrong case")]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    // The family no longer sees it; the SEND team sees it with the reason and can still open it.
    assert_eq!(app.get(&format!("/documents/{id}"), Some(&parent)).await.status, StatusCode::NOT_FOUND);
    let team = app.get(&format!("/cases/{}/documents", amber.case), Some(&cw)).await.body;
    assert!(team.contains("Removed") && team.contains("Uploaded to the wrong case"), "{team}");
    assert_eq!(app.get(&format!("/documents/{id}"), Some(&cw)).await.bytes, views);
}

#[tokio::test]
async fn reg_13_1_the_draft_plan_downloads_as_docx_and_pdf_with_draft_and_the_15_day_notice() {
    let app = TestApp::new().await;
    let amber = app.kid("amber").clone();
    let mut plan = PlanContents::default();
    plan.sections.insert(Section::A, "Amberly enjoys drawing and horses.".into());
    plan.outcomes.push(Outcome { text: "Travels to school with a friend".into(), pfa: vec![PfaArea::IndependentLiving] });
    plan.provision.push(Provision {
        agency: Agency::Education,
        description: "Small-group literacy".into(),
        frequency: Some("Daily, 20 minutes".into()),
        provider: Some("Class teacher".into()),
        duration: Some("One year".into()),
    });
    let admin = Actor::new("test-setup", Scope::All);
    let draft = CaseEvent::new(common::d("2026-11-10"), CaseEventKind::DraftIssued { plan });
    app.store.record_case_events(&admin, amber.case, 4, vec![draft], "test").await.unwrap();

    let parent = app.sign_in("parent").await;
    let pdf = app.get(&format!("/cases/{}/plan.pdf", amber.case), Some(&parent)).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let text = readback::squash(&readback::pdf_text(&pdf.bytes).unwrap());
    assert!(text.contains("DRAFT"));
    // Issued 10 November: 15 days beginning with that day end on 24 November.
    assert!(text.contains("You have until 24 November 2026 to comment on this draft."), "{text}");
    assert!(text.contains("Amberly Quayle") && text.contains("Small-group literacy") && text.contains("Class teacher"));

    let docx = app.get(&format!("/cases/{}/plan.docx", amber.case), Some(&parent)).await;
    let read = readback::docx(&docx.bytes).unwrap();
    assert_eq!(read.styled("Heading1").len(), 12);
    assert!(read.headers.iter().any(|h| h.text.contains("DRAFT")));
    assert!(read.body_text().contains("Travels to school with a friend") && read.body_text().contains("Independent living"));

    // A health professional reads only part of a plan, so gets no plan document.
    let health = app.sign_in("health").await;
    assert_eq!(app.get(&format!("/cases/{}/plan.pdf", amber.case), Some(&health)).await.status, StatusCode::FORBIDDEN);
    // A case with no plan has no plan document.
    let cw = app.sign_in("caseworker").await;
    let basil = app.kid("basil").case;
    assert_eq!(app.get(&format!("/cases/{basil}/plan.docx"), Some(&cw)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_family_page_speaks_to_you_with_the_20_week_date_advice_still_to_come_and_where_to_get_help() {
    let app = TestApp::new().await;
    let amber = app.kid("amber").clone();
    let parent = app.sign_in("parent").await;
    let page = app.get(&format!("/my-journey/{}", amber.case), Some(&parent)).await.body;
    // Requested 3 August 2026: reg 13(2)'s 20 weeks end on 21 December 2026.
    assert!(page.contains("The council must send you the final plan by <strong>21 December 2026</strong>"), "{page}");
    // Health and the school were asked on 2 September: reg 8(1)'s 6 weeks end on 14 October.
    assert!(page.contains("Advice still to come") && page.contains("Health: due by 14 October 2026"), "{page}");
    for help in ["SENDIASS", "Mediation", "SEND tribunal", "Ombudsman"] {
        assert!(page.contains(help), "{help} missing");
    }
    assert!(page.contains(&format!("/cases/{}/documents", amber.case)));
}
