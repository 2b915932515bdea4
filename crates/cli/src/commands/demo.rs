//! `waymark demo`: a small fictional local area (LA 851) with a dozen children at every stage of the EHC
//! process, dated relative to today so there is always work due and overdue; then the caseload. The
//! synthetic-area issue replaces this with a generated profile. All names are invented.

use crate::commands::case::list_and_print;
use crate::commands::store::{block_on, open_store, store_failure, system_clock, StoreArgs};
use crate::Failure;
use waymark_domain::calendar::{parse_iso_date, sub_days, Date};
use waymark_domain::case::{
    AdviceParty as P, AppealableDecision, CaseEvent, CaseEventKind as E, ExceptionReason, Requester, ReviewOutcome, TransferKind,
};
use waymark_domain::child::{NewChild, PersonName, Sex};
use waymark_domain::identifiers::{SettingRef, Upn};
use waymark_domain::plan::{Agency, NamedSetting, Outcome, PfaArea, PlanContents, Provision, Section};
use waymark_storage::{SqliteStore, Store};

#[derive(clap::Args)]
pub struct Args {
    /// Date the demo counts to instead of today.
    #[arg(long, value_name = "DATE")]
    today: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

fn plan(urn: &str) -> PlanContents {
    let mut p = PlanContents::default();
    p.sections.insert(Section::A, "Enjoys music and swimming; wants to make friends at school.".into());
    p.sections.insert(Section::B, "Social communication needs; sensory sensitivities.".into());
    p.outcomes
        .push(Outcome { text: "By the end of key stage 2, travels to school with a peer.".into(), pfa: vec![PfaArea::IndependentLiving] });
    p.provision.push(Provision {
        agency: Agency::Education,
        description: "Small-group social skills, 3 x 30 minutes weekly".into(),
        frequency: Some("weekly".into()),
        provider: None,
    });
    p.provision.push(Provision {
        agency: Agency::Health,
        description: "Speech and language therapy review each term".into(),
        frequency: Some("termly".into()),
        provider: None,
    });
    p.named_settings.push(NamedSetting {
        setting: SettingRef::Urn(urn.parse().expect("valid URN")),
        rank: 1,
        sen_unit: false,
        resourced_provision: false,
        other_description: None,
    });
    p
}

struct DemoCase {
    forename: &'static str,
    surname: &'static str,
    born_days_ago: u64,
    upn_body: &'static str,
    /// (days before today, event)
    events: Vec<(u64, E)>,
}

fn demo_cases() -> Vec<DemoCase> {
    let req = |r| E::RequestReceived { requester: r, in_youth_accommodation: false };
    let draft = || E::DraftIssued { plan: PlanContents::default() };
    let existing = |urn| E::ExistingPlan { plan: plan(urn), transferred_from: None };
    vec![
        DemoCase {
            forename: "Amara",
            surname: "Okafor",
            born_days_ago: 2900,
            upn_body: "851200125001",
            events: vec![(10, req(Requester::ParentOrYoungPerson))],
        },
        DemoCase {
            forename: "Ben",
            surname: "Hollis",
            born_days_ago: 3300,
            upn_body: "851200125002",
            events: vec![(50, req(Requester::SchoolOrSetting))],
        },
        DemoCase {
            forename: "Chloe",
            surname: "Marsh",
            born_days_ago: 2500,
            upn_body: "851200125003",
            events: vec![
                (90, req(Requester::ParentOrYoungPerson)),
                (60, E::DecidedToAssess),
                (58, E::AdviceRequested { party: P::Health }),
                (58, E::AdviceRequested { party: P::Education }),
                (58, E::AdviceRequested { party: P::EducationalPsychology }),
                (30, E::AdviceReceived { party: P::Education }),
                (20, E::AdviceReceived { party: P::EducationalPsychology }),
            ],
        },
        DemoCase {
            forename: "Dev",
            surname: "Sharma",
            born_days_ago: 4200,
            upn_body: "851200125004",
            events: vec![
                (125, req(Requester::Health)),
                (85, E::DecidedToAssess),
                (84, E::AdviceRequested { party: P::Health }),
                (84, E::AdviceRequested { party: P::Education }),
                (50, E::AdviceReceived { party: P::Health }),
                (45, E::AdviceReceived { party: P::Education }),
                (20, E::DecidedToIssue),
                (12, draft()),
            ],
        },
        DemoCase {
            forename: "Ella",
            surname: "Price",
            born_days_ago: 3600,
            upn_body: "851200125005",
            events: vec![
                (400, req(Requester::ParentOrYoungPerson)),
                (370, E::DecidedToAssess),
                (368, E::AdviceRequested { party: P::Health }),
                (330, E::AdviceReceived { party: P::Health }),
                (300, draft()),
                (270, E::FinalIssued { plan: plan("851001") }),
            ],
        },
        DemoCase {
            forename: "Finn",
            surname: "Walsh",
            born_days_ago: 5000,
            upn_body: "851200125006",
            events: vec![
                (300, req(Requester::ParentOrYoungPerson)),
                (262, E::DecidedToAssess),
                (259, E::AdviceRequested { party: P::Health }),
                (259, E::AdviceRequested { party: P::SocialCare }),
                (250, E::ExceptionStarted { reason: ExceptionReason::AbsentFromArea, party: None }),
                (215, E::ExceptionEnded { reason: ExceptionReason::AbsentFromArea, party: None }),
                (230, E::AdviceReceived { party: P::SocialCare }),
                (206, E::AdviceReceived { party: P::Health }),
                (190, draft()),
                (156, E::FinalIssued { plan: plan("851002") }),
            ],
        },
        DemoCase {
            forename: "Grace",
            surname: "Adeyemi",
            born_days_ago: 4700,
            upn_body: "851200125007",
            events: vec![(400, existing("851003"))],
        },
        DemoCase {
            forename: "Harry",
            surname: "Nowak",
            born_days_ago: 3900,
            upn_body: "851200125008",
            events: vec![(380, existing("851004")), (20, E::ReviewMeeting)],
        },
        DemoCase {
            forename: "Isla",
            surname: "Begum",
            born_days_ago: 5600,
            upn_body: "851200125009",
            events: vec![
                (500, existing("851005")),
                (100, E::ReviewMeeting),
                (80, E::ReviewDecision { outcome: ReviewOutcome::Amend }),
                (75, E::AmendmentsProposed { plan: plan("851005") }),
            ],
        },
        DemoCase {
            forename: "Jack",
            surname: "Evans",
            born_days_ago: 3850,
            upn_body: "851200125010",
            events: vec![(200, existing("851006")), (30, E::PhaseTransferPlanned { transfer_date: Date::MIN, kind: TransferKind::School })],
        },
        DemoCase {
            forename: "Kara",
            surname: "Lindqvist",
            born_days_ago: 2200,
            upn_body: "851200125011",
            events: vec![
                (160, req(Requester::SchoolOrSetting)),
                (125, E::DecidedNotToAssess),
                (90, E::MediationHeld { decision: AppealableDecision::RefusalToAssess }),
            ],
        },
        DemoCase {
            forename: "Leo",
            surname: "Fraser",
            born_days_ago: 6100,
            upn_body: "851200125012",
            events: vec![(140, req(Requester::ParentOrYoungPerson)), (110, E::DecidedToAssess), (40, E::Withdrawn)],
        },
    ]
}

/// The next September after `today`, at least five months away, for the phase transfer example.
fn next_transfer(today: Date) -> Date {
    use chrono::Datelike;
    let year = if today.month() >= 4 { today.year() + 1 } else { today.year() };
    parse_iso_date(&format!("{year}-09-01")).expect("1 September exists")
}

async fn seed(store: &SqliteStore, args: &StoreArgs, today: Date) -> Result<usize, Failure> {
    let actor = args.actor();
    let mut n = 0;
    for demo in demo_cases() {
        let new = NewChild {
            name: PersonName::new(demo.forename, demo.surname).expect("demo names are not blank"),
            date_of_birth: sub_days(today, demo.born_days_ago),
            sex: if n % 2 == 0 { Sex::Female } else { Sex::Male },
            ethnicity: Some("WBRI".parse().expect("valid code")),
            postcode: Some("PO1 2AB".parse().expect("valid postcode")),
            upn: Some(Upn::from_body(demo.upn_body).expect("valid UPN body")),
            uln: None,
            nhs_number: None,
            responsible_la: "851".parse().expect("Portsmouth"),
        };
        let child = store.create_child(&actor, new, "demo area").await.map_err(store_failure)?;
        let mut events = demo.events.into_iter().map(|(ago, kind)| {
            let kind = match kind {
                E::PhaseTransferPlanned { kind, .. } => E::PhaseTransferPlanned { transfer_date: next_transfer(today), kind },
                k => k,
            };
            CaseEvent::new(sub_days(today, ago), kind)
        });
        let first = events.next().expect("each demo case has a first event");
        let mut rest: Vec<CaseEvent> = events.collect();
        rest.sort_by_key(|e| e.date);
        let case = store.open_case(&actor, child.value.id, first, "demo area").await.map_err(store_failure)?;
        if !rest.is_empty() {
            store.record_case_events(&actor, case.value.id, case.version, rest, "demo area").await.map_err(store_failure)?;
        }
        n += 1;
    }
    Ok(n)
}

pub fn run(args: Args) -> Result<(), Failure> {
    let today = match &args.today {
        Some(t) => parse_iso_date(t).map_err(|e| Failure::input(format!("--today: {e}")))?,
        None => system_clock().today(),
    };
    block_on(async move {
        let store = open_store(&args.store).await?;
        let existing = store.list_cases(&args.store.actor()).await.map_err(store_failure)?;
        if existing.is_empty() {
            let n = seed(&store, &args.store, today).await?;
            println!("Created the demo local area (LA 851, fictional) with {n} children and cases in {}.", args.store.db.path().display());
        } else {
            println!("Using the {} cases already in {}.", existing.len(), args.store.db.path().display());
        }
        println!("Caseload on {today}, overdue first:\n");
        list_and_print(&store, &args.store, today, false).await?;
        println!("\nSee one case with: waymark case show CASE --format text");
        Ok(())
    })
}
