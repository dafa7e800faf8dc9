//! The registry: what a tool is ([`Tool`]), the one list of them (`toolset!`), and how a call
//! reaches one — arguments parsed by the tool's own type, the read-only guard, the profile, and
//! errors turned into messages that name the tools to turn to.

use std::pin::Pin;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::guards::{Asked, approval_question_of, needs_approval_of};
use super::schema::{
    bare_definition, exact_output_schema_of, generated_schemas_of, published_definitions,
};
// The tool types the registry lists, and what the tools module shares.
use super::*;
use crate::argocd::{ArgoClient, ArgoError};
use crate::context::RequestContext;
use crate::host::Host;
use crate::mcp::tool::{Annotations, CallOutcome, Progress, ToolDefinition};

/// A tool: its name, words for the agent, annotations, argument and answer types, and `run`.
///
/// Every tool's `impl Tool` has the same shape (`duplicates` lists those headers), on purpose:
/// the constants and types are what a reader looks for, in the tool's own file, and a macro that
/// hid them would save lines, not meaning. What tools share beyond that is written once: argument
/// pieces (`arguments!`), the confirmation and read-only guards (here, in dispatch), paths and
/// paging.
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
                    all.push(bare_definition::<$tool>());
                }
            )*
            published_definitions(all)
        }

        /// Every tool's published schemas as its types generate them, in registry order (what
        /// `published_schemas.json` must hold).
        pub(crate) fn generated_schemas() -> Vec<(&'static str, Value)> {
            vec![$((<$tool as Tool>::NAME, generated_schemas_of::<$tool>())),*]
        }

        /// Every tool's argument names as its argument type's schema has them, uncompacted.
        #[cfg(test)]
        pub(crate) fn argument_names() -> Vec<(&'static str, Vec<String>)> {
            let names = |schema: Value| -> Vec<String> {
                schema["properties"]
                    .as_object()
                    .map(|p| p.keys().cloned().collect())
                    .unwrap_or_default()
            };
            vec![$((
                <$tool as Tool>::NAME,
                names(super::schema_of::<<$tool as Tool>::Args>()),
            )),*]
        }

        /// Every tool's signature, for the plugin's generated WIT and glue ([`ToolSignature`]).
        pub fn signatures() -> Vec<ToolSignature> {
            vec![$(ToolSignature::of::<$tool>()),*]
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

        /// Whether the tool called `name` waits for a person's yes before it runs with
        /// `arguments`: only tools that change something, and only with arguments they accept
        /// (a call with bad arguments is refused without asking anyone).
        pub fn needs_approval(name: &str, arguments: &Value) -> bool {
            asked_about(name, arguments).is_some()
        }

        /// The tool called `name`, when it waits for a person's yes before it runs with
        /// `arguments` (see [`needs_approval`]).
        fn asked_about(name: &str, arguments: &Value) -> Option<Asked> {
            $(
                if name == <$tool as Tool>::NAME {
                    return needs_approval_of::<$tool>(arguments).then(Asked::of::<$tool>);
                }
            )*
            None
        }

        /// What to ask a person before the tool called `name` runs with `arguments` (`None`:
        /// nothing to ask); `Err` refuses the call, saying why (see `guards`).
        pub async fn approval_question<H: Host>(
            host: &H,
            context: RequestContext<'_>,
            name: &str,
            arguments: &Value,
        ) -> Result<Option<String>, String> {
            match asked_about(name, arguments) {
                Some(tool) => approval_question_of(host, context, arguments, tool).await,
                None => Ok(None),
            }
        }

        /// Runs the tool called `name`.
        pub async fn call<H: Host>(
            host: &H,
            context: RequestContext<'_>,
            name: &str,
            arguments: Value,
            progress: &dyn Progress,
        ) -> CallOutcome {
            // Each tool's call is its own future, awaited in one place: the tools' code stays
            // in one function each, not in one state machine that moves all of them (issue 16).
            let call: Pin<Box<dyn Future<Output = CallOutcome> + '_>> = $(
                if name == <$tool as Tool>::NAME {
                    Box::pin(invoke::<$tool, H>(host, context, arguments, progress))
                } else
            )* {
                return CallOutcome::UnknownTool(format!(
                    "Unknown tool: {}. Call tools/list for the tools this server offers.",
                    super::arguments::quoted(name)
                ));
            };
            call.await
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
/// the request's Argo CD (the default instance); nothing when it cannot be asked.
pub async fn complete<H: Host>(
    host: &H,
    context: RequestContext<'_>,
    argument: &str,
    prefix: &str,
) -> Vec<String> {
    let Ok(client) = ArgoClient::new(host, context) else {
        return Vec::new();
    };
    let names = match argument {
        "app_name" => apps::app_names(&client, prefix).await,
        "project" => platform::project_names(&client, prefix).await,
        _ => return Vec::new(),
    };
    names.unwrap_or_default()
}

async fn invoke<T: Tool, H: Host>(
    host: &H,
    context: RequestContext<'_>,
    arguments: Value,
    progress: &dyn Progress,
) -> CallOutcome {
    // What every tool does alike is written once, in functions that are not generic over the tool
    // (each tool's copy of it would be machine code in every component: issue 16).
    let read_only_hint = T::ANNOTATIONS.read_only_hint;
    let (context, arguments, confirmed) = match admit(context, arguments, T::NAME, read_only_hint) {
        Ok(admitted) => admitted,
        Err(refused) => return refused,
    };
    let args: T::Args = match parse_arguments(&arguments) {
        Ok(args) => args,
        Err(e) => return invalid_arguments(T::NAME, &arguments, e),
    };
    let client = match connect(host, context, T::NAME, read_only_hint, confirmed) {
        Ok(client) => client,
        Err(refused) => return refused,
    };
    match T::run(&client, args, progress).await {
        Ok(output) => answered(T::NAME, serde_json::to_value(output)),
        Err(e) => CallOutcome::ToolError(with_tool_hint(e).to_string()),
    }
}

/// Before a tool's arguments are parsed: the read-only guard, the `profile` argument taken out
/// and the request aimed at it, and whether the caller confirmed (`confirm: true`).
#[inline(never)]
fn admit<'s>(
    context: RequestContext<'s>,
    arguments: Value,
    name: &str,
    read_only_hint: bool,
) -> Result<(RequestContext<'s>, Value, bool), CallOutcome> {
    if context.settings().read_only && !read_only_hint {
        return Err(CallOutcome::UnknownTool(format!(
            "Tool {name} is not offered: this server is read-only (ARGOCD_READ_ONLY / read_only is set)"
        )));
    }
    let mut arguments = arguments;
    let profile = match arguments
        .as_object_mut()
        .and_then(|a| a.remove(PROFILE_ARGUMENT))
    {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => {
            return Err(CallOutcome::ToolError(format!(
                "Invalid arguments for {name}: profile must be a string"
            )));
        }
    };
    let context = context
        .with_profile(profile.as_deref())
        .map_err(CallOutcome::ToolError)?;
    // Every change needs the caller's `confirm: true`: checked in `connect`, once for all of
    // them, after the arguments parsed (a typo is reported first).
    let confirmed = arguments.get("confirm") == Some(&Value::Bool(true));
    Ok((context, arguments, confirmed))
}

/// A tool's arguments as its type reads them. Objects are read as objects only
/// ([`crate::argocd::objects`]), as the input schemas say: an argument type is never read from
/// an array of its fields.
pub(super) fn parse_arguments<A: DeserializeOwned>(arguments: &Value) -> serde_json::Result<A> {
    A::deserialize(crate::argocd::objects::Objects(arguments))
}

/// Arguments the tool's type refused, and where: the first place they do not fit the tool's
/// published input schema ([`super::argument_fit`]), or serde's own words when they all fit (a
/// number out of its type's range).
#[inline(never)]
fn invalid_arguments(name: &str, arguments: &Value, e: serde_json::Error) -> CallOutcome {
    let (input_schema, _) = super::schema::published_schemas(name);
    let e = super::argument_fit::misfit(&input_schema, arguments).unwrap_or_else(|| e.to_string());
    CallOutcome::ToolError(format!(
        "Invalid arguments for {name}: {e}. The tool's inputSchema in tools/list lists every argument and its type."
    ))
}

/// After the arguments parsed: the confirmation a change needs, then the client.
#[inline(never)]
fn connect<'a, H: Host>(
    host: &'a H,
    context: RequestContext<'a>,
    name: &str,
    read_only_hint: bool,
    confirmed: bool,
) -> Result<ArgoClient<'a, H>, CallOutcome> {
    if !read_only_hint && let Err(refused) = super::guards::require_confirmation(name, confirmed) {
        return Err(CallOutcome::ToolError(refused.to_string()));
    }
    ArgoClient::new(host, context).map_err(|e| CallOutcome::ToolError(e.to_string()))
}

/// A tool's answer as JSON, unless it is too big to send.
#[inline(never)]
fn answered(name: &str, output: Result<Value, serde_json::Error>) -> CallOutcome {
    match output {
        // Measured on the tree (one serializer for every tool, not one per answer type).
        Ok(value) => match answer_bytes(&value) {
            bytes if bytes > MAX_ANSWER_BYTES => CallOutcome::ToolError(format!(
                "{name}'s answer would be {bytes} bytes, more than the {MAX_ANSWER_BYTES} an answer may hold (Argo CD sent something far larger than this tool expects: a field of megabytes); it was not sent. Narrow the request, or read the object in Argo CD itself.",
            )),
            _ => CallOutcome::Success(value),
        },
        Err(e) => CallOutcome::ToolError(format!("internal error serialising the answer: {e}")),
    }
}

/// The most bytes of one tool's answer. Tools answer in pages and summaries of a few KiB to a few
/// hundred; a bigger answer means Argo CD sent a field of megabytes, which no agent can use, and
/// which the MCP reply would hold several times over (text and structured content).
pub const MAX_ANSWER_BYTES: usize = 4 << 20;

/// The length of `output` as JSON, counted without writing it anywhere.
fn answer_bytes(output: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, output);
    count.0
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn every_change_takes_the_confirm_the_dispatcher_checks() {
        for tool in definitions(false) {
            let required = tool.input_schema["required"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let changes = !tool.annotations.read_only_hint;
            assert_eq!(
                required.contains(&Value::from("confirm")),
                changes,
                "{}: a change must require confirm, a read must not take it",
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
}
