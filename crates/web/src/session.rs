//! Signing in and out, sessions, CSRF tokens and sign-in throttling.
//!
//! * A session is a random 256-bit token in the `waymark_session` cookie (`HttpOnly`, `SameSite=Lax`,
//!   `Secure` unless configured off, `Path=/`); the database holds only its SHA-256. It ends after
//!   [`crate::Config::session_idle`] without use, or [`crate::Config::session_absolute`] after sign-in.
//! * Every form carries the session's CSRF token in a hidden `csrf` field, compared in constant time
//!   (synchroniser-token pattern); the API takes it in the `X-CSRF-Token` header. The sign-in form,
//!   before there is a session, uses a double-submit cookie (`waymark_signin`).
//! * Passwords are argon2id hashes (the crate's default parameters). An unknown username is checked
//!   against a fixed hash, so the time taken does not reveal whether an account exists.
//! * Throttling: [`crate::Config::max_account_failures`] failures for one username, or
//!   [`crate::Config::max_address_failures`] from one address, within the throttle window lock it until
//!   the window has passed since the latest failure. Each attempt is counted atomically before its
//!   password is checked, so parallel guesses cannot overtake the count (issue 12). Failures are stored by the SHA-256 of the username
//!   or address, never in clear, and pruned after the window.

use crate::access::Access;
use crate::error::{ApiError, AppError};
use crate::AppState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use base64::Engine;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use waymark_storage::{AccountStore, SessionRecord, SsoStore, UserRecord, UserStore};

pub const SESSION_COOKIE: &str = "waymark_session";
pub const SIGNIN_COOKIE: &str = "waymark_signin";
/// The shortest password accepted for a new account.
pub const MIN_PASSWORD: usize = 12;

/// Why a new password would be refused, said to the person choosing it; `None` when it will do.
///
/// NCSC's password guidance and OWASP ASVS 4.0 §2.1.1 and §2.1.7 (level 2): at least 12 characters,
/// no composition rules, and not a password attackers try first. How guessable it is comes from zxcvbn
/// (Dropbox's estimator, ADR 0032): it matches the password against the published lists it ships (the
/// 30,000 most common of the 10-million-password list, English words, first names and surnames), against
/// patterns (sequences, repeats, dates, keyboard walks, l33t spellings), and estimates the guesses
/// needed; a password holding a word of `about` (the person's own name and username) is refused too. Fewer than 10^8 (zxcvbn's scores 0 to 2)
/// is refused: `password1234` and `Summer2026!!` are, four random words are not.
pub fn password_problem(password: &str, about: &[&str]) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD {
        return Some(format!("Enter a password of at least {MIN_PASSWORD} characters"));
    }
    // The person's name and username, word by word ("sam.okafor" gives "sam" and "okafor"): a password
    // holding any of them is the first an attacker who knows whose account it is would try.
    let words: Vec<String> = about
        .iter()
        .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    if words.iter().any(|w| password.to_lowercase().contains(w.as_str())) {
        return Some("Choose a password that does not contain your name or username".to_owned());
    }
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(password, &words);
    if u8::from(estimate.score()) >= 3 {
        return None;
    }
    let why = match estimate.feedback().and_then(|f| f.warning()) {
        Some(w) => format!(" ({})", w.to_string().trim_end_matches('.').to_lowercase()),
        None => String::new(),
    };
    Some(format!(
        "Choose a password that is harder to guess{why}: common passwords, names and patterns are tried first. Three or four random words together work well"
    ))
}

/// A fresh random token, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compare two secrets in time that depends only on their length.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && !a.is_empty() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("could not hash a password: {e}")))
}

/// A hash of a password nobody has, checked when the username is unknown.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0oG3a4cJ1M9IbW5zDq7j6ZcRZpJ3x5cF3y2w0lq8bqk";

pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// The value of one cookie in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// A cookie's name as sent: with the `__Host-` prefix when cookies are secure, so the browser accepts
/// it only from this host over HTTPS with `Path=/` and no `Domain` (a sibling subdomain cannot set
/// or overwrite it). Plain names with `--insecure-cookies` (browsers refuse the prefix over HTTP).
pub fn cookie_name(state: &AppState, name: &str) -> String {
    if state.config.secure_cookies {
        format!("__Host-{name}")
    } else {
        name.to_owned()
    }
}

/// A `Set-Cookie` header value with Waymark's attributes; `name` is given without its prefix.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: Option<i64>) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    let age = max_age_secs.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
    let name = cookie_name(state, name);
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{age}"))
        .unwrap_or_else(|_| HeaderValue::from_static("waymark_invalid=1"))
}

/// The signed-in user, their session and their access. Extracting it on a page without a session
/// redirects to the sign-in page.
#[derive(Clone)]
pub struct Signed {
    pub access: Access,
    pub csrf: String,
    pub token_hash: String,
}

impl Signed {
    pub fn user(&self) -> &UserRecord {
        &self.access.user
    }

    /// Check a form's `csrf` field.
    pub fn check_csrf(&self, submitted: Option<&str>) -> Result<(), AppError> {
        if submitted.is_some_and(|s| same_secret(s, &self.csrf)) {
            Ok(())
        } else {
            tracing::info!(user_id = %self.access.user.id, "form refused: CSRF token missing or wrong");
            Err(AppError::Csrf)
        }
    }
}

async fn load(parts: &Parts, state: &AppState) -> Result<Option<Signed>, AppError> {
    let Some(token) = cookie(&parts.headers, &cookie_name(state, SESSION_COOKIE)) else { return Ok(None) };
    let token_hash = sha256_hex(token);
    let record: Option<SessionRecord> =
        state.store.touch_session(&token_hash, state.config.session_idle, state.config.session_absolute).await?;
    let signed = record.map(|r| Signed { access: Access::new(r.user, state.clock.today()), csrf: r.csrf_token, token_hash });
    if let (Some(s), Some(context)) = (&signed, parts.extensions.get::<crate::security::RequestContext>()) {
        context.set_user(s.access.user.id.to_string(), s.access.actor());
    }
    Ok(signed)
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let signed = load(parts, state).await?.ok_or(AppError::SignIn)?;
        // Administrators use no other page until two-step verification is set up (issue 13, item 7).
        let path = parts.uri.path();
        if state.config.require_admin_two_step
            && crate::routes::two_step_required(signed.access.user.role)
            && !matches!(path, "/account/two-step" | "/sign-out")
            && !state.store.two_step(signed.access.user.id).await?.confirmed
            // Staff signing in through the council's identity provider use its two-step, not Waymark's.
            && !state.store.signs_in_with_provider(signed.access.user.id).await?
        {
            return Err(AppError::TwoStepSetup);
        }
        Ok(signed)
    }
}

/// The same for the JSON API: no session is a 401, and a request that changes anything must carry the
/// session's CSRF token in `X-CSRF-Token`.
pub struct ApiSigned(pub Signed);

impl FromRequestParts<AppState> for ApiSigned {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let signed = load(parts, state).await?.ok_or_else(ApiError::unauthorised)?;
        if !parts.method.is_safe() {
            let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
            if !sent.is_some_and(|s| same_secret(s, &signed.csrf)) {
                return Err(AppError::Csrf.into());
            }
        }
        Ok(Self(signed))
    }
}

/// Someone who may or may not be signed in (the sign-in page, the start page).
pub struct MaybeSigned(pub Option<Signed>);

impl FromRequestParts<AppState> for MaybeSigned {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(load(parts, state).await?))
    }
}

/// The outcome of a sign-in attempt.
pub enum SignInOutcome {
    Ok { user: UserRecord },
    WrongDetails,
    Throttled,
}

fn account_key(username: &str) -> String {
    sha256_hex(&format!("account:{}", username.trim().to_lowercase()))
}

fn address_key(address: &str) -> String {
    sha256_hex(&format!("address:{address}"))
}

/// Check a username and password, applying the throttling rules.
///
/// The attempt is counted *before* the password is checked, in one write transaction per attempt
/// ([`UserStore::claim_sign_in_attempt`]): a burst of parallel guesses is checked at most
/// `max_account_failures` times per account and `max_address_failures` times per address, and the
/// rest are refused without a check. A right password withdraws its own count and forgets the account's
/// earlier failures, as before.
pub async fn attempt_sign_in(state: &AppState, username: &str, password: &str, address: &str) -> Result<SignInOutcome, AppError> {
    let (account_key, address_key) = (account_key(username), address_key(address));
    let keys = [(account_key.clone(), state.config.max_account_failures), (address_key, state.config.max_address_failures)];
    let Some(claim) = state.store.claim_sign_in_attempt(&keys, state.config.throttle_window).await? else {
        tracing::info!("sign-in refused: too many recent failures");
        return Ok(SignInOutcome::Throttled);
    };
    let found = state.store.user_for_sign_in(username).await?;
    let password = password.to_owned();
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, DECOY_HASH.to_owned()),
    };
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(format!("password check failed: {e}")))?;
    match user {
        Some(user) if ok => {
            state.store.release_sign_in_attempt(&claim).await?;
            state.store.clear_login_failures(&account_key).await?;
            tracing::info!(user_id = %user.id, "signed in");
            Ok(SignInOutcome::Ok { user })
        }
        _ => {
            // The failure was counted when the attempt was claimed.
            tracing::info!("sign-in failed");
            Ok(SignInOutcome::WrongDetails)
        }
    }
}

/// Start a session for `user`; the cookie to set.
pub async fn start_session(state: &AppState, user: &UserRecord) -> Result<HeaderValue, AppError> {
    let token = random_token();
    let expires = state.clock.now() + state.config.session_idle.min(state.config.session_absolute);
    state.store.create_session(user.id, &sha256_hex(&token), &random_token(), expires).await?;
    Ok(set_cookie(state, SESSION_COOKIE, &token, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 12 item 6, OWASP ASVS 4.0 §2.1.7 and NCSC's guidance: a password on the common lists, or
    /// built from a common word and a pattern, or from the person's own name, is refused with the reason;
    /// random words are accepted, and no composition rule is imposed.
    #[test]
    fn asvs_2_1_7_common_and_guessable_passwords_are_refused_with_the_reason() {
        for weak in ["password1234", "123456789012", "qwertyuiopas", "Password2026!", "iloveyou1234", "aaaaaaaaaaaa", "portsmouth12"] {
            let problem = password_problem(weak, &[]).unwrap_or_else(|| panic!("{weak} was accepted"));
            assert!(problem.starts_with("Choose a password that is harder to guess"), "{weak}: {problem}");
        }
        // The person's own name or username is tried first too.
        let own = password_problem("Okafor-family-2026", &["sam.okafor", "Samuel Okafor"]).unwrap();
        assert!(own.contains("does not contain your name or username"), "{own}");
        assert!(password_problem("short", &[]).unwrap().contains("at least 12 characters"));
        for strong in ["velvet harbour quietly tomato", "marble-cactus-ferry-lantern", "a good long password for me"] {
            assert_eq!(password_problem(strong, &[]), None, "{strong}");
        }
    }

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn secrets_compare_equal_only_when_identical_and_never_when_empty() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", ""));
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; waymark_session=tok; waymark_session_x=2"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("tok"));
        assert_eq!(cookie(&headers, "b"), None);
    }

    #[test]
    fn tokens_are_random_and_their_hashes_hex() {
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 43);
        assert_eq!(sha256_hex("x").len(), 64);
    }
}
