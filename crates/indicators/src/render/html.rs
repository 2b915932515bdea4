//! A printable HTML report for board papers: no scripts and no external resources; each chart an inline
//! SVG with a title and description, followed by the table of its data.

use super::{main_area, trend};
use crate::definition::{Framework, Indicator, MeasureKind};
use crate::engine::{Results, Status};
use crate::present::{self, Suppression};

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

/// The report for one framework and area (an LA code, or England when `la` is `None`).
pub fn html(fw: &Framework, results: &Results, la: Option<&str>, suppression: Suppression) -> String {
    let area = main_area(results, la);
    let area_name = if area == "england" { "England".to_owned() } else { format!("local authority {area}") };
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{} — {}</title><style>{CSS}{}</style></head><body><main>\
<h1>{}</h1><p>{} Figures for {}. Source definitions: {}.{}</p>",
        esc(&fw.title),
        esc(&area_name),
        super::svg::CSS,
        esc(&fw.title),
        esc(&fw.description),
        esc(&area_name),
        esc(&fw.source),
        if suppression.threshold > 0 {
            format!(" Counts from 1 to {} are shown as c, with any percentage that would reveal them.", suppression.threshold)
        } else {
            String::new()
        }
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
            chart_no += 1;
            let id = format!("chart{chart_no}");
            out.push_str(&format!(
                "<figure aria-labelledby=\"{id}-cap\">{}<figcaption id=\"{id}-cap\">{}; the figures are in the table that follows.</figcaption></figure>",
                super::svg::indicator_trend(ind, &rows, &area_name, &id, area != "england", suppression),
                esc(&present::chart_title(ind, &area_name)),
            ));
            out.push_str(&format!(
                "<table><caption>Data for: {}</caption><thead><tr><th scope=\"col\">Period</th><th scope=\"col\">Numerator</th><th scope=\"col\">Denominator</th>\
<th scope=\"col\">Value</th><th scope=\"col\">Target</th><th scope=\"col\">England</th><th scope=\"col\">Statistical neighbours</th><th scope=\"col\">Rating</th><th scope=\"col\">How it is rated</th></tr></thead><tbody>",
                esc(&ind.title)
            ));
            for r in &rows {
                let f = |v: Option<f64>| v.map(|v| present::value(v, ind.unit)).unwrap_or_else(|| "-".into());
                let shown = suppression.show(ind.unit, r);
                let (words, _) = present::rating_words(r.rag);
                out.push_str(&format!(
                    "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"rag{}\">{}</td><td class=\"text\">{}</td></tr>",
                    esc(&r.period),
                    shown.numerator,
                    shown.denominator,
                    shown.value,
                    f(r.target),
                    if ind.unit == crate::definition::Unit::Count && area != "england" { "-".to_owned() } else { f(r.england) },
                    f(r.neighbours),
                    r.rag.map_or(String::new(), |g| format!(" rag-{}", g.as_str())),
                    words,
                    esc(&present::rating_sentence(ind, r)),
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
