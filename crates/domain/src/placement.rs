//! Where a child or young person actually attends, over time (SEN2 module 5 PlacementDetail).

use crate::calendar::Date;
use crate::identifiers::{LaCode, SettingRef};
use crate::plan::{Residential, WorkBased};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub setting: SettingRef,
    /// 1 primary, 2 secondary (a dual-registered pupil has two at once).
    pub rank: u8,
    pub entry: Date,
    pub leaving: Option<Date>,
    #[serde(default)]
    pub sen_unit: bool,
    #[serde(default)]
    pub resourced_provision: bool,
    #[serde(default)]
    pub residential: Option<Residential>,
    #[serde(default)]
    pub work_based: Option<WorkBased>,
    /// The LA whose area the setting is in, where known; compared with the responsible LA to tell
    /// in-area from out-of-area placements.
    #[serde(default)]
    pub setting_la: Option<LaCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlacementError {
    #[error("the leaving date {leaving} is before the entry date {entry} (SEN2: EntryDate on or before LeavingDate)")]
    LeavesBeforeEntry { entry: Date, leaving: Date },
    #[error("placement rank must be 1 or 2, not {0}")]
    BadRank(u8),
}

impl Placement {
    pub fn check(&self) -> Result<(), PlacementError> {
        if let Some(leaving) = self.leaving {
            if leaving < self.entry {
                return Err(PlacementError::LeavesBeforeEntry { entry: self.entry, leaving });
            }
        }
        if !(1..=2).contains(&self.rank) {
            return Err(PlacementError::BadRank(self.rank));
        }
        Ok(())
    }

    /// Attending on `on`: entered on or before it and not yet left (the leaving day is the last day).
    pub fn attending_on(&self, on: Date) -> bool {
        self.entry <= on && self.leaving.is_none_or(|l| on <= l)
    }

    /// Whether the setting is outside the responsible LA's area; `None` when the setting's LA is unknown.
    pub fn out_of_area(&self, responsible: LaCode) -> Option<bool> {
        self.setting_la.map(|la| la != responsible)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_iso_date as d;

    fn placement() -> Placement {
        Placement {
            setting: SettingRef::Urn("123456".parse().unwrap()),
            rank: 1,
            entry: d("2025-09-03").unwrap(),
            leaving: Some(d("2026-07-22").unwrap()),
            sen_unit: false,
            resourced_provision: true,
            residential: None,
            work_based: None,
            setting_la: Some("852".parse().unwrap()),
        }
    }

    #[test]
    fn sen2_entry_date_on_or_before_leaving_date() {
        let mut p = placement();
        assert!(p.check().is_ok());
        p.leaving = Some(d("2025-09-02").unwrap());
        assert!(matches!(p.check(), Err(PlacementError::LeavesBeforeEntry { .. })));
    }

    #[test]
    fn attendance_includes_the_entry_and_leaving_days_and_knows_out_of_area() {
        let p = placement();
        assert!(p.attending_on(d("2025-09-03").unwrap()));
        assert!(p.attending_on(d("2026-07-22").unwrap()));
        assert!(!p.attending_on(d("2026-07-23").unwrap()));
        assert_eq!(p.out_of_area("851".parse().unwrap()), Some(true));
    }
}
