//! Issue 12: the application under attack, load and faults. Sign-in bursts, refused reads audited, the
//! API's strictness, cookie names, and reads during a long write.

mod common;

use axum::http::StatusCode;
use common::{TestApp, PASSWORD};
use std::sync::Arc;

/// The outcome of each attempt in a burst: (checked, refused by throttling).
fn tally(statuses: &[StatusCode]) -> (usize, usize) {
    let throttled = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    (statuses.len() - throttled, throttled)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_parallel_guesses_is_checked_at_most_the_account_limit_and_the_right_password_is_then_refused() {
    let app = Arc::new(TestApp::new().await);
    let limit = waymark_web::Config::default().max_account_failures as usize;
    let mut wrong = Vec::new();
    for i in 0..30 {
        let app = app.clone();
        wrong.push(tokio::spawn(async move { app.try_sign_in("caseworker", &format!("wrong guess number {i}")).await.status }));
    }
    // The right password, sent while the wrong guesses are still being checked: before this change the
    // count was read before and written after the (slow) check, so it read zero failures and signed in.
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let right = app.try_sign_in("caseworker", PASSWORD).await.status;
    let mut statuses = Vec::new();
    for task in wrong {
        statuses.push(task.await.unwrap());
    }
    let (checked, throttled) = tally(&statuses);
    assert!(checked <= limit, "{checked} of 30 parallel guesses were checked; the limit is {limit}");
    assert_eq!(checked + throttled, 30);
    assert!(statuses.iter().all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY || *s == StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(right, StatusCode::TOO_MANY_REQUESTS, "the right password in the burst is refused once the account is locked");
    assert_eq!(app.try_sign_in("caseworker", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS, "and stays refused");
    app.advance(16);
    assert_eq!(app.try_sign_in("caseworker", PASSWORD).await.status, StatusCode::SEE_OTHER, "the lock ends with the window");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_across_many_accounts_from_one_address_is_checked_at_most_the_address_limit() {
    let config = waymark_web::Config { max_address_failures: 8, secure_cookies: true, ..Default::default() };
    let app = Arc::new(TestApp::with_config(config).await);
    let mut tasks = Vec::new();
    for i in 0..30 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move { app.try_sign_in(&format!("nobody{i}"), "a wrong password").await.status }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let (checked, _) = tally(&statuses);
    assert!(checked <= 8, "{checked} of 30 parallel guesses from one address were checked; the limit is 8");
    assert_eq!(app.try_sign_in("manager", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
}
