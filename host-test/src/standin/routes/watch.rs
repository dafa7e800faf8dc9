//! `GET /api/v1/stream/applications`: Argo CD's watch of applications (api-notes §d), as
//! `Server.Watch` (server/application/application.go:1251-1317), the stream forwarder
//! (argoproj/pkg v2.0.1 grpc/http/forwarders.go) and grpc-gateway v1.16
//! (runtime/handler.go `ForwardResponseStream`) serve it in v3.5.1:
//! - an ADDED event for every matching app first, unless `resourceVersion` is given without
//!   `name`; then the live events, never ending by itself. No history is replayed:
//!   `resourceVersion` only hides apps whose own version is lower (`isApplicationPermitted`);
//! - filtered as Watch filters: `projects` (or the legacy `project`, which wins), `name` *with*
//!   `appNamespace` (without `name`, `appNamespace` narrows nothing), `selector`, enabled
//!   namespaces, and RBAC (`applications, get`) judged per event;
//! - NDJSON (`application/json`), or SSE when `Accept` is exactly `text/event-stream`:
//!   `data: {json} \n\n` then the `\n` delimiter, and a `:\n` keepalive every 15 s;
//! - `fields` filters each message (and the error chunk) by any paths; a message equal to the
//!   last one sent for the same app name is skipped;
//! - errors are one final chunk `{"error":{grpc_code,http_code,message,http_status}}` with no
//!   delimiter; before any message, its `http_code` is the HTTP status.
//!
//! The response head waits for the first message, as it does behind Argo CD: the gateway reads
//! the gRPC stream's header before it writes anything, and the server sends that header with
//! its first message. A watch that matches nothing yet has no response head yet.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hyper::Response;
use hyper::http::request::Parts;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::{Instant, Interval, MissedTickBehavior};

use crate::standin::faults::{self, AnswerBody, Dropped, Fault};
use crate::standin::feed::{Event, EventType, WatchHandle};
use crate::standin::rbac::{self, Caller, Policy};
use crate::standin::{State, StateGuard};

use super::*;

/// The namespace of Argo CD's control plane: the only one with apps enabled in the stand-in.
const CONTROL_PLANE: &str = "argocd";

pub(super) async fn serve(
    state: &Arc<Mutex<State>>,
    parts: &Parts,
    fault: Option<Fault>,
) -> Result<Response<AnswerBody>, Dropped> {
    let params = Params(query_pairs(parts.uri.query().unwrap_or("")));
    let framing = Framing {
        // forwarders.go compares the whole header: `text/event-stream, */*` is NDJSON.
        sse: parts.headers.get("accept").and_then(|v| v.to_str().ok()) == Some("text/event-stream"),
        fields: Fields::of(&params),
    };
    let (subscription, keepalive) = {
        let mut s = StateGuard::touching(state.lock().unwrap_or_else(|e| e.into_inner()), None);
        if let Some(status) = s.fail_with {
            return Ok(match status {
                502 => super::text_reply(502, "<html><body><h1>502 Bad Gateway</h1></body></html>")
                    .map(faults::boxed),
                503 => framing.error_answer(
                    14,
                    "connection error: desc = \"transport: Error while dialing\"",
                ),
                _ => framing.error_answer(13, "internal error"),
            });
        }
        let caller = match caller(&s, bearer(&parts.headers).as_deref()) {
            Ok(caller) => caller,
            Err(message) => return Ok(framing.error_answer(16, &message)),
        };
        let query = match Query::of(&params, caller) {
            Ok(query) => query,
            Err(message) => return Ok(framing.error_answer(2, &message)),
        };
        // The informer's cache is current: the controller's progress so far is published first.
        crate::standin::step_controller(&mut s);
        let with_initial =
            params.get("resourceVersion").is_none_or(str::is_empty) || query.name.is_some();
        let policies = s.rbac.clone();
        let subscription = s.feed.subscribe(
            &policies,
            Box::new(move |app, p| query.permits(app, p)),
            with_initial,
        );
        (subscription, s.sse_keepalive)
    };
    let mut stream = Stream {
        initial: subscription
            .initial
            .into_iter()
            .map(|app| {
                Arc::new(Event {
                    kind: EventType::Added,
                    app,
                })
            })
            .collect(),
        events: subscription.events,
        _handle: subscription.handle,
        last: HashMap::new(),
        sent: 0,
        fault,
        keepalive: None,
        keepalive_every: keepalive,
        over: false,
        framing,
    };
    let content_type = stream.framing.content_type();
    match stream.next().await {
        Some(Ok(Chunk::Message(first))) => {
            let rest = futures_util::stream::unfold(stream, |mut stream| async move {
                let chunk = stream.next().await?;
                Some((chunk.map(Chunk::into_bytes), stream))
            });
            let body = futures_util::StreamExt::chain(
                futures_util::stream::once(async { Ok(first) }),
                rest,
            );
            Ok(stream_answer(content_type, 200, faults::cut_short(body)))
        }
        Some(Ok(Chunk::Error(chunk, status))) => {
            Ok(stream_answer(content_type, status, chunked(chunk)))
        }
        // A keepalive never comes first; a stream that ends before its first message (the
        // feed gone with the stand-in) or is dropped has no answer.
        Some(Ok(Chunk::Keepalive(_))) | Some(Err(Dropped)) | None => Err(Dropped),
    }
}

/// One chunk as a streamed body: chunked like every answer of a stream, even a lone error
/// (ForwardResponseStream sets `Transfer-Encoding: chunked` first).
fn chunked(chunk: Bytes) -> AnswerBody {
    faults::cut_short(futures_util::stream::once(async { Ok(chunk) }))
}

/// A stream's answer: chunked, with the marshaler's content type (and, for SSE, the headers
/// the forwarder adds).
fn stream_answer(content_type: &str, status: u16, body: AnswerBody) -> Response<AnswerBody> {
    let mut answer = Response::builder()
        .status(status)
        .header("content-type", content_type);
    if content_type == "text/event-stream" {
        answer = answer.header("x-content-type-options", "nosniff");
    }
    answer.body(body).expect("valid response")
}

/// What a watch asks for (`ApplicationQuery`), and who asks.
struct Query {
    /// `None` for all apps (an empty `name` is no name).
    name: Option<String>,
    /// `appNamespace`, or the control plane's: compared only together with `name`.
    namespace: String,
    projects: Vec<String>,
    selector: Option<String>,
    /// Apps with a lower `metadata.resourceVersion` are not sent (`strconv.Atoi`; unparsable:
    /// 0, nothing hidden).
    min_version: i64,
    caller: Caller,
}

impl Query {
    fn of(params: &Params, caller: Caller) -> Result<Query, String> {
        let selector = params
            .get("selector")
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if let Some(selector) = &selector
            && let Err(message) = selector_matches(selector, &json!({}))
        {
            let why = message
                .strip_prefix("error parsing the selector: ")
                .unwrap_or(&message);
            return Err(format!("error parsing labels with selectors: {why}"));
        }
        let legacy = params.all("project");
        let projects = if legacy.is_empty() {
            params.all("projects")
        } else {
            legacy
        };
        Ok(Query {
            name: params
                .get("name")
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            namespace: params
                .get("appNamespace")
                .filter(|n| !n.is_empty())
                .unwrap_or(CONTROL_PLANE)
                .to_owned(),
            projects: projects.into_iter().map(str::to_owned).collect(),
            selector,
            min_version: params
                .get("resourceVersion")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            caller,
        })
    }

    /// `isApplicationPermitted`, in its order.
    fn permits(&self, app: &Value, policies: &[Policy]) -> bool {
        let metadata = &app["metadata"];
        // `Spec.GetProject()`: an empty project is `default`.
        let project = app["spec"]["project"]
            .as_str()
            .filter(|p| !p.is_empty())
            .unwrap_or("default");
        if !self.projects.is_empty() && !self.projects.iter().any(|p| p == project) {
            return false;
        }
        if metadata["resourceVersion"]
            .as_str()
            .and_then(|v| v.parse::<i64>().ok())
            .is_some_and(|v| v < self.min_version)
        {
            return false;
        }
        let name = metadata["name"].as_str().unwrap_or("");
        let namespace = metadata["namespace"].as_str().unwrap_or("");
        if self
            .name
            .as_ref()
            .is_some_and(|wanted| wanted != name || self.namespace != namespace)
        {
            return false;
        }
        if let Some(selector) = &self.selector
            && !selector_matches(selector, &metadata["labels"]).unwrap_or(false)
        {
            return false;
        }
        if namespace != CONTROL_PLANE {
            return false;
        }
        rbac::allows(
            policies,
            &self.caller,
            "applications",
            "get",
            &format!("{project}/{name}"),
        )
    }
}

/// How messages are written: NDJSON or SSE, through `fields` or not.
struct Framing {
    sse: bool,
    fields: Option<Fields>,
}

impl Framing {
    /// The message for an event: `{"result":{"type":…,"application":…}}`, keys in Go's struct
    /// order (through `fields`, the marshaler goes through a map: sorted keys, as here).
    fn message(&self, event: &Event) -> Vec<u8> {
        match &self.fields {
            None => format!(
                r#"{{"result":{{"type":"{}","application":{}}}}}"#,
                event.kind.as_str(),
                event.app
            )
            .into_bytes(),
            Some(fields) => {
                let mut message =
                    json!({"result": {"type": event.kind.as_str(), "application": event.app}});
                fields.filter(&mut message);
                message.to_string().into_bytes()
            }
        }
    }

    /// The error chunk for gRPC `code`, and the HTTP status it maps to (grpc-gateway
    /// `HTTPStatusFromCode`).
    fn error(&self, code: u16, message: &str) -> (Bytes, u16) {
        let (status, text) = http_status(code);
        let data = match &self.fields {
            None => format!(
                r#"{{"error":{{"grpc_code":{code},"http_code":{status},"message":{},"http_status":"{text}"}}}}"#,
                json!(message)
            ),
            Some(fields) => {
                let mut chunk = json!({"error": {"grpc_code": code, "http_code": status, "message": message, "http_status": text}});
                fields.filter(&mut chunk);
                chunk.to_string()
            }
        };
        // No delimiter after the error chunk.
        (self.frame(data.into_bytes(), false), status)
    }

    /// The answer of a watch that fails before its first message.
    fn error_answer(&self, code: u16, message: &str) -> Response<AnswerBody> {
        let (chunk, status) = self.error(code, message);
        stream_answer(self.content_type(), status, chunked(chunk))
    }

    fn content_type(&self) -> &'static str {
        if self.sse {
            "text/event-stream"
        } else {
            "application/json"
        }
    }

    fn frame(&self, data: Vec<u8>, delimited: bool) -> Bytes {
        let mut out = if self.sse {
            let mut framed = b"data: ".to_vec();
            framed.extend_from_slice(&data);
            framed.extend_from_slice(b" \n\n");
            framed
        } else {
            data
        };
        if delimited {
            out.push(b'\n');
        }
        Bytes::from(out)
    }
}

/// grpc-gateway v1.16 `HTTPStatusFromCode`, with Go's `http.StatusText`.
fn http_status(code: u16) -> (u16, &'static str) {
    match code {
        0 => (200, "OK"),
        1 => (408, "Request Timeout"),
        3 | 9 | 11 => (400, "Bad Request"),
        4 => (504, "Gateway Timeout"),
        5 => (404, "Not Found"),
        6 | 10 => (409, "Conflict"),
        7 => (403, "Forbidden"),
        8 => (429, "Too Many Requests"),
        12 => (501, "Not Implemented"),
        14 => (503, "Service Unavailable"),
        16 => (401, "Unauthorized"),
        _ => (500, "Internal Server Error"),
    }
}

enum Chunk {
    Message(Bytes),
    Keepalive(Bytes),
    /// The final chunk, and the status it gives when it comes first.
    Error(Bytes, u16),
}

impl Chunk {
    fn into_bytes(self) -> Bytes {
        match self {
            Chunk::Message(bytes) | Chunk::Keepalive(bytes) | Chunk::Error(bytes, _) => bytes,
        }
    }
}

/// One open watch, as its body is written.
struct Stream {
    initial: VecDeque<Arc<Event>>,
    events: mpsc::Receiver<Arc<Event>>,
    /// Counts this watch as open until the body is dropped (the client left, or it ended).
    _handle: WatchHandle,
    framing: Framing,
    /// The last message sent per app name (forwarders.go `dataByKey`).
    last: HashMap<String, Vec<u8>>,
    /// Messages sent so far, for the faults.
    sent: usize,
    fault: Option<Fault>,
    /// SSE only, from the first message on (the forwarder starts its ticker then).
    keepalive: Option<Interval>,
    keepalive_every: Duration,
    over: bool,
}

impl Stream {
    async fn next(&mut self) -> Option<Result<Chunk, Dropped>> {
        loop {
            if self.over {
                return None;
            }
            match &self.fault {
                Some(Fault::DropAfter(after)) if self.sent >= *after => {
                    self.over = true;
                    // hyper writes out what it holds only when the body waits: without this
                    // pause the events already sent would be lost with the connection.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    return Some(Err(Dropped));
                }
                Some(Fault::StallAfter(after)) if self.sent >= *after => {
                    std::future::pending::<()>().await;
                }
                Some(Fault::ErrorAfter(after, code, message)) if self.sent >= *after => {
                    self.over = true;
                    let (chunk, status) = self.framing.error(*code, message);
                    return Some(Ok(Chunk::Error(chunk, status)));
                }
                _ => {}
            }
            let event = match self.initial.pop_front() {
                Some(event) => event,
                None => {
                    let next = match self.keepalive.as_mut() {
                        Some(keepalive) => tokio::select! {
                            event = self.events.recv() => event,
                            _ = keepalive.tick() => {
                                return Some(Ok(Chunk::Keepalive(Bytes::from_static(b":\n"))));
                            }
                        },
                        None => self.events.recv().await,
                    };
                    let Some(event) = next else {
                        // The feed is gone with the stand-in.
                        self.over = true;
                        return None;
                    };
                    event
                }
            };
            let data = self.framing.message(&event);
            let key = event.app["metadata"]["name"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            if self.last.get(&key) == Some(&data) {
                continue;
            }
            self.last.insert(key, data.clone());
            self.sent += 1;
            if self.framing.sse && self.keepalive.is_none() {
                let every = self.keepalive_every;
                let mut keepalive = tokio::time::interval_at(Instant::now() + every, every);
                keepalive.set_missed_tick_behavior(MissedTickBehavior::Delay);
                self.keepalive = Some(keepalive);
            }
            return Some(Ok(Chunk::Message(self.framing.frame(data, true))));
        }
    }
}
