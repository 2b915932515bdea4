//! One response to a survey, read from what was sent: each answer checked against its question, and
//! nothing about the person unless they chose to leave contact details.

use crate::definition::{Question, QuestionId, QuestionKind, Survey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest free-text answer accepted.
pub const MAX_ANSWER: usize = 2000;
/// The longest contact detail accepted.
pub const MAX_CONTACT: usize = 200;

/// What was sent: each question id with the values given for it (a choice's option, a scale's point,
/// free text). Questions left unanswered are absent or empty.
pub type RawResponse = BTreeMap<String, Vec<String>>;

/// One checked answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Answer {
    Single(String),
    Multiple(Vec<String>),
    /// 1 to 5.
    Scale(u8),
    Text(String),
}

impl Answer {
    /// The option values the answer counts under (none for free text).
    pub fn values(&self) -> Vec<String> {
        match self {
            Self::Single(v) => vec![v.clone()],
            Self::Multiple(vs) => vs.clone(),
            Self::Scale(n) => vec![n.to_string()],
            Self::Text(_) => Vec::new(),
        }
    }
}

/// Contact details a respondent chose to leave: personal data, readable by named roles only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    /// An email address or telephone number, as given.
    pub reach: String,
}

/// A checked response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub answers: BTreeMap<QuestionId, Answer>,
    #[serde(default)]
    pub contact: Option<Contact>,
}

/// One problem with a response: the question (or `contact-name`, `contact-reach`, `answers`) and what
/// is wrong, in words for the person answering.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ResponseError {
    pub field: String,
    pub message: String,
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Free text kept as written (line breaks too), without control characters other than new lines.
fn free_text(text: &str) -> String {
    text.replace("\r\n", "\n").chars().filter(|c| *c == '\n' || !c.is_control()).collect::<String>().trim().to_owned()
}

impl Question {
    /// Check the values sent for this question: `Ok(None)` when it was left out (every question may
    /// be), else the checked answer; a problem names this question.
    pub fn check_answer(&self, sent: &[String]) -> Result<Option<Answer>, ResponseError> {
        let sent: Vec<&str> = sent.iter().map(String::as_str).filter(|s| !s.trim().is_empty()).collect();
        if sent.is_empty() {
            return Ok(None);
        }
        let problem = |message: &str| ResponseError { field: self.id.to_string(), message: message.to_owned() };
        let options = self.values();
        let answer = match self.kind {
            QuestionKind::Single | QuestionKind::Scale if sent.len() > 1 => return Err(problem("Select one answer only")),
            QuestionKind::Single => {
                let v = sent[0].trim();
                if !options.iter().any(|o| o == v) {
                    return Err(problem("Select one of the answers shown"));
                }
                Answer::Single(v.to_owned())
            }
            QuestionKind::Scale => match sent[0].trim().parse::<u8>() {
                Ok(n @ 1..=5) => Answer::Scale(n),
                _ => return Err(problem("Select a number from 1 to 5")),
            },
            QuestionKind::Multiple => {
                let mut chosen: Vec<String> = Vec::new();
                for v in &sent {
                    let v = v.trim();
                    if !options.iter().any(|o| o == v) {
                        return Err(problem("Select from the answers shown"));
                    }
                    if !chosen.iter().any(|c| c == v) {
                        chosen.push(v.to_owned());
                    }
                }
                // Kept in the question's order, so equal answers read alike.
                chosen.sort_by_key(|c| options.iter().position(|o| o == c));
                Answer::Multiple(chosen)
            }
            QuestionKind::Text => {
                let t = free_text(&sent.join("\n"));
                if t.chars().count() > MAX_ANSWER {
                    return Err(problem(&format!("Your answer must be {MAX_ANSWER} characters or fewer")));
                }
                if t.is_empty() {
                    return Ok(None);
                }
                Answer::Text(t)
            }
        };
        Ok(Some(answer))
    }
}

/// Check the contact details a respondent chose to leave: none when both are empty; a name needs a
/// way to reach them. Problems name `contact-name` or `contact-reach`.
pub fn check_contact(name: &str, reach: &str) -> Result<Option<Contact>, Vec<ResponseError>> {
    let (name, reach) = (one_line(name), one_line(reach));
    if name.is_empty() && reach.is_empty() {
        return Ok(None);
    }
    let mut errors = Vec::new();
    if name.chars().count() > MAX_CONTACT {
        errors
            .push(ResponseError { field: "contact-name".into(), message: format!("Your name must be {MAX_CONTACT} characters or fewer") });
    }
    if reach.chars().count() > MAX_CONTACT {
        errors.push(ResponseError {
            field: "contact-reach".into(),
            message: format!("Your email address or phone number must be {MAX_CONTACT} characters or fewer"),
        });
    }
    if reach.is_empty() {
        errors.push(ResponseError {
            field: "contact-reach".into(),
            message: "Enter an email address or phone number so we can contact you, or leave your name out too".into(),
        });
    }
    if errors.is_empty() {
        Ok(Some(Contact { name, reach }))
    } else {
        Err(errors)
    }
}

impl Survey {
    /// Check a response against this survey. Every question may be left out, but at least one must be
    /// answered. Contact details are kept only when a name or a way to reach them is given.
    pub fn read_response(&self, raw: &RawResponse, contact: Option<(&str, &str)>) -> Result<Response, Vec<ResponseError>> {
        let mut errors = Vec::new();
        let mut answers = BTreeMap::new();
        for q in &self.questions {
            let sent = raw.get(q.id.as_str()).map(Vec::as_slice).unwrap_or_default();
            match q.check_answer(sent) {
                Ok(Some(answer)) => {
                    answers.insert(q.id.clone(), answer);
                }
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        let contact = match contact.map(|(n, r)| check_contact(n, r)) {
            Some(Ok(c)) => c,
            Some(Err(mut e)) => {
                errors.append(&mut e);
                None
            }
            None => None,
        };
        if answers.is_empty() && errors.is_empty() {
            let first = self.questions.first().map_or_else(|| "answers".to_owned(), |q| q.id.to_string());
            errors.push(ResponseError { field: first, message: "Answer at least one question".into() });
        }
        if errors.is_empty() {
            Ok(Response { answers, contact })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::DraftSurvey;

    pub(crate) fn survey() -> Survey {
        serde_json::from_value::<DraftSurvey>(serde_json::json!({
            "title": "Your EHC plan",
            "questions": [
                {"id": "satisfaction", "kind": "scale", "text": "How satisfied are you?"},
                {"id": "heard", "kind": "single", "text": "Did you feel listened to?", "options": ["Yes", "No"]},
                {"id": "helped", "kind": "multiple", "text": "Who helped you?", "options": ["SENDIASS", "School", "Forum"]},
                {"id": "better", "kind": "text", "text": "What could we do better?"}
            ]
        }))
        .unwrap()
        .check()
        .unwrap()
    }

    fn raw(pairs: &[(&str, &str)]) -> RawResponse {
        let mut m = RawResponse::new();
        for (k, v) in pairs {
            m.entry((*k).to_owned()).or_default().push((*v).to_owned());
        }
        m
    }

    #[test]
    fn a_response_keeps_each_checked_answer_and_no_contact_unless_given() {
        let r = survey()
            .read_response(
                &raw(&[
                    ("satisfaction", "4"),
                    ("heard", "Yes"),
                    ("helped", "School"),
                    ("helped", "SENDIASS"),
                    ("better", " <b>Faster</b>\r\nplease "),
                ]),
                Some(("", " ")),
            )
            .unwrap();
        assert_eq!(r.answers.len(), 4);
        assert_eq!(r.answers[&QuestionId::parse("satisfaction").unwrap()], Answer::Scale(4));
        assert_eq!(r.answers[&QuestionId::parse("helped").unwrap()], Answer::Multiple(vec!["SENDIASS".into(), "School".into()]));
        // Free text is kept as written (escaped when shown), only trimmed.
        assert_eq!(r.answers[&QuestionId::parse("better").unwrap()], Answer::Text("<b>Faster</b>\nplease".into()));
        assert_eq!(r.contact, None);
    }

    #[test]
    fn answers_outside_the_question_are_refused_naming_the_question() {
        let e = survey().read_response(&raw(&[("satisfaction", "6"), ("heard", "Maybe"), ("helped", "Nobody")]), None).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["satisfaction", "heard", "helped"]);
        assert_eq!(e[0].message, "Select a number from 1 to 5");
        let two = survey().read_response(&raw(&[("heard", "Yes"), ("heard", "No")]), None).unwrap_err();
        assert_eq!(two[0].message, "Select one answer only");
    }

    #[test]
    fn an_empty_response_is_refused_and_contact_needs_a_way_to_reach_them() {
        let e = survey().read_response(&raw(&[("better", "   ")]), None).unwrap_err();
        assert_eq!(e[0].message, "Answer at least one question");
        let e = survey().read_response(&raw(&[("heard", "Yes")]), Some(("Sam", ""))).unwrap_err();
        assert_eq!(e[0].field, "contact-reach");
        let ok = survey().read_response(&raw(&[("heard", "Yes")]), Some(("Sam", "sam@example.org"))).unwrap();
        assert_eq!(ok.contact.unwrap().reach, "sam@example.org");
    }
}
