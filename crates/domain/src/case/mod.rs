//! The EHC case lifecycle as an explicit state machine (`../shared/reference/statutory-rules.md` §6).
//!
//! A case is the fold of its dated events: [`Case::replay`] rebuilds it from its history, and
//! [`Case::apply`] refuses an event the law does not allow at the case's stage with a
//! [`TransitionError`] that names the rule. Storage keeps only the events, so any past state can be
//! replayed.

mod actions;
mod events;
pub mod reconcile;
mod vocab;

pub use actions::{next_step, Action};
pub use events::{AppealableDecision, CaseEvent, CaseEventKind, CeaseReason, Requester, UnknownDates};
pub use vocab::{AdviceParty, DelayParty, ExceptionReason, ReviewOutcome, TransferKind};

use crate::calendar::{add_days, Date};
use crate::clock::{ClockEvent, ClockEventKind, ClockInput};
use crate::ids::{CaseId, ChildId};
use crate::plan::{PlanContents, PlanError};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a case is. Each variant carries what the next step needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// Request received; the LA is deciding whether to assess (reg 5: 6 weeks).
    Requested,
    /// The LA decided not to assess; the family may seek mediation or appeal.
    AssessmentRefused { decided: Date },
    /// Assessing: advice asked of each party (reg 8: 6 weeks each).
    Assessing { decided: Date },
    /// The LA decided not to issue a plan (reg 10: within 16 weeks).
    PlanRefused { decided: Date },
    /// The LA decided to issue a plan and is drafting it.
    Drafting { decided: Date },
    /// The draft is with the family: at least 15 days to comment (reg 13(1)).
    DraftIssued { issued: Date },
    /// A plan is maintained (final, existing or transferred in), with where its review cycle is.
    PlanActive { since: Date, review: ReviewStage },
    /// Terminal: the plan ceased.
    Ceased { on: Date, reason: CeaseReason },
    /// Terminal: the request or assessment was withdrawn before a plan was made.
    Withdrawn { on: Date },
    /// Terminal: the child moved and the case passed to another LA.
    TransferredOut { on: Date, to_la: crate::identifiers::LaCode },
}

/// Where an active plan is in its review cycle (s44 CFA 2014; regs 20-22).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "review", rename_all = "snake_case")]
pub enum ReviewStage {
    /// No review under way.
    Idle,
    /// The review meeting was held; the LA's decision is due within 4 weeks (reg 20(10)).
    MeetingHeld { meeting: Date },
    /// The LA decided to amend; proposals go with the decision (Devon [2022] EWHC 493).
    AmendDecided { meeting: Date },
    /// Proposed amendments sent; amended final due within 8 weeks (reg 22(3)).
    AmendmentsProposed { proposed: Date },
}

impl Stage {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::AssessmentRefused { .. } => "assessment_refused",
            Self::Assessing { .. } => "assessing",
            Self::PlanRefused { .. } => "plan_refused",
            Self::Drafting { .. } => "drafting",
            Self::DraftIssued { .. } => "draft_issued",
            Self::PlanActive { .. } => "plan_active",
            Self::Ceased { .. } => "ceased",
            Self::Withdrawn { .. } => "withdrawn",
            Self::TransferredOut { .. } => "transferred_out",
        }
    }

    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Ceased { .. } | Self::Withdrawn { .. } | Self::TransferredOut { .. })
    }
}

/// An event the case cannot take. `rule` is a stable id; the message cites the law or the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot record {event} on {date} while the case is {stage}: {message}")]
pub struct TransitionError {
    pub rule: &'static str,
    pub event: &'static str,
    pub stage: &'static str,
    pub date: Date,
    pub message: String,
    /// For late paperwork refused because a later event could then not have happened
    /// (`late_event_breaks_history`): that event's own refusal.
    pub later: Option<Box<TransitionError>>,
}

/// Advice asked of and received from one party.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AdviceRecord {
    pub requested: Option<Date>,
    pub received: Option<Date>,
}

/// The family's comments on a draft plan or on proposed amendments (SEND Regs 2014 reg 13(1)(a),
/// reg 22(2)(c)): when they came, the last day of the at least 15 days they had, and whether they came
/// after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DraftComment {
    pub date: Date,
    pub window_ends: Date,
    pub late: bool,
}

/// The last day of the at least 15 days "beginning with the day" a draft or proposed amendments were
/// served (SEND Regs 2014 reg 13(1), reg 22(2)(c)): day 1 is the day served, so the window closes at the
/// end of served + 14 days (statutory-rules.md §3).
pub fn comment_window_ends(served: Date) -> Date {
    add_days(served, 14)
}

/// A dispute on one decision: mediation and appeal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dispute {
    pub decision: AppealableDecision,
    pub mediation: Option<Date>,
    pub appeal_lodged: Option<Date>,
    pub appeal_decided: Option<(Date, bool)>,
}

/// An EHC case: the stage it is at, what it holds, and every event that brought it there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    pub id: CaseId,
    pub child: ChildId,
    stage: Stage,
    received: Option<Date>,
    unknown_dates: UnknownDates,
    requester: Option<Requester>,
    advice: BTreeMap<AdviceParty, AdviceRecord>,
    plan: Option<PlanContents>,
    requested_settings: Vec<crate::identifiers::SettingRef>,
    disputes: Vec<Dispute>,
    decisions: Vec<(AppealableDecision, Date)>,
    draft_comments: Vec<DraftComment>,
    views_sent: Vec<Date>,
    history: Vec<CaseEvent>,
}

impl Case {
    /// Open a case with its first event: a request received, or an existing plan.
    pub fn open(id: CaseId, child: ChildId, first: CaseEvent) -> Result<Self, TransitionError> {
        let stage = match &first.kind {
            CaseEventKind::RequestReceived { .. } => Stage::Requested,
            CaseEventKind::ExistingPlan { plan, .. } => {
                plan.check(false).map_err(|e| plan_error(&first, "new", e))?;
                Stage::PlanActive { since: first.date, review: ReviewStage::Idle }
            }
            _ => {
                return Err(err(&first, "new", "case_opens_with_request",
                    "a case opens with a request for assessment (CFA 2014 s36(1)) or the LA becoming responsible (s24), or with an existing plan"))
            }
        };
        let mut case = Self {
            id,
            child,
            stage,
            received: None,
            unknown_dates: UnknownDates::default(),
            requester: None,
            advice: BTreeMap::new(),
            plan: None,
            requested_settings: Vec::new(),
            disputes: Vec::new(),
            decisions: Vec::new(),
            draft_comments: Vec::new(),
            views_sent: Vec::new(),
            history: Vec::new(),
        };
        match &first.kind {
            CaseEventKind::RequestReceived { requester, unknown_dates, .. } => {
                case.received = Some(first.date);
                case.requester = Some(*requester);
                case.unknown_dates = *unknown_dates;
            }
            CaseEventKind::ExistingPlan { plan, .. } => {
                case.plan = Some(plan.clone());
                // A plan in force was issued by a decision on its contents (ours before Waymark held the
                // case, or the old LA's on a transfer, SEND Regs 2014 reg 15), and the family may still
                // mediate or appeal it (CFA 2014 s51(2)(c)).
                case.decisions.push((AppealableDecision::PlanContents, first.date));
            }
            _ => unreachable!("checked above"),
        }
        case.history.push(first);
        Ok(case)
    }

    /// Rebuild a case from its whole history; the first error stops the replay.
    pub fn replay(id: CaseId, child: ChildId, events: &[CaseEvent]) -> Result<Self, TransitionError> {
        let (first, rest) = events.split_first().ok_or_else(|| TransitionError {
            rule: "case_opens_with_request",
            event: "nothing",
            stage: "new",
            date: Date::MIN,
            message: "a case has at least one event".into(),
            later: None,
        })?;
        // Late paperwork is stored after events dated later (in the order it was recorded); the case is
        // the fold of its events in date order, events of one date in the order they were recorded.
        if rest.iter().any(|e| e.date < first.date) || rest.windows(2).any(|w| w[1].date < w[0].date) {
            let mut sorted = events.to_vec();
            sorted.sort_by_key(|e| e.date);
            return Self::replay_in_order(id, child, &sorted);
        }
        let mut case = Self::open(id, child, first.clone())?;
        for event in rest {
            case.apply_in_order(event.clone())?;
        }
        Ok(case)
    }

    /// Replay events already in date order, saying which one failed (its position) if one does.
    fn replay_in_order(id: CaseId, child: ChildId, events: &[CaseEvent]) -> Result<Self, TransitionError> {
        Self::replay_at(id, child, events).map_err(|(_, e)| e)
    }

    fn replay_at(id: CaseId, child: ChildId, events: &[CaseEvent]) -> Result<Self, (usize, TransitionError)> {
        let Some((first, rest)) = events.split_first() else {
            return Err((0, Self::replay(id, child, &[]).expect_err("an empty history never replays")));
        };
        let mut case = Self::open(id, child, first.clone()).map_err(|e| (0, e))?;
        for (i, event) in rest.iter().enumerate() {
            case.apply_in_order(event.clone()).map_err(|e| (i + 1, e))?;
        }
        Ok(case)
    }

    /// An event dated before the case's newest: the history is replayed in date order with the event in
    /// its place (after the events of the same date), and the event is refused only if that history
    /// breaks a rule: the event itself at its date, or a later event that no longer follows.
    fn apply_late(&mut self, event: CaseEvent) -> Result<(), TransitionError> {
        let first = self.history.first().expect("a case always has its first event").clone();
        if event.date < first.date {
            return Err(err(
                &event,
                self.stage.name(),
                "before_case_opened",
                &format!("the case began on {}, and nothing can be recorded before that", first.date),
            ));
        }
        let position = self.history.partition_point(|e| e.date <= event.date);
        let mut events = self.history.clone();
        events.insert(position, event.clone());
        match Self::replay_at(self.id, self.child, &events) {
            Ok(case) => {
                *self = case;
                Ok(())
            }
            Err((i, e)) if i == position => Err(e),
            Err((_, later)) => Err(TransitionError {
                rule: "late_event_breaks_history",
                event: event.type_name(),
                stage: self.stage.name(),
                date: event.date,
                message: format!(
                    "dated {}, it would come before {} on {}, which could then not have happened ({})",
                    event.date, later.event, later.date, later.message
                ),
                later: Some(Box::new(later)),
            }),
        }
    }

    pub fn stage(&self) -> &Stage {
        &self.stage
    }
    /// The request's day (or, where [`Case::unknown_dates`] says it is not known, the latest it could
    /// have been).
    pub fn received(&self) -> Option<Date> {
        self.received
    }
    /// The request's day where it is known: the day the 20-week clock starts.
    pub fn received_known(&self) -> Option<Date> {
        self.received.filter(|_| !self.unknown_dates.received)
    }
    /// Which of the request's dates a migrated record did not give.
    pub fn unknown_dates(&self) -> UnknownDates {
        self.unknown_dates
    }
    pub fn requester(&self) -> Option<Requester> {
        self.requester
    }
    pub fn advice(&self) -> &BTreeMap<AdviceParty, AdviceRecord> {
        &self.advice
    }
    pub fn plan(&self) -> Option<&PlanContents> {
        self.plan.as_ref()
    }
    /// Schools or colleges the family asked to be named (s38(2)(b)), in the order asked.
    pub fn requested_settings(&self) -> &[crate::identifiers::SettingRef] {
        &self.requested_settings
    }
    pub fn disputes(&self) -> &[Dispute] {
        &self.disputes
    }
    /// The family's comments on drafts and proposed amendments, in order, each marked late or not.
    pub fn draft_comments(&self) -> &[DraftComment] {
        &self.draft_comments
    }
    /// The days the family sent their views (section A, reg 6(1)(a)).
    pub fn views_sent(&self) -> &[Date] {
        &self.views_sent
    }
    /// While a draft or proposed amendments are with the family: the last day of their at least 15 days
    /// to comment and to ask for a school or college (reg 13(1), reg 22(2)(c)), which may have passed
    /// (a later comment is still taken, marked late).
    pub fn comment_window(&self) -> Option<Date> {
        match &self.stage {
            Stage::DraftIssued { issued } => Some(comment_window_ends(*issued)),
            Stage::PlanActive { review: ReviewStage::AmendmentsProposed { proposed }, .. } => Some(comment_window_ends(*proposed)),
            _ => None,
        }
    }
    pub fn history(&self) -> &[CaseEvent] {
        &self.history
    }
    pub fn last_event_date(&self) -> Date {
        self.history.last().expect("a case always has its first event").date
    }

    /// Apply one event, or explain which rule forbids it. On error the case is unchanged: every check
    /// runs before anything is written.
    ///
    /// An event may be dated before the newest one (paperwork that arrived late): the case is then
    /// replayed in date order with the event in its place, and it is refused only where that history
    /// breaks a rule.
    pub fn apply(&mut self, event: CaseEvent) -> Result<(), TransitionError> {
        if event.date < self.last_event_date() {
            return self.apply_late(event);
        }
        self.apply_in_order(event)
    }

    /// Apply an event dated on or after the newest one.
    fn apply_in_order(&mut self, event: CaseEvent) -> Result<(), TransitionError> {
        use CaseEventKind as E;
        use Stage as S;
        let stage_name = self.stage.name();
        debug_assert!(event.date >= self.last_event_date(), "late events go through apply_late");
        if self.stage.is_closed() && !matches!(event.kind, E::MediationHeld { .. } | E::AppealLodged { .. } | E::AppealDecided { .. }) {
            return Err(err(&event, stage_name, "case_closed", "the case is closed; open a new case for a new request"));
        }
        let date = event.date;
        let next: Option<Stage> = match (&self.stage, &event.kind) {
            (_, E::RequestReceived { .. } | E::ExistingPlan { .. }) => {
                return Err(err(
                    &event,
                    stage_name,
                    "one_request_per_case",
                    "a case has one request or existing plan; a new request opens a new case",
                ))
            }
            // SEND Regs 2014 reg 5(1): the decision whether to assess.
            (S::Requested, E::DecidedToAssess) => Some(S::Assessing { decided: date }),
            (S::Requested, E::DecidedNotToAssess) => {
                self.decisions.push((AppealableDecision::RefusalToAssess, date));
                Some(S::AssessmentRefused { decided: date })
            }
            // CFA 2014 s51(2)(a): a refusal overturned on mediation or appeal leads to an assessment.
            (S::AssessmentRefused { .. }, E::DecidedToAssess) => {
                self.require_dispute(&event, AppealableDecision::RefusalToAssess)?;
                Some(S::Assessing { decided: date })
            }
            (_, E::DecidedToAssess | E::DecidedNotToAssess) => {
                return Err(err(
                    &event,
                    stage_name,
                    "decision_to_assess_once",
                    "the decision whether to assess follows the request, once (SEND Regs 2014 reg 5(1))",
                ))
            }
            // Reg 6-8: advice is sought for the assessment.
            (S::Assessing { .. } | S::Drafting { .. }, E::AdviceRequested { party }) => {
                if self.advice.get(party).is_some_and(|r| r.requested.is_some()) {
                    return Err(err(&event, stage_name, "advice_requested_once", &format!("advice from {party} was already requested")));
                }
                self.advice.entry(*party).or_default().requested = Some(date);
                None
            }
            (_, E::AdviceRequested { .. }) => {
                return Err(err(
                    &event,
                    stage_name,
                    "advice_during_assessment",
                    "advice is sought once the LA has decided to assess (SEND Regs 2014 reg 6(1))",
                ))
            }
            (S::Assessing { .. } | S::Drafting { .. } | S::DraftIssued { .. } | S::PlanRefused { .. }, E::AdviceReceived { party }) => {
                let Some(record) = self.advice.get_mut(party).filter(|r| r.requested.is_some()) else {
                    return Err(err(
                        &event,
                        stage_name,
                        "advice_received_after_request",
                        &format!("advice from {party} was never requested"),
                    ));
                };
                if record.received.is_some() {
                    return Err(err(&event, stage_name, "advice_received_once", &format!("advice from {party} was already received")));
                }
                record.received = Some(date);
                None
            }
            (_, E::AdviceReceived { .. }) => {
                return Err(err(&event, stage_name, "advice_received_after_request", "no advice was requested at this stage"))
            }
            (_, E::ExceptionStarted { .. } | E::ExceptionEnded { .. }) => None,
            (S::Assessing { .. }, E::DecidedToIssue) => Some(S::Drafting { decided: date }),
            (S::Assessing { .. }, E::DecidedNotToIssue) => {
                self.decisions.push((AppealableDecision::RefusalToIssue, date));
                Some(S::PlanRefused { decided: date })
            }
            (S::PlanRefused { .. }, E::DecidedToIssue) => {
                self.require_dispute(&event, AppealableDecision::RefusalToIssue)?;
                Some(S::Drafting { decided: date })
            }
            (_, E::DecidedToIssue | E::DecidedNotToIssue) => {
                return Err(err(
                    &event,
                    stage_name,
                    "issue_decision_after_assessment",
                    "the decision whether to issue a plan follows the assessment (SEND Regs 2014 reg 10)",
                ))
            }
            // Reg 13(1): a draft, with section I blank; a revised draft restarts the comment window.
            (S::Assessing { .. } | S::Drafting { .. } | S::DraftIssued { .. }, E::DraftIssued { plan }) => {
                plan.check(true).map_err(|e| plan_error(&event, stage_name, e))?;
                self.plan = Some(plan.clone());
                Some(S::DraftIssued { issued: date })
            }
            (_, E::DraftIssued { .. }) => {
                return Err(err(
                    &event,
                    stage_name,
                    "draft_after_assessment",
                    "a draft plan follows an assessment and a decision to issue (SEND Regs 2014 reg 13)",
                ))
            }
            (S::DraftIssued { .. }, E::SettingRequested { setting }) => {
                self.requested_settings.push(setting.clone());
                None
            }
            (S::DraftIssued { .. }, E::SettingConsulted { .. }) => None,
            (
                S::Requested
                | S::AssessmentRefused { .. }
                | S::Assessing { .. }
                | S::PlanRefused { .. }
                | S::Drafting { .. }
                | S::Ceased { .. }
                | S::Withdrawn { .. }
                | S::TransferredOut { .. },
                E::SettingConsulted { .. } | E::SettingRequested { .. },
            ) => return Err(err(&event, stage_name, "consult_on_draft", "settings are consulted on a draft plan (CFA 2014 s39(2))")),
            (S::DraftIssued { issued }, E::FinalIssued { plan }) => {
                // Reg 13(1): at least 15 days beginning with the day served, i.e. through issued + 14.
                let window_ends = comment_window_ends(*issued);
                if date <= window_ends {
                    return Err(err(
                        &event,
                        stage_name,
                        "reg13_1_comment_window",
                        &format!("the family has at least 15 days to comment on the draft, to {window_ends} (SEND Regs 2014 reg 13(1))"),
                    ));
                }
                plan.check(false).map_err(|e| plan_error(&event, stage_name, e))?;
                self.plan = Some(plan.clone());
                self.decisions.push((AppealableDecision::PlanContents, date));
                Some(S::PlanActive { since: date, review: ReviewStage::Idle })
            }
            (_, E::FinalIssued { .. }) => {
                return Err(err(
                    &event,
                    stage_name,
                    "final_after_draft",
                    "a final plan follows a draft the family has commented on (SEND Regs 2014 reg 13)",
                ))
            }
            // Reg 6(1)(a), reg 7; Code 9.69: the family's views are taken at any stage of an open case. The
            // first views after the LA asked for the parent's advice are that advice (reg 6(1)(a)).
            (_, E::ViewsSent) => {
                if let Some(record) = self.advice.get_mut(&AdviceParty::Parent).filter(|r| r.requested.is_some() && r.received.is_none()) {
                    record.received = Some(date);
                }
                self.views_sent.push(date);
                None
            }
            // Reg 13(1)(a) and reg 22(2)(c): comments on a draft or on proposed amendments. The 15 days are
            // a minimum the LA must give, not a bar on the family: a later comment is taken, marked late.
            (
                S::DraftIssued { issued: served } | S::PlanActive { review: ReviewStage::AmendmentsProposed { proposed: served }, .. },
                E::DraftCommented,
            ) => {
                let window_ends = comment_window_ends(*served);
                self.draft_comments.push(DraftComment { date, window_ends, late: date > window_ends });
                None
            }
            (_, E::DraftCommented) => {
                return Err(err(
                    &event,
                    stage_name,
                    "comments_on_draft",
                    "comments are made on a draft plan or on proposed amendments (SEND Regs 2014 reg 13(1), reg 22(2))",
                ))
            }
            // s44 CFA 2014 and regs 20-22: the review cycle.
            (S::PlanActive { since, review }, kind) => self.plan_event(&event, *since, review.clone(), kind)?,
            (
                S::Requested
                | S::Assessing { .. }
                | S::Drafting { .. }
                | S::DraftIssued { .. }
                | S::AssessmentRefused { .. }
                | S::PlanRefused { .. },
                E::Withdrawn,
            ) => Some(S::Withdrawn { on: date }),
            (S::Requested | S::Assessing { .. } | S::Drafting { .. } | S::DraftIssued { .. }, E::TransferredOut { to_la }) => {
                Some(S::TransferredOut { on: date, to_la: *to_la })
            }
            (_, E::MediationHeld { decision } | E::AppealLodged { decision } | E::AppealDecided { decision, .. }) => {
                self.dispute_event(&event, stage_name, *decision)?;
                None
            }
            (
                _,
                E::ReviewMeeting
                | E::ReviewReportSent
                | E::ReviewDecision { .. }
                | E::AmendmentsProposed { .. }
                | E::AmendedFinalIssued { .. }
                | E::PhaseTransferPlanned { .. }
                | E::Ceased { .. },
            ) => {
                return Err(err(
                    &event,
                    stage_name,
                    "needs_active_plan",
                    "reviews, amendments, phase transfers and ceasing apply to a plan in force (CFA 2014 s44, s45)",
                ))
            }
            (_, E::Withdrawn) => {
                return Err(err(
                    &event,
                    stage_name,
                    "withdraw_before_plan",
                    "a plan in force cannot be withdrawn; it is ceased (CFA 2014 s45)",
                ))
            }
            (_, E::TransferredOut { .. }) => {
                return Err(err(
                    &event,
                    stage_name,
                    "transfer_open_case",
                    "only an open case can transfer to another LA (SEND Regs 2014 reg 15)",
                ))
            }
        };
        if let Some(stage) = next {
            self.stage = stage;
        }
        self.history.push(event);
        Ok(())
    }

    fn plan_event(
        &mut self,
        event: &CaseEvent,
        since: Date,
        review: ReviewStage,
        kind: &CaseEventKind,
    ) -> Result<Option<Stage>, TransitionError> {
        use CaseEventKind as E;
        let stage_name = "plan_active";
        let date = event.date;
        let active = |review| Some(Stage::PlanActive { since, review });
        Ok(match (&review, kind) {
            (ReviewStage::Idle, E::ReviewMeeting) => active(ReviewStage::MeetingHeld { meeting: date }),
            (_, E::ReviewMeeting) => {
                return Err(err(
                    event,
                    stage_name,
                    "review_decision_before_next_review",
                    "the last review has no decision yet (SEND Regs 2014 reg 20(10))",
                ))
            }
            (ReviewStage::MeetingHeld { meeting }, E::ReviewDecision { outcome }) => match outcome {
                ReviewOutcome::Maintain => {
                    self.decisions.push((AppealableDecision::RefusalToAmend, date));
                    active(ReviewStage::Idle)
                }
                ReviewOutcome::Amend => active(ReviewStage::AmendDecided { meeting: *meeting }),
                ReviewOutcome::Cease => {
                    self.decisions.push((AppealableDecision::Cease, date));
                    active(ReviewStage::Idle)
                }
            },
            (ReviewStage::MeetingHeld { .. }, E::ReviewReportSent) => None,
            (_, E::ReviewReportSent) => {
                return Err(err(
                    event,
                    stage_name,
                    "review_report_after_meeting",
                    "the review report follows the review meeting (SEND Regs 2014 reg 20(8))",
                ))
            }
            // Reg 22(2)(c): the family may ask for a setting when amendments are proposed.
            (ReviewStage::AmendmentsProposed { .. }, E::SettingRequested { setting }) => {
                self.requested_settings.push(setting.clone());
                None
            }
            (ReviewStage::AmendmentsProposed { .. }, E::SettingConsulted { .. }) => None,
            (_, E::SettingRequested { .. } | E::SettingConsulted { .. }) => {
                return Err(err(
                    event,
                    stage_name,
                    "consult_on_draft",
                    "settings are requested and consulted on a draft or on proposed amendments (CFA 2014 s38-39)",
                ))
            }
            (_, E::ReviewDecision { .. }) => {
                return Err(err(
                    event,
                    stage_name,
                    "review_decision_after_meeting",
                    "a review decision follows a review meeting (SEND Regs 2014 reg 20(10))",
                ))
            }
            // Reg 22(2): proposals after a decision to amend, or without a review (reg 28).
            (ReviewStage::AmendDecided { .. } | ReviewStage::Idle, E::AmendmentsProposed { plan }) => {
                plan.check(false).map_err(|e| plan_error(event, stage_name, e))?;
                active(ReviewStage::AmendmentsProposed { proposed: date })
            }
            (_, E::AmendmentsProposed { .. }) => {
                return Err(err(
                    event,
                    stage_name,
                    "amendments_after_decision",
                    "amendments are proposed after a decision to amend (SEND Regs 2014 reg 22(2))",
                ))
            }
            (ReviewStage::AmendmentsProposed { proposed }, E::AmendedFinalIssued { plan }) => {
                // Reg 22(2)(c): at least 15 days to comment on the proposals.
                let window_ends = comment_window_ends(*proposed);
                if date <= window_ends {
                    return Err(err(event, stage_name, "reg22_2_comment_window",
                        &format!("the family has at least 15 days to comment on proposed amendments, to {window_ends} (SEND Regs 2014 reg 22(2)(c))")));
                }
                plan.check(false).map_err(|e| plan_error(event, stage_name, e))?;
                self.plan = Some(plan.clone());
                self.decisions.push((AppealableDecision::PlanContents, date));
                active(ReviewStage::Idle)
            }
            (_, E::AmendedFinalIssued { .. }) => {
                return Err(err(
                    event,
                    stage_name,
                    "amended_final_after_proposals",
                    "an amended final plan follows proposed amendments (SEND Regs 2014 reg 22(3))",
                ))
            }
            (_, E::PhaseTransferPlanned { transfer_date, .. }) => {
                if *transfer_date < date {
                    return Err(err(event, stage_name, "phase_transfer_in_future", "a phase transfer is recorded before it happens"));
                }
                None
            }
            (_, E::Ceased { reason }) => {
                if !self.decisions.iter().any(|(d, _)| *d == AppealableDecision::Cease) {
                    self.decisions.push((AppealableDecision::Cease, date));
                }
                Some(Stage::Ceased { on: date, reason: *reason })
            }
            (_, E::TransferredOut { to_la }) => Some(Stage::TransferredOut { on: date, to_la: *to_la }),
            (_, E::AdviceReceived { .. } | E::ExceptionStarted { .. } | E::ExceptionEnded { .. }) => None,
            (_, E::MediationHeld { decision } | E::AppealLodged { decision } | E::AppealDecided { decision, .. }) => {
                self.dispute_event(event, stage_name, *decision)?;
                None
            }
            (_, E::Withdrawn) => {
                return Err(err(
                    event,
                    stage_name,
                    "withdraw_before_plan",
                    "a plan in force cannot be withdrawn; it is ceased (CFA 2014 s45)",
                ))
            }
            _ => {
                return Err(err(
                    event,
                    stage_name,
                    "not_with_active_plan",
                    "this step belongs to an assessment, and the plan is already in force",
                ))
            }
        })
    }

    fn dispute_event(&mut self, event: &CaseEvent, stage_name: &'static str, decision: AppealableDecision) -> Result<(), TransitionError> {
        use CaseEventKind as E;
        if !self.decisions.iter().any(|(d, _)| *d == decision) {
            return Err(err(
                event,
                stage_name,
                "dispute_needs_decision",
                "mediation and appeals are about a decision the LA has made (CFA 2014 s51; SEND Regs 2014 reg 32)",
            ));
        }
        let existing = self.disputes.iter().find(|d| d.decision == decision);
        if matches!(event.kind, E::AppealDecided { .. }) && existing.is_none_or(|d| d.appeal_lodged.is_none()) {
            return Err(err(event, stage_name, "appeal_decided_after_lodged", "an appeal is decided after it is lodged"));
        }
        let position = self.disputes.iter().position(|d| d.decision == decision);
        let dispute = match position {
            Some(i) => &mut self.disputes[i],
            None => {
                self.disputes.push(Dispute { decision, mediation: None, appeal_lodged: None, appeal_decided: None });
                self.disputes.last_mut().expect("just pushed")
            }
        };
        match event.kind {
            E::MediationHeld { .. } => dispute.mediation = Some(event.date),
            E::AppealLodged { .. } => dispute.appeal_lodged = Some(event.date),
            E::AppealDecided { upheld, .. } => dispute.appeal_decided = Some((event.date, upheld)),
            _ => unreachable!("only dispute events reach here"),
        }
        Ok(())
    }

    fn require_dispute(&self, event: &CaseEvent, decision: AppealableDecision) -> Result<(), TransitionError> {
        if self.disputes.iter().any(|d| d.decision == decision) {
            Ok(())
        } else {
            Err(err(
                event,
                self.stage.name(),
                "reconsider_after_dispute",
                "a refusal is reopened after mediation or an appeal on it (CFA 2014 s51, s55)",
            ))
        }
    }

    /// The facts the statutory clock counts from, drawn from the history.
    pub fn clock_input(&self) -> ClockInput {
        use CaseEventKind as E;
        // The family's views count as the parent's advice (reg 6(1)(a)) when they are the first to come
        // after it was asked for, as [`Case::apply`] records them.
        let mut parent_advice_open = false;
        let events = self
            .history
            .iter()
            .filter_map(|e| {
                let kind = match &e.kind {
                    E::AdviceRequested { party: AdviceParty::Parent } => {
                        parent_advice_open = true;
                        ClockEventKind::AdviceRequested { party: AdviceParty::Parent }
                    }
                    E::AdviceReceived { party: AdviceParty::Parent } => {
                        parent_advice_open = false;
                        ClockEventKind::AdviceReceived { party: AdviceParty::Parent }
                    }
                    E::ViewsSent if parent_advice_open => {
                        parent_advice_open = false;
                        ClockEventKind::AdviceReceived { party: AdviceParty::Parent }
                    }
                    E::DraftCommented => ClockEventKind::DraftCommented,
                    E::DecidedToAssess => ClockEventKind::DecidedToAssess,
                    E::DecidedNotToAssess => ClockEventKind::DecidedNotToAssess,
                    E::AdviceRequested { party } => ClockEventKind::AdviceRequested { party: *party },
                    E::AdviceReceived { party } => ClockEventKind::AdviceReceived { party: *party },
                    E::ExceptionStarted { reason, party } => ClockEventKind::ExceptionStarted { reason: *reason, party: *party },
                    E::ExceptionEnded { reason, party } => ClockEventKind::ExceptionEnded { reason: *reason, party: *party },
                    E::DecidedNotToIssue => ClockEventKind::DecidedNotToIssue,
                    E::DraftIssued { .. } => ClockEventKind::DraftIssued,
                    E::FinalIssued { .. } => ClockEventKind::FinalIssued,
                    E::Withdrawn => ClockEventKind::Withdrawn,
                    E::ExistingPlan { .. } => ClockEventKind::PlanIssued,
                    E::ReviewMeeting => ClockEventKind::ReviewMeeting,
                    E::ReviewDecision { outcome } => ClockEventKind::ReviewDecision { outcome: *outcome },
                    E::AmendmentsProposed { .. } => ClockEventKind::AmendmentsProposed,
                    E::AmendedFinalIssued { .. } => ClockEventKind::AmendedFinalIssued,
                    E::PhaseTransferPlanned { transfer_date, kind } => {
                        return Some(ClockEvent { date: *transfer_date, kind: ClockEventKind::PhaseTransfer { kind: *kind } })
                    }
                    E::Ceased { .. } | E::TransferredOut { .. } => ClockEventKind::Closed,
                    _ => return None,
                };
                Some(ClockEvent { date: e.date, kind })
            })
            .collect();
        ClockInput { received: self.received, received_unknown: self.unknown_dates.received, events }
    }
}

fn err(event: &CaseEvent, stage: &'static str, rule: &'static str, message: &str) -> TransitionError {
    TransitionError { rule, event: event.type_name(), stage, date: event.date, message: message.to_owned(), later: None }
}

fn plan_error(event: &CaseEvent, stage: &'static str, e: PlanError) -> TransitionError {
    err(event, stage, "plan_contents", &e.to_string())
}

#[cfg(test)]
mod tests;
