//! A person's own account security: setting their password from an invitation (`/invitation/{token}`),
//! two-step verification (`/account/two-step`, RFC 6238 time-based codes with `totp-rs`; the second
//! step of signing in at `/sign-in/code`), and their sessions (listed on `/account`, ended with
//! `POST /account/sessions/end`).
//!
//! TOTP codes are checked against the real time, not the injected clock: they come from the person's
//! phone, which keeps real time even when the service counts deadlines to a demonstration date.

use crate::error::AppError;
use crate::forms::{Errors, FormData};
use crate::routes::cases::see_other;
use crate::session::{self, cookie, random_token, same_secret, set_cookie, sha256_hex, Signed, MIN_PASSWORD};
use crate::templates::{page, render};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};
use waymark_storage::{AccountStore, InvitationState, Role, SsoStore, UserRecord, UserStore};

/// The cookie holding a sign-in that passed its password and waits for its code.
pub const CHALLENGE_COOKIE: &str = "waymark_code";
/// How long a half-done sign-in waits for its code.
const CHALLENGE_MINUTES: i64 = 5;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/invitation/{token}", get(invitation_form).post(invitation_submit))
        .route("/account/two-step", get(two_step_form).post(two_step_submit))
        .route("/account/sessions/end", post(end_session))
        .route("/sign-in/code", get(code_form).post(code_submit))
}

/// Whether a role must use two-step verification: administrators always (issue 13, item 7).
pub fn two_step_required(role: Role) -> bool {
    role == Role::LaAdmin
}

/// Whether a role is offered two-step verification: staff (families sign in rarely and from shared
/// devices; it is not offered to them yet).
pub fn two_step_offered(role: Role) -> bool {
    !matches!(role, Role::ParentCarer | Role::YoungPerson)
}

fn totp(secret_base32: &str, account: &str) -> Result<TOTP, AppError> {
    let bytes = Secret::Encoded(secret_base32.to_owned()).to_bytes().map_err(|e| AppError::Internal(format!("TOTP secret: {e:?}")))?;
    // SHA-1, 6 digits, 30-second steps: RFC 6238's defaults, which every authenticator app reads.
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, Some("Waymark".to_owned()), account.to_owned())
        .map_err(|e| AppError::Internal(format!("TOTP: {e:?}")))
}

/// The RFC 6238 time step (Unix time / 30 s) a typed code (spaces allowed) is right for, one step
/// either side of `now` for clock drift; `None` for a wrong or malformed code. The caller then uses the
/// step once ([`waymark_storage::AccountStore::use_totp_step`], RFC 6238 section 5.2).
pub fn code_step(secret_base32: &str, account: &str, code: &str, now: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret_base32, account).ok()?;
    let step_now = now / t.step;
    // Every candidate is computed and compared without stopping early, so timing does not say which matched.
    let mut found = None;
    for step in step_now.saturating_sub(1)..=step_now + 1 {
        let expected = t.generate(step * t.step);
        let same = expected.bytes().zip(code.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if same && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// Seconds since the Unix epoch, for TOTP codes (the real time: the codes come from the person's phone).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Whether a code is right now and not used before for this account: its step is then used up.
pub async fn use_code(state: &AppState, user: &UserRecord, secret: &str, code: &str) -> Result<CodeCheck, AppError> {
    let Some(step) = code_step(secret, &user.username, code, unix_now()) else { return Ok(CodeCheck::Wrong) };
    if state.store.use_totp_step(user.id, step).await? {
        Ok(CodeCheck::Right)
    } else {
        Ok(CodeCheck::AlreadyUsed)
    }
}

/// What a typed code turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Right,
    Wrong,
    /// Right, but already used (RFC 6238 section 5.2).
    AlreadyUsed,
}

/// The message for a code already used.
pub const CODE_USED: &str = "That code has already been used. Wait for your authenticator app to show a new code, then enter it";

/// A QR code of `text` as an inline SVG (dark modules as one path), for the authenticator app to scan.
pub fn qr_svg(text: &str) -> Result<String, AppError> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).map_err(|e| AppError::Internal(format!("QR code: {e:?}")))?;
    let (size, border) = (qr.size(), 4);
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    let full = size + 2 * border;
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" width=\"200\" height=\"200\" role=\"img\" aria-labelledby=\"qr-title\"><title id=\"qr-title\">QR code for your authenticator app (the key is also given in text below)</title><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/><path d=\"{path}\" fill=\"#000000\"/></svg>"
    ))
}

/// The account page's sessions table.
pub async fn session_rows(state: &AppState, signed: &Signed) -> Result<Vec<Value>, AppError> {
    Ok(state
        .store
        .sessions_of(signed.user().id)
        .await?
        .iter()
        .map(|s| {
            json!({
                "id": public_session_id(&s.token_hash), "created": crate::routes::notifications::when(s.created_at),
                "last_seen": crate::routes::notifications::when(s.last_seen_at), "current": s.token_hash == signed.token_hash,
            })
        })
        .collect())
}

/// A session as named in a page: a hash of its token's hash, so the page never holds the stored key.
fn public_session_id(token_hash: &str) -> String {
    sha256_hex(token_hash)[..32].to_owned()
}

/// The account page's two-step verification summary.
pub async fn two_step_summary(state: &AppState, signed: &Signed) -> Result<Value, AppError> {
    let role = signed.user().role;
    let two = state.store.two_step(signed.user().id).await?;
    // Staff who sign in with their council account use its two-step verification, not Waymark's.
    let council = state.store.signs_in_with_provider(signed.user().id).await?;
    Ok(
        json!({"on": two.confirmed, "offered": two_step_offered(role) && !council, "required": two_step_required(role) && !council, "council": council}),
    )
}

async fn end_session(State(state): State<AppState>, signed: Signed, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let wanted = form.get("session");
    let sessions = state.store.sessions_of(signed.user().id).await?;
    let Some(found) = sessions.iter().find(|s| public_session_id(&s.token_hash) == wanted && !wanted.is_empty()) else {
        return Err(AppError::BadRequest(
            "That session has already ended. Go back to your account page to see where you are signed in.".into(),
        ));
    };
    state.store.end_own_session(signed.user().id, &found.token_hash).await?;
    tracing::info!(user_id = %signed.user().id, "a session was ended by its owner");
    Ok(see_other("/account#sessions"))
}

async fn two_step_page(state: &AppState, signed: &Signed, errors: &Errors, status: StatusCode) -> Result<Response, AppError> {
    let user = signed.user();
    if !two_step_offered(user.role) {
        return Err(AppError::NotFound);
    }
    let current = state.store.two_step(user.id).await?;
    if current.confirmed {
        let context = page(signed, "Two-step verification", "/account", json!({"done": true}));
        return Ok((status, Html(render("two_step.html", &context)?)).into_response());
    }
    let secret = match current.secret {
        Some(s) => s,
        None => {
            let s = Secret::generate_secret().to_encoded().to_string();
            state.store.begin_two_step(user.id, &s).await?;
            s
        }
    };
    let url = totp(&secret, &user.username)?.get_url();
    let spaced: String = secret.chars().collect::<Vec<_>>().chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ");
    let context = page(
        signed,
        "Set up two-step verification",
        "/account",
        json!({"qr": qr_svg(&url)?, "secret": spaced, "required": two_step_required(user.role), "errors": errors.0, "code_error": errors.map().get("code")}),
    );
    Ok((status, Html(render("two_step.html", &context)?)).into_response())
}

async fn two_step_form(State(state): State<AppState>, signed: Signed) -> Result<Response, AppError> {
    two_step_page(&state, &signed, &Errors::default(), StatusCode::OK).await
}

async fn two_step_submit(State(state): State<AppState>, signed: Signed, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let current = state.store.two_step(signed.user().id).await?;
    let mut errors = Errors::default();
    match current.secret {
        Some(secret) if !current.confirmed => {
            let code = form.get("code");
            if code.is_empty() {
                errors.add("code", "code", "Enter the 6-digit code from your authenticator app");
            } else {
                match use_code(&state, signed.user(), &secret, &code).await? {
                    CodeCheck::Wrong => errors.add("code", "code", "The code is not right. Enter the 6-digit code your app shows now"),
                    CodeCheck::AlreadyUsed => errors.add("code", "code", CODE_USED),
                    CodeCheck::Right => {
                        state.store.confirm_two_step(signed.user().id).await?;
                        return Ok(see_other("/account?two_step=on#two-step"));
                    }
                }
            }
        }
        _ => return Ok(see_other("/account#two-step")),
    }
    two_step_page(&state, &signed, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// After a right password for an account with two-step verification: remember the half-done sign-in
/// (server-side, by the SHA-256 of a random cookie token) and ask for the code.
pub async fn begin_code_challenge(state: &AppState, user: &UserRecord) -> Result<Response, AppError> {
    let token = random_token();
    let expires = state.clock.now() + chrono::TimeDelta::minutes(CHALLENGE_MINUTES);
    if let Ok(mut map) = state.challenges.lock() {
        let now = state.clock.now();
        map.retain(|_, (_, at)| *at > now);
        map.insert(sha256_hex(&token), (user.clone(), expires));
    }
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, set_cookie(state, CHALLENGE_COOKIE, &token, Some(CHALLENGE_MINUTES * 60))),
            (header::LOCATION, "/sign-in/code".parse().map_err(|_| AppError::Internal("bad location".into()))?),
        ],
    )
        .into_response())
}

fn code_page(state: &AppState, errors: &Errors, status: StatusCode) -> Result<Response, AppError> {
    let token = random_token();
    let html = render(
        "sign_in_code.html",
        &json!({"title": "Enter your code", "signin_csrf": token, "errors": errors.0, "code_error": errors.map().get("code")}),
    )?;
    Ok((status, [(header::SET_COOKIE, set_cookie(state, session::SIGNIN_COOKIE, &token, Some(3600)))], Html(html)).into_response())
}

fn pending(state: &AppState, headers: &HeaderMap) -> Option<(String, UserRecord)> {
    let token = cookie(headers, &session::cookie_name(state, CHALLENGE_COOKIE))?;
    let key = sha256_hex(token);
    let map = state.challenges.lock().ok()?;
    let (user, expires) = map.get(&key)?;
    (*expires > state.clock.now()).then(|| (key, user.clone()))
}

async fn code_form(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if pending(&state, &headers).is_none() {
        return Ok(see_other("/sign-in"));
    }
    code_page(&state, &Errors::default(), StatusCode::OK)
}

async fn code_submit(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    let expected = cookie(&headers, &session::cookie_name(&state, session::SIGNIN_COOKIE)).unwrap_or_default();
    if !same_secret(&form.get("csrf"), expected) {
        return Err(AppError::Csrf);
    }
    let Some((key, user)) = pending(&state, &headers) else { return Ok(see_other("/sign-in")) };
    let secret = state.store.two_step(user.id).await?.secret.unwrap_or_default();
    let mut errors = Errors::default();
    let code = form.get("code");
    // Each wrong code counts against the account like a wrong password (the same throttle).
    let keys = [(sha256_hex(&format!("account:{}", user.username.trim().to_lowercase())), state.config.max_account_failures)];
    if state.store.claim_sign_in_attempt(&keys, state.config.throttle_window).await?.is_none() {
        errors.add("code", "code", "You have tried too many times. Wait, then sign in again");
        return code_page(&state, &errors, StatusCode::TOO_MANY_REQUESTS);
    }
    let check = if code.is_empty() { CodeCheck::Wrong } else { use_code(&state, &user, &secret, &code).await? };
    match check {
        CodeCheck::Right => {}
        CodeCheck::Wrong => {
            errors.add("code", "code", "Enter the 6-digit code your authenticator app shows now");
            return code_page(&state, &errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
        CodeCheck::AlreadyUsed => {
            errors.add("code", "code", CODE_USED);
            return code_page(&state, &errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    if let Ok(mut map) = state.challenges.lock() {
        map.remove(&key);
    }
    state.store.clear_login_failures(&keys[0].0).await?;
    finish_sign_in(&state, &user).await
}

/// Start the session of a person who has passed every step, and send them to their home page.
pub async fn finish_sign_in(state: &AppState, user: &UserRecord) -> Result<Response, AppError> {
    let set = session::start_session(state, user).await?;
    state.store.record_sign_in(user.id).await?;
    let access = crate::access::Access::new(user.clone(), state.clock.today());
    // Staff signing in through the council's identity provider use its two-step, not Waymark's.
    let home = if two_step_required(user.role)
        && !state.store.two_step(user.id).await?.confirmed
        && !state.store.signs_in_with_provider(user.id).await?
    {
        "/account/two-step"
    } else {
        access.home()
    };
    Ok((
        StatusCode::SEE_OTHER,
        [(header::SET_COOKIE, set), (header::LOCATION, home.parse().map_err(|_| AppError::Internal("bad home".into()))?)],
    )
        .into_response())
}

fn invitation_page(state: &AppState, name: Option<&str>, errors: &Errors, status: StatusCode) -> Result<Response, AppError> {
    let token = random_token();
    let html = render(
        "invitation.html",
        &json!({
            "title": if name.is_some() { "Choose your password" } else { "This link cannot be used" },
            "valid": name.is_some(), "name": name, "signin_csrf": token, "errors": errors.0, "min": MIN_PASSWORD,
            "password_error": errors.map().get("password"), "confirm_error": errors.map().get("confirm"),
        }),
    )?;
    Ok((status, [(header::SET_COOKIE, set_cookie(state, session::SIGNIN_COOKIE, &token, Some(3600)))], Html(html)).into_response())
}

async fn invitation_form(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    if token.len() > 100 {
        return Err(AppError::NotFound);
    }
    match state.store.invitation(&sha256_hex(&token)).await? {
        InvitationState::Valid(user) => invitation_page(&state, Some(&user.display_name), &Errors::default(), StatusCode::OK),
        InvitationState::Unusable => invitation_page(&state, None, &Errors::default(), StatusCode::GONE),
    }
}

async fn invitation_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    let expected = cookie(&headers, &session::cookie_name(&state, session::SIGNIN_COOKIE)).unwrap_or_default();
    if !same_secret(&form.get("csrf"), expected) {
        return Err(AppError::Csrf);
    }
    let hash = sha256_hex(&token);
    let InvitationState::Valid(user) = state.store.invitation(&hash).await? else {
        return invitation_page(&state, None, &Errors::default(), StatusCode::GONE);
    };
    let (password, confirm) = (form.raw("password"), form.raw("confirm"));
    let mut errors = Errors::default();
    if let Some(problem) = session::password_problem(&password, &[&user.username, &user.display_name]) {
        errors.add("password", "password", problem);
    } else if password != confirm {
        errors.add("confirm", "confirm", "Enter the same password again");
    }
    if !errors.is_empty() {
        return invitation_page(&state, Some(&user.display_name), &errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let hashed = tokio::task::spawn_blocking(move || session::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))??;
    if !state.store.accept_invitation(&hash, &hashed).await? {
        return invitation_page(&state, None, &Errors::default(), StatusCode::GONE);
    }
    Ok(see_other("/sign-in?password_set=1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B: the SHA-1 test vector (secret "12345678901234567890", T = 59 s).
    #[test]
    fn codes_follow_rfc_6238_and_only_six_digits_are_read() {
        let secret = Secret::Raw(b"12345678901234567890".to_vec()).to_encoded().to_string();
        let t = TOTP::new(Algorithm::SHA1, 8, 1, 30, Secret::Encoded(secret.clone()).to_bytes().unwrap(), None, "x".into()).unwrap();
        assert_eq!(t.generate(59), "94287082");
        let six = totp(&secret, "sam").unwrap();
        let now = 1_700_000_015;
        let code = six.generate(now);
        assert_eq!(code_step(&secret, "sam", &code, now), Some(now / 30));
        assert_eq!(code_step(&secret, "sam", &format!("{} {}", &code[..3], &code[3..]), now), Some(now / 30));
        // One step of drift either side, no more.
        assert_eq!(code_step(&secret, "sam", &six.generate(now + 30), now), Some(now / 30 + 1));
        assert_eq!(code_step(&secret, "sam", &six.generate(now - 30), now), Some(now / 30 - 1));
        assert_eq!(code_step(&secret, "sam", &six.generate(now + 60), now), None);
        assert_eq!(code_step(&secret, "sam", "12345", now), None);
        assert_eq!(code_step(&secret, "sam", "abcdef", now), None);
        assert!(six.get_url().starts_with("otpauth://totp/Waymark:sam?"));
    }

    #[test]
    fn the_qr_code_is_an_svg_with_a_text_alternative() {
        let svg = qr_svg("otpauth://totp/Waymark:sam?secret=ABC").unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<title") && svg.contains("<path d=\"M"));
    }
}
