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

/// The figures of `refs` for LA `la`, in the order given.
pub fn figures(frameworks: &[Framework], results: &[Results], la: &str, suppression: Suppression, refs: &[IndicatorRef]) -> Vec<Figure> {
    refs.iter().map(|r| figure(frameworks, results, la, suppression, r)).collect()
}

fn figure(frameworks: &[Framework], results: &[Results], la: &str, suppression: Suppression, r: &IndicatorRef) -> Figure {
    let Some((fw, ind)) = frameworks.iter().find(|f| f.id == r.pack).and_then(|f| f.indicators.iter().find(|i| i.id == r.id).map(|i| (f, i)))
    else {
        return Figure::missing(r, "Not an indicator of this installation's frameworks");
    };
    let title = if ind.number.is_empty() { ind.title.clone() } else { format!("{} {}", ind.number, ind.title) };
    let title = format!("{title} ({})", fw.title.split(':').next().unwrap_or(&fw.title).trim());
    let rows: Vec<_> = results.iter().find(|x| x.framework == fw.id).map(|x| x.trend(&ind.id, la, "all").collect()).unwrap_or_default();
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
