//! Streamable HTTP on one endpoint, for 2026-07-28 and 2025-11-25 alike: POST carries one JSON-RPC
//! message and gets JSON (or SSE while a tool reports progress) back; GET and DELETE get 405
//! because this server keeps no sessions and pushes nothing. 2026-07-28 requests must mirror their
//! version, method and name in headers, checked here against the body.

use constant_time_eq::constant_time_eq;
use serde_json::Value;

use base64::Engine;

use super::jsonrpc::{self, INVALID_REQUEST, RpcError};
use super::server::{
    HEADER_MISMATCH, META_PROTOCOL_VERSION, MessageSink, Reply, ServerInfo, handle_message,
    progress_token, unsupported_version,
};
use super::tool::{ParamHeader, ToolProvider};
use super::{MODERN_VERSIONS, SUPPORTED_VERSIONS};
use crate::host::header_value;

/// Requests bigger than this are refused before parsing: no MCP message we take comes near it.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// An HTTP request as the transport needs it, whatever server received it.
#[derive(Debug, Clone, Copy)]
pub struct HttpExchange<'a> {
    pub method: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl HttpExchange<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        header_value(self.headers, name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpReply {
    pub fn json(status: u16, body: &Value) -> HttpReply {
        HttpReply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    fn empty(status: u16) -> HttpReply {
        HttpReply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn rpc_error(status: u16, code: i64, message: impl Into<String>) -> HttpReply {
        HttpReply::json(
            status,
            &jsonrpc::error(&Value::Null, &RpcError::new(code, message)),
        )
    }

    fn with_header(mut self, name: &str, value: &str) -> HttpReply {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }
}

/// Who may talk to the endpoint.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessPolicy<'a> {
    /// When set, every request must carry `Authorization: Bearer <token>`.
    pub bearer_token: Option<&'a str>,
}

/// Answers one request. With a `sink` (the adapter streams SSE, see [`streams`]), progress
/// notifications go there while the tool runs and the returned reply is the final message.
pub async fn handle<P: ToolProvider>(
    info: &ServerInfo,
    tools: &P,
    policy: AccessPolicy<'_>,
    request: HttpExchange<'_>,
    sink: Option<&dyn MessageSink>,
) -> HttpReply {
    let param_headers = |name: &str| tools.param_headers(name);
    if let Err(refusal) =
        check(policy, request).and_then(|()| check_mirrored_headers(request, &param_headers))
    {
        return refusal;
    }
    match handle_message(info, tools, request.body, sink).await {
        Reply::Accepted => HttpReply::empty(202),
        Reply::Message { body, http_status } => HttpReply::json(http_status, &body),
    }
}

/// Whether this request should be answered as an SSE stream: it passes every check, the client
/// accepts `text/event-stream`, and it is a `tools/call` asking for progress.
pub fn streams(
    policy: AccessPolicy<'_>,
    request: HttpExchange<'_>,
    param_headers: &dyn Fn(&str) -> Vec<ParamHeader>,
) -> bool {
    let accepts_sse = request.header("accept").is_some_and(|a| {
        a.split(',').any(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("text/event-stream")
        })
    });
    if !accepts_sse
        || check(policy, request)
            .and_then(|()| check_mirrored_headers(request, param_headers))
            .is_err()
    {
        return false;
    }
    serde_json::from_slice::<Value>(request.body).is_ok_and(|m| {
        m.get("method").and_then(Value::as_str) == Some("tools/call")
            && m.get("id").is_some()
            && m.get("params").and_then(progress_token).is_some()
    })
}

/// One SSE event carrying one JSON-RPC message.
pub fn sse_event(message: &Value) -> Vec<u8> {
    format!("event: message\ndata: {message}\n\n").into_bytes()
}

/// Headers of an SSE answer.
pub fn sse_headers() -> Vec<(String, String)> {
    vec![
        ("content-type".into(), "text/event-stream".into()),
        ("cache-control".into(), "no-cache".into()),
        ("x-accel-buffering".into(), "no".into()),
    ]
}

/// The transport's checks, before any message is read: origin, auth, method, types, version, size.
fn check(policy: AccessPolicy<'_>, request: HttpExchange<'_>) -> Result<(), HttpReply> {
    if let Some(origin) = request.header("origin")
        && !origin_allowed(origin, request.header("host"))
    {
        return Err(HttpReply::rpc_error(
            403,
            INVALID_REQUEST,
            "Forbidden: the Origin header names another site (DNS-rebinding protection)",
        ));
    }
    if let Some(expected) = policy.bearer_token
        && !bearer_matches(request.header("authorization"), expected)
    {
        return Err(HttpReply::rpc_error(
            401,
            INVALID_REQUEST,
            "Unauthorized: send Authorization: Bearer <MCP auth token>",
        )
        .with_header(
            "www-authenticate",
            r#"Bearer realm="argocd-mcp", error="invalid_token""#,
        ));
    }
    if request.method != "POST" {
        return Err(HttpReply::rpc_error(
            405,
            INVALID_REQUEST,
            "Method not allowed: this stateless server takes POST only (no GET stream, no sessions)",
        )
        .with_header("allow", "POST"));
    }
    let content_type = request.header("content-type").unwrap_or("");
    if !media_type_is(content_type, "application/json") {
        return Err(HttpReply::rpc_error(
            415,
            INVALID_REQUEST,
            "Unsupported Media Type: send Content-Type: application/json",
        ));
    }
    if let Some(accept) = request.header("accept")
        && !accepts_json(accept)
    {
        return Err(HttpReply::rpc_error(
            406,
            INVALID_REQUEST,
            "Not Acceptable: the client must accept application/json (and text/event-stream)",
        ));
    }
    if let Some(version) = request.header("mcp-protocol-version")
        && !SUPPORTED_VERSIONS.contains(&version.trim())
    {
        return Err(HttpReply::json(
            400,
            &jsonrpc::error(&Value::Null, &unsupported_version(version)),
        ));
    }
    if request.body.len() > MAX_BODY_BYTES {
        return Err(HttpReply::rpc_error(
            413,
            INVALID_REQUEST,
            format!("Payload too large: at most {MAX_BODY_BYTES} bytes per message"),
        ));
    }
    Ok(())
}

/// 2026-07-28: a request states its version, method and name (tool, prompt or resource) in headers
/// too, so that gateways can route on them; they must agree with the body (-32020 otherwise).
/// Handshake-era requests carry none of this and pass. Unparseable bodies are left to the
/// JSON-RPC layer, which explains them better.
fn check_mirrored_headers(
    request: HttpExchange<'_>,
    param_headers: &dyn Fn(&str) -> Vec<ParamHeader>,
) -> Result<(), HttpReply> {
    let Ok(message) = serde_json::from_slice::<Value>(request.body) else {
        return Ok(());
    };
    let method = message.get("method").and_then(Value::as_str).unwrap_or("");
    let header_version = request.header("mcp-protocol-version").map(str::trim);
    let body_version = message
        .get("params")
        .and_then(|p| p.get("_meta"))
        .and_then(|m| m.get(META_PROTOCOL_VERSION))
        .and_then(Value::as_str);
    let modern = |v: Option<&str>| v.is_some_and(|v| MODERN_VERSIONS.contains(&v));
    if method == "initialize" || !(modern(header_version) || modern(body_version)) {
        return Ok(());
    }
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let mismatch = |text: String| {
        Err(HttpReply::json(
            400,
            &jsonrpc::error(
                &id,
                &RpcError::new(HEADER_MISMATCH, format!("Header mismatch: {text}")),
            ),
        ))
    };
    match (header_version, body_version) {
        (None, Some(body)) => {
            return mismatch(format!(
                "the MCP-Protocol-Version header is required (the body's _meta says {body})"
            ));
        }
        (Some(header), body) if Some(header) != body => {
            return mismatch(format!(
                "MCP-Protocol-Version is {header} but the body's _meta protocolVersion is {}",
                body.unwrap_or("absent")
            ));
        }
        _ => {}
    }
    if message.get("id").is_none() {
        // The revision defines no headers for notifications.
        return Ok(());
    }
    match request.header("mcp-method") {
        None => return mismatch("the Mcp-Method header is required".into()),
        Some(header) if header != method => {
            return mismatch(format!(
                "Mcp-Method is {header:?} but the body's method is {method:?}"
            ));
        }
        Some(_) => {}
    }
    let name_field = match method {
        "tools/call" | "prompts/get" => "name",
        "resources/read" => "uri",
        _ => return Ok(()),
    };
    let body_name = message["params"][name_field].as_str().unwrap_or("");
    match request.header("mcp-name").map(decode_header_value) {
        None => return mismatch(format!("the Mcp-Name header is required for {method}")),
        Some(None) => return mismatch("Mcp-Name is not valid =?base64?…?= encoding".into()),
        Some(Some(header)) if header != body_name => {
            return mismatch(format!(
                "Mcp-Name is {header:?} but the body's params.{name_field} is {body_name:?}"
            ));
        }
        Some(Some(_)) => {}
    }
    if method != "tools/call" {
        return Ok(());
    }
    for ParamHeader { argument, header } in param_headers(body_name) {
        let sent = request
            .header(&format!("mcp-param-{header}"))
            .map(decode_header_value);
        let argued = match message["params"]["arguments"].get(argument) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(value @ (Value::Bool(_) | Value::Number(_))) => Some(value.to_string()),
            // Not a header value at all; the tool refuses the argument itself.
            Some(_) => continue,
        };
        match (sent, argued) {
            (None, None) => {}
            (Some(None), _) => {
                return mismatch(format!(
                    "Mcp-Param-{header} is not valid =?base64?…?= encoding"
                ));
            }
            (None, Some(value)) => {
                return mismatch(format!(
                    "the Mcp-Param-{header} header is required: arguments.{argument} is {value:?}"
                ));
            }
            (Some(Some(sent)), None) => {
                return mismatch(format!(
                    "Mcp-Param-{header} is {sent:?} but arguments.{argument} is absent"
                ));
            }
            (Some(Some(sent)), Some(value)) if sent != value => {
                return mismatch(format!(
                    "Mcp-Param-{header} is {sent:?} but arguments.{argument} is {value:?}"
                ));
            }
            (Some(Some(_)), Some(_)) => {}
        }
    }
    Ok(())
}

/// A header value as sent: plain, or `=?base64?…?=` for values that are not plain ASCII.
/// `None` when the encoding is broken.
fn decode_header_value(value: &str) -> Option<String> {
    match value
        .strip_prefix("=?base64?")
        .and_then(|rest| rest.strip_suffix("?="))
    {
        None => Some(value.to_owned()),
        Some(encoded) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok()),
    }
}

fn media_type_is(header: &str, expected: &str) -> bool {
    header
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(expected))
}

fn accepts_json(accept: &str) -> bool {
    accept.split(',').any(|part| {
        let t = part.split(';').next().unwrap_or("").trim();
        t.eq_ignore_ascii_case("application/json") || t == "*/*" || t == "application/*"
    })
}

fn bearer_matches(header: Option<&str>, expected: &str) -> bool {
    let Some(given) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
        return false;
    };
    constant_time_eq(given.trim().as_bytes(), expected.as_bytes())
}

/// A browser page may only reach us from our own origin or from loopback: this blocks DNS rebinding.
fn origin_allowed(origin: &str, host: Option<&str>) -> bool {
    let Some((_, authority)) = origin.split_once("://") else {
        return false;
    };
    let authority = authority.trim_end_matches('/');
    let hostname = match authority.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => authority,
    };
    matches!(hostname, "localhost" | "127.0.0.1" | "[::1]")
        || host.is_some_and(|h| h.eq_ignore_ascii_case(authority))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::tool::{CallOutcome, ToolDefinition};

    struct NoTools;
    impl ToolProvider for NoTools {
        fn definitions(&self) -> Vec<ToolDefinition> {
            Vec::new()
        }
        async fn call(
            &self,
            name: &str,
            _: Value,
            _: &dyn crate::mcp::tool::Progress,
        ) -> CallOutcome {
            CallOutcome::UnknownTool(name.into())
        }
    }

    const INFO: ServerInfo = ServerInfo {
        name: "t",
        title: "T",
        version: "0",
        instructions: "",
    };
    const PING: &[u8] = br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

    fn send(method: &str, headers: &[(&str, &str)], body: &[u8], token: Option<&str>) -> HttpReply {
        let mut all: Vec<(String, String)> = vec![
            ("content-type".into(), "application/json".into()),
            (
                "accept".into(),
                "application/json, text/event-stream".into(),
            ),
        ];
        for (k, v) in headers {
            all.retain(|(name, _)| !name.eq_ignore_ascii_case(k));
            all.push((k.to_string(), v.to_string()));
        }
        let request = HttpExchange {
            method,
            headers: &all,
            body,
        };
        let policy = AccessPolicy {
            bearer_token: token,
        };
        pollster::block_on(handle(&INFO, &NoTools, policy, request, None))
    }

    #[test]
    fn post_is_answered_and_other_methods_get_405() {
        assert_eq!(send("POST", &[], PING, None).status, 200);
        let get = send("GET", &[], b"", None);
        assert_eq!((get.status, get.header("allow")), (405, Some("POST")));
        assert_eq!(send("DELETE", &[], b"", None).status, 405);
    }

    #[test]
    fn origin_must_be_ours_or_loopback() {
        let foreign = [
            ("origin", "https://evil.example"),
            ("host", "mcp.example.com"),
        ];
        assert_eq!(send("POST", &foreign, PING, None).status, 403);
        let same = [
            ("origin", "https://mcp.example.com"),
            ("host", "mcp.example.com"),
        ];
        assert_eq!(send("POST", &same, PING, None).status, 200);
        assert_eq!(
            send("POST", &[("origin", "http://localhost:3000")], PING, None).status,
            200
        );
        assert_eq!(send("POST", &[("origin", "null")], PING, None).status, 403);
    }

    #[test]
    fn bearer_token_is_required_when_configured() {
        let none = send("POST", &[], PING, Some("s3cret"));
        assert_eq!(none.status, 401);
        assert!(
            none.header("www-authenticate")
                .unwrap()
                .starts_with("Bearer")
        );
        let wrong = [("authorization", "Bearer nope")];
        assert_eq!(send("POST", &wrong, PING, Some("s3cret")).status, 401);
        let right = [("authorization", "Bearer s3cret")];
        assert_eq!(send("POST", &right, PING, Some("s3cret")).status, 200);
    }

    #[test]
    fn headers_are_checked() {
        assert_eq!(
            send("POST", &[("content-type", "text/plain")], PING, None).status,
            415
        );
        assert_eq!(
            send(
                "POST",
                &[("content-type", "application/json; charset=utf-8")],
                PING,
                None
            )
            .status,
            200
        );
        assert_eq!(
            send("POST", &[("accept", "text/html")], PING, None).status,
            406
        );
        let bad = send(
            "POST",
            &[("mcp-protocol-version", "1999-01-01")],
            PING,
            None,
        );
        assert_eq!(bad.status, 400);
        assert!(String::from_utf8_lossy(&bad.body).contains("2025-11-25"));
        assert_eq!(
            send(
                "POST",
                &[("mcp-protocol-version", "2025-06-18")],
                PING,
                None
            )
            .status,
            200
        );
    }

    #[test]
    fn only_progress_requests_that_accept_sse_stream() {
        let call = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"progressToken":7}}}"#;
        let headers = |accept: &str| {
            vec![
                ("content-type".to_string(), "application/json".to_string()),
                ("accept".to_string(), accept.to_string()),
            ]
        };
        let sse = headers("application/json, text/event-stream");
        let policy = AccessPolicy::default();
        let no_headers = |_: &str| Vec::new();
        assert!(streams(
            policy,
            HttpExchange {
                method: "POST",
                headers: &sse,
                body: call
            },
            &no_headers
        ));
        let json_only = headers("application/json");
        assert!(!streams(
            policy,
            HttpExchange {
                method: "POST",
                headers: &json_only,
                body: call
            },
            &no_headers
        ));
        let no_token = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}"#;
        assert!(!streams(
            policy,
            HttpExchange {
                method: "POST",
                headers: &sse,
                body: no_token
            },
            &no_headers
        ));
        let guarded = AccessPolicy {
            bearer_token: Some("s"),
        };
        assert!(
            !streams(
                guarded,
                HttpExchange {
                    method: "POST",
                    headers: &sse,
                    body: call
                },
                &no_headers
            ),
            "refusals are never streamed"
        );
    }

    #[test]
    fn envelope_errors_are_400_and_notifications_202() {
        assert_eq!(send("POST", &[], b"{oops", None).status, 400);
        assert_eq!(send("POST", &[], b"[]", None).status, 400);
        let note = send(
            "POST",
            &[],
            br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            None,
        );
        assert_eq!((note.status, note.body.len()), (202, 0));
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(send("POST", &[], &big, None).status, 413);
    }
}
