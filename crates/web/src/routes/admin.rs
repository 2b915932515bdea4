//! Accounts and roles, for LA administrators: list, create, change role, scope or status, reset a
//! password, and link a parent's or young person's account to a child.

use crate::access::Can;
use crate::error::AppError;
use crate::forms::{Errors, FormData};
use crate::routes::cases::see_other;
use crate::session::{random_token, sha256_hex, Signed};
use crate::templates::{page, render};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use waymark_domain::identifiers::{LaCode, Urn};
use waymark_domain::ids::{ChildId, UserId};
use waymark_storage::{AccountStore, NewUser, NotificationStore, Role, SsoStore, StoreError, UserChange, UserRecord, UserStore};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list))
        .route("/admin/users/new", get(new_form).post(create))
        .route("/admin/users/{id}", get(edit_form).post(update))
        .route("/admin/users/{id}/invite", post(reinvite))
        .route("/admin/users/{id}/two-step-reset", post(reset_two_step))
        .route("/admin/users/{id}/children", post(link_child))
}

fn roles() -> Vec<Value> {
    Role::ALL.iter().map(|r| json!({"value": r.key(), "text": r.label()})).collect()
}

fn user_json(u: &UserRecord) -> Value {
    json!({
        "id": u.id, "username": u.username, "name": u.display_name, "role": u.role.key(), "role_label": u.role.label(),
        "la": u.la.map(|l| l.to_string()), "urn": u.setting_key.as_deref().and_then(|s| s.strip_prefix("urn:")), "active": u.active, "version": u.version,
    })
}

async fn list(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    signed.access.require(Can::ManageUsers)?;
    let last = state.store.last_sign_ins(&signed.access.actor()).await?;
    let users: Vec<Value> = state
        .store
        .list_users(&signed.access.actor())
        .await?
        .iter()
        .map(|u| {
            let mut row = user_json(u);
            row["last_signed_in"] = json!(last.get(&u.id).map(|t| crate::routes::notifications::when(*t)));
            row
        })
        .collect();
    Ok(Html(render("admin_users.html", &page(&signed, "Users and roles", "/admin/users", json!({"users": users})))?))
}

fn form_page(
    signed: &Signed,
    title: &str,
    user: Value,
    form: &FormData,
    errors: &Errors,
    status: StatusCode,
    extra: Value,
) -> Result<Response, AppError> {
    let mut values = serde_json::Map::new();
    for k in ["username", "name", "role", "la", "urn", "active", "email"] {
        values.insert(k.into(), json!(form.get(k)));
    }
    let mut context = page(
        signed,
        title,
        "/admin/users",
        json!({"user": user, "roles": roles(), "v": values, "errors": errors.0, "error_map": errors.map(), "default_la": signed.user().la.map(|l| l.to_string())}),
    );
    if let (Value::Object(c), Value::Object(e)) = (&mut context, extra) {
        c.extend(e);
    }
    Ok((status, Html(render("admin_user.html", &context)?)).into_response())
}

/// Parse the role and scope fields shared by the new and edit forms.
fn scope_fields(form: &FormData, signed: &Signed, errors: &mut Errors) -> (Option<Role>, Option<LaCode>, Option<String>) {
    let role = Role::parse(&form.get("role"));
    if role.is_none() {
        errors.add("role", "role", "Select the person's role");
    }
    let la = match (form.get("la"), signed.user().la) {
        (text, _) if !text.is_empty() => match text.parse::<LaCode>() {
            Ok(la) => Some(la),
            Err(_) => {
                errors.add("la", "la", "Enter the local authority's 3-digit number, like 851");
                None
            }
        },
        (_, own) => own,
    };
    let urn = form.get("urn");
    let setting = if role == Some(Role::Senco) {
        match urn.parse::<Urn>() {
            Ok(u) => Some(format!("urn:{u}")),
            Err(_) => {
                errors.add("urn", "urn", "Enter the school's URN, 6 digits like 851001");
                None
            }
        }
    } else {
        None
    };
    (role, la, setting)
}

fn store_error(e: StoreError, errors: &mut Errors) -> Result<(), AppError> {
    match e {
        StoreError::Invalid(m) if m.contains("username") => errors.add("username", "username", crate::forms::capitalise(&m)),
        StoreError::Invalid(m) => errors.add("role", "role", crate::forms::capitalise(&m)),
        StoreError::OutOfScope { .. } => errors.add("la", "la", "You can only manage accounts in your own local authority"),
        other => return Err(other.into()),
    }
    Ok(())
}

async fn new_form(signed: Signed) -> Result<Response, AppError> {
    signed.access.require(Can::ManageUsers)?;
    form_page(&signed, "Invite a user", Value::Null, &FormData::default(), &Errors::default(), StatusCode::OK, json!({}))
}

async fn create(State(state): State<AppState>, signed: Signed, headers: axum::http::HeaderMap, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::ManageUsers)?;
    let mut errors = Errors::default();
    let (username, name, email) = (form.get("username"), form.get("name"), form.get("email"));
    if username.is_empty() {
        errors.add("username", "username", "Enter a username");
    }
    if name.is_empty() {
        errors.add("name", "name", "Enter the person's name");
    }
    let (role, la, setting) = scope_fields(&form, &signed, &mut errors);
    if email.is_empty() {
        errors.add("email", "email", "Enter the person's email address: the invitation is sent there");
    } else if waymark_storage::parse_email(&email).is_err() {
        errors.add("email", "email", "Enter an email address in the correct format, like name@example.org");
    }
    if errors.is_empty() {
        let new = NewUser {
            username,
            display_name: name,
            password_hash: String::new(),
            role: role.unwrap_or(Role::LaCaseworker),
            la,
            setting_key: setting,
        };
        let token = random_token();
        let link = format!("{}/invitation/{token}", public_base(&state, &headers));
        match state.store.invite_user(&signed.access.actor(), new, &email, &sha256_hex(&token), &link).await {
            Ok(u) => return Ok(see_other(&format!("/admin/users/{}?created=1", u.id))),
            Err(e) => store_error(e, &mut errors)?,
        }
    }
    form_page(&signed, "Invite a user", Value::Null, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY, json!({}))
}

/// The service's address for links in emails: the configured public address, else this request's host.
pub fn public_base(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c)))
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

fn parse_user(id: &str) -> Result<UserId, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

#[derive(serde::Deserialize)]
struct EditQuery {
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    invited: Option<String>,
    #[serde(default)]
    two_step_reset: Option<String>,
    /// A search for the child to link to a family account (name, date of birth, UPN...).
    #[serde(default)]
    find: String,
}

/// Children in the administrator's scope matching `keep`, as rows to link (name, date of birth, case
/// references). Audited as one search.
async fn child_rows<F>(state: &AppState, signed: &Signed, keep: F) -> Result<(Vec<Value>, usize), AppError>
where
    F: Fn(&waymark_domain::child::Child, &[waymark_domain::ids::CaseId]) -> bool + Send + Sync,
{
    use waymark_storage::CaseloadStore;
    let (found, total) =
        state.store.find_children(&signed.access.actor(), &waymark_storage::Selection::InScope, &state.audit, 20, keep).await?;
    let rows = found
        .iter()
        .map(|f| {
            json!({
                "id": f.child.id, "name": format!("{}, {}", f.child.name.surname(), f.child.name.forename()),
                "dob": crate::views::long_date(f.child.date_of_birth),
                "references": f.cases.iter().map(|c| waymark_domain::search::case_reference(*c)).collect::<Vec<_>>().join(", "),
            })
        })
        .collect();
    Ok((rows, total))
}

async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    crate::query::PageQuery(q): crate::query::PageQuery<EditQuery>,
) -> Result<Response, AppError> {
    signed.access.require(Can::ManageUsers)?;
    let user = state.store.get_user(&signed.access.actor(), parse_user(&id)?).await?;
    let mut form = FormData::default();
    for (k, v) in [
        ("name", user.display_name.clone()),
        ("role", user.role.key().to_owned()),
        ("la", user.la.map(|l| l.to_string()).unwrap_or_default()),
        ("urn", user.setting_key.as_deref().and_then(|s| s.strip_prefix("urn:")).unwrap_or_default().to_owned()),
        ("active", if user.active { "yes" } else { "no" }.to_owned()),
        ("email", state.store.user_email(user.id).await?.unwrap_or_default()),
    ] {
        form.0.insert(k.into(), vec![v]);
    }
    let linked = state.store.linked_children(user.id).await?;
    let (children, _) =
        if linked.is_empty() { (Vec::new(), 0) } else { child_rows(&state, &signed, |c, _| linked.contains(&c.id)).await? };
    let query = waymark_domain::search::SearchQuery::parse(&q.find);
    let (found, found_total) = if query.is_empty() {
        (Vec::new(), 0)
    } else {
        child_rows(&state, &signed, |c, cases| !linked.contains(&c.id) && query.matches(c, cases)).await?
    };
    let notice = if q.created.is_some() {
        Some("Account created. An invitation to choose a password has been sent to the person's email address")
    } else if q.invited.is_some() {
        Some("A new invitation has been sent. Earlier links no longer work")
    } else if q.two_step_reset.is_some() {
        Some("Two-step verification has been reset. The person sets it up again at their next sign-in")
    } else if q.saved.is_some() {
        Some("Changes saved")
    } else {
        None
    };
    form_page(
        &signed,
        "Change a user",
        user_json(&user),
        &form,
        &Errors::default(),
        StatusCode::OK,
        json!({"two_step_on": state.store.two_step(user.id).await?.confirmed, "children": children, "notice": notice, "find": q.find, "found": found, "found_total": found_total, "searched": !query.is_empty()}),
    )
}

async fn update(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::ManageUsers)?;
    let id = parse_user(&id)?;
    let user = state.store.get_user(&signed.access.actor(), id).await?;
    let mut errors = Errors::default();
    let name = form.get("name");
    if name.is_empty() {
        errors.add("name", "name", "Enter the person's name");
    }
    let (role, la, setting) = scope_fields(&form, &signed, &mut errors);
    let version: i64 = form.get("version").parse().unwrap_or(user.version);
    let email = form.get("email");
    if !email.is_empty() && waymark_storage::parse_email(&email).is_err() {
        errors.add("email", "email", "Enter an email address in the correct format, like name@example.org");
    }
    if errors.is_empty() {
        state.store.set_user_email(&signed.access.actor(), id, (!email.is_empty()).then_some(email.as_str())).await?;
        let change = UserChange {
            display_name: name,
            role: role.unwrap_or(user.role),
            la,
            setting_key: setting,
            active: form.get("active") != "no",
        };
        match state.store.update_user(&signed.access.actor(), id, version, change).await {
            Ok(_) => return Ok(see_other(&format!("/admin/users/{id}?saved=1"))),
            Err(StoreError::Conflict { .. }) => errors.add(
                "name",
                "name",
                "Someone else changed this account while you were editing it. Check its details below and save again",
            ),
            Err(e) => store_error(e, &mut errors)?,
        }
    }
    let fresh = state.store.get_user(&signed.access.actor(), id).await?;
    form_page(&signed, "Change a user", user_json(&fresh), &form, &errors, StatusCode::UNPROCESSABLE_ENTITY, json!({}))
}

async fn reinvite(
    State(state): State<AppState>,
    signed: Signed,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::ManageUsers)?;
    let id = parse_user(&id)?;
    // Staff who sign in with their council account have no Waymark password to choose (ADR 0036).
    if state.store.get_user(&signed.access.actor(), id).await.is_ok() && state.store.signs_in_with_provider(id).await? {
        return Err(AppError::BadRequest(
            "This person signs in with their council account, so they are not sent an invitation to choose a Waymark password.".into(),
        ));
    }
    let token = random_token();
    let link = format!("{}/invitation/{token}", public_base(&state, &headers));
    match state.store.reinvite_user(&signed.access.actor(), id, &sha256_hex(&token), &link).await {
        Ok(()) => Ok(see_other(&format!("/admin/users/{id}?invited=1"))),
        Err(StoreError::Invalid(_)) => {
            let user = state.store.get_user(&signed.access.actor(), id).await?;
            let mut errors = Errors::default();
            errors.add("email", "email", "Add the person's email address and save, then send the invitation");
            form_page(
                &signed,
                "Change a user",
                user_json(&user),
                &FormData::default(),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({}),
            )
        }
        Err(e) => Err(e.into()),
    }
}

async fn reset_two_step(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::ManageUsers)?;
    let id = parse_user(&id)?;
    state.store.reset_two_step(&signed.access.actor(), id).await?;
    Ok(see_other(&format!("/admin/users/{id}?two_step_reset=1")))
}

async fn link_child(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::ManageUsers)?;
    let id = parse_user(&id)?;
    let user = state.store.get_user(&signed.access.actor(), id).await?;
    let mut errors = Errors::default();
    match form.get("child").parse::<ChildId>() {
        Ok(child) => match state.store.link_child(&signed.access.actor(), id, child).await {
            Ok(()) => return Ok(see_other(&format!("/admin/users/{id}?saved=1"))),
            Err(StoreError::NotFound { .. }) => errors.add("child", "child", "There is no child with this id in your local authority"),
            Err(StoreError::Invalid(m)) => errors.add("child", "child", crate::forms::capitalise(&m)),
            Err(e) => return Err(e.into()),
        },
        Err(_) => errors.add("child", "child", "Enter a child id in the correct format, like 0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f"),
    }
    form_page(&signed, "Change a user", user_json(&user), &FormData::default(), &errors, StatusCode::UNPROCESSABLE_ENTITY, json!({}))
}
