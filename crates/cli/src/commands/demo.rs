//! `waymark demo`: the demo local area, Portsmouth (LA 851), then the web application.
//!
//! On first run it generates the `portsmouth` synthetic profile into the store (about 33,000 children
//! and young people, 2,300 EHC plans with their case histories, placements, reference data and
//! person-level facts: the same for the same seed; see docs/synthetic-areas.md), and adds a dozen
//! worked examples: children at every stage of the EHC process, dated back from the demo's day, each
//! held by a demo caseworker, so there is always a story to follow. All names are invented.
//!
//! The generated area stands on its census day (15 January 2026), so by default the demo's clock
//! stands there too: deadlines read as they did that day. `--today` moves it; `--area examples` leaves
//! out the generated area (seconds, for trying the casework alone).
//!
//! It also creates a demo account for every role of the web application, with a password generated
//! now and printed once (demo accounts exist only in demo data; nothing secret is in the repository).
//! Then it serves the web application, unless `--no-serve`.

use crate::commands::case::list_and_print;
use crate::commands::serve::{runtime, serve, WebArgs};
use crate::commands::store::{open_store, store_failure, system_clock, StoreArgs};
use crate::Failure;
use std::path::PathBuf;
use std::sync::Arc;
use waymark_directory::OrganisationId;
use waymark_domain::calendar::{parse_iso_date, sub_days, Date};
use waymark_domain::case::{
    AdviceParty as P, AppealableDecision, CaseEvent, CaseEventKind as E, ExceptionReason, Requester, ReviewOutcome, TransferKind,
};
use waymark_domain::child::SenStatus;
use waymark_domain::child::{NewChild, PersonName, Sex};
use waymark_domain::identifiers::{SettingRef, Upn};
use waymark_domain::ids::{CaseId, ChildId};
use waymark_domain::need::{NeedCode, RankedNeeds};
use waymark_domain::placement::Placement;
use waymark_domain::plan::{Agency, NamedSetting, Outcome, PfaArea, PlanContents, Provision, Section};
use waymark_storage::DirectoryStore;
use waymark_storage::{Clock, FixedClock, NewUser, PlacementStore, Role, UserStore};
use waymark_storage::{SqliteStore, Store};

/// What the demo area holds.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Area {
    /// The generated `portsmouth` profile and the worked examples.
    Portsmouth,
    /// Only the dozen worked examples.
    Examples,
}

#[derive(clap::Args)]
pub struct Args {
    /// Date the demo counts to: by default the generated area's census day (15 January 2026), or
    /// today with `--area examples`.
    #[arg(long, value_name = "DATE")]
    today: Option<String>,
    /// What to create on first run.
    #[arg(long, value_enum, default_value = "portsmouth")]
    area: Area,
    /// Seed for the generated area: the same seed gives the same area.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    #[command(flatten)]
    store: StoreArgs,
    /// Set up and print the sign-ins, but do not start the web application.
    #[arg(long)]
    no_serve: bool,
    /// Also write the demo sign-ins (role, username, password) to this JSON file, for automated tests.
    #[arg(long, value_name = "PATH")]
    sign_ins_json: Option<PathBuf>,
    #[command(flatten)]
    web: WebArgs,
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
        provider: Some("School teaching assistant".into()),
        duration: Some("Until the next annual review".into()),
    });
    p.provision.push(Provision {
        agency: Agency::Health,
        description: "Speech and language therapy review each term".into(),
        frequency: Some("termly".into()),
        provider: Some("NHS speech and language therapy".into()),
        duration: Some("One year".into()),
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
    /// The UPN without its check letter. The worked examples use establishment number 3999, which the
    /// generator never allocates (it numbers settings from 1100, 2000, 4000, 6000 and 7000), so no
    /// worked example shares a UPN with a generated child.
    upn_body: &'static str,
    /// (days before today, event)
    events: Vec<(u64, E)>,
}

fn demo_cases() -> Vec<DemoCase> {
    let req = |r| E::RequestReceived { requester: r, in_youth_accommodation: false, unknown_dates: Default::default() };
    let draft = || E::DraftIssued { plan: PlanContents::default() };
    let existing = |urn| E::ExistingPlan { plan: plan(urn), transferred_from: None };
    vec![
        DemoCase {
            forename: "Amara",
            surname: "Okafor",
            born_days_ago: 2900,
            upn_body: "851399925001",
            events: vec![(10, req(Requester::ParentOrYoungPerson))],
        },
        DemoCase {
            forename: "Ben",
            surname: "Hollis",
            born_days_ago: 3300,
            upn_body: "851399925002",
            events: vec![(50, req(Requester::SchoolOrSetting))],
        },
        DemoCase {
            forename: "Chloe",
            surname: "Marsh",
            born_days_ago: 2500,
            upn_body: "851399925003",
            events: vec![
                (90, req(Requester::ParentOrYoungPerson)),
                (60, E::DecidedToAssess),
                (58, E::AdviceRequested { party: P::Health }),
                (58, E::AdviceRequested { party: P::Education }),
                (58, E::AdviceRequested { party: P::EducationalPsychology }),
                (58, E::AdviceRequested { party: P::SocialCare }),
                (30, E::AdviceReceived { party: P::Education }),
                (20, E::AdviceReceived { party: P::EducationalPsychology }),
            ],
        },
        DemoCase {
            forename: "Dev",
            surname: "Sharma",
            born_days_ago: 4200,
            upn_body: "851399925004",
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
            upn_body: "851399925005",
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
            upn_body: "851399925006",
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
            upn_body: "851399925007",
            events: vec![(400, existing("851003"))],
        },
        DemoCase {
            forename: "Harry",
            surname: "Nowak",
            born_days_ago: 3900,
            upn_body: "851399925008",
            events: vec![(380, existing("851004")), (20, E::ReviewMeeting)],
        },
        DemoCase {
            forename: "Isla",
            surname: "Begum",
            born_days_ago: 6000,
            upn_body: "851399925009",
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
            upn_body: "851399925010",
            events: vec![(200, existing("851006")), (30, E::PhaseTransferPlanned { transfer_date: Date::MIN, kind: TransferKind::School })],
        },
        DemoCase {
            forename: "Kara",
            surname: "Lindqvist",
            born_days_ago: 2200,
            upn_body: "851399925011",
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
            upn_body: "851399925012",
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

/// Generate the `portsmouth` profile (LA 851) into the store, with a progress bar on a terminal.
async fn generate_area(store: &SqliteStore, args: &Args) -> Result<(), Failure> {
    use crate::commands::generate::{load_la, Batches};
    let quiet = !std::io::IsTerminal::is_terminal(&std::io::stderr());
    let bar = if quiet { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new_spinner() };
    let la = waymark_synth::profile::portsmouth_la();
    let sizes = Batches { people: 5000, facts: 100_000 };
    let loaded = load_la(store, &args.store.actor(), "portsmouth", &la, args.seed, sizes, &bar).await?;
    bar.finish_and_clear();
    println!(
        "Generated the demo local area (LA 851, the portsmouth profile, seed {}; all names invented): {} children and young people, \
         {} EHC cases, {} placements, {} rows of reference data and person-level facts.",
        args.seed, loaded.counts.children, loaded.counts.cases, loaded.counts.placements, loaded.fact_rows
    );
    Ok(())
}

/// The demo's children and cases, in the order created.
struct Seeded {
    children: Vec<ChildId>,
    cases: Vec<CaseId>,
}

async fn seed(store: &SqliteStore, args: &StoreArgs, today: Date) -> Result<Seeded, Failure> {
    let actor = args.actor();
    let mut seeded = Seeded { children: Vec::new(), cases: Vec::new() };
    for (n, demo) in demo_cases().into_iter().enumerate() {
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
        let has_plan = demo.events.iter().any(|(_, e)| matches!(e, E::ExistingPlan { .. } | E::FinalIssued { .. }));
        let child = store.create_child(&actor, new, "demo area").await.map_err(store_failure)?;
        // Where the child goes to school, and their SEN status: the SENCO's view of the demo.
        let mut record = child.value.clone();
        let need = [NeedCode::Asd, NeedCode::Slcn, NeedCode::Semh, NeedCode::Mld][n % 4];
        let status = if has_plan { SenStatus::EhcPlan } else { SenStatus::SenSupport };
        record
            .record_sen_status(sub_days(today, 500), status, RankedNeeds::new(Some(need), None).expect("one need"))
            .map_err(|e| Failure::other(format!("demo SEN status: {e}")))?;
        store.update_child(&actor, &record, child.version, "demo area: SEN status").await.map_err(store_failure)?;
        let placement = Placement {
            setting: SettingRef::Urn(["851001", "851002", "851003"][n % 3].parse().expect("valid URN")),
            rank: 1,
            entry: sub_days(today, 400),
            leaving: None,
            sen_unit: false,
            resourced_provision: false,
            residential: None,
            work_based: None,
            setting_la: Some("851".parse().expect("Portsmouth")),
        };
        store.record_placement(&actor, child.value.id, placement, "demo area").await.map_err(store_failure)?;
        seeded.children.push(child.value.id);
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
        seeded.cases.push(case.value.id);
        if !rest.is_empty() {
            store.record_case_events(&actor, case.value.id, case.version, rest, "demo area").await.map_err(store_failure)?;
        }
    }
    Ok(seeded)
}

/// A demo account: its role, username and (printed once) password.
#[derive(serde::Serialize)]
struct SignIn {
    role: &'static str,
    role_label: &'static str,
    username: String,
    password: String,
}

/// A fresh random password for a demo account.
fn demo_password() -> String {
    waymark_web::session::random_token().chars().filter(char::is_ascii_alphanumeric).take(16).collect()
}

const DEMO_ACCOUNTS: &[(&str, &str, Role)] = &[
    ("demo.caseworker", "Priya Shah (demo caseworker)", Role::LaCaseworker),
    ("demo.caseworker2", "Tom Reid (demo caseworker)", Role::LaCaseworker),
    ("demo.manager", "Jo Adams (demo SEND manager)", Role::SendManager),
    ("demo.admin", "Sam Lee (demo administrator)", Role::LaAdmin),
    ("demo.senco", "Alex Green (demo SENCO, URN 851001)", Role::Senco),
    ("demo.health", "Dr Kim Patel (demo health)", Role::HealthProfessional),
    ("demo.socialcare", "Lee Morgan (demo social care)", Role::SocialCareProfessional),
    ("demo.ep", "Dr Ruth Cole (demo educational psychologist)", Role::EducationalPsychologist),
    ("demo.parent", "Ngozi Okafor (demo parent of Amara)", Role::ParentCarer),
    ("demo.youngperson", "Isla Begum (demo young person)", Role::YoungPerson),
    ("demo.board", "Chris Hall (demo board member)", Role::BoardMember),
    ("demo.provider", "Dee Walsh (demo service provider)", Role::ServiceProvider),
    ("demo.localoffer", "Mo Ahmed (demo Local Offer officer)", Role::LocalOfferOfficer),
    ("demo.strategy", "Dana Fox (demo strategy lead)", Role::StrategyLead),
];

/// Create the demo accounts (first run), link the family accounts, assign caseworkers.
async fn create_accounts(
    store: &SqliteStore,
    args: &StoreArgs,
    seeded: &Seeded,
    provider_org: Option<OrganisationId>,
    today: Date,
) -> Result<Vec<SignIn>, Failure> {
    let actor = args.actor();
    let la = "851".parse().expect("Portsmouth");
    let mut sign_ins = Vec::new();
    let mut ids = Vec::new();
    for (username, name, role) in DEMO_ACCOUNTS {
        let password = demo_password();
        let hash = waymark_web::hash_password(&password).map_err(|_| Failure::other("cannot hash a demo password"))?;
        let new = NewUser {
            username: (*username).into(),
            display_name: (*name).into(),
            password_hash: hash,
            role: *role,
            la: role.needs_la().then_some(la),
            setting_key: (*role == Role::Senco).then(|| "urn:851001".to_owned()),
        };
        let user = store.create_user(&actor, new).await.map_err(store_failure)?;
        // An address on the reserved .invalid domain, so a demo with a mail server shows notifications
        // arriving without any reaching a real person.
        let email = format!("{username}@waymark.invalid");
        waymark_storage::NotificationStore::set_user_email(store, &actor, user.id, Some(&email)).await.map_err(store_failure)?;
        ids.push(user.id);
        sign_ins.push(SignIn { role: role.key(), role_label: role.label(), username: (*username).into(), password });
    }
    // The parent is Amara's (child 0); the young person is Isla (child 8, aged 16).
    store.link_child(&actor, ids[8], seeded.children[0]).await.map_err(store_failure)?;
    store.link_child(&actor, ids[9], seeded.children[8]).await.map_err(store_failure)?;
    for (i, case) in seeded.cases.iter().enumerate() {
        store.assign_case(&actor, *case, ids[i % 2]).await.map_err(store_failure)?;
    }
    // The demo provider keeps the listings of an organisation that runs an autism-friendly swim.
    if let Some(org) = provider_org {
        store.set_provider_organisation(&actor, ids[11], org).await.map_err(store_failure)?;
    }
    seed_strategy(args, ids[0], today).await?;
    Ok(sign_ins)
}

/// The demo area's strategy: Portsmouth's 2016 delivery plan, transcribed (`waymark-strategy`'s
/// `demo`), with the demo caseworker named as the owner of B5 and B6; a few progress updates this
/// quarter so the board report has something to say; and the self-evaluation's two dated versions.
async fn seed_strategy(args: &StoreArgs, owner: waymark_domain::ids::UserId, today: Date) -> Result<(), Failure> {
    use waymark_strategy::store as plans;
    use waymark_strategy::{csv_format, live, Change, PlanKind, Quarter, Status};
    let actor = args.actor();
    // The plan is imported the quarter before the demo's day and updated on it, on the demo's clock,
    // so the board report's "what moved" reads as it would.
    let quarter = Quarter::containing(today);
    let clock = Arc::new(FixedClock::at_noon(quarter.previous().first_day()));
    let store = &SqliteStore::open(&args.db.path(), clock.clone()).await.map_err(store_failure)?;
    let frameworks = waymark_indicators::load(None).map_err(|e| Failure::other(e.to_string()))?;
    let strands = csv_format::parse("portsmouth-2016.csv", waymark_strategy::demo::PORTSMOUTH_2016_PLAN, &|r| live::known(&frameworks, r))
        .map_err(|e| Failure::other(e.to_string()))?;
    let refused = |e: plans::RecordError| Failure::other(format!("the demo strategy: {e}"));
    plans::record(store, &actor, "851", PlanKind::Strategy, None, &Change::Imported { strands }).await.map_err(refused)?;
    let owner_label = format!("user:{owner}");
    for reference in ["B5", "B6"] {
        let change = Change::OwnerAccount { reference: reference.into(), account: Some(owner_label.clone()) };
        plans::record(store, &actor, "851", PlanKind::Strategy, None, &change).await.map_err(refused)?;
    }
    clock.set(today.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc());
    let updates = [
        ("A1", Status::Complete, "The Schools Inclusion Group meets termly; every secondary school is represented."),
        ("B6", Status::OnTrack, "Weekly tracking of every assessment against its 20-week date; late advice chased at week 10."),
        ("C3", Status::OffTrack, "Re-designation delayed: the consultation closes a term later than planned."),
        ("D1", Status::Complete, "Young Inspectors trained and inspecting services on the Local Offer."),
        ("F1", Status::AtRisk, "Two employers withdrew; new placements sought through the supported internship forum."),
    ];
    for (reference, status, note) in updates {
        let change = Change::Progress { reference: reference.into(), status, quarter, note: Some(note.into()) };
        plans::record(store, &actor, "851", PlanKind::Strategy, None, &change).await.map_err(refused)?;
    }
    for (i, version) in waymark_strategy::demo::portsmouth_self_evaluations().iter().enumerate() {
        plans::save_self_evaluation(store, &actor, "851", i as u64, version).await.map_err(refused)?;
    }
    Ok(())
}

/// Give the demo accounts new passwords (they are printed once and not stored in clear).
async fn reset_accounts(store: &SqliteStore, args: &StoreArgs) -> Result<Vec<SignIn>, Failure> {
    let actor = args.actor();
    let mut sign_ins = Vec::new();
    for (username, _, role) in DEMO_ACCOUNTS {
        let Some((user, _)) = store.user_for_sign_in(username).await.map_err(store_failure)? else { continue };
        let password = demo_password();
        let hash = waymark_web::hash_password(&password).map_err(|_| Failure::other("cannot hash a demo password"))?;
        store.set_password_hash(&actor, user.id, &hash).await.map_err(store_failure)?;
        sign_ins.push(SignIn { role: role.key(), role_label: role.label(), username: (*username).into(), password });
    }
    Ok(sign_ins)
}

fn print_sign_ins(sign_ins: &[SignIn], addr: &str, serving: bool) {
    if sign_ins.is_empty() {
        return;
    }
    println!("\nDemo sign-ins for the web application{}:", if serving { format!(" at http://{addr}/") } else { String::new() });
    for s in sign_ins {
        println!("  {:<28} username {:<20} password {}", s.role_label, s.username, s.password);
    }
    println!("These accounts exist only in this demo database; the passwords are new each time `waymark demo` runs.");
}

pub fn run(args: Args) -> Result<(), Failure> {
    let generated = args.area == Area::Portsmouth;
    let today = match &args.today {
        Some(t) => parse_iso_date(t).map_err(|e| Failure::input(format!("--today: {e}")))?,
        None if generated => waymark_synth::la::as_of(),
        None => system_clock().today(),
    };
    let clock: Arc<dyn Clock> = match (&args.web.clock_date, &args.today) {
        (Some(_), _) => args.web.clock()?,
        (None, Some(_)) => Arc::new(FixedClock::at_noon(today)),
        (None, None) if generated => Arc::new(FixedClock::at_noon(today)),
        (None, None) => system_clock(),
    };
    runtime()?.block_on(async move {
        let store = open_store(&args.store).await?;
        let existing = store.list_cases(&args.store.actor()).await.map_err(store_failure)?;
        let sign_ins = if existing.is_empty() {
            if generated {
                generate_area(&store, &args).await?;
            }
            let seeded = seed(&store, &args.store, today).await?;
            let n = seeded.cases.len();
            println!(
                "Added {n} worked examples (children at every stage, held by the demo caseworkers) in {}.",
                args.store.db.path().display()
            );
            let directory = crate::commands::local_offer::load_demo(&store, &args.store.actor(), today, args.seed).await?;
            println!(
                "Added the demo Local Offer: {} invented services, {} changes waiting for approval, and the area's postcodes with coordinates.",
                directory.services, directory.pending
            );
            create_accounts(&store, &args.store, &seeded, directory.provider_organisation, today).await?
        } else {
            println!("Using the {} cases already in {}.", existing.len(), args.store.db.path().display());
            reset_accounts(&store, &args.store).await?
        };
        if generated {
            let cases = store.list_cases(&args.store.actor()).await.map_err(store_failure)?.len();
            println!("The demo area stands on {today}: {cases} EHC cases. See them with: waymark case list --today {today}");
        } else {
            println!("Caseload on {today}, overdue first:\n");
            list_and_print(&store, &args.store, today, false).await?;
        }
        println!("\nSee one case with: waymark case show CASE --format text");
        print_sign_ins(&sign_ins, args.web.addr(), !args.no_serve);
        if let Some(path) = &args.sign_ins_json {
            let json = serde_json::to_string_pretty(&sign_ins).map_err(|e| Failure::other(format!("cannot write the sign-ins: {e}")))?;
            std::fs::write(path, json).map_err(|e| Failure::other(format!("cannot write {}: {e}", path.display())))?;
        }
        if args.no_serve {
            return Ok(());
        }
        let store = SqliteStore::open(&args.store.db.path(), clock.clone()).await.map_err(store_failure)?;
        serve(store, clock, &args.web).await
    })
}
