//! From the groups in a person's ID token to a Waymark role and LA.

use std::fmt;
use std::str::FromStr;
use thiserror::Error;
use waymark_domain::identifiers::LaCode;

/// The longest group id accepted (Entra ID's are 36-character object ids; names from other providers are
/// longer, but not this long).
pub const MAX_GROUP_ID: usize = 256;

/// A group as the identity provider names it in the `groups` claim (Entra ID: the group's object id).
/// Compared exactly: providers treat ids as case-sensitive strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupId(String);

impl GroupId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a group id cannot be used, in words for the administrator typing it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct GroupIdError(pub &'static str);

impl FromStr for GroupId {
    type Err = GroupIdError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.is_empty() {
            return Err(GroupIdError("Enter the group's id as your identity provider sends it"));
        }
        if text.chars().count() > MAX_GROUP_ID {
            return Err(GroupIdError("A group id is at most 256 characters"));
        }
        if text.chars().any(char::is_control) {
            return Err(GroupIdError("A group id is one line of text"));
        }
        Ok(Self(text.to_owned()))
    }
}

/// One row of the administrator's table: people in `group` get `role` in `la`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping<R> {
    pub group: GroupId,
    pub role: R,
    pub la: Option<LaCode>,
}

/// What a sign-in is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant<R> {
    pub role: R,
    pub la: Option<LaCode>,
}

/// Why a sign-in is refused; the message is for the person signing in.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("Your council account is not in any group that has been given access to Waymark. Ask your Waymark administrator to give your team's group access")]
    NoMappedGroup,
    #[error("Your council account is in groups that give different roles in Waymark. Ask your Waymark administrator to sort this out")]
    Conflicting,
}

/// The role and LA given by `groups` (the ID token's `groups` claim) under `mappings`.
///
/// Groups without a mapping are ignored (a council account is in many). Every mapped group must give
/// the same role and LA: two different grants are refused rather than one chosen, because whichever
/// were chosen might give more than the administrator meant.
pub fn resolve<R: Copy + Eq>(groups: &[String], mappings: &[Mapping<R>]) -> Result<Grant<R>, Refusal> {
    let mut found: Option<Grant<R>> = None;
    for m in mappings.iter().filter(|m| groups.iter().any(|g| g == m.group.as_str())) {
        let grant = Grant { role: m.role, la: m.la };
        match found {
            None => found = Some(grant),
            Some(g) if g == grant => {}
            Some(_) => return Err(Refusal::Conflicting),
        }
    }
    found.ok_or(Refusal::NoMappedGroup)
}

/// The username and name a first sign-in's account is made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountNames {
    /// No spaces, at most 100 characters; the caller makes it unique.
    pub username: String,
    pub display_name: String,
}

fn one_line(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect::<String>().trim().to_owned()
}

/// The account's names from the ID token's `preferred_username` (Entra ID: the user principal name),
/// `email`, `name` and `sub` claims, in that order of preference.
pub fn account_names(preferred_username: Option<&str>, email: Option<&str>, name: Option<&str>, subject: &str) -> AccountNames {
    let username_from = [preferred_username, email, Some(subject)]
        .into_iter()
        .flatten()
        .map(|u| u.split_whitespace().collect::<Vec<_>>().join("."))
        .map(|u| one_line(&u, 90))
        .find(|u| !u.is_empty())
        .unwrap_or_else(|| "council-account".to_owned());
    let display_name = name.map(|n| one_line(n, 100)).filter(|n| !n.is_empty()).unwrap_or_else(|| username_from.clone());
    AccountNames { username: username_from, display_name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Role {
        Caseworker,
        Manager,
    }

    fn la(code: &str) -> Option<LaCode> {
        Some(code.parse().unwrap())
    }

    fn mapping(group: &str, role: Role, code: &str) -> Mapping<Role> {
        Mapping { group: group.parse().unwrap(), role, la: la(code) }
    }

    fn groups(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_mapped_group_gives_its_role_and_la_and_other_groups_are_ignored() {
        let table = [mapping("g-casework", Role::Caseworker, "851"), mapping("g-managers", Role::Manager, "851")];
        assert_eq!(resolve(&groups(&["all-staff", "g-casework"]), &table), Ok(Grant { role: Role::Caseworker, la: la("851") }));
        // Two groups giving the same role and LA are one grant.
        let table = [mapping("a", Role::Manager, "851"), mapping("b", Role::Manager, "851")];
        assert_eq!(resolve(&groups(&["a", "b"]), &table), Ok(Grant { role: Role::Manager, la: la("851") }));
    }

    #[test]
    fn no_mapped_group_or_disagreeing_groups_are_refused() {
        let table = [mapping("g-casework", Role::Caseworker, "851"), mapping("g-managers", Role::Manager, "851")];
        assert_eq!(resolve(&groups(&["all-staff"]), &table), Err(Refusal::NoMappedGroup));
        assert_eq!(resolve(&[], &table), Err(Refusal::NoMappedGroup));
        // Group ids are compared exactly.
        assert_eq!(resolve(&groups(&["G-CASEWORK"]), &table), Err(Refusal::NoMappedGroup));
        assert_eq!(resolve(&groups(&["g-casework", "g-managers"]), &table), Err(Refusal::Conflicting));
        // The same role in two LAs disagrees too.
        let table = [mapping("a", Role::Manager, "851"), mapping("b", Role::Manager, "852")];
        assert_eq!(resolve(&groups(&["a", "b"]), &table), Err(Refusal::Conflicting));
        assert!(Refusal::NoMappedGroup.to_string().contains("Ask your Waymark administrator"));
    }

    #[test]
    fn group_ids_are_one_trimmed_line() {
        assert_eq!("  7f3c-11 ".parse::<GroupId>().unwrap().as_str(), "7f3c-11");
        assert!("".parse::<GroupId>().is_err());
        assert!("a\nb".parse::<GroupId>().is_err());
        assert!("x".repeat(257).parse::<GroupId>().is_err());
    }

    #[test]
    fn account_names_prefer_the_principal_name_then_email_then_subject() {
        let n = account_names(Some("sam.okafor@council.gov.uk"), Some("s@x"), Some("Sam Okafor"), "sub-1");
        assert_eq!(n, AccountNames { username: "sam.okafor@council.gov.uk".into(), display_name: "Sam Okafor".into() });
        let n = account_names(None, Some("  "), None, "AAAbbb");
        assert_eq!(n, AccountNames { username: "AAAbbb".into(), display_name: "AAAbbb".into() });
        assert_eq!(account_names(Some("Sam Okafor"), None, None, "s").username, "Sam.Okafor");
        assert_eq!(account_names(Some(&"x".repeat(300)), None, Some(&"y".repeat(300)), "s").display_name.len(), 100);
    }
}
