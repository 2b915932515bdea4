//! Reads for the forecast (crate `waymark-forecast`, issue 18): only what it uses to place each child at
//! each January census, for one LA, in three set-based queries inside one read transaction: the plan
//! events of each case (issued, existing plan, ceased, transferred out: their kind and date, never their
//! contents), each child's date of birth and SEN status history, and each child's placements. Children
//! are those of the LA with a case of the LA recorded by the day the data runs to, as the indicators'
//! person table has them. Audited as the indicators' reads are: one aggregate read of the cases and one
//! list read of the children. The migration `0051_forecast_reads.sql` gives the plan events' query a
//! covering index.

use crate::sqlite::{check_request, col, db, parse_col};
use crate::{Actor, AuditSink, Result, SqliteStore, StoreError};
use std::collections::HashMap;
use std::future::Future;
use waymark_domain::calendar::Date;
use waymark_domain::child::SenStatusPeriod;
use waymark_domain::identifiers::LaCode;
use waymark_domain::ids::ChildId;
use waymark_domain::placement::Placement;

/// An event of a case that starts or ends its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanEvent {
    /// A final EHC plan issued (s39(5) or s40(2) Children and Families Act 2014).
    FinalIssued,
    /// A plan already in force when the case was recorded (or transferred in).
    ExistingPlan,
    /// The plan ceased to be maintained (s45).
    Ceased,
    /// The plan transferred to another LA (reg 15 SEND Regulations 2014).
    TransferredOut,
}

impl PlanEvent {
    const ALL: [(&'static str, PlanEvent); 4] = [
        ("final_issued", PlanEvent::FinalIssued),
        ("existing_plan", PlanEvent::ExistingPlan),
        ("ceased", PlanEvent::Ceased),
        ("transferred_out", PlanEvent::TransferredOut),
    ];
}

/// What the forecast reads of one child.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastChild {
    pub id: ChildId,
    pub date_of_birth: Date,
    pub sen_history: Vec<SenStatusPeriod>,
    /// Each case with an event by the day the data runs to, oldest first: its plan events up to that
    /// day, in the order they were recorded (empty for a case without any).
    pub cases: Vec<Vec<(Date, PlanEvent)>>,
    /// Every placement, by entry date (then as recorded).
    pub placements: Vec<Placement>,
}

pub trait ForecastStore: Send + Sync {
    /// The children of `la` with a case of `la` recorded by `as_of`, in id order, with what the
    /// forecast uses. Refused for an LA outside the actor's scope. Audited as one aggregate read of the
    /// cases and one list read of the children.
    fn forecast_children(
        &self,
        actor: &Actor,
        la: LaCode,
        as_of: Date,
        audit: &AuditSink,
    ) -> impl Future<Output = Result<Vec<ForecastChild>>> + Send;

    /// The first LA (lowest code) with children in the actor's scope: the area forecast for a user of
    /// every LA.
    fn forecast_first_la(&self, actor: &Actor) -> impl Future<Output = Result<Option<LaCode>>> + Send;
}

impl ForecastStore for SqliteStore {
    async fn forecast_children(&self, actor: &Actor, la: LaCode, as_of: Date, audit: &AuditSink) -> Result<Vec<ForecastChild>> {
        check_request(actor, None)?;
        if actor.scope.la().is_some_and(|own| own != la) {
            return Err(StoreError::OutOfScope { la });
        }
        let (la_text, day) = (la.to_string(), as_of.to_string());
        let mut tx = self.begin_read().await?;
        // The cases that count: of the LA, for a child of the LA, with an event by `as_of`.
        let cases = sqlx::query(
            "select c.case_id, c.child_id from ehc_case c join child ch on ch.child_id = c.child_id \
             where c.la = ?1 and ch.la = ?1 \
               and exists (select 1 from case_event e where e.case_id = c.case_id and e.occurred_on <= ?2) \
             order by c.child_id, c.created_at, c.rowid",
        )
        .bind(&la_text)
        .bind(&day)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let events = sqlx::query(
            "select e.case_id, e.occurred_on, e.kind from ehc_case c join case_event e on e.case_id = c.case_id \
             where c.la = ?1 and e.kind in ('final_issued', 'existing_plan', 'ceased', 'transferred_out') \
               and e.occurred_on <= ?2 \
             order by e.case_id, e.seq",
        )
        .bind(&la_text)
        .bind(&day)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        // `+la`: look each child up by id (those with cases are few), not every child of the LA by LA.
        let children = sqlx::query(
            "select child_id, json_extract(data, '$.date_of_birth') as born, json_extract(data, '$.sen_history') as sen \
             from child where +la = ?1 and child_id in (select child_id from ehc_case where la = ?1) order by child_id",
        )
        .bind(&la_text)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let placements = sqlx::query(
            "select child_id, data from placement \
             where child_id in (select child_id from ehc_case where la = ?1) order by entry_date, created_at",
        )
        .bind(&la_text)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;

        let mut plan_events: HashMap<String, Vec<(Date, PlanEvent)>> = HashMap::new();
        for row in &events {
            let kind: String = col(row, "kind")?;
            let Some(event) = PlanEvent::ALL.iter().find(|(k, _)| *k == kind).map(|(_, e)| *e) else { continue };
            let date: Date = parse_col(row, "occurred_on", "event date")?;
            plan_events.entry(col(row, "case_id")?).or_default().push((date, event));
        }
        let mut cases_of: HashMap<String, Vec<Vec<(Date, PlanEvent)>>> = HashMap::new();
        for row in &cases {
            let case: String = col(row, "case_id")?;
            cases_of.entry(col(row, "child_id")?).or_default().push(plan_events.remove(&case).unwrap_or_default());
        }
        let mut placements_of: HashMap<String, Vec<Placement>> = HashMap::new();
        for row in &placements {
            let child: String = col(row, "child_id")?;
            if !cases_of.contains_key(&child) {
                continue;
            }
            let p: Placement =
                serde_json::from_str(&col::<String>(row, "data")?).map_err(|e| StoreError::Corrupt(format!("placement: {e}")))?;
            placements_of.entry(child).or_default().push(p);
        }
        let mut out = Vec::with_capacity(cases_of.len());
        for row in &children {
            let key: String = col(row, "child_id")?;
            let Some(cases) = cases_of.remove(&key) else { continue };
            let id: ChildId = parse_col(row, "child_id", "child id")?;
            let date_of_birth: Date = parse_col(row, "born", "date of birth")?;
            let sen: Option<String> = col(row, "sen")?;
            let sen_history: Vec<SenStatusPeriod> = match sen {
                Some(s) => serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("child {id}: SEN history: {e}")))?,
                None => Vec::new(),
            };
            out.push(ForecastChild { id, date_of_birth, sen_history, cases, placements: placements_of.remove(&key).unwrap_or_default() });
        }
        audit.record(self, actor, "aggregate", Some(la), None, None).await?;
        audit.record(self, actor, "child_list", Some(la), None, None).await?;
        tracing::debug!(children = out.len(), "forecast records read");
        Ok(out)
    }

    async fn forecast_first_la(&self, actor: &Actor) -> Result<Option<LaCode>> {
        check_request(actor, None)?;
        let la: Option<String> = sqlx::query_scalar("select min(la) from child where (?1 is null or la = ?1)")
            .bind(actor.scope.la().map(|l| l.to_string()))
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        la.map(|l| l.parse().map_err(|_| StoreError::Corrupt(format!("'{l}' is not an LA code")))).transpose()
    }
}
