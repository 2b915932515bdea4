//! The XLSX board pack: a summary sheet, then a sheet per group (outcome, strand or area) holding each
//! indicator's trend table with a native Excel line chart drawn from it, and a sheet of every value.

use super::{main_area, trend};
use crate::definition::Framework;
use crate::engine::Results;
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, XlsxError};

/// Excel allows 31 characters and no `[]:*?/\` in a sheet name; names must be unique.
fn sheet_name(title: &str, used: &mut Vec<String>) -> String {
    let clean: String = title.chars().map(|c| if "[]:*?/\\'".contains(c) { ' ' } else { c }).collect();
    let mut base: String = clean.trim().chars().take(28).collect();
    if base.is_empty() {
        base = "Sheet".into();
    }
    let mut name = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        name = format!("{base} {n}");
        n += 1;
    }
    used.push(name.clone());
    name
}

/// Rows Excel can hold on one sheet, less the header.
const MAX_ROWS: usize = 1_048_575;

pub fn xlsx(fw: &Framework, results: &Results, la: Option<&str>) -> Result<Vec<u8>, XlsxError> {
    let area = main_area(results, la);
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let mut used = Vec::new();
    let summary_name = sheet_name("Summary", &mut used);
    {
        let ws = wb.add_worksheet();
        ws.set_name(&summary_name)?;
        ws.write_string_with_format(0, 0, &fw.title, &bold)?;
        ws.write_string(1, 0, format!("Area: {}", if area == "england" { "England".to_owned() } else { format!("LA {area}") }))?;
        ws.write_string(2, 0, &fw.source)?;
        let head = ["Group", "Indicator", "Title", "Latest period", "Value", "Target", "RAG"];
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(4, c as u16, *h, &bold)?;
        }
        for (row, ind) in (5u32..).zip(fw.indicators.iter()) {
            let t = trend(results, &ind.id, &area);
            let last = t.iter().rev().find(|r| r.value.is_some()).or(t.last());
            ws.write_string(row, 0, fw.group_title(&ind.group))?;
            ws.write_string(row, 1, &ind.id)?;
            ws.write_string(row, 2, &ind.title)?;
            if let Some(r) = last {
                ws.write_string(row, 3, &r.period)?;
                if let Some(v) = r.value {
                    ws.write_number(row, 4, v)?;
                }
                if let Some(v) = r.target {
                    ws.write_number(row, 5, v)?;
                }
                ws.write_string(row, 6, r.rag.map_or("", |g| g.as_str()))?;
            }
        }
        ws.set_column_width(2, 60)?;
    }
    for g in &fw.groups {
        let inds: Vec<_> = fw.indicators.iter().filter(|i| i.group == g.id).collect();
        if inds.is_empty() {
            continue;
        }
        let name = sheet_name(&g.title, &mut used);
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        ws.write_string_with_format(0, 0, &g.title, &bold)?;
        let mut row = 2u32;
        for ind in inds {
            let t = trend(results, &ind.id, &area);
            ws.write_string_with_format(row, 0, format!("{} {}", ind.number, ind.title).trim(), &bold)?;
            ws.write_string(row + 1, 0, &ind.definition)?;
            let head = ["Period", "Numerator", "Denominator", "Value", "Target", "England", "RAG"];
            for (c, h) in head.iter().enumerate() {
                ws.write_string_with_format(row + 2, c as u16, *h, &bold)?;
            }
            let first = row + 3;
            for (i, r) in t.iter().enumerate() {
                let rr = first + i as u32;
                ws.write_string(rr, 0, &r.period)?;
                if let Some(n) = r.numerator {
                    ws.write_number(rr, 1, n as f64)?;
                }
                if let Some(n) = r.denominator {
                    ws.write_number(rr, 2, n as f64)?;
                }
                if let Some(v) = r.value {
                    ws.write_number(rr, 3, v)?;
                }
                if let Some(v) = r.target {
                    ws.write_number(rr, 4, v)?;
                }
                let eng = results
                    .rows
                    .iter()
                    .find(|x| x.indicator == ind.id && x.la == "england" && x.cohort == "all" && x.period == r.period)
                    .and_then(|x| x.value)
                    .or(r.england);
                if let Some(v) = eng {
                    ws.write_number(rr, 5, v)?;
                }
                ws.write_string(rr, 6, r.rag.map_or("", |g| g.as_str()))?;
            }
            let has_values = t.iter().any(|r| r.value.is_some());
            if has_values {
                let last = first + t.len() as u32 - 1;
                let mut chart = Chart::new(ChartType::Line);
                chart.title().set_name(&ind.title);
                chart.add_series().set_name("Value").set_categories((name.as_str(), first, 0, last, 0)).set_values((
                    name.as_str(),
                    first,
                    3,
                    last,
                    3,
                ));
                if t.iter().any(|r| r.target.is_some()) {
                    chart.add_series().set_name("Target").set_categories((name.as_str(), first, 0, last, 0)).set_values((
                        name.as_str(),
                        first,
                        4,
                        last,
                        4,
                    ));
                }
                if ind.unit != crate::definition::Unit::Count || area == "england" {
                    chart.add_series().set_name("England").set_categories((name.as_str(), first, 0, last, 0)).set_values((
                        name.as_str(),
                        first,
                        5,
                        last,
                        5,
                    ));
                }
                chart.set_width(480).set_height(220);
                ws.insert_chart(row, 8, &chart)?;
            } else {
                ws.write_string(first, 0, "No values: entered by hand or awaiting person-level data.")?;
            }
            row = (first + t.len().max(1) as u32 + 2).max(row + 13);
        }
        ws.set_column_width(0, 18)?;
    }
    let data_name = sheet_name("All values", &mut used);
    let ws = wb.add_worksheet();
    ws.set_name(&data_name)?;
    for (c, h) in super::CSV_HEADER.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, r) in results.rows.iter().take(MAX_ROWS).enumerate() {
        let rr = i as u32 + 1;
        ws.write_string(rr, 0, &r.framework)?;
        ws.write_string(rr, 1, &r.indicator)?;
        ws.write_string(rr, 2, &r.period)?;
        ws.write_string(rr, 3, &r.la)?;
        ws.write_string(rr, 4, &r.cohort)?;
        if let Some(n) = r.numerator {
            ws.write_number(rr, 5, n as f64)?;
        }
        if let Some(n) = r.denominator {
            ws.write_number(rr, 6, n as f64)?;
        }
        if let Some(v) = r.value {
            ws.write_number(rr, 7, v)?;
        }
        if let Some(v) = r.target {
            ws.write_number(rr, 8, v)?;
        }
        ws.write_string(rr, 9, r.rag.map_or("", |g| g.as_str()))?;
    }
    wb.save_to_buffer()
}
