//! Every row of every format is checked by the domain's rules, and each problem names its line,
//! column, value and rule. (Checks that need the database, such as references and linking, are in
//! `import.rs`.)

use waymark_domain::facts::{Dataset, PersonFact};
use waymark_import::{read, ImportError, RowError};
use waymark_storage::{ImportBatch, ImportRows};

fn check(dataset: Dataset, csv: &str) -> Result<ImportBatch, Vec<RowError>> {
    read(dataset, "test.csv", "test.csv", csv.as_bytes()).map_err(|e| match e {
        ImportError::Rejected(r) => r.errors,
        other => panic!("{other}"),
    })
}

/// The (line, column, rule) of every problem.
fn problems(dataset: Dataset, csv: &str) -> Vec<(u64, String, String)> {
    check(dataset, csv).expect_err("should be refused").into_iter().map(|e| (e.line, e.column, e.rule)).collect()
}

fn p(line: u64, column: &str, rule: &str) -> (u64, String, String) {
    (line, column.to_owned(), rule.to_owned())
}

fn person_facts(batch: ImportBatch) -> Vec<PersonFact> {
    match batch.rows {
        ImportRows::Person(rows) => rows.into_iter().map(|r| r.fact).collect(),
        other => panic!("not person rows: {other:?}"),
    }
}

const CENSUS_HEAD: &str = "la,upn,forename,surname,date_of_birth,sex,postcode,census_date,urn,ncy,sen_provision,primary_need,secondary_need,fsm_eligible,locality\n";

#[test]
fn a_good_census_row_becomes_a_census_record_with_its_identity() {
    let batch = check(
        Dataset::Census,
        &format!("{CENSUS_HEAD}919,c919200112001, Amira ,Example,2016-03-14,f,sg11aa,2025-01-16,117001,4,e,asd,slcn,y,dspl1\n"),
    )
    .unwrap();
    let ImportRows::Person(rows) = batch.rows else { panic!() };
    assert_eq!(rows[0].line, 2);
    assert_eq!(rows[0].keys.upn.as_ref().unwrap().as_str(), "C919200112001", "identifiers are normalised");
    assert_eq!(rows[0].keys.name.as_ref().unwrap().forename(), "Amira");
    let PersonFact::Census(r) = &rows[0].fact else { panic!() };
    assert_eq!(r.postcode.as_ref().unwrap().as_str(), "SG1 1AA");
    assert_eq!(r.locality.as_ref().unwrap().as_str(), "DSPL1");
    assert!(r.fsm_eligible);
}

#[test]
fn every_problem_in_a_census_row_is_reported_with_its_column_and_rule() {
    let row = "919,A919200112001,Amira,,2016-02-30,X,SG1,2025-01-16,1234567,Y15,K,,,maybe,DSPL 1\n";
    assert_eq!(
        problems(Dataset::Census, &format!("{CENSUS_HEAD}{row}")),
        [
            p(2, "upn", "upn_check_letter"),
            p(2, "surname", "required"),
            p(2, "date_of_birth", "date_impossible"),
            p(2, "sex", "sex_code"),
            p(2, "postcode", "postcode_format"),
            p(2, "urn", "urn_format"),
            p(2, "ncy", "ncy_code"),
            p(2, "fsm_eligible", "yes_no"),
            p(2, "locality", "locality_code_format"),
        ]
    );
}

#[test]
fn school_census_rules_between_provision_and_need_name_the_rule() {
    let rows = "919,C919200112001,A,B,2016-03-14,F,,2025-01-16,117001,4,K,,,N,\n\
                919,C919200112001,A,B,2016-03-14,F,,2025-05-15,117001,4,N,ASD,,N,\n\
                919,C919200112001,A,B,2016-03-14,F,,2025-10-02,117001,5,E,NSA,,N,\n\
                919,C919200112001,A,B,2016-03-14,F,,2026-01-15,117001,5,E,ASD,ASD,N,\n\
                919,C919200112001,A,B,2016-03-14,F,,2026-05-21,117001,5,S,,,N,\n";
    assert_eq!(
        problems(Dataset::Census, &format!("{CENSUS_HEAD}{rows}")),
        [
            p(2, "primary_need", "need_required"),
            p(3, "primary_need", "need_without_sen"),
            p(4, "primary_need", "need_nsa_with_plan"),
            p(5, "secondary_need", "need_same_twice"),
            p(6, "sen_provision", "sen_provision_code"),
        ]
    );
}

#[test]
fn the_header_must_match_the_format_and_nothing_else_is_checked_until_it_does() {
    let errors =
        check(Dataset::Attendance, "LA, UPN ,acadmic_year,urn,urn,possible_sessions,unauthorised_absence\n919,x,y,z,z,1,1\n").unwrap_err();
    let found: Vec<(u64, &str, &str)> = errors.iter().map(|e| (e.line, e.column.as_str(), e.rule.as_str())).collect();
    assert_eq!(
        found,
        [
            (1, "acadmic_year", "header_unknown_column"),
            (1, "urn", "header_duplicate_column"),
            (1, "academic_year", "header_missing_column"),
            (1, "authorised_absence", "header_missing_column"),
        ]
    );
    assert!(errors[0].message.contains("academic_year"), "lists the columns: {}", errors[0].message);
    assert_eq!(problems(Dataset::Attendance, "")[0], p(1, "", "header_missing"));
}

#[test]
fn rows_must_be_utf8_and_as_long_as_the_header_and_blank_lines_are_skipped() {
    let mut csv = b"\xEF\xBB\xBFla,code,name\n919,DSPL1,Area 1\n\n919,DSPL2\n919,DSPL3,Caf\xE9\n".to_vec();
    csv.extend_from_slice(b"919,\"DSPL4\",\"Area, with comma\"\n");
    let errors = read(Dataset::Localities, "test.csv", "test.csv", csv.as_slice()).unwrap_err();
    let ImportError::Rejected(r) = errors else { panic!() };
    let found: Vec<(u64, &str)> = r.errors.iter().map(|e| (e.line, e.rule.as_str())).collect();
    assert_eq!(found, [(4, "row_length"), (5, "encoding")]);
    assert_eq!(r.rows, 4, "the blank line is not a row");
}

#[test]
fn line_numbers_count_every_line_with_crlf_endings_blank_lines_and_quoted_line_breaks() {
    let csv = "la,code,name\r\n919,A,One\r\n\r\n919,B!,Two\r\n919,C,\"Three\r\nlines\"\r\n919,D!,Four\r\n919,E!,Five";
    let found: Vec<(u64, String)> = problems(Dataset::Localities, csv).into_iter().map(|(line, _, rule)| (line, rule)).collect();
    let rule = |line: u64, rule: &str| (line, rule.to_owned());
    // Line 5's name spans two lines, which a name may not.
    assert_eq!(
        found,
        [rule(4, "locality_code_format"), rule(5, "name_format"), rule(7, "locality_code_format"), rule(8, "locality_code_format")]
    );
}

#[test]
fn a_file_may_not_hold_the_same_record_twice() {
    let csv = "la,upn,academic_year,urn,possible_sessions,authorised_absence,unauthorised_absence\n\
               919,C919200112001,2023/24,117001,380,10,0\n\
               919,C919200112001,2023/24,117001,380,12,0\n\
               919,C919200112001,2023/24,117002,100,1,0\n";
    let errors = check(Dataset::Attendance, csv).unwrap_err();
    assert_eq!((errors.len(), errors[0].line, errors[0].column.as_str(), errors[0].rule.as_str()), (1, 3, "upn", "duplicate_row"));
    assert!(errors[0].message.contains("line 2"));
}

#[test]
fn attendance_absence_cannot_exceed_possible_sessions() {
    let csv = "la,upn,academic_year,urn,possible_sessions,authorised_absence,unauthorised_absence\n\
               919,C919200112001,2023/24,117001,100,60,41\n\
               919,C919200112001,2023/25,117001,100,0,0\n\
               919,C919200112001,2024/25,117001,451,0,0\n";
    assert_eq!(
        problems(Dataset::Attendance, csv),
        [
            p(2, "possible_sessions", "absence_exceeds_possible"),
            p(3, "academic_year", "academic_year_consecutive"),
            p(4, "possible_sessions", "number_range")
        ]
    );
}

#[test]
fn a_school_row_needs_its_upn_and_a_post16_row_a_uln_or_upn() {
    let csv = "la,upn,urn,kind,start_date,sessions\n919,,117001,suspension,2025-01-06,2\n";
    assert_eq!(problems(Dataset::Exclusions, csv), [p(2, "upn", "required")]);
    let csv = "la,uln,upn,month,activity\n919,,,2025-01,education\n919,9234567810,,2025-02,working\n";
    assert_eq!(problems(Dataset::Post16Activity, csv), [p(2, "uln", "identifier_missing"), p(3, "activity", "activity_code")]);
}

#[test]
fn suspensions_need_1_to_90_sessions_and_permanent_exclusions_none() {
    let csv = "la,upn,urn,kind,start_date,sessions\n\
               919,C919200112001,117001,suspension,2025-01-06,\n\
               919,C919200112001,117001,suspension,2025-01-07,91\n\
               919,C919200112001,117001,permanent,2025-01-08,2\n\
               919,C919200112001,117001,expelled,2025-01-09,\n";
    assert_eq!(
        problems(Dataset::Exclusions, csv),
        [
            p(2, "sessions", "sessions_required"),
            p(3, "sessions", "sessions_range"),
            p(4, "sessions", "sessions_with_permanent"),
            p(5, "kind", "exclusion_kind_code")
        ]
    );
}

#[test]
fn periods_cannot_end_before_they_start() {
    let csv = "la,upn,urn,start_date,end_date\n919,C919200112001,117001,2025-02-01,2025-01-31\n";
    assert_eq!(problems(Dataset::ReducedTimetables, csv), [p(2, "end_date", "end_before_start")]);
    let csv = "la,social_care_id,start_date,end_date,primary_need\n919,SC1,2025-02-01,1989-12-31,N9\n";
    assert_eq!(problems(Dataset::ChildInNeed, csv), [p(2, "end_date", "date_range")]);
}

#[test]
fn ks2_expected_standard_must_agree_with_the_scaled_score() {
    let head = "la,upn,academic_year,urn,reading_expected,writing_expected,maths_expected,reading_scaled,maths_scaled\n";
    let rows = "919,C919200112001,2023/24,117001,Y,Y,Y,99,100\n919,C919200112002,2023/24,117001,N,N,N,,121\n";
    let found = problems(Dataset::Ks2, &format!("{head}{rows}"));
    assert_eq!(found[0], p(2, "reading_expected", "ks2_expected_mismatch"));
    assert_eq!(found[1].2, "upn_check_letter");
    assert_eq!(found[2], p(3, "maths_scaled", "number_range"));
}

#[test]
fn ks4_scores_are_decimals_in_range() {
    let head = "la,upn,academic_year,urn,attainment8,progress8,english_maths_grade4\n";
    let ok = check(Dataset::Ks4, &format!("{head}919,C919200112001,2023/24,117003,45.5,,Y\n")).unwrap();
    let PersonFact::Ks4(r) = &person_facts(ok)[0] else { panic!() };
    assert_eq!((r.attainment8.to_string(), r.progress8), ("45.50".to_owned(), None));
    let rows = "919,C919200112001,2023/24,117003,91,0,Y\n919,C919200112001,2024/25,117003,40,-1.234,Y\n";
    assert_eq!(
        problems(Dataset::Ks4, &format!("{head}{rows}")),
        [p(2, "attainment8", "attainment8_range"), p(3, "progress8", "progress8_format")]
    );
}

#[test]
fn settings_places_go_with_their_units() {
    let head = "urn,name,la,setting_type,phase,sen_unit,sen_unit_places,resourced_provision,resourced_provision_places\n";
    let rows = "117001,Meadow,919,mainstream_la,primary,Y,,N,\n117002,Oak,919,special_academy,all_through,N,,N,5\n117003,Hill,919,grammar,secondary,N,,N,\n";
    assert_eq!(
        problems(Dataset::Settings, &format!("{head}{rows}")),
        [
            p(2, "sen_unit_places", "places_required"),
            p(3, "resourced_provision_places", "places_without_provision"),
            p(4, "setting_type", "setting_type_code")
        ]
    );
}

#[test]
fn population_is_by_la_year_age_0_to_25_and_sex() {
    let csv = "la,year,age,sex,count\n919,2024,26,F,10\n999,2024,5,M,10\n919,2024,5,U,-1\n";
    assert_eq!(
        problems(Dataset::Population, csv),
        [p(2, "age", "number_range"), p(3, "la", "la_code_unknown"), p(4, "sex", "sex_code"), p(4, "count", "number_format")]
    );
}

#[test]
fn social_care_health_and_youth_justice_codes_are_checked() {
    let cases = [
        (Dataset::ChildProtection, "la,social_care_id,start_date,category\n919,SC1,2025-01-01,ABC\n", "category", "cp_category_code"),
        (Dataset::LookedAfter, "la,social_care_id,start_date,legal_status,placement\n919,SC1,2025-01-01,V9,foster_la\n", "legal_status", "legal_status_code"),
        (Dataset::LookedAfter, "la,social_care_id,start_date,legal_status,placement\n919,SC1,2025-01-01,C2,hotel\n", "placement", "placement_code"),
        (Dataset::CareServices, "la,social_care_id,service,start_date\n919,SC 1,short_break,2025-01-01\n", "social_care_id", "social_care_id_format"),
        (
            Dataset::TwoYearReview,
            "la,nhs_number,review_date,communication,gross_motor,fine_motor,problem_solving,personal_social\n919,9434765919,2025-01-01,above,above,above,above,fine\n",
            "personal_social",
            "asq_outcome_code",
        ),
        (Dataset::HealthChecks, "la,nhs_number,check,check_date,outcome\n919,9434765918,reception,2025-01-01,completed\n", "nhs_number", "nhs_number_check_digit"),
        (
            Dataset::HealthReferrals,
            "la,nhs_number,service,referral_date,first_appointment,outcome\n919,9434765919,camhs,2025-01-10,2025-01-09,treated\n",
            "first_appointment",
            "appointment_before_referral",
        ),
        (Dataset::YouthJustice, "la,uln,kind,start_date\n919,9234567811,referral_order,2025-01-01\n", "uln", "uln_check_digit"),
        (Dataset::Phonics, "la,upn,academic_year,urn,year_group,met_standard\n919,C919200112001,2023/24,117001,3,Y\n", "year_group", "phonics_year_code"),
    ];
    for (dataset, csv, column, rule) in cases {
        let found = problems(dataset, csv);
        assert!(found.contains(&p(2, column, rule)), "{dataset}: {found:?}");
    }
}

#[test]
fn a_referral_outcome_needs_the_date_it_closed() {
    let csv = "la,nhs_number,service,referral_date,outcome\n919,9434765919,autism_assessment,2025-01-10,diagnosed\n";
    assert_eq!(problems(Dataset::HealthReferrals, csv), [p(2, "outcome", "outcome_without_closure")]);
}

#[test]
fn names_come_in_pairs() {
    let csv = "la,social_care_id,forename,start_date,end_date,primary_need\n919,SC1,Sam,2025-01-01,,N1\n";
    let csv_err = check(Dataset::ChildInNeed, csv).unwrap_err();
    assert_eq!((csv_err[0].column.as_str(), csv_err[0].rule.as_str()), ("surname", "name_incomplete"));
}

#[test]
fn errors_say_file_line_column_value_and_rule_in_plain_english() {
    let csv = format!("{CENSUS_HEAD}919,A919200112001,Amira,Example,2016-03-14,F,,2025-01-16,117001,4,N,,,N,\n");
    let e = &check(Dataset::Census, &csv).unwrap_err()[0];
    assert_eq!(
        e.to_string(),
        "test.csv line 2, column upn, value 'A919200112001': the check letter should be C, not A (rule 1510) [upn_check_letter]"
    );
}
