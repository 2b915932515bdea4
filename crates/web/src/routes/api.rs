//! The JSON API, under `/api/v1`: the same operations and the same access rules as the pages (each
//! handler goes through [`crate::access::Access`] and the same selection-limited queries). It uses the
//! browser session; a request that changes anything sends the session's CSRF token in `X-CSRF-Token`.
//! Described by the OpenAPI document at `/api/openapi.json`.

use super::audit::AuditQuery;
use super::caseload::{apply, caseworkers, Filters};
use crate::access::Can;
use crate::error::ApiError;
use crate::session::ApiSigned;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use waymark_domain::case::CaseEvent;
use waymark_domain::ids::ChildId;
use waymark_storage::UserStore;

/// A query string read for the API: a bad one is the documented JSON error (`bad_query`, 400), not
/// axum's plain-text rejection (issue 12).
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map(Self)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_query", format!("the query string is not valid: {e}")))
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(super::openapi::document))
        .route("/v1/me", get(me))
        .route("/v1/caseload", get(caseload))
        .route("/v1/cases/{id}", get(case))
        .route("/v1/cases/{id}/events", post(record))
        .route("/v1/children/{id}", get(child))
        .route("/v1/pupils", get(pupils))
        .route("/v1/advice-requests", get(advice_requests))
        .route("/v1/my-cases", get(my_cases))
        .route("/v1/my-cases/{id}", get(my_case))
        .route("/v1/dashboard", get(dashboard))
        .route("/v1/audit", get(audit))
        .route("/v1/users", get(users))
        .merge(super::documents::api_router())
        .route("/oruk/", get(super::oruk::details))
        .nest("/oruk", super::oruk::router())
        .merge(super::surveys::api_router())
        .fallback(|| async { ApiError::not_found() })
}

type ApiResult = Result<Json<Value>, ApiError>;

async fn me(ApiSigned(s): ApiSigned) -> ApiResult {
    let u = s.user();
    Ok(Json(json!({
        "user_id": u.id, "name": u.display_name, "role": u.role.key(), "la": u.la.map(|l| l.to_string()),
        "setting": u.setting_key, "csrf_token": s.csrf, "home": s.access.home(),
    })))
}

async fn caseload(State(state): State<AppState>, ApiSigned(s): ApiSigned, ApiQuery(filters): ApiQuery<Filters>) -> ApiResult {
    s.access.require(Can::Caseload)?;
    let actor = s.access.actor();
    let computed = state.caseload.get(&state, &actor, "case_list").await?;
    let names = caseworkers(&state.store.list_users(&actor).await?);
    let mine = filters.mine(&s.access);
    let rows = apply(&computed, &filters, mine.then_some(s.access.user.id));
    let total = rows.len();
    let page = filters.page.unwrap_or(1).max(1);
    let size = super::caseload::PAGE_SIZE;
    let items: Vec<Value> = rows
        .iter()
        .skip((page - 1) * size)
        .take(size)
        .map(|r| {
            let mut v = json!(r);
            v["caseworker_name"] = json!(r.caseworker.and_then(|c| names.get(&c.to_string()).cloned()));
            v
        })
        .collect();
    Ok(Json(json!({"total": total, "page": page, "page_size": size, "scope": if mine { "mine" } else { "all" }, "items": items})))
}

async fn case(State(state): State<AppState>, ApiSigned(s): ApiSigned, Path(id): Path<String>) -> ApiResult {
    let id = super::cases::parse_case_id(&id)?;
    let record = super::cases::load_case(&state, &s.access, id).await?;
    Ok(Json(super::cases::case_json(&record, &s.access, state.clock.today())))
}

async fn record(State(state): State<AppState>, ApiSigned(s): ApiSigned, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let id = super::cases::parse_case_id(&id)?;
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_json", format!("the body is not valid JSON: {e}")))?;
    let expected = value.get("expected_version").and_then(Value::as_i64).ok_or_else(|| {
        ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "expected_version",
            "give expected_version: the case version your change is based on",
        )
    })?;
    if let Some(key) = value.as_object().and_then(|o| o.keys().find(|k| !["expected_version", "reason", "events"].contains(&k.as_str()))) {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_field",
            key,
            format!("{key} is not a field of this request: give expected_version, events and optionally reason"),
        ));
    }
    let reason = value.get("reason").and_then(Value::as_str).unwrap_or("recorded through the API").to_owned();
    let items = value
        .get("events")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "events", "give events: a list of case events"))?;
    let mut events = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let event: CaseEvent = serde_json::from_value(item.clone()).map_err(|e| {
            ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &format!("events[{i}]"), format!("event {}: {e}", i + 1))
        })?;
        // An event's unknown field would otherwise be dropped without a word (issue 12 item 7): what the
        // event understood, written back, must hold every field that was given.
        let understood = serde_json::to_value(&event).unwrap_or(Value::Null);
        if let Some(field) = first_unknown_field(item, &understood, &format!("events[{i}]")) {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_field",
                &field,
                format!("event {}: {field} is not a field of a {} event", i + 1, event.type_name()),
            ));
        }
        events.push(event);
    }
    let saved = super::cases::record_for_api(&state, &s.access, id, expected, events, &reason).await?;
    Ok(Json(json!({"case_id": id, "version": saved.version, "stage": saved.value.stage().name()})))
}

/// The path of the first field in `given` that `understood` (the same value read and written back) does
/// not hold, where it is more than an empty value (`null`, `{}`, `[]`, which a default stands for).
fn first_unknown_field(given: &Value, understood: &Value, path: &str) -> Option<String> {
    let empty = |v: &Value| v.is_null() || v.as_object().is_some_and(|o| o.is_empty()) || v.as_array().is_some_and(|a| a.is_empty());
    match (given, understood) {
        (Value::Object(g), Value::Object(u)) => g.iter().find_map(|(key, v)| match u.get(key) {
            None if empty(v) => None,
            None => Some(format!("{path}.{key}")),
            Some(uv) => first_unknown_field(v, uv, &format!("{path}.{key}")),
        }),
        (Value::Array(g), Value::Array(u)) if g.len() == u.len() => {
            g.iter().zip(u).enumerate().find_map(|(i, (gv, uv))| first_unknown_field(gv, uv, &format!("{path}[{i}]")))
        }
        _ => None,
    }
}

async fn child(State(state): State<AppState>, ApiSigned(s): ApiSigned, Path(id): Path<String>) -> ApiResult {
    let id: ChildId = id.parse().map_err(|_| ApiError::not_found())?;
    if s.access.selection().is_none() {
        return Err(ApiError::not_found());
    }
    let (record, facts) = super::children::load(&state, &s.access, id).await?;
    Ok(Json(super::children::child_json(&record, &facts, &s.access, state.clock.today())))
}

async fn pupils(State(state): State<AppState>, ApiSigned(s): ApiSigned) -> ApiResult {
    Ok(Json(json!({"items": super::professionals::pupil_rows(&state, &s).await?})))
}

/// The advice list's query, as `/advice` takes it; `page` read as text so that a bad one is named.
#[derive(Debug, Default, serde::Deserialize)]
struct AdviceQuery {
    #[serde(default)]
    show: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    setting: String,
    #[serde(default)]
    page: Option<String>,
}

/// A professional's advice requests, filtered as `/advice` filters them (`status`, `setting`; `show=open`
/// for open ones only), 50 a page (`page`, from 1), with `total`, `page`, `pages` and `page_size`. Every
/// request by default, as the API gave before it was paged: a client's list does not change meaning.
async fn advice_requests(State(state): State<AppState>, ApiSigned(s): ApiSigned, ApiQuery(q): ApiQuery<AdviceQuery>) -> ApiResult {
    use super::professionals::{advice_rows, filter_advice, ADVICE_PAGE};
    let rows = advice_rows(&state, &s).await?;
    let show = if q.show.trim().is_empty() { "all" } else { q.show.trim() };
    let kept = filter_advice(&rows, show, &q.status, &q.setting);
    let total = kept.len();
    let pages = total.div_ceil(ADVICE_PAGE).max(1);
    let page = match q.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(text) => text.parse::<usize>().ok().filter(|p| (1..=pages).contains(p)).ok_or_else(|| {
            ApiError::field(
                StatusCode::BAD_REQUEST,
                "bad_query",
                "page",
                format!("page must be a whole number from 1 to {pages}, not '{}'", text.chars().take(20).collect::<String>()),
            )
        })?,
    };
    let items: Vec<&Value> = kept.into_iter().skip((page - 1) * ADVICE_PAGE).take(ADVICE_PAGE).collect();
    Ok(Json(json!({"items": items, "total": total, "page": page, "pages": pages, "page_size": ADVICE_PAGE})))
}

async fn my_cases(State(state): State<AppState>, ApiSigned(s): ApiSigned) -> ApiResult {
    Ok(Json(json!({"items": super::family::journey_rows(&state, &s).await?})))
}

async fn my_case(State(state): State<AppState>, ApiSigned(s): ApiSigned, Path(id): Path<String>) -> ApiResult {
    s.access.require(Can::OwnJourney)?;
    let id = super::cases::parse_case_id(&id)?;
    let record = super::cases::load_case(&state, &s.access, id).await?;
    let caseworker = super::family::caseworker_name(&state, &record).await;
    Ok(Json(super::family::journey_json(&record, caseworker, state.clock.today())))
}

async fn dashboard(State(state): State<AppState>, ApiSigned(s): ApiSigned) -> ApiResult {
    let (panels, title) = super::dashboard::panels(&state, &s).await?;
    let panels: Vec<Value> = panels
        .into_iter()
        .map(|p| json!({"key": p.key, "title": p.title, "description": p.description, "table": p.table, "rag": p.rag}))
        .collect();
    Ok(Json(json!({"framework": title, "panels": panels})))
}

async fn audit(State(state): State<AppState>, ApiSigned(s): ApiSigned, ApiQuery(q): ApiQuery<AuditQuery>) -> ApiResult {
    let (rows, errors) = super::audit::entries(&state, &s, &q).await?;
    if let Some(e) = errors.0.first() {
        return Err(ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &e.field, e.text.clone()));
    }
    Ok(Json(json!({"items": rows})))
}

async fn users(State(state): State<AppState>, ApiSigned(s): ApiSigned) -> ApiResult {
    s.access.require(Can::ManageUsers)?;
    let users = state.store.list_users(&s.access.actor()).await?;
    Ok(Json(json!({"items": users})))
}
