//! Placements: the settings a child or young person attends, over time. Every read and write is audited
//! and scoped by the actor's LA, like the rest of a child's record; ending a placement is a new version
//! with its reason kept in an append-only history.

use crate::sqlite::{check_request, col, db, load_child, not_found, parse_col, scope_la, to_json, write_audit, Audit};
use crate::versioned::{write_versioned, Expect, Val, VersionedWrite};
use crate::{Actor, AuditAction, Result, SqliteStore, StoreError, Versioned};
use serde::Serialize;
use std::future::Future;
use uuid::Uuid;
use waymark_domain::calendar::Date;
use waymark_domain::identifiers::SettingRef;
use waymark_domain::ids::ChildId;
use waymark_domain::placement::Placement;

/// A stored placement with its id and child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacementRecord {
    pub placement_id: Uuid,
    pub child_id: ChildId,
    pub placement: Placement,
}

/// The setting as one text key, for indexing: `urn:123456`, `ukprn:10012345`, `code:EHE`.
pub fn setting_key(setting: &SettingRef) -> String {
    match setting {
        SettingRef::Urn(u) => format!("urn:{u}"),
        SettingRef::Ukprn(u) => format!("ukprn:{u}"),
        SettingRef::Code(c) => format!("code:{}", c.code()),
    }
}

/// Placement storage, beside [`crate::Store`]; a PostgreSQL backend implements it too.
pub trait PlacementStore: Send + Sync {
    /// Record that a child attends (or attended) a setting. Checked by the domain's placement rules.
    fn record_placement(
        &self,
        actor: &Actor,
        child: ChildId,
        placement: Placement,
        reason: &str,
    ) -> impl Future<Output = Result<Versioned<PlacementRecord>>> + Send;

    /// Record the day a child left a placement (the last day attended), based on `expected_version`.
    fn end_placement(
        &self,
        actor: &Actor,
        placement: Uuid,
        expected_version: i64,
        leaving: Date,
        reason: &str,
    ) -> impl Future<Output = Result<Versioned<PlacementRecord>>> + Send;

    /// A child's placements, earliest entry first. Audited as a read of the child's record.
    fn placements_for_child(&self, actor: &Actor, child: ChildId) -> impl Future<Output = Result<Vec<Versioned<PlacementRecord>>>> + Send;

    /// The children attending a setting on a date (a SENCO's pupils), within the actor's scope.
    fn children_at_setting(&self, actor: &Actor, setting: &SettingRef, on: Date) -> impl Future<Output = Result<Vec<ChildId>>> + Send;
}

fn check(placement: &Placement) -> Result<()> {
    placement.check().map_err(|e| StoreError::Invalid(e.to_string()))
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Versioned<PlacementRecord>> {
    let data: String = col(row, "data")?;
    let placement: Placement = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("placement: {e}")))?;
    Ok(Versioned {
        value: PlacementRecord {
            placement_id: parse_col(row, "placement_id", "placement id")?,
            child_id: parse_col(row, "child_id", "child id")?,
            placement,
        },
        version: col(row, "version")?,
    })
}

/// Write a new placement (version 1) and the first entry of its append-only history.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_new_placement(
    conn: &mut sqlx::SqliteConnection,
    id: &str,
    child: ChildId,
    la: waymark_domain::identifiers::LaCode,
    placement: &Placement,
    data: &str,
    now: &str,
    actor: &Actor,
    reason: &str,
) -> Result<()> {
    sqlx::query(
        "insert into placement (placement_id, child_id, la, version, setting_key, entry_date, leaving_date, data, created_at, updated_at) \
         values (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(child.to_string())
    .bind(la.to_string())
    .bind(setting_key(&placement.setting))
    .bind(placement.entry.to_string())
    .bind(placement.leaving.map(|d| d.to_string()))
    .bind(data)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    sqlx::query("insert into placement_history (placement_id, version, data, recorded_at, actor, reason) values (?, 1, ?, ?, ?, ?)")
        .bind(id)
        .bind(data)
        .bind(now)
        .bind(actor.label.trim())
        .bind(reason)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

impl PlacementStore for SqliteStore {
    async fn record_placement(
        &self,
        actor: &Actor,
        child: ChildId,
        placement: Placement,
        reason: &str,
    ) -> Result<Versioned<PlacementRecord>> {
        let reason = check_request(actor, Some(reason))?;
        check(&placement)?;
        let mut tx = self.begin_write().await?;
        let owner = load_child(&mut tx, actor, child).await?;
        if placement.entry < owner.value.date_of_birth {
            return Err(StoreError::Invalid(format!("the entry date {} is before the child's date of birth", placement.entry)));
        }
        let id = Uuid::new_v4();
        let now = self.now();
        let data = to_json(&placement, "placement")?;
        insert_new_placement(&mut tx, &id.to_string(), child, owner.value.responsible_la, &placement, &data, &now, actor, &reason).await?;
        let audit = Audit {
            action: AuditAction::Create,
            subject: "placement",
            la: Some(owner.value.responsible_la),
            child: Some(child),
            case: None,
            actor,
        };
        write_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        tracing::debug!(%child, placement = %id, "placement recorded");
        Ok(Versioned { value: PlacementRecord { placement_id: id, child_id: child, placement }, version: 1 })
    }

    async fn end_placement(
        &self,
        actor: &Actor,
        placement: Uuid,
        expected_version: i64,
        leaving: Date,
        reason: &str,
    ) -> Result<Versioned<PlacementRecord>> {
        let reason = check_request(actor, Some(reason))?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "select placement_id, child_id, la, version, data from placement where placement_id = ?1 and (?2 is null or la = ?2)",
        )
        .bind(placement.to_string())
        .bind(scope_la(actor))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .ok_or_else(|| not_found("placement", placement))?;
        let mut current = from_row(&row)?;
        if current.version != expected_version {
            return Err(StoreError::Conflict {
                what: "placement",
                id: placement.to_string(),
                expected: expected_version,
                current: current.version,
            });
        }
        current.value.placement.leaving = Some(leaving);
        check(&current.value.placement)?;
        let now = self.now();
        let data = to_json(&current.value.placement, "placement")?;
        let la = parse_col(&row, "la", "LA code")?;
        let child = current.value.child_id;
        let (id, leaving) = (placement.to_string(), leaving.to_string());
        let write = VersionedWrite {
            table: "placement",
            history: "placement_history",
            what: "placement",
            id: id.clone(),
            key: vec![("placement_id", Val::Text(&id))],
            columns: vec![("leaving_date", Val::Text(&leaving)), ("data", Val::Text(&data))],
            history_columns: vec![("data", Val::Text(&data))],
            created: &["created_at"],
            expect: Expect::Version(Some(expected_version)),
            skip_unchanged: false,
            absent_is_unchanged: false,
            audit: Some(Audit { action: AuditAction::Update, subject: "placement", la: Some(la), child: Some(child), case: None, actor }),
        };
        let version = write_versioned(&mut tx, write, &now, actor, &reason).await?.unwrap_or(expected_version);
        tx.commit().await.map_err(db)?;
        current.version = version;
        Ok(current)
    }

    async fn placements_for_child(&self, actor: &Actor, child: ChildId) -> Result<Vec<Versioned<PlacementRecord>>> {
        check_request(actor, None)?;
        let mut tx = self.begin_read().await?;
        let owner = load_child(&mut tx, actor, child).await?;
        let rows =
            sqlx::query("select placement_id, child_id, version, data from placement where child_id = ? order by entry_date, created_at")
                .bind(child.to_string())
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?;
        let placements = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        let now = self.now();
        let audit = Audit {
            action: AuditAction::Read,
            subject: "placements",
            la: Some(owner.value.responsible_la),
            child: Some(child),
            case: None,
            actor,
        };
        self.write_read_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(placements)
    }

    async fn children_at_setting(&self, actor: &Actor, setting: &SettingRef, on: Date) -> Result<Vec<ChildId>> {
        check_request(actor, None)?;
        let on = on.to_string();
        let rows = sqlx::query(
            "select distinct child_id from placement where setting_key = ?1 and entry_date <= ?2 \
             and (leaving_date is null or leaving_date >= ?2) and (?3 is null or la = ?3) order by child_id",
        )
        .bind(setting_key(setting))
        .bind(&on)
        .bind(scope_la(actor))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(|r| parse_col(r, "child_id", "child id")).collect()
    }
}
