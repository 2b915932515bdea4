//! Post-16 and youth justice: a young person's activity each month (education, employment or
//! training; NEET; not known), including apprenticeships, traineeships and supported internships
//! (Portsmouth 2016 Appendix I indicators 37 and 39; Hertfordshire's indicator n), and involvement
//! with the youth justice service (indicator 40).

use super::codes::code_set;
use super::{Month, Period};
use crate::identifiers::Ukprn;
use serde::{Deserialize, Serialize};

code_set! {
    /// What a young person was doing in a month, grouped from the NCCIS activity codes. [U] The
    /// grouping is Waymark's; NCCIS codes 1xx-4xx are EET, 5xx-6xx NEET, 8xx not known.
    pub enum Activity (field = "activity", rule = "activity_code") {
        Education = "education" => "Education (school sixth form, college, other provider)",
        Apprenticeship = "apprenticeship" => "Apprenticeship",
        Traineeship = "traineeship" => "Traineeship",
        SupportedInternship = "supported_internship" => "Supported internship",
        EmploymentWithTraining = "employment_with_training" => "Employment with training",
        Employment = "employment" => "Employment without training",
        OtherTraining = "other_training" => "Other training or re-engagement provision",
        NeetAvailable = "neet_available" => "NEET, available to work or learn (seeking)",
        NeetNotAvailable = "neet_not_available" => "NEET, not available (illness, caring, pregnancy)",
        NotKnown = "not_known" => "Activity not known",
    }
}

/// The three groups DfE's participation and NEET statistics use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityGroup {
    /// In education, employment or training.
    Eet,
    /// Not in education, employment or training.
    Neet,
    NotKnown,
}

impl Activity {
    pub fn group(self) -> ActivityGroup {
        match self {
            Self::NeetAvailable | Self::NeetNotAvailable => ActivityGroup::Neet,
            Self::NotKnown => ActivityGroup::NotKnown,
            _ => ActivityGroup::Eet,
        }
    }

    /// An apprenticeship, traineeship or supported internship (Appendix I indicator 39).
    pub fn is_work_based_learning(self) -> bool {
        matches!(self, Self::Apprenticeship | Self::Traineeship | Self::SupportedInternship)
    }
}

/// A young person's activity in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyActivity {
    pub month: Month,
    pub activity: Activity,
    /// The provider, where the activity is with one.
    #[serde(default)]
    pub ukprn: Option<Ukprn>,
}

code_set! {
    /// The kind of youth justice involvement.
    pub enum YouthJusticeKind (field = "kind", rule = "youth_justice_code") {
        OutOfCourt = "out_of_court" => "Out-of-court disposal (youth caution, conditional caution, community resolution)",
        ReferralOrder = "referral_order" => "Referral order",
        YouthRehabilitationOrder = "youth_rehabilitation_order" => "Youth rehabilitation order",
        Custody = "custody" => "Custodial sentence or remand",
        Other = "other" => "Other involvement with the youth justice service",
    }
}

/// Involvement with the youth justice service, from its start to its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YouthJusticeInvolvement {
    pub kind: YouthJusticeKind,
    pub period: Period,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activities_group_into_eet_neet_and_not_known() {
        assert_eq!(Activity::SupportedInternship.group(), ActivityGroup::Eet);
        assert!(Activity::SupportedInternship.is_work_based_learning());
        assert_eq!("neet_available".parse::<Activity>().unwrap().group(), ActivityGroup::Neet);
        assert_eq!(Activity::NotKnown.group(), ActivityGroup::NotKnown);
        assert_eq!("working".parse::<Activity>().unwrap_err().rule, "activity_code");
    }
}
