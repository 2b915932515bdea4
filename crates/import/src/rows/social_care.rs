//! Children's social care: child in need, child protection, looked after, services.

use super::school::period;
use super::{codes, identity, parse, with_identity, Parsed};
use crate::format::{Column, Format, Kind};
use waymark_domain::facts::social_care::{
    CareService, CareServiceKind, ChildInNeedEpisode, ChildProtectionPlan, CinNeed, CpCategory, LegalStatus, LookedAfterEpisode,
    PlacementKind,
};
use waymark_domain::facts::{Dataset, PersonFact};
use waymark_domain::identifiers::LaCode;

const NOTE: &str = "Rows link to a child by social_care_id within the row's LA; give the UPN or NHS number too where known, so a child already known to education or health is found.";

fn start_end() -> Vec<Column> {
    vec![
        Column::required("start_date", Kind::Date, "The first day."),
        Column::optional("end_date", Kind::Date, "The last day; blank while it continues."),
    ]
}

pub(crate) fn cin() -> Format {
    let mut own = start_end();
    own.push(Column::required("primary_need", Kind::Code(codes::<CinNeed>), "CIN census primary need code."));
    Format {
        dataset: Dataset::ChildInNeed,
        source: "The LA's children's social care system (as for the CIN census): child in need episodes, referral to closure.",
        natural_key: "the child + start_date.",
        columns: with_identity(&["social_care_id"], own),
        example: "la,social_care_id,upn,forename,surname,date_of_birth,sex,start_date,end_date,primary_need\n\
                  919,SC1001,R919200112002,Ben,Sample,2012-10-02,M,2023-04-03,,N2\n",
        notes: &[NOTE],
        parse: |r| {
            let keys = identity(r);
            let period = period(r, "start_date", "end_date");
            let need = r.get("primary_need", parse::<CinNeed>);
            if r.failed() {
                return None;
            }
            Some(Parsed::person(keys?, PersonFact::ChildInNeed(ChildInNeedEpisode { period: period?, primary_need: need? })))
        },
    }
}

pub(crate) fn child_protection() -> Format {
    let mut own = start_end();
    own.push(Column::required("category", Kind::Code(codes::<CpCategory>), "CIN census category of abuse."));
    Format {
        dataset: Dataset::ChildProtection,
        source: "The LA's children's social care system (as for the CIN census): child protection plans.",
        natural_key: "the child + start_date.",
        columns: with_identity(&["social_care_id"], own),
        example: "la,social_care_id,forename,surname,date_of_birth,sex,start_date,end_date,category\n\
                  919,SC1002,Gus,Example,2019-08-08,M,2024-06-01,2025-01-20,NEG\n",
        notes: &[NOTE],
        parse: |r| {
            let keys = identity(r);
            let period = period(r, "start_date", "end_date");
            let category = r.get("category", parse::<CpCategory>);
            if r.failed() {
                return None;
            }
            Some(Parsed::person(keys?, PersonFact::ChildProtection(ChildProtectionPlan { period: period?, category: category? })))
        },
    }
}

pub(crate) fn looked_after() -> Format {
    let mut own = start_end();
    own.extend([
        Column::required("legal_status", Kind::Code(codes::<LegalStatus>), "SSDA903 legal status."),
        Column::required("placement", Kind::Code(codes::<PlacementKind>), "Where the child is placed."),
        Column::optional(
            "placement_la",
            Kind::Checked("LA code: DfE's 3-digit number"),
            "The LA whose area the placement is in; a placement outside the responsible LA is out of area.",
        ),
    ]);
    Format {
        dataset: Dataset::LookedAfter,
        source: "The LA's children's social care system (as for the SSDA903 return): looked-after episodes.",
        natural_key: "the child + start_date (a new episode starts with each change of legal status or placement).",
        columns: with_identity(&["social_care_id"], own),
        example: "la,social_care_id,start_date,end_date,legal_status,placement,placement_la\n\
                  919,SC1002,2025-01-20,,C2,foster_agency,850\n",
        notes: &[NOTE, "Short breaks (legal status V3 or V4) are kept, and left out where an indicator counts looked-after children excluding respite."],
        parse: |r| {
            let keys = identity(r);
            let period = period(r, "start_date", "end_date");
            let legal_status = r.get("legal_status", parse::<LegalStatus>);
            let placement = r.get("placement", parse::<PlacementKind>);
            let placement_la = r.get("placement_la", parse::<LaCode>);
            if r.failed() {
                return None;
            }
            let episode = LookedAfterEpisode { period: period?, legal_status: legal_status?, placement: placement?, placement_la };
            Some(Parsed::person(keys?, PersonFact::LookedAfter(episode)))
        },
    }
}

pub(crate) fn care_services() -> Format {
    let mut own = vec![Column::required("service", Kind::Code(codes::<CareServiceKind>), "The service.")];
    own.extend(start_end());
    Format {
        dataset: Dataset::CareServices,
        source: "The LA's children's social care system: disabled children's team involvement, short breaks and direct payments.",
        natural_key: "the child + service + start_date.",
        columns: with_identity(&["social_care_id"], own),
        example: "la,social_care_id,service,start_date,end_date\n\
                  919,SC1001,short_break,2024-01-10,\n\
                  919,SC1001,direct_payment,2024-05-01,\n",
        notes: &[NOTE],
        parse: |r| {
            let keys = identity(r);
            let service = r.get("service", parse::<CareServiceKind>);
            let period = period(r, "start_date", "end_date");
            if r.failed() {
                return None;
            }
            Some(Parsed::person(keys?, PersonFact::CareService(CareService { service: service?, period: period? })))
        },
    }
}
