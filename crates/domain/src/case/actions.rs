//! What a person may record next on a case, at each stage of its lifecycle, in the order it is offered,
//! and what the statutory clock's next step asks for, in neutral words.
//!
//! The one home of both rules: the web's case page and action forms, and the API, read them from here
//! (the web only narrows the list to what the user's role may record).

use super::Stage;
use crate::case::AdviceParty;
use crate::clock::Step;
use serde::Serialize;

/// One thing a person may record on a case: a form that records one or more [`super::CaseEvent`]s.
/// [`Action::key`] is its stable code (the path segment of `/cases/{id}/actions/{key}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    DecisionToAssess,
    RequestAdvice,
    AdviceReceived,
    DecisionToIssue,
    IssueDraft,
    IssueFinal,
    SettingRequested,
    SettingConsulted,
    ReviewMeeting,
    ReviewReportSent,
    ReviewDecision,
    ProposeAmendments,
    IssueAmendedFinal,
    PhaseTransfer,
    ExceptionStart,
    ExceptionEnd,
    Cease,
    Withdraw,
    TransferOut,
    Mediation,
    AppealLodged,
    AppealDecided,
}

use Action as A;

/// The disputes a family may pursue on a decision: mediation and appeal to the First-tier Tribunal
/// (CFA 2014 s51-s53; SEND Regs 2014 Part 6). They stay open after a case closes (an appeal against
/// ceasing a plan is heard after it ceased), so they are offered at every stage that has a decision.
const DISPUTES: [Action; 3] = [A::Mediation, A::AppealLodged, A::AppealDecided];

impl Action {
    pub const ALL: [Action; 22] = [
        A::DecisionToAssess,
        A::RequestAdvice,
        A::AdviceReceived,
        A::DecisionToIssue,
        A::IssueDraft,
        A::IssueFinal,
        A::SettingRequested,
        A::SettingConsulted,
        A::ReviewMeeting,
        A::ReviewReportSent,
        A::ReviewDecision,
        A::ProposeAmendments,
        A::IssueAmendedFinal,
        A::PhaseTransfer,
        A::ExceptionStart,
        A::ExceptionEnd,
        A::Cease,
        A::Withdraw,
        A::TransferOut,
        A::Mediation,
        A::AppealLodged,
        A::AppealDecided,
    ];

    /// The action's stable code, as in `/cases/{id}/actions/{key}`.
    pub fn key(self) -> &'static str {
        match self {
            A::DecisionToAssess => "decision-to-assess",
            A::RequestAdvice => "request-advice",
            A::AdviceReceived => "advice-received",
            A::DecisionToIssue => "decision-to-issue",
            A::IssueDraft => "issue-draft",
            A::IssueFinal => "issue-final",
            A::SettingRequested => "setting-requested",
            A::SettingConsulted => "setting-consulted",
            A::ReviewMeeting => "review-meeting",
            A::ReviewReportSent => "review-report-sent",
            A::ReviewDecision => "review-decision",
            A::ProposeAmendments => "propose-amendments",
            A::IssueAmendedFinal => "issue-amended-final",
            A::PhaseTransfer => "phase-transfer",
            A::ExceptionStart => "exception-start",
            A::ExceptionEnd => "exception-end",
            A::Cease => "cease",
            A::Withdraw => "withdraw",
            A::TransferOut => "transfer-out",
            A::Mediation => "mediation",
            A::AppealLodged => "appeal-lodged",
            A::AppealDecided => "appeal-decided",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    /// What the action does, in plain English (a link's text and its form's heading).
    pub fn title(self) -> &'static str {
        match self {
            A::DecisionToAssess => "Record the decision whether to assess",
            A::RequestAdvice => "Request advice",
            A::AdviceReceived => "Record advice received",
            A::DecisionToIssue => "Record the decision whether to issue a plan",
            A::IssueDraft => "Issue a draft plan",
            A::IssueFinal => "Issue the final plan",
            A::SettingRequested => "Record a school or college the family asked for",
            A::SettingConsulted => "Record a school or college consulted",
            A::ReviewMeeting => "Record the annual review meeting",
            A::ReviewReportSent => "Record the review report sent",
            A::ReviewDecision => "Record the decision after the review",
            A::ProposeAmendments => "Propose amendments to the plan",
            A::IssueAmendedFinal => "Issue the amended final plan",
            A::PhaseTransfer => "Record a coming move to a new school or college",
            A::ExceptionStart => "Record an exception starting",
            A::ExceptionEnd => "Record an exception ending",
            A::Cease => "Cease the plan",
            A::Withdraw => "Record the request withdrawn",
            A::TransferOut => "Record a move to another local authority",
            A::Mediation => "Record mediation held",
            A::AppealLodged => "Record an appeal lodged",
            A::AppealDecided => "Record an appeal decided",
        }
    }
}

impl Stage {
    /// What may be recorded next at this stage, in the order it is offered. The lifecycle
    /// ([`super::Case::apply`]) still judges each event; this is the menu, not the verdict.
    pub fn actions(&self) -> &'static [Action] {
        match self {
            // CFA 2014 s36(1)-(3), SEND Regs 2014 reg 4-5: the LA decides whether to assess within 6 weeks;
            // an exception (reg 5(4)) may excuse a late decision.
            Stage::Requested => &[A::DecisionToAssess, A::ExceptionStart, A::ExceptionEnd, A::Withdraw, A::TransferOut],
            // s51(2)(a): a refusal to assess may be mediated and appealed; the LA may still decide to assess.
            Stage::AssessmentRefused { .. } => &[A::DecisionToAssess, A::Mediation, A::AppealLodged, A::AppealDecided, A::Withdraw],
            // s36(8), reg 6-8: advice is sought and received; reg 10 and s37: the LA decides whether to issue.
            Stage::Assessing { .. } => &[
                A::RequestAdvice,
                A::AdviceReceived,
                A::DecisionToIssue,
                A::IssueDraft,
                A::ExceptionStart,
                A::ExceptionEnd,
                A::Withdraw,
                A::TransferOut,
            ],
            // s51(2)(b): a refusal to issue a plan may be mediated and appealed; late advice still arrives.
            Stage::PlanRefused { .. } => {
                &[A::DecisionToIssue, A::AdviceReceived, A::Mediation, A::AppealLodged, A::AppealDecided, A::Withdraw]
            }
            // s37-s38: the draft plan is prepared from the advice.
            Stage::Drafting { .. } => {
                &[A::RequestAdvice, A::AdviceReceived, A::IssueDraft, A::ExceptionStart, A::ExceptionEnd, A::Withdraw, A::TransferOut]
            }
            // s38(2)(b), s39-s40, reg 13: the family comments and may ask for a school or college, which is
            // consulted; the final plan follows (reg 13(2): within 20 weeks of the request).
            Stage::DraftIssued { .. } => &[
                A::IssueFinal,
                A::IssueDraft,
                A::SettingRequested,
                A::SettingConsulted,
                A::AdviceReceived,
                A::ExceptionStart,
                A::ExceptionEnd,
                A::Withdraw,
                A::TransferOut,
            ],
            // s44, regs 18-22: reviews and amendments (reg 18: before a phase transfer); s45: ceasing;
            // s51(2)(c)-(f): disputes on the plan, its amendment or its ceasing; reg 15: transfer to another LA.
            Stage::PlanActive { .. } => &[
                A::ReviewMeeting,
                A::ReviewReportSent,
                A::ReviewDecision,
                A::ProposeAmendments,
                A::IssueAmendedFinal,
                A::SettingRequested,
                A::SettingConsulted,
                A::PhaseTransfer,
                A::Mediation,
                A::AppealLodged,
                A::AppealDecided,
                A::Cease,
                A::TransferOut,
            ],
            Stage::Ceased { .. } | Stage::Withdrawn { .. } | Stage::TransferredOut { .. } => &DISPUTES,
        }
    }
}

/// What the statutory clock's next step asks for, as the end of a sentence "Next: …" (lower case, no
/// full stop). Neutral about the outcome: a decision the law leaves open reads "decide whether to …",
/// never as if a refusal were expected (SEND Regs 2014 reg 10 gives 16 weeks to decide whether to issue a
/// plan; the step is named for the refusal only because only a refusal must be notified by then).
pub fn next_step(step: &Step) -> String {
    if let Some(party) = step.step.strip_prefix("advice:") {
        return match AdviceParty::parse(party) {
            Some(p) => format!("advice from {}", advice_giver(p)),
            None => "advice".into(),
        };
    }
    match step.step.as_str() {
        // CFA 2014 s36, SEND Regs 2014 reg 5(1): 6 weeks.
        "decision_to_assess" => "decide whether to assess",
        // Reg 10(1): 16 weeks.
        "decision_not_to_issue" => "decide whether to issue a plan",
        // Reg 13(2): 20 weeks from the request.
        "final_plan" => "issue the final plan",
        // S44(1), reg 2: within 12 months of the plan or the last review.
        "annual_review" => "hold the annual review",
        // Reg 20(10): 4 weeks after the meeting.
        "review_decision" => "decide whether to keep, amend or cease the plan after the review",
        // Reg 22(3): 8 weeks after the proposals.
        "amended_plan" => "issue the amended plan",
        // Reg 18(1): by 15 February or 31 March before the move.
        "phase_transfer" => "amend the plan for the move to a new school or college",
        // Reg 13(1)(a): at least 15 days to comment on the draft.
        "draft_comments" => "the family's comments on the draft",
        _ => "the next step",
    }
    .to_owned()
}

/// Who gives a party's advice, in words that follow "advice from" (reg 6(1)).
fn advice_giver(party: AdviceParty) -> &'static str {
    match party {
        AdviceParty::Parent => "the parent or young person",
        AdviceParty::Education => "the school or setting",
        AdviceParty::Health => "health",
        AdviceParty::SocialCare => "social care",
        AdviceParty::EducationalPsychology => "an educational psychologist",
        AdviceParty::Other => "others asked for advice",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_iso_date;
    use crate::case::{CeaseReason, ReviewStage};
    use crate::clock::StepStatus;

    fn d(s: &str) -> crate::calendar::Date {
        parse_iso_date(s).unwrap()
    }

    fn every_stage() -> Vec<Stage> {
        let on = d("2026-03-01");
        vec![
            Stage::Requested,
            Stage::AssessmentRefused { decided: on },
            Stage::Assessing { decided: on },
            Stage::PlanRefused { decided: on },
            Stage::Drafting { decided: on },
            Stage::DraftIssued { issued: on },
            Stage::PlanActive { since: on, review: ReviewStage::Idle },
            Stage::Ceased { on, reason: CeaseReason::MovedOutsideEngland },
            Stage::Withdrawn { on },
            Stage::TransferredOut { on, to_la: "886".parse().unwrap() },
        ]
    }

    fn step(name: &str) -> Step {
        Step {
            step: name.into(),
            due: d("2026-05-01"),
            done: None,
            status: StepStatus::Due,
            days_late: 0,
            regulation: "",
            waiting_on: None,
            exceptions: vec![],
        }
    }

    #[test]
    fn action_keys_are_unique_and_parse_back() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.key()), Some(a));
            assert_eq!(Action::ALL.iter().filter(|b| b.key() == a.key() || b.title() == a.title()).count(), 1, "{a:?}");
            assert_eq!(serde_json::to_value(a).unwrap(), a.key());
        }
        assert_eq!(Action::parse("assign"), None);
        assert_eq!(Action::parse("Decision-To-Assess"), None);
    }

    #[test]
    fn a_request_is_answered_by_the_decision_whether_to_assess_cfa_2014_s36() {
        let offered = Stage::Requested.actions();
        assert_eq!(offered.first(), Some(&Action::DecisionToAssess));
        for never in [Action::DecisionToIssue, Action::IssueDraft, Action::IssueFinal, Action::ReviewMeeting, Action::Cease] {
            assert!(!offered.contains(&never), "{never:?}");
        }
    }

    #[test]
    fn refusals_to_assess_or_to_issue_may_be_mediated_and_appealed_cfa_2014_s51() {
        for stage in [Stage::AssessmentRefused { decided: d("2026-03-01") }, Stage::PlanRefused { decided: d("2026-03-01") }] {
            for dispute in DISPUTES {
                assert!(stage.actions().contains(&dispute), "{stage:?} {dispute:?}");
            }
        }
        // Before any appealable decision there is nothing to appeal.
        for stage in [Stage::Requested, Stage::Assessing { decided: d("2026-03-01") }] {
            assert!(!stage.actions().iter().any(|a| DISPUTES.contains(a)), "{stage:?}");
        }
    }

    #[test]
    fn an_assessment_leads_to_the_decision_whether_to_issue_reg_10() {
        let offered = Stage::Assessing { decided: d("2026-03-01") }.actions();
        assert!(offered.contains(&Action::RequestAdvice) && offered.contains(&Action::DecisionToIssue));
        assert!(!offered.contains(&Action::IssueFinal), "a final plan follows a draft (reg 13)");
        let draft = Stage::DraftIssued { issued: d("2026-03-01") }.actions();
        assert_eq!(draft.first(), Some(&Action::IssueFinal));
        assert!(draft.contains(&Action::SettingRequested), "the family may ask for a school (s38(2)(b))");
    }

    #[test]
    fn a_plan_in_force_is_reviewed_amended_or_ceased_s44_s45() {
        let offered = Stage::PlanActive { since: d("2026-03-01"), review: ReviewStage::Idle }.actions();
        assert_eq!(&offered[..3], &[Action::ReviewMeeting, Action::ReviewReportSent, Action::ReviewDecision]);
        assert!(offered.contains(&Action::Cease) && offered.contains(&Action::ProposeAmendments));
        assert!(!offered.contains(&Action::Withdraw), "a request is withdrawn, not a plan");
    }

    #[test]
    fn a_closed_case_offers_only_its_disputes_cfa_2014_s51() {
        for stage in every_stage().into_iter().filter(Stage::is_closed) {
            assert_eq!(stage.actions(), &DISPUTES, "{stage:?}");
        }
    }

    #[test]
    fn every_open_stage_offers_something_and_no_action_twice() {
        for stage in every_stage() {
            let offered = stage.actions();
            assert!(!offered.is_empty(), "{stage:?}");
            for a in offered {
                assert_eq!(offered.iter().filter(|b| *b == a).count(), 1, "{stage:?} {a:?}");
            }
        }
    }

    #[test]
    fn the_next_step_on_issuing_a_plan_is_neutral_reg_10() {
        let next = next_step(&step("decision_not_to_issue"));
        assert_eq!(next, "decide whether to issue a plan");
        assert!(!next.contains("not"), "{next}");
        assert_eq!(next_step(&step("decision_to_assess")), "decide whether to assess");
    }

    #[test]
    fn every_clock_step_has_plain_next_words() {
        let names = [
            "decision_to_assess",
            "decision_not_to_issue",
            "final_plan",
            "annual_review",
            "review_decision",
            "amended_plan",
            "phase_transfer",
            "draft_comments",
        ];
        for name in names {
            let next = next_step(&step(name));
            assert!(next != "the next step" && !next.contains('_'), "{name}: {next}");
            assert_eq!(next, next.to_lowercase(), "lower case, to follow \"Next:\"");
        }
        for party in AdviceParty::ALL {
            let next = next_step(&step(&format!("advice:{}", party.key())));
            assert!(next.starts_with("advice from ") && !next.contains('_'), "{next}");
        }
        assert_eq!(next_step(&step("advice:health")), "advice from health");
    }
}
