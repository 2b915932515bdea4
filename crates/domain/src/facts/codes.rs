//! Code sets: a closed list of codes, each with a plain-English label, parsed case-insensitively and
//! printed (and serialised) as the code, so imported and stored values pass the same check.

/// A closed list of codes with labels (every code set defined here implements it), so that formats
/// and documentation can list the codes of any of them.
pub trait CodeSet: Copy + Sized + 'static {
    /// Every code, in the order documented.
    fn all() -> &'static [Self];
    /// The code as written in files and stored.
    fn code(self) -> &'static str;
    /// What the code means.
    fn label(self) -> &'static str;
}

/// Define a code set. Each variant has its code and label; `FromStr` refuses any other text with
/// the field's name and a stable rule id, listing the codes allowed.
macro_rules! code_set {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident (field = $field:literal, rule = $rule:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $label:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every code, in the order documented.
            pub const ALL: &'static [$name] = &[$( $name::$variant ),+];

            /// The code as written in files and stored.
            pub fn code(self) -> &'static str {
                match self {
                    $( $name::$variant => $code, )+
                }
            }

            /// What the code means, in plain English.
            pub fn label(self) -> &'static str {
                match self {
                    $( $name::$variant => $label, )+
                }
            }
        }

        impl $crate::facts::CodeSet for $name {
            fn all() -> &'static [Self] {
                Self::ALL
            }
            fn code(self) -> &'static str {
                $name::code(self)
            }
            fn label(self) -> &'static str {
                $name::label(self)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::facts::FactError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                let t = text.trim();
                Self::ALL.iter().copied().find(|c| c.code().eq_ignore_ascii_case(t)).ok_or_else(|| {
                    let codes: Vec<&str> = Self::ALL.iter().map(|c| c.code()).collect();
                    $crate::facts::FactError::new($field, text, $rule, format!("is not one of the codes {}", codes.join(", ")))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        $crate::identifiers::serde_via_str!($name);
    };
}
pub(crate) use code_set;

/// Define a record whose fields must agree with each other: `$name` wraps its `$fields` (public
/// fields, for reading through `Deref`), is built only by `$name::new`, which runs `$check`, and is
/// deserialised through the same check.
macro_rules! checked_record {
    ($(#[$meta:meta])* $name:ident($fields:ident), $check:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name($fields);

        impl $name {
            /// The record, if its fields agree with each other.
            pub fn new(fields: $fields) -> Result<Self, $crate::facts::FactError> {
                $check(&fields)?;
                Ok(Self(fields))
            }

            /// The record's fields (also readable directly, through `Deref`).
            pub fn fields(&self) -> &$fields {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = $fields;
            fn deref(&self) -> &$fields {
                &self.0
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let fields = <$fields as serde::Deserialize>::deserialize(d)?;
                Self::new(fields).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use checked_record;
