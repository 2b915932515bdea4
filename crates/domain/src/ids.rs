//! Typed identifiers. A `ChildId` cannot be passed where a `CaseId` belongs. Identifiers are random
//! UUIDs, so they are not guessable in URLs (ADR 0003); the domain parses and prints them but never
//! makes new ones, because drawing randomness is I/O: the storage layer mints them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wrap a UUID minted elsewhere (by the store).
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            /// The underlying UUID.
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text.trim())
                    .map(Self)
                    .map_err(|_| IdError { what: $what, value: text.to_owned() })
            }
        }
    };
}

typed_id!(
    /// Waymark's own identifier for a child or young person: stable across agencies and merges.
    ChildId,
    "child id"
);
typed_id!(
    /// One EHC case: a request and everything that follows it, to the plan's ceasing.
    CaseId,
    "case id"
);
typed_id!(
    /// A person who signs in to Waymark (a caseworker, SENCO, professional, parent or board member).
    UserId,
    "user id"
);

/// A string that is not a well-formed identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {what} (expected a UUID such as 0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f)")]
pub struct IdError {
    what: &'static str,
    value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_name_their_kind_on_error() {
        let text = "0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f";
        let id: ChildId = text.parse().unwrap();
        assert_eq!(id.to_string(), text);
        let err = "not-a-uuid".parse::<CaseId>().unwrap_err();
        assert!(err.to_string().contains("case id"));
    }
}
