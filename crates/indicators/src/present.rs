//! How a figure is shown to people: one number format, ratings in words with the rule that made them,
//! the reason where there is none, small numbers suppressed, and codes by their names. The web pages,
//! the printable report and the XLSX board pack all show figures through here, so one measure reads the
//! same everywhere. Machine outputs (the CSV and JSON) keep plain numbers and codes.

use crate::definition::{Dimension, Indicator, Polarity, Unit};
use crate::engine::{Against, Rag, ResultRow};
use crate::expr::Base;
use waymark_domain::need::NeedCode;

/// A whole number with thousands separators: `12,345`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number as people read it: whole numbers with separators, others to one decimal place.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let s = count(v.abs() as u64);
        if v < 0.0 {
            format!("-{s}")
        } else {
            s
        }
    } else {
        let r = (v * 10.0).round() / 10.0;
        let whole = r.trunc();
        let tenth = ((r - whole).abs() * 10.0).round() as u64;
        let sign = if r < 0.0 { "-" } else { "" };
        format!("{sign}{}.{tenth}", count(whole.abs() as u64))
    }
}

/// A number rounded to a whole one, with separators: `-1,235`.
pub fn whole(x: f64) -> String {
    let n = x.round();
    let s = count(n.abs() as u64);
    if n < 0.0 {
        format!("-{s}")
    } else {
        s
    }
}

/// Money in whole pounds: `£1,234,567`, `-£300`.
pub fn money(x: f64) -> String {
    if x.round() < 0.0 {
        format!("-£{}", whole(-x))
    } else {
        format!("£{}", whole(x))
    }
}

/// A change with its sign: `+12`, `-3`, `0`.
pub fn signed(x: f64) -> String {
    if x.round() > 0.0 {
        format!("+{}", whole(x))
    } else {
        whole(x)
    }
}

/// A value in its unit: `35.2%`, `1,204`, `4.1 per 1,000`.
pub fn value(v: f64, unit: Unit) -> String {
    format!("{}{}", number(v), crate::render::unit_suffix(unit))
}

/// A period's label as people read it: a month `2026-03` is "March 2026"; other labels (`2025`,
/// `2024/25`, `2025-Q1`, a census date) already read plainly.
pub fn period_words(label: &str) -> String {
    const MONTHS: [&str; 12] =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    let b = label.as_bytes();
    if b.len() == 7 && b[4] == b'-' {
        if let (Ok(y), Ok(m)) = (label[..4].parse::<i32>(), label[5..].parse::<usize>()) {
            if (1..=12).contains(&m) {
                return format!("{} {y}", MONTHS[m - 1]);
            }
        }
    }
    label.to_owned()
}

/// Red, amber or green in words, with a GOV.UK tag colour (colour is never the only signal).
pub fn rating_words(rag: Option<Rag>) -> (&'static str, &'static str) {
    match rag {
        Some(Rag::Green) => ("Green", "green"),
        Some(Rag::Amber) => ("Amber", "yellow"),
        Some(Rag::Red) => ("Red", "red"),
        None => ("Not rated", "grey"),
    }
}

/// The band the pack declares for amber, in words.
fn band(ind: &Indicator) -> String {
    if ind.rag.points {
        format!("{} percentage points", number(ind.rag.amber_within))
    } else {
        format!("{}% of it", number(ind.rag.amber_within))
    }
}

/// The rule stated beside a rating: what it was compared with and how; or why there is no rating.
pub fn rating_sentence(ind: &Indicator, row: &ResultRow) -> String {
    let Some(c) = &row.comparator else {
        return row.not_rated.map_or_else(|| "There is no value to rate.".to_owned(), |n| n.sentence().to_owned());
    };
    let direction = if ind.polarity == Polarity::LowerIsBetter { "at or below" } else { "at or above" };
    let against = match c.against {
        Against::Target => format!("the local target for {} of {}", period_words(&c.period), value(c.value, ind.unit)),
        Against::England if c.period == row.period => {
            format!("England's figure for {} of {} (no local target is set)", c.period, value(c.value, ind.unit))
        }
        Against::England => format!(
            "England's latest published figure, {} for {} (none is published yet for {}, and no local target is set)",
            value(c.value, ind.unit),
            c.period,
            period_words(&row.period)
        ),
    };
    format!("Rated against {against}: green {direction} it, amber within {}, red beyond.", band(ind))
}

/// What a row's rating compared with, in a few words ("England 2024", "Local target for 2025"), or why
/// it has no rating.
pub fn rated_against(row: &ResultRow) -> String {
    match &row.comparator {
        Some(c) if c.against == Against::Target => format!("Local target for {}", period_words(&c.period)),
        Some(c) => format!("England {}", c.period),
        None => row.not_rated.map_or_else(String::new, |n| n.short().to_owned()),
    }
}

/// Small numbers kept from board pages and exports, as DfE's statistics do: a count from 1 to the
/// threshold shows as `c`, and so does any percentage or rate whose numerator or denominator would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suppression {
    pub threshold: u32,
}

/// The mark shown in place of a suppressed figure.
pub const SUPPRESSED: &str = "c";

/// A row's figures as shown, after suppression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub numerator: String,
    pub denominator: String,
    pub value: String,
    pub suppressed: bool,
}

impl Suppression {
    pub const NONE: Suppression = Suppression { threshold: 0 };

    /// Whether a count is small enough to hide.
    pub fn hides(self, n: u64) -> bool {
        n >= 1 && n <= u64::from(self.threshold)
    }

    /// Whether a row's value would reveal a small count.
    pub fn hides_row(self, unit: Unit, row: &ResultRow) -> bool {
        let small = |n: Option<u64>| n.is_some_and(|n| self.hides(n));
        match unit {
            Unit::Count => small(row.numerator) || row.numerator.is_none() && row.value.is_some_and(|v| v >= 1.0 && self.hides(v as u64)),
            _ => small(row.numerator) || small(row.denominator) || small(row.denominator.zip(row.numerator).map(|(d, n)| d - n.min(d))),
        }
    }

    /// The row's numerator, denominator and value as people see them (`-` where there is none).
    pub fn show(self, unit: Unit, row: &ResultRow) -> Shown {
        let hide = self.hides_row(unit, row);
        let n = |v: Option<u64>| match v {
            None => "-".to_owned(),
            Some(_) if hide => SUPPRESSED.to_owned(),
            Some(v) => count(v),
        };
        Shown {
            numerator: n(row.numerator),
            denominator: n(row.denominator),
            value: if hide { SUPPRESSED.to_owned() } else { row.value.map_or_else(|| "-".to_owned(), |v| value(v, unit)) },
            suppressed: hide,
        }
    }
}

/// A breakdown's value by its name: `need=ASD` is "Autistic spectrum disorder", `phase=post16` is
/// "Post-16".
pub fn dimension_value(dimension: &str, code: &str) -> String {
    match dimension {
        "need" => code.parse::<NeedCode>().map_or_else(|_| code.to_owned(), |n| n.label().to_owned()),
        "broad_need" => match code {
            "communication_and_interaction" => "Communication and interaction",
            "cognition_and_learning" => "Cognition and learning",
            "semh" => "Social, emotional and mental health",
            "sensory_and_physical" => "Sensory and/or physical",
            "none" => "No need recorded",
            _ => "Not known",
        }
        .to_owned(),
        "phase" => match code {
            "early_years" => "Early years",
            "primary" => "Primary",
            "secondary" => "Secondary",
            "post16" => "Post-16",
            "post19" => "Post-19",
            _ => "Not known",
        }
        .to_owned(),
        "setting" => match code {
            "mainstream" => "Mainstream school",
            "independent_mainstream" => "Independent mainstream school",
            "special" => "Special school",
            "independent_special" => "Independent special school",
            "non_maintained_special" => "Non-maintained special school",
            "alternative_provision" => "Alternative provision",
            "further_education" => "Further education",
            "early_years" => "Early years setting",
            "elective_home_education" => "Educated at home",
            "neet" => "Not in education, employment or training",
            "other_arrangements" => "Other arrangements",
            "other" => "Other",
            _ => "Not known",
        }
        .to_owned(),
        "sex" => if code == "F" { "Female" } else { "Male" }.to_owned(),
        "fsm" => match code {
            "yes" => "Eligible for free school meals",
            "no" => "Not eligible for free school meals",
            _ => "Not known",
        }
        .to_owned(),
        _ => code.to_owned(),
    }
}

/// A cohort label (`need=ASD`, `locality=North & phase=primary`) in words.
pub fn cohort_words(cohort: &str) -> String {
    if cohort == "all" {
        return "Everyone".to_owned();
    }
    cohort
        .split(" & ")
        .map(|part| match part.split_once('=') {
            Some(("locality", v)) => format!("Locality: {v}"),
            Some((k, v)) => dimension_value(k, v),
            None => match part {
                "ehc_plan" => "With an EHC plan".to_owned(),
                "sen_support" => "On SEN support".to_owned(),
                "any_sen" => "With SEN".to_owned(),
                "no_sen" => "With no SEN".to_owned(),
                other => other.replace('_', " "),
            },
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a base set counts, in words.
fn base_words(base: Base) -> &'static str {
    crate::expr::base_words(base)
}

/// What a rate or percentage is out of, in words ("new plans issued in the year"), from its
/// denominator; `None` for a count.
pub fn denominator_words(ind: &Indicator) -> Option<String> {
    if ind.unit == Unit::Count {
        return None;
    }
    let den = ind.denominator.as_ref()?;
    let mut parts: Vec<String> = Vec::new();
    for t in &den.terms {
        let mut w = base_words(t.base).to_owned();
        if let Some(s) = t.preds.iter().find_map(crate::expr::sen_words) {
            w = format!("{w} {s}");
        }
        if !parts.contains(&w) {
            parts.push(w);
        }
    }
    Some(parts.join(" and "))
}

/// A chart's title: what is measured and, for a rate or percentage, out of what.
pub fn chart_title(ind: &Indicator, area: &str) -> String {
    let label = if ind.number.is_empty() { ind.title.clone() } else { format!("{} {}", ind.number, ind.title) };
    match (ind.unit, denominator_words(ind)) {
        (Unit::Percent, Some(d)) => format!("{label}: percentage of {d}, {area}"),
        (Unit::RatePer1000, Some(d)) => format!("{label}: per 1,000 {d}, {area}"),
        (Unit::Average, Some(d)) => format!("{label}: average over {d}, {area}"),
        _ => format!("{label}: number, {area}"),
    }
}

/// The breakdown dimension of a cohort label, if it is one (`need=ASD` → need).
pub fn dimension_of(cohort: &str) -> Option<Dimension> {
    let key = cohort.rsplit(" & ").next()?.split_once('=')?.0;
    [Dimension::Need, Dimension::BroadNeed, Dimension::Phase, Dimension::Setting, Dimension::Locality, Dimension::Sex, Dimension::Fsm]
        .into_iter()
        .find(|d| d.key() == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Status;

    fn row(numerator: Option<u64>, denominator: Option<u64>, value: Option<f64>) -> ResultRow {
        ResultRow {
            framework: "f".into(),
            indicator: "i".into(),
            period: "2025".into(),
            la: "851".into(),
            cohort: "all".into(),
            numerator,
            denominator,
            value,
            target: None,
            rag: None,
            status: Status::Computed,
            england: None,
            neighbours: None,
            comparator: None,
            not_rated: None,
        }
    }

    #[test]
    fn numbers_read_with_separators_and_one_decimal_place() {
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(999), "999");
        assert_eq!(number(36.36), "36.4");
        assert_eq!(number(4938.0), "4,938");
        assert_eq!(number(-2.25), "-2.3");
        assert_eq!(value(36.4, Unit::Percent), "36.4%");
        assert_eq!(value(4.1, Unit::RatePer1000), "4.1 per 1,000");
        assert_eq!(period_words("2026-03"), "March 2026");
        assert_eq!(
            (money(1234567.4), money(-300.0), signed(12.2), signed(-3.0)),
            ("£1,234,567".into(), "-£300".into(), "+12".into(), "-3".into())
        );
        assert_eq!(period_words("2024/25"), "2024/25");
    }

    #[test]
    fn counts_from_one_to_the_threshold_show_as_c_with_the_percentages_that_would_reveal_them() {
        let s = Suppression { threshold: 5 };
        let small = s.show(Unit::Count, &row(Some(3), None, Some(3.0)));
        assert_eq!((small.numerator.as_str(), small.denominator.as_str(), small.value.as_str()), ("c", "-", "c"), "no denominator stays -");
        assert_eq!(s.show(Unit::Count, &row(Some(0), None, Some(0.0))).value, "0", "zero is not disclosive");
        assert_eq!(s.show(Unit::Count, &row(Some(6), None, Some(6.0))).value, "6");
        let pct = s.show(Unit::Percent, &row(Some(2), Some(40), Some(5.0)));
        assert_eq!((pct.numerator.as_str(), pct.denominator.as_str(), pct.value.as_str()), ("c", "c", "c"));
        // 38 of 40 reveals the 2 who were not: suppressed too.
        assert!(s.show(Unit::Percent, &row(Some(38), Some(40), Some(95.0))).suppressed);
        assert_eq!(s.show(Unit::Percent, &row(Some(20), Some(40), Some(50.0))).value, "50%");
        assert_eq!(Suppression::NONE.show(Unit::Count, &row(Some(1), None, Some(1.0))).value, "1");
    }

    #[test]
    fn codes_are_shown_by_their_names() {
        assert_eq!(dimension_value("need", "ASD"), "Autistic spectrum disorder");
        assert_eq!(dimension_value("phase", "post16"), "Post-16");
        assert_eq!(cohort_words("locality=North & need=SEMH"), "Locality: North, Social, emotional and mental health");
        assert_eq!(cohort_words("all"), "Everyone");
    }
}
