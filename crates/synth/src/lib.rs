//! Synthetic local areas for Waymark: children and young people 0-25 with their EHC casework, placements
//! and SEN status over seven years, calibrated to England's published statistics, the same for the same
//! seed. Every demo, test and benchmark runs on these.

pub mod calibration;
pub mod facts;
pub mod geo;
pub mod la;
mod names;
pub mod profile;
mod rng;

pub use facts::{generate_facts, LaFacts};
pub use la::{generate_la, Cohort, LaData, SettingKind, SynthPerson, SynthSetting};
pub use profile::{LaProfile, Profile};
