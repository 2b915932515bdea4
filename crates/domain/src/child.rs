//! A child or young person aged 0-25 known to the local area: one record across education, health and
//! care, identified by Waymark's own id and whatever identifiers each agency holds.

use crate::calendar::{age_on, Date};
use crate::identifiers::{Ethnicity, LaCode, NhsNumber, Postcode, Uln, Upn};
use crate::ids::ChildId;
use crate::need::{NeedCode, NeedError, RankedNeeds};
use serde::{Deserialize, Serialize};

/// Sex as recorded for DfE returns (SEN2 item 1.4 from 2024: M or F).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
}

/// A person's names as the family uses them. Never written to logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    forename: String,
    surname: String,
}

impl PersonName {
    pub fn new(forename: &str, surname: &str) -> Result<Self, ChildError> {
        let (f, s) = (forename.trim(), surname.trim());
        if f.is_empty() {
            return Err(ChildError::MissingName("forename"));
        }
        if s.is_empty() {
            return Err(ChildError::MissingName("surname"));
        }
        Ok(Self { forename: f.to_owned(), surname: s.to_owned() })
    }
    pub fn forename(&self) -> &str {
        &self.forename
    }
    pub fn surname(&self) -> &str {
        &self.surname
    }
}

/// The three SEN statuses of the school census (provision codes N, K, E).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SenStatus {
    /// N: no special educational needs.
    NoSen,
    /// K: SEN support.
    SenSupport,
    /// E: an education, health and care plan.
    EhcPlan,
}

impl SenStatus {
    pub fn census_code(self) -> char {
        match self {
            Self::NoSen => 'N',
            Self::SenSupport => 'K',
            Self::EhcPlan => 'E',
        }
    }
}

/// A period from `from` during which a child had one SEN status and set of needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenStatusPeriod {
    pub from: Date,
    pub status: SenStatus,
    pub needs: RankedNeeds,
}

/// Why child data was refused. Each says which rule failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChildError {
    #[error("the {0} must not be blank")]
    MissingName(&'static str),
    #[error("the date of birth {born} is after {on}, the date the record is made")]
    BornInFuture { born: Date, on: Date },
    #[error("Waymark holds children and young people aged 0 to 25: someone born on {born} is {age} on {on}")]
    OutsideAgeRange { born: Date, on: Date, age: i32 },
    #[error("SEN status changes must be in date order: {later} is not after {earlier}")]
    StatusOutOfOrder { earlier: Date, later: Date },
    #[error("SEN status on {0} is before the date of birth")]
    StatusBeforeBirth(Date),
    #[error("a child with no SEN has no recorded need")]
    NeedsWithoutSen,
    #[error("NSA (no specialist assessment) cannot be the need of a child with an EHC plan")]
    NsaWithPlan,
    #[error(transparent)]
    Need(#[from] NeedError),
}

/// The identifying and demographic facts about a child, each already parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    pub id: ChildId,
    pub name: PersonName,
    pub date_of_birth: Date,
    pub sex: Sex,
    pub ethnicity: Option<Ethnicity>,
    pub postcode: Option<Postcode>,
    pub upn: Option<Upn>,
    pub uln: Option<Uln>,
    pub nhs_number: Option<NhsNumber>,
    /// The LA responsible under s24 Children and Families Act 2014.
    pub responsible_la: LaCode,
    sen_history: Vec<SenStatusPeriod>,
}

/// Everything needed to record a new child; checked by [`Child::new`].
#[derive(Debug, Clone)]
pub struct NewChild {
    pub name: PersonName,
    pub date_of_birth: Date,
    pub sex: Sex,
    pub ethnicity: Option<Ethnicity>,
    pub postcode: Option<Postcode>,
    pub upn: Option<Upn>,
    pub uln: Option<Uln>,
    pub nhs_number: Option<NhsNumber>,
    pub responsible_la: LaCode,
}

/// The oldest age Waymark holds: a plan may run to the end of the academic year in which the young
/// person turns 25 (s46 CFA 2014), so someone can be 25 but never 26.
pub const MAX_AGE: i32 = 25;

impl Child {
    /// Record a child, checking the age range on `today` (injected, never read from the wall clock).
    pub fn new(id: ChildId, new: NewChild, today: Date) -> Result<Self, ChildError> {
        check_age(new.date_of_birth, today)?;
        Ok(Self {
            id,
            name: new.name,
            date_of_birth: new.date_of_birth,
            sex: new.sex,
            ethnicity: new.ethnicity,
            postcode: new.postcode,
            upn: new.upn,
            uln: new.uln,
            nhs_number: new.nhs_number,
            responsible_la: new.responsible_la,
            sen_history: Vec::new(),
        })
    }

    /// Check the age range again on `today` (for a corrected date of birth): 0 to 25, not born later.
    pub fn check_age(&self, today: Date) -> Result<(), ChildError> {
        check_age(self.date_of_birth, today)
    }

    pub fn age_on(&self, on: Date) -> i32 {
        age_on(self.date_of_birth, on)
    }

    /// Record a change of SEN status from `from`. Changes come in date order.
    pub fn record_sen_status(&mut self, from: Date, status: SenStatus, needs: RankedNeeds) -> Result<(), ChildError> {
        if from < self.date_of_birth {
            return Err(ChildError::StatusBeforeBirth(from));
        }
        if let Some(last) = self.sen_history.last() {
            if from <= last.from {
                return Err(ChildError::StatusOutOfOrder { earlier: last.from, later: from });
            }
        }
        if status == SenStatus::NoSen && needs.primary().is_some() {
            return Err(ChildError::NeedsWithoutSen);
        }
        if status == SenStatus::EhcPlan && needs.primary() == Some(NeedCode::Nsa) {
            return Err(ChildError::NsaWithPlan);
        }
        self.sen_history.push(SenStatusPeriod { from, status, needs });
        Ok(())
    }

    pub fn sen_history(&self) -> &[SenStatusPeriod] {
        &self.sen_history
    }

    /// The SEN status in force on `on` (no SEN where nothing was recorded by then).
    pub fn sen_status_on(&self, on: Date) -> SenStatus {
        self.period_on(on).map_or(SenStatus::NoSen, |p| p.status)
    }

    /// The needs recorded as in force on `on`.
    pub fn needs_on(&self, on: Date) -> RankedNeeds {
        self.period_on(on).map(|p| p.needs.clone()).unwrap_or_default()
    }

    fn period_on(&self, on: Date) -> Option<&SenStatusPeriod> {
        self.sen_history.iter().rev().find(|p| p.from <= on)
    }
}

fn check_age(born: Date, today: Date) -> Result<(), ChildError> {
    if born > today {
        return Err(ChildError::BornInFuture { born, on: today });
    }
    let age = age_on(born, today);
    if age > MAX_AGE {
        return Err(ChildError::OutsideAgeRange { born, on: today, age });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_iso_date as d;

    fn new_child(born: &str) -> NewChild {
        NewChild {
            name: PersonName::new("Sam", "Example").unwrap(),
            date_of_birth: d(born).unwrap(),
            sex: Sex::Female,
            ethnicity: Some("WBRI".parse().unwrap()),
            postcode: Some("PO1 2AB".parse().unwrap()),
            upn: Some("X931200124123".parse().unwrap()),
            uln: None,
            nhs_number: Some("9434765919".parse().unwrap()),
            responsible_la: "851".parse().unwrap(),
        }
    }

    fn id() -> ChildId {
        "0f8e5a3c-1b2d-4c5e-9f60-7a8b9c0d1e2f".parse().unwrap()
    }

    #[test]
    fn cfa_2014_s46_children_and_young_people_are_aged_0_to_25() {
        let today = d("2026-06-30").unwrap();
        assert!(Child::new(id(), new_child("2000-07-01"), today).is_ok()); // 25
        assert!(matches!(Child::new(id(), new_child("2000-06-30"), today), Err(ChildError::OutsideAgeRange { age: 26, .. })));
        assert!(matches!(Child::new(id(), new_child("2026-07-01"), today), Err(ChildError::BornInFuture { .. })));
        assert!(Child::new(id(), new_child("2026-06-30"), today).is_ok());
    }

    #[test]
    fn names_must_not_be_blank() {
        assert_eq!(PersonName::new(" ", "Example"), Err(ChildError::MissingName("forename")));
        assert_eq!(PersonName::new("Sam", ""), Err(ChildError::MissingName("surname")));
    }

    #[test]
    fn sen_status_is_held_over_time() {
        let mut child = Child::new(id(), new_child("2015-03-01"), d("2026-01-01").unwrap()).unwrap();
        let asd = RankedNeeds::new(Some(NeedCode::Asd), Some(NeedCode::Slcn)).unwrap();
        child
            .record_sen_status(d("2020-09-01").unwrap(), SenStatus::SenSupport, RankedNeeds::new(Some(NeedCode::Slcn), None).unwrap())
            .unwrap();
        child.record_sen_status(d("2023-05-10").unwrap(), SenStatus::EhcPlan, asd.clone()).unwrap();
        assert_eq!(child.sen_status_on(d("2019-01-01").unwrap()), SenStatus::NoSen);
        assert_eq!(child.sen_status_on(d("2021-01-01").unwrap()), SenStatus::SenSupport);
        assert_eq!(child.sen_status_on(d("2023-05-10").unwrap()), SenStatus::EhcPlan);
        assert_eq!(child.needs_on(d("2024-01-01").unwrap()), asd);
        assert!(matches!(
            child.record_sen_status(d("2022-01-01").unwrap(), SenStatus::SenSupport, RankedNeeds::default()),
            Err(ChildError::StatusOutOfOrder { .. })
        ));
        assert_eq!(
            child.record_sen_status(d("2024-01-01").unwrap(), SenStatus::EhcPlan, RankedNeeds::new(Some(NeedCode::Nsa), None).unwrap()),
            Err(ChildError::NsaWithPlan)
        );
        assert_eq!(child.record_sen_status(d("2024-01-01").unwrap(), SenStatus::NoSen, asd), Err(ChildError::NeedsWithoutSen));
    }

    #[test]
    fn a_child_round_trips_through_json_and_a_bad_upn_in_json_is_refused() {
        let child = Child::new(id(), new_child("2015-03-01"), d("2026-01-01").unwrap()).unwrap();
        let json = serde_json::to_string(&child).unwrap();
        assert_eq!(serde_json::from_str::<Child>(&json).unwrap(), child);
        let bad = json.replace("X931200124123", "A931200124123");
        let err = serde_json::from_str::<Child>(&bad).unwrap_err().to_string();
        assert!(err.contains("check letter"), "{err}");
    }
}
