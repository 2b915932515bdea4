//! Waymark's CSV imports: person-level facts from every agency and the reference data they point at,
//! one documented format per dataset (`docs/import-formats.md`, generated from [`format`]).
//!
//! An import is all or nothing:
//! 1. the header is checked against the dataset's format (unknown, missing or repeated columns);
//! 2. every row is parsed by the domain's rules (identifiers, dates, codes, and rules between
//!    fields), every problem recorded with its file, line, column, value and rule;
//! 3. the store checks every row against what it holds (settings and localities referred to, the
//!    child each row links to, the children it would create, the actor's scope), in the same
//!    transaction that then writes every row, or none.
//!
//! A file with any problem is refused whole ([`ImportError::Rejected`]); [`write_report`] writes every
//! problem beside its row. Importing the same file again changes nothing: each fact has a natural key
//! and an unchanged fact is not written again.

mod docs;
mod error;
pub mod establishments;
mod format;
mod progress;
mod reader;
mod report;
mod rows;

pub use docs::formats_markdown;
pub use error::{ImportError, Rejection, RowError};
pub use format::{format, Column, Format, Kind};
pub use progress::{Progress, LARGE_FILE_BYTES};
pub use reader::{MAX_COLUMNS, MAX_FIELD_BYTES, MAX_RECORD_BYTES};
pub use report::{write_report, REPORT_COLUMNS};
pub use waymark_domain::facts::Dataset;
pub use waymark_storage::ImportCounts;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use waymark_storage::{Actor, FactStore, ImportBatch, ImportResult, RowProblem};

/// How to run an import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Check everything and count what would change, but write nothing.
    pub dry_run: bool,
    /// Show a progress bar on standard error for a large file (only if it is a terminal).
    pub progress: bool,
}

/// Read and check a whole file without the store: the rows that parsed, or every problem found.
/// (References to settings and localities, and linking to children, need the store: see
/// [`import_file`].)
pub fn read_file(dataset: Dataset, path: &Path) -> Result<ImportBatch, ImportError> {
    let file = open(path)?;
    read(dataset, &path.display().to_string(), &source_name(path), BufReader::new(file))
}

/// As [`read_file`], from any reader: `file` names it in problems, `source_name` is recorded as
/// each fact's source.
pub fn read<R: Read>(dataset: Dataset, file: &str, source_name: &str, input: R) -> Result<ImportBatch, ImportError> {
    let outcome = reader::read_rows(dataset, file, source_name, input, &Progress::hidden())?;
    if outcome.errors.is_empty() {
        Ok(outcome.batch)
    } else {
        Err(ImportError::Rejected(outcome.rejection(file)))
    }
}

/// Import a file into the store: every row checked first, then all written in one transaction, or
/// none. On success, what changed.
pub async fn import_file<S: FactStore>(
    store: &S,
    actor: &Actor,
    dataset: Dataset,
    path: &Path,
    options: Options,
) -> Result<ImportCounts, ImportError> {
    let file = open(path)?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = if options.progress { Progress::for_file(len) } else { Progress::hidden() };
    let result =
        import_reader(store, actor, dataset, &path.display().to_string(), &source_name(path), BufReader::new(file), options, &progress)
            .await;
    progress.finish();
    result
}

/// As [`import_file`], from any reader: `file` names it in problems, `source_name` is recorded as
/// each fact's source.
#[allow(clippy::too_many_arguments)]
pub async fn import_reader<S: FactStore, R: Read>(
    store: &S,
    actor: &Actor,
    dataset: Dataset,
    file: &str,
    source_name: &str,
    input: R,
    options: Options,
    progress: &Progress,
) -> Result<ImportCounts, ImportError> {
    let read = reader::read_rows(dataset, file, source_name, input, progress)?;
    let parse_failed = !read.errors.is_empty();
    let mut rejection = read.rejection(file);
    let mut batch = read.batch;
    // With rows already refused, the store still checks the others (writing nothing), so that one
    // report lists every problem in the file.
    batch.check_only = options.dry_run || parse_failed;
    if parse_failed && batch.rows.is_empty() {
        return Err(ImportError::Rejected(rejection));
    }
    progress.start_store(batch.rows.len() as u64);
    match store.import(actor, batch, progress).await? {
        ImportResult::Imported(_) if parse_failed => Err(ImportError::Rejected(rejection)),
        ImportResult::Imported(counts) => Ok(counts),
        ImportResult::Rejected(problems) => {
            rejection.errors.extend(problems.into_iter().map(|p| row_error(file, p)));
            rejection.errors.sort_by_key(|e| e.line);
            Err(ImportError::Rejected(rejection))
        }
    }
}

fn row_error(file: &str, p: RowProblem) -> RowError {
    RowError {
        file: file.to_owned(),
        line: p.line,
        column: p.column.to_owned(),
        value: p.value,
        rule: p.rule.to_owned(),
        message: p.message,
    }
}

fn open(path: &Path) -> Result<File, ImportError> {
    let read_err = |message: String| ImportError::Read { file: path.display().to_string(), message };
    if path.is_dir() {
        return Err(read_err("it is a folder, not a CSV file".into()));
    }
    File::open(path).map_err(|e| read_err(e.to_string()))
}

/// The file's name without its folder, as recorded in each fact's source.
fn source_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}
