//! The SEND strategy as data (issue 17): a partnership's strategy and its delivery plan, the
//! self-evaluation against the Ofsted/CQC area SEND framework, the action plan after an inspection, and
//! the quarterly board report, on the live figures Waymark already holds.
//!
//! Pure: no I/O, no framework, no clock (the day and the time of each change are given). The store keeps
//! a plan as its changes ([`plan::Recorded`]) and replays them ([`plan::Plan::replay`]); the CLI and the
//! web read the CSV through [`csv_format`], look figures up through [`live`] (feature `live`) and render
//! the board report through [`report`].
//!
//! - [`status`], not started, on track, at risk, off track, complete, dropped; words and tag colours.
//! - [`due`], due dates, including the seeds' "Jun 16". [`quarter`]: `2026Q1`.
//! - [`plan`], strands, deliverables, notes, owners' accounts; the changes and their replay.
//! - [`csv_format`], `strand,ref,deliverable,due,owner,status,monitored_by,indicators`.
//! - [`self_evaluation`], the framework's evaluation statements and three outcomes; versions; the
//!   Peterborough layout.
//! - [`report`], the board report's content and layout; HTML and XLSX.
//! - [`action_plan`], the action plan laid out as a written statement of action or a priority action plan.
//! - [`evidence`], the inspection evidence pack (the workbook inspectors ask for at notification).
//! - [`show`], the `waymark strategy show` JSON and text.

pub mod action_plan;
pub mod csv_format;
pub mod demo;
pub mod due;
pub mod evidence;
#[cfg(feature = "live")]
pub mod live;
pub mod plan;
pub mod quarter;
pub mod report;
pub mod self_evaluation;
pub mod show;
pub mod status;
#[cfg(feature = "live")]
pub mod store;

pub use due::Due;
pub use plan::{
    AttachedEvidence, Change, Evidence, EvidenceTarget, IndicatorRef, Item, ItemDef, Plan, PlanKind, Recorded, Strand, StrandDef,
};
pub use quarter::Quarter;
pub use report::{BoardReport, Figure};
pub use self_evaluation::{Area, AreaEntry, Outcome, SelfEvaluation};
pub use status::Status;
