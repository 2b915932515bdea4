//! Manual-entry values of performance indicators: what no person-level record holds, entered by hand
//! (`waymark indicators --manual FILE.csv`). One current value per framework, indicator, period, area and
//! cohort; each change is versioned in an append-only history with who, when and why. An actor scoped to
//! one LA may enter and read that LA's values only; England's values need the whole installation.

use crate::sqlite::{check_request, col, db};
use crate::versioned::{write_versioned, Expect, Val, VersionedWrite};
use crate::{Actor, Result, SqliteStore, StoreError};
use std::future::Future;

/// One manual value.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualValueRecord {
    pub framework: String,
    pub indicator: String,
    pub period: String,
    /// `england` or a 3-digit LA code.
    pub la: String,
    pub cohort: String,
    pub value: f64,
}

/// A local target for an indicator in one LA and period, set in the application.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRecord {
    pub framework: String,
    pub indicator: String,
    pub period: String,
    pub la: String,
    /// `None` clears the target (the pack's, if any, applies again).
    pub value: Option<f64>,
}

/// One change to a target: what it became, who set it, when and why.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetChange {
    pub period: String,
    pub la: String,
    pub version: i64,
    pub value: Option<f64>,
    pub recorded_at: String,
    pub actor: String,
    pub reason: String,
}

/// Counts from 1 to this show as `c` on board pages and exports unless the LA sets another.
pub const DEFAULT_SUPPRESSION_THRESHOLD: u32 = 5;

pub trait IndicatorStore: Send + Sync {
    /// Set (or clear) a local target, kept in the history with who, when and why. Returns whether it
    /// changed. Only the actor's own LA.
    fn save_target(&self, actor: &Actor, target: &TargetRecord, reason: &str) -> impl Future<Output = Result<bool>> + Send;

    /// The current local targets in the actor's scope (cleared ones left out).
    fn targets(&self, actor: &Actor) -> impl Future<Output = Result<Vec<TargetRecord>>> + Send;

    /// Every change to one indicator's targets in the actor's scope, newest first.
    fn target_history(&self, actor: &Actor, framework: &str, indicator: &str) -> impl Future<Output = Result<Vec<TargetChange>>> + Send;

    /// The LA's small-number threshold ([`DEFAULT_SUPPRESSION_THRESHOLD`] unless set).
    fn suppression_threshold(&self, actor: &Actor, la: &str) -> impl Future<Output = Result<u32>> + Send;

    /// Set the LA's small-number threshold (0 turns suppression off).
    fn set_suppression_threshold(&self, actor: &Actor, la: &str, threshold: u32, reason: &str) -> impl Future<Output = Result<()>> + Send;

    /// Save values (all or nothing): each replaces the current value for its key and is added to the
    /// history. Returns how many changed.
    fn save_manual_values(&self, actor: &Actor, values: &[ManualValueRecord], reason: &str) -> impl Future<Output = Result<usize>> + Send;

    /// The current values in the actor's scope.
    fn manual_values(&self, actor: &Actor) -> impl Future<Output = Result<Vec<ManualValueRecord>>> + Send;
}

fn permitted(actor: &Actor, la: &str) -> bool {
    match actor.scope.la() {
        None => true,
        Some(own) => own.to_string() == la,
    }
}

impl IndicatorStore for SqliteStore {
    async fn save_target(&self, actor: &Actor, t: &TargetRecord, reason: &str) -> Result<bool> {
        let reason = check_request(actor, Some(reason))?;
        if !permitted(actor, &t.la) || t.la == "england" {
            return Err(StoreError::Invalid(format!("a target for '{}' is outside the actor's scope", t.la)));
        }
        if t.value.is_some_and(|v| !v.is_finite()) {
            return Err(StoreError::Invalid(format!("the target for {}/{} is not a finite number", t.framework, t.indicator)));
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let write = VersionedWrite {
            table: "indicator_target",
            history: "indicator_target_history",
            what: "indicator target",
            id: format!("{}/{}/{}/{}", t.framework, t.indicator, t.period, t.la),
            key: vec![
                ("framework", Val::Text(&t.framework)),
                ("indicator", Val::Text(&t.indicator)),
                ("period", Val::Text(&t.period)),
                ("la", Val::Text(&t.la)),
            ],
            columns: vec![("value", Val::Real(t.value))],
            history_columns: vec![("value", Val::Real(t.value))],
            created: &[],
            expect: Expect::Latest,
            // Clearing a target that was never set changes nothing.
            skip_unchanged: true,
            absent_is_unchanged: t.value.is_none(),
            audit: None,
        };
        if write_versioned(&mut tx, write, &now, actor, &reason).await?.is_none() {
            return Ok(false);
        }
        tx.commit().await.map_err(db)?;
        tracing::info!(framework = %t.framework, indicator = %t.indicator, "indicator target set");
        Ok(true)
    }

    async fn targets(&self, actor: &Actor) -> Result<Vec<TargetRecord>> {
        check_request(actor, None)?;
        let la = actor.scope.la().map(|l| l.to_string());
        let rows = sqlx::query(
            "select framework, indicator, period, la, value from indicator_target where value is not null and (?1 is null or la = ?1) \
             order by framework, indicator, period, la",
        )
        .bind(la)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(TargetRecord {
                    framework: col(r, "framework")?,
                    indicator: col(r, "indicator")?,
                    period: col(r, "period")?,
                    la: col(r, "la")?,
                    value: col(r, "value")?,
                })
            })
            .collect()
    }

    async fn target_history(&self, actor: &Actor, framework: &str, indicator: &str) -> Result<Vec<TargetChange>> {
        check_request(actor, None)?;
        let la = actor.scope.la().map(|l| l.to_string());
        let rows = sqlx::query(
            "select period, la, version, value, recorded_at, actor, reason from indicator_target_history \
             where framework = ?1 and indicator = ?2 and (?3 is null or la = ?3) order by recorded_at desc, version desc",
        )
        .bind(framework)
        .bind(indicator)
        .bind(la)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(TargetChange {
                    period: col(r, "period")?,
                    la: col(r, "la")?,
                    version: col(r, "version")?,
                    value: col(r, "value")?,
                    recorded_at: col(r, "recorded_at")?,
                    actor: col(r, "actor")?,
                    reason: col(r, "reason")?,
                })
            })
            .collect()
    }

    async fn suppression_threshold(&self, actor: &Actor, la: &str) -> Result<u32> {
        check_request(actor, None)?;
        let row: Option<(i64,)> =
            sqlx::query_as("select threshold from la_suppression where la = ?").bind(la).fetch_optional(&self.pool).await.map_err(db)?;
        Ok(row.map_or(DEFAULT_SUPPRESSION_THRESHOLD, |(n,)| u32::try_from(n).unwrap_or(DEFAULT_SUPPRESSION_THRESHOLD)))
    }

    async fn set_suppression_threshold(&self, actor: &Actor, la: &str, threshold: u32, reason: &str) -> Result<()> {
        let reason = check_request(actor, Some(reason))?;
        if !permitted(actor, la) || la.len() != 3 {
            return Err(StoreError::Invalid(format!("the threshold for '{la}' is outside the actor's scope")));
        }
        if threshold > 100 {
            return Err(StoreError::Invalid("the threshold must be between 0 and 100".into()));
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into la_suppression (la, threshold, updated_at, actor, reason) values (?, ?, ?, ?, ?) \
             on conflict (la) do update set threshold = excluded.threshold, updated_at = excluded.updated_at, actor = excluded.actor, reason = excluded.reason",
        )
        .bind(la)
        .bind(i64::from(threshold))
        .bind(&now)
        .bind(actor.label.trim())
        .bind(&reason)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn save_manual_values(&self, actor: &Actor, values: &[ManualValueRecord], reason: &str) -> Result<usize> {
        let reason = check_request(actor, Some(reason))?;
        for v in values {
            if !permitted(actor, &v.la) {
                return Err(StoreError::Invalid(format!("manual value for '{}' is outside the actor's scope", v.la)));
            }
            if !v.value.is_finite() {
                return Err(StoreError::Invalid(format!("manual value for {}/{} is not a finite number", v.framework, v.indicator)));
            }
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let mut changed = 0;
        for v in values {
            let write = VersionedWrite {
                table: "indicator_manual_value",
                history: "indicator_manual_value_history",
                what: "manual indicator value",
                id: format!("{}/{}/{}/{}/{}", v.framework, v.indicator, v.period, v.la, v.cohort),
                key: vec![
                    ("framework", Val::Text(&v.framework)),
                    ("indicator", Val::Text(&v.indicator)),
                    ("period", Val::Text(&v.period)),
                    ("la", Val::Text(&v.la)),
                    ("cohort", Val::Text(&v.cohort)),
                ],
                columns: vec![("value", Val::Real(Some(v.value)))],
                history_columns: vec![("value", Val::Real(Some(v.value)))],
                created: &[],
                expect: Expect::Latest,
                skip_unchanged: true,
                absent_is_unchanged: false,
                audit: None,
            };
            if write_versioned(&mut tx, write, &now, actor, &reason).await?.is_some() {
                changed += 1;
            }
        }
        tx.commit().await.map_err(db)?;
        tracing::info!(changed, "manual indicator values saved");
        Ok(changed)
    }

    async fn manual_values(&self, actor: &Actor) -> Result<Vec<ManualValueRecord>> {
        check_request(actor, None)?;
        let la = actor.scope.la().map(|l| l.to_string());
        let rows = sqlx::query(
            "select framework, indicator, period, la, cohort, value from indicator_manual_value where (?1 is null or la = ?1) \
             order by framework, indicator, period, la, cohort",
        )
        .bind(la)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(ManualValueRecord {
                    framework: col(r, "framework")?,
                    indicator: col(r, "indicator")?,
                    period: col(r, "period")?,
                    la: col(r, "la")?,
                    cohort: col(r, "cohort")?,
                    value: col(r, "value")?,
                })
            })
            .collect()
    }
}
