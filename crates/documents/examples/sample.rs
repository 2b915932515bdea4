//! Writes a sample document as `sample.docx` and `sample.pdf` into the folder given (default: the
//! current one), to look at the layout: `cargo run -p waymark-documents --example sample -- /tmp`.

use waymark_documents::{Document, Level, Paragraph, Run, Table};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let mut provision = Table::new(["Provision", "Who provides it", "How often", "How long"]);
    for i in 1..=30 {
        provision = provision.row([
            format!("Provision {i}: small-group work on reading and spelling with a trained teaching assistant"),
            "School".into(),
            "Three times a week, 30 minutes".into(),
            "Until the next annual review".into(),
        ])?;
    }
    let doc = Document::new("Education, health and care plan")
        .with_header("EHC-1A2B3C4D · Amélie O'Brien")
        .with_footer("Example Council SEND team")
        .draft(true)
        .notice(
            Paragraph::default()
                .run(Run::bold("This is a draft. "))
                .run(Run::plain("You have 15 days from the day it was sent to comment on it and to ask for a particular school or college (SEND Regulations 2014, regulation 13).")),
        )
        .heading(Level::One, "Section A: the views, interests and aspirations of the child")
        .paragraph(Paragraph::labelled("Name", "Amélie O'Brien"))
        .text("Amélie loves drawing and horses. She finds loud rooms hard and likes to know what happens next.")
        .heading(Level::Two, "What matters to me")
        .list(["Time with my friends", "Knowing what happens next", "Drawing every day"])
        .heading(Level::One, "Section F: special educational provision")
        .table(provision);
    std::fs::write(format!("{dir}/sample.pdf"), doc.to_pdf())?;
    std::fs::write(format!("{dir}/sample.docx"), doc.to_docx()?)?;
    Ok(())
}
