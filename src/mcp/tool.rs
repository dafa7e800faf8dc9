//! What a tool looks like to MCP, and the trait a tool set implements.

use serde::Serialize;
use serde_json::Value;

/// Hints for clients (MCP `ToolAnnotations`). Untrusted by clients; they still help them ask before acting.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotations {
    pub read_only_hint: bool,
    pub destructive_hint: bool,
    pub idempotent_hint: bool,
    pub open_world_hint: bool,
}

impl Annotations {
    pub const READ: Annotations = Annotations {
        read_only_hint: true,
        destructive_hint: false,
        idempotent_hint: true,
        open_world_hint: true,
    };
}

/// A tool as `tools/list` shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolDefinition {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub input_schema: Value,
    pub output_schema: Value,
    pub annotations: Annotations,
}

/// How a call ended, before it becomes a `CallToolResult`.
#[derive(Debug)]
pub enum CallOutcome {
    /// `structuredContent`, also sent as JSON text.
    Success(Value),
    /// A failure the agent can act on: sent as `isError: true` with this message.
    ToolError(String),
    /// No such tool (or not offered): a JSON-RPC -32602.
    UnknownTool(String),
}

#[allow(async_fn_in_trait)]
pub trait ToolProvider {
    fn definitions(&self) -> Vec<ToolDefinition>;
    async fn call(&self, name: &str, arguments: Value) -> CallOutcome;
}
