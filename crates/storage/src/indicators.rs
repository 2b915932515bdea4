//! Manual-entry values of performance indicators: what no person-level record holds, entered by hand
//! (`waymark indicators --manual FILE.csv`). One current value per framework, indicator, period, area and
//! cohort; each change is versioned in an append-only history with who, when and why. An actor scoped to
//! one LA may enter and read that LA's values only; England's values need the whole installation.

use crate::sqlite::{check_request, col, db};
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

pub trait IndicatorStore: Send + Sync {
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
            let current: Option<(i64, f64)> = sqlx::query_as(
                "select version, value from indicator_manual_value where framework = ? and indicator = ? and period = ? and la = ? and cohort = ?",
            )
            .bind(&v.framework)
            .bind(&v.indicator)
            .bind(&v.period)
            .bind(&v.la)
            .bind(&v.cohort)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            if current.is_some_and(|(_, old)| old == v.value) {
                continue;
            }
            let version = current.map_or(1, |(n, _)| n + 1);
            sqlx::query(
                "insert into indicator_manual_value (framework, indicator, period, la, cohort, value, version, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?) \
                 on conflict (framework, indicator, period, la, cohort) do update set value = excluded.value, version = excluded.version, updated_at = excluded.updated_at",
            )
            .bind(&v.framework)
            .bind(&v.indicator)
            .bind(&v.period)
            .bind(&v.la)
            .bind(&v.cohort)
            .bind(v.value)
            .bind(version)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            sqlx::query(
                "insert into indicator_manual_value_history (framework, indicator, period, la, cohort, version, value, recorded_at, actor, reason) \
                 values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&v.framework)
            .bind(&v.indicator)
            .bind(&v.period)
            .bind(&v.la)
            .bind(&v.cohort)
            .bind(version)
            .bind(v.value)
            .bind(&now)
            .bind(actor.label.trim())
            .bind(&reason)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            changed += 1;
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
