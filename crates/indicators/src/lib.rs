//! Waymark's performance framework: indicators defined as data (TOML packs an area can add to and
//! edit), computed over a person table built once per scope, per LA, locality and England, per period
//! and cohort, with targets, RAG ratings and comparators; rendered as CSV, JSON, XLSX and HTML.
//!
//! Indicators are counted from casework (`measure = "records"`) or from other agencies' person-level
//! facts (`measure = "facts"`: attendance, exclusions, attainment, social care, health, post-16, youth
//! justice), both with the expressions of [`expr`]; see `docs/indicators.md`.
//!
//! The web application's entry points:
//! - [`definition::load`] (the built-in packs plus a folder of definitions) and [`find_framework`];
//! - [`source::load_from_store`] (the person table, person-level facts included, from the store: read in
//!   bulk, scoped, each read audited once); [`table::from_synth_with_facts`] for a generated area;
//! - [`engine::compute`] (`compute(framework, table, scope, periods, manual, loaded, evidence) -> Results`);
//! - [`render::csv`], [`render::json`], [`render::html`], [`render::xlsx`].
//!
//! For one LA's dashboard, compute with `Scope::La(code)`: the rows hold every year (a trend:
//! [`Results::trend`]), the LA's localities (`locality=NAME`), breakdowns (`need=`, `phase=`, `fsm=`...),
//! the pack's England and statistical-neighbour values, targets and RAG; a facts measure's rows are
//! `Status::AwaitingData` where the LA holds none of its dataset.

pub mod definition;
pub mod engine;
pub mod expr;
pub mod facts;
pub mod files;
pub mod manual;
pub mod period;
pub mod present;
pub mod render;
pub mod source;
pub mod table;

pub use definition::{load, DefinitionError, Framework, Indicator};
pub use engine::{
    compute, compute_all, compute_all_threads, compute_threads, members, Loaded, ManualValues, Members, PeriodSel, Rag, ResultRow, Results,
    Scope, Status,
};
pub use table::PersonTable;

/// A framework by id.
pub fn find_framework<'a>(frameworks: &'a [Framework], id: &str) -> Option<&'a Framework> {
    frameworks.iter().find(|f| f.id == id)
}
