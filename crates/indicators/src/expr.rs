//! Measures as small expressions over the person table.
//!
//! ```text
//! expression := term ( "+" term )*          a sum of counts
//! term       := base ( "&" predicate )*     the records of a base set that pass every predicate
//! predicate  := ["!"] name [ "(" argument ")" ]
//! ```
//!
//! A *base* is a set of dated records within a period: `requests_received` (requests received in the
//! period), `plans_issued` (final plans issued in it after a new assessment), `plans_in_force` (plans in
//! force on the period's reference date)... A *predicate* keeps some of them: `refused`,
//! `issued_within_days(140)`, `exception`, `sen(ehc_plan)`, `setting(special)`. Person predicates are
//! read on the record's own date (the request's, the plan's, the census day). See `docs/indicators.md`.

use crate::period::Period;
use crate::table::{age_at_start_of_academic_year, age_on, days, CaseRow, PersonRow, PersonTable, SettingKind, NONE};
use waymark_domain::calendar::Date;
use waymark_domain::case::{AppealableDecision, CeaseReason, DelayParty, ReviewOutcome};
use waymark_domain::child::SenStatus;
use waymark_domain::clock::DelayStage;
use waymark_domain::need::{BroadArea, NeedCode};

/// What kind of record a base set holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Case,
    Review,
    Dispute,
    Person,
}

/// A set of dated records in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// Requests for assessment received in the period (SEN2 ReceivedDate).
    RequestsReceived,
    /// Decisions whether to assess made in the period.
    AssessDecisions,
    /// Decisions not to assess made in the period.
    Refusals,
    /// Final plans issued in the period after a new assessment.
    PlansIssued,
    /// Decisions not to issue a plan made in the period.
    NotIssueDecisions,
    /// Plans in force on the period's reference date.
    PlansInForce,
    /// Plans that ceased in the period.
    PlansCeased,
    /// Annual reviews due in the period (s44).
    ReviewsDue,
    /// Review meetings held in the period.
    ReviewMeetings,
    /// Review decisions made in the period.
    ReviewDecisions,
    /// Appeals to the SEND Tribunal lodged in the period.
    AppealsLodged,
    /// Mediations held in the period.
    Mediations,
    /// Pupils attending a school on the reference date.
    Pupils,
    /// Children and young people aged 0-25 known to Waymark on the reference date.
    Residents,
}

impl Base {
    pub const ALL: [(&'static str, Base); 14] = [
        ("requests_received", Base::RequestsReceived),
        ("assess_decisions", Base::AssessDecisions),
        ("refusals", Base::Refusals),
        ("plans_issued", Base::PlansIssued),
        ("not_issue_decisions", Base::NotIssueDecisions),
        ("plans_in_force", Base::PlansInForce),
        ("plans_ceased", Base::PlansCeased),
        ("reviews_due", Base::ReviewsDue),
        ("review_meetings", Base::ReviewMeetings),
        ("review_decisions", Base::ReviewDecisions),
        ("appeals_lodged", Base::AppealsLodged),
        ("mediations", Base::Mediations),
        ("pupils", Base::Pupils),
        ("residents", Base::Residents),
    ];

    pub fn kind(self) -> RecordKind {
        match self {
            Self::RequestsReceived
            | Self::AssessDecisions
            | Self::Refusals
            | Self::PlansIssued
            | Self::NotIssueDecisions
            | Self::PlansInForce
            | Self::PlansCeased => RecordKind::Case,
            Self::ReviewsDue | Self::ReviewMeetings | Self::ReviewDecisions => RecordKind::Review,
            Self::AppealsLodged | Self::Mediations => RecordKind::Dispute,
            Self::Pupils | Self::Residents => RecordKind::Person,
        }
    }

    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, b)| *b == self).map_or("?", |(n, _)| n)
    }
}

/// Which SEN status a `sen(...)` predicate asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenSel {
    EhcPlan,
    SenSupport,
    AnySen,
    NoSen,
}

impl SenSel {
    fn matches(self, s: SenStatus) -> bool {
        match self {
            Self::EhcPlan => s == SenStatus::EhcPlan,
            Self::SenSupport => s == SenStatus::SenSupport,
            Self::AnySen => s != SenStatus::NoSen,
            Self::NoSen => s == SenStatus::NoSen,
        }
    }
}

/// Phases of education, by age on 31 August (school year groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    EarlyYears,
    Primary,
    Secondary,
    Post16,
    Post19,
}

impl Phase {
    pub const ALL: [(&'static str, Phase); 5] = [
        ("early_years", Phase::EarlyYears),
        ("primary", Phase::Primary),
        ("secondary", Phase::Secondary),
        ("post16", Phase::Post16),
        ("post19", Phase::Post19),
    ];

    /// Reception to Year 6 are ages 4-10 on 31 August; Years 7-11 ages 11-15; 16-19 and 20-25 after.
    pub fn of_age(age: i32) -> Phase {
        match age {
            ..=3 => Phase::EarlyYears,
            4..=10 => Phase::Primary,
            11..=15 => Phase::Secondary,
            16..=19 => Phase::Post16,
            _ => Phase::Post19,
        }
    }

    pub fn key(self) -> &'static str {
        Self::ALL.iter().find(|(_, p)| *p == self).map_or("?", |(n, _)| n)
    }
}

/// A test on one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Pred {
    Not(Box<Pred>),
    // Cases
    Refused,
    Assessed,
    Decided,
    DecisionWithinDays(i64),
    IssuedWithinDays(i64),
    NotIssueWithinDays(i64),
    Exception,
    NewAssessment,
    TransferredIn,
    CeaseReason(CeaseReason),
    Delay(Option<DelayStage>, Option<DelayParty>),
    PersonalBudget,
    Residential,
    WorkBased,
    // Reviews
    MeetingHeld,
    ReviewDecisionWithinDays(i64),
    Outcome(ReviewOutcome),
    // Disputes
    About(AppealableDecision),
    // People, on the record's date
    Sen(SenSel),
    Need(NeedCode),
    BroadNeed(BroadArea),
    Phase(Phase),
    Setting(SettingKind),
    SettingGroup(&'static str),
    UnitOrRp,
    LocalSchool,
    AgeBetween(i32, i32),
    Fsm,
    Sex(u8),
}

/// One term: a base set and its predicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub base: Base,
    pub preds: Vec<Pred>,
}

/// A sum of terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub terms: Vec<Term>,
    pub text: String,
}

const CEASE_REASONS: [(&str, CeaseReason); 9] = [
    ("maximum_age", CeaseReason::MaximumAge),
    ("needs_met", CeaseReason::NeedsMetWithoutPlan),
    ("higher_education", CeaseReason::HigherEducation),
    ("employment", CeaseReason::PaidEmployment),
    ("transferred", CeaseReason::TransferredToAnotherLa),
    ("not_engaging", CeaseReason::NoLongerEngaging),
    ("moved_outside_england", CeaseReason::MovedOutsideEngland),
    ("deceased", CeaseReason::Deceased),
    ("other", CeaseReason::Other),
];
const DECISIONS: [(&str, AppealableDecision); 5] = [
    ("refusal_to_assess", AppealableDecision::RefusalToAssess),
    ("refusal_to_issue", AppealableDecision::RefusalToIssue),
    ("plan_contents", AppealableDecision::PlanContents),
    ("refusal_to_amend", AppealableDecision::RefusalToAmend),
    ("cease", AppealableDecision::Cease),
];
const PARTIES: [(&str, DelayParty); 5] = [
    ("parent", DelayParty::Parent),
    ("education", DelayParty::Education),
    ("social_care", DelayParty::SocialCare),
    ("health", DelayParty::Health),
    ("la", DelayParty::La),
];
const BROAD: [(&str, BroadArea); 5] = [
    ("communication_and_interaction", BroadArea::CommunicationAndInteraction),
    ("cognition_and_learning", BroadArea::CognitionAndLearning),
    ("semh", BroadArea::SocialEmotionalAndMentalHealth),
    ("sensory_and_physical", BroadArea::SensoryAndPhysical),
    ("none", BroadArea::None),
];
pub const SETTING_GROUPS: [&str; 3] = ["mainstream_any", "special_any", "independent_any"];

fn one_of<T: Copy>(what: &str, arg: &str, table: &[(&str, T)]) -> Result<T, String> {
    table
        .iter()
        .find(|(n, _)| *n == arg)
        .map(|(_, v)| *v)
        .ok_or_else(|| format!("{what} '{arg}' is not one of {}", table.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")))
}

fn days_arg(name: &str, arg: Option<&str>) -> Result<i64, String> {
    let a = arg.ok_or_else(|| format!("'{name}' needs a number of days, e.g. {name}(42)"))?;
    a.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| format!("'{name}({a})': '{a}' is not a whole number of days"))
}

/// The predicates' names, for error messages and the docs.
pub const PREDICATES: &str = "refused, assessed, decided, decision_within_days(N), issued_within_days(N), not_issue_within_days(N), \
exception, new_assessment, transferred_in, cease_reason(R), delay(STAGE:PARTY), personal_budget, residential, work_based, \
meeting_held, review_decision_within_days(N), outcome(amend|maintain|cease), about(DECISION), sen(ehc_plan|sen_support|any_sen|no_sen), \
need(CODE), broad_need(AREA), phase(P), setting(KIND), setting_group(G), unit_or_rp, local_school, age_between(A:B), fsm, sex(M|F)";

/// Parse one predicate, e.g. `issued_within_days(140)` or `!exception`.
pub fn parse_pred(text: &str) -> Result<Pred, String> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix('!') {
        return Ok(Pred::Not(Box::new(parse_pred(rest)?)));
    }
    let (name, arg) = match t.split_once('(') {
        Some((n, rest)) => {
            let arg = rest.strip_suffix(')').ok_or_else(|| format!("'{t}' has no closing bracket"))?;
            (n.trim(), Some(arg.trim()))
        }
        None => (t, None),
    };
    let need_arg = |what: &str| arg.ok_or_else(|| format!("'{name}' needs an argument: {name}({what})"));
    Ok(match name {
        "refused" => Pred::Refused,
        "assessed" => Pred::Assessed,
        "decided" => Pred::Decided,
        "decision_within_days" => Pred::DecisionWithinDays(days_arg(name, arg)?),
        "issued_within_days" => Pred::IssuedWithinDays(days_arg(name, arg)?),
        "not_issue_within_days" => Pred::NotIssueWithinDays(days_arg(name, arg)?),
        "exception" => Pred::Exception,
        "new_assessment" => Pred::NewAssessment,
        "transferred_in" => Pred::TransferredIn,
        "cease_reason" => Pred::CeaseReason(one_of("cease reason", need_arg("REASON")?, &CEASE_REASONS)?),
        "delay" => {
            let a = need_arg("STAGE:PARTY")?;
            let (stage, party) = a.split_once(':').unwrap_or((a, "any"));
            let stage = match stage {
                "evidence" => Some(DelayStage::EvidenceGathering),
                "final" => Some(DelayStage::BetweenEvidenceAndFinalPlan),
                "any" => None,
                other => return Err(format!("delay stage '{other}' is not one of evidence, final, any")),
            };
            let party = if party == "any" { None } else { Some(one_of("delay party", party, &PARTIES)?) };
            Pred::Delay(stage, party)
        }
        "personal_budget" => Pred::PersonalBudget,
        "residential" => Pred::Residential,
        "work_based" => Pred::WorkBased,
        "meeting_held" => Pred::MeetingHeld,
        "review_decision_within_days" => Pred::ReviewDecisionWithinDays(days_arg(name, arg)?),
        "outcome" => Pred::Outcome(match need_arg("amend|maintain|cease")? {
            "amend" => ReviewOutcome::Amend,
            "maintain" => ReviewOutcome::Maintain,
            "cease" => ReviewOutcome::Cease,
            o => return Err(format!("review outcome '{o}' is not one of amend, maintain, cease")),
        }),
        "about" => Pred::About(one_of("appealable decision", need_arg("DECISION")?, &DECISIONS)?),
        "sen" => Pred::Sen(match need_arg("STATUS")? {
            "ehc_plan" => SenSel::EhcPlan,
            "sen_support" => SenSel::SenSupport,
            "any_sen" => SenSel::AnySen,
            "no_sen" => SenSel::NoSen,
            o => return Err(format!("SEN status '{o}' is not one of ehc_plan, sen_support, any_sen, no_sen")),
        }),
        "need" => {
            let a = need_arg("CODE")?;
            Pred::Need(NeedCode::ALL.into_iter().find(|c| c.code().eq_ignore_ascii_case(a)).ok_or_else(|| {
                format!(
                    "need '{a}' is not a DfE type-of-need code ({})",
                    NeedCode::ALL.iter().map(|c| c.code()).collect::<Vec<_>>().join(", ")
                )
            })?)
        }
        "broad_need" => Pred::BroadNeed(one_of("broad area of need", need_arg("AREA")?, &BROAD)?),
        "phase" => Pred::Phase(one_of("phase", need_arg("PHASE")?, &Phase::ALL)?),
        "setting" => {
            let a = need_arg("KIND")?;
            Pred::Setting(SettingKind::parse(a).ok_or_else(|| {
                format!("setting kind '{a}' is not one of {}", SettingKind::ALL.iter().map(|k| k.key()).collect::<Vec<_>>().join(", "))
            })?)
        }
        "setting_group" => {
            let a = need_arg("GROUP")?;
            Pred::SettingGroup(
                SETTING_GROUPS
                    .into_iter()
                    .find(|g| *g == a)
                    .ok_or_else(|| format!("setting group '{a}' is not one of {}", SETTING_GROUPS.join(", ")))?,
            )
        }
        "unit_or_rp" => Pred::UnitOrRp,
        "local_school" => Pred::LocalSchool,
        "age_between" => {
            let a = need_arg("FROM:TO")?;
            let (lo, hi) = a.split_once(':').ok_or_else(|| format!("age_between({a}) needs FROM:TO, e.g. age_between(16:19)"))?;
            let parse = |s: &str| s.trim().parse::<i32>().map_err(|_| format!("age_between({a}): '{s}' is not a whole number"));
            Pred::AgeBetween(parse(lo)?, parse(hi)?)
        }
        "fsm" => Pred::Fsm,
        "sex" => Pred::Sex(match need_arg("M|F")? {
            "M" => 1,
            "F" => 2,
            o => return Err(format!("sex '{o}' is not M or F")),
        }),
        other => return Err(format!("unknown predicate '{other}' (known: {PREDICATES})")),
    })
}

impl Pred {
    /// Which kinds of record the predicate can be asked of.
    fn applies_to(&self, kind: RecordKind) -> bool {
        use Pred::*;
        match self {
            Not(p) => p.applies_to(kind),
            Refused
            | Assessed
            | Decided
            | DecisionWithinDays(_)
            | IssuedWithinDays(_)
            | NotIssueWithinDays(_)
            | Exception
            | NewAssessment
            | TransferredIn
            | CeaseReason(_)
            | Delay(..)
            | PersonalBudget
            | Residential
            | WorkBased => kind != RecordKind::Person,
            MeetingHeld | ReviewDecisionWithinDays(_) | Outcome(_) => kind == RecordKind::Review,
            About(_) => kind == RecordKind::Dispute,
            _ => true,
        }
    }
}

/// Parse an expression and check every predicate applies to its base.
pub fn parse_expr(text: &str) -> Result<Expr, String> {
    let mut terms = Vec::new();
    for term_text in text.split('+') {
        let mut parts = term_text.split('&');
        let base_text = parts.next().unwrap_or("").trim();
        if base_text.is_empty() {
            return Err(format!("'{}' has an empty term", text.trim()));
        }
        let base = Base::ALL.iter().find(|(n, _)| *n == base_text).map(|(_, b)| *b).ok_or_else(|| {
            format!("unknown base set '{base_text}' (known: {})", Base::ALL.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "))
        })?;
        let mut preds = Vec::new();
        for p in parts {
            let pred = parse_pred(p)?;
            if !pred.applies_to(base.kind()) {
                return Err(format!("predicate '{}' does not apply to {base_text} (records of kind {:?})", p.trim(), base.kind()));
            }
            preds.push(pred);
        }
        terms.push(Term { base, preds });
    }
    Ok(Expr { terms, text: text.trim().to_owned() })
}

/// One record being counted: its person, case, review or dispute, and the date person facts are read on.
#[derive(Debug, Clone, Copy)]
pub struct Rec {
    pub person: u32,
    pub case: u32,
    pub review: u32,
    pub dispute: u32,
    pub anchor: Date,
}

/// Person facts on a record's date, worked out once per record.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub sen: SenStatus,
    pub need: Option<NeedCode>,
    pub phase: Phase,
    pub age: i32,
    pub setting: SettingKind,
    pub unit_or_rp: bool,
    pub setting_locality: u16,
}

pub fn facts(t: &PersonTable, person: &PersonRow, on: Date) -> Facts {
    let (sen, need) = t.sen_on(person, on);
    let pl = t.placement_on(person, on);
    let sy_age = age_at_start_of_academic_year(person.birth_month, on);
    Facts {
        sen,
        need,
        phase: Phase::of_age(sy_age),
        age: age_on(person.birth_month, on),
        setting: pl.map_or(SettingKind::Unknown, |p| p.kind),
        unit_or_rp: pl.is_some_and(|p| p.unit_or_rp),
        setting_locality: pl.map_or(NONE, |p| p.locality),
    }
}

/// Test a predicate on a record.
pub fn test(t: &PersonTable, pred: &Pred, rec: &Rec, f: &Facts) -> bool {
    use Pred::*;
    let case = || -> Option<&CaseRow> { t.cases.get(rec.case as usize) };
    let person = &t.persons[rec.person as usize];
    match pred {
        Not(p) => !test(t, p, rec, f),
        Refused => case().is_some_and(|c| c.assess_decision.is_some() && c.assess_refused),
        Assessed => case().is_some_and(|c| c.assess_decision.is_some() && !c.assess_refused),
        Decided => case().is_some_and(|c| c.assess_decision.is_some()),
        DecisionWithinDays(n) => case().is_some_and(|c| matches!((c.received, c.assess_decision), (Some(r), Some(d)) if days(r, d) <= *n)),
        IssuedWithinDays(n) => case().is_some_and(|c| matches!((c.received, c.final_issued), (Some(r), Some(d)) if days(r, d) <= *n)),
        NotIssueWithinDays(n) => case().is_some_and(|c| matches!((c.received, c.not_issue), (Some(r), Some(d)) if days(r, d) <= *n)),
        Exception => case().is_some_and(|c| c.week20_exception),
        NewAssessment => case().is_some_and(|c| c.received.is_some()),
        TransferredIn => case().is_some_and(|c| c.transferred_in),
        CeaseReason(r) => case().is_some_and(|c| c.cease_reason == Some(*r)),
        Delay(stage, party) => case().is_some_and(|c| {
            let stages: &[DelayStage] = match stage {
                Some(s) => std::slice::from_ref(s),
                None => &[DelayStage::EvidenceGathering, DelayStage::BetweenEvidenceAndFinalPlan],
            };
            let parties: &[DelayParty] = match party {
                Some(p) => std::slice::from_ref(p),
                None => &[DelayParty::Parent, DelayParty::Education, DelayParty::SocialCare, DelayParty::Health, DelayParty::La],
            };
            stages.iter().any(|s| parties.iter().any(|p| c.delays & crate::table::delay_bit(*s, *p) != 0))
        }),
        PersonalBudget => case().is_some_and(|c| t.plan_flags_on(c, rec.anchor) & 1 != 0),
        Residential => case().is_some_and(|c| t.plan_flags_on(c, rec.anchor) & 2 != 0),
        WorkBased => case().is_some_and(|c| t.plan_flags_on(c, rec.anchor) & 4 != 0),
        MeetingHeld => t.reviews.get(rec.review as usize).is_some_and(|r| r.meeting.is_some()),
        ReviewDecisionWithinDays(n) => {
            t.reviews.get(rec.review as usize).is_some_and(|r| matches!((r.meeting, r.decision), (Some(m), Some(d)) if days(m, d) <= *n))
        }
        Outcome(o) => t.reviews.get(rec.review as usize).is_some_and(|r| r.outcome == Some(*o)),
        About(d) => t.disputes.get(rec.dispute as usize).is_some_and(|x| x.decision == *d),
        Sen(s) => s.matches(f.sen),
        Need(n) => f.need == Some(*n),
        BroadNeed(b) => f.need.is_some_and(|n| n.broad_area() == *b),
        Phase(p) => f.phase == *p,
        Setting(k) => f.setting == *k,
        SettingGroup(g) => match *g {
            "mainstream_any" => matches!(f.setting, SettingKind::Mainstream | SettingKind::IndependentMainstream),
            "special_any" => {
                matches!(f.setting, SettingKind::Special | SettingKind::IndependentSpecial | SettingKind::NonMaintainedSpecial)
            }
            _ => matches!(f.setting, SettingKind::IndependentMainstream | SettingKind::IndependentSpecial),
        },
        UnitOrRp => f.unit_or_rp,
        LocalSchool => f.setting.is_school() && person.locality != NONE && f.setting_locality == person.locality,
        AgeBetween(lo, hi) => (*lo..=*hi).contains(&f.age),
        Fsm => person.fsm == 1,
        Sex(s) => person.sex == *s,
    }
}

/// Visit every record of `base` in the period, within the index ranges of one scope.
#[allow(clippy::too_many_arguments)]
pub fn for_each_record(
    t: &PersonTable,
    base: Base,
    period: &Period,
    persons: (u32, u32),
    cases: (u32, u32),
    reviews: (u32, u32),
    disputes: (u32, u32),
    mut visit: impl FnMut(Rec),
) {
    let case_rec = |i: u32, c: &CaseRow, anchor: Date| Rec { person: c.person, case: i, review: u32::MAX, dispute: u32::MAX, anchor };
    match base.kind() {
        RecordKind::Case => {
            for i in cases.0..cases.1 {
                let c = &t.cases[i as usize];
                let anchor = match base {
                    Base::RequestsReceived => c.received.filter(|d| period.contains(*d)),
                    Base::AssessDecisions => c.received.and(c.assess_decision).filter(|d| period.contains(*d)),
                    Base::Refusals => c.assess_decision.filter(|d| c.assess_refused && period.contains(*d)),
                    Base::PlansIssued => c.received.and(c.final_issued).filter(|d| period.contains(*d)),
                    Base::NotIssueDecisions => c.received.and(c.not_issue).filter(|d| period.contains(*d)),
                    Base::PlansInForce => c.plan_in_force(period.reference).then_some(period.reference),
                    Base::PlansCeased => c.ceased.filter(|d| period.contains(*d)),
                    _ => None,
                };
                if let Some(a) = anchor {
                    visit(case_rec(i, c, a));
                }
            }
        }
        RecordKind::Review => {
            for i in reviews.0..reviews.1 {
                let r = &t.reviews[i as usize];
                let anchor = match base {
                    Base::ReviewsDue => Some(r.due),
                    Base::ReviewMeetings => r.meeting,
                    _ => r.decision,
                }
                .filter(|d| period.contains(*d));
                if let Some(a) = anchor {
                    let c = &t.cases[r.case as usize];
                    visit(Rec { person: c.person, case: r.case, review: i, dispute: u32::MAX, anchor: a });
                }
            }
        }
        RecordKind::Dispute => {
            let want_appeal = base == Base::AppealsLodged;
            for i in disputes.0..disputes.1 {
                let x = &t.disputes[i as usize];
                if x.appeal == want_appeal && period.contains(x.date) {
                    let c = &t.cases[x.case as usize];
                    visit(Rec { person: c.person, case: x.case, review: u32::MAX, dispute: i, anchor: x.date });
                }
            }
        }
        RecordKind::Person => {
            let on = period.reference;
            for i in persons.0..persons.1 {
                let p = &t.persons[i as usize];
                let keep = match base {
                    Base::Pupils => t.placement_on(p, on).is_some_and(|pl| pl.kind.is_school()),
                    _ => p.birth_month <= on && age_on(p.birth_month, on) <= 25,
                };
                if keep {
                    visit(Rec { person: i, case: u32::MAX, review: u32::MAX, dispute: u32::MAX, anchor: on });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_parse_into_terms_and_predicates() {
        let e = parse_expr("plans_issued & issued_within_days(140) & !exception").unwrap();
        assert_eq!(e.terms.len(), 1);
        assert_eq!(e.terms[0].base, Base::PlansIssued);
        assert_eq!(e.terms[0].preds, vec![Pred::IssuedWithinDays(140), Pred::Not(Box::new(Pred::Exception))]);
        let sum = parse_expr("refusals + not_issue_decisions + plans_in_force + plans_ceased & cease_reason(needs_met)").unwrap();
        assert_eq!(sum.terms.len(), 4);
    }

    #[test]
    fn a_bad_expression_says_what_is_wrong() {
        assert!(parse_expr("requests & refused").unwrap_err().contains("unknown base set 'requests'"));
        assert!(parse_expr("requests_received & refusd").unwrap_err().contains("unknown predicate 'refusd'"));
        assert!(parse_expr("pupils & refused").unwrap_err().contains("does not apply to pupils"));
        assert!(parse_expr("plans_issued & issued_within_days(x)").unwrap_err().contains("not a whole number"));
        assert!(parse_expr("plans_in_force & need(XYZ)").unwrap_err().contains("not a DfE type-of-need code"));
    }
}
