//! A professional's advice for an EHC needs assessment as a structured form.
//!
//! SEND Regs 2014 reg 6(1)(b)-(h) name who gives advice and reg 8(1) gives them 6 weeks; the Code of
//! Practice 9.46-9.52 says what good advice holds: it is clear, accessible and specific, sets out the
//! child's needs, the outcomes sought, and the provision required to meet the needs and achieve the
//! outcomes (what, how often, for how long, and by whom). Those are the form's sections, and a plan's
//! sections B-K are drawn from them. A fuller report may be uploaded with it.

use crate::{answer, FieldError};
use serde::{Deserialize, Serialize};
use waymark_domain::case::AdviceParty;

/// One section of the advice form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    pub key: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub required: bool,
}

/// The sections, in order (Code 9.46-9.52).
pub const SECTIONS: [Section; 4] = [
    Section {
        key: "needs",
        label: "The child's or young person's needs",
        hint: "What you assessed and found: their special educational needs, and health or social care needs that relate to them",
        required: true,
    },
    Section {
        key: "outcomes",
        label: "The outcomes sought",
        hint: "What the support should achieve, specific enough to be reviewed, including preparing for adulthood where relevant",
        required: true,
    },
    Section {
        key: "provision",
        label: "The provision required",
        hint: "What support is needed to meet each need and reach each outcome: what, how often, for how long, and who provides it",
        required: true,
    },
    Section {
        key: "other",
        label: "Anything else the council should know (optional)",
        hint: "For example, what the child and family told you, or who else should be asked for advice",
        required: false,
    },
];

/// Advice from one party, section by section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdviceForm {
    /// Whose advice (the adviser's own service).
    pub party: AdviceParty,
    /// (section key, text) in [`SECTIONS`] order; every required section is present.
    pub sections: Vec<(String, String)>,
}

impl AdviceForm {
    /// Read the form's fields (named by the sections' keys) as `party`'s advice.
    pub fn read(party: AdviceParty, get: impl Fn(&str) -> String) -> Result<Self, Vec<FieldError>> {
        let mut sections = Vec::new();
        let mut errors = Vec::new();
        for s in SECTIONS {
            match answer(s.key, s.label, &get(s.key)) {
                Ok(Some(text)) => sections.push((s.key.to_owned(), text)),
                Ok(None) if s.required => errors.push(FieldError::new(s.key, format!("Enter {}", s.label.to_lowercase()))),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(Self { party, sections })
        } else {
            Err(errors)
        }
    }

    /// The text of one section, if given.
    pub fn section(&self, key: &str) -> Option<&str> {
        self.sections.iter().find(|(k, _)| k == key).map(|(_, t)| t.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_9_46_to_9_52_advice_needs_its_needs_outcomes_and_provision_each_named_when_missing() {
        let e = AdviceForm::read(AdviceParty::Health, |k| if k == "needs" { "Dysphagia".into() } else { String::new() }).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["outcomes", "provision"]);
        assert_eq!(e[0].message, "Enter the outcomes sought");
    }

    #[test]
    fn advice_keeps_its_party_and_each_section() {
        let a = AdviceForm::read(AdviceParty::Health, |k| match k {
            "needs" => "Eats safely only with support".into(),
            "outcomes" => "Eats lunch with friends by Year 4".into(),
            "provision" => "Speech and language therapy, 30 minutes weekly, NHS SaLT".into(),
            _ => String::new(),
        })
        .unwrap();
        assert_eq!(a.party, AdviceParty::Health);
        assert_eq!(a.sections.len(), 3);
        assert_eq!(a.section("provision"), Some("Speech and language therapy, 30 minutes weekly, NHS SaLT"));
        assert_eq!(a.section("other"), None);
        let json = serde_json::to_string(&crate::Contribution::Advice(a.clone())).unwrap();
        assert_eq!(serde_json::from_str::<crate::Contribution>(&json).unwrap(), crate::Contribution::Advice(a));
    }
}
