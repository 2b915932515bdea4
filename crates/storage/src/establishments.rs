//! The register of schools and settings from the GIAS "all establishments" extract: each URN's name,
//! LA, type, phase, postcode and status, so pages show "Meadow Primary School (URN 117001)" rather
//! than a bare number, and a setting can be found by name. Loaded all or nothing; a URN loaded again
//! is updated, and one missing from a later file is kept (a closed school is still where a child was).
//! Public reference data: no child's data, so reads are not audited; loading it is.

use crate::sqlite::{check_request, db, write_audit, Audit};
use crate::{Actor, AuditAction, Result, SqliteStore};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use std::future::Future;
use waymark_domain::identifiers::{LaCode, Urn};

/// One establishment as GIAS describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Establishment {
    pub urn: Urn,
    pub name: String,
    pub la: LaCode,
    pub la_name: String,
    pub kind: String,
    pub phase: String,
    pub postcode: String,
    pub status: String,
}

/// What a load changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EstablishmentCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

pub trait EstablishmentStore: Send + Sync {
    /// Load every row in one transaction (all or nothing). Audited as one change.
    fn load_establishments(&self, actor: &Actor, rows: &[Establishment]) -> impl Future<Output = Result<EstablishmentCounts>> + Send;

    /// The names of these URNs (those known).
    fn establishment_names(&self, urns: &[String]) -> impl Future<Output = Result<HashMap<String, String>>> + Send;

    /// Open establishments whose name contains `text` (any case) or whose URN is `text`, in name order.
    fn find_establishments(&self, text: &str, limit: usize) -> impl Future<Output = Result<Vec<Establishment>>> + Send;
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Establishment> {
    let get = |c: &str| -> Result<String> { row.try_get::<String, _>(c).map_err(db) };
    let parse_err = |what: &str, v: &str| crate::StoreError::Corrupt(format!("establishment {what} '{v}'"));
    let urn = get("urn")?;
    let la = get("la")?;
    Ok(Establishment {
        urn: urn.parse().map_err(|_| parse_err("URN", &urn))?,
        la: la.parse().map_err(|_| parse_err("LA", &la))?,
        name: get("name")?,
        la_name: get("la_name")?,
        kind: get("kind")?,
        phase: get("phase")?,
        postcode: get("postcode")?,
        status: get("status")?,
    })
}

impl EstablishmentStore for SqliteStore {
    async fn load_establishments(&self, actor: &Actor, rows: &[Establishment]) -> Result<EstablishmentCounts> {
        check_request(actor, None)?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let mut counts = EstablishmentCounts::default();
        for e in rows {
            let existing = sqlx::query("select * from establishment where urn = ?")
                .bind(e.urn.to_string())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
            match existing.as_ref().map(from_row).transpose()? {
                Some(old) if old == *e => {
                    counts.unchanged += 1;
                    continue;
                }
                Some(_) => counts.updated += 1,
                None => counts.created += 1,
            }
            sqlx::query(
                "insert into establishment (urn, name, la, la_name, kind, phase, postcode, status, updated_at) \
                 values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) on conflict (urn) do update set name = ?2, la = ?3, la_name = ?4, \
                 kind = ?5, phase = ?6, postcode = ?7, status = ?8, updated_at = ?9",
            )
            .bind(e.urn.to_string())
            .bind(&e.name)
            .bind(e.la.to_string())
            .bind(&e.la_name)
            .bind(&e.kind)
            .bind(&e.phase)
            .bind(&e.postcode)
            .bind(&e.status)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        let audit = Audit { action: AuditAction::Update, subject: "establishments", la: None, child: None, case: None, actor };
        write_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(counts)
    }

    async fn establishment_names(&self, urns: &[String]) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        if urns.is_empty() {
            return Ok(out);
        }
        // Names of the settings imported as reference data, then GIAS's (which win where both exist).
        let list = serde_json::to_string(urns).map_err(|e| crate::StoreError::Database(e.to_string()))?;
        let settings = sqlx::query(
            "select cast(urn as text) as urn, json_extract(data, '$.name') as name from setting \
             where urn in (select cast(value as integer) from json_each(?))",
        )
        .bind(&list)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        for r in settings {
            if let Some(name) = r.try_get::<Option<String>, _>("name").map_err(db)? {
                out.insert(r.try_get("urn").map_err(db)?, name);
            }
        }
        let rows = sqlx::query("select urn, name from establishment where urn in (select value from json_each(?))")
            .bind(&list)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        for r in rows {
            out.insert(r.try_get("urn").map_err(db)?, r.try_get("name").map_err(db)?);
        }
        Ok(out)
    }

    async fn find_establishments(&self, text: &str, limit: usize) -> Result<Vec<Establishment>> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(Vec::new());
        }
        let pattern = format!("%{}%", t.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let rows = sqlx::query(
            "select * from establishment where urn = ?1 or name like ?2 escape '\\' \
             order by (urn = ?1) desc, (status like 'Open%') desc, name limit ?3",
        )
        .bind(t)
        .bind(pattern)
        .bind(i64::try_from(limit).unwrap_or(50))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(from_row).collect()
    }
}
