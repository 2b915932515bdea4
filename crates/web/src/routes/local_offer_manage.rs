//! Adding to the Local Offer (issue 15): a new service, and which organisation a provider's account
//! keeps listings for.
//!
//! * `/local-offer/new-service`: a service provider adds a service for its own organisation; a Local
//!   Offer officer (or SEND manager) adds one for any organisation, chosen from a list. Either way the
//!   new service waits in the approval queue like a change, and families see it only once it is
//!   approved. Its venues are chosen from the organisation's venues already in the directory, and it may
//!   bring one new venue (name, address, town, postcode: its location is the postcode directory's),
//!   published with the service when the officer approves it.
//! * `/local-offer/providers`: a Local Offer officer or an administrator ties a service provider's
//!   account to its organisation, both chosen from lists (organisations narrowed by a name search).

use crate::access::Can;
use crate::error::AppError;
use crate::forms::{Errors, FormData};
use crate::routes::cases::see_other;
use crate::routes::local_offer::{edit_options, edit_values, provider_org, read_edit};
use crate::session::Signed;
use crate::templates::{page, render};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use waymark_directory::{Location, LocationId, OrganisationId, Service, ServiceId};
use waymark_storage::{DirectoryStore, Role, UserStore};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/local-offer/new-service", get(new_page).post(new_save))
        .route("/local-offer/providers", get(providers_page).post(link_save))
}

/// Who is adding: a provider for its own organisation, or an officer for any.
enum Adder {
    Provider(OrganisationId),
    Officer,
}

async fn adder(state: &AppState, signed: &Signed) -> Result<Adder, AppError> {
    if signed.access.can(Can::KeepListings) {
        Ok(Adder::Provider(provider_org(state, signed).await?))
    } else {
        signed.access.require(Can::ApproveListings)?;
        Ok(Adder::Officer)
    }
}

/// Organisations by name, as select options.
fn organisation_options(orgs: &BTreeMap<String, OrganisationId>, none: &str) -> Vec<Value> {
    std::iter::once(json!({"value": "", "text": none}))
        .chain(orgs.iter().map(|(name, id)| json!({"value": id.to_string(), "text": name})))
        .collect()
}

async fn organisations(state: &AppState) -> Result<BTreeMap<String, OrganisationId>, AppError> {
    let snapshot = state.local_offer.snapshot(&state.store).await?;
    Ok(snapshot.published.organisations.values().map(|o| (o.name.clone(), o.id)).collect())
}

/// The venues an organisation's published services use, by name: the choices for a new service.
async fn venues(state: &AppState, org: Option<OrganisationId>) -> Result<Vec<(LocationId, String)>, AppError> {
    let Some(org) = org else { return Ok(Vec::new()) };
    let snapshot = state.local_offer.snapshot(&state.store).await?;
    let mut out: BTreeMap<LocationId, String> = BTreeMap::new();
    for l in snapshot.published.listings.iter().filter(|l| l.service.organisation == org) {
        for loc in &l.locations {
            out.insert(loc.id, format!("{}, {}, {}", loc.name, loc.address, loc.postcode.as_str()));
        }
    }
    let mut v: Vec<(LocationId, String)> = out.into_iter().collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(v)
}

#[allow(clippy::too_many_arguments)]
async fn render_new(
    state: &AppState,
    signed: &Signed,
    adder: &Adder,
    chosen_org: Option<OrganisationId>,
    values: Value,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let orgs = organisations(state).await?;
    let (org_name, org_options) = match adder {
        Adder::Provider(id) => (orgs.iter().find(|(_, o)| *o == id).map(|(n, _)| n.clone()), Vec::new()),
        Adder::Officer => (
            chosen_org.and_then(|c| orgs.iter().find(|(_, o)| **o == c).map(|(n, _)| n.clone())),
            organisation_options(&orgs, "Choose an organisation"),
        ),
    };
    let venue_options: Vec<Value> =
        venues(state, chosen_org).await?.into_iter().map(|(id, text)| json!({"value": id.to_string(), "text": text})).collect();
    let back = match adder {
        Adder::Provider(_) => ("/local-offer/provider", "Back to your listings"),
        Adder::Officer => ("/local-offer/changes", "Back to Local Offer changes"),
    };
    let context = page(
        signed,
        "Add a service to the Local Offer",
        back.0,
        json!({
            "values": values, "options": edit_options(), "errors": errors.0, "error_map": errors.map(),
            "organisation_name": org_name, "organisation_options": org_options,
            "organisation": chosen_org.map(|o| o.to_string()).unwrap_or_default(),
            "venue_options": venue_options, "back": back.0, "back_text": back.1,
        }),
    );
    Ok((status, Html(render("local_offer_new.html", &context)?)).into_response())
}

async fn new_page(State(state): State<AppState>, signed: Signed, RawQuery(query): RawQuery) -> Result<Response, AppError> {
    let adder = adder(&state, &signed).await?;
    let raw = FormData::parse(&Bytes::from(query.unwrap_or_default()));
    let orgs = organisations(&state).await?;
    // An officer may come with the organisation chosen (`?organisation=`), to pick its venues.
    let chosen = match adder {
        Adder::Provider(o) => Some(o),
        Adder::Officer => raw.get("organisation").parse::<OrganisationId>().ok().filter(|o| orgs.values().any(|x| x == o)),
    };
    let blank = Service::blank(ServiceId(uuid::Uuid::nil()), chosen.unwrap_or(OrganisationId(uuid::Uuid::nil())));
    let mut values = edit_values(&blank);
    values["categories"] = json!([]);
    render_new(&state, &signed, &adder, chosen, values, &Errors::default(), StatusCode::OK).await
}

async fn new_save(State(state): State<AppState>, signed: Signed, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let adder = adder(&state, &signed).await?;
    let mut errors = Errors::default();
    let orgs = organisations(&state).await?;
    let org = match adder {
        Adder::Provider(o) => Some(o),
        Adder::Officer => {
            let chosen = form.get("organisation").parse::<OrganisationId>().ok().filter(|o| orgs.values().any(|x| x == o));
            if chosen.is_none() {
                errors.add("organisation", "organisation", "Choose the organisation that runs the service");
            }
            chosen
        }
    };
    let id = ServiceId(uuid::Uuid::new_v4());
    let blank = Service::blank(id, org.unwrap_or(OrganisationId(uuid::Uuid::nil())));
    let mut service = read_edit(&form, &blank, &mut errors);
    service.active = true;
    let allowed = venues(&state, org).await?;
    for v in form.all("venues") {
        match v.parse::<LocationId>().ok().filter(|l| allowed.iter().any(|(a, _)| a == l)) {
            Some(l) if !service.locations.contains(&l) => service.locations.push(l),
            Some(_) => {}
            None => errors.add("venues", "venues", "Choose venues from the list"),
        }
    }
    let new_venue = new_venue(&state, &form, &mut errors).await?;
    if let Some(v) = &new_venue {
        service.locations.push(v.id);
    }
    if !errors.is_empty() {
        let mut values = edit_values(&service);
        for key in ["min_age", "max_age", "venue_name", "venue_address", "venue_town", "venue_postcode"] {
            values[key] = json!(form.get(key));
        }
        values["venues"] = json!(form.all("venues"));
        return render_new(&state, &signed, &adder, org, values, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    state.store.propose_with_venues(&signed.access.actor(), &service, None, new_venue.as_slice()).await?;
    Ok(see_other(match adder {
        Adder::Provider(_) => "/local-offer/provider?sent=1",
        Adder::Officer => "/local-offer/changes?decided=added",
    }))
}

/// The new venue typed on the form, if any, at its postcode's coordinates; a postcode the postcode
/// directory does not know is refused, since families could not find the venue by distance.
async fn new_venue(state: &AppState, form: &FormData, errors: &mut Errors) -> Result<Option<Location>, AppError> {
    let id = LocationId(uuid::Uuid::new_v4());
    let field = |k: &str| form.get(k);
    match Location::read_new(id, &field("venue_name"), &field("venue_address"), &field("venue_town"), &field("venue_postcode")) {
        Ok(None) => Ok(None),
        Ok(Some(mut venue)) => match state.store.postcode(&venue.postcode).await? {
            Some(c) => {
                venue.coordinates = Some(c);
                Ok(Some(venue))
            }
            None => {
                errors.add("venue_postcode", "venue_postcode", "We cannot find that postcode in the postcode directory. Check it");
                Ok(None)
            }
        },
        Err(problems) => {
            for p in problems {
                errors.add(p.field, p.field, p.reason);
            }
            Ok(None)
        }
    }
}

// ---- Provider accounts --------------------------------------------------------------------------

fn require_linker(signed: &Signed) -> Result<(), AppError> {
    if signed.access.can(Can::ApproveListings) || signed.access.can(Can::ManageUsers) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn render_providers(
    state: &AppState,
    signed: &Signed,
    search: &str,
    chosen: (&str, &str),
    errors: &Errors,
    status: StatusCode,
    linked: bool,
) -> Result<Response, AppError> {
    let orgs = organisations(state).await?;
    let accounts: Vec<_> =
        state.store.list_users(&signed.access.actor()).await?.into_iter().filter(|u| u.role == Role::ServiceProvider && u.active).collect();
    // Usernames are shown to administrators only (they are what a person signs in with).
    let show_usernames = signed.access.can(Can::ManageUsers);
    let mut rows = Vec::new();
    for u in &accounts {
        let org = state.store.provider_organisation(u.id).await?;
        let org_name = org.and_then(|o| orgs.iter().find(|(_, x)| **x == o).map(|(n, _)| n.clone()));
        rows.push(json!({"name": u.display_name, "username": show_usernames.then_some(&u.username), "organisation": org_name}));
    }
    let words = search.trim().to_lowercase();
    let matching: BTreeMap<String, OrganisationId> =
        orgs.into_iter().filter(|(name, _)| words.is_empty() || name.to_lowercase().contains(&words)).collect();
    let account_options: Vec<Value> = std::iter::once(json!({"value": "", "text": "Choose an account"}))
        .chain(accounts.iter().map(|u| {
            let text = if show_usernames { format!("{} ({})", u.display_name, u.username) } else { u.display_name.clone() };
            json!({"value": u.id.to_string(), "text": text})
        }))
        .collect();
    let context = page(
        signed,
        "Service provider accounts",
        "/local-offer/changes",
        json!({
            "rows": rows, "q": search, "matching": matching.len(),
            "account_options": account_options, "organisation_options": organisation_options(&matching, "Choose an organisation"),
            "show_usernames": show_usernames, "account": chosen.0, "organisation": chosen.1, "errors": errors.0, "error_map": errors.map(), "linked": linked,
        }),
    );
    Ok((status, Html(render("local_offer_providers.html", &context)?)).into_response())
}

async fn providers_page(State(state): State<AppState>, signed: Signed, RawQuery(query): RawQuery) -> Result<Response, AppError> {
    require_linker(&signed)?;
    let raw = FormData::parse(&Bytes::from(query.unwrap_or_default()));
    render_providers(&state, &signed, &raw.get("q"), ("", ""), &Errors::default(), StatusCode::OK, raw.get("linked") == "1").await
}

async fn link_save(State(state): State<AppState>, signed: Signed, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    require_linker(&signed)?;
    let (account, organisation) = (form.get("account"), form.get("organisation"));
    let mut errors = Errors::default();
    let accounts = state.store.list_users(&signed.access.actor()).await?;
    let user = account
        .parse::<waymark_domain::ids::UserId>()
        .ok()
        .filter(|id| accounts.iter().any(|u| u.id == *id && u.role == Role::ServiceProvider && u.active));
    if user.is_none() {
        errors.add("account", "account", "Choose a service provider's account");
    }
    let orgs = organisations(&state).await?;
    let org = organisation.parse::<OrganisationId>().ok().filter(|o| orgs.values().any(|x| x == o));
    if org.is_none() {
        errors.add("organisation", "organisation", "Choose the organisation whose listings the account keeps");
    }
    match (user, org) {
        (Some(user), Some(org)) => {
            state.store.set_provider_organisation(&signed.access.actor(), user, org).await?;
            Ok(see_other("/local-offer/providers?linked=1"))
        }
        _ => {
            render_providers(&state, &signed, &form.get("q"), (&account, &organisation), &errors, StatusCode::UNPROCESSABLE_ENTITY, false)
                .await
        }
    }
}
