//! The audit log: who viewed or changed which child's record, and when, for the user's LA. Actors are
//! shown by name to managers and administrators; the log itself holds ids only.

use crate::access::Can;
use crate::error::AppError;
use crate::forms::Errors;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use waymark_domain::ids::{CaseId, ChildId};
use waymark_storage::{AuditFilter, Store, UserStore};

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(show))
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub child: String,
    #[serde(default)]
    pub case: String,
}

/// The entries as rows, and any problem with the filters (shared with the API).
pub async fn entries(state: &AppState, signed: &Signed, q: &AuditQuery) -> Result<(Vec<Value>, Errors), AppError> {
    signed.access.require(Can::AuditLog)?;
    let mut errors = Errors::default();
    let child = (!q.child.trim().is_empty()).then(|| q.child.trim().parse::<ChildId>()).transpose().unwrap_or_else(|_| {
        errors.add("child", "child", "Enter a child id in the correct format, like 0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f");
        None
    });
    let case = (!q.case.trim().is_empty()).then(|| q.case.trim().parse::<CaseId>()).transpose().unwrap_or_else(|_| {
        errors.add("case", "case", "Enter a case id in the correct format, like 0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f");
        None
    });
    if !errors.is_empty() {
        return Ok((Vec::new(), errors));
    }
    let actor = signed.access.actor();
    let names: HashMap<String, String> =
        state.store.list_users(&actor).await?.into_iter().map(|u| (u.actor_label(), u.display_name)).collect();
    let list = state.store.audit_log(&actor, &AuditFilter { child, case, limit: 500 }).await?;
    let rows = list
        .into_iter()
        .map(|e| {
            json!({
                "at": e.at.format("%-d %B %Y %H:%M:%S").to_string(),
                "actor": names.get(&e.actor_label).cloned().unwrap_or(e.actor_label.clone()),
                "actor_id": e.actor_label,
                "action": e.action.as_str(),
                "subject": e.subject,
                "subject_label": crate::messages::audit_subject(&e.subject),
                "action_label": match e.action.as_str() { "read" => "Viewed", "create" => "Created", _ => "Changed" },
                "child_id": e.child_id,
                "case_id": e.case_id,
            })
        })
        .collect();
    Ok((rows, errors))
}

async fn show(State(state): State<AppState>, signed: Signed, Query(q): Query<AuditQuery>) -> Result<Html<String>, AppError> {
    let (rows, errors) = entries(&state, &signed, &q).await?;
    let context = page(
        &signed,
        "Audit log",
        "/audit",
        json!({"rows": rows, "errors": errors.0, "error_map": errors.map(), "child": q.child, "case": q.case}),
    );
    Ok(Html(render("audit.html", &context)?))
}
