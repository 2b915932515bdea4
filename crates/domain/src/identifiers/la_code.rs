//! DfE local authority numbers (3 digits; CBDS LA code set). The ranges valid inside a UPN are CIN
//! rule 1530's (`../shared/reference/sen2.md` §6). [U] The list of current LAs changes with local
//! government reorganisation; the check here accepts every number in those ranges.

use super::{serde_via_str, IdentifierError};
use std::fmt;
use std::str::FromStr;

/// A 3-digit DfE LA number such as 851 (Portsmouth) or 886 (Kent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LaCode(u16);

/// CIN rule 1530: DfE LA numbers valid in UPN characters 2-4, as inclusive ranges.
const UPN_LA_RANGES: &[(u16, u16)] = &[
    (1, 5),
    (201, 213),
    (301, 320),
    (330, 336),
    (340, 344),
    (350, 359),
    (370, 373),
    (380, 384),
    (390, 394),
    (420, 420),
    (660, 681),
    (701, 708),
    (800, 803),
    (805, 808),
    (810, 813),
    (815, 816),
    (820, 823),
    (825, 826),
    (830, 831),
    (835, 841),
    (845, 846),
    (850, 852),
    (855, 857),
    (860, 861),
    (865, 896),
    (908, 909),
    (916, 916),
    (919, 919),
    (921, 921),
    (925, 926),
    (928, 929),
    (931, 931),
    (933, 933),
    (935, 938),
    (940, 941),
];

impl LaCode {
    /// The number, e.g. 851.
    pub fn number(self) -> u16 {
        self.0
    }

    /// Whether the number falls in CIN rule 1530's ranges.
    pub fn is_valid_in_upn(self) -> bool {
        UPN_LA_RANGES.iter().any(|&(lo, hi)| (lo..=hi).contains(&self.0))
    }

    /// Every number in rule 1530's ranges (used by generators and the England profile).
    pub fn all_upn_valid() -> impl Iterator<Item = LaCode> {
        UPN_LA_RANGES.iter().flat_map(|&(lo, hi)| (lo..=hi).map(LaCode))
    }
}

impl FromStr for LaCode {
    type Err = IdentifierError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let code = text.trim();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdentifierError::new("LA code", text, "la_code_format", "a DfE LA number is exactly 3 digits, e.g. 851"));
        }
        let la = LaCode(code.parse().expect("three digits"));
        // A current LA created after rule 1530's ranges were set (942 Cumberland, 943 Westmorland and
        // Furness, 2023) is an LA too [U].
        if !la.is_valid_in_upn() && !super::la_names::CURRENT.iter().any(|(c, _)| *c == la.0) {
            return Err(IdentifierError::new("LA code", text, "la_code_unknown", "is not a DfE local authority number"));
        }
        Ok(la)
    }
}

impl fmt::Display for LaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}
serde_via_str!(LaCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn la_codes_are_three_digits_from_the_dfe_list() {
        assert_eq!("851".parse::<LaCode>().unwrap().number(), 851);
        assert_eq!("001".parse::<LaCode>().unwrap().to_string(), "001");
        assert_eq!("85".parse::<LaCode>().unwrap_err().rule, "la_code_format");
        assert_eq!("999".parse::<LaCode>().unwrap_err().rule, "la_code_unknown");
    }

    #[test]
    fn rule_1530_ranges_include_portsmouth_and_kent() {
        assert!(LaCode::all_upn_valid().any(|la| la.number() == 851));
        assert!(LaCode::all_upn_valid().any(|la| la.number() == 886));
    }
}
