//! The server component: `wasi:http/incoming-handler` serving `/mcp` and `/health/argocd`.
//! Settings come from host variables (Spin variables through wasi:config, else the environment);
//! the Argo CD session is cached in the host key-value store `default`, shared by all instances.

use argocd_mcp::host::TokenStore;
use argocd_mcp::mcp::http::{self, HttpExchange, MAX_BODY_BYTES};
use argocd_mcp::mcp::server::MessageSink;
use argocd_mcp::service;
use argocd_mcp::settings::Settings;
use argocd_mcp_wasi_host::WasiHttp;
use wstd::http::{Body, Error, Request, Response};

mod bindings {
    wit_bindgen::generate!({ path: "../../wit", world: "server", generate_all });
}

use bindings::wasi::config::store as config;
use bindings::wasi::keyvalue::atomics;
use bindings::wasi::keyvalue::store as keyvalue;

/// The key-value store Spin opens for `key_value_stores = ["default"]`.
const STORE: &str = "default";

struct ServerHost {
    http: WasiHttp,
    bucket: Result<keyvalue::Bucket, String>,
}

fn kv_error(error: keyvalue::Error) -> String {
    match error {
        keyvalue::Error::NoSuchStore => format!("key-value store '{STORE}' does not exist"),
        keyvalue::Error::AccessDenied => format!("no access to key-value store '{STORE}'"),
        keyvalue::Error::Other(why) => why,
    }
}

impl TokenStore for ServerHost {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.bucket
            .as_ref()
            .map_err(Clone::clone)?
            .get(key)
            .map_err(kv_error)
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        self.bucket
            .as_ref()
            .map_err(Clone::clone)?
            .set(key, value)
            .map_err(kv_error)
    }
    fn delete(&self, key: &str) -> Result<(), String> {
        self.bucket
            .as_ref()
            .map_err(Clone::clone)?
            .delete(key)
            .map_err(kv_error)
    }
    fn increment(&self, key: &str, delta: i64) -> Result<i64, String> {
        let bucket = self.bucket.as_ref().map_err(Clone::clone)?;
        atomics::increment(bucket, key, delta).map_err(kv_error)
    }
    fn keys(&self) -> Result<Vec<String>, String> {
        let bucket = self.bucket.as_ref().map_err(Clone::clone)?;
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

impl argocd_mcp::host::HttpClient for ServerHost {
    async fn send(
        &self,
        request: argocd_mcp::host::HttpRequest,
    ) -> Result<argocd_mcp::host::HttpResponse, argocd_mcp::host::HttpError> {
        self.http.send(request).await
    }
}

impl argocd_mcp::host::Clock for ServerHost {
    fn now_unix_ms(&self) -> u64 {
        self.http.now_unix_ms()
    }
    async fn sleep(&self, duration: std::time::Duration) {
        self.http.sleep(duration).await
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
    ServerHost {
        http: WasiHttp,
        bucket: keyvalue::open(STORE).map_err(kv_error),
    }
}

/// Sends each message as an SSE event down the response body while the tool runs.
struct EventChannel(futures_channel::mpsc::UnboundedSender<Vec<u8>>);

impl MessageSink for EventChannel {
    fn send(&self, message: &serde_json::Value) {
        let _ = self.0.unbounded_send(http::sse_event(message));
    }

    /// The body stream drops its receiver when the client hangs up.
    fn is_closed(&self) -> bool {
        self.0.is_closed()
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

#[wstd::http_server]
async fn main(request: Request<Body>) -> Result<Response<Body>, Error> {
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
    let settings = load_settings();
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
    match service::serve(&open_host(), &settings, exchange, &path).await {
        service::Answer::Whole(reply) => respond(reply),
        service::Answer::Stream(call) => stream(call),
    }
}

fn respond(reply: http::HttpReply) -> Result<Response<Body>, Error> {
    let mut response = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    Ok(response.body(Body::from(reply.body))?)
}
