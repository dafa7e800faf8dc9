//! MCP method dispatch: lifecycle (`initialize`, `ping`) and tools (`tools/list`, `tools/call`).
//! Stateless: every message stands alone, so any instance can answer any request.

use serde_json::{Value, json};

use std::cell::Cell;

use super::jsonrpc::{self, INVALID_PARAMS, Incoming, METHOD_NOT_FOUND, RpcError};
use super::library;
use super::tool::{CallOutcome, NoProgress, Progress, ToolProvider};
use super::{LATEST_VERSION, SUPPORTED_VERSIONS};

/// Who we are, as `initialize` tells it.
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
    /// A JSON-RPC response. `bad_request` marks envelope errors that HTTP answers with 400.
    Message { body: Value, bad_request: bool },
    /// A notification or a response: nothing to say.
    Accepted,
}

/// Takes messages the server sends before its answer (progress notifications).
pub trait MessageSink {
    fn send(&self, message: &Value);
}

/// Answers one message. With a `sink`, a `tools/call` that carries `_meta.progressToken` gets
/// its progress as notifications sent there before the answer.
pub async fn handle_message<P: ToolProvider>(
    info: &ServerInfo,
    tools: &P,
    body: &[u8],
    sink: Option<&dyn MessageSink>,
) -> Reply {
    match jsonrpc::parse(body) {
        Err((id, error)) => Reply::Message {
            body: jsonrpc::error(&id, &error),
            bad_request: true,
        },
        Ok(Incoming::Notification { .. } | Incoming::Response) => Reply::Accepted,
        Ok(Incoming::Request { id, method, params }) => {
            let body = match handle_request(info, tools, &method, params, sink).await {
                Ok(result) => jsonrpc::result(&id, result),
                Err(error) => jsonrpc::error(&id, &error),
            };
            Reply::Message {
                body,
                bad_request: false,
            }
        }
    }
}

async fn handle_request<P: ToolProvider>(
    info: &ServerInfo,
    tools: &P,
    method: &str,
    params: Value,
    sink: Option<&dyn MessageSink>,
) -> Result<Value, RpcError> {
    match method {
        "initialize" => initialize(info, &params, tools),
        "ping" => Ok(json!({})),
        "tools/list" => {
            if params.get("cursor").is_some_and(|c| !c.is_null()) {
                return Err(RpcError::new(
                    INVALID_PARAMS,
                    "Invalid cursor: tools/list has a single page; call it without a cursor",
                ));
            }
            Ok(json!({ "tools": tools.definitions() }))
        }
        "resources/list" => Ok(library::list_resources(tools.resources())),
        "resources/read" => library::read_resource(tools.resources(), &params),
        "resources/templates/list" => Ok(json!({"resourceTemplates": []})),
        "prompts/list" => Ok(library::list_prompts(tools.prompts())),
        "prompts/get" => library::get_prompt(tools.prompts(), &params),
        "tools/call" => {
            let token = progress_token(&params);
            match (sink, token) {
                (Some(sink), Some(token)) => {
                    let notifier = ProgressNotifier {
                        token,
                        sink,
                        last: Cell::new(0.0),
                    };
                    call_tool(tools, params, &notifier).await
                }
                _ => call_tool(tools, params, &NoProgress).await,
            }
        }
        other => Err(RpcError::new(
            METHOD_NOT_FOUND,
            format!("Method not found: {other}"),
        )),
    }
}

/// Answers with the client's version when we speak it, else with our latest (the client decides).
pub fn negotiate(requested: &str) -> &'static str {
    SUPPORTED_VERSIONS
        .iter()
        .find(|v| **v == requested)
        .copied()
        .unwrap_or(LATEST_VERSION)
}

fn initialize<P: ToolProvider>(
    info: &ServerInfo,
    params: &Value,
    tools: &P,
) -> Result<Value, RpcError> {
    let requested = params
        .get("protocolVersion")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            RpcError::new(
                INVALID_PARAMS,
                "initialize needs params.protocolVersion (a string such as \"2025-11-25\")",
            )
        })?;
    let mut capabilities = json!({ "tools": { "listChanged": false } });
    if !tools.resources().is_empty() {
        capabilities["resources"] = json!({ "listChanged": false, "subscribe": false });
    }
    if !tools.prompts().is_empty() {
        capabilities["prompts"] = json!({ "listChanged": false });
    }
    Ok(json!({
        "protocolVersion": negotiate(requested),
        "capabilities": capabilities,
        "serverInfo": { "name": info.name, "title": info.title, "version": info.version },
        "instructions": info.instructions,
    }))
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
        let mut params =
            json!({"progressToken": self.token, "progress": progress, "message": message});
        if let Some(total) = total {
            params["total"] = json!(total);
        }
        self.sink
            .send(&json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": params}));
    }
}

async fn call_tool<P: ToolProvider>(
    tools: &P,
    params: Value,
    progress: &dyn Progress,
) -> Result<Value, RpcError> {
    let Some(name) = params.get("name").and_then(Value::as_str) else {
        return Err(RpcError::new(
            INVALID_PARAMS,
            "tools/call needs params.name: the name of a tool from tools/list",
        ));
    };
    let arguments = match params.get("arguments") {
        None | Some(Value::Null) => json!({}),
        Some(args @ Value::Object(_)) => args.clone(),
        Some(_) => {
            return Err(RpcError::new(
                INVALID_PARAMS,
                "tools/call params.arguments must be a JSON object",
            ));
        }
    };
    Ok(match tools.call(name, arguments, progress).await {
        CallOutcome::Success(structured) => json!({
            "content": [{ "type": "text", "text": structured.to_string() }],
            "structuredContent": structured,
            "isError": false,
        }),
        CallOutcome::ToolError(message) => json!({
            "content": [{ "type": "text", "text": message }],
            "isError": true,
        }),
        CallOutcome::UnknownTool(message) => {
            return Err(RpcError::new(INVALID_PARAMS, message));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::tool::{Annotations, ToolDefinition};

    struct Echo;
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
        assert_eq!(future["result"]["protocolVersion"], LATEST_VERSION);
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
}
