//! The SEN2 record tree, one struct per XML module (sen2.md §3): a [`Sen2Person`] holds its
//! [`Request`]s, each with an optional [`Assessment`] (and its [`NamedPlan`] with [`SettingDetail`]s)
//! and optional [`ActivePlans`] (placements, needs and reviews).
//!
//! Values are kept as the return writes them: codes as their text (`"Y"`, `"ASD"`, `"1"`), dates as
//! dates. A record read from a file may therefore hold a value outside its code set; the schema check
//! reports that, and the business rules compare codes as text. Each node remembers the line it was
//! read from (0 for a record built from casework) so a finding can point at the file.

use waymark_domain::calendar::Date;

/// Where the parts of a record were read from: the node's own line, and each item's line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lines {
    pub line: u64,
    items: Vec<(&'static str, u64)>,
}

impl Lines {
    pub fn at(line: u64) -> Self {
        Self { line, items: Vec::new() }
    }
    pub fn set(&mut self, item: &'static str, line: u64) {
        self.items.push((item, line));
    }
    /// Whether `item` was present in the file (even with a value that could not be read).
    pub fn has(&self, item: &str) -> bool {
        self.items.iter().any(|(n, _)| *n == item)
    }
    /// The line of `item` if it was read from a file, else the node's own line.
    pub fn of(&self, item: &str) -> u64 {
        self.items.iter().find(|(n, _)| *n == item).map_or(self.line, |(_, l)| *l)
    }
}

/// The header: which collection, which LA, which software, and the designated officers in post.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    pub collection: Option<String>,
    pub year: Option<String>,
    pub reference_date: Option<Date>,
    pub source_level: Option<String>,
    pub lea: Option<String>,
    pub software_code: Option<String>,
    pub release: Option<String>,
    pub serial_no: Option<String>,
    /// `ccyy-mm-ddThh:mm:ss`.
    pub date_time: Option<String>,
    pub dmo: Option<String>,
    pub dco: Option<String>,
    pub dsco: Option<String>,
    pub lines: Lines,
}

/// Module 1: one person, with every request the return counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sen2Person {
    pub surname: Option<String>,
    pub forename: Option<String>,
    pub birth_date: Option<Date>,
    pub sex: Option<String>,
    pub ethnicity: Option<String>,
    pub postcode: Option<String>,
    pub upn: Option<String>,
    pub uln: Option<String>,
    pub upn_unknown: Option<String>,
    pub requests: Vec<Request>,
    pub lines: Lines,
}

/// Module 2: a request for an EHC needs assessment (or, coded H, an existing plan).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub received_date: Option<Date>,
    pub request_source: Option<String>,
    pub rya: Option<String>,
    pub outcome_date: Option<Date>,
    pub outcome: Option<String>,
    pub mediation: Option<String>,
    pub tribunal: Option<String>,
    pub exported: Option<String>,
    pub assessment: Option<Assessment>,
    pub active_plans: Option<ActivePlans>,
    pub lines: Lines,
}

/// Module 3: the EHC needs assessment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assessment {
    pub outcome: Option<String>,
    pub outcome_date: Option<Date>,
    pub mediation: Option<String>,
    pub tribunal: Option<String>,
    pub other_mediation: Option<String>,
    pub other_tribunal: Option<String>,
    pub week20: Option<String>,
    pub named_plan: Option<NamedPlan>,
    pub lines: Lines,
}

/// Module 4: the plan and the settings it names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamedPlan {
    pub start_date: Option<Date>,
    pub plan_details: Vec<SettingDetail>,
    pub plan_res: Option<String>,
    pub plan_wbp: Option<String>,
    pub pb: Option<String>,
    pub oa: Option<String>,
    pub dp: Option<String>,
    pub cease_date: Option<Date>,
    pub cease_reason: Option<String>,
    pub lines: Lines,
}

/// A setting: named in a plan (PlanDetail, 4.7) or attended (PlacementDetail, 5.7). Entry and leaving
/// dates, `Res` and `WBP` belong to placements only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingDetail {
    pub urn: Option<String>,
    pub ukprn: Option<String>,
    pub sen_setting: Option<String>,
    pub sen_setting_other: Option<String>,
    pub rank: Option<String>,
    pub entry_date: Option<Date>,
    pub leaving_date: Option<Date>,
    pub sen_unit: Option<String>,
    pub resourced_provision: Option<String>,
    pub res: Option<String>,
    pub wbp: Option<String>,
    pub lines: Lines,
}

/// Module 5: an active (or in-year) plan's placements, needs, reviews and phase transfer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivePlans {
    pub transfer_la: Option<String>,
    pub placements: Vec<SettingDetail>,
    pub needs: Vec<SenNeed>,
    pub review_meeting: Option<Date>,
    pub review_outcome: Option<String>,
    pub review_draft: Option<Date>,
    pub phase_transfer_due: Option<Date>,
    pub phase_transfer_final: Option<Date>,
    pub last_review: Option<Date>,
    pub lines: Lines,
}

/// 5.8: a type of need with its rank.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SenNeed {
    pub sen_type: Option<String>,
    pub rank: Option<String>,
    pub lines: Lines,
}

impl Sen2Person {
    /// How a finding names the person: the UPN, else the ULN, else name and date of birth.
    pub fn label(&self) -> String {
        if let Some(upn) = self.upn.as_deref().filter(|u| !u.trim().is_empty()) {
            return format!("UPN {upn}");
        }
        if let Some(uln) = self.uln.as_deref().filter(|u| !u.trim().is_empty()) {
            return format!("ULN {uln}");
        }
        let name = format!("{} {}", self.forename.as_deref().unwrap_or("").trim(), self.surname.as_deref().unwrap_or("").trim());
        match self.birth_date {
            Some(d) => format!("{} born {d}", name.trim()),
            None => name.trim().to_owned(),
        }
    }

    /// Every plan in the record with the request index it belongs to.
    pub fn plans(&self) -> impl Iterator<Item = (usize, &NamedPlan)> {
        self.requests.iter().enumerate().filter_map(|(i, r)| r.assessment.as_ref()?.named_plan.as_ref().map(|p| (i, p)))
    }
}

/// Clear every line number (records built from casework and records read from a file then compare
/// equal on their values alone).
pub fn strip_lines(person: &mut Sen2Person) {
    person.lines = Lines::default();
    for r in &mut person.requests {
        r.lines = Lines::default();
        if let Some(a) = &mut r.assessment {
            a.lines = Lines::default();
            if let Some(p) = &mut a.named_plan {
                p.lines = Lines::default();
                p.plan_details.iter_mut().for_each(|d| d.lines = Lines::default());
            }
        }
        if let Some(ap) = &mut r.active_plans {
            ap.lines = Lines::default();
            ap.placements.iter_mut().for_each(|d| d.lines = Lines::default());
            ap.needs.iter_mut().for_each(|n| n.lines = Lines::default());
        }
    }
}
