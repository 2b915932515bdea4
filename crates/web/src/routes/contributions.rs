//! Contributions from outside the council (issue 13 items 5 and 6), each recorded as a case event the
//! statutory clock reads, with its text and any upload, in one transaction
//! ([`waymark_storage::ContributionStore`]):
//!
//! - `/my-journey/{id}/views`: a parent or young person sends their views, the "all about me" questions
//!   of section A (Code of Practice 9.69), with a document if they like (SEND Regs 2014 reg 6(1)(a)).
//! - `/my-journey/{id}/school`: they ask for a school or college to be named (CFA 2014 s38(2)(b)),
//!   found by name.
//! - `/my-journey/{id}/comments`: they comment on the draft plan or proposed amendments within their 15
//!   days (reg 13(1), reg 22(2)(c)); later comments are taken, marked late.
//! - `/advice/{id}/give`: a professional gives their service's advice as a structured form (needs,
//!   outcomes, provision: reg 6, reg 8, Code 9.46-9.52) with their report: the advice-received event
//!   and a document of their service's advice kind.
//! - `/cases/{id}/contributions`: what has been sent, for everyone who may see the case.
//!
//! A family reaches only their own children's cases, a professional only the cases their selection
//! holds (a 404 otherwise); each write is audited in its transaction, each read in the read-audit DB.

use crate::access::{Access, Can};
use crate::error::AppError;
use crate::forms::{Errors, FormData};
use crate::session::Signed;
use crate::templates::{page, render};
use crate::views::long_date;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use waymark_contributions::advice::{AdviceForm, SECTIONS};
use waymark_contributions::family::{DraftComments, FamilyViews, SettingRequest, QUESTIONS};
use waymark_contributions::{Contribution, FieldError};
use waymark_documents::files::{check_upload, safe_filename, DocumentKind, UploadError, MAX_UPLOAD_BYTES};
use waymark_domain::case::{CaseEvent, Stage};
use waymark_domain::identifiers::SettingRef;
use waymark_storage::{CaseRecord, ContributionStore, EstablishmentStore, NewContribution, NewDocument, Role, StoreError};

/// An upload and the form's other fields.
const UPLOAD_BODY_LIMIT: usize = MAX_UPLOAD_BYTES + 512 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/my-journey/{id}/views", get(views_form).post(views_submit).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)))
        .route("/my-journey/{id}/school", get(school_form).post(school_submit))
        .route("/my-journey/{id}/comments", get(comments_form).post(comments_submit))
        .route("/advice/{id}/give", get(advice_form).post(advice_submit).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)))
        .route("/cases/{id}/contributions", get(list))
}

/// A multipart form: its text fields and at most one file (`file`).
#[derive(Default)]
struct Posted {
    fields: BTreeMap<String, String>,
    filename: Option<String>,
    bytes: Vec<u8>,
    too_large: bool,
    unreadable: Option<String>,
}

impl Posted {
    fn get(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
    fn has_file(&self) -> bool {
        !self.bytes.is_empty() || self.too_large || self.unreadable.is_some()
    }
}

async fn read_posted(mut multipart: Multipart) -> Posted {
    let mut posted = Posted::default();
    let result: Result<(), axum::extract::multipart::MultipartError> = async {
        while let Some(mut field) = multipart.next_field().await? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                posted.filename = field.file_name().map(str::to_owned).filter(|n| !n.is_empty());
                while let Some(chunk) = field.chunk().await? {
                    if posted.bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                        posted.too_large = true;
                        posted.bytes.clear();
                        return Ok(());
                    }
                    posted.bytes.extend_from_slice(&chunk);
                }
            } else {
                let text = field.text().await?;
                posted.fields.insert(name, text);
            }
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        posted.unreadable = Some(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooLarge.to_string()
        } else {
            format!("The upload could not be read: {}", e.body_text())
        });
    }
    posted
}

/// The uploaded file as a document of `kind`, checked by its content; `Ok(None)` when none was chosen.
fn document_of(
    posted: &Posted,
    case: waymark_domain::ids::CaseId,
    kind: DocumentKind,
    access: &Access,
) -> Result<Option<(NewDocument, Vec<u8>)>, FieldError> {
    if posted.too_large {
        return Err(FieldError::new("file", UploadError::TooLarge.to_string()));
    }
    if let Some(message) = &posted.unreadable {
        return Err(FieldError::new("file", message.clone()));
    }
    if posted.bytes.is_empty() {
        return Ok(None);
    }
    let file_type = check_upload(&posted.bytes).map_err(|e| FieldError::new("file", e.to_string()))?;
    let filename = safe_filename(posted.filename.as_deref().unwrap_or_default(), file_type);
    let new =
        NewDocument { case, kind: kind.code(), filename, media_type: file_type.media_type().to_owned(), uploaded_by: Some(access.user.id) };
    Ok(Some((new, posted.bytes.clone())))
}

fn errors_of(list: &[FieldError]) -> Errors {
    let mut errors = Errors::default();
    for e in list {
        errors.add(&e.field, &e.field, e.message.clone());
    }
    errors
}

fn child_name(record: &CaseRecord) -> String {
    let c = &record.snapshot.child;
    format!("{} {}", c.name.forename(), c.name.surname())
}

/// A family member's own case (their selection holds only their own children: 404 otherwise).
async fn family_case(state: &AppState, signed: &Signed, id: &str) -> Result<CaseRecord, AppError> {
    signed.access.require(Can::OwnJourney)?;
    let id = super::cases::parse_case_id(id)?;
    super::cases::load_case(state, &signed.access, id).await
}

fn young_person(signed: &Signed) -> bool {
    signed.user().role == Role::YoungPerson
}

/// Record a contribution with today's date; a refusal by the lifecycle or a store error comes back as a
/// message for the form.
async fn submit(
    state: &AppState,
    signed: &Signed,
    record: &CaseRecord,
    contribution: &Contribution,
    document: Option<(NewDocument, Vec<u8>)>,
) -> Result<Result<(), String>, AppError> {
    let event = CaseEvent::new(state.clock.today(), contribution.event_kind());
    if !signed.access.may_record(&event.kind) {
        return Err(AppError::Forbidden);
    }
    let content = serde_json::to_string(contribution).map_err(|e| AppError::Internal(format!("contribution as JSON: {e}")))?;
    let new = NewContribution {
        case: record.snapshot.summary.case_id,
        kind: contribution.code(),
        content,
        event: event.clone(),
        submitted_by: Some(signed.user().id),
    };
    match state.store.record_contribution(&signed.access.actor(), new, document).await {
        Ok(_) => Ok(Ok(())),
        Err(StoreError::Transition(t)) => Ok(Err(crate::messages::refusal(&t, &[event]))),
        Err(e) => match crate::messages::store_error(&e) {
            Some(message) => Ok(Err(message)),
            None => Err(e.into()),
        },
    }
}

// ---- The family's views ----

#[derive(serde::Deserialize)]
struct Sent {
    #[serde(default)]
    sent: Option<String>,
}

fn render_views(
    signed: &Signed,
    record: &CaseRecord,
    values: &BTreeMap<String, String>,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let yp = young_person(signed);
    let questions: Vec<Value> = QUESTIONS
        .iter()
        .map(|q| {
            let name = format!("q-{}", q.key);
            json!({"name": name, "label": if yp { q.to_young_person } else { q.to_parent }, "hint": q.hint, "value": values.get(&name).cloned().unwrap_or_default()})
        })
        .collect();
    let case = record.snapshot.summary.case_id;
    let title = if errors.is_empty() { "Send your views".to_owned() } else { "Error: Send your views".to_owned() };
    let data = json!({
        "case_id": case, "child_name": child_name(record), "young_person": yp, "questions": questions,
        "errors": errors.0, "error_map": errors.map(),
    });
    Ok((status, Html(render("contribution_views.html", &page(signed, &title, "/my-journey", data))?)).into_response())
}

async fn views_form(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    let record = family_case(&state, &signed, &id).await?;
    render_views(&signed, &record, &BTreeMap::new(), &Errors::default(), StatusCode::OK)
}

async fn views_submit(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let posted = read_posted(multipart).await;
    signed.check_csrf(Some(&posted.get("csrf")))?;
    let record = family_case(&state, &signed, &id).await?;
    let case = record.snapshot.summary.case_id;
    let mut errors = Vec::new();
    let views = FamilyViews::read(|k| posted.get(k), posted.has_file(), young_person(&signed)).map_err(|e| errors.extend(e)).ok();
    let document = document_of(&posted, case, DocumentKind::FamilyViews, &signed.access).map_err(|e| errors.push(e)).ok().flatten();
    if let (Some(views), true) = (views, errors.is_empty()) {
        match submit(&state, &signed, &record, &Contribution::FamilyViews(views), document).await? {
            Ok(()) => return Ok(super::cases::see_other(&format!("/my-journey/{case}?sent=views"))),
            Err(message) => errors.push(FieldError::new(format!("q-{}", QUESTIONS[0].key), message)),
        }
    }
    render_views(&signed, &record, &posted.fields, &errors_of(&errors), StatusCode::UNPROCESSABLE_ENTITY)
}

// ---- A school or college ----

#[derive(serde::Deserialize, Default)]
struct Find {
    #[serde(default)]
    q: String,
}

/// The 15 days to comment and ask for a school or college, while a draft or proposed amendments are
/// with the family (reg 13(1), reg 22(2)(c)): the last day, and whether it has passed.
fn window(state: &AppState, record: &CaseRecord) -> Option<(String, bool)> {
    record.snapshot.case.comment_window().map(|ends| (long_date(ends), state.clock.today() > ends))
}

async fn render_school(
    state: &AppState,
    signed: &Signed,
    record: &CaseRecord,
    q: &str,
    form: &FormData,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let found = if q.trim().is_empty() { Vec::new() } else { state.store.find_establishments(q, 20).await? };
    let options: Vec<Value> = found
        .iter()
        .map(|e| json!({"value": e.urn.to_string(), "text": e.name, "hint": format!("{}, {}, {}", e.kind, e.postcode, e.la_name)}))
        .collect();
    let (ends, passed) = window(state, record).unzip();
    let title = if errors.is_empty() { "Ask for a school or college" } else { "Error: Ask for a school or college" };
    let data = json!({
        "case_id": record.snapshot.summary.case_id, "child_name": child_name(record), "young_person": young_person(signed),
        "q": q, "searched": !q.trim().is_empty(), "options": options, "setting": form.get("setting"), "reason": form.get("reason"),
        "open": ends.is_some(), "ends": ends, "passed": passed.unwrap_or(false),
        "requested": record.snapshot.case.requested_settings().len(),
        "errors": errors.0, "error_map": errors.map(),
    });
    Ok((status, Html(render("contribution_school.html", &page(signed, title, "/my-journey", data))?)).into_response())
}

async fn school_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(find): Query<Find>,
) -> Result<Response, AppError> {
    let record = family_case(&state, &signed, &id).await?;
    render_school(&state, &signed, &record, &find.q, &FormData::default(), &Errors::default(), StatusCode::OK).await
}

async fn school_submit(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let record = family_case(&state, &signed, &id).await?;
    let case = record.snapshot.summary.case_id;
    let chosen = form.get("setting");
    let names = state.store.establishment_names(std::slice::from_ref(&chosen)).await?;
    let name_of = |s: &SettingRef| match s {
        SettingRef::Urn(u) => names.get(&u.to_string()).cloned(),
        _ => None,
    };
    let errors = match SettingRequest::read(|k| form.get(k), name_of) {
        Ok(request) => match submit(&state, &signed, &record, &Contribution::SettingRequest(request), None).await? {
            Ok(()) => return Ok(super::cases::see_other(&format!("/my-journey/{case}?sent=school"))),
            Err(message) => vec![FieldError::new("setting", message)],
        },
        Err(errors) => errors,
    };
    render_school(&state, &signed, &record, &form.get("q"), &form, &errors_of(&errors), StatusCode::UNPROCESSABLE_ENTITY).await
}

// ---- Comments on the draft ----

fn render_comments(
    state: &AppState,
    signed: &Signed,
    record: &CaseRecord,
    form: &FormData,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (ends, passed) = window(state, record).unzip();
    let amendments = matches!(record.snapshot.case.stage(), Stage::PlanActive { .. });
    let title = if errors.is_empty() { "Comment on the draft plan" } else { "Error: Comment on the draft plan" };
    let data = json!({
        "case_id": record.snapshot.summary.case_id, "child_name": child_name(record), "young_person": young_person(signed),
        "open": ends.is_some(), "ends": ends, "passed": passed.unwrap_or(false), "amendments": amendments,
        "plan": record.snapshot.case.plan().is_some(),
        "comments": form.get("comments"), "meeting": form.get("meeting") == "yes",
        "errors": errors.0, "error_map": errors.map(),
    });
    Ok((status, Html(render("contribution_comments.html", &page(signed, title, "/my-journey", data))?)).into_response())
}

async fn comments_form(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    let record = family_case(&state, &signed, &id).await?;
    render_comments(&state, &signed, &record, &FormData::default(), &Errors::default(), StatusCode::OK)
}

async fn comments_submit(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let record = family_case(&state, &signed, &id).await?;
    let case = record.snapshot.summary.case_id;
    let errors = match DraftComments::read(|k| form.get(k)) {
        Ok(comments) => match submit(&state, &signed, &record, &Contribution::DraftComments(comments), None).await? {
            Ok(()) => return Ok(super::cases::see_other(&format!("/my-journey/{case}?sent=comments"))),
            Err(message) => vec![FieldError::new("comments", message)],
        },
        Err(errors) => errors,
    };
    render_comments(&state, &signed, &record, &form, &errors_of(&errors), StatusCode::UNPROCESSABLE_ENTITY)
}

// ---- A professional's advice ----

/// A professional's case with their service's advice asked for (404 for a case outside their
/// selection; refused for a service that was not asked).
async fn advice_case(state: &AppState, signed: &Signed, id: &str) -> Result<(CaseRecord, waymark_domain::case::AdviceParty), AppError> {
    signed.access.require(Can::AdviceRequests)?;
    let party = signed.user().role.service().ok_or(AppError::Forbidden)?;
    let id = super::cases::parse_case_id(id)?;
    let record = super::cases::load_case(state, &signed.access, id).await?;
    if record.snapshot.case.advice().get(&party).and_then(|a| a.requested).is_none() {
        return Err(AppError::NotFound);
    }
    Ok((record, party))
}

fn render_advice(
    signed: &Signed,
    record: &CaseRecord,
    party: waymark_domain::case::AdviceParty,
    values: &BTreeMap<String, String>,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let advice = record.snapshot.case.advice().get(&party).cloned().unwrap_or_default();
    let sections: Vec<Value> = SECTIONS
        .iter()
        .map(|s| json!({"name": s.key, "label": s.label, "hint": s.hint, "value": values.get(s.key).cloned().unwrap_or_default()}))
        .collect();
    let title = if errors.is_empty() { "Give your advice" } else { "Error: Give your advice" };
    let c = &record.snapshot.child;
    let data = json!({
        "case_id": record.snapshot.summary.case_id, "child_name": child_name(record), "dob": long_date(c.date_of_birth),
        "service": crate::views::advice_label(party),
        "requested": advice.requested.map(long_date), "due": advice.requested.map(|r| long_date(waymark_domain::calendar::add_weeks(r, 6))),
        "received": advice.received.map(long_date),
        "sections": sections, "errors": errors.0, "error_map": errors.map(),
    });
    Ok((status, Html(render("contribution_advice.html", &page(signed, title, "/advice", data))?)).into_response())
}

async fn advice_form(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    let (record, party) = advice_case(&state, &signed, &id).await?;
    render_advice(&signed, &record, party, &BTreeMap::new(), &Errors::default(), StatusCode::OK)
}

async fn advice_submit(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let posted = read_posted(multipart).await;
    signed.check_csrf(Some(&posted.get("csrf")))?;
    let (record, party) = advice_case(&state, &signed, &id).await?;
    let case = record.snapshot.summary.case_id;
    let mut errors = Vec::new();
    let form = AdviceForm::read(party, |k| posted.get(k)).map_err(|e| errors.extend(e)).ok();
    let document = document_of(&posted, case, DocumentKind::Advice(party), &signed.access).map_err(|e| errors.push(e)).ok().flatten();
    if let (Some(form), true) = (form, errors.is_empty()) {
        match submit(&state, &signed, &record, &Contribution::Advice(form), document).await? {
            Ok(()) => return Ok(super::cases::see_other(&format!("/cases/{case}/contributions?sent=advice"))),
            Err(message) => errors.push(FieldError::new(SECTIONS[0].key, message)),
        }
    }
    render_advice(&signed, &record, party, &posted.fields, &errors_of(&errors), StatusCode::UNPROCESSABLE_ENTITY)
}

// ---- What has been sent ----

/// Who may read a contribution: the family and LA staff everything on their case; a professional the
/// family's views and requests, and their own service's advice (as [`Access::sees_document`] rules
/// for the documents).
fn sees(access: &Access, contribution: &Contribution) -> bool {
    match contribution {
        Contribution::Advice(a) => access.sees_document(DocumentKind::Advice(a.party)),
        _ => access.sees_document(DocumentKind::FamilyViews),
    }
}

/// Who sent a contribution, as the reader knows them: "you", a named colleague, or (where the reader
/// cannot see the account) the service or the family.
fn sender(
    c: &waymark_storage::ContributionRecord,
    contribution: &Contribution,
    me: waymark_domain::ids::UserId,
    people: &[waymark_storage::UserRecord],
) -> String {
    if c.submitted_by == Some(me) {
        return "you".into();
    }
    let known = c.submitted_by.is_some_and(|id| people.iter().any(|u| u.id == id));
    match contribution {
        _ if known => crate::views::recorded_by(&c.submitted_by_label, people),
        Contribution::Advice(a) => format!("the {} service", crate::views::advice_label(a.party).to_lowercase()),
        _ => "the family".into(),
    }
}

async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(sent): Query<Sent>,
) -> Result<Html<String>, AppError> {
    let id = super::cases::parse_case_id(&id)?;
    let record = super::cases::load_case(&state, &signed.access, id).await?;
    let stored = state.store.case_contributions(&signed.access.actor(), id).await?;
    let people = {
        use waymark_storage::UserStore;
        state.store.list_users(&signed.access.actor()).await.unwrap_or_default()
    };
    let yp = young_person(&signed);
    let rows: Vec<Value> = stored
        .iter()
        .filter_map(|c| {
            let contribution: Contribution = serde_json::from_str(&c.content).ok()?;
            if !sees(&signed.access, &contribution) {
                return None;
            }
            let (heading, parts): (String, Vec<(String, String)>) = match &contribution {
                Contribution::FamilyViews(v) => (
                    "The family's views".into(),
                    v.answers
                        .iter()
                        .filter_map(|(k, t)| {
                            QUESTIONS
                                .iter()
                                .find(|q| q.key == k)
                                .map(|q| ((if yp { q.to_young_person } else { q.to_parent }).to_owned(), t.clone()))
                        })
                        .collect(),
                ),
                Contribution::SettingRequest(r) => (
                    "A school or college asked for".into(),
                    std::iter::once(("School or college".to_owned(), r.name.clone()))
                        .chain(r.reason.clone().map(|t| ("Why".to_owned(), t)))
                        .collect(),
                ),
                Contribution::DraftComments(d) => (
                    "Comments on the draft plan".into(),
                    vec![
                        ("Comments".to_owned(), d.comments.clone()),
                        ("Meeting asked for".to_owned(), if d.wants_meeting { "Yes".into() } else { "No".into() }),
                    ],
                ),
                Contribution::Advice(a) => (
                    format!("{} advice", crate::views::advice_label(a.party)),
                    a.sections
                        .iter()
                        .filter_map(|(k, t)| SECTIONS.iter().find(|s| s.key == k).map(|s| (s.label.to_owned(), t.clone())))
                        .collect(),
                ),
            };
            Some(json!({
                "heading": heading,
                "when": long_date(c.submitted_at.date_naive()),
                "by": sender(c, &contribution, signed.user().id, &people),
                "late": c.late,
                "parts": parts.into_iter().map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>(),
                "document": c.document_id,
            }))
        })
        .collect();
    let case = record.snapshot.summary.case_id;
    let back = if signed.access.can(Can::OwnJourney) {
        format!("/my-journey/{case}")
    } else if signed.access.can(Can::Casework) {
        format!("/cases/{case}")
    } else {
        "/advice".to_owned()
    };
    let current = if signed.access.can(Can::OwnJourney) {
        "/my-journey"
    } else if signed.access.can(Can::Casework) {
        "/caseload"
    } else {
        "/advice"
    };
    let data = json!({"case_id": case, "child_name": child_name(&record), "rows": rows, "back": back, "sent": sent.sent.is_some()});
    Ok(Html(render("contributions.html", &page(&signed, "What has been sent", current, data))?))
}
