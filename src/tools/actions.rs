//! Resource actions: the operations Argo CD offers on a resource (restart a Deployment, …).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Tool, app_path, ensure_project_allowed, ensure_resource_allowed, mutating};
use crate::argocd::{ArgoClient, ArgoError};
use crate::host::Host;
use crate::mcp::tool::{Annotations, Progress};

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct ActionTarget {
        pub app_name: String,
        resource,
        app_namespace,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionsResponse {
    actions: Vec<ActionEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ActionEntry {
    name: String,
    disabled: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Actions {
    pub resource: String,
    /// Actions that can run now.
    pub available: Vec<String>,
    /// Actions that exist but are disabled in the resource's current state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabled: Vec<String>,
}

pub struct ListResourceActions;

impl Tool for ListResourceActions {
    const NAME: &'static str = "list_argocd_resource_actions";
    const TITLE: &'static str = "Resource actions";
    const DESCRIPTION: &'static str = "Actions Argo CD can run on one resource of an app (e.g. restart, pause, resume), and which are disabled now. Use it before run_argocd_resource_action.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = ActionTarget;
    type Output = Actions;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: ActionTarget,
        _progress: &dyn Progress,
    ) -> Result<Actions, ArgoError> {
        let resource = args.resource();
        let path = resource.path(
            &args.app_name,
            args.app_namespace.as_deref(),
            "/resource/actions",
        )?;
        let response: ActionsResponse =
            client.get(&path, &resource.subject(&args.app_name)).await?;
        let (disabled, available): (Vec<ActionEntry>, Vec<ActionEntry>) = response
            .actions
            .into_iter()
            .partition(|a| a.disabled == Some(true));
        Ok(Actions {
            resource: format!("{}/{}", args.kind, args.resource_name),
            available: available.into_iter().map(|a| a.name).collect(),
            disabled: disabled.into_iter().map(|a| a.name).collect(),
        })
    }
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct RunActionArgs {
        pub app_name: String,
        resource,
        app_namespace,
        /// The action, from list_argocd_resource_actions, e.g. restart.
        pub action: String,
        confirm,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ActionRun {
    pub resource: String,
    pub action: String,
    pub message: String,
}

pub struct RunResourceAction;

impl Tool for RunResourceAction {
    const NAME: &'static str = "run_argocd_resource_action";
    const TITLE: &'static str = "Run a resource action";
    const DESCRIPTION: &'static str = "Runs one Argo CD resource action on a resource of an app, e.g. restart a Deployment's pods. Changes the cluster: ask the user first.";
    const ANNOTATIONS: Annotations = mutating(true, false);
    type Args = RunActionArgs;
    type Output = ActionRun;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: RunActionArgs,
        _progress: &dyn Progress,
    ) -> Result<ActionRun, ArgoError> {
        let target = &args;
        target.resource().check()?;
        if args.action.is_empty()
            || !args
                .action
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ArgoError::invalid_input(
                "action must be a name from list_argocd_resource_actions, e.g. restart",
            ));
        }
        let (path, _) = app_path(
            &target.app_name,
            target.app_namespace.as_deref(),
            "/resource/actions/v2",
        )?;
        let project =
            ensure_project_allowed(client, &target.app_name, target.app_namespace.as_deref())
                .await?;
        ensure_resource_allowed(
            client,
            &target.app_name,
            target.app_namespace.as_deref(),
            &target.resource(),
        )
        .await?;
        let mut body = json!({
            "resourceName": target.resource_name,
            "kind": target.kind,
            "version": target.version.as_deref().unwrap_or("v1"),
            "group": target.group.as_deref().unwrap_or(""),
            "action": args.action,
        });
        if let Some(ns) = &target.namespace {
            body["namespace"] = json!(ns);
        }
        if let Some(ns) = &target.app_namespace {
            body["appNamespace"] = json!(ns);
        }
        if let Some(project) = project {
            body["project"] = json!(project);
        }
        let _: Value = client
            .post(&path, &body, &target.resource().subject(&target.app_name))
            .await?;
        Ok(ActionRun {
            resource: format!("{}/{}", target.kind, target.resource_name),
            action: args.action.clone(),
            message: "Argo CD ran the action; follow its effect with get_argocd_app_resource_tree or get_argocd_app_status.".into(),
        })
    }
}
