//! Planning the day: `/my-work` lists, for each staff role, the statutory deadlines the user holds that
//! are overdue, due in the next 14 days or waiting on someone else, each with days late or left, and
//! the cases that changed since their last visit. The same deadlines are in a personal calendar feed,
//! `/calendar/{token}.ics` (RFC 5545, see [`crate::ics`]), whose token is made, shown once and turned
//! off on `/account`. The feed names the step, the case reference and the child's initials, never a
//! name.

use crate::access::{Access, Can};
use crate::error::AppError;
use crate::forms::FormData;
use crate::ics;
use crate::session::{random_token, sha256_hex, Signed};
use crate::templates::{page, render};
use crate::views::{self, long_date};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use waymark_domain::calendar::Date;
use waymark_domain::case::{AdviceParty, DelayParty};
use waymark_domain::clock::{evaluate, StepStatus};
use waymark_domain::search::case_reference;
use waymark_storage::{CaseSnapshot, CaseloadStore, Role, WorklistStore};

pub fn router() -> Router<AppState> {
    Router::new().route("/my-work", get(show)).route("/account", get(account).post(account_change)).route("/calendar/{file}", get(feed))
}

/// How far ahead "due soon" looks.
pub const SOON_DAYS: i64 = 14;

/// One deadline a user holds.
#[derive(Debug, Clone)]
pub struct Held {
    pub case: waymark_domain::ids::CaseId,
    pub reference: String,
    pub child_name: String,
    pub initials: String,
    pub step: String,
    pub label: String,
    pub due: Date,
    pub overdue: bool,
    /// Days late (overdue) or left (not yet due; 0 on the day).
    pub days: i64,
    pub waiting_on: Option<DelayParty>,
    /// Someone other than the user must act next.
    pub others: bool,
}

/// Which of a case's steps a role holds: the LA every step; a SENCO the school's advice and the annual
/// review; a professional their own service's advice.
fn holds(role: Role, step: &str) -> bool {
    match role {
        Role::LaCaseworker | Role::SendManager => true,
        Role::Senco => step == "advice:education" || step == "annual_review",
        r => r.service().is_some_and(|p: AdviceParty| step == format!("advice:{}", p.key())),
    }
}

/// The party the user acts for, to tell their own steps from those waiting on others.
fn own_party(role: Role) -> DelayParty {
    match role {
        Role::Senco => DelayParty::Education,
        Role::HealthProfessional => DelayParty::Health,
        Role::SocialCareProfessional => DelayParty::SocialCare,
        Role::EducationalPsychologist => DelayParty::La,
        _ => DelayParty::La,
    }
}

/// The cases whose deadlines this user holds: a caseworker's assigned cases; a manager's own and the
/// team's unassigned; anyone else, the cases of their selection.
async fn cases(state: &AppState, access: &Access, subject: &'static str) -> Result<Vec<CaseSnapshot>, AppError> {
    let actor = access.actor();
    match access.role() {
        Role::LaCaseworker | Role::SendManager => {
            let computed = state.caseload.get(state, &actor, subject).await?;
            let me = access.user.id;
            let manager = access.role() == Role::SendManager;
            Ok(computed
                .snapshots
                .iter()
                .filter(|s| s.caseworker == Some(me) || (manager && s.caseworker.is_none()))
                .map(|s| CaseSnapshot::clone(s))
                .collect())
        }
        _ => {
            let selection = access.require_selection()?;
            Ok(state.store.case_snapshots(&actor, &selection, subject, &state.audit).await?)
        }
    }
}

/// Every open deadline held in these cases, soonest first.
pub fn held(role: Role, snapshots: &[CaseSnapshot], today: Date) -> Vec<Held> {
    let own = own_party(role);
    let mut out = Vec::new();
    for s in snapshots {
        if s.case.stage().is_closed() {
            continue;
        }
        let Ok(report) = evaluate(&s.case.clock_input(), today) else { continue };
        for step in report.steps.iter().filter(|st| st.done.is_none() && matches!(st.status, StepStatus::Due | StepStatus::Overdue)) {
            if !holds(role, &step.step) {
                continue;
            }
            let overdue = step.status == StepStatus::Overdue;
            let others = match role {
                Role::LaCaseworker | Role::SendManager => step.waiting_on.is_some_and(|w| w != own),
                _ => false,
            };
            out.push(Held {
                case: s.summary.case_id,
                reference: case_reference(s.summary.case_id),
                child_name: format!("{} {}", s.child.name.forename(), s.child.name.surname()),
                initials: ics::initials(s.child.name.forename(), s.child.name.surname()),
                step: step.step.clone(),
                label: views::step_label(&step.step),
                due: step.due,
                overdue,
                days: if overdue { step.days_late } else { (step.due - today).num_days().max(0) },
                waiting_on: step.waiting_on,
                others,
            });
        }
    }
    out.sort_by_key(|h| (h.due, h.case));
    out
}

fn days_text(h: &Held) -> String {
    match (h.overdue, h.days) {
        (true, 1) => "1 day late".into(),
        (true, n) => format!("{n} days late"),
        (false, 0) => "Due today".into(),
        (false, 1) => "1 day left".into(),
        (false, n) => format!("{n} days left"),
    }
}

fn item_json(h: &Held) -> Value {
    json!({
        "case_id": h.case, "reference": h.reference, "child_name": h.child_name, "label": h.label,
        "due": long_date(h.due), "days": days_text(h), "overdue": h.overdue,
        "waiting_on": h.waiting_on.map(views::delay_label),
    })
}

async fn show(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    if signed.access.selection().is_none() || signed.access.can(Can::OwnJourney) {
        return Err(AppError::Forbidden);
    }
    let today = state.clock.today();
    let snapshots = cases(&state, &signed.access, "my_work").await?;
    let items = held(signed.access.role(), &snapshots, today);
    let overdue: Vec<Value> = items.iter().filter(|h| h.overdue && !h.others).map(item_json).collect();
    let soon: Vec<Value> = items.iter().filter(|h| !h.overdue && !h.others && h.days <= SOON_DAYS).map(item_json).collect();
    let waiting: Vec<Value> = items.iter().filter(|h| h.others).map(item_json).collect();
    let last = state.store.swap_last_visit(signed.access.user.id, "my_work").await?;
    let changed: Vec<Value> = match last {
        Some(since) => {
            let mut list: Vec<&CaseSnapshot> = snapshots.iter().filter(|s| s.summary.updated_at > since).collect();
            list.sort_by_key(|s| std::cmp::Reverse(s.summary.updated_at));
            list.iter()
                .map(|s| {
                    json!({
                        "case_id": s.summary.case_id, "reference": case_reference(s.summary.case_id),
                        "child_name": format!("{} {}", s.child.name.forename(), s.child.name.surname()),
                        "stage": views::stage_label(&s.summary.stage),
                        "when": s.summary.updated_at.format("%-d %B %Y %H:%M").to_string(),
                    })
                })
                .collect()
        }
        None => Vec::new(),
    };
    let context = page(
        &signed,
        "Your work",
        "/my-work",
        json!({
            "overdue": overdue, "soon": soon, "waiting": waiting, "changed": changed,
            "since": last.map(|t| t.format("%-d %B %Y %H:%M").to_string()), "today": long_date(today), "soon_days": SOON_DAYS,
            "held": items.len(),
        }),
    );
    Ok(Html(render("my_work.html", &context)?))
}

fn feed_url(headers: &HeaderMap, state: &AppState, token: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c)));
    let scheme = if state.config.secure_cookies { "https" } else { "http" };
    match host {
        Some(h) => format!("{scheme}://{h}/calendar/{token}.ics"),
        None => format!("/calendar/{token}.ics"),
    }
}

async fn render_account(state: &AppState, signed: &Signed, new_url: Option<String>, status: StatusCode) -> Result<Response, AppError> {
    let made = state.store.calendar_token_made(signed.access.user.id).await?;
    let emails = crate::routes::notifications::choices(state, signed).await?;
    let sessions = crate::routes::account::session_rows(state, signed).await?;
    let two_step = crate::routes::account::two_step_summary(state, signed).await?;
    let context = page(
        signed,
        "Your account",
        "/account",
        json!({
            "name": signed.access.user.display_name, "username": signed.access.user.username,
            "role": signed.access.user.role.label(),
            "feed": signed.access.selection().is_some() && !signed.access.can(Can::OwnJourney),
            "made": made.map(|t| t.format("%-d %B %Y %H:%M").to_string()), "new_url": new_url,
            "emails": emails, "sessions": sessions, "two_step": two_step,
        }),
    );
    Ok((status, Html(render("account.html", &context)?)).into_response())
}

async fn account(State(state): State<AppState>, signed: Signed) -> Result<Response, AppError> {
    render_account(&state, &signed, None, StatusCode::OK).await
}

async fn account_change(State(state): State<AppState>, signed: Signed, headers: HeaderMap, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    if signed.access.selection().is_none() || signed.access.can(Can::OwnJourney) {
        return Err(AppError::Forbidden);
    }
    let actor = signed.access.actor();
    match form.get("calendar").as_str() {
        "make" => {
            let token = random_token();
            state.store.set_calendar_token(&actor, signed.access.user.id, &sha256_hex(&token)).await?;
            let url = feed_url(&headers, &state, &token);
            render_account(&state, &signed, Some(url), StatusCode::OK).await
        }
        "revoke" => {
            state.store.revoke_calendar_token(&actor, signed.access.user.id).await?;
            render_account(&state, &signed, None, StatusCode::OK).await
        }
        _ => Err(AppError::BadRequest("Choose whether to make a calendar link or turn it off.".into())),
    }
}

/// The calendar feed: no session (a calendar application fetches it), the token in the address.
async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, AppError> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    if token.is_empty() || token.len() > 100 {
        return Err(AppError::NotFound);
    }
    let user = state.store.user_for_calendar_token(&sha256_hex(token)).await?.ok_or(AppError::NotFound)?;
    let access = Access::new(user, state.clock.today());
    if access.selection().is_none() || access.can(Can::OwnJourney) {
        return Err(AppError::NotFound);
    }
    let snapshots = cases(&state, &access, "calendar").await?;
    let items = held(access.role(), &snapshots, state.clock.today());
    let deadlines: Vec<ics::Deadline> = items
        .iter()
        .map(|h| ics::Deadline {
            uid: format!("{}-{}@waymark", h.case, h.step.replace(':', "-")),
            due: h.due,
            summary: format!("{}: {} ({})", h.label, h.reference, h.initials),
            description: format!(
                "Statutory deadline for case {}{}. Open the case in Waymark: /cases/{}",
                h.reference,
                h.waiting_on.map(|w| format!(", waiting on {}", views::delay_label(w))).unwrap_or_default(),
                h.case
            ),
            url: None,
        })
        .collect();
    let now: DateTime<Utc> = state.clock.now();
    let body = ics::calendar("Waymark statutory deadlines", &deadlines, now);
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, max-age=900")], body).into_response())
}
