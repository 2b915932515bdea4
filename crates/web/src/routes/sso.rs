//! Staff sign-in through the council's identity provider (issue 14 item 5), and the administrator's
//! table of which provider groups give which role and LA.
//!
//! * `GET /sign-in/sso` sends the browser to the provider (404 when single sign-on is not configured).
//! * `GET /sign-in/sso/callback` takes the provider's answer, checks it (see [`crate::sso`]), turns the
//!   person's groups into a role and LA ([`waymark_sso::resolve`]), makes or updates their account, and
//!   starts their session. No password and no Waymark two-step: the council's provider did both.
//! * `GET /admin/sign-in-groups` lists the table; `POST` adds a row, `POST /admin/sign-in-groups/remove`
//!   removes one (LA administrators; audited by the store).

use crate::access::Can;
use crate::error::AppError;
use crate::forms::{Errors, FormData};
use crate::routes::cases::see_other;
use crate::session::{self, cookie, set_cookie, Signed};
use crate::sso::{SsoError, PENDING_MINUTES};
use crate::templates::{page, render};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use waymark_domain::identifiers::LaCode;
use waymark_sso::{GroupId, Mapping};
use waymark_storage::{role_given_by_groups, ProviderPerson, Role, SsoAccount, SsoStore};

/// The cookie tying a begun sign-in to the browser that began it.
pub const SSO_COOKIE: &str = "waymark_sso";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in/sso", get(begin))
        .route("/sign-in/sso/callback", get(callback))
        .route("/admin/sign-in-groups", get(list).post(add))
        .route("/admin/sign-in-groups/remove", axum::routing::post(remove))
}

/// A plain page saying why the person is not signed in, with the way back.
fn refused(state: &AppState, status: StatusCode, message: &str) -> Result<Response, AppError> {
    let html = render("sso_refused.html", &json!({"title": "You have not been signed in", "message": message}))?;
    // The begun sign-in's cookie is spent either way.
    Ok((status, [(header::SET_COOKIE, set_cookie(state, SSO_COOKIE, "", Some(0)))], Html(html)).into_response())
}

async fn begin(State(state): State<AppState>) -> Result<Response, AppError> {
    let Some(provider) = state.sso.clone() else { return Err(AppError::NotFound) };
    match provider.begin().await {
        Ok((url, browser)) => Ok((
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, set_cookie(&state, SSO_COOKIE, &browser, Some(i64::try_from(PENDING_MINUTES * 60).unwrap_or(600)))),
                (header::LOCATION, url.parse().map_err(|_| AppError::Internal("the provider's URL is not a header value".into()))?),
            ],
        )
            .into_response()),
        Err(e) => {
            tracing::warn!(problem = ?e, "single sign-on could not begin");
            refused(&state, StatusCode::SERVICE_UNAVAILABLE, e.message())
        }
    }
}

#[derive(serde::Deserialize)]
struct CallbackQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: Option<String>,
}

async fn callback(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<CallbackQuery>) -> Result<Response, AppError> {
    let Some(provider) = state.sso.clone() else { return Err(AppError::NotFound) };
    let browser = cookie(&headers, &session::cookie_name(&state, SSO_COOKIE));
    let result = match q.error {
        // RFC 6749 section 4.1.2.1: the provider sends `error` instead of a code (the person cancelled,
        // or the provider refused them). The begun sign-in is used up all the same.
        Some(error) => {
            let _ = provider.finish(&q.state, "", browser).await;
            Err(SsoError::ProviderRefused(format!("the provider answered with error code {}", error.chars().take(60).collect::<String>())))
        }
        None => provider.finish(&q.state, &q.code, browser).await,
    };
    let verified = match result {
        Ok(v) => v,
        Err(e) => {
            tracing::info!(problem = ?e, "single sign-on refused");
            let status = if matches!(e, SsoError::Unavailable(_)) { StatusCode::BAD_GATEWAY } else { StatusCode::FORBIDDEN };
            return refused(&state, status, e.message());
        }
    };
    let mappings = state.store.all_group_mappings().await?;
    let grant = match waymark_sso::resolve(&verified.groups, &mappings) {
        Ok(g) => g,
        Err(refusal) => {
            tracing::info!(groups = verified.groups.len(), "single sign-on refused: the groups give no single role");
            return refused(&state, StatusCode::FORBIDDEN, &refusal.to_string());
        }
    };
    let person = ProviderPerson { issuer: verified.issuer, subject: verified.subject, names: verified.names };
    match state.store.sign_in_with_provider(&person, grant.role, grant.la).await? {
        SsoAccount::Ready { user, created } => {
            tracing::info!(user_id = %user.id, created, "signed in through the identity provider");
            let mut response = crate::routes::account::finish_sign_in(&state, &user).await?;
            response.headers_mut().append(header::SET_COOKIE, set_cookie(&state, SSO_COOKIE, "", Some(0)));
            Ok(response)
        }
        SsoAccount::Deactivated => {
            tracing::info!("single sign-on refused: the account is deactivated");
            refused(
                &state,
                StatusCode::FORBIDDEN,
                "Your Waymark account has been deactivated. Ask your Waymark administrator if you need it again",
            )
        }
    }
}

/// The roles a group may give, for the form.
fn roles() -> Vec<Value> {
    let mut options = vec![json!({"value": "", "text": "Choose a role"})];
    options.extend(Role::ALL.into_iter().filter(|r| role_given_by_groups(*r)).map(|r| json!({"value": r.key(), "text": r.label()})));
    options
}

async fn list_page(
    state: &AppState,
    signed: &Signed,
    form: &FormData,
    errors: &Errors,
    status: StatusCode,
    done: Option<&str>,
) -> Result<Response, AppError> {
    let rows: Vec<Value> = state
        .store
        .group_mappings(&signed.access.actor())
        .await?
        .iter()
        .map(|r| {
            json!({
                "group": r.mapping.group.as_str(), "role": r.mapping.role.label(),
                "la": r.mapping.la.map(|l| l.label()), "added": crate::routes::notifications::when(r.created_at),
            })
        })
        .collect();
    let map = errors.map();
    let context = page(
        signed,
        "Sign-in groups",
        "/admin/users",
        json!({
            "rows": rows, "configured": state.sso.is_some(), "issuer": state.sso.as_ref().map(|p| p.settings().issuer.clone()),
            "roles": roles(), "v": {"group": form.get("group"), "role": form.get("role"), "la": form.get("la")},
            "default_la": signed.user().la.map(|l| l.to_string()), "errors": errors.0,
            "group_error": map.get("group"), "role_error": map.get("role"), "la_error": map.get("la"), "done": done,
        }),
    );
    Ok((status, Html(render("admin_sign_in_groups.html", &context)?)).into_response())
}

async fn list(State(state): State<AppState>, signed: Signed, Query(q): Query<super::documents::Done>) -> Result<Response, AppError> {
    signed.access.require(Can::ManageUsers)?;
    let done = match (q.added, q.removed) {
        (Some(_), _) => Some("The group has been given its role. People in it get the role when they next sign in."),
        (_, Some(_)) => Some(
            "The group's role has been removed. People in it are refused at their next sign-in unless another group gives them a role.",
        ),
        _ => None,
    };
    list_page(&state, &signed, &FormData::parse(&Bytes::new()), &Errors::default(), StatusCode::OK, done).await
}

async fn add(State(state): State<AppState>, signed: Signed, body: Bytes) -> Result<Response, AppError> {
    signed.access.require(Can::ManageUsers)?;
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let mut errors = Errors::default();
    let group = match form.get("group").parse::<GroupId>() {
        Ok(g) => Some(g),
        Err(e) => {
            errors.add("group", "group", e.to_string());
            None
        }
    };
    let role = match Role::parse(&form.get("role")).filter(|r| role_given_by_groups(*r)) {
        Some(r) => Some(r),
        None => {
            errors.add("role", "role", "Choose the role people in this group get");
            None
        }
    };
    let la_text = form.get("la");
    let la: Option<LaCode> = if la_text.is_empty() {
        if role.is_some_and(Role::needs_la) {
            errors.add("la", "la", "Enter the local authority's 3-digit DfE number, for example 851");
        }
        None
    } else {
        match la_text.parse() {
            Ok(l) => Some(l),
            Err(_) => {
                errors.add("la", "la", "Enter the local authority as its 3-digit DfE number, for example 851");
                None
            }
        }
    };
    if let (true, Some(group), Some(role)) = (errors.is_empty(), group, role) {
        match state.store.add_group_mapping(&signed.access.actor(), &Mapping { group, role, la }).await {
            Ok(()) => return Ok(see_other("/admin/sign-in-groups?added=1")),
            Err(waymark_storage::StoreError::OutOfScope { .. }) => {
                errors.add("la", "la", "You can give roles only in your own local authority");
            }
            Err(e @ waymark_storage::StoreError::Invalid(_)) => {
                errors.add("group", "group", crate::messages::store_error(&e).unwrap_or_default());
            }
            Err(e) => return Err(e.into()),
        }
    }
    list_page(&state, &signed, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY, None).await
}

async fn remove(State(state): State<AppState>, signed: Signed, body: Bytes) -> Result<Response, AppError> {
    signed.access.require(Can::ManageUsers)?;
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let group: GroupId =
        form.get("group").parse().map_err(|_| AppError::BadRequest("The form did not say which group to remove.".into()))?;
    state.store.remove_group_mapping(&signed.access.actor(), &group).await?;
    Ok(see_other("/admin/sign-in-groups?removed=1"))
}
