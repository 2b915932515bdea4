//! The case state machine: legal paths, illegal transitions named by their rule, and replay.

use super::*;
use crate::calendar::{add_days, parse_iso_date};
use crate::identifiers::{SettingRef, Urn};
use crate::plan::NamedSetting;
use proptest::prelude::*;

fn d(s: &str) -> Date {
    parse_iso_date(s).unwrap()
}
fn ids() -> (CaseId, ChildId) {
    ("11111111-1111-4111-8111-111111111111".parse().unwrap(), "22222222-2222-4222-8222-222222222222".parse().unwrap())
}
fn ev(date: &str, kind: CaseEventKind) -> CaseEvent {
    CaseEvent::new(d(date), kind)
}
fn final_plan() -> PlanContents {
    let urn: Urn = "123456".parse().unwrap();
    PlanContents {
        named_settings: vec![NamedSetting {
            setting: SettingRef::Urn(urn),
            rank: 1,
            sen_unit: false,
            resourced_provision: false,
            other_description: None,
        }],
        ..Default::default()
    }
}

/// A whole case from request to an amended plan after review.
fn full_history() -> Vec<CaseEvent> {
    use CaseEventKind as E;
    vec![
        ev(
            "2026-01-05",
            E::RequestReceived {
                requester: Requester::ParentOrYoungPerson,
                in_youth_accommodation: false,
                unknown_dates: Default::default(),
            },
        ),
        ev("2026-02-13", E::DecidedToAssess),
        ev("2026-02-16", E::AdviceRequested { party: AdviceParty::Health }),
        ev("2026-02-16", E::AdviceRequested { party: AdviceParty::Education }),
        ev("2026-02-16", E::AdviceRequested { party: AdviceParty::EducationalPsychology }),
        ev("2026-03-20", E::AdviceReceived { party: AdviceParty::Education }),
        ev("2026-03-25", E::AdviceReceived { party: AdviceParty::EducationalPsychology }),
        ev("2026-04-10", E::AdviceReceived { party: AdviceParty::Health }),
        ev("2026-04-20", E::DecidedToIssue),
        ev("2026-05-01", E::DraftIssued { plan: PlanContents::default() }),
        ev("2026-05-04", E::SettingRequested { setting: SettingRef::Urn("123456".parse().unwrap()) }),
        ev("2026-05-05", E::SettingConsulted { setting: SettingRef::Urn("123456".parse().unwrap()) }),
        ev("2026-05-20", E::FinalIssued { plan: final_plan() }),
        ev("2026-07-01", E::MediationHeld { decision: AppealableDecision::PlanContents }),
        ev("2027-05-10", E::ReviewMeeting),
        ev("2027-05-17", E::ReviewReportSent),
        ev("2027-05-20", E::ReviewDecision { outcome: ReviewOutcome::Amend }),
        ev("2027-05-20", E::AmendmentsProposed { plan: final_plan() }),
        ev("2027-07-01", E::AmendedFinalIssued { plan: final_plan() }),
        ev("2027-07-02", E::PhaseTransferPlanned { transfer_date: d("2028-09-01"), kind: TransferKind::School }),
    ]
}

#[test]
fn a_case_runs_from_request_through_plan_to_amended_plan() {
    let (id, child) = ids();
    let case = Case::replay(id, child, &full_history()).unwrap();
    assert_eq!(case.stage(), &Stage::PlanActive { since: d("2026-05-20"), review: ReviewStage::Idle });
    assert_eq!(case.received(), Some(d("2026-01-05")));
    assert_eq!(case.advice()[&AdviceParty::Health].received, Some(d("2026-04-10")));
    assert_eq!(case.disputes().len(), 1);
    assert_eq!(case.requested_settings().len(), 1);
    assert_eq!(case.history().len(), full_history().len());
}

#[test]
fn the_clock_reads_the_cases_history() {
    let (id, child) = ids();
    let case = Case::replay(id, child, &full_history()).unwrap();
    let report = crate::clock::evaluate(&case.clock_input(), d("2027-08-01")).unwrap();
    let fin = report.steps.iter().find(|s| s.step == "final_plan").unwrap();
    assert_eq!(fin.status, crate::clock::StepStatus::Met);
    let pt = report.steps.iter().find(|s| s.step == "phase_transfer").unwrap();
    assert_eq!(pt.due, d("2028-02-14"));
}

fn apply_err(history: &[CaseEvent], next: CaseEvent) -> TransitionError {
    let (id, child) = ids();
    let mut case = Case::replay(id, child, history).unwrap();
    let before = case.clone();
    let e = case.apply(next).unwrap_err();
    assert_eq!(case, before, "a refused event leaves the case unchanged");
    e
}

#[test]
fn send_regs_2014_reg_13_2_a_final_plan_cannot_follow_a_request_directly() {
    let h = &full_history()[..1];
    let e = apply_err(h, ev("2026-02-01", CaseEventKind::FinalIssued { plan: final_plan() }));
    assert_eq!(e.rule, "final_after_draft");
    assert!(e.to_string().contains("reg 13"), "{e}");
}

#[test]
fn send_regs_2014_reg_13_1_the_final_plan_waits_out_the_fifteen_day_comment_window() {
    let h = &full_history()[..12];
    // Draft served 1 May: the window runs to 15 May inclusive.
    let e = apply_err(h, ev("2026-05-15", CaseEventKind::FinalIssued { plan: final_plan() }));
    assert_eq!(e.rule, "reg13_1_comment_window");
    let (id, child) = ids();
    let mut case = Case::replay(id, child, h).unwrap();
    case.apply(ev("2026-05-16", CaseEventKind::FinalIssued { plan: final_plan() })).unwrap();
}

#[test]
fn send_regs_2014_reg_13_1_section_i_is_blank_in_the_draft() {
    let h = &full_history()[..9];
    let e = apply_err(h, ev("2026-05-01", CaseEventKind::DraftIssued { plan: final_plan() }));
    assert_eq!(e.rule, "plan_contents");
}

#[test]
fn send_regs_2014_reg_22_2_c_amended_final_waits_fifteen_days_after_proposals() {
    let h = &full_history()[..18];
    let e = apply_err(h, ev("2027-06-03", CaseEventKind::AmendedFinalIssued { plan: final_plan() }));
    assert_eq!(e.rule, "reg22_2_comment_window");
}

#[test]
fn send_regs_2014_reg_20_10_a_review_decision_needs_a_meeting() {
    let h = &full_history()[..13];
    let e = apply_err(h, ev("2027-05-20", CaseEventKind::ReviewDecision { outcome: ReviewOutcome::Maintain }));
    assert_eq!(e.rule, "review_decision_after_meeting");
}

#[test]
fn send_regs_2014_reg_6_advice_is_sought_after_the_decision_to_assess() {
    let h = &full_history()[..1];
    let e = apply_err(h, ev("2026-01-10", CaseEventKind::AdviceRequested { party: AdviceParty::Health }));
    assert_eq!(e.rule, "advice_during_assessment");
    let h = &full_history()[..2];
    let e = apply_err(h, ev("2026-02-20", CaseEventKind::AdviceReceived { party: AdviceParty::SocialCare }));
    assert_eq!(e.rule, "advice_received_after_request");
}

#[test]
fn send_regs_2014_reg_20_8_the_review_report_follows_the_meeting() {
    let h = &full_history()[..13];
    let e = apply_err(h, ev("2027-05-01", CaseEventKind::ReviewReportSent));
    assert_eq!(e.rule, "review_report_after_meeting");
}

#[test]
fn cfa_2014_s38_settings_are_requested_on_a_draft_not_before() {
    let h = &full_history()[..2];
    let e = apply_err(h, ev("2026-03-01", CaseEventKind::SettingRequested { setting: SettingRef::Urn("123456".parse().unwrap()) }));
    assert_eq!(e.rule, "consult_on_draft");
}

#[test]
fn cfa_2014_s45_a_plan_in_force_is_ceased_not_withdrawn() {
    let h = &full_history()[..13];
    let e = apply_err(h, ev("2026-06-01", CaseEventKind::Withdrawn));
    assert_eq!(e.rule, "withdraw_before_plan");
    let (id, child) = ids();
    let mut case = Case::replay(id, child, h).unwrap();
    case.apply(ev("2026-06-01", CaseEventKind::Ceased { reason: CeaseReason::MovedOutsideEngland })).unwrap();
    assert!(case.stage().is_closed());
    // An appeal against ceasing is still possible once closed.
    case.apply(ev("2026-06-20", CaseEventKind::AppealLodged { decision: AppealableDecision::Cease })).unwrap();
    let e = case.clone().apply(ev("2026-06-21", CaseEventKind::ReviewMeeting)).unwrap_err();
    assert_eq!(e.rule, "case_closed");
}

#[test]
fn withdrawal_at_any_stage_before_a_plan_closes_the_case() {
    for n in [1, 2, 9, 10, 11] {
        let (id, child) = ids();
        let mut case = Case::replay(id, child, &full_history()[..n]).unwrap();
        let date = case.last_event_date();
        case.apply(CaseEvent::new(date, CaseEventKind::Withdrawn)).unwrap();
        assert_eq!(case.stage(), &Stage::Withdrawn { on: date });
    }
}

#[test]
fn cfa_2014_s51_a_refusal_to_assess_reopens_only_after_mediation_or_appeal() {
    use CaseEventKind as E;
    let h = vec![
        ev(
            "2026-01-05",
            E::RequestReceived { requester: Requester::SchoolOrSetting, in_youth_accommodation: false, unknown_dates: Default::default() },
        ),
        ev("2026-02-10", E::DecidedNotToAssess),
    ];
    let e = apply_err(&h, ev("2026-03-01", E::DecidedToAssess));
    assert_eq!(e.rule, "reconsider_after_dispute");
    let e = apply_err(&h, ev("2026-03-01", E::AppealDecided { decision: AppealableDecision::RefusalToAssess, upheld: true }));
    assert_eq!(e.rule, "appeal_decided_after_lodged");
    let e = apply_err(&h, ev("2026-03-01", E::AppealLodged { decision: AppealableDecision::RefusalToIssue }));
    assert_eq!(e.rule, "dispute_needs_decision");
    let (id, child) = ids();
    let mut case = Case::replay(id, child, &h).unwrap();
    case.apply(ev("2026-03-20", E::AppealLodged { decision: AppealableDecision::RefusalToAssess })).unwrap();
    case.apply(ev("2026-07-01", E::AppealDecided { decision: AppealableDecision::RefusalToAssess, upheld: true })).unwrap();
    case.apply(ev("2026-07-10", E::DecidedToAssess)).unwrap();
    assert_eq!(case.stage().name(), "assessing");
}

#[test]
fn late_paperwork_is_refused_where_its_date_breaks_a_rule_and_a_case_opens_with_a_request() {
    // Advice requested on 1 February, before the decision to assess on 13 February: SEND Regs 2014
    // reg 6(1) (advice is sought once the LA has decided to assess) refuses it at its real date.
    let h = &full_history()[..2];
    let e = apply_err(h, ev("2026-02-01", CaseEventKind::AdviceRequested { party: AdviceParty::Health }));
    assert_eq!(e.rule, "advice_during_assessment");
    // Nothing is recorded before the request that opened the case.
    let e = apply_err(h, ev("2026-01-01", CaseEventKind::ExceptionStarted { reason: ExceptionReason::SchoolClosure, party: None }));
    assert_eq!(e.rule, "before_case_opened");
    let (id, child) = ids();
    let e = Case::open(id, child, ev("2026-01-05", CaseEventKind::DecidedToAssess)).unwrap_err();
    assert_eq!(e.rule, "case_opens_with_request");
}

#[test]
fn reg_15_a_case_can_start_from_a_plan_transferred_in() {
    let (id, child) = ids();
    let first = ev("2025-09-01", CaseEventKind::ExistingPlan { plan: final_plan(), transferred_from: Some("886".parse().unwrap()) });
    let mut case = Case::open(id, child, first).unwrap();
    assert_eq!(case.stage().name(), "plan_active");
    assert_eq!(case.received(), None);
    case.apply(ev("2026-06-01", CaseEventKind::ReviewMeeting)).unwrap();
    case.apply(ev("2026-06-20", CaseEventKind::ReviewDecision { outcome: ReviewOutcome::Maintain })).unwrap();
    case.apply(ev("2026-07-01", CaseEventKind::TransferredOut { to_la: "852".parse().unwrap() })).unwrap();
    assert!(case.stage().is_closed());
}

#[test]
fn cfa_2014_s51_the_contents_of_a_plan_held_before_waymark_can_be_mediated_and_appealed() {
    let (id, child) = ids();
    let history = [
        ev("2024-03-01", CaseEventKind::ExistingPlan { plan: final_plan(), transferred_from: None }),
        ev("2025-02-01", CaseEventKind::MediationHeld { decision: AppealableDecision::PlanContents }),
        ev("2025-03-01", CaseEventKind::AppealLodged { decision: AppealableDecision::PlanContents }),
    ];
    let case = Case::replay(id, child, &history).unwrap();
    assert_eq!(case.disputes().len(), 1);
    // A plan in force is a decision on its contents; it is not a refusal to assess, which was never made.
    let e = apply_err(&history, ev("2025-04-01", CaseEventKind::MediationHeld { decision: AppealableDecision::RefusalToAssess }));
    assert_eq!(e.rule, "dispute_needs_decision");
}

#[test]
fn case_events_round_trip_through_json() {
    for e in full_history() {
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains(&format!("\"type\":\"{}\"", e.type_name())), "{json}");
        assert_eq!(serde_json::from_str::<CaseEvent>(&json).unwrap(), e);
    }
}

proptest! {
    /// Replaying the history reproduces the case, whatever prefix of it has happened.
    #[test]
    fn replaying_the_history_reproduces_the_case(n in 1usize..21, shift in 0u64..400) {
        let history: Vec<CaseEvent> = full_history()[..n]
            .iter()
            .map(|e| {
                let mut e = e.clone();
                e.date = add_days(e.date, shift);
                if let CaseEventKind::PhaseTransferPlanned { transfer_date, .. } = &mut e.kind {
                    *transfer_date = add_days(*transfer_date, shift);
                }
                e
            })
            .collect();
        let (id, child) = ids();
        let mut built = Case::open(id, child, history[0].clone()).unwrap();
        for e in &history[1..] {
            built.apply(e.clone()).unwrap();
        }
        let replayed = Case::replay(id, child, built.history()).unwrap();
        prop_assert_eq!(&replayed, &built);
        // And through JSON, as the store keeps it.
        let json = serde_json::to_string(built.history()).unwrap();
        let stored: Vec<CaseEvent> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(Case::replay(id, child, &stored).unwrap(), built);
    }
}

#[test]
fn late_paperwork_is_recorded_at_its_real_date_and_the_case_replays_in_date_order() {
    use CaseEventKind as E;
    // The health advice arrived on 10 April but is recorded after the decision to issue (20 April).
    let mut h: Vec<CaseEvent> = full_history()[..9].to_vec();
    let late = h.remove(7);
    assert!(matches!(late.kind, E::AdviceReceived { party: AdviceParty::Health }));
    let (id, child) = ids();
    let mut case = Case::replay(id, child, &h).unwrap();
    case.apply(late.clone()).unwrap();
    assert_eq!(case.advice()[&AdviceParty::Health].received, Some(d("2026-04-10")));
    // The history is in date order, and replaying the events in the order they were stored (late one
    // last) gives the same case.
    assert!(case.history().windows(2).all(|w| w[0].date <= w[1].date));
    let mut stored = h.clone();
    stored.push(late);
    assert_eq!(Case::replay(id, child, &stored).unwrap(), case);
    // The clock counts the advice as received on its real date: met, not late.
    let report = crate::clock::evaluate(&case.clock_input(), d("2026-05-01")).unwrap();
    let health = report.steps.iter().find(|s| s.step == "advice:health").unwrap();
    assert_eq!(health.done, Some(d("2026-04-10")));
}

#[test]
fn late_paperwork_that_would_make_a_later_event_impossible_is_refused_and_nothing_changes() {
    use CaseEventKind as E;
    // A decision not to assess dated 1 February would come before the decision to assess on 13
    // February, which could then not happen (reg 5(1): the decision is made once).
    let h = &full_history()[..3];
    let e = apply_err(h, ev("2026-02-01", E::DecidedNotToAssess));
    assert_eq!(e.rule, "late_event_breaks_history");
    assert!(e.message.contains("decided_to_assess") || e.message.contains("2026-02-13"), "{}", e.message);
    // Health advice received dated before it was requested (16 February) is refused on its own rule.
    let e = apply_err(&full_history()[..5], ev("2026-02-14", E::AdviceReceived { party: AdviceParty::Health }));
    assert_eq!(e.rule, "advice_received_after_request");
}

#[test]
fn send_regs_2014_reg_13_1_a_comment_on_the_draft_after_the_fifteen_days_is_taken_and_marked_late() {
    use CaseEventKind as E;
    // Draft served 1 May: the 15 days run to 15 May inclusive.
    let h = &full_history()[..12];
    let (id, child) = ids();
    let mut case = Case::replay(id, child, h).unwrap();
    assert_eq!(case.comment_window(), Some(d("2026-05-15")));
    case.apply(ev("2026-05-15", E::DraftCommented)).unwrap();
    case.apply(ev("2026-05-18", E::DraftCommented)).unwrap();
    let comments = case.draft_comments();
    assert_eq!(comments.len(), 2);
    assert_eq!((comments[0].late, comments[0].window_ends), (false, d("2026-05-15")));
    assert!(comments[1].late, "a comment on the 18th is after the 15 days");
    // The clock records the first comment on the draft, in time.
    let report = crate::clock::evaluate(&case.clock_input(), d("2026-05-18")).unwrap();
    let step = report.steps.iter().find(|s| s.step == "draft_comments").unwrap();
    assert_eq!((step.due, step.done, step.status), (d("2026-05-15"), Some(d("2026-05-15")), crate::clock::StepStatus::Met));
    assert!(step.regulation.contains("reg 13(1)"));
}

#[test]
fn send_regs_2014_reg_13_1_a_late_comment_is_late_on_the_clock_and_a_revised_draft_restarts_the_fifteen_days() {
    use CaseEventKind as E;
    let (id, child) = ids();
    let mut case = Case::replay(id, child, &full_history()[..12]).unwrap();
    case.apply(ev("2026-05-20", E::DraftCommented)).unwrap();
    let report = crate::clock::evaluate(&case.clock_input(), d("2026-05-20")).unwrap();
    let step = report.steps.iter().find(|s| s.step == "draft_comments").unwrap();
    assert_eq!((step.status, step.days_late), (crate::clock::StepStatus::Missed, 5));
    // A revised draft on 21 May: new 15 days, to 4 June.
    case.apply(ev("2026-05-21", E::DraftIssued { plan: PlanContents::default() })).unwrap();
    case.apply(ev("2026-06-01", E::DraftCommented)).unwrap();
    assert_eq!(case.draft_comments().last().map(|c| (c.late, c.window_ends)), Some((false, d("2026-06-04"))));
}

#[test]
fn send_regs_2014_reg_13_1_and_22_2_comments_need_a_draft_or_proposed_amendments() {
    use CaseEventKind as E;
    // Before the draft: refused, and the case is unchanged.
    let e = apply_err(&full_history()[..9], ev("2026-04-21", E::DraftCommented));
    assert_eq!(e.rule, "comments_on_draft");
    assert!(e.message.contains("reg 13(1)"), "{}", e.message);
    // Once the plan is final, comments on it go to mediation or appeal, not here.
    let e = apply_err(&full_history()[..13], ev("2026-05-21", E::DraftCommented));
    assert_eq!(e.rule, "comments_on_draft");
    // Proposed amendments after a review (reg 22(2)(c)) take comments: served 20 May 2027.
    let (id, child) = ids();
    let mut case = Case::replay(id, child, &full_history()[..18]).unwrap();
    assert!(matches!(case.stage(), Stage::PlanActive { review: ReviewStage::AmendmentsProposed { .. }, .. }));
    case.apply(ev("2027-06-03", E::DraftCommented)).unwrap();
    assert_eq!(case.draft_comments()[0].window_ends, d("2027-06-03"));
    assert!(!case.draft_comments()[0].late);
    let report = crate::clock::evaluate(&case.clock_input(), d("2027-06-03")).unwrap();
    assert!(report.steps.iter().any(|s| s.step == "draft_comments" && s.regulation.contains("reg 22(2)(c)")));
}

#[test]
fn send_regs_2014_reg_6_1_a_the_familys_views_are_the_parents_advice_on_the_clock() {
    use CaseEventKind as E;
    let (id, child) = ids();
    let mut case = Case::replay(id, child, &full_history()[..3]).unwrap();
    // Views before the parent's advice is asked for are kept, but are not advice received.
    case.apply(ev("2026-02-14", E::ViewsSent)).unwrap();
    case.apply(ev("2026-02-16", E::AdviceRequested { party: AdviceParty::Parent })).unwrap();
    assert_eq!(case.advice()[&AdviceParty::Parent].received, None);
    // The first views after the request are the parent's advice, received that day.
    case.apply(ev("2026-03-02", E::ViewsSent)).unwrap();
    case.apply(ev("2026-03-09", E::ViewsSent)).unwrap();
    assert_eq!(case.advice()[&AdviceParty::Parent].received, Some(d("2026-03-02")));
    assert_eq!(case.views_sent(), &[d("2026-02-14"), d("2026-03-02"), d("2026-03-09")]);
    let report = crate::clock::evaluate(&case.clock_input(), d("2026-03-10")).unwrap();
    let parent = report.steps.iter().find(|s| s.step == "advice:parent").unwrap();
    assert_eq!((parent.done, parent.status), (Some(d("2026-03-02")), crate::clock::StepStatus::Met));
    // The advice is then in: recording it again is refused as already received.
    let e = apply_err(case.history(), ev("2026-03-10", E::AdviceReceived { party: AdviceParty::Parent }));
    assert_eq!(e.rule, "advice_received_once");
    // A closed case takes no views.
    let mut closed = case.clone();
    closed.apply(ev("2026-03-11", E::Withdrawn)).unwrap();
    assert_eq!(closed.clone().apply(ev("2026-03-12", E::ViewsSent)).unwrap_err().rule, "case_closed");
}

#[test]
fn contribution_events_round_trip_through_json() {
    for kind in [CaseEventKind::ViewsSent, CaseEventKind::DraftCommented] {
        let e = ev("2026-05-04", kind);
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains(&format!("\"type\":\"{}\"", e.type_name())), "{json}");
        assert_eq!(serde_json::from_str::<CaseEvent>(&json).unwrap(), e);
    }
}
