//! The LA caseload: every case with its stage, next statutory deadline and whom it waits on, filtered
//! by stage, clock status, caseworker, setting and need, sorted, and paged.

use crate::access::Can;
use crate::cache::Computed;
use crate::error::AppError;
use crate::query::PageQuery;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::views::{stage_label, CaseloadRow, STAGES};
use crate::AppState;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use waymark_domain::ids::UserId;
use waymark_domain::need::NeedCode;
use waymark_domain::search::SearchQuery;
use waymark_storage::{UserRecord, UserStore};

pub fn router() -> Router<AppState> {
    Router::new().route("/caseload", get(show))
}

pub const PAGE_SIZE: usize = 50;

/// The caseload's filters and sort, as query parameters (shared with the API).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct Filters {
    #[serde(default)]
    pub stage: String,
    /// `overdue`, `due` or `none` (nothing open).
    #[serde(default)]
    pub status: String,
    /// A caseworker's user id, or `unassigned`.
    #[serde(default)]
    pub caseworker: String,
    /// A setting's URN.
    #[serde(default)]
    pub setting: String,
    /// A primary need code (ASD, SLCN...).
    #[serde(default)]
    pub need: String,
    /// `due` (default: overdue first, then soonest), `stage`, `name`, `received`.
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: Option<usize>,
    /// What to find: a name, UPN, ULN, NHS number, date of birth or case reference
    /// ([`SearchQuery::parse`]).
    #[serde(default)]
    pub q: String,
    /// `mine` (the cases assigned to the signed-in user) or `all` (the team's); by default a caseworker's
    /// own and a manager's all.
    #[serde(default)]
    pub scope: String,
}

impl Filters {
    /// Whether only the user's own cases are shown: `scope=mine`, or a caseworker with no scope given.
    pub fn mine(&self, access: &crate::access::Access) -> bool {
        match self.scope.as_str() {
            "mine" => true,
            "all" => false,
            _ => access.role() == waymark_storage::Role::LaCaseworker,
        }
    }
}

/// The rows matching the filters, in the order asked for: one pass over an order computed with the
/// cache (references: the cached rows are not copied).
pub fn apply<'a>(computed: &'a Computed, f: &Filters, mine: Option<UserId>) -> Vec<&'a CaseloadRow> {
    let search = SearchQuery::parse(&f.q);
    let setting_key = (!f.setting.is_empty()).then(|| format!("urn:{}", f.setting.trim()));
    let keep = |r: &&CaseloadRow| {
        (f.stage.is_empty() || r.stage == f.stage)
            && match f.status.as_str() {
                "" => true,
                "none" => r.next_status.is_none(),
                s => r.next_status == Some(s),
            }
            && match f.caseworker.as_str() {
                "" => true,
                "unassigned" => r.caseworker.is_none(),
                id => r.caseworker.is_some_and(|c| c.to_string() == id),
            }
            && setting_key.as_ref().is_none_or(|k| r.settings.contains(k))
            && (f.need.is_empty() || r.primary_need == Some(f.need.as_str()))
            && mine.is_none_or(|me| r.caseworker == Some(me))
            && search.matches(&r.child, &[r.case_id])
    };
    let rows = &computed.rows;
    match f.sort.as_str() {
        "stage" => computed.by_stage.iter().map(|i| &*rows[*i]).filter(keep).collect(),
        "name" => computed.by_name.iter().map(|i| &*rows[*i]).filter(keep).collect(),
        "received" => computed.by_received.iter().map(|i| &*rows[*i]).filter(keep).collect(),
        // A search lists the children found by name unless another order is asked for.
        "" if !search.is_empty() => computed.by_name.iter().map(|i| &*rows[*i]).filter(keep).collect(),
        _ => rows.iter().map(|r| &**r).filter(keep).collect(),
    }
}

pub fn caseworkers(users: &[UserRecord]) -> HashMap<String, String> {
    users.iter().map(|u| (u.id.to_string(), u.display_name.clone())).collect()
}

async fn show(State(state): State<AppState>, signed: Signed, PageQuery(filters): PageQuery<Filters>) -> Result<Html<String>, AppError> {
    signed.access.require(Can::Caseload)?;
    let actor = signed.access.actor();
    let computed = state.caseload.get(&state, &actor, "case_list").await?;
    let users = state.store.list_users(&actor).await?;
    let setting_names = {
        use waymark_storage::EstablishmentStore;
        state.store.establishment_names(&computed.settings).await?
    };
    let names = caseworkers(&users);
    let mine = filters.mine(&signed.access);
    let rows = apply(&computed, &filters, mine.then_some(signed.access.user.id));
    let total = rows.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page_no = filters.page.unwrap_or(1).clamp(1, pages);
    let shown: Vec<_> = rows
        .iter()
        .skip((page_no - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|r| {
            json!({
                "case_id": r.case_id, "child_id": r.child_id, "child_name": r.child_name, "upn": r.upn,
                "surname": r.child.name.surname(), "forename": r.child.name.forename(),
                "dob": crate::views::long_date(r.date_of_birth), "reference": r.case_reference,
                "stage_label": r.stage_label, "next_step": r.next_step_label,
                "next_due": r.next_due.map(crate::views::long_date), "status": r.next_status,
                "days_overdue": r.days_overdue, "waiting_on": r.waiting_on_label,
                "caseworker": r.caseworker.and_then(|c| names.get(&c.to_string()).cloned()),
            })
        })
        .collect();
    let staff: Vec<_> = users
        .iter()
        .filter(|u| matches!(u.role, waymark_storage::Role::LaCaseworker | waymark_storage::Role::SendManager))
        .map(|u| json!({"value": u.id.to_string(), "text": u.display_name}))
        .collect();
    let query = |p: usize| {
        let mut f = filters.clone();
        f.page = Some(p);
        serde_urlencoded::to_string(&f).unwrap_or_default()
    };
    let overdue = computed.overdue;
    let scope_link = |scope: &str| {
        let mut f = filters.clone();
        f.scope = scope.into();
        f.page = None;
        serde_urlencoded::to_string(&f).unwrap_or_default()
    };
    let context = page(
        &signed,
        "Caseload",
        "/caseload",
        json!({
            "rows": shown, "total": total, "all": computed.rows.len(), "overdue": overdue,
            "page": page_no, "pages": pages,
            "prev": (page_no > 1).then(|| query(page_no - 1)), "next": (page_no < pages).then(|| query(page_no + 1)),
            "f": filters, "mine": mine, "searched": !filters.q.trim().is_empty(),
            "scope_all": scope_link("all"), "scope_mine": scope_link("mine"),
            "stages": STAGES.iter().map(|s| json!({"value": s, "text": stage_label(s)})).collect::<Vec<_>>(),
            "needs": NeedCode::ALL.iter().filter(|n| **n != NeedCode::Nsa).map(|n| json!({"value": n.code(), "text": n.label()})).collect::<Vec<_>>(),
            "settings": computed.settings.iter().map(|s| json!({"value": s, "text": setting_names.get(s).map_or(format!("URN {s}"), |n| format!("{n} (URN {s})"))})).collect::<Vec<_>>(), "staff": staff,
            "today": crate::views::long_date(computed.today),
        }),
    );
    Ok(Html(render("caseload.html", &context)?))
}
