//! Waymark's application layer: the use-cases that combine a pure crate's rules with the store, written
//! against the store traits of `waymark-storage` only (never `SqliteStore`), so a second backend
//! implements persistence and nothing else (ADR 0017).
//!
//! * [`sen2`]: the SEN2 return against the store: export (streamed in batches), check (findings linked
//!   to the child and case to fix) and import (the file validated in full, then handed to the store's
//!   [`waymark_storage::Sen2ImportWrite`] person by person inside one transaction).
//! * [`identity`]: the identity scan (which pairs to merge on a shared identifier, which to queue for
//!   a person) and a person's decision on a queue entry (which record to keep), over
//!   [`waymark_storage::IdentityWrite`] in one transaction.

pub mod identity;
pub mod sen2;
