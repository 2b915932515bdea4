//! Security headers on every response, and one log line per request with the route (its pattern, not
//! the path, so no id or query string), the status, the latency, a request id (also sent back as
//! `X-Request-Id`) and the signed-in user's id: never personal data. A refused read of a child's or a
//! case's record (403 or 404) is written to the audit log: who tried which record.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tracing::Instrument;
use waymark_storage::Actor;

/// What the request's handlers learn for its log line and audit: the signed-in user (set when the
/// session is loaded).
#[derive(Clone, Default)]
pub struct RequestContext {
    pub actor: Arc<Mutex<Option<(String, Actor)>>>,
}

impl RequestContext {
    /// Note the signed-in user (their id, and their actor for the audit).
    pub fn set_user(&self, user_id: String, actor: Actor) {
        if let Ok(mut slot) = self.actor.lock() {
            *slot = Some((user_id, actor));
        }
    }
}

/// The child or case a route names, from its pattern and the path: `("case", id)` for `/cases/{id}...`
/// and `/api/v1/cases/{id}`, `("child", id)` for the children's records.
fn record_of(route: &str, path: &str) -> Option<(&'static str, String)> {
    let what = if route.starts_with("/cases/{id}")
        || route.starts_with("/api/v1/cases/{id}")
        || route.starts_with("/my-cases/{id}")
        || route.starts_with("/api/v1/my-cases/{id}")
    {
        "case"
    } else if route.starts_with("/children/{id}") || route.starts_with("/api/v1/children/{id}") {
        "child"
    } else {
        return None;
    };
    let at = route.split('/').position(|s| s == "{id}")?;
    Some((what, path.split('/').nth(at)?.to_owned()))
}

/// No inline script or style anywhere: every script and stylesheet is a file from this origin.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
connect-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'";

pub async fn headers_and_logging(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let method = request.method().clone();
    let is_asset = request.uri().path().starts_with("/assets/");
    let path = request.uri().path().to_owned();
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let context = RequestContext::default();
    let mut request = request;
    request.extensions_mut().insert(context.clone());
    let span = tracing::info_span!("request", request_id = %request_id);
    let mut response = next.run(request).instrument(span).await;
    let headers = response.headers_mut();
    // A handler may set a stricter policy of its own (the print version allows its one style element
    // by hash); every other response gets this one.
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    // The public ORUK API sets `cross-origin` so other directories can read it; everything else is same-origin.
    headers.entry("cross-origin-resource-policy").or_insert(HeaderValue::from_static("same-origin"));
    headers.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"));
    if !is_asset {
        // Pages hold personal data: never kept by the browser or a proxy.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("x-request-id", value);
    }
    let status = response.status().as_u16();
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let route = route.as_deref().unwrap_or(if is_asset { "/assets/*" } else { "(no route)" });
    let signed = context.actor.lock().ok().and_then(|s| s.clone());
    let user_id = signed.as_ref().map_or("-", |(id, _)| id.as_str()).to_owned();
    if matches!(status, 403 | 404) {
        if let (Some((id, actor)), Some((what, target))) = (&signed, record_of(route, &path)) {
            // Probing leaves a trace: who tried which record. An id that is not a UUID names nothing.
            let (child, case) = match what {
                "case" => (None, target.parse().ok()),
                _ => (target.parse().ok(), None),
            };
            if child.is_some() || case.is_some() {
                if let Err(e) = state.store.audit_refused_read(actor, what, child, case).await {
                    tracing::error!(error = %e, user_id = %id, "a refused read could not be audited");
                }
            }
        }
    }
    state.metrics.observe(&method, route, status, started.elapsed().as_secs_f64());
    if status >= 500 {
        tracing::warn!(%method, route, status, micros, request_id, user_id, "request");
    } else {
        tracing::info!(%method, route, status, micros, request_id, user_id, "request");
    }
    response
}
