//! The plugin component for WASM MCP hosts: one typed export per tool, settings from the
//! environment, no key-value import (such hosts give none: a login lasts one call, so prefer
//! ARGOCD_TOKEN here).

use argocd_mcp::host::{
    Clock, HttpClient, HttpError, HttpRequest, HttpResponse, MemoryTokenStore, TokenStore,
};
use argocd_mcp::service;
use argocd_mcp::settings::Settings;
use argocd_mcp::tools::PROFILE_ARGUMENT;
use argocd_mcp_wasi_host::WasiHttp;
use serde_json::{Value, json};

#[allow(clippy::too_many_arguments)] // the generated exports take one argument per tool parameter
mod bindings {
    wit_bindgen::generate!({ path: "../../wit", world: "plugin" });
}

use bindings::{Guest, ResourceRef};

#[derive(Default)]
struct PluginHost {
    http: WasiHttp,
    tokens: MemoryTokenStore,
}

impl HttpClient for PluginHost {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        self.http.send(request).await
    }
}

impl TokenStore for PluginHost {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.tokens.get(key)
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        self.tokens.set(key, value)
    }
    fn delete(&self, key: &str) -> Result<(), String> {
        self.tokens.delete(key)
    }
}

impl Clock for PluginHost {
    fn now_unix_ms(&self) -> u64 {
        self.http.now_unix_ms()
    }
    async fn sleep(&self, duration: std::time::Duration) {
        self.http.sleep(duration).await
    }
}

/// Runs a tool by its MCP name with the typed arguments turned back into the JSON it parses.
fn run(profile: Option<String>, tool: &str, arguments: Value) -> Result<String, String> {
    // User mode is the server component's: a plugin acts with the account it is given.
    let settings = Settings::load(|name| {
        let server_only = argocd_mcp::settings::USER_MODE_SETTINGS
            .iter()
            .any(|s| s.env == name.env);
        (!server_only)
            .then(|| std::env::var(name.env).ok())
            .flatten()
    });
    let host = PluginHost::default();
    // Typed exports leave `null` for absent options; the tools treat absent and null alike.
    let mut arguments = match arguments {
        Value::Object(map) => map.into_iter().filter(|(_, v)| !v.is_null()).collect(),
        _ => serde_json::Map::new(),
    };
    if let Some(profile) = profile {
        arguments.insert(PROFILE_ARGUMENT.into(), Value::String(profile));
    }
    let arguments = Value::Object(arguments);
    wstd::runtime::block_on(service::call_tool(&host, &settings, tool, arguments))
}

struct Plugin;

impl Guest for Plugin {
    fn get_argocd_app_status(
        app_name: String,
        include_resources: Option<bool>,
        app_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "get_argocd_app_status",
            json!({"app_name": app_name, "include_resources": include_resources, "app_namespace": app_namespace}),
        )
    }

    #[allow(clippy::too_many_arguments)] // one argument per tool parameter, as the WIT declares
    fn list_argocd_apps(
        project: Option<String>,
        namespace: Option<String>,
        health_status: Option<String>,
        sync_status: Option<String>,
        selector: Option<String>,
        app_namespace: Option<String>,
        limit: Option<u32>,
        offset: Option<u32>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "list_argocd_apps",
            json!({
                "project": project, "namespace": namespace, "health_status": health_status,
                "sync_status": sync_status, "selector": selector, "app_namespace": app_namespace,
                "limit": limit, "offset": offset,
            }),
        )
    }

    fn list_argocd_app_history(
        app_name: String,
        app_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "list_argocd_app_history",
            json!({"app_name": app_name, "app_namespace": app_namespace}),
        )
    }

    #[allow(clippy::too_many_arguments)] // one argument per tool parameter, as the WIT declares
    fn sync_argocd_app(
        app_name: String,
        revision: Option<String>,
        revisions: Option<Vec<String>>,
        source_positions: Option<Vec<i64>>,
        prune: Option<bool>,
        dry_run: Option<bool>,
        resources: Option<Vec<ResourceRef>>,
        app_namespace: Option<String>,
        wait: Option<bool>,
        timeout_seconds: Option<u32>,
        confirm: bool,
        profile: Option<String>,
    ) -> Result<String, String> {
        let resources = resources.map(|list| {
            list.into_iter()
                .map(|r| json!({"group": r.group.unwrap_or_default(), "kind": r.kind, "name": r.name, "namespace": r.namespace}))
                .collect::<Vec<_>>()
        });
        run(
            profile,
            "sync_argocd_app",
            json!({
                "app_name": app_name, "revision": revision, "revisions": revisions,
                "source_positions": source_positions, "prune": prune, "dry_run": dry_run,
                "resources": resources, "app_namespace": app_namespace, "wait": wait,
                "timeout_seconds": timeout_seconds, "confirm": confirm,
            }),
        )
    }

    fn rollback_argocd_app(
        app_name: String,
        history_id: i64,
        prune: Option<bool>,
        dry_run: Option<bool>,
        app_namespace: Option<String>,
        wait: Option<bool>,
        timeout_seconds: Option<u32>,
        confirm: bool,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "rollback_argocd_app",
            json!({
                "app_name": app_name, "history_id": history_id, "prune": prune, "dry_run": dry_run,
                "app_namespace": app_namespace, "wait": wait, "timeout_seconds": timeout_seconds,
                "confirm": confirm,
            }),
        )
    }

    fn refresh_argocd_app(
        app_name: String,
        hard: Option<bool>,
        app_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "refresh_argocd_app",
            json!({"app_name": app_name, "hard": hard, "app_namespace": app_namespace}),
        )
    }

    fn get_argocd_app_resource_tree(
        app_name: String,
        kind: Option<String>,
        health: Option<String>,
        limit: Option<u32>,
        offset: Option<u32>,
        app_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "get_argocd_app_resource_tree",
            json!({
                "app_name": app_name, "kind": kind, "health": health, "limit": limit,
                "offset": offset, "app_namespace": app_namespace,
            }),
        )
    }

    fn get_argocd_app_events(
        app_name: String,
        resource_kind: Option<String>,
        resource_name: Option<String>,
        resource_namespace: Option<String>,
        limit: Option<u32>,
        app_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "get_argocd_app_events",
            json!({
                "app_name": app_name, "resource_kind": resource_kind, "resource_name": resource_name,
                "resource_namespace": resource_namespace, "limit": limit, "app_namespace": app_namespace,
            }),
        )
    }

    #[allow(clippy::too_many_arguments)] // one argument per tool parameter, as the WIT declares
    fn get_argocd_app_logs(
        app_name: String,
        pod_name: Option<String>,
        kind: Option<String>,
        resource_name: Option<String>,
        group: Option<String>,
        container: Option<String>,
        tail_lines: Option<u32>,
        since_seconds: Option<u32>,
        filter: Option<String>,
        previous: Option<bool>,
        max_lines: Option<u32>,
        max_bytes: Option<u32>,
        app_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "get_argocd_app_logs",
            json!({
                "app_name": app_name, "pod_name": pod_name, "kind": kind,
                "resource_name": resource_name, "group": group, "container": container,
                "tail_lines": tail_lines, "since_seconds": since_seconds, "filter": filter,
                "previous": previous, "max_lines": max_lines, "max_bytes": max_bytes,
                "app_namespace": app_namespace,
            }),
        )
    }

    fn wait_for_argocd_operation(
        app_name: String,
        timeout_seconds: Option<u32>,
        app_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "wait_for_argocd_operation",
            json!({"app_name": app_name, "timeout_seconds": timeout_seconds, "app_namespace": app_namespace}),
        )
    }

    fn get_argocd_server_info(profile: Option<String>) -> Result<String, String> {
        run(profile, "get_argocd_server_info", json!({}))
    }

    fn list_argocd_projects(
        limit: Option<u32>,
        offset: Option<u32>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "list_argocd_projects",
            json!({"limit": limit, "offset": offset}),
        )
    }

    fn list_argocd_clusters(
        limit: Option<u32>,
        offset: Option<u32>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "list_argocd_clusters",
            json!({"limit": limit, "offset": offset}),
        )
    }

    fn terminate_argocd_operation(
        app_name: String,
        app_namespace: Option<String>,
        confirm: bool,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "terminate_argocd_operation",
            json!({"app_name": app_name, "app_namespace": app_namespace, "confirm": confirm}),
        )
    }

    fn get_argocd_app_diff(
        app_name: String,
        kind: Option<String>,
        resource_name: Option<String>,
        include_unchanged: Option<bool>,
        limit: Option<u32>,
        app_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "get_argocd_app_diff",
            json!({
                "app_name": app_name, "kind": kind, "resource_name": resource_name,
                "include_unchanged": include_unchanged, "limit": limit, "app_namespace": app_namespace,
            }),
        )
    }

    #[allow(clippy::too_many_arguments)] // one argument per tool parameter, as the WIT declares
    fn get_argocd_resource(
        app_name: String,
        kind: String,
        resource_name: String,
        namespace: Option<String>,
        group: Option<String>,
        version: Option<String>,
        full: Option<bool>,
        app_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "get_argocd_resource",
            json!({
                "app_name": app_name, "kind": kind, "resource_name": resource_name,
                "namespace": namespace, "group": group, "version": version, "full": full,
                "app_namespace": app_namespace,
            }),
        )
    }

    fn list_argocd_resource_actions(
        app_name: String,
        kind: String,
        resource_name: String,
        namespace: Option<String>,
        group: Option<String>,
        version: Option<String>,
        app_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "list_argocd_resource_actions",
            json!({
                "app_name": app_name, "kind": kind, "resource_name": resource_name,
                "namespace": namespace, "group": group, "version": version,
                "app_namespace": app_namespace,
            }),
        )
    }

    fn get_argocd_revision_metadata(
        app_name: String,
        revision: String,
        source_index: Option<u32>,
        app_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "get_argocd_revision_metadata",
            json!({"app_name": app_name, "revision": revision, "source_index": source_index, "app_namespace": app_namespace}),
        )
    }

    fn get_argocd_sync_windows(
        app_name: String,
        app_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "get_argocd_sync_windows",
            json!({"app_name": app_name, "app_namespace": app_namespace}),
        )
    }

    fn can_i_argocd(
        resource: String,
        action: String,
        object: String,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "can_i_argocd",
            json!({"resource": resource, "action": action, "object": object}),
        )
    }

    fn list_argocd_repositories(
        limit: Option<u32>,
        offset: Option<u32>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "list_argocd_repositories",
            json!({"limit": limit, "offset": offset}),
        )
    }

    #[allow(clippy::too_many_arguments)] // one argument per tool parameter, as the WIT declares
    fn run_argocd_resource_action(
        app_name: String,
        kind: String,
        resource_name: String,
        namespace: Option<String>,
        group: Option<String>,
        version: Option<String>,
        app_namespace: Option<String>,
        action: String,
        confirm: bool,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "run_argocd_resource_action",
            json!({
                "app_name": app_name, "kind": kind, "resource_name": resource_name,
                "namespace": namespace, "group": group, "version": version,
                "app_namespace": app_namespace, "action": action, "confirm": confirm,
            }),
        )
    }

    fn list_argocd_applicationsets(
        project: Option<String>,
        selector: Option<String>,
        limit: Option<u32>,
        offset: Option<u32>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "list_argocd_applicationsets",
            json!({"project": project, "selector": selector, "limit": limit, "offset": offset}),
        )
    }

    fn get_argocd_applicationset(
        name: String,
        appset_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "get_argocd_applicationset",
            json!({"name": name, "appset_namespace": appset_namespace}),
        )
    }

    fn preview_argocd_applicationset(
        applicationset_json: String,
        profile: Option<String>,
    ) -> Result<String, String> {
        let applicationset: Value = serde_json::from_str(&applicationset_json).map_err(|e| {
            format!(
                "applicationset-json is not JSON ({e}); pass the ApplicationSet object as JSON text"
            )
        })?;
        run(
            profile,
            "preview_argocd_applicationset",
            json!({"applicationset": applicationset}),
        )
    }

    #[allow(clippy::too_many_arguments)] // one argument per tool parameter, as the WIT declares
    fn create_argocd_app(
        name: String,
        project: String,
        repo_url: String,
        path: Option<String>,
        chart: Option<String>,
        target_revision: Option<String>,
        dest_server: Option<String>,
        dest_name: Option<String>,
        dest_namespace: String,
        auto_sync: Option<bool>,
        prune: Option<bool>,
        self_heal: Option<bool>,
        create_namespace: Option<bool>,
        upsert: Option<bool>,
        app_namespace: Option<String>,
        confirm: bool,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "create_argocd_app",
            json!({
                "name": name, "project": project, "repo_url": repo_url, "path": path, "chart": chart,
                "target_revision": target_revision, "dest_server": dest_server, "dest_name": dest_name,
                "dest_namespace": dest_namespace, "auto_sync": auto_sync, "prune": prune,
                "self_heal": self_heal, "create_namespace": create_namespace, "upsert": upsert,
                "app_namespace": app_namespace, "confirm": confirm,
            }),
        )
    }

    fn patch_argocd_app(
        app_name: String,
        patch_json: String,
        app_namespace: Option<String>,
        confirm: bool,
        profile: Option<String>,
    ) -> Result<String, String> {
        let patch: Value = serde_json::from_str(&patch_json).map_err(|e| {
            format!("patch-json is not JSON ({e}); pass a merge patch as JSON text")
        })?;
        run(
            profile,
            "patch_argocd_app",
            json!({"app_name": app_name, "patch": patch, "app_namespace": app_namespace, "confirm": confirm}),
        )
    }

    fn delete_argocd_app(
        app_name: String,
        cascade: bool,
        propagation_policy: Option<String>,
        app_namespace: Option<String>,
        confirm: bool,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "delete_argocd_app",
            json!({
                "app_name": app_name, "cascade": cascade, "propagation_policy": propagation_policy,
                "app_namespace": app_namespace, "confirm": confirm,
            }),
        )
    }

    #[allow(clippy::too_many_arguments)] // one argument per tool parameter, as the WIT declares
    fn delete_argocd_resource(
        app_name: String,
        kind: String,
        resource_name: String,
        namespace: Option<String>,
        group: Option<String>,
        version: Option<String>,
        force: Option<bool>,
        orphan: Option<bool>,
        app_namespace: Option<String>,
        confirm: bool,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "delete_argocd_resource",
            json!({
                "app_name": app_name, "kind": kind, "resource_name": resource_name,
                "namespace": namespace, "group": group, "version": version, "force": force,
                "orphan": orphan, "app_namespace": app_namespace, "confirm": confirm,
            }),
        )
    }

    #[allow(clippy::too_many_arguments)] // one argument per tool parameter, as the WIT declares
    fn get_argocd_app_manifests(
        app_name: String,
        revision: Option<String>,
        revisions: Option<Vec<String>>,
        source_positions: Option<Vec<i64>>,
        include_objects: Option<bool>,
        limit: Option<u32>,
        app_namespace: Option<String>,
        profile: Option<String>,
    ) -> Result<String, String> {
        run(
            profile,
            "get_argocd_app_manifests",
            json!({
                "app_name": app_name, "revision": revision, "revisions": revisions,
                "source_positions": source_positions, "include_objects": include_objects,
                "limit": limit, "app_namespace": app_namespace,
            }),
        )
    }

    fn get_argocd_project(name: String, profile: Option<String>) -> Result<String, String> {
        run(profile, "get_argocd_project", json!({"name": name}))
    }

    fn get_argocd_cluster(cluster: String, profile: Option<String>) -> Result<String, String> {
        run(profile, "get_argocd_cluster", json!({"cluster": cluster}))
    }
}

bindings::export!(Plugin with_types_in bindings);
