//! Staff sign-in through a council identity provider by OpenID Connect (issue 14 item 5), against a
//! provider the test runs on loopback: discovery, JWKS, authorisation and token endpoints, ID tokens
//! signed with a test-only RSA key (tests/fixtures/TEST-ONLY-*.pem). Each refusal case changes one
//! thing the provider sends and checks the person is not signed in.

mod common;

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use common::TestApp;
use openidconnect::core::{
    CoreGenderClaim, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey,
};
use openidconnect::{
    Audience, EndUserEmail, EndUserName, EndUserUsername, IdToken, IdTokenClaims, IssuerUrl, JsonWebKeyId, LocalizedClaim, Nonce,
    PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use waymark_sso::ProviderSettings;
use waymark_storage::{Actor, Role, Scope, SsoStore, UserStore};
use waymark_web::sso::{GroupClaims, SsoConfig};

const CLIENT_ID: &str = "waymark-test-client";
const CLIENT_SECRET: &str = "test-only-client-secret";
const CASEWORK_GROUP: &str = "5f6a1c2e-0b7d-4e43-9a51-3c8d2f0e7b19";
const MANAGERS_GROUP: &str = "0c1d2e3f-aaaa-4bbb-8ccc-123456789abc";
const ADMIN_GROUP: &str = "9e9e9e9e-1111-4222-8333-444455556666";

/// What the provider puts in the next ID token (a test changes one thing at a time).
#[derive(Clone)]
struct NextToken {
    subject: String,
    groups: Vec<String>,
    sign_with_attacker_key: bool,
    expired: bool,
    audience: Option<String>,
    nonce: Option<String>,
}

impl Default for NextToken {
    fn default() -> Self {
        Self {
            subject: "sub-sam-okafor".into(),
            groups: vec!["all-staff".into(), CASEWORK_GROUP.into()],
            sign_with_attacker_key: false,
            expired: false,
            audience: None,
            nonce: None,
        }
    }
}

struct Issued {
    nonce: String,
    challenge: String,
    redirect_uri: String,
}

struct Idp {
    issuer: String,
    key: CoreRsaPrivateSigningKey,
    attacker: CoreRsaPrivateSigningKey,
    codes: Mutex<HashMap<String, Issued>>,
    next: Mutex<NextToken>,
}

fn key(file: &str) -> CoreRsaPrivateSigningKey {
    let pem = std::fs::read_to_string(format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    // The attacker's key claims the provider's key id, so only the signature gives it away.
    CoreRsaPrivateSigningKey::from_pem(&pem, Some(JsonWebKeyId::new("test-key-1".into()))).unwrap()
}

async fn discovery(State(idp): State<Arc<Idp>>) -> Json<serde_json::Value> {
    let i = &idp.issuer;
    Json(json!({
        "issuer": i, "authorization_endpoint": format!("{i}/authorize"), "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"), "response_types_supported": ["code"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"], "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(State(idp): State<Arc<Idp>>) -> Json<CoreJsonWebKeySet> {
    Json(CoreJsonWebKeySet::new(vec![idp.key.as_verification_key()]))
}

/// The authorisation endpoint: the person is taken to be signed in at the council already, so it answers
/// at once with a code for the redirect URI (RFC 6749 section 4.1.2).
async fn authorize(State(idp): State<Arc<Idp>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let ok = q.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && q.get("response_type").map(String::as_str) == Some("code")
        && q.get("code_challenge_method").map(String::as_str) == Some("S256")
        && q.get("scope").is_some_and(|s| s.split(' ').any(|x| x == "openid"));
    if !ok {
        return (StatusCode::BAD_REQUEST, format!("bad authorisation request: {q:?}")).into_response();
    }
    let code = waymark_web::session::random_token();
    idp.codes.lock().unwrap().insert(
        code.clone(),
        Issued { nonce: q["nonce"].clone(), challenge: q["code_challenge"].clone(), redirect_uri: q["redirect_uri"].clone() },
    );
    Redirect::to(&format!("{}?code={code}&state={}", q["redirect_uri"], q["state"])).into_response()
}

/// The token endpoint: the client's secret (HTTP Basic), the code once, and the PKCE verifier (RFC 7636
/// section 4.6) are checked before an ID token is signed.
async fn token(State(idp): State<Arc<Idp>>, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    if headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some(&format!("Basic {basic}")) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client"}))).into_response();
    }
    let Some(issued) = f.get("code").and_then(|c| idp.codes.lock().unwrap().remove(c)) else {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant"}))).into_response();
    };
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if challenge != issued.challenge || f.get("redirect_uri") != Some(&issued.redirect_uri) {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant"}))).into_response();
    }
    let next = idp.next.lock().unwrap().clone();
    let now = chrono::Utc::now();
    let expires = if next.expired { now - chrono::TimeDelta::hours(1) } else { now + chrono::TimeDelta::minutes(5) };
    let mut name = LocalizedClaim::new();
    name.insert(None, EndUserName::new("Sam Okafor".into()));
    let standard = StandardClaims::<CoreGenderClaim>::new(SubjectIdentifier::new(next.subject.clone()))
        .set_preferred_username(Some(EndUserUsername::new("sam.okafor@council.example".into())))
        .set_email(Some(EndUserEmail::new("sam.okafor@council.example".into())))
        .set_name(Some(name));
    let claims = IdTokenClaims::new(
        IssuerUrl::new(idp.issuer.clone()).unwrap(),
        vec![Audience::new(next.audience.clone().unwrap_or_else(|| CLIENT_ID.into()))],
        expires,
        now - chrono::TimeDelta::minutes(if next.expired { 65 } else { 0 }),
        standard,
        GroupClaims { groups: next.groups.clone(), claim_names: None },
    )
    .set_nonce(Some(Nonce::new(next.nonce.clone().unwrap_or(issued.nonce))));
    let signer = if next.sign_with_attacker_key { &idp.attacker } else { &idp.key };
    let id_token: IdToken<GroupClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm> =
        IdToken::new(claims, signer, CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, None, None).unwrap();
    Json(json!({"access_token": "test-access-token", "token_type": "Bearer", "expires_in": 300, "id_token": id_token.to_string()}))
        .into_response()
}

/// Start the provider on a loopback port.
async fn start_idp() -> Arc<Idp> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let idp = Arc::new(Idp {
        issuer,
        key: key("TEST-ONLY-oidc-provider-key.pem"),
        attacker: key("TEST-ONLY-oidc-attacker-key.pem"),
        codes: Mutex::default(),
        next: Mutex::default(),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .with_state(idp.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    idp
}

async fn app_with(idp: &Idp) -> TestApp {
    let settings = ProviderSettings::new(&idp.issuer, CLIENT_ID, "http://localhost:8080").unwrap();
    let sso = SsoConfig { settings, client_secret: CLIENT_SECRET.into() };
    // Administrators must use two-step verification, except through the provider (which does its own).
    let app = TestApp::with_config(waymark_web::Config {
        secure_cookies: true,
        require_admin_two_step: true,
        sso: Some(sso),
        ..Default::default()
    })
    .await;
    let admin = Actor::new("test-setup", Scope::All);
    for (group, role, la) in [
        (CASEWORK_GROUP, Role::LaCaseworker, Some("851")),
        (MANAGERS_GROUP, Role::SendManager, Some("851")),
        (ADMIN_GROUP, Role::LaAdmin, Some("851")),
    ] {
        let mapping = waymark_sso::Mapping { group: group.parse().unwrap(), role, la: la.map(|l| l.parse().unwrap()) };
        app.store.add_group_mapping(&admin, &mapping).await.unwrap();
    }
    app
}

fn first_cookie(reply: &common::Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")) && !c.ends_with('='))
}

/// The browser's way through: Waymark sends it to the provider, the provider back with a code. Returns
/// the callback's path and query, and the browser's `waymark_sso` cookie.
async fn to_provider_and_back(app: &TestApp) -> (String, String) {
    let start = app.get("/sign-in/sso", None).await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    let cookie = first_cookie(&start, "__Host-waymark_sso").expect("the sign-in's browser cookie");
    let http = openidconnect::reqwest::Client::builder().redirect(openidconnect::reqwest::redirect::Policy::none()).build().unwrap();
    let at_idp = http.get(start.location()).send().await.unwrap();
    assert_eq!(at_idp.status().as_u16(), 303, "{}", at_idp.text().await.unwrap());
    let back = at_idp.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let path = back.strip_prefix("http://localhost:8080").expect("the redirect URL comes from the public URL").to_owned();
    assert!(path.starts_with("/sign-in/sso/callback?code="), "{path}");
    (path, cookie)
}

/// The whole sign-in; the reply to the callback.
async fn sign_in_through_provider(app: &TestApp, idp: &Idp, next: NextToken) -> common::Reply {
    *idp.next.lock().unwrap() = next;
    let (path, cookie) = to_provider_and_back(app).await;
    app.get(&path, Some(&common::Browser { cookie, csrf: String::new() })).await
}

fn session_of(reply: &common::Reply) -> common::Browser {
    common::Browser { cookie: first_cookie(reply, "__Host-waymark_session").expect("a session"), csrf: String::new() }
}

#[tokio::test]
async fn a_council_account_signs_in_with_the_role_and_la_its_groups_give_and_keeps_them_current() {
    let idp = start_idp().await;
    let app = app_with(&idp).await;
    // The sign-in page offers the council account beside the local one.
    let page = app.get("/sign-in", None).await;
    assert!(page.body.contains("Sign in with your council account") && page.body.contains("href=\"/sign-in/sso\""));

    let before = app.store.count_users().await.unwrap();
    let reply = sign_in_through_provider(&app, &idp, NextToken::default()).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let me = app.get("/api/v1/me", Some(&session_of(&reply))).await.json();
    assert_eq!((me["role"].as_str(), me["la"].as_str(), me["name"].as_str()), (Some("la_caseworker"), Some("851"), Some("Sam Okafor")));
    assert_eq!(app.store.count_users().await.unwrap(), before + 1, "the first sign-in makes the account");
    let id: waymark_domain::ids::UserId = me["user_id"].as_str().unwrap().parse().unwrap();
    assert!(app.store.signs_in_with_provider(id).await.unwrap());
    // It has no password: nobody signs in to it with one.
    assert_eq!(app.try_sign_in("sam.okafor@council.example", "").await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Moved to the managers' group at the council: the next sign-in is the same account, now a manager.
    let next = NextToken { groups: vec![MANAGERS_GROUP.into()], ..NextToken::default() };
    let reply = sign_in_through_provider(&app, &idp, next).await;
    let me = app.get("/api/v1/me", Some(&session_of(&reply))).await.json();
    assert_eq!((me["user_id"].as_str(), me["role"].as_str()), (Some(id.to_string().as_str()), Some("send_manager")));
    assert_eq!(app.store.count_users().await.unwrap(), before + 1);

    // An administrator through the provider is not sent to Waymark's own two-step set-up.
    let next = NextToken { subject: "sub-admin".into(), groups: vec![ADMIN_GROUP.into()], ..NextToken::default() };
    let reply = sign_in_through_provider(&app, &idp, next).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_ne!(reply.location(), "/account/two-step");
    let account = app.get("/account", Some(&session_of(&reply))).await;
    assert!(account.body.contains("You sign in with your council account"), "{}", account.body);
    assert!(!account.body.contains("Set up two-step verification"));
    let users = app.get("/admin/users", Some(&session_of(&reply))).await;
    assert_eq!(users.status, StatusCode::OK, "{}", users.body);
    // A second person with the same principal name gets a username of their own.
    assert!(users.body.contains("sam.okafor@council.example~2"), "{}", users.body);
}

#[tokio::test]
async fn tokens_with_a_bad_signature_an_expiry_past_another_audience_or_another_nonce_are_refused() {
    let idp = start_idp().await;
    let app = app_with(&idp).await;
    let before = app.store.count_users().await.unwrap();
    let cases = [
        ("a bad signature", NextToken { sign_with_attacker_key: true, ..NextToken::default() }),
        ("an expired token", NextToken { expired: true, ..NextToken::default() }),
        ("a wrong audience", NextToken { audience: Some("another-application".into()), ..NextToken::default() }),
        ("a wrong nonce", NextToken { nonce: Some("a-nonce-from-another-sign-in".into()), ..NextToken::default() }),
    ];
    for (what, next) in cases {
        let reply = sign_in_through_provider(&app, &idp, next).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}: {}", reply.body);
        assert!(reply.body.contains("could not be checked, so you have not been signed in"), "{what}: {}", reply.body);
        assert!(first_cookie(&reply, "__Host-waymark_session").is_none(), "{what}");
    }
    assert_eq!(app.store.count_users().await.unwrap(), before, "no account was made");
    // The same provider's good token still works afterwards.
    assert_eq!(sign_in_through_provider(&app, &idp, NextToken::default()).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_state_is_used_once_and_only_by_the_browser_that_began_the_sign_in() {
    let idp = start_idp().await;
    let app = app_with(&idp).await;
    let (path, cookie) = to_provider_and_back(&app).await;
    // Another browser (no cookie, or another's) cannot finish it: an attacker's code pushed into a
    // victim's browser does nothing.
    let stranger = app.get(&path, None).await;
    assert_eq!(stranger.status, StatusCode::FORBIDDEN);
    assert!(stranger.body.contains("expired or has already been used"), "{}", stranger.body);
    // ...and that attempt used the state up, so the begun sign-in must start again.
    let late = app.get(&path, Some(&common::Browser { cookie: cookie.clone(), csrf: String::new() })).await;
    assert_eq!(late.status, StatusCode::FORBIDDEN);

    let (path, cookie) = to_provider_and_back(&app).await;
    let browser = common::Browser { cookie, csrf: String::new() };
    assert_eq!(app.get(&path, Some(&browser)).await.status, StatusCode::SEE_OTHER);
    // The same callback replayed (the same code and state, from the same browser) is refused.
    let replay = app.get(&path, Some(&browser)).await;
    assert_eq!(replay.status, StatusCode::FORBIDDEN, "{}", replay.body);
    assert!(replay.body.contains("expired or has already been used"));
    assert!(first_cookie(&replay, "__Host-waymark_session").is_none());
}

#[tokio::test]
async fn a_person_whose_groups_give_no_single_role_is_refused_and_no_account_is_made() {
    let idp = start_idp().await;
    let app = app_with(&idp).await;
    let before = app.store.count_users().await.unwrap();
    let unmapped = sign_in_through_provider(&app, &idp, NextToken { groups: vec!["all-staff".into()], ..NextToken::default() }).await;
    assert_eq!(unmapped.status, StatusCode::FORBIDDEN);
    assert!(unmapped.body.contains("not in any group that has been given access to Waymark"), "{}", unmapped.body);
    let both = NextToken { groups: vec![CASEWORK_GROUP.into(), MANAGERS_GROUP.into()], ..NextToken::default() };
    let conflicting = sign_in_through_provider(&app, &idp, both).await;
    assert_eq!(conflicting.status, StatusCode::FORBIDDEN);
    assert!(conflicting.body.contains("groups that give different roles"));
    assert_eq!(app.store.count_users().await.unwrap(), before);

    // A deactivated account stays out, whatever its groups.
    let reply = sign_in_through_provider(&app, &idp, NextToken::default()).await;
    let me = app.get("/api/v1/me", Some(&session_of(&reply))).await.json();
    let admin = Actor::new("test-setup", Scope::All);
    let user = app.store.get_user(&admin, me["user_id"].as_str().unwrap().parse().unwrap()).await.unwrap();
    let change =
        waymark_storage::UserChange { display_name: user.display_name, role: user.role, la: user.la, setting_key: None, active: false };
    app.store.update_user(&admin, user.id, user.version, change).await.unwrap();
    let refused = sign_in_through_provider(&app, &idp, NextToken::default()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("has been deactivated"));
}

#[tokio::test]
async fn the_administrator_gives_groups_roles_and_takes_them_away_with_errors_naming_the_field() {
    let idp = start_idp().await;
    let app = app_with(&idp).await;
    // The council's administrator, signed in through the provider.
    let next = NextToken { subject: "sub-admin".into(), groups: vec![ADMIN_GROUP.into()], ..NextToken::default() };
    let mut admin = session_of(&sign_in_through_provider(&app, &idp, next).await);
    let me = app.get("/api/v1/me", Some(&admin)).await.json();
    admin.csrf = me["csrf_token"].as_str().unwrap().to_owned();
    let admin_label = format!("user:{}", me["user_id"].as_str().unwrap());
    let page = app.get("/admin/sign-in-groups", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(CASEWORK_GROUP) && page.body.contains("LA caseworker"));
    // The form offers staff roles only, never a family's.
    assert!(!page.body.contains("Parent or carer"));

    let bad = app
        .post_form("/admin/sign-in-groups", Some(&admin), &[("csrf", &admin.csrf), ("group", ""), ("role", "parent_carer"), ("la", "12")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in ["Enter the group&#x27;s id", "Choose the role people in this group get", "3-digit DfE number"] {
        assert!(bad.body.contains(message), "{message}: {}", bad.body);
    }
    let taken = app
        .post_form(
            "/admin/sign-in-groups",
            Some(&admin),
            &[("csrf", &admin.csrf), ("group", CASEWORK_GROUP), ("role", "board_member"), ("la", "851")],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("already has a role"), "{}", taken.body);

    let mapping_audits = || async {
        use waymark_storage::{AuditFilter, Store};
        let log = app.store.audit_log(&Actor::new("test", Scope::All), &AuditFilter { limit: 1000, ..Default::default() }).await.unwrap();
        log.iter().filter(|e| e.subject == "sso_group_mapping" && e.actor_label == admin_label).count()
    };
    assert_eq!(mapping_audits().await, 0);
    let added = app
        .post_form(
            "/admin/sign-in-groups",
            Some(&admin),
            &[("csrf", &admin.csrf), ("group", "board-group"), ("role", "board_member"), ("la", "851")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let next = NextToken { subject: "sub-board".into(), groups: vec!["board-group".into()], ..NextToken::default() };
    let reply = sign_in_through_provider(&app, &idp, next.clone()).await;
    assert_eq!(app.get("/api/v1/me", Some(&session_of(&reply))).await.json()["role"], "board_member");

    let removed = app.post_form("/admin/sign-in-groups/remove", Some(&admin), &[("csrf", &admin.csrf), ("group", "board-group")]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(sign_in_through_provider(&app, &idp, next).await.status, StatusCode::FORBIDDEN);
    assert_eq!(mapping_audits().await, 2, "the addition and the removal are audited");
    // Without the CSRF token nothing changes.
    let forged = app.post_form("/admin/sign-in-groups/remove", Some(&admin), &[("group", CASEWORK_GROUP)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.all_group_mappings().await.unwrap().len(), 3);
}
