//! The manager's and board's dashboard: aggregates only, each chart followed by its table, with CSV,
//! XLSX and print exports, and a drill-down by stage (counts by need and by whom cases wait on;
//! managers can go on to the filtered caseload, board members cannot).

use crate::access::Can;
use crate::dashboard::{stage_breakdown, to_csv, to_xlsx, Casework, Framework, Panel};
use crate::error::AppError;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::views::{stage_label, STAGES};
use crate::AppState;
use axum::extract::{Path, State};
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
        json!({"panels": panels, "framework": title, "la": la, "print": print, "today": crate::views::long_date(state.clock.today())}),
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
