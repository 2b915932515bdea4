//! When a deliverable is due: a day, or a month as the seeds write it ("Jun 16", "Dec16", "March 2017").
//! A month means by the end of that month.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Due {
    Day { date: NaiveDate },
    Month { year: i32, month: u32 },
}

impl Due {
    /// The last day the work may be done: the day itself, or the month's last day.
    pub fn last_day(self) -> NaiveDate {
        match self {
            Self::Day { date } => date,
            Self::Month { year, month } => {
                let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
                NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
            }
        }
    }

    /// The code in the CSV and JSON: `2016-06-30` for a day, `2016-06` for a month.
    pub fn code(self) -> String {
        match self {
            Self::Day { date } => date.format("%Y-%m-%d").to_string(),
            Self::Month { year, month } => format!("{year:04}-{month:02}"),
        }
    }

    /// Read a due date: `2016-06-30`, `30/06/2016`, `2016-06`, `Jun 16`, `Jun16`, `June 2016`, `Sept 16`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let bad = || format!("'{t}' is not a date: write it as 2016-06-30, 30/06/2016, or a month as Jun 16, June 2016 or 2016-06");
        if t.is_empty() {
            return Err("a due date is needed (a day such as 2016-06-30 or a month such as Jun 16)".into());
        }
        if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return Ok(Self::Day { date });
        }
        if let Ok(date) = NaiveDate::parse_from_str(t, "%d/%m/%Y") {
            return Ok(Self::Day { date });
        }
        if let Some((y, m)) = t.split_once('-') {
            if y.len() == 4 && m.len() == 2 {
                if let (Ok(year), Ok(month)) = (y.parse::<i32>(), m.parse::<u32>()) {
                    if (1..=12).contains(&month) {
                        return Ok(Self::Month { year, month });
                    }
                }
            }
            return Err(bad());
        }
        // A month name (three letters or more, "Sept" too) and a year of two or four digits, with or
        // without a space between them.
        let letters: String = t.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        let rest = t[letters.len()..].trim().trim_start_matches(['\'', '’']);
        if letters.len() < 3 || rest.is_empty() || !rest.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let lower = letters.to_ascii_lowercase();
        let month = MONTHS
            .iter()
            .position(|m| {
                let m = m.to_ascii_lowercase();
                m.starts_with(&lower) || (lower == "sept" && m == "september")
            })
            .ok_or_else(bad)? as u32
            + 1;
        let year: i32 = match rest.len() {
            2 => 2000 + rest.parse::<i32>().map_err(|_| bad())?,
            4 => rest.parse().map_err(|_| bad())?,
            _ => return Err(bad()),
        };
        Ok(Self::Month { year, month })
    }
}

impl fmt::Display for Due {
    /// As people read it: "30 June 2016", "June 2016".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Day { date } => write!(f, "{} {} {}", date.day(), MONTHS[date.month0() as usize], date.year()),
            Self::Month { year, month } => write!(f, "{} {year}", MONTHS[(*month as usize).clamp(1, 12) - 1]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_seeds_month_and_two_digit_year_is_a_month_due_by_its_last_day() {
        assert_eq!(Due::parse("Jun 16"), Ok(Due::Month { year: 2016, month: 6 }));
        assert_eq!(Due::parse("Dec16"), Ok(Due::Month { year: 2016, month: 12 }));
        assert_eq!(Due::parse("Sept 16"), Ok(Due::Month { year: 2016, month: 9 }));
        assert_eq!(Due::parse("March 2017"), Ok(Due::Month { year: 2017, month: 3 }));
        assert_eq!(Due::parse("2017-02"), Ok(Due::Month { year: 2017, month: 2 }));
        assert_eq!(Due::parse("Feb 16").unwrap().last_day(), d(2016, 2, 29), "a leap year's February");
        assert_eq!(Due::parse("Dec 16").unwrap().last_day(), d(2016, 12, 31));
        assert_eq!(Due::parse("Jun 16").unwrap().to_string(), "June 2016");
        assert_eq!(Due::parse("Jun 16").unwrap().code(), "2016-06");
    }

    #[test]
    fn a_day_reads_in_iso_or_uk_order() {
        assert_eq!(Due::parse("2016-06-30"), Ok(Due::Day { date: d(2016, 6, 30) }));
        assert_eq!(Due::parse("30/06/2016"), Ok(Due::Day { date: d(2016, 6, 30) }));
        assert_eq!(Due::parse("2016-06-30").unwrap().to_string(), "30 June 2016");
    }

    #[test]
    fn what_is_not_a_date_says_how_to_write_one() {
        for bad in ["Jum 16", "16 Jun", "2016-13", "31/02/2016", "Jun 2016x", "Ju 16", "soon"] {
            let e = Due::parse(bad).unwrap_err();
            assert!(e.contains("is not a date"), "{bad}: {e}");
        }
        assert!(Due::parse(" ").unwrap_err().contains("needed"));
    }
}
