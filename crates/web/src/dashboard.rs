//! The partnership's dashboard: aggregates only (no child's name or id), each panel an SVG chart
//! followed by its data table, with RAG against a target where one is set. A [`Framework`] is a set of
//! panels; [`Casework`] is the one built from what Waymark holds today (caseload by stage, requests and
//! plans per month, 20-week timeliness with and without exceptions, counted by the domain's statutory
//! clock). The performance frameworks of issue 5 plug in as further implementations.

use crate::cache::Computed;
use crate::views::{stage_label, STAGES};
use chrono::Datelike;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use waymark_domain::calendar::{sub_months, Date};
use waymark_domain::case::CaseEventKind;
use waymark_domain::clock::evaluate;

/// A table of figures: the chart's data, always shown with it.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Red, amber or green against a target.
#[derive(Debug, Clone, Serialize)]
pub struct Rag {
    pub status: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Panel {
    pub key: &'static str,
    pub title: String,
    pub description: String,
    /// The chart as SVG markup (escaped text only; no script or style).
    pub svg: String,
    pub table: Table,
    pub rag: Option<Rag>,
    /// Drill-down links per row label, where the panel has them.
    pub drill: Vec<(String, String)>,
}

/// A set of indicators shown together.
pub trait Framework {
    fn key(&self) -> &'static str;
    fn title(&self) -> &'static str;
    fn panels(&self, data: &Computed) -> Vec<Panel>;
}

/// The casework dashboard, from Waymark's own cases.
pub struct Casework {
    /// The share of new plans that should be issued within 20 weeks (excluding exceptions).
    pub timeliness_target: f64,
}

impl Default for Casework {
    fn default() -> Self {
        Self { timeliness_target: 60.0 }
    }
}

fn month_start(d: Date) -> Date {
    Date::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d)
}

/// The last 12 calendar months up to `today`, oldest first.
fn months(today: Date) -> Vec<Date> {
    let this = month_start(today);
    (0..12).rev().map(|i| sub_months(this, i)).collect()
}

fn month_label(m: Date) -> String {
    m.format("%b %Y").to_string()
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A bar chart (one or two series) as SVG; values are drawn to scale with labelled axes.
pub fn bar_chart(id: &str, title: &str, labels: &[String], series: &[(&str, Vec<f64>)], unit: &str) -> String {
    let (w, h, left, bottom, top) = (720.0, 340.0, 50.0, 120.0, 24.0);
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).fold(0.0_f64, f64::max).max(1.0);
    let plot_h = h - bottom - top;
    let n = labels.len().max(1) as f64;
    let group = (w - left - 10.0) / n;
    let bar = (group * 0.8) / series.len().max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="app-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">The same figures are in the table below the chart.</desc>"#,
        esc(title)
    );
    let _ = write!(svg, r#"<line class="app-chart__axis" x1="{left}" y1="{top}" x2="{left}" y2="{}"/>"#, h - bottom);
    let _ = write!(svg, r#"<line class="app-chart__axis" x1="{left}" y1="{}" x2="{}" y2="{}"/>"#, h - bottom, w - 10.0, h - bottom);
    for tick in 0..=4 {
        let v = max * f64::from(tick) / 4.0;
        let y = h - bottom - plot_h * f64::from(tick) / 4.0;
        let _ = write!(
            svg,
            r#"<text class="app-chart__label" x="{}" y="{}" text-anchor="end">{}{}</text>"#,
            left - 6.0,
            y + 4.0,
            fmt_num(v),
            esc(unit)
        );
    }
    for (i, label) in labels.iter().enumerate() {
        let x0 = left + group * i as f64 + group * 0.1;
        for (j, (_, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0.0);
            let bh = plot_h * v / max;
            let class = if j == 0 { "app-chart__bar" } else { "app-chart__bar app-chart__bar--alt" };
            let _ = write!(
                svg,
                r#"<rect class="{class}" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/>"#,
                x0 + bar * j as f64,
                h - bottom - bh,
                bar.max(1.0),
                bh
            );
        }
        let lx = left + group * i as f64 + group / 2.0;
        let _ = write!(
            svg,
            r#"<text class="app-chart__label" x="{lx:.1}" y="{}" text-anchor="end" transform="rotate(-35 {lx:.1} {})">{}</text>"#,
            h - bottom + 14.0,
            h - bottom + 14.0,
            esc(label)
        );
    }
    if series.len() > 1 {
        for (j, (name, _)) in series.iter().enumerate() {
            let x = left + 10.0 + 200.0 * j as f64;
            let class = if j == 0 { "app-chart__bar" } else { "app-chart__bar app-chart__bar--alt" };
            let _ = write!(
                svg,
                r#"<rect class="{class}" x="{x}" y="2" width="12" height="12"/><text class="app-chart__label" x="{}" y="13">{}</text>"#,
                x + 16.0,
                esc(name)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A line chart of percentages (0-100) with an optional target line.
pub fn line_chart(id: &str, title: &str, labels: &[String], series: &[(&str, Vec<Option<f64>>)], target: Option<f64>) -> String {
    let (w, h, left, bottom, top) = (720.0, 340.0, 50.0, 120.0, 24.0);
    let plot_h = h - bottom - top;
    let n = labels.len().max(2) as f64;
    let step = (w - left - 20.0) / (n - 1.0);
    let y_of = |v: f64| h - bottom - plot_h * v.clamp(0.0, 100.0) / 100.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="app-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">The same figures are in the table below the chart.</desc>"#,
        esc(title)
    );
    let _ = write!(svg, r#"<line class="app-chart__axis" x1="{left}" y1="{top}" x2="{left}" y2="{}"/>"#, h - bottom);
    let _ = write!(svg, r#"<line class="app-chart__axis" x1="{left}" y1="{}" x2="{}" y2="{}"/>"#, h - bottom, w - 10.0, h - bottom);
    for tick in 0..=4 {
        let v = 25.0 * f64::from(tick);
        let _ = write!(svg, r#"<text class="app-chart__label" x="{}" y="{}" text-anchor="end">{v}%</text>"#, left - 6.0, y_of(v) + 4.0);
    }
    if let Some(t) = target {
        let _ = write!(
            svg,
            r#"<line class="app-chart__axis" stroke-dasharray="6 4" x1="{left}" y1="{:.1}" x2="{}" y2="{:.1}"/><text class="app-chart__label" x="{}" y="{:.1}" text-anchor="end">Target {t}%</text>"#,
            y_of(t),
            w - 10.0,
            y_of(t),
            w - 12.0,
            y_of(t) - 4.0
        );
    }
    for (j, (name, values)) in series.iter().enumerate() {
        let dash = if j == 0 { "" } else { r#" stroke-dasharray="2 3""# };
        // A line joins only neighbouring months that both have a figure; a month without one is a gap.
        let mut run: Vec<String> = Vec::new();
        for (i, v) in values.iter().chain(std::iter::once(&None)).enumerate() {
            match v {
                Some(v) => {
                    let (x, y) = (left + step * i as f64, y_of(*v));
                    run.push(format!("{x:.1},{y:.1}"));
                    let _ = write!(svg, r#"<circle class="app-chart__point" cx="{x:.1}" cy="{y:.1}" r="{}"/>"#, if j == 0 { 5 } else { 3 });
                }
                None => {
                    if run.len() > 1 {
                        let _ = write!(svg, r#"<polyline class="app-chart__line"{dash} points="{}"/>"#, run.join(" "));
                    }
                    run.clear();
                }
            }
        }
        let x = left + 10.0 + 260.0 * j as f64;
        let _ = write!(
            svg,
            r#"<line class="app-chart__line"{dash} x1="{x}" y1="8" x2="{}" y2="8"/><text class="app-chart__label" x="{}" y="13">{}</text>"#,
            x + 20.0,
            x + 26.0,
            esc(name)
        );
    }
    for (i, label) in labels.iter().enumerate() {
        let lx = left + step * i as f64;
        let _ = write!(
            svg,
            r#"<text class="app-chart__label" x="{lx:.1}" y="{}" text-anchor="end" transform="rotate(-35 {lx:.1} {})">{}</text>"#,
            h - bottom + 14.0,
            h - bottom + 14.0,
            esc(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn pct(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| (1000.0 * n as f64 / d as f64).round() / 10.0)
}

impl Framework for Casework {
    fn key(&self) -> &'static str {
        "casework"
    }

    fn title(&self) -> &'static str {
        "EHC casework"
    }

    fn panels(&self, data: &Computed) -> Vec<Panel> {
        let today = data.today;
        let mut panels = Vec::new();

        // Caseload by stage.
        let mut by_stage: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &data.snapshots {
            *by_stage.entry(s.case.stage().name()).or_default() += 1;
        }
        let labels: Vec<String> = STAGES.iter().map(|s| stage_label(s).to_owned()).collect();
        let counts: Vec<f64> = STAGES.iter().map(|s| by_stage.get(s).copied().unwrap_or(0) as f64).collect();
        panels.push(Panel {
            key: "stage",
            title: "Cases by stage".into(),
            description: format!("Every case on {}, by where it is in the EHC process.", crate::views::long_date(today)),
            svg: bar_chart("chart-stage", "Cases by stage", &labels, &[("Cases", counts.clone())], ""),
            table: Table {
                columns: vec!["Stage".into(), "Cases".into()],
                rows: STAGES.iter().map(|s| vec![stage_label(s).to_owned(), by_stage.get(s).copied().unwrap_or(0).to_string()]).collect(),
            },
            rag: None,
            drill: STAGES.iter().map(|s| (stage_label(s).to_owned(), format!("/dashboard/stage/{s}"))).collect(),
        });

        // Requests and new plans per month.
        let ms = months(today);
        let index = |d: Date| ms.iter().position(|m| month_start(d) == *m);
        let mut requests = [0usize; 12];
        let mut plans = [0usize; 12];
        let mut within = [0usize; 12];
        let mut within_excl = [0usize; 12];
        let mut excl_total = [0usize; 12];
        for s in &data.snapshots {
            if let Some(i) = s.case.received().and_then(index) {
                requests[i] += 1;
            }
            let Some(final_date) = s.case.history().iter().find(|e| matches!(e.kind, CaseEventKind::FinalIssued { .. })).map(|e| e.date)
            else {
                continue;
            };
            let Some(i) = index(final_date) else { continue };
            plans[i] += 1;
            let Ok(report) = evaluate(&s.case.clock_input(), today) else { continue };
            let on_time = report.within_20_weeks == Some(true);
            if on_time {
                within[i] += 1;
            }
            if report.week20_exception != Some(true) {
                excl_total[i] += 1;
                if on_time {
                    within_excl[i] += 1;
                }
            }
        }
        let labels: Vec<String> = ms.iter().map(|m| month_label(*m)).collect();
        panels.push(Panel {
            key: "flow",
            title: "Requests for assessment and new plans, by month".into(),
            description:
                "Requests received (day 1 of the 20 weeks) and final plans issued after an assessment, in each of the last 12 months."
                    .into(),
            svg: bar_chart(
                "chart-flow",
                "Requests and new plans by month",
                &labels,
                &[("Requests", requests.iter().map(|v| *v as f64).collect()), ("New plans", plans.iter().map(|v| *v as f64).collect())],
                "",
            ),
            table: Table {
                columns: vec!["Month".into(), "Requests".into(), "New plans".into()],
                rows: (0..12).map(|i| vec![labels[i].clone(), requests[i].to_string(), plans[i].to_string()]).collect(),
            },
            rag: None,
            drill: Vec::new(),
        });

        // 20-week timeliness.
        let incl: Vec<Option<f64>> = (0..12).map(|i| pct(within[i], plans[i])).collect();
        let excl: Vec<Option<f64>> = (0..12).map(|i| pct(within_excl[i], excl_total[i])).collect();
        let (yw, yp, ywe, yte) = (within.iter().sum(), plans.iter().sum(), within_excl.iter().sum(), excl_total.iter().sum());
        let year_incl = pct(yw, yp);
        let year_excl = pct(ywe, yte);
        let rag = year_excl.map(|v| {
            let t = self.timeliness_target;
            let status = if v >= t {
                "green"
            } else if v >= t - 10.0 {
                "amber"
            } else {
                "red"
            };
            Rag {
                status,
                text: format!(
                    "{v}% of new plans in the last 12 months were issued within 20 weeks, excluding exceptions, against a target of {t}%."
                ),
            }
        });
        let show = |v: Option<f64>| v.map_or("No plans".to_owned(), |v| format!("{v}%"));
        let mut rows: Vec<Vec<String>> =
            (0..12).map(|i| vec![labels[i].clone(), plans[i].to_string(), show(incl[i]), show(excl[i])]).collect();
        rows.push(vec!["Last 12 months".into(), yp.to_string(), show(year_incl), show(year_excl)]);
        panels.push(Panel {
            key: "timeliness",
            title: "New plans issued within 20 weeks".into(),
            description: "The share of final plans issued within 20 weeks of the request (SEND Regulations 2014, regulation 13(2)), by the month they were issued; including every plan, and excluding plans where an exception in regulation 13(3) applied.".into(),
            svg: line_chart("chart-timeliness", "Percentage of new plans issued within 20 weeks", &labels, &[("Including exceptions", incl), ("Excluding exceptions", excl)], Some(self.timeliness_target)),
            table: Table { columns: vec!["Month".into(), "New plans".into(), "Within 20 weeks".into(), "Within 20 weeks, excluding exceptions".into()], rows },
            rag,
            drill: Vec::new(),
        });
        panels
    }
}

/// Drill-down into one stage: cases by primary need and by whom the next step waits on. Counts only.
pub fn stage_breakdown(data: &Computed, stage: &str) -> (Table, Table) {
    let mut by_need: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_wait: BTreeMap<String, usize> = BTreeMap::new();
    for r in data.rows.iter().filter(|r| r.stage == stage) {
        *by_need.entry(r.primary_need.unwrap_or("Not recorded").to_owned()).or_default() += 1;
        *by_wait.entry(r.waiting_on_label.unwrap_or("Nothing due").to_owned()).or_default() += 1;
    }
    let table = |first: &str, map: BTreeMap<String, usize>| Table {
        columns: vec![first.into(), "Cases".into()],
        rows: map.into_iter().map(|(k, v)| vec![k, v.to_string()]).collect(),
    };
    (table("Primary need", by_need), table("Waiting on", by_wait))
}

/// Every panel's table as CSV, one block per panel.
///
/// Through Waymark's one CSV writer: every cell quoted, spreadsheet formulas neutralised.
pub fn to_csv(panels: &[Panel]) -> String {
    let mut w = waymark_safe_output::CsvWriter::quoting_all(Vec::new());
    for p in panels {
        let _ = w.write_record([&p.title]);
        let _ = w.write_record(&p.table.columns);
        for row in &p.table.rows {
            let _ = w.write_record(row);
        }
        w = match w.write_blank_line() {
            Ok(w) => w,
            Err(_) => return String::new(),
        };
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Every panel's table as a worksheet of an XLSX workbook.
pub fn to_xlsx(panels: &[Panel]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for p in panels {
        let sheet = book.add_worksheet();
        sheet.set_name(p.key)?;
        sheet.write_string_with_format(0, 0, &p.title, &bold)?;
        for (c, name) in p.table.columns.iter().enumerate() {
            sheet.write_string_with_format(2, u16::try_from(c).unwrap_or(0), name, &bold)?;
        }
        for (r, row) in p.table.rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                let (r, c) = (u32::try_from(r + 3).unwrap_or(0), u16::try_from(c).unwrap_or(0));
                match value.parse::<f64>() {
                    Ok(n) => sheet.write_number(r, c, n)?,
                    Err(_) => sheet.write_string(r, c, value)?,
                };
            }
        }
        sheet.set_column_width(0, 30)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_their_labels_and_carry_an_accessible_name() {
        let svg = bar_chart("c", "A <b> title", &["<x>".into()], &[("S", vec![3.0])], "");
        assert!(svg.contains("&lt;x&gt;") && svg.contains("A &lt;b&gt; title"));
        assert!(svg.contains(r#"role="img""#) && svg.contains("aria-labelledby"));
        assert!(!svg.contains("style="), "no inline styles under the Content-Security-Policy");
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_neutralised() {
        let p = Panel {
            key: "k",
            title: "T".into(),
            description: String::new(),
            svg: String::new(),
            table: Table { columns: vec!["A".into()], rows: vec![vec!["=cmd()".into()], vec!["say \"hi\"".into()]] },
            rag: None,
            drill: vec![],
        };
        let csv = to_csv(&[p]);
        assert!(csv.contains("\"'=cmd()\""), "{csv}");
        assert!(csv.contains("\"say \"\"hi\"\"\""), "{csv}");
    }
}
