//! Searching the Local Offer: the filters a family sets on `/local-offer` (and the ORUK API's), read
//! from the query string once ([`SearchForm::parse`]) into typed [`Filters`], then applied to the
//! published listings ([`search`]). Full-text matching is the store's (SQLite FTS5); everything else,
//! distance included, is decided here.

use crate::model::{AccessRoute, Coordinates, Cost, FieldError, Location, Service, ServiceId};
use crate::taxonomy::{parse_need, Category};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use waymark_domain::identifiers::Postcode;
use waymark_domain::need::NeedCode;

/// The earth's mean radius in miles (IUGG mean radius 6,371.0088 km).
const EARTH_RADIUS_MILES: f64 = 3_958.761;

/// The great-circle distance between two points in miles, by the haversine formula. Good to well
/// under 0.5% for the distances a family travels (the earth is not quite a sphere).
pub fn miles_between(a: Coordinates, b: Coordinates) -> f64 {
    let (lat1, lat2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.longitude - a.longitude).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_MILES * h.sqrt().min(1.0).asin()
}

/// How far a family will travel, in miles, when they give a postcode but no distance.
pub const DEFAULT_MILES: f64 = 5.0;
/// The furthest distance accepted.
pub const MAX_MILES: f64 = 100.0;

/// The query string of `/local-offer` as typed: every field a string, so nothing is refused before
/// it can be explained.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SearchForm {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub age: String,
    #[serde(default)]
    pub need: String,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub miles: String,
    #[serde(default)]
    pub cost: String,
    #[serde(default)]
    pub access: String,
    #[serde(default)]
    pub language: String,
    /// Ticked SEND details: `wheelchair`, `sensory`, `autism` (several may be given).
    #[serde(default)]
    pub send: Vec<String>,
}

/// What a family asked for, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// The words to look for (matched by the store's full-text index).
    pub text: Option<String>,
    pub category: Option<Category>,
    pub age: Option<u8>,
    pub need: Option<NeedCode>,
    /// A postcode and how many miles from it.
    pub near: Option<(Postcode, f64)>,
    pub cost: Option<Cost>,
    pub access: Option<AccessRoute>,
    pub language: Option<String>,
    pub wheelchair: bool,
    pub sensory: bool,
    pub autism_hours: bool,
}

impl Filters {
    /// Whether nothing was asked (the page then shows the categories rather than every service).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The filters in words with no personal data, for counting searches: the postcode is cut to its
    /// outward code (PO4), which is an area, not an address.
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "text": self.text,
            "category": self.category.map(Category::key),
            "age": self.age,
            "need": self.need.map(NeedCode::code),
            "area": self.near.as_ref().map(|(p, _)| p.outward().to_owned()),
            "miles": self.near.as_ref().map(|(_, m)| *m),
            "cost": self.cost.map(Cost::key),
            "access": self.access.map(AccessRoute::key),
            "language": self.language,
            "wheelchair": self.wheelchair,
            "sensory": self.sensory,
            "autism_hours": self.autism_hours,
        })
    }
}

impl SearchForm {
    /// Check every field; the errors name each field that is wrong and why.
    pub fn parse(&self) -> Result<Filters, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut f = Filters::default();
        let q = self.q.trim();
        if q.chars().count() > 200 {
            errors.push(FieldError::new("q", "Search words must be 200 characters or fewer"));
        } else if !q.is_empty() {
            f.text = Some(q.to_owned());
        }
        if !self.category.trim().is_empty() {
            match Category::parse(&self.category) {
                Some(c) => f.category = Some(c),
                None => errors.push(FieldError::new("category", "Choose a category from the list")),
            }
        }
        if !self.age.trim().is_empty() {
            match self.age.trim().parse::<u8>() {
                Ok(a) if a <= 25 => f.age = Some(a),
                _ => errors.push(FieldError::new("age", "Enter an age in years from 0 to 25, like 8")),
            }
        }
        if !self.need.trim().is_empty() {
            match parse_need(&self.need) {
                Some(n) => f.need = Some(n),
                None => errors.push(FieldError::new("need", "Choose a need from the list")),
            }
        }
        let miles = if self.miles.trim().is_empty() {
            Ok(DEFAULT_MILES)
        } else {
            match self.miles.trim().parse::<f64>() {
                Ok(m) if m > 0.0 && m <= MAX_MILES => Ok(m),
                _ => Err(FieldError::new("miles", "Enter a distance in miles from 1 to 100, like 5")),
            }
        };
        if !self.postcode.trim().is_empty() {
            match (self.postcode.parse::<Postcode>(), miles) {
                (Ok(p), Ok(m)) => f.near = Some((p, m)),
                (Err(_), _) => errors.push(FieldError::new("postcode", "Enter a full postcode, like PO1 2AB")),
                (_, Err(e)) => errors.push(e),
            }
        } else if let Err(e) = miles {
            errors.push(e);
        }
        if !self.cost.trim().is_empty() {
            match Cost::parse(&self.cost) {
                Some(c) => f.cost = Some(c),
                None => errors.push(FieldError::new("cost", "Choose free, you pay, or funded")),
            }
        }
        if !self.access.trim().is_empty() {
            match AccessRoute::parse(&self.access) {
                Some(a) => f.access = Some(a),
                None => errors.push(FieldError::new("access", "Choose by referral or drop in")),
            }
        }
        let language = self.language.trim();
        if language.chars().count() > 50 {
            errors.push(FieldError::new("language", "A language must be 50 characters or fewer"));
        } else if !language.is_empty() && !language.eq_ignore_ascii_case("english") {
            f.language = Some(language.to_owned());
        }
        for s in &self.send {
            match s.as_str() {
                "wheelchair" => f.wheelchair = true,
                "sensory" => f.sensory = true,
                "autism" => f.autism_hours = true,
                _ => {
                    errors.push(FieldError::new("send", "Choose SEND details from the list"));
                    break;
                }
            }
        }
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(errors)
        }
    }
}

/// A published service with what search needs beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listing {
    pub service: Service,
    pub organisation_name: String,
    pub locations: Vec<Location>,
    /// When the provider or an officer last confirmed the listing.
    pub last_checked: NaiveDate,
}

/// One result: the listing's index and, when searching near a postcode, its nearest location's
/// distance in miles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub index: usize,
    pub miles: Option<f64>,
}

/// The listings that match, nearest first when a postcode is given (then by name).
///
/// `text_hits` is what the full-text index found for `filters.text` (ignored when there are no
/// words); `origin` is the coordinates of the postcode (a search near a postcode the directory does
/// not know finds nothing rather than everything).
pub fn search(listings: &[Listing], filters: &Filters, text_hits: Option<&HashSet<ServiceId>>, origin: Option<Coordinates>) -> Vec<Hit> {
    search_ranked(listings, &name_ranks(listings), filters, text_hits, origin)
}

/// Each listing's place in the order by name (listings of the same name in the order given): worked
/// out once for a copy of the directory, so that a search sorts numbers rather than comparing names
/// (at 10,000 listings, comparing names was most of a search's time).
pub fn name_ranks(listings: &[Listing]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..listings.len()).collect();
    order.sort_by(|a, b| listings[*a].service.name.cmp(&listings[*b].service.name));
    let mut ranks = vec![0; listings.len()];
    for (rank, index) in order.into_iter().enumerate() {
        ranks[index] = u32::try_from(rank).unwrap_or(u32::MAX);
    }
    ranks
}

/// [`search`] with the listings' [`name_ranks`] already worked out: the same results in the same order.
pub fn search_ranked(
    listings: &[Listing],
    ranks: &[u32],
    filters: &Filters,
    text_hits: Option<&HashSet<ServiceId>>,
    origin: Option<Coordinates>,
) -> Vec<Hit> {
    let mut hits: Vec<Hit> = listings
        .iter()
        .enumerate()
        .filter_map(|(index, l)| {
            let s = &l.service;
            if !s.active {
                return None;
            }
            if filters.text.is_some() && !text_hits.is_some_and(|t| t.contains(&s.id)) {
                return None;
            }
            if filters.category.is_some_and(|c| !s.categories.contains(&c)) {
                return None;
            }
            if filters.age.is_some_and(|a| !s.ages.includes(a)) {
                return None;
            }
            if filters.need.is_some_and(|n| !s.needs.is_empty() && !s.needs.contains(&n)) {
                return None;
            }
            if filters.cost.is_some_and(|c| s.cost != c) {
                return None;
            }
            if filters.access.is_some_and(|a| !s.access.allows(a)) {
                return None;
            }
            if let Some(lang) = &filters.language {
                if !s.languages.iter().any(|l| l.eq_ignore_ascii_case(lang)) {
                    return None;
                }
            }
            if (filters.wheelchair && !s.wheelchair_access)
                || (filters.sensory && !s.sensory_friendly)
                || (filters.autism_hours && s.autism_friendly_hours.is_none())
            {
                return None;
            }
            let miles = match &filters.near {
                None => None,
                Some((_, limit)) => {
                    let origin = origin?;
                    let nearest = l
                        .locations
                        .iter()
                        .filter_map(|loc| loc.coordinates.map(|c| miles_between(origin, c)))
                        .min_by(|a, b| a.total_cmp(b))?;
                    if nearest > *limit {
                        return None;
                    }
                    Some(nearest)
                }
            };
            Some(Hit { index, miles })
        })
        .collect();
    let rank = |h: &Hit| ranks.get(h.index).copied().unwrap_or(u32::MAX);
    hits.sort_unstable_by(|a, b| {
        let by_miles = match (a.miles, b.miles) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => std::cmp::Ordering::Equal,
        };
        by_miles.then_with(|| rank(a).cmp(&rank(b)))
    });
    hits
}

/// How long a listing stays fresh without being confirmed. A Waymark rule, not the law's: the law asks
/// the LA to keep the Local Offer under review (Children and Families Act 2014 s30(9) [U: subsection])
/// and the Code of Practice (4.10) that it be up to date; DfE's national directory failed because its
/// data went stale (peers.md §2), so a year is the longest a listing goes unconfirmed.
pub const FRESH_FOR_MONTHS: u32 = 12;

/// Whether a listing last confirmed on `last_checked` is stale on `today`: 12 months or more.
pub fn is_stale(last_checked: NaiveDate, today: NaiveDate) -> bool {
    match last_checked.checked_add_months(Months::new(FRESH_FOR_MONTHS)) {
        Some(due) => today >= due,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ages, LocationId, OrganisationId};

    fn at(lat: f64, lon: f64) -> Coordinates {
        Coordinates::new(lat, lon).unwrap()
    }

    #[test]
    fn haversine_gives_the_known_distance_from_london_to_portsmouth() {
        // Charing Cross (51.5073, -0.1277) to Portsmouth Guildhall (50.7989, -1.0912): about 64 miles.
        let d = miles_between(at(51.5073, -0.1277), at(50.7989, -1.0912));
        assert!((d - 64.0).abs() < 1.5, "{d}");
        assert_eq!(miles_between(at(50.8, -1.1), at(50.8, -1.1)), 0.0);
    }

    #[test]
    fn a_listing_is_stale_twelve_months_after_it_was_last_checked() {
        let checked = NaiveDate::from_ymd_opt(2025, 2, 28).unwrap();
        assert!(!is_stale(checked, NaiveDate::from_ymd_opt(2026, 2, 27).unwrap()));
        assert!(is_stale(checked, NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()));
        let leap = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert!(is_stale(leap, NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()), "29 February plus a year is 28 February");
    }

    #[test]
    fn the_form_names_each_bad_field() {
        let form =
            SearchForm { age: "30".into(), postcode: "nowhere".into(), need: "XYZ".into(), send: vec!["x".into()], ..Default::default() };
        let errors = form.parse().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["age", "need", "postcode", "send"]);
        let ok = SearchForm { postcode: "po1 2ab".into(), need: "asd".into(), send: vec!["autism".into()], ..Default::default() };
        let f = ok.parse().unwrap();
        assert_eq!(f.near.as_ref().map(|(p, m)| (p.as_str(), *m)), Some(("PO1 2AB", DEFAULT_MILES)));
        assert!(f.autism_hours);
        assert_eq!(f.summary()["area"], "PO1");
    }

    fn listing(name: &str, at_: Coordinates, autism: bool) -> Listing {
        let postcode: Postcode = "PO1 2AB".parse().unwrap();
        Listing {
            service: Service {
                id: ServiceId(uuid::Uuid::from_u128(name.len() as u128 * 7919 + name.as_bytes()[0] as u128)),
                organisation: OrganisationId(uuid::Uuid::from_u128(1)),
                name: name.into(),
                description: "x".into(),
                categories: vec![Category::Sport],
                ages: Ages { min: 4, max: 18 },
                needs: vec![],
                cost: Cost::Paid,
                cost_detail: String::new(),
                access: AccessRoute::DropIn,
                wheelchair_access: true,
                sensory_friendly: false,
                autism_friendly_hours: autism.then(|| "Saturdays 8am".to_owned()),
                languages: vec![],
                eligibility: String::new(),
                email: None,
                phone: None,
                website: None,
                openings: vec![],
                locations: vec![],
                active: true,
            },
            organisation_name: "Org".into(),
            locations: vec![Location {
                id: LocationId(uuid::Uuid::from_u128(2)),
                name: "Pool".into(),
                address: "1 Road".into(),
                town: "Town".into(),
                postcode,
                coordinates: Some(at_),
            }],
            last_checked: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        }
    }

    /// The search as it was before names were ranked once per copy: a stable sort comparing names.
    fn search_sorting_names(
        listings: &[Listing],
        filters: &Filters,
        text_hits: Option<&HashSet<ServiceId>>,
        origin: Option<Coordinates>,
    ) -> Vec<Hit> {
        let mut hits = search_ranked(listings, &vec![0; listings.len()], filters, text_hits, origin);
        hits.sort_by_key(|h| h.index);
        hits.sort_by(|a, b| {
            let by_miles = match (a.miles, b.miles) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                _ => std::cmp::Ordering::Equal,
            };
            by_miles.then_with(|| listings[a.index].service.name.cmp(&listings[b.index].service.name))
        });
        hits
    }

    #[test]
    fn ranked_names_give_the_same_results_in_the_same_order_as_comparing_names() {
        // The demo's directory: many services share a name and venues share postcodes, so ties in
        // both name and distance are common.
        let postcodes: Vec<(Postcode, Coordinates)> = (0..40)
            .map(|i| {
                (
                    format!("PO{} {}AB", 1 + i % 9, i % 10).parse().unwrap(),
                    at(50.78 + f64::from(i % 13) * 0.01, -1.10 + f64::from(i % 7) * 0.01),
                )
            })
            .collect();
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let demo = crate::demo::generate(7, today, "Portsmouth", &postcodes, 600);
        let locations: std::collections::HashMap<_, _> = demo.locations.iter().map(|(_, l)| (l.id, l.clone())).collect();
        let listings: Vec<Listing> = demo
            .services
            .iter()
            .map(|d| Listing {
                locations: d.service.locations.iter().filter_map(|id| locations.get(id).cloned()).collect(),
                service: d.service.clone(),
                organisation_name: String::new(),
                last_checked: d.last_checked,
            })
            .collect();
        let ranks = name_ranks(&listings);
        let swim: HashSet<ServiceId> =
            listings.iter().filter(|l| l.service.name.to_lowercase().contains("swim")).map(|l| l.service.id).collect();
        let forms = [
            SearchForm::default(),
            SearchForm { q: "swim".into(), ..Default::default() },
            SearchForm { q: "swim".into(), postcode: "PO1 2AB".into(), miles: "5".into(), ..Default::default() },
            SearchForm {
                postcode: "PO1 2AB".into(),
                miles: "2".into(),
                send: vec!["autism".into()],
                category: "sport".into(),
                ..Default::default()
            },
            SearchForm { age: "8".into(), cost: "free".into(), ..Default::default() },
            SearchForm { postcode: "PO1 2AB".into(), miles: "100".into(), ..Default::default() },
        ];
        for form in forms {
            let f = form.parse().unwrap();
            let hits = f.text.as_ref().map(|_| &swim);
            let old = search_sorting_names(&listings, &f, hits, Some(at(50.80, -1.08)));
            let new = search_ranked(&listings, &ranks, &f, hits, Some(at(50.80, -1.08)));
            assert!(!old.is_empty(), "{form:?} finds something");
            assert_eq!(old, new, "{form:?}");
            assert_eq!(search(&listings, &f, hits, Some(at(50.80, -1.08))), new);
        }
    }

    #[test]
    fn a_search_near_a_postcode_keeps_what_is_within_the_distance_nearest_first() {
        let home = at(50.80, -1.08);
        // 0.1 degree of latitude is about 6.9 miles.
        let listings = vec![
            listing("Far pool", at(50.90, -1.08), true),
            listing("Near pool", at(50.82, -1.08), true),
            listing("Nearer pool", at(50.81, -1.08), true),
            listing("Near, no autism hours", at(50.805, -1.08), false),
        ];
        let form = SearchForm { postcode: "PO1 2AB".into(), miles: "5".into(), send: vec!["autism".into()], ..Default::default() };
        let hits = search(&listings, &form.parse().unwrap(), None, Some(home));
        let names: Vec<_> = hits.iter().map(|h| listings[h.index].service.name.as_str()).collect();
        assert_eq!(names, ["Nearer pool", "Near pool"]);
        assert!(hits[0].miles.unwrap() < hits[1].miles.unwrap());
        // An unknown postcode finds nothing rather than everything.
        assert!(search(&listings, &form.parse().unwrap(), None, None).is_empty());
        // Words match only what the full-text index found.
        let words = SearchForm { q: "pool".into(), ..Default::default() }.parse().unwrap();
        let found: HashSet<_> = [listings[1].service.id].into();
        assert_eq!(search(&listings, &words, Some(&found), None).len(), 1);
    }
}
