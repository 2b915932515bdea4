//! The identity provider's settings, read from `waymark serve`'s configuration and checked once.

use thiserror::Error;

/// Where the provider sends the browser back to, under the public base URL.
pub const CALLBACK_PATH: &str = "/sign-in/sso/callback";

/// A setting that cannot be used, naming it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettingsError {
    #[error("sso_issuer: {0}")]
    Issuer(String),
    #[error("sso_client_id: enter the application (client) id the identity provider gave Waymark")]
    ClientId,
    #[error("public_url: {0}")]
    PublicUrl(String),
}

/// The council identity provider as Waymark uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSettings {
    /// The issuer URL, exactly as the provider writes it in its ID tokens' `iss` claim and its
    /// discovery document (Entra ID: `https://login.microsoftonline.com/{tenant}/v2.0`).
    pub issuer: String,
    pub client_id: String,
    /// `{public base URL}/sign-in/sso/callback`: registered with the provider as the redirect URI.
    pub redirect_url: String,
}

/// Whether a URL is `http://` to this machine only (a provider in a test, or a developer's own).
fn loopback_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

fn check_url(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    if url.is_empty() {
        return Err("enter a URL".into());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("'{url}' has spaces in it"));
    }
    if !(url.starts_with("https://") && url.len() > "https://".len() || loopback_http(url)) {
        return Err(format!("'{url}' must start with https:// (plain http:// is allowed only on this machine, for testing)"));
    }
    Ok(url.to_owned())
}

impl ProviderSettings {
    /// Check the settings: the issuer and the public base URL must be `https://` (plain `http://` only to
    /// loopback); the client id must be given. A trailing `/` on the issuer is kept, because the `iss`
    /// claim is compared exactly (OpenID Connect Discovery 1.0 section 4.3).
    pub fn new(issuer: &str, client_id: &str, public_url: &str) -> Result<Self, SettingsError> {
        check_url(issuer).map_err(SettingsError::Issuer)?;
        let client_id = client_id.trim();
        if client_id.is_empty() || client_id.chars().any(char::is_control) {
            return Err(SettingsError::ClientId);
        }
        let base = check_url(public_url).map_err(SettingsError::PublicUrl)?;
        Ok(Self { issuer: issuer.trim().to_owned(), client_id: client_id.to_owned(), redirect_url: format!("{base}{CALLBACK_PATH}") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redirect_url_is_the_public_base_url_and_the_callback_path() {
        let s =
            ProviderSettings::new("https://login.microsoftonline.com/tenant-id/v2.0", " abc-123 ", "https://send.example.gov.uk/").unwrap();
        assert_eq!(s.redirect_url, "https://send.example.gov.uk/sign-in/sso/callback");
        assert_eq!(s.client_id, "abc-123");
        assert_eq!(s.issuer, "https://login.microsoftonline.com/tenant-id/v2.0");
    }

    #[test]
    fn plain_http_is_refused_except_to_this_machine() {
        assert!(matches!(ProviderSettings::new("http://idp.example.com", "c", "https://w.example"), Err(SettingsError::Issuer(_))));
        assert!(matches!(ProviderSettings::new("https://idp.example.com", "c", "http://w.example"), Err(SettingsError::PublicUrl(_))));
        assert!(matches!(ProviderSettings::new("http://127.0.0.1.evil.example", "c", "https://w.example"), Err(SettingsError::Issuer(_))));
        assert!(ProviderSettings::new("http://127.0.0.1:8081", "c", "http://localhost:8080").is_ok());
        assert_eq!(ProviderSettings::new("https://idp.example.com", " ", "https://w.example"), Err(SettingsError::ClientId));
        let message = ProviderSettings::new("", "c", "https://w.example").unwrap_err().to_string();
        assert!(message.starts_with("sso_issuer: "), "{message}");
    }
}
