//! Families' voice (issue 16), the pure core: no I/O, no framework, time injected.
//!
//! * [`definition`]: a survey as staff build it (single choice, multiple choice, a 1-5 scale, free
//!   text), checked once at the edge: a bad definition names the field and what is wrong.
//! * [`response`]: one anonymous response read from what was sent, every answer checked against its
//!   question; contact details only if the respondent chose to leave them.
//! * [`results`]: counts and percentages per option, the scale's mean, response rates, and the
//!   published view with small numbers (1 to 5) suppressed.
//! * [`themes`]: the themes staff tag free-text answers with.
//! * [`visit`]: answering on GOV.UK question pages: the order of the pages, each page's answer
//!   checked as it is given, "Check your answers", and the response sent at the end.
//! * [`complaints`]: compliments and complaints, their stages (stage 1, stage 2, the Local Government
//!   and Social Care Ombudsman, the SEND Tribunal) and time limits in working days.
//! * [`coproduction`]: the co-production log: meetings and events with families and young people.
//! * [`measure`]: the framework's survey measures: the share of answers to a question id that are
//!   positive, per period.
//!
//! Storage is `waymark_storage::surveys`; pages and the API are `waymark_web`'s `routes/surveys.rs`.

pub mod complaints;
pub mod coproduction;
pub mod definition;
pub mod measure;
pub mod response;
pub mod results;
pub mod themes;
pub mod visit;

pub use definition::{DefinitionError, DraftQuestion, DraftSurvey, Question, QuestionId, QuestionKind, Survey};
pub use response::{check_contact, Answer, Contact, RawResponse, Response, ResponseError};
pub use results::{tally, Published, QuestionResults, SurveyResults};
pub use visit::{Draft, Step, SummaryRow};
