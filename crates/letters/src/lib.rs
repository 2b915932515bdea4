//! Waymark's statutory letters (issue 13): the letters an EHC process sends a family, each fulfilling a
//! duty in the Children and Families Act 2014 or the SEND Regulations 2014, written from templates an
//! LA administrator edits.
//!
//! * [`LetterKind`]: the eight letters, their codes (for URLs and the database), their plain names,
//!   the placeholders each may use, the case event whose date is the decision a letter reports
//!   ([`LetterKind::decision_date`]), and the template Waymark ships ([`LetterKind::default_template`]).
//! * [`Template::parse`]: a template is plain text, one paragraph a line, with `# ` and `## ` headings,
//!   `- ` bullets, `! ` notices (a boxed paragraph), `**bold**`, and `{{placeholders}}`. A template is
//!   refused with every problem named by line: an unknown placeholder, one this letter cannot fill (a
//!   comment deadline in a letter that has none), an unclosed `{{` or `**`.
//! * [`Template::fill`]: the letter for one case as a [`waymark_documents::Document`], which the
//!   documents crate renders to DOCX and PDF.
//!
//! Pure: no I/O, no clock (the letter's date is given), no framework. The deadlines a letter states
//! come from the one home of each rule: the comment window from `waymark_documents::plan`, months from
//! `waymark_domain::calendar`.

use std::fmt;

use waymark_documents::plan::{comment_deadline, long_date};
use waymark_documents::{Block, Document, Level, Paragraph, Run};
use waymark_domain::calendar::{add_months, Date};
use waymark_domain::case::{CaseEvent, CaseEventKind, ReviewOutcome};

/// The longest template accepted, in characters: a letter is a page or two.
pub const MAX_TEMPLATE_CHARS: usize = 20_000;

/// A statutory letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LetterKind {
    /// The decision to carry out an EHC needs assessment (CFA 2014 s36(8); SEND Regs 2014 reg 5(1)).
    DecisionToAssess,
    /// The decision not to assess, with the right to appeal and mediation (reg 5(1), 5(3); CFA s51(2)(a)).
    DecisionNotToAssess,
    /// The draft plan's notice: at least 15 days to comment and to ask for a school or college
    /// (CFA s38; reg 13(1)).
    DraftPlanNotice,
    /// The final plan, with the right to appeal its sections B, F and I (CFA s39, s40, s51(2)(c); regs 13(2), 14).
    FinalPlan,
    /// The decision not to issue a plan after assessment (reg 10(1), 10(3); CFA s51(2)(b)).
    DecisionNotToIssue,
    /// An annual review decision to keep the plan unchanged (CFA s44; reg 20(10); CFA s51(2)(e)).
    ReviewNoChange,
    /// An annual review decision to amend: the proposed amendments and 15 days to comment (reg 22(2)).
    ReviewAmendments,
    /// The decision to cease to maintain the plan (CFA s45, s51(2)(f); regs 29-31).
    Ceasing,
}

impl LetterKind {
    pub const ALL: [LetterKind; 8] = [
        Self::DecisionToAssess,
        Self::DecisionNotToAssess,
        Self::DraftPlanNotice,
        Self::FinalPlan,
        Self::DecisionNotToIssue,
        Self::ReviewNoChange,
        Self::ReviewAmendments,
        Self::Ceasing,
    ];

    /// The code in URLs, the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::DecisionToAssess => "decision_to_assess",
            Self::DecisionNotToAssess => "decision_not_to_assess",
            Self::DraftPlanNotice => "draft_plan_notice",
            Self::FinalPlan => "final_plan",
            Self::DecisionNotToIssue => "decision_not_to_issue",
            Self::ReviewNoChange => "review_no_change",
            Self::ReviewAmendments => "review_amendments",
            Self::Ceasing => "ceasing",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The letter's name as people say it.
    pub fn label(self) -> &'static str {
        match self {
            Self::DecisionToAssess => "Decision to assess",
            Self::DecisionNotToAssess => "Decision not to assess",
            Self::DraftPlanNotice => "Draft plan notice",
            Self::FinalPlan => "Final plan letter",
            Self::DecisionNotToIssue => "Decision not to issue a plan",
            Self::ReviewNoChange => "Annual review: plan kept as it is",
            Self::ReviewAmendments => "Annual review: proposed changes",
            Self::Ceasing => "Decision to stop maintaining the plan",
        }
    }

    /// The law the letter fulfils, in words, for the administrator's pages.
    pub fn fulfils(self) -> &'static str {
        match self {
            Self::DecisionToAssess => "Children and Families Act 2014 section 36(8); SEND Regulations 2014 regulation 5(1)",
            Self::DecisionNotToAssess => "SEND Regulations 2014 regulation 5(1) and 5(3); Children and Families Act 2014 section 51(2)(a)",
            Self::DraftPlanNotice => "Children and Families Act 2014 section 38; SEND Regulations 2014 regulation 13(1)",
            Self::FinalPlan => {
                "Children and Families Act 2014 sections 39, 40 and 51(2)(c); SEND Regulations 2014 regulations 13(2) and 14"
            }
            Self::DecisionNotToIssue => "SEND Regulations 2014 regulation 10; Children and Families Act 2014 section 51(2)(b)",
            Self::ReviewNoChange => "Children and Families Act 2014 sections 44 and 51(2)(e); SEND Regulations 2014 regulation 20(10)",
            Self::ReviewAmendments => "Children and Families Act 2014 section 44; SEND Regulations 2014 regulation 22(2)",
            Self::Ceasing => "Children and Families Act 2014 sections 45 and 51(2)(f); SEND Regulations 2014 regulations 29 to 31",
        }
    }

    /// The template Waymark ships for this letter, used until an administrator saves their own.
    pub fn default_template(self) -> &'static str {
        match self {
            Self::DecisionToAssess => include_str!("../templates/decision_to_assess.txt"),
            Self::DecisionNotToAssess => include_str!("../templates/decision_not_to_assess.txt"),
            Self::DraftPlanNotice => include_str!("../templates/draft_plan_notice.txt"),
            Self::FinalPlan => include_str!("../templates/final_plan.txt"),
            Self::DecisionNotToIssue => include_str!("../templates/decision_not_to_issue.txt"),
            Self::ReviewNoChange => include_str!("../templates/review_no_change.txt"),
            Self::ReviewAmendments => include_str!("../templates/review_amendments.txt"),
            Self::Ceasing => include_str!("../templates/ceasing.txt"),
        }
    }

    /// Whether the letter gives the family a window to comment (a draft plan, proposed amendments).
    fn has_comment_window(self) -> bool {
        matches!(self, Self::DraftPlanNotice | Self::ReviewAmendments)
    }

    /// Whether the letter reports a decision the family can take to mediation and the tribunal
    /// (CFA 2014 s51(2)).
    fn appealable(self) -> bool {
        matches!(self, Self::DecisionNotToAssess | Self::FinalPlan | Self::DecisionNotToIssue | Self::ReviewNoChange | Self::Ceasing)
    }

    /// The placeholders this letter can fill.
    pub fn placeholders(self) -> Vec<Placeholder> {
        Placeholder::ALL
            .into_iter()
            .filter(|p| match p {
                Placeholder::CommentDeadline => self.has_comment_window(),
                Placeholder::AppealDeadline => self.appealable(),
                _ => true,
            })
            .collect()
    }

    /// The date of the decision or notice this letter reports: the latest case event of its kind, or
    /// `None` while the case has none (no letter to write yet).
    pub fn decision_date(self, events: &[CaseEvent]) -> Option<Date> {
        events.iter().rev().find(|e| self.reports(&e.kind)).map(|e| e.date)
    }

    fn reports(self, event: &CaseEventKind) -> bool {
        use CaseEventKind as E;
        match self {
            Self::DecisionToAssess => matches!(event, E::DecidedToAssess),
            Self::DecisionNotToAssess => matches!(event, E::DecidedNotToAssess),
            Self::DraftPlanNotice => matches!(event, E::DraftIssued { .. }),
            Self::FinalPlan => matches!(event, E::FinalIssued { .. } | E::AmendedFinalIssued { .. }),
            Self::DecisionNotToIssue => matches!(event, E::DecidedNotToIssue),
            Self::ReviewNoChange => matches!(event, E::ReviewDecision { outcome: ReviewOutcome::Maintain }),
            Self::ReviewAmendments => matches!(event, E::AmendmentsProposed { .. }),
            Self::Ceasing => matches!(event, E::ReviewDecision { outcome: ReviewOutcome::Cease } | E::Ceased { .. }),
        }
    }
}

/// A value a template can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placeholder {
    ChildName,
    ChildInitials,
    DateOfBirth,
    CaseReference,
    Authority,
    DecisionDate,
    LetterDate,
    CommentDeadline,
    AppealDeadline,
}

impl Placeholder {
    pub const ALL: [Placeholder; 9] = [
        Self::ChildName,
        Self::ChildInitials,
        Self::DateOfBirth,
        Self::CaseReference,
        Self::Authority,
        Self::DecisionDate,
        Self::LetterDate,
        Self::CommentDeadline,
        Self::AppealDeadline,
    ];

    /// The name written between `{{` and `}}`.
    pub fn name(self) -> &'static str {
        match self {
            Self::ChildName => "child_name",
            Self::ChildInitials => "child_initials",
            Self::DateOfBirth => "date_of_birth",
            Self::CaseReference => "case_reference",
            Self::Authority => "authority",
            Self::DecisionDate => "decision_date",
            Self::LetterDate => "letter_date",
            Self::CommentDeadline => "comment_deadline",
            Self::AppealDeadline => "appeal_deadline",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// What it is filled with, for the administrator's list of placeholders.
    pub fn describe(self) -> &'static str {
        match self {
            Self::ChildName => "the child's or young person's full name",
            Self::ChildInitials => "their initials",
            Self::DateOfBirth => "their date of birth",
            Self::CaseReference => "the case reference people quote",
            Self::Authority => "the local authority's name",
            Self::DecisionDate => "the date of the decision or notice the letter reports",
            Self::LetterDate => "the day the letter is produced",
            Self::CommentDeadline => "the last of the family's 15 days to comment (regulations 13(1) and 22(2)(c))",
            Self::AppealDeadline => {
                "2 months after the decision: the last day to contact a mediation adviser and, without mediation, to appeal"
            }
        }
    }
}

/// What is wrong with a template, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The line, counting from 1; 0 for the template as a whole.
    pub line: usize,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `{{name}}` names no placeholder Waymark knows.
    Unknown(String),
    /// A placeholder this letter cannot fill.
    NotInThisLetter(Placeholder),
    /// `{{` with no `}}` on the same line.
    Unclosed,
    /// `**` that starts bold text and is not closed on the same line.
    UnclosedBold,
    Empty,
    TooLong,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "Line {}: ", self.line)?;
        }
        match &self.problem {
            Problem::Unknown(name) => {
                write!(f, "{{{{{name}}}}} is not a placeholder Waymark knows: use one of those listed")
            }
            Problem::NotInThisLetter(p) => write!(f, "{{{{{}}}}} cannot be used in this letter: it has no {}", p.name(), p.describe()),
            Problem::Unclosed => f.write_str("a placeholder starts with {{ but is not closed with }} on the same line"),
            Problem::UnclosedBold => f.write_str("bold text starts with ** but is not closed with ** on the same line"),
            Problem::Empty => f.write_str("Enter the letter's text"),
            Problem::TooLong => write!(f, "The letter must be {MAX_TEMPLATE_CHARS} characters or fewer"),
        }
    }
}

/// A piece of a line: text, bold or not, or a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text { text: String, bold: bool },
    Value { placeholder: Placeholder, bold: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Heading(Level),
    Paragraph,
    Bullet,
    Notice,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    kind: LineKind,
    pieces: Vec<Piece>,
}

/// A template that parsed: every placeholder known and fillable in its letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    kind: LetterKind,
    lines: Vec<Line>,
}

/// What a letter is filled with, read from the case by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterFacts {
    pub child_forename: String,
    pub child_surname: String,
    pub date_of_birth: Date,
    /// The case reference people quote (`EHC-1A2B3C4D`).
    pub reference: String,
    pub authority: String,
    /// The date of the decision or notice the letter reports ([`LetterKind::decision_date`]).
    pub decision_date: Date,
    /// The day the letter is produced.
    pub letter_date: Date,
}

impl LetterFacts {
    /// The value of a placeholder. The comment deadline is the 15th day beginning with the day the
    /// draft or the proposals were sent (reg 13(1), reg 22(2)(c)); the appeal deadline is 2 months
    /// after the decision (HESC Rules 2008 r.20(1)(c); mediation, reg 33). [U] Both take the day
    /// recorded for the decision as the day the notice was sent; a posted notice may be served later.
    pub fn value(&self, placeholder: Placeholder) -> String {
        match placeholder {
            Placeholder::ChildName => format!("{} {}", self.child_forename.trim(), self.child_surname.trim()),
            Placeholder::ChildInitials => initials(&self.child_forename, &self.child_surname),
            Placeholder::DateOfBirth => long_date(self.date_of_birth),
            Placeholder::CaseReference => self.reference.clone(),
            Placeholder::Authority => self.authority.clone(),
            Placeholder::DecisionDate => long_date(self.decision_date),
            Placeholder::LetterDate => long_date(self.letter_date),
            Placeholder::CommentDeadline => long_date(comment_deadline(self.decision_date)),
            Placeholder::AppealDeadline => long_date(add_months(self.decision_date, 2)),
        }
    }
}

/// Initials of each part of the names, without dots: "Amberly Quayle" is "AQ".
fn initials(forename: &str, surname: &str) -> String {
    forename.split_whitespace().chain(surname.split_whitespace()).filter_map(|w| w.chars().next()).flat_map(char::to_uppercase).collect()
}

/// Splits a line's text on `**` into (text, bold) stretches; an odd count is an unclosed bold.
fn bold_stretches(text: &str) -> Option<Vec<(&str, bool)>> {
    let parts: Vec<&str> = text.split("**").collect();
    if parts.len().is_multiple_of(2) {
        return None;
    }
    Some(parts.into_iter().enumerate().filter(|(_, t)| !t.is_empty()).map(|(i, t)| (t, i % 2 == 1)).collect())
}

impl Template {
    /// Parses a template for a letter, or names every problem by line.
    pub fn parse(kind: LetterKind, text: &str) -> Result<Template, Vec<TemplateError>> {
        if text.trim().is_empty() {
            return Err(vec![TemplateError { line: 0, problem: Problem::Empty }]);
        }
        if text.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(vec![TemplateError { line: 0, problem: Problem::TooLong }]);
        }
        let allowed = kind.placeholders();
        let mut errors = Vec::new();
        let mut lines = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let number = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            let (line_kind, body) = if let Some(rest) = trimmed.strip_prefix("## ") {
                (LineKind::Heading(Level::Two), rest)
            } else if let Some(rest) = trimmed.strip_prefix("# ") {
                (LineKind::Heading(Level::One), rest)
            } else if let Some(rest) = trimmed.strip_prefix("- ") {
                (LineKind::Bullet, rest)
            } else if let Some(rest) = trimmed.strip_prefix("! ") {
                (LineKind::Notice, rest)
            } else {
                (LineKind::Paragraph, trimmed)
            };
            let Some(stretches) = bold_stretches(body) else {
                errors.push(TemplateError { line: number, problem: Problem::UnclosedBold });
                continue;
            };
            let mut pieces = Vec::new();
            for (stretch, bold) in stretches {
                let mut rest = stretch;
                while let Some(open) = rest.find("{{") {
                    if open > 0 {
                        pieces.push(Piece::Text { text: rest[..open].to_owned(), bold });
                    }
                    let after = &rest[open + 2..];
                    let Some(close) = after.find("}}") else {
                        errors.push(TemplateError { line: number, problem: Problem::Unclosed });
                        rest = "";
                        break;
                    };
                    let name = after[..close].trim();
                    match Placeholder::parse(name) {
                        Some(p) if allowed.contains(&p) => pieces.push(Piece::Value { placeholder: p, bold }),
                        Some(p) => errors.push(TemplateError { line: number, problem: Problem::NotInThisLetter(p) }),
                        None => errors.push(TemplateError { line: number, problem: Problem::Unknown(name.to_owned()) }),
                    }
                    rest = &after[close + 2..];
                }
                if !rest.is_empty() {
                    pieces.push(Piece::Text { text: rest.to_owned(), bold });
                }
            }
            lines.push(Line { kind: line_kind, pieces });
        }
        if errors.is_empty() {
            Ok(Template { kind, lines })
        } else {
            Err(errors)
        }
    }

    pub fn kind(&self) -> LetterKind {
        self.kind
    }

    /// The letter for one case: the template's lines in order, placeholders filled, consecutive
    /// bullets one list; the authority in every page's header, the case reference in the footer.
    pub fn fill(&self, facts: &LetterFacts) -> Document {
        let mut doc =
            Document::new(self.kind.label()).with_header(&facts.authority).with_footer(format!("Case reference {}", facts.reference));
        let mut list: Vec<Paragraph> = Vec::new();
        for line in &self.lines {
            // Adjacent pieces of the same weight become one run, as a person would have typed them.
            let mut runs: Vec<(String, bool)> = Vec::new();
            for piece in &line.pieces {
                let (text, bold) = match piece {
                    Piece::Text { text, bold } => (text.clone(), *bold),
                    Piece::Value { placeholder, bold } => (facts.value(*placeholder), *bold),
                };
                match runs.last_mut() {
                    Some((last, last_bold)) if *last_bold == bold => last.push_str(&text),
                    _ => runs.push((text, bold)),
                }
            }
            let paragraph =
                Paragraph { runs: runs.into_iter().map(|(text, bold)| if bold { Run::bold(text) } else { Run::plain(text) }).collect() };
            if line.kind == LineKind::Bullet {
                list.push(paragraph);
                continue;
            }
            if !list.is_empty() {
                doc = doc.block(Block::List(std::mem::take(&mut list)));
            }
            doc = match line.kind {
                LineKind::Heading(level) => doc.heading(level, paragraph.text()),
                LineKind::Notice => doc.notice(paragraph),
                _ => doc.paragraph(paragraph),
            };
        }
        if !list.is_empty() {
            doc = doc.block(Block::List(list));
        }
        doc
    }
}

#[cfg(test)]
mod tests;
