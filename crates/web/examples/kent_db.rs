//! A Kent-sized caseload for the load benchmark (`scripts/bench-web`): about 20,600 EHC cases in LA 886
//! at every stage, each child with a school placement and SEN status, written through the `Store` API,
//! plus one caseworker account. Interim: the synthetic `kent` profile of issue 3 replaces this generator
//! once it lands (its `waymark synth` output is loaded the same way). Deterministic: the same arguments
//! give the same area.
//!
//! Usage: kent_db --db PATH --cases N --today YYYY-MM-DD --password-file PATH --case-ids PATH

use std::io::Write;
use std::sync::Arc;
use waymark_domain::calendar::{parse_iso_date, sub_days};
use waymark_domain::case::{AdviceParty, CaseEvent, CaseEventKind as E, Requester};
use waymark_domain::child::{NewChild, PersonName, SenStatus, Sex};
use waymark_domain::identifiers::{SettingRef, Upn};
use waymark_domain::need::{NeedCode, RankedNeeds};
use waymark_domain::placement::Placement;
use waymark_domain::plan::{PlanContents, Section};
use waymark_storage::{Actor, FixedClock, NewUser, PlacementStore, Role, Scope, SqliteStore, Store, UserStore};

/// A small deterministic generator (no randomness crate needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.to_owned())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let db = arg("--db", "kent.db");
    let cases: u64 = arg("--cases", "20600").parse()?;
    let today = parse_iso_date(&arg("--today", "2026-11-22")).map_err(|e| anyhow::anyhow!("{e}"))?;
    let clock = Arc::new(FixedClock::at_noon(today));
    let store = SqliteStore::open(std::path::Path::new(&db), clock).await?;
    let actor = Actor::new("bench-generator", Scope::All);
    let la: waymark_domain::identifiers::LaCode = "886".parse()?;
    let mut rng = Lcg(886);
    let mut plan = PlanContents::default();
    plan.sections.insert(Section::A, "Enjoys football and drawing; wants to go to college.".into());
    plan.sections.insert(Section::B, "Communication and interaction needs.".into());
    plan.sections.insert(Section::F, "Speech and language therapy weekly; small-group teaching.".into());
    let needs = [NeedCode::Asd, NeedCode::Slcn, NeedCode::Semh, NeedCode::Mld, NeedCode::Spld, NeedCode::Pd];
    let mut ids = Vec::new();
    let started = std::time::Instant::now();
    for i in 0..cases {
        let born = sub_days(today, 1200 + rng.next(5000));
        let upn = Upn::from_body(&format!("886{:04}{:02}{:03}", 1000 + i / 1000 % 9000, 10 + i % 90, i % 1000))?;
        let new = NewChild {
            name: PersonName::new(&format!("Kent{}", i % 997), &format!("Child{i}"))?,
            date_of_birth: born,
            sex: if i % 3 == 0 { Sex::Female } else { Sex::Male },
            ethnicity: None,
            postcode: None,
            upn: Some(upn),
            uln: None,
            nhs_number: None,
            responsible_la: la,
        };
        let child = store.create_child(&actor, new, "bench").await?;
        let kind = rng.next(100);
        let mut record = child.value.clone();
        let status = if kind < 85 { SenStatus::EhcPlan } else { SenStatus::SenSupport };
        record.record_sen_status(sub_days(today, 900), status, RankedNeeds::new(Some(needs[(i % 6) as usize]), None)?)?;
        store.update_child(&actor, &record, 1, "bench").await?;
        let placement = Placement {
            setting: SettingRef::Urn(format!("{}", 886000 + rng.next(600)).parse()?),
            rank: 1,
            entry: sub_days(today, 800),
            leaving: None,
            sen_unit: false,
            resourced_provision: false,
            residential: None,
            work_based: None,
            setting_la: Some(la),
        };
        store.record_placement(&actor, child.value.id, placement, "bench").await?;
        let ago = |d: u64| sub_days(today, d);
        let (first, rest): (CaseEvent, Vec<CaseEvent>) = if kind < 80 {
            // A plan in force, made up to 3 years ago, with reviews.
            let made = 30 + rng.next(1000);
            let mut rest = Vec::new();
            if made > 365 {
                rest.push(CaseEvent::new(ago(made - 350), E::ReviewMeeting));
                rest.push(CaseEvent::new(
                    ago(made - 360 + 10),
                    E::ReviewDecision { outcome: waymark_domain::case::ReviewOutcome::Maintain },
                ));
            }
            (CaseEvent::new(ago(made), E::ExistingPlan { plan: plan.clone(), transferred_from: None }), rest)
        } else {
            let received = 10 + rng.next(200);
            let first = CaseEvent::new(
                ago(received),
                E::RequestReceived { requester: Requester::ParentOrYoungPerson, in_youth_accommodation: false },
            );
            let mut rest = Vec::new();
            if received > 40 {
                rest.push(CaseEvent::new(ago(received - 35), E::DecidedToAssess));
                for p in [AdviceParty::Health, AdviceParty::Education, AdviceParty::EducationalPsychology] {
                    rest.push(CaseEvent::new(ago(received - 36), E::AdviceRequested { party: p }));
                }
                if received > 90 {
                    rest.push(CaseEvent::new(ago(received - 80), E::AdviceReceived { party: AdviceParty::Education }));
                }
            }
            (first, rest)
        };
        let mut rest = rest;
        rest.sort_by_key(|e| e.date);
        let case = store.open_case(&actor, child.value.id, first, "bench").await?;
        if !rest.is_empty() {
            store.record_case_events(&actor, case.value.id, 1, rest, "bench").await?;
        }
        ids.push(case.value.id);
        if i % 2000 == 1999 {
            eprintln!("{} cases written in {:.0} s", i + 1, started.elapsed().as_secs_f64());
        }
    }
    // A throwaway password for this benchmark database only, new each time.
    let password = waymark_web::session::random_token();
    let hash = waymark_web::hash_password(&password).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let new = NewUser {
        username: "bench.caseworker".into(),
        display_name: "Bench caseworker".into(),
        password_hash: hash,
        role: Role::LaCaseworker,
        la: Some(la),
        setting_key: None,
    };
    store.create_user(&actor, new).await?;
    let mut out = std::fs::File::create(arg("--case-ids", "case-ids.txt"))?;
    for id in &ids {
        writeln!(out, "{id}")?;
    }
    std::fs::write(arg("--password-file", "password.txt"), &password)?;
    eprintln!("{} cases in {:.0} s", ids.len(), started.elapsed().as_secs_f64());
    Ok(())
}
