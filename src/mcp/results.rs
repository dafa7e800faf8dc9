//! What the server answers and announces, as types that serialize to exactly the protocol's
//! shapes: results of the methods in [`super::request`] and the progress notification. Free-form
//! JSON only where the payload is (a tool's structured answer).

use serde::Serialize;
use serde_json::Value;

use super::server::ServerInfo;
use super::tool::ToolDefinition;

/// `initialize`'s result (handshake era).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitializeResult<'a> {
    pub protocol_version: &'a str,
    pub capabilities: Capabilities,
    pub server_info: Implementation<'a>,
    pub instructions: &'a str,
}

/// `server/discover`'s result (2026-07-28).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoverResult<'a> {
    pub supported_versions: &'a [&'a str],
    pub capabilities: Capabilities,
    pub instructions: &'a str,
}

/// Who the server is, as results and `_meta` name it.
#[derive(Debug, Serialize)]
pub struct Implementation<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub version: &'a str,
}

impl<'a> From<&'a ServerInfo> for Implementation<'a> {
    fn from(info: &'a ServerInfo) -> Self {
        Implementation {
            name: info.name,
            title: info.title,
            version: info.version,
        }
    }
}

/// What the server offers. Nothing changes while it runs, and nothing can be subscribed to.
#[derive(Debug, Serialize)]
pub struct Capabilities {
    pub tools: ListChanged,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceCapabilities>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompts: Option<ListChanged>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completions: Option<Empty>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListChanged {
    pub list_changed: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceCapabilities {
    pub list_changed: bool,
    pub subscribe: bool,
}

/// `{}`: a capability with no options.
#[derive(Debug, Serialize)]
pub struct Empty {}

/// `tools/list`'s result: one page, every tool.
#[derive(Debug, Serialize)]
pub struct ListToolsResult {
    pub tools: Vec<ToolDefinition>,
}

/// `tools/call`'s result: the answer as text and as structured content, or a tool error.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallToolResult {
    pub content: Vec<TextContent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    pub is_error: bool,
}

impl CallToolResult {
    /// A tool's answer: its JSON as text too, for clients that read only `content`.
    pub fn answer(structured: Value) -> Self {
        CallToolResult {
            content: vec![TextContent::new(structured.to_string())],
            structured_content: Some(structured),
            is_error: false,
        }
    }

    /// A failure the agent should read and act on (not a protocol error).
    pub fn error(message: String) -> Self {
        CallToolResult {
            content: vec![TextContent::new(message)],
            structured_content: None,
            is_error: true,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TextContent {
    #[serde(rename = "type")]
    kind: &'static str,
    pub text: String,
}

impl TextContent {
    pub fn new(text: String) -> Self {
        TextContent { kind: "text", text }
    }
}

/// `completion/complete`'s result.
#[derive(Debug, Serialize)]
pub struct CompleteResult {
    pub completion: CompletionValues,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionValues {
    pub values: Vec<String>,
    pub total: usize,
    pub has_more: bool,
}

/// `notifications/progress`, whole.
#[derive(Debug, Serialize)]
pub struct ProgressNotification<'a> {
    jsonrpc: &'static str,
    method: &'static str,
    pub params: ProgressParams<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressParams<'a> {
    pub progress_token: &'a Value,
    pub progress: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    pub message: &'a str,
}

impl<'a> ProgressNotification<'a> {
    pub fn new(params: ProgressParams<'a>) -> Self {
        ProgressNotification {
            jsonrpc: "2.0",
            method: "notifications/progress",
            params,
        }
    }
}

/// A result as the JSON-RPC layer carries it. Every type here serializes (no maps with
/// non-string keys, no failing `Serialize`), so this cannot fail.
pub fn to_json<T: Serialize>(result: &T) -> Value {
    serde_json::to_value(result).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn results_serialize_to_the_protocol_shapes() {
        let capabilities = Capabilities {
            tools: ListChanged {
                list_changed: false,
            },
            resources: None,
            prompts: Some(ListChanged {
                list_changed: false,
            }),
            completions: Some(Empty {}),
        };
        assert_eq!(
            to_json(&capabilities),
            json!({"tools": {"listChanged": false}, "prompts": {"listChanged": false}, "completions": {}})
        );
        assert_eq!(
            to_json(&CallToolResult::answer(json!({"a": 1}))),
            json!({"content": [{"type": "text", "text": "{\"a\":1}"}], "structuredContent": {"a": 1}, "isError": false})
        );
        assert_eq!(
            to_json(&CallToolResult::error("no".into())),
            json!({"content": [{"type": "text", "text": "no"}], "isError": true})
        );
        let token = json!("t1");
        assert_eq!(
            to_json(&ProgressNotification::new(ProgressParams {
                progress_token: &token,
                progress: 1.0,
                total: None,
                message: "m",
            })),
            json!({"jsonrpc": "2.0", "method": "notifications/progress",
                   "params": {"progressToken": "t1", "progress": 1.0, "message": "m"}})
        );
    }
}
