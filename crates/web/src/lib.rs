//! Waymark's web application: server-rendered pages on GOV.UK Frontend (working without JavaScript)
//! and a JSON API under `/api/v1`, for every role in a local area's SEND partnership.
//!
//! * **Access in the queries.** Every handler reaches children and cases only through [`access::Access`],
//!   built from the signed-in user's role. It turns the role into a storage [`waymark_storage::Selection`]
//!   (a SENCO's setting, a professional's service, a family's own children) that the SQL applies, inside
//!   the LA [`waymark_storage::Scope`]; anything else behaves as missing (404), exactly like a record that
//!   does not exist. Board members have no selection at all: they reach aggregates only.
//! * **Sessions.** A random 256-bit token in an `HttpOnly`, `SameSite=Lax` cookie (`Secure` unless turned
//!   off for plain-HTTP localhost), stored only as its SHA-256; an idle and an absolute expiry. Every form
//!   carries the session's CSRF token (synchroniser pattern); the API takes it in `X-CSRF-Token`.
//! * **Sign-in.** argon2id password hashes; repeated failures are throttled per account and per address.
//! * **Audit and logs.** Every read and write of a child's record is audited by the store; `tracing` gets
//!   the route, status and latency, never personal data.
//! * **Headers.** A strict Content-Security-Policy (no inline script or style), `frame-ancestors 'none'`,
//!   `nosniff`, a referrer policy, `no-store` on pages, and HSTS when served behind TLS.

pub mod access;
mod assets;
mod cache;
pub mod error;
mod forms;
mod frameworks;
mod ics;
mod local_offer;
pub mod mailer;
mod messages;
pub mod metrics;
mod query;
mod routes;
mod security;
mod sen2_cache;
pub mod session;
pub mod sso;
mod templates;
mod views;

use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use waymark_storage::{AuditSink, Clock, SqliteStore};

/// How the application runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` (only sent over HTTPS). Turn off only for plain HTTP on localhost.
    pub secure_cookies: bool,
    /// Send `Strict-Transport-Security`: only when the service is reached over TLS.
    pub hsts: bool,
    /// A session ends after this long without a request.
    pub session_idle: chrono::TimeDelta,
    /// A session ends this long after sign-in, however active.
    pub session_absolute: chrono::TimeDelta,
    /// Failed sign-ins to one account within `throttle_window` before it is locked for that window.
    pub max_account_failures: i64,
    /// Failed sign-ins from one address within `throttle_window` before it is refused.
    pub max_address_failures: i64,
    pub throttle_window: chrono::TimeDelta,
    /// The address people reach the service at, for links in emails (`--public-url`); without it, the
    /// request's host.
    pub public_url: Option<String>,
    /// Administrators must set up two-step verification before using any other page.
    pub require_admin_two_step: bool,
    /// Public form posts (survey responses, feedback) from one address within `throttle_window` before
    /// more are refused: bots are slowed, people are not.
    pub max_public_posts: i64,
    /// Staff sign-in through the council's identity provider (OpenID Connect), when configured.
    pub sso: Option<sso::SsoConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            hsts: false,
            session_idle: chrono::TimeDelta::minutes(30),
            session_absolute: chrono::TimeDelta::hours(12),
            max_account_failures: 5,
            max_address_failures: 50,
            throttle_window: chrono::TimeDelta::minutes(15),
            public_url: None,
            require_admin_two_step: true,
            max_public_posts: 60,
            sso: None,
        }
    }
}

/// Half-done sign-ins waiting for a two-step code: by the SHA-256 of the cookie token, the account and
/// when the wait lapses.
pub(crate) type Challenges =
    Arc<std::sync::Mutex<std::collections::HashMap<String, (waymark_storage::UserRecord, chrono::DateTime<chrono::Utc>)>>>;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: SqliteStore,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    caseload: Arc<cache::CaseloadCache>,
    /// The performance frameworks computed per LA scope (see [`frameworks`]).
    frameworks: Arc<frameworks::FrameworkCache>,
    /// Commits the audit entries of reads together (see [`AuditSink`]).
    audit: AuditSink,
    /// Request counts and latency for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// What the mail worker last saw, for `/admin/outbox` (see [`mailer`]).
    pub mail: mailer::SharedStatus,
    /// Sign-ins that passed their password and wait for a two-step code, by the SHA-256 of their
    /// cookie token, with when they lapse (see `routes/account.rs`).
    pub(crate) challenges: Challenges,
    /// The Local Offer's published directory in memory and its search counter.
    local_offer: Arc<local_offer::LocalOffer>,
    /// The council's identity provider, when single sign-on is configured (see [`sso`]).
    pub(crate) sso: Option<Arc<sso::Provider>>,
    /// The SEN2 return's findings per LA and year until the data changes (see [`sen2_cache`]).
    sen2_checks: Arc<sen2_cache::Sen2Checks>,
}

impl AppState {
    /// Whether the dashboards are still being warmed as the server starts (`/readyz` waits for them).
    pub fn frameworks_warming(&self) -> bool {
        self.frameworks.warming()
    }

    /// How many times the caseload cache has read every case in its scope (a change to a few cases is
    /// patched in and does not count).
    pub fn caseload_whole_reads(&self) -> u64 {
        self.caseload.whole_reads()
    }

    /// How many times a SEN2 return has been checked (views with nothing changed reuse the findings).
    pub fn sen2_checks(&self) -> u64 {
        self.sen2_checks.checks()
    }

    /// Read each LA's dashboard table and compute its frameworks (what [`serve`] starts with); the
    /// server counts as warming, and `/readyz` says so, from this call until the future completes.
    pub fn warm_dashboards(&self) -> impl std::future::Future<Output = ()> {
        frameworks::warm(self.clone())
    }

    /// Build the state; call inside the tokio runtime (it starts the audit writer).
    pub fn new(store: SqliteStore, clock: Arc<dyn Clock>, config: Config) -> Self {
        templates::Templates::load();
        let audit = AuditSink::start(&store);
        let local_offer = Arc::new(local_offer::LocalOffer::start(&store));
        let sso = config.sso.clone().and_then(|c| match sso::Provider::new(c) {
            Ok(p) => Some(Arc::new(p)),
            Err(e) => {
                tracing::error!(error = %e, "single sign-on is configured but cannot start; staff sign in with passwords only");
                None
            }
        });
        Self {
            sso,
            local_offer,
            audit,
            store,
            clock,
            config: Arc::new(config),
            caseload: Arc::new(cache::CaseloadCache::default()),
            frameworks: Arc::new(frameworks::FrameworkCache::default()),
            metrics: Arc::new(metrics::Metrics::new()),
            mail: mailer::SharedStatus::default(),
            challenges: Arc::default(),
            sen2_checks: Arc::default(),
        }
    }
}

/// The whole application: pages, API, assets, security headers and request logging.
pub fn app(state: AppState) -> Router {
    routes::router(state.clone()).layer(axum::middleware::from_fn_with_state(state, security::headers_and_logging))
}

/// Serve on `listener` until Ctrl-C (or SIGTERM).
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    tokio::spawn(state.warm_dashboards());
    let router = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, router).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// The survey answers behind survey-sourced indicators (issue 16), for `waymark indicators` too.
pub use frameworks::survey_counts;

/// Hash a password with argon2id (for accounts made outside the web pages, such as the demo's).
pub fn hash_password(password: &str) -> Result<String, error::AppError> {
    session::hash_password(password)
}
