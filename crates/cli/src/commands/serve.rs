//! `waymark serve`: the web application (pages and JSON API) on `--addr`, over the database. The
//! clock is the system's, or fixed at noon on `--today` for demonstrations and tests.

use crate::commands::store::{store_failure, system_clock};
use crate::paths::DbArg;
use crate::Failure;
use std::sync::Arc;
use waymark_domain::calendar::parse_iso_date;
use waymark_storage::{Clock, FixedClock, SqliteStore};

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub web: WebArgs,
}

/// How the web application is served (shared with `waymark demo`).
#[derive(clap::Args, Debug, Clone)]
pub struct WebArgs {
    /// The address and port to listen on.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080", env = "WAYMARK_ADDR")]
    pub addr: String,
    /// Send cookies without the Secure attribute. Only for plain HTTP on a host other than localhost
    /// (browsers treat http://127.0.0.1 and http://localhost as secure already); never in production.
    #[arg(long, env = "WAYMARK_INSECURE_COOKIES")]
    pub insecure_cookies: bool,
    /// Send Strict-Transport-Security: set this when Waymark is reached over HTTPS (behind a TLS proxy).
    #[arg(long, env = "WAYMARK_HSTS")]
    pub hsts: bool,
    /// Count statutory deadlines to this date instead of today (the clock stands at noon on it).
    #[arg(long = "clock-date", value_name = "DATE")]
    pub clock_date: Option<String>,
    /// The mail server notifications are sent through: smtp://HOST:PORT (plain, for a relay on the
    /// same host), smtp://HOST:PORT?tls=required (STARTTLS) or smtps://HOST:PORT (TLS), with
    /// USER:PASSWORD@ before the host for credentials. Without it, emails wait in the outbox.
    #[arg(long = "smtp-url", value_name = "URL", env = "WAYMARK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of notification emails.
    #[arg(long = "mail-from", value_name = "MAILBOX", env = "WAYMARK_MAIL_FROM", default_value = "Waymark <no-reply@waymark.invalid>")]
    pub mail_from: String,
    /// The address people reach Waymark at, for links in emails (default: http:// and --addr).
    #[arg(long = "public-url", value_name = "URL", env = "WAYMARK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Seconds between the mail worker's rounds.
    #[arg(long = "mail-poll-seconds", value_name = "SECONDS", default_value_t = 10)]
    pub mail_poll_seconds: u64,
}

impl WebArgs {
    pub fn clock(&self) -> Result<Arc<dyn Clock>, Failure> {
        match &self.clock_date {
            Some(t) => Ok(Arc::new(FixedClock::at_noon(parse_iso_date(t).map_err(|e| Failure::input(format!("--clock-date: {e}")))?))),
            None => Ok(system_clock()),
        }
    }
}

/// Serve until Ctrl-C.
pub async fn serve(store: SqliteStore, clock: Arc<dyn Clock>, web: &WebArgs) -> Result<(), Failure> {
    let listener =
        tokio::net::TcpListener::bind(&web.addr).await.map_err(|e| Failure::other(format!("cannot listen on {}: {e}", web.addr)))?;
    let bound = listener.local_addr().map_err(|e| Failure::other(format!("cannot read the bound address: {e}")))?;
    let config = waymark_web::Config {
        secure_cookies: !web.insecure_cookies,
        hsts: web.hsts,
        public_url: Some(web.public_url.clone().unwrap_or_else(|| format!("http://{bound}"))),
        ..Default::default()
    };
    let state = waymark_web::AppState::new(store, clock, config);
    let mail = waymark_web::mailer::MailConfig {
        smtp_url: web.smtp_url.clone().filter(|u| !u.trim().is_empty()),
        from: web.mail_from.clone(),
        base_url: web.public_url.clone().unwrap_or_else(|| format!("http://{bound}")).trim_end_matches('/').to_owned(),
        poll: std::time::Duration::from_secs(web.mail_poll_seconds.max(1)),
    };
    waymark_web::mailer::start(&state, mail).map_err(Failure::input)?;
    println!("Waymark is serving on http://{bound}/ (press Ctrl-C to stop).");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    waymark_web::serve(state, listener).await.map_err(|e| Failure::other(format!("the server stopped: {e}")))
}

pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| Failure::other(format!("cannot start: {e}")))
}

pub fn run(args: Args) -> Result<(), Failure> {
    let clock = args.web.clock()?;
    runtime()?.block_on(async move {
        let store = SqliteStore::open(&args.db.path(), clock.clone()).await.map_err(store_failure)?;
        serve(store, clock, &args.web).await
    })
}
