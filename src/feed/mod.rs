//! The live change feed: applications as MCP resources (read = the tools' own answers), and
//! 2026-07-28 subscriptions to them, backed by Argo CD's watch ([`watch`]). A subscription
//! acts as its caller (in user mode Argo CD's RBAC decides what it sees), covers only apps of
//! the allowed projects, and ends when the caller's token expires or after [`MAX_LIFETIME`].

mod changes;
mod slots;
pub mod uris;
mod watch;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

use crate::argocd::ArgoClient;
use crate::context::RequestContext;
use crate::host::Host;
use crate::mcp::jsonrpc::{INVALID_PARAMS, RpcError};
use crate::mcp::library::resource_not_found;
use crate::mcp::subscriptions::{Agreed, Filter, Listener};
use crate::mcp::tool::{CallOutcome, NoProgress};

pub use uris::TEMPLATES;
use uris::{AppRef, FLEET};

/// The most apps one subscription names (each is read once when it opens).
pub const MAX_APPS_PER_SUBSCRIPTION: usize = 50;
/// A subscription ends after this long (the client listens again to go on), so no watch on
/// Argo CD outlives its purpose by much.
pub const MAX_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// Reads a resource of [`TEMPLATES`]: an app's status or the fleet's list, through the tools
/// (so every guard and the scrubber apply). `None` when `uri` is not one of them.
pub async fn read<H: Host>(
    host: &H,
    context: RequestContext<'_>,
    uri: &str,
) -> Option<Result<Value, RpcError>> {
    let (tool, arguments) = if uri == FLEET {
        ("list_argocd_apps", json!({}))
    } else {
        let app = AppRef::parse(uri)?;
        (
            "get_argocd_app_status",
            json!({"app_name": app.name, "app_namespace": app.namespace}),
        )
    };
    Some(
        match crate::tools::call(host, context, tool, arguments, &NoProgress).await {
            CallOutcome::Success(answer) => Ok(json!({"contents": [{
                "uri": uri, "mimeType": "application/json", "text": answer.to_string()
            }]})),
            CallOutcome::ToolError(message) | CallOutcome::UnknownTool(message) => {
                let mut error = resource_not_found(uri);
                error.message = format!("{uri}: {message}");
                Err(error)
            }
        },
    )
}

/// The part of `requested` this server honours: app and fleet URIs, and apps added or deleted
/// (tools and prompts never change while it runs, so those are left out). Its place under the
/// limits is taken first (see [`slots`]), before any app is read; then each app named is read
/// as the caller, and one that cannot be (unknown, not visible to the caller, outside the
/// allowed projects) refuses the subscription, saying which and why, and gives the place back.
pub async fn agree<H: Host>(
    host: &H,
    context: RequestContext<'_>,
    requested: &Filter,
) -> Result<Agreed, RpcError> {
    let invalid =
        |why: String| RpcError::new(INVALID_PARAMS, format!("subscriptions/listen: {why}"));
    let mut apps = BTreeSet::new();
    for uri in &requested.resource_subscriptions {
        if uri == FLEET {
            continue;
        }
        match AppRef::parse(uri) {
            Some(app) => {
                apps.insert(app);
            }
            None => {
                return Err(invalid(format!(
                    "{uri:?} is not a resource this server watches; subscribe to argocd://applications/{{namespace}}/{{name}} or {FLEET}"
                )));
            }
        }
    }
    if apps.len() > MAX_APPS_PER_SUBSCRIPTION {
        return Err(invalid(format!(
            "{} apps named; one subscription watches at most {MAX_APPS_PER_SUBSCRIPTION} (subscribe to {FLEET} for all)",
            apps.len()
        )));
    }
    if context
        .settings()
        .allowed_projects
        .as_ref()
        .is_some_and(Vec::is_empty)
    {
        return Err(invalid(
            "ARGOCD_ALLOWED_PROJECTS allows no project, so there is nothing to watch".into(),
        ));
    }
    let mut agreed = Filter {
        resources_list_changed: requested.resources_list_changed,
        ..Filter::default()
    };
    // As asked, once each.
    let mut kept = BTreeSet::new();
    for uri in &requested.resource_subscriptions {
        if kept.insert(uri.as_str()) {
            agreed.resource_subscriptions.push(uri.clone());
        }
    }
    // Nothing this server would send: acknowledged and closed at once, holding no place (it
    // would never be given back, since nothing listens).
    if agreed.is_empty() {
        return Ok(Agreed::default());
    }
    let slots = slots::Slots::of(host, context);
    let held = slots.take().map_err(invalid)?;
    for app in &apps {
        if let Err(refused) = watched_app(host, context, app).await {
            slots.release(held);
            return Err(invalid(format!("{}: {refused}", app.uri())));
        }
    }
    Ok(Agreed {
        filter: agreed,
        note: held.note(),
    })
}

/// Reads one app as the caller and checks its project is allowed.
async fn watched_app<H: Host>(
    host: &H,
    context: RequestContext<'_>,
    app: &AppRef,
) -> Result<(), String> {
    let client = ArgoClient::new(host, context).map_err(|e| e.to_string())?;
    let found = crate::tools::current_app(&client, &app.name, Some(&app.namespace))
        .await
        .map_err(|e| crate::tools::without_credentials(&e.to_string()).into_owned())?;
    let project = found
        .pointer("/spec/project")
        .and_then(Value::as_str)
        .unwrap_or("default");
    crate::tools::check_project_allowed(&client, project).map_err(|e| e.to_string())
}

/// Reports changes to what `agreed` names until the client leaves, the caller's token expires
/// or [`MAX_LIFETIME`] passes; then gives its place under the limits back.
pub async fn listen<H: Host>(
    host: &H,
    context: RequestContext<'_>,
    agreed: &Agreed,
    listener: &dyn Listener,
) {
    // Only a place this server's agreement took is given back (the note is ours to read).
    let Some(held) = slots::Held::from_note(&agreed.note) else {
        return;
    };
    let slots = slots::Slots::of(host, context);
    // Gives the place back when dropped: after the subscription ends, or when the host drops
    // this task because the client left.
    let holding = slots::Holding::new(&slots, held, listener);
    follow(host, context, &agreed.filter, &holding).await;
}

async fn follow<H: Host>(
    host: &H,
    context: RequestContext<'_>,
    agreed: &Filter,
    listener: &dyn Listener,
) {
    let Ok(client) = ArgoClient::new(host, context) else {
        return;
    };
    let watched = watch::Watched {
        // Inserted one by one: `collect` into a set sorts with a sort of its own (issue 16).
        apps: {
            let mut apps = std::collections::BTreeSet::new();
            for app in agreed
                .resource_subscriptions
                .iter()
                .filter_map(|uri| AppRef::parse(uri))
            {
                apps.insert(app);
            }
            apps
        },
        fleet: agreed.resources_list_changed
            || agreed.resource_subscriptions.iter().any(|u| u == FLEET),
        projects: context.settings().allowed_projects.clone(),
    };
    let lifetime_ms = u64::try_from(MAX_LIFETIME.as_millis()).unwrap_or(u64::MAX);
    let mut until_ms = host.now_unix_ms().saturating_add(lifetime_ms);
    if let Some(caller) = context.caller() {
        let expires_ms = u64::try_from(caller.expires_at_s)
            .unwrap_or(0)
            .saturating_mul(1000);
        until_ms = until_ms.min(expires_ms);
    }
    watch::follow(&client, &watched, until_ms, listener).await;
}
