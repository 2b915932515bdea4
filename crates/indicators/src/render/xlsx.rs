//! The XLSX board pack: a summary sheet (each indicator's latest value, target, rating and what it was
//! rated against), then a sheet per group (outcome, strand or area) holding each indicator's trend table
//! with a native Excel line chart drawn from it, a sheet of definitions, and a sheet of every value.
//! Cells hold numbers with number formats (percentages, whole numbers), never numbers as text; small
//! numbers are suppressed as on the pages (the cell holds `c`).

use super::{main_area, trend};
use crate::definition::{Framework, Unit};
use crate::engine::Results;
use crate::present::{self, Suppression};
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};

/// Excel's longest sheet name.
const SHEET_NAME_MAX: usize = 31;

/// A sheet name Excel accepts: no `[]:*?/\'`, at most 31 characters, unique (case-insensitively). A long
/// title keeps its whole words up to the limit rather than being cut mid-word.
pub fn sheet_name(title: &str, used: &mut Vec<String>) -> String {
    let clean: String = title.chars().map(|c| if "[]:*?/\\'".contains(c) { ' ' } else { c }).collect();
    let words: Vec<&str> = clean.split_whitespace().collect();
    let fit = |limit: usize| {
        let mut out = String::new();
        for w in &words {
            let next = if out.is_empty() { w.to_string() } else { format!("{out} {w}") };
            if next.chars().count() > limit {
                break;
            }
            out = next;
        }
        if out.is_empty() {
            out = clean.trim().chars().take(limit).collect();
        }
        out
    };
    let mut base = fit(SHEET_NAME_MAX);
    if base.is_empty() {
        base = "Sheet".into();
    }
    let mut name = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" ({n})");
        name = format!("{}{suffix}", fit(SHEET_NAME_MAX - suffix.chars().count()));
        n += 1;
    }
    used.push(name.clone());
    name
}

/// Rows Excel can hold on one sheet, less the header.
const MAX_ROWS: usize = 1_048_575;

struct Formats {
    bold: Format,
    wrap: Format,
    percent: Format,
    whole: Format,
    decimal: Format,
    per_1000: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            bold: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap(),
            // Values are held as percentages (36.4 means 36.4%), so the format adds the sign.
            percent: Format::new().set_num_format("0.0\"%\""),
            whole: Format::new().set_num_format("#,##0"),
            decimal: Format::new().set_num_format("#,##0.0"),
            per_1000: Format::new().set_num_format("0.0\" per 1,000\""),
        }
    }

    fn for_unit(&self, unit: Unit, v: f64) -> &Format {
        match unit {
            Unit::Percent => &self.percent,
            Unit::RatePer1000 => &self.per_1000,
            Unit::Count if v.fract() == 0.0 => &self.whole,
            _ => &self.decimal,
        }
    }
}

/// Write a value in its unit, or `c` where suppression hides it.
fn value_cell(ws: &mut Worksheet, f: &Formats, row: u32, col: u16, unit: Unit, v: Option<f64>, hidden: bool) -> Result<(), XlsxError> {
    match v {
        _ if hidden => {
            ws.write_string(row, col, present::SUPPRESSED)?;
        }
        Some(v) => {
            ws.write_number_with_format(row, col, v, f.for_unit(unit, v))?;
        }
        None => {}
    }
    Ok(())
}

fn count_cell(ws: &mut Worksheet, f: &Formats, row: u32, col: u16, n: Option<u64>, hidden: bool) -> Result<(), XlsxError> {
    match n {
        _ if hidden => {
            ws.write_string(row, col, present::SUPPRESSED)?;
        }
        Some(n) => {
            ws.write_number_with_format(row, col, n as f64, &f.whole)?;
        }
        None => {}
    }
    Ok(())
}

pub fn xlsx(fw: &Framework, results: &Results, la: Option<&str>, suppression: Suppression) -> Result<Vec<u8>, XlsxError> {
    let area = main_area(results, la);
    let area_name = if area == "england" { "England".to_owned() } else { format!("Local authority {area}") };
    let mut wb = Workbook::new();
    let f = Formats::new();
    let mut used = Vec::new();
    let summary_name = sheet_name("Summary", &mut used);
    {
        let ws = wb.add_worksheet();
        ws.set_name(&summary_name)?;
        ws.write_string_with_format(0, 0, &fw.title, &f.bold)?;
        ws.write_string(1, 0, format!("Area: {area_name}"))?;
        ws.write_string(2, 0, &fw.source)?;
        if suppression.threshold > 0 {
            ws.write_string(
                3,
                0,
                format!("Counts from 1 to {} are shown as c, with any percentage that would reveal them.", suppression.threshold),
            )?;
        }
        let head = ["Group", "Number", "Indicator", "Latest period", "Value", "Target", "Rating", "Rated against"];
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(5, c as u16, *h, &f.bold)?;
        }
        for (row, ind) in (6u32..).zip(fw.indicators.iter()) {
            let t = trend(results, &ind.id, &area);
            let last = t.iter().rev().find(|r| r.value.is_some()).or(t.last());
            ws.write_string(row, 0, fw.group_title(&ind.group))?;
            ws.write_string(row, 1, &ind.number)?;
            ws.write_string(row, 2, &ind.title)?;
            if let Some(r) = last {
                ws.write_string(row, 3, &r.period)?;
                value_cell(ws, &f, row, 4, ind.unit, r.value, suppression.hides_row(ind.unit, r))?;
                value_cell(ws, &f, row, 5, ind.unit, r.target, false)?;
                ws.write_string(row, 6, present::rating_words(r.rag).0)?;
                ws.write_string(row, 7, present::rated_against(r))?;
            }
        }
        ws.set_column_width(0, 28)?;
        ws.set_column_width(2, 60)?;
        ws.set_column_width(7, 40)?;
    }
    for g in &fw.groups {
        let inds: Vec<_> = fw.indicators.iter().filter(|i| i.group == g.id).collect();
        if inds.is_empty() {
            continue;
        }
        let name = sheet_name(&g.title, &mut used);
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        ws.write_string_with_format(0, 0, &g.title, &f.bold)?;
        let mut row = 2u32;
        for ind in inds {
            let t = trend(results, &ind.id, &area);
            ws.write_string_with_format(row, 0, format!("{} {}", ind.number, ind.title).trim(), &f.bold)?;
            ws.write_string(row + 1, 0, present::chart_title(ind, &area_name))?;
            let head = ["Period", "Numerator", "Denominator", "Value", "Target", "England", "Rating", "Rated against"];
            for (c, h) in head.iter().enumerate() {
                ws.write_string_with_format(row + 2, c as u16, *h, &f.bold)?;
            }
            let first = row + 3;
            for (i, r) in t.iter().enumerate() {
                let rr = first + i as u32;
                let hidden = suppression.hides_row(ind.unit, r);
                ws.write_string(rr, 0, &r.period)?;
                count_cell(ws, &f, rr, 1, r.numerator, hidden)?;
                count_cell(ws, &f, rr, 2, r.denominator, hidden)?;
                value_cell(ws, &f, rr, 3, ind.unit, r.value, hidden)?;
                value_cell(ws, &f, rr, 4, ind.unit, r.target, false)?;
                // England's count is not this LA's comparator, so it is not put beside it.
                if ind.unit != Unit::Count || area == "england" {
                    value_cell(ws, &f, rr, 5, ind.unit, r.england, false)?;
                }
                ws.write_string(rr, 6, present::rating_words(r.rag).0)?;
                ws.write_string(rr, 7, present::rated_against(r))?;
            }
            let has_values = t.iter().any(|r| r.value.is_some());
            if has_values {
                let last = first + t.len() as u32 - 1;
                let mut chart = Chart::new(ChartType::Line);
                chart.title().set_name(&present::chart_title(ind, &area_name));
                let series = |col: u16| (name.as_str(), first, col, last, col);
                chart.add_series().set_name("Value").set_categories((name.as_str(), first, 0, last, 0)).set_values(series(3));
                if t.iter().any(|r| r.target.is_some()) {
                    chart.add_series().set_name("Target").set_categories((name.as_str(), first, 0, last, 0)).set_values(series(4));
                }
                if ind.unit != Unit::Count || area == "england" {
                    chart.add_series().set_name("England").set_categories((name.as_str(), first, 0, last, 0)).set_values(series(5));
                }
                chart.set_width(480).set_height(220);
                ws.insert_chart(row, 9, &chart)?;
            } else {
                ws.write_string(first, 0, "No values: entered by hand or awaiting person-level data.")?;
            }
            row = (first + t.len().max(1) as u32 + 2).max(row + 13);
        }
        ws.set_column_width(0, 18)?;
        ws.set_column_width(7, 24)?;
    }
    let defs_name = sheet_name("Definitions", &mut used);
    {
        let ws = wb.add_worksheet();
        ws.set_name(&defs_name)?;
        let head = ["Indicator id", "Number", "Title", "Definition", "Unit", "Better when", "Source", "Notes"];
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &f.bold)?;
        }
        for (row, ind) in (1u32..).zip(fw.indicators.iter()) {
            ws.write_string(row, 0, &ind.id)?;
            ws.write_string(row, 1, &ind.number)?;
            ws.write_string(row, 2, &ind.title)?;
            ws.write_string_with_format(row, 3, &ind.definition, &f.wrap)?;
            ws.write_string(
                row,
                4,
                match ind.unit {
                    Unit::Count => "Number",
                    Unit::Percent => "Percentage",
                    Unit::RatePer1000 => "Rate per 1,000",
                    Unit::Average => "Average",
                },
            )?;
            ws.write_string(
                row,
                5,
                match ind.polarity {
                    crate::definition::Polarity::HigherIsBetter => "Higher",
                    crate::definition::Polarity::LowerIsBetter => "Lower",
                    crate::definition::Polarity::Neutral => "Neither (not rated)",
                },
            )?;
            ws.write_string_with_format(row, 6, &ind.source, &f.wrap)?;
            ws.write_string_with_format(row, 7, &ind.notes, &f.wrap)?;
        }
        ws.set_column_width(2, 40)?;
        ws.set_column_width(3, 80)?;
        ws.set_column_width(6, 40)?;
        ws.set_column_width(7, 40)?;
    }
    let data_name = sheet_name("All values", &mut used);
    let ws = wb.add_worksheet();
    ws.set_name(&data_name)?;
    for (c, h) in super::CSV_HEADER.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.bold)?;
    }
    ws.write_string_with_format(0, super::CSV_HEADER.len() as u16, "rated_against", &f.bold)?;
    let unit_of = |id: &str| fw.indicators.iter().find(|i| i.id == id).map_or(Unit::Count, |i| i.unit);
    for (i, r) in results.rows.iter().take(MAX_ROWS).enumerate() {
        let rr = i as u32 + 1;
        let unit = unit_of(&r.indicator);
        let hidden = suppression.hides_row(unit, r);
        ws.write_string(rr, 0, &r.framework)?;
        ws.write_string(rr, 1, &r.indicator)?;
        ws.write_string(rr, 2, &r.period)?;
        ws.write_string(rr, 3, &r.la)?;
        ws.write_string(rr, 4, &r.cohort)?;
        count_cell(ws, &f, rr, 5, r.numerator, hidden)?;
        count_cell(ws, &f, rr, 6, r.denominator, hidden)?;
        value_cell(ws, &f, rr, 7, unit, r.value, hidden)?;
        value_cell(ws, &f, rr, 8, unit, r.target, false)?;
        ws.write_string(rr, 9, r.rag.map_or("", |g| g.as_str()))?;
        ws.write_string(rr, 10, present::rated_against(r))?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_keep_whole_words_within_31_characters_and_stay_unique() {
        let mut used = Vec::new();
        let a = sheet_name("Children and young people are safe and healthy", &mut used);
        assert!(a.chars().count() <= 31 && !a.ends_with(' '), "{a}");
        assert_eq!(a, "Children and young people are");
        let b = sheet_name("Children and young people are safe and healthy", &mut used);
        assert_ne!(a, b);
        assert!(b.chars().count() <= 31, "{b}");
        assert_eq!(sheet_name("Plans: in force / ceased", &mut used), "Plans in force ceased");
    }
}

/// A cell of a plain table sheet ([`tables_workbook`]): text, or a number held as a number with the
/// format its kind gives (whole, one decimal place, pounds, a percentage held as 36.4 for 36.4%).
#[derive(Debug, Clone, PartialEq)]
pub enum TableCell {
    Text(String),
    Whole(f64),
    Decimal(f64),
    Money(f64),
    Percent(f64),
    Empty,
}

/// A sheet of a plain table: its title (the sheet's name, made valid for Excel), headings and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSheet {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<TableCell>>,
}

/// A workbook of plain tables, one sheet each, with bold headings, a frozen heading row and numbers as
/// numbers in the board pack's number formats (used by pages whose tables are not indicators, such as
/// the forecast).
pub fn tables_workbook(sheets: &[TableSheet]) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let money = Format::new().set_num_format("£#,##0");
    let mut book = Workbook::new();
    let mut used = Vec::new();
    for s in sheets {
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(&s.title, &mut used))?;
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &f.bold)?;
            ws.set_column_width(c as u16, (h.chars().count().clamp(10, 40) + 2) as f64)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (r, row) in s.rows.iter().take(MAX_ROWS).enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    TableCell::Text(t) => {
                        ws.write_string(r, c, t)?;
                    }
                    TableCell::Whole(v) => {
                        ws.write_number_with_format(r, c, *v, &f.whole)?;
                    }
                    TableCell::Decimal(v) => {
                        ws.write_number_with_format(r, c, *v, &f.decimal)?;
                    }
                    TableCell::Money(v) => {
                        ws.write_number_with_format(r, c, *v, &money)?;
                    }
                    TableCell::Percent(v) => {
                        ws.write_number_with_format(r, c, *v, &f.percent)?;
                    }
                    TableCell::Empty => {}
                }
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn a_tables_workbook_holds_numbers_as_numbers_on_named_sheets() {
        let sheet = TableSheet {
            title: "Forecast: by year".into(),
            header: vec!["Year".into(), "Expected".into(), "Cost".into()],
            rows: vec![vec![TableCell::Text("2026".into()), TableCell::Whole(2345.4), TableCell::Money(1_000_000.0)]],
        };
        let bytes = tables_workbook(&[sheet]).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut xml).unwrap();
        assert!(xml.contains("<v>2345.4</v>"), "the number is a number: {xml}");
        let mut wb = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").unwrap(), &mut wb).unwrap();
        assert!(wb.contains("name=\"Forecast by year\""), "the sheet is named without the colon Excel refuses: {wb}");
    }
}
