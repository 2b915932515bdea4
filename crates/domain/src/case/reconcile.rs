//! Which stored case a case told by an imported SEN2 return is, and what the import does with it.
//!
//! A return tells each case as it stands on its census day, so the same case arrives again, year
//! after year, told from a later point. [`reconcile`] pairs each incoming history with the stored
//! case it continues (each stored case answers for one incoming case at most) and says whether to
//! leave it, extend it with the later steps, leave a differing history alone, or open a new case. Pure:
//! the store only writes what this decides.

use super::{Case, CaseEvent, CaseEventKind as E, Stage};
use crate::calendar::Date;
use crate::ids::{CaseId, ChildId};
use std::collections::HashSet;

/// What an import does with one incoming case history.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseFit {
    /// A stored case already holds this history: nothing to write.
    Unchanged(CaseId),
    /// A stored case continues with later steps: `events` is its whole new history, of which the
    /// first `from` are stored already.
    Extend { id: CaseId, events: Vec<CaseEvent>, from: usize },
    /// A stored case answers for this one but the histories disagree: the stored case is left as it is.
    Differs(CaseId),
    /// No stored case answers for it: a new case with these events.
    New(Vec<CaseEvent>),
}

/// Pair each of `incoming` (a child's case histories as the return tells them, empty ones ignored)
/// with the stored case of `child` it continues, and say what to do with it. `stored` holds the
/// child's cases, oldest first. A stored case matches when it opened with the same first event, or
/// when it is the same case told by a return of another year (`same_case`).
pub fn reconcile(child: ChildId, stored: &[(CaseId, Vec<CaseEvent>)], incoming: Vec<Vec<CaseEvent>>) -> Vec<CaseFit> {
    let mut claimed = HashSet::new();
    let mut fits = Vec::with_capacity(incoming.len());
    for events in incoming {
        let Some(first) = events.first() else { continue };
        // Each stored case answers for one case of the return at most.
        let free = |id: &CaseId| !claimed.contains(id);
        let matched = stored
            .iter()
            .find(|(id, e)| free(id) && e.first() == Some(first))
            .or_else(|| stored.iter().find(|(id, e)| free(id) && same_case(*id, child, e, &events)));
        let Some((id, held)) = matched else {
            fits.push(CaseFit::New(events));
            continue;
        };
        claimed.insert(*id);
        // A later year's return tells the same case again from where it stands on its census day:
        // what it adds after the history already held extends the case instead of opening another.
        let events = if events.starts_with(held) {
            events
        } else {
            match later_steps(*id, child, held, &events) {
                Fit::Extends(joined) => joined,
                Fit::Covered => held.clone(),
                Fit::Differs => events,
            }
        };
        fits.push(if *held == events {
            CaseFit::Unchanged(*id)
        } else if events.starts_with(held) {
            CaseFit::Extend { id: *id, from: held.len(), events }
        } else {
            CaseFit::Differs(*id)
        });
    }
    fits
}

/// The date a case's plan was first made: its final plan, or the plan it opened with.
fn plan_made(events: &[CaseEvent]) -> Option<Date> {
    events.iter().find(|e| matches!(e.kind, E::FinalIssued { .. } | E::ExistingPlan { .. })).map(|e| e.date)
}

/// Whether two histories of one child are the same case told by returns of different years. A return
/// tells a case as it stands on its census day, so a later return shows a plan made before its year as
/// an existing plan with that start date (SEN2 item 3.2.1 StartDate), and a request received before its
/// year without its received date. The same case is: the same plan (made the same day); or the same
/// request (received the same day); or a request the store holds as still being assessed, which a later
/// return carries on (the LA runs one assessment for a child at a time: CFA 2014 s36).
fn same_case(id: CaseId, child: ChildId, stored: &[CaseEvent], incoming: &[CaseEvent]) -> bool {
    match (plan_made(stored), plan_made(incoming)) {
        (Some(a), Some(b)) if a == b => return true,
        (Some(_), Some(_)) => return false,
        _ => {}
    }
    let received = |e: &[CaseEvent]| e.first().filter(|f| matches!(f.kind, E::RequestReceived { .. })).map(|f| f.date);
    let (Some(a), Some(b)) = (received(stored), received(incoming)) else { return false };
    if a == b {
        return true;
    }
    if b < a {
        return false;
    }
    // Carried on: the stored request is still being assessed, or it holds every later step already.
    let assessing = Case::replay(id, child, stored).is_ok_and(|c| {
        matches!(c.stage(), Stage::Requested | Stage::Assessing { .. } | Stage::Drafting { .. } | Stage::DraftIssued { .. })
    });
    let mut later = incoming.iter().filter(|e| !opens(e)).peekable();
    assessing || (later.peek().is_some() && later.all(|e| stored.contains(e)))
}

/// Steps that open a case or decide to assess: a later return repeats them with dates of its own.
fn opens(e: &CaseEvent) -> bool {
    matches!(e.kind, E::RequestReceived { .. } | E::ExistingPlan { .. } | E::DecidedToAssess)
}

/// How an incoming history relates to the stored one of the same case.
enum Fit {
    /// The stored history followed by the incoming steps dated after its last one.
    Extends(Vec<CaseEvent>),
    /// Nothing in the incoming history is later than what is stored.
    Covered,
    /// The later steps do not follow on from the stored history (the lifecycle refuses them).
    Differs,
}

/// Fit the incoming steps dated after the stored history's last step onto it. Steps that open a case or
/// decide to assess again are left out: the stored history has them already.
fn later_steps(id: CaseId, child: ChildId, stored: &[CaseEvent], incoming: &[CaseEvent]) -> Fit {
    let Some(last) = stored.last().map(|e| e.date) else { return Fit::Differs };
    let tail: Vec<CaseEvent> = incoming.iter().filter(|e| e.date > last && !opens(e)).cloned().collect();
    if tail.is_empty() {
        return Fit::Covered;
    }
    let joined: Vec<CaseEvent> = stored.iter().cloned().chain(tail).collect();
    match Case::replay(id, child, &joined) {
        Ok(_) => Fit::Extends(joined),
        Err(_) => Fit::Differs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_iso_date;
    use crate::case::Requester;
    use crate::plan::PlanContents;

    fn ev(date: &str, kind: E) -> CaseEvent {
        CaseEvent::new(parse_iso_date(date).unwrap(), kind)
    }
    fn ids() -> (CaseId, ChildId) {
        ("11111111-1111-4111-8111-111111111111".parse().unwrap(), "22222222-2222-4222-8222-222222222222".parse().unwrap())
    }
    fn request(date: &str) -> CaseEvent {
        ev(
            date,
            E::RequestReceived {
                requester: Requester::ParentOrYoungPerson,
                in_youth_accommodation: false,
                unknown_dates: Default::default(),
            },
        )
    }
    fn existing(date: &str) -> CaseEvent {
        ev(date, E::ExistingPlan { plan: PlanContents::default(), transferred_from: None })
    }

    #[test]
    fn the_same_history_again_is_unchanged_and_a_case_no_stored_case_answers_for_is_new() {
        let (case, child) = ids();
        let held = vec![request("2025-01-10"), ev("2025-02-20", E::DecidedToAssess)];
        let other = vec![request("2024-03-01")];
        let fits = reconcile(child, &[(case, held.clone())], vec![held.clone(), vec![], other.clone()]);
        assert_eq!(fits, vec![CaseFit::Unchanged(case), CaseFit::New(other)]);
    }

    #[test]
    fn a_later_return_carrying_on_an_assessment_extends_the_stored_case_cfa_2014_s36_one_assessment_at_a_time() {
        // The later return tells the request without its received date (SEN2 item 3.2.1): a request
        // the store holds as still being assessed is the same case, and the new steps extend it.
        let (case, child) = ids();
        let held = vec![request("2025-01-10"), ev("2025-02-20", E::DecidedToAssess)];
        let incoming = vec![request("2025-03-01"), ev("2025-03-02", E::DecidedToAssess), ev("2025-05-01", E::DecidedNotToIssue)];
        let fits = reconcile(child, &[(case, held.clone())], vec![incoming]);
        let mut joined = held.clone();
        joined.push(ev("2025-05-01", E::DecidedNotToIssue));
        assert_eq!(fits, vec![CaseFit::Extend { id: case, events: joined, from: 2 }]);
    }

    #[test]
    fn a_plan_made_on_the_same_day_is_the_same_case_sen2_item_3_2_1_start_date_and_one_made_on_another_day_is_not() {
        let (case, child) = ids();
        let held = vec![existing("2023-09-01")];
        assert_eq!(reconcile(child, &[(case, held.clone())], vec![vec![existing("2023-09-01")]]), vec![CaseFit::Unchanged(case)]);
        let elsewhere = vec![existing("2024-09-01")];
        assert_eq!(reconcile(child, &[(case, held)], vec![elsewhere.clone()]), vec![CaseFit::New(elsewhere)]);
    }

    #[test]
    fn each_stored_case_answers_for_one_incoming_case_at_most() {
        let (case, child) = ids();
        let held = vec![request("2025-01-10")];
        let fits = reconcile(child, &[(case, held.clone())], vec![held.clone(), held.clone()]);
        assert_eq!(fits, vec![CaseFit::Unchanged(case), CaseFit::New(held)]);
    }

    #[test]
    fn later_steps_the_lifecycle_refuses_leave_the_stored_case_as_it_is() {
        let (case, child) = ids();
        let held = vec![request("2025-01-10"), ev("2025-02-20", E::DecidedNotToAssess)];
        // Same request day, but a final plan after a decision not to assess does not follow.
        let incoming = vec![request("2025-01-10"), ev("2025-06-01", E::FinalIssued { plan: PlanContents::default() })];
        assert_eq!(reconcile(child, &[(case, held)], vec![incoming]), vec![CaseFit::Differs(case)]);
    }
}
