//! Compliments and complaints, and the stages a complaint goes through: the council's stage 1 and
//! stage 2, the Local Government and Social Care Ombudsman (LGSCO), and appeals to the First-tier
//! Tribunal (SEND). Each stage's response is due a number of working days after it was received
//! (England and Wales working days, `waymark_domain::working_days`), tracked like the statutory clock.
//!
//! [U] None of these limits is set in legislation we hold. Stage 1 (10 working days) and stage 2 (20
//! working days) follow the two-stage corporate complaints procedures councils publish and the LGSCO's
//! guidance on good complaint handling; an LA with other limits changes them here, in one place. The
//! LGSCO sets its own date for a council's reply to an enquiry: 20 working days is assumed. For an
//! appeal, the LA's response to the Tribunal is taken as due 30 working days after the Tribunal sent
//! the appeal (the SEND Tribunal's practice under the HESC Rules 2008, r.21 [U]).

use serde::{Deserialize, Serialize};
use waymark_domain::calendar::Date;
use waymark_domain::calendar::{add_working_days, working_days_between};

/// A compliment, or a complaint at one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Compliment,
    Stage1,
    Stage2,
    Ombudsman,
    Tribunal,
}

impl Stage {
    pub const ALL: [Stage; 5] = [Self::Compliment, Self::Stage1, Self::Stage2, Self::Ombudsman, Self::Tribunal];

    pub fn code(self) -> &'static str {
        match self {
            Self::Compliment => "compliment",
            Self::Stage1 => "stage_1",
            Self::Stage2 => "stage_2",
            Self::Ombudsman => "ombudsman",
            Self::Tribunal => "tribunal",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == text.trim())
    }

    /// The stage in words.
    pub fn words(self) -> &'static str {
        match self {
            Self::Compliment => "Compliment",
            Self::Stage1 => "Complaint: stage 1",
            Self::Stage2 => "Complaint: stage 2",
            Self::Ombudsman => "Local Government and Social Care Ombudsman",
            Self::Tribunal => "Appeal to the SEND Tribunal",
        }
    }

    /// The stage a complaint escalates to when the complainant is not satisfied: stage 1 to stage 2,
    /// stage 2 to the Ombudsman. An appeal to the Tribunal is a separate route, and compliments end.
    pub fn next(self) -> Option<Self> {
        match self {
            Self::Stage1 => Some(Self::Stage2),
            Self::Stage2 => Some(Self::Ombudsman),
            Self::Compliment | Self::Ombudsman | Self::Tribunal => None,
        }
    }

    /// Working days from receipt to the response being due; none for a compliment. See the module's
    /// note: [U] local and assumed limits, not legislation.
    pub fn response_working_days(self) -> Option<u32> {
        match self {
            Self::Compliment => None,
            Self::Stage1 => Some(10),
            Self::Stage2 => Some(20),
            Self::Ombudsman => Some(20),
            Self::Tribunal => Some(30),
        }
    }
}

/// How a complaint ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Upheld,
    PartlyUpheld,
    NotUpheld,
    Withdrawn,
    /// An appeal the LA did not defend, or settled before the hearing.
    Conceded,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [Self::Upheld, Self::PartlyUpheld, Self::NotUpheld, Self::Withdrawn, Self::Conceded];

    pub fn code(self) -> &'static str {
        match self {
            Self::Upheld => "upheld",
            Self::PartlyUpheld => "partly_upheld",
            Self::NotUpheld => "not_upheld",
            Self::Withdrawn => "withdrawn",
            Self::Conceded => "conceded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == text.trim())
    }

    pub fn words(self) -> &'static str {
        match self {
            Self::Upheld => "Upheld",
            Self::PartlyUpheld => "Partly upheld",
            Self::NotUpheld => "Not upheld",
            Self::Withdrawn => "Withdrawn",
            Self::Conceded => "Conceded or not defended",
        }
    }
}

/// Where a complaint's response stands against its time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Timeliness {
    /// A compliment: nothing is due.
    NotDue,
    /// Not yet answered; `left` working days until it is due (0 on the day).
    Open { due: Date, left: u32 },
    /// Not answered and past its due day by `late` working days.
    Overdue { due: Date, late: u32 },
    /// Answered on or before its due day.
    Met { due: Date },
    /// Answered after its due day, by `late` working days.
    Late { due: Date, late: u32 },
}

impl Timeliness {
    pub fn words(self) -> String {
        match self {
            Self::NotDue => "No response due".into(),
            Self::Open { left: 0, .. } => "Response due today".into(),
            Self::Open { left: 1, .. } => "Response due in 1 working day".into(),
            Self::Open { left, .. } => format!("Response due in {left} working days"),
            Self::Overdue { late: 1, .. } => "Overdue by 1 working day".into(),
            Self::Overdue { late, .. } => format!("Overdue by {late} working days"),
            Self::Met { .. } => "Answered in time".into(),
            Self::Late { late: 1, .. } => "Answered 1 working day late".into(),
            Self::Late { late, .. } => format!("Answered {late} working days late"),
        }
    }
}

/// Where a stage received on `received` stands on `today`, given when it was answered.
pub fn timeliness(stage: Stage, received: Date, responded: Option<Date>, today: Date) -> Timeliness {
    let Some(days) = stage.response_working_days() else { return Timeliness::NotDue };
    let due = add_working_days(received, days);
    match responded {
        Some(r) if r <= due => Timeliness::Met { due },
        Some(r) => Timeliness::Late { due, late: working_days_between(due, r).max(1) },
        None if today <= due => Timeliness::Open { due, left: working_days_between(today, due) },
        None => Timeliness::Overdue { due, late: working_days_between(due, today).max(1) },
    }
}

/// Counts for one stage, as reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StageReport {
    pub received: u64,
    pub answered_in_time: u64,
    pub answered_late: u64,
    pub open: u64,
    pub overdue: u64,
    pub upheld: u64,
}

impl StageReport {
    /// Of the responses given, the percentage given on or before their due day; none before any.
    pub fn on_time_percent(&self) -> Option<f64> {
        let answered = self.answered_in_time + self.answered_late;
        #[allow(clippy::cast_precision_loss)] // counts of complaints are far below 2^52
        (answered > 0).then(|| 100.0 * self.answered_in_time as f64 / answered as f64)
    }
}

/// How many entries ended with each outcome, in [`Outcome::ALL`]'s order, and how many have none yet.
pub fn outcome_counts(outcomes: impl IntoIterator<Item = Option<Outcome>>) -> (Vec<(Outcome, u64)>, u64) {
    let mut counts: Vec<(Outcome, u64)> = Outcome::ALL.iter().map(|o| (*o, 0)).collect();
    let mut none = 0;
    for o in outcomes {
        match o.and_then(|o| counts.iter_mut().find(|(c, _)| *c == o)) {
            Some((_, n)) => *n += 1,
            None => none += 1,
        }
    }
    (counts, none)
}

/// The report of a log: per stage, received, answered in time or late, open, overdue, and upheld in
/// whole or part.
pub fn report<'a>(
    entries: impl IntoIterator<Item = (Stage, Date, Option<Date>, Option<Outcome>)> + 'a,
    today: Date,
) -> Vec<(Stage, StageReport)> {
    let mut out: Vec<(Stage, StageReport)> = Stage::ALL.iter().map(|s| (*s, StageReport::default())).collect();
    for (stage, received, responded, outcome) in entries {
        let Some((_, r)) = out.iter_mut().find(|(s, _)| *s == stage) else { continue };
        r.received += 1;
        match timeliness(stage, received, responded, today) {
            Timeliness::Met { .. } => r.answered_in_time += 1,
            Timeliness::Late { .. } => r.answered_late += 1,
            Timeliness::Open { .. } => r.open += 1,
            Timeliness::Overdue { .. } => r.overdue += 1,
            Timeliness::NotDue => {}
        }
        if matches!(outcome, Some(Outcome::Upheld | Outcome::PartlyUpheld)) {
            r.upheld += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        waymark_domain::calendar::parse_iso_date(s).unwrap()
    }

    #[test]
    fn a_stage_1_complaint_is_due_10_working_days_after_receipt_skipping_bank_holidays() {
        // Received Thursday 2 April 2026: Good Friday and Easter Monday do not count.
        let t = timeliness(Stage::Stage1, d("2026-04-02"), None, d("2026-04-10"));
        assert_eq!(t, Timeliness::Open { due: d("2026-04-20"), left: 6 });
        assert_eq!(t.words(), "Response due in 6 working days");
        assert_eq!(
            timeliness(Stage::Stage1, d("2026-04-02"), None, d("2026-04-22")),
            Timeliness::Overdue { due: d("2026-04-20"), late: 2 }
        );
        assert_eq!(
            timeliness(Stage::Stage1, d("2026-04-02"), Some(d("2026-04-20")), d("2026-05-01")),
            Timeliness::Met { due: d("2026-04-20") }
        );
        assert_eq!(
            timeliness(Stage::Stage1, d("2026-04-02"), Some(d("2026-04-21")), d("2026-05-01")).words(),
            "Answered 1 working day late"
        );
    }

    #[test]
    fn an_appeal_to_the_send_tribunal_response_is_due_in_30_working_days_and_compliments_never_fall_due() {
        assert_eq!(
            timeliness(Stage::Tribunal, d("2026-11-02"), None, d("2026-11-02")),
            Timeliness::Open { due: d("2026-12-14"), left: 30 }
        );
        assert_eq!(timeliness(Stage::Compliment, d("2026-11-02"), None, d("2027-11-02")), Timeliness::NotDue);
    }

    #[test]
    fn the_report_counts_each_stage_by_timeliness_and_outcome() {
        let today = d("2026-12-01");
        let r = report(
            [
                (Stage::Stage1, d("2026-11-02"), Some(d("2026-11-05")), Some(Outcome::Upheld)),
                (Stage::Stage1, d("2026-11-02"), None, None),
                (Stage::Stage1, d("2026-11-30"), None, None),
                (Stage::Stage2, d("2026-10-01"), Some(d("2026-11-30")), Some(Outcome::NotUpheld)),
                (Stage::Compliment, d("2026-11-02"), None, None),
            ],
            today,
        );
        let s1 = r.iter().find(|(s, _)| *s == Stage::Stage1).unwrap().1;
        assert_eq!(s1, StageReport { received: 3, answered_in_time: 1, answered_late: 0, open: 1, overdue: 1, upheld: 1 });
        assert_eq!(r.iter().find(|(s, _)| *s == Stage::Stage2).unwrap().1.answered_late, 1);
        assert_eq!(r.iter().find(|(s, _)| *s == Stage::Compliment).unwrap().1.received, 1);
        assert_eq!(s1.on_time_percent(), Some(100.0));
        assert_eq!(r.iter().find(|(s, _)| *s == Stage::Stage2).unwrap().1.on_time_percent(), Some(0.0));
        assert_eq!(StageReport::default().on_time_percent(), None, "no responses yet: no percentage, not 0%");
    }

    #[test]
    fn outcomes_are_counted_with_those_still_open_apart() {
        let (counts, none) = outcome_counts([Some(Outcome::Upheld), None, Some(Outcome::Upheld), Some(Outcome::Withdrawn)]);
        assert_eq!(counts[0], (Outcome::Upheld, 2));
        assert_eq!(counts.iter().find(|(o, _)| *o == Outcome::Withdrawn).unwrap().1, 1);
        assert_eq!(none, 1);
    }

    #[test]
    fn a_complaint_escalates_from_stage_1_to_stage_2_to_the_ombudsman() {
        assert_eq!(Stage::Stage1.next(), Some(Stage::Stage2));
        assert_eq!(Stage::Stage2.next(), Some(Stage::Ombudsman));
        assert_eq!(Stage::Ombudsman.next(), None);
        assert_eq!(Stage::Compliment.next(), None);
    }
}
