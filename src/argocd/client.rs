//! Requests to Argo CD with authentication: one re-login and one retry on 401, never more. The
//! client owns its [`Auth`]; both send through [`super::transport`].

use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::de::DeserializeOwned;

use super::auth::{Auth, TokenOrigin};
use super::error::{ArgoError, ErrorKind};
pub use super::transport::Limits;
use super::transport::{JSON, open_raw, send_raw};
use crate::context::{RequestContext, Target};
use crate::host::{Host, HttpResponse, HttpStream, Method};
use crate::settings::Settings;

/// RFC 3986 unreserved characters stay as they are; everything else is escaped.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Escapes one path segment or query value.
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, COMPONENT).to_string()
}

/// A query string under construction; repeated keys stay repeated, as Argo CD expects.
#[derive(Debug, Default, Clone)]
pub struct Query(String);

impl Query {
    pub fn new() -> Self {
        Query::default()
    }

    pub fn add(mut self, key: &str, value: &str) -> Self {
        self.0.push(if self.0.is_empty() { '?' } else { '&' });
        self.0.push_str(key);
        self.0.push('=');
        self.0.push_str(&encode(value));
        self
    }

    pub fn add_opt(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) if !v.is_empty() => self.add(key, v),
            _ => self,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Talks to the request's Argo CD as whom the request acts as (its [`RequestContext`]).
pub struct ArgoClient<'a, H: Host> {
    host: &'a H,
    context: RequestContext<'a>,
    auth: Auth<'a, H>,
    limits: Limits,
}

impl<'a, H: Host> ArgoClient<'a, H> {
    /// Fails when the request cannot reach its Argo CD at all, with the setting to fix.
    pub fn new(host: &'a H, context: RequestContext<'a>) -> Result<Self, ArgoError> {
        if let Some(problem) = context.problem() {
            return Err(ArgoError::new(ErrorKind::NotConfigured, problem, ""));
        }
        Ok(ArgoClient {
            host,
            context,
            auth: Auth::new(host, context),
            limits: Limits::of(context.settings()),
        })
    }

    /// The same client with another time limit, for calls Argo CD answers slowly by design.
    pub fn with_timeout(&self, timeout: Duration) -> ArgoClient<'a, H> {
        self.with_limits(Limits {
            timeout,
            ..self.limits
        })
    }

    /// The same client reading at most `bytes` of an answer (never more than the setting allows),
    /// for answers a tool can use in part (log streams).
    pub fn with_response_cap(&self, bytes: usize) -> ArgoClient<'a, H> {
        self.with_limits(Limits {
            max_response_bytes: bytes.min(self.settings().max_response_bytes),
            ..self.limits
        })
    }

    fn with_limits(&self, limits: Limits) -> ArgoClient<'a, H> {
        ArgoClient {
            host: self.host,
            context: self.context,
            auth: Auth::new(self.host, self.context),
            limits,
        }
    }

    /// The most bytes of an answer this client reads.
    /// How long one request may take; for a stream, each wait for more of it.
    pub fn timeout(&self) -> Duration {
        self.limits.timeout
    }

    pub fn response_cap(&self) -> usize {
        self.limits.max_response_bytes
    }

    pub fn host(&self) -> &'a H {
        self.host
    }

    /// The deployment's settings (read-only mode, the project allow-list, limits).
    pub fn settings(&self) -> &'a Settings {
        self.context.settings()
    }

    /// The settings' secrets this request's answers are cleaned of (those its caller did not
    /// send, where the request said which).
    pub fn own_secrets(&self) -> crate::context::CleanedOf<'a> {
        self.context.own_secrets()
    }

    /// The Argo CD this client talks to.
    pub fn target(&self) -> Target<'a> {
        self.context.target()
    }

    pub fn auth(&self) -> &Auth<'a, H> {
        &self.auth
    }

    /// Sends with a token; on 401 with a login-based token, logs in once and retries once.
    /// Returns the response whatever its status: callers decide what a status means.
    pub async fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<HttpResponse, ArgoError> {
        let body = body.map(|b| b.to_string().into_bytes());
        self.authorized(
            async |token: &str| {
                send_raw(
                    self.host,
                    self.target(),
                    self.limits,
                    method,
                    path,
                    Some(token),
                    body.clone(),
                )
                .await
            },
            |response| response.status,
        )
        .await
    }

    /// Opens a GET whose answer is read as it arrives (a log or watch stream), with the same
    /// token and the same one retry after a 401 as [`ArgoClient::exchange`]. The stream answers
    /// whatever its status: callers decide what a status means.
    pub async fn open(&self, path: &str) -> Result<HttpStream<H::Body>, ArgoError> {
        self.open_accepting(path, JSON).await
    }

    /// [`ArgoClient::open`] asking for the answer in the form `accept` names (e.g.
    /// [`super::transport::EVENT_STREAM`], server-sent events with keepalives).
    pub async fn open_accepting(
        &self,
        path: &str,
        accept: &str,
    ) -> Result<HttpStream<H::Body>, ArgoError> {
        self.authorized(
            async |token: &str| {
                open_raw(self.host, self.target(), self.limits, path, token, accept).await
            },
            |stream| stream.status,
        )
        .await
    }

    /// Runs `attempt` with a token; when Argo CD answers 401 to a token it can replace, logs
    /// in once and runs it once more.
    async fn authorized<T>(
        &self,
        attempt: impl AsyncFn(&str) -> Result<T, ArgoError>,
        status: impl Fn(&T) -> u16,
    ) -> Result<T, ArgoError> {
        let (token, origin) = self.auth.token().await?;
        let answer = attempt(&token).await?;
        if status(&answer) != 401 || !self.auth.can_relogin() {
            return Ok(answer);
        }
        self.auth.forget();
        if origin == TokenOrigin::FreshLogin {
            // The token we just got is already refused: a second login would only fail the same way.
            return Ok(answer);
        }
        let token = self.auth.login().await?;
        attempt(&token).await
    }

    /// Sends and reads a 2xx JSON body; other statuses become errors about `subject`, and so
    /// does an answer larger than the response cap.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        subject: &str,
    ) -> Result<T, ArgoError> {
        // Only the parse depends on `T`: the rest is one function for every answer type.
        let response = self.readable_answer(method, path, body, subject).await?;
        super::objects::from_slice(&response.body).map_err(|e| unreadable(subject, &e))
    }

    /// The answer to a request, once it is known to be a 2xx JSON body of a size and a number
    /// of values this server parses (see [`ArgoClient::call`]).
    async fn readable_answer(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        subject: &str,
    ) -> Result<HttpResponse, ArgoError> {
        let response = self.exchange(method, path, body).await?;
        if response.truncated && (200..300).contains(&response.status) {
            return Err(ArgoError::new(
                ErrorKind::TooLarge,
                format!(
                    "Argo CD's answer about {subject} is larger than {} bytes, the most this server reads of one answer; it was not read further",
                    self.limits.max_response_bytes
                ),
                "narrow the request (a filter, a project, fewer items), or raise ARGOCD_MAX_RESPONSE_BYTES (Spin: max_response_bytes)",
            ));
        }
        if !(200..300).contains(&response.status) {
            let error = ArgoError::from_answer(&response, subject);
            // A refusal of the credentials says what to fix in the terms of how this call
            // authenticated: an account's token, a login, or the caller's own sign-in.
            return Err(if response.status == 401 {
                let hint = self.auth.rejected_hint();
                error.with_hint(hint)
            } else {
                error
            });
        }
        // Counted before it is parsed: an answer of tiny values would take far more memory as a
        // tree than as text (see `json_budget`).
        let values = super::json_budget::count_values(&response.body);
        let most = super::json_budget::max_values(self.limits.max_response_bytes);
        if values > most {
            return Err(ArgoError::new(
                ErrorKind::TooLarge,
                format!(
                    "Argo CD's answer about {subject} holds {values} JSON values, more than the {most} this server parses in one answer (it was not parsed)"
                ),
                "narrow the request (a filter, a project, fewer items); the bound follows ARGOCD_MAX_RESPONSE_BYTES (Spin: max_response_bytes)",
            ));
        }
        Ok(response)
    }

    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        subject: &str,
    ) -> Result<T, ArgoError> {
        self.call(Method::Get, path, None, subject).await
    }

    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
        subject: &str,
    ) -> Result<T, ArgoError> {
        self.call(Method::Post, path, Some(body), subject).await
    }
}

/// An answer that is not the JSON expected of it.
#[inline(never)]
fn unreadable(subject: &str, e: &serde_json::Error) -> ArgoError {
    ArgoError::new(
        ErrorKind::InvalidResponse,
        format!("Argo CD's answer about {subject} could not be read: {e}"),
        "check that ARGOCD_URL points at the Argo CD API server",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::HttpError;
    use crate::testing::{FakeHost, login_settings, reply};

    #[test]
    fn query_values_are_escaped_and_keys_repeat() {
        let q = Query::new()
            .add("projects", "a b")
            .add("projects", "c/d")
            .add_opt("selector", Some("env=prod,tier in (web)"))
            .add_opt("repo", None);
        assert_eq!(
            q.as_str(),
            "?projects=a%20b&projects=c%2Fd&selector=env%3Dprod%2Ctier%20in%20%28web%29"
        );
        assert_eq!(encode("../x"), "..%2Fx");
    }

    #[test]
    fn a_401_causes_one_login_and_one_retry_only() {
        let host = FakeHost::new(vec![
            reply(200, r#"{"token":"a.eyJzdWIiOiJhZG1pbjpsb2dpbiJ9.s"}"#), // login
            reply(
                401,
                r#"{"error":"x","code":16,"message":"invalid session"}"#,
            ), // refused at once
        ]);
        let settings = login_settings();
        let client = ArgoClient::new(&host, RequestContext::for_account(&settings)).unwrap();
        let result: Result<serde_json::Value, _> =
            pollster::block_on(client.get("/api/v1/applications", "the apps"));
        assert_eq!(result.unwrap_err().kind, ErrorKind::Unauthenticated);
        assert_eq!(
            host.requests().len(),
            2,
            "fresh token refused: no second login"
        );
    }

    #[test]
    fn a_cached_token_refused_is_replaced_once() {
        let host = FakeHost::new(vec![
            reply(200, r#"{"token":"a.eyJzdWIiOiJhZG1pbjpsb2dpbiJ9.s"}"#),
            reply(200, r#"{"items":[]}"#),
            reply(401, r#"{"message":"token signature is invalid"}"#),
            reply(200, r#"{"token":"b.eyJzdWIiOiJhZG1pbjpsb2dpbiJ9.s"}"#),
            reply(200, r#"{"items":[]}"#),
        ]);
        let settings = login_settings();
        let client = ArgoClient::new(&host, RequestContext::for_account(&settings)).unwrap();
        let first: serde_json::Value =
            pollster::block_on(client.get("/api/v1/applications", "x")).unwrap();
        assert_eq!(first["items"], serde_json::json!([]));
        let second: serde_json::Value =
            pollster::block_on(client.get("/api/v1/applications", "x")).unwrap();
        assert_eq!(second["items"], serde_json::json!([]));
        let requests = host.requests();
        assert_eq!(requests.len(), 5);
        assert_eq!(requests[3].url, "https://cd.test/api/v1/session");
        assert_eq!(
            crate::host::header_value(&requests[4].headers, "authorization"),
            Some("Bearer b.eyJzdWIiOiJhZG1pbjpsb2dpbiJ9.s")
        );
    }

    #[test]
    fn a_read_without_answer_is_sent_once_more_a_write_never() {
        let dropped = || Err(HttpError::NoAnswer("connection reset".into()));
        let settings = crate::testing::token_settings();
        let host = FakeHost::new(vec![dropped(), reply(200, r#"{"items":[]}"#)]);
        let client = ArgoClient::new(&host, RequestContext::for_account(&settings)).unwrap();
        let read: serde_json::Value =
            pollster::block_on(client.get("/api/v1/applications", "x")).unwrap();
        assert_eq!(read["items"], serde_json::json!([]));
        assert_eq!(host.requests().len(), 2);

        let host = FakeHost::new(vec![dropped(), dropped()]);
        let client = ArgoClient::new(&host, RequestContext::for_account(&settings)).unwrap();
        let twice: Result<serde_json::Value, _> =
            pollster::block_on(client.get("/api/v1/applications", "x"));
        assert!(twice.unwrap_err().message.contains("without answering"));
        assert_eq!(host.requests().len(), 2, "one retry, no more");

        let host = FakeHost::new(vec![dropped(), reply(200, "{}")]);
        let client = ArgoClient::new(&host, RequestContext::for_account(&settings)).unwrap();
        let write: Result<serde_json::Value, _> = pollster::block_on(client.post(
            "/api/v1/applications/a/sync",
            &serde_json::json!({}),
            "x",
        ));
        assert!(write.is_err());
        assert_eq!(host.requests().len(), 1, "a write is never sent twice");
    }

    #[test]
    fn an_answer_over_the_cap_is_an_error_naming_the_cap() {
        let mut settings = crate::testing::token_settings();
        settings.max_response_bytes = 100;
        let host = FakeHost::new(vec![reply(
            200,
            &format!("{{\"items\":\"{}\"}}", "x".repeat(500)),
        )]);
        let client = ArgoClient::new(&host, RequestContext::for_account(&settings)).unwrap();
        let error =
            pollster::block_on(client.get::<serde_json::Value>("/api/v1/applications", "the apps"))
                .unwrap_err();
        assert!(error.message.contains("larger than 100 bytes"), "{error}");
        assert!(error.hint.contains("ARGOCD_MAX_RESPONSE_BYTES"));
        assert_eq!(host.requests()[0].max_response_bytes, 100);
    }

    #[test]
    fn non_get_requests_carry_exactly_application_json() {
        let host = FakeHost::new(vec![reply(200, "{}")]);
        let settings = crate::testing::token_settings();
        let client = ArgoClient::new(&host, RequestContext::for_account(&settings)).unwrap();
        let _: serde_json::Value = pollster::block_on(client.call(
            Method::Delete,
            "/api/v1/applications/a/operation",
            None,
            "x",
        ))
        .unwrap();
        let sent = &host.requests()[0];
        assert_eq!(
            crate::host::header_value(&sent.headers, "content-type"),
            Some("application/json")
        );
    }
}
