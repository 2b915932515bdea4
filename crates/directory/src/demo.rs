//! An invented Local Offer for a demo area: organisations, their venues (at the area's postcodes) and
//! about 600 services across every category, some with changes waiting for approval and some not
//! confirmed for over a year. Seeded, so the same seed gives the same directory. All names invented.

use crate::model::{AccessRoute, Ages, Coordinates, Cost, Location, LocationId, Opening, Organisation, OrganisationId, Service, ServiceId};
use crate::taxonomy::{Category, NEEDS};
use chrono::{Days, NaiveDate, NaiveTime, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;
use waymark_domain::identifiers::Postcode;
use waymark_domain::need::NeedCode;

/// One demo service with its history.
#[derive(Debug, Clone)]
pub struct DemoService {
    pub service: Service,
    pub last_checked: NaiveDate,
    /// A provider's edit waiting for the officer.
    pub pending: Option<Service>,
}

/// The demo directory.
#[derive(Debug, Clone)]
pub struct DemoDirectory {
    pub organisations: Vec<Organisation>,
    pub locations: Vec<(OrganisationId, Location)>,
    pub services: Vec<DemoService>,
}

struct Kind {
    category: Category,
    names: &'static [&'static str],
    description: &'static str,
    ages: (u8, u8),
    cost: Cost,
    access: AccessRoute,
}

const KINDS: &[Kind] = &[
    Kind {
        category: Category::Sport,
        names: &["Autism-friendly swimming session", "Inclusive swimming lessons", "Quiet swim", "Hydrotherapy pool swim"],
        description: "Swimming in a calm pool with fewer people, lifeguards trained in supporting disabled children, and changing places with hoists.",
        ages: (3, 25),
        cost: Cost::Paid,
        access: AccessRoute::DropIn,
    },
    Kind {
        category: Category::Sport,
        names: &["Wheelchair basketball club", "Inclusive football", "Adapted cycling", "Boccia club", "Trampolining for all"],
        description: "A friendly club where disabled and non-disabled young people play together, with coaches who adapt every session.",
        ages: (6, 25),
        cost: Cost::Paid,
        access: AccessRoute::DropIn,
    },
    Kind {
        category: Category::Leisure,
        names: &["Relaxed cinema screening", "Sensory play session", "Youth club for disabled young people", "Drama group", "Music makers"],
        description: "Activities with lights and sound turned down, space to move and a quiet room, run by staff who know children with SEND.",
        ages: (2, 19),
        cost: Cost::Free,
        access: AccessRoute::DropIn,
    },
    Kind {
        category: Category::ShortBreaks,
        names: &["Saturday short break club", "Holiday play scheme", "Overnight short breaks", "After-school short break"],
        description: "Short breaks give disabled children fun time away and their families a rest. Places are funded for eligible families.",
        ages: (5, 18),
        cost: Cost::Funded,
        access: AccessRoute::Referral,
    },
    Kind {
        category: Category::Health,
        names: &["Speech and language therapy drop-in", "Children's occupational therapy", "Physiotherapy clinic", "Audiology clinic", "Wheelchair service"],
        description: "NHS therapists assess and support children and young people, and show families and schools what helps.",
        ages: (0, 19),
        cost: Cost::Free,
        access: AccessRoute::Referral,
    },
    Kind {
        category: Category::MentalHealth,
        names: &["Young people's wellbeing service", "Worry workshop", "Parent support group for anxiety", "Counselling for young people"],
        description: "Support with feelings, worries and mental health, one to one or in groups.",
        ages: (8, 25),
        cost: Cost::Free,
        access: AccessRoute::Both,
    },
    Kind {
        category: Category::Education,
        names: &["Specialist teaching service", "Dyslexia support sessions", "Home learning support", "Sensory support team"],
        description: "Advice and teaching for children with SEND and the schools and settings that teach them.",
        ages: (2, 19),
        cost: Cost::Free,
        access: AccessRoute::Referral,
    },
    Kind {
        category: Category::Childcare,
        names: &["Inclusive nursery", "SEND childminder network", "Holiday childcare", "Stay and play for little ones"],
        description: "Childcare and early years sessions where every child is welcome and staff plan for each child's needs.",
        ages: (0, 5),
        cost: Cost::Paid,
        access: AccessRoute::DropIn,
    },
    Kind {
        category: Category::PreparingForAdulthood,
        names: &["Supported internship", "Independent travel training", "Life skills course", "Work experience for young people with SEND"],
        description: "Help for young people moving towards adult life: work, living independently, friends and community, and good health.",
        ages: (14, 25),
        cost: Cost::Free,
        access: AccessRoute::Referral,
    },
    Kind {
        category: Category::Travel,
        names: &["Home to school travel assistance", "Travel buddy scheme", "Accessible community bus"],
        description: "Getting to school, college and activities, with support where a young person needs it.",
        ages: (4, 25),
        cost: Cost::Funded,
        access: AccessRoute::Referral,
    },
    Kind {
        category: Category::Advice,
        names: &["SENDIASS advice line", "Parent carer forum coffee morning", "EHC plan workshop for parents", "Family information service"],
        description: "Free, impartial information, advice and support for families, including about EHC needs assessments and plans.",
        ages: (0, 25),
        cost: Cost::Free,
        access: AccessRoute::Both,
    },
    Kind {
        category: Category::SocialCare,
        names: &["Disabled children's team", "Family support workers", "Direct payments support"],
        description: "Social care for disabled children and their families, from advice to support at home.",
        ages: (0, 18),
        cost: Cost::Funded,
        access: AccessRoute::Referral,
    },
];

const ORG_WORDS: &[&str] = &[
    "Harbour",
    "Seaview",
    "Oakfield",
    "Meadow",
    "Riverside",
    "Hilltop",
    "Lighthouse",
    "Kingfisher",
    "Bluebell",
    "Compass",
    "Anchor",
    "Willow",
    "Beacon",
    "Starfish",
    "Rainbow",
    "Cedar",
    "Sunrise",
    "Brambles",
    "Heron",
    "Maple",
];
const ORG_KINDS: &[&str] = &[
    "Leisure Trust",
    "Community Association",
    "Children's Charity",
    "Health Services",
    "Sports Club",
    "Family Hub",
    "Youth Trust",
    "Therapy Centre",
];
const VENUES: &[&str] = &["Leisure Centre", "Community Centre", "Family Hub", "Pool", "Sports Hall", "Clinic", "Library", "Youth Centre"];
const STREETS: &[&str] =
    &["High Street", "Church Road", "Station Road", "Park Lane", "Victoria Road", "London Road", "Harbour Way", "Mill Lane"];
const LANGUAGES: &[&str] = &["British Sign Language", "Polish", "Bengali", "Arabic", "Nepali", "Romanian"];

/// A random v4 UUID from the seeded stream.
fn uuid(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid demo time")
}

const DAYS: [Weekday; 7] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

/// Generate the demo directory: `services` services (about 600 for the demo) run by organisations with
/// venues at `postcodes` (the area's, with coordinates), confirmed on dates up to 18 months before
/// `today`; `town` names the area in addresses.
pub fn generate(seed: u64, today: NaiveDate, town: &str, postcodes: &[(Postcode, Coordinates)], services: usize) -> DemoDirectory {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x1_0ca1_0ffe);
    let org_count = (services / 10).max(1);
    let mut organisations = Vec::new();
    let mut locations: Vec<(OrganisationId, Location)> = Vec::new();
    for i in 0..org_count {
        let name = format!("{} {}", ORG_WORDS[i % ORG_WORDS.len()], ORG_KINDS[(i / ORG_WORDS.len() + i) % ORG_KINDS.len()]);
        let slug: String = name.to_ascii_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
        let org = Organisation {
            id: OrganisationId(uuid(&mut rng)),
            description: format!("{name} runs services for children, young people and families in {town}."),
            email: Some(format!("hello@{slug}.example.org")),
            website: Some(format!("https://{slug}.example.org")),
            phone: Some(format!("01632 {:06}", rng.random_range(0..1_000_000))),
            name,
        };
        for v in 0..rng.random_range(1..=3) {
            if postcodes.is_empty() {
                break;
            }
            let (postcode, at) = &postcodes[rng.random_range(0..postcodes.len())];
            let venue = VENUES[(i + v) % VENUES.len()];
            locations.push((
                org.id,
                Location {
                    id: LocationId(uuid(&mut rng)),
                    name: format!("{} {venue}", ORG_WORDS[(i + v * 7) % ORG_WORDS.len()]),
                    address: format!("{} {}", rng.random_range(1..200), STREETS[rng.random_range(0..STREETS.len())]),
                    town: town.to_owned(),
                    postcode: postcode.clone(),
                    coordinates: Some(*at),
                },
            ));
        }
        organisations.push(org);
    }
    let mut out = Vec::with_capacity(services);
    for i in 0..services {
        // Every fifth service is a swimming or sport one, so the journey's search always has answers.
        let kind = if i % 5 == 0 { &KINDS[0] } else { &KINDS[rng.random_range(0..KINDS.len())] };
        let org = &organisations[rng.random_range(0..organisations.len())];
        let venues: Vec<LocationId> = locations.iter().filter(|(o, _)| *o == org.id).map(|(_, l)| l.id).collect();
        let name = kind.names[rng.random_range(0..kind.names.len())];
        let autism = name.starts_with("Autism-friendly") || rng.random_bool(0.15);
        let mut needs: Vec<NeedCode> = Vec::new();
        if name.starts_with("Autism-friendly") {
            needs.push(NeedCode::Asd);
        } else if rng.random_bool(0.5) {
            for _ in 0..rng.random_range(1..=3) {
                let n = NEEDS[rng.random_range(0..NEEDS.len())];
                if !needs.contains(&n) {
                    needs.push(n);
                }
            }
        }
        let day = DAYS[rng.random_range(0..DAYS.len())];
        let start = rng.random_range(8..18);
        let mut openings = vec![Opening { day, opens: time(start, 0), closes: time(start + 2, 0), note: String::new() }];
        let autism_hours = autism.then(|| {
            openings.push(Opening { day: Weekday::Sat, opens: time(8, 0), closes: time(9, 0), note: "Autism-friendly session".into() });
            "Saturdays 8am to 9am: quieter, lights and music turned down".to_owned()
        });
        let (lo, hi) = kind.ages;
        let min = rng.random_range(lo..=lo + (hi - lo) / 3);
        let mut categories = vec![kind.category];
        if kind.category == Category::Sport && rng.random_bool(0.3) {
            categories.push(Category::Leisure);
        }
        let service = Service {
            id: ServiceId(uuid(&mut rng)),
            organisation: org.id,
            name: format!("{name} at {}", org.name.split(' ').next().unwrap_or("the centre")),
            description: kind.description.to_owned(),
            categories,
            ages: Ages { min, max: hi },
            needs,
            cost: kind.cost,
            cost_detail: match kind.cost {
                Cost::Paid => format!("£{} a session; a carer comes free", rng.random_range(2..9)),
                Cost::Funded => "Funded for eligible families; ask about a short breaks assessment".into(),
                Cost::Free => String::new(),
            },
            access: kind.access,
            wheelchair_access: rng.random_bool(0.7),
            sensory_friendly: autism || rng.random_bool(0.3),
            autism_friendly_hours: autism_hours,
            languages: if rng.random_bool(0.2) { vec![LANGUAGES[rng.random_range(0..LANGUAGES.len())].to_owned()] } else { Vec::new() },
            eligibility: format!("Children and young people aged {min} to {hi} with SEND, and their families."),
            email: org.email.clone(),
            phone: org.phone.clone(),
            website: org.website.clone(),
            openings,
            locations: venues.into_iter().take(2).collect(),
            active: true,
        };
        // Most confirmed within the year; about one in eight more than 12 months ago (stale).
        let age_days = if rng.random_bool(0.125) { rng.random_range(370..540) } else { rng.random_range(0..330) };
        let last_checked = today.checked_sub_days(Days::new(age_days)).unwrap_or(today);
        let pending = rng.random_bool(0.04).then(|| {
            let mut p = service.clone();
            p.description = format!("{} New for this term: more sessions in the school holidays.", p.description);
            p
        });
        out.push(DemoService { service, last_checked, pending });
    }
    DemoDirectory { organisations, locations, services: out }
}

/// One service for tests and examples.
pub fn sample_service() -> Service {
    Service {
        id: ServiceId(Uuid::from_u128(0x5e0c_1000_0000_4000_8000_0000_0000_0001)),
        organisation: OrganisationId(Uuid::from_u128(0x0a9e_1000_0000_4000_8000_0000_0000_0001)),
        name: "Autism-friendly swimming session".into(),
        description: "A quiet swim.".into(),
        categories: vec![Category::Sport],
        ages: Ages { min: 4, max: 18 },
        needs: vec![NeedCode::Asd],
        cost: Cost::Paid,
        cost_detail: "£3 a session".into(),
        access: AccessRoute::DropIn,
        wheelchair_access: true,
        sensory_friendly: true,
        autism_friendly_hours: Some("Saturdays 8am to 9am".into()),
        languages: vec!["British Sign Language".into()],
        eligibility: "Children aged 4 to 18".into(),
        email: Some("swim@example.org".into()),
        phone: Some("01632 960000".into()),
        website: Some("https://swim.example.org".into()),
        openings: vec![Opening { day: Weekday::Sat, opens: time(8, 0), closes: time(9, 0), note: "Autism-friendly".into() }],
        locations: vec![],
        active: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_directory_is_seeded_valid_and_has_stale_and_pending_listings() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let postcodes: Vec<(Postcode, Coordinates)> = vec![
            ("PO1 2AB".parse().unwrap(), Coordinates::new(50.8, -1.09).unwrap()),
            ("PO4 8QS".parse().unwrap(), Coordinates::new(50.78, -1.05).unwrap()),
        ];
        let a = generate(7, today, "Portsmouth", &postcodes, 600);
        let b = generate(7, today, "Portsmouth", &postcodes, 600);
        assert_eq!(a.services.len(), 600);
        assert_eq!(
            a.services.iter().map(|s| s.service.id).collect::<Vec<_>>(),
            b.services.iter().map(|s| s.service.id).collect::<Vec<_>>()
        );
        for s in &a.services {
            assert!(s.service.check().is_empty(), "{:?}", s.service.check());
        }
        let stale = a.services.iter().filter(|s| crate::is_stale(s.last_checked, today)).count();
        let pending = a.services.iter().filter(|s| s.pending.is_some()).count();
        assert!((30..150).contains(&stale), "{stale}");
        assert!((5..60).contains(&pending), "{pending}");
        for c in Category::ALL {
            assert!(a.services.iter().any(|s| s.service.categories.contains(&c)), "{c:?}");
        }
        assert!(a.services.iter().filter(|s| s.service.name.starts_with("Autism-friendly swimming")).count() >= 10);
    }
}
