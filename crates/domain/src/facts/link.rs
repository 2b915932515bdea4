//! The linking rule: which child a row of an agency's file is about. Pure: the store loads the
//! children holding the rows' identifiers into a [`ChildIndex`], and [`link_person`] decides.

use super::{Dataset, LinkKey, PersonKeys};
use crate::identifiers::LaCode;
use crate::ids::ChildId;
use std::collections::HashMap;

/// How a row's person was linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// A stored child (with its responsible LA) holds one of the row's identifiers.
    Existing(ChildId, LaCode),
    /// A child this batch is creating holds one of the row's identifiers.
    InBatch(ChildId, LaCode),
    /// No child holds any of the row's identifiers.
    Unknown,
}

/// The children a batch's rows may be about, found by the identifiers the rows carry (within the
/// importing actor's scope: the store loads only those); and the children the batch itself is
/// creating.
#[derive(Debug, Default)]
pub struct ChildIndex {
    stored: HashMap<LinkKey, (ChildId, LaCode)>,
    new: HashMap<LinkKey, (ChildId, LaCode)>,
}

impl ChildIndex {
    /// Record that a stored child holds `key`. Where several hold one, the first recorded is kept:
    /// give the children earliest created first (duplicates are identity matching's to resolve).
    pub fn add_stored(&mut self, key: LinkKey, child: ChildId, la: LaCode) {
        self.stored.entry(key).or_insert((child, la));
    }

    /// The stored children recorded, once per identifier.
    pub fn stored_children(&self) -> impl Iterator<Item = ChildId> + '_ {
        self.stored.values().map(|&(child, _)| child)
    }

    /// Follow merges: an identifier of a child merged into another leads to the surviving child
    /// (`survivors` maps each merged child to the record it now lives in), so a later import of a fact
    /// about the absorbed child lands on the record it now lives in.
    pub fn follow_merges(&mut self, survivors: &HashMap<ChildId, ChildId>) {
        for (child, _) in self.stored.values_mut() {
            if let Some(&survivor) = survivors.get(child) {
                *child = survivor;
            }
        }
    }

    /// The child holding an identifier, stored or being created by this batch.
    pub fn holder(&self, key: &LinkKey) -> Option<ChildId> {
        self.stored.get(key).or_else(|| self.new.get(key)).map(|&(child, _)| child)
    }

    /// Record that the batch creates `child` for a row: later rows with any of its identifiers are
    /// the same child.
    pub fn add_new(&mut self, keys: &PersonKeys, dataset: Dataset, child: ChildId, la: LaCode) {
        for key in keys.link_keys(dataset) {
            self.new.entry(key).or_insert((child, la));
        }
    }
}

/// The linking rule: exact identifier match, within the actor's scope. The row's identifiers are
/// tried in [`PersonKeys::link_keys`] order (the dataset's own first, then any other it carries);
/// the first that a child holds, stored (after following merges) or being created by this batch,
/// decides. Names, dates of birth and postcodes never link a row: a row that links to no child makes
/// a new one, which the identity matcher then pairs with look-alikes on the review queue.
pub fn link_person(index: &ChildIndex, keys: &PersonKeys, dataset: Dataset) -> Link {
    for key in keys.link_keys(dataset) {
        if let Some(&(child, la)) = index.stored.get(&key) {
            return Link::Existing(child, la);
        }
        if let Some(&(child, la)) = index.new.get(&key) {
            return Link::InBatch(child, la);
        }
    }
    Link::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn la() -> LaCode {
        "919".parse().unwrap()
    }
    fn child(n: u8) -> ChildId {
        format!("22222222-2222-4222-8222-22222222222{n}").parse().unwrap()
    }
    fn keys(upn: Option<&str>, nhs: Option<&str>) -> PersonKeys {
        let mut k = PersonKeys::new(la());
        k.upn = upn.map(|u| u.parse().unwrap());
        k.nhs_number = nhs.map(|n| n.parse().unwrap());
        k
    }

    #[test]
    fn a_row_links_by_the_datasets_own_identifier_first_and_by_exact_identifier_only() {
        let mut index = ChildIndex::default();
        index.add_stored(LinkKey::Upn("C919200112001".parse().unwrap()), child(1), la());
        index.add_stored(LinkKey::NhsNumber("9434765919".parse().unwrap()), child(2), la());
        let both = keys(Some("C919200112001"), Some("9434765919"));
        assert_eq!(link_person(&index, &both, Dataset::HealthChecks), Link::Existing(child(2), la()));
        assert_eq!(link_person(&index, &both, Dataset::Census), Link::Existing(child(1), la()));
        // Names and dates of birth never link.
        assert_eq!(link_person(&index, &keys(None, Some("4010232137")), Dataset::HealthChecks), Link::Unknown);
    }

    #[test]
    fn the_earliest_holder_is_kept_merges_are_followed_and_a_new_child_links_later_rows() {
        let upn = LinkKey::Upn("C919200112001".parse().unwrap());
        let mut index = ChildIndex::default();
        index.add_stored(upn.clone(), child(1), la());
        index.add_stored(upn.clone(), child(2), la());
        assert_eq!(index.holder(&upn), Some(child(1)));
        index.follow_merges(&HashMap::from([(child(1), child(3))]));
        assert_eq!(index.holder(&upn), Some(child(3)));

        let new = keys(Some("R919200112002"), None);
        assert_eq!(link_person(&index, &new, Dataset::Census), Link::Unknown);
        index.add_new(&new, Dataset::Census, child(4), la());
        assert_eq!(link_person(&index, &new, Dataset::Census), Link::InBatch(child(4), la()));
    }
}
