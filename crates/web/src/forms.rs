//! Reading submitted forms: every field arrives as text, is parsed here, and each problem becomes a
//! message keyed by the field's id, so the error summary links to it (GOV.UK error summary pattern).
//! Bad input never panics and never reaches the store unparsed.

use axum::body::Bytes;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// A submitted form: each name with every value sent for it.
#[derive(Debug, Default, Clone)]
pub struct FormData(pub BTreeMap<String, Vec<String>>);

impl FormData {
    /// Parse `application/x-www-form-urlencoded`; undecodable input gives an empty form.
    pub fn parse(body: &Bytes) -> Self {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            map.entry(k).or_default().push(v);
        }
        Self(map)
    }

    /// The first value of a field, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> String {
        self.0.get(name).and_then(|v| v.first()).map(|s| s.trim().to_owned()).unwrap_or_default()
    }

    /// The untrimmed first value (for text whose spacing matters).
    pub fn raw(&self, name: &str) -> String {
        self.0.get(name).and_then(|v| v.first()).cloned().unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.get(name).cloned().unwrap_or_default().into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
    }

    /// Every field as a flat list (for carrying a form through a check-your-answers page).
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.0.iter().flat_map(|(k, vs)| vs.iter().map(move |v| (k.clone(), v.clone()))).filter(|(k, _)| k != "csrf").collect()
    }
}

/// One problem with a field: the id of the element to link to, and the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub href: String,
    pub text: String,
}

/// The problems found with a form, in the order of its fields.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn add(&mut self, field: &str, href: &str, text: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), href: href.into(), text: text.into() });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The message for one field, for the inline error.
    pub fn map(&self) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        for e in &self.0 {
            m.entry(e.field.clone()).or_insert_with(|| e.text.clone());
        }
        m
    }
}

/// The three boxes of a GOV.UK date input, as typed.
#[derive(Debug, Default, Clone, Serialize)]
pub struct DateParts {
    pub day: String,
    pub month: String,
    pub year: String,
}

impl DateParts {
    pub fn from_form(form: &FormData, name: &str) -> Self {
        Self { day: form.get(&format!("{name}-day")), month: form.get(&format!("{name}-month")), year: form.get(&format!("{name}-year")) }
    }
}

/// Parse a date input named `name` described as `what` ("the date of the decision"), with GOV.UK's
/// messages: which part is missing, or that it must be a real date; `not_after` refuses future dates.
pub fn parse_date(form: &FormData, name: &str, what: &str, not_after: Option<NaiveDate>, errors: &mut Errors) -> Option<NaiveDate> {
    let parts = DateParts::from_form(form, name);
    let missing: Vec<&str> = [("day", &parts.day), ("month", &parts.month), ("year", &parts.year)]
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(k, _)| *k)
        .collect();
    let first_missing = missing.first().copied().unwrap_or("day");
    if missing.len() == 3 {
        errors.add(name, &format!("{name}-day"), format!("Enter {what}"));
        return None;
    }
    if !missing.is_empty() {
        errors.add(name, &format!("{name}-{first_missing}"), format!("{} must include a {}", capitalise(what), missing.join(" and ")));
        return None;
    }
    let number = |s: &str| s.parse::<u32>().ok();
    let (Some(d), Some(m), Some(y)) = (number(&parts.day), number(&parts.month), number(&parts.year)) else {
        errors.add(name, &format!("{name}-day"), format!("{} must be a real date", capitalise(what)));
        return None;
    };
    if parts.year.len() != 4 {
        errors.add(name, &format!("{name}-year"), "Year must include 4 numbers");
        return None;
    }
    let Some(date) = i32::try_from(y).ok().and_then(|y| NaiveDate::from_ymd_opt(y, m, d)) else {
        errors.add(name, &format!("{name}-day"), format!("{} must be a real date", capitalise(what)));
        return None;
    };
    if let Some(limit) = not_after {
        if date > limit {
            errors.add(name, &format!("{name}-day"), format!("{} must be today or in the past", capitalise(what)));
            return None;
        }
    }
    Some(date)
}

pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData::parse(&Bytes::from(serde_urlencoded::to_string(pairs).unwrap()))
    }

    #[test]
    fn a_date_input_names_the_missing_part_and_links_to_it() {
        let mut errors = Errors::default();
        let f = form(&[("date-day", "3"), ("date-month", ""), ("date-year", "2026")]);
        assert_eq!(parse_date(&f, "date", "the date of the decision", None, &mut errors), None);
        assert_eq!(errors.0[0].text, "The date of the decision must include a month");
        assert_eq!(errors.0[0].href, "date-month");
    }

    #[test]
    fn a_date_input_refuses_impossible_and_future_dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let mut errors = Errors::default();
        assert_eq!(
            parse_date(&form(&[("d-day", "30"), ("d-month", "2"), ("d-year", "2026")]), "d", "the date", Some(today), &mut errors),
            None
        );
        assert_eq!(
            parse_date(&form(&[("d-day", "1"), ("d-month", "1"), ("d-year", "2027")]), "d", "the date", Some(today), &mut errors),
            None
        );
        assert_eq!(
            parse_date(&form(&[("d-day", "x"), ("d-month", "1"), ("d-year", "2026")]), "d", "the date", Some(today), &mut errors),
            None
        );
        assert_eq!(
            errors.0.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(),
            ["The date must be a real date", "The date must be today or in the past", "The date must be a real date"]
        );
        let ok = parse_date(&form(&[("d-day", "22"), ("d-month", "11"), ("d-year", "2026")]), "d", "the date", Some(today), &mut errors);
        assert_eq!(ok, Some(today));
    }

    #[test]
    fn undecodable_form_bodies_are_read_as_empty_forms() {
        let f = FormData::parse(&Bytes::from_static(b"%zz=%%%"));
        assert_eq!(f.get("anything"), "");
    }
}
