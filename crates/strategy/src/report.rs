//! The board report for a quarter, laid out as a board paper: purpose, recommendations, then the
//! information (deliverables by status, what moved since last quarter, what is off track or at risk and
//! why, the delivery plan by strand, the linked indicators with ratings and trends, the self-evaluation
//! summary). The figures are those of the day it is made, and it says so.
//!
//! [`BoardReport::build`] decides the content from the plan, the figures and the self-evaluation;
//! [`BoardReport::document`] lays it out as a [`Doc`] of headings, paragraphs and tables that every
//! format renders the same way ([`html`], [`xlsx`]).

use crate::plan::{IndicatorRef, Item, Plan};
use crate::quarter::Quarter;
use crate::self_evaluation::SelfEvaluation;
use crate::status::Status;
use chrono::NaiveDate;
use serde::Serialize;

/// A linked indicator's figure as shown (formatted by the indicators crate's `present`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub reference: IndicatorRef,
    pub title: String,
    /// The period of the latest value, in words ("2025", "2024/25").
    pub period: String,
    pub value: Option<f64>,
    pub value_text: String,
    pub target: Option<f64>,
    pub target_text: String,
    /// `green`, `amber`, `red`, or none.
    pub rag: Option<String>,
    pub rag_words: String,
    pub rag_colour: String,
    /// The rule the rating used, or why there is none.
    pub rag_text: String,
    /// Earlier periods then the latest: (period in words, value as shown).
    pub trend: Vec<(String, String)>,
}

impl Figure {
    /// A linked indicator with no figure (not computed for this area, or unknown to the installation).
    pub fn missing(reference: &IndicatorRef, why: &str) -> Self {
        Self {
            reference: reference.clone(),
            title: "An indicator no longer in the frameworks".to_owned(),
            period: String::new(),
            value: None,
            value_text: why.to_owned(),
            target: None,
            target_text: "No target set".into(),
            rag: None,
            rag_words: "Not rated".into(),
            rag_colour: "grey".into(),
            rag_text: String::new(),
            trend: Vec::new(),
        }
    }
}

/// Find a figure by reference.
pub fn figure<'a>(figures: &'a [Figure], r: &IndicatorRef) -> Option<&'a Figure> {
    figures.iter().find(|f| &f.reference == r)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moved {
    pub reference: String,
    pub title: String,
    pub from: Option<Status>,
    pub to: Status,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attention {
    pub reference: String,
    pub title: String,
    pub strand: String,
    pub status: Status,
    pub owner: String,
    pub due: String,
    pub overdue: bool,
    /// The owner's latest note, or that none has been written.
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoardReport {
    pub area: String,
    pub quarter: Quarter,
    pub made_on: NaiveDate,
    pub counts: Vec<(Status, usize)>,
    pub total: usize,
    pub moved: Vec<Moved>,
    pub attention: Vec<Attention>,
    pub overdue: usize,
    pub plan: Plan,
    pub figures: Vec<Figure>,
    pub self_evaluation: Option<SelfEvaluation>,
    pub action_plan: Option<Plan>,
}

/// A laid-out document: what every format renders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Doc {
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Block {
    Heading { level: u8, text: String },
    Paragraph(String),
    Bullets(Vec<String>),
    Table { caption: String, head: Vec<String>, rows: Vec<Vec<String>> },
}

/// A day in words ("4 December 2026"), as every strategy document writes it.
pub(crate) fn date_words(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A deliverable's or action's cells in every strategy document's plan tables: reference, title, by
/// when, by whom and status.
pub(crate) fn item_cells(i: &Item) -> Vec<String> {
    vec![i.def.reference.clone(), i.def.title.clone(), i.def.due.to_string(), i.def.owner.clone(), i.status().words().to_owned()]
}

impl BoardReport {
    /// The report for `quarter` as things stand on `made_on`.
    pub fn build(
        area: &str,
        quarter: Quarter,
        made_on: NaiveDate,
        plan: &Plan,
        figures: Vec<Figure>,
        self_evaluation: Option<SelfEvaluation>,
        action_plan: Option<Plan>,
    ) -> Self {
        let end = quarter.last_day().min(made_on);
        let before = quarter.previous().last_day();
        let mut moved = Vec::new();
        let mut attention = Vec::new();
        for (strand, item) in plan.items() {
            if let Some(to) = item.status_on(end) {
                let from = item.status_on(before);
                if from != Some(to) && item.statuses.iter().any(|s| s.at.date_naive() > before && s.at.date_naive() <= end) {
                    moved.push(Moved { reference: item.def.reference.clone(), title: item.def.title.clone(), from, to });
                }
            }
            if item.status().needs_attention() || item.overdue(made_on) {
                attention.push(Attention {
                    reference: item.def.reference.clone(),
                    title: item.def.title.clone(),
                    strand: strand.name.clone(),
                    status: item.status(),
                    owner: item.def.owner.clone(),
                    due: item.def.due.to_string(),
                    overdue: item.overdue(made_on),
                    why: item
                        .latest_note()
                        .map_or_else(|| "No progress note has been written.".to_owned(), |n| format!("{} ({})", n.text, n.quarter.words())),
                });
            }
        }
        let overdue = plan.items().filter(|(_, i)| i.overdue(made_on)).count();
        Self {
            area: area.to_owned(),
            quarter,
            made_on,
            counts: plan.counts(),
            total: plan.items().count(),
            moved,
            attention,
            overdue,
            plan: plan.clone(),
            figures,
            self_evaluation,
            action_plan,
        }
    }

    pub fn count(&self, s: Status) -> usize {
        self.counts.iter().find(|(k, _)| *k == s).map_or(0, |(_, n)| *n)
    }

    /// The report laid out as a board paper.
    pub fn document(&self) -> Doc {
        let mut b = Vec::new();
        let h = |level: u8, text: &str| Block::Heading { level, text: text.to_owned() };
        let p = |text: String| Block::Paragraph(text);
        b.push(p(format!(
            "{}. Report for {} ({}). Made on {}: the figures are those of that day, not of the quarter's end, and will differ if made again.",
            self.area,
            self.quarter.words(),
            self.quarter,
            date_words(self.made_on)
        )));
        b.push(h(2, "1. Purpose"));
        b.push(p(format!(
            "To report progress on the SEND strategy's delivery plan for {}: where each deliverable stands, what has moved, \
             what is off track and why, and the indicators that measure it, with the partnership's self-evaluation.",
            self.quarter.words()
        )));
        b.push(h(2, "2. Recommendations"));
        let mut recs = vec!["That the board notes progress on the delivery plan and the indicators below.".to_owned()];
        if !self.attention.is_empty() {
            recs.push(format!(
                "That the board asks the owners of the {} deliverable(s) off track, at risk or past their date (section 3.3) for their recovery plans.",
                self.attention.len()
            ));
        }
        let red = self.figures.iter().filter(|f| f.rag.as_deref() == Some("red")).count();
        if red > 0 {
            recs.push(format!("That the board considers the {red} indicator(s) rated red (section 3.5)."));
        }
        b.push(Block::Bullets(recs));
        b.push(h(2, "3. Information"));
        b.push(h(3, "3.1 Deliverables by status"));
        let finished = self.count(Status::Complete);
        b.push(p(format!(
            "{} deliverables in {} strands: {finished} complete, {} on track, {} at risk, {} off track; {} past their date and not finished.",
            self.total,
            self.plan.strands.len(),
            self.count(Status::OnTrack),
            self.count(Status::AtRisk),
            self.count(Status::OffTrack),
            self.overdue
        )));
        b.push(Block::Table {
            caption: "Deliverables by status".into(),
            head: vec!["Status".into(), "Deliverables".into()],
            rows: self.counts.iter().map(|(s, n)| vec![s.words().to_owned(), n.to_string()]).collect(),
        });
        b.push(h(3, "3.2 What moved since last quarter"));
        if self.moved.is_empty() {
            b.push(p(format!("No deliverable changed status between {} and the end of {}.", self.quarter.previous(), self.quarter)));
        } else {
            b.push(Block::Table {
                caption: format!("Status changes in {}", self.quarter.words()),
                head: vec!["Ref".into(), "Deliverable".into(), "Was".into(), "Now".into()],
                rows: self
                    .moved
                    .iter()
                    .map(|m| {
                        vec![
                            m.reference.clone(),
                            m.title.clone(),
                            m.from.map_or("Not yet in the plan".into(), |s| s.words().to_owned()),
                            m.to.words().to_owned(),
                        ]
                    })
                    .collect(),
            });
        }
        b.push(h(3, "3.3 Off track, at risk or past their date, and why"));
        if self.attention.is_empty() {
            b.push(p("No deliverable is off track, at risk or past its date.".into()));
        } else {
            b.push(Block::Table {
                caption: "Deliverables needing the board's attention".into(),
                head: vec!["Ref".into(), "Deliverable".into(), "Status".into(), "Due".into(), "By whom".into(), "Why (latest note)".into()],
                rows: self
                    .attention
                    .iter()
                    .map(|a| {
                        vec![
                            a.reference.clone(),
                            a.title.clone(),
                            a.status.words().to_owned(),
                            if a.overdue { format!("{} (past its date)", a.due) } else { a.due.clone() },
                            a.owner.clone(),
                            a.why.clone(),
                        ]
                    })
                    .collect(),
            });
        }
        b.push(h(3, "3.4 The delivery plan by strand"));
        for s in &self.plan.strands {
            b.push(Block::Table {
                caption: s.name.clone(),
                head: vec!["Ref".into(), "Deliverable".into(), "By when".into(), "By whom".into(), "Status".into()],
                rows: s.items.iter().map(item_cells).collect(),
            });
        }
        b.push(h(3, "3.5 Linked indicators"));
        if self.figures.is_empty() {
            b.push(p("No deliverable is linked to an indicator yet.".into()));
        } else {
            b.push(p(format!("Each indicator's latest value on {}, its target and rating, and its trend.", date_words(self.made_on))));
            b.push(Block::Table {
                caption: "Linked indicators with ratings and trends".into(),
                head: vec!["Indicator".into(), "Period".into(), "Value".into(), "Target".into(), "Rating".into(), "Trend".into()],
                rows: self
                    .figures
                    .iter()
                    .map(|f| {
                        vec![
                            f.title.clone(),
                            f.period.clone(),
                            f.value_text.clone(),
                            f.target_text.clone(),
                            f.rag_words.clone(),
                            f.trend.iter().map(|(p, v)| format!("{p}: {v}")).collect::<Vec<_>>().join("; "),
                        ]
                    })
                    .collect(),
            });
        }
        b.push(h(3, "3.6 Self-evaluation summary"));
        match &self.self_evaluation {
            None => b.push(p("The partnership has not written a self-evaluation yet.".into())),
            Some(se) => {
                b.push(p(format!(
                    "The self-evaluation dated {}. The partnership's overall judgement: {}.",
                    date_words(se.dated),
                    se.judgement.map_or("not given", |j| j.words())
                )));
                if !se.summary.trim().is_empty() {
                    b.push(p(se.summary.trim().to_owned()));
                }
                b.push(Block::Table {
                    caption: "Judgement by evaluation statement".into(),
                    head: vec!["Evaluation statement".into(), "The partnership's judgement".into(), "Areas for development".into()],
                    rows: se
                        .areas
                        .iter()
                        .map(|e| {
                            vec![
                                e.area.title().to_owned(),
                                e.judgement.map_or("Not given".into(), |j| j.words().to_owned()),
                                e.development.trim().to_owned(),
                            ]
                        })
                        .collect(),
                });
            }
        }
        if let Some(ap) = self.action_plan.as_ref().filter(|a| !a.is_empty()) {
            b.push(h(3, "3.7 The action plan after the inspection"));
            b.push(Block::Table {
                caption: "Actions by area for improvement".into(),
                head: vec![
                    "Area for improvement".into(),
                    "Ref".into(),
                    "Action".into(),
                    "By when".into(),
                    "By whom".into(),
                    "Status".into(),
                ],
                rows: ap.items().map(|(s, i)| [vec![s.name.clone()], item_cells(i)].concat()).collect(),
            });
        }
        Doc { title: format!("SEND strategy: board report for {}", self.quarter.words()), blocks: b }
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The style of the standalone HTML report (the web serves it with a CSP hash of exactly this).
pub const HTML_STYLE: &str = "body{font-family:Arial,sans-serif;margin:2em;max-width:60em;color:#0b0c0c}\
table{border-collapse:collapse;margin:0 0 1.5em;width:100%}caption{text-align:left;font-weight:bold;padding:.3em 0}\
th,td{border:1px solid #b1b4b6;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f3f2f1}\
@media print{body{margin:0}}";

/// A standalone HTML document (one `<style>`, no script, no external resources).
pub fn html(doc: &Doc) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{HTML_STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        esc(&doc.title),
        esc(&doc.title)
    );
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => out.push_str(&format!("<h{l}>{}</h{l}>\n", esc(text), l = (*level).clamp(2, 4))),
            Block::Paragraph(t) => out.push_str(&format!("<p>{}</p>\n", esc(t))),
            Block::Bullets(items) => {
                out.push_str("<ul>\n");
                for i in items {
                    out.push_str(&format!("<li>{}</li>\n", esc(i)));
                }
                out.push_str("</ul>\n");
            }
            Block::Table { caption, head, rows } => {
                out.push_str(&format!("<table>\n<caption>{}</caption>\n<thead><tr>", esc(caption)));
                for h in head {
                    out.push_str(&format!("<th scope=\"col\">{}</th>", esc(h)));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        out.push_str(&format!("<td>{}</td>", esc(c)));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// A table to put on its own sheet: caption, header, rows.
type SheetTable<'a> = (&'a str, &'a [String], &'a [Vec<String>]);

/// An XLSX workbook: the whole paper on one sheet in reading order, and each table also on its own
/// sheet for sorting and filtering.
pub fn xlsx(doc: &Doc) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    xlsx_named(doc, "Board report")
}

/// As [`xlsx`], the first sheet (the whole document) named `first`.
pub fn xlsx_named(doc: &Doc, first: &str) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatBorder, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(16);
    let head = Format::new().set_bold().set_background_color("#F3F2F1").set_border(FormatBorder::Thin);
    let wrap = Format::new().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top);
    let mut tables: Vec<SheetTable<'_>> = Vec::new();
    {
        let ws = wb.add_worksheet().set_name(first)?;
        ws.set_column_width(0, 14)?;
        for c in 1..8u16 {
            ws.set_column_width(c, 28)?;
        }
        let mut row = 0u32;
        ws.write_string_with_format(row, 0, &doc.title, &title)?;
        row += 2;
        for block in &doc.blocks {
            match block {
                Block::Heading { text, .. } => {
                    ws.write_string_with_format(row, 0, text, &bold)?;
                    row += 1;
                }
                Block::Paragraph(t) => {
                    ws.write_string(row, 0, t)?;
                    row += 2;
                }
                Block::Bullets(items) => {
                    for i in items {
                        ws.write_string(row, 0, format!("• {i}"))?;
                        row += 1;
                    }
                    row += 1;
                }
                Block::Table { caption, head: h, rows } => {
                    ws.write_string_with_format(row, 0, caption, &bold)?;
                    row += 1;
                    for (c, v) in h.iter().enumerate() {
                        ws.write_string_with_format(row, c as u16, waymark_safe_output::neutralise_str(v).as_ref(), &head)?;
                    }
                    row += 1;
                    for r in rows {
                        for (c, v) in r.iter().enumerate() {
                            ws.write_string_with_format(row, c as u16, waymark_safe_output::neutralise_str(v).as_ref(), &wrap)?;
                        }
                        row += 1;
                    }
                    row += 1;
                    tables.push((caption, h, rows));
                }
            }
        }
    }
    let mut used: Vec<String> = vec![first.into()];
    for (caption, h, rows) in tables {
        // A sheet name: at most 31 characters, none of []:*?/\ and unique.
        let base: String = caption.chars().filter(|c| !"[]:*?/\\'".contains(*c)).take(28).collect();
        let mut name = base.trim().to_owned();
        let mut n = 2;
        while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) || name.is_empty() {
            name = format!("{} {n}", base.trim());
            n += 1;
        }
        used.push(name.clone());
        let ws = wb.add_worksheet().set_name(&name)?;
        for (c, v) in h.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, v, &head)?;
            ws.set_column_width(c as u16, if c == 0 { 14 } else { 30 })?;
        }
        for (r, cells) in rows.iter().enumerate() {
            for (c, v) in cells.iter().enumerate() {
                ws.write_string_with_format(r as u32 + 1, c as u16, waymark_safe_output::neutralise_str(v).as_ref(), &wrap)?;
            }
        }
        if !rows.is_empty() {
            ws.autofilter(0, 0, rows.len() as u32, h.len().saturating_sub(1) as u16)?;
        }
    }
    wb.save_to_buffer()
}

/// The paper in the documents crate's model, for DOCX and PDF: each table preceded by its caption.
pub fn document(doc: &Doc) -> Result<waymark_documents::Document, waymark_documents::DocumentError> {
    use waymark_documents::{Level, Paragraph, Table};
    let mut out = waymark_documents::Document::new(&doc.title).heading(Level::One, &doc.title).with_footer(&doc.title);
    for block in &doc.blocks {
        out = match block {
            Block::Heading { level, text } => out.heading(if *level <= 2 { Level::Two } else { Level::Three }, text),
            Block::Paragraph(t) => out.paragraph(t.as_str()),
            Block::Bullets(items) => out.list(items.iter().map(String::as_str)),
            Block::Table { caption, head, rows } => {
                let mut t = Table::new(head);
                for r in rows {
                    t = t.row(r)?;
                }
                out.paragraph(Paragraph::bold(caption)).table(t)
            }
        };
    }
    Ok(out)
}

/// A Word document.
pub fn docx(doc: &Doc) -> Result<Vec<u8>, waymark_documents::DocumentError> {
    document(doc)?.to_docx()
}

/// A PDF (A4).
pub fn pdf(doc: &Doc) -> Result<Vec<u8>, waymark_documents::DocumentError> {
    Ok(document(doc)?.to_pdf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::due::Due;
    use crate::plan::{Change, ItemDef, PlanKind, Recorded, StrandDef};
    use chrono::{DateTime, Utc};
    use std::io::Read;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(10, 0, 0).unwrap().and_utc()
    }

    fn plan() -> Plan {
        let item = |r: &str, due: Due| ItemDef {
            reference: r.into(),
            title: format!("Deliverable {r}"),
            due,
            owner: "KS".into(),
            status: Status::NotStarted,
            monitored_by: String::new(),
            indicators: vec!["dfe-ehcp/plans_issued".parse().unwrap()],
        };
        let q1: Quarter = "2026Q1".parse().unwrap();
        let changes = vec![
            Recorded {
                seq: 1,
                at: at(2025, 11, 1),
                actor: "cli".into(),
                change: Change::Imported {
                    strands: vec![StrandDef {
                        name: "Strand B".into(),
                        items: vec![item("B1", Due::Month { year: 2026, month: 6 }), item("B2", Due::Month { year: 2025, month: 12 })],
                    }],
                },
            },
            Recorded {
                seq: 2,
                at: at(2026, 2, 3),
                actor: "user:1".into(),
                change: Change::Progress {
                    reference: "B1".into(),
                    status: Status::OffTrack,
                    quarter: q1,
                    note: Some("Staff shortage".into()),
                },
            },
        ];
        Plan::replay(PlanKind::Strategy, &changes).unwrap()
    }

    fn report() -> BoardReport {
        let mut f = Figure::missing(&"dfe-ehcp/plans_issued".parse().unwrap(), "");
        f.title = "New EHC plans issued".into();
        f.value = Some(1234.0);
        f.value_text = "1,234".into();
        f.trend = vec![("2024".into(), "1,100".into()), ("2025".into(), "1,234".into())];
        BoardReport::build(
            "Local authority 851",
            "2026Q1".parse().unwrap(),
            NaiveDate::from_ymd_opt(2026, 4, 2).unwrap(),
            &plan(),
            vec![f],
            None,
            None,
        )
    }

    #[test]
    fn the_report_counts_by_status_names_what_moved_and_says_why_off_track() {
        let r = report();
        assert_eq!((r.total, r.count(Status::OffTrack), r.count(Status::NotStarted)), (2, 1, 1));
        assert_eq!(
            r.moved,
            [Moved { reference: "B1".into(), title: "Deliverable B1".into(), from: Some(Status::NotStarted), to: Status::OffTrack }]
        );
        assert_eq!(r.attention.len(), 2, "B1 off track, B2 past its date");
        assert_eq!(r.attention[0].why, "Staff shortage (January to March 2026)");
        assert!(r.attention[1].overdue && r.attention[1].why.starts_with("No progress note"));
        let next =
            BoardReport::build("x", "2026Q2".parse().unwrap(), NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(), &plan(), vec![], None, None);
        assert!(next.moved.is_empty(), "a change in Q1 is not news in Q2");
    }

    #[test]
    fn the_html_paper_has_purpose_recommendations_information_and_the_day_it_was_made() {
        let html = html(&report().document());
        for needle in
            ["1. Purpose", "2. Recommendations", "3. Information", "Made on 2 April 2026", "1,234", "Staff shortage", "2024: 1,100"]
        {
            assert!(html.contains(needle), "{needle}");
        }
        assert!(!html.contains("off_track") && !html.contains("<script"));
    }

    #[test]
    fn the_docx_and_pdf_papers_read_back_with_their_figures() {
        let doc = report().document();
        let docx = waymark_documents::readback::docx(&docx(&doc).unwrap()).unwrap();
        let text = docx.body_text();
        for needle in ["1. Purpose", "2. Recommendations", "Made on 2 April 2026", "1,234", "Staff shortage (January to March 2026)"] {
            assert!(text.contains(needle), "docx: {needle}");
        }
        assert!(docx.styled("Heading2").iter().any(|h| h.contains("3. Information")), "real heading styles");
        let pdf = waymark_documents::readback::squash(&waymark_documents::readback::pdf_text(&pdf(&doc).unwrap()).unwrap());
        for needle in ["1. Purpose", "Made on 2 April 2026", "1,234", "Staff shortage"] {
            assert!(pdf.contains(&waymark_documents::readback::squash(needle)), "pdf: {needle}");
        }
    }

    #[test]
    fn the_xlsx_workbook_reads_back_with_its_figures() {
        let bytes = xlsx(&report().document()).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut shared = String::new();
        zip.by_name("xl/sharedStrings.xml").unwrap().read_to_string(&mut shared).unwrap();
        for needle in ["1,234", "Staff shortage (January to March 2026)", "Off track", "Deliverable B2"] {
            assert!(shared.contains(needle), "{needle}");
        }
        let mut book = String::new();
        zip.by_name("xl/workbook.xml").unwrap().read_to_string(&mut book).unwrap();
        assert!(book.contains("Board report") && book.contains("Strand B"));
    }
}
