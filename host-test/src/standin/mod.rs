//! An Argo CD v3.5.1 stand-in on loopback: the REST behaviour an MCP server meets, traps
//! included (userinfo 200 `{}`, 415 without exact JSON content type, 403 for unknown apps, the
//! login lockout, operations that take time). Facts: `fixtures/argocd` and the api-notes.

pub mod appsets;
pub mod auth;
pub mod credentials;
pub mod faults;
pub mod feed;
pub mod fleet;
pub mod idp;
pub mod manifests;
pub mod rbac;
mod routes;
pub mod tree;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;

pub use auth::Sessions;
pub use faults::{Fault, FaultRule, Shape};
pub use feed::StateGuard;
pub use fleet::Blueprint;

/// How the next operation on an app ends.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Succeeded, Failed or Error.
    pub phase: String,
    /// App health once it finished.
    pub health: String,
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome {
            phase: "Succeeded".into(),
            health: "Healthy".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum OperationKind {
    Sync,
    Rollback(i64),
}

/// An operation the "controller" is working on.
#[derive(Debug, Clone)]
pub struct PendingOperation {
    pub kind: OperationKind,
    pub started: Instant,
    pub started_unix: u64,
    pub revision: String,
    pub dry_run: bool,
    /// A selective sync: never recorded in history.
    pub partial: bool,
    /// `operation.sync` as requested, kept in `operationState.operation`.
    pub request: Value,
    /// Set by `DELETE …/operation`: the controller ends it as Failed.
    pub terminating: bool,
}

pub struct AppRecord {
    pub blueprint: Blueprint,
    pub seq: usize,
    pub app: Value,
    pub pending: Option<PendingOperation>,
    pub next_outcome: Outcome,
    /// After a successful sync: when the rollout ends, and the health it ends in.
    pub rollout: Option<(Instant, String)>,
    /// Resources deleted and since recreated (`group/kind/namespace/name`): the uid the
    /// recreated object got, as the API server gives each new object a new one.
    pub recreated: HashMap<String, String>,
}

impl AppRecord {
    /// The app made from `blueprint`, the `seq`-th the stand-in holds, idle.
    pub fn new(blueprint: Blueprint, seq: usize) -> AppRecord {
        AppRecord {
            app: fleet::application(&blueprint, seq),
            blueprint,
            seq,
            pending: None,
            next_outcome: Outcome::default(),
            rollout: None,
            recreated: HashMap::new(),
        }
    }

    /// The same record as a new object: Kubernetes gives every object it creates a new uid, so
    /// an app deleted and created again under its name is told apart by it.
    pub fn created_anew(mut self) -> AppRecord {
        self.app["metadata"]["uid"] = serde_json::json!(auth::random_uuid());
        self
    }
}

/// One request as the stand-in saw it.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    /// Every header, for checks on what a proxy in front of Argo CD would see.
    pub headers: Vec<(String, String)>,
    /// The body as text (the first 4 KiB); login bodies are not kept, they hold a password.
    pub body: String,
}

impl SeenRequest {
    pub(crate) fn new(
        method: &hyper::Method,
        uri: &hyper::Uri,
        headers: &hyper::HeaderMap,
        body: &[u8],
    ) -> SeenRequest {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        // Login bodies hold a password.
        let body = if uri.path() == "/api/v1/session" || uri.path() == "/api/dex/auth" {
            String::new()
        } else {
            String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned()
        };
        SeenRequest {
            method: method.to_string(),
            path: uri.path_and_query().map_or("/".into(), |p| p.to_string()),
            authorization: header("authorization"),
            content_type: header("content-type"),
            headers: headers
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                .collect(),
            body,
        }
    }
}

pub struct State {
    pub sessions: Sessions,
    pub apps: BTreeMap<String, AppRecord>,
    pub requests: Vec<SeenRequest>,
    pub logins_ok: u64,
    pub logins_failed: u64,
    /// TCP connections accepted, to tell kept-alive clients from ones connecting per request.
    pub connections: u64,
    /// Added before every answer (a slow Argo CD).
    pub delay: Duration,
    /// When set, every /api request gets this status (an Argo CD in trouble).
    pub fail_with: Option<u16>,
    /// How long an operation runs before it ends.
    pub operation_time: Duration,
    /// How long an app stays Progressing after a successful sync before it reaches the health
    /// of its outcome; zero: at once, with the operation's end.
    pub rollout_time: Duration,
    /// Every change to an app, as the watch stream serves it.
    pub feed: feed::Feed,
    /// Between the SSE form's keepalive lines (argoproj/pkg `forwarders.go`: 15 s).
    pub sse_keepalive: Duration,
    /// Network and proxy faults switched on by tests, tried in order.
    pub faults: Vec<FaultRule>,
    /// The identity provider Argo CD trusts (its Dex), at `/api/dex`.
    pub idp: idp::Idp,
    /// What single sign-on users may do.
    pub rbac: Vec<rbac::Policy>,
    /// Every change asked of an app, with who asked and whether RBAC allowed it.
    pub audit: Vec<rbac::AuditEvent>,
    /// `application.links` of `argocd-cm`: (title, URL template, description).
    pub app_links: Vec<(String, String, String)>,
    /// The ApplicationSets Argo CD holds.
    pub appsets: Vec<Value>,
    /// Whether credentials were seeded (`Config::seed_credentials`).
    pub seeded_credentials: bool,
    /// Review probes: live objects by resource name, served by `…/resource` instead of the
    /// generated ones.
    pub review_live: BTreeMap<String, Value>,
    /// Review probes: objects only Git holds for an app (hooks), by app name, served after the
    /// managed ones by `…/manifests`.
    pub review_git: BTreeMap<String, Vec<Value>>,
    /// Review probes: log lines every pod logs last.
    pub review_log_lines: Vec<String>,
    /// Review probes: clusters and repositories Argo CD lists beside its own.
    pub review_clusters: Vec<Value>,
    pub review_repos: Vec<Value>,
}

/// What a test configures before starting the stand-in.
#[derive(Debug, Clone)]
pub struct Config {
    pub users: Vec<(String, String)>,
    pub session_lifetime: Option<Duration>,
    pub fleet_size: usize,
    pub operation_time: Duration,
    /// Resources of `huge-app`.
    pub huge_app_resources: usize,
    /// Users of the identity provider (single sign-on), with their groups.
    pub sso_users: Vec<idp::User>,
    /// Credentials in every place Argo CD can hold them: the apps and ApplicationSet of
    /// `credentials`, and the default project's `sourceRepos`.
    pub seed_credentials: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            users: vec![("admin".into(), "password".into())],
            session_lifetime: Some(Duration::from_secs(24 * 3600)),
            fleet_size: 30,
            operation_time: Duration::from_millis(300),
            huge_app_resources: 500,
            sso_users: idp::default_users(),
            seed_credentials: false,
        }
    }
}

/// The named apps every stand-in has, beside the generated fleet.
pub fn showcase() -> Vec<Blueprint> {
    let mut guestbook = Blueprint::new("guestbook");
    guestbook.history = 4;
    let mut payments = Blueprint::new("payments");
    payments.auto_sync = true;
    payments.project = "payments".into();
    let mut broken = Blueprint::new("broken-app");
    broken.health = "Degraded".into();
    broken.sync = "OutOfSync".into();
    broken.last_operation = Some("Failed".into());
    let mut multi = Blueprint::new("multi-source-app");
    multi.multi_source = true;
    let mut huge = Blueprint::new("huge-app");
    huge.resources = 500;
    vec![guestbook, payments, broken, multi, huge]
}

/// A running stand-in. Dropping it leaves the server task running until the runtime ends.
#[derive(Clone)]
pub struct StandIn {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl StandIn {
    pub async fn start(config: Config) -> std::io::Result<StandIn> {
        Self::start_on("127.0.0.1:0".parse().expect("valid address"), config).await
    }

    pub async fn start_on(listen: SocketAddr, config: Config) -> std::io::Result<StandIn> {
        let users: Vec<(&str, &str)> = config
            .users
            .iter()
            .map(|(u, p)| (u.as_str(), p.as_str()))
            .collect();
        let mut apps = BTreeMap::new();
        let mut showcase = showcase();
        for blueprint in showcase.iter_mut().filter(|b| b.name == "huge-app") {
            blueprint.resources = config.huge_app_resources;
        }
        let seeded = if config.seed_credentials {
            credentials::blueprints()
        } else {
            Vec::new()
        };
        for (seq, blueprint) in showcase
            .into_iter()
            .chain(seeded)
            .chain(fleet::fleet(config.fleet_size))
            .enumerate()
        {
            apps.insert(blueprint.name.clone(), AppRecord::new(blueprint, seq));
        }
        let feed = feed::Feed::new(&apps);
        let state = Arc::new(Mutex::new(State {
            sessions: Sessions::new(&users, config.session_lifetime),
            apps,
            requests: Vec::new(),
            logins_ok: 0,
            logins_failed: 0,
            connections: 0,
            delay: Duration::ZERO,
            fail_with: None,
            operation_time: config.operation_time,
            rollout_time: Duration::ZERO,
            feed,
            sse_keepalive: Duration::from_secs(15),
            faults: Vec::new(),
            idp: idp::Idp::new(config.sso_users),
            rbac: rbac::default_policies(),
            audit: Vec::new(),
            appsets: appsets::all()
                .into_iter()
                .chain(config.seed_credentials.then(credentials::applicationset))
                .collect(),
            seeded_credentials: config.seed_credentials,
            review_live: BTreeMap::new(),
            review_git: BTreeMap::new(),
            review_log_lines: Vec::new(),
            review_clusters: Vec::new(),
            review_repos: Vec::new(),
            app_links: vec![
                (
                    "Dashboard".into(),
                    "https://grafana.example.com/d/apps?var-app={{.app.metadata.name}}".into(),
                    "Golden signals of this app".into(),
                ),
                (
                    "Runbook".into(),
                    "https://wiki.example.com/runbooks/{{.app.spec.project}}".into(),
                    String::new(),
                ),
            ],
        }));
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        state.lock().unwrap_or_else(|e| e.into_inner()).idp.issuer =
            format!("http://{addr}{}", idp::PATH);
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                // As Argo CD's Go server does for every connection: an answer written in two
                // parts on a kept-alive connection must not wait for the client's delayed ACK.
                stream.set_nodelay(true).ok();
                shared.lock().unwrap_or_else(|e| e.into_inner()).connections += 1;
                let state = shared.clone();
                tokio::spawn(async move {
                    let service =
                        service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                            let state = state.clone();
                            async move {
                                match injected_fault(&state, &request) {
                                    Some(fault) if !fault.reaches_routes(request.uri().path()) => {
                                        faults::answer(fault).await
                                    }
                                    fault => routes::serve(&state, request, fault).await,
                                }
                            }
                        });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        tokio::spawn(controller(Arc::downgrade(&state)));
        Ok(StandIn { addr, state })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The state, to read or change; changes to apps made through it are published to the
    /// watch streams when it is released.
    pub fn state(&self) -> StateGuard<'_> {
        StateGuard::all(self.state.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The identity provider's issuer URL.
    pub fn issuer(&self) -> String {
        self.state().idp.issuer.clone()
    }

    /// Changes asked of apps so far, with who asked.
    pub fn audit(&self) -> Vec<rbac::AuditEvent> {
        self.state().audit.clone()
    }

    /// The audit as (user, `project/app`, allowed), for comparing in tests.
    pub fn audit_trail(&self) -> Vec<(String, String, bool)> {
        self.audit()
            .into_iter()
            .map(|e| (e.user, e.object, e.allowed))
            .collect()
    }

    /// Registers an MCP server in user mode at the identity provider: a confidential client
    /// `client_id` with `secret`, whose tokens are those issued for `resource`, allowed to
    /// exchange them for Argo CD's audience.
    pub fn trust_mcp_server(&self, client_id: &str, secret: &str, resource: &str) {
        self.state().idp.add_client(idp::Client {
            id: client_id.into(),
            secret: Some(secret.into()),
            redirect_uris: Vec::new(),
            audiences: vec![client_id.into(), resource.into()],
            may_exchange_for: vec![idp::ARGOCD_CLIENT.into()],
        });
    }

    /// The settings of a server in user mode against this stand-in, as registered by
    /// [`StandIn::trust_mcp_server`]: (setting, value); take `.env` or `.variable` of each.
    pub fn user_mode_settings(
        &self,
        client_id: &str,
        secret: &str,
        resource: &str,
    ) -> Vec<(&'static argocd_mcp::settings::SettingName, String)> {
        use argocd_mcp::settings as s;
        vec![
            (&s::ARGOCD_URL, self.url()),
            (&s::AUTH_MODE, "user".into()),
            (&s::MCP_RESOURCE_URL, resource.into()),
            (&s::OIDC_ISSUER, self.issuer()),
            (&s::OIDC_CLIENT_ID, client_id.into()),
            (&s::OIDC_CLIENT_SECRET, secret.into()),
        ]
    }

    /// A token of the identity provider for `user`, issued for `resource`, valid for an hour,
    /// with the scopes user mode asks for by default.
    pub fn user_token(&self, user: &str, resource: &str) -> String {
        let mut state = self.state();
        let claims = state
            .idp
            .claims_for(user, &[resource], 3600, "openid profile email groups");
        state.idp.sign(&claims)
    }

    pub fn rotate_signing_key(&self) {
        self.state().sessions.rotate_key();
    }

    /// TCP connections accepted so far.
    pub fn connection_count(&self) -> u64 {
        self.state().connections
    }

    pub fn login_count(&self) -> u64 {
        let state = self.state();
        state.logins_ok + state.logins_failed
    }

    pub fn requests(&self) -> Vec<SeenRequest> {
        self.state().requests.clone()
    }

    pub fn set_delay(&self, delay: Duration) {
        self.state().delay = delay;
    }

    /// Switches a fault on for the requests the rule matches.
    pub fn inject(&self, rule: FaultRule) {
        self.state().faults.push(rule);
    }

    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    pub fn set_fail_with(&self, status: Option<u16>) {
        self.state().fail_with = status;
    }

    pub fn set_session_lifetime(&self, lifetime: Option<Duration>) {
        self.state().sessions.session_lifetime = lifetime;
    }

    /// How the next operation on `app` will end.
    pub fn set_next_outcome(&self, app: &str, outcome: Outcome) {
        if let Some(record) = self.state().apps.get_mut(app) {
            record.next_outcome = outcome;
        }
    }

    pub fn api_token(&self, account: &str, lifetime: Option<Duration>) -> String {
        self.state().sessions.api_token(account, lifetime)
    }

    /// Adds an app made from `blueprint`, as if someone created it.
    pub fn add_app(&self, blueprint: Blueprint) {
        let mut state = self.state();
        let seq = state.apps.len();
        state.apps.insert(
            blueprint.name.clone(),
            AppRecord::new(blueprint, seq).created_anew(),
        );
    }

    /// Removes an app, as if someone deleted it (without cascade).
    pub fn remove_app(&self, name: &str) -> bool {
        self.state().apps.remove(name).is_some()
    }

    /// The app as `GET /api/v1/applications/{name}` would show it now.
    pub fn app(&self, name: &str) -> Option<Value> {
        let mut state = self.state();
        let timing = routes::Timing::of(&state);
        let record = state.apps.get_mut(name)?;
        routes::advance(record, timing);
        Some(record.app.clone())
    }

    /// Drift, as the controller finds it on its next reconcile: the app's sync status becomes
    /// `status` (`Synced`, `OutOfSync`), its resources following. False if there is no such app.
    pub fn set_sync_status(&self, app: &str, status: &str) -> bool {
        self.reconcile(app, |bp| bp.sync = status.into())
    }

    /// The app's health becomes `health` (`Healthy`, `Degraded`, `Progressing`, `Missing`…), its
    /// resources following, as when something in the cluster changes. False if there is no such
    /// app.
    pub fn set_health(&self, app: &str, health: &str) -> bool {
        self.reconcile(app, |bp| bp.health = health.into())
    }

    fn reconcile(&self, app: &str, change: impl FnOnce(&mut Blueprint)) -> bool {
        let mut state = self.state();
        let Some(record) = state.apps.get_mut(app) else {
            return false;
        };
        change(&mut record.blueprint);
        let bp = &record.blueprint;
        let now = fleet::rfc3339(auth::unix_now());
        let status = &mut record.app["status"];
        if status["health"]["status"] != bp.health.as_str() {
            status["health"] = serde_json::json!({"status": bp.health, "lastTransitionTime": now});
        }
        status["sync"]["status"] = bp.sync.clone().into();
        status["resources"] = fleet::resources(bp).into();
        status["reconciledAt"] = now.into();
        true
    }

    /// How long apps stay Progressing after a successful sync (see [`State::rollout_time`]).
    pub fn set_rollout_time(&self, time: Duration) {
        self.state().rollout_time = time;
    }

    /// Between the SSE form's keepalive lines (15 s, as Argo CD; shorter for tests).
    pub fn set_sse_keepalive(&self, every: Duration) {
        self.state().sse_keepalive = every;
    }

    /// Watch streams (`GET /api/v1/stream/applications`) open now: a client that leaves closes
    /// its own at once.
    pub fn open_watches(&self) -> usize {
        self.state().feed.open_watches()
    }

    /// The newest `metadata.resourceVersion` given to an app.
    pub fn resource_version(&self) -> u64 {
        self.state().feed.version()
    }
}

/// How often the controller looks at the operations and rollouts under way.
const CONTROLLER_TICK: Duration = Duration::from_millis(20);

/// The "controller": moves operations and rollouts on with time, whether or not anyone reads
/// the apps, and publishes each step, so a watch sees progress as it happens. Ends with the state.
async fn controller(state: std::sync::Weak<Mutex<State>>) {
    let mut tick = tokio::time::interval(CONTROLLER_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(state) = state.upgrade() else {
            return;
        };
        step_controller(&mut state.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// One step of the controller: the operations and rollouts under way move on, and what they
/// changed is published.
pub(crate) fn step_controller(s: &mut State) {
    let busy = s.busy();
    let timing = routes::Timing::of(s);
    for name in &busy {
        if let Some(record) = s.apps.get_mut(name) {
            routes::advance(record, timing);
        }
    }
    s.publish(busy);
}

/// The fault a test switched on for this request, if any; a request it keeps from the routes
/// is recorded here, as the routes record the others.
fn injected_fault<B>(state: &Arc<Mutex<State>>, request: &hyper::Request<B>) -> Option<Fault> {
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    let fault = faults::take(
        &mut s.faults,
        request.method().as_str(),
        request.uri().path(),
    )?;
    if !fault.reaches_routes(request.uri().path()) {
        let seen = SeenRequest::new(request.method(), request.uri(), request.headers(), b"");
        s.requests.push(seen);
    }
    Some(fault)
}

pub(crate) fn full(body: impl Into<Bytes>) -> Full<Bytes> {
    Full::new(body.into())
}
