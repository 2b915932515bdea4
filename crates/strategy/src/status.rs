//! Where a deliverable or action stands: six statuses, each shown as a GOV.UK tag with its words (colour
//! is never the only signal). The CSV and the JSON keep the codes; pages and reports show the words.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotStarted,
    OnTrack,
    AtRisk,
    OffTrack,
    Complete,
    Dropped,
}

impl Status {
    pub const ALL: [Status; 6] = [Self::NotStarted, Self::OnTrack, Self::AtRisk, Self::OffTrack, Self::Complete, Self::Dropped];

    /// The code in the CSV, the JSON and forms.
    pub fn key(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::OnTrack => "on_track",
            Self::AtRisk => "at_risk",
            Self::OffTrack => "off_track",
            Self::Complete => "complete",
            Self::Dropped => "dropped",
        }
    }

    /// The words people read.
    pub fn words(self) -> &'static str {
        match self {
            Self::NotStarted => "Not started",
            Self::OnTrack => "On track",
            Self::AtRisk => "At risk",
            Self::OffTrack => "Off track",
            Self::Complete => "Complete",
            Self::Dropped => "Dropped",
        }
    }

    /// The GOV.UK Frontend tag colour (`govuk-tag--COLOUR`).
    pub fn colour(self) -> &'static str {
        match self {
            Self::NotStarted => "grey",
            Self::OnTrack => "blue",
            Self::AtRisk => "orange",
            Self::OffTrack => "red",
            Self::Complete => "green",
            Self::Dropped => "purple",
        }
    }

    /// Whether the work is finished one way or another (no longer due).
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Complete | Self::Dropped)
    }

    /// Whether a board needs to hear why (at risk or off track).
    pub fn needs_attention(self) -> bool {
        matches!(self, Self::AtRisk | Self::OffTrack)
    }

    /// A status as the CSV or a form gives it: the code or the words, in any case, with spaces, hyphens
    /// or underscores; an empty cell is "not started" (the seeds leave the column blank at the start).
    pub fn parse(text: &str) -> Result<Self, String> {
        let norm: String = text.trim().chars().map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() }).collect();
        if norm.is_empty() {
            return Ok(Self::NotStarted);
        }
        let alias = match norm.as_str() {
            "completed" | "done" => Some(Self::Complete),
            _ => None,
        };
        alias.or_else(|| Self::ALL.into_iter().find(|s| s.key() == norm)).ok_or_else(|| {
            format!(
                "'{}' is not a status: use one of {}",
                text.trim(),
                Self::ALL.iter().map(|s| s.words().to_lowercase()).collect::<Vec<_>>().join(", ")
            )
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.words())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_reads_as_its_code_or_its_words_and_a_blank_is_not_started() {
        assert_eq!(Status::parse("on_track"), Ok(Status::OnTrack));
        assert_eq!(Status::parse("Off track"), Ok(Status::OffTrack));
        assert_eq!(Status::parse(" AT-RISK "), Ok(Status::AtRisk));
        assert_eq!(Status::parse("Completed"), Ok(Status::Complete));
        assert_eq!(Status::parse(""), Ok(Status::NotStarted));
        let err = Status::parse("amber").unwrap_err();
        assert!(err.contains("'amber' is not a status") && err.contains("on track"), "{err}");
    }

    #[test]
    fn every_status_has_words_and_a_distinct_tag_colour() {
        let colours: std::collections::HashSet<_> = Status::ALL.iter().map(|s| s.colour()).collect();
        assert_eq!(colours.len(), Status::ALL.len());
        for s in Status::ALL {
            assert!(!s.words().contains('_'));
            assert_eq!(Status::parse(s.key()), Ok(s));
            assert_eq!(Status::parse(s.words()), Ok(s));
        }
    }
}
