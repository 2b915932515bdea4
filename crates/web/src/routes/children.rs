//! A child's multi-agency record: identity, education (SEN status, needs, placements), health and
//! social care facts, and their cases, each area shown only to the roles that may see it. The facts
//! store of issue 3 slots into the health and social care areas; today they show what Waymark holds.

use crate::access::Access;
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
use waymark_domain::calendar::Date;
use waymark_domain::ids::ChildId;
use waymark_storage::{CaseloadStore, ChildRecord};

pub fn router() -> Router<AppState> {
    Router::new().route("/children/{id}", get(show))
}

/// The record's data as this role may see it (shared with the API).
pub fn child_json(record: &ChildRecord, access: &Access, today: Date) -> Value {
    let (education, health, social_care) = access.record_areas();
    let cases: Vec<Value> = record
        .cases
        .iter()
        .map(|c| {
            let row = views::caseload_row(c, today);
            json!({"case_id": c.summary.case_id, "stage": row.stage_label, "next": row.next_step_label, "due": row.next_due.map(long_date), "status": row.next_status, "received": c.case.received().map(long_date)})
        })
        .collect();
    let history: Vec<Value> = if education {
        record
            .child
            .sen_history()
            .iter()
            .map(|p| json!({"from": long_date(p.from), "status": views::sen_status_label(p.status), "needs": p.needs.ranked().map(|(_, n)| n.label()).collect::<Vec<_>>().join("; ")}))
            .collect()
    } else {
        Vec::new()
    };
    json!({
        "child_id": record.child.id,
        "name": format!("{} {}", record.child.name.forename(), record.child.name.surname()),
        "summary": views::child_summary(&record.child, access, today),
        "education": education, "health": health, "social_care": social_care,
        "placements": if education { views::placement_rows(&record.placements, today) } else { Vec::new() },
        "sen_history": history,
        "nhs_number": if health { record.child.nhs_number.as_ref().map(ToString::to_string) } else { None },
        "cases": cases,
    })
}

async fn show(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Html<String>, AppError> {
    let id: ChildId = id.parse().map_err(|_| AppError::NotFound)?;
    let selection = signed.access.require_selection()?;
    let record = state.store.child_record(&signed.access.actor(), &selection, id, &state.audit).await?;
    let data = child_json(&record, &signed.access, state.clock.today());
    let title = format!("Record: {}", data["name"].as_str().unwrap_or_default());
    Ok(Html(render("child.html", &page(&signed, &title, "/children", data))?))
}
