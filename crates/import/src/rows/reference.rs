//! Reference data: localities, settings and population.

use super::{codes, parse, sex, sex_codes, whole, yes_no, Parsed, Problem, Row};
use crate::format::{Column, Format, Kind};
use std::num::NonZeroU32;
use waymark_domain::facts::reference::{check_name, Locality, OfstedGrade, Phase, PopulationCell, Setting, SettingType};
use waymark_domain::facts::{Dataset, LocalityCode};
use waymark_domain::identifiers::{LaCode, Ukprn, Urn};

const LA: Kind = Kind::Checked("LA code: DfE's 3-digit number, e.g. 919");
const LOCALITY: Kind = Kind::Checked("locality code: 1 to 20 letters, digits, '-' or '_'");

pub(crate) fn localities() -> Format {
    Format {
        dataset: Dataset::Localities,
        source: "The LA's own planning areas, e.g. Hertfordshire's nine DSPL (Delivering Special Provision Locally) areas.",
        natural_key: "la + code: importing a locality again with a new name updates its name.",
        columns: vec![
            Column::required("la", LA, "The local authority the locality belongs to."),
            Column::required("code", LOCALITY, "The LA's code for the locality (stored upper-case)."),
            Column::required("name", Kind::Text(200), "The locality's name."),
        ],
        example: "la,code,name\n919,DSPL1,DSPL area 1\n919,DSPL2,DSPL area 2\n",
        notes: &["Import localities before settings and person-level data: settings and census rows refer to them."],
        parse: parse_locality,
    }
}

fn parse_locality(r: &mut Row<'_>) -> Option<Parsed> {
    let la = r.get("la", parse::<LaCode>);
    let code = r.get("code", parse::<LocalityCode>);
    let name = r.get("name", |t| check_name("name", t).map_err(Problem::from));
    if r.failed() {
        return None;
    }
    Some(Parsed::Locality(Locality { la: la?, code: code?, name: name? }))
}

pub(crate) fn settings() -> Format {
    Format {
        dataset: Dataset::Settings,
        source: "Get Information About Schools (GIAS) establishment data, with the LA's locality for each setting.",
        natural_key: "urn: importing a setting again with changed details (a new Ofsted grade, a new unit) updates it.",
        columns: vec![
            Column::required("urn", Kind::Checked("URN: up to 6 digits"), "The setting's Unique Reference Number in GIAS."),
            Column::optional("ukprn", Kind::Checked("UKPRN: 8 digits starting with 1"), "UK Provider Reference Number (colleges and other post-16 providers)."),
            Column::required("name", Kind::Text(200), "The setting's name."),
            Column::required("la", LA, "The local authority whose area the setting is in."),
            Column::required("setting_type", Kind::Code(codes::<SettingType>), "What kind of setting (grouped from GIAS establishment type)."),
            Column::required("phase", Kind::Code(codes::<Phase>), "Phase of education."),
            Column::optional("locality", LOCALITY, "The locality of its LA the setting is in; must be one of that LA's imported localities."),
            Column::optional("ofsted_grade", Kind::Code(codes::<OfstedGrade>), "Overall effectiveness at the latest graded inspection (blank if none)."),
            Column::optional("ofsted_date", Kind::Date, "Date of that inspection."),
            Column::required("sen_unit", Kind::YesNo, "Whether the school has an SEN unit."),
            Column::optional("sen_unit_places", Kind::Whole { min: 1, max: 9999 }, "Places in the SEN unit: required when sen_unit is Y, blank when N."),
            Column::required("resourced_provision", Kind::YesNo, "Whether the school has resourced provision."),
            Column::optional(
                "resourced_provision_places",
                Kind::Whole { min: 1, max: 9999 },
                "Places in the resourced provision: required when resourced_provision is Y, blank when N.",
            ),
        ],
        example: "urn,ukprn,name,la,setting_type,phase,locality,ofsted_grade,ofsted_date,sen_unit,sen_unit_places,resourced_provision,resourced_provision_places\n\
                  117001,,Meadow Primary School,919,mainstream_la,primary,DSPL1,2,2023-05-10,N,,Y,12\n\
                  117002,,Oak Tree School,919,special_academy,all_through,DSPL2,1,2022-11-02,N,,N,\n\
                  117003,,Hillside Academy,919,mainstream_academy,secondary,DSPL1,3,2024-03-06,Y,20,N,\n\
                  130001,10001234,North Herts College,919,fe_college,post16,DSPL2,,,N,,N,\n",
        notes: &[
            "Import settings before person-level data: census, attendance, exclusions, reduced timetable and attainment rows must name a URN already imported.",
            "A setting in another LA's area (an out-of-area placement) can be imported by someone with access to every LA.",
            "Settings missing from a later file are kept: a closed school is still where a child was.",
        ],
        parse: parse_setting,
    }
}

/// A unit's places: required when the unit exists, blank when it does not.
fn places(r: &mut Row<'_>, flag: Option<bool>, flag_column: &str, column: &'static str) -> Option<NonZeroU32> {
    let places = r.get(column, whole(1, 9999)).and_then(NonZeroU32::new);
    match (flag, places) {
        (Some(true), None) if r.text(column).is_empty() => {
            r.fail(column, "", "places_required", format!("give the number of places when {flag_column} is Y"));
            None
        }
        (Some(false), Some(p)) => {
            r.fail(column, &p.to_string(), "places_without_provision", format!("leave blank when {flag_column} is N"));
            None
        }
        _ => places,
    }
}

fn parse_setting(r: &mut Row<'_>) -> Option<Parsed> {
    let urn = r.get("urn", parse::<Urn>);
    let ukprn = r.get("ukprn", parse::<Ukprn>);
    let name = r.get("name", |t| check_name("name", t).map_err(Problem::from));
    let la = r.get("la", parse::<LaCode>);
    let setting_type = r.get("setting_type", parse::<SettingType>);
    let phase = r.get("phase", parse::<Phase>);
    let locality = r.get("locality", parse);
    let ofsted_grade = r.get("ofsted_grade", parse::<OfstedGrade>);
    let ofsted_date = r.get("ofsted_date", super::date);
    let sen_unit = r.get("sen_unit", yes_no);
    let sen_unit_places = places(r, sen_unit, "sen_unit", "sen_unit_places");
    let resourced = r.get("resourced_provision", yes_no);
    let resourced_provision_places = places(r, resourced, "resourced_provision", "resourced_provision_places");
    if r.failed() {
        return None;
    }
    Some(Parsed::Setting(Setting {
        urn: urn?,
        ukprn,
        name: name?,
        la: la?,
        setting_type: setting_type?,
        phase: phase?,
        locality,
        ofsted_grade,
        ofsted_date,
        sen_unit_places,
        resourced_provision_places,
    }))
}

pub(crate) fn population() -> Format {
    Format {
        dataset: Dataset::Population,
        source: "ONS mid-year population estimates for local authorities, single year of age and sex.",
        natural_key: "la + year + age + sex: importing a revised estimate updates the count.",
        columns: vec![
            Column::required("la", LA, "The local authority."),
            Column::required("year", Kind::Whole { min: 1990, max: 2100 }, "The year of the mid-year (30 June) estimate."),
            Column::required("age", Kind::Whole { min: 0, max: 25 }, "Age in whole years."),
            Column::required("sex", Kind::Code(sex_codes), "M or F."),
            Column::required("count", Kind::Whole { min: 0, max: 10_000_000 }, "People of that age and sex."),
        ],
        example: "la,year,age,sex,count\n919,2024,0,F,6512\n919,2024,0,M,6840\n919,2024,25,F,7023\n",
        notes: &[],
        parse: parse_population,
    }
}

fn parse_population(r: &mut Row<'_>) -> Option<Parsed> {
    let la = r.get("la", parse::<LaCode>);
    let year = r.get("year", whole(1990, 2100));
    let age = r.get("age", whole(0, 25));
    let sex = r.get("sex", sex);
    let count = r.get("count", whole(0, 10_000_000));
    if r.failed() {
        return None;
    }
    let (year, age) = (i32::try_from(year?).ok()?, u8::try_from(age?).ok()?);
    match PopulationCell::new(la?, year, age, sex?, count?) {
        Ok(cell) => Some(Parsed::Population(cell)),
        Err(e) => {
            r.fact_error(e);
            None
        }
    }
}
