//! The mail worker: delivers the outbox over SMTP (lettre), in the background of `waymark serve`.
//!
//! * Each round it adds the day's reminders (once a day; [`NotificationStore::enqueue_reminders`] and,
//!   for Local Offer listings not confirmed for 12 months, [`DirectoryStore::enqueue_listing_reminders`]
//!   are idempotent), then claims the rows due ([`NotificationStore::claim_outbox`]) and sends them one by
//!   one. A sent row is marked sent; a failure is retried with exponential backoff (30 s doubling, at
//!   most an hour apart) up to [`MAX_ATTEMPTS`], then marked failed. A permanent refusal by the server
//!   (a 5xx reply, or an address that cannot be parsed) fails at once.
//! * None is lost: rows are written with their event and stay until sent or failed. None is sent twice
//!   while the worker runs: a row is claimed before it is sent and marked sent after; only a worker that
//!   dies between the server's acceptance and the mark can send a row again, when its claim expires
//!   (ADR 0021).
//! * Without `--smtp-url` the worker still adds reminders (they are listed in the application) and
//!   leaves emails waiting; `/admin/outbox` says no mail server is configured.
//! * The logs name notification ids and outcomes, never an address, a subject or a body.

use crate::AppState;
use chrono::{DateTime, TimeDelta, Utc};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use waymark_storage::{Clock, DirectoryStore, NotificationStore, OutboxItem, SqliteStore};

/// Attempts before a notification is marked failed.
pub const MAX_ATTEMPTS: i64 = 10;
/// How many rows one round claims.
const BATCH: i64 = 20;

/// How the worker sends mail.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:port` (plain), `smtp://host:port?tls=required` (STARTTLS), `smtps://host:port`
    /// (TLS), with `user:password@` for credentials. `None`: no mail is sent.
    pub smtp_url: Option<String>,
    /// The sender, like `Waymark <no-reply@council.example>`.
    pub from: String,
    /// The service's public address, for links in emails (no trailing slash).
    pub base_url: String,
    /// How long the worker waits between rounds.
    pub poll: Duration,
}

/// What the worker last saw, for `/admin/outbox`.
#[derive(Debug, Clone, Default)]
pub struct MailStatus {
    pub configured: bool,
    /// The last round that tried to send: when, and the error if the server could not be reached.
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_success: Option<DateTime<Utc>>,
}

pub type SharedStatus = Arc<Mutex<MailStatus>>;

/// The wait before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min, ... at most 1 hour.
pub fn backoff(attempts: i64) -> TimeDelta {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    TimeDelta::seconds((30_i64 << exp).min(3600))
}

/// Start the worker on the current tokio runtime. An SMTP address lettre cannot read is refused here,
/// before the server starts.
pub fn start(state: &AppState, config: MailConfig) -> Result<tokio::task::JoinHandle<()>, String> {
    let transport = match &config.smtp_url {
        Some(url) => Some(
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| format!("--smtp-url: {e} (expected smtp://HOST:PORT, smtp://HOST:PORT?tls=required or smtps://HOST:PORT)"))?
                .timeout(Some(Duration::from_secs(20)))
                .build(),
        ),
        None => None,
    };
    let from: Mailbox = config.from.parse().map_err(|e| format!("--mail-from: {e}"))?;
    state.mail.lock().map_err(|_| "mail status poisoned".to_owned())?.configured = transport.is_some();
    let (store, clock, status) = (state.store.clone(), state.clock.clone(), state.mail.clone());
    Ok(tokio::spawn(async move {
        let mut reminded: Option<waymark_domain::calendar::Date> = None;
        loop {
            let today = clock.today();
            if reminded != Some(today) {
                let cases = store.enqueue_reminders(today).await;
                // Local Offer listings not confirmed for 12 months: their providers are reminded.
                let listings = store.enqueue_listing_reminders(today).await;
                match (cases, listings) {
                    (Ok(_), Ok(_)) => reminded = Some(today),
                    (Err(e), _) | (_, Err(e)) => tracing::warn!(error = %e, "could not work out today's reminders"),
                }
            }
            if let Some(t) = &transport {
                if let Err(e) = deliver_due(&store, clock.as_ref(), t, &from, &config.base_url, &status).await {
                    tracing::warn!(error = %e, "the outbox could not be read");
                }
            }
            tokio::time::sleep(config.poll).await;
        }
    }))
}

/// One round: claim what is due and send it. Returns how many were sent.
pub async fn deliver_due(
    store: &SqliteStore,
    clock: &dyn Clock,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    base_url: &str,
    status: &SharedStatus,
) -> waymark_storage::Result<usize> {
    let items = store.claim_outbox(clock.now(), BATCH, TimeDelta::minutes(5)).await?;
    let mut sent = 0;
    for item in items {
        let outcome = send_one(transport, from, base_url, &item).await;
        let now = clock.now();
        if let Ok(mut s) = status.lock() {
            s.configured = true;
            s.last_attempt = Some(now);
            match &outcome {
                Ok(()) => {
                    s.last_success = Some(now);
                    s.last_error = None;
                }
                Err((e, _)) => s.last_error = Some(e.clone()),
            }
        }
        match outcome {
            Ok(()) => {
                store.mark_sent(item.id, now).await?;
                tracing::info!(notification_id = item.id, topic = %item.topic, "email sent");
                sent += 1;
            }
            Err((error, permanent)) => {
                let retry = (!permanent && item.attempts < MAX_ATTEMPTS).then(|| now + backoff(item.attempts));
                store.mark_not_sent(item.id, &error, retry).await?;
                tracing::warn!(notification_id = item.id, attempts = item.attempts, retry = retry.is_some(), "email not sent");
            }
        }
    }
    Ok(sent)
}

/// Send one row; an error says what went wrong and whether it is permanent.
async fn send_one(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    base_url: &str,
    item: &OutboxItem,
) -> Result<(), (String, bool)> {
    let to: Mailbox = item.email_to.parse().map_err(|_| ("the recipient's email address cannot be used".to_owned(), true))?;
    let text =
        if item.topic == "invitation" { item.body.clone() } else { waymark_notifications::email_text(&item.body, &item.link, base_url) };
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(item.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(text)
        .map_err(|e| (format!("the message could not be built: {e}"), true))?;
    transport.send(message).await.map(|_| ()).map_err(|e| {
        let permanent = e.is_permanent();
        let text = if permanent {
            format!("the mail server refused the message: {e}")
        } else {
            format!("the mail server could not be reached or did not accept the message: {e}")
        };
        (text, permanent)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_30_seconds_doubling_to_an_hour() {
        assert_eq!(backoff(1), TimeDelta::seconds(30));
        assert_eq!(backoff(2), TimeDelta::seconds(60));
        assert_eq!(backoff(5), TimeDelta::seconds(480));
        assert_eq!(backoff(9), TimeDelta::seconds(3600));
        assert_eq!(backoff(100), TimeDelta::seconds(3600));
    }
}
