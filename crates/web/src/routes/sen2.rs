//! The SEN2 return's errors and queries (issue 4): `waymark_application::sen2::check` for the chosen
//! collection year over the user's LA, grouped by rule (errors first), each finding linked to the case
//! or child to fix. Only the LA's own staff get it: caseworkers and managers (who see the children,
//! so each finding names the person and links to their record) and administrators (who see no child:
//! child ids only, as on the audit log). The check is an aggregate view: one audit entry names it
//! (subject `sen2_check`, with the LA), not one per child; opening a case from it is audited as ever.

use crate::access::Can;
use crate::error::AppError;
use crate::query::PageQuery;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use waymark_sen2::{Collection, Finding, Severity};

/// Findings of one rule shown on the page before the rest are left to the CSV.
const SHOWN_PER_RULE: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/sen2", get(show)).route("/sen2/findings.csv", get(csv))
}

#[derive(Debug, Default, serde::Deserialize)]
struct YearQuery {
    #[serde(default)]
    year: String,
    /// The LA, for an account that is not tied to one (an administrator of several).
    #[serde(default)]
    la: String,
}

/// The LA the return is for: the account's own, or the one chosen (accounts without an LA).
fn return_la(signed: &Signed, q: &YearQuery) -> Option<waymark_domain::identifiers::LaCode> {
    signed.user().la.or_else(|| q.la.trim().parse().ok())
}

/// The LAs to choose from, by name.
pub fn la_options() -> Vec<serde_json::Value> {
    waymark_domain::identifiers::la_names::CURRENT
        .iter()
        .map(|(code, name)| json!({"value": format!("{code:03}"), "text": format!("{name} ({code:03})")}))
        .collect()
}

fn collection(q: &YearQuery) -> Result<Collection, AppError> {
    let latest = *Collection::SUPPORTED.iter().max().unwrap_or(&2026);
    let year = if q.year.trim().is_empty() { latest } else { q.year.trim().parse::<i32>().map_err(|_| AppError::NotFound)? };
    Collection::for_year(year).map_err(|_| AppError::NotFound)
}

async fn findings(state: &AppState, signed: &Signed, c: Collection, q: &YearQuery) -> Result<Arc<Vec<Finding>>, AppError> {
    signed.access.require(Can::Sen2Return)?;
    let la = return_la(signed, q).ok_or_else(|| AppError::BadRequest("Choose the local authority whose return to check.".into()))?;
    state.sen2_checks.get(state, &signed.access.actor(), la, c).await
}

async fn show(State(state): State<AppState>, signed: Signed, PageQuery(q): PageQuery<YearQuery>) -> Result<Html<String>, AppError> {
    let c = collection(&q)?;
    signed.access.require(Can::Sen2Return)?;
    if return_la(&signed, &q).is_none() {
        // An account not tied to one LA chooses which LA's return to check.
        let context =
            page(&signed, "SEN2 return: choose a local authority", "/sen2", json!({"las": la_options(), "year": c.year.to_string()}));
        return Ok(Html(render("sen2_choose.html", &context)?));
    }
    let all = findings(&state, &signed, c, &q).await?;
    let sees_children = signed.access.can(Can::ChildRecords);
    let (errors, queries) = waymark_sen2::count(&all);
    let mut by_rule: BTreeMap<(Severity, &'static str), Vec<&Finding>> = BTreeMap::new();
    for f in all.iter() {
        by_rule.entry((f.severity, f.rule)).or_default().push(f);
    }
    let groups: Vec<serde_json::Value> = by_rule
        .iter()
        .map(|((severity, rule), list)| {
            let rows: Vec<serde_json::Value> = list
                .iter()
                .take(SHOWN_PER_RULE)
                .map(|f| {
                    let (href, link_text) = match (sees_children, f.case_id, f.child_id) {
                        (true, Some(case), _) => (Some(format!("/cases/{case}")), "Open the case"),
                        (true, None, Some(child)) => (Some(format!("/children/{child}")), "Open the record"),
                        _ => (None, ""),
                    };
                    let who = if sees_children {
                        f.person.clone().unwrap_or_else(|| "The whole return".into())
                    } else {
                        f.child_id.map_or_else(|| "The whole return".into(), |c| format!("Child {c}"))
                    };
                    json!({"who": who, "path": f.path, "message": f.message, "href": href, "link_text": link_text})
                })
                .collect();
            json!({
                "rule": rule, "severity": severity.as_str(), "count": list.len(), "rows": rows,
                "more": list.len().saturating_sub(SHOWN_PER_RULE), "first_message": list.first().map(|f| f.message.clone()),
            })
        })
        .collect();
    let years: Vec<serde_json::Value> =
        Collection::SUPPORTED.iter().rev().map(|y| json!({"value": y.to_string(), "text": format!("{y} (census {})", crate::views::long_date(Collection::for_year(*y).map(|c| c.reference_date).unwrap_or_default()))})).collect();
    let context = page(
        &signed,
        &format!("SEN2 return {}: errors and queries", c.year),
        "/sen2",
        json!({
            "year": c.year.to_string(), "years": years, "errors": errors, "queries": queries, "groups": groups,
            "census": crate::views::long_date(c.reference_date), "sees_children": sees_children,
            "la": return_la(&signed, &q).map(|l| l.to_string()), "la_label": return_la(&signed, &q).map(|l| l.label()),
        }),
    );
    Ok(Html(render("sen2.html", &context)?))
}

async fn csv(State(state): State<AppState>, signed: Signed, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    let c = collection(&q)?;
    let mut all = Vec::clone(&*findings(&state, &signed, c, &q).await?);
    if !signed.access.can(Can::ChildRecords) {
        // Administrators see child ids, never who a child is.
        for f in &mut all {
            f.person = None;
        }
    }
    let mut out = Vec::new();
    waymark_sen2::write_findings(&mut out, &all, waymark_sen2::Format::Csv, "store")
        .map_err(|e| AppError::Internal(format!("sen2 csv: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"waymark-sen2-{}-findings.csv\"", c.year)),
        ],
        out,
    )
        .into_response())
}
