//! Documents rendered and read back as a person (or Word) would read them.

use crate::readback::{self, squash};
use crate::{Document, DocumentError, Level, Paragraph, Run, Table};

fn sample(draft: bool) -> Document {
    Document::new("Education, health and care plan")
        .with_header("EHC-1A2B3C4D")
        .with_footer("Example Council SEND team")
        .draft(draft)
        .heading(Level::One, "Section A: the views, interests and aspirations of the child")
        .paragraph(Paragraph::labelled("Name", "Amélie O'Brien (age 9)"))
        .text("Amélie loves drawing & horses.\n\nShe finds loud rooms hard.")
        .heading(Level::Two, "What matters to me")
        .list(["Time with my friends", "Knowing what happens next"])
        .heading(Level::One, "Section F: special educational provision")
        .table(
            Table::new(["Provision", "Who provides it", "How often", "How long"])
                .row(["Speech and language therapy (1:1)", "NHS SALT", "Weekly, 45 minutes", "Until July 2027"])
                .expect("four cells")
                .row(["Small-group literacy <phonics>", "School", "Daily", "One year"])
                .expect("four cells"),
        )
        .notice(
            Paragraph::default()
                .run(Run::bold("You have 15 days "))
                .run(Run::plain("to comment on this draft and to ask for a particular school or college.")),
        )
}

#[test]
fn docx_opens_as_ooxml_with_heading_styles_lists_tables_and_bold_runs() {
    let bytes = sample(false).to_docx().expect("renders");
    let doc = readback::docx(&bytes).expect("opens as OOXML");
    assert_eq!(doc.styled("Title"), ["Education, health and care plan"]);
    assert_eq!(
        doc.styled("Heading1"),
        ["Section A: the views, interests and aspirations of the child", "Section F: special educational provision"]
    );
    assert_eq!(doc.styled("Heading2"), ["What matters to me"]);
    let name = doc.body.iter().find(|p| p.text.starts_with("Name: ")).expect("the labelled line");
    assert_eq!(name.text, "Name: Amélie O'Brien (age 9)");
    assert!(name.bold);
    let items: Vec<&str> = doc.body.iter().filter(|p| p.list_item).map(|p| p.text.as_str()).collect();
    assert_eq!(items, ["Time with my friends", "Knowing what happens next"]);
    assert_eq!(doc.tables, 1);
    let text = doc.body_text();
    for expected in
        ["Amélie loves drawing & horses.", "She finds loud rooms hard.", "NHS SALT", "Small-group literacy <phonics>", "Weekly, 45 minutes"]
    {
        assert!(text.contains(expected), "{expected} missing from\n{text}");
    }
    assert_eq!(doc.styled("Notice"), ["You have 15 days to comment on this draft and to ask for a particular school or college."]);
    assert_eq!(doc.headers.iter().map(|p| p.text.as_str()).collect::<Vec<_>>(), ["EHC-1A2B3C4D"]);
    assert!(doc.footers[0].text.starts_with("Example Council SEND team"), "{:?}", doc.footers);
    assert!(!text.contains("DRAFT"));
}

#[test]
fn a_draft_says_draft_in_the_docx_header_and_body_and_on_every_pdf_page() {
    let doc = sample(true);
    let docx = readback::docx(&doc.to_docx().expect("renders")).expect("opens");
    assert!(docx.headers[0].text.contains("DRAFT"));
    assert_eq!(docx.body[0].text, "DRAFT");

    // Enough rows to spill onto a second page.
    let mut table = Table::new(["Outcome", "By when"]);
    for i in 1..=60 {
        table = table.row([format!("Outcome number {i}"), "July 2027".to_string()]).expect("two cells");
    }
    let long = doc.table(table);
    let pages = readback::pdf_pages(&long.to_pdf()).expect("reads");
    assert!(pages.len() >= 2, "{} pages", pages.len());
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains("DRAFT"), "page {} has no DRAFT marking", i + 1);
        assert!(page.contains(&format!("Page {} of {}", i + 1, pages.len())), "page {}: {page}", i + 1);
    }
    // The table's header row is repeated on the page it continues on.
    assert!(pages.last().expect("a page").contains("By when"));

    let final_pdf = readback::pdf_text(&sample(false).to_pdf()).expect("reads");
    assert!(!final_pdf.contains("DRAFT"));
}

#[test]
fn pdf_text_reads_back_in_order_with_punctuation_and_accents() {
    let text = squash(&readback::pdf_text(&sample(false).to_pdf()).expect("reads"));
    let order = [
        "EHC-1A2B3C4D",
        "Education, health and care plan",
        "Section A: the views, interests and aspirations of the child",
        "Name: Amélie O'Brien (age 9)",
        "Amélie loves drawing & horses.",
        "Time with my friends",
        "Section F: special educational provision",
        "Speech and language therapy",
        "NHS SALT",
        "You have 15 days to comment on this draft and to ask for a particular school or college.",
        "Example Council SEND team",
        "Page 1 of 1",
    ];
    let mut from = 0;
    for expected in order {
        let at = text[from..].find(expected).unwrap_or_else(|| panic!("{expected:?} not after byte {from} in\n{text}"));
        from += at + expected.len();
    }
}

#[test]
fn rendering_is_a_pure_function_of_the_document() {
    assert_eq!(sample(true).to_pdf(), sample(true).to_pdf());
    assert_ne!(sample(true).to_pdf(), sample(false).to_pdf());
}

#[test]
fn a_table_row_of_the_wrong_width_is_refused_naming_the_row() {
    let err = Table::new(["Who", "What"]).row(["a", "b"]).and_then(|t| t.row(["only one"])).expect_err("refused");
    assert!(matches!(err, DocumentError::RowWidth { row: 2, expected: 2, found: 1, .. }));
    assert_eq!(err.to_string(), "row 2 of the table \"Who, What\" has 1 cells; its header has 2");
}

#[test]
fn control_characters_in_text_cannot_break_either_format() {
    let doc = Document::new("Views").paragraph(Paragraph::plain("bell\u{7} and\tform\u{c}feed )( \\ end"));
    let docx = readback::docx(&doc.to_docx().expect("renders")).expect("still well-formed XML");
    assert!(docx.body_text().contains("bell  and form feed )( \\ end"));
    let pdf = readback::pdf_text(&doc.to_pdf()).expect("reads");
    assert!(squash(&pdf).contains("bell and form feed )( \\ end"), "{pdf}");
}
