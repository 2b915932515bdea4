//! Loading many records at once: a synthetic area, or a migration. Each batch is one transaction: all of
//! it is written or none. Records keep the ids they arrive with, so the same generated area gives the same
//! ids in every store. Every child written is audited (one `create` row each, subject `bulk_load`), and
//! every case is checked by the domain lifecycle before anything is written.

use crate::placements::insert_new_placement;
use crate::sqlite::{check_request, db, identifier_columns, insert_event, to_json, write_audit, Audit};
use crate::{Actor, AuditAction, Result, SqliteStore, StoreError};
use std::future::Future;
use uuid::Uuid;
use waymark_domain::case::{Case, CaseEvent};
use waymark_domain::child::Child;
use waymark_domain::ids::CaseId;
use waymark_domain::placement::Placement;

/// One person to load: the child's record, their cases as event histories, and their placements.
#[derive(Debug, Clone)]
pub struct BulkPerson {
    pub child: Child,
    pub cases: Vec<(CaseId, Vec<CaseEvent>)>,
    pub placements: Vec<Placement>,
}

/// What a bulk load wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkCounts {
    pub children: u64,
    pub cases: u64,
    pub events: u64,
    pub placements: u64,
}

impl std::ops::AddAssign for BulkCounts {
    fn add_assign(&mut self, o: Self) {
        self.children += o.children;
        self.cases += o.cases;
        self.events += o.events;
        self.placements += o.placements;
    }
}

pub trait BulkStore: Send + Sync {
    /// Write a batch of people in one transaction. Refused whole if any child is outside the actor's
    /// scope, any case breaks the lifecycle, or any id already exists.
    fn load_people(&self, actor: &Actor, people: &[BulkPerson], reason: &str) -> impl Future<Output = Result<BulkCounts>> + Send;
}

impl BulkStore for SqliteStore {
    async fn load_people(&self, actor: &Actor, people: &[BulkPerson], reason: &str) -> Result<BulkCounts> {
        let reason = check_request(actor, Some(reason))?;
        // Check everything before writing anything.
        let mut stages = Vec::with_capacity(people.len());
        for p in people {
            if !actor.scope.permits(p.child.responsible_la) {
                return Err(StoreError::OutOfScope { la: p.child.responsible_la });
            }
            let mut case_stages = Vec::with_capacity(p.cases.len());
            for (id, events) in &p.cases {
                let case = Case::replay(*id, p.child.id, events)?;
                case_stages.push(case.stage().name());
            }
            for pl in &p.placements {
                pl.check().map_err(|e| StoreError::Invalid(format!("child {}: {e}", p.child.id)))?;
            }
            stages.push(case_stages);
        }
        let mut tx = self.begin_write().await?;
        let now = self.now();
        let mut counts = BulkCounts::default();
        for (p, case_stages) in people.iter().zip(stages) {
            let la = p.child.responsible_la.to_string();
            let id = p.child.id.to_string();
            let data = to_json(&p.child, "child")?;
            let [upn, uln, nhs] = identifier_columns(&p.child);
            sqlx::query(
                "insert into child (child_id, la, version, data, upn, uln, nhs_number, created_at, updated_at) values (?, ?, 1, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&id)
            .bind(&la)
            .bind(&data)
            .bind(upn)
            .bind(uln)
            .bind(nhs)
            .bind(&now)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            sqlx::query("insert into child_history (child_id, version, data, recorded_at, actor, reason) values (?, 1, ?, ?, ?, ?)")
                .bind(&id)
                .bind(&data)
                .bind(&now)
                .bind(actor.label.trim())
                .bind(&reason)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            write_audit(
                &mut tx,
                &now,
                Audit {
                    action: AuditAction::Create,
                    subject: "bulk_load",
                    la: Some(p.child.responsible_la),
                    child: Some(p.child.id),
                    case: None,
                    actor,
                },
            )
            .await?;
            counts.children += 1;
            for ((case_id, events), stage) in p.cases.iter().zip(case_stages) {
                sqlx::query(
                    "insert into ehc_case (case_id, child_id, la, version, stage, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(case_id.to_string())
                .bind(&id)
                .bind(&la)
                .bind(events.len() as i64)
                .bind(stage)
                .bind(&now)
                .bind(&now)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                for (i, event) in events.iter().enumerate() {
                    insert_event(&mut tx, *case_id, i as i64 + 1, event, &now, actor, &reason).await?;
                }
                counts.cases += 1;
                counts.events += events.len() as u64;
            }
            for pl in &p.placements {
                let pid =
                    Uuid::from_u128(p.child.id.as_uuid().as_u128() ^ ((u128::from(counts.placements) << 64) | 0x5055_4c41)).to_string();
                let pdata = to_json(pl, "placement")?;
                insert_new_placement(&mut tx, &pid, p.child.id, p.child.responsible_la, pl, &pdata, &now, actor, &reason).await?;
                counts.placements += 1;
            }
        }
        tx.commit().await.map_err(db)?;
        tracing::info!(children = counts.children, cases = counts.cases, "bulk load committed");
        Ok(counts)
    }
}
