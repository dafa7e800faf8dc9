//! End-to-end tests: the shipped components in the wasmtime harness against the Argo CD stand-in.

mod applied_deletes;
mod appsets;
mod attacks;
mod auth;
mod completion;
mod deploy;
mod errors;
mod faults;
mod feed;
mod feed_fleet;
mod feed_user_mode;
mod guesses;
mod identity;
mod ids;
mod inspect;
mod keeps;
mod leaks;
mod library;
mod lifecycle;
mod listening;
mod live;
mod lockout;
mod mcp;
mod memory;
mod modern;
mod names;
mod open_gaps;
mod outbound;
mod planting;
mod plugin;
mod processes;
mod profiles;
mod progress;
mod readonly;
mod release;
mod review10;
mod review11;
mod review12;
mod review13;
mod review14;
mod review15;
mod review16;
mod review17;
mod review18;
mod review19;
mod review20;
mod review21;
mod review22;
mod review23;
mod review24;
mod review25;
mod review26;
mod review27;
mod review28;
mod review29;
mod review30;
mod review31;
mod review32;
mod review33;
mod review34;
mod review35;
mod review36;
mod review37;
mod review38;
mod review39;
mod review4;
mod review40;
mod review41;
mod review42;
mod review43;
mod review44;
mod review45;
mod review46;
mod review5;
mod review6;
mod review7;
mod review8;
mod review9;
mod review_answers;
mod sdk;
mod sealing;
mod setups;
mod spin;
mod spin_trust;
mod spinkube;
mod standin;
mod standin_watch;
mod stdio;
mod tools;
mod trust;
mod wassette;

use std::sync::OnceLock;

use bytes::Bytes;
use host_test::embed::{CollectedResponse, Harness, HostEnv};
use host_test::standin::{Config, StandIn};
use serde_json::{Value, json};

/// Compiled once per test binary; every test makes its own instances.
pub fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| Harness::load().expect("components load"))
}

/// The URL the components are told; the harness redirects it to the stand-in.
pub const ARGOCD_URL: &str = "https://argocd.example.com";
/// Distinctive, so a leak check cannot match ordinary words.
pub const PASSWORD: &str = "Adm1n-s3cret-pw";

/// One stand-in, one host environment.
pub struct World {
    pub standin: StandIn,
    pub env: HostEnv,
}

impl World {
    /// Login with username and password (the stand-in's admin account).
    pub async fn new() -> World {
        Self::with(
            Config::default(),
            &[("argocd_username", "admin"), ("argocd_password", PASSWORD)],
        )
        .await
    }

    pub async fn with(mut config: Config, variables: &[(&str, &str)]) -> World {
        config.users = vec![("admin".into(), PASSWORD.into())];
        let standin = StandIn::start(config).await.expect("stand-in starts");
        let mut env = HostEnv {
            redirect: Some(standin.addr),
            stderr: Some(wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(1 << 20)),
            ..HostEnv::default()
        };
        env.variables.insert("argocd_url".into(), ARGOCD_URL.into());
        for (k, v) in variables {
            env.variables.insert(k.to_string(), v.to_string());
        }
        World { standin, env }
    }

    pub fn set(&mut self, variable: &str, value: &str) {
        self.env.variables.insert(variable.into(), value.into());
    }

    pub async fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> CollectedResponse {
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("http://localhost:8787{path}"))
            .header("host", "localhost:8787");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let request = request
            .body(Bytes::from(body.to_owned()))
            .expect("valid request");
        harness()
            .request(&self.env, request)
            .await
            .expect("component answers")
    }

    /// POSTs one MCP message the way an MCP client does.
    pub async fn mcp(&self, message: &Value) -> CollectedResponse {
        self.mcp_with(message, &[]).await
    }

    pub async fn mcp_with(&self, message: &Value, extra: &[(&str, &str)]) -> CollectedResponse {
        let mut headers = vec![
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
            ("mcp-protocol-version", "2025-11-25"),
        ];
        headers.extend_from_slice(extra);
        self.http("POST", "/mcp", &headers, &message.to_string())
            .await
    }

    /// `tools/call` in a fresh instance; returns the `result`.
    pub async fn call(&self, tool: &str, arguments: Value) -> Value {
        let response = self
            .mcp(&json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}))
            .await;
        assert_eq!(
            response.status,
            200,
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        let body = response.json().unwrap();
        body.get("result")
            .cloned()
            .unwrap_or_else(|| panic!("no result: {body}"))
    }

    /// A call that must succeed: its structured content, checked against the outputSchema that
    /// tools/list publishes and against the full schema of the answer type it outlines.
    pub async fn ok(&self, tool: &str, arguments: Value) -> Value {
        let result = self.call(tool, arguments).await;
        assert_eq!(result["isError"], false, "{tool} failed: {result}");
        let structured = result["structuredContent"].clone();
        let definition = argocd_mcp::tools::definitions(false)
            .into_iter()
            .find(|d| d.name == tool)
            .expect("a known tool");
        if let Err(problem) = conforms(&definition.output_schema, &structured, tool) {
            panic!(
                "{tool}: structuredContent does not match outputSchema: {problem}\n{structured}"
            );
        }
        let exact = argocd_mcp::tools::exact_output_schema(tool).expect("a known tool");
        if let Err(problem) = conforms(&exact, &structured, tool) {
            panic!(
                "{tool}: structuredContent does not match its full schema: {problem}\n{structured}"
            );
        }
        let text: Value =
            serde_json::from_str(result["content"][0]["text"].as_str().unwrap()).unwrap();
        assert_eq!(text, structured, "text and structuredContent differ");
        structured
    }

    /// A call that must fail as a tool error: its message.
    pub async fn tool_error(&self, tool: &str, arguments: Value) -> String {
        let result = self.call(tool, arguments).await;
        assert_eq!(result["isError"], true, "{tool} should fail: {result}");
        result["content"][0]["text"].as_str().unwrap().to_owned()
    }

    pub fn stderr(&self) -> String {
        self.env
            .stderr
            .as_ref()
            .map(|p| String::from_utf8_lossy(&p.contents()).into_owned())
            .unwrap_or_default()
    }
}

/// The JSON-RPC messages of a whole SSE answer, in order.
pub fn sse_messages(body: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(body)
        .split("\n\n")
        .filter_map(|event| event.lines().find_map(|l| l.strip_prefix("data: ")))
        .filter(|data| !data.trim().is_empty())
        .map(|data| serde_json::from_str(data).expect("SSE data is JSON"))
        .collect()
}

/// The JSON Schema subset the tools use: type, const, properties, required,
/// additionalProperties, items, anyOf/oneOf.
pub fn conforms(schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(types) = schema.get("type") {
        let names: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let fits = names.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => false,
        });
        if !fits {
            return Err(format!("{at}: {value} is not {names:?}"));
        }
    }
    if let Some(expected) = schema.get("const")
        && expected != value
    {
        return Err(format!("{at}: {value} is not {expected}"));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(options)) = schema.get(key)
            && !options.iter().any(|o| conforms(o, value, at).is_ok())
        {
            return Err(format!("{at}: {value} matches none of {key}"));
        }
    }
    if let Value::Object(map) = value {
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = required.as_str().unwrap_or("");
            if !map.contains_key(name) {
                return Err(format!("{at}: required {name} is missing"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (key, inner) in map {
            match properties.and_then(|p| p.get(key)) {
                Some(s) => conforms(s, inner, &format!("{at}.{key}"))?,
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => return Err(format!("{at}: {key} is not allowed")),
                    Some(extra @ Value::Object(_)) => {
                        conforms(extra, inner, &format!("{at}.{key}"))?
                    }
                    _ => {}
                },
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            conforms(item_schema, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

#[test]
fn the_schema_check_can_fail() {
    let schema = json!({"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"], "additionalProperties": false});
    assert!(conforms(&schema, &json!({"a": 1}), "x").is_ok());
    assert!(conforms(&schema, &json!({}), "x").is_err());
    assert!(conforms(&schema, &json!({"a": "1"}), "x").is_err());
    assert!(conforms(&schema, &json!({"a": 1, "b": 2}), "x").is_err());
}
