//! Themes: short names staff tag free-text answers (and feedback) with, such as "Communication" or
//! "Waiting times", so what families say can be counted and answered ("you said, we did").

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The longest theme name.
pub const MAX_THEME: usize = 60;

/// A theme's name: 1 to 60 characters on one line, spaces tidied; compared ignoring case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Theme(String);

impl Theme {
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if t.is_empty() {
            return Err("Enter a theme".into());
        }
        if t.chars().count() > MAX_THEME || t.chars().any(char::is_control) {
            return Err(format!("A theme must be {MAX_THEME} characters or fewer, on one line"));
        }
        // The first letter capitalised, so "waiting times" and "Waiting times" are one theme.
        let mut chars = t.chars();
        let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
        Ok(Self(first + &chars.as_str().to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Theme {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How often each theme was tagged, most first (ties by name).
pub fn counts<'a>(tags: impl IntoIterator<Item = &'a Theme>) -> Vec<(Theme, u64)> {
    let mut m: BTreeMap<&Theme, u64> = BTreeMap::new();
    for t in tags {
        *m.entry(t).or_default() += 1;
    }
    let mut v: Vec<(Theme, u64)> = m.into_iter().map(|(t, n)| (t.clone(), n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_are_one_whatever_their_case_and_spacing() {
        assert_eq!(Theme::parse("  waiting   TIMES ").unwrap(), Theme::parse("Waiting times").unwrap());
        assert!(Theme::parse(" ").is_err());
        assert!(Theme::parse(&"x".repeat(61)).is_err());
    }

    #[test]
    fn theme_counts_put_the_commonest_first() {
        let tags: Vec<Theme> =
            ["Communication", "waiting times", "Communication", "Transport"].iter().map(|t| Theme::parse(t).unwrap()).collect();
        let c = counts(&tags);
        assert_eq!(c[0], (Theme::parse("Communication").unwrap(), 2));
        assert_eq!(c[1].0.as_str(), "Transport");
        assert_eq!(c[2].0.as_str(), "Waiting times");
    }
}
