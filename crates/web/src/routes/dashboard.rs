//! The manager's and board's dashboards: aggregates only, each chart followed by its table.
//!
//! * `/dashboard`: the performance frameworks to choose from, cases by stage today (with a drill-down by
//!   stage; managers can go on to the filtered caseload, board members cannot), then the built-in
//!   `casework` pack month by month (requests, new plans, 20-week timeliness, plans in force) from the
//!   indicators crate like every framework, with its CSV, XLSX and print exports.
//! * `/dashboard/frameworks/ID`: one framework (see [`crate::frameworks`]) with a GET form to drill
//!   down by LA, locality, need and phase; `/data.csv`, `/data.xlsx` and `/print` export it with the
//!   indicators crate's renderers.

use crate::access::Can;
use crate::error::AppError;
use crate::frameworks::{self, Drill};
use crate::session::Signed;
use crate::templates::{page, render};
use crate::views::{stage_label, STAGES};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use waymark_storage::{IndicatorStore as _, UserStore as _};

/// The signed-in user's local authority's code, whose figures the casework pack shows; an account with
/// none gets a bad request.
fn user_la(signed: &Signed) -> Result<String, AppError> {
    signed.user().la.map(|l| l.to_string()).ok_or_else(|| AppError::BadRequest("your account has no local authority".into()))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(show))
        .route("/dashboard/print", get(print))
        .route("/dashboard.csv", get(csv))
        .route("/dashboard.xlsx", get(xlsx))
        .route("/dashboard/stage/{stage}", get(stage))
        .route("/dashboard/frameworks/{id}", get(framework))
        .route("/dashboard/frameworks/{id}/data.csv", get(framework_csv))
        .route("/dashboard/frameworks/{id}/data.xlsx", get(framework_xlsx))
        .route("/dashboard/frameworks/{id}/print", get(framework_print))
        .route("/dashboard/frameworks/{id}/targets/{indicator}", get(target_page).post(set_target))
        .route("/dashboard/frameworks/{id}/cases/{indicator}", get(framework_cases))
        .route("/dashboard/small-numbers", get(threshold_page).post(set_threshold))
}

/// The target page's context: the indicator, its periods with their current targets, and every change.
async fn target_context(
    state: &AppState,
    signed: &Signed,
    id: &str,
    indicator: &str,
) -> Result<(&'static waymark_indicators::Framework, &'static waymark_indicators::Indicator, serde_json::Value), AppError> {
    signed.access.require(Can::SetTargets)?;
    let fw = waymark_indicators::find_framework(frameworks::frameworks(), id).ok_or(AppError::NotFound)?;
    let ind = fw.indicators.iter().find(|i| i.id == indicator).ok_or(AppError::NotFound)?;
    let la = user_la(signed)?;
    let data = state.frameworks.get_framework(state, &signed.access.actor(), &fw.id).await?;
    let results = data.results(&fw.id).ok_or(AppError::NotFound)?;
    let periods: Vec<serde_json::Value> = results
        .rows
        .iter()
        .filter(|r| r.indicator == ind.id && r.la == la && r.cohort == "all")
        .rev()
        .map(|r| {
            json!({
                "value": r.period, "text": r.period,
                "target": r.target.map(|t| waymark_indicators::present::value(t, ind.unit)),
                "figure": waymark_indicators::present::Suppression::NONE.show(ind.unit, r).value,
                "rating": waymark_indicators::present::rating_words(r.rag).0,
            })
        })
        .collect();
    let names: std::collections::HashMap<String, String> = state
        .store
        .list_users(&signed.access.actor())
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u.actor_label(), format!("{} ({})", u.display_name, u.role.label())))
        .collect();
    let history: Vec<serde_json::Value> = state
        .store
        .target_history(&signed.access.actor(), &fw.id, &ind.id)
        .await?
        .into_iter()
        .map(|h| {
            json!({
                "period": h.period,
                "value": h.value.map_or_else(|| "Removed".to_owned(), |v| waymark_indicators::present::value(v, ind.unit)),
                "when": h.recorded_at.get(..16).unwrap_or(&h.recorded_at).replace('T', " at "),
                "who": names.get(&h.actor).cloned().unwrap_or_else(|| "Someone no longer on the users list".to_owned()),
                "reason": h.reason,
            })
        })
        .collect();
    let context = json!({
        "fw": {"id": fw.id, "title": fw.title}, "ind": {"id": ind.id, "title": ind.title, "number": ind.number, "definition": ind.definition,
        "unit": waymark_indicators::render::unit_suffix(ind.unit).trim(), "rated": ind.polarity != waymark_indicators::definition::Polarity::Neutral},
        "periods": periods, "history": history,
    });
    Ok((fw, ind, context))
}

async fn target_page(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, indicator)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let (_, ind, context) = target_context(&state, &signed, &id, &indicator).await?;
    let context = page(
        &signed,
        &format!("Set a target: {}", ind.title),
        "/dashboard",
        merge(context, json!({"errors": [], "error_map": {}, "v": {}})),
    );
    Ok(Html(render("target.html", &context)?))
}

fn merge(mut a: serde_json::Value, b: serde_json::Value) -> serde_json::Value {
    if let (serde_json::Value::Object(a), serde_json::Value::Object(b)) = (&mut a, b) {
        a.extend(b);
    }
    a
}

async fn set_target(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, indicator)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let form = crate::forms::FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let (fw, ind, context) = target_context(&state, &signed, &id, &indicator).await?;
    let mut errors = crate::forms::Errors::default();
    let period = form.get("period");
    let known = context["periods"].as_array().is_some_and(|p| p.iter().any(|x| x["value"] == period.as_str()));
    if !known {
        errors.add("period", "period", "Select the period the target is for");
    }
    let text = form.get("value").trim_end_matches('%').trim().to_owned();
    let value = if text.is_empty() {
        None
    } else {
        match text.replace(',', "").parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 && (ind.unit != waymark_indicators::definition::Unit::Percent || v <= 100.0) => Some(v),
            Ok(_) if ind.unit == waymark_indicators::definition::Unit::Percent => {
                errors.add("value", "value", "Enter a percentage between 0 and 100");
                None
            }
            _ => {
                errors.add("value", "value", "Enter the target as a number, like 60 or 12.5");
                None
            }
        }
    };
    let reason = form.get("reason");
    if reason.is_empty() {
        errors.add("reason", "reason", "Say why the target is set or changed, for the history");
    }
    if errors.is_empty() {
        let la = signed.user().la.map(|l| l.to_string()).unwrap_or_default();
        let record = waymark_storage::TargetRecord { framework: fw.id.clone(), indicator: ind.id.clone(), period, la, value };
        state.store.save_target(&signed.access.actor(), &record, &reason).await?;
        return Ok(crate::routes::cases::see_other(&format!(
            "/dashboard/frameworks/{}#ind-{}",
            fw.id,
            ind.id.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        )));
    }
    let values = json!({"period": form.get("period"), "value": form.get("value"), "reason": form.get("reason")});
    let context = page(
        &signed,
        &format!("Set a target: {}", ind.title),
        "/dashboard",
        merge(context, json!({"errors": errors.0, "error_map": errors.map(), "v": values})),
    );
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(render("target.html", &context)?)).into_response())
}

async fn threshold_page(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    signed.access.require(Can::SetTargets)?;
    let la = user_la(&signed)?;
    let threshold = state.store.suppression_threshold(&signed.access.actor(), &la).await?;
    let context = page(
        &signed,
        "Small numbers on board pages",
        "/dashboard",
        json!({"threshold": threshold, "errors": [], "error_map": {}, "v": {"threshold": threshold.to_string()}}),
    );
    Ok(Html(render("small_numbers.html", &context)?))
}

async fn set_threshold(State(state): State<AppState>, signed: Signed, body: axum::body::Bytes) -> Result<Response, AppError> {
    let form = crate::forms::FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::SetTargets)?;
    let la = user_la(&signed)?;
    let mut errors = crate::forms::Errors::default();
    let threshold = match form.get("threshold").parse::<u32>() {
        Ok(n) if n <= 100 => Some(n),
        _ => {
            errors.add("threshold", "threshold", "Enter a whole number from 0 to 100");
            None
        }
    };
    let reason = form.get("reason");
    if reason.is_empty() {
        errors.add("reason", "reason", "Say why the threshold is changed, for the record");
    }
    if let (Some(n), true) = (threshold, errors.is_empty()) {
        state.store.set_suppression_threshold(&signed.access.actor(), &la, n, &reason).await?;
        return Ok(crate::routes::cases::see_other("/dashboard"));
    }
    let current = state.store.suppression_threshold(&signed.access.actor(), &la).await?;
    let context = page(
        &signed,
        "Small numbers on board pages",
        "/dashboard",
        json!({"threshold": current, "errors": errors.0, "error_map": errors.map(), "v": {"threshold": form.get("threshold"), "reason": reason}}),
    );
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(render("small_numbers.html", &context)?)).into_response())
}

/// The frameworks offered on the dashboard's first page.
fn framework_list() -> Vec<serde_json::Value> {
    frameworks::frameworks()
        .iter()
        .map(|f| json!({"id": f.id, "title": f.title, "description": f.description, "indicators": f.indicators.len()}))
        .collect()
}

/// A framework's computed results, for a user who may see dashboards.
async fn computed(
    state: &AppState,
    signed: &Signed,
    id: &str,
) -> Result<(&'static waymark_indicators::Framework, std::sync::Arc<frameworks::Computed>), AppError> {
    signed.access.require(Can::Dashboard)?;
    let fw = waymark_indicators::find_framework(frameworks::frameworks(), id).ok_or(AppError::NotFound)?;
    let data = state.frameworks.get_framework(state, &signed.access.actor(), &fw.id).await?;
    if data.results(&fw.id).is_none() {
        return Err(AppError::NotFound);
    }
    Ok((fw, data))
}

async fn framework(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(drill): Query<Drill>,
) -> Result<Html<String>, AppError> {
    let (fw, data) = computed(&state, &signed, &id).await?;
    let results = data.results(&fw.id).ok_or(AppError::NotFound)?;
    let view = frameworks::view(
        fw,
        results,
        &data.areas,
        &drill,
        data.suppression,
        signed.access.can(Can::SetTargets),
        signed.access.can(Can::Caseload),
    );
    let context = page(
        &signed,
        &format!("Dashboard: {}", fw.title),
        "/dashboard",
        json!({"fw": view, "today": crate::views::long_date(data.today), "partial_year": data.partial_year}),
    );
    Ok(Html(render("framework.html", &context)?))
}

/// The drill-down of one count: the row's LA, period and cohort, and the page of cases.
#[derive(Debug, Clone, Default, serde::Deserialize)]
struct CasesQuery {
    #[serde(flatten)]
    drill: Drill,
    #[serde(default)]
    period: String,
    #[serde(default)]
    page: Option<String>,
}

/// The cases behind a drill-down's count (issue 10 item 4), for those who may open cases: the records
/// the engine counted, each case once, with a link to it. Listed from the caseload (audited as one
/// list read of cases), so a case outside the user's scope never shows.
async fn framework_cases(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, indicator)): Path<(String, String)>,
    Query(q): Query<CasesQuery>,
) -> Result<Html<String>, AppError> {
    signed.access.require(Can::Caseload)?;
    let (fw, data) = computed(&state, &signed, &id).await?;
    let ind = fw.indicators.iter().find(|i| i.id == indicator).ok_or(AppError::NotFound)?;
    let results = data.results(&fw.id).ok_or(AppError::NotFound)?;
    let view = frameworks::view(fw, results, &data.areas, &q.drill, data.suppression, false, true);
    let row = results
        .rows
        .iter()
        .find(|r| r.indicator == ind.id && r.la == view.area && r.cohort == view.cohort && r.period == q.period)
        .ok_or(AppError::NotFound)?;
    let members = data.members(fw, &ind.id, &view.area, &row.period, &view.cohort).ok_or(AppError::NotFound)?;
    let caseload = state.caseload.get(&state, &signed.access.actor(), "case_list").await?;
    let wanted: std::collections::HashSet<_> = members.cases.iter().collect();
    let mut rows: Vec<&crate::views::CaseloadRow> =
        caseload.by_name.iter().map(|i| &*caseload.rows[*i]).filter(|r| wanted.contains(&r.case_id)).collect();
    let total = rows.len();
    const PER_PAGE: usize = 50;
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page_no =
        match q.page.as_deref() {
            None | Some("") => 1,
            Some(p) => p.parse::<usize>().ok().filter(|p| (1..=pages).contains(p)).ok_or_else(|| {
                AppError::BadRequest(format!("There is no page \"{p}\" of these cases: choose a page from 1 to {pages}."))
            })?,
        };
    rows = rows.into_iter().skip((page_no - 1) * PER_PAGE).take(PER_PAGE).collect();
    let list: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            json!({"case_id": r.case_id.to_string(), "name": r.child_name, "reference": r.case_reference,
                   "dob": crate::views::long_date(r.date_of_birth), "stage": r.stage_label})
        })
        .collect();
    let label = if ind.number.is_empty() { ind.title.clone() } else { format!("{} {}", ind.number, ind.title) };
    // The drill-down's own query (area, locality, need, phase) and the row's period.
    let base_query = format!("{}&{}", view.query, serde_urlencoded::to_string([("period", row.period.as_str())]).unwrap_or_default());
    let context = page(
        &signed,
        &format!("Cases behind {label}"),
        "/dashboard",
        json!({
            "fw": {"id": fw.id, "title": fw.title}, "indicator": label, "anchor": format!("ind-{}", ind.id.replace(|c: char| !c.is_ascii_alphanumeric(), "-")),
            "period": waymark_indicators::present::period_words(&row.period), "area": view.area_label, "cohort": view.cohort_label,
            "back_query": view.query, "base_query": base_query,
            "records": members.records, "cases": members.cases.len(), "without_case": members.without_case,
            "shown": total, "hidden": members.cases.len().saturating_sub(total),
            "rows": list, "page": page_no, "pages": pages,
            "prev": (page_no > 1).then(|| page_no - 1), "next": (page_no < pages).then(|| page_no + 1),
        }),
    );
    Ok(Html(render("framework_cases.html", &context)?))
}

fn file_name(id: &str, ext: &str) -> String {
    let safe: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    format!("attachment; filename=\"waymark-{safe}.{ext}\"")
}

async fn framework_csv(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    let (fw, data) = computed(&state, &signed, &id).await?;
    let results = data.results(&fw.id).ok_or(AppError::NotFound)?;
    let body = frameworks::csv(fw, results, data.suppression)?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, file_name(&fw.id, "csv"))], body)
        .into_response())
}

async fn framework_xlsx(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(drill): Query<Drill>,
) -> Result<Response, AppError> {
    let (fw, data) = computed(&state, &signed, &id).await?;
    let results = data.results(&fw.id).ok_or(AppError::NotFound)?;
    let area = pick_area(&data.areas, &drill.la);
    let bytes = waymark_indicators::render::xlsx(fw, results, Some(&area), data.suppression)
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, file_name(&fw.id, "xlsx")),
        ],
        bytes,
    )
        .into_response())
}

fn pick_area(areas: &[String], asked: &str) -> String {
    if areas.iter().any(|a| a == asked) {
        asked.to_owned()
    } else {
        areas.iter().find(|a| *a != "england").or(areas.first()).cloned().unwrap_or_default()
    }
}

async fn framework_print(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(drill): Query<Drill>,
) -> Result<Response, AppError> {
    let (fw, data) = computed(&state, &signed, &id).await?;
    let results = data.results(&fw.id).ok_or(AppError::NotFound)?;
    let (html, csp) = frameworks::print_html(fw, results, &pick_area(&data.areas, &drill.la), data.suppression);
    Ok(([(header::CONTENT_SECURITY_POLICY, csp), (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned())], html).into_response())
}

/// The dashboard's measures: the built-in `casework` pack, month by month, from the same engine and
/// cache as every framework page.
const CASEWORK: &str = "casework";

/// A table of the dashboard's API panels.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Panel {
    pub key: &'static str,
    pub title: String,
    pub description: String,
    pub table: frameworks::Table,
    pub rag: Option<serde_json::Value>,
}

/// Cases by stage today, from the caseload (a live count, linked to each stage's breakdown).
fn stages(data: &crate::cache::Computed) -> frameworks::Table {
    let mut by_stage: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in &data.rows {
        *by_stage.entry(r.stage.as_str()).or_default() += 1;
    }
    frameworks::Table {
        columns: vec!["Stage".into(), "Cases".into()],
        rows: STAGES
            .iter()
            .map(|s| vec![stage_label(s).to_owned(), waymark_indicators::present::count(by_stage.get(s).copied().unwrap_or(0) as u64)])
            .collect(),
    }
}

/// The dashboard's panels for the API (`/api/v1/dashboard`): cases by stage, requests and new plans by
/// month, and 20-week timeliness by month, each a table of the casework pack's figures (small numbers
/// suppressed as on the page).
pub async fn panels(state: &AppState, signed: &Signed) -> Result<(Vec<Panel>, String), AppError> {
    signed.access.require(Can::Dashboard)?;
    let caseload = state.caseload.get(state, &signed.access.actor(), "aggregate").await?;
    let (fw, data) = computed(state, signed, CASEWORK).await?;
    let results = data.results(&fw.id).ok_or(AppError::NotFound)?;
    let area = pick_area(&data.areas, "");
    let s = data.suppression;
    let series = |id: &str| -> Vec<(&waymark_indicators::Indicator, Vec<&waymark_indicators::ResultRow>)> {
        fw.indicators
            .iter()
            .filter(|i| i.id == id)
            .map(|i| (i, results.rows.iter().filter(|r| r.indicator == i.id && r.la == area && r.cohort == "all").collect()))
            .collect()
    };
    let month_table = |first: &str, ids: &[(&str, &str)]| {
        let cols: Vec<_> = ids.iter().flat_map(|(id, _)| series(id)).collect();
        let months: Vec<String> = cols.first().map(|(_, rows)| rows.iter().map(|r| r.period.clone()).collect()).unwrap_or_default();
        frameworks::Table {
            columns: std::iter::once(first.to_owned()).chain(ids.iter().map(|(_, name)| (*name).to_owned())).collect(),
            rows: months
                .iter()
                .enumerate()
                .map(|(m, label)| {
                    std::iter::once(label.clone())
                        .chain(cols.iter().map(|(ind, rows)| rows.get(m).map_or_else(String::new, |r| s.show(ind.unit, r).value)))
                        .collect()
                })
                .collect(),
        }
    };
    let latest_rating = series("plans_within_20_weeks_excl_exceptions_pct").into_iter().find_map(|(ind, rows)| {
        rows.iter().rev().find(|r| r.value.is_some()).map(
            |r| json!({"status": r.rag.map_or("not_rated", |g| g.as_str()), "text": waymark_indicators::present::rating_sentence(ind, r)}),
        )
    });
    let panels = vec![
        Panel {
            key: "stage",
            title: "Cases by stage".into(),
            description: format!("Every case on {}, by where it is in the EHC process.", crate::views::long_date(caseload.today)),
            table: stages(&caseload),
            rag: None,
        },
        Panel {
            key: "flow",
            title: "Requests for assessment and new plans, by month".into(),
            description: "Requests received and final plans issued after an assessment, in each of the last 12 months.".into(),
            table: month_table("Month", &[("requests_received", "Requests"), ("plans_issued", "New plans")]),
            rag: None,
        },
        Panel {
            key: "timeliness",
            title: "New plans issued within 20 weeks".into(),
            description: "The percentage of final plans issued within 20 weeks of the request (SEND Regulations 2014, regulation 13(2)), by the month they were issued; including every plan, and excluding plans where an exception in regulation 13(3) applied.".into(),
            table: month_table(
                "Month",
                &[
                    ("plans_issued", "New plans"),
                    ("plans_within_20_weeks_incl_exceptions_pct", "Within 20 weeks"),
                    ("plans_within_20_weeks_excl_exceptions_pct", "Within 20 weeks, excluding exceptions"),
                ],
            ),
            rag: latest_rating,
        },
    ];
    Ok((panels, fw.title.clone()))
}

async fn render_dashboard(state: &AppState, signed: &Signed, print: bool) -> Result<Html<String>, AppError> {
    signed.access.require(Can::Dashboard)?;
    let caseload = state.caseload.get(state, &signed.access.actor(), "aggregate").await?;
    let (fw, data) = computed(state, signed, CASEWORK).await?;
    let results = data.results(&fw.id).ok_or(AppError::NotFound)?;
    let view = frameworks::view(
        fw,
        results,
        &data.areas,
        &frameworks::Drill::default(),
        data.suppression,
        signed.access.can(Can::SetTargets),
        false,
    );
    let la = signed.user().la.map(|l| l.to_string()).unwrap_or_default();
    let drill: Vec<(String, String)> = STAGES.iter().map(|s| (stage_label(s).to_owned(), format!("/dashboard/stage/{s}"))).collect();
    let context = page(
        signed,
        "Dashboard",
        "/dashboard",
        json!({
            "fw": view, "stages": stages(&caseload), "stage_links": drill, "la": la, "print": print,
            "today": crate::views::long_date(state.clock.today()), "frameworks": framework_list(),
            "can_set_targets": signed.access.can(Can::SetTargets),
        }),
    );
    Ok(Html(render("dashboard.html", &context)?))
}

async fn show(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    render_dashboard(&state, &signed, false).await
}

async fn print(State(state): State<AppState>, signed: Signed) -> Result<Response, AppError> {
    framework_print(State(state), signed, Path(CASEWORK.to_owned()), Query(frameworks::Drill::default())).await
}

async fn csv(State(state): State<AppState>, signed: Signed) -> Result<Response, AppError> {
    framework_csv(State(state), signed, Path(CASEWORK.to_owned())).await
}

async fn xlsx(State(state): State<AppState>, signed: Signed) -> Result<Response, AppError> {
    framework_xlsx(State(state), signed, Path(CASEWORK.to_owned()), Query(frameworks::Drill::default())).await
}

/// Drill-down into one stage: cases by primary need and by whom the next step waits on. Counts only.
fn stage_breakdown(data: &crate::cache::Computed, stage: &str) -> (frameworks::Table, frameworks::Table) {
    let mut by_need: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut by_wait: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for r in data.rows.iter().filter(|r| r.stage == stage) {
        *by_need.entry(r.primary_need.unwrap_or("Not recorded").to_owned()).or_default() += 1;
        *by_wait.entry(r.waiting_on_label.unwrap_or("Nothing due").to_owned()).or_default() += 1;
    }
    let table = |first: &str, map: std::collections::BTreeMap<String, usize>| frameworks::Table {
        columns: vec![first.into(), "Cases".into()],
        rows: map.into_iter().map(|(k, v)| vec![k, waymark_indicators::present::count(v as u64)]).collect(),
    };
    (table("Primary need", by_need), table("Waiting on", by_wait))
}

async fn stage(State(state): State<AppState>, signed: Signed, Path(stage): Path<String>) -> Result<Html<String>, AppError> {
    signed.access.require(Can::Dashboard)?;
    if !STAGES.contains(&stage.as_str()) {
        return Err(AppError::NotFound);
    }
    let data = state.caseload.get(&state, &signed.access.actor(), "aggregate").await?;
    let (needs, waits) = stage_breakdown(&data, &stage);
    let context = page(
        &signed,
        &format!("Dashboard: {}", stage_label(&stage)),
        "/dashboard",
        json!({"drill": {"stage": stage, "label": stage_label(&stage), "needs": needs, "waits": waits, "caseload": signed.access.can(Can::Caseload)}}),
    );
    Ok(Html(render("dashboard.html", &context)?))
}
