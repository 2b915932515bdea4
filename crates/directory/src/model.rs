//! The directory's records: organisations, their locations, and the services they run, with the
//! Local Offer's SEND details. Every record is checked when it is built ([`Service::check`]), so a
//! stored service is always one a family page and the ORUK API can show.

use chrono::{NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;
use waymark_domain::identifiers::Postcode;
use waymark_domain::need::NeedCode;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self)
            }
        }
    };
}

id_type!(
    /// A service (ORUK `service.id`).
    ServiceId
);
id_type!(
    /// An organisation that runs services (ORUK `organization.id`).
    OrganisationId
);
id_type!(
    /// A place services are delivered (ORUK `location.id`).
    LocationId
);

/// A point on the earth (WGS84 degrees), as the ONS Postcode Directory gives a postcode's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

impl Coordinates {
    /// Coordinates inside the ranges latitude and longitude can take; `None` otherwise.
    pub fn new(latitude: f64, longitude: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)).then_some(Self { latitude, longitude })
    }
}

/// What a service costs a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cost {
    Free,
    Paid,
    /// Paid for by the council, the NHS or another funder for those eligible (a short break, say).
    Funded,
}

impl Cost {
    pub const ALL: [Cost; 3] = [Self::Free, Self::Paid, Self::Funded];

    pub fn key(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Paid => "paid",
            Self::Funded => "funded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Free => "Free",
            Self::Paid => "You pay",
            Self::Funded => "Funded for those eligible",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key().eq_ignore_ascii_case(text.trim()))
    }
}

/// How a family gets the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessRoute {
    /// Someone (a GP, school, social worker or the family) refers the child first.
    Referral,
    /// Turn up or book directly.
    DropIn,
    /// Either.
    Both,
}

impl AccessRoute {
    pub const ALL: [AccessRoute; 3] = [Self::Referral, Self::DropIn, Self::Both];

    pub fn key(self) -> &'static str {
        match self {
            Self::Referral => "referral",
            Self::DropIn => "drop_in",
            Self::Both => "both",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Referral => "By referral",
            Self::DropIn => "Drop in or book directly",
            Self::Both => "By referral, or drop in",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key().eq_ignore_ascii_case(text.trim()))
    }

    /// Whether a family looking for `wanted` can use a service reached this way.
    pub fn allows(self, wanted: AccessRoute) -> bool {
        self == Self::Both || wanted == Self::Both || self == wanted
    }
}

/// One weekly opening: a day and the hours (ORUK `schedule`, weekly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    pub day: Weekday,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    /// For example "Autism-friendly session: quieter, lights dimmed".
    #[serde(default)]
    pub note: String,
}

/// An organisation that runs services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// A place services are delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub id: LocationId,
    pub name: String,
    pub address: String,
    pub town: String,
    pub postcode: Postcode,
    /// From the postcode directory; `None` when the postcode is not known there.
    #[serde(default)]
    pub coordinates: Option<Coordinates>,
}

/// The youngest and oldest ages a service is for, in years (0-25 for the Local Offer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ages {
    pub min: u8,
    pub max: u8,
}

impl Ages {
    /// The whole 0-25 range of the SEND system (Children and Families Act 2014 s83: a "young person" is
    /// over compulsory school age and under 25; the Local Offer covers 0-25, Code of Practice 4.1).
    pub const ALL: Ages = Ages { min: 0, max: 25 };

    pub fn includes(self, age: u8) -> bool {
        (self.min..=self.max).contains(&age)
    }
}

/// A service as families see it: what it is, who it suits and how to reach it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub id: ServiceId,
    pub organisation: OrganisationId,
    pub name: String,
    pub description: String,
    /// At least one.
    pub categories: Vec<crate::Category>,
    pub ages: Ages,
    /// The needs it is suitable for; empty means every need.
    #[serde(default)]
    pub needs: Vec<NeedCode>,
    pub cost: Cost,
    /// For example "£4 a session".
    #[serde(default)]
    pub cost_detail: String,
    pub access: AccessRoute,
    #[serde(default)]
    pub wheelchair_access: bool,
    #[serde(default)]
    pub sensory_friendly: bool,
    /// When autism-friendly sessions run, in words ("Saturdays 8am to 9am"); `None` when there are none.
    #[serde(default)]
    pub autism_friendly_hours: Option<String>,
    /// Languages besides English the service is offered in.
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub eligibility: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub openings: Vec<Opening>,
    #[serde(default)]
    pub locations: Vec<LocationId>,
    /// A service that has stopped stays in the directory's history but not on its pages.
    pub active: bool,
}

/// Why a service cannot be saved: the field and what is wrong, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    /// The field as the form and the CSV template name it (`name`, `min_age`, ...).
    pub field: &'static str,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self { field, reason: reason.into() }
    }
}

/// The longest name accepted, and the longest description.
pub const MAX_NAME: usize = 200;
pub const MAX_DESCRIPTION: usize = 5_000;

impl Service {
    /// A new service with nothing filled in yet (for every age, free, reached either way, running): the
    /// add-a-service form starts here and [`Service::check`] says what is still missing.
    pub fn blank(id: ServiceId, organisation: OrganisationId) -> Self {
        Self {
            id,
            organisation,
            name: String::new(),
            description: String::new(),
            categories: Vec::new(),
            ages: Ages::ALL,
            needs: Vec::new(),
            cost: Cost::Free,
            cost_detail: String::new(),
            access: AccessRoute::Both,
            wheelchair_access: false,
            sensory_friendly: false,
            autism_friendly_hours: None,
            languages: Vec::new(),
            eligibility: String::new(),
            email: None,
            phone: None,
            website: None,
            openings: Vec::new(),
            locations: Vec::new(),
            active: true,
        }
    }

    /// Every problem with the service, in field order (empty when it can be saved).
    pub fn check(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(FieldError::new("name", "Enter the service's name"));
        } else if self.name.chars().count() > MAX_NAME {
            out.push(FieldError::new("name", format!("The name must be {MAX_NAME} characters or fewer")));
        }
        if self.description.trim().is_empty() {
            out.push(FieldError::new("description", "Enter a description of the service"));
        } else if self.description.chars().count() > MAX_DESCRIPTION {
            out.push(FieldError::new("description", format!("The description must be {MAX_DESCRIPTION} characters or fewer")));
        }
        if self.categories.is_empty() {
            out.push(FieldError::new("categories", "Choose at least one category"));
        }
        if self.ages.max > 25 {
            out.push(FieldError::new("max_age", "The oldest age must be 25 or under"));
        }
        if self.ages.min > self.ages.max {
            out.push(FieldError::new("min_age", "The youngest age must not be more than the oldest age"));
        }
        if let Some(e) = &self.email {
            if !looks_like_email(e) {
                out.push(FieldError::new("email", "Enter an email address like name@example.org"));
            }
        }
        if let Some(w) = &self.website {
            if !(w.starts_with("https://") || w.starts_with("http://")) || w.contains(char::is_whitespace) {
                out.push(FieldError::new("website", "Enter a website address starting with https://"));
            }
        }
        for o in &self.openings {
            if o.opens >= o.closes {
                out.push(FieldError::new("openings", "Each opening must close after it opens"));
                break;
            }
        }
        out
    }

    /// The words full-text search indexes: name, description, needs and SEND details. Not the category
    /// names: "Sport and swimming" would make every sports club a match for "swimming"; the category
    /// filter does that job.
    pub fn search_text(&self) -> String {
        let mut words = vec![self.name.clone(), self.description.clone()];
        words.extend(self.needs.iter().map(|n| crate::need_words(*n).to_owned()));
        if let Some(h) = &self.autism_friendly_hours {
            words.push(format!("autism-friendly {h}"));
        }
        if self.sensory_friendly {
            words.push("sensory-friendly".into());
        }
        words.extend(self.languages.iter().cloned());
        words.join(" ")
    }
}

fn looks_like_email(text: &str) -> bool {
    let t = text.trim();
    match t.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !t.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// The longest venue name, address line or town accepted.
pub const MAX_VENUE_TEXT: usize = 200;

impl Location {
    /// A new venue as a provider types it on the add-a-service form (`venue_name`, `venue_address`,
    /// `venue_town`, `venue_postcode`): `Ok(None)` when every field is empty (no new venue), otherwise
    /// the venue, or every problem naming its field. Its coordinates are the postcode directory's,
    /// added by the caller, as an import's are.
    pub fn read_new(id: LocationId, name: &str, address: &str, town: &str, postcode: &str) -> Result<Option<Self>, Vec<FieldError>> {
        let (name, address, town, postcode) = (name.trim(), address.trim(), town.trim(), postcode.trim());
        if [name, address, town, postcode].iter().all(|f| f.is_empty()) {
            return Ok(None);
        }
        let mut errors = Vec::new();
        let mut text = |field: &'static str, value: &str, what: &str, required: bool| {
            if required && value.is_empty() {
                errors.push(FieldError::new(field, format!("Enter the venue's {what}")));
            } else if value.chars().count() > MAX_VENUE_TEXT {
                errors.push(FieldError::new(field, format!("The venue's {what} must be {MAX_VENUE_TEXT} characters or fewer")));
            }
        };
        text("venue_name", name, "name", true);
        text("venue_address", address, "address", true);
        text("venue_town", town, "town", false);
        let parsed = postcode.parse::<Postcode>();
        if postcode.is_empty() {
            errors.push(FieldError::new("venue_postcode", "Enter the venue's postcode"));
        } else if parsed.is_err() {
            errors.push(FieldError::new("venue_postcode", "Enter a full postcode, like PO1 2AB"));
        }
        match parsed {
            Ok(postcode) if errors.is_empty() => Ok(Some(Self {
                id,
                name: name.to_owned(),
                address: address.to_owned(),
                town: town.to_owned(),
                postcode,
                coordinates: None,
            })),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_venue_is_all_empty_or_names_each_missing_or_bad_field() {
        let id = LocationId(uuid::Uuid::from_u128(9));
        assert_eq!(Location::read_new(id, " ", "", "", "").unwrap(), None);
        let venue = Location::read_new(id, "Harbour Pool", "1 Quay St", "Portsmouth", "po1 3aa").unwrap().unwrap();
        assert_eq!((venue.name.as_str(), venue.postcode.as_str(), venue.coordinates), ("Harbour Pool", "PO1 3AA", None));
        let fields = |r: Result<Option<Location>, Vec<FieldError>>| r.unwrap_err().into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields(Location::read_new(id, "", "", "", "nowhere")), ["venue_name", "venue_address", "venue_postcode"]);
        assert_eq!(fields(Location::read_new(id, "Pool", "1 Quay St", "", "")), ["venue_postcode"]);
        assert_eq!(fields(Location::read_new(id, &"x".repeat(201), "1 Quay St", "", "PO1 3AA")), ["venue_name"]);
    }
}
