//! UK postcodes: an outward code (A9, A99, AA9, AA99, A9A or AA9A) and an inward code (9AA), stored
//! upper-case with one space. BS 7666 format; whether the postcode exists is not checked here.

use super::{serde_via_str, IdentifierError};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Postcode(String);

impl Postcode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The outward code (e.g. "PO1"), which is not personal data on its own and suits aggregates.
    pub fn outward(&self) -> &str {
        self.0.split(' ').next().expect("always has an outward code")
    }
}

fn outward_ok(o: &[u8]) -> bool {
    let a = |c: u8| c.is_ascii_uppercase();
    let n = |c: u8| c.is_ascii_digit();
    match o {
        [x, y] => a(*x) && n(*y),
        [x, y, z] => a(*x) && ((n(*y) && (n(*z) || a(*z))) || (a(*y) && n(*z))),
        [w, x, y, z] => a(*w) && a(*x) && n(*y) && (n(*z) || a(*z)),
        _ => false,
    }
}

impl FromStr for Postcode {
    type Err = IdentifierError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let err = || IdentifierError::new("postcode", text, "postcode_format", "a UK postcode looks like PO1 2AB or SW1A 1AA");
        if compact == "GIR0AA" {
            return Ok(Self("GIR 0AA".into()));
        }
        if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
            return Err(err());
        }
        let (out, inward) = compact.split_at(compact.len() - 3);
        let i = inward.as_bytes();
        if !(outward_ok(out.as_bytes()) && i[0].is_ascii_digit() && i[1].is_ascii_uppercase() && i[2].is_ascii_uppercase()) {
            return Err(err());
        }
        Ok(Self(format!("{out} {inward}")))
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
serde_via_str!(Postcode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_of_every_outward_shape_are_normalised() {
        for (given, want) in [
            ("po12ab", "PO1 2AB"),
            ("M1 1AE", "M1 1AE"),
            ("B33 8TH", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("W1A 0AX", "W1A 0AX"),
            ("EC1A 1BB", "EC1A 1BB"),
            ("gir 0aa", "GIR 0AA"),
        ] {
            let p: Postcode = given.parse().unwrap();
            assert_eq!(p.as_str(), want);
        }
        assert_eq!("PO1 2AB".parse::<Postcode>().unwrap().outward(), "PO1");
    }

    #[test]
    fn malformed_postcodes_are_rejected() {
        for bad in ["", "PO1", "1PO 2AB", "PO1 2A1", "POOO1 2AB", "PO1 AAB"] {
            assert_eq!(bad.parse::<Postcode>().unwrap_err().rule, "postcode_format", "{bad}");
        }
    }
}
