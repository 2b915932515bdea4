//! The Local Offer's pages (issue 15).
//!
//! * Public, no sign-in: `/local-offer` (search by words, category, age, need, distance from a
//!   postcode, cost, how to access, language and SEND details) and `/local-offer/services/{id}`. Each
//!   search and view is counted with no personal data (the postcode cut to its outward code).
//! * Service providers: `/local-offer/provider` (their organisation's listings, those not confirmed for
//!   12 months flagged as tasks), editing a listing (the change waits for approval) and confirming one.
//! * Local Offer officers: `/local-offer/changes`, the queue, and each change as a before/after diff to
//!   approve, or reject with a reason.
//!
//! The directory crate decides (filters, distance, freshness, the workflow, the diff); these handlers
//! read the request, call it and render.

use crate::access::Can;
use crate::error::AppError;
use crate::forms::{Errors, FormData};
use crate::routes::cases::see_other;
use crate::session::{MaybeSigned, Signed};
use crate::templates::{page, render};
use crate::views::long_date;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use waymark_directory::search::{DEFAULT_MILES, FRESH_FOR_MONTHS};
use waymark_directory::taxonomy::{need_key, parse_need, NEEDS};
use waymark_directory::workflow::{openings_words, Decision};
use waymark_directory::{
    diff, is_stale, need_words, search_ranked, AccessRoute, Ages, Category, ChangeStatus, Cost, Listing, SearchForm, Service, ServiceId,
};
use waymark_indicators::present;
use waymark_storage::{DirectoryEvent, DirectoryStore, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/local-offer", get(search_page))
        .route("/local-offer/services/{id}", get(service_page))
        .route("/local-offer/provider", get(provider_page))
        .route("/local-offer/provider/services/{id}/edit", get(edit_page).post(edit_save))
        .route("/local-offer/provider/services/{id}/confirm", post(confirm))
        .route("/local-offer/changes", get(changes_page))
        .route("/local-offer/changes/{id}", get(change_page).post(decide))
}

/// Results a page lists.
const PER_PAGE: usize = 20;

fn public_context(signed: &Option<Signed>, title: &str, extra: Value) -> Value {
    match signed {
        Some(s) => page(s, title, "/local-offer", extra),
        None => {
            let mut base = json!({"title": title, "service_name": "Local Offer", "service_href": "/local-offer"});
            if let (Value::Object(b), Value::Object(more)) = (&mut base, extra) {
                b.extend(more);
            }
            base
        }
    }
}

fn options(pairs: impl IntoIterator<Item = (String, String)>, none: &str) -> Vec<Value> {
    std::iter::once(json!({"value": "", "text": none})).chain(pairs.into_iter().map(|(v, t)| json!({"value": v, "text": t}))).collect()
}

fn search_options() -> Value {
    json!({
        "categories": options(Category::ALL.map(|c| (c.key().to_owned(), c.label().to_owned())), "Any category"),
        "needs": options(NEEDS.map(|n| (need_key(n), need_words(n).to_owned())), "Any need"),
        "costs": options(Cost::ALL.map(|c| (c.key().to_owned(), c.label().to_owned())), "Any cost"),
        "access": options([("referral".to_owned(), "By referral".to_owned()), ("drop_in".to_owned(), "Drop in or book directly".to_owned())], "Either"),
        "miles": ([1, 2, 5, 10, 20].map(|m| json!({"value": m.to_string(), "text": format!("{m} mile{}", if m == 1 { "" } else { "s" })}))),
        "send": [
            json!({"value": "autism", "text": "Autism-friendly hours"}),
            json!({"value": "sensory", "text": "Sensory-friendly"}),
            json!({"value": "wheelchair", "text": "Wheelchair accessible"}),
        ],
    })
}

fn ages_words(a: Ages) -> String {
    if a == Ages::ALL {
        "All ages, 0 to 25".into()
    } else {
        format!("Ages {} to {}", a.min, a.max)
    }
}

fn miles_words(m: f64) -> String {
    let shown = if m < 0.1 { 0.1 } else { m };
    format!("{} miles away", present::number((shown * 10.0).round() / 10.0))
}

fn summary(text: &str) -> String {
    let mut out: String = text.chars().take(180).collect();
    if text.chars().count() > 180 {
        out = format!("{}…", out.trim_end());
    }
    out
}

fn result_row(l: &Listing, miles: Option<f64>) -> Value {
    let s = &l.service;
    json!({
        "href": format!("/local-offer/services/{}", s.id),
        "name": s.name,
        "organisation": l.organisation_name,
        "summary": summary(&s.description),
        "categories": s.categories.iter().map(|c| c.label()).collect::<Vec<_>>().join(", "),
        "ages": ages_words(s.ages),
        "cost": s.cost.label(),
        "distance": miles.map(miles_words),
        "autism": s.autism_friendly_hours.is_some(),
        "wheelchair": s.wheelchair_access,
    })
}

async fn search_page(
    State(state): State<AppState>,
    MaybeSigned(signed): MaybeSigned,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let raw = FormData::parse(&Bytes::from(query.unwrap_or_default()));
    let form = SearchForm {
        q: raw.raw("q"),
        category: raw.get("category"),
        age: raw.get("age"),
        need: raw.get("need"),
        postcode: raw.get("postcode"),
        miles: raw.get("miles"),
        cost: raw.get("cost"),
        access: raw.get("access"),
        language: raw.get("language"),
        send: raw.all("send"),
    };
    let page_number = raw.get("page").parse::<usize>().ok().filter(|p| *p >= 1).unwrap_or(1);
    let values = json!({
        "q": form.q, "category": form.category, "age": form.age, "need": form.need, "postcode": form.postcode,
        "miles": if form.miles.is_empty() { DEFAULT_MILES.to_string() } else { form.miles.clone() },
        "cost": form.cost, "access": form.access, "language": form.language, "send": form.send,
    });
    let mut errors = Errors::default();
    let mut results = Vec::new();
    let mut total = 0;
    let mut searched = false;
    let mut unknown_postcode = false;
    let mut status = StatusCode::OK;
    match form.parse() {
        Err(problems) => {
            status = StatusCode::BAD_REQUEST;
            for p in problems {
                errors.add(p.field, p.field, p.reason);
            }
        }
        Ok(filters) if !filters.is_empty() => {
            searched = true;
            let snapshot = state.local_offer.snapshot(&state.store).await?;
            let text_hits = match &filters.text {
                Some(words) => Some(snapshot.text_hits(&state.store, words).await?),
                None => None,
            };
            let origin = match &filters.near {
                Some((p, _)) => {
                    let c = state.store.postcode(p).await?;
                    unknown_postcode = c.is_none();
                    c
                }
                None => None,
            };
            if unknown_postcode {
                status = StatusCode::BAD_REQUEST;
                errors.add("postcode", "postcode", "We do not know that postcode. Check it, or search without one");
            }
            let hits = search_ranked(&snapshot.published.listings, &snapshot.ranks, &filters, text_hits.as_ref(), origin);
            total = hits.len();
            state.local_offer.count(state.clock.as_ref(), DirectoryEvent::Search { filters: filters.summary(), results: total });
            let start = (page_number - 1).saturating_mul(PER_PAGE).min(total);
            results = hits[start..(start + PER_PAGE).min(total)]
                .iter()
                .map(|h| result_row(&snapshot.published.listings[h.index], h.miles))
                .collect();
        }
        Ok(_) => {}
    }
    let pages = total.div_ceil(PER_PAGE);
    let link = |p: usize| {
        let mut pairs: Vec<(String, String)> = raw.pairs().into_iter().filter(|(k, _)| k != "page").collect();
        pairs.push(("page".into(), p.to_string()));
        format!("/local-offer?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    };
    let context = public_context(
        &signed,
        "Find services: the Local Offer",
        json!({
            "values": values, "options": search_options(), "errors": errors.0, "error_map": errors.map(),
            "searched": searched, "results": results, "total": total, "total_words": present::count(total as u64),
            "page": page_number, "pages": pages,
            "previous": (page_number > 1).then(|| link(page_number - 1)),
            "next": (page_number < pages).then(|| link(page_number + 1)),
            "categories": Category::ALL.map(|c| json!({"href": format!("/local-offer?category={}", c.key()), "label": c.label(), "description": c.description()})),
        }),
    );
    Ok((status, Html(render("local_offer_search.html", &context)?)).into_response())
}

fn parse_id(text: &str) -> Result<ServiceId, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

/// A service's details as rows for the page and the diff.
fn detail_rows(l: &Listing) -> Vec<Value> {
    let s = &l.service;
    let mut rows = vec![
        json!({"key": "Who it is for", "value": ages_words(s.ages)}),
        json!({"key": "Suitable for", "value": if s.needs.is_empty() { "Every need".to_owned() } else { s.needs.iter().map(|n| need_words(*n)).collect::<Vec<_>>().join(", ") }}),
        json!({"key": "Cost", "value": if s.cost_detail.is_empty() { s.cost.label().to_owned() } else { format!("{}: {}", s.cost.label(), s.cost_detail) }}),
        json!({"key": "How to access", "value": s.access.label()}),
        json!({"key": "Wheelchair access", "value": if s.wheelchair_access { "Yes" } else { "No, or not known" }}),
        json!({"key": "Sensory-friendly", "value": if s.sensory_friendly { "Yes" } else { "No, or not known" }}),
        json!({"key": "Autism-friendly hours", "value": s.autism_friendly_hours.clone().unwrap_or_else(|| "None listed".into())}),
        json!({"key": "Languages", "value": std::iter::once("English").chain(s.languages.iter().map(String::as_str)).collect::<Vec<_>>().join(", ")}),
    ];
    if !s.eligibility.is_empty() {
        rows.push(json!({"key": "Who can use it", "value": s.eligibility}));
    }
    rows
}

async fn service_page(
    State(state): State<AppState>,
    MaybeSigned(signed): MaybeSigned,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let snapshot = state.local_offer.snapshot(&state.store).await?;
    let listing = snapshot.listing(id).filter(|l| l.service.active).ok_or(AppError::NotFound)?;
    state.local_offer.count(state.clock.as_ref(), DirectoryEvent::View { service: id });
    let s = &listing.service;
    let today = state.clock.today();
    let context = public_context(
        &signed,
        &s.name,
        json!({
            "service": {
                "id": s.id, "name": s.name, "organisation": listing.organisation_name, "description": s.description,
                "categories": s.categories.iter().map(|c| c.label()).collect::<Vec<_>>(),
                "email": s.email, "phone": s.phone, "website": s.website,
                "openings": openings_words(s).lines().map(str::to_owned).collect::<Vec<_>>(),
            },
            "rows": detail_rows(listing),
            "locations": listing.locations.iter().map(|l| json!({"name": l.name, "address": l.address, "town": l.town, "postcode": l.postcode.as_str()})).collect::<Vec<_>>(),
            "last_checked": long_date(listing.last_checked),
            "stale": is_stale(listing.last_checked, today),
            "fresh_months": FRESH_FOR_MONTHS,
            // The feedback form's `about` is a path on this service: the annual report counts it by service.
            "feedback": format!("/feedback?about={}", waymark_directory::report::feedback_about(s.id)),
        }),
    );
    Ok(Html(render("local_offer_service.html", &context)?).into_response())
}

// ---- Providers ----------------------------------------------------------------------------------

pub(crate) async fn provider_org(state: &AppState, signed: &Signed) -> Result<waymark_directory::OrganisationId, AppError> {
    signed.access.require(Can::KeepListings)?;
    state.store.provider_organisation(signed.user().id).await?.ok_or(AppError::Forbidden)
}

async fn provider_page(State(state): State<AppState>, signed: Signed, RawQuery(query): RawQuery) -> Result<Response, AppError> {
    let org = provider_org(&state, &signed).await?;
    let raw = FormData::parse(&Bytes::from(query.unwrap_or_default()));
    let today = state.clock.today();
    let listings = state.store.organisation_listings(org).await?;
    let snapshot = state.local_offer.snapshot(&state.store).await?;
    let org_name = snapshot.published.organisations.get(&org).map(|o| o.name.clone()).unwrap_or_default();
    let rows: Vec<Value> = listings
        .iter()
        .map(|l| {
            let pending = l.latest_change.as_ref().filter(|c| c.status == ChangeStatus::Pending);
            let rejected = l.latest_change.as_ref().filter(|c| c.status == ChangeStatus::Rejected);
            json!({
                "id": l.service.id, "name": l.service.name, "last_checked": long_date(l.last_checked),
                "stale": is_stale(l.last_checked, today),
                "pending": pending.is_some(),
                "rejected_reason": rejected.and_then(|c| c.reason.clone()),
            })
        })
        .collect();
    let stale = rows.iter().filter(|r| r["stale"] == true).count();
    let new_services: Vec<Value> = state
        .store
        .changes(ChangeStatus::Pending)
        .await?
        .iter()
        .filter(|c| c.organisation == org && c.base_version.is_none())
        .map(|c| json!({"name": c.proposed.name, "sent": long_date(c.proposed_at.date_naive())}))
        .collect();
    let context = page(
        &signed,
        "Your Local Offer listings",
        "/local-offer/provider",
        json!({"organisation": org_name, "rows": rows, "stale": stale, "fresh_months": FRESH_FOR_MONTHS, "new_services": new_services,
               "sent": raw.get("sent") == "1", "confirmed": raw.get("confirmed") == "1"}),
    );
    Ok(Html(render("local_offer_provider.html", &context)?).into_response())
}

pub(crate) fn edit_values(s: &Service) -> Value {
    json!({
        "name": s.name, "description": s.description,
        "categories": s.categories.iter().map(|c| c.key()).collect::<Vec<_>>(),
        "min_age": s.ages.min.to_string(), "max_age": s.ages.max.to_string(),
        "needs": s.needs.iter().map(|n| need_key(*n)).collect::<Vec<_>>(),
        "cost": s.cost.key(), "cost_detail": s.cost_detail, "access": s.access.key(),
        "details": ([s.wheelchair_access.then_some("wheelchair"), s.sensory_friendly.then_some("sensory")].into_iter().flatten().collect::<Vec<_>>()),
        "autism_friendly_hours": s.autism_friendly_hours.clone().unwrap_or_default(),
        "languages": s.languages.join(", "), "eligibility": s.eligibility,
        "email": s.email.clone().unwrap_or_default(), "phone": s.phone.clone().unwrap_or_default(),
        "website": s.website.clone().unwrap_or_default(),
        "active": if s.active { "yes" } else { "no" },
    })
}

pub(crate) fn edit_options() -> Value {
    json!({
        "categories": Category::ALL.map(|c| json!({"value": c.key(), "text": c.label()})),
        "needs": NEEDS.map(|n| json!({"value": need_key(n), "text": need_words(n)})),
        "costs": Cost::ALL.map(|c| json!({"value": c.key(), "text": c.label()})),
        "access": AccessRoute::ALL.map(|a| json!({"value": a.key(), "text": a.label()})),
        "details": [json!({"value": "wheelchair", "text": "Wheelchair accessible"}), json!({"value": "sensory", "text": "Sensory-friendly"})],
        "active": [json!({"value": "yes", "text": "Yes, it is running"}), json!({"value": "no", "text": "No, it has stopped"})],
    })
}

async fn render_edit(
    signed: &Signed,
    s: &Service,
    values: Value,
    version: i64,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let context = page(
        signed,
        &format!("Change {}", s.name),
        "/local-offer/provider",
        json!({"id": s.id, "name": s.name, "values": values, "version": version, "options": edit_options(), "errors": errors.0, "error_map": errors.map()}),
    );
    Ok((status, Html(render("local_offer_edit.html", &context)?)).into_response())
}

async fn owned_listing(state: &AppState, signed: &Signed, id: &str) -> Result<waymark_storage::ProviderListing, AppError> {
    let org = provider_org(state, signed).await?;
    let id = parse_id(id)?;
    state.store.organisation_listings(org).await?.into_iter().find(|l| l.service.id == id).ok_or(AppError::NotFound)
}

async fn edit_page(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    let listing = owned_listing(&state, &signed, &id).await?;
    // Start from the pending proposal, if there is one, so a provider carries on where they left off.
    let base = listing.latest_change.as_ref().filter(|c| c.status == ChangeStatus::Pending).map_or(&listing.service, |c| &c.proposed);
    render_edit(&signed, &listing.service, edit_values(base), listing.version, &Errors::default(), StatusCode::OK).await
}

/// Read the edit form into a changed service; every problem names its field.
pub(crate) fn read_edit(form: &FormData, current: &Service, errors: &mut Errors) -> Service {
    let mut s = current.clone();
    s.name = form.get("name");
    s.description = form.get("description");
    s.categories = form.all("categories").iter().filter_map(|c| Category::parse(c)).collect();
    let age = |name: &str, errors: &mut Errors| match form.get(name).parse::<u8>() {
        Ok(a) if a <= 25 => Some(a),
        _ => {
            errors.add(name, name, "Enter an age in years from 0 to 25");
            None
        }
    };
    let (min, max) = (age("min_age", errors), age("max_age", errors));
    if let (Some(min), Some(max)) = (min, max) {
        s.ages = Ages { min, max };
    }
    s.needs = form.all("needs").iter().filter_map(|n| parse_need(n)).collect();
    match Cost::parse(&form.get("cost")) {
        Some(c) => s.cost = c,
        None => errors.add("cost", "cost", "Choose what the service costs"),
    }
    s.cost_detail = form.get("cost_detail");
    match AccessRoute::parse(&form.get("access")) {
        Some(a) => s.access = a,
        None => errors.add("access", "access", "Choose how families get the service"),
    }
    let details = form.all("details");
    s.wheelchair_access = details.iter().any(|d| d == "wheelchair");
    s.sensory_friendly = details.iter().any(|d| d == "sensory");
    let hours = form.get("autism_friendly_hours");
    s.autism_friendly_hours = (!hours.is_empty()).then_some(hours);
    s.languages = form.get("languages").split(',').map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    s.eligibility = form.get("eligibility");
    let opt = |name: &str| Some(form.get(name)).filter(|v| !v.is_empty());
    s.email = opt("email");
    s.phone = opt("phone");
    s.website = opt("website");
    s.active = !matches!(form.get("active").as_str(), "no");
    for e in s.check() {
        let href = match e.field {
            "min_age" | "max_age" => e.field,
            "categories" => "categories",
            other => other,
        };
        if !errors.0.iter().any(|x| x.field == e.field) {
            errors.add(e.field, href, e.reason);
        }
    }
    s
}

async fn edit_save(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let listing = owned_listing(&state, &signed, &id).await?;
    let mut errors = Errors::default();
    let proposed = read_edit(&form, &listing.service, &mut errors);
    let version = form.get("version").parse::<i64>().unwrap_or(listing.version);
    if !errors.is_empty() {
        let mut values = edit_values(&proposed);
        for key in ["min_age", "max_age"] {
            values[key] = json!(form.get(key));
        }
        return render_edit(&signed, &listing.service, values, version, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if proposed == listing.service {
        errors.add("name", "name", "Nothing has changed. Change a detail, or go back to your listings");
        return render_edit(&signed, &listing.service, edit_values(&proposed), version, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match state.store.propose_change(&signed.access.actor(), &proposed, Some(version)).await {
        Ok(_) => Ok(see_other("/local-offer/provider?sent=1")),
        Err(e @ StoreError::Conflict { .. }) => {
            errors.add(
                "name",
                "name",
                crate::messages::store_error(&e).unwrap_or_else(|| "The listing changed while you were editing it".into()),
            );
            render_edit(&signed, &listing.service, edit_values(&proposed), listing.version, &errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn confirm(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let org = provider_org(&state, &signed).await?;
    state.store.confirm_service(&signed.access.actor(), org, parse_id(&id)?, state.clock.today()).await?;
    Ok(see_other("/local-offer/provider?confirmed=1"))
}

// ---- Officers -----------------------------------------------------------------------------------

async fn changes_page(State(state): State<AppState>, signed: Signed, RawQuery(query): RawQuery) -> Result<Response, AppError> {
    signed.access.require(Can::ApproveListings)?;
    let raw = FormData::parse(&Bytes::from(query.unwrap_or_default()));
    let snapshot = state.local_offer.snapshot(&state.store).await?;
    let pending = state.store.changes(ChangeStatus::Pending).await?;
    let rows: Vec<Value> = pending
        .iter()
        .map(|c| {
            json!({
                "href": format!("/local-offer/changes/{}", c.change_id),
                "name": c.proposed.name,
                "organisation": snapshot.published.organisations.get(&c.organisation).map(|o| o.name.clone()).unwrap_or_default(),
                "kind": if c.base_version.is_some() { "Change" } else { "New service" },
                "sent": long_date(c.proposed_at.date_naive()),
            })
        })
        .collect();
    let today = state.clock.today();
    let stale = snapshot.published.listings.iter().filter(|l| l.service.active && is_stale(l.last_checked, today)).count();
    let context = page(
        &signed,
        "Local Offer changes to approve",
        "/local-offer/changes",
        json!({"rows": rows, "stale": stale, "stale_words": present::count(stale as u64), "fresh_months": FRESH_FOR_MONTHS,
               "decided": raw.get("decided")}),
    );
    Ok(Html(render("local_offer_changes.html", &context)?).into_response())
}

async fn render_change(
    state: &AppState,
    signed: &Signed,
    id: uuid::Uuid,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let change = state.store.change(id).await?;
    let snapshot = state.local_offer.snapshot(&state.store).await?;
    let before = snapshot.listing(change.service_id).map(|l| l.service.clone());
    let mut names: std::collections::HashMap<_, _> =
        snapshot.published.listings.iter().flat_map(|l| l.locations.iter().map(|loc| (loc.id, loc.name.clone()))).collect();
    // A new venue the change brings is named with its address, for the officer to check.
    for loc in &change.new_locations {
        names.insert(
            loc.id,
            format!("{} (new venue: {}, {} {})", loc.name, loc.address, loc.town, loc.postcode.as_str()).replace("  ", " "),
        );
    }
    let location_name = |id: &waymark_directory::LocationId| names.get(id).cloned().unwrap_or_else(|| "A place not yet listed".into());
    let changes = diff(before.as_ref(), &change.proposed, &location_name);
    let context = page(
        signed,
        &format!("Change to {}", change.proposed.name),
        "/local-offer/changes",
        json!({
            "id": change.change_id, "name": change.proposed.name, "status": change.status.label(), "pending": change.status == ChangeStatus::Pending,
            "reason": change.reason, "new_service": before.is_none(),
            "organisation": snapshot.published.organisations.get(&change.organisation).map(|o| o.name.clone()).unwrap_or_default(),
            "sent": long_date(change.proposed_at.date_naive()),
            "changes": changes, "errors": errors.0, "error_map": errors.map(),
            "outcomes": [json!({"value": "approve", "text": "Approve: publish the change"}), json!({"value": "reject", "text": "Reject: send it back to the provider"})],
        }),
    );
    Ok((status, Html(render("local_offer_change.html", &context)?)).into_response())
}

async fn change_page(State(state): State<AppState>, signed: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    signed.access.require(Can::ApproveListings)?;
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    render_change(&state, &signed, id, &Errors::default(), StatusCode::OK).await
}

async fn decide(State(state): State<AppState>, signed: Signed, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::ApproveListings)?;
    let id: uuid::Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let decision = match Decision::parse(&form.get("outcome"), &form.get("reason")) {
        Ok(d) => d,
        Err(e) => {
            let mut errors = Errors::default();
            errors.add(e.field, e.field, e.reason);
            return render_change(&state, &signed, id, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match state.store.decide_change(&signed.access.actor(), id, &decision, state.clock.today()).await {
        Ok(c) => Ok(see_other(&format!("/local-offer/changes?decided={}", c.status.key()))),
        Err(e @ (StoreError::Conflict { .. } | StoreError::Invalid(_))) => {
            let mut errors = Errors::default();
            errors.add(
                "outcome",
                "outcome",
                crate::messages::store_error(&e).unwrap_or_else(|| "This change cannot be decided now".into()),
            );
            render_change(&state, &signed, id, &errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}
