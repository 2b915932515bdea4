//! The projection: one year's step compiled into rules per cohort, run either as the exact expectation
//! (no sampling: every draw replaced by its mean, which is exact because each step is linear in the
//! cohorts) or as seeded simulations (beta-binomial and Dirichlet-multinomial draws).

use crate::model::{Beta, Model, MAX_AY, MIN_AY, NCY_COUNT, NCY_HI, NCY_LO};
use crate::scenario::Scenario;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::Distribution;

/// Why a cohort is no longer carried forward although it did not leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DropReason {
    /// The cohort is in a state `valid-states.csv` forbids (a setting outside its NCY range, or a need
    /// it does not take): the model has no parameters for it.
    InvalidState,
    /// The cohort is past the last NCY the model follows.
    PastLastYear,
}

impl DropReason {
    pub fn code(&self) -> &'static str {
        match self {
            DropReason::InvalidState => "invalid-state",
            DropReason::PastLastYear => "past-last-academic-year",
        }
    }
    pub fn describe(&self) -> &'static str {
        match self {
            DropReason::InvalidState => "in a setting, year group or need the valid-states table does not allow",
            DropReason::PastLastYear => "past the last year group the model follows",
        }
    }
}

#[derive(Debug, Clone)]
enum CohortRule {
    Dropped(DropReason),
    LeaveAll,
    Step {
        stay: usize,
        leave: Option<Beta>,
        /// `None`: cannot move. `Some(None)`: must move (a closed setting). `Some(Some(b))`: moves with b.
        moving: Option<Option<Beta>>,
        dests: Vec<(usize, f64)>,
    },
}

#[derive(Debug, Clone)]
struct JoinRule {
    ay_index: usize,
    joining: Beta,
    dests: Vec<(usize, f64)>,
}

/// One calendar year's compiled step.
#[derive(Debug, Clone)]
pub struct Rules {
    cohorts: Vec<CohortRule>,
    joiners: Vec<JoinRule>,
}

/// Layout of a dense population vector: index = (NCY - NCY_LO) * needs * settings + need * settings +
/// setting.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub needs: usize,
    pub settings: usize,
}

impl Layout {
    pub fn len(&self) -> usize {
        NCY_COUNT * self.needs * self.settings
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn index(&self, ay: i32, need: u16, setting: u16) -> usize {
        ((ay - NCY_LO) as usize * self.needs + need as usize) * self.settings + setting as usize
    }
    pub fn decode(&self, idx: usize) -> (i32, u16, u16) {
        let setting = idx % self.settings;
        let rest = idx / self.settings;
        let need = rest % self.needs;
        let ay = (rest / self.needs) as i32 + NCY_LO;
        (ay, need as u16, setting as u16)
    }
}

fn adjust(b: Beta, factor: f64) -> Option<Beta> {
    // Scale the mean, keep the concentration. A probability pushed to 1 or more becomes certain (None).
    let c = b.alpha + b.beta;
    let p = (b.mean() * factor).max(0.0);
    if p >= 1.0 {
        None
    } else {
        Some(Beta { alpha: p * c, beta: (1.0 - p) * c })
    }
}

impl Model {
    pub fn layout(&self) -> Layout {
        Layout { needs: self.needs.len().max(1), settings: self.settings.len().max(1) }
    }

    /// Compile the step into calendar year `cy`, with the scenario's changes in force that year.
    pub fn rules(&self, cy: i32, scenario: Option<&Scenario>) -> Rules {
        let l = self.layout();
        let closed = |s: u16| scenario.map(|sc| sc.is_closed(s, cy)).unwrap_or(false);
        let mut cohorts = Vec::with_capacity(l.len());
        for idx in 0..l.len() {
            let (ay, need, setting) = l.decode(idx);
            if ay >= MAX_AY {
                cohorts.push(CohortRule::Dropped(DropReason::PastLastYear));
                continue;
            }
            let year = ay + 1;
            if year <= MIN_AY || year > MAX_AY {
                cohorts.push(CohortRule::LeaveAll);
                continue;
            }
            let Some(p) = self.states.get(&(ay, need, setting)) else {
                cohorts.push(CohortRule::Dropped(DropReason::InvalidState));
                continue;
            };
            let stay = l.index(year, need, setting);
            let mut leave = p.leave;
            let mut dests: Vec<(usize, f64, u16, u16)> = p
                .destinations
                .iter()
                .filter(|((_, s), _)| !closed(*s))
                .map(|((n2, s2), a)| (l.index(year, *n2, *s2), *a, *n2, *s2))
                .collect();
            let mut moving = if closed(setting) {
                Some(None)
            } else if self.can_move(year, setting) {
                // A setting that can move has moving parameters unless no child at that NCY was observed
                // with a plan in two consecutive years. [U] witan.send fails there; here nobody moves.
                p.moving.map(Some)
            } else {
                None
            };
            if let Some(sc) = scenario {
                if let Some(b) = leave {
                    let f = sc.leaver_factor(cy, need, setting);
                    if f != 1.0 {
                        leave = Some(adjust(b, f).unwrap_or(Beta { alpha: 1.0, beta: 0.0 }));
                    }
                }
                if let Some(Some(b)) = moving {
                    let total: f64 = dests.iter().map(|d| d.1).sum();
                    let factors: Vec<f64> = dests.iter().map(|d| sc.mover_factor(cy, need, setting, d.2, d.3)).collect();
                    if total > 0.0 && factors.iter().any(|f| *f != 1.0) {
                        let scaled: f64 = dests.iter().zip(&factors).map(|(d, f)| d.1 * f).sum();
                        moving = Some(adjust(b, scaled / total));
                        for (d, f) in dests.iter_mut().zip(&factors) {
                            d.1 *= f;
                        }
                    }
                }
            }
            dests.retain(|d| d.1 > 0.0);
            if dests.is_empty() {
                // Nowhere to go: everyone who does not leave stays.
                moving = None;
            }
            cohorts.push(CohortRule::Step { stay, leave, moving, dests: dests.into_iter().map(|d| (d.0, d.1)).collect() });
        }
        let mut joiners = Vec::new();
        for (ay, j) in &self.joiners {
            let mut joining = j.joining;
            let mut dests: Vec<(usize, f64, u16, u16)> =
                j.destinations.iter().filter(|((_, s), _)| !closed(*s)).map(|((n, s), a)| (l.index(*ay, *n, *s), *a, *n, *s)).collect();
            if let Some(sc) = scenario {
                let total: f64 = dests.iter().map(|d| d.1).sum();
                let factors: Vec<f64> = dests.iter().map(|d| sc.joiner_factor(cy, d.2, d.3)).collect();
                if total > 0.0 && factors.iter().any(|f| *f != 1.0) {
                    let scaled: f64 = dests.iter().zip(&factors).map(|(d, f)| d.1 * f).sum();
                    joining = adjust(joining, scaled / total).unwrap_or(Beta { alpha: 1.0, beta: 0.0 });
                    for (d, f) in dests.iter_mut().zip(&factors) {
                        d.1 *= f;
                    }
                }
            }
            dests.retain(|d| d.1 > 0.0);
            if dests.is_empty() {
                continue;
            }
            joiners.push(JoinRule { ay_index: (ay - NCY_LO) as usize, joining, dests: dests.into_iter().map(|d| (d.0, d.1)).collect() });
        }
        Rules { cohorts, joiners }
    }

    /// The starting population as a dense vector.
    pub fn initial_vector(&self) -> Vec<f64> {
        let l = self.layout();
        let mut v = vec![0.0; l.len()];
        for ((ay, n, s), c) in &self.initial {
            if (NCY_LO..=NCY_HI).contains(ay) {
                v[l.index(*ay, *n, *s)] += *c as f64;
            }
        }
        v
    }

    /// General population by NCY index for calendar year `cy`.
    pub fn population_vector(&self, cy: i32) -> Vec<u64> {
        let mut v = vec![0; NCY_COUNT];
        for ((y, ay), n) in self.population.range((cy, NCY_LO)..=(cy, NCY_HI)) {
            if *y == cy {
                v[(ay - NCY_LO) as usize] = *n;
            }
        }
        v
    }
}

/// Cohorts dropped in one year: (index of the state before ageing, reason, count).
pub type Dropped<T> = Vec<(usize, DropReason, T)>;

/// One step of the exact expectation.
pub fn expected_step(rules: &Rules, current: &[f64], population: &[u64]) -> (Vec<f64>, Dropped<f64>) {
    let mut next = vec![0.0; current.len()];
    let mut dropped = Vec::new();
    for (idx, &n) in current.iter().enumerate() {
        if n == 0.0 {
            continue;
        }
        match &rules.cohorts[idx] {
            CohortRule::Dropped(r) => dropped.push((idx, *r, n)),
            CohortRule::LeaveAll => {}
            CohortRule::Step { stay, leave, moving, dests } => {
                let rest = n * (1.0 - leave.map(|b| b.mean()).unwrap_or(0.0));
                let p_move = match moving {
                    None => 0.0,
                    Some(None) => 1.0,
                    Some(Some(b)) => b.mean(),
                };
                let movers = rest * p_move;
                next[*stay] += rest - movers;
                if movers > 0.0 {
                    let total: f64 = dests.iter().map(|d| d.1).sum();
                    for (d, a) in dests {
                        next[*d] += movers * a / total;
                    }
                }
            }
        }
    }
    for j in &rules.joiners {
        let pop = population[j.ay_index] as f64;
        if pop == 0.0 {
            continue;
        }
        let joiners = pop * j.joining.mean();
        let total: f64 = j.dests.iter().map(|d| d.1).sum();
        for (d, a) in &j.dests {
            next[*d] += joiners * a / total;
        }
    }
    (next, dropped)
}

/// Below this many trials, draws use the Pólya urn (exact, and cheaper than a Beta draw for small n).
const URN_MAX: u64 = 24;

/// A beta-binomial draw: the number of successes in `n` trials whose probability is drawn from `b`.
pub fn beta_binomial<R: Rng>(rng: &mut R, n: u64, b: Beta) -> u64 {
    if n == 0 || b.alpha <= 0.0 {
        return 0;
    }
    if b.beta <= 0.0 {
        return n;
    }
    if n <= URN_MAX {
        let (mut a, mut c) = (b.alpha, b.beta);
        let mut k = 0;
        for _ in 0..n {
            if rng.random::<f64>() * (a + c) < a {
                k += 1;
                a += 1.0;
            } else {
                c += 1.0;
            }
        }
        return k;
    }
    let p = match rand_distr::Beta::new(b.alpha, b.beta) {
        Ok(d) => d.sample(rng),
        Err(_) => b.mean(),
    };
    let p = if p.is_finite() { p.clamp(0.0, 1.0) } else { b.mean() };
    match rand_distr::Binomial::new(n, p) {
        Ok(d) => d.sample(rng),
        Err(_) => (n as f64 * p).round() as u64,
    }
}

/// A Dirichlet-multinomial draw of `m` items over categories with weights `alphas`, added into `out`
/// (through the categories' indices).
pub fn dirichlet_multinomial_into<R: Rng, T: Copy + Into<f64>>(rng: &mut R, m: u64, dests: &[(usize, T)], mut add: impl FnMut(usize, u64)) {
    if m == 0 || dests.is_empty() {
        return;
    }
    if m <= URN_MAX {
        // Pólya urn: each item picks a category with probability proportional to its weight plus the
        // items already in it.
        let mut counts = [0u64; 64];
        let small = dests.len() <= counts.len();
        let mut extra: Vec<u64> = if small { Vec::new() } else { vec![0; dests.len()] };
        let base: f64 = dests.iter().map(|d| d.1.into()).sum();
        for drawn in 0..m {
            let mut u = rng.random::<f64>() * (base + drawn as f64);
            let mut chosen = dests.len() - 1;
            for (i, d) in dests.iter().enumerate() {
                let c = if small { counts[i] } else { extra[i] };
                let w = d.1.into() + c as f64;
                if u < w {
                    chosen = i;
                    break;
                }
                u -= w;
            }
            if small {
                counts[chosen] += 1;
            } else {
                extra[chosen] += 1;
            }
        }
        for (i, d) in dests.iter().enumerate() {
            let c = if small { counts[i] } else { extra[i] };
            if c > 0 {
                add(d.0, c);
            }
        }
        return;
    }
    // Sequential beta-binomials: the first category's count is BB(m, a1, A - a1), and the rest share
    // what is left as a Dirichlet-multinomial of their own (the Dirichlet's aggregation property).
    let mut rest_alpha: f64 = dests.iter().map(|d| d.1.into()).sum();
    let mut left = m;
    for (i, d) in dests.iter().enumerate() {
        if left == 0 {
            break;
        }
        let a: f64 = d.1.into();
        if i == dests.len() - 1 {
            add(d.0, left);
            break;
        }
        rest_alpha -= a;
        let k = beta_binomial(rng, left, Beta { alpha: a, beta: rest_alpha.max(0.0) });
        if k > 0 {
            add(d.0, k);
        }
        left -= k;
    }
}

/// One simulation's counts by year, and what it dropped by year.
type OneSimulation = (Vec<Vec<u32>>, Vec<Dropped<u32>>);

/// One step of a simulation.
pub fn simulate_step<R: Rng>(
    rng: &mut R,
    rules: &Rules,
    current: &[u32],
    population: &[u64],
    next: &mut [u32],
    dropped: &mut Dropped<u32>,
) {
    next.iter_mut().for_each(|x| *x = 0);
    for (idx, &n) in current.iter().enumerate() {
        if n == 0 {
            continue;
        }
        match &rules.cohorts[idx] {
            CohortRule::Dropped(r) => dropped.push((idx, *r, n)),
            CohortRule::LeaveAll => {}
            CohortRule::Step { stay, leave, moving, dests } => {
                let n = n as u64;
                let leavers = leave.map(|b| beta_binomial(rng, n, b)).unwrap_or(0);
                let rest = n - leavers;
                let movers = match moving {
                    None => 0,
                    Some(None) => rest,
                    Some(Some(b)) => beta_binomial(rng, rest, *b),
                };
                next[*stay] += (rest - movers) as u32;
                dirichlet_multinomial_into(rng, movers, dests, |i, c| next[i] += c as u32);
            }
        }
    }
    for j in &rules.joiners {
        let pop = population[j.ay_index];
        let joiners = beta_binomial(rng, pop, j.joining);
        dirichlet_multinomial_into(rng, joiners, &j.dests, |i, c| next[i] += c as u32);
    }
}

/// The exact expected projection: the population by state for the seed year and each projected year,
/// and what was dropped in each projected year.
pub struct ExpectedRun {
    pub years: Vec<i32>,
    pub states: Vec<Vec<f64>>,
    pub dropped: Vec<Dropped<f64>>,
}

/// Simulations: `states[sim][year]` dense counts; `dropped[sim][year]`.
pub struct SimulatedRun {
    pub years: Vec<i32>,
    pub states: Vec<Vec<Vec<u32>>>,
    pub dropped: Vec<Vec<Dropped<u32>>>,
}

/// The years to project: the seed year then up to `years` calendar years the population file covers.
pub fn projection_years(model: &Model, years: Option<usize>) -> Result<Vec<i32>, String> {
    let available = model.projectable_years();
    let want = years.unwrap_or(available.len());
    // Years must follow on from the seed year without gaps.
    let mut out = vec![model.seed_year];
    for k in 1..=want as i32 {
        let cy = model.seed_year + k;
        if !available.contains(&cy) {
            return Err(format!(
                "population.csv has no general population for calendar year {cy}, needed to project {want} year(s) from {}; it covers {}",
                model.seed_year,
                match (available.first(), available.last()) {
                    (Some(a), Some(b)) => format!("{a} to {b} after the seed year"),
                    _ => "no year after the seed year".to_string(),
                }
            ));
        }
        out.push(cy);
    }
    Ok(out)
}

pub fn project_expected(model: &Model, years: &[i32], scenario: Option<&Scenario>) -> ExpectedRun {
    let mut states = vec![model.initial_vector()];
    let mut dropped = vec![Vec::new()];
    for &cy in &years[1..] {
        let rules = model.rules(cy, scenario);
        let (next, d) = expected_step(&rules, states.last().expect("seed"), &model.population_vector(cy));
        states.push(next);
        dropped.push(d);
    }
    ExpectedRun { years: years.to_vec(), states, dropped }
}

/// Run `n` simulations with `seed` on `threads` threads. Simulation i draws from its own ChaCha8 stream
/// (seed, stream i), so the result is the same whatever the number of threads.
pub fn simulate(model: &Model, years: &[i32], n: usize, seed: u64, threads: usize, scenario: Option<&Scenario>) -> SimulatedRun {
    let rules: Vec<Rules> = years[1..].iter().map(|cy| model.rules(*cy, scenario)).collect();
    let pops: Vec<Vec<u64>> = years[1..].iter().map(|cy| model.population_vector(*cy)).collect();
    let initial: Vec<u32> = model.initial_vector().iter().map(|x| *x as u32).collect();
    let one = |i: usize| -> OneSimulation {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(i as u64);
        let mut states = vec![initial.clone()];
        let mut dropped = vec![Vec::new()];
        for (r, p) in rules.iter().zip(&pops) {
            let mut next = vec![0u32; initial.len()];
            let mut d = Vec::new();
            simulate_step(&mut rng, r, states.last().expect("seed"), p, &mut next, &mut d);
            states.push(next);
            dropped.push(d);
        }
        (states, dropped)
    };
    let threads = threads.clamp(1, n.max(1));
    let mut results: Vec<Option<OneSimulation>> = (0..n).map(|_| None).collect();
    std::thread::scope(|s| {
        let chunks: Vec<_> = results.chunks_mut(n.div_ceil(threads).max(1)).enumerate().collect();
        let size = n.div_ceil(threads).max(1);
        for (c, chunk) in chunks {
            let one = &one;
            s.spawn(move || {
                for (k, slot) in chunk.iter_mut().enumerate() {
                    *slot = Some(one(c * size + k));
                }
            });
        }
    });
    let mut states = Vec::with_capacity(n);
    let mut dropped = Vec::with_capacity(n);
    for r in results.into_iter().flatten() {
        states.push(r.0);
        dropped.push(r.1);
    }
    SimulatedRun { years: years.to_vec(), states, dropped }
}
