//! Statutory letters (issue 13): produced from the LA's template as DOCX and PDF and read back, filed
//! on the case and audited, downloaded by the family of that child only; templates edited by the
//! administrator with every version kept, refused with an unknown placeholder named by line.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use waymark_documents::readback;
use waymark_domain::case::{CaseEvent, CaseEventKind};
use waymark_storage::{Actor, AuditAction, AuditFilter, DocumentStore, Scope, Store};

async fn refuse_to_assess(app: &TestApp, key: &str, on: &str) {
    assert_eq!(key, "dara", "only Dara's case is still at its request");
    let admin = Actor::new("test-setup", Scope::All);
    let case = app.kid(key).case;
    // Dara's case holds only its request: version 1.
    let version = 1;
    let event = CaseEvent::new(common::d(on), CaseEventKind::DecidedNotToAssess);
    app.store.record_case_events(&admin, case, version, vec![event], "test").await.unwrap();
}

#[tokio::test]
async fn reg_5_and_s51_a_refusal_to_assess_letter_reads_back_as_docx_and_pdf_is_filed_and_audited() {
    let app = TestApp::new().await;
    refuse_to_assess(&app, "dara", "2026-09-10").await;
    let dara = app.kid("dara").case;
    let cw = app.sign_in("caseworker").await;

    let page = app.get(&format!("/cases/{dara}/letters"), Some(&cw)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Decision not to assess") && page.body.contains("10 September 2026"));
    assert!(!page.body.contains("decision_not_to_assess\""), "no code shown as text");

    let pdf = app.get(&format!("/cases/{dara}/letters/decision_not_to_assess.pdf"), Some(&cw)).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let text = readback::squash(&readback::pdf_text(&pdf.bytes).unwrap());
    assert!(text.contains("we will not carry out an education, health and care needs assessment"), "{text}");
    assert!(text.contains("Daramola Wetherspoon") && text.contains("On 10 September 2026"), "{text}");
    // HESC Rules r.20: 2 months after the decision.
    assert!(text.contains("You must appeal by 10 November 2026"), "{text}");
    assert!(text.contains("section 51(2)(a)") && text.contains("regulation 5(1)"));

    let docx = app.get(&format!("/cases/{dara}/letters/decision_not_to_assess.docx"), Some(&cw)).await;
    assert_eq!(docx.status, StatusCode::OK);
    let read = readback::docx(&docx.bytes).unwrap();
    assert_eq!(read.styled("Heading1").len(), 1);
    assert!(read.body_text().contains("tell the mediation adviser by 10 November 2026"));

    // Both are filed on the case as letters, once each however often they are downloaded.
    app.get(&format!("/cases/{dara}/letters/decision_not_to_assess.pdf"), Some(&cw)).await;
    let admin = Actor::new("test-setup", Scope::All);
    let filed = app.store.case_documents(&admin, dara).await.unwrap();
    let letters: Vec<_> = filed.iter().filter(|d| d.kind == "letter").collect();
    assert_eq!(letters.len(), 2, "{letters:?}");
    assert!(letters.iter().any(|d| d.filename.ends_with(".pdf") && d.filename.starts_with("decision-not-to-assess-EHC-")));
    let created = app
        .store
        .audit_log(&admin, &AuditFilter { child: None, case: Some(dara), limit: 100 })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.subject == "case_document" && e.action == AuditAction::Create)
        .count();
    assert_eq!(created, 2);

    // A letter whose decision is not recorded is refused with a reason, and nothing is filed.
    let early = app.get(&format!("/cases/{dara}/letters/final_plan.pdf"), Some(&cw)).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST);
    assert!(early.body.contains("record the decision first"));
    assert_eq!(app.get(&format!("/cases/{dara}/letters/no_such_letter.pdf"), Some(&cw)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_parent_downloads_the_letter_filed_for_their_own_child_only() {
    let app = TestApp::new().await;
    // The parent is linked to Amber; Amber's case has a decision to assess (1 September).
    let amber = app.kid("amber").case;
    let basil = app.kid("basil").case;
    let parent = app.sign_in("parent").await;
    // Nothing issued yet: nothing to download.
    assert_eq!(app.get(&format!("/cases/{amber}/letters/decision_to_assess.pdf"), Some(&parent)).await.status, StatusCode::NOT_FOUND);
    let cw = app.sign_in("caseworker").await;
    for case in [amber, basil] {
        let issued = app.get(&format!("/cases/{case}/letters/decision_to_assess.pdf"), Some(&cw)).await;
        assert_eq!(issued.status, StatusCode::OK);
    }
    let own = app.get(&format!("/cases/{amber}/letters/decision_to_assess.pdf"), Some(&parent)).await;
    assert_eq!(own.status, StatusCode::OK);
    let text = readback::squash(&readback::pdf_text(&own.bytes).unwrap());
    assert!(text.contains("Amberly Quayle") && text.contains("regulation 5(1)"), "{text}");
    // Another child's letter is missing for them, as is the case itself; so is a professional's.
    assert_eq!(app.get(&format!("/cases/{basil}/letters/decision_to_assess.pdf"), Some(&parent)).await.status, StatusCode::NOT_FOUND);
    let health = app.sign_in("health").await;
    assert_eq!(app.get(&format!("/cases/{amber}/letters/decision_to_assess.pdf"), Some(&health)).await.status, StatusCode::NOT_FOUND);
    // The family does not produce letters or reach the letters page.
    assert_eq!(app.get(&format!("/cases/{amber}/letters"), Some(&parent)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_administrator_edits_a_template_refused_with_an_unknown_placeholder_and_every_version_is_kept() {
    let app = TestApp::new().await;
    let admin = app.sign_in("admin").await;
    let list = app.get("/admin/letters", Some(&admin)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Draft plan notice") && list.body.contains("As shipped with Waymark"));
    let page = app.get("/admin/letters/decision_to_assess", Some(&admin)).await;
    assert!(page.body.contains("{{child_initials}}") && page.body.contains("No version has been saved"));
    // Without the form's token nothing is saved.
    let forged =
        app.post_form("/admin/letters/decision_to_assess", Some(&admin), &[("body", "x"), ("based_on", "0"), ("action", "save")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let bad = "# Decision\nDear parent,\nWe decided on {{decision_date}} for {{child_nmae}}.";
    let refused = app
        .post_form(
            "/admin/letters/decision_to_assess",
            Some(&admin),
            &[("csrf", &admin.csrf), ("body", bad), ("based_on", "0"), ("action", "save")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("Line 3: {{child_nmae}} is not a placeholder Waymark knows"), "{}", refused.body);
    assert!(refused.body.contains("No version has been saved"), "nothing saved");

    let preview = "# Decision\nWe decided on **{{decision_date}}** for {{child_initials}}.";
    let shown = app
        .post_form(
            "/admin/letters/decision_to_assess",
            Some(&admin),
            &[("csrf", &admin.csrf), ("body", preview), ("based_on", "0"), ("action", "preview")],
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("for SE.") && shown.body.contains("<strong>"), "{}", shown.body);
    assert!(shown.body.contains("No version has been saved"), "a preview saves nothing");

    let good = "# Our decision\nOn {{decision_date}} we decided to assess {{child_initials}} (regulation 5(1)).";
    let saved = app
        .post_form(
            "/admin/letters/decision_to_assess",
            Some(&admin),
            &[("csrf", &admin.csrf), ("body", good), ("based_on", "0"), ("action", "save")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let second = format!("{good}\nA second paragraph.");
    app.post_form(
        "/admin/letters/decision_to_assess",
        Some(&admin),
        &[("csrf", &admin.csrf), ("body", &second), ("based_on", "1"), ("action", "save")],
    )
    .await;
    // A save from a stale page is refused, nothing written.
    let stale = app
        .post_form(
            "/admin/letters/decision_to_assess",
            Some(&admin),
            &[("csrf", &admin.csrf), ("body", good), ("based_on", "1"), ("action", "save")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let page = app.get("/admin/letters/decision_to_assess", Some(&admin)).await;
    assert!(page.body.contains("Version 2") && page.body.contains("Version 1") && !page.body.contains("Version 3"));
    assert!(page.body.contains("Test admin"));
    let first = app.get("/admin/letters/decision_to_assess?version=1", Some(&admin)).await;
    assert!(first.body.contains("we decided to assess") && !first.body.contains("A second paragraph"));

    // The next letter uses the newest version.
    let cw = app.sign_in("caseworker").await;
    let amber = app.kid("amber").case;
    let pdf = app.get(&format!("/cases/{amber}/letters/decision_to_assess.pdf"), Some(&cw)).await;
    let text = readback::squash(&readback::pdf_text(&pdf.bytes).unwrap());
    assert!(
        text.contains("On 1 September 2026 we decided to assess AQ (regulation 5(1)).") && text.contains("A second paragraph."),
        "{text}"
    );

    // Only the administrator edits templates.
    assert_eq!(app.get("/admin/letters", Some(&cw)).await.status, StatusCode::FORBIDDEN);
    let entries =
        app.store.audit_log(&Actor::new("test-setup", Scope::All), &AuditFilter { child: None, case: None, limit: 500 }).await.unwrap();
    assert_eq!(entries.iter().filter(|e| e.subject == "letter_template").count(), 2);
}
