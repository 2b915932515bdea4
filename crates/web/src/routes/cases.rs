//! A case page (child summary, statutory clock, advice tracker, plan, placements, reviews and timeline)
//! and every lifecycle action as a GOV.UK form: question page, then check your answers, then saved with
//! the version the user started from. A conflicting edit is shown to the second editor with the case as
//! it now is and their own answers kept, never lost.

use crate::access::{Access, Can};
use crate::error::AppError;
use crate::forms::{parse_date, DateParts, Errors, FormData};
use crate::session::Signed;
use crate::templates::{page, render};
use crate::views::{self, long_date};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use waymark_domain::calendar::Date;
use waymark_domain::case::{
    Action, AdviceParty, AppealableDecision, CaseEvent, CaseEventKind as E, CeaseReason, ExceptionReason, ReviewOutcome, Stage,
    TransferKind,
};
use waymark_domain::clock::evaluate;
use waymark_domain::identifiers::{LaCode, SettingRef, Urn};
use waymark_domain::ids::{CaseId, UserId};
use waymark_domain::plan::{NamedSetting, PlanContents, Section};
use waymark_storage::{CaseRecord, CaseloadStore, Role, Store, StoreError, UserStore};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/assign", post(assign))
        .route("/cases/{id}/actions/{action}", get(action_form).post(action_check))
        .route("/cases/{id}/actions/{action}/confirm", post(action_confirm))
}

pub fn parse_case_id(text: &str) -> Result<CaseId, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

/// A case the user may see, through their selection (404 otherwise).
pub async fn load_case(state: &AppState, access: &Access, id: CaseId) -> Result<CaseRecord, AppError> {
    let selection = access.require_selection()?;
    Ok(state.store.case_record(&access.actor(), &selection, id, &state.audit).await?)
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
}

/// The case page's data, shared with the API.
pub fn case_json(record: &CaseRecord, access: &Access, today: Date) -> Value {
    let s = &record.snapshot;
    let report = evaluate(&s.case.clock_input(), today).ok();
    let next = report.as_ref().and_then(|r| r.next_deadline().cloned());
    json!({
        "case_id": s.summary.case_id,
        "child_id": s.summary.child_id,
        "version": s.summary.version,
        "stage": s.summary.stage,
        "stage_label": views::stage_label(&s.summary.stage),
        "received": s.case.received().map(long_date),
        "child": views::child_summary(&s.child, access, today),
        "child_name": format!("{} {}", s.child.name.forename(), s.child.name.surname()),
        "clock": report.as_ref().map(|r| views::clock_rows(r, access)).unwrap_or_default(),
        "next": next.as_ref().map(|n| json!({"label": waymark_domain::case::next_step(n), "due": long_date(n.due), "status": views::status_key(n.status), "waiting_on": n.waiting_on.map(views::delay_label)})),
        "weeks_to_final": report.as_ref().and_then(|r| r.weeks_to_final),
        "within_20_weeks": report.as_ref().and_then(|r| r.within_20_weeks),
        "delays": report.as_ref().map(|r| r.delays.iter().map(|d| json!({"party": views::delay_label(d.party), "days": d.days})).collect::<Vec<_>>()).unwrap_or_default(),
        "advice": report.as_ref().map(|r| views::advice_rows(s, r, access)).unwrap_or_default(),
        "plan": views::plan_sections(s, access),
        "placements": views::placement_rows(&s.placements, today),
        "review": views::review_summary(s.case.stage()),
        "timeline": views::timeline(&record.events, access),
        // What this user may record next, as the domain orders it for the case's stage.
        "actions": available_actions(s.case.stage(), access).into_iter().map(|(k, t)| json!({"key": k, "title": t})).collect::<Vec<_>>(),
    })
}

async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Html<String>, AppError> {
    let id = parse_case_id(&id)?;
    let record = load_case(&state, &signed.access, id).await?;
    let today = state.clock.today();
    let mut data = case_json(&record, &signed.access, today);
    let mut staff = Vec::new();
    let mut caseworker = None;
    if signed.access.can(Can::Casework) {
        let users = state.store.list_users(&signed.access.actor()).await?;
        caseworker = record.snapshot.caseworker.and_then(|c| users.iter().find(|u| u.id == c).map(|u| u.display_name.clone()));
        staff = users
            .iter()
            .filter(|u| u.active && matches!(u.role, Role::LaCaseworker | Role::SendManager))
            .map(|u| json!({"value": u.id.to_string(), "text": u.display_name}))
            .collect();
    }
    let people = state.store.list_users(&signed.access.actor()).await?;
    if let Some(Value::Array(entries)) = data.get_mut("timeline") {
        for entry in entries {
            let by = views::recorded_by(entry["actor"].as_str().unwrap_or_default(), &people);
            entry["by"] = json!(by);
        }
    }
    let names = views::setting_names(&state.store, &record.snapshot.placements).await;
    data["placements"] = json!(views::placement_rows_named(&record.snapshot.placements, today, &names));
    if signed.access.can(Can::Casework) {
        // The stored placements' ids and versions, to end one (the same order: entry date, then made).
        use waymark_storage::PlacementStore;
        let stored = state.store.placements_for_child(&signed.access.actor(), record.snapshot.summary.child_id).await?;
        if let Some(Value::Array(rows)) = data.get_mut("placements") {
            for (row, p) in rows.iter_mut().zip(&record.snapshot.placements) {
                if let Some(s) = stored.iter().find(|s| s.value.placement == *p) {
                    row["placement_id"] = json!(s.value.placement_id);
                }
            }
        }
        data["can_place"] = json!(true);
    }
    let done = q.done.as_deref().and_then(action_title);
    if let Value::Object(map) = &mut data {
        map.insert("staff".into(), json!(staff));
        map.insert("caseworker".into(), json!(caseworker));
        map.insert("current_caseworker".into(), json!(record.snapshot.caseworker.map(|c| c.to_string())));
        map.insert("done".into(), json!(done));
        map.insert("can_assign".into(), json!(signed.access.can(Can::Casework)));
        map.insert("child_link".into(), json!(signed.access.can(Can::ChildRecords)));
    }
    let title = format!("Case: {}", data["child_name"].as_str().unwrap_or_default());
    Ok(Html(render("case.html", &page(&signed, &title, "/caseload", data))?))
}

async fn assign(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::Casework)?;
    let id = parse_case_id(&id)?;
    load_case(&state, &signed.access, id).await?;
    let user: UserId = form.get("caseworker").parse().map_err(|_| AppError::BadRequest("Select a caseworker".into()))?;
    state.store.assign_case(&signed.access.actor(), id, user).await?;
    Ok(see_other(&format!("/cases/{id}?done=assign")))
}

pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

/// The actions offered at a stage to this user: (key, title). The domain decides what a stage offers and
/// in which order ([`Stage::actions`]); the web keeps those the user's role may record.
pub fn available_actions(stage: &Stage, access: &Access) -> Vec<(&'static str, &'static str)> {
    stage.actions().iter().filter(|a| access.may_record(&sample_kind(**a, access))).map(|a| (a.key(), a.title())).collect()
}

/// An event of the kind an action records, to ask [`Access::may_record`] about it.
fn sample_kind(action: Action, access: &Access) -> E {
    match action {
        Action::AdviceReceived => E::AdviceReceived {
            party: match access.role() {
                Role::Senco => AdviceParty::Education,
                r => r.service().unwrap_or(AdviceParty::Other),
            },
        },
        Action::ReviewMeeting => E::ReviewMeeting,
        Action::ReviewReportSent => E::ReviewReportSent,
        _ => E::DecidedToAssess,
    }
}

/// The title of a lifecycle action ([`Action::title`]) or of the case page's other forms.
pub fn action_title(key: &str) -> Option<&'static str> {
    if let Some(action) = Action::parse(key) {
        return Some(action.title());
    }
    Some(match key {
        "assign" => "Assign the caseworker",
        "placement" => "Record the placement",
        "placement-end" => "End the placement",
        _ => return None,
    })
}

fn opt(value: &str, text: &str) -> Value {
    json!({"value": value, "text": text})
}

fn yes_no(yes: &str, no: &str) -> Vec<Value> {
    vec![opt("yes", yes), opt("no", no)]
}

fn decisions() -> Vec<Value> {
    vec![
        opt("refusal_to_assess", "Refusal to assess"),
        opt("refusal_to_issue", "Refusal to issue a plan"),
        opt("plan_contents", "The plan's contents"),
        opt("refusal_to_amend", "Refusal to amend after a review"),
        opt("cease", "Ceasing the plan"),
    ]
}

fn exception_reasons() -> Vec<Value> {
    ExceptionReason::ALL.iter().map(|r| opt(r.key(), &forms_capital(views::exception_label(r.key())))).collect()
}

fn forms_capital(s: &str) -> String {
    crate::forms::capitalise(s)
}

fn cease_reasons() -> Vec<Value> {
    let texts = [
        "Reached the maximum age",
        "Needs met without a plan",
        "Moved on to higher education",
        "Moved on to paid employment",
        "Transferred to another local authority in England",
        "No longer wishes to engage in education or training",
        "Moved outside England",
        "Died",
        "Other",
    ];
    CeaseReason::ALL.iter().zip(texts).map(|(r, t)| opt(&r.sen2_code().to_string(), t)).collect()
}

fn plan_fields(draft: bool, final_plan: bool) -> Vec<Value> {
    let mut fields: Vec<Value> = Section::ALL
        .iter()
        .filter(|s| !(draft && **s == Section::I))
        .map(|s| {
            let key = views::section_key(*s);
            json!({"kind": "textarea", "name": format!("section-{key}"), "label": format!("Section {key}: {}", s.title()), "hint": if *s == Section::I && final_plan { "The school or college named; its URN below" } else { "" }})
        })
        .collect();
    if !draft {
        fields.push(json!({"kind": "text", "name": "named-urn", "label": "URN of the school or college named in section I (optional)", "hint": "6 digits, for example 851001", "width": "10"}));
    }
    fields
}

/// The questions an action asks, for this case and user.
fn fields(action: Action, record: &CaseRecord, access: &Access) -> Vec<Value> {
    let date = |label: &str| json!({"kind": "date", "name": "date", "label": label});
    let case = &record.snapshot.case;
    let mut f = match action {
        Action::DecisionToAssess => vec![
            json!({"kind": "radios", "name": "decision", "label": "Has the council decided to carry out an EHC needs assessment?", "options": yes_no("Yes, to assess", "No, not to assess")}),
            date("Date of the decision"),
        ],
        Action::RequestAdvice => {
            let open: Vec<Value> = AdviceParty::ALL
                .iter()
                .filter(|p| case.advice().get(p).is_none_or(|r| r.requested.is_none()))
                .map(|p| opt(p.key(), views::advice_label(*p)))
                .collect();
            vec![
                json!({"kind": "checkboxes", "name": "party", "label": "Who is advice requested from?", "hint": "Select all that apply", "options": open}),
                date("Date the requests were sent"),
            ]
        }
        Action::AdviceReceived => {
            let allowed = access.advice_parties();
            let open: Vec<Value> = case
                .advice()
                .iter()
                .filter(|(p, r)| {
                    r.requested.is_some()
                        && r.received.is_none()
                        && allowed.contains(p)
                        && access.may_record(&E::AdviceReceived { party: **p })
                })
                .map(|(p, _)| opt(p.key(), views::advice_label(*p)))
                .collect();
            vec![
                json!({"kind": "radios", "name": "party", "label": "Whose advice is it?", "options": open}),
                date("Date the advice was received"),
                json!({"kind": "textarea", "name": "summary", "label": "Summary of the advice", "hint": "The main findings and recommended provision. The full report is kept in the case file."}),
            ]
        }
        Action::DecisionToIssue => vec![
            json!({"kind": "radios", "name": "decision", "label": "Has the council decided to issue an EHC plan?", "options": yes_no("Yes, to issue a plan", "No, not to issue a plan")}),
            date("Date of the decision"),
        ],
        Action::IssueDraft => [vec![date("Date the draft was sent to the family")], plan_fields(true, false)].concat(),
        Action::IssueFinal => [vec![date("Date the final plan was issued")], plan_fields(false, true)].concat(),
        Action::ProposeAmendments => [vec![date("Date the proposed amendments were sent")], plan_fields(false, false)].concat(),
        Action::IssueAmendedFinal => [vec![date("Date the amended plan was issued")], plan_fields(false, true)].concat(),
        Action::SettingRequested | Action::SettingConsulted => vec![
            json!({"kind": "text", "name": "urn", "label": "URN of the school or college", "hint": "6 digits, for example 851001", "width": "10"}),
            date("Date"),
        ],
        Action::ReviewMeeting => vec![date("Date of the annual review meeting")],
        Action::ReviewReportSent => vec![date("Date the review report was sent")],
        Action::ReviewDecision => vec![
            json!({"kind": "radios", "name": "outcome", "label": "What did the council decide?", "options": [opt("maintain", "Keep the plan as it is"), opt("amend", "Amend the plan"), opt("cease", "Cease the plan")]}),
            date("Date of the decision"),
        ],
        Action::PhaseTransfer => vec![
            json!({"kind": "radios", "name": "kind", "label": "What kind of move is it?", "options": [opt("school", "Into or between schools"), opt("post16", "From school to a post-16 institution")]}),
            json!({"kind": "date", "name": "transfer", "label": "Date of the move"}),
            date("Date this was recorded"),
        ],
        Action::ExceptionStart | Action::ExceptionEnd => {
            let mut parties = vec![opt("", "It applies to the whole case")];
            parties.extend(AdviceParty::ALL.iter().map(|p| opt(p.key(), views::advice_label(*p))));
            vec![
                json!({"kind": "radios", "name": "reason", "label": "What is the exception?", "options": exception_reasons()}),
                json!({"kind": "radios", "name": "party", "label": "Whose advice does it affect?", "hint": "A missed appointment must name the advice-giver", "options": parties}),
                date(if action == Action::ExceptionStart { "Date it began" } else { "Date it ended" }),
            ]
        }
        Action::Cease => vec![
            json!({"kind": "radios", "name": "reason", "label": "Why is the plan ceasing?", "options": cease_reasons()}),
            date("Date the plan ceases"),
        ],
        Action::Withdraw => vec![date("Date the request was withdrawn")],
        Action::TransferOut => vec![
            json!({"kind": "text", "name": "la", "label": "Number of the local authority now responsible", "hint": "3 digits, for example 886", "width": "4"}),
            date("Date of the move"),
        ],
        Action::Mediation | Action::AppealLodged => vec![
            json!({"kind": "radios", "name": "decision", "label": "Which decision is it about?", "options": decisions()}),
            date("Date"),
        ],
        Action::AppealDecided => vec![
            json!({"kind": "radios", "name": "decision", "label": "Which decision was appealed?", "options": decisions()}),
            json!({"kind": "radios", "name": "upheld", "label": "Was the appeal upheld?", "options": yes_no("Yes", "No")}),
            date("Date of the tribunal's decision"),
        ],
    };
    if access.sees_reasons() {
        f.push(json!({"kind": "textarea", "name": "note", "label": "Note for the case history (optional)", "hint": "Why this was recorded, or anything the next person should know"}));
    }
    f
}

/// Parse an action's answers into events; problems go into `errors`, keyed by field.
fn build(action: Action, form: &FormData, record: &CaseRecord, today: Date, errors: &mut Errors) -> Vec<CaseEvent> {
    let date = parse_date(form, "date", "the date", Some(today), errors);
    let radio = |name: &str, message: &str, errors: &mut Errors| -> Option<String> {
        let v = form.get(name);
        if v.is_empty() {
            errors.add(name, name, message);
            None
        } else {
            Some(v)
        }
    };
    let current_plan = record.snapshot.case.plan().cloned().unwrap_or_default();
    let plan = |draft: bool, errors: &mut Errors| -> Option<PlanContents> {
        let mut p = current_plan.clone();
        for s in Section::ALL {
            let name = format!("section-{}", views::section_key(s));
            if draft && s == Section::I {
                p.sections.remove(&s);
                continue;
            }
            let text = form.raw(&name).trim().to_owned();
            if text.is_empty() {
                p.sections.remove(&s);
            } else if text.chars().count() > 20_000 {
                errors.add(&name, &name, format!("Section {} must be 20,000 characters or fewer", views::section_key(s)));
            } else {
                p.sections.insert(s, text);
            }
        }
        if draft {
            p.named_settings.clear();
        } else {
            let urn = form.get("named-urn");
            if !urn.is_empty() {
                match urn.parse::<Urn>() {
                    Ok(u) => {
                        p.named_settings = vec![NamedSetting {
                            setting: SettingRef::Urn(u),
                            rank: 1,
                            sen_unit: false,
                            resourced_provision: false,
                            other_description: None,
                        }];
                    }
                    Err(_) => errors.add("named-urn", "named-urn", "Enter a URN of 6 digits, like 851001"),
                }
            }
        }
        if let Err(e) = p.check(draft) {
            errors.add("section-A", "section-A", crate::forms::capitalise(&e.to_string()));
        }
        Some(p)
    };
    let kinds: Vec<E> = match action {
        Action::DecisionToAssess => match radio("decision", "Select whether the council decided to assess", errors).as_deref() {
            Some("yes") => vec![E::DecidedToAssess],
            Some(_) => vec![E::DecidedNotToAssess],
            None => vec![],
        },
        Action::RequestAdvice => {
            let parties: Vec<AdviceParty> = form.all("party").iter().filter_map(|p| AdviceParty::parse(p)).collect();
            if parties.is_empty() {
                errors.add("party", "party", "Select who advice is requested from");
            }
            parties.into_iter().map(|party| E::AdviceRequested { party }).collect()
        }
        Action::AdviceReceived => match radio("party", "Select whose advice it is", errors).as_deref().map(AdviceParty::parse) {
            Some(Some(party)) => vec![E::AdviceReceived { party }],
            Some(None) => {
                errors.add("party", "party", "Select whose advice it is");
                vec![]
            }
            None => vec![],
        },
        Action::DecisionToIssue => match radio("decision", "Select whether the council decided to issue a plan", errors).as_deref() {
            Some("yes") => vec![E::DecidedToIssue],
            Some(_) => vec![E::DecidedNotToIssue],
            None => vec![],
        },
        Action::IssueDraft => plan(true, errors).map(|plan| vec![E::DraftIssued { plan }]).unwrap_or_default(),
        Action::IssueFinal => plan(false, errors).map(|plan| vec![E::FinalIssued { plan }]).unwrap_or_default(),
        Action::ProposeAmendments => plan(false, errors).map(|plan| vec![E::AmendmentsProposed { plan }]).unwrap_or_default(),
        Action::IssueAmendedFinal => plan(false, errors).map(|plan| vec![E::AmendedFinalIssued { plan }]).unwrap_or_default(),
        Action::SettingRequested | Action::SettingConsulted => match form.get("urn").parse::<Urn>() {
            Ok(u) if action == Action::SettingRequested => vec![E::SettingRequested { setting: SettingRef::Urn(u) }],
            Ok(u) => vec![E::SettingConsulted { setting: SettingRef::Urn(u) }],
            Err(_) => {
                errors.add("urn", "urn", "Enter a URN of 6 digits, like 851001");
                vec![]
            }
        },
        Action::ReviewMeeting => vec![E::ReviewMeeting],
        Action::ReviewReportSent => vec![E::ReviewReportSent],
        Action::ReviewDecision => {
            match radio("outcome", "Select what the council decided", errors).as_deref().and_then(ReviewOutcome::parse) {
                Some(outcome) => vec![E::ReviewDecision { outcome }],
                None => vec![],
            }
        }
        Action::PhaseTransfer => {
            let kind = radio("kind", "Select the kind of move", errors).as_deref().and_then(TransferKind::parse);
            let transfer = parse_date(form, "transfer", "the date of the move", None, errors);
            match (kind, transfer) {
                (Some(kind), Some(transfer_date)) => vec![E::PhaseTransferPlanned { transfer_date, kind }],
                _ => vec![],
            }
        }
        Action::ExceptionStart | Action::ExceptionEnd => {
            let reason = radio("reason", "Select the exception", errors).as_deref().and_then(ExceptionReason::parse);
            let party = AdviceParty::parse(&form.get("party"));
            if reason == Some(ExceptionReason::MissedAppointment) && party.is_none() {
                errors.add("party", "party", "Select whose appointment was missed");
            }
            match reason {
                Some(reason) if action == Action::ExceptionStart => vec![E::ExceptionStarted { reason, party }],
                Some(reason) => vec![E::ExceptionEnded { reason, party }],
                None => vec![],
            }
        }
        Action::Cease => match radio("reason", "Select why the plan is ceasing", errors)
            .and_then(|c| c.parse::<u8>().ok())
            .and_then(CeaseReason::from_sen2_code)
        {
            Some(reason) => vec![E::Ceased { reason }],
            None => vec![],
        },
        Action::Withdraw => vec![E::Withdrawn],
        Action::TransferOut => match form.get("la").parse::<LaCode>() {
            Ok(to_la) => vec![E::TransferredOut { to_la }],
            Err(_) => {
                errors.add("la", "la", "Enter the local authority's 3-digit number, like 886");
                vec![]
            }
        },
        Action::Mediation | Action::AppealLodged | Action::AppealDecided => {
            let decision: Option<AppealableDecision> =
                radio("decision", "Select which decision it is about", errors).and_then(|d| serde_json::from_value(json!(d)).ok());
            let upheld = if action == Action::AppealDecided {
                radio("upheld", "Select whether the appeal was upheld", errors).map(|u| u == "yes")
            } else {
                Some(false)
            };
            match (decision, upheld) {
                (Some(decision), Some(upheld)) => vec![match action {
                    Action::Mediation => E::MediationHeld { decision },
                    Action::AppealLodged => E::AppealLodged { decision },
                    _ => E::AppealDecided { decision, upheld },
                }],
                _ => vec![],
            }
        }
    };
    if form.raw("summary").chars().count() > 3000 {
        errors.add("summary", "summary", "The summary must be 3,000 characters or fewer");
    }
    if form.raw("note").chars().count() > 3000 {
        errors.add("note", "note", "The note must be 3,000 characters or fewer");
    }
    match date {
        Some(d) if errors.is_empty() => kinds.into_iter().map(|k| CaseEvent::new(d, k)).collect(),
        _ => vec![],
    }
}

/// What the case history keeps beside the events: the advice summary and the note as typed, or a fixed
/// phrase (never shown) when there is neither.
fn reason_for(form: &FormData) -> String {
    let note = form.get("note");
    let summary = form.get("summary");
    match (summary.is_empty(), note.is_empty()) {
        (false, false) => format!("Summary of the advice: {summary}\n{note}"),
        (false, true) => format!("Summary of the advice: {summary}"),
        (true, false) => note,
        (true, true) => views::NO_NOTE.into(),
    }
}

fn field_values(form: &FormData, fields: &[Value]) -> (BTreeMap<String, Value>, BTreeMap<String, Value>) {
    let mut values = BTreeMap::new();
    let mut dates = BTreeMap::new();
    for f in fields {
        let name = f["name"].as_str().unwrap_or_default();
        match f["kind"].as_str() {
            Some("date") => {
                dates.insert(name.to_owned(), json!(DateParts::from_form(form, name)));
            }
            Some("checkboxes") => {
                values.insert(name.to_owned(), json!(form.all(name)));
            }
            _ => {
                values.insert(name.to_owned(), json!(form.raw(name)));
            }
        }
    }
    (values, dates)
}

fn prefill_plan(record: &CaseRecord, form: &mut FormData) {
    if let Some(plan) = record.snapshot.case.plan() {
        for (s, text) in &plan.sections {
            form.0.entry(format!("section-{}", views::section_key(*s))).or_insert_with(|| vec![text.clone()]);
        }
        if let Some(NamedSetting { setting: SettingRef::Urn(u), .. }) = plan.named_settings.first() {
            form.0.entry("named-urn".into()).or_insert_with(|| vec![u.to_string()]);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn render_form(
    signed: &Signed,
    record: &CaseRecord,
    key: &str,
    fields: &[Value],
    form: &FormData,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (values, dates) = field_values(form, fields);
    // The error summary lists the problems in the order of the fields on the page.
    let mut errors = errors.clone();
    let position = |field: &str| fields.iter().position(|f| f["name"].as_str() == Some(field)).unwrap_or(usize::MAX);
    errors.0.sort_by_key(|e| position(&e.field));
    let s = &record.snapshot;
    let context = page(
        signed,
        action_title(key).unwrap_or("Record"),
        "/caseload",
        json!({
            "case_id": s.summary.case_id, "action": key, "heading": action_title(key),
            "child_name": format!("{} {}", s.child.name.forename(), s.child.name.surname()),
            "stage_label": views::stage_label(&s.summary.stage), "version": s.summary.version,
            "fields": fields, "values": values, "dates": dates, "errors": errors.0, "error_map": errors.map(),
        }),
    );
    Ok((status, Html(render("action_form.html", &context)?)).into_response())
}

async fn action_form(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, key)): Path<(String, String)>,
    Query(prefill): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = parse_case_id(&id)?;
    let record = load_case(&state, &signed.access, id).await?;
    let (_, fields) = action_fields_for(&record, &signed.access, &key)?;
    let mut form = FormData::default();
    for (k, v) in prefill {
        form.0.entry(k).or_default().push(v);
    }
    if key.contains("draft") || key.contains("final") || key.contains("amendments") {
        prefill_plan(&record, &mut form);
    }
    render_form(&signed, &record, &key, &fields, &form, &Errors::default(), StatusCode::OK)
}

/// The action a path names, if this user may record it on this case now, with its questions: 404 for no
/// such action, 403 for one the stage or the user's role does not offer.
fn action_fields_for(record: &CaseRecord, access: &Access, key: &str) -> Result<(Action, Vec<Value>), AppError> {
    let offered = Action::parse(key).filter(|a| available_actions(record.snapshot.case.stage(), access).iter().any(|(k, _)| *k == a.key()));
    match offered {
        Some(action) => Ok((action, fields(action, record, access))),
        None if action_title(key).is_some() => Err(AppError::Forbidden),
        None => Err(AppError::NotFound),
    }
}

fn summary_rows(events: &[CaseEvent], form: &FormData, key: &str, id: CaseId) -> Vec<Value> {
    let change = format!("/cases/{id}/actions/{key}?{}", serde_urlencoded::to_string(form.pairs()).unwrap_or_default());
    let mut rows = Vec::new();
    for e in events {
        rows.push(json!({"key": "What happened", "value": views::event_label(e), "href": change}));
        if let E::DraftIssued { plan } | E::FinalIssued { plan } | E::AmendmentsProposed { plan } | E::AmendedFinalIssued { plan } = &e.kind
        {
            for (s, text) in &plan.sections {
                rows.push(json!({"key": format!("Section {}: {}", views::section_key(*s), s.title()), "value": text, "href": change}));
            }
        }
    }
    if let Some(e) = events.first() {
        rows.push(json!({"key": "Date", "value": long_date(e.date), "href": change}));
    }
    for (name, label) in [("summary", "Summary of the advice"), ("note", "Note")] {
        let v = form.get(name);
        if !v.is_empty() {
            rows.push(json!({"key": label, "value": v, "href": change}));
        }
    }
    rows
}

#[allow(clippy::too_many_arguments)]
fn render_check(
    signed: &Signed,
    record: &CaseRecord,
    key: &str,
    form: &FormData,
    events: &[CaseEvent],
    version: i64,
    conflict: Option<Value>,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let s = &record.snapshot;
    let hidden: Vec<Value> =
        form.pairs().into_iter().filter(|(k, _)| k != "version").map(|(k, v)| json!({"name": k, "value": v})).collect();
    let context = page(
        signed,
        "Check your answers",
        "/caseload",
        json!({
            "case_id": s.summary.case_id, "action": key, "heading": action_title(key),
            "child_name": format!("{} {}", s.child.name.forename(), s.child.name.surname()),
            "rows": summary_rows(events, form, key, s.summary.case_id), "hidden": hidden, "version": version,
            "conflict": conflict, "errors": errors.0,
        }),
    );
    Ok((status, Html(render("action_check.html", &context)?)).into_response())
}

async fn action_check(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, key)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let id = parse_case_id(&id)?;
    let record = load_case(&state, &signed.access, id).await?;
    let (action, fields) = action_fields_for(&record, &signed.access, &key)?;
    let mut errors = Errors::default();
    let events = build(action, &form, &record, state.clock.today(), &mut errors);
    if !errors.is_empty() || events.is_empty() {
        if errors.is_empty() {
            errors.add("date", "date-day", "Answer the questions on this page");
        }
        return render_form(&signed, &record, &key, &fields, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The lifecycle's check runs now, on the case as it is, so nothing accepted on the next page can be
    // refused on save (short of someone else changing the case meanwhile).
    if let Err(t) = try_on(&record.snapshot.case, &events) {
        errors.add("date", "date-day", crate::messages::refusal(&t, &events));
        return render_form(&signed, &record, &key, &fields, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let version = form.get("version").parse().unwrap_or(record.snapshot.summary.version);
    render_check(&signed, &record, &key, &form, &events, version, None, &Errors::default(), StatusCode::OK)
}

/// Apply the events to a copy of the case: the domain's verdict, without saving anything.
pub fn try_on(case: &waymark_domain::case::Case, events: &[CaseEvent]) -> Result<(), waymark_domain::case::TransitionError> {
    let mut trial = case.clone();
    events.iter().try_for_each(|e| trial.apply(e.clone()))
}

async fn action_confirm(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, key)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let id = parse_case_id(&id)?;
    let record = load_case(&state, &signed.access, id).await?;
    let (action, fields) = action_fields_for(&record, &signed.access, &key)?;
    let mut errors = Errors::default();
    let events = build(action, &form, &record, state.clock.today(), &mut errors);
    if !errors.is_empty() || events.is_empty() {
        return render_form(&signed, &record, &key, &fields, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    if events.iter().any(|e| !signed.access.may_record(&e.kind)) {
        return Err(AppError::Forbidden);
    }
    let Ok(expected) = form.get("version").parse::<i64>() else {
        return Err(AppError::BadRequest(crate::messages::NO_VERSION.into()));
    };
    let reason = reason_for(&form);
    match state.store.record_case_events(&signed.access.actor(), id, expected, events.clone(), &reason).await {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done={key}"))),
        Err(StoreError::Conflict { current, .. }) => {
            let changes: Vec<Value> = record
                .events
                .iter()
                .filter(|r| r.seq > expected)
                .map(|r| json!({"date": long_date(r.event.date), "what": views::event_label(&r.event)}))
                .collect();
            // Offer to save on top of the current case only if the answers still fit it.
            let fits = try_on(&record.snapshot.case, &events).err();
            let conflict = json!({
                "stage": views::stage_label(&record.snapshot.summary.stage),
                "changes": changes,
                "yours": expected,
                "current": current,
                "can_save": fits.is_none(),
                "message": if fits.is_none() { crate::messages::CONFLICT } else { crate::messages::CONFLICT_STALE },
                "why": fits.map(|t| crate::messages::refusal(&t, &events)),
            });
            render_check(&signed, &record, &key, &form, &events, current, Some(conflict), &Errors::default(), StatusCode::CONFLICT)
        }
        Err(StoreError::Transition(t)) => {
            let mut errors = Errors::default();
            errors.add("date", "date-day", crate::messages::refusal(&t, &events));
            render_form(&signed, &record, &key, &fields, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}

/// Record events from the API, with the same rules (role, lifecycle, version).
pub async fn record_for_api(
    state: &AppState,
    access: &Access,
    id: CaseId,
    expected: i64,
    events: Vec<CaseEvent>,
    reason: &str,
) -> Result<waymark_storage::Versioned<waymark_domain::case::Case>, crate::error::ApiError> {
    load_case(state, access, id).await?;
    if events.iter().any(|e| !access.may_record(&e.kind)) {
        return Err(crate::error::ApiError::forbidden());
    }
    Ok(state.store.record_case_events(&access.actor(), id, expected, events, reason).await?)
}
