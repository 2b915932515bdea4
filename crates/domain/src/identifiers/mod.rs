//! Identifiers that arrive from other systems, each parsed once at the edge into a type that cannot
//! hold a bad value ("parse, don't validate"). Every rejection says which rule failed.

mod ethnicity;
mod la_code;
pub mod la_names;
mod nhs_number;
mod postcode;
mod setting;
mod uln;
mod upn;

pub use ethnicity::{Ethnicity, EthnicityGroup};
pub use la_code::LaCode;
pub use nhs_number::NhsNumber;
pub use postcode::Postcode;
pub use setting::{SettingCode, SettingRef, Ukprn, Urn};
pub use uln::Uln;
pub use upn::{Upn, UpnKind};

/// A value that breaks the rule for its identifier. `rule` is short and stable (for tests, reports and
/// error codes); the message says in plain English what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} '{value}' is not valid: {message}")]
pub struct IdentifierError {
    pub field: &'static str,
    pub value: String,
    pub rule: &'static str,
    pub message: String,
}

impl IdentifierError {
    pub(crate) fn new(field: &'static str, value: &str, rule: &'static str, message: impl Into<String>) -> Self {
        Self { field, value: value.to_owned(), rule, message: message.into() }
    }
}

/// Implements `Serialize`/`Deserialize` through the type's text form, so a stored or imported value
/// is parsed by the same rules as one typed in.
macro_rules! serde_via_str {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use serde_via_str;
