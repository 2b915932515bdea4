//! What can go wrong with an import: the file cannot be read, its rows break rules (every problem is
//! a [`RowError`] naming the file, line, column, value and rule), or the store fails.

use std::fmt;
use waymark_storage::StoreError;

/// One problem with one cell (or row, or header) of a file. `value` can be personal data: it is shown
/// to the person importing and written to their report, never logged.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub file: String,
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    /// The column, or empty when the problem is with the whole row.
    pub column: String,
    pub value: String,
    /// A short, stable rule id (`upn_check_letter`, `setting_unknown`, ...).
    pub rule: String,
    pub message: String,
}

/// Printed on a terminal: the file's own text (column, value, message quoting it) has its control
/// characters made visible, so escape codes in a file cannot act on the terminal.
impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use waymark_safe_output::printable;
        write!(f, "{} line {}", printable(&self.file), self.line)?;
        if !self.column.is_empty() {
            write!(f, ", column {}", printable(&self.column))?;
        }
        if !self.value.is_empty() {
            write!(f, ", value '{}'", printable(&self.value))?;
        }
        write!(f, ": {} [{}]", printable(&self.message), self.rule)
    }
}

/// A file refused: every problem found. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub file: String,
    /// Data rows read (not counting the header).
    pub rows: u64,
    pub errors: Vec<RowError>,
}

impl Rejection {
    /// How many different rows (lines) have a problem.
    pub fn rejected_rows(&self) -> usize {
        let mut lines: Vec<u64> = self.errors.iter().map(|e| e.line).collect();
        lines.sort_unstable();
        lines.dedup();
        lines.len()
    }

    /// A summary for standard error: the counts, then the first `show` problems.
    pub fn summary(&self, show: usize) -> String {
        let mut out = format!(
            "{} was not imported: {} problem{} in {} of {} row{}; nothing was written",
            self.file,
            self.errors.len(),
            if self.errors.len() == 1 { "" } else { "s" },
            self.rejected_rows(),
            self.rows,
            if self.rows == 1 { "" } else { "s" },
        );
        for e in self.errors.iter().take(show) {
            out.push_str("\n  ");
            out.push_str(&e.to_string());
        }
        if self.errors.len() > show {
            out.push_str(&format!("\n  ... and {} more (--report FILE.csv writes them all)", self.errors.len() - show));
        }
        out
    }
}

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be opened or read.
    #[error("cannot read {file}: {message}")]
    Read { file: String, message: String },
    /// Rows broke rules; nothing was written.
    #[error("{}", .0.summary(20))]
    Rejected(Rejection),
    /// The store failed (nothing was written: the import is one transaction).
    #[error(transparent)]
    Store(#[from] StoreError),
}
