//! Contributions to an EHC case from the people outside the council (issue 13 items 5 and 6).
//!
//! - [`family`]: a parent's or young person's views, the "all about me" questions of plan section A
//!   (SEND Code of Practice 9.69; SEND Regs 2014 reg 6(1)(a)); their request for a school or college
//!   (CFA 2014 s38(2)(b)); their comments on a draft plan (reg 13(1)).
//! - [`advice`]: a professional's advice for the assessment as a structured form: the child's needs,
//!   the outcomes sought, the provision required (reg 6(1)(b)-(h), reg 8; Code 9.46-9.52).
//!
//! Pure: a form's fields are read into a typed contribution, or into errors that each name the field and
//! say what is wrong in plain English. Each contribution says which case event it records
//! ([`Contribution::event_kind`]); the domain's lifecycle and clock decide what that event means.

pub mod advice;
pub mod family;

use serde::{Deserialize, Serialize};
use waymark_domain::case::{AdviceParty, CaseEventKind};
use waymark_domain::identifiers::SettingRef;

/// The longest answer a field takes, in characters (about six pages of text): anything longer belongs
/// in an uploaded report.
pub const MAX_ANSWER_CHARS: usize = 20_000;

/// A field and what is wrong with it, for the form's error summary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The form field's name (its HTML `name` and `id`).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Read one free-text answer: trimmed, at most [`MAX_ANSWER_CHARS`], no control characters but line
/// breaks and tabs. `None` when left blank.
pub fn answer(field: &str, label: &str, text: &str) -> Result<Option<String>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_ANSWER_CHARS {
        return Err(FieldError::new(
            field,
            format!("{label} must be {MAX_ANSWER_CHARS} characters or fewer. Upload a document for anything longer"),
        ));
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(FieldError::new(
            field,
            format!("{label} contains characters that cannot be kept. Type or paste it again as plain text"),
        ));
    }
    Ok(Some(text.replace("\r\n", "\n")))
}

/// What was contributed, as it is kept with the case (JSON in the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Contribution {
    FamilyViews(family::FamilyViews),
    SettingRequest(family::SettingRequest),
    DraftComments(family::DraftComments),
    Advice(advice::AdviceForm),
}

impl Contribution {
    /// The code kept in the store and the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FamilyViews(_) => "family_views",
            Self::SettingRequest(_) => "setting_request",
            Self::DraftComments(_) => "draft_comments",
            Self::Advice(_) => "advice",
        }
    }

    /// The case event the contribution records, which the lifecycle and the statutory clock read:
    /// views (reg 6(1)(a)), a school or college asked for (s38(2)(b)), comments on the draft
    /// (reg 13(1)), advice received (reg 8(1)), the last with the adviser's own service as its party.
    pub fn event_kind(&self) -> CaseEventKind {
        match self {
            Self::FamilyViews(_) => CaseEventKind::ViewsSent,
            Self::SettingRequest(r) => CaseEventKind::SettingRequested { setting: r.setting.clone() },
            Self::DraftComments(_) => CaseEventKind::DraftCommented,
            Self::Advice(a) => CaseEventKind::AdviceReceived { party: a.party },
        }
    }

    /// Who may make it: the family the first three, the party's own service the advice.
    pub fn party(&self) -> Option<AdviceParty> {
        match self {
            Self::Advice(a) => Some(a.party),
            _ => None,
        }
    }

    /// The school or college asked for, if this is such a request.
    pub fn setting(&self) -> Option<&SettingRef> {
        match self {
            Self::SettingRequest(r) => Some(&r.setting),
            _ => None,
        }
    }
}
