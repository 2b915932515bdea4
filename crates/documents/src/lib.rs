//! Waymark's documents: one small, pure document model and its two renderings.
//!
//! A [`Document`] is what a plan, a statutory letter or a board report *says*: headings (three levels),
//! paragraphs made of plain and bold [`Run`]s, bulleted lists, tables with a header row, notices (a
//! boxed paragraph, e.g. the 15 days a family has to comment on a draft plan), a "DRAFT" marking, and
//! header and footer text. Nothing here knows about cases, children or the law: the crates that own
//! those decide the words, and this crate lays them out.
//!
//! * [`Document::to_docx`] writes Office Open XML with `docx-rs`: real Word heading styles (so the
//!   navigation pane, a screen reader and "Save as PDF" see the structure), real lists and tables, page
//!   numbers as Word fields. Teams edit plans in Word.
//! * [`Document::to_pdf`] writes PDF with `pdf-writer` in the PDF standard fonts Helvetica and
//!   Helvetica-Bold, which every reader has, so no font file is shipped or looked up (ADR 0019). Lines
//!   are broken with the fonts' published widths ([`metrics`]); pages break before a heading that would
//!   be left alone at the foot of a page; a table's header row is repeated on each page it spans.
//!
//! Both are pure functions of the model (no clock, no I/O): the same document renders to the same
//! bytes. With the `readback` feature, [`readback`] reads both back (DOCX as OOXML through `zip` and
//! `quick-xml`, PDF as text through `pdf-extract`), so tests here and in the web crate check what a
//! person would read.

mod docx;
pub mod files;
pub mod metrics;
mod pdf;
pub mod plan;
#[cfg(feature = "readback")]
pub mod readback;

/// A rendering failed. Rendering a well-formed model does not fail in practice; the variants carry what
/// the underlying writer reported.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// A table row has a different number of cells from the table's header.
    #[error("row {row} of the table \"{table}\" has {found} cells; its header has {expected}")]
    RowWidth { table: String, row: usize, expected: usize, found: usize },
    /// The DOCX writer failed.
    #[error("the Word document could not be written: {0}")]
    Docx(String),
}

/// A whole document: its title (also the PDF's title in its properties), optional header and footer
/// text shown on every page, whether it is a draft, and its blocks in reading order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub title: String,
    pub header: Option<String>,
    pub footer: Option<String>,
    pub draft: bool,
    pub blocks: Vec<Block>,
}

/// One block of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(Level, String),
    Paragraph(Paragraph),
    /// A bulleted list; each item one paragraph.
    List(Vec<Paragraph>),
    Table(Table),
    /// A paragraph set apart in a box, for what the reader must not miss (a deadline, a right).
    Notice(Paragraph),
}

/// Heading levels: 1 for the document's sections (a plan's "Section A"), 2 and 3 within them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    One,
    Two,
    Three,
}

/// A piece of text, bold or not. Control characters (tabs, new lines) become spaces: a run is one
/// stretch of text on the page. Use [`Document::text`] for free text with paragraphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
}

impl Run {
    pub fn plain(text: impl AsRef<str>) -> Self {
        Run { text: clean(text.as_ref()), bold: false }
    }
    pub fn bold(text: impl AsRef<str>) -> Self {
        Run { text: clean(text.as_ref()), bold: true }
    }
}

/// A paragraph: runs set one after another and wrapped to the page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Paragraph {
    pub runs: Vec<Run>,
}

impl Paragraph {
    /// A paragraph of plain text.
    pub fn plain(text: impl AsRef<str>) -> Self {
        Paragraph { runs: vec![Run::plain(text)] }
    }
    /// A paragraph of bold text.
    pub fn bold(text: impl AsRef<str>) -> Self {
        Paragraph { runs: vec![Run::bold(text)] }
    }
    /// A "label: value" line, the label in bold (`Date of birth: 1 May 2015`).
    pub fn labelled(label: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        Paragraph { runs: vec![Run::bold(format!("{}: ", label.as_ref())), Run::plain(value)] }
    }
    /// Adds a run.
    pub fn run(mut self, run: Run) -> Self {
        self.runs.push(run);
        self
    }
    /// The paragraph's text, runs joined.
    pub fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

impl From<&str> for Paragraph {
    fn from(text: &str) -> Self {
        Paragraph::plain(text)
    }
}

impl From<String> for Paragraph {
    fn from(text: String) -> Self {
        Paragraph::plain(text)
    }
}

/// A table: a header row and body rows of the same width. Build it with [`Table::new`] and
/// [`Table::row`], which refuses a row of the wrong width (no cell is dropped or invented).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headings and no rows yet.
    pub fn new<S: AsRef<str>>(header: impl IntoIterator<Item = S>) -> Self {
        Table { header: header.into_iter().map(|h| clean(h.as_ref())).collect(), rows: Vec::new() }
    }
    /// Adds a row; an error names the row (counting from 1) when its width differs from the header's.
    pub fn row<S: AsRef<str>>(mut self, cells: impl IntoIterator<Item = S>) -> Result<Self, DocumentError> {
        let cells: Vec<String> = cells.into_iter().map(|c| clean(c.as_ref())).collect();
        if cells.len() != self.header.len() {
            return Err(DocumentError::RowWidth {
                table: self.header.join(", "),
                row: self.rows.len() + 1,
                expected: self.header.len(),
                found: cells.len(),
            });
        }
        self.rows.push(cells);
        Ok(self)
    }
    pub fn header(&self) -> &[String] {
        &self.header
    }
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl Document {
    /// An empty document with this title.
    pub fn new(title: impl AsRef<str>) -> Self {
        Document { title: clean(title.as_ref()), ..Document::default() }
    }
    /// Text shown at the top of every page.
    pub fn with_header(mut self, text: impl AsRef<str>) -> Self {
        self.header = Some(clean(text.as_ref()));
        self
    }
    /// Text shown at the foot of every page, beside the page number.
    pub fn with_footer(mut self, text: impl AsRef<str>) -> Self {
        self.footer = Some(clean(text.as_ref()));
        self
    }
    /// Marks the document as a draft: "DRAFT" in every page's header and, in the PDF, across each page.
    pub fn draft(mut self, draft: bool) -> Self {
        self.draft = draft;
        self
    }
    pub fn heading(mut self, level: Level, text: impl AsRef<str>) -> Self {
        self.blocks.push(Block::Heading(level, clean(text.as_ref())));
        self
    }
    pub fn paragraph(mut self, paragraph: impl Into<Paragraph>) -> Self {
        self.blocks.push(Block::Paragraph(paragraph.into()));
        self
    }
    /// Free text as people type it: each non-blank line becomes a paragraph.
    pub fn text(mut self, text: &str) -> Self {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            self.blocks.push(Block::Paragraph(Paragraph::plain(line)));
        }
        self
    }
    pub fn list<P: Into<Paragraph>>(mut self, items: impl IntoIterator<Item = P>) -> Self {
        let items: Vec<Paragraph> = items.into_iter().map(Into::into).collect();
        if !items.is_empty() {
            self.blocks.push(Block::List(items));
        }
        self
    }
    pub fn table(mut self, table: Table) -> Self {
        self.blocks.push(Block::Table(table));
        self
    }
    pub fn notice(mut self, paragraph: impl Into<Paragraph>) -> Self {
        self.blocks.push(Block::Notice(paragraph.into()));
        self
    }
    /// Adds a block.
    pub fn block(mut self, block: Block) -> Self {
        self.blocks.push(block);
        self
    }

    /// The document as a Word (.docx) file.
    pub fn to_docx(&self) -> Result<Vec<u8>, DocumentError> {
        docx::render(self)
    }

    /// The document as a PDF file (A4).
    pub fn to_pdf(&self) -> Vec<u8> {
        pdf::render(self)
    }
}

/// Control characters (new lines, tabs, and those XML forbids) become spaces, so no text can break a
/// DOCX's XML or a PDF's content stream.
fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests;
