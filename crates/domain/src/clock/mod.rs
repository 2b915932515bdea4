//! The statutory clock: for a case's dated facts and a given "today", every time limit that applies,
//! when it fell due, when it was done, and whether it was met, missed, excused, still due or overdue;
//! the 20-week measure; and whose step made a late plan late.
//!
//! Pure: `today` is an argument, never the wall clock. Conventions (statutory-rules.md §3):
//! a limit of N weeks from D is met when done on or before D + 7N days; "within 12 months starting with
//! D" ends on D + 12 months - 1 day. An exception never moves a due date: it excuses a miss when it
//! qualifies and overlaps the step's period (from the step's start to the earlier of done and due).

mod input;

pub use input::{ClockError, ClockEvent, ClockEventKind, ClockInput, RawClockEvent, RawClockInput};

use crate::calendar::{add_weeks, date_in_year, days_between, end_of_months_starting_with, sub_days, sub_months, weeks_between_1dp, Date};
use crate::case::{AdviceParty, DelayParty, ExceptionReason, ReviewOutcome, TransferKind};
use chrono::Datelike;
use serde::Serialize;

/// Where a time limit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Done on or before its due date.
    Met,
    /// Done after its due date (or never, where the case closed after the due date), with no exception.
    Missed,
    /// Done late, but an exception in the regulations applied during the step's period.
    MissedExcused,
    /// Not done, and the due date has not passed.
    Due,
    /// Not done, and the due date has passed.
    Overdue,
}

/// One time limit as it applies to this case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// `decision_to_assess`, `advice:<party>`, `decision_not_to_issue`, `final_plan`, `annual_review`,
    /// `review_decision`, `amended_plan` or `phase_transfer`.
    pub step: String,
    pub due: Date,
    pub done: Option<Date>,
    pub status: StepStatus,
    /// Days after the due date it was done (or, if overdue, until today); 0 when on time.
    pub days_late: i64,
    /// The law the limit comes from.
    pub regulation: &'static str,
    /// Who must act next, while the step is not done.
    pub waiting_on: Option<DelayParty>,
    /// Exceptions that qualified and overlapped the step's period.
    pub exceptions: Vec<ExceptionReason>,
}

/// The stage of a late plan a delay belongs to (Portsmouth 2016 Appendix I, secondary indicator 4 b.1/b.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DelayStage {
    /// From the request to the last advice: the decision to assess and the advice.
    EvidenceGathering,
    /// From the last advice to the final plan: drafting, comments, consultation, finalising.
    BetweenEvidenceAndFinalPlan,
}

/// Whose step made a late plan late, at which stage, by how many days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delay {
    pub party: DelayParty,
    pub stage: DelayStage,
    pub days: i64,
}

/// The clock's answer for one case on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClockReport {
    pub steps: Vec<Step>,
    /// Weeks from the request to the final plan, to one decimal place, once the plan is issued.
    pub weeks_to_final: Option<f64>,
    /// Whether the final plan was issued within 20 weeks (false once it is overdue; null while it is
    /// still in time, or where there is no new assessment).
    pub within_20_weeks: Option<bool>,
    /// SEN2 item 3.7 `Week20`: an exception under reg 10(4)/13(3) applied to the 20-week limit.
    pub week20_exception: Option<bool>,
    /// For a late plan, whose step made it late.
    pub delays: Vec<Delay>,
}

impl ClockReport {
    /// The open step due soonest: what the case is waiting for next.
    pub fn next_deadline(&self) -> Option<&Step> {
        self.steps.iter().filter(|s| s.done.is_none() && matches!(s.status, StepStatus::Due | StepStatus::Overdue)).min_by_key(|s| s.due)
    }
}

/// An exception as an interval, with the party it concerns if any.
#[derive(Debug, Clone)]
struct ExceptionPeriod {
    reason: ExceptionReason,
    party: Option<AdviceParty>,
    start: Date,
    /// The day it ended; `None` while it goes on.
    end: Option<Date>,
}

/// When a step starts, falls due, and was done.
struct Period {
    start: Date,
    due: Date,
    done: Option<Date>,
}

/// Which exceptions each kind of step admits.
#[derive(Clone, Copy)]
enum StepKind {
    /// Regs 5(4), 10(4), 13(3): closures (with the advice window), personal circumstances, absence.
    LaDecision,
    /// Reg 8(2): exceptional circumstances, absence, a missed appointment (that advice-giver only).
    Advice(AdviceParty),
    /// Reviews, amendments and phase transfers: no exception exists.
    NoException,
}

/// The continuous period a closure or absence must last to qualify: 4 weeks (regs 5(4), 8(2)(b), 10(4)).
const FOUR_WEEKS_DAYS: i64 = 28;

struct Facts<'a> {
    input: &'a ClockInput,
    today: Date,
    exceptions: Vec<ExceptionPeriod>,
}

impl Facts<'_> {
    fn dates(&self, pred: impl Fn(&ClockEventKind) -> bool) -> Vec<Date> {
        self.input.events.iter().filter(|e| pred(&e.kind)).map(|e| e.date).collect()
    }

    fn first(&self, pred: impl Fn(&ClockEventKind) -> bool) -> Option<Date> {
        self.input.events.iter().find(|e| pred(&e.kind)).map(|e| e.date)
    }

    fn first_on_or_after(&self, from: Date, pred: impl Fn(&ClockEventKind) -> bool) -> Option<Date> {
        self.input.events.iter().find(|e| e.date >= from && pred(&e.kind)).map(|e| e.date)
    }

    /// An education advice request in the window from a week before the closure to a week before the
    /// setting reopens (reg 5(4)(a), 10(4)(a)-(b)).
    fn advice_window_met(&self, ex: &ExceptionPeriod) -> bool {
        let reopens = ex.end.unwrap_or(self.today);
        let (from, to) = (sub_days(ex.start, 7), sub_days(reopens, 7));
        self.dates(|k| matches!(k, ClockEventKind::AdviceRequested { party: AdviceParty::Education }))
            .into_iter()
            .any(|d| from <= d && d <= to)
    }

    fn qualifies(&self, ex: &ExceptionPeriod) -> bool {
        let lasted = days_between(ex.start, ex.end.unwrap_or(self.today));
        match ex.reason {
            // Reg 5(4)(a)/10(4)(a)-(b): closed for a continuous period of not less than 4 weeks, and the
            // head asked for advice in the window around it.
            ExceptionReason::SchoolClosure | ExceptionReason::EarlyYearsClosure => lasted >= FOUR_WEEKS_DAYS && self.advice_window_met(ex),
            // Reg 5(4)(d), 8(2)(b), 10(4)(d): absent from the area for a continuous period of 4+ weeks.
            ExceptionReason::AbsentFromArea => lasted >= FOUR_WEEKS_DAYS,
            ExceptionReason::PersonalCircumstances | ExceptionReason::MissedAppointment => true,
        }
    }

    fn admits(kind: StepKind, ex: &ExceptionPeriod) -> bool {
        match kind {
            StepKind::LaDecision => ex.party.is_none() && ex.reason != ExceptionReason::MissedAppointment,
            StepKind::Advice(party) => {
                ex.party.is_none_or(|p| p == party)
                    && matches!(
                        ex.reason,
                        ExceptionReason::PersonalCircumstances | ExceptionReason::AbsentFromArea | ExceptionReason::MissedAppointment
                    )
            }
            StepKind::NoException => false,
        }
    }

    /// Exceptions that qualify for a step of `kind` and overlap [start, end].
    fn applying(&self, kind: StepKind, start: Date, end: Date) -> Vec<&ExceptionPeriod> {
        self.exceptions
            .iter()
            .filter(|ex| Self::admits(kind, ex) && self.qualifies(ex))
            .filter(|ex| ex.start <= end && ex.end.unwrap_or(self.today) >= start)
            .collect()
    }

    /// Build a step: status from due, done and today; exceptions over the step's period.
    fn step(&self, name: String, regulation: &'static str, kind: StepKind, waiting_on: DelayParty, period: Period) -> Step {
        let Period { start, due, done } = period;
        let period_end = done.map_or(due, |d| d.min(due));
        let applying = self.applying(kind, start, period_end);
        let mut exceptions: Vec<ExceptionReason> = applying.iter().map(|e| e.reason).collect();
        exceptions.sort();
        exceptions.dedup();
        let (status, days_late) = match done {
            Some(d) if d <= due => (StepStatus::Met, 0),
            Some(d) if exceptions.is_empty() => (StepStatus::Missed, days_between(due, d)),
            Some(d) => (StepStatus::MissedExcused, days_between(due, d)),
            None if self.today <= due => (StepStatus::Due, 0),
            None => (StepStatus::Overdue, days_between(due, self.today)),
        };
        Step { step: name, due, done, status, days_late, regulation, waiting_on: done.is_none().then_some(waiting_on), exceptions }
    }
}

/// Apply the statutory clock to a case's facts on `today`.
pub fn evaluate(input: &ClockInput, today: Date) -> Result<ClockReport, ClockError> {
    let mut sorted = input.clone();
    sorted.events.sort_by_key(|e| e.date); // stable: same-day events keep their order
    let exceptions = check(&sorted, today)?;
    let facts = Facts { input: &sorted, today, exceptions };
    let mut steps = Vec::new();
    let mut report =
        ClockReport { steps: Vec::new(), weeks_to_final: None, within_20_weeks: None, week20_exception: None, delays: Vec::new() };
    if let Some(received) = sorted.received {
        assessment_steps(&facts, received, &mut steps, &mut report);
        if sorted.received_unknown {
            // SEN2 guide items 2.1 and 2.5: a request whose day is not known. Every limit of the
            // assessment counts from that day, so none can be measured, and the plan is never "within 20
            // weeks" (nor late): it is reported as a plan with no request date.
            steps.clear();
            report.weeks_to_final = None;
            report.within_20_weeks = None;
            report.delays.clear();
        }
    }
    plan_steps(&facts, &mut steps);
    comment_steps(&facts, &mut steps);
    // A closed case (withdrawn, ceased, moved away) drops limits not yet due when it closed; one that was
    // due before and never done was missed.
    if let Some(closed) = facts.first(|k| matches!(k, ClockEventKind::Withdrawn | ClockEventKind::Closed)) {
        steps.retain_mut(|s| {
            if s.done.is_some() {
                return true;
            }
            if s.due >= closed {
                return false;
            }
            s.status = StepStatus::Missed;
            s.days_late = days_between(s.due, closed);
            s.waiting_on = None;
            true
        });
    }
    steps.sort_by_key(|s| s.due);
    report.steps = steps;
    Ok(report)
}

/// Steps of a new assessment, all anchored to Day 1 (a late step does not move later ones).
fn assessment_steps(f: &Facts, received: Date, steps: &mut Vec<Step>, report: &mut ClockReport) {
    use ClockEventKind as K;
    let decided_assess = f.first(|k| matches!(k, K::DecidedToAssess));
    let refused = f.first(|k| matches!(k, K::DecidedNotToAssess));
    // SEND Regs 2014 reg 5(1): decide whether to assess within 6 weeks of the request.
    let decision = f.step(
        "decision_to_assess".into(),
        "SEND Regs 2014 reg 5(1)",
        StepKind::LaDecision,
        DelayParty::La,
        Period { start: received, due: add_weeks(received, 6), done: decided_assess.or(refused) },
    );
    steps.push(decision.clone());
    if refused.is_some() {
        return;
    }
    // Reg 8(1): each body asked for advice gives it within 6 weeks of the request to it.
    let mut advice_steps = Vec::new();
    for party in AdviceParty::ALL {
        if let Some(asked) = f.first(|k| matches!(k, K::AdviceRequested { party: p } if *p == party)) {
            let got = f.first(|k| matches!(k, K::AdviceReceived { party: p } if *p == party));
            let step = f.step(
                format!("advice:{party}"),
                "SEND Regs 2014 reg 8(1)",
                StepKind::Advice(party),
                party.delay_party(),
                Period { start: asked, due: add_weeks(asked, 6), done: got },
            );
            advice_steps.push((party, step));
        }
    }
    let mut requested_order: Vec<_> = advice_steps.iter().map(|(_, s)| s.clone()).collect();
    requested_order.sort_by_key(|s| s.due);
    steps.extend(requested_order);
    let not_issue = f.first(|k| matches!(k, K::DecidedNotToIssue));
    let draft_or_final = f.first(|k| matches!(k, K::DraftIssued | K::FinalIssued));
    let closed = f.first(|k| matches!(k, K::Withdrawn));
    // Reg 10(1): a decision not to issue a plan within 16 weeks of the request. Shown once made, or while
    // an open assessment can still meet it.
    let not_issue_due = add_weeks(received, 16);
    if not_issue.is_some() || (decided_assess.is_some() && draft_or_final.is_none() && closed.is_none() && f.today <= not_issue_due) {
        steps.push(f.step(
            "decision_not_to_issue".into(),
            "SEND Regs 2014 reg 10(1)",
            StepKind::LaDecision,
            DelayParty::La,
            Period { start: received, due: not_issue_due, done: not_issue },
        ));
    }
    if not_issue.is_some() || decided_assess.is_none() {
        return;
    }
    // Reg 13(2): the final plan within 20 weeks of the request.
    let final_issued = f.first(|k| matches!(k, K::FinalIssued));
    let final_due = add_weeks(received, 20);
    if final_issued.is_none() && closed.is_some_and(|c| c <= final_due) {
        return; // withdrawn while the plan was still in time: the 20-week limit no longer applies
    }
    let final_step = f.step(
        "final_plan".into(),
        "SEND Regs 2014 reg 13(2)",
        StepKind::LaDecision,
        DelayParty::La,
        Period { start: received, due: final_due, done: final_issued },
    );
    // SEN2 item 3.7 Week20: an exception under reg 13(3) applied to the 20-week limit.
    report.week20_exception = Some(!final_step.exceptions.is_empty());
    report.weeks_to_final = final_issued.map(|d| weeks_between_1dp(received, d));
    report.within_20_weeks = match final_step.status {
        StepStatus::Met => Some(true),
        StepStatus::Missed | StepStatus::MissedExcused | StepStatus::Overdue => Some(false),
        StepStatus::Due => None,
    };
    if matches!(final_step.status, StepStatus::Missed | StepStatus::MissedExcused | StepStatus::Overdue) {
        report.delays = delays(f, &decision, &advice_steps, &final_step);
    }
    steps.push(final_step);
}

/// Whose steps made a late plan late. Each late step before the evidence is complete is its party's
/// delay; time then taken beyond what the schedule left for drafting and finalising is the LA's, or,
/// where a family or closure exception overlapped that stage, the family's or the setting's.
fn delays(f: &Facts, decision: &Step, advice: &[(AdviceParty, Step)], final_step: &Step) -> Vec<Delay> {
    let mut out: Vec<Delay> = Vec::new();
    let mut add = |party, stage, days: i64| {
        if days <= 0 {
            return;
        }
        match out.iter_mut().find(|d| d.party == party && d.stage == stage) {
            Some(d) => d.days = d.days.max(days),
            None => out.push(Delay { party, stage, days }),
        }
    };
    // Evidence gathering: each late step is its own party's delay, excused or not (the issue's worked
    // example puts late health advice down to health even where an exception excused the plan).
    if decision.days_late > 0 {
        add(DelayParty::La, DelayStage::EvidenceGathering, decision.days_late);
    }
    for (party, step) in advice {
        if step.days_late > 0 {
            add(party.delay_party(), DelayStage::EvidenceGathering, step.days_late);
        }
    }
    // Evidence complete: the last advice in (or the decision to assess where none was asked).
    let evidence_planned =
        advice.iter().map(|(_, s)| s.due).chain(std::iter::once(decision.due)).max().expect("decision present").min(final_step.due);
    let evidence_actual = advice
        .iter()
        .map(|(_, s)| s.done.unwrap_or(f.today))
        .chain(std::iter::once(decision.done.unwrap_or(f.today)))
        .max()
        .expect("decision present");
    let allowed = days_between(evidence_planned, final_step.due);
    let end = final_step.done.unwrap_or(f.today);
    let taken = days_between(evidence_actual, end);
    let overrun = (taken - allowed).min(final_step.days_late);
    if overrun > 0 {
        let party = f.applying(StepKind::LaDecision, evidence_actual, end).first().map_or(DelayParty::La, |e| e.reason.delay_party());
        add(party, DelayStage::BetweenEvidenceAndFinalPlan, overrun);
    }
    out
}

/// Steps of a plan in force: reviews (s44), review decisions (reg 20(10)), amendments (reg 22(3)) and
/// phase transfers (reg 18).
fn plan_steps(f: &Facts, steps: &mut Vec<Step>) {
    use ClockEventKind as K;
    let Some(plan_start) = f.first(|k| matches!(k, K::FinalIssued | K::PlanIssued)) else { return };
    let ended = f.first(|k| matches!(k, K::Closed | K::ReviewDecision { outcome: ReviewOutcome::Cease }));
    // CFA 2014 s44(1): review within 12 months of the plan being made, then within each 12 months
    // starting with the last review.
    let meetings: Vec<Date> = f.dates(|k| matches!(k, K::ReviewMeeting));
    let mut anchor = plan_start;
    loop {
        let due = end_of_months_starting_with(anchor, 12);
        let done = meetings.iter().copied().find(|m| *m > anchor);
        if done.is_none() && ended.is_some_and(|e| e <= due) {
            break;
        }
        steps.push(f.step(
            "annual_review".into(),
            "CFA 2014 s44(1)",
            StepKind::NoException,
            DelayParty::La,
            Period { start: anchor, due, done },
        ));
        match done {
            Some(m) if ended.is_none_or(|e| m < e) => anchor = m,
            _ => break,
        }
    }
    // Reg 20(10): the LA's decision within 4 weeks of the review meeting.
    for (i, &meeting) in meetings.iter().enumerate() {
        let next_meeting = meetings.get(i + 1).copied();
        let decided =
            f.first_on_or_after(meeting, |k| matches!(k, K::ReviewDecision { .. })).filter(|d| next_meeting.is_none_or(|n| *d <= n));
        steps.push(f.step(
            "review_decision".into(),
            "SEND Regs 2014 reg 20(10)",
            StepKind::NoException,
            DelayParty::La,
            Period { start: meeting, due: add_weeks(meeting, 4), done: decided },
        ));
    }
    // Reg 22(3): the amended final plan within 8 weeks of the proposed amendments.
    for proposed in f.dates(|k| matches!(k, K::AmendmentsProposed)) {
        let issued = f.first_on_or_after(proposed, |k| matches!(k, K::AmendedFinalIssued));
        steps.push(f.step(
            "amended_plan".into(),
            "SEND Regs 2014 reg 22(3)",
            StepKind::NoException,
            DelayParty::La,
            Period { start: proposed, due: add_weeks(proposed, 8), done: issued },
        ));
    }
    // Reg 18(1): review and amend before 15 February (school) or 31 March (post-16) of the calendar year
    // of the transfer; "before" read as "on or before 14 February / 30 March" (statutory-rules.md §1.2 [U]).
    for e in f.input.events.iter() {
        let K::PhaseTransfer { kind } = e.kind else { continue };
        let (month, day, regulation) = match kind {
            TransferKind::School => (2, 14, "SEND Regs 2014 reg 18(1)(b)"),
            TransferKind::Post16 => (3, 30, "SEND Regs 2014 reg 18(1)(a)"),
        };
        let due = date_in_year(e.date.year(), month, day).expect("14 February and 30 March exist every year");
        let window_start = sub_months(due, 12);
        let amended = f
            .input
            .events
            .iter()
            .filter(|a| matches!(a.kind, K::AmendedFinalIssued) && a.date > window_start && a.date <= e.date.max(due))
            .map(|a| a.date)
            .next();
        steps.push(f.step(
            "phase_transfer".into(),
            regulation,
            StepKind::NoException,
            DelayParty::La,
            Period { start: window_start, due, done: amended },
        ));
    }
}

/// The family's comments on each draft and each set of proposed amendments, once they have come: due on
/// the last of the at least 15 days from service (SEND Regs 2014 reg 13(1)(a), reg 22(2)(c)), met or
/// late. The 15 days are a minimum the LA must give, not a duty on the family, so a draft with no
/// comments has no step (nothing is ever "overdue" for the family), and a late comment is recorded as
/// late but is not a delay of the plan: the LA may finalise once the 15 days have passed.
fn comment_steps(f: &Facts, steps: &mut Vec<Step>) {
    use ClockEventKind as K;
    let mut served: Option<(Date, &'static str)> = None;
    let mut answered = false;
    for e in &f.input.events {
        match e.kind {
            K::DraftIssued => (served, answered) = (Some((e.date, "SEND Regs 2014 reg 13(1)(a)")), false),
            K::AmendmentsProposed => (served, answered) = (Some((e.date, "SEND Regs 2014 reg 22(2)(c)")), false),
            K::FinalIssued | K::AmendedFinalIssued => served = None,
            K::DraftCommented if !answered => {
                if let Some((on, regulation)) = served {
                    steps.push(f.step(
                        "draft_comments".into(),
                        regulation,
                        StepKind::NoException,
                        DelayParty::Parent,
                        Period { start: on, due: crate::case::comment_window_ends(on), done: Some(e.date) },
                    ));
                    answered = true;
                }
            }
            _ => {}
        }
    }
}

/// Refuse contradictory input; return the exception periods.
fn check(input: &ClockInput, today: Date) -> Result<Vec<ExceptionPeriod>, ClockError> {
    use ClockEventKind as K;
    let fail = |e: &ClockEvent, msg: String| Err(ClockError(format!("{} on {}: {msg}", e.kind.type_name(), e.date)));
    if let Some(r) = input.received {
        if r > today {
            return Err(ClockError(format!("received {r} is after today {today}")));
        }
    }
    let seen = |pred: &dyn Fn(&K) -> bool, upto: usize| input.events[..upto].iter().any(|e| pred(&e.kind));
    let mut exceptions: Vec<ExceptionPeriod> = Vec::new();
    for (i, e) in input.events.iter().enumerate() {
        let is_transfer = matches!(e.kind, K::PhaseTransfer { .. });
        if e.date > today && !is_transfer {
            return fail(e, format!("the event is after today ({today}); only a phase transfer may be in the future"));
        }
        let is_assessment = matches!(
            e.kind,
            K::DecidedToAssess
                | K::DecidedNotToAssess
                | K::AdviceRequested { .. }
                | K::AdviceReceived { .. }
                | K::DecidedNotToIssue
                | K::DraftIssued
                | K::FinalIssued
        );
        match input.received {
            Some(r) if is_assessment && e.date < r => return fail(e, format!("it is before the request was received on {r}")),
            None if is_assessment => return fail(e, "an assessment step needs the date the request was received ('received')".into()),
            _ => {}
        }
        match &e.kind {
            K::DecidedToAssess | K::DecidedNotToAssess if seen(&|k| matches!(k, K::DecidedToAssess | K::DecidedNotToAssess), i) => {
                return fail(e, "the decision whether to assess was already recorded".into())
            }
            K::AdviceRequested { .. } | K::AdviceReceived { .. } | K::DecidedNotToIssue | K::DraftIssued | K::FinalIssued
                if !seen(&|k| matches!(k, K::DecidedToAssess), i) =>
            {
                return fail(e, "no decision to assess is recorded before it".into())
            }
            K::AdviceReceived { party } if !seen(&|k| matches!(k, K::AdviceRequested { party: p } if p == party), i) => {
                return fail(e, format!("advice from {party} was never requested"))
            }
            K::FinalIssued | K::DraftIssued if seen(&|k| matches!(k, K::DecidedNotToIssue), i) => {
                return fail(e, "the LA had decided not to issue a plan".into())
            }
            K::FinalIssued if seen(&|k| matches!(k, K::FinalIssued | K::PlanIssued), i) => {
                return fail(e, "a plan was already issued".into())
            }
            K::PlanIssued if input.received.is_some() => {
                return fail(
                    e,
                    "plan_issued starts a case from an existing plan, which has no 'received' date; use final_issued for a new plan".into(),
                )
            }
            K::PlanIssued if seen(&|k| matches!(k, K::PlanIssued), i) => return fail(e, "a plan was already issued".into()),
            K::ReviewMeeting | K::AmendmentsProposed if !seen(&|k| matches!(k, K::FinalIssued | K::PlanIssued), i) => {
                return fail(e, "there is no plan in force on that date to review or amend".into())
            }
            K::PhaseTransfer { .. } if !input.events.iter().any(|x| matches!(x.kind, K::FinalIssued | K::PlanIssued)) => {
                return fail(e, "there is no plan in force for a phase transfer".into())
            }
            K::DraftCommented if !seen(&|k| matches!(k, K::DraftIssued | K::AmendmentsProposed), i) => {
                return fail(e, "there is no draft plan or proposed amendments to comment on (SEND Regs 2014 reg 13(1), reg 22(2))".into())
            }
            K::ReviewDecision { .. } if !seen(&|k| matches!(k, K::ReviewMeeting), i) => {
                return fail(e, "no review meeting is recorded before it".into())
            }
            K::AmendedFinalIssued if !seen(&|k| matches!(k, K::AmendmentsProposed), i) => {
                return fail(e, "no proposed amendments are recorded before it (SEND Regs 2014 reg 22)".into())
            }
            K::ExceptionStarted { reason, party } => {
                if exceptions.iter().any(|x| x.reason == *reason && x.party == *party && x.end.is_none()) {
                    return fail(e, format!("a {reason} exception is already running"));
                }
                exceptions.push(ExceptionPeriod { reason: *reason, party: *party, start: e.date, end: None });
            }
            K::ExceptionEnded { reason, party } => {
                match exceptions.iter_mut().find(|x| x.reason == *reason && x.party == *party && x.end.is_none()) {
                    Some(x) => x.end = Some(e.date),
                    None => return fail(e, format!("no {reason} exception was started before it ends")),
                }
            }
            _ => {}
        }
    }
    Ok(exceptions)
}

#[cfg(test)]
mod tests;
