//! What can happen to an EHC case. Each event is dated with the day it happened (not the day it was
//! typed in: the store records that separately).

use super::vocab::{AdviceParty, ExceptionReason, ReviewOutcome, TransferKind};
use crate::calendar::Date;
use crate::identifiers::{LaCode, SettingRef};
use crate::plan::PlanContents;
use serde::{Deserialize, Serialize};

/// Dates of a request that a migrated record did not give. SEN2 guide item 2.5: RequestOutcome H means
/// the decision to assess was made before the collection period; RequestOutcomeDate is then blank (item
/// 2.4) and ReceivedDate may be (item 2.1). The events still carry the latest day each could have been, so
/// the history replays in order, but no time limit is measured from a day that is not known: such a plan
/// is never "within 20 weeks" (it is counted among the plans with no request date instead).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnknownDates {
    /// The day the request was received is not known (the event's date is a bound, not the day).
    #[serde(default)]
    pub received: bool,
    /// The day the LA decided to assess is not known.
    #[serde(default)]
    pub decided_to_assess: bool,
}

impl UnknownDates {
    pub fn is_none(&self) -> bool {
        !self.received && !self.decided_to_assess
    }
}

/// Who asked for the assessment, or brought the child to the LA's attention (CFA 2014 s36(1), s24;
/// SEN2 item 2.2 RequestSource 1-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requester {
    ParentOrYoungPerson,
    SchoolOrSetting,
    Health,
    SocialCare,
    Other,
}

impl Requester {
    /// SEN2 RequestSource code.
    pub fn sen2_code(self) -> u8 {
        match self {
            Self::ParentOrYoungPerson => 1,
            Self::SchoolOrSetting => 2,
            Self::Health => 3,
            Self::SocialCare => 4,
            Self::Other => 5,
        }
    }
}

/// Why a plan ceased (SEN2 item 4.6 CeaseReason 1-9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CeaseReason {
    /// 1: end of the academic year in which the young person turned 25 (or 19 entering the adult estate).
    MaximumAge,
    /// 2: needs still met, without a plan.
    NeedsMetWithoutPlan,
    /// 3: moved on to higher education.
    HigherEducation,
    /// 4: moved on to paid employment, excluding apprenticeships.
    PaidEmployment,
    /// 5: transferred to another LA in England.
    TransferredToAnotherLa,
    /// 6: the young person no longer wishes to engage in education or training.
    NoLongerEngaging,
    /// 7: moved outside England.
    MovedOutsideEngland,
    /// 8: deceased.
    Deceased,
    /// 9: other (high volumes prompt a DfE query).
    Other,
}

impl CeaseReason {
    pub const ALL: [CeaseReason; 9] = [
        Self::MaximumAge,
        Self::NeedsMetWithoutPlan,
        Self::HigherEducation,
        Self::PaidEmployment,
        Self::TransferredToAnotherLa,
        Self::NoLongerEngaging,
        Self::MovedOutsideEngland,
        Self::Deceased,
        Self::Other,
    ];

    pub fn sen2_code(self) -> u8 {
        Self::ALL.iter().position(|r| *r == self).expect("in ALL") as u8 + 1
    }

    pub fn from_sen2_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }
}

/// A decision the family can take to mediation and the First-tier Tribunal (CFA 2014 s51; reg 32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealableDecision {
    /// s51(2)(a): not to carry out an EHC needs assessment.
    RefusalToAssess,
    /// s51(2)(b): not to secure a plan after assessment.
    RefusalToIssue,
    /// s51(2)(c): the needs, provision or placement in a (final or amended) plan.
    PlanContents,
    /// s51(2)(e): not to amend the plan after a review.
    RefusalToAmend,
    /// s51(2)(f): to cease to maintain the plan.
    Cease,
}

/// Everything that can happen to a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CaseEventKind {
    /// A request under s36(1), or the child brought to the LA's attention under s24: Day 1 of the clock.
    RequestReceived {
        requester: Requester,
        #[serde(default)]
        in_youth_accommodation: bool,
        /// Dates a migrated record did not give (see [`UnknownDates`]); none for a request Waymark saw.
        #[serde(default, skip_serializing_if = "UnknownDates::is_none")]
        unknown_dates: UnknownDates,
    },
    DecidedToAssess,
    DecidedNotToAssess,
    AdviceRequested {
        party: AdviceParty,
    },
    AdviceReceived {
        party: AdviceParty,
    },
    ExceptionStarted {
        reason: ExceptionReason,
        #[serde(default)]
        party: Option<AdviceParty>,
    },
    ExceptionEnded {
        reason: ExceptionReason,
        #[serde(default)]
        party: Option<AdviceParty>,
    },
    DecidedToIssue,
    DecidedNotToIssue,
    DraftIssued {
        plan: PlanContents,
    },
    /// The family asks for a school or college to be named, on a draft or on proposed amendments
    /// (CFA 2014 s38(2)(b); SEND Regs 2014 reg 22(2)(c)).
    SettingRequested {
        setting: SettingRef,
    },
    /// The parent's or young person's own views, interests and aspirations, sent to the LA: the "all
    /// about me" of section A (SEND Code of Practice 9.69). They are the family's advice and information
    /// for the assessment (SEND Regs 2014 reg 6(1)(a)), and the LA must have regard to them (CFA 2014
    /// s19(a)-(c); reg 7). Where the parent's advice was asked for and is still to come, the first views
    /// sent are that advice received.
    ViewsSent,
    /// The family's comments on a draft plan, or on proposed amendments, which they have at least 15 days
    /// from service to make (SEND Regs 2014 reg 13(1)(a); reg 22(2)(c)). Comments sent after the 15 days
    /// are still accepted, and marked late ([`crate::case::Case::draft_comments`]).
    DraftCommented,
    /// A school or college the family asked for, or the LA proposes, consulted under s39(2).
    SettingConsulted {
        setting: SettingRef,
    },
    FinalIssued {
        plan: PlanContents,
    },
    /// A case that starts from a plan made before Waymark knew it, or transferred in from another LA
    /// (reg 15): SEN2 outcome H.
    ExistingPlan {
        plan: PlanContents,
        #[serde(default)]
        transferred_from: Option<LaCode>,
    },
    ReviewMeeting,
    /// The review report with recommended amendments, sent within 2 weeks of the meeting (reg 20(8), 21(7)).
    ReviewReportSent,
    ReviewDecision {
        outcome: ReviewOutcome,
    },
    AmendmentsProposed {
        plan: PlanContents,
    },
    AmendedFinalIssued {
        plan: PlanContents,
    },
    /// A transfer between phases, recorded when known, dated on the transfer itself.
    PhaseTransferPlanned {
        transfer_date: Date,
        kind: TransferKind,
    },
    Ceased {
        reason: CeaseReason,
    },
    /// The request or assessment withdrawn before a plan was made (SEN2 outcome W).
    Withdrawn,
    /// The child moved to another LA: the plan transfers (reg 15), or an assessment in progress passes on
    /// (SEN2 Exported).
    TransferredOut {
        to_la: LaCode,
    },
    MediationHeld {
        decision: AppealableDecision,
    },
    AppealLodged {
        decision: AppealableDecision,
    },
    AppealDecided {
        decision: AppealableDecision,
        upheld: bool,
    },
}

/// One dated event in a case's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub date: Date,
    #[serde(flatten)]
    pub kind: CaseEventKind,
}

impl CaseEvent {
    pub fn new(date: Date, kind: CaseEventKind) -> Self {
        Self { date, kind }
    }

    /// The event's type in snake case, as it is written in JSON and in error messages.
    pub fn type_name(&self) -> &'static str {
        use CaseEventKind::*;
        match &self.kind {
            RequestReceived { .. } => "request_received",
            DecidedToAssess => "decided_to_assess",
            DecidedNotToAssess => "decided_not_to_assess",
            AdviceRequested { .. } => "advice_requested",
            AdviceReceived { .. } => "advice_received",
            ExceptionStarted { .. } => "exception_started",
            ExceptionEnded { .. } => "exception_ended",
            DecidedToIssue => "decided_to_issue",
            DecidedNotToIssue => "decided_not_to_issue",
            DraftIssued { .. } => "draft_issued",
            SettingRequested { .. } => "setting_requested",
            SettingConsulted { .. } => "setting_consulted",
            ViewsSent => "views_sent",
            DraftCommented => "draft_commented",
            FinalIssued { .. } => "final_issued",
            ExistingPlan { .. } => "existing_plan",
            ReviewMeeting => "review_meeting",
            ReviewReportSent => "review_report_sent",
            ReviewDecision { .. } => "review_decision",
            AmendmentsProposed { .. } => "amendments_proposed",
            AmendedFinalIssued { .. } => "amended_final_issued",
            PhaseTransferPlanned { .. } => "phase_transfer_planned",
            Ceased { .. } => "ceased",
            Withdrawn => "withdrawn",
            TransferredOut { .. } => "transferred_out",
            MediationHeld { .. } => "mediation_held",
            AppealLodged { .. } => "appeal_lodged",
            AppealDecided { .. } => "appeal_decided",
        }
    }
}
