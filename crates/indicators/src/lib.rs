//! Waymark's performance framework: indicators defined as data (TOML packs an area can add to and
//! edit), computed over a person table built once per scope, per LA, locality and England, per period
//! and cohort, with targets, RAG ratings and comparators; rendered as CSV, JSON, XLSX and HTML.
//!
//! The web application's entry points:
//! - [`definition::load`] (the built-in packs plus a folder of definitions) and [`find_framework`];
//! - [`source::load_from_store`] (the person table from the store, read in bulk and audited once);
//! - [`engine::compute`] (`compute(framework, table, scope, periods, manual, loaded, evidence) -> Results`);
//! - [`render::csv`], [`render::json`], [`render::html`], [`render::xlsx`].

pub mod definition;
pub mod engine;
pub mod expr;
pub mod files;
pub mod manual;
pub mod period;
pub mod render;
pub mod source;
pub mod table;

pub use definition::{load, DefinitionError, Framework, Indicator};
pub use engine::{
    compute, compute_all, compute_all_threads, compute_threads, Loaded, ManualValues, PeriodSel, Rag, ResultRow, Results, Scope, Status,
};
pub use table::PersonTable;

/// A framework by id.
pub fn find_framework<'a>(frameworks: &'a [Framework], id: &str) -> Option<&'a Framework> {
    frameworks.iter().find(|f| f.id == id)
}
