//! The action plan after an inspection, laid out as the document the inspectorates expect (issue 17,
//! item 4). Two templates of the same data (areas for improvement, each with actions, owners, dates,
//! measures of impact and progress):
//!
//! - the **written statement of action** (WSoA): under the 2016-2022 area SEND framework, where an
//!   inspection found significant weaknesses, the LA and the CCG jointly wrote a statement of the action
//!   they would take on each area of significant weakness; Ofsted and CQC judged it fit for purpose and
//!   revisited to check progress. It is laid out by area of significant weakness with its actions, lead,
//!   timescale, measures of success and progress, then how the partnership governs and monitors it.
//! - the **priority action plan**: under the 2023 framework, an inspection with the third outcome
//!   ("widespread and/or systemic failings") names areas for priority action; the partnership submits a
//!   priority action plan and is monitored within about 18 months (reference national-statistics.md
//!   §4d). Laid out by area for priority action, reported for the monitoring inspection.
//!
//! Pure: the plan and the measures' figures come in; a [`Doc`] goes out (DOCX, PDF, XLSX through
//! [`crate::report`]). With no action plan loaded, the document is the empty template with its headings.

use crate::plan::Plan;
use crate::report::{self, Block, Doc, Figure};
use chrono::NaiveDate;

/// Which document the action plan is laid out as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    WrittenStatementOfAction,
    PriorityActionPlan,
}

impl Template {
    pub const ALL: [Template; 2] = [Self::WrittenStatementOfAction, Self::PriorityActionPlan];

    pub fn key(self) -> &'static str {
        match self {
            Self::WrittenStatementOfAction => "wsoa",
            Self::PriorityActionPlan => "priority",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.key() == key.trim())
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::WrittenStatementOfAction => "Written statement of action",
            Self::PriorityActionPlan => "Priority action plan",
        }
    }

    fn group(self) -> &'static str {
        match self {
            Self::WrittenStatementOfAction => "Area of significant weakness",
            Self::PriorityActionPlan => "Area for priority action",
        }
    }
}

/// The action plan as `template`, for `area`, as it stands on `made_on`, with its measures' figures.
pub fn document(template: Template, area: &str, plan: &Plan, figures: &[Figure], made_on: NaiveDate) -> Doc {
    let mut b = Vec::new();
    let h = |level: u8, text: &str| Block::Heading { level, text: text.to_owned() };
    let p = |t: &str| Block::Paragraph(t.to_owned());
    b.push(Block::Paragraph(format!(
        "{area}. {} as it stands on {}: each action's status and the measures' figures are those of that day.",
        template.title(),
        report::date_words(made_on)
    )));
    b.push(h(2, "1. Introduction"));
    match template {
        Template::WrittenStatementOfAction => {
            b.push(p("The local area's inspection by Ofsted and the Care Quality Commission found areas of significant weakness. \
                This statement, written jointly by the local authority and its health partners, sets out the action the partnership \
                will take on each, who leads it, by when, and how its success will be measured. The inspectorates revisit to judge \
                whether sufficient progress has been made."));
        }
        Template::PriorityActionPlan => {
            b.push(p("The local area partnership's inspection by Ofsted and the Care Quality Commission found widespread and/or \
                systemic failings. This plan sets out the partnership's action on each area for priority action, who leads it, by \
                when and how its impact will be measured. It is reported for the monitoring inspection."));
        }
    }
    b.push(h(2, &format!("2. {}s", template.group())));
    if plan.is_empty() {
        b.push(p("No action plan has been loaded yet: import it as the action plan (the strategy guide describes the file). \
            Each area is then laid out here with its actions."));
        b.push(Block::Table { caption: format!("{} 1", template.group()), head: head(), rows: vec![vec![String::new(); 6]] });
    }
    for (n, s) in plan.strands.iter().enumerate() {
        b.push(h(3, &format!("2.{} {}", n + 1, s.name)));
        b.push(Block::Table {
            caption: format!("{} {}: actions", template.group(), n + 1),
            head: head(),
            rows: s
                .items
                .iter()
                .map(|i| {
                    let measures: Vec<String> = i
                        .def
                        .indicators
                        .iter()
                        .map(|r| {
                            report::figure(figures, r).map_or_else(
                                || r.to_string(),
                                |f| format!("{}: {} ({}), target {}, {}", f.title, f.value_text, f.period, f.target_text, f.rag_words),
                            )
                        })
                        .collect();
                    let progress = i.latest_note().map_or_else(
                        || i.status().words().to_owned(),
                        |n| format!("{}. {} ({})", i.status().words(), n.text, n.quarter.words()),
                    );
                    vec![
                        i.def.reference.clone(),
                        i.def.title.clone(),
                        i.def.owner.clone(),
                        i.def.due.to_string(),
                        if measures.is_empty() { "No measure linked yet".to_owned() } else { measures.join("; ") },
                        progress,
                    ]
                })
                .collect(),
        });
    }
    b.push(h(2, "3. Governance and monitoring"));
    let boards: Vec<String> = {
        let mut v: Vec<String> = plan.items().map(|(_, i)| i.def.monitored_by.trim().to_owned()).filter(|m| !m.is_empty()).collect();
        v.sort();
        v.dedup();
        v
    };
    if boards.is_empty() {
        b.push(p("The board or group that monitors each action is not named yet."));
    } else {
        b.push(p("Progress on the actions is monitored by:"));
        b.push(Block::Bullets(boards));
    }
    let (done, total) = (plan.items().filter(|(_, i)| i.status().is_closed()).count(), plan.items().count());
    b.push(p(&format!("{done} of {total} actions are complete or closed.")));
    Doc { title: format!("{}: {area}", template.title()), blocks: b }
}

fn head() -> Vec<String> {
    ["Ref", "Action", "Lead", "By when", "Measures of success (latest figure, target, rating)", "Progress"].map(String::from).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Change, ItemDef, PlanKind, Recorded, StrandDef};
    use crate::status::Status;
    use crate::Due;

    fn plan() -> Plan {
        let item = ItemDef {
            reference: "W1".into(),
            title: "Reduce waits for autism assessment".into(),
            due: Due::Month { year: 2026, month: 12 },
            owner: "ICB lead".into(),
            status: Status::OnTrack,
            monitored_by: "SEND Improvement Board".into(),
            indicators: vec!["dfe-ehcp/plans_issued".parse().unwrap()],
        };
        let at = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap().and_hms_opt(9, 0, 0).unwrap().and_utc();
        Plan::replay(
            PlanKind::ActionPlan,
            &[Recorded {
                seq: 1,
                at,
                actor: "cli".into(),
                change: Change::Imported {
                    strands: vec![StrandDef { name: "Waiting times for neurodevelopmental pathways".into(), items: vec![item] }],
                },
            }],
        )
        .unwrap()
    }

    #[test]
    fn the_written_statement_of_action_is_its_own_template_distinct_from_the_priority_action_plan() {
        let mut f = Figure::missing(&"dfe-ehcp/plans_issued".parse().unwrap(), "");
        f.title = "New EHC plans issued".into();
        f.value_text = "1,234".into();
        f.target_text = "1,300".into();
        f.rag_words = "Amber".into();
        let day = NaiveDate::from_ymd_opt(2026, 4, 2).unwrap();
        let wsoa = report::html(&document(Template::WrittenStatementOfAction, "Local authority 851", &plan(), &[f.clone()], day));
        let pap = report::html(&document(Template::PriorityActionPlan, "Local authority 851", &plan(), &[f], day));
        assert!(wsoa.contains("Written statement of action") && wsoa.contains("Area of significant weakness"));
        assert!(pap.contains("Priority action plan") && pap.contains("Area for priority action"));
        assert!(!wsoa.contains("Area for priority action") && !pap.contains("significant weakness"));
        for html in [&wsoa, &pap] {
            for needle in [
                "Reduce waits for autism assessment",
                "ICB lead",
                "New EHC plans issued: 1,234",
                "target 1,300",
                "SEND Improvement Board",
                "On track",
            ] {
                assert!(html.contains(needle), "{needle}");
            }
        }
        let empty = report::html(&document(Template::WrittenStatementOfAction, "x", &Plan::default(), &[], day));
        assert!(empty.contains("No action plan has been loaded yet") && empty.contains("Measures of success"), "the blank template");
        assert_eq!(Template::parse("wsoa"), Some(Template::WrittenStatementOfAction));
        assert_eq!(Template::parse("odt"), None);
    }
}
