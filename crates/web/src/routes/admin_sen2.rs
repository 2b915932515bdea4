//! The SEN2 return's header items as a form for an administrator or SEND manager: whether the
//! Designated Medical Officer, Designated Clinical Officer and Designated Social Care Officer are in
//! post on census day (SEN2 header DMO, DCO, DSCO: yes, no, or recruitment in progress), the software
//! code and the return's serial number. The same settings as `waymark sen2 settings`, saved with the
//! version the form was loaded at (a stale save is shown as a conflict, nothing lost).

use crate::error::AppError;
use crate::forms::{Errors, FormData};
use crate::query::PageQuery;
use crate::routes::cases::see_other;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use waymark_domain::identifiers::LaCode;
use waymark_storage::{InPost, LaSettings, LaSettingsStore, Role, StoreError};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/sen2-settings", get(show).post(save))
}

#[derive(Debug, Default, serde::Deserialize)]
struct LaQuery {
    #[serde(default)]
    la: String,
    #[serde(default)]
    saved: Option<String>,
}

fn allowed(signed: &Signed) -> Result<(), AppError> {
    if matches!(signed.access.role(), Role::LaAdmin | Role::SendManager) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn chosen_la(signed: &Signed, text: &str) -> Option<LaCode> {
    signed.user().la.or_else(|| text.trim().parse().ok())
}

const OFFICERS: [(&str, &str); 3] = [
    ("dmo", "Is a Designated Medical Officer (DMO) in post on census day?"),
    ("dco", "Is a Designated Clinical Officer (DCO) in post on census day?"),
    ("dsco", "Is a Designated Social Care Officer (DSCO) in post on census day?"),
];

fn in_post_options() -> Vec<serde_json::Value> {
    vec![
        json!({"value": "Y", "text": "Yes, in post"}),
        json!({"value": "N", "text": "No"}),
        json!({"value": "R", "text": "Recruitment in progress"}),
    ]
}

#[allow(clippy::too_many_arguments)]
fn render_form(
    signed: &Signed,
    la: Option<LaCode>,
    values: serde_json::Value,
    version: Option<i64>,
    errors: &Errors,
    saved: bool,
    status: StatusCode,
) -> Result<Response, AppError> {
    let context = page(
        signed,
        "SEN2 return: header items",
        "/sen2",
        json!({
            "la": la.map(|l| l.to_string()), "la_label": la.map(|l| l.label()), "choose_la": signed.user().la.is_none(),
            "las": crate::routes::sen2::la_options(),
            "officers": OFFICERS.iter().map(|(k, q)| json!({"name": k, "question": q})).collect::<Vec<_>>(),
            "options": in_post_options(), "values": values, "version": version, "errors": errors.0, "error_map": errors.map(),
            "saved": saved,
        }),
    );
    Ok((status, Html(render("sen2_settings.html", &context)?)).into_response())
}

async fn show(State(state): State<AppState>, signed: Signed, PageQuery(q): PageQuery<LaQuery>) -> Result<Response, AppError> {
    allowed(&signed)?;
    let la = chosen_la(&signed, &q.la);
    let current = match la {
        Some(la) => state.store.la_settings(&signed.access.actor(), la).await?,
        None => None,
    };
    let values = match &current {
        Some(c) => json!({"dmo": c.value.dmo.code(), "dco": c.value.dco.code(), "dsco": c.value.dsco.code(),
                          "software_code": c.value.software_code, "serial_no": c.value.serial_no}),
        None => json!({"software_code": LaSettings::DEFAULT_SOFTWARE_CODE, "serial_no": "001"}),
    };
    render_form(&signed, la, values, current.map(|c| c.version), &Errors::default(), q.saved.is_some(), StatusCode::OK)
}

async fn save(State(state): State<AppState>, signed: Signed, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    allowed(&signed)?;
    let mut errors = Errors::default();
    let la = chosen_la(&signed, &form.get("la"));
    if la.is_none() {
        errors.add("la", "la", "Select the local authority");
    }
    let mut posts = Vec::new();
    for (name, _) in OFFICERS {
        match form.get(name).parse::<InPost>() {
            Ok(p) => posts.push(p),
            Err(_) => errors.add(name, name, format!("Select whether the {} is in post", name.to_uppercase())),
        }
    }
    let software_code = form.get("software_code");
    if software_code.is_empty() || software_code.chars().count() > 20 {
        errors.add("software_code", "software_code", "Enter the software code, at most 20 characters");
    }
    let serial_no = form.get("serial_no");
    if serial_no.len() != 3 || !serial_no.bytes().all(|b| b.is_ascii_digit()) {
        errors.add("serial_no", "serial_no", "Enter the serial number as 3 digits, like 001");
    }
    let values = json!({"dmo": form.get("dmo"), "dco": form.get("dco"), "dsco": form.get("dsco"), "software_code": software_code, "serial_no": serial_no});
    let version = form.get("version").parse::<i64>().ok();
    let (Some(la), &[dmo, dco, dsco]) = (la, &posts[..]) else {
        return render_form(&signed, la, values, version, &errors, false, StatusCode::UNPROCESSABLE_ENTITY);
    };
    if !errors.is_empty() {
        return render_form(&signed, Some(la), values, version, &errors, false, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let settings = LaSettings { la, dmo, dco, dsco, software_code, serial_no };
    match state.store.set_la_settings(&signed.access.actor(), &settings, version, "SEN2 header items set on the admin page").await {
        Ok(_) => Ok(see_other(&format!("/admin/sen2-settings?la={la}&saved=1"))),
        Err(e @ (StoreError::Conflict { .. } | StoreError::Invalid(_))) => {
            errors.add("dmo", "dmo", crate::messages::store_error(&e).unwrap_or_default());
            let current = state.store.la_settings(&signed.access.actor(), la).await?;
            render_form(&signed, Some(la), values, current.map(|c| c.version), &errors, false, StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}
