//! The demo area's strategy: Portsmouth's 2016 delivery plan (SEND Strategy 2016-19, Part III, seed
//! `002_bab323bbd6207b35.txt`) transcribed into the CSV format, and a self-evaluation in two dated
//! versions drawn from Portsmouth's 2019 update to its Health and Wellbeing Board (seed
//! `000_a3e57b5fe081a391.txt`, §3.4-3.6), in Portsmouth's own words.
//!
//! Transcription notes: the source leaves the status column blank (all not started); "I place" is read
//! as "in place"; B9's title runs across a page break and is joined; D4 comes before D3 in the source and
//! is kept there; the linked indicators are Waymark's choice (the source's plan names none), each from the
//! `portsmouth-2016` pack of the same strategy or DfE's SEN2 measures.

use crate::self_evaluation::{Area, AreaEntry, Outcome, SelfEvaluation};
use chrono::NaiveDate;

/// The transcribed delivery plan.
pub const PORTSMOUTH_2016_PLAN: &str = include_str!("../data/portsmouth-2016.csv");

fn entry(area: Area, judgement: Outcome, strengths: &str, development: &str, evidence: &str, indicators: &[&str]) -> AreaEntry {
    AreaEntry {
        area,
        judgement: Some(judgement),
        strengths: strengths.to_owned(),
        development: development.to_owned(),
        evidence: evidence.to_owned(),
        indicators: indicators.iter().filter_map(|r| r.parse().ok()).collect(),
        what_we_did: String::new(),
        impact: String::new(),
        next_steps: String::new(),
    }
}

/// Two versions: September 2018 (the self-evaluation as reviewed) and December 2018 (after the internal
/// peer challenge), with three areas and then four.
pub fn portsmouth_self_evaluations() -> Vec<SelfEvaluation> {
    let needs = entry(
        Area::NeedsIdentifiedAndAssessed,
        Outcome::Positive,
        "A person-centred EHC needs assessment process that results in high quality EHC plans; every new assessment includes a co-production meeting.",
        "Accurate SEN coding, so that needs are recorded the same way across settings.",
        "98.4% of new assessments completed within 20 weeks; all transfers of statements to EHC plans completed by March 2018; termly multi-agency EHCP audit.",
        &["dfe-ehcp/plans_within_20_weeks_excl_exceptions_pct", "dfe-ehcp/request_decisions_within_6_weeks_pct"],
    );
    let families = entry(
        Area::FamiliesTakePartInDecisions,
        Outcome::Positive,
        "Co-production is the way we work with families: 'Shaping Better Futures Together' meets monthly; Dynamite's Young Inspectors inspect services on the Local Offer; trained parent/carer representatives sit on the Inclusion Support Panel.",
        "Bring parent and young person feedback into how we judge impact.",
        "Dynamite's annual 'Big Bang' survey; parent/carer SEN Champions in mainstream schools; low level of complaints and appeals.",
        &["dfe-ehcp/appeal_rate_pct"],
    );
    let next_steps = entry(
        Area::PreparedForNextSteps,
        Outcome::Inconsistent,
        "Transition to adult services is good for those with physical disabilities, complex learning difficulties and those at special schools; participation of young people with SEND is above national.",
        "The pathway is less clear for those who do not meet the criteria for learning disability services, including some young people with autism, and for those in mainstream schools; too few young people with SEND are in paid employment.",
        "Young people tell us they want better information on getting into employment and living independently.",
        &["portsmouth-2016/p39a_work_based_ehcp_pct", "portsmouth-2016/p41b_transition_plans_quality_pct"],
    );
    let mut first = SelfEvaluation {
        dated: NaiveDate::from_ymd_opt(2018, 9, 1).unwrap_or(NaiveDate::MIN),
        judgement: None,
        summary: "Areas of strength: strong partnership working; engagement, participation and co-production; quality and timeliness of EHC plans; quality of specialist provision.".into(),
        areas: vec![needs, families, next_steps.clone()],
    };
    first.areas.sort_by_key(|e| e.area);
    let mut evaluate = entry(
        Area::LeadersEvaluateAndImprove,
        Outcome::Inconsistent,
        "Clear reporting lines to the Children's Trust Board and the Health and Wellbeing Board; quarterly SEND strategy performance reports.",
        "Strengthen the use of data to demonstrate outcomes and whether we have made the difference, bringing in parent, young person and school feedback as well as figures.",
        "Internal peer challenge, 3 December 2018, following the external peer review of 2017.",
        &["ofsted-area-send/leaders_evaluate_and_improve"],
    );
    evaluate.what_we_did = "Focus groups for each area for development identified by the 2017 peer review.".into();
    evaluate.impact = "Not enough evidence yet that people knew what impact measures were having on the quality of life for children, young people and their families.".into();
    evaluate.next_steps = "Use data to capture, monitor and report on outcomes at an individual level.".into();
    let mut moved = next_steps;
    moved.what_we_did = "A Transition Planning Group set up to share information between agencies from age 14.".into();
    moved.next_steps = "Publish clear, accessible transition information co-produced with young people in the Local Offer.".into();
    let dec = NaiveDate::from_ymd_opt(2018, 12, 3).unwrap_or(NaiveDate::MIN);
    let mut second = first.with_area(dec, evaluate).with_area(dec, moved);
    second.judgement = Some(Outcome::Inconsistent);
    vec![first, second]
}
