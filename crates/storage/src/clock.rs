//! Time is injected: the store asks its [`Clock`] for "now" (when a change is recorded) and "today"
//! (for the domain's age rules), and never reads the wall clock anywhere else.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use std::sync::Mutex;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Today's date, which the domain's rules take as an argument.
    ///
    /// The default is the UTC date. Between midnight and 01:00 British Summer Time this is still
    /// yesterday in England; a clock that must follow the local date can override it.
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(std::time::SystemTime::now())
    }
}

/// A clock that says what it is told: for tests, demonstrations and replays.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    /// A clock at midday UTC on `date`.
    pub fn at_noon(date: NaiveDate) -> Self {
        Self::new(date.and_hms_opt(12, 0, 0).expect("12:00:00 is a valid time").and_utc())
    }

    /// Set the time.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.lock() = at;
    }

    /// Move the time on (or back, for a negative `by`).
    pub fn advance(&self, by: TimeDelta) {
        let mut now = self.lock();
        *now = now.checked_add_signed(by).unwrap_or(*now);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
        // A poisoned lock still holds a valid time: keep going rather than panic.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_says_what_it_is_told_and_moves_only_when_moved() {
        let clock = FixedClock::at_noon(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
        assert_eq!(clock.now().to_rfc3339(), "2026-01-05T12:00:00+00:00");
        clock.advance(TimeDelta::hours(13));
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 1, 6).unwrap());
        clock.set(DateTime::<Utc>::MIN_UTC);
        clock.advance(TimeDelta::days(-1)); // would go before the earliest time: stays put, no panic
        assert_eq!(clock.now(), DateTime::<Utc>::MIN_UTC);
    }
}
