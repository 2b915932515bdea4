//! Placements from the case page and the API: record that a child attends a setting (found by name,
//! from the GIAS establishments, or by URN), move them to a new setting (the current main placement
//! ends the day before), and end a placement. LA caseworkers and managers only; the child is reached
//! through the case, so through the user's selection; every write is audited by the store.

use crate::access::Can;
use crate::error::{ApiError, AppError};
use crate::forms::{parse_date, Errors, FormData};
use crate::query::PageQuery;
use crate::routes::cases::{load_case, parse_case_id, see_other};
use crate::session::{ApiSigned, Signed};
use crate::templates::{page, render};
use crate::views::long_date;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use waymark_domain::calendar::Date;
use waymark_domain::identifiers::{SettingRef, Urn};
use waymark_domain::ids::CaseId;
use waymark_domain::placement::Placement;
use waymark_storage::{EstablishmentStore, PlacementStore, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/placements/new", get(new_form).post(record))
        .route("/cases/{id}/placements/{pid}/end", get(end_form).post(end))
        .route("/api/v1/cases/{id}/placements", post(api_record))
        .route("/api/v1/cases/{id}/placements/{pid}/end", post(api_end))
}

#[derive(Debug, Default, serde::Deserialize)]
struct FindQuery {
    #[serde(default)]
    find: String,
}

/// A placement as the web records it: a URN, main or dual registration, from a date.
fn placement(urn: Urn, rank: u8, entry: Date) -> Placement {
    Placement {
        setting: SettingRef::Urn(urn),
        rank,
        entry,
        leaving: None,
        sen_unit: false,
        resourced_provision: false,
        residential: None,
        work_based: None,
        setting_la: None,
    }
}

async fn render_new(
    state: &AppState,
    signed: &Signed,
    id: CaseId,
    find: &str,
    form: &FormData,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let record = load_case(state, &signed.access, id).await?;
    let found: Vec<Value> = state
        .store
        .find_establishments(find, 20)
        .await?
        .iter()
        .map(|e| json!({"urn": e.urn.to_string(), "text": format!("{} (URN {}), {}, {}", e.name, e.urn, e.la_name, e.status)}))
        .collect();
    let s = &record.snapshot;
    let has_main = s.placements.iter().any(|p| p.rank == 1 && p.leaving.is_none());
    let mut values = serde_json::Map::new();
    for k in ["urn", "rank", "replace"] {
        values.insert(k.into(), json!(form.get(k)));
    }
    let context = page(
        signed,
        "Record a placement",
        "/caseload",
        json!({
            "case_id": id, "child_name": format!("{} {}", s.child.name.forename(), s.child.name.surname()),
            "find": find, "found": found, "searched": !find.trim().is_empty(), "has_main": has_main,
            "v": values, "date": crate::forms::DateParts::from_form(form, "entry"),
            "errors": errors.0, "error_map": errors.map(),
        }),
    );
    Ok((status, Html(render("placement_form.html", &context)?)).into_response())
}

async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<FindQuery>,
) -> Result<Response, AppError> {
    signed.access.require(Can::Casework)?;
    let id = parse_case_id(&id)?;
    let mut form = FormData::default();
    if q.find.trim().parse::<Urn>().is_ok() {
        form.0.insert("urn".into(), vec![q.find.trim().to_owned()]);
    }
    render_new(&state, &signed, id, &q.find, &form, &Errors::default(), StatusCode::OK).await
}

async fn record(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::Casework)?;
    let id = parse_case_id(&id)?;
    let record = load_case(&state, &signed.access, id).await?;
    let mut errors = Errors::default();
    let urn = form
        .get("urn")
        .parse::<Urn>()
        .map_err(|_| errors.add("urn", "urn", "Enter the URN of the school or setting: up to 6 digits, like 851001, or find it by name"))
        .ok();
    let rank = match form.get("rank").as_str() {
        "2" => 2,
        _ => 1,
    };
    let today = state.clock.today();
    let entry = parse_date(&form, "entry", "the date they started", None, &mut errors);
    let (Some(urn), Some(entry)) = (urn, entry) else {
        return render_new(&state, &signed, id, "", &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let _ = today;
    let actor = signed.access.actor();
    let child = record.snapshot.summary.child_id;
    if form.get("replace") == "yes" && rank == 1 {
        // A move: the current main placement ends the day before the new one starts.
        let current = state.store.placements_for_child(&actor, child).await?;
        for p in current.iter().filter(|p| p.value.placement.rank == 1 && p.value.placement.leaving.is_none()) {
            let leaving = entry.pred_opt().unwrap_or(entry);
            if let Err(e) =
                state.store.end_placement(&actor, p.value.placement_id, p.version, leaving, "moved to a new setting (case page)").await
            {
                errors.add(
                    "entry-day",
                    "entry-day",
                    crate::messages::store_error(&e).unwrap_or_else(|| "The current placement could not be ended.".into()),
                );
                return render_new(&state, &signed, id, "", &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        }
    }
    match state.store.record_placement(&actor, child, placement(urn, rank, entry), "recorded on the case page").await {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done=placement"))),
        Err(e @ (StoreError::Invalid(_) | StoreError::Child(_))) => {
            errors.add("urn", "urn", crate::messages::store_error(&e).unwrap_or_default());
            render_new(&state, &signed, id, "", &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn end_page(
    state: &AppState,
    signed: &Signed,
    id: CaseId,
    pid: &str,
    form: &FormData,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let record = load_case(state, &signed.access, id).await?;
    let list = state.store.placements_for_child(&signed.access.actor(), record.snapshot.summary.child_id).await?;
    let p = list.iter().find(|p| p.value.placement_id.to_string() == pid).ok_or(AppError::NotFound)?;
    let names = crate::views::setting_names(&state.store, std::slice::from_ref(&p.value.placement)).await;
    let s = &record.snapshot;
    let context = page(
        signed,
        "End a placement",
        "/caseload",
        json!({
            "case_id": id, "pid": pid, "version": p.version,
            "child_name": format!("{} {}", s.child.name.forename(), s.child.name.surname()),
            "setting": crate::views::setting_named(&p.value.placement, &names), "entry": long_date(p.value.placement.entry),
            "date": crate::forms::DateParts::from_form(form, "leaving"), "errors": errors.0, "error_map": errors.map(),
        }),
    );
    Ok((status, Html(render("placement_end.html", &context)?)).into_response())
}

async fn end_form(State(state): State<AppState>, signed: Signed, Path((id, pid)): Path<(String, String)>) -> Result<Response, AppError> {
    signed.access.require(Can::Casework)?;
    end_page(&state, &signed, parse_case_id(&id)?, &pid, &FormData::default(), &Errors::default(), StatusCode::OK).await
}

async fn end(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, pid)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::Casework)?;
    let id = parse_case_id(&id)?;
    let record = load_case(&state, &signed.access, id).await?;
    let mut errors = Errors::default();
    let leaving = parse_date(&form, "leaving", "the last day they attended", None, &mut errors);
    let version = form.get("version").parse::<i64>().ok();
    let placement_id: uuid::Uuid = pid.parse().map_err(|_| AppError::NotFound)?;
    let owned = state.store.placements_for_child(&signed.access.actor(), record.snapshot.summary.child_id).await?;
    if !owned.iter().any(|p| p.value.placement_id == placement_id) {
        return Err(AppError::NotFound);
    }
    let (Some(leaving), Some(version)) = (leaving, version) else {
        return end_page(&state, &signed, id, &pid, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match state.store.end_placement(&signed.access.actor(), placement_id, version, leaving, "ended on the case page").await {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done=placement-end"))),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict { .. })) => {
            errors.add("leaving", "leaving-day", crate::messages::store_error(&e).unwrap_or_default());
            end_page(&state, &signed, id, &pid, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

fn api_field(field: &str, message: &str) -> ApiError {
    ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "invalid", field, message)
}

/// `POST /api/v1/cases/{id}/placements` `{"urn": "851001", "rank": 1, "entry": "2026-09-01", "replace": false}`.
async fn api_record(
    State(state): State<AppState>,
    ApiSigned(s): ApiSigned,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    s.access.require(Can::Casework)?;
    let id = parse_case_id(&id)?;
    let record = load_case(&state, &s.access, id).await?;
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_json", format!("the body is not valid JSON: {e}")))?;
    let urn: Urn =
        v["urn"].as_str().and_then(|u| u.parse().ok()).ok_or_else(|| api_field("urn", "give urn: the setting's URN, up to 6 digits"))?;
    let entry: Date = v["entry"]
        .as_str()
        .and_then(|d| waymark_domain::calendar::parse_iso_date(d).ok())
        .ok_or_else(|| api_field("entry", "give entry: the start date, YYYY-MM-DD"))?;
    let rank = u8::try_from(v["rank"].as_u64().unwrap_or(1)).unwrap_or(0);
    if !(1..=2).contains(&rank) {
        return Err(api_field("rank", "rank is 1 (main) or 2 (dual registration)"));
    }
    let actor = s.access.actor();
    let child = record.snapshot.summary.child_id;
    if v["replace"].as_bool() == Some(true) && rank == 1 {
        for p in state
            .store
            .placements_for_child(&actor, child)
            .await?
            .iter()
            .filter(|p| p.value.placement.rank == 1 && p.value.placement.leaving.is_none())
        {
            state
                .store
                .end_placement(&actor, p.value.placement_id, p.version, entry.pred_opt().unwrap_or(entry), "moved to a new setting (API)")
                .await?;
        }
    }
    let saved = state.store.record_placement(&actor, child, placement(urn, rank, entry), "recorded through the API").await?;
    Ok(Json(json!({"placement_id": saved.value.placement_id, "version": saved.version, "child_id": child})))
}

/// `POST /api/v1/cases/{id}/placements/{pid}/end` `{"expected_version": 1, "leaving": "2026-12-18"}`.
async fn api_end(
    State(state): State<AppState>,
    ApiSigned(s): ApiSigned,
    Path((id, pid)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    s.access.require(Can::Casework)?;
    let id = parse_case_id(&id)?;
    let record = load_case(&state, &s.access, id).await?;
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_json", format!("the body is not valid JSON: {e}")))?;
    let placement_id: uuid::Uuid = pid.parse().map_err(|_| ApiError::not_found())?;
    let owned = state.store.placements_for_child(&s.access.actor(), record.snapshot.summary.child_id).await?;
    if !owned.iter().any(|p| p.value.placement_id == placement_id) {
        return Err(ApiError::not_found());
    }
    let version =
        v["expected_version"].as_i64().ok_or_else(|| api_field("expected_version", "give expected_version: the placement's version"))?;
    let leaving: Date = v["leaving"]
        .as_str()
        .and_then(|d| waymark_domain::calendar::parse_iso_date(d).ok())
        .ok_or_else(|| api_field("leaving", "give leaving: the last day attended, YYYY-MM-DD"))?;
    let saved = state.store.end_placement(&s.access.actor(), placement_id, version, leaving, "ended through the API").await?;
    Ok(Json(json!({"placement_id": saved.value.placement_id, "version": saved.version})))
}
