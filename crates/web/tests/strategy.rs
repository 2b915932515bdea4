//! The strategy's pages as each role uses them (issue 17): the plan by strand for staff and the board;
//! a deliverable's owner updating its status and quarterly note, others refused; a stale update named
//! as a conflict; the board report downloaded in each format; another LA and families see nothing.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use waymark_storage::{Actor, Scope};
use waymark_strategy::store as plans;
use waymark_strategy::{csv_format, Change, PlanKind};

const PLAN: &str = "strand,ref,deliverable,due,owner,status,monitored_by,indicators\n\
Strand B: Successful implementation of the SEND Reforms,B6,Improved percentage of EHCPs completed within statutory timescales,Sep 26,KS,on track,SEND Board,dfe-ehcp/plans_within_20_weeks_excl_exceptions_pct\n\
Strand B: Successful implementation of the SEND Reforms,B7,Families report satisfaction with the EHCP process,Dec 26,BMc,,SEND Board,\n";

async fn with_plan() -> TestApp {
    let app = TestApp::new().await;
    let cli = Actor::new("cli", Scope::All);
    let strands = csv_format::parse("plan.csv", PLAN, &|_| true).unwrap();
    plans::record(&app.store, &cli, "851", PlanKind::Strategy, None, &Change::Imported { strands }).await.unwrap();
    let owner = Change::OwnerAccount { reference: "B6".into(), account: Some(format!("user:{}", app.users["caseworker"])) };
    plans::record(&app.store, &cli, "851", PlanKind::Strategy, None, &owner).await.unwrap();
    app
}

fn quarter(app: &TestApp) -> String {
    waymark_strategy::Quarter::containing(app.now().date_naive()).to_string()
}

#[tokio::test]
async fn the_board_reads_the_plan_by_strand_in_words_but_cannot_update_it() {
    let app = with_plan().await;
    let board = app.sign_in("board").await;
    let page = app.get("/strategy", Some(&board)).await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        "Strand B: Successful implementation of the SEND Reforms",
        "Improved percentage of EHCPs",
        "On track",
        "Not started",
        "September 2026",
    ] {
        assert!(page.body.contains(needle), "{needle}");
    }
    assert!(!page.body.contains("on_track") && !page.body.contains("not_started"), "codes never show on a page");
    let item = app.get("/strategy/deliverables/B6", Some(&board)).await;
    assert_eq!(item.status, StatusCode::OK);
    assert!(!item.body.contains("Save the update"), "the board reads only");
    let q = quarter(&app);
    let refused = app
        .post_form(
            "/strategy/deliverables/B6",
            Some(&board),
            &[("csrf", &board.csrf), ("status", "at_risk"), ("quarter", &q), ("note", "x")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_owner_updates_their_own_deliverable_and_a_colleague_cannot() {
    let app = with_plan().await;
    let owner = app.sign_in("caseworker").await;
    let q = quarter(&app);
    let form = app.get("/strategy/deliverables/B6", Some(&owner)).await;
    assert!(form.body.contains("Save the update"));
    let version = common::input_value(&form.body, "version").unwrap();
    let saved = app
        .post_form(
            "/strategy/deliverables/B6",
            Some(&owner),
            &[
                ("csrf", &owner.csrf),
                ("version", &version),
                ("status", "at_risk"),
                ("quarter", &q),
                ("note", "Two caseworkers left in March"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get("/strategy/deliverables/B6", Some(&owner)).await;
    assert!(page.body.contains("Two caseworkers left in March") && page.body.contains("At risk"));
    assert!(page.body.contains("Test caseworker"), "the note names who wrote it");
    // The same form sent again was based on the version before: a conflict, in words.
    let stale = app
        .post_form(
            "/strategy/deliverables/B6",
            Some(&owner),
            &[("csrf", &owner.csrf), ("version", &version), ("status", "off_track"), ("quarter", &q), ("note", "Later")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.body.contains("Someone else updated this deliverable"));
    // Nothing to say: the field is named.
    let empty = app
        .post_form(
            "/strategy/deliverables/B6",
            Some(&owner),
            &[("csrf", &owner.csrf), ("status", "at_risk"), ("quarter", &q), ("note", "")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Write a progress note, or change the status"));
    let colleague = app.sign_in("caseworker2").await;
    let refused = app
        .post_form(
            "/strategy/deliverables/B7",
            Some(&owner),
            &[("csrf", &owner.csrf), ("status", "on_track"), ("quarter", &q), ("note", "x")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "B7 is not the caseworker's");
    let refused = app
        .post_form(
            "/strategy/deliverables/B6",
            Some(&colleague),
            &[("csrf", &colleague.csrf), ("status", "on_track"), ("quarter", &q), ("note", "x")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // A manager updates any deliverable.
    let manager = app.sign_in("manager").await;
    let ok = app
        .post_form(
            "/strategy/deliverables/B7",
            Some(&manager),
            &[("csrf", &manager.csrf), ("status", "complete"), ("quarter", &q), ("note", "Survey done")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_board_report_downloads_in_each_format_and_a_bad_choice_is_named() {
    let app = with_plan().await;
    let board = app.sign_in("board").await;
    let q = quarter(&app);
    for (format, mime, magic) in [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", &b"PK"[..]),
        ("pdf", "application/pdf", &b"%PDF"[..]),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &b"PK"[..]),
        ("html", "text/html; charset=utf-8", &b"<!DOCTYPE html>"[..]),
    ] {
        let r = app.get(&format!("/strategy/report/download?quarter={q}&format={format}"), Some(&board)).await;
        assert_eq!(r.status, StatusCode::OK, "{format}");
        assert_eq!(r.headers.get("content-type").unwrap(), mime);
        assert!(r.bytes.starts_with(magic), "{format}");
    }
    let html = app.get(&format!("/strategy/report/download?quarter={q}&format=html"), Some(&board)).await;
    assert!(html.body.contains("1. Purpose") && html.body.contains("Improved percentage of EHCPs"));
    let bad = app.get("/strategy/report/download?quarter=1999Q1&format=odt", Some(&board)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Select the quarter the report is for") && bad.body.contains("Select the report"));
}

#[tokio::test]
async fn another_las_staff_and_families_see_no_plan() {
    let app = with_plan().await;
    let kent = app.sign_in("kentcaseworker").await;
    assert_eq!(app.get("/strategy/deliverables/B6", Some(&kent)).await.status, StatusCode::NOT_FOUND);
    assert!(!app.get("/strategy", Some(&kent)).await.body.contains("Improved percentage"));
    let parent = app.sign_in("parent").await;
    assert_eq!(app.get("/strategy", Some(&parent)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_strategy_lead_writes_a_self_evaluation_area_as_a_new_dated_version() {
    let app = with_plan().await;
    let manager = app.sign_in("manager").await;
    let saved = app
        .post_form(
            "/strategy/self-evaluation/areas/leaders-ambitious",
            Some(&manager),
            &[
                ("csrf", &manager.csrf),
                ("based_on", "0"),
                ("judgement", "inconsistent"),
                ("strengths", "A shared ambition"),
                ("add_indicator", "dfe-ehcp/plans_issued"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let again = app
        .post_form(
            "/strategy/self-evaluation/areas/leaders-ambitious",
            Some(&manager),
            &[("csrf", &manager.csrf), ("based_on", "1"), ("judgement", "positive"), ("strengths", "A shared ambition")],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let history = app.get("/strategy/self-evaluation/history", Some(&manager)).await;
    assert!(
        history.body.contains("Leaders are ambitious for children and young people with SEND, from inconsistent to positive"),
        "{}",
        history.body
    );
    let layout = app.get("/strategy/self-evaluation?layout=peterborough", Some(&manager)).await;
    assert!(layout.body.contains("What we know") && layout.body.contains("Strengths: A shared ambition"));
    let bad = app
        .post_form(
            "/strategy/self-evaluation/areas/leaders-ambitious",
            Some(&manager),
            &[("csrf", &manager.csrf), ("based_on", "2"), ("judgement", "great"), ("add_indicator", "nonsense")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Select the partnership") && bad.body.contains("Choose an indicator from the list"));
    let form = app.get("/strategy/self-evaluation/areas/leaders-ambitious", Some(&manager)).await;
    assert!(form.body.contains("DfE EHC plan measures (SEN2): New EHC plans issued"), "the linked indicator by its name");
    let board = app.sign_in("board").await;
    assert_eq!(app.get("/strategy/self-evaluation/areas/leaders-ambitious", Some(&board)).await.status, StatusCode::FORBIDDEN);
}

/// The text a person reads: tags, scripts and styles removed.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.split("<head>").last().unwrap_or(html).chars() {
        match c {
            '<' => inside = true,
            '>' => {
                inside = false;
                out.push(' ');
            }
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out.replace("&#x27;", "'").replace("&amp;", "&")
}

#[tokio::test]
async fn no_strategy_page_shows_an_internal_name() {
    let app = with_plan().await;
    for who in ["manager", "board", "caseworker"] {
        let b = app.sign_in(who).await;
        for path in [
            "/strategy",
            "/strategy/deliverables/B6",
            "/strategy/action-plan",
            "/strategy/self-evaluation",
            "/strategy/self-evaluation?layout=peterborough",
            "/strategy/self-evaluation/history",
            "/strategy/report",
        ] {
            let page = app.get(path, Some(&b)).await;
            assert_eq!(page.status, StatusCode::OK, "{who} {path}");
            let text = visible(&page.body);
            let internal: Vec<&str> = text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '/'))
                .filter(|w| w.trim_matches('_').contains('_') || w.contains("dfe-ehcp/") || w.contains("portsmouth-2016/"))
                .collect();
            assert!(internal.is_empty(), "{who} {path}: {internal:?}");
        }
    }
}

/// The inspection evidence pack (issue 17, item 6): a SEND manager downloads it; its lists name the
/// area's children (and not another LA's); making it is ONE audited read of the area, not one per child;
/// the board, which reads aggregates only, may not; a bad period is named by field.
#[tokio::test]
async fn a_send_manager_downloads_the_inspection_evidence_as_one_audited_read_and_the_board_cannot() {
    use waymark_storage::{AuditFilter, Store};
    let app = with_plan().await;
    let manager = app.sign_in("manager").await;
    let form = app.get("/strategy/evidence", Some(&manager)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Download the evidence"));
    let admin = Actor::new("test", Scope::All);
    let log = || async { app.store.audit_log(&admin, &AuditFilter { limit: 1000, ..Default::default() }).await.unwrap() };
    let before = log().await;
    let period = "from-day=1&from-month=8&from-year=2026&to-day=22&to-month=11&to-year=2026";
    let docx = app.get(&format!("/strategy/evidence/download?{period}&format=docx"), Some(&manager)).await;
    assert_eq!(docx.status, StatusCode::OK);
    assert_eq!(docx.headers.get("cache-control").unwrap(), "no-store", "a file naming children is not cached");
    let text = waymark_documents::readback::docx(&docx.bytes).unwrap().body_text();
    for needle in [
        "1. Self-evaluation",
        "Improved percentage of EHCPs completed within statutory timescales",
        "Quayle",
        "Wetherspoon",
        "Deciding whether to assess",
        "Being assessed (decided to assess 1 September 2026)",
        "Parent or young person",
        "Requests received from 1 August 2026 to 22 November 2026 (3)",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    assert!(!text.contains("Vantongeren"), "another LA's child is never listed");
    let after = log().await;
    let new: Vec<_> =
        after.iter().filter(|e| !before.iter().any(|b| b.at == e.at && b.subject == e.subject && b.actor_label == e.actor_label)).collect();
    assert_eq!(new.iter().filter(|e| e.subject == "inspection_evidence").count(), 1, "one entry for the whole read");
    assert!(!new.iter().any(|e| e.child_id.is_some()), "no entry per child: {:?}", new.iter().map(|e| &e.subject).collect::<Vec<_>>());
    let xlsx = app.get(&format!("/strategy/evidence/download?{period}&format=xlsx"), Some(&manager)).await;
    assert_eq!(xlsx.headers.get("content-type").unwrap(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(xlsx.bytes.starts_with(b"PK"));
    let earlier = app.get(&format!("/strategy/evidence/download?{period}&format=xlsx"), Some(&manager)).await;
    assert_eq!(earlier.status, StatusCode::OK);
    let bad = app
        .get(
            "/strategy/evidence/download?from-day=1&from-month=9&from-year=2026&to-day=1&to-month=8&to-year=2026&format=odt",
            Some(&manager),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("The last day of the period must be the same as or after the first day"));
    assert!(bad.body.contains("Select the format"));
    let board = app.sign_in("board").await;
    assert_eq!(app.get(&format!("/strategy/evidence/download?{period}&format=xlsx"), Some(&board)).await.status, StatusCode::FORBIDDEN);
    assert!(!app.get("/strategy", Some(&board)).await.body.contains("/strategy/evidence"), "no link for those who may not");
}

/// Families and the public read the published strategy without signing in, in plain words and without
/// the owners' initials or accounts; until the LA publishes it (or after it stops), the page is not
/// found. Only a SEND manager or strategy lead decides.
#[tokio::test]
async fn the_published_strategy_is_read_without_signing_in_only_once_the_la_publishes_it() {
    let app = with_plan().await;
    assert_eq!(app.get("/send-strategy/851", None).await.status, StatusCode::NOT_FOUND, "not published yet");
    let board = app.sign_in("board").await;
    let refused = app.post_form("/strategy/publication", Some(&board), &[("csrf", &board.csrf), ("publish", "yes")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "the board reads; it does not publish");
    let manager = app.sign_in("manager").await;
    assert!(app.get("/strategy", Some(&manager)).await.body.contains("Publish the strategy for families"));
    let done = app.post_form("/strategy/publication", Some(&manager), &[("csrf", &manager.csrf), ("publish", "yes")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let public = app.get("/send-strategy/851", None).await;
    assert_eq!(public.status, StatusCode::OK);
    for needle in [
        "Our SEND strategy and how it is going",
        "Improved percentage of EHCPs completed within statutory timescales",
        "On track",
        "September 2026",
    ] {
        assert!(public.body.contains(needle), "{needle}");
    }
    let seen = visible(&public.body);
    for hidden in [" KS ", "BMc", "SEND Board", "Test caseworker", "on_track", "dfe-ehcp"] {
        assert!(!seen.contains(hidden), "the published page never shows {hidden}");
    }
    assert_eq!(app.get("/send-strategy/886", None).await.status, StatusCode::NOT_FOUND, "another LA has not published");
    assert_eq!(app.get("/send-strategy/nonsense", None).await.status, StatusCode::NOT_FOUND);
    app.post_form("/strategy/publication", Some(&manager), &[("csrf", &manager.csrf), ("publish", "no")]).await;
    assert_eq!(app.get("/send-strategy/851", None).await.status, StatusCode::NOT_FOUND, "no longer published");
}

fn evidence_upload(csrf: &str, title: &str, filename: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    const B: &str = "waymark-strategy-boundary";
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf), ("document_title", title)] {
        body.extend_from_slice(format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    body.extend_from_slice(
        format!("--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{B}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={B}"), body)
}

/// The owner attaches a link and a document as evidence; the board sees and opens them but cannot
/// attach; a colleague who does not own the deliverable cannot; a bad address or file is named.
#[tokio::test]
async fn the_owner_attaches_links_and_documents_as_evidence_that_the_board_reads() {
    use axum::http::Method;
    let app = with_plan().await;
    let owner = app.sign_in("caseworker").await;
    let bad = app
        .post_form(
            "/strategy/deliverables/B6/links",
            Some(&owner),
            &[("csrf", &owner.csrf), ("link_title", ""), ("url", "javascript:alert(1)")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Enter what the link is") && bad.body.contains("Enter a web address starting https:"));
    let ok = app
        .post_form(
            "/strategy/deliverables/B6/links",
            Some(&owner),
            &[("csrf", &owner.csrf), ("link_title", "SEND Board minutes, March 2026"), ("url", "https://www.example.gov.uk/minutes")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let pdf = waymark_documents::Document::new("Timeliness review").paragraph(waymark_documents::Paragraph::plain("Review.")).to_pdf();
    let (ct, body) = evidence_upload(&owner.csrf, "Timeliness review", "review.pdf", b"not a pdf at all");
    let refused = app.request(Method::POST, "/strategy/deliverables/B6/documents", Some(&owner.cookie), Some((&ct, body)), &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("must be a PDF, Word document"), "the case documents' checks");
    let (ct, body) = evidence_upload(&owner.csrf, "Timeliness review", "review.pdf", &pdf);
    let up = app.request(Method::POST, "/strategy/deliverables/B6/documents", Some(&owner.cookie), Some((&ct, body)), &[]).await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    let board = app.sign_in("board").await;
    let page = app.get("/strategy/deliverables/B6", Some(&board)).await.body.replace("&#x2f;", "/");
    assert!(page.contains("SEND Board minutes, March 2026") && page.contains("href=\"https://www.example.gov.uk/minutes\""));
    assert!(page.contains("Timeliness review") && !page.contains("Attach the link"), "the board reads only");
    let href = page.split("href=\"/strategy/documents/").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
    let file = app.get(&format!("/strategy/documents/{href}"), Some(&board)).await;
    assert_eq!((file.status, file.bytes == pdf), (StatusCode::OK, true));
    assert_eq!(file.headers.get("content-type").unwrap(), "application/pdf");
    let parent = app.sign_in("parent").await;
    assert_eq!(app.get(&format!("/strategy/documents/{href}"), Some(&parent)).await.status, StatusCode::FORBIDDEN);
    let kent = app.sign_in("kentcaseworker").await;
    assert_eq!(app.get(&format!("/strategy/documents/{href}"), Some(&kent)).await.status, StatusCode::NOT_FOUND);
    let colleague = app.sign_in("caseworker2").await;
    let not_theirs = app
        .post_form(
            "/strategy/deliverables/B6/links",
            Some(&colleague),
            &[("csrf", &colleague.csrf), ("link_title", "x"), ("url", "https://a.example.org")],
        )
        .await;
    assert_eq!(not_theirs.status, StatusCode::FORBIDDEN, "owners attach to their own deliverables only");
    let board_try = app
        .post_form(
            "/strategy/deliverables/B6/links",
            Some(&board),
            &[("csrf", &board.csrf), ("link_title", "x"), ("url", "https://a.example.org")],
        )
        .await;
    assert_eq!(board_try.status, StatusCode::FORBIDDEN);
}

fn csv_upload(csrf: &str, plan: &str, filename: &str, text: &str) -> (String, Vec<u8>) {
    const B: &str = "waymark-import-boundary";
    let mut body = String::new();
    for (name, value) in [("csrf", csrf), ("plan", plan)] {
        body.push_str(&format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n{text}\r\n--{B}--\r\n"));
    (format!("multipart/form-data; boundary={B}"), body.into_bytes())
}

/// A SEND manager imports the plan from the web as the command line does: all or nothing, each problem
/// named by line and column in the error summary; the board may not.
#[tokio::test]
async fn a_plan_is_imported_from_the_web_all_or_nothing_with_line_errors() {
    use axum::http::Method;
    let app = with_plan().await;
    let manager = app.sign_in("manager").await;
    assert_eq!(app.get("/strategy/import", Some(&manager)).await.status, StatusCode::OK);
    let bad = "strand,ref,deliverable,due,owner,status,monitored_by,indicators\n\
               A,A1,Set up the group,Jun 26,JK,,,\n\
               A,A2,Second,Smarch 26,JK,,,\n\
               A,A3,Third,Jun 26,JK,sideways,,\n";
    let (ct, body) = csv_upload(&manager.csrf, "strategy", "plan.csv", bad);
    let refused = app.request(Method::POST, "/strategy/import", Some(&manager.cookie), Some((&ct, body)), &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("govuk-error-summary"));
    assert!(
        refused.body.contains("plan.csv: line 3, column due") && refused.body.contains("plan.csv: line 4, column status"),
        "{}",
        refused.body
    );
    assert!(app.get("/strategy", Some(&manager)).await.body.contains("Improved percentage of EHCPs"), "nothing was imported");
    let good = "strand,ref,deliverable,due,owner,status,monitored_by,indicators\n\
                Strand B: Successful implementation of the SEND Reforms,B6,Improved percentage of EHCPs completed within statutory timescales,Sep 26,KS,on track,SEND Board,\n\
                Strand C: Joint commissioning,C1,Joint commissioning strategy agreed,Mar 27,NS,,,\n";
    let (ct, body) = csv_upload(&manager.csrf, "strategy", "plan.csv", good);
    let done = app.request(Method::POST, "/strategy/import", Some(&manager.cookie), Some((&ct, body)), &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = app.get("/strategy", Some(&manager)).await.body;
    assert!(page.contains("Joint commissioning strategy agreed") && !page.contains("Families report satisfaction"));
    let b6 = app.get("/strategy/deliverables/B6", Some(&manager)).await.body;
    assert!(b6.contains("Test caseworker"), "the owner's account is kept through a new import");
    let board = app.sign_in("board").await;
    let (ct, body) = csv_upload(&board.csrf, "strategy", "plan.csv", good);
    assert_eq!(
        app.request(Method::POST, "/strategy/import", Some(&board.cookie), Some((&ct, body)), &[]).await.status,
        StatusCode::FORBIDDEN
    );
}

/// The action plan downloads as a written statement of action or a priority action plan: two templates
/// of the same actions, each with its own headings (issue 17, item 4).
#[tokio::test]
async fn the_action_plan_downloads_as_a_written_statement_of_action_distinct_from_a_priority_action_plan() {
    let app = with_plan().await;
    let cli = Actor::new("cli", Scope::All);
    let csv = "strand,ref,deliverable,due,owner,status,monitored_by,indicators\n\
               Waiting times for assessment,W1,Reduce waits for autism assessment,Dec 26,ICB lead,on track,SEND Improvement Board,\n";
    let strands = csv_format::parse("ap.csv", csv, &|_| true).unwrap();
    plans::record(&app.store, &cli, "851", PlanKind::ActionPlan, None, &Change::Imported { strands }).await.unwrap();
    let board = app.sign_in("board").await;
    let wsoa = app.get("/strategy/action-plan-document?template=wsoa&format=docx", Some(&board)).await;
    assert_eq!(wsoa.status, StatusCode::OK);
    let text = waymark_documents::readback::docx(&wsoa.bytes).unwrap().body_text();
    assert!(text.contains("Written statement of action") && text.contains("Area of significant weakness") && text.contains("Reduce waits"));
    let pap = app.get("/strategy/action-plan-document?template=priority&format=docx", Some(&board)).await;
    let text = waymark_documents::readback::docx(&pap.bytes).unwrap().body_text();
    assert!(text.contains("Priority action plan") && text.contains("Area for priority action") && !text.contains("significant weakness"));
    assert_eq!(app.get("/strategy/action-plan-document?template=odt&format=docx", Some(&board)).await.status, StatusCode::NOT_FOUND);
}
