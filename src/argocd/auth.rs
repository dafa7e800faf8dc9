//! Session tokens: log in once, share the token through the host's key-value store, renew it
//! before it expires, and never hammer Argo CD with bad credentials (5 failures lock the account
//! for 5 minutes).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::error::{ArgoError, ErrorKind};
use crate::host::Host;
use crate::settings::{Credentials, Settings};

/// Renew a cached token when less than this is left (Argo CD itself renews at 5 minutes).
pub const RENEW_BEFORE_MS: u64 = 5 * 60 * 1000;
/// After a refused login, wait this long before trying again: Argo CD's failure window.
pub const LOGIN_BACKOFF_MS: u64 = 5 * 60 * 1000;

#[derive(Debug, Serialize, Deserialize)]
struct CachedToken {
    token: String,
    /// `exp` claim in seconds; `None` for tokens that never expire.
    exp: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct LoginFailure {
    at_ms: u64,
    message: String,
}

/// Where a token came from decides whether a 401 may be answered with a new login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenOrigin {
    Configured,
    Cached,
    FreshLogin,
}

pub struct Auth<'a, H: Host> {
    host: &'a H,
    settings: &'a Settings,
}

impl<'a, H: Host> Auth<'a, H> {
    pub fn new(host: &'a H, settings: &'a Settings) -> Self {
        Auth { host, settings }
    }

    /// Key-value key for the session of `user` on this Argo CD. Never derived from the password.
    pub fn cache_key(argocd_url: &str, user: &str) -> String {
        format!("argocd-mcp/session/{user}@{argocd_url}")
    }

    fn failure_key(argocd_url: &str, user: &str) -> String {
        format!("argocd-mcp/login-failure/{user}@{argocd_url}")
    }

    pub fn can_relogin(&self) -> bool {
        matches!(self.settings.credentials, Credentials::Login { .. })
    }

    /// A token to send: the configured one, a cached one with time left, or a fresh login.
    pub async fn token(&self) -> Result<(String, TokenOrigin), ArgoError> {
        match &self.settings.credentials {
            Credentials::Token(token) => Ok((token.expose().to_owned(), TokenOrigin::Configured)),
            Credentials::Login { username, .. } => {
                if let Some(token) = self.cached(username) {
                    return Ok((token, TokenOrigin::Cached));
                }
                Ok((self.login().await?, TokenOrigin::FreshLogin))
            }
            Credentials::None => Err(not_configured(self.settings)),
        }
    }

    fn cached(&self, username: &str) -> Option<String> {
        let key = Self::cache_key(&self.settings.argocd_url, username);
        // A store that fails is treated as empty: the call still works, it only logs in again.
        let bytes = self.host.get(&key).ok()??;
        let cached: CachedToken = serde_json::from_slice(&bytes).ok()?;
        let fresh = match cached.exp {
            None => true,
            Some(exp) => {
                let exp_ms = u64::try_from(exp).unwrap_or(0).saturating_mul(1000);
                exp_ms > self.host.now_unix_ms().saturating_add(RENEW_BEFORE_MS)
            }
        };
        fresh.then_some(cached.token)
    }

    /// Drops the cached session, e.g. after Argo CD answered 401 to it.
    pub fn forget(&self) {
        if let Credentials::Login { username, .. } = &self.settings.credentials {
            let _ = self
                .host
                .delete(&Self::cache_key(&self.settings.argocd_url, username));
        }
    }

    /// Logs in with username and password, unless a recent login failed.
    pub async fn login(&self) -> Result<String, ArgoError> {
        let Credentials::Login { username, password } = &self.settings.credentials else {
            return Err(not_configured(self.settings));
        };
        let url = &self.settings.argocd_url;
        let failure_key = Self::failure_key(url, username);
        let now = self.host.now_unix_ms();
        if let Some(failure) = self
            .host
            .get(&failure_key)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice::<LoginFailure>(&b).ok())
        {
            let waited = now.saturating_sub(failure.at_ms);
            if waited < LOGIN_BACKOFF_MS {
                return Err(ArgoError::new(
                    ErrorKind::LoginBackoff,
                    format!(
                        "login to Argo CD as '{username}' was refused {}s ago ({}); not retrying for another {}s so the account is not locked by Argo CD's 5-failure rule",
                        waited / 1000,
                        failure.message,
                        (LOGIN_BACKOFF_MS - waited).div_ceil(1000)
                    ),
                    "fix ARGOCD_USERNAME / ARGOCD_PASSWORD (Spin: argocd_username / argocd_password) or set ARGOCD_TOKEN, then wait for the back-off to end",
                ));
            }
        }
        let body = serde_json::json!({"username": username, "password": password.expose()});
        let response = super::client::send_raw(
            self.host,
            self.settings,
            self.settings.request_timeout,
            crate::host::Method::Post,
            "/api/v1/session",
            None,
            Some(body.to_string().into_bytes()),
        )
        .await?;
        if response.status == 200 {
            #[derive(Deserialize)]
            struct SessionResponse {
                token: String,
            }
            let session: SessionResponse =
                serde_json::from_slice(&response.body).map_err(|_| {
                    ArgoError::new(
                        ErrorKind::InvalidResponse,
                        "Argo CD's login answer had no token",
                        "check that ARGOCD_URL points at the Argo CD API server, not its UI behind a proxy",
                    )
                })?;
            let cached = CachedToken {
                exp: jwt_expiry(&session.token),
                token: session.token,
            };
            let _ = self.host.set(
                &Self::cache_key(url, username),
                &serde_json::to_vec(&cached).unwrap_or_default(),
            );
            let _ = self.host.delete(&failure_key);
            return Ok(cached.token);
        }
        let error = ArgoError::from_status(response.status, &response.body, "the login");
        if matches!(response.status, 400 | 401 | 403) {
            let record = LoginFailure {
                at_ms: now,
                message: error.message.clone(),
            };
            let _ = self.host.set(
                &failure_key,
                &serde_json::to_vec(&record).unwrap_or_default(),
            );
            return Err(error.with_hint(format!(
                "fix ARGOCD_USERNAME / ARGOCD_PASSWORD or set ARGOCD_TOKEN; logins as '{username}' pause for {}s so Argo CD does not lock the account",
                LOGIN_BACKOFF_MS / 1000
            )));
        }
        Err(error)
    }
}

fn not_configured(settings: &Settings) -> ArgoError {
    ArgoError::new(
        ErrorKind::NotConfigured,
        settings
            .problem()
            .unwrap_or_else(|| "no Argo CD credentials".into()),
        "",
    )
}

/// The `exp` claim of a JWT, if it has one. The signature is Argo CD's business, not ours.
pub fn jwt_expiry(token: &str) -> Option<i64> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?;
    exp.as_i64().or_else(|| exp.as_f64().map(|f| f as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn expiry_is_read_from_the_payload() {
        assert_eq!(
            jwt_expiry(&jwt(r#"{"sub":"admin:login","exp":1767225600}"#)),
            Some(1767225600)
        );
        assert_eq!(jwt_expiry(&jwt(r#"{"sub":"ci:apiKey","jti":"x"}"#)), None);
        assert_eq!(jwt_expiry("not-a-jwt"), None);
        assert_eq!(jwt_expiry("a.!!!.c"), None);
    }

    #[test]
    fn cache_key_holds_url_and_user_only() {
        let key = Auth::<crate::testing::FakeHost>::cache_key("https://cd", "admin");
        assert_eq!(key, "argocd-mcp/session/admin@https://cd");
    }
}
