//! A test area: two local authorities, three schools, families and a user for every role; the real
//! application router driven in-process with a fixed clock.
#![allow(dead_code)]

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, Utc};
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;
use waymark_domain::calendar::{parse_iso_date, Date};
use waymark_domain::case::{AdviceParty, CaseEvent, CaseEventKind, Requester};
use waymark_domain::child::{NewChild, PersonName, SenStatus, Sex};
use waymark_domain::facts::health::{CheckOutcome, HealthCheck, HealthCheckKind};
use waymark_domain::facts::school::ElectiveHomeEducation;
use waymark_domain::facts::social_care::{ChildInNeedEpisode, CinNeed};
use waymark_domain::facts::{Dataset, Period, PersonFact, PersonKeys};
use waymark_domain::identifiers::SettingRef;
use waymark_domain::ids::{CaseId, ChildId, UserId};
use waymark_domain::need::{NeedCode, RankedNeeds};
use waymark_domain::placement::Placement;
use waymark_domain::plan::{PlanContents, Section};
use waymark_storage::{
    Actor, FactStore, FixedClock, ImportBatch, ImportResult, ImportRows, NewUser, NoProgress, PersonRow, PlacementStore, Role, Scope,
    SqliteStore, Store, UserStore,
};

/// The fact sections the test area gives every child, with the dataset of each. A fact's source file
/// is named `facts-SECTION-KID.csv`, so a page shows whose facts of which section it holds.
pub const FACT_SECTIONS: [(&str, Dataset); 3] =
    [("ehe", Dataset::ElectiveHomeEducation), ("health", Dataset::HealthChecks), ("social-care", Dataset::ChildInNeed)];

pub fn fact_marker(section: &str, kid: &str) -> String {
    format!("facts-{section}-{kid}.csv")
}

/// One fact of each of [`FACT_SECTIONS`] for a child, linked by UPN (and a social care id).
async fn add_facts(store: &SqliteStore, admin: &Actor, kid: &str, la: &str, upn: &str, n: usize) {
    for (section, dataset) in FACT_SECTIONS {
        let mut keys = PersonKeys::new(la.parse().unwrap());
        keys.upn = Some(upn.parse().unwrap());
        let fact = match dataset {
            Dataset::ElectiveHomeEducation => PersonFact::ElectiveHomeEducation(ElectiveHomeEducation {
                period: Period::new(d("2024-09-01"), Some(d("2025-03-31"))).unwrap(),
            }),
            Dataset::HealthChecks => {
                keys.nhs_number = Some(["9434765919", "9434765927", "9434765935", "9434765943"][n].parse().unwrap());
                PersonFact::HealthCheck(HealthCheck {
                    check: HealthCheckKind::Reception,
                    check_date: d("2017-11-12"),
                    outcome: CheckOutcome::Completed,
                })
            }
            _ => {
                keys.social_care_id = Some(format!("SC{la}{n}").parse().unwrap());
                PersonFact::ChildInNeed(ChildInNeedEpisode {
                    period: Period::new(d("2024-04-01"), None).unwrap(),
                    primary_need: CinNeed::N2,
                })
            }
        };
        let batch = ImportBatch::new(dataset, fact_marker(section, kid), ImportRows::Person(vec![PersonRow { line: 2, keys, fact }]));
        match store.import(admin, batch, &NoProgress).await.unwrap() {
            ImportResult::Imported(_) => {}
            ImportResult::Rejected(p) => panic!("test facts refused: {p:?}"),
        }
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

pub fn d(text: &str) -> Date {
    parse_iso_date(text).unwrap()
}

/// One child of the test area, with what identifies them.
#[derive(Clone, Debug)]
pub struct Kid {
    pub key: &'static str,
    pub name: String,
    pub upn: String,
    pub child: ChildId,
    pub case: CaseId,
}

pub struct TestApp {
    pub router: Router,
    pub store: SqliteStore,
    pub clock: Arc<FixedClock>,
    pub kids: Vec<Kid>,
    pub users: HashMap<&'static str, UserId>,
    /// The application's state (the mail worker's status lives here).
    pub state: waymark_web::AppState,
    _dir: tempfile::TempDir,
}

/// A signed-in browser: its cookie and the session's CSRF token.
#[derive(Clone, Debug)]
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn location(&self) -> String {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn new_child(forename: &str, surname: &str, la: &str, upn_body: &str) -> NewChild {
    NewChild {
        name: PersonName::new(forename, surname).unwrap(),
        date_of_birth: d("2012-04-01"),
        sex: Sex::Female,
        ethnicity: None,
        postcode: None,
        upn: Some(waymark_domain::identifiers::Upn::from_body(upn_body).unwrap()),
        uln: None,
        nhs_number: None,
        responsible_la: la.parse().unwrap(),
    }
}

fn ev(date: &str, kind: CaseEventKind) -> CaseEvent {
    CaseEvent::new(d(date), kind)
}

impl TestApp {
    /// The area on 22 November 2026.
    pub async fn new() -> Self {
        // Two-step verification for administrators is tested on its own (tests/accounts.rs); here the
        // test administrator signs in with a password alone.
        Self::with_config(waymark_web::Config { secure_cookies: true, require_admin_two_step: false, ..Default::default() }).await
    }

    pub async fn with_config(config: waymark_web::Config) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::at_noon(d("2026-11-22")));
        let store = SqliteStore::open(&dir.path().join("w.db"), clock.clone()).await.unwrap();
        let admin = Actor::new("test-setup", Scope::All);
        let mut kids = Vec::new();
        // (key, forename, surname, LA, UPN body, setting, first events)
        let specs: [(&str, &str, &str, &str, &str, &str); 4] = [
            ("amber", "Amberly", "Quayle", "851", "851200125101", "851001"),
            ("basil", "Basilio", "Underhay", "851", "851200125102", "851002"),
            ("cora", "Coralie", "Vantongeren", "886", "886200125103", "886001"),
            ("dara", "Daramola", "Wetherspoon", "851", "851200125104", "851001"),
        ];
        for (key, forename, surname, la, upn, urn) in specs {
            let child = store.create_child(&admin, new_child(forename, surname, la, upn), "test").await.unwrap();
            let mut record = child.value.clone();
            record.record_sen_status(d("2025-01-01"), SenStatus::SenSupport, RankedNeeds::new(Some(NeedCode::Asd), None).unwrap()).unwrap();
            store.update_child(&admin, &record, child.version, "test").await.unwrap();
            let placement = Placement {
                setting: SettingRef::Urn(urn.parse().unwrap()),
                rank: 1,
                entry: d("2025-09-01"),
                leaving: None,
                sen_unit: false,
                resourced_provision: false,
                residential: None,
                work_based: None,
                setting_la: None,
            };
            store.record_placement(&admin, child.value.id, placement, "test").await.unwrap();
            let request = ev(
                "2026-08-03",
                CaseEventKind::RequestReceived {
                    requester: Requester::ParentOrYoungPerson,
                    in_youth_accommodation: false,
                    unknown_dates: Default::default(),
                },
            );
            let case = store.open_case(&admin, child.value.id, request, "test").await.unwrap();
            let more: Vec<CaseEvent> = match key {
                // Assessing, health and education advice asked: the health professional's and the SENCO's.
                "amber" => vec![
                    ev("2026-09-01", CaseEventKind::DecidedToAssess),
                    ev("2026-09-02", CaseEventKind::AdviceRequested { party: AdviceParty::Health }),
                    ev("2026-09-02", CaseEventKind::AdviceRequested { party: AdviceParty::Education }),
                ],
                // Assessing, social care advice asked.
                "basil" => vec![
                    ev("2026-09-01", CaseEventKind::DecidedToAssess),
                    ev("2026-09-03", CaseEventKind::AdviceRequested { party: AdviceParty::SocialCare }),
                ],
                // In the other LA, health advice asked: no 851 professional may see it.
                "cora" => vec![
                    ev("2026-09-01", CaseEventKind::DecidedToAssess),
                    ev("2026-09-02", CaseEventKind::AdviceRequested { party: AdviceParty::Health }),
                ],
                // Still requested: the caseworker's decision to make.
                _ => vec![],
            };
            if !more.is_empty() {
                store.record_case_events(&admin, case.value.id, 1, more, "test").await.unwrap();
            }
            add_facts(&store, &admin, key, la, &record.upn.clone().unwrap().to_string(), kids.len()).await;
            kids.push(Kid {
                key,
                name: format!("{forename} {surname}"),
                upn: record.upn.unwrap().to_string(),
                child: child.value.id,
                case: case.value.id,
            });
        }
        // A plan for Basil's case would need more steps; the plan sections test uses Amber's draft instead.
        let _ = (PlanContents::default(), Section::A);
        let hash = waymark_web::hash_password(PASSWORD).unwrap();
        let mut users = HashMap::new();
        let accounts: [(&str, Role, &str, Option<&str>); 12] = [
            ("caseworker", Role::LaCaseworker, "851", None),
            ("caseworker2", Role::LaCaseworker, "851", None),
            ("manager", Role::SendManager, "851", None),
            ("admin", Role::LaAdmin, "851", None),
            ("senco", Role::Senco, "851", Some("urn:851001")),
            ("health", Role::HealthProfessional, "851", None),
            ("socialcare", Role::SocialCareProfessional, "851", None),
            ("ep", Role::EducationalPsychologist, "851", None),
            ("parent", Role::ParentCarer, "851", None),
            ("youngperson", Role::YoungPerson, "851", None),
            ("board", Role::BoardMember, "851", None),
            ("kentcaseworker", Role::LaCaseworker, "886", None),
        ];
        for (username, role, la, setting) in accounts {
            let user = store
                .create_user(
                    &admin,
                    NewUser {
                        username: username.into(),
                        display_name: format!("Test {username}"),
                        password_hash: hash.clone(),
                        role,
                        la: Some(la.parse().unwrap()),
                        setting_key: setting.map(str::to_owned),
                    },
                )
                .await
                .unwrap();
            users.insert(username, user.id);
        }
        store.link_child(&admin, users["parent"], kids[0].child).await.unwrap();
        store.link_child(&admin, users["youngperson"], kids[1].child).await.unwrap();
        let state = waymark_web::AppState::new(store.clone(), clock.clone(), config);
        let router = waymark_web::app(state.clone()).layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
        Self { router, store, clock, kids, users, state, _dir: dir }
    }

    pub fn kid(&self, key: &str) -> &Kid {
        self.kids.iter().find(|k| k.key == key).unwrap()
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(c) = cookie {
            builder = builder.header(header::COOKIE, c);
        }
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let request = match body {
            Some((content_type, bytes)) => builder.header(header::CONTENT_TYPE, content_type).body(Body::from(bytes)).unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        };
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
    }

    /// A GET answered by a new server on the same store (nothing cached): what a page would show had
    /// the server just started.
    pub async fn get_from_a_new_server(&self, path: &str, who: Option<&Browser>) -> Reply {
        let state = waymark_web::AppState::new(
            self.store.clone(),
            self.clock.clone(),
            waymark_web::Config { secure_cookies: true, ..Default::default() },
        );
        let router = waymark_web::app(state).layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40001))));
        let mut builder = Request::builder().method(Method::GET).uri(path);
        if let Some(b) = who {
            builder = builder.header(header::COOKIE, b.cookie.as_str());
        }
        let response = router.oneshot(builder.body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
    }

    pub async fn get(&self, path: &str, who: Option<&Browser>) -> Reply {
        self.request(Method::GET, path, who.map(|b| b.cookie.as_str()), None, &[]).await
    }

    pub async fn post_form(&self, path: &str, who: Option<&Browser>, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).unwrap().into_bytes();
        self.request(Method::POST, path, who.map(|b| b.cookie.as_str()), Some(("application/x-www-form-urlencoded", body)), &[]).await
    }

    pub async fn post_json(&self, path: &str, who: &Browser, body: &serde_json::Value, csrf: bool) -> Reply {
        let headers: Vec<(&str, &str)> = if csrf { vec![("x-csrf-token", who.csrf.as_str())] } else { vec![] };
        self.request(Method::POST, path, Some(&who.cookie), Some(("application/json", body.to_string().into_bytes())), &headers).await
    }

    /// The sign-in page's double-submit token and its cookie.
    pub async fn sign_in_form(&self) -> (String, String) {
        let page = self.get("/sign-in", None).await;
        let set = page.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
        let cookie = set.split(';').next().unwrap().to_owned();
        let token = cookie.split_once('=').unwrap().1.to_owned();
        assert!(page.body.contains(&token));
        (cookie, token)
    }

    pub async fn try_sign_in(&self, username: &str, password: &str) -> Reply {
        let (cookie, token) = self.sign_in_form().await;
        let body =
            serde_urlencoded::to_string([("csrf", token.as_str()), ("username", username), ("password", password)]).unwrap().into_bytes();
        self.request(Method::POST, "/sign-in", Some(&cookie), Some(("application/x-www-form-urlencoded", body)), &[]).await
    }

    pub async fn sign_in(&self, username: &str) -> Browser {
        let reply = self.try_sign_in(username, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "signing in as {username}: {}", reply.body);
        let set = reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
        let cookie = set.split(';').next().unwrap().to_owned();
        let me = self.request(Method::GET, "/api/v1/me", Some(&cookie), None, &[]).await.json();
        Browser { cookie, csrf: me["csrf_token"].as_str().unwrap().to_owned() }
    }

    pub fn advance(&self, minutes: i64) {
        self.clock.advance(chrono::TimeDelta::minutes(minutes));
    }

    pub fn now(&self) -> DateTime<Utc> {
        use waymark_storage::Clock;
        self.clock.now()
    }
}

/// The value of a hidden or text input in a page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&#x27;", "'").replace("&quot;", "\"").replace("&amp;", "&"))
}

/// Post a form to a public page as an anonymous visitor sending `cookies`.
pub async fn post_public(app: &TestApp, path: &str, cookies: &str, fields: &[(&str, &str)]) -> Reply {
    let body = serde_urlencoded::to_string(fields).unwrap().into_bytes();
    app.request(Method::POST, path, Some(cookies), Some(("application/x-www-form-urlencoded", body)), &[]).await
}

/// Answer a public survey as a visitor without JavaScript would: open its link (`/s/{token}`, with
/// `?send=` when it was sent at a point of a case), press "Start now", post `fields` on each page in
/// turn (each question page takes its own question's field, `q-{id}`; the contact page
/// `contact-name` and `contact-reach`) and press "Send your answers" on "Check your answers". The
/// reply to the first post that is not a redirect to the next page, or to the last post.
pub async fn answer_survey(app: &TestApp, link: &str, fields: &[(&str, &str)]) -> Reply {
    let start = app.get(link, None).await;
    assert_eq!(start.status, StatusCode::OK, "{link}: {}", start.body);
    let set = start.headers.get(header::SET_COOKIE).expect("the form's cookie").to_str().unwrap();
    let mut cookies = set.split(';').next().unwrap().to_owned();
    let csrf = input_value(&start.body, "csrf").expect("a CSRF token on the start page");
    let mut begin = vec![("csrf", csrf.as_str())];
    let send = input_value(&start.body, "send");
    if let Some(send) = &send {
        begin.push(("send", send.as_str()));
    }
    let path = link.split('?').next().unwrap();
    let mut reply = post_public(app, path, &cookies, &begin).await;
    if reply.status != StatusCode::SEE_OTHER {
        return reply;
    }
    let visit = reply.headers.get(header::SET_COOKIE).expect("the visit's cookie").to_str().unwrap();
    cookies = format!("{cookies}; {}", visit.split(';').next().unwrap());
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    for _ in 0..50 {
        let next = reply.location();
        if next.ends_with("/check") {
            return post_public(app, &next, &cookies, &[("csrf", &csrf)]).await;
        }
        reply = post_public(app, &next, &cookies, &all).await;
        if reply.status != StatusCode::SEE_OTHER {
            return reply;
        }
    }
    panic!("the survey's pages never reached Check your answers");
}
