//! The strategy as data: strands and their deliverables (what, by when, by whom, status, the board or
//! group that monitors it, linked indicators), progress notes per quarter with who wrote them, and the
//! owner's account that may update it. The same shape holds the action plan after an inspection (areas
//! for improvement and their actions, measured by indicators with targets).
//!
//! A plan is never stored as its current state: it is the replay of its [`Recorded`] changes, so every
//! change is kept with who made it and when, and any earlier state can be shown again.

use crate::due::Due;
use crate::quarter::Quarter;
use crate::status::Status;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The longest text a note may hold.
pub const MAX_NOTE: usize = 4000;
/// The longest title, owner, strand name or board.
pub const MAX_FIELD: usize = 500;

/// Which plan: the strategy's delivery plan, or the action plan after an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    Strategy,
    ActionPlan,
}

impl PlanKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::Strategy => "strategy",
            Self::ActionPlan => "action_plan",
        }
    }
    pub fn parse(key: &str) -> Option<Self> {
        [Self::Strategy, Self::ActionPlan].into_iter().find(|k| k.key() == key)
    }
    /// What the plan's groups are called.
    pub fn group_word(self) -> &'static str {
        match self {
            Self::Strategy => "strand",
            Self::ActionPlan => "area for improvement",
        }
    }
    /// What the plan's items are called.
    pub fn item_word(self) -> &'static str {
        match self {
            Self::Strategy => "deliverable",
            Self::ActionPlan => "action",
        }
    }
}

/// An indicator of a framework: `pack/indicator_id` (`dfe-ehcp/plans_within_20_weeks_excl_exceptions_pct`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IndicatorRef {
    pub pack: String,
    pub id: String,
}

impl FromStr for IndicatorRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let ok = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        match t.split_once('/') {
            Some((pack, id)) if ok(pack) && ok(id) => Ok(Self { pack: pack.to_owned(), id: id.to_owned() }),
            _ => Err(format!("'{t}' is not an indicator: write it as pack/indicator_id, for example dfe-ehcp/plans_issued")),
        }
    }
}

impl fmt::Display for IndicatorRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.pack, self.id)
    }
}

impl TryFrom<String> for IndicatorRef {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<IndicatorRef> for String {
    fn from(r: IndicatorRef) -> String {
        r.to_string()
    }
}

/// A deliverable as the CSV (or an edit) defines it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDef {
    pub reference: String,
    pub title: String,
    pub due: Due,
    /// By whom: the named owner or team as the plan writes it (initials in the seeds).
    pub owner: String,
    pub status: Status,
    /// The board or group that monitors it.
    pub monitored_by: String,
    pub indicators: Vec<IndicatorRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrandDef {
    pub name: String,
    pub items: Vec<ItemDef>,
}

/// A progress note: the quarter it reports on, what it says, who wrote it and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    pub quarter: Quarter,
    pub text: String,
    pub status: Status,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// One change of status, for "what moved".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusChange {
    pub from: Option<Status>,
    pub to: Status,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// A deliverable (or an action) as it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    #[serde(flatten)]
    pub def: ItemDef,
    /// The account (a user id) of the owner who may update it, if a manager has named one.
    pub owner_account: Option<String>,
    pub notes: Vec<Note>,
    pub statuses: Vec<StatusChange>,
    /// Evidence attached, in order, removed ones included (kept with who removed them and why).
    pub evidence: Vec<AttachedEvidence>,
}

impl Item {
    /// The evidence attached and not removed.
    pub fn current_evidence(&self) -> impl Iterator<Item = &AttachedEvidence> {
        self.evidence.iter().filter(|e| e.removed.is_none())
    }

    pub fn status(&self) -> Status {
        self.def.status
    }

    /// The status at the end of a day (before the first recorded status, none).
    pub fn status_on(&self, day: NaiveDate) -> Option<Status> {
        self.statuses.iter().take_while(|s| s.at.date_naive() <= day).last().map(|s| s.to)
    }

    /// Past its due date and not finished.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        !self.def.status.is_closed() && self.def.due.last_day() < today
    }

    /// The latest note, if any.
    pub fn latest_note(&self) -> Option<&Note> {
        self.notes.iter().max_by_key(|n| (n.quarter, n.at))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Strand {
    pub name: String,
    pub items: Vec<Item>,
}

/// A plan as it stands after its changes.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Plan {
    pub strands: Vec<Strand>,
    /// How many changes made it (the version a later change names).
    pub version: u64,
}

/// Something that can happen to a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// The plan's definition loaded from the CSV: it replaces the strands and deliverables; the notes,
    /// status history and owner accounts of references that remain are kept.
    Imported { strands: Vec<StrandDef> },
    /// The owner's (or a manager's) update: a status and, optionally, a note for a quarter.
    Progress { reference: String, status: Status, quarter: Quarter, note: Option<String> },
    /// A manager names the account that owns a deliverable (or none).
    OwnerAccount { reference: String, account: Option<String> },
    /// Evidence of progress attached to a deliverable: a link, or a document already stored (by id).
    EvidenceAdded { reference: String, evidence: Evidence },
    /// Evidence taken off a deliverable (kept in the history), with why.
    EvidenceRemoved { reference: String, id: String, reason: String },
}

/// Evidence attached to a deliverable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The link's or the document's id, unique on the deliverable.
    pub id: String,
    /// What it is, as people read it ("Minutes of the SEND Board, March 2026").
    pub title: String,
    #[serde(flatten)]
    pub target: EvidenceTarget,
}

/// Where the evidence is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceTarget {
    /// A web address (https only: a page the board and inspectors can open).
    Link { url: String },
    /// A document stored with the strategy (its file name as uploaded).
    Document { filename: String },
}

impl Evidence {
    /// A link, checked: a title of 1 to [`MAX_FIELD`] characters and an `https://` address with a host,
    /// without spaces or control characters, of at most 2,000 characters.
    pub fn link(id: String, title: &str, url: &str) -> Result<Self, PlanError> {
        let url = url.trim();
        let host = url.strip_prefix("https://").map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
        if !host.is_some_and(|h| h.contains('.') && !h.starts_with('.') && !h.ends_with('.'))
            || url.len() > 2000
            || url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
        {
            return Err(PlanError::Invalid(
                "the address must be a web address starting https://, for example https://www.example.gov.uk/send".into(),
            ));
        }
        Ok(Self { id, title: Self::title(title)?, target: EvidenceTarget::Link { url: url.to_owned() } })
    }

    /// A document's entry (its bytes are stored apart, by the store).
    pub fn document(id: String, title: &str, filename: &str) -> Result<Self, PlanError> {
        Ok(Self { id, title: Self::title(title)?, target: EvidenceTarget::Document { filename: filename.to_owned() } })
    }

    fn title(t: &str) -> Result<String, PlanError> {
        let t = t.trim();
        if t.is_empty() || t.chars().count() > MAX_FIELD || t.chars().any(char::is_control) {
            return Err(PlanError::Invalid(format!("the evidence needs a title of 1 to {MAX_FIELD} characters")));
        }
        Ok(t.to_owned())
    }
}

/// Evidence as it stands on a deliverable: what, who added it and when, and, if taken off, by whom,
/// when and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttachedEvidence {
    pub evidence: Evidence,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub removed: Option<(String, DateTime<Utc>, String)>,
}

/// A change as stored: in order, with who made it and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub change: Change,
}

/// Why a change cannot apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("there is no {item} with reference '{reference}'")]
    NoSuchItem { item: &'static str, reference: String },
    #[error("{0}")]
    Invalid(String),
}

impl Plan {
    /// Replay stored changes in order.
    pub fn replay(kind: PlanKind, changes: &[Recorded]) -> Result<Self, PlanError> {
        let mut plan = Self::default();
        for r in changes {
            plan.apply(kind, r)?;
        }
        Ok(plan)
    }

    pub fn is_empty(&self) -> bool {
        self.strands.is_empty()
    }

    pub fn items(&self) -> impl Iterator<Item = (&Strand, &Item)> {
        self.strands.iter().flat_map(|s| s.items.iter().map(move |i| (s, i)))
    }

    pub fn item(&self, reference: &str) -> Option<(&Strand, &Item)> {
        self.items().find(|(_, i)| i.def.reference == reference)
    }

    fn item_mut(&mut self, kind: PlanKind, reference: &str) -> Result<&mut Item, PlanError> {
        self.strands
            .iter_mut()
            .flat_map(|s| s.items.iter_mut())
            .find(|i| i.def.reference == reference)
            .ok_or_else(|| PlanError::NoSuchItem { item: kind.item_word(), reference: reference.to_owned() })
    }

    /// Check a change against the plan as it stands, before it is stored.
    pub fn check(&self, kind: PlanKind, change: &Change) -> Result<(), PlanError> {
        let mut copy = self.clone();
        copy.apply(kind, &Recorded { seq: self.version + 1, at: DateTime::<Utc>::MIN_UTC, actor: String::new(), change: change.clone() })
    }

    /// Apply one recorded change.
    pub fn apply(&mut self, kind: PlanKind, r: &Recorded) -> Result<(), PlanError> {
        match &r.change {
            Change::Imported { strands } => {
                let mut old: Vec<Item> = std::mem::take(&mut self.strands).into_iter().flat_map(|s| s.items).collect();
                self.strands = strands
                    .iter()
                    .map(|s| Strand {
                        name: s.name.clone(),
                        items: s
                            .items
                            .iter()
                            .map(|d| {
                                let kept = old.iter().position(|o| o.def.reference == d.reference).map(|i| old.swap_remove(i));
                                let (owner_account, notes, mut statuses, evidence) = kept
                                    .map_or((None, Vec::new(), Vec::new(), Vec::new()), |k| {
                                        (k.owner_account, k.notes, k.statuses, k.evidence)
                                    });
                                if statuses.last().map(|s| s.to) != Some(d.status) {
                                    statuses.push(StatusChange {
                                        from: statuses.last().map(|s| s.to),
                                        to: d.status,
                                        actor: r.actor.clone(),
                                        at: r.at,
                                    });
                                }
                                Item { def: d.clone(), owner_account, notes, statuses, evidence }
                            })
                            .collect(),
                    })
                    .collect();
            }
            Change::Progress { reference, status, quarter, note } => {
                if let Some(n) = note {
                    if n.trim().is_empty() || n.chars().count() > MAX_NOTE {
                        return Err(PlanError::Invalid(format!("a progress note must have between 1 and {MAX_NOTE} characters")));
                    }
                }
                let item = self.item_mut(kind, reference)?;
                if item.def.status != *status {
                    item.statuses.push(StatusChange { from: Some(item.def.status), to: *status, actor: r.actor.clone(), at: r.at });
                    item.def.status = *status;
                }
                if let Some(n) = note {
                    item.notes.push(Note {
                        quarter: *quarter,
                        text: n.trim().to_owned(),
                        status: *status,
                        actor: r.actor.clone(),
                        at: r.at,
                    });
                }
            }
            Change::OwnerAccount { reference, account } => {
                self.item_mut(kind, reference)?.owner_account = account.clone();
            }
            Change::EvidenceAdded { reference, evidence } => {
                let item = self.item_mut(kind, reference)?;
                if item.evidence.iter().any(|e| e.evidence.id == evidence.id) {
                    return Err(PlanError::Invalid(format!("evidence '{}' is already attached", evidence.id)));
                }
                item.evidence.push(AttachedEvidence { evidence: evidence.clone(), actor: r.actor.clone(), at: r.at, removed: None });
            }
            Change::EvidenceRemoved { reference, id, reason } => {
                if reason.trim().is_empty() || reason.chars().count() > MAX_FIELD {
                    return Err(PlanError::Invalid(format!("say why the evidence is taken off, in 1 to {MAX_FIELD} characters")));
                }
                let item = self.item_mut(kind, reference)?;
                let e = item
                    .evidence
                    .iter_mut()
                    .find(|e| e.evidence.id == *id && e.removed.is_none())
                    .ok_or_else(|| PlanError::Invalid(format!("there is no evidence '{id}' on {reference}")))?;
                e.removed = Some((r.actor.clone(), r.at, reason.trim().to_owned()));
            }
        }
        self.version = r.seq;
        Ok(())
    }

    /// How many items are at each status, in [`Status::ALL`] order.
    pub fn counts(&self) -> Vec<(Status, usize)> {
        Status::ALL.iter().map(|s| (*s, self.items().filter(|(_, i)| i.status() == *s).count())).collect()
    }

    /// Every linked indicator, once, in order of first mention.
    pub fn indicators(&self) -> Vec<IndicatorRef> {
        let mut out: Vec<IndicatorRef> = Vec::new();
        for (_, i) in self.items() {
            for r in &i.def.indicators {
                if !out.contains(r) {
                    out.push(r.clone());
                }
            }
        }
        out
    }

    /// The plan as definitions again (for the CSV export).
    pub fn definitions(&self) -> Vec<StrandDef> {
        self.strands.iter().map(|s| StrandDef { name: s.name.clone(), items: s.items.iter().map(|i| i.def.clone()).collect() }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2026, 1, day).unwrap().and_hms_opt(9, 0, 0).unwrap().and_utc()
    }

    fn def(reference: &str, status: Status) -> ItemDef {
        ItemDef {
            reference: reference.into(),
            title: format!("Deliverable {reference}"),
            due: Due::Month { year: 2026, month: 3 },
            owner: "JK".into(),
            status,
            monitored_by: "SEND Board".into(),
            indicators: vec!["dfe-ehcp/plans_issued".parse().unwrap()],
        }
    }

    fn rec(seq: u64, day: u32, change: Change) -> Recorded {
        Recorded { seq, at: at(day), actor: format!("user:{seq}"), change }
    }

    #[test]
    fn a_plan_is_the_replay_of_its_changes_and_keeps_each_status_and_note_with_who_and_when() {
        let q1: Quarter = "2026Q1".parse().unwrap();
        let changes = vec![
            rec(1, 1, Change::Imported { strands: vec![StrandDef { name: "A".into(), items: vec![def("A1", Status::NotStarted)] }] }),
            rec(2, 10, Change::Progress { reference: "A1".into(), status: Status::OnTrack, quarter: q1, note: Some("Group met".into()) }),
            rec(3, 20, Change::Progress { reference: "A1".into(), status: Status::OffTrack, quarter: q1, note: None }),
        ];
        let plan = Plan::replay(PlanKind::Strategy, &changes).unwrap();
        let (_, item) = plan.item("A1").unwrap();
        assert_eq!(item.status(), Status::OffTrack);
        assert_eq!(plan.version, 3);
        assert_eq!(item.notes.len(), 1);
        assert_eq!((item.notes[0].actor.as_str(), item.notes[0].text.as_str()), ("user:2", "Group met"));
        assert_eq!(item.statuses.iter().map(|s| s.to).collect::<Vec<_>>(), [Status::NotStarted, Status::OnTrack, Status::OffTrack]);
        assert_eq!(item.status_on(at(15).date_naive()), Some(Status::OnTrack), "the state on any earlier day");
        assert_eq!(item.status_on(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()), None);
    }

    #[test]
    fn importing_again_keeps_the_notes_of_deliverables_that_remain_and_drops_the_rest() {
        let q1: Quarter = "2026Q1".parse().unwrap();
        let strands = |items| vec![StrandDef { name: "A".into(), items }];
        let changes = vec![
            rec(1, 1, Change::Imported { strands: strands(vec![def("A1", Status::NotStarted), def("A2", Status::NotStarted)]) }),
            rec(2, 2, Change::Progress { reference: "A1".into(), status: Status::OnTrack, quarter: q1, note: Some("n".into()) }),
            rec(3, 3, Change::OwnerAccount { reference: "A1".into(), account: Some("user:9".into()) }),
            rec(4, 4, Change::Imported { strands: strands(vec![def("A1", Status::OnTrack), def("A3", Status::NotStarted)]) }),
        ];
        let plan = Plan::replay(PlanKind::Strategy, &changes).unwrap();
        let (_, a1) = plan.item("A1").unwrap();
        assert_eq!((a1.notes.len(), a1.owner_account.as_deref(), a1.statuses.len()), (1, Some("user:9"), 2));
        assert!(plan.item("A2").is_none() && plan.item("A3").is_some());
    }

    #[test]
    fn an_update_to_a_missing_deliverable_or_an_empty_note_is_refused() {
        let plan = Plan::default();
        let q1: Quarter = "2026Q1".parse().unwrap();
        let e =
            plan.check(PlanKind::Strategy, &Change::Progress { reference: "Z9".into(), status: Status::OnTrack, quarter: q1, note: None });
        assert_eq!(e.unwrap_err().to_string(), "there is no deliverable with reference 'Z9'");
        let plan = Plan::replay(
            PlanKind::Strategy,
            &[rec(1, 1, Change::Imported { strands: vec![StrandDef { name: "A".into(), items: vec![def("A1", Status::NotStarted)] }] })],
        )
        .unwrap();
        let e = plan.check(
            PlanKind::ActionPlan,
            &Change::Progress { reference: "A1".into(), status: Status::OnTrack, quarter: q1, note: Some("  ".into()) },
        );
        assert!(e.unwrap_err().to_string().contains("between 1 and"));
    }

    #[test]
    fn evidence_is_attached_kept_through_a_new_import_and_taken_off_with_a_reason() {
        let strands = vec![StrandDef { name: "A".into(), items: vec![def("A1", Status::NotStarted)] }];
        let link = Evidence::link("l1".into(), "Board minutes", "https://www.example.gov.uk/minutes").unwrap();
        let changes = vec![
            rec(1, 1, Change::Imported { strands: strands.clone() }),
            rec(2, 2, Change::EvidenceAdded { reference: "A1".into(), evidence: link.clone() }),
            rec(3, 3, Change::Imported { strands }),
        ];
        let mut plan = Plan::replay(PlanKind::Strategy, &changes).unwrap();
        let (_, a1) = plan.item("A1").unwrap();
        assert_eq!(a1.current_evidence().map(|e| e.evidence.title.as_str()).collect::<Vec<_>>(), ["Board minutes"]);
        assert_eq!(a1.evidence[0].actor, "user:2");
        let again = Change::EvidenceAdded { reference: "A1".into(), evidence: link };
        assert!(plan.check(PlanKind::Strategy, &again).unwrap_err().to_string().contains("already attached"));
        let no_reason = Change::EvidenceRemoved { reference: "A1".into(), id: "l1".into(), reason: " ".into() };
        assert!(plan.check(PlanKind::Strategy, &no_reason).unwrap_err().to_string().contains("say why"));
        plan.apply(
            PlanKind::Strategy,
            &rec(4, 4, Change::EvidenceRemoved { reference: "A1".into(), id: "l1".into(), reason: "Wrong meeting".into() }),
        )
        .unwrap();
        let (_, a1) = plan.item("A1").unwrap();
        assert_eq!(a1.current_evidence().count(), 0);
        assert_eq!(a1.evidence[0].removed.as_ref().map(|r| r.2.as_str()), Some("Wrong meeting"), "kept, with why");
    }

    #[test]
    fn a_link_must_be_an_https_address_and_have_a_title() {
        for bad in ["http://example.org", "javascript:alert(1)", "https://", "https://localhost", "https://a.b/x y", "ftp://a.b"] {
            assert!(Evidence::link("x".into(), "t", bad).is_err(), "{bad}");
        }
        assert!(Evidence::link("x".into(), "  ", "https://a.example.org").unwrap_err().to_string().contains("title"));
        assert!(Evidence::link("x".into(), "Minutes", "https://a.example.org/p?q=1#top").is_ok());
    }

    #[test]
    fn an_indicator_is_named_as_pack_slash_id() {
        let r: IndicatorRef = "dfe-ehcp/plans_issued".parse().unwrap();
        assert_eq!((r.pack.as_str(), r.id.as_str()), ("dfe-ehcp", "plans_issued"));
        for bad in ["plans_issued", "dfe-ehcp/", "/x", "a/b/c", "a b/c"] {
            assert!(bad.parse::<IndicatorRef>().unwrap_err().contains("pack/indicator_id"), "{bad}");
        }
    }
}
