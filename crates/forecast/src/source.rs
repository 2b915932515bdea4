//! Each child's place at each January census, from what the store's forecast read gives
//! ([`waymark_storage::ForecastStore::forecast_children`], feature `store`): the bridge between the
//! store's records and [`crate::derive`]. The caller reads the records (one scoped, audited read of only
//! the plan events, SEN histories and placements of one LA); this module only looks at them. The rules
//! are the indicators' (`waymark_indicators::table`): a plan is in force from its first final issue (or
//! the existing plan recorded) until it ceases or transfers out; the setting is the main placement in
//! force, by the settings' reference data.

use crate::derive::CensusState;
use waymark_domain::calendar::Date;
use waymark_domain::facts::reference::Setting;
use waymark_indicators::period::census_day;
use waymark_indicators::table::{age_at_start_of_academic_year, reference_lookup, SettingKind};
use waymark_storage::{ForecastChild, PlanEvent};

/// When one case's plan started and ended, as the indicators' `CaseRow::plan_start` and `plan_end`
/// decide: the first final plan issued, else the (last) existing plan recorded; the last cessation,
/// else the last transfer out.
fn plan_dates(events: &[(Date, PlanEvent)]) -> (Option<Date>, Option<Date>) {
    let last = |kind: PlanEvent| events.iter().rev().find(|(_, k)| *k == kind).map(|(d, _)| *d);
    let issued = events.iter().find(|(_, k)| *k == PlanEvent::FinalIssued).map(|(d, _)| *d);
    (issued.or(last(PlanEvent::ExistingPlan)), last(PlanEvent::Ceased).or(last(PlanEvent::TransferredOut)))
}

/// A plan is in force on `d` from its start until the day it ends (the indicators' `plan_in_force`).
fn in_force((start, end): (Option<Date>, Option<Date>), d: Date) -> bool {
    start.is_some_and(|s| s <= d) && end.is_none_or(|e| e > d)
}

/// Each child's place at each January census (SEN2's census day) up to `as_of`, for the children the
/// store's forecast read gave (one LA), over at most the last 15 years and from the year of the first
/// plan. `settings` is the settings' reference data (each URN's or UKPRN's kind).
pub fn census_states(children: &[ForecastChild], settings: &[Setting], as_of: Date) -> Vec<CensusState> {
    let lookup = reference_lookup(settings);
    let plans: Vec<Vec<(Option<Date>, Option<Date>)>> = children.iter().map(|c| c.cases.iter().map(|e| plan_dates(e)).collect()).collect();
    let first_plan = plans.iter().flatten().filter_map(|p| p.0).map(|d| chrono::Datelike::year(&d)).min();
    let Some(first_plan) = first_plan else { return Vec::new() };
    let last_year = chrono::Datelike::year(&as_of);
    let years: Vec<i32> = (first_plan.max(last_year - 15)..=last_year).filter(|y| census_day(*y) <= as_of).collect();
    let mut out = Vec::new();
    for (pi, (child, plans)) in children.iter().zip(&plans).enumerate() {
        // The main placements (rank 1) by entry date, each with its kind.
        let mut main: Vec<_> = child.placements.iter().filter(|p| p.rank == 1).collect();
        main.sort_by_key(|p| p.entry);
        let kinds: Vec<String> = main
            .iter()
            .map(|p| {
                let kind = lookup(&p.setting).0;
                if (p.sen_unit || p.resourced_provision) && kind == SettingKind::Mainstream {
                    "mainstream_resourced".to_string()
                } else {
                    kind.key().to_string()
                }
            })
            .collect();
        for &y in &years {
            let d = census_day(y);
            let ncy = age_at_start_of_academic_year(child.date_of_birth, d) - 5;
            if !(-5..=25).contains(&ncy) {
                continue;
            }
            let has_plan = plans.iter().any(|p| in_force(*p, d));
            let place = has_plan.then(|| {
                let need = child
                    .sen_history
                    .iter()
                    .filter(|s| s.from <= d)
                    .filter_map(|s| s.needs.primary())
                    .next_back()
                    .map(|n| n.code().to_string())
                    .unwrap_or_else(|| "UNKNOWN".into());
                let setting = main
                    .iter()
                    .zip(&kinds)
                    .filter(|(pl, _)| pl.entry <= d && pl.leaving.is_none_or(|l| l > d))
                    .max_by_key(|(pl, _)| pl.entry)
                    .map(|(_, k)| k.clone())
                    .unwrap_or_else(|| SettingKind::Unknown.key().to_string());
                (need, setting)
            });
            out.push(CensusState { person: pi as u32, year: y, ncy, place });
        }
    }
    out
}
