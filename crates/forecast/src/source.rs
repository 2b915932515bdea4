//! Each child's place at each January census, from the indicators' person table (feature
//! `person-table`): the bridge between the store's records and [`crate::derive`]. The caller reads the
//! table from the store (one scoped, audited aggregate read); this module only looks at it.

use crate::derive::CensusState;
use std::collections::HashMap;
use waymark_domain::calendar::Date;
use waymark_domain::identifiers::LaCode;
use waymark_indicators::table::{age_at_start_of_academic_year, PersonTable, SettingKind};

/// Each person's place at each January census, from the indicators' person table, for one LA.
pub fn census_states(table: &PersonTable, la: LaCode, as_of: Date) -> Vec<CensusState> {
    use waymark_indicators::period::census_day;
    let Some(la_index) = table.las.iter().position(|l| *l == la) else { return Vec::new() };
    let mut cases: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, c) in table.cases.iter().enumerate() {
        cases.entry(c.person).or_default().push(i);
    }
    let first_plan = table.cases.iter().filter_map(|c| c.plan_start()).map(|d| chrono::Datelike::year(&d)).min();
    let Some(first_plan) = first_plan else { return Vec::new() };
    let last_year = chrono::Datelike::year(&as_of);
    let years: Vec<i32> = (first_plan.max(last_year - 15)..=last_year).filter(|y| census_day(*y) <= as_of).collect();
    let mut out = Vec::new();
    for (pi, p) in table.persons.iter().enumerate() {
        if p.la as usize != la_index {
            continue;
        }
        let Some(mine) = cases.get(&(pi as u32)) else { continue };
        for &y in &years {
            let d = census_day(y);
            let ncy = age_at_start_of_academic_year(p.birth_month, d) - 5;
            if !(-5..=25).contains(&ncy) {
                continue;
            }
            let has_plan = mine.iter().any(|c| table.cases[*c].plan_in_force(d));
            let place = has_plan.then(|| {
                let need = table.sen[p.sen.0 as usize..p.sen.1 as usize]
                    .iter()
                    .filter(|s| s.from <= d)
                    .filter_map(|s| s.need)
                    .next_back()
                    .map(|n| n.code().to_string())
                    .unwrap_or_else(|| "UNKNOWN".into());
                let setting = table.placements[p.placements.0 as usize..p.placements.1 as usize]
                    .iter()
                    .filter(|pl| pl.entry <= d && pl.leaving.is_none_or(|l| l > d))
                    .max_by_key(|pl| pl.entry)
                    .map(|pl| {
                        if pl.unit_or_rp && pl.kind == SettingKind::Mainstream {
                            "mainstream_resourced".to_string()
                        } else {
                            pl.kind.key().to_string()
                        }
                    })
                    .unwrap_or_else(|| SettingKind::Unknown.key().to_string());
                (need, setting)
            });
            out.push(CensusState { person: pi as u32, year: y, ncy, place });
        }
    }
    out
}
