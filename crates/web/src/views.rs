//! What pages show, built from the domain: plain-English names for stages, time limits, parties and
//! events; caseload rows; a case's statutory clock, advice tracker, plan, timeline and reviews; and the
//! family's explanation of where their EHC journey is.

use crate::access::Access;
use serde::Serialize;
use serde_json::{json, Value};
use waymark_domain::calendar::{add_weeks, Date};
use waymark_domain::case::{AdviceParty, CaseEvent, CaseEventKind, DelayParty, ReviewStage, Stage};
use waymark_domain::child::{Child, SenStatus};
use waymark_domain::clock::{evaluate, ClockReport, Step, StepStatus};
use waymark_domain::ids::{CaseId, ChildId, UserId};
use waymark_domain::placement::Placement;
use waymark_domain::plan::Section;
use waymark_storage::{setting_key, CaseSnapshot, RecordedEvent};

pub const STAGES: [&str; 10] = [
    "requested",
    "assessment_refused",
    "assessing",
    "plan_refused",
    "drafting",
    "draft_issued",
    "plan_active",
    "ceased",
    "withdrawn",
    "transferred_out",
];

pub fn stage_label(stage: &str) -> &'static str {
    match stage {
        "requested" => "Request received",
        "assessment_refused" => "Assessment refused",
        "assessing" => "Assessing",
        "plan_refused" => "Plan refused",
        "drafting" => "Drafting the plan",
        "draft_issued" => "Draft plan issued",
        "plan_active" => "Plan in force",
        "ceased" => "Plan ceased",
        "withdrawn" => "Withdrawn",
        "transferred_out" => "Moved to another council",
        _ => "Unknown stage",
    }
}

pub fn advice_label(party: AdviceParty) -> &'static str {
    match party {
        AdviceParty::Parent => "Parent or young person",
        AdviceParty::Education => "Education (school or setting)",
        AdviceParty::Health => "Health",
        AdviceParty::SocialCare => "Social care",
        AdviceParty::EducationalPsychology => "Educational psychology",
        AdviceParty::Other => "Other",
    }
}

pub fn delay_label(party: DelayParty) -> &'static str {
    match party {
        DelayParty::Parent => "Family",
        DelayParty::Education => "School or setting",
        DelayParty::Health => "Health",
        DelayParty::SocialCare => "Social care",
        DelayParty::La => "Council (LA)",
    }
}

pub fn delay_key(party: DelayParty) -> &'static str {
    match party {
        DelayParty::Parent => "parent",
        DelayParty::Education => "education",
        DelayParty::Health => "health",
        DelayParty::SocialCare => "social_care",
        DelayParty::La => "la",
    }
}

pub fn step_label(step: &str) -> String {
    if let Some(party) = step.strip_prefix("advice:") {
        return match AdviceParty::parse(party) {
            Some(p) => format!("{} advice", advice_label(p)),
            None => "Advice".into(),
        };
    }
    match step {
        "decision_to_assess" => "Decision whether to assess",
        // Reg 10: within 16 weeks the LA decides whether to issue, and must tell the family if it will not.
        "decision_not_to_issue" => "Decision whether to issue a plan",
        "final_plan" => "Final plan (20 weeks)",
        "annual_review" => "Annual review",
        "review_decision" => "Decision after the review",
        "amended_plan" => "Amended plan",
        "phase_transfer" => "Plan amended for the move to a new school or college",
        // SEND Regs 2014 reg 13(1): the family's at least 15 days to comment on the draft.
        "draft_comments" => "Family's comments on the draft (15 days)",
        other => other,
    }
    .to_owned()
}

pub fn status_key(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Met => "met",
        StepStatus::Missed => "missed",
        StepStatus::MissedExcused => "missed_excused",
        StepStatus::Due => "due",
        StepStatus::Overdue => "overdue",
    }
}

pub fn event_label(event: &CaseEvent) -> String {
    use CaseEventKind as E;
    match &event.kind {
        E::RequestReceived { .. } => "Request for an assessment received".into(),
        E::DecidedToAssess => "Decided to assess".into(),
        E::DecidedNotToAssess => "Decided not to assess".into(),
        E::AdviceRequested { party } => format!("{} advice requested", advice_label(*party)),
        E::AdviceReceived { party } => format!("{} advice received", advice_label(*party)),
        E::ExceptionStarted { reason, .. } => format!("Exception began: {}", exception_label(reason.key())),
        E::ExceptionEnded { reason, .. } => format!("Exception ended: {}", exception_label(reason.key())),
        E::DecidedToIssue => "Decided to issue a plan".into(),
        E::DecidedNotToIssue => "Decided not to issue a plan".into(),
        E::DraftIssued { .. } => "Draft plan issued".into(),
        E::SettingRequested { .. } => "Family asked for a school or college to be named".into(),
        E::SettingConsulted { .. } => "School or college consulted".into(),
        E::ViewsSent => "Family's views sent".into(),
        E::DraftCommented => "Family's comments on the draft plan sent".into(),
        E::FinalIssued { .. } => "Final plan issued".into(),
        E::ExistingPlan { .. } => "Existing plan recorded".into(),
        E::ReviewMeeting => "Annual review meeting held".into(),
        E::ReviewReportSent => "Review report sent".into(),
        E::ReviewDecision { outcome } => format!(
            "Review decision: {}",
            serde_json::to_value(outcome).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
        ),
        E::AmendmentsProposed { .. } => "Amendments proposed".into(),
        E::AmendedFinalIssued { .. } => "Amended final plan issued".into(),
        E::PhaseTransferPlanned { transfer_date, .. } => {
            format!("Move to a new school or college planned for {}", long_date(*transfer_date))
        }
        E::Ceased { .. } => "Plan ceased".into(),
        E::Withdrawn => "Withdrawn".into(),
        E::TransferredOut { to_la } => format!("Moved to {}", to_la.label()),
        E::MediationHeld { .. } => "Mediation held".into(),
        E::AppealLodged { .. } => "Appeal lodged with the tribunal".into(),
        E::AppealDecided { upheld, .. } => format!("Appeal decided ({})", if *upheld { "upheld" } else { "not upheld" }),
    }
}

pub fn exception_label(key: &str) -> &'static str {
    match key {
        "school_closure" => "school or college closed for 4 weeks or more",
        "early_years_closure" => "early years setting closed for 4 weeks or more",
        "personal_circumstances" => "exceptional personal circumstances",
        "absent_from_area" => "away from the area for 4 weeks or more",
        "missed_appointment" => "a missed appointment",
        _ => "an exception",
    }
}

/// 3 March 2026.
pub fn long_date(date: Date) -> String {
    date.format("%-d %B %Y").to_string()
}

pub fn sen_status_label(status: SenStatus) -> &'static str {
    match status {
        SenStatus::NoSen => "No special educational needs recorded",
        SenStatus::SenSupport => "SEN support",
        SenStatus::EhcPlan => "EHC plan",
    }
}

/// The setting names known for these placements' URNs (GIAS establishments, then imported settings).
pub async fn setting_names(store: &waymark_storage::SqliteStore, placements: &[Placement]) -> std::collections::HashMap<String, String> {
    use waymark_storage::EstablishmentStore;
    let urns: Vec<String> = placements
        .iter()
        .filter_map(|p| match &p.setting {
            waymark_domain::identifiers::SettingRef::Urn(u) => Some(u.to_string()),
            _ => None,
        })
        .collect();
    store.establishment_names(&urns).await.unwrap_or_default()
}

/// A setting by name where known: "Meadow Primary School (URN 851001)".
pub fn setting_named(placement: &Placement, names: &std::collections::HashMap<String, String>) -> String {
    match &placement.setting {
        waymark_domain::identifiers::SettingRef::Urn(u) => match names.get(&u.to_string()) {
            Some(name) => format!("{name} (URN {u})"),
            None => format!("School URN {u}"),
        },
        _ => setting_label(placement),
    }
}

/// A setting as people read it.
pub fn setting_label(placement: &Placement) -> String {
    match &placement.setting {
        waymark_domain::identifiers::SettingRef::Urn(u) => format!("School URN {u}"),
        waymark_domain::identifiers::SettingRef::Ukprn(u) => format!("College UKPRN {u}"),
        waymark_domain::identifiers::SettingRef::Code(c) => format!("Setting code {}", c.code()),
    }
}

/// One row of the caseload, computed once per data change and day, then filtered and sorted.
#[derive(Debug, Clone, Serialize)]
pub struct CaseloadRow {
    pub case_id: CaseId,
    pub child_id: ChildId,
    pub child_name: String,
    /// `EHC-` and the first 8 characters of the case id (see [`waymark_domain::search::case_reference`]).
    pub case_reference: String,
    pub date_of_birth: Date,
    /// The child, for searching (not sent to the API as a whole).
    #[serde(skip)]
    pub child: Child,
    pub upn: Option<String>,
    pub stage: String,
    pub stage_label: &'static str,
    pub received: Option<Date>,
    pub next_step: Option<String>,
    pub next_step_label: Option<String>,
    pub next_due: Option<Date>,
    pub next_status: Option<&'static str>,
    pub waiting_on: Option<&'static str>,
    pub waiting_on_label: Option<&'static str>,
    pub caseworker: Option<UserId>,
    pub settings: Vec<String>,
    pub primary_need: Option<&'static str>,
    pub days_overdue: i64,
}

pub fn caseload_row(s: &CaseSnapshot, today: Date) -> CaseloadRow {
    let report = evaluate(&s.case.clock_input(), today).ok();
    let next = report.as_ref().and_then(|r| r.next_deadline().cloned());
    CaseloadRow {
        case_id: s.summary.case_id,
        child_id: s.summary.child_id,
        child_name: format!("{} {}", s.child.name.forename(), s.child.name.surname()),
        case_reference: waymark_domain::search::case_reference(s.summary.case_id),
        date_of_birth: s.child.date_of_birth,
        child: s.child.clone(),
        upn: s.child.upn.as_ref().map(ToString::to_string),
        stage: s.summary.stage.clone(),
        stage_label: stage_label(&s.summary.stage),
        received: s.case.received(),
        next_step: next.as_ref().map(|n| n.step.clone()),
        next_step_label: next.as_ref().map(waymark_domain::case::next_step),
        next_due: next.as_ref().map(|n| n.due),
        next_status: next.as_ref().map(|n| status_key(n.status)),
        waiting_on: next.as_ref().and_then(|n| n.waiting_on).map(delay_key),
        waiting_on_label: next.as_ref().and_then(|n| n.waiting_on).map(delay_label),
        caseworker: s.caseworker,
        settings: s.placements.iter().filter(|p| p.attending_on(today)).map(|p| setting_key(&p.setting)).collect(),
        primary_need: s.child.needs_on(today).primary().map(|n| n.code()),
        days_overdue: next.as_ref().filter(|n| n.status == StepStatus::Overdue).map_or(0, |n| n.days_late),
    }
}

/// The clock as table rows.
pub fn clock_rows(report: &ClockReport, access: &Access) -> Vec<Value> {
    let parties = access.advice_parties();
    report
        .steps
        .iter()
        .filter(|s| match s.step.strip_prefix("advice:").and_then(AdviceParty::parse) {
            Some(p) => parties.contains(&p),
            None => true,
        })
        .map(step_json)
        .collect()
}

fn step_json(s: &Step) -> Value {
    json!({
        "step": s.step,
        "label": step_label(&s.step),
        "due": long_date(s.due),
        "done": s.done.map(long_date),
        "status": status_key(s.status),
        "days_late": s.days_late,
        "regulation": s.regulation,
        "waiting_on": s.waiting_on.map(delay_label),
        "exceptions": s.exceptions.iter().map(|e| exception_label(e.key())).collect::<Vec<_>>(),
    })
}

/// Advice by party: requested, due, received and its status, for the parties this role sees.
pub fn advice_rows(snapshot: &CaseSnapshot, report: &ClockReport, access: &Access) -> Vec<Value> {
    let parties = access.advice_parties();
    snapshot
        .case
        .advice()
        .iter()
        .filter(|(p, _)| parties.contains(p))
        .map(|(party, record)| {
            let step = report.steps.iter().find(|s| s.step == format!("advice:{}", party.key()));
            json!({
                "party": party.key(),
                "label": advice_label(*party),
                "requested": record.requested.map(long_date),
                "due": record.requested.map(|r| long_date(add_weeks(r, 6))),
                "received": record.received.map(long_date),
                "status": step.map(|s| status_key(s.status)),
                "days_late": step.map(|s| s.days_late),
            })
        })
        .collect()
}

/// The current plan's sections this role may read.
pub fn plan_sections(snapshot: &CaseSnapshot, access: &Access) -> Vec<Value> {
    let Some(plan) = snapshot.case.plan() else { return Vec::new() };
    access
        .plan_sections()
        .into_iter()
        .map(|section| {
            let key = section_key(section);
            json!({"key": key, "title": section.title(), "text": plan.sections.get(&section).cloned().unwrap_or_default()})
        })
        .collect()
}

pub fn section_key(section: Section) -> &'static str {
    match section {
        Section::A => "A",
        Section::B => "B",
        Section::C => "C",
        Section::D => "D",
        Section::E => "E",
        Section::F => "F",
        Section::G => "G",
        Section::H1 => "H1",
        Section::H2 => "H2",
        Section::I => "I",
        Section::J => "J",
        Section::K => "K",
    }
}

/// The reason kept when a web entry had neither a note nor an advice summary (never shown).
pub const NO_NOTE: &str = "Recorded on the case page";

/// The note of a timeline entry as people wrote it: nothing for the fixed phrases, and entries saved
/// before notes were kept apart lose their old "Title (web)." prefix and "Note:" label.
pub fn note_text(reason: &str) -> Option<String> {
    let mut text = reason.trim();
    if let Some(i) = text.find(" (web)") {
        text = text[i + " (web)".len()..].trim_start_matches('.').trim();
    }
    let text = text.replace(". Note: ", "\n").replace("Advice summary: ", "Summary of the advice: ");
    let text = text.trim();
    (!text.is_empty() && text != NO_NOTE && text != "test" && text != "recorded through the API").then(|| text.to_owned())
}

/// Who recorded an entry, as people read it: "Sam Patel (LA caseworker)", or the system for imports
/// and the command line.
pub fn recorded_by(actor_label: &str, people: &[waymark_storage::UserRecord]) -> String {
    match actor_label.strip_prefix("user:").and_then(|id| people.iter().find(|u| u.id.to_string() == id)) {
        Some(u) => format!("{} ({})", u.display_name, u.role.label()),
        None if actor_label.starts_with("user:") => "A user of another team".into(),
        None => "Waymark (an import or the command line)".into(),
    }
}

/// The timeline, newest first; reasons only for LA staff; advice events only for the parties seen.
pub fn timeline(events: &[RecordedEvent], access: &Access) -> Vec<Value> {
    let parties = access.advice_parties();
    // In date order (late paperwork in its place), entries of one date in the order recorded.
    let mut ordered: Vec<&RecordedEvent> = events.iter().collect();
    ordered.sort_by_key(|r| (r.event.date, r.seq));
    ordered
        .into_iter()
        .rev()
        .filter(|r| match &r.event.kind {
            CaseEventKind::AdviceRequested { party } | CaseEventKind::AdviceReceived { party } => parties.contains(party),
            _ => true,
        })
        .map(|r| {
            json!({
                "date": long_date(r.event.date),
                "what": event_label(&r.event),
                "recorded": r.recorded_at.format("%-d %B %Y %H:%M").to_string(),
                "reason": access.sees_reasons().then(|| note_text(&r.reason)).flatten(),
                "actor": r.actor_label,
            })
        })
        .collect()
}

/// Where an active plan's review cycle is.
pub fn review_summary(stage: &Stage) -> Option<&'static str> {
    match stage {
        Stage::PlanActive { review, .. } => Some(match review {
            ReviewStage::Idle => "No review under way",
            ReviewStage::MeetingHeld { .. } => "Review meeting held: the council's decision is due within 4 weeks",
            ReviewStage::AmendDecided { .. } => "The council decided to amend the plan: proposals are due",
            ReviewStage::AmendmentsProposed { .. } => "Amendments proposed: the amended plan is due within 8 weeks",
        }),
        _ => None,
    }
}

/// For families: where the journey is, in plain English.
pub fn family_stage(stage: &Stage) -> String {
    match stage {
        Stage::Requested => "The council has received the request for an education, health and care (EHC) needs assessment. It is deciding whether to carry one out.".into(),
        Stage::AssessmentRefused { decided } => format!("On {} the council decided not to carry out an assessment. You can ask for mediation, and appeal to the SEND Tribunal: the council's letter explains how and by when.", long_date(*decided)),
        Stage::Assessing { decided } => format!("On {} the council decided to assess. It is now asking for advice about your child's needs from the people who know them: you, their school, health, social care and an educational psychologist.", long_date(*decided)),
        Stage::PlanRefused { decided } => format!("On {} the council decided not to issue an EHC plan. You can ask for mediation, and appeal to the SEND Tribunal: the council's letter explains how and by when.", long_date(*decided)),
        Stage::Drafting { .. } => "The council has decided to issue an EHC plan and is writing the draft.".into(),
        Stage::DraftIssued { issued } => format!("The draft plan was sent to you on {}. You have at least 15 days to comment and to ask for a particular school or college to be named.", long_date(*issued)),
        Stage::PlanActive { since, review } => {
            let base = format!("An EHC plan has been in force since {}.", long_date(*since));
            match review {
                ReviewStage::Idle => format!("{base} It is reviewed at least once a year."),
                ReviewStage::MeetingHeld { .. } => format!("{base} The annual review meeting has been held; the council must tell you within 4 weeks whether it will keep, change or end the plan."),
                ReviewStage::AmendDecided { .. } => format!("{base} The council has decided to change the plan and will send you the proposed changes."),
                ReviewStage::AmendmentsProposed { .. } => format!("{base} The council has proposed changes to the plan. You have at least 15 days to comment; the amended plan is due within 8 weeks of the proposals."),
            }
        }
        Stage::Ceased { on, .. } => format!("The plan ended on {}.", long_date(*on)),
        Stage::Withdrawn { on } => format!("The request was withdrawn on {}.", long_date(*on)),
        Stage::TransferredOut { on, to_la } => format!("On {} the case moved to {}, which is now responsible.", long_date(*on), to_la.label()),
    }
}

/// For families: what happens next, by when, and whom it waits on.
pub fn family_next(step: &Step) -> Value {
    let what = match step.step.as_str() {
        "decision_to_assess" => "The council decides whether to carry out an assessment".to_owned(),
        "decision_not_to_issue" => "The council decides whether to issue an EHC plan".to_owned(),
        "final_plan" => "The final EHC plan is issued".to_owned(),
        "annual_review" => "The plan's annual review meeting is held".to_owned(),
        "review_decision" => "The council tells you its decision after the review".to_owned(),
        "amended_plan" => "The amended plan is issued".to_owned(),
        "phase_transfer" => "The plan is reviewed and amended for the move to a new school or college".to_owned(),
        s if s.starts_with("advice:") => format!("{} sends their advice", step_label(s).trim_end_matches(" advice")),
        s => step_label(s),
    };
    let who = match step.waiting_on {
        Some(DelayParty::La) => "the council's SEND team",
        Some(DelayParty::Parent) => "you: please send what the council asked you for",
        Some(DelayParty::Education) => "the school or setting",
        Some(DelayParty::Health) => "the health service",
        Some(DelayParty::SocialCare) => "social care",
        None => "the council's SEND team",
    };
    json!({
        "what": what,
        "by": long_date(step.due),
        "overdue": step.status == StepStatus::Overdue,
        "days_late": step.days_late,
        "who": who,
        "law": step.regulation,
    })
}

/// The child's summary as this role may see it.
pub fn child_summary(child: &Child, access: &Access, today: Date) -> Vec<Value> {
    let mut rows = vec![
        json!({"key": "Name", "value": format!("{} {}", child.name.forename(), child.name.surname())}),
        json!({"key": "Date of birth", "value": format!("{} (age {})", long_date(child.date_of_birth), child.age_on(today))}),
    ];
    if access.sees_upn() {
        rows.push(json!({"key": "UPN", "value": child.upn.as_ref().map_or("Not recorded".into(), ToString::to_string)}));
    }
    if access.sees_nhs_number() {
        rows.push(json!({"key": "NHS number", "value": child.nhs_number.as_ref().map_or("Not recorded".into(), ToString::to_string)}));
    }
    rows.push(json!({"key": "Responsible local authority", "value": child.responsible_la.label()}));
    let (education, _, _) = access.record_areas();
    if education {
        rows.push(json!({"key": "SEN status", "value": sen_status_label(child.sen_status_on(today))}));
        let needs = child.needs_on(today);
        let text = needs
            .ranked()
            .map(|(rank, n)| format!("{} ({})", n.label(), if rank == 1 { "primary" } else { "secondary" }))
            .collect::<Vec<_>>()
            .join("; ");
        rows.push(json!({"key": "Needs", "value": if text.is_empty() { "None recorded".to_owned() } else { text }}));
    }
    rows
}

pub fn placement_rows(placements: &[Placement], today: Date) -> Vec<Value> {
    placement_rows_named(placements, today, &Default::default())
}

/// The placements with their settings' names.
pub fn placement_rows_named(placements: &[Placement], today: Date, names: &std::collections::HashMap<String, String>) -> Vec<Value> {
    placements
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({
                "index": i,
                "setting_key": setting_key(&p.setting),
                "setting": setting_named(p, names),
                "rank": if p.rank == 1 { "Main" } else { "Dual registration" },
                "entry": long_date(p.entry),
                "leaving": p.leaving.map(long_date),
                "current": p.attending_on(today),
            })
        })
        .collect()
}
