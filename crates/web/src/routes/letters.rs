//! Statutory letters (issue 13): a case's letters (`/cases/{id}/letters`), each as DOCX or PDF
//! (`/cases/{id}/letters/{kind}.docx`, `.pdf`), and the administrator's templates (`/admin/letters`:
//! the list, each letter's editor with its history and a preview).
//!
//! The words come from `waymark-letters` (the template, its placeholders, the date the letter reports)
//! and the layout from `waymark-documents`; this module reads the case and the template and files
//! the result. LA staff produce a letter: it is filed on the case as a document of kind "letter"
//! (audited by the document store; the same bytes are filed once). Everyone else who reads letters
//! (the family) downloads the letter as it was filed, through the document store's audited read, so
//! a family always gets what the council issued.

use crate::access::{Access, Can};
use crate::error::AppError;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::views::long_date;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use waymark_documents::files::{DocumentKind, FileType};
use waymark_documents::{Block, Document, Paragraph};
use waymark_domain::calendar::Date;
use waymark_domain::identifiers::LaCode;
use waymark_letters::{LetterFacts, LetterKind, Placeholder, Template, TemplateError};
use waymark_storage::{CaseRecord, DocumentStore, LetterTemplateStore, NewDocument, StoreError, UserStore};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/letters", get(case_letters))
        .route("/cases/{id}/letters/{file}", get(letter_file))
        .route("/admin/letters", get(admin_list))
        .route("/admin/letters/{kind}", get(edit_page).post(edit_submit))
}

/// The template in use for a letter in an LA: the newest saved version (with its number), else the
/// shipped one (version 0).
async fn current_template(state: &AppState, access: &Access, la: LaCode, kind: LetterKind) -> Result<(String, i64), AppError> {
    let history = state.store.letter_template_history(&access.actor(), la, kind.code()).await?;
    Ok(history.into_iter().next().map_or_else(|| (kind.default_template().to_owned(), 0), |v| (v.body, v.version)))
}

fn facts_for(record: &CaseRecord, decision_date: Date, letter_date: Date) -> LetterFacts {
    let s = &record.snapshot;
    LetterFacts {
        child_forename: s.child.name.forename().to_owned(),
        child_surname: s.child.name.surname().to_owned(),
        date_of_birth: s.child.date_of_birth,
        reference: waymark_domain::search::case_reference(s.summary.case_id),
        authority: s.summary.la.name().map_or_else(|| s.summary.la.label(), str::to_owned),
        decision_date,
        letter_date,
    }
}

fn events(record: &CaseRecord) -> Vec<waymark_domain::case::CaseEvent> {
    record.events.iter().map(|e| e.event.clone()).collect()
}

// ---- A case's letters ----

async fn case_letters(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Html<String>, AppError> {
    signed.access.require(Can::Casework)?;
    let id = super::cases::parse_case_id(&id)?;
    let record = super::cases::load_case(&state, &signed.access, id).await?;
    let events = events(&record);
    let letters: Vec<Value> = LetterKind::ALL
        .iter()
        .map(|kind| {
            json!({
                "code": kind.code(),
                "name": kind.label(),
                "date": kind.decision_date(&events).map(long_date),
            })
        })
        .collect();
    let s = &record.snapshot;
    let child_name = format!("{} {}", s.child.name.forename(), s.child.name.surname());
    let data = json!({"case_id": id, "child_name": child_name, "letters": letters});
    Ok(Html(render("case_letters.html", &page(&signed, &format!("Letters: {child_name}"), "/caseload", data))?))
}

/// `{kind}.docx` or `{kind}.pdf`.
fn parse_file(file: &str) -> Option<(LetterKind, FileType)> {
    let (stem, extension) = file.rsplit_once('.')?;
    let file_type = match extension {
        "docx" => FileType::Docx,
        "pdf" => FileType::Pdf,
        _ => return None,
    };
    Some((LetterKind::parse(stem)?, file_type))
}

async fn letter_file(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = super::cases::parse_case_id(&id)?;
    let (kind, file_type) = parse_file(&file).ok_or(AppError::NotFound)?;
    let record = super::cases::load_case(&state, &signed.access, id).await?;
    let access = &signed.access;
    if !access.sees_document(DocumentKind::Letter) {
        return Err(AppError::NotFound);
    }
    let reference = waymark_domain::search::case_reference(id);
    let filename = format!("{}-{reference}.{}", kind.code().replace('_', "-"), file_type.extension());
    if !access.can(Can::Casework) {
        return filed_letter(&state, access, id, &filename).await;
    }
    let decision = kind.decision_date(&events(&record)).ok_or_else(|| {
        AppError::BadRequest(format!("This case has no decision for the letter \"{}\" yet: record the decision first.", kind.label()))
    })?;
    let la = record.snapshot.summary.la;
    let (text, version) = current_template(&state, access, la, kind).await?;
    let template = Template::parse(kind, &text).map_err(|errors| {
        AppError::Internal(format!("the saved template {} version {version} no longer parses: {} problems", kind.code(), errors.len()))
    })?;
    let doc = template.fill(&facts_for(&record, decision, state.clock.now().date_naive()));
    let bytes = match file_type {
        FileType::Docx => doc.to_docx().map_err(|e| AppError::Internal(e.to_string()))?,
        _ => doc.to_pdf(),
    };
    file_on_case(&state, access, id, &filename, file_type, &bytes).await?;
    Ok(super::documents::generated(bytes, file_type, filename.trim_end_matches(&format!(".{}", file_type.extension()))))
}

/// Files a produced letter on the case as a document of kind "letter", unless the same bytes are
/// already filed there (so downloading a letter twice files it once).
async fn file_on_case(
    state: &AppState,
    access: &Access,
    case: waymark_domain::ids::CaseId,
    filename: &str,
    file_type: FileType,
    bytes: &[u8],
) -> Result<(), AppError> {
    use sha2::Digest;
    let sha256: String = sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    let filed = state.store.case_documents(&access.actor(), case).await?;
    if filed.iter().any(|d| d.removed.is_none() && d.kind == DocumentKind::Letter.code() && d.sha256 == sha256) {
        return Ok(());
    }
    let new = NewDocument {
        case,
        kind: DocumentKind::Letter.code().to_owned(),
        filename: filename.to_owned(),
        media_type: file_type.media_type().to_owned(),
        uploaded_by: Some(access.user.id),
    };
    state.store.add_document(&access.actor(), new, bytes).await?;
    Ok(())
}

/// The newest filed (not removed) letter of this name on the case, as the family downloads it.
async fn filed_letter(state: &AppState, access: &Access, case: waymark_domain::ids::CaseId, filename: &str) -> Result<Response, AppError> {
    let filed = state.store.case_documents(&access.actor(), case).await?;
    let latest = filed
        .iter()
        .rev()
        .find(|d| d.removed.is_none() && d.kind == DocumentKind::Letter.code() && d.filename == filename)
        .ok_or(AppError::NotFound)?;
    let (record, bytes) = state.store.read_document(&access.actor(), latest.document_id).await?;
    let file_type = FileType::from_media_type(&record.media_type).unwrap_or(FileType::Pdf);
    Ok(super::documents::generated(bytes, file_type, record.filename.trim_end_matches(&format!(".{}", file_type.extension()))))
}

// ---- The administrator's templates ----

/// The LA whose templates an administrator edits: their own, or, for an administrator of every LA (no
/// LA on their account), the one they chose (`la`, a 3-digit code); `None` until they choose.
fn admin_la(access: &Access, chosen: Option<&str>) -> Result<Option<LaCode>, AppError> {
    access.require(Can::EditLetters)?;
    if let Some(own) = access.user.la {
        return Ok(Some(own));
    }
    match chosen.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(code) => code
            .parse::<LaCode>()
            .map(Some)
            .map_err(|_| AppError::BadRequest(format!("\"{code}\" is not a local authority's 3-digit code: choose one from the list."))),
    }
}

/// The query string that keeps an administrator of every LA on the LA they chose.
fn la_query(access: &Access, la: LaCode) -> String {
    if access.user.la.is_some() {
        String::new()
    } else {
        format!("la={la}")
    }
}

#[derive(serde::Deserialize)]
struct ListQuery {
    #[serde(default)]
    la: Option<String>,
}

async fn admin_list(State(state): State<AppState>, signed: Signed, Query(query): Query<ListQuery>) -> Result<Html<String>, AppError> {
    let Some(la) = admin_la(&signed.access, query.la.as_deref())? else {
        let data = json!({"choose_la": true, "las": crate::routes::sen2::la_options(), "letters": []});
        return Ok(Html(render("admin_letters.html", &page(&signed, "Letter templates", "/admin", data))?));
    };
    let saved = state.store.letter_templates(&signed.access.actor(), la).await?;
    let people = state.store.list_users(&signed.access.actor()).await.unwrap_or_default();
    let letters: Vec<Value> = LetterKind::ALL
        .iter()
        .map(|kind| {
            let current = saved.iter().find(|v| v.kind == kind.code());
            json!({
                "code": kind.code(),
                "name": kind.label(),
                "fulfils": kind.fulfils(),
                "status": current.map_or_else(
                    || "As shipped with Waymark".to_owned(),
                    |v| format!("Version {}, saved {} by {}", v.version, long_date(v.saved_at.date_naive()), crate::views::recorded_by(&v.saved_by, &people)),
                ),
            })
        })
        .collect();
    let data = json!({"letters": letters, "la_label": la.label(), "la_query": la_query(&signed.access, la), "choose_la": false});
    Ok(Html(render("admin_letters.html", &page(&signed, "Letter templates", "/admin", data))?))
}

#[derive(serde::Deserialize)]
struct EditQuery {
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    la: Option<String>,
}

/// The letter as the preview shows it, filled with an example case.
fn preview_facts(today: Date) -> LetterFacts {
    LetterFacts {
        child_forename: "Sam".into(),
        child_surname: "Example".into(),
        date_of_birth: Date::from_ymd_opt(2015, 5, 1).unwrap_or(today),
        reference: "EHC-0000EXAM".into(),
        authority: "Your council".into(),
        decision_date: today,
        letter_date: today,
    }
}

/// A document's blocks for the page: headings, paragraphs of runs, lists and notices.
fn blocks_json(doc: &Document) -> Vec<Value> {
    let runs = |p: &Paragraph| p.runs.iter().map(|r| json!({"text": r.text, "bold": r.bold})).collect::<Vec<_>>();
    doc.blocks
        .iter()
        .filter_map(|block| match block {
            Block::Heading(level, text) => {
                Some(json!({"type": if matches!(level, waymark_documents::Level::One) { "h1" } else { "h2" }, "text": text}))
            }
            Block::Paragraph(p) => Some(json!({"type": "p", "runs": runs(p)})),
            Block::Notice(p) => Some(json!({"type": "notice", "runs": runs(p)})),
            Block::List(items) => Some(json!({"type": "list", "items": items.iter().map(runs).collect::<Vec<_>>()})),
            Block::Table(_) => None,
        })
        .collect()
}

struct EditView<'a> {
    kind: LetterKind,
    body: &'a str,
    based_on: i64,
    errors: &'a [TemplateError],
    preview: Option<Document>,
    saved: bool,
    conflict: bool,
}

async fn render_edit(state: &AppState, signed: &Signed, la: LaCode, view: EditView<'_>) -> Result<Html<String>, AppError> {
    let history = state.store.letter_template_history(&signed.access.actor(), la, view.kind.code()).await?;
    let people = state.store.list_users(&signed.access.actor()).await.unwrap_or_default();
    let history: Vec<Value> = history
        .iter()
        .map(|v| {
            json!({
                "version": v.version,
                "by": crate::views::recorded_by(&v.saved_by, &people),
                "when": format!("{} at {}", long_date(v.saved_at.date_naive()), v.saved_at.format("%H:%M")),
            })
        })
        .collect();
    let placeholders: Vec<Value> = view
        .kind
        .placeholders()
        .iter()
        .map(|p: &Placeholder| json!({"name": format!("{{{{{}}}}}", p.name()), "describe": p.describe()}))
        .collect();
    let mut messages: Vec<String> = view.errors.iter().map(ToString::to_string).collect();
    if view.conflict {
        messages.push("Someone else saved this letter while you were editing it, so yours has not been saved. Their version is in the history below: check it, then save yours again if it still applies.".into());
    }
    let errors: Vec<Value> = messages.iter().map(|m| json!({"href": "body", "text": m})).collect();
    let data = json!({
        "code": view.kind.code(),
        "name": view.kind.label(),
        "fulfils": view.kind.fulfils(),
        "body": view.body,
        "based_on": view.based_on,
        "errors": errors,
        "error": messages.join(". "),
        "placeholders": placeholders,
        "history": history,
        "preview": view.preview.as_ref().map(blocks_json),
        "saved": view.saved,
        "la_label": la.label(),
        "la_query": la_query(&signed.access, la),
        "la": la.to_string(),
    });
    let title =
        if messages.is_empty() { format!("Letter: {}", view.kind.label()) } else { format!("Error: Letter: {}", view.kind.label()) };
    Ok(Html(render("admin_letter.html", &page(signed, &title, "/admin", data))?))
}

fn choose_first() -> AppError {
    AppError::BadRequest("Choose the local authority whose letters you are editing first, from the letter templates page.".into())
}

fn parse_kind(code: &str) -> Result<LetterKind, AppError> {
    LetterKind::parse(code).ok_or(AppError::NotFound)
}

async fn edit_page(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    Query(query): Query<EditQuery>,
) -> Result<Html<String>, AppError> {
    let la = admin_la(&signed.access, query.la.as_deref())?.ok_or_else(choose_first)?;
    let kind = parse_kind(&code)?;
    let (current, version) = current_template(&state, &signed.access, la, kind).await?;
    // An earlier version (or the shipped one, version 0) can be loaded into the editor to restore it.
    let body = match query.version {
        Some(0) => kind.default_template().to_owned(),
        Some(n) if n != version => state
            .store
            .letter_template_history(&signed.access.actor(), la, kind.code())
            .await?
            .into_iter()
            .find(|v| v.version == n)
            .map(|v| v.body)
            .ok_or(AppError::NotFound)?,
        _ => current,
    };
    let view = EditView { kind, body: &body, based_on: version, errors: &[], preview: None, saved: query.saved.is_some(), conflict: false };
    render_edit(&state, &signed, la, view).await
}

async fn edit_submit(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let form = crate::forms::FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let la = admin_la(&signed.access, Some(&form.get("la")))?.ok_or_else(choose_first)?;
    let kind = parse_kind(&code)?;
    // Browsers send new lines as CR LF; keep the text as people typed it, with plain new lines.
    let text = form.get("body").replace("\r\n", "\n");
    let based_on: i64 = form.get("based_on").trim().parse().unwrap_or(-1);
    let preview = form.get("action") == "preview";
    let template = match Template::parse(kind, &text) {
        Ok(t) => t,
        Err(errors) => {
            let view = EditView { kind, body: &text, based_on, errors: &errors, preview: None, saved: false, conflict: false };
            return Ok((StatusCode::BAD_REQUEST, render_edit(&state, &signed, la, view).await?).into_response());
        }
    };
    if preview {
        let doc = template.fill(&preview_facts(state.clock.now().date_naive()));
        let view = EditView { kind, body: &text, based_on, errors: &[], preview: Some(doc), saved: false, conflict: false };
        return Ok(render_edit(&state, &signed, la, view).await?.into_response());
    }
    match state.store.save_letter_template(&signed.access.actor(), la, kind.code(), &text, based_on).await {
        Ok(_) => {
            let more = la_query(&signed.access, la);
            let more = if more.is_empty() { more } else { format!("&{more}") };
            Ok(super::cases::see_other(&format!("/admin/letters/{}?saved=1{more}", kind.code())))
        }
        Err(StoreError::Conflict { current, .. }) => {
            // The form now starts from the newest version, so a second save (after checking) goes in.
            let view = EditView { kind, body: &text, based_on: current, errors: &[], preview: None, saved: false, conflict: true };
            Ok((StatusCode::CONFLICT, render_edit(&state, &signed, la, view).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
