//! Reading rendered documents back, for tests (feature `readback`): a DOCX opened as OOXML (a zip of
//! XML parts, read with `zip` and `quick-xml`) and a PDF's text (through `pdf-extract`).

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

/// One paragraph of a DOCX part: its style id (`Heading1`, ...), whether it is a list item, whether
/// any of its runs is bold, and its text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocxParagraph {
    pub style: Option<String>,
    pub list_item: bool,
    pub bold: bool,
    pub text: String,
}

/// A DOCX read back: the paragraphs of the body (table cells included, in order), of the headers and
/// of the footers, and the number of tables in the body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocxContent {
    pub body: Vec<DocxParagraph>,
    pub headers: Vec<DocxParagraph>,
    pub footers: Vec<DocxParagraph>,
    pub tables: usize,
}

impl DocxContent {
    /// Every paragraph's text in the body, one per line.
    pub fn body_text(&self) -> String {
        self.body.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n")
    }
    /// The body's paragraphs in the style with this id (e.g. `Heading1`).
    pub fn styled(&self, style: &str) -> Vec<&str> {
        self.body.iter().filter(|p| p.style.as_deref() == Some(style)).map(|p| p.text.as_str()).collect()
    }
}

/// Reading a document back failed: it is not what a Word processor or PDF reader would open.
#[derive(Debug, thiserror::Error)]
pub enum ReadbackError {
    #[error("not a DOCX (zip) file: {0}")]
    Zip(String),
    #[error("the DOCX has no part {0}")]
    MissingPart(String),
    #[error("the DOCX part {part} is not well-formed XML: {message}")]
    Xml { part: String, message: String },
    #[error("the PDF could not be read: {0}")]
    Pdf(String),
}

/// Opens a DOCX as OOXML: checks `[Content_Types].xml` and `word/document.xml` exist and parse, and
/// reads the paragraphs of the body, headers and footers.
pub fn docx(bytes: &[u8]) -> Result<DocxContent, ReadbackError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadbackError::Zip(e.to_string()))?;
    let mut part = |name: &str| -> Result<String, ReadbackError> {
        let mut file = archive.by_name(name).map_err(|_| ReadbackError::MissingPart(name.to_string()))?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(|e| ReadbackError::Zip(e.to_string()))?;
        Ok(text)
    };
    paragraphs("[Content_Types].xml", &part("[Content_Types].xml")?)?;
    let (body, tables) = paragraphs("word/document.xml", &part("word/document.xml")?)?;
    let mut headers = Vec::new();
    let mut footers = Vec::new();
    for i in 1..=3 {
        if let Ok(xml) = part(&format!("word/header{i}.xml")) {
            headers.extend(paragraphs("header", &xml)?.0);
        }
        if let Ok(xml) = part(&format!("word/footer{i}.xml")) {
            footers.extend(paragraphs("footer", &xml)?.0);
        }
    }
    Ok(DocxContent { body, headers, footers, tables })
}

/// The paragraphs of one WordprocessingML part, and its number of tables.
fn paragraphs(part: &str, xml: &str) -> Result<(Vec<DocxParagraph>, usize), ReadbackError> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<DocxParagraph> = None;
    let mut in_text = false;
    let mut in_instr = false;
    let mut run_bold = false;
    let mut tables = 0;
    let bad = |e: &dyn std::fmt::Display| ReadbackError::Xml { part: part.to_string(), message: e.to_string() };
    loop {
        let event = reader.read_event().map_err(|e| bad(&e))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.name().as_ref() {
                    b"w:p" if !empty => current = Some(DocxParagraph::default()),
                    b"w:tbl" => tables += 1,
                    b"w:r" => run_bold = false,
                    b"w:b" => {
                        let off =
                            e.attributes().flatten().any(|a| a.key.as_ref() == b"w:val" && matches!(a.value.as_ref(), b"false" | b"0"));
                        run_bold = !off;
                    }
                    b"w:pStyle" => {
                        if let Some(p) = current.as_mut() {
                            p.style = e
                                .attributes()
                                .flatten()
                                .find(|a| a.key.as_ref() == b"w:val")
                                .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                        }
                    }
                    b"w:numPr" => {
                        if let Some(p) = current.as_mut() {
                            p.list_item = true;
                        }
                    }
                    b"w:t" if !empty => in_text = true,
                    b"w:instrText" if !empty => in_instr = true,
                    _ => {}
                }
            }
            Event::Text(t) if in_text && !in_instr => {
                let text = t.unescape().map_err(|e| bad(&e))?;
                if let Some(p) = current.as_mut() {
                    p.text.push_str(&text);
                    p.bold |= run_bold && !text.trim().is_empty();
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"w:p" => out.extend(current.take()),
                b"w:t" => in_text = false,
                b"w:instrText" => in_instr = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((out, tables))
}

/// The text of a PDF, pages in order.
pub fn pdf_text(bytes: &[u8]) -> Result<String, ReadbackError> {
    pdf_extract::extract_text_from_mem(bytes).map_err(|e| ReadbackError::Pdf(e.to_string()))
}

/// The text of each page of a PDF.
pub fn pdf_pages(bytes: &[u8]) -> Result<Vec<String>, ReadbackError> {
    pdf_extract::extract_text_from_mem_by_pages(bytes).map_err(|e| ReadbackError::Pdf(e.to_string()))
}

/// Text with its runs of white space made single spaces, for comparing wrapped text.
pub fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
