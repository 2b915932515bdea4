//! Reading a CSV file into a batch of typed rows: the header is checked against the dataset's
//! format, then every row is parsed, and every problem anywhere in the file is collected.

use crate::error::{ImportError, Rejection, RowError};
use crate::format::{format, Format};
use crate::progress::Progress;
use crate::rows::{Parsed, Row};
use csv::{ByteRecord, StringRecord};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::rc::Rc;
use waymark_domain::facts::{Dataset, DatasetKind};
use waymark_storage::{ImportBatch, ImportRows};

/// Where each non-blank line of the input starts, as the CSV reader consumes it. The CSV reader's
/// own record positions count a record from where the previous one ended, so a record after a
/// blank line, and every record of a file with CRLF line endings, would be given the line before
/// its own; the line of a record is instead the line of the first non-blank line start at or after
/// that position.
#[derive(Default)]
struct LineStarts {
    /// Where the record being read began (the end of the previous one).
    record_start: u64,
    offset: u64,
    line: u64,
    at_line_start: bool,
    after_cr: bool,
    /// (byte offset, line number) of non-blank line starts not yet claimed by a record.
    starts: VecDeque<(u64, u64)>,
}

struct Tracked<R> {
    inner: R,
    lines: Rc<RefCell<LineStarts>>,
}

/// The longest record (row or header) read, in bytes: beyond it the read stops, so one endless
/// record (a missing closing quote, or a hostile file) cannot fill memory.
pub const MAX_RECORD_BYTES: u64 = 4 << 20;
/// The most columns a header may name: Excel's limit (16,384), wider than any real import file.
pub const MAX_COLUMNS: usize = 16_384;
/// The longest value one cell may hold.
pub const MAX_FIELD_BYTES: usize = 64 << 10;
/// The most header problems listed one by one (the rest are counted in one more problem), so a wide
/// header of unknown columns gives a short report.
const MAX_HEADER_ERRORS: usize = 50;

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        {
            let s = self.lines.borrow();
            if s.offset.saturating_sub(s.record_start) > MAX_RECORD_BYTES {
                let line = s.starts.iter().find(|&&(offset, _)| offset >= s.record_start).map_or(s.line, |&(_, line)| line);
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "line {line}: the record starting here is longer than {} MB (the most one row may be); \
                         check for a quote that is never closed, and that this is a CSV file",
                        MAX_RECORD_BYTES >> 20
                    ),
                ));
            }
        }
        let n = self.inner.read(buf)?;
        let mut s = self.lines.borrow_mut();
        for &byte in &buf[..n] {
            if s.after_cr && byte == b'\n' {
                // The second half of a CRLF line break.
                s.after_cr = false;
                s.offset += 1;
                continue;
            }
            s.after_cr = false;
            if s.at_line_start && byte != b'\n' && byte != b'\r' {
                let start = (s.offset, s.line);
                s.starts.push_back(start);
            }
            s.at_line_start = false;
            if byte == b'\n' || byte == b'\r' {
                s.line += 1;
                s.at_line_start = true;
                s.after_cr = byte == b'\r';
            }
            s.offset += 1;
        }
        Ok(n)
    }
}

/// The CSV records of an input with the line each starts on (the first line is 1). Every import
/// reads files this way, and the report re-reads the rejected file the same way.
pub(crate) struct Records<R> {
    reader: csv::Reader<Tracked<R>>,
    lines: Rc<RefCell<LineStarts>>,
}

impl<R: Read> Records<R> {
    pub(crate) fn new(input: R) -> Self {
        let lines = Rc::new(RefCell::new(LineStarts { line: 1, at_line_start: true, ..LineStarts::default() }));
        let tracked = Tracked { inner: input, lines: Rc::clone(&lines) };
        let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(tracked);
        Self { reader, lines }
    }

    /// Read the next record into `record`: its line, or `None` at the end of the input.
    pub(crate) fn next(&mut self, record: &mut ByteRecord) -> Result<Option<u64>, csv::Error> {
        if !self.reader.read_byte_record(record)? {
            return Ok(None);
        }
        let from = record.position().map_or(0, |p| p.byte());
        let mut lines = self.lines.borrow_mut();
        lines.record_start = self.reader.position().byte();
        while lines.starts.front().is_some_and(|&(offset, _)| offset < from) {
            lines.starts.pop_front();
        }
        let line = lines.starts.front().map_or(lines.line, |&(_, line)| line);
        Ok(Some(line))
    }

    /// Bytes read so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.reader.position().byte()
    }
}

/// A header cell as a column name: trimmed, lower-case, without a UTF-8 byte order mark.
fn column_name(cell: &[u8]) -> Option<String> {
    let cell = cell.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(cell);
    std::str::from_utf8(cell).ok().map(|s| s.trim().to_ascii_lowercase())
}

/// A line with nothing on it.
fn is_blank(record: &ByteRecord) -> bool {
    record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
}

fn error(file: &str, line: u64, column: &str, value: &str, rule: &str, message: impl Into<String>) -> RowError {
    RowError {
        file: file.to_owned(),
        line,
        column: column.to_owned(),
        value: value.to_owned(),
        rule: rule.to_owned(),
        message: message.into(),
    }
}

/// Check the header: every column known, none twice, every required column present. The column
/// positions by name, or the problems.
fn read_header(format: &Format, file: &str, header: &ByteRecord) -> Result<HashMap<&'static str, usize>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut index = HashMap::new();
    let known: Vec<&str> = format.columns.iter().map(|c| c.name).collect();
    let known = known.join(", ");
    for (i, cell) in header.iter().enumerate() {
        if cell.len() > MAX_FIELD_BYTES {
            errors.push(error(
                file,
                1,
                "",
                "",
                "value_too_long",
                format!("column {} of the header is longer than a column name can be", i + 1),
            ));
            continue;
        }
        let Some(name) = column_name(cell) else {
            errors.push(error(file, 1, "", "", "encoding", "the header is not UTF-8 text: save the file as UTF-8 CSV"));
            continue;
        };
        match format.columns.iter().find(|c| c.name == name) {
            None if name.is_empty() => {
                errors.push(error(file, 1, "", "", "header_blank_column", format!("column {} of the header has no name", i + 1)))
            }
            None => {
                errors.push(error(
                    file,
                    1,
                    &name,
                    &name,
                    "header_unknown_column",
                    format!("{} files have no such column; the columns are: {known}", format.dataset),
                ));
            }
            Some(c) => {
                if index.insert(c.name, i).is_some() {
                    errors.push(error(file, 1, c.name, c.name, "header_duplicate_column", "the column appears more than once"));
                }
            }
        }
    }
    for c in format.columns.iter().filter(|c| c.required && !index.contains_key(c.name)) {
        errors.push(error(file, 1, c.name, "", "header_missing_column", format!("{} files must have this column", format.dataset)));
    }
    if errors.len() > MAX_HEADER_ERRORS {
        // The rejection report writes every problem beside the file's columns: a header of many unknown
        // columns would make it quadratic in the header's width (issue 12).
        let more = errors.len() - MAX_HEADER_ERRORS;
        errors.truncate(MAX_HEADER_ERRORS);
        errors.push(error(file, 1, "", "", "header_many_problems", format!("and {more} more problems with the header's columns")));
    }
    if errors.is_empty() {
        Ok(index)
    } else {
        Err(errors)
    }
}

/// What makes two rows of one file the same record; a second is refused.
fn duplicate_key(dataset: Dataset, parsed: &Parsed) -> Option<String> {
    match parsed {
        Parsed::Locality(l) => Some(format!("{}|{}", l.la, l.code)),
        Parsed::Setting(s) => Some(s.urn.to_string()),
        Parsed::Population(p) => Some(format!("{}|{}|{}|{:?}", p.la(), p.year(), p.age(), p.sex())),
        Parsed::Person(keys, fact) => keys.dataset_key(dataset).map(|k| format!("{k:?}|{}", fact.natural_key())),
    }
}

/// The rows of a file that parsed, and every problem found.
pub(crate) struct ReadOutcome {
    pub batch: ImportBatch,
    pub rows: u64,
    pub errors: Vec<RowError>,
}

/// Read and check a whole file. `file` names it in errors; the batch records `source_name`.
pub(crate) fn read_rows<R: Read>(
    dataset: Dataset,
    file: &str,
    source_name: &str,
    input: R,
    progress: &Progress,
) -> Result<ReadOutcome, ImportError> {
    let format = format(dataset);
    let mut records = Records::new(input);
    let read_err = |e: csv::Error| ImportError::Read {
        file: file.to_owned(),
        message: match e.kind() {
            csv::ErrorKind::Io(io) => io.to_string(),
            _ => e.to_string(),
        },
    };
    let mut record = ByteRecord::new();
    let empty = |rows| ReadOutcome { batch: ImportBatch::new(dataset, source_name, ImportRows::empty(dataset)), rows, errors: Vec::new() };
    if records.next(&mut record).map_err(read_err)?.is_none() {
        let mut outcome = empty(0);
        outcome.errors.push(error(file, 1, "", "", "header_missing", "the file is empty: its first line must name the columns"));
        return Ok(outcome);
    }
    if record.len() > MAX_COLUMNS {
        let mut outcome = empty(0);
        outcome.errors.push(error(
            file,
            1,
            "",
            "",
            "header_too_wide",
            format!(
                "the header names {} columns, more than the {MAX_COLUMNS} a file may have ({} files have {})",
                record.len(),
                format.dataset,
                format.columns.len()
            ),
        ));
        return Ok(outcome);
    }
    let index = match read_header(&format, file, &record) {
        Ok(index) => index,
        Err(errors) => return Ok(ReadOutcome { errors, ..empty(0) }),
    };
    let mut errors = Vec::new();
    let mut parsed: Vec<(u64, Parsed)> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut rows = 0u64;
    let header_len = record.len();
    while let Some(line) = records.next(&mut record).map_err(read_err)? {
        if rows.is_multiple_of(1000) {
            progress.read(records.bytes());
        }
        if is_blank(&record) {
            continue;
        }
        rows += 1;
        if let Some(i) = record.iter().position(|f| f.len() > MAX_FIELD_BYTES) {
            let column = index.iter().find(|&(_, &at)| at == i).map_or_else(|| format!("column {}", i + 1), |(name, _)| (*name).to_owned());
            errors.push(error(
                file,
                line,
                &column,
                "",
                "value_too_long",
                format!("a value is {} bytes long, more than the {MAX_FIELD_BYTES} a cell may hold", record.get(i).map_or(0, <[u8]>::len)),
            ));
            continue;
        }
        let text = match StringRecord::from_byte_record(record.clone()) {
            Ok(text) => text,
            Err(_) => {
                errors.push(error(file, line, "", "", "encoding", "the row is not UTF-8 text: save the file as UTF-8 CSV"));
                continue;
            }
        };
        if text.len() != header_len {
            errors.push(error(
                file,
                line,
                "",
                "",
                "row_length",
                format!("the row has {} values but the header names {header_len} columns", text.len()),
            ));
            continue;
        }
        let mut row = Row::new(&format, &index, &text, file, line);
        match (format.parse)(&mut row) {
            Some(p) if !row.failed() => {
                if let Some(key) = duplicate_key(dataset, &p) {
                    if let Some(first) = seen.insert(key, line) {
                        let (key_column, value) = match &p {
                            Parsed::Person(keys, _) => {
                                keys.dataset_key(dataset).map_or(("", String::new()), |k| (k.kind().column(), k.value()))
                            }
                            Parsed::Setting(s) => ("urn", s.urn.to_string()),
                            _ => ("", String::new()),
                        };
                        errors.push(error(
                            file,
                            line,
                            key_column,
                            &value,
                            "duplicate_row",
                            format!("repeats the record of line {first} ({})", format.natural_key),
                        ));
                        continue;
                    }
                }
                parsed.push((line, p));
            }
            _ => errors.extend(row.into_errors()),
        }
    }
    let rows_vec = match format.dataset.kind() {
        DatasetKind::Person => ImportRows::Person(parsed.into_iter().filter_map(|(line, p)| p.into_person_row(line)).collect()),
        DatasetKind::Reference => match dataset {
            Dataset::Localities => ImportRows::Localities(
                parsed.into_iter().filter_map(|(l, p)| if let Parsed::Locality(x) = p { Some((l, x)) } else { None }).collect(),
            ),
            Dataset::Settings => ImportRows::Settings(
                parsed.into_iter().filter_map(|(l, p)| if let Parsed::Setting(x) = p { Some((l, x)) } else { None }).collect(),
            ),
            _ => ImportRows::Population(
                parsed.into_iter().filter_map(|(l, p)| if let Parsed::Population(x) = p { Some((l, x)) } else { None }).collect(),
            ),
        },
    };
    Ok(ReadOutcome { batch: ImportBatch::new(dataset, source_name, rows_vec), rows, errors })
}

impl ReadOutcome {
    pub(crate) fn rejection(&self, file: &str) -> Rejection {
        Rejection { file: file.to_owned(), rows: self.rows, errors: self.errors.clone() }
    }
}
