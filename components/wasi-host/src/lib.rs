//! The core's host traits over WASI P2: outbound HTTP through wstd (wasi:http/outgoing-handler),
//! wall clock and timers through wasi:clocks. Shared by the server and the plugin component.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use argocd_mcp::host::{
    BodyStream, Clock, HttpClient, HttpError, HttpRequest, HttpResponse, HttpStream,
};
use bytes::Bytes;
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use wstd::future::FutureExt;
use wstd::http::{Body, Client, Request};

/// Reads a body as it streams in, stopping once it passes `cap` bytes: the bytes read (at most
/// `cap`) and whether there was more. Nothing beyond the cap is ever held.
pub async fn read_capped(body: Body, cap: usize) -> Result<(Vec<u8>, bool), wstd::http::Error> {
    // Sized once when the length is stated: growing by doubling would hold up to twice the cap.
    let stated = body
        .content_length()
        .map_or(0, |n| n.min(cap as u64) as usize);
    let mut frames = body.into_boxed_body();
    let mut bytes = Vec::with_capacity(stated);
    while let Some(frame) = frames.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue; // trailers
        };
        let room = cap - bytes.len();
        if data.len() > room {
            bytes.extend_from_slice(&data[..room]);
            return Ok((bytes, true));
        }
        bytes.extend_from_slice(&data);
    }
    Ok((bytes, false))
}

/// Outbound HTTP for the core (wasi:http/outgoing-handler).
#[derive(Default)]
pub struct WasiHttp;

/// Wall-clock time and timers for the core (wasi:clocks).
#[derive(Default)]
pub struct WasiClock;

/// A body read as it arrives, frame by frame.
pub struct WasiBody(UnsyncBoxBody<Bytes, wstd::http::Error>);

impl BodyStream for WasiBody {
    async fn next_piece(&mut self, idle: Duration) -> Result<Option<Vec<u8>>, HttpError> {
        loop {
            let frame = match self
                .0
                .frame()
                .timeout(wstd::time::Duration::from(idle))
                .await
            {
                Err(_) => return Err(HttpError::Timeout),
                Ok(None) => return Ok(None),
                Ok(Some(frame)) => frame.map_err(|e| classify(e, Phase::InAnswer))?,
            };
            // Trailers carry no body: wait for what comes after them, if anything.
            if let Ok(data) = frame.into_data() {
                return Ok(Some(data.to_vec()));
            }
        }
    }
}

impl HttpClient for WasiHttp {
    type Body = WasiBody;

    async fn open(&self, request: HttpRequest) -> Result<HttpStream<WasiBody>, HttpError> {
        let timeout = request.timeout;
        let outgoing = outgoing(request)?;
        let head = async {
            Client::new()
                .send(outgoing)
                .await
                .map_err(|e| classify(e, Phase::BeforeAnswer))
        };
        let response = match head.timeout(wstd::time::Duration::from(timeout)).await {
            Ok(response) => response?,
            Err(_) => return Err(HttpError::Timeout),
        };
        Ok(HttpStream {
            status: response.status().as_u16(),
            headers: headers_of(response.headers()),
            body: WasiBody(response.into_body().into_boxed_body()),
        })
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let cap = request.max_response_bytes;
        let timeout = request.timeout;
        let outgoing = outgoing(request)?;
        // One deadline for the whole exchange, head and body: a slow Argo CD cannot hold a call.
        let exchange = async {
            let response = Client::new()
                .send(outgoing)
                .await
                .map_err(|e| classify(e, Phase::BeforeAnswer))?;
            let status = response.status().as_u16();
            let headers = headers_of(response.headers());
            // Dropping the rest of a body over the cap closes that connection.
            let (body, truncated) = read_capped(response.into_body(), cap)
                .await
                .map_err(|e| classify(e, Phase::InAnswer))?;
            Ok(HttpResponse {
                status,
                headers,
                body,
                truncated,
            })
        };
        match exchange.timeout(wstd::time::Duration::from(timeout)).await {
            Ok(result) => result,
            Err(_) => Err(HttpError::Timeout),
        }
    }
}

fn headers_of(headers: &wstd::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The request as wasi:http takes it.
fn outgoing(request: HttpRequest) -> Result<Request<Body>, HttpError> {
    let mut builder = Request::builder()
        .method(request.method.as_str())
        .uri(&request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    // A known length, never chunked: proxies and gateways in front of Argo CD may refuse
    // chunked requests. A bodiless GET says nothing, as clients do.
    if !(request.body.is_empty() && request.method == argocd_mcp::host::Method::Get) {
        builder = builder.header("content-length", request.body.len());
    }
    // An empty body is one that never writes: Body::from(vec![]) still writes zero bytes,
    // and that write finds the stream closed whenever the host has already sent a bodiless
    // request (hyper never waits for a GET's body) — a spurious "connection reset".
    let body = if request.body.is_empty() {
        Body::from_http_body(http_body_util::Empty::<&'static [u8]>::new())
    } else {
        Body::from(request.body)
    };
    builder
        .body(body)
        .map_err(|e| HttpError::Other(format!("invalid request: {e}")))
}

/// Where in the exchange a failure happened.
#[derive(Clone, Copy, PartialEq)]
enum Phase {
    BeforeAnswer,
    InAnswer,
}

/// Sorts wasi:http failures into "took too long", "could not get there" and "got no answer".
fn classify(error: wstd::http::Error, phase: Phase) -> HttpError {
    use wstd::http::error::ErrorCode;
    match error.downcast_ref::<ErrorCode>() {
        // A connection that broke before the answer's head arrived (hosts report a reset or a
        // close as a protocol error): there was no answer at all.
        Some(code @ (ErrorCode::HttpProtocolError | ErrorCode::ConnectionTerminated))
            if phase == Phase::BeforeAnswer =>
        {
            HttpError::NoAnswer(format!("{code:?}"))
        }
        Some(
            ErrorCode::ConnectionTimeout
            | ErrorCode::ConnectionReadTimeout
            | ErrorCode::ConnectionWriteTimeout
            | ErrorCode::HttpResponseTimeout,
        ) => HttpError::Timeout,
        Some(
            code @ (ErrorCode::DnsTimeout
            | ErrorCode::DnsError(_)
            | ErrorCode::ConnectionRefused
            | ErrorCode::DestinationNotFound
            | ErrorCode::DestinationUnavailable
            | ErrorCode::DestinationIpUnroutable
            | ErrorCode::ConnectionTerminated
            | ErrorCode::HttpRequestDenied
            | ErrorCode::TlsCertificateError
            | ErrorCode::TlsProtocolError),
        ) => HttpError::Unreachable(format!("{code:?}")),
        Some(code) => HttpError::Other(format!("{code:?}")),
        None => HttpError::Other(error.to_string()),
    }
}

impl Clock for WasiClock {
    fn now_unix_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }

    async fn sleep(&self, duration: Duration) {
        wstd::task::sleep(wstd::time::Duration::from(duration)).await;
    }
}
