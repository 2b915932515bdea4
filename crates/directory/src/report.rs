//! The Local Offer annual report's figures (the seeds' deliverable; SEND Regulations 2014 reg 56 asks
//! for comments on the offer's content and gaps to be published at least annually): active services by
//! category and by area (postcode district), categories thin for an age band or a need, and freshness.
//! Searches with no result come from the store's counts.

use crate::search::{is_stale, Listing};
use crate::taxonomy::{Category, NEEDS};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use waymark_domain::need::NeedCode;

/// Age bands families search by: early years, primary, secondary, post-16 and young adults.
pub const AGE_BANDS: [(u8, u8, &str); 5] =
    [(0, 4, "0 to 4"), (5, 10, "5 to 10"), (11, 15, "11 to 15"), (16, 19, "16 to 19"), (20, 25, "20 to 25")];

/// Fewer active services than this for a category and an age band (or a need) is "thin". A Waymark
/// choice, not a statutory figure: the officer reads the list, not a rating.
pub const THIN_BELOW: usize = 3;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub active: usize,
    pub by_category: Vec<(Category, usize)>,
    /// Postcode districts (PO1, PO2, ...) with how many services have a venue there.
    pub by_area: Vec<(String, usize)>,
    /// (category, age band label, services) where fewer than [`THIN_BELOW`].
    pub thin_for_age: Vec<(Category, &'static str, usize)>,
    /// (need, services especially for it) where fewer than [`THIN_BELOW`].
    pub thin_for_need: Vec<(NeedCode, usize)>,
    pub fresh: usize,
    pub stale: usize,
}

/// The report's figures on `today`.
pub fn annual_report(listings: &[Listing], today: NaiveDate) -> Report {
    let active: Vec<&Listing> = listings.iter().filter(|l| l.service.active).collect();
    let by_category = Category::ALL.map(|c| (c, active.iter().filter(|l| l.service.categories.contains(&c)).count())).to_vec();
    let mut areas: BTreeMap<String, usize> = BTreeMap::new();
    for l in &active {
        let mut seen: Vec<&str> = l.locations.iter().map(|loc| loc.postcode.outward()).collect();
        seen.sort_unstable();
        seen.dedup();
        for a in seen {
            *areas.entry(a.to_owned()).or_default() += 1;
        }
    }
    let mut thin_for_age = Vec::new();
    for c in Category::ALL {
        for (lo, hi, label) in AGE_BANDS {
            let n =
                active.iter().filter(|l| l.service.categories.contains(&c) && l.service.ages.min <= hi && l.service.ages.max >= lo).count();
            if n < THIN_BELOW {
                thin_for_age.push((c, label, n));
            }
        }
    }
    let thin_for_need = NEEDS
        .into_iter()
        .map(|n| (n, active.iter().filter(|l| l.service.needs.contains(&n)).count()))
        .filter(|(_, count)| *count < THIN_BELOW)
        .collect();
    let stale = active.iter().filter(|l| is_stale(l.last_checked, today)).count();
    Report {
        active: active.len(),
        by_category,
        by_area: areas.into_iter().collect(),
        thin_for_age,
        thin_for_need,
        fresh: active.len() - stale,
        stale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::sample_service;
    use crate::model::{Ages, Location, LocationId};

    #[test]
    fn the_report_counts_active_services_and_names_thin_categories_and_stale_listings() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let listing = |ages: Ages, checked: &str, active: bool| Listing {
            service: crate::Service { ages, active, ..sample_service() },
            organisation_name: String::new(),
            locations: vec![Location {
                id: LocationId(uuid::Uuid::nil()),
                name: String::new(),
                address: String::new(),
                town: String::new(),
                postcode: "PO4 8QS".parse().unwrap(),
                coordinates: None,
            }],
            last_checked: checked.parse().unwrap(),
        };
        let listings = vec![
            listing(Ages { min: 4, max: 18 }, "2026-06-01", true),
            listing(Ages { min: 4, max: 18 }, "2025-06-01", true),
            listing(Ages { min: 4, max: 18 }, "2026-06-01", true),
            listing(Ages { min: 0, max: 25 }, "2026-06-01", false),
        ];
        let r = annual_report(&listings, today);
        assert_eq!(r.active, 3);
        assert_eq!((r.fresh, r.stale), (2, 1));
        assert_eq!(r.by_area, [("PO4".to_owned(), 3)]);
        assert!(r.by_category.contains(&(Category::Sport, 3)));
        // Sport has 3 services for 5 to 10 (not thin) but none for 20 to 25 (the stopped one does not count).
        assert!(!r.thin_for_age.contains(&(Category::Sport, "5 to 10", 3)));
        assert!(r.thin_for_age.contains(&(Category::Sport, "20 to 25", 0)));
        assert!(r.thin_for_need.iter().any(|(n, c)| *n == NeedCode::Hi && *c == 0));
        assert!(!r.thin_for_need.iter().any(|(n, _)| *n == NeedCode::Asd));
    }
}
