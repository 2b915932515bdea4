//! The message catalogue: every refusal, conflict and error a person can meet on a page, written for
//! them (what is wrong, then what to do), in one place. The engine's rule ids stay in the API's `code`;
//! no page shows a rule id, an event's internal name or an enum value.

use crate::views::{advice_label, long_date};
use waymark_domain::case::{CaseEvent, CaseEventKind as E, TransitionError};
use waymark_storage::StoreError;

/// What an event is, by its internal type name, as people say it ("the decision to assess").
pub fn event_name(type_name: &str) -> &'static str {
    match type_name {
        "request_received" => "the request for an assessment",
        "decided_to_assess" => "the decision to assess",
        "decided_not_to_assess" => "the decision not to assess",
        "advice_requested" => "the request for advice",
        "advice_received" => "the advice received",
        "exception_started" => "the start of an exception",
        "exception_ended" => "the end of an exception",
        "decided_to_issue" => "the decision to issue a plan",
        "decided_not_to_issue" => "the decision not to issue a plan",
        "draft_issued" => "the draft plan",
        "setting_requested" => "the school or college the family asked for",
        "views_sent" => "the family's views",
        "draft_commented" => "the family's comments on the draft",
        "setting_consulted" => "the consultation with a school or college",
        "final_issued" => "the final plan",
        "existing_plan" => "the existing plan",
        "review_meeting" => "the annual review meeting",
        "review_report_sent" => "the review report",
        "review_decision" => "the decision after the review",
        "amendments_proposed" => "the proposed amendments",
        "amended_final_issued" => "the amended final plan",
        "phase_transfer_planned" => "the planned move to a new school or college",
        "ceased" => "ceasing the plan",
        "withdrawn" => "the withdrawal of the request",
        "transferred_out" => "the move to another local authority",
        "mediation_held" => "the mediation",
        "appeal_lodged" => "the appeal lodged",
        "appeal_decided" => "the tribunal's decision",
        _ => "this step",
    }
}

fn capitalise(text: &str) -> String {
    crate::forms::capitalise(text)
}

/// The advice-giver an event names, in words ("health"), if it names one.
fn party_of(t: &TransitionError, events: &[CaseEvent]) -> String {
    events
        .iter()
        .find(|e| e.type_name() == t.event && e.date == t.date)
        .and_then(|e| match &e.kind {
            E::AdviceRequested { party } | E::AdviceReceived { party } => Some(advice_label(*party).to_lowercase()),
            _ => None,
        })
        .unwrap_or_else(|| "this service".into())
}

/// A lifecycle refusal as a sentence for the person who tried it. `events` are the events they tried
/// to record (to name the advice-giver).
pub fn refusal(t: &TransitionError, events: &[CaseEvent]) -> String {
    let what = event_name(t.event);
    let on = long_date(t.date);
    let party = party_of(t, events);
    let window = |days_from: &str| {
        format!("The family has at least 15 days to comment on {days_from} (SEND Regulations 2014). Enter a date after the 15 days, or wait until then.")
    };
    match t.rule {
        "late_event_breaks_history" => {
            let later = t.later.as_deref();
            let (later_what, later_on, later_why) = later
                .map(|l| (event_name(l.event), long_date(l.date), refusal(l, &[])))
                .unwrap_or(("a later step", String::new(), String::new()));
            format!(
                "{} cannot be dated {on}: it would then come before {later_what}{}{}, which could not have happened after it. {later_why} Check the date, or correct the later entry first.",
                capitalise(what),
                if later_on.is_empty() { "" } else { " on " },
                later_on
            )
        }
        "before_case_opened" => format!("{} is dated {on}, before the case began. Check the date: nothing can be recorded before the request or plan that opened the case.", capitalise(what)),
        "case_opens_with_request" => "A case starts with a request for an assessment or a plan already in force. Start a new case from the request.".into(),
        "one_request_per_case" => "This case already has its request or plan. A new request starts a new case.".into(),
        "case_closed" => "This case is closed, so nothing more can be recorded on it except mediation and appeals. For a new request, start a new case.".into(),
        "decision_to_assess_once" => "The decision whether to assess has already been recorded for this case, and it is made once, after the request. If it was recorded wrongly, ask your SEND manager to correct the case.".into(),
        "advice_requested_once" => format!("Advice from {party} has already been requested on this case. Record the advice when it arrives."),
        "advice_during_assessment" => format!("Advice can only be requested once the council has decided to assess, and on {on} it had not. Check the date, or record the decision to assess first."),
        "advice_received_after_request" => format!("No request for advice from {party} was open on {on}. Check the date, or record the request for advice first."),
        "advice_received_once" => format!("Advice from {party} has already been recorded as received."),
        "issue_decision_after_assessment" => format!("The decision whether to issue a plan follows an assessment, and on {on} no assessment was under way. Check the date, or record the decision to assess first."),
        "draft_after_assessment" => format!("A draft plan follows an assessment and a decision to issue a plan, and on {on} there was none. Check the date, or record those steps first."),
        "comments_on_draft" => format!("Comments are sent on a draft plan or on proposed amendments, and on {on} there was neither (SEND Regulations 2014, regulations 13 and 22). Check the date, or issue the draft first."),
        "consult_on_draft" => format!("Schools and colleges are asked for, and consulted, on a draft plan or on proposed amendments, and on {on} there was neither. Check the date, or issue the draft first."),
        "reg13_1_comment_window" => window("the draft plan"),
        "reg22_2_comment_window" => window("the proposed amendments"),
        "final_after_draft" => format!("A final plan follows a draft plan the family has been able to comment on, and on {on} no draft had been issued. Check the date, or issue the draft first."),
        "needs_active_plan" => format!("Reviews, amendments, moves between schools and ceasing apply to a plan in force, and on {on} this case had no plan in force. Check the date."),
        "withdraw_before_plan" => "A plan in force cannot be withdrawn. To end it, cease the plan.".into(),
        "transfer_open_case" => "Only an open case can move to another local authority.".into(),
        "review_decision_before_next_review" => "The last annual review has no decision recorded yet. Record the decision after that review first.".into(),
        "review_report_after_meeting" => format!("The review report follows the review meeting, and on {on} no meeting was waiting for its report. Record the review meeting first, or check the date."),
        "review_decision_after_meeting" => format!("A decision after a review follows a review meeting, and on {on} none was waiting for a decision. Record the review meeting first, or check the date."),
        "amendments_after_decision" => "Amendments are proposed after a decision to amend the plan. Record the decision after the review first.".into(),
        "amended_final_after_proposals" => "An amended final plan follows proposed amendments. Propose the amendments first.".into(),
        "phase_transfer_in_future" => "The move to a new school or college must be dated on or after the day it is recorded. Check the two dates.".into(),
        "not_with_active_plan" => "This step belongs to an assessment, and this case already has a plan in force.".into(),
        "dispute_needs_decision" => format!("Mediation and appeals are about a decision the council has made, and on {on} it had not made that decision on this case. Check which decision it is about, and the date."),
        "appeal_decided_after_lodged" => "An appeal is decided after it is lodged. Record the appeal lodged first.".into(),
        "reconsider_after_dispute" => "A refusal is reopened after mediation or an appeal about it. Record the mediation or appeal first.".into(),
        "plan_contents" => format!("The plan's contents are not complete: {}. Correct the plan and try again.", t.message.trim_end_matches('.')),
        _ => format!("{} cannot be recorded on {on} at this stage of the case. Check the date and the step.", capitalise(what)),
    }
}

/// What an audit entry was about, in words (the audit log's internal subject names stay in the
/// API and the CSV).
pub fn audit_subject(subject: &str) -> String {
    match subject {
        "case" => "A case",
        "case_record" => "A case's page",
        "case_history" => "A case's history",
        "case_list" => "A list of cases",
        "case_assignment" => "A case's caseworker",
        "cases_for_child" => "A child's cases",
        "child" => "A child's details",
        "child_record" => "A child's record",
        "child_list" => "A list of children",
        "child_search" => "A search for a child",
        "child_history" => "A child's history",
        "child_merge" => "Two records of one child joined",
        "aggregate" => "Figures for the area",
        "inspection_evidence" => "The inspection evidence pack",
        "placement" | "placements" => "Placements at schools or settings",
        "facts" | "fact_list" => "Records from other services",
        "identity_review" | "identity_review_list" | "identity_scan" | "identity_history" => "Matching records of one child",
        "user" => "A user's account",
        "user_child_link" => "A family's link to a child",
        "sen2_return" => "The SEN2 return",
        "bulk_load" => "A bulk load of records",
        "calendar" => "A calendar feed",
        "my_work" => "A list of work to do",
        "la_settings" => "The council's return settings",
        "establishments" => "Schools and settings",
        "case_document" => "A document on a case",
        "case_documents" => "A case's documents",
        "letter_template" => "A letter's template",
        "case_contributions" => "Views, comments and advice sent on a case",
        other => return crate::forms::capitalise(&other.replace('_', " ")),
    }
    .to_owned()
}

/// A store failure a person can act on, in words; `None` for failures that are the service's fault
/// (shown as the generic error page).
pub fn store_error(e: &StoreError) -> Option<String> {
    match e {
        StoreError::Transition(t) => Some(refusal(t, &[])),
        StoreError::Conflict { .. } => Some(CONFLICT.into()),
        StoreError::Invalid(m) => Some(capitalise(m)),
        StoreError::Child(c) => Some(capitalise(&c.to_string())),
        _ => None,
    }
}

/// Someone else saved a change first.
pub const CONFLICT: &str =
    "Someone else changed this case while you were working on it, so your answers have not been saved yet. Check their changes below, then save yours again if they still apply.";

/// A save whose answers no longer fit the case after someone else's change.
pub const CONFLICT_STALE: &str =
    "Someone else changed this case while you were working on it, and your answers no longer fit the case as it now is. Nothing was saved. Go back to the case and start again.";

/// The form did not say which version of the case it started from.
pub const NO_VERSION: &str = "The form did not say which version of the case it was based on. Go back to the case and start again.";

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_domain::case::{Case, CaseEventKind, Requester};
    use waymark_domain::Date;

    fn d(t: &str) -> Date {
        waymark_domain::calendar::parse_iso_date(t).unwrap()
    }

    /// Every rule the lifecycle can refuse with has its own sentence, with no internal words.
    #[test]
    fn every_refusal_reads_as_plain_english() {
        let rules = [
            "late_event_breaks_history",
            "before_case_opened",
            "case_opens_with_request",
            "one_request_per_case",
            "case_closed",
            "decision_to_assess_once",
            "advice_requested_once",
            "advice_during_assessment",
            "advice_received_after_request",
            "advice_received_once",
            "issue_decision_after_assessment",
            "draft_after_assessment",
            "consult_on_draft",
            "reg13_1_comment_window",
            "reg22_2_comment_window",
            "final_after_draft",
            "needs_active_plan",
            "withdraw_before_plan",
            "transfer_open_case",
            "review_decision_before_next_review",
            "review_report_after_meeting",
            "review_decision_after_meeting",
            "amendments_after_decision",
            "amended_final_after_proposals",
            "phase_transfer_in_future",
            "not_with_active_plan",
            "dispute_needs_decision",
            "appeal_decided_after_lodged",
            "reconsider_after_dispute",
            "plan_contents",
        ];
        for rule in rules {
            let t = TransitionError {
                rule,
                event: "advice_received",
                stage: "assessing",
                date: d("2026-03-02"),
                message: "section I is left blank in a draft plan".into(),
                later: None,
            };
            let text = refusal(&t, &[]);
            assert!(!text.contains('_') && !text.contains("advice_received") && !text.contains("assessing"), "{rule}: {text}");
            assert!(text.ends_with('.'), "{rule}: {text}");
        }
    }

    #[test]
    fn a_refused_late_entry_names_the_later_step_it_would_break() {
        let id = "11111111-1111-4111-8111-111111111111".parse().unwrap();
        let child = "22222222-2222-4222-8222-222222222222".parse().unwrap();
        let request = CaseEvent::new(
            d("2026-01-05"),
            CaseEventKind::RequestReceived {
                requester: Requester::ParentOrYoungPerson,
                in_youth_accommodation: false,
                unknown_dates: Default::default(),
            },
        );
        let mut case = Case::open(id, child, request).unwrap();
        case.apply(CaseEvent::new(d("2026-02-13"), CaseEventKind::DecidedToAssess)).unwrap();
        let late = CaseEvent::new(d("2026-02-01"), CaseEventKind::DecidedNotToAssess);
        let t = case.apply(late.clone()).unwrap_err();
        let text = refusal(&t, &[late]);
        assert!(text.contains("1 February 2026") && text.contains("the decision to assess on 13 February 2026"), "{text}");
        assert!(!text.contains('_'), "{text}");
    }
}
