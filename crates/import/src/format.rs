//! Each dataset's CSV format: its columns (name, whether required, type and code set), where the data
//! comes from, its natural key, an example, and the function that parses one row. The documentation
//! in `docs/import-formats.md` is generated from these ([`crate::formats_markdown`]), and a test keeps
//! the two in step.

use crate::rows::{self, Parsed, Row};
use waymark_domain::facts::{CodeSet, Dataset};

/// What a column holds.
#[derive(Clone, Copy)]
pub enum Kind {
    /// Free text of at most this many characters, on one line.
    Text(usize),
    /// `YYYY-MM-DD`.
    Date,
    /// `2024/25`.
    AcademicYear,
    /// `YYYY-MM`.
    Month,
    /// `Y` or `N`.
    YesNo,
    /// A whole number in a range.
    Whole { min: u32, max: u32 },
    /// A decimal number, described.
    Decimal(&'static str),
    /// One of a code set; the function lists its codes and labels.
    Code(fn() -> Vec<(&'static str, &'static str)>),
    /// An identifier or other value with its own rule, described.
    Checked(&'static str),
}

impl Kind {
    /// The type in a few words, for documentation.
    pub fn describe(&self) -> String {
        match self {
            Self::Text(max) => format!("text, up to {max} characters"),
            Self::Date => "date, YYYY-MM-DD".into(),
            Self::AcademicYear => "academic year, e.g. 2024/25".into(),
            Self::Month => "month, YYYY-MM".into(),
            Self::YesNo => "Y or N".into(),
            Self::Whole { min, max } => format!("whole number, {min} to {max}"),
            Self::Decimal(what) => format!("decimal, {what}"),
            Self::Code(codes) => {
                let codes = codes();
                if codes.len() <= 5 {
                    format!("code: {}", codes.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", "))
                } else {
                    "code (listed below)".into()
                }
            }
            Self::Checked(what) => (*what).into(),
        }
    }

    /// The code set, if the column holds codes.
    pub fn codes(&self) -> Option<Vec<(&'static str, &'static str)>> {
        match self {
            Self::Code(codes) => Some(codes()),
            _ => None,
        }
    }
}

/// Every code of a code set with its label.
pub fn code_list<T: CodeSet>() -> Vec<(&'static str, &'static str)> {
    T::all().iter().map(|c| (c.code(), c.label())).collect()
}

/// One column of a format.
#[derive(Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    /// The header must have it and every row must fill it.
    pub required: bool,
    pub kind: Kind,
    pub description: &'static str,
}

impl Column {
    pub const fn required(name: &'static str, kind: Kind, description: &'static str) -> Self {
        Self { name, required: true, kind, description }
    }

    pub const fn optional(name: &'static str, kind: Kind, description: &'static str) -> Self {
        Self { name, required: false, kind, description }
    }
}

/// A dataset's CSV format.
pub struct Format {
    pub dataset: Dataset,
    /// Where the data comes from.
    pub source: &'static str,
    /// What makes a row the same fact when imported again, in words.
    pub natural_key: &'static str,
    pub columns: Vec<Column>,
    /// A short valid file, header first.
    pub example: &'static str,
    /// Rules across columns and anything else a supplier should know.
    pub notes: &'static [&'static str],
    pub(crate) parse: fn(&mut Row<'_>) -> Option<Parsed>,
}

impl Format {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The format of a dataset.
pub fn format(dataset: Dataset) -> Format {
    rows::format(dataset)
}
