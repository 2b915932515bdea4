//! The linked indicators' live figures (feature `live`): each `pack/indicator_id` looked up in the
//! indicators crate's results for one LA (cohort `all`), its latest value, target and rating, and its
//! trend, formatted by the indicators crate's `present` (Waymark's one number format and rating words).
//! The CLI and the web compute the results as they do for the frameworks' pages and pass them here.

use crate::plan::IndicatorRef;
use crate::report::Figure;
use waymark_indicators::present::{self, Suppression};
use waymark_indicators::{Framework, Results, Status};

/// Whether the installation's frameworks hold the indicator.
pub fn known(frameworks: &[Framework], r: &IndicatorRef) -> bool {
    frameworks.iter().any(|f| f.id == r.pack && f.indicators.iter().any(|i| i.id == r.id))
}

/// The most periods a trend shows.
pub const TREND_PERIODS: usize = 5;

/// The figures of `refs` for LA `la` as they stand on `today`, in the order given.
pub fn figures(
    frameworks: &[Framework],
    results: &[Results],
    la: &str,
    suppression: Suppression,
    today: chrono::NaiveDate,
    refs: &[IndicatorRef],
) -> Vec<Figure> {
    refs.iter().map(|r| figure(frameworks, results, la, suppression, today, r)).collect()
}

/// Whether a result's period is still to come on `today`: a census day after it (the engine labels the
/// census that closes the current calendar year, `2027-01-21`, before that day has come, and its
/// "snapshot" would be of a day not yet reached). Such a period is never shown as the latest.
pub fn not_yet(ind: &waymark_indicators::Indicator, period: &str, today: chrono::NaiveDate) -> bool {
    ind.period == waymark_indicators::period::PeriodKind::Census
        && chrono::NaiveDate::parse_from_str(period, "%Y-%m-%d").is_ok_and(|day| day > today)
}

fn figure(
    frameworks: &[Framework],
    results: &[Results],
    la: &str,
    suppression: Suppression,
    today: chrono::NaiveDate,
    r: &IndicatorRef,
) -> Figure {
    let Some((fw, ind)) =
        frameworks.iter().find(|f| f.id == r.pack).and_then(|f| f.indicators.iter().find(|i| i.id == r.id).map(|i| (f, i)))
    else {
        return Figure::missing(r, "Not an indicator of this installation's frameworks");
    };
    let title = if ind.number.is_empty() { ind.title.clone() } else { format!("{} {}", ind.number, ind.title) };
    let title = format!("{title} ({})", fw.title.split(':').next().unwrap_or(&fw.title).trim());
    let rows: Vec<_> = results
        .iter()
        .find(|x| x.framework == fw.id)
        .map(|x| x.trend(&ind.id, la, "all").filter(|row| !not_yet(ind, &row.period, today)).collect())
        .unwrap_or_default();
    let Some(latest) = rows.iter().rev().find(|row| row.value.is_some()).copied() else {
        let why = if rows.iter().any(|row| row.status == Status::AwaitingData) {
            "Awaiting data: the partner agency's records are not loaded"
        } else if rows.iter().any(|row| row.status == Status::ManualMissing) {
            "Entered by hand: no value entered yet"
        } else {
            "No figures for this area yet"
        };
        let mut f = Figure::missing(r, why);
        f.title = title;
        return f;
    };
    let (rag_words, rag_colour) = present::rating_words(latest.rag);
    let shown = suppression.show(ind.unit, latest);
    let with_value: Vec<_> = rows.iter().filter(|row| row.value.is_some()).collect();
    let trend = with_value[with_value.len().saturating_sub(TREND_PERIODS)..]
        .iter()
        .map(|row| (present::period_words(&row.period), suppression.show(ind.unit, row).value))
        .collect();
    Figure {
        reference: r.clone(),
        title,
        period: present::period_words(&latest.period),
        // A suppressed value is not given out as a number either.
        value: if shown.suppressed { None } else { latest.value },
        value_text: shown.value,
        target: latest.target,
        target_text: latest.target.map_or_else(|| "No target set".to_owned(), |t| present::value(t, ind.unit)),
        rag: latest.rag.map(|g| g.as_str().to_owned()),
        rag_words: rag_words.to_owned(),
        rag_colour: rag_colour.to_owned(),
        rag_text: present::rating_sentence(ind, latest),
        trend,
    }
}

/// The Ofsted/CQC area SEND framework's pack: each evaluation statement links the indicators that
/// evidence it.
pub const AREA_SEND_PACK: &str = "ofsted-area-send";

/// The framework's indicators: each evaluation statement's title with each indicator its pack names as
/// evidence, in the pack's order (an indicator the installation does not hold is left out).
pub fn framework_refs(frameworks: &[Framework]) -> Vec<(String, IndicatorRef)> {
    let Some(pack) = frameworks.iter().find(|f| f.id == AREA_SEND_PACK) else { return Vec::new() };
    pack.indicators
        .iter()
        .flat_map(|statement| {
            statement
                .evidence
                .iter()
                .filter_map(|e| e.parse::<IndicatorRef>().ok())
                .filter(|r| known(frameworks, r))
                .map(|r| (statement.title.clone(), r))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Where an indicator's figures come from: the indicator's own source, else its framework's.
pub fn source(frameworks: &[Framework], r: &IndicatorRef) -> String {
    frameworks
        .iter()
        .find(|f| f.id == r.pack)
        .and_then(|f| {
            f.indicators.iter().find(|i| i.id == r.id).map(|i| if i.source.trim().is_empty() { f.source.clone() } else { i.source.clone() })
        })
        .unwrap_or_default()
}

/// The results the figures are looked up in, computed from the store for the actor's scope as the
/// frameworks' pages compute them (manual values, local targets, the LA's small-number threshold), for
/// the frameworks that `refs` name (and those their evidence cites). Reads are the indicators crate's
/// audited bulk reads.
pub async fn compute(
    store: &waymark_storage::SqliteStore,
    audit: &waymark_storage::AuditSink,
    actor: &waymark_storage::Actor,
    today: chrono::NaiveDate,
    la: &str,
    frameworks: &[Framework],
    refs: &[IndicatorRef],
) -> Result<(Vec<Results>, Suppression), waymark_storage::StoreError> {
    use waymark_indicators::definition::MeasureKind;
    use waymark_storage::IndicatorStore;
    let table = waymark_indicators::source::load_from_store(store, actor, today, audit).await?;
    let manual = store.manual_values(actor).await?;
    let targets = store.targets(actor).await?;
    let threshold = store.suppression_threshold(actor, la).await?;
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
    for t in targets {
        if let Some(v) = t.value {
            values.targets.insert((t.framework, t.indicator, t.period, t.la), v);
        }
    }
    let chosen: Vec<&Framework> = frameworks.iter().filter(|f| refs.iter().any(|r| r.pack == f.id)).collect();
    let needed: Vec<&Framework> = if chosen.iter().any(|f| f.indicators.iter().any(|i| i.measure == MeasureKind::Evidence)) {
        frameworks.iter().collect()
    } else {
        chosen
    };
    let periods = if table.years().is_empty() {
        waymark_indicators::PeriodSel::Year(chrono::Datelike::year(&today))
    } else {
        waymark_indicators::PeriodSel::AllYears
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let results = waymark_indicators::compute_all_threads(
        &needed,
        &table,
        &waymark_indicators::Scope::All,
        &periods,
        &values,
        &waymark_indicators::Loaded::default(),
        threads,
    );
    Ok((results, Suppression { threshold }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv_format;

    #[test]
    fn the_transcribed_portsmouth_2016_plan_reads_with_every_linked_indicator_known() {
        let frameworks = waymark_indicators::load(None).unwrap();
        let strands = csv_format::parse("portsmouth-2016.csv", crate::demo::PORTSMOUTH_2016_PLAN, &|r| known(&frameworks, r)).unwrap();
        assert_eq!(strands.len(), 6, "strands A to F");
        let counts: Vec<usize> = strands.iter().map(|s| s.items.len()).collect();
        assert_eq!(counts, [5, 9, 11, 4, 4, 4], "as many deliverables per strand as Part III lists");
        assert_eq!(strands[1].items[5].title, "Improved percentage of EHCPs completed within statutory timescales");
        for se in crate::demo::portsmouth_self_evaluations() {
            for e in &se.areas {
                assert!(e.indicators.iter().all(|r| known(&frameworks, r)), "{:?}", e.indicators);
            }
        }
    }

    fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_census_day_after_the_reports_date_is_never_its_latest_period() {
        // The caseload is a snapshot on the January census day (SEN2 guide: plans in force on census
        // day); on 4 December 2026 the census that closes 2026 (21 January 2027) has not happened.
        let frameworks = waymark_indicators::load(None).unwrap();
        let r: IndicatorRef = "dfe-ehcp/caseload_at_census".parse().unwrap();
        let row = |period: &str, value: f64| waymark_indicators::ResultRow {
            framework: "dfe-ehcp".into(),
            indicator: "caseload_at_census".into(),
            period: period.into(),
            la: "851".into(),
            cohort: "all".into(),
            numerator: Some(value as u64),
            denominator: None,
            value: Some(value),
            target: None,
            rag: None,
            status: Status::Computed,
            england: None,
            neighbours: None,
            comparator: None,
            not_rated: None,
            protected: false,
        };
        let results = vec![Results {
            framework: "dfe-ehcp".into(),
            title: String::new(),
            rows: vec![row("2025-01-16", 900.0), row("2026-01-15", 950.0), row("2027-01-21", 990.0)],
            periods: vec![],
        }];
        let f = &figures(&frameworks, &results, "851", Suppression::NONE, day(2026, 12, 4), std::slice::from_ref(&r))[0];
        assert_eq!((f.value, f.period.as_str()), (Some(950.0), "2026-01-15"));
        assert!(f.trend.iter().all(|(p, _)| !p.contains("2027")), "{:?}", f.trend);
        let after = &figures(&frameworks, &results, "851", Suppression::NONE, day(2027, 1, 21), std::slice::from_ref(&r))[0];
        assert_eq!(after.value, Some(990.0), "on census day itself the snapshot is taken");
    }

    #[test]
    fn a_figure_is_the_latest_value_with_its_target_rating_and_trend_and_an_unknown_one_says_so() {
        let frameworks = waymark_indicators::load(None).unwrap();
        let r: IndicatorRef = "dfe-ehcp/plans_issued".parse().unwrap();
        let row = |period: &str, value: Option<f64>| waymark_indicators::ResultRow {
            framework: "dfe-ehcp".into(),
            indicator: "plans_issued".into(),
            period: period.into(),
            la: "851".into(),
            cohort: "all".into(),
            numerator: value.map(|v| v as u64),
            denominator: None,
            value,
            target: Some(300.0),
            rag: Some(waymark_indicators::Rag::Amber),
            status: Status::Computed,
            england: None,
            neighbours: None,
            comparator: None,
            not_rated: None,
            protected: false,
        };
        let results = vec![Results {
            framework: "dfe-ehcp".into(),
            title: String::new(),
            rows: vec![row("2024", Some(250.0)), row("2025", Some(1280.0)), row("2026", None)],
            periods: vec![],
        }];
        let f = &figures(&frameworks, &results, "851", Suppression::NONE, day(2026, 6, 1), std::slice::from_ref(&r))[0];
        assert_eq!((f.value, f.value_text.as_str(), f.period.as_str()), (Some(1280.0), "1,280", "2025"));
        assert_eq!((f.target_text.as_str(), f.rag.as_deref(), f.rag_words.as_str()), ("300", Some("amber"), "Amber"));
        assert_eq!(f.trend, [("2024".to_owned(), "250".to_owned()), ("2025".to_owned(), "1,280".to_owned())]);
        let other = figures(&frameworks, &results, "886", Suppression::NONE, day(2026, 6, 1), std::slice::from_ref(&r));
        assert_eq!((other[0].value, other[0].value_text.as_str()), (None, "No figures for this area yet"));
        let unknown: IndicatorRef = "dfe-ehcp/nonsense".parse().unwrap();
        assert!(figures(&frameworks, &results, "851", Suppression::NONE, day(2026, 6, 1), &[unknown])[0]
            .value_text
            .starts_with("Not an indicator"));
    }
}
