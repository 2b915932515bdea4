//! The SEN2 return's check (`/sen2` and its CSV), kept per LA scope, LA, collection year and day until
//! the data or the return's header settings change. The check reads every child of the LA and runs
//! every rule (seconds at a large area); views with nothing changed reuse its findings. The store's data
//! generation (raised by a trigger on every change to a child, case, placement or a return's own
//! items, from any process) says when the findings are stale; the header's settings (DMO, DCO, DSCO,
//! software code, serial number) are read on each view and compared, since they are not counted in
//! the generation. Each view is still audited as one check of the LA's return (`sen2_check`).

use crate::error::AppError;
use crate::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use waymark_domain::calendar::Date;
use waymark_domain::identifiers::LaCode;
use waymark_sen2::{Collection, Finding};
use waymark_storage::{Actor, CaseloadStore, LaSettingsStore, Sen2Store};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    scope: String,
    la: LaCode,
    year: i32,
    today: Date,
}

struct Entry {
    generation: i64,
    /// The header settings as they were (`None`: none set), compared whole.
    settings: Option<String>,
    findings: Arc<Vec<Finding>>,
}

#[derive(Default)]
pub struct Sen2Checks {
    entries: Mutex<HashMap<Key, Entry>>,
    /// Held while a check runs, so a burst of views after a change checks once.
    checking: tokio::sync::Mutex<()>,
    /// How many times the return was checked (not reused).
    checks: std::sync::atomic::AtomicU64,
}

impl Sen2Checks {
    /// The findings of `la`'s return for collection `c`, checked again only when the data, the header
    /// settings or the day changed. Audited as one `sen2_check` per call.
    pub async fn get(&self, state: &AppState, actor: &Actor, la: LaCode, c: Collection) -> Result<Arc<Vec<Finding>>, AppError> {
        let key = Key { scope: format!("{:?}", actor.scope), la, year: c.year, today: state.clock.today() };
        if let Some(found) = self.current(state, actor, &key).await? {
            return Ok(found);
        }
        let _checking = self.checking.lock().await;
        if let Some(found) = self.current(state, actor, &key).await? {
            return Ok(found);
        }
        // Where the data stands before the check reads it: a change made meanwhile is checked next time.
        let generation = state.store.data_generation().await?;
        let settings = settings_print(state, actor, la).await?;
        self.checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let findings = Arc::new(waymark_application::sen2::check(&state.store, actor, la, c).await.map_err(|e| match e {
            waymark_application::sen2::Sen2StoreError::Store(s) => AppError::from(s),
            other => AppError::Internal(format!("sen2 check: {other}")),
        })?);
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).insert(key, Entry { generation, settings, findings: findings.clone() });
        Ok(findings)
    }

    /// The findings held for `key` if the data and the settings are as they were; audited as a check.
    async fn current(&self, state: &AppState, actor: &Actor, key: &Key) -> Result<Option<Arc<Vec<Finding>>>, AppError> {
        let generation = state.store.data_generation().await?;
        let settings = settings_print(state, actor, key.la).await?;
        let found = {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            entries.get(key).filter(|e| e.generation == generation && e.settings == settings).map(|e| e.findings.clone())
        };
        if found.is_some() {
            state.store.sen2_audit_check(actor, key.la).await?;
        }
        Ok(found)
    }

    /// How many times a return was checked since the server started: reused findings do not count.
    pub fn checks(&self) -> u64 {
        self.checks.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The LA's header settings, whole, as text to compare (with their version, so any save counts).
async fn settings_print(state: &AppState, actor: &Actor, la: LaCode) -> Result<Option<String>, AppError> {
    Ok(state.store.la_settings(actor, la).await?.map(|s| format!("{s:?}")))
}
