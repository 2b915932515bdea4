//! Notifications end to end: an event writes its notices in its own transaction, the mail worker
//! delivers them through a real SMTP conversation with a receiver this test starts on loopback, an
//! unreachable server is retried and reported on `/admin/outbox`, and each person sees their own list
//! and chooses which emails they get.

mod common;

use common::{TestApp, PASSWORD};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use waymark_domain::calendar::parse_iso_date;
use waymark_domain::case::{AdviceParty, CaseEvent, CaseEventKind};
use waymark_storage::{Actor, NotificationStore, Scope, Store};
use waymark_web::mailer::{deliver_due, SharedStatus};

/// One message the receiver accepted: its envelope recipient and its DATA.
#[derive(Debug, Clone)]
struct Received {
    to: String,
    data: String,
}

/// A minimal SMTP receiver (RFC 5321's happy path: EHLO, MAIL, RCPT, DATA, QUIT) on a free loopback
/// port; every message it accepts is pushed to the returned list.
async fn smtp_receiver() -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Arc::new(Mutex::new(Vec::new()));
    let store = inbox.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else { return };
            let inbox = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test-receiver ready\r\n").await.unwrap();
                let (mut to, mut data, mut in_data) = (String::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            inbox.lock().unwrap().push(Received { to: std::mem::take(&mut to), data: std::mem::take(&mut data) });
                            write.write_all(b"250 2.0.0 accepted\r\n").await.unwrap();
                        } else {
                            data.push_str(line.strip_prefix('.').unwrap_or(&line));
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-test-receiver\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        to = line[8..].trim().trim_matches(|c| c == '<' || c == '>').to_owned();
                        b"250 2.1.5 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if upper.starts_with("QUIT") {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, inbox)
}

fn transport(port: u16) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(&format!("smtp://127.0.0.1:{port}"))
        .unwrap()
        .timeout(Some(std::time::Duration::from_secs(5)))
        .build()
}

fn from() -> Mailbox {
    "Waymark <no-reply@waymark.test>".parse().unwrap()
}

fn setup() -> Actor {
    Actor::new("test-setup", Scope::All)
}

/// Dara's case (still at the request) moves on: the decision to assess and health advice asked on
/// 20 November 2026, due on 1 January 2027 (6 weeks, SEND Regulations 2014 reg 8(1)).
async fn request_health_advice(app: &TestApp) {
    let dara = app.kid("dara").case;
    let d = |s: &str| parse_iso_date(s).unwrap();
    let events = vec![
        CaseEvent::new(d("2026-11-20"), CaseEventKind::DecidedToAssess),
        CaseEvent::new(d("2026-11-20"), CaseEventKind::AdviceRequested { party: AdviceParty::Health }),
    ];
    let version = app.store.get_case(&setup(), dara).await.unwrap().version;
    app.store.record_case_events(&setup(), dara, version, events, "advice requested").await.unwrap();
}

#[tokio::test]
async fn advice_requested_reaches_the_health_services_inbox_once_with_its_due_date_and_no_name() {
    let app = TestApp::new().await;
    app.store.set_user_email(&setup(), app.users["health"], Some("health.team@nhs.test")).await.unwrap();
    request_health_advice(&app).await;
    let (port, inbox) = smtp_receiver().await;
    let status = SharedStatus::default();
    let sent = deliver_due(&app.store, app.clock.as_ref(), &transport(port), &from(), "https://waymark.test", &status).await.unwrap();
    assert_eq!(sent, 1);
    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, "health.team@nhs.test");
    let mail = &got[0].data;
    assert!(mail.contains("Friday 1 January 2027"), "{mail}");
    assert!(mail.contains("https://waymark.test/advice"), "{mail}");
    assert!(mail.contains("D.W."), "initials: {mail}");
    for personal in ["Daramola", "Wetherspoon", "2012"] {
        assert!(!mail.contains(personal), "{personal} in {mail}");
    }
    // Sent once: a second round finds nothing to send.
    let again = deliver_due(&app.store, app.clock.as_ref(), &transport(port), &from(), "https://waymark.test", &status).await.unwrap();
    assert_eq!(again, 0);
    assert_eq!(inbox.lock().unwrap().len(), 1);
    // The health professional sees it in the application, marked as emailed.
    let health = app.sign_in("health").await;
    let page = app.get("/notifications", Some(&health)).await.body;
    assert!(page.contains("advice requested, due by Friday 1 January 2027") && page.contains("Emailed"), "{page}");
    // The family was told of the decision to assess, in the application (no email address on file).
    let parent_list = app.store.notifications_for(app.users["parent"], 10).await.unwrap();
    assert!(parent_list.iter().all(|n| !n.subject.contains("will carry out")), "the parent is Amber's, not Dara's");
}

#[tokio::test]
async fn a_refused_event_writes_no_notification() {
    let app = TestApp::new().await;
    app.store.set_user_email(&setup(), app.users["health"], Some("health.team@nhs.test")).await.unwrap();
    let dara = app.kid("dara").case;
    let before = app.store.notifications_for(app.users["health"], 10).await.unwrap().len();
    // Advice cannot be asked before the decision to assess: the lifecycle refuses, nothing is written.
    let refused = app
        .store
        .record_case_events(
            &setup(),
            dara,
            1,
            vec![CaseEvent::new(parse_iso_date("2026-11-20").unwrap(), CaseEventKind::AdviceRequested { party: AdviceParty::Health })],
            "x",
        )
        .await;
    assert!(refused.is_err());
    assert_eq!(app.store.notifications_for(app.users["health"], 10).await.unwrap().len(), before);
}

#[tokio::test]
async fn an_unreachable_mail_server_is_retried_and_the_outbox_page_says_so() {
    let app = TestApp::new().await;
    app.store.set_user_email(&setup(), app.users["health"], Some("health.team@nhs.test")).await.unwrap();
    request_health_advice(&app).await;
    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let sent =
        deliver_due(&app.store, app.clock.as_ref(), &transport(port), &from(), "https://waymark.test", &app.state.mail).await.unwrap();
    assert_eq!(sent, 0);
    let overview = app.store.outbox_overview(&setup(), 10).await.unwrap();
    assert_eq!((overview.pending, overview.retrying, overview.sent), (1, 1, 0));
    let row = &overview.rows[0];
    assert_eq!(row.attempts, 1);
    assert_eq!(row.next_attempt_at, Some(waymark_storage::Clock::now(app.clock.as_ref()) + chrono::TimeDelta::seconds(30)));
    let admin = app.sign_in("admin").await;
    let page = app.get("/admin/outbox", Some(&admin)).await.body;
    assert!(page.contains("The mail server could not be reached"), "{page}");
    assert!(page.contains("Retrying") && page.contains("Next try"), "{page}");
    // Not yet due again; once the backoff has passed, a working server gets it.
    let (up, inbox) = smtp_receiver().await;
    assert_eq!(deliver_due(&app.store, app.clock.as_ref(), &transport(up), &from(), "https://w.test", &app.state.mail).await.unwrap(), 0);
    app.advance(1);
    assert_eq!(deliver_due(&app.store, app.clock.as_ref(), &transport(up), &from(), "https://w.test", &app.state.mail).await.unwrap(), 1);
    assert_eq!(inbox.lock().unwrap().len(), 1);
    // Other roles may not see the outbox.
    let cw = app.sign_in("caseworker").await;
    assert_eq!(app.get("/admin/outbox", Some(&cw)).await.status, axum::http::StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_person_who_turns_an_email_off_still_sees_it_listed_but_gets_no_email() {
    let app = TestApp::new().await;
    app.store.set_user_email(&setup(), app.users["health"], Some("health.team@nhs.test")).await.unwrap();
    let health = app.sign_in("health").await;
    let account = app.get("/account", Some(&health)).await.body;
    assert!(account.contains("Advice or views are asked of you") && !account.contains("A draft plan is issued"), "{account}");
    // Keep only the reminders: advice requests are turned off.
    let saved = app
        .post_form(
            "/account/notifications",
            Some(&health),
            &[("csrf", &health.csrf), ("topics", "advice_reminder"), ("topics", "advice_overdue")],
        )
        .await;
    assert_eq!(saved.status, axum::http::StatusCode::SEE_OTHER);
    let bad = app.post_form("/account/notifications", Some(&health), &[("csrf", &health.csrf), ("topics", "draft_issued")]).await;
    assert_eq!(bad.status, axum::http::StatusCode::BAD_REQUEST);
    request_health_advice(&app).await;
    let (port, inbox) = smtp_receiver().await;
    assert_eq!(deliver_due(&app.store, app.clock.as_ref(), &transport(port), &from(), "https://w.test", &app.state.mail).await.unwrap(), 0);
    assert!(inbox.lock().unwrap().is_empty());
    let page = app.get("/notifications", Some(&health)).await.body;
    assert!(page.contains("advice requested") && page.contains("Not emailed"), "{page}");
    let _ = PASSWORD;
}
