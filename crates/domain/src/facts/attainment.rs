//! Attainment: the early years foundation stage profile, the phonics screening check, key stage 2
//! and key stage 4 results, and level 2 and level 3 by age 19 (the measures of Portsmouth 2016
//! Appendix I indicators 19-26 and Hertfordshire's proxy indicators f-h, as DfE now defines them).

use super::codes::{checked_record, code_set};
use super::{AcademicYear, FactError};
use crate::identifiers::Urn;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A good level of development at the end of reception (EYFSP): the child reached the expected
/// level in the early learning goals of the prime areas and of literacy and mathematics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EyfspResult {
    pub academic_year: AcademicYear,
    pub urn: Urn,
    pub good_level_of_development: bool,
}

code_set! {
    /// The year group a phonics check was taken in: year 1, or the year 2 retake.
    pub enum PhonicsYear (field = "year_group", rule = "phonics_year_code") {
        Year1 = "1" => "Year 1 check",
        Year2 = "2" => "Year 2 retake",
    }
}

/// The phonics screening check: whether the pupil met the expected standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhonicsResult {
    pub academic_year: AcademicYear,
    pub urn: Urn,
    pub year_group: PhonicsYear,
    pub met_standard: bool,
}

/// A key stage 2 test scaled score: 80 to 120; 100 or more meets the expected standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct ScaledScore(u8);

/// The scaled score at and above which a KS2 test meets the expected standard.
pub const KS2_EXPECTED_SCALED_SCORE: u8 = 100;

impl ScaledScore {
    /// A score from 80 to 120; `field` names the column for the error.
    pub fn new(field: &'static str, score: u8) -> Result<Self, FactError> {
        if !(80..=120).contains(&score) {
            return Err(FactError::new(field, &score.to_string(), "scaled_score_range", "a KS2 scaled score is from 80 to 120"));
        }
        Ok(Self(score))
    }

    pub fn value(self) -> u8 {
        self.0
    }

    pub fn meets_expected_standard(self) -> bool {
        self.0 >= KS2_EXPECTED_SCALED_SCORE
    }
}

impl TryFrom<u8> for ScaledScore {
    type Error = FactError;
    fn try_from(score: u8) -> Result<Self, FactError> {
        Self::new("scaled_score", score)
    }
}

impl From<ScaledScore> for u8 {
    fn from(s: ScaledScore) -> u8 {
        s.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ks2Fields {
    pub academic_year: AcademicYear,
    pub urn: Urn,
    pub reading_expected: bool,
    /// Writing is teacher-assessed: no scaled score.
    pub writing_expected: bool,
    pub maths_expected: bool,
    /// Blank when the pupil did not sit the test (absent, working below the test's standard).
    #[serde(default)]
    pub reading_scaled: Option<ScaledScore>,
    #[serde(default)]
    pub maths_scaled: Option<ScaledScore>,
}

/// A test result agrees with its scaled score: the expected standard is a scaled score of 100+.
fn check_ks2(f: &Ks2Fields) -> Result<(), FactError> {
    for (field, expected, score) in
        [("reading_expected", f.reading_expected, f.reading_scaled), ("maths_expected", f.maths_expected, f.maths_scaled)]
    {
        if let Some(score) = score {
            if score.meets_expected_standard() != expected {
                return Err(FactError::new(
                    field,
                    if expected { "Y" } else { "N" },
                    "ks2_expected_mismatch",
                    format!("disagrees with the scaled score {}: the expected standard is a scaled score of 100 or more", score.value()),
                ));
            }
        }
    }
    Ok(())
}

checked_record! {
    /// Key stage 2 results: reading, writing and maths at the expected standard, and the reading and
    /// maths scaled scores.
    Ks2Result(Ks2Fields), check_ks2
}

impl Ks2Result {
    /// Reading, writing and maths all at the expected standard (DfE's headline KS2 measure).
    pub fn rwm_expected(&self) -> bool {
        self.reading_expected && self.writing_expected && self.maths_expected
    }
}

/// A decimal held in hundredths, so that it compares exactly: `45.5` is 4550.
fn parse_hundredths(field: &'static str, rule: &'static str, text: &str) -> Result<i32, FactError> {
    let err = || FactError::new(field, text, rule, "must be a number with at most two decimal places, e.g. 45.5 or -1.25");
    let t = text.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || whole.len() > 4 || frac.len() > 2 || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let whole: i32 = whole.parse().map_err(|_| err())?;
    let frac: i32 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| err())? };
    let value = whole * 100 + frac;
    Ok(if negative { -value } else { value })
}

fn write_hundredths(f: &mut fmt::Formatter<'_>, value: i32) -> fmt::Result {
    let sign = if value < 0 { "-" } else { "" };
    let v = value.unsigned_abs();
    write!(f, "{sign}{}.{:02}", v / 100, v % 100)
}

/// A pupil's Attainment 8 score: 0 to 90 (eight subjects, grades 9 to 1, English and maths double
/// weighted), to two decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Attainment8(i32);

impl Attainment8 {
    pub fn value(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

impl FromStr for Attainment8 {
    type Err = FactError;
    fn from_str(text: &str) -> Result<Self, FactError> {
        let v = parse_hundredths("attainment8", "attainment8_format", text)?;
        if !(0..=9000).contains(&v) {
            return Err(FactError::new("attainment8", text, "attainment8_range", "an Attainment 8 score is from 0 to 90"));
        }
        Ok(Self(v))
    }
}

impl fmt::Display for Attainment8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hundredths(f, self.0)
    }
}
crate::identifiers::serde_via_str!(Attainment8);

/// A pupil's Progress 8 score, to two decimal places. [U] Pupil scores are unbounded in principle;
/// DfE caps extreme negative scores, so -10 to +10 is accepted as a sanity range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Progress8(i32);

impl Progress8 {
    pub fn value(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

impl FromStr for Progress8 {
    type Err = FactError;
    fn from_str(text: &str) -> Result<Self, FactError> {
        let v = parse_hundredths("progress8", "progress8_format", text)?;
        if !(-1000..=1000).contains(&v) {
            return Err(FactError::new("progress8", text, "progress8_range", "a Progress 8 score is from -10 to 10"));
        }
        Ok(Self(v))
    }
}

impl fmt::Display for Progress8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hundredths(f, self.0)
    }
}
crate::identifiers::serde_via_str!(Progress8);

/// Key stage 4 results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ks4Result {
    pub academic_year: AcademicYear,
    pub urn: Urn,
    pub attainment8: Attainment8,
    /// Blank where DfE publishes none (no KS2 baseline; DfE did not calculate Progress 8 for 2024/25
    /// and 2025/26, the cohorts without KS2 tests in 2020 and 2021).
    #[serde(default)]
    pub progress8: Option<Progress8>,
    /// Grade 4 or above in both English and maths.
    pub english_maths_grade4: bool,
}

/// Level 2 and level 3 qualifications by age 19 (DfE's matched "level 2 and 3 attainment by age 19"):
/// `academic_year` is the year at whose end the young person was 19.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelBy19 {
    pub academic_year: AcademicYear,
    pub level2: bool,
    /// Level 2 including English and maths, where known.
    #[serde(default)]
    pub level2_english_maths: Option<bool>,
    pub level3: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ks2(reading_expected: bool, reading_scaled: Option<u8>) -> Result<Ks2Result, FactError> {
        Ks2Result::new(Ks2Fields {
            academic_year: "2024/25".parse().unwrap(),
            urn: "100001".parse().unwrap(),
            reading_expected,
            writing_expected: true,
            maths_expected: true,
            reading_scaled: reading_scaled.map(|s| ScaledScore::new("reading_scaled", s).unwrap()),
            maths_scaled: None,
        })
    }

    #[test]
    fn ks2_expected_standard_is_a_scaled_score_of_100_or_more() {
        assert!(ks2(true, Some(100)).unwrap().rwm_expected());
        assert!(!ks2(false, Some(99)).unwrap().rwm_expected());
        assert_eq!(ks2(true, Some(99)).unwrap_err().rule, "ks2_expected_mismatch");
        assert_eq!(ks2(false, Some(100)).unwrap_err().rule, "ks2_expected_mismatch");
        assert!(ks2(false, None).is_ok(), "no test taken: the teacher's judgement stands");
        assert_eq!(ScaledScore::new("maths_scaled", 121).unwrap_err().rule, "scaled_score_range");
        assert_eq!(ScaledScore::new("maths_scaled", 79).unwrap_err().field, "maths_scaled");
    }

    #[test]
    fn attainment8_is_0_to_90_and_progress8_is_signed_both_to_two_decimals() {
        assert_eq!("45.5".parse::<Attainment8>().unwrap().to_string(), "45.50");
        assert_eq!("90".parse::<Attainment8>().unwrap().value(), 90.0);
        assert_eq!("90.01".parse::<Attainment8>().unwrap_err().rule, "attainment8_range");
        assert_eq!("-1".parse::<Attainment8>().unwrap_err().rule, "attainment8_range");
        assert_eq!("4.555".parse::<Attainment8>().unwrap_err().rule, "attainment8_format");
        assert_eq!("abc".parse::<Attainment8>().unwrap_err().rule, "attainment8_format");
        assert_eq!("-1.13".parse::<Progress8>().unwrap().to_string(), "-1.13");
        assert_eq!("-0.5".parse::<Progress8>().unwrap().value(), -0.5);
        assert_eq!("+0.1".parse::<Progress8>().unwrap().to_string(), "0.10");
        assert_eq!("-10.01".parse::<Progress8>().unwrap_err().rule, "progress8_range");
        let json = serde_json::to_string(&"12.3".parse::<Attainment8>().unwrap()).unwrap();
        assert_eq!(json, r#""12.30""#);
    }
}
