//! Operations that change the cluster: sync and rollback. Both need `confirm: true`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Tool, app_path, check_name, mutating, require_confirmation};
use crate::argocd::model::Application;
use crate::argocd::{ArgoClient, ArgoError};
use crate::host::Host;
use crate::mcp::tool::Annotations;

/// One resource of a selective sync.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceRef {
    /// API group; empty or absent for core kinds (Service, ConfigMap…).
    #[serde(default)]
    pub group: String,
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncArgs {
    /// Application name, as list_argocd_apps shows it.
    pub app_name: String,
    /// Git revision (branch, tag, commit) or Helm chart version to sync to; default: the app's target revision.
    #[serde(default)]
    pub revision: Option<String>,
    /// Delete resources that are no longer in git.
    #[serde(default)]
    pub prune: bool,
    /// Show what would change without changing anything.
    #[serde(default)]
    pub dry_run: bool,
    /// Sync only these resources (a partial sync adds no history entry).
    #[serde(default)]
    pub resources: Option<Vec<ResourceRef>>,
    /// Namespace of the Application object, for apps outside Argo CD's own namespace.
    #[serde(default)]
    pub app_namespace: Option<String>,
    /// Must be true: confirms that the user agreed to this change.
    #[schemars(extend("const" = true))]
    pub confirm: bool,
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
}

pub struct SyncApp;

impl Tool for SyncApp {
    const NAME: &'static str = "sync_argocd_app";
    const TITLE: &'static str = "Sync application";
    const DESCRIPTION: &'static str = "Starts a sync of one application to its target revision (or `revision`), optionally pruning, as a dry run, or for selected resources only. Returns once Argo CD accepted it; follow progress with get_argocd_app_status. Ask the user first and pass confirm: true.";
    const ANNOTATIONS: Annotations = mutating(true, false);
    type Args = SyncArgs;
    type Output = OperationStarted;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: SyncArgs,
    ) -> Result<OperationStarted, ArgoError> {
        require_confirmation(Self::NAME, args.confirm)?;
        let (path, _) = app_path(&args.app_name, args.app_namespace.as_deref(), "/sync")?;
        let mut body = json!({"prune": args.prune, "dryRun": args.dry_run});
        if let Some(revision) = args.revision.as_deref().filter(|r| !r.trim().is_empty()) {
            body["revision"] = json!(revision.trim());
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
        if let Some(ns) = &args.app_namespace {
            body["appNamespace"] = json!(ns);
        }
        let app: Application = client
            .post(&path, &body, &format!("application '{}'", args.app_name))
            .await?;
        Ok(OperationStarted {
            app: app.metadata.name,
            operation: "sync".into(),
            dry_run: args.dry_run,
            prune: args.prune,
            revision: args.revision,
            history_id: None,
            resources: args.resources.as_ref().map(Vec::len),
            message: "Argo CD accepted the sync; it runs in the background. Poll get_argocd_app_status until operation.phase is Succeeded, Failed or Error, then check health.".into(),
        })
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RollbackArgs {
    /// Application name, as list_argocd_apps shows it.
    pub app_name: String,
    /// `id` of the history entry to go back to, from list_argocd_app_history.
    pub history_id: i64,
    /// Delete resources that the old revision does not have.
    #[serde(default)]
    pub prune: bool,
    /// Show what would change without changing anything.
    #[serde(default)]
    pub dry_run: bool,
    /// Namespace of the Application object, for apps outside Argo CD's own namespace.
    #[serde(default)]
    pub app_namespace: Option<String>,
    /// Must be true: confirms that the user agreed to this change.
    #[schemars(extend("const" = true))]
    pub confirm: bool,
}

pub struct RollbackApp;

impl Tool for RollbackApp {
    const NAME: &'static str = "rollback_argocd_app";
    const TITLE: &'static str = "Roll back application";
    const DESCRIPTION: &'static str = "Redeploys an earlier revision of one application from its history (ids from list_argocd_app_history). Argo CD refuses while auto-sync is on. Follow progress with get_argocd_app_status. Ask the user first and pass confirm: true.";
    const ANNOTATIONS: Annotations = mutating(true, false);
    type Args = RollbackArgs;
    type Output = OperationStarted;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: RollbackArgs,
    ) -> Result<OperationStarted, ArgoError> {
        require_confirmation(Self::NAME, args.confirm)?;
        if args.history_id < 0 {
            return Err(ArgoError::invalid_input(
                "history_id must be 0 or more: take it from list_argocd_app_history",
            ));
        }
        let (path, _) = app_path(&args.app_name, args.app_namespace.as_deref(), "/rollback")?;
        // Argo CD decodes `id` as int64: it must be a JSON number, never a string.
        let mut body = json!({"id": args.history_id, "prune": args.prune, "dryRun": args.dry_run});
        if let Some(ns) = &args.app_namespace {
            body["appNamespace"] = json!(ns);
        }
        let app: Application = client
            .post(&path, &body, &format!("application '{}'", args.app_name))
            .await?;
        Ok(OperationStarted {
            app: app.metadata.name,
            operation: "rollback".into(),
            dry_run: args.dry_run,
            prune: args.prune,
            revision: None,
            history_id: Some(args.history_id),
            resources: None,
            message: "Argo CD accepted the rollback; it runs in the background. Poll get_argocd_app_status until operation.phase is Succeeded, Failed or Error, then check health.".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeHost, reply, token_settings};

    #[test]
    fn sync_without_confirmation_sends_nothing() {
        let host = FakeHost::new(vec![]);
        let settings = token_settings();
        let client = ArgoClient::new(&host, &settings).unwrap();
        let args: SyncArgs = serde_json::from_str(r#"{"app_name":"web","confirm":false}"#).unwrap();
        let err = pollster::block_on(SyncApp::run(&client, args)).unwrap_err();
        assert!(err.to_string().contains("confirm"));
        assert!(host.requests().is_empty());
    }

    #[test]
    fn rollback_sends_the_id_as_a_number() {
        let host = FakeHost::new(vec![reply(200, r#"{"metadata":{"name":"web"}}"#)]);
        let settings = token_settings();
        let client = ArgoClient::new(&host, &settings).unwrap();
        let args: RollbackArgs =
            serde_json::from_str(r#"{"app_name":"web","history_id":3,"confirm":true}"#).unwrap();
        pollster::block_on(RollbackApp::run(&client, args)).unwrap();
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
        let client = ArgoClient::new(&host, &settings).unwrap();
        let args: SyncArgs = serde_json::from_str(
            r#"{"app_name":"web","confirm":true,"revision":"v2","resources":[{"kind":"Deployment","group":"apps","name":"web","namespace":"prod"}]}"#,
        )
        .unwrap();
        pollster::block_on(SyncApp::run(&client, args)).unwrap();
        let sent: Value = serde_json::from_slice(&host.requests()[0].body).unwrap();
        assert_eq!(sent["resources"][0]["kind"], "Deployment");
        assert_eq!(sent["revision"], "v2");
        assert_eq!(sent["dryRun"], false);
    }
}
