//! Session tokens: log in once, share the token through the host's key-value store, renew it
//! before it expires, and never hammer Argo CD with bad credentials (5 failures lock the account
//! for 5 minutes).

use std::cell::RefCell;
use std::collections::HashMap;
use std::pin::Pin;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::error::{ArgoError, ErrorKind};
use crate::context::{ActingAs, RequestContext};
use crate::host::Host;
use crate::settings::{Credentials, Secret, Settings, UserToken};

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

#[derive(Debug, Clone, Serialize, Deserialize)]
struct LoginFailure {
    at_ms: u64,
    message: String,
}

/// Time a lease holder gets beyond the request timeout.
const LEASE_SLACK_MS: u64 = 2_000;

thread_local! {
    /// Refused logins this instance saw: the back-off holds here even when the store fails.
    static LOCAL_FAILURES: RefCell<HashMap<String, LoginFailure>> = RefCell::default();
}

/// Where a token came from decides whether a 401 may be answered with a new login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenOrigin {
    Configured,
    Cached,
    FreshLogin,
}

/// Tokens for one request: for its configured account on its Argo CD, or for its caller.
pub struct Auth<'a, H: Host> {
    host: &'a H,
    context: RequestContext<'a>,
}

impl<'a, H: Host> Auth<'a, H> {
    pub fn new(host: &'a H, context: RequestContext<'a>) -> Self {
        Auth { host, context }
    }

    /// The deployment's: store seal, time limits, user mode.
    fn settings(&self) -> &'a Settings {
        self.context.settings()
    }

    /// The Argo CD the account logs in to: sessions are kept per Argo CD and user.
    fn argocd_url(&self) -> &'a str {
        self.context.target().argocd_url
    }

    /// Key-value key for the session of `user` on this Argo CD. Never derived from the password.
    pub fn cache_key(argocd_url: &str, user: &str) -> String {
        format!("argocd-mcp/session/{user}@{argocd_url}")
    }

    fn failure_key(argocd_url: &str, user: &str) -> String {
        format!("argocd-mcp/login-failure/{user}@{argocd_url}")
    }

    fn lease_key(argocd_url: &str, user: &str) -> String {
        format!("argocd-mcp/login-lease/{user}@{argocd_url}")
    }

    /// What to do when Argo CD refuses the credentials (401), in the terms of how this call
    /// authenticates: a caller in user mode has no ARGOCD_TOKEN to check.
    pub fn rejected_hint(&self) -> String {
        let credentials = match self.context.acting_as() {
            ActingAs::Caller(user) => {
                let client = self
                    .settings()
                    .user_mode
                    .as_ref()
                    .map_or("argo-cd", |mode| mode.argocd_client_id.as_str());
                return format!(
                    "Argo CD did not accept the token issued for you ({}) for its client id {client:?}: sign in again; if it persists, the operator should check that Argo CD's OIDC settings (argocd-cm) trust this identity provider and client id",
                    user.display_name
                );
            }
            ActingAs::Account(credentials) => credentials,
        };
        match credentials {
            Credentials::Token(_) => "Argo CD rejected ARGOCD_TOKEN: it is expired, revoked, or for another Argo CD; create a new one (`argocd account generate-token`) and update the setting".into(),
            Credentials::Login { .. } => "Argo CD rejected the session of ARGOCD_USERNAME: check ARGOCD_USERNAME and ARGOCD_PASSWORD, and that the account is enabled with the `login` capability".into(),
            Credentials::None => self.not_configured().message,
        }
    }

    pub fn can_relogin(&self) -> bool {
        matches!(
            self.context.acting_as(),
            ActingAs::Caller(_) | ActingAs::Account(Credentials::Login { .. })
        )
    }

    /// User mode: the token Argo CD is sent for the caller (`fresh`: not from the cache).
    async fn for_user(
        &self,
        user: &UserToken,
        fresh: bool,
    ) -> Result<(String, TokenOrigin), ArgoError> {
        let Some(mode) = &self.settings().user_mode else {
            return Err(self.not_configured());
        };
        if !H::SERVES_USER_MODE {
            return Err(self.not_configured());
        }
        // Boxed, so that a host that never serves user mode carries none of its code: the check
        // above is settled when it is compiled, and the future, made only past it, goes with it
        // (an `.await` of the future itself would keep its code in this one's).
        let delegated: Pin<Box<dyn Future<Output = _> + '_>> =
            Box::pin(crate::identity::delegation::argocd_token(
                self.host,
                self.settings(),
                mode,
                user,
                fresh,
            ));
        let (token, issued) = delegated.await.map_err(identity_failure)?;
        Ok((
            token,
            if issued {
                TokenOrigin::FreshLogin
            } else {
                TokenOrigin::Cached
            },
        ))
    }

    /// A token to send: the configured one, a cached one with time left, or a fresh login.
    pub async fn token(&self) -> Result<(String, TokenOrigin), ArgoError> {
        let credentials = match self.context.acting_as() {
            ActingAs::Caller(user) => return self.for_user(user, false).await,
            ActingAs::Account(credentials) => credentials,
        };
        match credentials {
            Credentials::Token(token) => Ok((token.expose().to_owned(), TokenOrigin::Configured)),
            Credentials::Login { username, .. } => {
                if let Some(token) = self.cached(username) {
                    return Ok((token, TokenOrigin::Cached));
                }
                Ok((self.login().await?, TokenOrigin::FreshLogin))
            }
            Credentials::None => Err(self.not_configured()),
        }
    }

    fn cached(&self, username: &str) -> Option<String> {
        let key = Self::cache_key(self.argocd_url(), username);
        // A store that fails is treated as empty: the call still works, it only logs in again.
        let bytes = crate::store_seal::get(self.host, self.settings().store_seal.as_ref(), &key)?;
        let cached: CachedToken = crate::argocd::objects::from_slice(&bytes).ok()?;
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
        match self.context.acting_as() {
            ActingAs::Caller(user) if H::SERVES_USER_MODE => {
                crate::identity::delegation::forget(self.host, user)
            }
            ActingAs::Caller(_) => {}
            ActingAs::Account(Credentials::Login { username, .. }) => {
                let _ = self
                    .host
                    .delete(&Self::cache_key(self.argocd_url(), username));
            }
            ActingAs::Account(_) => {}
        }
    }

    /// Logs in with username and password, unless a recent login failed, and only one instance
    /// at a time: the others wait for its token (or its failure) instead of logging in too.
    pub async fn login(&self) -> Result<String, ArgoError> {
        let (username, password) = match self.context.acting_as() {
            ActingAs::Caller(user) => return Ok(self.for_user(user, true).await?.0),
            ActingAs::Account(Credentials::Login { username, password }) => (username, password),
            ActingAs::Account(_) => return Err(self.not_configured()),
        };
        let flight = crate::single_flight::SingleFlight {
            host: self.host,
            lease_key: Self::lease_key(self.argocd_url(), username),
            // Long enough for the holder's login to end (one request).
            lease_ms: self.settings().request_timeout.as_millis() as u64 + LEASE_SLACK_MS,
        };
        flight
            .run(
                || {
                    self.check_backoff(username)?;
                    Ok(self.cached(username))
                },
                async |store_trouble| self.login_now(username, password, store_trouble).await,
                || {
                    ArgoError::new(
                        ErrorKind::Timeout,
                        format!(
                            "another instance has been logging in to Argo CD as '{username}' for too long"
                        ),
                        "retry in a moment",
                    )
                },
            )
            .await
    }

    /// Refuses while a recent refused login is remembered, in the store or in this instance.
    fn check_backoff(&self, username: &str) -> Result<(), ArgoError> {
        let failure_key = Self::failure_key(self.argocd_url(), username);
        // Sealed like the session: a store writer can neither pin a refusal nor speak through
        // its message.
        let stored =
            crate::store_seal::get(self.host, self.settings().store_seal.as_ref(), &failure_key)
                .and_then(|b| crate::argocd::objects::from_slice::<LoginFailure>(&b).ok());
        let remembered = LOCAL_FAILURES.with(|f| f.borrow().get(&failure_key).cloned());
        let now = self.host.now_unix_ms();
        let latest = [stored, remembered]
            .into_iter()
            .flatten()
            // A record from the future (a node's clock far ahead) would pause logins for as
            // long as it is ahead: it counts from now at the latest.
            .map(|f| LoginFailure {
                at_ms: f.at_ms.min(now),
                ..f
            })
            .max_by_key(|f| f.at_ms);
        let Some(failure) = latest else {
            return Ok(());
        };
        let waited = now.saturating_sub(failure.at_ms);
        if waited >= LOGIN_BACKOFF_MS {
            return Ok(());
        }
        Err(ArgoError::new(
            ErrorKind::LoginBackoff,
            format!(
                "login to Argo CD as '{username}' was refused {}s ago ({}); not retrying for another {}s so the account is not locked by Argo CD's 5-failure rule",
                waited / 1000,
                failure.message,
                (LOGIN_BACKOFF_MS - waited).div_ceil(1000)
            ),
            "fix ARGOCD_USERNAME / ARGOCD_PASSWORD (Spin: argocd_username / argocd_password) or set ARGOCD_TOKEN, then wait for the back-off to end",
        ))
    }

    /// The login request itself, and what it leaves behind: the token in the cache, or the
    /// failure in the store and in this instance.
    async fn login_now(
        &self,
        username: &str,
        password: &Secret,
        store_trouble: Option<&str>,
    ) -> Result<String, ArgoError> {
        let url = self.argocd_url();
        let failure_key = Self::failure_key(url, username);
        let now = self.host.now_unix_ms();
        let body = serde_json::json!({"username": username, "password": password.expose()});
        let response = super::transport::send_raw(
            self.host,
            self.context.target(),
            super::transport::Limits::of(self.settings()),
            crate::host::Method::Post,
            "/api/v1/session",
            None,
            Some(body.to_string().into_bytes()),
        )
        .await?;
        if response.status == 200 && !response.truncated {
            #[derive(Deserialize)]
            struct SessionResponse {
                token: String,
            }
            let session: SessionResponse =
                crate::argocd::objects::from_slice(&response.body).map_err(|_| {
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
            let _ = crate::store_seal::put(
                self.host,
                self.settings().store_seal.as_ref(),
                &Self::cache_key(url, username),
                &serde_json::to_vec(&cached).unwrap_or_default(),
            );
            let _ = self.host.delete(&failure_key);
            LOCAL_FAILURES.with(|f| f.borrow_mut().remove(&failure_key));
            return Ok(cached.token);
        }
        let error = ArgoError::from_answer(&response, "the login");
        if !matches!(response.status, 400 | 401 | 403) {
            return Err(error);
        }
        let record = LoginFailure {
            at_ms: now,
            message: error.message.clone(),
        };
        LOCAL_FAILURES.with(|f| f.borrow_mut().insert(failure_key.clone(), record.clone()));
        let stored = crate::store_seal::put(
            self.host,
            self.settings().store_seal.as_ref(),
            &failure_key,
            &serde_json::to_vec(&record).unwrap_or_default(),
        )
        .err()
        .or_else(|| store_trouble.map(str::to_owned));
        let pause = LOGIN_BACKOFF_MS / 1000;
        let hint = match stored {
            None => format!(
                "fix ARGOCD_USERNAME / ARGOCD_PASSWORD or set ARGOCD_TOKEN; logins as '{username}' pause for {pause}s so Argo CD does not lock the account"
            ),
            Some(why) => format!(
                "fix ARGOCD_USERNAME / ARGOCD_PASSWORD or set ARGOCD_TOKEN. The host's key-value store failed ({why}), so the {pause}s pause that keeps Argo CD from locking the account holds only within this instance: other instances may try again; fix the store"
            ),
        };
        Err(error.with_hint(hint))
    }

    fn not_configured(&self) -> ArgoError {
        ArgoError::new(
            ErrorKind::NotConfigured,
            self.context
                .problem()
                .unwrap_or_else(|| "no Argo CD credentials".into()),
            "",
        )
    }
}

/// A failed step at the identity provider, as a tool reports it.
fn identity_failure(error: crate::identity::IdentityError) -> ArgoError {
    use crate::identity::IdentityError;
    match error {
        IdentityError::Unavailable(message) => ArgoError::new(
            ErrorKind::NotConfigured,
            message,
            "the operator must fix the identity provider settings (README: user mode)",
        ),
        other => ArgoError::new(
            ErrorKind::Unauthenticated,
            other.message().to_owned(),
            "sign in again; if it persists, the operator must check the identity provider",
        ),
    }
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
