//! An EHC plan as a document, laid out as local authorities lay plans out: the child's details, then
//! sections A to K (with H1 and H2) in order, each under its own heading; outcomes with the
//! preparing-for-adulthood areas they serve; provision in a table of what, who, how often and for how
//! long; the named setting; the personal budget. A draft says so on every page and opens with the
//! family's 15 days (SEND Regulations 2014, regulation 13(1)).

use waymark_domain::calendar::{add_days, Date};
use waymark_domain::plan::{Agency, DirectPayment, PfaArea, PlanContents, Section};

use crate::{Document, Level, Paragraph, Run, Table};

/// Whether the plan is the draft or the final plan, and the day it was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStatus {
    Draft { issued: Date },
    Final { issued: Date },
}

/// What the plan document needs beside the plan itself; the caller (who reads the store) supplies
/// names, so this stays pure.
#[derive(Debug, Clone)]
pub struct PlanDetails<'a> {
    /// The case reference people quote (`EHC-1A2B3C4D`).
    pub reference: String,
    pub child_name: String,
    pub date_of_birth: Date,
    /// The local authority responsible for the plan, as people name it.
    pub authority: String,
    pub status: PlanStatus,
    pub plan: &'a PlanContents,
    /// The named settings' names, in the order of `plan.named_settings`.
    pub setting_names: Vec<String>,
}

/// A date as letters and plans write it: "4 December 2026".
pub fn long_date(date: Date) -> String {
    date.format("%-d %B %Y").to_string()
}

/// The last day of the family's window to comment on a draft: "at least 15 days beginning with the day
/// on which it was served" (SEND Regulations 2014, reg 13(1)), so the day of issue is day 1 and the
/// window ends at the end of the 15th day. Waymark records the day the draft was issued as the day it
/// was served; where an area posts drafts, deemed service may fall later (see docs/documents.md).
pub fn comment_deadline(issued: Date) -> Date {
    add_days(issued, 14)
}

pub fn pfa_label(area: PfaArea) -> &'static str {
    match area {
        PfaArea::EmploymentAndHigherEducation => "Employment and higher education",
        PfaArea::IndependentLiving => "Independent living",
        PfaArea::CommunityInclusion => "Friends, relationships and community inclusion",
        PfaArea::Health => "Good health",
    }
}

fn section_heading(section: Section) -> String {
    let key = match section {
        Section::A => "A",
        Section::B => "B",
        Section::C => "C",
        Section::D => "D",
        Section::E => "E",
        Section::F => "F",
        Section::G => "G",
        Section::H1 => "H1",
        Section::H2 => "H2",
        Section::I => "I",
        Section::J => "J",
        Section::K => "K",
    };
    format!("Section {key}: {}", section.title())
}

fn provision_table(plan: &PlanContents, agency: Agency) -> Option<Table> {
    let rows: Vec<[String; 4]> = plan
        .provision_by(agency)
        .map(|p| {
            let or_blank = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "Not stated".into());
            [p.description.clone(), or_blank(&p.provider), or_blank(&p.frequency), or_blank(&p.duration)]
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let mut table = Table::new(["Provision", "Who provides it", "How often", "How long"]);
    for row in rows {
        // Four cells for a four-column header: cannot be refused.
        table = table.row(row).ok()?;
    }
    Some(table)
}

/// The plan as a document.
pub fn plan_document(details: &PlanDetails<'_>) -> Document {
    let plan = details.plan;
    let (title, draft, status_line) = match details.status {
        PlanStatus::Draft { issued } => ("Draft education, health and care plan", true, format!("Draft issued on {}", long_date(issued))),
        PlanStatus::Final { issued } => ("Education, health and care plan", false, format!("Issued on {}", long_date(issued))),
    };
    let mut doc = Document::new(title)
        .with_header(format!("{} · {}", details.reference, details.child_name))
        .with_footer(format!("{} · {}", details.authority, status_line))
        .draft(draft);
    if let PlanStatus::Draft { issued } = details.status {
        doc = doc.notice(
            Paragraph::default()
                .run(Run::bold(format!("You have until {} to comment on this draft. ", long_date(comment_deadline(issued)))))
                .run(Run::plain(
                    "That is 15 days beginning with the day it was issued. In that time you can tell us what you think of it, \
                     ask to meet us about it, and ask for a particular school or college to be named in section I \
                     (SEND Regulations 2014, regulation 13(1)). Section I is left blank in a draft plan.",
                )),
        );
    }
    doc = doc
        .paragraph(Paragraph::labelled("Name", &details.child_name))
        .paragraph(Paragraph::labelled("Date of birth", long_date(details.date_of_birth)))
        .paragraph(Paragraph::labelled("Plan reference", &details.reference))
        .paragraph(Paragraph::labelled("Local authority", &details.authority))
        .paragraph(Paragraph::labelled("Status", &status_line));

    for section in Section::ALL {
        doc = doc.heading(Level::One, section_heading(section));
        let text = plan.sections.get(&section).map(String::as_str).unwrap_or_default().trim();
        let mut said_something = !text.is_empty();
        doc = doc.text(text);
        match section {
            Section::E if !plan.outcomes.is_empty() => {
                said_something = true;
                let mut table = Table::new(["Outcome", "Preparing for adulthood"]);
                for outcome in &plan.outcomes {
                    let areas: Vec<&str> = outcome.pfa.iter().map(|a| pfa_label(*a)).collect();
                    let areas = if areas.is_empty() { "None".to_string() } else { areas.join("; ") };
                    if let Ok(t) = table.clone().row([outcome.text.clone(), areas]) {
                        table = t;
                    }
                }
                doc = doc.heading(Level::Two, "Outcomes").table(table);
            }
            Section::F | Section::G | Section::H2 => {
                let agency = match section {
                    Section::F => Agency::Education,
                    Section::G => Agency::Health,
                    _ => Agency::SocialCare,
                };
                if let Some(table) = provision_table(plan, agency) {
                    said_something = true;
                    doc = doc.heading(Level::Two, "Provision").table(table);
                }
            }
            Section::I => {
                if draft {
                    said_something = true;
                    doc = doc.paragraph("Left blank in a draft plan: the school or college is named in the final plan.");
                } else if !plan.named_settings.is_empty() {
                    said_something = true;
                    let mut settings: Vec<_> = plan.named_settings.iter().zip(&details.setting_names).collect();
                    settings.sort_by_key(|(s, _)| s.rank);
                    let items: Vec<Paragraph> = settings
                        .into_iter()
                        .map(|(s, name)| {
                            let mut text = name.clone();
                            if s.sen_unit {
                                text.push_str(" (SEN unit)");
                            }
                            if s.resourced_provision {
                                text.push_str(" (resourced provision)");
                            }
                            if let Some(other) = s.other_description.as_deref().filter(|d| !d.trim().is_empty()) {
                                text.push_str(&format!(": {other}"));
                            }
                            Paragraph::plain(text)
                        })
                        .collect();
                    doc = doc.heading(Level::Two, "Named school or other institution").list(items);
                }
            }
            Section::J => {
                said_something = true;
                let budget = &plan.personal_budget;
                let yes_no = |b: bool| if b { "Yes" } else { "No" };
                let direct = match budget.direct_payments {
                    None => "None",
                    Some(DirectPayment::Education) => "For education provision",
                    Some(DirectPayment::Health) => "For health provision",
                    Some(DirectPayment::SocialCare) => "For social care provision",
                    Some(DirectPayment::Integrated) => "An integrated budget across services",
                };
                doc = doc
                    .paragraph(Paragraph::labelled("Personal budget", yes_no(budget.personal_budget)))
                    .paragraph(Paragraph::labelled("Organised arrangements", yes_no(budget.organised_arrangements)))
                    .paragraph(Paragraph::labelled("Direct payments", direct));
            }
            _ => {}
        }
        if !said_something {
            doc = doc.paragraph("Nothing is recorded in this section.");
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readback;
    use waymark_domain::calendar::parse_iso_date;
    use waymark_domain::plan::{NamedSetting, Outcome, Provision};

    fn d(s: &str) -> Date {
        parse_iso_date(s).expect("date")
    }

    fn plan() -> PlanContents {
        let mut p = PlanContents::default();
        p.sections.insert(Section::A, "Enjoys music and swimming.\nWants to make friends.".into());
        p.sections.insert(Section::B, "Social communication needs.".into());
        p.outcomes.push(Outcome {
            text: "Travels to school with a friend by July 2027".into(),
            pfa: vec![PfaArea::IndependentLiving, PfaArea::CommunityInclusion],
        });
        p.provision.push(Provision {
            agency: Agency::Education,
            description: "Small-group social skills".into(),
            frequency: Some("3 x 30 minutes a week".into()),
            provider: Some("Class teaching assistant".into()),
            duration: Some("Until the annual review".into()),
        });
        p.provision.push(Provision {
            agency: Agency::Health,
            description: "Speech and language therapy review".into(),
            frequency: Some("Each term".into()),
            provider: Some("NHS speech and language therapy".into()),
            duration: None,
        });
        p
    }

    fn details(plan: &PlanContents, status: PlanStatus) -> PlanDetails<'_> {
        PlanDetails {
            reference: "EHC-1A2B3C4D".into(),
            child_name: "Amberly Quayle".into(),
            date_of_birth: d("2012-04-01"),
            authority: "Portsmouth".into(),
            status,
            plan,
            setting_names: vec!["Meadow Primary School (URN 851001)".into()],
        }
    }

    #[test]
    fn reg_13_1_the_draft_carries_draft_and_the_15_day_notice_ending_on_day_15() {
        let p = plan();
        let doc = plan_document(&details(&p, PlanStatus::Draft { issued: d("2026-11-02") }));
        // Issued 2 November: day 1 is 2 November, day 15 is 16 November.
        assert_eq!(comment_deadline(d("2026-11-02")), d("2026-11-16"));
        let text = readback::squash(&readback::pdf_text(&doc.to_pdf()).expect("reads"));
        assert!(text.contains("DRAFT"));
        assert!(text.contains("You have until 16 November 2026 to comment on this draft."), "{text}");
        assert!(text.contains("regulation 13(1)"));
        assert!(text.contains("Left blank in a draft plan"));
        let docx = readback::docx(&doc.to_docx().expect("renders")).expect("opens");
        assert!(docx.headers.iter().any(|h| h.text.contains("DRAFT")));
        assert!(docx.body_text().contains("You have until 16 November 2026"));
    }

    #[test]
    fn the_plan_reads_back_with_sections_a_to_k_outcomes_and_provision() {
        let mut p = plan();
        p.named_settings.push(NamedSetting {
            setting: waymark_domain::identifiers::SettingRef::Urn("851001".parse().expect("URN")),
            rank: 1,
            sen_unit: true,
            resourced_provision: false,
            other_description: None,
        });
        p.personal_budget.personal_budget = true;
        p.personal_budget.direct_payments = Some(DirectPayment::SocialCare);
        let doc = plan_document(&details(&p, PlanStatus::Final { issued: d("2026-12-01") }));
        let docx = readback::docx(&doc.to_docx().expect("renders")).expect("opens");
        let headings = docx.styled("Heading1");
        assert_eq!(headings.len(), 12);
        assert_eq!(headings[0], "Section A: Views, interests and aspirations");
        assert_eq!(headings[7], "Section H1: Social care provision (s2 CSDPA 1970)");
        assert_eq!(headings[8], "Section H2: Other social care provision");
        assert_eq!(headings[11], "Section K: Advice and information");
        let body = docx.body_text();
        for expected in [
            "Enjoys music and swimming.",
            "Wants to make friends.",
            "Travels to school with a friend by July 2027",
            "Independent living; Friends, relationships and community inclusion",
            "Class teaching assistant",
            "3 x 30 minutes a week",
            "Until the annual review",
            "NHS speech and language therapy",
            "Meadow Primary School (URN 851001) (SEN unit)",
            "Personal budget: Yes",
            "Direct payments: For social care provision",
        ] {
            assert!(body.contains(expected), "{expected} missing");
        }
        assert!(!body.contains("DRAFT"));
        let pdf = readback::squash(&readback::pdf_text(&doc.to_pdf()).expect("reads"));
        assert!(pdf.contains("Section F: Special educational provision"));
        assert!(pdf.contains("Small-group social skills"));
        assert!(pdf.contains("Issued on 1 December 2026"));
        assert!(!pdf.contains("DRAFT"));
    }
}
