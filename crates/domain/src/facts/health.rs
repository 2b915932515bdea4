//! Health: the health visitor's review at 2 to 2.5 years with its ASQ-3 outcome, the reception and
//! year 6/7 checks and annual health checks for people with a learning disability from 14, and
//! referrals to therapies, autism assessment and CAMHS with their dates (Portsmouth 2016 Appendix I
//! indicators 9-16; the DfE SEND and AP dashboard's waiting-time measures).

use super::codes::{checked_record, code_set};
use super::{FactError, Period};
use crate::calendar::{days_between, Date};
use serde::{Deserialize, Serialize};

code_set! {
    /// Where an ASQ-3 domain score falls against the questionnaire's cut-offs.
    pub enum AsqOutcome (field = "asq", rule = "asq_outcome_code") {
        Above = "above" => "Above the monitoring zone (on schedule)",
        Monitor = "monitor" => "In the monitoring zone (close to the cut-off)",
        Below = "below" => "Below the cut-off (further assessment may be needed)",
    }
}

/// The health visitor's review at 2 to 2.5 years, with the ASQ-3 outcome in each of its five areas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoYearReview {
    pub review_date: Date,
    pub communication: AsqOutcome,
    pub gross_motor: AsqOutcome,
    pub fine_motor: AsqOutcome,
    pub problem_solving: AsqOutcome,
    pub personal_social: AsqOutcome,
}

impl TwoYearReview {
    /// At or above the expected level in all five areas: no score below the cut-off. [U] OHID's
    /// child development measure counts a score in the monitoring zone as at or above expected.
    pub fn at_or_above_expected_in_all_areas(&self) -> bool {
        [self.communication, self.gross_motor, self.fine_motor, self.problem_solving, self.personal_social]
            .iter()
            .all(|&o| o != AsqOutcome::Below)
    }
}

code_set! {
    /// Health checks counted by Appendix I indicators 9, 10 and 13.
    pub enum HealthCheckKind (field = "check", rule = "health_check_code") {
        Reception = "reception" => "Reception (year R) height, weight, hearing and vision checks",
        Year6To7 = "year6_7" => "Health review at the transition from year 6 to year 7",
        LearningDisabilityAnnual = "ld_annual" => "GP annual health check for a person with a learning disability (from 14)",
    }
}

code_set! {
    pub enum CheckOutcome (field = "outcome", rule = "check_outcome_code") {
        Completed = "completed" => "Completed",
        Declined = "declined" => "Offered and declined",
        DidNotAttend = "did_not_attend" => "Offered; did not attend",
    }
}

/// A health check offered or done on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheck {
    pub check: HealthCheckKind,
    pub check_date: Date,
    pub outcome: CheckOutcome,
}

code_set! {
    /// Services a child can be referred to (Appendix I indicator 16; the dashboard's waits).
    pub enum HealthService (field = "service", rule = "health_service_code") {
        SpeechLanguage = "speech_language" => "Speech and language therapy",
        OccupationalTherapy = "occupational_therapy" => "Occupational therapy",
        Physiotherapy = "physiotherapy" => "Physiotherapy",
        Paediatrics = "paediatrics" => "Community paediatrics",
        Audiology = "audiology" => "Audiology",
        AutismAssessment = "autism_assessment" => "Autism assessment",
        Camhs = "camhs" => "Child and adolescent mental health services",
        Other = "other" => "Other health service",
    }
}

code_set! {
    pub enum ReferralOutcome (field = "outcome", rule = "referral_outcome_code") {
        Diagnosed = "diagnosed" => "Assessed: diagnosis made",
        NotDiagnosed = "not_diagnosed" => "Assessed: no diagnosis",
        Treated = "treated" => "Seen and treated; discharged",
        Discharged = "discharged" => "Discharged without treatment (not accepted, no longer needed)",
        Declined = "declined" => "Family declined or did not attend",
        Other = "other" => "Other",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthReferralFields {
    pub service: HealthService,
    pub referral_date: Date,
    /// The first appointment, once it has happened.
    #[serde(default)]
    pub first_appointment: Option<Date>,
    /// When the referral was closed.
    #[serde(default)]
    pub closed_date: Option<Date>,
    #[serde(default)]
    pub outcome: Option<ReferralOutcome>,
}

fn check_referral(f: &HealthReferralFields) -> Result<(), FactError> {
    if let Some(seen) = f.first_appointment.filter(|&s| s < f.referral_date) {
        return Err(FactError::new(
            "first_appointment",
            &seen.to_string(),
            "appointment_before_referral",
            format!("is before the referral on {}", f.referral_date),
        ));
    }
    Period::with_fields(f.referral_date, f.closed_date, "closed_date")?;
    if let (Some(outcome), None) = (f.outcome, f.closed_date) {
        return Err(FactError::new("outcome", outcome.code(), "outcome_without_closure", "an outcome needs the date the referral closed"));
    }
    Ok(())
}

checked_record! {
    /// A referral to a health service: when it was made, first seen, closed, and its outcome.
    HealthReferral(HealthReferralFields), check_referral
}

impl HealthReferral {
    /// From referral to closure (open while it continues).
    pub fn period(&self) -> Period {
        Period::with_fields(self.referral_date, self.closed_date, "closed_date").unwrap_or_else(|_| Period::day(self.referral_date))
    }

    /// Days from referral to the first appointment, or to `as_of` while still waiting.
    pub fn days_waited(&self, as_of: Date) -> i64 {
        days_between(self.referral_date, self.first_appointment.unwrap_or(as_of)).max(0)
    }

    /// Waited more than `weeks` weeks for a first appointment by `as_of` (the dashboard's autism
    /// measure uses 13 weeks, community health services 18).
    pub fn waited_more_than_weeks(&self, weeks: u32, as_of: Date) -> bool {
        self.days_waited(as_of) > 7 * i64::from(weeks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_iso_date;

    fn d(s: &str) -> Date {
        parse_iso_date(s).unwrap()
    }

    fn referral(first: Option<&str>, closed: Option<&str>, outcome: Option<ReferralOutcome>) -> Result<HealthReferral, FactError> {
        HealthReferral::new(HealthReferralFields {
            service: HealthService::AutismAssessment,
            referral_date: d("2025-01-06"),
            first_appointment: first.map(d),
            closed_date: closed.map(d),
            outcome,
        })
    }

    #[test]
    fn a_referral_is_seen_and_closed_on_or_after_it_is_made_and_has_an_outcome_only_when_closed() {
        assert!(referral(Some("2025-01-06"), Some("2025-06-01"), Some(ReferralOutcome::Diagnosed)).is_ok());
        assert_eq!(referral(Some("2025-01-05"), None, None).unwrap_err().rule, "appointment_before_referral");
        let err = referral(None, Some("2025-01-05"), None).unwrap_err();
        assert_eq!((err.field, err.rule), ("closed_date", "end_before_start"));
        assert_eq!(referral(None, None, Some(ReferralOutcome::Diagnosed)).unwrap_err().rule, "outcome_without_closure");
    }

    #[test]
    fn dashboard_waits_count_days_from_referral_to_first_appointment() {
        let seen = referral(Some("2025-04-07"), None, None).unwrap(); // 91 days = 13 weeks exactly
        assert_eq!(seen.days_waited(d("2026-01-01")), 91);
        assert!(!seen.waited_more_than_weeks(13, d("2026-01-01")));
        let waiting = referral(None, None, None).unwrap();
        assert!(waiting.waited_more_than_weeks(13, d("2025-04-08")));
    }

    #[test]
    fn asq3_at_or_above_expected_means_no_area_below_the_cut_off() {
        let mut review = TwoYearReview {
            review_date: d("2025-01-06"),
            communication: AsqOutcome::Monitor,
            gross_motor: AsqOutcome::Above,
            fine_motor: AsqOutcome::Above,
            problem_solving: AsqOutcome::Above,
            personal_social: AsqOutcome::Above,
        };
        assert!(review.at_or_above_expected_in_all_areas());
        review.fine_motor = AsqOutcome::Below;
        assert!(!review.at_or_above_expected_in_all_areas());
    }
}
