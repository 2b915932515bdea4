//! The SEND strategy's pages (issue 17), from the `waymark-strategy` crate through the store:
//!
//! * `/strategy`: the delivery plan by strand, each deliverable's status (a tag with words) and its
//!   linked indicators' live values and ratings (from the same cached frameworks as the dashboards).
//! * `/strategy/deliverables/REF`: one deliverable, its indicators with trends, progress notes and status
//!   history; its owner (or a SEND manager or strategy lead) updates its status and writes the quarter's
//!   note; a manager names the owner's account.
//! * `/strategy/self-evaluation` (the framework's layout, or `?layout=peterborough`), its `/history`, and
//!   `/strategy/self-evaluation/areas/AREA` to write an area (a new dated version).
//! * `/strategy/action-plan`: the action plan after an inspection.
//! * `/strategy/report`: the quarter's board report, as HTML or XLSX.
//!
//! Who: staff and board members read; SEND managers and strategy leads edit; an owner updates their own
//! deliverables. No child's record is read here except through the frameworks' audited aggregate reads.

use crate::access::Can;
use crate::error::AppError;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use std::collections::HashMap;
use waymark_storage::{StrategyStore as _, UserStore as _};
use waymark_strategy::store::{self as plans, RecordError};
use waymark_strategy::{
    live, report, self_evaluation, Area, AreaEntry, Change, Figure, IndicatorRef, Outcome, Plan, PlanKind, Quarter, SelfEvaluation, Status,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/strategy", get(overview))
        .route("/strategy/deliverables/{reference}", get(item_page).post(update_item))
        .route("/strategy/deliverables/{reference}/owner", axum::routing::post(set_owner))
        .route("/strategy/action-plan", get(action_plan))
        .route("/strategy/action-plan/{reference}", get(action_page).post(update_action))
        .route("/strategy/self-evaluation", get(self_evaluation_page))
        .route("/strategy/self-evaluation/history", get(history))
        .route("/strategy/self-evaluation/areas/{area}", get(area_form).post(save_area))
        .route("/strategy/report", get(report_page))
        .route("/strategy/report/download", get(report_download))
        .route("/strategy/deliverables/{reference}/links", axum::routing::post(add_link))
        .route(
            "/strategy/deliverables/{reference}/documents",
            axum::routing::post(add_document).layer(axum::extract::DefaultBodyLimit::max(super::documents::UPLOAD_BODY_LIMIT)),
        )
        .route("/strategy/documents/{id}", get(download_document))
        .route("/strategy/import", get(import_page).post(import_upload).layer(axum::extract::DefaultBodyLimit::max(IMPORT_BODY_LIMIT)))
        .route("/strategy/action-plan-document", get(action_plan_document))
        .route("/strategy/publication", axum::routing::post(set_publication))
        .route("/send-strategy/{la}", get(published_page))
        .route("/strategy/evidence", get(evidence_page))
        .route("/strategy/evidence/download", get(evidence_download))
}

/// A path segment for a reference (letters and digits as they are; anything else percent-encoded).
fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// The LA whose strategy the user works on: their own (an account without one sees none).
fn la_of(signed: &Signed) -> Result<String, AppError> {
    signed.user().la.map(|l| l.to_string()).ok_or(AppError::NotFound)
}

/// People's names for actor labels (`user:ID`), from the LA's accounts; the command line is named so.
async fn names(state: &AppState, signed: &Signed) -> Result<HashMap<String, String>, AppError> {
    let users = state.store.list_users(&signed.access.actor()).await.unwrap_or_default();
    Ok(users.into_iter().map(|u| (u.actor_label(), u.display_name)).collect())
}

fn who(names: &HashMap<String, String>, label: &str) -> String {
    names.get(label).cloned().unwrap_or_else(|| {
        if label.starts_with("user:") {
            "A former user".into()
        } else {
            "An administrator, using the command line".into()
        }
    })
}

/// The linked indicators' figures for the user's LA, from the cached frameworks.
async fn figures(state: &AppState, signed: &Signed, la: &str, refs: &[IndicatorRef]) -> Result<(Vec<Figure>, String), AppError> {
    if refs.is_empty() {
        return Ok((Vec::new(), crate::views::long_date(state.clock.today())));
    }
    let data = state.frameworks.get_all(state, &signed.access.actor()).await?;
    let f = live::figures(crate::frameworks::frameworks(), data.all_results(), la, data.suppression, data.today, refs);
    Ok((f, crate::views::long_date(data.today)))
}

fn status_json(s: Status) -> serde_json::Value {
    json!({"key": s.key(), "words": s.words(), "colour": s.colour()})
}

fn figure_json(f: &Figure) -> serde_json::Value {
    json!({
        "title": f.title, "period": f.period, "value": f.value_text, "target": f.target_text, "rag": f.rag_words,
        "rag_colour": f.rag_colour, "rag_text": f.rag_text,
        "trend": f.trend.iter().map(|(p, v)| format!("{p}: {v}")).collect::<Vec<_>>().join("; "),
    })
}

fn plan_json(kind: PlanKind, plan: &Plan, figs: &[Figure], today: chrono::NaiveDate) -> serde_json::Value {
    let base = match kind {
        PlanKind::Strategy => "/strategy/deliverables/",
        PlanKind::ActionPlan => "/strategy/action-plan/",
    };
    let strands: Vec<_> = plan
        .strands
        .iter()
        .enumerate()
        .map(|(n, s)| {
            json!({
                "name": s.name,
                "id": format!("strand-{}", n + 1),
                "items": s.items.iter().map(|i| json!({
                    "reference": i.def.reference,
                    "href": format!("{base}{}", segment(&i.def.reference)),
                    "title": i.def.title,
                    "due": i.def.due.to_string(),
                    "overdue": i.overdue(today),
                    "owner": i.def.owner,
                    "status": status_json(i.status()),
                    "indicators": i.def.indicators.iter().filter_map(|r| report::figure(figs, r)).map(figure_json).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let counts: Vec<_> = plan.counts().into_iter().map(|(s, n)| json!({"status": status_json(s), "count": n})).collect();
    json!({"strands": strands, "counts": counts, "total": plan.items().count(), "empty": plan.is_empty(),
           "group_word": kind.group_word(), "item_word": kind.item_word()})
}

async fn overview(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    plan_page(state, signed, PlanKind::Strategy).await
}

async fn action_plan(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    plan_page(state, signed, PlanKind::ActionPlan).await
}

async fn plan_page(state: AppState, signed: Signed, kind: PlanKind) -> Result<Html<String>, AppError> {
    signed.access.require(Can::Strategy)?;
    let la = la_of(&signed)?;
    let (plan, _) = plans::load(&state.store, &signed.access.actor(), &la, kind).await?;
    let (figs, as_of) = figures(&state, &signed, &la, &plan.indicators()).await?;
    let title = match kind {
        PlanKind::Strategy => "SEND strategy: delivery plan",
        PlanKind::ActionPlan => "Action plan after the inspection",
    };
    let publication = state.store.publication(&signed.access.actor(), &la).await?;
    let context = page(
        &signed,
        title,
        "/strategy",
        json!({"plan": plan_json(kind, &plan, &figs, state.clock.today()), "kind": kind.key(), "as_of": as_of, "la": la,
               "can_edit": signed.access.can(Can::EditStrategy),
               "published": publication.as_ref().is_some_and(|p| p.published),
               "published_on": publication.as_ref().map(|p| crate::views::long_date(p.recorded_at.date_naive())),
               "public_href": format!("/send-strategy/{la}")}),
    );
    Ok(Html(render("strategy.html", &context)?))
}

/// The quarters a note may be for: this one and the one before.
fn quarters(today: chrono::NaiveDate) -> Vec<serde_json::Value> {
    let q = Quarter::containing(today);
    [q, q.previous()].iter().map(|q| json!({"value": q.to_string(), "text": q.words()})).collect()
}

async fn item_context(
    state: &AppState,
    signed: &Signed,
    kind: PlanKind,
    reference: &str,
) -> Result<(Plan, serde_json::Value, bool), AppError> {
    signed.access.require(Can::Strategy)?;
    let la = la_of(signed)?;
    let (plan, _) = plans::load(&state.store, &signed.access.actor(), &la, kind).await?;
    let (strand, item) = plan.item(reference).ok_or(AppError::NotFound)?;
    let names = names(state, signed).await?;
    let (figs, as_of) = figures(state, signed, &la, &item.def.indicators).await?;
    let own = item.owner_account.as_deref() == Some(signed.user().actor_label().as_str());
    let may_update = own || signed.access.can(Can::EditStrategy);
    let base = match kind {
        PlanKind::Strategy => "/strategy/deliverables/",
        PlanKind::ActionPlan => "/strategy/action-plan/",
    };
    let owners: Vec<_> = if signed.access.can(Can::EditStrategy) {
        let mut users = state.store.list_users(&signed.access.actor()).await?;
        users.retain(|u| u.active && !matches!(u.role, waymark_storage::Role::ParentCarer | waymark_storage::Role::YoungPerson));
        users.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        std::iter::once(json!({"value": "", "text": "Nobody named"}))
            .chain(users.iter().map(|u| json!({"value": u.id.to_string(), "text": format!("{} ({})", u.display_name, u.role.label())})))
            .collect()
    } else {
        Vec::new()
    };
    let mut notes: Vec<_> = item.notes.iter().collect();
    notes.sort_by_key(|n| std::cmp::Reverse((n.quarter, n.at)));
    let today = state.clock.today();
    let context = json!({
        "kind": kind.key(),
        "item_word": kind.item_word(),
        "group_word": kind.group_word(),
        "back": if kind == PlanKind::Strategy { "/strategy" } else { "/strategy/action-plan" },
        "action": format!("{base}{}", segment(reference)),
        "strand": strand.name,
        "reference": item.def.reference,
        "title": item.def.title,
        "due": item.def.due.to_string(),
        "overdue": item.overdue(today),
        "owner": item.def.owner,
        "monitored_by": if item.def.monitored_by.is_empty() { "Not named".to_owned() } else { item.def.monitored_by.clone() },
        "owner_account": item.owner_account.as_deref().map(|a| who(&names, a)).unwrap_or_else(|| "Nobody named yet".into()),
        "owner_account_id": item.owner_account.as_deref().and_then(|a| a.strip_prefix("user:")).unwrap_or(""),
        "status": status_json(item.status()),
        "figures": figs.iter().map(figure_json).collect::<Vec<_>>(),
        "as_of": as_of,
        "notes": notes.iter().map(|n| json!({"quarter": n.quarter.words(), "status": status_json(n.status), "text": n.text, "who": who(&names, &n.actor), "when": crate::views::long_date(n.at.date_naive())})).collect::<Vec<_>>(),
        "statuses": item.statuses.iter().rev().map(|s| json!({"from": s.from.map_or("", |f| f.words()), "to": s.to.words(), "who": who(&names, &s.actor), "when": crate::views::long_date(s.at.date_naive())})).collect::<Vec<_>>(),
        "may_update": may_update,
        "own": own,
        "can_edit": signed.access.can(Can::EditStrategy),
        "owners": owners,
        "status_options": Status::ALL.iter().map(|s| json!({"value": s.key(), "text": s.words()})).collect::<Vec<_>>(),
        "quarters": quarters(today),
        "version": plan.version,
        "evidence": item.current_evidence().map(|e| {
            let (href, what, link) = match &e.evidence.target {
                waymark_strategy::EvidenceTarget::Link { url } => (url.clone(), "a link".to_owned(), true),
                waymark_strategy::EvidenceTarget::Document { filename } => (format!("/strategy/documents/{}", e.evidence.id), format!("a document, {filename}"), false),
            };
            json!({"title": e.evidence.title, "href": href, "what": what, "link": link, "who": who(&names, &e.actor), "when": crate::views::long_date(e.at.date_naive())})
        }).collect::<Vec<_>>(),
    });
    Ok((plan.clone(), context, may_update))
}

fn merge(mut a: serde_json::Value, b: serde_json::Value) -> serde_json::Value {
    if let (serde_json::Value::Object(a), serde_json::Value::Object(b)) = (&mut a, b) {
        a.extend(b);
    }
    a
}

async fn item_page(State(state): State<AppState>, signed: Signed, Path(reference): Path<String>) -> Result<Html<String>, AppError> {
    show_item(state, signed, PlanKind::Strategy, reference).await
}

async fn action_page(State(state): State<AppState>, signed: Signed, Path(reference): Path<String>) -> Result<Html<String>, AppError> {
    show_item(state, signed, PlanKind::ActionPlan, reference).await
}

async fn show_item(state: AppState, signed: Signed, kind: PlanKind, reference: String) -> Result<Html<String>, AppError> {
    let (_, context, _) = item_context(&state, &signed, kind, &reference).await?;
    let title = format!("{} {}", context["reference"].as_str().unwrap_or(""), context["title"].as_str().unwrap_or(""));
    let context = page(&signed, &title, "/strategy", merge(context, json!({"errors": [], "error_map": {}, "v": {}})));
    Ok(Html(render("strategy_item.html", &context)?))
}

async fn update_item(
    State(state): State<AppState>,
    signed: Signed,
    Path(reference): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    update(state, signed, PlanKind::Strategy, reference, body).await
}

async fn update_action(
    State(state): State<AppState>,
    signed: Signed,
    Path(reference): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    update(state, signed, PlanKind::ActionPlan, reference, body).await
}

async fn update(state: AppState, signed: Signed, kind: PlanKind, reference: String, body: axum::body::Bytes) -> Result<Response, AppError> {
    let form = crate::forms::FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let (_, context, may_update) = item_context(&state, &signed, kind, &reference).await?;
    if !may_update {
        return Err(AppError::Forbidden);
    }
    let mut errors = crate::forms::Errors::default();
    let status = match Status::parse(&form.get("status")) {
        Ok(s) if !form.get("status").is_empty() => Some(s),
        _ => {
            errors.add("status", "status", format!("Select where the {} stands", kind.item_word()));
            None
        }
    };
    let today = state.clock.today();
    let quarter = form
        .get("quarter")
        .parse::<Quarter>()
        .ok()
        .filter(|q| *q == Quarter::containing(today) || *q == Quarter::containing(today).previous());
    if quarter.is_none() {
        errors.add("quarter", "quarter", "Select the quarter the note reports on");
    }
    let note = form.raw("note").trim().to_owned();
    if note.chars().count() > waymark_strategy::plan::MAX_NOTE {
        errors.add("note", "note", format!("The note must be {} characters or fewer", waymark_strategy::plan::MAX_NOTE));
    }
    let status_now = context["status"]["key"].as_str().unwrap_or("");
    if note.is_empty() && status.is_some_and(|s| s.key() == status_now) {
        errors.add("note", "note", "Write a progress note, or change the status");
    }
    let version: Option<u64> = form.get("version").parse().ok();
    if errors.is_empty() {
        let (Some(status), Some(quarter)) = (status, quarter) else { return Err(AppError::BadRequest("missing status".into())) };
        let change = Change::Progress { reference: reference.clone(), status, quarter, note: (!note.is_empty()).then_some(note.clone()) };
        match plans::record(&state.store, &signed.access.actor(), &la_of(&signed)?, kind, version, &change).await {
            Ok(_) => return Ok(crate::routes::cases::see_other(context["action"].as_str().unwrap_or("/strategy"))),
            Err(RecordError::Store(e)) if e.is_conflict() => errors.add(
                "status",
                "status",
                format!(
                    "Someone else updated this {} while you were writing: check what they wrote below, then send yours again",
                    kind.item_word()
                ),
            ),
            Err(RecordError::Refused(e)) => errors.add("note", "note", e.to_string()),
            Err(RecordError::Store(e)) => return Err(e.into()),
        }
    }
    let (_, context, _) = item_context(&state, &signed, kind, &reference).await?;
    let values = json!({"status": form.get("status"), "quarter": form.get("quarter"), "note": form.raw("note")});
    let title = format!("Error: {} {}", context["reference"].as_str().unwrap_or(""), context["title"].as_str().unwrap_or(""));
    let context = page(&signed, &title, "/strategy", merge(context, json!({"errors": errors.0, "error_map": errors.map(), "v": values})));
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(render("strategy_item.html", &context)?)).into_response())
}

async fn set_owner(
    State(state): State<AppState>,
    signed: Signed,
    Path(reference): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let form = crate::forms::FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::EditStrategy)?;
    let la = la_of(&signed)?;
    let chosen = form.get("owner_account");
    let account = if chosen.is_empty() {
        None
    } else {
        let id: waymark_domain::ids::UserId = chosen.parse().map_err(|_| AppError::BadRequest("the owner is not an account".into()))?;
        // Only an account of the user's own LA (the store refuses others as not found).
        Some(state.store.get_user(&signed.access.actor(), id).await?.actor_label())
    };
    let change = Change::OwnerAccount { reference: reference.clone(), account };
    plans::record(&state.store, &signed.access.actor(), &la, PlanKind::Strategy, None, &change).await.map_err(|e| match e {
        RecordError::Store(e) => AppError::from(e),
        RecordError::Refused(_) => AppError::NotFound,
    })?;
    Ok(crate::routes::cases::see_other(&format!("/strategy/deliverables/{}", segment(&reference))))
}

#[derive(serde::Deserialize, Default)]
struct LayoutQuery {
    #[serde(default)]
    layout: String,
}

fn judgement_json(j: Option<Outcome>) -> serde_json::Value {
    match j {
        Some(o) => json!({"words": o.words(), "short": o.short(), "colour": o.colour()}),
        None => json!({"words": "No judgement given", "short": "Not judged", "colour": "grey"}),
    }
}

async fn self_evaluation_page(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<LayoutQuery>,
) -> Result<Html<String>, AppError> {
    signed.access.require(Can::Strategy)?;
    let la = la_of(&signed)?;
    let versions = plans::self_evaluations(&state.store, &signed.access.actor(), &la).await?;
    let latest = versions.last();
    let refs: Vec<IndicatorRef> =
        latest.map(|v| v.evaluation.areas.iter().flat_map(|a| a.indicators.clone()).collect()).unwrap_or_default();
    let (figs, as_of) = figures(&state, &signed, &la, &refs).await?;
    let peterborough = q.layout == "peterborough";
    let areas: Vec<_> = Area::ALL
        .iter()
        .map(|a| {
            let e = latest.and_then(|v| v.evaluation.entry(*a));
            json!({
                "title": a.title(), "part": a.part(), "slug": a.slug(), "written": e.is_some(),
                "judgement": judgement_json(e.and_then(|e| e.judgement)),
                "strengths": e.map(|e| e.strengths.clone()).unwrap_or_default(),
                "development": e.map(|e| e.development.clone()).unwrap_or_default(),
                "evidence": e.map(|e| e.evidence.clone()).unwrap_or_default(),
                "figures": e.map(|e| e.indicators.iter().filter_map(|r| report::figure(&figs, r)).map(figure_json).collect::<Vec<_>>()).unwrap_or_default(),
                "peterborough": e.map(|e| self_evaluation::peterborough(e).iter().map(|(h, t)| json!({"heading": h, "lines": t.lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>()})).collect::<Vec<_>>()).unwrap_or_default(),
            })
        })
        .collect();
    let names = names(&state, &signed).await?;
    let context = page(
        &signed,
        "Self-evaluation",
        "/strategy",
        json!({
            "areas": areas, "peterborough": peterborough, "as_of": as_of,
            "version": latest.map(|v| json!({"number": v.version, "dated": crate::views::long_date(v.evaluation.dated), "who": who(&names, &v.actor),
                "judgement": judgement_json(v.evaluation.judgement), "summary": v.evaluation.summary})),
            "versions": versions.len(),
            "can_edit": signed.access.can(Can::EditStrategy),
        }),
    );
    Ok(Html(render("strategy_self_evaluation.html", &context)?))
}

async fn history(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    signed.access.require(Can::Strategy)?;
    let la = la_of(&signed)?;
    let versions = plans::self_evaluations(&state.store, &signed.access.actor(), &la).await?;
    let names = names(&state, &signed).await?;
    let columns: Vec<String> =
        versions.iter().map(|v| format!("Version {}, {}", v.version, crate::views::long_date(v.evaluation.dated))).collect();
    let rows: Vec<_> = Area::ALL
        .iter()
        .filter(|a| versions.iter().any(|v| v.evaluation.entry(**a).is_some()))
        .map(|a| {
            json!({"area": a.title(), "cells": versions.iter().map(|v| v.evaluation.entry(*a).map_or_else(|| "Not written".to_owned(), |e| e.judgement.map_or("Not judged", |j| j.short()).to_owned())).collect::<Vec<_>>()})
        })
        .collect();
    let mut changes = Vec::new();
    for pair in versions.windows(2) {
        for (area, before, after) in self_evaluation::moves(&pair[0].evaluation, &pair[1].evaluation) {
            changes.push(json!({
                "when": crate::views::long_date(pair[1].evaluation.dated), "area": area.title(),
                "from": before.map_or("Not judged", |j| j.short()), "to": after.map_or("Not judged", |j| j.short()),
            }));
        }
    }
    let list: Vec<_> = versions
        .iter()
        .rev()
        .map(|v| {
            json!({"number": v.version, "dated": crate::views::long_date(v.evaluation.dated), "who": who(&names, &v.actor),
                        "saved": crate::views::long_date(v.recorded_at.date_naive()), "judgement": judgement_json(v.evaluation.judgement),
                        "areas": v.evaluation.areas.len()})
        })
        .collect();
    let context = page(
        &signed,
        "Self-evaluation: history",
        "/strategy",
        json!({"columns": columns, "rows": rows, "changes": changes, "versions": list}),
    );
    Ok(Html(render("strategy_history.html", &context)?))
}

/// An indicator's name as people read it: its framework's short name, number and title.
fn indicator_name(r: &IndicatorRef) -> String {
    crate::frameworks::frameworks()
        .iter()
        .find(|f| f.id == r.pack)
        .and_then(|f| f.indicators.iter().find(|i| i.id == r.id).map(|i| (f, i)))
        .map_or_else(
            || "An indicator no longer in the frameworks".to_owned(),
            |(f, i)| {
                let fw = f.title.split(':').next().unwrap_or(&f.title).trim();
                if i.number.is_empty() {
                    format!("{fw}: {}", i.title)
                } else {
                    format!("{fw}: {} {}", i.number, i.title)
                }
            },
        )
}

/// The area's linked indicators as checkboxes (each ticked: untick to remove).
fn linked_options(refs: &[IndicatorRef]) -> Vec<serde_json::Value> {
    refs.iter().map(|r| json!({"value": r.to_string(), "text": indicator_name(r)})).collect()
}

/// Every indicator that can be linked (evidence roll-ups aside), by name.
fn indicator_choices() -> Vec<serde_json::Value> {
    let mut out = vec![json!({"value": "", "text": "No other indicator"})];
    for f in crate::frameworks::frameworks() {
        for i in f.indicators.iter().filter(|i| i.measure != waymark_indicators::definition::MeasureKind::Evidence) {
            let r = IndicatorRef { pack: f.id.clone(), id: i.id.clone() };
            out.push(json!({"value": r.to_string(), "text": indicator_name(&r)}));
        }
    }
    out
}

fn outcome_options() -> Vec<serde_json::Value> {
    let mut o: Vec<_> = Outcome::ALL.iter().map(|o| json!({"value": o.key(), "text": o.words()})).collect();
    o.push(json!({"value": "none", "text": "Not judged yet"}));
    o
}

async fn area_form(State(state): State<AppState>, signed: Signed, Path(slug): Path<String>) -> Result<Html<String>, AppError> {
    signed.access.require(Can::EditStrategy)?;
    let area = Area::from_slug(&slug).ok_or(AppError::NotFound)?;
    let la = la_of(&signed)?;
    let versions = plans::self_evaluations(&state.store, &signed.access.actor(), &la).await?;
    let entry = versions.last().and_then(|v| v.evaluation.entry(area).cloned()).unwrap_or_else(|| AreaEntry::empty(area));
    let v = json!({
        "judgement": entry.judgement.map_or("none", |j| j.key()), "strengths": entry.strengths, "development": entry.development,
        "evidence": entry.evidence, "indicators": entry.indicators.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "what_we_did": entry.what_we_did, "impact": entry.impact, "next_steps": entry.next_steps,
    });
    let context = page(
        &signed,
        &format!("Self-evaluation: {}", area.title()),
        "/strategy",
        json!({"area": {"title": area.title(), "slug": area.slug()}, "v": v, "errors": [], "error_map": {}, "outcomes": outcome_options(),
               "linked": linked_options(&entry.indicators), "choices": indicator_choices(), "based_on": versions.last().map_or(0, |v| v.version)}),
    );
    Ok(Html(render("strategy_area.html", &context)?))
}

async fn save_area(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let form = crate::forms::FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::EditStrategy)?;
    let area = Area::from_slug(&slug).ok_or(AppError::NotFound)?;
    let la = la_of(&signed)?;
    let mut errors = crate::forms::Errors::default();
    let judgement = match form.get("judgement").as_str() {
        "none" => None,
        k => match Outcome::parse(k) {
            Some(o) => Some(o),
            None => {
                errors.add("judgement", "judgement", "Select the partnership's judgement, or not judged yet");
                None
            }
        },
    };
    let frameworks = crate::frameworks::frameworks();
    let mut indicators: Vec<IndicatorRef> = Vec::new();
    let mut chosen = form.all("indicators");
    chosen.extend(form.all("add_indicator"));
    for code in chosen {
        match code.parse::<IndicatorRef>() {
            Ok(r) if live::known(frameworks, &r) => {
                if !indicators.contains(&r) {
                    indicators.push(r)
                }
            }
            _ => errors.add("add_indicator", "add_indicator", "Choose an indicator from the list"),
        }
    }
    let text = |name: &str| form.raw(name).trim().to_owned();
    let entry = AreaEntry {
        area,
        judgement,
        strengths: text("strengths"),
        development: text("development"),
        evidence: text("evidence"),
        indicators: indicators.clone(),
        what_we_did: text("what_we_did"),
        impact: text("impact"),
        next_steps: text("next_steps"),
    };
    let based_on: u64 = form.get("based_on").parse().unwrap_or(0);
    if errors.is_empty() {
        let versions = plans::self_evaluations(&state.store, &signed.access.actor(), &la).await?;
        let today = state.clock.today();
        let base = versions.iter().find(|v| v.version == based_on).map(|v| v.evaluation.clone()).unwrap_or_else(|| SelfEvaluation {
            dated: today,
            judgement: None,
            summary: String::new(),
            areas: Vec::new(),
        });
        let next = base.with_area(today, entry.clone());
        match plans::save_self_evaluation(&state.store, &signed.access.actor(), &la, based_on, &next).await {
            Ok(_) => return Ok(crate::routes::cases::see_other("/strategy/self-evaluation")),
            Err(RecordError::Store(e)) if e.is_conflict() => errors.add(
                "judgement",
                "judgement",
                "Someone else saved the self-evaluation while you were writing: open this area again to see theirs",
            ),
            Err(RecordError::Refused(e)) => errors.add("strengths", "strengths", e.to_string()),
            Err(RecordError::Store(e)) => return Err(e.into()),
        }
    }
    let v = json!({
        "judgement": form.get("judgement"), "strengths": form.raw("strengths"), "development": form.raw("development"),
        "evidence": form.raw("evidence"), "indicators": indicators.iter().map(ToString::to_string).collect::<Vec<_>>(), "what_we_did": form.raw("what_we_did"),
        "impact": form.raw("impact"), "next_steps": form.raw("next_steps"),
    });
    let context = page(
        &signed,
        &format!("Error: Self-evaluation: {}", area.title()),
        "/strategy",
        json!({"area": {"title": area.title(), "slug": area.slug()}, "v": v, "errors": errors.0, "error_map": errors.map(),
               "outcomes": outcome_options(), "linked": linked_options(&indicators), "choices": indicator_choices(), "based_on": based_on}),
    );
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(render("strategy_area.html", &context)?)).into_response())
}

#[derive(serde::Deserialize, Default)]
struct ReportQuery {
    #[serde(default)]
    quarter: String,
    #[serde(default)]
    format: String,
}

fn quarter_options(today: chrono::NaiveDate) -> Vec<serde_json::Value> {
    let mut q = Quarter::containing(today);
    let mut out = Vec::new();
    for _ in 0..8 {
        out.push(json!({"value": q.to_string(), "text": q.words()}));
        q = q.previous();
    }
    out
}

async fn report_page(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    signed.access.require(Can::Strategy)?;
    let today = state.clock.today();
    let context = page(
        &signed,
        "Board report",
        "/strategy",
        json!({"quarters": quarter_options(today), "selected": Quarter::containing(today).previous().to_string(),
               "today": crate::views::long_date(today), "errors": [], "error_map": {}}),
    );
    Ok(Html(render("strategy_report.html", &context)?))
}

async fn report_download(State(state): State<AppState>, signed: Signed, Query(q): Query<ReportQuery>) -> Result<Response, AppError> {
    signed.access.require(Can::Strategy)?;
    let today = state.clock.today();
    let mut errors = crate::forms::Errors::default();
    let quarter = q.quarter.parse::<Quarter>().ok().filter(|x| quarter_options(today).iter().any(|o| o["value"] == x.to_string()));
    if quarter.is_none() {
        errors.add("quarter", "quarter", "Select the quarter the report is for");
    }
    if !matches!(q.format.as_str(), "html" | "xlsx" | "docx" | "pdf") {
        errors.add("format", "format", "Select the report's format: Word, PDF, a spreadsheet or a web page");
    }
    let Some(quarter) = quarter.filter(|_| errors.is_empty()) else {
        let context = page(
            &signed,
            "Error: Board report",
            "/strategy",
            json!({"quarters": quarter_options(today), "selected": q.quarter, "format": q.format, "today": crate::views::long_date(today),
                   "errors": errors.0, "error_map": errors.map()}),
        );
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(render("strategy_report.html", &context)?)).into_response());
    };
    let la = la_of(&signed)?;
    let data = state.frameworks.get_all(&state, &signed.access.actor()).await?;
    let r = plans::board_report(
        &state.store,
        &signed.access.actor(),
        &la,
        quarter,
        data.today,
        crate::frameworks::frameworks(),
        data.all_results(),
        data.suppression,
    )
    .await?;
    let doc = r.document();
    download(&doc, &q.format, &format!("board-report-{quarter}"), "Board report", "board report", false)
}

/// A strategy document sent as `format`: Word, PDF or a spreadsheet (its first sheet named `sheet`) as an
/// attachment `name.ext`, else a web page shown in the browser. `what` names it in an error's log line;
/// `private` (it lists children) keeps it out of every cache.
fn download(doc: &report::Doc, format: &str, name: &str, sheet: &str, what: &str, private: bool) -> Result<Response, AppError> {
    let failed = |e: String| AppError::Internal(format!("{what}: {e}"));
    let (bytes, mime, ext) = match format {
        "docx" => (
            report::docx(doc).map_err(|e| failed(e.to_string()))?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        "pdf" => (report::pdf(doc).map_err(|e| failed(e.to_string()))?, "application/pdf", "pdf"),
        "xlsx" => (
            report::xlsx_named(doc, sheet).map_err(|e| failed(e.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => {
            return Ok((
                [
                    (header::CONTENT_SECURITY_POLICY, style_csp(report::HTML_STYLE)),
                    (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}.html\"")),
                ],
                report::html(doc),
            )
                .into_response())
        }
    };
    let mut response =
        ([(header::CONTENT_TYPE, mime.to_owned()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.{ext}\""))], bytes)
            .into_response();
    if private {
        response.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

fn evidence_context(today: chrono::NaiveDate, v: serde_json::Value, errors: &crate::forms::Errors) -> serde_json::Value {
    json!({"today": crate::views::long_date(today), "v": v, "errors": errors.0, "error_map": errors.map()})
}

/// The inspection evidence pack's form: the period whose requests are listed and the format.
async fn evidence_page(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    signed.access.require(Can::EditStrategy)?;
    let today = state.clock.today();
    let a_year_ago = today - chrono::Duration::days(364);
    let parts = |d: chrono::NaiveDate| json!({"day": d.format("%-d").to_string(), "month": d.format("%-m").to_string(), "year": d.format("%Y").to_string()});
    let v = json!({"from": parts(a_year_ago), "to": parts(today), "format": "xlsx"});
    let context = page(&signed, "Inspection evidence", "/strategy", evidence_context(today, v, &Default::default()));
    Ok(Html(render("strategy_evidence.html", &context)?))
}

/// The pack as a workbook or Word document. The lists name children: one audited read of the area's
/// cases (subject `inspection_evidence`), never one per child; the file is not cached.
async fn evidence_download(
    State(state): State<AppState>,
    signed: Signed,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, AppError> {
    signed.access.require(Can::EditStrategy)?;
    let form = crate::forms::FormData::parse(&axum::body::Bytes::from(query.unwrap_or_default()));
    let today = state.clock.today();
    let mut errors = crate::forms::Errors::default();
    let from = crate::forms::parse_date(&form, "from", "the first day of the period", Some(today), &mut errors);
    let to = crate::forms::parse_date(&form, "to", "the last day of the period", Some(today), &mut errors);
    let format = form.get("format");
    if !matches!(format.as_str(), "xlsx" | "docx") {
        errors.add("format", "format", "Select the format: a spreadsheet or a Word document");
    }
    let period = match (from, to) {
        (Some(f), Some(t)) => match waymark_strategy::evidence::Period::new(f, t, today) {
            Ok(p) => Some(p),
            Err(_) if t < f => {
                errors.add("to", "to-day", "The last day of the period must be the same as or after the first day");
                None
            }
            Err(_) => {
                errors.add("from", "from-day", "The period must be five years or shorter");
                None
            }
        },
        _ => None,
    };
    let Some(period) = period.filter(|_| errors.is_empty()) else {
        let v = json!({"from": crate::forms::DateParts::from_form(&form, "from"), "to": crate::forms::DateParts::from_form(&form, "to"), "format": format});
        let context = page(&signed, "Error: Inspection evidence", "/strategy", evidence_context(today, v, &errors));
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(render("strategy_evidence.html", &context)?)).into_response());
    };
    let la = la_of(&signed)?;
    let actor = signed.access.actor();
    let data = state.frameworks.get_all(&state, &actor).await?;
    let names = names(&state, &signed).await?;
    let name_of = |label: &str| who(&names, label);
    let pack = plans::evidence_pack(
        &state.store,
        &state.audit,
        &actor,
        &la,
        period,
        data.today,
        crate::frameworks::frameworks(),
        data.all_results(),
        data.suppression,
        &name_of,
    )
    .await?;
    let doc = pack.document();
    download(&doc, &format, &format!("inspection-evidence-{la}-{}", data.today), "Evidence pack", "inspection evidence", true)
}

/// The deliverable page again with the evidence form's errors (nothing was attached).
async fn evidence_errors(
    state: &AppState,
    signed: &Signed,
    reference: &str,
    errors: crate::forms::Errors,
    v: serde_json::Value,
) -> Result<Response, AppError> {
    let (_, context, _) = item_context(state, signed, PlanKind::Strategy, reference).await?;
    let title = format!("Error: {} {}", context["reference"].as_str().unwrap_or(""), context["title"].as_str().unwrap_or(""));
    let context = page(signed, &title, "/strategy", merge(context, json!({"errors": errors.0, "error_map": errors.map(), "v": v})));
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(render("strategy_item.html", &context)?)).into_response())
}

/// The owner (or a SEND manager or strategy lead) attaches a link as evidence.
async fn add_link(
    State(state): State<AppState>,
    signed: Signed,
    Path(reference): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let form = crate::forms::FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let (_, context, may_update) = item_context(&state, &signed, PlanKind::Strategy, &reference).await?;
    if !may_update {
        return Err(AppError::Forbidden);
    }
    let (title, url) = (form.raw("link_title"), form.raw("url"));
    let mut errors = crate::forms::Errors::default();
    if title.trim().is_empty() {
        errors.add("link_title", "link_title", "Enter what the link is");
    } else if title.trim().chars().count() > waymark_strategy::plan::MAX_FIELD || title.chars().any(char::is_control) {
        errors.add(
            "link_title",
            "link_title",
            format!("What the link is must be one line of {} characters or fewer", waymark_strategy::plan::MAX_FIELD),
        );
    }
    // The address is checked on its own, so both fields' problems are named at once.
    let evidence = match waymark_strategy::Evidence::link(uuid::Uuid::new_v4().to_string(), "a link", &url) {
        Ok(e) => Some(waymark_strategy::Evidence { title: title.trim().to_owned(), ..e }),
        Err(_) => {
            errors.add("url", "url", "Enter a web address starting https://, for example https://www.example.gov.uk/send");
            None
        }
    };
    if let (true, Some(evidence)) = (errors.is_empty(), evidence) {
        let change = Change::EvidenceAdded { reference: reference.clone(), evidence };
        match plans::record(&state.store, &signed.access.actor(), &la_of(&signed)?, PlanKind::Strategy, None, &change).await {
            Ok(_) => return Ok(crate::routes::cases::see_other(context["action"].as_str().unwrap_or("/strategy"))),
            Err(RecordError::Refused(e)) => errors.add("url", "url", e.to_string()),
            Err(RecordError::Store(e)) if e.is_conflict() => {
                errors.add("url", "url", "Someone else changed the plan at the same moment: attach the link again")
            }
            Err(RecordError::Store(e)) => return Err(e.into()),
        }
    }
    evidence_errors(&state, &signed, &reference, errors, json!({"link_title": title, "url": url})).await
}

/// The owner (or a SEND manager or strategy lead) attaches a document: checked as a case's documents
/// are (type from the content, whole, at most 20 MB), stored by SHA-256 (ADR 0020), then recorded in
/// the plan's log.
async fn add_document(
    State(state): State<AppState>,
    signed: Signed,
    Path(reference): Path<String>,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let upload = super::documents::read_upload(multipart).await;
    signed.check_csrf(upload.csrf.as_deref())?;
    let (_, context, may_update) = item_context(&state, &signed, PlanKind::Strategy, &reference).await?;
    if !may_update {
        return Err(AppError::Forbidden);
    }
    let la = la_of(&signed)?;
    let title = upload.title.clone().unwrap_or_default();
    let mut errors = crate::forms::Errors::default();
    if title.trim().is_empty() {
        errors.add("document_title", "document_title", "Enter what the document is");
    } else if title.trim().chars().count() > waymark_strategy::plan::MAX_FIELD || title.chars().any(char::is_control) {
        errors.add(
            "document_title",
            "document_title",
            format!("What the document is must be one line of {} characters or fewer", waymark_strategy::plan::MAX_FIELD),
        );
    }
    let checked = if upload.too_large {
        Err(waymark_documents::files::UploadError::TooLarge.to_string())
    } else if let Some((_, message)) = upload.unreadable.clone() {
        Err(message)
    } else if upload.filename.is_none() && upload.bytes.is_empty() {
        Err("Select a file".to_owned())
    } else {
        waymark_documents::files::check_upload(&upload.bytes).map_err(|e| e.to_string())
    };
    let file_type = match checked {
        Ok(t) => Some(t),
        Err(message) => {
            errors.add("file", "file", message);
            None
        }
    };
    if let (true, Some(file_type)) = (errors.is_empty(), file_type) {
        let filename = waymark_documents::files::safe_filename(upload.filename.as_deref().unwrap_or_default(), file_type);
        let doc = state
            .store
            .add_strategy_document(
                &signed.access.actor(),
                &la,
                PlanKind::Strategy.key(),
                &reference,
                &filename,
                file_type.media_type(),
                &upload.bytes,
            )
            .await?;
        let evidence =
            waymark_strategy::Evidence::document(doc.id.to_string(), &title, &filename).map_err(|e| AppError::BadRequest(e.to_string()))?;
        let change = Change::EvidenceAdded { reference: reference.clone(), evidence };
        match plans::record(&state.store, &signed.access.actor(), &la, PlanKind::Strategy, None, &change).await {
            Ok(_) => return Ok(crate::routes::cases::see_other(context["action"].as_str().unwrap_or("/strategy"))),
            Err(RecordError::Store(e)) if e.is_conflict() => {
                errors.add("file", "file", "Someone else changed the plan at the same moment: attach the document again")
            }
            Err(RecordError::Refused(e)) => errors.add("file", "file", e.to_string()),
            Err(RecordError::Store(e)) => return Err(e.into()),
        }
    }
    evidence_errors(&state, &signed, &reference, errors, json!({"document_title": title})).await
}

/// A document attached as evidence, for those who read the strategy (staff and the board of the LA);
/// only one the plan still lists as attached.
async fn download_document(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    signed.access.require(Can::Strategy)?;
    let la = la_of(&signed)?;
    let id: uuid::Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let (doc, bytes) = state.store.read_strategy_document(&signed.access.actor(), &la, id).await?;
    let kind = PlanKind::parse(&doc.plan).ok_or(AppError::NotFound)?;
    let (plan, _) = plans::load(&state.store, &signed.access.actor(), &la, kind).await?;
    let attached = plan.item(&doc.reference).is_some_and(|(_, i)| i.current_evidence().any(|e| e.evidence.id == id.to_string()));
    if !attached {
        return Err(AppError::NotFound);
    }
    let name = doc.filename.replace(['"', '\\'], "");
    Ok((
        [
            (header::CONTENT_TYPE, doc.media_type.clone()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// The largest plan file accepted from the web: 2,000 rows of eight fields of up to 500 characters fit
/// well under it.
const IMPORT_MAX_BYTES: usize = 4 * 1024 * 1024;
const IMPORT_BODY_LIMIT: usize = IMPORT_MAX_BYTES + 64 * 1024;

fn plan_options() -> serde_json::Value {
    json!([
        {"value": "strategy", "text": "The strategy's delivery plan"},
        {"value": "action_plan", "text": "The action plan after the inspection (priority action plan or written statement of action)"},
    ])
}

fn import_context(errors: &crate::forms::Errors, plan: &str) -> serde_json::Value {
    json!({"errors": errors.0, "error_map": errors.map(), "plan": plan, "plans": plan_options()})
}

/// Import a plan from CSV on the web, as `waymark strategy import` does (SEND managers and strategy leads).
async fn import_page(State(_state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    signed.access.require(Can::EditStrategy)?;
    let context = page(&signed, "Import a plan", "/strategy", import_context(&Default::default(), "strategy"));
    Ok(Html(render("strategy_import.html", &context)?))
}

/// The upload: every row checked; any problem, named by line and column in the error summary, and
/// nothing imported; else the whole plan recorded as one change (the notes and owners of references
/// that remain are kept).
async fn import_upload(
    State(state): State<AppState>,
    signed: Signed,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (mut csrf, mut plan, mut filename, mut bytes, mut too_large, mut unreadable) =
        (None, String::new(), None, Vec::new(), false, false);
    loop {
        match multipart.next_field().await {
            Ok(Some(mut field)) => match field.name().unwrap_or_default() {
                "csrf" => csrf = field.text().await.ok(),
                "plan" => plan = field.text().await.unwrap_or_default(),
                "file" => {
                    filename = field.file_name().map(str::to_owned);
                    loop {
                        match field.chunk().await {
                            Ok(Some(chunk)) if bytes.len() + chunk.len() <= IMPORT_MAX_BYTES => bytes.extend_from_slice(&chunk),
                            Ok(Some(_)) => {
                                too_large = true;
                                break;
                            }
                            Ok(None) => break,
                            Err(_) => {
                                unreadable = true;
                                break;
                            }
                        }
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                unreadable = true;
                break;
            }
        }
        if too_large || unreadable {
            break;
        }
    }
    signed.check_csrf(csrf.as_deref())?;
    signed.access.require(Can::EditStrategy)?;
    let la = la_of(&signed)?;
    let mut errors = crate::forms::Errors::default();
    let kind = PlanKind::parse(&plan);
    if kind.is_none() {
        errors.add("plan", "plan", "Select which plan the file holds");
    }
    let name = filename.as_deref().map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_owned()).filter(|n| !n.trim().is_empty());
    let text = if too_large {
        errors.add("file", "file", "The selected file must be smaller than 4 MB");
        None
    } else if unreadable {
        errors.add("file", "file", "The upload could not be read: try again");
        None
    } else if name.is_none() && bytes.is_empty() {
        errors.add("file", "file", "Select a CSV file");
        None
    } else if bytes.is_empty() {
        errors.add("file", "file", "The selected file is empty");
        None
    } else {
        match String::from_utf8(bytes) {
            Ok(t) => Some(t),
            Err(_) => {
                errors.add("file", "file", "The selected file must be a CSV file saved as UTF-8 text");
                None
            }
        }
    };
    if let (Some(text), Some(kind), true) = (text, kind, errors.is_empty()) {
        let file = name.unwrap_or_else(|| "the file".into());
        match waymark_strategy::csv_format::parse(&file, &text, &|r| live::known(crate::frameworks::frameworks(), r)) {
            Err(e) => {
                for line in &e.errors {
                    errors.add("file", "file", format!("{file}: {line}"));
                }
            }
            Ok(strands) => {
                match plans::record(&state.store, &signed.access.actor(), &la, kind, None, &Change::Imported { strands }).await {
                    Ok(_) => {
                        let back = if kind == PlanKind::Strategy { "/strategy" } else { "/strategy/action-plan" };
                        return Ok(crate::routes::cases::see_other(back));
                    }
                    Err(RecordError::Refused(e)) => errors.add("file", "file", e.to_string()),
                    Err(RecordError::Store(e)) if e.is_conflict() => {
                        errors.add("file", "file", "Someone else changed the plan at the same moment: upload the file again")
                    }
                    Err(RecordError::Store(e)) => return Err(e.into()),
                }
            }
        }
    }
    let context = page(&signed, "Error: Import a plan", "/strategy", import_context(&errors, &plan));
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(render("strategy_import.html", &context)?)).into_response())
}

#[derive(serde::Deserialize, Default)]
struct TemplateQuery {
    #[serde(default)]
    template: String,
    #[serde(default)]
    format: String,
}

/// The action plan as a written statement of action or a priority action plan (DOCX, PDF, XLSX or a
/// web page), for those who read the strategy.
async fn action_plan_document(State(state): State<AppState>, signed: Signed, Query(q): Query<TemplateQuery>) -> Result<Response, AppError> {
    signed.access.require(Can::Strategy)?;
    let template = waymark_strategy::action_plan::Template::parse(&q.template).ok_or(AppError::NotFound)?;
    let la = la_of(&signed)?;
    let (plan, _) = plans::load(&state.store, &signed.access.actor(), &la, PlanKind::ActionPlan).await?;
    let (figs, _) = figures(&state, &signed, &la, &plan.indicators()).await?;
    let doc = waymark_strategy::action_plan::document(template, &la_words(&la), &plan, &figs, state.clock.today());
    download(&doc, &q.format, &format!("{}-{la}", template.key()), template.title(), "action plan document", false)
}

/// The LA's name as families know it, else its code (the strategy's one rule for naming its area).
fn la_words(la: &str) -> String {
    waymark_strategy::store::area_words(la)
}

/// A SEND manager or strategy lead publishes the strategy for families and the public, or stops.
async fn set_publication(State(state): State<AppState>, signed: Signed, body: axum::body::Bytes) -> Result<Response, AppError> {
    let form = crate::forms::FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::EditStrategy)?;
    let la = la_of(&signed)?;
    let published = match form.get("publish").as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::BadRequest("Choose whether to publish the strategy".into())),
    };
    state.store.set_publication(&signed.access.actor(), &la, published).await?;
    Ok(crate::routes::cases::see_other("/strategy"))
}

/// The published strategy: for families and the public, without signing in, in plain words: each
/// strand's deliverables, by when, where each stands and the latest progress, with no owner's initials,
/// account or internal reference to a board. Not published (or no plan): not found.
async fn published_page(
    State(state): State<AppState>,
    crate::session::MaybeSigned(signed): crate::session::MaybeSigned,
    Path(la): Path<String>,
) -> Result<Html<String>, AppError> {
    let code: waymark_domain::identifiers::LaCode = la.parse().map_err(|_| AppError::NotFound)?;
    let la = code.to_string();
    let reader = waymark_storage::Actor::new("public: published strategy", waymark_storage::Scope::LocalAuthority(code));
    let published = state.store.publication(&reader, &la).await?.filter(|p| p.published).ok_or(AppError::NotFound)?;
    let (plan, _) = plans::load(&state.store, &reader, &la, PlanKind::Strategy).await?;
    if plan.is_empty() {
        return Err(AppError::NotFound);
    }
    let today = state.clock.today();
    let strands: Vec<_> = plan
        .strands
        .iter()
        .map(|s| {
            json!({"name": s.name, "items": s.items.iter().map(|i| {
                let note = i.latest_note();
                json!({
                    "title": i.def.title,
                    "due": i.def.due.to_string(),
                    "late": i.overdue(today),
                    "status": status_json(i.status()),
                    "progress": note.map(|n| json!({"text": n.text, "quarter": n.quarter.words()})),
                })
            }).collect::<Vec<_>>()})
        })
        .collect();
    let counts: Vec<_> =
        plan.counts().into_iter().filter(|(_, n)| *n > 0).map(|(s, n)| json!({"status": status_json(s), "count": n})).collect();
    let name = la_words(&la);
    let title = format!("{name}: our SEND strategy and how it is going");
    let extra = json!({
        "la_name": name, "strands": strands, "counts": counts, "total": plan.items().count(),
        "published_on": crate::views::long_date(published.recorded_at.date_naive()), "today": crate::views::long_date(today),
    });
    let context = match &signed {
        Some(s) => page(s, &title, "/strategy", extra),
        None => merge(json!({"title": title, "service_name": "SEND strategy", "service_href": format!("/send-strategy/{la}")}), extra),
    };
    Ok(Html(render("strategy_published.html", &context)?))
}

/// The Content-Security-Policy of a standalone report: its one `<style>` allowed by hash, nothing else.
fn style_csp(style: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style.as_bytes()));
    format!(
        "default-src 'none'; script-src 'none'; style-src 'sha256-{hash}'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_becomes_a_safe_path_segment() {
        assert_eq!(segment("B6"), "B6");
        assert_eq!(segment("C 11/a"), "C%2011%2Fa");
    }

    #[test]
    fn the_reports_style_is_allowed_by_its_hash_alone() {
        let csp = style_csp(report::HTML_STYLE);
        assert!(csp.contains("style-src 'sha256-") && !csp.contains("unsafe-inline") && csp.contains("script-src 'none'"));
    }
}
