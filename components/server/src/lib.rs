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
use argocd_mcp_wasi_host::body::{BodyReader, BodyWriter, field_list, stated_length, text_headers};
use argocd_mcp_wasi_host::{WasiClock, WasiHttp};
use wasip2::exports::http::incoming_handler::{self, ResponseOutparam};
use wasip2::http::types::{Fields, IncomingRequest, Method, OutgoingResponse};

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

    /// The answer's writer drops its receiver when writing to a client who hung up fails.
    fn is_closed(&self) -> bool {
        self.0.is_closed()
    }

    fn keep_alive(&self) {
        let _ = self.0.unbounded_send(http::sse_keep_alive());
    }
}

/// The `wasi:http` handler. A client that leaves in the middle of a streamed answer fails the
/// body's write, which only ends the body here: the runtime runs on until the stream's task has
/// seen its client gone and wound down (a subscription gives its place under the limits back).
struct Handler;

impl incoming_handler::Guest for Handler {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        wstd::runtime::block_on(answer(request, response_out))
    }
}

wasip2::http::proxy::export!(Handler with_types_in wasip2);

async fn answer(request: IncomingRequest, out: ResponseOutparam) {
    let headers: Vec<(String, Vec<u8>)> = request.headers().entries();
    let Ok(body) = request.consume() else {
        return respond(out, 400, &[], b"").await;
    };
    let Ok(mut body) = BodyReader::new(body) else {
        return respond(out, 400, &[], b"").await;
    };
    // Read no further than the limit, whether the length is declared or the body is chunked;
    // one byte more than the limit tells the transport to refuse it (413).
    let too_big = || vec![0u8; MAX_BODY_BYTES + 1];
    let bytes = match stated_length(&headers) {
        Some(declared) if declared > MAX_BODY_BYTES as u64 => too_big(),
        stated => match body.read_capped(MAX_BODY_BYTES, stated).await {
            Ok((_, true)) => too_big(),
            Ok((bytes, false)) => bytes,
            Err(_) => return respond(out, 400, &[], b"").await,
        },
    };
    drop(body);
    let headers = text_headers(headers);
    let method = method_name(&request.method());
    let authority = request.authority();
    // With the query: `/health/argocd?profile=…` names an instance.
    let path = request.path_with_query().unwrap_or_else(|| "/".into());
    let settings = std::sync::Arc::new(load_settings());
    let exchange = HttpExchange {
        method: &method,
        authority: authority.as_deref(),
        headers: &headers,
        body: &bytes,
    };
    match service::serve(&open_host(), settings, exchange, &path).await {
        service::Answer::Whole(reply) => {
            respond(out, reply.status, &reply.headers, &reply.body).await
        }
        service::Answer::Stream(call) => stream(out, call).await,
    }
}

fn method_name(method: &Method) -> String {
    match method {
        Method::Get => "GET",
        Method::Head => "HEAD",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
        Method::Connect => "CONNECT",
        Method::Options => "OPTIONS",
        Method::Trace => "TRACE",
        Method::Patch => "PATCH",
        Method::Other(other) => other,
    }
    .to_owned()
}

/// Starts the answer: its status and headers sent, its body's writer returned. Headers the host
/// refuses leave an answer with none and status 500.
fn start(out: ResponseOutparam, status: u16, headers: &[(String, String)]) -> Option<BodyWriter> {
    let (fields, status) = match Fields::from_list(&field_list(headers)) {
        Ok(fields) => (fields, status),
        Err(_) => (Fields::new(), 500),
    };
    let response = OutgoingResponse::new(fields);
    let _ = response.set_status_code(status);
    let body = response.body().ok();
    ResponseOutparam::set(out, Ok(response));
    BodyWriter::new(body?).ok()
}

/// A whole answer.
async fn respond(out: ResponseOutparam, status: u16, headers: &[(String, String)], body: &[u8]) {
    if let Some(writer) = start(out, status, headers)
        && writer.write(body, false).await.is_ok()
    {
        let _ = writer.finish();
    }
}

/// Answers with an SSE stream at once; a task runs the call, whose progress and final message
/// the channel carries down the body, each as it comes.
async fn stream(out: ResponseOutparam, call: Box<service::StreamedCall>) {
    let (sender, mut receiver) = futures_channel::mpsc::unbounded::<Vec<u8>>();
    wstd::runtime::spawn(async move { call.run(&open_host(), &EventChannel(sender)).await })
        .detach();
    let Some(writer) = start(out, 200, &http::sse_headers()) else {
        return;
    };
    while let Ok(event) = receiver.recv().await {
        if writer.write(&event, true).await.is_err() {
            // The client left: dropping the receiver tells the call.
            return;
        }
    }
    let _ = writer.finish();
}
