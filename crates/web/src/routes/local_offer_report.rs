//! The Local Offer annual report (`/local-offer/report`, printable, and `/local-offer/report.xlsx`):
//! services by category and by area, gaps (searches that found nothing; categories thin for an age
//! band or a need), freshness, and the feedback families left on service pages (counts by service and
//! category, the latest comments; a share only from ten answers). For the Local Offer officer, the SEND
//! manager and board members. The figures are `waymark_directory::report`'s; the chart is the
//! indicators crate's, with its table beside it.

use crate::access::Can;
use crate::error::AppError;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{Months, NaiveDate};
use serde_json::{json, Value};
use waymark_directory::need_words;
use waymark_directory::report::{
    annual_report, feedback_service, feedback_summary, FeedbackCount, FeedbackItem, FeedbackSummary, Report, FEEDBACK_PREFIX,
    FEEDBACK_SHARE_FROM, THIN_BELOW,
};
use waymark_indicators::present;
use waymark_indicators::render::svg;
use waymark_storage::{DirectoryStore, SearchGap, UsageCounts, VoiceStore};

pub fn router() -> Router<AppState> {
    Router::new().route("/local-offer/report", get(show)).route("/local-offer/report.xlsx", get(xlsx))
}

fn allowed(signed: &Signed) -> Result<(), AppError> {
    if signed.access.can(Can::ApproveListings) || signed.access.can(Can::Dashboard) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A search's filters in words (the stored summary has codes).
pub fn gap_words(filters: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(t) = filters["text"].as_str() {
        parts.push(format!("\u{201c}{t}\u{201d}"));
    }
    if let Some(c) = filters["category"].as_str().and_then(waymark_directory::Category::parse) {
        parts.push(c.label().to_lowercase());
    }
    if let Some(a) = filters["age"].as_u64() {
        parts.push(format!("age {a}"));
    }
    if let Some(n) = filters["need"].as_str().and_then(waymark_directory::taxonomy::parse_need) {
        parts.push(format!("for {}", need_words(n).to_lowercase()));
    }
    if let Some(area) = filters["area"].as_str() {
        parts.push(format!("near {area}"));
    }
    for (key, words) in
        [("autism_hours", "autism-friendly hours"), ("sensory", "sensory-friendly"), ("wheelchair", "wheelchair accessible")]
    {
        if filters[key] == true {
            parts.push(words.to_owned());
        }
    }
    if parts.is_empty() {
        "Any service".to_owned()
    } else {
        parts.join(", ")
    }
}

/// The report's figures for the 12 months to today.
struct Figures {
    report: Report,
    usage: UsageCounts,
    gaps: Vec<SearchGap>,
    feedback: FeedbackSummary,
    since: NaiveDate,
}

async fn figures(state: &AppState, signed: &Signed) -> Result<Figures, AppError> {
    let today = state.clock.today();
    let since = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let snapshot = state.local_offer.snapshot(&state.store).await?;
    let report = annual_report(&snapshot.published.listings, today);
    let usage = state.store.usage(since).await?;
    let gaps = state.store.search_gaps(since, 20).await?;
    // Feedback families left on service pages (the feedback capability's form), by service.
    let items: Vec<FeedbackItem> = state
        .store
        .feedback_on(&signed.access.actor(), FEEDBACK_PREFIX, since)
        .await?
        .into_iter()
        .filter_map(|f| {
            Some(FeedbackItem { service: feedback_service(&f.about)?, helpful: f.helpful, comment: f.comment, received_on: f.received_on })
        })
        .collect();
    let feedback = feedback_summary(&snapshot.published.listings, &items);
    Ok(Figures { report, usage, gaps, feedback, since })
}

/// How many said a service page helped, in words: the share only from [`FEEDBACK_SHARE_FROM`] answers.
fn helpful_words(c: &FeedbackCount) -> String {
    match c.share_helpful() {
        Some(share) => present::value(share * 100.0, waymark_indicators::definition::Unit::Percent),
        None if c.helpful + c.not_helpful == 0 => "Nobody said".to_owned(),
        None => format!("Too few answers to say ({} yes, {} no)", c.helpful, c.not_helpful),
    }
}

fn feedback_rows(rows: impl Iterator<Item = (String, FeedbackCount)>) -> Vec<Value> {
    rows.map(|(label, c)| {
        json!({"label": label, "responses": present::count(c.responses as u64), "helpful": present::count(c.helpful as u64),
               "not_helpful": present::count(c.not_helpful as u64), "share": helpful_words(&c)})
    })
    .collect()
}

async fn show(State(state): State<AppState>, signed: Signed) -> Result<Response, AppError> {
    allowed(&signed)?;
    let Figures { report: r, usage, gaps, feedback, since } = figures(&state, &signed).await?;
    let labels: Vec<String> = r.by_category.iter().map(|(c, _)| c.label().to_owned()).collect();
    let values: Vec<f64> = r.by_category.iter().map(|(_, n)| *n as f64).collect();
    let chart = svg::bar_chart("lo-categories", "Active services by category", &labels, &[("Services", values)], "services");
    let n = |v: usize| present::count(v as u64);
    let context = page(
        &signed,
        "Local Offer annual report",
        "/local-offer/changes",
        json!({
            "since": crate::views::long_date(since), "today": crate::views::long_date(state.clock.today()),
            "active": n(r.active), "fresh": n(r.fresh), "stale": n(r.stale),
            "chart": chart,
            "by_category": r.by_category.iter().map(|(c, v)| json!({"label": c.label(), "count": n(*v)})).collect::<Vec<_>>(),
            "by_area": r.by_area.iter().map(|(a, v)| json!({"area": a, "count": n(*v)})).collect::<Vec<_>>(),
            "thin_for_age": r.thin_for_age.iter().map(|(c, band, v)| json!({"category": c.label(), "band": band, "count": n(*v)})).collect::<Vec<_>>(),
            "thin_for_need": r.thin_for_need.iter().map(|(need, v)| json!({"need": need_words(*need), "count": n(*v)})).collect::<Vec<_>>(),
            "thin_below": THIN_BELOW,
            "searches": n(usage.searches as usize), "empty_searches": n(usage.searches_without_results as usize), "views": n(usage.views as usize),
            "gaps": gaps.iter().map(|g| json!({"words": gap_words(&g.filters), "count": n(g.count as usize)})).collect::<Vec<_>>(),
            "feedback": {
                "responses": n(feedback.total.responses), "helpful": helpful_words(&feedback.total), "share_from": FEEDBACK_SHARE_FROM,
                "by_service": feedback_rows(feedback.by_service.iter().take(20).cloned()),
                "more_services": feedback.by_service.len().saturating_sub(20),
                "by_category": feedback_rows(feedback.by_category.iter().map(|(c, f)| (c.label().to_owned(), *f))),
                "latest": feedback.latest.iter().map(|(name, on, helpful, comment)| json!({
                    "service": name, "on": crate::views::long_date(*on), "comment": comment,
                    "helpful": match helpful { Some(true) => "Helpful", Some(false) => "Not helpful", None => "Not said" },
                })).collect::<Vec<_>>(),
            },
        }),
    );
    Ok(Html(render("local_offer_report.html", &context)?).into_response())
}

async fn xlsx(State(state): State<AppState>, signed: Signed) -> Result<Response, AppError> {
    allowed(&signed)?;
    let f = figures(&state, &signed).await?;
    let bytes = workbook(&f.report, &f.usage, &f.gaps, &f.feedback).map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"waymark-local-offer-report.xlsx\"".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

fn workbook(
    r: &Report,
    usage: &UsageCounts,
    gaps: &[SearchGap],
    feedback: &FeedbackSummary,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let mut sheet = |name: &str, header: &[&str], rows: Vec<Vec<Value>>| -> Result<(), rust_xlsxwriter::XlsxError> {
        let ws = book.add_worksheet();
        ws.set_name(name)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (i, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r_, c_) = (i as u32 + 1, c as u16);
                match v {
                    Value::Number(x) => ws.write_number(r_, c_, x.as_f64().unwrap_or_default())?,
                    other => ws.write_string(r_, c_, other.as_str().unwrap_or_default())?,
                };
            }
        }
        ws.autofit();
        Ok(())
    };
    sheet("By category", &["Category", "Active services"], r.by_category.iter().map(|(c, n)| vec![json!(c.label()), json!(n)]).collect())?;
    sheet(
        "By area",
        &["Postcode district", "Active services with a venue there"],
        r.by_area.iter().map(|(a, n)| vec![json!(a), json!(n)]).collect(),
    )?;
    sheet(
        "Thin for an age",
        &["Category", "Ages", "Active services"],
        r.thin_for_age.iter().map(|(c, b, n)| vec![json!(c.label()), json!(b), json!(n)]).collect(),
    )?;
    sheet(
        "Thin for a need",
        &["Need", "Services especially for it"],
        r.thin_for_need.iter().map(|(nd, n)| vec![json!(need_words(*nd)), json!(n)]).collect(),
    )?;
    sheet(
        "No results",
        &["What families searched for", "Searches"],
        gaps.iter().map(|g| vec![json!(gap_words(&g.filters)), json!(g.count)]).collect(),
    )?;
    sheet(
        "Use and freshness",
        &["Measure", "Value"],
        vec![
            vec![json!("Searches in the last 12 months"), json!(usage.searches)],
            vec![json!("Searches that found nothing"), json!(usage.searches_without_results)],
            vec![json!("Service pages viewed"), json!(usage.views)],
            vec![json!("Active services"), json!(r.active)],
            vec![json!("Confirmed in the last 12 months"), json!(r.fresh)],
            vec![json!("Not confirmed for 12 months or more"), json!(r.stale)],
            vec![json!("Feedback received on service pages"), json!(feedback.total.responses)],
            vec![json!("Said the page was helpful"), json!(helpful_words(&feedback.total))],
        ],
    )?;
    let counts = |label: &str, c: &FeedbackCount| {
        vec![json!(label), json!(c.responses), json!(c.helpful), json!(c.not_helpful), json!(helpful_words(c))]
    };
    let header = ["", "Responses", "Helpful", "Not helpful", "Said it was helpful"];
    let mut by_service_header = header;
    by_service_header[0] = "Service";
    sheet("Feedback by service", &by_service_header, feedback.by_service.iter().map(|(s, c)| counts(s, c)).collect())?;
    let mut by_category_header = header;
    by_category_header[0] = "Category";
    sheet("Feedback by category", &by_category_header, feedback.by_category.iter().map(|(k, c)| counts(k.label(), c)).collect())?;
    sheet(
        "Latest feedback",
        &["Service", "Received", "Helpful", "Comment"],
        feedback
            .latest
            .iter()
            .map(|(s, on, h, c)| {
                vec![
                    json!(s),
                    json!(on.to_string()),
                    json!(match h {
                        Some(true) => "Yes",
                        Some(false) => "No",
                        None => "Not said",
                    }),
                    json!(c),
                ]
            })
            .collect(),
    )?;
    book.save_to_buffer()
}
