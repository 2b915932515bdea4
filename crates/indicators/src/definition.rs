//! Indicator definitions as data: one TOML file per framework ("pack"), read and checked here. A bad
//! file is refused with its name, line and the reason.

use crate::expr::{parse_expr, parse_pred, Expr, Pred, SenSel};
use crate::period::PeriodKind;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;
use toml::Spanned;

/// A definition file that cannot be used: which file, which line, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct DefinitionError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// How a value is expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    Percent,
    RatePer1000,
    /// The numerator's total over the denominator's count, to one decimal place (e.g. an average
    /// Attainment 8 score: `ks4.attainment8 / ks4`; quantities held in hundredths are shown as points).
    Average,
}

/// Which direction is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    HigherIsBetter,
    LowerIsBetter,
    Neutral,
}

/// Where a value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// Counted from person-level records with `numerator` (and `denominator`).
    Records,
    /// Entered by hand (no record holds it): values come from `--manual FILE.csv` or the store.
    Manual,
    /// Needs person-level facts (attendance, exclusions, attainment, social care...) imported with
    /// `waymark import`; reported as awaiting data until the facts are loaded.
    Facts,
    /// An evaluation statement rolled up from the indicators that evidence it: the % rated green.
    Evidence,
}

/// A RAG rule's band: green when the comparator is met (by polarity), amber when within `amber_within`
/// (percent of the comparator, or percentage points with `points = true`), red otherwise. What is
/// compared with is one rule for every measure (`engine::rate`): the local target, else England.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RagRule {
    #[serde(default = "default_amber")]
    pub amber_within: f64,
    #[serde(default)]
    pub points: bool,
    /// Accepted for definitions written before ratings followed one rule; it no longer changes what a
    /// value is compared with (the local target where set, else England's figure).
    #[serde(default)]
    pub against: RagAgainst,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RagAgainst {
    #[default]
    Target,
    England,
}

fn default_amber() -> f64 {
    5.0
}

impl Default for RagRule {
    fn default() -> Self {
        Self { amber_within: default_amber(), points: false, against: RagAgainst::Target }
    }
}

/// A cohort: a named group of people, or a gap between a group and those with no SEN.
#[derive(Debug, Clone, PartialEq)]
pub enum Cohort {
    /// Everyone, or those passing every predicate (`all`, `ehc_plan`, `sen(ehc_plan) & phase(primary)`).
    Group { label: String, preds: Vec<Pred> },
    /// `gap_ehc_plan`, `gap_sen_support`, `gap_any_sen`: the group's value less the no-SEN value.
    Gap { label: String, group: SenSel },
    /// `gap_ehc_plan_to_all`, `gap_sen_support_to_all`, `gap_any_sen_to_all`: the group's value less the
    /// whole cohort's (every SEN status together).
    GapToAll { label: String, group: SenSel },
}

impl Cohort {
    pub fn label(&self) -> &str {
        match self {
            Self::Group { label, .. } | Self::Gap { label, .. } | Self::GapToAll { label, .. } => label,
        }
    }
}

/// Breakdown dimensions: each gives one row per value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Need,
    BroadNeed,
    Phase,
    Setting,
    Locality,
    Sex,
    Fsm,
}

impl Dimension {
    pub fn key(self) -> &'static str {
        match self {
            Self::Need => "need",
            Self::BroadNeed => "broad_need",
            Self::Phase => "phase",
            Self::Setting => "setting",
            Self::Locality => "locality",
            Self::Sex => "sex",
            Self::Fsm => "fsm",
        }
    }
}

/// A framework's group: an outcome, strand or area, each becoming a sheet and a section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
}

/// One indicator, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub id: String,
    pub number: String,
    pub title: String,
    pub definition: String,
    pub group: String,
    pub strand: String,
    pub question: String,
    pub unit: Unit,
    pub period: PeriodKind,
    pub polarity: Polarity,
    pub measure: MeasureKind,
    pub numerator: Option<Expr>,
    pub denominator: Option<Expr>,
    pub facts: String,
    pub evidence: Vec<String>,
    pub cohorts: Vec<Cohort>,
    pub breakdowns: Vec<Dimension>,
    pub source: String,
    pub rag: RagRule,
    pub targets: BTreeMap<String, f64>,
    pub england: BTreeMap<String, f64>,
    pub neighbours: BTreeMap<String, f64>,
    pub notes: String,
    /// A manual indicator's survey source: where a survey asks this question, the value is computed
    /// from its answers instead of entered by hand (issue 16).
    pub survey: Option<SurveySource>,
    /// Where it was defined (file and line), for messages.
    pub defined_at: String,
}

/// Where a manual indicator's value comes from surveys: the id of the survey question (as staff name
/// it when building the survey) and the answers counted as positive (a scale's points `"4"`, `"5"`,
/// or a choice's options as written). The value is the percentage of those answering the question
/// who gave a positive answer, per period; its denominator is the number of answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveySource {
    pub question: String,
    pub positive: Vec<String>,
}

/// A framework: its groups and indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct Framework {
    pub id: String,
    pub title: String,
    pub description: String,
    pub source: String,
    pub groups: Vec<Group>,
    pub indicators: Vec<Indicator>,
    pub file: String,
}

impl Indicator {
    /// The kinds of person-level fact the indicator's numerator and denominator read (a facts measure is
    /// computed for an area whose people have every one of them, and awaits data otherwise).
    pub fn fact_kinds(&self) -> Vec<crate::facts::FactKind> {
        let mut out = Vec::new();
        for e in self.numerator.iter().chain(self.denominator.iter()) {
            for k in e.fact_kinds() {
                if !out.contains(&k) {
                    out.push(k);
                }
            }
        }
        out
    }
}

impl Framework {
    pub fn group_title<'a>(&'a self, id: &'a str) -> &'a str {
        self.groups.iter().find(|g| g.id == id).map_or(id, |g| g.title.as_str())
    }
}

// ---- the file as written ------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDef {
    framework: FrameworkDef,
    #[serde(default)]
    indicator: Vec<Spanned<IndicatorDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkDef {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    groups: Vec<Group>,
    /// Add to (or replace indicators of) a framework defined elsewhere: the folder's file extends the
    /// built-in pack of the same id.
    #[serde(default)]
    extends: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorDef {
    id: Spanned<String>,
    #[serde(default)]
    number: String,
    title: String,
    definition: String,
    group: Spanned<String>,
    #[serde(default)]
    strand: String,
    #[serde(default)]
    question: String,
    unit: Unit,
    period: PeriodKind,
    polarity: Polarity,
    #[serde(default = "default_measure")]
    measure: MeasureKind,
    numerator: Option<Spanned<String>>,
    denominator: Option<Spanned<String>>,
    #[serde(default)]
    facts: String,
    #[serde(default)]
    evidence: Vec<String>,
    #[serde(default = "default_cohorts")]
    cohorts: Spanned<Vec<String>>,
    #[serde(default)]
    breakdowns: Vec<Dimension>,
    source: String,
    #[serde(default)]
    rag: RagRule,
    #[serde(default)]
    targets: BTreeMap<String, f64>,
    #[serde(default)]
    england: BTreeMap<String, f64>,
    #[serde(default)]
    neighbours: BTreeMap<String, f64>,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    survey: Option<SurveySource>,
}

fn default_measure() -> MeasureKind {
    MeasureKind::Records
}

fn default_cohorts() -> Spanned<Vec<String>> {
    Spanned::new(0..0, vec!["all".to_owned()])
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1
}

/// Parse a cohort name or predicate conjunction.
pub fn parse_cohort(text: &str) -> Result<Cohort, String> {
    let t = text.trim();
    let sen = |s: SenSel| vec![Pred::Sen(s)];
    Ok(match t {
        "all" => Cohort::Group { label: t.into(), preds: Vec::new() },
        "ehc_plan" => Cohort::Group { label: t.into(), preds: sen(SenSel::EhcPlan) },
        "sen_support" => Cohort::Group { label: t.into(), preds: sen(SenSel::SenSupport) },
        "any_sen" => Cohort::Group { label: t.into(), preds: sen(SenSel::AnySen) },
        "no_sen" => Cohort::Group { label: t.into(), preds: sen(SenSel::NoSen) },
        "gap_ehc_plan" => Cohort::Gap { label: t.into(), group: SenSel::EhcPlan },
        "gap_sen_support" => Cohort::Gap { label: t.into(), group: SenSel::SenSupport },
        "gap_any_sen" => Cohort::Gap { label: t.into(), group: SenSel::AnySen },
        "gap_ehc_plan_to_all" => Cohort::GapToAll { label: t.into(), group: SenSel::EhcPlan },
        "gap_sen_support_to_all" => Cohort::GapToAll { label: t.into(), group: SenSel::SenSupport },
        "gap_any_sen_to_all" => Cohort::GapToAll { label: t.into(), group: SenSel::AnySen },
        _ => {
            let mut preds = Vec::new();
            for p in t.split('&') {
                let p = p.trim();
                let pred = match p {
                    "ehc_plan" => Pred::Sen(SenSel::EhcPlan),
                    "sen_support" => Pred::Sen(SenSel::SenSupport),
                    "any_sen" => Pred::Sen(SenSel::AnySen),
                    "no_sen" => Pred::Sen(SenSel::NoSen),
                    _ => parse_pred(p).map_err(|e| format!("cohort '{t}': {e}"))?,
                };
                preds.push(pred);
            }
            Cohort::Group { label: t.split('&').map(str::trim).collect::<Vec<_>>().join(" & "), preds }
        }
    })
}

/// Read one pack file's text. `file` names it in errors. Returns the framework and whether it extends
/// another of the same id.
pub fn parse_framework(file: &str, text: &str) -> Result<(Framework, bool), DefinitionError> {
    let fail = |offset: usize, message: String| DefinitionError { file: file.to_owned(), line: line_of(text, offset), message };
    let raw: FileDef = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        fail(offset, e.message().trim().to_owned())
    })?;
    let groups: HashSet<&str> = raw.framework.groups.iter().map(|g| g.id.as_str()).collect();
    let mut seen = HashSet::new();
    let mut indicators = Vec::new();
    for spanned in &raw.indicator {
        let start = spanned.span().start;
        let d = spanned.get_ref();
        let id = d.id.get_ref().trim().to_owned();
        let at = |s: &std::ops::Range<usize>| if s.is_empty() { start } else { s.start };
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.') {
            return Err(fail(at(&d.id.span()), format!("indicator id '{id}' must be letters, digits, '_', '-' or '.'")));
        }
        if !seen.insert(id.clone()) {
            return Err(fail(at(&d.id.span()), format!("indicator id '{id}' is defined twice")));
        }
        // A file that extends a built-in framework may use that framework's groups (checked in `load`).
        if !raw.framework.extends && !groups.contains(d.group.get_ref().as_str()) {
            return Err(fail(
                at(&d.group.span()),
                format!(
                    "indicator '{id}': group '{}' is not one of the framework's groups ({})",
                    d.group.get_ref(),
                    groups.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let expr = |field: &str, v: &Option<Spanned<String>>| -> Result<Option<Expr>, DefinitionError> {
            match v {
                None => Ok(None),
                Some(s) => parse_expr(s.get_ref()).map(Some).map_err(|e| fail(at(&s.span()), format!("indicator '{id}': {field}: {e}"))),
            }
        };
        let numerator = expr("numerator", &d.numerator)?;
        let denominator = expr("denominator", &d.denominator)?;
        match d.measure {
            MeasureKind::Records if numerator.is_none() => {
                return Err(fail(start, format!("indicator '{id}': a records measure needs a 'numerator'")));
            }
            MeasureKind::Records if d.unit != Unit::Count && denominator.is_none() => {
                return Err(fail(start, format!("indicator '{id}': a {:?} needs a 'denominator'", d.unit).to_lowercase()));
            }
            MeasureKind::Facts if numerator.is_none() && d.facts.trim().is_empty() => {
                return Err(fail(
                    start,
                    format!("indicator '{id}': a facts measure needs a 'numerator' over facts (or names its dataset in 'facts')"),
                ));
            }
            MeasureKind::Facts if numerator.is_some() && d.unit != Unit::Count && d.unit != Unit::Average && denominator.is_none() => {
                return Err(fail(start, format!("indicator '{id}': a {:?} needs a 'denominator'", d.unit).to_lowercase()));
            }
            MeasureKind::Facts if numerator.as_ref().is_some_and(|n| n.fact_kinds().is_empty()) => {
                return Err(fail(
                    start,
                    format!("indicator '{id}': a facts measure's numerator reads no person-level facts: use measure = \"records\""),
                ));
            }
            _ if d.survey.is_some() && (d.measure != MeasureKind::Manual || d.unit != Unit::Percent) => {
                return Err(fail(start, format!("indicator '{id}': only a manual percentage can come from a survey ('survey')")));
            }
            _ if d.survey.as_ref().is_some_and(|s| {
                s.positive.is_empty()
                    || s.question.is_empty()
                    || !s.question.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            }) =>
            {
                return Err(fail(
                    start,
                    format!("indicator '{id}': survey: 'question' must be a question's short name (lower-case letters, digits, _ or -) and 'positive' must list the answers that count"),
                ));
            }
            MeasureKind::Evidence if d.evidence.is_empty() => {
                return Err(fail(start, format!("indicator '{id}': an evidence measure lists the indicators in 'evidence'")));
            }
            _ => {}
        }
        let mut cohorts = Vec::new();
        for c in d.cohorts.get_ref() {
            cohorts.push(parse_cohort(c).map_err(|e| fail(at(&d.cohorts.span()), format!("indicator '{id}': {e}")))?);
        }
        if cohorts.is_empty() {
            return Err(fail(at(&d.cohorts.span()), format!("indicator '{id}': 'cohorts' is empty; use [\"all\"]")));
        }
        for (label, m) in [("targets", &d.targets), ("england", &d.england), ("neighbours", &d.neighbours)] {
            if let Some(k) = m.keys().find(|k| crate::period::year_of_label(k).is_none()) {
                return Err(fail(start, format!("indicator '{id}': {label} key '{k}' is not a period (e.g. \"2024\", \"2024/25\")")));
            }
        }
        indicators.push(Indicator {
            id,
            number: d.number.clone(),
            title: d.title.clone(),
            definition: d.definition.clone(),
            group: d.group.get_ref().clone(),
            strand: d.strand.clone(),
            question: d.question.clone(),
            unit: d.unit,
            period: d.period,
            polarity: d.polarity,
            measure: d.measure,
            numerator,
            denominator,
            facts: d.facts.clone(),
            evidence: d.evidence.clone(),
            cohorts,
            breakdowns: d.breakdowns.clone(),
            source: d.source.clone(),
            rag: d.rag,
            targets: d.targets.clone(),
            england: d.england.clone(),
            neighbours: d.neighbours.clone(),
            notes: d.notes.clone(),
            survey: d.survey.clone(),
            defined_at: format!("{file}:{}", line_of(text, start)),
        });
    }
    let fid = raw.framework.id.get_ref().trim().to_owned();
    if fid.is_empty() {
        return Err(fail(raw.framework.id.span().start, "framework id is empty".into()));
    }
    Ok((
        Framework {
            id: fid,
            title: raw.framework.title,
            description: raw.framework.description,
            source: raw.framework.source,
            groups: raw.framework.groups,
            indicators,
            file: file.to_owned(),
        },
        raw.framework.extends,
    ))
}

/// The built-in packs, embedded in the binary.
pub const BUILTIN: [(&str, &str); 6] = [
    ("dfe-ehcp.toml", include_str!("../packs/dfe-ehcp.toml")),
    ("portsmouth-2016.toml", include_str!("../packs/portsmouth-2016.toml")),
    ("hertfordshire-2015.toml", include_str!("../packs/hertfordshire-2015.toml")),
    ("peterborough-2017.toml", include_str!("../packs/peterborough-2017.toml")),
    ("ofsted-area-send.toml", include_str!("../packs/ofsted-area-send.toml")),
    ("casework.toml", include_str!("../packs/casework.toml")),
];

/// Every framework: the built-in packs, then each `*.toml` in `dir` (if given), which adds a framework
/// or, with `extends = true`, adds indicators to (or replaces same-id indicators of) a built-in one; a
/// file without `extends` replaces a built-in framework of the same id.
pub fn load(dir: Option<&Path>) -> Result<Vec<Framework>, DefinitionError> {
    let mut out: Vec<Framework> = Vec::new();
    for (name, text) in BUILTIN {
        out.push(parse_framework(&format!("built-in {name}"), text)?.0);
    }
    let Some(dir) = dir else { return Ok(out) };
    let io = |e: std::io::Error| DefinitionError { file: dir.display().to_string(), line: 0, message: e.to_string() };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| DefinitionError {
            file: path.display().to_string(),
            line: 0,
            message: e.to_string(),
        })?;
        let (fw, extends) = parse_framework(&path.display().to_string(), &text)?;
        match out.iter_mut().find(|f| f.id == fw.id) {
            Some(existing) if extends => {
                for g in fw.groups {
                    if !existing.groups.iter().any(|x| x.id == g.id) {
                        existing.groups.push(g);
                    }
                }
                for ind in fw.indicators {
                    if !existing.groups.iter().any(|g| g.id == ind.group) {
                        let line = ind.defined_at.rsplit(':').next().and_then(|l| l.parse().ok()).unwrap_or(0);
                        return Err(DefinitionError {
                            file: path.display().to_string(),
                            line,
                            message: format!(
                                "indicator '{}': group '{}' is not one of framework '{}''s groups",
                                ind.id, ind.group, existing.id
                            ),
                        });
                    }
                    match existing.indicators.iter_mut().find(|i| i.id == ind.id) {
                        Some(slot) => *slot = ind,
                        None => existing.indicators.push(ind),
                    }
                }
            }
            Some(existing) => *existing = fw,
            None if extends => {
                return Err(DefinitionError {
                    file: path.display().to_string(),
                    line: 1,
                    message: format!("extends framework '{}', which does not exist", fw.id),
                })
            }
            None => out.push(fw),
        }
    }
    Ok(out)
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Count => "count",
            Self::Percent => "%",
            Self::RatePer1000 => "per 1,000",
            Self::Average => "average",
        })
    }
}
