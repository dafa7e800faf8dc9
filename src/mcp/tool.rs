//! What a tool looks like to MCP, and the trait a tool set implements.

use serde::Serialize;
use serde_json::Value;

/// Hints for clients (MCP `ToolAnnotations`). Untrusted by clients; they still help them ask before acting.
#[derive(Debug, Clone, Copy)]
pub struct Annotations {
    pub read_only_hint: bool,
    pub destructive_hint: bool,
    pub idempotent_hint: bool,
    pub open_world_hint: bool,
}

/// Only the hints that say something: the spec gives `destructiveHint` and `idempotentHint` meaning
/// only when `readOnlyHint` is false, and there they default to `true` and `false` (a tool that
/// changes things is assumed destructive and not idempotent until it says otherwise), as
/// `openWorldHint` defaults to true; a hint is written only where it differs from its default.
/// `readOnlyHint` is always written, so no client has to know its default to tell reading tools
/// from changing ones. Every tool pays for these bytes in `tools/list`.
impl Serialize for Annotations {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("readOnlyHint", &self.read_only_hint)?;
        if !self.read_only_hint {
            if !self.destructive_hint {
                map.serialize_entry("destructiveHint", &false)?;
            }
            if self.idempotent_hint {
                map.serialize_entry("idempotentHint", &true)?;
            }
        }
        if !self.open_world_hint {
            map.serialize_entry("openWorldHint", &false)?;
        }
        map.end()
    }
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

/// Where a long tool reports how far it got. Tools call it; MCP turns it into
/// `notifications/progress` when the client asked for them, and drops it otherwise.
pub trait Progress {
    /// `progress` must grow from call to call; `total` when known.
    fn report(&self, progress: f64, total: Option<f64>, message: &str);
    /// Whether the caller has gone away, so a long tool should stop (2026-07-28: closing the
    /// response stream is the cancellation). Worth asking after each report.
    fn cancelled(&self) -> bool {
        false
    }
}

/// For callers that want no progress.
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&self, _: f64, _: Option<f64>, _: &str) {}
}

/// A tool argument that 2026-07-28 clients mirror into an HTTP header (`x-mcp-header` in the
/// argument's schema), so gateways can route on it without reading the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamHeader {
    /// The top-level argument.
    pub argument: &'static str,
    /// The `{name}` of `Mcp-Param-{name}`.
    pub header: &'static str,
}

#[allow(async_fn_in_trait)]
pub trait ToolProvider {
    fn definitions(&self) -> Vec<ToolDefinition>;
    /// Documents offered as MCP resources (none by default).
    fn resources(&self) -> &'static [super::library::Resource] {
        &[]
    }
    /// Families of resources read on demand (none by default).
    fn resource_templates(&self) -> &'static [super::library::ResourceTemplate] {
        &[]
    }
    /// Reads a resource of one of [`Self::resource_templates`]; `None` when `uri` is not one.
    async fn read_resource(&self, _uri: &str) -> Option<Result<Value, super::jsonrpc::RpcError>> {
        None
    }
    /// Whether [`Self::listen`] reports changes (2026-07-28 `subscriptions/listen`).
    fn listens(&self) -> bool {
        false
    }
    /// The part of `requested` this provider honours; `Err` refuses the subscription (a URI it
    /// cannot watch, a limit reached) with a message saying why. What it agrees to it holds
    /// until [`Self::listen`] with the same agreement returns.
    async fn agree(
        &self,
        _requested: &super::subscriptions::Filter,
    ) -> Result<super::subscriptions::Agreed, super::jsonrpc::RpcError> {
        Ok(super::subscriptions::Agreed::default())
    }
    /// Reports changes to what `agreed` names until the client leaves or the provider ends the
    /// subscription (it then returns, having let go of what it held for it).
    async fn listen(
        &self,
        _agreed: &super::subscriptions::Agreed,
        _listener: &dyn super::subscriptions::Listener,
    ) {
    }
    /// Task templates offered as MCP prompts (none by default).
    fn prompts(&self) -> &'static [super::library::Prompt] {
        &[]
    }
    /// One of [`Self::prompts`] filled with `given` (a provider may clean what the caller's
    /// arguments put in it, as it cleans its answers).
    fn prompt(
        &self,
        name: &str,
        given: &serde_json::Map<String, Value>,
    ) -> Result<Value, super::jsonrpc::RpcError> {
        super::library::get_prompt(self.prompts(), name, given)
    }
    async fn call(&self, name: &str, arguments: Value, progress: &dyn Progress) -> CallOutcome;
    /// When a person must approve this call before it runs: the question to put to them (none
    /// by default). The server asks through the client and runs the call only on a yes.
    /// `Err` refuses the call with that message (the question could not be put), nothing run.
    async fn approval_question(
        &self,
        _name: &str,
        _arguments: &Value,
    ) -> Result<Option<String>, String> {
        Ok(None)
    }
    /// Who makes this call, when the server tells callers apart: an approval asked for one
    /// caller holds for that caller alone.
    fn caller(&self) -> super::approval::Caller<'_> {
        super::approval::Caller::ANYONE
    }
    /// Where approvals are sealed and spent; needed when [`Self::approval_question`] asks.
    fn approvals(&self) -> Option<&dyn super::approval::ApprovalLedger> {
        None
    }
    /// The arguments of tool `name` whose schemas carry `x-mcp-header` (none by default); the
    /// transport checks each header against the body.
    fn param_headers(&self, _name: &str) -> Vec<ParamHeader> {
        Vec::new()
    }
    /// Values that complete a prompt argument called `argument` beginning with `prefix`, best
    /// first (none by default). A failure is worth no error to the user: it offers nothing.
    async fn complete(&self, _argument: &str, _prefix: &str) -> Vec<String> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::Annotations;
    use serde_json::json;

    fn published(read_only: bool, destructive: bool, idempotent: bool) -> serde_json::Value {
        serde_json::to_value(Annotations {
            read_only_hint: read_only,
            destructive_hint: destructive,
            idempotent_hint: idempotent,
            open_world_hint: true,
        })
        .unwrap()
    }

    #[test]
    fn only_hints_that_differ_from_their_defaults_are_written() {
        assert_eq!(
            serde_json::to_value(Annotations::READ).unwrap(),
            json!({"readOnlyHint": true})
        );
        assert_eq!(
            published(false, true, false),
            json!({"readOnlyHint": false})
        );
        assert_eq!(
            published(false, false, true),
            json!({"readOnlyHint": false, "destructiveHint": false, "idempotentHint": true})
        );
        assert_eq!(
            published(false, true, true),
            json!({"readOnlyHint": false, "idempotentHint": true})
        );
    }
}
