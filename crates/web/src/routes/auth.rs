//! Signing in and out.

use crate::error::AppError;
use crate::forms::{Errors, FormData};
use crate::session::{self, attempt_sign_in, cookie, random_token, same_secret, set_cookie, MaybeSigned, SignInOutcome, Signed};
use crate::templates::render;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;
use std::net::SocketAddr;
use waymark_storage::{AccountStore, UserStore};

pub fn router() -> Router<AppState> {
    Router::new().route("/sign-in", get(show).post(submit)).route("/sign-out", post(sign_out))
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    #[serde(default)]
    signed_out: Option<String>,
    #[serde(default)]
    password_set: Option<String>,
}

fn sign_in_page(
    state: &AppState,
    status: StatusCode,
    username: &str,
    errors: &Errors,
    signed_out: bool,
    password_set: bool,
) -> Result<Response, AppError> {
    let token = random_token();
    let map = errors.map();
    let html = render(
        "sign_in.html",
        &json!({
            "title": "Sign in",
            "signin_csrf": token,
            "username": username,
            "errors": errors.0,
            "username_error": map.get("username"),
            "password_error": map.get("password"),
            "signed_out": signed_out,
            "password_set": password_set,
            "sso": state.sso.is_some(),
        }),
    )?;
    Ok((status, [(header::SET_COOKIE, set_cookie(state, session::SIGNIN_COOKIE, &token, Some(3600)))], Html(html)).into_response())
}

async fn show(State(state): State<AppState>, MaybeSigned(signed): MaybeSigned, Query(q): Query<ShowQuery>) -> Result<Response, AppError> {
    if let Some(s) = signed {
        return Ok(Redirect::to(s.access.home()).into_response());
    }
    sign_in_page(&state, StatusCode::OK, "", &Errors::default(), q.signed_out.is_some(), q.password_set.is_some())
}

async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    let expected = cookie(&headers, &session::cookie_name(&state, session::SIGNIN_COOKIE)).unwrap_or_default();
    if !same_secret(&form.get("csrf"), expected) {
        return Err(AppError::Csrf);
    }
    let (username, password) = (form.get("username"), form.raw("password"));
    let mut errors = Errors::default();
    if username.is_empty() {
        errors.add("username", "username", "Enter your username");
    }
    if password.is_empty() {
        errors.add("password", "password", "Enter your password");
    }
    if !errors.is_empty() {
        return sign_in_page(&state, StatusCode::UNPROCESSABLE_ENTITY, &username, &errors, false, false);
    }
    match attempt_sign_in(&state, &username, &password, &peer.ip().to_string()).await? {
        SignInOutcome::Ok { user } => {
            // Two-step verification, once set up, is asked for before any session exists.
            if state.store.two_step(user.id).await?.confirmed {
                return crate::routes::account::begin_code_challenge(&state, &user).await;
            }
            crate::routes::account::finish_sign_in(&state, &user).await
        }
        SignInOutcome::WrongDetails => {
            errors.add("username", "username", "Enter a correct username and password");
            sign_in_page(&state, StatusCode::UNPROCESSABLE_ENTITY, &username, &errors, false, false)
        }
        SignInOutcome::Throttled => {
            let minutes = state.config.throttle_window.num_minutes();
            errors.add("username", "username", format!("You have tried to sign in too many times. Wait {minutes} minutes, then try again"));
            sign_in_page(&state, StatusCode::TOO_MANY_REQUESTS, &username, &errors, false, false)
        }
    }
}

async fn sign_out(State(state): State<AppState>, signed: Signed, body: Bytes) -> Result<Response, AppError> {
    signed.check_csrf(Some(&FormData::parse(&body).get("csrf")))?;
    state.store.delete_session(&signed.token_hash).await?;
    tracing::info!(user_id = %signed.user().id, "signed out");
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, set_cookie(&state, session::SESSION_COOKIE, "", Some(0))),
            (header::LOCATION, "/sign-in?signed_out=1".parse().expect("static")),
        ],
    )
        .into_response())
}
