//! Who a row is about, as the supplying agency knows them: its identifiers (UPN, ULN, NHS number, the
//! LA's social care id), names, date of birth, sex and postcode. Each dataset names the identifiers
//! that link its rows to a child ([`Dataset::link_kinds`]); [`PersonKeys::link_keys`] gives every
//! identifier a row carries in the order to try them. Matching on anything weaker (names, date of
//! birth, postcode) is identity matching's job, not this module's.

use super::{Dataset, FactError};
use crate::calendar::Date;
use crate::child::{NewChild, PersonName, Sex};
use crate::identifiers::{Ethnicity, LaCode, NhsNumber, Postcode, Uln, Upn};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The longest social care id accepted.
pub const MAX_SOCIAL_CARE_ID: usize = 36;

/// A child's id in an LA's children's social care system (the CIN census `LAchildID`): unique within
/// that LA only, so it is always paired with the LA. [U] The CIN census allows up to 10 characters;
/// case management systems differ, so up to 36 letters, digits, `-`, `_` or `/` are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocialCareId(String);

impl SocialCareId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for SocialCareId {
    type Err = FactError;
    fn from_str(text: &str) -> Result<Self, FactError> {
        let t = text.trim();
        let ok = !t.is_empty()
            && t.len() <= MAX_SOCIAL_CARE_ID
            && t.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'));
        if !ok {
            return Err(FactError::new(
                "social_care_id",
                text,
                "social_care_id_format",
                format!("a social care id is 1 to {MAX_SOCIAL_CARE_ID} letters, digits, '-', '_' or '/'"),
            ));
        }
        Ok(Self(t.to_owned()))
    }
}

impl fmt::Display for SocialCareId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
crate::identifiers::serde_via_str!(SocialCareId);

/// The kinds of identifier that link a row to a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Upn,
    Uln,
    NhsNumber,
    SocialCareId,
}

impl LinkKind {
    /// Every kind, in the order tried after the dataset's own.
    pub const ALL: [LinkKind; 4] = [Self::Upn, Self::Uln, Self::NhsNumber, Self::SocialCareId];

    /// The column that carries it in the import formats.
    pub fn column(self) -> &'static str {
        match self {
            Self::Upn => "upn",
            Self::Uln => "uln",
            Self::NhsNumber => "nhs_number",
            Self::SocialCareId => "social_care_id",
        }
    }
}

/// One identifier a row carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkKey {
    Upn(Upn),
    Uln(Uln),
    NhsNumber(NhsNumber),
    /// Unique only within the LA.
    SocialCareId(LaCode, SocialCareId),
}

impl LinkKey {
    pub fn kind(&self) -> LinkKind {
        match self {
            Self::Upn(_) => LinkKind::Upn,
            Self::Uln(_) => LinkKind::Uln,
            Self::NhsNumber(_) => LinkKind::NhsNumber,
            Self::SocialCareId(..) => LinkKind::SocialCareId,
        }
    }

    /// The identifier as text (a social care id without its LA).
    pub fn value(&self) -> String {
        match self {
            Self::Upn(v) => v.to_string(),
            Self::Uln(v) => v.to_string(),
            Self::NhsNumber(v) => v.to_string(),
            Self::SocialCareId(_, v) => v.to_string(),
        }
    }
}

/// Everything a row says about who it is about. Personal data: never logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonKeys {
    /// The local authority responsible for the child (normally where they live): the LA whose data
    /// the row is, and the LA of a child created from it.
    pub la: LaCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<Upn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uln: Option<Uln>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nhs_number: Option<NhsNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub social_care_id: Option<SocialCareId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<PersonName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<Postcode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ethnicity: Option<Ethnicity>,
}

impl PersonKeys {
    /// Keys with only the LA: fill in what the row has.
    pub fn new(la: LaCode) -> Self {
        Self {
            la,
            upn: None,
            uln: None,
            nhs_number: None,
            social_care_id: None,
            name: None,
            date_of_birth: None,
            sex: None,
            postcode: None,
            ethnicity: None,
        }
    }

    fn key(&self, kind: LinkKind) -> Option<LinkKey> {
        match kind {
            LinkKind::Upn => self.upn.clone().map(LinkKey::Upn),
            LinkKind::Uln => self.uln.clone().map(LinkKey::Uln),
            LinkKind::NhsNumber => self.nhs_number.clone().map(LinkKey::NhsNumber),
            LinkKind::SocialCareId => self.social_care_id.clone().map(|id| LinkKey::SocialCareId(self.la, id)),
        }
    }

    /// The first of the dataset's own link identifiers the row carries: what makes two rows of one
    /// file the same person. `None` when the row has none of them (it cannot be imported).
    pub fn dataset_key(&self, dataset: Dataset) -> Option<LinkKey> {
        dataset.link_kinds().iter().find_map(|&k| self.key(k))
    }

    /// Every identifier the row carries, in the order to try them when linking: the dataset's own
    /// link identifiers first (in its order), then the others (UPN, ULN, NHS number, social care id).
    pub fn link_keys(&self, dataset: Dataset) -> Vec<LinkKey> {
        let own = dataset.link_kinds();
        own.iter().chain(LinkKind::ALL.iter().filter(|k| !own.contains(k))).filter_map(|&k| self.key(k)).collect()
    }

    /// The new child this row describes, when it has what a child record needs: names, date of
    /// birth and sex (and, always, the LA). Otherwise the columns that are missing.
    pub fn new_child(&self) -> Result<NewChild, Vec<&'static str>> {
        let mut missing = Vec::new();
        if self.name.is_none() {
            missing.extend(["forename", "surname"]);
        }
        if self.date_of_birth.is_none() {
            missing.push("date_of_birth");
        }
        if self.sex.is_none() {
            missing.push("sex");
        }
        match (&self.name, self.date_of_birth, self.sex) {
            (Some(name), Some(date_of_birth), Some(sex)) => Ok(NewChild {
                name: name.clone(),
                date_of_birth,
                sex,
                ethnicity: self.ethnicity,
                postcode: self.postcode.clone(),
                upn: self.upn.clone(),
                uln: self.uln.clone(),
                nhs_number: self.nhs_number.clone(),
                responsible_la: self.la,
            }),
            _ => Err(missing),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_iso_date;

    fn keys() -> PersonKeys {
        let mut k = PersonKeys::new("851".parse().unwrap());
        k.upn = Some("X931200124123".parse().unwrap());
        k.nhs_number = Some("9434765919".parse().unwrap());
        k.social_care_id = Some("SC-0042".parse().unwrap());
        k
    }

    #[test]
    fn a_row_links_by_its_datasets_identifiers_first_then_any_other_it_carries() {
        let k = keys();
        let kinds: Vec<LinkKind> = k.link_keys(Dataset::ChildInNeed).iter().map(LinkKey::kind).collect();
        assert_eq!(kinds, [LinkKind::SocialCareId, LinkKind::Upn, LinkKind::NhsNumber]);
        let kinds: Vec<LinkKind> = k.link_keys(Dataset::TwoYearReview).iter().map(LinkKey::kind).collect();
        assert_eq!(kinds, [LinkKind::NhsNumber, LinkKind::Upn, LinkKind::SocialCareId]);
        assert_eq!(k.dataset_key(Dataset::Post16Activity).map(|k| k.kind()), Some(LinkKind::Upn), "ULN absent, UPN next");
        assert_eq!(k.dataset_key(Dataset::Settings), None);
    }

    #[test]
    fn a_social_care_id_is_unique_only_within_its_la() {
        let mut a = keys();
        let mut b = keys();
        b.la = "852".parse().unwrap();
        assert_ne!(a.dataset_key(Dataset::ChildInNeed), b.dataset_key(Dataset::ChildInNeed));
        a.la = b.la;
        assert_eq!(a.dataset_key(Dataset::ChildInNeed), b.dataset_key(Dataset::ChildInNeed));
        assert_eq!("".parse::<SocialCareId>().unwrap_err().rule, "social_care_id_format");
        assert_eq!("has space".parse::<SocialCareId>().unwrap_err().rule, "social_care_id_format");
        assert_eq!("x".repeat(37).parse::<SocialCareId>().unwrap_err().rule, "social_care_id_format");
    }

    #[test]
    fn a_new_child_needs_names_date_of_birth_and_sex() {
        let mut k = keys();
        assert_eq!(k.new_child().unwrap_err(), ["forename", "surname", "date_of_birth", "sex"]);
        k.name = Some(PersonName::new("Sam", "Example").unwrap());
        k.date_of_birth = Some(parse_iso_date("2015-03-01").unwrap());
        assert_eq!(k.new_child().unwrap_err(), ["sex"]);
        k.sex = Some(Sex::Female);
        let child = k.new_child().unwrap();
        assert_eq!(child.upn, k.upn);
        assert_eq!(child.responsible_la, k.la);
    }
}
