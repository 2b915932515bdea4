//! School census, attendance, suspensions and exclusions, reduced timetables, elective home education.

use super::{codes, date, identity, need, need_codes, parse, whole, with_identity, yes_no, Parsed, Problem, Row};
use crate::format::{Column, Format, Kind};
use waymark_domain::facts::school::{
    parse_sen_provision, AttendanceFields, AttendanceYear, CensusFields, CensusRecord, ElectiveHomeEducation, Exclusion, ExclusionFields,
    ExclusionKind, NcYear, ReducedTimetable, MAX_POSSIBLE_SESSIONS, MAX_SUSPENSION_SESSIONS,
};
use waymark_domain::facts::{Dataset, FactError, Period, PersonFact};
use waymark_domain::identifiers::Urn;

pub(crate) const URN: Kind = Kind::Checked("URN: up to 6 digits, of an imported setting");

fn sen_provision_codes() -> Vec<(&'static str, &'static str)> {
    vec![("N", "No special educational needs"), ("K", "SEN support"), ("E", "Education, health and care plan")]
}

/// Build a domain record, recording its cross-field error against the row.
pub(crate) fn checked<T>(r: &mut Row<'_>, built: Result<T, FactError>) -> Option<T> {
    built.map_err(|e| r.fact_error(e)).ok()
}

/// A start and optional end date as a period.
pub(crate) fn period(r: &mut Row<'_>, start: &'static str, end: &'static str) -> Option<Period> {
    let s = r.get(start, date);
    let e = r.get(end, date);
    let s = s?;
    checked(r, Period::with_fields(s, e, end))
}

pub(crate) fn census() -> Format {
    Format {
        dataset: Dataset::Census,
        source: "The school census (spring in January, summer in May, autumn in October), one row per pupil on roll at each school.",
        natural_key: "the child + census_date + urn.",
        columns: with_identity(
            &["upn", "forename", "surname", "date_of_birth", "sex"],
            vec![
                Column::required("census_date", Kind::Date, "Census day. The term follows from it: September-December autumn, January-March spring, April-August summer."),
                Column::required("urn", URN, "The school the pupil is on roll at."),
                Column::required("ncy", Kind::Code(codes::<NcYear>), "National curriculum year group (NCyearActual)."),
                Column::required("sen_provision", Kind::Code(sen_provision_codes), "SEN provision: N, K or E."),
                Column::optional("primary_need", Kind::Code(need_codes), "Primary type of need: required for K and E, blank for N."),
                Column::optional("secondary_need", Kind::Code(need_codes), "Secondary type of need, if any."),
                Column::required("fsm_eligible", Kind::YesNo, "Eligible for free school meals on census day."),
                Column::optional("locality", Kind::Checked("locality code of the row's LA"), "The locality of the responsible LA the pupil lives in."),
            ],
        ),
        example: "la,upn,forename,surname,date_of_birth,sex,postcode,census_date,urn,ncy,sen_provision,primary_need,secondary_need,fsm_eligible,locality\n\
                  919,C919200112001,Amira,Example,2016-03-14,F,SG1 1AA,2025-01-16,117001,4,E,ASD,SLCN,Y,DSPL1\n\
                  919,R919200112002,Ben,Sample,2012-10-02,M,SG2 2BB,2025-01-16,117002,7,E,SLD,,N,DSPL2\n\
                  919,F919200112003,Cara,Test,2013-01-20,F,SG1 3CC,2025-01-16,117003,7,K,SEMH,,Y,DSPL1\n",
        notes: &[
            "A pupil with SEN support (K) or an EHC plan (E) has a primary need; a pupil with no SEN (N) has none; NSA is for SEN support only; the secondary need differs from the primary.",
            "The postcode column is the home postcode on census day; it is stored with the record.",
        ],
        parse: parse_census,
    }
}

fn parse_census(r: &mut Row<'_>) -> Option<Parsed> {
    let keys = identity(r);
    let census_date = r.get("census_date", date);
    let urn = r.get("urn", parse::<Urn>);
    let ncy = r.get("ncy", parse::<NcYear>);
    let sen_provision = r.get("sen_provision", |t| parse_sen_provision(t).map_err(Problem::from));
    let primary_need = r.get("primary_need", need);
    let secondary_need = r.get("secondary_need", need);
    let fsm_eligible = r.get("fsm_eligible", yes_no);
    let locality = r.get("locality", parse);
    if r.failed() {
        return None;
    }
    let keys = keys?;
    let fields = CensusFields {
        census_date: census_date?,
        urn: urn?,
        ncy: ncy?,
        sen_provision: sen_provision?,
        primary_need,
        secondary_need,
        fsm_eligible: fsm_eligible?,
        postcode: keys.postcode.clone(),
        locality,
    };
    let record = checked(r, CensusRecord::new(fields))?;
    Some(Parsed::person(keys, PersonFact::Census(record)))
}

pub(crate) fn attendance() -> Format {
    Format {
        dataset: Dataset::Attendance,
        source: "School attendance returns: one row per pupil per school per academic year.",
        natural_key: "the child + academic_year + urn.",
        columns: with_identity(
            &["upn"],
            vec![
                Column::required("academic_year", Kind::AcademicYear, "The academic year."),
                Column::required("urn", URN, "The school."),
                Column::required("possible_sessions", Kind::Whole { min: 0, max: MAX_POSSIBLE_SESSIONS as u32 }, "Sessions (half days) the pupil could have attended."),
                Column::required("authorised_absence", Kind::Whole { min: 0, max: MAX_POSSIBLE_SESSIONS as u32 }, "Sessions missed with authorisation."),
                Column::required("unauthorised_absence", Kind::Whole { min: 0, max: MAX_POSSIBLE_SESSIONS as u32 }, "Sessions missed without authorisation."),
            ],
        ),
        example: "la,upn,academic_year,urn,possible_sessions,authorised_absence,unauthorised_absence\n\
                  919,C919200112001,2023/24,117001,380,20,4\n\
                  919,F919200112003,2023/24,117003,380,30,8\n",
        notes: &[
            "Authorised plus unauthorised absence cannot exceed possible sessions.",
            "Overall absence rate = (authorised + unauthorised) / possible x 100; persistent absence is 10% or more, severe absence 50% or more (DfE definitions), per pupil over all their enrolments in the year.",
        ],
        parse: parse_attendance,
    }
}

fn sessions(n: Option<u32>) -> Option<u16> {
    n.and_then(|n| u16::try_from(n).ok())
}

fn parse_attendance(r: &mut Row<'_>) -> Option<Parsed> {
    let keys = identity(r);
    let max = u32::from(MAX_POSSIBLE_SESSIONS);
    let academic_year = r.get("academic_year", parse);
    let urn = r.get("urn", parse::<Urn>);
    let possible = r.get("possible_sessions", whole(0, max));
    let authorised = r.get("authorised_absence", whole(0, max));
    let unauthorised = r.get("unauthorised_absence", whole(0, max));
    if r.failed() {
        return None;
    }
    let fields = AttendanceFields {
        academic_year: academic_year?,
        urn: urn?,
        possible_sessions: sessions(possible)?,
        authorised_absence: sessions(authorised)?,
        unauthorised_absence: sessions(unauthorised)?,
    };
    let year = checked(r, AttendanceYear::new(fields))?;
    Some(Parsed::person(keys?, PersonFact::Attendance(year)))
}

pub(crate) fn exclusions() -> Format {
    Format {
        dataset: Dataset::Exclusions,
        source: "The school census exclusions module and the LA's exclusions records.",
        natural_key: "the child + urn + start_date + kind.",
        columns: with_identity(
            &["upn"],
            vec![
                Column::required("urn", URN, "The school that suspended or excluded the pupil."),
                Column::required("kind", Kind::Code(codes::<ExclusionKind>), "Suspension or permanent exclusion."),
                Column::required("start_date", Kind::Date, "The first day of the suspension, or the date of the permanent exclusion."),
                Column::optional(
                    "sessions",
                    Kind::Whole { min: 1, max: MAX_SUSPENSION_SESSIONS as u32 },
                    "A suspension's length in sessions (half days): required for a suspension, blank for a permanent exclusion.",
                ),
            ],
        ),
        example: "la,upn,urn,kind,start_date,sessions\n\
                  919,F919200112003,117003,suspension,2024-11-05,2\n\
                  919,F919200112003,117003,permanent,2025-03-10,\n",
        notes: &["A head teacher may suspend a pupil for at most 45 school days (90 sessions) in a school year."],
        parse: parse_exclusion,
    }
}

fn parse_exclusion(r: &mut Row<'_>) -> Option<Parsed> {
    let keys = identity(r);
    let urn = r.get("urn", parse::<Urn>);
    let kind = r.get("kind", parse::<ExclusionKind>);
    let start_date = r.get("start_date", date);
    let sessions = r.get("sessions", whole(0, u32::from(u16::MAX))).map(|n| u16::try_from(n).unwrap_or(u16::MAX));
    if r.failed() {
        return None;
    }
    let ex = checked(r, Exclusion::new(ExclusionFields { urn: urn?, kind: kind?, start_date: start_date?, sessions }))?;
    Some(Parsed::person(keys?, PersonFact::Exclusion(ex)))
}

pub(crate) fn reduced_timetables() -> Format {
    Format {
        dataset: Dataset::ReducedTimetables,
        source: "Schools' notifications of part-time timetables to the LA.",
        natural_key: "the child + urn + start_date.",
        columns: with_identity(
            &["upn"],
            vec![
                Column::required("urn", URN, "The school."),
                Column::required("start_date", Kind::Date, "The first day of the reduced timetable."),
                Column::optional("end_date", Kind::Date, "The last day; blank while it continues."),
            ],
        ),
        example: "la,upn,urn,start_date,end_date\n919,F919200112003,117003,2025-01-06,2025-02-21\n",
        notes: &["Portsmouth's indicator splits reduced timetables at six weeks: 42 days or more, counting the first and last day, is six weeks or more."],
        parse: parse_reduced_timetable,
    }
}

fn parse_reduced_timetable(r: &mut Row<'_>) -> Option<Parsed> {
    let keys = identity(r);
    let urn = r.get("urn", parse::<Urn>);
    let period = period(r, "start_date", "end_date");
    if r.failed() {
        return None;
    }
    Some(Parsed::person(keys?, PersonFact::ReducedTimetable(ReducedTimetable { urn: urn?, period: period? })))
}

pub(crate) fn ehe() -> Format {
    Format {
        dataset: Dataset::ElectiveHomeEducation,
        source: "The LA's elective home education register.",
        natural_key: "the child + start_date.",
        columns: with_identity(
            &[],
            vec![
                Column::required("start_date", Kind::Date, "The date home education began (as the LA recorded it)."),
                Column::optional("end_date", Kind::Date, "The date it ended; blank while it continues."),
            ],
        ),
        example: "la,upn,social_care_id,forename,surname,date_of_birth,sex,start_date,end_date\n\
                  919,L919300113004,,Dev,Example,2014-06-30,M,2024-09-01,\n",
        notes: &["A row needs a UPN or, for a child who never attended school, the LA's social care id."],
        parse: parse_ehe,
    }
}

fn parse_ehe(r: &mut Row<'_>) -> Option<Parsed> {
    let keys = identity(r);
    let period = period(r, "start_date", "end_date");
    if r.failed() {
        return None;
    }
    Some(Parsed::person(keys?, PersonFact::ElectiveHomeEducation(ElectiveHomeEducation { period: period? })))
}
