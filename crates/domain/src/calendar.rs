//! How statutory time is counted. Every rule in the statutory clock goes through these functions so that
//! everyone counts alike (see `../shared/reference/statutory-rules.md` §3 and the foundation issue's
//! conventions).
//!
//! * Weeks are calendar weeks of 7 days, holidays included; a limit of N weeks from D is met when the
//!   step is done on or before `D + 7N` days (the strict legal outer limit).
//! * Days are calendar days unless the text says working days.
//! * Months are calendar months: `D + N months` keeps the day of the month, or takes the month's last
//!   day where it has no such day (31 January + 1 month = 28 or 29 February).
//! * "Within 12 months starting with D" ends on `D + 12 months - 1 day`.

use chrono::{Datelike, Days, Months, NaiveDate};

/// A calendar date. Waymark never needs a time of day inside a rule.
pub type Date = NaiveDate;

/// `date + 7 * weeks` days: the last day on which a limit of `weeks` weeks from `date` is met.
pub fn add_weeks(date: Date, weeks: u32) -> Date {
    add_days(date, 7 * u64::from(weeks))
}

/// `date + days` calendar days. Saturates at the largest date chrono can hold rather than panicking.
pub fn add_days(date: Date, days: u64) -> Date {
    date.checked_add_days(Days::new(days)).unwrap_or(NaiveDate::MAX)
}

/// `date - days` calendar days, saturating at the smallest date.
pub fn sub_days(date: Date, days: u64) -> Date {
    date.checked_sub_days(Days::new(days)).unwrap_or(NaiveDate::MIN)
}

/// `date + months` calendar months; where the target month is shorter, its last day.
pub fn add_months(date: Date, months: u32) -> Date {
    date.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// `date - months` calendar months; where the target month is shorter, its last day.
pub fn sub_months(date: Date, months: u32) -> Date {
    date.checked_sub_months(Months::new(months)).unwrap_or(NaiveDate::MIN)
}

/// The last day of a period of `months` months *starting with* `date`: `date + months - 1 day`.
///
/// [U] For a period starting on 29 February the law's "corresponding date" is doubtful: this follows
/// the project convention literally (29 Feb 2024 + 12 months = 28 Feb 2025, less a day = 27 Feb 2025).
/// Change it here, in one place, if a court or DfE says otherwise.
pub fn end_of_months_starting_with(date: Date, months: u32) -> Date {
    sub_days(add_months(date, months), 1)
}

/// Whether `date` is a working day in England: not a Saturday or Sunday, Christmas Day, Good Friday or a
/// bank holiday under the Banking and Financial Dealings Act 1971 (`statutory-rules.md` §3: Monday to
/// Friday excluding bank holidays, Christmas Day and Good Friday). [U] Whether SI 2014/1530 defines
/// "working day" itself is unconfirmed; this is the usual meaning.
///
/// The regular bank holidays follow their rules (substitute days when a fixed date falls at a weekend);
/// the one-off days proclaimed since 2020 are listed in [`PROCLAIMED_BANK_HOLIDAYS`], and later ones must
/// be added there.
pub fn is_working_day(date: Date) -> bool {
    use chrono::Weekday;
    if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        return false;
    }
    !is_bank_holiday(date)
}

/// Bank holidays in England and Wales proclaimed for one year only (moved or extra days).
pub const PROCLAIMED_BANK_HOLIDAYS: [(i32, u32, u32); 4] = [
    (2020, 5, 8),  // VE Day 75: the early May bank holiday moved from 4 May
    (2022, 6, 3),  // the Platinum Jubilee (the spring bank holiday moved to 2 June)
    (2022, 9, 19), // the State Funeral of Queen Elizabeth II
    (2023, 5, 8),  // the Coronation of King Charles III
];

fn is_bank_holiday(date: Date) -> bool {
    let (y, m, d) = (date.year(), date.month(), date.day());
    if PROCLAIMED_BANK_HOLIDAYS.contains(&(y, m, d)) {
        return true;
    }
    let easter = easter_sunday(y);
    let fixed = |month: u32, day: u32| date_in_year(y, month, day);
    let first_monday = |month: u32| (1..=7).filter_map(|day| fixed(month, day)).find(|t| t.weekday() == chrono::Weekday::Mon);
    let last_monday = |month: u32| (1..=31).rev().filter_map(|day| fixed(month, day)).find(|t| t.weekday() == chrono::Weekday::Mon);
    let mut days: Vec<Date> = Vec::with_capacity(8);
    // New Year's Day, or the next weekday when it falls at a weekend.
    days.extend(fixed(1, 1).map(next_weekday));
    days.push(sub_days(easter, 2)); // Good Friday
    days.push(add_days(easter, 1)); // Easter Monday
                                    // Early May: the first Monday, except in years when it was moved by proclamation.
    if y != 2020 {
        days.extend(first_monday(5));
    }
    // Spring: the last Monday of May, moved in 2022 (2 June), 2012 (4 June) and 2002 (4 June).
    match y {
        2022 => days.extend(fixed(6, 2)),
        2012 | 2002 => days.extend(fixed(6, 4)),
        _ => days.extend(last_monday(5)),
    }
    days.extend(last_monday(8)); // Summer
                                 // Christmas Day and Boxing Day, with substitutes: Christmas on a Saturday moves to Monday and Boxing
                                 // Day to Tuesday; Christmas on a Sunday gives Tuesday for Christmas (Boxing Day is the Monday).
    if let (Some(christmas), Some(boxing)) = (fixed(12, 25), fixed(12, 26)) {
        days.push(christmas);
        days.push(boxing);
        match christmas.weekday() {
            chrono::Weekday::Sat => days.extend([add_days(christmas, 2), add_days(christmas, 3)]),
            chrono::Weekday::Sun => days.push(add_days(christmas, 2)),
            chrono::Weekday::Fri => days.push(add_days(christmas, 3)),
            _ => {}
        }
    }
    days.contains(&date)
}

fn next_weekday(date: Date) -> Date {
    match date.weekday() {
        chrono::Weekday::Sat => add_days(date, 2),
        chrono::Weekday::Sun => add_days(date, 1),
        _ => date,
    }
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher").
pub fn easter_sunday(year: i32) -> Date {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date_in_year(year, month as u32, day as u32).unwrap_or(NaiveDate::MIN)
}

/// The working day `n` working days before `date` (`n = 0`: `date` itself if it is a working day,
/// else the working day before it).
pub fn sub_working_days(date: Date, n: u32) -> Date {
    let mut day = date;
    while !is_working_day(day) && day > NaiveDate::MIN {
        day = sub_days(day, 1);
    }
    let mut left = n;
    while left > 0 && day > NaiveDate::MIN {
        day = sub_days(day, 1);
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

/// Working days after `from` up to and including `to` (0 when `to` is not after `from`): how many
/// working days a step took.
pub fn working_days_between(from: Date, to: Date) -> u32 {
    let mut n = 0;
    let mut day = from;
    while day < to {
        day = add_days(day, 1);
        if is_working_day(day) {
            n += 1;
        }
    }
    n
}

/// The working day `n` working days after `date` (`n = 0`: `date` itself if it is a working day, else
/// the next working day).
pub fn add_working_days(date: Date, n: u32) -> Date {
    let mut day = date;
    while !is_working_day(day) && day < NaiveDate::MAX {
        day = add_days(day, 1);
    }
    let mut left = n;
    while left > 0 && day < NaiveDate::MAX {
        day = add_days(day, 1);
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    (to - from).num_days()
}

/// Weeks from `from` to `to`, to one decimal place, as DfE reports request-to-issue times.
pub fn weeks_between_1dp(from: Date, to: Date) -> f64 {
    let weeks = days_between(from, to) as f64 / 7.0;
    (weeks * 10.0).round() / 10.0
}

/// The given day and month in `year`, or `None` if there is no such date.
pub fn date_in_year(year: i32, month: u32, day: u32) -> Option<Date> {
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The start of the academic year (1 September) containing `date`.
pub fn academic_year_start(date: Date) -> Date {
    let year = if date.month() >= 9 { date.year() } else { date.year() - 1 };
    NaiveDate::from_ymd_opt(year, 9, 1).expect("1 September exists in every year")
}

/// Age in whole years on `on` of someone born on `born` (a 29 February birthday falls on 28 February
/// in other years, as chrono's month arithmetic gives).
pub fn age_on(born: Date, on: Date) -> i32 {
    let mut age = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

/// Parse an ISO 8601 calendar date (`YYYY-MM-DD`), rejecting impossible dates such as 2026-02-30.
pub fn parse_iso_date(text: &str) -> Result<Date, DateError> {
    let trimmed = text.trim();
    if trimmed.len() != 10 {
        return Err(DateError::Format(text.to_owned()));
    }
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").map_err(|_| {
        if trimmed.as_bytes().get(4) == Some(&b'-') && trimmed.as_bytes().get(7) == Some(&b'-') {
            DateError::Impossible(text.to_owned())
        } else {
            DateError::Format(text.to_owned())
        }
    })
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("'{0}' is not a date in the form YYYY-MM-DD")]
    Format(String),
    #[error("'{0}' is not a real calendar date")]
    Impossible(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_iso_date(s).unwrap()
    }

    #[test]
    fn six_weeks_from_a_date_is_42_days_later() {
        assert_eq!(add_weeks(d("2026-01-05"), 6), d("2026-02-16"));
    }

    #[test]
    fn twenty_weeks_cross_a_leap_day() {
        assert_eq!(add_weeks(d("2024-01-15"), 20), d("2024-06-03"));
        assert_eq!(add_weeks(d("2023-01-15"), 20), d("2023-06-04"));
    }

    #[test]
    fn months_clamp_to_the_end_of_a_shorter_month() {
        assert_eq!(add_months(d("2026-01-31"), 1), d("2026-02-28"));
        assert_eq!(add_months(d("2024-01-31"), 1), d("2024-02-29"));
        assert_eq!(add_months(d("2026-03-05"), 2), d("2026-05-05"));
    }

    #[test]
    fn twelve_months_starting_with_a_date_end_the_day_before_its_anniversary() {
        assert_eq!(end_of_months_starting_with(d("2025-06-16"), 12), d("2026-06-15"));
        assert_eq!(end_of_months_starting_with(d("2025-01-01"), 12), d("2025-12-31"));
        // Leap day start: the documented convention, D + 12 months (28 Feb) - 1 day.
        assert_eq!(end_of_months_starting_with(d("2024-02-29"), 12), d("2025-02-27"));
        // A start in a non-leap year running into a leap year.
        assert_eq!(end_of_months_starting_with(d("2023-03-01"), 12), d("2024-02-29"));
    }

    #[test]
    fn weeks_are_reported_to_one_decimal_place() {
        assert_eq!(weeks_between_1dp(d("2026-01-05"), d("2026-05-29")), 20.6);
        assert_eq!(weeks_between_1dp(d("2026-01-05"), d("2026-05-25")), 20.0);
    }

    #[test]
    fn impossible_and_malformed_dates_are_told_apart() {
        assert_eq!(parse_iso_date("2026-02-30"), Err(DateError::Impossible("2026-02-30".into())));
        assert_eq!(parse_iso_date("2025-02-29"), Err(DateError::Impossible("2025-02-29".into())));
        assert!(parse_iso_date("2024-02-29").is_ok());
        assert_eq!(parse_iso_date("30/02/2026"), Err(DateError::Format("30/02/2026".into())));
        assert_eq!(parse_iso_date("2026-1-5"), Err(DateError::Format("2026-1-5".into())));
    }

    #[test]
    fn age_counts_whole_years_and_leap_day_birthdays() {
        assert_eq!(age_on(d("2010-09-01"), d("2026-08-31")), 15);
        assert_eq!(age_on(d("2010-09-01"), d("2026-09-01")), 16);
        assert_eq!(age_on(d("2008-02-29"), d("2026-02-28")), 17);
        assert_eq!(age_on(d("2008-02-29"), d("2026-03-01")), 18);
    }

    #[test]
    fn the_academic_year_starts_on_1_september() {
        assert_eq!(academic_year_start(d("2026-08-31")), d("2025-09-01"));
        assert_eq!(academic_year_start(d("2026-09-01")), d("2026-09-01"));
    }

    /// England's bank holidays as GOV.UK lists them, for the working days of the SEND Regulations 2014
    /// (statutory-rules.md §3).
    #[test]
    fn working_days_skip_weekends_and_the_bank_holidays_of_england() {
        let holidays_2026 =
            ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"];
        let holidays_2027_substitutes = ["2027-12-27", "2027-12-28"];
        let holidays_2022 = ["2022-06-02", "2022-06-03", "2022-09-19", "2022-12-26", "2022-12-27"];
        for day in holidays_2026.iter().chain(&holidays_2027_substitutes).chain(&holidays_2022) {
            assert!(!is_working_day(d(day)), "{day} is a bank holiday");
        }
        let count_2026 = (0..365)
            .map(|i| add_days(d("2026-01-01"), i))
            .filter(|t| !is_working_day(*t) && t.weekday().num_days_from_monday() < 5)
            .count();
        assert_eq!(count_2026, 8, "England has 8 bank holidays in 2026");
        assert!(is_working_day(d("2026-05-26")));
        assert!(!is_working_day(d("2026-05-30")), "a Saturday");
        assert_eq!(easter_sunday(2025), d("2025-04-20"));
        assert_eq!(easter_sunday(2027), d("2027-03-28"));
    }

    #[test]
    fn counting_working_days_back_and_forward_passes_over_weekends_and_holidays() {
        // 5 working days before Tuesday 26 May 2026 (after the spring bank holiday): Mon 18 May.
        assert_eq!(sub_working_days(d("2026-05-26"), 5), d("2026-05-18"));
        // From a Saturday, counting starts at the Friday before.
        assert_eq!(sub_working_days(d("2026-05-30"), 0), d("2026-05-29"));
        // 1 working day after Thursday 24 December 2026: Tuesday 29 December.
        assert_eq!(add_working_days(d("2026-12-24"), 1), d("2026-12-29"));
        assert_eq!(add_working_days(d("2026-12-26"), 0), d("2026-12-29"));
    }
}
