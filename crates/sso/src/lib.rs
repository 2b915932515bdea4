//! Single sign-on for staff (issue 14 item 5): the pure rules, with no I/O.
//!
//! * [`ProviderSettings`]: the council identity provider's issuer URL and client id, and the redirect
//!   URL Waymark gives it, derived from the public base URL (the client secret is read by the caller from
//!   the environment or a credential file and is never held here, so it cannot reach a `Debug` print).
//! * [`resolve`]: which role and LA a person signing in gets from the groups in their ID token, by the
//!   table the administrator keeps ([`Mapping`]). No mapped group, or mapped groups that disagree, is a
//!   [`Refusal`] with a plain message: no account is made.
//! * [`account_names`]: the username and display name a first sign-in's account gets from the claims.
//!
//! The OpenID Connect exchange (discovery, PKCE, state, nonce, the ID token's signature and claims) is
//! done by the `openidconnect` crate in the web crate (`crates/web/src/sso.rs`); ADR 0036.

mod groups;
mod settings;

pub use groups::{account_names, resolve, AccountNames, Grant, GroupId, GroupIdError, Mapping, Refusal, MAX_GROUP_ID};
pub use settings::{ProviderSettings, SettingsError, CALLBACK_PATH};
