//! A survey's definition: its title and questions. Staff write it as a [`DraftSurvey`] (the API's
//! `{"title", "questions": [{"id", "kind", "text", "options"}]}`), and [`DraftSurvey::check`] turns it
//! into a [`Survey`] or lists every problem, each naming its field (`questions[2].options`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// The longest title, question text or option label accepted.
pub const MAX_TEXT: usize = 300;
/// The most questions in one survey (GOV.UK: keep surveys short).
pub const MAX_QUESTIONS: usize = 40;
/// The most options of one choice question.
pub const MAX_OPTIONS: usize = 20;
/// The points of a scale question: 1 (lowest) to 5 (highest).
pub const SCALE: [&str; 5] = ["1", "2", "3", "4", "5"];

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One option.
    Single,
    /// Any number of options.
    Multiple,
    /// A point from 1 to 5.
    Scale,
    /// Free text.
    Text,
}

impl QuestionKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Multiple => "multiple",
            Self::Scale => "scale",
            Self::Text => "text",
        }
    }

    /// The kind in words, for staff building a survey.
    pub fn words(self) -> &'static str {
        match self {
            Self::Single => "Choose one option",
            Self::Multiple => "Choose any options that apply",
            Self::Scale => "A scale from 1 to 5",
            Self::Text => "Free text",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Single, Self::Multiple, Self::Scale, Self::Text].into_iter().find(|k| k.code() == text.trim())
    }
}

/// A question's id: 1 to 40 lower-case letters, digits, `_` or `-`, starting with a letter. Packs of
/// the performance framework name survey questions by it (`satisfaction`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct QuestionId(String);

impl QuestionId {
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let ok = (1..=40).contains(&t.len())
            && t.starts_with(|c: char| c.is_ascii_lowercase())
            && t.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if ok {
            Ok(Self(t.to_owned()))
        } else {
            Err(format!(
                "'{}' is not a question id: use 1 to 40 lower-case letters, digits, _ or -, starting with a letter",
                t.chars().take(50).collect::<String>()
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for QuestionId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for QuestionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One checked question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub id: QuestionId,
    pub kind: QuestionKind,
    pub text: String,
    /// The options of a choice question; for a scale, the labels of its ends (`["Very poor", "Very
    /// good"]`) or none; for free text, none.
    pub options: Vec<String>,
}

impl Question {
    /// The values an answer may take, in order: a choice's options, or a scale's points.
    pub fn values(&self) -> Vec<String> {
        match self.kind {
            QuestionKind::Single | QuestionKind::Multiple => self.options.clone(),
            QuestionKind::Scale => SCALE.iter().map(|s| (*s).to_owned()).collect(),
            QuestionKind::Text => Vec::new(),
        }
    }

    /// A value as people read it: a scale's ends carry their labels (`1 (Very poor)`).
    pub fn value_words(&self, value: &str) -> String {
        match (self.kind, self.options.as_slice()) {
            (QuestionKind::Scale, [low, _]) if value == "1" => format!("1 ({low})"),
            (QuestionKind::Scale, [_, high]) if value == "5" => format!("5 ({high})"),
            _ => value.to_owned(),
        }
    }
}

/// A checked survey definition: a title and 1 to [`MAX_QUESTIONS`] questions with distinct ids.
/// Deserialising re-checks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Survey {
    pub title: String,
    pub questions: Vec<Question>,
}

impl<'de> Deserialize<'de> for Survey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        DraftSurvey::deserialize(d)?
            .check()
            .map_err(|errors| serde::de::Error::custom(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))
    }
}

impl Survey {
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id.as_str() == id)
    }

    /// Back to a draft (to edit, or to store as JSON).
    pub fn to_draft(&self) -> DraftSurvey {
        DraftSurvey {
            title: self.title.clone(),
            questions: self
                .questions
                .iter()
                .map(|q| DraftQuestion {
                    id: q.id.to_string(),
                    kind: q.kind.code().to_owned(),
                    text: q.text.clone(),
                    options: q.options.clone(),
                })
                .collect(),
        }
    }
}

/// A survey as written, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSurvey {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub questions: Vec<DraftQuestion>,
}

/// A question as written, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftQuestion {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub options: Vec<String>,
}

/// One problem with a definition: the field (`title`, `questions[0].options[2]`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct DefinitionError {
    pub field: String,
    pub message: String,
}

fn clean(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_text(field: &str, what: &str, text: &str, errors: &mut Vec<DefinitionError>) -> String {
    let t = clean(text);
    if t.is_empty() {
        errors.push(DefinitionError { field: field.into(), message: format!("enter {what}") });
    } else if t.chars().count() > MAX_TEXT {
        errors.push(DefinitionError { field: field.into(), message: format!("{what} must be {MAX_TEXT} characters or fewer") });
    } else if t.chars().any(char::is_control) {
        errors.push(DefinitionError { field: field.into(), message: format!("{what} must not hold control characters") });
    }
    t
}

impl DraftSurvey {
    /// Check every field; all the problems, in order, or the survey.
    pub fn check(&self) -> Result<Survey, Vec<DefinitionError>> {
        let mut errors = Vec::new();
        let title = check_text("title", "the survey's title", &self.title, &mut errors);
        if self.questions.is_empty() {
            errors.push(DefinitionError { field: "questions".into(), message: "add at least one question".into() });
        }
        if self.questions.len() > MAX_QUESTIONS {
            errors.push(DefinitionError { field: "questions".into(), message: format!("a survey has at most {MAX_QUESTIONS} questions") });
        }
        let mut seen = BTreeSet::new();
        let mut questions = Vec::new();
        for (i, q) in self.questions.iter().enumerate() {
            let at = |f: &str| format!("questions[{i}].{f}");
            let id = match QuestionId::parse(&q.id) {
                Ok(id) if !seen.insert(id.clone()) => {
                    errors.push(DefinitionError { field: at("id"), message: format!("'{id}' is the id of an earlier question") });
                    None
                }
                Ok(id) => Some(id),
                Err(m) => {
                    errors.push(DefinitionError { field: at("id"), message: m });
                    None
                }
            };
            let kind = QuestionKind::parse(&q.kind);
            if kind.is_none() {
                errors.push(DefinitionError {
                    field: at("kind"),
                    message: format!("'{}' is not a kind of question: use single, multiple, scale or text", clean(&q.kind)),
                });
            }
            let text = check_text(&at("text"), "the question", &q.text, &mut errors);
            let mut options = Vec::new();
            for (j, o) in q.options.iter().enumerate() {
                let o = check_text(&format!("questions[{i}].options[{j}]"), "the option", o, &mut errors);
                if !o.is_empty() && options.contains(&o) {
                    errors
                        .push(DefinitionError { field: format!("questions[{i}].options[{j}]"), message: format!("'{o}' is given twice") });
                }
                options.push(o);
            }
            match kind {
                Some(QuestionKind::Single | QuestionKind::Multiple) if options.len() < 2 => {
                    errors.push(DefinitionError { field: at("options"), message: "give at least 2 options".into() })
                }
                Some(QuestionKind::Single | QuestionKind::Multiple) if options.len() > MAX_OPTIONS => {
                    errors.push(DefinitionError { field: at("options"), message: format!("give at most {MAX_OPTIONS} options") })
                }
                Some(QuestionKind::Scale) if !(options.is_empty() || options.len() == 2) => errors.push(DefinitionError {
                    field: at("options"),
                    message: "a scale takes no options, or 2: the labels of 1 and of 5".into(),
                }),
                Some(QuestionKind::Text) if !options.is_empty() => {
                    errors.push(DefinitionError { field: at("options"), message: "a free-text question takes no options".into() })
                }
                _ => {}
            }
            if let (Some(id), Some(kind)) = (id, kind) {
                questions.push(Question { id, kind, text, options });
            }
        }
        if errors.is_empty() {
            Ok(Survey { title, questions })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn draft() -> DraftSurvey {
        serde_json::from_value(serde_json::json!({
            "title": "Your EHC plan",
            "questions": [
                {"id": "satisfaction", "kind": "scale", "text": "How satisfied are you with the EHC process?", "options": ["Very dissatisfied", "Very satisfied"]},
                {"id": "heard", "kind": "single", "text": "Did you feel listened to?", "options": ["Yes", "No", "Not sure"]},
                {"id": "helped", "kind": "multiple", "text": "Who helped you?", "options": ["SENDIASS", "School", "Parent carer forum"]},
                {"id": "better", "kind": "text", "text": "What could we do better?"}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn a_well_formed_draft_becomes_a_survey_and_round_trips() {
        let s = draft().check().unwrap();
        assert_eq!(s.questions.len(), 4);
        assert_eq!(s.question("satisfaction").unwrap().values(), ["1", "2", "3", "4", "5"]);
        assert_eq!(s.question("satisfaction").unwrap().value_words("5"), "5 (Very satisfied)");
        let again: Survey = serde_json::from_value(serde_json::to_value(s.to_draft()).unwrap()).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn every_problem_names_its_field() {
        let mut d = draft();
        d.title = "  ".into();
        d.questions[1].options = vec!["Yes".into()];
        d.questions[2].id = "heard".into();
        d.questions[3].kind = "essay".into();
        d.questions[0].options = vec!["only one".into()];
        let errors = d.check().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "questions[0].options", "questions[1].options", "questions[2].id", "questions[3].kind"]);
        assert!(errors[3].message.contains("earlier question"));
        assert!(errors[4].message.contains("single, multiple, scale or text"));
    }

    #[test]
    fn a_survey_with_no_questions_or_a_bad_id_is_refused_and_deserialising_rechecks() {
        assert_eq!(DraftSurvey { title: "T".into(), questions: vec![] }.check().unwrap_err()[0].field, "questions");
        assert!(QuestionId::parse("Satisfaction").is_err());
        assert!(QuestionId::parse("1abc").is_err());
        assert!(QuestionId::parse("a_b-1").is_ok());
        let bad = serde_json::json!({"title": "T", "questions": [{"id": "x", "kind": "text", "text": "Q", "options": ["o"]}]});
        let e = serde_json::from_value::<Survey>(bad).unwrap_err().to_string();
        assert!(e.contains("questions[0].options"), "{e}");
    }
}
