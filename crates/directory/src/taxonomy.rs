//! The directory's two taxonomies, published as ORUK `taxonomy` and `taxonomy_term` records with
//! fixed ids so that other directories' links to them keep working:
//!
//! * **Categories** follow the groups of the SEND Regulations 2014 Schedule 2 (the information a Local
//!   Offer must include: education, health, social care, travel, preparing for adulthood, information
//!   and advice) with leisure, sport and childcare split out as families search for them.
//! * **Needs** are the DfE type-of-need codes (SEN2 item 5.8a; school census) in plain words.
//! * **SEND details** are what ORUK has no field for: wheelchair access, sensory-friendly,
//!   autism-friendly hours (the hours in the attribute's `value`) and how a family gets the service,
//!   so that another directory (or Waymark importing its own feed) reads them back.

use serde::{Deserialize, Serialize};
use uuid::Uuid;
use waymark_domain::need::NeedCode;

/// A category of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Education,
    Health,
    SocialCare,
    ShortBreaks,
    Leisure,
    Sport,
    Childcare,
    PreparingForAdulthood,
    Travel,
    Advice,
    MentalHealth,
}

impl Category {
    pub const ALL: [Category; 11] = [
        Self::Education,
        Self::Health,
        Self::SocialCare,
        Self::ShortBreaks,
        Self::Leisure,
        Self::Sport,
        Self::Childcare,
        Self::PreparingForAdulthood,
        Self::Travel,
        Self::Advice,
        Self::MentalHealth,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Education => "education",
            Self::Health => "health",
            Self::SocialCare => "social_care",
            Self::ShortBreaks => "short_breaks",
            Self::Leisure => "leisure",
            Self::Sport => "sport",
            Self::Childcare => "childcare",
            Self::PreparingForAdulthood => "preparing_for_adulthood",
            Self::Travel => "travel",
            Self::Advice => "advice",
            Self::MentalHealth => "mental_health",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Education => "Education and learning",
            Self::Health => "Health and therapies",
            Self::SocialCare => "Social care",
            Self::ShortBreaks => "Short breaks",
            Self::Leisure => "Leisure and activities",
            Self::Sport => "Sport and swimming",
            Self::Childcare => "Childcare and early years",
            Self::PreparingForAdulthood => "Preparing for adulthood",
            Self::Travel => "Travel and transport",
            Self::Advice => "Information, advice and support",
            Self::MentalHealth => "Emotional wellbeing and mental health",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Education => "Nurseries, schools, colleges and learning support",
            Self::Health => "Therapies, clinics and health services",
            Self::SocialCare => "Social care support for disabled children, young people and their families",
            Self::ShortBreaks => "Breaks for disabled children and young people, and a rest for their carers",
            Self::Leisure => "Clubs, activities and things to do",
            Self::Sport => "Sports clubs, swimming and physical activity",
            Self::Childcare => "Childminders, nurseries and holiday care",
            Self::PreparingForAdulthood => "Work, independent living, friends and community, and good health",
            Self::Travel => "Getting to school, college and activities",
            Self::Advice => "Information, advice and support for families, including the parent carer forum",
            Self::MentalHealth => "Support with feelings, worries and mental health",
        }
    }

    /// Parse a key (`sport`) or a term id.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        Self::ALL.into_iter().find(|c| c.key().eq_ignore_ascii_case(t) || c.term_id().to_string().eq_ignore_ascii_case(t))
    }

    fn index(self) -> u128 {
        Self::ALL.iter().position(|c| *c == self).expect("listed") as u128
    }

    /// The category's ORUK `taxonomy_term.id`: fixed forever.
    pub fn term_id(self) -> Uuid {
        Uuid::from_u128(CATEGORY_TERM_BASE + self.index() + 1)
    }
}

/// The SEN2 need types searched and published: every code except "SEN support but no specialist
/// assessment", which says no need was identified.
pub const NEEDS: [NeedCode; 13] = [
    NeedCode::Asd,
    NeedCode::Slcn,
    NeedCode::Semh,
    NeedCode::Spld,
    NeedCode::Mld,
    NeedCode::Sld,
    NeedCode::Pmld,
    NeedCode::Hi,
    NeedCode::Vi,
    NeedCode::Msi,
    NeedCode::Pd,
    NeedCode::Ds,
    NeedCode::Oth,
];

/// A need in the words families use (the SEN2 need types, item 5.8a, reworded).
pub fn need_words(need: NeedCode) -> &'static str {
    match need {
        NeedCode::Asd => "Autism",
        NeedCode::Slcn => "Speech, language and communication",
        NeedCode::Semh => "Social, emotional and mental health",
        NeedCode::Spld => "Specific learning difficulty, such as dyslexia",
        NeedCode::Mld => "Moderate learning difficulty",
        NeedCode::Sld => "Severe learning difficulty",
        NeedCode::Pmld => "Profound and multiple learning difficulties",
        NeedCode::Hi => "Deaf or hearing loss",
        NeedCode::Vi => "Blind or sight loss",
        NeedCode::Msi => "Deafblind (multi-sensory impairment)",
        NeedCode::Pd => "Physical disability",
        NeedCode::Ds => "Down syndrome",
        NeedCode::Oth => "Other needs or disabilities",
        NeedCode::Nsa => "Needs not yet assessed",
    }
}

/// A need's key in links and forms (`asd`), and back.
pub fn need_key(need: NeedCode) -> String {
    need.code().to_ascii_lowercase()
}

pub fn parse_need(text: &str) -> Option<NeedCode> {
    let t = text.trim();
    NEEDS.into_iter().find(|n| n.code().eq_ignore_ascii_case(t) || need_term_id(*n).to_string().eq_ignore_ascii_case(t))
}

/// A need's ORUK `taxonomy_term.id`: fixed forever.
pub fn need_term_id(need: NeedCode) -> Uuid {
    let i = NEEDS.iter().position(|n| *n == need).unwrap_or(NEEDS.len()) as u128;
    Uuid::from_u128(NEED_TERM_BASE + i + 1)
}

// Version-4-shaped ids (version nibble 4, variant 10) so validators expecting UUIDs accept them.
const CATEGORY_TERM_BASE: u128 = 0x6f1c_0a2e_5c1d_4a61_8000_0000_0000_0000;
const NEED_TERM_BASE: u128 = 0x6f1c_0a2e_5c1d_4a62_8000_0000_0000_0000;
const SEND_TERM_BASE: u128 = 0x6f1c_0a2e_5c1d_4a63_8000_0000_0000_0000;

/// A SEND detail of a service that ORUK 3.0 has no field for, published as a taxonomy term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendDetail {
    Wheelchair,
    SensoryFriendly,
    /// The hours, in words, are the attribute's `value`.
    AutismFriendlyHours,
    ByReferral,
    DropIn,
}

impl SendDetail {
    pub const ALL: [SendDetail; 5] = [Self::Wheelchair, Self::SensoryFriendly, Self::AutismFriendlyHours, Self::ByReferral, Self::DropIn];

    pub fn key(self) -> &'static str {
        match self {
            Self::Wheelchair => "wheelchair",
            Self::SensoryFriendly => "sensory_friendly",
            Self::AutismFriendlyHours => "autism_friendly_hours",
            Self::ByReferral => "referral",
            Self::DropIn => "drop_in",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Wheelchair => "Wheelchair accessible",
            Self::SensoryFriendly => "Sensory-friendly",
            Self::AutismFriendlyHours => "Autism-friendly hours",
            Self::ByReferral => "By referral",
            Self::DropIn => "Drop in or book directly",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Wheelchair => "The service can be reached and used in a wheelchair",
            Self::SensoryFriendly => "Quieter, calmer surroundings for children with sensory needs",
            Self::AutismFriendlyHours => "Sessions set aside for autistic children and young people (when, in the value)",
            Self::ByReferral => "Someone refers the child or young person first",
            Self::DropIn => "Families turn up or book directly",
        }
    }

    /// The detail's ORUK `taxonomy_term.id`: fixed forever.
    pub fn term_id(self) -> Uuid {
        Uuid::from_u128(SEND_TERM_BASE + Self::ALL.iter().position(|d| *d == self).expect("listed") as u128 + 1)
    }

    /// A detail from its key, term id or name.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        Self::ALL.into_iter().find(|d| {
            d.key().eq_ignore_ascii_case(t) || d.term_id().to_string().eq_ignore_ascii_case(t) || d.label().eq_ignore_ascii_case(t)
        })
    }
}

/// The taxonomies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taxonomy {
    Categories,
    Needs,
    SendDetails,
}

impl Taxonomy {
    pub const ALL: [Taxonomy; 3] = [Self::Categories, Self::Needs, Self::SendDetails];

    pub fn id(self) -> Uuid {
        match self {
            Self::Categories => Uuid::from_u128(0x6f1c_0a2e_5c1d_4a60_8000_0000_0000_0001),
            Self::Needs => Uuid::from_u128(0x6f1c_0a2e_5c1d_4a60_8000_0000_0000_0002),
            Self::SendDetails => Uuid::from_u128(0x6f1c_0a2e_5c1d_4a60_8000_0000_0000_0003),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Categories => "Local Offer categories",
            Self::Needs => "Special educational needs and disabilities",
            Self::SendDetails => "Local Offer SEND details",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Categories => "The kinds of service in the Local Offer (SEND Regulations 2014, Schedule 2)",
            Self::Needs => "The DfE's types of special educational need (SEN2 return, school census)",
            Self::SendDetails => "Access, sensory and autism-friendly provision, and how families get the service",
        }
    }

    /// The taxonomy's terms: (id, name, description).
    pub fn terms(self) -> Vec<Term> {
        match self {
            Self::Categories => Category::ALL
                .into_iter()
                .map(|c| Term { id: c.term_id(), taxonomy: self, name: c.label(), description: c.description(), code: c.key().to_owned() })
                .collect(),
            Self::Needs => NEEDS
                .into_iter()
                .map(|n| Term {
                    id: need_term_id(n),
                    taxonomy: self,
                    name: need_words(n),
                    description: n.label(),
                    code: n.code().to_owned(),
                })
                .collect(),
            Self::SendDetails => SendDetail::ALL
                .into_iter()
                .map(|d| Term { id: d.term_id(), taxonomy: self, name: d.label(), description: d.description(), code: d.key().to_owned() })
                .collect(),
        }
    }
}

/// One term of a taxonomy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub id: Uuid,
    pub taxonomy: Taxonomy,
    pub name: &'static str,
    pub description: &'static str,
    /// The term's code (`sport`, `ASD`).
    pub code: String,
}

/// Every term of every taxonomy.
pub fn all_terms() -> Vec<Term> {
    Taxonomy::ALL.into_iter().flat_map(Taxonomy::terms).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_ids_are_distinct_version_4_uuids_and_parse_back() {
        let terms = all_terms();
        let mut ids: Vec<_> = terms.iter().map(|t| t.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), terms.len());
        for t in &terms {
            assert_eq!(t.id.get_version_num(), 4, "{}", t.id);
        }
        for c in Category::ALL {
            assert_eq!(Category::parse(&c.term_id().to_string()), Some(c));
            assert_eq!(Category::parse(c.key()), Some(c));
        }
        for n in NEEDS {
            assert_eq!(parse_need(&need_term_id(n).to_string()), Some(n));
        }
        for d in SendDetail::ALL {
            assert_eq!(SendDetail::parse(&d.term_id().to_string()), Some(d));
            assert_eq!(SendDetail::parse(d.label()), Some(d));
        }
    }
}
