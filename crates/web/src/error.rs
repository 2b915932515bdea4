//! How failures reach people. Pages get the GOV.UK error pages ("Page not found", "You do not have
//! permission", "Sorry, there is a problem with the service"); the API gets a JSON body
//! `{"error": {"code", "message", "field"}}`. A record outside the user's access is a 404 exactly like a
//! missing one, so its existence is never revealed. Unexpected failures are logged once, here, with no
//! personal data (store errors carry ids only), and the person sees a generic message.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use waymark_storage::StoreError;

/// A failure while serving a page.
#[derive(Debug)]
pub enum AppError {
    /// Not signed in (or the session ended): go to the sign-in page.
    SignIn,
    /// An administrator without two-step verification: go to its set-up page.
    TwoStepSetup,
    /// No such page or record, or one the user may not see.
    NotFound,
    /// The user's role does not allow this page.
    Forbidden,
    /// The form's CSRF token is missing or wrong.
    Csrf,
    /// Input that cannot be used, with a message for the person.
    BadRequest(String),
    /// Anything else; the message is logged, never shown.
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } | StoreError::OutOfScope { .. } => Self::NotFound,
            StoreError::Invalid(_) | StoreError::Transition(_) | StoreError::Child(_) | StoreError::Conflict { .. } => {
                Self::BadRequest(crate::messages::store_error(&e).unwrap_or_default())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<minijinja::Error> for AppError {
    fn from(e: minijinja::Error) -> Self {
        Self::Internal(format!("template: {e:#}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, template, title) = match &self {
            Self::SignIn => return Redirect::to("/sign-in").into_response(),
            Self::TwoStepSetup => return Redirect::to("/account/two-step").into_response(),
            Self::NotFound => (StatusCode::NOT_FOUND, "errors/404.html", "Page not found"),
            Self::Forbidden => (StatusCode::FORBIDDEN, "errors/403.html", "You do not have permission to see this page"),
            Self::Csrf => (StatusCode::FORBIDDEN, "errors/csrf.html", "Your form could not be sent"),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "errors/400.html", "There is a problem with what was sent"),
            Self::Internal(message) => {
                tracing::error!(error = %message, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "errors/500.html", "Sorry, there is a problem with the service")
            }
        };
        let message = match &self {
            Self::BadRequest(m) => m.clone(),
            _ => String::new(),
        };
        let body = crate::templates::render_error(template, title, &message);
        (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
    }
}

/// A failure in the JSON API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), field: None }
    }
    pub fn field(status: StatusCode, code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), field: Some(field.to_owned()) }
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "there is no such record among those you can see")
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "your role does not allow this")
    }
    pub fn unauthorised() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorised", "sign in first")
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::NotFound { .. } | StoreError::OutOfScope { .. } => Self::not_found(),
            StoreError::Conflict { .. } => Self::new(StatusCode::CONFLICT, "conflict", e.to_string()),
            // The rule id is the code machines read; the message is the catalogue's sentence.
            StoreError::Transition(t) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, t.rule, crate::messages::refusal(t, &[])),
            StoreError::Invalid(_) | StoreError::Child(_) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string()),
            _ => {
                tracing::error!(error = %e, "API request failed");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "sorry, there is a problem with the service")
            }
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::SignIn => Self::unauthorised(),
            AppError::TwoStepSetup => Self::forbidden(),
            AppError::NotFound => Self::not_found(),
            AppError::Forbidden => Self::forbidden(),
            AppError::Csrf => Self::new(StatusCode::FORBIDDEN, "csrf", "send the session's CSRF token in the X-CSRF-Token header"),
            AppError::BadRequest(m) => Self::new(StatusCode::BAD_REQUEST, "bad_request", m),
            AppError::Internal(m) => {
                tracing::error!(error = %m, "API request failed");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "sorry, there is a problem with the service")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message, "field": self.field}});
        (self.status, axum::Json(body)).into_response()
    }
}
