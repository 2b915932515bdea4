//! A SENCO's pupils (with plans or SEN support, reviews due, and advice and review paperwork to send)
//! and a professional's advice requests (their service's, with due dates), each limited in the query
//! to the user's setting or service.

use crate::access::Can;
use crate::error::AppError;
use crate::query::PageQuery;
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
                    "settings": c.placements.iter().filter(|p| p.attending_on(today)).map(|p| waymark_storage::setting_key(&p.setting)).collect::<Vec<_>>(),
                }),
            ))
        })
        .collect();
    rows.sort_by_key(|(open, due, _)| (!*open, *due));
    Ok(rows.into_iter().map(|(_, _, v)| v).collect())
}

/// The advice list's filters: open requests by default (`show=all` for every request), `status`
/// `overdue` or `due` (in time), a setting's URN, and the page.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
pub struct AdviceFilters {
    #[serde(default)]
    pub show: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub setting: String,
    #[serde(default)]
    pub page: Option<usize>,
}

/// The requests the filters keep, in `advice_rows`' order (shared with the API): open ones unless
/// `show` is `all`; `status` `overdue` or `due` (open and in time); `setting` a URN the child attends.
pub fn filter_advice<'a>(rows: &'a [Value], show: &str, status: &str, setting: &str) -> Vec<&'a Value> {
    let setting_key = (!setting.trim().is_empty()).then(|| format!("urn:{}", setting.trim()));
    rows.iter()
        .filter(|r| show == "all" || r["open"] == json!(true))
        .filter(|r| match status {
            "overdue" => r["overdue"] == json!(true),
            "due" => r["open"] == json!(true) && r["overdue"] != json!(true),
            _ => true,
        })
        .filter(|r| setting_key.as_ref().is_none_or(|k| r["settings"].as_array().is_some_and(|a| a.iter().any(|s| s.as_str() == Some(k)))))
        .collect()
}

/// Requests shown on one page.
pub const ADVICE_PAGE: usize = 50;

async fn advice(State(state): State<AppState>, signed: Signed, PageQuery(f): PageQuery<AdviceFilters>) -> Result<Html<String>, AppError> {
    let rows = advice_rows(&state, &signed).await?;
    let party = signed.user().role.service().map(views::advice_label).unwrap_or_default();
    let open = rows.iter().filter(|r| r["open"] == json!(true)).count();
    let overdue = rows.iter().filter(|r| r["open"] == json!(true) && r["overdue"] == json!(true)).count();
    let mut settings: Vec<String> = rows
        .iter()
        .filter(|r| r["open"] == json!(true))
        .flat_map(|r| r["settings"].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_str().and_then(|s| s.strip_prefix("urn:")).map(str::to_owned))
        .collect();
    settings.sort();
    settings.dedup();
    let names = {
        use waymark_storage::EstablishmentStore;
        state.store.establishment_names(&settings).await?
    };
    let kept = filter_advice(&rows, &f.show, &f.status, &f.setting);
    let total = kept.len();
    let pages = total.div_ceil(ADVICE_PAGE).max(1);
    let page_no = f.page.unwrap_or(1).clamp(1, pages);
    let shown: Vec<&Value> = kept.into_iter().skip((page_no - 1) * ADVICE_PAGE).take(ADVICE_PAGE).collect();
    let link = |p: usize| {
        let mut g = f.clone();
        g.page = Some(p);
        serde_urlencoded::to_string(&g).unwrap_or_default()
    };
    let setting_options: Vec<Value> = std::iter::once(json!({"value": "", "text": "Any setting"}))
        .chain(settings.iter().map(|u| json!({"value": u, "text": names.get(u).map_or(format!("URN {u}"), |n| format!("{n} (URN {u})"))})))
        .collect();
    let context = page(
        &signed,
        "Advice requests",
        "/advice",
        json!({
            "rows": shown, "service": party, "open": open, "overdue": overdue, "total": total, "f": f,
            "page": page_no, "pages": pages, "prev": (page_no > 1).then(|| link(page_no - 1)), "next": (page_no < pages).then(|| link(page_no + 1)),
            "settings": setting_options, "many_settings": settings.len() > 1,
        }),
    );
    Ok(Html(render("advice.html", &context)?))
}
