//! Storage for the SEN2 return: reading children with their cases and placements in batches (so an
//! export of any size keeps memory bounded), and importing a return in one transaction.
//!
//! Every child read for a return is audited (subject `sen2_return`), and every child, case and
//! placement an import creates or changes is audited like any other write. An import runs in one
//! `BEGIN IMMEDIATE` transaction: if any person fails, dropping [`Sen2Import`] rolls everything back.

use crate::sqlite::{check_request, col, db, parse_col, scope_la, to_json, write_audit, Audit};
use crate::{placements::setting_key, Actor, AuditAction, Result, SqliteStore, StoreError, Versioned};
use serde::Serialize;
use sqlx::{Sqlite, SqliteConnection, Transaction};
use std::collections::HashMap;
use std::future::Future;
use uuid::Uuid;
use waymark_domain::calendar::{add_days, Date};
use waymark_domain::case::reconcile::{reconcile, CaseFit};
use waymark_domain::case::{Case, CaseEvent};
use waymark_domain::child::{Child, NewChild, SenStatus};
use waymark_domain::identifiers::LaCode;
use waymark_domain::ids::{CaseId, ChildId};
use waymark_domain::need::RankedNeeds;
use waymark_domain::placement::Placement;

/// A placement as stored, with its SEN2 description (SENSettingOther) if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sen2Placement {
    pub placement_id: Uuid,
    pub placement: Placement,
    pub setting_other: Option<String>,
}

/// Everything the SEN2 return needs about one child.
#[derive(Debug, Clone, PartialEq)]
pub struct Sen2Source {
    pub child: Versioned<Child>,
    /// The child's cases, replayed, oldest first.
    pub cases: Vec<Case>,
    pub placements: Vec<Sen2Placement>,
    /// SEN2 item 1.7c, if an import recorded one.
    pub upn_unknown: Option<String>,
}

/// One page of children for the return, and the cursor for the next (`None` after the last page).
#[derive(Debug, Clone, PartialEq)]
pub struct Sen2Batch {
    pub sources: Vec<Sen2Source>,
    pub next: Option<i64>,
}

/// Why children are read for the return, which decides how the reads are audited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sen2Reading {
    /// The return is written out (a file leaves Waymark with every child in it): each child read is
    /// audited (subject `sen2_return`).
    Export,
    /// The return is checked and only its findings are shown (the SEN2 page, `sen2 check`): an
    /// aggregate read, audited once by [`Sen2Store::sen2_audit_check`], not once per child.
    Check,
}

/// Reading for the SEN2 return, beside [`crate::Store`].
pub trait Sen2Store: Send + Sync {
    /// Up to `limit` children (of `la`, or every LA in scope), in the order they were recorded, from
    /// the cursor `after` (`None` for the start), each with its cases and placements. Call again with
    /// the batch's `next` to page through every child; for an export each child read is audited.
    fn sen2_sources(
        &self,
        actor: &Actor,
        la: Option<LaCode>,
        after: Option<i64>,
        limit: u32,
        reading: Sen2Reading,
    ) -> impl Future<Output = Result<Sen2Batch>> + Send;

    /// One audit entry for a check of `la`'s return (subject `sen2_check`): what was read, by whom.
    fn sen2_audit_check(&self, actor: &Actor, la: LaCode) -> impl Future<Output = Result<()>> + Send;

    /// The LAs with children in the actor's scope (to pick the return's LA when only one is held).
    fn sen2_las(&self, actor: &Actor) -> impl Future<Output = Result<Vec<LaCode>>> + Send;

    /// An import in progress, in one transaction (see [`Sen2ImportWrite`]).
    type Import: Sen2ImportWrite;

    /// Begin importing a SEN2 return as `actor`, for `reason`: one transaction holding the write lock.
    fn begin_sen2_import(&self, actor: &Actor, reason: &str) -> impl Future<Output = Result<Self::Import>> + Send;
}

/// The writes of one SEN2 import, in one transaction: the application layer
/// (`waymark_application::sen2::import`) reads and checks the return and hands each person over.
/// Dropping the value without [`Sen2ImportWrite::commit`] writes nothing.
pub trait Sen2ImportWrite: Send {
    /// Record the LA's SEN2 settings from the return's header (items DMO, DCO and DSCO) in the import's
    /// transaction, unless the store already holds settings for the LA.
    fn settings_from_header(&mut self, settings: &crate::LaSettings) -> impl Future<Output = Result<()>> + Send;

    /// Create or update one person: child, SEN status, cases and placements. Nothing already equal is
    /// written again, so importing the same return twice changes nothing.
    fn person(&mut self, p: Sen2ImportPerson) -> impl Future<Output = Result<ChildId>> + Send;

    /// Commit everything imported; returns what was done.
    fn commit(self) -> impl Future<Output = Result<Sen2ImportReport>> + Send;
}

/// The most children one [`Sen2Store::sen2_sources`] call returns.
pub const MAX_SEN2_BATCH: u32 = 2000;

fn child_json(text: &str, id: ChildId) -> Result<Child> {
    let child: Child = serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("child {id}: {e}")))?;
    if child.id != id {
        return Err(StoreError::Corrupt(format!("child {id} holds the record of child {}", child.id)));
    }
    Ok(child)
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Cases (replayed) and placements of a set of children, keyed by child.
async fn load_related(
    conn: &mut SqliteConnection,
    ids: &[ChildId],
) -> Result<(HashMap<ChildId, Vec<Case>>, HashMap<ChildId, Vec<Sen2Placement>>, HashMap<ChildId, String>)> {
    let mut cases: HashMap<ChildId, Vec<Case>> = HashMap::new();
    let mut placements: HashMap<ChildId, Vec<Sen2Placement>> = HashMap::new();
    let mut unknown: HashMap<ChildId, String> = HashMap::new();
    if ids.is_empty() {
        return Ok((cases, placements, unknown));
    }
    let list = placeholders(ids.len());
    let sql = format!(
        "select c.case_id, c.child_id, c.version, e.seq, e.event from ehc_case c join case_event e on e.case_id = c.case_id \
         where c.child_id in ({list}) order by c.child_id, c.created_at, c.rowid, e.seq"
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id.to_string());
    }
    let rows = q.fetch_all(&mut *conn).await.map_err(db)?;
    let mut current: Option<(CaseId, ChildId, i64, Vec<CaseEvent>)> = None;
    let finish = |c: Option<(CaseId, ChildId, i64, Vec<CaseEvent>)>, cases: &mut HashMap<ChildId, Vec<Case>>| -> Result<()> {
        if let Some((case_id, child_id, version, events)) = c {
            if i64::try_from(events.len()).ok() != Some(version) {
                return Err(StoreError::Corrupt(format!("case {case_id} is at version {version} but has {} events", events.len())));
            }
            let case = Case::replay(case_id, child_id, &events)
                .map_err(|e| StoreError::Corrupt(format!("case {case_id} no longer replays: {e}")))?;
            cases.entry(child_id).or_default().push(case);
        }
        Ok(())
    };
    for row in &rows {
        let case_id: CaseId = parse_col(row, "case_id", "case id")?;
        if current.as_ref().is_none_or(|c| c.0 != case_id) {
            finish(current.take(), &mut cases)?;
            current = Some((case_id, parse_col(row, "child_id", "child id")?, col(row, "version")?, Vec::new()));
        }
        let text: String = col(row, "event")?;
        let event: CaseEvent = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("case {case_id}: {e}")))?;
        current.as_mut().expect("set above").3.push(event);
    }
    finish(current.take(), &mut cases)?;

    let sql = format!(
        "select p.placement_id, p.child_id, p.data, s.setting_other from placement p left join sen2_placement s on s.placement_id = p.placement_id \
         where p.child_id in ({list}) order by p.child_id, p.entry_date, p.created_at"
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id.to_string());
    }
    for row in q.fetch_all(&mut *conn).await.map_err(db)? {
        let child: ChildId = parse_col(&row, "child_id", "child id")?;
        let data: String = col(&row, "data")?;
        let placement: Placement = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("placement: {e}")))?;
        placements.entry(child).or_default().push(Sen2Placement {
            placement_id: parse_col(&row, "placement_id", "placement id")?,
            placement,
            setting_other: col(&row, "setting_other")?,
        });
    }
    let sql = format!("select child_id, upn_unknown from sen2_person where child_id in ({list}) and upn_unknown is not null");
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id.to_string());
    }
    for row in q.fetch_all(&mut *conn).await.map_err(db)? {
        unknown.insert(parse_col(&row, "child_id", "child id")?, col(&row, "upn_unknown")?);
    }
    Ok((cases, placements, unknown))
}

impl Sen2Store for SqliteStore {
    type Import = Sen2Import;

    async fn begin_sen2_import(&self, actor: &Actor, reason: &str) -> Result<Sen2Import> {
        self.begin_sen2_import_tx(actor, reason).await
    }

    async fn sen2_las(&self, actor: &Actor) -> Result<Vec<LaCode>> {
        check_request(actor, None)?;
        let rows = sqlx::query("select distinct la from child where (?1 is null or la = ?1) order by la")
            .bind(scope_la(actor))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(|r| parse_col(r, "la", "LA code")).collect()
    }

    async fn sen2_audit_check(&self, actor: &Actor, la: LaCode) -> Result<()> {
        check_request(actor, None)?;
        if actor.scope.la().is_some_and(|own| own != la) {
            return Err(StoreError::OutOfScope { la });
        }
        let now = self.now();
        let mut tx = self.begin_read().await?;
        let audit = Audit { action: AuditAction::Read, subject: "sen2_check", la: Some(la), child: None, case: None, actor };
        self.write_read_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)
    }

    async fn sen2_sources(
        &self,
        actor: &Actor,
        la: Option<LaCode>,
        after: Option<i64>,
        limit: u32,
        reading: Sen2Reading,
    ) -> Result<Sen2Batch> {
        check_request(actor, None)?;
        let limit = limit.clamp(1, MAX_SEN2_BATCH);
        let now = self.now();
        // A check only reads (its one audit entry is written apart), so it never waits for the write lock.
        let mut tx = match reading {
            Sen2Reading::Export => self.begin_write().await?,
            Sen2Reading::Check => self.begin_read().await?,
        };
        // A check reads only the children with a case: the others are in no return (each person is
        // reported with their requests for an EHC needs assessment, SEN2 module 2, and a child with no
        // case has none: `waymark_sen2::build_person` gives no person for them), and at a large area
        // they are most of the children (pupils on SEN support). The export reads and audits every
        // child, as it states.
        let with_cases = reading == Sen2Reading::Check;
        let rows = sqlx::query(
            "select rowid as position, child_id, version, data from child where (?1 is null or la = ?1) and (?2 is null or la = ?2) \
             and (?3 is null or rowid > ?3) and (not ?5 or exists (select 1 from ehc_case k where k.child_id = child.child_id)) \
             order by rowid limit ?4",
        )
        .bind(scope_la(actor))
        .bind(la.map(|l| l.to_string()))
        .bind(after)
        .bind(i64::from(limit))
        .bind(with_cases)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let mut children = Vec::with_capacity(rows.len());
        let mut last = None;
        for row in &rows {
            last = Some(col::<i64>(row, "position")?);
            let id: ChildId = parse_col(row, "child_id", "child id")?;
            let data: String = col(row, "data")?;
            children.push(Versioned { value: child_json(&data, id)?, version: col(row, "version")? });
        }
        let ids: Vec<ChildId> = children.iter().map(|c| c.value.id).collect();
        let (mut cases, mut placements, mut unknown) = load_related(&mut tx, &ids).await?;
        let mut out = Vec::with_capacity(children.len());
        for child in children {
            let id = child.value.id;
            if reading == Sen2Reading::Export {
                let audit = Audit {
                    action: AuditAction::Read,
                    subject: "sen2_return",
                    la: Some(child.value.responsible_la),
                    child: Some(id),
                    case: None,
                    actor,
                };
                write_audit(&mut tx, &now, audit).await?;
            }
            out.push(Sen2Source {
                cases: cases.remove(&id).unwrap_or_default(),
                placements: placements.remove(&id).unwrap_or_default(),
                upn_unknown: unknown.remove(&id),
                child,
            });
        }
        tx.commit().await.map_err(db)?;
        tracing::debug!(children = out.len(), "children read for the SEN2 return");
        let next = if out.len() < limit as usize { None } else { last };
        Ok(Sen2Batch { sources: out, next })
    }
}

/// One person of an imported return, mapped to domain values.
#[derive(Debug, Clone)]
pub struct Sen2ImportPerson {
    pub child: NewChild,
    /// The date the person's age is checked on (0-25, CFA 2014 s46): the last date the return counts
    /// them for, since a young person whose plan ceased in the year may be older by the time of import.
    pub age_checked_on: Date,
    /// The SEN status to hold: an EHC plan from `from`, with ranked needs, as on `as_on` (census day).
    pub needs: Option<Sen2Needs>,
    /// Each case as its dated events, first event first.
    pub cases: Vec<Vec<CaseEvent>>,
    /// Placements with their SENSettingOther.
    pub placements: Vec<(Placement, Option<String>)>,
    pub upn_unknown: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sen2Needs {
    pub from: Date,
    pub as_on: Date,
    pub needs: RankedNeeds,
}

/// What an import did, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sen2ImportReport {
    pub children_created: u64,
    pub children_changed: u64,
    pub children_unchanged: u64,
    pub cases_created: u64,
    /// Existing cases the return carried further (events appended).
    pub cases_extended: u64,
    pub cases_unchanged: u64,
    /// Existing cases whose history differs from the return's in a way that cannot be appended: left
    /// as they are, for a caseworker to reconcile (history is never rewritten).
    pub cases_differing: u64,
    pub placements_created: u64,
    pub placements_changed: u64,
    pub placements_unchanged: u64,
    /// The LA's SEN2 settings (designated officers in post) taken from the return's header, when the
    /// store held none for the LA; settings already held are never overwritten by an import.
    pub settings_recorded: Option<crate::LaSettings>,
}

impl Sen2ImportReport {
    /// Whether the import changed nothing at all.
    pub fn is_no_change(&self) -> bool {
        self.children_created
            + self.children_changed
            + self.cases_created
            + self.cases_extended
            + self.placements_created
            + self.placements_changed
            == 0
            && self.settings_recorded.is_none()
    }
}

/// An import in progress: one transaction holding the write lock. Commit with [`Sen2Import::commit`];
/// dropping it instead (for example after an error) writes nothing.
pub struct Sen2Import {
    tx: Transaction<'static, Sqlite>,
    actor: Actor,
    reason: String,
    now: String,
    pub report: Sen2ImportReport,
}

impl Sen2ImportWrite for Sen2Import {
    async fn settings_from_header(&mut self, settings: &crate::LaSettings) -> Result<()> {
        if !self.actor.scope.permits(settings.la) {
            return Err(StoreError::OutOfScope { la: settings.la });
        }
        let inserted = sqlx::query(
            "insert into la_settings (la, version, dmo, dco, dsco, software_code, serial_no, updated_at) values (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7) \
             on conflict (la) do nothing",
        )
        .bind(settings.la.to_string())
        .bind(settings.dmo.code())
        .bind(settings.dco.code())
        .bind(settings.dsco.code())
        .bind(settings.software_code.trim())
        .bind(&settings.serial_no)
        .bind(&self.now)
        .execute(&mut *self.tx)
        .await
        .map_err(db)?
        .rows_affected();
        if inserted > 0 {
            self.report.settings_recorded = Some(settings.clone());
        }
        Ok(())
    }

    async fn person(&mut self, p: Sen2ImportPerson) -> Result<ChildId> {
        self.person_in(p).await
    }

    async fn commit(self) -> Result<Sen2ImportReport> {
        self.commit_all().await
    }
}

impl SqliteStore {
    async fn begin_sen2_import_tx(&self, actor: &Actor, reason: &str) -> Result<Sen2Import> {
        let reason = check_request(actor, Some(reason))?;
        let tx = self.begin_write().await?;
        Ok(Sen2Import { tx, actor: actor.clone(), reason, now: self.now(), report: Sen2ImportReport::default() })
    }
}

async fn find_child(conn: &mut SqliteConnection, actor: &Actor, p: &NewChild) -> Result<Option<Versioned<Child>>> {
    let scope = scope_la(actor);
    let mut candidates: Vec<(String, String)> = Vec::new();
    if let Some(upn) = &p.upn {
        candidates.push(("upn = ?1".into(), upn.to_string()));
    }
    if let Some(uln) = &p.uln {
        candidates.push(("uln = ?1".into(), uln.to_string()));
    }
    for (cond, value) in candidates {
        let sql = format!(
            "select child_id, version, data from child where {cond} and (?2 is null or la = ?2) order by created_at, rowid limit 1"
        );
        if let Some(row) = sqlx::query(&sql).bind(value).bind(&scope).fetch_optional(&mut *conn).await.map_err(db)? {
            let id: ChildId = parse_col(&row, "child_id", "child id")?;
            return Ok(Some(Versioned { value: child_json(&col::<String>(&row, "data")?, id)?, version: col(&row, "version")? }));
        }
    }
    // No identifier matched: the same names and date of birth (and no conflicting UPN).
    let rows = sqlx::query(
        "select child_id, version, data from child where json_extract(data, '$.date_of_birth') = ?1 \
         and json_extract(data, '$.name.surname') = ?2 collate nocase and json_extract(data, '$.name.forename') = ?3 collate nocase \
         and (?4 is null or la = ?4) order by created_at, rowid",
    )
    .bind(p.date_of_birth.to_string())
    .bind(p.name.surname())
    .bind(p.name.forename())
    .bind(&scope)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    for row in rows {
        let id: ChildId = parse_col(&row, "child_id", "child id")?;
        let child = child_json(&col::<String>(&row, "data")?, id)?;
        let upn_conflict = matches!((&child.upn, &p.upn), (Some(a), Some(b)) if a != b);
        let uln_conflict = matches!((&child.uln, &p.uln), (Some(a), Some(b)) if a != b);
        if !upn_conflict && !uln_conflict {
            return Ok(Some(Versioned { value: child, version: col(&row, "version")? }));
        }
    }
    Ok(None)
}

impl Sen2Import {
    async fn audit(&mut self, action: AuditAction, subject: &'static str, la: LaCode, child: ChildId, case: Option<CaseId>) -> Result<()> {
        let audit = Audit { action, subject, la: Some(la), child: Some(child), case, actor: &self.actor };
        write_audit(&mut self.tx, &self.now, audit).await
    }

    async fn person_in(&mut self, p: Sen2ImportPerson) -> Result<ChildId> {
        let la = p.child.responsible_la;
        if !self.actor.scope.permits(la) {
            return Err(StoreError::OutOfScope { la });
        }
        let existing = find_child(&mut self.tx, &self.actor, &p.child).await?;
        let (mut child, version) = match &existing {
            Some(v) => {
                let mut c = v.value.clone();
                c.name = p.child.name.clone();
                c.date_of_birth = p.child.date_of_birth;
                c.sex = p.child.sex;
                c.ethnicity = p.child.ethnicity;
                c.postcode = p.child.postcode.clone();
                c.upn = p.child.upn.clone().or(c.upn);
                c.uln = p.child.uln.clone().or(c.uln);
                c.responsible_la = la;
                (c, Some(v.version))
            }
            None => (Child::new(ChildId::from_uuid(Uuid::new_v4()), p.child.clone(), p.age_checked_on)?, None),
        };
        if let Some(n) = &p.needs {
            let holds = child.sen_status_on(n.as_on) == SenStatus::EhcPlan && child.needs_on(n.as_on) == n.needs;
            if !holds {
                let from = match child.sen_history().last() {
                    Some(last) if last.from >= n.from => add_days(last.from, 1),
                    _ => n.from,
                };
                child.record_sen_status(from, SenStatus::EhcPlan, n.needs.clone())?;
            }
        }
        let id = child.id;
        let data = to_json(&child, "child")?;
        let ids = [
            child.upn.as_ref().map(ToString::to_string),
            child.uln.as_ref().map(ToString::to_string),
            child.nhs_number.as_ref().map(ToString::to_string),
        ];
        match (existing.as_ref(), version) {
            (None, _) => {
                sqlx::query(
                    "insert into child (child_id, la, version, data, upn, uln, nhs_number, created_at, updated_at) values (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?7)",
                )
                .bind(id.to_string())
                .bind(la.to_string())
                .bind(&data)
                .bind(&ids[0])
                .bind(&ids[1])
                .bind(&ids[2])
                .bind(&self.now)
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
                self.child_history(id, 1, &data).await?;
                self.audit(AuditAction::Create, "child", la, id, None).await?;
                self.report.children_created += 1;
            }
            (Some(v), Some(version)) if v.value != child => {
                sqlx::query("update child set version = ?, la = ?, data = ?, upn = ?, uln = ?, nhs_number = ?, updated_at = ? where child_id = ? and version = ?")
                    .bind(version + 1)
                    .bind(la.to_string())
                    .bind(&data)
                    .bind(&ids[0])
                    .bind(&ids[1])
                    .bind(&ids[2])
                    .bind(&self.now)
                    .bind(id.to_string())
                    .bind(version)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                self.child_history(id, version + 1, &data).await?;
                self.audit(AuditAction::Update, "child", la, id, None).await?;
                self.report.children_changed += 1;
            }
            _ => {
                self.audit(AuditAction::Read, "sen2_import", la, id, None).await?;
                self.report.children_unchanged += 1;
            }
        }
        self.upn_unknown(id, p.upn_unknown.as_deref(), existing.is_none()).await?;
        self.cases(id, la, p.cases, existing.is_none()).await?;
        self.placements(id, la, p.placements, existing.is_none()).await?;
        Ok(id)
    }

    async fn child_history(&mut self, id: ChildId, version: i64, data: &str) -> Result<()> {
        sqlx::query("insert into child_history (child_id, version, data, recorded_at, actor, reason) values (?, ?, ?, ?, ?, ?)")
            .bind(id.to_string())
            .bind(version)
            .bind(data)
            .bind(&self.now)
            .bind(self.actor.label.trim())
            .bind(&self.reason)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn upn_unknown(&mut self, id: ChildId, code: Option<&str>, new: bool) -> Result<()> {
        let current: Option<Option<String>> = if new {
            None
        } else {
            sqlx::query_scalar("select upn_unknown from sen2_person where child_id = ?")
                .bind(id.to_string())
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(db)?
        };
        if current.flatten().as_deref() == code || (code.is_none() && new) {
            return Ok(());
        }
        sqlx::query(
            "insert into sen2_person (child_id, upn_unknown, updated_at) values (?1, ?2, ?3) \
             on conflict (child_id) do update set upn_unknown = ?2, updated_at = ?3",
        )
        .bind(id.to_string())
        .bind(code)
        .bind(&self.now)
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn cases(&mut self, child: ChildId, la: LaCode, cases: Vec<Vec<CaseEvent>>, new: bool) -> Result<()> {
        let mut existing: Vec<(CaseId, Vec<CaseEvent>)> = Vec::new();
        if !new {
            let rows = sqlx::query(
                "select c.case_id, e.event from ehc_case c join case_event e on e.case_id = c.case_id where c.child_id = ? order by c.created_at, c.rowid, e.seq",
            )
            .bind(child.to_string())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
            for row in rows {
                let id: CaseId = parse_col(&row, "case_id", "case id")?;
                let event: CaseEvent =
                    serde_json::from_str(&col::<String>(&row, "event")?).map_err(|e| StoreError::Corrupt(format!("case {id}: {e}")))?;
                match existing.last_mut() {
                    Some((last, events)) if *last == id => events.push(event),
                    _ => existing.push((id, vec![event])),
                }
            }
        }
        // Which stored case each of the return's cases is, and what to do with it, is the domain's
        // rule ([`reconcile`]); this writes what it decides.
        for fit in reconcile(child, &existing, cases) {
            match fit {
                CaseFit::Unchanged(_) => self.report.cases_unchanged += 1,
                CaseFit::Extend { id, events, from } => {
                    let case = Case::replay(id, child, &events)?;
                    let version = i64::try_from(events.len()).unwrap_or(i64::MAX);
                    sqlx::query("update ehc_case set version = ?, stage = ?, updated_at = ? where case_id = ?")
                        .bind(version)
                        .bind(case.stage().name())
                        .bind(&self.now)
                        .bind(id.to_string())
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    for (seq, e) in (from as i64 + 1..).zip(&events[from..]) {
                        self.event(id, seq, e).await?;
                    }
                    self.audit(AuditAction::Update, "case", la, child, Some(id)).await?;
                    self.report.cases_extended += 1;
                }
                CaseFit::Differs(_) => self.report.cases_differing += 1,
                CaseFit::New(events) => {
                    let id = CaseId::from_uuid(Uuid::new_v4());
                    let case = Case::replay(id, child, &events)?;
                    sqlx::query(
                        "insert into ehc_case (case_id, child_id, la, version, stage, created_at, updated_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                    )
                    .bind(id.to_string())
                    .bind(child.to_string())
                    .bind(la.to_string())
                    .bind(i64::try_from(events.len()).unwrap_or(i64::MAX))
                    .bind(case.stage().name())
                    .bind(&self.now)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    for (seq, e) in (1..).zip(&events) {
                        self.event(id, seq, e).await?;
                    }
                    self.audit(AuditAction::Create, "case", la, child, Some(id)).await?;
                    self.report.cases_created += 1;
                }
            }
        }
        Ok(())
    }

    async fn event(&mut self, case: CaseId, seq: i64, e: &CaseEvent) -> Result<()> {
        sqlx::query(
            "insert into case_event (case_id, seq, occurred_on, kind, event, recorded_at, actor, reason) values (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(case.to_string())
        .bind(seq)
        .bind(e.date.to_string())
        .bind(e.type_name())
        .bind(to_json(e, "case event")?)
        .bind(&self.now)
        .bind(self.actor.label.trim())
        .bind(&self.reason)
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn placements(&mut self, child: ChildId, la: LaCode, placements: Vec<(Placement, Option<String>)>, new: bool) -> Result<()> {
        let mut existing: Vec<(Uuid, i64, Placement, Option<String>)> = Vec::new();
        if !new {
            let rows = sqlx::query(
                "select p.placement_id, p.version, p.data, s.setting_other from placement p left join sen2_placement s on s.placement_id = p.placement_id \
                 where p.child_id = ?",
            )
            .bind(child.to_string())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
            for row in rows {
                let data: String = col(&row, "data")?;
                let pl: Placement = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("placement: {e}")))?;
                existing.push((parse_col(&row, "placement_id", "placement id")?, col(&row, "version")?, pl, col(&row, "setting_other")?));
            }
        }
        for (pl, other) in placements {
            pl.check().map_err(|e| StoreError::Invalid(e.to_string()))?;
            let data = to_json(&pl, "placement")?;
            let found = existing.iter().find(|(_, _, e, _)| e.setting == pl.setting && e.entry == pl.entry && e.rank == pl.rank);
            let (id, version) = match found {
                Some((_, _, e, o)) if *e == pl && *o == other => {
                    self.report.placements_unchanged += 1;
                    continue;
                }
                Some((id, version, _, _)) => {
                    let (id, version) = (*id, *version + 1);
                    sqlx::query("update placement set version = ?, leaving_date = ?, data = ?, updated_at = ? where placement_id = ?")
                        .bind(version)
                        .bind(pl.leaving.map(|d| d.to_string()))
                        .bind(&data)
                        .bind(&self.now)
                        .bind(id.to_string())
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    self.audit(AuditAction::Update, "placement", la, child, None).await?;
                    self.report.placements_changed += 1;
                    (id, version)
                }
                None => {
                    let id = Uuid::new_v4();
                    sqlx::query(
                        "insert into placement (placement_id, child_id, la, version, setting_key, entry_date, leaving_date, data, created_at, updated_at) \
                         values (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8, ?8)",
                    )
                    .bind(id.to_string())
                    .bind(child.to_string())
                    .bind(la.to_string())
                    .bind(setting_key(&pl.setting))
                    .bind(pl.entry.to_string())
                    .bind(pl.leaving.map(|d| d.to_string()))
                    .bind(&data)
                    .bind(&self.now)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    self.audit(AuditAction::Create, "placement", la, child, None).await?;
                    self.report.placements_created += 1;
                    (id, 1)
                }
            };
            sqlx::query(
                "insert into placement_history (placement_id, version, data, recorded_at, actor, reason) values (?, ?, ?, ?, ?, ?)",
            )
            .bind(id.to_string())
            .bind(version)
            .bind(&data)
            .bind(&self.now)
            .bind(self.actor.label.trim())
            .bind(&self.reason)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
            sqlx::query(
                "insert into sen2_placement (placement_id, setting_other, updated_at) values (?1, ?2, ?3) \
                 on conflict (placement_id) do update set setting_other = ?2, updated_at = ?3",
            )
            .bind(id.to_string())
            .bind(other.as_deref())
            .bind(&self.now)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        }
        Ok(())
    }

    async fn commit_all(self) -> Result<Sen2ImportReport> {
        self.tx.commit().await.map_err(db)?;
        tracing::info!(
            children_created = self.report.children_created,
            children_changed = self.report.children_changed,
            cases_created = self.report.cases_created,
            "SEN2 return imported"
        );
        Ok(self.report)
    }
}
