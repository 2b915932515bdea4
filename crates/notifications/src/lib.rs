//! Waymark's notifications: which case events tell whom, what each message says, and when reminders
//! fall due. Pure: no I/O, no clock (today is passed in), no framework.
//!
//! * **What a message carries.** What happened, what to do and by when, and a link. Never a child's
//!   name, date of birth or details: a case is named by its reference (`EHC-XXXXXXXX`) and the child's
//!   initials at most ([`CaseLabel`]). Peers were criticised for vague "you have new information"
//!   emails (`peers.md` §4); every message here names the step and its date.
//! * **Who is told.** [`on_event`] turns one recorded event into [`Notice`]s for an [`Audience`]: the
//!   family (the parent or carer, or the young person), the service asked for advice, or the caseworker
//!   holding the case. The store resolves an audience into accounts inside the same transaction as the
//!   event, so a notice is never lost and never made for an event that was not recorded.
//! * **Reminders.** [`reminders`] lists, for one case on one day, the reminders that are due: 5 working
//!   days before advice is due, the first working day after it is overdue, and a review falling due.
//!   Each notice has a [`Notice::key`] unique to its occasion, so asking twice never sends twice.

use serde::Serialize;
use waymark_domain::calendar::{add_days, add_weeks, add_working_days, end_of_months_starting_with, sub_working_days, Date};
use waymark_domain::case::{AdviceParty, CaseEvent, CaseEventKind, ReviewOutcome};
use waymark_domain::ids::CaseId;

/// What a notification is about: the choice a user makes on their account page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Topic {
    RequestReceived,
    AdviceRequested,
    AdviceReminder,
    AdviceOverdue,
    DraftIssued,
    FinalIssued,
    ReviewDue,
    Decision,
    /// An invitation to set up an account: always sent, it cannot be turned off.
    Invitation,
    /// A Local Offer listing not confirmed for 12 months: its provider is asked to check it.
    ListingStale,
    /// A survey about the family's experience, sent at a point of the EHC process (issue 16).
    Survey,
    /// A Local Offer officer approved or rejected a provider's change or new service.
    ListingDecision,
}

impl Topic {
    /// The topics a user may turn on or off, in the order the account page lists them.
    pub const CHOOSABLE: [Topic; 11] = [
        Self::RequestReceived,
        Self::AdviceRequested,
        Self::AdviceReminder,
        Self::AdviceOverdue,
        Self::DraftIssued,
        Self::FinalIssued,
        Self::ReviewDue,
        Self::Decision,
        Self::ListingStale,
        Self::Survey,
        Self::ListingDecision,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::RequestReceived => "request_received",
            Self::AdviceRequested => "advice_requested",
            Self::AdviceReminder => "advice_reminder",
            Self::AdviceOverdue => "advice_overdue",
            Self::DraftIssued => "draft_issued",
            Self::FinalIssued => "final_issued",
            Self::ReviewDue => "review_due",
            Self::Decision => "decision",
            Self::Invitation => "invitation",
            Self::ListingStale => "listing_stale",
            Self::Survey => "survey",
            Self::ListingDecision => "listing_decision",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::CHOOSABLE.into_iter().chain([Self::Invitation]).find(|t| t.key() == text)
    }

    /// The topic as people read it on the account page and the list of notifications.
    pub fn label(self) -> &'static str {
        match self {
            Self::RequestReceived => "A request for an assessment is received",
            Self::AdviceRequested => "Advice or views are asked of you",
            Self::AdviceReminder => "Advice is due in 5 working days",
            Self::AdviceOverdue => "Advice is overdue",
            Self::DraftIssued => "A draft plan is issued",
            Self::FinalIssued => "A final plan is issued",
            Self::ReviewDue => "An annual review is coming up",
            Self::Decision => "A decision is made",
            Self::Invitation => "Invitation to set up your account",
            Self::ListingStale => "A Local Offer listing needs checking",
            Self::Survey => "A survey asks about your experience",
            Self::ListingDecision => "A change to a Local Offer listing is approved or rejected",
        }
    }

    /// Who a topic can reach, so the account page offers each person only what they could receive.
    pub fn audiences(self) -> &'static [AudienceKind] {
        use AudienceKind::*;
        match self {
            Self::RequestReceived | Self::DraftIssued | Self::FinalIssued | Self::Decision | Self::Survey => &[Family],
            Self::AdviceRequested => &[Service, Family],
            Self::AdviceReminder | Self::AdviceOverdue => &[Service, Caseworker],
            Self::ReviewDue => &[Family, Caseworker],
            Self::Invitation => &[],
            Self::ListingStale => &[Provider, LocalOfferOfficer],
            Self::ListingDecision => &[Provider],
        }
    }
}

/// Who a notice goes to, before the store finds the accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Audience {
    /// The child's parents or carers, or the young person: accounts linked to the child.
    Family,
    /// The accounts of the service asked for advice, in the case's LA.
    Service(AdviceParty),
    /// The caseworker holding the case (none while it is not assigned).
    Caseworker,
}

/// An [`Audience`] without its party, for matching roles to topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum AudienceKind {
    Family,
    Service,
    Caseworker,
    /// The accounts keeping an organisation's Local Offer listings (no case).
    Provider,
    /// The LA's Local Offer officers: reminded of stale listings no provider account keeps.
    LocalOfferOfficer,
}

impl Audience {
    pub fn kind(self) -> AudienceKind {
        match self {
            Self::Family => AudienceKind::Family,
            Self::Service(_) => AudienceKind::Service,
            Self::Caseworker => AudienceKind::Caseworker,
        }
    }
}

/// How a message names a case: its reference and the child's initials, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseLabel {
    pub case: CaseId,
    reference: String,
    initials: String,
}

impl CaseLabel {
    /// The label of `case` for a child with these names: only the first letter of each is kept.
    pub fn new(case: CaseId, forename: &str, surname: &str) -> Self {
        let initial = |s: &str| s.trim().chars().find(|c| c.is_alphabetic()).map(|c| c.to_uppercase().collect::<String>());
        let initials: String = [initial(forename), initial(surname)].into_iter().flatten().map(|i| format!("{i}.")).collect();
        Self { case, reference: waymark_domain::search::case_reference(case), initials }
    }

    pub fn reference(&self) -> &str {
        &self.reference
    }

    pub fn initials(&self) -> &str {
        &self.initials
    }

    fn describe(&self) -> String {
        if self.initials.is_empty() {
            format!("case {}", self.reference)
        } else {
            format!("case {} (child's initials {})", self.reference, self.initials)
        }
    }
}

/// One message to an audience about one occasion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub topic: Topic,
    pub audience: Audience,
    pub case: CaseId,
    /// Unique to the occasion and audience (with the recipient, unique in the outbox): a reminder
    /// worked out twice, or an event seen twice, is sent once.
    pub key: String,
    pub subject: String,
    /// Plain text: what happened, then what to do and by when. The link is added by [`Notice::email`].
    pub body: String,
    /// The page the link opens, as a path (`/cases/…`), joined to the service's address when sent.
    pub link: String,
}

impl Notice {
    /// The email's text for one recipient: a greeting, the body, the link and how to change what they
    /// get. `base_url` is the service's public address (no trailing slash).
    pub fn email(&self, base_url: &str) -> String {
        email_text(&self.body, &self.link, base_url)
    }
}

/// An email's text from a stored notice's body and link: a greeting, the body, the link and how to
/// change what the person gets. `base_url` is the service's public address.
pub fn email_text(body: &str, link: &str, base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    format!(
        "Hello,\n\n{body}\n\nOpen it in Waymark: {base}{link}\n\nYou get this email because of your role. Choose which emails you get on your account page: {base}/account\n\nDo not reply to this email: nobody reads replies.\n"
    )
}

/// The last day for advice asked on `requested`: 6 weeks (SEND Regulations 2014 reg 8(1)).
pub fn advice_due(requested: Date) -> Date {
    add_weeks(requested, 6)
}

/// When a reminder that advice is due goes: 5 working days before it is due.
pub fn advice_reminder_date(due: Date) -> Date {
    sub_working_days(due, 5)
}

/// When advice not received is reported overdue: the first working day after the day it was due.
pub fn advice_overdue_date(due: Date) -> Date {
    add_working_days(add_days(due, 1), 0)
}

/// The last day of the family's window on a draft plan served on `served`: "at least 15 days beginning
/// with the day on which the draft plan was served" (SEND Regulations 2014 reg 13(1); CFA 2014 s38),
/// so the day of service is day 1 and the window closes at the end of day `served + 14`.
pub fn draft_comments_last_day(served: Date) -> Date {
    add_days(served, 14)
}

/// The last day for a plan's review: within 12 months of the plan being made or of the last review
/// (CFA 2014 s44(1)), counted as the calendar does ("within 12 months starting with").
pub fn review_due(made_or_last_reviewed: Date) -> Date {
    end_of_months_starting_with(made_or_last_reviewed, 12)
}

/// How long before a review is due the family and caseworker are reminded: 6 weeks, a local choice
/// (not law) that leaves time to send invitations at least 2 weeks before the meeting (reg 20(4)).
pub const REVIEW_REMINDER_WEEKS: u64 = 6;

/// A date as people read it: "Friday 12 June 2026".
pub fn long_date(date: Date) -> String {
    date.format("%A %-d %B %Y").to_string()
}

/// The service asked for advice, as a message names it.
pub fn service_name(party: AdviceParty) -> &'static str {
    match party {
        AdviceParty::Parent => "the child's parent or the young person",
        AdviceParty::Education => "the school or setting",
        AdviceParty::Health => "the health service",
        AdviceParty::SocialCare => "social care",
        AdviceParty::EducationalPsychology => "the educational psychology service",
        AdviceParty::Other => "the service asked",
    }
}

fn family_link(case: CaseId) -> String {
    format!("/my-journey/{case}")
}

fn case_link(case: CaseId) -> String {
    format!("/cases/{case}")
}

const ADVICE_LINK: &str = "/advice";

/// The right of appeal in words, for decisions that carry it (CFA 2014 s51; mediation first, reg 33;
/// the tribunal within 2 months of the decision or 1 month of a mediation certificate, HESC Rules
/// r.20(1)(c)).
const APPEAL_RIGHTS: &str = "If you disagree, you can ask for mediation and then appeal to the SEND Tribunal. You have 2 months from the date of the decision letter to appeal, or 1 month from a mediation certificate if that is later. Your local SENDIASS can help you for free.";

/// The notices one recorded event causes. `event` is one the case has just taken.
pub fn on_event(label: &CaseLabel, event: &CaseEvent) -> Vec<Notice> {
    let case = label.case;
    let on = long_date(event.date);
    let what = label.describe();
    let seq_key = |name: &str, audience: &str| format!("{case}:{name}:{}:{audience}", event.date);
    let family = |topic: Topic, name: &str, subject: String, body: String| Notice {
        topic,
        audience: Audience::Family,
        case,
        key: seq_key(name, "family"),
        subject,
        body,
        link: family_link(case),
    };
    let r = label.reference();
    match &event.kind {
        CaseEventKind::RequestReceived { unknown_dates, .. } if unknown_dates.is_none() => {
            // Reg 5(1): the LA decides whether to assess within 6 weeks of the request.
            let decide_by = long_date(add_weeks(event.date, 6));
            vec![family(
                Topic::RequestReceived,
                "request",
                format!("{r}: we have received the request for an EHC needs assessment"),
                format!(
                    "What happened: the local authority received the request for an education, health and care (EHC) needs assessment on {on}, for {what}.\n\nWhat happens next: the local authority will decide whether to assess by {decide_by} (6 weeks, SEND Regulations 2014 regulation 5). You do not need to do anything now. You can tell us your views at any time on your journey page."
                ),
            )]
        }
        CaseEventKind::AdviceRequested { party } if *party != AdviceParty::Parent => {
            let due = advice_due(event.date);
            vec![Notice {
                topic: Topic::AdviceRequested,
                audience: Audience::Service(*party),
                case,
                key: seq_key(&format!("advice-requested-{}", party.key()), "service"),
                subject: format!("{r}: advice requested, due by {}", long_date(due)),
                body: format!(
                    "What happened: on {on} the local authority asked {} for advice for an EHC needs assessment, {what}.\n\nWhat to do: send your advice by {}. The law gives 6 weeks from the request (SEND Regulations 2014 regulation 8(1)). If there are exceptional circumstances, or the child missed an appointment, tell the caseworker.",
                    service_name(*party),
                    long_date(due)
                ),
                link: ADVICE_LINK.to_owned(),
            }]
        }
        CaseEventKind::AdviceRequested { .. } => {
            let due = advice_due(event.date);
            vec![family(
                Topic::AdviceRequested,
                "advice-requested-parent",
                format!("{r}: we have asked for your views, by {}", long_date(due)),
                format!(
                    "What happened: on {on} the local authority asked for your views and advice as part of the EHC needs assessment, {what}.\n\nWhat to do: send your views by {}. Your journey page says how.",
                    long_date(due)
                ),
            )]
        }
        CaseEventKind::DecidedToAssess => vec![family(
            Topic::Decision,
            "decided-to-assess",
            format!("{r}: decision - the local authority will carry out an EHC needs assessment"),
            format!(
                "What happened: on {on} the local authority decided to carry out an EHC needs assessment, {what}.\n\nWhat happens next: the local authority will ask for advice from the people who know the child or young person, including you. The whole process should take no more than 20 weeks from the request (SEND Regulations 2014 regulation 13(2))."
            ),
        )],
        CaseEventKind::DecidedNotToAssess => vec![family(
            Topic::Decision,
            "decided-not-to-assess",
            format!("{r}: decision - the local authority will not carry out an EHC needs assessment"),
            format!(
                "What happened: on {on} the local authority decided not to carry out an EHC needs assessment, {what}. The decision letter gives the reasons.\n\nWhat you can do: {APPEAL_RIGHTS}"
            ),
        )],
        CaseEventKind::DecidedToIssue => vec![family(
            Topic::Decision,
            "decided-to-issue",
            format!("{r}: decision - the local authority will issue an EHC plan"),
            format!(
                "What happened: on {on} the local authority decided to issue an EHC plan, {what}.\n\nWhat happens next: you will be sent a draft plan, and then have at least 15 days to comment on it and to ask for a particular school or college."
            ),
        )],
        CaseEventKind::DecidedNotToIssue => vec![family(
            Topic::Decision,
            "decided-not-to-issue",
            format!("{r}: decision - the local authority will not issue an EHC plan"),
            format!(
                "What happened: on {on} the local authority decided not to issue an EHC plan after the assessment, {what} (SEND Regulations 2014 regulation 10). The decision letter gives the reasons.\n\nWhat you can do: {APPEAL_RIGHTS}"
            ),
        )],
        CaseEventKind::DraftIssued { .. } => {
            let last = long_date(draft_comments_last_day(event.date));
            vec![family(
                Topic::DraftIssued,
                "draft-issued",
                format!("{r}: draft EHC plan issued - comment by {last}"),
                format!(
                    "What happened: on {on} the local authority issued the draft EHC plan, {what}.\n\nWhat to do: read the draft. You can comment on it, ask for a meeting, and ask for a particular school or college to be named, until the end of {last} (at least 15 days, SEND Regulations 2014 regulation 13(1) and Children and Families Act 2014 section 38)."
                ),
            )]
        }
        CaseEventKind::FinalIssued { .. } | CaseEventKind::AmendedFinalIssued { .. } => {
            let amended = matches!(event.kind, CaseEventKind::AmendedFinalIssued { .. });
            let which = if amended { "amended final EHC plan" } else { "final EHC plan" };
            vec![family(
                Topic::FinalIssued,
                if amended { "amended-final-issued" } else { "final-issued" },
                format!("{r}: {which} issued"),
                format!(
                    "What happened: on {on} the local authority issued the {which}, {what}.\n\nWhat you can do: read the plan. {APPEAL_RIGHTS} The plan will be reviewed at least every 12 months."
                ),
            )]
        }
        CaseEventKind::ReviewDecision { outcome } => {
            let (what_decided, appeal) = match outcome {
                ReviewOutcome::Maintain => ("to keep the EHC plan as it is", true),
                ReviewOutcome::Amend => ("to amend the EHC plan; you will be sent the proposed changes and have at least 15 days to comment", false),
                ReviewOutcome::Cease => ("to stop maintaining the EHC plan", true),
            };
            let then = if appeal { APPEAL_RIGHTS } else { "Watch for the proposed changes, and tell us your views on them." };
            vec![family(
                Topic::Decision,
                "review-decision",
                format!("{r}: decision after the annual review"),
                format!("What happened: on {on}, after the annual review, the local authority decided {what_decided}, {what}.\n\nWhat you can do: {then}"),
            )]
        }
        CaseEventKind::Ceased { .. } => vec![family(
            Topic::Decision,
            "ceased",
            format!("{r}: decision - the EHC plan has ended"),
            format!(
                "What happened: on {on} the local authority stopped maintaining the EHC plan, {what} (Children and Families Act 2014 section 45).\n\nWhat you can do: {APPEAL_RIGHTS}"
            ),
        )],
        _ => Vec::new(),
    }
}

/// The reminders due for one case on `today`: those whose date has come and whose occasion has not
/// passed (advice since received, a plan since reviewed). The case's events are given oldest first.
/// Reminders whose date passed more than a working week ago are not sent late (a service that starts
/// after a long stop does not send a backlog of stale reminders).
pub fn reminders(label: &CaseLabel, events: &[CaseEvent], today: Date) -> Vec<Notice> {
    let case = label.case;
    let what = label.describe();
    let r = label.reference();
    let mut out = Vec::new();
    let fresh = |date: Date| date <= today && sub_working_days(today, 5) <= date;
    let closed = events
        .iter()
        .any(|e| matches!(e.kind, CaseEventKind::Ceased { .. } | CaseEventKind::Withdrawn | CaseEventKind::TransferredOut { .. }));
    if closed {
        return out;
    }
    for party in AdviceParty::ALL.into_iter().filter(|p| *p != AdviceParty::Parent) {
        // The latest request to this party, and whether advice came after it.
        let Some(asked) = events.iter().rev().find(|e| matches!(e.kind, CaseEventKind::AdviceRequested { party: p } if p == party)) else {
            continue;
        };
        let answered =
            events.iter().any(|e| matches!(e.kind, CaseEventKind::AdviceReceived { party: p } if p == party) && e.date >= asked.date);
        if answered {
            continue;
        }
        let due = advice_due(asked.date);
        let due_text = long_date(due);
        let remind = advice_reminder_date(due);
        let overdue = advice_overdue_date(due);
        for audience in [Audience::Service(party), Audience::Caseworker] {
            let who = if audience == Audience::Caseworker { "caseworker".to_owned() } else { format!("service-{}", party.key()) };
            let link = if audience == Audience::Caseworker { case_link(case) } else { ADVICE_LINK.to_owned() };
            if fresh(remind) && today <= due {
                out.push(Notice {
                    topic: Topic::AdviceReminder,
                    audience,
                    case,
                    key: format!("{case}:advice-reminder-{}:{due}:{who}", party.key()),
                    subject: format!("{r}: advice from {} is due on {due_text}", service_name(party)),
                    body: format!(
                        "What is happening: advice asked of {} on {} for {what} is due on {due_text}, in 5 working days.\n\nWhat to do: {}",
                        service_name(party),
                        long_date(asked.date),
                        if audience == Audience::Caseworker {
                            "check that the advice is on its way."
                        } else {
                            "send the advice by then (SEND Regulations 2014 regulation 8(1)), or tell the caseworker now if it will be late and why."
                        }
                    ),
                    link: link.clone(),
                });
            }
            if fresh(overdue) {
                out.push(Notice {
                    topic: Topic::AdviceOverdue,
                    audience,
                    case,
                    key: format!("{case}:advice-overdue-{}:{due}:{who}", party.key()),
                    subject: format!("{r}: advice from {} is overdue (it was due on {due_text})", service_name(party)),
                    body: format!(
                        "What is happening: advice asked of {} on {} for {what} was due on {due_text} and has not been received. The family is waiting for the plan, which has a 20-week limit.\n\nWhat to do: {}",
                        service_name(party),
                        long_date(asked.date),
                        if audience == Audience::Caseworker {
                            "contact the service and record any exception that applies."
                        } else {
                            "send the advice as soon as you can, and tell the caseworker when it will arrive."
                        }
                    ),
                    link,
                });
            }
        }
    }
    // The annual review: within 12 months of the plan being made or last reviewed.
    let last_plan_or_review = events
        .iter()
        .filter(|e| matches!(e.kind, CaseEventKind::FinalIssued { .. } | CaseEventKind::ExistingPlan { .. } | CaseEventKind::ReviewMeeting))
        .map(|e| e.date)
        .max();
    if let Some(from) = last_plan_or_review {
        let due = review_due(from);
        let remind = waymark_domain::calendar::sub_days(due, 7 * REVIEW_REMINDER_WEEKS);
        if fresh(remind) && today <= due {
            let due_text = long_date(due);
            for audience in [Audience::Family, Audience::Caseworker] {
                let (who, link, todo) = if audience == Audience::Family {
                    ("family", family_link(case), "you will be invited to the review meeting at least 2 weeks before it. Think about what is going well and what should change; you can send your views before the meeting.")
                } else {
                    ("caseworker", case_link(case), "arrange the review meeting and send the invitations at least 2 weeks before it (SEND Regulations 2014 regulation 20(4)).")
                };
                out.push(Notice {
                    topic: Topic::ReviewDue,
                    audience,
                    case,
                    key: format!("{case}:review-due:{due}:{who}"),
                    subject: format!("{r}: the annual review is due by {due_text}"),
                    body: format!(
                        "What is happening: the EHC plan for {what} must be reviewed by {due_text}, within 12 months of the plan being made or last reviewed (Children and Families Act 2014 section 44).\n\nWhat to do: {todo}"
                    ),
                    link,
                });
            }
        }
    }
    out
}

/// A reminder to a service provider: the listing, why it needs checking and where to do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingReminder {
    /// Unique to the listing and the day it was last confirmed: one reminder per stale period, however
    /// many days the worker runs; confirming the listing starts a new period.
    pub key: String,
    pub subject: String,
    pub body: String,
    pub link: String,
}

/// The reminder for a Local Offer listing last confirmed on `last_checked`, `months` or more ago (the
/// directory's freshness rule, `waymark_directory::search::FRESH_FOR_MONTHS`). A listing is public
/// information about a service: the message names it, and nothing about any child.
pub fn listing_stale(service_id: &str, service_name: &str, last_checked: Date, months: u32) -> ListingReminder {
    let name = plain(service_name);
    ListingReminder {
        key: format!("listing-stale:{service_id}:{last_checked}"),
        subject: format!("Please check your Local Offer listing: {name}"),
        body: format!(
            "What is happening: your Local Offer listing \"{name}\" was last confirmed on {}, {months} months ago or more. Families now see a warning that it may be out of date.\n\nWhat to do: read the listing on your listings page. If it is still right, confirm it; if something has changed, send the change for approval.",
            long_date(last_checked)
        ),
        link: "/local-offer/provider".to_owned(),
    }
}

/// The reminder to the LA's Local Offer officers for a stale listing that no provider account keeps:
/// somebody at the LA must check it with the organisation, or take it down. Once per stale period, as
/// the provider's (the key differs from the provider's, so linking a provider later still reminds it).
pub fn listing_stale_unkept(service_id: &str, service_name: &str, organisation: &str, last_checked: Date, months: u32) -> ListingReminder {
    let name = plain(service_name);
    let organisation = plain(organisation);
    ListingReminder {
        key: format!("listing-stale-unkept:{service_id}:{last_checked}"),
        subject: format!("A Local Offer listing nobody keeps needs checking: {name}"),
        body: format!(
            "What is happening: the Local Offer listing \"{name}\" run by {organisation} was last confirmed on {}, {months} months ago or more, and no service provider's account keeps it. Families now see a warning that it may be out of date.\n\nWhat to do: ask {organisation} whether the service still runs as listed, and link one of its people's service provider accounts to the organisation, so it can confirm the listing or send a change.",
            long_date(last_checked)
        ),
        link: "/local-offer/providers".to_owned(),
    }
}

/// What an officer decided on a provider's change or new service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingOutcome<'a> {
    Approved,
    Rejected { reason: &'a str },
}

/// The message telling a provider an officer approved or rejected its change or new service, with the
/// reason on rejection. Keyed by the change, so each decision is told once. A listing is public
/// information about a service: the message names it, and nothing about any child.
pub fn listing_decision(change_id: &str, service_name: &str, new_service: bool, outcome: ListingOutcome<'_>) -> ListingReminder {
    let name = plain(service_name);
    let what = if new_service { "new service" } else { "change to" };
    let (subject, body) = match outcome {
        ListingOutcome::Approved => (
            format!("Approved: your {what} \"{name}\""),
            format!(
                "What happened: a Local Offer officer approved your {what} \"{name}\". Families can see it on the Local Offer now.\n\nWhat to do: nothing. Check the listing once a year, or when something changes."
            ),
        ),
        ListingOutcome::Rejected { reason } => (
            format!("Not approved: your {what} \"{name}\""),
            format!(
                "What happened: a Local Offer officer did not approve your {what} \"{name}\". Families still see the listing as it was before.\n\nThe officer's reason: {}\n\nWhat to do: read the reason, then send the listing again with the change it asks for, from your listings page.",
                reason.trim()
            ),
        ),
    };
    ListingReminder { key: format!("listing-decision:{change_id}"), subject, body, link: "/local-offer/provider".to_owned() }
}

/// A name for a message: no control characters, at most 120 characters.
fn plain(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(120).collect()
}

/// An invitation to set up an account: the link is the one-time page where the person sets their own
/// password. The message carries no child's details at all.
pub fn invitation(link: &str, expires: Date) -> (String, String) {
    (
        "You have been invited to Waymark".to_owned(),
        format!(
            "Hello,\n\nYou have been invited to use Waymark, the local area's service for education, health and care (EHC) needs assessments and plans.\n\nWhat to do: open this link and choose your own password. The link works once, until {} (7 days).\n\n{link}\n\nIf you did not expect this email, you can ignore it: nothing happens unless the link is opened.\n\nDo not reply to this email: nobody reads replies.\n",
            long_date(expires)
        ),
    )
}

/// A survey sent to a family at a point of the EHC process (issue 16): the survey's title and why it
/// came, in plain English. No child's name or case: the message says only that the family's views
/// are asked, and that answering is anonymous and optional.
pub fn survey_invitation(title: &str, after: &str) -> (String, String) {
    (
        "Tell us about your experience".to_owned(),
        format!(
            "Hello,\n\nWe would like to know how the education, health and care (EHC) process went for you {after}. We are asking everyone at this point, so we can improve how we work.\n\nThe survey is called \"{title}\". It takes a few minutes. Your answers are anonymous: we report them only together with other families' answers, and nobody will contact you about them unless you choose to leave your details.\n\nYou do not have to answer, and not answering will not affect your child's support in any way.\n",
            title = title.trim()
        ),
    )
}

#[cfg(test)]
mod tests;
