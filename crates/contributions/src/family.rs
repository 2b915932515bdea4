//! The family's own contributions: their views (section A's "all about me"), a school or college they
//! ask to be named, and their comments on a draft plan.

use crate::{answer, FieldError};
use serde::{Deserialize, Serialize};
use waymark_domain::identifiers::SettingRef;

/// One of the "all about me" questions of section A. SEND Code of Practice 9.69 (section A: the views,
/// interests and aspirations of the child and their parents, or of the young person) lists what it
/// covers: what is important to the child, their history, their aspirations for the future (play,
/// health, schooling, independence, friendships, further education and employment), and how best to
/// communicate with them and involve them in decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// The field's name, and the answer's key in the store.
    pub key: &'static str,
    /// Asked of a parent or carer, about their child.
    pub to_parent: &'static str,
    /// Asked of a young person, about themselves.
    pub to_young_person: &'static str,
    pub hint: &'static str,
}

/// Section A's questions, in the order a plan sets them out.
pub const QUESTIONS: [Question; 6] = [
    Question {
        key: "about",
        to_parent: "What do people like and admire about your child?",
        to_young_person: "What do people like and admire about you?",
        hint: "For example, their personality, what they are good at, what makes them laugh",
    },
    Question {
        key: "important",
        to_parent: "What is important to your child now?",
        to_young_person: "What is important to you now?",
        hint: "People, activities, routines, interests and things they enjoy",
    },
    Question {
        key: "communication",
        to_parent: "How does your child communicate, and how can they best take part in decisions about them?",
        to_young_person: "How do you like to communicate, and how can we best involve you in decisions?",
        hint: "For example, words, signs, pictures or a device, and what helps them share their views",
    },
    Question {
        key: "history",
        to_parent: "Tell us your child's story so far",
        to_young_person: "Tell us your story so far",
        hint: "Important events, health, schools or nurseries, and support they have had",
    },
    Question {
        key: "support",
        to_parent: "What helps your child, and what does not help?",
        to_young_person: "What helps you, and what does not help?",
        hint: "At home, at school or college, and when out and about",
    },
    Question {
        key: "future",
        to_parent: "What are your hopes and goals for your child's future?",
        to_young_person: "What are your hopes and goals for the future?",
        hint: "For example, play, health, schooling, independence, friendships, further education and work",
    },
];

/// The family's answers to section A's questions (some may be left blank; at least one answer or an
/// uploaded document is needed, which [`FamilyViews::read`] is told).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyViews {
    /// (question key, answer) in [`QUESTIONS`] order.
    pub answers: Vec<(String, String)>,
}

impl FamilyViews {
    /// Read the form's `q-<key>` fields. `has_upload` says a document comes with the answers, in which
    /// case every question may be left blank.
    pub fn read(get: impl Fn(&str) -> String, has_upload: bool, young_person: bool) -> Result<Self, Vec<FieldError>> {
        let mut answers = Vec::new();
        let mut errors = Vec::new();
        for q in QUESTIONS {
            let field = format!("q-{}", q.key);
            let label = if young_person { "Your answer" } else { "Your answer about your child" };
            match answer(&field, label, &get(&field)) {
                Ok(Some(text)) => answers.push((q.key.to_owned(), text)),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() && answers.is_empty() && !has_upload {
            errors.push(FieldError::new(
                format!("q-{}", QUESTIONS[0].key),
                "Answer at least one question, or upload a document with your views",
            ));
        }
        if errors.is_empty() {
            Ok(Self { answers })
        } else {
            Err(errors)
        }
    }
}

/// A school or college the family asks to be named in the plan (CFA 2014 s38(2)(b)): the LA must then
/// consult it (s39(2)) and name it unless an exception in s39(4) applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingRequest {
    pub setting: SettingRef,
    /// Its name as the family chose it, so the request reads as they made it.
    pub name: String,
    /// Why they ask for it, in their words (optional).
    pub reason: Option<String>,
}

impl SettingRequest {
    /// Read the `setting` field (a URN or UKPRN, as the choice list sends it) and `reason`. `name_of`
    /// gives the setting's name if it is one the area knows.
    pub fn read(get: impl Fn(&str) -> String, name_of: impl Fn(&SettingRef) -> Option<String>) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let chosen = get("setting");
        let chosen = chosen.trim();
        let setting = if chosen.is_empty() {
            errors.push(FieldError::new("setting", "Choose the school or college you would like named in the plan"));
            None
        } else {
            match chosen.parse::<waymark_domain::identifiers::Urn>() {
                Ok(urn) => Some(SettingRef::Urn(urn)),
                Err(_) => match chosen.parse::<waymark_domain::identifiers::Ukprn>() {
                    Ok(ukprn) => Some(SettingRef::Ukprn(ukprn)),
                    Err(_) => {
                        errors.push(FieldError::new("setting", "Choose a school or college from the list"));
                        None
                    }
                },
            }
        };
        let name = setting.as_ref().and_then(&name_of);
        if setting.is_some() && name.is_none() {
            errors.push(FieldError::new("setting", "That school or college is not one we know. Choose one from the list"));
        }
        let reason = match answer("reason", "Why you would like this school or college", &get("reason")) {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                None
            }
        };
        match (setting, name) {
            (Some(setting), Some(name)) if errors.is_empty() => Ok(Self { setting, name, reason }),
            _ => Err(errors),
        }
    }
}

/// The family's comments on a draft plan or proposed amendments (SEND Regs 2014 reg 13(1), reg 22(2)(c)),
/// and whether they would like a meeting with the council about it (reg 13(1); statutory-rules.md A4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftComments {
    pub comments: String,
    pub wants_meeting: bool,
}

impl DraftComments {
    /// Read `comments` (needed) and `meeting` (a "yes" checkbox).
    pub fn read(get: impl Fn(&str) -> String) -> Result<Self, Vec<FieldError>> {
        match answer("comments", "Your comments", &get("comments")) {
            Ok(Some(comments)) => Ok(Self { comments, wants_meeting: get("meeting") == "yes" }),
            Ok(None) => Err(vec![FieldError::new("comments", "Enter your comments on the draft plan")]),
            Err(e) => Err(vec![e]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn form(pairs: &[(&str, &str)]) -> impl Fn(&str) -> String {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |k| map.get(k).cloned().unwrap_or_default()
    }

    #[test]
    fn code_of_practice_9_69_views_keep_each_answer_against_its_question() {
        let v = FamilyViews::read(form(&[("q-about", "  Kind and funny \r\n"), ("q-future", "College")]), false, false).unwrap();
        assert_eq!(v.answers, vec![("about".to_owned(), "Kind and funny".to_owned()), ("future".to_owned(), "College".to_owned())]);
    }

    #[test]
    fn views_need_an_answer_or_a_document_and_name_the_field_when_wrong() {
        let e = FamilyViews::read(form(&[]), false, true).unwrap_err();
        assert_eq!(e[0].field, "q-about");
        assert!(e[0].message.contains("at least one question"));
        assert_eq!(FamilyViews::read(form(&[]), true, true).unwrap().answers.len(), 0);
        let long = "x".repeat(crate::MAX_ANSWER_CHARS + 1);
        let e = FamilyViews::read(form(&[("q-history", &long)]), false, false).unwrap_err();
        assert_eq!(e[0].field, "q-history");
        let e = FamilyViews::read(form(&[("q-support", "a\u{0}b")]), false, false).unwrap_err();
        assert_eq!(e[0].field, "q-support");
    }

    #[test]
    fn cfa_2014_s38_2_b_a_request_names_a_known_school_or_college() {
        let known = |s: &SettingRef| matches!(s, SettingRef::Urn(u) if u.number() == 123456).then(|| "Hill School".to_owned());
        let r = SettingRequest::read(form(&[("setting", "123456"), ("reason", "Near home")]), known).unwrap();
        assert_eq!((r.name.as_str(), r.reason.as_deref()), ("Hill School", Some("Near home")));
        assert_eq!(SettingRequest::read(form(&[]), known).unwrap_err()[0].field, "setting");
        assert!(SettingRequest::read(form(&[("setting", "654321")]), known).unwrap_err()[0].message.contains("not one we know"));
        assert!(SettingRequest::read(form(&[("setting", "hill")]), known).unwrap_err()[0].message.contains("from the list"));
    }

    #[test]
    fn send_regs_2014_reg_13_1_comments_on_the_draft_are_needed_and_a_meeting_may_be_asked_for() {
        let c = DraftComments::read(form(&[("comments", "Section F needs speech therapy weekly"), ("meeting", "yes")])).unwrap();
        assert!(c.wants_meeting);
        assert_eq!(DraftComments::read(form(&[("comments", " ")])).unwrap_err()[0].field, "comments");
    }
}
