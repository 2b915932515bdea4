//! A child's multi-agency record: identity, education (SEN status, needs, placements), the
//! person-level facts each agency supplied (census history, attendance, exclusions, reduced
//! timetables, elective home education, attainment, health, social care, post-16, youth justice) and
//! their cases, each section shown only to the roles that may see it ([`Access::fact_sections`]).
//! The child is reached through the role's selection (in the SQL); the facts are then read for the
//! role's datasets only (in the SQL too), and the read is audited.

use crate::access::{Access, FactSection};
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
use waymark_storage::{CaseloadStore, ChildRecord, FactView};

pub fn router() -> Router<AppState> {
    Router::new().route("/children/{id}", get(show))
}

/// A child's record and the facts this role may read: the record through the role's selection, then
/// the facts of the role's datasets (none read at all for a role without fact sections).
pub async fn load(state: &AppState, access: &Access, id: ChildId) -> Result<(ChildRecord, Vec<FactView>), AppError> {
    let selection = access.require_selection()?;
    let actor = access.actor();
    let record = state.store.child_record(&actor, &selection, id, &state.audit).await?;
    let datasets: Vec<waymark_domain::facts::Dataset> = access.fact_sections().iter().flat_map(|s| s.datasets().iter().copied()).collect();
    let facts = state.store.child_facts_of(&actor, id, &datasets).await?;
    Ok((record, facts))
}

/// A column name from a fact's field name: `possible_sessions` → `Possible sessions`.
fn column_label(key: &str) -> String {
    let text = key.replace(['_', '-'], " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// A fact's fields as (column, text) pairs, nested fields flattened (`period` → `Period start`).
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            // A period reads start then end.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| match k.as_str() {
                "start" => 0,
                "end" => 1,
                _ => 2,
            });
            for k in keys {
                let v = &map[k];
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix} {k}") };
                flatten(&key, v, out);
            }
        }
        Value::Null => out.push((column_label(prefix), String::new())),
        Value::Bool(b) => out.push((column_label(prefix), if *b { "Yes" } else { "No" }.to_owned())),
        Value::String(text) => {
            let shown = waymark_domain::calendar::parse_iso_date(text).map_or_else(|_| text.replace('_', " "), long_date);
            out.push((column_label(prefix), shown));
        }
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            out.push((column_label(prefix), parts.join(", ")));
        }
        Value::Number(n) => out.push((column_label(prefix), n.to_string())),
    }
}

/// The fact sections this role reads, each with one table per dataset (columns from the facts' fields).
pub fn fact_sections_json(facts: &[FactView], access: &Access) -> Vec<Value> {
    access
        .fact_sections()
        .into_iter()
        .map(|section: FactSection| {
            let tables: Vec<Value> = section
                .datasets()
                .iter()
                .filter_map(|d| {
                    let rows: Vec<Vec<(String, String)>> = facts
                        .iter()
                        .filter(|f| f.dataset == *d)
                        .map(|f| {
                            let mut cells = Vec::new();
                            let whole = serde_json::to_value(&f.fact).unwrap_or(Value::Null);
                            flatten("", whole.get("fact").unwrap_or(&Value::Null), &mut cells);
                            cells.push(("Source".to_owned(), f.source_file.clone()));
                            cells
                        })
                        .collect();
                    if rows.is_empty() {
                        return None;
                    }
                    let mut columns: Vec<String> = Vec::new();
                    for (c, _) in rows.iter().flatten() {
                        if !columns.contains(c) {
                            columns.push(c.clone());
                        }
                    }
                    let table: Vec<Vec<String>> = rows
                        .iter()
                        .map(|r| {
                            columns.iter().map(|c| r.iter().find(|(k, _)| k == c).map(|(_, v)| v.clone()).unwrap_or_default()).collect()
                        })
                        .collect();
                    Some(json!({"dataset": d.name(), "caption": column_label(d.label()), "columns": columns, "rows": table}))
                })
                .collect();
            json!({"key": section.key(), "title": section.title(), "area": section.area(), "tables": tables})
        })
        .collect()
}

/// The record's data as this role may see it (shared with the API).
pub fn child_json(record: &ChildRecord, facts: &[FactView], access: &Access, today: Date) -> Value {
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
        "fact_sections": fact_sections_json(facts, access),
    })
}

async fn show(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Html<String>, AppError> {
    let id: ChildId = id.parse().map_err(|_| AppError::NotFound)?;
    let (record, facts) = load(&state, &signed.access, id).await?;
    let mut data = child_json(&record, &facts, &signed.access, state.clock.today());
    if data["placements"].as_array().is_some_and(|p| !p.is_empty()) {
        let names = views::setting_names(&state.store, &record.placements).await;
        data["placements"] = json!(views::placement_rows_named(&record.placements, state.clock.today(), &names));
    }
    let title = format!("Record: {}", data["name"].as_str().unwrap_or_default());
    Ok(Html(render("child.html", &page(&signed, &title, "/children", data))?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_facts_fields_read_as_columns_with_periods_start_first_and_dates_in_words() {
        let mut out = Vec::new();
        flatten("", &json!({"period": {"start": "2024-09-01", "end": null}, "primary_need": "N2", "flag": true}), &mut out);
        let cols: Vec<&str> = out.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(cols, ["Flag", "Period start", "Period end", "Primary need"]);
        assert_eq!(out[1].1, "1 September 2024");
        assert_eq!(out[0].1, "Yes");
    }
}
