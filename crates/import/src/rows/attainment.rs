//! Attainment: EYFSP, phonics, key stage 2, key stage 4, level 2 and 3 by 19.

use super::school::{checked, URN};
use super::{codes, identity, parse, whole, with_identity, yes_no, Parsed};
use crate::format::{Column, Format, Kind};
use waymark_domain::facts::attainment::{
    Attainment8, EyfspResult, Ks2Fields, Ks2Result, Ks4Result, LevelBy19, PhonicsResult, PhonicsYear, Progress8, ScaledScore,
};
use waymark_domain::facts::{Dataset, PersonFact};
use waymark_domain::identifiers::Urn;

pub(crate) fn eyfsp() -> Format {
    Format {
        dataset: Dataset::Eyfsp,
        source: "The early years foundation stage profile return, at the end of reception.",
        natural_key: "the child + academic_year.",
        columns: with_identity(
            &["upn"],
            vec![
                Column::required("academic_year", Kind::AcademicYear, "The year of the reception class."),
                Column::required("urn", URN, "The school."),
                Column::required("good_level_of_development", Kind::YesNo, "Reached a good level of development."),
            ],
        ),
        example: "la,upn,academic_year,urn,good_level_of_development\n919,C919200112001,2020/21,117001,N\n",
        notes: &[],
        parse: |r| {
            let keys = identity(r);
            let academic_year = r.get("academic_year", parse);
            let urn = r.get("urn", parse::<Urn>);
            let gld = r.get("good_level_of_development", yes_no);
            if r.failed() {
                return None;
            }
            let result = EyfspResult { academic_year: academic_year?, urn: urn?, good_level_of_development: gld? };
            Some(Parsed::person(keys?, PersonFact::Eyfsp(result)))
        },
    }
}

pub(crate) fn phonics() -> Format {
    Format {
        dataset: Dataset::Phonics,
        source: "The phonics screening check return (year 1, and the year 2 retake).",
        natural_key: "the child + academic_year + year_group.",
        columns: with_identity(
            &["upn"],
            vec![
                Column::required("academic_year", Kind::AcademicYear, "The year of the check."),
                Column::required("urn", URN, "The school."),
                Column::required("year_group", Kind::Code(codes::<PhonicsYear>), "1 for the year 1 check, 2 for the retake."),
                Column::required("met_standard", Kind::YesNo, "Met the expected standard."),
            ],
        ),
        example:
            "la,upn,academic_year,urn,year_group,met_standard\n919,C919200112001,2021/22,117001,1,N\n919,C919200112001,2022/23,117001,2,Y\n",
        notes: &[],
        parse: |r| {
            let keys = identity(r);
            let academic_year = r.get("academic_year", parse);
            let urn = r.get("urn", parse::<Urn>);
            let year_group = r.get("year_group", parse::<PhonicsYear>);
            let met = r.get("met_standard", yes_no);
            if r.failed() {
                return None;
            }
            let result = PhonicsResult { academic_year: academic_year?, urn: urn?, year_group: year_group?, met_standard: met? };
            Some(Parsed::person(keys?, PersonFact::Phonics(result)))
        },
    }
}

pub(crate) fn ks2() -> Format {
    Format {
        dataset: Dataset::Ks2,
        source: "Key stage 2 results (tests and teacher assessment), end of year 6.",
        natural_key: "the child + academic_year.",
        columns: with_identity(
            &["upn"],
            vec![
                Column::required("academic_year", Kind::AcademicYear, "The year of year 6."),
                Column::required("urn", URN, "The school."),
                Column::required("reading_expected", Kind::YesNo, "Reading at the expected standard."),
                Column::required("writing_expected", Kind::YesNo, "Writing at the expected standard (teacher assessment)."),
                Column::required("maths_expected", Kind::YesNo, "Maths at the expected standard."),
                Column::optional("reading_scaled", Kind::Whole { min: 80, max: 120 }, "Reading test scaled score; blank if not sat."),
                Column::optional("maths_scaled", Kind::Whole { min: 80, max: 120 }, "Maths test scaled score; blank if not sat."),
            ],
        ),
        example: "la,upn,academic_year,urn,reading_expected,writing_expected,maths_expected,reading_scaled,maths_scaled\n\
                  919,F919200112003,2023/24,117001,Y,N,N,101,96\n",
        notes: &["Where a scaled score is given, the expected standard must agree with it: a scaled score of 100 or more."],
        parse: |r| {
            let keys = identity(r);
            let academic_year = r.get("academic_year", parse);
            let urn = r.get("urn", parse::<Urn>);
            let reading_expected = r.get("reading_expected", yes_no);
            let writing_expected = r.get("writing_expected", yes_no);
            let maths_expected = r.get("maths_expected", yes_no);
            let score = |field: &'static str| {
                move |t: &str| whole(80, 120)(t).and_then(|n| Ok(ScaledScore::new(field, u8::try_from(n).unwrap_or(0))?))
            };
            let reading_scaled = r.get("reading_scaled", score("reading_scaled"));
            let maths_scaled = r.get("maths_scaled", score("maths_scaled"));
            if r.failed() {
                return None;
            }
            let fields = Ks2Fields {
                academic_year: academic_year?,
                urn: urn?,
                reading_expected: reading_expected?,
                writing_expected: writing_expected?,
                maths_expected: maths_expected?,
                reading_scaled,
                maths_scaled,
            };
            let result = checked(r, Ks2Result::new(fields))?;
            Some(Parsed::person(keys?, PersonFact::Ks2(result)))
        },
    }
}

pub(crate) fn ks4() -> Format {
    Format {
        dataset: Dataset::Ks4,
        source: "Key stage 4 results (GCSE and equivalents), end of year 11.",
        natural_key: "the child + academic_year.",
        columns: with_identity(
            &["upn"],
            vec![
                Column::required("academic_year", Kind::AcademicYear, "The year of year 11."),
                Column::required("urn", URN, "The school."),
                Column::required("attainment8", Kind::Decimal("0 to 90, at most 2 decimal places"), "Attainment 8 score."),
                Column::optional("progress8", Kind::Decimal("-10 to 10, at most 2 decimal places"), "Progress 8 score; blank where none is calculated."),
                Column::required("english_maths_grade4", Kind::YesNo, "Grade 4 or above in both English and maths."),
            ],
        ),
        example: "la,upn,forename,surname,date_of_birth,sex,academic_year,urn,attainment8,progress8,english_maths_grade4\n919,J919200112005,Finn,Sample,2008-05-05,M,2023/24,117003,31.25,-0.62,N\n",
        notes: &["DfE calculated no Progress 8 for 2024/25 and 2025/26 (no KS2 baseline): leave it blank."],
        parse: |r| {
            let keys = identity(r);
            let academic_year = r.get("academic_year", parse);
            let urn = r.get("urn", parse::<Urn>);
            let attainment8 = r.get("attainment8", parse::<Attainment8>);
            let progress8 = r.get("progress8", parse::<Progress8>);
            let grade4 = r.get("english_maths_grade4", yes_no);
            if r.failed() {
                return None;
            }
            let result = Ks4Result {
                academic_year: academic_year?,
                urn: urn?,
                attainment8: attainment8?,
                progress8,
                english_maths_grade4: grade4?,
            };
            Some(Parsed::person(keys?, PersonFact::Ks4(result)))
        },
    }
}

pub(crate) fn level_by_19() -> Format {
    Format {
        dataset: Dataset::LevelBy19,
        source: "DfE's matched level 2 and level 3 attainment by age 19.",
        natural_key: "the child + academic_year.",
        columns: with_identity(
            &[],
            vec![
                Column::required("academic_year", Kind::AcademicYear, "The academic year at whose end the young person was 19."),
                Column::required("level2", Kind::YesNo, "Qualified to level 2 by 19."),
                Column::optional("level2_english_maths", Kind::YesNo, "Level 2 including English and maths, where known."),
                Column::required("level3", Kind::YesNo, "Qualified to level 3 by 19."),
            ],
        ),
        example: "la,uln,forename,surname,date_of_birth,sex,academic_year,level2,level2_english_maths,level3\n919,9234567810,Eve,Example,2005-04-12,F,2023/24,Y,N,N\n",
        notes: &["A row needs a ULN or a UPN (tried in that order)."],
        parse: |r| {
            let keys = identity(r);
            let academic_year = r.get("academic_year", parse);
            let level2 = r.get("level2", yes_no);
            let level2_english_maths = r.get("level2_english_maths", yes_no);
            let level3 = r.get("level3", yes_no);
            if r.failed() {
                return None;
            }
            let result = LevelBy19 { academic_year: academic_year?, level2: level2?, level2_english_maths, level3: level3? };
            Some(Parsed::person(keys?, PersonFact::LevelBy19(result)))
        },
    }
}
