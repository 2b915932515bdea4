//! Special educational needs: the DfE type-of-need codes (school census SEN type; SEN2 item 5.8a),
//! the four broad areas of need they belong to (SEND Code of Practice 6.28-6.35 [U para]), and a
//! child's needs ranked primary and secondary.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The four broad areas of need of the SEND Code of Practice, plus "none" for OTH and NSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BroadArea {
    CommunicationAndInteraction,
    CognitionAndLearning,
    SocialEmotionalAndMentalHealth,
    SensoryAndPhysical,
    /// OTH, NSA and DS sit in no broad area in DfE's tables. [U] DS is new (2025) and DfE publishes it
    /// separately; it is kept out of the four areas until DfE says otherwise.
    None,
}

/// A DfE type-of-need code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum NeedCode {
    Spld,
    Mld,
    Sld,
    Pmld,
    Semh,
    Slcn,
    Hi,
    Vi,
    Msi,
    Pd,
    Asd,
    /// Down Syndrome: an SEN2 code from the 2025 collection.
    Ds,
    Oth,
    /// SEN support but no specialist assessment of type of need: school census only, never with an
    /// EHC plan and never in SEN2.
    Nsa,
}

impl NeedCode {
    /// In the SEN2 specification's order (used for primary-need tables).
    pub const ALL: [NeedCode; 14] = [
        Self::Spld,
        Self::Mld,
        Self::Sld,
        Self::Pmld,
        Self::Semh,
        Self::Slcn,
        Self::Hi,
        Self::Vi,
        Self::Msi,
        Self::Pd,
        Self::Asd,
        Self::Ds,
        Self::Oth,
        Self::Nsa,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Spld => "SPLD",
            Self::Mld => "MLD",
            Self::Sld => "SLD",
            Self::Pmld => "PMLD",
            Self::Semh => "SEMH",
            Self::Slcn => "SLCN",
            Self::Hi => "HI",
            Self::Vi => "VI",
            Self::Msi => "MSI",
            Self::Pd => "PD",
            Self::Asd => "ASD",
            Self::Ds => "DS",
            Self::Oth => "OTH",
            Self::Nsa => "NSA",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Spld => "Specific learning difficulty",
            Self::Mld => "Moderate learning difficulty",
            Self::Sld => "Severe learning difficulty",
            Self::Pmld => "Profound and multiple learning difficulty",
            Self::Semh => "Social, emotional and mental health",
            Self::Slcn => "Speech, language and communication needs",
            Self::Hi => "Hearing impairment",
            Self::Vi => "Vision impairment",
            Self::Msi => "Multi-sensory impairment",
            Self::Pd => "Physical disability",
            Self::Asd => "Autistic spectrum disorder",
            Self::Ds => "Down Syndrome",
            Self::Oth => "Other difficulty or disability",
            Self::Nsa => "SEN support but no specialist assessment of type of need",
        }
    }

    pub fn broad_area(self) -> BroadArea {
        match self {
            Self::Slcn | Self::Asd => BroadArea::CommunicationAndInteraction,
            Self::Spld | Self::Mld | Self::Sld | Self::Pmld => BroadArea::CognitionAndLearning,
            Self::Semh => BroadArea::SocialEmotionalAndMentalHealth,
            Self::Hi | Self::Vi | Self::Msi | Self::Pd => BroadArea::SensoryAndPhysical,
            Self::Ds | Self::Oth | Self::Nsa => BroadArea::None,
        }
    }

    /// Whether SEN2 accepts the code (NSA never; DS from the 2025 collection).
    pub fn valid_in_sen2(self, collection_year: i32) -> bool {
        match self {
            Self::Nsa => false,
            Self::Ds => collection_year >= 2025,
            _ => true,
        }
    }
}

impl fmt::Display for NeedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A code that is not a DfE type of need.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NeedError {
    #[error("'{0}' is not a DfE type-of-need code (SPLD, MLD, SLD, PMLD, SEMH, SLCN, HI, VI, MSI, PD, ASD, DS, OTH, NSA)")]
    UnknownCode(String),
    #[error("a primary need is required before a secondary need")]
    SecondaryWithoutPrimary,
    #[error("the primary and secondary needs must differ (both are {0})")]
    SameNeedTwice(NeedCode),
    #[error("NSA means no specialist assessment of need, so it cannot stand with an EHC plan or beside another need")]
    NsaMisused,
}

impl FromStr for NeedCode {
    type Err = NeedError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim().to_ascii_uppercase();
        Self::ALL.into_iter().find(|n| n.code() == t).ok_or_else(|| NeedError::UnknownCode(text.to_owned()))
    }
}

/// A child's needs: at most a primary (rank 1) and a secondary (rank 2), never the same code twice
/// (SEN2 5.8b: at most two needs, ranks 1 and 2, no duplicate rank).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RankedNeedsRepr", into = "RankedNeedsRepr")]
pub struct RankedNeeds {
    primary: Option<NeedCode>,
    secondary: Option<NeedCode>,
}

#[derive(Serialize, Deserialize)]
struct RankedNeedsRepr {
    primary: Option<NeedCode>,
    secondary: Option<NeedCode>,
}

impl TryFrom<RankedNeedsRepr> for RankedNeeds {
    type Error = NeedError;
    fn try_from(r: RankedNeedsRepr) -> Result<Self, Self::Error> {
        RankedNeeds::new(r.primary, r.secondary)
    }
}
impl From<RankedNeeds> for RankedNeedsRepr {
    fn from(n: RankedNeeds) -> Self {
        Self { primary: n.primary, secondary: n.secondary }
    }
}

impl RankedNeeds {
    pub fn new(primary: Option<NeedCode>, secondary: Option<NeedCode>) -> Result<Self, NeedError> {
        match (primary, secondary) {
            (None, Some(_)) => Err(NeedError::SecondaryWithoutPrimary),
            (Some(p), Some(s)) if p == s => Err(NeedError::SameNeedTwice(p)),
            (Some(NeedCode::Nsa), Some(_)) | (Some(_), Some(NeedCode::Nsa)) => Err(NeedError::NsaMisused),
            _ => Ok(Self { primary, secondary }),
        }
    }

    pub fn primary(&self) -> Option<NeedCode> {
        self.primary
    }
    pub fn secondary(&self) -> Option<NeedCode> {
        self.secondary
    }

    /// The needs with their SEN2 rank (1 primary, 2 secondary).
    pub fn ranked(&self) -> impl Iterator<Item = (u8, NeedCode)> + '_ {
        self.primary.map(|n| (1, n)).into_iter().chain(self.secondary.map(|n| (2, n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_need_code_maps_to_its_broad_area() {
        assert_eq!(NeedCode::Asd.broad_area(), BroadArea::CommunicationAndInteraction);
        assert_eq!(NeedCode::Pmld.broad_area(), BroadArea::CognitionAndLearning);
        assert_eq!(NeedCode::Semh.broad_area(), BroadArea::SocialEmotionalAndMentalHealth);
        assert_eq!(NeedCode::Msi.broad_area(), BroadArea::SensoryAndPhysical);
        assert_eq!(NeedCode::Oth.broad_area(), BroadArea::None);
        for n in NeedCode::ALL {
            assert_eq!(n.code().parse::<NeedCode>().unwrap(), n);
        }
    }

    #[test]
    fn sen2_5_8b_at_most_two_needs_never_the_same_twice() {
        assert!(RankedNeeds::new(Some(NeedCode::Asd), Some(NeedCode::Slcn)).is_ok());
        assert_eq!(RankedNeeds::new(None, Some(NeedCode::Asd)), Err(NeedError::SecondaryWithoutPrimary));
        assert_eq!(RankedNeeds::new(Some(NeedCode::Asd), Some(NeedCode::Asd)), Err(NeedError::SameNeedTwice(NeedCode::Asd)));
        assert_eq!(RankedNeeds::new(Some(NeedCode::Nsa), Some(NeedCode::Asd)), Err(NeedError::NsaMisused));
        let json = r#"{"primary":"ASD","secondary":"ASD"}"#;
        assert!(serde_json::from_str::<RankedNeeds>(json).is_err());
    }

    #[test]
    fn sen2_accepts_ds_only_from_2025_and_never_nsa() {
        assert!(!NeedCode::Ds.valid_in_sen2(2024));
        assert!(NeedCode::Ds.valid_in_sen2(2025));
        assert!(!NeedCode::Nsa.valid_in_sen2(2026));
        assert_eq!("XYZ".parse::<NeedCode>(), Err(NeedError::UnknownCode("XYZ".into())));
    }
}
