//! Who is asking, and which records they may see. Every read and write of a child or case is checked
//! against the actor's [`Scope`]; a record outside it behaves exactly like a missing one.

use serde::Serialize;
use waymark_domain::identifiers::LaCode;

/// The longest actor label the store accepts.
pub const MAX_ACTOR_LABEL: usize = 200;

/// The person or process making a request, as the store records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// A non-personal label written to history and the audit log: a user id, or e.g. `cli`. Never a
    /// name or email address.
    pub label: String,
    /// The records the actor may read and change.
    pub scope: Scope,
}

impl Actor {
    pub fn new(label: impl Into<String>, scope: Scope) -> Self {
        Self { label: label.into(), scope }
    }
}

/// Which local authorities' records an actor may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "scope", content = "la", rename_all = "snake_case")]
pub enum Scope {
    /// Every record (an administrator, or a single-LA installation's command line).
    All,
    /// Only the records of one local authority.
    LocalAuthority(LaCode),
}

impl Scope {
    /// Whether a record of local authority `la` is within this scope.
    pub fn permits(&self, la: LaCode) -> bool {
        match self {
            Self::All => true,
            Self::LocalAuthority(own) => *own == la,
        }
    }

    /// The one LA this scope is limited to, if any.
    pub fn la(&self) -> Option<LaCode> {
        match self {
            Self::All => None,
            Self::LocalAuthority(la) => Some(*la),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_permits_its_own_la_only_and_all_permits_every_la() {
        let (portsmouth, kent): (LaCode, LaCode) = ("851".parse().unwrap(), "886".parse().unwrap());
        assert!(Scope::LocalAuthority(portsmouth).permits(portsmouth));
        assert!(!Scope::LocalAuthority(portsmouth).permits(kent));
        assert!(Scope::All.permits(kent));
        assert_eq!(Scope::All.la(), None);
    }
}
