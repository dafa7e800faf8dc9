//! Operations that change the cluster: sync and rollback. Both need `confirm: true`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use std::time::Duration;

use super::operation_watch::{Judged, OperationWatch, Wake};
use super::project_guard::{allowed_app, project_of};
use super::{
    Deployed, Tool, app_path, check_name, ensure_project_allowed, ensure_sync_allowed, get_app,
    has_sources, mutating, pinned_revision,
};
use crate::argocd::error::ErrorKind;
use crate::argocd::model::Application;
use crate::argocd::{ArgoClient, ArgoError};
use crate::host::{Host, Method};
use crate::mcp::tool::{Annotations, Progress};

/// One resource of a selective sync.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceRef {
    /// Omit for core kinds (Service…).
    #[serde(default)]
    pub group: String,
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct SyncArgs {
        pub app_name: String,
        /// Branch, tag, commit or chart version to sync to (default: the app's target revision).
        #[serde(default)]
        pub revision: Option<String>,
        multi_source,
        /// Delete resources that are no longer in git.
        #[serde(default)]
        pub prune: bool,
        /// Change nothing; show what would change.
        #[serde(default)]
        pub dry_run: bool,
        /// Sync only these resources (a partial sync adds no history entry).
        #[serde(default)]
        pub resources: Option<Vec<ResourceRef>>,
        app_namespace,
        wait,
        confirm,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OperationStarted {
    pub app: String,
    /// "sync" or "rollback".
    pub operation: String,
    pub dry_run: bool,
    pub prune: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<usize>,
    /// What happens next and how to follow it.
    pub message: String,
    /// The outcome, when called with `wait`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<WaitOutcome>,
}

pub struct SyncApp;

impl Tool for SyncApp {
    const NAME: &'static str = "sync_argocd_app";
    const TITLE: &'static str = "Sync application";
    const DESCRIPTION: &'static str = "Syncs one app to its target revision (or `revision`), optionally pruning, as a dry run, or only some resources. Without `wait` it returns once Argo CD accepts it. Ask the user first.";
    const ANNOTATIONS: Annotations = mutating(true, false);
    type Args = SyncArgs;
    type Output = OperationStarted;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: SyncArgs,
        progress: &dyn Progress,
    ) -> Result<OperationStarted, ArgoError> {
        let (path, _) = app_path(&args.app_name, args.app_namespace.as_deref(), "/sync")?;
        let wait = args
            .wait
            .then(|| wait_limit(args.timeout_seconds))
            .transpose()?;
        let (name, namespace) = (args.app_name.as_str(), args.app_namespace.as_deref());
        let guarded = allowed_app(client, name, namespace).await?;
        let mut body = json!({"prune": args.prune, "dryRun": args.dry_run});
        if let Some(app) = &guarded {
            body["project"] = json!(project_of(app));
        }
        if let Some(revision) = args.revision.as_deref().filter(|r| !r.trim().is_empty()) {
            body["revision"] = json!(revision.trim());
        }
        match (&args.revisions, &args.source_positions) {
            (None, None) => {}
            (Some(revisions), Some(positions))
                if revisions.len() == positions.len() && !revisions.is_empty() =>
            {
                if args.revision.is_some() {
                    return Err(ArgoError::invalid_input(
                        "give revision (single-source) or revisions (multi-source), not both",
                    ));
                }
                if positions.iter().any(|p| *p < 1) {
                    return Err(ArgoError::invalid_input(
                        "source_positions are 1-based: the first source is 1",
                    ));
                }
                // Argo CD reads `revisions` only for an app of several sources and syncs any
                // other at its target revision as it is then: what the allow-list judged would
                // not be what it deploys ([`pinned_revision`]).
                if guarded.as_ref().is_some_and(|app| !has_sources(app)) {
                    return Err(ArgoError::invalid_input(format!(
                        "'{name}' has one source: give revision, not revisions and source_positions (Argo CD reads those only for an app of several sources). Nothing was sent to Argo CD."
                    )));
                }
                // int64 in Argo CD's API: JSON numbers, whatever the swagger says.
                body["revisions"] = json!(revisions);
                body["sourcePositions"] = json!(positions);
            }
            _ => {
                return Err(ArgoError::invalid_input(
                    "revisions and source_positions go together, one position per revision",
                ));
            }
        }
        if let Some(resources) = &args.resources {
            if resources.is_empty() {
                return Err(ArgoError::invalid_input(
                    "resources is empty: leave it out to sync the whole app, or name at least one resource",
                ));
            }
            for r in resources {
                check_name("resources[].name", &r.name)?;
                if let Some(ns) = &r.namespace {
                    check_name("resources[].namespace", ns)?;
                }
            }
            body["resources"] = serde_json::to_value(resources).unwrap_or(Value::Null);
        }
        let mut revision = args.revision;
        if let Some(app) = guarded.as_ref().filter(|_| !args.dry_run) {
            let deployed = Deployed::Sync(&body);
            let judged =
                ensure_sync_allowed(client, (name, namespace), app, args.prune, &deployed).await?;
            if let Some(pinned) = pinned_revision(app, &body, judged) {
                body["revision"] = json!(pinned);
                revision = Some(pinned);
            }
        }
        let (app, outcome) = start_operation(
            client,
            &args.app_name,
            args.app_namespace.as_deref(),
            &path,
            body,
            wait,
            progress,
        )
        .await?;
        Ok(OperationStarted {
            message: started_message("sync", outcome.as_ref()),
            outcome,
            app,
            operation: "sync".into(),
            dry_run: args.dry_run,
            prune: args.prune,
            revision,
            history_id: None,
            resources: args.resources.as_ref().map(Vec::len),
        })
    }
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct RollbackArgs {
        pub app_name: String,
        /// `id` of the history entry to go back to, from list_argocd_app_history.
        pub history_id: i64,
        /// Delete resources that the old revision does not have.
        #[serde(default)]
        pub prune: bool,
        /// Change nothing; show what would change.
        #[serde(default)]
        pub dry_run: bool,
        app_namespace,
        wait,
        confirm,
    }
}

pub struct RollbackApp;

impl Tool for RollbackApp {
    const NAME: &'static str = "rollback_argocd_app";
    const TITLE: &'static str = "Roll back application";
    const DESCRIPTION: &'static str = "Redeploys an earlier revision from the app's history (ids from list_argocd_app_history). Argo CD refuses while auto-sync is on. Ask the user first.";
    const ANNOTATIONS: Annotations = mutating(true, false);
    type Args = RollbackArgs;
    type Output = OperationStarted;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: RollbackArgs,
        progress: &dyn Progress,
    ) -> Result<OperationStarted, ArgoError> {
        if args.history_id < 0 {
            return Err(ArgoError::invalid_input(
                "history_id must be 0 or more: take it from list_argocd_app_history",
            ));
        }
        let (path, _) = app_path(&args.app_name, args.app_namespace.as_deref(), "/rollback")?;
        let wait = args
            .wait
            .then(|| wait_limit(args.timeout_seconds))
            .transpose()?;
        let (name, namespace) = (args.app_name.as_str(), args.app_namespace.as_deref());
        let guarded = allowed_app(client, name, namespace).await?;
        if let Some(app) = guarded.as_ref().filter(|_| !args.dry_run) {
            let deployed = Deployed::History(args.history_id);
            ensure_sync_allowed(client, (name, namespace), app, args.prune, &deployed).await?;
        }
        let project = guarded.as_ref().map(project_of);
        // Argo CD decodes `id` as int64: it must be a JSON number, never a string.
        let mut body = json!({"id": args.history_id, "prune": args.prune, "dryRun": args.dry_run});
        if let Some(project) = project {
            body["project"] = json!(project);
        }
        let (app, outcome) = start_operation(
            client,
            &args.app_name,
            args.app_namespace.as_deref(),
            &path,
            body,
            wait,
            progress,
        )
        .await?;
        Ok(OperationStarted {
            message: started_message("rollback", outcome.as_ref()),
            outcome,
            app,
            operation: "rollback".into(),
            dry_run: args.dry_run,
            prune: args.prune,
            revision: None,
            history_id: Some(args.history_id),
            resources: None,
        })
    }
}

/// What to tell the agent next: the outcome says it all after a wait; otherwise how to follow up.
fn started_message(operation: &str, outcome: Option<&WaitOutcome>) -> String {
    match outcome {
        Some(outcome) => format!(
            "The {operation} ended: {} (verdict {}). See `outcome`.",
            outcome.phase, outcome.verdict
        ),
        None => format!(
            "Argo CD accepted the {operation}; it runs in the background. Follow it with wait_for_argocd_operation (or poll get_argocd_app_status until operation.phase is Succeeded, Failed or Error, then check health)."
        ),
    }
}

/// Posts a sync or rollback and, when asked, waits for its outcome. Returns the app's name.
async fn start_operation<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    app_namespace: Option<&str>,
    path: &str,
    mut body: Value,
    wait: Option<Duration>,
    progress: &dyn Progress,
) -> Result<(String, Option<WaitOutcome>), ArgoError> {
    if let Some(ns) = app_namespace {
        body["appNamespace"] = json!(ns);
    }
    let app: Application = client
        .post(path, &body, &format!("application '{app_name}'"))
        .await?;
    let outcome = match wait {
        Some(limit) => Some(wait_for(client, app_name, app_namespace, limit, progress).await?),
        None => None,
    };
    Ok((app.metadata.name, outcome))
}

/// Default and longest wait.
pub const DEFAULT_WAIT_SECONDS: u32 = 120;
pub const MAX_WAIT_SECONDS: u32 = 600;
/// Pause before each poll: quick at first, then every few seconds.
const POLL_PAUSES_MS: &[u64] = &[250, 500, 1000, 2000, 3000];
/// The least time between two reads of the app, however often its watch says it changed (an
/// app flapping, or something in between replaying events, costs a read a second at most).
const LEAST_READ_GAP_MS: u64 = 1000;

fn wait_limit(timeout_seconds: Option<u32>) -> Result<Duration, ArgoError> {
    let seconds = timeout_seconds.unwrap_or(DEFAULT_WAIT_SECONDS);
    if seconds == 0 || seconds > MAX_WAIT_SECONDS {
        return Err(ArgoError::invalid_input(format!(
            "timeout_seconds must be between 1 and {MAX_WAIT_SECONDS} (got {seconds})"
        )));
    }
    Ok(Duration::from_secs(u64::from(seconds)))
}

/// How an operation ended, judged with the app's health.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WaitOutcome {
    /// healthy (the only success), degraded, progressing, suspended, missing, failed, or timed_out.
    pub verdict: String,
    /// True only for a Succeeded operation with a Healthy app.
    pub success: bool,
    /// Running, Terminating, Failed, Error or Succeeded.
    pub phase: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub health: String,
    pub sync: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// `Kind/namespace/name: message` of resources that failed (at most 20).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_resources: Vec<String>,
    pub timed_out: bool,
    pub polls: u32,
    pub waited_ms: u64,
}

/// Reads the app until its operation ends and its health settles, or the time is up. Between
/// reads it listens to the app's watch and reads again when the watch shows a change it judges
/// by (see [`super::operation_watch`]), telling progress every second meanwhile; where no watch
/// can be had it pauses a few seconds between reads.
pub async fn wait_for<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    app_namespace: Option<&str>,
    limit: Duration,
    progress: &dyn Progress,
) -> Result<WaitOutcome, ArgoError> {
    let host = client.host();
    let started = host.now_unix_ms();
    let limit_ms = limit.as_millis() as u64;
    let mut polls = 0u32;
    let mut told = 0u32;
    let mut watch = OperationWatch::new(client, app_name, app_namespace);
    loop {
        let app = get_app(client, app_name, app_namespace, &[]).await?;
        let read_at_ms = host.now_unix_ms();
        polls += 1;
        let waited_ms = host.now_unix_ms().saturating_sub(started);
        let state = app.status.operation_state.as_ref();
        let phase = state
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Unknown".into());
        let ended =
            app.operation.is_none() && matches!(phase.as_str(), "Succeeded" | "Failed" | "Error");
        let health = app
            .status
            .health
            .status
            .clone()
            .unwrap_or_else(|| "Unknown".into());
        let settled = ended && !(phase == "Succeeded" && health == "Progressing");
        let timed_out = !settled && waited_ms >= limit_ms;
        if settled || timed_out {
            let verdict = if !ended && timed_out {
                "timed_out".to_string()
            } else if phase != "Succeeded" {
                "failed".to_string()
            } else {
                health.to_ascii_lowercase()
            };
            let failed_resources = state
                .and_then(|s| s.sync_result.as_ref())
                .map(|r| {
                    r.resources
                        .iter()
                        .filter(|r| r.status.as_deref() == Some("SyncFailed"))
                        .take(20)
                        .map(|r| {
                            format!(
                                "{}/{}/{}: {}",
                                r.kind,
                                r.namespace,
                                r.name,
                                r.message.clone().unwrap_or_default()
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            return Ok(WaitOutcome {
                success: verdict == "healthy",
                verdict,
                message: state.and_then(|s| s.message.clone()),
                phase,
                health,
                sync: app.status.sync.status.unwrap_or_else(|| "Unknown".into()),
                revision: app.status.sync.revision,
                failed_resources,
                timed_out,
                polls,
                waited_ms,
            });
        }
        watch.learn_namespace(app.metadata.namespace.as_deref());
        let seen = Judged::of_app(&app);
        loop {
            let waited_ms = host.now_unix_ms().saturating_sub(started);
            told += 1;
            progress.report(
                f64::from(told),
                None,
                &format!("{phase} after {}s; health {health}", waited_ms / 1000),
            );
            if progress.cancelled() {
                return Err(ArgoError::new(
                    ErrorKind::Cancelled,
                    format!("stopped waiting for {app_name}: the client went away"),
                    "The operation itself goes on in Argo CD; wait_for_argocd_operation picks it up again.",
                ));
            }
            if waited_ms >= limit_ms {
                break;
            }
            match watch.next(&seen).await {
                Wake::Changed => {
                    let since_ms = host.now_unix_ms().saturating_sub(read_at_ms);
                    let left_ms = limit_ms.saturating_sub(waited_ms);
                    if since_ms < LEAST_READ_GAP_MS {
                        host.sleep(Duration::from_millis(
                            (LEAST_READ_GAP_MS - since_ms).min(left_ms),
                        ))
                        .await;
                    }
                    break;
                }
                Wake::Quiet => {}
                Wake::NoWatch => {
                    let pause = POLL_PAUSES_MS[(polls as usize - 1).min(POLL_PAUSES_MS.len() - 1)];
                    host.sleep(Duration::from_millis(pause.min(limit_ms - waited_ms)))
                        .await;
                    break;
                }
            }
        }
    }
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct WaitArgs {
        pub app_name: String,
        /// Longest wait in seconds (default 120, at most 600).
        #[serde(default)]
        pub timeout_seconds: Option<u32>,
        app_namespace,
    }
}

pub struct WaitForOperation;

impl Tool for WaitForOperation {
    const NAME: &'static str = "wait_for_argocd_operation";
    const TITLE: &'static str = "Wait for an operation";
    const DESCRIPTION: &'static str = "Waits until the app's running sync or rollback ends and its health settles (or a timeout); reports phase, message, failed resources and a verdict: Succeeded but Degraded is no success.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = WaitArgs;
    type Output = WaitOutcome;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: WaitArgs,
        progress: &dyn Progress,
    ) -> Result<WaitOutcome, ArgoError> {
        let limit = wait_limit(args.timeout_seconds)?;
        wait_for(
            client,
            &args.app_name,
            args.app_namespace.as_deref(),
            limit,
            progress,
        )
        .await
    }
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct TerminateArgs {
        pub app_name: String,
        app_namespace,
        confirm,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Terminated {
    pub app: String,
    pub message: String,
}

pub struct TerminateOperation;

impl Tool for TerminateOperation {
    const NAME: &'static str = "terminate_argocd_operation";
    const TITLE: &'static str = "Terminate the running operation";
    const DESCRIPTION: &'static str = "Stops the sync or rollback running on one app (it ends as Failed); resources already applied stay. Use it for a stuck sync. Ask the user first.";
    const ANNOTATIONS: Annotations = mutating(true, true);
    type Args = TerminateArgs;
    type Output = Terminated;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: TerminateArgs,
        _progress: &dyn Progress,
    ) -> Result<Terminated, ArgoError> {
        let (path, query) = app_path(&args.app_name, args.app_namespace.as_deref(), "/operation")?;
        let project =
            ensure_project_allowed(client, &args.app_name, args.app_namespace.as_deref()).await?;
        let query = query.add_opt("project", project.as_deref());
        let _: Value = client
            .call(
                Method::Delete,
                &format!("{path}{}", query.as_str()),
                None,
                &format!("application '{}'", args.app_name),
            )
            .await?;
        Ok(Terminated {
            app: args.app_name,
            message: "Argo CD is terminating the operation; it ends as Failed with \"Operation terminated\". Check with get_argocd_app_status.".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeHost, reply, token_settings};

    /// The dispatcher checks `confirm` for every change before the tool runs.
    #[test]
    fn sync_without_confirmation_sends_nothing() {
        let host = FakeHost::new(vec![]);
        let settings = token_settings();
        for arguments in [
            serde_json::json!({"app_name": "web", "confirm": false}),
            serde_json::json!({"app_name": "web"}),
        ] {
            let outcome = pollster::block_on(crate::tools::call(
                &host,
                crate::context::RequestContext::for_account(&settings),
                "sync_argocd_app",
                arguments,
                &crate::mcp::tool::NoProgress,
            ));
            let crate::mcp::tool::CallOutcome::ToolError(message) = outcome else {
                panic!("an unconfirmed sync must be refused");
            };
            assert!(message.contains("confirm"), "{message}");
        }
        assert!(host.requests().is_empty());
    }

    #[test]
    fn rollback_sends_the_id_as_a_number() {
        let host = FakeHost::new(vec![reply(200, r#"{"metadata":{"name":"web"}}"#)]);
        let settings = token_settings();
        let client = ArgoClient::new(
            &host,
            crate::context::RequestContext::for_account(&settings),
        )
        .unwrap();
        let args: RollbackArgs =
            serde_json::from_str(r#"{"app_name":"web","history_id":3,"confirm":true}"#).unwrap();
        pollster::block_on(RollbackApp::run(
            &client,
            args,
            &crate::mcp::tool::NoProgress,
        ))
        .unwrap();
        let sent: Value = serde_json::from_slice(&host.requests()[0].body).unwrap();
        assert_eq!(sent["id"], json!(3));
        assert!(
            host.requests()[0]
                .url
                .ends_with("/api/v1/applications/web/rollback")
        );
    }

    #[test]
    fn selective_sync_sends_resources() {
        let host = FakeHost::new(vec![reply(200, r#"{"metadata":{"name":"web"}}"#)]);
        let settings = token_settings();
        let client = ArgoClient::new(
            &host,
            crate::context::RequestContext::for_account(&settings),
        )
        .unwrap();
        let args: SyncArgs = serde_json::from_str(
            r#"{"app_name":"web","confirm":true,"revision":"v2","resources":[{"kind":"Deployment","group":"apps","name":"web","namespace":"prod"}]}"#,
        )
        .unwrap();
        pollster::block_on(SyncApp::run(&client, args, &crate::mcp::tool::NoProgress)).unwrap();
        let sent: Value = serde_json::from_slice(&host.requests()[0].body).unwrap();
        assert_eq!(sent["resources"][0]["kind"], "Deployment");
        assert_eq!(sent["revision"], "v2");
        assert_eq!(sent["dryRun"], false);
    }
}
