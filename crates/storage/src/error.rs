//! What can go wrong when storing or loading. Each message is plain English and carries only ids,
//! version numbers and rule names: never a child's name, date of birth or other personal data.

use std::path::PathBuf;
use waymark_domain::case::TransitionError;
use waymark_domain::child::ChildError;
use waymark_domain::identifiers::LaCode;

/// The result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No such record, or one the actor may not see: the two are indistinguishable on purpose, so an
    /// out-of-scope record's existence is never revealed.
    #[error("there is no {what} with id {id} among the records you can see")]
    NotFound { what: &'static str, id: String },

    /// Optimistic concurrency: the record changed after the caller loaded it. Nothing was written.
    #[error(
        "someone else changed {what} {id} since you loaded it (you loaded version {expected}; it is now \
         version {current}); nothing was saved: reload it and apply your change again"
    )]
    Conflict { what: &'static str, id: String, expected: i64, current: i64 },

    /// The case's lifecycle does not allow the event. Nothing was written.
    #[error(transparent)]
    Transition(#[from] TransitionError),

    /// The child's details break a rule. Nothing was written.
    #[error(transparent)]
    Child(#[from] ChildError),

    /// The actor may not create or move a record into this local authority.
    #[error("local authority {la} is outside the records you have access to; nothing was saved")]
    OutOfScope { la: LaCode },

    /// The request itself is unusable (no reason given, no events, a blank actor label...).
    #[error("{0}")]
    Invalid(String),

    /// Stored data no longer reads back (for example a rule tightened since it was written).
    #[error("stored data can no longer be read: {0}")]
    Corrupt(String),

    /// The database refused or failed an operation.
    #[error("database error: {0}")]
    Database(String),

    /// The database could not be opened, created or brought up to date.
    #[error("could not open the database at {}: {message}", path.display())]
    Open { path: PathBuf, message: String },
}

impl StoreError {
    /// Whether this is an optimistic-concurrency conflict (the caller should reload and retry).
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict { .. })
    }

    /// Whether the record was not found (or is out of the actor's scope).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }
}
