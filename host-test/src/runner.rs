//! The local runner: the server component over HTTP or stdio for people without Spin, with the
//! settings Spin would give it taken from environment variables.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use argocd_mcp::mcp::http::MAX_BODY_BYTES;
use bytes::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use wasmtime::Result;

use crate::embed::{Harness, HostEnv};
use crate::standin::{self, StandIn};

/// Over stdio in user mode: the token of the one user this process serves.
pub const USER_TOKEN_ENV: &str = "MCP_USER_TOKEN";

/// Reads the settings from the environment; with `demo`, starts a stand-in and points at it.
pub async fn host_env(demo: bool) -> Result<(HostEnv, Option<StandIn>)> {
    // Every setting under its environment name, passed on as the Spin variable it is there.
    let mut variables: HashMap<String, String> = argocd_mcp::settings::all()
        .filter_map(|s| {
            std::env::var(s.env)
                .ok()
                .map(|v| (s.variable.to_owned(), v))
        })
        .collect();
    // The store lives in this process alone, so a key of its own seals it (see `store_seal`):
    // nobody has to choose one, and none is ever written anywhere.
    variables
        .entry(argocd_mcp::settings::STORE_KEY.variable.to_owned())
        .or_insert_with(|| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>())
        });
    let standin = if demo {
        let apps = std::env::var("DEMO_APPS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(200);
        let standin = StandIn::start(standin::Config {
            fleet_size: apps,
            operation_time: std::time::Duration::from_secs(3),
            ..standin::Config::default()
        })
        .await?;
        variables.insert("argocd_url".into(), standin.url());
        variables.remove("argocd_token");
        variables.insert("argocd_username".into(), "admin".into());
        variables.insert("argocd_password".into(), "password".into());
        eprintln!(
            "argocd-mcp: demo Argo CD stand-in with {} apps at {} (admin/password)",
            apps + standin::showcase().len(),
            standin.url()
        );
        Some(standin)
    } else {
        None
    };
    Ok((
        HostEnv {
            variables,
            ..HostEnv::default()
        },
        standin,
    ))
}

/// MCP Streamable HTTP on `listen`: every request gets a fresh instance, as on Spin.
pub async fn serve(harness: Harness, env: HostEnv, listen: SocketAddr) -> Result<()> {
    let listener = TcpListener::bind(listen).await?;
    eprintln!(
        "argocd-mcp: serving MCP on http://{}/mcp and the health check on http://{}/health/argocd",
        listener.local_addr()?,
        listener.local_addr()?
    );
    let shared = Arc::new((harness, env));
    loop {
        let (stream, _) = listener.accept().await?;
        // Answers go out at once on kept-alive connections (no Nagle wait for an ACK).
        stream.set_nodelay(true).ok();
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let shared = shared.clone();
                async move {
                    let (harness, env) = &*shared;
                    match harness.serve(env, request).await {
                        Ok(response) => Ok::<_, std::convert::Infallible>(response.map(|b| {
                            use http_body_util::BodyExt;
                            b.map_err(|e| std::io::Error::other(format!("{e:?}")))
                                .boxed_unsync()
                        })),
                        Err(e) => {
                            eprintln!("argocd-mcp: request failed: {e:#}");
                            use http_body_util::{BodyExt, Full};
                            let body = Full::new(Bytes::from_static(b"internal error"))
                                .map_err(|never| match never {})
                                .boxed_unsync();
                            Ok(hyper::Response::builder()
                                .status(500)
                                .body(body)
                                .expect("valid response"))
                        }
                    }
                }
            });
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// MCP over stdio: one JSON-RPC message per line in, one per line out. Each message goes to
/// the server component as a POST /mcp, so stdio and HTTP share every check and answer; SSE
/// answers (a call with a progress token) are relayed event by event as they arrive. Messages
/// are served at once, side by side (a long wait does not hold up a `tools/list`), so answers may
/// come out of order, as JSON-RPC allows; `notifications/cancelled` stops the request it names
/// (its instance is dropped) and that request gets no answer, as the spec asks. Several
/// `subscriptions/listen` share the channel, their notifications told apart by the id each
/// carries; `notifications/cancelled` ends one, and stdin closing ends them all.
///
/// In user mode (`ARGOCD_AUTH_MODE=user`) there is no browser to sign in with: the one user of
/// this process gives their token in `MCP_USER_TOKEN`, and every message carries it as a bearer,
/// checked and exchanged as over HTTP.
pub async fn stdio(harness: Harness, env: HostEnv) -> Result<()> {
    let bearer: Arc<Option<String>> = Arc::new(
        std::env::var(USER_TOKEN_ENV)
            .ok()
            .filter(|t| !t.trim().is_empty())
            .map(|t| format!("Bearer {}", t.trim())),
    );
    let mirrored = Arc::new(mirrored_arguments(&harness, &env, bearer.as_deref()).await?);
    let shared = Arc::new((harness, env));
    let stdout = Arc::new(tokio::sync::Mutex::new(tokio::io::stdout()));
    let in_flight: Arc<std::sync::Mutex<HashMap<String, tokio::task::AbortHandle>>> =
        Arc::default();
    let mut tasks = tokio::task::JoinSet::new();
    // Subscriptions never end by themselves: when the client goes (stdin closed) they end with it.
    let mut subscriptions: Vec<tokio::task::AbortHandle> = Vec::new();
    let mut input = BufReader::new(tokio::io::stdin());
    while let Some(line) = bounded_line(&mut input, MAX_BODY_BYTES).await? {
        let Some(line) = line else {
            // Over the limit: its bytes were skipped, not kept; say so as HTTP would (413).
            let refusal = serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32600,
                "message": format!("Payload too large: at most {MAX_BODY_BYTES} bytes per message")}});
            let mut out = stdout.lock().await;
            out.write_all(format!("{refusal}\n").as_bytes()).await?;
            out.flush().await?;
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        let message = serde_json::from_str::<serde_json::Value>(&line).ok();
        if let Some(message) = &message
            && message["method"] == "notifications/cancelled"
        {
            let named = request_key(&message["params"]["requestId"]);
            let cancelled = in_flight
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&named);
            if let Some(task) = cancelled {
                task.abort();
            }
            continue;
        }
        // A request (a method and an id) must be answered with its id, whatever happens.
        let id = message
            .as_ref()
            .and_then(|m| m.get("id").filter(|_| m.get("method").is_some()))
            .cloned();
        let key = id.as_ref().map(request_key);
        let listens = message
            .as_ref()
            .is_some_and(|m| m["method"] == "subscriptions/listen");
        let (shared, stdout, in_flight_after) = (shared.clone(), stdout.clone(), in_flight.clone());
        let mirrored = mirrored.clone();
        let bearer = bearer.clone();
        let done_key = key.clone();
        // The lock is held until the handle is in the map, so the task cannot remove it first.
        let mut registry = in_flight.lock().unwrap_or_else(|e| e.into_inner());
        let task = tasks.spawn(async move {
            let (harness, env) = &*shared;
            let outcome = answer_line(
                harness,
                env,
                line,
                id.as_ref(),
                &mirrored,
                bearer.as_deref(),
                &stdout,
            )
            .await;
            let outcome = match (outcome, &id) {
                (Err(failure), Some(id)) => {
                    // The component could not be asked: still an answer, with the id.
                    let answer = serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {
                        "code": -32603, "message": format!("internal error: {failure:#}")}});
                    write_line(&stdout, answer.to_string().as_bytes()).await
                }
                (outcome, _) => outcome,
            };
            if let Some(key) = done_key {
                in_flight_after
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&key);
            }
            outcome
        });
        if listens {
            subscriptions.retain(|open| !open.is_finished());
            subscriptions.push(task.clone());
        }
        if let Some(key) = key {
            registry.insert(key, task);
        }
        drop(registry);
        while let Some(finished) = tasks.try_join_next() {
            report(finished);
        }
    }
    // The client left: what it asked is still answered, what it listened to ends.
    for open in subscriptions {
        open.abort();
    }
    while let Some(finished) = tasks.join_next().await {
        report(finished);
    }
    Ok(())
}

/// The next line of `input` (`None` at the end), read no further than `limit` bytes: a longer
/// line is skipped to its end and given as `Some(None)`.
async fn bounded_line<R: tokio::io::AsyncBufRead + Unpin>(
    input: &mut R,
    limit: usize,
) -> std::io::Result<Option<Option<String>>> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let available = input.fill_buf().await?;
        if available.is_empty() {
            return Ok(if line.is_empty() && !too_long {
                None
            } else {
                Some((!too_long).then(|| String::from_utf8_lossy(&line).into_owned()))
            });
        }
        let (taken, ended) = match available.iter().position(|b| *b == b'\n') {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        if !too_long {
            line.extend_from_slice(&available[..taken]);
            if line.len() > limit + 1 {
                too_long = true;
                line = Vec::new();
            }
        }
        input.consume(taken);
        if ended {
            return Ok(Some(
                (!too_long).then(|| String::from_utf8_lossy(&line).trim_end().to_owned()),
            ));
        }
    }
}

/// A request id as a map key: `1` and `"1"` are different ids.
fn request_key(id: &serde_json::Value) -> String {
    id.to_string()
}

fn report(finished: Result<Result<()>, tokio::task::JoinError>) {
    match finished {
        Ok(Err(e)) => eprintln!("argocd-mcp: a message failed: {e:#}"),
        Err(e) if e.is_panic() => eprintln!("argocd-mcp: a message failed: {e}"),
        _ => {}
    }
}

/// Serves one stdio line as a POST /mcp and writes what comes back, message by message. An
/// error the transport answered without an id (it refuses before reading the message, as for a
/// bearer it does not accept) gets the id of the request it answers: over stdio the runner knows
/// it.
async fn answer_line(
    harness: &Harness,
    env: &HostEnv,
    line: String,
    id: Option<&serde_json::Value>,
    mirrored: &MirroredArguments,
    bearer: Option<&str>,
    stdout: &tokio::sync::Mutex<tokio::io::Stdout>,
) -> Result<()> {
    use http_body_util::BodyExt;
    let mut request = hyper::Request::post("http://localhost/mcp")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("host", "localhost");
    if let Some(bearer) = bearer {
        request = request.header("authorization", bearer);
    }
    for (name, value) in mirrored_headers(&line, mirrored) {
        request = request.header(name, value);
    }
    let request = request.body(http_body_util::Full::new(Bytes::from(line)))?;
    let response = harness.serve(env, request).await?;
    let sse = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/event-stream"));
    let mut body = response.into_body();
    let mut pending: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| wasmtime::format_err!("reading the answer: {e:?}"))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        pending.extend_from_slice(&data);
        if !sse {
            continue;
        }
        while let Some(end) = find(&pending, b"\n\n") {
            let event: Vec<u8> = pending.drain(..end + 2).collect();
            for message in event_data(&event) {
                write_line(stdout, &message).await?;
            }
        }
    }
    if !sse && !pending.is_empty() {
        let answer = match (id, serde_json::from_slice::<serde_json::Value>(&pending)) {
            (Some(id), Ok(mut answer))
                if answer.get("error").is_some() && answer["id"].is_null() =>
            {
                answer["id"] = id.clone();
                answer.to_string().into_bytes()
            }
            _ => pending,
        };
        write_line(stdout, &answer).await?;
    }
    Ok(())
}

/// One whole message per line, never interleaved with another task's.
async fn write_line(stdout: &tokio::sync::Mutex<tokio::io::Stdout>, message: &[u8]) -> Result<()> {
    let mut stdout = stdout.lock().await;
    stdout.write_all(message).await?;
    stdout.write_all(b"\n").await?;
    stdout.flush().await?;
    Ok(())
}

/// Tool arguments whose schemas carry `x-mcp-header`, by tool: (argument, header name).
pub type MirroredArguments = HashMap<String, Vec<(String, String)>>;

/// Asks the component for its tools once and notes which arguments it wants mirrored into
/// `Mcp-Param-*` headers, as an HTTP client reads them from `tools/list`.
async fn mirrored_arguments(
    harness: &Harness,
    env: &HostEnv,
    bearer: Option<&str>,
) -> Result<MirroredArguments> {
    let list = serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "tools/list"});
    let mut request = http::Request::post("http://localhost/mcp")
        .header("content-type", "application/json")
        .header("host", "localhost");
    if let Some(bearer) = bearer {
        request = request.header("authorization", bearer);
    }
    let request = request.body(Bytes::from(list.to_string()))?;
    let answer = harness.request(env, request).await?.json()?;
    let mut mirrored = MirroredArguments::new();
    for tool in answer["result"]["tools"].as_array().into_iter().flatten() {
        let annotated: Vec<(String, String)> = tool["inputSchema"]["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(argument, schema)| {
                let header = schema.get("x-mcp-header")?.as_str()?;
                Some((argument.clone(), header.to_owned()))
            })
            .collect();
        if let (Some(name), false) = (tool["name"].as_str(), annotated.is_empty()) {
            mirrored.insert(name.to_owned(), annotated);
        }
    }
    Ok(mirrored)
}

/// The headers an HTTP client of 2026-07-28 mirrors from a message (version, method, name, and
/// the arguments the tool marks with `x-mcp-header`), so that a stdio message passes the same
/// checks as one sent over HTTP. Handshake-era messages (no `_meta` version) need none.
pub fn mirrored_headers(line: &str, mirrored: &MirroredArguments) -> Vec<(String, String)> {
    let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
        return Vec::new();
    };
    let params = &message["params"];
    let Some(version) = params["_meta"]["io.modelcontextprotocol/protocolVersion"].as_str() else {
        return Vec::new();
    };
    if !is_plain(version) {
        // No version has such a form (a control character, a trailing newline): no header can
        // carry it, and the server judges the body's version alone (-32022, with the id).
        return Vec::new();
    }
    let mut headers = vec![("mcp-protocol-version".to_owned(), version.to_owned())];
    let Some(method) = message["method"].as_str() else {
        return headers;
    };
    headers.push(("mcp-method".to_owned(), header_value(method)));
    let name = match method {
        "tools/call" | "prompts/get" => params["name"].as_str(),
        "resources/read" => params["uri"].as_str(),
        _ => None,
    };
    let Some(name) = name else {
        return headers;
    };
    headers.push(("mcp-name".to_owned(), header_value(name)));
    if method == "tools/call" {
        for (argument, header) in mirrored.get(name).into_iter().flatten() {
            let value = match &params["arguments"][argument] {
                serde_json::Value::String(text) => text.clone(),
                value @ (serde_json::Value::Bool(_) | serde_json::Value::Number(_)) => {
                    value.to_string()
                }
                _ => continue,
            };
            headers.push((format!("mcp-param-{header}"), header_value(&value)));
        }
    }
    headers
}

/// A value as a header carries it: plain when it is visible ASCII, else `=?base64?…?=`.
fn header_value(value: &str) -> String {
    use base64::Engine;
    if is_plain(value) {
        value.to_owned()
    } else {
        format!(
            "=?base64?{}?=",
            base64::engine::general_purpose::STANDARD.encode(value)
        )
    }
}

/// Whether a header can carry `value` as it is: visible ASCII, and not itself an encoding.
fn is_plain(value: &str) -> bool {
    !value.is_empty()
        && value.bytes().all(|b| (0x21..=0x7e).contains(&b))
        && !(value.starts_with("=?base64?") && value.ends_with("?="))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The `data:` payloads of one SSE event.
fn event_data(event: &[u8]) -> Vec<Vec<u8>> {
    String::from_utf8_lossy(event)
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(|d| d.trim().as_bytes().to_vec())
        .filter(|d| !d.is_empty())
        .collect()
}
/// The README's tool table, generated from the tool definitions so it cannot drift.
pub fn tools_table() -> String {
    let mut table = String::from(
        "| tool | changes Argo CD | what it is for | arguments |\n|---|---|---|---|\n",
    );
    for tool in argocd_mcp::tools::definitions(false) {
        let required: Vec<&str> = tool.input_schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let arguments: Vec<String> = tool.input_schema["properties"]
            .as_object()
            .map(|p| {
                p.keys()
                    .map(|k| {
                        if required.contains(&k.as_str()) {
                            format!("`{k}`")
                        } else {
                            format!("`{k}?`")
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let changes = if tool.annotations.read_only_hint {
            "no"
        } else {
            "yes (confirm: true)"
        };
        table.push_str(&format!(
            "| `{}` | {changes} | {} | {} |\n",
            tool.name,
            tool.description,
            arguments.join(", ")
        ));
    }
    table
}
