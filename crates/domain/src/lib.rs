//! Waymark's domain: the children and young people a local area's SEND partnership serves, their EHC
//! needs assessments and plans as an explicit lifecycle, and the statutory clock.
//!
//! **Invariant:** this crate does no I/O. It reads no clock (every rule takes `today`), no files, no
//! network, no environment and no randomness (identifiers are minted by the store). It depends on no
//! web or database framework.

pub mod calendar;
pub mod case;
pub mod child;
pub mod clock;
pub mod facts;
pub mod identifiers;
pub mod identity;
pub mod ids;
pub mod need;
pub mod placement;
pub mod plan;
pub mod search;

pub use calendar::Date;
