//! The partnership's self-evaluation against the Ofsted/CQC area SEND inspection framework (in force from
//! January 2023; handbook updated June 2025): for each of the framework's evaluation statements, its
//! strengths, areas for development, evidence (linked indicators with their live figures, documents and
//! links) and the partnership's own judgement in the words of the framework's three inspection outcomes.
//! Each save is a new dated version, so the area sees how its view moved.
//!
//! The same content has a second layout, Peterborough's (2017: "what we know, what we did, impact, next
//! steps"): what we know is the strengths, areas for development and evidence; what we did, impact and
//! next steps are their own fields.

use crate::plan::IndicatorRef;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The framework's evaluation statements (Ofsted and CQC, "Area SEND inspections: framework and
/// handbook", 2023, as updated June 2025; reference national-statistics.md §4d), in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    NeedsIdentifiedAndAssessed,
    FamiliesTakePartInDecisions,
    RightHelpAtRightTime,
    PreparedForNextSteps,
    ValuedVisibleIncluded,
    LeadersAmbitious,
    LeadersEngageFamilies,
    LeadersUnderstandNeeds,
    LeadersCommissionToMeetNeeds,
    LeadersEvaluateAndImprove,
    LeadersEnableMultiAgencyPractice,
}

impl Area {
    pub const ALL: [Area; 11] = [
        Self::NeedsIdentifiedAndAssessed,
        Self::FamiliesTakePartInDecisions,
        Self::RightHelpAtRightTime,
        Self::PreparedForNextSteps,
        Self::ValuedVisibleIncluded,
        Self::LeadersAmbitious,
        Self::LeadersEngageFamilies,
        Self::LeadersUnderstandNeeds,
        Self::LeadersCommissionToMeetNeeds,
        Self::LeadersEvaluateAndImprove,
        Self::LeadersEnableMultiAgencyPractice,
    ];

    /// The code in URLs and files (also the `ofsted-area-send` pack's indicator id for the statement).
    pub fn key(self) -> &'static str {
        match self {
            Self::NeedsIdentifiedAndAssessed => "needs_identified_and_assessed",
            Self::FamiliesTakePartInDecisions => "families_take_part_in_decisions",
            Self::RightHelpAtRightTime => "right_help_at_right_time",
            Self::PreparedForNextSteps => "prepared_for_next_steps",
            Self::ValuedVisibleIncluded => "valued_visible_included",
            Self::LeadersAmbitious => "leaders_ambitious",
            Self::LeadersEngageFamilies => "leaders_engage_families",
            Self::LeadersUnderstandNeeds => "leaders_understand_needs",
            Self::LeadersCommissionToMeetNeeds => "leaders_commission_to_meet_needs",
            Self::LeadersEvaluateAndImprove => "leaders_evaluate_and_improve",
            Self::LeadersEnableMultiAgencyPractice => "leaders_enable_multi_agency_practice",
        }
    }

    /// For URLs: the key with hyphens.
    pub fn slug(self) -> String {
        self.key().replace('_', "-")
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == s.replace('-', "_"))
    }

    /// The statement as the framework words it.
    pub fn title(self) -> &'static str {
        match self {
            Self::NeedsIdentifiedAndAssessed => {
                "Children and young people's needs are identified accurately and assessed in a timely and effective way"
            }
            Self::FamiliesTakePartInDecisions => {
                "Children, young people and their families participate in decisions about their individual plans and support"
            }
            Self::RightHelpAtRightTime => "Children and young people receive the right help at the right time",
            Self::PreparedForNextSteps => "Children and young people are well prepared for their next steps and achieve strong outcomes",
            Self::ValuedVisibleIncluded => "Children and young people with SEND are valued, visible and included in their communities",
            Self::LeadersAmbitious => "Leaders are ambitious for children and young people with SEND",
            Self::LeadersEngageFamilies => "Leaders actively engage and work with children, young people and families",
            Self::LeadersUnderstandNeeds => {
                "Leaders have an accurate, shared understanding of the needs of children and young people in their local area"
            }
            Self::LeadersCommissionToMeetNeeds => {
                "Leaders commission services and provision to meet needs and aspirations, including alternative provision"
            }
            Self::LeadersEvaluateAndImprove => "Leaders evaluate services and make improvements",
            Self::LeadersEnableMultiAgencyPractice => {
                "Leaders create an environment in which effective practice and multi-agency working can flourish"
            }
        }
    }

    /// The part of the framework: 1 (impact on experiences and outcomes) or 2 (leadership).
    pub fn part(self) -> u8 {
        if (self as usize) < 5 {
            1
        } else {
            2
        }
    }
}

/// The framework's three inspection outcomes, used here for the partnership's own judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Positive,
    Inconsistent,
    SystemicFailings,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Self::Positive, Self::Inconsistent, Self::SystemicFailings];

    pub fn key(self) -> &'static str {
        match self {
            Self::Positive => "positive",
            Self::Inconsistent => "inconsistent",
            Self::SystemicFailings => "systemic_failings",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.key() == key)
    }

    /// The outcome in the framework's words.
    pub fn words(self) -> &'static str {
        match self {
            Self::Positive => "Typically lead to positive experiences and outcomes",
            Self::Inconsistent => "Lead to inconsistent experiences and outcomes",
            Self::SystemicFailings => "Widespread and/or systemic failings leading to significant concerns",
        }
    }

    /// A short label for tags and tables.
    pub fn short(self) -> &'static str {
        match self {
            Self::Positive => "Positive",
            Self::Inconsistent => "Inconsistent",
            Self::SystemicFailings => "Systemic failings",
        }
    }

    pub fn colour(self) -> &'static str {
        match self {
            Self::Positive => "green",
            Self::Inconsistent => "yellow",
            Self::SystemicFailings => "red",
        }
    }
}

/// What the partnership says about one evaluation statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaEntry {
    pub area: Area,
    pub judgement: Option<Outcome>,
    pub strengths: String,
    pub development: String,
    /// Evidence in words (documents, surveys, audits), one per line; links are kept as written.
    pub evidence: String,
    pub indicators: Vec<IndicatorRef>,
    /// Peterborough's layout: what was done, its impact, and next steps.
    pub what_we_did: String,
    pub impact: String,
    pub next_steps: String,
}

impl AreaEntry {
    pub fn empty(area: Area) -> Self {
        Self {
            area,
            judgement: None,
            strengths: String::new(),
            development: String::new(),
            evidence: String::new(),
            indicators: Vec::new(),
            what_we_did: String::new(),
            impact: String::new(),
            next_steps: String::new(),
        }
    }
}

/// One dated version of the self-evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelfEvaluation {
    /// The day the partnership's view is as of.
    pub dated: NaiveDate,
    /// The overall judgement.
    pub judgement: Option<Outcome>,
    pub summary: String,
    pub areas: Vec<AreaEntry>,
}

impl SelfEvaluation {
    pub fn entry(&self, area: Area) -> Option<&AreaEntry> {
        self.areas.iter().find(|e| e.area == area)
    }

    /// A new version from this one with one area replaced (or added), dated `dated`; areas stay in the
    /// framework's order.
    pub fn with_area(&self, dated: NaiveDate, entry: AreaEntry) -> Self {
        let mut next = self.clone();
        next.dated = dated;
        next.areas.retain(|e| e.area != entry.area);
        next.areas.push(entry);
        next.areas.sort_by_key(|e| e.area);
        next
    }

    /// Check what a person wrote: each text within its limit.
    pub fn check(&self) -> Result<(), String> {
        const MAX: usize = 8000;
        if self.summary.chars().count() > MAX {
            return Err(format!("the summary is longer than {MAX} characters"));
        }
        for e in &self.areas {
            for (name, text) in [
                ("strengths", &e.strengths),
                ("areas for development", &e.development),
                ("evidence", &e.evidence),
                ("what we did", &e.what_we_did),
                ("impact", &e.impact),
                ("next steps", &e.next_steps),
            ] {
                if text.chars().count() > MAX {
                    return Err(format!("{}: {name} is longer than {MAX} characters", e.area.title()));
                }
            }
        }
        Ok(())
    }
}

/// How one area's judgement moved between two versions: (area, before, after), only where it changed.
pub fn moves(before: &SelfEvaluation, after: &SelfEvaluation) -> Vec<(Area, Option<Outcome>, Option<Outcome>)> {
    Area::ALL
        .into_iter()
        .filter_map(|a| {
            let b = before.entry(a).and_then(|e| e.judgement);
            let n = after.entry(a).and_then(|e| e.judgement);
            (b != n).then_some((a, b, n))
        })
        .collect()
}

/// The Peterborough layout of one area: (heading, text) in its order.
pub fn peterborough(entry: &AreaEntry) -> [(&'static str, String); 4] {
    let mut know = Vec::new();
    for (label, text) in [("Strengths", &entry.strengths), ("Areas for development", &entry.development), ("Evidence", &entry.evidence)] {
        if !text.trim().is_empty() {
            know.push(format!("{label}: {}", text.trim()));
        }
    }
    [
        ("What we know", know.join("\n")),
        ("What we did", entry.what_we_did.trim().to_owned()),
        ("Impact", entry.impact.trim().to_owned()),
        ("Next steps", entry.next_steps.trim().to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, 1).unwrap()
    }

    #[test]
    fn the_area_send_framework_2023_has_eleven_evaluation_statements_in_two_parts_and_three_outcomes() {
        assert_eq!(Area::ALL.iter().filter(|a| a.part() == 1).count(), 5);
        assert_eq!(Area::ALL.iter().filter(|a| a.part() == 2).count(), 6);
        assert_eq!(Outcome::ALL.len(), 3);
        for a in Area::ALL {
            assert_eq!(Area::from_slug(&a.slug()), Some(a));
        }
        assert_eq!(Outcome::Inconsistent.words(), "Lead to inconsistent experiences and outcomes");
    }

    #[test]
    fn a_new_version_replaces_one_area_and_the_moves_between_versions_are_named() {
        let mut e = AreaEntry::empty(Area::LeadersAmbitious);
        e.judgement = Some(Outcome::Inconsistent);
        let v1 = SelfEvaluation { dated: d(1), judgement: None, summary: String::new(), areas: vec![e.clone()] };
        let mut first = AreaEntry::empty(Area::NeedsIdentifiedAndAssessed);
        first.judgement = Some(Outcome::Positive);
        let mut better = e.clone();
        better.judgement = Some(Outcome::Positive);
        let v2 = v1.with_area(d(4), first).with_area(d(4), better);
        assert_eq!(v2.areas.iter().map(|a| a.area).collect::<Vec<_>>(), [Area::NeedsIdentifiedAndAssessed, Area::LeadersAmbitious]);
        assert_eq!(v2.dated, d(4));
        assert_eq!(
            moves(&v1, &v2),
            [
                (Area::NeedsIdentifiedAndAssessed, None, Some(Outcome::Positive)),
                (Area::LeadersAmbitious, Some(Outcome::Inconsistent), Some(Outcome::Positive))
            ]
        );
    }

    #[test]
    fn the_peterborough_layout_gathers_strengths_development_and_evidence_under_what_we_know() {
        let mut e = AreaEntry::empty(Area::RightHelpAtRightTime);
        e.strengths = "Good".into();
        e.evidence = "Audit".into();
        e.next_steps = "More".into();
        let p = peterborough(&e);
        assert_eq!(p[0], ("What we know", "Strengths: Good\nEvidence: Audit".to_owned()));
        assert_eq!(p[3], ("Next steps", "More".to_owned()));
    }
}
