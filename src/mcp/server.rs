//! MCP method dispatch for both eras. A request whose `_meta` names a 2026-07-28 version is served
//! statelessly by that revision (`server/discover`, `resultType`, cache hints, its error codes);
//! `initialize` and requests without that `_meta` get the handshake era (2025-11-25 and before).
//! Stateless either way: every message stands alone, so any instance can answer any request.

use serde_json::{Value, json};

use std::cell::Cell;

use super::approval::{self, APPROVAL_REQUEST, Verdict};
use super::jsonrpc::{self, INVALID_PARAMS, Incoming, METHOD_NOT_FOUND, RpcError};
use super::library::{self, RESOURCE_NOT_FOUND};
use super::request::{ClientRequest, Completion, CompletionTarget, ToolCall};
use super::results::{
    CallToolResult, Capabilities, CompleteResult, CompletionValues, DiscoverResult, Empty,
    Implementation, InitializeResult, ListChanged, ListToolsResult, ProgressNotification,
    ProgressParams, ResourceCapabilities, to_json,
};
use super::subscriptions::{Agreed, Filter, Notifier};
use super::tool::{CallOutcome, NoProgress, Progress, ToolProvider};
use super::{LATEST_LEGACY_VERSION, MODERN_VERSIONS, SUPPORTED_VERSIONS};

/// The HTTP headers disagree with the body, or a required one is missing (2026-07-28).
pub const HEADER_MISMATCH: i64 = -32020;
/// The request needs a client capability the client did not declare (2026-07-28).
pub const MISSING_CLIENT_CAPABILITY: i64 = -32021;
/// The requested protocol version is not one this server speaks (2026-07-28).
pub const UNSUPPORTED_VERSION: i64 = -32022;

pub const META_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
pub const META_CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
pub const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// How long clients may keep a list or a guide: they change only when the server is redeployed.
pub const CACHE_TTL_MS: u64 = 300_000;

/// Who we are, as `initialize` and `server/discover` tell it.
#[derive(Debug, Clone, Copy)]
pub struct ServerInfo {
    pub name: &'static str,
    pub title: &'static str,
    pub version: &'static str,
    pub instructions: &'static str,
}

/// The answer to one message, before a transport frames it.
#[derive(Debug, PartialEq)]
pub enum Reply {
    /// A JSON-RPC response, with the HTTP status the revision asks for (200, 400 or 404).
    Message { body: Value, http_status: u16 },
    /// A notification or a response: nothing to say.
    Accepted,
}

/// Takes messages the server sends before its answer (progress notifications).
pub trait MessageSink {
    fn send(&self, message: &Value);
    /// Whether nobody reads any more (the client closed the stream).
    fn is_closed(&self) -> bool {
        false
    }
    /// Sends something that is no message (an SSE comment) down a quiet stream: a transport
    /// learns that its client left only when it writes, and a subscription may be quiet for
    /// hours.
    fn keep_alive(&self) {}
}

/// Which revision governs one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Era {
    /// `initialize`, or a request without a modern `_meta` version: 2025-11-25 and before.
    Legacy,
    /// A request carrying `_meta` with a 2026-07-28 version and the client's capabilities.
    Modern {
        version: String,
        client_capabilities: Value,
    },
}

impl Era {
    /// Reads the era from a request, refusing modern requests that miss required `_meta` fields
    /// or name a version we do not speak.
    pub fn of(method: &str, params: &Value) -> Result<Era, RpcError> {
        if method == "initialize" {
            return Ok(Era::Legacy);
        }
        let Some(meta) = params.get("_meta").filter(|m| m.is_object()) else {
            return Ok(Era::Legacy);
        };
        let version = match meta.get(META_PROTOCOL_VERSION) {
            None => return Ok(Era::Legacy),
            Some(Value::String(version)) => version.as_str(),
            Some(_) => {
                return Err(RpcError::new(
                    INVALID_PARAMS,
                    format!("_meta[\"{META_PROTOCOL_VERSION}\"] must be a string"),
                ));
            }
        };
        if !SUPPORTED_VERSIONS.contains(&version) {
            return Err(unsupported_version(version));
        }
        if !MODERN_VERSIONS.contains(&version) {
            // A handshake-era version named per request: served like that era, statelessly.
            return Ok(Era::Legacy);
        }
        let client_capabilities = meta
            .get(META_CLIENT_CAPABILITIES)
            .filter(|c| c.is_object())
            .cloned()
            .ok_or_else(|| {
                RpcError::new(
                    INVALID_PARAMS,
                    format!(
                        "Invalid params: _meta[\"{META_CLIENT_CAPABILITIES}\"] (an object) is required with protocol version {version}"
                    ),
                )
            })?;
        Ok(Era::Modern {
            version: version.to_owned(),
            client_capabilities,
        })
    }

    pub fn is_modern(&self) -> bool {
        matches!(self, Era::Modern { .. })
    }
}

/// The -32022 error, with the versions a client may retry with.
pub fn unsupported_version(requested: &str) -> RpcError {
    RpcError::new(
        UNSUPPORTED_VERSION,
        format!("Unsupported protocol version {requested:?}"),
    )
    .with_data(json!({"supported": SUPPORTED_VERSIONS, "requested": requested}))
}

/// Answers one message body (parsed here). See [`answer_message`].
pub async fn handle_message<P: ToolProvider>(
    info: &ServerInfo,
    tools: &P,
    body: &[u8],
    sink: Option<&dyn MessageSink>,
) -> Reply {
    answer_message(info, tools, jsonrpc::parse(body), sink).await
}

/// Answers one message, read once by the transport. With a `sink`, a `tools/call` that carries
/// `_meta.progressToken` gets its progress as notifications sent there before the answer.
pub async fn answer_message<P: ToolProvider>(
    info: &ServerInfo,
    tools: &P,
    message: jsonrpc::Parsed,
    sink: Option<&dyn MessageSink>,
) -> Reply {
    match message {
        Err((id, error)) => Reply::Message {
            body: jsonrpc::error(&id, &error),
            http_status: 400,
        },
        Ok(Incoming::Notification { .. } | Incoming::Response) => Reply::Accepted,
        Ok(Incoming::Request { id, method, params }) => {
            let era = match Era::of(&method, &params) {
                Ok(era) => era,
                Err(error) => {
                    return Reply::Message {
                        body: jsonrpc::error(&id, &error),
                        http_status: 400,
                    };
                }
            };
            match handle_request(info, tools, &era, &id, &method, params, sink).await {
                Ok(mut result) => {
                    if era.is_modern() {
                        complete(&mut result, info, &method);
                    }
                    Reply::Message {
                        body: jsonrpc::result(&id, result),
                        http_status: 200,
                    }
                }
                Err(error) => Reply::Message {
                    http_status: if era.is_modern() {
                        modern_http_status(error.code)
                    } else {
                        200
                    },
                    body: jsonrpc::error(&id, &error),
                },
            }
        }
    }
}

/// What 2026-07-28 adds to every result: `resultType`, our identity, and cache hints on the
/// results it names as cacheable. The lists never vary by caller, so they may be shared.
fn complete(result: &mut Value, info: &ServerInfo, method: &str) {
    let Value::Object(fields) = result else {
        return;
    };
    // A result that asks for input already says so.
    fields
        .entry("resultType")
        .or_insert_with(|| json!("complete"));
    let meta = fields.entry("_meta").or_insert_with(|| json!({}));
    meta[META_SERVER_INFO] = to_json(&Implementation::from(info));
    if matches!(
        method,
        "server/discover"
            | "tools/list"
            | "prompts/list"
            | "resources/list"
            | "resources/templates/list"
            | "resources/read"
    ) {
        fields.insert("ttlMs".into(), json!(CACHE_TTL_MS));
        fields.insert("cacheScope".into(), json!("public"));
    }
}

/// 2026-07-28 binds some errors to HTTP statuses: an unknown method is a 404, the protocol's own
/// refusals are 400s. Everything else is an answer (200) like any other.
fn modern_http_status(code: i64) -> u16 {
    match code {
        METHOD_NOT_FOUND => 404,
        HEADER_MISMATCH | MISSING_CLIENT_CAPABILITY | UNSUPPORTED_VERSION => 400,
        _ => 200,
    }
}

async fn handle_request<P: ToolProvider>(
    info: &ServerInfo,
    tools: &P,
    era: &Era,
    id: &Value,
    method: &str,
    params: Value,
    sink: Option<&dyn MessageSink>,
) -> Result<Value, RpcError> {
    match ClientRequest::read(method, params, era)? {
        ClientRequest::Initialize { protocol_version } => Ok(to_json(&InitializeResult {
            protocol_version: negotiate(&protocol_version),
            capabilities: capabilities(tools, era),
            server_info: info.into(),
            instructions: info.instructions,
        })),
        ClientRequest::Ping => Ok(to_json(&Empty {})),
        ClientRequest::Discover => Ok(to_json(&DiscoverResult {
            supported_versions: SUPPORTED_VERSIONS,
            capabilities: capabilities(tools, era),
            instructions: info.instructions,
        })),
        ClientRequest::ListTools => Ok(to_json(&ListToolsResult {
            tools: tools.definitions(),
        })),
        ClientRequest::ListResources => Ok(library::list_resources(tools.resources())),
        ClientRequest::ReadResource { uri } => {
            read_any_resource(tools, &uri).await.map_err(|error| {
                // 2026-07-28 reports an unknown resource as invalid params.
                if era.is_modern() && error.code == RESOURCE_NOT_FOUND {
                    RpcError {
                        code: INVALID_PARAMS,
                        ..error
                    }
                } else {
                    error
                }
            })
        }
        ClientRequest::ListResourceTemplates => {
            Ok(library::list_resource_templates(tools.resource_templates()))
        }
        ClientRequest::ListPrompts => Ok(library::list_prompts(tools.prompts())),
        ClientRequest::GetPrompt { name, arguments } => tools.prompt(&name, &arguments),
        ClientRequest::Complete(completion) => complete_argument(tools, completion).await,
        ClientRequest::Listen(filter) => listen(tools, id, &filter, sink).await,
        ClientRequest::CallTool(call) => {
            if let Some(answer) = seek_approval(tools, era, &call).await? {
                return Ok(answer);
            }
            // One await of the call, whichever progress it reports to.
            let notifier;
            let progress: &dyn Progress = match (sink, call.progress_token.clone()) {
                (Some(sink), Some(token)) => {
                    notifier = ProgressNotifier {
                        token,
                        sink,
                        last: Cell::new(0.0),
                    };
                    &notifier
                }
                _ => &NoProgress,
            };
            call_tool(tools, call, progress).await
        }
    }
}

/// A guide, or a resource of one of the provider's templates.
async fn read_any_resource<P: ToolProvider>(tools: &P, uri: &str) -> Result<Value, RpcError> {
    if tools.resources().iter().any(|r| r.uri == uri) {
        return library::read_resource(tools.resources(), uri);
    }
    match tools.read_resource(uri).await {
        Some(read) => read,
        None => Err(library::resource_not_found(uri)),
    }
}

/// `subscriptions/listen`: acknowledged with what the provider agrees to, then its changes
/// until the client leaves; the result closes it when the provider ends it.
async fn listen<P: ToolProvider>(
    tools: &P,
    id: &Value,
    requested: &Filter,
    sink: Option<&dyn MessageSink>,
) -> Result<Value, RpcError> {
    let Some(sink) = sink else {
        return Err(needs_a_stream());
    };
    let agreed = tools.agree(requested).await?;
    Ok(follow(tools, id, &agreed, sink).await)
}

fn needs_a_stream() -> RpcError {
    RpcError::new(
        INVALID_PARAMS,
        "subscriptions/listen is answered as a stream of events: send it with Accept: text/event-stream",
    )
}

/// Acknowledges `agreed` on `sink`, reports the provider's changes until the client leaves or
/// the provider ends it; the result that closes the subscription.
async fn follow<P: ToolProvider>(
    tools: &P,
    id: &Value,
    agreed: &Agreed,
    sink: &dyn MessageSink,
) -> Value {
    let notifier = Notifier {
        id,
        agreed: &agreed.filter,
        sink,
    };
    notifier.acknowledge();
    if !agreed.filter.is_empty() {
        tools.listen(agreed, &notifier).await;
    }
    notifier.closing_result()
}

/// A `subscriptions/listen` the provider agreed to, before any of its stream is sent.
#[derive(Debug)]
pub struct Subscription {
    id: Value,
    agreed: Agreed,
}

/// When `message` is a `subscriptions/listen`: reads it and asks the provider what it agrees to,
/// so that a refusal (a malformed filter, a URI it cannot watch, a limit) is answered whole,
/// as an error, and a stream opens only for a subscription that will be served. `None` for
/// any other message.
pub async fn open_subscription<P: ToolProvider>(
    tools: &P,
    message: &jsonrpc::Parsed,
) -> Option<Result<Subscription, Reply>> {
    let Ok(Incoming::Request { id, method, params }) = message else {
        return None;
    };
    if method != "subscriptions/listen" {
        return None;
    }
    let refused = |error: RpcError, http_status: u16| Reply::Message {
        body: jsonrpc::error(id, &error),
        http_status,
    };
    let era = match Era::of(method, params) {
        Ok(era) => era,
        Err(error) => return Some(Err(refused(error, 400))),
    };
    let status = |error: &RpcError| {
        if era.is_modern() {
            modern_http_status(error.code)
        } else {
            200
        }
    };
    let requested = match ClientRequest::read(method, params.clone(), &era) {
        Ok(ClientRequest::Listen(requested)) => requested,
        Ok(_) => return None,
        Err(error) => {
            let http_status = status(&error);
            return Some(Err(refused(error, http_status)));
        }
    };
    Some(match tools.agree(&requested).await {
        Ok(agreed) => Ok(Subscription {
            id: id.clone(),
            agreed,
        }),
        Err(error) => {
            let http_status = status(&error);
            Err(refused(error, http_status))
        }
    })
}

/// Serves an agreed subscription on `sink`: the acknowledgment, the changes, and the result
/// that closes it gracefully when the provider ends it.
pub async fn run_subscription<P: ToolProvider>(
    info: &ServerInfo,
    tools: &P,
    subscription: Subscription,
    sink: &dyn MessageSink,
) {
    let Subscription { id, agreed } = subscription;
    let mut result = follow(tools, &id, &agreed, sink).await;
    complete(&mut result, info, "subscriptions/listen");
    sink.send(&jsonrpc::result(&id, result));
}

/// What the server offers, for `initialize` and `server/discover`. Subscriptions exist only in
/// 2026-07-28 (`subscriptions/listen`): the handshake era's `resources/subscribe` and its
/// notifications need a session, which this stateless server does not keep.
fn capabilities<P: ToolProvider>(tools: &P, era: &Era) -> Capabilities {
    let prompts = !tools.prompts().is_empty();
    let subscribes = era.is_modern() && tools.listens();
    let has_resources = !tools.resources().is_empty() || !tools.resource_templates().is_empty();
    Capabilities {
        tools: ListChanged {
            list_changed: false,
        },
        resources: has_resources.then_some(ResourceCapabilities {
            list_changed: subscribes,
            subscribe: subscribes,
        }),
        prompts: prompts.then_some(ListChanged {
            list_changed: false,
        }),
        completions: prompts.then_some(Empty {}),
    }
}

/// At most this many values per completion, as the spec allows.
const MAX_COMPLETIONS: usize = 100;

/// `completion/complete` for prompt arguments (this server has no resource templates).
async fn complete_argument<P: ToolProvider>(
    tools: &P,
    completion: Completion,
) -> Result<Value, RpcError> {
    let invalid = |why: &str| {
        Err(RpcError::new(
            INVALID_PARAMS,
            format!("completion/complete: {why}"),
        ))
    };
    let Completion {
        target,
        argument,
        prefix,
    } = completion;
    let values = match target {
        CompletionTarget::Resource(uri) => {
            let Some(template) = tools
                .resource_templates()
                .iter()
                .find(|t| t.uri_template == uri)
            else {
                return invalid(&format!(
                    "unknown resource template {uri:?}; see resources/templates/list"
                ));
            };
            match template.completions.iter().find(|(v, _)| *v == argument) {
                Some((_, completed_as)) => tools.complete(completed_as, &prefix).await,
                None => Vec::new(),
            }
        }
        CompletionTarget::Prompt(name) => {
            let Some(prompt) = tools.prompts().iter().find(|p| p.name == name) else {
                return invalid(&format!("unknown prompt {name:?}; see prompts/list"));
            };
            if !prompt.arguments.iter().any(|a| a.name == argument) {
                return invalid(&format!("prompt {name} has no argument {argument:?}"));
            }
            tools.complete(&argument, &prefix).await
        }
    };
    let total = values.len();
    let shown: Vec<String> = values.into_iter().take(MAX_COMPLETIONS).collect();
    Ok(to_json(&CompleteResult {
        completion: CompletionValues {
            values: shown,
            total,
            has_more: total > MAX_COMPLETIONS,
        },
    }))
}

/// Answers with the client's version when we speak it in the handshake era, else with our newest
/// handshake version (the client decides whether to go on).
pub fn negotiate(requested: &str) -> &'static str {
    SUPPORTED_VERSIONS
        .iter()
        .filter(|v| !MODERN_VERSIONS.contains(v))
        .find(|v| **v == requested)
        .copied()
        .unwrap_or(LATEST_LEGACY_VERSION)
}

/// `params._meta.progressToken`, when it is a string or an integer as the spec requires.
pub fn progress_token(params: &Value) -> Option<Value> {
    params
        .pointer("/_meta/progressToken")
        .filter(|t| t.is_string() || t.is_i64() || t.is_u64())
        .cloned()
}

/// Turns a tool's progress into `notifications/progress`, keeping `progress` increasing.
struct ProgressNotifier<'a> {
    token: Value,
    sink: &'a dyn MessageSink,
    last: Cell<f64>,
}

impl Progress for ProgressNotifier<'_> {
    fn report(&self, progress: f64, total: Option<f64>, message: &str) {
        if progress <= self.last.get() {
            return;
        }
        self.last.set(progress);
        self.sink
            .send(&to_json(&ProgressNotification::new(ProgressParams {
                progress_token: &self.token,
                progress,
                total,
                message,
            })));
    }

    fn cancelled(&self) -> bool {
        self.sink.is_closed()
    }
}

/// Asks a person to approve a call that needs it (see [`super::approval`]): returns the answer
/// to give instead of running the call, or `None` to run it.
async fn seek_approval<P: ToolProvider>(
    tools: &P,
    era: &Era,
    call: &ToolCall,
) -> Result<Option<Value>, RpcError> {
    let name = call.name.as_str();
    let arguments = &call.arguments;
    let question = match tools.approval_question(name, arguments).await {
        Ok(Some(question)) => question,
        Ok(None) => return Ok(None),
        Err(refusal) => return Ok(Some(tool_error(refusal))),
    };
    let Era::Modern {
        client_capabilities,
        ..
    } = era
    else {
        return Ok(Some(tool_error(format!(
            "{name} needs a person's approval, which this server asks for through the client \
             (elicitation) with MCP 2026-07-28; this request uses an earlier revision. Nothing \
             was changed."
        ))));
    };
    let ledger_failed = |why: String| {
        Some(tool_error(format!(
            "{name} needs a person's approval, but the approval record could not be kept ({why}); nothing was changed. Check the host's key-value store."
        )))
    };
    let Some(ledger) = tools.approvals() else {
        return Ok(ledger_failed("this server keeps no approval record".into()));
    };
    let answer = call
        .input_responses
        .as_ref()
        .and_then(|responses| responses.get(APPROVAL_REQUEST));
    let caller = tools.caller();
    match approval::judge(
        ledger,
        caller,
        name,
        arguments,
        &question,
        call.request_state.as_ref(),
        answer,
    )
    .await
    {
        Ok(Verdict::Approved) => return Ok(None),
        Ok(Verdict::Refused) => {
            return Ok(Some(tool_error(format!(
                "The person did not approve {name}. Nothing was changed."
            ))));
        }
        Ok(Verdict::AskAgain) => {}
        Err(why) => return Ok(ledger_failed(why)),
    }
    // An empty `elicitation` object means form mode, the one this question needs.
    let forms = client_capabilities
        .get("elicitation")
        .and_then(Value::as_object)
        .is_some_and(|modes| modes.is_empty() || modes.contains_key("form"));
    if !forms {
        return Err(RpcError::new(
            MISSING_CLIENT_CAPABILITY,
            format!(
                "{name} needs a person's approval: the client must declare the elicitation capability (form mode) to ask for it"
            ),
        )
        .with_data(json!({"requiredCapabilities": {"elicitation": {"form": {}}}})));
    }
    match approval::ask(ledger, caller, name, arguments, &question) {
        Ok(asked) => Ok(Some(asked)),
        Err(why) => Ok(ledger_failed(why)),
    }
}

fn tool_error(message: String) -> Value {
    to_json(&CallToolResult::error(message))
}

async fn call_tool<P: ToolProvider>(
    tools: &P,
    call: ToolCall,
    progress: &dyn Progress,
) -> Result<Value, RpcError> {
    Ok(
        match tools.call(&call.name, call.arguments, progress).await {
            CallOutcome::Success(structured) => to_json(&CallToolResult::answer(structured)),
            CallOutcome::ToolError(message) => tool_error(message),
            CallOutcome::UnknownTool(message) => {
                return Err(RpcError::new(INVALID_PARAMS, message));
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::tool::{Annotations, ToolDefinition};

    struct Echo;
    thread_local! {
        /// One ledger per test thread, so a spent approval stays spent across calls.
        static LEDGER: &'static crate::mcp::approval::memory::MemoryLedger =
            Box::leak(Box::default());
    }
    impl ToolProvider for Echo {
        fn definitions(&self) -> Vec<ToolDefinition> {
            vec![ToolDefinition {
                name: "echo",
                title: "Echo",
                description: "Echoes",
                input_schema: json!({"type": "object"}),
                output_schema: json!({"type": "object"}),
                annotations: Annotations::READ,
            }]
        }
        async fn call(&self, name: &str, arguments: Value, progress: &dyn Progress) -> CallOutcome {
            progress.report(1.0, Some(2.0), "half");
            progress.report(1.0, Some(2.0), "not again");
            progress.report(2.0, Some(2.0), "done");
            match (name, arguments.get("fail")) {
                ("echo", Some(_)) => CallOutcome::ToolError("asked to fail".into()),
                ("echo", None) => CallOutcome::Success(arguments),
                _ => CallOutcome::UnknownTool(format!("Unknown tool: {name}")),
            }
        }
        async fn approval_question(
            &self,
            _name: &str,
            arguments: &Value,
        ) -> Result<Option<String>, String> {
            Ok(arguments.get("guarded").map(|_| "Echo this?".to_string()))
        }
        fn approvals(&self) -> Option<&dyn crate::mcp::approval::ApprovalLedger> {
            Some(LEDGER.with(|ledger| *ledger))
        }
    }

    const INFO: ServerInfo = ServerInfo {
        name: "t",
        title: "T",
        version: "0",
        instructions: "",
    };

    fn run(body: &str) -> Value {
        match pollster::block_on(handle_message(&INFO, &Echo, body.as_bytes(), None)) {
            Reply::Message { body, .. } => body,
            Reply::Accepted => Value::Null,
        }
    }

    #[test]
    fn initialize_negotiates_known_versions_and_falls_back_to_latest() {
        let old = run(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}"#,
        );
        assert_eq!(old["result"]["protocolVersion"], "2025-03-26");
        let future = run(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2099-01-01"}}"#,
        );
        assert_eq!(future["result"]["protocolVersion"], LATEST_LEGACY_VERSION);
        let missing = run(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#);
        assert_eq!(missing["error"]["code"], INVALID_PARAMS);
    }

    #[test]
    fn tool_results_and_errors_take_their_two_shapes() {
        let ok = run(
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"a":1}}}"#,
        );
        assert_eq!(ok["result"]["structuredContent"]["a"], 1);
        assert_eq!(ok["result"]["content"][0]["text"], r#"{"a":1}"#);
        let failed = run(
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"fail":1}}}"#,
        );
        assert_eq!(failed["result"]["isError"], true);
        let unknown =
            run(r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nope"}}"#);
        assert_eq!(unknown["error"]["code"], INVALID_PARAMS);
        let bad_args = run(
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":[1]}}"#,
        );
        assert_eq!(bad_args["error"]["code"], INVALID_PARAMS);
    }

    struct Collect(std::cell::RefCell<Vec<Value>>);
    impl MessageSink for Collect {
        fn send(&self, message: &Value) {
            self.0.borrow_mut().push(message.clone());
        }
    }

    #[test]
    fn progress_goes_to_the_sink_only_when_asked_for() {
        let sink = Collect(Default::default());
        let with_token = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","_meta":{"progressToken":"t1"}}}"#;
        pollster::block_on(handle_message(&INFO, &Echo, with_token, Some(&sink)));
        let sent = sink.0.borrow();
        assert_eq!(sent.len(), 2, "repeated progress is dropped: {sent:?}");
        assert_eq!(sent[0]["params"]["progressToken"], "t1");
        assert_eq!(sent[1]["params"]["progress"], 2.0);
        drop(sent);
        let without = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}}"#;
        pollster::block_on(handle_message(&INFO, &Echo, without, Some(&sink)));
        assert_eq!(sink.0.borrow().len(), 2);
    }

    #[test]
    fn unknown_methods_and_notifications() {
        assert_eq!(
            run(r#"{"jsonrpc":"2.0","id":"x","method":"resources/subscribe"}"#)["error"]["code"],
            METHOD_NOT_FOUND
        );
        assert_eq!(
            run(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            Value::Null
        );
        assert_eq!(
            run(r#"{"jsonrpc":"2.0","id":5,"method":"ping"}"#)["result"],
            json!({})
        );
    }

    fn modern(method: &str, params: Value) -> (Value, u16) {
        modern_with(method, params, json!({}))
    }

    fn modern_with(method: &str, params: Value, capabilities: Value) -> (Value, u16) {
        let mut params = params;
        params["_meta"] = json!({
            META_PROTOCOL_VERSION: "2026-07-28",
            META_CLIENT_CAPABILITIES: capabilities,
            "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "1"}
        });
        answer(json!({"jsonrpc": "2.0", "id": 9, "method": method, "params": params}))
    }

    /// The answer to one request message, and its HTTP status.
    fn answer(body: Value) -> (Value, u16) {
        match pollster::block_on(handle_message(
            &INFO,
            &Echo,
            body.to_string().as_bytes(),
            None,
        )) {
            Reply::Message { body, http_status } => (body, http_status),
            Reply::Accepted => panic!("a request is answered"),
        }
    }

    #[test]
    fn modern_requests_get_result_type_server_info_and_cache_hints() {
        let (discover, status) = modern("server/discover", json!({}));
        assert_eq!(status, 200);
        let result = &discover["result"];
        assert_eq!(result["resultType"], "complete");
        assert_eq!(result["supportedVersions"][0], "2026-07-28");
        assert!(
            result["supportedVersions"]
                .as_array()
                .unwrap()
                .contains(&json!("2025-11-25"))
        );
        assert!(result["capabilities"]["tools"].is_object());
        assert_eq!(result["_meta"][META_SERVER_INFO]["name"], "t");
        assert_eq!(result["ttlMs"], CACHE_TTL_MS);
        assert_eq!(result["cacheScope"], "public");

        let (list, _) = modern("tools/list", json!({}));
        assert_eq!(list["result"]["ttlMs"], CACHE_TTL_MS);
        assert_eq!(list["result"]["tools"][0]["name"], "echo");

        let (call, status) = modern("tools/call", json!({"name": "echo", "arguments": {"a": 1}}));
        assert_eq!(status, 200);
        assert_eq!(call["result"]["resultType"], "complete");
        assert_eq!(call["result"]["structuredContent"]["a"], 1);
        assert!(
            call["result"].get("ttlMs").is_none(),
            "tool results are not cacheable"
        );
    }

    #[test]
    fn modern_refusals_carry_their_codes_and_statuses() {
        let (ping, status) = modern("ping", json!({}));
        assert_eq!(
            (ping["error"]["code"].as_i64(), status),
            (Some(METHOD_NOT_FOUND), 404)
        );
        let (unknown, status) = modern("tasks/list", json!({}));
        assert_eq!(
            (unknown["error"]["code"].as_i64(), status),
            (Some(METHOD_NOT_FOUND), 404)
        );
        let (missing, status) = modern("resources/read", json!({"uri": "nope://x"}));
        assert_eq!(
            (missing["error"]["code"].as_i64(), status),
            (Some(INVALID_PARAMS), 200)
        );

        let reply = answer;
        let (future, status) = reply(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list",
            "params": {"_meta": {META_PROTOCOL_VERSION: "2099-01-01", META_CLIENT_CAPABILITIES: {}}}}));
        assert_eq!(status, 400);
        assert_eq!(future["error"]["code"], UNSUPPORTED_VERSION);
        assert_eq!(future["error"]["data"]["requested"], "2099-01-01");
        assert_eq!(
            future["error"]["data"]["supported"],
            json!(SUPPORTED_VERSIONS)
        );
        let (no_capabilities, status) =
            reply(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list",
            "params": {"_meta": {META_PROTOCOL_VERSION: "2026-07-28"}}}));
        assert_eq!(status, 400);
        assert_eq!(no_capabilities["error"]["code"], INVALID_PARAMS);
        // Without `_meta`, the same methods answer as the handshake era does.
        let (legacy_ping, status) = reply(json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}));
        assert_eq!((legacy_ping["result"].clone(), status), (json!({}), 200));
        let (legacy_discover, status) =
            reply(json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover"}));
        assert_eq!(legacy_discover["error"]["code"], METHOD_NOT_FOUND);
        assert_eq!(status, 200);
        assert!(
            reply(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).0["result"]
                .get("resultType")
                .is_none()
        );
    }

    #[test]
    fn initialize_never_selects_the_stateless_revision() {
        let answer = run(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2026-07-28"}}"#,
        );
        assert_eq!(answer["result"]["protocolVersion"], LATEST_LEGACY_VERSION);
    }

    #[test]
    fn a_call_that_needs_approval_asks_the_person_through_the_client() {
        let call = json!({"name": "echo", "arguments": {"guarded": true}});
        // No elicitation capability: -32021, naming what is missing.
        let (refused, status) = modern("tools/call", call.clone());
        assert_eq!(status, 400);
        assert_eq!(refused["error"]["code"], MISSING_CLIENT_CAPABILITY);
        assert!(
            refused["error"]["data"]["requiredCapabilities"]
                .get("elicitation")
                .is_some()
        );
        let url_only = json!({"elicitation": {"url": {}}});
        let (refused, _) = modern_with("tools/call", call.clone(), url_only);
        assert_eq!(refused["error"]["code"], MISSING_CLIENT_CAPABILITY);

        // With it: an input_required result carrying a form, and the call has not run.
        let forms = json!({"elicitation": {}});
        let (asked, status) = modern_with("tools/call", call.clone(), forms.clone());
        assert_eq!(status, 200);
        let result = &asked["result"];
        assert_eq!(result["resultType"], "input_required");
        assert!(result.get("structuredContent").is_none());
        let request = &result["inputRequests"][APPROVAL_REQUEST];
        assert_eq!(request["method"], "elicitation/create");
        assert_eq!(request["params"]["message"], "Echo this?");
        assert_eq!(
            request["params"]["requestedSchema"]["required"],
            json!(["approve"])
        );

        // The retry carries the answer and the sealed state: yes runs it, anything else does not.
        let state = result["requestState"].clone();
        assert!(state.as_str().is_some_and(|s| s.starts_with("v1.")));
        let answered = |answer: Value, state: &Value| {
            let mut retry = call.clone();
            retry["inputResponses"] = json!({ APPROVAL_REQUEST: answer });
            retry["requestState"] = state.clone();
            modern_with("tools/call", retry, forms.clone()).0
        };
        let yes = json!({"action": "accept", "content": {"approve": true}});
        // A yes the server never asked for (no state) is asked again, never run.
        let self_granted = answered(yes.clone(), &Value::Null);
        assert_eq!(self_granted["result"]["resultType"], "input_required");
        let fresh_state = || {
            modern_with("tools/call", call.clone(), forms.clone()).0["result"]["requestState"]
                .clone()
        };
        for no in [
            json!({"action": "accept", "content": {"approve": false}}),
            json!({"action": "decline"}),
            json!({"action": "cancel"}),
        ] {
            let asked = fresh_state();
            let declined = answered(no.clone(), &asked);
            assert_eq!(declined["result"]["isError"], true, "{no}");
            assert!(declined["result"].get("structuredContent").is_none());
            // A no is final: a yes on the same state is asked again.
            let after = answered(yes.clone(), &asked);
            assert_eq!(after["result"]["resultType"], "input_required", "{no}");
        }
        let declined = answered(json!("yes"), &state);
        assert_eq!(declined["result"]["isError"], true);
        let state = fresh_state();
        let approved = answered(yes.clone(), &state);
        assert_eq!(approved["result"]["resultType"], "complete");
        assert_eq!(approved["result"]["structuredContent"]["guarded"], true);
        // One yes, one call.
        let replayed = answered(yes, &state);
        assert_eq!(replayed["result"]["resultType"], "input_required");

        // Earlier revisions cannot be asked mid-call here: refused, with the reason.
        let legacy = run(
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"guarded":1}}}"#,
        );
        assert_eq!(legacy["result"]["isError"], true);
        assert!(
            legacy["result"]["content"][0]["text"]
                .as_str()
                .unwrap()
                .contains("2026-07-28")
        );
        // Calls that need no approval are untouched.
        let plain = run(
            r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","arguments":{"a":1}}}"#,
        );
        assert_eq!(plain["result"]["isError"], false);
    }
}
