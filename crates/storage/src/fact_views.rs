//! Read views of person-level facts for the web application's multi-agency record: one child's facts
//! of the datasets a role may read, chosen in the SQL, so a query never reads a dataset the role may
//! not see. Scoped by the actor's LA like every read (a child outside it is not found) and audited as a
//! read of the child's facts (subject `facts`), with ids only.

use crate::sqlite::{check_request, col, db, not_found, parse_timestamp, scope_la, Audit};
use crate::{Actor, AuditAction, Result, SqliteStore, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use waymark_domain::facts::{Dataset, PersonFact};
use waymark_domain::identifiers::LaCode;
use waymark_domain::ids::ChildId;

/// One fact as a record page shows it: what it says, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactView {
    pub dataset: Dataset,
    pub fact: PersonFact,
    /// The file (or system) that supplied it.
    pub source_file: String,
    pub recorded_at: DateTime<Utc>,
}

impl SqliteStore {
    /// A child's facts from `datasets` only, by dataset then date. An empty list of datasets reads
    /// nothing and audits nothing. The caller has already reached the child through its selection.
    pub async fn child_facts_of(&self, actor: &Actor, child: ChildId, datasets: &[Dataset]) -> Result<Vec<FactView>> {
        check_request(actor, None)?;
        if datasets.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now();
        let mut tx = self.begin_read().await?;
        let la: String = sqlx::query_scalar("select la from child where child_id = ?1 and (?2 is null or la = ?2)")
            .bind(child.to_string())
            .bind(scope_la(actor))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .ok_or_else(|| not_found("child", child))?;
        let la: LaCode = la.parse().map_err(|_| StoreError::Corrupt(format!("child {child}: LA code")))?;
        let marks = (0..datasets.len()).map(|i| format!("?{}", i + 2)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "select f.fact_id, f.dataset, f.data, f.source_file, f.updated_at from person_fact f \
             where f.child_id = ?1 and f.dataset in ({marks}) order by f.dataset, f.period_start, f.fact_id"
        );
        let mut query = sqlx::query(&sql).bind(child.to_string());
        for d in datasets {
            query = query.bind(d.name());
        }
        let rows = query.fetch_all(&mut *tx).await.map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let fact_id: i64 = col(row, "fact_id")?;
            let name: String = col(row, "dataset")?;
            let dataset = Dataset::from_name(&name).ok_or_else(|| StoreError::Corrupt(format!("fact {fact_id}: unknown dataset")))?;
            let fact: PersonFact =
                serde_json::from_str(&col::<String>(row, "data")?).map_err(|e| StoreError::Corrupt(format!("fact {fact_id}: {e}")))?;
            out.push(FactView {
                dataset,
                fact,
                source_file: col(row, "source_file")?,
                recorded_at: parse_timestamp(&col::<String>(row, "updated_at")?)?,
            });
        }
        let audit = Audit { action: AuditAction::Read, subject: "facts", la: Some(la), child: Some(child), case: None, actor };
        self.write_read_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::debug!(child_id = %child, facts = out.len(), datasets = datasets.len(), "facts of a child read for a record page");
        Ok(out)
    }
}
