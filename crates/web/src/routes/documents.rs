//! Documents on a case (issue 13): the case's documents page with its upload form, downloads, removal
//! with a reason, the plan as DOCX and PDF, and the JSON API (`POST /api/v1/cases/{id}/documents`,
//! `GET /api/v1/cases/{id}/documents`, `GET /api/v1/documents/{id}`).
//!
//! A case is reached through the user's selection first ([`super::cases::load_case`], a 404 for a case
//! that is not theirs); then each document through its kind ([`Access::sees_document`]). The type of an
//! upload is sniffed from its content ([`check_upload`]); its bytes are kept under the data directory by
//! SHA-256 and every download is audited by the store (ADR 0020).

use crate::access::Access;
use crate::error::{ApiError, AppError};
use crate::session::{ApiSigned, Signed};
use crate::templates::{page, render};
use crate::views::long_date;
use crate::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use uuid::Uuid;
use waymark_documents::files::{check_upload, safe_filename, DocumentKind, FileType, UploadError, MAX_UPLOAD_BYTES};
use waymark_documents::plan::{plan_document, PlanDetails, PlanStatus};
use waymark_documents::Document;
use waymark_domain::case::{CaseEventKind, Stage};
use waymark_domain::identifiers::SettingRef;
use waymark_domain::ids::CaseId;
use waymark_storage::{CaseRecord, DocumentRecord, DocumentStore, EstablishmentStore, NewDocument, UserStore};

/// The body limit of an upload request: the largest file and room for the form's other fields. A
/// larger request is cut off and refused as too large.
pub(crate) const UPLOAD_BODY_LIMIT: usize = MAX_UPLOAD_BYTES + 256 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/documents", get(documents_page).post(upload_form).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)))
        .route("/documents/{id}", get(download))
        .route("/documents/{id}/remove", get(remove_page).post(remove))
        .route("/cases/{id}/plan.docx", get(plan_docx))
        .route("/cases/{id}/plan.pdf", get(plan_pdf))
}

/// The API's routes, nested under `/api`.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/v1/cases/{id}/documents", get(api_list).post(api_upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)))
        .route("/v1/documents/{id}", get(api_download))
}

/// The kind of a stored document (an unknown code, which only a later version could write, reads as
/// "other").
fn kind_of(record: &DocumentRecord) -> DocumentKind {
    DocumentKind::parse(&record.kind).unwrap_or(DocumentKind::Other)
}

/// The documents of a case this user may see: removed ones only for LA staff (who keep the history).
async fn visible_documents(state: &AppState, access: &Access, case: CaseId) -> Result<Vec<DocumentRecord>, AppError> {
    let all = state.store.case_documents(&access.actor(), case).await?;
    let history = access.can(crate::access::Can::Casework);
    Ok(all.into_iter().filter(|d| access.sees_document(kind_of(d)) && (d.removed.is_none() || history)).collect())
}

fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// The API's view of a document: codes for machines.
fn document_json(d: &DocumentRecord) -> Value {
    json!({
        "document_id": d.document_id,
        "case_id": d.case_id,
        "kind": d.kind,
        "filename": d.filename,
        "media_type": d.media_type,
        "size": d.size,
        "sha256": d.sha256,
        "uploaded_by": d.uploaded_by,
        "uploaded_at": d.uploaded_at,
        "removed": d.removed.as_ref().map(|r| json!({"at": r.at, "reason": r.reason})),
    })
}

/// An upload as the form or the API sent it.
#[derive(Default)]
pub(crate) struct Upload {
    kind: Option<String>,
    pub(crate) csrf: Option<String>,
    /// What the document is, in words (a strategy deliverable's evidence asks for it).
    pub(crate) title: Option<String>,
    pub(crate) filename: Option<String>,
    pub(crate) bytes: Vec<u8>,
    pub(crate) too_large: bool,
    /// The body could not be read to the end: (field, message). What was read before is kept, so the
    /// form's token (which comes first) still counts.
    pub(crate) unreadable: Option<(String, String)>,
}

fn unreadable(e: &axum::extract::multipart::MultipartError) -> (String, String) {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ("file".to_string(), UploadError::TooLarge.to_string())
    } else {
        ("file".to_string(), format!("The upload could not be read: {}", e.body_text()))
    }
}

/// Reads the multipart fields `kind`, `file` (and `csrf` for the form), stopping once the file passes
/// the limit.
pub(crate) async fn read_upload(mut multipart: Multipart) -> Upload {
    let mut upload = Upload::default();
    if let Err(e) = read_fields(&mut multipart, &mut upload).await {
        upload.unreadable = Some(unreadable(&e));
    }
    upload
}

async fn read_fields(multipart: &mut Multipart, upload: &mut Upload) -> Result<(), axum::extract::multipart::MultipartError> {
    while let Some(mut field) = multipart.next_field().await? {
        match field.name().unwrap_or_default() {
            "kind" => upload.kind = Some(field.text().await?),
            "csrf" => upload.csrf = Some(field.text().await?),
            "document_title" => upload.title = Some(field.text().await?),
            "file" => {
                upload.filename = field.file_name().map(str::to_owned);
                while let Some(chunk) = field.chunk().await? {
                    if upload.bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                        upload.too_large = true;
                        return Ok(());
                    }
                    upload.bytes.extend_from_slice(&chunk);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Checks an upload and stores it: `Err((field, message))` names the field and what is wrong.
async fn store_upload(state: &AppState, access: &Access, case: CaseId, upload: Upload) -> Result<DocumentRecord, (String, String)> {
    let kind_code = upload.kind.unwrap_or_default();
    let kind = match DocumentKind::parse(kind_code.trim()) {
        Some(k) if access.upload_kinds().contains(&k) => k,
        Some(_) => return Err(("kind".into(), "You cannot add this kind of document: choose one of the kinds listed".into())),
        None if kind_code.trim().is_empty() => return Err(("kind".into(), "Select what kind of document this is".into())),
        None => return Err(("kind".into(), format!("\"{}\" is not a kind of document Waymark keeps", kind_code.trim()))),
    };
    if upload.too_large {
        return Err(("file".into(), UploadError::TooLarge.to_string()));
    }
    if let Some(error) = upload.unreadable {
        return Err(error);
    }
    if upload.filename.is_none() && upload.bytes.is_empty() {
        return Err(("file".into(), "Select a file".into()));
    }
    let file_type = check_upload(&upload.bytes).map_err(|e| ("file".to_string(), e.to_string()))?;
    let filename = safe_filename(upload.filename.as_deref().unwrap_or_default(), file_type);
    let new =
        NewDocument { case, kind: kind.code(), filename, media_type: file_type.media_type().to_owned(), uploaded_by: Some(access.user.id) };
    state.store.add_document(&access.actor(), new, &upload.bytes).await.map_err(|e| {
        tracing::warn!(error = %e, "a document could not be stored");
        ("file".to_string(), crate::messages::store_error(&e).unwrap_or_else(|| "The document could not be saved. Try again.".into()))
    })
}

/// What a list page's confirmation says was just done (`?added=...` or `?removed=...` after a
/// post-redirect-get): the documents page and the sign-in groups page.
#[derive(serde::Deserialize)]
pub(super) struct Done {
    #[serde(default)]
    pub(super) added: Option<String>,
    #[serde(default)]
    pub(super) removed: Option<String>,
}

async fn documents_page(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Html<String>, AppError> {
    let id = super::cases::parse_case_id(&id)?;
    let record = super::cases::load_case(&state, &signed.access, id).await?;
    let done = (done.added.is_some(), done.removed.is_some());
    render_documents_page(&state, &signed, &record, &[], None, done).await
}

async fn render_documents_page(
    state: &AppState,
    signed: &Signed,
    record: &CaseRecord,
    errors: &[(String, String)],
    kind: Option<&str>,
    (added, removed): (bool, bool),
) -> Result<Html<String>, AppError> {
    let case = record.snapshot.summary.case_id;
    let docs = visible_documents(state, &signed.access, case).await?;
    let people = state.store.list_users(&signed.access.actor()).await.unwrap_or_default();
    let rows: Vec<Value> = docs
        .iter()
        .map(|d| {
            let by = crate::views::recorded_by(&d.uploaded_by_label, &people);
            let file_type = FileType::from_media_type(&d.media_type).map_or("File", FileType::label);
            json!({
                "id": d.document_id,
                "kind": kind_of(d).label(),
                "filename": d.filename,
                "type": file_type,
                "size": size_label(d.size),
                "by": by,
                "when": long_date(d.uploaded_at.date_naive()),
                "removed": d.removed.as_ref().map(|r| json!({"when": long_date(r.at.date_naive()), "reason": r.reason})),
            })
        })
        .collect();
    let kinds: Vec<Value> = signed.access.upload_kinds().iter().map(|k| json!({"value": k.code(), "text": k.label()})).collect();
    let errors_json: Vec<Value> = errors.iter().map(|(f, m)| json!({"href": f, "text": m})).collect();
    let error_map: serde_json::Map<String, Value> = errors.iter().map(|(f, m)| (f.clone(), json!(m))).collect();
    let s = &record.snapshot;
    let child_name = format!("{} {}", s.child.name.forename(), s.child.name.surname());
    let plan = s.case.plan().is_some() && plan_readable(&signed.access);
    let back = if signed.access.can(crate::access::Can::OwnJourney) { format!("/my-journey/{case}") } else { format!("/cases/{case}") };
    let data = json!({
        "case_id": case,
        "child_name": child_name,
        "documents": rows,
        "kinds": kinds,
        "kind": kind.unwrap_or_default(),
        "errors": errors_json,
        "error_map": error_map,
        "can_remove": signed.access.can(crate::access::Can::Casework),
        "plan": plan,
        "back": back,
        "added": added,
        "removed_done": removed,
    });
    let title = if errors.is_empty() { format!("Documents: {child_name}") } else { format!("Error: Documents: {child_name}") };
    Ok(Html(render("case_documents.html", &page(signed, &title, "/caseload", data))?))
}

async fn upload_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let id = super::cases::parse_case_id(&id)?;
    let upload = read_upload(multipart).await;
    signed.check_csrf(upload.csrf.as_deref())?;
    let record = super::cases::load_case(&state, &signed.access, id).await?;
    if signed.access.upload_kinds().is_empty() {
        return Err(AppError::Forbidden);
    }
    let kind = upload.kind.clone();
    let result = store_upload(&state, &signed.access, id, upload).await.map_err(|e| (e, kind));
    match result {
        Ok(_) => Ok(super::cases::see_other(&format!("/cases/{id}/documents?added=1"))),
        Err((error, kind)) => {
            let page = render_documents_page(&state, &signed, &record, &[error], kind.as_deref(), (false, false)).await?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
    }
}

/// The response carrying a document's bytes: its sniffed type, as an attachment under its kept name.
fn file_response(record: &DocumentRecord, bytes: Vec<u8>) -> Response {
    let name = record.filename.replace(['"', '\\'], "");
    (
        [
            (header::CONTENT_TYPE, record.media_type.clone()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// A document this user may download: its case through the selection, its kind through the role,
/// removed documents for LA staff only. Anything else is missing.
async fn readable(state: &AppState, access: &Access, id: &str) -> Result<Uuid, AppError> {
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let record = state.store.document(&access.actor(), id).await?;
    super::cases::load_case(state, access, record.case_id).await?;
    let history = access.can(crate::access::Can::Casework);
    if !access.sees_document(kind_of(&record)) || (record.removed.is_some() && !history) {
        return Err(AppError::NotFound);
    }
    Ok(id)
}

async fn download(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = readable(&state, &signed.access, &id).await?;
    let (record, bytes) = state.store.read_document(&signed.access.actor(), id).await?;
    Ok(file_response(&record, bytes))
}

async fn remove_page(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Html<String>, AppError> {
    signed.access.require(crate::access::Can::Casework)?;
    let id = readable(&state, &signed.access, &id).await?;
    let record = state.store.document(&signed.access.actor(), id).await?;
    render_remove(&signed, &record, None)
}

fn render_remove(signed: &Signed, record: &DocumentRecord, error: Option<&str>) -> Result<Html<String>, AppError> {
    let data = json!({
        "document_id": record.document_id,
        "case_id": record.case_id,
        "filename": record.filename,
        "kind": kind_of(record).label(),
        "error": error,
        "errors": error.map(|e| vec![json!({"href": "reason", "text": e})]).unwrap_or_default(),
    });
    let title = if error.is_some() { "Error: Remove a document" } else { "Remove a document" };
    Ok(Html(render("document_remove.html", &page(signed, title, "/caseload", data))?))
}

async fn remove(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let form = crate::forms::FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(crate::access::Can::Casework)?;
    let id = readable(&state, &signed.access, &id).await?;
    let record = state.store.document(&signed.access.actor(), id).await?;
    let reason = form.get("reason");
    if reason.trim().is_empty() {
        let page = render_remove(&signed, &record, Some("Enter why the document is being removed"))?;
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }
    if reason.chars().count() > 500 {
        let page = render_remove(&signed, &record, Some("The reason must be 500 characters or fewer"))?;
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }
    state.store.remove_document(&signed.access.actor(), id, reason.trim()).await?;
    Ok(super::cases::see_other(&format!("/cases/{}/documents?removed=1", record.case_id)))
}

// ---- The plan as a document ----

/// Whether this role reads the whole plan (a document of part of a plan would mislead): LA staff,
/// the SENCO and the family.
fn plan_readable(access: &Access) -> bool {
    access.plan_sections().len() == waymark_domain::plan::Section::ALL.len()
}

/// The plan of a case as a document: the draft while the draft is out, else the final plan as last
/// issued. A case with no plan, or a role that reads only part of it, gets nothing.
async fn plan_for(state: &AppState, access: &Access, id: &str) -> Result<(Document, String), AppError> {
    let id = super::cases::parse_case_id(id)?;
    let record = super::cases::load_case(state, access, id).await?;
    if !plan_readable(access) {
        return Err(AppError::Forbidden);
    }
    let s = &record.snapshot;
    let plan = s.case.plan().ok_or(AppError::NotFound)?;
    let status = match s.case.stage() {
        Stage::DraftIssued { issued } => PlanStatus::Draft { issued: *issued },
        _ => {
            let issued = record
                .events
                .iter()
                .rev()
                .find(|e| {
                    matches!(
                        e.event.kind,
                        CaseEventKind::FinalIssued { .. } | CaseEventKind::AmendedFinalIssued { .. } | CaseEventKind::ExistingPlan { .. }
                    )
                })
                .map(|e| e.event.date)
                .ok_or(AppError::NotFound)?;
            PlanStatus::Final { issued }
        }
    };
    let urns: Vec<String> = plan
        .named_settings
        .iter()
        .filter_map(|n| match &n.setting {
            SettingRef::Urn(u) => Some(u.to_string()),
            _ => None,
        })
        .collect();
    let names = state.store.establishment_names(&urns).await.unwrap_or_default();
    let setting_names = plan
        .named_settings
        .iter()
        .map(|n| match &n.setting {
            SettingRef::Urn(u) => match names.get(&u.to_string()) {
                Some(name) => format!("{name} (URN {u})"),
                None => format!("School or college with URN {u}"),
            },
            SettingRef::Ukprn(u) => format!("College with UKPRN {u}"),
            SettingRef::Code(c) => setting_code_words(*c).to_owned(),
        })
        .collect();
    let reference = waymark_domain::search::case_reference(id);
    let details = PlanDetails {
        reference: reference.clone(),
        child_name: format!("{} {}", s.child.name.forename(), s.child.name.surname()),
        date_of_birth: s.child.date_of_birth,
        authority: s.summary.la.name().map_or_else(|| s.summary.la.label(), str::to_owned),
        status,
        plan,
        setting_names,
    };
    let stem = match status {
        PlanStatus::Draft { .. } => format!("draft-plan-{reference}"),
        PlanStatus::Final { .. } => format!("plan-{reference}"),
    };
    Ok((plan_document(&details), stem))
}

async fn plan_docx(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    let (doc, stem) = plan_for(&state, &signed.access, &id).await?;
    let bytes = doc.to_docx().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(generated(bytes, FileType::Docx, &stem))
}

async fn plan_pdf(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    let (doc, stem) = plan_for(&state, &signed.access, &id).await?;
    Ok(generated(doc.to_pdf(), FileType::Pdf, &stem))
}

/// What a plan names when it names no school or college by number (SEN2 4.7c), in words.
fn setting_code_words(code: waymark_domain::identifiers::SettingCode) -> &'static str {
    use waymark_domain::identifiers::SettingCode as C;
    match code {
        C::Ola => "Education otherwise than in a school, arranged by the local authority",
        C::Opa => "Education arranged by the parent or young person",
        C::Ehe => "Elective home education",
        C::Eyp => "An early years provider",
        C::Oth => "A type of school or college",
        C::Neet | C::Niec | C::Nieo => "Not in education or training",
    }
}

/// A generated document as a download.
pub fn generated(bytes: Vec<u8>, file_type: FileType, stem: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, file_type.media_type().to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.{}\"", file_type.extension())),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

// ---- The API ----

async fn api_list(State(state): State<AppState>, ApiSigned(s): ApiSigned, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = super::cases::parse_case_id(&id)?;
    super::cases::load_case(&state, &s.access, id).await?;
    let docs = visible_documents(&state, &s.access, id).await?;
    Ok(Json(json!({"case_id": id, "documents": docs.iter().map(document_json).collect::<Vec<_>>()})))
}

async fn api_upload(
    State(state): State<AppState>,
    ApiSigned(s): ApiSigned,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = super::cases::parse_case_id(&id)?;
    super::cases::load_case(&state, &s.access, id).await?;
    if s.access.upload_kinds().is_empty() {
        return Err(ApiError::forbidden());
    }
    let refuse = |(field, message): (String, String)| {
        let status =
            if message == UploadError::TooLarge.to_string() { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::UNPROCESSABLE_ENTITY };
        ApiError::field(status, "invalid_upload", &field, message)
    };
    let upload = read_upload(multipart).await;
    let record = store_upload(&state, &s.access, id, upload).await.map_err(refuse)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "document_id": record.document_id,
            "sha256": record.sha256,
            "size": record.size,
            "kind": record.kind,
            "filename": record.filename,
        })),
    ))
}

async fn api_download(State(state): State<AppState>, ApiSigned(s): ApiSigned, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = readable(&state, &s.access, &id).await?;
    let (record, bytes) = state.store.read_document(&s.access.actor(), id).await?;
    Ok(file_response(&record, bytes))
}
