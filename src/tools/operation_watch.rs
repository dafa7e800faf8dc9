//! Waiting for an operation by listening to the app's watch instead of reading it every few
//! seconds: the wait reads the app again only when the watch shows something it judges by
//! change (the operation's phase, whether an operation is pending, health, sync status), so a
//! sync that runs a minute costs a handful of requests instead of a read every 3 s, and its end
//! is heard within moments.

use std::time::Duration;

use serde_json::Value;

use crate::argocd::model::Application;
use crate::argocd::watch_stream::{self, Heard, Watch};
use crate::argocd::{ArgoClient, Query};
use crate::host::Host;

/// How often a quiet watch wakes to look at the clock and the client.
const WAKE: Duration = Duration::from_secs(1);
/// Read again after this long without a change heard anyway: a watch something in between holds
/// back (a buffering proxy) costs a read a while, never a wait to the end.
const MOST_QUIET_MS: u64 = 30 * 1000;
/// After this many watches failed to open or dropped, the wait reads every few seconds instead.
const MOST_FAILURES: u32 = 3;

/// Only what the wait judges by, so that the watch's many other events (a resource's status, a
/// reconcile's timestamps) wake nothing.
const FIELDS: &str = "result.type,result.application.metadata.name,result.application.metadata.namespace,result.application.operation,result.application.status.operationState.phase,result.application.status.health.status,result.application.status.sync.status";

/// What the wait judges an app by.
#[derive(Debug, PartialEq, Eq)]
pub struct Judged {
    phase: Option<String>,
    operation_pending: bool,
    health: Option<String>,
    sync: Option<String>,
}

impl Judged {
    pub fn of_app(app: &Application) -> Self {
        Judged {
            phase: app
                .status
                .operation_state
                .as_ref()
                .and_then(|s| s.phase.clone()),
            operation_pending: app.operation.is_some(),
            health: app.status.health.status.clone(),
            sync: app.status.sync.status.clone(),
        }
    }

    fn of_event(app: &Value) -> Self {
        let text = |path: &str| app.pointer(path).and_then(Value::as_str).map(str::to_owned);
        Judged {
            phase: text("/status/operationState/phase"),
            operation_pending: app.get("operation").is_some_and(|o| !o.is_null()),
            health: text("/status/health/status"),
            sync: text("/status/sync/status"),
        }
    }
}

/// What waiting on the watch came to.
pub enum Wake {
    /// The app changed in what the wait judges by (or went, or the watch dropped, or it has
    /// been quiet too long to trust): read it again.
    Changed,
    /// Nothing changed within a second: time to look at the clock and the client.
    Quiet,
    /// No watch can be had: pause and read, as without one.
    NoWatch,
}

/// The watch of one app, opened when first needed and again after a drop.
pub struct OperationWatch<'c, 'a, H: Host> {
    client: &'c ArgoClient<'a, H>,
    app_name: String,
    /// As the wait names it, else as the first read found it: without one, Argo CD's watch
    /// covers every namespace it serves apps in, and an event of a same-named app elsewhere must
    /// not count.
    app_namespace: Option<String>,
    query: Query,
    open: Option<Watch<H::Body>>,
    failures: u32,
    /// When the watch was last heard to change something, or last opened.
    quiet_since_ms: u64,
}

impl<'c, 'a, H: Host> OperationWatch<'c, 'a, H> {
    pub fn new(client: &'c ArgoClient<'a, H>, app_name: &str, app_namespace: Option<&str>) -> Self {
        OperationWatch {
            client,
            app_name: app_name.to_owned(),
            app_namespace: app_namespace.filter(|ns| !ns.is_empty()).map(str::to_owned),
            query: Query::new()
                .add("name", app_name)
                .add_opt("appNamespace", app_namespace)
                .add("fields", FIELDS),
            open: None,
            failures: 0,
            quiet_since_ms: 0,
        }
    }

    /// The namespace a read found the app in, when the wait named none.
    pub fn learn_namespace(&mut self, namespace: Option<&str>) {
        if self.app_namespace.is_none() {
            self.app_namespace = namespace.filter(|ns| !ns.is_empty()).map(str::to_owned);
        }
    }

    /// Waits on the watch for the app to differ from `seen`, a second at most.
    pub async fn next(&mut self, seen: &Judged) -> Wake {
        let host = self.client.host();
        if self.open.is_none() {
            if self.failures >= MOST_FAILURES {
                return Wake::NoWatch;
            }
            match watch_stream::open(self.client, self.query.as_str()).await {
                Ok(stream) => {
                    self.open = Some(Watch::new(stream, WAKE));
                    self.quiet_since_ms = host.now_unix_ms();
                }
                Err(_) => {
                    self.failures += 1;
                    return Wake::NoWatch;
                }
            }
        }
        let (app_name, app_namespace) = (self.app_name.as_str(), self.app_namespace.as_deref());
        let Some(watch) = self.open.as_mut() else {
            return Wake::NoWatch;
        };
        loop {
            match watch.next().await {
                Heard::Event(result) => {
                    if !is_about(app_name, app_namespace, &result["application"]) {
                        continue;
                    }
                    let deleted = result["type"] == "DELETED";
                    if deleted || Judged::of_event(&result["application"]) != *seen {
                        self.quiet_since_ms = host.now_unix_ms();
                        return Wake::Changed;
                    }
                }
                Heard::Quiet => {
                    let quiet_ms = host.now_unix_ms().saturating_sub(self.quiet_since_ms);
                    if quiet_ms >= MOST_QUIET_MS {
                        self.quiet_since_ms = host.now_unix_ms();
                        return Wake::Changed;
                    }
                    return Wake::Quiet;
                }
                Heard::Ended => {
                    self.open = None;
                    self.failures += 1;
                    return Wake::Changed;
                }
            }
        }
    }
}

/// Whether a watch event's app is the one waited for: its name and its namespace (an app read
/// without one counts only events without one: nothing else can be told apart from it).
fn is_about(name: &str, namespace: Option<&str>, app: &Value) -> bool {
    let text = |path: &str| app.pointer(path).and_then(Value::as_str);
    text("/metadata/name") == Some(name) && text("/metadata/namespace") == namespace
}
