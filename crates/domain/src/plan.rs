//! The contents of an EHC plan: sections A-K (SEND Regs 2014 reg 12(1)), outcomes tagged to the four
//! Preparing for Adulthood areas (CoP ch.8), provision by agency, the settings it names (section I) and
//! personal budgets (SEN (Personal Budgets) Regs 2014; SEN2 items 4.4-4.6).

use crate::identifiers::{SettingCode, SettingRef};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A plan section. Each must be separately identified (reg 12(1)); there is no national template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Section {
    /// Views, interests and aspirations of the child and parents, or of the young person.
    A,
    /// Special educational needs.
    B,
    /// Health care needs relating to the SEN.
    C,
    /// Social care needs relating to the SEN or disability.
    D,
    /// Outcomes sought, including for adult life.
    E,
    /// Special educational provision (must be specified, not vague).
    F,
    /// Health care provision; agreed by the responsible commissioning body (reg 12(2)).
    G,
    /// Social care provision under s2 Chronically Sick and Disabled Persons Act 1970.
    H1,
    /// Other reasonably required social care provision.
    H2,
    /// The name and type, or type only, of the school or other institution. Blank in a draft (reg 13(1)).
    I,
    /// Personal budget, including direct payments.
    J,
    /// Advice and information gathered during the assessment.
    K,
}

impl Section {
    pub const ALL: [Section; 12] =
        [Self::A, Self::B, Self::C, Self::D, Self::E, Self::F, Self::G, Self::H1, Self::H2, Self::I, Self::J, Self::K];

    pub fn title(self) -> &'static str {
        match self {
            Self::A => "Views, interests and aspirations",
            Self::B => "Special educational needs",
            Self::C => "Health care needs",
            Self::D => "Social care needs",
            Self::E => "Outcomes",
            Self::F => "Special educational provision",
            Self::G => "Health care provision",
            Self::H1 => "Social care provision (s2 CSDPA 1970)",
            Self::H2 => "Other social care provision",
            Self::I => "Placement",
            Self::J => "Personal budget",
            Self::K => "Advice and information",
        }
    }
}

/// The four Preparing for Adulthood outcome areas (SEND CoP 1.39, ch.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PfaArea {
    EmploymentAndHigherEducation,
    IndependentLiving,
    CommunityInclusion,
    Health,
}

/// An outcome in section E, with the Preparing for Adulthood areas it serves (from year 9 at least
/// one is expected; reg 12(3)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub text: String,
    #[serde(default)]
    pub pfa: Vec<PfaArea>,
}

/// Who makes a piece of provision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Agency {
    Education,
    Health,
    SocialCare,
}

impl Agency {
    /// The plan section provision of this agency belongs in.
    pub fn section(self) -> Section {
        match self {
            Self::Education => Section::F,
            Self::Health => Section::G,
            Self::SocialCare => Section::H2,
        }
    }
}

/// A piece of provision: what, by whom, how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provision {
    pub agency: Agency,
    pub description: String,
    #[serde(default)]
    pub frequency: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    /// For how long the provision is made ("until the annual review", "one year"), as the plan says it.
    #[serde(default)]
    pub duration: Option<String>,
}

/// A setting named in section I (SEN2 PlanDetail): one way of naming it, its rank, and whether the
/// place is in an SEN unit or resourced provision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedSetting {
    pub setting: SettingRef,
    /// 1 primary, 2 secondary (SEN2 PlacementRank).
    pub rank: u8,
    #[serde(default)]
    pub sen_unit: bool,
    #[serde(default)]
    pub resourced_provision: bool,
    /// Free text, expected with OTH (SEN2 SENSettingOther).
    #[serde(default)]
    pub other_description: Option<String>,
}

/// Direct payments by what they pay for (SEN2 item 4.6 DP codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DirectPayment {
    /// E: special educational provision.
    #[serde(rename = "E")]
    Education,
    /// H: health care provision.
    #[serde(rename = "H")]
    Health,
    /// S: social care provision.
    #[serde(rename = "S")]
    SocialCare,
    /// I: integrated (more than one of the above).
    #[serde(rename = "I")]
    Integrated,
}

/// Personal budget arrangements (section J; SEN2 PB, OA and DP items).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalBudget {
    /// PB: a personal budget is in place.
    pub personal_budget: bool,
    /// OA: organised arrangements (notional budget managed by the LA or setting).
    pub organised_arrangements: bool,
    /// DP: direct payments, if any.
    pub direct_payments: Option<DirectPayment>,
}

/// Residential placement named in a plan (SEN2 PlanRes/Res).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Residential {
    /// A: 38 to 51 weeks a year.
    #[serde(rename = "A")]
    Weeks38To51,
    /// B: 52 weeks a year.
    #[serde(rename = "B")]
    Weeks52,
}

/// Work-based learning (SEN2 PlanWBP/WBP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WorkBased {
    #[serde(rename = "A")]
    Apprenticeship,
    #[serde(rename = "T")]
    Traineeship,
    #[serde(rename = "S")]
    SupportedInternship,
}

/// The contents of a plan at one issue (draft, final or amended final).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContents {
    /// Narrative text per section.
    #[serde(default)]
    pub sections: BTreeMap<Section, String>,
    #[serde(default)]
    pub outcomes: Vec<Outcome>,
    #[serde(default)]
    pub provision: Vec<Provision>,
    #[serde(default)]
    pub named_settings: Vec<NamedSetting>,
    #[serde(default)]
    pub personal_budget: PersonalBudget,
    #[serde(default)]
    pub residential: Option<Residential>,
    #[serde(default)]
    pub work_based: Option<WorkBased>,
}

/// A plan's contents break a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("a plan names at most two settings, ranked 1 and 2 (SEN2 4.7); this one names {0}")]
    TooManySettings(usize),
    #[error("named settings must be ranked 1 and 2 with no rank repeated (SEN2 4.8)")]
    BadRanks,
    #[error("{0} describes where someone is, not what a plan names (SEN2 4.7c)")]
    PlacementOnlyCode(&'static str),
    #[error("section I is left blank in a draft plan (SEND Regs 2014 reg 13(1))")]
    SectionIInDraft,
    #[error("describe the setting type when the plan names none (SEN2 SENSettingOther with OTH)")]
    OtherWithoutDescription,
}

impl PlanContents {
    /// Check the rules that hold for any plan; `draft` adds the rule that section I stays blank.
    pub fn check(&self, draft: bool) -> Result<(), PlanError> {
        if self.named_settings.len() > 2 {
            return Err(PlanError::TooManySettings(self.named_settings.len()));
        }
        let mut ranks: Vec<u8> = self.named_settings.iter().map(|s| s.rank).collect();
        ranks.sort_unstable();
        if !(ranks.is_empty() || ranks == [1] || ranks == [1, 2]) {
            return Err(PlanError::BadRanks);
        }
        for s in &self.named_settings {
            if let SettingRef::Code(code) = s.setting {
                if code.placement_only() {
                    return Err(PlanError::PlacementOnlyCode(code.code()));
                }
                if code == SettingCode::Oth && s.other_description.as_deref().is_none_or(|d| d.trim().is_empty()) {
                    return Err(PlanError::OtherWithoutDescription);
                }
            }
        }
        if draft && (!self.named_settings.is_empty() || self.sections.get(&Section::I).is_some_and(|t| !t.trim().is_empty())) {
            return Err(PlanError::SectionIInDraft);
        }
        Ok(())
    }

    /// Provision grouped by the agency that makes it.
    pub fn provision_by(&self, agency: Agency) -> impl Iterator<Item = &Provision> {
        self.provision.iter().filter(move |p| p.agency == agency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(rank: u8, code: &str) -> NamedSetting {
        NamedSetting {
            setting: SettingRef::Urn(code.parse().unwrap()),
            rank,
            sen_unit: false,
            resourced_provision: false,
            other_description: None,
        }
    }

    #[test]
    fn plan_sections_run_a_to_k_with_h1_and_h2() {
        assert_eq!(Section::ALL.len(), 12);
        assert_eq!(Agency::Health.section(), Section::G);
    }

    #[test]
    fn sen2_4_7_a_plan_names_at_most_two_ranked_settings() {
        let mut plan = PlanContents { named_settings: vec![setting(1, "100001"), setting(2, "100002")], ..Default::default() };
        assert!(plan.check(false).is_ok());
        plan.named_settings[1].rank = 1;
        assert_eq!(plan.check(false), Err(PlanError::BadRanks));
        plan.named_settings.push(setting(2, "100003"));
        assert_eq!(plan.check(false), Err(PlanError::TooManySettings(3)));
    }

    #[test]
    fn send_regs_2014_reg_13_1_section_i_is_blank_in_a_draft() {
        let plan = PlanContents { named_settings: vec![setting(1, "100001")], ..Default::default() };
        assert_eq!(plan.check(true), Err(PlanError::SectionIInDraft));
        assert!(PlanContents::default().check(true).is_ok());
    }

    #[test]
    fn placement_only_codes_and_oth_without_description_are_refused_in_a_plan() {
        let neet = NamedSetting {
            setting: SettingRef::Code(SettingCode::Neet),
            rank: 1,
            sen_unit: false,
            resourced_provision: false,
            other_description: None,
        };
        assert_eq!(
            PlanContents { named_settings: vec![neet], ..Default::default() }.check(false),
            Err(PlanError::PlacementOnlyCode("NEET"))
        );
        let oth = NamedSetting {
            setting: SettingRef::Code(SettingCode::Oth),
            rank: 1,
            sen_unit: false,
            resourced_provision: false,
            other_description: None,
        };
        assert_eq!(PlanContents { named_settings: vec![oth], ..Default::default() }.check(false), Err(PlanError::OtherWithoutDescription));
    }
}
