//! The generator's randomness: one ChaCha8 stream per (seed, LA, purpose), so the same seed gives the same
//! data whatever order LAs are generated in, and helpers for the draws the model makes.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use waymark_domain::calendar::{add_days, days_between, Date};

pub struct Draw(ChaCha8Rng);

impl Draw {
    /// A stream for one LA and purpose: independent of every other stream.
    pub fn new(seed: u64, la: u16, purpose: u64) -> Self {
        let mixed = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (u64::from(la) << 32) ^ purpose.wrapping_mul(0xD1B5_4A32_D192_ED03);
        Draw(ChaCha8Rng::seed_from_u64(mixed))
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.0.random_bool(p.clamp(0.0, 1.0))
    }

    pub fn unit(&mut self) -> f64 {
        self.0.random()
    }

    /// A whole number in `lo..=hi` (either order).
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        self.0.random_range(lo..=hi)
    }

    /// `date + n` days with `n` in `lo..=hi`.
    pub fn after(&mut self, date: Date, lo: i64, hi: i64) -> Date {
        add_days(date, self.int(lo.max(0), hi.max(0)) as u64)
    }

    /// A day between `from` and `to` inclusive.
    pub fn between(&mut self, from: Date, to: Date) -> Date {
        self.after(from, 0, days_between(from, to))
    }

    /// One item by weight.
    pub fn weighted<T: Copy>(&mut self, items: &[(T, f64)]) -> T {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.unit() * total;
        for (item, w) in items {
            if x < *w {
                return *item;
            }
            x -= w;
        }
        items.last().expect("weighted choice from an empty list").0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.0.random_range(0..items.len())]
    }

    /// A random (version 4 form) UUID from this stream, so ids repeat with the seed.
    pub fn uuid(&mut self) -> uuid::Uuid {
        let bytes: [u8; 16] = self.0.random();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}
