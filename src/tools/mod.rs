//! The Argo CD tools, one file per family. Each tool is a type implementing [`Tool`]: its argument
//! type both parses the call and produces the `inputSchema`, so the two cannot drift.

mod actions;
mod apps;
mod appsets;
mod history;
mod lifecycle;
mod links;
mod logs;
mod manifests;
mod operations;
mod platform;
mod project_guard;
mod resources;
pub mod wit;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::argocd::{ArgoClient, ArgoError, Query};
use crate::host::Host;
use crate::mcp::tool::{Annotations, CallOutcome, ParamHeader, Progress, ToolDefinition};
use crate::settings::Settings;

pub use actions::{ListResourceActions, RunResourceAction};
pub use apps::{GetAppStatus, ListApps, RefreshApp};
pub use appsets::{GetApplicationSet, ListApplicationSets, PreviewApplicationSet};
pub use history::ListAppHistory;
pub use lifecycle::{CreateApp, DeleteApp, DeleteResource, PatchApp};
pub use logs::GetAppLogs;
pub use manifests::{GetAppDiff, GetManifests, GetResource, GetRevisionMetadata, GetSyncWindows};
pub use operations::{RollbackApp, SyncApp, TerminateOperation, WaitForOperation};
pub use platform::{
    CanIQuery, GetCluster, GetProject, GetServerInfo, ListClusters, ListProjects, ListRepositories,
};
pub use project_guard::{
    check_project_allowed, ensure_patch_allowed, ensure_project_allowed, ensure_upsert_allowed,
    merge_patch, project_after_patch,
};
pub use resources::{GetAppEvents, GetResourceTree};

#[allow(async_fn_in_trait)]
pub trait Tool {
    const NAME: &'static str;
    const TITLE: &'static str;
    /// Tells an agent when to use the tool, not how it is built.
    const DESCRIPTION: &'static str;
    const ANNOTATIONS: Annotations;
    type Args: DeserializeOwned + JsonSchema;
    type Output: Serialize + JsonSchema;

    /// Runs the tool; long ones report through `progress`.
    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: Self::Args,
        progress: &dyn Progress,
    ) -> Result<Self::Output, ArgoError>;
}

/// Annotations of a tool that changes Argo CD.
pub const fn mutating(destructive: bool, idempotent: bool) -> Annotations {
    Annotations {
        read_only_hint: false,
        destructive_hint: destructive,
        idempotent_hint: idempotent,
        open_world_hint: true,
    }
}

/// Lists every tool once; the order is the order of `tools/list` and of the README table.
macro_rules! toolset {
    ($($tool:ty),* $(,)?) => {
        /// Definitions of the tools on offer: mutating ones are left out in read-only mode.
        pub fn definitions(read_only: bool) -> Vec<ToolDefinition> {
            let mut all = Vec::new();
            $(
                if !read_only || <$tool as Tool>::ANNOTATIONS.read_only_hint {
                    all.push(definition::<$tool>());
                }
            )*
            all
        }

        /// Every tool's signature, for the plugin's generated WIT and glue ([`wit`]).
        pub fn signatures() -> Vec<wit::Signature> {
            vec![$(wit::signature_of::<$tool>()),*]
        }

        /// A tool's output schema in full (every level, every `required`), as its answer type
        /// defines it; `tools/list` publishes an [`outline`] of it.
        pub fn exact_output_schema(name: &str) -> Option<Value> {
            $(
                if name == <$tool as Tool>::NAME {
                    return Some(exact_output_schema_of::<$tool>());
                }
            )*
            None
        }

        /// What to ask a person before the tool called `name` runs with `arguments`: only
        /// tools that change something, and only with arguments they accept (a call with bad
        /// arguments is refused without asking anyone).
        pub fn approval_question(name: &str, arguments: &Value) -> Option<String> {
            $(
                if name == <$tool as Tool>::NAME {
                    return approval_question_of::<$tool>(arguments);
                }
            )*
            None
        }

        /// Runs the tool called `name`.
        pub async fn call<H: Host>(
            host: &H,
            settings: &Settings,
            name: &str,
            arguments: Value,
            progress: &dyn Progress,
        ) -> CallOutcome {
            $(
                if name == <$tool as Tool>::NAME {
                    return invoke::<$tool, H>(host, settings, arguments, progress).await;
                }
            )*
            CallOutcome::UnknownTool(format!(
                "Unknown tool: {name:?}. Call tools/list for the tools this server offers."
            ))
        }
    };
}

toolset!(
    GetAppStatus,
    ListApps,
    ListAppHistory,
    RefreshApp,
    GetResourceTree,
    GetAppEvents,
    GetAppLogs,
    GetAppDiff,
    GetManifests,
    GetResource,
    ListResourceActions,
    GetRevisionMetadata,
    GetSyncWindows,
    links::ListAppLinks,
    ListApplicationSets,
    GetApplicationSet,
    PreviewApplicationSet,
    WaitForOperation,
    GetServerInfo,
    CanIQuery,
    ListProjects,
    GetProject,
    ListClusters,
    GetCluster,
    ListRepositories,
    SyncApp,
    RollbackApp,
    TerminateOperation,
    RunResourceAction,
    CreateApp,
    PatchApp,
    DeleteApp,
    DeleteResource,
);

/// Completions for the prompt arguments that name Argo CD objects (`app_name`, `project`), from
/// the default instance; nothing when it cannot be asked.
pub async fn complete<H: Host>(
    host: &H,
    settings: &Settings,
    argument: &str,
    prefix: &str,
) -> Vec<String> {
    let Ok(client) = ArgoClient::new(host, settings) else {
        return Vec::new();
    };
    let names = match argument {
        "app_name" => apps::app_names(&client, prefix).await,
        "project" => platform::project_names(&client, prefix).await,
        _ => return Vec::new(),
    };
    names.unwrap_or_default()
}

/// The argument every tool takes when several Argo CD instances are configured.
pub const PROFILE_ARGUMENT: &str = "profile";

/// 2026-07-28 clients mirror `profile` into `Mcp-Param-Profile`, so a gateway can route each
/// call to the right place (or audit which Argo CD it reaches) without reading the body.
pub const PROFILE_HEADER: ParamHeader = ParamHeader {
    argument: PROFILE_ARGUMENT,
    header: "Profile",
};

/// The mirrored arguments of every tool: `profile`, when there is a choice of instances.
pub fn param_headers(profile_names: &[&str]) -> Vec<ParamHeader> {
    if profile_names.len() < 2 {
        return Vec::new();
    }
    vec![PROFILE_HEADER]
}

/// Adds the optional `profile` argument, naming the configured instances, to every tool; with a
/// single instance the definitions stay as they are (and so does the size of `tools/list`).
pub fn with_profiles(mut definitions: Vec<ToolDefinition>, names: &[&str]) -> Vec<ToolDefinition> {
    if names.len() < 2 {
        return definitions;
    }
    let property = serde_json::json!({
        "type": "string",
        "enum": names,
        "description": format!("Argo CD instance to use (default {}).", names[0]),
        "x-mcp-header": PROFILE_HEADER.header,
    });
    for definition in &mut definitions {
        if let Some(properties) = definition.input_schema.get_mut("properties") {
            properties[PROFILE_ARGUMENT] = property.clone();
        } else {
            definition.input_schema["properties"] =
                serde_json::json!({ PROFILE_ARGUMENT: property.clone() });
        }
    }
    definitions
}

fn exact_output_schema_of<T: Tool>() -> Value {
    let mut output_schema = schema_of::<T::Output>();
    compact(&mut output_schema, false);
    output_schema
}

fn definition<T: Tool>() -> ToolDefinition {
    let mut input_schema = schema_of::<T::Args>();
    compact(&mut input_schema, true);
    let mut output_schema = exact_output_schema_of::<T>();
    outline(&mut output_schema, 0);
    ToolDefinition {
        name: T::NAME,
        title: T::TITLE,
        description: T::DESCRIPTION,
        input_schema,
        output_schema,
        annotations: T::ANNOTATIONS,
    }
}

/// Trims what `tools/list` repeats for every tool without telling a client anything it uses:
/// integer formats, defaults of `null`, `false` and `""` (what an absent field means anyway), `"null"` in the types of optional fields (absent fields are
/// never sent as null: every optional output field is skipped when empty), and, in output
/// schemas, field descriptions (the tool description and field names carry the meaning).
fn compact(schema: &mut Value, keep_descriptions: bool) {
    match schema {
        Value::Object(map) => {
            map.remove("format");
            if map.get("minimum") == Some(&Value::from(0)) {
                map.remove("minimum");
            }
            if matches!(map.get("default"), Some(Value::Null | Value::Bool(false)))
                || map.get("default").and_then(Value::as_str) == Some("")
            {
                map.remove("default");
            }
            if !keep_descriptions {
                map.remove("description");
            }
            if let Some(Value::Array(types)) = map.get("type") {
                let concrete: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                if concrete.len() == 1 {
                    map.insert("type".into(), concrete[0].clone());
                }
            }
            for value in map.values_mut() {
                compact(value, keep_descriptions);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| compact(v, keep_descriptions)),
        _ => {}
    }
}

/// The answer's shape as `tools/list` publishes it: the top level in full, the objects in it
/// without `required`, and anything deeper only as `{"type": "object"}`. Clients do not give output
/// schemas to the model (it reads the answer itself); they validate with them, and this outline
/// still validates every answer. It saves about 4 KB on every `tools/list`. The full schema stays
/// in `exact_output_schema` for tests that check answers field by field.
fn outline(schema: &mut Value, depth: usize) {
    let Value::Object(map) = schema else { return };
    if depth >= 2 && map.get("type").and_then(Value::as_str) == Some("object") {
        map.retain(|key, _| key == "type");
        return;
    }
    if depth > 0 {
        map.remove("required");
    }
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("properties", Value::Object(fields)) => fields
                .values_mut()
                .for_each(|field| outline(field, depth + 1)),
            ("items" | "additionalProperties", item) => outline(item, depth + 1),
            _ => {}
        }
    }
}

/// JSON Schema 2020-12 (MCP's default dialect), inlined, without the bytes clients never read.
pub fn schema_of<T: JsonSchema>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
        map.remove("title");
    }
    schema
}

/// The longest argument summary a person is shown; patches can be long.
const QUESTION_ARGUMENTS_MAX: usize = 600;

fn approval_question_of<T: Tool>(arguments: &Value) -> Option<String> {
    if T::ANNOTATIONS.read_only_hint {
        return None;
    }
    let mut shown = arguments.as_object().cloned().unwrap_or_default();
    shown.remove("confirm");
    let mut parsed = shown.clone();
    parsed.remove(PROFILE_ARGUMENT);
    parsed.insert("confirm".into(), Value::Bool(true));
    // The same deserializer as `invoke`, so the argument parsers are not compiled twice.
    serde_path_to_error::deserialize::<_, T::Args>(Value::Object(parsed)).ok()?;
    // A dry run changes nothing, so it needs nobody's yes. The arguments parsed, so this tool
    // has a dry run: every argument type refuses unknown fields (a test checks).
    if arguments.get("dry_run") == Some(&Value::Bool(true)) {
        return None;
    }
    let mut summary = Value::Object(shown).to_string();
    if summary.len() > QUESTION_ARGUMENTS_MAX {
        let mut cut = QUESTION_ARGUMENTS_MAX;
        while !summary.is_char_boundary(cut) {
            cut -= 1;
        }
        summary.truncate(cut);
        summary.push('…');
    }
    let effect = if T::ANNOTATIONS.destructive_hint {
        "It changes or removes what runs in the cluster."
    } else {
        "It changes Argo CD."
    };
    Some(format!(
        "An agent asks to run \"{}\" ({}) with {summary}. {effect} Approve?",
        T::TITLE,
        T::NAME
    ))
}

async fn invoke<T: Tool, H: Host>(
    host: &H,
    settings: &Settings,
    arguments: Value,
    progress: &dyn Progress,
) -> CallOutcome {
    if settings.read_only && !T::ANNOTATIONS.read_only_hint {
        return CallOutcome::UnknownTool(format!(
            "Tool {} is not offered: this server is read-only (ARGOCD_READ_ONLY / read_only is set)",
            T::NAME
        ));
    }
    let mut arguments = arguments;
    let profile = match arguments
        .as_object_mut()
        .and_then(|a| a.remove(PROFILE_ARGUMENT))
    {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => {
            return CallOutcome::ToolError(format!(
                "Invalid arguments for {}: profile must be a string",
                T::NAME
            ));
        }
    };
    let settings = match settings.for_profile(profile.as_deref()) {
        Ok(settings) => settings,
        Err(problem) => return CallOutcome::ToolError(problem),
    };
    let settings = &settings;
    let args: T::Args = match serde_path_to_error::deserialize(arguments) {
        Ok(args) => args,
        Err(e) => {
            let at = e.path().to_string();
            let e = if at == "." {
                e.into_inner().to_string()
            } else {
                format!("{at}: {}", e.into_inner())
            };
            return CallOutcome::ToolError(format!(
                "Invalid arguments for {}: {e}. The tool's inputSchema in tools/list lists every argument and its type.",
                T::NAME
            ));
        }
    };
    let client = match ArgoClient::new(host, settings) {
        Ok(client) => client,
        Err(e) => return CallOutcome::ToolError(e.to_string()),
    };
    match T::run(&client, args, progress).await {
        Ok(output) => match serde_json::to_value(output) {
            Ok(value) => CallOutcome::Success(value),
            Err(e) => CallOutcome::ToolError(format!("internal error serialising the answer: {e}")),
        },
        Err(e) => CallOutcome::ToolError(with_tool_hint(e).to_string()),
    }
}

/// The client's hints say what to do in Argo CD's terms; here they gain the tools that do it
/// (the client knows no tools).
fn with_tool_hint(error: ArgoError) -> ArgoError {
    use crate::argocd::error::ErrorKind;
    let tools = match error.kind {
        ErrorKind::OperationInProgress => {
            "wait_for_argocd_operation waits for it; terminate_argocd_operation stops it"
        }
        ErrorKind::NotFound | ErrorKind::NotFoundOrDenied => {
            "list_argocd_apps (and the other list tools) show the names; can_i_argocd checks the account's rights"
        }
        _ => return error,
    };
    let hint = format!("{} ({tools})", error.hint);
    error.with_hint(hint)
}

/// Rejects anything that is not a Kubernetes object name before it reaches a URL: no `/`, no `..`.
pub fn check_name(argument: &str, value: &str) -> Result<(), ArgoError> {
    let valid = !value.is_empty()
        && value.len() <= 253
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && value.as_bytes()[0].is_ascii_alphanumeric()
        && value.as_bytes()[value.len() - 1].is_ascii_alphanumeric()
        && !value.contains("..");
    if valid {
        Ok(())
    } else {
        Err(ArgoError::invalid_input(format!(
            "{argument} {value:?} is not a valid Kubernetes name: use 1-253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (names as list_argocd_apps shows them)"
        )))
    }
}

/// `/api/v1/applications/{name}` plus the `appNamespace` query for apps outside Argo CD's namespace.
pub fn app_path(
    name: &str,
    app_namespace: Option<&str>,
    suffix: &str,
) -> Result<(String, Query), ArgoError> {
    check_name("app_name", name)?;
    if let Some(ns) = app_namespace {
        check_name("app_namespace", ns)?;
    }
    Ok((
        format!(
            "/api/v1/applications/{}{suffix}",
            crate::argocd::client::encode(name)
        ),
        Query::new().add_opt("appNamespace", app_namespace),
    ))
}

/// One page of `items`: `(total, page, next_offset)`.
pub fn paginate<T>(items: Vec<T>, limit: usize, offset: usize) -> (usize, Vec<T>, Option<usize>) {
    let total = items.len();
    let offset = offset.min(total);
    let page: Vec<T> = items.into_iter().skip(offset).take(limit).collect();
    let end = offset + page.len();
    (total, page, (end < total).then_some(end))
}

/// `GET /api/v1/applications/{name}` (plus `appNamespace` and any `extra` query parameters).
pub async fn get_app<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    app_namespace: Option<&str>,
    extra: &[(&str, &str)],
) -> Result<crate::argocd::model::Application, ArgoError> {
    let (path, mut query) = app_path(app_name, app_namespace, "")?;
    for (key, value) in extra {
        query = query.add(key, value);
    }
    client
        .get(
            &format!("{path}{}", query.as_str()),
            &format!("application '{app_name}'"),
        )
        .await
}

/// Checks `limit`/`offset` and applies the defaults.
pub fn page_bounds(
    limit: Option<usize>,
    offset: Option<usize>,
    default: usize,
    max: usize,
) -> Result<(usize, usize), ArgoError> {
    let limit = limit.unwrap_or(default);
    if limit == 0 || limit > max {
        return Err(ArgoError::invalid_input(format!(
            "limit must be between 1 and {max} (got {limit}); page with offset instead"
        )));
    }
    Ok((limit, offset.unwrap_or(0)))
}

/// One resource of an app, named the way Argo CD's `…/resource*` endpoints take it.
pub struct ResourceSelector<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: Option<&'a str>,
    pub group: Option<&'a str>,
    /// Default v1.
    pub version: Option<&'a str>,
}

impl ResourceSelector<'_> {
    /// Refuses a name or namespace that is not a Kubernetes name.
    pub fn check(&self) -> Result<(), ArgoError> {
        check_name("resource_name", self.name)?;
        if let Some(ns) = self.namespace {
            check_name("namespace", ns)?;
        }
        Ok(())
    }

    /// `/api/v1/applications/{app}{suffix}` with the resource in the query, names checked.
    pub fn path(
        &self,
        app_name: &str,
        app_namespace: Option<&str>,
        suffix: &str,
    ) -> Result<String, ArgoError> {
        self.check()?;
        let (path, query) = app_path(app_name, app_namespace, suffix)?;
        let query = query
            .add("resourceName", self.name)
            .add("kind", self.kind)
            .add("version", self.version.unwrap_or("v1"))
            .add_opt("namespace", self.namespace)
            .add_opt("group", self.group);
        Ok(format!("{path}{}", query.as_str()))
    }

    /// How errors name it: `Kind name of application 'app'`.
    pub fn subject(&self, app_name: &str) -> String {
        format!("{} {} of application '{app_name}'", self.kind, self.name)
    }
}

/// Refuses a write unless the caller confirmed it: agents must ask their user first.
pub fn require_confirmation(tool: &str, confirm: bool) -> Result<(), ArgoError> {
    if confirm {
        Ok(())
    } else {
        Err(ArgoError::invalid_input(format!(
            "{tool} changes what runs in the cluster: tell the user what it will do, and call it again with \"confirm\": true once they agree"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_with_slashes_or_dots_are_refused() {
        for bad in [
            "", "a/b", "..", "../etc", "a..b", "UPPER", "-a", "a-", "a b", "a%2fb",
        ] {
            assert!(check_name("app_name", bad).is_err(), "{bad:?} accepted");
        }
        for good in ["a", "guestbook", "web-1.prod", "0app"] {
            check_name("app_name", good).unwrap();
        }
    }

    #[test]
    fn only_changes_need_approval_and_only_real_dry_runs_skip_it() {
        let sync = serde_json::json!({"app_name": "guestbook", "confirm": true});
        let question = approval_question("sync_argocd_app", &sync).expect("a sync is a change");
        assert!(question.contains("guestbook") && !question.contains("confirm"));
        let mut dry = sync.clone();
        dry["dry_run"] = Value::Bool(true);
        assert_eq!(approval_question("sync_argocd_app", &dry), None);
        // A tool without a dry run: claiming one is an unknown argument, which the call refuses
        // (nothing to ask about); without the claim it is a question like any change.
        let terminate = serde_json::json!({"app_name": "guestbook", "confirm": true});
        assert!(approval_question("terminate_argocd_operation", &terminate).is_some());
        let mut claimed = terminate.clone();
        claimed["dry_run"] = Value::Bool(true);
        assert_eq!(
            approval_question("terminate_argocd_operation", &claimed),
            None,
            "unknown field: refused by the call itself"
        );
        assert_eq!(
            approval_question(
                "get_argocd_app_status",
                &serde_json::json!({"app_name": "guestbook"})
            ),
            None
        );
    }

    #[test]
    fn every_tool_refuses_unknown_arguments() {
        for tool in definitions(false) {
            assert_eq!(
                tool.input_schema["additionalProperties"],
                Value::Bool(false),
                "{}: a typo must be an error, and a claimed dry run must not skip approval",
                tool.name
            );
        }
    }

    #[test]
    fn read_only_hides_mutating_tools() {
        let all: Vec<_> = definitions(false).iter().map(|d| d.name).collect();
        let read: Vec<_> = definitions(true).iter().map(|d| d.name).collect();
        assert!(all.contains(&"sync_argocd_app") && all.contains(&"rollback_argocd_app"));
        for name in [
            "sync_argocd_app",
            "rollback_argocd_app",
            "terminate_argocd_operation",
        ] {
            assert!(all.contains(&name) && !read.contains(&name), "{name}");
        }
        assert!(read.contains(&"get_argocd_app_status"));
    }

    #[test]
    fn schemas_come_from_the_argument_types() {
        for def in definitions(false) {
            assert_eq!(def.input_schema["type"], "object", "{}", def.name);
            assert_eq!(def.output_schema["type"], "object", "{}", def.name);
            assert!(def.input_schema.get("$schema").is_none());
            assert!(!def.description.is_empty());
        }
        let sync = definition::<SyncApp>();
        let required = sync.input_schema["required"].as_array().unwrap();
        assert!(required.contains(&Value::from("app_name")));
        assert!(required.contains(&Value::from("confirm")));
        assert_eq!(sync.input_schema["additionalProperties"], false);
    }

    #[test]
    fn published_output_schemas_outline_the_exact_ones() {
        for def in definitions(false) {
            let exact = exact_output_schema(def.name).unwrap();
            assert_eq!(
                def.output_schema["required"], exact["required"],
                "{}",
                def.name
            );
            let published: Vec<_> = def.output_schema["properties"]
                .as_object()
                .unwrap()
                .keys()
                .collect();
            let full: Vec<_> = exact["properties"].as_object().unwrap().keys().collect();
            assert_eq!(published, full, "{}", def.name);
        }
        let status = definition::<GetAppStatus>().output_schema;
        assert_eq!(
            status["properties"]["health"]["properties"]["status"]["type"],
            "string"
        );
        assert!(status["properties"]["health"].get("required").is_none());
        assert_eq!(
            status["properties"]["resources"]["properties"]["items"]["items"],
            json!({"type": "object"})
        );
        let exact = exact_output_schema("get_argocd_app_status").unwrap();
        assert_eq!(exact["properties"]["health"]["required"], json!(["status"]));
        assert!(exact_output_schema("no_such_tool").is_none());
    }
}
