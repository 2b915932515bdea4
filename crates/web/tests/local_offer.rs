//! The Local Offer (issue 15): the ORUK 3.0 API validated against Open Referral UK's own schemas (copied
//! in `tests/oruk-3.0/`), the family's search without signing in, and a provider's change reaching the
//! public only once the Local Offer officer approves it.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{TestApp, PASSWORD};
use serde_json::{json, Value};
use std::path::PathBuf;
use waymark_directory::demo::sample_service;
use waymark_directory::{Category, Coordinates, Location, LocationId, Organisation, Service, ServiceId};
use waymark_storage::{Actor, DirectoryStore, NewUser, NotificationStore, PublishBatch, Role, Scope, UserStore};

const SCHEMA_BASE: &str = "https://openreferraluk.org/specifications/3.0/schema/";

fn oruk_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oruk-3.0")
}

fn read_json(path: PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

/// Every ORUK schema, registered under its published address so `$ref`s resolve offline.
fn registry() -> jsonschema::Registry<'static> {
    let mut registry = jsonschema::Registry::new();
    for entry in std::fs::read_dir(oruk_dir().join("schema")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        registry = registry.add(format!("{SCHEMA_BASE}{name}"), read_json(path)).unwrap();
    }
    registry.prepare().unwrap()
}

/// Check `value` against schema `name`, listing every error.
fn assert_valid(registry: &jsonschema::Registry<'_>, name: &str, value: &Value, what: &str) {
    let validator = jsonschema::options()
        .with_registry(registry)
        .should_validate_formats(true)
        .build(&json!({"$ref": format!("{SCHEMA_BASE}{name}")}))
        .unwrap();
    let errors: Vec<String> = validator.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} is not a valid {name}: {errors:#?}");
}

const ENVELOPE: [&str; 8] = ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"];

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn id(n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(0x5e0c_2000_0000_4000_8000_0000_0000_0000 + n)
}

/// A small directory: an autism-friendly swim 2 miles from PO1 2AB, a far one, a stopped service, and
/// the postcodes.
async fn directory(app: &TestApp) -> (Organisation, Vec<Service>) {
    let actor = Actor::new("test-setup", Scope::All);
    let at = |lat, lon| Coordinates::new(lat, lon).unwrap();
    app.store
        .load_postcodes(&actor, &[("PO1 2AB".parse().unwrap(), at(50.80, -1.09)), ("PO9 9ZZ".parse().unwrap(), at(51.20, -1.09))])
        .await
        .unwrap();
    let base = sample_service();
    let org = Organisation {
        id: base.organisation,
        name: "Harbour Leisure Trust".into(),
        description: "Pools".into(),
        email: None,
        website: None,
        phone: None,
    };
    let near = Location {
        id: LocationId(id(100)),
        name: "Harbour Pool".into(),
        address: "1 Quay St".into(),
        town: "Portsmouth".into(),
        postcode: "PO1 3AA".parse().unwrap(),
        coordinates: Some(at(50.829, -1.09)),
    };
    let far = Location {
        id: LocationId(id(101)),
        name: "Hill Pool".into(),
        address: "9 Down Rd".into(),
        town: "Far".into(),
        postcode: "PO9 9ZZ".parse().unwrap(),
        coordinates: None,
    };
    let swim = Service { id: ServiceId(id(1)), locations: vec![near.id], ..base.clone() };
    let far_swim =
        Service { id: ServiceId(id(2)), name: "Autism-friendly swimming far away".into(), locations: vec![far.id], ..base.clone() };
    let stopped =
        Service { id: ServiceId(id(3)), name: "Stopped swimming club".into(), active: false, locations: vec![near.id], ..base.clone() };
    let advice = Service {
        id: ServiceId(id(4)),
        name: "Parent carer forum coffee morning".into(),
        description: "Meet other parents.".into(),
        categories: vec![Category::Advice],
        needs: vec![],
        autism_friendly_hours: None,
        locations: vec![],
        ..base
    };
    let services = vec![swim, far_swim, stopped, advice];
    let batch = PublishBatch {
        organisations: vec![org.clone()],
        locations: vec![(org.id, near), (org.id, far)],
        services: services.iter().map(|s| (s.clone(), day("2026-06-01"))).collect(),
    };
    app.store.publish(&actor, &batch, "test directory").await.unwrap();
    (org, services)
}

#[tokio::test]
async fn every_oruk_endpoint_answers_with_records_valid_against_the_oruk_3_0_schemas_and_only_active_services() {
    let app = TestApp::new().await;
    let (org, services) = directory(&app).await;
    let registry = registry();

    // The validator's own passing feeds pass here too: the schemas are loaded and resolved as ORUK means.
    let mocks = oruk_dir().join("validator-mocks/default");
    for (file, schema) in [
        ("service_full.json", "service.json"),
        ("organization.json", "organization.json"),
        ("taxonomy.json", "taxonomy.json"),
        ("taxonomy_term.json", "taxonomy_term.json"),
        ("api_details.json", "api_details.json"),
    ] {
        assert_valid(&registry, schema, &read_json(mocks.join(file)), &format!("the mock {file}"));
    }

    let root = app.get("/api/oruk/", None).await;
    assert_eq!(root.status, StatusCode::OK);
    assert_eq!(root.headers["access-control-allow-origin"], "*");
    assert_valid(&registry, "api_details.json", &root.json(), "GET /");
    assert_eq!(root.json()["version"], "HSDS-UK-3.0");

    // Every list: the envelope the mocks use, each item valid, only active services.
    let lists = [
        ("/api/oruk/services", "service.json", "service_list.json"),
        ("/api/oruk/organizations", "organization.json", "organization_list.json"),
        ("/api/oruk/taxonomies", "taxonomy.json", "taxonomy_list.json"),
        ("/api/oruk/taxonomy_terms", "taxonomy_term.json", "taxonomy_term_list.json"),
        ("/api/oruk/service_at_locations", "service_at_location.json", "service_at_location_list.json"),
    ];
    for (path, item, mock) in lists {
        let reply = app.get(path, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        let body = reply.json();
        let mock_keys: Vec<String> = read_json(mocks.join(mock)).as_object().unwrap().keys().cloned().collect();
        for key in ENVELOPE {
            assert!(body.get(key).is_some(), "{path} has no {key}");
            assert!(mock_keys.iter().any(|k| k == key), "the validator's {mock} has no {key}");
        }
        assert_valid(&registry, mock, &body, path);
        let contents = body["contents"].as_array().unwrap();
        assert!(!contents.is_empty(), "{path} lists nothing");
        for (i, c) in contents.iter().enumerate() {
            assert_valid(&registry, item, c, &format!("{path} item {i}"));
            // Each item's own endpoint answers with the same id, valid again.
            let one = app.get(&format!("{path}/{}", c["id"].as_str().unwrap()), None).await;
            assert_eq!(one.status, StatusCode::OK, "{path}/{}", c["id"]);
            assert_valid(&registry, item, &one.json(), &format!("{path}/{{id}}"));
        }
        // Unknown and unreadable ids answer 404.
        assert_eq!(app.get(&format!("{path}/{}", id(999)), None).await.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(app.get(&format!("{path}/not-a-uuid"), None).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let listed: Vec<String> = app.get("/api/oruk/services", None).await.json()["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed.len(), 3, "the stopped service is not listed");
    assert!(!listed.contains(&services[2].id.to_string()));
    assert_eq!(app.get(&format!("/api/oruk/services/{}", services[2].id), None).await.status, StatusCode::NOT_FOUND);
    let full = app.get(&format!("/api/oruk/services/{}", services[0].id), None).await.json();
    assert_eq!(full["organization"]["id"], org.id.to_string());
    assert_eq!(full["service_at_locations"][0]["location"]["addresses"][0]["postal_code"], "PO1 3AA");

    // Paging: page and per_page, with the envelope's counts.
    let page2 = app.get("/api/oruk/services?per_page=2&page=2", None).await.json();
    assert_eq!((page2["total_items"].as_u64(), page2["total_pages"].as_u64(), page2["page_number"].as_u64()), (Some(3), Some(2), Some(2)));
    assert_eq!(
        (page2["first_page"].as_bool(), page2["last_page"].as_bool(), page2["contents"].as_array().unwrap().len()),
        (Some(false), Some(true), 1)
    );
    let bad = app.get("/api/oruk/services?per_page=0", None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("per_page"), "{}", bad.body);

    // Filters: text, taxonomy term, postcode and proximity (metres).
    let count = |v: Value| v["total_items"].as_u64().unwrap();
    assert_eq!(count(app.get("/api/oruk/services?text=coffee", None).await.json()), 1);
    let advice_term = Category::Advice.term_id();
    assert_eq!(count(app.get(&format!("/api/oruk/services?taxonomy_term_id={advice_term}"), None).await.json()), 1);
    // The SEND details' terms filter too: the two running services with autism-friendly hours.
    let autism_term = waymark_directory::taxonomy::SendDetail::AutismFriendlyHours.term_id();
    assert_eq!(count(app.get(&format!("/api/oruk/services?taxonomy_term_id={autism_term}"), None).await.json()), 2);
    let near = app.get("/api/oruk/service_at_locations?postcode=PO1%202AB&proximity=8000", None).await.json();
    assert_eq!(count(near.clone()), 1, "only the pool 2 miles away is within 8 km");
    assert_eq!(near["contents"][0]["service_id"], services[0].id.to_string());
    assert_eq!(app.get("/api/oruk/services?postcode=nowhere", None).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_family_finds_an_autism_friendly_swim_within_5_miles_of_a_postcode_without_signing_in_and_the_search_is_counted() {
    let app = TestApp::new().await;
    let (_, services) = directory(&app).await;
    let page = app.get("/local-offer?q=swimming&postcode=po1+2ab&miles=5&send=autism", None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("1 service found"), "{}", page.body);
    assert!(page.body.contains(&services[0].name));
    assert!(page.body.contains("2 miles away"), "the distance is shown: {}", page.body);
    assert!(!page.body.contains("far away"));
    let service = app.get(&format!("/local-offer/services/{}", services[0].id), None).await;
    assert_eq!(service.status, StatusCode::OK);
    assert!(service.body.contains("Harbour Pool") && service.body.contains("Saturdays 8am to 9am"));
    let unescaped = service.body.replace("&#x2f;", "/");
    assert!(unescaped.contains(&format!("/feedback?about=/local-offer/services/{}", services[0].id)), "the feedback link names the page");
    // A stopped service has no page; bad filters are named.
    assert_eq!(app.get(&format!("/local-offer/services/{}", services[2].id), None).await.status, StatusCode::NOT_FOUND);
    let bad = app.get("/local-offer?age=30&postcode=nowhere", None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("href=\"#age\"") && bad.body.contains("href=\"#postcode\""), "{}", bad.body);
    let none = app.get("/local-offer?q=trampolining", None).await;
    assert!(none.body.contains("No services found"));
    // The counter writes in the background: wait for it without sleeping a fixed time.
    let mut usage = Default::default();
    for _ in 0..200 {
        usage = app.store.usage(day("2026-01-01")).await.unwrap();
        if usage.searches >= 2 && usage.views >= 1 {
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!((usage.searches, usage.searches_without_results, usage.views), (2, 1, 1));
    let gaps = app.store.search_gaps(day("2026-01-01"), 10).await.unwrap();
    assert_eq!(gaps[0].filters["text"], "trampolining");
    assert!(gaps.iter().all(|g| !g.filters.to_string().contains("2AB")), "no full postcode is kept");
}

#[tokio::test]
async fn a_providers_edit_appears_only_after_the_local_offer_officer_approves_it() {
    let app = TestApp::new().await;
    let (org, services) = directory(&app).await;
    let admin = Actor::new("test-setup", Scope::All);
    let hash = waymark_web::hash_password(PASSWORD).unwrap();
    let mut ids = Vec::new();
    for (username, role) in [("provider", Role::ServiceProvider), ("officer", Role::LocalOfferOfficer)] {
        let new = NewUser {
            username: username.into(),
            display_name: username.into(),
            password_hash: hash.clone(),
            role,
            la: Some("851".parse().unwrap()),
            setting_key: None,
        };
        ids.push(app.store.create_user(&admin, new).await.unwrap().id);
    }
    app.store.set_provider_organisation(&admin, ids[0], org.id).await.unwrap();
    let provider = app.sign_in("provider").await;
    let officer = app.sign_in("officer").await;
    let swim = &services[0];

    let listings = app.get("/local-offer/provider", Some(&provider)).await;
    assert_eq!(listings.status, StatusCode::OK);
    assert!(listings.body.contains(&swim.name));
    // The officer's pages are not the provider's, and the provider's not the officer's.
    assert_eq!(app.get("/local-offer/changes", Some(&provider)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/local-offer/provider", Some(&officer)).await.status, StatusCode::FORBIDDEN);

    let edit = format!("/local-offer/provider/services/{}/edit", swim.id);
    let form = |name: &str, max_age: &str| {
        vec![
            ("csrf".to_owned(), provider.csrf.clone()),
            ("version".to_owned(), "1".to_owned()),
            ("name".to_owned(), name.to_owned()),
            ("description".to_owned(), swim.description.clone()),
            ("categories".to_owned(), "sport".to_owned()),
            ("min_age".to_owned(), "4".to_owned()),
            ("max_age".to_owned(), max_age.to_owned()),
            ("needs".to_owned(), "asd".to_owned()),
            ("cost".to_owned(), "paid".to_owned()),
            ("cost_detail".to_owned(), swim.cost_detail.clone()),
            ("access".to_owned(), "drop_in".to_owned()),
            ("details".to_owned(), "wheelchair".to_owned()),
            ("details".to_owned(), "sensory".to_owned()),
            ("autism_friendly_hours".to_owned(), "Saturdays 8am to 9am".to_owned()),
            ("languages".to_owned(), "British Sign Language".to_owned()),
            ("eligibility".to_owned(), swim.eligibility.clone()),
            ("email".to_owned(), "swim@example.org".to_owned()),
            ("phone".to_owned(), "01632 960000".to_owned()),
            ("website".to_owned(), "https://swim.example.org".to_owned()),
            ("active".to_owned(), "yes".to_owned()),
        ]
    };
    let post = |fields: Vec<(String, String)>| {
        let app = &app;
        let edit = edit.clone();
        let provider = provider.clone();
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.post_form(&edit, Some(&provider), &pairs).await
        }
    };
    // A bad age is named and nothing is sent.
    let refused = post(form("Quiet swim for autistic children", "40")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("href=\"#max_age\""), "{}", refused.body);
    let sent = post(form("Quiet swim for autistic children", "18")).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);

    // Not public yet.
    assert!(!app.get("/local-offer?q=autistic+children", None).await.body.contains("Quiet swim"));
    assert!(app.get(&format!("/api/oruk/services/{}", swim.id), None).await.body.contains(&swim.name));

    let queue = app.get("/local-offer/changes", Some(&officer)).await;
    let href = queue.body.split("changes&#x2f;").nth(1).and_then(|s| s.split('"').next()).expect("a change in the queue").to_owned();
    let change = app.get(&format!("/local-offer/changes/{href}"), Some(&officer)).await;
    assert!(
        change.body.contains("Quiet swim for autistic children") && change.body.contains(&swim.name),
        "the diff shows before and after"
    );
    let no_reason = app
        .post_form(
            &format!("/local-offer/changes/{href}"),
            Some(&officer),
            &[("csrf", &officer.csrf), ("outcome", "reject"), ("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("href=\"#reason\""));
    let approved =
        app.post_form(&format!("/local-offer/changes/{href}"), Some(&officer), &[("csrf", &officer.csrf), ("outcome", "approve")]).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);

    assert!(app.get("/local-offer?q=autistic+children", None).await.body.contains("Quiet swim for autistic children"));
    assert!(app.get(&format!("/api/oruk/services/{}", swim.id), None).await.body.contains("Quiet swim for autistic children"));
    assert_eq!(app.store.service_versions(swim.id).await.unwrap().len(), 2, "every version is kept");
}

#[tokio::test]
async fn an_officer_links_a_provider_account_from_lists_and_the_providers_new_service_waits_for_approval() {
    let app = TestApp::new().await;
    let (org, _) = directory(&app).await;
    let admin = Actor::new("test-setup", Scope::All);
    let hash = waymark_web::hash_password(PASSWORD).unwrap();
    let mut ids = Vec::new();
    for (username, role) in [("provider", Role::ServiceProvider), ("officer", Role::LocalOfferOfficer), ("lo.senco", Role::Senco)] {
        let new = NewUser {
            username: username.into(),
            display_name: format!("{username} name"),
            password_hash: hash.clone(),
            role,
            la: Some("851".parse().unwrap()),
            setting_key: (role == Role::Senco).then(|| "urn:100001".to_owned()),
        };
        ids.push(app.store.create_user(&admin, new).await.unwrap().id);
    }
    let provider = app.sign_in("provider").await;
    let officer = app.sign_in("officer").await;
    // Not yet tied to an organisation: no listings to keep.
    assert_eq!(app.get("/local-offer/provider", Some(&provider)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/local-offer/providers", Some(&provider)).await.status, StatusCode::FORBIDDEN);

    // The officer chooses the account and the organisation from lists; only provider accounts are offered.
    let page = app.get("/local-offer/providers?q=harbour", Some(&officer)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("provider name") && !page.body.contains("lo.senco name"), "{}", page.body);
    assert!(!page.body.contains("(provider)"), "usernames are for administrators only");
    assert!(page.body.contains(&format!("value=\"{}\"", org.id)) && page.body.contains("Harbour Leisure Trust"));
    assert!(!app.get("/local-offer/providers?q=nothing-like-it", Some(&officer)).await.body.contains("Harbour Leisure Trust"));
    let senco = ids[2].to_string();
    let wrong = app
        .post_form("/local-offer/providers", Some(&officer), &[("csrf", &officer.csrf), ("account", &senco), ("organisation", "")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("href=\"#account\"") && wrong.body.contains("href=\"#organisation\""), "{}", wrong.body);
    let (account, organisation) = (ids[0].to_string(), org.id.to_string());
    let linked = app
        .post_form(
            "/local-offer/providers",
            Some(&officer),
            &[("csrf", &officer.csrf), ("account", &account), ("organisation", &organisation)],
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    assert_eq!(app.get("/local-offer/provider", Some(&provider)).await.status, StatusCode::OK);

    // The provider adds a service at one of its venues; a missing name is named and nothing is sent.
    let form = app.get("/local-offer/new-service", Some(&provider)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Harbour Pool, 1 Quay St, PO1 3AA"), "the organisation's venues are offered");
    let venue = LocationId(id(100)).to_string();
    let fields = |name: &'static str| {
        vec![
            ("csrf", provider.csrf.clone()),
            ("name", name.to_owned()),
            ("description", "Trampolining for children who like a quiet hall.".to_owned()),
            ("categories", "sport".to_owned()),
            ("min_age", "5".to_owned()),
            ("max_age", "16".to_owned()),
            ("needs", "asd".to_owned()),
            ("cost", "free".to_owned()),
            ("access", "drop_in".to_owned()),
            ("venues", venue.clone()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let (app, provider) = (&app, provider.clone());
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form("/local-offer/new-service", Some(&provider), &pairs).await
        }
    };
    let refused = post(fields("")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("href=\"#name\""), "{}", refused.body);
    // It may bring a new venue: a missing address is named, and so is a postcode the directory does not know.
    let with_venue = |address: &str, postcode: &str| {
        let mut f = fields("Quiet trampolining");
        f.extend([
            ("venue_name", "Hill Hall".to_owned()),
            ("venue_address", address.to_owned()),
            ("venue_town", "Far".to_owned()),
            ("venue_postcode", postcode.to_owned()),
        ]);
        f
    };
    let refused = post(with_venue("", "PO9 9ZZ")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("href=\"#venue_address\"") && refused.body.contains("value=\"Hill Hall\""), "{}", refused.body);
    let refused = post(with_venue("2 Down Rd", "PO4 4ZZ")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("href=\"#venue_postcode\"") && refused.body.contains("postcode directory"), "{}", refused.body);
    let sent = post(with_venue("2 Down Rd", "PO9 9ZZ")).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert!(app.get("/local-offer/provider", Some(&provider)).await.body.contains("Quiet trampolining"), "the provider sees it waiting");
    assert!(!app.get("/local-offer?q=trampolining", None).await.body.contains("Quiet trampolining"), "not public before approval");

    // An officer adding a service chooses the organisation first; a missing one is named.
    assert!(app.get("/local-offer/new-service", Some(&officer)).await.body.contains("Which organisation runs the service?"));
    let no_org = app.post_form("/local-offer/new-service", Some(&officer), &[("csrf", &officer.csrf), ("name", "x")]).await;
    assert_eq!(no_org.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_org.body.contains("href=\"#organisation\""));

    let queue = app.get("/local-offer/changes", Some(&officer)).await;
    assert!(queue.body.contains("Quiet trampolining") && queue.body.contains("New service"));
    let href = queue.body.split("changes&#x2f;").nth(1).and_then(|s| s.split('"').next()).expect("a change in the queue").to_owned();
    let approved =
        app.post_form(&format!("/local-offer/changes/{href}"), Some(&officer), &[("csrf", &officer.csrf), ("outcome", "approve")]).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let found = app.get("/local-offer?q=trampolining&postcode=PO1+2AB", None).await;
    assert!(found.body.contains("Quiet trampolining"), "public once approved, at its venue");
    // The new venue is published with it, at its postcode's coordinates.
    let published = app.store.published().await.unwrap();
    let listing = published.listings.iter().find(|l| l.service.name == "Quiet trampolining").expect("published");
    let hall = listing.locations.iter().find(|l| l.name == "Hill Hall").expect("the new venue");
    assert_eq!((hall.address.as_str(), hall.coordinates), ("2 Down Rd", Coordinates::new(51.20, -1.09)));
    // The provider is told (a notification, emailed through the outbox).
    let told = app.store.notifications_for(ids[0], 10).await.unwrap();
    assert!(
        told.iter().any(|n| n.subject == "Approved: your new service \"Quiet trampolining\"" && n.topic == "listing_decision"),
        "{told:?}"
    );
}

#[tokio::test]
async fn the_annual_report_counts_feedback_on_service_pages_by_service_and_category_and_gives_no_share_from_few_answers() {
    use waymark_storage::{Clock, Feedback, VoiceStore};
    let app = TestApp::new().await;
    let (_, services) = directory(&app).await;
    let admin = Actor::new("test-setup", Scope::All);
    let new = NewUser {
        username: "officer".into(),
        display_name: "officer".into(),
        password_hash: waymark_web::hash_password(PASSWORD).unwrap(),
        role: Role::LocalOfferOfficer,
        la: Some("851".parse().unwrap()),
        setting_key: None,
    };
    app.store.create_user(&admin, new).await.unwrap();
    let officer = app.sign_in("officer").await;
    let about = |s: &Service| format!("/local-offer/services/{}", s.id);
    let today = app.clock.today();
    for (service, helpful, comment) in [
        (&services[0], Some(true), ""),
        (&services[0], Some(false), "The pool was closed when we went"),
        (&services[0], Some(true), ""),
        (&services[3], None, "Lovely people"),
    ] {
        let f = Feedback { about: about(service), helpful, comment: comment.into(), received_on: today };
        app.store.add_feedback(&f).await.unwrap();
    }
    // Feedback on another page is not the Local Offer's.
    let other = Feedback { about: "/my-journey".into(), helpful: Some(false), comment: "Elsewhere".into(), received_on: today };
    app.store.add_feedback(&other).await.unwrap();

    let report = app.get("/local-offer/report", Some(&officer)).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let body = report.body.replace("&#x27;", "'");
    assert!(body.contains("left feedback on service pages 4 times"), "{body}");
    assert!(body.contains("Too few answers to say (2 yes, 1 no)"), "three answers give no percentage");
    assert!(body.contains("The pool was closed when we went") && body.contains("Lovely people") && !body.contains("Elsewhere"));
    assert!(body.contains("Sport and swimming") && body.contains("Information, advice and support"));
    let xlsx = app.get("/local-offer/report.xlsx", Some(&officer)).await;
    assert_eq!(xlsx.status, StatusCode::OK);
}
