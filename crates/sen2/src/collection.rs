//! Which SEN2 collection a return belongs to: its year, census (reference) date and the calendar year
//! it covers (`../shared/reference/sen2.md` §1).

use chrono::Datelike;
use std::fmt;
use waymark_domain::calendar::Date;

/// One year's SEN2 collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collection {
    /// The collection year, e.g. 2026 (submitted early 2026, covering calendar year 2025).
    pub year: i32,
    /// Census day: the position of every plan and piece of ongoing work is taken on this date.
    pub reference_date: Date,
}

/// A year Waymark cannot produce or check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SEN2 collection {0} is not supported: Waymark writes and checks the 2025 and 2026 collections")]
pub struct UnsupportedYear(pub i32);

impl Collection {
    /// The years whose schema and rules Waymark holds.
    pub const SUPPORTED: [i32; 2] = [2025, 2026];

    /// The collection for `year`. Census dates from sen2.md §1: Thu 16 Jan 2025, Thu 15 Jan 2026.
    pub fn for_year(year: i32) -> Result<Self, UnsupportedYear> {
        let (m, d) = match year {
            2025 => (1, 16),
            2026 => (1, 15),
            other => return Err(UnsupportedYear(other)),
        };
        let reference_date = Date::from_ymd_opt(year, m, d).expect("census dates exist");
        Ok(Self { year, reference_date })
    }

    /// The first day of the calendar year the return covers (1 January of the year before).
    pub fn period_start(&self) -> Date {
        Date::from_ymd_opt(self.year - 1, 1, 1).expect("1 January exists")
    }

    /// The last day of the calendar year the return covers (31 December of the year before).
    pub fn period_end(&self) -> Date {
        Date::from_ymd_opt(self.year - 1, 12, 31).expect("31 December exists")
    }

    /// Whether `date` falls in the collection period or after it up to census day: the return shows
    /// the position on census day, so a step taken between 1 January and census day is counted.
    /// [U] sen2.md §2 says the return covers the calendar year "plus the position on census day"; which
    /// of the two a step taken in early January belongs to is not stated.
    pub fn in_return_window(&self, date: Date) -> bool {
        self.period_start() <= date && date <= self.reference_date
    }

    /// Whether the collection orders `LastReview` last in ActivePlans (2026) or after ReviewMeeting (2025).
    pub fn last_review_at_end(&self) -> bool {
        self.year >= 2026
    }

    /// Whether items voluntary in 2025 (DSCO, RequestSource, ReviewDraft, phase transfer dates) are
    /// compulsory in this collection (sen2.md §5 year-on-year changes).
    pub fn compulsory_2026_items(&self) -> bool {
        self.year >= 2026
    }

    pub fn period_year(&self) -> i32 {
        self.period_start().year()
    }
}

impl fmt::Display for Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SEN2 {} (census day {})", self.year, self.reference_date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sen2_census_days_are_16_january_2025_and_15_january_2026_covering_the_year_before() {
        let c = Collection::for_year(2026).unwrap();
        assert_eq!(c.reference_date.to_string(), "2026-01-15");
        assert_eq!(c.period_start().to_string(), "2025-01-01");
        assert_eq!(c.period_end().to_string(), "2025-12-31");
        assert_eq!(Collection::for_year(2025).unwrap().reference_date.to_string(), "2025-01-16");
        assert_eq!(Collection::for_year(2024), Err(UnsupportedYear(2024)));
    }
}
