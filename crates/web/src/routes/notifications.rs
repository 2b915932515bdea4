//! Notifications in the application: each person's own list (`/notifications`), their choice of which
//! they get by email (`POST /account/notifications`), and the outbox for administrators
//! (`/admin/outbox`: counts, failures, and whether the mail server can be reached). What a message says
//! is decided in `crates/notifications`; this module only shows it.

use crate::access::Can;
use crate::error::AppError;
use crate::forms::FormData;
use crate::routes::cases::see_other;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use waymark_notifications::Topic;
use waymark_storage::{NotificationStore, Role};

pub fn router() -> Router<AppState> {
    Router::new().route("/notifications", get(list)).route("/account/notifications", post(choose)).route("/admin/outbox", get(outbox))
}

/// A time as people read it: "4 December 2026 at 14:05".
pub fn when(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y at %H:%M").to_string()
}

fn topic_label(key: &str) -> &'static str {
    Topic::parse(key).map(Topic::label).unwrap_or("Other")
}

/// The topics a role can receive, for the account page's choices.
pub fn topics_for(role: Role) -> Vec<Topic> {
    use waymark_notifications::AudienceKind;
    let kinds: &[AudienceKind] = match role {
        Role::ParentCarer | Role::YoungPerson => &[AudienceKind::Family],
        Role::LaCaseworker | Role::SendManager => &[AudienceKind::Caseworker],
        Role::Senco | Role::HealthProfessional | Role::SocialCareProfessional | Role::EducationalPsychologist => &[AudienceKind::Service],
        Role::ServiceProvider => &[AudienceKind::Provider],
        Role::LocalOfferOfficer => &[AudienceKind::LocalOfferOfficer],
        Role::LaAdmin | Role::BoardMember | Role::StrategyLead => &[],
    };
    Topic::CHOOSABLE.into_iter().filter(|t| t.audiences().iter().any(|a| kinds.contains(a))).collect()
}

/// The email choices for the account page: each topic the role can receive, and whether it is on.
pub async fn choices(state: &AppState, signed: &Signed) -> Result<Value, AppError> {
    let off = state.store.email_topics_off(signed.user().id).await?;
    let topics = topics_for(signed.user().role);
    let options: Vec<Value> = topics.iter().map(|t| json!({"value": t.key(), "text": t.label()})).collect();
    let selected: Vec<&str> = topics.iter().filter(|t| !off.contains(t)).map(|t| t.key()).collect();
    let email = state.store.user_email(signed.user().id).await?;
    Ok(json!({"options": options, "selected": selected, "email": email}))
}

async fn list(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    let rows: Vec<Value> = state
        .store
        .notifications_for(signed.user().id, 100)
        .await?
        .iter()
        .map(|n| {
            json!({
                "subject": n.subject, "paragraphs": n.body.split("\n\n").collect::<Vec<_>>(), "link": n.link,
                "when": when(n.created_at), "topic": topic_label(&n.topic),
                "emailed": match n.status.as_str() { "sent" => "Emailed", "failed" => "Could not be emailed", "not_emailed" => "Not emailed", _ => "Waiting to be emailed" },
            })
        })
        .collect();
    Ok(Html(render("notifications.html", &page(&signed, "Your notifications", "/account", json!({"rows": rows})))?))
}

async fn choose(State(state): State<AppState>, signed: Signed, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    let allowed = topics_for(signed.user().role);
    let mut on = Vec::new();
    for value in form.all("topics") {
        match Topic::parse(&value).filter(|t| allowed.contains(t)) {
            Some(t) => on.push(t),
            None => {
                return Err(AppError::BadRequest(
                    "One of the email choices is not one you can make. Go back to your account page and choose again.".into(),
                ))
            }
        }
    }
    // Topics the role cannot receive stay as they were: only the offered ones are changed.
    let mut keep_on: Vec<Topic> = Topic::CHOOSABLE.into_iter().filter(|t| !allowed.contains(t)).collect();
    let off = state.store.email_topics_off(signed.user().id).await?;
    keep_on.retain(|t| !off.contains(t));
    on.extend(keep_on);
    state.store.set_email_topics(signed.user().id, &on).await?;
    Ok(see_other("/account?emails=saved"))
}

async fn outbox(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    signed.access.require(Can::ManageUsers)?;
    let overview = state.store.outbox_overview(&signed.access.actor(), 100).await?;
    let status = state.mail.lock().map(|s| s.clone()).unwrap_or_default();
    let rows: Vec<Value> = overview
        .rows
        .iter()
        .map(|r| {
            let (label, colour) = match (r.status.as_str(), r.attempts) {
                ("sent", _) => ("Sent", "green"),
                ("failed", _) => ("Failed", "red"),
                ("sending", _) => ("Sending", "blue"),
                ("pending", 0) => ("Waiting", "grey"),
                _ => ("Retrying", "yellow"),
            };
            json!({
                "topic": topic_label(&r.topic), "user": r.user, "case": r.case.map(waymark_domain::search::case_reference), "case_id": r.case,
                "status": label, "colour": colour, "attempts": r.attempts, "created": when(r.created_at),
                "next": (r.status == "pending").then(|| r.next_attempt_at.map(when)).flatten(),
                "sent": r.sent_at.map(when), "error": r.last_error,
            })
        })
        .collect();
    let context = page(
        &signed,
        "Email outbox",
        "/admin/users",
        json!({
            "o": overview, "rows": rows, "configured": status.configured,
            "last_error": status.last_error, "last_attempt": status.last_attempt.map(when), "last_success": status.last_success.map(when),
        }),
    );
    Ok(Html(render("outbox.html", &context)?))
}
