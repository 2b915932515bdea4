//! The performance frameworks' dashboards (issue 5): each framework of `waymark_indicators` (the
//! built-in packs: `dfe-ehcp`, `portsmouth-2016`, `hertfordshire-2015`, `peterborough-2017`,
//! `ofsted-area-send`, plus any local definitions) computed over the person table of the user's LA
//! scope, and turned into pages: each indicator's latest value, target, RAG (words and a tag, never
//! colour alone), England comparator and trend (an SVG chart followed by its table), grouped by the
//! framework's outcomes or strands, with a drill-down by LA, locality, need and phase.
//!
//! Aggregates only: the person table is read in bulk (audited as list reads, never a child's record),
//! and no page shows a child. Frameworks are cached per LA scope with the person table they were
//! computed on, each computed when first viewed (evidence packs cite the others, so those come first);
//! a case change patches that case into the table, without reading the table again, and the next view
//! computes its framework again (see [`FrameworkCache`]).

use crate::error::AppError;
use crate::AppState;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock};
use waymark_domain::calendar::Date;
use waymark_domain::ids::CaseId;
use waymark_indicators::definition::{MeasureKind, Unit};
use waymark_indicators::present::{self, Suppression};
use waymark_indicators::{Framework, ManualValues, PeriodSel, PersonTable, ResultRow, Results, Scope, Status};
use waymark_storage::{Actor, CaseloadStore, IndicatorStore};

/// The frameworks: the built-in packs (parsed once; a broken pack is a build error caught by the
/// indicators crate's tests) plus definitions from `$WAYMARK_INDICATOR_DEFINITIONS` when set.
static FRAMEWORKS: LazyLock<Vec<Framework>> = LazyLock::new(|| {
    let dir = std::env::var_os("WAYMARK_INDICATOR_DEFINITIONS").map(std::path::PathBuf::from);
    match waymark_indicators::load(dir.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e, "indicator definitions refused; using the built-in packs only");
            waymark_indicators::load(None).unwrap_or_default()
        }
    }
});

/// Every framework Waymark knows.
pub fn frameworks() -> &'static [Framework] {
    &FRAMEWORKS
}

/// The frameworks' results for one LA scope, each computed on first use.
///
/// A view needs one framework, so after a case change only the framework viewed is computed again
/// (the work of one framework, not of all of them); the warm-up and the strategy's figures compute every one
/// at once, sharing each LA's lists between them.
pub struct Computed {
    table: Arc<PersonTable>,
    manual: ManualValues,
    periods: PeriodSel,
    /// One per framework of [`frameworks`], in its order.
    slots: Vec<std::sync::OnceLock<Results>>,
    /// Every framework together, when asked for.
    all: std::sync::OnceLock<Vec<Results>>,
    /// The areas with results: `england` first when present, then LA codes.
    pub areas: Vec<String>,
    pub today: Date,
    /// When no calendar year is complete yet (a new area, the demo), the year so far is computed
    /// instead, and the pages say so.
    pub partial_year: Option<i32>,
    /// Small numbers shown as `c` on these pages and their exports (the LA's threshold).
    pub suppression: Suppression,
}

fn is_evidence(fw: &Framework) -> bool {
    fw.indicators.iter().any(|i| i.measure == MeasureKind::Evidence)
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Computed {
    fn new(table: Arc<PersonTable>, manual: ManualValues, today: Date, threshold: u32) -> Self {
        // Every complete year with data; with none yet, the year so far.
        let partial_year = table.years().is_empty().then(|| chrono::Datelike::year(&today));
        let periods = partial_year.map_or(PeriodSel::AllYears, PeriodSel::Year);
        let mut areas: Vec<String> = Vec::new();
        if table.las.len() > 1 {
            areas.push("england".into());
        }
        areas.extend(table.las.iter().map(ToString::to_string));
        Computed {
            slots: frameworks().iter().map(|_| std::sync::OnceLock::new()).collect(),
            all: std::sync::OnceLock::new(),
            table,
            manual,
            periods,
            areas,
            today,
            partial_year,
            suppression: Suppression { threshold },
        }
    }

    /// One framework's results, computed now if no view has needed them since the data changed. An
    /// evidence framework cites the others, so they are computed first.
    pub fn results(&self, framework: &str) -> Option<&Results> {
        if let Some(all) = self.all.get() {
            return all.iter().find(|r| r.framework == framework);
        }
        let i = frameworks().iter().position(|f| f.id == framework)?;
        Some(self.at(i))
    }

    fn at(&self, i: usize) -> &Results {
        if let Some(r) = self.slots[i].get() {
            return r;
        }
        let fw = &frameworks()[i];
        let evidence: Vec<Results> = if is_evidence(fw) {
            (0..frameworks().len()).filter(|j| !is_evidence(&frameworks()[*j])).map(|j| self.at(j).clone()).collect()
        } else {
            Vec::new()
        };
        self.slots[i].get_or_init(|| {
            let started = std::time::Instant::now();
            let loaded = waymark_indicators::Loaded::default();
            let mut r = waymark_indicators::compute_threads(
                fw,
                &self.table,
                &Scope::All,
                &self.periods,
                &self.manual,
                &loaded,
                &evidence,
                threads(),
            );
            present::protect_from_differencing(fw, &mut r, self.suppression);
            tracing::info!(millis = started.elapsed().as_millis() as u64, framework = %fw.id, "framework computed");
            r
        })
    }

    /// The cases behind one row of a framework's results (see [`waymark_indicators::members`]).
    pub fn members(&self, fw: &Framework, indicator: &str, la: &str, period: &str, cohort: &str) -> Option<waymark_indicators::Members> {
        waymark_indicators::members(fw, indicator, &self.table, la, period, cohort)
    }

    /// Every framework's results (for figures drawn from several frameworks at once), computed together.
    pub fn all_results(&self) -> &[Results] {
        self.all.get_or_init(|| {
            let started = std::time::Instant::now();
            let all: Vec<&Framework> = frameworks().iter().collect();
            let loaded = waymark_indicators::Loaded::default();
            let mut r =
                waymark_indicators::compute_all_threads(&all, &self.table, &Scope::All, &self.periods, &self.manual, &loaded, threads());
            for results in r.iter_mut() {
                if let Some(fw) = all.iter().find(|f| f.id == results.framework) {
                    present::protect_from_differencing(fw, results, self.suppression);
                }
            }
            tracing::info!(millis = started.elapsed().as_millis() as u64, "frameworks computed");
            r
        })
    }
}

struct Entry {
    today: Date,
    /// The manual values', targets' and threshold's fingerprint.
    inputs: u64,
    /// The data generation and change sequence the table is current to.
    generation: i64,
    seq: i64,
    table: Arc<PersonTable>,
    computed: Arc<Computed>,
}

/// The computed frameworks per LA scope, with the person table they were computed on.
///
/// The table is read from the store once (its facts alone take seconds at a large area); after a case
/// changes only that case's rows are read and patched in ([`PersonTable::replace_case`]), and the
/// frameworks computed again on the patched table. Anything else that changes the table (a child, a
/// placement, a new case, an import) or a new day reads it again.
#[derive(Default)]
pub struct FrameworkCache {
    entries: tokio::sync::Mutex<HashMap<String, Entry>>,
    /// While [`warm`] runs: `/readyz` answers "not ready" so no traffic waits behind it.
    warming: std::sync::atomic::AtomicBool,
}

/// At most this many changed cases are patched in; more (an import of cases) read the table again.
const PATCH_LIMIT: usize = 200;

/// The survey answers behind the manual indicators that name a survey question (issue 16), counted
/// per framework, indicator, period and LA: (positive answers, answers). The one home of this count:
/// the web's frameworks and `waymark indicators` (the CLI) both use it.
pub async fn survey_counts<S: waymark_storage::SurveyStore>(
    store: &S,
    actor: &Actor,
    frameworks: &[Framework],
) -> Result<HashMap<(String, String, String, String), (u64, u64)>, waymark_storage::StoreError> {
    let sourced: Vec<(&Framework, &waymark_indicators::Indicator, &waymark_indicators::definition::SurveySource)> =
        frameworks.iter().flat_map(|f| f.indicators.iter().filter_map(move |i| i.survey.as_ref().map(|s| (f, i, s)))).collect();
    let mut questions: Vec<String> = sourced.iter().map(|(_, _, s)| s.question.clone()).collect();
    questions.sort();
    questions.dedup();
    let answers = store.answers_to(actor, &questions).await?;
    let mut grouped: HashMap<(String, String, String, String), Vec<&waymark_surveys::Answer>> = HashMap::new();
    for (fw, ind, source) in &sourced {
        for (la, _, on, answer) in answers.iter().filter(|a| a.1 == source.question) {
            let Some(period) = waymark_indicators::period::label_of(ind.period, *on) else { continue };
            grouped.entry((fw.id.clone(), ind.id.clone(), period, la.to_string())).or_default().push(answer);
        }
    }
    Ok(grouped
        .into_iter()
        .map(|(key, list)| {
            let source = sourced.iter().find(|(f, i, _)| f.id == key.0 && i.id == key.1).map(|(_, _, s)| *s);
            let c = waymark_surveys::measure::count(list, source.map_or(&[][..], |s| s.positive.as_slice()));
            (key, (c.positive, c.answered))
        })
        .collect())
}

/// A fingerprint of the manual values (entered outside the data generation's triggers).
fn fingerprint(values: &[waymark_storage::ManualValueRecord], targets: &[waymark_storage::TargetRecord], threshold: u32) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for v in values {
        (&v.framework, &v.indicator, &v.period, &v.la, &v.cohort, v.value.to_bits()).hash(&mut h);
    }
    for t in targets {
        (&t.framework, &t.indicator, &t.period, &t.la, t.value.map(f64::to_bits)).hash(&mut h);
    }
    threshold.hash(&mut h);
    h.finish()
}

/// What the frameworks are computed with besides the table: manual values, survey answers, targets and
/// the LA's small-numbers threshold.
struct Inputs {
    manual: ManualValues,
    threshold: u32,
    fingerprint: u64,
}

async fn inputs(state: &AppState, actor: &Actor) -> Result<Inputs, AppError> {
    let manual = state.store.manual_values(actor).await?;
    let targets = state.store.targets(actor).await?;
    let threshold = match actor.scope.la() {
        Some(la) => state.store.suppression_threshold(actor, &la.to_string()).await?,
        None => waymark_storage::DEFAULT_SUPPRESSION_THRESHOLD,
    };
    let surveyed = survey_counts(&state.store, actor, frameworks()).await?;
    let survey_print = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let mut entries: Vec<_> = surveyed.iter().collect();
        entries.sort();
        entries.hash(&mut h);
        h.finish()
    };
    let fingerprint = fingerprint(&manual, &targets, threshold) ^ survey_print;
    let mut values = waymark_indicators::manual::index(
        &manual
            .into_iter()
            .map(|r| waymark_indicators::manual::ManualValue {
                framework: r.framework,
                indicator: r.indicator,
                period: r.period,
                la: r.la,
                cohort: r.cohort,
                value: r.value,
            })
            .collect::<Vec<_>>(),
    );
    values.surveyed = surveyed;
    for t in targets {
        if let Some(v) = t.value {
            values.targets.insert((t.framework, t.indicator, t.period, t.la), v);
        }
    }
    Ok(Inputs { manual: values, threshold, fingerprint })
}

impl FrameworkCache {
    /// Every framework for the actor's scope. Audited as one `aggregate` list read per view; reading
    /// the table also writes its bulk list reads (`aggregate`, `child_list`).
    pub async fn get(&self, state: &AppState, actor: &Actor) -> Result<Arc<Computed>, AppError> {
        let scope_key = format!("{:?}", actor.scope);
        let today = state.clock.today();
        let inputs = inputs(state, actor).await?;
        // Held while computing, so a burst of first views computes once.
        let mut entries = self.entries.lock().await;
        if let Some(entry) = entries.get_mut(&scope_key).filter(|e| e.today == today) {
            let changes = state.store.aggregate_changes(entry.seq).await?;
            if changes.generation == entry.generation && entry.inputs == inputs.fingerprint {
                state.store.audit_list_read(actor, "aggregate", &state.audit).await?;
                return Ok(entry.computed.clone());
            }
            if changes.only_cases_since(entry.generation)
                && changes.cases.len() <= PATCH_LIMIT
                && patch(state, actor, entry, &changes.cases).await?
            {
                entry.computed = Arc::new(Computed::new(entry.table.clone(), inputs.manual, today, inputs.threshold));
                (entry.generation, entry.seq, entry.inputs) = (changes.generation, changes.seq, inputs.fingerprint);
                state.store.audit_list_read(actor, "aggregate", &state.audit).await?;
                return Ok(entry.computed.clone());
            }
        }
        // Where the changes stand before the table is read: a change made while it is read is patched
        // in again (harmlessly) or read again next time.
        let mark = state.store.aggregate_changes(i64::MAX).await?;
        let table = Arc::new(waymark_indicators::source::load_from_store(&state.store, actor, today, &state.audit).await?);
        let computed = Arc::new(Computed::new(table.clone(), inputs.manual, today, inputs.threshold));
        entries.insert(
            scope_key,
            Entry { today, inputs: inputs.fingerprint, generation: mark.generation, seq: mark.seq, table, computed: computed.clone() },
        );
        Ok(computed)
    }
}

impl FrameworkCache {
    /// Whether the server's start-up warm-up is still reading the tables.
    pub fn warming(&self) -> bool {
        self.warming.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// As [`FrameworkCache::get`], with the one framework a page shows computed on the blocking pool
    /// (not on the thread answering requests).
    pub async fn get_framework(&self, state: &AppState, actor: &Actor, framework: &str) -> Result<Arc<Computed>, AppError> {
        let computed = self.get(state, actor).await?;
        let (c, id) = (computed.clone(), framework.to_string());
        tokio::task::spawn_blocking(move || {
            c.results(&id);
        })
        .await
        .map_err(|e| AppError::Internal(format!("computing the framework: {e}")))?;
        Ok(computed)
    }

    /// As [`FrameworkCache::get`], with every framework computed (on the blocking pool).
    pub async fn get_all(&self, state: &AppState, actor: &Actor) -> Result<Arc<Computed>, AppError> {
        let computed = self.get(state, actor).await?;
        let c = computed.clone();
        tokio::task::spawn_blocking(move || {
            c.all_results();
        })
        .await
        .map_err(|e| AppError::Internal(format!("computing the frameworks: {e}")))?;
        Ok(computed)
    }
}

/// Read each LA's person table and compute its frameworks as the server starts, so the first board
/// member to open a dashboard does not wait for the read (seconds at a large area). Audited as the
/// reads of an actor named for the job.
/// The server counts as warming from the call (before the task first runs) until every LA is done.
pub fn warm(state: AppState) -> impl std::future::Future<Output = ()> {
    state.frameworks.warming.store(true, std::sync::atomic::Ordering::SeqCst);
    async move {
        warm_each(&state).await;
        state.frameworks.warming.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

async fn warm_each(state: &AppState) {
    let system = Actor::new("dashboard warm-up", waymark_storage::Scope::All);
    let las = match waymark_storage::Sen2Store::sen2_las(&state.store, &system).await {
        Ok(las) => las,
        Err(e) => return tracing::warn!(error = %e, "dashboard warm-up could not list the local authorities"),
    };
    let started = std::time::Instant::now();
    for la in las {
        let actor = Actor::new("dashboard warm-up", waymark_storage::Scope::LocalAuthority(la));
        if let Err(e) = state.frameworks.get_all(state, &actor).await {
            tracing::warn!(error = ?e, "dashboard warm-up failed");
        }
    }
    tracing::info!(millis = started.elapsed().as_millis() as u64, "dashboards warmed");
}

/// Patch the changed cases into the entry's table: `false` when one cannot be (the table is then read
/// again). A case outside the actor's scope that the table does not hold is none of its business.
async fn patch(state: &AppState, actor: &Actor, entry: &mut Entry, cases: &[CaseId]) -> Result<bool, AppError> {
    let snapshots = state.store.case_snapshots_by_id(actor, cases).await?;
    let table = Arc::make_mut(&mut entry.table);
    for case in cases {
        let patched = match snapshots.iter().find(|s| s.summary.case_id == *case) {
            Some(s) => table.replace_case(*case, &s.child, s.case.history()),
            None => !table.case_ids.contains(case),
        };
        if !patched {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The drill-down asked for in the query string: each one optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Drill {
    #[serde(default)]
    pub la: String,
    #[serde(default)]
    pub locality: String,
    #[serde(default)]
    pub need: String,
    #[serde(default)]
    pub phase: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Opt {
    pub value: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Latest {
    pub period: String,
    pub value: String,
    pub target: String,
    pub england: String,
    /// The RAG tag's words and GOV.UK tag colour, and the sentence that explains it.
    pub rag_label: &'static str,
    pub rag_colour: &'static str,
    pub rag_text: String,
    pub suppressed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorView {
    pub id: String,
    pub anchor: String,
    pub number: String,
    pub title: String,
    pub definition: String,
    pub source: String,
    pub strand: String,
    pub measure: &'static str,
    /// Said plainly where no value can be computed (manual entry, awaiting data, no breakdown).
    pub notice: Option<String>,
    pub latest: Option<Latest>,
    pub svg: Option<String>,
    pub table: Option<Table>,
    /// Where a SEND manager sets this indicator's local targets.
    pub target_href: Option<String>,
    /// The cases behind the latest count, for those who may open cases (a count of records only).
    pub cases_href: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub indicators: Vec<IndicatorView>,
}

/// A framework's page.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub source: String,
    pub area: String,
    pub area_label: String,
    pub cohort: String,
    pub cohort_label: String,
    pub groups: Vec<GroupView>,
    pub summary: Vec<Vec<String>>,
    pub summary_links: Vec<String>,
    pub areas: Vec<Opt>,
    pub localities: Vec<Opt>,
    pub needs: Vec<Opt>,
    pub phases: Vec<Opt>,
    pub drill: DrillSel,
    pub error: Option<String>,
    pub query: String,
    pub suppression: u32,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct DrillSel {
    pub la: String,
    pub locality: String,
    pub need: String,
    pub phase: String,
}

pub fn area_label(area: &str) -> String {
    if area == "england" {
        "England (every LA in the data)".into()
    } else {
        format!("Local authority {area}")
    }
}

fn num(v: f64, u: Unit) -> String {
    present::value(v, u)
}

/// A rating as words and a GOV.UK tag colour (colour is never the only signal).
pub fn rag_words(r: Option<waymark_indicators::Rag>) -> (&'static str, &'static str) {
    present::rating_words(r)
}

fn measure_key(m: MeasureKind) -> &'static str {
    match m {
        MeasureKind::Records => "records",
        MeasureKind::Manual => "manual",
        MeasureKind::Facts => "facts",
        MeasureKind::Evidence => "evidence",
    }
}

fn dim_options(rows: &[ResultRow], area: &str, dimension: &str) -> Vec<Opt> {
    let prefix = format!("{dimension}=");
    let set: BTreeSet<&str> =
        rows.iter().filter(|r| r.la == area).filter_map(|r| r.cohort.strip_prefix(&prefix)).filter(|v| !v.contains(" & ")).collect();
    let mut opts: Vec<Opt> = set.into_iter().map(|v| Opt { value: v.to_owned(), text: present::dimension_value(dimension, v) }).collect();
    opts.sort_by(|a, b| a.text.cmp(&b.text));
    opts
}

fn with_any(label: &str, mut opts: Vec<Opt>) -> Vec<Opt> {
    opts.insert(0, Opt { value: String::new(), text: label.to_owned() });
    opts
}

/// The cohort a drill-down selects: `all`, `locality=X`, `need=Y`, `locality=X & phase=Z`...
pub fn cohort_of(locality: &str, dim: Option<(&str, &str)>) -> String {
    let dim = dim.map(|(k, v)| format!("{k}={v}"));
    match (locality.is_empty(), dim) {
        (true, None) => "all".into(),
        (true, Some(d)) => d,
        (false, None) => format!("locality={locality}"),
        (false, Some(d)) => format!("locality={locality} & {d}"),
    }
}

/// Build a framework's page for one area and cohort.
pub fn view(
    fw: &Framework,
    results: &Results,
    areas: &[String],
    drill: &Drill,
    suppression: Suppression,
    can_set_targets: bool,
    can_open_cases: bool,
) -> FrameworkView {
    let area = if areas.contains(&drill.la) {
        drill.la.clone()
    } else {
        areas.iter().find(|a| *a != "england").or(areas.first()).cloned().unwrap_or_default()
    };
    let localities = dim_options(&results.rows, &area, "locality");
    let needs = dim_options(&results.rows, &area, "need");
    let phases = dim_options(&results.rows, &area, "phase");
    let known = |opts: &[Opt], v: &str| if opts.iter().any(|o| o.value == v) { v.to_owned() } else { String::new() };
    let locality = known(&localities, &drill.locality);
    let need = known(&needs, &drill.need);
    let phase = known(&phases, &drill.phase);
    let mut error = None;
    let dim = match (need.is_empty(), phase.is_empty()) {
        (false, false) => {
            error = Some("Choose a need or a phase, not both: the figures are broken down by one of them at a time".to_owned());
            Some(("need", need.as_str()))
        }
        (false, true) => Some(("need", need.as_str())),
        (true, false) => Some(("phase", phase.as_str())),
        (true, true) => None,
    };
    let cohort = cohort_of(&locality, dim);
    let mut cohort_parts = Vec::new();
    if !locality.is_empty() {
        cohort_parts.push(format!("locality {locality}"));
    }
    if let Some((k, v)) = dim {
        cohort_parts.push(format!("{} {}", if k == "need" { "primary need" } else { "phase" }, present::dimension_value(k, v)));
    }
    let cohort_label = if cohort_parts.is_empty() { "everyone".to_owned() } else { cohort_parts.join(", ") };

    // One pass over the rows: this area and cohort, per indicator, in period order.
    let mut by_ind: HashMap<&str, Vec<&ResultRow>> = HashMap::new();
    for r in results.rows.iter().filter(|r| r.la == area && r.cohort == cohort) {
        by_ind.entry(r.indicator.as_str()).or_default().push(r);
    }
    let mut summary = Vec::new();
    let mut summary_links = Vec::new();
    let mut groups: Vec<GroupView> = fw
        .groups
        .iter()
        .map(|g| GroupView { id: g.id.clone(), title: g.title.clone(), description: g.description.clone(), indicators: Vec::new() })
        .collect();
    for ind in &fw.indicators {
        let rows = by_ind.get(ind.id.as_str()).cloned().unwrap_or_default();
        let anchor = format!("ind-{}", ind.id.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
        let label = if ind.number.is_empty() { ind.title.clone() } else { format!("{} {}", ind.number, ind.title) };
        let mut v = IndicatorView {
            id: ind.id.clone(),
            anchor: anchor.clone(),
            number: ind.number.clone(),
            title: ind.title.clone(),
            definition: ind.definition.clone(),
            source: ind.source.clone(),
            strand: ind.strand.clone(),
            measure: measure_key(ind.measure),
            notice: None,
            latest: None,
            svg: None,
            table: None,
            target_href: (can_set_targets && area != "england" && ind.measure != MeasureKind::Evidence)
                .then(|| format!("/dashboard/frameworks/{}/targets/{}", fw.id, ind.id)),
            cases_href: None,
        };
        let latest_row = rows.iter().rev().find(|r| r.value.is_some()).copied();
        let plain_count = matches!(ind.measure, MeasureKind::Records | MeasureKind::Facts)
            && ind.numerator.as_ref().is_some_and(|e| e.terms.iter().all(|t| t.field.is_none()))
            && !ind.cohorts.iter().any(|c| c.label() == cohort && !matches!(c, waymark_indicators::definition::Cohort::Group { .. }));
        if let Some(r) = latest_row.filter(|r| can_open_cases && plain_count && area != "england" && r.numerator.is_some_and(|n| n > 0)) {
            let query = serde_urlencoded::to_string([
                ("la", area.as_str()),
                ("period", r.period.as_str()),
                ("locality", locality.as_str()),
                ("need", need.as_str()),
                ("phase", phase.as_str()),
            ])
            .unwrap_or_default();
            v.cases_href = Some(format!("/dashboard/frameworks/{}/cases/{}?{query}", fw.id, ind.id));
        }
        if rows.is_empty() {
            v.notice = Some(if cohort == "all" {
                "No figures for this area yet.".to_owned()
            } else {
                format!("This indicator is not broken down by {cohort_label}.")
            });
        } else if rows.iter().all(|r| r.status == Status::AwaitingData) {
            v.notice = Some(format!(
                "Awaiting data: this indicator needs person-level facts ({}) that have not been loaded, so it has no value yet.",
                if ind.facts.is_empty() { "from partner agencies".to_owned() } else { ind.facts.replace('_', " ") }
            ));
        } else if ind.measure == MeasureKind::Manual && latest_row.is_none() {
            v.notice = Some(
                "Entered by hand: no value has been entered for any period yet (see docs/indicators.md, \"Manual values\").".to_owned(),
            );
        } else if ind.measure == MeasureKind::Manual && latest_row.is_some_and(|r| r.status == Status::Surveyed) {
            v.notice = Some(format!(
                "From survey answers: the percentage of those answering the survey question \"{}\" who gave a positive answer. The number of responses is shown with each period.",
                ind.survey.as_ref().map_or("", |s| s.question.as_str())
            ));
        } else if ind.measure == MeasureKind::Manual {
            v.notice = Some("Entered by hand: no record holds this figure; it was entered as a manual value.".to_owned());
        }
        if let Some(r) = latest_row {
            let (rag_label, rag_colour) = rag_words(r.rag);
            let shown = suppression.show(ind.unit, r);
            let comparable = ind.unit != Unit::Count || area == "england";
            v.latest = Some(Latest {
                period: present::period_words(&r.period),
                value: shown.value.clone(),
                target: r.target.map_or_else(|| "No target set".into(), |t| num(t, ind.unit)),
                england: match r.england {
                    Some(e) if comparable => num(e, ind.unit),
                    Some(_) => "Not compared: a count depends on the size of the area".into(),
                    None => "Not published".into(),
                },
                rag_label,
                rag_colour,
                rag_text: present::rating_sentence(ind, r),
                suppressed: shown.suppressed,
            });
            summary.push(vec![
                label.clone(),
                present::period_words(&r.period),
                shown.value,
                r.target.map_or_else(String::new, |t| num(t, ind.unit)),
                rag_label.to_owned(),
            ]);
        } else {
            let why = match v.notice.as_deref() {
                Some(n) if n.starts_with("Awaiting") => "Awaiting data",
                Some(n) if n.starts_with("Entered") => "Manual entry: none entered",
                Some(_) => "No breakdown",
                None => "No value",
            };
            summary.push(vec![label.clone(), String::new(), why.to_owned(), String::new(), "Not rated".to_owned()]);
        }
        summary_links.push(format!("#{anchor}"));
        if rows.iter().any(|r| r.value.is_some()) {
            let show_england =
                cohort == "all" && area != "england" && (ind.unit != Unit::Count) && rows.iter().any(|r| r.england.is_some());
            v.svg = Some(waymark_indicators::render::svg::indicator_trend(
                ind,
                &rows,
                &area_label(&area),
                &format!("chart-{anchor}"),
                cohort == "all" && area != "england",
                suppression,
            ));
            let surveyed = rows.iter().any(|r| r.status == Status::Surveyed);
            let (num_col, den_col) = if surveyed { ("Positive answers", "Responses") } else { ("Numerator", "Denominator") };
            let mut columns = vec!["Period".to_owned(), num_col.into(), den_col.into(), "Value".into(), "Target".into()];
            if show_england {
                columns.push("England".into());
            }
            // A measure that is never rated (neutral) shows no rating columns at all.
            let rated = ind.polarity != waymark_indicators::definition::Polarity::Neutral;
            if rated {
                columns.push("Rating".into());
                columns.push("Rated against".into());
            }
            let table_rows = rows
                .iter()
                .map(|r| {
                    let shown = suppression.show(ind.unit, r);
                    let mut row = vec![
                        present::period_words(&r.period),
                        shown.numerator,
                        shown.denominator,
                        match r.status {
                            Status::ManualMissing => "Not entered".into(),
                            Status::AwaitingData => "Awaiting data".into(),
                            Status::NoDenominator if r.value.is_none() => "No cases to count".into(),
                            _ => shown.value,
                        },
                        r.target.map_or_else(String::new, |t| num(t, ind.unit)),
                    ];
                    if show_england {
                        row.push(r.england.map_or_else(String::new, |t| num(t, ind.unit)));
                    }
                    if rated {
                        row.push(rag_words(r.rag).0.to_owned());
                        row.push(present::rated_against(r));
                    }
                    row
                })
                .collect();
            v.table = Some(Table { columns, rows: table_rows });
        }
        match groups.iter_mut().find(|g| g.id == ind.group) {
            Some(g) => g.indicators.push(v),
            None => groups.push(GroupView {
                id: ind.group.clone(),
                title: fw.group_title(&ind.group).to_owned(),
                description: String::new(),
                indicators: vec![v],
            }),
        }
    }
    groups.retain(|g| !g.indicators.is_empty());
    let query =
        serde_urlencoded::to_string([("la", &area), ("locality", &locality), ("need", &need), ("phase", &phase)]).unwrap_or_default();
    FrameworkView {
        id: fw.id.clone(),
        title: fw.title.clone(),
        description: fw.description.clone(),
        source: fw.source.clone(),
        area_label: area_label(&area),
        area: area.clone(),
        cohort,
        cohort_label,
        groups,
        summary,
        summary_links,
        areas: areas.iter().map(|a| Opt { value: a.clone(), text: area_label(a) }).collect(),
        localities: with_any("Every locality", localities),
        needs: with_any("Every need", needs),
        phases: with_any("Every phase", phases),
        drill: DrillSel { la: area, locality, need, phase },
        error,
        query,
        suppression: suppression.threshold,
    }
}

/// The CSV export: exactly `framework,indicator,period,la,cohort,numerator,denominator,value,target,rag`.
pub fn csv(fw: &Framework, results: &Results, suppression: Suppression) -> Result<String, AppError> {
    waymark_indicators::render::csv_suppressed(std::slice::from_ref(results), &[fw], suppression)
        .map_err(|e| AppError::Internal(format!("csv: {e}")))
}

/// The print version from the indicators crate's HTML renderer, and the Content-Security-Policy that
/// lets its one `<style>` element (and nothing else inline) apply: a hash source.
pub fn print_html(fw: &Framework, results: &Results, area: &str, suppression: Suppression) -> (String, String) {
    use base64::Engine as _;
    use sha2::Digest as _;
    let html = waymark_indicators::render::html(fw, results, Some(area), suppression);
    let mut hashes = Vec::new();
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<style>") {
        let after = &rest[start + "<style>".len()..];
        let Some(end) = after.find("</style>") else { break };
        let digest = sha2::Sha256::digest(&after.as_bytes()[..end]);
        hashes.push(format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
        rest = &after[end..];
    }
    let style = if hashes.is_empty() { "'self'".to_owned() } else { hashes.join(" ") };
    let csp = format!(
        "default-src 'none'; script-src 'none'; style-src {style}; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
    );
    (html, csp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_pack_is_offered() {
        let ids: Vec<&str> = frameworks().iter().map(|f| f.id.as_str()).collect();
        for id in ["dfe-ehcp", "portsmouth-2016", "hertfordshire-2015", "peterborough-2017", "ofsted-area-send"] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
    }

    #[test]
    fn a_drill_down_names_the_engines_cohort() {
        assert_eq!(cohort_of("", None), "all");
        assert_eq!(cohort_of("PO1", None), "locality=PO1");
        assert_eq!(cohort_of("", Some(("need", "ASD"))), "need=ASD");
        assert_eq!(cohort_of("PO1", Some(("phase", "primary"))), "locality=PO1 & phase=primary");
    }

    #[test]
    fn rag_is_always_words_as_well_as_a_colour() {
        use waymark_indicators::Rag;
        for r in [Some(Rag::Green), Some(Rag::Amber), Some(Rag::Red), None] {
            let (words, colour) = rag_words(r);
            assert!(words.len() >= 3 && !colour.is_empty());
        }
    }

    #[test]
    fn trend_charts_escape_text_and_use_no_inline_style() {
        let svg = waymark_indicators::render::svg::line_chart(
            "c",
            "<b>",
            &["2024".into(), "2025".into()],
            &[("Value", vec![Some(1.0), None])],
            Unit::Percent,
        );
        assert!(svg.contains("&lt;b&gt;") && svg.contains(r#"role="img""#));
        assert!(!svg.contains("style="));
    }

    #[test]
    fn the_print_versions_style_is_allowed_by_its_hash_alone() {
        let fw = &frameworks()[0];
        let results = Results { framework: fw.id.clone(), title: fw.title.clone(), rows: vec![], periods: vec![] };
        let (html, csp) = print_html(fw, &results, "851", Suppression::NONE);
        assert!(html.contains("<style>"));
        assert!(csp.contains("style-src 'sha256-") && !csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("script-src 'none'"));
    }
}
