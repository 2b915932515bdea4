//! The co-production log (issue 16): meetings, workshops and events held with the parent carer
//! forum, parents and carers, children and young people. Staff with the families' voice right record
//! who took part by group and number (no names), what was decided, and the strategy deliverables it
//! informed: each reference is checked against the LA's strategy delivery plan (issue 17) and links to
//! the deliverable's page for those who may see the strategy.

use crate::access::Can;
use crate::error::AppError;
use crate::forms::{parse_date, DateParts, Errors, FormData};
use crate::routes::cases::see_other;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use waymark_domain::identifiers::LaCode;
use waymark_indicators::present;
use waymark_storage::ComplaintStore;
use waymark_strategy::PlanKind;
use waymark_surveys::coproduction::{DraftCoproduction, Group, Kind};

pub fn router() -> Router<AppState> {
    Router::new().route("/surveys/co-production", get(list)).route("/surveys/co-production/new", get(new_form).post(create))
}

fn staff(signed: &Signed) -> Result<LaCode, AppError> {
    signed.access.require(Can::Surveys)?;
    signed.user().la.ok_or(AppError::Forbidden)
}

async fn list(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    let la = staff(&signed)?;
    let actor = signed.access.actor();
    let entries = state.store.coproduction(&actor).await?;
    let (plan, _) = waymark_strategy::store::load(&state.store, &actor, &la.to_string(), PlanKind::Strategy).await?;
    let may_see_strategy = signed.access.can(Can::Strategy);
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            let c = &e.entry;
            json!({
                "held_on": crate::views::long_date(c.held_on), "kind": c.kind.words(), "title": c.title, "decided": c.decided,
                "took_part": c.took_part.iter().map(|(g, n)| format!("{}: {}", g.words(), present::count(u64::from(*n)))).collect::<Vec<_>>(),
                "people": present::count(c.people()),
                "deliverables": c.deliverables.iter().map(|r| json!({
                    "reference": r,
                    "title": plan.item(r).map(|(_, i)| i.def.title.clone()),
                    "link": may_see_strategy && plan.item(r).is_some(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let groups: Vec<Value> = Group::ALL
        .iter()
        .map(|g| {
            let (events, people) = entries.iter().fold((0u64, 0u64), |(ev, pe), e| match e.entry.took_part.iter().find(|(x, _)| x == g) {
                Some((_, n)) => (ev + 1, pe + u64::from(*n)),
                None => (ev, pe),
            });
            json!([g.words(), present::count(events), present::count(people)])
        })
        .collect();
    let context = page(
        &signed,
        "Co-production log",
        "/surveys",
        json!({"rows": rows, "summary": {"columns": ["Group", "Meetings and events", "Places taken (people may come to several)"], "rows": groups}}),
    );
    Ok(Html(render("coproduction.html", &context)?))
}

fn render_new(signed: &Signed, form: &FormData, errors: &Errors, status: StatusCode) -> Result<Response, AppError> {
    let kinds: Vec<Value> = Kind::ALL.iter().map(|k| json!({"value": k.code(), "text": k.words()})).collect();
    let groups: Vec<Value> = Group::ALL
        .iter()
        .map(|g| json!({"name": g.code(), "label": g.words(), "value": form.get(g.code()), "error": errors.map().get(g.code()).cloned()}))
        .collect();
    let context = page(
        signed,
        "Record a co-production meeting or event",
        "/surveys",
        json!({"errors": errors.0, "error_map": errors.map(), "kinds": kinds, "groups": groups,
               "values": {"held_on": DateParts::from_form(form, "held_on"), "kind": form.get("kind"), "title": form.get("title"),
                          "decided": form.raw("decided"), "deliverables": form.get("deliverables")}}),
    );
    Ok((status, Html(render("coproduction_new.html", &context)?)).into_response())
}

async fn new_form(signed: Signed) -> Result<Response, AppError> {
    staff(&signed)?;
    render_new(&signed, &FormData::default(), &Errors::default(), StatusCode::OK)
}

async fn create(State(state): State<AppState>, signed: Signed, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let la = staff(&signed)?;
    let actor = signed.access.actor();
    let mut errors = Errors::default();
    let held_on = parse_date(&form, "held_on", "the date it was held", Some(state.clock.today()), &mut errors);
    let date_failed = !errors.is_empty();
    let draft = DraftCoproduction {
        held_on,
        kind: form.get("kind"),
        title: form.get("title"),
        numbers: Group::ALL.iter().map(|g| (*g, form.get(g.code()))).collect(),
        decided: form.raw("decided"),
        deliverables: form.get("deliverables"),
    };
    let checked = draft.check(state.clock.today());
    let problems = match &checked {
        Ok(_) => Vec::new(),
        Err(list) => list.clone(),
    };
    for p in problems {
        // The date's own message (which part is missing) is already there.
        if p.field == "held_on" && date_failed {
            continue;
        }
        let href = match p.field.as_str() {
            "held_on" => "held_on-day".to_owned(),
            "took_part" => Group::ALL[0].code().to_owned(),
            f => f.to_owned(),
        };
        errors.add(&p.field, &href, p.message);
    }
    if let Ok(entry) = &checked {
        if !entry.deliverables.is_empty() {
            let (plan, _) = waymark_strategy::store::load(&state.store, &actor, &la.to_string(), PlanKind::Strategy).await?;
            if plan.is_empty() {
                errors.add(
                    "deliverables",
                    "deliverables",
                    "There is no strategy delivery plan yet, so no deliverables can be linked: leave this blank",
                );
            } else {
                let unknown: Vec<&str> = entry.deliverables.iter().filter(|r| plan.item(r).is_none()).map(String::as_str).collect();
                if !unknown.is_empty() {
                    errors.add(
                        "deliverables",
                        "deliverables",
                        format!(
                            "{} {} not in the strategy delivery plan",
                            unknown.join(", "),
                            if unknown.len() == 1 { "is" } else { "are" }
                        ),
                    );
                }
            }
        }
    }
    match checked {
        Ok(entry) if errors.is_empty() => {
            state.store.record_coproduction(&actor, la, &entry).await?;
            Ok(see_other("/surveys/co-production"))
        }
        _ => render_new(&signed, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY),
    }
}
