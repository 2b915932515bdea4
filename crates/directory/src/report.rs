//! The Local Offer annual report's figures (the seeds' deliverable; SEND Regulations 2014 reg 56 asks
//! for comments on the offer's content and gaps to be published at least annually): active services by
//! category and by area (postcode district), categories thin for an age band or a need, and freshness.
//! Searches with no result come from the store's counts.

use crate::model::ServiceId;
use crate::search::{is_stale, Listing};
use crate::taxonomy::{Category, NEEDS};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
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

/// The page a service's feedback is about: its public page. Feedback links to
/// `/feedback?about=/local-offer/services/{id}`.
pub fn feedback_about(service: ServiceId) -> String {
    format!("{FEEDBACK_PREFIX}{service}")
}

/// The path every service page's feedback starts with.
pub const FEEDBACK_PREFIX: &str = "/local-offer/services/";

/// The service a piece of feedback is about, from the page it names (`None` for any other page).
pub fn feedback_service(about: &str) -> Option<ServiceId> {
    about.strip_prefix(FEEDBACK_PREFIX)?.split(['?', '#', '/']).next()?.parse().ok()
}

/// One piece of feedback on a service page: was it helpful (if said), a comment (maybe empty), and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackItem {
    pub service: ServiceId,
    pub helpful: Option<bool>,
    pub comment: String,
    pub received_on: NaiveDate,
}

/// Below this many responses no share is given ("too few to say"): one or two answers would swing a
/// percentage from 0 to 100. A Waymark choice, like the indicators' small-number rule.
pub const FEEDBACK_SHARE_FROM: usize = 10;

/// How many of the latest comments the report quotes, and how long each may be.
pub const LATEST_COMMENTS: usize = 5;
const COMMENT_CHARS: usize = 300;

/// Responses about a service or a category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct FeedbackCount {
    pub responses: usize,
    pub helpful: usize,
    pub not_helpful: usize,
}

impl FeedbackCount {
    fn add(&mut self, helpful: Option<bool>) {
        self.responses += 1;
        match helpful {
            Some(true) => self.helpful += 1,
            Some(false) => self.not_helpful += 1,
            None => {}
        }
    }

    /// The share who said the page helped, of those who answered; `None` with fewer than
    /// [`FEEDBACK_SHARE_FROM`] answers.
    pub fn share_helpful(&self) -> Option<f64> {
        let answered = self.helpful + self.not_helpful;
        (answered >= FEEDBACK_SHARE_FROM).then(|| self.helpful as f64 / answered as f64)
    }
}

/// The feedback received on service pages, for the annual report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FeedbackSummary {
    pub total: FeedbackCount,
    /// (service name, responses), most responses first, then by name.
    pub by_service: Vec<(String, FeedbackCount)>,
    /// Every category with at least one response, in the categories' order.
    pub by_category: Vec<(Category, FeedbackCount)>,
    /// The latest comments (newest first): the service, the day and the comment, shortened.
    pub latest: Vec<(String, NaiveDate, Option<bool>, String)>,
}

/// Count the feedback on service pages by service and by category (a service in two categories
/// counts in each), and quote the latest comments. Feedback about a service no longer listed is
/// counted in the total and under "A service no longer listed".
pub fn feedback_summary(listings: &[Listing], items: &[FeedbackItem]) -> FeedbackSummary {
    let by_id: HashMap<ServiceId, &Listing> = listings.iter().map(|l| (l.service.id, l)).collect();
    let name = |id: ServiceId| by_id.get(&id).map_or_else(|| "A service no longer listed".to_owned(), |l| l.service.name.clone());
    let mut out = FeedbackSummary::default();
    let mut services: HashMap<ServiceId, FeedbackCount> = HashMap::new();
    let mut categories: BTreeMap<usize, FeedbackCount> = BTreeMap::new();
    for f in items {
        out.total.add(f.helpful);
        services.entry(f.service).or_default().add(f.helpful);
        if let Some(l) = by_id.get(&f.service) {
            for c in &l.service.categories {
                let i = Category::ALL.iter().position(|x| x == c).unwrap_or(0);
                categories.entry(i).or_default().add(f.helpful);
            }
        }
    }
    let mut by_service: Vec<(String, FeedbackCount)> = services.into_iter().map(|(id, c)| (name(id), c)).collect();
    by_service.sort_by(|a, b| b.1.responses.cmp(&a.1.responses).then_with(|| a.0.cmp(&b.0)));
    out.by_service = by_service;
    out.by_category = categories.into_iter().map(|(i, c)| (Category::ALL[i], c)).collect();
    let mut with_comments: Vec<&FeedbackItem> = items.iter().filter(|f| !f.comment.trim().is_empty()).collect();
    with_comments.sort_by_key(|f| std::cmp::Reverse(f.received_on));
    out.latest = with_comments
        .into_iter()
        .take(LATEST_COMMENTS)
        .map(|f| {
            let text = f.comment.trim();
            let mut short: String = text.chars().take(COMMENT_CHARS).collect();
            if text.chars().count() > COMMENT_CHARS {
                short = format!("{}…", short.trim_end());
            }
            (name(f.service), f.received_on, f.helpful, short)
        })
        .collect();
    out
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

    #[test]
    fn feedback_is_counted_by_service_and_category_and_a_share_needs_ten_answers() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let swim = sample_service();
        let advice = crate::Service {
            id: ServiceId(uuid::Uuid::from_u128(7)),
            name: "Parent forum".into(),
            categories: vec![Category::Advice, Category::Leisure],
            ..sample_service()
        };
        let listing = |s: crate::Service| Listing { service: s, organisation_name: String::new(), locations: vec![], last_checked: today };
        let listings = vec![listing(swim.clone()), listing(advice.clone())];
        let item = |service: ServiceId, helpful: Option<bool>, comment: &str, day: u32| FeedbackItem {
            service,
            helpful,
            comment: comment.into(),
            received_on: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
        };
        let mut items: Vec<FeedbackItem> = (1..=9).map(|d| item(swim.id, Some(d % 3 != 0), "", d)).collect();
        items.push(item(advice.id, Some(false), "The times were wrong", 20));
        items.push(item(advice.id, None, "  ", 21));
        items.push(item(ServiceId(uuid::Uuid::from_u128(99)), Some(true), "Gone now", 2));
        let f = feedback_summary(&listings, &items);
        assert_eq!(f.total.responses, 12);
        assert_eq!(f.by_service[0], (swim.name.clone(), FeedbackCount { responses: 9, helpful: 6, not_helpful: 3 }));
        assert_eq!(f.by_service[1].0, "Parent forum");
        assert_eq!(f.by_service[2].0, "A service no longer listed");
        assert_eq!(f.by_service[0].1.share_helpful(), None, "nine answers are too few to give a share");
        assert_eq!(f.total.share_helpful(), Some(7.0 / 11.0), "the 11 who answered yes or no");
        assert!(f.by_category.contains(&(Category::Sport, FeedbackCount { responses: 9, helpful: 6, not_helpful: 3 })));
        assert!(f.by_category.contains(&(Category::Leisure, FeedbackCount { responses: 2, helpful: 0, not_helpful: 1 })));
        // Only comments with words, newest first.
        let quoted: Vec<&str> = f.latest.iter().map(|l| l.3.as_str()).collect();
        assert_eq!(quoted, ["The times were wrong", "Gone now"]);
    }

    #[test]
    fn feedback_names_its_service_page() {
        let id = sample_service().id;
        assert_eq!(feedback_service(&feedback_about(id)), Some(id));
        assert_eq!(feedback_service(&format!("{}?x=1", feedback_about(id))), Some(id));
        assert_eq!(feedback_service("/local-offer"), None);
        assert_eq!(feedback_service("/local-offer/services/not-an-id"), None);
    }
}
