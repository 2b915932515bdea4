//! Quarters of a calendar year (`2026Q1` is January to March 2026): the period of a progress note and of
//! a board report. Calendar quarters, not financial ones, so that `2026Q1` reads as what it says; a plan
//! that runs April to March, as Portsmouth's did, reports its first financial quarter as `2016Q2`.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub q: u8,
}

impl Quarter {
    pub fn containing(date: NaiveDate) -> Self {
        Self { year: date.year(), q: (date.month0() / 3) as u8 + 1 }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, u32::from(self.q - 1) * 3 + 1, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    pub fn previous(self) -> Self {
        if self.q == 1 {
            Self { year: self.year - 1, q: 4 }
        } else {
            Self { year: self.year, q: self.q - 1 }
        }
    }

    pub fn next(self) -> Self {
        if self.q == 4 {
            Self { year: self.year + 1, q: 1 }
        } else {
            Self { year: self.year, q: self.q + 1 }
        }
    }

    /// "January to March 2026".
    pub fn words(self) -> String {
        let (a, b) = match self.q {
            1 => ("January", "March"),
            2 => ("April", "June"),
            3 => ("July", "September"),
            _ => ("October", "December"),
        };
        format!("{a} to {b} {}", self.year)
    }
}

impl FromStr for Quarter {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_uppercase();
        let bad = || format!("'{}' is not a quarter: write it as 2026Q1 (Q1 is January to March)", s.trim());
        let (y, q) = t.split_once('Q').ok_or_else(bad)?;
        let y = y.trim_end_matches(['-', ' ']);
        let year: i32 = if y.len() == 4 { y.parse().map_err(|_| bad())? } else { return Err(bad()) };
        let q: u8 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&q) || !(1900..=9999).contains(&year) {
            return Err(bad());
        }
        Ok(Self { year, q })
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

impl TryFrom<String> for Quarter {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Quarter> for String {
    fn from(q: Quarter) -> String {
        q.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_is_three_calendar_months() {
        let q: Quarter = "2026Q1".parse().unwrap();
        assert_eq!(q.first_day(), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(q.last_day(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
        assert_eq!(q.previous().to_string(), "2025Q4");
        assert_eq!(q.words(), "January to March 2026");
        assert_eq!(Quarter::containing(NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()).to_string(), "2026Q4");
        assert_eq!("2026-q2".parse::<Quarter>().unwrap().to_string(), "2026Q2");
        for bad in ["2026Q5", "26Q1", "2026", "Q1 2026", ""] {
            assert!(bad.parse::<Quarter>().unwrap_err().contains("is not a quarter"), "{bad}");
        }
    }
}
