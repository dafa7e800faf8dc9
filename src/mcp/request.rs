//! What a client asks, read once from a JSON-RPC request into types: one variant per method this
//! server serves, the protocol's own parameters checked here, so dispatch is one `match` and no
//! handler digs in raw JSON for them. Tool arguments stay JSON: each tool reads its own.

use serde_json::{Map, Value};

use super::jsonrpc::{INVALID_PARAMS, METHOD_NOT_FOUND, RpcError};
use super::server::{Era, progress_token};

/// One request a client may send, by method.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientRequest {
    /// `initialize` (the handshake era's first request).
    Initialize {
        protocol_version: String,
    },
    /// `ping` (handshake era).
    Ping,
    /// `server/discover` (2026-07-28).
    Discover,
    /// `tools/list` (a single page: no cursor).
    ListTools,
    ListResources,
    ReadResource {
        uri: String,
    },
    ListResourceTemplates,
    ListPrompts,
    GetPrompt {
        name: String,
        /// The prompt's arguments as given; anything but an object gives none.
        arguments: Map<String, Value>,
    },
    /// `completion/complete`.
    Complete(Completion),
    /// `tools/call`.
    CallTool(ToolCall),
    /// `subscriptions/listen` (2026-07-28).
    Listen(super::subscriptions::Filter),
}

/// A completion request: which argument of what, and what has been typed so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub target: CompletionTarget,
    pub argument: String,
    pub prefix: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CompletionTarget {
    /// `ref/prompt` with the prompt's name.
    Prompt(String),
    /// `ref/resource` with the URI (template) whose variable is completed.
    Resource(String),
}

/// A tool call with what the protocol adds around the arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub name: String,
    /// Always an object (absent or null arguments are `{}`).
    pub arguments: Value,
    /// `_meta.progressToken`, when it is one the spec allows.
    pub progress_token: Option<Value>,
    /// 2026-07-28 multi-round-trip: the state a retry echoes and the answers it brings.
    pub request_state: Option<Value>,
    pub input_responses: Option<Value>,
}

impl ClientRequest {
    /// Reads `method` and its `params` as the request they make in `era`; unknown methods, and
    /// methods of the other era, are not found.
    pub fn read(method: &str, params: Value, era: &Era) -> Result<ClientRequest, RpcError> {
        let mut params = match params {
            Value::Object(fields) => fields,
            _ => Map::new(),
        };
        let text = |params: &Map<String, Value>, field: &str| {
            params.get(field).and_then(Value::as_str).map(str::to_owned)
        };
        Ok(match (method, era) {
            ("initialize", _) => ClientRequest::Initialize {
                protocol_version: text(&params, "protocolVersion").ok_or_else(|| {
                    invalid(
                        "initialize needs params.protocolVersion (a string such as \"2025-11-25\")",
                    )
                })?,
            },
            ("ping", Era::Legacy) => ClientRequest::Ping,
            ("server/discover", Era::Modern { .. }) => ClientRequest::Discover,
            ("tools/list", _) => {
                if params.get("cursor").is_some_and(|c| !c.is_null()) {
                    return Err(invalid(
                        "Invalid cursor: tools/list has a single page; call it without a cursor",
                    ));
                }
                ClientRequest::ListTools
            }
            ("resources/list", _) => ClientRequest::ListResources,
            ("resources/read", _) => ClientRequest::ReadResource {
                uri: text(&params, "uri")
                    .ok_or_else(|| invalid("resources/read needs params.uri"))?,
            },
            ("resources/templates/list", _) => ClientRequest::ListResourceTemplates,
            ("prompts/list", _) => ClientRequest::ListPrompts,
            ("prompts/get", _) => ClientRequest::GetPrompt {
                name: text(&params, "name")
                    .ok_or_else(|| invalid("prompts/get needs params.name"))?,
                arguments: match params.remove("arguments") {
                    Some(Value::Object(arguments)) => arguments,
                    _ => Map::new(),
                },
            },
            ("completion/complete", _) => ClientRequest::Complete(completion(&params)?),
            ("tools/call", _) => ClientRequest::CallTool(tool_call(params)?),
            ("subscriptions/listen", Era::Modern { .. }) => {
                ClientRequest::Listen(super::subscriptions::Filter::read(&params)?)
            }
            (other, _) => {
                return Err(RpcError::new(
                    METHOD_NOT_FOUND,
                    format!("Method not found: {other}"),
                ));
            }
        })
    }
}

fn invalid(message: impl Into<String>) -> RpcError {
    RpcError::new(INVALID_PARAMS, message)
}

fn completion(params: &Map<String, Value>) -> Result<Completion, RpcError> {
    let params = Value::Object(params.clone());
    let field = |pointer: &str| params.pointer(pointer).and_then(Value::as_str);
    let (Some(kind), Some(argument), Some(prefix)) = (
        field("/ref/type"),
        field("/argument/name"),
        field("/argument/value"),
    ) else {
        return Err(invalid(
            "completion/complete: needs ref.type, argument.name and argument.value",
        ));
    };
    let target = match kind {
        "ref/prompt" => CompletionTarget::Prompt(field("/ref/name").unwrap_or("").to_owned()),
        "ref/resource" => CompletionTarget::Resource(field("/ref/uri").unwrap_or("").to_owned()),
        other => {
            return Err(invalid(format!(
                "completion/complete: unknown ref.type {other:?} (ref/prompt or ref/resource)"
            )));
        }
    };
    Ok(Completion {
        target,
        argument: argument.to_owned(),
        prefix: prefix.to_owned(),
    })
}

fn tool_call(mut params: Map<String, Value>) -> Result<ToolCall, RpcError> {
    let progress_token = progress_token(&Value::Object(params.clone()));
    let Some(Value::String(name)) = params.remove("name") else {
        return Err(invalid(
            "tools/call needs params.name: the name of a tool from tools/list",
        ));
    };
    let arguments = match params.remove("arguments") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(arguments @ Value::Object(_)) => arguments,
        Some(_) => return Err(invalid("tools/call params.arguments must be a JSON object")),
    };
    Ok(ToolCall {
        name,
        arguments,
        progress_token,
        request_state: params.remove("requestState"),
        input_responses: params.remove("inputResponses"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(method: &str, params: Value) -> Result<ClientRequest, RpcError> {
        ClientRequest::read(method, params, &Era::Legacy)
    }

    #[test]
    fn each_method_reads_into_its_variant_and_checks_its_params() {
        assert_eq!(
            read("initialize", json!({"protocolVersion": "2025-11-25"})),
            Ok(ClientRequest::Initialize {
                protocol_version: "2025-11-25".into()
            })
        );
        assert_eq!(
            read("initialize", json!({})).unwrap_err().code,
            INVALID_PARAMS
        );
        assert_eq!(read("ping", Value::Null), Ok(ClientRequest::Ping));
        assert_eq!(
            read("server/discover", json!({})).unwrap_err().code,
            METHOD_NOT_FOUND,
            "a 2026-07-28 method in the handshake era"
        );
        let modern = Era::Modern {
            version: "2026-07-28".into(),
            client_capabilities: json!({}),
        };
        assert_eq!(
            ClientRequest::read("ping", json!({}), &modern)
                .unwrap_err()
                .code,
            METHOD_NOT_FOUND
        );
        assert!(read("tools/list", json!({"cursor": "2"})).is_err());
        assert_eq!(
            read("tools/list", json!({"cursor": null})),
            Ok(ClientRequest::ListTools)
        );
        assert_eq!(
            read(
                "prompts/get",
                json!({"name": "p", "arguments": "not an object"})
            ),
            Ok(ClientRequest::GetPrompt {
                name: "p".into(),
                arguments: Map::new()
            })
        );
        let unknown = read("tools/frobnicate", json!({})).unwrap_err();
        assert_eq!(unknown.code, METHOD_NOT_FOUND);
        assert!(unknown.message.contains("tools/frobnicate"));
    }

    #[test]
    fn a_tool_call_keeps_its_arguments_and_what_the_protocol_adds() {
        let call = read(
            "tools/call",
            json!({"name": "sync", "arguments": {"app": "a"}, "_meta": {"progressToken": 7},
                   "requestState": "s", "inputResponses": {"approval": {}}}),
        );
        assert_eq!(
            call,
            Ok(ClientRequest::CallTool(ToolCall {
                name: "sync".into(),
                arguments: json!({"app": "a"}),
                progress_token: Some(json!(7)),
                request_state: Some(json!("s")),
                input_responses: Some(json!({"approval": {}})),
            }))
        );
        let ClientRequest::CallTool(bare) = read("tools/call", json!({"name": "x"})).unwrap()
        else {
            unreachable!()
        };
        assert_eq!(bare.arguments, json!({}));
        assert!(read("tools/call", json!({"arguments": {}})).is_err());
        assert!(read("tools/call", json!({"name": "x", "arguments": [1]})).is_err());
        assert!(read("tools/call", json!({"name": 5})).is_err());
    }

    #[test]
    fn a_completion_names_its_target() {
        let asked = read(
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "p"}, "argument": {"name": "app", "value": "gu"}}),
        );
        assert_eq!(
            asked,
            Ok(ClientRequest::Complete(Completion {
                target: CompletionTarget::Prompt("p".into()),
                argument: "app".into(),
                prefix: "gu".into(),
            }))
        );
        assert!(
            read(
                "completion/complete",
                json!({"ref": {"type": "ref/other"}, "argument": {"name": "a", "value": ""}})
            )
            .is_err()
        );
        assert!(read("completion/complete", json!({})).is_err());
    }
}
