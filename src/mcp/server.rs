//! MCP method dispatch: lifecycle (`initialize`, `ping`) and tools (`tools/list`, `tools/call`).
//! Stateless: every message stands alone, so any instance can answer any request.

use serde_json::{Value, json};

use super::jsonrpc::{self, INVALID_PARAMS, Incoming, METHOD_NOT_FOUND, RpcError};
use super::tool::{CallOutcome, ToolProvider};
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

pub async fn handle_message<P: ToolProvider>(info: &ServerInfo, tools: &P, body: &[u8]) -> Reply {
    match jsonrpc::parse(body) {
        Err((id, error)) => Reply::Message {
            body: jsonrpc::error(&id, &error),
            bad_request: true,
        },
        Ok(Incoming::Notification { .. } | Incoming::Response) => Reply::Accepted,
        Ok(Incoming::Request { id, method, params }) => {
            let body = match handle_request(info, tools, &method, params).await {
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
) -> Result<Value, RpcError> {
    match method {
        "initialize" => initialize(info, &params),
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
        "tools/call" => call_tool(tools, params).await,
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

fn initialize(info: &ServerInfo, params: &Value) -> Result<Value, RpcError> {
    let requested = params
        .get("protocolVersion")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            RpcError::new(
                INVALID_PARAMS,
                "initialize needs params.protocolVersion (a string such as \"2025-11-25\")",
            )
        })?;
    Ok(json!({
        "protocolVersion": negotiate(requested),
        "capabilities": { "tools": { "listChanged": false } },
        "serverInfo": { "name": info.name, "title": info.title, "version": info.version },
        "instructions": info.instructions,
    }))
}

async fn call_tool<P: ToolProvider>(tools: &P, params: Value) -> Result<Value, RpcError> {
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
    Ok(match tools.call(name, arguments).await {
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
        async fn call(&self, name: &str, arguments: Value) -> CallOutcome {
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
        match pollster::block_on(handle_message(&INFO, &Echo, body.as_bytes())) {
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

    #[test]
    fn unknown_methods_and_notifications() {
        assert_eq!(
            run(r#"{"jsonrpc":"2.0","id":"x","method":"resources/list"}"#)["error"]["code"],
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
