//! A small fictional LA (851) in a store, with a case at every stage the SEN2 return counts. All names
//! are invented.

#![allow(dead_code)]

use std::sync::Arc;
use waymark_domain::calendar::{parse_iso_date, Date};
use waymark_domain::case::{
    AppealableDecision, CaseEvent, CaseEventKind as E, CeaseReason, ExceptionReason, Requester, ReviewOutcome, TransferKind,
};
use waymark_domain::child::{NewChild, PersonName, SenStatus, Sex};
use waymark_domain::identifiers::{SettingCode, SettingRef, Upn};
use waymark_domain::need::{NeedCode, RankedNeeds};
use waymark_domain::placement::Placement;
use waymark_domain::plan::{DirectPayment, NamedSetting, PersonalBudget, PlanContents, Residential};
use waymark_storage::{Actor, FixedClock, InPost, LaSettings, LaSettingsStore, PlacementStore, Scope, SqliteStore, Store};

pub fn d(s: &str) -> Date {
    parse_iso_date(s).unwrap()
}

pub fn actor() -> Actor {
    Actor::new("tester", Scope::All)
}

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new("2026-02-01T09:00:00Z".parse().unwrap()))
}

pub fn plan(urn: &str) -> PlanContents {
    PlanContents {
        named_settings: vec![NamedSetting {
            setting: SettingRef::Urn(urn.parse().unwrap()),
            rank: 1,
            sen_unit: false,
            resourced_provision: true,
            other_description: None,
        }],
        personal_budget: PersonalBudget {
            personal_budget: true,
            organised_arrangements: false,
            direct_payments: Some(DirectPayment::SocialCare),
        },
        ..Default::default()
    }
}

pub fn req(date: &str, who: Requester) -> CaseEvent {
    CaseEvent::new(d(date), E::RequestReceived { requester: who, in_youth_accommodation: false, unknown_dates: Default::default() })
}

pub fn ev(date: &str, kind: E) -> CaseEvent {
    CaseEvent::new(d(date), kind)
}

pub async fn settings(store: &SqliteStore) {
    let s = LaSettings {
        la: "851".parse().unwrap(),
        dmo: InPost::Yes,
        dco: InPost::No,
        dsco: InPost::Recruiting,
        software_code: "WAYMARK".into(),
        serial_no: "001".into(),
    };
    store.set_la_settings(&actor(), &s, None, "test").await.unwrap();
}

struct Kid {
    forename: &'static str,
    dob: &'static str,
    upn_body: Option<&'static str>,
    needs: Option<(&'static str, NeedCode, Option<NeedCode>)>,
    cases: Vec<Vec<CaseEvent>>,
    placements: Vec<Placement>,
}

fn placement(setting: SettingRef, entry: &str, leaving: Option<&str>) -> Placement {
    Placement {
        setting,
        rank: 1,
        entry: d(entry),
        leaving: leaving.map(d),
        sen_unit: false,
        resourced_provision: false,
        residential: None,
        work_based: None,
        setting_la: None,
    }
}

/// Children at every stage of the 2026 return (collection period 2025, census 15 January 2026).
pub async fn seed(store: &SqliteStore) -> usize {
    let urn = |u: &str| SettingRef::Urn(u.parse().unwrap());
    let mut amended = plan("851003");
    amended.residential = Some(Residential::Weeks38To51);
    let kids = vec![
        // A new plan issued in the year, with an exception (Week20 = 1) and a placement.
        Kid {
            forename: "Ada",
            dob: "2015-03-01",
            upn_body: Some("851200125001"),
            needs: Some(("2025-06-20", NeedCode::Asd, Some(NeedCode::Slcn))),
            cases: vec![vec![
                req("2025-02-03", Requester::SchoolOrSetting),
                ev("2025-02-10", E::ExceptionStarted { reason: ExceptionReason::PersonalCircumstances, party: None }),
                ev("2025-03-10", E::DecidedToAssess),
                ev("2025-03-20", E::ExceptionEnded { reason: ExceptionReason::PersonalCircumstances, party: None }),
                ev("2025-06-01", E::DraftIssued { plan: PlanContents::default() }),
                ev("2025-06-20", E::FinalIssued { plan: plan("851001") }),
            ]],
            placements: vec![placement(urn("851001"), "2025-09-03", None)],
        },
        // A request refused in the year, with mediation.
        Kid {
            forename: "Ben",
            dob: "2012-07-15",
            upn_body: Some("851200125002"),
            needs: None,
            cases: vec![vec![
                req("2025-04-01", Requester::ParentOrYoungPerson),
                ev("2025-05-06", E::DecidedNotToAssess),
                ev("2025-07-01", E::MediationHeld { decision: AppealableDecision::RefusalToAssess }),
            ]],
            placements: vec![],
        },
        // A request still awaiting a decision on census day.
        Kid {
            forename: "Cara",
            dob: "2019-01-20",
            upn_body: Some("851200125003"),
            needs: None,
            cases: vec![vec![req("2026-01-05", Requester::Health)]],
            placements: vec![],
        },
        // Assessing on census day.
        Kid {
            forename: "Dan",
            dob: "2016-11-11",
            upn_body: None,
            needs: None,
            cases: vec![vec![req("2025-10-01", Requester::SocialCare), ev("2025-11-05", E::DecidedToAssess)]],
            placements: vec![],
        },
        // An existing plan transferred in, reviewed and amended, with a phase transfer and two placements.
        Kid {
            forename: "Eve",
            dob: "2014-05-02",
            upn_body: Some("851200125005"),
            needs: Some(("2019-09-01", NeedCode::Semh, None)),
            cases: vec![vec![
                ev("2022-03-01", E::ExistingPlan { plan: plan("851003"), transferred_from: Some("852".parse().unwrap()) }),
                ev("2025-01-01", E::PhaseTransferPlanned { transfer_date: d("2025-09-01"), kind: TransferKind::School }),
                ev("2025-03-05", E::ReviewMeeting),
                ev("2025-03-20", E::ReviewDecision { outcome: ReviewOutcome::Amend }),
                ev("2025-03-25", E::AmendmentsProposed { plan: amended.clone() }),
                ev("2025-05-01", E::AmendedFinalIssued { plan: amended.clone() }),
            ]],
            placements: vec![placement(urn("851003"), "2021-09-01", Some("2025-07-20")), placement(urn("851004"), "2025-09-02", None)],
        },
        // A plan that ceased in the year.
        Kid {
            forename: "Finn",
            dob: "2006-02-02",
            upn_body: Some("851200125006"),
            needs: Some(("2018-01-01", NeedCode::Mld, None)),
            cases: vec![vec![
                ev("2018-01-10", E::ExistingPlan { plan: plan("851005"), transferred_from: None }),
                ev("2025-07-18", E::Ceased { reason: CeaseReason::PaidEmployment }),
            ]],
            placements: vec![placement(urn("851005"), "2017-09-01", Some("2025-07-18"))],
        },
        // Withdrawn in the year; NEET placement is not relevant (no plan).
        Kid {
            forename: "Gus",
            dob: "2013-08-30",
            upn_body: Some("851200125007"),
            needs: None,
            cases: vec![vec![req("2025-05-01", Requester::Other), ev("2025-05-20", E::DecidedToAssess), ev("2025-08-01", E::Withdrawn)]],
            placements: vec![],
        },
        // Decided not to issue after assessment.
        Kid {
            forename: "Hal",
            dob: "2011-12-12",
            upn_body: Some("851200125008"),
            needs: None,
            cases: vec![vec![
                req("2025-01-15", Requester::SchoolOrSetting),
                ev("2025-02-20", E::DecidedToAssess),
                ev("2025-05-01", E::DecidedNotToIssue),
                ev("2025-06-01", E::AppealLodged { decision: AppealableDecision::RefusalToIssue }),
            ]],
            placements: vec![],
        },
        // Out of scope: a refusal in 2023 and nothing since.
        Kid {
            forename: "Ivy",
            dob: "2012-02-02",
            upn_body: Some("851200125009"),
            needs: None,
            cases: vec![vec![req("2023-03-01", Requester::Health), ev("2023-04-01", E::DecidedNotToAssess)]],
            placements: vec![],
        },
        // An existing plan in EOTAS (OLA) and a placement not in education (NIEO).
        Kid {
            forename: "Jo",
            dob: "2010-10-10",
            upn_body: Some("851200125010"),
            needs: Some(("2020-01-01", NeedCode::Pd, Some(NeedCode::Vi))),
            cases: vec![vec![ev(
                "2020-01-05",
                E::ExistingPlan {
                    plan: PlanContents {
                        named_settings: vec![NamedSetting {
                            setting: SettingRef::Code(SettingCode::Ola),
                            rank: 1,
                            sen_unit: false,
                            resourced_provision: false,
                            other_description: None,
                        }],
                        ..Default::default()
                    },
                    transferred_from: None,
                },
            )]],
            placements: vec![placement(SettingRef::Code(SettingCode::Ola), "2024-01-08", None)],
        },
    ];
    let actor = actor();
    let n = kids.len();
    for (i, k) in kids.into_iter().enumerate() {
        let new = NewChild {
            name: PersonName::new(k.forename, "Example").unwrap(),
            date_of_birth: d(k.dob),
            sex: if i % 2 == 0 { Sex::Female } else { Sex::Male },
            ethnicity: if i == 3 { None } else { Some("WBRI".parse().unwrap()) },
            postcode: Some("PO1 2AB".parse().unwrap()),
            upn: k.upn_body.map(|b| Upn::from_body(b).unwrap()),
            uln: None,
            nhs_number: None,
            responsible_la: "851".parse().unwrap(),
        };
        let child = store.create_child(&actor, new, "test").await.unwrap();
        let mut version = child.version;
        if let Some((from, p, s)) = k.needs {
            let mut c = child.value.clone();
            c.record_sen_status(d(from), SenStatus::EhcPlan, RankedNeeds::new(Some(p), s).unwrap()).unwrap();
            version = store.update_child(&actor, &c, version, "needs").await.unwrap().version;
        }
        let _ = version;
        for events in k.cases {
            let mut it = events.into_iter();
            let case = store.open_case(&actor, child.value.id, it.next().unwrap(), "test").await.unwrap();
            let rest: Vec<_> = it.collect();
            if !rest.is_empty() {
                store.record_case_events(&actor, case.value.id, 1, rest, "test").await.unwrap();
            }
        }
        for p in k.placements {
            store.record_placement(&actor, child.value.id, p, "test").await.unwrap();
        }
    }
    n
}

/// Whether xmllint is installed (scripts/test installs it; a bare machine may lack it).
pub fn xmllint() -> bool {
    std::process::Command::new("xmllint").arg("--version").output().is_ok()
}

/// The schema for a year, from the repository root's sibling `shared/`.
pub fn schema(year: i32) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../../shared/reference/sen2/sen2_schema_{year}.xsd"))
}
