//! Health: the 2-2.5 year review, health checks, referrals.

use super::school::checked;
use super::{codes, date, identity, parse, with_identity, Parsed};
use crate::format::{Column, Format, Kind};
use waymark_domain::facts::health::{
    AsqOutcome, CheckOutcome, HealthCheck, HealthCheckKind, HealthReferral, HealthReferralFields, HealthService, ReferralOutcome,
    TwoYearReview,
};
use waymark_domain::facts::{Dataset, PersonFact};

const NOTE: &str = "Rows link to a child by NHS number; give the UPN too where known, so a child already known to schools is found.";

pub(crate) fn two_year_review() -> Format {
    let asq = |name: &'static str, description: &'static str| Column::required(name, Kind::Code(codes::<AsqOutcome>), description);
    Format {
        dataset: Dataset::TwoYearReview,
        source: "The health visiting service: the review at 2 to 2.5 years, with the ASQ-3 questionnaire.",
        natural_key: "the child + review_date.",
        columns: with_identity(
            &["nhs_number"],
            vec![
                Column::required("review_date", Kind::Date, "The date of the review."),
                asq("communication", "ASQ-3 communication."),
                asq("gross_motor", "ASQ-3 gross motor."),
                asq("fine_motor", "ASQ-3 fine motor."),
                asq("problem_solving", "ASQ-3 problem solving."),
                asq("personal_social", "ASQ-3 personal-social."),
            ],
        ),
        example: "la,nhs_number,forename,surname,date_of_birth,sex,review_date,communication,gross_motor,fine_motor,problem_solving,personal_social\n\
                  919,4010232137,Hana,Example,2022-07-01,F,2024-09-15,above,monitor,above,above,below\n",
        notes: &[NOTE, "At or above the expected level in all five areas means no area below the cut-off."],
        parse: |r| {
            let keys = identity(r);
            let review_date = r.get("review_date", date);
            let mut area = |name| r.get(name, parse::<AsqOutcome>);
            let (communication, gross_motor, fine_motor, problem_solving, personal_social) =
                (area("communication"), area("gross_motor"), area("fine_motor"), area("problem_solving"), area("personal_social"));
            if r.failed() {
                return None;
            }
            let review = TwoYearReview {
                review_date: review_date?,
                communication: communication?,
                gross_motor: gross_motor?,
                fine_motor: fine_motor?,
                problem_solving: problem_solving?,
                personal_social: personal_social?,
            };
            Some(Parsed::person(keys?, PersonFact::TwoYearReview(review)))
        },
    }
}

pub(crate) fn health_checks() -> Format {
    Format {
        dataset: Dataset::HealthChecks,
        source: "School nursing (reception and year 6/7 checks) and GP practices (annual health checks for people with a learning disability from 14).",
        natural_key: "the child + check + check_date.",
        columns: with_identity(
            &["nhs_number"],
            vec![
                Column::required("check", Kind::Code(codes::<HealthCheckKind>), "Which check."),
                Column::required("check_date", Kind::Date, "The date it was done or offered."),
                Column::required("outcome", Kind::Code(codes::<CheckOutcome>), "Completed, declined or not attended."),
            ],
        ),
        example: "la,nhs_number,upn,check,check_date,outcome\n919,9434765919,C919200112001,reception,2020-11-12,completed\n",
        notes: &[NOTE],
        parse: |r| {
            let keys = identity(r);
            let check = r.get("check", parse::<HealthCheckKind>);
            let check_date = r.get("check_date", date);
            let outcome = r.get("outcome", parse::<CheckOutcome>);
            if r.failed() {
                return None;
            }
            Some(Parsed::person(keys?, PersonFact::HealthCheck(HealthCheck { check: check?, check_date: check_date?, outcome: outcome? })))
        },
    }
}

pub(crate) fn health_referrals() -> Format {
    Format {
        dataset: Dataset::HealthReferrals,
        source: "NHS providers: referrals to therapies, community paediatrics, autism assessment and CAMHS.",
        natural_key: "the child + service + referral_date.",
        columns: with_identity(
            &["nhs_number"],
            vec![
                Column::required("service", Kind::Code(codes::<HealthService>), "The service referred to."),
                Column::required("referral_date", Kind::Date, "The date the referral was received."),
                Column::optional("first_appointment", Kind::Date, "The first appointment, once it has happened (on or after the referral)."),
                Column::optional("closed_date", Kind::Date, "When the referral closed; blank while open."),
                Column::optional("outcome", Kind::Code(codes::<ReferralOutcome>), "The outcome; only with a closed_date."),
            ],
        ),
        example: "la,nhs_number,upn,service,referral_date,first_appointment,closed_date,outcome\n\
                  919,9434765919,C919200112001,autism_assessment,2019-05-01,2019-11-20,2020-02-14,diagnosed\n\
                  919,9434765919,C919200112001,speech_language,2019-05-01,2019-07-01,,\n",
        notes: &[NOTE, "Waits are counted from referral_date to first_appointment (13 weeks for autism, 18 weeks for community health services in DfE's dashboard)."],
        parse: |r| {
            let keys = identity(r);
            let service = r.get("service", parse::<HealthService>);
            let referral_date = r.get("referral_date", date);
            let first_appointment = r.get("first_appointment", date);
            let closed_date = r.get("closed_date", date);
            let outcome = r.get("outcome", parse::<ReferralOutcome>);
            if r.failed() {
                return None;
            }
            let fields = HealthReferralFields { service: service?, referral_date: referral_date?, first_appointment, closed_date, outcome };
            let referral = checked(r, HealthReferral::new(fields))?;
            Some(Parsed::person(keys?, PersonFact::HealthReferral(referral)))
        },
    }
}
