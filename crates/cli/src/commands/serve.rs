//! `waymark serve`: the web application (pages and JSON API) on `--addr`, over the database. The
//! clock is the system's, or fixed at noon on `--today` for demonstrations and tests.

use crate::commands::store::{store_failure, system_clock};
use crate::paths::DbArg;
use crate::Failure;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use waymark_domain::calendar::parse_iso_date;
use waymark_storage::{Clock, FixedClock, SqliteStore};

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub web: WebArgs,
    /// Read settings from this TOML file (`db`, `addr`, `hsts`, `insecure_cookies`,
    /// `session_idle_minutes`, `session_absolute_hours`, `sso_issuer`, `sso_client_id`,
    /// `sso_client_secret_file`; see docs/deploy.md). Options given on the
    /// command line or in the environment win over the file.
    #[arg(long, value_name = "FILE", env = "WAYMARK_CONFIG")]
    pub config: Option<PathBuf>,
}

/// `waymark serve --config FILE`: the settings a council's IT team keeps in `/etc/waymark/waymark.toml`.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub db: Option<PathBuf>,
    pub addr: Option<String>,
    pub hsts: Option<bool>,
    pub insecure_cookies: Option<bool>,
    pub session_idle_minutes: Option<u32>,
    pub session_absolute_hours: Option<u32>,
    /// Single sign-on for staff (docs/deploy.md): the identity provider's issuer URL.
    pub sso_issuer: Option<String>,
    pub sso_client_id: Option<String>,
    /// A file holding the client secret (a systemd credential); never the secret itself.
    pub sso_client_secret_file: Option<PathBuf>,
}

impl FileConfig {
    /// Read and check the file; an error names the file, the line and what is wrong.
    pub fn read(path: &Path) -> Result<Self, Failure> {
        let text =
            std::fs::read_to_string(path).map_err(|e| Failure::input(format!("{}: cannot read the settings file: {e}", path.display())))?;
        let config: Self = toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let at = line.map(|l| format!(" line {l}:")).unwrap_or_default();
            Failure::input(format!("{}:{at} {}", path.display(), e.message()))
        })?;
        if config.session_idle_minutes == Some(0) || config.session_absolute_hours == Some(0) {
            return Err(Failure::input(format!("{}: session_idle_minutes and session_absolute_hours must be at least 1", path.display())));
        }
        Ok(config)
    }
}

/// How the web application is served (shared with `waymark demo`).
#[derive(clap::Args, Debug, Clone)]
pub struct WebArgs {
    /// The address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "HOST:PORT", env = "WAYMARK_ADDR")]
    pub addr: Option<String>,
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
    /// Staff sign in with their council account through this OpenID Connect provider (its issuer URL,
    /// e.g. https://login.microsoftonline.com/TENANT-ID/v2.0); needs --sso-client-id and a client
    /// secret ($WAYMARK_SSO_CLIENT_SECRET or --sso-client-secret-file). The redirect URL registered with
    /// the provider is --public-url followed by /sign-in/sso/callback.
    #[arg(long = "sso-issuer", value_name = "URL", env = "WAYMARK_SSO_ISSUER")]
    pub sso_issuer: Option<String>,
    /// The application (client) id the identity provider gave Waymark.
    #[arg(long = "sso-client-id", value_name = "ID", env = "WAYMARK_SSO_CLIENT_ID")]
    pub sso_client_id: Option<String>,
    /// A file holding the client secret, such as a systemd credential (%d/sso-client-secret).
    #[arg(long = "sso-client-secret-file", value_name = "FILE", env = "WAYMARK_SSO_CLIENT_SECRET_FILE")]
    pub sso_client_secret_file: Option<PathBuf>,
}

/// The client secret from the environment only (never a command-line value, which other users of the
/// machine could read from the process list).
const SSO_SECRET_ENV: &str = "WAYMARK_SSO_CLIENT_SECRET";

/// Single sign-on's settings from the command line, the environment and the settings file (in that
/// order), checked; `None` when no issuer is configured. An error names the setting that is wrong.
pub fn sso_config(web: &WebArgs, file: &FileConfig, public_url: &str) -> Result<Option<waymark_web::sso::SsoConfig>, Failure> {
    let issuer = web.sso_issuer.clone().or_else(|| file.sso_issuer.clone()).filter(|s| !s.trim().is_empty());
    let client_id = web.sso_client_id.clone().or_else(|| file.sso_client_id.clone()).filter(|s| !s.trim().is_empty());
    let Some(issuer) = issuer else {
        if client_id.is_some() {
            return Err(Failure::input("--sso-client-id is set but --sso-issuer is not: give both, or neither"));
        }
        return Ok(None);
    };
    let settings = waymark_sso::ProviderSettings::new(&issuer, client_id.as_deref().unwrap_or(""), public_url)
        .map_err(|e| Failure::input(format!("single sign-on: {e}")))?;
    let secret = match (
        std::env::var(SSO_SECRET_ENV).ok().filter(|s| !s.trim().is_empty()),
        web.sso_client_secret_file.as_ref().or(file.sso_client_secret_file.as_ref()),
    ) {
        (Some(secret), _) => secret,
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| Failure::input(format!("{}: cannot read the single sign-on client secret: {e}", path.display())))?,
        (None, None) => {
            return Err(Failure::input(format!(
                "single sign-on needs the client secret: set ${SSO_SECRET_ENV} or --sso-client-secret-file (a systemd credential)"
            )))
        }
    };
    let secret = secret.trim().to_owned();
    if secret.is_empty() {
        return Err(Failure::input("single sign-on: the client secret is empty"));
    }
    Ok(Some(waymark_web::sso::SsoConfig { settings, client_secret: secret }))
}

/// Where Waymark listens unless told otherwise: loopback only, behind the council's reverse proxy.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

impl WebArgs {
    pub fn addr(&self) -> &str {
        self.addr.as_deref().unwrap_or(DEFAULT_ADDR)
    }

    pub fn clock(&self) -> Result<Arc<dyn Clock>, Failure> {
        match &self.clock_date {
            Some(t) => Ok(Arc::new(FixedClock::at_noon(parse_iso_date(t).map_err(|e| Failure::input(format!("--clock-date: {e}")))?))),
            None => Ok(system_clock()),
        }
    }
}

/// Serve until Ctrl-C.
pub async fn serve(store: SqliteStore, clock: Arc<dyn Clock>, web: &WebArgs) -> Result<(), Failure> {
    serve_with(store, clock, web, &FileConfig::default()).await
}

/// Serve until Ctrl-C (or SIGTERM), with the settings file's values where the command line and
/// environment give none.
async fn serve_with(store: SqliteStore, clock: Arc<dyn Clock>, web: &WebArgs, file: &FileConfig) -> Result<(), Failure> {
    let addr = web.addr.as_deref().or(file.addr.as_deref()).unwrap_or(DEFAULT_ADDR);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| Failure::other(format!("cannot listen on {addr}: {e}")))?;
    let bound = listener.local_addr().map_err(|e| Failure::other(format!("cannot read the bound address: {e}")))?;
    let defaults = waymark_web::Config::default();
    let public_url = web.public_url.clone().unwrap_or_else(|| format!("http://{bound}"));
    let sso = sso_config(web, file, &public_url)?;
    let config = waymark_web::Config {
        sso,
        secure_cookies: !(web.insecure_cookies || file.insecure_cookies.unwrap_or(false)),
        hsts: web.hsts || file.hsts.unwrap_or(false),
        session_idle: file.session_idle_minutes.map_or(defaults.session_idle, |m| chrono::TimeDelta::minutes(i64::from(m))),
        session_absolute: file.session_absolute_hours.map_or(defaults.session_absolute, |h| chrono::TimeDelta::hours(i64::from(h))),
        public_url: Some(web.public_url.clone().unwrap_or_else(|| format!("http://{bound}"))),
        ..defaults
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
    let file = match &args.config {
        Some(path) => FileConfig::read(path)?,
        None => FileConfig::default(),
    };
    // --db or $WAYMARK_DB, else the file's `db`, else the data directory's.
    let db = match (&args.db.db, &file.db) {
        (None, Some(path)) => path.clone(),
        _ => args.db.path(),
    };
    runtime()?.block_on(async move {
        let store = SqliteStore::open(&db, clock.clone()).await.map_err(store_failure)?;
        serve_with(store, clock, &args.web, &file).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        web: WebArgs,
    }

    fn web(args: &[&str]) -> WebArgs {
        Cli::parse_from(std::iter::once("waymark").chain(args.iter().copied())).web
    }

    fn problem(web: &WebArgs, file: &FileConfig) -> String {
        match sso_config(web, file, "https://send.example.gov.uk") {
            Err(e) => e.message,
            Ok(c) => panic!("accepted: {c:?}"),
        }
    }

    #[test]
    fn single_sign_on_settings_are_all_or_nothing_and_each_problem_names_its_setting() {
        let none = FileConfig::default();
        assert!(matches!(sso_config(&web(&[]), &none, "https://send.example.gov.uk"), Ok(None)));
        assert!(problem(&web(&["--sso-client-id", "abc"]), &none).contains("--sso-issuer is not"));
        assert!(problem(&web(&["--sso-issuer", "https://idp.example/v2.0"]), &none).contains("sso_client_id"));
        assert!(problem(&web(&["--sso-issuer", "http://idp.example", "--sso-client-id", "abc"]), &none).contains("sso_issuer"));
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let file = FileConfig {
            sso_issuer: Some("https://idp.example/v2.0".into()),
            sso_client_id: Some("abc".into()),
            sso_client_secret_file: Some(missing.clone()),
            ..FileConfig::default()
        };
        if std::env::var_os(SSO_SECRET_ENV).is_none() {
            assert!(problem(&web(&[]), &file).contains("cannot read the single sign-on client secret"));
            // The secret from a file (a systemd credential), its trailing newline dropped; never printed.
            std::fs::write(&missing, "s3cret-value\n").unwrap();
            let Ok(Some(config)) = sso_config(&web(&[]), &file, "https://send.example.gov.uk") else { panic!("refused") };
            assert_eq!(config.client_secret, "s3cret-value");
            assert_eq!(config.settings.redirect_url, "https://send.example.gov.uk/sign-in/sso/callback");
            assert!(!format!("{config:?}").contains("s3cret"));
        }
    }
}
