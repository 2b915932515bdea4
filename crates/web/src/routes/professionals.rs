//! A SENCO's pupils (with plans or SEN support, reviews due, and advice and review paperwork to send)
//! and a professional's advice requests (their service's, with due dates), each limited in the query
//! to the user's setting or service.

use crate::access::Can;
use crate::error::AppError;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::views::{self, long_date};
use crate::AppState;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;
use waymark_domain::calendar::add_weeks;
use waymark_domain::case::AdviceParty;
use waymark_domain::child::SenStatus;
use waymark_domain::clock::{evaluate, StepStatus};
use waymark_domain::ids::ChildId;
use waymark_storage::{CaseSnapshot, CaseloadStore};

pub fn router() -> Router<AppState> {
    Router::new().route("/pupils", get(pupils)).route("/advice", get(advice))
}

/// A SENCO's pupils as JSON rows (shared with the API).
pub async fn pupil_rows(state: &AppState, signed: &Signed) -> Result<Vec<Value>, AppError> {
    signed.access.require(Can::Pupils)?;
    let selection = signed.access.require_selection()?;
    let actor = signed.access.actor();
    let today = state.clock.today();
    let children = state.store.children(&actor, &selection, &state.audit).await?;
    let cases = state.store.case_snapshots(&actor, &selection, "case_list", &state.audit).await?;
    let mut by_child: HashMap<ChildId, Vec<&CaseSnapshot>> = HashMap::new();
    for c in &cases {
        by_child.entry(c.summary.child_id).or_default().push(c);
    }
    let mut rows = Vec::new();
    for (child, _) in &children {
        let status = child.sen_status_on(today);
        let child_cases = by_child.get(&child.id).cloned().unwrap_or_default();
        if status == SenStatus::NoSen && child_cases.is_empty() {
            continue;
        }
        let open = child_cases.iter().rev().find(|c| !c.case.stage().is_closed());
        let mut tasks = Vec::new();
        let mut review_due = None;
        if let Some(c) = open {
            let report = evaluate(&c.case.clock_input(), today).ok();
            if let Some(r) = &report {
                if let Some(s) = r.steps.iter().find(|s| s.step == "annual_review" && s.done.is_none()) {
                    review_due = Some(json!({"due": long_date(s.due), "status": views::status_key(s.status)}));
                    tasks.push(json!({"text": "Hold the annual review meeting and record it", "href": format!("/cases/{}/actions/review-meeting", c.summary.case_id)}));
                }
                if r.steps.iter().any(|s| s.step == "review_decision" && s.done.is_none()) {
                    tasks.push(json!({"text": "Send the review report", "href": format!("/cases/{}/actions/review-report-sent", c.summary.case_id)}));
                }
            }
            if c.case.advice().get(&AdviceParty::Education).is_some_and(|a| a.requested.is_some() && a.received.is_none()) {
                let due = c.case.advice()[&AdviceParty::Education].requested.map(|r| long_date(add_weeks(r, 6)));
                tasks.push(json!({"text": format!("Send the school's advice (due {})", due.unwrap_or_default()), "href": format!("/cases/{}/actions/advice-received", c.summary.case_id)}));
            }
        }
        rows.push(json!({
            "child_id": child.id,
            "name": format!("{} {}", child.name.forename(), child.name.surname()),
            "upn": child.upn.as_ref().map(ToString::to_string),
            "sen_status": views::sen_status_label(status),
            "case_id": open.map(|c| c.summary.case_id),
            "stage": open.map(|c| views::stage_label(&c.summary.stage)),
            "review_due": review_due,
            "tasks": tasks,
        }));
    }
    Ok(rows)
}

async fn pupils(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    let rows = pupil_rows(&state, &signed).await?;
    let setting = signed.user().setting_key.clone().unwrap_or_default().replace("urn:", "URN ");
    let context = page(&signed, "Your pupils", "/pupils", json!({"rows": rows, "setting": setting}));
    Ok(Html(render("pupils.html", &context)?))
}

/// A professional's advice requests as JSON rows (shared with the API).
pub async fn advice_rows(state: &AppState, signed: &Signed) -> Result<Vec<Value>, AppError> {
    signed.access.require(Can::AdviceRequests)?;
    let selection = signed.access.require_selection()?;
    let party = signed.user().role.service().ok_or(AppError::Forbidden)?;
    let today = state.clock.today();
    let cases = state.store.case_snapshots(&signed.access.actor(), &selection, "case_list", &state.audit).await?;
    let mut rows: Vec<(bool, Option<waymark_domain::calendar::Date>, Value)> = cases
        .iter()
        .filter_map(|c| {
            let record = c.case.advice().get(&party)?;
            let requested = record.requested?;
            let step = evaluate(&c.case.clock_input(), today)
                .ok()
                .and_then(|r| r.steps.into_iter().find(|s| s.step == format!("advice:{}", party.key())));
            let status = step.as_ref().map(|s| s.status);
            let open = record.received.is_none() && !c.case.stage().is_closed();
            let due = add_weeks(requested, 6);
            Some((
                open,
                Some(due),
                json!({
                    "case_id": c.summary.case_id,
                    "name": format!("{} {}", c.child.name.forename(), c.child.name.surname()),
                    "dob": long_date(c.child.date_of_birth),
                    "requested": long_date(requested),
                    "due": long_date(due),
                    "received": record.received.map(long_date),
                    "status": status.map(views::status_key),
                    "overdue": status == Some(StepStatus::Overdue),
                    "open": open,
                }),
            ))
        })
        .collect();
    rows.sort_by_key(|(open, due, _)| (!*open, *due));
    Ok(rows.into_iter().map(|(_, _, v)| v).collect())
}

async fn advice(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    let rows = advice_rows(&state, &signed).await?;
    let party = signed.user().role.service().map(views::advice_label).unwrap_or_default();
    let open = rows.iter().filter(|r| r["open"] == json!(true)).count();
    let context = page(&signed, "Advice requests", "/advice", json!({"rows": rows, "service": party, "open": open}));
    Ok(Html(render("advice.html", &context)?))
}
