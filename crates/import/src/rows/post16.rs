//! Post-16 monthly activity and youth justice.

use super::school::period;
use super::{codes, identity, parse, with_identity, Parsed};
use crate::format::{Column, Format, Kind};
use waymark_domain::facts::post16::{Activity, MonthlyActivity, YouthJusticeInvolvement, YouthJusticeKind};
use waymark_domain::facts::{Dataset, Month, PersonFact};
use waymark_domain::identifiers::Ukprn;

pub(crate) fn activity() -> Format {
    Format {
        dataset: Dataset::Post16Activity,
        source: "The LA's post-16 tracking (as reported to NCCIS), one row per young person per month.",
        natural_key: "the child + month.",
        columns: with_identity(
            &[],
            vec![
                Column::required("month", Kind::Month, "The month."),
                Column::required("activity", Kind::Code(codes::<Activity>), "What the young person was doing."),
                Column::optional("ukprn", Kind::Checked("UKPRN: 8 digits starting with 1"), "The provider, where there is one."),
            ],
        ),
        example: "la,uln,upn,month,activity,ukprn\n919,9234567810,,2024-09,education,10001234\n919,9234567810,,2024-10,neet_available,\n",
        notes: &[
            "A row needs a ULN or a UPN (tried in that order).",
            "Activities group into EET, NEET and not known as DfE's participation statistics do.",
        ],
        parse: |r| {
            let keys = identity(r);
            let month = r.get("month", parse::<Month>);
            let activity = r.get("activity", parse::<Activity>);
            let ukprn = r.get("ukprn", parse::<Ukprn>);
            if r.failed() {
                return None;
            }
            Some(Parsed::person(keys?, PersonFact::Post16Activity(MonthlyActivity { month: month?, activity: activity?, ukprn })))
        },
    }
}

pub(crate) fn youth_justice() -> Format {
    Format {
        dataset: Dataset::YouthJustice,
        source: "The youth justice service's case management system.",
        natural_key: "the child + kind + start_date.",
        columns: with_identity(
            &[],
            vec![
                Column::required("kind", Kind::Code(codes::<YouthJusticeKind>), "The kind of involvement."),
                Column::required("start_date", Kind::Date, "The first day."),
                Column::optional("end_date", Kind::Date, "The last day; blank while it continues."),
            ],
        ),
        example: "la,social_care_id,upn,uln,kind,start_date,end_date\n919,SC1001,,,referral_order,2025-02-01,\n",
        notes: &["A row needs a social care id, a UPN or a ULN (tried in that order)."],
        parse: |r| {
            let keys = identity(r);
            let kind = r.get("kind", parse::<YouthJusticeKind>);
            let period = period(r, "start_date", "end_date");
            if r.failed() {
                return None;
            }
            Some(Parsed::person(keys?, PersonFact::YouthJustice(YouthJusticeInvolvement { kind: kind?, period: period? })))
        },
    }
}
