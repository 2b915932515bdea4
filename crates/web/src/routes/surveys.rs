//! Families' voice: surveys (issue 16). Staff (LA caseworkers and SEND managers) build a survey on
//! GOV.UK question pages, publish it at a public link `/s/{token}`, close it, and read its results:
//! counts and percentages per option with charts and their tables, the scale's mean, response rates,
//! free-text answers they tag with themes, and CSV and XLSX exports. Published figures suppress
//! numbers from 1 to 5 (`waymark_indicators::present::Suppression`). The public link opens the
//! questions only: nothing under `/s/` reads a response back.
//!
//! The public form needs no sign-in and asks one question a page (GOV.UK question pages, ADR 0035).
//! It is CSRF-protected with a double-submit cookie (as the sign-in form is); "Start now" opens a
//! visit, a random one-time token kept in a short-lived cookie, whose hash keys the answers held
//! server-side between pages, so one visit sends one response and nothing follows the person after
//! it (the visit, its draft and the cookie are deleted when the answers are sent). Starting a visit
//! and sending answers are rate-limited per address (the sign-in throttle's counter, under their own
//! keys and limit, `Config::max_public_posts`).

use crate::access::Can;
use crate::error::{ApiError, AppError};
use crate::forms::{Errors, FormData};
use crate::routes::cases::see_other;
use crate::session::{self, cookie, random_token, same_secret, set_cookie, sha256_hex, ApiSigned, Signed};
use crate::templates::{page, render};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::net::SocketAddr;
use uuid::Uuid;
use waymark_indicators::present::{self, Suppression, SUPPRESSED};
use waymark_safe_output::CsvWriter;
use waymark_storage::{Submitted, SurveyRecord, SurveyStatus, SurveyStore, UserStore};
use waymark_surveys::results::{percent, tally, Published, ResponseRate, SurveyResults};
use waymark_surveys::themes::{self, Theme};
use waymark_surveys::{Draft, DraftQuestion, DraftSurvey, QuestionKind, Step};

/// Published survey figures hide counts from 1 to 5 (issue 16).
pub const SURVEY_SUPPRESSION: Suppression = Suppression { threshold: 5 };
pub(crate) const PUBLIC_COOKIE: &str = "waymark_survey";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/surveys", get(list))
        .route("/surveys/new", get(new_form).post(create))
        .route("/surveys/{id}", get(show))
        .route("/surveys/{id}/questions", post(add_question))
        .route("/surveys/{id}/questions/{index}", get(edit_question_form).post(edit_question))
        .route("/surveys/{id}/questions/{index}/remove", post(remove_question))
        .route("/surveys/{id}/publish", post(publish))
        .route("/surveys/{id}/close", post(close))
        .route("/surveys/{id}/results", get(results))
        .route("/surveys/{id}/results.csv", get(results_csv))
        .route("/surveys/{id}/results.xlsx", get(results_xlsx))
        .route("/surveys/{id}/themes", post(tag))
        .route("/surveys/{id}/contacts", get(contacts))
        .route("/s/{token}", get(public_start).post(public_begin))
        .route("/s/{token}/question/{number}", get(public_question).post(public_answer))
        .route("/s/{token}/contact", get(public_contact).post(public_contact_save))
        .route("/s/{token}/check", get(public_check).post(public_submit))
        .route("/s/{token}/thanks", get(public_thanks))
}

/// The API's routes, nested under `/api` by [`super::api::router`].
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/v1/surveys", post(api_create))
        .route("/v1/surveys/{id}/publish", post(api_publish))
        .route("/v1/surveys/{id}/results", get(api_results))
}

fn survey_id(text: &str) -> Result<Uuid, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

fn staff(signed: &Signed) -> Result<waymark_domain::identifiers::LaCode, AppError> {
    signed.access.require(Can::Surveys)?;
    signed.user().la.ok_or(AppError::Forbidden)
}

// ---- building a survey -------------------------------------------------------------------------------

fn kind_options() -> Vec<Value> {
    [QuestionKind::Single, QuestionKind::Multiple, QuestionKind::Scale, QuestionKind::Text]
        .iter()
        .map(|k| json!({"value": k.code(), "text": k.words()}))
        .collect()
}

/// A question from the form's fields (`question-id`, `kind`, `text`, `options`: one a line).
fn draft_question(form: &FormData) -> DraftQuestion {
    DraftQuestion {
        id: form.get("question-id"),
        kind: form.get("kind"),
        text: form.get("text"),
        options: form.raw("options").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
    }
}

/// A definition error's field (`questions[0].options[1]`) as the form's field id, and the message
/// in words.
fn form_errors(errors: &[waymark_surveys::DefinitionError], question_index: usize) -> Errors {
    let mut out = Errors::default();
    for e in errors {
        let field = if e.field == "title" {
            "title"
        } else if e.field.starts_with(&format!("questions[{question_index}].id")) {
            "question-id"
        } else if e.field.starts_with(&format!("questions[{question_index}].kind")) {
            "kind"
        } else if e.field.starts_with(&format!("questions[{question_index}].text")) {
            "text"
        } else if e.field.starts_with(&format!("questions[{question_index}].options")) {
            "options"
        } else {
            "title"
        };
        out.add(field, field, present_message(&e.message));
    }
    out
}

fn present_message(m: &str) -> String {
    crate::forms::capitalise(m)
}

fn render_new(signed: &Signed, form: &FormData, errors: &Errors, status: StatusCode) -> Result<Response, AppError> {
    let context = page(
        signed,
        "Create a survey",
        "/surveys",
        json!({
            "errors": errors.0, "error_map": errors.map(), "kinds": kind_options(),
            "values": {"title": form.get("title"), "question-id": form.get("question-id"), "kind": form.get("kind"),
                       "text": form.get("text"), "options": form.raw("options"), "send-when": form.get("send-when")},
        }),
    );
    Ok((status, Html(render("survey_new.html", &context)?)).into_response())
}

async fn list(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    staff(&signed)?;
    let surveys = state.store.surveys(&signed.access.actor()).await?;
    let rows: Vec<Value> = surveys
        .iter()
        .map(|s| json!({"id": s.id, "title": s.survey.title, "status": s.status.words(), "questions": s.survey.questions.len()}))
        .collect();
    let context = page(&signed, "Families' voice", "/surveys", json!({"surveys": rows}));
    Ok(Html(render("surveys.html", &context)?))
}

async fn new_form(signed: Signed) -> Result<Response, AppError> {
    staff(&signed)?;
    render_new(&signed, &FormData::default(), &Errors::default(), StatusCode::OK)
}

async fn create(State(state): State<AppState>, signed: Signed, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let la = staff(&signed)?;
    let draft = DraftSurvey { title: form.get("title"), questions: vec![draft_question(&form)] };
    let send_when = waymark_storage::SendWhen::parse(&form.get("send-when"));
    match draft.check() {
        Ok(survey) => {
            let record = state.store.create_survey(&signed.access.actor(), la, &survey, send_when).await?;
            Ok(see_other(&format!("/surveys/{}", record.id)))
        }
        Err(errors) => render_new(&signed, &form, &form_errors(&errors, 0), StatusCode::UNPROCESSABLE_ENTITY),
    }
}

fn public_url(state: &AppState, headers: &HeaderMap, token: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)));
    match host {
        Some(h) => format!("{}://{h}/s/{token}", if state.config.secure_cookies { "https" } else { "http" }),
        None => format!("/s/{token}"),
    }
}

#[allow(clippy::too_many_arguments)]
fn render_show(
    state: &AppState,
    signed: &Signed,
    headers: &HeaderMap,
    s: &SurveyRecord,
    form: &FormData,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let questions: Vec<Value> = s
        .survey
        .questions
        .iter()
        .map(|q| json!({"id": q.id.as_str(), "text": q.text, "kind": q.kind.words(), "options": q.options.join(", ")}))
        .collect();
    let context = page(
        signed,
        &s.survey.title,
        "/surveys",
        json!({
            "survey": {"id": s.id, "title": s.survey.title, "status": s.status.words(), "draft": s.status == SurveyStatus::Draft,
                       "open": s.status == SurveyStatus::Open,
                       "send_when": s.send_when.map(|w| w.words()),
                       "public_url": s.public_token.as_deref().map(|t| public_url(state, headers, t)),
                       "public_path": s.public_token.as_deref().map(|t| format!("/s/{t}"))},
            "questions": questions, "version": s.version, "kinds": kind_options(),
            "errors": errors.0, "error_map": errors.map(),
            "values": {"question-id": form.get("question-id"), "kind": form.get("kind"), "text": form.get("text"), "options": form.raw("options")},
        }),
    );
    Ok((status, Html(render("survey.html", &context)?)).into_response())
}

async fn show(State(state): State<AppState>, signed: Signed, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, AppError> {
    staff(&signed)?;
    let s = state.store.survey(&signed.access.actor(), survey_id(&id)?).await?;
    render_show(&state, &signed, &headers, &s, &FormData::default(), &Errors::default(), StatusCode::OK)
}

async fn add_question(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    staff(&signed)?;
    let actor = signed.access.actor();
    let s = state.store.survey(&actor, survey_id(&id)?).await?;
    if s.status != SurveyStatus::Draft {
        return Err(AppError::BadRequest("The survey has been published, so its questions can no longer change.".into()));
    }
    let mut draft = s.survey.to_draft();
    draft.questions.push(draft_question(&form));
    let index = draft.questions.len() - 1;
    match draft.check() {
        Ok(survey) => {
            let version = form.get("version").parse().unwrap_or(0);
            match state.store.update_survey(&actor, s.id, &survey, version).await {
                Ok(_) => Ok(see_other(&format!("/surveys/{}#questions", s.id))),
                Err(e @ waymark_storage::StoreError::Conflict { .. }) => {
                    let mut errors = Errors::default();
                    errors.add("text", "text", crate::messages::store_error(&e).unwrap_or_default());
                    render_show(&state, &signed, &headers, &s, &form, &errors, StatusCode::CONFLICT)
                }
                Err(e) => Err(e.into()),
            }
        }
        Err(errors) => render_show(&state, &signed, &headers, &s, &form, &form_errors(&errors, index), StatusCode::UNPROCESSABLE_ENTITY),
    }
}

// ---- changing a draft's questions -------------------------------------------------------------------

/// The draft survey and the question at `index` (1-based, as the page numbers them); a published
/// survey's questions are fixed.
async fn draft_question_at(state: &AppState, signed: &Signed, id: &str, index: &str) -> Result<(SurveyRecord, usize), AppError> {
    staff(signed)?;
    let s = state.store.survey(&signed.access.actor(), survey_id(id)?).await?;
    let at = index.parse::<usize>().ok().filter(|i| (1..=s.survey.questions.len()).contains(i)).ok_or(AppError::NotFound)? - 1;
    if s.status != SurveyStatus::Draft {
        return Err(AppError::BadRequest("The survey has been published, so its questions can no longer change.".into()));
    }
    Ok((s, at))
}

fn render_edit(
    signed: &Signed,
    s: &SurveyRecord,
    at: usize,
    form: &FormData,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let context = page(
        signed,
        &format!("Change question {}", at + 1),
        "/surveys",
        json!({"survey": {"id": s.id, "title": s.survey.title}, "index": at + 1, "version": s.version, "kinds": kind_options(),
               "errors": errors.0, "error_map": errors.map(), "removable": s.survey.questions.len() > 1,
               "values": {"question-id": form.get("question-id"), "kind": form.get("kind"), "text": form.get("text"), "options": form.raw("options")}}),
    );
    Ok((status, Html(render("survey_question_edit.html", &context)?)).into_response())
}

async fn edit_question_form(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, index)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (s, at) = draft_question_at(&state, &signed, &id, &index).await?;
    let q = &s.survey.to_draft().questions[at];
    let body =
        serde_urlencoded::to_string([("question-id", &q.id), ("kind", &q.kind), ("text", &q.text), ("options", &q.options.join("\n"))])
            .map_err(|e| AppError::Internal(e.to_string()))?;
    render_edit(&signed, &s, at, &FormData::parse(&Bytes::from(body)), &Errors::default(), StatusCode::OK)
}

async fn save_draft(
    state: &AppState,
    signed: &Signed,
    s: &SurveyRecord,
    draft: &DraftSurvey,
    version: &str,
) -> Result<Result<(), Errors>, AppError> {
    let mut errors = Errors::default();
    match draft.check() {
        Ok(survey) => match state.store.update_survey(&signed.access.actor(), s.id, &survey, version.parse().unwrap_or(0)).await {
            Ok(_) => return Ok(Ok(())),
            Err(e @ waymark_storage::StoreError::Conflict { .. }) => {
                errors.add("text", "text", crate::messages::store_error(&e).unwrap_or_default())
            }
            Err(e) => return Err(e.into()),
        },
        Err(list) => return Ok(Err(form_errors(&list, usize::MAX))),
    }
    Ok(Err(errors))
}

async fn edit_question(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, index)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let (s, at) = draft_question_at(&state, &signed, &id, &index).await?;
    let mut draft = s.survey.to_draft();
    draft.questions[at] = draft_question(&form);
    match draft.check() {
        Err(list) => render_edit(&signed, &s, at, &form, &form_errors(&list, at), StatusCode::UNPROCESSABLE_ENTITY),
        Ok(_) => match save_draft(&state, &signed, &s, &draft, &form.get("version")).await? {
            Ok(()) => Ok(see_other(&format!("/surveys/{}#questions", s.id))),
            Err(errors) => render_edit(&signed, &s, at, &form, &errors, StatusCode::CONFLICT),
        },
    }
}

async fn remove_question(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, index)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let (s, at) = draft_question_at(&state, &signed, &id, &index).await?;
    let mut draft = s.survey.to_draft();
    draft.questions.remove(at);
    match save_draft(&state, &signed, &s, &draft, &form.get("version")).await? {
        Ok(()) => Ok(see_other(&format!("/surveys/{}#questions", s.id))),
        Err(errors) => render_edit(&signed, &s, at, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY),
    }
}

async fn publish(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    signed.check_csrf(Some(&FormData::parse(&body).get("csrf")))?;
    staff(&signed)?;
    let s = state.store.publish_survey(&signed.access.actor(), survey_id(&id)?, &random_token()).await?;
    Ok(see_other(&format!("/surveys/{}", s.id)))
}

async fn close(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    signed.check_csrf(Some(&FormData::parse(&body).get("csrf")))?;
    staff(&signed)?;
    let s = state.store.close_survey(&signed.access.actor(), survey_id(&id)?).await?;
    Ok(see_other(&format!("/surveys/{}", s.id)))
}

// ---- results -----------------------------------------------------------------------------------------

struct Loaded {
    record: SurveyRecord,
    results: SurveyResults,
    published: Published,
    ids: Vec<Uuid>,
    rate: ResponseRate,
}

async fn load_results(state: &AppState, signed: &Signed, id: &str) -> Result<Loaded, AppError> {
    staff(signed)?;
    let actor = signed.access.actor();
    let record = state.store.survey(&actor, survey_id(id)?).await?;
    let stored = state.store.survey_responses(&actor, record.id).await?;
    let (sent, responded) = state.store.survey_sends(&actor, record.id).await?;
    let responses: Vec<_> = stored.iter().map(|r| r.response.clone()).collect();
    let results = tally(&record.survey, &responses);
    let published = results.published(|n| SURVEY_SUPPRESSION.hides(n));
    Ok(Loaded { record, results, published, ids: stored.iter().map(|r| r.id).collect(), rate: ResponseRate { sent, responded } })
}

fn shown(n: Option<u64>) -> String {
    n.map_or_else(|| SUPPRESSED.to_owned(), present::count)
}

fn shown_percent(p: Option<f64>) -> String {
    p.map_or_else(|| SUPPRESSED.to_owned(), |p| present::value(p, waymark_indicators::definition::Unit::Percent))
}

async fn results(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Html<String>, AppError> {
    let l = load_results(&state, &signed, &id).await?;
    let tags = state.store.survey_tags(&signed.access.actor(), l.record.id).await?;
    let mut questions = Vec::new();
    for (i, (q, p)) in l.results.questions.iter().zip(&l.published.questions).enumerate() {
        let def = &l.record.survey.questions[i];
        let mut v = json!({"id": q.id, "text": q.text, "kind": q.kind.code(), "answered": shown(p.answered)});
        if q.kind == QuestionKind::Text {
            let answers: Vec<Value> = q
                .texts
                .iter()
                .map(|(at, text)| {
                    let rid = l.ids[*at];
                    let mine: Vec<String> =
                        tags.iter().filter(|(r, qid, _)| *r == rid && *qid == q.id).map(|(_, _, t)| t.to_string()).collect();
                    json!({"response": rid, "text": text, "themes": mine})
                })
                .collect();
            let counts = themes::counts(tags.iter().filter(|(_, qid, _)| *qid == q.id).map(|(_, _, t)| t));
            v["answers"] = json!(answers);
            v["themes"] = json!(counts.iter().map(|(t, n)| json!([t.to_string(), present::count(*n)])).collect::<Vec<_>>());
        } else {
            let labels: Vec<String> = p.counts.iter().filter(|c| c.percent.is_some()).map(|c| def.value_words(&c.option)).collect();
            let values: Vec<f64> = p.counts.iter().filter_map(|c| c.percent).collect();
            let chart_title = format!("{}: percentage of those who answered", q.text);
            v["chart"] = json!((!values.is_empty()).then(|| {
                waymark_indicators::render::svg::bar_chart(
                    &format!("chart-{}", q.id),
                    &chart_title,
                    &labels,
                    &[("Percentage", values)],
                    "%",
                )
            }));
            v["table"] = json!({
                "columns": ["Answer", "Responses", "Percentage"],
                "rows": p.counts.iter().map(|c| json!([def.value_words(&c.option), shown(c.count), shown_percent(c.percent)])).collect::<Vec<_>>(),
            });
            v["mean"] = json!(q.mean.map(|_| p.mean.map_or_else(|| SUPPRESSED.to_owned(), |m| format!("{m:.2}"))));
        }
        questions.push(v);
    }
    let rate = l.rate.percent().map(
        |p| json!({"sent": present::count(l.rate.sent), "families": if l.rate.sent == 1 { "family" } else { "families" }, "responded": present::count(l.rate.responded), "percent": shown_percent(Some(p))}),
    );
    let context = page(
        &signed,
        &format!("Results: {}", l.record.survey.title),
        "/surveys",
        json!({
            "survey": {"id": l.record.id, "title": l.record.survey.title, "status": l.record.status.words()},
            "responses": shown(l.published.responses), "questions": questions, "rate": rate,
            "contacts": signed.access.can(Can::SurveyContacts),
        }),
    );
    Ok(Html(render("survey_results.html", &context)?))
}

/// The published figures as rows: question id, question, answer, responses, percentage.
fn export_rows(l: &Loaded) -> Vec<[String; 5]> {
    let mut rows = vec![["question_id".into(), "question".into(), "answer".into(), "responses".into(), "percentage".into()]];
    rows.push(["".into(), "All responses".into(), "".into(), shown(l.published.responses), "".into()]);
    for ((q, p), def) in l.results.questions.iter().zip(&l.published.questions).zip(&l.record.survey.questions) {
        rows.push([q.id.clone(), q.text.clone(), "Answered".into(), shown(p.answered), "".into()]);
        for c in &p.counts {
            rows.push([
                q.id.clone(),
                q.text.clone(),
                def.value_words(&c.option),
                shown(c.count),
                c.percent.map_or_else(|| SUPPRESSED.to_owned(), |x| x.to_string()),
            ]);
        }
        if q.mean.is_some() {
            rows.push([
                q.id.clone(),
                q.text.clone(),
                "Mean (1 to 5)".into(),
                p.mean.map_or_else(|| SUPPRESSED.to_owned(), |m| format!("{m:.2}")),
                "".into(),
            ]);
        }
    }
    rows
}

fn attachment(title: &str, ext: &str) -> String {
    let safe: String = title.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).take(60).collect();
    format!("attachment; filename=\"waymark-survey-{safe}.{ext}\"")
}

async fn results_csv(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    let l = load_results(&state, &signed, &id).await?;
    let mut w = CsvWriter::new(Vec::new());
    for row in export_rows(&l) {
        w.write_record(&row).map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    }
    let body = w.into_inner().map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, attachment(&l.record.survey.title, "csv")),
        ],
        body,
    )
        .into_response())
}

async fn results_xlsx(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    let l = load_results(&state, &signed, &id).await?;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    sheet.set_name("Results").map_err(fail)?;
    for (r, row) in export_rows(&l).iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (u32::try_from(r).unwrap_or(u32::MAX), u16::try_from(c).unwrap_or(u16::MAX));
            // Numbers as numbers; text (never a formula: write_string stores it as typed).
            match cell.replace(',', "").parse::<f64>() {
                Ok(n) if r > 0 && c >= 3 => sheet.write_number(r, c, n).map(|_| ()),
                _ => sheet.write_string(r, c, cell).map(|_| ()),
            }
            .map_err(fail)?;
        }
    }
    let bytes = book.save_to_buffer().map_err(fail)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, attachment(&l.record.survey.title, "xlsx")),
        ],
        bytes,
    )
        .into_response())
}

async fn tag(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    staff(&signed)?;
    let survey = survey_id(&id)?;
    let response: Uuid = form.get("response").parse().map_err(|_| AppError::BadRequest("The answer to tag was not given.".into()))?;
    let theme = Theme::parse(&form.get("theme")).map_err(AppError::BadRequest)?;
    let add = form.get("remove").is_empty();
    state.store.tag_answer(&signed.access.actor(), response, &form.get("question"), &theme, add).await?;
    Ok(see_other(&format!("/surveys/{survey}/results#answer-{response}")))
}

async fn contacts(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Html<String>, AppError> {
    signed.access.require(Can::SurveyContacts)?;
    let actor = signed.access.actor();
    let s = state.store.survey(&actor, survey_id(&id)?).await?;
    let list = state.store.survey_contacts(&actor, s.id).await?;
    let rows: Vec<Value> = list.iter().map(|(_, c)| json!([c.name, c.reach])).collect();
    let context = page(
        &signed,
        &format!("Contact details: {}", s.survey.title),
        "/surveys",
        json!({"survey": {"id": s.id, "title": s.survey.title}, "rows": rows}),
    );
    Ok(Html(render("survey_contacts.html", &context)?))
}

// ---- the public link ---------------------------------------------------------------------------------
//
// GOV.UK question pages (ADR 0035): a start page (`/s/{token}`), one page a question
// (`/s/{token}/question/{n}`), the optional contact details (`/s/{token}/contact`), "Check your
// answers" (`/s/{token}/check`) and the confirmation (`/s/{token}/thanks`). "Start now" opens a visit:
// a random token kept in a short-lived cookie, whose hash keys the server-side draft of the answers
// given so far; sending the answers consumes the visit and its draft and deletes the cookie. Every
// form is CSRF-protected by the double-submit cookie set on the start page.

const VISIT_COOKIE: &str = "waymark_survey_visit";
/// How long the public form's cookies last (the server forgets an unsent visit after a day).
const PUBLIC_COOKIE_SECS: i64 = 3600 * 4;

fn step_path(token: &str, step: Step) -> String {
    match step {
        Step::Question(i) => format!("/s/{token}/question/{}", i + 1),
        Step::Contact => format!("/s/{token}/contact"),
        Step::Check => format!("/s/{token}/check"),
    }
}

fn closed_page(s: Option<&SurveyRecord>) -> Result<Response, AppError> {
    let Some(s) = s else { return Err(AppError::NotFound) };
    let html = render("survey_closed.html", &json!({"title": s.survey.title}))?;
    Ok((StatusCode::OK, Html(html)).into_response())
}

/// The open survey behind a public link, or the page to show instead (closed, or not found).
async fn open_survey(state: &AppState, token: &str) -> Result<Result<SurveyRecord, Response>, AppError> {
    let s = state.store.public_survey(token).await?;
    match s {
        Some(s) if s.status == SurveyStatus::Open => Ok(Ok(s)),
        other => Ok(Err(closed_page(other.as_ref())?)),
    }
}

#[derive(serde::Deserialize, Default)]
struct StartQuery {
    #[serde(default)]
    send: String,
}

/// A send's token as it may appear in a link (hexadecimal), anything else dropped.
fn send_token(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).take(64).collect()
}

async fn public_start(
    State(state): State<AppState>,
    Path(token): Path<String>,
    crate::query::PageQuery(q): crate::query::PageQuery<StartQuery>,
) -> Result<Response, AppError> {
    let s = match open_survey(&state, &token).await? {
        Ok(s) => s,
        Err(page) => return Ok(page),
    };
    let csrf = random_token();
    let context = json!({"title": s.survey.title, "token": token, "csrf": csrf, "send": send_token(&q.send),
                         "questions": s.survey.questions.len()});
    let html = render("survey_start.html", &context)?;
    Ok(([(header::SET_COOKIE, set_cookie(&state, PUBLIC_COOKIE, &csrf, Some(PUBLIC_COOKIE_SECS)))], Html(html)).into_response())
}

/// Whether a public post from this address is allowed now (and count it).
pub(crate) async fn public_post_allowed(state: &AppState, peer: &SocketAddr) -> Result<bool, AppError> {
    allowed_under(state, "public-post", peer).await
}

async fn allowed_under(state: &AppState, what: &str, peer: &SocketAddr) -> Result<bool, AppError> {
    let key = sha256_hex(&format!("{what}:{}", peer.ip()));
    Ok(state.store.claim_sign_in_attempt(&[(key, state.config.max_public_posts)], state.config.throttle_window).await?.is_some())
}

fn too_many() -> Result<Response, AppError> {
    tracing::info!("public survey post refused: too many from one address");
    let html = render(
        "error.html",
        &json!({"title": "Too many responses from your connection", "kind": "errors/400.html",
        "message": "We have had a lot of responses from your internet connection. Wait 15 minutes, then try again."}),
    )?;
    Ok((StatusCode::TOO_MANY_REQUESTS, Html(html)).into_response())
}

/// The form's CSRF token, checked against the double-submit cookie.
fn checked_csrf(state: &AppState, headers: &HeaderMap, form: &FormData) -> Result<String, AppError> {
    let expected = cookie(headers, &session::cookie_name(state, PUBLIC_COOKIE)).unwrap_or_default();
    if !same_secret(&form.get("csrf"), expected) {
        return Err(AppError::Csrf);
    }
    Ok(expected.to_owned())
}

/// "Start now": open a visit (or carry on with this browser's unsent one) and go to the first page.
async fn public_begin(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    checked_csrf(&state, &headers, &form)?;
    let s = match open_survey(&state, &token).await? {
        Ok(s) => s,
        Err(page) => return Ok(page),
    };
    let send = Some(send_token(&form.get("send"))).filter(|t| !t.is_empty());
    let first = step_path(&token, Step::first(&s.survey));
    if let Some(visit) = cookie(&headers, &session::cookie_name(&state, VISIT_COOKIE)) {
        let hash = sha256_hex(visit);
        if let Some(mut draft) = state.store.visit_draft(s.id, &hash).await? {
            if send.is_some() {
                draft.send = send;
                state.store.save_visit_draft(s.id, &hash, &draft).await?;
            }
            return Ok(see_other(&first));
        }
    }
    if !allowed_under(&state, "public-start", &peer).await? {
        return too_many();
    }
    let visit = random_token();
    let hash = sha256_hex(&visit);
    state.store.start_visit(s.id, &hash).await?;
    state.store.save_visit_draft(s.id, &hash, &Draft { send, ..Draft::default() }).await?;
    Ok(([(header::SET_COOKIE, set_cookie(&state, VISIT_COOKIE, &visit, Some(PUBLIC_COOKIE_SECS)))], see_other(&first)).into_response())
}

/// A visit in progress: its survey, the CSRF token to put in forms and the answers so far.
struct Visiting {
    survey: SurveyRecord,
    csrf: String,
    visit_hash: String,
    draft: Draft,
}

/// The visit this browser is making, or the page to show instead: the start page when there is
/// none (never started, already sent, or forgotten after a day), or the closed page.
async fn visiting(state: &AppState, headers: &HeaderMap, token: &str) -> Result<Result<Visiting, Response>, AppError> {
    let s = match open_survey(state, token).await? {
        Ok(s) => s,
        Err(page) => return Ok(Err(page)),
    };
    let start = see_other(&format!("/s/{token}"));
    let Some(csrf) = cookie(headers, &session::cookie_name(state, PUBLIC_COOKIE)).filter(|c| !c.is_empty()) else {
        return Ok(Err(start));
    };
    let Some(visit) = cookie(headers, &session::cookie_name(state, VISIT_COOKIE)).filter(|c| !c.is_empty()) else {
        return Ok(Err(start));
    };
    let visit_hash = sha256_hex(visit);
    match state.store.visit_draft(s.id, &visit_hash).await? {
        Some(draft) => Ok(Ok(Visiting { survey: s, csrf: csrf.to_owned(), visit_hash, draft })),
        None => Ok(Err(start)),
    }
}

#[derive(serde::Deserialize, Default)]
struct ChangeQuery {
    #[serde(default)]
    change: String,
}

fn back_href(token: &str, survey: &SurveyRecord, step: Step, change: bool) -> String {
    if change {
        return step_path(token, Step::Check);
    }
    step.previous(&survey.survey).map_or_else(|| format!("/s/{token}"), |p| step_path(token, p))
}

fn question_page(
    v: &Visiting,
    token: &str,
    index: usize,
    given: &[String],
    change: bool,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let q = &v.survey.survey.questions[index];
    let options: Vec<Value> = q.values().iter().map(|o| json!({"value": o, "text": q.value_words(o)})).collect();
    let hint = match q.kind {
        QuestionKind::Multiple => "Select all that apply, or none to leave this question out.",
        QuestionKind::Scale => "1 is the lowest, 5 the highest. You can leave this question out.",
        QuestionKind::Single => "You can leave this question out.",
        QuestionKind::Text => "Do not include anyone's name or other personal details. You can leave this question out.",
    };
    let context = json!({
        "title": q.text, "survey_title": v.survey.survey.title, "token": token, "csrf": v.csrf,
        "number": index + 1, "count": v.survey.survey.questions.len(), "name": format!("q-{}", q.id),
        "kind": q.kind.code(), "options": options, "selected": given.first().cloned().unwrap_or_default(),
        "chosen": given, "hint": hint, "change": change, "errors": errors.0, "error_map": errors.map(),
        "action": step_path(token, Step::Question(index)),
        "back": back_href(token, &v.survey, Step::Question(index), change),
    });
    Ok((status, Html(render("survey_question.html", &context)?)).into_response())
}

async fn public_question(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((token, number)): Path<(String, String)>,
    crate::query::PageQuery(q): crate::query::PageQuery<ChangeQuery>,
) -> Result<Response, AppError> {
    let v = match visiting(&state, &headers, &token).await? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    let Some(Step::Question(index)) = Step::question(&v.survey.survey, &number) else { return Err(AppError::NotFound) };
    let given = v.draft.given(&v.survey.survey, index);
    question_page(&v, &token, index, &given, !q.change.is_empty(), &Errors::default(), StatusCode::OK)
}

async fn public_answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((token, number)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    checked_csrf(&state, &headers, &form)?;
    let mut v = match visiting(&state, &headers, &token).await? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    let Some(step @ Step::Question(index)) = Step::question(&v.survey.survey, &number) else { return Err(AppError::NotFound) };
    let q = &v.survey.survey.questions[index];
    let name = format!("q-{}", q.id);
    let sent = if q.kind == QuestionKind::Text { vec![form.raw(&name)] } else { form.all(&name) };
    let change = !form.get("change").is_empty();
    if let Err(problem) = v.draft.answer(&v.survey.survey, index, &sent) {
        let mut errors = Errors::default();
        errors.add(&name, &name, problem.message);
        return question_page(&v, &token, index, &sent, change, &errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    if !state.store.save_visit_draft(v.survey.id, &v.visit_hash, &v.draft).await? {
        return Ok(see_other(&format!("/s/{token}")));
    }
    Ok(see_other(&step_path(&token, if change { Step::Check } else { step.next(&v.survey.survey) })))
}

fn contact_page(
    v: &Visiting,
    token: &str,
    fields: (&str, &str),
    change: bool,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let context = json!({
        "title": "If you would like us to contact you", "survey_title": v.survey.survey.title, "token": token,
        "csrf": v.csrf, "contact_name": fields.0, "contact_reach": fields.1, "change": change,
        "errors": errors.0, "error_map": errors.map(), "action": step_path(token, Step::Contact),
        "back": back_href(token, &v.survey, Step::Contact, change),
    });
    Ok((status, Html(render("survey_public_contact.html", &context)?)).into_response())
}

async fn public_contact(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    crate::query::PageQuery(q): crate::query::PageQuery<ChangeQuery>,
) -> Result<Response, AppError> {
    let v = match visiting(&state, &headers, &token).await? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    let fields = (v.draft.contact_name.clone(), v.draft.contact_reach.clone());
    contact_page(&v, &token, (&fields.0, &fields.1), !q.change.is_empty(), &Errors::default(), StatusCode::OK)
}

async fn public_contact_save(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    checked_csrf(&state, &headers, &form)?;
    let mut v = match visiting(&state, &headers, &token).await? {
        Ok(v) => v,
        Err(page) => return Ok(page),
    };
    let (name, reach) = (form.get("contact-name"), form.get("contact-reach"));
    if let Err(problems) = v.draft.contact(&name, &reach) {
        let mut errors = Errors::default();
        for p in problems {
            errors.add(&p.field, &p.field, p.message);
        }
        let change = !form.get("change").is_empty();
        return contact_page(&v, &token, (&name, &reach), change, &errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    if !state.store.save_visit_draft(v.survey.id, &v.visit_hash, &v.draft).await? {
        return Ok(see_other(&format!("/s/{token}")));
    }
    Ok(see_other(&step_path(&token, Step::Check)))
}

fn check_page(v: &Visiting, token: &str, errors: &Errors, status: StatusCode) -> Result<Response, AppError> {
    let rows: Vec<Value> = v
        .draft
        .summary(&v.survey.survey)
        .into_iter()
        .map(|r| {
            json!({"id": format!("answer-{}", r.number), "question": r.question, "answer": r.answer,
                   "href": format!("{}?change=1", step_path(token, Step::Question(r.number - 1))),
                   "change": format!("your answer to question {}", r.number)})
        })
        .collect();
    let context = json!({
        "title": "Check your answers before sending them", "survey_title": v.survey.survey.title, "token": token,
        "csrf": v.csrf, "rows": rows, "contact_name": v.draft.contact_name, "contact_reach": v.draft.contact_reach,
        "contact_href": format!("{}?change=1", step_path(token, Step::Contact)),
        "errors": errors.0, "back": back_href(token, &v.survey, Step::Check, false),
    });
    Ok((status, Html(render("survey_check.html", &context)?)).into_response())
}

async fn public_check(State(state): State<AppState>, headers: HeaderMap, Path(token): Path<String>) -> Result<Response, AppError> {
    match visiting(&state, &headers, &token).await? {
        Ok(v) => check_page(&v, &token, &Errors::default(), StatusCode::OK),
        Err(page) => Ok(page),
    }
}

/// "Send your answers": the response is saved and the visit (with its draft) consumed in one
/// transaction; the visit's cookie is deleted.
async fn public_submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    checked_csrf(&state, &headers, &form)?;
    let v = match visiting(&state, &headers, &token).await? {
        Ok(v) => v,
        // The browser still names a visit that is gone: it was sent already (a second press of the
        // button), and one visit sends one response, so say thank you again. The cookie lasts 4 hours
        // and an unsent visit a day, so it cannot be one forgotten unsent.
        Err(_)
            if cookie(&headers, &session::cookie_name(&state, VISIT_COOKIE)).is_some_and(|c| !c.is_empty())
                && state.store.public_survey(&token).await?.is_some_and(|s| s.status == SurveyStatus::Open) =>
        {
            return Ok(see_other(&format!("/s/{token}/thanks")))
        }
        Err(page) => return Ok(page),
    };
    if !public_post_allowed(&state, &peer).await? {
        return too_many();
    }
    let response = match v.draft.response(&v.survey.survey) {
        Ok(r) => r,
        Err(problems) => {
            let mut errors = Errors::default();
            for p in problems {
                let href = match v.survey.survey.questions.iter().position(|q| q.id.as_str() == p.field) {
                    Some(i) => format!("answer-{}", i + 1),
                    None => "contact".to_owned(),
                };
                errors.add(&p.field, &href, p.message);
            }
            return check_page(&v, &token, &errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    match state.store.submit_response(&token, &v.visit_hash, &response, v.draft.send.as_deref(), state.clock.today()).await? {
        Submitted::Saved | Submitted::AlreadySent => {
            Ok(([(header::SET_COOKIE, set_cookie(&state, VISIT_COOKIE, "", Some(0)))], see_other(&format!("/s/{token}/thanks")))
                .into_response())
        }
        Submitted::NotOpen => closed_page(Some(&v.survey)),
    }
}

async fn public_thanks(State(state): State<AppState>, Path(token): Path<String>) -> Result<Html<String>, AppError> {
    let s = state.store.public_survey(&token).await?.ok_or(AppError::NotFound)?;
    Ok(Html(render("survey_thanks.html", &json!({"title": "Thank you", "survey_title": s.survey.title}))?))
}

// ---- the API -----------------------------------------------------------------------------------------

type ApiResult = Result<(StatusCode, Json<Value>), ApiError>;

fn api_staff(s: &Signed) -> Result<waymark_domain::identifiers::LaCode, ApiError> {
    if !s.access.can(Can::Surveys) {
        return Err(ApiError::forbidden());
    }
    s.user().la.ok_or_else(ApiError::forbidden)
}

async fn api_create(State(state): State<AppState>, ApiSigned(s): ApiSigned, body: Bytes) -> ApiResult {
    let la = api_staff(&s)?;
    let draft: DraftSurvey = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_json", format!("the body is not a survey: {e}")))?;
    let survey = draft.check().map_err(|errors| {
        let first = errors.first().map(|e| e.field.clone()).unwrap_or_default();
        let message = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
        ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "invalid_survey", &first, message)
    })?;
    let r = state.store.create_survey(&s.access.actor(), la, &survey, None).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": r.id, "status": r.status.code(), "title": r.survey.title}))))
}

async fn api_publish(State(state): State<AppState>, ApiSigned(s): ApiSigned, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    api_staff(&s)?;
    let id: Uuid = id.parse().map_err(|_| ApiError::not_found())?;
    let r = state.store.publish_survey(&s.access.actor(), id, &random_token()).await?;
    let token = r.public_token.unwrap_or_default();
    Ok((StatusCode::OK, Json(json!({"public_url": public_url(&state, &headers, &token), "status": r.status.code()}))))
}

async fn api_results(State(state): State<AppState>, ApiSigned(s): ApiSigned, Path(id): Path<String>) -> ApiResult {
    api_staff(&s)?;
    let l = load_results(&state, &s, &id).await.map_err(ApiError::from)?;
    let questions: Vec<Value> = l
        .results
        .questions
        .iter()
        .map(|q| {
            let counts: serde_json::Map<String, Value> = q.counts.iter().map(|(o, n)| (o.clone(), json!(n))).collect();
            json!({"id": q.id, "kind": q.kind.code(), "answered": q.answered, "counts": counts, "mean": q.mean,
                   "percentages": q.counts.iter().map(|(o, n)| (o.clone(), json!(percent(*n, q.answered)))).collect::<serde_json::Map<String, Value>>()})
        })
        .collect();
    Ok((StatusCode::OK, Json(json!({"responses": l.results.responses, "questions": questions}))))
}
