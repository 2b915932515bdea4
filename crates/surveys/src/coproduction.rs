//! The co-production log: meetings and events held with the parent carer forum, parents and carers,
//! children and young people, each with who took part by group and number (never names), what was
//! decided, and the strategy deliverables it informed (by their reference, such as `B7`).
//!
//! The SEND Code of Practice (2015), chapters 1 and 4, expects LAs to work with parent carer forums
//! and with children and young people in developing and reviewing provision; this log is the record
//! of that work the partnership reports on ([U para]: the reference material does not fix the paragraphs).

use serde::{Deserialize, Serialize};
use waymark_domain::calendar::Date;

/// The most people one group can be recorded with at one meeting or event.
pub const MAX_PEOPLE: u32 = 10_000;
/// The longest title or decision text kept.
pub const MAX_TEXT: usize = 2000;

/// Who took part, by group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    ParentCarerForum,
    ParentsAndCarers,
    YoungPeople,
    Children,
    Practitioners,
}

impl Group {
    pub const ALL: [Group; 5] = [Self::ParentCarerForum, Self::ParentsAndCarers, Self::YoungPeople, Self::Children, Self::Practitioners];

    pub fn code(self) -> &'static str {
        match self {
            Self::ParentCarerForum => "parent_carer_forum",
            Self::ParentsAndCarers => "parents_and_carers",
            Self::YoungPeople => "young_people",
            Self::Children => "children",
            Self::Practitioners => "practitioners",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.code() == text.trim())
    }

    pub fn words(self) -> &'static str {
        match self {
            Self::ParentCarerForum => "Parent carer forum representatives",
            Self::ParentsAndCarers => "Other parents and carers",
            Self::YoungPeople => "Young people (16 to 25)",
            Self::Children => "Children (under 16)",
            Self::Practitioners => "Practitioners and partners",
        }
    }
}

/// A meeting or a wider event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Meeting,
    Event,
    Workshop,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Self::Meeting, Self::Workshop, Self::Event];

    pub fn code(self) -> &'static str {
        match self {
            Self::Meeting => "meeting",
            Self::Event => "event",
            Self::Workshop => "workshop",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == text.trim())
    }

    pub fn words(self) -> &'static str {
        match self {
            Self::Meeting => "Meeting",
            Self::Event => "Event or drop-in",
            Self::Workshop => "Workshop or co-production session",
        }
    }
}

/// A meeting or event as recorded, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coproduction {
    pub held_on: Date,
    pub kind: Kind,
    pub title: String,
    /// Who took part: each group once, with how many people (at least one).
    pub took_part: Vec<(Group, u32)>,
    pub decided: String,
    /// The strategy deliverables it informed, by reference, each once.
    pub deliverables: Vec<String>,
}

impl Coproduction {
    /// Everyone who took part.
    pub fn people(&self) -> u64 {
        self.took_part.iter().map(|(_, n)| u64::from(*n)).sum()
    }
}

/// A meeting or event as typed: each field as text.
#[derive(Debug, Clone, Default)]
pub struct DraftCoproduction {
    pub held_on: Option<Date>,
    pub kind: String,
    pub title: String,
    /// For each group, the number typed (blank for none).
    pub numbers: Vec<(Group, String)>,
    pub decided: String,
    /// References separated by commas or spaces.
    pub deliverables: String,
}

/// A field that is wrong, and what is wrong with it, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// `held_on`, `kind`, `title`, `took_part`, the group's code, `decided` or `deliverables`.
    pub field: String,
    pub message: String,
}

fn err(field: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: field.to_owned(), message: message.into() }
}

impl DraftCoproduction {
    /// Check every field, naming each that is wrong; `today` refuses a date in the future (the log
    /// records what happened).
    pub fn check(&self, today: Date) -> Result<Coproduction, Vec<FieldError>> {
        let mut errors = Vec::new();
        match self.held_on {
            None => errors.push(err("held_on", "Enter the date it was held")),
            Some(d) if d > today => errors.push(err("held_on", "The date it was held must be today or in the past")),
            Some(_) => {}
        }
        let kind = Kind::parse(&self.kind);
        if kind.is_none() {
            errors.push(err("kind", "Select whether it was a meeting, a workshop or an event"));
        }
        let title = self.title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            errors.push(err("title", "Enter what the meeting or event was"));
        } else if title.chars().count() > 200 {
            errors.push(err("title", "What the meeting or event was must be 200 characters or fewer"));
        }
        let mut took_part = Vec::new();
        for (group, typed) in &self.numbers {
            let t = typed.trim();
            if t.is_empty() {
                continue;
            }
            match t.parse::<u32>() {
                Ok(0) => {}
                Ok(n) if n <= MAX_PEOPLE => took_part.push((*group, n)),
                _ => errors.push(err(group.code(), format!("{} must be a whole number from 0 to {MAX_PEOPLE}", group.words()))),
            }
        }
        if took_part.is_empty() && !errors.iter().any(|e| Group::parse(&e.field).is_some()) {
            errors.push(err("took_part", "Enter how many people from at least one group took part"));
        }
        let decided = self.decided.trim().to_owned();
        if decided.is_empty() {
            errors.push(err("decided", "Enter what was decided or agreed"));
        } else if decided.chars().count() > MAX_TEXT {
            errors.push(err("decided", format!("What was decided must be {MAX_TEXT} characters or fewer")));
        }
        let mut deliverables: Vec<String> = Vec::new();
        for r in self.deliverables.split(|c: char| c == ',' || c.is_whitespace()).filter(|r| !r.is_empty()) {
            if r.chars().count() > 20 || !r.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
                errors.push(err("deliverables", format!("'{r}' is not a deliverable reference, like B7")));
            } else if !deliverables.iter().any(|d| d.eq_ignore_ascii_case(r)) {
                deliverables.push(r.to_ascii_uppercase());
            }
        }
        match (self.held_on, kind, errors.is_empty()) {
            (Some(held_on), Some(kind), true) => Ok(Coproduction { held_on, kind, title, took_part, decided, deliverables }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        waymark_domain::calendar::parse_iso_date(s).unwrap()
    }

    fn draft() -> DraftCoproduction {
        DraftCoproduction {
            held_on: Some(d("2026-11-10")),
            kind: "workshop".into(),
            title: "  Annual review   letters ".into(),
            numbers: vec![(Group::ParentCarerForum, "4".into()), (Group::YoungPeople, "".into()), (Group::Children, "0".into())],
            decided: "Letters will say who to contact.".into(),
            deliverables: "b7, B7 d2".into(),
        }
    }

    #[test]
    fn a_meeting_is_recorded_by_group_and_number_with_its_deliverables_each_once() {
        let c = draft().check(d("2026-11-20")).unwrap();
        assert_eq!(c.title, "Annual review letters");
        assert_eq!(c.took_part, vec![(Group::ParentCarerForum, 4)], "blank and zero groups did not take part");
        assert_eq!(c.people(), 4);
        assert_eq!(c.deliverables, vec!["B7".to_owned(), "D2".to_owned()]);
    }

    #[test]
    fn each_wrong_field_is_named_and_nothing_is_accepted() {
        let mut bad = draft();
        bad.held_on = Some(d("2026-12-01"));
        bad.kind = "party".into();
        bad.numbers = vec![(Group::YoungPeople, "lots".into())];
        bad.decided = " ".into();
        bad.deliverables = "B7; drop".into();
        let errors = bad.check(d("2026-11-20")).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["held_on", "kind", "young_people", "decided", "deliverables"]);
        assert_eq!(errors[2].message, "Young people (16 to 25) must be a whole number from 0 to 10000");
    }

    #[test]
    fn someone_must_have_taken_part() {
        let mut none = draft();
        none.numbers = vec![(Group::ParentsAndCarers, "0".into())];
        let errors = none.check(d("2026-11-20")).unwrap_err();
        assert_eq!(errors[0].field, "took_part");
    }
}
