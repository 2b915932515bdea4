//! The rejection report: one CSV line per problem, naming the file, line, column, value, rule and
//! message, followed by the rejected row's own values under its own column names, so the person
//! fixing the file sees each problem beside the row it is in. Written through Waymark's one CSV writer,
//! so a cell like `=HYPERLINK(...)` copied from the file cannot run as a formula in a spreadsheet.

use crate::error::Rejection;
use crate::reader::Records;
use csv::ByteRecord;
use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;

/// The report's own columns, before the rejected row's.
pub const REPORT_COLUMNS: [&str; 6] = ["file", "line", "column", "value", "rule", "message"];

/// Write `rejection` to `report`, re-reading `source` (the rejected file) for the rows' values.
pub fn write_report(report: &Path, source: &Path, rejection: &Rejection) -> io::Result<()> {
    let lines: BTreeSet<u64> = rejection.errors.iter().map(|e| e.line).collect();
    let (header, rows) = rejected_rows(source, &lines)?;
    let mut out = waymark_safe_output::CsvWriter::create(report)?;
    let mut head: Vec<Vec<u8>> = REPORT_COLUMNS.iter().map(|c| c.as_bytes().to_vec()).collect();
    head.extend(header.iter().map(<[u8]>::to_vec));
    out.write_record(&head)?;
    let mut errors: Vec<_> = rejection.errors.iter().collect();
    errors.sort_by_key(|e| e.line);
    for e in errors {
        let line = e.line.to_string();
        let mut record: Vec<&[u8]> =
            vec![e.file.as_bytes(), line.as_bytes(), e.column.as_bytes(), e.value.as_bytes(), e.rule.as_bytes(), e.message.as_bytes()];
        let values = rows.get(&e.line);
        for i in 0..header.len() {
            record.push(values.and_then(|v| v.get(i)).unwrap_or(b""));
        }
        out.write_record(&record)?;
    }
    out.flush()
}

/// The header, and the records that start on `lines`, from the source file.
fn rejected_rows(source: &Path, lines: &BTreeSet<u64>) -> io::Result<(ByteRecord, HashMap<u64, ByteRecord>)> {
    let mut records = Records::new(BufReader::new(File::open(source)?));
    let mut header = ByteRecord::new();
    let mut rows = HashMap::new();
    if records.next(&mut header).map_err(io::Error::other)?.is_none() {
        return Ok((header, rows));
    }
    if let Some(first) = header.get(0).map(|c| c.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(c).to_vec()) {
        let rest: Vec<Vec<u8>> = header.iter().skip(1).map(<[u8]>::to_vec).collect();
        header = std::iter::once(first).chain(rest).collect();
    }
    let mut record = ByteRecord::new();
    while let Some(line) = records.next(&mut record).map_err(io::Error::other)? {
        if lines.contains(&line) {
            rows.insert(line, record.clone());
        }
    }
    Ok((header, rows))
}
