//! Words shared by the case lifecycle and the statutory clock: who gives advice, why a time limit may be
//! excused, what a review decides, which phase transfer is coming.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Who is asked for advice during an EHC needs assessment (SEND Regs 2014 reg 6(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdviceParty {
    /// The child's parent or the young person (reg 6(1)(a)).
    Parent,
    /// The head, principal or SENCO of the education setting (reg 6(1)(b)).
    Education,
    /// Medical advice from the health body (reg 6(1)(c)).
    Health,
    /// Social care advice (reg 6(1)(e)).
    SocialCare,
    /// Psychological advice from an educational psychologist (reg 6(1)(d)).
    EducationalPsychology,
    /// Anyone else: preparing for adulthood, VI/HI/MSI teachers, people the family asks for (reg 6(1)(f)-(h)).
    Other,
}

impl AdviceParty {
    pub const ALL: [AdviceParty; 6] =
        [Self::Parent, Self::Education, Self::Health, Self::SocialCare, Self::EducationalPsychology, Self::Other];

    pub fn key(self) -> &'static str {
        match self {
            Self::Parent => "parent",
            Self::Education => "education",
            Self::Health => "health",
            Self::SocialCare => "social_care",
            Self::EducationalPsychology => "educational_psychology",
            Self::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == text)
    }

    /// Whose delay a late piece of this party's advice is, in the terms of the seeds' performance
    /// framework (Portsmouth 2016 Appendix I secondary indicator 4 b.1.1-b.1.5).
    /// [U] Educational psychology is an LA service, and "other" advice is commissioned by the LA, so both
    /// count as the LA's delay; an area that commissions EP externally may want this changed.
    pub fn delay_party(self) -> DelayParty {
        match self {
            Self::Parent => DelayParty::Parent,
            Self::Education => DelayParty::Education,
            Self::Health => DelayParty::Health,
            Self::SocialCare => DelayParty::SocialCare,
            Self::EducationalPsychology | Self::Other => DelayParty::La,
        }
    }
}

impl fmt::Display for AdviceParty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Whose step a delay is: the five parties the seeds' performance frameworks attribute delays to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DelayParty {
    Parent,
    Education,
    Health,
    SocialCare,
    La,
}

/// Why a time limit may not apply (SEND Regs 2014 regs 5(4), 8(2), 10(4), 13(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionReason {
    /// A school or post-16 institution closed for 4+ continuous weeks, with advice asked of its head in
    /// the window around the closure (regs 5(4)(a), 10(4)(a), 13(3)).
    SchoolClosure,
    /// The same for an early years provider (regs 10(4)(b), 13(3); 5(4)(b) inferred [U]).
    EarlyYearsClosure,
    /// Exceptional personal circumstances of the child, parent or young person (regs 5(4)(c), 8(2)(a),
    /// 10(4)(c), 13(3)).
    PersonalCircumstances,
    /// Child, parent or young person absent from the LA's area for 4+ continuous weeks (regs 5(4)(d),
    /// 8(2)(b), 10(4)(d), 13(3)).
    AbsentFromArea,
    /// The child or young person missed an appointment the advice-giver made: that advice-giver's clock
    /// only (reg 8(2)(c)).
    MissedAppointment,
}

impl ExceptionReason {
    pub const ALL: [ExceptionReason; 5] =
        [Self::SchoolClosure, Self::EarlyYearsClosure, Self::PersonalCircumstances, Self::AbsentFromArea, Self::MissedAppointment];

    pub fn key(self) -> &'static str {
        match self {
            Self::SchoolClosure => "school_closure",
            Self::EarlyYearsClosure => "early_years_closure",
            Self::PersonalCircumstances => "personal_circumstances",
            Self::AbsentFromArea => "absent_from_area",
            Self::MissedAppointment => "missed_appointment",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == text)
    }

    /// Whose delay time lost to this exception is (Portsmouth 2016 Appendix I b.1/b.2): a closure is the
    /// setting's; the family's circumstances, absence and missed appointments are the family's.
    pub fn delay_party(self) -> DelayParty {
        match self {
            Self::SchoolClosure | Self::EarlyYearsClosure => DelayParty::Education,
            Self::PersonalCircumstances | Self::AbsentFromArea | Self::MissedAppointment => DelayParty::Parent,
        }
    }
}

impl fmt::Display for ExceptionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// What the LA decides after an annual review meeting (reg 20(10); SEN2 ReviewOutcome M/A/C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    Maintain,
    Amend,
    Cease,
}

impl ReviewOutcome {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "maintain" => Some(Self::Maintain),
            "amend" => Some(Self::Amend),
            "cease" => Some(Self::Cease),
            _ => None,
        }
    }
}

/// A phase transfer that needs the plan reviewed and amended in advance (reg 18(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// Early years to school, infant to junior, primary to middle or secondary, middle to secondary:
    /// amended before 15 February of the year of transfer (reg 18(1)(b)).
    School,
    /// Secondary school to a post-16 institution: amended before 31 March of the year of transfer
    /// (reg 18(1)(a)).
    Post16,
}

impl TransferKind {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "school" => Some(Self::School),
            "post16" => Some(Self::Post16),
            _ => None,
        }
    }
}
