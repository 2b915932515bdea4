//! The identity review queue and merges: transactional, audited, scoped and undone exactly.

mod common;

use common::*;
use waymark_domain::child::{NewChild, PersonName};
use waymark_domain::facts::identity::PersonKeys;
use waymark_domain::identity::compare;
use waymark_storage::{IdentityStore, SqliteStore, Store, StoreError};

fn unidentified(forename: &str) -> NewChild {
    let mut c = new_child_in("851", false);
    c.name = PersonName::new(forename, "Example").unwrap();
    c
}

fn keys(c: &NewChild) -> PersonKeys {
    let mut k = PersonKeys::new(c.responsible_la);
    k.name = Some(c.name.clone());
    k.date_of_birth = Some(c.date_of_birth);
    k.sex = Some(c.sex);
    k.postcode = c.postcode.clone();
    k
}

async fn two_children(store: &SqliteStore) -> (waymark_domain::ids::ChildId, waymark_domain::ids::ChildId) {
    let a = store.create_child(&portsmouth(), unidentified("Sam"), "test").await.unwrap();
    let b = store.create_child(&portsmouth(), unidentified("Sam"), "test").await.unwrap();
    (a.value.id, b.value.id)
}

#[tokio::test]
async fn a_merge_moves_cases_to_the_kept_child_and_an_unmerge_moves_them_back_exactly() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let (keep, absorb) = two_children(&store).await;
    let case = store.open_case(&portsmouth(), absorb, request("2025-12-01"), "test").await.unwrap();
    let merge = store.merge_children(&portsmouth(), keep, absorb, "same child, confirmed with school").await.unwrap();
    assert_eq!(merge.moved.cases.len(), 1);
    assert_eq!(store.cases_for_child(&portsmouth(), keep).await.unwrap().len(), 1);
    assert!(store.cases_for_child(&portsmouth(), absorb).await.unwrap().is_empty());
    assert_eq!(store.merged_into(&portsmouth(), absorb).await.unwrap(), Some(keep));

    let undone = store.unmerge(&portsmouth(), merge.id, "not the same child after all").await.unwrap();
    assert!(undone.undone);
    let back = store.cases_for_child(&portsmouth(), absorb).await.unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].case_id, case.value.id);
    assert!(store.cases_for_child(&portsmouth(), keep).await.unwrap().is_empty());
    assert_eq!(store.merged_into(&portsmouth(), absorb).await.unwrap(), None);
    assert!(store.unmerge(&portsmouth(), merge.id, "again").await.is_err(), "a merge is undone once");
    store.integrity_check().await.unwrap();
}

#[tokio::test]
async fn a_merged_child_cannot_be_merged_again_or_into_itself() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let (keep, absorb) = two_children(&store).await;
    assert!(matches!(store.merge_children(&portsmouth(), keep, keep, "r").await, Err(StoreError::Invalid(_))));
    store.merge_children(&portsmouth(), keep, absorb, "r").await.unwrap();
    assert!(matches!(store.merge_children(&portsmouth(), keep, absorb, "r").await, Err(StoreError::Invalid(_))));
}

#[tokio::test]
async fn another_las_user_cannot_merge_or_see_the_queue() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let (keep, absorb) = two_children(&store).await;
    let c = compare(&keys(&unidentified("Sam")), &keys(&unidentified("Sam")));
    store.queue_review(&portsmouth(), keep, absorb, &c).await.unwrap();
    assert!(matches!(store.merge_children(&kent(), keep, absorb, "r").await, Err(StoreError::NotFound { .. })));
    assert!(store.review_queue(&kent()).await.unwrap().is_empty());
    assert_eq!(store.review_queue(&portsmouth()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_merge_without_a_reason_is_refused() {
    let store = SqliteStore::open_in_memory(clock()).await.unwrap();
    let (keep, absorb) = two_children(&store).await;
    assert!(matches!(store.merge_children(&portsmouth(), keep, absorb, "  ").await, Err(StoreError::Invalid(_))));
}

// --- Merges move every record about the child, imports follow merges, imports and scans queue ---

mod linking {
    use super::common::*;
    use sqlx::Row;
    use std::path::Path;
    use waymark_domain::child::{PersonName, SenStatus, Sex};
    use waymark_domain::facts::health::{CheckOutcome, HealthCheck, HealthCheckKind};
    use waymark_domain::facts::reference::{Phase, Setting, SettingType};
    use waymark_domain::facts::school::{CensusFields, CensusRecord, NcYear};
    use waymark_domain::facts::social_care::{ChildInNeedEpisode, CinNeed};
    use waymark_domain::facts::{Dataset, Period, PersonFact, PersonKeys};
    use waymark_domain::identifiers::SettingRef;
    use waymark_domain::ids::ChildId;
    use waymark_domain::need::NeedCode;
    use waymark_domain::placement::Placement;
    use waymark_storage::{
        FactStore, IdentityStore, ImportBatch, ImportCounts, ImportResult, ImportRows, NewUser, NoProgress, PersonRow, PlacementStore,
        Role, SqliteStore, Store, UserStore,
    };

    const UPN_A: &str = "C919200112001";
    const UPN_B: &str = "R919200112002";
    const UPN_C: &str = "F919200112003";
    const NHS: &str = "9434765919";
    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0oG3a4cJ1M9IbW5zDq7j6ZcRZpJ3x5cF3y2w0lq8bqk";

    fn person(la: &str, forename: &str, surname: &str, dob: &str) -> PersonKeys {
        let mut k = PersonKeys::new(la.parse().unwrap());
        k.name = Some(PersonName::new(forename, surname).unwrap());
        k.date_of_birth = Some(d(dob));
        k.sex = Some(Sex::Female);
        k.postcode = Some("AL1 3AA".parse().unwrap());
        k
    }

    fn with_upn(mut k: PersonKeys, upn: &str) -> PersonKeys {
        k.upn = Some(upn.parse().unwrap());
        k
    }

    fn census(date: &str, need: NeedCode) -> PersonFact {
        PersonFact::Census(
            CensusRecord::new(CensusFields {
                census_date: d(date),
                urn: "117001".parse().unwrap(),
                ncy: NcYear::Y4,
                sen_provision: SenStatus::EhcPlan,
                primary_need: Some(need),
                secondary_need: None,
                fsm_eligible: false,
                postcode: None,
                locality: None,
            })
            .unwrap(),
        )
    }

    fn health_check(date: &str) -> PersonFact {
        PersonFact::HealthCheck(HealthCheck { check: HealthCheckKind::Reception, check_date: d(date), outcome: CheckOutcome::Completed })
    }

    fn cin(start: &str) -> PersonFact {
        PersonFact::ChildInNeed(ChildInNeedEpisode { period: Period::new(d(start), None).unwrap(), primary_need: CinNeed::N2 })
    }

    fn batch(dataset: Dataset, rows: Vec<(PersonKeys, PersonFact)>) -> ImportBatch {
        let rows = rows.into_iter().enumerate().map(|(i, (keys, fact))| PersonRow { line: i as u64 + 2, keys, fact }).collect();
        ImportBatch::new(dataset, "test.csv", ImportRows::Person(rows))
    }

    async fn imported(store: &SqliteStore, batch: ImportBatch) -> ImportCounts {
        match store.import(&admin(), batch, &NoProgress).await.unwrap() {
            ImportResult::Imported(counts) => counts,
            ImportResult::Rejected(problems) => panic!("refused: {problems:?}"),
        }
    }

    async fn file_store(dir: &Path) -> SqliteStore {
        let store = SqliteStore::open(&dir.join("w.db"), clock()).await.unwrap();
        let setting = Setting {
            urn: "117001".parse().unwrap(),
            ukprn: None,
            name: "Meadow Primary School".into(),
            la: "919".parse().unwrap(),
            setting_type: SettingType::MainstreamLa,
            phase: Phase::Primary,
            locality: None,
            ofsted_grade: None,
            ofsted_date: None,
            sen_unit_places: None,
            resourced_provision_places: None,
        };
        let rows = ImportRows::Settings(vec![(2, setting)]);
        imported(&store, ImportBatch::new(Dataset::Settings, "settings.csv", rows)).await;
        store
    }

    async fn child_by_upn(store: &SqliteStore, upn: &str) -> ChildId {
        let found = store.find_children(&admin(), &waymark_storage::ChildKey::Upn(upn.parse().unwrap())).await.unwrap();
        assert_eq!(found.len(), 1, "one child holds {upn}");
        found[0].value.id
    }

    /// Every row that says which child it belongs to, as text, in a fixed order.
    async fn ownership(path: &Path) -> Vec<String> {
        let mut raw = raw_connection(path).await;
        let mut out = Vec::new();
        for (table, key) in [
            ("ehc_case", "case_id"),
            ("placement", "placement_id"),
            ("person_fact", "fact_id"),
            ("child_identifier", "kind || ':' || la || ':' || value"),
            ("app_user_child", "user_id"),
        ] {
            let sql = format!("select {key} as k, child_id from {table} order by 1, 2");
            for row in sqlx::query(&sql).fetch_all(&mut raw).await.unwrap() {
                let k: String = match row.try_get::<String, _>("k") {
                    Ok(text) => text,
                    Err(_) => row.get::<i64, _>("k").to_string(),
                };
                out.push(format!("{table} {k} -> {}", row.get::<String, _>("child_id")));
            }
        }
        for row in
            sqlx::query("select child_id, cast(version as text), data, upn, uln, nhs_number, merged_into from child order by child_id")
                .fetch_all(&mut raw)
                .await
                .unwrap()
        {
            let cols: Vec<String> = (0..7).map(|i| row.get::<Option<String>, _>(i).unwrap_or_else(|| "null".into())).collect();
            out.push(format!("child {}", cols.join("|")));
        }
        out
    }

    fn at_school(entry: &str) -> Placement {
        Placement {
            setting: SettingRef::Urn("117001".parse().unwrap()),
            rank: 1,
            entry: d(entry),
            leaving: None,
            sen_unit: false,
            resourced_provision: false,
            residential: None,
            work_based: None,
            setting_la: Some("919".parse().unwrap()),
        }
    }

    #[tokio::test]
    async fn a_merge_moves_cases_placements_facts_with_needs_social_care_ids_and_family_links_and_unmerge_restores_every_row_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let store = file_store(dir.path()).await;
        let db = dir.path().join("w.db");
        let amira = person("919", "Amira", "Example", "2016-03-14");
        // The kept child: a census record (ASD) for the spring census.
        imported(&store, batch(Dataset::Census, vec![(with_upn(amira.clone(), UPN_A), census("2025-01-16", NeedCode::Asd))])).await;
        // The absorbed child, known to school under another UPN: the same spring census (a clash of
        // natural keys: it stays with the absorbed child) and the summer census (SLCN: it moves).
        imported(
            &store,
            batch(
                Dataset::Census,
                vec![
                    (with_upn(amira.clone(), UPN_B), census("2025-01-16", NeedCode::Asd)),
                    (with_upn(amira.clone(), UPN_B), census("2025-05-15", NeedCode::Slcn)),
                ],
            ),
        )
        .await;
        let keep = child_by_upn(&store, UPN_A).await;
        let absorb = child_by_upn(&store, UPN_B).await;
        // Social care knows the absorbed child, by its UPN and a social care id.
        let mut sc = with_upn(PersonKeys::new("919".parse().unwrap()), UPN_B);
        sc.social_care_id = Some("SC1001".parse().unwrap());
        imported(&store, batch(Dataset::ChildInNeed, vec![(sc, cin("2024-04-01"))])).await;
        // A case, a placement and a parent's account on the absorbed child.
        let case = store.open_case(&admin(), absorb, request("2025-12-01"), "test").await.unwrap();
        let placement = store.record_placement(&admin(), absorb, at_school("2024-09-01"), "test").await.unwrap();
        let parent = NewUser {
            username: "parent1".into(),
            display_name: "A parent".into(),
            password_hash: HASH.into(),
            role: Role::ParentCarer,
            la: Some("919".parse().unwrap()),
            setting_key: None,
        };
        let parent = store.create_user(&admin(), parent).await.unwrap();
        store.link_child(&admin(), parent.id, absorb).await.unwrap();
        let before = ownership(&db).await;

        let merge = store.merge_children(&admin(), keep, absorb, "the same pupil: confirmed with the school").await.unwrap();
        assert_eq!(merge.moved.cases, [case.value.id.to_string()]);
        assert_eq!(merge.moved.placements, [placement.value.placement_id.to_string()]);
        assert_eq!(merge.moved.facts.len(), 2, "the summer census and the CIN episode move; the clashing spring census stays");
        assert_eq!(merge.moved.identifiers, [("social_care_id".to_owned(), "919".to_owned(), "SC1001".to_owned())]);
        assert_eq!(merge.moved.user_links, [parent.id.to_string()]);
        let facts = store.child_facts(&admin(), keep).await.unwrap();
        let needs: Vec<Option<NeedCode>> = facts
            .iter()
            .filter_map(|f| match &f.fact {
                PersonFact::Census(c) => Some(c.fields().primary_need),
                _ => None,
            })
            .collect();
        assert_eq!(needs, [Some(NeedCode::Asd), Some(NeedCode::Slcn)], "the kept child's census needs include the absorbed child's");
        assert_eq!(store.child_facts(&admin(), absorb).await.unwrap().len(), 1, "the clashing fact stays, nothing overwritten");
        assert_eq!(store.cases_for_child(&admin(), keep).await.unwrap().len(), 1);
        assert_eq!(store.placements_for_child(&admin(), keep).await.unwrap().len(), 1);
        assert_eq!(store.linked_children(parent.id).await.unwrap(), [keep]);
        assert_ne!(ownership(&db).await, before);

        store.unmerge(&admin(), merge.id, "two different children after all").await.unwrap();
        assert_eq!(ownership(&db).await, before, "every moved row is back, and the absorbed child is live again");
        store.integrity_check().await.unwrap();
    }

    #[tokio::test]
    async fn an_import_follows_merges_so_a_fact_about_an_absorbed_child_lands_on_the_surviving_child_until_unmerged() {
        let dir = tempfile::tempdir().unwrap();
        let store = file_store(dir.path()).await;
        for (upn, name) in [(UPN_A, "Amira"), (UPN_B, "Amira"), (UPN_C, "Amira")] {
            let k = with_upn(person("919", name, "Example", "2016-03-14"), upn);
            imported(&store, batch(Dataset::Census, vec![(k, census("2025-01-16", NeedCode::Asd))])).await;
        }
        let (a, b, c) = (child_by_upn(&store, UPN_A).await, child_by_upn(&store, UPN_B).await, child_by_upn(&store, UPN_C).await);
        store.merge_children(&admin(), a, b, "same pupil").await.unwrap();
        let second = store.merge_children(&admin(), c, a, "same pupil").await.unwrap();
        assert_eq!(store.surviving_child(&admin(), b).await.unwrap(), c, "merges are followed one after another");

        // A later census row by the absorbed child's UPN: no new child, and the fact is on c.
        let row = (with_upn(PersonKeys::new("919".parse().unwrap()), UPN_B), census("2025-05-15", NeedCode::Asd));
        let counts = imported(&store, batch(Dataset::Census, vec![row.clone()])).await;
        assert_eq!((counts.created, counts.children_created, counts.review_queued), (1, 0, 0));
        let on_c = store.child_facts(&admin(), c).await.unwrap();
        assert!(on_c.iter().any(|f| f.fact == row.1), "the summer census is on the surviving child");
        assert!(store.child_facts(&admin(), b).await.unwrap().iter().all(|f| f.fact != row.1));
        // Importing it again is unchanged: it is found where it landed.
        let again = imported(&store, batch(Dataset::Census, vec![row.clone()])).await;
        assert_eq!((again.created, again.unchanged), (0, 1));

        // Undo c <- a: b's identifiers lead to a again.
        store.unmerge(&admin(), second.id, "not the same").await.unwrap();
        assert_eq!(store.surviving_child(&admin(), b).await.unwrap(), a);
        let autumn = (row.0.clone(), census("2025-10-02", NeedCode::Asd));
        imported(&store, batch(Dataset::Census, vec![autumn.clone()])).await;
        assert!(store.child_facts(&admin(), a).await.unwrap().iter().any(|f| f.fact == autumn.1));
    }

    #[tokio::test]
    async fn an_import_queues_an_uncertain_match_for_review_never_merges_it_and_importing_again_queues_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = file_store(dir.path()).await;
        let school = with_upn(person("919", "Amira", "Example", "2016-03-14"), UPN_A);
        imported(&store, batch(Dataset::Census, vec![(school, census("2025-01-16", NeedCode::Asd))])).await;
        // Health knows her by NHS number only, with her date of birth's day and month transposed.
        let mut health = person("919", "Amira", "Example", "2016-03-04");
        health.nhs_number = Some(NHS.parse().unwrap());
        let rows = || batch(Dataset::HealthChecks, vec![(health.clone(), health_check("2020-11-12"))]);

        let mut dry = rows();
        dry.check_only = true;
        let ImportResult::Imported(dry) = store.import(&admin(), dry, &NoProgress).await.unwrap() else { panic!("refused") };
        assert_eq!((dry.children_created, dry.review_queued), (1, 1), "a dry run counts what would be queued");
        assert!(store.review_queue(&admin()).await.unwrap().is_empty(), "and writes nothing");

        let first = imported(&store, rows()).await;
        assert_eq!((first.children_created, first.review_queued), (1, 1));
        let queue = store.review_queue(&admin()).await.unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].import_id, Some(first.import_id), "the entry names the import");
        assert_ne!(queue[0].band, "non_match");
        let school_child = child_by_upn(&store, UPN_A).await;
        assert!([queue[0].child_a, queue[0].child_b].contains(&school_child));
        for child in [queue[0].child_a, queue[0].child_b] {
            assert_eq!(store.merged_into(&admin(), child).await.unwrap(), None, "an import never merges");
        }

        let again = imported(&store, rows()).await;
        assert_eq!((again.children_created, again.review_queued, again.unchanged), (0, 0, 1), "nothing new, nothing queued");
        assert_eq!(store.review_queue(&admin()).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_refused_import_queues_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = file_store(dir.path()).await;
        let school = with_upn(person("919", "Amira", "Example", "2016-03-14"), UPN_A);
        imported(&store, batch(Dataset::Census, vec![(school, census("2025-01-16", NeedCode::Asd))])).await;
        let mut health = person("919", "Amira", "Example", "2016-03-14");
        health.nhs_number = Some(NHS.parse().unwrap());
        let mut unknown = PersonKeys::new("919".parse().unwrap());
        unknown.nhs_number = Some("4010232137".parse().unwrap());
        let bad = batch(Dataset::HealthChecks, vec![(health, health_check("2020-11-12")), (unknown, health_check("2020-11-12"))]);
        let result = store.import(&admin(), bad, &NoProgress).await.unwrap();
        assert!(matches!(result, ImportResult::Rejected(ref p) if p.len() == 1 && p[0].rule == "person_unknown"), "{result:?}");
        assert!(store.review_queue(&admin()).await.unwrap().is_empty());
    }
}
