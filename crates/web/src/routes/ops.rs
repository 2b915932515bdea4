//! Endpoints for the council's operators and their monitoring, not for people: `/healthz` (the process
//! answers), `/readyz` (the database answers, its schema is current and the dashboards are warmed: 503
//! otherwise, so a load
//! balancer sends no traffic to a process that cannot serve) and `/metrics` (Prometheus text). None
//! needs a session and none shows personal data; `docs/deploy.md` says to keep `/metrics` off the
//! public proxy.

use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.readiness().await {
        // The dashboards' tables are read as the process starts (seconds at a large area): until then
        // a board member's first view would wait, so the load balancer waits instead.
        Ok(()) if state.frameworks_warming() => (StatusCode::SERVICE_UNAVAILABLE, "not ready: warming up the dashboards").into_response(),
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready: the database cannot serve (see the service log)").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    match state.store.ops_counts().await {
        Ok(counts) => state.metrics.set_store(counts),
        Err(e) => tracing::warn!(error = %e, "store counters unavailable for /metrics"),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render()).into_response()
}
