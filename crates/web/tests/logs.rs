//! What reaches the logs. In its own test binary: a thread-local subscriber sees every event only when
//! no other test in the process is registering the same log sites without one.

mod common;

use common::{TestApp, PASSWORD};

/// Collects everything logged, for the test below.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_carry_routes_statuses_and_ids_but_never_a_name_upn_username_or_password() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info,waymark_web=debug,waymark_storage=debug"))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = TestApp::new().await;
    app.try_sign_in("caseworker", "a wrong password").await;
    let cw = app.sign_in("caseworker").await;
    let amber = app.kid("amber").clone();
    app.get("/caseload", Some(&cw)).await;
    app.get(&format!("/cases/{}", amber.case), Some(&cw)).await;
    app.get(&format!("/children/{}", amber.child), Some(&cw)).await;
    let fields = [
        ("csrf", cw.csrf.as_str()),
        ("version", "4"),
        ("party", "health"),
        ("date-day", "10"),
        ("date-month", "11"),
        ("date-year", "2026"),
    ];
    app.post_form(&format!("/cases/{}/actions/advice-received/confirm", amber.case), Some(&cw), &fields).await;
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("route=\"/cases/{id}\"") && logs.contains("status=200"), "{logs}");
    assert!(logs.contains(&amber.case.to_string()), "ids are logged");
    // Issue 12: each request line carries a request id and the signed-in user's id.
    let user = app.users["caseworker"].to_string();
    assert!(
        logs.lines()
            .any(|l| l.contains("route=\"/cases/{id}\"") && l.contains(&format!("user_id=\"{user}\"")) && l.contains("request_id=")),
        "{logs}"
    );
    for secret in [amber.name.as_str(), amber.upn.as_str(), "Amberly", "Test caseworker", "a wrong password", PASSWORD, &cw.csrf] {
        assert!(!logs.contains(secret), "the logs hold {secret}");
    }
    assert!(!logs.contains("username=caseworker") && !logs.contains("\"caseworker\""));
}
