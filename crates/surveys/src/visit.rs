//! Answering a survey on GOV.UK question pages: one question a page, then the optional contact
//! details, then "Check your answers" with a way to change each, then one submission. The answers
//! given so far are a [`Draft`], held between pages by the caller (Waymark keeps it server-side,
//! keyed by the visit's random token; ADR 0035). This module decides the order of the pages, checks
//! each page's answer as it is given, and turns the draft into a [`Response`] at the end.

use crate::definition::Survey;
use crate::response::{check_contact, Answer, RawResponse, Response, ResponseError};
use serde::{Deserialize, Serialize};

/// The answers a visitor has given so far. Holds nothing about the person unless they typed it (free
/// text, or the contact details they chose to leave).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Each answered question's id with its checked values (free text as one value).
    #[serde(default)]
    pub answers: RawResponse,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_reach: String,
    /// The token of the send the visit came from (a survey sent at a point of a case), if any.
    #[serde(default)]
    pub send: Option<String>,
}

/// One of the pages after the start page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The question at this index (0-based) of the survey.
    Question(usize),
    /// "If you would like us to contact you".
    Contact,
    /// "Check your answers before sending them".
    Check,
}

impl Step {
    /// The question page numbered `number` (1-based, as its address shows it), if the survey has it.
    pub fn question(survey: &Survey, number: &str) -> Option<Self> {
        let n: usize = number.parse().ok()?;
        (1..=survey.questions.len()).contains(&n).then(|| Self::Question(n - 1))
    }

    /// The first page after the start page.
    pub fn first(survey: &Survey) -> Self {
        if survey.questions.is_empty() {
            Self::Contact
        } else {
            Self::Question(0)
        }
    }

    /// The page after this one.
    pub fn next(self, survey: &Survey) -> Self {
        match self {
            Self::Question(i) if i + 1 < survey.questions.len() => Self::Question(i + 1),
            Self::Question(_) => Self::Contact,
            Self::Contact | Self::Check => Self::Check,
        }
    }

    /// The page before this one (for the back link); `None` is the start page.
    pub fn previous(self, survey: &Survey) -> Option<Self> {
        match self {
            Self::Question(0) => None,
            Self::Question(i) => Some(Self::Question(i - 1)),
            Self::Contact => survey.questions.len().checked_sub(1).map(Self::Question),
            Self::Check => Some(Self::Contact),
        }
    }
}

/// One row of "Check your answers".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryRow {
    /// The question's number, 1-based.
    pub number: usize,
    pub question: String,
    /// The answer in the words the visitor chose from; empty when the question was left out.
    pub answer: Vec<String>,
}

fn raw_values(answer: &Answer) -> Vec<String> {
    match answer {
        Answer::Text(t) => vec![t.clone()],
        other => other.values(),
    }
}

impl Draft {
    /// Record the answer to the question at `index` (0-based): checked now, so the page can say what
    /// is wrong with it; leaving it out removes an earlier answer.
    pub fn answer(&mut self, survey: &Survey, index: usize, sent: &[String]) -> Result<(), ResponseError> {
        let Some(q) = survey.questions.get(index) else {
            return Err(ResponseError { field: "answers".into(), message: "There is no such question".into() });
        };
        match q.check_answer(sent)? {
            Some(answer) => {
                self.answers.insert(q.id.to_string(), raw_values(&answer));
            }
            None => {
                self.answers.remove(q.id.as_str());
            }
        }
        Ok(())
    }

    /// Record the contact details (both empty to stay anonymous), checked now.
    pub fn contact(&mut self, name: &str, reach: &str) -> Result<(), Vec<ResponseError>> {
        let contact = check_contact(name, reach)?;
        (self.contact_name, self.contact_reach) = contact.map(|c| (c.name, c.reach)).unwrap_or_default();
        Ok(())
    }

    /// The values kept for a question (for the page to show them chosen again).
    pub fn given(&self, survey: &Survey, index: usize) -> Vec<String> {
        survey.questions.get(index).and_then(|q| self.answers.get(q.id.as_str())).cloned().unwrap_or_default()
    }

    /// Every question with the answer given, in the survey's order.
    pub fn summary(&self, survey: &Survey) -> Vec<SummaryRow> {
        survey
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| SummaryRow {
                number: i + 1,
                question: q.text.clone(),
                answer: self.answers.get(q.id.as_str()).map(|vs| vs.iter().map(|v| q.value_words(v)).collect()).unwrap_or_default(),
            })
            .collect()
    }

    /// The response to send: every answer checked again against the survey as it is now (at least
    /// one question must be answered).
    pub fn response(&self, survey: &Survey) -> Result<Response, Vec<ResponseError>> {
        survey.read_response(&self.answers, Some((&self.contact_name, &self.contact_reach)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::{DraftSurvey, QuestionId};

    fn survey() -> Survey {
        serde_json::from_value::<DraftSurvey>(serde_json::json!({
            "title": "Your EHC plan",
            "questions": [
                {"id": "satisfaction", "kind": "scale", "text": "How satisfied are you?", "options": ["Very dissatisfied", "Very satisfied"]},
                {"id": "helped", "kind": "multiple", "text": "Who helped you?", "options": ["SENDIASS", "School"]},
                {"id": "better", "kind": "text", "text": "What could we do better?"}
            ]
        }))
        .unwrap()
        .check()
        .unwrap()
    }

    fn sent(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn the_pages_go_one_question_at_a_time_then_contact_details_then_check_your_answers() {
        let s = survey();
        let mut step = Step::first(&s);
        let mut seen = vec![step];
        while step != Step::Check {
            step = step.next(&s);
            seen.push(step);
        }
        assert_eq!(seen, [Step::Question(0), Step::Question(1), Step::Question(2), Step::Contact, Step::Check]);
        assert_eq!(Step::Question(0).previous(&s), None);
        assert_eq!(Step::Contact.previous(&s), Some(Step::Question(2)));
        assert_eq!(Step::Check.previous(&s), Some(Step::Contact));
        // Page numbers in addresses are 1-based and must exist.
        assert_eq!(Step::question(&s, "3"), Some(Step::Question(2)));
        assert_eq!(Step::question(&s, "0"), None);
        assert_eq!(Step::question(&s, "4"), None);
        assert_eq!(Step::question(&s, "x"), None);
    }

    #[test]
    fn each_page_checks_its_answer_and_a_change_replaces_or_removes_it() {
        let s = survey();
        let mut d = Draft::default();
        let e = d.answer(&s, 0, &sent(&["9"])).unwrap_err();
        assert_eq!((e.field.as_str(), e.message.as_str()), ("satisfaction", "Select a number from 1 to 5"));
        assert!(d.answers.is_empty(), "a refused answer is not kept");
        d.answer(&s, 0, &sent(&["5"])).unwrap();
        d.answer(&s, 1, &sent(&["School", "SENDIASS"])).unwrap();
        d.answer(&s, 2, &sent(&["  Faster\r\nplease "])).unwrap();
        assert_eq!(d.given(&s, 1), ["SENDIASS", "School"]);
        let rows = d.summary(&s);
        assert_eq!(rows[0].answer, ["5 (Very satisfied)"]);
        assert_eq!(rows[2].answer, ["Faster\nplease"]);
        // Changing an answer to nothing leaves the question out.
        d.answer(&s, 1, &[]).unwrap();
        assert!(d.summary(&s)[1].answer.is_empty());
        let r = d.response(&s).unwrap();
        assert_eq!(r.answers[&QuestionId::parse("satisfaction").unwrap()], Answer::Scale(5));
        assert_eq!(r.answers.len(), 2);
        assert_eq!(r.contact, None);
    }

    #[test]
    fn contact_details_are_optional_but_a_name_needs_a_way_to_reach_them_and_one_answer_is_needed() {
        let s = survey();
        let mut d = Draft::default();
        let e = d.contact("Sam", " ").unwrap_err();
        assert_eq!(e[0].field, "contact-reach");
        d.contact("Sam", "sam@example.org").unwrap();
        let e = d.response(&s).unwrap_err();
        assert_eq!((e[0].field.as_str(), e[0].message.as_str()), ("satisfaction", "Answer at least one question"));
        d.answer(&s, 0, &sent(&["4"])).unwrap();
        assert_eq!(d.response(&s).unwrap().contact.unwrap().reach, "sam@example.org");
        // Emptying both stays anonymous.
        d.contact("", "").unwrap();
        assert_eq!(d.response(&s).unwrap().contact, None);
    }
}
