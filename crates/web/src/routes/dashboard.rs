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
    let view = frameworks::view(fw, results, &data.areas, &drill);
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
    let body = frameworks::csv(results)?;
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
    let bytes = waymark_indicators::render::xlsx(fw, results, Some(&area)).map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
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
    let (html, csp) = frameworks::print_html(fw, results, &pick_area(&data.areas, &drill.la));
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
        json!({"panels": panels, "framework": title, "la": la, "print": print, "today": crate::views::long_date(state.clock.today()), "frameworks": framework_list()}),
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
