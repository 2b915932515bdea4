//! A local authority's settings for its statutory returns: who is in post as Designated Medical Officer,
//! Designated Clinical Officer and Designated Social Care Officer on census day (the SEN2 header's DMO,
//! DCO and DSCO: Y, N or R for recruitment in progress), the software code and the return's serial
//! number. Scoped by LA; every change is versioned, with who, when and why in an append-only history.

use crate::sqlite::{check_request, col, db, scope_la, to_json};
use crate::versioned::{write_versioned, Expect, Val, VersionedWrite};
use crate::{Actor, Result, SqliteStore, StoreError, Versioned};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::future::Future;
use std::str::FromStr;
use waymark_domain::identifiers::LaCode;

/// Whether a designated officer is in post on census day (SEN2 header DMO/DCO/DSCO).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InPost {
    #[serde(rename = "Y")]
    Yes,
    #[serde(rename = "N")]
    No,
    /// R: recruitment in progress.
    #[serde(rename = "R")]
    Recruiting,
}

impl InPost {
    pub fn code(self) -> &'static str {
        match self {
            Self::Yes => "Y",
            Self::No => "N",
            Self::Recruiting => "R",
        }
    }
}

impl fmt::Display for InPost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for InPost {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "Y" => Ok(Self::Yes),
            "N" => Ok(Self::No),
            "R" => Ok(Self::Recruiting),
            _ => Err(format!("'{s}' is not Y (in post), N (not in post) or R (recruitment in progress)")),
        }
    }
}

/// One LA's return settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaSettings {
    pub la: LaCode,
    pub dmo: InPost,
    pub dco: InPost,
    pub dsco: InPost,
    /// The SEN2 header's SoftwareCode (supplier and product).
    pub software_code: String,
    /// The SEN2 header's SerialNo: three digits, e.g. `001`.
    pub serial_no: String,
}

impl LaSettings {
    /// The software code Waymark writes unless an LA sets its own.
    pub const DEFAULT_SOFTWARE_CODE: &'static str = "WAYMARK";

    fn check(&self) -> Result<()> {
        if self.serial_no.len() != 3 || !self.serial_no.bytes().all(|b| b.is_ascii_digit()) {
            return Err(StoreError::Invalid(format!("the serial number '{}' must be exactly 3 digits, e.g. 001", self.serial_no)));
        }
        let code = self.software_code.trim();
        if code.is_empty() || code.len() > 100 || code.chars().any(char::is_control) {
            return Err(StoreError::Invalid("the software code must be 1 to 100 characters on one line".into()));
        }
        Ok(())
    }
}

/// Return settings storage, beside [`crate::Store`].
pub trait LaSettingsStore: Send + Sync {
    /// The LA's settings, or `None` if none have been saved.
    fn la_settings(&self, actor: &Actor, la: LaCode) -> impl Future<Output = Result<Option<Versioned<LaSettings>>>> + Send;

    /// Save the LA's settings. `expected_version` is `None` to create them, else the version they were
    /// loaded at (a stale one is a [`StoreError::Conflict`] and nothing is written).
    fn set_la_settings(
        &self,
        actor: &Actor,
        settings: &LaSettings,
        expected_version: Option<i64>,
        reason: &str,
    ) -> impl Future<Output = Result<Versioned<LaSettings>>> + Send;
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Versioned<LaSettings>> {
    let parse = |name: &str| -> Result<InPost> {
        let v: String = col(row, name)?;
        v.parse().map_err(StoreError::Corrupt)
    };
    let la: String = col(row, "la")?;
    Ok(Versioned {
        value: LaSettings {
            la: la.parse().map_err(|_| StoreError::Corrupt(format!("'{la}' is not an LA code")))?,
            dmo: parse("dmo")?,
            dco: parse("dco")?,
            dsco: parse("dsco")?,
            software_code: col(row, "software_code")?,
            serial_no: col(row, "serial_no")?,
        },
        version: col(row, "version")?,
    })
}

impl LaSettingsStore for SqliteStore {
    async fn la_settings(&self, actor: &Actor, la: LaCode) -> Result<Option<Versioned<LaSettings>>> {
        check_request(actor, None)?;
        if !actor.scope.permits(la) {
            return Ok(None);
        }
        let row = sqlx::query("select * from la_settings where la = ?1 and (?2 is null or la = ?2)")
            .bind(la.to_string())
            .bind(scope_la(actor))
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(from_row).transpose()
    }

    async fn set_la_settings(
        &self,
        actor: &Actor,
        settings: &LaSettings,
        expected_version: Option<i64>,
        reason: &str,
    ) -> Result<Versioned<LaSettings>> {
        let reason = check_request(actor, Some(reason))?;
        if !actor.scope.permits(settings.la) {
            return Err(StoreError::OutOfScope { la: settings.la });
        }
        settings.check()?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let la = settings.la.to_string();
        let data = to_json(settings, "LA settings")?;
        let write = VersionedWrite {
            table: "la_settings",
            history: "la_settings_history",
            what: "LA settings",
            id: la.clone(),
            key: vec![("la", Val::Text(&la))],
            columns: vec![
                ("dmo", Val::Text(settings.dmo.code())),
                ("dco", Val::Text(settings.dco.code())),
                ("dsco", Val::Text(settings.dsco.code())),
                ("software_code", Val::Text(settings.software_code.trim())),
                ("serial_no", Val::Text(&settings.serial_no)),
            ],
            history_columns: vec![("data", Val::Text(&data))],
            created: &[],
            expect: Expect::Version(expected_version),
            skip_unchanged: false,
            absent_is_unchanged: false,
            audit: None,
        };
        let version = write_versioned(&mut tx, write, &now, actor, &reason).await?.unwrap_or_default();
        tx.commit().await.map_err(db)?;
        tracing::info!(la = %settings.la, version, "LA return settings saved");
        Ok(Versioned { value: settings.clone(), version })
    }
}
