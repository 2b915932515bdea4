//! Finding a child: one search box for every staff role that reaches children's records, by name, UPN,
//! ULN, NHS number, date of birth (as people type it) or case reference ([`SearchQuery`]). The role's
//! [`waymark_storage::Selection`] is applied in the SQL, so a search only ever finds a child the user may
//! already see; the search is audited as one read.

use crate::access::Can;
use crate::error::AppError;
use crate::query::PageQuery;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::views::long_date;
use crate::AppState;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::json;
use waymark_domain::search::{case_reference, SearchQuery};
use waymark_storage::CaseloadStore;

pub fn router() -> Router<AppState> {
    Router::new().route("/children", get(show))
}

/// The most children a search lists; a longer list asks for more of the name.
pub const MAX_RESULTS: usize = 50;

#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
}

async fn show(State(state): State<AppState>, signed: Signed, PageQuery(params): PageQuery<SearchParams>) -> Result<Html<String>, AppError> {
    signed.access.require(Can::FindChild)?;
    let selection = signed.access.require_selection()?;
    let query = SearchQuery::parse(&params.q);
    let mut rows = Vec::new();
    let mut total = 0;
    if !query.is_empty() {
        let (found, matched) = state
            .store
            .find_children(&signed.access.actor(), &selection, &state.audit, MAX_RESULTS, |child, cases| query.matches(child, cases))
            .await?;
        total = matched;
        let caseload = signed.access.can(Can::Caseload);
        for f in found {
            let c = &f.child;
            rows.push(json!({
                "child_id": c.id,
                "surname": c.name.surname(), "forename": c.name.forename(),
                "dob": long_date(c.date_of_birth),
                "upn": signed.access.sees_upn().then(|| c.upn.as_ref().map(ToString::to_string)).flatten(),
                "nhs_number": signed.access.sees_nhs_number().then(|| c.nhs_number.as_ref().map(ToString::to_string)).flatten(),
                "cases": f.cases.iter().map(|id| json!({"id": id, "reference": case_reference(*id), "link": caseload || signed.access.can(Can::ChildRecords)})).collect::<Vec<_>>(),
            }));
        }
    }
    let context = page(
        &signed,
        "Find a child",
        "/children",
        json!({"q": params.q, "searched": !query.is_empty(), "rows": rows, "total": total, "max": MAX_RESULTS}),
    );
    Ok(Html(render("search.html", &context)?))
}
