//! Children's social care: child in need episodes and child protection plans (the CIN census's
//! codes), looked-after episodes with their legal status (SSDA903) and placement, and the services
//! Portsmouth 2016 Appendix I indicators 32-36 ask about: the disabled children's team, short breaks
//! and direct payments.

use super::codes::code_set;
use super::Period;
use crate::identifiers::LaCode;
use serde::{Deserialize, Serialize};

code_set! {
    /// CIN census primary need code: why the child was assessed as in need.
    pub enum CinNeed (field = "primary_need", rule = "cin_need_code") {
        N0 = "N0" => "Not stated",
        N1 = "N1" => "Abuse or neglect",
        N2 = "N2" => "Child's disability or illness",
        N3 = "N3" => "Parent's disability or illness",
        N4 = "N4" => "Family in acute stress",
        N5 = "N5" => "Family dysfunction",
        N6 = "N6" => "Socially unacceptable behaviour",
        N7 = "N7" => "Low income",
        N8 = "N8" => "Absent parenting",
        N9 = "N9" => "Cases other than children in need",
    }
}

/// A child in need episode (s17 Children Act 1989), from referral to case closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildInNeedEpisode {
    pub period: Period,
    pub primary_need: CinNeed,
}

code_set! {
    /// CIN census category of abuse for a child protection plan.
    pub enum CpCategory (field = "category", rule = "cp_category_code") {
        Neglect = "NEG" => "Neglect",
        Physical = "PHY" => "Physical abuse",
        Sexual = "SAB" => "Sexual abuse",
        Emotional = "EMO" => "Emotional abuse",
        Multiple = "MUL" => "Multiple",
    }
}

/// A child protection plan, from its start to its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildProtectionPlan {
    pub period: Period,
    pub category: CpCategory,
}

code_set! {
    /// SSDA903 legal status of a looked-after episode.
    pub enum LegalStatus (field = "legal_status", rule = "legal_status_code") {
        C1 = "C1" => "Interim care order",
        C2 = "C2" => "Full care order",
        D1 = "D1" => "Freeing order granted",
        E1 = "E1" => "Placement order granted",
        J1 = "J1" => "Remanded to LA or youth detention accommodation",
        J2 = "J2" => "Placed in LA accommodation under PACE",
        J3 = "J3" => "Youth rehabilitation order with residence or intensive fostering requirement",
        L1 = "L1" => "Under police protection and in LA accommodation",
        L2 = "L2" => "Emergency protection order",
        L3 = "L3" => "Child assessment order and in LA accommodation",
        V2 = "V2" => "Single period of accommodation under s20",
        V3 = "V3" => "Agreed series of short-term breaks, individual episodes recorded",
        V4 = "V4" => "Agreed series of short-term breaks, agreements recorded",
    }
}

impl LegalStatus {
    /// Short breaks (respite) under s20(4): Appendix I indicator 32 counts looked-after children
    /// "excluding respite care".
    pub fn is_short_breaks(self) -> bool {
        matches!(self, Self::V3 | Self::V4)
    }
}

code_set! {
    /// Where a looked-after child is placed, grouped from SSDA903 placement type and provider:
    /// [U] the grouping is Waymark's (foster care U1-U6 split by provider: the LA's own or another
    /// LA's, or an independent fostering agency; K2 children's homes; S1 residential schools; K1
    /// secure units; P1 with parents; P2 and semi-independent living; A3-A6 placed for adoption).
    pub enum PlacementKind (field = "placement", rule = "placement_code") {
        FosterLa = "foster_la" => "Foster care arranged by an LA",
        FosterAgency = "foster_agency" => "Foster care through an independent fostering agency (IFA)",
        ChildrensHome = "childrens_home" => "Children's home",
        ResidentialSchool = "residential_school" => "Residential school",
        Secure = "secure" => "Secure children's home or youth custody",
        WithParents = "with_parents" => "Placed with parents or others with parental responsibility",
        IndependentLiving = "independent_living" => "Independent or supported living",
        Adoption = "adoption" => "Placed for adoption",
        Other = "other" => "Other placement",
    }
}

impl PlacementKind {
    /// Independent fostering agency or residential care (Appendix I indicator 32.c.i).
    pub fn is_ifa_or_residential(self) -> bool {
        matches!(self, Self::FosterAgency | Self::ChildrensHome | Self::ResidentialSchool | Self::Secure)
    }
}

/// A looked-after episode, with its legal status and placement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookedAfterEpisode {
    pub period: Period,
    pub legal_status: LegalStatus,
    pub placement: PlacementKind,
    /// The LA whose area the placement is in, where known.
    #[serde(default)]
    pub placement_la: Option<LaCode>,
}

impl LookedAfterEpisode {
    /// Whether the placement is outside the responsible LA's area; `None` when its LA is unknown.
    pub fn out_of_area(&self, responsible: LaCode) -> Option<bool> {
        self.placement_la.map(|la| la != responsible)
    }

    /// Counts as looked after in Appendix I indicator 32: every episode but short breaks.
    pub fn counts_as_looked_after(&self) -> bool {
        !self.legal_status.is_short_breaks()
    }
}

code_set! {
    /// Social care services for disabled children.
    pub enum CareServiceKind (field = "service", rule = "care_service_code") {
        DisabledChildrenTeam = "disabled_children_team" => "Involvement of the disabled children's team",
        ShortBreak = "short_break" => "Short breaks (Breaks for Carers of Disabled Children Regulations 2011)",
        DirectPayment = "direct_payment" => "Direct payment for social care",
    }
}

/// A social care service received, from its start to its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareService {
    pub service: CareServiceKind,
    pub period: Period,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_iso_date;

    #[test]
    fn appendix_i_32_looked_after_excludes_respite_and_knows_out_of_area_placements() {
        let episode = |status: &str, la: Option<&str>| LookedAfterEpisode {
            period: Period::new(parse_iso_date("2025-01-01").unwrap(), None).unwrap(),
            legal_status: status.parse().unwrap(),
            placement: PlacementKind::FosterAgency,
            placement_la: la.map(|l| l.parse().unwrap()),
        };
        assert!(episode("C2", None).counts_as_looked_after());
        assert!(!episode("V3", None).counts_as_looked_after());
        assert!(!episode("v4", None).counts_as_looked_after());
        let portsmouth: LaCode = "851".parse().unwrap();
        assert_eq!(episode("C2", Some("850")).out_of_area(portsmouth), Some(true));
        assert_eq!(episode("C2", Some("851")).out_of_area(portsmouth), Some(false));
        assert_eq!(episode("C2", None).out_of_area(portsmouth), None);
        assert!(PlacementKind::FosterAgency.is_ifa_or_residential());
        assert!(!PlacementKind::FosterLa.is_ifa_or_residential());
    }

    #[test]
    fn cin_census_codes_are_checked() {
        assert_eq!("N2".parse::<CinNeed>().unwrap().label(), "Child's disability or illness");
        assert_eq!("N10".parse::<CinNeed>().unwrap_err().rule, "cin_need_code");
        assert_eq!("XXX".parse::<CpCategory>().unwrap_err().rule, "cp_category_code");
        assert_eq!("V1".parse::<LegalStatus>().unwrap_err().rule, "legal_status_code");
    }
}
