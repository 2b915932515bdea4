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

use crate::facts::{activity, FactKind, FactRow};
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
    /// A person-level fact (a suspension, a referral, a health check).
    Fact,
}

/// A set of dated records in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// Pupils on the spring (January) school census of the academic year of the reference date.
    CensusPupils,
    /// Pupils with attendance recorded for an academic year starting in the period (every enrolment
    /// summed: DfE's absence measures per pupil).
    Attendance,
    /// Children with an early years foundation stage profile in the period.
    Eyfsp,
    /// Children with a phonics screening check in the period.
    Phonics,
    /// Pupils with key stage 2 results in the period.
    Ks2,
    /// Pupils with key stage 4 results in the period.
    Ks4,
    /// Young people with level 2 and 3 attainment by 19 for the period.
    LevelBy19,
    /// Young people with a post-16 activity recorded for the month of the reference date.
    Post16Activity,
    /// Suspensions starting in the period (one record each).
    Suspensions,
    /// Health referrals received in the period (one record each).
    HealthReferrals,
    /// Health checks offered or done in the period (one record each).
    HealthChecks,
}

/// What a base set counts, in words, for chart titles ("out of new plans issued").
pub fn base_words(base: Base) -> &'static str {
    match base {
        Base::RequestsReceived => "requests received",
        Base::AssessDecisions => "decisions whether to assess",
        Base::Refusals => "decisions not to assess",
        Base::PlansIssued => "new plans issued",
        Base::NotIssueDecisions => "decisions not to issue a plan",
        Base::PlansInForce => "EHC plans in force",
        Base::PlansCeased => "plans ceased",
        Base::ReviewsDue => "annual reviews due",
        Base::ReviewMeetings => "review meetings held",
        Base::ReviewDecisions => "review decisions",
        Base::AppealsLodged => "appeals lodged",
        Base::Mediations => "mediations held",
        Base::Pupils => "pupils known to attend a school",
        Base::Residents => "children and young people aged 0-25",
        Base::CensusPupils => "pupils on the spring school census",
        Base::Attendance => "pupils with attendance records",
        Base::Eyfsp => "children assessed at the end of the early years",
        Base::Phonics => "pupils taking the phonics check",
        Base::Ks2 => "pupils at the end of key stage 2",
        Base::Ks4 => "pupils at the end of key stage 4",
        Base::LevelBy19 => "young people aged 19",
        Base::Post16Activity => "young people aged 16 to 18",
        Base::Suspensions => "suspensions",
        Base::HealthReferrals => "health referrals",
        Base::HealthChecks => "health checks",
    }
}

/// A predicate's SEN status in words ("with an EHC plan"), where it is one.
pub fn sen_words(p: &Pred) -> Option<&'static str> {
    match p {
        Pred::Sen(SenSel::EhcPlan) => Some("with an EHC plan"),
        Pred::Sen(SenSel::SenSupport) => Some("on SEN support"),
        Pred::Sen(SenSel::AnySen) => Some("with SEN"),
        Pred::Sen(SenSel::NoSen) => Some("with no SEN"),
        _ => None,
    }
}

impl Base {
    pub const ALL: [(&'static str, Base); 25] = [
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
        ("census_pupils", Base::CensusPupils),
        ("attendance", Base::Attendance),
        ("eyfsp", Base::Eyfsp),
        ("phonics", Base::Phonics),
        ("ks2", Base::Ks2),
        ("ks4", Base::Ks4),
        ("level_by_19", Base::LevelBy19),
        ("post16_activity", Base::Post16Activity),
        ("suspensions", Base::Suspensions),
        ("health_referrals", Base::HealthReferrals),
        ("health_checks", Base::HealthChecks),
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
            Self::Suspensions | Self::HealthReferrals | Self::HealthChecks => RecordKind::Fact,
            _ => RecordKind::Person,
        }
    }

    /// The kind of fact the base set is drawn from (none for casework bases).
    pub fn fact_kind(self) -> Option<FactKind> {
        Some(match self {
            Self::CensusPupils => FactKind::Census,
            Self::Attendance => FactKind::Attendance,
            Self::Eyfsp => FactKind::Eyfsp,
            Self::Phonics => FactKind::Phonics,
            Self::Ks2 => FactKind::Ks2,
            Self::Ks4 => FactKind::Ks4,
            Self::LevelBy19 => FactKind::LevelBy19,
            Self::Post16Activity => FactKind::Post16Activity,
            Self::Suspensions => FactKind::Suspension,
            Self::HealthReferrals => FactKind::HealthReferral,
            Self::HealthChecks => FactKind::HealthCheck,
            _ => return None,
        })
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
    /// The request's day is not known (a migrated record, SEN2 guide items 2.1 and 2.5).
    RequestDateUnknown,
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
    /// Age on 31 August before the record's date (the school year's age) from A to B.
    SchoolAgeBetween(i32, i32),
    // Facts about the person in the period (or open on the record's date)
    PersistentAbsence,
    SevereAbsence,
    Suspended(u32),
    PermanentlyExcluded,
    /// A reduced timetable in the period: any (None), lasting 6 weeks or more (Some(true)), or less.
    ReducedTimetable(Option<bool>),
    HomeEducated,
    GoodLevelOfDevelopment,
    PhonicsCheck(u8),
    PhonicsMet(u8),
    Ks2Expected(u8),
    EnglishMathsGrade4,
    Level2,
    Level2EnglishMaths,
    Level2EnglishMathsKnown,
    Level3,
    Eet,
    Neet,
    ActivityNotKnown,
    WorkBasedLearning,
    SustainedEducation,
    LookedAfter,
    ChildProtection,
    ChildInNeed,
    SocialCarePlan,
    CareService(u8),
    Respite,
    Disabled,
    YouthJustice,
    /// A completed health check of the kind in the period, or within N years before it.
    HealthCheck(u8, i32),
    TwoYearReviewExpected,
    // Fact records
    Service(u8),
    Check(u8),
    Completed,
    SeenWithinDays(i64),
}

/// A quantity a term sums instead of counting records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Possible sessions (attendance).
    PossibleSessions,
    /// Sessions missed, authorised and unauthorised (attendance).
    AbsentSessions,
    /// Suspension sessions (suspensions).
    Sessions,
    /// Attainment 8 points in hundredths (ks4).
    Attainment8,
}

impl Field {
    pub const ALL: [(&'static str, Base, Field); 4] = [
        ("possible_sessions", Base::Attendance, Field::PossibleSessions),
        ("absent_sessions", Base::Attendance, Field::AbsentSessions),
        ("sessions", Base::Suspensions, Field::Sessions),
        ("attainment8", Base::Ks4, Field::Attainment8),
    ];
}

/// One term: a base set and its predicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub base: Base,
    /// Sum this quantity over the records instead of counting them (`attendance.absent_sessions`).
    pub field: Option<Field>,
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

fn code_arg(name: &str, arg: &str, kind: FactKind) -> Result<u8, String> {
    kind.code_of(arg).ok_or_else(|| format!("{name}({arg}): '{arg}' is not one of {}", kind.codes().join(", ")))
}

/// The predicates' names, for error messages and the docs.
pub const PREDICATES: &str = "refused, assessed, decided, decision_within_days(N), issued_within_days(N), not_issue_within_days(N), \
exception, new_assessment, transferred_in, cease_reason(R), delay(STAGE:PARTY), personal_budget, residential, work_based, \
meeting_held, review_decision_within_days(N), outcome(amend|maintain|cease), about(DECISION), sen(ehc_plan|sen_support|any_sen|no_sen), \
need(CODE), broad_need(AREA), phase(P), setting(KIND), setting_group(G), unit_or_rp, local_school, age_between(A:B), fsm, sex(M|F), \
school_age_between(A:B), persistent_absence, severe_absence, suspended(N), permanently_excluded, reduced_timetable[(6_weeks_or_more|under_6_weeks)], \
home_educated, good_level_of_development, phonics_check(1|2), phonics_met(1|2), rwm_expected, reading_expected, writing_expected, maths_expected, \
english_maths_grade4, level2, level2_english_maths, level2_english_maths_known, level3, eet, neet, activity_not_known, work_based_learning, \
sustained_education, looked_after, child_protection, child_in_need, social_care_plan, care_service(S), respite, disabled, youth_justice, \
health_check(CHECK[:YEARS]), two_year_review_expected, service(S), check(CHECK), completed, seen_within_days(N)";

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
        "request_date_unknown" => Pred::RequestDateUnknown,
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
        "school_age_between" => {
            let a = need_arg("FROM:TO")?;
            let (lo, hi) =
                a.split_once(':').ok_or_else(|| format!("school_age_between({a}) needs FROM:TO, e.g. school_age_between(4:4)"))?;
            let parse = |s: &str| s.trim().parse::<i32>().map_err(|_| format!("school_age_between({a}): '{s}' is not a whole number"));
            Pred::SchoolAgeBetween(parse(lo)?, parse(hi)?)
        }
        "persistent_absence" => Pred::PersistentAbsence,
        "severe_absence" => Pred::SevereAbsence,
        "suspended" => Pred::Suspended(match arg {
            None => 1,
            Some(a) => {
                a.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| format!("suspended({a}): '{a}' is not a number of suspensions"))?
            }
        }),
        "permanently_excluded" => Pred::PermanentlyExcluded,
        "reduced_timetable" => Pred::ReducedTimetable(match arg {
            None => None,
            Some("6_weeks_or_more") => Some(true),
            Some("under_6_weeks") => Some(false),
            Some(o) => return Err(format!("reduced_timetable({o}): say 6_weeks_or_more or under_6_weeks, or nothing")),
        }),
        "home_educated" => Pred::HomeEducated,
        "good_level_of_development" => Pred::GoodLevelOfDevelopment,
        "phonics_check" | "phonics_met" => {
            let year = match need_arg("1|2")? {
                "1" => 1,
                "2" => 2,
                o => return Err(format!("{name}({o}): the year group is 1 or 2")),
            };
            if name == "phonics_check" {
                Pred::PhonicsCheck(year)
            } else {
                Pred::PhonicsMet(year)
            }
        }
        "rwm_expected" => Pred::Ks2Expected(7),
        "reading_expected" => Pred::Ks2Expected(1),
        "writing_expected" => Pred::Ks2Expected(2),
        "maths_expected" => Pred::Ks2Expected(4),
        "english_maths_grade4" => Pred::EnglishMathsGrade4,
        "level2" => Pred::Level2,
        "level2_english_maths" => Pred::Level2EnglishMaths,
        "level2_english_maths_known" => Pred::Level2EnglishMathsKnown,
        "level3" => Pred::Level3,
        "eet" => Pred::Eet,
        "neet" => Pred::Neet,
        "activity_not_known" => Pred::ActivityNotKnown,
        "work_based_learning" => Pred::WorkBasedLearning,
        "sustained_education" => Pred::SustainedEducation,
        "looked_after" => Pred::LookedAfter,
        "child_protection" => Pred::ChildProtection,
        "child_in_need" => Pred::ChildInNeed,
        "social_care_plan" => Pred::SocialCarePlan,
        "care_service" => Pred::CareService(code_arg(name, need_arg("SERVICE")?, FactKind::CareService)?),
        "respite" => Pred::Respite,
        "disabled" => Pred::Disabled,
        "youth_justice" => Pred::YouthJustice,
        "health_check" => {
            let a = need_arg("CHECK")?;
            let (kind, years) = match a.split_once(':') {
                Some((k, y)) => (k, y.trim().parse::<i32>().map_err(|_| format!("health_check({a}): '{y}' is not a number of years"))?),
                None => (a, 0),
            };
            Pred::HealthCheck(code_arg(name, kind.trim(), FactKind::HealthCheck)?, years)
        }
        "two_year_review_expected" => Pred::TwoYearReviewExpected,
        "service" => Pred::Service(code_arg(name, need_arg("SERVICE")?, FactKind::HealthReferral)?),
        "check" => Pred::Check(code_arg(name, need_arg("CHECK")?, FactKind::HealthCheck)?),
        "completed" => Pred::Completed,
        "seen_within_days" => Pred::SeenWithinDays(days_arg(name, arg)?),
        other => return Err(format!("unknown predicate '{other}' (known: {PREDICATES})")),
    })
}

impl Pred {
    /// Which kinds of record the predicate can be asked of.
    fn applies_to(&self, kind: RecordKind, base: Option<Base>) -> bool {
        use Pred::*;
        match self {
            Not(p) => p.applies_to(kind, base),
            Refused
            | Assessed
            | Decided
            | DecisionWithinDays(_)
            | IssuedWithinDays(_)
            | NotIssueWithinDays(_)
            | Exception
            | NewAssessment
            | RequestDateUnknown
            | TransferredIn
            | CeaseReason(_)
            | Delay(..)
            | PersonalBudget
            | Residential
            | WorkBased => kind != RecordKind::Person && kind != RecordKind::Fact,
            MeetingHeld | ReviewDecisionWithinDays(_) | Outcome(_) => kind == RecordKind::Review,
            About(_) => kind == RecordKind::Dispute,
            Service(_) | SeenWithinDays(_) => base == Some(Base::HealthReferrals),
            Check(_) | Completed => base == Some(Base::HealthChecks),
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
        let (base_text, field_text) = match base_text.split_once('.') {
            Some((b, f)) => (b.trim(), Some(f.trim())),
            None => (base_text, None),
        };
        let base = Base::ALL.iter().find(|(n, _)| *n == base_text).map(|(_, b)| *b).ok_or_else(|| {
            format!("unknown base set '{base_text}' (known: {})", Base::ALL.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "))
        })?;
        let field = match field_text {
            None => None,
            Some(f) => Some(Field::ALL.iter().find(|(n, b, _)| *n == f && *b == base).map(|x| x.2).ok_or_else(|| {
                format!(
                    "'{base_text}.{f}': {base_text} has no quantity '{f}' (quantities: {})",
                    Field::ALL.iter().map(|(n, b, _)| format!("{}.{n}", b.name())).collect::<Vec<_>>().join(", ")
                )
            })?),
        };
        let mut preds = Vec::new();
        for p in parts {
            let pred = parse_pred(p)?;
            if !pred.applies_to(base.kind(), Some(base)) {
                return Err(format!("predicate '{}' does not apply to {base_text} (records of kind {:?})", p.trim(), base.kind()));
            }
            preds.push(pred);
        }
        terms.push(Term { base, field, preds });
    }
    Ok(Expr { terms, text: text.trim().to_owned() })
}

impl Pred {
    /// The kind of fact the predicate reads, if any (the measure needs it loaded to be computed).
    pub fn fact_kind(&self) -> Option<FactKind> {
        use Pred::*;
        Some(match self {
            Not(p) => return p.fact_kind(),
            PersistentAbsence | SevereAbsence => FactKind::Attendance,
            Suspended(_) => FactKind::Suspension,
            PermanentlyExcluded => FactKind::PermanentExclusion,
            ReducedTimetable(_) => FactKind::ReducedTimetable,
            HomeEducated => FactKind::ElectiveHomeEducation,
            GoodLevelOfDevelopment => FactKind::Eyfsp,
            PhonicsCheck(_) | PhonicsMet(_) => FactKind::Phonics,
            Ks2Expected(_) => FactKind::Ks2,
            EnglishMathsGrade4 => FactKind::Ks4,
            Level2 | Level2EnglishMaths | Level2EnglishMathsKnown | Level3 => FactKind::LevelBy19,
            Eet | Neet | ActivityNotKnown | WorkBasedLearning | SustainedEducation => FactKind::Post16Activity,
            LookedAfter => FactKind::LookedAfter,
            ChildProtection => FactKind::ChildProtection,
            ChildInNeed | SocialCarePlan => FactKind::ChildInNeed,
            CareService(_) | Respite | Disabled => FactKind::CareService,
            YouthJustice => FactKind::YouthJustice,
            HealthCheck(..) => FactKind::HealthCheck,
            TwoYearReviewExpected => FactKind::TwoYearReview,
            _ => return None,
        })
    }
}

impl Pred {
    /// The kinds of fact a person must have one of for the predicate to hold (a bit per `FactKind`);
    /// 0 when it can hold without any (casework predicates, negations).
    pub fn needs_any_of(&self) -> u32 {
        // A kind of fact stands for its whole dataset (suspensions and permanent exclusions are one).
        let bit = dataset_mask;
        match self {
            Pred::Respite => bit(FactKind::CareService) | bit(FactKind::LookedAfter),
            Pred::Disabled => bit(FactKind::CareService) | bit(FactKind::ChildInNeed),
            Pred::SocialCarePlan => bit(FactKind::ChildInNeed) | bit(FactKind::ChildProtection) | bit(FactKind::LookedAfter),
            Pred::Not(_) => 0,
            p => p.fact_kind().map_or(0, bit),
        }
    }
}

impl Pred {
    /// The kinds of fact (a bit per `FactKind`) a person must have one of for the predicate to be able
    /// to hold: as [`Pred::needs_any_of`] but kind by kind, not dataset by dataset (a person with a
    /// child in need episode but no care service cannot have `care_service(...)`). 0 when it can hold
    /// without any. Used to skip testing people who cannot pass; results are the same.
    pub fn needs_kinds(&self) -> u32 {
        let bit = |k: FactKind| 1u32 << k as u32;
        match self {
            Pred::Respite => bit(FactKind::CareService) | bit(FactKind::LookedAfter),
            Pred::Disabled => bit(FactKind::CareService) | bit(FactKind::ChildInNeed),
            Pred::SocialCarePlan => bit(FactKind::ChildInNeed) | bit(FactKind::ChildProtection) | bit(FactKind::LookedAfter),
            Pred::Not(_) => 0,
            p => p.fact_kind().map_or(0, bit),
        }
    }
}

/// The kinds of fact imported with `kind`'s dataset (a bit per `FactKind`).
pub fn dataset_mask(kind: FactKind) -> u32 {
    FactKind::ALL.iter().filter(|k| k.dataset() == kind.dataset()).fold(0, |m, k| m | 1u32 << *k as u32)
}

impl Expr {
    /// What the expression needs loaded: for each base set or predicate that reads facts, the kinds
    /// (a bit per `FactKind`) any one of which it can be counted from.
    pub fn fact_needs(&self) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for term in &self.terms {
            let base = term.base.fact_kind().map(dataset_mask);
            for m in base.into_iter().chain(term.preds.iter().map(Pred::needs_any_of).filter(|m| *m != 0)) {
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
        out
    }

    /// The kinds of fact the expression reads (its bases' and predicates').
    pub fn fact_kinds(&self) -> Vec<FactKind> {
        let mut out: Vec<FactKind> = Vec::new();
        for term in &self.terms {
            for k in term.base.fact_kind().into_iter().chain(term.preds.iter().filter_map(Pred::fact_kind)) {
                if !out.contains(&k) {
                    out.push(k);
                }
            }
        }
        out
    }
}

/// One record being counted: its person, case, review or dispute, and the date person facts are read on.
#[derive(Debug, Clone, Copy)]
pub struct Rec {
    pub person: u32,
    pub case: u32,
    pub review: u32,
    pub dispute: u32,
    pub anchor: Date,
    /// A fact record (an index into `PersonTable::facts`), or `u32::MAX`.
    pub fact: u32,
    /// The period being counted, for facts "in the period".
    pub from: Date,
    pub to: Date,
}

/// Person facts on a record's date, worked out once per record.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub sen: SenStatus,
    pub need: Option<NeedCode>,
    pub phase: Phase,
    pub age: i32,
    /// Age on 31 August before the record's date (the school year's age).
    pub school_age: i32,
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
        school_age: sy_age,
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
        // A day that is not known is never on time (SEN2 guide items 2.1, 2.5).
        DecisionWithinDays(n) => case().is_some_and(|c| {
            !c.received_unknown && !c.decision_unknown && matches!((c.received, c.assess_decision), (Some(r), Some(d)) if days(r, d) <= *n)
        }),
        IssuedWithinDays(n) => {
            case().is_some_and(|c| !c.received_unknown && matches!((c.received, c.final_issued), (Some(r), Some(d)) if days(r, d) <= *n))
        }
        NotIssueWithinDays(n) => {
            case().is_some_and(|c| !c.received_unknown && matches!((c.received, c.not_issue), (Some(r), Some(d)) if days(r, d) <= *n))
        }
        RequestDateUnknown => case().is_some_and(|c| c.received_unknown),
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
        Fsm => t.fsm_on(person, rec.anchor),
        Sex(s) => person.sex == *s,
        // Facts are read on the record's date, so this is the age on 31 August before it.
        SchoolAgeBetween(lo, hi) => (*lo..=*hi).contains(&f.school_age),
        _ => test_fact(t, pred, rec, person),
    }
}

/// Test a predicate that reads only a record's person facts ([`Facts`]) over a list, setting a bit per
/// record that passes; `None` (and nothing set) for any other predicate. Each predicate gets a loop of
/// its own, with the same answers as [`test`].
pub fn test_on_facts<'a>(pred: &Pred, facts: impl Iterator<Item = &'a Facts>, bits: &mut [u64]) -> Option<()> {
    fn fill<'a>(facts: impl Iterator<Item = &'a Facts>, bits: &mut [u64], keep: impl Fn(&Facts) -> bool) {
        for (i, f) in facts.enumerate() {
            if keep(f) {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
    }
    match pred {
        Pred::Sen(s) => fill(facts, bits, |f| s.matches(f.sen)),
        Pred::Need(n) => fill(facts, bits, |f| f.need == Some(*n)),
        Pred::BroadNeed(b) => fill(facts, bits, |f| f.need.is_some_and(|n| n.broad_area() == *b)),
        Pred::Phase(p) => fill(facts, bits, |f| f.phase == *p),
        Pred::Setting(k) => fill(facts, bits, |f| f.setting == *k),
        Pred::UnitOrRp => fill(facts, bits, |f| f.unit_or_rp),
        Pred::AgeBetween(lo, hi) => fill(facts, bits, |f| (*lo..=*hi).contains(&f.age)),
        Pred::SchoolAgeBetween(lo, hi) => fill(facts, bits, |f| (*lo..=*hi).contains(&f.school_age)),
        _ => return None,
    }
    Some(())
}

/// The person's facts of a kind that start in the period.
fn in_period<'a>(t: &'a PersonTable, p: &PersonRow, kind: FactKind, rec: &Rec) -> impl Iterator<Item = &'a FactRow> + 'a {
    let (from, to) = (rec.from, rec.to);
    t.facts_of(p, kind).iter().filter(move |r| from <= r.start && r.start <= to)
}

/// The person's attendance in the period, summed over enrolments: (possible, absent).
pub fn attendance_totals(t: &PersonTable, p: &PersonRow, rec: &Rec) -> (i64, i64) {
    in_period(t, p, FactKind::Attendance, rec).fold((0, 0), |(a, b), r| (a + i64::from(r.n1.max(0)), b + i64::from(r.n2.max(0))))
}

/// The October to March months of the academic year of `d` (DfE's "sustained" window).
fn sustained_window(d: Date) -> (Date, Date) {
    use chrono::Datelike;
    let y = if d.month() >= 9 { d.year() } else { d.year() - 1 };
    (Date::from_ymd_opt(y, 10, 1).unwrap_or(d), Date::from_ymd_opt(y + 1, 3, 31).unwrap_or(d))
}

/// The codes of a short break and the disabled children's team (care services) and of CIN need N2,
/// looked up once.
fn care_codes() -> (u8, u8, u8) {
    static CODES: std::sync::OnceLock<(u8, u8, u8)> = std::sync::OnceLock::new();
    *CODES.get_or_init(|| {
        (
            FactKind::CareService.code_of("short_break").unwrap_or(1),
            FactKind::CareService.code_of("disabled_children_team").unwrap_or(0),
            FactKind::ChildInNeed.code_of("N2").unwrap_or(2),
        )
    })
}

fn test_fact(t: &PersonTable, pred: &Pred, rec: &Rec, p: &PersonRow) -> bool {
    use Pred::*;
    let open = |kind: FactKind| t.facts_of(p, kind).iter().filter(move |r| r.open_on(rec.anchor));
    let overlapping = |kind: FactKind| t.facts_of(p, kind).iter().filter(move |r| r.overlaps(rec.from, rec.to));
    let month_activity = || t.facts_of(p, FactKind::Post16Activity).iter().find(|r| r.open_on(rec.anchor)).and_then(activity);
    let fact = || t.facts.get(rec.fact as usize);
    match pred {
        PersistentAbsence => {
            let (possible, absent) = attendance_totals(t, p, rec);
            possible > 0 && absent * 10 >= possible
        }
        SevereAbsence => {
            let (possible, absent) = attendance_totals(t, p, rec);
            possible > 0 && absent * 2 >= possible
        }
        Suspended(n) => in_period(t, p, FactKind::Suspension, rec).count() as u32 >= *n,
        PermanentlyExcluded => in_period(t, p, FactKind::PermanentExclusion, rec).next().is_some(),
        ReducedTimetable(long) => {
            let last = t.as_of.map_or(rec.to, |a| a.min(rec.to));
            overlapping(FactKind::ReducedTimetable).any(|r| match long {
                None => true,
                Some(want) => {
                    let end = r.end.map_or(last, |e| e.min(last));
                    (days(r.start, end) + 1 >= waymark_domain::facts::school::REDUCED_TIMETABLE_LONG_DAYS) == *want
                }
            })
        }
        HomeEducated => open(FactKind::ElectiveHomeEducation).next().is_some(),
        GoodLevelOfDevelopment => in_period(t, p, FactKind::Eyfsp, rec).any(|r| r.flag(1)),
        PhonicsCheck(y) => in_period(t, p, FactKind::Phonics, rec).any(|r| r.code + 1 == *y),
        PhonicsMet(y) => in_period(t, p, FactKind::Phonics, rec).any(|r| r.code + 1 == *y && r.flag(1)),
        Ks2Expected(bits) => in_period(t, p, FactKind::Ks2, rec).any(|r| r.flags & bits == *bits),
        EnglishMathsGrade4 => in_period(t, p, FactKind::Ks4, rec).any(|r| r.flag(1)),
        Level2 => in_period(t, p, FactKind::LevelBy19, rec).any(|r| r.flag(1)),
        Level2EnglishMathsKnown => in_period(t, p, FactKind::LevelBy19, rec).any(|r| r.flag(2)),
        Level2EnglishMaths => in_period(t, p, FactKind::LevelBy19, rec).any(|r| r.flag(4)),
        Level3 => in_period(t, p, FactKind::LevelBy19, rec).any(|r| r.flag(8)),
        Eet => month_activity().is_some_and(|a| a.group() == waymark_domain::facts::post16::ActivityGroup::Eet),
        Neet => month_activity().is_some_and(|a| a.group() == waymark_domain::facts::post16::ActivityGroup::Neet),
        ActivityNotKnown => month_activity().is_some_and(|a| a.group() == waymark_domain::facts::post16::ActivityGroup::NotKnown),
        WorkBasedLearning => month_activity().is_some_and(|a| a.is_work_based_learning()),
        SustainedEducation => {
            use waymark_domain::facts::post16::Activity as A;
            let (from, to) = sustained_window(rec.anchor);
            let months: Vec<&FactRow> =
                t.facts_of(p, FactKind::Post16Activity).iter().filter(|r| from <= r.start && r.start <= to).collect();
            months.len() >= 6
                && months.iter().all(|r| {
                    matches!(
                        activity(r),
                        Some(A::Education | A::Apprenticeship | A::Traineeship | A::SupportedInternship | A::OtherTraining)
                    )
                })
        }
        LookedAfter => open(FactKind::LookedAfter).any(|r| !r.flag(1)),
        ChildProtection => open(FactKind::ChildProtection).next().is_some(),
        ChildInNeed => open(FactKind::ChildInNeed).next().is_some(),
        SocialCarePlan => {
            open(FactKind::ChildInNeed).next().is_some()
                || open(FactKind::ChildProtection).next().is_some()
                || open(FactKind::LookedAfter).any(|r| !r.flag(1))
        }
        CareService(c) => open(FactKind::CareService).any(|r| r.code == *c),
        Respite => {
            let short_break = care_codes().0;
            open(FactKind::CareService).any(|r| r.code == short_break) || open(FactKind::LookedAfter).any(|r| r.flag(1))
        }
        Disabled => {
            let (_, team, n2) = care_codes();
            open(FactKind::CareService).any(|r| r.code == team) || open(FactKind::ChildInNeed).any(|r| r.code == n2)
        }
        YouthJustice => overlapping(FactKind::YouthJustice).next().is_some(),
        HealthCheck(kind, years) => {
            use chrono::Datelike;
            let from = Date::from_ymd_opt(rec.from.year() - years, rec.from.month(), rec.from.day().min(28)).unwrap_or(rec.from);
            t.facts_of(p, FactKind::HealthCheck).iter().any(|r| r.code == *kind && r.flag(1) && from <= r.start && r.start <= rec.to)
        }
        TwoYearReviewExpected => in_period(t, p, FactKind::TwoYearReview, rec).any(|r| r.flag(1)),
        Service(c) => fact().is_some_and(|r| r.kind == FactKind::HealthReferral && r.code == *c),
        SeenWithinDays(n) => fact().is_some_and(|r| r.n1 != crate::facts::NO_NUMBER && i64::from(r.n1) <= *n),
        Check(c) => fact().is_some_and(|r| r.kind == FactKind::HealthCheck && r.code == *c),
        Completed => fact().is_some_and(|r| r.flag(1)),
        _ => false,
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
    let (from, to) = (period.start, period.end);
    let case_rec = |i: u32, c: &CaseRow, anchor: Date| Rec {
        person: c.person,
        case: i,
        review: u32::MAX,
        dispute: u32::MAX,
        anchor,
        fact: u32::MAX,
        from,
        to,
    };
    match base.kind() {
        RecordKind::Case => {
            for i in cases.0..cases.1 {
                let c = &t.cases[i as usize];
                let anchor = match base {
                    Base::RequestsReceived => c.received.filter(|d| !c.received_unknown && period.contains(*d)),
                    Base::AssessDecisions => c.received.and(c.assess_decision).filter(|d| !c.decision_unknown && period.contains(*d)),
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
                    visit(Rec { person: c.person, case: r.case, review: i, dispute: u32::MAX, anchor: a, fact: u32::MAX, from, to });
                }
            }
        }
        RecordKind::Dispute => {
            let want_appeal = base == Base::AppealsLodged;
            for i in disputes.0..disputes.1 {
                let x = &t.disputes[i as usize];
                if x.appeal == want_appeal && period.contains(x.date) {
                    let c = &t.cases[x.case as usize];
                    visit(Rec { person: c.person, case: x.case, review: u32::MAX, dispute: i, anchor: x.date, fact: u32::MAX, from, to });
                }
            }
        }
        RecordKind::Person => {
            let on = period.reference;
            for i in persons.0..persons.1 {
                let p = &t.persons[i as usize];
                if person_in_base(t, p, base, period) {
                    visit(Rec { person: i, case: u32::MAX, review: u32::MAX, dispute: u32::MAX, anchor: on, fact: u32::MAX, from, to });
                }
            }
        }
        RecordKind::Fact => {
            let Some(kind) = base.fact_kind() else { return };
            for i in persons.0..persons.1 {
                let p = &t.persons[i as usize];
                let all = &t.facts[p.facts.0 as usize..p.facts.1 as usize];
                let first = p.facts.0 as usize + all.partition_point(|r| r.kind < kind);
                for (k, r) in t.facts[first..p.facts.1 as usize].iter().enumerate() {
                    if r.kind != kind || r.start > to {
                        break;
                    }
                    if r.start >= from {
                        visit(Rec {
                            person: i,
                            case: u32::MAX,
                            review: u32::MAX,
                            dispute: u32::MAX,
                            anchor: r.start,
                            fact: (first + k) as u32,
                            from,
                            to,
                        });
                    }
                }
            }
        }
    }
}

/// Base sets of pupils drawn from the school census and DfE's pupil-level school datasets (absence,
/// exclusions, attainment), whose SEN cohorts DfE counts by the census's SEN provision.
pub fn census_sen_base(base: Base) -> bool {
    matches!(base, Base::CensusPupils | Base::Attendance | Base::Suspensions | Base::Eyfsp | Base::Phonics | Base::Ks2 | Base::Ks4)
}

/// The SEN provision recorded on the person's spring census of the academic year of `d` (the latest row
/// of January to March), if they are on it.
pub fn spring_census_sen(t: &PersonTable, p: &PersonRow, spring: (Date, Date)) -> Option<SenStatus> {
    let (from, to) = spring;
    t.facts_of(p, FactKind::Census).iter().filter(|r| from <= r.start && r.start <= to).max_by_key(|r| r.start).map(|r| r.census_sen())
}

/// A census-based record's SEN status: the child record's, or, where the record holds no SEN status,
/// the SEN provision of the pupil's spring census (a pupil on SEN support known only to the school census
/// counts as DfE counts them). Other base sets keep the record's.
pub fn sen_for_base(t: &PersonTable, p: &PersonRow, base: Base, f: &mut Facts, spring: (Date, Date)) {
    if f.sen == SenStatus::NoSen && census_sen_base(base) {
        if let Some(s) = spring_census_sen(t, p, spring) {
            f.sen = s;
        }
    }
}

/// January to March of the academic year containing `d` (the spring census term).
pub fn spring_term(d: Date) -> (Date, Date) {
    use chrono::Datelike;
    let y = if d.month() >= 9 { d.year() + 1 } else { d.year() };
    (Date::from_ymd_opt(y, 1, 1).unwrap_or(d), Date::from_ymd_opt(y, 3, 31).unwrap_or(d))
}

/// Whether a person belongs to a person base set in a period (see [`Base`]).
pub fn person_in_base(t: &PersonTable, p: &PersonRow, base: Base, period: &Period) -> bool {
    person_in_base_term(t, p, base, period, spring_term(period.reference))
}

/// [`person_in_base`] with the spring term of the reference day worked out by the caller (once per list).
pub fn person_in_base_term(t: &PersonTable, p: &PersonRow, base: Base, period: &Period, spring: (Date, Date)) -> bool {
    let on = period.reference;
    let starts_in = |kind: FactKind| t.facts_of(p, kind).iter().any(|r| period.start <= r.start && r.start <= period.end);
    match base {
        Base::Pupils => t.placement_on(p, on).is_some_and(|pl| pl.kind.is_school()),
        Base::Residents => p.birth_month <= on && age_on(p.birth_month, on) <= 25,
        Base::CensusPupils => {
            // The spring term (January to March) of the academic year of the reference day.
            let (from, to) = spring;
            t.facts_of(p, FactKind::Census).iter().any(|r| from <= r.start && r.start <= to)
        }
        Base::Post16Activity => t.facts_of(p, FactKind::Post16Activity).iter().any(|r| r.open_on(on)),
        other => other.fact_kind().is_some_and(starts_in),
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
