//! Accounts as councils run them: an invitation by email whose one-time link lets the person choose
//! their own password (valid 7 days, used once), two-step verification required for administrators,
//! "last signed in" on the users page, and a person ending their own sessions.

mod common;

use axum::http::{header, Method, StatusCode};
use common::{Browser, TestApp};
use totp_rs::{Algorithm, Secret, TOTP};
use waymark_storage::{NotificationStore, Role};

/// The invitation link in the outbox (the email the person would receive).
async fn invitation_link(app: &TestApp) -> String {
    let items = app.store.claim_outbox(waymark_storage::Clock::now(app.clock.as_ref()), 50, chrono::TimeDelta::minutes(5)).await.unwrap();
    let mail = items.iter().find(|i| i.topic == "invitation").expect("an invitation in the outbox");
    assert_eq!(mail.email_to, "sam.new@council.test");
    let start = mail.body.find("/invitation/").unwrap();
    mail.body[start..].split_whitespace().next().unwrap().to_owned()
}

/// A form page's double-submit token and its cookie (pages used before there is a session).
async fn double_submit(app: &TestApp, path: &str) -> (String, String, String) {
    let page = app.get(path, None).await;
    let set = page.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    let cookie = set.split(';').next().unwrap().to_owned();
    let token = cookie.split_once('=').unwrap().1.to_owned();
    (cookie, token, page.body)
}

async fn post_anonymous(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> common::Reply {
    let body = serde_urlencoded::to_string(fields).unwrap().into_bytes();
    app.request(Method::POST, path, Some(cookie), Some(("application/x-www-form-urlencoded", body)), &[]).await
}

/// The code `ahead` seconds from now.
fn code_at(secret_text: &str, account: &str, ahead: u64) -> String {
    let secret: String = secret_text.chars().filter(|c| !c.is_whitespace()).collect();
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, Secret::Encoded(secret).to_bytes().unwrap(), None, account.to_owned()).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    totp.generate(now + ahead)
}

fn code_now(secret_text: &str, account: &str) -> String {
    let secret: String = secret_text.chars().filter(|c| !c.is_whitespace()).collect();
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, Secret::Encoded(secret).to_bytes().unwrap(), None, account.to_owned()).unwrap();
    totp.generate_current().unwrap()
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap() + start.len();
    &text[from..from + text[from..].find(end).unwrap()]
}

#[tokio::test]
async fn an_invited_person_sets_their_own_password_once_and_the_users_page_shows_their_last_sign_in() {
    let app = TestApp::new().await;
    let admin = app.sign_in("admin").await;
    let fields = [
        ("csrf", admin.csrf.as_str()),
        ("username", "sam.new"),
        ("name", "Sam New"),
        ("role", "la_caseworker"),
        ("email", "sam.new@council.test"),
    ];
    assert_eq!(app.post_form("/admin/users/new", Some(&admin), &fields).await.status, StatusCode::SEE_OTHER);
    let link = invitation_link(&app).await;
    let (cookie, token, page) = double_submit(&app, &link).await;
    assert!(page.contains("Choose your password") && page.contains("Sam New"), "{page}");
    let short = post_anonymous(&app, &link, &cookie, &[("csrf", &token), ("password", "short"), ("confirm", "short")]).await;
    assert!(short.body.contains("at least 12 characters"), "{}", short.body);
    let mismatch =
        post_anonymous(&app, &link, &cookie, &[("csrf", &token), ("password", "a good long password"), ("confirm", "another one")]).await;
    assert!(mismatch.body.contains("Enter the same password again"));
    let set = post_anonymous(
        &app,
        &link,
        &cookie,
        &[("csrf", &token), ("password", "a good long password"), ("confirm", "a good long password")],
    )
    .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    // The link works once.
    let again = app.get(&link, None).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.body.contains("This link cannot be used"));
    let users = app.get("/admin/users", Some(&admin)).await.body;
    assert!(users.contains("Last signed in") && between(&users, "sam.new</td>", "</tr>").contains("Never"), "{users}");
    let signed = app.try_sign_in("sam.new", "a good long password").await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    let users = app.get("/admin/users", Some(&admin)).await.body;
    assert!(between(&users, "sam.new</td>", "</tr>").contains("22 November 2026 at 12:00"), "{users}");
}

#[tokio::test]
async fn an_invitation_expires_after_7_days() {
    let app = TestApp::new().await;
    let admin = app.sign_in("admin").await;
    let fields = [
        ("csrf", admin.csrf.as_str()),
        ("username", "sam.new"),
        ("name", "Sam New"),
        ("role", "parent_carer"),
        ("email", "sam.new@council.test"),
    ];
    app.post_form("/admin/users/new", Some(&admin), &fields).await;
    let link = invitation_link(&app).await;
    app.advance(7 * 24 * 60 + 1);
    assert_eq!(app.get(&link, None).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn administrators_must_set_up_two_step_verification_and_then_sign_in_with_a_code_each_used_once_rfc_6238_section_5_2() {
    let app = TestApp::with_config(waymark_web::Config { secure_cookies: true, ..Default::default() }).await;
    let admin = app.sign_in("admin").await;
    // Every other page sends the administrator to the set-up page.
    let users = app.get("/admin/users", Some(&admin)).await;
    assert_eq!(users.status, StatusCode::SEE_OTHER);
    assert_eq!(users.location(), "/account/two-step");
    let setup = app.get("/account/two-step", Some(&admin)).await.body;
    assert!(setup.contains("<svg") && setup.contains("Administrators must use two-step verification"), "{setup}");
    let secret = between(&setup, "<code id=\"totp-secret\">", "</code>").to_owned();
    let wrong = app.post_form("/account/two-step", Some(&admin), &[("csrf", &admin.csrf), ("code", "000000")]).await;
    assert!(wrong.body.contains("The code is not right"), "{}", wrong.body);
    let first_code = code_now(&secret, "admin");
    let on = app.post_form("/account/two-step", Some(&admin), &[("csrf", &admin.csrf), ("code", &first_code)]).await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/admin/users", Some(&admin)).await.status, StatusCode::OK);
    // Signing in again: the password, then the code; no session before the code.
    let first = app.try_sign_in("admin", common::PASSWORD).await;
    assert_eq!(first.location(), "/sign-in/code");
    let challenge = first.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    assert!(challenge.contains("waymark_code"));
    let page = app.request(Method::GET, "/sign-in/code", Some(&challenge), None, &[]).await;
    let set = page.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    let token = set.split_once('=').unwrap().1.to_owned();
    let cookies = format!("{challenge}; {set}");
    let bad = post_anonymous(&app, "/sign-in/code", &cookies, &[("csrf", &token), ("code", "123456")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // RFC 6238 section 5.2: the code that confirmed the set-up is used; it cannot sign in, even inside
    // its 30 seconds.
    let replay = post_anonymous(&app, "/sign-in/code", &cookies, &[("csrf", &token), ("code", &first_code)]).await;
    assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(replay.body.contains("That code has already been used"), "{}", replay.body);
    // The app's next code (one step ahead, inside the allowed drift) signs in, once.
    let next_code = code_at(&secret, "admin", 30);
    let good = post_anonymous(&app, "/sign-in/code", &cookies, &[("csrf", &token), ("code", &next_code)]).await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    assert_eq!(good.location(), "/admin/users");
    // Recovery: another administrator... here the same one resets a caseworker's.
    let cw = app.users["caseworker"];
    let reset = app.post_form(&format!("/admin/users/{cw}/two-step-reset"), Some(&admin), &[("csrf", &admin.csrf)]).await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    let _ = Role::LaAdmin;
}

#[tokio::test]
async fn a_person_sees_their_sessions_and_ends_another_one() {
    let app = TestApp::new().await;
    let laptop = app.sign_in("caseworker").await;
    let phone: Browser = app.sign_in("caseworker").await;
    let account = app.get("/account", Some(&laptop)).await.body;
    assert!(account.contains("Where you are signed in") && account.contains("This browser"), "{account}");
    let other = between(&account, "name=\"session\" value=\"", "\"").to_owned();
    let ended = app.post_form("/account/sessions/end", Some(&laptop), &[("csrf", &laptop.csrf), ("session", &other)]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/my-work", Some(&phone)).await.location(), "/sign-in");
    assert_eq!(app.get("/my-work", Some(&laptop)).await.status, StatusCode::OK);
    let gone = app.post_form("/account/sessions/end", Some(&laptop), &[("csrf", &laptop.csrf), ("session", &other)]).await;
    assert_eq!(gone.status, StatusCode::BAD_REQUEST);
}
