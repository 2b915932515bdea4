//! Output that is safe to open: every CSV Waymark writes for people to open goes through [`CsvWriter`],
//! and text copied from a file onto a terminal goes through [`printable`].
//!
//! * **CSV (formula injection).** A spreadsheet treats a cell that begins with `=`, `+`, `-` or `@`
//!   as a formula, and a leading tab or carriage return can hide one. Following OWASP's "CSV Injection"
//!   guidance, such a cell is written with a leading single quote (`'=HYPERLINK(...)` shows as text),
//!   and every cell that needs it is quoted. A plain number (`-3`, `+1.5`) is left as it is: it cannot
//!   run as a formula and changing it would break sums.
//! * **Terminals (escape codes).** A name like `\x1b]0;...\x07` in a file can retitle or rewrite a
//!   terminal when an error message prints it; [`printable`] replaces control characters with `?`.
//!
//! The crate depends only on `csv`, so every crate that writes CSV (import, SEN2, indicators, web)
//! uses it without a dependency loop (ADR 0015).

use std::borrow::Cow;
use std::io;
use std::path::Path;

/// The characters that make a cell a formula (or hide one) when they lead it.
pub const FORMULA_LEADS: [u8; 6] = [b'=', b'+', b'-', b'@', b'\t', b'\r'];

/// True when `cell` is a plain decimal number (optional sign, digits, at most one point, optional
/// exponent): such a cell is never a formula.
fn plain_number(cell: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(cell) else { return false };
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'E')
        && body.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && text.parse::<f64>().is_ok()
}

/// A cell as it may be written: a formula-leading cell gets a leading `'`.
pub fn neutralise(cell: &[u8]) -> Cow<'_, [u8]> {
    match cell.first() {
        Some(first) if FORMULA_LEADS.contains(first) && !plain_number(cell) => {
            let mut out = Vec::with_capacity(cell.len() + 1);
            out.push(b'\'');
            out.extend_from_slice(cell);
            Cow::Owned(out)
        }
        _ => Cow::Borrowed(cell),
    }
}

/// The same for text.
pub fn neutralise_str(cell: &str) -> Cow<'_, str> {
    match neutralise(cell.as_bytes()) {
        Cow::Borrowed(_) => Cow::Borrowed(cell),
        Cow::Owned(bytes) => Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())),
    }
}

/// Waymark's one CSV writer: the `csv` crate's, with every cell passed through [`neutralise`].
pub struct CsvWriter<W: io::Write> {
    inner: csv::Writer<W>,
    quote_all: bool,
}

fn builder(quote_all: bool) -> csv::WriterBuilder {
    let mut b = csv::WriterBuilder::new();
    if quote_all {
        b.quote_style(csv::QuoteStyle::Always).flexible(true);
    }
    b
}

impl<W: io::Write> CsvWriter<W> {
    /// Quote cells only where needed; every record has the same number of fields.
    pub fn new(out: W) -> Self {
        Self { inner: builder(false).from_writer(out), quote_all: false }
    }

    /// Quote every cell, and let records differ in length (the dashboard's blocks of tables).
    pub fn quoting_all(out: W) -> Self {
        Self { inner: builder(true).from_writer(out), quote_all: true }
    }

    /// Write one record, each cell neutralised.
    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        let cells: Vec<Vec<u8>> = record.into_iter().map(|c| neutralise(c.as_ref()).into_owned()).collect();
        self.inner.write_record(&cells)
    }

    /// Write a blank line (between blocks).
    pub fn write_blank_line(self) -> io::Result<Self> {
        // The csv crate writes an empty record as `""`; a blank line is written to the writer beneath.
        let quote_all = self.quote_all;
        let mut out = self.into_inner()?;
        out.write_all(b"\n")?;
        Ok(Self { inner: builder(quote_all).from_writer(out), quote_all })
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }

    /// The underlying writer, after flushing.
    pub fn into_inner(self) -> io::Result<W> {
        self.inner.into_inner().map_err(|e| io::Error::other(e.to_string()))
    }
}

impl CsvWriter<std::fs::File> {
    /// Create (or truncate) the file at `path`.
    pub fn create(path: &Path) -> io::Result<Self> {
        Ok(Self::new(std::fs::File::create(path)?))
    }
}

/// Text from a file made safe to print on a terminal: control characters (C0 except nothing, DEL,
/// C1, and the bidirectional overrides that reorder what is shown) become `?`.
pub fn printable(text: &str) -> Cow<'_, str> {
    let bad = |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if text.chars().any(bad) {
        Cow::Owned(text.chars().map(|c| if bad(c) { '?' } else { c }).collect())
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(rows: &[&[&str]]) -> String {
        let mut w = CsvWriter::new(Vec::new());
        for r in rows {
            w.write_record(r.iter()).unwrap();
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn owasp_csv_injection_every_formula_lead_is_neutralised_with_a_quote() {
        let out = written(&[&["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain"]]);
        assert_eq!(out, "\"'=HYPERLINK(\"\"http://x\"\")\",'+1+1,'-2+3,'@SUM(A1),'\tx,\"'\rx\",plain\n");
    }

    #[test]
    fn plain_numbers_and_ordinary_text_are_written_unchanged() {
        assert_eq!(written(&[&["-3", "+1.5", "0.25", "12", "-", "Smith, Jo"]]), "-3,+1.5,0.25,12,'-,\"Smith, Jo\"\n");
        assert_eq!(neutralise_str("-e5"), "'-e5");
    }

    #[test]
    fn quoting_all_quotes_every_cell_and_allows_blocks_of_different_widths() {
        let mut w = CsvWriter::quoting_all(Vec::new());
        w.write_record(["T"]).unwrap();
        w.write_record(["A", "=cmd()"]).unwrap();
        let w = w.write_blank_line().unwrap();
        assert_eq!(String::from_utf8(w.into_inner().unwrap()).unwrap(), "\"T\"\n\"A\",\"'=cmd()\"\n\n");
    }

    #[test]
    fn terminal_escape_codes_and_bidi_overrides_are_made_visible_not_obeyed() {
        assert_eq!(printable("Jo\x1b]0;owned\x07 Smith\u{202E}"), "Jo?]0;owned? Smith?");
        assert_eq!(printable("Zoë O'Neil"), "Zoë O'Neil");
    }
}
