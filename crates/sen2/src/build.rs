//! Building a person's SEN2 record from casework: the child, their EHC cases and their placements,
//! as they stood on census day. Scope follows sen2.md §2: plans active on census day, plans ceased in
//! the collection year, requests and assessments of the year, work ongoing on census day at each
//! stage, and the placements of the year.

use crate::collection::Collection;
use crate::model::*;
use waymark_domain::calendar::{date_in_year, sub_months, Date};
use waymark_domain::case::{AppealableDecision, Case, CaseEvent, CaseEventKind as E, ReviewOutcome, Stage, TransferKind};
use waymark_domain::child::{Child, Sex};
use waymark_domain::clock;
use waymark_domain::identifiers::SettingRef;
use waymark_domain::ids::CaseId;
use waymark_domain::placement::Placement;
use waymark_domain::plan::{DirectPayment, NamedSetting, Residential, WorkBased};

/// A placement with what SEN2 carries that the domain's `Placement` does not (yet): the free-text
/// description of an OTH or NIEO setting (SENSettingOther).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementInfo {
    pub placement: Placement,
    pub setting_other: Option<String>,
}

/// Facts about a person SEN2 carries and the domain's `Child` does not (yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonExtra {
    /// UPNunknown (UN1-UN10): why neither a UPN nor a ULN is known.
    pub upn_unknown: Option<String>,
}

/// A person's record with the case each request came from (for linking findings to casework).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltPerson {
    pub person: Sen2Person,
    /// `request_cases[i]` is the case behind `person.requests[i]`.
    pub request_cases: Vec<CaseId>,
}

fn flag(b: bool) -> Option<String> {
    Some(if b { "1" } else { "0" }.to_owned())
}

pub fn residential_code(r: Residential) -> &'static str {
    match r {
        Residential::Weeks38To51 => "A",
        Residential::Weeks52 => "B",
    }
}
pub fn work_based_code(w: WorkBased) -> &'static str {
    match w {
        WorkBased::Apprenticeship => "A",
        WorkBased::Traineeship => "T",
        WorkBased::SupportedInternship => "S",
    }
}
fn dp_code(d: DirectPayment) -> &'static str {
    match d {
        DirectPayment::Education => "E",
        DirectPayment::Health => "H",
        DirectPayment::SocialCare => "S",
        DirectPayment::Integrated => "I",
    }
}

fn setting_fields(s: &SettingRef, d: &mut SettingDetail) {
    match s {
        SettingRef::Urn(u) => d.urn = Some(u.to_string()),
        SettingRef::Ukprn(u) => d.ukprn = Some(u.to_string()),
        SettingRef::Code(c) => d.sen_setting = Some(c.code().to_owned()),
    }
}

fn plan_detail(n: &NamedSetting) -> SettingDetail {
    let mut d = SettingDetail {
        sen_setting_other: n.other_description.clone(),
        rank: Some(n.rank.to_string()),
        sen_unit: flag(n.sen_unit),
        resourced_provision: flag(n.resourced_provision),
        ..Default::default()
    };
    setting_fields(&n.setting, &mut d);
    d
}

/// A placement as SEN2 PlacementDetail (5.7).
pub fn placement_detail(p: &PlacementInfo) -> SettingDetail {
    let pl = &p.placement;
    let mut d = SettingDetail {
        sen_setting_other: p.setting_other.clone(),
        rank: Some(pl.rank.to_string()),
        entry_date: Some(pl.entry),
        leaving_date: pl.leaving,
        sen_unit: flag(pl.sen_unit),
        resourced_provision: flag(pl.resourced_provision),
        res: pl.residential.map(|r| residential_code(r).to_owned()),
        wbp: pl.work_based.map(|w| work_based_code(w).to_owned()),
        ..Default::default()
    };
    setting_fields(&pl.setting, &mut d);
    d
}

/// The reg 18(1) date by which a phase transfer's amended plan is due: 14 February (school) or 30 March
/// (post-16) of the transfer's calendar year (ADR 0006).
pub fn phase_transfer_due(kind: TransferKind, transfer: Date) -> Date {
    use chrono::Datelike;
    let (m, d) = match kind {
        TransferKind::School => (2, 14),
        TransferKind::Post16 => (3, 30),
    };
    date_in_year(transfer.year(), m, d).expect("14 February and 30 March exist")
}

/// The case as it stood on census day: its events up to and including the reference date, replayed.
pub fn as_on(case: &Case, on: Date) -> Option<Case> {
    let events: Vec<CaseEvent> = case.history().iter().take_while(|e| e.date <= on).cloned().collect();
    if events.is_empty() {
        return None;
    }
    // A prefix of a valid history is itself valid (events are applied one at a time, in date order).
    Case::replay(case.id, case.child, &events).ok()
}

struct Built {
    request: Request,
    case: CaseId,
    plan_start: Option<Date>,
    plan_active: bool,
}

/// Build one case's Requests record, or `None` if the case is outside the return's scope.
fn build_request(child: &Child, case: &Case, c: Collection) -> Option<Built> {
    let r_date = c.reference_date;
    let case = as_on(case, r_date)?;
    let hist = case.history();
    let first = |pred: &dyn Fn(&E) -> bool| hist.iter().find(|e| pred(&e.kind)).map(|e| e.date);
    let existing = match &hist[0].kind {
        E::ExistingPlan { transferred_from, .. } => Some((hist[0].date, *transferred_from)),
        _ => None,
    };
    let decided_assess = first(&|k| matches!(k, E::DecidedToAssess));
    let refused = first(&|k| matches!(k, E::DecidedNotToAssess));
    let first_decision = match (decided_assess, refused) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let final_issued = first(&|k| matches!(k, E::FinalIssued { .. }));
    let not_issue = first(&|k| matches!(k, E::DecidedNotToIssue));
    let decided_issue = first(&|k| matches!(k, E::DecidedToIssue | E::DraftIssued { .. }));
    let withdrawn = first(&|k| matches!(k, E::Withdrawn));
    let transferred_out = hist.iter().find_map(|e| match e.kind {
        E::TransferredOut { to_la } => Some((e.date, to_la)),
        _ => None,
    });
    let ceased = hist.iter().find_map(|e| match e.kind {
        E::Ceased { reason } => Some((e.date, reason)),
        _ => None,
    });
    let plan_start = existing.map(|(d, _)| d).or(final_issued);
    let stage = case.stage();
    // Scope (sen2.md §2): open work or an active plan on census day, or something the return counts
    // happening in the collection year.
    let open = matches!(
        stage,
        Stage::Requested | Stage::Assessing { .. } | Stage::Drafting { .. } | Stage::DraftIssued { .. } | Stage::PlanActive { .. }
    );
    let counted = [
        case.received(),
        first_decision,
        final_issued,
        not_issue,
        withdrawn,
        transferred_out.map(|t| t.0),
        ceased.map(|c| c.0),
        existing.map(|e| e.0),
    ];
    if !open && !counted.iter().flatten().any(|d| c.in_return_window(*d)) {
        return None;
    }
    let dispute = |d: AppealableDecision| case.disputes().iter().find(|x| x.decision == d);
    let mediated = |ds: &[AppealableDecision]| flag(ds.iter().any(|d| dispute(*d).is_some_and(|x| x.mediation.is_some())));
    let appealed = |ds: &[AppealableDecision]| flag(ds.iter().any(|d| dispute(*d).is_some_and(|x| x.appeal_lodged.is_some())));

    let mut r = Request::default();
    let exported = transferred_out.filter(|(d, _)| plan_start.is_none_or(|s| *d < s));
    let historical = existing.is_some() || first_decision.is_some_and(|d| d < c.period_start());
    let outcome = if historical {
        "H"
    } else if first_decision.is_some() && first_decision == decided_assess {
        "Y"
    } else if refused.is_some() {
        "N"
    } else if withdrawn.is_some() || exported.is_some() {
        "W"
    } else {
        "A"
    };
    r.outcome = Some(outcome.to_owned());
    if historical {
        // SEN2 guide items 2.1 and 2.5: ReceivedDate is not required for H but is written wherever
        // Waymark knows it and the plan is issued in (or after) the period, so DfE can measure its 20
        // weeks (RYA and RequestSource are not needed for H). A plan issued before the period is held
        // as an existing plan (AssessmentOutcome H), outside this return's timeliness, and carries none.
        let issued_before = final_issued.is_some_and(|f| f < c.period_start());
        r.received_date = case.received_known().filter(|_| existing.is_none() && !issued_before);
    } else {
        r.received_date = case.received();
        r.request_source = case.requester().map(|q| q.sen2_code().to_string());
        if let E::RequestReceived { in_youth_accommodation, .. } = hist[0].kind {
            r.rya = flag(in_youth_accommodation);
        }
    }
    if matches!(outcome, "Y" | "N") {
        r.outcome_date = first_decision;
        r.mediation = mediated(&[AppealableDecision::RefusalToAssess]);
        r.tribunal = appealed(&[AppealableDecision::RefusalToAssess]);
    }
    r.exported = exported.map(|(_, la)| la.to_string());
    let assessed = matches!(outcome, "Y" | "H") && exported.is_none();
    let mut plan_active = false;
    if assessed {
        let mut a = Assessment::default();
        let (ao, ao_date) = if existing.is_some() {
            ("H", None)
        } else if let Some(f) = final_issued {
            if f < c.period_start() {
                ("H", None)
            } else {
                ("Y", Some(f))
            }
        } else if let Some(n) = not_issue {
            ("N", Some(n))
        } else if decided_issue.is_some() {
            ("Y", None)
        } else if withdrawn.is_some() {
            ("W", None)
        } else {
            ("A", None)
        };
        a.outcome = Some(ao.to_owned());
        a.outcome_date = ao_date;
        if matches!(ao, "Y" | "N" | "H") {
            let issue = [AppealableDecision::RefusalToIssue];
            let other = [AppealableDecision::PlanContents, AppealableDecision::RefusalToAmend, AppealableDecision::Cease];
            a.mediation = mediated(&issue);
            a.tribunal = appealed(&issue);
            a.other_mediation = mediated(&other);
            a.other_tribunal = appealed(&other);
        }
        if ao == "Y" && ao_date.is_some() {
            // SEN2 item 3.7 Week20 from the statutory clock: an exception under reg 13(3) applied.
            let week20 = clock::evaluate(&case.clock_input(), r_date).ok().and_then(|rep| rep.week20_exception).unwrap_or(false);
            a.week20 = flag(week20);
        }
        if (ao == "Y" && ao_date.is_some()) || ao == "H" {
            let contents = case.plan().cloned().unwrap_or_default();
            let mut settings = contents.named_settings.clone();
            settings.sort_by_key(|s| s.rank);
            let cease = match (ceased, transferred_out) {
                (Some((d, reason)), _) => Some((d, reason.sen2_code().to_string())),
                // A plan passed to another LA ceases here with reason 5 (sen2.md §6; item 4.5).
                (None, Some((d, _))) if plan_start.is_some_and(|s| d >= s) => Some((d, "5".to_owned())),
                _ => None,
            };
            plan_active = cease.is_none();
            let pb = &contents.personal_budget;
            a.named_plan = Some(NamedPlan {
                start_date: plan_start,
                plan_details: settings.iter().map(plan_detail).collect(),
                plan_res: contents.residential.map(|x| residential_code(x).to_owned()),
                plan_wbp: contents.work_based.map(|x| work_based_code(x).to_owned()),
                pb: flag(pb.personal_budget),
                oa: flag(pb.organised_arrangements),
                dp: pb.direct_payments.map(|d| dp_code(d).to_owned()),
                cease_date: cease.as_ref().map(|x| x.0),
                cease_reason: cease.as_ref().map(|x| x.1.clone()),
                lines: Lines::default(),
            });
            r.active_plans =
                Some(active_plans(child, &case, existing.and_then(|e| e.1).map(|l| l.to_string()), cease.as_ref().map(|x| x.0), c));
        }
        r.assessment = Some(a);
    }
    Some(Built { request: r, case: case.id, plan_start, plan_active })
}

fn active_plans(child: &Child, case: &Case, transfer_la: Option<String>, ceased: Option<Date>, c: Collection) -> ActivePlans {
    let hist = case.history();
    let mut ap = ActivePlans { transfer_la, ..Default::default() };
    let needs_on = ceased.map_or(c.reference_date, |d| d.min(c.reference_date));
    for (rank, need) in child.needs_on(needs_on).ranked() {
        if need.valid_in_sen2(c.year) {
            ap.needs.push(SenNeed { sen_type: Some(need.code().to_owned()), rank: Some(rank.to_string()), lines: Lines::default() });
        }
    }
    // 5.4: the latest review meeting on or before census day, the decision that followed it (and when
    // it was notified), and the draft amended plan after a decision to amend.
    if let Some(mi) = hist.iter().rposition(|e| matches!(e.kind, E::ReviewMeeting)) {
        ap.review_meeting = Some(hist[mi].date);
        if let Some((di, outcome)) = hist.iter().enumerate().skip(mi).find_map(|(i, e)| match e.kind {
            E::ReviewDecision { outcome } => Some((i, outcome)),
            _ => None,
        }) {
            ap.last_review = Some(hist[di].date);
            ap.review_outcome = Some(
                match outcome {
                    ReviewOutcome::Maintain => "M",
                    ReviewOutcome::Amend => "A",
                    ReviewOutcome::Cease => "C",
                }
                .to_owned(),
            );
            if outcome == ReviewOutcome::Amend {
                ap.review_draft = hist.iter().skip(di).find(|e| matches!(e.kind, E::AmendmentsProposed { .. })).map(|e| e.date);
            }
        }
    }
    // 5.6: the latest phase transfer: when its amended plan was due (reg 18(1)), and when it was issued.
    if let Some((transfer, kind)) = hist.iter().rev().find_map(|e| match e.kind {
        E::PhaseTransferPlanned { transfer_date, kind } => Some((transfer_date, kind)),
        _ => None,
    }) {
        let due = phase_transfer_due(kind, transfer);
        ap.phase_transfer_due = Some(due);
        let window_start = sub_months(due, 12);
        ap.phase_transfer_final = hist
            .iter()
            .filter(|e| matches!(e.kind, E::AmendedFinalIssued { .. }) && e.date > window_start && e.date <= transfer.max(due))
            .map(|e| e.date)
            .next();
    }
    ap
}

/// Build a person's SEN2 record from their child record, cases and placements, or `None` if nothing
/// about them is in the return's scope.
pub fn build_person(
    child: &Child,
    cases: &[Case],
    placements: &[PlacementInfo],
    extra: &PersonExtra,
    c: Collection,
) -> Option<BuiltPerson> {
    let mut ordered: Vec<&Case> = cases.iter().collect();
    ordered.sort_by_key(|k| (k.history().first().map(|e| e.date), k.id));
    let built: Vec<Built> = ordered.iter().filter_map(|k| build_request(child, k, c)).collect();
    if built.is_empty() {
        return None;
    }
    let mut person = Sen2Person {
        surname: Some(child.name.surname().to_owned()),
        forename: Some(child.name.forename().to_owned()),
        birth_date: Some(child.date_of_birth),
        sex: Some(
            match child.sex {
                Sex::Male => "M",
                Sex::Female => "F",
            }
            .to_owned(),
        ),
        // NOBT: "information not yet obtained" is the CBDS code for an ethnicity not recorded.
        ethnicity: Some(child.ethnicity.map_or("NOBT", |e| e.code()).to_owned()),
        postcode: child.postcode.as_ref().map(|p| p.as_str().to_owned()),
        upn: child.upn.as_ref().map(|u| u.as_str().to_owned()),
        uln: child.uln.as_ref().map(|u| u.as_str().to_owned()),
        upn_unknown: None,
        requests: Vec::new(),
        lines: Lines::default(),
    };
    if person.upn.is_none() && person.uln.is_none() {
        // UN1 is a fact Waymark knows (under 6 and no UPN); any other reason must be recorded.
        person.upn_unknown = extra.upn_unknown.clone().or_else(|| (child.age_on(c.reference_date) < 6).then(|| "UN1".to_owned()));
    }
    // Placements of the year (sen2.md §2, Module 5) go with the plan active on census day, else the
    // latest plan.
    let target = built.iter().rposition(|b| b.plan_active && b.request.active_plans.is_some()).or_else(|| {
        built.iter().enumerate().filter(|(_, b)| b.request.active_plans.is_some()).max_by_key(|(_, b)| b.plan_start).map(|(i, _)| i)
    });
    let mut request_cases = Vec::with_capacity(built.len());
    for (i, mut b) in built.into_iter().enumerate() {
        if Some(i) == target {
            if let Some(ap) = b.request.active_plans.as_mut() {
                let mut ps: Vec<&PlacementInfo> = placements
                    .iter()
                    .filter(|p| p.placement.entry <= c.reference_date && p.placement.leaving.is_none_or(|l| l >= c.period_start()))
                    .collect();
                ps.sort_by_key(|p| (p.placement.entry, p.placement.rank));
                // As on census day: a leaving date after it was not yet known then.
                ap.placements = ps
                    .into_iter()
                    .map(|p| {
                        let mut d = placement_detail(p);
                        d.leaving_date = d.leaving_date.filter(|l| *l <= c.reference_date);
                        d
                    })
                    .collect();
            }
        }
        request_cases.push(b.case);
        person.requests.push(b.request);
    }
    Some(BuiltPerson { person, request_cases })
}
