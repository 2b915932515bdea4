//! The one SVG chart renderer: every chart on a page, in the printable report and in the board pack's
//! HTML is drawn here. Charts are styled by class (`app-chart__*`: the web's stylesheet and the print
//! report's [`CSS`]), have a title and description for assistive technology, never rely on colour alone
//! (line styles and markers differ), and are always followed by a table of the same figures.

use crate::definition::Unit;
use crate::present;
use std::fmt::Write as _;

/// The chart classes for a standalone page (the print report); the web application has its own copy in
/// its stylesheet.
pub const CSS: &str = ".app-chart{max-width:100%;height:auto;overflow:visible}.app-chart__bar{fill:#1d70b8}.app-chart__bar--alt{fill:#00703c}\
.app-chart__line{fill:none;stroke:#1d70b8;stroke-width:3}.app-chart__point{fill:#1d70b8;stroke:#fff;stroke-width:1}\
.app-chart__axis{stroke:#0b0c0c;stroke-width:1}.app-chart__label{font-family:arial,sans-serif;font-size:14px;fill:#0b0c0c}\
.app-chart__line--target{stroke:#0b0c0c;stroke-dasharray:8 5;stroke-width:2}.app-chart__line--england{stroke:#00703c;stroke-dasharray:2 4;stroke-width:3}\
.app-chart__point--target{fill:#0b0c0c}.app-chart__point--england{fill:#00703c}";

fn num(v: f64, u: Unit) -> String {
    present::value(v, u)
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A chart's two axes: the value axis up the left edge of the plot (x = `left`, from `top` down to
/// `base`) and the period axis along its foot (y = `base`, from `left` to `end`).
fn axes(svg: &mut String, left: f64, top: f64, end: f64, base: f64) {
    let _ = write!(svg, r#"<line class="app-chart__axis" x1="{left}" y1="{top}" x2="{left}" y2="{base}"/>"#);
    let _ = write!(svg, r#"<line class="app-chart__axis" x1="{left}" y1="{base}" x2="{end}" y2="{base}"/>"#);
}

/// The value axis's five ticks, from `lo` to `lo + span` in quarters, each labelled by `label` at the
/// height `y` gives its value, right-aligned against the axis at `left`.
fn value_ticks(svg: &mut String, left: f64, lo: f64, span: f64, y: impl Fn(f64) -> f64, label: impl Fn(f64) -> String) {
    for tick in 0..=4 {
        let v = lo + span * f64::from(tick) / 4.0;
        let _ = write!(
            svg,
            r#"<text class="app-chart__label" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 6.0,
            y(v) + 4.0,
            esc(&label(v))
        );
    }
}

/// A trend as an SVG line chart on its own scale (from zero), series told apart by line style and
/// marker as well as colour, with a legend; the data table follows it on the page.
pub fn line_chart(id: &str, title: &str, periods: &[String], series: &[(&str, Vec<Option<f64>>)], unit: Unit) -> String {
    let (w, h, left, right, top, bottom) = (720.0, 300.0, 70.0, 20.0, 40.0, 70.0);
    let max = series.iter().flat_map(|(_, v)| v.iter().flatten().copied()).fold(0.0_f64, f64::max);
    let min = series.iter().flat_map(|(_, v)| v.iter().flatten().copied()).fold(0.0_f64, f64::min);
    let top_value = if unit == Unit::Percent && max <= 100.0 && min >= 0.0 { 100.0 } else { nice_ceiling(max) };
    let span = (top_value - min).max(1e-9);
    let plot_h = h - top - bottom;
    let n = periods.len().max(1);
    let x = |i: usize| if n == 1 { left + (w - left - right) / 2.0 } else { left + (w - left - right) * i as f64 / (n - 1) as f64 };
    let y = |v: f64| top + plot_h * (1.0 - (v - min) / span);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="app-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">Trend by period. The same figures are in the table below the chart.</desc>"#,
        esc(title)
    );
    axes(&mut svg, left, top, w - right, h - bottom);
    let tick_unit = if unit == Unit::RatePer1000 { Unit::Count } else { unit };
    value_ticks(&mut svg, left, min, span, y, |v| num((v * 10.0).round() / 10.0, tick_unit));
    for (i, p) in periods.iter().enumerate() {
        let lx = x(i);
        let _ = write!(
            svg,
            r#"<text class="app-chart__label" x="{lx:.1}" y="{}" text-anchor="end" transform="rotate(-30 {lx:.1} {})">{}</text>"#,
            h - bottom + 16.0,
            h - bottom + 16.0,
            esc(p)
        );
    }
    for (j, (name, values)) in series.iter().enumerate() {
        let class = ["app-chart__line", "app-chart__line app-chart__line--target", "app-chart__line app-chart__line--england"][j.min(2)];
        let point =
            ["app-chart__point", "app-chart__point app-chart__point--target", "app-chart__point app-chart__point--england"][j.min(2)];
        let mut run: Vec<String> = Vec::new();
        for (i, v) in values.iter().chain(std::iter::once(&None)).enumerate() {
            match v {
                Some(v) => {
                    let (px, py) = (x(i), y(*v));
                    run.push(format!("{px:.1},{py:.1}"));
                    if j == 1 {
                        let _ = write!(svg, r#"<rect class="{point}" x="{:.1}" y="{:.1}" width="8" height="8"/>"#, px - 4.0, py - 4.0);
                    } else {
                        let _ = write!(svg, r#"<circle class="{point}" cx="{px:.1}" cy="{py:.1}" r="{}"/>"#, if j == 0 { 5 } else { 3 });
                    }
                }
                None => {
                    if run.len() > 1 {
                        let _ = write!(svg, r#"<polyline class="{class}" points="{}"/>"#, run.join(" "));
                    }
                    run.clear();
                }
            }
        }
        let lx = left + 10.0 + 180.0 * j as f64;
        let _ = write!(
            svg,
            r#"<line class="{class}" x1="{lx}" y1="14" x2="{}" y2="14"/><text class="app-chart__label" x="{}" y="19">{}</text>"#,
            lx + 28.0,
            lx + 34.0,
            esc(name)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if v <= m * mag {
            return m * mag;
        }
    }
    10.0 * mag
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
    axes(&mut svg, left, top, w - 10.0, h - bottom);
    for tick in 0..=4 {
        let v = max * f64::from(tick) / 4.0;
        let y = h - bottom - plot_h * f64::from(tick) / 4.0;
        let _ = write!(
            svg,
            r#"<text class="app-chart__label" x="{}" y="{}" text-anchor="end">{}{}</text>"#,
            left - 6.0,
            y + 4.0,
            present::number(v),
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

/// An indicator's trend for one area and cohort, in period order: its value, the target where one is
/// set, and England's figure for rates, percentages and averages (a count is never drawn against
/// England's on one axis). A value hidden by small-number suppression is not drawn. The title says what
/// is measured and out of what.
pub fn indicator_trend(
    ind: &crate::definition::Indicator,
    rows: &[&crate::engine::ResultRow],
    area_name: &str,
    id: &str,
    england: bool,
    suppression: present::Suppression,
) -> String {
    // A value from survey answers names how many answered under its period (issue 16).
    let periods: Vec<String> = rows
        .iter()
        .map(|r| match (r.status, r.denominator) {
            (crate::engine::Status::Surveyed, Some(n)) if !suppression.hides(n) => {
                format!("{} ({} {})", present::period_words(&r.period), present::count(n), if n == 1 { "response" } else { "responses" })
            }
            _ => present::period_words(&r.period),
        })
        .collect();
    let values = rows.iter().map(|r| if suppression.hides_row(ind.unit, r) { None } else { r.value }).collect();
    let mut series: Vec<(&str, Vec<Option<f64>>)> = vec![("Value", values)];
    if rows.iter().any(|r| r.target.is_some()) {
        series.push(("Target", rows.iter().map(|r| r.target).collect()));
    }
    if england && ind.unit != Unit::Count && rows.iter().any(|r| r.england.is_some()) {
        series.push(("England", rows.iter().map(|r| r.england).collect()));
    }
    line_chart(id, &present::chart_title(ind, area_name), &periods, &series, ind.unit)
}

/// A fan chart (a forecast's uncertainty): per period, the 5-95% and 25-75% bands of simulations
/// (`[q05, q25, q50, q75, q95]`) and the expected value as a line. Presentation attributes only (the page's CSP allows no inline style).
pub fn fan_chart(id: &str, title: &str, rows: &[(String, [f64; 5], f64)]) -> String {
    let (w, h, left, right, top, bottom) = (720.0, 320.0, 70.0, 20.0, 50.0, 50.0);
    if rows.is_empty() {
        return String::new();
    }
    let max = rows.iter().map(|r| r.1[4].max(r.2)).fold(0.0_f64, f64::max);
    let min = rows.iter().map(|r| r.1[0].min(r.2)).fold(f64::MAX, f64::min);
    let lo = (min * 0.9 / 10.0).floor() * 10.0;
    let hi = (max * 1.05 / 10.0).ceil() * 10.0;
    let span = (hi - lo).max(1.0);
    let n = rows.len();
    let x = |i: usize| if n == 1 { left } else { left + (w - left - right) * i as f64 / (n - 1) as f64 };
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v - lo) / span);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="app-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">The darker band holds half of the simulated futures, the lighter band nine in ten; the line is the expected number. The same figures are in the table below the chart.</desc>"#,
        esc(title)
    );
    let band = |a: usize, b: usize| -> String {
        let mut pts: Vec<String> = rows.iter().enumerate().map(|(i, r)| format!("{:.1},{:.1}", x(i), y(r.1[b]))).collect();
        pts.extend(rows.iter().enumerate().rev().map(|(i, r)| format!("{:.1},{:.1}", x(i), y(r.1[a]))));
        pts.join(" ")
    };
    let _ = write!(svg, r##"<polygon points="{}" fill="#1d70b8" fill-opacity="0.18"/>"##, band(0, 4));
    let _ = write!(svg, r##"<polygon points="{}" fill="#1d70b8" fill-opacity="0.35"/>"##, band(1, 3));
    let line: Vec<String> = rows.iter().enumerate().map(|(i, r)| format!("{:.1},{:.1}", x(i), y(r.2))).collect();
    let _ = write!(svg, r##"<polyline points="{}" fill="none" stroke="#0b0c0c" stroke-width="3"/>"##, line.join(" "));
    axes(&mut svg, left, top, w - right, h - bottom);
    value_ticks(&mut svg, left, lo, span, y, present::whole);
    for (i, r) in rows.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text class="app-chart__label" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            x(i),
            h - bottom + 20.0,
            esc(&r.0)
        );
    }
    let _ = write!(
        svg,
        r##"<rect x="{left}" y="10" width="24" height="12" fill="#1d70b8" fill-opacity="0.18"/><text class="app-chart__label" x="{}" y="21">9 in 10 futures</text><rect x="{}" y="10" width="24" height="12" fill="#1d70b8" fill-opacity="0.35"/><text class="app-chart__label" x="{}" y="21">half of futures</text><line x1="{}" y1="16" x2="{}" y2="16" stroke="#0b0c0c" stroke-width="3"/><text class="app-chart__label" x="{}" y="21">expected</text>"##,
        left + 30.0,
        left + 170.0,
        left + 200.0,
        left + 330.0,
        left + 358.0,
        left + 364.0
    );
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value-axis labels: (y, text) of each right-aligned label against the axis.
    fn ticks(svg: &str) -> Vec<(f64, String)> {
        svg.split("<text class=\"app-chart__label\" ")
            .skip(1)
            .filter(|t| t.contains("text-anchor=\"end\">"))
            .filter(|t| !t.contains("transform="))
            .map(|t| {
                let y = t.split("y=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
                let text = t.split('>').nth(1).unwrap().split('<').next().unwrap().to_owned();
                (y, text)
            })
            .collect()
    }

    #[test]
    fn line_and_fan_charts_draw_two_axes_and_five_value_ticks_from_the_foot_up() {
        let periods: Vec<String> = ["2022", "2023", "2024"].iter().map(|s| s.to_string()).collect();
        let line = line_chart("a", "Plans", &periods, &[("Value", vec![Some(12.0), None, Some(40.0)])], Unit::Percent);
        let rows: Vec<(String, [f64; 5], f64)> =
            (0..3).map(|i| (format!("{}", 2026 + i), [100.0, 110.0, 120.0, 130.0, 150.0 + f64::from(i) * 10.0], 121.0)).collect();
        let fan = fan_chart("f", "Forecast", &rows);
        for (svg, foot) in [(&line, 230.0), (&fan, 270.0)] {
            assert_eq!(svg.matches("class=\"app-chart__axis\"").count(), 2, "{svg}");
            assert!(svg.contains(&format!("x2=\"70\" y2=\"{foot}\"/>")), "the value axis reaches the foot: {svg}");
            let t = ticks(svg);
            assert_eq!(t.len(), 5, "{svg}");
            assert_eq!(t[0].0, foot + 4.0, "the first tick sits on the foot");
            assert!(t.windows(2).all(|w| w[1].0 < w[0].0), "each tick above the last: {t:?}");
        }
        // A percentage up to 100 is drawn on a 0-100% scale, in the indicators' own format.
        let labels: Vec<String> = ticks(&line).into_iter().map(|t| t.1).collect();
        assert_eq!(labels, [0.0, 25.0, 50.0, 75.0, 100.0].map(|v| present::value(v, Unit::Percent)));
        // The fan's scale is whole numbers, from a round floor below its lowest band.
        let labels: Vec<String> = ticks(&fan).into_iter().map(|t| t.1).collect();
        assert_eq!(labels[0], present::whole(90.0));
        assert!(labels.iter().all(|l| !l.contains('.')), "{labels:?}");
    }
}
