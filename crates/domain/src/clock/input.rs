//! The clock's input: the dated facts of one case, and how they are read from the `waymark clock` JSON
//! with a plain-English error for anything malformed or contradictory.

use crate::calendar::{parse_iso_date, Date};
use crate::case::{AdviceParty, ExceptionReason, ReviewOutcome, TransferKind};
use serde::Deserialize;

/// The facts the statutory clock counts from.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockInput {
    /// Day 1: the request received, or the LA becoming responsible (reg 5(1)). `None` for a case that
    /// starts from an existing plan.
    pub received: Option<Date>,
    /// `received` is only the latest day the request could have been (a migrated record that did not
    /// give it, SEN2 guide items 2.1 and 2.5): no time limit is measured from it.
    pub received_unknown: bool,
    pub events: Vec<ClockEvent>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClockEvent {
    pub date: Date,
    pub kind: ClockEventKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ClockEventKind {
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
        party: Option<AdviceParty>,
    },
    ExceptionEnded {
        reason: ExceptionReason,
        party: Option<AdviceParty>,
    },
    DecidedNotToIssue,
    DraftIssued,
    FinalIssued,
    Withdrawn,
    /// An existing plan's start.
    PlanIssued,
    ReviewMeeting,
    ReviewDecision {
        outcome: ReviewOutcome,
    },
    AmendmentsProposed,
    AmendedFinalIssued,
    /// The family's comments on the draft or on proposed amendments (SEND Regs 2014 reg 13(1)(a),
    /// reg 22(2)(c)).
    DraftCommented,
    /// Dated on the transfer itself (which may be after today).
    PhaseTransfer {
        kind: TransferKind,
    },
    /// The plan ceased or the case moved to another LA: no later review is due. Written `ceased` in JSON.
    Closed,
}

impl ClockEventKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::DecidedToAssess => "decided_to_assess",
            Self::DecidedNotToAssess => "decided_not_to_assess",
            Self::AdviceRequested { .. } => "advice_requested",
            Self::AdviceReceived { .. } => "advice_received",
            Self::ExceptionStarted { .. } => "exception_started",
            Self::ExceptionEnded { .. } => "exception_ended",
            Self::DecidedNotToIssue => "decided_not_to_issue",
            Self::DraftIssued => "draft_issued",
            Self::FinalIssued => "final_issued",
            Self::Withdrawn => "withdrawn",
            Self::PlanIssued => "plan_issued",
            Self::ReviewMeeting => "review_meeting",
            Self::ReviewDecision { .. } => "review_decision",
            Self::AmendmentsProposed => "amendments_proposed",
            Self::AmendedFinalIssued => "amended_final_issued",
            Self::DraftCommented => "draft_commented",
            Self::PhaseTransfer { .. } => "phase_transfer",
            Self::Closed => "ceased",
        }
    }
}

/// Input the clock cannot count from. The message names the event and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ClockError(pub String);

/// The JSON document `waymark clock` reads, before any checking.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClockInput {
    #[serde(default)]
    pub received: Option<String>,
    pub today: Option<String>,
    #[serde(default)]
    pub events: Vec<RawClockEvent>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClockEvent {
    pub date: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub party: Option<String>,
    pub reason: Option<String>,
    pub outcome: Option<String>,
    #[serde(rename = "kind")]
    pub transfer_kind: Option<String>,
}

fn date_field(what: &str, text: &str) -> Result<Date, ClockError> {
    parse_iso_date(text).map_err(|e| ClockError(format!("{what}: {e}")))
}

impl RawClockInput {
    /// Parse and check the document: every date real, every type, party, reason, outcome and kind
    /// known. Returns the input and "today".
    pub fn parse(self) -> Result<(ClockInput, Date), ClockError> {
        let today = match &self.today {
            Some(t) => date_field("today", t)?,
            None => return Err(ClockError("'today' is missing: give the date to count to, e.g. \"today\": \"2026-06-30\"".into())),
        };
        let received = self.received.as_deref().map(|r| date_field("received", r)).transpose()?;
        let mut events = Vec::with_capacity(self.events.len());
        for (i, raw) in self.events.into_iter().enumerate() {
            events.push(raw.parse(i + 1)?);
        }
        Ok((ClockInput { received, received_unknown: false, events }, today))
    }
}

impl RawClockEvent {
    fn parse(self, number: usize) -> Result<ClockEvent, ClockError> {
        let kind_text = self.kind.as_deref().ok_or_else(|| ClockError(format!("event {number}: 'type' is missing")))?;
        let at = |msg: String| ClockError(format!("event {number} ({kind_text}): {msg}"));
        let date_text = self.date.as_deref().ok_or_else(|| at("'date' is missing".into()))?;
        let date = parse_iso_date(date_text).map_err(|e| at(e.to_string()))?;
        let party = |required: bool| -> Result<Option<AdviceParty>, ClockError> {
            match self.party.as_deref() {
                Some(p) => AdviceParty::parse(p).map(Some).ok_or_else(|| {
                    at(format!("party '{p}' is not one of parent, education, health, social_care, educational_psychology, other"))
                }),
                None if required => Err(at("'party' is missing: say whose advice it is".into())),
                None => Ok(None),
            }
        };
        let reason = || -> Result<ExceptionReason, ClockError> {
            let r = self.reason.as_deref().ok_or_else(|| at("'reason' is missing".into()))?;
            ExceptionReason::parse(r).ok_or_else(|| {
                at(format!("reason '{r}' is not one of school_closure, early_years_closure, personal_circumstances, absent_from_area, missed_appointment"))
            })
        };
        let kind = match kind_text {
            "decided_to_assess" => ClockEventKind::DecidedToAssess,
            "decided_not_to_assess" => ClockEventKind::DecidedNotToAssess,
            "advice_requested" => ClockEventKind::AdviceRequested { party: party(true)?.expect("required") },
            "advice_received" => ClockEventKind::AdviceReceived { party: party(true)?.expect("required") },
            "exception_started" | "exception_ended" => {
                let reason = reason()?;
                let party = party(false)?;
                if reason == ExceptionReason::MissedAppointment && party.is_none() {
                    return Err(at(
                        "a missed appointment excuses one advice-giver only (SEND Regs 2014 reg 8(2)(c)): give its 'party'".into()
                    ));
                }
                if kind_text == "exception_started" {
                    ClockEventKind::ExceptionStarted { reason, party }
                } else {
                    ClockEventKind::ExceptionEnded { reason, party }
                }
            }
            "decided_not_to_issue" => ClockEventKind::DecidedNotToIssue,
            "draft_issued" => ClockEventKind::DraftIssued,
            "final_issued" => ClockEventKind::FinalIssued,
            "withdrawn" => ClockEventKind::Withdrawn,
            "plan_issued" => ClockEventKind::PlanIssued,
            "review_meeting" => ClockEventKind::ReviewMeeting,
            "review_decision" => {
                let o = self.outcome.as_deref().ok_or_else(|| at("'outcome' is missing: maintain, amend or cease".into()))?;
                let outcome = ReviewOutcome::parse(o).ok_or_else(|| at(format!("outcome '{o}' is not one of maintain, amend, cease")))?;
                ClockEventKind::ReviewDecision { outcome }
            }
            "amendments_proposed" => ClockEventKind::AmendmentsProposed,
            "amended_final_issued" => ClockEventKind::AmendedFinalIssued,
            "draft_commented" => ClockEventKind::DraftCommented,
            "phase_transfer" => {
                let k = self.transfer_kind.as_deref().ok_or_else(|| at("'kind' is missing: school or post16".into()))?;
                let kind = TransferKind::parse(k).ok_or_else(|| at(format!("kind '{k}' is not one of school, post16")))?;
                ClockEventKind::PhaseTransfer { kind }
            }
            "ceased" => ClockEventKind::Closed,
            other => {
                return Err(ClockError(format!(
                    "event {number}: unknown type '{other}' (expected one of decided_to_assess, decided_not_to_assess, advice_requested, \
                     advice_received, exception_started, exception_ended, decided_not_to_issue, draft_issued, final_issued, withdrawn, \
                     plan_issued, review_meeting, review_decision, amendments_proposed, amended_final_issued, draft_commented, phase_transfer, ceased)"
                )))
            }
        };
        Ok(ClockEvent { date, kind })
    }
}
