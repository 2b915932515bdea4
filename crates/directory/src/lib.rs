//! The Local Offer (Children and Families Act 2014 s30; SEND Regulations 2014 Part 4; SEND Code of
//! Practice chapter 4): the directory of services for children and young people with SEND and their
//! families. Pure: no I/O, no framework, time passed in.
//!
//! * [`model`]: organisations, locations and services with their SEND details, checked on building.
//! * [`taxonomy`]: the categories and the need types, with fixed ORUK term ids.
//! * [`search`]: the family's filters read from a query string, distance by haversine, the
//!   12-month freshness rule.
//! * [`workflow`]: a provider's change waits for the Local Offer officer (approve, or reject with a
//!   reason), shown as a before/after diff.
//! * [`oruk`]: Open Referral UK 3.0 records and the paged list envelope.
//! * [`import`]: another directory's ORUK 3.0 feed, or the CSV template, read all or nothing.
//! * [`demo`]: an invented directory for the demo area.

pub mod demo;
pub mod import;
pub mod model;
pub mod oruk;
pub mod report;
pub mod search;
pub mod taxonomy;
pub mod workflow;

pub use model::{
    AccessRoute, Ages, Coordinates, Cost, FieldError, Location, LocationId, Opening, Organisation, OrganisationId, Service, ServiceId,
};
pub use search::{is_stale, miles_between, name_ranks, search, search_ranked, Filters, Hit, Listing, SearchForm};
pub use taxonomy::{need_words, Category, Taxonomy};
pub use workflow::{diff, ChangeStatus, Decision, FieldChange};
