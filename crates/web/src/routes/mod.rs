//! Every route, one module per resource, each with its own `router()`.

mod account;
mod admin;
mod admin_sen2;
pub mod api;
mod audit;
mod auth;
mod caseload;
mod cases;
mod children;
mod complaints;
mod contributions;
mod coproduction;
mod dashboard;
mod documents;
mod family;
mod forecast;
mod letters;
mod local_offer;
mod local_offer_manage;
mod local_offer_report;
mod my_work;
mod notifications;
mod openapi;
mod ops;
mod oruk;
mod placements;
mod professionals;
mod search;
mod sen2;
mod sso;
mod strategy;
mod surveys;
mod voice;

use crate::error::AppError;
use crate::session::MaybeSigned;
use crate::AppState;
pub use account::two_step_required;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(start))
        .route("/accessibility", get(accessibility))
        .route("/assets/{*path}", get(crate::assets::serve))
        .merge(auth::router())
        .merge(caseload::router())
        .merge(cases::router())
        .merge(children::router())
        .merge(professionals::router())
        .merge(family::router())
        .merge(dashboard::router())
        .merge(forecast::router())
        .merge(audit::router())
        .merge(sen2::router())
        .merge(admin::router())
        .merge(search::router())
        .merge(my_work::router())
        .merge(admin_sen2::router())
        .merge(placements::router())
        .merge(ops::router())
        .merge(documents::router())
        .merge(notifications::router())
        .merge(account::router())
        .merge(local_offer::router())
        .merge(local_offer_report::router())
        .merge(local_offer_manage::router())
        .merge(surveys::router())
        .merge(complaints::router())
        .merge(coproduction::router())
        .merge(strategy::router())
        .merge(voice::router())
        .merge(letters::router())
        .merge(contributions::router())
        .merge(sso::router())
        .nest("/api", api::router())
        .fallback(|| async { AppError::NotFound })
        .with_state(state)
}

async fn start(MaybeSigned(signed): MaybeSigned) -> Response {
    match signed {
        Some(s) => Redirect::to(s.access.home()).into_response(),
        None => Redirect::to("/sign-in").into_response(),
    }
}

async fn accessibility(MaybeSigned(signed): MaybeSigned) -> Result<Html<String>, AppError> {
    let context = match &signed {
        Some(s) => crate::templates::page(s, "Accessibility statement", "/accessibility", serde_json::json!({})),
        None => serde_json::json!({"title": "Accessibility statement"}),
    };
    Ok(Html(crate::templates::render("accessibility.html", &context)?))
}
