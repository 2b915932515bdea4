//! Unique Pupil Number (CBDS N00001): 13 characters, a check letter then the allocating LA (2-4),
//! establishment (5-8), year (9-10) and serial (11-13). A temporary UPN ends in a letter.
//! Algorithm and worked examples: `../shared/reference/sen2.md` §9 (DfE UPN guide; CIN rules 1510-1550).

use super::{serde_via_str, IdentifierError, LaCode};
use std::fmt;
use std::str::FromStr;

/// The 23 letters used for the check letter and a temporary UPN's last character, in value order
/// (A = 0 ... Z = 22). I, O and S are never used.
const CHECK_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// A UPN whose check letter, LA and character rules all hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Upn(String);

/// Whether a UPN is permanent or temporary (issued until the permanent one is known).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpnKind {
    Permanent,
    Temporary,
}

fn letter_value(c: u8) -> Option<u32> {
    CHECK_LETTERS.iter().position(|&l| l == c).map(|p| p as u32)
}

/// The check letter for a 12-character UPN body (positions 2-13), or `None` if the body has a
/// character no UPN may hold.
pub(crate) fn check_letter(body: &[u8]) -> Option<char> {
    if body.len() != 12 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in body.iter().enumerate() {
        let weight = i as u32 + 2;
        let value = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else if i == 11 {
            letter_value(c)?
        } else {
            return None;
        };
        sum += value * weight;
    }
    Some(CHECK_LETTERS[(sum % 23) as usize] as char)
}

impl Upn {
    /// Build a UPN from its 12-character body, computing the check letter (used by generators).
    pub fn from_body(body: &str) -> Result<Self, IdentifierError> {
        let letter = check_letter(body.as_bytes())
            .ok_or_else(|| IdentifierError::new("UPN", body, "upn_characters", "the body must be 11 digits then a digit or letter"))?;
        format!("{letter}{body}").parse()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> UpnKind {
        if self.0.as_bytes()[12].is_ascii_digit() {
            UpnKind::Permanent
        } else {
            UpnKind::Temporary
        }
    }

    /// The DfE number of the LA that allocated the UPN (characters 2-4).
    pub fn allocating_la(&self) -> LaCode {
        self.0[1..4].parse().expect("checked when parsed")
    }
}

impl FromStr for Upn {
    type Err = IdentifierError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let upn = text.trim().to_ascii_uppercase();
        let bytes = upn.as_bytes();
        let err = |rule, msg: &str| IdentifierError::new("UPN", text, rule, msg);
        if bytes.len() != 13 {
            return Err(err("upn_length", "a UPN has exactly 13 characters"));
        }
        if letter_value(bytes[0]).is_none() {
            return Err(err("upn_check_letter_character", "the first character must be a letter other than I, O or S"));
        }
        // CIN/school census rule 1540: characters 5-12 numeric (and 2-4, the LA number, are digits).
        if !bytes[1..12].iter().all(u8::is_ascii_digit) {
            return Err(err("upn_digits", "characters 2 to 12 must be digits (rule 1540)"));
        }
        // Rule 1550: character 13 is a digit, or a letter other than I, O, S for a temporary UPN.
        if !(bytes[12].is_ascii_digit() || letter_value(bytes[12]).is_some()) {
            return Err(err("upn_last_character", "character 13 must be a digit, or a letter other than I, O or S (rule 1550)"));
        }
        // Rule 1530: characters 2-4 are a DfE LA number valid in UPNs.
        if LaCode::from_str(&upn[1..4]).map(|la| !la.is_valid_in_upn()).unwrap_or(true) {
            return Err(err("upn_la", "characters 2 to 4 are not a DfE local authority number used in UPNs (rule 1530)"));
        }
        // Rule 1510: the check letter.
        let expected = check_letter(&bytes[1..]).expect("characters checked above");
        if expected as u8 != bytes[0] {
            return Err(err("upn_check_letter", &format!("the check letter should be {expected}, not {} (rule 1510)", bytes[0] as char)));
        }
        Ok(Self(upn))
    }
}

impl fmt::Display for Upn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
serde_via_str!(Upn);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn upn_check_letter_worked_example_from_the_dfe_guide() {
        // sen2.md §9: body 931200124123 sums to 181, 181 mod 23 = 20 = X.
        let upn: Upn = "X931200124123".parse().unwrap();
        assert_eq!(upn.kind(), UpnKind::Permanent);
        assert_eq!(upn.allocating_la().to_string(), "931");
        assert!("B801200005001".parse::<Upn>().is_ok());
    }

    #[test]
    fn temporary_upn_letter_counts_by_its_table_value() {
        let upn: Upn = "H93120012412C".parse().unwrap();
        assert_eq!(upn.kind(), UpnKind::Temporary);
    }

    #[test]
    fn upn_rule_1510_rejects_a_wrong_check_letter() {
        let err = "A931200124123".parse::<Upn>().unwrap_err();
        assert_eq!(err.rule, "upn_check_letter");
        assert!(err.message.contains("should be X"));
        // The arithmetically wrong example printed by some vendors (sen2.md §9 warning).
        assert_eq!("Q207000016049".parse::<Upn>().unwrap_err().rule, "upn_check_letter");
        assert!("P207000016049".parse::<Upn>().is_ok());
    }

    #[test]
    fn upn_rules_1530_1540_1550_name_the_rule_broken() {
        assert_eq!("X93120012412".parse::<Upn>().unwrap_err().rule, "upn_length");
        assert_eq!("I931200124123".parse::<Upn>().unwrap_err().rule, "upn_check_letter_character");
        assert_eq!("X9312001241A3".parse::<Upn>().unwrap_err().rule, "upn_digits");
        assert_eq!("X93120012412I".parse::<Upn>().unwrap_err().rule, "upn_last_character");
        assert_eq!("X999200124123".parse::<Upn>().unwrap_err().rule, "upn_la");
    }

    #[test]
    fn upn_is_read_case_insensitively_and_trimmed() {
        assert_eq!(" x931200124123 ".parse::<Upn>().unwrap().as_str(), "X931200124123");
    }

    proptest! {
        #[test]
        fn any_body_with_its_computed_letter_is_a_valid_upn(est in 0u32..10000, year in 0u32..100, serial in 0u32..1000) {
            let body = format!("931{est:04}{year:02}{serial:03}");
            let upn = Upn::from_body(&body).unwrap();
            prop_assert_eq!(&upn.as_str()[1..], body.as_str());
        }

        #[test]
        fn changing_one_digit_of_a_valid_upn_breaks_its_check_letter(est in 0u32..10000, pos in 4usize..12, delta in 1u8..10) {
            let upn = Upn::from_body(&format!("931{est:04}24123")).unwrap();
            let mut bytes = upn.as_str().as_bytes().to_vec();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(changed.parse::<Upn>().is_err());
        }
    }
}
