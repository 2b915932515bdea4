//! Feedback and "you said, we did" (issue 16). `/feedback?about=PATH` is a generic "was this page
//! helpful? tell us more" form any public page (a Local Offer service page, the family's own EHC
//! journey) links to: anonymous, CSRF-protected by a double-submit cookie and rate-limited per address
//! like the public survey form. Staff read the feedback and publish "you said, we did" entries, each
//! linked to the themes (and survey) it answers; `/local-offer/you-said-we-did` lists them publicly.

use super::surveys::{public_post_allowed, PUBLIC_COOKIE};
use crate::access::Can;
use crate::error::AppError;
use crate::forms::{Errors, FormData};
use crate::query::PageQuery;
use crate::routes::cases::see_other;
use crate::session::{self, cookie, random_token, same_secret, set_cookie, Signed};
use crate::templates::{page, render};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::net::SocketAddr;
use waymark_storage::{Feedback, SurveyStore, VoiceStore, YouSaidWeDid, MAX_VOICE_TEXT};
use waymark_surveys::themes::Theme;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/feedback", get(feedback_form).post(feedback_submit))
        .route("/surveys/feedback", get(feedback_list))
        .route("/surveys/you-said-we-did", get(entry_form).post(entry_submit))
        .route("/local-offer/you-said-we-did", get(public_list))
}

#[derive(serde::Deserialize, Default)]
struct AboutQuery {
    #[serde(default)]
    about: String,
}

/// A page on this service the feedback is about, or `/` when the link gave none or something else
/// (never another site: the thanks page links back to it).
fn about_path(text: &str) -> String {
    let t = text.trim();
    let ok = t.starts_with('/') && !t.starts_with("//") && t.len() <= 200 && t.chars().all(|c| c.is_ascii_graphic() && c != '\\');
    if ok {
        t.to_owned()
    } else {
        "/".to_owned()
    }
}

fn feedback_page(
    state: &AppState,
    status: StatusCode,
    about: &str,
    csrf: &str,
    form: &FormData,
    errors: &Errors,
) -> Result<Response, AppError> {
    let html = render(
        "feedback.html",
        &json!({"title": "Was this page helpful?", "about": about, "csrf": csrf, "errors": errors.0, "error_map": errors.map(),
                "helpful": form.get("helpful"), "comment": form.raw("comment"),
                "options": [{"value": "yes", "text": "Yes"}, {"value": "no", "text": "No"}]}),
    )?;
    Ok((status, [(header::SET_COOKIE, set_cookie(state, PUBLIC_COOKIE, csrf, Some(3600 * 4)))], Html(html)).into_response())
}

async fn feedback_form(State(state): State<AppState>, PageQuery(q): PageQuery<AboutQuery>) -> Result<Response, AppError> {
    feedback_page(&state, StatusCode::OK, &about_path(&q.about), &random_token(), &FormData::default(), &Errors::default())
}

async fn feedback_submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    let expected = cookie(&headers, &session::cookie_name(&state, PUBLIC_COOKIE)).unwrap_or_default().to_owned();
    if !same_secret(&form.get("csrf"), &expected) {
        return Err(AppError::Csrf);
    }
    if !public_post_allowed(&state, &peer).await? {
        let html = render(
            "error.html",
            &json!({"title": "Too many messages from your connection", "kind": "errors/400.html",
            "message": "We have had a lot of messages from your internet connection. Wait 15 minutes, then try again."}),
        )?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, Html(html)).into_response());
    }
    let about = about_path(&form.get("about"));
    let helpful = match form.get("helpful").as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let comment = form.raw("comment").trim().to_owned();
    let mut errors = Errors::default();
    if helpful.is_none() && comment.is_empty() {
        errors.add("helpful", "helpful", "Select yes or no, or tell us more");
    }
    if comment.chars().count() > MAX_VOICE_TEXT {
        errors.add("comment", "comment", format!("What you tell us must be {MAX_VOICE_TEXT} characters or fewer"));
    }
    if !errors.is_empty() {
        return feedback_page(&state, StatusCode::UNPROCESSABLE_ENTITY, &about, &expected, &form, &errors);
    }
    state.store.add_feedback(&Feedback { about: about.clone(), helpful, comment, received_on: state.clock.today() }).await?;
    let html = render("feedback_thanks.html", &json!({"title": "Thank you for your feedback", "about": about}))?;
    Ok((StatusCode::OK, Html(html)).into_response())
}

async fn feedback_list(State(state): State<AppState>, signed: Signed) -> Result<Html<String>, AppError> {
    signed.access.require(Can::Surveys)?;
    let list = state.store.feedback(&signed.access.actor(), 500).await?;
    let (yes, no) = (list.iter().filter(|f| f.helpful == Some(true)).count(), list.iter().filter(|f| f.helpful == Some(false)).count());
    let rows: Vec<Value> = list
        .iter()
        .map(|f| {
            json!({"on": crate::views::long_date(f.received_on), "about": f.about, "comment": f.comment,
                   "helpful": match f.helpful { Some(true) => "Yes", Some(false) => "No", None => "Not said" }})
        })
        .collect();
    let context = page(
        &signed,
        "Feedback on pages",
        "/surveys",
        json!({"rows": rows, "yes": waymark_indicators::present::count(yes as u64), "no": waymark_indicators::present::count(no as u64)}),
    );
    Ok(Html(render("feedback_list.html", &context)?))
}

async fn survey_options(state: &AppState, signed: &Signed) -> Result<Vec<Value>, AppError> {
    let mut options = vec![json!({"value": "", "text": "None"})];
    for s in state.store.surveys(&signed.access.actor()).await? {
        options.push(json!({"value": s.id.to_string(), "text": s.survey.title}));
    }
    Ok(options)
}

async fn render_entry(
    state: &AppState,
    signed: &Signed,
    form: &FormData,
    errors: &Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let context = page(
        signed,
        "Publish a \u{201c}you said, we did\u{201d} entry",
        "/surveys",
        json!({"errors": errors.0, "error_map": errors.map(), "surveys": survey_options(state, signed).await?,
               "values": {"you_said": form.raw("you_said"), "we_did": form.raw("we_did"), "themes": form.get("themes"), "survey": form.get("survey")}}),
    );
    Ok((status, Html(render("you_said_we_did_form.html", &context)?)).into_response())
}

async fn entry_form(State(state): State<AppState>, signed: Signed) -> Result<Response, AppError> {
    signed.access.require(Can::Surveys)?;
    render_entry(&state, &signed, &FormData::default(), &Errors::default(), StatusCode::OK).await
}

async fn entry_submit(State(state): State<AppState>, signed: Signed, body: Bytes) -> Result<Response, AppError> {
    let form = FormData::parse(&body);
    signed.check_csrf(Some(&form.get("csrf")))?;
    signed.access.require(Can::Surveys)?;
    let la = signed.user().la.ok_or(AppError::Forbidden)?;
    let mut errors = Errors::default();
    let (you_said, we_did) = (form.raw("you_said").trim().to_owned(), form.raw("we_did").trim().to_owned());
    if you_said.is_empty() {
        errors.add("you_said", "you_said", "Enter what families told us");
    } else if you_said.chars().count() > MAX_VOICE_TEXT {
        errors.add("you_said", "you_said", format!("What families told us must be {MAX_VOICE_TEXT} characters or fewer"));
    }
    if we_did.is_empty() {
        errors.add("we_did", "we_did", "Enter what we did");
    } else if we_did.chars().count() > MAX_VOICE_TEXT {
        errors.add("we_did", "we_did", format!("What we did must be {MAX_VOICE_TEXT} characters or fewer"));
    }
    let mut themes = Vec::new();
    for t in form.get("themes").split(',').filter(|t| !t.trim().is_empty()) {
        match Theme::parse(t) {
            Ok(t) if !themes.contains(&t) => themes.push(t),
            Ok(_) => {}
            Err(m) => errors.add("themes", "themes", m),
        }
    }
    let survey = match form.get("survey").as_str() {
        "" => None,
        s => match s.parse::<uuid::Uuid>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("survey", "survey", "Select a survey from the list");
                None
            }
        },
    };
    if !errors.is_empty() {
        return render_entry(&state, &signed, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let entry = YouSaidWeDid { id: uuid::Uuid::new_v4(), la, you_said, we_did, themes, survey, published_on: state.clock.today() };
    state.store.publish_you_said_we_did(&signed.access.actor(), &entry).await?;
    Ok(see_other("/local-offer/you-said-we-did"))
}

async fn public_list(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let entries = state.store.you_said_we_did().await?;
    let several = entries.iter().any(|e| e.la != entries[0].la);
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({"you_said": e.you_said, "we_did": e.we_did, "on": crate::views::long_date(e.published_on),
                   "themes": e.themes.iter().map(ToString::to_string).collect::<Vec<_>>(),
                   "area": several.then(|| e.la.label())})
        })
        .collect();
    Ok(Html(render("you_said_we_did.html", &json!({"title": "You said, we did", "entries": rows}))?))
}
