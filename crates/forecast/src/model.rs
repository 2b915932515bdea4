//! The model's parameters, estimated from observed movements as witan.send estimates them
//! (`witan.send.params`, `witan.send.states`, `witan.send.model.prepare` and `witan.send.model.run`):
//!
//! - **Leaving** (a Beta per NCY and state): for each NCY, a prior from all states at that NCY, the counts
//!   of leavers and stayers each plus 0.5, normalised to sum to 1; then per state, the prior plus that
//!   state's observed leavers (alpha) and stayers (beta).
//! - **Moving** (a Beta per NCY and state, only for settings whose `setting->setting` names more than one
//!   setting): the same, counting a change of setting (alpha) against no change (beta) among children who
//!   stay with a plan. A change of need in the same setting is not a move.
//! - **Where movers go** (a Dirichlet per NCY and state): a prior over the settings valid for the need at
//!   that NCY that the setting may move to, each weighted 1/k plus every observed move at that NCY into that
//!   setting (from any state), the current setting removed, normalised to sum to 1 and kept on the same
//!   need; plus the observed moves from that state to each need and setting.
//! - **Joining** (a Beta per NCY): observed joiners `j` and general population `p` of each calendar year
//!   with joiners, averaged over those years: alpha = sum j/n, beta = sum (p - j)/n. No prior.
//! - **Where joiners go** (a Dirichlet per NCY): 1/k for each of the k valid states at that NCY plus the
//!   observed joiners into each state.
//!
//! Each projected year, every cohort is aged one year; its leavers are drawn, then its movers among the
//! rest (if its setting can move at all), then their destinations; then joiners are drawn from the general
//! population of that calendar year for each NCY. A cohort in a state that `valid-states.csv` forbids has
//! no parameters: witan.send silently loses it; Waymark keeps the same arithmetic but reports it
//! (`dropped.csv`).

use crate::inputs::{Inputs, Place};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The NCYs the model follows (witan.send `constants/academic-years`, -4 to 21). A cohort past the last is
/// no longer carried forward; one that would be at or below the first leaves.
/// [U] witan.send's versions differ on this range (-4..21, -5..22, -5..25); the demo's valid states
/// (NCY -3 to 19) sit well inside all of them, so the demo's results do not depend on the choice.
pub const MIN_AY: i32 = -4;
pub const MAX_AY: i32 = 21;

/// Dense index range of NCYs in a population vector (the readers' range).
pub const NCY_LO: i32 = crate::inputs::MIN_NCY as i32;
pub const NCY_HI: i32 = crate::inputs::MAX_NCY as i32;
pub const NCY_COUNT: usize = (NCY_HI - NCY_LO + 1) as usize;

/// Parameters of a Beta distribution (a probability's uncertainty).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beta {
    pub alpha: f64,
    pub beta: f64,
}

impl Beta {
    pub fn mean(&self) -> f64 {
        let t = self.alpha + self.beta;
        if t > 0.0 {
            self.alpha / t
        } else {
            0.0
        }
    }
}

/// Parameters for a cohort at one NCY (before ageing) in one state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StateParams {
    pub leave: Option<Beta>,
    pub moving: Option<Beta>,
    /// Dirichlet alphas over destination (need, setting).
    pub destinations: Vec<((u16, u16), f64)>,
}

/// Parameters for joiners at one NCY.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinerParams {
    pub joining: Beta,
    pub destinations: Vec<((u16, u16), f64)>,
}

/// A problem that makes the inputs unusable for the model though each file reads well.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ModelError {
    pub file: String,
    pub message: String,
}

/// The estimated model: everything a projection needs.
#[derive(Debug, Clone)]
pub struct Model {
    pub needs: Vec<String>,
    pub settings: Vec<String>,
    /// Valid (NCY, need, setting) states, from `valid-states.csv`.
    pub valid: BTreeSet<(i32, u16, u16)>,
    /// Parameters by (NCY before ageing, need, setting), for every valid state.
    pub states: HashMap<(i32, u16, u16), StateParams>,
    pub joiners: BTreeMap<i32, JoinerParams>,
    /// Settings valid at each NCY (any need).
    pub year_settings: BTreeMap<i32, BTreeSet<u16>>,
    /// Settings each setting's children may move to.
    pub moves_to: Vec<Vec<u16>>,
    pub costs: HashMap<(u16, u16), f64>,
    /// The calendar year of the starting population (the last observed movements' year plus one).
    pub seed_year: i32,
    /// Children with plans at the seed year by (NCY, need, setting).
    pub initial: BTreeMap<(i32, u16, u16), u64>,
    pub population: BTreeMap<(i32, i32), u64>,
}

/// (NCY, need, setting)
type StateKey = (i32, u16, u16);

type Obs = BTreeMap<i32, HashMap<(u16, u16), (f64, f64)>>;

fn beta_prior(obs: &Obs) -> BTreeMap<i32, Beta> {
    obs.iter()
        .map(|(ay, states)| {
            let (a, b) = states.values().fold((0.0, 0.0), |(x, y), (a, b)| (x + a, y + b));
            let (a, b) = (a + 0.5, b + 0.5);
            let t = a + b;
            (*ay, Beta { alpha: a / t, beta: b / t })
        })
        .collect()
}

impl Model {
    /// Estimate the model from the inputs, using every observed movement.
    pub fn estimate(inputs: &Inputs) -> Result<Self, ModelError> {
        Self::estimate_from(inputs, &inputs.transitions)
    }

    /// Estimate the model from a chosen set of movements (a back-test holds the last years out).
    pub fn estimate_from(inputs: &Inputs, transitions: &[crate::inputs::Transition]) -> Result<Self, ModelError> {
        if transitions.is_empty() {
            return Err(ModelError { file: "transitions.csv".into(), message: "no movements to estimate from".into() });
        }
        let nsettings = inputs.settings.len();
        // Valid states and settings by NCY.
        let mut valid = BTreeSet::new();
        for v in &inputs.valid_states {
            for n in &v.needs {
                for ay in v.min_academic_year..=v.max_academic_year {
                    valid.insert((ay, *n, v.setting));
                }
            }
        }
        let mut moves_to = vec![Vec::new(); nsettings];
        for v in &inputs.valid_states {
            moves_to[v.setting as usize] = v.moves_to.clone();
        }
        let lo = inputs.valid_states.iter().map(|v| v.min_academic_year).min().unwrap_or(0);
        let hi = inputs.valid_states.iter().map(|v| v.max_academic_year).max().unwrap_or(0);
        let mut year_settings: BTreeMap<i32, BTreeSet<u16>> = BTreeMap::new();
        for ay in lo..=hi {
            let set =
                inputs.valid_states.iter().filter(|v| v.min_academic_year <= ay && ay <= v.max_academic_year).map(|v| v.setting).collect();
            year_settings.insert(ay, set);
        }
        let academic_years: BTreeSet<i32> = valid.iter().map(|(ay, _, _)| *ay).collect();
        // Settings valid for (NCY, need).
        let mut need_settings: HashMap<(i32, u16), BTreeSet<u16>> = HashMap::new();
        for (ay, n, s) in &valid {
            need_settings.entry((*ay, *n)).or_default().insert(*s);
        }

        // Leaving and moving observations, by NCY before the movement.
        let mut leave_obs: Obs = BTreeMap::new();
        let mut move_obs: Obs = BTreeMap::new();
        let mut dest_obs: HashMap<StateKey, BTreeMap<(u16, u16), f64>> = HashMap::new();
        let mut dest_obs_per_ay: BTreeMap<i32, BTreeMap<u16, f64>> = BTreeMap::new();
        let mut joiners_cy: BTreeMap<i32, BTreeMap<i32, f64>> = BTreeMap::new();
        let mut joiner_obs: BTreeMap<i32, BTreeMap<(u16, u16), f64>> = BTreeMap::new();
        for t in transitions {
            match (t.from, t.to) {
                (Place::Send { need, setting }, to) => {
                    let e = leave_obs.entry(t.academic_year_1).or_default().entry((need, setting)).or_default();
                    if to == Place::NonSend {
                        e.0 += 1.0;
                    } else {
                        e.1 += 1.0;
                    }
                    if let Place::Send { need: n2, setting: s2 } = to {
                        let m = move_obs.entry(t.academic_year_1).or_default().entry((need, setting)).or_default();
                        if s2 != setting {
                            m.0 += 1.0;
                            *dest_obs.entry((t.academic_year_1, need, setting)).or_default().entry((n2, s2)).or_default() += 1.0;
                            *dest_obs_per_ay.entry(t.academic_year_1).or_default().entry(s2).or_default() += 1.0;
                        } else {
                            m.1 += 1.0;
                        }
                    }
                }
                (Place::NonSend, Place::Send { need, setting }) => {
                    *joiners_cy.entry(t.calendar_year).or_default().entry(t.academic_year_2).or_default() += 1.0;
                    *joiner_obs.entry(t.academic_year_2).or_default().entry((need, setting)).or_default() += 1.0;
                }
                (Place::NonSend, Place::NonSend) => {}
            }
        }
        let leave_prior = beta_prior(&leave_obs);
        let move_prior = beta_prior(&move_obs);
        // Moves into each setting at an NCY, carried from the NCY below where an NCY has none.
        for ay in &academic_years {
            if !dest_obs_per_ay.contains_key(ay) {
                if let Some(v) = dest_obs_per_ay.get(&(ay - 1)).cloned() {
                    dest_obs_per_ay.insert(*ay, v);
                }
            }
        }

        let mut states = HashMap::new();
        for &(ay, need, setting) in &valid {
            let key = (need, setting);
            let leave = leave_prior.get(&ay).map(|p| {
                let (a, b) = leave_obs.get(&ay).and_then(|m| m.get(&key)).copied().unwrap_or((0.0, 0.0));
                Beta { alpha: p.alpha + a, beta: p.beta + b }
            });
            let can_move_at_all = moves_to[setting as usize].len() > 1;
            let moving = if can_move_at_all {
                move_prior.get(&ay).map(|p| {
                    let (a, b) = move_obs.get(&ay).and_then(|m| m.get(&key)).copied().unwrap_or((0.0, 0.0));
                    Beta { alpha: p.alpha + a, beta: p.beta + b }
                })
            } else {
                None
            };
            // Destination prior.
            let allowed: Vec<u16> = need_settings
                .get(&(ay, need))
                .map(|set| moves_to[setting as usize].iter().copied().filter(|s| set.contains(s)).collect())
                .unwrap_or_default();
            let mut prior: BTreeMap<u16, f64> = BTreeMap::new();
            if !allowed.is_empty() {
                let w = 1.0 / allowed.len() as f64;
                for s in &allowed {
                    prior.insert(*s, w);
                }
            }
            if let Some(per_ay) = dest_obs_per_ay.get(&ay) {
                for (s, c) in per_ay {
                    *prior.entry(*s).or_default() += c;
                }
            }
            prior.remove(&setting);
            let total: f64 = prior.values().sum();
            let mut dest: BTreeMap<(u16, u16), f64> = BTreeMap::new();
            if total > 0.0 {
                for (s, v) in &prior {
                    dest.insert((need, *s), v / total);
                }
            }
            if let Some(obs) = dest_obs.get(&(ay, need, setting)) {
                for (k, c) in obs {
                    *dest.entry(*k).or_default() += c;
                }
            }
            states.insert(
                (ay, need, setting),
                StateParams { leave, moving, destinations: dest.into_iter().filter(|(_, a)| *a > 0.0).collect() },
            );
        }

        // Joiners.
        let n_years = joiners_cy.len() as f64;
        let mut joiners = BTreeMap::new();
        for &ay in &academic_years {
            let mut a = 0.0;
            let mut b = 0.0;
            let mut any = false;
            for (cy, by_ay) in &joiners_cy {
                if let Some(j) = by_ay.get(&ay) {
                    let p = *inputs.population.get(&(*cy, ay)).ok_or_else(|| ModelError {
                        file: "population.csv".into(),
                        message: format!(
                            "no population for calendar year {cy}, academic year {ay}: needed to estimate the rate of joining from the {j} children who joined then"
                        ),
                    })? as f64;
                    if p < *j {
                        return Err(ModelError {
                            file: "population.csv".into(),
                            message: format!(
                                "the population for calendar year {cy}, academic year {ay} ({p}) is smaller than the {j} children who joined then (transitions.csv)"
                            ),
                        });
                    }
                    a += j / n_years;
                    b += (p - j) / n_years;
                    any = true;
                }
            }
            let Some(obs) = joiner_obs.get(&ay) else { continue };
            if !any {
                continue;
            }
            let at_ay: Vec<(u16, u16)> = valid.iter().filter(|(y, _, _)| *y == ay).map(|(_, n, s)| (*n, *s)).collect();
            let mut dest: BTreeMap<(u16, u16), f64> = BTreeMap::new();
            let w = 1.0 / at_ay.len() as f64;
            for k in at_ay {
                dest.insert(k, w);
            }
            for (k, c) in obs {
                *dest.entry(*k).or_default() += c;
            }
            joiners.insert(ay, JoinerParams { joining: Beta { alpha: a, beta: b }, destinations: dest.into_iter().collect() });
        }

        // The starting population: where children were at the end of the last observed year.
        let last = transitions.iter().map(|t| t.calendar_year).max().unwrap_or(0);
        let mut initial = BTreeMap::new();
        for t in transitions.iter().filter(|t| t.calendar_year == last) {
            if let Place::Send { need, setting } = t.to {
                *initial.entry((t.academic_year_2, need, setting)).or_default() += 1;
            }
        }

        Ok(Model {
            needs: inputs.needs.clone(),
            settings: inputs.settings.clone(),
            valid,
            states,
            joiners,
            year_settings,
            moves_to,
            costs: inputs.costs.clone(),
            seed_year: last + 1,
            initial,
            population: inputs.population.clone(),
        })
    }

    /// witan.send's `can-move?`: the setting names more than one setting to move to, and some other
    /// setting is valid at the NCY after `year` (the NCY after ageing). [U] witan.send looks one NCY
    /// beyond the NCY the cohort moves into; kept as it is, so the model stays the same.
    pub fn can_move(&self, year: i32, setting: u16) -> bool {
        self.moves_to[setting as usize].len() > 1
            && self.year_settings.get(&(year + 1)).map(|s| s.iter().any(|x| *x != setting)).unwrap_or(false)
    }

    /// The calendar years the population file covers after the seed year.
    pub fn projectable_years(&self) -> Vec<i32> {
        let set: BTreeSet<i32> = self.population.keys().map(|(cy, _)| *cy).filter(|cy| *cy > self.seed_year).collect();
        set.into_iter().collect()
    }

    pub fn cost(&self, need: u16, setting: u16) -> f64 {
        self.costs.get(&(need, setting)).copied().unwrap_or(0.0)
    }
}
