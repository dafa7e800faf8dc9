//! The server component: `wasi:http/incoming-handler` serving `/mcp` and `/health/argocd`.
//! Settings come from host variables (Spin variables through wasi:config, else the environment);
//! the Argo CD session is cached in the host key-value store `default`, shared by all instances.

// The streamed call's future (a tool run through every layer of the core, over the assembled
// host's generic ports) nests deeper than rustc's default limit for computing its layout.
#![recursion_limit = "256"]

use argocd_mcp::host::{HostPorts, StoreError, TokenStore};
use argocd_mcp::mcp::http::{self, HttpExchange, MAX_BODY_BYTES};
use argocd_mcp::mcp::server::MessageSink;
use argocd_mcp::service;
use argocd_mcp::settings::Settings;
use argocd_mcp_wasi_host::{WasiClock, WasiHttp};
use wstd::http::{Body, Error, Request, Response};

mod bindings {
    wit_bindgen::generate!({ path: "../../wit", world: "server", generate_all });
}

use bindings::wasi::config::store as config;
use bindings::wasi::keyvalue::atomics;
use bindings::wasi::keyvalue::store as keyvalue;

/// The key-value store Spin opens for `key_value_stores = ["default"]`.
const STORE: &str = "default";

/// The host as the core sees it: WASI's HTTP and clocks, and the store below.
type ServerHost = HostPorts<WasiHttp, SpinStore, WasiClock>;

/// The host's key-value store `default` (Spin's), shared by every instance.
struct SpinStore(Result<keyvalue::Bucket, StoreError>);

fn kv_error(error: keyvalue::Error) -> StoreError {
    match error {
        keyvalue::Error::NoSuchStore => {
            StoreError::Unavailable(format!("key-value store '{STORE}' does not exist"))
        }
        keyvalue::Error::AccessDenied => {
            StoreError::Unavailable(format!("no access to key-value store '{STORE}'"))
        }
        keyvalue::Error::Other(why) => StoreError::Failed(why),
    }
}

impl SpinStore {
    fn bucket(&self) -> Result<&keyvalue::Bucket, StoreError> {
        self.0.as_ref().map_err(Clone::clone)
    }
}

impl TokenStore for SpinStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.bucket()?.get(key).map_err(kv_error)
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.bucket()?.set(key, value).map_err(kv_error)
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.bucket()?.delete(key).map_err(kv_error)
    }
    fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
        atomics::increment(self.bucket()?, key, delta).map_err(kv_error)
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let bucket = self.bucket()?;
        let mut keys = Vec::new();
        let mut cursor = None;
        loop {
            let page = bucket.list_keys(cursor.as_deref()).map_err(kv_error)?;
            keys.extend(page.keys);
            match page.cursor {
                Some(next) if cursor.as_ref() != Some(&next) => cursor = Some(next),
                _ => return Ok(keys),
            }
        }
    }
}

/// Host variables first (Spin), then the environment (`wasmtime serve --env`, the local runner).
fn load_settings() -> Settings {
    Settings::load(|name| {
        config::get(name.variable)
            .ok()
            .flatten()
            .filter(|v| !v.is_empty())
            .or_else(|| std::env::var(name.env).ok())
    })
}

fn open_host() -> ServerHost {
    HostPorts {
        http: WasiHttp,
        store: SpinStore(keyvalue::open(STORE).map_err(kv_error)),
        clock: WasiClock,
    }
}

/// Sends each message as an SSE event down the response body while the tool runs.
struct EventChannel(futures_channel::mpsc::UnboundedSender<Vec<u8>>);

impl MessageSink for EventChannel {
    fn send(&self, message: &serde_json::Value) {
        let _ = self.0.unbounded_send(http::sse_event(message));
    }

    /// The body stream drops its receiver when writing to a client who hung up fails.
    fn is_closed(&self) -> bool {
        self.0.is_closed()
    }

    fn keep_alive(&self) {
        let _ = self.0.unbounded_send(http::sse_keep_alive());
    }
}

/// Answers with an SSE stream at once; a task runs the call, whose progress and final message
/// the channel carries down the body.
fn stream(call: Box<service::StreamedCall>) -> Result<Response<Body>, Error> {
    let (sender, receiver) = futures_channel::mpsc::unbounded::<Vec<u8>>();
    wstd::runtime::spawn(async move { call.run(&open_host(), &EventChannel(sender)).await })
        .detach();
    let mut response = Response::builder().status(200);
    for (name, value) in http::sse_headers() {
        response = response.header(name, value);
    }
    Ok(response.body(Body::from_stream(receiver))?)
}

/// The `wasi:http` handler, as `#[wstd::http_server]` would write it but for one thing: a client
/// that leaves in the middle of a streamed answer fails the body's write, which that macro
/// unwraps into a trap, killing the instance at once. Here it only ends the body, and the
/// runtime runs on until the stream's task has seen its client gone and wound down (a
/// subscription gives its place under the limits back).
struct Handler;

impl wstd::__internal::wasip2::exports::http::incoming_handler::Guest for Handler {
    fn handle(
        request: wstd::__internal::wasip2::http::types::IncomingRequest,
        response_out: wstd::__internal::wasip2::http::types::ResponseOutparam,
    ) {
        let responder = wstd::http::server::Responder::new(response_out);
        wstd::runtime::block_on(async move {
            // A request that cannot be read, or an answer that cannot be built, is answered
            // with a plain status here rather than by `Responder::fail`, which writes the error
            // out with its `Debug` form (and so brings in anyhow's and std's backtrace
            // printing, about 10 KB of the component, issue 16).
            let response = match wstd::http::request::try_from_incoming(request) {
                Ok(request) => handle(request).await.unwrap_or_else(|_| plain(500)),
                Err(_) => plain(400),
            };
            let _client_left = responder.respond(response).await;
        })
    }
}

wstd::__internal::wasip2::http::proxy::export!(Handler with_types_in wstd::__internal::wasip2);

async fn handle(request: Request<Body>) -> Result<Response<Body>, Error> {
    let (parts, body) = request.into_parts();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    // Read no further than the limit, whether the length is declared or the body is chunked;
    // one byte more than the limit tells the transport to refuse it (413).
    let too_big = || vec![0u8; MAX_BODY_BYTES + 1];
    let bytes = match body.content_length() {
        Some(declared) if declared > MAX_BODY_BYTES as u64 => too_big(),
        _ => match argocd_mcp_wasi_host::read_capped(body, MAX_BODY_BYTES).await? {
            (_, true) => too_big(),
            (bytes, false) => bytes,
        },
    };
    let authority = parts.uri.authority().map(|a| a.as_str().to_owned());
    let settings = std::sync::Arc::new(load_settings());
    let method = parts.method.to_string();
    // With the query: `/health/argocd?profile=…` names an instance.
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let exchange = HttpExchange {
        method: &method,
        authority: authority.as_deref(),
        headers: &headers,
        body: &bytes,
    };
    match service::serve(&open_host(), settings, exchange, &path).await {
        service::Answer::Whole(reply) => respond(reply),
        service::Answer::Stream(call) => stream(call),
    }
}

/// An answer with a status and no body.
fn plain(status: u16) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = wstd::http::StatusCode::from_u16(status)
        .unwrap_or(wstd::http::StatusCode::INTERNAL_SERVER_ERROR);
    response
}

fn respond(reply: http::HttpReply) -> Result<Response<Body>, Error> {
    let mut response = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    Ok(response.body(Body::from(reply.body))?)
}
