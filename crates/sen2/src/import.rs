//! A SEN2 return mapped back into Waymark's records: the child, a case per request as a synthesized
//! event history that the domain's lifecycle accepts, placements and needs.
//!
//! SEN2 holds outcomes and their dates, not every step, so some steps are synthesized. Each choice is
//! made so that exporting the imported records gives the same return (docs/sen2.md, ADR 0008):
//! * an issued plan (AssessmentOutcome Y with a date) needs a draft at least 15 days earlier (SEND Regs
//!   2014 reg 13(1)): a draft with section I blank is dated 15 days before the final plan;
//! * Week20 = 1 becomes an "exceptional personal circumstances" exception (reg 13(3)(c)) starting and
//!   ending on the day the request was received, which the statutory clock counts as excusing the
//!   20-week limit; the file does not say which exception applied [U];
//! * a historical request (H) whose assessment ended in the year gets a request and decision to assess
//!   dated the day before the collection period (or earlier where the plan needs room for its draft);
//! * a withdrawal (W) has no date in SEN2: it is dated the later of the request and the period's start;
//! * an outcome Y with no date yet (decided to issue) becomes a decision to issue on the decision to
//!   assess's date;
//! * mediation and tribunal flags become a mediation or an appeal lodged on the decision's own date;
//! * a phase transfer's due date (14 February or 30 March) gives its kind and a 1 September transfer;
//! * CeaseReason 5 is kept as a ceasing with reason 5: the receiving LA is not in the return.

use crate::collection::Collection;
use crate::model::*;
use waymark_domain::calendar::{add_days, date_in_year, sub_days, Date};
use waymark_domain::case::{
    AppealableDecision as D, Case, CaseEvent, CaseEventKind as E, CeaseReason, ExceptionReason, Requester, ReviewOutcome, TransferKind,
    UnknownDates,
};
use waymark_domain::child::{NewChild, PersonName, Sex};
use waymark_domain::identifiers::{LaCode, SettingCode, SettingRef};
use waymark_domain::ids::{CaseId, ChildId};
use waymark_domain::need::{NeedCode, RankedNeeds};
use waymark_domain::placement::Placement;
use waymark_domain::plan::{DirectPayment, NamedSetting, PersonalBudget, PlanContents, Residential, WorkBased};
use waymark_storage::{Sen2ImportPerson, Sen2Needs};

/// Why a person in the file cannot be imported: where, and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{path}: {message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct ImportError {
    pub line: Option<u64>,
    pub path: String,
    pub message: String,
}

struct Ctx<'a> {
    c: Collection,
    path: &'a str,
}

impl Ctx<'_> {
    fn err(&self, lines: &Lines, item: &str, message: impl Into<String>) -> ImportError {
        let line = lines.of(item);
        ImportError { line: (line > 0).then_some(line), path: format!("{}/{item}", self.path), message: message.into() }
    }
}

fn need<'a, T>(ctx: &Ctx, lines: &Lines, item: &str, v: &'a Option<T>) -> Result<&'a T, ImportError> {
    v.as_ref().ok_or_else(|| ctx.err(lines, item, format!("{item} is needed to import this record")))
}

fn setting(ctx: &Ctx, d: &SettingDetail) -> Result<SettingRef, ImportError> {
    let bad = |item: &str, e: String| ctx.err(&d.lines, item, e);
    match (&d.urn, &d.ukprn, &d.sen_setting) {
        (Some(u), None, None) => u.parse().map(SettingRef::Urn).map_err(|e| bad("URN", e.to_string())),
        (None, Some(u), None) => u.parse().map(SettingRef::Ukprn).map_err(|e| bad("UKPRN", e.to_string())),
        (None, None, Some(s)) => s.parse::<SettingCode>().map(SettingRef::Code).map_err(|e| bad("SENSetting", e.to_string())),
        _ => Err(bad("URN", "give exactly one of URN, UKPRN or SENSetting".into())),
    }
}

fn rank(ctx: &Ctx, d: &SettingDetail) -> Result<u8, ImportError> {
    match d.rank.as_deref() {
        Some("1") => Ok(1),
        Some("2") => Ok(2),
        _ => Err(ctx.err(&d.lines, "PlacementRank", "PlacementRank must be 1 or 2")),
    }
}

fn residential(code: Option<&str>) -> Option<Residential> {
    match code {
        Some("A") => Some(Residential::Weeks38To51),
        Some("B") => Some(Residential::Weeks52),
        _ => None,
    }
}
fn work_based(code: Option<&str>) -> Option<WorkBased> {
    match code {
        Some("A") => Some(WorkBased::Apprenticeship),
        Some("T") => Some(WorkBased::Traineeship),
        Some("S") => Some(WorkBased::SupportedInternship),
        _ => None,
    }
}

fn contents(ctx: &Ctx, np: &NamedPlan) -> Result<PlanContents, ImportError> {
    let mut named = Vec::new();
    for d in &np.plan_details {
        named.push(NamedSetting {
            setting: setting(ctx, d)?,
            rank: rank(ctx, d)?,
            sen_unit: d.sen_unit.as_deref() == Some("1"),
            resourced_provision: d.resourced_provision.as_deref() == Some("1"),
            other_description: d.sen_setting_other.clone(),
        });
    }
    let plan = PlanContents {
        named_settings: named,
        personal_budget: PersonalBudget {
            personal_budget: np.pb.as_deref() == Some("1"),
            organised_arrangements: np.oa.as_deref() == Some("1"),
            direct_payments: match np.dp.as_deref() {
                Some("E") => Some(DirectPayment::Education),
                Some("H") => Some(DirectPayment::Health),
                Some("S") => Some(DirectPayment::SocialCare),
                Some("I") => Some(DirectPayment::Integrated),
                _ => None,
            },
        },
        residential: residential(np.plan_res.as_deref()),
        work_based: work_based(np.plan_wbp.as_deref()),
        ..Default::default()
    };
    plan.check(false).map_err(|e| ctx.err(&np.lines, "PlanDetail", e.to_string()))?;
    Ok(plan)
}

fn requester(code: Option<&str>) -> Requester {
    match code {
        Some("1") => Requester::ParentOrYoungPerson,
        Some("2") => Requester::SchoolOrSetting,
        Some("3") => Requester::Health,
        Some("4") => Requester::SocialCare,
        // [U] 5, or no RequestSource (voluntary in 2025): recorded as "other".
        _ => Requester::Other,
    }
}

/// Events with a same-day order: the lifecycle needs a request before its decision, a decision before
/// a dispute on it, a review meeting before its decision, and so on.
struct Events(Vec<(Date, u8, E)>);

impl Events {
    fn add(&mut self, date: Date, order: u8, kind: E) {
        self.0.push((date, order, kind));
    }
    fn into_sorted(mut self) -> Vec<CaseEvent> {
        self.0.sort_by_key(|(d, o, _)| (*d, *o));
        self.0.into_iter().map(|(d, _, k)| CaseEvent::new(d, k)).collect()
    }
}

fn one(flag: &Option<String>) -> bool {
    flag.as_deref() == Some("1")
}

/// The case history for one Requests record, or `None` for a request that carries no event.
fn request_events(ctx: &Ctx, r: &Request) -> Result<Vec<CaseEvent>, ImportError> {
    let c = ctx.c;
    let p0 = c.period_start();
    let ro = r.outcome.as_deref().ok_or_else(|| ctx.err(&r.lines, "RequestOutcome", "RequestOutcome is needed"))?;
    let a = r.assessment.as_ref().filter(|_| r.exported.is_none());
    let ao = a.and_then(|a| a.outcome.as_deref());
    let np = a.and_then(|a| a.named_plan.as_ref());
    let mut ev = Events(Vec::new());
    let mut plan_start = None;
    let mut plan_contents = None;
    let exported = match r.exported.as_deref() {
        Some(code) => Some(code.parse::<LaCode>().map_err(|_| {
            ctx.err(&r.lines, "Exported", format!("'{code}' cannot be recorded: Waymark records a move to a known DfE LA number"))
        })?),
        None => None,
    };
    if ro == "H" && ao.is_none_or(|o| o == "H") {
        let np = np.ok_or_else(|| ctx.err(&r.lines, "Assessment", "a historical plan (H) needs its NamedPlan to be imported"))?;
        let start = *need(ctx, &np.lines, "StartDate", &np.start_date)?;
        let plan = contents(ctx, np)?;
        let transferred_from = r.active_plans.as_ref().and_then(|ap| ap.transfer_la.as_deref()).and_then(|t| t.parse().ok());
        ev.add(start, 0, E::ExistingPlan { plan: plan.clone(), transferred_from });
        plan_start = Some(start);
        plan_contents = Some(plan);
    } else {
        let (received, assess_date) = if ro == "H" {
            // SEN2 guide item 2.5: H, the decision to assess was made before the collection period, so
            // RequestOutcomeDate is blank (item 2.4) and its day is not known. ReceivedDate is not
            // required for H (item 2.1) but is kept wherever the file gives it: it starts the 20-week
            // clock. A day the file does not give is marked unknown, and the events take the latest day
            // it could have been (before the period, leaving room for a 15-day draft before an issued
            // plan) so the history replays; no time limit is measured from it.
            let issued = a.and_then(|a| a.outcome_date);
            let latest = issued.map_or(sub_days(p0, 1), |f| sub_days(p0, 1).min(sub_days(f, 15)));
            let given = r.received_date;
            if let Some(g) = given.filter(|g| *g >= p0) {
                return Err(ctx.err(
                    &r.lines,
                    "ReceivedDate",
                    format!(
                        "the request was received on {g}, in the collection period, but RequestOutcome H says the decision to assess was made before the period began on {p0}: correct the outcome (Y) or the date"
                    ),
                ));
            }
            let d0 = given.unwrap_or(latest);
            let decided = latest.max(d0);
            let unknown_dates = UnknownDates { received: given.is_none(), decided_to_assess: true };
            ev.add(
                d0,
                0,
                E::RequestReceived {
                    requester: if given.is_some() { requester(r.request_source.as_deref()) } else { Requester::Other },
                    in_youth_accommodation: one(&r.rya),
                    unknown_dates,
                },
            );
            ev.add(decided, 3, E::DecidedToAssess);
            (d0, Some(decided))
        } else {
            let d0 = *need(ctx, &r.lines, "ReceivedDate", &r.received_date)?;
            ev.add(
                d0,
                0,
                E::RequestReceived {
                    requester: requester(r.request_source.as_deref()),
                    in_youth_accommodation: one(&r.rya),
                    unknown_dates: UnknownDates::default(),
                },
            );
            let later = d0.max(p0);
            let decided = match ro {
                "Y" => {
                    let d = *need(ctx, &r.lines, "RequestOutcomeDate", &r.outcome_date)?;
                    ev.add(d, 3, E::DecidedToAssess);
                    Some(d)
                }
                "N" => {
                    let d = *need(ctx, &r.lines, "RequestOutcomeDate", &r.outcome_date)?;
                    ev.add(d, 3, E::DecidedNotToAssess);
                    if one(&r.mediation) {
                        ev.add(d, 4, E::MediationHeld { decision: D::RefusalToAssess });
                    }
                    if one(&r.tribunal) {
                        ev.add(d, 4, E::AppealLodged { decision: D::RefusalToAssess });
                    }
                    None
                }
                "W" if exported.is_none() => {
                    ev.add(later, 14, E::Withdrawn);
                    None
                }
                _ => None,
            };
            if let (Some(to_la), true) = (exported, matches!(ro, "W" | "A" | "Y")) {
                ev.add(later.max(decided.unwrap_or(later)), 14, E::TransferredOut { to_la });
            }
            (d0, decided)
        };
        if let (Some(a), Some(assessed)) = (a, assess_date) {
            match ao {
                Some("Y") => match a.outcome_date {
                    Some(f) => {
                        let draft = sub_days(f, 15);
                        if draft < assessed {
                            return Err(ctx.err(
                                &a.lines,
                                "AssessmentOutcomeDate",
                                "the plan was issued less than 15 days after the decision to assess, leaving no time for comments on a draft (SEND Regs 2014 reg 13(1))",
                            ));
                        }
                        let np = np.ok_or_else(|| ctx.err(&a.lines, "NamedPlan", "an issued plan needs its NamedPlan to be imported"))?;
                        let plan = contents(ctx, np)?;
                        ev.add(draft, 5, E::DraftIssued { plan: PlanContents::default() });
                        ev.add(f, 7, E::FinalIssued { plan: plan.clone() });
                        if one(&a.week20) {
                            ev.add(received, 1, E::ExceptionStarted { reason: ExceptionReason::PersonalCircumstances, party: None });
                            ev.add(received, 2, E::ExceptionEnded { reason: ExceptionReason::PersonalCircumstances, party: None });
                        }
                        plan_start = Some(np.start_date.unwrap_or(f));
                        plan_contents = Some(plan);
                    }
                    None => ev.add(assessed, 5, E::DecidedToIssue),
                },
                Some("N") => {
                    let d = *need(ctx, &a.lines, "AssessmentOutcomeDate", &a.outcome_date)?;
                    ev.add(d, 6, E::DecidedNotToIssue);
                    if one(&a.mediation) {
                        ev.add(d, 7, E::MediationHeld { decision: D::RefusalToIssue });
                    }
                    if one(&a.tribunal) {
                        ev.add(d, 7, E::AppealLodged { decision: D::RefusalToIssue });
                    }
                }
                Some("W") => ev.add(assessed.max(p0), 14, E::Withdrawn),
                Some("A") | None => {}
                Some(other) => {
                    return Err(ctx.err(
                        &a.lines,
                        "AssessmentOutcome",
                        format!("AssessmentOutcome {other} does not fit RequestOutcome {ro}"),
                    ))
                }
            }
        }
    }
    if let (Some(start), Some(plan)) = (plan_start, plan_contents) {
        plan_events(ctx, r, a, np, start, &plan, &mut ev)?;
    }
    let events = ev.into_sorted();
    // The lifecycle must accept the synthesized history; a refusal names its rule.
    let (case, child) = (CaseId::from_uuid(uuid::Uuid::nil()), ChildId::from_uuid(uuid::Uuid::nil()));
    Case::replay(case, child, &events)
        .map_err(|e| ctx.err(&r.lines, "RequestOutcome", format!("the request cannot be recorded as a case: {e} ({})", e.rule)))?;
    Ok(events)
}

fn plan_events(
    ctx: &Ctx,
    r: &Request,
    a: Option<&Assessment>,
    np: Option<&NamedPlan>,
    start: Date,
    plan: &PlanContents,
    ev: &mut Events,
) -> Result<(), ImportError> {
    let mut first_decision_after: Option<Date> = None;
    if let Some(f) = a.and_then(|a| a.outcome_date).filter(|_| a.and_then(|a| a.outcome.as_deref()) == Some("Y")) {
        first_decision_after = Some(f); // the final plan: a decision on plan contents
    }
    if let Some(ap) = &r.active_plans {
        if let Some(ptd) = ap.phase_transfer_due {
            use chrono::Datelike;
            let kind = if (ptd.month(), ptd.day()) <= (2, 28) { TransferKind::School } else { TransferKind::Post16 };
            let transfer = date_in_year(ptd.year(), 9, 1).expect("1 September exists");
            ev.add(start, 8, E::PhaseTransferPlanned { transfer_date: transfer, kind });
        }
        let meeting = ap.review_meeting;
        if let Some(m) = meeting {
            ev.add(m, 9, E::ReviewMeeting);
            if let Some(o) = ap.review_outcome.as_deref() {
                let outcome = match o {
                    "A" => ReviewOutcome::Amend,
                    "C" => ReviewOutcome::Cease,
                    _ => ReviewOutcome::Maintain,
                };
                let decided = ap.last_review.unwrap_or(m);
                ev.add(decided, 10, E::ReviewDecision { outcome });
                if outcome != ReviewOutcome::Amend {
                    first_decision_after = first_decision_after.or(Some(decided));
                }
                if let (ReviewOutcome::Amend, Some(rd)) = (outcome, ap.review_draft) {
                    ev.add(rd, 11, E::AmendmentsProposed { plan: plan.clone() });
                    if let Some(ptf) = ap.phase_transfer_final.filter(|f| *f > add_days(rd, 14)) {
                        ev.add(ptf, 12, E::AmendedFinalIssued { plan: plan.clone() });
                        first_decision_after = first_decision_after.or(Some(ptf));
                    }
                }
            }
        }
        if let Some(ptf) = ap.phase_transfer_final {
            let paired =
                ap.review_draft.is_some_and(|rd| ptf > add_days(rd, 14)) && ap.review_outcome.as_deref() == Some("A") && meeting.is_some();
            if !paired {
                ev.add(sub_days(ptf, 15), 11, E::AmendmentsProposed { plan: plan.clone() });
                ev.add(ptf, 12, E::AmendedFinalIssued { plan: plan.clone() });
                first_decision_after = first_decision_after.or(Some(ptf));
            }
        }
    }
    let a = a.cloned().unwrap_or_default();
    if one(&a.other_mediation) || one(&a.other_tribunal) {
        // A plan held before the return's year (RequestOutcome H) is itself the decision the family
        // disputes when nothing newer is in the return: the mediation or appeal is dated at the start of
        // the year the return covers, or the plan's start if later, so exporting again counts it again.
        let held_before = (r.outcome.as_deref() == Some("H")).then(|| start.max(ctx.c.period_start()));
        let at = first_decision_after.or(held_before).ok_or_else(|| {
            ctx.err(&a.lines, "OtherMediation", "mediation or an appeal on other matters needs a decision on the plan (a final or amended plan, or a review decision) to attach to")
        })?;
        if one(&a.other_mediation) {
            ev.add(at, 13, E::MediationHeld { decision: D::PlanContents });
        }
        if one(&a.other_tribunal) {
            ev.add(at, 13, E::AppealLodged { decision: D::PlanContents });
        }
    }
    if let Some(np) = np {
        match (np.cease_date, np.cease_reason.as_deref()) {
            (Some(d), Some(code)) => {
                let reason = code
                    .parse::<u8>()
                    .ok()
                    .and_then(CeaseReason::from_sen2_code)
                    .ok_or_else(|| ctx.err(&np.lines, "CeaseReason", "CeaseReason must be 1 to 9"))?;
                ev.add(d, 15, E::Ceased { reason });
            }
            (None, None) => {}
            _ => return Err(ctx.err(&np.lines, "CeaseDate", "CeaseDate and CeaseReason go together")),
        }
    }
    Ok(())
}

/// Map one person of a return (LA `lea`, collection `c`) to what the store imports.
pub fn to_import(p: &Sen2Person, index: usize, c: Collection, lea: LaCode) -> Result<Sen2ImportPerson, ImportError> {
    let path = format!("/Message/Persons/Person[{index}]");
    let ctx = Ctx { c, path: &path };
    let l = &p.lines;
    let name = PersonName::new(p.forename.as_deref().unwrap_or(""), p.surname.as_deref().unwrap_or(""))
        .map_err(|e| ctx.err(l, "Surname", e.to_string()))?;
    let dob = *need(&ctx, l, "PersonBirthDate", &p.birth_date)?;
    let sex = match p.sex.as_deref() {
        Some("M") => Sex::Male,
        Some("F") => Sex::Female,
        _ => return Err(ctx.err(l, "Sex", "Sex must be M or F")),
    };
    use waymark_domain::identifiers::IdentifierError;
    let ethnicity =
        p.ethnicity.as_deref().map(str::parse).transpose().map_err(|e: IdentifierError| ctx.err(l, "Ethnicity", e.to_string()))?;
    let upn = p.upn.as_deref().map(str::parse).transpose().map_err(|e: IdentifierError| ctx.err(l, "UPN", e.to_string()))?;
    let uln =
        p.uln.as_deref().map(str::parse).transpose().map_err(|e: IdentifierError| ctx.err(l, "UniqueLearnerNumber", e.to_string()))?;
    let child = NewChild {
        name,
        date_of_birth: dob,
        sex,
        ethnicity,
        // A postcode that is not a UK postcode is a query, not an error (SEN2-P06): it is not kept.
        postcode: p.postcode.as_deref().and_then(|pc| pc.parse().ok()),
        upn,
        uln,
        nhs_number: None,
        responsible_la: lea,
    };
    let mut cases = Vec::new();
    for (i, r) in p.requests.iter().enumerate() {
        let rp = format!("{path}/Requests[{}]", i + 1);
        cases.push(request_events(&Ctx { c, path: &rp }, r)?);
    }
    // Placements of every ActivePlans; needs from the plan active on census day, else the latest plan.
    let mut placements: Vec<(Placement, Option<String>)> = Vec::new();
    for (i, r) in p.requests.iter().enumerate() {
        let Some(ap) = &r.active_plans else { continue };
        for (j, d) in ap.placements.iter().enumerate() {
            let dp = format!("{path}/Requests[{}]/ActivePlans/PlacementDetail[{}]", i + 1, j + 1);
            let dctx = Ctx { c, path: &dp };
            let pl = Placement {
                setting: setting(&dctx, d)?,
                rank: rank(&dctx, d)?,
                entry: *need(&dctx, &d.lines, "EntryDate", &d.entry_date)?,
                leaving: d.leaving_date,
                sen_unit: one(&d.sen_unit),
                resourced_provision: one(&d.resourced_provision),
                residential: residential(d.res.as_deref()),
                work_based: work_based(d.wbp.as_deref()),
                setting_la: None,
            };
            pl.check().map_err(|e| dctx.err(&d.lines, "LeavingDate", e.to_string()))?;
            if !placements.iter().any(|(x, _)| x.setting == pl.setting && x.entry == pl.entry && x.rank == pl.rank) {
                placements.push((pl, d.sen_setting_other.clone()));
            }
        }
    }
    let plans: Vec<(usize, &NamedPlan)> = p.plans().collect();
    let needs_from = plans
        .iter()
        .rev()
        .find(|(i, np)| np.cease_date.is_none() && p.requests[*i].active_plans.as_ref().is_some_and(|ap| !ap.needs.is_empty()))
        .or_else(|| {
            plans
                .iter()
                .filter(|(i, _)| p.requests[*i].active_plans.as_ref().is_some_and(|ap| !ap.needs.is_empty()))
                .max_by_key(|(_, np)| np.start_date)
        });
    let needs = match needs_from {
        Some((i, np)) => {
            let ap = p.requests[*i].active_plans.as_ref().expect("filtered");
            let pick = |rank: &str| -> Result<Option<NeedCode>, ImportError> {
                ap.needs
                    .iter()
                    .find(|n| n.rank.as_deref() == Some(rank))
                    .and_then(|n| n.sen_type.as_deref())
                    .map(|t| t.parse::<NeedCode>().map_err(|e| ctx.err(&ap.lines, "SENneed", e.to_string())))
                    .transpose()
            };
            let ranked = RankedNeeds::new(pick("1")?, pick("2")?).map_err(|e| ctx.err(&ap.lines, "SENneed", e.to_string()))?;
            let from = plans.iter().filter_map(|(_, np)| np.start_date).min().unwrap_or(c.reference_date).max(dob);
            let as_on = np.cease_date.map_or(c.reference_date, |d| d.min(c.reference_date));
            Some(Sen2Needs { from, as_on, needs: ranked })
        }
        None => None,
    };
    Ok(Sen2ImportPerson {
        child,
        age_checked_on: crate::rules::counted_on(p, c),
        needs,
        cases,
        placements,
        upn_unknown: p.upn_unknown.clone(),
    })
}
