//! A printable HTML report for board papers: no scripts and no external resources; each chart an inline
//! SVG with a title and description, followed by the table of its data.

use super::{fmt_num, main_area, trend, unit_suffix};
use crate::definition::{Framework, Indicator, MeasureKind};
use crate::engine::{Results, Status};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const CSS: &str =
    "body{font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;max-width:60rem;margin:1rem auto;padding:0 1rem;line-height:1.4}\
h1{font-size:1.8rem}h2{font-size:1.4rem;border-bottom:2px solid #0b0c0c;margin-top:2rem}h3{font-size:1.1rem;margin-bottom:.2rem}\
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}caption{text-align:left;font-weight:bold;padding:.3rem 0}\
th,td{border:1px solid #b1b4b6;padding:.2rem .5rem;text-align:right}th[scope=row],td.text{text-align:left}\
.rag{font-weight:bold}.rag-green{color:#00703c}.rag-amber{color:#8a5300}.rag-red{color:#d4351c}.note{color:#505a5f;font-size:.9rem}\
figure{margin:1rem 0}svg{max-width:100%;height:auto}\
@media screen and (max-width:40em){table{display:block;overflow-x:auto;max-width:100%}}\
@media print{body{max-width:none;margin:0}section.indicator{break-inside:avoid}h2{break-before:page}a{color:inherit;text-decoration:none}}";

fn svg_chart(ind: &Indicator, id: &str, periods: &[String], series: &[(String, Vec<Option<f64>>, &str, bool)]) -> String {
    let (w, h, left, right, top, bottom) = (640.0, 260.0, 60.0, 150.0, 20.0, 40.0);
    let values: Vec<f64> = series.iter().flat_map(|s| s.1.iter().flatten().copied()).collect();
    let max = values.iter().copied().fold(0.0f64, f64::max);
    let min = values.iter().copied().fold(0.0f64, f64::min);
    let span = if max - min <= 0.0 { 1.0 } else { max - min };
    let n = periods.len().max(1);
    let x = |i: usize| left + (w - left - right) * if n == 1 { 0.5 } else { i as f64 / (n - 1) as f64 };
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v - min) / span);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\">\
<title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">Line chart of {} by period; the same figures are in the table below.</desc>",
        esc(&ind.title),
        esc(&ind.title)
    );
    s.push_str(&format!("<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#0b0c0c\"/>", h - bottom, w - right, h - bottom));
    s.push_str(&format!("<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\" stroke=\"#0b0c0c\"/>", h - bottom));
    for v in [min, min + span / 2.0, max] {
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y(v) + 4.0,
            fmt_num((v * 10.0).round() / 10.0)
        ));
    }
    for (i, p) in periods.iter().enumerate() {
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            x(i),
            h - bottom + 16.0,
            esc(p)
        ));
    }
    for (k, (name, vals, colour, dashed)) in series.iter().enumerate() {
        let pts: Vec<String> = vals.iter().enumerate().filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v)))).collect();
        let dash = if *dashed { " stroke-dasharray=\"6 4\"" } else { "" };
        if pts.len() > 1 {
            s.push_str(&format!("<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash} points=\"{}\"/>", pts.join(" ")));
        }
        for p in &pts {
            let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
            s.push_str(&format!("<circle cx=\"{px}\" cy=\"{py}\" r=\"3.5\" fill=\"{colour}\"/>"));
        }
        let ly = top + 16.0 * k as f64 + 6.0;
        s.push_str(&format!(
            "<line x1=\"{}\" y1=\"{ly}\" x2=\"{}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            w - right + 10.0,
            w - right + 30.0,
            w - right + 35.0,
            ly + 4.0,
            esc(name)
        ));
    }
    s.push_str("</svg>");
    s
}

/// The report for one framework and area (an LA code, or England when `la` is `None`).
pub fn html(fw: &Framework, results: &Results, la: Option<&str>) -> String {
    let area = main_area(results, la);
    let area_name = if area == "england" { "England".to_owned() } else { format!("local authority {area}") };
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{} — {}</title><style>{CSS}</style></head><body><main>\
<h1>{}</h1><p>{} Figures for {}. Source definitions: {}.</p>",
        esc(&fw.title),
        esc(&area_name),
        esc(&fw.title),
        esc(&fw.description),
        esc(&area_name),
        esc(&fw.source)
    );
    let mut chart_no = 0;
    for g in &fw.groups {
        let inds: Vec<&Indicator> = fw.indicators.iter().filter(|i| i.group == g.id).collect();
        if inds.is_empty() {
            continue;
        }
        out.push_str(&format!("<section><h2>{}</h2>", esc(&g.title)));
        if !g.description.is_empty() {
            out.push_str(&format!("<p>{}</p>", esc(&g.description)));
        }
        for ind in inds {
            let rows = trend(results, &ind.id, &area);
            out.push_str(&format!(
                "<section class=\"indicator\"><h3>{}{}</h3><p>{}</p>",
                if ind.number.is_empty() { String::new() } else { format!("{} ", esc(&ind.number)) },
                esc(&ind.title),
                esc(&ind.definition)
            ));
            let manual_missing = rows.iter().all(|r| r.status == Status::ManualMissing);
            let awaiting = rows.iter().all(|r| r.status == Status::AwaitingData);
            if rows.is_empty() || manual_missing || awaiting {
                let why = match ind.measure {
                    MeasureKind::Manual => {
                        "Entered by hand: no value has been entered for this area yet (waymark indicators --manual FILE.csv).".to_owned()
                    }
                    MeasureKind::Facts => {
                        format!("Needs person-level {} records, which are not loaded yet (waymark import).", esc(&ind.facts))
                    }
                    _ => "No values for this area.".to_owned(),
                };
                out.push_str(&format!("<p class=\"note\">{why}</p></section>"));
                continue;
            }
            let periods: Vec<String> = rows.iter().map(|r| r.period.clone()).collect();
            let mut series = vec![(
                if area == "england" { "England".to_owned() } else { format!("LA {area}") },
                rows.iter().map(|r| r.value).collect::<Vec<_>>(),
                "#1d70b8",
                false,
            )];
            if area != "england" && ind.unit != crate::definition::Unit::Count {
                let eng: Vec<Option<f64>> = periods
                    .iter()
                    .map(|p| {
                        results
                            .rows
                            .iter()
                            .find(|r| r.indicator == ind.id && r.la == "england" && r.cohort == "all" && &r.period == p)
                            .and_then(|r| r.value)
                    })
                    .collect();
                if eng.iter().any(Option::is_some) {
                    series.push(("England (computed)".into(), eng, "#505a5f", true));
                }
            }
            let published: Vec<Option<f64>> = rows.iter().map(|r| r.england).collect();
            // A count for one LA is not drawn against England's count, which would flatten it.
            let comparable = ind.unit != crate::definition::Unit::Count || area == "england";
            if comparable && published.iter().any(Option::is_some) {
                series.push(("England (published)".into(), published, "#912b88", true));
            }
            let targets: Vec<Option<f64>> = rows.iter().map(|r| r.target).collect();
            if targets.iter().any(Option::is_some) {
                series.push(("Target".into(), targets, "#00703c", true));
            }
            chart_no += 1;
            let id = format!("chart{chart_no}");
            out.push_str(&format!(
                "<figure aria-labelledby=\"{id}-cap\">{}<figcaption id=\"{id}-cap\">{}{} — {}; data in the table that follows.</figcaption></figure>",
                svg_chart(ind, &id, &periods, &series),
                esc(&ind.title),
                if unit_suffix(ind.unit).is_empty() { String::new() } else { format!(" ({})", unit_suffix(ind.unit).trim()) },
                esc(&area_name)
            ));
            out.push_str(&format!(
                "<table><caption>Data for: {}</caption><thead><tr><th scope=\"col\">Period</th><th scope=\"col\">Numerator</th><th scope=\"col\">Denominator</th>\
<th scope=\"col\">Value</th><th scope=\"col\">Target</th><th scope=\"col\">England</th><th scope=\"col\">Statistical neighbours</th><th scope=\"col\">RAG</th></tr></thead><tbody>",
                esc(&ind.title)
            ));
            for r in &rows {
                let f = |v: Option<f64>| v.map(fmt_num).unwrap_or_else(|| "–".into());
                let eng = series
                    .iter()
                    .find(|s| s.0 == "England (computed)")
                    .and_then(|s| periods.iter().position(|p| *p == r.period).and_then(|i| s.1[i]))
                    .or(r.england);
                out.push_str(&format!(
                    "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"rag{}\">{}</td></tr>",
                    esc(&r.period),
                    r.numerator.map_or("–".into(), |n| n.to_string()),
                    r.denominator.map_or("–".into(), |n| n.to_string()),
                    f(r.value),
                    f(r.target),
                    f(eng),
                    f(r.neighbours),
                    r.rag.map_or(String::new(), |g| format!(" rag-{}", g.as_str())),
                    r.rag.map_or("–", |g| g.as_str())
                ));
            }
            out.push_str("</tbody></table>");
            out.push_str(&format!(
                "<p class=\"note\">Source: {}.{}</p></section>",
                esc(&ind.source),
                if ind.notes.is_empty() { String::new() } else { format!(" {}", esc(&ind.notes)) }
            ));
        }
        out.push_str("</section>");
    }
    out.push_str("</main></body></html>\n");
    out
}
