use super::*;
use waymark_domain::case::Requester;

fn d(s: &str) -> Date {
    waymark_domain::calendar::parse_iso_date(s).unwrap()
}

fn label() -> CaseLabel {
    CaseLabel::new("0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f".parse().unwrap(), "Amara", "Okafor")
}

fn ev(date: &str, kind: CaseEventKind) -> CaseEvent {
    CaseEvent::new(d(date), kind)
}

fn request(date: &str) -> CaseEvent {
    ev(
        date,
        CaseEventKind::RequestReceived {
            requester: Requester::ParentOrYoungPerson,
            in_youth_accommodation: false,
            unknown_dates: Default::default(),
        },
    )
}

fn plan() -> waymark_domain::plan::PlanContents {
    waymark_domain::plan::PlanContents::default()
}

/// Every text a notice carries, for the checks on personal data.
fn all_text(n: &Notice) -> String {
    format!("{}\n{}\n{}", n.subject, n.body, n.email("https://waymark.example"))
}

#[test]
fn a_case_is_named_by_reference_and_initials_only() {
    let l = label();
    assert_eq!(l.reference(), "EHC-0F8E5A3C");
    assert_eq!(l.initials(), "A.O.");
    let notices = on_event(&l, &request("2026-03-02"));
    assert_eq!(notices.len(), 1);
    let text = all_text(&notices[0]);
    assert!(text.contains("EHC-0F8E5A3C") && text.contains("A.O."));
    assert!(!text.contains("Amara") && !text.contains("Okafor"), "{text}");
}

/// SEND Regulations 2014 reg 8(1): advice within 6 weeks of the request.
#[test]
fn advice_requested_tells_the_service_its_due_date_under_reg_8_1() {
    let notices = on_event(&label(), &ev("2026-03-02", CaseEventKind::AdviceRequested { party: AdviceParty::Health }));
    assert_eq!(notices.len(), 1);
    let n = &notices[0];
    assert_eq!(n.audience, Audience::Service(AdviceParty::Health));
    assert_eq!(n.topic, Topic::AdviceRequested);
    assert!(n.subject.contains("Monday 13 April 2026"), "{}", n.subject);
    assert!(n.body.contains("What to do: send your advice by Monday 13 April 2026"), "{}", n.body);
    assert!(n.body.contains("regulation 8(1)"));
    assert_eq!(n.link, "/advice");
    assert!(n.email("https://waymark.example/").contains("https://waymark.example/advice"));
}

#[test]
fn the_request_tells_the_family_what_happens_next_and_by_when() {
    let n = &on_event(&label(), &request("2026-03-02"))[0];
    assert_eq!(n.audience, Audience::Family);
    // Reg 5(1): 6 weeks to decide whether to assess.
    assert!(n.body.contains("by Monday 13 April 2026"), "{}", n.body);
    assert!(n.link.starts_with("/my-journey/"));
}

/// SEND Regulations 2014 reg 13(1): at least 15 days beginning with the day the draft is served.
#[test]
fn the_draft_plan_notice_gives_the_last_day_of_the_15_days_under_reg_13_1() {
    assert_eq!(draft_comments_last_day(d("2026-06-01")), d("2026-06-15"));
    let n = &on_event(&label(), &ev("2026-06-01", CaseEventKind::DraftIssued { plan: plan() }))[0];
    assert_eq!(n.topic, Topic::DraftIssued);
    assert!(n.subject.contains("comment by Monday 15 June 2026"), "{}", n.subject);
    assert!(n.body.contains("particular school or college"));
}

#[test]
fn each_decision_is_a_decision_notice_to_the_family_with_appeal_rights_where_the_law_gives_them() {
    let refusals = [CaseEventKind::DecidedNotToAssess, CaseEventKind::DecidedNotToIssue];
    for kind in refusals {
        let n = &on_event(&label(), &ev("2026-04-01", kind))[0];
        assert_eq!((n.topic, n.audience), (Topic::Decision, Audience::Family));
        assert!(n.body.contains("appeal to the SEND Tribunal"), "{}", n.body);
    }
    let yes = &on_event(&label(), &ev("2026-04-01", CaseEventKind::DecidedToAssess))[0];
    assert_eq!(yes.topic, Topic::Decision);
    assert!(!yes.body.contains("Tribunal"));
    let review = &on_event(&label(), &ev("2026-04-01", CaseEventKind::ReviewDecision { outcome: ReviewOutcome::Maintain }))[0];
    assert_eq!(review.topic, Topic::Decision);
    assert!(on_event(&label(), &ev("2026-04-01", CaseEventKind::ReviewMeeting)).is_empty());
}

#[test]
fn a_final_plan_is_announced_to_the_family() {
    let n = &on_event(&label(), &ev("2026-07-01", CaseEventKind::FinalIssued { plan: plan() }))[0];
    assert_eq!((n.topic, n.audience), (Topic::FinalIssued, Audience::Family));
    assert!(n.subject.contains("final EHC plan issued"));
}

#[test]
fn reminders_fall_5_working_days_before_advice_is_due_and_on_the_first_working_day_after() {
    // Asked Monday 2 March 2026: due Monday 13 April (6 weeks; Easter Monday is 6 April).
    let events = vec![request("2026-01-20"), ev("2026-03-02", CaseEventKind::AdviceRequested { party: AdviceParty::Health })];
    let due = d("2026-04-13");
    // 5 working days before Monday 13 April, skipping Good Friday 3 and Easter Monday 6 April: Thursday 2 April.
    assert_eq!(advice_reminder_date(due), d("2026-04-02"));
    assert_eq!(advice_overdue_date(due), d("2026-04-14"));
    assert!(reminders(&label(), &events, d("2026-04-01")).is_empty(), "too early");
    let on_the_day = reminders(&label(), &events, d("2026-04-02"));
    assert_eq!(on_the_day.len(), 2, "the service and the caseworker");
    assert!(on_the_day.iter().all(|n| n.topic == Topic::AdviceReminder));
    assert!(on_the_day.iter().any(|n| n.audience == Audience::Service(AdviceParty::Health)));
    assert!(on_the_day.iter().any(|n| n.audience == Audience::Caseworker && n.link.starts_with("/cases/")));
    // Worked out again the next day, the same occasion has the same keys (sent once).
    let next_day = reminders(&label(), &events, d("2026-04-07"));
    assert_eq!(on_the_day.iter().map(|n| &n.key).collect::<Vec<_>>(), next_day.iter().map(|n| &n.key).collect::<Vec<_>>());
    let overdue = reminders(&label(), &events, d("2026-04-14"));
    assert!(overdue.iter().any(|n| n.topic == Topic::AdviceOverdue && n.subject.contains("overdue")));
    // Advice received: nothing more.
    let mut answered = events.clone();
    answered.push(ev("2026-04-10", CaseEventKind::AdviceReceived { party: AdviceParty::Health }));
    assert!(reminders(&label(), &answered, d("2026-04-14")).is_empty());
    // Stale reminders are not sent weeks late.
    assert!(reminders(&label(), &events, d("2026-06-01")).is_empty());
}

/// CFA 2014 s44(1): a review within 12 months of the plan being made or last reviewed.
#[test]
fn the_review_due_reminder_comes_6_weeks_before_the_s44_limit() {
    let events = vec![request("2025-01-06"), ev("2025-05-20", CaseEventKind::FinalIssued { plan: plan() })];
    assert_eq!(review_due(d("2025-05-20")), d("2026-05-19"));
    let remind_on = d("2026-04-07");
    assert!(reminders(&label(), &events, d("2026-04-06")).is_empty());
    let due = reminders(&label(), &events, remind_on);
    assert_eq!(due.len(), 2);
    assert!(due.iter().all(|n| n.topic == Topic::ReviewDue && n.body.contains("Tuesday 19 May 2026")));
    let mut reviewed = events.clone();
    reviewed.push(ev("2026-03-30", CaseEventKind::ReviewMeeting));
    assert!(reminders(&label(), &reviewed, remind_on).is_empty(), "the next review is a year on");
}

#[test]
fn topics_round_trip_and_speak_plain_english() {
    for t in Topic::CHOOSABLE {
        assert_eq!(Topic::parse(t.key()), Some(t));
        assert!(!t.label().contains('_'));
        assert!(!t.audiences().is_empty());
    }
    assert_eq!(Topic::parse("invitation"), Some(Topic::Invitation));
    assert_eq!(Topic::parse("nonsense"), None);
}

#[test]
fn an_invitation_carries_its_link_and_expiry() {
    let (subject, body) = invitation("https://waymark.example/invitation/abc", d("2026-12-11"));
    assert!(subject.contains("invited"));
    assert!(body.contains("https://waymark.example/invitation/abc") && body.contains("Friday 11 December 2026"));
}

#[test]
fn a_stale_listing_reminder_is_keyed_to_its_stale_period_and_says_what_to_do() {
    let a = listing_stale("svc-1", "Quiet swim", d("2025-11-30"), 12);
    assert_eq!(a.key, listing_stale("svc-1", "Quiet swim", d("2025-11-30"), 12).key, "worked out again: the same occasion");
    assert_ne!(a.key, listing_stale("svc-1", "Quiet swim", d("2026-12-01"), 12).key, "confirmed since: a new period");
    assert!(a.subject.contains("Quiet swim"));
    assert!(a.body.contains("Sunday 30 November 2025") && a.body.contains("confirm it"));
    assert_eq!(a.link, "/local-offer/provider");
    assert_eq!(Topic::parse("listing_stale"), Some(Topic::ListingStale));
}

#[test]
fn a_stale_listing_nobody_keeps_reminds_the_officers_once_per_stale_period() {
    let a = listing_stale_unkept("svc-1", "Quiet swim", "Harbour Trust", d("2025-11-30"), 12);
    assert_eq!(a.key, listing_stale_unkept("svc-1", "Quiet swim", "Harbour Trust", d("2025-11-30"), 12).key);
    assert_ne!(
        a.key,
        listing_stale_unkept("svc-1", "Quiet swim", "Harbour Trust", d("2026-12-01"), 12).key,
        "confirmed since: a new period"
    );
    assert_ne!(a.key, listing_stale("svc-1", "Quiet swim", d("2025-11-30"), 12).key, "not the provider's occasion");
    assert!(a.subject.contains("Quiet swim") && a.body.contains("Harbour Trust") && a.body.contains("Sunday 30 November 2025"));
    assert_eq!(a.link, "/local-offer/providers");
    assert!(Topic::ListingStale.audiences().contains(&AudienceKind::LocalOfferOfficer));
}

#[test]
fn a_provider_is_told_of_an_approval_and_of_a_rejection_with_its_reason() {
    let yes = listing_decision("chg-1", "Quiet swim", false, ListingOutcome::Approved);
    assert!(yes.subject.starts_with("Approved") && yes.subject.contains("Quiet swim"));
    assert!(yes.body.contains("Families can see it"));
    let no = listing_decision("chg-2", "Sensory play", true, ListingOutcome::Rejected { reason: "Add the opening times" });
    assert!(no.subject.starts_with("Not approved") && no.subject.contains("new service"));
    assert!(no.body.contains("The officer's reason: Add the opening times"));
    assert_ne!(yes.key, no.key, "each decision is its own occasion");
    assert_eq!(no.link, "/local-offer/provider");
    assert_eq!(Topic::parse("listing_decision"), Some(Topic::ListingDecision));
    assert_eq!(Topic::ListingDecision.audiences(), [AudienceKind::Provider]);
}
