//! NHS number: 10 digits; weights 10..2 on the first nine, check = 11 - (sum mod 11), 11 means 0 and
//! 10 means the number is invalid (NHS Data Dictionary, "NHS NUMBER").

use super::{serde_via_str, IdentifierError};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NhsNumber(String);

pub(crate) fn check_digit(first_nine: &[u8]) -> Option<u8> {
    let sum: u32 = first_nine.iter().zip((2..=10).rev()).map(|(b, w)| u32::from(b - b'0') * w).sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        d => Some(d as u8),
    }
}

impl NhsNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Complete a 9-digit stem with its check digit, or `None` where no check digit exists.
    pub fn from_stem(stem: &str) -> Option<Self> {
        let digit = check_digit(stem.as_bytes())?;
        format!("{stem}{digit}").parse().ok()
    }
}

impl FromStr for NhsNumber {
    type Err = IdentifierError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // Accept the usual printed form "943 476 5919" as well as the bare digits.
        let digits: String = text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        let err = |rule, msg: &str| IdentifierError::new("NHS number", text, rule, msg);
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("nhs_number_format", "an NHS number is exactly 10 digits"));
        }
        let bytes = digits.as_bytes();
        match check_digit(&bytes[..9]) {
            Some(d) if d == bytes[9] - b'0' => Ok(Self(digits)),
            _ => Err(err("nhs_number_check_digit", "the check digit is wrong (modulus 11)")),
        }
    }
}

impl fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
serde_via_str!(NhsNumber);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nhs_number_modulus_11_accepts_a_valid_number_in_printed_form() {
        // 943 476 5919: the NHS Data Dictionary's worked example.
        assert_eq!("943 476 5919".parse::<NhsNumber>().unwrap().as_str(), "9434765919");
    }

    #[test]
    fn nhs_number_modulus_11_rejects_a_wrong_check_digit() {
        assert_eq!("9434765918".parse::<NhsNumber>().unwrap_err().rule, "nhs_number_check_digit");
    }

    #[test]
    fn nhs_number_whose_check_would_be_10_is_never_valid() {
        // 100000001: weighted sum 12, 12 mod 11 = 1, so the check would be 10: no valid number.
        assert!(NhsNumber::from_stem("100000001").is_none());
        assert!((0..10).all(|d| format!("100000001{d}").parse::<NhsNumber>().is_err()));
    }

    #[test]
    fn nhs_number_must_be_ten_digits() {
        assert_eq!("94347659".parse::<NhsNumber>().unwrap_err().rule, "nhs_number_format");
        assert_eq!("94347659AB".parse::<NhsNumber>().unwrap_err().rule, "nhs_number_format");
    }
}
