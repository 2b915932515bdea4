//! Facts from schools and the LA's education services: the school census each term, attendance in
//! an academic year, suspensions and permanent exclusions, reduced timetables, and elective home
//! education.

use super::codes::{checked_record, code_set};
use super::{AcademicYear, FactError, LocalityCode, Period};
use crate::calendar::Date;
use crate::child::SenStatus;
use crate::identifiers::{Postcode, Urn};
use crate::need::{NeedCode, NeedError, RankedNeeds};
use chrono::Datelike;
use serde::{Deserialize, Serialize};

code_set! {
    /// National curriculum year group (CBDS `NCyearActual`).
    pub enum NcYear (field = "ncy", rule = "ncy_code") {
        E1 = "E1" => "Early years, first year",
        E2 = "E2" => "Early years, second year",
        N1 = "N1" => "Nursery, first year",
        N2 = "N2" => "Nursery, second year",
        Reception = "R" => "Reception",
        Y1 = "1" => "Year 1",
        Y2 = "2" => "Year 2",
        Y3 = "3" => "Year 3",
        Y4 = "4" => "Year 4",
        Y5 = "5" => "Year 5",
        Y6 = "6" => "Year 6",
        Y7 = "7" => "Year 7",
        Y8 = "8" => "Year 8",
        Y9 = "9" => "Year 9",
        Y10 = "10" => "Year 10",
        Y11 = "11" => "Year 11",
        Y12 = "12" => "Year 12",
        Y13 = "13" => "Year 13",
        Y14 = "14" => "Year 14",
        NotFollowed = "X" => "National curriculum not followed",
    }
}

/// Read a school census SEN provision code: N (no SEN), K (SEN support) or E (EHC plan).
pub fn parse_sen_provision(text: &str) -> Result<SenStatus, FactError> {
    match text.trim().to_ascii_uppercase().as_str() {
        "N" => Ok(SenStatus::NoSen),
        "K" => Ok(SenStatus::SenSupport),
        "E" => Ok(SenStatus::EhcPlan),
        _ => Err(FactError::new("sen_provision", text, "sen_provision_code", "is not N (no SEN), K (SEN support) or E (EHC plan)")),
    }
}

/// The school census a record belongs to, from its census date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CensusTerm {
    /// The October census (dates from September to December).
    Autumn,
    /// The January census (dates from January to March).
    Spring,
    /// The May census (dates from April to August).
    Summer,
}

/// One pupil's school census record on one census day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CensusFields {
    pub census_date: Date,
    /// The school the pupil is on roll at.
    pub urn: Urn,
    pub ncy: NcYear,
    #[serde(with = "sen_status_code")]
    pub sen_provision: SenStatus,
    #[serde(default)]
    pub primary_need: Option<NeedCode>,
    #[serde(default)]
    pub secondary_need: Option<NeedCode>,
    /// Eligible for free school meals on census day.
    pub fsm_eligible: bool,
    /// Home postcode on census day.
    #[serde(default)]
    pub postcode: Option<Postcode>,
    /// The locality of the responsible LA the pupil lives in.
    #[serde(default)]
    pub locality: Option<LocalityCode>,
}

fn need_error(e: NeedError, primary: Option<NeedCode>, secondary: Option<NeedCode>) -> FactError {
    let code = |n: Option<NeedCode>| n.map(|n| n.code().to_owned()).unwrap_or_default();
    match e {
        NeedError::SecondaryWithoutPrimary => {
            FactError::new("secondary_need", &code(secondary), "need_secondary_without_primary", "a secondary need needs a primary need")
        }
        NeedError::SameNeedTwice(_) => {
            FactError::new("secondary_need", &code(secondary), "need_same_twice", "the secondary need must differ from the primary need")
        }
        NeedError::NsaMisused => FactError::new(
            "secondary_need",
            &code(secondary),
            "need_nsa_with_other",
            "NSA (no specialist assessment) stands alone: it has no secondary need and is never one",
        ),
        other => FactError::new("primary_need", &code(primary), "need_code", other.to_string()),
    }
}

/// The school census rules for SEN provision and type of need: a pupil with SEN support (K) or an
/// EHC plan (E) has a primary need; a pupil with no SEN (N) has none; NSA is for SEN support only.
fn check_census(f: &CensusFields) -> Result<(), FactError> {
    RankedNeeds::new(f.primary_need, f.secondary_need).map_err(|e| need_error(e, f.primary_need, f.secondary_need))?;
    let primary = f.primary_need.map(|n| n.code().to_owned()).unwrap_or_default();
    match (f.sen_provision, f.primary_need) {
        (SenStatus::NoSen, Some(_)) => {
            Err(FactError::new("primary_need", &primary, "need_without_sen", "a pupil with no SEN (provision N) has no type of need"))
        }
        (SenStatus::SenSupport | SenStatus::EhcPlan, None) => Err(FactError::new(
            "primary_need",
            "",
            "need_required",
            "a pupil with SEN support (K) or an EHC plan (E) has a primary type of need",
        )),
        (SenStatus::EhcPlan, Some(NeedCode::Nsa)) => Err(FactError::new(
            "primary_need",
            &primary,
            "need_nsa_with_plan",
            "NSA (no specialist assessment) is for SEN support only, never with an EHC plan",
        )),
        _ => Ok(()),
    }
}

checked_record! {
    /// A school census record: setting, year group, SEN provision and needs, free school meals, home
    /// postcode and locality, on one census day.
    CensusRecord(CensusFields), check_census
}

impl CensusRecord {
    /// The census the record belongs to and its academic year.
    pub fn term(&self) -> (AcademicYear, CensusTerm) {
        let term = match self.census_date.month() {
            9..=12 => CensusTerm::Autumn,
            1..=3 => CensusTerm::Spring,
            _ => CensusTerm::Summer,
        };
        (AcademicYear::containing(self.census_date), term)
    }

    /// The pupil's needs, ranked.
    pub fn needs(&self) -> RankedNeeds {
        RankedNeeds::new(self.primary_need, self.secondary_need).unwrap_or_default()
    }
}

mod sen_status_code {
    use crate::child::SenStatus;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(status: &SenStatus, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_char(status.census_code())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SenStatus, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_sen_provision(&text).map_err(serde::de::Error::custom)
    }
}

/// The most possible sessions accepted in one year at one school. A school year has 190 days of two
/// sessions (380); [U] a little room is left for settings open longer.
pub const MAX_POSSIBLE_SESSIONS: u16 = 450;

/// Sessions possible and missed: the arithmetic of DfE's absence measures, for one enrolment or
/// summed over a pupil's enrolments in a year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AbsenceTotals {
    pub possible: u32,
    pub authorised: u32,
    pub unauthorised: u32,
}

impl AbsenceTotals {
    /// A pupil's totals over several enrolments (e.g. after moving school in the year).
    pub fn sum<'a>(years: impl IntoIterator<Item = &'a AttendanceYear>) -> Self {
        years.into_iter().fold(Self::default(), |t, y| {
            let y = y.totals();
            Self {
                possible: t.possible + y.possible,
                authorised: t.authorised + y.authorised,
                unauthorised: t.unauthorised + y.unauthorised,
            }
        })
    }

    pub fn absent(&self) -> u32 {
        self.authorised + self.unauthorised
    }

    /// DfE overall absence rate: sessions missed (authorised and unauthorised) as a percentage of
    /// possible sessions. `None` with no possible sessions.
    pub fn overall_absence_rate(&self) -> Option<f64> {
        self.rate(self.absent())
    }

    /// Authorised absence as a percentage of possible sessions.
    pub fn authorised_rate(&self) -> Option<f64> {
        self.rate(self.authorised)
    }

    /// Unauthorised absence as a percentage of possible sessions.
    pub fn unauthorised_rate(&self) -> Option<f64> {
        self.rate(self.unauthorised)
    }

    fn rate(&self, sessions: u32) -> Option<f64> {
        (self.possible > 0).then(|| f64::from(sessions) * 100.0 / f64::from(self.possible))
    }

    /// DfE persistent absence: missing 10% or more of one's own possible sessions. Counted in whole
    /// sessions (absent x 10 >= possible), so exactly 10% is persistent.
    pub fn is_persistent(&self) -> bool {
        self.possible > 0 && u64::from(self.absent()) * 10 >= u64::from(self.possible)
    }

    /// DfE severe absence: missing 50% or more of one's own possible sessions (absent x 2 >= possible).
    pub fn is_severe(&self) -> bool {
        self.possible > 0 && u64::from(self.absent()) * 2 >= u64::from(self.possible)
    }
}

/// One pupil's attendance at one school over one academic year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceFields {
    pub academic_year: AcademicYear,
    pub urn: Urn,
    pub possible_sessions: u16,
    pub authorised_absence: u16,
    pub unauthorised_absence: u16,
}

fn check_attendance(f: &AttendanceFields) -> Result<(), FactError> {
    if f.possible_sessions > MAX_POSSIBLE_SESSIONS {
        return Err(FactError::new(
            "possible_sessions",
            &f.possible_sessions.to_string(),
            "sessions_range",
            format!("at most {MAX_POSSIBLE_SESSIONS} sessions are possible in a year"),
        ));
    }
    let absent = u32::from(f.authorised_absence) + u32::from(f.unauthorised_absence);
    if absent > u32::from(f.possible_sessions) {
        return Err(FactError::new(
            "possible_sessions",
            &f.possible_sessions.to_string(),
            "absence_exceeds_possible",
            format!(
                "authorised ({}) plus unauthorised ({}) absence is more than the possible sessions",
                f.authorised_absence, f.unauthorised_absence
            ),
        ));
    }
    Ok(())
}

checked_record! {
    /// Attendance in one academic year at one school: possible sessions, and authorised and
    /// unauthorised absence; missed sessions never exceed possible ones.
    AttendanceYear(AttendanceFields), check_attendance
}

impl AttendanceYear {
    pub fn totals(&self) -> AbsenceTotals {
        AbsenceTotals {
            possible: u32::from(self.possible_sessions),
            authorised: u32::from(self.authorised_absence),
            unauthorised: u32::from(self.unauthorised_absence),
        }
    }

    /// See [`AbsenceTotals::overall_absence_rate`].
    pub fn overall_absence_rate(&self) -> Option<f64> {
        self.totals().overall_absence_rate()
    }

    /// DfE persistent absence (10% or more of possible sessions missed).
    pub fn is_persistent(&self) -> bool {
        self.totals().is_persistent()
    }

    /// DfE severe absence (50% or more of possible sessions missed).
    pub fn is_severe(&self) -> bool {
        self.totals().is_severe()
    }
}

code_set! {
    /// Suspension (formerly fixed-period exclusion; CBDS category FIXD, and LUNC for a lunchtime) or
    /// permanent exclusion (PERM).
    pub enum ExclusionKind (field = "kind", rule = "exclusion_kind_code") {
        Suspension = "suspension" => "Suspension (fixed period, including lunchtime)",
        Permanent = "permanent" => "Permanent exclusion",
    }
}

/// The most sessions of suspension accepted: a head teacher may suspend a pupil for at most 45
/// school days in a school year (DfE suspension and permanent exclusion guidance), 90 sessions.
pub const MAX_SUSPENSION_SESSIONS: u16 = 90;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionFields {
    pub urn: Urn,
    pub kind: ExclusionKind,
    pub start_date: Date,
    /// A suspension's length in sessions (half days); none for a permanent exclusion.
    #[serde(default)]
    pub sessions: Option<u16>,
}

fn check_exclusion(f: &ExclusionFields) -> Result<(), FactError> {
    match (f.kind, f.sessions) {
        (ExclusionKind::Suspension, None) => {
            Err(FactError::new("sessions", "", "sessions_required", "a suspension's length in sessions is required"))
        }
        (ExclusionKind::Suspension, Some(n)) if n == 0 || n > MAX_SUSPENSION_SESSIONS => Err(FactError::new(
            "sessions",
            &n.to_string(),
            "sessions_range",
            format!("a suspension lasts 1 to {MAX_SUSPENSION_SESSIONS} sessions (at most 45 school days in a year)"),
        )),
        (ExclusionKind::Permanent, Some(n)) => Err(FactError::new(
            "sessions",
            &n.to_string(),
            "sessions_with_permanent",
            "a permanent exclusion has no length in sessions: leave it blank",
        )),
        _ => Ok(()),
    }
}

checked_record! {
    /// A suspension (with its length in sessions) or a permanent exclusion, from a school, with its
    /// start date.
    Exclusion(ExclusionFields), check_exclusion
}

/// Portsmouth 2016 Appendix I secondary indicator 7 splits reduced timetables at six weeks.
pub const REDUCED_TIMETABLE_LONG_DAYS: i64 = 42;

/// A reduced (part-time) timetable at a school, from its start to its end (open while it continues).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReducedTimetable {
    pub urn: Urn,
    pub period: Period,
}

impl ReducedTimetable {
    /// Whether it has lasted six weeks (42 days, counting its first and last day) or more by `as_of`.
    pub fn six_weeks_or_more(&self, as_of: Date) -> bool {
        self.period.days_to(as_of) >= REDUCED_TIMETABLE_LONG_DAYS
    }
}

/// Elective home education, from the date the LA recorded it to the date it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectiveHomeEducation {
    pub period: Period,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_iso_date;

    fn d(s: &str) -> Date {
        parse_iso_date(s).unwrap()
    }

    fn census(provision: SenStatus, primary: Option<NeedCode>, secondary: Option<NeedCode>) -> CensusFields {
        CensusFields {
            census_date: d("2025-01-16"),
            urn: "100001".parse().unwrap(),
            ncy: NcYear::Y5,
            sen_provision: provision,
            primary_need: primary,
            secondary_need: secondary,
            fsm_eligible: false,
            postcode: None,
            locality: None,
        }
    }

    #[test]
    fn school_census_sen_support_and_plans_need_a_primary_need_and_no_sen_has_none() {
        assert!(CensusRecord::new(census(SenStatus::EhcPlan, Some(NeedCode::Asd), Some(NeedCode::Slcn))).is_ok());
        assert_eq!(CensusRecord::new(census(SenStatus::SenSupport, None, None)).unwrap_err().rule, "need_required");
        assert_eq!(CensusRecord::new(census(SenStatus::NoSen, Some(NeedCode::Asd), None)).unwrap_err().rule, "need_without_sen");
        assert_eq!(CensusRecord::new(census(SenStatus::EhcPlan, Some(NeedCode::Nsa), None)).unwrap_err().rule, "need_nsa_with_plan");
        assert!(CensusRecord::new(census(SenStatus::SenSupport, Some(NeedCode::Nsa), None)).is_ok());
        let err = CensusRecord::new(census(SenStatus::SenSupport, Some(NeedCode::Asd), Some(NeedCode::Asd))).unwrap_err();
        assert_eq!((err.field, err.rule), ("secondary_need", "need_same_twice"));
        assert_eq!(parse_sen_provision("k").unwrap(), SenStatus::SenSupport);
        assert_eq!(parse_sen_provision("S").unwrap_err().rule, "sen_provision_code");
    }

    #[test]
    fn a_census_record_knows_its_term_and_round_trips_through_json_with_checks() {
        let r = CensusRecord::new(census(SenStatus::EhcPlan, Some(NeedCode::Asd), None)).unwrap();
        assert_eq!(r.term(), ("2024/25".parse().unwrap(), CensusTerm::Spring));
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains(r#""sen_provision":"E""#), "{json}");
        assert_eq!(serde_json::from_str::<CensusRecord>(&json).unwrap(), r);
        let bad = json.replace(r#""primary_need":"ASD""#, r#""primary_need":null"#);
        assert!(serde_json::from_str::<CensusRecord>(&bad).is_err());
    }

    fn attendance(possible: u16, authorised: u16, unauthorised: u16) -> Result<AttendanceYear, FactError> {
        AttendanceYear::new(AttendanceFields {
            academic_year: "2024/25".parse().unwrap(),
            urn: "100001".parse().unwrap(),
            possible_sessions: possible,
            authorised_absence: authorised,
            unauthorised_absence: unauthorised,
        })
    }

    #[test]
    fn dfe_persistent_absence_is_missing_10_percent_or_more_of_possible_sessions() {
        let exactly = attendance(380, 30, 8).unwrap(); // 38 of 380 = 10.0%
        assert_eq!(exactly.overall_absence_rate(), Some(10.0));
        assert!(exactly.is_persistent());
        let just_under = attendance(380, 30, 7).unwrap(); // 37 of 380 = 9.7%
        assert!(!just_under.is_persistent());
        assert!(!attendance(0, 0, 0).unwrap().is_persistent(), "no possible sessions, no rate");
        assert_eq!(attendance(0, 0, 0).unwrap().overall_absence_rate(), None);
    }

    #[test]
    fn dfe_severe_absence_is_missing_50_percent_or_more_of_possible_sessions() {
        assert!(attendance(380, 100, 90).unwrap().is_severe()); // exactly 50%
        assert!(!attendance(380, 100, 89).unwrap().is_severe());
        let t = attendance(381, 100, 90).unwrap().totals(); // 190 of 381 < 50%
        assert!(!t.is_severe());
        assert!(t.is_persistent());
    }

    #[test]
    fn absence_is_summed_over_a_pupils_enrolments_before_the_thresholds_apply() {
        let a = attendance(200, 10, 5).unwrap(); // 7.5%
        let b = attendance(180, 20, 3).unwrap(); // 12.8%
        let t = AbsenceTotals::sum([&a, &b]);
        assert_eq!((t.possible, t.absent()), (380, 38));
        assert!(t.is_persistent());
    }

    #[test]
    fn missed_sessions_cannot_exceed_possible_sessions() {
        assert_eq!(attendance(100, 60, 41).unwrap_err().rule, "absence_exceeds_possible");
        assert_eq!(attendance(500, 0, 0).unwrap_err().rule, "sessions_range");
    }

    #[test]
    fn a_suspension_has_1_to_90_sessions_and_a_permanent_exclusion_none() {
        let ex = |kind, sessions| {
            Exclusion::new(ExclusionFields { urn: "100001".parse().unwrap(), kind, start_date: d("2025-03-04"), sessions })
        };
        assert!(ex(ExclusionKind::Suspension, Some(2)).is_ok());
        assert!(ex(ExclusionKind::Permanent, None).is_ok());
        assert_eq!(ex(ExclusionKind::Suspension, None).unwrap_err().rule, "sessions_required");
        assert_eq!(ex(ExclusionKind::Suspension, Some(91)).unwrap_err().rule, "sessions_range");
        assert_eq!(ex(ExclusionKind::Permanent, Some(2)).unwrap_err().rule, "sessions_with_permanent");
    }

    #[test]
    fn appendix_i_secondary_7_a_reduced_timetable_of_42_days_is_six_weeks_or_more() {
        let rt = |end: Option<&str>| ReducedTimetable {
            urn: "100001".parse().unwrap(),
            period: Period::new(d("2025-01-06"), end.map(d)).unwrap(),
        };
        assert!(rt(Some("2025-02-16")).six_weeks_or_more(d("2025-12-31")));
        assert!(!rt(Some("2025-02-15")).six_weeks_or_more(d("2025-12-31")));
        assert!(!rt(None).six_weeks_or_more(d("2025-02-15")));
        assert!(rt(None).six_weeks_or_more(d("2025-02-16")));
    }
}
