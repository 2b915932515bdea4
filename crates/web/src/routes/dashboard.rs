//! The manager's and board's dashboards: aggregates only, each chart followed by its table.
//!
//! * `/dashboard`: the performance frameworks to choose from, then the live casework panels (cases by
//!   stage, requests and plans by month, 20-week timeliness) with CSV, XLSX and print exports and a
//!   drill-down by stage (managers can go on to the filtered caseload, board members cannot).
//! * `/dashboard/frameworks/ID`: one framework (see [`crate::frameworks`]) with a GET form to drill
//!   down by LA, locality, need and phase; `/data.csv`, `/data.xlsx` and `/print` export it with the
//!   indicators crate's renderers.

use crate::access::Can;
use crate::dashboard::{stage_breakdown, to_csv, to_xlsx, Casework, Framework, Panel};
use crate::error::AppError;
use crate::frameworks::{self, Drill};
use crate::session::Signed;
use crate::templates::{page, render};
use crate::views::{stage_label, STAGES};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use waymark_storage::{IndicatorStore as _, UserStore as _};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(show))
        .route("/dashboard/print", get(print))
        .route("/dashboard.csv", get(csv))
        .route("/dashboard.xlsx", get(xlsx))
        .route("/dashboard/stage/{stage}", get(stage))
        .route("/dashboard/frameworks/{id}", get(framework))
        .route("/dashboard/frameworks/{id}/data.csv", get(framework_csv))
        .route("/dashboard/frameworks/{id}/data.xlsx", get(framework_xlsx))
        .route("/dashboard/frameworks/{id}/print", get(framework_print))
        .route("/dashboard/frameworks/{id}/targets/{indicator}", get(target_page).post(set_target))
        .route("/dashboard/small-numbers", get(threshold_page).post(set_threshold))
}

/// The target page's context: the indicator, its periods with their current targets, and every change.
async fn target_context(
    state: &AppState,
    signed: &Signed,
    id: &str,
    indicator: &str,
) -> Result<(&'static waymark_indicators::Framework, &'static waymark_indicators::Indicator, serde_json::Value), AppError> {
    signed.access.require(Can::SetTargets)?;
    let fw = waymark_indicators::find_framework(frameworks::frameworks(), id).ok_or(AppError::NotFound)?;
    let ind = fw.indicators.iter().find(|i| i.id == indicator).ok_or(AppError::NotFound)?;
    let la = signed.user().la.map(|l| l.to_string()).ok_or_else(|| AppError::BadRequest("your account has no local authority".into()))?;
    let data = state.frameworks.get(state, &signed.access.actor()).await?;
    let results = data.results(&fw.id).ok_or(AppError::NotFound)?;
    let periods: Vec<serde_json::Value> = results
        .rows
        .iter()
        .filter(|r| r.indicator == ind.id && r.la == la && r.cohort == "all")
        .rev()
        .map(|r| {
            json!({
                "value": r.period, "text": r.period,
                "target": r.target.map(|t| waymark_indicators::present::value(t, ind.unit)),
                "figure": waymark_indicators::present::Suppression::NONE.show(ind.unit, r).value,
                "rating": waymark_indicators::present::rating_words(r.rag).0,
            })
        })
        .collect();
    let names: std::collections::HashMap<String, String> = state
        .store
        .list_users(&signed.access.actor())
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u.actor_label(), format!("{} ({})", u.display_name, u.role.label())))
        .collect();
    let history: Vec<serde_json::Value> = state
        .store
        .target_history(&signed.access.actor(), &fw.id, &ind.id)
        .await?
        .into_iter()
        .map(|h| {
            json!({
                "period": h.period,
                "value": h.value.map_or_else(|| "Removed".to_owned(), |v| waymark_indicators::present::value(v, ind.unit)),
                "when": h.recorded_at.get(..16).unwrap_or(&h.recorded_at).replace('T', " at "),
                "who": names.get(&h.actor).cloned().unwrap_or_else(|| "Someone no longer on the users list".to_owned()),
                "reason": h.reason,
            })
        })
        .collect();
    let context = json!({
        "fw": {"id": fw.id, "title": fw.title}, "ind": {"id": ind.id, "title": ind.title, "number": ind.number, "definition": ind.definition,
        "unit": waymark_indicators::render::unit_suffix(ind.unit).trim(), "rated": ind.polarity != waymark_indicators::definition::Polarity::Neutral},
        "periods": periods, "history": history,
    });
    Ok((fw, ind, context))
}

async fn target_page(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, indicator)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let (_, ind, context) = target_context(&state, &signed, &id, &indicator).await?;
    let context = page(
        &signed,
        &format!("Set a target: {}", ind.title),
        "/dashboard",
        merge(context, json!({"errors": [], "error_map": {}, "v": {}})),
    );
    Ok(Html(render("target.html", &context)?))
}

fn merge(mut a: serde_json::Value, b: serde_json::Value) -> serde_json::Value {
    if let (serde_json::Value::Object(a), serde_json::Value::Object(b)) = (&mut a, b) {
        a.extend(b);
    }
    a
}

async fn set_target(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, indicator)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let form = crate::forms::FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let (fw, ind, context) = target_context(&state, &signed, &id, &indicator).await?;
    let mut errors = crate::forms::Errors::default();
    let period = form.get("period");
    let known = context["periods"].as_array().is_some_and(|p| p.iter().any(|x| x["value"] == period.as_str()));
    if !known {
        errors.add("period", "period", "Select the period the target is for");
    }
    let text = form.get("value").trim_end_matches('%').trim().to_owned();
    let value = if text.is_empty() {
        None
    } else {
        match text.replace(',', "").parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 && (ind.unit != waymark_indicators::definition::Unit::Percent || v <= 100.0) => Some(v),
            Ok(_) if ind.unit == waymark_indicators::definition::Unit::Percent => {
                errors.add("value", "value", "Enter a percentage between 0 and 100");
                None
            }
            _ => {
                errors.add("value", "value", "Enter the target as a number, like 60 or 12.5");
                None
            }
        }
    };
    let reason = form.get("reason");
    if reason.is_empty() {
        errors.add("reason", "reason", "Say why the target is set or changed, for the history");
    }
    if errors.is_empty() {
        let la = signed.user().la.map(|l| l.to_string()).unwrap_or_default();
        let record = waymark_storage::TargetRecord { framework: fw.id.clone(), indicator: ind.id.clone(), period, la, value };
        state.store.save_target(&signed.access.actor(), &record, &reason).await?;
        return Ok(crate::routes::cases::see_other(&format!(
            "/dashboard/frameworks/{}#ind-{}",
            fw.id,
            ind.id.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        )));
    }
    let values = json!({"period": form.get("period"), "value": form.get("value"), "reason": form.get("reason")});
    let context = page(
        &signed,
        &format!("Set a target: {}", ind.title),
        "/dashboard",
        merge(context, json!({"errors": errors.0, "error_map": errors.map(), "v": values})),
    );
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(render("target.html", &context)?)).into_response())
}

async fn threshold_page(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    signed.access.require(Can::SetTargets)?;
    let la = signed.user().la.map(|l| l.to_string()).ok_or_else(|| AppError::BadRequest("your account has no local authority".into()))?;
    let threshold = state.store.suppression_threshold(&signed.access.actor(), &la).await?;
    let context = page(
        &signed,
        "Small numbers on board pages",
        "/dashboard",
        json!({"threshold": threshold, "errors": [], "error_map": {}, "v": {"threshold": threshold.to_string()}}),
    );
    Ok(Html(render("small_numbers.html", &context)?))
}

async fn set_threshold(State(state): State<AppState>, signed: Signed, body: axum::body::Bytes) -> Result<Response, AppError> {
    let form = crate::forms::FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::SetTargets)?;
    let la = signed.user().la.map(|l| l.to_string()).ok_or_else(|| AppError::BadRequest("your account has no local authority".into()))?;
    let mut errors = crate::forms::Errors::default();
    let threshold = match form.get("threshold").parse::<u32>() {
        Ok(n) if n <= 100 => Some(n),
        _ => {
            errors.add("threshold", "threshold", "Enter a whole number from 0 to 100");
            None
        }
    };
    let reason = form.get("reason");
    if reason.is_empty() {
        errors.add("reason", "reason", "Say why the threshold is changed, for the record");
    }
    if let (Some(n), true) = (threshold, errors.is_empty()) {
        state.store.set_suppression_threshold(&signed.access.actor(), &la, n, &reason).await?;
        return Ok(crate::routes::cases::see_other("/dashboard"));
    }
    let current = state.store.suppression_threshold(&signed.access.actor(), &la).await?;
    let context = page(
        &signed,
        "Small numbers on board pages",
        "/dashboard",
        json!({"threshold": current, "errors": errors.0, "error_map": errors.map(), "v": {"threshold": form.get("threshold"), "reason": reason}}),
    );
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(render("small_numbers.html", &context)?)).into_response())
}

/// The frameworks offered on the dashboard's first page.
fn framework_list() -> Vec<serde_json::Value> {
    frameworks::frameworks()
        .iter()
        .map(|f| json!({"id": f.id, "title": f.title, "description": f.description, "indicators": f.indicators.len()}))
        .collect()
}

/// A framework's computed results, for a user who may see dashboards.
async fn computed(
    state: &AppState,
    signed: &Signed,
    id: &str,
) -> Result<(&'static waymark_indicators::Framework, std::sync::Arc<frameworks::Computed>), AppError> {
    signed.access.require(Can::Dashboard)?;
    let fw = waymark_indicators::find_framework(frameworks::frameworks(), id).ok_or(AppError::NotFound)?;
    let data = state.frameworks.get(state, &signed.access.actor()).await?;
    if data.results(&fw.id).is_none() {
        return Err(AppError::NotFound);
    }
    Ok((fw, data))
}

async fn framework(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(drill): Query<Drill>,
) -> Result<Html<String>, AppError> {
    let (fw, data) = computed(&state, &signed, &id).await?;
    let results = data.results(&fw.id).ok_or(AppError::NotFound)?;
    let view = frameworks::view(fw, results, &data.areas, &drill, data.suppression, signed.access.can(Can::SetTargets));
    let context = page(
        &signed,
        &format!("Dashboard: {}", fw.title),
        "/dashboard",
        json!({"fw": view, "today": crate::views::long_date(data.today), "partial_year": data.partial_year}),
    );
    Ok(Html(render("framework.html", &context)?))
}

fn file_name(id: &str, ext: &str) -> String {
    let safe: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    format!("attachment; filename=\"waymark-{safe}.{ext}\"")
}

async fn framework_csv(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    let (fw, data) = computed(&state, &signed, &id).await?;
    let results = data.results(&fw.id).ok_or(AppError::NotFound)?;
    let body = frameworks::csv(fw, results, data.suppression)?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, file_name(&fw.id, "csv"))], body)
        .into_response())
}

async fn framework_xlsx(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(drill): Query<Drill>,
) -> Result<Response, AppError> {
    let (fw, data) = computed(&state, &signed, &id).await?;
    let results = data.results(&fw.id).ok_or(AppError::NotFound)?;
    let area = pick_area(&data.areas, &drill.la);
    let bytes = waymark_indicators::render::xlsx(fw, results, Some(&area), data.suppression)
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, file_name(&fw.id, "xlsx")),
        ],
        bytes,
    )
        .into_response())
}

fn pick_area(areas: &[String], asked: &str) -> String {
    if areas.iter().any(|a| a == asked) {
        asked.to_owned()
    } else {
        areas.iter().find(|a| *a != "england").or(areas.first()).cloned().unwrap_or_default()
    }
}

async fn framework_print(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(drill): Query<Drill>,
) -> Result<Response, AppError> {
    let (fw, data) = computed(&state, &signed, &id).await?;
    let results = data.results(&fw.id).ok_or(AppError::NotFound)?;
    let (html, csp) = frameworks::print_html(fw, results, &pick_area(&data.areas, &drill.la), data.suppression);
    Ok(([(header::CONTENT_SECURITY_POLICY, csp), (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned())], html).into_response())
}

pub async fn panels(state: &AppState, signed: &Signed) -> Result<(Vec<Panel>, &'static str), AppError> {
    signed.access.require(Can::Dashboard)?;
    let data = state.caseload.get(state, &signed.access.actor(), "aggregate").await?;
    let framework = Casework::default();
    tracing::debug!(framework = framework.key(), "dashboard computed");
    Ok((framework.panels(&data), framework.title()))
}

async fn render_dashboard(state: &AppState, signed: &Signed, print: bool) -> Result<Html<String>, AppError> {
    let (panels, title) = panels(state, signed).await?;
    let la = signed.user().la.map(|l| l.to_string()).unwrap_or_default();
    let context = page(
        signed,
        "Dashboard",
        "/dashboard",
        json!({"panels": panels, "framework": title, "la": la, "print": print, "today": crate::views::long_date(state.clock.today()), "frameworks": framework_list(), "can_set_targets": signed.access.can(Can::SetTargets)}),
    );
    Ok(Html(render("dashboard.html", &context)?))
}

async fn show(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    render_dashboard(&state, &signed, false).await
}

async fn print(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    render_dashboard(&state, &signed, true).await
}

async fn csv(State(state): State<AppState>, signed: Signed) -> Result<Response, AppError> {
    let (panels, _) = panels(&state, &signed).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"waymark-dashboard.csv\""),
        ],
        to_csv(&panels),
    )
        .into_response())
}

async fn xlsx(State(state): State<AppState>, signed: Signed) -> Result<Response, AppError> {
    let (panels, _) = panels(&state, &signed).await?;
    let bytes = to_xlsx(&panels).map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"waymark-dashboard.xlsx\""),
        ],
        bytes,
    )
        .into_response())
}

async fn stage(State(state): State<AppState>, signed: Signed, Path(stage): Path<String>) -> Result<Html<String>, AppError> {
    signed.access.require(Can::Dashboard)?;
    if !STAGES.contains(&stage.as_str()) {
        return Err(AppError::NotFound);
    }
    let data = state.caseload.get(&state, &signed.access.actor(), "aggregate").await?;
    let (needs, waits) = stage_breakdown(&data, &stage);
    let context = page(
        &signed,
        &format!("Dashboard: {}", stage_label(&stage)),
        "/dashboard",
        json!({"drill": {"stage": stage, "label": stage_label(&stage), "needs": needs, "waits": waits, "caseload": signed.access.can(Can::Caseload)}}),
    );
    Ok(Html(render("dashboard.html", &context)?))
}
