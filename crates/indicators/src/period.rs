//! Reporting periods: calendar, academic and financial years, calendar quarters, and census dates.
//!
//! Every period has a first and last day (inclusive) and a *reference date*, the day a snapshot measure
//! (a caseload, a school population) is taken on. A year `Y` chosen on the command line means, for each
//! kind: calendar year `Y`; academic year `Y/Y+1`; financial year `Y/Y+1`; the four quarters of `Y`; and
//! the January census that closes calendar year `Y` (the SEN2 collection of `Y+1`, as DfE reports it).

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;
use waymark_domain::calendar::Date;

/// How an indicator's period is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    CalendarYear,
    AcademicYear,
    FinancialYear,
    Quarter,
    Census,
    /// Calendar months: the twelve months up to the data's day (the month so far included), so a
    /// manager sees this month against the last ones.
    Month,
}

impl PeriodKind {
    pub const NAMES: &'static str = "calendar_year, academic_year, financial_year, quarter, census, month";
}

/// One period of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Period {
    pub start: Date,
    pub end: Date,
    /// The day snapshot measures are taken.
    pub reference: Date,
    #[serde(skip)]
    pub kind_order: u8,
}

fn ymd(y: i32, m: u32, d: u32) -> Date {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// The census (reference) day of the January collection of `year`. SEN2 lists the days for 2023-2027
/// (sen2.md §1); for other years the third Thursday of January is assumed, which those listed days all
/// are. [U] DfE has not published census days before 2023 or after 2027 in the reference we hold.
pub fn census_day(year: i32) -> Date {
    match year {
        2023 => ymd(2023, 1, 19),
        2024 => ymd(2024, 1, 18),
        2025 => ymd(2025, 1, 16),
        2026 => ymd(2026, 1, 15),
        2027 => ymd(2027, 1, 21),
        _ => third_thursday_of_january(year),
    }
}

fn third_thursday_of_january(year: i32) -> Date {
    let first = ymd(year, 1, 1);
    let offset = (7 + Weekday::Thu.num_days_from_monday() as i64 - first.weekday().num_days_from_monday() as i64) % 7;
    first + Duration::days(offset + 14)
}

impl Period {
    /// The periods of `kind` that belong to year `year` (see the module comment).
    pub fn for_year(kind: PeriodKind, year: i32) -> Vec<(String, Period)> {
        match kind {
            PeriodKind::CalendarYear => {
                vec![(
                    year.to_string(),
                    Period { start: ymd(year, 1, 1), end: ymd(year, 12, 31), reference: census_day(year + 1), kind_order: 0 },
                )]
            }
            PeriodKind::AcademicYear => vec![(
                format!("{year}/{:02}", (year + 1) % 100),
                Period { start: ymd(year, 9, 1), end: ymd(year + 1, 8, 31), reference: census_day(year + 1), kind_order: 1 },
            )],
            PeriodKind::FinancialYear => vec![(
                format!("FY{year}/{:02}", (year + 1) % 100),
                Period { start: ymd(year, 4, 1), end: ymd(year + 1, 3, 31), reference: ymd(year + 1, 3, 31), kind_order: 2 },
            )],
            PeriodKind::Quarter => (1..=4)
                .map(|q| {
                    let start = ymd(year, 3 * q - 2, 1);
                    let end = if q == 4 { ymd(year, 12, 31) } else { ymd(year, 3 * q + 1, 1) - Duration::days(1) };
                    (format!("{year}-Q{q}"), Period { start, end, reference: end, kind_order: 3 })
                })
                .collect(),
            PeriodKind::Census => {
                let day = census_day(year + 1);
                vec![(day.to_string(), Period { start: ymd(year, 1, 1), end: day, reference: day, kind_order: 4 })]
            }
            PeriodKind::Month => (1..=12).map(|m| Self::month(year, m)).collect(),
        }
    }

    /// One calendar month, labelled `2026-03`; snapshot measures are taken on its last day.
    pub fn month(year: i32, month: u32) -> (String, Period) {
        let start = ymd(year, month, 1);
        let end = if month == 12 { ymd(year, 12, 31) } else { ymd(year, month + 1, 1) - Duration::days(1) };
        (format!("{year}-{month:02}"), Period { start, end, reference: end, kind_order: 5 })
    }

    /// The twelve months up to and including the month of `day`, oldest first.
    pub fn last_twelve_months(day: Date) -> Vec<(String, Period)> {
        let (y, m) = (day.year(), day.month() as i32);
        (0..12)
            .rev()
            .map(|back| {
                let k = y * 12 + (m - 1) - back;
                Self::month(k.div_euclid(12), (k.rem_euclid(12) + 1) as u32)
            })
            .collect()
    }

    pub fn contains(&self, d: Date) -> bool {
        self.start <= d && d <= self.end
    }
}

impl fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CalendarYear => "calendar year",
            Self::AcademicYear => "academic year",
            Self::FinancialYear => "financial year",
            Self::Quarter => "quarter",
            Self::Census => "census date",
            Self::Month => "month",
        })
    }
}

/// The year a period label belongs to (`2024`, `2024/25`, `FY2024/25`, `2024-Q3`, or a census date
/// `2025-01-16`, which closes calendar year 2024).
pub fn year_of_label(label: &str) -> Option<i32> {
    let l = label.trim();
    let l = l.strip_prefix("FY").unwrap_or(l);
    if l.len() == 10 && l.as_bytes().get(4) == Some(&b'-') && l.as_bytes().get(7) == Some(&b'-') {
        return l.get(..4)?.parse::<i32>().ok().map(|y| y - 1);
    }
    l.get(..4)?.parse().ok().filter(|y: &i32| (1990..=2100).contains(y))
}

/// The label of the period of `kind` that holds `day` (the quarter `2026-Q4`, the academic year
/// `2026/27`, ...), as the engine labels it; `None` for a census, which is a day rather than a span.
pub fn label_of(kind: PeriodKind, day: Date) -> Option<String> {
    use chrono::Datelike;
    if kind == PeriodKind::Census {
        return None;
    }
    if kind == PeriodKind::Month {
        return Some(Period::month(day.year(), day.month()).0);
    }
    (day.year() - 1..=day.year()).flat_map(|y| Period::for_year(kind, y)).find(|(_, p)| p.contains(day)).map(|(label, _)| label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sen2_census_days_are_the_listed_thursdays_and_the_third_thursday_otherwise() {
        assert_eq!(census_day(2025), ymd(2025, 1, 16));
        assert_eq!(census_day(2026), ymd(2026, 1, 15));
        for y in 2023..=2027 {
            assert_eq!(census_day(y), third_thursday_of_january(y), "listed day for {y} is the third Thursday");
        }
        assert_eq!(census_day(2020), ymd(2020, 1, 16));
        assert_eq!(census_day(2020).weekday(), Weekday::Thu);
    }

    #[test]
    fn a_calendar_year_is_reported_at_the_census_that_closes_it() {
        let (label, p) = Period::for_year(PeriodKind::CalendarYear, 2024).remove(0);
        assert_eq!(label, "2024");
        assert_eq!((p.start, p.end, p.reference), (ymd(2024, 1, 1), ymd(2024, 12, 31), ymd(2025, 1, 16)));
        let (label, _) = Period::for_year(PeriodKind::AcademicYear, 2024).remove(0);
        assert_eq!(label, "2024/25");
        assert_eq!(Period::for_year(PeriodKind::Quarter, 2024)[1].1.end, ymd(2024, 6, 30));
        assert_eq!(year_of_label("2025-01-16"), Some(2024));
        assert_eq!(year_of_label("FY2024/25"), Some(2024));
        assert_eq!(year_of_label("2024/25"), Some(2024));
        assert_eq!(year_of_label("nonsense"), None);
    }

    #[test]
    fn a_day_falls_in_the_period_label_the_engine_uses() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(label_of(PeriodKind::Quarter, d).as_deref(), Some("2026-Q4"));
        assert_eq!(label_of(PeriodKind::AcademicYear, d).as_deref(), Some("2026/27"));
        assert_eq!(label_of(PeriodKind::CalendarYear, d).as_deref(), Some("2026"));
        assert_eq!(label_of(PeriodKind::Census, d), None);
    }
}
