//! What a signed-in user may see and do. Every handler that touches a child or case goes through
//! [`Access`]: [`Access::selection`] is the storage [`Selection`] applied in the SQL (none at all for
//! roles that see no child), [`Access::actor`] carries the LA scope and the user's id for the audit log,
//! and [`Access::can`] says which pages and actions the role has.

use crate::error::AppError;
use waymark_documents::files::DocumentKind;
use waymark_domain::calendar::Date;
use waymark_domain::case::{AdviceParty, CaseEventKind};
use waymark_domain::facts::Dataset;
use waymark_domain::plan::Section;
use waymark_storage::{Actor, Role, Scope, Selection, UserRecord};

/// A capability a page or action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Can {
    /// The LA caseload and every case page.
    Caseload,
    /// Record lifecycle events of any kind, and assign caseworkers.
    Casework,
    /// The partnership's dashboards (aggregates).
    Dashboard,
    /// The audit log of the LA.
    AuditLog,
    /// Accounts and roles.
    ManageUsers,
    /// A SENCO's pupils.
    Pupils,
    /// A professional's advice requests.
    AdviceRequests,
    /// A family's own journey.
    OwnJourney,
    /// Any child's record at all (through the selection).
    ChildRecords,
    /// The SEN2 return's errors and queries for the LA (LA staff only).
    Sen2Return,
    /// Set the LA's local targets for indicators and its small-number threshold (SEND managers).
    SetTargets,
    /// The child search: staff who reach children's records (not families, administrators or board
    /// members); it finds only the children of the role's selection.
    FindChild,
    /// Keep an organisation's Local Offer listings (changes wait for approval).
    KeepListings,
    /// Approve or reject Local Offer changes, and read the Local Offer's annual report.
    ApproveListings,
    /// Families' voice: build, publish and close surveys, read their results, tag themes, keep the
    /// complaints and co-production logs and publish "you said, we did" (LA caseworkers and managers).
    Surveys,
    /// Read the contact details a respondent chose to leave (SEND managers only; audited).
    SurveyContacts,
    /// The SEND strategy, self-evaluation, action plan and board report (read).
    Strategy,
    /// Edit the strategy: import the plan, name deliverable owners, write the self-evaluation, update any
    /// deliverable (SEND managers and strategy leads). An owner updates their own without this.
    EditStrategy,
    /// Edit the LA's statutory letters' templates (LA administrators).
    EditLetters,
}

/// A section of a child's multi-agency record holding person-level facts from one agency's datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactSection {
    Census,
    Attendance,
    Exclusions,
    ReducedTimetables,
    ElectiveHomeEducation,
    Attainment,
    Health,
    SocialCare,
    Post16,
    YouthJustice,
}

impl FactSection {
    pub const ALL: [FactSection; 10] = [
        Self::Census,
        Self::Attendance,
        Self::Exclusions,
        Self::ReducedTimetables,
        Self::ElectiveHomeEducation,
        Self::Attainment,
        Self::Health,
        Self::SocialCare,
        Self::Post16,
        Self::YouthJustice,
    ];

    /// A stable key: the section's id on the page (`facts-KEY`) and in the API.
    pub fn key(self) -> &'static str {
        match self {
            Self::Census => "census",
            Self::Attendance => "attendance",
            Self::Exclusions => "exclusions",
            Self::ReducedTimetables => "reduced-timetables",
            Self::ElectiveHomeEducation => "ehe",
            Self::Attainment => "attainment",
            Self::Health => "health",
            Self::SocialCare => "social-care",
            Self::Post16 => "post16",
            Self::YouthJustice => "youth-justice",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Census => "School census history",
            Self::Attendance => "Attendance",
            Self::Exclusions => "Suspensions and exclusions",
            Self::ReducedTimetables => "Reduced timetables",
            Self::ElectiveHomeEducation => "Elective home education",
            Self::Attainment => "Attainment",
            Self::Health => "Health",
            Self::SocialCare => "Social care",
            Self::Post16 => "Post-16",
            Self::YouthJustice => "Youth justice",
        }
    }

    /// The agency area the section belongs to: `education`, `health`, `social_care` or `post16`.
    pub fn area(self) -> &'static str {
        match self {
            Self::Health => "health",
            Self::SocialCare | Self::YouthJustice => "social_care",
            Self::Post16 => "post16",
            _ => "education",
        }
    }

    /// The datasets whose facts the section shows.
    pub fn datasets(self) -> &'static [Dataset] {
        use Dataset as D;
        match self {
            Self::Census => &[D::Census],
            Self::Attendance => &[D::Attendance],
            Self::Exclusions => &[D::Exclusions],
            Self::ReducedTimetables => &[D::ReducedTimetables],
            Self::ElectiveHomeEducation => &[D::ElectiveHomeEducation],
            Self::Attainment => &[D::Eyfsp, D::Phonics, D::Ks2, D::Ks4],
            Self::Health => &[D::TwoYearReview, D::HealthChecks, D::HealthReferrals],
            Self::SocialCare => &[D::ChildInNeed, D::ChildProtection, D::LookedAfter, D::CareServices],
            Self::Post16 => &[D::Post16Activity, D::LevelBy19],
            Self::YouthJustice => &[D::YouthJustice],
        }
    }
}

/// The signed-in user's rights.
#[derive(Debug, Clone)]
pub struct Access {
    pub user: UserRecord,
    today: Date,
}

impl Access {
    pub fn new(user: UserRecord, today: Date) -> Self {
        Self { user, today }
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    /// Who the store records acting, and the LA scope every query is limited to. Parents and young
    /// people are limited by their links to children instead of by an LA (a family may move).
    pub fn actor(&self) -> Actor {
        let scope = match (self.user.role, self.user.la) {
            (Role::ParentCarer | Role::YoungPerson, _) => Scope::All,
            (_, Some(la)) => Scope::LocalAuthority(la),
            (_, None) => Scope::All,
        };
        Actor::new(self.user.actor_label(), scope)
    }

    /// The children and cases this user may see, applied in the query; `None` for roles that see no
    /// child's record (administrators and board members).
    pub fn selection(&self) -> Option<Selection> {
        match self.user.role {
            Role::LaCaseworker | Role::SendManager => Some(Selection::InScope),
            Role::Senco => self.user.setting_key.clone().map(|setting_key| Selection::AtSetting { setting_key, on: self.today }),
            Role::HealthProfessional | Role::SocialCareProfessional | Role::EducationalPsychologist => {
                self.user.role.service().map(Selection::AdviceRequestedOf)
            }
            Role::ParentCarer | Role::YoungPerson => Some(Selection::LinkedTo(self.user.id)),
            Role::LaAdmin | Role::BoardMember | Role::ServiceProvider | Role::LocalOfferOfficer | Role::StrategyLead => None,
        }
    }

    /// The selection, or a 404 for a role that sees no child (so a child's page does not even confirm
    /// that a record exists).
    pub fn require_selection(&self) -> Result<Selection, AppError> {
        self.selection().ok_or(AppError::NotFound)
    }

    pub fn can(&self, what: Can) -> bool {
        use Role as R;
        let role = self.user.role;
        match what {
            Can::Caseload | Can::Casework => matches!(role, R::LaCaseworker | R::SendManager),
            Can::Dashboard => matches!(role, R::SendManager | R::BoardMember),
            Can::AuditLog => matches!(role, R::SendManager | R::LaAdmin),
            Can::ManageUsers => role == R::LaAdmin,
            Can::Pupils => role == R::Senco,
            Can::AdviceRequests => role.service().is_some(),
            Can::OwnJourney => matches!(role, R::ParentCarer | R::YoungPerson),
            Can::ChildRecords => self.selection().is_some(),
            Can::Sen2Return => matches!(role, R::LaCaseworker | R::SendManager | R::LaAdmin),
            Can::SetTargets => role == R::SendManager,
            Can::FindChild => self.selection().is_some() && !matches!(role, R::ParentCarer | R::YoungPerson),
            Can::KeepListings => role == R::ServiceProvider,
            Can::ApproveListings => matches!(role, R::LocalOfferOfficer | R::SendManager),
            Can::Surveys => matches!(role, R::LaCaseworker | R::SendManager) && self.user.la.is_some(),
            Can::SurveyContacts => role == R::SendManager && self.user.la.is_some(),
            // Staff and the board read the plan (owners of deliverables may work in any agency);
            // families read only what the LA publishes, administrators run accounts.
            Can::Strategy => !matches!(role, R::ParentCarer | R::YoungPerson | R::LaAdmin),
            Can::EditStrategy => matches!(role, R::SendManager | R::StrategyLead),
            Can::EditLetters => role == R::LaAdmin,
        }
    }

    pub fn require(&self, what: Can) -> Result<(), AppError> {
        if self.can(what) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The plan sections this role reads on a case page. Caseworkers, SENCOs (the plan names their
    /// school and they deliver section F) and families see every section; each professional sees the
    /// views, needs and outcomes and their own agency's sections.
    pub fn plan_sections(&self) -> Vec<Section> {
        use Section as S;
        match self.user.role {
            Role::HealthProfessional => vec![S::A, S::B, S::C, S::E, S::G],
            Role::SocialCareProfessional => vec![S::A, S::B, S::D, S::E, S::H1, S::H2],
            Role::EducationalPsychologist => vec![S::A, S::B, S::E, S::F, S::K],
            Role::LaAdmin | Role::BoardMember | Role::ServiceProvider | Role::LocalOfferOfficer | Role::StrategyLead => vec![],
            _ => Section::ALL.to_vec(),
        }
    }

    /// Advice parties whose requests and receipts this role sees (professionals: their own only).
    pub fn advice_parties(&self) -> Vec<AdviceParty> {
        match self.user.role.service() {
            Some(p) => vec![p],
            None => AdviceParty::ALL.to_vec(),
        }
    }

    /// Whether free-text reasons in the timeline are shown (LA staff only: they may hold sensitive notes).
    pub fn sees_reasons(&self) -> bool {
        matches!(self.user.role, Role::LaCaseworker | Role::SendManager)
    }

    /// Whether identifiers are shown: the UPN to education roles, the NHS number to health, all to the LA.
    pub fn sees_upn(&self) -> bool {
        matches!(self.user.role, Role::LaCaseworker | Role::SendManager | Role::Senco | Role::EducationalPsychologist)
    }
    pub fn sees_nhs_number(&self) -> bool {
        matches!(self.user.role, Role::LaCaseworker | Role::SendManager | Role::HealthProfessional)
    }

    /// Which facts of the multi-agency record this role sees: (education, health, social care).
    pub fn record_areas(&self) -> (bool, bool, bool) {
        match self.user.role {
            Role::LaCaseworker | Role::SendManager | Role::ParentCarer | Role::YoungPerson => (true, true, true),
            Role::Senco | Role::EducationalPsychologist => (true, false, false),
            Role::HealthProfessional => (false, true, false),
            Role::SocialCareProfessional => (false, false, true),
            Role::LaAdmin | Role::BoardMember | Role::ServiceProvider | Role::LocalOfferOfficer | Role::StrategyLead => {
                (false, false, false)
            }
        }
    }

    /// The sections of person-level facts (from each agency's imports) this role reads on a child's
    /// multi-agency record: the LA and the family everything; a SENCO and an educational psychologist
    /// the education sections; a health professional the health section; a social care professional
    /// social care and youth justice. Administrators and board members read no child's record.
    pub fn fact_sections(&self) -> Vec<FactSection> {
        use FactSection as F;
        match self.user.role {
            Role::LaCaseworker | Role::SendManager | Role::ParentCarer | Role::YoungPerson => F::ALL.to_vec(),
            Role::Senco | Role::EducationalPsychologist => {
                vec![F::Census, F::Attendance, F::Exclusions, F::ReducedTimetables, F::ElectiveHomeEducation, F::Attainment]
            }
            Role::HealthProfessional => vec![F::Health],
            Role::SocialCareProfessional => vec![F::SocialCare, F::YouthJustice],
            Role::LaAdmin | Role::BoardMember | Role::ServiceProvider | Role::LocalOfferOfficer | Role::StrategyLead => vec![],
        }
    }

    /// Whether this role may record an event of this kind (beyond that, the lifecycle decides).
    /// Caseworkers and managers record anything; a professional records the receipt of their own
    /// service's advice; a SENCO records the setting's advice and the annual review meeting and report.
    pub fn may_record(&self, kind: &CaseEventKind) -> bool {
        match self.user.role {
            Role::LaCaseworker | Role::SendManager => true,
            // The family's own contributions: their views (reg 6(1)(a)), a school or college they ask for
            // (CFA 2014 s38(2)(b)) and their comments on the draft (reg 13(1)).
            Role::ParentCarer | Role::YoungPerson => {
                matches!(kind, CaseEventKind::ViewsSent | CaseEventKind::DraftCommented | CaseEventKind::SettingRequested { .. })
            }
            Role::Senco => matches!(
                kind,
                CaseEventKind::ReviewMeeting
                    | CaseEventKind::ReviewReportSent
                    | CaseEventKind::AdviceReceived { party: AdviceParty::Education }
            ),
            role => match (role.service(), kind) {
                (Some(own), CaseEventKind::AdviceReceived { party }) => own == *party,
                _ => false,
            },
        }
    }

    /// Where this user starts after signing in.
    pub fn home(&self) -> &'static str {
        match self.user.role {
            Role::LaCaseworker | Role::SendManager => "/caseload",
            Role::LaAdmin => "/admin/users",
            Role::Senco => "/pupils",
            Role::HealthProfessional | Role::SocialCareProfessional | Role::EducationalPsychologist => "/advice",
            Role::ParentCarer | Role::YoungPerson => "/my-journey",
            Role::BoardMember => "/dashboard",
            Role::ServiceProvider => "/local-offer/provider",
            Role::LocalOfferOfficer => "/local-offer/changes",
            Role::StrategyLead => "/strategy",
        }
    }

    /// The navigation links this role has: (href, label).
    pub fn navigation(&self) -> Vec<(&'static str, &'static str)> {
        let mut links = Vec::new();
        if self.can(Can::Caseload) {
            links.push(("/caseload", "Caseload"));
        }
        if self.can(Can::Pupils) {
            links.push(("/pupils", "Your pupils"));
        }
        if self.can(Can::FindChild) {
            links.push(("/my-work", "Your work"));
            links.push(("/children", "Find a child"));
        }
        if self.can(Can::AdviceRequests) {
            links.push(("/advice", "Advice requests"));
        }
        if self.can(Can::OwnJourney) {
            links.push(("/my-journey", "Your EHC journey"));
        }
        if self.can(Can::Dashboard) {
            links.push(("/dashboard", "Dashboard"));
        }
        if self.can(Can::Sen2Return) {
            links.push(("/sen2", "SEN2 return"));
        }
        if self.can(Can::Surveys) {
            links.push(("/surveys", "Families' voice"));
        }
        if self.can(Can::Strategy) {
            links.push(("/strategy", "Strategy"));
        }
        if self.can(Can::AuditLog) {
            links.push(("/audit", "Audit log"));
        }
        if self.can(Can::ManageUsers) {
            links.push(("/admin/users", "Users and roles"));
        }
        if self.can(Can::KeepListings) {
            links.push(("/local-offer/provider", "Your listings"));
        }
        if self.can(Can::ApproveListings) {
            links.push(("/local-offer/changes", "Local Offer changes"));
        }
        links.push(("/account", "Your account"));
        links
    }
}

/// Documents on a case (issue 13): which kinds each role reads and may add.
impl Access {
    /// Whether this role reads documents of this kind, on a case its selection already lets it see.
    /// LA staff read everything. A family reads the advice, the draft and final plan, the letters sent to
    /// them, the review report and their own views. A SENCO reads the school's advice, the family's views,
    /// the plans and review reports. A health, social care or psychology professional reads their own
    /// service's advice, the family's views and the plans.
    pub fn sees_document(&self, kind: DocumentKind) -> bool {
        use DocumentKind as K;
        match self.user.role {
            Role::LaCaseworker | Role::SendManager => true,
            Role::ParentCarer | Role::YoungPerson => {
                matches!(kind, K::Advice(_) | K::DraftPlan | K::FinalPlan | K::Letter | K::ReviewReport | K::FamilyViews)
            }
            Role::Senco => {
                matches!(kind, K::Advice(AdviceParty::Education) | K::FamilyViews | K::DraftPlan | K::FinalPlan | K::ReviewReport)
            }
            role => match role.service() {
                Some(own) => kind == K::Advice(own) || matches!(kind, K::FamilyViews | K::DraftPlan | K::FinalPlan),
                None => false,
            },
        }
    }

    /// The kinds this role may add to a case: LA staff any; a family their views and their own advice;
    /// a SENCO the school's advice and the review report; a professional their own service's advice.
    pub fn upload_kinds(&self) -> Vec<DocumentKind> {
        use DocumentKind as K;
        match self.user.role {
            Role::LaCaseworker | Role::SendManager => K::ALL.to_vec(),
            Role::ParentCarer | Role::YoungPerson => vec![K::FamilyViews, K::Advice(AdviceParty::Parent)],
            Role::Senco => vec![K::Advice(AdviceParty::Education), K::ReviewReport],
            role => role.service().map(|own| vec![K::Advice(own)]).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_domain::ids::UserId;

    fn user(role: Role) -> Access {
        let id: UserId = "0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f".parse().unwrap();
        let record = UserRecord {
            id,
            username: "u".into(),
            display_name: "U".into(),
            role,
            la: Some("851".parse().unwrap()),
            setting_key: (role == Role::Senco).then(|| "urn:851001".into()),
            active: true,
            version: 1,
        };
        Access::new(record, waymark_domain::calendar::parse_iso_date("2026-11-22").unwrap())
    }

    #[test]
    fn board_members_and_administrators_have_no_selection_of_children_at_all() {
        assert!(user(Role::BoardMember).selection().is_none());
        assert!(user(Role::LaAdmin).selection().is_none());
        assert!(!user(Role::BoardMember).can(Can::ChildRecords));
    }

    #[test]
    fn each_role_is_limited_to_its_own_children_in_the_query() {
        assert_eq!(user(Role::LaCaseworker).selection(), Some(Selection::InScope));
        assert!(matches!(user(Role::Senco).selection(), Some(Selection::AtSetting { .. })));
        assert_eq!(user(Role::HealthProfessional).selection(), Some(Selection::AdviceRequestedOf(AdviceParty::Health)));
        assert!(matches!(user(Role::ParentCarer).selection(), Some(Selection::LinkedTo(_))));
        assert_eq!(user(Role::ParentCarer).actor().scope, Scope::All);
        assert_eq!(user(Role::Senco).actor().scope, Scope::LocalAuthority("851".parse().unwrap()));
    }

    #[test]
    fn each_role_reads_only_its_own_agencys_fact_sections() {
        use FactSection as F;
        assert_eq!(user(Role::HealthProfessional).fact_sections(), vec![F::Health]);
        assert_eq!(user(Role::SocialCareProfessional).fact_sections(), vec![F::SocialCare, F::YouthJustice]);
        let senco = user(Role::Senco).fact_sections();
        assert!(senco.contains(&F::Census) && !senco.contains(&F::Health) && !senco.contains(&F::SocialCare));
        assert!(user(Role::BoardMember).fact_sections().is_empty() && user(Role::LaAdmin).fact_sections().is_empty());
        assert_eq!(user(Role::ParentCarer).fact_sections().len(), F::ALL.len());
        // Every person dataset belongs to exactly one section.
        for d in Dataset::ALL.iter().filter(|d| d.kind() == waymark_domain::facts::DatasetKind::Person) {
            assert_eq!(F::ALL.iter().filter(|s| s.datasets().contains(d)).count(), 1, "{d}");
        }
    }

    #[test]
    fn a_professional_records_only_their_own_services_advice() {
        let health = user(Role::HealthProfessional);
        assert!(health.may_record(&CaseEventKind::AdviceReceived { party: AdviceParty::Health }));
        assert!(!health.may_record(&CaseEventKind::AdviceReceived { party: AdviceParty::SocialCare }));
        assert!(!health.may_record(&CaseEventKind::DecidedToAssess));
        assert!(user(Role::Senco).may_record(&CaseEventKind::ReviewMeeting));
        assert!(!user(Role::ParentCarer).may_record(&CaseEventKind::ReviewMeeting));
    }
}
