//! The PDF rendering: A4 pages laid out top to bottom with `pdf-writer` in Helvetica (ADR 0019).

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::metrics::{self, Face};
use crate::{Block, Document, Level, Paragraph, Run, Table};

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 62.0;
const BODY_TOP: f32 = PAGE_H - 76.0;
const BODY_BOTTOM: f32 = 72.0;
const BODY_W: f32 = PAGE_W - 2.0 * MARGIN_X;

const BODY_SIZE: f32 = 11.0;
const BODY_LEADING: f32 = 15.0;
const PARA_GAP: f32 = 7.0;
const TABLE_SIZE: f32 = 10.0;
const TABLE_LEADING: f32 = 13.0;
const CELL_PAD: f32 = 4.0;
const BULLET_INDENT: f32 = 16.0;
const NOTICE_PAD: f32 = 8.0;
const NOTICE_BAR: f32 = 5.0;
const SMALL_SIZE: f32 = 9.0;

const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

fn font_name(face: Face) -> Name<'static> {
    match face {
        Face::Regular => REGULAR,
        Face::Bold => BOLD,
    }
}

/// A stretch of one face within a line, its text including any spaces.
#[derive(Debug, Clone, PartialEq)]
struct Segment {
    face: Face,
    text: String,
}

type Line = Vec<Segment>;

#[cfg(test)]
fn line_width(line: &Line, size: f32) -> f32 {
    line.iter().map(|s| metrics::width(s.face, size, &s.text)).sum()
}

/// Breaks runs into lines no wider than `max` points at `size`: greedy, at spaces; a word wider than a
/// line is broken between characters. An empty paragraph is one empty line.
fn wrap(runs: &[Run], size: f32, max: f32) -> Vec<Line> {
    // Words with their face, and whether a space came before them.
    let mut words: Vec<(bool, Face, String)> = Vec::new();
    let mut space_pending = false;
    for run in runs {
        let face = if run.bold { Face::Bold } else { Face::Regular };
        let mut current = String::new();
        for c in run.text.chars() {
            if c == ' ' {
                if !current.is_empty() {
                    words.push((space_pending, face, std::mem::take(&mut current)));
                }
                space_pending = true;
            } else {
                current.push(c);
            }
        }
        if !current.is_empty() {
            words.push((space_pending, face, current));
            space_pending = false;
        }
    }
    let mut lines: Vec<Line> = Vec::new();
    let mut line: Line = Vec::new();
    let mut used = 0.0_f32;
    for (space_before, face, word) in words {
        let word_w = metrics::width(face, size, &word);
        let space_w = if space_before && !line.is_empty() { metrics::width(face, size, " ") } else { 0.0 };
        if !line.is_empty() && used + space_w + word_w > max {
            lines.push(std::mem::take(&mut line));
            used = 0.0;
        }
        let mut word = word;
        if line.is_empty() && word_w > max {
            // Too wide for any line: break it where it must.
            let mut piece = String::new();
            let mut piece_w = 0.0;
            for c in word.chars() {
                let w = f32::from(metrics::char_width(face, c)) * size / 1000.0;
                if !piece.is_empty() && piece_w + w > max {
                    lines.push(vec![Segment { face, text: std::mem::take(&mut piece) }]);
                    piece_w = 0.0;
                }
                piece.push(c);
                piece_w += w;
            }
            word = piece;
        }
        let prefix = if line.is_empty() || !space_before { "" } else { " " };
        used += metrics::width(face, size, prefix) + metrics::width(face, size, &word);
        match line.last_mut() {
            Some(last) if last.face == face => {
                last.text.push_str(prefix);
                last.text.push_str(&word);
            }
            _ => line.push(Segment { face, text: format!("{prefix}{word}") }),
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Pages being laid out, and where the next block goes on the last one.
struct Layout {
    pages: Vec<Content>,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        let mut layout = Layout { pages: Vec::new(), y: BODY_TOP };
        layout.new_page();
        layout
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = BODY_TOP;
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a layout always has a page")
    }

    fn at_top(&self) -> bool {
        self.y >= BODY_TOP
    }

    /// Starts a new page unless `height` points still fit on this one.
    fn ensure(&mut self, height: f32) {
        if self.y - height < BODY_BOTTOM && !self.at_top() {
            self.new_page();
        }
    }

    fn gap(&mut self, points: f32) {
        if !self.at_top() {
            self.y -= points;
        }
    }

    /// Sets one line with its baseline `ascent` below the current position, starting at `x`.
    fn text_line(&mut self, x: f32, baseline: f32, size: f32, line: &Line) {
        let content = self.page();
        content.begin_text();
        content.next_line(x, baseline);
        for segment in line {
            content.set_font(font_name(segment.face), size);
            content.show(Str(&metrics::winansi(&segment.text)));
        }
        content.end_text();
    }

    /// Sets wrapped lines from the current position, breaking pages between lines.
    fn lines(&mut self, x: f32, size: f32, leading: f32, lines: &[Line]) {
        for line in lines {
            self.ensure(leading);
            let baseline = self.y - size;
            self.text_line(x, baseline, size, line);
            self.y -= leading;
        }
    }

    /// The document's title, larger than any heading.
    fn title(&mut self, text: &str) {
        let size = 22.0;
        let lines = wrap(&[Run::bold(text)], size, BODY_W);
        self.lines(MARGIN_X, size, size * 1.25, &lines);
        self.y -= 8.0;
    }

    fn heading(&mut self, level: Level, text: &str) {
        let (size, before) = match level {
            Level::One => (18.0, 16.0),
            Level::Two => (14.0, 12.0),
            Level::Three => (12.0, 9.0),
        };
        let leading = size * 1.3;
        let lines = wrap(&[Run::bold(text)], size, BODY_W);
        self.gap(before);
        // Keep a heading with at least two lines of what follows it.
        self.ensure(leading * lines.len() as f32 + 2.0 * BODY_LEADING);
        self.lines(MARGIN_X, size, leading, &lines);
        self.y -= 3.0;
    }

    fn paragraph(&mut self, paragraph: &Paragraph) {
        let lines = wrap(&paragraph.runs, BODY_SIZE, BODY_W);
        self.lines(MARGIN_X, BODY_SIZE, BODY_LEADING, &lines);
        self.gap(PARA_GAP);
    }

    fn list(&mut self, items: &[Paragraph]) {
        for item in items {
            let lines = wrap(&item.runs, BODY_SIZE, BODY_W - BULLET_INDENT);
            self.ensure(BODY_LEADING);
            let bullet = vec![Segment { face: Face::Regular, text: "•".into() }];
            let baseline = self.y - BODY_SIZE;
            self.text_line(MARGIN_X + 3.0, baseline, BODY_SIZE, &bullet);
            self.lines(MARGIN_X + BULLET_INDENT, BODY_SIZE, BODY_LEADING, &lines);
            self.y -= 2.0;
        }
        self.gap(PARA_GAP);
    }

    fn notice(&mut self, paragraph: &Paragraph) {
        let inner = BODY_W - NOTICE_BAR - 2.0 * NOTICE_PAD;
        let lines = wrap(&paragraph.runs, BODY_SIZE, inner);
        let height = lines.len() as f32 * BODY_LEADING + 2.0 * NOTICE_PAD;
        self.gap(4.0);
        if height <= BODY_TOP - BODY_BOTTOM {
            self.ensure(height);
            let top = self.y;
            let content = self.page();
            content.save_state();
            content.set_fill_gray(0.93);
            content.rect(MARGIN_X, top - height, BODY_W, height);
            content.fill_nonzero();
            content.set_fill_gray(0.0);
            content.rect(MARGIN_X, top - height, NOTICE_BAR, height);
            content.fill_nonzero();
            content.restore_state();
            self.y -= NOTICE_PAD;
        }
        self.lines(MARGIN_X + NOTICE_BAR + NOTICE_PAD, BODY_SIZE, BODY_LEADING, &lines);
        self.y -= NOTICE_PAD;
        self.gap(PARA_GAP + 4.0);
    }

    fn table(&mut self, table: &Table) {
        let widths = column_widths(table);
        let wrap_row = |cells: &[String], bold: bool| -> Vec<Vec<Line>> {
            cells
                .iter()
                .zip(&widths)
                .map(|(cell, w)| {
                    let run = if bold { Run::bold(cell) } else { Run::plain(cell) };
                    wrap(&[run], TABLE_SIZE, w - 2.0 * CELL_PAD)
                })
                .collect()
        };
        let header = wrap_row(table.header(), true);
        let header_h = row_height(&header);
        self.gap(2.0);
        // The header and at least the first line of the first row stay together.
        self.ensure(header_h + TABLE_LEADING + 2.0 * CELL_PAD);
        self.table_row(&widths, &header, true);
        for cells in table.rows() {
            let row = wrap_row(cells, false);
            let mut from = 0;
            let total = row.iter().map(Vec::len).max().unwrap_or(1).max(1);
            while from < total {
                let room = ((self.y - BODY_BOTTOM - 2.0 * CELL_PAD) / TABLE_LEADING).floor().max(0.0) as usize;
                if room == 0 || (from == 0 && room < total && total * 2 < lines_per_page()) {
                    // Move the row (or the rest of it) to a new page, under the header again.
                    self.new_page();
                    self.table_row(&widths, &header, true);
                    continue;
                }
                let upto = (from + room).min(total);
                let part: Vec<Vec<Line>> = row.iter().map(|lines| lines[from.min(lines.len())..upto.min(lines.len())].to_vec()).collect();
                self.table_row(&widths, &part, false);
                from = upto;
            }
        }
        self.gap(PARA_GAP + 3.0);
    }

    /// Draws one row (or part of one) at the current position: shading for a header, cell borders, text.
    fn table_row(&mut self, widths: &[f32], cells: &[Vec<Line>], header: bool) {
        let height = row_height(cells);
        let top = self.y;
        let content = self.page();
        content.save_state();
        if header {
            content.set_fill_gray(0.88);
            content.rect(MARGIN_X, top - height, widths.iter().sum(), height);
            content.fill_nonzero();
        }
        content.set_line_width(0.5);
        content.set_stroke_gray(0.3);
        let mut x = MARGIN_X;
        for w in widths {
            content.rect(x, top - height, *w, height);
            content.stroke();
            x += w;
        }
        content.restore_state();
        let mut x = MARGIN_X;
        for (lines, w) in cells.iter().zip(widths) {
            for (i, line) in lines.iter().enumerate() {
                let baseline = top - CELL_PAD - TABLE_SIZE - i as f32 * TABLE_LEADING;
                self.text_line(x + CELL_PAD, baseline, TABLE_SIZE, line);
            }
            x += w;
        }
        self.y -= height;
    }
}

fn lines_per_page() -> usize {
    ((BODY_TOP - BODY_BOTTOM) / TABLE_LEADING) as usize
}

fn row_height(cells: &[Vec<Line>]) -> f32 {
    cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * TABLE_LEADING + 2.0 * CELL_PAD
}

/// Column widths filling the body width: each column's natural width (its widest cell on one line),
/// with the widest columns capped at one width so that the total fits; no column narrower than its
/// longest word allows, up to a floor of 40 points.
fn column_widths(table: &Table) -> Vec<f32> {
    let columns = table.header().len().max(1);
    let natural: Vec<f32> = (0..columns)
        .map(|c| {
            let header = table.header().get(c).map_or(0.0, |h| metrics::width(Face::Bold, TABLE_SIZE, h));
            let body = table.rows().iter().map(|r| metrics::width(Face::Regular, TABLE_SIZE, &r[c])).fold(0.0_f32, f32::max);
            header.max(body) + 2.0 * CELL_PAD + 1.0
        })
        .collect();
    let total: f32 = natural.iter().sum();
    if total <= BODY_W {
        // Spread what is left over evenly so the table spans the page.
        let extra = (BODY_W - total) / columns as f32;
        return natural.iter().map(|w| w + extra).collect();
    }
    // Find the cap c with sum(min(natural, c)) == BODY_W by bisection.
    let (mut lo, mut hi) = (0.0_f32, BODY_W);
    for _ in 0..40 {
        let mid = (lo + hi) / 2.0;
        let sum: f32 = natural.iter().map(|w| w.min(mid)).sum();
        if sum > BODY_W {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let mut widths: Vec<f32> = natural.iter().map(|w| w.min(lo).max(40.0)).collect();
    let sum: f32 = widths.iter().sum();
    if sum > BODY_W {
        let scale = BODY_W / sum;
        widths.iter_mut().for_each(|w| *w *= scale);
    }
    widths
}

/// A large pale "DRAFT" across the page, drawn first so the text sits over it.
fn watermark(content: &mut Content) {
    let size = 110.0;
    let half_w = metrics::width(Face::Bold, size, "DRAFT") / 2.0;
    let (c, s) = (std::f32::consts::FRAC_1_SQRT_2, std::f32::consts::FRAC_1_SQRT_2);
    let (cx, cy) = (PAGE_W / 2.0, PAGE_H / 2.0);
    // Start so that the word's centre (half its width along, a third of its size up) is the page's.
    let (dx, dy) = (half_w, size / 3.0);
    let x = cx - (dx * c - dy * s);
    let y = cy - (dx * s + dy * c);
    content.save_state();
    content.set_fill_gray(0.9);
    content.begin_text();
    content.set_text_matrix([c, s, -s, c, x, y]);
    content.set_font(BOLD, size);
    content.show(Str(b"DRAFT"));
    content.end_text();
    content.restore_state();
}

/// Cuts `text` with an ellipsis to fit `max` points.
fn fit(face: Face, size: f32, text: &str, max: f32) -> String {
    if metrics::width(face, size, text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if metrics::width(face, size, &out) + metrics::width(face, size, &format!("{c}…")) > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn small(content: &mut Content, face: Face, x: f32, y: f32, text: &str) {
    content.begin_text();
    content.set_font(font_name(face), SMALL_SIZE);
    content.next_line(x, y);
    content.show(Str(&metrics::winansi(text)));
    content.end_text();
}

/// What comes before a page's body in reading order: the draft watermark, the header text, "DRAFT".
fn page_head(doc: &Document) -> Content {
    let mut content = Content::new();
    if doc.draft {
        watermark(&mut content);
    }
    let head_y = PAGE_H - 44.0;
    content.save_state();
    content.set_fill_gray(0.25);
    let draft_w = if doc.draft { metrics::width(Face::Bold, SMALL_SIZE, "DRAFT") + 12.0 } else { 0.0 };
    if let Some(header) = &doc.header {
        let text = fit(Face::Regular, SMALL_SIZE, header, BODY_W - draft_w);
        small(&mut content, Face::Regular, MARGIN_X, head_y, &text);
    }
    if doc.draft {
        content.set_fill_rgb(0.7, 0.0, 0.0);
        small(&mut content, Face::Bold, PAGE_W - MARGIN_X - draft_w + 12.0, head_y, "DRAFT");
    }
    content.set_stroke_gray(0.6);
    content.set_line_width(0.5);
    content.move_to(MARGIN_X, head_y - 6.0);
    content.line_to(PAGE_W - MARGIN_X, head_y - 6.0);
    content.stroke();
    content.restore_state();
    content
}

/// What comes after a page's body: the footer text and "Page N of M".
fn page_foot(doc: &Document, number: usize, count: usize) -> Content {
    let mut content = Content::new();
    let foot_y = 40.0;
    content.save_state();
    content.set_fill_gray(0.25);
    let page = format!("Page {number} of {count}");
    let page_w = metrics::width(Face::Regular, SMALL_SIZE, &page);
    if let Some(footer) = &doc.footer {
        let text = fit(Face::Regular, SMALL_SIZE, footer, BODY_W - page_w - 12.0);
        small(&mut content, Face::Regular, MARGIN_X, foot_y, &text);
    }
    small(&mut content, Face::Regular, PAGE_W - MARGIN_X - page_w, foot_y, &page);
    content.restore_state();
    content
}

pub(crate) fn render(doc: &Document) -> Vec<u8> {
    let mut layout = Layout::new();
    if !doc.title.is_empty() {
        layout.title(&doc.title);
    }
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => layout.heading(*level, text),
            Block::Paragraph(p) => layout.paragraph(p),
            Block::List(items) => layout.list(items),
            Block::Table(t) => layout.table(t),
            Block::Notice(p) => layout.notice(p),
        }
    }

    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let info_id = Ref::new(3);
    let regular_id = Ref::new(4);
    let bold_id = Ref::new(5);
    let mut next = 6;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let count = layout.pages.len();
    let ids: Vec<[Ref; 4]> = (0..count).map(|_| [alloc(), alloc(), alloc(), alloc()]).collect();

    {
        let mut catalog = pdf.catalog(catalog_id);
        catalog.pages(tree_id);
        catalog.lang(TextStr("en-GB"));
        catalog.viewer_preferences().display_doc_title(true);
    }
    pdf.pages(tree_id).kids(ids.iter().map(|[page, ..]| *page)).count(count as i32);
    pdf.document_info(info_id).title(TextStr(&doc.title)).producer(TextStr("Waymark"));
    pdf.type1_font(regular_id).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold_id).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));

    let head = page_head(doc).finish();
    for (i, (body, [page_id, head_id, body_id, foot_id])) in layout.pages.into_iter().zip(ids).enumerate() {
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree_id);
        // Header, body, footer: the order a reader (and text extraction) meets them.
        page.contents_array([head_id, body_id, foot_id]);
        {
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            fonts.pair(REGULAR, regular_id);
            fonts.pair(BOLD, bold_id);
        }
        page.finish();
        let foot = page_foot(doc, i + 1, count).finish();
        for (id, stream) in [(head_id, &head[..]), (body_id, &body.finish()[..]), (foot_id, &foot[..])] {
            pdf.stream(id, &compress(stream)).filter(Filter::FlateDecode);
        }
    }
    pdf.finish()
}

/// Content streams are deflated (FlateDecode), a tenth of their size for text.
fn compress(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    encoder.write_all(data).and_then(|()| encoder.finish()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_in_order_within_the_width() {
        let runs = [Run::bold("Name: "), Run::plain("a long sentence that will need to wrap over several lines here")];
        let lines = wrap(&runs, 11.0, 120.0);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(line_width(line, 11.0) <= 120.0, "{line:?}");
        }
        let text: Vec<String> = lines.iter().map(|l| l.iter().map(|s| s.text.as_str()).collect()).collect();
        assert_eq!(text.join(" "), "Name: a long sentence that will need to wrap over several lines here");
        assert_eq!(lines[0][0], Segment { face: Face::Bold, text: "Name:".into() });
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_not_lost() {
        let word = "x".repeat(200);
        let lines = wrap(&[Run::plain(&word)], 11.0, 100.0);
        assert!(lines.len() > 1);
        let joined: String = lines.iter().flatten().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, word);
    }

    #[test]
    fn columns_fit_the_page_and_narrow_columns_keep_their_width() {
        let table =
            Table::new(["Who", "What"]).row(["SALT", &"speech and language therapy every week for a term ".repeat(6)]).expect("two cells");
        let widths = column_widths(&table);
        let total: f32 = widths.iter().sum();
        assert!((total - BODY_W).abs() < 0.5, "{widths:?}");
        assert!(widths[0] < widths[1] && widths[0] >= metrics::width(Face::Bold, TABLE_SIZE, "Who"));
    }
}
