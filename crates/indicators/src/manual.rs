//! Manual-entry values: what no person-level record holds (stakeholder confidence, survey results,
//! partner services' figures), entered as CSV with the columns
//! `framework,indicator,period,la,cohort,value` (`la` is `england` or an LA code; `cohort` usually
//! `all`). The store keeps them in `indicator_manual_value` (see `waymark_storage::IndicatorStore`).

use crate::definition::{Framework, MeasureKind};
use crate::engine::ManualValues;

/// One manual value as entered.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualValue {
    pub framework: String,
    pub indicator: String,
    pub period: String,
    pub la: String,
    pub cohort: String,
    pub value: f64,
}

/// Read manual values from CSV text, checking each names a manual indicator of a known framework.
/// Errors name the file, line and column.
pub fn parse_csv(file: &str, text: &str, frameworks: &[Framework]) -> Result<Vec<ManualValue>, String> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| format!("{file}:1: {e}"))?.clone();
    let expected = ["framework", "indicator", "period", "la", "cohort", "value"];
    if headers.iter().collect::<Vec<_>>() != expected {
        return Err(format!("{file}:1: the header must be {}", expected.join(",")));
    }
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("{file}:{line}: {e}"))?;
        let field = |n: usize| rec.get(n).unwrap_or("").to_owned();
        let (fw, ind) = (field(0), field(1));
        let f = frameworks.iter().find(|f| f.id == fw).ok_or_else(|| format!("{file}:{line}: framework: '{fw}' is not a framework"))?;
        let def = f
            .indicators
            .iter()
            .find(|x| x.id == ind)
            .ok_or_else(|| format!("{file}:{line}: indicator: '{ind}' is not an indicator of {fw}"))?;
        if def.measure != MeasureKind::Manual {
            return Err(format!("{file}:{line}: indicator: '{ind}' is computed from records, not entered by hand"));
        }
        let period = field(2);
        if crate::period::year_of_label(&period).is_none() {
            return Err(format!("{file}:{line}: period: '{period}' is not a period (e.g. 2024, 2024/25, FY2024/25, 2024-Q1)"));
        }
        let la = field(3);
        if la != "england" && la.parse::<waymark_domain::identifiers::LaCode>().is_err() {
            return Err(format!("{file}:{line}: la: '{la}' is neither 'england' nor an LA code"));
        }
        let value: f64 = field(5).parse().map_err(|_| format!("{file}:{line}: value: '{}' is not a number", field(5)))?;
        if !value.is_finite() {
            return Err(format!("{file}:{line}: value: must be a finite number"));
        }
        let cohort = if field(4).is_empty() { "all".to_owned() } else { field(4) };
        out.push(ManualValue { framework: fw, indicator: ind, period, la, cohort, value });
    }
    Ok(out)
}

/// Index manual values for the engine.
pub fn index(values: &[ManualValue]) -> ManualValues {
    let mut m = ManualValues::default();
    for v in values {
        m.values.insert((v.framework.clone(), v.indicator.clone(), v.period.clone(), v.la.clone(), v.cohort.clone()), v.value);
    }
    m
}
