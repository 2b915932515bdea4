//! Deriving witan.send's four inputs from a store's records: each child's place at each January census
//! (national curriculum year, and with an EHC plan in force, primary need and setting), the general
//! population by age, and a cost table. The caller (the CLI, the web) reads the store; this module is
//! pure. The four files are produced as text and read back through [`Inputs::parse`], so derived inputs
//! pass the same checks as imported ones and can be exported for witan.send itself.

use crate::inputs::{InputTexts, Inputs, MAX_NCY, MIN_NCY};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A child's place at one January census. `place` is (need code, setting code) when a plan was in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CensusState {
    pub person: u32,
    pub year: i32,
    pub ncy: i32,
    pub place: Option<(String, String)>,
}

/// The general population of one single year of age in one calendar year (both sexes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PopulationRow {
    pub year: i32,
    pub age: i32,
    pub count: u64,
}

/// What the derivation knows of a setting code: its group and the NCYs it usually takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingInfo {
    pub code: String,
    pub group: String,
    pub min_ncy: i32,
    pub max_ncy: i32,
}

/// The derived inputs, their text (for export), and notes on assumptions made for this data.
#[derive(Debug, Clone)]
pub struct Derived {
    pub inputs: Inputs,
    pub texts: [(&'static str, String); 4],
    pub notes: Vec<String>,
    /// The first and last years of general population the store holds.
    pub population_years: (i32, i32),
    /// Years whose population was taken from the nearest year held.
    pub population_filled: Vec<i32>,
}

/// NCY from age: a child aged 5 on 31 August starts Year 1, so NCY = age - 5. Population figures are
/// mid-year ages, taken as ages on 31 August. [U] ONS mid-year estimates are at 30 June; a child born in
/// July or August is counted a year older here than in school.
pub fn ncy_of_age(age: i32) -> i32 {
    age - 5
}

/// Derive the inputs. `costs` is (need, setting, cost) per child per year; a setting without a row for
/// a need uses the setting's `*` row if given. `years_ahead` is how many calendar years after the last
/// census the population must cover (the latest year's population by age is carried forward where the
/// store has no projection, and said so in the notes).
pub fn derive(
    states: &[CensusState],
    population: &[PopulationRow],
    settings: &[SettingInfo],
    costs: &[(String, String, f64)],
    years_ahead: usize,
) -> Result<Derived, String> {
    let mut notes = Vec::new();
    // Each child's states by year.
    let mut by_person: BTreeMap<u32, BTreeMap<i32, &CensusState>> = BTreeMap::new();
    for s in states {
        by_person.entry(s.person).or_default().insert(s.year, s);
    }
    let mut transitions = Vec::new();
    let mut observed_range: HashMap<String, (i32, i32)> = HashMap::new();
    let mut needs: BTreeSet<String> = BTreeSet::new();
    let mut used_settings: BTreeSet<String> = BTreeSet::new();
    for s in states {
        if let Some((n, st)) = &s.place {
            needs.insert(n.clone());
            used_settings.insert(st.clone());
            let e = observed_range.entry(st.clone()).or_insert((s.ncy, s.ncy));
            e.0 = e.0.min(s.ncy);
            e.1 = e.1.max(s.ncy);
        }
    }
    for years in by_person.values() {
        for (y, a) in years {
            let Some(b) = years.get(&(y + 1)) else { continue };
            if a.place.is_none() && b.place.is_none() {
                continue;
            }
            let (ay1, ay2) = (a.ncy, a.ncy + 1);
            if !(MIN_NCY as i32..MAX_NCY as i32).contains(&ay1) {
                continue;
            }
            let (s1, n1) = a.place.as_ref().map(|(n, s)| (s.as_str(), n.as_str())).unwrap_or(("NONSEND", "NONSEND"));
            let (s2, n2) = b.place.as_ref().map(|(n, s)| (s.as_str(), n.as_str())).unwrap_or(("NONSEND", "NONSEND"));
            transitions.push(format!("{y},{s1},{n1},{ay1},{s2},{n2},{ay2}\n"));
        }
    }
    if transitions.is_empty() {
        return Err(
            "the store holds no child with an EHC plan at two consecutive January censuses: there is nothing to estimate the model from"
                .into(),
        );
    }
    let census_years: BTreeSet<i32> = states.iter().map(|s| s.year).collect();
    let first = *census_years.iter().next().expect("states");
    let last = *census_years.iter().next_back().expect("states");

    // Valid states: each setting used, over its usual NCYs widened to every NCY observed in it.
    let info: HashMap<&str, &SettingInfo> = settings.iter().map(|s| (s.code.as_str(), s)).collect();
    let all_needs: Vec<&str> = needs.iter().map(String::as_str).collect();
    let all_settings: Vec<&str> = used_settings.iter().map(String::as_str).collect();
    let mut vs = String::from("setting,setting-group,min-academic-year,max-academic-year,needs,setting->setting\n");
    for s in &all_settings {
        let (omin, omax) = observed_range[*s];
        let (group, min, max) = match info.get(s) {
            Some(i) => (i.group.as_str(), i.min_ncy.min(omin), i.max_ncy.max(omax)),
            None => ("other", omin, omax),
        };
        vs.push_str(&format!("{s},{group},{min},{max},\"{}\",\"{}\"\n", all_needs.join(","), all_settings.join(",")));
    }

    // Population by NCY, every year from the first census to the horizon.
    let mut pop: BTreeMap<i32, BTreeMap<i32, u64>> = BTreeMap::new();
    for p in population {
        let ncy = ncy_of_age(p.age);
        if (MIN_NCY as i32..=MAX_NCY as i32).contains(&ncy) {
            *pop.entry(p.year).or_default().entry(ncy).or_default() += p.count;
        }
    }
    if pop.is_empty() {
        return Err("the store holds no general population for this LA (population by age): import it first".into());
    }
    // The general population can be no smaller than the children who joined from it (a population
    // carried from another year, or a sparse one at the youngest ages, can be): raised to that number.
    let mut joined: BTreeMap<(i32, i32), u64> = BTreeMap::new();
    for years in by_person.values() {
        for (y, a) in years {
            if let Some(b) = years.get(&(y + 1)) {
                if a.place.is_none() && b.place.is_some() {
                    *joined.entry((*y, a.ncy + 1)).or_default() += 1;
                }
            }
        }
    }
    let mut raised = BTreeSet::new();
    let horizon = last + years_ahead as i32;
    let (pfirst, plast) = (*pop.keys().next().expect("pop"), *pop.keys().next_back().expect("pop"));
    let mut pop_text = String::from("calendar-year,academic-year,population\n");
    let mut filled = Vec::new();
    for y in first.min(pfirst)..=horizon.max(plast) {
        let src = if pop.contains_key(&y) {
            y
        } else if y < pfirst {
            pfirst
        } else if y > plast {
            plast
        } else {
            // A gap inside the range: the nearest earlier year.
            *pop.range(..y).next_back().expect("earlier").0
        };
        if src != y {
            filled.push(y);
        }
        let mut row = pop[&src].clone();
        for ((_, ncy), j) in joined.range((y, i32::MIN)..=(y, i32::MAX)) {
            let n = row.entry(*ncy).or_default();
            if *n < *j {
                *n = *j;
                raised.insert(*ncy);
            }
        }
        for (ncy, n) in &row {
            pop_text.push_str(&format!("{y},{ncy},{n}\n"));
        }
    }
    if !filled.is_empty() {
        // [U] No population projection is held: the nearest year's figures by age stand in.
        notes.push(format!(
            "The store has general population for {pfirst} to {plast}; for {} the nearest year's figures by age were used.",
            filled.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
        ));
    }

    if !raised.is_empty() {
        notes.push(format!(
            "At academic year {} the general population held was smaller than the children who joined plans from it in some years; it was raised to their number.",
            raised.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
        ));
    }

    // Costs.
    let mut table: HashMap<(&str, &str), f64> = HashMap::new();
    for (n, s, c) in costs {
        table.insert((n.as_str(), s.as_str()), *c);
    }
    let mut cost_text = String::from("need,setting,cost\n");
    let mut missing = BTreeSet::new();
    for s in &all_settings {
        for n in &all_needs {
            match table.get(&(*n, *s)).or_else(|| table.get(&("*", *s))) {
                Some(c) => cost_text.push_str(&format!("{n},{s},{c}\n")),
                None => {
                    missing.insert(*s);
                }
            }
        }
    }
    if !missing.is_empty() {
        notes.push(format!(
            "No cost for the settings {}: their children are costed at 0.",
            missing.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }

    let mut tr = String::from("calendar-year,setting-1,need-1,academic-year-1,setting-2,need-2,academic-year-2\n");
    for t in &transitions {
        tr.push_str(t);
    }
    let inputs = Inputs::parse(&InputTexts { transitions: &tr, population: &pop_text, valid_states: &vs, costs: &cost_text })
        .map_err(|e| format!("derived inputs: {e}"))?;
    let texts = [
        (crate::inputs::TRANSITIONS_FILE, tr),
        (crate::inputs::POPULATION_FILE, pop_text),
        (crate::inputs::VALID_STATES_FILE, vs),
        (crate::inputs::COSTS_FILE, cost_text),
    ];
    Ok(Derived { inputs, texts, notes, population_years: (pfirst, plast), population_filled: filled })
}

/// The setting codes derived from the store, with the NCYs each usually takes. [U] These ranges are
/// Waymark's assumptions (nursery to Year 13 in mainstream, to Year 14 (age 19) in special schools, to
/// age 25 in further education); observed children outside them widen them.
pub fn setting_infos() -> Vec<SettingInfo> {
    let s =
        |code: &str, group: &str, min: i32, max: i32| SettingInfo { code: code.into(), group: group.into(), min_ncy: min, max_ncy: max };
    vec![
        s("early_years", "early_years", -4, 0),
        s("mainstream", "mainstream", -1, 13),
        s("mainstream_resourced", "mainstream", -1, 13),
        s("independent_mainstream", "mainstream", -1, 13),
        s("special", "special", -1, 14),
        s("independent_special", "special", -1, 14),
        s("non_maintained_special", "special", -1, 14),
        s("alternative_provision", "other", 1, 13),
        s("further_education", "post16", 12, 20),
        s("elective_home_education", "other", 1, 13),
        s("neet", "post16", 12, 20),
        s("other_arrangements", "other", -4, 20),
        s("other", "other", -4, 20),
        s("unknown", "other", -4, 20),
    ]
}

/// The default cost per child per year by setting. [U] Illustrative figures, not published statistics:
/// replace them with the LA's own table (`--costs`, or the forecast page's cost table).
pub const DEFAULT_COSTS: [(&str, f64); 14] = [
    ("early_years", 6_000.0),
    ("mainstream", 9_000.0),
    ("mainstream_resourced", 15_000.0),
    ("independent_mainstream", 25_000.0),
    ("special", 25_000.0),
    ("independent_special", 60_000.0),
    ("non_maintained_special", 50_000.0),
    ("alternative_provision", 20_000.0),
    ("further_education", 10_000.0),
    ("elective_home_education", 2_000.0),
    ("neet", 1_000.0),
    ("other_arrangements", 10_000.0),
    ("other", 10_000.0),
    ("unknown", 0.0),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn st(person: u32, year: i32, ncy: i32, place: Option<(&str, &str)>) -> CensusState {
        CensusState { person, year, ncy, place: place.map(|(n, s)| (n.to_string(), s.to_string())) }
    }

    #[test]
    fn transitions_joiners_leavers_and_movers_come_from_consecutive_censuses() {
        let states = vec![
            st(1, 2023, 3, Some(("ASD", "mainstream"))),
            st(1, 2024, 4, Some(("ASD", "special"))),
            st(2, 2023, 5, None),
            st(2, 2024, 6, Some(("SEMH", "mainstream"))),
            st(3, 2023, 7, Some(("SEMH", "mainstream"))),
            st(3, 2024, 8, None),
            st(4, 2023, 1, None),
            st(4, 2024, 2, None),
        ];
        let population: Vec<PopulationRow> = (0..20).map(|age| PopulationRow { year: 2023, age, count: 1000 }).collect();
        let settings = vec![SettingInfo { code: "special".into(), group: "special".into(), min_ncy: -1, max_ncy: 14 }];
        let costs = vec![("*".to_string(), "special".to_string(), 25000.0)];
        let d = derive(&states, &population, &settings, &costs, 3).unwrap();
        let tr = &d.texts[0].1;
        assert!(tr.contains("2023,mainstream,ASD,3,special,ASD,4\n"));
        assert!(tr.contains("2023,NONSEND,NONSEND,5,mainstream,SEMH,6\n"));
        assert!(tr.contains("2023,mainstream,SEMH,7,NONSEND,NONSEND,8\n"));
        assert_eq!(tr.lines().count(), 4, "{tr}");
        // Special's usual range; mainstream's observed range only.
        assert!(d.texts[2].1.contains("special,special,-1,14,"));
        assert!(d.texts[2].1.contains("mainstream,other,3,7,"));
        // Population carried forward to 2027 and said so; age 5 is NCY 0.
        assert!(d.texts[1].1.contains("2027,0,1000\n"));
        assert!(d.notes.iter().any(|n| n.contains("2024, 2025, 2026, 2027")));
        assert!(d.texts[3].1.contains("ASD,special,25000\n"));
        assert!(d.notes.iter().any(|n| n.contains("No cost for the settings mainstream")));
        assert_eq!(d.inputs.transitions.len(), 3);
    }

    #[test]
    fn a_population_smaller_than_its_joiners_is_raised_to_them_and_said_so() {
        let states = vec![
            st(1, 2023, -4, None),
            st(1, 2024, -3, Some(("PD", "early_years"))),
            st(2, 2023, -4, None),
            st(2, 2024, -3, Some(("PD", "early_years"))),
        ];
        let population = vec![PopulationRow { year: 2023, age: 2, count: 1 }];
        let d = derive(&states, &population, &setting_infos(), &[], 1).unwrap();
        assert!(d.texts[1].1.contains("2023,-3,2\n"), "{}", d.texts[1].1);
        assert!(d.notes.iter().any(|n| n.contains("academic year -3")));
        crate::Model::estimate(&d.inputs).unwrap();
    }

    #[test]
    fn no_plans_or_no_population_is_a_clear_error() {
        let e = derive(&[st(1, 2023, 3, None)], &[], &[], &[], 1).unwrap_err();
        assert!(e.contains("no child with an EHC plan"));
        let states = vec![st(1, 2023, 3, Some(("ASD", "special"))), st(1, 2024, 4, Some(("ASD", "special")))];
        let e = derive(&states, &[], &[], &[], 1).unwrap_err();
        assert!(e.contains("no general population"));
    }
}
