//! `docs/import-formats.md`, generated from the formats so the documentation cannot drift from what
//! the import accepts (a test compares the file with [`formats_markdown`]).

use crate::format::format;
use waymark_domain::facts::{Dataset, DatasetKind, LinkKind};

const INTRO: &str = include_str!("formats_intro.md");

fn link_name(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Upn => "UPN",
        LinkKind::Uln => "ULN",
        LinkKind::NhsNumber => "NHS number",
        LinkKind::SocialCareId => "social care id",
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The whole of `docs/import-formats.md`.
pub fn formats_markdown() -> String {
    let mut out = String::from(INTRO);
    for &dataset in Dataset::ALL {
        let f = format(dataset);
        out.push_str(&format!("\n## `{}`: {}\n\n", dataset.name(), dataset.label()));
        out.push_str(&format!("Source: {}\n\n", f.source));
        if dataset.kind() == DatasetKind::Person {
            let links: Vec<&str> = dataset.link_kinds().iter().map(|&k| link_name(k)).collect();
            out.push_str(&format!("Links to a child by: {} (then any other identifier the row carries).\n\n", links.join(", then ")));
        }
        out.push_str(&format!("Natural key: {}\n\n", f.natural_key));
        out.push_str("| column | required | type | meaning |\n|---|---|---|---|\n");
        for c in &f.columns {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                c.name,
                if c.required { "yes" } else { "no" },
                cell(&c.kind.describe()),
                cell(c.description)
            ));
        }
        let coded: Vec<_> =
            f.columns.iter().filter_map(|c| c.kind.codes().filter(|codes| codes.len() > 5).map(|codes| (c.name, codes))).collect();
        for (name, codes) in coded {
            out.push_str(&format!("\nCodes for `{name}`:\n\n| code | meaning |\n|---|---|\n"));
            for (code, label) in codes {
                out.push_str(&format!("| `{code}` | {} |\n", cell(label)));
            }
        }
        let five_or_fewer: Vec<_> =
            f.columns.iter().filter_map(|c| c.kind.codes().filter(|codes| codes.len() <= 5).map(|codes| (c.name, codes))).collect();
        if !five_or_fewer.is_empty() {
            out.push_str("\nShort code sets:\n\n");
            for (name, codes) in five_or_fewer {
                let listed: Vec<String> = codes.iter().map(|(c, l)| format!("`{c}` {l}")).collect();
                out.push_str(&format!("- `{name}`: {}\n", listed.join("; ")));
            }
        }
        if !f.notes.is_empty() {
            out.push_str("\nRules and notes:\n\n");
            for note in f.notes {
                out.push_str(&format!("- {note}\n"));
            }
        }
        out.push_str(&format!("\nExample:\n\n```csv\n{}```\n", f.example));
    }
    out.push_str(&crate::establishments::format_markdown());
    out
}
