//! The Local Offer as Open Referral UK 3.0 (HSDS 3.0 with the UK profile): each record mapped to the
//! JSON the spec's schemas describe, and the paged list envelope. Empty optional fields are left out
//! rather than sent as null (the UK profile's advice). Ids of the records ORUK nests inside a service
//! (schedules, contacts, cost options, languages, attributes, addresses, service-at-locations) are
//! derived from the service's and location's ids, so they are UUIDs and stay the same between calls.

use crate::model::{AccessRoute, Cost, Location, LocationId, Organisation, ServiceId};
use crate::search::Listing;
use crate::taxonomy::{need_term_id, need_words, SendDetail, Taxonomy, Term};
use chrono::{DateTime, Utc, Weekday};
use serde::Serialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// `GET /`: the API's description.
pub const VERSION: &str = "HSDS-UK-3.0";
pub const PROFILE: &str = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md";
pub const OPENAPI_URL: &str = "https://docs.openreferraluk.org/en/latest/openapi30.json";

pub fn api_details() -> Value {
    json!({"version": VERSION, "profile": PROFILE, "openapi_url": OPENAPI_URL})
}

/// A UUID derived from `base` and a salt (a record nested in another), shaped as version 4.
pub fn derived(base: Uuid, salt: u128) -> Uuid {
    let mixed = base.as_u128().rotate_left(17) ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
    // Version 4, RFC 4122 variant.
    Uuid::from_u128((mixed & !(0xF << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62))
}

/// The id of a service at a location.
pub fn service_at_location_id(service: ServiceId, location: LocationId) -> Uuid {
    derived(service.0, location.0.as_u128())
}

fn insert_some(map: &mut Map<String, Value>, key: &str, value: Option<impl Serialize>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), json!(v));
    }
}

fn nonempty(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

pub fn organisation(o: &Organisation) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(o.id));
    m.insert("name".into(), json!(o.name));
    m.insert("description".into(), json!(o.description));
    insert_some(&mut m, "email", o.email.as_deref());
    insert_some(&mut m, "website", o.website.as_deref());
    Value::Object(m)
}

pub fn location(l: &Location) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(l.id));
    m.insert("location_type".into(), json!("physical"));
    m.insert("name".into(), json!(l.name));
    if let Some(c) = l.coordinates {
        m.insert("latitude".into(), json!(c.latitude));
        m.insert("longitude".into(), json!(c.longitude));
    }
    m.insert(
        "addresses".into(),
        json!([{
            "id": derived(l.id.0, 1),
            "location_id": l.id,
            "address_1": l.address,
            "city": l.town,
            "state_province": "England",
            "postal_code": l.postcode.as_str(),
            "country": "GB",
            "address_type": "physical",
        }]),
    );
    Value::Object(m)
}

fn byday(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

pub fn taxonomy_term(t: &Term) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "description": t.description,
        "taxonomy": t.taxonomy.name(),
        "taxonomy_id": t.taxonomy.id(),
        "term": t.code,
    })
}

pub fn taxonomy(t: Taxonomy, with_terms: bool) -> Value {
    let mut v = json!({"id": t.id(), "name": t.name(), "description": t.description(), "version": "1"});
    if with_terms {
        v["taxonomy_terms"] = Value::Array(t.terms().iter().map(taxonomy_term).collect());
    }
    v
}

/// A service with what ORUK nests inside it. `full` adds the organisation, locations, schedules,
/// contacts, cost options, languages and taxonomy attributes (the `/services/{id}` shape).
pub fn service(l: &Listing, organisation_record: Option<&Organisation>, last_modified: DateTime<Utc>, full: bool) -> Value {
    let s = &l.service;
    let mut m = Map::new();
    m.insert("id".into(), json!(s.id));
    m.insert("organization_id".into(), json!(s.organisation));
    m.insert("name".into(), json!(s.name));
    m.insert("description".into(), json!(s.description));
    insert_some(&mut m, "url", s.website.as_deref());
    insert_some(&mut m, "email", s.email.as_deref());
    m.insert("status".into(), json!(if s.active { "active" } else { "inactive" }));
    insert_some(&mut m, "fees", nonempty(&s.cost_detail));
    m.insert("minimum_age".into(), json!(s.ages.min));
    m.insert("maximum_age".into(), json!(s.ages.max));
    insert_some(&mut m, "eligibility_description", nonempty(&s.eligibility));
    m.insert("application_process".into(), json!(s.access.label()));
    m.insert("assured_date".into(), json!(l.last_checked.format("%Y-%m-%d").to_string()));
    m.insert("last_modified".into(), json!(last_modified.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
    // SEND details ORUK has no field for: terms of the "Local Offer SEND details" taxonomy.
    let details: Vec<SendDetail> = [
        (s.wheelchair_access, SendDetail::Wheelchair),
        (s.sensory_friendly, SendDetail::SensoryFriendly),
        (s.autism_friendly_hours.is_some(), SendDetail::AutismFriendlyHours),
        (s.access != AccessRoute::DropIn, SendDetail::ByReferral),
        (s.access != AccessRoute::Referral, SendDetail::DropIn),
    ]
    .into_iter()
    .filter_map(|(on, d)| on.then_some(d))
    .collect();
    let mut attributes: Vec<Value> = s
        .categories
        .iter()
        .map(|c| (c.term_id(), c.label(), c.key(), None))
        .chain(s.needs.iter().map(|n| (need_term_id(*n), need_words(*n), n.code(), None)))
        .chain(details.iter().map(|d| {
            let value = (*d == SendDetail::AutismFriendlyHours).then(|| s.autism_friendly_hours.clone()).flatten();
            (d.term_id(), d.label(), d.key(), value)
        }))
        .map(|(term, name, code, value)| {
            let mut a = json!({
                "id": derived(s.id.0, term.as_u128()),
                "link_id": s.id,
                "taxonomy_term_id": term,
                "link_type": "service",
                "taxonomy_term": {"id": term, "name": name, "description": name, "term": code},
            });
            if let Some(v) = value {
                a["value"] = json!(v);
            }
            a
        })
        .collect();
    if !full {
        attributes.iter_mut().for_each(|a| {
            a.as_object_mut().map(|o| o.remove("taxonomy_term"));
        });
    }
    m.insert("attributes".into(), Value::Array(attributes));
    if full {
        if let Some(o) = organisation_record {
            m.insert("organization".into(), organisation(o));
        }
        let sals: Vec<Value> = l
            .locations
            .iter()
            .map(|loc| json!({"id": service_at_location_id(s.id, loc.id), "service_id": s.id, "location_id": loc.id, "location": location(loc)}))
            .collect();
        m.insert("service_at_locations".into(), Value::Array(sals));
        let schedules: Vec<Value> = s
            .openings
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let mut v = json!({
                    "id": derived(s.id.0, 100 + i as u128),
                    "service_id": s.id,
                    "freq": "WEEKLY",
                    "interval": 1,
                    "byday": byday(o.day),
                    "opens_at": o.opens.format("%H:%M:%S").to_string(),
                    "closes_at": o.closes.format("%H:%M:%S").to_string(),
                });
                if !o.note.is_empty() {
                    v["description"] = json!(o.note);
                }
                v
            })
            .collect();
        m.insert("schedules".into(), Value::Array(schedules));
        let mut cost = json!({"id": derived(s.id.0, 200), "service_id": s.id, "option": s.cost.label()});
        if s.cost == Cost::Free {
            cost["amount"] = json!(0);
        }
        if let Some(d) = nonempty(&s.cost_detail) {
            cost["amount_description"] = json!(d);
        }
        m.insert("cost_options".into(), json!([cost]));
        let languages: Vec<Value> = std::iter::once("English")
            .chain(s.languages.iter().map(String::as_str))
            .enumerate()
            .map(|(i, name)| json!({"id": derived(s.id.0, 300 + i as u128), "service_id": s.id, "name": name}))
            .collect();
        m.insert("languages".into(), Value::Array(languages));
        if let Some(phone) = &s.phone {
            m.insert(
                "contacts".into(),
                json!([{"id": derived(s.id.0, 400), "service_id": s.id, "name": "Enquiries",
                        "phones": [{"id": derived(s.id.0, 401), "number": phone}]}]),
            );
        }
    }
    Value::Object(m)
}

/// Page and page size of a list, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: usize,
    pub per_page: usize,
}

pub const DEFAULT_PER_PAGE: usize = 50;
pub const MAX_PER_PAGE: usize = 500;

impl Paging {
    /// Read `page` (from 1) and `per_page` (1 to 500); the error names the parameter.
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, crate::FieldError> {
        let page = match page.map(str::trim).filter(|s| !s.is_empty()) {
            None => 1,
            Some(p) => p
                .parse::<usize>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| crate::FieldError::new("page", "must be a whole number from 1"))?,
        };
        let per_page = match per_page.map(str::trim).filter(|s| !s.is_empty()) {
            None => DEFAULT_PER_PAGE,
            Some(p) => p
                .parse::<usize>()
                .ok()
                .filter(|p| (1..=MAX_PER_PAGE).contains(p))
                .ok_or_else(|| crate::FieldError::new("per_page", format!("must be a whole number from 1 to {MAX_PER_PAGE}")))?,
        };
        Ok(Self { page, per_page })
    }

    /// The range of items this page holds out of `total`.
    pub fn range(self, total: usize) -> std::ops::Range<usize> {
        let start = (self.page - 1).saturating_mul(self.per_page).min(total);
        start..(start + self.per_page).min(total)
    }
}

/// The paged list envelope (`total_items`, `total_pages`, `page_number`, `size`, `first_page`,
/// `last_page`, `empty`, `contents`).
pub fn page(contents: Vec<Value>, total_items: usize, paging: Paging) -> Value {
    let total_pages = total_items.div_ceil(paging.per_page).max(1);
    json!({
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": paging.page,
        "size": paging.per_page,
        "first_page": paging.page == 1,
        "last_page": paging.page >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_version_4_distinct_and_stable() {
        let base = Uuid::from_u128(0x1234_5678_9abc_4def_8123_4567_89ab_cdef);
        let a = derived(base, 1);
        assert_eq!(a, derived(base, 1));
        assert_ne!(a, derived(base, 2));
        assert_eq!(a.get_version_num(), 4);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
    }

    #[test]
    fn the_envelope_counts_pages_and_marks_the_first_and_last() {
        let paging = Paging::parse(Some("2"), Some("10")).unwrap();
        assert_eq!(paging.range(25), 10..20);
        let v = page(vec![json!({}); 10], 25, paging);
        assert_eq!((v["total_pages"].as_u64(), v["first_page"].as_bool(), v["last_page"].as_bool()), (Some(3), Some(false), Some(false)));
        let last = Paging::parse(Some("9"), None).unwrap();
        assert_eq!(last.range(25), 25..25);
        assert_eq!(page(vec![], 25, last)["empty"], true);
        assert_eq!(Paging::parse(Some("0"), None).unwrap_err().field, "page");
        assert_eq!(Paging::parse(None, Some("501")).unwrap_err().field, "per_page");
    }
}
