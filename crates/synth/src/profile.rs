//! Profiles: which local areas to generate and the figures each is calibrated to. Every target comes from
//! `../shared/reference/national-statistics.md` (section named beside it); guesses where that file has
//! no figure are marked [U].

use waymark_domain::identifiers::LaCode;

/// First and last calendar years of generated casework; the census that closes it is January of the year
/// after ([`AS_OF`]).
pub const FIRST_YEAR: i32 = 2019;
pub const LAST_YEAR: i32 = 2025;
/// The day the generated history ends: census day of the 2026 SEN2 collection (sen2.md §1).
pub const AS_OF: (i32, u32, u32) = (2026, 1, 15);

/// One local authority's parameters.
#[derive(Debug, Clone)]
pub struct LaProfile {
    pub code: LaCode,
    pub name: String,
    /// EHC plans at the January 2019 and January 2025 censuses (§3d for named LAs).
    pub plans_2019: u32,
    pub plans_2025: u32,
    /// The January 2024 caseload where published (§3d): the path runs through it.
    pub plans_2024: Option<u32>,
    /// School census, January 2025: % of pupils with a plan and with SEN support (§3d).
    pub ehcp_pct: f64,
    pub sen_support_pct: f64,
    /// % of requests refused (§3d, 2024).
    pub refusal_pct: f64,
    /// New plans issued and requests received in 2024, where published (§3d); `None` for unnamed LAs,
    /// whose flows follow England's shape.
    pub new_plans_2024: Option<u32>,
    pub requests_2024: Option<u32>,
    /// % of new plans issued within 20 weeks, excluding exceptions, for each calendar year
    /// FIRST_YEAR..=LAST_YEAR (§3a, §3d; years without a figure interpolated [U]).
    pub timeliness: [f64; 7],
    /// % of plans in mainstream and in special schools, January 2025 (§3d).
    pub mainstream_pct: f64,
    pub special_pct: f64,
    /// The areas the LA plans in (Hertfordshire's nine DSPL areas; others invented).
    pub localities: Vec<String>,
    /// Postcode areas for addresses (invented for unnamed LAs).
    pub postcode_area: String,
}

impl LaProfile {
    /// The caseload on 1 January of `year`: geometric between the LA's 2019 and 2025 censuses.
    pub fn caseload_target(&self, year: i32) -> f64 {
        let (c0, c1) = (f64::from(self.plans_2019.max(1)), f64::from(self.plans_2025.max(1)));
        match self.plans_2024.map(f64::from) {
            // Geometric from 2019 to the published 2024, then on to 2025 at that last year's rate.
            Some(c24) => c0 * (c24 / c0).powf(f64::from((year - FIRST_YEAR).min(5)) / 5.0) * (c1 / c24).powi((year - 2024).max(0)),
            None => c0 * (c1 / c0).powf(f64::from(year - FIRST_YEAR) / 6.0),
        }
    }

    /// Share of the caseload ceasing each year: from the LA's 2024 flows where published (new plans less
    /// growth), else England's 6.5% (§1a, 2023-24).
    pub fn cease_rate(&self) -> f64 {
        let c2024 = self.caseload_target(2024);
        match self.new_plans_2024 {
            Some(n) => ((f64::from(n) - (f64::from(self.plans_2025) - c2024)) / c2024).clamp(0.03, 0.2),
            None => 0.065,
        }
    }

    /// Plans to issue in `year`: the caseload's growth plus what ceases.
    pub fn new_plans_target(&self, year: i32) -> f64 {
        self.caseload_target(year + 1) - self.caseload_target(year) + self.cease_rate() * self.caseload_target(year)
    }
}

/// A named set of local authorities to generate.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: &'static str,
    pub las: Vec<LaProfile>,
}

/// England's new plans in each calendar year 2019..2025 as a fraction of the January 2025 caseload
/// (§1a: 53,899 ... 97,747 over 638,745; 2025 extrapolated from the trend [U]).
pub const NEW_PLAN_SHARE: [f64; 7] = [0.0844, 0.0941, 0.0973, 0.1044, 0.1322, 0.1530, 0.1650];

/// England's national 20-week timeliness, excluding exceptions, by calendar year 2019..2025 (§1a; 2025 [U]).
pub const ENGLAND_TIMELINESS: [f64; 7] = [60.4, 58.0, 59.9, 49.2, 50.3, 46.4, 46.0];

fn la(code: &str) -> LaCode {
    code.parse().expect("profile LA codes are valid")
}

#[allow(clippy::too_many_arguments)]
fn named(
    code: &str,
    name: &str,
    plans: (u32, u32, u32),
    census: (f64, f64),
    refusal: f64,
    flows_2024: (u32, u32),
    timeliness: [f64; 7],
    mix: (f64, f64),
    area: &str,
) -> LaProfile {
    LaProfile {
        new_plans_2024: Some(flows_2024.0),
        requests_2024: Some(flows_2024.1),
        code: la(code),
        name: name.to_owned(),
        plans_2019: plans.0,
        plans_2024: Some(plans.1),
        plans_2025: plans.2,
        ehcp_pct: census.0,
        sen_support_pct: census.1,
        refusal_pct: refusal,
        timeliness,
        mainstream_pct: mix.0,
        special_pct: mix.1,
        localities: (1..=4).map(|i| format!("{name} locality {i}")).collect(),
        postcode_area: area.to_owned(),
    }
}

/// Portsmouth (§3d): on time until 2022, then collapsing to 1.6% in 2023 (the seeds' story).
/// 2020 and 2025 timeliness interpolated [U].
pub fn portsmouth_la() -> LaProfile {
    named(
        "851",
        "Portsmouth",
        (1513, 2000, 2310),
        (5.8, 14.8),
        17.8,
        (492, 516),
        [100.0, 98.0, 97.0, 90.0, 1.6, 4.3, 20.0],
        (46.4, 30.8),
        "PO",
    )
}

/// Kent (§3d): the largest LA, refusing more than half of requests.
pub fn kent_la() -> LaProfile {
    named(
        "886",
        "Kent",
        (11763, 19407, 20635),
        (5.8, 13.1),
        55.0,
        (2890, 4001),
        [28.7, 35.0, 41.4, 41.1, 18.0, 33.3, 33.0],
        (36.1, 39.0),
        "ME",
    )
}

/// Hertfordshire (§3d), planning in nine DSPL areas (seed 003; the areas' names are not given [U]).
pub fn hertfordshire_la() -> LaProfile {
    let mut l = named(
        "919",
        "Hertfordshire",
        (6328, 11897, 12920),
        (4.3, 14.2),
        23.2,
        (1849, 3343),
        [87.9, 83.0, 78.0, 32.6, 40.2, 56.3, 56.0],
        (49.1, 26.1),
        "AL",
    );
    l.localities = (1..=9).map(|i| format!("DSPL area {i}")).collect();
    l
}

pub fn somerset_la() -> LaProfile {
    named(
        "933",
        "Somerset",
        (2102, 5108, 5725),
        (5.4, 14.4),
        39.2,
        (743, 1207),
        [21.8, 43.0, 64.7, 69.4, 42.1, 33.5, 33.0],
        (40.0, 28.2),
        "TA",
    )
}

pub fn peterborough_la() -> LaProfile {
    named(
        "874",
        "Peterborough",
        (1901, 2625, 2908),
        (4.9, 12.3),
        32.6,
        (465, 685),
        [65.4, 80.0, 92.9, 90.7, 82.9, 89.4, 89.0],
        (43.5, 28.1),
        "PE",
    )
}

impl Profile {
    /// A profile by name: `small`, `portsmouth`, `kent`, `england`.
    pub fn by_name(name: &str, seed: u64) -> Option<Profile> {
        match name {
            "small" => Some(Profile::small()),
            "portsmouth" => Some(Profile { name: "portsmouth", las: vec![portsmouth_la()] }),
            "kent" => Some(Profile { name: "kent", las: vec![kent_la()] }),
            "england" => Some(Profile::england(seed)),
            _ => None,
        }
    }

    pub const NAMES: [&'static str; 4] = ["small", "portsmouth", "kent", "england"];

    /// A small area with Portsmouth's character, for tests: a few hundred plans.
    pub fn small() -> Profile {
        let mut l = portsmouth_la();
        l.name = "Smallbridge".into();
        l.plans_2019 = 150;
        l.plans_2024 = Some(200);
        l.plans_2025 = 230;
        l.new_plans_2024 = Some(49);
        l.requests_2024 = Some(52);
        l.localities = vec!["North".into(), "South".into()];
        Profile { name: "small", las: vec![l] }
    }

    /// England: 153 LAs, the five named ones with their own figures and the rest drawn from the spread
    /// across LAs (§3a-§3c), scaled so the national caseload at January 2025 is 638,745 (§1a).
    pub fn england(seed: u64) -> Profile {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x0045_4e47_4c41_4e44);
        let named = [portsmouth_la(), kent_la(), hertfordshire_la(), somerset_la(), peterborough_la()];
        let named_codes: Vec<u16> = named.iter().map(|l| l.code.number()).collect();
        let codes: Vec<LaCode> = LaCode::all_upn_valid().filter(|c| c.number() >= 201 && !named_codes.contains(&c.number())).collect();
        // Spread the 148 other LAs evenly over the valid codes.
        let step = codes.len() as f64 / 148.0;
        let mut las: Vec<LaProfile> = named.to_vec();
        // Quantiles of §3c (plans at Jan 2025) and §3a (2024 timeliness), interpolated linearly.
        let size_q = [(0.0, 376.0), (0.1, 1657.0), (0.25, 2310.0), (0.5, 3267.0), (0.75, 4801.0), (0.9, 7854.0), (1.0, 17784.0)];
        let time_q = [(0.0, 3.2), (0.1, 12.3), (0.25, 28.9), (0.5, 52.3), (0.75, 79.5), (0.9, 96.3), (1.0, 100.0)];
        let refusal_q = [(0.0, 0.0), (0.1, 8.6), (0.25, 17.6), (0.5, 23.7), (0.75, 32.4), (0.9, 39.5), (1.0, 60.6)];
        let mainstream_q = [(0.0, 25.7), (0.1, 36.4), (0.25, 40.8), (0.5, 44.9), (0.75, 49.9), (0.9, 54.8), (1.0, 77.1)];
        for i in 0..148 {
            let code = codes[((i as f64 + 0.5) * step) as usize];
            let plans = quantile(&size_q, rng.random());
            let t2024: f64 = quantile(&time_q, rng.random());
            // Each LA's trajectory follows England's, shifted to its own 2024 level, with noise; bounded 0-100.
            // Each LA's trajectory follows England's, shifted to its own 2024 level, with a gentle
            // random walk; bounded 0-100.
            let shift = t2024 - ENGLAND_TIMELINESS[5];
            let mut timeliness = [0.0; 7];
            let mut walk = 0.0;
            for y in (0..7).rev() {
                timeliness[y] = (ENGLAND_TIMELINESS[y] + shift + walk).clamp(0.0, 100.0);
                walk += rng.random_range(-4.0..4.0);
            }
            timeliness[5] = t2024;
            // [U] The placement model tops out near 60% mainstream (post-16 goes mostly to FE), so the few
            // LAs above that (Newham 77%) are drawn at 60%.
            let mainstream = quantile(&mainstream_q, rng.random()).min(60.0);
            let ehcp_pct = rng.random_range(4.3..6.3);
            las.push(LaProfile {
                code,
                name: format!("Local authority {code}"),
                plans_2019: (plans * rng.random_range(0.45..0.65)) as u32,
                plans_2024: None,
                plans_2025: plans as u32,
                ehcp_pct,
                sen_support_pct: rng.random_range(12.0..16.5),
                refusal_pct: quantile(&refusal_q, rng.random()),
                new_plans_2024: None,
                requests_2024: None,
                timeliness,
                mainstream_pct: mainstream,
                special_pct: (74.0 - mainstream).clamp(15.0, 50.0),
                localities: (1..=rng.random_range(3..=8)).map(|n| format!("Locality {n}")).collect(),
                postcode_area: postcode_area(i),
            });
        }
        // Scale the unnamed LAs so England's caseload at January 2025 is 638,745.
        let named_total: u32 = las[..5].iter().map(|l| l.plans_2025).sum();
        let others: u32 = las[5..].iter().map(|l| l.plans_2025).sum();
        let factor = f64::from(638_745 - named_total) / f64::from(others);
        for l in &mut las[5..] {
            l.plans_2025 = (f64::from(l.plans_2025) * factor).round() as u32;
            l.plans_2019 = (f64::from(l.plans_2019) * factor).round() as u32;
        }
        Profile { name: "england", las }
    }

    pub fn plans_2025(&self) -> u32 {
        self.las.iter().map(|l| l.plans_2025).sum()
    }
}

/// Linear interpolation in a table of (quantile, value).
fn quantile(table: &[(f64, f64)], q: f64) -> f64 {
    for w in table.windows(2) {
        let ((q0, v0), (q1, v1)) = (w[0], w[1]);
        if q <= q1 {
            return v0 + (v1 - v0) * (q - q0) / (q1 - q0);
        }
    }
    table.last().expect("non-empty").1
}

/// An invented two-letter postcode area for an unnamed LA (valid in form; not meant to be real).
fn postcode_area(i: usize) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPRSTUWY";
    let a = LETTERS[i % LETTERS.len()] as char;
    let b = LETTERS[(i / LETTERS.len() + 3) % LETTERS.len()] as char;
    format!("{a}{b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn england_has_153_las_with_the_national_caseload_and_distinct_codes() {
        let p = Profile::england(7);
        assert_eq!(p.las.len(), 153);
        let total = p.plans_2025();
        assert!((638_000..=639_500).contains(&total), "{total}");
        let mut codes: Vec<u16> = p.las.iter().map(|l| l.code.number()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 153);
        assert!(p.las.iter().any(|l| l.name == "Kent" && l.plans_2025 == 20_635));
    }

    #[test]
    fn the_same_seed_gives_the_same_england() {
        let a = Profile::england(7);
        let b = Profile::england(7);
        assert_eq!(
            a.las.iter().map(|l| (l.code, l.plans_2025)).collect::<Vec<_>>(),
            b.las.iter().map(|l| (l.code, l.plans_2025)).collect::<Vec<_>>()
        );
    }
}
