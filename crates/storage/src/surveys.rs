//! Surveys (issue 16): definitions staff build, scoped by LA; the public link; anonymous responses,
//! one per visit; contact details kept apart and audited when read; themes tagged on free text; and
//! surveys sent at a point of the EHC process, linked to the case only to count response rates.
//!
//! The public side takes no [`Actor`]: it reaches a survey only by its link's token, reads its
//! questions and adds a response; nothing on that side can read a response back.

use crate::sqlite::{check_request, col, db, parse_col, scope_la, to_json, Audit};
use crate::{Actor, AuditAction, Result, SqliteStore, StoreError};
use chrono::NaiveDate;
use std::future::Future;
use uuid::Uuid;
use waymark_domain::case::{CaseEvent, CaseEventKind};
use waymark_domain::identifiers::LaCode;
use waymark_domain::ids::{CaseId, ChildId};
use waymark_surveys::themes::Theme;
use waymark_surveys::{Contact, Draft, Response, Survey};

/// Where a survey is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyStatus {
    Draft,
    Open,
    Closed,
}

impl SurveyStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
    pub fn words(self) -> &'static str {
        match self {
            Self::Draft => "Not published",
            Self::Open => "Open for responses",
            Self::Closed => "Closed",
        }
    }
    fn parse(text: &str) -> Result<Self> {
        match text {
            "draft" => Ok(Self::Draft),
            "open" => Ok(Self::Open),
            "closed" => Ok(Self::Closed),
            other => Err(StoreError::Corrupt(format!("'{other}' is not a survey status"))),
        }
    }
}

/// A point of the EHC process at which a survey is sent to the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SendWhen {
    FinalPlanIssued,
    AnnualReview,
}

impl SendWhen {
    pub fn code(self) -> &'static str {
        match self {
            Self::FinalPlanIssued => "final_plan_issued",
            Self::AnnualReview => "annual_review",
        }
    }
    pub fn words(self) -> &'static str {
        match self {
            Self::FinalPlanIssued => "When a final EHC plan is issued",
            Self::AnnualReview => "After an annual review meeting",
        }
    }
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "final_plan_issued" => Some(Self::FinalPlanIssued),
            "annual_review" => Some(Self::AnnualReview),
            _ => None,
        }
    }
}

/// A stored survey.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SurveyRecord {
    pub id: Uuid,
    pub la: LaCode,
    pub survey: Survey,
    pub status: SurveyStatus,
    pub public_token: Option<String>,
    pub send_when: Option<SendWhen>,
    pub version: i64,
}

/// One stored response, without contact details.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    pub id: Uuid,
    pub received_on: NaiveDate,
    pub response: Response,
    /// Whether the respondent left contact details (read them with [`SurveyStore::survey_contacts`]).
    pub has_contact: bool,
    /// Whether it answered a survey sent at a point of a case.
    pub from_case: bool,
}

/// What became of a public response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    Saved,
    /// The visit's form was already sent (or is unknown): one response per visit.
    AlreadySent,
    /// The survey is not open.
    NotOpen,
}

/// Survey storage, beside [`crate::Store`].
pub trait SurveyStore: Send + Sync {
    fn create_survey(
        &self,
        actor: &Actor,
        la: LaCode,
        survey: &Survey,
        send_when: Option<SendWhen>,
    ) -> impl Future<Output = Result<SurveyRecord>> + Send;
    /// Replace a draft's questions (a published survey's questions are fixed).
    fn update_survey(
        &self,
        actor: &Actor,
        id: Uuid,
        survey: &Survey,
        expected_version: i64,
    ) -> impl Future<Output = Result<SurveyRecord>> + Send;
    fn surveys(&self, actor: &Actor) -> impl Future<Output = Result<Vec<SurveyRecord>>> + Send;
    fn survey(&self, actor: &Actor, id: Uuid) -> impl Future<Output = Result<SurveyRecord>> + Send;
    /// Open the survey for responses, giving it a public token the first time (`token` is used then).
    fn publish_survey(&self, actor: &Actor, id: Uuid, token: &str) -> impl Future<Output = Result<SurveyRecord>> + Send;
    fn close_survey(&self, actor: &Actor, id: Uuid) -> impl Future<Output = Result<SurveyRecord>> + Send;
    /// A survey by its public token (any status), for the public pages.
    fn public_survey(&self, token: &str) -> impl Future<Output = Result<Option<SurveyRecord>>> + Send;
    /// Note a visit's one-time form token (stored as given: the caller passes its hash).
    fn start_visit(&self, survey: Uuid, visit_hash: &str) -> impl Future<Output = Result<()>> + Send;
    /// The answers a visit has given so far: `None` when the visit is unknown, already sent, for
    /// another survey, or older than a day (visits are pruned then).
    fn visit_draft(&self, survey: Uuid, visit_hash: &str) -> impl Future<Output = Result<Option<Draft>>> + Send;
    /// Keep a visit's answers so far; `false` when the visit is unknown (as for [`Self::visit_draft`]).
    fn save_visit_draft(&self, survey: Uuid, visit_hash: &str, draft: &Draft) -> impl Future<Output = Result<bool>> + Send;
    /// Save a response in one transaction with consuming the visit (and the draft it held); `send_token` links it to the case
    /// the survey was sent for.
    fn submit_response(
        &self,
        public_token: &str,
        visit_hash: &str,
        response: &Response,
        send_token: Option<&str>,
        today: NaiveDate,
    ) -> impl Future<Output = Result<Submitted>> + Send;
    /// Every response (no contact details). One audit entry for the whole read.
    fn survey_responses(&self, actor: &Actor, id: Uuid) -> impl Future<Output = Result<Vec<StoredResponse>>> + Send;
    /// The contact details left with responses: personal data. Audited.
    fn survey_contacts(&self, actor: &Actor, id: Uuid) -> impl Future<Output = Result<Vec<(Uuid, Contact)>>> + Send;
    /// Tag (or with `add = false` untag) a free-text answer with a theme.
    fn tag_answer(
        &self,
        actor: &Actor,
        response: Uuid,
        question: &str,
        theme: &Theme,
        add: bool,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The tags of a survey's answers: (response, question id, theme).
    fn survey_tags(&self, actor: &Actor, id: Uuid) -> impl Future<Output = Result<Vec<(Uuid, String, Theme)>>> + Send;
    /// Send the LA's surveys set to go out at `when` for a case (once per case and day); the tokens.
    fn send_for_case(
        &self,
        actor: &Actor,
        la: LaCode,
        case: CaseId,
        when: SendWhen,
        on: NaiveDate,
    ) -> impl Future<Output = Result<Vec<String>>> + Send;
    /// How many sends of a survey there were, and how many of them were answered.
    fn survey_sends(&self, actor: &Actor, id: Uuid) -> impl Future<Output = Result<(u64, u64)>> + Send;
    /// Every answer to the given question ids in the actor's scope, open or closed surveys alike:
    /// (LA, question id, day received, the answer's values). For the framework's survey measures.
    fn answers_to(
        &self,
        actor: &Actor,
        questions: &[String],
    ) -> impl Future<Output = Result<Vec<(LaCode, String, NaiveDate, waymark_surveys::Answer)>>> + Send;
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<SurveyRecord> {
    let id: String = col(row, "survey_id")?;
    let definition: String = col(row, "definition")?;
    let survey: Survey = serde_json::from_str(&definition).map_err(|e| StoreError::Corrupt(format!("survey {id}: {e}")))?;
    let send_when: Option<String> = col(row, "send_when")?;
    Ok(SurveyRecord {
        id: parse_col(row, "survey_id", "survey id")?,
        la: parse_col(row, "la", "LA code")?,
        survey,
        status: SurveyStatus::parse(&col::<String>(row, "status")?)?,
        public_token: col(row, "public_token")?,
        send_when: send_when.as_deref().and_then(SendWhen::parse),
        version: col(row, "version")?,
    })
}

/// The point of the EHC process an event is, for surveys sent then: a final plan issued (CFA 2014
/// s39(7)/s40; reg 14), or an annual review meeting held (CFA 2014 s44; reg 18-20).
fn send_point(event: &CaseEvent) -> Option<SendWhen> {
    match event.kind {
        CaseEventKind::FinalIssued { .. } => Some(SendWhen::FinalPlanIssued),
        CaseEventKind::ReviewMeeting => Some(SendWhen::AnnualReview),
        _ => None,
    }
}

/// An event recorded more than this many days after its date (a back-dated correction, a record
/// brought in from an older system) sends no survey: the family would be asked about something long past.
pub const SEND_WITHIN_DAYS: i64 = 28;

/// Send the LA's open surveys set to go out at the points these events are, in the caller's
/// transaction (the one recording the events): each to the family's accounts through the
/// notifications outbox. Returns the send tokens.
pub(crate) async fn send_for_events(
    conn: &mut sqlx::SqliteConnection,
    la: LaCode,
    case: CaseId,
    child: ChildId,
    events: &[CaseEvent],
    today: NaiveDate,
    now: &str,
) -> Result<Vec<String>> {
    let mut tokens = Vec::new();
    for event in events {
        if (today - event.date).num_days() > SEND_WITHIN_DAYS {
            continue;
        }
        if let Some(when) = send_point(event) {
            tokens.extend(send_in(conn, la, case, child, when, event.date, now).await?);
        }
    }
    Ok(tokens)
}

/// Record a send of each open survey of `la` set for `when` to this case's family, once per case and
/// day, and put a notification to each of the family's accounts in the outbox (an email if the account
/// has an address and has not turned surveys off; otherwise in the application only). A family with no
/// account is not sent anything, so no send is recorded: response rates count only surveys that went.
async fn send_in(
    conn: &mut sqlx::SqliteConnection,
    la: LaCode,
    case: CaseId,
    child: ChildId,
    when: SendWhen,
    on: NaiveDate,
    now: &str,
) -> Result<Vec<String>> {
    let surveys = sqlx::query("select survey_id, title, public_token from survey where la = ? and status = 'open' and send_when = ?")
        .bind(la.to_string())
        .bind(when.code())
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    if surveys.is_empty() {
        return Ok(Vec::new());
    }
    let family = sqlx::query(
        "select u.user_id, u.email, p.email as wanted from app_user_child c join app_user u on u.user_id = c.user_id \
         left join notification_preference p on p.user_id = u.user_id and p.topic = 'survey' \
         where c.child_id = ? and u.active = 1 and u.role in ('parent_carer', 'young_person')",
    )
    .bind(child.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    if family.is_empty() {
        return Ok(Vec::new());
    }
    let after = match when {
        SendWhen::FinalPlanIssued => "now that the final EHC plan has been issued",
        SendWhen::AnnualReview => "at the annual review of the EHC plan",
    };
    let mut tokens = Vec::new();
    for row in &surveys {
        let survey_id: String = col(row, "survey_id")?;
        let title: String = col(row, "title")?;
        let Some(public): Option<String> = col(row, "public_token")? else { continue };
        let token = Uuid::new_v4().simple().to_string();
        let send_id = Uuid::new_v4().to_string();
        let done = sqlx::query("insert or ignore into survey_send (send_id, survey_id, case_id, sent_on, token) values (?, ?, ?, ?, ?)")
            .bind(&send_id)
            .bind(&survey_id)
            .bind(case.to_string())
            .bind(on.to_string())
            .bind(&token)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected();
        if done != 1 {
            continue;
        }
        let (subject, body) = waymark_notifications::survey_invitation(&title, after);
        let link = format!("/s/{public}?send={token}");
        for person in &family {
            let user: String = col(person, "user_id")?;
            let wanted: Option<i64> = col(person, "wanted")?;
            let email: Option<String> = if wanted == Some(0) { None } else { col(person, "email")? };
            let status = if email.is_some() { "pending" } else { "not_emailed" };
            sqlx::query(
                "insert into notification (user_id, case_id, topic, occasion, subject, body, link, created_at, email_to, status, next_attempt_at) \
                 values (?1, ?2, 'survey', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?7) on conflict (user_id, occasion) do nothing",
            )
            .bind(&user)
            .bind(case.to_string())
            .bind(format!("survey:{send_id}"))
            .bind(&subject)
            .bind(&body)
            .bind(&link)
            .bind(now)
            .bind(email)
            .bind(status)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
        tracing::info!(survey = %survey_id, point = when.code(), "survey sent to a family");
        tokens.push(token);
    }
    Ok(tokens)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

impl SqliteStore {
    async fn load_survey(&self, conn: &mut sqlx::SqliteConnection, actor: &Actor, id: Uuid) -> Result<SurveyRecord> {
        let row = sqlx::query("select * from survey where survey_id = ?1 and (?2 is null or la = ?2)")
            .bind(id.to_string())
            .bind(scope_la(actor))
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?
            .ok_or_else(|| crate::sqlite::not_found("survey", id))?;
        from_row(&row)
    }

    async fn set_status(&self, actor: &Actor, id: Uuid, status: SurveyStatus, token: Option<&str>) -> Result<SurveyRecord> {
        check_request(actor, None)?;
        let mut tx = self.begin_write().await?;
        let current = self.load_survey(&mut tx, actor, id).await?;
        let token = current.public_token.clone().or_else(|| token.map(str::to_owned));
        sqlx::query("update survey set status = ?, public_token = ?, version = version + 1, updated_at = ? where survey_id = ?")
            .bind(status.code())
            .bind(&token)
            .bind(self.now())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        tracing::info!(survey = %id, status = status.code(), "survey status changed");
        Ok(SurveyRecord { status, public_token: token, version: current.version + 1, ..current })
    }
}

impl SurveyStore for SqliteStore {
    async fn create_survey(&self, actor: &Actor, la: LaCode, survey: &Survey, send_when: Option<SendWhen>) -> Result<SurveyRecord> {
        check_request(actor, None)?;
        if !actor.scope.permits(la) {
            return Err(StoreError::OutOfScope { la });
        }
        let id = Uuid::new_v4();
        let now = self.now();
        sqlx::query(
            "insert into survey (survey_id, la, title, definition, status, send_when, version, created_at, updated_at) values (?, ?, ?, ?, 'draft', ?, 1, ?, ?)",
        )
        .bind(id.to_string())
        .bind(la.to_string())
        .bind(&survey.title)
        .bind(to_json(&survey.to_draft(), "survey")?)
        .bind(send_when.map(SendWhen::code))
        .bind(&now)
        .bind(&now)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        tracing::info!(survey = %id, %la, questions = survey.questions.len(), "survey created");
        Ok(SurveyRecord { id, la, survey: survey.clone(), status: SurveyStatus::Draft, public_token: None, send_when, version: 1 })
    }

    async fn update_survey(&self, actor: &Actor, id: Uuid, survey: &Survey, expected_version: i64) -> Result<SurveyRecord> {
        check_request(actor, None)?;
        let mut tx = self.begin_write().await?;
        let current = self.load_survey(&mut tx, actor, id).await?;
        if current.version != expected_version {
            return Err(StoreError::Conflict { what: "survey", id: id.to_string(), expected: expected_version, current: current.version });
        }
        if current.status != SurveyStatus::Draft {
            return Err(StoreError::Invalid("the survey has been published, so its questions can no longer change".into()));
        }
        sqlx::query("update survey set title = ?, definition = ?, version = version + 1, updated_at = ? where survey_id = ?")
            .bind(&survey.title)
            .bind(to_json(&survey.to_draft(), "survey")?)
            .bind(self.now())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(SurveyRecord { survey: survey.clone(), version: current.version + 1, ..current })
    }

    async fn surveys(&self, actor: &Actor) -> Result<Vec<SurveyRecord>> {
        check_request(actor, None)?;
        let rows = sqlx::query("select * from survey where (?1 is null or la = ?1) order by created_at desc")
            .bind(scope_la(actor))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(from_row).collect()
    }

    async fn survey(&self, actor: &Actor, id: Uuid) -> Result<SurveyRecord> {
        check_request(actor, None)?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        self.load_survey(&mut conn, actor, id).await
    }

    async fn publish_survey(&self, actor: &Actor, id: Uuid, token: &str) -> Result<SurveyRecord> {
        self.set_status(actor, id, SurveyStatus::Open, Some(token)).await
    }

    async fn close_survey(&self, actor: &Actor, id: Uuid) -> Result<SurveyRecord> {
        self.set_status(actor, id, SurveyStatus::Closed, None).await
    }

    async fn public_survey(&self, token: &str) -> Result<Option<SurveyRecord>> {
        let row = sqlx::query("select * from survey where public_token = ?").bind(token).fetch_optional(&self.pool).await.map_err(db)?;
        row.as_ref().map(from_row).transpose()
    }

    async fn start_visit(&self, survey: Uuid, visit_hash: &str) -> Result<()> {
        let now_at = self.clock.now();
        let mut tx = self.begin_write().await?;
        sqlx::query("delete from survey_visit where created_at < ?")
            .bind(crate::sqlite::timestamp(now_at - chrono::TimeDelta::days(1)))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query("insert into survey_visit (visit_hash, survey_id, created_at) values (?, ?, ?)")
            .bind(visit_hash)
            .bind(survey.to_string())
            .bind(crate::sqlite::timestamp(now_at))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn visit_draft(&self, survey: Uuid, visit_hash: &str) -> Result<Option<Draft>> {
        let since = crate::sqlite::timestamp(self.clock.now() - chrono::TimeDelta::days(1));
        let row = sqlx::query("select draft from survey_visit where visit_hash = ? and survey_id = ? and created_at >= ?")
            .bind(visit_hash)
            .bind(survey.to_string())
            .bind(since)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        match col::<Option<String>>(&row, "draft")? {
            Some(text) => serde_json::from_str(&text).map(Some).map_err(|e| corrupt("survey draft", e)),
            None => Ok(Some(Draft::default())),
        }
    }

    async fn save_visit_draft(&self, survey: Uuid, visit_hash: &str, draft: &Draft) -> Result<bool> {
        let since = crate::sqlite::timestamp(self.clock.now() - chrono::TimeDelta::days(1));
        let mut tx = self.begin_write().await?;
        let saved = sqlx::query("update survey_visit set draft = ? where visit_hash = ? and survey_id = ? and created_at >= ?")
            .bind(to_json(draft, "survey draft")?)
            .bind(visit_hash)
            .bind(survey.to_string())
            .bind(since)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        tx.commit().await.map_err(db)?;
        Ok(saved == 1)
    }

    async fn submit_response(
        &self,
        public_token: &str,
        visit_hash: &str,
        response: &Response,
        send_token: Option<&str>,
        today: NaiveDate,
    ) -> Result<Submitted> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("select survey_id, status from survey where public_token = ?")
            .bind(public_token)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let Some(row) = row else { return Ok(Submitted::NotOpen) };
        let survey_id: String = col(&row, "survey_id")?;
        if col::<String>(&row, "status")? != "open" {
            return Ok(Submitted::NotOpen);
        }
        let consumed = sqlx::query("delete from survey_visit where visit_hash = ? and survey_id = ?")
            .bind(visit_hash)
            .bind(&survey_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        if consumed != 1 {
            return Ok(Submitted::AlreadySent);
        }
        let case: Option<String> = match send_token {
            Some(t) => sqlx::query_scalar("select case_id from survey_send where token = ? and survey_id = ?")
                .bind(t)
                .bind(&survey_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?,
            None => None,
        };
        let id = Uuid::new_v4();
        let answers = Response { answers: response.answers.clone(), contact: None };
        sqlx::query("insert into survey_response (response_id, survey_id, received_on, answers, case_id) values (?, ?, ?, ?, ?)")
            .bind(id.to_string())
            .bind(&survey_id)
            .bind(today.to_string())
            .bind(to_json(&answers, "response")?)
            .bind(case)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        if let Some(contact) = &response.contact {
            sqlx::query("insert into survey_contact (response_id, contact) values (?, ?)")
                .bind(id.to_string())
                .bind(to_json(contact, "contact")?)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        tracing::info!(survey = %survey_id, "survey response received");
        Ok(Submitted::Saved)
    }

    async fn survey_responses(&self, actor: &Actor, id: Uuid) -> Result<Vec<StoredResponse>> {
        check_request(actor, None)?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let survey = self.load_survey(&mut conn, actor, id).await?;
        let rows = sqlx::query(
            "select r.response_id, r.received_on, r.answers, r.case_id, c.response_id is not null as has_contact \
             from survey_response r left join survey_contact c using (response_id) where r.survey_id = ? order by r.received_on, r.rowid",
        )
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let answers: String = col(row, "answers")?;
            let received: String = col(row, "received_on")?;
            out.push(StoredResponse {
                id: parse_col(row, "response_id", "response id")?,
                received_on: received.parse().map_err(|e| corrupt("response date", e))?,
                response: serde_json::from_str(&answers).map_err(|e| corrupt("response", e))?,
                has_contact: col::<bool>(row, "has_contact")?,
                from_case: col::<Option<String>>(row, "case_id")?.is_some(),
            });
        }
        // One entry for the whole read: responses are reported in aggregate, never per case.
        let audit = Audit { action: AuditAction::Read, subject: "survey_results", la: Some(survey.la), child: None, case: None, actor };
        self.write_read_audit(&mut conn, &self.now(), audit).await?;
        Ok(out)
    }

    async fn survey_contacts(&self, actor: &Actor, id: Uuid) -> Result<Vec<(Uuid, Contact)>> {
        check_request(actor, None)?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let survey = self.load_survey(&mut conn, actor, id).await?;
        let rows = sqlx::query(
            "select c.response_id, c.contact from survey_contact c join survey_response r using (response_id) where r.survey_id = ? order by r.received_on, r.rowid",
        )
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let contact: String = col(row, "contact")?;
            out.push((parse_col(row, "response_id", "response id")?, serde_json::from_str(&contact).map_err(|e| corrupt("contact", e))?));
        }
        let audit = Audit { action: AuditAction::Read, subject: "survey_contacts", la: Some(survey.la), child: None, case: None, actor };
        self.write_read_audit(&mut conn, &self.now(), audit).await?;
        Ok(out)
    }

    async fn tag_answer(&self, actor: &Actor, response: Uuid, question: &str, theme: &Theme, add: bool) -> Result<()> {
        check_request(actor, None)?;
        let mut tx = self.begin_write().await?;
        let found: Option<String> = sqlx::query_scalar(
            "select s.survey_id from survey_response r join survey s using (survey_id) where r.response_id = ?1 and (?2 is null or s.la = ?2)",
        )
        .bind(response.to_string())
        .bind(scope_la(actor))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        if found.is_none() {
            return Err(crate::sqlite::not_found("response", response));
        }
        if add {
            sqlx::query("insert or ignore into survey_tag (response_id, question_id, theme, tagged_at, actor) values (?, ?, ?, ?, ?)")
                .bind(response.to_string())
                .bind(question)
                .bind(theme.as_str())
                .bind(self.now())
                .bind(actor.label.trim())
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        } else {
            sqlx::query("delete from survey_tag where response_id = ? and question_id = ? and theme = ?")
                .bind(response.to_string())
                .bind(question)
                .bind(theme.as_str())
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn survey_tags(&self, actor: &Actor, id: Uuid) -> Result<Vec<(Uuid, String, Theme)>> {
        check_request(actor, None)?;
        let rows = sqlx::query(
            "select t.response_id, t.question_id, t.theme from survey_tag t join survey_response r using (response_id) join survey s on s.survey_id = r.survey_id \
             where r.survey_id = ?1 and (?2 is null or s.la = ?2) order by t.theme",
        )
        .bind(id.to_string())
        .bind(scope_la(actor))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                let theme: String = col(row, "theme")?;
                Ok((
                    parse_col(row, "response_id", "response id")?,
                    col(row, "question_id")?,
                    Theme::parse(&theme).map_err(|e| corrupt("theme", e))?,
                ))
            })
            .collect()
    }

    async fn send_for_case(&self, actor: &Actor, la: LaCode, case: CaseId, when: SendWhen, on: NaiveDate) -> Result<Vec<String>> {
        check_request(actor, None)?;
        if !actor.scope.permits(la) {
            return Err(StoreError::OutOfScope { la });
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let child: Option<String> = sqlx::query_scalar("select child_id from ehc_case where case_id = ? and la = ?")
            .bind(case.to_string())
            .bind(la.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let child: ChildId = child.ok_or_else(|| crate::sqlite::not_found("case", case))?.parse().map_err(|e| corrupt("child id", e))?;
        let tokens = send_in(&mut tx, la, case, child, when, on, &now).await?;
        tx.commit().await.map_err(db)?;
        Ok(tokens)
    }

    async fn survey_sends(&self, actor: &Actor, id: Uuid) -> Result<(u64, u64)> {
        check_request(actor, None)?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        self.load_survey(&mut conn, actor, id).await?;
        let sent: i64 = sqlx::query_scalar("select count(*) from survey_send where survey_id = ?")
            .bind(id.to_string())
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
        let answered: i64 =
            sqlx::query_scalar("select count(distinct case_id) from survey_response where survey_id = ? and case_id is not null")
                .bind(id.to_string())
                .fetch_one(&mut *conn)
                .await
                .map_err(db)?;
        Ok((u64::try_from(sent).unwrap_or(0), u64::try_from(answered).unwrap_or(0)))
    }

    async fn answers_to(&self, actor: &Actor, questions: &[String]) -> Result<Vec<(LaCode, String, NaiveDate, waymark_surveys::Answer)>> {
        check_request(actor, None)?;
        if questions.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "select s.la, r.received_on, r.answers from survey_response r join survey s using (survey_id) where (?1 is null or s.la = ?1) and s.status != 'draft'",
        )
        .bind(scope_la(actor))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut out = Vec::new();
        for row in &rows {
            let la: LaCode = parse_col(row, "la", "LA code")?;
            let received: String = col(row, "received_on")?;
            let on: NaiveDate = received.parse().map_err(|e| corrupt("response date", e))?;
            let answers: String = col(row, "answers")?;
            let response: Response = serde_json::from_str(&answers).map_err(|e| corrupt("response", e))?;
            for (q, a) in response.answers {
                if questions.iter().any(|w| w == q.as_str()) {
                    out.push((la, q.to_string(), on, a));
                }
            }
        }
        Ok(out)
    }
}
