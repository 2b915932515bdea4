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

    /// Whether a row's value would reveal a small count, itself or by difference from a total
    /// ([`protect_from_differencing`]).
    pub fn hides_row(self, unit: Unit, row: &ResultRow) -> bool {
        if row.protected && self.threshold > 0 {
            return true;
        }
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

/// Secondary suppression, as DfE's statistics apply it: where one figure of a breakdown (`need=ASD` among
/// the needs of the same indicator, period, area and locality) is hidden and the total it belongs to is
/// shown, the hidden figure is the total less the others, so the smallest other figure of the breakdown
/// is hidden too (marked [`ResultRow::protected`]). Counts and percentages alike: a hidden percentage's
/// numerator and denominator could be worked out the same way. Rows without counts (rates from manual
/// values, gaps between cohorts) take no part. Government Statistical Service, "Statistical disclosure
/// control" guidance: primary suppression of small cells and secondary suppression of cells from which
/// they could be recovered by differencing.
pub fn protect_from_differencing(fw: &crate::definition::Framework, results: &mut crate::engine::Results, s: Suppression) {
    use std::collections::HashMap;
    if s.threshold == 0 {
        return;
    }
    let unit: HashMap<&str, (Unit, Vec<&'static str>)> =
        fw.indicators.iter().map(|i| (i.id.as_str(), (i.unit, i.breakdowns.iter().map(|d| d.key()).collect()))).collect();
    // (indicator, period, la, parent cohort, dimension) -> the rows of that breakdown.
    type Group = (String, String, String, String, String);
    let mut groups: HashMap<Group, Vec<usize>> = HashMap::new();
    let mut totals: HashMap<(String, String, String, String), usize> = HashMap::new();
    for (i, r) in results.rows.iter().enumerate() {
        let Some((_, dims)) = unit.get(r.indicator.as_str()) else { continue };
        totals.insert((r.indicator.clone(), r.period.clone(), r.la.clone(), r.cohort.clone()), i);
        let (parent, part) = match r.cohort.rsplit_once(" & ") {
            Some((parent, part)) => (parent.to_owned(), part),
            None => ("all".to_owned(), r.cohort.as_str()),
        };
        let Some((dim, _)) = part.split_once('=') else { continue };
        if !dims.contains(&dim) || r.numerator.is_none() {
            continue;
        }
        groups.entry((r.indicator.clone(), r.period.clone(), r.la.clone(), parent, dim.to_owned())).or_default().push(i);
    }
    let mut keys: Vec<&Group> = groups.keys().collect();
    keys.sort();
    // A figure hidden to protect one breakdown can leave another (a locality's own breakdown) with one
    // hidden figure: go round until nothing changes (each round hides at least one more row, or stops).
    loop {
        let mut changed = false;
        for key in &keys {
            let rows = &groups[*key];
            let (ind, period, la, parent, _) = key;
            let u = unit[ind.as_str()].0;
            let Some(&total) = totals.get(&(ind.clone(), period.clone(), la.clone(), parent.clone())) else { continue };
            if s.hides_row(u, &results.rows[total]) {
                continue;
            }
            let hidden = rows.iter().filter(|i| s.hides_row(u, &results.rows[**i])).count();
            if hidden != 1 {
                continue;
            }
            // The smallest figure still shown, preferring one that is not zero (a hidden zero beside a
            // hidden small count still lets the count be worked out when the reader guesses the zero).
            let pick = rows
                .iter()
                .filter(|i| !s.hides_row(u, &results.rows[**i]))
                .min_by_key(|i| {
                    let n = results.rows[**i].numerator.unwrap_or(0);
                    (n == 0, n, results.rows[**i].cohort.clone())
                })
                .copied();
            if let Some(i) = pick {
                results.rows[i].protected = true;
                changed = true;
            }
        }
        if !changed {
            break;
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
            protected: false,
        }
    }

    fn breakdown(cohort: &str, numerator: u64, denominator: Option<u64>) -> ResultRow {
        ResultRow { cohort: cohort.into(), ..row(Some(numerator), denominator, Some(numerator as f64)) }
    }

    fn needs_framework(unit: &str) -> crate::definition::Framework {
        let (denominator, measure) = if unit == "percent" { ("denominator = \"census_pupils\"\n", "facts") } else { ("", "facts") };
        let toml = format!(
            "[framework]\nid = \"f\"\ntitle = \"F\"\ngroups = [{{ id = \"g\", title = \"g\" }}]\n\n[[indicator]]\nid = \"i\"\ntitle = \"t\"\ndefinition = \"t\"\ngroup = \"g\"\nunit = \"{unit}\"\nperiod = \"academic_year\"\npolarity = \"neutral\"\nmeasure = \"{measure}\"\nnumerator = \"census_pupils & sen(ehc_plan)\"\n{denominator}breakdowns = [\"need\"]\nsource = \"t\"\n"
        );
        crate::definition::parse_framework("t.toml", &toml).expect("a framework").0
    }

    fn results(rows: Vec<ResultRow>) -> crate::engine::Results {
        crate::engine::Results { framework: "f".into(), title: "F".into(), rows, periods: vec!["2025".into()] }
    }

    #[test]
    fn gss_secondary_suppression_hides_the_next_smallest_figure_when_one_could_be_worked_out_from_the_total() {
        let fw = needs_framework("count");
        let s = Suppression { threshold: 5 };
        let mut r = results(vec![
            row(Some(40), None, Some(40.0)),
            breakdown("need=ASD", 3, None),
            breakdown("need=MLD", 10, None),
            breakdown("need=SLD", 27, None),
        ]);
        protect_from_differencing(&fw, &mut r, s);
        let shown: Vec<String> = r.rows.iter().map(|x| s.show(Unit::Count, x).value).collect();
        // ASD's 3 is small; shown beside 40, 10 and 27 it would be 40 - 10 - 27: MLD is hidden too.
        assert_eq!(shown, ["40", SUPPRESSED, SUPPRESSED, "27"]);
        // An analyst's full figures (no suppression) are unchanged.
        assert_eq!(Suppression::NONE.show(Unit::Count, &r.rows[2]).value, "10");
    }

    #[test]
    fn gss_secondary_suppression_leaves_a_breakdown_alone_when_two_are_hidden_or_the_total_is() {
        let fw = needs_framework("count");
        let s = Suppression { threshold: 5 };
        let mut two = results(vec![
            row(Some(40), None, Some(40.0)),
            breakdown("need=ASD", 3, None),
            breakdown("need=HI", 2, None),
            breakdown("need=SLD", 35, None),
        ]);
        protect_from_differencing(&fw, &mut two, s);
        assert!(two.rows.iter().all(|x| !x.protected), "two hidden figures cannot be told apart from their sum");
        let mut small_total = results(vec![row(Some(4), None, Some(4.0)), breakdown("need=ASD", 4, None)]);
        protect_from_differencing(&fw, &mut small_total, s);
        assert!(small_total.rows.iter().all(|x| !x.protected));
    }

    #[test]
    fn gss_secondary_suppression_protects_percentages_by_their_counts_and_skips_a_zero() {
        let fw = needs_framework("percent");
        let s = Suppression { threshold: 5 };
        let mut r = results(vec![
            row(Some(30), Some(60), Some(50.0)),
            breakdown("need=ASD", 2, Some(10)),
            breakdown("need=HI", 0, Some(8)),
            breakdown("need=MLD", 12, Some(20)),
            breakdown("need=SLD", 16, Some(22)),
        ]);
        protect_from_differencing(&fw, &mut r, s);
        let protected: Vec<&str> = r.rows.iter().filter(|x| x.protected).map(|x| x.cohort.as_str()).collect();
        // ASD's 2 of 10 is hidden; HI's 0 of 8 is shown (nothing in it is small) but passed over as a
        // zero: the smallest non-zero figure shown, MLD's 12 of 20, is hidden with it.
        assert_eq!(protected, ["need=MLD"]);
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
