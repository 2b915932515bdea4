//! The family's view: a parent's or carer's own children, or a young person's own record, in plain
//! English: where the EHC journey is, what happens next and by when, whom it is waiting on, whom to
//! contact, and the plan. Limited in the query to the children linked to the account.

use crate::access::Can;
use crate::error::AppError;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::views::{self, long_date};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use waymark_domain::case::CaseEventKind;
use waymark_domain::clock::evaluate;
use waymark_storage::{CaseRecord, CaseloadStore, UserStore};

pub fn router() -> Router<AppState> {
    Router::new().route("/my-journey", get(list)).route("/my-journey/{id}", get(show))
}

/// The family's cases as JSON rows (shared with the API).
pub async fn journey_rows(state: &AppState, signed: &Signed) -> Result<Vec<Value>, AppError> {
    signed.access.require(Can::OwnJourney)?;
    let selection = signed.access.require_selection()?;
    let cases = state.store.case_snapshots(&signed.access.actor(), &selection, "case_list", &state.audit).await?;
    let today = state.clock.today();
    Ok(cases
        .iter()
        .map(|c| {
            let row = views::caseload_row(c, today);
            json!({"case_id": c.summary.case_id, "name": row.child_name, "stage": row.stage_label, "next": row.next_step_label, "due": row.next_due.map(long_date)})
        })
        .collect())
}

async fn list(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    let rows = journey_rows(&state, &signed).await?;
    let young_person = signed.user().role == waymark_storage::Role::YoungPerson;
    let context = page(&signed, "Your EHC journey", "/my-journey", json!({"rows": rows, "young_person": young_person}));
    Ok(Html(render("journey_list.html", &context)?))
}

/// One journey in plain English (shared with the API).
pub fn journey_json(record: &CaseRecord, caseworker: Option<String>, today: waymark_domain::calendar::Date) -> Value {
    let s = &record.snapshot;
    let report = evaluate(&s.case.clock_input(), today).ok();
    let next = report.as_ref().and_then(|r| r.next_deadline()).map(views::family_next);
    let decisions: Vec<Value> = record
        .events
        .iter()
        .filter(|r| {
            matches!(
                r.event.kind,
                CaseEventKind::RequestReceived { .. }
                    | CaseEventKind::DecidedToAssess
                    | CaseEventKind::DecidedNotToAssess
                    | CaseEventKind::DecidedToIssue
                    | CaseEventKind::DecidedNotToIssue
                    | CaseEventKind::DraftIssued { .. }
                    | CaseEventKind::FinalIssued { .. }
                    | CaseEventKind::ExistingPlan { .. }
                    | CaseEventKind::ReviewMeeting
                    | CaseEventKind::ReviewDecision { .. }
                    | CaseEventKind::AmendmentsProposed { .. }
                    | CaseEventKind::AmendedFinalIssued { .. }
                    | CaseEventKind::AdviceReceived { .. }
                    | CaseEventKind::Ceased { .. }
                    | CaseEventKind::Withdrawn
            )
        })
        .map(|r| json!({"date": long_date(r.event.date), "what": views::event_label(&r.event)}))
        .collect();
    let plan: Vec<Value> = s
        .case
        .plan()
        .map(|p| {
            p.sections
                .iter()
                .map(|(sec, text)| json!({"title": format!("Section {}: {}", views::section_key(*sec), sec.title()), "text": text}))
                .collect()
        })
        .unwrap_or_default();
    // The 20-week limit for the final plan (SEND Regulations 2014, reg 13(2)) while it is still to come.
    let final_due = report
        .as_ref()
        .and_then(|r| r.steps.iter().find(|step| step.step == "final_plan" && step.done.is_none()))
        .map(|step| long_date(step.due));
    // Advice asked for and not yet received: each is due 6 weeks after it was asked for (reg 8(1)).
    let outstanding: Vec<Value> = s
        .case
        .advice()
        .iter()
        .filter(|(_, r)| r.requested.is_some() && r.received.is_none())
        .map(|(party, r)| {
            let who = match party {
                waymark_domain::case::AdviceParty::Parent => "Your own advice and views",
                other => views::advice_label(*other),
            };
            json!({"who": who, "due": r.requested.map(|d| long_date(waymark_domain::calendar::add_weeks(d, 6)))})
        })
        .collect();
    json!({
        "case_id": s.summary.case_id,
        "final_due": final_due,
        "outstanding": outstanding,
        "name": format!("{} {}", s.child.name.forename(), s.child.name.surname()),
        "where": views::family_stage(s.case.stage()),
        "next": next,
        "decisions": decisions,
        "plan": plan,
        "caseworker": caseworker,
        // While a draft or proposed amendments are with the family: the last of their 15 days to comment
        // and ask for a school or college (SEND Regs 2014 reg 13(1), reg 22(2)(c)).
        "comment_ends": s.case.comment_window().map(long_date),
        "comment_window_passed": s.case.comment_window().is_some_and(|ends| today > ends),
        "open": !s.case.stage().is_closed(),
    })
}

/// Which contribution was just sent (`?sent=views|school|comments`), for the confirmation.
#[derive(serde::Deserialize)]
struct Sent {
    #[serde(default)]
    sent: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    axum::extract::Query(sent): axum::extract::Query<Sent>,
) -> Result<Html<String>, AppError> {
    signed.access.require(Can::OwnJourney)?;
    let id = super::cases::parse_case_id(&id)?;
    let record = super::cases::load_case(&state, &signed.access, id).await?;
    let caseworker = caseworker_name(&state, &record).await;
    let mut data = journey_json(&record, caseworker, state.clock.today());
    data["sent"] = json!(match sent.sent.as_deref() {
        Some("views") => Some("Your views have been sent to the council."),
        Some("school") => Some("Your request for a school or college has been sent to the council."),
        Some("comments") => Some("Your comments on the draft have been sent to the council."),
        _ => None,
    });
    let title = format!("{}: your EHC journey", data["name"].as_str().unwrap_or_default());
    Ok(Html(render("journey.html", &page(&signed, &title, "/my-journey", data))?))
}

/// The caseworker's name for the family, if one is assigned.
pub async fn caseworker_name(state: &AppState, record: &CaseRecord) -> Option<String> {
    let id = record.snapshot.caseworker?;
    let system = waymark_storage::Actor::new("system:family-contact", waymark_storage::Scope::LocalAuthority(record.snapshot.summary.la));
    state.store.get_user(&system, id).await.ok().map(|u| u.display_name)
}
