//! Ethnicity: the CBDS / school census codes (main and extended), as carried by the SEN2 2026 schema
//! (108 values; sen2.md §6 says 115, but the schema itself, the conformance target, holds 108 [U]). A main code (e.g. WBRI) and the extended codes under it (e.g. WENG) are both valid.

use super::{serde_via_str, IdentifierError};
use std::fmt;
use std::str::FromStr;

/// Every valid CBDS ethnicity code (SEN2 2026 schema, ethnicitytype).
pub const CODES: &[&str] = &[
    "WBRI", "WCOR", "WENG", "WNIR", "WSCO", "WWEL", "WOWB", "WIRI", "WIRT", "WOTH", "WALB", "WBOS", "WCRO", "WGRE", "WGRK", "WGRC", "WITA",
    "WKOS", "WPOR", "WSER", "WTUR", "WTUK", "WTUC", "WEUR", "WEEU", "WWEU", "WOTW", "WROM", "WROG", "WROR", "WROO", "MWBC", "MWBA", "MWAS",
    "MWAP", "MWAI", "MWAO", "ABRI", "AWEL", "MOTH", "MAOE", "MABL", "MACH", "MBOE", "MBCH", "MCOE", "MWOE", "MWCH", "MOTM", "AIND", "APKN",
    "AMPK", "AKPA", "AOPK", "ABAN", "AOTH", "AAFR", "AKAO", "ANEP", "ASNL", "ASLT", "ASRO", "AOTA", "BBRI", "BWEL", "BCRB", "BAFR", "BANN",
    "BCON", "BGHA", "BNGN", "BSLN", "BSOM", "BSUD", "BAOF", "BOTH", "BEUR", "BNAM", "BOTB", "CHNE", "CHKC", "CMAL", "CSNG", "CTWN", "COCH",
    "OOTH", "OAFG", "ORAB", "OARA", "OEGY", "OFIL", "OIRN", "OIRQ", "OJPN", "OKOR", "OKRD", "OLAM", "OLEB", "OLIB", "OMAL", "OMRC", "OPOL",
    "OTHA", "OVIE", "OYEM", "OOEG", "REFU", "NOBT",
];

/// The broad group a code belongs to, by its first letter (REFU and NOBT stand alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EthnicityGroup {
    White,
    Mixed,
    Asian,
    Black,
    Chinese,
    Other,
    Refused,
    NotObtained,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ethnicity(&'static str);

impl Ethnicity {
    pub fn code(self) -> &'static str {
        self.0
    }

    pub fn group(self) -> EthnicityGroup {
        match self.0 {
            "REFU" => EthnicityGroup::Refused,
            "NOBT" => EthnicityGroup::NotObtained,
            c => match c.as_bytes()[0] {
                b'W' => EthnicityGroup::White,
                b'M' => EthnicityGroup::Mixed,
                b'A' => EthnicityGroup::Asian,
                b'B' => EthnicityGroup::Black,
                b'C' => EthnicityGroup::Chinese,
                _ => EthnicityGroup::Other,
            },
        }
    }
}

impl FromStr for Ethnicity {
    type Err = IdentifierError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let code = text.trim().to_ascii_uppercase();
        CODES.iter().find(|c| **c == code).map(|c| Ethnicity(c)).ok_or_else(|| {
            IdentifierError::new("ethnicity", text, "ethnicity_code", "is not a CBDS ethnicity code (e.g. WBRI, MWBC, ABAN, REFU, NOBT)")
        })
    }
}

impl fmt::Display for Ethnicity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
serde_via_str!(Ethnicity);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cbds_list_has_the_2026_schemas_108_codes_with_main_and_extended() {
        assert_eq!(CODES.len(), 108);
        assert_eq!("wbri".parse::<Ethnicity>().unwrap().code(), "WBRI");
        assert_eq!("WENG".parse::<Ethnicity>().unwrap().group(), EthnicityGroup::White);
        assert_eq!("REFU".parse::<Ethnicity>().unwrap().group(), EthnicityGroup::Refused);
        assert_eq!("XXXX".parse::<Ethnicity>().unwrap_err().rule, "ethnicity_code");
    }
}
