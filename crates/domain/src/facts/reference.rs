//! Reference data the person-level facts point at: localities (the areas an LA plans in), settings
//! (from Get Information About Schools, with SEN units and resourced provision) and population (ONS
//! mid-year estimates by LA, single year of age and sex). Public data, not personal.

use super::codes::code_set;
use super::FactError;
use crate::calendar::Date;
use crate::child::Sex;
use crate::identifiers::{LaCode, Ukprn, Urn};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

/// The longest locality code and name accepted.
pub const MAX_LOCALITY_CODE: usize = 20;
pub const MAX_NAME: usize = 200;

/// An LA's own code for one of its localities, e.g. `DSPL1`: 1 to 20 letters, digits, `-` or `_`,
/// stored upper-case. Unique within the LA.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalityCode(String);

impl LocalityCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for LocalityCode {
    type Err = FactError;
    fn from_str(text: &str) -> Result<Self, FactError> {
        let t = text.trim();
        if t.is_empty() || t.len() > MAX_LOCALITY_CODE || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(FactError::new(
                "locality",
                text,
                "locality_code_format",
                format!("a locality code is 1 to {MAX_LOCALITY_CODE} letters, digits, '-' or '_'"),
            ));
        }
        Ok(Self(t.to_ascii_uppercase()))
    }
}

impl fmt::Display for LocalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
crate::identifiers::serde_via_str!(LocalityCode);

/// A name (of a locality or setting): not blank, one line, at most 200 characters.
pub fn check_name(field: &'static str, text: &str) -> Result<String, FactError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(FactError::new(field, text, "name_blank", "must not be blank"));
    }
    if t.chars().count() > MAX_NAME || t.chars().any(char::is_control) {
        return Err(FactError::new(field, text, "name_format", format!("must be one line of at most {MAX_NAME} characters")));
    }
    Ok(t.to_owned())
}

/// An area an LA plans in: Hertfordshire's nine DSPL ("Delivering Special Provision Locally") areas,
/// or any LA's localities, used to ask whether a child attends school in the area they live in
/// (Hertfordshire's proxy indicator d).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locality {
    pub la: LaCode,
    pub code: LocalityCode,
    pub name: String,
}

code_set! {
    /// What kind of setting, grouped as DfE's SEN statistics group GIAS establishment types.
    pub enum SettingType (field = "setting_type", rule = "setting_type_code") {
        MainstreamLa = "mainstream_la" => "LA-maintained mainstream school",
        MainstreamAcademy = "mainstream_academy" => "Mainstream academy or free school",
        SpecialLa = "special_la" => "LA-maintained special school",
        SpecialAcademy = "special_academy" => "Special academy or free school",
        SpecialNonMaintained = "special_non_maintained" => "Non-maintained special school",
        SpecialIndependent = "special_independent" => "Independent special school",
        IndependentMainstream = "independent_mainstream" => "Independent mainstream school",
        AlternativeProvision = "alternative_provision" => "Pupil referral unit or alternative provision (including AP academies)",
        FeCollege = "fe_college" => "General further education college",
        SixthFormCollege = "sixth_form_college" => "Sixth form college",
        SpecialistPost16 = "specialist_post16" => "Specialist post-16 institution",
        EarlyYears = "early_years" => "Early years provider or nursery school",
        Other = "other" => "Other setting",
    }
}

impl SettingType {
    /// Special schools of every kind (Portsmouth 2016 Appendix I indicators 4 to 6).
    pub fn is_special(self) -> bool {
        matches!(self, Self::SpecialLa | Self::SpecialAcademy | Self::SpecialNonMaintained | Self::SpecialIndependent)
    }

    /// Mainstream schools, state-funded or independent (Appendix I indicator 2).
    pub fn is_mainstream(self) -> bool {
        matches!(self, Self::MainstreamLa | Self::MainstreamAcademy | Self::IndependentMainstream)
    }

    /// Independent schools, mainstream or special (Appendix I indicator 5).
    pub fn is_independent(self) -> bool {
        matches!(self, Self::SpecialIndependent | Self::IndependentMainstream)
    }

    /// State-funded schools (Hertfordshire proxy indicator d counts "a state funded school").
    pub fn is_state_funded_school(self) -> bool {
        matches!(self, Self::MainstreamLa | Self::MainstreamAcademy | Self::SpecialLa | Self::SpecialAcademy | Self::AlternativeProvision)
    }
}

code_set! {
    /// Phase of education, as GIAS records it.
    pub enum Phase (field = "phase", rule = "phase_code") {
        Nursery = "nursery" => "Nursery",
        Primary = "primary" => "Primary",
        MiddlePrimary = "middle_primary" => "Middle deemed primary",
        MiddleSecondary = "middle_secondary" => "Middle deemed secondary",
        Secondary = "secondary" => "Secondary",
        AllThrough = "all_through" => "All-through",
        Post16 = "post16" => "16 plus",
        NotApplicable = "not_applicable" => "Not applicable",
    }
}

code_set! {
    /// Ofsted's overall effectiveness grade at the setting's latest graded inspection. [U] Ofsted
    /// stopped giving schools a single overall grade from September 2024 and moved to report cards;
    /// the last grade given is kept, and later inspections leave the column blank.
    pub enum OfstedGrade (field = "ofsted_grade", rule = "ofsted_grade_code") {
        Outstanding = "1" => "Outstanding",
        Good = "2" => "Good",
        RequiresImprovement = "3" => "Requires improvement",
        Inadequate = "4" => "Inadequate",
    }
}

impl OfstedGrade {
    /// Good or outstanding (Hertfordshire proxy indicator e).
    pub fn is_good_or_better(self) -> bool {
        matches!(self, Self::Outstanding | Self::Good)
    }
}

/// A setting: a school, college or early years provider, known by its GIAS URN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    pub urn: Urn,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ukprn: Option<Ukprn>,
    pub name: String,
    /// The LA whose area the setting is in.
    pub la: LaCode,
    pub setting_type: SettingType,
    pub phase: Phase,
    /// The locality of its LA the setting is in, where the LA plans in localities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<LocalityCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ofsted_grade: Option<OfstedGrade>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ofsted_date: Option<Date>,
    /// Places in an SEN unit, if the school has one (GIAS "SEN unit" with its capacity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sen_unit_places: Option<NonZeroU32>,
    /// Places in resourced provision, if the school has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resourced_provision_places: Option<NonZeroU32>,
}

/// The largest single age in the population data: Waymark serves ages 0 to 25.
pub const MAX_POPULATION_AGE: u8 = 25;

/// People of one LA, single year of age and sex in one year's ONS mid-year estimate (30 June).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PopulationFields")]
pub struct PopulationCell {
    la: LaCode,
    year: i32,
    age: u8,
    sex: Sex,
    count: u32,
}

#[derive(Deserialize)]
struct PopulationFields {
    la: LaCode,
    year: i32,
    age: u8,
    sex: Sex,
    count: u32,
}

impl TryFrom<PopulationFields> for PopulationCell {
    type Error = FactError;
    fn try_from(f: PopulationFields) -> Result<Self, FactError> {
        PopulationCell::new(f.la, f.year, f.age, f.sex, f.count)
    }
}

impl PopulationCell {
    /// A cell; the year is a mid-year estimate year from 1990 to 2100, the age 0 to 25.
    pub fn new(la: LaCode, year: i32, age: u8, sex: Sex, count: u32) -> Result<Self, FactError> {
        if !(1990..=2100).contains(&year) {
            return Err(FactError::new("year", &year.to_string(), "year_range", "must be a year from 1990 to 2100"));
        }
        if age > MAX_POPULATION_AGE {
            return Err(FactError::new(
                "age",
                &age.to_string(),
                "age_range",
                format!("Waymark holds population aged 0 to {MAX_POPULATION_AGE}"),
            ));
        }
        Ok(Self { la, year, age, sex, count })
    }

    pub fn la(&self) -> LaCode {
        self.la
    }
    pub fn year(&self) -> i32 {
        self.year
    }
    pub fn age(&self) -> u8 {
        self.age
    }
    pub fn sex(&self) -> Sex {
        self.sex
    }
    pub fn count(&self) -> u32 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locality_codes_are_short_upper_case_and_unique_within_an_la() {
        assert_eq!("dspl1".parse::<LocalityCode>().unwrap().as_str(), "DSPL1");
        assert_eq!("DSPL 1".parse::<LocalityCode>().unwrap_err().rule, "locality_code_format");
        assert_eq!("".parse::<LocalityCode>().unwrap_err().rule, "locality_code_format");
    }

    #[test]
    fn setting_codes_parse_case_insensitively_and_refuse_unknown_codes_naming_the_rule() {
        assert_eq!("Special_LA".parse::<SettingType>().unwrap(), SettingType::SpecialLa);
        assert!(SettingType::SpecialNonMaintained.is_special());
        assert!(!SettingType::FeCollege.is_mainstream());
        let err = "grammar".parse::<SettingType>().unwrap_err();
        assert_eq!((err.field, err.rule), ("setting_type", "setting_type_code"));
        assert!(err.message.contains("mainstream_la"));
        assert_eq!("5".parse::<OfstedGrade>().unwrap_err().rule, "ofsted_grade_code");
        assert!("2".parse::<OfstedGrade>().unwrap().is_good_or_better());
    }

    #[test]
    fn population_is_held_for_ages_0_to_25() {
        let la: LaCode = "851".parse().unwrap();
        assert!(PopulationCell::new(la, 2024, 25, Sex::Male, 1000).is_ok());
        assert_eq!(PopulationCell::new(la, 2024, 26, Sex::Male, 1000).unwrap_err().rule, "age_range");
        assert_eq!(PopulationCell::new(la, 1800, 5, Sex::Male, 1000).unwrap_err().rule, "year_range");
        let json = r#"{"la":"851","year":2024,"age":30,"sex":"F","count":10}"#;
        assert!(serde_json::from_str::<PopulationCell>(json).is_err());
    }

    #[test]
    fn names_must_be_one_non_blank_line() {
        assert_eq!(check_name("name", " Hill School ").unwrap(), "Hill School");
        assert_eq!(check_name("name", "  ").unwrap_err().rule, "name_blank");
        assert_eq!(check_name("name", "a\nb").unwrap_err().rule, "name_format");
    }
}
