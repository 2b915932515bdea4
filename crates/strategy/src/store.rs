//! The plans and self-evaluations through the store (feature `live`): the store keeps each change as
//! JSON; here they are decoded, replayed and, before a change is stored, checked against the plan as
//! it stands. The CLI and the web both go through these functions.

use crate::plan::{Change, Plan, PlanError, PlanKind, Recorded};
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
    let figures = crate::live::figures(frameworks, results, la, suppression, &refs);
    Ok(crate::report::BoardReport::build(
        &format!("Local authority {la}"),
        quarter,
        today,
        &plan,
        figures,
        latest,
        (!action_plan.is_empty()).then_some(action_plan),
    ))
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
