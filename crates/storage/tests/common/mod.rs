//! Helpers shared by the storage tests: a fixed clock, actors, a child and a full case history.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::Connection;
use std::path::Path;
use std::sync::Arc;
use waymark_domain::calendar::{parse_iso_date, Date};
use waymark_domain::case::{AdviceParty, CaseEvent, CaseEventKind, Requester, ReviewOutcome};
use waymark_domain::child::{NewChild, PersonName, Sex};
use waymark_domain::plan::PlanContents;
use waymark_storage::{Actor, FixedClock, Scope, SqliteStore};

pub fn d(text: &str) -> Date {
    parse_iso_date(text).unwrap()
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// A clock at 09:00 UTC on 5 January 2026.
pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(at("2026-01-05T09:00:00Z")))
}

pub fn admin() -> Actor {
    Actor::new("user-admin", Scope::All)
}

pub fn portsmouth() -> Actor {
    Actor::new("user-851", Scope::LocalAuthority("851".parse().unwrap()))
}

pub fn kent() -> Actor {
    Actor::new("user-886", Scope::LocalAuthority("886".parse().unwrap()))
}

/// A child of LA `la` born on 1 March 2015, with a UPN, ULN and NHS number when `identified`.
pub fn new_child_in(la: &str, identified: bool) -> NewChild {
    NewChild {
        name: PersonName::new("Sam", "Example").unwrap(),
        date_of_birth: d("2015-03-01"),
        sex: Sex::Female,
        ethnicity: Some("WBRI".parse().unwrap()),
        postcode: Some("PO1 2AB".parse().unwrap()),
        upn: identified.then(|| "X931200124123".parse().unwrap()),
        uln: identified.then(|| "9276308686".parse().unwrap()),
        nhs_number: identified.then(|| "9434765919".parse().unwrap()),
        responsible_la: la.parse().unwrap(),
    }
}

pub fn new_child() -> NewChild {
    new_child_in("851", true)
}

pub fn request(date: &str) -> CaseEvent {
    CaseEvent::new(
        d(date),
        CaseEventKind::RequestReceived {
            requester: Requester::ParentOrYoungPerson,
            in_youth_accommodation: false,
            unknown_dates: Default::default(),
        },
    )
}

pub fn event(date: &str, kind: CaseEventKind) -> CaseEvent {
    CaseEvent::new(d(date), kind)
}

/// A whole case: request, assessment with advice, draft, final (15+ days after the draft), and the
/// first annual review. It ends with a plan in force.
pub fn full_history() -> Vec<CaseEvent> {
    use CaseEventKind as K;
    vec![
        request("2026-01-05"),
        event("2026-02-10", K::DecidedToAssess),
        event("2026-02-11", K::AdviceRequested { party: AdviceParty::Health }),
        event("2026-02-11", K::AdviceRequested { party: AdviceParty::EducationalPsychology }),
        event("2026-03-10", K::AdviceReceived { party: AdviceParty::Health }),
        event("2026-03-20", K::AdviceReceived { party: AdviceParty::EducationalPsychology }),
        event("2026-04-01", K::DecidedToIssue),
        event("2026-04-10", K::DraftIssued { plan: PlanContents::default() }),
        event("2026-05-01", K::FinalIssued { plan: PlanContents::default() }),
        event("2027-04-20", K::ReviewMeeting),
        event("2027-05-01", K::ReviewDecision { outcome: ReviewOutcome::Maintain }),
    ]
}

pub async fn file_store(path: &Path, clock: Arc<FixedClock>) -> SqliteStore {
    SqliteStore::open(path, clock).await.unwrap()
}

/// A raw connection to the database file, bypassing the store (to attack it or simulate a crash).
pub async fn raw_connection(path: &Path) -> SqliteConnection {
    SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path).foreign_keys(true)).await.unwrap()
}
