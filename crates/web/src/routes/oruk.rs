//! The Local Offer as an Open Referral UK 3.0 API at `/api/oruk/`: public, read-only, GET only, open
//! to other sites (CORS). Only approved, active services appear. Lists are paged with `page` and
//! `per_page` in ORUK's envelope; `text` (or the spec's `search`), `taxonomy_term_id`, `postcode` and
//! `proximity` (metres from the postcode) filter services and services at locations. Unknown ids are
//! 404; unreadable parameters are 400 naming the parameter. The mapping is `waymark_directory::oruk`'s.

use crate::error::ApiError;
use crate::forms::FormData;
use crate::local_offer::Snapshot;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;
use uuid::Uuid;
use waymark_directory::oruk::{self, Paging};
use waymark_directory::search::MAX_MILES;
use waymark_directory::taxonomy::{all_terms, parse_need, SendDetail, Taxonomy};
use waymark_directory::{search_ranked, Category, Filters, Listing};
use waymark_domain::identifiers::Postcode;
use waymark_storage::DirectoryStore;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(details))
        .route("/services", get(services))
        .route("/services/{id}", get(service))
        .route("/organizations", get(organizations))
        .route("/organizations/{id}", get(organization))
        .route("/taxonomies", get(taxonomies))
        .route("/taxonomies/{id}", get(taxonomy))
        .route("/taxonomy_terms", get(taxonomy_terms))
        .route("/taxonomy_terms/{id}", get(taxonomy_term))
        .route("/service_at_locations", get(service_at_locations))
        .route("/service_at_locations/{id}", get(service_at_location))
        .fallback(|| async { ApiError::not_found() })
        .layer(axum::middleware::map_response(cors))
}

/// `GET /api/oruk/` (with or without the slash): the API's description.
pub async fn details() -> Response {
    cors(Json(oruk::api_details()).into_response()).await
}

/// Any site may read the API (it is public data); nothing but GET is offered.
async fn cors(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("cross-origin"));
    response
}

type ApiResult = Result<Response, ApiError>;

fn bad(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::field(StatusCode::BAD_REQUEST, "invalid_parameter", field, message)
}

fn query(raw: Option<String>) -> FormData {
    FormData::parse(&Bytes::from(raw.unwrap_or_default()))
}

fn paging(q: &FormData) -> Result<Paging, ApiError> {
    let get = |k: &str| q.0.get(k).and_then(|v| v.first()).map(String::as_str);
    Paging::parse(get("page"), get("per_page")).map_err(|e| bad(e.field, format!("{} {}", e.field, e.reason)))
}

fn uuid_param(text: &str) -> Result<Uuid, ApiError> {
    text.parse().map_err(|_| ApiError::not_found())
}

/// The service filters of a query: words, a taxonomy term (a category or a need), a postcode and a
/// distance in metres. `None` when the query can match nothing (a term this directory does not use).
fn filters(q: &FormData) -> Result<Option<Filters>, ApiError> {
    let mut f = Filters::default();
    let text = if q.get("text").is_empty() { q.get("search") } else { q.get("text") };
    if text.chars().count() > 200 {
        return Err(bad("text", "text must be 200 characters or fewer"));
    }
    f.text = (!text.is_empty()).then_some(text);
    let term = q.get("taxonomy_term_id");
    if !term.is_empty() {
        Uuid::parse_str(&term).map_err(|_| bad("taxonomy_term_id", "taxonomy_term_id must be a UUID"))?;
        match (Category::parse(&term), parse_need(&term), SendDetail::parse(&term)) {
            (Some(c), _, _) => f.category = Some(c),
            (None, Some(n), _) => f.need = Some(n),
            (None, None, Some(SendDetail::Wheelchair)) => f.wheelchair = true,
            (None, None, Some(SendDetail::SensoryFriendly)) => f.sensory = true,
            (None, None, Some(SendDetail::AutismFriendlyHours)) => f.autism_hours = true,
            (None, None, Some(SendDetail::ByReferral)) => f.access = Some(waymark_directory::AccessRoute::Referral),
            (None, None, Some(SendDetail::DropIn)) => f.access = Some(waymark_directory::AccessRoute::DropIn),
            (None, None, None) => return Ok(None),
        }
    }
    let postcode = q.get("postcode");
    let proximity = q.get("proximity");
    if !postcode.is_empty() {
        let p: Postcode = postcode.parse().map_err(|_| bad("postcode", "postcode must be a UK postcode, like PO1 2AB"))?;
        let miles = if proximity.is_empty() {
            MAX_MILES
        } else {
            let metres: f64 = proximity
                .parse()
                .ok()
                .filter(|m: &f64| *m > 0.0)
                .ok_or_else(|| bad("proximity", "proximity must be a distance in metres, more than 0"))?;
            (metres / 1_609.344).min(MAX_MILES)
        };
        f.near = Some((p, miles));
    } else if !proximity.is_empty() {
        return Err(bad("proximity", "proximity needs a postcode to measure from"));
    }
    Ok(Some(f))
}

/// The active services matching a query, nearest first when a postcode is given.
async fn matching<'a>(state: &AppState, snapshot: &'a Snapshot, q: &FormData) -> Result<Vec<&'a Listing>, ApiError> {
    let listings = &snapshot.published.listings;
    let Some(f) = filters(q)? else { return Ok(Vec::new()) };
    let text_hits = match &f.text {
        Some(t) => Some(snapshot.text_hits(&state.store, t).await?),
        None => None,
    };
    let origin = match &f.near {
        Some((p, _)) => state.store.postcode(p).await?,
        None => None,
    };
    Ok(search_ranked(listings, &snapshot.ranks, &f, text_hits.as_ref(), origin).into_iter().map(|h| &listings[h.index]).collect())
}

fn json(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

async fn services(State(state): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = query(raw);
    let paging = paging(&q)?;
    let snapshot = state.local_offer.snapshot(&state.store).await?;
    let found = matching(&state, &snapshot, &q).await?;
    let contents = found[paging.range(found.len())]
        .iter()
        .map(|l| oruk::service(l, snapshot.organisation(l), snapshot.last_modified(l.service.id), false))
        .collect();
    json(oruk::page(contents, found.len(), paging))
}

async fn service(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = uuid_param(&id)?;
    let snapshot = state.local_offer.snapshot(&state.store).await?;
    let l = snapshot.listing(waymark_directory::ServiceId(id)).filter(|l| l.service.active).ok_or_else(ApiError::not_found)?;
    json(oruk::service(l, snapshot.organisation(l), snapshot.last_modified(l.service.id), true))
}

async fn organizations(State(state): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = query(raw);
    let paging = paging(&q)?;
    let snapshot = state.local_offer.snapshot(&state.store).await?;
    let text = q.get("search").to_lowercase();
    let mut orgs: Vec<_> = snapshot
        .published
        .organisations
        .values()
        .filter(|o| snapshot.published.listings.iter().any(|l| l.service.active && l.service.organisation == o.id))
        .filter(|o| text.is_empty() || o.name.to_lowercase().contains(&text))
        .collect();
    orgs.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let contents = orgs[paging.range(orgs.len())].iter().map(|o| oruk::organisation(o)).collect();
    json(oruk::page(contents, orgs.len(), paging))
}

async fn organization(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = waymark_directory::OrganisationId(uuid_param(&id)?);
    let snapshot = state.local_offer.snapshot(&state.store).await?;
    let o = snapshot
        .published
        .organisations
        .get(&id)
        .filter(|o| snapshot.published.listings.iter().any(|l| l.service.active && l.service.organisation == o.id))
        .ok_or_else(ApiError::not_found)?;
    json(oruk::organisation(o))
}

async fn taxonomies(RawQuery(raw): RawQuery) -> ApiResult {
    let q = query(raw);
    let paging = paging(&q)?;
    let all: Vec<Value> = Taxonomy::ALL.into_iter().map(|t| oruk::taxonomy(t, false)).collect();
    let total = all.len();
    json(oruk::page(all[paging.range(total)].to_vec(), total, paging))
}

async fn taxonomy(Path(id): Path<String>) -> ApiResult {
    let id = uuid_param(&id)?;
    let t = Taxonomy::ALL.into_iter().find(|t| t.id() == id).ok_or_else(ApiError::not_found)?;
    json(oruk::taxonomy(t, true))
}

async fn taxonomy_terms(RawQuery(raw): RawQuery) -> ApiResult {
    let q = query(raw);
    let paging = paging(&q)?;
    let taxonomy = q.get("taxonomy_id");
    let text = q.get("search").to_lowercase();
    let terms: Vec<Value> = all_terms()
        .iter()
        .filter(|t| taxonomy.is_empty() || t.taxonomy.id().to_string() == taxonomy.to_lowercase())
        .filter(|t| text.is_empty() || t.name.to_lowercase().contains(&text))
        .map(oruk::taxonomy_term)
        .collect();
    let total = terms.len();
    json(oruk::page(terms[paging.range(total)].to_vec(), total, paging))
}

async fn taxonomy_term(Path(id): Path<String>) -> ApiResult {
    let id = uuid_param(&id)?;
    let t = all_terms().into_iter().find(|t| t.id == id).ok_or_else(ApiError::not_found)?;
    json(oruk::taxonomy_term(&t))
}

fn service_at_location_value(l: &Listing, loc: &waymark_directory::Location, snapshot: &crate::local_offer::Snapshot) -> Value {
    serde_json::json!({
        "id": oruk::service_at_location_id(l.service.id, loc.id),
        "service_id": l.service.id,
        "location_id": loc.id,
        "location": oruk::location(loc),
        "service": oruk::service(l, snapshot.organisation(l), snapshot.last_modified(l.service.id), false),
    })
}

async fn service_at_locations(State(state): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = query(raw);
    let paging = paging(&q)?;
    let snapshot = state.local_offer.snapshot(&state.store).await?;
    let found = matching(&state, &snapshot, &q).await?;
    let pairs: Vec<_> = found.iter().flat_map(|l| l.locations.iter().map(move |loc| (*l, loc))).collect();
    let contents = pairs[paging.range(pairs.len())].iter().map(|(l, loc)| service_at_location_value(l, loc, &snapshot)).collect();
    json(oruk::page(contents, pairs.len(), paging))
}

async fn service_at_location(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = uuid_param(&id)?;
    let snapshot = state.local_offer.snapshot(&state.store).await?;
    for l in snapshot.published.listings.iter().filter(|l| l.service.active) {
        for loc in &l.locations {
            if oruk::service_at_location_id(l.service.id, loc.id) == id {
                return json(service_at_location_value(l, loc, &snapshot));
            }
        }
    }
    Err(ApiError::not_found())
}
