//! The plans and self-evaluations through the store (feature `live`): the store keeps each change as
//! JSON; here they are decoded, replayed and, before a change is stored, checked against the plan as
//! it stands. The CLI and the web both go through these functions.

use crate::plan::{Change, IndicatorRef, Plan, PlanError, PlanKind, Recorded};
use crate::self_evaluation::SelfEvaluation;
use chrono::{DateTime, Utc};
use waymark_storage::{Actor, StoreError, StrategyStore};

/// Why a change was not stored.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Refused(#[from] PlanError),
}

/// A plan as it stands, with its changes.
pub async fn load<S: StrategyStore>(store: &S, actor: &Actor, la: &str, kind: PlanKind) -> Result<(Plan, Vec<Recorded>), StoreError> {
    let stored = store.plan_changes(actor, la, kind.key()).await?;
    let changes: Vec<Recorded> = stored
        .into_iter()
        .map(|e| {
            let change: Change =
                serde_json::from_str(&e.json).map_err(|err| StoreError::Corrupt(format!("{la} {} change {}: {err}", kind.key(), e.seq)))?;
            Ok(Recorded { seq: e.seq, at: e.recorded_at, actor: e.actor, change })
        })
        .collect::<Result<_, StoreError>>()?;
    let plan = Plan::replay(kind, &changes).map_err(|e| StoreError::Corrupt(format!("{la} {}: {e}", kind.key())))?;
    Ok((plan, changes))
}

/// Check a change against the plan at version `based_on` (what the person saw) and store it. A change
/// made on an older version is refused as a conflict.
pub async fn record<S: StrategyStore>(
    store: &S,
    actor: &Actor,
    la: &str,
    kind: PlanKind,
    based_on: Option<u64>,
    change: &Change,
) -> Result<u64, RecordError> {
    let (plan, _) = load(store, actor, la, kind).await?;
    plan.check(kind, change)?;
    let json = serde_json::to_string(change).map_err(|e| StoreError::Corrupt(format!("could not encode the change: {e}")))?;
    Ok(store.append_plan_change(actor, la, kind.key(), based_on.unwrap_or(plan.version), &json).await?)
}

/// One stored version of the self-evaluation.
#[derive(Debug, Clone)]
pub struct Version {
    pub version: u64,
    pub recorded_at: DateTime<Utc>,
    pub actor: String,
    pub evaluation: SelfEvaluation,
}

/// Every version, oldest first.
pub async fn self_evaluations<S: StrategyStore>(store: &S, actor: &Actor, la: &str) -> Result<Vec<Version>, StoreError> {
    store
        .self_evaluations(actor, la)
        .await?
        .into_iter()
        .map(|e| {
            let evaluation: SelfEvaluation = serde_json::from_str(&e.json)
                .map_err(|err| StoreError::Corrupt(format!("{la} self-evaluation version {}: {err}", e.seq)))?;
            Ok(Version { version: e.seq, recorded_at: e.recorded_at, actor: e.actor, evaluation })
        })
        .collect()
}

/// Save a new version made from version `based_on` (0 for the first).
pub async fn save_self_evaluation<S: StrategyStore>(
    store: &S,
    actor: &Actor,
    la: &str,
    based_on: u64,
    evaluation: &SelfEvaluation,
) -> Result<u64, RecordError> {
    evaluation.check().map_err(PlanError::Invalid)?;
    let json = serde_json::to_string(evaluation).map_err(|e| StoreError::Corrupt(format!("could not encode the self-evaluation: {e}")))?;
    Ok(store.append_self_evaluation(actor, la, based_on, &evaluation.dated.format("%Y-%m-%d").to_string(), &json).await?)
}

/// The area (LA code) a command or page works on: the one asked for, else the actor's own LA, else the
/// only LA in the store.
pub async fn area<S: StrategyStore>(store: &S, actor: &Actor, asked: Option<&str>) -> Result<String, StoreError> {
    if let Some(a) = asked {
        return Ok(a.trim().to_owned());
    }
    if let Some(own) = actor.scope.la() {
        return Ok(own.to_string());
    }
    let areas = store.strategy_areas(actor).await?;
    match areas.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(StoreError::Invalid("the store holds no local authority yet: name one with --la CODE".into())),
        many => {
            Err(StoreError::Invalid(format!("the store holds several local authorities ({}): name one with --la CODE", many.join(", "))))
        }
    }
}

/// The board report for `quarter` as things stand on `today`: the plan, the action plan, the latest
/// self-evaluation and the linked indicators' figures (from `results`, computed for the actor's scope).
#[allow(clippy::too_many_arguments)]
pub async fn board_report<S: StrategyStore>(
    store: &S,
    actor: &Actor,
    la: &str,
    quarter: crate::quarter::Quarter,
    today: chrono::NaiveDate,
    frameworks: &[waymark_indicators::Framework],
    results: &[waymark_indicators::Results],
    suppression: waymark_indicators::present::Suppression,
) -> Result<crate::report::BoardReport, StoreError> {
    let (plan, _) = load(store, actor, la, PlanKind::Strategy).await?;
    let (action_plan, _) = load(store, actor, la, PlanKind::ActionPlan).await?;
    let latest = self_evaluations(store, actor, la).await?.pop().map(|v| v.evaluation);
    let mut refs = plan.indicators();
    for r in action_plan.indicators() {
        if !refs.contains(&r) {
            refs.push(r);
        }
    }
    let figures = crate::live::figures(frameworks, results, la, suppression, today, &refs);
    Ok(crate::report::BoardReport::build(
        &area_words(la),
        quarter,
        today,
        &plan,
        figures,
        latest,
        (!action_plan.is_empty()).then_some(action_plan),
    ))
}

/// Where a request stands on the day the pack is made, with the date of its last step.
fn stands(stage: &waymark_domain::case::Stage) -> String {
    use waymark_domain::case::Stage;
    let d = |d: &chrono::NaiveDate| d.format("%-d %B %Y").to_string();
    match stage {
        Stage::Requested => "Deciding whether to assess".into(),
        Stage::AssessmentRefused { decided } => format!("Decided not to assess ({})", d(decided)),
        Stage::Assessing { decided } => format!("Being assessed (decided to assess {})", d(decided)),
        Stage::PlanRefused { decided } => format!("Assessed; decided not to issue a plan ({})", d(decided)),
        Stage::Drafting { decided } => format!("Plan being drafted (decided to issue {})", d(decided)),
        Stage::DraftIssued { issued } => format!("Draft plan with the family (sent {})", d(issued)),
        Stage::PlanActive { since, .. } => format!("Plan in force since {}", d(since)),
        Stage::Ceased { on, .. } => format!("Plan ceased ({})", d(on)),
        Stage::Withdrawn { on } => format!("Withdrawn ({})", d(on)),
        Stage::TransferredOut { on, .. } => format!("Moved to another council ({})", d(on)),
    }
}

fn requester_words(r: Option<waymark_domain::case::Requester>) -> &'static str {
    use waymark_domain::case::Requester;
    match r {
        Some(Requester::ParentOrYoungPerson) => "Parent or young person",
        Some(Requester::SchoolOrSetting) => "School or setting",
        Some(Requester::Health) => "Health",
        Some(Requester::SocialCare) => "Social care",
        Some(Requester::Other) => "Someone else",
        None => "Not recorded",
    }
}

/// The setting a child attends on `day` (their main one) and whether it is outside the LA's area.
fn setting_on(placements: &[waymark_domain::placement::Placement], la: &str, day: chrono::NaiveDate) -> (String, String) {
    use waymark_domain::identifiers::SettingRef;
    let Some(p) = placements
        .iter()
        .filter(|p| p.entry <= day && p.leaving.is_none_or(|l| l >= day))
        .min_by_key(|p| (p.rank, std::cmp::Reverse(p.entry)))
    else {
        return ("No setting recorded".into(), "Not known".into());
    };
    let name = match &p.setting {
        SettingRef::Urn(u) => format!("URN {u}"),
        SettingRef::Ukprn(u) => format!("UKPRN {u}"),
        SettingRef::Code(c) => format!("SEN2 setting code {}", c.code()),
    };
    let outside = match p.setting_la {
        Some(l) if l.to_string() == la => "No",
        Some(_) => "Yes",
        None => "Not known",
    };
    (name, outside.to_owned())
}

/// The inspection evidence pack for LA `la` as things stand on `today`, with the requests received in
/// `period`. Every child and case is read in ONE audited read (subject `inspection_evidence`), not one
/// per child; `results` are the frameworks' results computed for the actor's scope; `who` names an
/// actor label (`user:ID`) for people.
#[allow(clippy::too_many_arguments)]
pub async fn evidence_pack<S>(
    store: &S,
    audit: &waymark_storage::AuditSink,
    actor: &Actor,
    la: &str,
    period: crate::evidence::Period,
    today: chrono::NaiveDate,
    frameworks: &[waymark_indicators::Framework],
    results: &[waymark_indicators::Results],
    suppression: waymark_indicators::present::Suppression,
    who: &(dyn Fn(&str) -> String + Sync),
) -> Result<crate::evidence::EvidencePack, StoreError>
where
    S: StrategyStore + waymark_storage::CaseloadStore,
{
    use crate::evidence::{ChildWithPlan, EvidencePack, FrameworkFigure, Request, SavedEvaluation};
    use waymark_domain::case::Stage;
    let code: waymark_domain::identifiers::LaCode =
        la.parse().map_err(|_| StoreError::Invalid(format!("'{la}' is not an LA code (three digits)")))?;
    let (plan, changes) = load(store, actor, la, PlanKind::Strategy).await?;
    let (action_plan, _) = load(store, actor, la, PlanKind::ActionPlan).await?;
    let self_evaluation = self_evaluations(store, actor, la).await?.pop().map(|v| SavedEvaluation {
        version: v.version,
        saved_by: who(&v.actor),
        evaluation: v.evaluation,
    });
    let refs = crate::live::framework_refs(frameworks);
    let just_refs: Vec<IndicatorRef> = refs.iter().map(|(_, r)| r.clone()).collect();
    let figures = crate::live::figures(frameworks, results, la, suppression, today, &just_refs);
    let framework = refs
        .into_iter()
        .zip(figures)
        .map(|((statement, r), figure)| FrameworkFigure { statement, source: crate::live::source(frameworks, &r), figure })
        .collect();
    let snapshots = store.case_snapshots(actor, &waymark_storage::Selection::InScope, "inspection_evidence", audit).await?;
    let mut children = Vec::new();
    let mut requests = Vec::new();
    for s in snapshots.iter().filter(|s| s.summary.la == code) {
        let c = &s.child;
        if let Stage::PlanActive { since, .. } = s.case.stage() {
            let (setting, out_of_area) = setting_on(&s.placements, la, today);
            children.push(ChildWithPlan {
                surname: c.name.surname().to_owned(),
                forename: c.name.forename().to_owned(),
                date_of_birth: c.date_of_birth,
                age: c.age_on(today),
                sex: match c.sex {
                    waymark_domain::child::Sex::Male => "Male".into(),
                    waymark_domain::child::Sex::Female => "Female".into(),
                },
                upn: c.upn.as_ref().map_or_else(|| "Not recorded".to_owned(), ToString::to_string),
                primary_need: c.needs_on(today).primary().map_or_else(|| "Not recorded".to_owned(), |n| n.label().to_owned()),
                setting,
                out_of_area,
                plan_since: *since,
            });
        }
        if let Some(received) = s.case.received().filter(|d| period.contains(*d)) {
            requests.push(Request {
                surname: c.name.surname().to_owned(),
                forename: c.name.forename().to_owned(),
                date_of_birth: c.date_of_birth,
                received,
                requester: requester_words(s.case.requester()).to_owned(),
                stands: stands(s.case.stage()),
            });
        }
    }
    children.sort_by(|a, b| (&a.surname, &a.forename, a.date_of_birth).cmp(&(&b.surname, &b.forename, b.date_of_birth)));
    requests.sort_by(|a, b| (a.received, &a.surname, &a.forename).cmp(&(b.received, &b.surname, &b.forename)));
    Ok(EvidencePack {
        area: area_words(la),
        period,
        made_on: today,
        self_evaluation,
        plan_changes: changes.len(),
        plan,
        action_plan: (!action_plan.is_empty()).then_some(action_plan),
        framework,
        children,
        requests,
    })
}

/// The LA's name as families know it (from DfE's list), else "Local authority NNN": how the strategy's
/// documents name their area.
pub fn area_words(la: &str) -> String {
    la.parse::<waymark_domain::identifiers::LaCode>()
        .ok()
        .and_then(|code| code.name())
        .map_or_else(|| format!("Local authority {la}"), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv_format;
    use crate::quarter::Quarter;
    use crate::status::Status;
    use std::sync::Arc;
    use waymark_storage::{FixedClock, Scope, SqliteStore};

    #[tokio::test]
    async fn an_owners_update_is_stored_replayed_and_a_stale_one_refused() {
        let clock = Arc::new(FixedClock::at_noon(chrono::NaiveDate::from_ymd_opt(2026, 2, 2).unwrap()));
        let store = SqliteStore::open_in_memory(clock).await.unwrap();
        let cli = Actor::new("cli", Scope::All);
        let strands = csv_format::parse(
            "p.csv",
            "strand,ref,deliverable,due,owner,status,monitored_by,indicators\nA,A1,Group set up,Jun 16,JK,,,\n",
            &|_| true,
        )
        .unwrap();
        record(&store, &cli, "851", PlanKind::Strategy, None, &Change::Imported { strands }).await.unwrap();
        let q1: Quarter = "2026Q1".parse().unwrap();
        let update = Change::Progress { reference: "A1".into(), status: Status::AtRisk, quarter: q1, note: Some("Late start".into()) };
        let owner = Actor::new("user:7", Scope::LocalAuthority("851".parse().unwrap()));
        assert_eq!(record(&store, &owner, "851", PlanKind::Strategy, Some(1), &update).await.unwrap(), 2);
        let stale = record(&store, &owner, "851", PlanKind::Strategy, Some(1), &update).await.unwrap_err();
        assert!(matches!(stale, RecordError::Store(ref e) if e.is_conflict()), "{stale}");
        let missing = Change::Progress { reference: "Z1".into(), status: Status::AtRisk, quarter: q1, note: None };
        assert!(matches!(record(&store, &owner, "851", PlanKind::Strategy, None, &missing).await.unwrap_err(), RecordError::Refused(_)));
        let (plan, changes) = load(&store, &cli, "851", PlanKind::Strategy).await.unwrap();
        assert_eq!(changes.len(), 2);
        let (_, item) = plan.item("A1").unwrap();
        assert_eq!((item.status(), item.notes[0].actor.as_str()), (Status::AtRisk, "user:7"));
        assert_eq!(area(&store, &cli, None).await.unwrap(), "851", "the only LA with a plan");
    }
}
