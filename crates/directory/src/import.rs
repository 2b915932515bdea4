//! Bringing another directory in: an Open Referral UK 3.0 feed saved as JSON files, or the Local Offer
//! CSV template (`docs/local-offer.md`). Everything is read and checked first; any problem refuses the
//! whole import with each problem's file, line (or JSON path), field and reason. Ids are kept (ORUK)
//! or derived from the organisation's and service's names (CSV), so importing again updates the same
//! records rather than adding copies.

use crate::model::{AccessRoute, Ages, Coordinates, Cost, Location, LocationId, Opening, Organisation, OrganisationId, Service, ServiceId};
use crate::taxonomy::{parse_need, Category, SendDetail};
use chrono::{NaiveTime, Weekday};
use serde_json::Value;
use std::fmt;
use uuid::Uuid;
use waymark_domain::identifiers::Postcode;

/// A directory read from files, ready to store.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub organisations: Vec<Organisation>,
    pub locations: Vec<(OrganisationId, Location)>,
    pub services: Vec<Service>,
    /// Services none of whose taxonomy terms is a Local Offer category: listed under "Information,
    /// advice and support" for an officer to recategorise.
    pub uncategorised: usize,
}

/// One problem: where (file, line or JSON path), which field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// A line number (CSV, JSON syntax) or a JSON path (`contents[3]`).
    pub place: String,
    pub field: String,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}, {}: {}", self.file, self.place, self.field, self.reason)
    }
}

/// A stable version-4-shaped UUID from text (FNV-1a, twice): the same names give the same id.
pub fn stable_id(text: &str) -> Uuid {
    let fnv = |seed: u64| text.to_lowercase().bytes().fold(seed, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3));
    let raw = (u128::from(fnv(0xcbf2_9ce4_8422_2325)) << 64) | u128::from(fnv(0x8422_2325_cbf2_9ce4));
    Uuid::from_u128((raw & !(0xF << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62))
}

/// The CSV template's columns, in order.
pub const CSV_COLUMNS: [&str; 23] = [
    "organisation",
    "service_id",
    "name",
    "description",
    "categories",
    "min_age",
    "max_age",
    "needs",
    "cost",
    "cost_detail",
    "access",
    "wheelchair",
    "sensory_friendly",
    "autism_friendly_hours",
    "languages",
    "eligibility",
    "email",
    "phone",
    "website",
    "venue",
    "address",
    "town",
    "postcode",
];

fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Some(true),
        "no" | "n" | "false" | "" => Some(false),
        _ => None,
    }
}

fn opt(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// Read the CSV template. `file` names the file in problems.
pub fn read_csv(file: &str, bytes: &[u8]) -> Result<Imported, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut out = Imported::default();
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![Problem { file: file.into(), place: "line 1".into(), field: "header".into(), reason: e.to_string() }]),
    };
    let missing: Vec<&str> = CSV_COLUMNS.iter().copied().filter(|c| !headers.iter().any(|h| h.trim() == *c)).collect();
    if !missing.is_empty() {
        return Err(vec![Problem {
            file: file.into(),
            place: "line 1".into(),
            field: "header".into(),
            reason: format!("missing column{} {}", if missing.len() == 1 { "" } else { "s" }, missing.join(", ")),
        }]);
    }
    let index = |name: &str| headers.iter().position(|h| h.trim() == name).expect("checked above");
    let cols: Vec<usize> = CSV_COLUMNS.iter().map(|c| index(c)).collect();
    let mut seen_services = std::collections::HashSet::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let place = format!("line {line}");
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(Problem { file: file.into(), place, field: "row".into(), reason: e.to_string() });
                continue;
            }
        };
        let get = |c: usize| record.get(cols[c]).unwrap_or("").trim();
        let mut bad = |field: &str, reason: String| {
            problems.push(Problem { file: file.into(), place: place.clone(), field: field.into(), reason });
        };
        let org_name = get(0);
        if org_name.is_empty() {
            bad("organisation", "enter the organisation's name".into());
            continue;
        }
        let org_id = OrganisationId(stable_id(&format!("organisation:{org_name}")));
        let service_id = match get(1) {
            "" => ServiceId(stable_id(&format!("service:{org_name}:{}", get(2)))),
            s => match s.parse::<ServiceId>() {
                Ok(id) => id,
                Err(_) => {
                    bad("service_id", format!("'{s}' is not a UUID; leave it blank to have one made"));
                    continue;
                }
            },
        };
        if !seen_services.insert(service_id) {
            bad("name", "the same service appears twice in the file".into());
            continue;
        }
        let mut categories = Vec::new();
        for c in list(get(4)) {
            match Category::parse(c).or_else(|| Category::ALL.into_iter().find(|k| k.label().eq_ignore_ascii_case(c))) {
                Some(k) if !categories.contains(&k) => categories.push(k),
                Some(_) => {}
                None => bad("categories", format!("'{c}' is not a category; use one of {}", Category::ALL.map(Category::key).join(", "))),
            }
        }
        let age = |text: &str, field: &'static str, default: u8, bad: &mut dyn FnMut(&str, String)| -> u8 {
            if text.is_empty() {
                return default;
            }
            match text.parse::<u8>() {
                Ok(a) if a <= 25 => a,
                _ => {
                    bad(field, format!("'{text}' is not an age from 0 to 25"));
                    default
                }
            }
        };
        let min = age(get(5), "min_age", 0, &mut bad);
        let max = age(get(6), "max_age", 25, &mut bad);
        let mut needs = Vec::new();
        for n in list(get(7)) {
            match parse_need(n) {
                Some(k) if !needs.contains(&k) => needs.push(k),
                Some(_) => {}
                None => bad("needs", format!("'{n}' is not an SEN2 need type code (ASD, SLCN, SEMH, ...)")),
            }
        }
        let cost = Cost::parse(get(8)).unwrap_or_else(|| {
            bad("cost", format!("'{}' is not free, paid or funded", get(8)));
            Cost::Free
        });
        let access = AccessRoute::parse(get(10)).unwrap_or_else(|| {
            bad("access", format!("'{}' is not referral, drop_in or both", get(10)));
            AccessRoute::Both
        });
        let mut flag = |c: usize, field: &str| {
            yes_no(get(c)).unwrap_or_else(|| {
                bad(field, format!("'{}' is not yes or no", get(c)));
                false
            })
        };
        let wheelchair = flag(11, "wheelchair");
        let sensory = flag(12, "sensory_friendly");
        let mut location_ids = Vec::new();
        if !get(22).is_empty() {
            match get(22).parse::<Postcode>() {
                Ok(postcode) => {
                    let venue = if get(19).is_empty() { org_name } else { get(19) };
                    let id = LocationId(stable_id(&format!("location:{org_name}:{venue}:{postcode}")));
                    location_ids.push(id);
                    if !out.locations.iter().any(|(_, l)| l.id == id) {
                        out.locations.push((
                            org_id,
                            Location {
                                id,
                                name: venue.to_owned(),
                                address: get(20).to_owned(),
                                town: get(21).to_owned(),
                                postcode,
                                coordinates: None,
                            },
                        ));
                    }
                }
                Err(_) => problems.push(Problem {
                    file: file.into(),
                    place: place.clone(),
                    field: "postcode".into(),
                    reason: format!("'{}' is not a UK postcode (like PO1 2AB)", get(22)),
                }),
            }
        }
        let service = Service {
            id: service_id,
            organisation: org_id,
            name: get(2).to_owned(),
            description: get(3).to_owned(),
            categories,
            ages: Ages { min, max },
            needs,
            cost,
            cost_detail: get(9).to_owned(),
            access,
            wheelchair_access: wheelchair,
            sensory_friendly: sensory,
            autism_friendly_hours: opt(get(13)),
            languages: list(get(14)).map(str::to_owned).collect(),
            eligibility: get(15).to_owned(),
            email: opt(get(16)),
            phone: opt(get(17)),
            website: opt(get(18)),
            openings: Vec::new(),
            locations: location_ids,
            active: true,
        };
        for e in service.check() {
            problems.push(Problem { file: file.into(), place: place.clone(), field: e.field.into(), reason: e.reason });
        }
        if !out.organisations.iter().any(|o| o.id == org_id) {
            out.organisations.push(Organisation {
                id: org_id,
                name: org_name.to_owned(),
                description: String::new(),
                email: None,
                website: None,
                phone: None,
            });
        }
        out.services.push(service);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Read an ORUK 3.0 feed file: a paged list (`contents`), an array, or a single service, each service
/// in the `/services/{id}` shape (with its organisation and service-at-locations).
pub fn read_oruk(file: &str, text: &str, into: &mut Imported) -> Result<(), Vec<Problem>> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        vec![Problem { file: file.into(), place: format!("line {}", e.line()), field: "JSON".into(), reason: e.to_string() }]
    })?;
    let (records, path): (Vec<&Value>, &str) = match &value {
        Value::Object(o) if o.contains_key("contents") => {
            (o["contents"].as_array().map(|a| a.iter().collect()).unwrap_or_default(), "contents")
        }
        Value::Array(a) => (a.iter().collect(), ""),
        v @ Value::Object(_) => (vec![v], ""),
        _ => {
            return Err(vec![Problem {
                file: file.into(),
                place: "top".into(),
                field: "JSON".into(),
                reason: "expected a service, a list of services or a page of them".into(),
            }])
        }
    };
    let mut problems = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let place = if path.is_empty() && records.len() == 1 { "service".to_owned() } else { format!("{path}[{i}]") };
        match oruk_service(r) {
            Ok((org, locations, service, categorised)) => {
                if !categorised {
                    into.uncategorised += 1;
                }
                if let Some(org) = org {
                    if !into.organisations.iter().any(|o| o.id == org.id) {
                        into.organisations.push(org);
                    }
                }
                for l in locations {
                    if !into.locations.iter().any(|(_, x)| x.id == l.id) {
                        into.locations.push((service.organisation, l));
                    }
                }
                if into.services.iter().any(|s| s.id == service.id) {
                    problems.push(Problem {
                        file: file.into(),
                        place,
                        field: "id".into(),
                        reason: "the same service appears twice".into(),
                    });
                } else {
                    into.services.push(service);
                }
            }
            Err((field, reason)) => problems.push(Problem { file: file.into(), place, field, reason }),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

type Mapped = (Option<Organisation>, Vec<Location>, Service, bool);

fn oruk_service(v: &Value) -> Result<Mapped, (String, String)> {
    let err = |field: &str, reason: &str| (field.to_owned(), reason.to_owned());
    let s = |key: &str| v.get(key).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty());
    let id: ServiceId = s("id").ok_or_else(|| err("id", "missing"))?.parse().map_err(|_| err("id", "is not a UUID"))?;
    let name = s("name").ok_or_else(|| err("name", "missing"))?;
    let status = s("status").ok_or_else(|| err("status", "missing"))?;
    if !["active", "inactive", "defunct", "temporarily closed"].contains(&status) {
        return Err(err("status", "must be active, inactive, defunct or temporarily closed"));
    }
    let org_value = v.get("organization");
    let org_id: OrganisationId = match s("organization_id").or_else(|| org_value.and_then(|o| o.get("id")).and_then(Value::as_str)) {
        Some(t) => t.parse().map_err(|_| err("organization_id", "is not a UUID"))?,
        None => return Err(err("organization_id", "missing (and no organization given)")),
    };
    let org = org_value.map(|o| Organisation {
        id: org_id,
        name: o.get("name").and_then(Value::as_str).unwrap_or(name).to_owned(),
        description: o.get("description").and_then(Value::as_str).unwrap_or("").to_owned(),
        email: o.get("email").and_then(Value::as_str).map(str::to_owned),
        website: o.get("website").and_then(Value::as_str).map(str::to_owned),
        phone: None,
    });
    let age = |key: &str, default: u8| -> Result<u8, (String, String)> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(n) => n.as_f64().filter(|a| *a >= 0.0).map(|a| a.min(25.0) as u8).ok_or_else(|| err(key, "is not an age")),
        }
    };
    let (min, max) = (age("minimum_age", 0)?, age("maximum_age", 25)?);
    let mut categories = Vec::new();
    let mut needs = Vec::new();
    let mut details: Vec<SendDetail> = Vec::new();
    let mut autism_hours: Option<String> = None;
    for a in v.get("attributes").and_then(Value::as_array).into_iter().flatten() {
        let term = a.get("taxonomy_term");
        let keys = [
            a.get("taxonomy_term_id").and_then(Value::as_str),
            term.and_then(|t| t.get("term")).and_then(Value::as_str),
            term.and_then(|t| t.get("name")).and_then(Value::as_str),
        ];
        for k in keys.into_iter().flatten() {
            if let Some(c) = Category::parse(k).or_else(|| Category::ALL.into_iter().find(|c| c.label().eq_ignore_ascii_case(k))) {
                if !categories.contains(&c) {
                    categories.push(c);
                }
            } else if let Some(n) = parse_need(k) {
                if !needs.contains(&n) {
                    needs.push(n);
                }
            } else if let Some(d) = SendDetail::parse(k) {
                if !details.contains(&d) {
                    details.push(d);
                }
                if d == SendDetail::AutismFriendlyHours {
                    let value = a.get("value").and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty());
                    autism_hours = autism_hours.or_else(|| Some(value.unwrap_or("Ask the service when").to_owned()));
                }
            }
        }
    }
    let access = match (details.contains(&SendDetail::ByReferral), details.contains(&SendDetail::DropIn)) {
        (true, false) => AccessRoute::Referral,
        (false, true) => AccessRoute::DropIn,
        _ => AccessRoute::Both,
    };
    let categorised = !categories.is_empty();
    if !categorised {
        categories.push(Category::Advice);
    }
    let mut locations = Vec::new();
    for (j, sal) in v.get("service_at_locations").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let Some(l) = sal.get("location") else { continue };
        let field = format!("service_at_locations[{j}].location");
        let lid: LocationId = l
            .get("id")
            .and_then(Value::as_str)
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| (format!("{field}.id"), "missing or not a UUID".to_owned()))?;
        let address = l.get("addresses").and_then(Value::as_array).and_then(|a| a.first());
        let postcode_text = address.and_then(|a| a.get("postal_code")).and_then(Value::as_str).unwrap_or("");
        let Ok(postcode) = postcode_text.parse::<Postcode>() else {
            // A location with no UK postcode cannot be found by distance; it is left out, not guessed.
            continue;
        };
        let coordinates = match (l.get("latitude").and_then(Value::as_f64), l.get("longitude").and_then(Value::as_f64)) {
            (Some(lat), Some(lon)) => Coordinates::new(lat, lon),
            _ => None,
        };
        locations.push(Location {
            id: lid,
            name: l.get("name").and_then(Value::as_str).unwrap_or(name).to_owned(),
            address: address.and_then(|a| a.get("address_1")).and_then(Value::as_str).unwrap_or("").to_owned(),
            town: address.and_then(|a| a.get("city")).and_then(Value::as_str).unwrap_or("").to_owned(),
            postcode,
            coordinates,
        });
    }
    let cost_option = v.get("cost_options").and_then(Value::as_array).and_then(|a| a.first());
    // Waymark's own option names say the cost exactly; otherwise no amount, or an amount of nothing,
    // is free.
    let named = cost_option
        .and_then(|c| c.get("option"))
        .and_then(Value::as_str)
        .and_then(|o| Cost::ALL.into_iter().find(|c| c.label().eq_ignore_ascii_case(o.trim()) || c.key().eq_ignore_ascii_case(o.trim())));
    let cost = named.unwrap_or_else(|| {
        cost_option
            .and_then(|c| c.get("amount"))
            .and_then(Value::as_f64)
            .map_or(Cost::Free, |a| if a == 0.0 { Cost::Free } else { Cost::Paid })
    });
    // The first contact's first phone number.
    let phone = v
        .get("contacts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|c| c.get("phones").and_then(Value::as_array).into_iter().flatten())
        .find_map(|p| p.get("number").and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned));
    // Languages besides English (HSDS 3.0 `language.name`).
    let mut languages: Vec<String> = Vec::new();
    for l in v.get("languages").and_then(Value::as_array).into_iter().flatten() {
        if let Some(name) = l.get("name").and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty()) {
            if !name.eq_ignore_ascii_case("English") && !languages.iter().any(|x| x == name) {
                languages.push(name.to_owned());
            }
        }
    }
    let openings = schedules(v)?;
    let service = Service {
        id,
        organisation: org_id,
        name: name.to_owned(),
        description: s("description").unwrap_or(name).to_owned(),
        categories,
        ages: Ages { min: min.min(max), max },
        needs,
        cost,
        cost_detail: s("fees").unwrap_or("").to_owned(),
        access,
        wheelchair_access: details.contains(&SendDetail::Wheelchair),
        sensory_friendly: details.contains(&SendDetail::SensoryFriendly),
        autism_friendly_hours: autism_hours,
        languages,
        eligibility: s("eligibility_description").unwrap_or("").to_owned(),
        email: s("email").map(str::to_owned),
        phone,
        website: s("url").map(str::to_owned),
        openings,
        locations: locations.iter().map(|l| l.id).collect(),
        active: status == "active",
    };
    if let Some(e) = service.check().into_iter().next() {
        return Err((e.field.to_owned(), e.reason));
    }
    Ok((org, locations, service, categorised))
}

/// Weekly schedules (`freq` WEEKLY or absent, one `byday`, `opens_at`, `closes_at`) as openings; a
/// schedule without a day or times (a one-off event, say) is left out, not guessed. A time that cannot
/// be read is a problem named by its place.
fn schedules(v: &Value) -> Result<Vec<Opening>, (String, String)> {
    let mut out = Vec::new();
    for (i, sc) in v.get("schedules").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let text = |key: &str| sc.get(key).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty());
        if text("freq").is_some_and(|f| !f.eq_ignore_ascii_case("WEEKLY")) {
            continue;
        }
        let (Some(days), Some(opens), Some(closes)) = (text("byday"), text("opens_at"), text("closes_at")) else { continue };
        let time = |key: &str, t: &str| {
            NaiveTime::parse_from_str(t, "%H:%M:%S")
                .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
                .map_err(|_| (format!("schedules[{i}].{key}"), format!("'{t}' is not a time like 09:30")))
        };
        let (opens, closes) = (time("opens_at", opens)?, time("closes_at", closes)?);
        for day in days.split(',') {
            let day = match day.trim().to_ascii_uppercase().as_str() {
                "MO" => Weekday::Mon,
                "TU" => Weekday::Tue,
                "WE" => Weekday::Wed,
                "TH" => Weekday::Thu,
                "FR" => Weekday::Fri,
                "SA" => Weekday::Sat,
                "SU" => Weekday::Sun,
                other => return Err((format!("schedules[{i}].byday"), format!("'{other}' is not a day (MO, TU, WE, TH, FR, SA or SU)"))),
            };
            out.push(Opening { day, opens, closes, note: text("description").unwrap_or("").to_owned() });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "organisation,service_id,name,description,categories,min_age,max_age,needs,cost,cost_detail,access,wheelchair,sensory_friendly,autism_friendly_hours,languages,eligibility,email,phone,website,venue,address,town,postcode\n";

    #[test]
    fn the_csv_template_reads_and_gives_the_same_ids_each_time() {
        let csv = format!("{HEADER}Harbour Trust,,Quiet swim,A calm swim,sport;leisure,4,18,ASD,paid,£3,drop_in,yes,yes,Saturdays 8am,BSL,,swim@example.org,,https://swim.example.org,Harbour Pool,1 High St,Portsmouth,PO1 2AB\n");
        let a = read_csv("a.csv", csv.as_bytes()).unwrap();
        let b = read_csv("a.csv", csv.as_bytes()).unwrap();
        assert_eq!(a.services[0].id, b.services[0].id);
        assert_eq!(a.services[0].categories, [Category::Sport, Category::Leisure]);
        assert_eq!(a.locations.len(), 1);
        assert_eq!(a.services[0].locations, [a.locations[0].1.id]);
    }

    #[test]
    fn every_bad_csv_field_is_reported_with_its_line() {
        let csv = format!("{HEADER}Harbour Trust,,Quiet swim,A calm swim,swimming,4,30,XYZ,cheap,,drop_in,maybe,no,,,,not-an-email,,,Pool,1 High St,Portsmouth,nowhere\n,,x,y,sport,,,,free,,both,,,,,,,,,,,,\n");
        let problems = read_csv("bad.csv", csv.as_bytes()).unwrap_err();
        let got: Vec<_> = problems.iter().map(|p| (p.place.as_str(), p.field.as_str())).collect();
        assert_eq!(
            got,
            [
                ("line 2", "categories"),
                ("line 2", "max_age"),
                ("line 2", "needs"),
                ("line 2", "cost"),
                ("line 2", "wheelchair"),
                ("line 2", "postcode"),
                ("line 2", "categories"),
                ("line 2", "email"),
                ("line 3", "organisation"),
            ]
        );
        assert!(problems[0].to_string().starts_with("bad.csv, line 2, categories: 'swimming' is not a category"));
        let missing = read_csv("m.csv", b"organisation,name\nx,y\n").unwrap_err();
        assert_eq!(missing[0].field, "header");
    }

    #[test]
    fn an_oruk_service_keeps_its_ids_and_bad_records_name_their_place() {
        let feed = r#"{"contents": [{"id": "ac148810-d857-441c-9679-408f346de14b", "name": "Counselling", "status": "active",
            "organization": {"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "Org", "description": "d"},
            "attributes": [{"id": "5f0b7a3b-1a4e-4d0a-9d3a-1f2b3c4d5e6f", "taxonomy_term": {"id": "5f0b7a3b-1a4e-4d0a-9d3a-1f2b3c4d5e60", "name": "Emotional wellbeing and mental health", "description": "x"}}],
            "service_at_locations": [{"id": "e94c9f38-1e8f-4564-91d4-d53501ab1765", "location": {"id": "3a19ff88-4620-4d17-9830-ac1d859eb5d5", "location_type": "physical", "latitude": 50.8, "longitude": -1.1,
               "addresses": [{"id": "0e8b7f1a-1a4e-4d0a-9d3a-1f2b3c4d5e6f", "address_1": "1 Main St", "city": "Town", "state_province": "x", "postal_code": "PO1 2AB", "country": "GB", "address_type": "physical"}]}}]},
            {"id": "not-a-uuid", "name": "x", "status": "active"}]}"#;
        let mut into = Imported::default();
        let problems = read_oruk("feed.json", feed, &mut into).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].place.as_str(), problems[0].field.as_str()), ("contents[1]", "id"));
        assert_eq!(into.services[0].id.to_string(), "ac148810-d857-441c-9679-408f346de14b");
        assert_eq!(into.services[0].categories, [Category::MentalHealth]);
        assert_eq!(into.locations[0].1.coordinates.map(|c| c.latitude), Some(50.8));
        let syntax = read_oruk("feed.json", "{\n\"contents\": [", &mut Imported::default()).unwrap_err();
        assert_eq!(syntax[0].place, "line 2");
    }

    #[test]
    fn an_oruk_export_imported_again_is_the_same_service_with_its_schedules_languages_contacts_and_send_details() {
        use crate::demo::sample_service;
        use crate::search::Listing;
        let org = Organisation {
            id: sample_service().organisation,
            name: "Harbour Leisure Trust".into(),
            description: "Pools".into(),
            email: Some("hello@harbour.example.org".into()),
            website: Some("https://harbour.example.org".into()),
            phone: None,
        };
        let pool = Location {
            id: LocationId(Uuid::from_u128(0x5e0c_3000_0000_4000_8000_0000_0000_0001)),
            name: "Harbour Pool".into(),
            address: "1 Quay St".into(),
            town: "Portsmouth".into(),
            postcode: "PO1 3AA".parse().unwrap(),
            coordinates: Coordinates::new(50.829, -1.09),
        };
        let mut referral = sample_service();
        referral.id = ServiceId(Uuid::from_u128(0x5e0c_1000_0000_4000_8000_0000_0000_0002));
        referral.name = "Speech and language drop-in".into();
        (referral.access, referral.cost, referral.needs) = (AccessRoute::Referral, Cost::Funded, vec![]);
        (referral.wheelchair_access, referral.sensory_friendly, referral.autism_friendly_hours) = (false, false, None);
        referral.openings.push(Opening {
            day: Weekday::Tue,
            opens: NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
            closes: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
            note: String::new(),
        });
        for service in [sample_service(), referral] {
            let service = Service { locations: vec![pool.id], ..service };
            let listing = Listing {
                service: service.clone(),
                organisation_name: org.name.clone(),
                locations: vec![pool.clone()],
                last_checked: "2026-06-01".parse().unwrap(),
            };
            let at = "2026-06-01T10:00:00Z".parse().unwrap();
            let exported = crate::oruk::service(&listing, Some(&org), at, true);
            let mut imported = Imported::default();
            read_oruk("export.json", &exported.to_string(), &mut imported).unwrap();
            assert_eq!(imported.services, std::slice::from_ref(&service), "every field the model holds comes back");
            assert_eq!(imported.organisations, std::slice::from_ref(&org));
            assert_eq!(imported.locations, [(org.id, pool.clone())]);
            let again = Listing { service: imported.services[0].clone(), ..listing };
            assert_eq!(
                crate::oruk::service(&again, Some(&imported.organisations[0]), at, true),
                exported,
                "export, import, export: the same"
            );
        }
    }

    #[test]
    fn an_unreadable_schedule_time_is_named_by_its_place() {
        let feed = r#"{"id": "ac148810-d857-441c-9679-408f346de14b", "name": "Swim", "status": "active",
            "organization_id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
            "schedules": [{"id": "0e8b7f1a-1a4e-4d0a-9d3a-1f2b3c4d5e6f", "freq": "WEEKLY", "byday": "SA", "opens_at": "8am", "closes_at": "09:00"}]}"#;
        let problems = read_oruk("feed.json", feed, &mut Imported::default()).unwrap_err();
        assert_eq!((problems[0].field.as_str(), problems[0].place.as_str()), ("schedules[0].opens_at", "service"));
    }
}
