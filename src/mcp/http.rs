//! Streamable HTTP on one endpoint, for 2026-07-28 and 2025-11-25 alike: POST carries one JSON-RPC
//! message and gets JSON (or SSE while a tool reports progress) back; GET and DELETE get 405
//! because this server keeps no sessions and pushes nothing. 2026-07-28 requests must mirror their
//! version, method and name in headers, checked here against the body.

use constant_time_eq::constant_time_eq;
use serde_json::Value;

use base64::Engine;

use super::jsonrpc::{self, INVALID_REQUEST, RpcError};
use super::server::{
    HEADER_MISMATCH, META_PROTOCOL_VERSION, MessageSink, Reply, ServerInfo, Subscription,
    answer_message, open_subscription, progress_token, run_subscription, unsupported_version,
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
    /// The authority (`host[:port]`) the request was sent to. wasi:http keeps the Host header
    /// here, not among the headers; a proxy may also pass a `Host` header on.
    pub authority: Option<&'a str>,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl HttpExchange<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
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

    /// A refusal made before the message was read names no request (`"id": null`), but clients
    /// match answers to requests by id (over stdio there is nothing else to match by): it takes
    /// the id of the request it refuses, when that request has one. Other replies are unchanged.
    pub fn answering(mut self, request_body: &[u8]) -> HttpReply {
        // Only a request object's own id, and only one JSON-RPC allows (a string or a number);
        // a batch, a non-object or an id of another type is answered with none.
        let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(request_body) else {
            return self;
        };
        let Some(id) = request
            .get("id")
            .filter(|id| id.is_string() || id.is_number())
        else {
            return self;
        };
        let id = id.clone();
        let Ok(Value::Object(mut answer)) = serde_json::from_slice::<Value>(&self.body) else {
            return self;
        };
        if answer.get("id") == Some(&Value::Null) && answer.contains_key("error") {
            answer.insert("id".into(), id);
            self.body = Value::Object(answer).to_string().into_bytes();
        }
        self
    }

    pub fn with_header(mut self, name: &str, value: &str) -> HttpReply {
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
    /// Why the bearer setting cannot be used; every request is then refused with it.
    pub bearer_problem: Option<&'a str>,
    /// Host names (`host` or `host:port`, lower case) served besides loopback; `*`: any.
    pub allowed_hosts: &'a [String],
    /// Browser origins (`scheme://host[:port]`, lower case) allowed besides loopback.
    pub allowed_origins: &'a [String],
}

impl AccessPolicy<'_> {
    /// Whether the request proves it may see more than the bare health status.
    pub fn authorized(&self, request: HttpExchange<'_>) -> bool {
        self.bearer_problem.is_none()
            && self
                .bearer_token
                .is_none_or(|expected| bearer_matches(request.header("authorization"), expected))
    }
}

/// Proof that [`check_site`] passed for a request: [`admit`] takes one, so no request reaches
/// the transport's other checks without the DNS-rebinding check, and none is checked twice.
#[derive(Debug, Clone, Copy)]
pub struct SiteChecked(());

/// A request the transport let in: its one message, read once, and whether to answer it as an
/// SSE stream (a `tools/call` asking for progress from a client that accepts
/// `text/event-stream`).
#[derive(Debug)]
pub struct Admitted {
    message: jsonrpc::Parsed,
    streams: bool,
    /// A `subscriptions/listen` the provider already agreed to ([`agree_first`]).
    subscription: Option<Subscription>,
}

impl Admitted {
    /// Whether the answer is a stream of events: progress, then the final message.
    pub fn streams(&self) -> bool {
        self.streams
    }

    /// Whether this is a subscription the provider agreed to, served until the client leaves.
    pub fn is_subscription(&self) -> bool {
        self.subscription.is_some()
    }
}

/// Before a `subscriptions/listen` is answered as a stream: its filter read and agreed to by the
/// provider, so that a refusal is a whole JSON answer (no stream opened for nothing) and the
/// stream that follows carries the agreed filter. Other requests pass unchanged.
pub async fn agree_first<P: ToolProvider>(
    tools: &P,
    mut admitted: Admitted,
) -> Result<Admitted, HttpReply> {
    if !admitted.streams {
        return Ok(admitted);
    }
    match open_subscription(tools, &admitted.message).await {
        None => Ok(admitted),
        Some(Ok(subscription)) => {
            admitted.subscription = Some(subscription);
            Ok(admitted)
        }
        Some(Err(Reply::Message { body, http_status })) => Err(HttpReply::json(http_status, &body)),
        Some(Err(Reply::Accepted)) => Err(HttpReply::empty(202)),
    }
}

/// The transport's checks after the site (bearer, method, media types, version, size, the
/// headers a 2026-07-28 request mirrors), and the body read once into a message.
pub fn admit(
    _site: SiteChecked,
    policy: AccessPolicy<'_>,
    request: HttpExchange<'_>,
    param_headers: &dyn Fn(&str) -> Vec<ParamHeader>,
) -> Result<Admitted, HttpReply> {
    if let Err(refusal) = check_transport(policy, request) {
        return Err(refusal.answering(request.body));
    }
    let value = serde_json::from_slice::<Value>(request.body);
    if let Ok(message) = &value {
        check_mirrored_headers(request, message, param_headers)?;
    }
    let streams = value
        .as_ref()
        .is_ok_and(|message| accepts_sse(request) && answers_as_stream(message));
    Ok(Admitted {
        message: value
            .map_err(jsonrpc::not_json)
            .and_then(jsonrpc::from_value),
        streams,
        subscription: None,
    })
}

/// Answers an admitted request whole.
pub async fn answer<P: ToolProvider>(
    info: &ServerInfo,
    tools: &P,
    admitted: Admitted,
) -> HttpReply {
    match answer_message(info, tools, admitted.message, None).await {
        Reply::Accepted => HttpReply::empty(202),
        Reply::Message { body, http_status } => HttpReply::json(http_status, &body),
    }
}

/// Answers an admitted request as a stream: progress notifications go to `sink` while the tool
/// runs, then the final message.
pub async fn answer_streamed<P: ToolProvider>(
    info: &ServerInfo,
    tools: &P,
    admitted: Admitted,
    sink: &dyn MessageSink,
) {
    if let Some(subscription) = admitted.subscription {
        return run_subscription(info, tools, subscription, sink).await;
    }
    if let Reply::Message { body, .. } =
        answer_message(info, tools, admitted.message, Some(sink)).await
    {
        sink.send(&body);
    }
}

fn accepts_sse(request: HttpExchange<'_>) -> bool {
    request.header("accept").is_some_and(|a| {
        a.split(',').any(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("text/event-stream")
        })
    })
}

/// A request answered as a stream of events: a `tools/call` (with an id) whose `_meta` carries
/// a progress token, and every `subscriptions/listen`.
fn answers_as_stream(message: &Value) -> bool {
    let method = message.get("method").and_then(Value::as_str);
    message.get("id").is_some()
        && match method {
            Some("tools/call") => message.get("params").and_then(progress_token).is_some(),
            Some("subscriptions/listen") => true,
            _ => false,
        }
}

/// One SSE event carrying one JSON-RPC message.
pub fn sse_event(message: &Value) -> Vec<u8> {
    format!("event: message\ndata: {message}\n\n").into_bytes()
}

/// An SSE comment, which clients ignore: written down a quiet stream so that the transport
/// notices a client who left.
pub fn sse_keep_alive() -> Vec<u8> {
    b": keepalive\n\n".to_vec()
}

/// Headers of an SSE answer.
pub fn sse_headers() -> Vec<(String, String)> {
    vec![
        ("content-type".into(), "text/event-stream".into()),
        ("cache-control".into(), "no-cache".into()),
        ("x-accel-buffering".into(), "no".into()),
    ]
}

/// DNS-rebinding protection, for every endpoint: the request must be addressed to a host name
/// this server answers to, and a browser's `Origin` must be one it allows. A rebinding page sends
/// its own name in both (`Host: evil.example:3000`, `Origin: http://evil.example:3000`), so
/// neither may be judged by the other.
pub fn check_site(
    policy: AccessPolicy<'_>,
    request: HttpExchange<'_>,
) -> Result<SiteChecked, HttpReply> {
    // One of each header that says where a request goes or who sends it: with two, a proxy
    // in front and this server could each take a different one (two callers' tokens).
    if let Some(name) = ["authorization", "host", "origin"]
        .into_iter()
        .find(|name| {
            request
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .count()
                > 1
        })
    {
        return Err(HttpReply::rpc_error(
            400,
            INVALID_REQUEST,
            format!("Bad request: more than one {name} header; send one"),
        ));
    }
    let addressed = [request.authority, request.header("host")];
    if addressed
        .into_iter()
        .flatten()
        .any(|host| !host_allowed(host, policy.allowed_hosts))
    {
        return Err(HttpReply::rpc_error(
            403,
            INVALID_REQUEST,
            // The host is not named: it is the caller's own text, refused before anything else.
            "Forbidden: this server does not answer to the host this request was sent to (DNS-rebinding protection); its operator can add it to MCP_ALLOWED_HOSTS".to_owned(),
        ));
    }
    if let Some(origin) = request.header("origin")
        && !origin_allowed(origin, policy.allowed_origins)
    {
        return Err(HttpReply::rpc_error(
            403,
            INVALID_REQUEST,
            "Forbidden: the Origin header names a site this server does not allow (DNS-rebinding protection); its operator can add it to MCP_ALLOWED_ORIGINS",
        ));
    }
    Ok(SiteChecked(()))
}

/// The refusal for a request without the right bearer (or any, when the setting is broken).
pub fn check_bearer(policy: AccessPolicy<'_>, request: HttpExchange<'_>) -> Result<(), HttpReply> {
    if let Some(problem) = policy.bearer_problem {
        return Err(HttpReply::rpc_error(503, INVALID_REQUEST, problem));
    }
    if !policy.authorized(request) {
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
    Ok(())
}

/// The transport's checks before the message is read: auth, method, types, version, size.
fn check_transport(policy: AccessPolicy<'_>, request: HttpExchange<'_>) -> Result<(), HttpReply> {
    check_bearer(policy, request)?;
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
    message: &Value,
    param_headers: &dyn Fn(&str) -> Vec<ParamHeader>,
) -> Result<(), HttpReply> {
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
    // Plain, or `=?base64?…?=` for a method no header can carry as it is.
    match request.header("mcp-method").map(decode_header_value) {
        None => return mismatch("the Mcp-Method header is required".into()),
        Some(None) => return mismatch("Mcp-Method is not valid =?base64?…?= encoding".into()),
        Some(Some(header)) if header != method => {
            return mismatch(format!(
                "Mcp-Method is {header:?} but the body's method is {method:?}"
            ));
        }
        Some(Some(_)) => {}
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
pub fn decode_header_value(value: &str) -> Option<String> {
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

/// `Bearer <token>`, the scheme in any case (RFC 9110 §11.1), compared in constant time.
fn bearer_matches(header: Option<&str>, expected: &str) -> bool {
    let Some((scheme, given)) = header.and_then(|h| h.trim().split_once(' ')) else {
        return false;
    };
    scheme.eq_ignore_ascii_case("bearer")
        && constant_time_eq(given.trim().as_bytes(), expected.as_bytes())
}

/// `host[:port]` → (host, port), the host in lower case without a trailing dot; IPv6 literals
/// keep their brackets. `None` when it is no authority at all (userinfo, path, empty host, a
/// port that is not a number).
fn split_authority(authority: &str) -> Option<(String, Option<&str>)> {
    let authority = authority.trim();
    if authority.is_empty() || authority.contains(['@', '/', '?', '#', ' ', '\\']) {
        return None;
    }
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let rest = &authority[close + 1..];
        let port = match rest.strip_prefix(':') {
            Some(port) => Some(port),
            None if rest.is_empty() => None,
            None => return None,
        };
        (&authority[..=close], port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let bad_port = port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()));
    if host.is_empty() || bad_port {
        return None;
    }
    Some((host.trim_end_matches('.').to_ascii_lowercase(), port))
}

/// Names that always mean this machine, whatever DNS says.
fn is_loopback(host: &str) -> bool {
    let ipv4_loopback = host.strip_prefix("127.").is_some_and(|rest| {
        rest.split('.').count() == 3 && rest.split('.').all(|octet| octet.parse::<u8>().is_ok())
    });
    host == "localhost" || host.ends_with(".localhost") || host == "[::1]" || ipv4_loopback
}

/// Loopback, or a host the operator listed (`name` for any port, `name:port` for one).
fn host_allowed(authority: &str, allowed: &[String]) -> bool {
    let Some((host, port)) = split_authority(authority) else {
        return false;
    };
    is_loopback(&host)
        || allowed.iter().any(|entry| {
            entry == "*"
                || split_authority(entry).is_some_and(|(name, listed_port)| {
                    name == host && (listed_port.is_none() || listed_port == port)
                })
        })
}

/// A loopback origin, or one the operator listed exactly (scheme, host and port).
fn origin_allowed(origin: &str, allowed: &[String]) -> bool {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false; // `null` (sandboxed pages, file://) and anything malformed
    };
    if !matches!(scheme, "http" | "https") {
        return false;
    }
    let Some((host, _)) = split_authority(authority) else {
        return false;
    };
    is_loopback(&host)
        || allowed
            .iter()
            .any(|entry| entry.trim_end_matches('/') == origin)
}

#[cfg(test)]
mod tests {
    /// The transport as an adapter sees it through the service: site, then admission, then the
    /// answer.
    async fn handle<P: ToolProvider>(
        info: &ServerInfo,
        tools: &P,
        policy: AccessPolicy<'_>,
        request: HttpExchange<'_>,
        _sink: Option<&dyn MessageSink>,
    ) -> HttpReply {
        let site = match check_site(policy, request) {
            Ok(site) => site,
            Err(refusal) => return refusal.answering(request.body),
        };
        match admit(site, policy, request, &|name| tools.param_headers(name)) {
            Ok(admitted) => answer(info, tools, admitted).await,
            Err(refusal) => refusal,
        }
    }

    /// Whether `request` would be answered as a stream.
    fn streams(
        policy: AccessPolicy<'_>,
        request: HttpExchange<'_>,
        param_headers: &dyn Fn(&str) -> Vec<ParamHeader>,
    ) -> bool {
        check_site(policy, request)
            .and_then(|site| admit(site, policy, request, param_headers))
            .is_ok_and(|admitted| admitted.streams())
    }

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
            authority: Some("127.0.0.1:3000"),
            headers: &all,
            body,
        };
        let policy = AccessPolicy {
            bearer_token: token,
            ..AccessPolicy::default()
        };
        pollster::block_on(handle(&INFO, &NoTools, policy, request, None))
    }

    /// A request as a browser sends it to `authority` from `origin`, judged by `policy`.
    fn from_site(authority: &str, origin: Option<&str>, policy: AccessPolicy<'_>) -> u16 {
        let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
        if let Some(origin) = origin {
            headers.push(("origin".into(), origin.into()));
        }
        let request = HttpExchange {
            method: "POST",
            authority: Some(authority),
            headers: &headers,
            body: PING,
        };
        pollster::block_on(handle(&INFO, &NoTools, policy, request, None)).status
    }

    #[test]
    fn post_is_answered_and_other_methods_get_405() {
        assert_eq!(send("POST", &[], PING, None).status, 200);
        let get = send("GET", &[], b"", None);
        assert_eq!((get.status, get.header("allow")), (405, Some("POST")));
        assert_eq!(send("DELETE", &[], b"", None).status, 405);
    }

    #[test]
    fn a_rebinding_page_is_refused_whatever_it_names() {
        let default = AccessPolicy::default();
        // What a page on evil.example sends once its name resolves to 127.0.0.1.
        let rebinding = ("evil.example:3000", Some("http://evil.example:3000"));
        assert_eq!(from_site(rebinding.0, rebinding.1, default), 403);
        assert_eq!(from_site("evil.example:3000", None, default), 403);
        // The same through a proxy that passes the Host header on beside a loopback authority.
        let headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("host".to_string(), "evil.example:3000".to_string()),
        ];
        let proxied = HttpExchange {
            method: "POST",
            authority: Some("127.0.0.1:3000"),
            headers: &headers,
            body: PING,
        };
        assert_eq!(
            pollster::block_on(handle(&INFO, &NoTools, default, proxied, None)).status,
            403
        );
        // Loopback names always pass; a look-alike does not.
        for local in [
            "localhost:3000",
            "127.0.0.1",
            "[::1]:8787",
            "LOCALHOST.",
            "a.localhost",
        ] {
            assert_eq!(from_site(local, None, default), 200, "{local}");
        }
        for odd in [
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "evil@localhost",
            "localhost:x",
            "",
            "[::1]x",
        ] {
            assert_eq!(from_site(odd, None, default), 403, "{odd}");
        }
        // A page of another site, or a sandboxed one, on a loopback server.
        for origin in [
            "https://evil.example",
            "null",
            "file://",
            "http://localhost.evil.example",
        ] {
            assert_eq!(
                from_site("localhost:3000", Some(origin), default),
                403,
                "{origin}"
            );
        }
        assert_eq!(
            from_site("localhost:3000", Some("http://localhost:5173"), default),
            200
        );
    }

    #[test]
    fn operators_list_the_hosts_and_origins_they_serve() {
        let hosts = [
            "mcp.example.com".to_string(),
            "mcp.internal:8443".to_string(),
        ];
        let origins = ["https://console.example.com".to_string()];
        let policy = AccessPolicy {
            allowed_hosts: &hosts,
            allowed_origins: &origins,
            ..AccessPolicy::default()
        };
        assert_eq!(from_site("mcp.example.com", None, policy), 200);
        assert_eq!(from_site("MCP.example.com:443", None, policy), 200);
        assert_eq!(from_site("mcp.internal:8443", None, policy), 200);
        assert_eq!(from_site("mcp.internal:9000", None, policy), 403);
        assert_eq!(from_site("evil.example", None, policy), 403);
        let console = Some("https://console.example.com");
        assert_eq!(from_site("mcp.example.com", console, policy), 200);
        // Its own name is no longer enough for an origin: only the listed ones.
        let own = Some("https://mcp.example.com");
        assert_eq!(from_site("mcp.example.com", own, policy), 403);
        assert_eq!(
            from_site(
                "mcp.example.com",
                Some("http://console.example.com"),
                policy
            ),
            403
        );
        let any = ["*".to_string()];
        let open = AccessPolicy {
            allowed_hosts: &any,
            ..AccessPolicy::default()
        };
        assert_eq!(from_site("whatever.example:1", None, open), 200);
        assert_eq!(
            from_site(
                "whatever.example:1",
                Some("https://whatever.example:1"),
                open
            ),
            403
        );
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
        // RFC 9110: the scheme is case-insensitive; the token is not.
        for scheme in ["bearer s3cret", "BEARER s3cret", "  Bearer  s3cret "] {
            let header = [("authorization", scheme)];
            assert_eq!(
                send("POST", &header, PING, Some("s3cret")).status,
                200,
                "{scheme}"
            );
        }
        for wrong in [
            "Bearer S3CRET",
            "Basic s3cret",
            "Bearers3cret",
            "s3cret",
            "Bearer",
        ] {
            let header = [("authorization", wrong)];
            assert_eq!(
                send("POST", &header, PING, Some("s3cret")).status,
                401,
                "{wrong}"
            );
        }
    }

    #[test]
    fn a_broken_bearer_setting_refuses_everyone() {
        let policy = AccessPolicy {
            bearer_problem: Some("MCP_AUTH_TOKEN is set but blank"),
            ..AccessPolicy::default()
        };
        let headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("authorization".to_string(), "Bearer ".to_string()),
        ];
        let request = HttpExchange {
            method: "POST",
            authority: Some("localhost"),
            headers: &headers,
            body: PING,
        };
        let reply = pollster::block_on(handle(&INFO, &NoTools, policy, request, None));
        assert_eq!(reply.status, 503);
        assert!(String::from_utf8_lossy(&reply.body).contains("blank"));
    }

    #[test]
    fn headers_are_checked() {
        // The sixteenth review: two tokens (or hosts, or origins) in one request are refused.
        for name in ["authorization", "host", "origin"] {
            let headers: Vec<(String, String)> = [
                ("content-type", "application/json"),
                ("accept", "application/json, text/event-stream"),
                (name, "a"),
                (name, "b"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            let request = HttpExchange {
                method: "POST",
                authority: Some("127.0.0.1:3000"),
                headers: &headers,
                body: PING,
            };
            let reply = pollster::block_on(handle(
                &INFO,
                &NoTools,
                AccessPolicy::default(),
                request,
                None,
            ));
            assert_eq!(reply.status, 400, "{name}");
        }
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
        let answer: Value = serde_json::from_slice(&bad.body).unwrap();
        assert_eq!(answer["id"], 1, "answered with the request's id: {answer}");
        assert_eq!(answer["error"]["code"], -32022);
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
                authority: None,
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
                authority: None,
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
                authority: None,
                headers: &sse,
                body: no_token
            },
            &no_headers
        ));
        let guarded = AccessPolicy {
            bearer_token: Some("s"),
            ..AccessPolicy::default()
        };
        assert!(
            !streams(
                guarded,
                HttpExchange {
                    method: "POST",
                    authority: None,
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
