//! Outputs: CSV (one row per value), JSON, an XLSX board pack and a printable HTML report.

mod html;
pub mod svg;
mod xlsx;

pub use html::html;
pub use xlsx::xlsx;
pub use xlsx::{tables_workbook, TableCell, TableSheet};

use crate::definition::{Framework, Unit};
use crate::engine::{ResultRow, Results};

/// The CSV columns, exactly.
pub const CSV_HEADER: [&str; 10] =
    ["framework", "indicator", "period", "la", "cohort", "numerator", "denominator", "value", "target", "rag"];

/// A number as written in outputs: whole numbers without a decimal point, others to one place.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |x| x.to_string())
}

/// CSV of every row, through Waymark's one CSV writer (formula-leading cells neutralised).
pub fn csv(results: &[Results]) -> Result<String, csv::Error> {
    let mut w = waymark_safe_output::CsvWriter::new(Vec::new());
    w.write_record(CSV_HEADER)?;
    for res in results {
        for r in &res.rows {
            w.write_record([
                r.framework.as_str(),
                &r.indicator,
                &r.period,
                &r.la,
                &r.cohort,
                &opt(r.numerator),
                &opt(r.denominator),
                &r.value.map(fmt_num).unwrap_or_default(),
                &r.target.map(fmt_num).unwrap_or_default(),
                r.rag.map_or("", |g| g.as_str()),
            ])?;
        }
    }
    let bytes = w.into_inner()?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// CSV of every row as a board export: the same columns, with counts from 1 to the threshold (and any
/// percentage or rate that would reveal them) written as `c`.
pub fn csv_suppressed(
    results: &[Results],
    frameworks: &[&Framework],
    suppression: crate::present::Suppression,
) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    for res in results {
        let fw = frameworks.iter().find(|f| f.id == res.framework);
        for r in &res.rows {
            let unit = fw.and_then(|f| f.indicators.iter().find(|i| i.id == r.indicator)).map_or(Unit::Count, |i| i.unit);
            let hidden = suppression.hides_row(unit, r);
            let c = |v: String| if hidden { crate::present::SUPPRESSED.to_owned() } else { v };
            w.write_record([
                r.framework.as_str(),
                &r.indicator,
                &r.period,
                &r.la,
                &r.cohort,
                &c(opt(r.numerator)),
                &c(opt(r.denominator)),
                &c(r.value.map(fmt_num).unwrap_or_default()),
                &r.target.map(fmt_num).unwrap_or_default(),
                r.rag.map_or("", |g| g.as_str()),
            ])?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// JSON: each framework's definitions (id, title, definition, group, unit, polarity, source, measure)
/// and its rows (with status and comparators).
pub fn json(frameworks: &[&Framework], results: &[Results]) -> serde_json::Value {
    let defs = |fw: &Framework| {
        fw.indicators
            .iter()
            .map(|i| {
                serde_json::json!({
                    "id": i.id, "number": i.number, "title": i.title, "definition": i.definition, "group": i.group,
                    "strand": i.strand, "question": i.question, "unit": i.unit, "period": i.period, "polarity": i.polarity,
                    "measure": i.measure, "numerator": i.numerator.as_ref().map(|e| e.text.clone()),
                    "denominator": i.denominator.as_ref().map(|e| e.text.clone()), "source": i.source, "evidence": i.evidence,
                    "notes": i.notes,
                })
            })
            .collect::<Vec<_>>()
    };
    serde_json::json!({
        "frameworks": results.iter().map(|r| {
            let fw = frameworks.iter().find(|f| f.id == r.framework);
            serde_json::json!({
                "id": r.framework, "title": r.title, "periods": r.periods,
                "groups": fw.map(|f| serde_json::to_value(&f.groups).unwrap_or_default()),
                "indicators": fw.map(|f| defs(f)),
                "rows": r.rows,
            })
        }).collect::<Vec<_>>()
    })
}

/// The area a report is about: the LA asked for, else England.
pub fn main_area(results: &Results, la: Option<&str>) -> String {
    match la {
        Some(l) => l.to_owned(),
        None if results.rows.iter().any(|r| r.la == "england") => "england".into(),
        None => results.rows.first().map_or_else(|| "england".into(), |r| r.la.clone()),
    }
}

/// The trend of one indicator for an area (cohort `all`), in period order.
pub fn trend<'a>(results: &'a Results, indicator: &str, la: &str) -> Vec<&'a ResultRow> {
    results.rows.iter().filter(|r| r.indicator == indicator && r.la == la && r.cohort == "all").collect()
}

/// How a value is labelled.
pub fn unit_suffix(u: Unit) -> &'static str {
    match u {
        Unit::Count => "",
        Unit::Percent => "%",
        Unit::RatePer1000 => " per 1,000",
        Unit::Average => "",
    }
}
