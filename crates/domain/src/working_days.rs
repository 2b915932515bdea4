//! Working days in England and Wales: Monday to Friday, not a bank holiday (statutory-rules.md §3:
//! "Mon–Fri excluding bank holidays, Christmas Day and Good Friday"). Used where a limit is set in
//! working days: complaint responses, mediation certificates (reg 34), transfers (reg 15).
//!
//! Bank holidays follow the Banking and Financial Dealings Act 1971 schedule 1 and the usual royal
//! proclamations: New Year's Day, Good Friday, Easter Monday, the first and last Mondays of May, the
//! last Monday of August, Christmas Day and Boxing Day, with substitute days when one falls at a
//! weekend. One-off changes by proclamation are listed in [`ONE_OFF`]. [U] A proclamation for a year
//! not yet announced is not known here; the list must be kept up to date.

use crate::calendar::{add_days, Date};
use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// One-off changes by proclamation: (moved from, moved to) where a regular holiday moved, or
/// (None, extra day) for an extra one.
type Ymd = (i32, u32, u32);

const ONE_OFF: &[(Option<Ymd>, Ymd)] = &[
    (Some((2020, 5, 4)), (2020, 5, 8)),  // early May moved to VE Day's 75th anniversary
    (Some((2022, 5, 30)), (2022, 6, 2)), // spring holiday moved for the Platinum Jubilee
    (None, (2022, 6, 3)),                // Platinum Jubilee
    (None, (2022, 9, 19)),               // the State Funeral of Queen Elizabeth II
    (None, (2023, 5, 8)),                // the Coronation of King Charles III
];

fn ymd(y: i32, m: u32, d: u32) -> Date {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// Easter Sunday of `year` (the Anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

fn first_monday(year: i32, month: u32) -> Date {
    let first = ymd(year, month, 1);
    let offset = (7 - first.weekday().num_days_from_monday()) % 7;
    first + Duration::days(i64::from(offset))
}

fn last_monday(year: i32, month: u32) -> Date {
    let next = if month == 12 { ymd(year + 1, 1, 1) } else { ymd(year, month + 1, 1) };
    let last = next - Duration::days(1);
    last - Duration::days(i64::from(last.weekday().num_days_from_monday()))
}

/// The bank holidays of England and Wales in `year`, in date order.
pub fn bank_holidays(year: i32) -> Vec<Date> {
    let easter = easter_sunday(year);
    // New Year's Day: the next Monday when it falls at a weekend.
    let new_year = match ymd(year, 1, 1).weekday() {
        Weekday::Sat => ymd(year, 1, 3),
        Weekday::Sun => ymd(year, 1, 2),
        _ => ymd(year, 1, 1),
    };
    // Christmas and Boxing Day: substitutes on the following weekdays.
    let (christmas, boxing) = match ymd(year, 12, 25).weekday() {
        Weekday::Fri => (ymd(year, 12, 25), ymd(year, 12, 28)),
        Weekday::Sat => (ymd(year, 12, 27), ymd(year, 12, 28)),
        Weekday::Sun => (ymd(year, 12, 27), ymd(year, 12, 26)),
        _ => (ymd(year, 12, 25), ymd(year, 12, 26)),
    };
    let mut days = vec![
        new_year,
        easter - Duration::days(2),
        easter + Duration::days(1),
        first_monday(year, 5),
        last_monday(year, 5),
        last_monday(year, 8),
        christmas,
        boxing,
    ];
    for (from, to) in ONE_OFF {
        if to.0 != year {
            continue;
        }
        if let Some(from) = from {
            days.retain(|d| *d != ymd(from.0, from.1, from.2));
        }
        days.push(ymd(to.0, to.1, to.2));
    }
    days.sort();
    days
}

/// Whether `date` is a working day in England and Wales.
pub fn is_working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !bank_holidays(date.year()).contains(&date)
}

/// The day `n` working days after `date` (the day of `date` itself is not counted): a limit of N
/// working days from D is met when the step is done on or before this day. `n = 0` is `date`.
pub fn add_working_days(date: Date, n: u32) -> Date {
    let mut day = date;
    let mut left = n;
    while left > 0 {
        let next = add_days(day, 1);
        if next == day {
            return day;
        }
        day = next;
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

/// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        crate::calendar::parse_iso_date(s).unwrap()
    }

    #[test]
    fn bank_holidays_of_england_and_wales_2026_match_the_published_list() {
        let want: Vec<Date> =
            ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"]
                .iter()
                .map(|s| d(s))
                .collect();
        assert_eq!(bank_holidays(2026), want);
    }

    #[test]
    fn proclaimed_one_off_bank_holidays_replace_or_add_days() {
        let h = bank_holidays(2022);
        assert!(h.contains(&d("2022-06-02")) && h.contains(&d("2022-06-03")) && h.contains(&d("2022-09-19")));
        assert!(!h.contains(&d("2022-05-30")));
        assert!(bank_holidays(2023).contains(&d("2023-05-08")));
        // Christmas 2022 fell on a Sunday: the substitute is Tuesday 27 December.
        assert!(h.contains(&d("2022-12-26")) && h.contains(&d("2022-12-27")));
    }

    #[test]
    fn working_days_skip_weekends_and_bank_holidays() {
        // Thursday 2 April 2026 + 3 working days: Good Friday and Easter Monday are skipped.
        assert_eq!(add_working_days(d("2026-04-02"), 3), d("2026-04-09"));
        assert_eq!(add_working_days(d("2026-11-20"), 10), d("2026-12-04"));
        assert_eq!(working_days_between(d("2026-11-20"), d("2026-12-04")), 10);
        assert_eq!(working_days_between(d("2026-12-04"), d("2026-11-20")), 0);
        assert!(!is_working_day(d("2026-12-25")) && is_working_day(d("2026-12-24")));
    }
}
