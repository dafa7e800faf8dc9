//! What a host adapter serves: the MCP endpoint, the Argo CD health check, and direct tool calls
//! for plugin hosts. Adapters translate their host's request into these calls and back, nothing more.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::approval_ledger::StoreLedger;
use crate::argocd::ArgoClient;
use crate::context::{ActingAs, RequestContext, Target};
use crate::host::{Host, Method};
use crate::identity::{self, IdentityError};
use crate::mcp::approval::{ApprovalLedger, Caller};
use crate::mcp::authorization::ResourceServer;
use crate::mcp::http::{AccessPolicy, Admitted, HttpExchange, HttpReply, SiteChecked};
use crate::mcp::jsonrpc::RpcError;
use crate::mcp::server::{MessageSink, ServerInfo};
use crate::mcp::subscriptions::{Agreed, Filter, Listener};
use crate::mcp::tool::{
    CallOutcome, NoProgress, ParamHeader, Progress, ToolDefinition, ToolProvider,
};
use crate::settings::{Credentials, Settings, UserMode, UserToken};
use crate::tools;

pub const MCP_PATH: &str = "/mcp";
pub const HEALTH_PATH: &str = "/health/argocd";

pub const SERVER_INFO: ServerInfo = ServerInfo {
    name: "argocd-mcp",
    title: "Argo CD",
    version: env!("CARGO_PKG_VERSION"),
    instructions: "Tools to see and steer Argo CD applications. Start with list_argocd_apps or get_argocd_app_status. Sync and health are separate: an app can be Synced and Degraded. Tools that change the cluster need confirm: true; ask the user before setting it. app_namespace is the namespace of the Application object itself, needed only for apps outside Argo CD's own namespace.",
};

/// The Argo CD tools as MCP sees them, for one request.
struct ArgoTools<'a, H: Host> {
    host: &'a H,
    context: RequestContext<'a>,
    ledger: StoreLedger<'a, H>,
}

impl<'a, H: Host> ArgoTools<'a, H> {
    fn settings(&self) -> &'a Settings {
        self.context.settings()
    }
}

impl<H: Host> ToolProvider for ArgoTools<'_, H> {
    fn definitions(&self) -> Vec<ToolDefinition> {
        tools::with_profiles(
            tools::definitions(self.settings().read_only),
            &self.settings().profile_names(),
        )
    }

    fn resources(&self) -> &'static [crate::mcp::library::Resource] {
        crate::guides::RESOURCES
    }

    fn prompts(&self) -> &'static [crate::mcp::library::Prompt] {
        crate::guides::PROMPTS
    }

    /// Scrubbed as every answer is: a credential given as an argument is not echoed.
    fn prompt(
        &self,
        name: &str,
        given: &serde_json::Map<String, Value>,
    ) -> Result<Value, RpcError> {
        let mut filled = crate::mcp::library::get_prompt(self.prompts(), name, given)?;
        self.context.own_secrets().hide_in(&mut filled);
        crate::tools::scrub_value(&mut filled);
        Ok(filled)
    }

    fn resource_templates(&self) -> &'static [crate::mcp::library::ResourceTemplate] {
        crate::feed::TEMPLATES
    }

    async fn read_resource(&self, uri: &str) -> Option<Result<Value, RpcError>> {
        crate::feed::read(self.host, self.context, uri).await
    }

    fn listens(&self) -> bool {
        true
    }

    async fn agree(&self, requested: &Filter) -> Result<Agreed, RpcError> {
        crate::feed::agree(self.host, self.context, requested).await
    }

    async fn listen(&self, agreed: &Agreed, listener: &dyn Listener) {
        crate::feed::listen(self.host, self.context, agreed, listener).await
    }

    async fn call(&self, name: &str, arguments: Value, progress: &dyn Progress) -> CallOutcome {
        tools::call(self.host, self.context, name, arguments, progress).await
    }

    fn param_headers(&self, _name: &str) -> Vec<ParamHeader> {
        tools::param_headers(&self.settings().profile_names())
    }

    async fn approval_question(
        &self,
        name: &str,
        arguments: &Value,
    ) -> Result<Option<String>, String> {
        if !self.settings().require_approval || self.settings().read_only {
            return Ok(None);
        }
        // A refusal quotes why the app could not be read, which is Argo CD's message: scrubbed
        // as every answer is, the settings' own secrets first.
        tools::approval_question(self.host, self.context, name, arguments)
            .await
            .map_err(|refusal| {
                let refusal = self.context.own_secrets().hidden_in(&refusal).into_owned();
                tools::without_credentials(&refusal).into_owned()
            })
    }

    async fn complete(&self, argument: &str, prefix: &str) -> Vec<String> {
        tools::complete(self.host, self.context, argument, prefix).await
    }

    fn approvals(&self) -> Option<&dyn ApprovalLedger> {
        Some(&self.ledger)
    }

    fn caller(&self) -> Caller<'_> {
        match (&self.settings().user_mode, self.context.caller()) {
            (Some(mode), Some(user)) => Caller {
                issuer: &mode.issuer,
                subject: &user.subject,
            },
            _ => Caller::ANYONE,
        }
    }
}

fn access_policy(settings: &Settings) -> AccessPolicy<'_> {
    AccessPolicy {
        bearer_token: settings.mcp_auth_token.as_ref().map(|t| t.expose()),
        bearer_problem: settings.mcp_auth_problem.as_deref(),
        allowed_hosts: &settings.allowed_hosts,
        allowed_origins: &settings.allowed_origins,
    }
}

/// `?profile=NAME`: which Argo CD instance the health check is about (default: the first).
fn profile_query(path: &str) -> Option<String> {
    let query = path.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let value = pair.strip_prefix("profile=")?;
        Some(
            percent_encoding::percent_decode_str(value)
                .decode_utf8_lossy()
                .into_owned(),
        )
    })
}

fn route(path: &str) -> &str {
    path.split('?').next().unwrap_or("").trim_end_matches('/')
}

/// The resource server user mode makes of this component, for its metadata and challenges.
fn with_resource_server<T>(mode: &UserMode, use_it: impl FnOnce(ResourceServer<'_>) -> T) -> T {
    let servers = [mode.issuer.as_str()];
    use_it(ResourceServer {
        resource: &mode.resource,
        authorization_servers: &servers,
        scopes: &mode.scopes,
    })
}

/// Whether the URL carries a token (RFC 6750 §2.3): MCP authorization forbids accepting one
/// there, where logs and browser histories keep it.
fn token_in_query(path: &str) -> bool {
    path.split_once('?').is_some_and(|(_, query)| {
        query.split('&').any(|pair| {
            let key = pair.split('=').next().unwrap_or("");
            key.eq_ignore_ascii_case("access_token") || key.eq_ignore_ascii_case("token")
        })
    })
}

/// Who a request to `/mcp` acts as: in user mode the caller, let in only with a token the
/// identity provider issued for this server (else 401/403 with the challenge that starts the
/// client's sign-in); otherwise nobody in particular (`None`: the configured account acts).
/// Settled before the transport decides to stream, so a refusal is always a plain HTTP answer,
/// which starts the client's sign-in.
async fn settle_caller<H: Host>(
    host: &H,
    settings: &Settings,
    request: HttpExchange<'_>,
    path: &str,
) -> Result<Option<UserToken>, HttpReply> {
    if let Some(problem) = &settings.user_mode_problem {
        return Err(rpc_refusal(503, problem.clone()));
    }
    let Some(mode) = &settings.user_mode else {
        return Ok(None);
    };
    if token_in_query(path) {
        return Err(with_resource_server(mode, |rs| {
            rs.unauthorized(Some(
                "tokens are taken only from the Authorization header, never from the URL",
            ))
        }));
    }
    let verified =
        identity::authenticate(host, settings, mode, request.header("authorization")).await;
    match verified {
        Ok(user) => Ok(Some(user)),
        Err(refusal) => Err(with_resource_server(mode, |rs| match refusal {
            IdentityError::Missing => rs.unauthorized(None),
            IdentityError::InsufficientScope(why) => rs.insufficient_scope(&why),
            IdentityError::Unavailable(why) => {
                rpc_refusal(503, format!("sign-ins cannot be checked right now: {why}"))
            }
            IdentityError::InvalidToken(why) | IdentityError::Refused(why) => {
                rs.unauthorized(Some(&why))
            }
        })),
    }
}

/// Why the server component may not use its store: no `MCP_STORE_KEY`, or one it cannot use.
fn store_seal_problem(settings: &Settings) -> Option<String> {
    use crate::settings::STORE_KEY;
    match (&settings.store_seal, &settings.store_seal_problem) {
        (_, Some(problem)) => Some(problem.clone()),
        (Some(_), None) => None,
        (None, None) => Some(format!(
            "{} (Spin variable {}) is not set: the server keeps Argo CD sessions and tokens in the shared key-value store only sealed with it. Set it to at least 32 random characters (`openssl rand -base64 32`), the same on every instance; every request is refused until then.",
            STORE_KEY.env, STORE_KEY.variable
        )),
    }
}

fn rpc_refusal(status: u16, message: String) -> HttpReply {
    use crate::mcp::jsonrpc::{INVALID_REQUEST, RpcError, error};
    HttpReply::json(
        status,
        &error(&Value::Null, &RpcError::new(INVALID_REQUEST, message)),
    )
}

/// The answer to one HTTP request: whole, or a stream of events the adapter pumps to the client.
pub enum Answer {
    Whole(HttpReply),
    /// A tool call that reports progress, or a subscription already agreed to: answer 200 with
    /// [`crate::mcp::http::sse_headers`] at once, then run it, sending each event down the body
    /// as the sink receives it.
    Stream(Box<StreamedCall>),
}

/// A tool call admitted to be answered as a stream: everything it needs, owned (the settings
/// shared, not copied), so an adapter can run it after it has answered the request's head.
pub struct StreamedCall {
    settings: Arc<Settings>,
    caller: Option<UserToken>,
    /// The settings' secrets the stream is cleaned of: those its caller did not send.
    secrets: Arc<tools::OwnSecrets>,
    admitted: Admitted,
}

impl StreamedCall {
    /// Runs the call: its progress notifications, then its final message, go to `sink`.
    pub async fn run<H: Host>(self, host: &H, sink: &dyn MessageSink) {
        let context = RequestContext::new(&self.settings, self.caller.as_ref())
            .with_own_secrets(&self.secrets);
        let tools = ArgoTools::new(host, context);
        let sink = WithoutOwnSecrets {
            inner: sink,
            secrets: &self.secrets,
        };
        crate::mcp::http::answer_streamed(&SERVER_INFO, &tools, self.admitted, &sink).await;
    }
}

/// A stream's way out: every message sent down it without the settings' own secrets (see
/// [`serve`]).
struct WithoutOwnSecrets<'a> {
    inner: &'a dyn MessageSink,
    secrets: &'a tools::OwnSecrets,
}

impl MessageSink for WithoutOwnSecrets<'_> {
    fn send(&self, message: &Value) {
        let mut message = message.clone();
        self.secrets.hide_in(&mut message);
        self.inner.send(&message);
    }

    fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    fn keep_alive(&self) {
        self.inner.keep_alive();
    }
}

impl Answer {
    /// The answer whole, for a transport that cannot stream: a streamed call runs to its end
    /// without progress and its final message is the body.
    pub async fn into_reply<H: Host>(self, host: &H) -> HttpReply {
        match self {
            Answer::Whole(reply) => reply,
            // A subscription lasts until its client leaves: without a stream there is none.
            Answer::Stream(call) if call.admitted.is_subscription() => HttpReply::json(
                200,
                &crate::mcp::jsonrpc::error(
                    &Value::Null,
                    &RpcError::new(
                        crate::mcp::jsonrpc::INVALID_REQUEST,
                        "subscriptions/listen needs a transport that streams",
                    ),
                ),
            ),
            Answer::Stream(call) => {
                let last = LastMessage::default();
                call.run(host, &last).await;
                HttpReply::json(200, &last.0.into_inner())
            }
        }
    }
}

/// Keeps the last message sent: the final answer of a streamed call.
#[derive(Default)]
struct LastMessage(std::cell::RefCell<Value>);

impl MessageSink for LastMessage {
    fn send(&self, message: &Value) {
        *self.0.borrow_mut() = message.clone();
    }
}

impl<'a, H: Host> ArgoTools<'a, H> {
    fn new(host: &'a H, context: RequestContext<'a>) -> Self {
        ArgoTools {
            host,
            context,
            ledger: StoreLedger {
                host,
                settings: context.settings(),
            },
        }
    }
}

/// The one entry for HTTP requests addressed to the component: every check happens here, once
/// (the site, who calls, the transport's rules, the body read once), and the answer comes back
/// whole or as a stream. Adapters convert their host's request into this and pump the answer.
/// `settings` are the deployment's: every request is served under them as they are, and a
/// streamed answer shares them.
pub async fn serve<H: Host>(
    host: &H,
    settings: Arc<Settings>,
    request: HttpExchange<'_>,
    path: &str,
) -> Answer {
    // The one way out: what an upstream quoted of the settings' own secrets (a provider's
    // refusal echoing the client secret) leaves no answer, whichever path made it; but what
    // the caller sent, where it can come back (the path, the body, the headers this server
    // reads and may quote), comes back as sent (see `OwnSecrets::unknown_to`). Credentials'
    // headers are never quoted, and a header nobody reads must not switch anything off.
    //
    // What counts as sent is each of those texts as sent and as this server decodes it before
    // quoting it: `Mcp-*` headers' base64, the health check's percent-encoded `profile`.
    let mut decoded: Vec<String> = vec![String::from_utf8_lossy(request.body).into_owned()];
    decoded.extend(profile_query(path));
    let mut sent: Vec<&str> = vec![path];
    for (name, value) in request.headers {
        let mcp = name
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("mcp-"));
        if mcp {
            decoded.extend(crate::mcp::http::decode_header_value(value));
        }
        if mcp
            || ["host", "origin", "accept"]
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h))
        {
            sent.push(value);
        }
    }
    sent.extend(decoded.iter().map(String::as_str));
    let secrets = Arc::new(tools::OwnSecrets::unknown_to(&settings, &sent));
    match serve_checked(host, settings, request, path, &secrets).await {
        Answer::Whole(mut reply) => {
            if let Some(clean) =
                std::str::from_utf8(&reply.body).ok().and_then(|body| {
                    match secrets.hidden_in(body) {
                        std::borrow::Cow::Owned(clean) => Some(clean),
                        std::borrow::Cow::Borrowed(_) => None,
                    }
                })
            {
                reply.body = clean.into_bytes();
            }
            Answer::Whole(reply)
        }
        stream => stream,
    }
}

async fn serve_checked<H: Host>(
    host: &H,
    settings: Arc<Settings>,
    request: HttpExchange<'_>,
    path: &str,
    secrets: &Arc<tools::OwnSecrets>,
) -> Answer {
    let policy = access_policy(&settings);
    let site = match crate::mcp::http::check_site(policy, request) {
        Ok(site) => site,
        Err(refusal) => return Answer::Whole(refusal.answering(request.body)),
    };
    // Instances share sessions and tokens through the store: without its seal, nothing is
    // served (and nothing touches the store), rather than keeping them readable to its readers.
    if let Some(problem) = store_seal_problem(&settings) {
        return Answer::Whole(rpc_refusal(503, problem).answering(request.body));
    }
    if let Some(mode) = &settings.user_mode
        && with_resource_server(mode, |rs| rs.serves_metadata_at(route(path)))
    {
        return Answer::Whole(if request.method == "GET" {
            with_resource_server(mode, |rs| HttpReply::json(200, &rs.metadata()))
        } else {
            HttpReply::json(405, &json!({"error": "use GET"}))
        });
    }
    match route(path) {
        MCP_PATH => serve_mcp(host, settings, site, request, path, secrets).await,
        _ => Answer::Whole(serve_other(host, &settings, request, path).await),
    }
}

async fn serve_mcp<H: Host>(
    host: &H,
    settings: Arc<Settings>,
    site: SiteChecked,
    request: HttpExchange<'_>,
    path: &str,
    secrets: &Arc<tools::OwnSecrets>,
) -> Answer {
    let caller = match settle_caller(host, &settings, request, path).await {
        Ok(caller) => caller,
        Err(refusal) => return Answer::Whole(refusal.answering(request.body)),
    };
    let policy = access_policy(&settings);
    let param_headers = |_: &str| tools::param_headers(&settings.profile_names());
    let admitted = match crate::mcp::http::admit(site, policy, request, &param_headers) {
        Ok(admitted) => admitted,
        Err(refusal) => return Answer::Whole(refusal),
    };
    crate::store_sweep::sweep_if_due(host);
    if admitted.streams() {
        // A subscription is agreed to (its apps read as the caller) before the stream opens:
        // a refusal is a whole answer.
        let agreed = {
            let context = RequestContext::new(&settings, caller.as_ref()).with_own_secrets(secrets);
            let tools = ArgoTools::new(host, context);
            crate::mcp::http::agree_first(&tools, admitted).await
        };
        let admitted = match agreed {
            Ok(admitted) => admitted,
            Err(refusal) => return Answer::Whole(refusal),
        };
        return Answer::Stream(Box::new(StreamedCall {
            settings,
            caller,
            secrets: Arc::clone(secrets),
            admitted,
        }));
    }
    let context = RequestContext::new(&settings, caller.as_ref()).with_own_secrets(secrets);
    let tools = ArgoTools::new(host, context);
    Answer::Whole(crate::mcp::http::answer(&SERVER_INFO, &tools, admitted).await)
}

/// The health check and everything that is not an endpoint.
async fn serve_other<H: Host>(
    host: &H,
    settings: &Settings,
    request: HttpExchange<'_>,
    path: &str,
) -> HttpReply {
    let policy = access_policy(settings);
    match route(path) {
        HEALTH_PATH if request.method == "GET" => {
            // Details (where Argo CD and the provider are, what failed) are for those who may
            // call the tools: the bearer's holder, or in user mode a signed-in caller.
            let mut signed_in = None;
            let detailed = match &settings.user_mode {
                Some(mode) => {
                    signed_in = identity::authenticate(
                        host,
                        settings,
                        mode,
                        request.header("authorization"),
                    )
                    .await
                    .ok();
                    signed_in.is_some()
                }
                None => policy.authorized(request),
            };
            // The health check is about an instance and its configured account; a signed-in
            // caller's own check is below.
            let account = RequestContext::for_account(settings);
            let chosen = match profile_query(path) {
                None => account,
                Some(name) => match account.with_profile(Some(&name)) {
                    Ok(chosen) => chosen,
                    Err(problem) => {
                        // Profile names are details too.
                        return if detailed {
                            HttpReply::json(404, &json!({"error": problem}))
                        } else {
                            HttpReply::json(404, &json!({"error": "no such profile"}))
                        };
                    }
                },
            };
            let report = match (&settings.user_mode, signed_in) {
                // A signed-in caller's check goes all the way: their exchange, and Argo CD
                // accepting what it yields (a provider may take this server's credentials and
                // still refuse it the exchange for Argo CD).
                (Some(mode), Some(caller)) => {
                    user_mode_health(host, settings, mode, host.now_unix_ms(), Some(&caller)).await
                }
                _ => health(host, chosen).await,
            };
            if detailed {
                scrubbed(report, settings)
            } else {
                bare_status(report)
            }
        }
        HEALTH_PATH => HttpReply::json(405, &json!({"error": "use GET"})),
        _ => HttpReply::json(
            404,
            &json!({"error": format!("no such endpoint; MCP is served at {MCP_PATH}, the health check at {HEALTH_PATH}")}),
        ),
    }
}

/// Runs one tool for a plugin host: the JSON text of the answer, or a message saying what to fix.
pub async fn call_tool<H: Host>(
    host: &H,
    settings: &Settings,
    name: &str,
    arguments: Value,
) -> Result<String, String> {
    // Nobody can be asked here: with approvals required, changes are refused outright.
    if settings.require_approval && !settings.read_only && tools::needs_approval(name, &arguments) {
        return Err(format!(
            "{name} needs a person's approval (ARGOCD_REQUIRE_APPROVAL is set), which only the MCP server component can ask for, through the client. Nothing was changed."
        ));
    }
    // What the host sent comes back as sent (see `OwnSecrets::unknown_to`).
    let secrets = tools::OwnSecrets::unknown_to(settings, &[name, &arguments.to_string()]);
    let context = RequestContext::for_account(settings).with_own_secrets(&secrets);
    match tools::call(host, context, name, arguments, &NoProgress).await {
        CallOutcome::Success(value) => Ok(secrets.hidden_in(&value.to_string()).into_owned()),
        CallOutcome::ToolError(message) | CallOutcome::UnknownTool(message) => {
            Err(secrets.hidden_in(&message).into_owned())
        }
    }
}

/// A health report as every answer is given: what Argo CD or the provider said in an error can
/// quote a credential (a repository URL with its password, a connection string). The settings'
/// own secrets first, as in a tool's answer (a rule hiding a passphrase only to its first space
/// would leave the rest), and again on the way out ([`serve`]).
fn scrubbed(report: HttpReply, settings: &Settings) -> HttpReply {
    match serde_json::from_slice::<Value>(&report.body) {
        Ok(mut body) => {
            tools::OwnSecrets::of(settings).hide_in(&mut body);
            tools::scrub_value(&mut body);
            HttpReply::json(report.status, &body)
        }
        Err(_) => report,
    }
}

/// The health answer for callers without the bearer: up or not and how fast, for load
/// balancers; nothing about where Argo CD is, who we are there, or what failed.
fn bare_status(report: HttpReply) -> HttpReply {
    let full: Value = serde_json::from_slice(&report.body).unwrap_or(Value::Null);
    HttpReply::json(
        report.status,
        &json!({
            "status": full.get("status").cloned().unwrap_or(Value::Null),
            "latency_ms": full.get("latency_ms").cloned().unwrap_or(Value::Null),
        }),
    )
}

/// 200 only when Argo CD says the token is logged in. Userinfo answers 200 `{}` for a bad token
/// (it never says 401), so its status alone proves nothing.
pub async fn health<H: Host>(host: &H, context: RequestContext<'_>) -> HttpReply {
    let settings = context.settings();
    let target = context.target();
    let started = host.now_unix_ms();
    let unavailable = |http_status: Option<u16>, error: String, note: String| {
        HttpReply::json(
            503,
            &json!({
                "status": "unavailable",
                "latency_ms": host.now_unix_ms().saturating_sub(started),
                "http_status": http_status,
                "error": error,
                "note": note,
                "argocd_url": tools::without_credentials(target.argocd_url),
            }),
        )
    };
    if let Some(mode) = &settings.user_mode
        && context.caller().is_none()
    {
        return user_mode_health(host, settings, mode, started, None).await;
    }
    let client = match ArgoClient::new(host, context) {
        Ok(client) => client,
        Err(e) => {
            return unavailable(
                None,
                e.message,
                "set the missing settings and restart".into(),
            );
        }
    };
    let mut relogged = false;
    loop {
        let response = match client
            .exchange(Method::Get, "/api/v1/session/userinfo", None)
            .await
        {
            Ok(response) => response,
            Err(e) => return unavailable(e.status, e.message, e.hint),
        };
        if response.status != 200 {
            let e = crate::argocd::ArgoError::from_answer(&response, "the user info");
            return unavailable(Some(response.status), e.message, e.hint);
        }
        let info = small_json(&response.body);
        if info.get("loggedIn") == Some(&Value::Bool(true)) {
            return HttpReply::json(
                200,
                &json!({
                    "status": "ok",
                    "authenticated_as": info.get("username").cloned().unwrap_or(Value::Null),
                    "groups": info.get("groups").cloned().unwrap_or(json!([])),
                    "latency_ms": host.now_unix_ms().saturating_sub(started),
                    "argocd_url": tools::without_credentials(target.argocd_url),
                    "profile": target.profile,
                }),
            );
        }
        // A cached session can be stale (expired, key rotated): re-authenticate once, then judge.
        if client.auth().can_relogin() && !relogged {
            relogged = true;
            client.auth().forget();
            if let Err(e) = client.auth().login().await {
                return unavailable(e.status, e.message, e.hint);
            }
            continue;
        }
        let note = match context.acting_as() {
            ActingAs::Account(Credentials::Token(_)) => {
                "ARGOCD_TOKEN is expired, revoked, or signed with a key Argo CD no longer has: create a new one with `argocd account generate-token` and update the setting"
            }
            _ => {
                "Argo CD issued a session but does not accept it; check the account is enabled and that Argo CD's clock and server.secretkey are stable"
            }
        };
        return unavailable(
            Some(200),
            "Argo CD does not accept the token: /api/v1/session/userinfo reports loggedIn is not true".into(),
            note.into(),
        );
    }
}

/// A small answer (user info, version: a few hundred bytes) as JSON; anything far larger is not
/// that answer and is not parsed into a tree (its size in memory could be many times its length).
fn small_json(body: &[u8]) -> Value {
    if body.len() <= 64 << 10 {
        serde_json::from_slice(body).unwrap_or(Value::Null)
    } else {
        Value::Null
    }
}

/// User mode has no account of its own to ask Argo CD about: healthy means the identity
/// provider is known (discovery and keys), can exchange tokens when it must, and Argo CD answers.
async fn user_mode_health<H: Host>(
    host: &H,
    settings: &Settings,
    mode: &UserMode,
    started: u64,
    caller: Option<&UserToken>,
) -> HttpReply {
    // User mode serves one Argo CD: no profiles.
    let target = Target::default_of(settings);
    let report = |status: u16, error: Option<String>, argocd_version: Value| {
        HttpReply::json(
            status,
            &json!({
                "status": if status == 200 { "ok" } else { "unavailable" },
                "latency_ms": host.now_unix_ms().saturating_sub(started),
                "auth_mode": "user",
                "identity_provider": mode.issuer,
                "argocd_url": tools::without_credentials(target.argocd_url),
                "argocd_version": argocd_version,
                "error": error,
            }),
        )
    };
    let known = match identity::provider::known(host, settings, mode).await {
        Ok(known) => known,
        Err(e) => return report(503, Some(e.message().to_owned()), Value::Null),
    };
    if mode.delegation == crate::settings::Delegation::Exchange
        && !known.metadata.exchanges_tokens()
    {
        return report(
            503,
            Some(format!(
                "the identity provider {} does not offer token exchange ({}): enable it for this server's client, or see OIDC_DELEGATION in the README",
                mode.issuer,
                identity::provider::TOKEN_EXCHANGE_GRANT
            )),
            Value::Null,
        );
    }
    // Every call exchanges with these client credentials: prove the provider takes them.
    if let Some(endpoint) = known.metadata.token_endpoint.as_deref()
        && let Err(e) = identity::delegation::check_client(host, settings, mode, endpoint).await
    {
        return report(503, Some(e.message().to_owned()), Value::Null);
    }
    if let Some(caller) = caller {
        let as_caller = RequestContext::new(settings, Some(caller));
        let userinfo = match ArgoClient::new(host, as_caller) {
            Ok(client) => client
                .exchange(Method::Get, "/api/v1/session/userinfo", None)
                .await
                .map(|answer| small_json(&answer.body)),
            Err(e) => Err(e),
        };
        match userinfo {
            Ok(info) if info.get("loggedIn") == Some(&Value::Bool(true)) => {}
            Ok(_) => {
                return report(
                    503,
                    Some("Argo CD does not accept the token exchanged for you (userinfo says not logged in): check Argo CD's OIDC settings trust this provider and client id".into()),
                    Value::Null,
                );
            }
            Err(e) => return report(503, Some(format!("{}: {}", e.message, e.hint)), Value::Null),
        }
    }
    let answer = crate::argocd::transport::send_raw(
        host,
        target,
        crate::argocd::transport::Limits::of(settings),
        Method::Get,
        "/api/version",
        None,
        None,
    )
    .await;
    match answer {
        Ok(response) if response.status == 200 => {
            let version = small_json(&response.body);
            report(
                200,
                None,
                version.get("Version").cloned().unwrap_or(Value::Null),
            )
        }
        Ok(response) => {
            let e = crate::argocd::ArgoError::from_answer(&response, "the version");
            report(503, Some(e.message), Value::Null)
        }
        Err(e) => report(503, Some(e.message), Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeHost, login_settings, reply, token_settings};

    fn body(reply: &HttpReply) -> Value {
        serde_json::from_slice(&reply.body).unwrap()
    }

    #[test]
    fn health_is_ok_only_when_logged_in() {
        let host = FakeHost::new(vec![reply(
            200,
            r#"{"loggedIn":true,"username":"admin","iss":"argocd"}"#,
        )]);
        let settings = token_settings();
        let ok = pollster::block_on(health(&host, RequestContext::for_account(&settings)));
        assert_eq!(ok.status, 200);
        assert_eq!(body(&ok)["authenticated_as"], "admin");

        let host = FakeHost::new(vec![reply(200, "{}")]);
        let bad = pollster::block_on(health(&host, RequestContext::for_account(&settings)));
        assert_eq!(bad.status, 503);
        assert_eq!(body(&bad)["http_status"], 200);
        assert!(
            body(&bad)["note"]
                .as_str()
                .unwrap()
                .contains("generate-token")
        );
    }

    #[test]
    fn health_relogs_once_with_a_stale_session() {
        let host = FakeHost::new(vec![
            reply(200, r#"{"token":"a.eyJ9.s"}"#),
            reply(200, "{}"),
            reply(200, r#"{"token":"b.eyJ9.s"}"#),
            reply(200, r#"{"loggedIn":true,"username":"admin"}"#),
        ]);
        let settings = login_settings();
        let ok = pollster::block_on(health(&host, RequestContext::for_account(&settings)));
        assert_eq!(ok.status, 200, "{:?}", body(&ok));
        assert_eq!(host.requests().len(), 4);
    }

    fn get(settings: &Settings, path: &str) -> HttpReply {
        let host = FakeHost::new(vec![]);
        let request = HttpExchange {
            method: "GET",
            authority: Some("localhost:3000"),
            headers: &[],
            body: b"",
        };
        let reply = pollster::block_on(async {
            serve(&host, Arc::new(settings.clone()), request, path)
                .await
                .into_reply(&host)
                .await
        });
        assert!(host.requests().is_empty());
        reply
    }

    fn sealed(mut settings: Settings) -> Settings {
        settings.store_seal =
            Some(crate::store_seal::StoreSeal::from_secret(&"k".repeat(32)).unwrap());
        settings
    }

    #[test]
    fn unknown_paths_are_404() {
        assert_eq!(get(&sealed(token_settings()), "/etc/passwd").status, 404);
    }

    #[test]
    fn without_a_usable_store_key_nothing_is_served() {
        for path in ["/mcp", "/health/argocd", "/etc/passwd"] {
            let refused = get(&token_settings(), path);
            assert_eq!(refused.status, 503, "{path}");
            let text = String::from_utf8_lossy(&refused.body);
            assert!(
                text.contains("MCP_STORE_KEY") && text.contains("store_key"),
                "{text}"
            );
        }
        let mut short = token_settings();
        short.store_seal_problem = Some("MCP_STORE_KEY has 5 characters".into());
        assert_eq!(get(&sealed(short), "/mcp").status, 503, "a problem wins");
    }
}
