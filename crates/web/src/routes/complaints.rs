//! The log of compliments and complaints (issue 16), for LA staff with the families' voice right.
//! Each entry is a compliment or one stage of a complaint (stage 1, stage 2, the Local Government and
//! Social Care Ombudsman, an appeal to the SEND Tribunal), optionally about a case (named by its
//! reference, checked in the user's scope, audited). Each stage's response is due a number of working
//! days after receipt (`waymark_surveys::complaints`, which cites where each limit comes from); the
//! list flags the overdue ones, and the report (counts by stage and outcome, and the percentage
//! answered on time) is on the page and as CSV through the one CSV writer (`waymark_safe_output`).

use crate::access::Can;
use crate::error::AppError;
use crate::forms::{parse_date, DateParts, Errors, FormData};
use crate::query::PageQuery;
use crate::routes::cases::see_other;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use uuid::Uuid;
use waymark_domain::identifiers::LaCode;
use waymark_domain::search::case_reference;
use waymark_indicators::definition::Unit;
use waymark_indicators::present;
use waymark_safe_output::CsvWriter;
use waymark_storage::{ComplaintRecord, ComplaintStore, NewComplaint, StoreError, MAX_SUMMARY};
use waymark_surveys::complaints::{self, outcome_counts, Outcome, Stage, StageReport, Timeliness};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/surveys/complaints", get(list))
        .route("/surveys/complaints/new", get(new_form).post(create))
        .route("/surveys/complaints/report.csv", get(report_csv))
        .route("/surveys/complaints/{id}", get(show))
        .route("/surveys/complaints/{id}/response", post(respond))
}

fn staff(signed: &Signed) -> Result<LaCode, AppError> {
    signed.access.require(Can::Surveys)?;
    signed.user().la.ok_or(AppError::Forbidden)
}

fn entry_id(text: &str) -> Result<Uuid, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

/// How an entry stands today, and whether it is flagged.
fn standing(state: &AppState, c: &ComplaintRecord) -> Timeliness {
    complaints::timeliness(c.stage, c.received_on, c.responded_on, state.clock.today())
}

fn standing_json(t: Timeliness) -> Value {
    let colour = match t {
        Timeliness::Overdue { .. } => "red",
        Timeliness::Late { .. } => "orange",
        Timeliness::Open { .. } => "blue",
        Timeliness::Met { .. } => "green",
        Timeliness::NotDue => "grey",
    };
    let due = match t {
        Timeliness::Open { due, .. } | Timeliness::Overdue { due, .. } | Timeliness::Met { due } | Timeliness::Late { due, .. } => {
            Some(crate::views::long_date(due))
        }
        Timeliness::NotDue => None,
    };
    json!({"words": t.words(), "colour": colour, "overdue": matches!(t, Timeliness::Overdue { .. }), "due": due})
}

/// One stage's counts and its outcomes' counts.
type StageRow = (Stage, StageReport, Vec<(Outcome, u64)>);

/// The report: per stage, its counts, each outcome, and the percentage answered on time.
struct Report {
    stages: Vec<StageRow>,
    totals: StageReport,
}

fn report(state: &AppState, log: &[ComplaintRecord]) -> Report {
    let per_stage = complaints::report(log.iter().map(|c| (c.stage, c.received_on, c.responded_on, c.outcome)), state.clock.today());
    let mut totals = StageReport::default();
    let stages = per_stage
        .into_iter()
        .map(|(stage, r)| {
            totals.received += r.received;
            totals.answered_in_time += r.answered_in_time;
            totals.answered_late += r.answered_late;
            totals.open += r.open;
            totals.overdue += r.overdue;
            totals.upheld += r.upheld;
            let (outcomes, _) = outcome_counts(log.iter().filter(|c| c.stage == stage).map(|c| c.outcome));
            (stage, r, outcomes)
        })
        .collect();
    Report { stages, totals }
}

fn on_time(r: &StageReport) -> String {
    r.on_time_percent().map_or_else(|| "No responses yet".to_owned(), |p| present::value(p, Unit::Percent))
}

fn report_tables(r: &Report) -> Value {
    let count = |n: u64| present::count(n);
    let mut rows: Vec<Value> = r
        .stages
        .iter()
        .filter(|(s, _, _)| *s != Stage::Compliment)
        .map(|(s, x, _)| {
            json!([
                s.words(),
                count(x.received),
                count(x.answered_in_time),
                count(x.answered_late),
                count(x.open),
                count(x.overdue),
                count(x.upheld),
                on_time(x)
            ])
        })
        .collect();
    let complaints_total = {
        let mut t = r.totals;
        if let Some((_, c, _)) = r.stages.iter().find(|(s, _, _)| *s == Stage::Compliment) {
            t.received -= c.received;
        }
        t
    };
    rows.push(json!([
        "All complaints",
        count(complaints_total.received),
        count(complaints_total.answered_in_time),
        count(complaints_total.answered_late),
        count(complaints_total.open),
        count(complaints_total.overdue),
        count(complaints_total.upheld),
        on_time(&complaints_total)
    ]));
    let mut outcome_rows = Vec::new();
    for o in Outcome::ALL {
        let mut row = vec![json!(o.words())];
        for (_, _, outcomes) in r.stages.iter().filter(|(s, _, _)| *s != Stage::Compliment) {
            row.push(json!(count(outcomes.iter().find(|(x, _)| *x == o).map_or(0, |(_, n)| *n))));
        }
        outcome_rows.push(Value::Array(row));
    }
    let compliments = r.stages.iter().find(|(s, _, _)| *s == Stage::Compliment).map_or(0, |(_, x, _)| x.received);
    json!({
        "timeliness": {"columns": ["Stage", "Received", "Answered in time", "Answered late", "Open", "Overdue", "Upheld in whole or part", "Answered on time"], "rows": rows},
        "outcomes": {"columns": std::iter::once("Outcome").chain(Stage::ALL.iter().filter(|s| **s != Stage::Compliment).map(|s| s.words())).collect::<Vec<_>>(), "rows": outcome_rows},
        "compliments": count(compliments),
    })
}

async fn list(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    staff(&signed)?;
    let log = state.store.complaints(&signed.access.actor()).await?;
    let rows: Vec<Value> = log
        .iter()
        .map(|c| {
            json!({"id": c.id, "received": crate::views::long_date(c.received_on), "stage": c.stage.words(), "summary": c.summary,
                   "case": c.case.map(case_reference), "standing": standing_json(standing(&state, c)),
                   "outcome": c.outcome.map(Outcome::words)})
        })
        .collect();
    let overdue = log.iter().filter(|c| matches!(standing(&state, c), Timeliness::Overdue { .. })).count();
    let r = report(&state, &log);
    let context = page(
        &signed,
        "Compliments and complaints",
        "/surveys",
        json!({"rows": rows, "overdue": overdue, "overdue_words": present::count(overdue as u64), "report": report_tables(&r)}),
    );
    Ok(Html(render("complaints.html", &context)?))
}

fn stage_options() -> Vec<Value> {
    Stage::ALL.iter().map(|s| json!({"value": s.code(), "text": s.words()})).collect()
}

#[derive(serde::Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    follows: String,
}

async fn render_new(
    state: &AppState,
    signed: &Signed,
    form: &FormData,
    follows: &str,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let follows = match follows.trim().parse::<Uuid>() {
        Ok(id) => Some(state.store.complaint(&signed.access.actor(), id).await?),
        Err(_) => None,
    };
    let stages: Vec<Value> = match &follows {
        Some(before) => before.stage.next().map(|s| vec![json!({"value": s.code(), "text": s.words()})]).unwrap_or_default(),
        None => stage_options(),
    };
    let context = page(
        signed,
        "Record a compliment or complaint",
        "/surveys",
        json!({"errors": errors.0, "error_map": errors.map(), "stages": stages,
               "follows": follows.as_ref().map(|f| json!({"id": f.id, "stage": f.stage.words(), "summary": f.summary})),
               "values": {"stage": form.get("stage"), "received": DateParts::from_form(form, "received"), "summary": form.raw("summary"),
                          "case": form.get("case")}}),
    );
    Ok((status, Html(render("complaint_new.html", &context)?)).into_response())
}

async fn new_form(State(state): State<AppState>, signed: Signed, PageQuery(q): PageQuery<NewQuery>) -> Result<Response, AppError> {
    staff(&signed)?;
    render_new(&state, &signed, &FormData::default(), &q.follows, &Errors::default(), StatusCode::OK).await
}

async fn create(State(state): State<AppState>, signed: Signed, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let la = staff(&signed)?;
    let actor = signed.access.actor();
    let mut errors = Errors::default();
    let stage = Stage::parse(&form.get("stage"));
    if stage.is_none() {
        errors.add("stage", "stage", "Select whether it is a compliment or which stage of complaint it is");
    }
    let received = parse_date(&form, "received", "the date it was received", Some(state.clock.today()), &mut errors);
    let summary = form.raw("summary").trim().to_owned();
    if summary.is_empty() {
        errors.add("summary", "summary", "Enter what it is about");
    } else if summary.chars().count() > MAX_SUMMARY {
        errors.add("summary", "summary", format!("What it is about must be {MAX_SUMMARY} characters or fewer"));
    }
    let typed_case = form.get("case");
    let mut case = None;
    if !typed_case.is_empty() {
        match state.store.cases_by_reference(&actor, &typed_case).await?.as_slice() {
            [one] => case = Some(*one),
            [] => errors.add("case", "case", "Enter the reference of a case you can see, like EHC-1A2B3C4D, or leave it blank"),
            _ => errors.add("case", "case", "That reference matches more than one case: enter the case's full reference"),
        }
    }
    let follows = form.get("follows").parse::<Uuid>().ok();
    if let (Some(stage), Some(received), true) = (stage, received, errors.is_empty()) {
        let entry = NewComplaint { la, stage, received_on: received, summary, case, follows };
        match state.store.record_complaint(&actor, &entry).await {
            Ok(c) => return Ok(see_other(&format!("/surveys/complaints/{}", c.id))),
            Err(e @ StoreError::Invalid(_)) => errors.add("stage", "stage", crate::messages::store_error(&e).unwrap_or_default()),
            Err(e) => return Err(e.into()),
        }
    }
    render_new(&state, &signed, &form, &form.get("follows"), &errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

fn outcome_options(stage: Stage) -> Vec<Value> {
    Outcome::ALL
        .iter()
        .filter(|o| stage == Stage::Tribunal || **o != Outcome::Conceded)
        .map(|o| json!({"value": o.code(), "text": o.words()}))
        .collect()
}

async fn render_show(
    state: &AppState,
    signed: &Signed,
    c: &ComplaintRecord,
    form: &FormData,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let t = standing(state, c);
    let mut rows = vec![
        json!({"key": "Received", "value": crate::views::long_date(c.received_on)}),
        json!({"key": "What it is about", "value": c.summary}),
    ];
    if let Some(case) = c.case {
        rows.push(json!({"key": "Case", "value": case_reference(case)}));
    }
    if let Some(d) = c.responded_on {
        rows.push(json!({"key": "Answered", "value": crate::views::long_date(d)}));
    }
    if let Some(o) = c.outcome {
        rows.push(json!({"key": "Outcome", "value": o.words()}));
    }
    let context = page(
        signed,
        c.stage.words(),
        "/surveys",
        json!({"entry": {"id": c.id, "stage": c.stage.words(), "version": c.version, "case_id": c.case,
                         "compliment": c.stage == Stage::Compliment, "answered": c.responded_on.is_some(),
                         "next": c.stage.next().map(Stage::words), "limit": c.stage.response_working_days()},
               "rows": rows, "standing": standing_json(t), "outcomes": outcome_options(c.stage),
               "errors": errors.0, "error_map": errors.map(),
               "values": {"responded": DateParts::from_form(form, "responded"), "outcome": form.get("outcome")}}),
    );
    Ok((status, Html(render("complaint.html", &context)?)).into_response())
}

async fn show(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    staff(&signed)?;
    let c = state.store.complaint(&signed.access.actor(), entry_id(&id)?).await?;
    render_show(&state, &signed, &c, &FormData::default(), &Errors::default(), StatusCode::OK).await
}

async fn respond(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    staff(&signed)?;
    let actor = signed.access.actor();
    let c = state.store.complaint(&actor, entry_id(&id)?).await?;
    let mut errors = Errors::default();
    let responded = parse_date(&form, "responded", "the date it was answered", Some(state.clock.today()), &mut errors);
    if let Some(d) = responded {
        if d < c.received_on {
            errors.add("responded", "responded-day", "The date it was answered must be on or after the date it was received");
        }
    }
    let outcome = Outcome::parse(&form.get("outcome"));
    if outcome.is_none() {
        errors.add("outcome", "outcome", "Select the outcome");
    }
    if let (Some(d), Some(o), true) = (responded, outcome, errors.is_empty()) {
        let version = form.get("version").parse().unwrap_or(0);
        match state.store.respond_to_complaint(&actor, c.id, version, d, o).await {
            Ok(_) => return Ok(see_other(&format!("/surveys/complaints/{}", c.id))),
            Err(StoreError::Conflict { .. }) => errors.add(
                "outcome",
                "outcome",
                "Someone else recorded a response to this while you were working on it. Check it below before saving yours.",
            ),
            Err(e @ StoreError::Invalid(_)) => errors.add("outcome", "outcome", crate::messages::store_error(&e).unwrap_or_default()),
            Err(e) => return Err(e.into()),
        }
        let fresh = state.store.complaint(&actor, c.id).await?;
        return render_show(&state, &signed, &fresh, &form, &errors, StatusCode::CONFLICT).await;
    }
    render_show(&state, &signed, &c, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

async fn report_csv(State(state): State<AppState>, signed: Signed) -> Result<Response, AppError> {
    staff(&signed)?;
    let log = state.store.complaints(&signed.access.actor()).await?;
    let r = report(&state, &log);
    let mut w = CsvWriter::new(Vec::new());
    fn csv_err(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(format!("csv: {e}"))
    }
    let mut header = vec!["Stage", "Received", "Answered in time", "Answered late", "Open", "Overdue", "Answered on time (%)"];
    header.extend(Outcome::ALL.iter().map(|o| o.words()));
    w.write_record(&header).map_err(csv_err)?;
    for (stage, x, outcomes) in &r.stages {
        let mut row = vec![
            stage.words().to_owned(),
            x.received.to_string(),
            x.answered_in_time.to_string(),
            x.answered_late.to_string(),
            x.open.to_string(),
            x.overdue.to_string(),
            x.on_time_percent().map(|p| format!("{p:.1}")).unwrap_or_default(),
        ];
        row.extend(outcomes.iter().map(|(_, n)| n.to_string()));
        w.write_record(&row).map_err(csv_err)?;
    }
    let body = w.into_inner().map_err(csv_err)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"complaints-report-{}.csv\"", state.clock.today())),
        ],
        body,
    )
        .into_response())
}
