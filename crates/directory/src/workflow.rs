//! Providers keep their own listings, and nothing they write is public until the LA's Local Offer
//! officer approves it: every change is a [`ChangeStatus::Pending`] proposal that an officer approves or
//! rejects with a reason, seeing it as a before/after [`diff`]. The state machine is here; the store
//! keeps every proposal and every published version.

use crate::model::{FieldError, Service};
use crate::taxonomy::need_words;
use chrono::Weekday;
use serde::{Deserialize, Serialize};

/// Where a proposed change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Waiting in the officer's queue; the public still sees the last approved version.
    Pending,
    /// Published.
    Approved,
    /// Turned down, with a reason the provider sees.
    Rejected,
}

impl ChangeStatus {
    pub fn key(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Waiting for approval",
            Self::Approved => "Approved",
            Self::Rejected => "Not approved",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Rejected].into_iter().find(|s| s.key() == text)
    }

    /// Apply an officer's decision. Only a pending change can be decided, once.
    pub fn decide(self, decision: &Decision) -> Result<ChangeStatus, WorkflowError> {
        if self != Self::Pending {
            return Err(WorkflowError::AlreadyDecided(self));
        }
        match decision {
            Decision::Approve => Ok(Self::Approved),
            Decision::Reject { .. } => Ok(Self::Rejected),
        }
    }
}

/// An officer's decision on a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject { reason: String },
}

impl Decision {
    /// Read the officer's form: `approve`, or `reject` with a reason (which the provider will read).
    pub fn parse(outcome: &str, reason: &str) -> Result<Self, FieldError> {
        match outcome {
            "approve" => Ok(Self::Approve),
            "reject" => {
                let r = reason.trim();
                if r.is_empty() {
                    Err(FieldError::new("reason", "Enter why the change is not approved, so the provider can put it right"))
                } else if r.chars().count() > 1_000 {
                    Err(FieldError::new("reason", "The reason must be 1,000 characters or fewer"))
                } else {
                    Ok(Self::Reject { reason: r.to_owned() })
                }
            }
            _ => Err(FieldError::new("outcome", "Choose whether to approve the change")),
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Approve => None,
            Self::Reject { reason } => Some(reason),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("the change has already been decided ({})", .0.label())]
    AlreadyDecided(ChangeStatus),
}

/// One field that differs between the published version and the proposal, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

fn yes_no(b: bool) -> String {
    if b { "Yes" } else { "No" }.to_owned()
}

fn day(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// A service's openings in words, one a line ("Saturday 08:00 to 09:00 (autism-friendly)").
pub fn openings_words(s: &Service) -> String {
    s.openings
        .iter()
        .map(|o| {
            let note = if o.note.is_empty() { String::new() } else { format!(" ({})", o.note) };
            format!("{} {} to {}{note}", day(o.day), o.opens.format("%H:%M"), o.closes.format("%H:%M"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each field of a service as the diff shows it: (label, value in words).
fn fields(s: &Service, location_name: &dyn Fn(&crate::LocationId) -> String) -> Vec<(&'static str, String)> {
    vec![
        ("Name", s.name.clone()),
        ("Description", s.description.clone()),
        ("Categories", s.categories.iter().map(|c| c.label()).collect::<Vec<_>>().join(", ")),
        ("Ages", format!("{} to {}", s.ages.min, s.ages.max)),
        (
            "Suitable for",
            if s.needs.is_empty() {
                "Every need".to_owned()
            } else {
                s.needs.iter().map(|n| need_words(*n)).collect::<Vec<_>>().join(", ")
            },
        ),
        ("Cost", s.cost.label().to_owned()),
        ("Cost details", s.cost_detail.clone()),
        ("How to access", s.access.label().to_owned()),
        ("Wheelchair access", yes_no(s.wheelchair_access)),
        ("Sensory-friendly", yes_no(s.sensory_friendly)),
        ("Autism-friendly hours", s.autism_friendly_hours.clone().unwrap_or_else(|| "None".into())),
        ("Languages", s.languages.join(", ")),
        ("Who can use it", s.eligibility.clone()),
        ("Email", s.email.clone().unwrap_or_default()),
        ("Phone", s.phone.clone().unwrap_or_default()),
        ("Website", s.website.clone().unwrap_or_default()),
        ("Opening times", openings_words(s)),
        ("Locations", s.locations.iter().map(location_name).collect::<Vec<_>>().join(", ")),
        ("Listed", if s.active { "Yes, running" } else { "No, stopped" }.to_owned()),
    ]
}

/// The fields that differ between `before` (the published version; `None` for a new service) and
/// `after`, in the order the service page shows them.
pub fn diff(before: Option<&Service>, after: &Service, location_name: &dyn Fn(&crate::LocationId) -> String) -> Vec<FieldChange> {
    let after_fields = fields(after, location_name);
    let before_fields = before.map(|b| fields(b, location_name));
    after_fields
        .into_iter()
        .enumerate()
        .filter_map(|(i, (field, after))| {
            let before = before_fields.as_ref().map(|b| b[i].1.clone()).unwrap_or_default();
            (before != after).then_some(FieldChange { field, before, after })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::sample_service;

    #[test]
    fn only_a_pending_change_can_be_decided_and_a_rejection_needs_a_reason() {
        assert_eq!(ChangeStatus::Pending.decide(&Decision::Approve), Ok(ChangeStatus::Approved));
        let reject = Decision::parse("reject", "  Opening times are missing ").unwrap();
        assert_eq!(reject.reason(), Some("Opening times are missing"));
        assert_eq!(ChangeStatus::Pending.decide(&reject), Ok(ChangeStatus::Rejected));
        assert_eq!(ChangeStatus::Approved.decide(&Decision::Approve), Err(WorkflowError::AlreadyDecided(ChangeStatus::Approved)));
        assert_eq!(ChangeStatus::Rejected.decide(&Decision::Approve), Err(WorkflowError::AlreadyDecided(ChangeStatus::Rejected)));
        assert_eq!(Decision::parse("reject", " ").unwrap_err().field, "reason");
        assert_eq!(Decision::parse("", "").unwrap_err().field, "outcome");
    }

    #[test]
    fn the_diff_lists_only_changed_fields_in_words() {
        let before = sample_service();
        let mut after = before.clone();
        after.name = "Quiet swim".into();
        after.wheelchair_access = !before.wheelchair_access;
        let none = |_: &crate::LocationId| String::new();
        let changes = diff(Some(&before), &after, &none);
        let fields: Vec<_> = changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, ["Name", "Wheelchair access"]);
        assert_eq!(changes[0].after, "Quiet swim");
        assert!(diff(Some(&before), &before, &none).is_empty());
        // A new service shows every filled field as added.
        assert!(diff(None, &after, &none).iter().all(|c| c.before.is_empty()));
    }
}
