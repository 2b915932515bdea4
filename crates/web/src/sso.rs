//! Staff sign-in through the council's identity provider by OpenID Connect (issue 14 item 5; ADR 0036):
//! the authorisation code flow with PKCE, done by the `openidconnect` crate.
//!
//! * **Discovery.** The provider's metadata and signing keys are read from
//!   `{issuer}/.well-known/openid-configuration` at the first sign-in and kept for an hour; a token
//!   signed by a key not in the set read makes one early re-read (providers rotate keys), at most once a
//!   minute.
//! * **State, nonce and PKCE verifier** are kept here, server-side, by the SHA-256 of the `state`, with the
//!   SHA-256 of a random token in a short-lived cookie (`waymark_sso`) that ties them to the browser that
//!   started the sign-in (so a code cannot be pushed into someone else's browser). Each is taken out
//!   when its callback arrives, so a `state` is used once; unused ones lapse after ten minutes.
//! * **The ID token** is checked by the crate: its signature against the provider's published keys
//!   (RS256), its issuer, its audience (this client only), its expiry and its nonce. Only then are its
//!   `sub`, names and `groups` read.
//!
//! Half-done sign-ins are in this process's memory, like the two-step challenges: behind a load
//! balancer, the callback must reach the process that began it (sticky sessions), until sessions move to
//! the database (issue 14 item 3).

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use waymark_sso::{account_names, AccountNames, ProviderSettings};

/// How long a begun sign-in waits for the provider's callback.
pub const PENDING_MINUTES: u64 = 10;
/// The most begun sign-ins waiting at once (a flood of starts cannot exhaust memory).
const MAX_PENDING: usize = 10_000;
/// How long the provider's metadata and keys are kept.
const METADATA_FOR: Duration = Duration::from_secs(3600);
/// The soonest the metadata is read again for an unknown signing key.
const REFRESH_AT_MOST_EVERY: Duration = Duration::from_secs(60);

/// The provider's settings and the client secret (from the environment or a credential file; never in
/// the repository, never printed).
#[derive(Clone)]
pub struct SsoConfig {
    pub settings: ProviderSettings,
    pub client_secret: String,
}

impl fmt::Debug for SsoConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoConfig").field("settings", &self.settings).field("client_secret", &"(hidden)").finish()
    }
}

/// The ID token's claims beyond the standard ones: the groups (Entra ID sends group object ids when the
/// app registration's "groups claim" is on), and `_claim_names`, which Entra ID sends instead of
/// `groups` when a person is in too many groups to list (the "groups overage").
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct GroupClaims {
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default, rename = "_claim_names", skip_serializing_if = "Option::is_none")]
    pub claim_names: Option<serde_json::Value>,
}

impl AdditionalClaims for GroupClaims {}

/// The token endpoint's answer with an ID token carrying [`GroupClaims`].
pub type TokenFields =
    IdTokenFields<GroupClaims, EmptyExtraTokenFields, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
type TokenResponse = StandardTokenResponse<TokenFields, CoreTokenType>;
type OidcClient = Client<
    GroupClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a sign-in through the provider did not happen. The `String`s are for the log (never personal
/// data); people see [`SsoError::message`].
#[derive(Debug)]
pub enum SsoError {
    /// The provider could not be reached or answered wrongly (discovery, the token endpoint).
    Unavailable(String),
    /// The callback's `state` is unknown, used already, lapsed, or from another browser.
    UnknownState,
    /// The provider said no (the person cancelled, or the provider refused them).
    ProviderRefused(String),
    /// The ID token failed a check (signature, issuer, audience, expiry, nonce) or was missing.
    BadToken(String),
    /// The person is in too many groups for the token to list them (Entra ID's groups overage).
    TooManyGroups,
}

impl SsoError {
    /// What the person is told.
    pub fn message(&self) -> &'static str {
        match self {
            Self::Unavailable(_) => "Your council's sign-in service could not be reached. Try again in a few minutes, or sign in with a Waymark username and password if you have one",
            Self::UnknownState => "This sign-in link has expired or has already been used. Start again from the sign-in page",
            Self::ProviderRefused(_) => "Your council's sign-in service did not sign you in. Start again from the sign-in page",
            Self::BadToken(_) => "Your council's sign-in service sent an answer that could not be checked, so you have not been signed in. Start again from the sign-in page, and if this happens again tell your Waymark administrator",
            Self::TooManyGroups => "Your council account is in too many groups for Waymark to read. Ask your Waymark administrator to have the sign-in send only the groups given to Waymark",
        }
    }
}

/// A person the provider vouched for, from a checked ID token.
#[derive(Debug, Clone)]
pub struct Verified {
    pub issuer: String,
    pub subject: String,
    pub groups: Vec<String>,
    pub names: AccountNames,
}

struct Pending {
    nonce: Nonce,
    verifier: PkceCodeVerifier,
    /// The SHA-256 of the browser's `waymark_sso` cookie.
    browser: String,
    lapses: Instant,
}

struct Discovered {
    client: OidcClient,
    read_at: Instant,
}

/// The council's identity provider as this process talks to it.
pub struct Provider {
    config: SsoConfig,
    http: openidconnect::reqwest::Client,
    discovered: tokio::sync::Mutex<Option<Discovered>>,
    pending: Mutex<HashMap<String, Pending>>,
}

fn log_text(e: impl std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl Provider {
    pub fn new(config: SsoConfig) -> Result<Self, String> {
        // No redirects: the crate's advice against server-side request forgery through the provider's URLs.
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| format!("the HTTP client for single sign-on could not be made: {e}"))?;
        Ok(Self { config, http, discovered: tokio::sync::Mutex::new(None), pending: Mutex::new(HashMap::new()) })
    }

    pub fn settings(&self) -> &ProviderSettings {
        &self.config.settings
    }

    /// The client, from metadata read less than an hour ago (or `refresh` ago, when asked to refresh).
    async fn client(&self, refresh: bool) -> Result<OidcClient, SsoError> {
        let mut cached = self.discovered.lock().await;
        if let Some(d) = cached.as_ref() {
            let age = d.read_at.elapsed();
            if age < METADATA_FOR && !(refresh && age >= REFRESH_AT_MOST_EVERY) {
                return Ok(d.client.clone());
            }
        }
        let s = &self.config.settings;
        let issuer = IssuerUrl::new(s.issuer.clone()).map_err(|e| SsoError::Unavailable(format!("issuer URL: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| SsoError::Unavailable(format!("discovery: {}", log_text(e))))?;
        let redirect = RedirectUrl::new(s.redirect_url.clone()).map_err(|e| SsoError::Unavailable(format!("redirect URL: {e}")))?;
        let client = OidcClient::from_provider_metadata(
            metadata,
            ClientId::new(s.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect);
        *cached = Some(Discovered { client: client.clone(), read_at: Instant::now() });
        Ok(client)
    }

    /// Begin a sign-in: the provider's authorisation URL to send the browser to, and the token for the
    /// browser's `waymark_sso` cookie.
    pub async fn begin(&self) -> Result<(String, String), SsoError> {
        let client = self.client(false).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge)
            .url();
        let browser = crate::session::random_token();
        let now = Instant::now();
        let mut pending = self.pending.lock().map_err(|_| SsoError::Unavailable("pending sign-ins: lock poisoned".into()))?;
        pending.retain(|_, p| p.lapses > now);
        if pending.len() >= MAX_PENDING {
            return Err(SsoError::Unavailable("too many sign-ins waiting for the provider".into()));
        }
        pending.insert(
            crate::session::sha256_hex(state.secret()),
            Pending {
                nonce,
                verifier,
                browser: crate::session::sha256_hex(&browser),
                lapses: now + Duration::from_secs(PENDING_MINUTES * 60),
            },
        );
        Ok((url.to_string(), browser))
    }

    /// Finish a sign-in from the provider's callback: take the `state`'s pending entry (once), check it
    /// belongs to this browser, exchange the code with the PKCE verifier, and check the ID token.
    pub async fn finish(&self, state: &str, code: &str, browser: Option<&str>) -> Result<Verified, SsoError> {
        let taken = {
            let mut pending = self.pending.lock().map_err(|_| SsoError::Unavailable("pending sign-ins: lock poisoned".into()))?;
            pending.remove(&crate::session::sha256_hex(state))
        };
        let Some(p) = taken.filter(|p| p.lapses > Instant::now()) else { return Err(SsoError::UnknownState) };
        if !browser.is_some_and(|b| crate::session::same_secret(&crate::session::sha256_hex(b), &p.browser)) {
            return Err(SsoError::UnknownState);
        }
        if code.is_empty() || code.len() > 4096 {
            return Err(SsoError::ProviderRefused("the callback had no usable code".into()));
        }
        let client = self.client(false).await?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| SsoError::Unavailable(format!("token endpoint: {e}")))?
            .set_pkce_verifier(p.verifier)
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                openidconnect::RequestTokenError::ServerResponse(r) => {
                    SsoError::ProviderRefused(format!("token endpoint said: {}", r.error()))
                }
                other => SsoError::Unavailable(format!("token endpoint: {}", log_text(other))),
            })?;
        let token = response.extra_fields().id_token().ok_or_else(|| SsoError::BadToken("no ID token in the answer".into()))?;
        let claims = match token.claims(&client.id_token_verifier(), &p.nonce) {
            Ok(c) => c.clone(),
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(first)) => {
                // Perhaps a key the provider has rotated in: read its keys again (at most once a minute).
                let fresh = self.client(true).await?;
                let verifier = fresh.id_token_verifier();
                let claims = token
                    .claims(&verifier, &p.nonce)
                    .map_err(|e| SsoError::BadToken(format!("{}; first try: {first}", log_text(e))))?
                    .clone();
                claims
            }
            Err(e) => return Err(SsoError::BadToken(log_text(e))),
        };
        let extra = claims.additional_claims();
        if extra.groups.is_empty() && extra.claim_names.as_ref().is_some_and(|n| n.get("groups").is_some()) {
            return Err(SsoError::TooManyGroups);
        }
        let name = claims.name().and_then(|n| n.get(None)).map(|n| n.as_str());
        let names = account_names(
            claims.preferred_username().map(|u| u.as_str()),
            claims.email().map(|e| e.as_str()),
            name,
            claims.subject().as_str(),
        );
        Ok(Verified { issuer: claims.issuer().to_string(), subject: claims.subject().to_string(), groups: extra.groups.clone(), names })
    }
}
