//! The inspection evidence pack (issue 17, item 6): at notification of an area SEND inspection, one
//! workbook of what inspectors ask for first, each item naming its source:
//!
//! 1. the partnership's self-evaluation (its latest version) against the framework's evaluation
//!    statements;
//! 2. the strategy's delivery plan with progress (status, latest note), and the action plan if there is
//!    one;
//! 3. the framework's indicators (those the Ofsted/CQC area SEND pack links to each evaluation
//!    statement) with their latest values, targets, ratings and trends;
//! 4. the children and young people with an EHC plan maintained by the LA on the day it is made;
//! 5. the requests for an EHC needs assessment received in the period, with where each stands.
//!
//! The handbook (Ofsted and CQC, *Area SEND inspections: framework and handbook*, 2023, updated June
//! 2025) asks the partnership at notification for person-level lists of the children and young people
//! with SEND, the self-evaluation and the strategic plan (reference national-statistics.md §4d). Which
//! columns those lists carry is not in the reference text held here: the columns below are Waymark's
//! choice and docs/strategy.md says so.
//!
//! Pure: the rows come in already read (the adapters in [`crate::store`] read them as one audited
//! aggregate read); this lays them out as a [`Doc`] for the workbook ([`crate::report::xlsx_named`]) or
//! Word ([`crate::report::docx`]).

use crate::plan::Plan;
use crate::report::{self, Block, Doc, Figure};
use crate::self_evaluation::SelfEvaluation;
use chrono::NaiveDate;

/// The longest period the requests list may cover: the handbook's lists look back over the years since
/// the last inspection, and five years keeps a workbook of a large area to a few thousand rows.
pub const MAX_PERIOD_DAYS: i64 = 5 * 366;

/// The period whose requests are listed: first and last day, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

impl Period {
    /// A period of at most [`MAX_PERIOD_DAYS`] that starts on or before it ends and does not end after
    /// `today` (requests not yet received cannot be listed).
    pub fn new(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<Self, String> {
        if to < from {
            return Err(format!("the period ends ({to}) before it starts ({from})"));
        }
        if to > today {
            return Err(format!("the period ends ({to}) after today ({today})"));
        }
        if (to - from).num_days() > MAX_PERIOD_DAYS {
            return Err("the period is longer than five years: choose a shorter one".into());
        }
        Ok(Self { from, to })
    }
    pub fn from(&self) -> NaiveDate {
        self.from
    }
    pub fn to(&self) -> NaiveDate {
        self.to
    }
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// A child or young person with an EHC plan, as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildWithPlan {
    pub surname: String,
    pub forename: String,
    pub date_of_birth: NaiveDate,
    pub age: i32,
    pub sex: String,
    pub upn: String,
    pub primary_need: String,
    pub setting: String,
    /// "Yes", "No" or "Not known": whether the setting is outside the LA's area.
    pub out_of_area: String,
    pub plan_since: NaiveDate,
}

/// A request for an EHC needs assessment received in the period, as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub surname: String,
    pub forename: String,
    pub date_of_birth: NaiveDate,
    pub received: NaiveDate,
    pub requester: String,
    /// Where the request stands on the day the pack is made, in words with the date of its last step.
    pub stands: String,
}

/// One of the framework's indicators: the evaluation statement it evidences, its figure and where the
/// figure comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameworkFigure {
    pub statement: String,
    pub figure: Figure,
    pub source: String,
}

/// The self-evaluation as the pack shows it: the version and who saved it.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedEvaluation {
    pub version: u64,
    pub saved_by: String,
    pub evaluation: SelfEvaluation,
}

/// Everything the pack holds.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidencePack {
    pub area: String,
    pub period: Period,
    pub made_on: NaiveDate,
    pub self_evaluation: Option<SavedEvaluation>,
    pub plan: Plan,
    pub plan_changes: usize,
    pub action_plan: Option<Plan>,
    pub framework: Vec<FrameworkFigure>,
    pub children: Vec<ChildWithPlan>,
    pub requests: Vec<Request>,
}

fn plan_rows(plan: &Plan) -> Vec<Vec<String>> {
    plan.items()
        .map(|(s, i)| {
            let note = i.latest_note().map_or_else(|| "No progress note yet".to_owned(), |n| format!("{} ({})", n.text, n.quarter.words()));
            [vec![s.name.clone()], report::item_cells(i), vec![note]].concat()
        })
        .collect()
}

impl EvidencePack {
    /// The pack laid out: a contents table naming each item's source, then each item.
    pub fn document(&self) -> Doc {
        let mut b = Vec::new();
        let h = |level: u8, text: &str| Block::Heading { level, text: text.to_owned() };
        let made = report::date_words(self.made_on);
        let (from, to) = (report::date_words(self.period.from), report::date_words(self.period.to));
        b.push(Block::Paragraph(format!(
            "{}. Made on {made} for the area SEND inspection: every figure and list is as it stood that day. \
             Requests are those received from {from} to {to}. The lists name children and young people: \
             keep this file as securely as their case records.",
            self.area
        )));
        let se_source = self.self_evaluation.as_ref().map_or_else(
            || "Not written yet in Waymark".to_owned(),
            |s| {
                format!(
                    "Waymark self-evaluation, version {}, dated {}, saved by {}",
                    s.version,
                    report::date_words(s.evaluation.dated),
                    s.saved_by
                )
            },
        );
        let plan_source = format!("Waymark delivery plan as it stood on {made}, replayed from its {} recorded changes", self.plan_changes);
        let mut contents = vec![
            vec!["1. Self-evaluation".to_owned(), "The partnership's own judgement on each evaluation statement".to_owned(), se_source],
            vec![
                "2. Strategy and action plan".to_owned(),
                "Each deliverable and action with its status and latest progress note".to_owned(),
                plan_source,
            ],
            vec![
                "3. Framework indicators".to_owned(),
                "The indicators linked to each evaluation statement, with targets, ratings and trends".to_owned(),
                format!("Computed by Waymark on {made} from its casework records and the values entered for the frameworks"),
            ],
            vec![
                "4. Children and young people with an EHC plan".to_owned(),
                format!("Every plan maintained by the LA on {made} ({})", self.children.len()),
                format!("Waymark casework records on {made} (plans in force)"),
            ],
            vec![
                "5. Requests for an EHC needs assessment".to_owned(),
                format!("Requests received from {from} to {to} ({}), with where each stands", self.requests.len()),
                format!("Waymark casework records on {made} (the day each request was received)"),
            ],
        ];
        if self.action_plan.as_ref().is_some_and(|a| !a.is_empty()) {
            contents[1][1].push_str(" (the action plan after the inspection follows the delivery plan)");
        }
        b.push(Block::Table {
            caption: "Contents".into(),
            head: vec!["Item".into(), "What it holds".into(), "Source".into()],
            rows: contents,
        });

        b.push(h(2, "1. Self-evaluation"));
        match &self.self_evaluation {
            None => b.push(Block::Paragraph("The partnership has not written a self-evaluation in Waymark yet.".into())),
            Some(s) => {
                let se = &s.evaluation;
                b.push(Block::Paragraph(format!(
                    "Version {}, dated {}. The partnership's overall judgement: {}.",
                    s.version,
                    report::date_words(se.dated),
                    se.judgement.map_or("not given", |j| j.words())
                )));
                if !se.summary.trim().is_empty() {
                    b.push(Block::Paragraph(se.summary.trim().to_owned()));
                }
                b.push(Block::Table {
                    caption: "Self-evaluation".into(),
                    head: ["Evaluation statement", "Judgement", "Strengths", "Areas for development", "Evidence", "Next steps"]
                        .map(String::from)
                        .to_vec(),
                    rows: se
                        .areas
                        .iter()
                        .map(|e| {
                            vec![
                                e.area.title().to_owned(),
                                e.judgement.map_or("Not given".into(), |j| j.words().to_owned()),
                                e.strengths.trim().to_owned(),
                                e.development.trim().to_owned(),
                                e.evidence.trim().to_owned(),
                                e.next_steps.trim().to_owned(),
                            ]
                        })
                        .collect(),
                });
            }
        }

        b.push(h(2, "2. Strategy and action plan"));
        let head = ["Strand", "Ref", "Deliverable", "By when", "By whom", "Status", "Latest progress"].map(String::from).to_vec();
        if self.plan.is_empty() {
            b.push(Block::Paragraph("No delivery plan has been imported yet.".into()));
        } else {
            b.push(Block::Table { caption: "Delivery plan".into(), head: head.clone(), rows: plan_rows(&self.plan) });
        }
        if let Some(ap) = self.action_plan.as_ref().filter(|a| !a.is_empty()) {
            let mut head = head;
            head[0] = "Area for improvement".into();
            head[2] = "Action".into();
            b.push(Block::Table { caption: "Action plan".into(), head, rows: plan_rows(ap) });
        }

        b.push(h(2, "3. Framework indicators"));
        b.push(Block::Paragraph(format!(
            "Each indicator's latest period with a value on {made}, its target and rating, and up to five periods of trend. \
             Small numbers are hidden as on the dashboards."
        )));
        b.push(Block::Table {
            caption: "Framework indicators".into(),
            head: ["Evaluation statement", "Indicator", "Period", "Value", "Target", "Rating", "Trend", "Source"]
                .map(String::from)
                .to_vec(),
            rows: self
                .framework
                .iter()
                .map(|f| {
                    vec![
                        f.statement.clone(),
                        f.figure.title.clone(),
                        f.figure.period.clone(),
                        f.figure.value_text.clone(),
                        f.figure.target_text.clone(),
                        f.figure.rag_words.clone(),
                        f.figure.trend.iter().map(|(p, v)| format!("{p}: {v}")).collect::<Vec<_>>().join("; "),
                        f.source.clone(),
                    ]
                })
                .collect(),
        });

        b.push(h(2, "4. Children and young people with an EHC plan"));
        b.push(Block::Table {
            caption: "Children with EHC plans".into(),
            head: [
                "Surname",
                "Forename",
                "Date of birth",
                "Age",
                "Sex",
                "UPN",
                "Primary need",
                "Setting",
                "Setting outside the area",
                "Plan in force since",
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .children
                .iter()
                .map(|c| {
                    vec![
                        c.surname.clone(),
                        c.forename.clone(),
                        c.date_of_birth.to_string(),
                        c.age.to_string(),
                        c.sex.clone(),
                        c.upn.clone(),
                        c.primary_need.clone(),
                        c.setting.clone(),
                        c.out_of_area.clone(),
                        c.plan_since.to_string(),
                    ]
                })
                .collect(),
        });

        b.push(h(2, "5. Requests for an EHC needs assessment"));
        b.push(Block::Table {
            caption: "Requests in the period".into(),
            head: ["Surname", "Forename", "Date of birth", "Received", "Requested by", "Where it stands"].map(String::from).to_vec(),
            rows: self
                .requests
                .iter()
                .map(|r| {
                    vec![
                        r.surname.clone(),
                        r.forename.clone(),
                        r.date_of_birth.to_string(),
                        r.received.to_string(),
                        r.requester.clone(),
                        r.stands.clone(),
                    ]
                })
                .collect(),
        });
        Doc { title: format!("Area SEND inspection: evidence, {}", self.area), blocks: b }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Change, ItemDef, PlanKind, Recorded, StrandDef};
    use crate::status::Status;
    use crate::Due;
    use std::io::Read;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn pack() -> EvidencePack {
        let def = ItemDef {
            reference: "B6".into(),
            title: "Improve EHCP timeliness".into(),
            due: Due::Month { year: 2026, month: 9 },
            owner: "KS".into(),
            status: Status::OnTrack,
            monitored_by: String::new(),
            indicators: vec![],
        };
        let at = day(2026, 2, 1).and_hms_opt(9, 0, 0).unwrap().and_utc();
        let plan = Plan::replay(
            PlanKind::Strategy,
            &[
                Recorded {
                    seq: 1,
                    at,
                    actor: "cli".into(),
                    change: Change::Imported { strands: vec![StrandDef { name: "Strand B".into(), items: vec![def] }] },
                },
                Recorded {
                    seq: 2,
                    at,
                    actor: "user:1".into(),
                    change: Change::Progress {
                        reference: "B6".into(),
                        status: Status::AtRisk,
                        quarter: "2026Q1".parse().unwrap(),
                        note: Some("Two EPs vacant".into()),
                    },
                },
            ],
        )
        .unwrap();
        let mut fig = Figure::missing(&"dfe-ehcp/plans_issued".parse().unwrap(), "");
        fig.title = "New EHC plans issued".into();
        fig.value_text = "1,234".into();
        fig.trend = vec![("2024".into(), "1,100".into()), ("2025".into(), "1,234".into())];
        EvidencePack {
            area: "Local authority 851".into(),
            period: Period::new(day(2025, 4, 1), day(2026, 3, 31), day(2026, 4, 2)).unwrap(),
            made_on: day(2026, 4, 2),
            self_evaluation: None,
            plan,
            plan_changes: 2,
            action_plan: None,
            framework: vec![FrameworkFigure {
                statement: "Needs are identified and assessed".into(),
                figure: fig,
                source: "DfE SEN2".into(),
            }],
            children: vec![ChildWithPlan {
                surname: "Able".into(),
                forename: "Ada".into(),
                date_of_birth: day(2015, 5, 1),
                age: 10,
                sex: "Female".into(),
                upn: "A123".into(),
                primary_need: "Autistic spectrum disorder".into(),
                setting: "URN 100000".into(),
                out_of_area: "No".into(),
                plan_since: day(2024, 1, 9),
            }],
            requests: vec![Request {
                surname: "Baker".into(),
                forename: "Ben".into(),
                date_of_birth: day(2018, 2, 2),
                received: day(2025, 6, 1),
                requester: "Parent".into(),
                stands: "Being assessed (decided 10 July 2025)".into(),
            }],
        }
    }

    #[test]
    fn a_period_runs_forwards_ends_by_today_and_is_at_most_five_years() {
        let today = day(2026, 4, 2);
        assert!(Period::new(day(2026, 3, 1), day(2026, 2, 1), today).unwrap_err().contains("before it starts"));
        assert!(Period::new(day(2026, 3, 1), day(2026, 5, 1), today).unwrap_err().contains("after today"));
        assert!(Period::new(day(2019, 1, 1), day(2026, 1, 1), today).unwrap_err().contains("five years"));
        let p = Period::new(day(2025, 4, 1), day(2026, 3, 31), today).unwrap();
        assert!(p.contains(day(2025, 4, 1)) && p.contains(day(2026, 3, 31)) && !p.contains(day(2026, 4, 1)));
    }

    #[test]
    fn the_workbook_reads_back_with_each_item_its_source_and_the_lists() {
        let bytes = crate::report::xlsx_named(&pack().document(), "Evidence pack").unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut shared = String::new();
        zip.by_name("xl/sharedStrings.xml").unwrap().read_to_string(&mut shared).unwrap();
        for needle in [
            "Made on 2 April 2026",
            "1 April 2025 to 31 March 2026",
            "Not written yet in Waymark",
            "replayed from its 2 recorded changes",
            "Two EPs vacant (January to March 2026)",
            "At risk",
            "2024: 1,100; 2025: 1,234",
            "DfE SEN2",
            "Able",
            "Autistic spectrum disorder",
            "Being assessed (decided 10 July 2025)",
        ] {
            assert!(shared.contains(needle), "{needle}");
        }
        let mut book = String::new();
        zip.by_name("xl/workbook.xml").unwrap().read_to_string(&mut book).unwrap();
        for sheet in
            ["Evidence pack", "Contents", "Delivery plan", "Framework indicators", "Children with EHC plans", "Requests in the period"]
        {
            assert!(book.contains(&format!("name=\"{sheet}\"")), "{sheet}: {book}");
        }
    }

    #[test]
    fn the_word_version_reads_back_with_its_headings() {
        let docx = waymark_documents::readback::docx(&crate::report::docx(&pack().document()).unwrap()).unwrap();
        let text = docx.body_text();
        for needle in ["1. Self-evaluation", "5. Requests for an EHC needs assessment", "Baker", "Two EPs vacant"] {
            assert!(text.contains(needle), "{needle}");
        }
    }
}
