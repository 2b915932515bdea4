//! Unique Learner Number: 10 digits, first digit non-zero; weights 10..1, the sum mod 11 must be 10
//! (school census rule 1575; `../shared/reference/sen2.md` §9).

use super::{serde_via_str, IdentifierError};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uln(String);

impl Uln {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Complete a 9-digit stem with the digit that makes a valid ULN, if one exists (for generators).
    pub fn from_stem(stem: &str) -> Option<Self> {
        (0..=9).map(|d| format!("{stem}{d}")).find_map(|c| c.parse().ok())
    }
}

impl FromStr for Uln {
    type Err = IdentifierError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let uln = text.trim();
        let err = |rule, msg: &str| IdentifierError::new("ULN", text, rule, msg);
        if uln.len() != 10 || !uln.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("uln_format", "a ULN is exactly 10 digits"));
        }
        if uln.starts_with('0') {
            return Err(err("uln_format", "a ULN cannot start with 0"));
        }
        let sum: u32 = uln.bytes().zip((1..=10).rev()).map(|(b, w)| u32::from(b - b'0') * w).sum();
        if sum % 11 != 10 {
            return Err(err("uln_check_digit", "the check digit is wrong (rule 1575)"));
        }
        Ok(Self(uln.to_owned()))
    }
}

impl fmt::Display for Uln {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
serde_via_str!(Uln);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uln_rule_1575_worked_example_is_valid() {
        // 9276308686: weighted sum 296, 296 mod 11 = 10.
        assert!("9276308686".parse::<Uln>().is_ok());
    }

    #[test]
    fn uln_rule_1575_rejects_bad_check_digits_and_formats() {
        assert_eq!("9276308687".parse::<Uln>().unwrap_err().rule, "uln_check_digit");
        assert_eq!("927630868".parse::<Uln>().unwrap_err().rule, "uln_format");
        assert_eq!("0276308686".parse::<Uln>().unwrap_err().rule, "uln_format");
        assert_eq!("92763O8686".parse::<Uln>().unwrap_err().rule, "uln_format");
    }

    #[test]
    fn a_stem_is_completed_to_a_valid_uln_when_possible() {
        assert_eq!(Uln::from_stem("927630868").unwrap().as_str(), "9276308686");
    }
}
