//! The DOCX rendering with `docx-rs`: Word's own heading styles, lists, tables and page-number fields.

use docx_rs::{
    AbstractNumbering, AlignmentType, Docx, Footer, Header, IndentLevel, Level as NumLevel, LevelJc, LevelText, NumPages, NumberFormat,
    Numbering, NumberingId, PageMargin, PageNum, Paragraph as DocxParagraph, Run as DocxRun, RunFonts, Shading, SpecialIndentType, Start,
    Style, StyleType, Table as DocxTable, TableCell, TableRow, WidthType,
};

use crate::{Block, Document, DocumentError, Level, Paragraph, Table};

/// A4 in twentieths of a point, with 2 cm margins.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN: i32 = 1134;
const BODY_W: usize = (PAGE_W as usize) - 2 * (MARGIN as usize);
const BULLETS: usize = 1;

fn style_id(level: Level) -> &'static str {
    match level {
        Level::One => "Heading1",
        Level::Two => "Heading2",
        Level::Three => "Heading3",
    }
}

fn runs(paragraph: &Paragraph) -> DocxParagraph {
    paragraph.runs.iter().fold(DocxParagraph::new(), |p, run| {
        let r = DocxRun::new().add_text(&run.text);
        p.add_run(if run.bold { r.bold() } else { r })
    })
}

fn table(table: &Table) -> DocxTable {
    let columns = table.header().len().max(1);
    let width = BODY_W / columns;
    let cell = |text: &str, bold: bool| {
        let run = DocxRun::new().add_text(text);
        let cell =
            TableCell::new().width(width, WidthType::Dxa).add_paragraph(DocxParagraph::new().add_run(if bold { run.bold() } else { run }));
        if bold {
            cell.shading(Shading::new().fill("E0E0E0"))
        } else {
            cell
        }
    };
    let header = TableRow::new(table.header().iter().map(|h| cell(h, true)).collect()).cant_split();
    let rows = table.rows().iter().map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect()).cant_split());
    DocxTable::new(std::iter::once(header).chain(rows).collect()).set_grid(vec![width; columns]).width(BODY_W, WidthType::Dxa)
}

fn draft_run() -> DocxRun {
    DocxRun::new().add_text("DRAFT").bold().color("B00000")
}

pub(crate) fn render(doc: &Document) -> Result<Vec<u8>, DocumentError> {
    let font = RunFonts::new().ascii("Arial").hi_ansi("Arial").cs("Arial").east_asia("Arial");
    let mut docx = Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(PageMargin::new().top(MARGIN).bottom(MARGIN).left(MARGIN).right(MARGIN).header(567).footer(567))
        .default_fonts(font)
        .default_size(22)
        // Word's built-in heading styles by their built-in names, so Word treats them as headings.
        .add_style(Style::new("Title", StyleType::Paragraph).name("Title").next("Normal").bold().size(44))
        .add_style(Style::new("Heading1", StyleType::Paragraph).name("heading 1").next("Normal").bold().size(36).outline_lvl(0))
        .add_style(Style::new("Heading2", StyleType::Paragraph).name("heading 2").next("Normal").bold().size(28).outline_lvl(1))
        .add_style(Style::new("Heading3", StyleType::Paragraph).name("heading 3").next("Normal").bold().size(24).outline_lvl(2))
        .add_style(Style::new("Notice", StyleType::Paragraph).name("Notice").next("Normal").size(24).indent(
            Some(567),
            None,
            Some(567),
            None,
        ))
        .add_abstract_numbering(AbstractNumbering::new(BULLETS).add_level(
            NumLevel::new(0, Start::new(1), NumberFormat::new("bullet"), LevelText::new("•"), LevelJc::new("left")).indent(
                Some(720),
                Some(SpecialIndentType::Hanging(360)),
                None,
                None,
            ),
        ))
        .add_numbering(Numbering::new(BULLETS, BULLETS));

    let mut header = DocxParagraph::new();
    if let Some(text) = &doc.header {
        header = header.add_run(DocxRun::new().add_text(text).size(18));
    }
    if doc.draft {
        if doc.header.is_some() {
            header = header.add_run(DocxRun::new().add_text(" — ").size(18));
        }
        header = header.add_run(draft_run().size(18));
    }
    if doc.header.is_some() || doc.draft {
        docx = docx.header(Header::new().add_paragraph(header));
    }
    let mut footer = DocxParagraph::new();
    if let Some(text) = &doc.footer {
        footer = footer.add_run(DocxRun::new().add_text(format!("{text} — ")).size(18));
    }
    footer = footer
        .add_run(DocxRun::new().add_text("Page ").size(18))
        .add_page_num(PageNum::new())
        .add_run(DocxRun::new().add_text(" of ").size(18))
        .add_num_pages(NumPages::new());
    docx = docx.footer(Footer::new().add_paragraph(footer));

    if doc.draft {
        docx = docx.add_paragraph(DocxParagraph::new().add_run(draft_run().size(28)).align(AlignmentType::Center));
    }
    if !doc.title.is_empty() {
        docx = docx.add_paragraph(DocxParagraph::new().style("Title").add_run(DocxRun::new().add_text(&doc.title)));
    }
    for block in &doc.blocks {
        docx = match block {
            Block::Heading(level, text) => {
                docx.add_paragraph(DocxParagraph::new().style(style_id(*level)).keep_next(true).add_run(DocxRun::new().add_text(text)))
            }
            Block::Paragraph(p) => docx.add_paragraph(runs(p)),
            Block::List(items) => items
                .iter()
                .fold(docx, |docx, item| docx.add_paragraph(runs(item).numbering(NumberingId::new(BULLETS), IndentLevel::new(0)))),
            Block::Table(t) => docx.add_table(table(t)).add_paragraph(DocxParagraph::new()),
            // A notice is a paragraph in its own style (indented, larger), not a layout table, which a
            // screen reader would announce as data.
            Block::Notice(p) => docx.add_paragraph(runs(p).style("Notice")),
        };
    }
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out).map_err(|e| DocumentError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}
