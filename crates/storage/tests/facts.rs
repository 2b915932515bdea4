//! Person-level facts and reference data: a file's rows are imported all or nothing, importing them
//! again changes nothing, rows link to children by exact identifiers only, and every read and write
//! of a child's facts is scoped and audited.

mod common;

use common::*;
use sqlx::Row;
use std::path::Path;
use waymark_domain::child::{PersonName, SenStatus, Sex};
use waymark_domain::facts::health::{CheckOutcome, HealthCheck, HealthCheckKind};
use waymark_domain::facts::reference::{Locality, Phase, PopulationCell, Setting, SettingType};
use waymark_domain::facts::school::{AttendanceFields, AttendanceYear, CensusFields, CensusRecord, NcYear};
use waymark_domain::facts::social_care::{ChildInNeedEpisode, CinNeed};
use waymark_domain::facts::{Dataset, Period, PersonFact, PersonKeys};
use waymark_domain::need::NeedCode;
use waymark_storage::{
    Actor, AuditAction, AuditFilter, FactStore, ImportBatch, ImportCounts, ImportResult, ImportRows, NoProgress, PersonRow, Scope,
    SqliteStore, Store,
};

const UPN_A: &str = "C919200112001";
const UPN_B: &str = "R919200112002";

fn herts() -> Actor {
    Actor::new("user-919", Scope::LocalAuthority("919".parse().unwrap()))
}

fn keys(la: &str, upn: Option<&str>, named: bool) -> PersonKeys {
    let mut k = PersonKeys::new(la.parse().unwrap());
    k.upn = upn.map(|u| u.parse().unwrap());
    if named {
        k.name = Some(PersonName::new("Amira", "Example").unwrap());
        k.date_of_birth = Some(d("2016-03-14"));
        k.sex = Some(Sex::Female);
    }
    k
}

fn census(urn: &str, fsm: bool) -> PersonFact {
    PersonFact::Census(
        CensusRecord::new(CensusFields {
            census_date: d("2025-01-16"),
            urn: urn.parse().unwrap(),
            ncy: NcYear::Y4,
            sen_provision: SenStatus::EhcPlan,
            primary_need: Some(NeedCode::Asd),
            secondary_need: None,
            fsm_eligible: fsm,
            postcode: None,
            locality: None,
        })
        .unwrap(),
    )
}

fn attendance(absent: u16) -> PersonFact {
    PersonFact::Attendance(
        AttendanceYear::new(AttendanceFields {
            academic_year: "2024/25".parse().unwrap(),
            urn: "117001".parse().unwrap(),
            possible_sessions: 380,
            authorised_absence: absent,
            unauthorised_absence: 0,
        })
        .unwrap(),
    )
}

fn row(line: u64, keys: PersonKeys, fact: PersonFact) -> PersonRow {
    PersonRow { line, keys, fact }
}

fn person_batch(dataset: Dataset, rows: Vec<PersonRow>) -> ImportBatch {
    ImportBatch::new(dataset, "test.csv", ImportRows::Person(rows))
}

fn setting(urn: &str, la: &str) -> Setting {
    Setting {
        urn: urn.parse().unwrap(),
        ukprn: None,
        name: format!("School {urn}"),
        la: la.parse().unwrap(),
        setting_type: SettingType::MainstreamLa,
        phase: Phase::Primary,
        locality: None,
        ofsted_grade: None,
        ofsted_date: None,
        sen_unit_places: None,
        resourced_provision_places: None,
    }
}

async fn import(store: &SqliteStore, actor: &Actor, batch: ImportBatch) -> ImportResult {
    store.import(actor, batch, &NoProgress).await.unwrap()
}

async fn imported(store: &SqliteStore, actor: &Actor, batch: ImportBatch) -> ImportCounts {
    match import(store, actor, batch).await {
        ImportResult::Imported(counts) => counts,
        ImportResult::Rejected(problems) => panic!("refused: {problems:?}"),
    }
}

/// A file store with settings 117001 (LA 919) and 886001 (LA 886).
async fn store_with_settings(dir: &Path) -> SqliteStore {
    let store = SqliteStore::open(&dir.join("w.db"), clock()).await.unwrap();
    let rows = ImportRows::Settings(vec![(2, setting("117001", "919")), (3, setting("886001", "886"))]);
    imported(&store, &admin(), ImportBatch::new(Dataset::Settings, "settings.csv", rows)).await;
    store
}

async fn count(path: &Path, table: &str) -> i64 {
    let mut raw = raw_connection(path).await;
    sqlx::query(&format!("select count(*) from {table}")).fetch_one(&mut raw).await.unwrap().get(0)
}

async fn counts(path: &Path) -> Vec<i64> {
    let mut out = Vec::new();
    for table in ["child", "child_history", "person_fact", "person_fact_history", "child_identifier", "audit_log", "import_run"] {
        out.push(count(path, table).await);
    }
    out
}

#[tokio::test]
async fn a_batch_with_one_bad_row_is_refused_whole_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_settings(dir.path()).await;
    let db = dir.path().join("w.db");
    let before = counts(&db).await;
    let batch = person_batch(
        Dataset::Census,
        vec![
            row(2, keys("919", Some(UPN_A), true), census("117001", true)),
            row(3, keys("919", Some(UPN_B), true), census("999999", true)),
            row(4, keys("919", Some("F919200112003"), false), census("117001", true)),
        ],
    );
    let ImportResult::Rejected(problems) = import(&store, &admin(), batch).await else { panic!("should be refused") };
    let found: Vec<(u64, &str, &str)> = problems.iter().map(|p| (p.line, p.column, p.rule)).collect();
    assert_eq!(found, [(3, "urn", "setting_unknown"), (4, "upn", "person_unknown")]);
    assert_eq!(problems[0].value, "999999");
    assert!(problems[1].message.contains("forename, surname, date_of_birth, sex"), "{}", problems[1].message);
    assert_eq!(counts(&db).await, before, "no child, fact, audit entry or import log was written");
}

#[tokio::test]
async fn importing_the_same_rows_again_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_settings(dir.path()).await;
    let db = dir.path().join("w.db");
    let summer = || {
        let PersonFact::Census(r) = census("117001", true) else { unreachable!() };
        let mut f = r.fields().clone();
        f.census_date = d("2025-05-15");
        PersonFact::Census(CensusRecord::new(f).unwrap())
    };
    // Two facts about one child in the same file, as well as facts about two children.
    let rows = || {
        vec![
            row(2, keys("919", Some(UPN_A), true), census("117001", true)),
            row(3, keys("919", Some(UPN_B), true), census("117001", false)),
            row(4, keys("919", Some(UPN_A), false), summer()),
        ]
    };
    let first = imported(&store, &admin(), person_batch(Dataset::Census, rows())).await;
    assert_eq!((first.rows, first.created, first.unchanged, first.updated, first.children_created), (3, 3, 0, 0, 2));
    let after_first = counts(&db).await;

    let again = imported(&store, &admin(), person_batch(Dataset::Census, rows())).await;
    assert_eq!((again.rows, again.created, again.unchanged, again.updated, again.children_created), (3, 0, 3, 0, 0));
    let after_again = counts(&db).await;
    assert_eq!(after_again[..6], after_first[..6], "children, facts, histories, identifiers and audit unchanged");
    assert_eq!(after_again[6], after_first[6] + 1, "only the import log records the second import");
}

#[tokio::test]
async fn a_changed_fact_is_a_new_version_and_every_version_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_settings(dir.path()).await;
    let db = dir.path().join("w.db");
    imported(&store, &admin(), person_batch(Dataset::Census, vec![row(2, keys("919", Some(UPN_A), true), census("117001", true))])).await;
    let changed =
        imported(&store, &admin(), person_batch(Dataset::Census, vec![row(7, keys("919", Some(UPN_A), true), census("117001", false))]))
            .await;
    assert_eq!((changed.created, changed.unchanged, changed.updated), (0, 0, 1));

    let facts = store.dataset_facts(&admin(), Dataset::Census).await.unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].version, 2);
    assert_eq!(facts[0].source.line, 7, "the source is the row that wrote the current version");
    assert_eq!(facts[0].fact, census("117001", false));
    assert_eq!(count(&db, "person_fact_history").await, 2);
}

#[tokio::test]
async fn rows_link_to_children_by_exact_identifiers_the_datasets_own_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_settings(dir.path()).await;
    imported(&store, &admin(), person_batch(Dataset::Census, vec![row(2, keys("919", Some(UPN_A), true), census("117001", true))])).await;
    let child = store.dataset_facts(&admin(), Dataset::Census).await.unwrap()[0].child_id;

    // A school dataset row with only the UPN links to the child the census created.
    let counts =
        imported(&store, &admin(), person_batch(Dataset::Attendance, vec![row(2, keys("919", Some(UPN_A), false), attendance(10))])).await;
    assert_eq!(counts.children_created, 0);

    // A social care row links by its social care id, else by the UPN it also carries; the id is then
    // remembered, so a later row with only the id finds the same child.
    let cin = |start: &str| {
        PersonFact::ChildInNeed(ChildInNeedEpisode { period: Period::new(d(start), None).unwrap(), primary_need: CinNeed::N2 })
    };
    let mut with_upn = keys("919", Some(UPN_A), false);
    with_upn.social_care_id = Some("SC1001".parse().unwrap());
    imported(&store, &admin(), person_batch(Dataset::ChildInNeed, vec![row(2, with_upn, cin("2024-04-01"))])).await;
    let mut id_only = keys("919", None, false);
    id_only.social_care_id = Some("SC1001".parse().unwrap());
    let counts = imported(&store, &admin(), person_batch(Dataset::ChildInNeed, vec![row(2, id_only.clone(), cin("2025-04-01"))])).await;
    assert_eq!((counts.created, counts.children_created), (1, 0));

    // A social care id belongs to its LA: the same id from another LA is someone else.
    let mut other_la = id_only.clone();
    other_la.la = "886".parse().unwrap();
    let ImportResult::Rejected(problems) =
        import(&store, &admin(), person_batch(Dataset::ChildInNeed, vec![row(5, other_la, cin("2025-04-01"))])).await
    else {
        panic!("an unknown person with no names is refused")
    };
    assert_eq!((problems[0].line, problems[0].column, problems[0].rule), (5, "social_care_id", "person_unknown"));

    // A health row with an unknown NHS number and no names is refused; with the UPN too it links.
    let check = PersonFact::HealthCheck(HealthCheck {
        check: HealthCheckKind::Reception,
        check_date: d("2021-11-12"),
        outcome: CheckOutcome::Completed,
    });
    let mut nhs_only = keys("919", None, false);
    nhs_only.nhs_number = Some("9434765919".parse().unwrap());
    let refused = import(&store, &admin(), person_batch(Dataset::HealthChecks, vec![row(2, nhs_only.clone(), check.clone())])).await;
    assert!(matches!(refused, ImportResult::Rejected(ref p) if p[0].rule == "person_unknown"));
    nhs_only.upn = Some(UPN_A.parse().unwrap());
    imported(&store, &admin(), person_batch(Dataset::HealthChecks, vec![row(2, nhs_only, check)])).await;

    let facts = store.child_facts(&admin(), child).await.unwrap();
    let datasets: Vec<Dataset> = facts.iter().map(|f| f.fact.dataset()).collect();
    assert_eq!(datasets.len(), 5, "{datasets:?}");
    assert!(facts.iter().all(|f| f.child_id == child));
    assert_eq!(store.find_children(&admin(), &waymark_storage::ChildKey::Upn(UPN_A.parse().unwrap())).await.unwrap().len(), 1);
}

#[tokio::test]
async fn rows_of_one_batch_about_the_same_new_person_make_one_child() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_settings(dir.path()).await;
    let mut second = census("117001", true);
    if let PersonFact::Census(r) = &mut second {
        let mut f = r.fields().clone();
        f.census_date = d("2025-05-15");
        *r = CensusRecord::new(f).unwrap();
    }
    let batch = person_batch(
        Dataset::Census,
        vec![row(2, keys("919", Some(UPN_A), true), census("117001", true)), row(3, keys("919", Some(UPN_A), false), second)],
    );
    let counts = imported(&store, &admin(), batch).await;
    assert_eq!((counts.created, counts.children_created), (2, 1));
    let created = store.find_children(&admin(), &waymark_storage::ChildKey::Upn(UPN_A.parse().unwrap())).await.unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].value.responsible_la.to_string(), "919");
    let history = store.child_history(&admin(), created[0].value.id).await.unwrap();
    assert_eq!(history[0].reason, "imported from census file test.csv, line 2");
}

#[tokio::test]
async fn the_same_fact_twice_for_one_child_in_one_batch_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_settings(dir.path()).await;
    let mut with_nhs = keys("919", Some(UPN_A), false);
    with_nhs.nhs_number = Some("9434765919".parse().unwrap());
    let batch = person_batch(
        Dataset::Census,
        vec![row(2, keys("919", Some(UPN_A), true), census("117001", true)), row(3, with_nhs, census("117001", false))],
    );
    let ImportResult::Rejected(problems) = import(&store, &admin(), batch).await else { panic!("refused") };
    assert_eq!((problems[0].line, problems[0].rule), (3, "duplicate_fact"));
    assert!(problems[0].message.contains("line 2"));
}

#[tokio::test]
async fn a_new_child_must_be_aged_0_to_25_on_the_day_of_the_import() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_settings(dir.path()).await;
    let mut old = keys("919", Some(UPN_A), true);
    old.date_of_birth = Some(d("1999-01-01"));
    let ImportResult::Rejected(problems) =
        import(&store, &admin(), person_batch(Dataset::Census, vec![row(2, old, census("117001", true))])).await
    else {
        panic!("refused")
    };
    assert_eq!((problems[0].column, problems[0].rule, problems[0].value.as_str()), ("date_of_birth", "child_invalid", "1999-01-01"));
}

#[tokio::test]
async fn an_actor_may_import_and_read_only_their_own_las_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_settings(dir.path()).await;
    let db = dir.path().join("w.db");
    let before = counts(&db).await;
    let batch = person_batch(Dataset::Census, vec![row(2, keys("886", Some(UPN_A), true), census("886001", true))]);
    let ImportResult::Rejected(problems) = import(&store, &herts(), batch.clone()).await else { panic!("refused") };
    assert_eq!((problems[0].column, problems[0].rule, problems[0].value.as_str()), ("la", "la_out_of_scope", "886"));
    assert_eq!(counts(&db).await, before);

    imported(&store, &kent(), batch).await;
    let kents = store.dataset_facts(&kent(), Dataset::Census).await.unwrap();
    assert_eq!(kents.len(), 1);
    assert!(store.dataset_facts(&herts(), Dataset::Census).await.unwrap().is_empty());
    assert!(store.child_facts(&herts(), kents[0].child_id).await.unwrap_err().is_not_found());
    // The aggregate read gives the same facts within the same scope, and is one audit entry.
    let all = AuditFilter::default();
    let before = store.audit_log(&admin(), &all).await.unwrap().len();
    let facts = store.facts_for_aggregates(&kent(), &[Dataset::Census, Dataset::Attendance]).await.unwrap();
    assert_eq!(facts.iter().map(|(c, _)| *c).collect::<Vec<_>>(), vec![kents[0].child_id]);
    assert!(store.facts_for_aggregates(&herts(), &[Dataset::Census]).await.unwrap().is_empty());
    let log = store.audit_log(&admin(), &all).await.unwrap();
    assert_eq!(log.len(), before + 2, "one list read for each of the two aggregate reads");
    assert!(log.iter().take(2).all(|e| e.subject == "fact_list" && e.child_id.is_none()));
}

#[tokio::test]
async fn every_write_and_read_of_a_childs_facts_is_audited_with_ids_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_settings(dir.path()).await;
    imported(&store, &herts(), person_batch(Dataset::Census, vec![row(2, keys("919", Some(UPN_A), true), census("117001", true))])).await;
    let child = store.dataset_facts(&herts(), Dataset::Census).await.unwrap()[0].child_id;
    imported(&store, &herts(), person_batch(Dataset::Census, vec![row(2, keys("919", Some(UPN_A), true), census("117001", false))])).await;
    store.child_facts(&herts(), child).await.unwrap();

    let log = store.audit_log(&herts(), &AuditFilter { child: Some(child), ..AuditFilter::default() }).await.unwrap();
    let seen: Vec<(AuditAction, &str)> = log.iter().rev().map(|e| (e.action, e.subject.as_str())).collect();
    assert_eq!(
        seen,
        [(AuditAction::Create, "child"), (AuditAction::Create, "facts"), (AuditAction::Update, "facts"), (AuditAction::Read, "facts")]
    );
    assert!(log.iter().all(|e| e.actor_label == "user-919" && e.la.map(|l| l.to_string()) == Some("919".into())));
}

#[tokio::test]
async fn fact_history_and_the_import_log_cannot_be_changed() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_settings(dir.path()).await;
    imported(&store, &admin(), person_batch(Dataset::Census, vec![row(2, keys("919", Some(UPN_A), true), census("117001", true))])).await;
    let mut raw = raw_connection(&dir.path().join("w.db")).await;
    for sql in [
        "update person_fact_history set version = 9",
        "delete from person_fact_history",
        "update import_run set rows = 0",
        "delete from import_run",
    ] {
        let err = sqlx::query(sql).execute(&mut raw).await.unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
}

#[tokio::test]
async fn reference_data_is_created_kept_or_updated_by_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("w.db"), clock()).await.unwrap();
    let locality = |name: &str| Locality { la: "919".parse().unwrap(), code: "DSPL1".parse().unwrap(), name: name.into() };
    let batch = |name: &str| ImportBatch::new(Dataset::Localities, "localities.csv", ImportRows::Localities(vec![(2, locality(name))]));
    assert_eq!(imported(&store, &admin(), batch("Area 1")).await.created, 1);
    assert_eq!(imported(&store, &admin(), batch("Area 1")).await.unchanged, 1);
    assert_eq!(imported(&store, &admin(), batch("Area one")).await.updated, 1);
    assert_eq!(store.localities(&admin()).await.unwrap(), [locality("Area one")]);

    let mut s = setting("117001", "919");
    s.locality = Some("DSPL9".parse().unwrap());
    let refused = import(&store, &admin(), ImportBatch::new(Dataset::Settings, "s.csv", ImportRows::Settings(vec![(4, s.clone())]))).await;
    assert!(
        matches!(refused, ImportResult::Rejected(ref p) if p[0].rule == "locality_unknown" && p[0].line == 4 && p[0].column == "locality")
    );
    s.locality = Some("DSPL1".parse().unwrap());
    assert_eq!(
        imported(&store, &admin(), ImportBatch::new(Dataset::Settings, "s.csv", ImportRows::Settings(vec![(4, s.clone())]))).await.created,
        1
    );
    assert_eq!(store.settings(&herts()).await.unwrap(), [s]);

    let cell = |count| PopulationCell::new("919".parse().unwrap(), 2024, 5, Sex::Male, count).unwrap();
    let pop = |count| ImportBatch::new(Dataset::Population, "p.csv", ImportRows::Population(vec![(2, cell(count))]));
    assert_eq!(imported(&store, &admin(), pop(100)).await.created, 1);
    assert_eq!(imported(&store, &admin(), pop(100)).await.unchanged, 1);
    assert_eq!(imported(&store, &admin(), pop(101)).await.updated, 1);
    assert_eq!(store.population(&herts()).await.unwrap(), [cell(101)]);
    assert!(store.population(&kent()).await.unwrap().is_empty(), "population is scoped by LA");
}

#[tokio::test]
async fn a_dry_run_checks_and_counts_but_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_settings(dir.path()).await;
    let db = dir.path().join("w.db");
    let before = counts(&db).await;
    let mut batch = person_batch(Dataset::Census, vec![row(2, keys("919", Some(UPN_A), true), census("117001", true))]);
    batch.check_only = true;
    let counts_seen = imported(&store, &admin(), batch).await;
    assert_eq!((counts_seen.import_id, counts_seen.created, counts_seen.children_created), (0, 1, 1));
    assert_eq!(counts(&db).await, before);
}

#[tokio::test]
async fn stored_facts_are_re_read_through_the_domains_checks() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_settings(dir.path()).await;
    imported(&store, &admin(), person_batch(Dataset::Census, vec![row(2, keys("919", Some(UPN_A), true), census("117001", true))])).await;
    let mut raw = raw_connection(&dir.path().join("w.db")).await;
    // Tamper with the stored record so that it breaks the census rules (an EHC plan with no need).
    sqlx::query("update person_fact set data = json_set(data, '$.fact.primary_need', null)").execute(&mut raw).await.unwrap();
    let err = store.dataset_facts(&admin(), Dataset::Census).await.unwrap_err();
    assert!(matches!(err, waymark_storage::StoreError::Corrupt(_)), "{err:?}");
}

#[tokio::test]
async fn an_import_that_changes_facts_moves_the_data_generation_once_and_a_repeat_does_not() {
    use waymark_storage::CaseloadStore;
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_settings(dir.path()).await;
    let batch = person_batch(Dataset::Census, vec![row(2, keys("919", Some(UPN_A), true), census("117001", true))]);
    let before = store.data_generation().await.unwrap();
    imported(&store, &herts(), batch.clone()).await;
    let after = store.data_generation().await.unwrap();
    assert!(after > before, "the dashboards' cached figures are computed again after new facts");
    imported(&store, &herts(), batch).await;
    assert_eq!(store.data_generation().await.unwrap(), after, "an import that changes nothing changes no figure");
    // A changed fact about a child already held (no child row is written) still moves it.
    imported(&store, &herts(), person_batch(Dataset::Census, vec![row(2, keys("919", Some(UPN_A), true), census("117001", false))])).await;
    assert!(store.data_generation().await.unwrap() > after, "a changed fact is a changed figure");
}
