//! How a plan or placement names a setting: a GIAS URN, a UKPRN (post-16 providers), or an SEN2 setting
//! code where the setting has neither (SEN2 items 4.7a-c and 5.7a-c; exactly one of the three).

use super::{serde_via_str, IdentifierError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Unique Reference Number of an establishment in Get Information About Schools (up to 6 digits in
/// the SEN2 schema; GIAS issues 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Urn(u32);

/// UK Provider Reference Number (8 digits, starting with 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ukprn(u32);

impl Urn {
    pub fn number(self) -> u32 {
        self.0
    }
}
impl Ukprn {
    pub fn number(self) -> u32 {
        self.0
    }
}

impl FromStr for Urn {
    type Err = IdentifierError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim();
        if t.is_empty() || t.len() > 6 || !t.bytes().all(|b| b.is_ascii_digit()) || t.bytes().all(|b| b == b'0') {
            return Err(IdentifierError::new("URN", text, "urn_format", "a URN is a number of up to 6 digits"));
        }
        Ok(Self(t.parse().expect("digits")))
    }
}

impl FromStr for Ukprn {
    type Err = IdentifierError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim();
        if t.len() != 8 || !t.bytes().all(|b| b.is_ascii_digit()) || !t.starts_with('1') {
            return Err(IdentifierError::new("UKPRN", text, "ukprn_format", "a UKPRN is 8 digits starting with 1"));
        }
        Ok(Self(t.parse().expect("digits")))
    }
}

impl fmt::Display for Urn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl fmt::Display for Ukprn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
serde_via_str!(Urn);
serde_via_str!(Ukprn);

/// SEN2 setting codes for a setting with no URN or UKPRN (SEN2 item 4.7c / 5.7c).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SettingCode {
    /// Arrangements by the LA under s61 CFA 2014 (EOTAS).
    #[serde(rename = "OLA")]
    Ola,
    /// Arrangements by the parent or young person under s42(5), excluding EHE.
    #[serde(rename = "OPA")]
    Opa,
    /// Elective home education.
    #[serde(rename = "EHE")]
    Ehe,
    /// Early years provider with no GIAS URN.
    #[serde(rename = "EYP")]
    Eyp,
    /// A type of setting is specified but none is named (prompts a DfE query).
    #[serde(rename = "OTH")]
    Oth,
    /// Placements only: not in education, employment or training (16-25).
    #[serde(rename = "NEET")]
    Neet,
    /// Placements only: not in education or training, notice to cease issued.
    #[serde(rename = "NIEC")]
    Niec,
    /// Placements only: not in education or training, other (prompts a DfE query).
    #[serde(rename = "NIEO")]
    Nieo,
}

impl SettingCode {
    pub const ALL: [SettingCode; 8] = [Self::Ola, Self::Opa, Self::Ehe, Self::Eyp, Self::Oth, Self::Neet, Self::Niec, Self::Nieo];

    pub fn code(self) -> &'static str {
        match self {
            Self::Ola => "OLA",
            Self::Opa => "OPA",
            Self::Ehe => "EHE",
            Self::Eyp => "EYP",
            Self::Oth => "OTH",
            Self::Neet => "NEET",
            Self::Niec => "NIEC",
            Self::Nieo => "NIEO",
        }
    }

    /// NEET, NIEC and NIEO describe where someone actually is (SEN2 5.7c), never what a plan names (4.7c).
    pub fn placement_only(self) -> bool {
        matches!(self, Self::Neet | Self::Niec | Self::Nieo)
    }
}

impl FromStr for SettingCode {
    type Err = IdentifierError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim().to_ascii_uppercase();
        Self::ALL.into_iter().find(|c| c.code() == t).ok_or_else(|| {
            IdentifierError::new(
                "setting code",
                text,
                "setting_code",
                "is not an SEN2 setting code (OLA, OPA, EHE, EYP, OTH, NEET, NIEC, NIEO)",
            )
        })
    }
}

/// Exactly one way of naming a setting (SEN2: exactly one of URN, UKPRN or setting code).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SettingRef {
    Urn(Urn),
    Ukprn(Ukprn),
    Code(SettingCode),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urn_ukprn_and_setting_codes_follow_the_sen2_formats() {
        assert_eq!("123456".parse::<Urn>().unwrap().number(), 123456);
        assert_eq!("1234567".parse::<Urn>().unwrap_err().rule, "urn_format");
        assert_eq!("10012345".parse::<Ukprn>().unwrap().number(), 10012345);
        assert_eq!("20012345".parse::<Ukprn>().unwrap_err().rule, "ukprn_format");
        assert!("neet".parse::<SettingCode>().unwrap().placement_only());
        assert!(!"EHE".parse::<SettingCode>().unwrap().placement_only());
        assert_eq!("XYZ".parse::<SettingCode>().unwrap_err().rule, "setting_code");
    }
}
